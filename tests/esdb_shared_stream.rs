//! Two `serve` processes on one EventStoreDB stream (the protocol double,
//! through the real client in each process), both sent the same event at
//! the same moment, round after round.
//!
//! The ledger's head is in the future (imported with a clock there), so
//! both servers clamp `recorded_at` to the head's time and build
//! byte-identical records at the same seq. The double holds the two appends
//! until both have arrived, then takes them one after the other. With event
//! ids derived from the record's hash, the server takes the second for an
//! idempotent retry of the first and both callers get `201` for one record;
//! with ids unique to the write attempt, the second is refused as a moved
//! head and its server chains after the first or refuses the event. Every
//! `201` must be a record of its own in the chain.

use gpu_ledger_esdb_double::EsdbDouble;
use gpu_ledger_testkit::history::{synthetic_history, write_lines};
use gpu_ledger_testkit::ports::{free_port, listening_within};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn gpu_ledger(store: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gpu-ledger"));
    c.arg("--store").arg(store);
    c
}

/// Runs `command` off the runtime (the double is served on it meanwhile).
async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

struct Serve {
    child: Child,
    base: String,
}

impl Serve {
    /// A server on `store`; `log` takes its standard error.
    async fn start(store: String, log: PathBuf) -> Self {
        tokio::task::spawn_blocking(move || {
            let port = free_port();
            let log_path = log;
            let child = gpu_ledger(&store)
                .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
                .env("GPU_LEDGER_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log_path).unwrap())
                .spawn()
                .unwrap();
            assert!(
                listening_within(port, Duration::from_secs(60)),
                "the server did not start: {}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
            Serve {
                child,
                base: format!("http://127.0.0.1:{port}"),
            }
        })
        .await
        .unwrap()
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

const ROUNDS: usize = 6;

/// Who got a 201: (round, server).
type Sender = (usize, usize);
/// What one 201 acknowledged: (seq, hash) of each record.
type Acked = Vec<(u64, String)>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_sending_identical_events_at_once_never_share_a_201() {
    let double = EsdbDouble::start().await.unwrap();
    let url = format!(
        "{}&defaultDeadline=3000&retryBudget=10000&stream=shared",
        double.url()
    );
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.jsonl");
    write_lines(&base, &synthetic_history(1));
    let mut import = gpu_ledger(&url);
    import
        .args(["--clock-start", "2099-01-01T00:00:00.000000Z", "import"])
        .arg(&base);
    succeeded(&run(import).await);

    let servers = [
        Serve::start(url.clone(), dir.path().join("node1.log")).await,
        Serve::start(url.clone(), dir.path().join("node2.log")).await,
    ];
    let client = reqwest::Client::new();
    let mut created: Vec<(Sender, Acked)> = Vec::new();
    for round in 0..ROUNDS {
        let body = org(&format!("ORG-TWIN-{round}"));
        double.gather_appends(2);
        let sends = servers.iter().map(|s| {
            let (client, url, body) = (
                client.clone(),
                format!("{}/v1/events", s.base),
                body.clone(),
            );
            tokio::spawn(async move {
                let r = client.post(&url).json(&body).send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap())
            })
        });
        let answers: Vec<(u16, Value)> = futures::future::join_all(sends)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        for (s, (status, answer)) in answers.iter().enumerate() {
            match status {
                201 => {
                    let records = answer["records"]
                        .as_array()
                        .expect("a 201 lists its records")
                        .iter()
                        .map(|r| {
                            (
                                r["seq"].as_u64().unwrap(),
                                r["hash"].as_str().unwrap().to_string(),
                            )
                        })
                        .collect();
                    created.push(((round, s), records));
                }
                // The twin refused by the rules once the other landed.
                409 | 422 => {}
                other => panic!("round {round}, server {s}: {other} {answer}"),
            }
        }
        assert!(
            answers.iter().any(|(status, _)| *status == 201),
            "round {round}: one of the twins lands: {answers:?}"
        );
    }

    // Every 201 names records no other 201 names...
    let mut owner: HashMap<u64, Sender> = HashMap::new();
    for (who, records) in &created {
        for (seq, _) in records {
            if let Some(first) = owner.insert(*seq, *who) {
                panic!("seq {seq} was acknowledged to {first:?} and to {who:?}");
            }
        }
    }
    // ...and each is in the chain with its hash, one event per record.
    let mut export = gpu_ledger(&url);
    export.arg("export");
    let exported: Vec<Value> = succeeded(&run(export).await)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_seq: HashMap<u64, &Value> = exported
        .iter()
        .map(|r| (r["seq"].as_u64().unwrap(), r))
        .collect();
    for (who, records) in &created {
        for (seq, hash) in records {
            assert_eq!(
                by_seq.get(seq).and_then(|r| r["hash"].as_str()),
                Some(hash.as_str()),
                "{who:?}: seq {seq}"
            );
        }
    }
    assert_eq!(double.events("shared").len(), exported.len());
    let mut verify = gpu_ledger(&url);
    verify.args(["--json", "verify"]);
    let report: Value = serde_json::from_str(&succeeded(&run(verify).await)).unwrap();
    assert_eq!(report["ok"], true, "{report}");
}

/// An operator deciding how to import onto EventStoreDB is told, where they
/// look first, that it is not all or nothing there.
#[test]
fn import_help_says_imports_are_not_atomic_on_eventstoredb() {
    let out = Command::new(env!("CARGO_BIN_EXE_gpu-ledger"))
        .args(["import", "--help"])
        .output()
        .unwrap();
    let help = succeeded(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("On EventStoreDB (`--store esdb://...`) an import is not atomic"),
        "{help}"
    );
}
