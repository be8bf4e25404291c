//! The Microworkers table (`extension/src/adapters/microworkers.rs`) against the fixture pages
//! rebuilt from the platform's documented facts (`tests/fixtures/sites/www.microworkers.com/`):
//! a job is timed from its page, paid what the page says and closed when its proof form is sent;
//! a redesigned page or a hostile one gives the worker an error naming the field, never a number.

use analysis::{Outcome, Platform};
use extension::adapters::{PageView, ProbeValues, WatchName, observe_page, plan_for};
use extension::tracker::{Event, FinishedWhat, Millis, Tracker, TrackerSettings};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/sites/www.microworkers.com");
const JOB: &str = "a3f09c2e7b41";
const JOB_URL: &str = "https://www.microworkers.com/jobs_details.php?Id=a3f09c2e7b41";
const T0: Millis = 1_780_000_000_000;

fn page(file: &str, reward: &str) -> String {
    let template = std::fs::read_to_string(format!("{FIXTURES}/{file}")).unwrap();
    [
        ("job", JOB),
        ("title", "Find a phone number"),
        ("reward", reward),
        ("employer", "Local Listings"),
        ("minutes", "10"),
    ]
    .iter()
    .fold(template, |page, (name, value)| page.replace(&format!("{{{{{name}}}}}"), value))
}

/// What the content script reads with the plan's probe `.jobdetailsnoteleft p`: the text of each
/// paragraph inside the element of that class.
fn summary_values(html: &str) -> ProbeValues {
    let texts = html
        .split("class=\"jobdetailsnoteleft\">")
        .skip(1)
        .flat_map(|block| {
            let block = &block[..block.find("</div>").unwrap()];
            block.split("<p>").skip(1).map(|p| p[..p.find("</p>").unwrap()].to_owned()).collect::<Vec<_>>()
        })
        .collect();
    ProbeValues::from_iter([("summary".to_owned(), texts)])
}

fn unreadable_field(url: &str, values: &ProbeValues) -> String {
    match observe_page(url, values).unwrap().view {
        PageView::Unreadable(error) => {
            assert!(error.rule.starts_with("microworkers"), "{error}");
            error.field.to_owned()
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn the_plan_reads_the_summary_and_watches_the_proof_form() {
    let plan = plan_for(JOB_URL);
    assert!(plan.supported);
    assert_eq!(plan.probes.iter().map(|p| p.selector).collect::<Vec<_>>(), [".jobdetailsnoteleft p"]);
    assert_eq!(plan.watches.len(), 1);
    assert_eq!(plan.watches[0].name, WatchName::Submit);
    assert!(page("job.html", "0.30").contains("action=\"/jobs_i_did_it.php\""));
    // Hire Group jobs have their own page and form, matched by the same table.
    assert_eq!(plan_for("https://www.microworkers.com/hm_jobs_details.php?Id=0a1b").watches.len(), 1);
    assert!(plan_for("https://www.microworkers.com/jobs.php?page=2").watches.is_empty());
}

#[test]
fn a_job_is_timed_paid_and_closed_when_its_proof_is_sent() {
    let observation = observe_page(JOB_URL, &summary_values(&page("job.html", "0.30"))).unwrap();
    assert_eq!(observation.platform, Platform::Microworkers);
    let PageView::Task { key, details, allotted_seconds, remaining_seconds } = observation.view.clone()
    else {
        panic!("{observation:?}")
    };
    assert_eq!(
        (key.as_str(), details.reward.to_string().as_str(), details.currency.as_str()),
        (JOB, "0.3", "USD")
    );
    // The job page states no time limit: none is made up.
    assert_eq!((allotted_seconds, remaining_seconds, details.advertised), (0, 0, None));

    let mut tracker = Tracker::new(TrackerSettings { idle_cutoff_ms: 60_000 });
    let list = observe_page("https://www.microworkers.com/jobs.php?page=1", &ProbeValues::new()).unwrap();
    assert_eq!(list.view, PageView::Search);
    tracker.handle(Event::Page { tab: 1, now: T0, focused: true, visible: true, observation: Some(list) });
    tracker.handle(Event::Page {
        tab: 1,
        now: T0 + 30_000,
        focused: true,
        visible: true,
        observation: Some(observation),
    });
    for second in (60..=300).step_by(30) {
        tracker.handle(Event::Activity {
            tab: 1,
            now: T0 + second * 1000,
            focused: true,
            visible: true,
            input: true,
            in_frame: false,
        });
    }
    // Left open, the job is not closed by a made-up time limit (only by the longest span a
    // record may have).
    let mut idle = tracker.clone();
    idle.handle(Event::Tick { now: T0 + 30 * 24 * 3600 * 1000 });
    assert_eq!(idle.open_tasks().len(), 1);
    let out = tracker.handle(Event::Watched { tab: 1, now: T0 + 310_000, name: WatchName::Submit });
    let task = out.finished.iter().find(|f| matches!(f.what, FinishedWhat::Task { .. })).expect("the task");
    assert_eq!(
        (task.platform, task.started, task.ended),
        (Platform::Microworkers, T0 + 30_000, T0 + 310_000)
    );
    assert_eq!(task.active_ms, 280_000);
    let FinishedWhat::Task { key, outcome, details, .. } = &task.what else { unreachable!() };
    assert_eq!(
        (key.as_str(), *outcome, details.reward.to_string().as_str()),
        (JOB, Outcome::Submitted, "0.3")
    );
}

#[test]
fn a_redesigned_or_hostile_job_page_is_an_error_never_a_number() {
    assert_eq!(unreadable_field(JOB_URL, &summary_values(&page("job-changed.html", "0.30"))), "reward");
    let summary = |text: &str| ProbeValues::from_iter([("summary".to_owned(), vec![text.to_owned()])]);
    for text in ["You will earn: $", "You will earn: $-0.30", "You will earn: $0.3.0", "You will earn: $1e9"]
    {
        assert_eq!(unreadable_field(JOB_URL, &summary(text)), "reward", "{text}");
    }
    let script = JOB_URL.replace(JOB, "a3%3Cscript%3E");
    assert_eq!(unreadable_field(&script, &summary("You will earn: $0.30")), "Id");
    let many = ProbeValues::from_iter([("summary".to_owned(), vec!["x".repeat(70_000); 500])]);
    assert_eq!(unreadable_field(JOB_URL, &many), "reward");
}
