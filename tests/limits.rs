//! Issue 20, part A: what a hostile client can make the server hold, and the
//! one error shape of every refusal. Each limit is set small here, so that
//! a few connections show what thousands would do (docs/reliability.md
//! lists the limits, their defaults and flags; BENCHMARKS.md measures the
//! defaults under 2,000 never-reading subscribers).

mod common;

use gpu_ledger_api::server::idempotency::Bounds;
use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_testkit::history::{synthetic_history, write_lines};
use gpu_ledger_testkit::ports::{free_port, listening_within};
use gpu_ledger_testkit::server::{TestServer, spawn};
use gpu_ledger_testkit::tokens::every_role;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for something that must happen (never a speed
/// check: only a bound so that a broken server fails instead of hanging).
const PATIENCE: Duration = Duration::from_secs(60);

fn pool(id: &str) -> String {
    json!({"type":"PoolRegistered","occurred_at":"2026-03-20T09:00:00+09:00","actor":"msit","pool_id":id,"name":"n","source":"owned","gpu_model":"m","gpus":16,"gpus_per_server":8}).to_string()
}

/// The value of `gpu_ledger_limit_hits{limit="<limit>"}` in `/metrics` (0 when absent).
async fn limit_hits(s: &TestServer, limit: &str) -> u64 {
    let (_, text) = s.get_text(None, "/metrics").await;
    let prefix = format!("gpu_ledger_limit_hits_total{{limit=\"{limit}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |v| v.trim().parse().expect("a counter"))
}

/// Waits until `limit` was hit at least once.
async fn until_hit(s: &TestServer, limit: &str) -> u64 {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let n = limit_hits(s, limit).await;
        if n > 0 || tokio::time::Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Opens a live stream; the response (status known) or the refusal's body.
async fn live(s: &TestServer, token: &str, query: &str) -> Result<reqwest::Response, (u16, Value)> {
    let resp = s
        .client
        .get(s.url(&format!("/v1/events/live{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    if resp.status() == 200 {
        return Ok(resp);
    }
    let status = resp.status().as_u16();
    Err((status, resp.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn live_streams_are_bounded_per_principal_and_in_total_and_the_refusal_names_the_limit() {
    let limits = Limits {
        subscriptions: 2,
        subscriptions_total: 3,
        ..Limits::default()
    };
    let s = spawn(&synthetic_history(2), every_role(), limits).await;
    let _a1 = live(&s, "analyst-token", "?after=0").await.unwrap();
    let _a2 = live(&s, "analyst-token", "?after=0").await.unwrap();
    let (status, body) = live(&s, "analyst-token", "?after=0").await.unwrap_err();
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "too_many_subscriptions");
    assert_eq!(body["limit"], "live_per_principal");
    assert_eq!(body["most"], 2);
    let _b1 = live(&s, "auditor-token", "?after=0").await.unwrap();
    let (status, body) = live(&s, "monitor-token", "?after=0").await.unwrap_err();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["limit"], "live_total");
    assert!(body["message"].as_str().unwrap().contains("--max-streams"));
    assert_eq!(limit_hits(&s, "live_per_principal").await, 1);
    assert_eq!(limit_hits(&s, "live_total").await, 1);
    // A stream given back is a place for another principal.
    drop(_b1);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while live(&s, "monitor-token", "?after=0").await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place never came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_largest_seq_does_not_wrap_to_replay_from_the_start() {
    let s = spawn(&synthetic_history(2), every_role(), Limits::default()).await;
    let max = u64::MAX.to_string();
    let (status, body) = s
        .get(Some("analyst-token"), &format!("/v1/events?after={max}"))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("bad_query")),
        "{body}"
    );
    let (status, body) = live(&s, "analyst-token", &format!("?after={max}"))
        .await
        .unwrap_err();
    assert_eq!(status, 400, "{body}");
    let resp = s
        .client
        .get(s.url("/v1/events/live?after=0"))
        .bearer_auth("analyst-token")
        .header("Last-Event-ID", &max)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    // One below is a position like any other: nothing after it, yet.
    let (status, body) = s
        .get(
            Some("analyst-token"),
            &format!("/v1/events?after={}", u64::MAX - 1),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"], json!([]));
    for path in [
        format!("/v1/proofs/inclusion?seq={max}"),
        format!("/v1/proofs/inclusion?seq=1&size={max}"),
        format!("/v1/proofs/consistency?from={max}"),
        format!("/v1/checkpoints/{max}"),
        format!("/v1/views/holdings?until_seq={max}"),
    ] {
        let (status, body) = s.get(Some("analyst-token"), &path).await;
        assert!(
            status < 500 && body["error"].is_string() || status == 200,
            "{path}: {status} {body}"
        );
    }
}

#[tokio::test]
async fn a_flood_of_forbidden_or_refused_keyed_requests_cannot_evict_another_principals_key() {
    let limits = Limits {
        idempotency: Bounds {
            principal_bytes: 8 << 10,
            total_bytes: 16 << 10,
            retention: Duration::from_secs(3600),
        },
        ..Limits::default()
    };
    let s = spawn(&synthetic_history(2), every_role(), limits).await;
    let keyed = |token: &str, key: String, body: String| {
        s.client
            .post(s.url("/v1/events"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .body(body)
            .send()
    };
    let first = keyed("office-token", "office-1".into(), pool("P-KEYED"))
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let head = s.head();
    // The analyst may not append: each a 403, before any rule, keeping nothing.
    for n in 0..2_000 {
        let r = keyed("analyst-token", format!("a-{n}"), pool(&format!("P-A{n}")))
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    assert_eq!(
        s.server
            .state
            .idempotency
            .bytes_of(&principal_key(&s, "analyst-token")),
        0
    );
    // Three others each fill their own bytes with rule refusals (kept), 24
    // KiB together, past the 16 KiB all may keep.
    let refused = [
        (
            "reviewer-token",
            json!({"type":"ScoreRecorded","occurred_at":"2026-03-20T09:00:00+09:00","actor":"reviewer:r-001","application_id":"APP-999999","reviewer_id":"r-001","score":1}),
        ),
        (
            "applicant-token",
            json!({"type":"ApplicationSubmitted","occurred_at":"2026-03-20T09:00:00+09:00","actor":"org:ORG-1","application_id":"APP-999999","call_id":"CALL-NONE","track_id":"T1","org_id":"ORG-1","title":"t","purpose":"research","requested_gpus":8}),
        ),
        (
            "monitor-token",
            json!({"type":"UtilizationReported","occurred_at":"2026-03-20T09:00:00+09:00","actor":"monitor","award_id":"AW-NONE","period_start":"2026-03-01T00:00:00+09:00","period_end":"2026-03-08T00:00:00+09:00","utilization_bp":9000,"off_purpose_use":false}),
        ),
    ];
    for n in 0..200 {
        for (token, body) in &refused {
            let r = keyed(token, format!("r-{n}"), body.to_string())
                .await
                .unwrap();
            let status = r.status();
            assert_eq!(status, 422, "{token}: {}", r.text().await.unwrap());
        }
    }
    let held = |token| {
        s.server
            .state
            .idempotency
            .bytes_of(&principal_key(&s, token))
    };
    for (token, _) in &refused {
        assert!(
            held(token) <= 8 << 10,
            "{token} holds {} bytes",
            held(token)
        );
    }
    let total: usize = [
        "office-token",
        "reviewer-token",
        "applicant-token",
        "monitor-token",
    ]
    .into_iter()
    .map(held)
    .sum();
    assert!(total <= 16 << 10, "{total} bytes kept in all");
    // ...and the office's retry still gets its first answer, appending nothing.
    let retry = keyed("office-token", "office-1".into(), pool("P-KEYED"))
        .await
        .unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(
        retry
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
    assert_eq!(s.head(), head, "the retry appended a second copy");
    assert!(limit_hits(&s, "idempotency_bytes").await > 0);
}

/// The stable name the server scopes a token's keys by.
fn principal_key(s: &TestServer, token: &str) -> String {
    let Access::Tokens(tokens) = &*s.server.state.access else {
        panic!("a tokens server");
    };
    tokens.authenticate(token).expect("a known token").key()
}

/// Reads what a raw connection sends until it closes (or `PATIENCE`).
async fn until_closed(conn: &mut TcpStream) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 8192];
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| got)
}

#[tokio::test]
async fn half_sent_headers_and_idle_connections_are_closed() {
    let limits = Limits {
        header_timeout: Duration::from_millis(500),
        ..Limits::default()
    };
    let s = spawn(&synthetic_history(1), every_role(), limits).await;
    let mut half = TcpStream::connect(s.server.addr).await.unwrap();
    half.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        until_closed(&mut half).await.is_some(),
        "half-sent headers stayed open"
    );
    let mut idle = TcpStream::connect(s.server.addr).await.unwrap();
    idle.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answered = until_closed(&mut idle)
        .await
        .expect("an idle connection stayed open");
    assert!(
        answered.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answered)
    );
    assert!(limit_hits(&s, "header_timeout").await >= 1);
}

#[tokio::test]
async fn past_the_connection_limit_open_connections_keep_working_and_new_ones_wait() {
    let limits = Limits {
        connections: 2,
        header_timeout: Duration::from_secs(600),
        ..Limits::default()
    };
    let s = spawn(&synthetic_history(1), every_role(), limits).await;
    let request = b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    // One connection, kept alive and reused for every request below.
    let open = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let metrics = s.url("/metrics");
    assert_eq!(open.get(&metrics).send().await.unwrap().status(), 200);
    let half = TcpStream::connect(s.server.addr).await.unwrap();
    // The third is queued by the kernel, not served.
    let mut waiting = TcpStream::connect(s.server.addr).await.unwrap();
    waiting.write_all(request).await.unwrap();
    // The open one keeps working, and sees the limit counted.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let resp = open.get(&metrics).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        if resp
            .text()
            .await
            .unwrap()
            .contains("gpu_ledger_limit_hits_total{limit=\"connections\"}")
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the limit was never hit"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut answer = vec![0u8; 65536];
    // A place freed is taken by the one waiting.
    drop(half);
    let n = tokio::time::timeout(PATIENCE, waiting.read(&mut answer))
        .await
        .expect("the waiting connection was never served")
        .unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200"));
}

/// An analyst's `GET /v1/events/live?after=0` on a connection whose receive
/// buffer is 4 KiB, so that what the reader does not take backs up quickly.
async fn live_from_the_start_on_a_small_buffer(s: &TestServer) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut conn = socket.connect(s.server.addr).await.unwrap();
    conn.write_all(b"GET /v1/events/live?after=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer analyst-token\r\n\r\n")
        .await
        .unwrap();
    conn
}

#[tokio::test]
async fn a_reader_that_takes_nothing_is_cut_off_and_resumes_with_last_event_id() {
    let limits = Limits {
        stall_timeout: Duration::from_millis(500),
        reader_bytes: 8 << 10,
        ..Limits::default()
    };
    // About 4 MB of records: more than the sockets buffer.
    let s = spawn(&synthetic_history(3_000), every_role(), limits).await;
    let mut sleeper = live_from_the_start_on_a_small_buffer(&s).await;
    // It reads nothing; the server gives up on it.
    assert!(
        until_hit(&s, "stall_timeout").await >= 1,
        "the reader was never cut off"
    );
    let got = until_closed(&mut sleeper)
        .await
        .expect("the connection stayed open");
    let text = String::from_utf8_lossy(&got);
    let last = text
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .filter_map(|id| id.trim().parse::<u64>().ok())
        .next_back()
        .expect("some records came before the cut");
    assert!(last < s.head(), "the whole ledger came through");
    // Resuming after the last record it got continues right after it.
    assert_eq!(first_id_resuming_after(&s, last).await, last + 1);
}

/// The `reason` and `last_id` of the `event: end` in an SSE text, if it has one.
fn end_event(text: &str) -> Option<(String, u64)> {
    let data = text
        .split("event: end\n")
        .nth(1)?
        .lines()
        .find_map(|l| l.strip_prefix("data: "))?;
    let end: Value = serde_json::from_str(data).ok()?;
    Some((
        end["reason"].as_str()?.to_string(),
        end["last_id"].as_u64()?,
    ))
}

/// The seq of the last `id:` line of an SSE text before any `event: end`.
fn last_id_sent(text: &str) -> Option<u64> {
    text.split("event: end\n")
        .next()?
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .filter_map(|id| id.trim().parse::<u64>().ok())
        .next_back()
}

#[tokio::test]
async fn a_reader_too_slow_to_keep_up_gets_an_end_event_and_resumes_with_last_event_id() {
    // The limits ask for 32 KiB per 4 s of waiting on the reader, 8 KiB/s.
    let limits = Limits {
        stall_timeout: Duration::from_secs(4),
        reader_bytes: 32 << 10,
        ..Limits::default()
    };
    // About 4 MB of records: more than the sockets buffer.
    let s = spawn(&synthetic_history(3_000), every_role(), limits).await;
    let mut slow = live_from_the_start_on_a_small_buffer(&s).await;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + PATIENCE;
    // 1 KiB every 250 ms, 4 KiB/s, until the server gives up on it...
    while limit_hits(&s, "slow_reader").await == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slow reader was never ended"
        );
        let n = slow.read(&mut buf).await.unwrap();
        assert!(n > 0, "the connection was closed instead");
        got.extend_from_slice(&buf[..n]);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // ...then it takes what is left for it.
    let ended = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 8192];
        while end_event(&String::from_utf8_lossy(&got)).is_none() {
            match slow.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream neither ended nor closed");
    let stalls = limit_hits(&s, "stall_timeout").await;
    let text = String::from_utf8_lossy(&got);
    let (reason, last) = end_event(&text).unwrap_or_else(|| {
        panic!(
            "no end event ({stalls} stalls) in {} bytes; the stream ended with {:?}",
            got.len(),
            &text[text.len().saturating_sub(300)..]
        )
    });
    assert_eq!(reason, "slow_reader");
    assert_eq!(
        Some(last),
        last_id_sent(&text),
        "last_id is not the last sent"
    );
    assert!(last < s.head(), "the whole ledger came through");
    // Resuming with it continues at exactly the next record.
    assert_eq!(first_id_resuming_after(&s, last).await, last + 1);
}

/// The id of the first record a live stream resumed with `Last-Event-ID:
/// last` sends.
async fn first_id_resuming_after(s: &TestServer, last: u64) -> u64 {
    let mut resumed = s
        .client
        .get(s.url("/v1/events/live"))
        .bearer_auth("analyst-token")
        .header("Last-Event-ID", last.to_string())
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = resumed.chunk().await.unwrap().expect("the stream goes on");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text.lines()
        .find_map(|l| l.strip_prefix("id: "))
        .and_then(|id| id.trim().parse().ok())
        .unwrap_or_else(|| panic!("no record in {text}"))
}

#[tokio::test]
async fn every_refusal_is_one_json_shape_and_the_token_comes_first() {
    let limits = Limits {
        body_bytes: 1000,
        ..Limits::default()
    };
    let s = spawn(&synthetic_history(1), every_role(), limits).await;
    let problem = |resp: reqwest::Response| async move {
        let status = resp.status().as_u16();
        let typed = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let allow = resp.headers().get("allow").is_some();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(
            typed.as_deref(),
            Some("application/json"),
            "{status} {body}"
        );
        assert!(
            body["error"].is_string() && body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{status} {body}"
        );
        (status, body["error"].as_str().unwrap().to_string(), allow)
    };
    let office = "office-token";
    let c = &s.client;
    let big = format!("[{}]", vec![pool("P-1"); 40].join(","));
    let cases = [
        (
            c.post(s.url("/v1/events"))
                .bearer_auth(office)
                .body(big.clone()),
            413,
            "body_too_large",
        ),
        (
            c.get(s.url("/v1/checkpoints/abc")).bearer_auth(office),
            400,
            "bad_request",
        ),
        (
            c.get(s.url("/v1/no-such-route")).bearer_auth(office),
            404,
            "not_found",
        ),
        (
            c.delete(s.url("/v1/events")).bearer_auth(office),
            405,
            "method_not_allowed",
        ),
        (
            c.get(s.url("/v1/events?limit=many")).bearer_auth(office),
            400,
            "bad_query",
        ),
        // Without a token, a bad query or body is not looked at: the 401.
        (
            c.post(s.url("/v1/events?expected_seq=abc"))
                .body(pool("P-1")),
            401,
            "unauthorized",
        ),
        (c.post(s.url("/v1/events")).body(big), 401, "unauthorized"),
        (c.get(s.url("/v1/events?limit=many")), 401, "unauthorized"),
    ];
    for (request, status, error) in cases {
        let (got, kind, allow) = problem(request.send().await.unwrap()).await;
        assert_eq!((got, kind.as_str()), (status, error));
        if status == 405 {
            assert!(allow, "a 405 says what the route takes");
        }
    }
    assert!(limit_hits(&s, "body_bytes").await >= 1);
    // The scheme name in any case.
    let lower = c
        .get(s.url("/v1/chain/head"))
        .header("Authorization", "bearer analyst-token")
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), 200);
}

/// One operation of the OpenAPI document: what to send it, and the
/// statuses it says it answers.
struct Operation {
    method: reqwest::Method,
    path: String,
    /// (name, where: `query`, `path` or `header`)
    params: Vec<(String, String)>,
    body: bool,
    documented: std::collections::BTreeSet<u16>,
}

impl Operation {
    fn all(doc: &Value) -> Vec<Operation> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let params = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        let field = |f: &str| p[f].as_str().unwrap().to_string();
                        (field("name"), field("in"))
                    })
                    .collect();
                ops.push(Operation {
                    method: method.to_uppercase().parse().unwrap(),
                    path: path.clone(),
                    params,
                    body: op.get("requestBody").is_some(),
                    documented: op["responses"]
                        .as_object()
                        .unwrap()
                        .keys()
                        .map(|k| k.parse().unwrap())
                        .collect(),
                });
            }
        }
        ops
    }

    /// The request, with a well-formed value for each path parameter, and
    /// `bad` (a parameter's name) given a value that does not parse.
    fn request(&self, s: &TestServer, bad: Option<&str>) -> reqwest::RequestBuilder {
        let mut path = self.path.clone();
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for (name, place) in &self.params {
            let value = if bad == Some(name.as_str()) {
                "-1x"
            } else {
                match place.as_str() {
                    "path" if name == "name" => "holdings",
                    "path" => "1",
                    _ => continue,
                }
            };
            match place.as_str() {
                "path" => path = path.replace(&format!("{{{name}}}"), value),
                "query" => query.push((name.clone(), value)),
                _ => headers.push((name.clone(), value)),
            }
        }
        let mut request = s
            .client
            .request(self.method.clone(), s.url(&path))
            .query(&query);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        if self.body {
            request = request
                .header("content-type", "application/json")
                .body(pool("P-PROBE"));
        }
        request
    }
}

/// Sends `request` and asserts that its status is one `op` documents.
async fn answers_as_documented(op: &Operation, request: reqwest::RequestBuilder, case: &str) {
    let status = request.send().await.expect("the server answers").status();
    assert!(
        op.documented.contains(&status.as_u16()),
        "{} {} ({case}) answered {status}, which its OpenAPI responses {:?} do not list",
        op.method,
        op.path,
        op.documented
    );
}

/// Every operation of the router (the document is generated from the same
/// handlers, so it lists each) sent what makes each of the server's
/// refusals: no token, a read-only token, each parameter unparseable, a
/// body over the limit or without its content type, a foreign `Host` in
/// local mode, live streams at their limits, a store out of reach. Whatever
/// status comes back must be one its document lists.
#[tokio::test]
async fn the_openapi_document_lists_what_each_route_answers_and_metrics_agrees_with_it() {
    let history = synthetic_history(2);
    let small = Limits {
        body_bytes: 100,
        ..Limits::default()
    };
    let tokens = spawn(&history, every_role(), small).await;
    let (_, doc) = tokens.get(None, "/v1/openapi.json").await;
    let metrics = tokens
        .client
        .get(tokens.url("/metrics"))
        .send()
        .await
        .unwrap();
    let typed = metrics.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let documented = doc["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
        .as_object()
        .unwrap();
    assert!(
        documented.contains_key(&typed),
        "{typed} not in {documented:?}"
    );
    let ops = Operation::all(&doc);
    assert!(!ops.is_empty(), "the document lists no operation");
    let local = spawn(&history, Access::Local, Limits::default()).await;
    let no_streams = spawn(
        &history,
        every_role(),
        Limits {
            subscriptions: 0,
            ..Limits::default()
        },
    )
    .await;
    let no_streams_at_all = spawn(
        &history,
        every_role(),
        Limits {
            subscriptions_total: 0,
            ..Limits::default()
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = gpu_ledger_ledger::FileStore::open(dir.path().join("data")).unwrap();
    let unreachable = gpu_ledger_testkit::stores::Unreachable::new(store.clone());
    let down = unreachable.down.clone();
    let out_of_reach = gpu_ledger_api::server::start(
        std::sync::Arc::new(unreachable),
        "127.0.0.1:0".parse().unwrap(),
        every_role(),
        Limits::default(),
        Default::default(),
    )
    .await
    .unwrap();
    down.store(true, std::sync::atomic::Ordering::SeqCst);
    let out_of_reach = TestServer {
        base: format!("http://{}", out_of_reach.addr),
        client: reqwest::Client::new(),
        server: out_of_reach,
        store,
        dir,
    };
    for op in &ops {
        answers_as_documented(op, op.request(&tokens, None), "no token").await;
        for token in ["analyst-token", "office-token"] {
            answers_as_documented(op, op.request(&tokens, None).bearer_auth(token), token).await;
            for (name, _) in &op.params {
                let request = op.request(&tokens, Some(name)).bearer_auth(token);
                answers_as_documented(op, request, &format!("{token}, {name} unparseable")).await;
            }
        }
        if op.body {
            let request = op
                .request(&tokens, None)
                .bearer_auth("office-token")
                .body(format!("[{}]", vec![pool("P-BIG"); 10].join(",")));
            answers_as_documented(op, request, "a body over the limit").await;
            let request = local.client.request(op.method.clone(), local.url(&op.path));
            answers_as_documented(op, request.body(pool("P-TEXT")), "no content type").await;
        }
        let request = op.request(&local, None).header("host", "evil.example");
        answers_as_documented(op, request, "a foreign Host in local mode").await;
        answers_as_documented(op, op.request(&local, None), "local mode").await;
        for (s, case) in [
            (&no_streams, "no stream per principal"),
            (&no_streams_at_all, "no stream in all"),
            (&out_of_reach, "the store out of reach"),
        ] {
            answers_as_documented(op, op.request(s, None).bearer_auth("office-token"), case).await;
        }
    }
}

#[test]
fn sigterm_ends_streams_and_half_open_connections_then_writes_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let base = dir.path().join("base.jsonl");
    write_lines(&base, &synthetic_history(2));
    common::import_file(&data, &base);
    let port = free_port();
    let mut server = common::gpu_ledger(&data)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--shutdown-grace",
            "3",
            "--header-timeout",
            "600",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(listening_within(port, PATIENCE), "the server did not start");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (stream_end, seq) = runtime.block_on(async {
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let appended: Value = client
            .post(format!("{base}/v1/events"))
            .header("content-type", "application/json")
            .body(pool("P-SNAP"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let seq = appended["records"][0]["seq"].as_u64().unwrap();
        let mut stream = client
            .get(format!("{base}/v1/events/live"))
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        let mut half = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        half.write_all(b"GET /v1/health HTTP/1.1\r\nHo")
            .await
            .unwrap();
        // SAFETY: a plain kill(2) of the child this test started.
        assert_eq!(unsafe { libc::kill(server.id() as i32, libc::SIGTERM) }, 0);
        let mut text = String::new();
        let _ = tokio::time::timeout(PATIENCE, async {
            while let Ok(Some(chunk)) = stream.chunk().await {
                text.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await;
        drop(half);
        (text, seq)
    });
    assert!(stream_end.contains("event: end"), "{stream_end:?}");
    assert!(stream_end.contains("server_stopping"), "{stream_end:?}");
    let deadline = std::time::Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = server.kill();
            panic!("the server did not stop after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let snapshot = data
        .join("snapshots")
        .join(format!("snapshot-{seq:020}.bin"));
    assert!(snapshot.exists(), "no snapshot at {}", snapshot.display());
}

/// `VmRSS` and `VmHWM` of process `pid`, in MiB.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap()
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Sends `GET path` on a connection that buffers almost nothing and reads
/// only the status line, then nothing: whether it was a 200.
async fn never_reading(addr: std::net::SocketAddr, path: &str) -> (TcpStream, bool) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut conn = socket.connect(addr).await.unwrap();
    conn.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut status = [0u8; 12];
    let ok = matches!(
        tokio::time::timeout(PATIENCE, conn.read_exact(&mut status)).await,
        Ok(Ok(_))
    ) && &status == b"HTTP/1.1 200";
    (conn, ok)
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number"))
        })
        .unwrap_or(default)
}

/// Issue 20's acceptance, a measurement rather than a test of speed: a
/// server on a large ledger (the project's workload generator) under 2,000
/// live streams from `after=0` and 150 pages of 10,000 records, all on
/// connections that never read. Prints the server's memory and
/// `/v1/health`'s latency meanwhile; fails only if its resident memory while
/// they are held passes 512 MiB (issue 20's bound) or a health check goes unanswered. Figures: BENCHMARKS.md, "Hostile readers".
///
/// ```sh
/// GPU_LEDGER_READERS_EVENTS=1000000 GPU_LEDGER_READERS_DIR=/tmp/readers-1m \
///   cargo test --test limits -- --ignored --nocapture hostile_readers
/// ```
///
/// `GPU_LEDGER_READERS_DIR` keeps the imported ledger for the next run;
/// `GPU_LEDGER_READERS_STREAMS` and `GPU_LEDGER_READERS_PAGES` change the
/// numbers of readers; the server runs with `--max-streams` and
/// `--max-streams-per-principal` raised to the number of streams (local
/// mode is one principal), so every stream is held, not refused;
/// `GPU_LEDGER_READERS_DEFAULT_LIMITS=1` keeps the defaults instead.
#[test]
#[ignore = "a measurement: cargo test --test limits -- --ignored --nocapture hostile_readers"]
fn hostile_readers_pin_bounded_memory_and_health_still_answers() {
    let events = env_or("GPU_LEDGER_READERS_EVENTS", 200_000);
    let streams = env_or("GPU_LEDGER_READERS_STREAMS", 2_000) as usize;
    let pages = env_or("GPU_LEDGER_READERS_PAGES", 150) as usize;
    let scratch = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("GPU_LEDGER_READERS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| scratch.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join(format!("data-{events}"));
    if !data.exists() {
        let file = dir.join(format!("workload-{events}.jsonl"));
        let out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        gpu_ledger_testkit::workload::write_history(events, 1, out).unwrap();
        common::import_file(&data, &file);
        std::fs::remove_file(&file).unwrap();
    }
    let port = free_port();
    let most = streams.max(1).to_string();
    let addr_arg = format!("127.0.0.1:{port}");
    let mut args = vec![
        "--data",
        data.to_str().unwrap(),
        "serve",
        "--addr",
        &addr_arg,
    ];
    // With the default limits most streams are refused; raised, every one is held.
    if std::env::var_os("GPU_LEDGER_READERS_DEFAULT_LIMITS").is_none() {
        args.extend(["--max-streams", &most, "--max-streams-per-principal", &most]);
    }
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_gpu-ledger"))
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        listening_within(port, Duration::from_secs(1200)),
        "the server did not start"
    );
    let pid = server.id();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (before, _) = memory_mib(pid);
    let (held, refused, pages_held, during, peak, mut health) = runtime.block_on(async {
        let mut conns = Vec::new();
        let (mut held, mut pages_held) = (0, 0);
        for _ in 0..streams {
            let (c, ok) = never_reading(addr, "/v1/events/live?after=0").await;
            held += usize::from(ok);
            conns.push(c);
        }
        for _ in 0..pages {
            let (c, ok) = never_reading(addr, "/v1/events?after=0&limit=10000").await;
            pages_held += usize::from(ok);
            conns.push(c);
        }
        // Under the stall timeout (30 s): measured while all are held.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let (during, _) = memory_mib(pid);
        let mut health = Vec::new();
        for _ in 0..40 {
            let started = std::time::Instant::now();
            let mut c = TcpStream::connect(addr).await.unwrap();
            // Local mode answers its own Host only.
            c.write_all(
                format!("GET /v1/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .unwrap();
            let mut answer = Vec::new();
            tokio::time::timeout(PATIENCE, c.read_to_end(&mut answer))
                .await
                .expect("/v1/health went unanswered")
                .unwrap();
            assert!(
                answer.starts_with(b"HTTP/1.1 200"),
                "{}",
                String::from_utf8_lossy(&answer)
            );
            health.push(started.elapsed().as_secs_f64() * 1e3);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (after, peak) = memory_mib(pid);
        let threads = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("Threads:").map(|t| t.trim().to_string()))
            .unwrap_or_default();
        println!("server threads while held: {threads}");
        let during = during.max(after);
        drop(conns);
        (held, streams - held, pages_held, during, peak, health)
    });
    health.sort_by(f64::total_cmp);
    let p50 = health[health.len() / 2];
    let max = health[health.len() - 1];
    println!(
        "{events} events; live streams: {held} held, {refused} refused; pages of 10,000: {pages_held} of {pages} held\n\
         server RSS: {before:.0} MiB before, at most {during:.0} MiB while they were held, peak since start-up {peak:.0} MiB\n\
         /v1/health meanwhile (40, fresh connections): p50 {p50:.2} ms, max {max:.2} ms"
    );
    // SAFETY: a plain kill(2) of the child this test started.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let _ = server.wait();
    // Issue 20's bound, as docs/reliability.md gives it (measured 313 and
    // 317 MiB with all 2,000 streams and 150 pages held on 1M events).
    assert!(
        during < 512.0,
        "the server's RSS under the readers was {during:.0} MiB"
    );
}
