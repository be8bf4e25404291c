//! Writes `reference_tables.bin`, the exchange rates and minimum wages as this build encoded
//! them, to standard output. The browser extension's build ships it beside the wasm module,
//! which is built without them and checks the file against the SHA-256 it was built with
//! (`analysis::provide_tables`).

use std::io::Write;

fn main() -> std::io::Result<()> {
    std::io::stdout().lock().write_all(analysis::LARGE_TABLES_FILE)
}
