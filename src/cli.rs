//! The command line: `serve`, `migrate`, `admin create`, `admin token`.

use std::io::Read;
use std::net::TcpListener;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::config::Overrides;
use crate::domain::names::Username;
use crate::domain::{password, role::Role, secret};
use crate::startup::{AppState, run};
use crate::{db, demo, store};

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
    /// Manage organizer accounts and API tokens.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
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
    let settings = cli.overrides.resolve()?;
    let db = db::connect(&settings.database_url).await?;
    db::migrate(&db).await?;
    match cli.command {
        Command::Migrate => {
            println!("database is up to date ({})", db::redact(&settings.database_url));
            Ok(())
        }
        Command::Serve { demo: with_demo } => {
            if with_demo {
                demo::ensure(&db).await?.print();
            }
            let listener = TcpListener::bind(settings.bind)
                .with_context(|| format!("cannot listen on {} (setting `bind`)", settings.bind))?;
            let address = listener.local_addr()?;
            tracing::info!("mwscup listening on http://{address}");
            println!("mwscup is serving on http://{address}  (Ctrl-C stops it)");
            run(listener, AppState::new(db, settings))?.await?;
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
