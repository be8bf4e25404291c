use proptest::prelude::*;

use super::*;

fn event(at: i64, kind: Kind, task: &str) -> Event {
    Event {
        at,
        kind,
        platform: "mturk".to_owned(),
        task: task.to_owned(),
        title: Some("Transcribe a receipt \"quoted\"".to_owned()),
        requester: Some("Acme Research".to_owned()),
        reward: Some("0.50 USD".to_owned()),
        active_seconds: (kind == Kind::Worked).then_some(540),
        utc_offset_minutes: Some(60),
    }
}

fn log(count: usize) -> Vec<Entry> {
    let kinds = [Kind::Accepted, Kind::Worked, Kind::Submitted, Kind::Approved];
    let mut entries: Vec<Entry> = Vec::new();
    for position in 0..count {
        let at = 1_772_000_000_000 + position as i64 * 61_250;
        let next =
            Entry::append(entries.last(), event(at, kinds[position % 4], &format!("3X{}", position / 4)));
        entries.push(next);
    }
    entries
}

#[test]
fn a_whole_log_verifies_and_reads_back_as_written() {
    let entries = log(9);
    let text = export(&GENESIS, &entries, |_| true);
    let verified = verify(&text).unwrap();
    assert_eq!(verified.head, entries[8].hash);
    assert_eq!(verified.entries, entries.iter().cloned().map(Exported::Full).collect::<Vec<_>>());
}

#[test]
fn a_chain_is_fixed_by_the_format_not_by_this_code() {
    // The first entry's hash, computed once by hand from the documented encoding with
    // `sha256sum`, so that a change of the encoding cannot go unnoticed.
    let first = Entry::append(
        None,
        Event {
            at: 0,
            kind: Kind::Accepted,
            platform: "mturk".to_owned(),
            task: "A".to_owned(),
            title: None,
            requester: None,
            reward: None,
            active_seconds: None,
            utc_offset_minutes: None,
        },
    );
    let mut canonical = FORMAT.as_bytes().to_vec();
    for text in ["0", "accepted", "mturk", "A"] {
        canonical.push(1);
        canonical.extend((text.len() as u64).to_be_bytes());
        canonical.extend(text.as_bytes());
    }
    canonical.extend([0; 5]);
    let digest: [u8; 32] = Sha256::digest(&canonical).into();
    let mut chained = FORMAT.as_bytes().to_vec();
    chained.extend(0u64.to_be_bytes());
    chained.extend([0; 32]);
    chained.extend(digest);
    assert_eq!(first.hash.0, <[u8; 32]>::from(Sha256::digest(&chained)));
}

#[test]
fn a_task_export_withholds_the_other_entries_and_still_verifies() {
    let entries = log(12);
    let text = export(&entries[2].hash, &entries[3..10], |entry| entry.event.task == "3X1");
    assert!(!text.contains("3X0") && !text.contains("3X2"), "{text}");
    let verified = verify(&text).unwrap();
    assert_eq!(verified.before, entries[2].hash);
    assert_eq!(verified.head, entries[9].hash);
    let full = verified.entries.iter().filter(|e| matches!(e, Exported::Full(_))).count();
    assert_eq!(full, 4);
}

#[test]
fn an_edited_entry_is_named_with_what_does_not_match() {
    let entries = log(6);
    let text = export(&GENESIS, &entries, |_| true);
    let edited = text.replacen("\"kind\":\"submitted\"", "\"kind\":\"returned\"", 1);
    let error = verify(&edited).unwrap_err().to_string();
    assert!(error.starts_with("entries[2] (entry index 2): hash: "), "{error}");
    assert!(error.contains("was edited"), "{error}");
}

#[test]
fn a_removed_entry_is_named() {
    let entries = log(6);
    let mut kept = entries.clone();
    kept.remove(3);
    let text = export(&GENESIS, &kept, |_| true);
    let error = verify(&text).unwrap_err().to_string();
    assert!(error.starts_with("entries[3] (entry index 4): index: expected 3"), "{error}");
}

#[test]
fn a_cut_at_the_start_shows_unless_before_is_given() {
    let entries = log(6);
    // Claiming the run starts the log while it does not.
    let text = export(&GENESIS, &entries[2..], |_| true);
    let error = verify(&text).unwrap_err().to_string();
    assert!(error.starts_with("entries[0] (entry index 2): hash: "), "{error}");
}

#[test]
fn malformed_documents_name_the_field() {
    let cases = [
        ("[]", "is an array, not an object"),
        ("{\"format\":\"x\"}", "format: 'x' is not piecerate.evidence/1"),
        ("{\"format\":\"piecerate.evidence/1\"}", "before: is missing"),
        ("{\"format\":\"piecerate.evidence/1\",\"extra\":1}", "extra: is not a field"),
        (
            "{\"format\":\"piecerate.evidence/1\",\"before\":\"00\",\"entries\":[],\"head\":\"00\"}",
            "before: is not 64 hex digits",
        ),
        ("{\"format\":", "the file is not JSON: unexpected end of the text"),
    ];
    for (text, expected) in cases {
        let error = verify(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text}: {error}");
    }
    let zeros = GENESIS.hex();
    let entry = |body: &str| {
        format!(
            "{{\"format\":\"piecerate.evidence/1\",\"before\":\"{zeros}\",\"entries\":[{body}],\"head\":\"{zeros}\"}}"
        )
    };
    let cases = [
        ("{\"index\":0}", "entries[0].kind: is missing"),
        (
            &format!(
                "{{\"index\":0,\"at\":\"x\",\"kind\":\"accepted\",\"platform\":\"m\",\"task\":\"t\",\"hash\":\"{zeros}\"}}"
            ),
            "entries[0].at: is not a whole number",
        ),
        (
            &format!(
                "{{\"index\":0,\"at\":1772000000000,\"kind\":\"won\",\"platform\":\"m\",\"task\":\"t\",\"hash\":\"{zeros}\"}}"
            ),
            "entries[0].kind: 'won' is not a kind",
        ),
        (
            "{\"index\":-1,\"withheld\":true,\"digest\":\"\",\"hash\":\"\"}",
            "entries[0].digest: is not 64 hex digits",
        ),
        ("7", "entries[0]: is a number, not an object"),
    ];
    for (body, expected) in cases {
        let error = verify(&entry(body)).unwrap_err().to_string();
        assert!(error.contains(expected), "{body}: {error}");
    }
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read() {
    let text = " ".repeat(MAX_EXPORT_BYTES + 1);
    assert_eq!(
        verify(&text),
        Err(EvidenceError::TooLarge { size: MAX_EXPORT_BYTES + 1, max: MAX_EXPORT_BYTES })
    );
}

#[test]
fn reformatted_json_is_an_edit() {
    let text = export(&GENESIS, &log(2), |_| true);
    let spaced = text.replacen(",", ", ", 1);
    assert!(matches!(verify(&spaced), Err(EvidenceError::NotAsWritten { .. })));
}

#[test]
fn times_are_shown_in_utc_and_in_the_workers_zone() {
    assert_eq!(
        format_time(1_772_000_000_250, Some(-300)),
        ("2026-02-25T06:13:20.250Z".to_owned(), Some("2026-02-25T01:13:20.250-05:00".to_owned()))
    );
    assert_eq!(format_time(1_772_000_000_000, None).1, None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any single-byte change of an export, anywhere, fails verification.
    #[test]
    fn any_single_byte_edit_fails(position in any::<prop::sample::Index>(), byte in any::<u8>(), count in 1usize..8, withhold in any::<bool>()) {
        let entries = log(count);
        let text = export(&GENESIS, &entries, |entry| !withhold || entry.index % 2 == 0);
        let mut bytes = text.into_bytes();
        let at = position.index(bytes.len());
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        if let Ok(edited) = String::from_utf8(bytes) {
            prop_assert!(verify(&edited).is_err());
        }
    }
}
