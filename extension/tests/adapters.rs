//! The adapter tables against the fixture pages in `tests/fixtures/sites/` (the same pages the
//! end-to-end tests serve) and against hostile input.

use analysis::Outcome;
use extension::adapters::{
    Alert, PageView, ProbeValues, SubmissionState, observe_api_response, observe_page, plan_for,
};
use extension::pay::PayState;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/sites");
const TASK_URL: &str = "https://worker.mturk.com/projects/3NSMGYKX8LCEFP5GP2R5IOZ1FDV5R3/tasks/3ZQA0B1C2D?assignment_id=3KYQYYSHWX3A&ref=w_pl_prvw";

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{path}")).unwrap()
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |page, (name, value)| page.replace(&format!("{{{{{name}}}}}"), value))
}

/// What the content script reads with `getAttribute`: every value of an attribute, in order.
fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!("{attribute}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            let raw = &rest[..rest.find('"').unwrap()];
            raw.replace("&quot;", "\"").replace("&amp;", "&").replace("&#39;", "'")
        })
        .collect()
}

fn task_page_values(template: &str, remaining: &str) -> ProbeValues {
    let html = fill(
        &fixture(template),
        &[
            ("requester", "Street Scenes Lab"),
            ("requester_id", "A1STREETLAB"),
            ("title", "Label street images"),
            ("reward", "0.5"),
            ("allotted", "600"),
            ("remaining", remaining),
            ("project", "3NSMGYKX8LCEFP5GP2R5IOZ1FDV5R3"),
            ("task", "3ZQA0B1C2D"),
            ("assignment", "3KYQYYSHWX3A"),
        ],
    );
    ProbeValues::from_iter([
        ("react_class".to_owned(), attribute_values(&html, "data-react-class")),
        ("react_props".to_owned(), attribute_values(&html, "data-react-props")),
        ("alert".to_owned(), Vec::new()),
    ])
}

#[test]
fn an_mturk_task_page_gives_reward_time_and_labels() {
    let observation = observe_page(TASK_URL, &task_page_values("worker.mturk.com/task.html", "540")).unwrap();
    let PageView::Task { key, details, allotted_seconds, remaining_seconds } = observation.view else {
        panic!("{observation:?}")
    };
    assert_eq!(key, "3KYQYYSHWX3A");
    assert_eq!(details.reward.to_string(), "0.5");
    assert_eq!(details.currency.as_str(), "USD");
    assert_eq!(details.title.as_deref(), Some("Label street images"));
    assert_eq!(details.requester.as_deref(), Some("Street Scenes Lab"));
    assert_eq!((allotted_seconds, remaining_seconds), (600, 540));
}

#[test]
fn a_changed_task_page_is_unreadable_with_the_rule_and_field_named() {
    let observation =
        observe_page(TASK_URL, &task_page_values("worker.mturk.com/task-changed.html", "540")).unwrap();
    let PageView::Unreadable(error) = observation.view else { panic!("{observation:?}") };
    assert_eq!(
        error.to_string(),
        "mturk task: reward: no element with data-react-class containing 'ShowModal'"
    );
}

fn check_unreadable(change: impl Fn(&mut ProbeValues), url: &str, field: &str) {
    let mut values = task_page_values("worker.mturk.com/task.html", "540");
    change(&mut values);
    match observe_page(url, &values).unwrap().view {
        PageView::Unreadable(error) => assert_eq!(error.field, field, "{error}"),
        other => panic!("expected an error on {field}, got {other:?}"),
    }
}

#[test]
fn hostile_or_broken_task_pages_never_give_a_number() {
    let replace_props = |from: &'static str, to: &'static str| {
        move |values: &mut ProbeValues| {
            for props in values.get_mut("react_props").unwrap() {
                *props = props.replace(from, to);
            }
        }
    };
    check_unreadable(replace_props("\"amountInDollars\":0.5", "\"amountInDollars\":-1"), TASK_URL, "reward");
    check_unreadable(
        replace_props("\"amountInDollars\":0.5", "\"amountInDollars\":\"$0.50\""),
        TASK_URL,
        "reward",
    );
    check_unreadable(
        replace_props("\"currencyCode\":\"USD\"", "\"currencyCode\":\"XBT\""),
        TASK_URL,
        "currency",
    );
    check_unreadable(replace_props(":540,", ":9999,"), TASK_URL, "remaining_seconds");
    check_unreadable(replace_props("600}", "99999999999}"), TASK_URL, "allotted_seconds");
    check_unreadable(replace_props("{", "{{"), TASK_URL, "reward");
    check_unreadable(
        |values| values.get_mut("react_props").unwrap()[0] = "x".repeat(70_000),
        TASK_URL,
        "reward",
    );
    check_unreadable(|_| {}, &TASK_URL.replace("3KYQYYSHWX3A", "3KY%3Cscript%3E"), "assignment_id");
}

#[test]
fn the_submitted_alert_is_recognized_and_a_failure_is_not_a_submission() {
    let values = |text: &str| ProbeValues::from_iter([("alert".to_owned(), vec![text.to_owned()])]);
    let observe =
        |text: &str| observe_page("https://worker.mturk.com/projects?alert=1", &values(text)).unwrap();
    assert_eq!(observe("HIT Submitted").alert, Some(Alert::Submitted));
    assert_eq!(observe("The HIT has been successfully submitted").alert, Some(Alert::Submitted));
    assert_eq!(observe("Your HIT submission was not successful").alert, Some(Alert::SubmitFailed));
    assert_eq!(observe("HIT Returned").alert, None);
    assert_eq!(observe("HIT Returned").view, PageView::Search);
}

/// The worker-site URL rules of the public gig-overhead tool (Toxtli, Suri and Savage, CSCW
/// 2021), copied in the fixtures, agree with this adapter wherever they are unconditional.
#[test]
fn url_roles_agree_with_the_gig_overhead_rules() {
    let rules: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("worker.mturk.com/gig-overhead-mturk-url-rules.json")).unwrap();
    assert_eq!(rules.len(), 25);
    let role = |url: &str| match observe_page(url, &ProbeValues::new()).map(|o| o.view) {
        // A status page is searching time; read without its table, it says what it missed.
        Some(PageView::Search | PageView::PayStatus(_)) => "search",
        Some(PageView::Unreadable(error)) if error.rule == "mturk status" => "search",
        Some(PageView::Task { .. } | PageView::Unreadable(_)) => "task",
        Some(PageView::Neutral) => "neutral",
        Some(PageView::Working | PageView::Submitted) => "time tier",
        None => "unsupported",
    };
    for (url, their_subtype, ours) in [
        ("https://worker.mturk.com/", "TASKS_LIST", "search"),
        ("https://worker.mturk.com/projects", "TASKS_LIST", "search"),
        ("https://worker.mturk.com/dashboard", "WORKER_DASHBOARD", "search"),
        ("https://worker.mturk.com/?filters%5Bsearch_term%5D=image", "TASKS_LIST_FILTER", "search"),
        ("https://worker.mturk.com/projects/3ABC/tasks?ref=w_pl_prvw", "TASK_PREVIEW", "search"),
        ("https://worker.mturk.com/projects/3ABC/tasks/3DEF?assignment_id=3GHI", "TASK_STARTED", "task"),
        ("https://worker.mturk.com/contact_requester/A1B2", "MESSAGES_SEND", "neutral"),
        ("https://worker.mturk.com/requesters/A1B2/projects", "TASKS_PER_REQUESTER", "search"),
        ("https://worker.mturk.com/earnings", "WORKER_EARNINGS", "search"),
        ("https://worker.mturk.com/qualifications/assigned", "WORKER_QUALIFICATIONS", "neutral"),
        ("https://worker.mturk.com/tasks", "TASK_QUEUE", "search"),
        ("https://worker.mturk.com/status_details/2024-05-01", "WORKER_EARNINGS_DETAILS", "search"),
        ("https://www.mturk.com/worker/help", "PLATFORM_HELP", "unsupported"),
    ] {
        assert!(rules.iter().any(|rule| rule["subtype"] == their_subtype), "{their_subtype}");
        assert_eq!(role(url), ours, "{url} ({their_subtype})");
    }
}

#[test]
fn plans_ask_task_pages_for_props_and_the_return_form() {
    let plan = plan_for(TASK_URL);
    assert!(plan.supported);
    let names: Vec<&str> = plan.probes.iter().map(|p| p.name).collect();
    assert_eq!(names, ["alert", "react_class", "react_props"]);
    assert_eq!(plan.watches.len(), 1);
    let json = extension::json::ToJson::to_json(&plan);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json.pointer("/probes/1").unwrap().to_string()).unwrap(),
        serde_json::json!({"name": "react_class", "selector": "[data-react-class]", "read": "attribute", "attribute": "data-react-class"})
    );
    assert!(!plan_for("https://example.org/").supported);
    assert!(!plan_for("not a url").supported);
    assert_eq!(plan_for("https://worker.mturk.com/projects").probes.len(), 1);
}

fn status_page_values(rows_json: &str) -> ProbeValues {
    let escaped = rows_json.replace('&', "&amp;").replace('"', "&quot;");
    let html = fill(
        &fixture("worker.mturk.com/status-details.html"),
        &[("date", "2026-03-02"), ("rows_json", &escaped), ("rows", "")],
    );
    ProbeValues::from_iter([
        ("react_class".to_owned(), attribute_values(&html, "data-react-class")),
        ("react_props".to_owned(), attribute_values(&html, "data-react-props")),
    ])
}

const STATUS_URL: &str = "https://worker.mturk.com/status_details/2026-03-02";

#[test]
fn an_mturk_status_page_gives_each_assignment_its_pay_state() {
    let rows = r#"[{"assignment_id":"3KYQYYSHWX3A","hit_id":"3ZQA","requester_name":"Street Scenes Lab","title":"Label street images","reward":{"amount_in_dollars":0.5,"currency_code":"USD"},"state":"Approved"},
        {"assignment_id":"3AAAAAAAAAAB","state":"Pending Approval"},{"assignment_id":"3AAAAAAAAAAC","state":"rejected"},{"assignment_id":"3AAAAAAAAAAD","state":"Paid"}]"#;
    let observation = observe_page(STATUS_URL, &status_page_values(rows)).unwrap();
    assert_eq!(
        observation.view,
        PageView::PayStatus(vec![
            ("3KYQYYSHWX3A".to_owned(), PayState::Approved),
            ("3AAAAAAAAAAB".to_owned(), PayState::Pending),
            ("3AAAAAAAAAAC".to_owned(), PayState::Rejected),
            ("3AAAAAAAAAAD".to_owned(), PayState::Paid),
        ])
    );
    let plan = plan_for(STATUS_URL);
    assert_eq!(
        plan.probes.iter().map(|p| p.name).collect::<Vec<_>>(),
        ["alert", "react_class", "react_props"]
    );
    // An empty day is a readable page with nothing on it.
    assert_eq!(
        observe_page(STATUS_URL, &status_page_values("[]")).unwrap().view,
        PageView::PayStatus(vec![])
    );
}

/// A status page that no longer matches its table gives an error naming the field, never a
/// guessed state: renamed component, other layout, unknown words, hostile ids, oversized props.
#[test]
fn a_status_page_that_changed_is_an_error_naming_the_field() {
    let check = |values: ProbeValues, field: &str, problem: &str| match observe_page(STATUS_URL, &values)
        .unwrap()
        .view
    {
        PageView::Unreadable(error) => {
            assert_eq!(error.rule, "mturk status");
            assert_eq!(error.field, field, "{error}");
            assert!(error.problem.contains(problem), "{error}");
        }
        other => panic!("{other:?}"),
    };
    let row = |state: &str| format!(r#"[{{"assignment_id":"3KYQYYSHWX3A","state":"{state}"}}]"#);
    check(ProbeValues::new(), "rows", "no element with data-react-class containing 'HitStatusDetailsTable'");
    let renamed = ProbeValues::from_iter([
        ("react_class".to_owned(), vec!["require('reactComponents/hitStatus/StatusTable')".to_owned()]),
        ("react_props".to_owned(), vec![r#"{"bodyData":[]}"#.to_owned()]),
    ]);
    check(renamed, "rows", "no element");
    check(status_page_values(r#"{"rows":[]}"#).clone(), "rows", "no list at /bodyData");
    let not_json = ProbeValues::from_iter([
        ("react_class".to_owned(), vec!["HitStatusDetailsTable".to_owned()]),
        ("react_props".to_owned(), vec!["{bodyData:".to_owned()]),
    ]);
    check(not_json, "rows", "not JSON");
    check(status_page_values(&row("Under review")), "state", "'Under review' is not a known state");
    check(status_page_values(r#"[{"assignment_id":"3KYQYYSHWX3A","state":3}]"#), "state", "no string");
    check(
        status_page_values(r#"[{"assignment_id":"../../x","state":"Paid"}]"#),
        "assignment_id",
        "not a task id",
    );
    check(status_page_values(r#"[{"state":"Paid"}]"#), "assignment_id", "no string");
    let many = format!("[{}]", vec![r#"{"assignment_id":"A","state":"Paid"}"#; 1001].join(","));
    check(status_page_values(&many), "rows", "more than 1000");
    let huge = format!(r#"[{{"assignment_id":"A","state":"Paid","title":"{}"}}]"#, "x".repeat(70_000));
    check(status_page_values(&huge), "rows", "larger than 64 KiB");
}

fn submission(status: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"6650f2c1a8e3b4d5e6f70899","status":"{status}","started_at":"2026-03-02T10:00:00.000Z","completed_at":"2026-03-02T10:12:30.000Z",
        "submission_reward":{{"amount":150,"currency":"GBP"}},"submission_bonuses":[{{"amount":25}}],
        "study":{{"id":"S1","name":"Attitudes to commuting","researcher":{{"name":"Urban Mobility Group"}},"maximum_allowed_time":40}}{extra}}}"#
    )
}

#[test]
fn prolific_submissions_give_outcome_reward_and_screening_payment() {
    let url = "https://app.prolific.com/api/v1/submissions/6650f2c1a8e3b4d5e6f70899/transition/";
    let approved = observe_api_response(url, &submission("APPROVED", "")).unwrap().unwrap().remove(0);
    assert_eq!(approved.state, SubmissionState::Finished(Outcome::Approved));
    assert_eq!(approved.details.reward.to_string(), "1.5");
    assert_eq!(approved.bonus.to_string(), "0.25");
    assert_eq!(approved.allowed_seconds, Some(2400));
    assert_eq!(approved.details.requester.as_deref(), Some("Urban Mobility Group"));
    let screened =
        observe_api_response(url, &submission("SCREENED OUT", r#","screened_out_payments":[{"amount":14}]"#))
            .unwrap()
            .unwrap()
            .remove(0);
    assert_eq!(screened.state, SubmissionState::Finished(Outcome::ScreenedOut));
    assert_eq!(screened.details.reward.to_string(), "0.14");
    let active = observe_api_response(
        "https://app.prolific.com/api/v1/submissions/reserve/",
        &submission("ACTIVE", ""),
    );
    assert_eq!(active.unwrap().unwrap()[0].state, SubmissionState::Open);
    let list = format!(r#"{{"results":[{},{}]}}"#, submission("RETURNED", ""), submission("TIMED-OUT", ""));
    let both = observe_api_response("https://app.prolific.com/api/v1/participant/submissions/?page=1", &list)
        .unwrap()
        .unwrap();
    assert_eq!(
        both.iter().map(|s| s.state.clone()).collect::<Vec<_>>(),
        [SubmissionState::Finished(Outcome::Returned), SubmissionState::Finished(Outcome::Abandoned)]
    );
    // Other API calls are not looked at.
    assert_eq!(
        observe_api_response("https://app.prolific.com/api/v1/participant/studies/", "{}").unwrap(),
        None
    );
}

#[test]
fn advertised_figures_and_the_hits_own_auto_approval_delay_are_read() {
    // MTurk: the allotted time with the reward; the delay when the props carry it.
    let observation = observe_page(TASK_URL, &task_page_values("worker.mturk.com/task.html", "540")).unwrap();
    let PageView::Task { details, .. } = observation.view else { panic!("{observation:?}") };
    assert_eq!(details.advertised.map(|a| (a.reward.to_string(), a.seconds)), Some(("0.5".to_owned(), 600)));
    assert_eq!(details.auto_approval_seconds, None);
    let mut values = task_page_values("worker.mturk.com/task.html", "540");
    let props = values.get_mut("react_props").unwrap();
    props[0] = props[0].replace(
        "\"assignmentDurationInSeconds\"",
        "\"autoApprovalDelayInSeconds\":259200,\"assignmentDurationInSeconds\"",
    );
    let PageView::Task { details, .. } = observe_page(TASK_URL, &values).unwrap().view else { panic!() };
    assert_eq!(details.auto_approval_seconds, Some(259_200));
    props_with(
        &mut values,
        "\"autoApprovalDelayInSeconds\":259200",
        "\"autoApprovalDelayInSeconds\":\"3 days\"",
    );
    let PageView::Unreadable(error) = observe_page(TASK_URL, &values).unwrap().view else { panic!() };
    assert_eq!(error.field, "auto_approval_seconds");
    // Prolific: the study's reward and estimated time, whatever the submission paid.
    let url = "https://app.prolific.com/api/v1/participant/submissions/";
    let study = r#","screened_out_payments":[{"amount":14}]"#;
    let body = format!(
        r#"{{"results":[{}]}}"#,
        submission("SCREENED OUT", study).replace(
            "\"maximum_allowed_time\":40",
            "\"maximum_allowed_time\":40,\"reward\":150,\"estimated_completion_time\":10"
        )
    );
    let screened = observe_api_response(url, &body).unwrap().unwrap().remove(0);
    assert_eq!(screened.details.reward.to_string(), "0.14");
    assert_eq!(
        screened.details.advertised.map(|a| (a.reward.to_string(), a.seconds)),
        Some(("1.5".to_owned(), 600))
    );
    assert_eq!(screened.pay, None);
    let awaiting =
        observe_api_response(url, &format!(r#"{{"results":[{}]}}"#, submission("AWAITING REVIEW", "")))
            .unwrap()
            .unwrap();
    assert_eq!(awaiting[0].pay, Some(PayState::Pending));
    assert_eq!(awaiting[0].details.advertised, None);
    let hostile = body.replace("\"estimated_completion_time\":10", "\"estimated_completion_time\":\"ten\"");
    assert_eq!(observe_api_response(url, &hostile).unwrap_err().field, "estimated_completion_time");
    let huge = body.replace("\"estimated_completion_time\":10", "\"estimated_completion_time\":99999999");
    assert_eq!(observe_api_response(url, &huge).unwrap_err().field, "estimated_completion_time");
    let negative = body.replace("\"reward\":150", "\"reward\":-150");
    assert_eq!(observe_api_response(url, &negative).unwrap_err().field, "study_reward");
}

fn props_with(values: &mut ProbeValues, from: &str, to: &str) {
    let props = values.get_mut("react_props").unwrap();
    props[0] = props[0].replace(from, to);
}

#[test]
fn broken_prolific_responses_name_the_field() {
    let url = "https://app.prolific.com/api/v1/submissions/reserve/";
    let check = |body: &str, field: &str| {
        let error = observe_api_response(url, body).unwrap_err();
        assert_eq!(error.field, field, "{error}");
    };
    check("not json", "body");
    check(&submission("PAUSED", ""), "status");
    check(&submission("ACTIVE", "").replace("\"GBP\"", "\"pounds\""), "currency");
    check(&submission("ACTIVE", "").replace(":150", ":-150"), "reward");
    check(&submission("ACTIVE", "").replace(":150", ":1.5"), "reward");
    check(&submission("ACTIVE", "").replace("2026-03-02T10:00:00.000Z", "yesterday"), "started_at");
    check(&submission("ACTIVE", "").replace("6650f2c1a8e3b4d5e6f70899", "../../etc"), "id");
    check(&submission("ACTIVE", "").replace(":40}", ":99999999}"), "maximum_allowed_time");
    check(&format!("[{}]", " ".repeat(3 * 1024 * 1024)), "body");
    let list_url = "https://app.prolific.com/api/v1/participant/submissions/";
    assert_eq!(observe_api_response(list_url, r#"{"results":5}"#).unwrap_err().field, "body");
}
