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
