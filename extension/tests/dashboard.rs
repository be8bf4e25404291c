//! The popup's minimum wage: the one in force on the day for the worker's country and region,
//! shown with its amount, date and source, or the reason there is none, and never a comparison
//! without a number; and every message the dashboard asks for, in English and French.

use std::cell::RefCell;
use std::collections::BTreeSet;

use analysis::minimum_wage::{self, Basis, Jurisdiction, Threshold};
use analysis::time::Date;
use analysis::{Currency, InstallId, Money, Outcome, Platform, Timestamp};
use extension::adapters::TaskDetails;
use extension::dashboard::{Dashboard, FigureFormat, WorkerMinimum, dashboard, render};
use extension::records::to_record;
use extension::store::DailyTotals;
use extension::tracker::{Finished, FinishedWhat};
use extension::view::html;

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn minimum(code: &str, now: &str) -> WorkerMinimum {
    WorkerMinimum::in_force(Jurisdiction::parse(code).unwrap(), at(now))
}

/// The row in force and its hourly amount in local currency, rounded to cents.
fn known(minimum: &WorkerMinimum) -> (String, String, String) {
    let Threshold::Known(row) = minimum.threshold else { panic!("{minimum:?} is not known") };
    let hourly = row.hourly_local().unwrap().round_dp(2);
    (format!("{hourly:.2}"), row.rate.unwrap().currency.to_string(), row.in_force_from.to_string())
}

#[test]
fn the_minimum_is_the_one_in_force_for_the_country_and_region() {
    let check = |code: &str, now: &str, expected: (&str, &str, &str)| {
        let found = minimum(code, now);
        let (amount, currency, since) = known(&found);
        assert_eq!((amount.as_str(), currency.as_str(), since.as_str()), expected, "{code} at {now}");
        assert!(found.hourly_usd.is_some_and(|usd| usd > 0.0), "{code} at {now} converts to dollars");
    };
    check("GB", "2026-12-01T12:00:00Z", ("12.71", "GBP", "2026-04-01"));
    check("GB", "2026-03-31T23:59:59Z", ("12.21", "GBP", "2025-04-01"));
    check("US-CA", "2025-06-01T12:00:00Z", ("16.50", "USD", "2025-01-01"));
    check("US-CA", "2026-12-01T12:00:00Z", ("16.90", "USD", "2026-01-01"));
    check("US", "2026-12-01T12:00:00Z", ("7.25", "USD", "2009-07-24"));
    check("CA-ON", "2026-12-01T12:00:00Z", ("17.60", "CAD", "2025-10-01"));
    check("FR", "2026-12-01T12:00:00Z", ("12.31", "EUR", "2026-06-01"));
    // A dollar minimum is the same number in dollars.
    assert_eq!(minimum("US-CA", "2025-06-01T12:00:00Z").hourly_usd, Some(16.5));
    // Canada without a province: only the lowest provincial rate.
    let Threshold::Known(row) = minimum("CA", "2026-12-01T12:00:00Z").threshold else { panic!("CA") };
    assert_eq!(row.basis, Basis::LowestRegional);
}

#[test]
fn today_the_minimum_is_the_last_row_in_force() {
    let now = Timestamp::nearest_to_unix_seconds(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64,
    );
    let today = Date::of(now);
    for code in ["GB", "FR", "US-CA"] {
        let jurisdiction = Jurisdiction::parse(code).unwrap();
        let latest = minimum_wage::rows()
            .iter()
            .rfind(|row| row.jurisdiction() == code && row.in_force_from <= today)
            .unwrap();
        let found = WorkerMinimum::in_force(jurisdiction, now);
        assert_eq!(found.threshold.row(), Some(latest), "{code} on {today}");
    }
}

#[test]
fn without_a_statutory_or_known_minimum_there_is_a_reason_and_no_number() {
    let check = |code: &str, now: &str, status: &str, reason: &str| {
        let found = minimum(code, now);
        assert_eq!(found.threshold.status(), status, "{code}");
        assert_eq!(found.hourly_usd, None, "{code}");
        let given = found.threshold.reason(&found.jurisdiction).unwrap();
        assert!(given.contains(reason), "{code}: {given}");
    };
    check("DK", "2026-12-01T12:00:00Z", "none", "DK has no statutory minimum wage");
    check("JP", "2026-12-01T12:00:00Z", "unknown", "no minimum wage of JP is in the shipped sources");
    check("GB", "2010-06-01T12:00:00Z", "unknown", "only from 2015-10-01");
}

/// A day of work on MTurk at 8.25 dollars an hour, and the popup's figures for it.
fn popup(code: Option<&str>, now: &str) -> (Dashboard, String) {
    let now = at(now);
    let started = now.unix_seconds() * 1000 - 4 * 3_600_000;
    let finished = Finished {
        platform: Platform::Mturk,
        started,
        ended: started + 3_600_000,
        active_ms: 3_600_000,
        what: FinishedWhat::Task {
            key: "task".to_owned(),
            outcome: Outcome::Submitted,
            details: TaskDetails {
                reward: Money::parse("8.25").unwrap(),
                currency: Currency::USD,
                title: None,
                requester: None,
                advertised: None,
                auto_approval_seconds: None,
            },
            bonus: Money::ZERO,
        },
    };
    let install = InstallId::parse("local-test").unwrap();
    let jurisdiction = code.map(|code| Jurisdiction::parse(code).unwrap());
    let record = to_record(&finished, [1; 16], &install, jurisdiction.map(|j| j.country)).unwrap();
    let mut daily = DailyTotals::default();
    daily.add(&record.record, 0);
    let view = dashboard(&daily, now.unix_seconds().div_euclid(86_400), jurisdiction, now);
    let display = FigureFormat {
        currency: Currency::USD,
        at: now,
        country_name: "Name",
        decimal_separator: ".",
        region_name: "Region",
    };
    let html =
        html(&render(&view, display, &|key: &str, args: &[&str]| format!("{key}({})", args.join("|"))));
    (view, html)
}

#[test]
fn the_popup_shows_the_workers_threshold_beside_the_comparison() {
    let (view, html) = popup(Some("US-CA"), "2025-06-01T20:00:00Z");
    assert_eq!(view.minimum.unwrap().hourly_usd, Some(16.5));
    assert!(
        html.contains(
            "minimumThreshold(Region|16.50\u{a0}USD/h|2025-01-01|EPI chart &quot;2024 and 2025 minimum wages, size of increase, and type of increase by state&quot;)"
        ),
        "{html}"
    );
    assert!(html.contains(r#"data-status="known" data-jurisdiction="US-CA" data-local="16.50" data-currency="USD" data-since="2025-01-01""#), "{html}");
    assert!(html.contains("belowMinimum(50|Region|16.50\u{a0}USD/h)"), "{html}");
    assert!(!html.contains("minimum-region-hint"), "a region is chosen: {html}");

    // The whole United States: the federal minimum, and an invitation to choose a state.
    let (_, html) = popup(Some("US"), "2025-06-01T20:00:00Z");
    assert!(
        html.contains(
            "minimumThreshold(Name|7.25\u{a0}USD/h|2009-07-24|VZ/Zipperer historicalminwage (DOL))"
        ),
        "{html}"
    );
    assert!(html.contains("atOrAboveMinimum(114|Name|7.25\u{a0}USD/h)"), "{html}");
    assert!(html.contains("minimumChooseRegion(Name)"), "{html}");

    // Canada without a province: the lowest provincial rate, said to be one.
    let (_, html) = popup(Some("CA"), "2026-12-01T20:00:00Z");
    assert!(html.contains("minimumThreshold(Name|15.00\u{a0}CAD/h|2024-10-01|"), "{html}");
    assert!(html.contains("minimumLowestRegional(Name)"), "{html}");

    // A country without regions in the table: no invitation.
    let (_, html) = popup(Some("GB"), "2026-12-01T20:00:00Z");
    assert!(html.contains("minimumThreshold(Name|12.71\u{a0}GBP/h|2026-04-01|"), "{html}");
    assert!(!html.contains("minimum-region-hint"), "{html}");
}

#[test]
fn without_a_number_the_reason_shows_and_nothing_is_compared() {
    for (code, reason) in [
        ("DK", "minimumReasonNone(Name|Eurostat"),
        ("JP", "minimumReasonNotInSources(Name)"),
        ("NG", "minimumReasonNoHours(Name|70000 NGN perMonth())"),
        ("CY", "minimumReasonAmountUnknown(Name|2023-01-01)"),
    ] {
        let (view, html) = popup(Some(code), "2026-12-01T20:00:00Z");
        assert!(
            view.today.all.hourly_wage_usd(analysis::Method::All).is_some(),
            "there is a wage to compare"
        );
        assert!(html.contains(&format!("minimumNoComparison({reason}")), "{html}");
        assert!(!html.contains("data-figure=\"minimum\""), "{code}: no comparison: {html}");
        assert!(!html.contains("minimumThreshold"), "{code}: no number: {html}");
    }
    // No country set: neither a threshold nor a comparison.
    let (view, html) = popup(None, "2026-12-01T20:00:00Z");
    assert_eq!(view.minimum, None);
    assert!(!html.contains("minimum"), "{html}");
}

#[test]
fn before_anything_is_measured_one_message_replaces_the_three_periods() {
    let now = at("2026-12-01T20:00:00Z");
    let today = now.unix_seconds().div_euclid(86_400);
    let t = |key: &str, args: &[&str]| format!("{key}({})", args.join("|"));
    let empty = DailyTotals::default();
    for code in [None, Some("FR")] {
        let jurisdiction = code.map(|code| Jurisdiction::parse(code).unwrap());
        let view = dashboard(&empty, today, jurisdiction, now);
        assert!(!view.measured);
        let display = FigureFormat {
            currency: Currency::USD,
            at: now,
            country_name: "France",
            decimal_separator: ".",
            region_name: "",
        };
        let html = html(&render(&view, display, &t));
        assert_eq!(html.matches("nothingMeasured()").count(), 1, "{html}");
        assert!(!html.contains("noTimeYet") && !html.contains("data-period"), "no empty periods: {html}");
        assert!(!html.contains("noRecords") && !html.contains("<svg"), "no empty table or chart: {html}");
        // The worker's minimum still shows, with its date and source, once a country is set.
        assert_eq!(
            html.contains("minimumThreshold(France|12.31\u{a0}EUR/h|2026-06-01|"),
            code.is_some(),
            "{html}"
        );
    }
    // One measured day, even a month ago: the periods are back, empty ones included.
    let (view, html) = popup(Some("FR"), "2026-12-01T20:00:00Z");
    assert!(view.measured);
    assert!(!html.contains("nothingMeasured") && html.matches("data-period=").count() == 3, "{html}");
}

fn messages(language: &str) -> BTreeSet<String> {
    let path = format!("{}/static/_locales/{language}/messages.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn every_message_the_dashboard_asks_for_is_in_english_and_french() {
    let english = messages("en");
    assert_eq!(english, messages("fr"), "the same messages in both languages");
    let asked = RefCell::new(BTreeSet::new());
    for code in ["US-CA", "US", "CA", "DK"] {
        let (view, _) = popup(Some(code), "2026-12-01T20:00:00Z");
        let display = FigureFormat {
            currency: Currency::parse("EUR").unwrap(),
            at: at("2026-12-01T20:00:00Z"),
            country_name: "Name",
            decimal_separator: ".",
            region_name: "Region",
        };
        render(&view, display, &|key: &str, _: &[&str]| {
            asked.borrow_mut().insert(key.to_owned());
            String::new()
        });
    }
    let missing: Vec<_> = asked.borrow().difference(&english).cloned().collect();
    assert!(missing.is_empty(), "{missing:?}");
    let empty = dashboard(&DailyTotals::default(), 0, None, at("2026-12-01T20:00:00Z"));
    let display = FigureFormat {
        currency: Currency::USD,
        at: at("2026-12-01T20:00:00Z"),
        country_name: "",
        decimal_separator: ".",
        region_name: "",
    };
    render(&empty, display, &|key: &str, _: &[&str]| {
        asked.borrow_mut().insert(key.to_owned());
        String::new()
    });
    let missing: Vec<_> = asked.borrow().difference(&english).cloned().collect();
    assert!(missing.is_empty(), "{missing:?}");
    for key in ["region", "regionWhole"] {
        assert!(english.contains(key), "{key}");
    }
}
