//! The command line: the clap definitions of every subcommand and the dispatch to one file per group
//! (`serve` and `migrate`, `admin`, `answer`, `archive`, `backup`, `challenges`, `classification`, `export`,
//! `files`).

mod admin;
mod answer;
mod archive;
pub mod archive_io;
pub mod backup;
mod challenges;
mod classification;
pub mod demo;
mod export;
pub mod files;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sea_orm::DatabaseConnection;

use crate::config::{Overrides, Settings};
use crate::db;

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
    /// Stored files: move them between blob stores.
    Files {
        #[command(subcommand)]
        command: FilesCommand,
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
pub enum FilesCommand {
    /// Copy every file of the data folder's store into the database's (for `blob_store = "database"`);
    /// files already there are not copied again.
    Migrate {
        /// Where to: `database`.
        #[arg(long, value_parser = ["database"])]
        to: String,
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
    init_tracing(&cli.overrides);
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(overrides: &Overrides) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MWSCUP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let (format, problem) = overrides.log_format();
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        crate::config::LogFormat::Json => logs.json().try_init(),
        crate::config::LogFormat::Text => logs.try_init(),
    };
    if let Some(problem) = problem {
        tracing::warn!("{problem}");
    }
}

async fn execute(cli: Cli) -> anyhow::Result<()> {
    let overrides = &cli.overrides;
    match cli.command {
        Command::Serve { demo } => serve::serve(overrides, demo).await,
        Command::Migrate => serve::migrate(overrides).await,
        Command::Backup { out } => backup::run(overrides, &out).await,
        Command::Files { command: FilesCommand::Migrate { to } } => files::migrate(overrides, &to).await,
        Command::Admin { command: AdminCommand::Create { username, password_stdin, role } } => {
            admin::create(overrides, &username, password_stdin, &role).await
        }
        Command::Admin { command: AdminCommand::Token { username, name } } => {
            admin::token(overrides, &username, &name).await
        }
        Command::Answer { command: AnswerCommand::Hash { salt, rule, answer } } => answer::hash(&salt, &rule, &answer),
        Command::Archive { command: ArchiveCommand::Import { dir } } => archive::import(overrides, &dir).await,
        Command::Archive { command: ArchiveCommand::Export { contest, dir } } => {
            archive::export(overrides, &contest, &dir).await
        }
        Command::Export { contest, format } => export::run(overrides, &contest, &format).await,
        Command::Classification {
            command: ClassificationCommand::Seal { salt, seed, public_fraction, labels, out, truth },
        } => classification::seal(&salt, seed.as_deref(), public_fraction, &labels, &out, &truth),
        Command::Challenges { command: ChallengesCommand::New { contest, area, root, slug } } => {
            challenges::new(&root, &contest, &area, &slug)
        }
        Command::Challenges { command: ChallengesCommand::Check { dir } } => challenges::check(&dir),
        Command::Challenges { command: ChallengesCommand::Sync { dir } } => challenges::sync(overrides, &dir).await,
    }
}

/// The settings and a migrated database, for the commands that work on one. Commands that check files
/// first call this only once the check has passed, so a refused folder leaves even the data folder untouched.
async fn open(overrides: &Overrides) -> anyhow::Result<(Settings, DatabaseConnection)> {
    let settings = overrides.resolve()?;
    let db = db::connect_waiting(&settings.database_url, settings.db_acquire_timeout).await?;
    db::migrate(&db).await?;
    Ok((settings, db))
}

/// What a sync or an import changed, a line each, then their count (or `nothing changed`).
fn print_changes(dir: &Path, lines: &[String]) {
    if lines.is_empty() {
        println!("{}: nothing changed", dir.display());
        return;
    }
    for line in lines {
        println!("{line}");
    }
    println!("{}: {} changes", dir.display(), lines.len());
}
