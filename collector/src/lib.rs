//! piecerate's collector: enrolls anonymous installs, stores the records they upload (all of a
//! batch or none), and publishes effective hourly wages per platform and country, computed by
//! the `analysis` library, as JSON, CSV and a dashboard. `docs/collector.md` is the guide.

// Every `pub` item is part of what the binary, the tests and the benchmark use; the rest says
// `pub(crate)` or less, so a dead item is found by the compiler.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
mod error;
mod http;
pub mod ingest;
mod metrics;
pub mod proof_of_work;
mod rate_limit;
mod serve;
mod snapshot_decisions;
pub mod snapshots;
mod wages;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::db::{Database, DbError};

/// The value of `collector_meta.dataset` for each kind of database.
const DATASET_DEMO: &str = "synthetic-demo";
const DATASET_WORKERS: &str = "workers";

/// Why the collector could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid configuration: {0}")]
    Config(#[from] config::ConfigError),
    #[error("database: {0}")]
    Database(#[from] DbError),
    #[error(
        "this database holds {found} data but the collector was started for {wanted} data; use a separate database for the demo"
    )]
    WrongDataset { found: String, wanted: &'static str },
    #[error("demo: {0}")]
    Demo(#[from] demo::FillError),
    #[error("listening on {address}: {source}")]
    Listen { address: SocketAddr, source: std::io::Error },
}

/// Connects, migrates, and checks the database holds the kind of data this run expects (a demo
/// never writes into workers' data, and real uploads never mix with synthetic ones).
async fn open_database(config: &Config) -> Result<Database, StartError> {
    config.validate()?;
    let database = Database::connect(&config.database_url, config.database_max_connections).await?;
    database.migrate().await?;
    let wanted = if config.demo { DATASET_DEMO } else { DATASET_WORKERS };
    let found = database.meta_set_once("dataset", wanted).await?;
    if found != wanted {
        return Err(StartError::WrongDataset { found, wanted });
    }
    if config.demo {
        let stored = demo::fill_once(&database, config.demo_workers).await?;
        if stored > 0 {
            tracing::info!(records = stored, "filled the demo database with synthetic records");
        }
    }
    Ok(database)
}

/// A collector serving in the background.
#[derive(Debug)]
pub struct RunningCollector {
    pub address: SocketAddr,
    pub database: Database,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    /// Publishes the snapshots; aborted at shutdown (a snapshot cut off is rolled back whole).
    snapshots: JoinHandle<()>,
}

impl RunningCollector {
    /// Stops accepting connections, lets in-flight requests finish (so every batch that is
    /// being committed is committed and answered), then closes the database.
    pub async fn shut_down(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        self.snapshots.abort();
        let _ = self.snapshots.await;
        let result = self.task.await.unwrap_or_else(|error| Err(std::io::Error::other(error)));
        self.database.close().await;
        result
    }
}

/// Opens the database and serves on `config.listen` (port 0 picks a free port).
pub async fn start(config: Config) -> Result<RunningCollector, StartError> {
    let database = open_database(&config).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Listen { address: config.listen, source })?;
    let address =
        listener.local_addr().map_err(|source| StartError::Listen { address: config.listen, source })?;
    let limits = serve::ConnectionLimits {
        header_read_timeout: config.header_read_timeout,
        max_connections: config.max_connections,
    };
    let challenges = proof_of_work::ChallengeKey::load(&database).await?;
    let snapshot_rules = snapshots::SnapshotRules {
        publishing: http::publishing_rules(&config),
        interval_days: config.snapshot_interval_days,
    };
    // The demo's first snapshot exists before its first page is served; a collector for
    // workers takes its own in the background, so that a large database does not delay start.
    if config.demo {
        snapshots::publish_if_due(&database, &snapshot_rules, &config.clock).await?;
    }
    let snapshots = tokio::spawn(snapshots::run(
        database.clone(),
        snapshot_rules,
        config.clock.clone(),
        config.snapshot_check_period,
    ));
    let state = Arc::new(http::AppState::new(config, database.clone(), challenges));
    let (shutdown, shutdown_signal) = oneshot::channel::<()>();
    let app = http::router(state);
    let task = tokio::spawn(serve::serve(listener, app, limits, async move {
        let _ = shutdown_signal.await;
    }));
    Ok(RunningCollector { address, database, shutdown, task, snapshots })
}
