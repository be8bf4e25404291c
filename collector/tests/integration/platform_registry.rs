//! The platforms added to the registry of record format v1 (issue 14): uploads of each are
//! stored, published per platform and offered as the dashboard's filters; a code outside the
//! registry is still refused whole, naming the field.

use serde_json::json;

use crate::support::{cell_of, databases, start, task};

const ADDED: [&str; 9] =
    ["toloka", "microworkers", "uhrs", "clickworker", "appen", "sproutgigs", "remotasks", "outlier", "hive"];

#[tokio::test]
async fn records_of_the_added_platforms_are_stored_and_published() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        // Ten workers, so every platform's cell passes the ten-worker floor and is published.
        for worker in 0..10u64 {
            let token = server.enroll().await;
            let batch: Vec<_> = (0u64..)
                .zip(ADDED)
                .map(|(n, platform)| task(worker * 100 + n, 2 * n as i64, platform, "KE", "1.50"))
                .collect();
            let stored = server.upload(&token, &batch).await;
            assert_eq!(
                (stored.status, &stored.body),
                (200, &json!({"accepted": 9, "duplicates": 0})),
                "{backend}"
            );
            let unknown =
                server.upload(&token, &[task(worker * 100 + 50, 0, "remotasks/outlier", "KE", "1")]).await;
            assert_eq!(unknown.status, 422, "{backend}: {}", unknown.text);
            assert!(
                unknown.text.contains("platform") && unknown.text.contains("not a known platform"),
                "{}",
                unknown.text
            );
        }
        assert_eq!(server.stored_records().await, 90, "{backend}");

        server.publish_snapshot_now().await;
        let wages = server.get("/v1/wages?by=platform,country&method=all").await;
        assert_eq!(wages.status, 200, "{backend}: {}", wages.text);
        for platform in ADDED {
            let cell = cell_of(&wages.body, platform, "KE");
            assert_eq!(cell["suppressed"], false, "{backend} {platform}: {cell}");
            assert_eq!(cell["n_workers"], 10, "{backend} {platform}: {cell}");
            assert_eq!(cell["median_hourly_usd"], 1.5, "{backend} {platform}: {cell}");
            let page = server.get(&format!("/?platform={platform}")).await;
            assert_eq!(page.status, 200, "{backend} {platform}: {}", page.text);
            assert!(page.text.contains(&format!("platform={platform}")), "{backend}: no {platform} filter");
        }
        let refused = server.get("/?platform=fiverr").await;
        assert_eq!(refused.status, 400, "{backend}: {}", refused.text);
        assert!(refused.text.contains("platform"), "{backend}: {}", refused.text);
        server.running.shut_down().await.expect("shutting down");
    }
}
