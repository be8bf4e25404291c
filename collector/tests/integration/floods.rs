//! Fair admission under floods: connections that never finish their request head are closed
//! after the header timeout and keep no one else out, open connections are capped, and one
//! source's flood of enrollments or bad tokens leaves other sources working.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{databases, solved_challenge, start};

const HALF_SENT: usize = 200;
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// How soon a new client is answered while the half-sent requests are held: well before the
/// header timeout would free their connections, which is all a server that let them keep
/// others out could do. Not a tighter figure: on a machine loaded until this suite ran eight
/// times slower than on a quiet one, the answer took over a second.
const ANSWERED_WITHIN: Duration = Duration::from_millis(2500);

/// A connection that sent the start of a request head and then nothing more.
async fn half_sent(address: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.expect("connecting");
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: collector\r\nX-Slow: ").await.expect("writing");
    stream
}

/// Waits until the server closes `stream` (end of stream or reset), at most `limit`; true if it did.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // An answer such as 408 may come before the close.
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn half_sent_requests_keep_no_new_client_out_and_are_closed_after_the_header_timeout() {
    for database in databases().await {
        let server = start(&database, |config| config.header_read_timeout = HEADER_TIMEOUT).await;
        let opened = Instant::now();
        let mut stalled = Vec::with_capacity(HALF_SENT);
        for _ in 0..HALF_SENT {
            stalled.push(half_sent(server.running.address).await);
        }
        let asked = Instant::now();
        let health =
            tokio::time::timeout(ANSWERED_WITHIN, server.get("/healthz")).await.unwrap_or_else(|_| {
                panic!("{}: /healthz did not answer within {ANSWERED_WITHIN:?}", server.backend)
            });
        assert_eq!(health.status, 200, "{}: {}", server.backend, health.text);
        assert!(asked.elapsed() < ANSWERED_WITHIN);

        // Every half-sent request is closed once the header timeout has passed, not before.
        for stream in &mut stalled {
            assert!(
                closed_within(stream, HEADER_TIMEOUT * 3).await,
                "{}: a half-sent request was still open after {:?}",
                server.backend,
                opened.elapsed()
            );
        }
        assert!(opened.elapsed() >= HEADER_TIMEOUT - Duration::from_millis(100), "{:?}", opened.elapsed());

        // An idle keep-alive connection is closed after the same time.
        let mut idle = TcpStream::connect(server.running.address).await.expect("connecting");
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n").await.expect("writing");
        let mut answer = [0u8; 12];
        idle.read_exact(&mut answer).await.expect("an answer");
        assert_eq!(&answer, b"HTTP/1.1 200");
        let answered = Instant::now();
        assert!(
            closed_within(&mut idle, HEADER_TIMEOUT * 3).await,
            "{}: idle connection kept",
            server.backend
        );
        assert!(answered.elapsed() >= HEADER_TIMEOUT - Duration::from_millis(100));

        // A graceful shutdown waits for a half-sent request no longer than the header timeout.
        let _stalled = half_sent(server.running.address).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let backend = server.backend;
        tokio::time::timeout(HEADER_TIMEOUT * 3, server.running.shut_down())
            .await
            .unwrap_or_else(|_| panic!("{backend}: a half-sent request held the shutdown"))
            .expect("a clean shutdown");
    }
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_at_once() {
    for database in databases().await {
        let server = start(&database, |config| config.max_connections = 10).await;
        let mut held = Vec::new();
        for _ in 0..10 {
            held.push(half_sent(server.running.address).await);
        }
        // The server accepts in its own time: wait until all ten hold a slot, i.e. until an
        // eleventh connection is closed straight away.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let mut extra = half_sent(server.running.address).await;
            if closed_within(&mut extra, Duration::from_millis(500)).await {
                break;
            }
            assert!(Instant::now() < deadline, "{}: the eleventh connection stayed open", server.backend);
            drop(extra);
        }
        drop(held);
        // Freed slots admit new clients again.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(response) =
                server.client.get(server.url("/healthz")).timeout(Duration::from_secs(1)).send().await
            {
                assert_eq!(response.status(), 200);
                break;
            }
            assert!(Instant::now() < deadline, "{}: no slot came free", server.backend);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server.running.shut_down().await.expect("a clean shutdown");
    }
}

/// A client whose connections come from `source`, one of the loopback addresses 127.0.0.0/8.
fn client_from(source: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(std::net::IpAddr::from(source))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

const FLOOD: usize = 300;

/// The limit of the tests of one source's flood: five at once, then one every six seconds.
const ONE_SOURCE: collector::config::RateLimit = collector::config::RateLimit { per_minute: 10, burst: 5 };

/// The most requests `limit` lets one source through in `elapsed`: its burst, what refilled
/// meanwhile, and one for a refill falling due between two requests. A flood's bound counts
/// the refill of its own duration, which a loaded machine stretches: with the machine loaded
/// until this suite ran four times slower, a flood of 300 enrollments lasted three refills.
fn most_admitted(limit: collector::config::RateLimit, elapsed: Duration) -> usize {
    let refilled = elapsed.as_secs() * u64::from(limit.per_minute) / 60;
    limit.burst as usize + 1 + usize::try_from(refilled).expect("a count")
}

#[tokio::test]
async fn one_source_flooding_enrollments_leaves_other_sources_enrolling() {
    for database in databases().await {
        let server = start(&database, |config| config.enroll_rate = ONE_SOURCE).await;
        let url = server.url("/v1/installs");
        // Every enrollment solves its proof of work (cheap at the tests' difficulty), so the
        // refusals are the rate limit's.
        let enroll = |client: reqwest::Client, base: String, url: String| async move {
            let body = solved_challenge(&client, &base).await.to_string();
            let response = client
                .post(&url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("enrolling");
            response.status().as_u16()
        };
        let flooder = client_from([127, 0, 0, 2]);
        let (flood_url, flood_base) = (url.clone(), server.base.clone());
        let flood = tokio::spawn(async move {
            let started = Instant::now();
            let mut created = 0;
            for _ in 0..FLOOD {
                let status = enroll(flooder.clone(), flood_base.clone(), flood_url.clone()).await;
                created += usize::from(status == 201);
            }
            (created, started.elapsed())
        });
        // Ten other sources, each enrolling a few installs while the flood runs.
        let mut legitimate = Vec::new();
        for host in 3..13u8 {
            let client = client_from([127, 0, 0, host]);
            let (url, base) = (url.clone(), server.base.clone());
            legitimate.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                for _ in 0..4 {
                    statuses.push(enroll(client.clone(), base.clone(), url.clone()).await);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                statuses
            }));
        }
        for source in legitimate {
            let statuses = source.await.expect("a legitimate source");
            assert_eq!(statuses, [201; 4], "{}: a legitimate source was refused", server.backend);
        }
        let (flooded, took) = flood.await.expect("the flood");
        assert!(
            flooded <= most_admitted(ONE_SOURCE, took),
            "{}: the flooding source enrolled {flooded} installs in {took:?}",
            server.backend
        );
        server.running.shut_down().await.expect("a clean shutdown");
    }
}

#[tokio::test]
async fn one_source_failing_authentication_is_limited_and_others_are_not() {
    for database in databases().await {
        let server = start(&database, |config| config.auth_failure_rate = ONE_SOURCE).await;
        let token = server.enroll().await;
        let url = server.url("/v1/records");
        let guess = |client: &reqwest::Client, token: &str| {
            client
                .post(&url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(r#"{"records": []}"#)
                .send()
        };
        let guesser = client_from([127, 0, 0, 2]);
        let mut statuses = Vec::new();
        let started = Instant::now();
        for attempt in 0..50 {
            let wrong = format!("wrong-token-{attempt}");
            statuses.push(guess(&guesser, &wrong).await.expect("uploading").status().as_u16());
        }
        let took = started.elapsed();
        assert_eq!(statuses[..5], [401; 5], "{}", server.backend);
        let refused = statuses.iter().filter(|&&status| status == 429).count();
        let unlimited = statuses.iter().filter(|&&status| status == 401).count();
        assert_eq!(refused + unlimited, statuses.len(), "{}: {statuses:?}", server.backend);
        assert!(
            unlimited <= most_admitted(ONE_SOURCE, took),
            "{}: {unlimited} guesses in {took:?} were not limited: {statuses:?}",
            server.backend
        );

        let other = client_from([127, 0, 0, 3]);
        let mistaken = guess(&other, "wrong-token").await.expect("uploading");
        assert_eq!(mistaken.status(), 401, "{}: another source was limited", server.backend);
        let good = guess(&other, &token).await.expect("uploading");
        assert_ne!(good.status(), 401, "{}", server.backend);
        assert_ne!(good.status(), 429, "{}", server.backend);
        server.running.shut_down().await.expect("a clean shutdown");
    }
}
