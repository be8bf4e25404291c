//! Fake installs claiming wages no microtask pays move no published figure; the collector
//! publishes how many worker-cells it left out.

use serde_json::{Value, json};

use crate::support::{databases, start, task};

/// One record of $1000 for 30 minutes of work: $2000 an hour.
fn implausible(id: u64) -> Value {
    let mut record = task(id, 0, "prolific", "GB", "1000.00");
    let started = 1_714_521_600 + 120;
    let ended = analysis::Timestamp::from_unix_seconds(started + 1800).expect("in range").to_string();
    let object = record.as_object_mut().expect("an object");
    object.insert("ended_at".into(), json!(ended));
    object.insert("active_seconds".into(), json!(1800));
    record
}

fn prolific_gb(report: &Value) -> Value {
    report["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|cell| cell["platform"] == "prolific" && cell["country"] == "GB")
        .cloned()
        .unwrap_or(Value::Null)
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
        let before = server.get("/v1/wages?by=platform,country").await;
        assert_eq!(before.status, 200, "{backend}");
        assert_eq!(before.body["excluded_implausible"], 0, "{backend}");
        assert_eq!(before.body["max_hourly_usd"], 200.0, "{backend}");
        let cell_before = prolific_gb(&before.body);
        assert_eq!(cell_before["n_workers"], 12, "{backend}: {}", before.text);
        for fake in 0..15u64 {
            let token = server.enroll().await;
            let stored = server.upload(&token, &[implausible(1000 + fake)]).await;
            assert_eq!(stored.status, 200, "{backend}: {}", stored.text);
        }
        let after = server.get("/v1/wages?by=platform,country").await;
        assert_eq!(after.status, 200, "{backend}");
        assert_eq!(prolific_gb(&after.body), cell_before, "{backend}: no figure of the cell moves");
        assert_eq!(after.body["excluded_implausible"], 15, "{backend}: {}", after.text);
        assert!(after.body["notes"].to_string().contains("implausible"), "{backend}: {}", after.text);
        let overall = server.get("/v1/wages").await;
        assert_eq!(overall.body["cells"][0]["n_workers"], 12, "{backend}: {}", overall.text);
        assert_eq!(overall.body["excluded_implausible"], 15, "{backend}");
    }
}
