//! `piecerate-collector --version`: the workspace's version, the commit and the reference
//! tables, the same text as `piecerate --version` after the name.

use std::process::Command;

fn git(arguments: &[&str]) -> Option<String> {
    let output =
        Command::new("git").arg("-C").arg(env!("CARGO_MANIFEST_DIR")).args(arguments).output().ok()?;
    output.status.success().then(|| String::from_utf8(output.stdout).expect("UTF-8").trim().to_owned())
}

#[test]
fn version_names_the_commit_and_the_reference_tables() {
    let output = Command::new(env!("CARGO_BIN_EXE_piecerate-collector"))
        .arg("--version")
        .output()
        .expect("running the collector");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let commit = git(&["rev-parse", "HEAD"]);
    let date = git(&["log", "-1", "--format=%cs"]);
    let expected = analysis::reference_versions::long_version(
        env!("CARGO_PKG_VERSION"),
        commit.as_deref(),
        date.as_deref(),
    );
    assert_eq!(text, format!("piecerate-collector {expected}\n"));
    assert!(text.contains("minimum wages (minimum_wages.csv): "), "{text}");
}
