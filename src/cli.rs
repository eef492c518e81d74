//! The command line: `serve`, `migrate`, `admin create`, `admin token`.

use std::collections::HashMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::blobs::BlobStore;
use crate::config::Overrides;
use crate::domain::answer::{AnswerDigest, Rule};
use crate::domain::names::Username;
use crate::domain::standings::View;
use crate::domain::{password, role::Role, secret};
use crate::startup::{AppState, run};
use crate::{archive_io, authoring, db, demo, feeds, store};

#[derive(Debug, Parser)]
#[command(name = "mwscup", version, about = "The contest platform for MWS Cup")]
pub struct Cli {
    #[command(flatten)]
    pub overrides: Overrides,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the site and the API.
    Serve {
        /// Create the demo contest `mwscup-demo` (running now) if the database has none.
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Write a consistent copy of the database (SQLite; on PostgreSQL, print the pg_dump command) and of
    /// the files folder into one zip, while the server runs.
    Backup {
        /// The zip to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Manage organizer accounts and API tokens.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Work with answers as challenge sources hold them.
    Answer {
        #[command(subcommand)]
        command: AnswerCommand,
    },
    /// Bring past years into the archive, or write one out.
    Archive {
        #[command(subcommand)]
        command: ArchiveCommand,
    },
    /// Write a contest's final standings (not frozen) to stdout.
    Export {
        /// The contest's slug.
        #[arg(long)]
        contest: String,
        /// json (our scoreboard.json), csv (a line per team, a column per area), ctftime (CTFtime's feed) or
        /// audit (every organizer's and judge's action on the contest, oldest first, as JSON).
        #[arg(long, default_value = "json", value_parser = ["json", "csv", "ctftime", "audit"])]
        format: String,
    },
    /// Classification challenges: seal the truth of a test set.
    Classification {
        #[command(subcommand)]
        command: ClassificationCommand,
    },
    /// Author challenges as files: scaffold, check, load into the database.
    Challenges {
        #[command(subcommand)]
        command: ChallengesCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Load a past contest from a folder (`archive.toml` and its files); checks everything first.
    Import { dir: PathBuf },
    /// Write a contest's archive to a folder in the format `import` reads.
    Export {
        #[arg(long)]
        contest: String,
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChallengesCommand {
    /// Scaffold a challenge folder with a fresh salt.
    New {
        /// The contest folder's slug (under --root).
        #[arg(long)]
        contest: String,
        /// The area key, as declared in contest.toml.
        #[arg(long)]
        area: String,
        /// The folder holding the contest folders.
        #[arg(long, default_value = "challenges")]
        root: PathBuf,
        /// The new challenge's slug.
        slug: String,
    },
    /// Check a contest folder (or every contest folder in DIR) and report every problem.
    Check {
        #[arg(default_value = "challenges")]
        dir: PathBuf,
    },
    /// Check, then load a contest folder (or every one in DIR) into the database.
    Sync {
        #[arg(default_value = "challenges")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClassificationCommand {
    /// Write `sealed.csv` from the truth (`id,label`): per id the digest of (salt, id, label) and the
    /// public or private board of a seeded draw. Only `sealed.csv` goes into the sources.
    Seal {
        /// The challenge's salt (`[classification] salt` in challenge.toml).
        #[arg(long)]
        salt: String,
        /// The draw's seed (default: the salt).
        #[arg(long)]
        seed: Option<String>,
        /// The share of the rows on the public board.
        #[arg(long, default_value_t = 0.3)]
        public_fraction: f64,
        /// The labels allowed, comma-separated (any when empty).
        #[arg(long, default_value = "malware,cleanware")]
        labels: String,
        /// Where to write the sealed table.
        #[arg(long, default_value = "sealed.csv")]
        out: PathBuf,
        /// The truth, a CSV with the header `id,label`.
        truth: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AnswerCommand {
    /// Print the digest (`sha256:<hex>`) of an answer, as a challenge's `digests` holds it.
    Hash {
        /// The challenge's salt.
        #[arg(long)]
        salt: String,
        /// How the answer is made canonical: exact, casefold, hex or list.
        #[arg(long, default_value = "casefold")]
        rule: String,
        /// The answer; `-` reads it from standard input (one trailing newline dropped).
        answer: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organizer (or, with --role, a judge). Without --password-stdin a strong password is
    /// generated and printed once.
    Create {
        /// The login name of the new account.
        #[arg(long)]
        username: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// What the account may do.
        #[arg(long, default_value = "organizer", value_parser = ["organizer", "judge", "participant"])]
        role: String,
    },
    /// Create an API token for an existing user; the token is printed alone on the last line.
    Token {
        /// The user the token acts for.
        #[arg(long)]
        username: String,
        /// A name to tell the token apart on the account page.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MWSCUP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

async fn execute(cli: Cli) -> anyhow::Result<()> {
    // Commands on files need no settings and no database.
    match &cli.command {
        Command::Answer { command: AnswerCommand::Hash { salt, rule, answer } } => {
            return hash_answer(salt, rule, answer);
        }
        Command::Classification {
            command: ClassificationCommand::Seal { salt, seed, public_fraction, labels, out, truth },
        } => {
            return seal(salt, seed.as_deref(), *public_fraction, labels, out, truth);
        }
        Command::Challenges { command: ChallengesCommand::New { contest, area, root, slug } } => {
            let dir = authoring::scaffold::new_challenge(root, contest, area, slug)?;
            println!(
                "created {}: write the question in README.md, then add the answer's digest to challenge.toml",
                dir.display()
            );
            return Ok(());
        }
        Command::Challenges { command: ChallengesCommand::Check { dir } } => {
            let sources = checked_sources(dir)?;
            for s in &sources {
                println!("{}: ok ({} areas, {} challenges)", s.dir.display(), s.areas.len(), s.challenges.len());
            }
            return Ok(());
        }
        _ => {}
    }
    // An import writes nothing unless its folder passes the check.
    let archive_source = match &cli.command {
        Command::Archive { command: ArchiveCommand::Import { dir } } => {
            Some(archive_io::read(dir).map_err(|problems| {
                for p in &problems {
                    println!("{p}");
                }
                anyhow::anyhow!("{} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" })
            })?)
        }
        _ => None,
    };
    // A sync writes nothing, not even the data folder, unless every folder passes the check.
    let checked = match &cli.command {
        Command::Challenges { command: ChallengesCommand::Sync { dir } } => checked_sources(dir)?,
        _ => Vec::new(),
    };
    let settings = cli.overrides.resolve()?;
    let db = db::connect(&settings.database_url).await?;
    db::migrate(&db).await?;
    match cli.command {
        Command::Backup { out } => {
            let report = crate::backup::backup(&db, &settings.database_url, &settings.data_dir, &out).await?;
            if report.database {
                println!("database: {} (a copy made online)", crate::backup::DATABASE_ENTRY);
            }
            println!("files: {} stored files", report.files);
            if let Some(command) = &report.pg_dump {
                println!("PostgreSQL is not copied into the zip: dump it with\n  {command}");
            }
            println!("wrote {}", report.out.display());
            Ok(())
        }
        Command::Migrate => {
            println!("database is up to date ({})", db::redact(&settings.database_url));
            Ok(())
        }
        Command::Serve { demo: with_demo } => {
            if with_demo {
                demo::ensure(&db, &settings).await?.print();
            }
            let listener = TcpListener::bind(settings.bind)
                .with_context(|| format!("cannot listen on {} (setting `bind`)", settings.bind))?;
            let address = listener.local_addr()?;
            tracing::info!("mwscup listening on http://{address}");
            println!("mwscup is serving on http://{address}  (Ctrl-C stops it)");
            run(listener, AppState::new(db, settings))?.await?;
            Ok(())
        }
        Command::Answer { .. }
        | Command::Classification { .. }
        | Command::Challenges { command: ChallengesCommand::New { .. } | ChallengesCommand::Check { .. } } => Ok(()),
        Command::Archive { command: ArchiveCommand::Import { dir } } => {
            let source = archive_source.context("checked above")?;
            let lines = archive_io::import(&db, &BlobStore::new(&settings.data_dir), &source).await?;
            if lines.is_empty() {
                println!("{}: nothing changed", dir.display());
            } else {
                for line in &lines {
                    println!("{line}");
                }
                println!("{}: {} changes", dir.display(), lines.len());
            }
            Ok(())
        }
        Command::Archive { command: ArchiveCommand::Export { contest, dir } } => {
            let files = archive_io::export(&db, &BlobStore::new(&settings.data_dir), &contest, &dir).await?;
            println!("wrote {} ({files} files)", dir.join("archive.toml").display());
            Ok(())
        }
        Command::Export { contest, format } => {
            let contest =
                store::contests::by_slug(&db, &contest).await?.with_context(|| format!("no contest {contest:?}"))?;
            let areas = store::challenges::areas_of(&db, contest.id).await?;
            let events = store::scores::events(&db, contest.id).await?;
            let overall = events.standings(View::default());
            let by_area: HashMap<i32, Vec<_>> =
                areas.iter().map(|a| (a.id, events.standings(View { area_id: Some(a.id), until: None }))).collect();
            match format.as_str() {
                "csv" => print!("{}", feeds::csv(&areas, &overall, &by_area)),
                "ctftime" => println!("{}", serde_json::to_string_pretty(&feeds::ctftime(&events, &overall))?),
                "audit" => {
                    let filter =
                        store::audit::Filter { contest_id: Some(contest.id), limit: 10_000_000, ..Default::default() };
                    let mut entries: Vec<store::audit::Exported> =
                        store::audit::list(&db, &filter).await?.into_iter().map(Into::into).collect();
                    entries.reverse();
                    println!("{}", serde_json::to_string_pretty(&entries)?);
                }
                _ => println!(
                    "{}",
                    serde_json::to_string_pretty(&feeds::scoreboard(&contest, &areas, &overall, &by_area, None))?
                ),
            }
            Ok(())
        }
        Command::Challenges { command: ChallengesCommand::Sync { .. } } => {
            let blobs = BlobStore::new(&settings.data_dir);
            for source in &checked {
                let lines = authoring::sync::sync(&db, &blobs, source).await?;
                if lines.is_empty() {
                    println!("{}: nothing changed", source.dir.display());
                } else {
                    for line in &lines {
                        println!("{line}");
                    }
                    println!("{}: {} changes", source.dir.display(), lines.len());
                }
            }
            Ok(())
        }
        Command::Admin { command: AdminCommand::Create { username, password_stdin, role } } => {
            let username = Username::parse(&username).map_err(|e| anyhow::anyhow!("--username: {e}"))?;
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            let (plain, generated) = if password_stdin {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text)?;
                (text.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (secret::generated_password(), true)
            };
            if let Err(e) = password::check_strength(&plain) {
                bail!("the password is refused: {e}");
            }
            let to_hash = plain.clone();
            let hash = tokio::task::spawn_blocking(move || password::hash(&to_hash)).await?;
            let new = store::users::NewUser { username: &username, email: None, password_hash: hash, role };
            let user = store::users::create(&db, new).await?;
            println!("created {} {} (id {})", role, user.username, user.id);
            if generated {
                // The only copy of this password outside the hash: printed once, never logged.
                println!("password: {plain}");
            }
            Ok(())
        }
        Command::Admin { command: AdminCommand::Token { username, name } } => {
            let username = Username::parse(&username).map_err(|e| anyhow::anyhow!("--username: {e}"))?;
            let user = store::users::by_username(&db, &username)
                .await?
                .with_context(|| format!("no user named {}", username.as_str()))?;
            let name = crate::domain::names::optional_text(Some(&name), 64)
                .map_err(|e| anyhow::anyhow!("--name: {e}"))?
                .unwrap_or_else(|| "command line".into());
            let created = store::tokens::create(&db, user.id, &name).await?;
            eprintln!("API token {:?} for {} (shown once):", name, user.username);
            println!("{}", created.token);
            Ok(())
        }
    }
}

/// The contest folders under `dir` (or `dir` itself), each checked; every problem is printed.
fn checked_sources(dir: &Path) -> anyhow::Result<Vec<authoring::ContestSource>> {
    let folders = authoring::contest_folders(dir)?;
    let mut sources = Vec::new();
    let mut problems = 0;
    for folder in folders {
        match authoring::load_checked(&folder) {
            Ok(source) => sources.push(source),
            Err(found) => {
                for p in &found {
                    println!("{p}");
                }
                problems += found.len();
            }
        }
    }
    if problems > 0 {
        bail!("{problems} problem{} found", if problems == 1 { "" } else { "s" });
    }
    Ok(sources)
}

fn hash_answer(salt: &str, rule: &str, answer: &str) -> anyhow::Result<()> {
    let rule: Rule = rule.parse().map_err(|e| anyhow::anyhow!("--rule: {e}"))?;
    if salt.is_empty() {
        bail!("--salt: must not be empty");
    }
    let typed = if answer == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        trimmed.to_owned()
    } else {
        answer.to_owned()
    };
    println!("{}", AnswerDigest::of_typed(rule, salt, &typed));
    Ok(())
}

fn seal(salt: &str, seed: Option<&str>, fraction: f64, labels: &str, out: &Path, truth: &Path) -> anyhow::Result<()> {
    use crate::domain::classification;
    if salt.trim().is_empty() {
        bail!("--salt: must not be empty");
    }
    if !(0.0..=1.0).contains(&fraction) || fraction.is_nan() {
        bail!("--public-fraction: must be between 0 and 1");
    }
    let labels: Vec<String> = labels.split(',').map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
    let bytes = std::fs::read(truth).with_context(|| format!("{}", truth.display()))?;
    let text = classification::seal(salt, seed.unwrap_or(salt), fraction, &labels, &bytes).map_err(|problems| {
        for p in &problems.first {
            println!("{}: line {}: {}", truth.display(), p.line, p.problem);
        }
        anyhow::anyhow!("{} problem{} found", problems.total, if problems.total == 1 { "" } else { "s" })
    })?;
    let sealed = classification::Sealed::read(text.as_bytes())
        .map_err(|_| anyhow::anyhow!("the sealed table does not read back"))?;
    std::fs::write(out, &text).with_context(|| format!("{}", out.display()))?;
    println!(
        "wrote {}: {} rows, {} public, {} private",
        out.display(),
        sealed.rows.len(),
        sealed.public_count(),
        sealed.rows.len() - sealed.public_count()
    );
    Ok(())
}
