//! Abuse, through the real server: no token, a wrong token, a token in the
//! wrong place, a role or organization outside its rights; all refused with
//! nothing appended; and no token ever written to the logs.

mod common;

use common::*;
use gpu_ledger_testkit::history::{synthetic_history, write_lines};
use gpu_ledger_testkit::ports::{free_port, listening_within};
use gpu_ledger_testkit::server::get_json;
use gpu_ledger_testkit::tokens;
use serde_json::json;
use std::io::Read;
use std::process::Stdio;
use std::time::Duration;

const TOKENS: [(&str, &str); 4] = [
    ("glt_office_6f1c2a9e4b7d", "office"),
    ("glt_reviewer_81d0c3f2a5e6", "reviewer r-001"),
    ("glt_applicant_4c9e7a1b2d3f", "applicant ORG-1"),
    ("glt_analyst_0a1b2c3d4e5f", "analyst"),
];

#[tokio::test]
async fn abuse_is_refused_appends_nothing_and_no_token_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let base = dir.path().join("base.jsonl");
    write_lines(&base, &synthetic_history(2));
    import_file(&data, &base);
    let tokens_file = dir.path().join("tokens.txt");
    std::fs::write(&tokens_file, tokens::file_text(&TOKENS)).unwrap();
    let port = free_port();
    let log = dir.path().join("server.log");
    let mut server = gpu_ledger(&data)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--tokens",
            tokens_file.to_str().unwrap(),
        ])
        .env("GPU_LEDGER_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    assert!(
        listening_within(port, Duration::from_secs(30)),
        "the server did not start"
    );
    let base_url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let head = |client: reqwest::Client, base_url: String| async move {
        let url = format!("{base_url}/v1/chain/head");
        let (_, v) = get_json(&client, &url, Some(TOKENS[3].0)).await;
        v["seq"].as_u64().unwrap()
    };
    let start = head(client.clone(), base_url.clone()).await;
    let pool = json!({"type":"PoolRegistered","occurred_at":"2026-03-02T09:00:00Z","actor":"msit","pool_id":"P-X","name":"n","source":"owned","gpu_model":"m","gpus":8,"gpus_per_server":8}).to_string();
    let score_for = |reviewer: &str| {
        json!({"type":"ScoreRecorded","occurred_at":"2026-03-02T09:00:00Z","actor":"r","application_id":"APP-000001","reviewer_id":reviewer,"score":1}).to_string()
    };
    let submit_for = |org: &str| {
        json!({"type":"ApplicationSubmitted","occurred_at":"2026-03-02T09:00:00Z","actor":"a","application_id":"APP-X","call_id":"CALL-1","track_id":"T1","org_id":org,"title":"t","purpose":"research","requested_gpus":8}).to_string()
    };

    // (what, authorization header, query, body, expected status)
    let office = format!("Bearer {}", TOKENS[0].0);
    let token_in_query = format!("?access_token={}", TOKENS[0].0);
    let cases: Vec<(&str, Option<String>, &str, String, u16)> = vec![
        ("no token", None, "", pool.clone(), 401),
        (
            "wrong token",
            Some("Bearer glt_guess_000000000000".into()),
            "",
            pool.clone(),
            401,
        ),
        (
            "not a bearer token",
            Some(format!("Basic {}", TOKENS[0].0)),
            "",
            pool.clone(),
            401,
        ),
        (
            "token in the query string",
            None,
            &token_in_query,
            pool.clone(),
            401,
        ),
        (
            "analyst appends",
            Some(format!("Bearer {}", TOKENS[3].0)),
            "",
            pool.clone(),
            403,
        ),
        (
            "reviewer scores for another reviewer",
            Some(format!("Bearer {}", TOKENS[1].0)),
            "",
            score_for("r-009"),
            403,
        ),
        (
            "applicant submits for another organization",
            Some(format!("Bearer {}", TOKENS[2].0)),
            "",
            submit_for("ORG-2"),
            403,
        ),
        (
            "applicant registers a pool",
            Some(format!("Bearer {}", TOKENS[2].0)),
            "",
            pool.clone(),
            403,
        ),
        (
            "office scores",
            Some(office.clone()),
            "",
            score_for("r-001"),
            403,
        ),
    ];
    for (what, auth, query, body, expected) in cases {
        let mut req = client
            .post(format!("{base_url}/v1/events{query}"))
            .body(body);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), expected, "{what}");
        assert_eq!(
            head(client.clone(), base_url.clone()).await,
            start,
            "{what} appended something"
        );
    }
    // Reads need a token too (except health and metrics).
    let status = |path: &str| {
        let (client, url) = (client.clone(), format!("{base_url}{path}"));
        async move { get_json(&client, &url, None).await.0 }
    };
    assert_eq!(status("/v1/views/pools").await, 401);
    assert_eq!(status("/v1/health").await, 200);
    // And the office's own append works.
    let r = client
        .post(format!("{base_url}/v1/events"))
        .header("authorization", office)
        .body(pool.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);

    server.kill().unwrap();
    server.wait().unwrap();
    let mut logs = String::new();
    std::fs::File::open(&log)
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(
        logs.contains("path=/v1/events")
            && logs.contains("status=401")
            && logs.contains("request_id="),
        "requests are logged: {logs}"
    );
    for (token, _) in TOKENS {
        assert!(!logs.contains(token), "a token reached the logs");
        assert!(
            !logs.contains(&token[4..]),
            "part of a token reached the logs"
        );
    }
}
