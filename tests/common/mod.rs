//! Shared helpers for the whole-flow tests: run the real binary, make histories.
#![allow(dead_code)]

pub mod server;

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The March 2026 example history (5,416 events), one event per line.
pub const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/march-2026.jsonl");

/// The lines of [`EXAMPLE`].
pub fn example_lines() -> Vec<String> {
    std::fs::read_to_string(EXAMPLE)
        .expect("the example history")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

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

pub fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn write_lines(path: &Path, lines: &[String]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for l in lines {
        f.write_all(l.as_bytes()).unwrap();
        f.write_all(b"\n").unwrap();
    }
    f.flush().unwrap();
}

fn at(i: usize) -> String {
    let s = i % 60;
    let m = (i / 60) % 60;
    let h = (i / 3600) % 24;
    format!("2026-03-{:02}T{h:02}:{m:02}:{s:02}+09:00", 2 + i / 86_400)
}

/// A valid history of about `apps * 4` events: a pool, organizations, an open
/// call, applications and their scores.
pub fn synthetic_history(apps: usize) -> Vec<String> {
    let mut v = vec![
        json!({"type":"PoolRegistered","pool_id":"POOL-1","name":"Owned H100","source":"owned","gpu_model":"H100","gpus":800,"gpus_per_server":8}),
        json!({"type":"OrganizationRegistered","org_id":"ORG-1","name":"서울대학교","sector":"academia","size":"public","region":"capital"}),
        json!({"type":"OrganizationRegistered","org_id":"ORG-2","name":"Busan AI Labs","sector":"industry","size":"startup","region":"non_capital"}),
        json!({"type":"CallOpened","call_id":"CALL-1","title":"Call 1","closes_at":"2026-04-01T00:00:00+09:00","tracks":[
            {"track_id":"T1","pool_id":"POOL-1","gpus":400,"eligible_sectors":["academia","industry"]}]}),
    ];
    for a in 0..apps {
        let app = format!("APP-{a:06}");
        v.push(json!({"type":"ApplicationSubmitted","application_id":app,"call_id":"CALL-1","track_id":"T1","org_id":if a % 2 == 0 {"ORG-1"} else {"ORG-2"},"title":format!("Project {a} \"한국어\" 🚀"),"purpose":"research","requested_gpus":8 * (1 + a % 4)}));
        for r in 0..3 {
            v.push(json!({"type":"ScoreRecorded","application_id":app,"reviewer_id":format!("r-{r:03}"),"score":(a * 7 + r * 13) % 101,"actor":format!("reviewer:r-{r:03}")}));
        }
    }
    v.into_iter()
        .enumerate()
        .map(|(i, mut e)| {
            e["occurred_at"] = at(i).into();
            if e.get("actor").is_none() {
                e["actor"] = "msit".into();
            }
            serde_json::to_string(&e).unwrap()
        })
        .collect()
}

/// Paths of the segment files of a data directory, in order.
pub fn segments(data: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    v.sort();
    v
}
