//! The collector's integration tests, one binary (built once): each test starts the real
//! collector on port 0 with a fresh database, on SQLite and, when `PIECERATE_TEST_POSTGRES_URL`
//! is set, on PostgreSQL too, and talks HTTP to it.

mod api_description;
mod backup;
mod bad_input;
mod brief;
mod concurrency;
mod crash;
mod dashboard;
mod deploy;
mod disclosure;
mod erasure;
mod export;
mod floods;
mod flow;
mod migration_path;
mod platform_registry;
mod plausibility;
mod privacy;
#[path = "../../../tests/support/python_tools.rs"]
mod python_tools;
mod schema;
mod snapshots;
mod support;
mod surface;
mod sybils;
mod version;
