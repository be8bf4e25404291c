//! Every migration, from the first schema to the current one, on a database with data in it: the
//! rows each schema's collector stored (`collector/tests/migration-data/`) are inserted right
//! after its migration, and after the last one the real collector reads all of them.

use std::path::{Path, PathBuf};

use sqlx::Connection;

use crate::support::{cell_of, databases, start, task};

/// The token of the schema-1 install whose `token_hash` the data files hold.
const SCHEMA_1_TOKEN: &str = "0000000000000000000000000000000000000000000000000000000000000001";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs one data file's statements on the database, and answers how many records it then holds.
async fn insert(url: &str, backend: &str, sql: &str) -> i64 {
    let count = "SELECT count(*) FROM records";
    if backend == "postgres" {
        let mut connection = sqlx::PgConnection::connect(url).await.expect("connecting");
        sqlx::raw_sql(sql).execute(&mut connection).await.expect("inserting the schema's rows");
        sqlx::query_scalar(count).fetch_one(&mut connection).await.expect("counting")
    } else {
        let mut connection = sqlx::SqliteConnection::connect(url).await.expect("connecting");
        sqlx::raw_sql(sql).execute(&mut connection).await.expect("inserting the schema's rows");
        sqlx::query_scalar(count).fetch_one(&mut connection).await.expect("counting")
    }
}

#[tokio::test]
async fn every_migration_keeps_the_data_of_the_schemas_before_it() {
    for database in databases().await {
        let backend = database.backend;
        let opened = collector::db::Database::connect(&database.url, 2).await.expect("connecting");
        let versions = opened.migration_versions();
        // Every migration file is one the collector applies.
        let files =
            std::fs::read_dir(repository().join("migrations").join(backend)).expect("migrations").count();
        assert_eq!(
            versions.len(),
            files,
            "{backend}: migrations/{backend}/ has files the collector does not apply"
        );
        assert_eq!(versions.first(), Some(&1));

        let mut records = 0;
        for &version in &versions {
            opened.migrate_up_to(version).await.expect("applying one migration");
            let file = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/migration-data/{backend}/{version:04}.sql"));
            let sql = std::fs::read_to_string(&file).unwrap_or_else(|_| {
                panic!(
                    "{}: migration {version} has no data file: write the rows a collector at that schema stored \
                     (collector/tests/migration-data/README.md)",
                    file.display()
                )
            });
            if version == 1 {
                assert!(sql.contains(&collector::auth::token_hash(SCHEMA_1_TOKEN)), "{}", file.display());
            }
            let now = insert(&database.url, backend, &sql).await;
            assert!(now > records, "{}: adds no record", file.display());
            records = now;
        }
        let version_before = opened.data_version().await.expect("the data version");
        opened.close().await;
        // Schema 1 set it to 12 and every later schema's upload advanced it.
        assert_eq!(
            version_before,
            12 + versions.len() as i64 - 1,
            "{backend}: the data version was not carried"
        );

        // The collector starts on it (it applies nothing more) and reads every row.
        let server = start(&database, |_| {}).await;
        assert_eq!(server.stored_records().await, records as u64, "{backend}");
        server.publish_snapshot_now().await;
        let wages = server.get("/v1/wages?by=platform,country").await;
        assert_eq!(wages.status, 200, "{}", wages.text);
        assert_eq!(wages.headers["piecerate-data-version"], version_before.to_string().as_str());
        let cell = cell_of(&wages.body, "mturk", "US");
        assert_eq!(cell["n_workers"], 12, "{backend}: {}", wages.text);
        // Twelve hours paying 5 to 16 dollars: the median worker earns 10.50 an hour.
        assert_eq!(cell["median_hourly_usd"], 10.5, "{backend}: {}", wages.text);
        assert_eq!(cell_of(&wages.body, "prolific", "GB")["suppressed"], true, "{backend}: {}", wages.text);

        // A token enrolled at schema 1 still authenticates, and its install's totals grow.
        let upload = server.upload(SCHEMA_1_TOKEN, &[task(900, 2, "mturk", "US", "5.00")]).await;
        assert_eq!(upload.status, 200, "{backend}: {}", upload.text);
        assert_eq!(upload.body["accepted"], 1);
        let after = server.get("/v1/wages?by=platform,country").await;
        assert_eq!(cell_of(&after.body, "mturk", "US")["n_workers"], 12, "{}", after.text);
        assert_ne!(after.headers["piecerate-data-version"], wages.headers["piecerate-data-version"]);
        server.running.shut_down().await.expect("stopping");
    }
}
