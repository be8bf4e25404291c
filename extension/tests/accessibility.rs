//! What the popup's figures say, rendered with the real messages of `_locales` in English and
//! French: numbers as each language writes them (a decimal comma in French, a no-break space
//! before every unit), money always with two decimals, a headline that says "per hour" once,
//! a chart with its dates, a scale and its figures as a table; and every setting the form can
//! refuse explained in the worker's language, naming the field, on a field the page can mark.

use std::collections::BTreeMap;

use analysis::{Currency, InstallId, Money, Outcome, Platform, Timestamp};
use extension::adapters::TaskDetails;
use extension::dashboard::{FigureFormat, dashboard, render};
use extension::records::to_record;
use extension::settings::{Settings, SettingsForm};
use extension::store::DailyTotals;
use extension::tracker::{Finished, FinishedWhat};
use extension::view::html;

const NOW: &str = "2026-12-01T20:00:00Z";

fn messages(language: &str) -> BTreeMap<String, String> {
    let path = format!("{}/static/_locales/{language}/messages.json", env!("CARGO_MANIFEST_DIR"));
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    value
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, entry)| (key.clone(), entry["message"].as_str().unwrap().to_owned()))
        .collect()
}

/// A message with its `$1`… substitutions, as `browser.i18n.getMessage` gives it.
fn translate(messages: &BTreeMap<String, String>, key: &str, args: &[&str]) -> String {
    let mut text = messages.get(key).unwrap_or_else(|| panic!("no message {key}")).clone();
    for (index, arg) in args.iter().enumerate().rev() {
        text = text.replace(&format!("${}", index + 1), arg);
    }
    text.replace("$$", "$")
}

/// A task finished an hour before `NOW`, `active_minutes` long, paid `reward` dollars.
fn task(platform: Platform, reward: &str, active_minutes: i64) -> analysis::Record {
    let ended = Timestamp::parse(NOW).unwrap().unix_seconds() * 1000 - 3_600_000;
    let finished = Finished {
        platform,
        started: ended - active_minutes * 60_000,
        ended,
        active_ms: active_minutes * 60_000,
        what: FinishedWhat::Task {
            key: format!("{platform}-{reward}"),
            outcome: Outcome::Submitted,
            details: TaskDetails {
                reward: Money::parse(reward).unwrap(),
                currency: Currency::USD,
                title: None,
                requester: None,
                advertised: None,
                auto_approval_seconds: None,
            },
            bonus: Money::ZERO,
        },
    };
    to_record(&finished, [7; 16], &InstallId::parse("local-test").unwrap(), None).unwrap().record
}

/// The popup's figures in `language` for 4.50 dollars in 30 minutes on MTurk and 16.01 in an
/// hour on Prolific.
fn popup(language: &str) -> String {
    let mut daily = DailyTotals::default();
    daily.add(&task(Platform::Mturk, "4.5", 30), 0);
    daily.add(&task(Platform::Prolific, "16.01", 60), 0);
    let now = Timestamp::parse(NOW).unwrap();
    let view = dashboard(&daily, now.unix_seconds().div_euclid(86_400), None, now);
    let messages = messages(language);
    let display = FigureFormat {
        currency: Currency::USD,
        at: now,
        country_name: "",
        decimal_separator: &messages["decimalSeparator"],
        region_name: "",
    };
    html(&render(&view, display, &|key: &str, args: &[&str]| translate(&messages, key, args)))
}

/// The text of the first element that starts with `start`, tags removed.
fn text_of(html: &str, start: &str) -> String {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start} in {html}"));
    let tag = &start[1..start.find([' ', '>']).unwrap()];
    let to = from + html[from..].find(&format!("</{tag}>")).unwrap();
    without_tags(&html[from..to])
}

/// The texts of `html`, without its tags (and their attributes' machine-readable figures).
fn without_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[test]
fn numbers_are_written_as_each_language_writes_them_and_money_always_with_cents() {
    // 20.51 dollars in 1.5 hours: 13.67 an hour.
    for (language, wage, mturk, prolific, hours) in [
        ("en", "13.67\u{a0}USD/h", "4.50\u{a0}USD", "16.01\u{a0}USD", "1.50"),
        ("fr", "13,67\u{a0}USD/h", "4,50\u{a0}USD", "16,01\u{a0}USD", "1,50"),
    ] {
        let html = popup(language);
        let today = &html[html.find(r#"data-period="today""#).unwrap()..];
        assert_eq!(text_of(today, r#"<span data-figure="wage""#), wage, "{language}");
        assert!(text_of(today, r#"<dd data-figure="paid-hours""#) == hours, "{language}: {today}");
        let platforms = &html[html.find(r#"class="breakdown""#).unwrap()..];
        assert!(
            text_of(platforms, r#"<tr data-platform="mturk""#).starts_with(&format!("mturk{mturk}")),
            "{language}: {platforms}"
        );
        assert!(
            text_of(platforms, r#"<tr data-platform="prolific""#).starts_with(&format!("prolific{prolific}")),
            "{language}"
        );
        // No amount lost its cents, nor any number its language's separator.
        let text = without_tags(&html);
        assert!(
            !text.contains("4.5\u{a0}") && !text.contains("4,5\u{a0}") && !text.contains("4.5 "),
            "{text}"
        );
        let other = if language == "fr" { "13.67" } else { "13,67" };
        assert!(!text.contains(other), "{language}: {text}");
    }
}

#[test]
fn the_headline_says_per_hour_once() {
    for (language, per_hour) in [("en", "per hour"), ("fr", "par heure")] {
        let html = popup(language);
        let headline = text_of(&html, r#"<p class="headline""#);
        assert!(headline.contains("USD/h"), "{headline}");
        assert!(!headline.to_lowercase().contains(per_hour), "{language}: {headline}");
    }
}

#[test]
fn the_chart_has_its_dates_a_scale_and_its_figures_as_text() {
    for (language, hours_label, paid) in [("en", "2 h", "1.50"), ("fr", "2 h", "1,50")] {
        let html = popup(language);
        let chart = &html[html.find(r#"class="chart""#).unwrap()..];
        // An axis, its scale from 0 to the next whole hour above the tallest day (1.5 hours).
        assert!(chart.contains(r#"<path class="axis""#), "{chart}");
        assert!(chart.contains(r#"text-anchor="end">0</text>"#), "{chart}");
        assert!(chart.contains(&format!(r#"text-anchor="end">{hours_label}</text>"#)), "{chart}");
        // Each of the 14 days under its bar, by its day of the month: 18 November to 1 December.
        let days: Vec<String> = chart
            .match_indices(r#"text-anchor="middle">"#)
            .map(|(at, found)| chart[at + found.len()..].split('<').next().unwrap().to_owned())
            .collect();
        let expected: Vec<String> = (18..=30).chain(1..=1).map(|day| day.to_string()).collect();
        assert_eq!(days, expected);
        // The same figures as a table: a row per date with its paid and unpaid hours.
        let table = &chart[chart.find(r#"data-figure="chart-figures""#).unwrap()..];
        assert_eq!(table.matches(r#"<th scope="row">"#).count(), 14);
        assert!(table.contains(r#"<th scope="row">2026-11-18</th>"#), "{table}");
        assert!(table.contains(&format!(r#"<th scope="row">2026-12-01</th><td>{paid}</td>"#)), "{table}");
        assert!(chart.contains("<summary>"), "the table is behind a summary: {chart}");
    }
}

#[test]
fn a_refused_setting_is_explained_in_the_workers_language_on_its_field() {
    let popup_html =
        std::fs::read_to_string(format!("{}/static/popup.html", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let form = |country: &str, currency: &str, idle: &str, url: &str, sharing: bool| SettingsForm {
        country: country.to_owned(),
        region: String::new(),
        display_currency: currency.to_owned(),
        idle_cutoff_seconds: idle.to_owned(),
        collector_url: url.to_owned(),
        sharing,
        onboarding: String::new(),
    };
    let region = SettingsForm { region: "US-ZZ".to_owned(), ..form("US", "USD", "60", "", false) };
    // Each field the settings can refuse, what was typed, and the message that names it.
    for (bad, typed, label) in [
        (form("ZZ", "EUR", "60", "", false), "ZZ", "country"),
        (region, "US-ZZ", "region"),
        (form("FR", "euro", "60", "", false), "euro", "displayCurrency"),
        (form("FR", "EUR", "4", "", false), "4", "idleCutoff"),
        (
            form("FR", "EUR", "60", "http://collector.example.org", false),
            "http://collector.example.org",
            "collectorUrl",
        ),
        (form("FR", "EUR", "60", "", true), "", "collectorUrl"),
    ] {
        let field = Settings::from_form(&bad).unwrap_err().field;
        assert!(popup_html.contains(&format!(r#"data-field="{field}""#)), "no field of the form is {field}");
        for language in ["en", "fr"] {
            let messages = messages(language);
            let shown = translate(&messages, &format!("invalid_{field}"), &[typed]);
            // The field's name as its label says it, before the label's explanation in brackets.
            let name = messages[label].split(" (").next().unwrap().to_lowercase();
            assert!(shown.to_lowercase().contains(&name), "{language} {field}: {shown} does not name {name}");
            assert!(shown.contains(typed), "{language} {field}: {shown}");
            assert!(
                !shown.contains("ISO 3166") && !shown.contains("is not an assigned"),
                "{language} {field}: {shown}"
            );
        }
    }
}
