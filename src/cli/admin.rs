//! `mwscup admin create` and `mwscup admin token`: accounts and API tokens from the server's shell.

use std::io::Read;

use anyhow::{Context, bail};

use super::open;
use crate::config::Overrides;
use crate::domain::names::{Username, optional_text};
use crate::domain::{password, role::Role, secret};
use crate::store;

pub async fn create(overrides: &Overrides, username: &str, password_stdin: bool, role: &str) -> anyhow::Result<()> {
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!("--username: {e}"))?;
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
    let (_, db) = open(overrides).await?;
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

pub async fn token(overrides: &Overrides, username: &str, name: &str) -> anyhow::Result<()> {
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!("--username: {e}"))?;
    let name = optional_text(Some(name), 64)
        .map_err(|e| anyhow::anyhow!("--name: {e}"))?
        .unwrap_or_else(|| "command line".into());
    let (_, db) = open(overrides).await?;
    let user = store::users::by_username(&db, &username)
        .await?
        .with_context(|| format!("no user named {}", username.as_str()))?;
    let created = store::tokens::create(&db, user.id, &name).await?;
    eprintln!("API token {:?} for {} (shown once):", name, user.username);
    println!("{}", created.token);
    Ok(())
}
