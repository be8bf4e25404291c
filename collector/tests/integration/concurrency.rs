//! Fifty installs uploading at the same time, each several batches, some of them twice: the
//! stored counts and the published totals come out exact.

use std::sync::Arc;

use serde_json::Value;

use crate::support::{databases, start, task};

const INSTALLS: u64 = 50;
const BATCHES: u64 = 4;
const RECORDS_PER_BATCH: u64 = 50;

#[tokio::test]
async fn fifty_installs_at_once_give_exact_counts() {
    for database in databases().await {
        // A hundred batches reach the one writer at once, so the last waits for all the others.
        // What this checks is the counts, not that wait, which grows several times over on a
        // loaded CI machine (a batch answered 408 after the 30 s default there): the server and
        // the client wait ten minutes. The timeout itself is `a_stalled_upload_times_out_with_408`'s.
        let server = Arc::new(
            start(&database, |config| config.request_timeout = std::time::Duration::from_secs(600)).await,
        );
        let backend = server.backend;
        let mut uploads = Vec::new();
        for install in 0..INSTALLS {
            let server = Arc::clone(&server);
            uploads.push(tokio::spawn(async move {
                let token = server.enroll().await;
                let mut accepted = 0;
                let mut duplicates = 0;
                for batch in 0..BATCHES {
                    let records: Vec<Value> = (0..RECORDS_PER_BATCH)
                        .map(|i| {
                            task(
                                batch * RECORDS_PER_BATCH + i,
                                (install % 7) as i64,
                                "prolific",
                                "GB",
                                "2.00",
                            )
                        })
                        .collect();
                    // Every other batch is sent twice at once, as a retrying client might.
                    let copies = if batch % 2 == 0 { 2 } else { 1 };
                    let answers =
                        futures_util::future::join_all((0..copies).map(|_| server.upload(&token, &records)))
                            .await;
                    for answer in answers {
                        assert_eq!(answer.status, 200, "{}", answer.text);
                        accepted += answer.body["accepted"].as_u64().expect("a count");
                        duplicates += answer.body["duplicates"].as_u64().expect("a count");
                    }
                }
                (accepted, duplicates)
            }));
        }
        let (mut accepted, mut duplicates) = (0, 0);
        for upload in uploads {
            let (a, d) = upload.await.expect("an upload task");
            accepted += a;
            duplicates += d;
        }
        let expected = INSTALLS * BATCHES * RECORDS_PER_BATCH;
        assert_eq!(accepted, expected, "{backend}");
        assert_eq!(duplicates, INSTALLS * (BATCHES / 2) * RECORDS_PER_BATCH, "{backend}");
        assert_eq!(server.stored_records().await, expected, "{backend}");
        server.publish_snapshot_now().await;
        let report = server.get("/v1/wages?by=platform").await;
        let cell = &report.body["cells"][0];
        assert_eq!(
            (cell["n_workers"].as_u64(), cell["n_tasks"].as_u64()),
            (Some(INSTALLS), Some(expected)),
            "{backend}"
        );
        assert_eq!(cell["median_hourly_usd"], 2.0, "{backend}");
        let metrics = server.get("/metrics").await.text;
        assert!(
            metrics.contains(&format!("piecerate_records_total{{outcome=\"accepted\"}} {expected}")),
            "{metrics}"
        );
        Arc::into_inner(server)
            .expect("all uploads finished")
            .running
            .shut_down()
            .await
            .expect("shutting down");
    }
}
