//! The small histories the rule tests build on, and how they append and refuse.
#![allow(dead_code)]

use gpu_ledger_domain::{Programme, decode_event};
use serde_json::{Value, json};

pub fn ev(mut v: Value) -> Vec<u8> {
    let m = v.as_object_mut().expect("an object");
    m.entry("occurred_at")
        .or_insert(json!("2026-03-02T09:00:00+09:00"));
    m.entry("actor").or_insert(json!("msit"));
    serde_json::to_vec(&v).unwrap()
}

pub fn accept(p: &mut Programme, v: Value) {
    let bytes = ev(v);
    let e =
        decode_event(&bytes).unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&bytes)));
    p.accept(&e)
        .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&bytes)));
}

pub fn term() -> (Value, Value) {
    (
        json!("2026-04-01T00:00:00+09:00"),
        json!("2026-12-31T23:59:59+09:00"),
    )
}

/// Two pools, seven organizations, two calls, awards, recalls and a redistribution.
pub fn base_history() -> Vec<Value> {
    let (s, e) = term();
    let mut h = vec![
        json!({"type":"PoolRegistered","pool_id":"P-OWN","name":"Owned H100","source":"owned","gpu_model":"H100","gpus":64,"gpus_per_server":8}),
        json!({"type":"PoolRegistered","pool_id":"P-CSP","name":"Leased H200","source":"leased","provider":"CSP-A","gpu_model":"H200","gpus":32,"gpus_per_server":8}),
    ];
    for (id, sector, size, region) in [
        ("ORG-SME", "industry", "sme", "non_capital"),
        ("ORG-STA", "industry", "startup", "capital"),
        ("ORG-STA2", "industry", "startup", "non_capital"),
        ("ORG-UNI", "academia", "public", "capital"),
        ("ORG-UNI2", "academia", "large", "non_capital"),
        ("ORG-RES", "research", "public", "non_capital"),
        ("ORG-RES2", "research", "public", "capital"),
    ] {
        h.push(json!({"type":"OrganizationRegistered","org_id":id,"name":format!("{id} name"),"sector":sector,"size":size,"region":region}));
    }
    h.push(json!({"type":"CallOpened","call_id":"C1","title":"First call","closes_at":"2026-03-31T18:00:00+09:00","tracks":[
        {"track_id":"T1","pool_id":"P-OWN","gpus":48,"eligible_sectors":["industry"],"eligible_sizes":["sme","startup"],"min_reviews":2,"max_org_share_bp":3400},
        {"track_id":"T3","pool_id":"P-CSP","gpus":32,"eligible_sectors":["academia","research"],"min_reviews":1,"regional_bonus":5}]}));
    for (app, org, track, gpus) in [
        ("A1", "ORG-SME", "T1", 32),
        ("A2", "ORG-SME", "T1", 16),
        ("A5", "ORG-STA", "T1", 8),
        ("A6", "ORG-STA", "T1", 8),
        ("A9", "ORG-STA2", "T1", 32),
        ("A3", "ORG-UNI", "T3", 16),
        ("A4", "ORG-RES", "T3", 24),
        ("A8", "ORG-UNI2", "T3", 8),
        ("A10", "ORG-RES2", "T3", 24),
        ("A11", "ORG-UNI", "T3", 8),
    ] {
        h.push(json!({"type":"ApplicationSubmitted","application_id":app,"call_id":"C1","track_id":track,"org_id":org,"title":format!("{app} project"),"purpose":"research","requested_gpus":gpus}));
    }
    for (app, reviewers) in [
        ("A1", &["r1", "r2"][..]),
        ("A2", &["r1", "r2"]),
        ("A5", &["r1", "r2"]),
        ("A6", &["r1"]),
        ("A9", &["r1", "r2"]),
        ("A3", &["r1"]),
        ("A4", &["r1"]),
        ("A8", &["r1"]),
        ("A10", &["r1"]),
        ("A11", &["r1"]),
    ] {
        for r in reviewers {
            h.push(json!({"type":"ScoreRecorded","application_id":app,"reviewer_id":r,"score":70,"actor":format!("reviewer:{r}")}));
        }
    }
    h.push(json!({"type":"CallClosed","call_id":"C1"}));
    for (award, app, gpus) in [
        ("AW1", "A1", 16),
        ("AW5", "A5", 8),
        ("AW3", "A3", 16),
        ("AW8", "A8", 8),
    ] {
        h.push(json!({"type":"AwardGranted","award_id":award,"application_id":app,"gpus":gpus,"starts_at":s,"ends_at":e}));
    }
    h.push(
        json!({"type":"ApplicationRejected","application_id":"A11","reason":"below funding line"}),
    );
    h.push(json!({"type":"UtilizationReported","award_id":"AW3","period_start":"2026-04-01T00:00:00+09:00","period_end":"2026-04-08T00:00:00+09:00","utilization_bp":1200,"off_purpose_use":false,"actor":"monitor"}));
    h.push(json!({"type":"RecallIssued","recall_id":"RC1","award_id":"AW3","gpus":16,"reason":"underutilization"}));
    h.push(json!({"type":"RecallIssued","recall_id":"RC2","award_id":"AW5","gpus":8,"reason":"off_purpose_use"}));
    h.push(json!({"type":"Redistributed","redistribution_id":"RD1","recall_id":"RC1","award_id":"AW4R","application_id":"A4","gpus":8,"starts_at":s,"ends_at":e}));
    h.push(json!({"type":"CallOpened","call_id":"C2","title":"Second call","closes_at":"2026-06-30T18:00:00+09:00","tracks":[
        {"track_id":"T1","pool_id":"P-CSP","gpus":8,"eligible_sectors":["academia"],"min_reviews":1},
        {"track_id":"T2","pool_id":"P-OWN","gpus":8,"eligible_sectors":["industry"],"eligible_sizes":["startup"]}]}));
    h.push(json!({"type":"ApplicationSubmitted","application_id":"A20","call_id":"C2","track_id":"T1","org_id":"ORG-UNI","title":"A20 project","purpose":"model_development","requested_gpus":8}));
    h.push(json!({"type":"ScoreRecorded","application_id":"A20","reviewer_id":"r3","score":88}));
    h
}

pub fn given(extra: &[Value]) -> Programme {
    let mut p = Programme::new();
    for v in base_history().into_iter().chain(extra.iter().cloned()) {
        accept(&mut p, v);
    }
    p
}

/// Appends `v` and expects a refusal that leaves the state as it was.
pub fn refuse(p: &mut Programme, v: Value) -> String {
    let bytes = ev(v);
    let e =
        decode_event(&bytes).unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&bytes)));
    let before = p.clone();
    let err = p.accept(&e).expect_err("the event should be refused");
    assert_eq!(*p, before, "a refused event changed the state");
    format!("[{}] {}", err.rule(), err)
}
