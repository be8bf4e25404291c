//! Privacy by construction: the schema has no column that could hold an IP address, a user
//! agent, an email, a name or title, or a worker, task or requester id; and request metadata
//! sent by a client ends up neither in the database nor in the log.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{ServingBinary, TestDatabase, client, databases, serve_binary, task};

/// An install's totals in one cell (platform, country, month): sums of its records' earnings,
/// hours and tasks, kept by `worker_cell_totals` and copied into `snapshot_basis`.
const TOTALS: &[&str] = &[
    "install",
    "platform",
    "country",
    "month",
    "earnings_usd",
    "paid_task_seconds",
    "unpaid_task_seconds",
    "unpaid_record_seconds",
    "tasks",
];

/// Every column the collector may have, and why it is harmless.
const ALLOWED: &[(&str, &[&str])] = &[
    // The collector's random id, a hash of a random token, the consent text's version, and on
    // how many days (and the last day) it uploaded, by the server's clock.
    ("installs", &["id", "public_id", "token_hash", "consent_version", "upload_days", "last_upload_day"]),
    // Record format v1 minus install_id (replaced by the key of the random install).
    (
        "records",
        &[
            "install",
            "record_id",
            "platform",
            "country",
            "kind",
            "category",
            "outcome",
            "started_at",
            "ended_at",
            "active_seconds",
            "reward",
            "bonus",
            "currency",
        ],
    ),
    ("worker_cell_totals", TOTALS),
    ("data_version", &["id", "version"]),
    ("collector_meta", &["key", "value"]),
    // The random part of an enrollment challenge that was used, until it expires.
    ("used_challenges", &["challenge", "expires_at"]),
    // Published snapshots: a day, its figures (aggregates only, as served) and their hash.
    ("snapshots", &["day", "published_at", "data_version", "content_sha256", "document"]),
    // The totals the latest snapshot was computed from, a copy of worker_cell_totals.
    ("snapshot_basis", TOTALS),
];

/// Words that would betray a column meant for identifying data, whatever the allow-list says.
const FORBIDDEN_WORDS: &[&str] = &[
    "ip",
    "addr",
    "address",
    "agent",
    "ua",
    "email",
    "mail",
    "worker",
    "requester",
    "hit",
    "title",
    "name",
    "user",
    "username",
    "host",
    "referer",
    "referrer",
    "url",
    "assignment",
    "device",
    "fingerprint",
    "location",
];

async fn columns(database: &TestDatabase) -> BTreeMap<String, BTreeSet<String>> {
    // Each backend lists its tables' columns in its own catalogue.
    let rows: Vec<(String, String)> = if database.backend == "sqlite" {
        let mut connection =
            <sqlx::SqliteConnection as sqlx::Connection>::connect(&database.url).await.expect("connect");
        let sql = "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                   WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'";
        sqlx::query_as(sql).fetch_all(&mut connection).await.expect("listing columns")
    } else {
        let mut connection =
            <sqlx::PgConnection as sqlx::Connection>::connect(&database.url).await.expect("connect");
        let sql = "SELECT table_name::text, column_name::text FROM information_schema.columns \
                   WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'";
        sqlx::query_as(sql).fetch_all(&mut connection).await.expect("listing columns")
    };
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (table, column) in rows {
        // A partition has its parent's columns.
        let table = if table == "records_default" { "records".to_owned() } else { table };
        tables.entry(table).or_default().insert(column);
    }
    tables
}

#[tokio::test]
async fn no_column_can_hold_identifying_data() {
    for database in databases().await {
        // `piecerate-collector migrate` makes the schema, as an operator would before serving.
        let migrated = tokio::process::Command::new(env!("CARGO_BIN_EXE_piecerate-collector"))
            .args(["migrate", "--database-url", &database.url])
            .env("PIECERATE_LOG", "warn")
            .status()
            .await
            .expect("running migrate");
        assert!(migrated.success(), "{}: migrate failed", database.backend);
        let tables = columns(&database).await;
        let allowed: BTreeMap<String, BTreeSet<String>> = ALLOWED
            .iter()
            .map(|(table, columns)| (table.to_string(), columns.iter().map(|c| c.to_string()).collect()))
            .collect();
        for (table, found) in &tables {
            let expected = allowed
                .get(table)
                .unwrap_or_else(|| panic!("{}: unexpected table {table}", database.backend));
            assert_eq!(found, expected, "{}: columns of {table}", database.backend);
            for column in found {
                let words: Vec<&str> = column.split('_').collect();
                for word in &words {
                    assert!(!FORBIDDEN_WORDS.contains(word), "{}: {table}.{column}", database.backend);
                }
                assert!(!words.windows(2).any(|w| w == ["task", "id"]), "{table}.{column}");
            }
        }
        assert!(tables.contains_key("records") && tables.contains_key("installs"), "{tables:?}");
    }
}

#[tokio::test]
async fn request_metadata_is_neither_stored_nor_logged() {
    const AGENT: &str = "Mozilla/5.0 piecerate-privacy-probe";
    const FORWARDED: &str = "203.0.113.77";
    for database in databases().await {
        let ServingBinary { mut child, address: base, mut log, mut lines } =
            serve_binary(&database, &[], "debug").await;
        let rest = tokio::spawn(async move {
            let mut rest = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                rest.push(line);
            }
            rest
        });
        let http = client();
        let with_metadata = |request: reqwest::RequestBuilder| {
            request
                .header("user-agent", AGENT)
                .header("x-forwarded-for", FORWARDED)
                .header("x-real-ip", FORWARDED)
        };
        let enrolled = crate::support::enroll_with(&http, &base, with_metadata).await.body;
        let token = enrolled["token"].as_str().expect("token").to_owned();
        let body = serde_json::json!({ "records": [task(1, 0, "mturk", "IN", "0.40")] }).to_string();
        let upload = with_metadata(http.post(format!("{base}/v1/records")))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body);
        assert_eq!(upload.send().await.expect("uploading").status(), 200);
        with_metadata(http.get(format!("{base}/v1/wages"))).send().await.expect("reading wages");
        child.start_kill().expect("stopping");
        child.wait().await.expect("stopped");
        log.extend(rest.await.expect("the log reader"));
        let log = log.join("\n");
        assert!(log.contains("route=/v1/records"), "the log is not what this test expects: {log}");
        for secret in [AGENT, FORWARDED, &token] {
            assert!(!log.contains(secret), "{}: '{secret}' was logged: {log}", database.backend);
        }
        // The client's own address appears nowhere but in the collector's listening line.
        let listening = base.trim_start_matches("http://");
        let others: Vec<&str> =
            log.lines().filter(|l| l.contains("127.0.0.1") && !l.contains(listening)).collect();
        assert!(others.is_empty(), "{}: addresses logged: {others:?}", database.backend);
        assert_database_holds_none_of(&database, &[AGENT, FORWARDED, "127.0.0.1", &token]).await;
    }
}

/// No text value in any table contains any of `needles`.
async fn assert_database_holds_none_of(database: &TestDatabase, needles: &[&str]) {
    let tables = columns(database).await;
    for (table, columns) in tables {
        for column in columns {
            let sql = if database.backend == "sqlite" {
                format!("SELECT CAST({column} AS TEXT) FROM {table}")
            } else {
                format!("SELECT {column}::text FROM {table}")
            };
            let values: Vec<Option<String>> = if database.backend == "sqlite" {
                let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&database.url)
                    .await
                    .expect("connect");
                sqlx::query_scalar(&sql).fetch_all(&mut c).await.expect("reading")
            } else {
                let mut c =
                    <sqlx::PgConnection as sqlx::Connection>::connect(&database.url).await.expect("connect");
                sqlx::query_scalar(&sql).fetch_all(&mut c).await.expect("reading")
            };
            for value in values.into_iter().flatten() {
                for needle in needles {
                    assert!(
                        !value.contains(needle),
                        "{}: {table}.{column} holds '{needle}'",
                        database.backend
                    );
                }
            }
        }
    }
}
