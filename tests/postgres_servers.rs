//! `serve` processes on PostgreSQL: two servers on one ledger under
//! concurrent clients, and one server through real failovers of a primary
//! with a synchronous streaming-replication standby (`kill -9` of the
//! primary under load, the standby promoted).
//!
//! The failover test repeats with the kill at seeded moments: 5 in CI. A
//! longer run (about 5 s a round here): `GPU_LEDGER_FAILOVERS=50
//! GPU_LEDGER_FAILOVER_SEED=7 cargo test --test postgres_servers fails_over
//! -- --nocapture`. While there is no primary, a probe append must be
//! answered `503` with `Retry-After`, and goes through once there is.

mod common;

use common::stdout_json;
use gpu_ledger_testkit::history::{synthetic_history, write_lines};
use gpu_ledger_testkit::ports::{free_port, listening_within};
use gpu_ledger_testkit::postgres::PgCluster;
use gpu_ledger_testkit::server::get_json;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn gpu_ledger(store: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gpu-ledger"));
    c.arg("--store").arg(store);
    c
}

/// A `serve` process on `store`, keeping what it derives in `data`.
struct Serve {
    child: Child,
    base: String,
}

impl Serve {
    fn start(store: &str, data: &Path) -> Self {
        let port = free_port();
        let log = std::fs::File::create(data.with_extension("log")).unwrap();
        let child = gpu_ledger(store)
            .arg("--data")
            .arg(data)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("GPU_LEDGER_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        assert!(
            listening_within(port, Duration::from_secs(60)),
            "the server did not start: {}",
            std::fs::read_to_string(data.with_extension("log")).unwrap_or_default()
        );
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn org(id: &str) -> Value {
    json!({"type":"OrganizationRegistered","occurred_at":"2026-03-20T09:00:00+09:00","actor":"msit",
           "org_id":id,"name":format!("Lab {id}"),"sector":"academia","size":"public","region":"capital"})
}

fn application(app: &str, org: &str) -> Value {
    json!({"type":"ApplicationSubmitted","occurred_at":"2026-03-20T09:00:00+09:00","actor":"msit",
           "application_id":app,"call_id":"CALL-1","track_id":"T1","org_id":org,
           "title":"t","purpose":"research","requested_gpus":8})
}

/// What one `201` acknowledged: (seq, hash) of each record.
type Acked = Vec<(u64, String)>;

fn acked(answer: &Value) -> Acked {
    answer["records"]
        .as_array()
        .expect("a 201 lists its records")
        .iter()
        .map(|r| {
            (
                r["seq"].as_u64().unwrap(),
                r["hash"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every record of the ledger on `store`, read back with the binary's export.
fn exported(store: &str) -> Vec<Value> {
    let out = gpu_ledger(store).arg("export").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn verified(store: &str) -> Value {
    let out = gpu_ledger(store)
        .args(["--json", "verify", "--deep"])
        .output()
        .unwrap();
    let report = stdout_json(&out);
    assert_eq!(report["ok"], true, "{report}");
    report
}

/// Each acknowledged record is in the chain with its hash, and no id was
/// registered twice.
fn assert_acked_in_chain(records: &[Value], acked: &[(u64, String)], ids: &HashSet<String>) {
    let by_seq: HashMap<u64, &str> = records
        .iter()
        .map(|r| (r["seq"].as_u64().unwrap(), r["hash"].as_str().unwrap()))
        .collect();
    for (seq, hash) in acked {
        assert_eq!(
            by_seq.get(seq),
            Some(&hash.as_str()),
            "acknowledged seq {seq}"
        );
    }
    let mut seen = HashSet::new();
    for r in records {
        if r["event"]["type"] == "OrganizationRegistered" {
            let id = r["event"]["org_id"].as_str().unwrap().to_string();
            assert!(seen.insert(id.clone()), "{id} appended twice");
        }
    }
    for id in ids {
        assert!(
            seen.contains(id),
            "{id} was acknowledged but is not in the chain"
        );
    }
}

const VIEWS: [&str; 6] = [
    "holdings",
    "pools",
    "calls",
    "ranking",
    "utilization",
    "concentration",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
async fn two_servers_on_one_database_append_every_event_once_and_agree() {
    let pg = PgCluster::start().unwrap_or_else(|e| panic!("a PostgreSQL cluster: {e}"));
    let url = pg.url("schema=shared");
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.jsonl");
    let history = synthetic_history(2);
    write_lines(&base, &history);
    let out = gpu_ledger(&url)
        .args(["import", base.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let servers = [
        Serve::start(&url, &dir.path().join("node1")),
        Serve::start(&url, &dir.path().join("node2")),
    ];
    let client = reqwest::Client::new();

    // 16 clients on each server, each appending its own organizations and
    // their applications, one batch of two events at a time; no client
    // names an expected seq.
    let mut tasks = Vec::new();
    for (s, server) in servers.iter().enumerate() {
        for c in 0..16 {
            let (client, url) = (client.clone(), format!("{}/v1/events", server.base));
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                for k in 0..4 {
                    let id = format!("ORG-S{s}-C{c}-{k}");
                    let body = json!([org(&id), application(&format!("APP-{id}"), &id)]);
                    let r = client.post(&url).json(&body).send().await.unwrap();
                    let status = r.status().as_u16();
                    let answer: Value = r.json().await.unwrap();
                    assert_eq!(status, 201, "{id}: {answer}");
                    mine.push((id, acked(&answer)));
                }
                mine
            }));
        }
    }
    let mut ids = HashSet::new();
    let mut all_acked = Vec::new();
    for t in tasks {
        for (id, records) in t.await.unwrap() {
            assert_eq!(records.len(), 2);
            assert_eq!(records[1].0, records[0].0 + 1, "a batch is consecutive");
            ids.insert(id);
            all_acked.extend(records);
        }
    }
    assert_eq!(ids.len(), 128);

    // An idempotent retry sent to the other server gets the first answer.
    let first = client
        .post(format!("{}/v1/events", servers[0].base))
        .header("Idempotency-Key", "k-1")
        .json(&org("ORG-KEYED"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let first = first.bytes().await.unwrap();
    let retry = client
        .post(format!("{}/v1/events", servers[1].base))
        .header("Idempotency-Key", "k-1")
        .json(&org("ORG-KEYED"))
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status().as_u16(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(
        retry.bytes().await.unwrap(),
        first,
        "the first answer, byte for byte"
    );
    let reused = client
        .post(format!("{}/v1/events", servers[1].base))
        .header("Idempotency-Key", "k-1")
        .json(&org("ORG-OTHER"))
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status().as_u16(), 422);
    ids.insert("ORG-KEYED".into());
    // A rule across servers: what one registered, the other refuses.
    let again = client
        .post(format!("{}/v1/events", servers[1].base))
        .json(&org("ORG-S0-C0-0"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 422);

    let records = exported(&url);
    assert_eq!(records.len(), history.len() + 128 * 2 + 1);
    assert_acked_in_chain(&records, &all_acked, &ids);
    assert_eq!(verified(&url)["events"], records.len());

    // Both servers' views are what a replay of the ledger gives.
    for view in VIEWS {
        let out = gpu_ledger(&url)
            .args(["view", view, "--format", "json"])
            .output()
            .unwrap();
        let replayed: Value = serde_json::from_slice(&out.stdout).unwrap();
        for server in &servers {
            let url = format!("{}/v1/views/{view}", server.base);
            let (_, live) = get_json(&client, &url, None).await;
            assert_eq!(live, replayed, "view {view} of {}", server.base);
        }
    }
}

fn failovers() -> usize {
    std::env::var("GPU_LEDGER_FAILOVERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

fn seed() -> u64 {
    std::env::var("GPU_LEDGER_FAILOVER_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_260_315)
}

/// Every node: synchronous commit to whichever standby is attached.
const SYNC: [(&str, &str); 2] = [
    ("synchronous_standby_names", "*"),
    ("synchronous_commit", "on"),
];

/// What the clients saw.
#[derive(Default)]
struct Tally {
    acked: Vec<(u64, String)>,
    ids: HashSet<String>,
    /// `503`s answered, each with its Retry-After.
    unavailable: u64,
}

/// Appends organization `id` with its Idempotency-Key, retrying each `503`
/// (which must say when to retry) until it is acknowledged.
async fn append_until_acked(
    client: &reqwest::Client,
    url: &str,
    id: &str,
    acks: &AtomicU64,
    tally: &Mutex<Tally>,
) {
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{id} was not acknowledged within 90 s"
        );
        let r = client
            .post(url)
            .header("Idempotency-Key", id)
            .json(&org(id))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id}: the server did not answer: {e}"));
        let status = r.status().as_u16();
        let retry_after = r.headers().get("retry-after").cloned();
        let answer: Value = r.json().await.unwrap_or_default();
        match status {
            201 => {
                let mut t = tally.lock().unwrap();
                t.acked.extend(acked(&answer));
                t.ids.insert(id.to_string());
                acks.fetch_add(1, Ordering::SeqCst);
                return;
            }
            503 => {
                assert!(retry_after.is_some(), "a 503 without Retry-After: {answer}");
                tally.lock().unwrap().unavailable += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => panic!("{id}: {other} {answer}"),
        }
    }
}

/// A client appending organizations until told to stop.
async fn client_loop(
    base: String,
    c: usize,
    stop: Arc<AtomicBool>,
    acks: Arc<AtomicU64>,
    tally: Arc<Mutex<Tally>>,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let url = format!("{base}/v1/events");
    let mut k = 0;
    while !stop.load(Ordering::SeqCst) {
        append_until_acked(&client, &url, &format!("ORG-F{c}-{k}"), &acks, &tally).await;
        k += 1;
    }
}

/// While no server takes writes, an append is answered `503` at once, with
/// `Retry-After` (and, being refused, appends nothing).
async fn assert_unavailable(client: &reqwest::Client, url: &str, id: &str) {
    let r = client
        .post(url)
        .header("Idempotency-Key", id)
        .json(&org(id))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{id}: no answer while there is no primary: {e}"));
    let status = r.status().as_u16();
    let retry_after = r.headers().get("retry-after").cloned();
    let answer: Value = r.json().await.unwrap_or_default();
    assert_eq!(status, 503, "{id} with no primary: {answer}");
    assert_eq!(answer["error"], "store_unavailable", "{answer}");
    assert!(retry_after.is_some(), "a 503 without Retry-After");
}

async fn wait_for_acks(acks: &AtomicU64, at_least: u64, patience: Duration) -> Duration {
    let started = Instant::now();
    while acks.load(Ordering::SeqCst) < at_least {
        assert!(
            started.elapsed() < patience,
            "only {} of {at_least} appends acknowledged within {patience:?}",
            acks.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
async fn a_server_fails_over_to_a_promoted_standby_and_loses_nothing() {
    let mut primary = PgCluster::start_with(&SYNC).unwrap_or_else(|e| panic!("a primary: {e}"));
    let mut standby = PgCluster::standby_on(&primary, "node", free_port(), &SYNC)
        .unwrap_or_else(|e| panic!("a standby: {e}"));
    primary
        .wait_for_sync_standby("node", Duration::from_secs(30))
        .unwrap();
    let hosts = format!("{},{}", primary.host(), standby.host());
    let url = format!(
        "postgres://ledger@{hosts}/postgres?target_session_attrs=read-write&connect_timeout=2&schema=failover"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Serve::start(&url, &dir.path().join("node"));

    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(AtomicU64::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let clients: Vec<_> = (0..8)
        .map(|c| {
            tokio::spawn(client_loop(
                server.base.clone(),
                c,
                stop.clone(),
                acks.clone(),
                tally.clone(),
            ))
        })
        .collect();

    let probe_client = reqwest::Client::new();
    let events_url = format!("{}/v1/events", server.base);
    let mut rng = ChaCha8Rng::seed_from_u64(seed());
    let mut worst = Duration::ZERO;
    for round in 0..failovers() {
        // Kill the primary after a seeded number of acknowledged appends.
        let at = acks.load(Ordering::SeqCst) + rng.random_range(5..60u64);
        wait_for_acks(&acks, at, Duration::from_secs(60)).await;
        primary.kill();
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..400u64))).await;
        let probe = format!("ORG-PROBE-{round}");
        assert_unavailable(&probe_client, &events_url, &probe).await;
        standby.promote().unwrap();
        let promoted = Instant::now();
        // The dead primary's port gets a new standby of the new primary.
        let port = primary.port();
        let fresh = PgCluster::standby_on(&standby, "node", port, &SYNC)
            .unwrap_or_else(|e| panic!("round {round}: a new standby: {e}"));
        drop(std::mem::replace(&mut primary, standby));
        standby = fresh;
        let resumed = acks.load(Ordering::SeqCst) + 1;
        wait_for_acks(&acks, resumed, Duration::from_secs(30)).await;
        let since_promotion = promoted.elapsed();
        assert!(
            since_promotion < Duration::from_secs(30),
            "round {round}: serving again took {since_promotion:?}"
        );
        worst = worst.max(since_promotion);
        // The probe refused while there was no primary goes through now.
        append_until_acked(&probe_client, &events_url, &probe, &acks, &tally).await;
    }
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    let tally = tally.lock().unwrap();
    eprintln!(
        "failover: {} rounds, {} appends acknowledged, {} answered 503, slowest recovery {worst:?}",
        failovers(),
        tally.ids.len(),
        tally.unavailable
    );
    let records = exported(&url);
    assert_acked_in_chain(&records, &tally.acked, &tally.ids);
    assert_eq!(
        records.len(),
        tally.ids.len(),
        "nothing but what was acknowledged"
    );
    verified(&url);
    drop(server);
}
