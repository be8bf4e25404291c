//! Unit tests of the Prolific importer on small inline exports; `analysis/tests/import_prolific.rs`
//! runs it on excerpts of real exports.

use super::*;
use crate::record::{Activity, Record};

const NEW_HEADER: &str =
    "Submission id,Participant id,Status,Started at,Completed at,Time taken,Fluent languages";
const OLD_HEADER: &str = "Submission id,PROLIFIC_PID,Status,Started at,Completed at,Time taken,Language";

fn options() -> ProlificExportOptions {
    ProlificExportOptions {
        reward: Money::parse("1.50").unwrap(),
        currency: Currency::parse("GBP").unwrap(),
        country: None,
        category: None,
        max_time: None,
    }
}

fn import(input: &str, options: ProlificExportOptions) -> Vec<Result<Imported, String>> {
    let pseudonyms = Pseudonymizer::new(b"test salt");
    match read_prolific_export(input.as_bytes(), &pseudonyms, options) {
        Ok(export) => export.map(|item| item.map_err(|error| error.to_string())).collect(),
        Err(error) => vec![Err(error.to_string())],
    }
}

fn record(item: &Result<Imported, String>) -> (&Record, bool) {
    match item {
        Ok(Imported::Record { record, repaired, .. }) => (record, *repaired),
        other => panic!("expected a record, got {other:?}"),
    }
}

#[test]
fn both_header_variants_and_both_time_taken_forms() {
    let old = format!(
        "{OLD_HEADER}\nS1,P1,APPROVED,2024-07-15T20:16:52.266000Z,2024-07-15T20:24:36.379000Z,465,English\n"
    );
    let new = format!(
        "{NEW_HEADER}\nS1,P1,AWAITING REVIEW,2026-03-18T17:40:13.983000Z,2026-03-18T18:35:36.533000Z,3323.0,English\n"
    );
    let old_items = import(&old, options());
    let (old_record, _) = record(&old_items[0]);
    assert_eq!(old_record.active().get(), 464, "465 s capped at the 464 s between whole-second times");
    assert_eq!(old_record.outcome(), Some(Outcome::Approved));
    match old_record.activity() {
        Activity::Task { reward, currency, .. } => {
            assert_eq!((reward.to_string().as_str(), currency.as_str()), ("1.5", "GBP"))
        }
        Activity::Unpaid { .. } => panic!("a task"),
    }
    let new_items = import(&new, options());
    let (new_record, repaired) = record(&new_items[0]);
    // 17:40:13.983 to 18:35:36.533 is 3322.55 s: its whole seconds, not 3323 from whole-second ends.
    assert_eq!(new_record.active().get(), 3322);
    assert_eq!(new_record.outcome(), Some(Outcome::Submitted));
    assert!(!repaired);
    assert!(new_record.install_id().is_from_requester_export());
}

#[test]
fn spreadsheet_wrapped_rows_are_read_back() {
    let input = format!(
        "{NEW_HEADER}\n\"S2,P2,AWAITING REVIEW,2026-03-18T17:40:13.601000Z,2026-03-18T18:02:08.113000Z,1315.0,\"\"English, Spanish\"\"\"\n\"only,three,fields\"\n"
    );
    let items = import(&input, options());
    let (record, repaired) = record(&items[0]);
    assert!(repaired);
    assert_eq!(record.active().get(), 1314, "the floor of the exact 1314.512 s span");
    assert_eq!(items[1].as_ref().unwrap_err(), "line 3: CSV: the row has 1 fields; the header has 7");
}

#[test]
fn statuses_map_to_outcomes_and_rows_without_working_time_are_skipped_with_a_reason() {
    let input = format!(
        "{NEW_HEADER}\n\
         S1,P1,REJECTED,2026-03-18T17:00:00Z,2026-03-18T17:10:00Z,600,x\n\
         S2,P1,RETURNED,2026-03-18T17:00:00Z,,,x\n\
         S3,P1,RETURNED,2026-03-18T17:00:00Z,2026-03-18T17:05:00Z,,x\n\
         S4,P1,SCREENED OUT,2026-03-18T17:00:00Z,2026-03-18T17:02:00Z,120,x\n\
         S5,P1,TIMED-OUT,2026-03-18T17:00:00Z,,677910,x\n\
         S6,P1,RETURNED,,,,x\n\
         S7,P1,PAID,2026-03-18T17:00:00Z,2026-03-18T17:05:00Z,300,x\n\
         S8,P1,APPROVED,2026-03-18T17:00:00Z,2026-03-18T17:05:00Z,soon,x\n"
    );
    let items = import(&input, options());
    assert_eq!(record(&items[0]).0.outcome(), Some(Outcome::Rejected));
    assert!(
        matches!(&items[1], Ok(Imported::Skipped { line: 3, reason }) if reason.contains("RETURNED before completion"))
    );
    assert_eq!(record(&items[2]).0.active().get(), 300);
    let (screened, _) = record(&items[3]);
    assert_eq!(screened.outcome(), Some(Outcome::ScreenedOut));
    assert!(screened.earnings_usd().is_zero());
    assert!(
        matches!(&items[4], Ok(Imported::Skipped { line: 6, reason }) if reason.contains("188.3 h") && reason.contains("--max-minutes"))
    );
    assert!(
        matches!(&items[5], Ok(Imported::Skipped { line: 7, reason }) if reason.contains("without a start time"))
    );
    assert!(items[6].as_ref().unwrap_err().starts_with("line 8: Status: 'PAID' is not a submission status"));
    assert!(
        items[7].as_ref().unwrap_err().starts_with("line 9: Time taken: 'soon' is not a number of seconds")
    );

    let capped = import(&input, ProlificExportOptions { max_time: Some(Seconds::new(1800)), ..options() });
    let (timed_out, _) = record(&capped[4]);
    assert_eq!(timed_out.outcome(), Some(Outcome::Abandoned));
    assert_eq!(timed_out.active().get(), 1800);
}

#[test]
fn an_mturk_file_is_not_a_prolific_export() {
    let items = import("HITId,WorkerId,Reward\n1,2,$0.10\n", options());
    assert!(items[0].as_ref().unwrap_err().starts_with(
        "not a Prolific submissions export: the header lacks the columns Submission id, Participant id"
    ));
}
