//! Reports over several inputs that cannot double count or split workers (issue 11): a record
//! read twice counts once, and imports pseudonymised with different salts are called out.

use std::path::Path;

use crate::common::{TEST_SALT, fixture, path_str, piecerate};

fn import(files: &[&str], out: &Path, salt: Option<&str>) {
    let paths: Vec<String> =
        files.iter().map(|f| path_str(&fixture(&format!("mturk-batch/{f}"))).to_owned()).collect();
    let mut args: Vec<&str> = vec!["import", "mturk-batch"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["--out", path_str(out)]);
    if let Some(salt) = salt {
        args.extend(["--salt", salt]);
    }
    piecerate(&args).ok();
}

fn json_report(inputs: &[&Path], extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["report", "--input"];
    args.extend(inputs.iter().map(|path| path_str(path)));
    args.extend(["--min-workers", "1", "--min-hours", "0", "--format", "json"]);
    args.extend_from_slice(extra);
    piecerate(&args)
}

fn number(json: &str, key: &str) -> f64 {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["cells"][0][key].as_f64().unwrap_or_else(|| panic!("{key} in {json}"))
}

#[test]
fn the_same_records_given_twice_count_once() {
    // Issue 11: `report --input a.csv a.csv` gave n_tasks 1956 instead of 978 (on the full LCP
    // 2021 files; 40 here on their excerpts).
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    import(&["lcp2021-europarl-results-excerpt.csv", "lcp2021-bibile-rejections.csv"], &a, Some(TEST_SALT));
    let once = json_report(&[&a], &[]).ok();
    assert_eq!(number(&once, "n_tasks"), 40.0);
    let twice = json_report(&[&a, &a], &[]);
    assert_eq!(twice.status, 0, "{}", twice.stderr);
    assert_eq!(number(&twice.stdout, "n_tasks"), 40.0, "{}", twice.stdout);
    assert_eq!(number(&twice.stdout, "mean_hourly_usd"), number(&once, "mean_hourly_usd"));
    assert!(
        twice.stdout.contains("40 records whose record_id had already been read were left out"),
        "{}",
        twice.stdout
    );
    assert!(
        twice.stderr.contains("40 records already read (same record_id) counted once"),
        "{}",
        twice.stderr
    );
    let table = piecerate(&["report", "--input", path_str(&a), path_str(&a), "--min-workers", "1"]).ok();
    assert!(table.contains("40 records whose record_id had already been read were left out"), "{table}");

    // A re-import with the same salt repeats every record id: counted once too.
    let again = dir.path().join("again.csv");
    import(&["lcp2021-bibile-rejections.csv"], &again, Some(TEST_SALT));
    assert_eq!(number(&json_report(&[&a, &again], &[]).ok(), "n_tasks"), 40.0);

    let strict = json_report(&[&a, &a], &["--strict"]);
    assert_eq!(strict.status, 1);
    let name = path_str(&a);
    assert!(strict.stderr.contains(&format!("{name}:2: record_id ")), "{}", strict.stderr);
    assert!(strict.stderr.contains(&format!("was already read from {name}")), "{}", strict.stderr);
    assert!(strict.stdout.is_empty());
}

#[test]
fn imports_with_different_salts_are_called_out_and_one_run_keeps_workers_whole() {
    // Issue 11: two batches imported in separate runs split three workers into six (n_workers 20
    // instead of 17 on the full files, mean $1.55 instead of $1.68), silently.
    let dir = tempfile::tempdir().unwrap();
    let v1 = "nets213-wedding-photos-v1-shared-excerpt.csv";
    let v2 = "nets213-wedding-photos-v2-shared-excerpt.csv";
    let (first, second, together) =
        (dir.path().join("v1.csv"), dir.path().join("v2.csv"), dir.path().join("both.csv"));
    import(&[v1], &first, None);
    import(&[v2], &second, None);
    import(&[v1, v2], &together, None);
    let whole = json_report(&[&together], &[]).ok();
    assert_eq!(number(&whole, "n_workers"), 3.0);
    assert!(!whole.contains("different salts"), "{whole}");

    let split = json_report(&[&first, &second], &[]);
    assert_eq!(split.status, 0, "{}", split.stderr);
    assert_eq!(number(&split.stdout, "n_workers"), 6.0, "the figures are still those of six");
    assert!(
        split.stdout.contains(
            "Warning: the requester imports in this report were pseudonymised with 2 different salts"
        ),
        "{}",
        split.stdout
    );
    assert!(split.stderr.contains("warning: the requester imports"), "{}", split.stderr);
    assert!(split.stderr.contains(path_str(&first)) && split.stderr.contains(path_str(&second)));
    for format in ["table", "markdown"] {
        let run = piecerate(&[
            "report",
            "--input",
            path_str(&first),
            path_str(&second),
            "--min-workers",
            "1",
            "--format",
            format,
        ]);
        assert!(run.ok().contains("different salts"), "{format}");
    }
    let strict = json_report(&[&first, &second], &["--strict"]);
    assert_eq!(strict.status, 1);
    assert!(strict.stderr.contains("--strict refuses a report that mixes import salts"), "{}", strict.stderr);

    // One --salt across separate runs keeps them whole too.
    import(&[v1], &first, Some(TEST_SALT));
    import(&[v2], &second, Some(TEST_SALT));
    let same_salt = json_report(&[&first, &second], &[]).ok();
    assert_eq!(number(&same_salt, "n_workers"), 3.0);
    assert_eq!(number(&same_salt, "mean_hourly_usd"), number(&whole, "mean_hourly_usd"));
}
