//! Helpers shared by the CLI tests: run the real `piecerate` binary, find fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of `piecerate` did.
#[derive(Debug)]
pub(crate) struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns standard output.
    pub(crate) fn ok(self) -> String {
        assert_eq!(self.status, 0, "piecerate failed:\n{}", self.stderr);
        self.stdout
    }
}

/// Runs `piecerate` with `args`. Reports made by the tests record one fixed generation time
/// (SOURCE_DATE_EPOCH), so that runs can be compared byte for byte.
pub(crate) fn piecerate<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1769860800")
        .output()
        .expect("runs piecerate");
    Run {
        status: output.status.code().expect("exited normally"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 errors"),
    }
}

/// A JSON report without its provenance, which names the inputs: for comparing the figures of
/// reports made from different files.
pub(crate) fn figures(json: &str) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("the report is JSON");
    value.as_object_mut().expect("an object").remove("provenance").expect("the report has its provenance");
    value
}

/// A file under the repository's `tests/fixtures/`.
pub(crate) fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(relative)
}

pub(crate) fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// The salt the import tests use, so that pseudonyms are predictable.
pub(crate) const TEST_SALT: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

pub(crate) fn salt_bytes() -> Vec<u8> {
    (0..TEST_SALT.len()).step_by(2).map(|i| u8::from_str_radix(&TEST_SALT[i..i + 2], 16).unwrap()).collect()
}
