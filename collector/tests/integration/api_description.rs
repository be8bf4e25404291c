//! The API against its description: the served OpenAPI document is the committed snapshot, is
//! valid OpenAPI, and its schemas take the records the collector accepts and refuse what the
//! collector refuses; query parameters are read exactly as the document says.

use std::process::Command;

use analysis::simulate::{Simulation, SimulationOptions};
use serde_json::{Value, json};

use crate::python_tools::python_with;
use crate::support::{TestServer, databases, start, task};

const SNAPSHOT: &str = include_str!("../../../docs/openapi.json");

/// Records of a few simulated workers, as the extension would send them (install "self").
fn simulated_records() -> Vec<Value> {
    Simulation::new(SimulationOptions { workers: 3, seed: 11 })
        .take(400)
        .map(|record| {
            let mut value: Value =
                serde_json::from_str(&analysis::record_to_json(&record).to_string()).expect("JSON");
            value["install_id"] = json!("self");
            value
        })
        .collect()
}

#[tokio::test]
async fn the_served_document_is_the_snapshot_valid_openapi_and_describes_real_records() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let served = server.get("/v1/openapi.json").await;
        assert_eq!(served.status, 200, "{backend}");
        assert!(served.text == SNAPSHOT, "{backend}: the served document is not docs/openapi.json");
        // Times are rounded outward to the hour (started_at down, ended_at up), not truncated.
        assert!(!served.text.contains("truncated") && served.text.contains("rounded outward to the hour"));

        let records = simulated_records();
        assert!(records.iter().any(|r| r["kind"] == "unpaid") && records.iter().any(|r| r["kind"] == "task"));
        // The records the collector accepts are valid against the schema...
        let token = server.enroll().await;
        let accepted = server.upload(&token, &records).await;
        assert_eq!(accepted.body["accepted"], records.len(), "{backend}: {}", accepted.text);

        let Some(python) = python_with("openapi_spec_validator", "the OpenAPI validator") else { continue };
        let record = "/components/schemas/Record";
        let month = "/paths/~1v1~1wages/get/parameters/2/schema";
        let by = "/paths/~1v1~1wages/get/parameters/0/schema";
        let mut cases: Vec<Value> =
            records.iter().map(|value| json!({"pointer": record, "value": value, "valid": true})).collect();
        let with = |field: &str, value: Value| {
            let mut changed = task(1, 0, "mturk", "US", "0.50");
            changed[field] = value;
            changed
        };
        // ... and what it refuses for one field's sake is not.
        for (field, value) in [
            ("reward", json!(0.5)),
            ("reward", json!("0.1234567")),
            ("reward", json!("-1")),
            ("currency", json!("BTC")),
            ("country", json!("XX")),
            ("platform", json!("fiverr")),
            ("outcome", json!("paid")),
            ("record_id", json!("0b7e5a4c8d2f4b1e9a513c6f0d2e7a18")),
            ("started_at", json!("2004-12-31T23:00:00Z")),
            ("ended_at", json!("2024-05-01 10:00")),
            ("active_seconds", json!(-1)),
            ("worker_id", json!("A1B2C3")),
        ] {
            cases.push(json!({"pointer": record, "value": with(field, value), "valid": false}));
        }
        cases.push(json!({"pointer": record, "value": with("ended_at", json!("2024-05-01T12:02:00+02:00")), "valid": true}));
        // What each kind requires: a task its outcome and currency, unpaid time its category
        // and no outcome or pay; an empty optional field is absent, as in CSV.
        let unpaid = json!({"record_id": "00000000-0000-4000-8000-000000000009", "platform": "prolific",
            "country": "", "kind": "unpaid", "category": "search", "outcome": "", "started_at": "2024-05-01T10:00:00Z",
            "ended_at": "2024-05-01T11:00:00Z", "active_seconds": 600, "reward": "0", "bonus": "", "currency": ""});
        let unpaid_with = |field: &str, value: Value| {
            let mut changed = unpaid.clone();
            changed[field] = value;
            changed
        };
        let valid_unpaid = json!({"records": [unpaid]});
        assert_eq!(
            server.upload_body(&token, valid_unpaid.to_string().into_bytes(), None).await.status,
            200,
            "{backend}"
        );
        cases.push(json!({"pointer": record, "value": unpaid, "valid": true}));
        cases.push(json!({"pointer": record, "value": with("country", json!("")), "valid": true}));
        for invalid in [
            unpaid_with("outcome", json!("approved")),
            unpaid_with("reward", json!("0.01")),
            unpaid_with("category", json!("survey")),
            unpaid_with("category", Value::Null),
            with("outcome", Value::Null),
            with("currency", json!("")),
            with("category", json!("search")),
        ] {
            let refused = server.upload(&token, std::slice::from_ref(&invalid)).await;
            assert_eq!(refused.status, 422, "{backend}: {invalid}: {}", refused.text);
            cases.push(json!({"pointer": record, "value": invalid, "valid": false}));
        }
        for (value, valid) in [
            ("2024-05", true),
            ("2005-01", true),
            ("2099-12", true),
            ("0000-00", false),
            ("2004-12", false),
            ("2024-13", false),
            ("2100-01", false),
        ] {
            cases.push(json!({"pointer": month, "value": value, "valid": valid}));
        }
        for (value, valid) in [
            ("platform,country", true),
            ("month", true),
            ("", true),
            ("platform,platform", false),
            ("platform, country", false),
            ("category", false),
        ] {
            cases.push(json!({"pointer": by, "value": value, "valid": valid}));
        }
        let directory = tempfile::tempdir().expect("temporary directory");
        let document = directory.path().join("openapi.json");
        let cases_file = directory.path().join("cases.json");
        std::fs::write(&document, &served.text).expect("writing the document");
        std::fs::write(&cases_file, serde_json::to_vec(&cases).expect("JSON")).expect("writing the cases");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/check_openapi.py");
        let output = Command::new(&python)
            .arg(script)
            .arg(&document)
            .arg(&cases_file)
            .output()
            .expect("running Python");
        let said =
            format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "{backend}: {said}");
        assert!(said.contains("valid OpenAPI 3.1.0"), "{said}");
        server.running.shut_down().await.expect("shutting down");
    }
}

/// Asks for `path` and checks the answer is a JSON 400 whose message starts with `parameter`.
async fn refused(server: &TestServer, path: &str, parameter: &str) {
    let backend = server.backend;
    let answer = server.get(path).await;
    assert_eq!(answer.status, 400, "{backend}: {path}: {}", answer.text);
    assert!(answer.headers["content-type"].to_str().unwrap_or("").starts_with("application/json"));
    let error = answer.body["error"].as_str().unwrap_or("");
    assert!(error.starts_with(&format!("{parameter}: ")), "{backend}: {path}: {error}");
}

#[tokio::test]
async fn query_parameters_are_read_as_the_document_says() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        // A parameter given twice is refused, naming it, rather than one of its values taken.
        refused(&server, "/v1/wages?month=2025-01&month=2025-02", "month").await;
        refused(&server, "/v1/wages?by=platform&by=country", "by").await;
        refused(&server, "/v1/wages.csv?method=all&method=paid", "method").await;
        refused(&server, "/?method=all&method=task", "method").await;
        // Months a record can start in, and no other.
        for month in ["0000-00", "2004-12", "2100-01", "2024-13", "2024-00", "2024-5"] {
            refused(&server, &format!("/v1/wages?month={month}"), "month").await;
        }
        for month in ["2005-01", "2024-05", "2099-12"] {
            assert_eq!(
                server.get(&format!("/v1/wages?month={month}")).await.status,
                200,
                "{backend}: {month}"
            );
        }
        // Every grouping the document enumerates, and none it does not.
        let document: Value = serde_json::from_str(SNAPSHOT).expect("the snapshot is JSON");
        let groupings = document["paths"]["/v1/wages"]["get"]["parameters"][0]["schema"]["enum"]
            .as_array()
            .expect("by has an enumeration")
            .clone();
        assert_eq!(groupings.len(), 16);
        for by in &groupings {
            let by = by.as_str().expect("a string");
            let answer = server.get(&format!("/v1/wages?by={by}")).await;
            assert_eq!(answer.status, 200, "{backend}: by={by}: {}", answer.text);
        }
        for by in ["platform,platform", "platform,%20country", "platform,,country", "category", "worker"] {
            refused(&server, &format!("/v1/wages?by={by}"), "by").await;
        }
        // The dashboard ignores parameters it does not know, so a shared link with tracking tags opens.
        assert_eq!(server.get("/?method=paid&utm_source=newsletter").await.status, 200, "{backend}");
        refused(&server, "/?method=hourly", "method").await;
        server.running.shut_down().await.expect("shutting down");
    }
}
