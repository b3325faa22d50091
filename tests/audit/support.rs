//! What the audit tests share: event bodies at a business time, a ledger
//! imported with a fixed clock, and the binary's answers.

use super::common::*;
use gpu_ledger_testkit::history::write_lines;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// `recorded_at` of the first record: fixed, so hashes (and reports) are too.
pub const CLOCK: &str = "2026-07-20T00:00:00.000000Z";

/// One event body at a business time (`2026-MM-DDTHH:MM`, Korean time).
pub fn ev(at: &str, actor: &str, mut body: Value) -> String {
    body["occurred_at"] = format!("2026-{at}:00+09:00").into();
    body["actor"] = actor.into();
    serde_json::to_string(&body).unwrap()
}

pub fn award(id: &str, app: &str, gpus: u32, ends: &str) -> Value {
    json!({"type":"AwardGranted","award_id":id,"application_id":app,"gpus":gpus,
           "starts_at":"2026-04-01T00:00:00+09:00","ends_at":ends})
}

pub fn report_use(award: &str, week: u32, bp: u32, off_purpose: bool) -> Value {
    let day = |d: u32| format!("2026-04-{:02}T00:00:00+09:00", d);
    json!({"type":"UtilizationReported","award_id":award,"period_start":day(1 + 7 * week),
           "period_end":day(8 + 7 * week),"utilization_bp":bp,"off_purpose_use":off_purpose})
}

pub fn score(app: &str, reviewer: &str, score: u32) -> Value {
    json!({"type":"ScoreRecorded","application_id":app,"reviewer_id":reviewer,"score":score})
}

pub fn recall(id: &str, award: &str, gpus: u32, reason: &str) -> Value {
    json!({"type":"RecallIssued","recall_id":id,"award_id":award,"gpus":gpus,"reason":reason})
}

pub fn release(id: &str, gpus: u32) -> Value {
    json!({"type":"RecallReleased","recall_id":id,"gpus":gpus,"reason":"nobody left to receive them"})
}

pub fn redistribute(id: &str, recall: &str, award: &str, app: &str, gpus: u32) -> Value {
    json!({"type":"Redistributed","redistribution_id":id,"recall_id":recall,"award_id":award,
           "application_id":app,"gpus":gpus,
           "starts_at":"2026-06-01T00:00:00+09:00","ends_at":"2026-12-31T23:59:59+09:00"})
}

/// Imports `lines` into a new data directory with the fixed clock.
pub fn ledger(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let file = dir.join(format!("{name}.jsonl"));
    write_lines(&file, lines);
    let data = dir.join(name);
    crate::common::succeeds(
        &data,
        &["--clock-start", CLOCK, "import", file.to_str().unwrap()],
    );
    data
}

/// Runs a command that must succeed; its stdout.
pub fn ok(data: &Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn json_of(data: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(data, args)).unwrap()
}

/// The events of the history by seq: `(seq, hash)` of the line that matches.
pub fn seq_of(data: &Path, what: &str) -> (u64, String) {
    let export = ok(data, &["export"]);
    let (i, line) = export
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(what))
        .unwrap_or_else(|| panic!("no record holds {what}"));
    let r: Value = serde_json::from_str(line).unwrap();
    (i as u64 + 1, r["hash"].as_str().unwrap().to_string())
}

/// `audit report --format json` with `args`.
pub fn report_json(data: &Path, args: &[&str]) -> Value {
    let mut all = vec!["audit", "report", "--format", "json"];
    all.extend(args);
    json_of(data, &all)
}

/// The kinds found in `data` with the id each is about (`recall_id`, else
/// the first id of the exception).
pub fn found_with(data: &Path, args: &[&str], id: &str) -> Vec<(String, String)> {
    report_json(data, args)["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["kind"].as_str().unwrap().to_string(),
                x[id].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// An owned H100 pool `P1` of `gpus`, eight to a server.
pub fn owned_pool(gpus: u32) -> Value {
    json!({"type":"PoolRegistered","pool_id":"P1","name":"Owned H100","source":"owned","gpu_model":"H100","gpus":gpus,"gpus_per_server":8})
}

/// A large academic organization of the capital region.
pub fn university(id: &str, name: &str) -> Value {
    json!({"type":"OrganizationRegistered","org_id":id,"name":name,"sector":"academia","size":"large","region":"capital"})
}

/// Call `C1`, closing on 1 February, with one academic track `T1` on `P1`.
pub fn academic_call(gpus: u32) -> Value {
    json!({"type":"CallOpened","call_id":"C1","title":"First call","closes_at":"2026-02-01T18:00:00+09:00","tracks":[
        {"track_id":"T1","pool_id":"P1","gpus":gpus,"eligible_sectors":["academia"],"min_reviews":1}]})
}

/// Application `id` of `org` to track `T1` of `C1`.
pub fn apply(id: &str, org: &str, requested: u32) -> Value {
    json!({"type":"ApplicationSubmitted","application_id":id,"call_id":"C1","track_id":"T1","org_id":org,"title":"Models","purpose":"research","requested_gpus":requested})
}

pub fn org(id: &str, name: &str, sector: &str, size: &str, region: &str) -> Value {
    json!({"type":"OrganizationRegistered","org_id":id,"name":name,"sector":sector,
           "size":size,"region":region})
}

/// An application to the first call's only track, submitted by `member`
/// (`ORG:person`) for their organization.
pub fn applies(at: &str, member: &str, id: &str, title: &str, purpose: &str, gpus: u32) -> String {
    let org = member.split(':').next().unwrap();
    ev(
        at,
        &format!("org:{member}"),
        json!({"type":"ApplicationSubmitted","application_id":id,"call_id":"C1","track_id":"T1",
               "org_id":org,"title":title,"purpose":purpose,"requested_gpus":gpus}),
    )
}

/// In a trace, the `field` of the event on each line that plays `role`.
pub fn lines_of<'t>(trace: &'t Value, role: &str, field: &str) -> Vec<&'t str> {
    trace["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["role"] == role)
        .map(|l| l["event"][field].as_str().unwrap())
        .collect()
}
