//! Fake installs carry no weight: those claiming wages no microtask pays move no published
//! figure (the collector publishes how many worker-cells it left out), and one install cannot
//! spread its records over many countries.

use serde_json::{Value, json};

use crate::support::{cell_of, databases, start, task};

/// `record` moved to `started_at`..`ended_at`, with `active_seconds` of work.
fn timed(mut record: Value, started_at: &str, ended_at: &str, active_seconds: u64) -> Value {
    let object = record.as_object_mut().expect("an object");
    object.insert("started_at".into(), json!(started_at));
    object.insert("ended_at".into(), json!(ended_at));
    object.insert("active_seconds".into(), json!(active_seconds));
    record
}

/// One record of $1000 for 30 minutes of work: $2000 an hour.
fn implausible(id: u64) -> Value {
    let time = |seconds| analysis::Timestamp::from_unix_seconds(seconds).expect("in range").to_string();
    let started = 1_714_521_600 + 120;
    timed(task(id, 0, "prolific", "GB", "1000.00"), &time(started), &time(started + 1800), 1800)
}

#[tokio::test]
async fn fifteen_fake_installs_at_1000_dollars_for_half_an_hour_move_no_published_figure() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        // Twelve real workers, one hour each at $3.50 to $14.50.
        for worker in 0..12u64 {
            let token = server.enroll().await;
            let stored = server
                .upload(&token, &[task(worker + 1, 0, "prolific", "GB", &format!("{}.50", 3 + worker))])
                .await;
            assert_eq!(stored.status, 200, "{backend}: {}", stored.text);
        }
        server.publish_snapshot_now().await;
        let before = server.get("/v1/wages?by=platform,country").await;
        assert_eq!(before.status, 200, "{backend}");
        assert_eq!(before.body["excluded_implausible"], 0, "{backend}");
        assert_eq!(before.body["max_hourly_usd"], 200.0, "{backend}");
        let cell_before = cell_of(&before.body, "prolific", "GB");
        assert_eq!(cell_before["n_workers"], 12, "{backend}: {}", before.text);
        for fake in 0..15u64 {
            let token = server.enroll().await;
            let stored = server.upload(&token, &[implausible(1000 + fake)]).await;
            assert_eq!(stored.status, 200, "{backend}: {}", stored.text);
        }
        server.publish_snapshot_now().await;
        let after = server.get("/v1/wages?by=platform,country").await;
        assert_eq!(after.status, 200, "{backend}");
        assert_eq!(
            cell_of(&after.body, "prolific", "GB"),
            cell_before,
            "{backend}: no figure of the cell moves"
        );
        assert_eq!(after.body["excluded_implausible"], 15, "{backend}: {}", after.text);
        assert!(after.body["notes"].to_string().contains("implausible"), "{backend}: {}", after.text);
        let overall = server.get("/v1/wages").await;
        assert_eq!(overall.body["cells"][0]["n_workers"], 12, "{backend}: {}", overall.text);
        assert_eq!(overall.body["excluded_implausible"], 15, "{backend}");
    }
}

/// One install's records may span at most `max_countries_per_install` countries (3 by default):
/// a batch beyond is refused whole with 422, naming the field and the limit.
#[tokio::test]
async fn one_install_spans_at_most_three_countries() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let token = server.enroll().await;
        let three = [
            task(1, 0, "mturk", "US", "1.00"),
            task(2, 1, "prolific", "GB", "1.00"),
            task(3, 2, "mturk", "DE", "1.00"),
        ];
        let stored = server.upload(&token, &three).await;
        assert_eq!(stored.status, 200, "{backend}: {}", stored.text);
        // Records without a country count for none, and the stored countries again are fine.
        let mut no_country = task(4, 3, "mturk", "US", "1.00");
        no_country["country"] = Value::Null;
        let stored = server.upload(&token, &[no_country, task(5, 4, "prolific", "US", "1.00")]).await;
        assert_eq!(stored.status, 200, "{backend}: {}", stored.text);
        let fourth = server
            .upload(&token, &[task(6, 5, "mturk", "US", "1.00"), task(7, 6, "mturk", "FR", "1.00")])
            .await;
        assert_eq!(fourth.status, 422, "{backend}: {}", fourth.text);
        assert_eq!(fourth.body["errors"][0]["field"], "country", "{backend}: {}", fourth.text);
        let problem = fourth.body["errors"][0]["problem"].as_str().expect("a problem");
        assert!(
            problem.contains("at most 3 countries") && problem.contains("DE, FR, GB, US"),
            "{backend}: {problem}"
        );
        assert!(
            fourth.body["error"].as_str().expect("a message").contains("nothing was stored"),
            "{backend}"
        );
        assert_eq!(server.stored_records().await, 5, "{backend}: the refused batch is refused whole");
        // A fresh install sending four countries at once is refused too.
        let fresh = server.enroll().await;
        let four: Vec<Value> = ["US", "GB", "DE", "FR"]
            .iter()
            .enumerate()
            .map(|(i, c)| task(100 + i as u64, i as i64, "mturk", c, "1.00"))
            .collect();
        let refused = server.upload(&fresh, &four).await;
        assert_eq!(
            (refused.status, &refused.body["errors"][0]["field"]),
            (422, &json!("country")),
            "{backend}"
        );
        assert_eq!(server.stored_records().await, 5, "{backend}");
        server.running.shut_down().await.expect("shutting down");
        // The limit is configuration.
        let server = start(&database, |config| config.max_countries_per_install = 1).await;
        let token = server.enroll().await;
        let two = server
            .upload(&token, &[task(200, 0, "mturk", "US", "1.00"), task(201, 1, "mturk", "GB", "1.00")])
            .await;
        assert_eq!(two.status, 422, "{backend}: {}", two.text);
        assert!(
            two.text.contains("at most 1 country; with this batch they would span 2: GB, US"),
            "{backend}: {}",
            two.text
        );
        server.running.shut_down().await.expect("shutting down");
    }
}

/// A one-second task in the `cell`-th platform × country × month cell reachable within three
/// countries (the per-install country limit): every platform, in US, GB and KE, every month
/// from January 2005 to December 2099 (12 platforms: 41,040 cells; past them, the count starts
/// again).
fn one_second_in_cell(id: u64, cell: u64) -> Value {
    let platforms = analysis::Platform::ALL;
    let cell = cell % (platforms.len() as u64 * 3 * 95 * 12);
    let platform = platforms[(cell % platforms.len() as u64) as usize].as_str();
    let country = ["US", "GB", "KE"][((cell / platforms.len() as u64) % 3) as usize];
    let month = cell / (platforms.len() as u64 * 3);
    let (year, month) = (2005 + month / 12, 1 + month % 12);
    let start = format!("{year}-{month:02}-01T12:00:00Z");
    let end = format!("{year}-{month:02}-01T12:00:01Z");
    timed(task(id, 0, platform, country, "0.01"), &start, &end, 1)
}

/// Issue 10, point 5: one install spread 100,000 one-second records over 100,000 platform ×
/// country × month cells, and the month report grew to 15.6 MB. Now one install's records span
/// at most `max_cells_per_install` cells (1000): the first 1000 cells are stored, every batch
/// beyond is refused whole with 422, and the report stays small.
#[tokio::test]
async fn one_install_spreading_100000_records_over_as_many_cells_is_refused_past_1000() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let token = server.enroll().await;
        let mut statuses = Vec::new();
        for batch in 0..100u64 {
            let records: Vec<Value> =
                (0..1000).map(|i| one_second_in_cell(batch * 1000 + i, batch * 1000 + i)).collect();
            let answer = server.upload(&token, &records).await;
            if answer.status == 422 {
                assert_eq!(answer.body["errors"][0]["field"], "records", "{backend}: {}", answer.text);
                let problem = answer.body["errors"][0]["problem"].as_str().expect("a problem");
                assert!(
                    problem.contains("at most 1000 platform × country × month cells"),
                    "{backend}: {problem}"
                );
                if batch == 1 {
                    assert!(problem.contains("would span 2000"), "{backend}: {problem}");
                }
                assert!(answer.text.contains("nothing was stored"), "{backend}: {}", answer.text);
            }
            statuses.push(answer.status);
        }
        assert_eq!(statuses[0], 200, "{backend}: the first 1000 cells are within the limit");
        assert!(statuses[1..].iter().all(|&status| status == 422), "{backend}: {statuses:?}");
        assert_eq!(server.stored_records().await, 1000, "{backend}");
        // The reports list at most the cells the install has (none, since one second of work is
        // below the minimum hours a worker needs in a cell to count, and a cell nobody counts in
        // is not listed), and stay small.
        let report = server.get("/v1/wages?by=platform,country,month").await;
        assert_eq!(report.status, 200, "{backend}");
        assert!(report.body["cells"].as_array().expect("cells").len() <= 1000, "{backend}");
        assert!(report.text.len() < 1_000_000, "{backend}: {} bytes", report.text.len());
        let month = server.get("/v1/wages?by=platform,country&month=2005-01").await;
        assert!(month.body["cells"].as_array().expect("cells").len() <= 24, "{backend}");
        assert!(month.text.len() < 50_000, "{backend}: {} bytes", month.text.len());
        // Records in cells it has already are still taken.
        let same_cells: Vec<Value> = (0..10).map(|i| one_second_in_cell(500_000 + i, i)).collect();
        assert_eq!(server.upload(&token, &same_cells).await.status, 200, "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}

/// The limit is configuration, and counts the cells an install has and the batch adds.
#[tokio::test]
async fn the_cell_limit_counts_stored_and_new_cells() {
    for database in databases().await {
        let server = start(&database, |config| config.max_cells_per_install = 5).await;
        let backend = server.backend;
        let token = server.enroll().await;
        let six: Vec<Value> = (0..6).map(|i| one_second_in_cell(i, i)).collect();
        let refused = server.upload(&token, &six).await;
        assert_eq!(refused.status, 422, "{backend}: {}", refused.text);
        assert!(
            refused
                .text
                .contains("at most 5 platform × country × month cells; with this batch they would span 6")
        );
        assert_eq!(server.stored_records().await, 0, "{backend}");
        assert_eq!(server.upload(&token, &six[..4]).await.status, 200, "{backend}");
        // Another record in a stored cell and one new cell: 5, the limit.
        let more = [one_second_in_cell(10, 0), one_second_in_cell(11, 4)];
        assert_eq!(server.upload(&token, &more).await.status, 200, "{backend}");
        let sixth = server.upload(&token, &[one_second_in_cell(12, 1), one_second_in_cell(13, 5)]).await;
        assert_eq!(sixth.status, 422, "{backend}: {}", sixth.text);
        assert_eq!(server.stored_records().await, 6, "{backend}");
        // A replay of stored records adds no cell and is answered as before.
        let replay = server.upload(&token, &more).await;
        assert_eq!((replay.status, &replay.body["duplicates"]), (200, &json!(2)), "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}
