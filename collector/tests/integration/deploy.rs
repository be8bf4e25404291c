//! The service files of `collector/deploy/`: systemd reads them without a warning and rates the
//! collector's hardening as at least "OK", and the example environment file names only settings
//! the collector has.

use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

const UNITS: [&str; 3] =
    ["piecerate-collector.service", "piecerate-collector-backup.service", "piecerate-collector-backup.timer"];

#[test]
fn systemd_reads_the_units_without_a_warning_and_rates_them_hardened() {
    if Command::new("systemd-analyze").arg("--version").output().is_err() {
        eprintln!("skipped: systemd-analyze is not installed, so the unit files cannot be verified here");
        return;
    }
    // The units name the installed binary; verify checks that it exists, so point them at this one.
    let directory = tempfile::tempdir().expect("temporary directory");
    for unit in UNITS {
        let text = std::fs::read_to_string(deploy().join(unit)).expect("reading the unit");
        let text =
            text.replace("/usr/local/bin/piecerate-collector", env!("CARGO_BIN_EXE_piecerate-collector"));
        std::fs::write(directory.path().join(unit), text).expect("writing the unit");
    }
    let verified = Command::new("systemd-analyze")
        .arg("verify")
        .args(UNITS.map(|unit| format!("./{unit}")))
        .current_dir(directory.path())
        .output()
        .expect("running systemd-analyze verify");
    let complaints = String::from_utf8_lossy(&verified.stderr);
    assert!(
        verified.status.success() && complaints.trim().is_empty(),
        "systemd-analyze verify: {complaints}"
    );

    for (unit, highest) in [("piecerate-collector.service", 2.0), ("piecerate-collector-backup.service", 1.0)]
    {
        let rated = Command::new("systemd-analyze")
            .args(["security", "--offline=true", &format!("./{unit}")])
            .current_dir(directory.path())
            .output()
            .expect("running systemd-analyze security");
        let text = String::from_utf8_lossy(&rated.stdout);
        let line = text.lines().find(|line| line.contains("Overall exposure level")).unwrap_or_else(|| {
            panic!("{unit}: no exposure level in {text}{}", String::from_utf8_lossy(&rated.stderr))
        });
        let exposure: f64 = line
            .split(": ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("{unit}: {line}"));
        assert!(exposure <= highest, "{unit}: exposure {exposure} above {highest}: {line}");
    }
}

#[test]
fn the_example_environment_names_only_settings_the_collector_has() {
    let help = Command::new(env!("CARGO_BIN_EXE_piecerate-collector"))
        .args(["serve", "--help"])
        .output()
        .expect("running serve --help");
    let help = String::from_utf8(help.stdout).expect("UTF-8");
    let example =
        std::fs::read_to_string(deploy().join("collector.env.example")).expect("reading the example");
    let mut names = 0;
    for line in example.lines() {
        let setting = line.trim_start_matches("# ");
        let Some((name, _)) = setting.split_once('=') else { continue };
        if !name.starts_with("PIECERATE_") || name.contains(' ') {
            continue;
        }
        names += 1;
        assert!(
            name == "PIECERATE_LOG" || help.contains(&format!("[env: {name}=")),
            "collector.env.example sets {name}, which `piecerate-collector serve` does not read"
        );
    }
    assert!(names >= 10, "{names} settings found");
}
