//! `piecerate verify-evidence` on an export as the extension writes it, an edited one, a
//! truncated one, and malformed or oversized files.

use analysis::evidence::{Entry, Event, GENESIS, Kind, export};

use crate::common::{path_str, piecerate};

fn entries() -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let events = [
        (Kind::Accepted, "3XA", None),
        (Kind::Accepted, "3XB", None),
        (Kind::Worked, "3XA", Some(540)),
        (Kind::Submitted, "3XA", None),
        (Kind::Rejected, "3XA", None),
    ];
    for (position, (kind, task, active)) in events.into_iter().enumerate() {
        let event = Event {
            at: 1_772_000_000_000 + position as i64 * 300_000,
            kind,
            platform: "mturk".to_owned(),
            task: task.to_owned(),
            title: Some("Transcribe a receipt".to_owned()),
            requester: Some("Acme Research".to_owned()),
            reward: Some("0.50 USD".to_owned()),
            active_seconds: active,
            utc_offset_minutes: Some(-300),
        };
        let next = Entry::append(entries.last(), event);
        entries.push(next);
    }
    entries
}

fn write(dir: &tempfile::TempDir, bytes: &[u8]) -> String {
    let path = dir.path().join("evidence.json");
    std::fs::write(&path, bytes).unwrap();
    path_str(&path).to_owned()
}

#[test]
fn a_task_export_verifies_and_prints_its_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let text = export(&GENESIS, &entries(), |entry| entry.event.task == "3XA");
    let out = piecerate(&["verify-evidence", &write(&dir, text.as_bytes())]).ok();
    assert!(out.contains("the chain verifies: 5 entries (4 shown, 1 withheld)"), "{out}");
    assert!(
        out.contains("#0      2026-02-25T06:13:20.000Z  (worker's time 2026-02-25T01:13:20.000-05:00)  accepted     mturk 3XA"),
        "{out}"
    );
    assert!(out.contains("worked       mturk 3XA  active 9m00s"), "{out}");
    assert!(out.contains("rejected     mturk 3XA"), "{out}");
    assert!(!out.contains("3XB"), "{out}");
    assert!(out.contains(&format!("head:   {}", entries()[4].hash.hex())), "{out}");
}

#[test]
fn one_edited_byte_fails_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let text = export(&GENESIS, &entries(), |_| true);
    // The submission moved one minute earlier: 1772000900000 → 1772000840000 is two bytes, so
    // one digit: ...900000 → ...800000.
    let edited = text.replacen("1772000900000", "1772000800000", 1);
    assert_ne!(edited, text);
    let run = piecerate(&["verify-evidence", &write(&dir, edited.as_bytes())]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("the evidence does NOT verify"), "{}", run.stderr);
    assert!(run.stderr.contains("entries[3] (entry index 3): hash: "), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_truncated_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    let text = export(&GENESIS, &entries(), |_| true);
    let run = piecerate(&["verify-evidence", &write(&dir, &text.as_bytes()[..text.len() / 2])]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("the file is not JSON: unterminated string at line 1"), "{}", run.stderr);
    // Whole entries cut off the end: the head names the cut.
    let entries = entries();
    let whole = export(&GENESIS, &entries, |_| true);
    let cut = whole.replace(&format!(",{}", entries[4].to_json()), "");
    let run = piecerate(&["verify-evidence", &write(&dir, cut.as_bytes())]);
    assert!(run.stderr.contains("head: "), "{}", run.stderr);
    assert!(run.stderr.contains("is not the last entry's hash"), "{}", run.stderr);
}

#[test]
fn malformed_and_oversized_files_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[u8], &str); 4] = [
        (b"", "the file is not JSON"),
        (
            b"{\"format\":\"piecerate.evidence/2\"}",
            "format: 'piecerate.evidence/2' is not piecerate.evidence/1",
        ),
        (b"\xff\xfe", "is not UTF-8 text"),
        (b"{\"format\":\"piecerate.evidence/1\",\"before\":1}", "before: is a number, not a string"),
    ];
    for (bytes, expected) in cases {
        let run = piecerate(&["verify-evidence", &write(&dir, bytes)]);
        assert_eq!(run.status, 1, "{expected}");
        assert!(run.stderr.contains(expected), "{expected}: {}", run.stderr);
    }
    let path = dir.path().join("huge.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    let run = piecerate(&["verify-evidence", path_str(&path)]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("more than the 67108864 bytes"), "{}", run.stderr);
    let run = piecerate(&["verify-evidence", path_str(&dir.path().join("missing.json"))]);
    assert!(run.stderr.contains("cannot open the evidence file"), "{}", run.stderr);
}
