//! Fake installs carry no weight until they look like workers: an install counts in published
//! figures only once it uploaded on `eligible_after_days` distinct days of the server's clock
//! (its records' own times are the client's and prove nothing).

use collector::clock::Clock;
use serde_json::{Value, json};

use crate::support::{TestDatabase, TestServer, cell_of, databases, start, task};

const BY_PLATFORM_COUNTRY: &str = "/v1/wages?by=platform,country&method=all";

/// 2026-11-30T00:00:00Z, the server's day 0 in these tests.
const DAY_0: i64 = 1_795_996_800;

/// Every report the API publishes: each grouping, each method, all months and May 2024.
pub(crate) async fn every_report(server: &TestServer) -> Vec<(String, Value)> {
    let mut reports = Vec::new();
    for by in [
        "platform",
        "country",
        "month",
        "platform,country",
        "platform,month",
        "country,month",
        "platform,country,month",
    ] {
        for method in ["all", "task", "paid"] {
            for month in ["", "&month=2024-05"] {
                let path = format!("/v1/wages?by={by}&method={method}{month}");
                let answer = server.get(&path).await;
                assert_eq!(answer.status, 200, "{path}: {}", answer.text);
                // The figures, without the date of the snapshot they are of.
                let mut body = answer.body;
                body.as_object_mut().expect("a report").remove("as_of");
                reports.push((path.clone(), body));
                let csv = server.get(&path.replace("/v1/wages?", "/v1/wages.csv?")).await;
                reports.push((format!("{path} as CSV"), Value::from(csv.text)));
            }
        }
    }
    reports
}

/// The report of `path` among those of [`every_report`].
fn report<'a>(reports: &'a [(String, Value)], path: &str) -> &'a Value {
    &reports.iter().find(|(p, _)| p == path).expect("a report of every_report").1
}

/// The reports that differ between two calls of [`every_report`].
pub(crate) fn changed(before: &[(String, Value)], after: &[(String, Value)]) -> Vec<String> {
    before.iter().zip(after).filter(|(b, a)| b != a).map(|((path, _), _)| path.clone()).collect()
}

fn data_version(answer: &crate::support::Answer) -> i64 {
    answer.headers["piecerate-data-version"].to_str().unwrap().parse().unwrap()
}

/// A collector whose installs count from their third day of uploads, its clock (the test's to
/// move) at `now`.
async fn start_with_three_days_rule(database: &TestDatabase, now: i64) -> TestServer {
    start(database, |config| {
        config.eligible_after_days = 3;
        config.clock = Clock::manual(now);
        // A week between snapshots: the days these tests move through while workers upload
        // publish none in the background, so a snapshot never lands between two workers'
        // uploads (a cell caught at 11 of 12 would stay there under the 10-change rule); each
        // test publishes with `publish_snapshot_now` where it reads figures.
        config.snapshot_interval_days = 7;
    })
    .await
}

#[tokio::test]
async fn an_install_counts_once_it_uploaded_on_three_server_days() {
    for database in databases().await {
        let server = start_with_three_days_rule(&database, DAY_0 + 9 * 3600).await;
        let clock = &server.clock;
        let backend = server.backend;
        let tokens: Vec<String> = enroll_many(&server, 10).await;
        let empty = server.get("/v1/wages").await;
        assert_eq!(empty.body["cells"], json!([]), "{backend}: {}", empty.text);
        // Day 0: every worker uploads a month of records whose own times span thirty days; the
        // client's clock counts for nothing.
        for (worker, token) in tokens.iter().enumerate() {
            let records: Vec<Value> = (0..30)
                .map(|day| task(worker as u64 * 100 + day, day as i64 * 24, "mturk", "US", "5.00"))
                .collect();
            assert_eq!(server.upload(token, &records).await.status, 200, "{backend}");
            // A second upload the same day is not a second day.
            let again = [task(worker as u64 * 100 + 50, 900, "mturk", "US", "5.00")];
            assert_eq!(server.upload(token, &again).await.status, 200, "{backend}");
        }
        let day_0 = server.get("/v1/wages").await;
        assert_eq!(day_0.body["cells"], json!([]), "{backend}: nobody counts yet: {}", day_0.text);
        assert_eq!(
            data_version(&day_0),
            data_version(&empty),
            "{backend}: uploads that change no report move no version"
        );
        // Day 1: a replay of stored records only (nothing new) is no upload day.
        clock.advance_days(1);
        for (worker, token) in tokens.iter().enumerate() {
            let replay = server.upload(token, &[task(worker as u64 * 100, 0, "mturk", "US", "5.00")]).await;
            assert_eq!(replay.body["duplicates"], 1, "{backend}: {}", replay.text);
            let new = [task(worker as u64 * 100 + 60, 901, "mturk", "US", "5.00")];
            assert_eq!(server.upload(token, &new).await.status, 200, "{backend}");
        }
        assert_eq!(server.get("/v1/wages").await.body["cells"], json!([]), "{backend}");
        // Day 2: nine workers upload, and count; the tenth has uploaded on two days only, and a
        // replay on day 2 does not count as its day.
        clock.advance_days(1);
        for (worker, token) in tokens.iter().enumerate().take(9) {
            let new = [task(worker as u64 * 100 + 70, 902, "mturk", "US", "5.00")];
            assert_eq!(server.upload(token, &new).await.status, 200, "{backend}");
        }
        let replay = server.upload(&tokens[9], &[task(900, 0, "mturk", "US", "5.00")]).await;
        assert_eq!(replay.body["duplicates"], 1, "{backend}");
        // The snapshot at the end of day 2 counts the nine, fewer than ten workers changed in a
        // cell that had none: it keeps the cell as it was, absent. Had the replay counted the
        // tenth's day, ten would have changed and the cell would be published.
        server.publish_snapshot_now().await;
        let nine = server.get("/v1/wages?by=platform").await;
        assert!(data_version(&nine) > data_version(&day_0), "{backend}: becoming eligible moves the version");
        assert_eq!(nine.body["cells"], json!([]), "{backend}: {}", nine.text);
        // Day 3: the tenth's upload of something new is its third day, and all of its records
        // count at once. The nine upload a task more each, so that ten workers changed since the
        // last snapshot and the cell moves (one worker alone would leave it as it was).
        let last = server.upload(&tokens[9], &[task(970, 902, "mturk", "US", "5.00")]).await;
        assert_eq!(last.status, 200, "{backend}");
        for (worker, token) in tokens.iter().enumerate().take(9) {
            let new = [task(worker as u64 * 100 + 80, 903, "mturk", "US", "5.00")];
            assert_eq!(server.upload(token, &new).await.status, 200, "{backend}");
        }
        server.publish_snapshot_now().await;
        let ten = server.get("/v1/wages?by=platform,country").await;
        let cell = cell_of(&ten.body, "mturk", "US");
        // 33 hour-long tasks each, and one more for each of the nine (task counts are rounded
        // to tens, hours to whole hours).
        assert_eq!(
            (cell["n_workers"].as_u64(), cell["hours_paid"].as_f64()),
            (Some(10), Some(339.0)),
            "{backend}: {cell}"
        );
        server.running.shut_down().await.expect("shutting down");
    }
}

async fn enroll_many(server: &TestServer, count: usize) -> Vec<String> {
    let mut tokens = Vec::with_capacity(count);
    for _ in 0..count {
        tokens.push(server.enroll().await);
    }
    tokens
}

/// One task record of `reward` dollars for `minutes` of work, in `platform`/`country`.
fn short_task(id: u64, hour: i64, platform: &str, country: &str, reward: &str, minutes: i64) -> Value {
    let mut record = task(id, hour, platform, country, reward);
    let started = 1_714_521_600 + hour * 3600 + 120;
    let ended = analysis::Timestamp::from_unix_seconds(started + minutes * 60).expect("in range").to_string();
    let object = record.as_object_mut().expect("an object");
    object.insert("ended_at".into(), json!(ended));
    object.insert("active_seconds".into(), json!(minutes * 60));
    record
}

/// Real workers who uploaded on three days: twelve on prolific/GB at $3.50 to $14.50 an hour,
/// eleven on mturk/US, and one on toloka/KE (two hours for $2.74, $1.37/h, whose cell is
/// suppressed). Answers [`every_report`] once a snapshot published them.
async fn real_workers(server: &TestServer) -> Vec<(String, Value)> {
    let tokens = enroll_many(server, 24).await;
    for day in 0..3u64 {
        for (worker, token) in tokens.iter().enumerate() {
            let worker = worker as u64;
            let id = 10_000 + worker * 10 + day;
            let hour = (day * 24) as i64;
            let record = match worker {
                0..12 => task(id, hour, "prolific", "GB", &format!("{}.50", 3 + worker)),
                12..23 => task(id, hour, "mturk", "US", &format!("{}.25", worker - 6)),
                _ => short_task(id, hour, "toloka", "KE", ["0.90", "0.92", "0.92"][day as usize], 40),
            };
            let stored = server.upload(token, &[record]).await;
            assert_eq!(stored.status, 200, "{}: {}", server.backend, stored.text);
        }
        server.clock.advance_days(1);
    }
    server.publish_snapshot_now().await;
    every_report(server).await
}

/// Issue 10, point 4: fifteen installs claiming $1000 for 30 minutes, and fifteen claiming two
/// cents an hour, moved the prolific/GB median. Now they are enrolled (the puzzle solved) and
/// upload on two days: no published figure of any report moves, in JSON or CSV.
#[tokio::test]
async fn fake_installs_with_implausible_wages_move_no_published_figure() {
    for database in databases().await {
        let server = start_with_three_days_rule(&database, DAY_0).await;
        let (backend, clock) = (server.backend, &server.clock);
        let before = real_workers(&server).await;
        let cell = cell_of(report(&before, BY_PLATFORM_COUNTRY), "prolific", "GB");
        assert_eq!(
            (&cell["suppressed"], cell["n_workers"].as_u64()),
            (&json!(false), Some(12)),
            "{backend}: {cell}"
        );
        let fakes = enroll_many(&server, 30).await;
        for day in 0..2u64 {
            for (fake, token) in fakes.iter().enumerate() {
                let id = 50_000 + fake as u64 * 10 + day;
                let record = if fake < 15 {
                    short_task(id, day as i64, "prolific", "GB", "1000.00", 30)
                } else {
                    short_task(id, day as i64, "prolific", "GB", "0.01", 30)
                };
                let stored = server.upload(token, &[record]).await;
                assert_eq!(stored.status, 200, "{backend}: {}", stored.text);
            }
            clock.advance_days(1);
        }
        server.publish_snapshot_now().await;
        let after = every_report(&server).await;
        assert_eq!(changed(&before, &after), Vec::<String>::new(), "{backend}: reports that moved");
        server.running.shut_down().await.expect("shutting down");
    }
}

/// Issue 10, point 3: one real toloka/KE worker plus nine installs enrolled within a second
/// published the cell, and subtracting the fakes gave the worker's exact wage ($1.37/h), hours
/// (2.0) and task count. Now the nine count for nothing until they have uploaded on three
/// days: the cell stays suppressed and no report changes, so nothing can be subtracted.
#[tokio::test]
async fn nine_fresh_installs_do_not_publish_the_cell_of_one_real_worker() {
    for database in databases().await {
        let server = start_with_three_days_rule(&database, DAY_0).await;
        let (backend, clock) = (server.backend, &server.clock);
        let before = real_workers(&server).await;
        // One worker alone never publishes a figure of the cell: it is absent (the snapshots kept
        // it as it was before them, empty) or suppressed.
        let kenya = cell_of(report(&before, BY_PLATFORM_COUNTRY), "toloka", "KE");
        assert!(kenya.is_null() || kenya["suppressed"] == true, "{backend}: {kenya}");
        let fakes = enroll_many(&server, 9).await;
        for (fake, token) in fakes.iter().enumerate() {
            let record = task(70_000 + fake as u64, 0, "toloka", "KE", "3.00");
            assert_eq!(server.upload(token, &[record]).await.status, 200, "{backend}");
        }
        server.publish_snapshot_now().await;
        let after = every_report(&server).await;
        assert_eq!(changed(&before, &after), Vec::<String>::new(), "{backend}: reports that moved");
        assert!(
            cell_of(report(&after, BY_PLATFORM_COUNTRY), "toloka", "KE")["n_workers"].is_null(),
            "{backend}"
        );
        // What the rule does not resist, said in the threat model: the same nine installs,
        // coming back on two more days, count.
        for day in 1..3u64 {
            clock.advance_days(1);
            for (fake, token) in fakes.iter().enumerate() {
                let record = task(70_000 + day * 100 + fake as u64, day as i64 * 24, "toloka", "KE", "3.00");
                assert_eq!(server.upload(token, &[record]).await.status, 200, "{backend}");
            }
        }
        server.publish_snapshot_now().await;
        let patient = server.get("/v1/wages?by=platform,country").await;
        let kenya = cell_of(&patient.body, "toloka", "KE");
        assert_eq!(
            (&kenya["suppressed"], kenya["n_workers"].as_u64()),
            (&json!(false), Some(10)),
            "{backend}: {kenya}"
        );
        server.running.shut_down().await.expect("shutting down");
    }
}

/// Enrollment costs a proof of work: a fresh challenge of this collector, solved, used once.
/// Every refusal is a 422 naming the field, and stores no install.
#[tokio::test]
async fn enrolling_needs_a_fresh_unused_solved_challenge() {
    for database in databases().await {
        let clock = Clock::manual(DAY_0);
        let server = start(&database, |config| {
            config.enroll_difficulty_bits = 12;
            config.clock = clock.clone();
        })
        .await;
        let backend = server.backend;
        let post = |body: String| async {
            let request =
                server.client.post(server.url("/v1/installs")).header("content-type", "application/json");
            crate::support::answer(request.body(body).send().await.expect("enrolling")).await
        };
        let refused = |answer: &crate::support::Answer, field: &str, problem: &str| {
            assert_eq!(answer.status, 422, "{backend}: {}", answer.text);
            assert_eq!(answer.body["errors"][0]["field"], field, "{backend}: {}", answer.text);
            let text = answer.body["errors"][0]["problem"].as_str().expect("a problem");
            assert!(text.contains(problem), "{backend}: {text}");
        };
        let challenge = server.get("/v1/installs/challenge").await;
        assert_eq!(challenge.status, 200, "{backend}");
        assert_eq!(challenge.body["difficulty"], 12, "{backend}");
        assert_eq!(challenge.body["expires_at"], "2026-11-30T00:10:00Z", "{backend}");
        assert_eq!(challenge.headers["cache-control"], "no-store", "{backend}");
        let text = challenge.body["challenge"].as_str().expect("a challenge").to_owned();
        let nonce = collector::proof_of_work::solve(&text, 12);
        // Nothing, or half of it.
        let empty =
            crate::support::answer(server.client.post(server.url("/v1/installs")).send().await.expect("r"))
                .await;
        refused(&empty, "challenge", "GET /v1/installs/challenge");
        refused(&post(json!({ "challenge": text }).to_string()).await, "nonce", "missing");
        refused(
            &post(json!({ "challenge": text, "nonce": 7 }).to_string()).await,
            "nonce",
            "must be a string, got",
        );
        refused(
            &post(json!({ "challenge": 7, "nonce": nonce }).to_string()).await,
            "challenge",
            "must be a string",
        );
        // A nonce that does not solve it.
        let wrong = (0u64..)
            .map(|n| format!("w{n}"))
            .find(|candidate| {
                use sha2::Digest;
                let digest = sha2::Sha256::digest(format!("{text}{candidate}"));
                collector::proof_of_work::leading_zero_bits(&digest) < 12
            })
            .expect("a wrong nonce");
        refused(
            &post(json!({ "challenge": text, "nonce": wrong }).to_string()).await,
            "nonce",
            "the challenge asks for 12",
        );
        refused(
            &post(json!({ "challenge": text, "nonce": "not a nonce!" }).to_string()).await,
            "nonce",
            "ASCII letters or digits",
        );
        // A challenge made up, or made easier.
        let easier = text.replacen("12.", "0.", 1);
        refused(
            &post(json!({ "challenge": easier, "nonce": "0" }).to_string()).await,
            "challenge",
            "not a challenge of this collector",
        );
        refused(
            &post(json!({ "challenge": "0.9999999999.00.00", "nonce": "0" }).to_string()).await,
            "challenge",
            "not a challenge",
        );
        assert_eq!(server.running.database.install_count().await.expect("a count"), 0, "{backend}");
        // Solved: one install, once.
        let solved = json!({ "challenge": text, "nonce": nonce, "consent_version": "2024-05" }).to_string();
        assert_eq!(post(solved.clone()).await.status, 201, "{backend}");
        refused(&post(solved).await, "challenge", "used to enroll already");
        // Ten minutes on, a challenge has expired.
        let late = server.solved_challenge().await;
        clock.advance(601);
        refused(&post(late.to_string()).await, "challenge", "expired 1 s ago");
        assert_eq!(server.running.database.install_count().await.expect("a count"), 1, "{backend}");
        // Only the extension may ask for one from a browser.
        let page =
            server.client.get(server.url("/v1/installs/challenge")).header("origin", "https://example.org");
        assert_eq!(page.send().await.expect("r").status(), 403, "{backend}");
        let extension = server
            .client
            .get(server.url("/v1/installs/challenge"))
            .header("origin", "chrome-extension://abcdefgh");
        let extension = extension.send().await.expect("r");
        assert_eq!(extension.status(), 200, "{backend}");
        assert_eq!(
            extension.headers()["access-control-allow-origin"],
            "chrome-extension://abcdefgh",
            "{backend}"
        );
        server.running.shut_down().await.expect("shutting down");
    }
}
