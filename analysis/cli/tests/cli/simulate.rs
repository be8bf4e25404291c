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

#[test]
fn a_named_pipe_as_output_is_written_in_place_not_replaced() {
    // `--out /dev/stdout` and `--out` a named pipe must write into the pipe; renaming a finished
    // temporary file over the path would replace the pipe (or, as root, /dev/stdout) with a file.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("records.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let run = piecerate(&["simulate", "--workers", "5", "--seed", "3", "--out", path_str(&fifo)]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(),
        "the pipe was replaced by a file"
    );
    let through_pipe = reader.join().unwrap();
    let to_file = dir.path().join("records.csv");
    piecerate(&["simulate", "--workers", "5", "--seed", "3", "--out", path_str(&to_file)]).ok();
    assert_eq!(through_pipe, std::fs::read(&to_file).unwrap());
    assert!(!dir.path().join("records.fifo.partial").exists());
}
