//! `piecerate --version`: the workspace's one version, the commit the binary was built from and
//! the reference tables it carries, so that a published report can be traced to all three.

use std::path::Path;
use std::process::Command;

use crate::common::piecerate;

/// The version in the workspace's `Cargo.toml` (`[workspace.package]`), read as text.
fn workspace_version() -> String {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml"))
        .expect("reading the workspace's Cargo.toml");
    let package = manifest.split("[workspace.package]").nth(1).expect("a [workspace.package] table");
    let line = package.lines().find(|line| line.starts_with("version = ")).expect("a version");
    line.trim_start_matches("version = ").trim_matches('"').to_owned()
}

/// What git says of the checkout the test runs in, if it is one.
fn git(arguments: &[&str]) -> Option<String> {
    let output =
        Command::new("git").arg("-C").arg(env!("CARGO_MANIFEST_DIR")).args(arguments).output().ok()?;
    output.status.success().then(|| String::from_utf8(output.stdout).expect("UTF-8").trim().to_owned())
}

#[test]
fn version_names_the_workspace_version_the_commit_and_every_reference_table() {
    let text = piecerate(&["--version"]).ok();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("piecerate {}", workspace_version()), "{text}");
    match (git(&["rev-parse", "HEAD"]), git(&["log", "-1", "--format=%cs"])) {
        (Some(commit), Some(date)) => assert_eq!(lines[1], format!("commit: {commit} ({date})"), "{text}"),
        _ => assert_eq!(lines[1], "commit: unknown (not built from a git checkout)", "{text}"),
    }
    assert_eq!(lines[2], "reference tables:");
    for (line, file) in lines[3..].iter().zip([
        "minimum_wages.csv",
        "usd_exchange_rates.csv",
        "ppp_factors.csv",
        "countries.csv",
        "currencies.csv",
    ]) {
        assert!(line.contains(&format!("({file}): ")) && line.contains(", sha256 "), "{line}");
    }
    assert_eq!(lines.len(), 8, "{text}");
}

#[test]
fn short_version_is_the_name_and_number_only() {
    assert_eq!(piecerate(&["-V"]).ok(), format!("piecerate {}\n", workspace_version()));
}
