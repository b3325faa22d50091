//! A history whose utilization reports arrive out of period order, for
//! `recall_without_evidence`: each award is recalled after its reports, and
//! what counts is their period order among those recorded before the recall.

use super::support::*;
use serde_json::json;

/// Three awards of 16 GPUs, each recalled 8 at a time (reason
/// underutilization), with reports of weeks 0 to 2 of April:
///
/// - W1: week 2 low, then week 0 high, then week 1 low, late: weeks 1 and 2
///   are adjacent in period order and both low, so RC1 has its evidence;
/// - W2: weeks 0 and 2 low, then week 1 high, late: it stands between them,
///   so RC2 has none;
/// - W3: week 0 low, RC3a, then week 1 low, RC3b: RC3a had one report before
///   it, RC3b has two adjacent low ones.
pub fn history() -> Vec<String> {
    let msit = "msit";
    let end = "2026-12-31T23:59:59+09:00";
    let mut lines = vec![
        ev("01-05T09:00", msit, owned_pool(400)),
        ev("01-05T09:01", msit, university("OA", "Alpha University")),
        ev("01-06T09:00", msit, academic_call(96)),
    ];
    for n in 1..=3 {
        lines.push(ev(
            &format!("01-07T1{n}:00"),
            "org:OA:park",
            apply(&format!("B{n}"), "OA", 16),
        ));
        lines.push(ev(
            &format!("01-20T09:0{n}"),
            "reviewer:r1",
            score(&format!("B{n}"), "r1", 80),
        ));
    }
    lines.push(ev(
        "02-01T18:00",
        msit,
        json!({"type":"CallClosed","call_id":"C1"}),
    ));
    for n in 1..=3 {
        lines.push(ev(
            &format!("03-02T09:0{n}"),
            msit,
            award(&format!("W{n}"), &format!("B{n}"), 16, end),
        ));
    }
    let reported = |at: &str, award: &str, week: u32, bp: u32| {
        ev(at, "monitor", report_use(award, week, bp, false))
    };
    let recalled =
        |at: &str, id: &str, award: &str| ev(at, msit, recall(id, award, 8, "underutilization"));
    lines.extend([
        reported("04-23T09:00", "W1", 2, 3000),
        reported("04-24T09:00", "W1", 0, 9000),
        reported("04-25T09:00", "W1", 1, 4000),
        recalled("04-26T09:00", "RC1", "W1"),
        reported("04-27T09:00", "W2", 0, 3000),
        reported("04-27T09:01", "W2", 2, 3000),
        reported("04-28T09:00", "W2", 1, 9000),
        recalled("04-29T09:00", "RC2", "W2"),
        reported("04-30T09:00", "W3", 0, 3000),
        recalled("05-01T09:00", "RC3a", "W3"),
        reported("05-02T09:00", "W3", 1, 3000),
        recalled("05-03T09:00", "RC3b", "W3"),
    ]);
    for (n, id) in ["RC1", "RC2", "RC3a", "RC3b"].iter().enumerate() {
        lines.push(ev(&format!("05-04T09:0{n}"), msit, release(id, 8)));
    }
    lines
}

#[test]
fn a_late_report_of_an_earlier_period_counts_for_adjacency_among_reports_before_the_recall() {
    let dir = tempfile::tempdir().unwrap();
    let data = ledger(dir.path(), "data", &history());
    let found = found_with(&data, &[], "recall_id");
    let recall = |id: &str| ("recall_without_evidence".to_string(), id.to_string());
    // RC1's late report completes a low pair; RC2's splits one; RC3a had a
    // single report before it, RC3b the pair the later report made.
    assert_eq!(found, [recall("RC2"), recall("RC3a")]);
}
