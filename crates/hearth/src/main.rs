//! The `hearth` binary: command-line parsing only; the work happens in `hearth-server`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Parser, Subcommand};
use hearth_server::Overrides;
use hearth_server::cli::admin::{self, Secret};
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(name = "hearth", version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("HEARTH_COMMIT"), ")"), about = "A painless self-hosted Git service speaking the Gogs API")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web API and Git over HTTP (and SSH with `[server] START_SSH_SERVER = true`).
    Web {
        #[command(flatten)]
        place: Place,
        /// HTTP port (overrides [server] HTTP_PORT).
        #[arg(long, short)]
        port: Option<u16>,
    },
    /// Administrative commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Write a backup archive (database rows, repositories, SSH host key, config); safe while
    /// `hearth web` serves the same data.
    Dump {
        /// The archive to write; its name ends in .zip or .tar.gz.
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        place: Place,
    },
    /// Restore a backup archive into an empty data directory and an empty database.
    Restore {
        /// The archive to read (.zip or .tar.gz), written by `hearth dump`.
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        place: Place,
    },
    /// Check the installation without changing it: git, writable directories, the database and its
    /// migrations, repository directories against their rows, Git LFS objects against theirs.
    /// Exits non-zero on any problem.
    Doctor {
        /// Also remove Git LFS objects no repository references any more, when older than an hour
        /// (safe while `hearth web` runs).
        #[arg(long)]
        gc: bool,
        #[command(flatten)]
        place: Place,
    },
    /// For sshd's `AuthorizedKeysCommand`: print the forced-command line of a hearth key
    /// (`AuthorizedKeysCommand /usr/local/bin/hearth keys -e git -u %u -t %t -k %k`); nothing for
    /// an unknown key or another system account.
    Keys {
        /// The system account git clients log in as.
        #[arg(short = 'e', long = "expected", default_value = "git")]
        expected: String,
        /// The account sshd is authenticating (%u).
        #[arg(short = 'u', long = "username")]
        user: String,
        /// The key's type (%t).
        #[arg(short = 't', long = "type")]
        key_type: String,
        /// The key's base64 blob (%k).
        #[arg(short = 'k', long = "content")]
        key: String,
        #[command(flatten)]
        place: Place,
    },
    /// The forced command `hearth keys` prints: serve the Git command in `SSH_ORIGINAL_COMMAND`
    /// for key WHO (`key-ID` or `deploy-FINGERPRINT`).
    Serv {
        who: String,
        #[command(flatten)]
        place: Place,
    },
    /// Bring another service's data into an empty hearth.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
}

#[derive(Subcommand)]
enum ImportSource {
    /// Read a `gogs backup` archive (Gogs 0.11 to 0.14): accounts with their passwords,
    /// organisations, repositories, issues, releases, webhooks, keys and access tokens; and Git
    /// LFS objects from Gogs' objects directory (--lfs-path).
    Gogs {
        /// The archive `gogs backup` wrote.
        #[arg(long)]
        file: PathBuf,
        /// Gogs' Git LFS objects directory ([lfs] OBJECTS_PATH, by default data/lfs-objects in
        /// Gogs' working directory), which `gogs backup` leaves out; without it the LFSObject rows
        /// are not imported.
        #[arg(long, value_name = "DIR")]
        lfs_path: Option<PathBuf>,
        #[command(flatten)]
        place: Place,
    },
}

/// The admin commands work whether or not a server is running on the same data.
#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user account.
    #[command(group(ArgGroup::new("secret").required(true).args(["password", "password_stdin", "random_password"])))]
    CreateUser {
        #[arg(long)]
        name: String,
        #[arg(long)]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Generate a password and print it.
        #[arg(long)]
        random_password: bool,
        #[arg(long)]
        email: String,
        /// Make the user a site administrator.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Set a user's password.
    #[command(group(ArgGroup::new("secret").required(true).args(["password", "password_stdin"])))]
    ChangePassword {
        #[arg(long)]
        name: String,
        #[arg(long)]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        place: Place,
    },
    /// List user accounts, one a line: name, e-mail, admin|user, active|inactive (tab-separated).
    ListUsers {
        #[command(flatten)]
        place: Place,
    },
    /// Delete a user account (refused while it owns repositories or belongs to organisations).
    DeleteUser {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        place: Place,
    },
    /// Create an access token for a user and print it (only the token, on standard output).
    CreateToken {
        #[arg(long)]
        name: String,
        #[arg(long)]
        token_name: String,
        /// Gitea token scopes, comma-separated (none: full access).
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
        #[command(flatten)]
        place: Place,
    },
}

/// The password flags as one choice (clap makes sure exactly one was given).
fn secret(password: Option<String>, stdin: bool) -> Secret {
    match (password, stdin) {
        (Some(p), _) => Secret::Given(p),
        (None, true) => Secret::Stdin,
        (None, false) => Secret::Random,
    }
}

/// Where the configuration and data live.
#[derive(Args)]
struct Place {
    /// Gogs-style app.ini (else the file `HEARTH_CONFIG` names, else built-in defaults).
    #[arg(long, short, env = "HEARTH_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (overrides [server] APP_DATA_PATH; default ./data).
    #[arg(long)]
    data: Option<PathBuf>,
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Web { place, port } => {
            let config = hearth_server::cli::start(place.config.as_deref(), &Overrides { data_dir: place.data, port })?;
            let listener = TcpListener::bind((config.server.http_addr.as_str(), config.server.http_port))
                .await
                .map_err(|e| anyhow::anyhow!("binding {}:{}: {e}", config.server.http_addr, config.server.http_port))?;
            // Bound before serving anything, so a busy SSH port is a clear start-up error.
            let ssh = if config.ssh.start {
                let (host, port) = (config.ssh.listen_host.as_str(), config.ssh.listen_port);
                let l = TcpListener::bind((host, port))
                    .await
                    .map_err(|e| anyhow::anyhow!("binding SSH {host}:{port}: {e}"))?;
                Some(l)
            } else {
                None
            };
            hearth_server::serve_with_ssh(config, listener, ssh, shutdown_signal()).await
        }
        Command::Admin { command } => run_admin(command).await,
        Command::Keys { expected, user, key_type, key, place } => {
            let serv = hearth_server::cli::openssh::serv_command(place.config.as_deref(), place.data.as_deref())?;
            let config = place.load()?;
            let query = hearth_server::cli::openssh::KeyQuery {
                expected_user: &expected,
                user: &user,
                key_type: &key_type,
                key: &key,
            };
            if let Some(line) = hearth_server::cli::openssh::keys(&config, &query, &serv).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Serv { who, place } => {
            let flags = Overrides { data_dir: place.data, port: None };
            let code = hearth_server::cli::openssh::serv(place.config.as_deref(), &flags, &who).await?;
            if code != 0 {
                std::process::exit(code);
            }
            Ok(())
        }
        Command::Doctor { gc, place } => {
            let config = place.load()?;
            let report = hearth_server::cli::doctor::run(&config, gc).await;
            report.print(&mut std::io::stdout().lock())?;
            match report.problems() {
                0 => Ok(()),
                n => anyhow::bail!("{n} problem(s) found"),
            }
        }
        Command::Dump { file, place } => {
            let config_file = place.config.clone();
            let config = place.load()?;
            let s = hearth_server::backup::dump(&config, config_file.as_deref(), &file, env!("HEARTH_COMMIT")).await?;
            for line in &s.lfs_missing {
                eprintln!("warning: {line}");
            }
            println!(
                "dump written to {} ({} bytes): {} rows in {} tables, {} repositories, {} gists, {} LFS objects ({} bytes)",
                file.display(),
                s.bytes,
                s.rows,
                s.tables,
                s.repositories,
                s.gists,
                s.lfs_objects,
                s.lfs_bytes
            );
            Ok(())
        }
        Command::Restore { file, place } => {
            let config = place.load()?;
            let s = hearth_server::backup::restore_archive(&config, &file).await?;
            for line in &s.lfs_absent {
                eprintln!("warning: {line}");
            }
            println!(
                "restored {} ({} from {}, {}): {} rows, {} repositories, {} gists, {} LFS objects ({} bytes)",
                file.display(),
                s.manifest.hearth_version,
                s.manifest.source_engine,
                s.manifest.commit,
                s.rows,
                s.repositories,
                s.gists,
                s.lfs_objects,
                s.lfs_bytes
            );
            if let Some(copy) = s.config_copy {
                println!("the archived config file is at {}", copy.display());
            }
            Ok(())
        }
        Command::Import { source: ImportSource::Gogs { file, lfs_path, place } } => {
            let config = place.load()?;
            let imported = hearth_server::backup::gogs::import(&config, &file, lfs_path.as_deref()).await?;
            for line in &imported.warnings {
                eprintln!("warning: {line}");
            }
            println!("{}", imported.summary());
            Ok(())
        }
    }
}

async fn run_admin(command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateUser { name, password, password_stdin, random_password: _, email, admin, place } => {
            let config = place.load()?;
            match admin::create_user(&config, &name, &email, admin, secret(password, password_stdin)).await? {
                // Only the password on standard output, for scripts.
                Some(generated) => {
                    println!("{generated}");
                    eprintln!("user {name} created");
                }
                None => println!("user {name} created"),
            }
        }
        AdminCommand::ChangePassword { name, password, password_stdin, place } => {
            admin::change_password(&place.load()?, &name, secret(password, password_stdin)).await?;
            println!("password of {name} changed");
        }
        AdminCommand::ListUsers { place } => admin::list_users(&place.load()?, &mut std::io::stdout().lock()).await?,
        AdminCommand::DeleteUser { name, place } => {
            admin::delete_user(&place.load()?, &name).await?;
            println!("user {name} deleted");
        }
        AdminCommand::CreateToken { name, token_name, scopes, place } => {
            println!("{}", admin::create_token(&place.load()?, &name, &token_name, &scopes).await?);
        }
    }
    Ok(())
}

impl Place {
    /// The configuration these flags name, with the logger installed.
    fn load(self) -> anyhow::Result<hearth_server::Config> {
        hearth_server::cli::start(self.config.as_deref(), &Overrides { data_dir: self.data, port: None })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
