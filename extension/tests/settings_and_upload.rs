//! Settings parsing (field-named errors for anything out of range), the region staying in the
//! browser, and the upload protocol's reading of collector answers, with backoff.

use analysis::minimum_wage::Jurisdiction;
use analysis::{InstallId, Money, Outcome, Platform};
use extension::adapters::TaskDetails;
use extension::json::{from_text, to_text};
use extension::records::to_record;
use extension::settings::{Settings, SettingsForm};
use extension::store::encode_line;
use extension::tracker::{Finished, FinishedWhat};
use extension::upload::{
    BatchReply, Challenge, Outgoing, SyncState, batch_body, classify_upload, enrollment_body, outgoing,
    parse_challenge, parse_enrollment, retry_after_ms, solve_challenge,
};

fn form(country: &str, currency: &str, idle: &str, url: &str, sharing: bool) -> SettingsForm {
    SettingsForm {
        country: country.into(),
        region: String::new(),
        display_currency: currency.into(),
        idle_cutoff_seconds: idle.into(),
        collector_url: url.into(),
        sharing,
        onboarding: String::new(),
    }
}

fn with_region(country: &str, region: &str) -> SettingsForm {
    SettingsForm { region: region.into(), ..form(country, "USD", "60", "", false) }
}

#[test]
fn settings_accept_good_values_and_name_the_bad_field() {
    let settings =
        Settings::from_form(&form("FR", "EUR", "60", "https://collector.example.org/", true)).unwrap();
    assert_eq!(settings.collector_url.as_deref(), Some("https://collector.example.org"));
    assert!(settings.sharing);
    assert!(!Settings::default().sharing, "sharing is off by default");
    let local = Settings::from_form(&form("", "", "5", "http://127.0.0.1:8080", false)).unwrap();
    assert_eq!(local.display_currency.as_str(), "USD");
    for (bad, field) in [
        (form("France", "EUR", "60", "", false), "country"),
        (form("ZZ", "EUR", "60", "", false), "country"),
        (form("FR", "euro", "60", "", false), "display_currency"),
        (form("FR", "EUR", "4", "", false), "idle_cutoff_seconds"),
        (form("FR", "EUR", "3601", "", false), "idle_cutoff_seconds"),
        (form("FR", "EUR", "sixty", "", false), "idle_cutoff_seconds"),
        (form("FR", "EUR", "60", "http://collector.example.org", false), "collector_url"),
        (form("FR", "EUR", "60", "https://a.example/?token=1", false), "collector_url"),
        (form("FR", "EUR", "60", "https://user@evil.example", false), "collector_url"),
        (form("FR", "EUR", "60", "http://localhost.evil.example", false), "collector_url"),
        (form("FR", "EUR", "60", &format!("https://{}", "a".repeat(600)), false), "collector_url"),
        (form("FR", "EUR", "60", "", true), "sharing"),
    ] {
        let error = Settings::from_form(&bad).unwrap_err();
        assert_eq!(error.field, field, "{bad:?}: {error}");
    }
}

#[test]
fn a_region_is_one_of_the_chosen_country() {
    let check = |country: &str, region: &str, expected: &str| {
        let settings = Settings::from_form(&with_region(country, region)).unwrap();
        assert_eq!(settings.jurisdiction().unwrap(), Jurisdiction::parse(expected).unwrap(), "{region}");
    };
    check("US", "US-CA", "US-CA");
    check("US", " us-ca ", "US-CA");
    check("CA", "CA-ON", "CA-ON");
    check("US", "", "US");
    check("DK", "", "DK");
    assert_eq!(Settings::from_form(&with_region("", "")).unwrap().jurisdiction(), None);
}

#[test]
fn a_region_not_of_the_country_or_hostile_is_refused_naming_the_field() {
    let huge = "US-".repeat(100_000);
    for (country, region, problem) in [
        ("FR", "US-CA", "'US-CA' is not a region of FR: the minimum-wage table has no regions of FR"),
        ("US", "CA-ON", "'CA-ON' is not a region of US with a minimum wage of its own in the table"),
        ("", "US-CA", "'US-CA' needs a country: choose the country first"),
        ("US", "US", "'US' is not a region of US"),
        ("US", "CA", "'CA' is not a region of US"),
        ("US", "US-ZZ", "'US-ZZ' is not a region of US"),
        ("US", "US-CA,US-NY", "'US-CA,US-NY' is not a region of US"),
        ("US", "US-CA\u{0}", "is not a region of US"),
        ("US", "<img src=x onerror=alert(1)>", "'<img src=x onerror=alert(1)>' is not a region of US"),
        ("US", "US-\u{202e}AC", "is not a region of US"),
        ("US", &huge, "is not a region of US"),
    ] {
        let error = Settings::from_form(&with_region(country, region)).unwrap_err();
        assert_eq!(error.field, "region", "{region:.40}: {error}");
        assert!(error.problem.contains(problem), "{region:.40}: {error}");
        assert!(
            error.problem.len() < 200,
            "the problem quotes a bounded part of the input: {}",
            error.problem.len()
        );
    }
    // A bad country is reported as the country's problem, before the region's.
    assert_eq!(Settings::from_form(&with_region("ZZ", "US-CA")).unwrap_err().field, "country");
}

/// The region is for the popup's comparison only: the records made with it, the local store,
/// the outbox, the upload batches and the enrollment carry the country and nothing of the region.
#[test]
fn a_region_never_enters_records_or_uploads() {
    let settings = Settings::from_form(&SettingsForm {
        region: "US-CA".into(),
        ..form("US", "USD", "60", "https://collector.example.org", true)
    })
    .unwrap();
    assert_eq!(settings.region.map(|r| r.as_str()), Some("US-CA"));
    let finished = Finished {
        platform: Platform::Mturk,
        started: 1_780_000_000_000,
        ended: 1_780_000_600_000,
        active_ms: 540_000,
        what: FinishedWhat::Task {
            key: "task".to_owned(),
            outcome: Outcome::Submitted,
            details: TaskDetails {
                reward: Money::parse("0.50").unwrap(),
                currency: analysis::Currency::USD,
                title: Some("Transcribe a receipt".into()),
                requester: None,
                advertised: None,
                auto_approval_seconds: None,
            },
            bonus: Money::ZERO,
        },
    };
    let install = InstallId::parse("local-test").unwrap();
    let local = to_record(&finished, [7; 16], &install, settings.country).unwrap();
    assert_eq!(local.record.country().map(|c| c.as_str().to_owned()).as_deref(), Some("US"));
    let sent = outgoing(&local);
    assert!(sent.text().contains(r#""country":"US""#), "{}", sent.text());
    for text in [
        sent.text(),
        batch_body(&[sent]),
        encode_line(&local),
        analysis::format::records_to_csv([&local.record]),
        enrollment_body(
            extension::settings::CONSENT_VERSION,
            &Challenge { text: "20.1796083800.00ff.ab".into(), difficulty: 20 },
            "123",
        ),
    ] {
        assert!(!text.contains("US-CA") && !text.contains("region"), "{text}");
    }
}

#[test]
fn collector_answers_map_to_outbox_actions() {
    assert_eq!(
        classify_upload(200, None, r#"{"accepted":3,"duplicates":1}"#),
        BatchReply::Stored { accepted: 3, duplicates: 1 }
    );
    assert_eq!(classify_upload(413, None, ""), BatchReply::TooLarge);
    assert_eq!(classify_upload(401, None, ""), BatchReply::Unauthorized);
    let refused = classify_upload(
        422,
        None,
        r#"{"error":"invalid","problems":[{"index":2,"field":"reward","problem":"x"},{"index":0,"field":"ended_at","problem":"y"}]}"#,
    );
    assert_eq!(refused, BatchReply::Refused { indexes: vec![0, 2], message: refused_message(&refused) });
    assert!(matches!(
        classify_upload(429, Some("120"), ""),
        BatchReply::Later { retry_after: Some(120_000), .. }
    ));
    assert!(matches!(classify_upload(503, None, "down"), BatchReply::Later { retry_after: None, .. }));
    // A 422 without per-record problems is not a reason to drop records.
    assert!(matches!(classify_upload(422, None, "{}"), BatchReply::Later { .. }));
    let waiting: Vec<Outgoing> = from_text(r#"[{"a":1},{"b":2}]"#).unwrap();
    assert_eq!(batch_body(&waiting), r#"{"records":[{"a":1},{"b":2}]}"#);
}

/// The outbox holds each record as its JSON object. Outboxes stored before held each record's
/// JSON text as a string: what waits in one is still read, and sent as it was meant.
#[test]
fn an_outbox_of_either_layout_is_read_and_sent_the_same() {
    let new: Vec<Outgoing> = from_text(r#"[{"record_id":"a","reward":"0.5"},{"b":[1,2]}]"#).unwrap();
    let old: Vec<Outgoing> =
        from_text(r#"["{\"record_id\":\"a\",\"reward\":\"0.5\"}","{\"b\":[1,2]}"]"#).unwrap();
    assert_eq!(new, old);
    assert_eq!(batch_body(&old), r#"{"records":[{"record_id":"a","reward":"0.5"},{"b":[1,2]}]}"#);
    // Stored again, an old outbox takes the new layout.
    assert_eq!(to_text(&old), r#"[{"record_id":"a","reward":"0.5"},{"b":[1,2]}]"#);
    // What is neither a record's object nor its text is refused, naming its place in the list.
    for (stored, problem) in [
        (r#"[{"a":1},3]"#, "[1]: expected an object, got a number"),
        (r#"[{"a":1},"{\"a\":"]"#, "[1]: not JSON"),
        (r#"["[1,2]"]"#, "[0]: expected an object, got an array"),
        (r#"{"a":1}"#, "expected a list"),
    ] {
        let error = from_text::<Vec<Outgoing>>(stored).unwrap_err().to_string();
        assert!(error.starts_with(problem), "{stored}: {error}");
    }
}

fn refused_message(reply: &BatchReply) -> String {
    match reply {
        BatchReply::Refused { message, .. } => message.clone(),
        _ => String::new(),
    }
}

#[test]
fn backoff_doubles_honours_retry_after_and_is_bounded() {
    let mut state = SyncState::default();
    state.failed(0, None, "down".into());
    assert_eq!(state.next_attempt, 30_000);
    state.failed(0, None, "down".into());
    assert_eq!(state.next_attempt, 60_000);
    state.failed(0, retry_after_ms(Some("600")), "429".into());
    assert_eq!(state.next_attempt, 600_000);
    for _ in 0..40 {
        state.failed(0, None, "down".into());
    }
    assert_eq!(state.next_attempt, 6 * 3600 * 1000);
    assert!(!state.due(1000));
    state.succeeded("ok".into());
    assert!(state.due(0));
    assert_eq!(retry_after_ms(Some("Wed, 21 Oct 2026 07:28:00 GMT")), None);
    assert_eq!(retry_after_ms(Some("-5")), None);
}

#[test]
fn challenges_are_read_and_solved() {
    let challenge = parse_challenge(
        r#"{"challenge":"12.1796083800.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210","difficulty":12,"expires_at":"2026-12-01T00:10:00Z"}"#,
    )
    .unwrap();
    assert_eq!(challenge.difficulty, 12);
    assert_eq!(challenge.text.len(), 79, "the length of the collector's challenges");
    let (nonce, tried) = solve_challenge(&challenge);
    assert_eq!(nonce.parse::<u64>().unwrap() + 1, tried);
    // The solution, checked the collector's way: SHA-256 over the challenge's bytes then the
    // nonce's.
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{}{nonce}", challenge.text));
    assert!(extension::upload::leading_zero_bits(&digest) >= 12, "{digest:x?}");
    // And no smaller nonce solves it: the search is in order from 0.
    for smaller in 0..tried - 1 {
        let digest = sha2::Sha256::digest(format!("{}{smaller}", challenge.text));
        assert!(extension::upload::leading_zero_bits(&digest) < 12);
    }
    // Challenges shorter and longer than a 64-byte block are solved too.
    for text in ["short", &"x".repeat(64), &"y".repeat(130)] {
        let challenge = Challenge { text: text.to_owned(), difficulty: 6 };
        let (nonce, _) = solve_challenge(&challenge);
        let digest = sha2::Sha256::digest(format!("{text}{nonce}"));
        assert!(extension::upload::leading_zero_bits(&digest) >= 6, "{text}");
    }
    let body = enrollment_body("2024-05", &challenge, &nonce);
    assert_eq!(
        analysis::json::parse(&body).unwrap().get("nonce").and_then(|v| v.as_str().map(str::to_owned)),
        Some(nonce)
    );
    for (answer, problem) in [
        (r#"{"difficulty":3}"#, "challenge"),
        (r#"{"challenge":"x"}"#, "difficulty"),
        (r#"{"challenge":"x","difficulty":27}"#, "at most 26"),
        ("<html>", "not JSON"),
    ] {
        let error = parse_challenge(answer).unwrap_err().to_string();
        assert!(error.contains(problem), "{answer}: {error}");
    }
}

#[test]
fn enrollment_answers_are_checked() {
    assert_eq!(parse_enrollment(r#"{"install_id":"i1","token":"t1"}"#).unwrap(), ("i1".into(), "t1".into()));
    assert!(parse_enrollment(r#"{"install_id":"i1"}"#).unwrap_err().to_string().contains("token"));
    assert!(parse_enrollment("<html>").is_err());
}

#[test]
fn hostile_form_values_are_refused_briefly_with_the_field_named() {
    let long = "A".repeat(1_000_000);
    for (bad, field) in [
        (form(&long, "EUR", "60", "", false), "country"),
        (form("FR", &long, "60", "", false), "display_currency"),
        (form("FR", "EUR", &long, "", false), "idle_cutoff_seconds"),
        (SettingsForm { region: long.clone(), ..form("US", "USD", "60", "", false) }, "region"),
    ] {
        let error = Settings::from_form(&bad).unwrap_err();
        assert_eq!(error.field, field);
        assert!(error.to_string().len() < 200, "{field}: {error}");
    }
}
