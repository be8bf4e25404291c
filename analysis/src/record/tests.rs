//! Tests of `record.rs`.

use super::*;

pub(crate) fn task_fields() -> RecordFields<'static> {
    RecordFields {
        record_id: "0b7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18",
        install_id: "install-1",
        platform: "mturk",
        country: "US",
        kind: "task",
        category: "labeling",
        outcome: "approved",
        started_at: "2024-05-01T13:00:00Z",
        ended_at: "2024-05-01T13:10:00Z",
        active_seconds: "540",
        reward: "0.50",
        bonus: "",
        currency: "USD",
    }
}

fn check_rejected(change: impl FnOnce(&mut RecordFields<'static>), field: &str, problem_fragment: &str) {
    let mut fields = task_fields();
    change(&mut fields);
    let error = Record::from_fields(&fields).expect_err("should be rejected");
    assert_eq!(error.field, field, "{error}");
    assert!(error.problem.contains(problem_fragment), "{error}");
}

#[test]
fn a_valid_task_round_trips_through_its_fields() {
    let record = Record::from_fields(&task_fields()).unwrap();
    assert_eq!(record.earnings_usd(), Decimal::new(5, 1));
    let mut written = Vec::new();
    record.write_fields(|field| written.push(field.to_owned()));
    assert_eq!(written[0], "0b7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18");
    assert_eq!(written[10], "0.5");
    let refs: Vec<&str> = written.iter().map(String::as_str).collect();
    let again = Record::from_fields(&RecordFields {
        record_id: refs[0],
        install_id: refs[1],
        platform: refs[2],
        country: refs[3],
        kind: refs[4],
        category: refs[5],
        outcome: refs[6],
        started_at: refs[7],
        ended_at: refs[8],
        active_seconds: refs[9],
        reward: refs[10],
        bonus: refs[11],
        currency: refs[12],
    })
    .unwrap();
    assert_eq!(again, record);
}

#[test]
fn every_rejection_names_its_field() {
    check_rejected(|f| f.record_id = "not-a-uuid", "record_id", "not a UUID");
    check_rejected(|f| f.install_id = "", "install_id", "empty");
    check_rejected(|f| f.install_id = "a b", "install_id", "only letters");
    check_rejected(|f| f.platform = "fiverr", "platform", "not a known platform");
    check_rejected(|f| f.country = "ZZ", "country", "not an assigned");
    check_rejected(|f| f.kind = "job", "kind", "task or unpaid");
    check_rejected(|f| f.category = "poetry", "category", "task category");
    check_rejected(|f| f.outcome = "", "outcome", "needs an outcome");
    check_rejected(|f| f.outcome = "paid", "outcome", "not a known outcome");
    check_rejected(|f| f.started_at = "yesterday", "started_at", "RFC 3339");
    check_rejected(|f| f.ended_at = "2024-05-01T12:00:00Z", "ended_at", "before started_at");
    check_rejected(|f| f.ended_at = "2024-07-01T12:00:00Z", "ended_at", "31 days");
    check_rejected(|f| f.active_seconds = "-5", "active_seconds", "non-negative");
    check_rejected(|f| f.active_seconds = "2.5", "active_seconds", "whole");
    check_rejected(|f| f.active_seconds = "601", "active_seconds", "more than the 600 s");
    check_rejected(|f| f.reward = "$0.50", "reward", "decimal amount");
    check_rejected(|f| f.reward = "5000", "reward", "at most 1000 USD");
    check_rejected(|f| f.bonus = "-1", "bonus", "decimal amount");
    check_rejected(|f| f.currency = "", "currency", "needs the ISO 4217");
    check_rejected(|f| f.currency = "BTC", "currency", "not an active ISO 4217");
}

#[test]
fn unpaid_time_carries_no_pay() {
    let unpaid = RecordFields {
        kind: "unpaid",
        category: "search",
        outcome: "",
        reward: "",
        currency: "",
        ..task_fields()
    };
    let record = Record::from_fields(&unpaid).unwrap();
    assert_eq!(record.earnings_usd(), Decimal::ZERO);
    assert_eq!(record.outcome(), None);
    let with_reward = RecordFields { reward: "0.10", ..unpaid };
    assert_eq!(Record::from_fields(&with_reward).unwrap_err().field, "reward");
    let with_outcome = RecordFields { outcome: "approved", ..unpaid };
    assert_eq!(Record::from_fields(&with_outcome).unwrap_err().field, "outcome");
    let without_category = RecordFields { category: "", ..unpaid };
    assert_eq!(Record::from_fields(&without_category).unwrap_err().field, "category");
}

#[test]
fn unpaid_outcomes_earn_nothing() {
    for outcome in ["rejected", "returned", "abandoned"] {
        let record = Record::from_fields(&RecordFields { outcome, ..task_fields() }).unwrap();
        assert_eq!(record.earnings_usd(), Decimal::ZERO, "{outcome}");
    }
    let screened = RecordFields { outcome: "screened_out", reward: "0.14", ..task_fields() };
    assert_eq!(Record::from_fields(&screened).unwrap().earnings_usd(), Decimal::new(14, 2));
}

#[test]
fn coarsening_keeps_active_time_within_the_span() {
    let fields = RecordFields {
        started_at: "2024-05-01T13:59:00Z",
        ended_at: "2024-05-01T14:00:30Z",
        active_seconds: "90",
        ..task_fields()
    };
    let coarse = Record::from_fields(&fields).unwrap().coarsened();
    assert_eq!(coarse.started_at().to_string(), "2024-05-01T13:00:00Z");
    assert_eq!(coarse.ended_at().to_string(), "2024-05-01T15:00:00Z");
    assert_eq!(coarse.active().get(), 90);
}

/// Every coarsened record is whole hours at both ends and passes validation again, which
/// is what lets the collector read back and export what it stored.
#[test]
fn coarsened_records_are_valid_records() {
    let cases = [
        ("2024-05-01T13:20:00Z", "2024-05-01T13:50:00Z", "1800"),
        ("2024-05-01T13:00:00Z", "2024-05-01T14:00:00Z", "3600"),
        ("2024-05-01T13:59:59Z", "2024-05-01T14:00:01Z", "2"),
        ("2024-05-01T13:30:00Z", "2024-06-01T13:30:00Z", "2678400"),
        ("2099-12-31T23:10:00Z", "2099-12-31T23:50:00Z", "2400"),
        ("2005-01-01T00:00:00Z", "2005-01-01T00:00:00Z", "0"),
    ];
    for (started_at, ended_at, active_seconds) in cases {
        let fields = RecordFields { started_at, ended_at, active_seconds, ..task_fields() };
        let coarse = Record::from_fields(&fields).unwrap().coarsened();
        for time in [coarse.started_at(), coarse.ended_at()] {
            assert_eq!(time.unix_seconds() % 3600, 0, "{started_at}..{ended_at}");
        }
        let mut text = Vec::new();
        coarse.write_fields(|field| text.push(field.to_owned()));
        let again = Record::from_fields(&RecordFields {
            started_at: &text[7],
            ended_at: &text[8],
            active_seconds: &text[9],
            ..task_fields()
        });
        assert_eq!(again.map(|r| r.active()), Ok(coarse.active()), "{started_at}..{ended_at}");
    }
}

#[test]
fn the_typed_door_checks_the_rules_between_parts() {
    let record = Record::from_fields(&task_fields()).unwrap();
    // A record's own parts go through the door unchanged.
    assert_eq!(Record::new(record.parts()).unwrap(), record);
    let check = |change: &dyn Fn(&mut RecordParts), field: &str, fragment: &str| {
        let mut parts = record.parts();
        change(&mut parts);
        let error = Record::new(parts).expect_err("should be refused");
        assert_eq!(error.field, field, "{error}");
        assert!(error.problem.contains(fragment), "{error}");
    };
    check(&|p| p.ended_at = p.started_at, "active_seconds", "more than");
    check(&|p| std::mem::swap(&mut p.started_at, &mut p.ended_at), "ended_at", "before started_at");
    check(&|p| p.ended_at = p.started_at.plus(Seconds::new(40 * 24 * 3600)), "ended_at", "the limit is");
    check(&|p| p.active = Seconds::new(601), "active_seconds", "601 is more than the 600 s");
    check(
        &|p| {
            p.activity = Activity::Task {
                category: None,
                outcome: Outcome::Approved,
                reward: Money::parse("999.99").unwrap(),
                bonus: Money::parse("0.02").unwrap(),
                currency: Currency::USD,
            }
        },
        "reward",
        "at most 1000 USD",
    );
    // Unpaid time carries no pay to check.
    let mut parts = record.parts();
    parts.activity = Activity::Unpaid { category: UnpaidCategory::Search };
    assert_eq!(Record::new(parts).unwrap().earnings_usd(), Decimal::ZERO);
}

#[test]
fn rows_map_to_fields_in_header_order() {
    let row = CSV_HEADER;
    let fields = RecordFields::from_row(row);
    let mut again = Vec::new();
    for (name, value) in CSV_HEADER.iter().zip([
        fields.record_id,
        fields.install_id,
        fields.platform,
        fields.country,
        fields.kind,
        fields.category,
        fields.outcome,
        fields.started_at,
        fields.ended_at,
        fields.active_seconds,
        fields.reward,
        fields.bonus,
        fields.currency,
    ]) {
        again.push((*name, value));
    }
    assert!(again.iter().all(|(name, value)| name == value), "{again:?}");
}

#[test]
fn the_pay_cap_compares_like_the_decimals() {
    let cap = Decimal::from(MAX_TASK_PAY_USD);
    let cases = [
        Decimal::ZERO,
        Decimal::new(1000, 0),
        Decimal::new(1_000_000_000, 6),
        Decimal::new(1_000_000_001, 6),
        Decimal::new(1001, 0),
        Decimal::new(999_999, 3),
        Decimal::from_i128_with_scale(10i128.pow(28), 25),
        Decimal::from_i128_with_scale(10i128.pow(28) + 1, 25),
        Decimal::from_i128_with_scale(10i128.pow(28) - 1, 25),
        Decimal::MAX,
        Decimal::new(-5000, 0),
        Decimal::new(12345, 2) / Decimal::new(7648, 3),
        Decimal::new(7_648_001, 0) / Decimal::new(7648, 3),
    ];
    for pay in cases {
        assert_eq!(above_max_task_pay(pay), pay > cap, "{pay}");
    }
}
