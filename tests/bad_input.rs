//! Bad input, over `import` and `POST /v1/events`: a corpus of every kind of
//! malformed or rule-breaking body, and random mutations of valid ones. Each
//! gets a clear error, nothing is appended, and the server keeps serving.
//!
//! Limits: a request body of at most 8 MiB (`--max-body`) and a batch of at
//! most 10,000 events (`--max-batch`), answered 413; JSON nested deeper than
//! the event shapes allow is refused as malformed (the parser stops at 128
//! levels in any case).

mod common;

use common::*;
use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_testkit::history::{synthetic_history, write_lines};
use gpu_ledger_testkit::server::spawn;
use proptest::prelude::*;
use serde_json::json;

fn valid() -> Vec<String> {
    synthetic_history(2)
}

fn pool_with(field: &str, value: &str) -> String {
    let base = r#"{"type":"PoolRegistered","occurred_at":"2026-03-02T09:00:00+09:00","actor":"msit","pool_id":"P-NEW","name":"n","source":"owned","gpu_model":"m","gpus":16,"gpus_per_server":8}"#;
    let needle = format!("\"{field}\":");
    let start = base.find(&needle).unwrap() + needle.len();
    let end = start + base[start..].find([',', '}']).unwrap();
    format!("{}{}{}", &base[..start], value, &base[end..])
}

/// (what, body): each must be refused.
fn corpus() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    vec![
        ("empty", b"".to_vec()),
        ("truncated", br#"{"type":"PoolRegistered","occurred_at":"2026-03-0"#.to_vec()),
        ("not JSON", b"hello".to_vec()),
        ("a string", b"\"PoolRegistered\"".to_vec()),
        ("a number", b"42".to_vec()),
        ("null", b"null".to_vec()),
        ("invalid UTF-8", pool_with("name", "\"\u{fffd}\"").replace('\u{fffd}', "\u{1}").into_bytes().into_iter().map(|b| if b == 1 { 0xff } else { b }).collect()),
        ("unknown type", pool_with("gpus", "16").replace("PoolRegistered", "PoolStolen").into_bytes()),
        ("unknown field", pool_with("gpus", "16,\"owner\":\"me\"").into_bytes()),
        ("field of another type", pool_with("gpus", "16,\"award_id\":\"AW-1\"").into_bytes()),
        ("string for a number", pool_with("gpus", "\"16\"").into_bytes()),
        ("object for a string", pool_with("name", "{}").into_bytes()),
        ("negative", pool_with("gpus", "-16").into_bytes()),
        ("over 32 bits", pool_with("gpus", "4294967296").into_bytes()),
        ("over 64 bits", pool_with("gpus", "99999999999999999999999999").into_bytes()),
        ("float", pool_with("gpus", "16.0").into_bytes()),
        ("exponent", pool_with("gpus", "1.6e1").into_bytes()),
        ("minus zero", pool_with("gpus", "-0").into_bytes()),
        ("zero GPUs", pool_with("gpus", "0").into_bytes()),
        ("null field", pool_with("gpus", "null").into_bytes()),
        ("repeated key", pool_with("gpus", "16,\"gpus\":16").into_bytes()),
        ("enormous string", pool_with("name", &format!("\"{}\"", "가".repeat(200_000))).into_bytes()),
        ("enormous array", json!({"type":"CallOpened","occurred_at":"2026-03-02T09:00:00Z","actor":"msit","call_id":"C9","title":"t","closes_at":"2026-04-01T00:00:00Z","tracks":[{"track_id":"T1","pool_id":"POOL-1","gpus":8,"eligible_sectors":vec!["academia"; 100_000]}]}).to_string().into_bytes()),
        ("deep nesting", pool_with("name", &deep).into_bytes()),
        ("bad id", pool_with("pool_id", "\"P 1\"").into_bytes()),
        ("bad timestamp", pool_with("occurred_at", "\"yesterday\"").into_bytes()),
        ("not whole servers", pool_with("gpus", "20").into_bytes()),
        ("duplicate id", pool_with("pool_id", "\"POOL-1\"").into_bytes()),
        ("unknown call", json!({"type":"CallClosed","occurred_at":"2026-03-02T09:00:00Z","actor":"msit","call_id":"NOPE"}).to_string().into_bytes()),
        ("second score by one reviewer", json!({"type":"ScoreRecorded","occurred_at":"2026-03-02T09:00:00Z","actor":"r","application_id":"APP-000000","reviewer_id":"r-000","score":1}).to_string().into_bytes()),
    ]
}

#[test]
fn import_refuses_each_bad_line_with_its_number_and_appends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let base = dir.path().join("base.jsonl");
    write_lines(&base, &valid());
    import_file(&data, &base);
    let before = stdout_json(&run(&data, &["--json", "head"]));
    for (what, body) in corpus() {
        let file = dir.path().join("bad.jsonl");
        let mut bytes = br#"{"type":"OrganizationRegistered","occurred_at":"2026-03-02T09:00:00Z","actor":"msit","org_id":"ORG-OK1","name":"n","sector":"academia","size":"public","region":"capital"}"#.to_vec();
        bytes.push(b'\n');
        bytes.extend_from_slice(br#"{"type":"OrganizationRegistered","occurred_at":"2026-03-02T09:00:00Z","actor":"msit","org_id":"ORG-OK2","name":"n","sector":"academia","size":"public","region":"capital"}"#);
        bytes.push(b'\n');
        bytes.extend_from_slice(&body);
        bytes.push(b'\n');
        std::fs::write(&file, &bytes).unwrap();
        let out = run(&data, &["import", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        assert!(
            stderr.contains("line 3") && stderr.contains("nothing was imported"),
            "{what}: {stderr}"
        );
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{what}: one sentence: {stderr}"
        );
        assert_eq!(
            stdout_json(&run(&data, &["--json", "head"])),
            before,
            "{what} appended something"
        );
    }
}

#[tokio::test]
async fn the_api_refuses_each_bad_body_appends_nothing_and_keeps_serving() {
    let limits = Limits {
        body_bytes: 1 << 20,
        ..Limits::default()
    };
    let s = spawn(&valid(), Access::Local, limits).await;
    let head = s.head();
    for (what, body) in corpus() {
        let (status, answer) = s.post(None, body).await;
        assert!(
            matches!(status, 400 | 413 | 422),
            "{what}: {status} {answer}"
        );
        if status != 413 {
            assert!(
                answer["error"].is_string() && answer["message"].is_string(),
                "{what}: {answer}"
            );
        }
        assert_eq!(s.head(), head, "{what} appended something");
    }
    let (status, _) = s.post(None, vec![b' '; 2 << 20]).await;
    assert_eq!(status, 413);
    let (status, health) = s.get(None, "/v1/health").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
}

/// A valid body mutated: bytes flipped, cut, inserted, or duplicated.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let bodies = valid();
    (
        0..bodies.len(),
        prop::collection::vec((0u8..4, any::<usize>(), any::<u8>()), 1..6),
    )
        .prop_map(move |(i, edits)| {
            let mut b = bodies[i].clone().into_bytes();
            for (op, at, byte) in edits {
                if b.is_empty() {
                    break;
                }
                let at = at % b.len();
                match op {
                    0 => b[at] ^= byte | 1,
                    1 => b.truncate(at),
                    2 => b.insert(at, byte),
                    _ => {
                        let tail = b[at..].to_vec();
                        b.extend_from_slice(&tail);
                    }
                }
            }
            b
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_bodies_are_answered_clearly_and_never_half_appended(body in mutated()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let s = spawn(&valid(), Access::Local, Limits::default()).await;
            let head = s.head();
            let (status, answer) = s.post(None, body.clone()).await;
            prop_assert!(matches!(status, 201 | 400 | 409 | 413 | 422), "{} {}", status, answer);
            if status == 201 {
                prop_assert_eq!(s.head(), head + answer["records"].as_array().unwrap().len() as u64);
            } else {
                prop_assert!(answer["message"].is_string());
                prop_assert_eq!(s.head(), head);
            }
            Ok(())
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_lines_are_imported_whole_or_refused_whole(body in mutated()) {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let file = dir.path().join("in.jsonl");
        let mut bytes = body.clone();
        bytes.push(b'\n');
        std::fs::write(&file, &bytes).unwrap();
        let out = run(&data, &["--json", "import", file.to_str().unwrap()]);
        let code = out.status.code();
        prop_assert!(matches!(code, Some(0) | Some(1)), "{:?}: {}", code, String::from_utf8_lossy(&out.stderr));
        let events = if data.join("LEDGER").exists() {
            stdout_json(&run(&data, &["--json", "head"]))["seq"].as_u64().unwrap()
        } else {
            0
        };
        if code == Some(1) {
            prop_assert_eq!(events, 0);
        }
    }
}

/// One store as the alike test drives it: by its `--store` value through
/// the binary, and in process behind a server.
struct Subject {
    store: String,
    server: gpu_ledger_api::server::Server,
    opened: std::sync::Arc<dyn gpu_ledger_ledger::EventStore>,
}

impl Subject {
    async fn start(store: String) -> Self {
        use gpu_ledger_api::store_config::StoreConfig;
        let opened = StoreConfig::of_store(&store, None)
            .unwrap()
            .open_for_writing()
            .unwrap();
        let server = gpu_ledger_testkit::server::local_server(opened.clone()).await;
        Self {
            store,
            server,
            opened,
        }
    }

    async fn head(&self) -> u64 {
        self.opened.head().await.unwrap().seq
    }
}

fn on_store(store: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gpu-ledger"))
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The same corpus on the file store and on PostgreSQL: every import is
/// refused with the same words and exit code, every body with the same
/// status and answer, and neither store appends anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
async fn bad_input_and_rule_refusals_are_answered_alike_on_the_file_store_and_postgres() {
    let pg = gpu_ledger_testkit::postgres::PgCluster::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.jsonl");
    write_lines(&base, &valid());
    let stores = [
        format!("file:{}", dir.path().join("data").display()),
        pg.url("schema=alike"),
    ];
    for store in &stores {
        let out = on_store(store, &["import", base.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let file = dir.path().join("bad.jsonl");
    for (what, body) in corpus() {
        let mut bytes = body.clone();
        bytes.push(b'\n');
        std::fs::write(&file, &bytes).unwrap();
        let [on_file, on_pg] = stores
            .each_ref()
            .map(|s| on_store(s, &["import", file.to_str().unwrap()]));
        assert_eq!(on_file.status.code(), Some(1), "{what}");
        assert_eq!(on_pg.status.code(), on_file.status.code(), "{what}");
        assert_eq!(
            String::from_utf8_lossy(&on_pg.stderr),
            String::from_utf8_lossy(&on_file.stderr),
            "{what}: import"
        );
    }

    let subjects = [
        Subject::start(stores[0].clone()).await,
        Subject::start(stores[1].clone()).await,
    ];
    let heads = [subjects[0].head().await, subjects[1].head().await];
    assert_eq!(heads[0], heads[1]);
    let client = reqwest::Client::new();
    for (what, body) in corpus() {
        let mut answers = Vec::new();
        for s in &subjects {
            let r = client
                .post(format!("http://{}/v1/events", s.server.addr))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            answers.push((status, r.text().await.unwrap()));
            assert_eq!(s.head().await, heads[0], "{what} appended to {}", s.store);
        }
        assert!(
            matches!(answers[0].0, 400 | 413 | 422),
            "{what}: {answers:?}"
        );
        assert_eq!(answers[0], answers[1], "{what}: the answers differ");
    }
}
