//! `piecerate-collector`: the command line of the collector (serve, migrate, export, backup,
//! restore). Reads
//! flags and environment into one `Config`, then calls the library.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use analysis::format::CsvRecordWriter;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use collector::config::{Config, RateLimit};
use collector::db::Database;
use collector::db::backup::BackupError;
use piecerate_tables::RecordTableWriter;
use tracing_subscriber::filter::Targets;

/// Uploads allocate many small strings on every core at once (JSON values, record fields,
/// query arguments); with glibc's allocator that halved ingestion throughput on two cores.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What `--version` says: the workspace's version, the commit (`analysis/cli/build.rs`) and the reference
/// tables compiled in, so that a published figure can be traced to the data it used.
static LONG_VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    analysis::reference_versions::long_version(
        env!("CARGO_PKG_VERSION"),
        option_env!("PIECERATE_GIT_COMMIT"),
        option_env!("PIECERATE_GIT_COMMIT_DATE"),
    )
});

#[derive(Debug, Parser)]
#[command(
    name = "piecerate-collector",
    version,
    long_version = &**LONG_VERSION,
    about = "Collects opted-in workers' records and publishes effective hourly wages"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The encodings of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Parquet,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the dashboard.
    Serve(Box<ServeArgs>),
    /// Apply the database migrations, then exit.
    Migrate(DatabaseArgs),
    /// Write every stored record as CSV v1 (readable by `piecerate report`) or as Parquet (the
    /// same thirteen fields, typed). For operators only.
    Export {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// `csv` (record format v1) or `parquet`.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
    },
    /// Copy a SQLite database to a new file, consistently, while the collector may be serving it.
    /// PostgreSQL: use pg_dump (docs/collector.md).
    Backup {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The backup file to create; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace a SQLite database's data with a backup's (made by `backup`), after checking it.
    Restore {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The backup file to read.
        #[arg(long)]
        from: PathBuf,
        /// Replace the data of a database that already holds installs.
        #[arg(long)]
        overwrite: bool,
    },
}

#[derive(Debug, Args)]
struct DatabaseArgs {
    /// sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, env = "PIECERATE_DATABASE_URL", default_value = "sqlite://piecerate.db")]
    database_url: String,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Address and port to listen on; port 0 picks a free one.
    #[arg(long, env = "PIECERATE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Serve synthetic demonstration data from a separate database, filled on first start.
    #[arg(long)]
    demo: bool,
    /// The database used with --demo.
    #[arg(long, env = "PIECERATE_DEMO_DATABASE_URL", default_value = "sqlite://piecerate-demo.db")]
    demo_database_url: String,
    /// Cells with fewer workers are suppressed (at least 10).
    #[arg(long, env = "PIECERATE_MIN_WORKERS", default_value_t = analysis::report::MIN_PUBLISHED_WORKERS)]
    min_workers: u32,
    /// Workers with fewer counted hours in a cell are left out of it.
    #[arg(long, env = "PIECERATE_MIN_HOURS", default_value_t = analysis::report::DEFAULT_MIN_HOURS)]
    min_hours: f64,
    /// Published cells with fewer workers give their wage statistics rounded (at least 20).
    #[arg(long, env = "PIECERATE_EXACT_QUANTILES_MIN_WORKERS", default_value_t = analysis::report::MIN_EXACT_QUANTILES_WORKERS)]
    exact_quantiles_min_workers: u32,
    /// The step, in US dollars, small cells' wage statistics are rounded to.
    #[arg(long, env = "PIECERATE_SMALL_CELL_WAGE_STEP_USD", default_value_t = analysis::report::DEFAULT_SMALL_CELL_WAGE_STEP_USD)]
    small_cell_wage_step_usd: f64,
    /// Uploads per install per minute, sustained.
    #[arg(long, env = "PIECERATE_UPLOAD_RATE_PER_MINUTE", default_value_t = 60)]
    upload_rate_per_minute: u32,
    /// Uploads per install allowed at once.
    #[arg(long, env = "PIECERATE_UPLOAD_BURST", default_value_t = 60)]
    upload_burst: u32,
    /// Enrollments per source address (IPv4 address or IPv6 /64) per minute, sustained.
    #[arg(long, env = "PIECERATE_ENROLL_RATE_PER_MINUTE", default_value_t = 30)]
    enroll_rate_per_minute: u32,
    /// Enrollments per source address allowed at once.
    #[arg(long, env = "PIECERATE_ENROLL_BURST", default_value_t = 30)]
    enroll_burst: u32,
    /// Failed authentications per source address per minute, sustained (429 beyond).
    #[arg(long, env = "PIECERATE_AUTH_FAILURE_RATE_PER_MINUTE", default_value_t = 30)]
    auth_failure_rate_per_minute: u32,
    /// Failed authentications per source address allowed at once.
    #[arg(long, env = "PIECERATE_AUTH_FAILURE_BURST", default_value_t = 30)]
    auth_failure_burst: u32,
    /// How long a wage report may lag the data while it is recomputed in the background.
    #[arg(long, env = "PIECERATE_WAGES_MAX_STALENESS_SECONDS", default_value_t = 10)]
    wages_max_staleness_seconds: u64,
    #[arg(long, env = "PIECERATE_DATABASE_MAX_CONNECTIONS", default_value_t = 16)]
    database_max_connections: u32,
    /// How many synthetic workers fill an empty demo database.
    #[arg(long, env = "PIECERATE_DEMO_WORKERS", default_value_t = collector::demo::DEMO_WORKERS)]
    demo_workers: u64,
    /// The longest a request may take, body included (408 after that).
    #[arg(long, env = "PIECERATE_REQUEST_TIMEOUT_SECONDS", default_value_t = 30)]
    request_timeout_seconds: u64,
    /// A connection that sends no whole request head this long after it opened or after its
    /// last answer (idle keep-alive) is closed.
    #[arg(long, env = "PIECERATE_HEADER_READ_TIMEOUT_SECONDS", default_value_t = 10)]
    header_read_timeout_seconds: u64,
    /// The most connections open at once; more are closed as soon as they are accepted.
    #[arg(long, env = "PIECERATE_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// The most distinct countries one install's records may span; a batch beyond is refused
    /// with 422.
    #[arg(long, env = "PIECERATE_MAX_COUNTRIES_PER_INSTALL", default_value_t = collector::config::DEFAULT_MAX_COUNTRIES_PER_INSTALL)]
    max_countries_per_install: usize,
    /// The most platform × country × month cells one install's records may span; a batch
    /// beyond is refused with 422.
    #[arg(long, env = "PIECERATE_MAX_CELLS_PER_INSTALL", default_value_t = collector::config::DEFAULT_MAX_CELLS_PER_INSTALL)]
    max_cells_per_install: usize,
    /// An install counts in published figures only once it has uploaded on this many distinct
    /// days (UTC, by the server's clock).
    #[arg(long, env = "PIECERATE_ELIGIBLE_AFTER_DAYS", default_value_t = collector::config::DEFAULT_ELIGIBLE_AFTER_DAYS)]
    eligible_after_days: u32,
    /// Leading zero bits of SHA-256 the proof of work of an enrollment asks for (0 to 32; each
    /// bit doubles the work; the default takes a browser about a second).
    #[arg(long, env = "PIECERATE_ENROLL_DIFFICULTY_BITS", default_value_t = collector::proof_of_work::DEFAULT_DIFFICULTY_BITS)]
    enroll_difficulty_bits: u32,
    /// Who runs this collector and how to reach them (name, email or postal address), as the
    /// privacy page at /privacy names them; one line.
    #[arg(long, env = "PIECERATE_OPERATOR_CONTACT")]
    operator_contact: Option<String>,
    /// How often a citable snapshot of the published figures is taken: daily, weekly, or a
    /// number of days such as 3d (UTC days of the server's clock).
    #[arg(long, env = "PIECERATE_SNAPSHOT_INTERVAL", default_value = "daily",
        value_parser = collector::config::parse_snapshot_interval)]
    snapshot_interval: u32,
    /// The browser that prints the brief as PDF at /brief.pdf (Chromium, Google Chrome or
    /// Microsoft Edge); without it /brief.pdf answers 503 and /brief still serves the HTML.
    #[arg(long, env = "PIECERATE_BROWSER", value_name = "PATH")]
    browser: Option<PathBuf>,
}

impl ServeArgs {
    fn config(self) -> Config {
        let database_url = if self.demo { self.demo_database_url } else { self.database.database_url };
        Config {
            listen: self.listen,
            demo: self.demo,
            min_workers: self.min_workers,
            min_hours: self.min_hours,
            exact_quantiles_min_workers: self.exact_quantiles_min_workers,
            small_cell_wage_step_usd: self.small_cell_wage_step_usd,
            upload_rate: RateLimit { per_minute: self.upload_rate_per_minute, burst: self.upload_burst },
            enroll_rate: RateLimit { per_minute: self.enroll_rate_per_minute, burst: self.enroll_burst },
            auth_failure_rate: RateLimit {
                per_minute: self.auth_failure_rate_per_minute,
                burst: self.auth_failure_burst,
            },
            wages_max_staleness: Duration::from_secs(self.wages_max_staleness_seconds),
            database_max_connections: self.database_max_connections,
            demo_workers: self.demo_workers,
            request_timeout: Duration::from_secs(self.request_timeout_seconds),
            header_read_timeout: Duration::from_secs(self.header_read_timeout_seconds),
            max_connections: self.max_connections,
            max_countries_per_install: self.max_countries_per_install,
            eligible_after_days: self.eligible_after_days,
            max_cells_per_install: self.max_cells_per_install,
            enroll_difficulty_bits: self.enroll_difficulty_bits,
            operator_contact: self.operator_contact,
            snapshot_interval_days: self.snapshot_interval,
            browser: self.browser,
            ..Config::new(database_url)
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let filter: Targets = std::env::var("PIECERATE_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".to_owned())
        .parse()
        .context("reading PIECERATE_LOG (e.g. info or collector=debug,sqlx=warn)")?;
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .finish();
    tracing::subscriber::set_global_default(tracing_subscriber::layer::SubscriberExt::with(
        subscriber, filter,
    ))
    .context("installing the log subscriber")?;
    match Cli::parse().command {
        Command::Serve(args) => serve((*args).config()).await,
        Command::Migrate(args) => {
            let database =
                Database::connect(&args.database_url, 2).await.context("connecting to the database")?;
            database.migrate().await.context("applying migrations")?;
            tracing::info!(backend = database.backend_name(), "migrations applied");
            database.close().await;
            Ok(())
        }
        Command::Export { database, out, format } => export(&database.database_url, &out, format).await,
        Command::Backup { database, to } => backup(&database.database_url, &to).await,
        Command::Restore { database, from, overwrite } => {
            restore(&database.database_url, &from, overwrite).await
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let demo = config.demo;
    let running = collector::start(config).await.context("starting the collector")?;
    tracing::info!(address = %running.address, demo, backend = running.database.backend_name(), "listening");
    // The line tests and scripts wait for; it names only the collector's own address. One
    // write of the whole line: `eprintln!` writes the address in pieces, and a reader polling
    // the pipe or log between two of them saw `http://127` as the address.
    let line = format!("piecerate-collector listening on http://{}\n", running.address);
    std::io::stderr().write_all(line.as_bytes()).context("writing the listening line")?;
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    running.shut_down().await.context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

async fn backup(database_url: &str, to: &Path) -> anyhow::Result<()> {
    if collector::db::is_postgres_url(database_url) {
        return Err(BackupError::Postgres.into());
    }
    let database =
        Database::connect_existing(database_url, 2).await.context("opening the database to back up")?;
    let backed_up = database.backup_to(to).await;
    database.close().await;
    let summary = backed_up.with_context(|| format!("backing up to {}", to.display()))?;
    tracing::info!(
        file = %to.display(),
        schema_version = summary.schema_version,
        installs = summary.installs,
        records = summary.records,
        data_version = summary.data_version,
        "backed up"
    );
    Ok(())
}

async fn restore(database_url: &str, from: &Path, overwrite: bool) -> anyhow::Result<()> {
    if collector::db::is_postgres_url(database_url) {
        return Err(BackupError::Postgres.into());
    }
    // The backup is checked before the target is created or touched.
    let backup = collector::db::backup::check_backup(from)
        .await
        .with_context(|| format!("reading {}", from.display()))?;
    let database = Database::connect(database_url, 2).await.context("connecting to the database")?;
    database.migrate().await.context("applying migrations")?;
    let restored = database.restore_from(&backup, overwrite).await;
    database.close().await;
    let summary = restored.with_context(|| format!("restoring {}", from.display()))?;
    tracing::info!(
        file = %from.display(),
        installs = summary.installs,
        records = summary.records,
        data_version = summary.data_version,
        "restored"
    );
    Ok(())
}

async fn export(database_url: &str, out: &PathBuf, format: ExportFormat) -> anyhow::Result<()> {
    let file = File::create(out).with_context(|| format!("creating {}", out.display()))?;
    // Parquet is binary: written to a terminal (`--out /dev/tty`) it would only garble it.
    if format == ExportFormat::Parquet && file.is_terminal() {
        anyhow::bail!(
            "--format parquet writes a binary file, and {} is a terminal: give --out a file",
            out.display()
        );
    }
    let database = Database::connect(database_url, 2).await.context("connecting to the database")?;
    database.migrate().await.context("applying migrations")?;
    let writing = || format!("writing {}", out.display());
    let mut count = 0u64;
    match format {
        ExportFormat::Csv => {
            let mut writer = CsvRecordWriter::new(BufWriter::new(file)).with_context(writing)?;
            database
                .for_each_record(|record| -> anyhow::Result<()> {
                    writer.write(&record).with_context(writing)?;
                    count += 1;
                    Ok(())
                })
                .await?;
            writer.finish().and_then(|mut w| w.flush()).with_context(writing)?;
        }
        ExportFormat::Parquet => {
            let metadata = vec![("piecerate.schema".to_owned(), "piecerate.records/1".to_owned())];
            let mut writer = RecordTableWriter::new(BufWriter::new(file), metadata).with_context(writing)?;
            database
                .for_each_record(|record| -> anyhow::Result<()> {
                    writer.write(&record).with_context(writing)?;
                    count += 1;
                    Ok(())
                })
                .await?;
            let mut file = writer.finish().with_context(writing)?;
            file.flush().with_context(writing)?;
        }
    }
    database.close().await;
    tracing::info!(records = count, file = %out.display(), "exported");
    Ok(())
}
