//! `hearth admin …`: accounts and tokens from the command line, through the services the API's
//! administrators use.

use std::io::{BufRead, Write};

use hearth_store::users::UserRow;

use super::{open_existing_db, refusal, with_db};
use crate::config::Config;
use crate::service::accounts::{self, NewAccount};
use crate::service::passwords::Passwords;
use crate::service::{admin, tokens};

/// Where a new password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// Given on the command line.
    Given(String),
    /// One line of standard input, its line ending dropped.
    Stdin,
    /// Made up here, and printed.
    Random,
}

/// Length of a generated password (longer when `[security] MIN_PASSWORD_LENGTH` asks for more).
const RANDOM_LENGTH: usize = 20;

impl Secret {
    /// The password, and whether it was made up here.
    fn resolve(self, passwords: &Passwords, min_length: usize) -> anyhow::Result<(String, bool)> {
        let password = match self {
            Secret::Given(p) => p,
            Secret::Stdin => read_line(std::io::stdin().lock())?,
            Secret::Random => return Ok((random_password(RANDOM_LENGTH.max(min_length)), true)),
        };
        passwords.check_new(&password).map_err(refusal)?;
        Ok((password, false))
    }
}

/// The first line of `input` without its line ending (`\n` or `\r\n`).
fn read_line(mut input: impl BufRead) -> anyhow::Result<String> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        anyhow::bail!("no password on standard input");
    }
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_string())
}

/// Letters and digits, drawn uniformly (bytes past the largest multiple of 62 are redrawn).
fn random_password(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        for b in bytes.into_iter().filter(|b| (*b as usize) < limit) {
            if out.len() < len {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    out
}

/// `hearth admin create-user`: an active account (the database is created on a fresh
/// installation). Returns the password when it was generated.
pub async fn create_user(
    config: &Config,
    name: &str,
    email: &str,
    admin: bool,
    secret: Secret,
) -> anyhow::Result<Option<String>> {
    let passwords = Passwords::from_config(&config.password)?;
    let (password, generated) = secret.resolve(&passwords, config.password.min_length)?;
    let account = NewAccount {
        name: name.into(),
        email: email.into(),
        password: password.clone(),
        is_admin: admin,
        ..NewAccount::default()
    };
    let db = crate::open_db(config).await?;
    with_db(db, async |db| accounts::create_user(db, &passwords, &account).await.map_err(refusal)).await?;
    Ok(generated.then_some(password))
}

/// `hearth admin change-password`.
pub async fn change_password(config: &Config, name: &str, secret: Secret) -> anyhow::Result<()> {
    let passwords = Passwords::from_config(&config.password)?;
    let (password, _) = secret.resolve(&passwords, config.password.min_length)?;
    let db = open_existing_db(config).await?;
    with_db(db, async |db| {
        let user = accounts::user_by_name(db, name).await.map_err(refusal)?;
        accounts::change_password(db, &passwords, &user, &password).await.map_err(refusal)
    })
    .await
}

/// `hearth admin list-users`: every individual account by name, one a line, tab-separated: name,
/// e-mail, `admin` or `user`, `active` or `inactive`.
pub async fn list_users(config: &Config, out: &mut impl Write) -> anyhow::Result<()> {
    const PAGE: i64 = 500;
    let db = open_existing_db(config).await?;
    with_db(db, async |db| {
        let mut offset = 0;
        loop {
            let (rows, _) = admin::search_users(db, "", 0, PAGE, offset).await.map_err(refusal)?;
            for user in &rows {
                writeln!(out, "{}", list_line(user))?;
            }
            if (rows.len() as i64) < PAGE {
                return Ok(());
            }
            offset += PAGE;
        }
    })
    .await
}

fn list_line(u: &UserRow) -> String {
    let role = if u.is_admin { "admin" } else { "user" };
    let state = if u.is_active { "active" } else { "inactive" };
    format!("{}\t{}\t{role}\t{state}", u.name, u.email)
}

/// `hearth admin delete-user`: refused, as the API refuses it, while the user owns repositories
/// or belongs to organisations.
pub async fn delete_user(config: &Config, name: &str) -> anyhow::Result<()> {
    let db = open_existing_db(config).await?;
    with_db(db, async |db| {
        let user = accounts::user_by_name(db, name).await.map_err(refusal)?;
        accounts::delete_user(db, config, &user).await.map_err(refusal)
    })
    .await
}

/// `hearth admin create-token`: a new access token of the user (Gitea's `scopes`; none: full
/// access). Returns the token, which is shown only this once.
pub async fn create_token(config: &Config, name: &str, token_name: &str, scopes: &[String]) -> anyhow::Result<String> {
    if token_name.trim().is_empty() || token_name.chars().count() > 255 {
        anyhow::bail!("token name must be 1 to 255 characters");
    }
    let db = open_existing_db(config).await?;
    with_db(db, async |db| {
        let user = accounts::user_by_name(db, name).await.map_err(refusal)?;
        let (_, raw) = tokens::create(db, user.id, token_name, scopes).await.map_err(refusal)?;
        Ok(raw)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_of_input() {
        assert_eq!(read_line(&b"s3cret\n"[..]).unwrap(), "s3cret");
        assert_eq!(read_line(&b"s3cret\r\nmore\n"[..]).unwrap(), "s3cret");
        assert_eq!(read_line(&b" spaced \n"[..]).unwrap(), " spaced ");
        assert_eq!(read_line(&b"no newline"[..]).unwrap(), "no newline");
        assert_eq!(read_line(&b"\n"[..]).unwrap(), "");
        assert!(read_line(&b""[..]).is_err());
    }

    #[test]
    fn random_passwords() {
        let a = random_password(20);
        assert_eq!(a.len(), 20);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, random_password(20));
        assert_eq!(random_password(64).len(), 64);
    }
}
