//! `mwscup backup --out FILE`: one zip with a consistent copy of the database and the files folder, made
//! while the server runs. SQLite is copied online with `VACUUM INTO` (a snapshot of one moment; readers and
//! writers go on meanwhile); PostgreSQL is left to `pg_dump`, whose command is printed. The zip is written
//! to a temporary name and renamed when complete, so a failed backup leaves nothing that looks whole.
//! With `blob_store = "database"` the files are rows of the database, so they are in its copy (or its dump)
//! and no folder is added; the output says so.
//! The secret key is not included: a restored server may use a new one (sessions then start afresh).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use zip::write::SimpleFileOptions;

/// What a backup holds.
#[derive(Debug)]
pub struct Report {
    pub out: PathBuf,
    /// Whether the database itself is in the zip (SQLite).
    pub database: bool,
    pub files: usize,
    /// Whether the files are kept in the database (`blob_store = "database"`), so in its copy or dump.
    pub files_in_database: bool,
    /// On PostgreSQL: the command that dumps the database.
    pub pg_dump: Option<String>,
}

/// The name of the database copy inside the zip.
pub const DATABASE_ENTRY: &str = "mwscup.db";

/// `mwscup backup --out FILE`, with what it wrote said on stdout.
pub async fn run(overrides: &crate::config::Overrides, out: &Path) -> anyhow::Result<()> {
    let (settings, db) = super::open(overrides).await?;
    let blobs = crate::blobs::BlobStore::of(&settings, &db);
    let report = backup(&db, &settings.database_url, &blobs, &settings.data_dir, out).await?;
    if report.database {
        println!("database: {DATABASE_ENTRY} (a copy made online)");
    }
    if report.files_in_database {
        let (files, _) = crate::store::blobs::counts(&db).await?;
        let whereto = if report.database { "its copy in the zip" } else { "the database's dump" };
        println!("files: {files} stored files, kept in the database (blob_store = database): they are in {whereto}");
    } else {
        println!("files: {} stored files", report.files);
    }
    if let Some(command) = &report.pg_dump {
        println!("PostgreSQL is not copied into the zip: dump it with\n  {command}");
    }
    println!("wrote {}", report.out.display());
    Ok(())
}

pub async fn backup(
    db: &DatabaseConnection,
    url: &str,
    blobs: &crate::blobs::BlobStore,
    data_dir: &Path,
    out: &Path,
) -> anyhow::Result<Report> {
    let files_in_database = matches!(blobs, crate::blobs::BlobStore::Database { .. });
    let work = tempfile::tempdir_in(out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot write beside {}", out.display()))?;
    let sqlite_copy = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let copy = work.path().join(DATABASE_ENTRY);
            let quoted = copy.to_str().context("the backup's path is not UTF-8")?.replace('\'', "''");
            db.execute_unprepared(&format!("VACUUM INTO '{quoted}'")).await.context("copying the SQLite database")?;
            Some(copy)
        }
        _ => None,
    };
    let partial = work.path().join("backup.zip.partial");
    let mut zip = zip::ZipWriter::new(BufWriter::new(File::create(&partial)?));
    // Stored, not compressed: the database pages and the attachments (often archives already) gain little.
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
    if let Some(copy) = &sqlite_copy {
        zip.start_file(DATABASE_ENTRY, options)?;
        std::io::copy(&mut File::open(copy)?, &mut zip)?;
    }
    let files_dir = data_dir.join("files");
    let mut files = 0;
    if files_dir.is_dir() && !files_in_database {
        for entry in walkdir::WalkDir::new(&files_dir).sort_by_file_name() {
            let entry = entry?;
            if !entry.file_type().is_file() {
                continue;
            }
            let relative =
                entry.path().strip_prefix(data_dir)?.to_str().context("a stored file's name is not UTF-8")?;
            zip.start_file(relative.replace('\\', "/"), options)?;
            std::io::copy(&mut File::open(entry.path())?, &mut zip)?;
            files += 1;
        }
    }
    zip.finish()?.flush()?;
    std::fs::rename(&partial, out).with_context(|| format!("cannot write {}", out.display()))?;
    let pg_dump = sqlite_copy.is_none().then(|| {
        let dump = out.with_extension("pgdump");
        // The password is left out: pg_dump takes it from PGPASSWORD or ~/.pgpass.
        let url = crate::db::redact(url).replace(":***@", "@");
        format!("pg_dump --format=custom --file='{}' '{url}'", dump.display())
    });
    Ok(Report { out: out.to_path_buf(), database: sqlite_copy.is_some(), files, files_in_database, pg_dump })
}
