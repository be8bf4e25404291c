//! The demonstration database: filled once with `piecerate simulate` data through the same
//! storage path as real uploads, so a newcomer sees the observatory working in one command.

use analysis::Record;
use analysis::simulate::{Simulation, SimulationOptions};

use crate::db::{BatchRules, Database, DbError, StoreError};
use crate::ingest::ParsedBatch;

/// Enough synthetic workers that most platform and country cells pass suppression.
pub const DEMO_WORKERS: u64 = 1500;
/// The seed of the demo, fixed so every demo shows the same figures.
const DEMO_SEED: u64 = 2024;
const RECORDS_PER_BATCH: usize = 1000;

/// Fills an empty demo database; does nothing when it was filled before. A fill that was
/// interrupted (the demo stopped during its first start) is reported, not silently shown.
pub(crate) async fn fill_once(database: &Database, workers: u64) -> Result<u64, FillError> {
    if database.meta("demo_filled").await?.is_some() {
        return Ok(0);
    }
    if database.install_count().await? > 0 {
        return Err(FillError::HalfFilled);
    }
    let mut stored = 0;
    let mut current: Option<(crate::db::Install, Vec<Record>)> = None;
    for record in Simulation::new(SimulationOptions { workers, seed: DEMO_SEED }) {
        let record = record.coarsened();
        let same_worker =
            current.as_ref().is_some_and(|(install, _)| install.public_id == *record.install_id());
        if !same_worker {
            if let Some((install, records)) = current.take() {
                stored += store(database, &install, records).await?;
            }
            let install = database.create_install(record.install_id(), None, None).await?;
            current = Some((install, Vec::new()));
        }
        current.as_mut().expect("set above").1.push(record);
    }
    if let Some((install, records)) = current {
        stored += store(database, &install, records).await?;
    }
    database.meta_set_once("demo_filled", &workers.to_string()).await?;
    Ok(stored)
}

/// Why the demo database could not be filled.
#[derive(Debug, thiserror::Error)]
pub enum FillError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(
        "the demo database was left half-filled by an interrupted first start; delete it and start again"
    )]
    HalfFilled,
}

async fn store(
    database: &Database,
    install: &crate::db::Install,
    records: Vec<Record>,
) -> Result<u64, DbError> {
    let mut stored = 0;
    for chunk in records.chunks(RECORDS_PER_BATCH) {
        let batch =
            ParsedBatch { records: chunk.iter().cloned().enumerate().collect(), repeated_in_batch: 0 };
        // Synthetic workers live in one country each; no limit is needed, and none is applied.
        // Their installs count as having uploaded on many days already (`create_install`).
        let rules =
            BatchRules { max_countries: usize::MAX, max_cells: usize::MAX, eligible_after_days: 1, today: 0 };
        match database.store_batch(install, &batch, &rules).await {
            Ok(counts) => stored += counts.accepted,
            Err(StoreError::Db(error)) => return Err(error),
            Err(other) => return Err(DbError::CorruptRow(format!("simulated records refused: {other}"))),
        }
    }
    Ok(stored)
}
