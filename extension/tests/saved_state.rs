//! The JSON forms of what the extension stores and receives: the stored layout (which the
//! browser tests and earlier versions read), round trips, and damaged or hostile input refused
//! with the field at fault.

use analysis::{Currency, Money, Platform, Timestamp};
use extension::json::{FromJson, ToJson, from_text, to_text};
use extension::messages::Message;
use extension::settings::{Settings, SettingsForm};
use extension::store::DailyTotals;
use extension::tracker::{Event, Tracker, TrackerSettings};
use extension::upload::SyncState;
use serde_json::{Value, json};

// The tests write JSON with serde_json's `json!` and cross to the extension's own JSON value
// (`analysis::json::Value`) through JSON text, which both read the same way.
fn ours(value: &Value) -> analysis::json::Value {
    analysis::json::parse(&value.to_string()).unwrap()
}

fn theirs(value: &analysis::json::Value) -> Value {
    serde_json::from_str(&value.to_string()).unwrap()
}

fn round_trip<T: ToJson + FromJson + PartialEq + std::fmt::Debug>(value: &T) {
    let text = to_text(value);
    assert_eq!(&from_text::<T>(&text).unwrap(), value, "{text}");
}

#[test]
fn settings_keep_their_stored_layout() {
    let settings = Settings::from_form(&SettingsForm {
        country: "US".into(),
        region: "US-CA".into(),
        display_currency: "EUR".into(),
        idle_cutoff_seconds: "90".into(),
        collector_url: "https://collector.example.org".into(),
        sharing: true,
        onboarding: String::new(),
    })
    .unwrap();
    assert_eq!(
        theirs(&settings.to_json()),
        json!({"country": "US", "region": "US-CA", "display_currency": "EUR", "idle_cutoff_seconds": 90,
               "collector_url": "https://collector.example.org", "sharing": true, "onboarding": "done"})
    );
    round_trip(&settings);
    round_trip(&Settings::default());
    assert_eq!(theirs(&Settings::default().to_json())["country"], Value::Null);
    assert_eq!(theirs(&Settings::default().to_json())["region"], Value::Null);
}

#[test]
fn settings_stored_before_regions_existed_still_load() {
    let stored = json!({"country": "US", "display_currency": "USD", "idle_cutoff_seconds": 60,
                        "collector_url": null, "sharing": false});
    let settings = Settings::from_json(&ours(&stored)).unwrap();
    assert_eq!(settings.country.map(|c| c.as_str().to_owned()).as_deref(), Some("US"));
    assert_eq!(settings.region, None, "the whole country");
    assert_eq!(settings.jurisdiction().unwrap().to_string(), "US");
    let with_null = json!({"country": "CA", "region": null, "display_currency": "CAD",
                           "idle_cutoff_seconds": 60, "sharing": false});
    assert_eq!(Settings::from_json(&ours(&with_null)).unwrap().region, None);
}

#[test]
fn damaged_settings_name_the_field() {
    for (text, field) in [
        (
            r#"{"country": "XX", "display_currency": "USD", "idle_cutoff_seconds": 60, "sharing": false}"#,
            "country",
        ),
        (
            r#"{"display_currency": "DOLLARS", "idle_cutoff_seconds": 60, "sharing": false}"#,
            "display_currency",
        ),
        (
            r#"{"display_currency": "USD", "idle_cutoff_seconds": -1, "sharing": false}"#,
            "idle_cutoff_seconds",
        ),
        (
            r#"{"display_currency": "USD", "idle_cutoff_seconds": 99999999999, "sharing": false}"#,
            "idle_cutoff_seconds",
        ),
        (r#"{"display_currency": "USD", "idle_cutoff_seconds": 60, "sharing": "yes"}"#, "sharing"),
        (r#"{"display_currency": "USD", "idle_cutoff_seconds": 60}"#, "sharing"),
        // A region must be one of the stored country's, and needs a country.
        (
            r#"{"country": "FR", "region": "US-CA", "display_currency": "USD", "idle_cutoff_seconds": 60, "sharing": false}"#,
            "region",
        ),
        (
            r#"{"region": "US-CA", "display_currency": "USD", "idle_cutoff_seconds": 60, "sharing": false}"#,
            "region",
        ),
        (
            r#"{"country": "US", "region": 6, "display_currency": "USD", "idle_cutoff_seconds": 60, "sharing": false}"#,
            "region",
        ),
    ] {
        let error = from_text::<Settings>(text).unwrap_err().to_string();
        assert!(error.starts_with(&format!("{field}: ")), "{text}: {error}");
    }
    assert!(from_text::<Settings>("[1, 2]").unwrap_err().to_string().contains("expected an object"));
    assert!(from_text::<Settings>("{\"country\": ").unwrap_err().to_string().starts_with("not JSON"));
}

#[test]
fn sync_state_and_daily_totals_round_trip() {
    let mut state =
        SyncState { token: Some("t".into()), install_id: Some("i".into()), ..SyncState::default() };
    state.failed(1000, Some(5000), "HTTP 503".into());
    round_trip(&state);
    assert_eq!(theirs(&state.to_json())["last_status"], "HTTP 503");
    assert_eq!(theirs(&state.to_json())["consent_version"], Value::Null);
    round_trip(&SyncState::default());

    let mut days = DailyTotals::default();
    let record = analysis::Record::from_fields(&analysis::RecordFields {
        record_id: "0b7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18",
        install_id: "local",
        platform: "mturk",
        country: "",
        kind: "task",
        category: "",
        outcome: "approved",
        started_at: "2026-03-02T10:00:00Z",
        ended_at: "2026-03-02T10:05:00Z",
        active_seconds: "280",
        reward: "0.45",
        bonus: "",
        currency: "USD",
    })
    .unwrap();
    days.add(&record, 60);
    round_trip(&days);
    let day = Timestamp::parse("2026-03-02T00:00:00Z").unwrap().unix_seconds() / 86_400;
    assert_eq!(
        theirs(&days.to_json()),
        json!({"days": {format!("{day}:mturk"): {"earnings_usd": "0.45", "paid_task_seconds": 280,
               "unpaid_task_seconds": 0, "unpaid_record_seconds": 0, "tasks": 1}}})
    );
    let negative = r#"{"days": {"20000:mturk": {"earnings_usd": "1", "paid_task_seconds": -5,
        "unpaid_task_seconds": 0, "unpaid_record_seconds": 0, "tasks": 1}}}"#;
    let error = from_text::<DailyTotals>(negative).unwrap_err().to_string();
    assert!(error.starts_with("days: 20000:mturk: paid_task_seconds:"), "{error}");
}

#[test]
fn a_tracker_with_open_work_round_trips_and_damage_is_located() {
    let mut tracker = Tracker::new(TrackerSettings { idle_cutoff_ms: 60_000 });
    let now = 1_780_000_000_000;
    tracker.handle(Event::Activity {
        tab: 3,
        now,
        focused: true,
        visible: true,
        input: true,
        in_frame: false,
    });
    tracker.handle(Event::ManualStart { now, platform: Platform::Toloka });
    tracker.handle(Event::Activity {
        tab: 4,
        now,
        focused: true,
        visible: true,
        input: false,
        in_frame: true,
    });
    round_trip(&tracker);
    let saved = theirs(&tracker.to_json());
    assert_eq!(saved["tabs"]["4"]["frame_focus"], json!(now));
    assert_eq!(saved["tabs"]["3"]["frame_focus"], Value::Null);
    assert_eq!(saved["settings"], json!({"idle_cutoff_ms": 60_000}));
    assert_eq!(saved["tabs"]["3"]["place"], json!({"at": "elsewhere"}));
    assert_eq!(saved["tasks"][0]["platform"], "toloka");
    assert_eq!(saved["tasks"][0]["bonus"], "0");

    let mut bad_place = saved.clone();
    bad_place["tabs"]["3"]["place"] = json!({"at": "moon"});
    let error = Tracker::from_json(&ours(&bad_place)).unwrap_err().to_string();
    assert!(error.starts_with("tabs: 3: place: at: 'moon'"), "{error}");
    let mut bad_tab = saved.clone();
    bad_tab["tabs"] = json!({"three": saved["tabs"]["3"].clone()});
    assert!(Tracker::from_json(&ours(&bad_tab)).unwrap_err().to_string().contains("'three' is not a tab id"));
    let mut bad_money = saved;
    bad_money["tasks"][0]["bonus"] = json!("-1");
    let error = Tracker::from_json(&ours(&bad_money)).unwrap_err().to_string();
    assert!(error.starts_with("tasks: [0]: bonus:"), "{error}");
}

#[test]
fn task_details_keep_money_exact() {
    let details = extension::adapters::TaskDetails {
        reward: Money::parse("0.10").unwrap(),
        currency: Currency::parse("GBP").unwrap(),
        title: Some("Label images".into()),
        requester: None,
        advertised: None,
        auto_approval_seconds: None,
    };
    assert_eq!(
        theirs(&details.to_json()),
        json!({"reward": "0.1", "currency": "GBP", "title": "Label images", "requester": null,
            "advertised": null, "auto_approval_seconds": null})
    );
    round_trip(&details);
    let advertised = extension::adapters::TaskDetails {
        advertised: Some(extension::adapters::Advertised {
            reward: Money::parse("1.50").unwrap(),
            seconds: 600,
        }),
        auto_approval_seconds: Some(259_200),
        ..details.clone()
    };
    assert_eq!(theirs(&advertised.to_json())["advertised"], json!({"reward": "1.5", "seconds": 600}));
    round_trip(&advertised);
    // A task saved before these fields were kept reads with neither.
    let old = ours(&json!({"reward": "0.1", "currency": "GBP"}));
    assert_eq!(
        extension::adapters::TaskDetails::from_json(&old).unwrap(),
        extension::adapters::TaskDetails { title: None, ..details }
    );
}

fn message(value: Value) -> Result<Message, String> {
    // The error as the worker would read it.
    Message::from_json(&ours(&value)).map_err(|error| error.to_string())
}

#[test]
fn messages_are_read_and_hostile_ones_refused() {
    let page = message(json!({"kind": "page", "url": "https://worker.mturk.com/projects", "focused": true,
        "visible": false, "values": {"alert": ["HIT Submitted"]}}))
    .unwrap();
    let Message::Page { values, focused, visible, .. } = page else { panic!("{page:?}") };
    assert_eq!(values.get("alert").unwrap(), &["HIT Submitted"]);
    assert!(focused && !visible);
    assert!(matches!(message(json!({"kind": "sync_now"})), Ok(Message::SyncNow)));
    let Ok(Message::SaveSettings { form }) =
        message(json!({"kind": "save_settings", "form": {"country": "FR", "sharing": true}}))
    else {
        panic!("save_settings")
    };
    assert_eq!((form.country.as_str(), form.idle_cutoff_seconds.as_str(), form.sharing), ("FR", "", true));
    assert_eq!(form.region, "", "a form without a region (an older popup) means the whole country");
    let Ok(Message::SaveSettings { form }) =
        message(json!({"kind": "save_settings", "form": {"country": "US", "region": "US-CA"}}))
    else {
        panic!("save_settings with a region")
    };
    assert_eq!(form.region, "US-CA");

    for (bad, problem) in [
        (json!({"kind": "launch_missiles"}), "kind: 'launch_missiles' is not a known message"),
        (json!({"url": "x"}), "kind: missing"),
        (json!({"kind": "plan"}), "url: missing"),
        (json!({"kind": "plan", "url": 7}), "url: expected a string, got a number"),
        (json!({"kind": "watch", "name": "accept"}), "name: 'accept' is not a watched form"),
        (
            json!({"kind": "activity", "focused": true, "visible": true, "input": "yes", "in_frame": false}),
            "input: expected true or false",
        ),
        (
            json!({"kind": "page", "url": "u", "focused": true, "visible": true, "values": {"alert": [1]}}),
            "values: alert: [0]: expected a string",
        ),
        (
            json!({"kind": "page", "url": "u", "focused": true, "visible": true, "values": []}),
            "values: expected an object",
        ),
        (json!({"kind": "save_settings", "form": {"sharing": 1}}), "form: sharing: expected true or false"),
        (json!({"kind": "save_settings", "form": {"region": ["US-CA"]}}), "form: region: expected a string"),
        (json!("page"), "expected an object, got a string"),
    ] {
        let error = message(bad.clone()).unwrap_err().to_string();
        assert!(error.starts_with(problem), "{bad}: {error}");
    }
}

/// Issue 14: a task timed on each platform added to the registry is saved with its code and read
/// back; a saved state naming a platform outside the registry is refused at that field.
#[test]
fn tasks_of_the_added_platforms_round_trip_and_unknown_codes_are_located() {
    let now = 1_780_000_000_000;
    for code in [
        "toloka",
        "microworkers",
        "uhrs",
        "clickworker",
        "appen",
        "sproutgigs",
        "remotasks",
        "outlier",
        "hive",
    ] {
        let platform = Platform::parse(code).unwrap();
        let mut tracker = Tracker::new(TrackerSettings { idle_cutoff_ms: 60_000 });
        tracker.handle(Event::ManualStart { now, platform });
        round_trip(&tracker);
        let mut saved = theirs(&tracker.to_json());
        assert_eq!(saved["tasks"][0]["platform"], code);
        saved["tasks"][0]["platform"] = json!("fiverr");
        let error = Tracker::from_json(&ours(&saved)).unwrap_err().to_string();
        assert!(error.starts_with("tasks: [0]: platform: 'fiverr' is not a known platform"), "{error}");
    }
}

#[test]
fn the_introduction_shows_until_completed_or_skipped() {
    use extension::settings::Onboarding;
    // A new install has no stored settings: the introduction shows.
    assert_eq!(Settings::default().onboarding, Onboarding::Pending);
    // Saved from the settings or the introduction: done; skipped: skipped; both stay so.
    let saved = |onboarding: &str| {
        Settings::from_form(&SettingsForm {
            idle_cutoff_seconds: "60".into(),
            onboarding: onboarding.into(),
            ..SettingsForm::default()
        })
        .unwrap()
    };
    assert_eq!(saved("").onboarding, Onboarding::Done);
    assert_eq!(saved("done").onboarding, Onboarding::Done);
    assert_eq!(saved("skipped").onboarding, Onboarding::Skipped);
    for settings in [saved("done"), saved("skipped"), Settings::default()] {
        round_trip(&settings);
    }
    // Settings stored before the introduction existed: that worker had begun already.
    let older = json!({"display_currency": "USD", "idle_cutoff_seconds": 60, "sharing": false});
    assert_eq!(Settings::from_json(&ours(&older)).unwrap().onboarding, Onboarding::Done);
    let odd = json!({"display_currency": "USD", "idle_cutoff_seconds": 60, "sharing": false, "onboarding": "later"});
    assert!(Settings::from_json(&ours(&odd)).unwrap_err().to_string().starts_with("onboarding: 'later'"));
}

#[test]
fn damaged_stored_settings_lose_only_the_damaged_field() {
    let good = json!({"country": "FR", "display_currency": "EUR", "idle_cutoff_seconds": 30,
                      "collector_url": "https://collector.example.org", "sharing": true, "onboarding": "done"});
    let (settings, problem) = Settings::read_stored(ours(&good));
    assert_eq!(problem, None);
    let expected = settings;
    let long = "x".repeat(1_000_000);
    for (field, bad) in [
        ("country", json!("ZZ")),
        ("country", json!(long)),
        ("country", json!(7)),
        ("display_currency", json!(long)),
        ("idle_cutoff_seconds", json!(0)),
        ("idle_cutoff_seconds", json!(1e12)),
        ("collector_url", json!("javascript:alert(1)")),
        ("collector_url", json!(format!("https://{long}"))),
        ("onboarding", json!(long)),
    ] {
        let mut stored = good.clone();
        stored[field] = bad;
        let (settings, problem) = Settings::read_stored(ours(&stored));
        let problem = problem.unwrap_or_else(|| panic!("{field} is refused"));
        assert_eq!(problem.path(), [field.to_owned()], "{problem}");
        assert!(problem.to_string().len() < 200, "{field}: a short message: {problem}");
        // Every other field is as stored; the damaged one has its default.
        let default = Settings::default();
        let mut kept = expected.clone();
        match field {
            "country" => kept.country = default.country,
            "display_currency" => kept.display_currency = default.display_currency,
            "idle_cutoff_seconds" => kept.idle_cutoff_seconds = default.idle_cutoff_seconds,
            "collector_url" => kept.collector_url = default.collector_url,
            _ => kept.onboarding = default.onboarding,
        }
        assert_eq!(settings, kept, "{field}");
    }
    // Not an object at all: the defaults, and why.
    let (settings, problem) = Settings::read_stored(ours(&json!("settings")));
    assert_eq!((settings, problem.is_some()), (Settings::default(), true));
}
