//! The time tier: the manifest's optional host permissions against the tables, stretches of work
//! measured by the tracker, and the pay the worker types for them (malformed, hostile and absurd
//! input included). The tables' URL roles are tested in `time_tier_urls.rs`.

use analysis::json::Value;
use analysis::{Currency, InstallId, Money, Platform};
use extension::adapters::{ADAPTERS, observe_page, plan_for};
use extension::json::{FromJson, ToJson};
use extension::messages::Message;
use extension::records::to_record;
use extension::stretches::{priced, render_waiting, spread, typed_amount, typed_currency, typed_day};
use extension::tracker::{
    Event, Finished, FinishedWhat, Millis, PricedStretches, Stretch, Tracker, TrackerSettings,
};
use extension::view::html;

const T0: Millis = 1_780_000_000_000;
const S: Millis = 1000;
const MANIFEST: &str = include_str!("../manifest.json");

#[test]
fn a_time_tier_page_asks_the_content_script_for_nothing_but_its_address() {
    let plan = plan_for("https://www.uhrs.ai/marketplace/app/27841?taskgroupid=5512");
    assert!(plan.supported);
    assert!(plan.probes.is_empty() && plan.watches.is_empty(), "{plan:?}");
}

fn manifest_list(manifest: &Value, key: &str) -> Vec<String> {
    match manifest.get(key) {
        Some(Value::Array(list)) => list.iter().map(|origin| origin.as_str().unwrap().to_owned()).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn every_new_platform_is_an_optional_host_permission_and_mturk_and_prolific_stay_required() {
    let manifest = analysis::json::parse(MANIFEST).unwrap();
    let required = manifest_list(&manifest, "host_permissions");
    let optional = manifest_list(&manifest, "optional_host_permissions");
    assert_eq!(required, ["https://worker.mturk.com/*", "https://app.prolific.com/*"]);
    let mut tables: Vec<String> = Vec::new();
    for adapter in ADAPTERS {
        let origins = adapter.hosts().into_iter().map(|host| format!("https://{host}/*"));
        if matches!(adapter.platform, Platform::Mturk | Platform::Prolific) {
            assert!(origins.clone().all(|origin| required.contains(&origin)), "{:?}", adapter.platform);
        } else {
            tables.extend(origins);
        }
    }
    tables.sort();
    let mut listed = optional.clone();
    listed.sort();
    assert_eq!(listed, tables, "optional_host_permissions must be exactly the new platforms' hosts");
    // No static content script reaches them: it would make their access required at install.
    let Some(Value::Array(scripts)) = manifest.get("content_scripts") else { panic!("no content_scripts") };
    for script in scripts {
        for origin in manifest_list(script, "matches") {
            assert!(!optional.contains(&origin), "{origin} in content_scripts");
        }
    }
    assert!(manifest_list(&manifest, "permissions").contains(&"scripting".to_owned()));
}

fn tracker() -> Tracker {
    Tracker::new(TrackerSettings { idle_cutoff_ms: 60 * S })
}

fn page(tab: i64, at: Millis, url: &str) -> Event {
    Event::Page {
        tab,
        now: T0 + at,
        focused: true,
        visible: true,
        observation: observe_page(url, &Default::default()),
    }
}

fn input(tab: i64, at: Millis) -> Event {
    Event::Activity { tab, now: T0 + at, focused: true, visible: true, input: true, in_frame: false }
}

fn run(tracker: &mut Tracker, events: Vec<Event>) -> Vec<Finished> {
    events.into_iter().flat_map(|event| tracker.handle(event).finished).collect()
}

const LIST: &str = "https://www.uhrs.ai/marketplace/tasks/all";
const HITAPP: &str = "https://www.uhrs.ai/marketplace/app/27841?taskgroupid=5512";

/// The tasks among what finished (the search before a payment may finish with it).
fn tasks(finished: Vec<Finished>) -> Vec<Finished> {
    finished.into_iter().filter(|f| matches!(f.what, FinishedWhat::Task { .. })).collect()
}

fn install() -> InstallId {
    InstallId::parse("i-1").unwrap()
}

#[test]
fn searching_then_working_on_uhrs_gives_a_search_record_and_a_stretch_waiting_for_its_pay() {
    let mut t = tracker();
    let finished = run(
        &mut t,
        vec![
            page(1, 0, LIST),
            input(1, 20 * S),
            page(1, 30 * S, HITAPP),
            input(1, 60 * S),
            input(1, 100 * S),
            // Back to the marketplace: the stretch of work is over.
            page(1, 130 * S, LIST),
        ],
    );
    assert_eq!(finished.len(), 1, "{finished:?}");
    assert_eq!((finished[0].started, finished[0].ended, finished[0].active_ms), (T0, T0 + 30 * S, 30 * S));
    assert!(matches!(finished[0].what, FinishedWhat::Unpaid(_)));
    // Measured, and no record until its pay is typed.
    let platform = Platform::Uhrs;
    assert_eq!(
        t.waiting(),
        [Stretch { platform, first: T0 + 30 * S, last: T0 + 130 * S, active_ms: 100 * S }]
    );
}

#[test]
fn a_stretch_of_work_ends_after_ten_minutes_without_work_and_survives_a_restart() {
    let mut t = tracker();
    run(&mut t, vec![page(1, 0, HITAPP), input(1, 30 * S)]);
    // Saved and read back, as the background does after every event; an older saved state
    // without stretches of work reads as none open and none waiting.
    let mut t = Tracker::from_json(&t.to_json()).unwrap();
    let mut old = t.to_json();
    if let Value::Object(map) = &mut old {
        map.remove("works");
        map.remove("waiting");
    }
    assert!(Tracker::from_json(&old).unwrap().waiting().is_empty());
    let finished = run(
        &mut t,
        vec![Event::TabClosed { tab: 1, now: T0 + 100 * S }, Event::Tick { now: T0 + 9 * 60 * S }],
    );
    assert!(finished.is_empty() && t.waiting().is_empty(), "{finished:?}");
    run(&mut t, vec![Event::Tick { now: T0 + 15 * 60 * S }]);
    assert_eq!(t.waiting().len(), 1);
    assert_eq!(t.waiting()[0].active_ms, 90 * S);
    let t = Tracker::from_json(&t.to_json()).unwrap();
    assert_eq!(t.waiting().len(), 1, "a stretch waiting for its pay survives a restart");
}

#[test]
fn sproutgigs_submitted_page_ends_the_stretch_at_once() {
    let mut t = tracker();
    run(
        &mut t,
        vec![
            page(1, 0, "https://sproutgigs.com/jobs/submit-task.php?Id=8c1e2f"),
            input(1, 30 * S),
            page(1, 50 * S, "https://sproutgigs.com/jobs/task-submitted.php"),
        ],
    );
    assert_eq!(
        t.waiting(),
        [Stretch { platform: Platform::Sproutgigs, first: T0, last: T0 + 50 * S, active_ms: 50 * S }]
    );
}

fn stretch(first: Millis, active_ms: Millis) -> Stretch {
    Stretch { platform: Platform::Clickworker, first, last: first + active_ms + 5 * S, active_ms }
}

/// A tracker holding these stretches of work, measured on Clickworker's job pages.
fn tracker_waiting(active: &[Millis]) -> Tracker {
    let mut t = tracker();
    let mut at = 0;
    for &ms in active {
        let mut events = vec![page(1, at, "https://workplace.clickworker.com/en/workplace/jobs/51749/edit")];
        events.extend((1..ms / (30 * S)).map(|step| input(1, at + step * 30 * S)));
        events.push(page(1, at + ms, "https://workplace.clickworker.com/en/workplace/jobs"));
        run(&mut t, events);
        at += ms + 60 * S;
    }
    t
}

#[test]
fn a_typed_pay_becomes_a_record_of_the_measured_time_and_the_typed_pay() {
    let mut t = tracker_waiting(&[600 * S, 300 * S]);
    let first = t.waiting()[0].first;
    let event =
        priced(T0 + 3600 * S, "clickworker", PricedStretches::Started(first), ("reward", "1.35"), "usd");
    let finished = tasks(run(&mut t, vec![event.unwrap()]));
    assert_eq!(finished.len(), 1);
    let local = to_record(&finished[0], [7; 16], &install(), None).unwrap();
    let fields = analysis::record_to_json(&local.record);
    assert_eq!(fields.get("reward").and_then(Value::as_str), Some("1.35"));
    assert_eq!(fields.get("currency").and_then(Value::as_str), Some("USD"));
    assert_eq!(fields.get("active_seconds").and_then(Value::as_u64), Some(600));
    assert_eq!(fields.get("outcome").and_then(Value::as_str), Some("submitted"));
    assert_eq!(local.task_key, None);
    // The other stretch still waits; paying the first again finds nothing and says so.
    assert_eq!(t.waiting().len(), 1);
    let again = priced(T0 + 3600 * S, "clickworker", PricedStretches::Started(first), ("reward", "1"), "USD");
    let out = t.handle(again.unwrap());
    assert!(
        tasks(out.finished.clone()).is_empty() && out.problems[0].contains("no measured stretch"),
        "{out:?}"
    );
    assert_eq!(t.waiting().len(), 1);
}

#[test]
fn a_days_earnings_pay_that_days_stretches_by_active_time() {
    let mut t = tracker_waiting(&[100 * S, 300 * S]);
    let day = extension::stretches::local_day(t.waiting()[0].first, 120);
    let which = PricedStretches::LocalDay { day, utc_offset_minutes: 120 };
    let event = priced(T0 + 3600 * S, "clickworker", which, ("amount", "2"), "EUR").unwrap();
    let finished = tasks(run(&mut t, vec![event]));
    let rewards: Vec<String> = finished
        .iter()
        .map(|f| match &f.what {
            FinishedWhat::Task { details, .. } => format!("{} {}", details.reward, details.currency),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(rewards, ["0.5 EUR", "1.5 EUR"]);
    assert!(t.waiting().is_empty());
}

#[test]
fn an_absurd_typed_pay_is_refused_before_any_stretch_is_touched() {
    for (field, amount, currency) in
        [("reward", "250000", "USD"), ("amount", "1001", "USD"), ("amount", "5000000", "JPY")]
    {
        let error =
            priced(T0, "clickworker", PricedStretches::Started(T0), (field, amount), currency).unwrap_err();
        assert_eq!(error.field, field);
        assert!(error.problem.contains("no task or day of microwork pays more than 1000 USD"), "{error}");
    }
    // Within the bound in its own currency: 100,000 yen is under 1,000 dollars.
    priced(T0, "clickworker", PricedStretches::Started(T0), ("amount", "100000"), "JPY").unwrap();
    let error = priced(T0, "nowhere", PricedStretches::Started(T0), ("reward", "1"), "USD").unwrap_err();
    assert_eq!(error.field, "platform");
    let error = priced(T0, "clickworker", PricedStretches::Started(T0), ("reward", "1"), "US$").unwrap_err();
    assert_eq!(error.field, "currency");
}

#[test]
fn malformed_and_hostile_typed_pay_is_refused_naming_the_field() {
    for (text, problem) in [
        ("", "is empty"),
        ("  ", "is empty"),
        ("-1", "not a decimal amount"),
        ("abc", "not a decimal amount"),
        ("1,50", "not a decimal amount"),
        ("$2", "not a decimal amount"),
        ("1e3", "not a decimal amount"),
        ("NaN", "not a decimal amount"),
        ("0.1234567", "more than 6 decimal places"),
        ("99999999999999999999", "larger than any plausible amount"),
        ("<script>alert(1)</script>", "not a decimal amount"),
    ] {
        let error = typed_amount("reward", text).unwrap_err();
        assert_eq!(error.field, "reward", "{text}");
        assert!(error.to_string().starts_with("reward: "), "{error}");
        assert!(error.problem.contains(problem), "{text}: {error}");
    }
    assert_eq!(typed_amount("amount", " 0.5 ").unwrap().to_string(), "0.5");
    assert_eq!(typed_amount("amount", "0").unwrap(), Money::ZERO);
    assert_eq!(typed_currency("currency", " eur").unwrap(), Currency::parse("EUR").unwrap());
    assert_eq!(typed_currency("currency", "EURO").unwrap_err().field, "currency");
    assert_eq!(typed_currency("currency", "").unwrap_err().field, "currency");
    assert_eq!(typed_day("day", "2026-02-30").unwrap_err().field, "day");
    assert_eq!(typed_day("day", "2026-12-01").unwrap(), 20_788);
    // The message itself, malformed, is refused with its field named.
    let message = |text: &str| Message::from_json(&analysis::json::parse(text).unwrap()).map(drop);
    let error = message(
        r#"{"kind":"price_stretch","platform":"uhrs","started":"soon","reward":"1","currency":"USD"}"#,
    )
    .unwrap_err();
    assert!(error.to_string().starts_with("started: "), "{error}");
    let error =
        message(r#"{"kind":"price_day","platform":"clickworker","day":"2026-12-01","currency":"USD"}"#)
            .unwrap_err();
    assert!(error.to_string().starts_with("amount: "), "{error}");
}

#[test]
fn a_days_earnings_are_split_by_active_time_to_the_last_decimal() {
    let stretches = [stretch(T0, 100 * S), stretch(T0 + 1000 * S, 200 * S), stretch(T0 + 2000 * S, 400 * S)];
    let shares = spread(Money::parse("7").unwrap(), &stretches);
    let shown: Vec<String> = shares.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["1", "2", "4"]);
    let shares = spread(Money::parse("1").unwrap(), &stretches);
    assert_eq!(shares.iter().fold(Money::ZERO, |sum, share| sum + *share), Money::parse("1").unwrap());
    assert_eq!(shares[0].to_string(), "0.142857");
    assert_eq!(spread(Money::ZERO, &stretches), vec![Money::ZERO; 3]);
}

#[test]
fn the_waiting_list_shows_what_was_measured_beside_what_the_worker_types() {
    let t = |key: &str, args: &[&str]| {
        format!("[{key}{}]", args.iter().map(|a| format!(" {a}")).collect::<String>())
    };
    assert!(render_waiting(&[], 0, Currency::USD, &t).is_empty());
    let waiting = [stretch(T0, 65 * S), stretch(T0 + 3600 * S, 754 * S)];
    let page = html(&render_waiting(&waiting, 60, Currency::parse("EUR").unwrap(), &t));
    // In the order they finished, in the worker's time, with active and wall time measured.
    let first = page.find("data-stretch=\"clickworker-1780000000000\"").unwrap();
    let second = page.find("data-stretch=\"clickworker-1780003600000\"").unwrap();
    assert!(first < second, "{page}");
    assert!(page.contains("<td>2026-05-28 21:26</td>"), "{page}");
    assert!(page.contains("<td data-measured=\"active\">12:34</td>"), "{page}");
    assert!(page.contains("<td data-measured=\"span\">1:10</td>"), "{page}");
    assert!(page.contains("[waitingPay]") && page.contains("[waitingActive]"), "{page}");
    assert!(page.contains("id=\"pay-clickworker-1780000000000\""), "{page}");
    assert!(
        page.contains("id=\"currency-clickworker-1780000000000\" data-field=\"currency\" value=\"EUR\""),
        "{page}"
    );
    assert!(page.contains("data-action=\"price-stretch:clickworker:1780000000000\""), "{page}");
    assert!(page.contains("<option value=\"clickworker|2026-05-28\">[waitingDayOption clickworker 2026-05-28 2 13:39]</option>"), "{page}");
}

/// The message names of a locale's `messages.json`.
fn message_names(language: &str) -> std::collections::BTreeSet<String> {
    let path = format!("{}/static/_locales/{language}/messages.json", env!("CARGO_MANIFEST_DIR"));
    let Value::Object(messages) = analysis::json::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
    else {
        panic!("{language}: not an object")
    };
    messages.iter().map(|(name, _)| name.to_owned()).collect()
}

#[test]
fn every_message_of_the_time_tier_is_in_english_and_french() {
    let (english, french) = (message_names("en"), message_names("fr"));
    let asked = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let record = |key: &str, _: &[&str]| {
        asked.borrow_mut().insert(key.to_owned());
        String::new()
    };
    let many: Vec<Stretch> = (0..60).map(|i| stretch(T0 + i * 3600 * S, 60 * S)).collect();
    render_waiting(&many, 0, Currency::USD, &record);
    // The popup's own: the settings' list, its statuses, the note on measured and typed figures.
    let mut asked = asked.into_inner();
    asked.extend(
        [
            "platformsTitle",
            "platformsHelp",
            "platformOn",
            "platformRefused",
            "platformOff",
            "waitingSaved",
            "typedPayNote",
        ]
        .map(str::to_owned),
    );
    for key in &asked {
        assert!(english.contains(key) && french.contains(key), "{key} missing in a language");
    }
    let html = include_str!("../static/popup.html");
    for key in ["typedPayNote", "platformsTitle", "platformsHelp"] {
        assert!(html.contains(&format!("data-i18n=\"{key}\"")), "{key}");
    }
}

/// The typed-pay forms as the popup sends them: a stretch's pay (`reward`) or a day's earnings
/// (`amount`), with a currency, the day from the day's list.
fn refused_field(which: &str, amount: &str, currency: &str, day: &str) -> Option<&'static str> {
    let stretch = PricedStretches::Started(T0);
    let result = if which == "reward" {
        priced(T0, "uhrs", stretch, ("reward", amount), currency)
    } else {
        typed_day("day", day).and_then(|day| {
            let which = PricedStretches::LocalDay { day, utc_offset_minutes: 0 };
            priced(T0, "uhrs", which, ("amount", amount), currency)
        })
    };
    result.err().map(|error| error.field)
}

#[test]
fn each_refusal_of_typed_pay_is_explained_in_english_and_french_beside_the_input_it_names() {
    let mut fields = std::collections::BTreeSet::new();
    for which in ["reward", "amount"] {
        for (amount, currency, day) in [
            ("", "USD", "2026-05-28"),
            ("0,35", "USD", "2026-05-28"),
            ("-1", "USD", "2026-05-28"),
            ("1e3", "USD", "2026-05-28"),
            ("5000", "USD", "2026-05-28"),
            ("<script>", "USD", "2026-05-28"),
            ("0.35", "EURO", "2026-05-28"),
            ("0.35", "", "2026-05-28"),
            ("0.35", "USD", "2026-02-30"),
            ("0.35", "USD", ""),
        ] {
            if let Some(field) = refused_field(which, amount, currency, day) {
                fields.insert(field);
            }
        }
    }
    assert_eq!(fields.into_iter().collect::<Vec<_>>(), ["amount", "currency", "day", "reward"]);
    // The popup explains a refusal with `invalid_<field>`, whose $1 is what was typed, and marks
    // the input of that `data-field` in the stretch's row or the day's form.
    let (english, french) = (message_names("en"), message_names("fr"));
    for field in ["amount", "currency", "day", "reward"] {
        let key = format!("invalid_{field}");
        assert!(english.contains(&key) && french.contains(&key), "{key} missing in a language");
        for language in ["en", "fr"] {
            assert!(
                message_text(language, &key).contains("$1"),
                "{language} {key} does not say what was typed"
            );
        }
    }
    let rows = html(&render_waiting(&[stretch(T0, 60 * S)], 0, Currency::USD, &|key, _| key.to_owned()));
    for (id, field) in [
        ("pay-clickworker-1780000000000", "reward"),
        ("currency-clickworker-1780000000000", "currency"),
        ("day-amount", "amount"),
        ("day-currency", "currency"),
        ("day-choice", "day"),
    ] {
        let at = rows.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id} in {rows}"));
        let tag = &rows[rows[..at].rfind('<').unwrap()..at + rows[at..].find('>').unwrap()];
        assert!(tag.contains(&format!("data-field=\"{field}\"")), "{tag}");
    }
    assert!(
        include_str!("../static/popup.html").contains("<p id=\"pay-error\" class=\"field-error\" hidden>")
    );
}

/// The text of one message of a locale's `messages.json`.
fn message_text(language: &str, key: &str) -> String {
    let path = format!("{}/static/_locales/{language}/messages.json", env!("CARGO_MANIFEST_DIR"));
    let messages = analysis::json::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    messages.get(key).and_then(|m| m.get("message")).and_then(Value::as_str).unwrap_or_default().to_owned()
}
