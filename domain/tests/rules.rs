//! Every rule of events.md, broken once, with the message a person reads.
//!
//! `given` builds a programme from a small history in which every kind of
//! entity exists; each case appends one event that breaks one rule and must
//! be refused without changing the state.

mod history;

use gpu_ledger_domain::decode_event;
use history::{accept, base_history, ev, given, refuse, term};
use serde_json::{Value, json};

#[test]
fn the_base_history_is_valid() {
    let p = given(&[]);
    assert_eq!(p.events_accepted(), base_history().len() as u64);
}

#[test]
fn every_rule_is_refused_with_a_message_naming_it() {
    let (s, e) = term();
    let redis = |id: &str, recall: &str, award: &str, app: &str, gpus: u32| json!({"type":"Redistributed","redistribution_id":id,"recall_id":recall,"award_id":award,"application_id":app,"gpus":gpus,"starts_at":s,"ends_at":e});
    let award = |id: &str, app: &str, gpus: u32| json!({"type":"AwardGranted","award_id":id,"application_id":app,"gpus":gpus,"starts_at":s,"ends_at":e});
    let submit = |app: &str, call: &str, track: &str, org: &str, gpus: u32| json!({"type":"ApplicationSubmitted","application_id":app,"call_id":call,"track_id":track,"org_id":org,"title":"t","purpose":"research","requested_gpus":gpus});
    let track = |id: &str, pool: &str, gpus: u32| json!({"track_id":id,"pool_id":pool,"gpus":gpus,"eligible_sectors":["academia"]});
    let open = |id: &str, tracks: Vec<Value>| json!({"type":"CallOpened","call_id":id,"title":"t","closes_at":"2026-09-30T18:00:00+09:00","tracks":tracks});
    let inverted = |mut v: Value| {
        v["starts_at"] = json!("2027-01-01T00:00:00+09:00");
        v["ends_at"] = json!("2027-01-01T00:00:00+09:00");
        v
    };
    let cases: Vec<(&str, Vec<Value>, Value)> = vec![
        (
            "pool id reused",
            vec![],
            json!({"type":"PoolRegistered","pool_id":"P-OWN","name":"n","source":"owned","gpu_model":"m","gpus":8,"gpus_per_server":8}),
        ),
        (
            "pool not whole servers",
            vec![],
            json!({"type":"PoolRegistered","pool_id":"P-NEW","name":"n","source":"owned","gpu_model":"m","gpus":20,"gpus_per_server":8}),
        ),
        (
            "resize of unknown pool",
            vec![],
            json!({"type":"PoolResized","pool_id":"P-NONE","gpus":8,"reason":"r"}),
        ),
        (
            "resize not whole servers",
            vec![],
            json!({"type":"PoolResized","pool_id":"P-OWN","gpus":68,"reason":"r"}),
        ),
        (
            "resize below use",
            vec![],
            json!({"type":"PoolResized","pool_id":"P-CSP","gpus":16,"reason":"lease cut"}),
        ),
        (
            "organization id reused",
            vec![],
            json!({"type":"OrganizationRegistered","org_id":"ORG-SME","name":"n","sector":"industry","size":"sme","region":"capital"}),
        ),
        (
            "call id reused",
            vec![],
            open("C1", vec![track("T1", "P-OWN", 8)]),
        ),
        (
            "track on unknown pool",
            vec![],
            open("C3", vec![track("T1", "P-NONE", 8)]),
        ),
        (
            "track listed twice",
            vec![],
            open("C3", vec![track("T1", "P-OWN", 8), track("T1", "P-CSP", 8)]),
        ),
        (
            "track not whole servers",
            vec![],
            open("C3", vec![track("T1", "P-OWN", 12)]),
        ),
        (
            "track over pool capacity",
            vec![],
            open("C3", vec![track("T1", "P-OWN", 72)]),
        ),
        (
            "closing an unknown call",
            vec![],
            json!({"type":"CallClosed","call_id":"C9"}),
        ),
        (
            "closing a closed call",
            vec![],
            json!({"type":"CallClosed","call_id":"C1"}),
        ),
        (
            "application id reused",
            vec![],
            submit("A1", "C2", "T1", "ORG-UNI", 8),
        ),
        (
            "application to unknown call",
            vec![],
            submit("A30", "C9", "T1", "ORG-UNI", 8),
        ),
        (
            "application to closed call",
            vec![],
            submit("A30", "C1", "T3", "ORG-UNI", 8),
        ),
        (
            "application to unknown track",
            vec![],
            submit("A30", "C2", "T9", "ORG-UNI", 8),
        ),
        (
            "application by unknown organization",
            vec![],
            submit("A30", "C2", "T1", "ORG-NONE", 8),
        ),
        (
            "sector not eligible",
            vec![],
            submit("A30", "C2", "T2", "ORG-UNI", 8),
        ),
        (
            "size not eligible",
            vec![],
            submit("A30", "C2", "T2", "ORG-SME", 8),
        ),
        (
            "request not whole servers",
            vec![],
            submit("A30", "C2", "T2", "ORG-STA", 12),
        ),
        (
            "withdrawal of unknown application",
            vec![],
            json!({"type":"ApplicationWithdrawn","application_id":"A99","reason":"r"}),
        ),
        (
            "withdrawal with an active award",
            vec![],
            json!({"type":"ApplicationWithdrawn","application_id":"A1","reason":"r"}),
        ),
        (
            "withdrawal after rejection",
            vec![],
            json!({"type":"ApplicationWithdrawn","application_id":"A11","reason":"r"}),
        ),
        (
            "score of unknown application",
            vec![],
            json!({"type":"ScoreRecorded","application_id":"A99","reviewer_id":"r1","score":50}),
        ),
        (
            "score of awarded application",
            vec![],
            json!({"type":"ScoreRecorded","application_id":"A1","reviewer_id":"r9","score":50}),
        ),
        (
            "second score by one reviewer",
            vec![],
            json!({"type":"ScoreRecorded","application_id":"A2","reviewer_id":"r1","score":50}),
        ),
        (
            "rejection of awarded application",
            vec![],
            json!({"type":"ApplicationRejected","application_id":"A1","reason":"r"}),
        ),
        ("award id reused", vec![], award("AW1", "A2", 8)),
        (
            "award to unknown application",
            vec![],
            award("AW30", "A99", 8),
        ),
        ("award while call open", vec![], award("AW30", "A20", 8)),
        (
            "award to awarded application",
            vec![],
            award("AW30", "A1", 8),
        ),
        ("award with too few reviews", vec![], award("AW30", "A6", 8)),
        ("award over request", vec![], award("AW30", "A10", 32)),
        ("award not whole servers", vec![], award("AW30", "A10", 12)),
        (
            "award over pool's free GPUs",
            vec![],
            award("AW30", "A10", 24),
        ),
        ("award over track total", vec![], award("AW30", "A9", 32)),
        (
            "award over organization share cap",
            vec![],
            award("AW30", "A2", 8),
        ),
        (
            "award term inverted",
            vec![],
            inverted(award("AW30", "A10", 8)),
        ),
        (
            "report on unknown award",
            vec![],
            json!({"type":"UtilizationReported","award_id":"AW99","period_start":"2026-04-01T00:00:00Z","period_end":"2026-04-08T00:00:00Z","utilization_bp":5000,"off_purpose_use":false}),
        ),
        (
            "report on fully recalled award",
            vec![],
            json!({"type":"UtilizationReported","award_id":"AW3","period_start":"2026-04-01T00:00:00Z","period_end":"2026-04-08T00:00:00Z","utilization_bp":5000,"off_purpose_use":false}),
        ),
        (
            "report period inverted",
            vec![],
            json!({"type":"UtilizationReported","award_id":"AW1","period_start":"2026-04-08T00:00:00Z","period_end":"2026-04-08T00:00:00Z","utilization_bp":5000,"off_purpose_use":false}),
        ),
        (
            "recall id reused",
            vec![],
            json!({"type":"RecallIssued","recall_id":"RC1","award_id":"AW1","gpus":8,"reason":"other"}),
        ),
        (
            "recall of unknown award",
            vec![],
            json!({"type":"RecallIssued","recall_id":"RC9","award_id":"AW99","gpus":8,"reason":"other"}),
        ),
        (
            "recall of inactive award",
            vec![],
            json!({"type":"RecallIssued","recall_id":"RC9","award_id":"AW3","gpus":8,"reason":"other"}),
        ),
        (
            "recall over holding",
            vec![],
            json!({"type":"RecallIssued","recall_id":"RC9","award_id":"AW1","gpus":24,"reason":"other"}),
        ),
        (
            "recall not whole servers",
            vec![],
            json!({"type":"RecallIssued","recall_id":"RC9","award_id":"AW1","gpus":4,"reason":"other"}),
        ),
        (
            "redistribution id reused",
            vec![],
            redis("RD1", "RC1", "AW30", "A10", 8),
        ),
        (
            "redistribution to existing award id",
            vec![],
            redis("RD9", "RC1", "AW1", "A10", 8),
        ),
        (
            "redistribution of unknown recall",
            vec![],
            redis("RD9", "RC9", "AW30", "A10", 8),
        ),
        (
            "redistribution over awaiting",
            vec![],
            redis("RD9", "RC1", "AW30", "A10", 16),
        ),
        (
            "redistribution not whole servers",
            vec![],
            redis("RD9", "RC1", "AW30", "A10", 4),
        ),
        (
            "redistribution to unknown application",
            vec![],
            redis("RD9", "RC1", "AW30", "A99", 8),
        ),
        (
            "redistribution to rejected application",
            vec![],
            redis("RD9", "RC1", "AW30", "A11", 8),
        ),
        (
            "redistribution while call open",
            vec![],
            redis("RD9", "RC1", "AW30", "A20", 8),
        ),
        (
            "redistribution with too few reviews",
            vec![],
            redis("RD9", "RC1", "AW30", "A6", 8),
        ),
        (
            "redistribution across pools",
            vec![],
            redis("RD9", "RC1", "AW30", "A2", 8),
        ),
        (
            "redistribution over request",
            vec![],
            redis("RD9", "RC1", "AW30", "A8", 8),
        ),
        (
            "redistribution over organization share cap",
            vec![],
            redis("RD9", "RC2", "AW30", "A2", 8),
        ),
        (
            "redistribution term inverted",
            vec![],
            inverted(redis("RD9", "RC1", "AW30", "A10", 8)),
        ),
        (
            "release of unknown recall",
            vec![],
            json!({"type":"RecallReleased","recall_id":"RC9","gpus":8,"reason":"r"}),
        ),
        (
            "release over awaiting",
            vec![],
            json!({"type":"RecallReleased","recall_id":"RC1","gpus":16,"reason":"r"}),
        ),
        (
            "release not whole servers",
            vec![],
            json!({"type":"RecallReleased","recall_id":"RC1","gpus":4,"reason":"r"}),
        ),
        (
            "end of unknown award",
            vec![],
            json!({"type":"AwardEnded","award_id":"AW99","reason":"term_completed"}),
        ),
        (
            "end of ended award",
            vec![json!({"type":"AwardEnded","award_id":"AW8","reason":"term_completed"})],
            json!({"type":"AwardEnded","award_id":"AW8","reason":"relinquished"}),
        ),
    ];
    let mut report = String::new();
    for (name, extra, event) in cases {
        let mut p = given(&extra);
        let msg = refuse(&mut p, event);
        report.push_str(&format!("{name}:\n  {msg}\n"));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn rule_errors_serialise_with_the_rule_and_ids() {
    let mut p = given(&[]);
    let bytes = ev(
        json!({"type":"AwardGranted","award_id":"AW30","application_id":"A10","gpus":24,"starts_at":"2026-04-01T00:00:00Z","ends_at":"2026-05-01T00:00:00Z"}),
    );
    let err = p.accept(&decode_event(&bytes).unwrap()).unwrap_err();
    insta::assert_json_snapshot!(err.to_json());
}

#[test]
fn a_rolled_back_batch_leaves_no_trace() {
    let (s, e) = term();
    let mut p = given(&[]);
    let before = p.clone();
    let batch = [
        json!({"type":"PoolRegistered","pool_id":"P-NEW","name":"n","source":"owned","gpu_model":"m","gpus":16,"gpus_per_server":8}),
        json!({"type":"OrganizationRegistered","org_id":"ORG-NEW","name":"n","sector":"academia","size":"public","region":"capital"}),
        json!({"type":"PoolResized","pool_id":"P-OWN","gpus":72,"reason":"budget"}),
        json!({"type":"ScoreRecorded","application_id":"A20","reviewer_id":"r-new","score":60}),
        json!({"type":"CallClosed","call_id":"C2"}),
        json!({"type":"AwardGranted","award_id":"AW40","application_id":"A20","gpus":8,"starts_at":s,"ends_at":e}),
        json!({"type":"RecallIssued","recall_id":"RC40","award_id":"AW1","gpus":8,"reason":"underutilization"}),
        json!({"type":"Redistributed","redistribution_id":"RD40","recall_id":"RC40","award_id":"AW42","application_id":"A2","gpus":8,"starts_at":s,"ends_at":e}),
        json!({"type":"RecallReleased","recall_id":"RC1","gpus":8,"reason":"nobody eligible"}),
        json!({"type":"AwardEnded","award_id":"AW8","reason":"term_completed"}),
        json!({"type":"ApplicationWithdrawn","application_id":"A8","reason":"done"}),
        json!({"type":"ApplicationRejected","application_id":"A6","reason":"r"}),
        json!({"type":"CallOpened","call_id":"C3","title":"t","closes_at":"2026-09-30T18:00:00+09:00","tracks":[{"track_id":"T1","pool_id":"P-NEW","gpus":16,"eligible_sectors":["academia"]}]}),
        json!({"type":"ApplicationSubmitted","application_id":"A40","call_id":"C3","track_id":"T1","org_id":"ORG-NEW","title":"t","purpose":"research","requested_gpus":8}),
    ];
    let undo = p.savepoint();
    for v in batch.clone() {
        accept(&mut p, v);
    }
    assert_ne!(p, before);
    p.rollback(undo);
    assert_eq!(p, before, "rollback must restore the state exactly");

    // And the same batch, released, equals accepting it without a savepoint.
    let mut direct = given(&[]);
    for v in batch.clone() {
        accept(&mut direct, v);
    }
    let undo = p.savepoint();
    for v in batch {
        accept(&mut p, v);
    }
    p.release(undo);
    assert_eq!(p, direct);
}
