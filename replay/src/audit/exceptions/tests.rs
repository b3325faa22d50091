//! The finder as a whole: events fed to a catalog and to every detector
//! directly, without the rules, so that what a ledger that passed them can
//! never hold can still be detected.

use super::*;
use gpu_ledger_domain::{Event, decode_event};
use gpu_ledger_ledger::Hash;

fn find(lines: &[&str]) -> Vec<Exception> {
    let mut cat = Catalog::default();
    let mut finder = ExceptionFinder::new(Settings::default());
    for (i, line) in lines.iter().enumerate() {
        let event: Event = decode_event(line.as_bytes()).expect(line);
        let step = Checked {
            seq: i as u64 + 1,
            hash: Hash([i as u8; 32]),
            recorded_at: Default::default(),
            event: &event,
        };
        finder.apply(&cat, &step);
        cat.apply(&event);
    }
    finder.finish(&cat)
}

const SETUP: [&str; 6] = [
    r#"{"type":"PoolRegistered","occurred_at":"2026-01-01T00:00:00Z","actor":"msit","pool_id":"P","name":"p","source":"owned","gpu_model":"H100","gpus":800,"gpus_per_server":8}"#,
    r#"{"type":"OrganizationRegistered","occurred_at":"2026-01-01T00:00:01Z","actor":"msit","org_id":"O:1","name":"o","sector":"academia","size":"large","region":"capital"}"#,
    r#"{"type":"CallOpened","occurred_at":"2026-01-01T00:00:02Z","actor":"msit","call_id":"C","title":"c","closes_at":"2026-02-01T00:00:00Z","tracks":[{"track_id":"T","pool_id":"P","gpus":80,"eligible_sectors":["academia"],"min_reviews":1,"max_org_share_bp":5000}]}"#,
    r#"{"type":"ApplicationSubmitted","occurred_at":"2026-01-02T00:00:00Z","actor":"org:O:1:kim","application_id":"A","call_id":"C","track_id":"T","org_id":"O:1","title":"t","purpose":"research","requested_gpus":64}"#,
    r#"{"type":"ScoreRecorded","occurred_at":"2026-01-03T00:00:00Z","actor":"org:O:1","application_id":"A","reviewer_id":"r1","score":70}"#,
    r#"{"type":"CallClosed","occurred_at":"2026-02-01T00:00:00Z","actor":"msit","call_id":"C"}"#,
];

#[test]
fn a_share_over_the_cap_is_found_although_the_rules_forbid_it() {
    let mut lines = SETUP.to_vec();
    lines.push(r#"{"type":"AwardGranted","occurred_at":"2026-02-02T00:00:00Z","actor":"msit","award_id":"W","application_id":"A","gpus":48,"starts_at":"2026-02-03T00:00:00Z","ends_at":"2026-12-31T00:00:00Z"}"#);
    let found = find(&lines);
    let kinds: Vec<Kind> = found.iter().map(Exception::kind).collect();
    assert_eq!(
        kinds,
        [Kind::OrgShareOverCap, Kind::ReviewerConflictOfInterest]
    );
    let Exception::OrgShareOverCap(share) = &found[0] else {
        unreachable!()
    };
    assert_eq!((share.held_gpus, share.share_bp), (48, 6000));
    let seqs: Vec<u64> = share.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [2, 3, 7]);
}

#[test]
fn gpus_still_awaiting_at_the_end_count_from_the_recall_to_the_last_event() {
    let mut lines = SETUP.to_vec();
    lines.extend([
        r#"{"type":"AwardGranted","occurred_at":"2026-02-02T00:00:00Z","actor":"msit","award_id":"W","application_id":"A","gpus":40,"starts_at":"2026-02-03T00:00:00Z","ends_at":"2026-12-31T00:00:00Z"}"#,
        r#"{"type":"RecallIssued","occurred_at":"2026-03-01T00:00:00Z","actor":"msit","recall_id":"R","award_id":"W","gpus":8,"reason":"withdrawal"}"#,
        r#"{"type":"PoolResized","occurred_at":"2026-03-31T00:00:00Z","actor":"msit","pool_id":"P","gpus":800,"reason":"same"}"#,
    ]);
    // Exactly 30 days is not longer than 30 days.
    assert!(
        !find(&lines)
            .iter()
            .any(|x| x.kind() == Kind::RecallAwaitingTooLong)
    );
    lines.push(r#"{"type":"PoolResized","occurred_at":"2026-03-31T00:00:00.000000001Z","actor":"msit","pool_id":"P","gpus":800,"reason":"same"}"#);
    let found = find(&lines);
    let Some(Exception::RecallAwaitingTooLong(x)) = found
        .iter()
        .find(|x| x.kind() == Kind::RecallAwaitingTooLong)
    else {
        panic!("{found:?}")
    };
    assert_eq!((x.gpus_over_limit, x.still_awaiting), (8, 8));
    assert_eq!(x.longest_wait_seconds, 30 * 86_400);
    let seqs: Vec<u64> = x.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [8, 10]);
}

#[test]
fn each_kind_is_named_as_its_module() {
    for kind in Kind::ALL {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
}

/// The setup, an award `W` of 40 GPUs, and `more` after it.
fn awarded<'a>(more: &[&'a str]) -> Vec<&'a str> {
    let mut lines = SETUP.to_vec();
    lines.push(r#"{"type":"AwardGranted","occurred_at":"2026-02-02T00:00:00Z","actor":"msit","award_id":"W","application_id":"A","gpus":40,"starts_at":"2026-02-03T00:00:00Z","ends_at":"2026-12-31T00:00:00Z"}"#);
    lines.extend(more);
    lines
}

fn of_kind(lines: &[&str], kind: Kind) -> Vec<Exception> {
    find(lines)
        .into_iter()
        .filter(|x| x.kind() == kind)
        .collect()
}

const NOTICE: &str = r#"{"type":"RecallNoticed","occurred_at":"2026-03-01T00:00:00Z","actor":"msit","notice_id":"N","award_id":"W","gpus":8,"reason":"other","respond_by":"2026-03-10T00:00:00Z"}"#;

#[test]
fn a_notice_closed_late_by_an_exemption_or_the_end_of_its_award_is_overdue() {
    let granted = r#"{"type":"ExemptionDecided","occurred_at":"2026-03-24T00:00:00.000000001Z","actor":"msit","notice_id":"N","granted":true,"reason":"r"}"#;
    let requested = r#"{"type":"ExemptionRequested","occurred_at":"2026-03-09T00:00:00Z","actor":"org:O:1","notice_id":"N","reason":"r"}"#;
    let ended = r#"{"type":"AwardEnded","occurred_at":"2026-03-25T00:00:00Z","actor":"msit","award_id":"W","reason":"term_completed"}"#;
    let found = of_kind(
        &awarded(&[NOTICE, requested, granted, ended]),
        Kind::NoticeOverdue,
    );
    let [Exception::NoticeOverdue(x)] = &found[..] else {
        panic!("{found:?}")
    };
    assert!(!x.still_open);
    assert_eq!(x.overdue_seconds, 14 * 86_400);
    let seqs: Vec<u64> = x.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [8, 9, 10]);
    // Closed by the end of its award, 46 days past its respond_by.
    let ended_late = ended.replace("03-25", "04-25");
    let lines = awarded(&[NOTICE, &ended_late]);
    let found = of_kind(&lines, Kind::NoticeOverdue);
    let [Exception::NoticeOverdue(x)] = &found[..] else {
        panic!("{found:?}")
    };
    assert_eq!((x.still_open, x.overdue_seconds), (false, 46 * 86_400));
    // Every GPU recalled without citing it: the award is no longer active.
    let recalled = r#"{"type":"RecallIssued","occurred_at":"2026-03-20T00:00:00Z","actor":"msit","recall_id":"R","award_id":"W","gpus":40,"reason":"withdrawal"}"#;
    let later = r#"{"type":"PoolResized","occurred_at":"2026-06-01T00:00:00Z","actor":"msit","pool_id":"P","gpus":800,"reason":"same"}"#;
    assert!(of_kind(&awarded(&[NOTICE, recalled, later]), Kind::NoticeOverdue).is_empty());
}

#[test]
fn an_appeal_is_closed_by_its_decision_or_the_applications_withdrawal() {
    let rejected = r#"{"type":"ApplicationRejected","occurred_at":"2026-02-02T00:00:00Z","actor":"msit","application_id":"A","reason":"r"}"#;
    let filed = r#"{"type":"AppealFiled","occurred_at":"2026-02-03T00:00:00Z","actor":"org:O:1","appeal_id":"AP","application_id":"A","reason":"r"}"#;
    let withdrawn = r#"{"type":"ApplicationWithdrawn","occurred_at":"2026-03-05T00:00:00Z","actor":"org:O:1","application_id":"A","reason":"r"}"#;
    let later = r#"{"type":"PoolResized","occurred_at":"2026-06-01T00:00:00Z","actor":"msit","pool_id":"P","gpus":800,"reason":"same"}"#;
    let mut lines = SETUP.to_vec();
    lines.extend([rejected, filed, withdrawn, later]);
    // 30 days exactly, then nothing open at the end.
    assert!(of_kind(&lines, Kind::AppealUndecidedTooLong).is_empty());
    lines.remove(lines.len() - 2);
    let found = of_kind(&lines, Kind::AppealUndecidedTooLong);
    let [Exception::AppealUndecidedTooLong(x)] = &found[..] else {
        panic!("{found:?}")
    };
    assert!(x.still_open);
    let seqs: Vec<u64> = x.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [7, 8, 9]);
}
