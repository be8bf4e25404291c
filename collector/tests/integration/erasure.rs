//! Erasure erases: after `DELETE /v1/installs/me` has answered, nothing of the install is left
//! in the SQLite database's files, neither in the main file nor in its write-ahead log.

use serde_json::json;
use sqlx::Connection;

use crate::support::{databases, enroll_with, start, task};

/// The SQLite files of the database at `url`: the main file and its WAL (empty if absent).
fn file_bytes(url: &str) -> Vec<(String, Vec<u8>)> {
    let path = url.strip_prefix("sqlite://").expect("a sqlite:// URL");
    [path.to_owned(), format!("{path}-wal")]
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file).unwrap_or_default();
            (file, bytes)
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Which of `needles` (name, bytes) some file holds, as "name in file".
fn found(url: &str, needles: &[(String, Vec<u8>)]) -> Vec<String> {
    let files = file_bytes(url);
    let mut found = Vec::new();
    for (name, needle) in needles {
        for (file, bytes) in &files {
            if contains(bytes, needle) {
                found.push(format!("{name} in {file}"));
            }
        }
    }
    found
}

#[tokio::test]
async fn an_erased_install_leaves_no_bytes_in_the_sqlite_files() {
    for database in databases().await.into_iter().filter(|database| database.backend == "sqlite") {
        let server = start(&database, |_| {}).await;
        // A worker who stays, so that the pages of the erased rows keep other rows.
        let keeper = server.enroll().await;
        let kept: Vec<_> = (0..50).map(|i| task(i, i as i64, "mturk", "US", "1.25")).collect();
        assert_eq!(server.upload(&keeper, &kept).await.status, 200);

        let enrolled = enroll_with(&server.client, &server.base, |request| request).await;
        let install_id = enrolled.body["install_id"].as_str().unwrap().to_owned();
        let token = enrolled.body["token"].as_str().unwrap().to_owned();
        let distinctive = |n: u32| format!("5ec7e7ed-e7a5-4e5e-8d1e-{n:012x}");
        let erased_record = |n: u32, hour: i64| {
            let mut record = task(0, hour, "prolific", "GB", "987.65");
            record["record_id"] = json!(distinctive(n));
            record
        };
        let first: Vec<_> = (0..20).map(|n| erased_record(n, i64::from(n))).collect();
        assert_eq!(server.upload(&token, &first).await.status, 200);
        // Some of the install's rows reach the main file, as an automatic checkpoint would take
        // them; later ones stay in the WAL only.
        let mut other = sqlx::SqliteConnection::connect(&database.url).await.unwrap();
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut other).await.unwrap();
        other.close().await.unwrap();
        let second: Vec<_> = (20..40).map(|n| erased_record(n, i64::from(n))).collect();
        assert_eq!(server.upload(&token, &second).await.status, 200);

        let mut needles = vec![
            ("the install id".to_owned(), install_id.clone().into_bytes()),
            ("the token's hash".to_owned(), collector::auth::token_hash(&token).into_bytes()),
            ("the reward".to_owned(), b"987.65".to_vec()),
        ];
        for n in [0, 19, 20, 39] {
            let id = uuid::Uuid::parse_str(&distinctive(n)).unwrap();
            needles.push((format!("record id {n}"), id.hyphenated().to_string().into_bytes()));
            needles.push((format!("record id {n} as 16 bytes"), id.as_bytes().to_vec()));
        }
        // The test can see what it looks for before the erasure.
        let before = found(&database.url, &needles);
        for name in ["the install id", "the token's hash", "the reward", "record id 0 in", "record id 39 in"]
        {
            assert!(before.iter().any(|hit| hit.starts_with(name)), "{name} not found before: {before:?}");
        }

        let erased = server.erase(&token).await;
        assert_eq!(
            (erased.status, &erased.body),
            (200, &json!({"records_erased": 40, "installs_erased": 1}))
        );
        let after = found(&database.url, &needles);
        assert!(after.is_empty(), "left in the files after the erasure: {after:?}");
        // The worker who stays is still there.
        assert_eq!(server.stored_records().await, 50);
    }
}
