//! The `hearth` binary: command-line parsing only; the work happens in `hearth-server`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use hearth_server::{Config, Overrides};
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
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user account (works whether or not a server is running on the data directory).
    CreateUser {
        #[arg(long)]
        name: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        email: String,
        /// Make the user a site administrator.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        place: Place,
    },
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
            let config = Config::load(place.config.as_deref(), &Overrides { data_dir: place.data, port })?;
            hearth_server::logging::init(&config.log)?;
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
        Command::Admin { command: AdminCommand::CreateUser { name, password, email, admin, place } } => {
            let config = Config::load(place.config.as_deref(), &Overrides { data_dir: place.data, port: None })?;
            hearth_server::logging::init(&config.log)?;
            hearth_server::cli::create_user(&config, &name, &password, &email, admin).await?;
            println!("user {name} created");
            Ok(())
        }
        Command::Dump { file, place } => {
            let config = Config::load(place.config.as_deref(), &Overrides { data_dir: place.data, port: None })?;
            hearth_server::logging::init(&config.log)?;
            let s = hearth_server::backup::dump(&config, place.config.as_deref(), &file, env!("HEARTH_COMMIT")).await?;
            println!(
                "dump written to {} ({} bytes): {} rows in {} tables, {} repositories, {} gists",
                file.display(),
                s.bytes,
                s.rows,
                s.tables,
                s.repositories,
                s.gists
            );
            Ok(())
        }
        Command::Restore { file, place } => {
            let config = Config::load(place.config.as_deref(), &Overrides { data_dir: place.data, port: None })?;
            hearth_server::logging::init(&config.log)?;
            let s = hearth_server::backup::restore_archive(&config, &file).await?;
            println!(
                "restored {} ({} from {}, {}): {} rows, {} repositories, {} gists",
                file.display(),
                s.manifest.hearth_version,
                s.manifest.source_engine,
                s.manifest.commit,
                s.rows,
                s.repositories,
                s.gists
            );
            if let Some(copy) = s.config_copy {
                println!("the archived config file is at {}", copy.display());
            }
            Ok(())
        }
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
