//! `piecerate simulate`: deterministic, synthetic, well-formed.

use analysis::read_records;

use crate::common::{path_str, piecerate};

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    for (name, seed, format) in
        [("a.csv", "5", "csv"), ("b.csv", "5", "csv"), ("c.csv", "6", "csv"), ("d.jsonl", "5", "jsonl")]
    {
        piecerate(&[
            "simulate",
            "--workers",
            "25",
            "--seed",
            seed,
            "--out",
            path_str(&path(name)),
            "--format",
            format,
        ])
        .ok();
    }
    let read = |name: &str| std::fs::read(path(name)).unwrap();
    assert_eq!(read("a.csv"), read("b.csv"));
    assert_ne!(read("a.csv"), read("c.csv"));
    let from_csv: Vec<_> =
        read_records(std::io::Cursor::new(read("a.csv"))).unwrap().map(Result::unwrap).collect();
    let from_jsonl: Vec<_> =
        read_records(std::io::Cursor::new(read("d.jsonl"))).unwrap().map(Result::unwrap).collect();
    assert_eq!(from_csv, from_jsonl);
    assert!(from_csv.len() > 25);
    assert!(from_csv.iter().all(|r| r.install_id().as_str().starts_with("sim-")));
    assert!(!path("a.csv.partial").exists());
}

#[test]
fn bad_arguments_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    assert_eq!(piecerate(&["simulate", "--workers", "0", "--seed", "1", "--out", path_str(&out)]).status, 2);
    assert_eq!(piecerate(&["simulate", "--workers", "5", "--seed", "-1", "--out", path_str(&out)]).status, 2);
    assert_eq!(piecerate(&["simulate", "--workers", "5", "--seed", "1"]).status, 2);
    let unwritable = dir.path().join("no-such-dir").join("x.csv");
    let run = piecerate(&["simulate", "--workers", "5", "--seed", "1", "--out", path_str(&unwritable)]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("cannot create output file"), "{}", run.stderr);
}
