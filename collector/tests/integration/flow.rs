//! The whole life of an install: enroll, upload, replay, see it in the wages, erase, and be
//! gone from the wages with the token refused; then the operator's export.

use std::collections::BTreeMap;

use analysis::report::{DisclosureRules, Publication, TotalsCell};
use analysis::{InstallId, Method, ReportOptions, WorkerTotals};
use collector::snapshots;
use serde_json::{Value, json};

use crate::support::{BACKGROUND_WAIT, cell_of, databases, record_id, start, task};

/// One hour of unpaid search, right after the tasks of `task(id, hour, ..)`.
fn search(id: u64, hour: i64) -> Value {
    let mut record = task(id, hour, "mturk", "US", "0");
    let object = record.as_object_mut().expect("an object");
    for field in ["outcome", "reward", "currency", "category"] {
        object.insert(field.into(), Value::Null);
    }
    object.insert("kind".into(), json!("unpaid"));
    object.insert("category".into(), json!("search"));
    record
}

#[tokio::test]
async fn enroll_upload_replay_publish_erase() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let mut tokens = Vec::new();
        for worker in 0..10u64 {
            let token = server.enroll().await;
            // Two paid hours at $6 and one unpaid hour: $6/h on paid time, $4/h on all time.
            let batch = vec![
                task(worker * 10 + 1, 0, "mturk", "US", "6.00"),
                task(worker * 10 + 2, 2, "mturk", "US", "6.00"),
                search(worker * 10 + 3, 4),
            ];
            let stored = server.upload(&token, &batch).await;
            assert_eq!(
                (stored.status, &stored.body),
                (200, &json!({"accepted": 3, "duplicates": 0})),
                "{backend}"
            );
            let replay = server.upload(&token, &batch).await;
            assert_eq!(
                (replay.status, &replay.body),
                (200, &json!({"accepted": 0, "duplicates": 3})),
                "{backend}"
            );
            tokens.push(token);
        }
        assert_eq!(server.stored_records().await, 30, "{backend}");

        server.publish_snapshot_now().await;
        let all = server.get("/v1/wages?by=platform,country&method=all").await;
        assert_eq!(all.status, 200, "{backend}: {}", all.text);
        assert_eq!(all.body["schema"], "piecerate.report/1");
        let cell = cell_of(&all.body, "mturk", "US");
        assert_eq!(cell["suppressed"], false, "{backend}: {cell}");
        assert_eq!((cell["n_workers"].as_u64(), cell["n_tasks"].as_u64()), (Some(10), Some(20)), "{backend}");
        assert_eq!(cell["median_hourly_usd"], 4.0, "{backend}");
        let paid = server.get("/v1/wages?method=paid").await;
        assert_eq!(cell_of(&paid.body, "mturk", "US")["median_hourly_usd"], 6.0, "{backend}");
        let may = server.get("/v1/wages?month=2024-05").await;
        assert_eq!(cell_of(&may.body, "mturk", "US")["n_workers"], 10, "{backend}");
        let june = server.get("/v1/wages?month=2024-06").await;
        assert_eq!(june.body["cells"], json!([]), "{backend}");
        let csv = server.get("/v1/wages.csv?by=platform,country").await;
        assert!(
            csv.text.lines().any(|line| line.starts_with("mturk,US,false,10,")),
            "{backend}: {}",
            csv.text
        );

        let erased = server.erase(&tokens[0]).await;
        assert_eq!(
            (erased.status, &erased.body),
            (200, &json!({"records_erased": 3, "installs_erased": 1})),
            "{backend}"
        );
        assert_eq!(
            server.upload(&tokens[0], &[task(999, 0, "mturk", "US", "1.00")]).await.status,
            401,
            "{backend}"
        );
        assert_eq!(server.erase(&tokens[0]).await.status, 401, "{backend}");
        assert_eq!(server.stored_records().await, 27, "{backend}");

        let after = cell_of(&server.get("/v1/wages?by=platform,country").await.body, "mturk", "US");
        assert_eq!(after["suppressed"], true, "{backend}: {after}");
        assert_eq!(after["n_workers_fewer_than"], 10, "{backend}");
        assert!(after.get("n_workers").is_none(), "a suppressed cell publishes no count: {after}");
        let csv = server.get("/v1/wages.csv?by=platform,country").await;
        assert!(
            csv.text.lines().any(|line| line.starts_with("mturk,US,true,,10,")),
            "{backend}: {}",
            csv.text
        );

        // A record of an erased install can be sent again by a new install: ids are per install.
        let fresh = server.enroll().await;
        let again = server.upload(&fresh, &[task(1, 0, "mturk", "US", "6.00")]).await;
        assert_eq!(again.body, json!({"accepted": 1, "duplicates": 0}), "{backend}");
        server.publish_snapshot_now().await;
        let today = server.clock.today();
        let published = server.get("/v1/wages?by=platform,country&method=all").await.body;
        server.running.shut_down().await.expect("shutting down");
        let exported = assert_export_reads_back(&database.url, 28, backend).await;
        // The published report is the library's publication of the exported records, the same
        // totals under the same disclosure control, but for the newcomer: one worker changed in
        // the cell since the last snapshot, fewer than ten, so the snapshot kept its totals.
        let newcomer = exported
            .iter()
            .find(|record| record.record_id().hyphenated().to_string() == record_id(1))
            .expect("the newcomer's record")
            .install_id()
            .clone();
        let mut totals: BTreeMap<(InstallId, TotalsCell), WorkerTotals> = BTreeMap::new();
        for record in exported.iter().filter(|record| *record.install_id() != newcomer) {
            totals.entry((record.install_id().clone(), TotalsCell::of(record))).or_default().add(record);
        }
        let totals = totals.into_iter().map(|((install, cell), totals)| (install, cell, totals)).collect();
        let publication =
            Publication::new(ReportOptions::default(), DisclosureRules::default(), &Method::STANDARD, totals)
                .expect("totals make every published report");
        let grouping = "platform,country".parse().expect("a grouping");
        let from_records = publication.report(Method::All, &grouping, None).expect("a report");
        let mut expected = serde_json::to_value(from_records.document()).expect("a report");
        expected["as_of"] = published["as_of"].clone();
        assert_eq!(published["as_of"]["snapshot"], snapshots::day_text(today), "{backend}");
        assert_eq!(published, expected, "{backend}");
    }
}

/// `piecerate-collector export` writes records CSV v1 that the library reads back: whole hours,
/// the collector's install ids, nothing else.
async fn assert_export_reads_back(
    database_url: &str,
    expected: usize,
    backend: &str,
) -> Vec<analysis::Record> {
    let directory = tempfile::tempdir().expect("temporary directory");
    let out = directory.path().join("records.csv");
    let status = tokio::process::Command::new(env!("CARGO_BIN_EXE_piecerate-collector"))
        .args(["export", "--database-url", database_url, "--out"])
        .arg(&out)
        .env("PIECERATE_LOG", "warn")
        .status()
        .await
        .expect("running export");
    assert!(status.success(), "{backend}: export failed");
    let file = std::io::BufReader::new(std::fs::File::open(&out).expect("the export"));
    let records: Vec<analysis::Record> =
        analysis::read_records(file).expect("reading").map(|r| r.expect("a valid record")).collect();
    assert_eq!(records.len(), expected, "{backend}");
    for record in &records {
        assert_eq!(record.started_at().unix_seconds() % 3600, 0, "{backend}");
        assert_eq!(record.ended_at().unix_seconds() % 3600, 0, "{backend}");
        assert_eq!(record.install_id().as_str().len(), 32, "{backend}: {}", record.install_id());
    }
    assert!(records.iter().any(|r| r.record_id().hyphenated().to_string() == record_id(1)));
    crate::export::assert_parquet_export_equals(database_url, &records, backend);
    records
}

/// With a staleness allowance, a report older than the latest snapshot is served at once and
/// refreshed in the background; without one (the tests' default), every answer is the latest
/// snapshot's.
#[tokio::test]
async fn a_stale_report_is_served_while_it_is_recomputed() {
    for database in databases().await {
        let server =
            start(&database, |config| config.wages_max_staleness = std::time::Duration::from_secs(60)).await;
        let backend = server.backend;
        let first = server.get("/v1/wages").await;
        assert_eq!(first.body["cells"], json!([]), "{backend}");
        // Ten workers: a new cell moves into a snapshot when ten of its workers changed.
        for worker in 0..10 {
            let token = server.enroll().await;
            assert_eq!(server.upload(&token, &[task(worker, 0, "appen", "KE", "1.00")]).await.status, 200);
        }
        server.publish_snapshot_now().await;
        let today = snapshots::day_text(server.clock.today());
        let stale = server.get("/v1/wages").await;
        assert_eq!(stale.text, first.text, "{backend}: the cached report was not served");
        let mut fresh = None;
        let deadline = tokio::time::Instant::now() + BACKGROUND_WAIT;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let answer = server.get("/v1/wages").await;
            if answer.body["as_of"]["snapshot"] == today.as_str() {
                fresh = Some(answer);
                break;
            }
        }
        let fresh = fresh.unwrap_or_else(|| panic!("{backend}: the report was never refreshed"));
        assert_eq!(fresh.headers["piecerate-snapshot"], today.as_str(), "{backend}");
        assert_eq!(fresh.body["cells"][0]["platform"], "appen", "{backend}: {}", fresh.text);
        server.running.shut_down().await.expect("shutting down");
    }
}

/// The data version moves once with every write that commits something, and not with one that
/// stores nothing (a replay, a refused conflict), on both backends.
#[tokio::test]
async fn the_data_version_moves_once_per_committed_write() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let version = || async { server.running.database.data_version().await.expect("a data version") };
        let start_version = version().await;
        let (first, second) = (server.enroll().await, server.enroll().await);
        assert_eq!(version().await, start_version, "{backend}: enrolling changes no report");

        let batch = [task(1, 0, "mturk", "US", "1.00")];
        assert_eq!(server.upload(&first, &batch).await.status, 200);
        assert_eq!(version().await, start_version + 1, "{backend}: an upload");
        assert_eq!(server.upload(&first, &batch).await.body, json!({"accepted": 0, "duplicates": 1}));
        assert_eq!(version().await, start_version + 1, "{backend}: a replay stores nothing");
        let conflict = server.upload(&first, &[task(1, 0, "mturk", "US", "9.00")]).await;
        assert_eq!(conflict.status, 422, "{backend}: {}", conflict.text);
        assert_eq!(version().await, start_version + 1, "{backend}: a refused batch stores nothing");

        // Part replay, part new: stored through the path that reads what is stored first.
        let mixed = [task(1, 0, "mturk", "US", "1.00"), task(2, 1, "mturk", "US", "2.00")];
        assert_eq!(server.upload(&first, &mixed).await.body, json!({"accepted": 1, "duplicates": 1}));
        assert_eq!(version().await, start_version + 2, "{backend}: a partly new batch");
        assert_eq!(server.upload(&second, &batch).await.status, 200);
        assert_eq!(version().await, start_version + 3, "{backend}: another install's upload");
        assert_eq!(server.erase(&first).await.status, 200);
        assert_eq!(version().await, start_version + 4, "{backend}: an erasure");
        assert_eq!(server.stored_records().await, 1, "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}

/// An install's stored totals as rows: platform, country, month, earnings, the three times in
/// seconds and the tasks.
type TotalsRow = (String, String, i64, String, i64, i64, i64, i64);

async fn stored_totals(database: &crate::support::TestDatabase) -> Vec<TotalsRow> {
    let sql = "SELECT platform, country, month, earnings_usd, paid_task_seconds, unpaid_task_seconds, \
               unpaid_record_seconds, tasks FROM worker_cell_totals ORDER BY platform, country, month";
    if database.backend == "sqlite" {
        let mut c =
            <sqlx::SqliteConnection as sqlx::Connection>::connect(&database.url).await.expect("connect");
        sqlx::query_as(sql).fetch_all(&mut c).await.expect("reading the totals")
    } else {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&database.url).await.expect("connect");
        sqlx::query_as(sql).fetch_all(&mut c).await.expect("reading the totals")
    }
}

/// A batch reads back only the stored totals of its own platforms, countries and months; the
/// stored cells that share them without being the batch's (mturk/US in May, under the second
/// batch) stay as they were, and every cell holds the sums of its stored records, replays and
/// all.
#[tokio::test]
async fn the_stored_totals_are_the_sums_of_the_stored_records() {
    const JUNE: i64 = 31 * 24;
    const JULY: i64 = JUNE + 30 * 24;
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let token = server.enroll().await;
        let first = [task(1, 0, "mturk", "US", "1.10"), task(2, JULY, "prolific", "GB", "2.20")];
        let second = [task(3, JUNE, "mturk", "GB", "3.30"), task(4, 5, "prolific", "US", "4.40")];
        // Two stored records again (the path that tells duplicates apart) and two new ones in
        // cells stored by the first batch.
        let third = [
            first[0].clone(),
            second[1].clone(),
            task(5, 9, "mturk", "US", "5.50"),
            task(6, JULY + 3, "prolific", "GB", "6.60"),
        ];
        for (batch, accepted) in [(&first[..], 2), (&second[..], 2), (&third[..], 2)] {
            let answer = server.upload(&token, batch).await;
            assert_eq!((answer.status, &answer.body["accepted"]), (200, &json!(accepted)), "{backend}");
        }
        server.running.shut_down().await.expect("shutting down");
        let exported = assert_export_reads_back(&database.url, 6, backend).await;
        let mut expected: BTreeMap<TotalsCell, WorkerTotals> = BTreeMap::new();
        for record in &exported {
            expected.entry(TotalsCell::of(record)).or_default().add(record);
        }
        let seconds = |value: analysis::Seconds| value.get() as i64;
        let mut expected: Vec<TotalsRow> = expected
            .iter()
            .map(|(cell, totals)| {
                (
                    cell.platform.as_str().to_owned(),
                    cell.country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
                    cell.month_number(),
                    totals.earnings_usd.to_string(),
                    seconds(totals.paid_task_time),
                    seconds(totals.unpaid_task_time),
                    seconds(totals.unpaid_record_time),
                    totals.tasks as i64,
                )
            })
            .collect();
        expected.sort();
        assert_eq!(expected.len(), 4, "{backend}: {expected:?}");
        assert_eq!(stored_totals(&database).await, expected, "{backend}");
    }
}
