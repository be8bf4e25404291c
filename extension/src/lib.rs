//! piecerate's browser extension: it times a worker's tasks on the supported platforms (and
//! any other platform by hand), turns them into records of format v1, shows the worker their
//! real hourly wage, and uploads anonymized records only if the worker opts in.
//!
//! Everything here but the `web` module is plain Rust, tested natively: the adapter tables
//! and their extraction rules, the time-accounting state machine, the record store's layout,
//! the dashboard and the upload protocol. The `web` module (wasm32 only) is the thin shell that
//! connects them to the browser's APIs.

pub mod adapters;
pub mod dashboard;
pub mod evidence;
pub mod json;
pub mod messages;
pub mod pay;
pub mod records;
pub mod requesters;
pub mod settings;
pub mod sorted_map;
pub mod sorting;
pub mod store;
pub mod stretches;
pub mod text;
pub mod tracker;
pub mod upload;
pub mod url;
pub mod view;

#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
