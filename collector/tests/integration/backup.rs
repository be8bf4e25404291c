//! The operator's `backup` and `restore`: a backup taken while the collector serves restores to
//! the same wages and data version, and every refusal (PostgreSQL, an existing file, a target
//! that holds data, a file that is not a collector database or is of a newer schema) leaves the
//! target as it was.

use std::path::Path;

use serde_json::Value;
use sqlx::{Connection, SqliteConnection};

use crate::support::{TestServer, databases, sqlite_at, start, task};

/// Runs `piecerate-collector ARGS`; answers whether it succeeded and its standard error.
async fn collector(args: &[&str]) -> (bool, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_piecerate-collector"))
        .args(args)
        .env("PIECERATE_LOG", "warn")
        .output()
        .await
        .expect("running piecerate-collector");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// A backup (or any SQLite file), opened to read or edit it directly.
async fn open(path: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.expect("opening")
}

/// Twelve installs, each with an hour's task on MTurk from the US: one published cell.
async fn fill(server: &TestServer) -> Vec<String> {
    let mut tokens = Vec::new();
    for worker in 0..12u64 {
        let token = server.enroll().await;
        let reward = format!("{}.00", 3 + worker);
        let answer = server.upload(&token, &[task(worker, 0, "mturk", "US", &reward)]).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        tokens.push(token);
    }
    tokens
}

/// The wages and the data version they carry.
async fn wages(server: &TestServer) -> (String, String) {
    let answer = server.get("/v1/wages?by=platform,country").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let version = answer.headers["piecerate-data-version"].to_str().expect("a version").to_owned();
    (answer.text, version)
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_the_same_wages_and_data_version() {
    for database in databases().await {
        let directory = tempfile::tempdir().expect("temporary directory");
        let backup = directory.path().join("collector-backup.db");
        if database.backend == "postgres" {
            let (ok, error) =
                collector(&["backup", "--database-url", &database.url, "--to", text(&backup)]).await;
            assert!(!ok && error.contains("pg_dump --format=custom"), "{error}");
            let (ok, error) =
                collector(&["restore", "--database-url", &database.url, "--from", text(&backup)]).await;
            assert!(!ok && error.contains("pg_restore"), "{error}");
            assert!(!backup.exists());
            continue;
        }
        let server = start(&database, |_| {}).await;
        let tokens = fill(&server).await;
        server.publish_snapshot_now().await;
        let (published, version) = wages(&server).await;
        let cell = serde_json::from_str::<Value>(&published).expect("JSON")["cells"][0].clone();
        assert_eq!(cell["n_workers"], 12, "{published}");

        let (ok, error) =
            collector(&["backup", "--database-url", &database.url, "--to", text(&backup)]).await;
        assert!(ok, "{error}");
        // Written after the backup, so not in it.
        let later = server.upload(&tokens[0], &[task(100, 5, "mturk", "US", "9.00")]).await;
        assert_eq!(later.status, 200, "{}", later.text);
        assert_ne!(wages(&server).await.1, version);
        server.running.shut_down().await.expect("stopping");

        let restored = sqlite_at(&directory.path().join("restored.db"));
        let (ok, error) =
            collector(&["restore", "--database-url", &restored.url, "--from", text(&backup)]).await;
        assert!(ok, "{error}");
        let server = start(&restored, |_| {}).await;
        assert_eq!(wages(&server).await, (published, version.clone()));
        assert_eq!(server.stored_records().await, 12);
        // The installs' tokens came back with them.
        let again = server.upload(&tokens[1], &[task(200, 7, "mturk", "US", "4.00")]).await;
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.body["accepted"], 1);
        server.running.shut_down().await.expect("stopping");
    }
}

#[tokio::test]
async fn a_restore_over_data_needs_overwrite_and_moves_the_data_version_forward() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let original = sqlite_at(&directory.path().join("original.db"));
    let server = start(&original, |_| {}).await;
    fill(&server).await;
    let (published, _) = wages(&server).await;
    let backup = directory.path().join("backup.db");
    let (ok, error) = collector(&["backup", "--database-url", &original.url, "--to", text(&backup)]).await;
    assert!(ok, "{error}");
    let (ok, error) = collector(&["backup", "--database-url", &original.url, "--to", text(&backup)]).await;
    assert!(!ok && error.contains("exists already"), "{error}");
    server.running.shut_down().await.expect("stopping");

    // Another collector's database, with more writes behind it than the backup has.
    let other = sqlite_at(&directory.path().join("other.db"));
    let server = start(&other, |_| {}).await;
    let tokens = fill(&server).await;
    for (index, token) in tokens.iter().enumerate() {
        let answer = server.upload(token, &[task(1000 + index as u64, 30, "prolific", "GB", "8.00")]).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    let (other_published, other_version) = wages(&server).await;
    let (ok, error) = collector(&["restore", "--database-url", &other.url, "--from", text(&backup)]).await;
    assert!(!ok && error.contains("already holds 12 installs") && error.contains("--overwrite"), "{error}");
    assert_eq!(wages(&server).await, (other_published, other_version.clone()));

    // Restored under the serving collector: it serves the backup's wages, with a newer version.
    let (ok, error) =
        collector(&["restore", "--database-url", &other.url, "--from", text(&backup), "--overwrite"]).await;
    assert!(ok, "{error}");
    let (now_published, now_version) = wages(&server).await;
    assert_eq!(now_published, published);
    let (before, after): (i64, i64) =
        (other_version.parse().expect("number"), now_version.parse().expect("number"));
    assert!(after > before, "the data version went from {before} to {after}");
    assert_eq!(server.stored_records().await, 12);
    server.running.shut_down().await.expect("stopping");
}

#[tokio::test]
async fn a_restore_refuses_what_is_not_a_collector_database_it_knows() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let target = directory.path().join("target.db");
    let target_url = format!("sqlite://{}", target.display());
    let refused = |file: &Path, expected: &'static str| {
        let (file, target_url) = (file.to_owned(), target_url.clone());
        async move {
            let (ok, error) =
                collector(&["restore", "--database-url", &target_url, "--from", text(&file)]).await;
            assert!(!ok && error.contains(expected), "{}: {error}", file.display());
        }
    };

    refused(&directory.path().join("missing.db"), "there is no such file").await;
    let not_sqlite = directory.path().join("notes.txt");
    std::fs::write(&not_sqlite, "these are not the pages of a database\n".repeat(200)).expect("writing");
    refused(&not_sqlite, "is not a piecerate collector database").await;

    let foreign = directory.path().join("foreign.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&foreign).create_if_missing(true);
    let mut connection = SqliteConnection::connect_with(&options).await.expect("creating");
    sqlx::query("CREATE TABLE notes (text TEXT)").execute(&mut connection).await.expect("a table");
    connection.close().await.expect("closing");
    refused(&foreign, "it has no table of applied migrations").await;

    // A backup of a newer collector, and one whose migration is not this collector's SQL.
    let source = sqlite_at(&directory.path().join("source.db"));
    let database = collector::db::Database::connect(&source.url, 2).await.expect("connecting");
    database.migrate().await.expect("migrating");
    database.close().await;
    let newer = directory.path().join("newer.db");
    let (ok, error) = collector(&["backup", "--database-url", &source.url, "--to", text(&newer)]).await;
    assert!(ok, "{error}");
    let edited = directory.path().join("edited.db");
    std::fs::copy(&newer, &edited).expect("copying");
    let mut connection = open(&newer).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, x'00', 0)",
    )
    .execute(&mut connection)
    .await
    .expect("a future migration");
    connection.close().await.expect("closing");
    refused(&newer, "schema version 9999, made by a newer collector").await;
    let mut connection = open(&edited).await;
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1")
        .execute(&mut connection)
        .await
        .expect("an edited migration");
    connection.close().await.expect("closing");
    refused(&edited, "its migration 1 is not the SQL this collector has").await;

    // Nothing was made of the target, and a backup of a database that does not exist makes none.
    assert!(!target.exists());
    let (ok, _) =
        collector(&["backup", "--database-url", &target_url, "--to", text(&directory.path().join("b.db"))])
            .await;
    assert!(!ok);
    assert!(!target.exists() && !directory.path().join("b.db").exists());
}

#[tokio::test]
async fn a_backup_of_an_older_schema_is_restored_into_the_current_one() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let old = sqlite_at(&directory.path().join("old.db"));
    let database = collector::db::Database::connect(&old.url, 2).await.expect("connecting");
    database.migrate_up_to(1).await.expect("schema 1 only");
    database.close().await;
    // The rows a collector at schema 1 stored (the migration-path test's).
    let rows = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/migration-data/sqlite/0001.sql"),
    )
    .expect("reading the schema-1 rows");
    let mut connection = SqliteConnection::connect(&old.url).await.expect("opening");
    sqlx::raw_sql(&rows).execute(&mut connection).await.expect("inserting");
    connection.close().await.expect("closing");

    let backup = directory.path().join("schema-1.db");
    let (ok, error) = collector(&["backup", "--database-url", &old.url, "--to", text(&backup)]).await;
    assert!(ok, "{error}");
    let restored = sqlite_at(&directory.path().join("restored.db"));
    let (ok, error) = collector(&["restore", "--database-url", &restored.url, "--from", text(&backup)]).await;
    assert!(ok, "{error}");
    let server = start(&restored, |_| {}).await;
    server.publish_snapshot_now().await;
    let (published, version) = wages(&server).await;
    assert_eq!(version, "12");
    let report: Value = serde_json::from_str(&published).expect("JSON");
    assert_eq!(crate::support::cell_of(&report, "mturk", "US")["n_workers"], 12, "{published}");
    assert_eq!(server.stored_records().await, 12);
    server.running.shut_down().await.expect("stopping");
    // The backup itself was not brought to the current schema.
    let mut connection = open(&backup).await;
    let newest: i64 = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
        .fetch_one(&mut connection)
        .await
        .expect("reading");
    assert_eq!(newest, 1);
    connection.close().await.expect("closing");
}

#[tokio::test]
async fn a_backup_during_uploads_is_one_consistent_moment() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let original = sqlite_at(&directory.path().join("busy.db"));
    let server = start(&original, |_| {}).await;
    let mut tokens = Vec::new();
    for _ in 0..4 {
        tokens.push(server.enroll().await);
    }
    // Each upload stores one new record and moves the data version by one, in one transaction:
    // in any consistent copy the version equals the number of records. Uploads go on until the
    // backup is done.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let uploads = {
        let (client, base, stop) = (server.client.clone(), server.base.clone(), stop.clone());
        tokio::spawn(async move {
            let mut round = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for (index, token) in tokens.iter().enumerate() {
                    let record = task(round * 10 + index as u64, (round % 500) as i64, "mturk", "US", "2.00");
                    let response = client
                        .post(format!("{base}/v1/records"))
                        .bearer_auth(token)
                        .header("content-type", "application/json")
                        .body(serde_json::json!({ "records": [record] }).to_string())
                        .send()
                        .await
                        .expect("uploading");
                    assert_eq!(response.status(), 200);
                }
                round += 1;
            }
        })
    };
    while server.stored_records().await < 8 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let backup = directory.path().join("during.db");
    let (ok, error) = collector(&["backup", "--database-url", &original.url, "--to", text(&backup)]).await;
    assert!(ok, "{error}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    uploads.await.expect("the uploads");
    let stored = server.stored_records().await;
    server.running.shut_down().await.expect("stopping");

    let summary = collector::db::backup::check_backup(&backup).await.expect("a sound backup").summary;
    // Started once 8 records were stored, while uploads went on.
    assert!(
        summary.records >= 8 && summary.records as u64 <= stored,
        "{summary:?}; {stored} stored in the end"
    );
    assert_eq!(summary.data_version, summary.records, "{summary:?}");
    let mut connection = open(&backup).await;
    let tasks: i64 = sqlx::query_scalar("SELECT sum(tasks) FROM worker_cell_totals")
        .fetch_one(&mut connection)
        .await
        .expect("summing");
    assert_eq!(tasks, summary.records, "the totals and the records of the backup disagree");
    connection.close().await.expect("closing");
}
