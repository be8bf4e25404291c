//! Unit tests of the MTurk batch importer on small inline files; `analysis/tests/import_mturk.rs`
//! runs it on excerpts of real batch files.

use super::*;
use crate::record::Activity;

const HEADER: &str = "HITId,Reward,AssignmentId,WorkerId,AssignmentStatus,AcceptTime,SubmitTime,WorkTimeInSeconds,Approve,Reject";

fn import(input: &str, options: MturkBatchOptions) -> Vec<Result<Imported, String>> {
    let pseudonyms = Pseudonymizer::new(b"test salt");
    match read_mturk_batch(input.as_bytes(), &pseudonyms, options) {
        Ok(batch) => batch.map(|item| item.map_err(|error| error.to_string())).collect(),
        Err(error) => vec![Err(error.to_string())],
    }
}

fn record(item: &Result<Imported, String>) -> &crate::record::Record {
    match item {
        Ok(Imported::Record { record, .. }) => record,
        other => panic!("expected a record, got {other:?}"),
    }
}

#[test]
fn converts_a_web_download_row() {
    let input = format!(
        "{HEADER}\nH1,$0.03,A1,W1,Submitted,Thu Jul 02 03:27:28 PDT 2020,Thu Jul 02 03:29:28 PDT 2020,100,,\n"
    );
    let items = import(&input, MturkBatchOptions::default());
    let record = record(&items[0]);
    assert_eq!(record.started_at().to_string(), "2020-07-02T10:27:28Z");
    assert_eq!(record.ended_at().to_string(), "2020-07-02T10:29:28Z");
    assert_eq!(record.active().get(), 100);
    assert_eq!(record.outcome(), Some(Outcome::Submitted));
    assert!(record.install_id().is_from_requester_export());
    assert_eq!(record.country(), None);
    match record.activity() {
        Activity::Task { reward, currency, category, .. } => {
            assert_eq!(reward.to_string(), "0.03");
            assert_eq!(currency.as_str(), "USD");
            assert_eq!(category, None);
        }
        Activity::Unpaid { .. } => panic!("a task"),
    }
}

#[test]
fn work_time_is_capped_at_the_span_and_defaults_to_it() {
    let input = format!(
        "{HEADER}\n\
         H1,0.65,A1,W1,Approved,2020-02-06 23:22:13,2020-02-06 23:25:41,9999,,\n\
         H1,0.65,A2,W1,Approved,2020-02-06 23:22:13,2020-02-06 23:25:41,,,\n"
    );
    let items = import(&input, MturkBatchOptions { assumed_zone: Some(-300), ..Default::default() });
    assert_eq!(record(&items[0]).active().get(), 208);
    assert_eq!(record(&items[1]).active().get(), 208);
    assert_eq!(record(&items[0]).started_at().to_string(), "2020-02-07T04:22:13Z");
}

#[test]
fn outcomes_follow_status_and_the_decision_columns() {
    let row = |status: &str, approve: &str, reject: &str| {
        format!(
            "H,$0.10,A-{status}-{approve}-{reject},W,{status},2019-01-16 13:42:47 UTC,2019-01-16 13:43:30 UTC,43,{approve},{reject}"
        )
    };
    let input = [
        HEADER.to_owned(),
        row("Approved", "", ""),
        row("Rejected", "", ""),
        row("Submitted", "", ""),
        row("Submitted", "x", ""),
        row("Submitted", "", "does not match other annotations"),
        row("Submitted", "x", "no"),
        row("Pending", "", ""),
    ]
    .join("\n");
    let items = import(&input, MturkBatchOptions::default());
    let outcomes: Vec<Option<Outcome>> = items[..5].iter().map(|item| record(item).outcome()).collect();
    use Outcome::*;
    assert_eq!(outcomes, [Some(Approved), Some(Rejected), Some(Submitted), Some(Approved), Some(Rejected)]);
    assert_eq!(
        items[5].as_ref().unwrap_err(),
        "line 7: Reject: both Approve and Reject are marked; the decision is unclear"
    );
    assert!(
        items[6]
            .as_ref()
            .unwrap_err()
            .starts_with("line 8: AssignmentStatus: 'Pending' is not an assignment status")
    );
}

#[test]
fn bad_rows_name_line_column_and_problem() {
    let good = "H,$0.10,A1,W1,Approved,Wed Jan 16 13:42:47 PST 2019,Wed Jan 16 13:43:30 PST 2019,43,,";
    let input = [
        HEADER,
        good,
        "H,-0.10,A2,W1,Approved,Wed Jan 16 13:42:47 PST 2019,Wed Jan 16 13:43:30 PST 2019,43,,",
        "H,$ten,A3,W1,Approved,Wed Jan 16 13:42:47 PST 2019,Wed Jan 16 13:43:30 PST 2019,43,,",
        "H,$0.10,A4,W1,Approved,Wed Jan 16 13:42:47 XST 2019,Wed Jan 16 13:43:30 PST 2019,43,,",
        "H,$0.10,A5,W1,Approved,Wed Jan 16 13:42:47 PST 2019,Wed Jan 16 12:43:30 PST 2019,43,,",
        "H,$0.10,A6,W1,Approved,Wed Jan 16 13:42:47 PST 2019,Wed Jan 16 13:43:30 PST 2019,-4,,",
        "H,$0.10,A7,,Approved,Wed Jan 16 13:42:47 PST 2019,Wed Jan 16 13:43:30 PST 2019,43,,",
        "H,$2000,A8,W1,Approved,Wed Jan 16 13:42:47 PST 2019,Wed Jan 16 13:43:30 PST 2019,43,,",
        "H,$0.10,A9,W1,Approved,2019-01-16 13:42:47,2019-01-16 13:43:30,43,,",
        good,
    ]
    .join("\n");
    let items = import(&input, MturkBatchOptions::default());
    let errors: Vec<&str> = items.iter().filter_map(|item| item.as_ref().err().map(String::as_str)).collect();
    let expected_starts = [
        "line 3: Reward: '-0.10' is not a reward",
        "line 4: Reward: '$ten' is not a reward",
        "line 5: AcceptTime: 'XST' is not a time zone",
        "line 6: SubmitTime: 2019-01-16T20:43:30Z is before AcceptTime",
        "line 7: WorkTimeInSeconds: '-4' is not a whole",
        "line 8: WorkerId: is empty",
        "line 9: Reward: reward plus bonus is 2000 USD",
        "line 10: AcceptTime: '2019-01-16 13:42:47' has no time zone",
    ];
    assert_eq!(errors.len(), expected_starts.len(), "{errors:#?}");
    for (error, start) in errors.iter().zip(expected_starts) {
        assert!(error.starts_with(start), "{error}\n  should start with {start}");
    }
    assert!(items.iter().filter(|item| item.is_ok()).count() == 2);
}

#[test]
fn a_file_that_is_not_a_batch_file_is_refused_whole() {
    let items = import("Submission id,Participant id,Status\n1,2,APPROVED\n", MturkBatchOptions::default());
    assert_eq!(items.len(), 1);
    assert!(
        items[0]
            .as_ref()
            .unwrap_err()
            .starts_with("not an MTurk batch-results file: the header lacks the columns Reward")
    );
    let garbage: String = (0..400u32).map(|i| char::from_u32(0x80 + (i * 7919) % 0x700).unwrap()).collect();
    assert!(
        import(&garbage, MturkBatchOptions::default())[0].as_ref().unwrap_err().starts_with("not an MTurk")
    );
}

#[test]
fn the_same_salt_gives_the_same_ids_and_no_platform_id_survives() {
    let input = format!(
        "{HEADER}\nH1,$0.03,ASSIGN1,AWORKER1,Approved,2020-07-02T10:27:28Z,2020-07-02T10:29:28Z,100,,\n"
    );
    let first = record(&import(&input, MturkBatchOptions::default())[0]).clone();
    let second = record(&import(&input, MturkBatchOptions::default())[0]).clone();
    assert_eq!(first, second);
    let mut written = String::new();
    first.write_fields(|field| written.push_str(field));
    assert!(!written.contains("AWORKER1") && !written.contains("ASSIGN1"), "{written}");
}
