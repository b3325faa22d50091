//! Building the programs under test with cargo.
//!
//! The binaries' paths are read from cargo's own JSON messages rather than
//! guessed, so `CARGO_TARGET_DIR`, `--target-dir` and workspace layouts all
//! work. Cargo's progress and diagnostics still go to the terminal.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs `cargo build --release` with `args` and returns the executable of
/// the binary target `binary`.
pub fn cargo_build(args: &[&str], dir: &Path, binary: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--release")
        .arg("--message-format=json-render-diagnostics")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let shown = super::process::describe(&command);
    eprintln!("$ {shown}");
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let mut executable = None;
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("cannot read cargo's output: {e}"))?;
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let is_binary = message["reason"] == "compiler-artifact"
            && message["target"]["name"] == binary
            && message["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
        if is_binary && let Some(path) = message["executable"].as_str() {
            executable = Some(PathBuf::from(path));
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for cargo: {e}"))?;
    if !status.success() {
        return Err(format!("{shown} failed ({status})"));
    }
    executable.ok_or_else(|| format!("{shown} built no binary named {binary}"))
}
