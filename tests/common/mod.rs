//! Running the real `gpu-ledger` binary built for these tests. What the
//! tests share besides (histories, servers, damage) is in `gpu_ledger_testkit`.
#![allow(dead_code)]

pub mod serve;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// The `gpu-ledger` binary built for these tests.
pub fn gpu_ledger(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gpu-ledger"));
    c.arg("--data").arg(data);
    c
}

pub fn run(data: &Path, args: &[&str]) -> Output {
    gpu_ledger(data)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A fresh data directory (`dir/data`) holding the first `events` events of
/// `synthetic_history(apps)`, imported with the binary; the whole history
/// is returned for what the test appends next. `dir/in.jsonl` holds what was imported.
pub fn imported_history(
    apps: usize,
    events: usize,
) -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let history = gpu_ledger_testkit::history::synthetic_history(apps);
    let input = dir.path().join("in.jsonl");
    gpu_ledger_testkit::history::write_lines(&input, &history[..events.min(history.len())]);
    import_file(&data, &input);
    (dir, data, history)
}

/// Runs the binary and insists that it succeeded, showing its stderr if not.
pub fn succeeds(data: &Path, args: &[&str]) -> Output {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "gpu-ledger {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `import FILE`, which must succeed.
pub fn import_file(data: &Path, file: &Path) -> Output {
    succeeds(data, &["import", file.to_str().unwrap()])
}

/// `verify --json`, which must find the chain broken first at `seq`, for a
/// reason that says `reason`; returns the report.
pub fn verify_breaks_at(data: &Path, seq: u64, reason: &str) -> Value {
    let out = run(data, &["--json", "verify"]);
    assert_eq!(out.status.code(), Some(1), "verify must fail");
    let report = stdout_json(&out);
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_bad_seq"], seq, "{report}");
    assert!(
        report["reason"]
            .as_str()
            .unwrap_or_default()
            .contains(reason),
        "{report}"
    );
    report
}

/// A writer refuses to open the damaged ledger (exit 2), naming `what`
/// (a file, an offset) in its message.
pub fn writer_refuses(data: &Path, input: &Path, what: &[&str]) {
    let out = run(data, &["import", input.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(what.iter().all(|w| stderr.contains(w)), "{stderr}");
}

pub fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
