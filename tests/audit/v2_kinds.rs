//! A history seeded with one exception of each kind vocabulary v2 brought,
//! beside near misses that must not be flagged: each is found once, with
//! the events that prove it, and the thresholds an auditor sets move them.

use super::support::*;
use serde_json::{Value, json};

/// Track T1 (400 GPUs, 1 review): A1 (OA) 80 by r1, A2 (OB) 90, A3 (OB)
/// 70 and A4 (OA) 85 by r2, A5 (OB) 60 by r3. W1 (A1) and W2 (A2) are
/// awarded; A4 waits until the end of April.
///
/// - r1's conflict with OA comes after r1 scored A1: found; r2's with A5,
///   of OB, covers neither of r2's scores of OB's other applications;
/// - S1 tops W1 up while A4 (85) waits: found; S2 tops W2 (90) up;
/// - N1 on W2 is still open 20 days past its respond_by at the end: found;
///   N2 on W1 is carried out exactly 14 days past it;
/// - AP1 (A3) is still undecided 80 days after it was filed: found; AP2
///   (A5) is dismissed exactly 30 days after.
pub fn history() -> Vec<String> {
    let msit = "msit";
    let end = "2026-12-31T23:59:59+09:00";
    let notice = |id: &str, award: &str| {
        json!({"type":"RecallNoticed","notice_id":id,"award_id":award,"gpus":8,"reason":"underutilization",
               "respond_by":"2026-04-10T18:00:00+09:00"})
    };
    let conflict = |id: &str, reviewer: &str, with: (&str, &str)| {
        let mut c = json!({"type":"ConflictDeclared","conflict_id":id,"reviewer_id":reviewer,"source":"office_found"});
        c[with.0] = with.1.into();
        c
    };
    let supplement = |id: &str, award: &str| json!({"type":"AwardSupplemented","supplement_id":id,"award_id":award,"gpus":8,"reason":"more data"});
    let rejected = |app: &str| json!({"type":"ApplicationRejected","application_id":app,"reason":"below the line"});
    let appealed = |id: &str, app: &str| json!({"type":"AppealFiled","appeal_id":id,"application_id":app,"reason":"the review missed our data"});
    let mut carried_out = recall("RC1", "W1", 8, "underutilization");
    carried_out["notice_id"] = "N2".into();
    let mut lines = vec![
        ev("01-05T09:00", msit, owned_pool(1000)),
        ev("01-05T09:01", msit, university("OA", "Alpha University")),
        ev("01-05T09:02", msit, university("OB", "Beta University")),
        ev("01-06T09:00", msit, academic_call(400)),
    ];
    let apps = [
        ("A1", "OA", "r1", 80),
        ("A2", "OB", "r2", 90),
        ("A3", "OB", "r2", 70),
        ("A4", "OA", "r2", 85),
        ("A5", "OB", "r3", 60),
    ];
    for (n, (app, org, ..)) in apps.iter().enumerate() {
        let actor = format!("org:{org}:park");
        lines.push(ev(&format!("01-07T1{n}:00"), &actor, apply(app, org, 64)));
    }
    for (n, (app, _, reviewer, points)) in apps.iter().enumerate() {
        let actor = format!("reviewer:{reviewer}");
        lines.push(ev(
            &format!("01-20T09:0{n}"),
            &actor,
            score(app, reviewer, *points),
        ));
    }
    lines.extend([
        ev("02-01T18:00", msit, json!({"type":"CallClosed","call_id":"C1"})),
        ev("02-03T09:00", msit, award("W1", "A1", 32, end)),
        ev("02-03T09:01", msit, award("W2", "A2", 32, end)),
        ev("02-05T09:00", msit, rejected("A3")),
        ev("02-05T09:01", msit, rejected("A5")),
        ev("02-06T10:00", "org:OB:park", appealed("AP2", "A5")),
        ev("02-10T09:00", "org:OB:park", appealed("AP1", "A3")),
        ev("02-10T10:00", msit, conflict("K1", "r1", ("org_id", "OA"))),
        ev("02-10T11:00", msit, conflict("K2", "r2", ("application_id", "A5"))),
        ev("02-12T09:00", msit, supplement("S1", "W1")),
        ev("02-12T09:01", msit, supplement("S2", "W2")),
        ev(
            "03-08T10:00",
            msit,
            json!({"type":"AppealDecided","appeal_id":"AP2","upheld":false,"reason":"the scores stand"}),
        ),
        ev("04-01T10:00", msit, notice("N1", "W2")),
        ev("04-02T10:00", msit, notice("N2", "W1")),
        ev("04-16T09:00", "monitor", report_use("W1", 0, 3000, false)),
        ev("04-16T09:01", "monitor", report_use("W1", 1, 3000, false)),
        ev("04-24T18:00", msit, carried_out),
        ev("04-25T09:00", msit, release("RC1", 8)),
        ev("04-30T09:00", msit, award("W4", "A4", 32, end)),
        ev("05-01T09:00", "monitor", report_use("W2", 3, 9000, false)),
    ]);
    lines
}

/// Each exception as `(kind, what it is about)`.
fn found(report: &Value) -> Vec<(String, String)> {
    report["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let about = ["notice_id", "appeal_id", "supplement_id", "conflict_id"]
                .iter()
                .find_map(|k| x.get(*k).and_then(Value::as_str))
                .unwrap_or_default();
            (x["kind"].as_str().unwrap().to_string(), about.to_string())
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, s)| (k.to_string(), s.to_string()))
        .collect()
}

/// The seqs an exception cites.
fn seqs(x: &Value) -> Vec<u64> {
    x["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_history_seeded_with_each_v2_kind_yields_exactly_those_exceptions() {
    let dir = tempfile::tempdir().unwrap();
    let data = ledger(dir.path(), "data", &history());
    let report = report_json(&data, &[]);
    assert_eq!(report["integrity"]["rules_verified"], true);
    // Supplements take free GPUs of the pool and are held.
    assert_eq!(report["pools"]["reconciled"], true);
    assert_eq!(
        found(&report),
        pairs(&[
            ("score_before_declared_conflict", "K1"),
            ("supplement_out_of_rank_order", "S1"),
            ("notice_overdue", "N1"),
            ("appeal_undecided_too_long", "AP1"),
        ])
    );
    let x = &report["exceptions"];
    let seq = |what: &str| seq_of(&data, what).0;

    let conflict = &x[0];
    assert_eq!(
        (&conflict["application_id"], &conflict["conflict_with"]),
        (&json!("A1"), &json!("organization"))
    );
    let a1 = seq("\"application_id\":\"A1\",\"call_id\"");
    let k1 = seq("\"conflict_id\":\"K1\"");
    let a1_scored = seq("\"reviewer_id\":\"r1\",\"score\"");
    assert_eq!(seqs(conflict), [a1, a1_scored, k1]);

    let supplement = &x[1];
    assert_eq!(supplement["award_id"], "W1");
    assert_eq!(supplement["outranked_by"]["application_id"], "A4");
    assert_eq!(supplement["higher_ranked_pending"], 1);
    assert!(seqs(supplement).contains(&seq("\"supplement_id\":\"S1\"")));
    assert!(seqs(supplement).contains(&seq("\"award_id\":\"W1\",\"ends_at\"")));

    let notice = &x[2];
    assert_eq!(notice["still_open"], true);
    // From 10 April 18:00 to 1 May 09:00.
    assert_eq!(notice["overdue_seconds"], 20 * 86_400 + 15 * 3600);
    let last = seq("\"award_id\":\"W2\",\"occurred_at\"");
    assert_eq!(seqs(notice), [seq("\"notice_id\":\"N1\""), last]);

    let appeal = &x[3];
    assert_eq!(
        (&appeal["still_open"], &appeal["application_id"]),
        (&json!(true), &json!("A3"))
    );
    let rejected = seq("\"application_id\":\"A3\",\"occurred_at\":\"2026-02-05T09:00");
    assert_eq!(seqs(appeal), [rejected, seq("\"appeal_id\":\"AP1\""), last]);
    insta::assert_snapshot!(
        "v2_exceptions.md",
        ok(&data, &["audit", "report", "--format", "md"])
    );
}

#[test]
fn the_notice_and_appeal_thresholds_are_the_auditors_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let data = ledger(dir.path(), "data", &history());
    let kinds = |args: &[&str]| -> Vec<String> {
        let found = found(&report_json(&data, args));
        found.into_iter().map(|(k, _)| k).collect()
    };
    // N1 stayed open 20 d 15 h past its respond_by; AP1 undecided exactly 80 days.
    let both = ["notice_overdue", "appeal_undecided_too_long"];
    for (args, left) in [
        (&["--max-notice-overdue-days", "20"][..], &both[..]),
        (&["--max-notice-overdue-days", "21"][..], &both[1..]),
        (&["--max-appeal-days", "80"][..], &both[..1]),
        (&["--max-appeal-days", "79"][..], &both[..]),
        (
            &["--max-notice-overdue-days", "6", "--max-appeal-days", "24"][..],
            &both[..],
        ),
    ] {
        let found = kinds(args);
        for kind in both {
            assert_eq!(
                found.contains(&kind.to_string()),
                left.contains(&kind),
                "{args:?}"
            );
        }
    }
    // Before N2 was carried out, both notices were overdue.
    let (recall, _) = seq_of(&data, "\"recall_id\":\"RC1\",\"type\":\"RecallIssued\"");
    let until = (recall - 1).to_string();
    let report = report_json(
        &data,
        &["--max-notice-overdue-days", "5", "--until-seq", &until],
    );
    let notices: Vec<(String, String)> = found(&report)
        .into_iter()
        .filter(|(k, _)| k == "notice_overdue")
        .collect();
    assert_eq!(
        notices,
        pairs(&[("notice_overdue", "N1"), ("notice_overdue", "N2")])
    );
}
