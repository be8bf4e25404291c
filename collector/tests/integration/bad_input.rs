//! Every class of bad input gets a clear 4xx naming the problem, and stores nothing: checked
//! by counting stored records after each refusal, on every backend.

use std::io::Write;

use serde_json::{Value, json};

use crate::support::{TestServer, answer, databases, start, task};

fn good() -> Value {
    task(1, 0, "mturk", "US", "0.50")
}

fn with(field: &str, value: Value) -> Value {
    let mut record = good();
    record[field] = value;
    record
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("compressing");
    encoder.finish().expect("compressing")
}

/// Sends `body` and checks the status, that the message mentions `fragment`, and that nothing
/// new was stored.
async fn refused(
    server: &TestServer,
    token: &str,
    body: Vec<u8>,
    encoding: Option<&str>,
    status: u16,
    fragment: &str,
) {
    let before = server.stored_records().await;
    let answer = server.upload_body(token, body, encoding).await;
    assert_eq!(
        answer.status, status,
        "{}: expected {status} for '{fragment}', got {}",
        server.backend, answer.text
    );
    assert!(answer.text.contains(fragment), "{}: '{fragment}' not in {}", server.backend, answer.text);
    assert_eq!(server.stored_records().await, before, "{}: something was stored", server.backend);
}

/// One bad record among good ones: 422 naming its index and field, nothing stored.
async fn refused_record(server: &TestServer, token: &str, bad: Value, field: &str, fragment: &str) {
    let body = json!({ "records": [task(100, 0, "mturk", "US", "1.00"), bad] }).to_string().into_bytes();
    let before = server.stored_records().await;
    let answer = server.upload_body(token, body, None).await;
    assert_eq!(answer.status, 422, "{}: {field}: {}", server.backend, answer.text);
    let errors = answer.body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{}", answer.text);
    assert_eq!((&errors[0]["index"], &errors[0]["field"]), (&json!(1), &json!(field)), "{}", answer.text);
    assert!(
        errors[0]["problem"].as_str().unwrap_or("").contains(fragment),
        "{}: {}",
        server.backend,
        answer.text
    );
    assert_eq!(server.stored_records().await, before, "{}: something was stored", server.backend);
}

#[tokio::test]
async fn bad_records_are_refused_whole_batches_at_a_time() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let token = server.enroll().await;
        let stored = server.upload(&token, &[good()]).await;
        assert_eq!(stored.status, 200, "{}", stored.text);

        refused(&server, &token, b"{\"records\": [".to_vec(), None, 400, "not valid JSON").await;
        refused(&server, &token, b"[1, 2]".to_vec(), None, 422, "must be a JSON object").await;
        refused(&server, &token, b"{\"records\": [\"\xff\xfe\"]}".to_vec(), None, 400, "not valid JSON")
            .await;
        let deep = format!("{{\"records\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
        refused(&server, &token, deep, None, 400, "nest too deeply").await;
        refused(&server, &token, br#"{"records": {}}"#.to_vec(), None, 422, "must be an array").await;
        refused(&server, &token, br#"{"records": [], "worker": "A1"}"#.to_vec(), None, 422, "unknown field")
            .await;
        for (bad, field, fragment) in [
            (json!("a string"), "record", "expected a JSON object"),
            (with("active_seconds", json!("600")), "active_seconds", "whole number"),
            (with("reward", json!(0.5)), "reward", "decimal string"),
            (with("platform", json!("fiverr")), "platform", "not a known platform"),
            (with("country", json!("XX")), "country", "not an assigned"),
            (with("country", json!("usa")), "country", "two-letter"),
            (with("currency", json!("BTC")), "currency", "ISO 4217"),
            (with("active_seconds", json!(-5)), "active_seconds", "non-negative"),
            (with("ended_at", json!("2024-04-30T00:00:00Z")), "ended_at", "before started_at"),
            (with("started_at", json!("1999-01-01T00:00:00Z")), "started_at", "outside"),
            (with("active_seconds", json!(3601)), "active_seconds", "more than the 3600 s"),
            // The absurd-reward bound: analysis::record::MAX_TASK_PAY_USD, 1000 US dollars.
            (with("reward", json!("1000.01")), "reward", "at most 1000 USD"),
            (with("worker_id", json!("A39VVWV1GHLMFD")), "record", "unknown field 'worker_id'"),
            (with("record_id", json!("1")), "record_id", "not a UUID"),
            // Same record_id as the stored record, different content.
            (with("reward", json!("0.75")), "record_id", "different content"),
        ] {
            refused_record(&server, &token, bad, field, fragment).await;
        }

        let batch: Vec<Value> = (0..1001).map(|i| task(10_000 + i, 0, "mturk", "US", "0.10")).collect();
        refused(
            &server,
            &token,
            json!({ "records": batch }).to_string().into_bytes(),
            None,
            422,
            "send 1 to 1000",
        )
        .await;
        let padding = " ".repeat(2 * 1024 * 1024);
        let two_mib = format!("{{\"records\": [{}]{padding}}}", good()).into_bytes();
        refused(&server, &token, two_mib, None, 413, "limit").await;
        let bomb = gzip(format!("{{\"records\": [{}]{}}}", good(), " ".repeat(64 * 1024 * 1024)).as_bytes());
        assert!(bomb.len() < 200 * 1024, "the bomb is small on the wire: {}", bomb.len());
        refused(&server, &token, bomb, Some("gzip"), 413, "decompresses to more than").await;
        refused(&server, &token, b"not gzip".to_vec(), Some("gzip"), 400, "not valid gzip").await;
        let records_twice =
            format!("{{\"records\": [{}], \"records\": [{}]}}", good(), task(5, 0, "mturk", "US", "0.50"));
        refused(
            &server,
            &token,
            records_twice.into_bytes(),
            None,
            400,
            r#"key \"records\" is given more than once"#,
        )
        .await;
        // Nothing may follow the gzip stream: neither a second member nor other bytes.
        let batch = |id| json!({ "records": [task(id, 0, "mturk", "US", "0.50")] }).to_string();
        let mut two_members = gzip(batch(3).as_bytes());
        two_members.extend(gzip(batch(4).as_bytes()));
        refused(&server, &token, two_members, Some("gzip"), 400, "a second gzip member").await;
        let mut trailing = gzip(batch(3).as_bytes());
        trailing.extend(b"\x00garbage");
        refused(
            &server,
            &token,
            trailing,
            Some("gzip"),
            400,
            "trailing data after the end of the gzip stream",
        )
        .await;
        refused(&server, &token, b"{}".to_vec(), Some("br"), 415, "Content-Encoding").await;

        // active_seconds may be written with a zero fraction, but must be whole.
        refused_record(
            &server,
            &token,
            with("active_seconds", json!(1800.5)),
            "active_seconds",
            "not a whole",
        )
        .await;
        let mut zero_fraction = task(6, 0, "mturk", "US", "0.50");
        zero_fraction["active_seconds"] = json!(3600.0);
        let accepted = server.upload(&token, &[zero_fraction]).await;
        assert_eq!(accepted.body, json!({"accepted": 1, "duplicates": 0}), "{}", server.backend);

        // A well-formed gzip batch is accepted.
        let zipped = gzip(json!({ "records": [task(2, 0, "mturk", "US", "0.50")] }).to_string().as_bytes());
        assert_eq!(
            server.upload_body(&token, zipped, Some("gzip")).await.body,
            json!({"accepted": 1, "duplicates": 0})
        );
        server.running.shut_down().await.expect("shutting down");
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_or_origin_are_refused() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let body = json!({ "records": [good()] }).to_string();
        let records_url = server.url("/v1/records");
        let post =
            || server.client.post(&records_url).header("content-type", "application/json").body(body.clone());

        let missing = answer(post().send().await.expect("request")).await;
        assert_eq!(missing.status, 401, "{backend}");
        assert_eq!(missing.headers["www-authenticate"], "Bearer");
        let invalid = answer(post().bearer_auth("0".repeat(64)).send().await.expect("request")).await;
        assert_eq!(invalid.status, 401, "{backend}");
        assert!(invalid.text.contains("not valid"));
        let not_bearer =
            answer(post().header("authorization", "Basic dXNlcjpwYXNz").send().await.expect("r")).await;
        assert_eq!(not_bearer.status, 401, "{backend}");

        let token = server.enroll().await;
        let wrong_type = answer(
            server.client.post(&records_url).bearer_auth(&token).body(body.clone()).send().await.expect("r"),
        )
        .await;
        assert_eq!(wrong_type.status, 415, "{backend}: {}", wrong_type.text);
        let web_page = answer(
            post().bearer_auth(&token).header("origin", "https://example.org").send().await.expect("r"),
        )
        .await;
        assert_eq!(web_page.status, 403, "{backend}: {}", web_page.text);
        // A web page's plain form post, which a browser sends without asking first, enrolls nothing.
        let form = server
            .client
            .post(server.url("/v1/installs"))
            .header("origin", "https://example.org")
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .expect("r");
        assert_eq!(answer(form).await.status, 403, "{backend}");
        assert_eq!(server.running.database.install_count().await.expect("a count"), 1, "{backend}");
        let extension = answer(
            post().bearer_auth(&token).header("origin", "moz-extension://4b1e-9a51").send().await.expect("r"),
        )
        .await;
        assert_eq!(extension.status, 200, "{backend}: {}", extension.text);
        assert_eq!(extension.headers["access-control-allow-origin"], "moz-extension://4b1e-9a51");

        assert_eq!(server.erase(&token).await.status, 200, "{backend}");
        let deleted = answer(post().bearer_auth(&token).send().await.expect("request")).await;
        assert_eq!(deleted.status, 401, "{backend}: the token of an erased install still works");
        assert_eq!(server.stored_records().await, 0, "{backend}");

        // Each body carries a solved challenge; the refusals below come before it is checked.
        let proof = server.solved_challenge().await;
        let enroll = |fields: &str| {
            server
                .client
                .post(server.url("/v1/installs"))
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"challenge": {}, "nonce": {}, {fields}}}"#,
                    proof["challenge"], proof["nonce"]
                ))
                .send()
        };
        assert_eq!(answer(enroll(r#""consent_version": "2024-05""#).await.expect("r")).await.status, 201);
        let bad_consent = answer(enroll(r#""consent_version": "<script>""#).await.expect("r")).await;
        assert_eq!(bad_consent.status, 422, "{backend}: {}", bad_consent.text);
        let email = answer(enroll(r#""email": "worker@example.org""#).await.expect("r")).await;
        assert_eq!(email.status, 422, "{backend}: {}", email.text);
        assert!(email.text.contains("unknown field"));
        let null = answer(enroll(r#""consent_version": null"#).await.expect("r")).await;
        assert_eq!(null.status, 422, "{backend}: {}", null.text);
        assert_eq!(null.body["errors"][0]["field"], "consent_version", "{backend}: {}", null.text);
        assert!(null.text.contains("got null"), "{backend}: {}", null.text);
        let twice =
            answer(enroll(r#""consent_version": "2024-05", "consent_version": "x""#).await.expect("r")).await;
        assert_eq!(twice.status, 400, "{backend}: {}", twice.text);
        assert!(
            twice.text.contains(r#"key \"consent_version\" is given more than once"#),
            "{backend}: {}",
            twice.text
        );
        assert_eq!(server.running.database.install_count().await.expect("counting"), 1, "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}

#[tokio::test]
async fn a_token_over_its_rate_gets_429_with_retry_after() {
    for database in databases().await {
        let server = start(&database, |config| {
            config.upload_rate = collector::config::RateLimit { per_minute: 1, burst: 2 };
            config.enroll_rate = collector::config::RateLimit { per_minute: 1, burst: 2 };
        })
        .await;
        let token = server.enroll().await;
        let other = server.enroll().await;
        let third =
            answer(server.client.post(server.url("/v1/installs")).send().await.expect("enrolling")).await;
        assert_eq!(third.status, 429, "{}: enrollment is not rate limited", server.backend);
        assert!(third.headers.contains_key("retry-after"));
        for id in 0..2 {
            assert_eq!(server.upload(&token, &[task(id, 0, "mturk", "US", "1.00")]).await.status, 200);
        }
        let limited = server.upload(&token, &[task(9, 0, "mturk", "US", "1.00")]).await;
        assert_eq!(limited.status, 429, "{}: {}", server.backend, limited.text);
        let retry_after: u64 =
            limited.headers["retry-after"].to_str().expect("text").parse().expect("seconds");
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        let said = format!("retry after {retry_after} s");
        assert!(limited.text.contains(&said), "the header says {retry_after} s: {}", limited.text);
        assert_eq!(server.stored_records().await, 2);
        // Another install has its own bucket.
        assert_eq!(server.upload(&other, &[task(9, 0, "mturk", "US", "1.00")]).await.status, 200);
        server.running.shut_down().await.expect("shutting down");
    }
}

/// A batch whose install is erased between the token check and the commit stores nothing.
#[tokio::test]
async fn a_batch_racing_an_erasure_stores_nothing() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let store = &server.running.database;
        let (public_id, token) = collector::auth::new_credentials();
        let hash = collector::auth::token_hash(&token);
        let install = store.create_install(&public_id, Some(&hash), None).await.expect("an install");
        store.erase_install(&install).await.expect("erasing");
        let body = json!({ "records": [good()] }).to_string();
        let limits = collector::ingest::BatchLimits { max_decompressed_bytes: 1 << 20, max_records: 1000 };
        let batch =
            collector::ingest::parse_batch(body.as_bytes(), &public_id, &limits).expect("a valid batch");
        let rules = collector::db::BatchRules {
            max_countries: 3,
            max_cells: 1000,
            eligible_after_days: 1,
            today: 20_000,
        };
        let stored = store.store_batch(&install, &batch, &rules).await;
        assert!(
            matches!(stored, Err(collector::db::StoreError::InstallGone)),
            "{}: {stored:?}",
            server.backend
        );
        assert_eq!(server.stored_records().await, 0, "{}", server.backend);
        server.running.shut_down().await.expect("shutting down");
    }
}

/// A client that sends headers and then stalls in the middle of its body gets 408.
#[tokio::test]
async fn a_stalled_upload_times_out_with_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    for database in databases().await {
        // Long enough for the enrollment before the stall: at half a second, a loaded machine
        // answered that enrollment 408.
        let server =
            start(&database, |config| config.request_timeout = std::time::Duration::from_secs(5)).await;
        let token = server.enroll().await;
        let mut stream = tokio::net::TcpStream::connect(server.running.address).await.expect("connecting");
        let head = format!(
            "POST /v1/records HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {token}\r\n\
             content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"records\": ["
        );
        stream.write_all(head.as_bytes()).await.expect("sending the start of a request");
        let mut answer = Vec::new();
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(60), stream.read_to_end(&mut answer)).await;
        assert!(read.is_ok(), "{}: no answer to a stalled request", server.backend);
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{}: {answer}", server.backend);
        assert_eq!(server.stored_records().await, 0);
        server.running.shut_down().await.expect("shutting down");
    }
}
