//! `cargo run --example surface_synth -- OUTDIR TRUTH.csv [--rows N] [--seed S]`: writes the demo's
//! classification test set (`OUTDIR/files/test.jsonl`: one JSON line of surface features a file, no
//! labels) and the truth (`TRUTH.csv`: `id,label`) to seal with `mwscup classification seal`. Keep the
//! truth out of the repository: seal it, then delete it.

mod synth;

use std::io::Write;
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut positional, mut rows, mut seed) = (Vec::new(), synth::DEMO_ROWS, synth::DEMO_SEED);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows = args.next().and_then(|v| v.parse().ok()).unwrap_or(rows),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            _ => positional.push(PathBuf::from(a)),
        }
    }
    let [out, truth] = positional.as_slice() else {
        eprintln!("usage: surface_synth OUTDIR TRUTH.csv [--rows N] [--seed S]");
        std::process::exit(2);
    };
    let data = synth::generate(seed, rows);
    std::fs::create_dir_all(out.join("files"))?;
    let mut test = std::io::BufWriter::new(std::fs::File::create(out.join("files/test.jsonl"))?);
    let mut labels = std::io::BufWriter::new(std::fs::File::create(truth)?);
    writeln!(labels, "id,label")?;
    for row in &data {
        writeln!(test, "{}", row.features)?;
        writeln!(labels, "{},{}", row.id, row.label)?;
    }
    test.flush()?;
    labels.flush()?;
    let malware = data.iter().filter(|r| r.label == "malware").count();
    println!(
        "{} rows ({malware} malware) into {} and {}",
        data.len(),
        out.join("files/test.jsonl").display(),
        truth.display()
    );
    Ok(())
}
