//! Settings parsing (field-named errors for anything out of range) and the upload protocol's
//! reading of collector answers, with backoff.

use extension::settings::{Settings, SettingsForm};
use extension::upload::{
    BatchReply, SyncState, batch_body, classify_upload, parse_enrollment, retry_after_ms,
};

fn form(country: &str, currency: &str, idle: &str, url: &str, sharing: bool) -> SettingsForm {
    SettingsForm {
        country: country.into(),
        display_currency: currency.into(),
        idle_cutoff_seconds: idle.into(),
        collector_url: url.into(),
        sharing,
    }
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
    assert_eq!(batch_body(&["{\"a\":1}".into(), "{\"b\":2}".into()]), r#"{"records":[{"a":1},{"b":2}]}"#);
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
fn enrollment_answers_are_checked() {
    assert_eq!(parse_enrollment(r#"{"install_id":"i1","token":"t1"}"#).unwrap(), ("i1".into(), "t1".into()));
    assert!(parse_enrollment(r#"{"install_id":"i1"}"#).unwrap_err().contains("token"));
    assert!(parse_enrollment("<html>").is_err());
}
