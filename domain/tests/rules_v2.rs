//! Vocabulary v2: every new rule broken once with its named error, every new
//! type accepted where the spec allows it, at the boundaries the spec names
//! (exactly `recall_notice_days` after, an exemption requested exactly at
//! `respond_by`, an appeal at the last allowed instant, a supplement up to
//! exactly the request).

mod history;

use gpu_ledger_domain::Programme;
use history::{accept, base_history, given, refuse, term};
use serde_json::{Value, json};

/// The moment the v2 history's notice is given, and its `respond_by`
/// exactly seven days (the call's `recall_notice_days`) later.
const NOTICED: &str = "2026-05-01T10:00:00+09:00";
const RESPOND_BY: &str = "2026-05-08T10:00:00+09:00";

/// A call with notice and appeal periods, two awards on it, a rejection,
/// an open notice, two conflicts and a registered reviewer.
fn v2_history() -> Vec<Value> {
    let (s, e) = term();
    vec![
        json!({"type":"PoolRegistered","pool_id":"P-V2","name":"v2 pool","source":"owned","gpu_model":"B200","gpus":64,"gpus_per_server":8}),
        json!({"type":"CallOpened","call_id":"C3","title":"v2 call","closes_at":"2026-03-31T18:00:00+09:00","recall_notice_days":7,"appeal_days":10,"tracks":[
            {"track_id":"T1","pool_id":"P-V2","gpus":48,"eligible_sectors":["academia","research"],"min_reviews":1}]}),
        json!({"type":"ReviewerRegistered","reviewer_id":"R-REG","name":"Dr. Registered","org_id":"ORG-UNI2"}),
        json!({"type":"ReviewerRegistered","reviewer_id":"R-FREE","name":"Dr. Free"}),
        json!({"type":"ApplicationSubmitted","application_id":"B1","call_id":"C3","track_id":"T1","org_id":"ORG-UNI","title":"B1","purpose":"research","requested_gpus":24}),
        json!({"type":"ApplicationSubmitted","application_id":"B2","call_id":"C3","track_id":"T1","org_id":"ORG-RES","title":"B2","purpose":"research","requested_gpus":16}),
        json!({"type":"ApplicationSubmitted","application_id":"B3","call_id":"C3","track_id":"T1","org_id":"ORG-UNI2","title":"B3","purpose":"research","requested_gpus":8}),
        json!({"type":"ApplicationSubmitted","application_id":"B4","call_id":"C3","track_id":"T1","org_id":"ORG-RES2","title":"B4","purpose":"research","requested_gpus":8}),
        json!({"type":"ScoreRecorded","application_id":"B1","reviewer_id":"r1","score":80}),
        json!({"type":"ScoreRecorded","application_id":"B2","reviewer_id":"r1","score":75}),
        json!({"type":"ScoreRecorded","application_id":"B3","reviewer_id":"r1","score":40}),
        json!({"type":"ScoreRecorded","application_id":"B4","reviewer_id":"r1","score":60}),
        json!({"type":"CallClosed","call_id":"C3"}),
        json!({"type":"AwardGranted","award_id":"AWB1","application_id":"B1","gpus":16,"starts_at":s,"ends_at":e}),
        json!({"type":"AwardGranted","award_id":"AWB2","application_id":"B2","gpus":8,"starts_at":s,"ends_at":e}),
        json!({"type":"ApplicationRejected","application_id":"B3","reason":"below the line"}),
        json!({"type":"RecallNoticed","notice_id":"N1","award_id":"AWB1","gpus":8,"reason":"underutilization","respond_by":RESPOND_BY,"occurred_at":NOTICED}),
        json!({"type":"ConflictDeclared","conflict_id":"CF1","reviewer_id":"r5","application_id":"B4","source":"reported"}),
        json!({"type":"ConflictDeclared","conflict_id":"CF2","reviewer_id":"r6","org_id":"ORG-RES2","source":"self_declared"}),
        json!({"type":"ApplicationSubmitted","application_id":"A21","call_id":"C2","track_id":"T1","org_id":"ORG-UNI2","title":"A21","purpose":"research","requested_gpus":8}),
    ]
}

fn given_v2(extra: &[Value]) -> Programme {
    let all: Vec<Value> = v2_history()
        .into_iter()
        .chain(extra.iter().cloned())
        .collect();
    given(&all)
}

fn at(mut v: Value, occurred_at: &str) -> Value {
    v["occurred_at"] = json!(occurred_at);
    v
}

fn notice(id: &str, award: &str, gpus: u32, respond_by: &str) -> Value {
    json!({"type":"RecallNoticed","notice_id":id,"award_id":award,"gpus":gpus,"reason":"underutilization","respond_by":respond_by,"occurred_at":NOTICED})
}

fn recall(id: &str, award: &str, gpus: u32, notice: Option<&str>) -> Value {
    let mut v = json!({"type":"RecallIssued","recall_id":id,"award_id":award,"gpus":gpus,"reason":"underutilization"});
    if let Some(n) = notice {
        v["notice_id"] = json!(n);
    }
    v
}

fn request(notice: &str) -> Value {
    json!({"type":"ExemptionRequested","notice_id":notice,"reason":"the training run starts in June","occurred_at":"2026-05-03T09:00:00+09:00"})
}

fn decide(notice: &str, granted: bool) -> Value {
    json!({"type":"ExemptionDecided","notice_id":notice,"granted":granted,"reason":"r","occurred_at":"2026-05-04T09:00:00+09:00"})
}

fn appeal(id: &str, app: &str) -> Value {
    json!({"type":"AppealFiled","appeal_id":id,"application_id":app,"reason":"the scores were added wrong"})
}

fn supplement(id: &str, award: &str, gpus: u32) -> Value {
    json!({"type":"AwardSupplemented","supplement_id":id,"award_id":award,"gpus":gpus,"reason":"the model grew"})
}

const AFTER_RESPOND_BY: &str = "2026-05-08T10:00:01+09:00";

#[test]
fn the_v2_history_is_valid_on_top_of_a_v1_one() {
    let p = given_v2(&[]);
    assert_eq!(
        p.events_accepted(),
        (base_history().len() + v2_history().len()) as u64
    );
}

#[test]
fn every_v2_rule_is_refused_with_its_error() {
    let (s, e) = term();
    let cases: Vec<(&str, Vec<Value>, Value)> = vec![
        (
            "reviewer registered twice",
            vec![],
            json!({"type":"ReviewerRegistered","reviewer_id":"R-REG","name":"again"}),
        ),
        (
            "reviewer of an unknown organization",
            vec![],
            json!({"type":"ReviewerRegistered","reviewer_id":"R-NEW","name":"n","org_id":"ORG-NONE"}),
        ),
        (
            "conflict id reused",
            vec![],
            json!({"type":"ConflictDeclared","conflict_id":"CF1","reviewer_id":"r9","org_id":"ORG-UNI","source":"reported"}),
        ),
        (
            "conflict naming neither target",
            vec![],
            json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"r9","source":"reported"}),
        ),
        (
            "conflict naming both targets",
            vec![],
            json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"r9","application_id":"B1","org_id":"ORG-UNI","source":"reported"}),
        ),
        (
            "conflict with an unknown application",
            vec![],
            json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"r9","application_id":"B99","source":"reported"}),
        ),
        (
            "conflict with an unknown organization",
            vec![],
            json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"r9","org_id":"ORG-NONE","source":"reported"}),
        ),
        (
            "conflict declared twice, whatever the source",
            vec![],
            json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"r5","application_id":"B4","source":"office_found"}),
        ),
        (
            "score by a reviewer with a conflict on the application",
            vec![
                json!({"type":"ApplicationSubmitted","application_id":"A22","call_id":"C2","track_id":"T1","org_id":"ORG-UNI","title":"A22","purpose":"research","requested_gpus":8}),
                json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"r5","application_id":"A22","source":"reported"}),
            ],
            json!({"type":"ScoreRecorded","application_id":"A22","reviewer_id":"r5","score":50}),
        ),
        (
            "score by a reviewer with a conflict on the organization",
            vec![
                json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"r6","org_id":"ORG-UNI2","source":"self_declared"}),
            ],
            json!({"type":"ScoreRecorded","application_id":"A21","reviewer_id":"r6","score":50}),
        ),
        (
            "score by a reviewer registered with the applying organization",
            vec![],
            json!({"type":"ScoreRecorded","application_id":"A21","reviewer_id":"R-REG","score":50}),
        ),
        (
            "notice id reused",
            vec![],
            notice("N1", "AWB2", 8, RESPOND_BY),
        ),
        (
            "notice of an unknown award",
            vec![],
            notice("N9", "AW99", 8, RESPOND_BY),
        ),
        (
            "notice of an inactive award",
            vec![],
            notice("N9", "AW3", 8, RESPOND_BY),
        ),
        (
            "notice while another is open",
            vec![],
            notice("N9", "AWB1", 8, RESPOND_BY),
        ),
        (
            "notice over holding",
            vec![],
            notice("N9", "AWB2", 16, RESPOND_BY),
        ),
        (
            "notice not whole servers",
            vec![],
            notice("N9", "AWB2", 4, RESPOND_BY),
        ),
        (
            "notice a second short of the call's days",
            vec![],
            notice("N9", "AWB2", 8, "2026-05-08T09:59:59+09:00"),
        ),
        (
            "notice without days whose respond_by is not after it",
            vec![],
            notice("N9", "AW1", 8, NOTICED),
        ),
        (
            "exemption request on an unknown notice",
            vec![],
            request("N9"),
        ),
        (
            "exemption request on a notice a recall carried out",
            vec![at(recall("RC9", "AWB1", 8, Some("N1")), AFTER_RESPOND_BY)],
            at(request("N1"), AFTER_RESPOND_BY),
        ),
        (
            "second exemption request",
            vec![request("N1")],
            request("N1"),
        ),
        (
            "exemption request after respond_by",
            vec![],
            at(request("N1"), AFTER_RESPOND_BY),
        ),
        (
            "exemption decided on an unknown notice",
            vec![],
            decide("N9", true),
        ),
        (
            "exemption decided without a request",
            vec![],
            decide("N1", true),
        ),
        (
            "exemption decided twice",
            vec![request("N1"), decide("N1", false)],
            decide("N1", true),
        ),
        (
            "recall citing an unknown notice",
            vec![],
            at(recall("RC9", "AWB1", 8, Some("N9")), AFTER_RESPOND_BY),
        ),
        (
            "recall citing another award's notice",
            vec![],
            at(recall("RC9", "AWB2", 8, Some("N1")), AFTER_RESPOND_BY),
        ),
        (
            "recall citing an exempted notice",
            vec![request("N1"), decide("N1", true)],
            at(recall("RC9", "AWB1", 8, Some("N1")), AFTER_RESPOND_BY),
        ),
        (
            "recall for another reason than the notice's",
            vec![],
            at(
                json!({"type":"RecallIssued","recall_id":"RC9","award_id":"AWB1","gpus":8,"reason":"off_purpose_use","notice_id":"N1"}),
                AFTER_RESPOND_BY,
            ),
        ),
        (
            "recall of more than the notice named",
            vec![],
            at(recall("RC9", "AWB1", 16, Some("N1")), AFTER_RESPOND_BY),
        ),
        (
            "recall while the exemption request is undecided",
            vec![request("N1")],
            at(recall("RC9", "AWB1", 8, Some("N1")), AFTER_RESPOND_BY),
        ),
        (
            "recall exactly at respond_by with no request",
            vec![],
            at(recall("RC9", "AWB1", 8, Some("N1")), RESPOND_BY),
        ),
        (
            "recall without a notice on a call that needs one",
            vec![],
            recall("RC9", "AWB2", 8, None),
        ),
        (
            "appeal id reused",
            vec![appeal("AP1", "B3")],
            appeal("AP1", "B3"),
        ),
        (
            "appeal of an unknown application",
            vec![],
            appeal("AP9", "B99"),
        ),
        (
            "appeal of an application that is not rejected",
            vec![],
            appeal("AP9", "B1"),
        ),
        (
            "appeal a second after the call's days",
            vec![],
            at(appeal("AP9", "B3"), "2026-03-12T09:00:01+09:00"),
        ),
        (
            "second appeal of one rejection",
            vec![
                appeal("AP1", "B3"),
                json!({"type":"AppealDecided","appeal_id":"AP1","upheld":false,"reason":"r"}),
            ],
            appeal("AP2", "B3"),
        ),
        (
            "decision on an unknown appeal",
            vec![],
            json!({"type":"AppealDecided","appeal_id":"AP9","upheld":true,"reason":"r"}),
        ),
        (
            "appeal decided twice",
            vec![
                appeal("AP1", "B3"),
                json!({"type":"AppealDecided","appeal_id":"AP1","upheld":false,"reason":"r"}),
            ],
            json!({"type":"AppealDecided","appeal_id":"AP1","upheld":true,"reason":"r"}),
        ),
        (
            "decision on an appeal closed by a withdrawal",
            vec![
                appeal("AP1", "B3"),
                json!({"type":"ApplicationWithdrawn","application_id":"B3","reason":"r"}),
            ],
            json!({"type":"AppealDecided","appeal_id":"AP1","upheld":true,"reason":"r"}),
        ),
        (
            "extension of an unknown award",
            vec![],
            json!({"type":"AwardExtended","award_id":"AW99","ends_at":"2027-06-30T00:00:00+09:00","reason":"r"}),
        ),
        (
            "extension of an inactive award",
            vec![],
            json!({"type":"AwardExtended","award_id":"AW3","ends_at":"2027-06-30T00:00:00+09:00","reason":"r"}),
        ),
        (
            "extension to the current end",
            vec![],
            json!({"type":"AwardExtended","award_id":"AWB1","ends_at":e,"reason":"r"}),
        ),
        (
            "extension of a redistributed award to before its own end",
            vec![],
            json!({"type":"AwardExtended","award_id":"AW4R","ends_at":s,"reason":"r"}),
        ),
        (
            "supplement id reused",
            vec![supplement("SP1", "AWB2", 8)],
            supplement("SP1", "AWB2", 8),
        ),
        (
            "supplement of an unknown award",
            vec![],
            supplement("SP9", "AW99", 8),
        ),
        (
            "supplement of an inactive award",
            vec![],
            supplement("SP9", "AW3", 8),
        ),
        (
            "supplement not whole servers",
            vec![],
            supplement("SP9", "AWB2", 4),
        ),
        (
            "supplement over the pool's free GPUs",
            vec![],
            supplement("SP9", "AWB2", 48),
        ),
        (
            "supplement over the track's awarded total",
            vec![],
            supplement("SP9", "AWB1", 32),
        ),
        (
            "supplement over the request",
            vec![],
            supplement("SP9", "AWB1", 16),
        ),
        (
            "supplement over the organization's share cap",
            vec![],
            supplement("SP9", "AW1", 8),
        ),
        (
            "output id reused",
            vec![
                json!({"type":"OutputReported","output_id":"O1","award_id":"AWB1","kind":"paper","title":"t"}),
            ],
            json!({"type":"OutputReported","output_id":"O1","award_id":"AWB2","kind":"model","title":"t"}),
        ),
        (
            "output of an unknown award",
            vec![],
            json!({"type":"OutputReported","output_id":"O9","award_id":"AW99","kind":"dataset","title":"t"}),
        ),
    ];
    let mut report = String::new();
    for (name, extra, event) in cases {
        let mut p = given_v2(&extra);
        let msg = refuse(&mut p, event);
        report.push_str(&format!("{name}:\n  {msg}\n"));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn a_notice_exactly_the_calls_days_ahead_is_accepted() {
    // The v2 history's N1 is given with respond_by exactly seven days after.
    let mut p = given_v2(&[]);
    // A recall that cites it must wait for respond_by to pass: one second after is enough.
    accept(
        &mut p,
        at(recall("RC9", "AWB1", 8, Some("N1")), AFTER_RESPOND_BY),
    );
    // The notice is closed now: a new one may be given.
    accept(
        &mut p,
        at(
            notice("N2", "AWB1", 8, "2026-06-01T00:00:00+09:00"),
            NOTICED,
        ),
    );
}

#[test]
fn an_exemption_asked_exactly_at_respond_by_is_heard() {
    let mut p = given_v2(&[]);
    accept(&mut p, at(request("N1"), RESPOND_BY));
    // Refused: the recall may come at once, even before respond_by would have passed.
    accept(&mut p, decide("N1", false));
    accept(
        &mut p,
        at(
            recall("RC9", "AWB1", 8, Some("N1")),
            "2026-05-04T10:00:00+09:00",
        ),
    );
}

#[test]
fn a_granted_exemption_closes_the_notice_for_good() {
    let mut p = given_v2(&[request("N1"), decide("N1", true)]);
    // A new notice may be given, and a recall must cite it.
    accept(
        &mut p,
        at(
            notice("N2", "AWB1", 8, "2026-06-01T00:00:00+09:00"),
            NOTICED,
        ),
    );
    let refused = refuse(
        &mut p,
        at(recall("RC9", "AWB1", 8, Some("N1")), AFTER_RESPOND_BY),
    );
    assert!(refused.starts_with("[notice_not_open]"), "{refused}");
}

#[test]
fn an_undecided_request_may_be_decided_after_its_award_ended() {
    let mut p = given_v2(&[request("N1")]);
    accept(
        &mut p,
        json!({"type":"AwardEnded","award_id":"AWB1","reason":"relinquished","occurred_at":"2026-05-04T08:00:00+09:00"}),
    );
    accept(&mut p, decide("N1", false));
}

#[test]
fn a_recall_for_withdrawal_needs_no_notice() {
    let mut p = given_v2(&[]);
    accept(
        &mut p,
        json!({"type":"RecallIssued","recall_id":"RC9","award_id":"AWB2","gpus":8,"reason":"withdrawal"}),
    );
}

#[test]
fn an_appeal_on_the_last_allowed_instant_is_heard_and_upheld_reopens_the_application() {
    let (s, e) = term();
    // Rejected at 2026-03-02T09:00:00+09:00; the call gives ten days.
    let mut p = given_v2(&[]);
    accept(&mut p, at(appeal("AP1", "B3"), "2026-03-12T09:00:00+09:00"));
    accept(
        &mut p,
        json!({"type":"AppealDecided","appeal_id":"AP1","upheld":true,"reason":"r"}),
    );
    // Pending again: it keeps its score, may be scored again and awarded.
    accept(
        &mut p,
        json!({"type":"ScoreRecorded","application_id":"B3","reviewer_id":"r2","score":70}),
    );
    accept(
        &mut p,
        json!({"type":"AwardGranted","award_id":"AWB3","application_id":"B3","gpus":8,"starts_at":s,"ends_at":e}),
    );
}

#[test]
fn a_new_rejection_after_an_upheld_appeal_may_be_appealed_again() {
    let mut p = given_v2(&[
        appeal("AP1", "B3"),
        json!({"type":"AppealDecided","appeal_id":"AP1","upheld":true,"reason":"r"}),
    ]);
    accept(
        &mut p,
        at(
            json!({"type":"ApplicationRejected","application_id":"B3","reason":"still below"}),
            "2026-04-01T09:00:00+09:00",
        ),
    );
    accept(&mut p, at(appeal("AP2", "B3"), "2026-04-05T09:00:00+09:00"));
}

#[test]
fn withdrawing_a_rejected_application_closes_its_open_appeal() {
    let mut p = given_v2(&[appeal("AP1", "B3")]);
    accept(
        &mut p,
        json!({"type":"ApplicationWithdrawn","application_id":"B3","reason":"found other GPUs"}),
    );
}

#[test]
fn a_supplement_up_to_exactly_the_request_is_accepted_and_counts_everywhere() {
    let mut p = given_v2(&[]);
    // B1 requested 24 and holds 16.
    accept(&mut p, supplement("SP1", "AWB1", 8));
    // The award now holds 24: a recall of all of it is possible.
    accept(
        &mut p,
        json!({"type":"RecallIssued","recall_id":"RC9","award_id":"AWB1","gpus":24,"reason":"withdrawal"}),
    );
}

#[test]
fn supplements_count_toward_the_tracks_awarded_total_for_later_grants() {
    let (s, e) = term();
    let mut p = given_v2(&[
        json!({"type":"PoolRegistered","pool_id":"P-S","name":"s","source":"owned","gpu_model":"m","gpus":64,"gpus_per_server":8}),
        json!({"type":"CallOpened","call_id":"C4","title":"t","closes_at":"2026-03-31T18:00:00+09:00","tracks":[
            {"track_id":"T1","pool_id":"P-S","gpus":32,"eligible_sectors":["academia"],"min_reviews":1}]}),
        json!({"type":"ApplicationSubmitted","application_id":"X","call_id":"C4","track_id":"T1","org_id":"ORG-UNI","title":"X","purpose":"research","requested_gpus":32}),
        json!({"type":"ApplicationSubmitted","application_id":"Y","call_id":"C4","track_id":"T1","org_id":"ORG-UNI2","title":"Y","purpose":"research","requested_gpus":16}),
        json!({"type":"ScoreRecorded","application_id":"X","reviewer_id":"r1","score":90}),
        json!({"type":"ScoreRecorded","application_id":"Y","reviewer_id":"r1","score":80}),
        json!({"type":"CallClosed","call_id":"C4"}),
        json!({"type":"AwardGranted","award_id":"AWX","application_id":"X","gpus":16,"starts_at":s,"ends_at":e}),
        supplement("SPX", "AWX", 8),
    ]);
    // 16 granted + 8 supplemented + 16 would be 40 of the track's 32.
    let refused = refuse(
        &mut p,
        json!({"type":"AwardGranted","award_id":"AWY","application_id":"Y","gpus":16,"starts_at":s,"ends_at":e}),
    );
    assert!(
        refused.starts_with("[track_total_exceeded]") && refused.contains("to 40 awarded GPUs"),
        "{refused}"
    );
}

#[test]
fn an_extension_of_a_redistributed_award_compares_with_its_own_end() {
    let mut p = given_v2(&[]);
    accept(
        &mut p,
        json!({"type":"AwardExtended","award_id":"AW4R","ends_at":"2027-03-31T23:59:59+09:00","reason":"r"}),
    );
    accept(
        &mut p,
        json!({"type":"AwardExtended","award_id":"AW4R","ends_at":"2027-06-30T23:59:59+09:00","reason":"again"}),
    );
}

#[test]
fn outputs_come_after_a_term_too_and_conflicts_never_rejudge_a_score() {
    let mut p = given_v2(&[]);
    accept(
        &mut p,
        json!({"type":"AwardEnded","award_id":"AWB2","reason":"term_completed"}),
    );
    accept(
        &mut p,
        json!({"type":"OutputReported","output_id":"O1","award_id":"AWB2","kind":"paper","title":"A paper","reference":"doi:10.1000/182"}),
    );
    // r1 scored B4 already; declaring its conflict now is allowed.
    accept(
        &mut p,
        json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"r1","application_id":"B4","source":"office_found"}),
    );
}

#[test]
fn a_rolled_back_v2_batch_leaves_no_trace() {
    let mut p = given_v2(&[]);
    let before = p.clone();
    let batch = [
        json!({"type":"ReviewerRegistered","reviewer_id":"R-NEW","name":"n","org_id":"ORG-RES"}),
        json!({"type":"ConflictDeclared","conflict_id":"CF9","reviewer_id":"R-NEW","org_id":"ORG-UNI","source":"reported"}),
        request("N1"),
        decide("N1", false),
        at(
            recall("RC9", "AWB1", 8, Some("N1")),
            "2026-05-05T10:00:00+09:00",
        ),
        appeal("AP1", "B3"),
        json!({"type":"AppealDecided","appeal_id":"AP1","upheld":true,"reason":"r"}),
        json!({"type":"AwardExtended","award_id":"AWB2","ends_at":"2027-06-30T00:00:00+09:00","reason":"r"}),
        supplement("SP1", "AWB2", 8),
        json!({"type":"OutputReported","output_id":"O1","award_id":"AWB2","kind":"model","title":"t"}),
    ];
    let undo = p.savepoint();
    for v in batch {
        accept(&mut p, v);
    }
    assert_ne!(p, before);
    p.rollback(undo);
    assert_eq!(p, before, "rollback must restore the state exactly");
}
