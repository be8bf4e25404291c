//! The requester history: rows per requester and project with the library's wage, pay states
//! from the platforms' reports (pending, approved, rejected, paid, overdue past the auto-approval
//! period), advertised against measured rates, search and sort over a large history, both
//! languages; and the store's old lines, which must still read.

use std::cell::RefCell;
use std::collections::BTreeSet;

use analysis::{Currency, InstallId, Money, Outcome, Platform, Timestamp};
use extension::adapters::{Advertised, TaskDetails};
use extension::dashboard::FigureFormat;
use extension::pay::{PayBook, PayReport, PayState, Standing};
use extension::records::{LocalRecord, to_record};
use extension::requesters::view::render;
use extension::requesters::{History, Query, SortKey};
use extension::store::{decode_chunk, decode_line, encode_line};
use extension::tracker::{Finished, FinishedWhat, Millis};
use extension::upload::outgoing;
use extension::view::html;

const T0: Millis = 1_780_000_000_000;
const DAY: Millis = 86_400_000;

struct Task<'a> {
    platform: Platform,
    key: &'a str,
    requester: &'a str,
    title: &'a str,
    outcome: Outcome,
    reward: &'a str,
    currency: &'a str,
    active_s: i64,
    advertised: Option<(&'a str, u64)>,
    auto_approval_seconds: Option<u64>,
}

fn task<'a>(
    key: &'a str,
    requester: &'a str,
    title: &'a str,
    outcome: Outcome,
    reward: &'a str,
    active_s: i64,
) -> Task<'a> {
    Task {
        platform: Platform::Mturk,
        key,
        requester,
        title,
        outcome,
        reward,
        currency: "USD",
        active_s,
        advertised: None,
        auto_approval_seconds: None,
    }
}

fn finished(task: &Task<'_>, ended: Millis) -> Finished {
    Finished {
        platform: task.platform,
        started: ended - task.active_s * 1000,
        ended,
        active_ms: task.active_s * 1000,
        what: FinishedWhat::Task {
            key: task.key.to_owned(),
            outcome: task.outcome,
            details: TaskDetails {
                reward: Money::parse(task.reward).unwrap(),
                currency: Currency::parse(task.currency).unwrap(),
                title: Some(task.title.to_owned()),
                requester: Some(task.requester.to_owned()),
                advertised: task
                    .advertised
                    .map(|(reward, seconds)| Advertised { reward: Money::parse(reward).unwrap(), seconds }),
                auto_approval_seconds: task.auto_approval_seconds,
            },
            bonus: Money::ZERO,
        },
    }
}

/// Records the tasks as the background does: the record, and a submitted one pending.
fn record(tasks: &[Task<'_>], book: &mut PayBook) -> Vec<LocalRecord> {
    let install = InstallId::parse("local-test").unwrap();
    tasks
        .iter()
        .enumerate()
        .map(|(index, task)| {
            let done = finished(task, T0 + index as Millis * 600_000);
            book.record_finished(&done);
            to_record(&done, [index as u8; 16], &install, None).unwrap()
        })
        .collect()
}

fn report(key: &str, state: PayState, at: Millis) -> PayReport {
    PayReport { platform: Platform::Mturk, key: key.to_owned(), state, at }
}

fn display() -> FigureFormat<'static> {
    FigureFormat {
        currency: Currency::USD,
        at: Timestamp::from_unix_seconds(T0 / 1000).unwrap(),
        country_name: "France",
        decimal_separator: ".",
        region_name: "",
    }
}

fn english(key: &str, args: &[&str]) -> String {
    format!("{key}({})", args.join("|"))
}

#[test]
fn a_requesters_row_counts_returned_time_and_the_wage_follows_the_pay() {
    let mut book = PayBook::default();
    let records = record(
        &[
            task("A1", "Street Scenes Lab", "Label street images", Outcome::Submitted, "0.50", 300),
            task("A2", "Street Scenes Lab", "Label street images", Outcome::Returned, "0.50", 300),
            task("A3", "Street Scenes Lab", "Label street images", Outcome::Submitted, "0.50", 600),
            task("B1", "Receipt Data Co", "Transcribe receipts", Outcome::Submitted, "1.20", 1200),
        ],
        &mut book,
    );
    let now = T0 + DAY;
    let history = History::build(&records, &book, now);
    assert_eq!(history.groups.len(), 2);
    let street = history.groups.iter().find(|g| g.total.requester == "Street Scenes Lab").unwrap();
    assert_eq!(street.total.tasks, 3);
    assert_eq!((street.total.submitted_seconds, street.total.returned_seconds), (900, 300));
    // $1.00 pending over 1200 s of task time, the returned task's included: $3.00 an hour.
    assert!((street.total.wage_usd().unwrap() - 3.0).abs() < 1e-9);
    assert_eq!(street.total.approved_wage_usd(), Some(0.0));
    assert_eq!(street.total.pending_usd.normalize().to_string(), "1");

    // The status page says A1 approved, A3 rejected: approved pay, and the wage falls.
    book.apply(&report("A1", PayState::Approved, T0 + DAY / 2));
    book.apply(&report("A3", PayState::Rejected, T0 + DAY / 2));
    let history = History::build(&records, &book, now);
    let street = history.groups.iter().find(|g| g.total.requester == "Street Scenes Lab").unwrap();
    assert_eq!(street.total.approved_usd.normalize().to_string(), "0.5");
    assert_eq!(street.total.rejected_usd.normalize().to_string(), "0.5");
    assert!((street.total.wage_usd().unwrap() - 1.5).abs() < 1e-9);
    assert!((street.total.approved_wage_usd().unwrap() - 1.5).abs() < 1e-9);
    // Approved about half a day after its submission.
    let approval = street.total.mean_approval_seconds().unwrap();
    assert!((approval - 43_200).abs() <= 600, "{approval}");
    // MTurk's "Paid" is approved too; a repeated report keeps its first time.
    book.apply(&report("A1", PayState::Paid, T0 + DAY));
    book.apply(&report("A1", PayState::Paid, T0 + 2 * DAY));
    assert_eq!(book.get(Platform::Mturk, "A1").unwrap().since, T0 + DAY);
    let history = History::build(&records, &book, now);
    assert_eq!(history.all.approved_usd.normalize().to_string(), "0.5");
    assert_eq!(history.all.pending_usd.normalize().to_string(), "1.2");
}

#[test]
fn a_task_pending_past_the_auto_approval_period_is_flagged_not_kept_pending() {
    let mut book = PayBook::default();
    let mut own_delay = task("C1", "Quick Approver", "Tag photos", Outcome::Submitted, "0.10", 60);
    own_delay.auto_approval_seconds = Some(3 * 24 * 3600);
    let mut prolific = task("P1", "Language Lab", "Reading comprehension", Outcome::Submitted, "0.90", 360);
    prolific.platform = Platform::Prolific;
    prolific.currency = "GBP";
    let records = record(
        &[own_delay, task("C2", "Slow Requester", "Survey", Outcome::Submitted, "1.00", 600), prolific],
        &mut book,
    );
    let standing = |now: Millis| {
        records.iter().map(|r| extension::requesters::standing(r, &book, now).unwrap().0).collect::<Vec<_>>()
    };
    assert_eq!(standing(T0 + 2 * DAY), [Standing::Pending; 3]);
    // The HIT's own three days have passed; MTurk's longest delay (30 days) and Prolific's
    // 21 days have not.
    assert_eq!(standing(T0 + 4 * DAY), [Standing::Overdue, Standing::Pending, Standing::Pending]);
    assert_eq!(standing(T0 + 22 * DAY), [Standing::Overdue, Standing::Pending, Standing::Overdue]);
    assert_eq!(standing(T0 + 31 * DAY), [Standing::Overdue; 3]);
    let history = History::build(&records, &book, T0 + 31 * DAY);
    assert_eq!(history.all.overdue, 3);
    let shown = html(&render(&history, &Query::default(), None, display(), &english));
    assert!(shown.contains("data-figure=\"overdue-note\""), "{shown}");
    // A record with no pay entry (imported, or stored before pay states were kept) is pending
    // from its end for the platform's period, then overdue too.
    let bare = LocalRecord::bare(records[1].record.clone());
    let no_book = PayBook::default();
    assert_eq!(extension::requesters::standing(&bare, &no_book, T0 + 2 * DAY).unwrap().0, Standing::Pending);
    assert_eq!(extension::requesters::standing(&bare, &no_book, T0 + 31 * DAY).unwrap().0, Standing::Overdue);
}

#[test]
fn a_study_shows_its_advertised_rate_beside_the_measured_one() {
    let mut book = PayBook::default();
    let mut study =
        task("S1", "Urban Mobility Group", "Attitudes to commuting", Outcome::Submitted, "1.50", 1200);
    study.platform = Platform::Prolific;
    study.advertised = Some(("1.50", 600));
    let mut screened =
        task("S2", "Urban Mobility Group", "Attitudes to commuting", Outcome::ScreenedOut, "0.14", 120);
    screened.platform = Platform::Prolific;
    screened.advertised = Some(("1.50", 600));
    let records = record(&[study, screened], &mut book);
    let history = History::build(&records, &book, T0 + DAY);
    let row = &history.groups[0].projects[0];
    // Promised: $1.50 for 10 minutes, $9.00 an hour; measured: $1.64 over 22 minutes.
    assert!((row.advertised_usd().unwrap() - 9.0).abs() < 1e-9);
    assert!((row.wage_usd().unwrap() - 1.64 / (1320.0 / 3600.0)).abs() < 1e-9);
    assert_eq!(row.screened_out_seconds, 120);
    let shown = html(&render(&history, &Query::default(), Some(12.0), display(), &english));
    assert!(shown.contains("data-figure=\"advertised\" data-usd=\"9.000000\""), "{shown}");
    // Bands as words and as a class: below $7.25 and below the worker's $12.
    assert!(
        shown
            .contains("class=\"band-low below-minimum\" data-figure=\"band\">bandLow() · bandBelowMinimum()"),
        "{shown}"
    );
}

#[test]
fn search_and_sort_run_over_a_large_history() {
    let mut book = PayBook::default();
    let names: Vec<String> = (0..600).map(|i| format!("Requester {i:03}")).collect();
    let titles: Vec<String> = (0..600).map(|i| format!("Project {}", i % 7)).collect();
    let tasks: Vec<Task<'_>> = (0..60_000)
        .map(|i| {
            let r = i % 600;
            let outcome = if i % 5 == 0 { Outcome::Returned } else { Outcome::Submitted };
            // Requester r pays (r + 1) cents per minute-long task.
            let reward: &'static str = Box::leak(format!("0.{:02}", (r % 99) + 1).into_boxed_str());
            let key: &'static str = Box::leak(format!("K{i}").into_boxed_str());
            task(key, &names[r], &titles[r], outcome, reward, 60)
        })
        .collect();
    let records = record(&tasks, &mut book);
    let history = History::build(&records, &book, T0);
    assert_eq!(history.groups.len(), 600);
    assert_eq!(history.all.tasks, 60_000);
    let by_wage = history.select(&Query { search: String::new(), sort: SortKey::Wage, descending: true });
    let wages: Vec<f64> = by_wage.iter().map(|g| g.total.wage_usd().unwrap()).collect();
    assert!(wages.windows(2).all(|w| w[0] >= w[1]));
    let by_name =
        history.select(&Query { search: String::new(), sort: SortKey::Requester, descending: false });
    assert_eq!(by_name[0].total.requester, "Requester 000");
    // Search matches names and titles, case-insensitively, over the whole history.
    let found = history.select(&Query { search: "requester 59".into(), ..Query::default() });
    assert_eq!(found.len(), 10);
    let found = history.select(&Query { search: "PROJECT 3".into(), ..Query::default() });
    assert!(found.iter().all(|g| g.projects.iter().all(|p| p.project == "Project 3")));
    assert_eq!(found.len(), (0..600).filter(|i| i % 7 == 3).count());
    let shown = html(&render(&history, &Query::default(), None, display(), &english));
    assert!(shown.contains("data-figure=\"history-more\">historyMore(400)"), "{shown:.200}");
    let none = html(&render(
        &history,
        &Query { search: "nobody".into(), ..Query::default() },
        None,
        display(),
        &english,
    ));
    assert!(none.contains("history-no-match"));
}

#[test]
fn names_titles_and_task_ids_never_leave_in_an_upload() {
    let mut book = PayBook::default();
    let mut hit =
        task("3KYQYYSHWX3A", "Street Scenes Lab", "Label street images", Outcome::Submitted, "0.50", 300);
    hit.advertised = Some(("0.50", 600));
    let records = record(&[hit], &mut book);
    let sent = outgoing(&records[0]).text();
    for private in ["Street Scenes Lab", "Label street images", "3KYQYYSHWX3A", "advertised", "600"] {
        assert!(!sent.contains(private), "{private} in {sent}");
    }
    let exported = analysis::format::records_to_csv([&records[0].record]);
    assert!(!exported.contains("Street Scenes Lab") && !exported.contains("3KYQYYSHWX3A"));
}

#[test]
fn old_store_lines_still_read_and_new_ones_keep_the_new_fields() {
    // A line as the store wrote it before task ids and advertised figures: 15 fields.
    let old = "0b0c6d3e-5a7e-4c1b-9d2a-7f1e2a3b4c5d\tlocal-x\tmturk\tFR\ttask\t\tsubmitted\t2026-03-02T10:00:00Z\t2026-03-02T10:05:00Z\t240\t0.5\t0\tUSD\tLabel street images\tStreet Scenes Lab";
    let read = decode_line(old, 0).unwrap();
    assert_eq!(read.title.as_deref(), Some("Label street images"));
    assert_eq!((read.task_key, read.advertised), (None, None));
    // Its chunk, beside a new line, reads whole; rewriting the old line gives the new form.
    let mut book = PayBook::default();
    let mut hit =
        task("3KYQYYSHWX3A", "Street Scenes Lab", "Label street images", Outcome::Submitted, "0.50", 300);
    hit.advertised = Some(("0.50", 600));
    let new = record(&[hit], &mut book).remove(0);
    let line = encode_line(&new);
    assert_eq!(line.split('\t').count(), 18);
    let (records, errors) = decode_chunk(&format!("{old}\n{line}\n"), 0);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(records[1], new);
    assert_eq!(
        records[1].advertised,
        Some(Advertised { reward: Money::parse("0.5").unwrap(), seconds: 600 })
    );
    // Damaged new fields are reported with the field, and never read as another value.
    let bad = line.rsplit_once('\t').unwrap().0.to_owned() + "\tten minutes";
    assert!(
        decode_line(&bad, 7).unwrap_err().to_string().starts_with("stored record 7: advertised_seconds:")
    );
    let bad_money = line.replace("\t0.5\t600", "\t-1\t600");
    assert!(decode_line(&bad_money, 8).unwrap_err().to_string().contains("advertised_reward"));
    assert!(decode_line(&format!("{old}\textra"), 9).unwrap_err().to_string().contains("16 fields"));
}

#[test]
fn the_pay_book_reads_back_and_refuses_unknown_states() {
    use extension::json::{FromJson, ToJson, from_text, to_text};
    let mut book = PayBook::default();
    book.submitted(Platform::Mturk, "A1", T0, Some(259_200));
    book.apply(&report("A2", PayState::Rejected, T0));
    assert_eq!(from_text::<PayBook>(&to_text(&book)).unwrap(), book);
    let bad = to_text(&book).replace("rejected", "lost");
    assert!(from_text::<PayBook>(&bad).unwrap_err().to_string().contains("'lost' is not pending"), "{bad}");
    let _ = (PayBook::from_json(&book.to_json()), ());
}

#[test]
fn every_message_the_history_asks_for_is_in_english_and_french() {
    let messages = |language: &str| -> BTreeSet<String> {
        let path = format!("{}/static/_locales/{language}/messages.json", env!("CARGO_MANIFEST_DIR"));
        let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        value.as_object().unwrap().keys().cloned().collect()
    };
    let mut book = PayBook::default();
    let mut own_delay = task("C1", "", "", Outcome::Submitted, "0.10", 60);
    own_delay.auto_approval_seconds = Some(60);
    let records = record(&[own_delay, task("C2", "R", "T", Outcome::Submitted, "20", 60)], &mut book);
    book.apply(&report("C2", PayState::Approved, T0 + 3 * DAY));
    let history = History::build(&records, &book, T0 + DAY);
    let asked = RefCell::new(BTreeSet::new());
    let t = |key: &str, _: &[&str]| {
        asked.borrow_mut().insert(key.to_owned());
        String::new()
    };
    render(&history, &Query::default(), Some(30.0), display(), &t);
    render(&history, &Query { search: "zzz".into(), ..Query::default() }, Some(1.0), display(), &t);
    render(&History::default(), &Query::default(), None, display(), &t);
    for key in ["tabRequesters", "historySearch", "historySearchHint"] {
        asked.borrow_mut().insert(key.to_owned());
    }
    let (en, fr) = (messages("en"), messages("fr"));
    assert_eq!(en, fr);
    let missing: Vec<_> = asked.borrow().difference(&en).cloned().collect();
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn the_search_folds_case_in_every_script_and_accents_of_latin_letters() {
    use extension::requesters::fold;
    assert_eq!(fold("Zoë ÉCOLE Ångström"), "zoe ecole angstrom");
    // Vietnamese (Latin Extended Additional), decomposed input too.
    assert_eq!(fold("Nguyễn Văn"), "nguyen van");
    assert_eq!(fold("Nguye\u{302}\u{303}n"), "nguyen");
    // Other scripts: lower case, their own marks kept ("й" is not "и").
    assert_eq!(fold("ЛАБОРАТОРИЯ Йогурт"), fold("лаборатория йогурт"));
    assert!(fold("ЛАБОРАТОРИЯ").starts_with("лаб"));
    assert_ne!(fold("й"), fold("и"));
    assert_eq!(fold("ΕΡΓΑΣΤΉΡΙΟ"), fold("εργαστήριο"));
    assert_eq!(fold("İstanbul"), "istanbul");

    let mut book = PayBook::default();
    let names = ["Laboratoire d'Économie", "Лаборатория Речи", "Zoë's Studio"];
    let keys = ["K0", "K1", "K2"];
    let tasks: Vec<Task<'_>> = names
        .iter()
        .zip(keys)
        .map(|(name, key)| task(key, name, "Étude", Outcome::Submitted, "1.00", 600))
        .collect();
    let history = History::build(&record(&tasks, &mut book), &book, T0 + DAY);
    let search = |text: &str| -> Vec<String> {
        history
            .select(&Query { search: text.into(), ..Query::default() })
            .into_iter()
            .map(|g| g.total.requester)
            .collect()
    };
    assert_eq!(search("economie"), ["Laboratoire d'Économie"]);
    assert_eq!(search("ÉCONOMIE"), ["Laboratoire d'Économie"]);
    assert_eq!(search("лаборатория"), ["Лаборатория Речи"]);
    assert_eq!(search("zoe"), ["Zoë's Studio"]);
    // Titles too: every requester's project "Étude".
    assert_eq!(search("etude").len(), 3);
}

#[test]
fn the_evidence_links_carry_names_and_titles_percent_encoded() {
    let mut book = PayBook::default();
    let records = record(
        &[task("E1", "Lab & Co / Ünï 100%", "Rate: 5+5 = ?", Outcome::Submitted, "0.50", 300)],
        &mut book,
    );
    let history = History::build(&records, &book, T0 + DAY);
    let shown = html(&render(&history, &Query::default(), None, display(), &english));
    let requester = "Lab%20%26%20Co%20%2F%20%C3%9Cn%C3%AF%20100%25";
    // Escaped once more as HTML, in the attribute.
    assert!(
        shown.contains(&format!("href=\"evidence.html?platform=mturk&amp;requester={requester}\"")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("requester={requester}&amp;title=Rate%3A%205%2B5%20%3D%20%3F\"")),
        "{shown}"
    );
}
