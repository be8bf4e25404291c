//! The collector stopped in the middle of a load, by SIGKILL (a crash) or SIGTERM (a graceful
//! shutdown): after a restart on the same database, every batch that was answered 2xx is there
//! in full, and no batch is there in part. A graceful shutdown also answers what was in flight
//! and exits cleanly.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::process::Child;

use crate::support::{ServingBinary, TestDatabase, answer, client, databases, serve_binary, task};

const WRITERS: u64 = 6;
const RECORDS_PER_BATCH: u64 = 200;

/// The collector binary serving `database` on a free port, and its address.
async fn spawn_collector(database: &TestDatabase) -> (Child, String) {
    let args = [
        "--upload-rate-per-minute",
        "1000000",
        "--upload-burst",
        "100000",
        "--wages-max-staleness-seconds",
        "0",
    ];
    let ServingBinary { child, address, mut lines, .. } = serve_binary(database, &args, "warn").await;
    // Keep draining the log so the collector never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}

fn batch(number: u64) -> Vec<Value> {
    (0..RECORDS_PER_BATCH)
        .map(|i| task(number * RECORDS_PER_BATCH + i, (number % 24) as i64, "toloka", "RU", "0.30"))
        .collect()
}

#[derive(Debug, Default)]
struct Outcomes {
    /// (token, batch number) answered 200.
    acknowledged: Vec<(String, u64)>,
    /// Sent, but the connection died before an answer.
    unanswered: Vec<(String, u64)>,
}

#[tokio::test]
async fn batches_acknowledged_before_sigkill_survive_whole() {
    stop_during_load(Stop::Kill).await;
}

#[tokio::test]
async fn sigterm_finishes_batches_in_flight_and_exits_cleanly() {
    stop_during_load(Stop::Terminate).await;
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    Kill,
    Terminate,
}

async fn stop_during_load(stop: Stop) {
    for database in databases().await {
        let backend = database.backend;
        let (mut child, base) = spawn_collector(&database).await;
        let http = client();
        let outcomes = Arc::new(Mutex::new(Outcomes::default()));
        let mut writers = Vec::new();
        for _ in 0..WRITERS {
            let enrolled = crate::support::enroll_with(&http, &base, |request| request).await;
            let token = enrolled.body["token"].as_str().expect("a token").to_owned();
            let (http, base, outcomes) = (http.clone(), base.clone(), Arc::clone(&outcomes));
            writers.push(tokio::spawn(async move {
                for number in 0.. {
                    let body = serde_json::json!({ "records": batch(number) }).to_string();
                    let sent = http
                        .post(format!("{base}/v1/records"))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    let mut outcomes = outcomes.lock().expect("no panics under lock");
                    match sent {
                        Ok(response) if response.status() == 200 => {
                            outcomes.acknowledged.push((token.clone(), number))
                        }
                        Ok(response) => panic!("unexpected status {}", response.status()),
                        Err(_) => {
                            outcomes.unanswered.push((token.clone(), number));
                            return;
                        }
                    }
                }
            }));
        }
        // Let the load run until enough batches were acknowledged, then kill without warning.
        let deadline = Instant::now() + Duration::from_secs(30);
        while outcomes.lock().expect("lock").acknowledged.len() < 30 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        match stop {
            Stop::Kill => child.start_kill().expect("sending SIGKILL"),
            Stop::Terminate => {
                let pid = child.id().expect("a running process").to_string();
                // The shell's own kill, so no kill binary needs to be installed.
                let sent = std::process::Command::new("sh")
                    .args(["-c", &format!("kill -TERM {pid}")])
                    .status()
                    .expect("running kill");
                assert!(sent.success(), "sending SIGTERM");
            }
        }
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("the collector stops within 30 s")
            .expect("the collector ends");
        if stop == Stop::Terminate {
            assert!(status.success(), "{backend}: a graceful shutdown ended with {status}");
        }
        for writer in writers {
            writer.await.expect("a writer task");
        }
        let outcomes = Arc::into_inner(outcomes).expect("writers ended").into_inner().expect("lock");
        assert!(
            outcomes.acknowledged.len() >= 30,
            "{backend}: only {} batches acknowledged",
            outcomes.acknowledged.len()
        );

        let (mut child, base) = spawn_collector(&database).await;
        let replay = |token: String, number: u64| {
            let http = http.clone();
            let url = format!("{base}/v1/records");
            async move {
                let body = serde_json::json!({ "records": batch(number) }).to_string();
                let sent =
                    http.post(url).bearer_auth(token).header("content-type", "application/json").body(body);
                answer(sent.send().await.expect("replaying")).await
            }
        };
        for (token, number) in outcomes.acknowledged {
            let again = replay(token, number).await;
            assert_eq!(again.status, 200, "{backend}: {}", again.text);
            assert_eq!(
                again.body["accepted"], 0,
                "{backend}: acknowledged batch {number} was lost, at least in part"
            );
        }
        for (token, number) in outcomes.unanswered {
            let again = replay(token, number).await;
            let accepted = again.body["accepted"].as_u64().expect("a count");
            assert!(
                accepted == 0 || accepted == RECORDS_PER_BATCH,
                "{backend}: batch {number} was stored in part ({accepted})"
            );
        }
        child.start_kill().expect("stopping the collector");
        child.wait().await.expect("the collector ends");
    }
}
