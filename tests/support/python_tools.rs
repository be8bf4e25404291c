//! The Python tools of `scripts/install-deps` (a venv pinned by `scripts/python-requirements.txt`:
//! DuckDB, the OpenAPI validators), for the Rust tests that hand a file to an independent reader.
//! Included by path from the CLI's and the collector's test crates, which share no crate.

use std::path::PathBuf;
use std::process::Command;

/// The venv's Python if it can `import module`, or `None` (and the test says it skips `what`)
/// where it cannot and is not required; the project's test script requires it
/// (`PIECERATE_REQUIRE_PYTHON_TOOLS=1`).
pub(crate) fn python_with(module: &str, what: &str) -> Option<PathBuf> {
    let directory = match std::env::var_os("PIECERATE_PYTHON_TOOLS") {
        Some(directory) => PathBuf::from(directory),
        None => {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
            cache.join("piecerate/python")
        }
    };
    let python = directory.join("bin/python");
    let import = format!("import {module}");
    if Command::new(&python).args(["-c", &import]).status().is_ok_and(|status| status.success()) {
        return Some(python);
    }
    let required = std::env::var("PIECERATE_REQUIRE_PYTHON_TOOLS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "PIECERATE_REQUIRE_PYTHON_TOOLS=1 but {} has no {module}; run scripts/install-deps",
        python.display()
    );
    eprintln!("skipping {what}: {} has no {module} (scripts/install-deps installs it)", python.display());
    None
}
