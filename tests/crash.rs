//! Crash safety, through the real binary: SIGKILL at seeded random moments,
//! during imports and under concurrent HTTP appends, then restart and check
//! that every acknowledged append is there once, the chain verifies, and the
//! store opens without manual repair.
//!
//! CI runs 50 kills (20 imports, 30 servers). The full run:
//! `GPU_LEDGER_CRASH_KILLS=500 GPU_LEDGER_CRASH_SEED=7 cargo test --release --test crash -- --nocapture`.

mod common;

use common::*;
use gpu_ledger_testkit::data_dir::copy_files;
use gpu_ledger_testkit::history::{example_lines, synthetic_history, write_lines};
use gpu_ledger_testkit::ports::{free_port, listening_within};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn kills() -> usize {
    std::env::var("GPU_LEDGER_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
}

fn rng(salt: u64) -> ChaCha8Rng {
    let seed = std::env::var("GPU_LEDGER_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_261_127u64);
    ChaCha8Rng::seed_from_u64(seed ^ salt)
}

fn verified_events(data: &Path) -> u64 {
    let out = run(data, &["--json", "verify"]);
    let v = stdout_json(&out);
    assert_eq!(v["ok"], true, "the chain must verify after a crash: {v}");
    v["events"].as_u64().unwrap()
}

#[test]
fn an_import_killed_part_way_leaves_the_ledger_as_it_was() {
    let n = kills() * 2 / 5;
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let prefix: Vec<String> = example_lines().into_iter().take(2000).collect();
    let first = dir.path().join("first.jsonl");
    write_lines(&first, &prefix);
    import_file(&base, &first);
    let big = synthetic_history(40_000);
    let big_file = dir.path().join("big.jsonl");
    write_lines(&big_file, &big);
    let one = dir.path().join("one.jsonl");
    write_lines(&one, &[r#"{"type":"OrganizationRegistered","occurred_at":"2026-06-01T00:00:00Z","actor":"msit","org_id":"ORG-AFTER","name":"n","sector":"academia","size":"public","region":"capital"}"#.to_string()]);

    // How long a whole import takes here, to spread the kills over it.
    let probe = dir.path().join("probe");
    copy_files(&base, &probe);
    let started = Instant::now();
    import_file(&probe, &big_file);
    let full = started.elapsed().as_millis() as u64;

    let mut rng = rng(1);
    let (mut interrupted, mut completed) = (0, 0);
    for k in 0..n {
        let data = dir.path().join(format!("k{k}"));
        copy_files(&base, &data);
        let mut child: Child = gpu_ledger(&data)
            .args(["import", big_file.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(0..full + full / 4)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let events = verified_events(&data);
        if status.success() {
            assert_eq!(
                events,
                2000 + big.len() as u64,
                "an import that exited 0 is all there"
            );
            completed += 1;
        } else {
            assert!(
                events == 2000 || events == 2000 + big.len() as u64,
                "all or nothing, found {events}"
            );
            interrupted += usize::from(events == 2000);
        }
        // The store opens for writing without repair, and takes more.
        succeeds(&data, &["import", one.to_str().unwrap()]);
        assert_eq!(verified_events(&data), events + 1);
        std::fs::remove_dir_all(&data).unwrap();
    }
    eprintln!(
        "import kills: {n} ({interrupted} interrupted mid-import, {completed} after it finished)"
    );
    assert!(
        interrupted > 0,
        "no kill landed during an import: the harness is not testing anything"
    );
}

fn start_server(data: &Path, port: u16) -> Child {
    let mut child = gpu_ledger(data)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    if listening_within(port, Duration::from_secs(30)) {
        return child;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_under_concurrent_appends_loses_no_acknowledged_event() {
    let cycles = kills() - kills() * 2 / 5;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut rng = rng(2);
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    for cycle in 0..cycles {
        let port = free_port();
        let mut server = start_server(&data, port);
        let url = format!("http://127.0.0.1:{port}/v1/events");
        let mut clients = Vec::new();
        for c in 0..8 {
            let (client, url, acked) = (client.clone(), url.clone(), acknowledged.clone());
            clients.push(tokio::spawn(async move {
                for i in 0.. {
                    let id = format!("ORG-{cycle}-{c}-{i}");
                    let body = format!(
                        r#"{{"type":"OrganizationRegistered","occurred_at":"2026-06-01T00:00:00Z","actor":"msit","org_id":"{id}","name":"n","sector":"academia","size":"public","region":"capital"}}"#
                    );
                    match client.post(&url).header("content-type", "application/json").body(body).send().await {
                        Ok(r) if r.status().as_u16() == 201 => acked.lock().unwrap().push(id),
                        Ok(r) => panic!("unexpected answer {}", r.status()),
                        Err(_) => return,
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..400))).await;
        server.kill().unwrap();
        server.wait().unwrap();
        for c in clients {
            c.await.unwrap();
        }
    }
    // After the last kill: the store opens, verifies, and holds every acknowledged event once.
    let port = free_port();
    let mut server = start_server(&data, port);
    server.kill().unwrap();
    server.wait().unwrap();
    verified_events(&data);
    let export = dir.path().join("export.jsonl");
    assert!(
        run(&data, &["export", "--out", export.to_str().unwrap()])
            .status
            .success()
    );
    let mut present = HashSet::new();
    for line in std::fs::read_to_string(&export).unwrap().lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let id = r["event"]["org_id"].as_str().unwrap().to_string();
        assert!(present.insert(id.clone()), "{id} is in the ledger twice");
    }
    let acked = acknowledged.lock().unwrap();
    for id in acked.iter() {
        assert!(
            present.contains(id),
            "{id} was acknowledged (201) but is not in the ledger"
        );
    }
    eprintln!(
        "server kills: {cycles}; {} appends acknowledged, {} in the ledger (the rest were in flight at a kill)",
        acked.len(),
        present.len()
    );
    assert!(
        acked.len() > cycles,
        "the clients hardly appended anything: the harness is not testing anything"
    );
}
