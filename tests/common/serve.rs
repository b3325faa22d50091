//! `gpu-ledger serve` on a store beyond this machine's disk (PostgreSQL,
//! EventStoreDB): the tests that put two servers on one ledger start them
//! the same way.

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use gpu_ledger_testkit::ports::{free_port, listening_within};

/// The `gpu-ledger` binary on `store` (`--store URL`).
pub fn on_store(store: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gpu-ledger"));
    c.arg("--store").arg(store);
    c
}

/// A `serve` process, killed and reaped when dropped.
pub struct Serve {
    child: Child,
    pub base: String,
}

impl Serve {
    /// A server on `store`, keeping what it derives in `data` if given, its
    /// standard error in `log`; returns once it listens.
    pub fn start(store: &str, data: Option<&Path>, log: &Path) -> Self {
        let port = free_port();
        let mut command = on_store(store);
        if let Some(data) = data {
            command.arg("--data").arg(data);
        }
        let child = command
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("GPU_LEDGER_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        assert!(
            listening_within(port, Duration::from_secs(60)),
            "the server did not start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
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

/// An `OrganizationRegistered` body for `id`.
pub fn org_registered(id: &str) -> Value {
    json!({"type":"OrganizationRegistered","occurred_at":"2026-03-20T09:00:00+09:00","actor":"msit",
           "org_id":id,"name":format!("Lab {id}"),"sector":"academia","size":"public","region":"capital"})
}

/// What one `201` acknowledged: (seq, hash) of each record.
pub type Acked = Vec<(u64, String)>;

/// The records a `201` answer lists.
pub fn acked(answer: &Value) -> Acked {
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
