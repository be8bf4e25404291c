//! The rest of the HTTP surface: the OpenAPI document, health, metrics, CORS, query checking,
//! the dashboard's HTML, and the demo mode's notice on every page and answer.

use serde_json::Value;

use crate::support::{answer, databases, start, task};

#[tokio::test]
async fn openapi_health_metrics_and_cors() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let openapi = server.get("/v1/openapi.json").await;
        assert_eq!((openapi.status, &openapi.body["openapi"]), (200, &Value::from("3.1.0")), "{backend}");
        for path in [
            "/v1/installs",
            "/v1/installs/challenge",
            "/v1/installs/me",
            "/v1/records",
            "/v1/wages",
            "/v1/wages.csv",
            "/healthz",
            "/metrics",
        ] {
            assert!(openapi.body["paths"].get(path).is_some(), "{path} is not described");
        }
        assert!(openapi.text.contains("MAX_TASK_PAY_USD"), "the reward bound is documented");
        assert_eq!(server.get("/healthz").await.body["status"], "ok", "{backend}");

        let wages = server.get("/v1/wages").await;
        assert_eq!(wages.headers["access-control-allow-origin"], "*", "read endpoints are public");
        for bad in [
            "/v1/wages?by=category",
            "/v1/wages?method=session:15",
            "/v1/wages?month=May",
            "/v1/wages?worker=1",
        ] {
            let refused = server.get(bad).await;
            assert_eq!(refused.status, 400, "{bad}: {}", refused.text);
            assert!(refused.body["error"].is_string(), "{bad}");
        }
        assert_eq!(server.get("/nowhere").await.status, 404);

        // A method a route does not take is a JSON error like every other, naming what it takes.
        for (method, path, allowed) in [
            (reqwest::Method::PUT, "/v1/wages", "GET"),
            (reqwest::Method::GET, "/v1/records", "POST"),
            (reqwest::Method::POST, "/metrics", "GET"),
        ] {
            let wrong =
                answer(server.client.request(method.clone(), server.url(path)).send().await.expect("r"))
                    .await;
            assert_eq!(wrong.status, 405, "{backend}: {method} {path}: {}", wrong.text);
            assert!(wrong.headers["content-type"].to_str().unwrap_or("").starts_with("application/json"));
            let error = wrong.body["error"].as_str().unwrap_or("");
            assert!(error.contains(&format!("method {method} is not allowed")), "{error}");
            let allow = wrong.headers["allow"].to_str().unwrap_or("");
            assert!(allow.split(',').any(|m| m == allowed), "{backend}: {path}: {allow}");
        }

        // The metrics are for the operator's scraper: no web page may read them.
        let from_page = answer(
            server
                .client
                .get(server.url("/metrics"))
                .header("origin", "https://example.org")
                .send()
                .await
                .expect("r"),
        )
        .await;
        assert_eq!(from_page.status, 200, "{backend}");
        assert!(
            from_page.headers.get("access-control-allow-origin").is_none(),
            "{backend}: /metrics allows web origins"
        );

        let preflight = |origin: &'static str| {
            server
                .client
                .request(reqwest::Method::OPTIONS, server.url("/v1/records"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .send()
        };
        let extension =
            answer(preflight("chrome-extension://abcdefghijklmnop").await.expect("preflight")).await;
        assert_eq!(extension.status, 204, "{backend}");
        assert_eq!(extension.headers["access-control-allow-origin"], "chrome-extension://abcdefghijklmnop");
        assert!(
            extension.headers["access-control-allow-headers"]
                .to_str()
                .unwrap_or("")
                .contains("authorization")
        );
        let page = answer(preflight("https://evil.example").await.expect("preflight")).await;
        assert_eq!(page.status, 403, "{backend}");
        assert!(page.headers.get("access-control-allow-origin").is_none());

        let token = server.enroll().await;
        server.upload(&token, &[task(1, 0, "appen", "PH", "3.00")]).await;
        server.upload(&token, &[task(1, 0, "appen", "PH", "3.00")]).await;
        server.upload_body(&token, b"{".to_vec(), None).await;
        let metrics = server.get("/metrics").await;
        assert!(
            metrics.headers["content-type"].to_str().unwrap_or("").starts_with("text/plain; version=0.0.4")
        );
        for line in [
            "piecerate_http_requests_total{route=\"/v1/records\",status=\"200\"} 2",
            "piecerate_http_requests_total{route=\"/v1/records\",status=\"400\"} 1",
            "piecerate_records_total{outcome=\"accepted\"} 1",
            "piecerate_records_total{outcome=\"duplicate\"} 1",
            // Two preflights, a GET (405), two uploads, one malformed upload.
            "piecerate_http_request_duration_seconds_count{route=\"/v1/records\"} 6",
        ] {
            assert!(metrics.text.contains(line), "{backend}: no '{line}' in {}", metrics.text);
        }
        server.running.shut_down().await.expect("shutting down");
    }
}

/// Every page reads its query alike: a parameter given twice is refused naming it, a language
/// the pages are not written in is refused naming `lang`, in the same words on each page; the
/// dashboard's own parameters are checked before the language; a snapshot's document, the same
/// in every language, and an unknown snapshot's 404 do not look at the query.
#[tokio::test]
async fn every_page_refuses_a_bad_language_and_a_repeated_parameter_alike() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        server.publish_snapshot_now().await;
        let snapshot = format!("/snapshots/{}", collector::snapshots::day_text(server.clock.today()));
        for page in ["/", "/methodology", "/privacy", "/snapshots", &snapshot] {
            for (query, error) in [
                ("lang=de", "lang: must be en or fr (got 'de')"),
                ("lang=en&lang=fr", "lang: the parameter is given more than once; give it once"),
                (
                    "lang=fr&utm_source=a&utm_source=b",
                    "utm_source: the parameter is given more than once; give it once",
                ),
            ] {
                let refused = server.get(&format!("{page}?{query}")).await;
                assert_eq!(
                    (refused.status, refused.body["error"].as_str()),
                    (400, Some(error)),
                    "{backend}: {page}?{query}"
                );
            }
            let shared = server.get(&format!("{page}?lang=fr&utm_source=a")).await;
            assert_eq!(shared.status, 200, "{backend}: {page}: {}", shared.text);
            assert!(shared.text.contains("<html lang=\"fr\">"), "{backend}: {page}");
        }
        let both = server.get("/?method=hourly&lang=de").await;
        assert_eq!(both.body["error"], "method: must be all, task or paid", "{backend}");
        assert_eq!(server.get("/snapshots/2020-01-01?lang=de").await.status, 404, "{backend}");
        assert_eq!(server.get(&format!("{snapshot}.json?lang=de")).await.status, 200, "{backend}");
        let as_json =
            server.client.get(server.url("/snapshots?lang=de")).header("accept", "application/json");
        assert_eq!(as_json.send().await.expect("the listing").status(), 200, "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}

#[tokio::test]
async fn the_dashboard_renders_without_scripts_or_foreign_assets() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        for worker in 0..12u64 {
            let token = server.enroll().await;
            let country = if worker < 10 { "IN" } else { "KE" };
            let records = [task(1, 0, "mturk", country, "1.50"), task(2, 3, "mturk", country, "2.50")];
            assert_eq!(server.upload(&token, &records).await.status, 200);
        }
        // The Kenyan cell of two workers in a first snapshot, where it is suppressed (later ones
        // would keep it as it was, absent, until ten workers change in it).
        server.running.shut_down().await.expect("stopping");
        crate::support::forget_snapshots(&database).await;
        let server = start(&database, |_| {}).await;
        server.publish_snapshot_now().await;
        for method in ["all", "task", "paid"] {
            let page = server.get(&format!("/?method={method}")).await;
            assert_eq!(page.status, 200, "{}", page.text);
            let html = &page.text;
            assert!(html.contains("<table id=\"wages-table\""), "no table");
            assert!(html.contains("<svg class=\"chart\""), "no chart");
            assert!(
                html.contains("<span class=\"country-name\">India (IN)</span>") && html.contains("$2.00"),
                "the published cell is missing"
            );
            assert!(
                html.contains("class=\"suppressed\""),
                "the Kenyan cell of 2 workers is not marked suppressed"
            );
            assert!(!html.contains("(KE)</span></th><td>2<"), "a suppressed cell shows its count");
            assert!(
                html.contains(&format!("href=\"/v1/wages.csv?by=platform,country&amp;method={method}\""))
            );
            assert!(html.contains("href=\"/methodology\""));
            assert!(!html.contains("<script"), "the dashboard needs no JavaScript");
            let policy = page.headers["content-security-policy"].to_str().expect("text");
            assert!(policy.starts_with("default-src 'none'; style-src 'self'"), "{policy}");
            assert!(!html.contains("synthetic demonstration data"), "no demo banner on real data");
            for attribute in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "url("] {
                assert!(!html.contains(attribute), "foreign asset: {attribute}");
            }
        }
        assert_eq!(server.get("/?method=session:5").await.status, 400);
        let css = server.get("/assets/dashboard.css").await;
        assert!(css.headers["content-type"].to_str().unwrap_or("").starts_with("text/css"));
        assert!(!css.text.contains("http") && !css.text.contains("@import"), "the stylesheet loads nothing");
        let methodology = server.get("/methodology").await;
        assert!(methodology.text.contains("effective hourly wage"));
        assert!(!methodology.text.contains("<pre"), "the methodology is HTML, not its markdown source");
        server.running.shut_down().await.expect("shutting down");
    }
}

#[tokio::test]
async fn the_demo_says_so_everywhere_and_keeps_to_its_own_database() {
    for database in databases().await {
        let server = start(&database, |config| {
            config.demo = true;
            config.demo_workers = 60;
        })
        .await;
        let backend = server.backend;
        for path in ["/", "/methodology"] {
            let page = server.get(path).await;
            assert!(page.text.contains("id=\"demo-banner\""), "{backend}: no banner on {path}");
            assert!(page.text.contains("synthetic demonstration data"), "{backend}: {path}");
        }
        for path in ["/v1/wages", "/v1/wages?by=platform&method=paid", "/healthz", "/nowhere"] {
            let answer = server.get(path).await;
            assert_eq!(answer.body["data_notice"], "synthetic demonstration data", "{backend}: {path}");
            assert_eq!(answer.headers["piecerate-data-notice"], "synthetic demonstration data", "{path}");
        }
        // The OpenAPI document is passed on as it is: a data_notice key would make it invalid.
        let openapi = server.get("/v1/openapi.json").await;
        assert_eq!(openapi.headers["piecerate-data-notice"], "synthetic demonstration data");
        assert!(
            openapi.body.get("data_notice").is_none(),
            "{backend}: the demo changed the OpenAPI document"
        );
        assert!(
            openapi.text == include_str!("../../../docs/openapi.json"),
            "{backend}: the demo serves another document"
        );
        // Sixty synthetic workers fill few platform × country cells; their platforms publish.
        let wages = server.get("/v1/wages?by=platform").await;
        assert!(
            wages.body["cells"].as_array().is_some_and(|cells| !cells.is_empty()),
            "{backend}: the demo is empty"
        );
        let cells = wages.body["cells"].as_array().expect("cells");
        let published: Vec<&Value> = cells.iter().filter(|cell| cell["suppressed"] == false).collect();
        assert!(!published.is_empty(), "{backend}: every demo cell is suppressed");
        assert!(published.iter().all(|cell| cell["contains_simulated"] == true), "{backend}");
        assert!(wages.body["notes"][0].as_str().unwrap_or("").starts_with("synthetic demonstration data"));
        let csv = server.get("/v1/wages.csv").await;
        assert_eq!(csv.headers["piecerate-data-notice"], "synthetic demonstration data");
        // The demo takes no worker's data: enrolling, uploading and erasing are refused.
        let enrolled =
            answer(server.client.post(server.url("/v1/installs")).send().await.expect("enrolling")).await;
        assert_eq!(enrolled.status, 403, "{backend}: {}", enrolled.text);
        assert!(
            enrolled.body["error"].as_str().unwrap_or("").contains("demonstration collector"),
            "{}",
            enrolled.text
        );
        assert_eq!(enrolled.body["data_notice"], "synthetic demonstration data");
        let challenge = server.get("/v1/installs/challenge").await;
        assert_eq!(challenge.status, 403, "{backend}: the demo hands out no enrollment challenge");
        let token = "0".repeat(64);
        let uploaded = server.upload(&token, &[task(1, 0, "mturk", "US", "1.00")]).await;
        assert_eq!(uploaded.status, 403, "{backend}: {}", uploaded.text);
        assert!(uploaded.body["error"].as_str().unwrap_or("").contains("stores or erases no records"));
        assert_eq!(server.erase(&token).await.status, 403, "{backend}");
        // A method a write route does not take is a 405 there too, not the demo's refusal.
        let other_method =
            answer(server.client.put(server.url("/v1/installs")).send().await.expect("sending")).await;
        assert_eq!(other_method.status, 405, "{backend}: {}", other_method.text);
        assert_eq!(other_method.headers["allow"], "POST", "{backend}");
        let extension = answer(
            server
                .client
                .post(server.url("/v1/installs"))
                .header("origin", "chrome-extension://abcdefghijklmnop")
                .send()
                .await
                .expect("enrolling"),
        )
        .await;
        assert_eq!(extension.status, 403, "{backend}");
        assert_eq!(
            extension.headers["access-control-allow-origin"], "chrome-extension://abcdefghijklmnop",
            "the extension can read why"
        );
        let installs = server.running.database.install_count().await.expect("counting");
        assert_eq!(installs, 60, "{backend}: only the synthetic installs");
        server.running.shut_down().await.expect("shutting down");

        // A collector for real workers refuses the demo's database.
        let refused = collector::start(crate::support::test_config(&database)).await;
        assert!(matches!(refused, Err(collector::StartError::WrongDataset { .. })), "{backend}: {refused:?}");
    }
}

/// A demo whose first fill was interrupted says so instead of showing a partial observatory.
#[tokio::test]
async fn a_half_filled_demo_database_is_refused() {
    for database in databases().await {
        let mut config = crate::support::test_config(&database);
        config.demo = true;
        let store = collector::db::Database::connect(&database.url, 2).await.expect("connecting");
        store.migrate().await.expect("migrating");
        store.meta_set_once("dataset", "synthetic-demo").await.expect("marking");
        let install = analysis::record::InstallId::parse("sim-0000000000000001").expect("an id");
        store.create_install(&install, None, None).await.expect("an install");
        store.close().await;
        let refused = collector::start(config).await;
        assert!(
            matches!(refused, Err(collector::StartError::Demo(collector::demo::FillError::HalfFilled))),
            "{}: {refused:?}",
            database.backend
        );
    }
}
