//! The collector's ingestion benchmark (`scripts/bench-collector`, results in
//! `docs/benchmarks.md`): a load generator on loopback posting batches of 500 records to a
//! collector in this process, next to the same rows inserted directly through sqlx in one
//! transaction per batch (the backend's own limit), then `/v1/wages` at a large stored size.
//!
//! `cargo bench -p collector --bench ingest -- [--records N] [--clients N] [--rounds N]
//! [--wages-records N]`: each round times the direct insert, then the HTTP path, on fresh
//! databases; with several rounds the median ratio is printed too, because one round's ratio
//! swings by a fifth between rounds on a shared 2-core machine (docs/benchmarks.md).
//! SQLite always; PostgreSQL too when `PIECERATE_TEST_POSTGRES_URL` names a server (a fresh
//! database is created on it for each phase).

use std::io::Write;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use analysis::record::{InstallId, RecordFields};
use analysis::{Record, Timestamp};
use collector::config::{Config, RateLimit};
use collector::db::Database;
use collector::ingest::ParsedBatch;
use rand::RngCore;
use sqlx::Connection;

/// The collector binary's allocator, so the in-process collector runs as it does in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: usize = 500;

#[derive(Debug)]
struct Options {
    records: usize,
    clients: usize,
    rounds: usize,
    wages_records: usize,
}

fn options() -> Options {
    let mut options = Options { records: 200_000, clients: 8, rounds: 1, wages_records: 10_000_000 };
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    for pair in arguments.windows(2) {
        let number = || pair[1].parse::<usize>().expect("a whole number");
        match pair[0].as_str() {
            "--records" => options.records = number(),
            "--clients" => options.clients = number(),
            "--rounds" => options.rounds = number().max(1),
            "--wages-records" => options.wages_records = number(),
            _ => {}
        }
    }
    options
}

fn say(line: &str) {
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{line}").expect("writing to stdout");
    stdout.flush().expect("flushing stdout");
}

/// Record `index` of a benchmark, of a worker on one platform in one country (by `worker`),
/// spread over 24 months.
fn record(index: usize, worker: usize, install: &str) -> Record {
    const PLATFORMS: [&str; 4] = ["mturk", "prolific", "toloka", "clickworker"];
    const COUNTRIES: [&str; 5] = ["US", "IN", "GB", "DE", "PH"];
    // Scattered over 24 months, so that each worker's records fall in every month: the most
    // rows of per-install totals a worker can have, the slowest case for recomputing a report.
    let start = 1_704_067_200 + ((index as i64 * 7_919) % 17_000) * 3_700;
    let record_id = format!("{:08x}-0000-4000-8000-{:012x}", index >> 48, index & 0xffff_ffff_ffff);
    let started_at = Timestamp::from_unix_seconds(start).expect("in range").to_string();
    let ended_at = Timestamp::from_unix_seconds(start + 900).expect("in range").to_string();
    let active = (300 + index % 600).to_string();
    let reward = format!("0.{:02}", 10 + index % 90);
    Record::from_fields(&RecordFields {
        record_id: &record_id,
        install_id: install,
        platform: PLATFORMS[worker % 4],
        country: COUNTRIES[(worker / 4) % 5],
        kind: "task",
        category: "survey",
        outcome: "approved",
        started_at: &started_at,
        ended_at: &ended_at,
        active_seconds: &active,
        reward: &reward,
        bonus: "",
        currency: "USD",
    })
    .expect("a valid record")
}

/// Fresh database URLs: a SQLite file, and a new PostgreSQL database when a server is given.
async fn fresh_url(backend: &str, directory: &std::path::Path, label: &str) -> String {
    if backend == "sqlite" {
        return format!("sqlite://{}", directory.join(format!("{label}.db")).display());
    }
    let admin = std::env::var("PIECERATE_TEST_POSTGRES_URL").expect("a PostgreSQL URL");
    let mut suffix = [0u8; 4];
    rand::rngs::OsRng.fill_bytes(&mut suffix);
    let name = format!("bench_{label}_{}", hex::encode(suffix));
    let mut connection = sqlx::PgConnection::connect(&admin).await.expect("connecting to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .expect("creating a database");
    let (server, _) = admin.rsplit_once('/').expect("a URL with a database");
    format!("{server}/{name}")
}

#[derive(Debug)]
struct Run {
    records_per_second: f64,
    p50: Duration,
    p99: Duration,
}

fn summarize(records: usize, elapsed: Duration, mut latencies: Vec<Duration>) -> Run {
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Run { records_per_second: records as f64 / elapsed.as_secs_f64(), p50: at(0.5), p99: at(0.99) }
}

/// The backend's own limit: the same rows, one transaction per batch of 500, straight through
/// sqlx with the collector's durability settings, no HTTP and no collector logic.
async fn direct_insert(url: &str, options: &Options) -> Run {
    let database = Database::connect(url, 2).await.expect("connecting");
    database.migrate().await.expect("migrating");
    database.close().await;
    let batches: Vec<Vec<Record>> = (0..options.records / BATCH)
        .map(|b| (0..BATCH).map(|i| record(b * BATCH + i, b, "direct")).collect())
        .collect();
    let batches = Arc::new(batches);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writer = direct::Writer::connect(url, options.clients).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..options.clients {
        let (batches, next, writer) = (Arc::clone(&batches), Arc::clone(&next), writer.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(batch) = batches.get(index) else { return latencies };
                let sent = Instant::now();
                writer.insert(batch).await;
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("a writer"));
    }
    summarize(options.records, started.elapsed(), latencies)
}

/// The HTTP path: clients post JSON batches of 500 to a collector on loopback.
async fn http_ingest(url: &str, options: &Options) -> Run {
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("address"),
        upload_rate: RateLimit { per_minute: 10_000_000, burst: 1_000_000 },
        database_max_connections: options.clients as u32,
        // Any client may send any batch, so each install's records span all five countries;
        // the per-batch check still runs, against a limit the benchmark's data meets.
        max_countries_per_install: 5,
        ..Config::new(url)
    };
    let running = collector::start(config).await.expect("starting the collector");
    let base = format!("http://{}", running.address);
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let mut tokens = Vec::new();
    for _ in 0..options.clients {
        // Each client solves its enrollment's proof of work, before the clock starts.
        let challenge: serde_json::Value = serde_json::from_str(
            &client
                .get(format!("{base}/v1/installs/challenge"))
                .send()
                .await
                .expect("a challenge")
                .text()
                .await
                .expect("body"),
        )
        .expect("JSON");
        let text = challenge["challenge"].as_str().expect("a challenge");
        let nonce =
            collector::proof_of_work::solve(text, challenge["difficulty"].as_u64().expect("bits") as u32);
        let response = client
            .post(format!("{base}/v1/installs"))
            .header("content-type", "application/json")
            .body(serde_json::json!({ "challenge": text, "nonce": nonce }).to_string())
            .send()
            .await
            .expect("enrolling");
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
        tokens.push(body["token"].as_str().expect("token").to_owned());
    }
    // Bodies are made before the clock starts: the benchmark measures the collector.
    let bodies: Vec<axum::body::Bytes> = (0..options.records / BATCH)
        .map(|b| {
            let records: Vec<analysis::json::Value> =
                (0..BATCH).map(|i| analysis::record_to_json(&record(b * BATCH + i, b, "self"))).collect();
            let mut body = analysis::json::Map::new();
            body.insert("records".to_owned(), records.into());
            axum::body::Bytes::from(analysis::json::Value::from(body).to_string())
        })
        .collect();
    let bodies = Arc::new(bodies);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for token in tokens {
        let (bodies, next, client, base) =
            (Arc::clone(&bodies), Arc::clone(&next), client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(body) = bodies.get(index) else { return latencies };
                let sent = Instant::now();
                let response = client
                    .post(format!("{base}/v1/records"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("uploading");
                assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("a client"));
    }
    let run = summarize(options.records, started.elapsed(), latencies);
    running.shut_down().await.expect("shutting down");
    run
}

/// Fills a database with `count` records of 20,000 installs through the collector's own
/// storage path, then times `/v1/wages`: the first (uncached) answer and 200 cached ones.
async fn wages_at_scale(url: &str, count: usize) -> (Duration, Run) {
    let database = Database::connect(url, 4).await.expect("connecting");
    database.migrate().await.expect("migrating");
    let installs = 20_000.min(count.max(1));
    let per_install = count / installs;
    let started = Instant::now();
    for install in 0..installs {
        let public_id = InstallId::parse(&format!("bench-{install:06}")).expect("an id");
        let key = database.create_install(&public_id, None, None).await.expect("an install");
        let records: Vec<Record> = (0..per_install)
            .map(|i| record(install * per_install + i, install, public_id.as_str()).coarsened())
            .collect();
        for chunk in records.chunks(1000) {
            let batch =
                ParsedBatch { records: chunk.iter().cloned().enumerate().collect(), repeated_in_batch: 0 };
            // The installs are synthetic (no token), so they count in the report at once.
            let rules = collector::db::BatchRules {
                max_countries: collector::config::DEFAULT_MAX_COUNTRIES_PER_INSTALL,
                max_cells: collector::config::DEFAULT_MAX_CELLS_PER_INSTALL,
                eligible_after_days: collector::config::DEFAULT_ELIGIBLE_AFTER_DAYS,
                today: 20_000,
            };
            database.store_batch(&key, &batch, &rules).await.expect("storing");
        }
        if install % 2000 == 1999 {
            say(&format!("  filled {} records in {:.0?}", (install + 1) * per_install, started.elapsed()));
        }
    }
    database.close().await;
    let count_totals = "SELECT COUNT(*) FROM worker_cell_totals";
    let totals_rows: i64 = if url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(url).await.expect("connecting");
        sqlx::query_scalar(count_totals).fetch_one(&mut connection).await.expect("counting")
    } else {
        let mut connection = sqlx::PgConnection::connect(url).await.expect("connecting");
        sqlx::query_scalar(count_totals).fetch_one(&mut connection).await.expect("counting")
    };
    say(&format!("  {count} records of {installs} installs; {totals_rows} rows of per-install totals"));
    let config = Config { listen: "127.0.0.1:0".parse().expect("address"), ..Config::new(url) };
    let running = collector::start(config).await.expect("starting the collector");
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let wages = format!("http://{}/v1/wages?by=platform,country&method=all", running.address);
    let first = Instant::now();
    let response = client.get(&wages).send().await.expect("wages");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("body");
    let uncached = first.elapsed();
    let mut latencies = Vec::new();
    let started = Instant::now();
    for _ in 0..200 {
        let sent = Instant::now();
        let body = client.get(&wages).send().await.expect("wages").bytes().await.expect("body");
        assert!(body.len() > 100);
        latencies.push(sent.elapsed());
    }
    let run = summarize(200, started.elapsed(), latencies);
    running.shut_down().await.expect("shutting down");
    (uncached, run)
}

mod direct {
    //! Plain sqlx inserts of the `records` rows, in the shape the collector's backends use.

    use super::*;
    use collector::db::rows::RecordRow;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
    use sqlx::{PgPool, QueryBuilder, Sqlite, SqlitePool};

    #[derive(Debug, Clone)]
    pub(crate) enum Writer {
        Sqlite(SqlitePool, i64),
        Postgres(PgPool, i64),
    }

    impl Writer {
        pub(crate) async fn connect(url: &str, clients: usize) -> Writer {
            if url.starts_with("sqlite:") {
                let options = SqliteConnectOptions::from_str(url)
                    .expect("a URL")
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true);
                // One writer, as in the collector: SQLite takes one at a time.
                let pool =
                    SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("connect");
                let key =
                    sqlx::query_scalar("INSERT INTO installs (public_id) VALUES ('direct') RETURNING id")
                        .fetch_one(&pool)
                        .await
                        .expect("an install");
                Writer::Sqlite(pool, key)
            } else {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(clients as u32)
                    .connect(url)
                    .await
                    .expect("connect");
                let key =
                    sqlx::query_scalar("INSERT INTO installs (public_id) VALUES ('direct') RETURNING id")
                        .fetch_one(&pool)
                        .await
                        .expect("an install");
                Writer::Postgres(pool, key)
            }
        }

        pub(crate) async fn insert(&self, batch: &[Record]) {
            let rows: Vec<RecordRow> = batch.iter().map(|r| RecordRow::from_record(&r.coarsened())).collect();
            match self {
                Writer::Sqlite(pool, key) => {
                    let mut tx = pool.begin().await.expect("begin");
                    let mut query = QueryBuilder::<Sqlite>::new(
                        "INSERT INTO records (install, record_id, platform, country, kind, category, outcome, \
                         started_at, ended_at, active_seconds, reward, bonus, currency) ",
                    );
                    query.push_values(rows, |mut values, row| {
                        values
                            .push_bind(*key)
                            .push_bind(row.record_id)
                            .push_bind(row.platform)
                            .push_bind(row.country)
                            .push_bind(row.kind)
                            .push_bind(row.category)
                            .push_bind(row.outcome)
                            .push_bind(row.started_at)
                            .push_bind(row.ended_at)
                            .push_bind(row.active_seconds)
                            .push_bind(row.reward)
                            .push_bind(row.bonus)
                            .push_bind(row.currency);
                    });
                    query.build().execute(&mut *tx).await.expect("insert");
                    tx.commit().await.expect("commit");
                }
                Writer::Postgres(pool, key) => {
                    let column =
                        |get: fn(&RecordRow) -> Option<String>| rows.iter().map(get).collect::<Vec<_>>();
                    let number = |get: fn(&RecordRow) -> i64| rows.iter().map(get).collect::<Vec<_>>();
                    let mut tx = pool.begin().await.expect("begin");
                    sqlx::query(
                        "INSERT INTO records (install, record_id, platform, country, kind, category, outcome, \
                         started_at, ended_at, active_seconds, reward, bonus, currency) \
                         SELECT $1, * FROM UNNEST($2::text[]::uuid[], $3::text[], $4::text[], $5::text[], \
                         $6::text[], $7::text[], $8::int8[], $9::int8[], $10::int8[], $11::text[], $12::text[], \
                         $13::text[])",
                    )
                    .bind(*key)
                    .bind(column(|r| Some(r.record_id.clone())))
                    .bind(column(|r| Some(r.platform.clone())))
                    .bind(column(|r| r.country.clone()))
                    .bind(column(|r| Some(r.kind.clone())))
                    .bind(column(|r| r.category.clone()))
                    .bind(column(|r| r.outcome.clone()))
                    .bind(number(|r| r.started_at))
                    .bind(number(|r| r.ended_at))
                    .bind(number(|r| r.active_seconds))
                    .bind(column(|r| r.reward.clone()))
                    .bind(column(|r| r.bonus.clone()))
                    .bind(column(|r| r.currency.clone()))
                    .execute(&mut *tx)
                    .await
                    .expect("insert");
                    tx.commit().await.expect("commit");
                }
            }
        }
    }
}

/// Direct inserts and the HTTP path, on every backend, as one table.
async fn ingestion(backends: &[&str], directory: &std::path::Path, options: &Options) {
    say(&format!(
        "ingestion: {} records in batches of {BATCH}, {} concurrent clients or writers",
        options.records, options.clients
    ));
    say("| backend | path | records/s | p50 ms per batch | p99 ms per batch |");
    say("|---|---|---|---|---|");
    for backend in backends {
        let mut ratios = Vec::new();
        for round in 0..options.rounds {
            let label = |path: &str| format!("{path}_{round}");
            let direct = direct_insert(&fresh_url(backend, directory, &label("direct")).await, options).await;
            row(backend, "direct sqlx insert, one transaction per batch", &direct);
            let http = http_ingest(&fresh_url(backend, directory, &label("http")).await, options).await;
            row(backend, "HTTP POST /v1/records", &http);
            let ratio = http.records_per_second / direct.records_per_second;
            say(&format!("| {backend} | HTTP ÷ direct | {ratio:.2} | | |"));
            ratios.push(ratio);
            if *backend == "sqlite" {
                // A round's databases are not read again; many rounds would fill the disk.
                for file in std::fs::read_dir(directory).expect("the benchmark's directory") {
                    std::fs::remove_file(file.expect("a file").path()).expect("removing a database");
                }
            }
        }
        if ratios.len() > 1 {
            ratios.sort_by(f64::total_cmp);
            let median = analysis::stats::percentile(&ratios, 0.5).expect("at least two rounds");
            say(&format!(
                "| {backend} | HTTP ÷ direct, median of {} rounds | {median:.2} | | |",
                ratios.len()
            ));
        }
    }
}

fn row(backend: &str, path: &str, run: &Run) {
    say(&format!(
        "| {backend} | {path} | {:.0} | {:.1} | {:.1} |",
        run.records_per_second,
        run.p50.as_secs_f64() * 1000.0,
        run.p99.as_secs_f64() * 1000.0
    ));
}

#[tokio::main]
async fn main() {
    let options = options();
    let directory = tempfile::tempdir().expect("a temporary directory");
    let mut backends = vec!["sqlite"];
    if std::env::var("PIECERATE_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        backends.push("postgres");
    }
    if options.records > 0 {
        ingestion(&backends, directory.path(), &options).await;
    }
    if options.wages_records > 0 {
        for backend in &backends {
            say(&format!("/v1/wages on {backend} with {} stored records:", options.wages_records));
            let url = fresh_url(backend, directory.path(), "wages").await;
            let (uncached, cached) = wages_at_scale(&url, options.wages_records).await;
            say(&format!(
                "  first answer (recomputed from the totals): {:.0} ms; cached: p50 {:.2} ms, p99 {:.2} ms",
                uncached.as_secs_f64() * 1000.0,
                cached.p50.as_secs_f64() * 1000.0,
                cached.p99.as_secs_f64() * 1000.0
            ));
        }
    }
}
