//! Shared helpers of the integration tests: a fresh database per test on every
//! backend (SQLite always, PostgreSQL when `PIECERATE_TEST_POSTGRES_URL` is set), the server on
//! port 0 (in the test, or as its own process), and an HTTP client with small helpers for the API.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, Command};
use tokio::time::Instant;

use collector::RunningCollector;
use collector::clock::Clock;
use collector::config::{Config, RateLimit};
use rand::RngCore;
use serde_json::{Value, json};
use sqlx::Connection;

/// A database made for one test, and what keeps it alive.
#[derive(Debug)]
pub(crate) struct TestDatabase {
    pub url: String,
    pub backend: &'static str,
    _directory: Option<tempfile::TempDir>,
}

/// The databases every test runs against: a SQLite file in a temporary directory, and a new
/// database on the PostgreSQL server of `PIECERATE_TEST_POSTGRES_URL` when it is set. With
/// `PIECERATE_REQUIRE_POSTGRES=1` (the project's test script) a missing server is a failure.
pub(crate) async fn databases() -> Vec<TestDatabase> {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("collector.db");
    let mut databases = vec![TestDatabase {
        url: format!("sqlite://{}", path.display()),
        backend: "sqlite",
        _directory: Some(directory),
    }];
    match std::env::var("PIECERATE_TEST_POSTGRES_URL") {
        Ok(admin_url) if !admin_url.is_empty() => databases.push(fresh_postgres_database(&admin_url).await),
        _ => {
            let required = std::env::var("PIECERATE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "PIECERATE_REQUIRE_POSTGRES=1 but PIECERATE_TEST_POSTGRES_URL is not set; run under scripts/with-postgres"
            );
        }
    }
    databases
}

/// A SQLite database at `path`, kept by the caller's directory.
pub(crate) fn sqlite_at(path: &std::path::Path) -> TestDatabase {
    TestDatabase { url: format!("sqlite://{}", path.display()), backend: "sqlite", _directory: None }
}

async fn fresh_postgres_database(admin_url: &str) -> TestDatabase {
    let mut suffix = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut suffix);
    let name = format!("test_{}", hex::encode(suffix));
    let mut admin =
        sqlx::PgConnection::connect(admin_url).await.expect("connecting to the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("creating a test database");
    admin.close().await.expect("closing the admin connection");
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url, String::new()),
    };
    let (server, _) = base.rsplit_once('/').expect("a postgres:// URL with a database name");
    TestDatabase { url: format!("{server}/{name}{query}"), backend: "postgres", _directory: None }
}

/// How long a test waits for the collector's background work (a snapshot, a recomputed report)
/// before it calls it missing. Generous: a loaded CI machine ran this suite four times slower
/// than a quiet one, and the wait is only this long when the test fails anyway.
pub(crate) const BACKGROUND_WAIT: Duration = Duration::from_secs(180);

/// The proof of work the tests' enrollments solve: 16 hashes on average.
pub(crate) const TEST_DIFFICULTY_BITS: u32 = 4;

/// A configuration for tests: port 0, reports always fresh, generous rate limits, a clock that
/// stands at the time of the start until a test moves it, and snapshots published a moment after
/// their day comes.
pub(crate) fn test_config(database: &TestDatabase) -> Config {
    Config {
        clock: Clock::manual(Clock::system().now()),
        snapshot_check_period: Duration::from_millis(20),
        listen: "127.0.0.1:0".parse().expect("address"),
        wages_max_staleness: Duration::ZERO,
        upload_rate: RateLimit { per_minute: 60_000, burst: 10_000 },
        enroll_rate: RateLimit { per_minute: 60_000, burst: 10_000 },
        auth_failure_rate: RateLimit { per_minute: 60_000, burst: 10_000 },
        database_max_connections: 8,
        // Every install counts from its first upload, except in the tests of that rule.
        eligible_after_days: 1,
        // Enrollment's proof of work, solved in a few microseconds.
        enroll_difficulty_bits: TEST_DIFFICULTY_BITS,
        ..Config::new(database.url.clone())
    }
}

/// A running collector and a client for it.
#[derive(Debug)]
pub(crate) struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub running: RunningCollector,
    pub backend: &'static str,
    /// The server's clock, which only the test moves.
    pub clock: Clock,
    snapshot_interval_days: u32,
}

/// The collector's binary serving a database, as an operator starts it, for the tests that
/// need a process of their own (to kill it, or to read its log).
pub(crate) struct ServingBinary {
    pub child: Child,
    /// Its base URL, from its "listening on" line.
    pub address: String,
    /// What it logged before that line.
    pub log: Vec<String>,
    /// The rest of its log, for the test to read or drain: a full pipe would block the collector.
    pub lines: Lines<BufReader<ChildStderr>>,
}

/// `piecerate-collector serve` on a free port of `database`, with `args` and the log level
/// `log_level`; answers once it listens (within a minute).
pub(crate) async fn serve_binary(database: &TestDatabase, args: &[&str], log_level: &str) -> ServingBinary {
    let mut child = Command::new(env!("CARGO_BIN_EXE_piecerate-collector"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &database.url])
        .args(["--enroll-difficulty-bits", &TEST_DIFFICULTY_BITS.to_string()])
        .args(args)
        .env("PIECERATE_LOG", log_level)
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starting piecerate-collector");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut log = Vec::new();
    let address = loop {
        let line = tokio::time::timeout_at(deadline, lines.next_line())
            .await
            .expect("the collector starts within a minute")
            .expect("reading its log")
            .unwrap_or_else(|| panic!("the collector exited before listening: {log:?}"));
        if let Some(address) = line.strip_prefix("piecerate-collector listening on ") {
            break address.to_owned();
        }
        log.push(line);
    };
    ServingBinary { child, address, log, lines }
}

/// A client for a collector with the default timeouts.
pub(crate) fn client() -> reqwest::Client {
    let defaults = Config::new(String::new());
    client_for(defaults.request_timeout, defaults.header_read_timeout)
}

/// A client for a collector with `request_timeout` that closes connections left idle for
/// `header_read_timeout`.
fn client_for(request_timeout: Duration, header_read_timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        // It waits longer than the collector may take, so a slow answer shows as the 408.
        .timeout(Duration::from_secs(60).max(request_timeout + Duration::from_secs(30)))
        // It drops idle connections well before the collector closes them. A connection taken
        // from the pool as the collector closed it failed an upload with `IncompleteMessage` on
        // a loaded machine, where a test's tasks can sit idle for the collector's whole timeout.
        .pool_idle_timeout(header_read_timeout / 2)
        .build()
        .expect("HTTP client")
}

pub(crate) async fn start(database: &TestDatabase, adjust: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = test_config(database);
    adjust(&mut config);
    let (clock, snapshot_interval_days) = (config.clock.clone(), config.snapshot_interval_days);
    let client = client_for(config.request_timeout, config.header_read_timeout);
    let running = collector::start(config).await.expect("starting the collector");
    // A collector for workers takes its first snapshot in the background after it starts. The
    // tests wait for it, so that everything they upload falls after it: a first snapshot taken
    // halfway through a test's uploads would hold its cells at the workers seen by then (a cell
    // moves only when enough workers change, `snapshots::snapshot_totals`).
    let deadline = Instant::now() + BACKGROUND_WAIT;
    loop {
        match running.database.latest_snapshot().await {
            Ok(None) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(10)).await,
            Ok(None) => panic!("{}: the collector took no first snapshot", database.backend),
            Ok(Some(_)) | Err(_) => break,
        }
    }
    TestServer {
        base: format!("http://{}", running.address),
        client,
        running,
        backend: database.backend,
        clock,
        snapshot_interval_days,
    }
}

/// Forgets the snapshots of `database`, as if the collector had never published one: the next
/// start publishes a first snapshot of everything stored, every cell as it is. Tests whose data
/// must all be in one snapshot (small cells, suppressed ones) upload them, stop the collector,
/// call this and start it again; a collector holds small cells back only against a previous
/// snapshot.
pub(crate) async fn forget_snapshots(database: &TestDatabase) {
    for sql in ["DELETE FROM snapshot_basis", "DELETE FROM snapshots"] {
        if database.backend == "sqlite" {
            let mut connection = sqlx::SqliteConnection::connect(&database.url).await.expect("connecting");
            sqlx::query(sql).execute(&mut connection).await.expect("deleting");
        } else {
            let mut connection = sqlx::PgConnection::connect(&database.url).await.expect("connecting");
            sqlx::query(sql).execute(&mut connection).await.expect("deleting");
        }
    }
}

/// What one request answered.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

pub(crate) async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("reading the body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

impl TestServer {
    /// Moves the server's clock on to the next snapshot's day and waits until the collector's
    /// own task published it: the public figures (dashboard, `/v1/wages`) are the latest
    /// snapshot's, so what was uploaded before this shows there after it, under the snapshots'
    /// rule (a cell moves when none or at least `min_workers` of its workers changed).
    pub(crate) async fn publish_snapshot_now(&self) {
        self.clock.advance_days(i64::from(self.snapshot_interval_days));
        let today = collector::snapshots::day_text(self.clock.today());
        let deadline = Instant::now() + BACKGROUND_WAIT;
        while Instant::now() < deadline {
            let latest = self.running.database.latest_snapshot().await.expect("reading the snapshots");
            if latest.is_some_and(|latest| latest.day == today) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{}: no snapshot of {today} was published", self.backend);
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A fresh challenge from the collector, solved: the body of an enrollment.
    pub(crate) async fn solved_challenge(&self) -> Value {
        solved_challenge(&self.client, &self.base).await
    }

    /// Enrolls an install, solving the proof of work; answers its token.
    pub(crate) async fn enroll(&self) -> String {
        let enrolled = enroll_with(&self.client, &self.base, |request| request).await;
        assert_eq!(enrolled.status, 201, "{}", enrolled.text);
        enrolled.body["token"].as_str().expect("a token").to_owned()
    }

    pub(crate) async fn upload(&self, token: &str, records: &[Value]) -> Answer {
        self.upload_body(token, json!({ "records": records }).to_string().into_bytes(), None).await
    }

    pub(crate) async fn upload_body(&self, token: &str, body: Vec<u8>, encoding: Option<&str>) -> Answer {
        let mut request = self
            .client
            .post(self.url("/v1/records"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body);
        if let Some(encoding) = encoding {
            request = request.header("content-encoding", encoding);
        }
        answer(request.send().await.expect("uploading")).await
    }

    pub(crate) async fn erase(&self, token: &str) -> Answer {
        answer(
            self.client.delete(self.url("/v1/installs/me")).bearer_auth(token).send().await.expect("erasing"),
        )
        .await
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        answer(self.client.get(self.url(path)).send().await.expect("GET")).await
    }

    /// Every record stored, counted through the same path as `export`.
    pub(crate) async fn stored_records(&self) -> u64 {
        let mut count = 0;
        self.running
            .database
            .for_each_record(|_| -> Result<(), collector::db::DbError> {
                count += 1;
                Ok(())
            })
            .await
            .expect("reading records");
        count
    }
}

/// A fresh challenge from the collector at `base`, solved: the body of an enrollment.
pub(crate) async fn solved_challenge(http: &reqwest::Client, base: &str) -> Value {
    let challenge =
        answer(http.get(format!("{base}/v1/installs/challenge")).send().await.expect("a challenge")).await;
    assert_eq!(challenge.status, 200, "{}", challenge.text);
    let text = challenge.body["challenge"].as_str().expect("a challenge");
    let difficulty = challenge.body["difficulty"].as_u64().expect("a difficulty") as u32;
    json!({ "challenge": text, "nonce": collector::proof_of_work::solve(text, difficulty) })
}

/// Enrolls an install at `base` with `http`, solving the proof of work; answers the 201's body.
pub(crate) async fn enroll_with(
    http: &reqwest::Client,
    base: &str,
    request: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Answer {
    let body = solved_challenge(http, base).await;
    let enroll = http
        .post(format!("{base}/v1/installs"))
        .header("content-type", "application/json")
        .body(body.to_string());
    let enrolled = answer(request(enroll).send().await.expect("enrolling")).await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.text);
    enrolled
}

/// A task record in format v1 JSON: `id` makes the record_id, `hour` the hour after
/// 2024-05-01T00:00Z it starts in; one hour long, fully active, paying `reward` US dollars.
pub(crate) fn task(id: u64, hour: i64, platform: &str, country: &str, reward: &str) -> Value {
    let start = 1_714_521_600 + hour * 3600;
    let time = |seconds: i64| analysis::Timestamp::from_unix_seconds(seconds).expect("in range").to_string();
    json!({
        "record_id": record_id(id),
        "install_id": "self",
        "platform": platform,
        "country": country,
        "kind": "task",
        "category": "survey",
        "outcome": "approved",
        "started_at": time(start + 120),
        "ended_at": time(start + 120 + 3600),
        "active_seconds": 3600,
        "reward": reward,
        "bonus": null,
        "currency": "USD"
    })
}

pub(crate) fn record_id(id: u64) -> String {
    format!("00000000-0000-4000-8000-{id:012}")
}

/// The published cell of a platform and country in a `/v1/wages` answer, or `null`.
pub(crate) fn cell_of(report: &Value, platform: &str, country: &str) -> Value {
    report["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|cell| cell["platform"] == platform && cell["country"] == country)
        .cloned()
        .unwrap_or(Value::Null)
}
