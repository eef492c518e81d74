//! Challenge sources: `answer hash` against the contract, `challenges check` on every kind of broken
//! source, `challenges new`, and `challenges sync` twice without storing a plaintext answer.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::helpers::{Backend, Fixture};

fn mwscup(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mwscup")).args(args).current_dir(cwd).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn answer_hash_follows_the_contract() {
    let dir = TempDir::new().unwrap();
    // The contract computed without our code: SHA-256("mwscup-answer-v1" 0 salt 0 canonical).
    let expected = format!("sha256:{}", hex::encode(Sha256::digest(b"mwscup-answer-v1\0s1\0mimikatz")));
    let out =
        mwscup(&["answer", "hash", "--salt", "s1", "--rule", "casefold", "\u{3000}Ｍｉｍｉｋａｔｚ "], dir.path());
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim(), expected);
    let default_rule = mwscup(&["answer", "hash", "--salt", "s1", "MIMIKATZ"], dir.path());
    assert_eq!(stdout(&default_rule).trim(), expected, "casefold is the default rule");

    let mut child = Command::new(env!("CARGO_BIN_EXE_mwscup"))
        .args(["answer", "hash", "--salt", "s1", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), "Mimikatz\n".as_bytes()).unwrap();
    assert_eq!(stdout(&child.wait_with_output().unwrap()).trim(), expected);

    let hex = format!("sha256:{}", hex::encode(Sha256::digest(b"mwscup-answer-v1\0k\0deadbeef")));
    let out = mwscup(&["answer", "hash", "--salt", "k", "--rule", "hex", "0xDE:AD BE:EF"], dir.path());
    assert_eq!(stdout(&out).trim(), hex);
    let list = format!("sha256:{}", hex::encode(Sha256::digest(b"mwscup-answer-v1\0k\0arp -a,net view")));
    let out = mwscup(&["answer", "hash", "--salt", "k", "--rule", "list", "Net View, ARP -a\nnet view"], dir.path());
    assert_eq!(stdout(&out).trim(), list);
    let exact = format!("sha256:{}", hex::encode(Sha256::digest(b"mwscup-answer-v1\0k\0C:\\Temp\\Qpkz.exe")));
    let out = mwscup(&["answer", "hash", "--salt", "k", "--rule", "exact", " C:\\Temp\\Qpkz.exe "], dir.path());
    assert_eq!(stdout(&out).trim(), exact);

    let bad = mwscup(&["answer", "hash", "--salt", "k", "--rule", "fuzzy", "x"], dir.path());
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--rule"));
}

/// A small valid contest `cup` under `root/`, with its catalog beside it.
pub struct Source {
    pub root: TempDir,
}

/// The digest of a fixture's answer, computed here from the contract (`SHA-256("mwscup-answer-v1" 0x00 salt 0x00
/// canonical)`), not by the code under test. The fixtures' answers are ASCII, whose canonical forms are short to
/// write: `exact` trimmed; `casefold` lowercased, whitespace runs made one space; `hex` lowercased without
/// spaces, colons or leading `0x`; `list` its items casefolded, sorted, each once, joined by commas.
fn digest(rule: &str, salt: &str, answer: &str) -> String {
    assert!(answer.is_ascii(), "fixture answers are ASCII: {answer:?}");
    let casefold = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    let canonical = match rule {
        "exact" => answer.trim().to_owned(),
        "casefold" => casefold(answer),
        "hex" => {
            let kept: String =
                answer.to_ascii_lowercase().chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
            kept.trim_start_matches("0x").to_owned()
        }
        "list" => {
            let mut items: Vec<String> =
                answer.split([',', '\n', '\r']).map(casefold).filter(|i| !i.is_empty()).collect();
            items.sort();
            items.dedup();
            items.join(",")
        }
        other => panic!("no fixture uses the rule {other}"),
    };
    format!("sha256:{}", hex::encode(Sha256::digest(format!("mwscup-answer-v1\0{salt}\0{canonical}").as_bytes())))
}

impl Source {
    pub fn valid() -> Source {
        let root = TempDir::new().unwrap();
        let s = Source { root };
        s.write(
            "datasets.toml",
            r#"[[dataset]]
key = "ffri"
name = "FFRI Dataset"
kind = "analysis"
period = "2013–2020"
summary = "挙動ログ"
summary_en = "Behaviour logs"
agreement_required = true
terms = "研究目的に限って使います。"
terms_en = "For research only."
terms_version = "2026-1"
"#,
        );
        s.write(
            "cup/contest.toml",
            r#"slug = "cup"
title = "テスト杯"
title_en = "Test cup"
starts_at = 2026-10-20T09:00:00+09:00
ends_at = 2026-10-20T13:00:00+09:00
freeze_at = 2026-10-20T12:30:00+09:00
max_team_size = 4

[[areas]]
key = "static"
name = "静的解析"
name_en = "Static analysis"
on_day = true

[[areas]]
key = "dfir"
name = "攻撃痕跡ログ分析"
name_en = "DFIR"
on_day = true
opens_at = 2026-10-20T10:00:00+09:00
"#,
        );
        s.challenge("static", "alpha", "casefold", "salt-alpha", "Mimikatz", "points = 100\ndatasets = [\"ffri\"]\n");
        s.challenge(
            "static",
            "beta",
            "exact",
            "salt-beta",
            "C:\\Temp\\qpkz.exe",
            "points = 200\nrequires = [\"alpha\"]\n",
        );
        s.challenge(
            "dfir",
            "gamma",
            "hex",
            "salt-gamma",
            "deadbeef",
            "opens_at = 2026-10-20T10:30:00+09:00\n[scoring]\nfunction = \"linear\"\ninitial = 500\nminimum = 100\ndecay = 50\n",
        );
        s.write(
            "cup/static/alpha/files/sysmon.txt",
            "Image: C:\\Temp\\qpkz.exe\nCommandLine: qpkz.exe privilege::debug\n",
        );
        s
    }

    pub fn dir(&self) -> PathBuf {
        self.root.path().join("cup")
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.root.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    pub fn challenge(&self, area: &str, slug: &str, rule: &str, salt: &str, answer: &str, extra: &str) {
        let d = digest(rule, salt, answer);
        self.write(
            &format!("cup/{area}/{slug}/challenge.toml"),
            &format!(
                "title = \"問題 {slug}\"\ntitle_en = \"Question {slug}\"\n{extra}\n[answer]\nrule = \"{rule}\"\nsalt = \"{salt}\"\ndigests = [\"{d}\"]\nformat = \"text\"\n\n[[hints]]\ntext = \"ヒント\"\ntext_en = \"A hint\"\ncost = 10\n"
            ),
        );
        self.write(&format!("cup/{area}/{slug}/README.md"), &format!("# {slug}\n\nログを読んで答えてください。\n"));
        self.write(&format!("cup/{area}/{slug}/README.en.md"), &format!("# {slug}\n\nRead the log and answer.\n"));
    }

    /// Adds the dynamic challenge `zeta` (static area, linear from 300, −100 a solver, at least 100), whose
    /// answer is the list "net view, arp -a".
    pub fn with_dynamic_zeta(self) -> Source {
        self.challenge(
            "static",
            "zeta",
            "list",
            "salt-zeta",
            "net view, arp -a",
            "[scoring]\nfunction = \"linear\"\ninitial = 300\nminimum = 100\ndecay = 100\n",
        );
        self
    }

    /// Replaces text in a file of the source.
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.root.path().join(relative);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{relative} lacks {from:?}");
        fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    pub fn check(&self) -> (bool, String) {
        let out = mwscup(&["challenges", "check", self.dir().to_str().unwrap()], self.root.path());
        (out.status.success(), stdout(&out))
    }
}

#[test]
fn a_valid_source_passes_and_the_demo_too() {
    let s = Source::valid();
    let (ok, out) = s.check();
    assert!(ok, "{out}");
    assert!(out.contains("ok (2 areas, 3 challenges)"), "{out}");

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = mwscup(&["challenges", "check", "challenges/mwscup-demo"], repo);
    assert!(out.status.success(), "{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
}

/// Every kind of broken source is reported with its path and field, all in one run.
#[test]
fn every_problem_is_reported_with_path_and_field() {
    let s = Source::valid();
    let root = s.root.path().display().to_string();
    s.edit("cup/static/alpha/challenge.toml", "title = \"問題 alpha\"\n", "");
    s.edit("cup/static/beta/challenge.toml", "points = 200", "points = \"200\"\npionts = 1");
    s.edit("cup/contest.toml", "ends_at = 2026-10-20T13:00:00+09:00", "ends_at = 2026-10-20T08:00:00+09:00");
    let (ok, out) = s.check();
    assert!(!ok);
    for expected in [
        format!("{root}/cup/static/alpha/challenge.toml: title: is missing"),
        format!("{root}/cup/static/beta/challenge.toml: points: must be an integer, not a string"),
        format!("{root}/cup/static/beta/challenge.toml: pionts: unknown field"),
        format!("{root}/cup/contest.toml: ends_at: must be after starts_at"),
    ] {
        assert!(out.contains(&expected), "missing {expected:?} in:\n{out}");
    }
}

fn assert_reports(s: &Source, path: &str, field: &str, words: &str) {
    let (ok, out) = s.check();
    assert!(!ok, "the check passed:\n{out}");
    let prefix = format!("{}/{path}: {field}: ", s.root.path().display());
    assert!(
        out.lines().any(|l| l.starts_with(&prefix) && l.contains(words)),
        "expected a line starting {prefix:?} containing {words:?}; got:\n{out}"
    );
}

#[test]
fn times_areas_datasets_and_slugs_are_checked() {
    let s = Source::valid();
    s.edit(
        "cup/dfir/gamma/challenge.toml",
        "opens_at = 2026-10-20T10:30:00+09:00",
        "opens_at = 2026-10-21T10:30:00+09:00",
    );
    assert_reports(&s, "cup/dfir/gamma/challenge.toml", "opens_at", "outside the contest");

    let s = Source::valid();
    s.edit(
        "cup/dfir/gamma/challenge.toml",
        "opens_at = 2026-10-20T10:30:00+09:00",
        "opens_at = 2026-10-20T09:30:00+09:00",
    );
    assert_reports(&s, "cup/dfir/gamma/challenge.toml", "opens_at", "outside its area's window");

    let s = Source::valid();
    s.edit("cup/contest.toml", "starts_at = 2026-10-20T09:00:00+09:00", "starts_at = \"tomorrow\"");
    assert_reports(&s, "cup/contest.toml", "starts_at", "RFC 3339");

    let s = Source::valid();
    s.challenge("network", "delta", "casefold", "salt-delta", "x", "points = 1\n");
    assert_reports(&s, "cup/network", "area", "unknown area \"network\"");

    let s = Source::valid();
    s.edit("cup/static/alpha/challenge.toml", "datasets = [\"ffri\"]", "datasets = [\"ffri\", \"nope\"]");
    assert_reports(&s, "cup/static/alpha/challenge.toml", "datasets[1]", "unknown dataset \"nope\"");

    let s = Source::valid();
    s.challenge("dfir", "alpha", "casefold", "salt-alpha-2", "x", "points = 1\n");
    assert_reports(&s, "cup/static/alpha", "slug", "used twice");

    let s = Source::valid();
    s.edit("cup/static/alpha/challenge.toml", "points = 100", "points = 100\nrequires = [\"beta\"]");
    assert_reports(&s, "cup/static/alpha/challenge.toml", "requires", "cycle: alpha → beta → alpha");

    let s = Source::valid();
    s.edit("cup/static/beta/challenge.toml", "requires = [\"alpha\"]", "requires = [\"zeta\"]");
    assert_reports(&s, "cup/static/beta/challenge.toml", "requires[0]", "unknown challenge \"zeta\"");
}

#[test]
fn answers_are_checked() {
    let s = Source::valid();
    s.edit("cup/static/alpha/challenge.toml", "digests = [\"sha256:", "digests = [\"sha256:abc\", \"sha256:");
    assert_reports(&s, "cup/static/alpha/challenge.toml", "answer.digests[0]", "64 lowercase hex");

    let s = Source::valid();
    s.edit("cup/static/beta/challenge.toml", "salt = \"salt-beta\"", "salt = \"salt-alpha\"");
    assert_reports(&s, "cup/static/beta/challenge.toml", "answer.salt", "reused");

    let s = Source::valid();
    s.edit("cup/static/beta/challenge.toml", "rule = \"exact\"", "rule = \"fuzzy\"");
    assert_reports(&s, "cup/static/beta/challenge.toml", "answer.rule", "unknown rule");

    let s = Source::valid();
    s.edit("cup/dfir/gamma/challenge.toml", "minimum = 100", "minimum = 900");
    assert_reports(&s, "cup/dfir/gamma/challenge.toml", "scoring.minimum", "above the initial value");
}

#[test]
fn leaked_answers_are_found_anywhere_in_the_folder() {
    let s = Source::valid();
    s.write("cup/static/alpha/README.md", "# alpha\n\n資格情報を盗んだツールは? (例: **ＭＩＭＩＫＡＴＺ**)\n");
    assert_reports(&s, "cup/static/alpha/README.md", "line 3", "answer of static/alpha");

    let s = Source::valid();
    s.write("cup/notes/todo.txt", "remember: deadbeef\n");
    assert_reports(&s, "cup/notes/todo.txt", "line 1", "answer of dfir/gamma");

    let s = Source::valid();
    s.edit("cup/static/beta/challenge.toml", "format = \"text\"", "format = \"text\" # C:\\Temp\\qpkz.exe");
    assert_reports(&s, "cup/static/beta/challenge.toml", "line 10", "answer of static/beta");

    let s = Source::valid();
    s.write("cup/static/alpha/files/strings.txt", "kernel32.dll\nmimikatz\n");
    assert_reports(&s, "cup/static/alpha/files/strings.txt", "line 2", "answer of static/alpha");

    // answers.toml is a leak in a real contest, and allowed in a demo.
    let s = Source::valid();
    s.write("cup/answers.toml", "alpha = \"mimikatz\"\n");
    assert_reports(&s, "cup/answers.toml", "line 1", "answer of static/alpha");
    s.edit("cup/contest.toml", "max_team_size = 4", "max_team_size = 4\ndemo = true");
    let (ok, out) = s.check();
    assert!(ok, "{out}");
}

#[test]
fn raw_executables_are_refused() {
    let s = Source::valid();
    fs::write(s.root.path().join("cup/static/alpha/files/sample.exe"), mwscup::inspect::samples::pe()).unwrap();
    assert_reports(&s, "cup/static/alpha/files/sample.exe", "files", "PE (Windows) executable");

    for (name, encrypted) in [("plain.zip", false), ("locked.zip", true)] {
        let s = Source::valid();
        let path = s.root.path().join("cup/static/alpha/files").join(name);
        let mut zip = zip::ZipWriter::new(fs::File::create(&path).unwrap());
        let mut options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        if encrypted {
            use zip::unstable::write::FileOptionsExt;
            options = options.with_deprecated_encryption(b"infected").unwrap();
        }
        zip.start_file("dropper.elf", options).unwrap();
        std::io::Write::write_all(&mut zip, &mwscup::inspect::samples::elf()).unwrap();
        zip.finish().unwrap();
        if encrypted {
            let (ok, out) = s.check();
            assert!(ok, "an encrypted zip is how samples travel:\n{out}");
        } else {
            assert_reports(
                &s,
                &format!("cup/static/alpha/files/{name}"),
                "files",
                "holds an ELF executable in \"dropper.elf\"",
            );
        }
    }
}

#[test]
fn new_scaffolds_a_challenge_with_a_fresh_salt() {
    let s = Source::valid();
    let out =
        mwscup(&["challenges", "new", "--contest", "cup", "--area", "dfir", "--root", ".", "epsilon"], s.root.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let toml = fs::read_to_string(s.dir().join("dfir/epsilon/challenge.toml")).unwrap();
    let salt = toml.lines().find_map(|l| l.strip_prefix("salt = \"")).unwrap().trim_end_matches('"').to_owned();
    assert_eq!(salt.len(), 32);
    assert!(!fs::read_to_string(s.dir().join("static/alpha/challenge.toml")).unwrap().contains(&salt));
    // Until its digest is added, the new challenge fails the check, saying what to do.
    assert_reports(&s, "cup/dfir/epsilon/challenge.toml", "answer.digests", "at least one digest");

    let again =
        mwscup(&["challenges", "new", "--contest", "cup", "--area", "dfir", "--root", ".", "epsilon"], s.root.path());
    assert!(!again.status.success());
    let unknown =
        mwscup(&["challenges", "new", "--contest", "cup", "--area", "web", "--root", ".", "zeta"], s.root.path());
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--area"));
}

/// Syncs the demo twice: the second run changes nothing, and no plaintext answer reaches the database.
async fn sync_twice(backend: Backend) {
    let Some(fixture) = Fixture::new(backend).await else { return };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_mwscup"))
            .args(["challenges", "sync", "challenges/mwscup-demo"])
            .env("MWSCUP_DATA_DIR", fixture.data_dir())
            .env("MWSCUP_DATABASE_URL", &fixture.url)
            .current_dir(repo)
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}{}", stdout(&first), String::from_utf8_lossy(&first.stderr));
    let out = stdout(&first);
    assert!(out.contains("contest mwscup-demo: created"), "{out}");
    assert!(out.contains(": stored as "), "{out}");
    let second = run();
    assert!(second.status.success());
    assert_eq!(stdout(&second).trim(), "challenges/mwscup-demo: nothing changed");

    let answers: toml::Table =
        fs::read_to_string(repo.join("challenges/mwscup-demo/answers.toml")).unwrap().parse().unwrap();
    let db = mwscup::db::connect(&fixture.url).await.unwrap();
    let texts = crate::helpers::database_texts(&db).await;
    assert!(texts.iter().any(|t| t.contains("sha256:")), "digests are stored");
    for (slug, answer) in &answers {
        let answer = answer.as_str().unwrap();
        // A short answer (a one-byte key) occurs inside hex digests by chance: it must not be a value.
        let leaked = texts.iter().any(|t| t == answer || (answer.len() >= 6 && t.contains(answer)));
        assert!(!leaked, "the answer of {slug} is in the database");
    }
}

#[tokio::test]
async fn sync_twice_sqlite() {
    sync_twice(Backend::Sqlite).await;
}

#[tokio::test]
async fn sync_twice_postgres() {
    sync_twice(Backend::Postgres).await;
}

#[test]
fn sync_refuses_a_folder_that_fails_the_check() {
    let s = Source::valid();
    s.write("cup/static/alpha/README.md", "mimikatz\n");
    let data = TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mwscup"))
        .args(["challenges", "sync", s.dir().to_str().unwrap()])
        .env("MWSCUP_DATA_DIR", data.path())
        .current_dir(s.root.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stdout(&out).contains("answer of static/alpha"));
    assert!(!data.path().join("files").exists(), "nothing was stored");
}

/// `[[groups]]` gives a group its title: declared keys are unique and used, and once any is declared a
/// challenge's group must be one of them.
#[test]
fn groups_are_checked() {
    let with_groups = |s: &Source, groups: &str| {
        s.edit("cup/contest.toml", "[[areas]]\nkey = \"static\"", &format!("{groups}\n[[areas]]\nkey = \"static\""));
    };
    let s = Source::valid();
    s.edit("cup/static/alpha/challenge.toml", "points = 100", "points = 100\ngroup = \"sample-a\"");
    with_groups(&s, "[[groups]]\nkey = \"sample-a\"\ntitle = \"検体 A\"\ntitle_en = \"Sample A\"\n");
    let (ok, out) = s.check();
    assert!(ok, "{out}");

    s.edit("cup/static/beta/challenge.toml", "points = 200", "points = 200\ngroup = \"sample-b\"");
    assert_reports(&s, "cup/static/beta/challenge.toml", "group", "\"sample-b\" is not among the [[groups]]");

    let s = Source::valid();
    s.edit("cup/static/alpha/challenge.toml", "points = 100", "points = 100\ngroup = \"sample-a\"");
    with_groups(&s, "[[groups]]\nkey = \"sample-a\"\ntitle = \"A\"\n[[groups]]\nkey = \"sample-a\"\ntitle = \"B\"\n");
    assert_reports(&s, "cup/contest.toml", "groups[1].key", "declared twice");

    let s = Source::valid();
    with_groups(&s, "[[groups]]\nkey = \"unused\"\ntitle = \"使われない\"\n[[groups]]\nkey = \"x\"\n");
    assert_reports(&s, "cup/contest.toml", "groups[0].key", "no challenge is in it");
    assert_reports(&s, "cup/contest.toml", "groups[1].title", "is missing");
}
