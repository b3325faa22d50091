//! The benchmark workload: exactly N events, every one accepted by the
//! domain's rules in order, the same bytes for the same seed, and the shape
//! of a real programme (every kind of event, weekly reports the bulk).
//!
//! Sizes stay at or below 50,000 events so the test suite stays fast; the
//! generator has no size-dependent rule logic beyond the scale of the
//! programme, which these sizes already vary.

use gpu_ledger_domain::{Programme, decode_event};
use gpu_ledger_testkit::workload::{Summary, history_bytes};

/// Replays a history through one programme; panics at the first refusal.
fn replay(bytes: &[u8]) -> u64 {
    assert!(
        bytes.is_empty() || bytes.ends_with(b"\n"),
        "lines end with a newline"
    );
    let mut programme = Programme::new();
    let mut lines = 0;
    for (n, line) in bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let text = String::from_utf8_lossy(line);
        let event = decode_event(line).unwrap_or_else(|e| panic!("line {}: {e}\n{text}", n + 1));
        programme
            .accept(&event)
            .unwrap_or_else(|e| panic!("line {}: {e}\n{text}", n + 1));
        lines += 1;
    }
    lines
}

fn generate(events: u64, seed: u64) -> (Vec<u8>, Summary) {
    let (bytes, summary) = history_bytes(events, seed);
    assert_eq!(summary.tally.events, events, "exactly the events asked for");
    assert_eq!(summary.tally.bytes, bytes.len() as u64);
    (bytes, summary)
}

#[test]
fn every_event_passes_the_rules_for_several_seeds_and_sizes() {
    for (events, seed) in [
        (1, 1),
        (7, 2),
        (500, 3),
        (4_000, 4),
        (20_000, 5),
        (50_000, 6),
    ] {
        let (bytes, _) = generate(events, seed);
        assert_eq!(replay(&bytes), events, "{events} events, seed {seed}");
    }
}

#[test]
fn no_events_is_an_empty_file() {
    let (bytes, summary) = generate(0, 1);
    assert!(bytes.is_empty());
    assert_eq!(summary.tally.events, 0);
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_others() {
    let (a, _) = generate(10_000, 42);
    let (b, _) = generate(10_000, 42);
    let (c, _) = generate(10_000, 43);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_shorter_history_is_not_a_prefix_but_a_smaller_programme() {
    // The programme's size follows N, so N is part of the workload's identity.
    let (small, s) = generate(20_000, 9);
    let (large, l) = generate(50_000, 9);
    assert!(s.applications < l.applications);
    assert!(!large.starts_with(&small));
}

#[test]
fn the_history_tells_the_whole_programme() {
    let (bytes, summary) = generate(50_000, 11);
    assert_eq!(replay(&bytes), 50_000);
    let tally = &summary.tally;
    for event_type in [
        "PoolRegistered",
        "PoolResized",
        "OrganizationRegistered",
        "CallOpened",
        "CallClosed",
        "ApplicationSubmitted",
        "ApplicationWithdrawn",
        "ScoreRecorded",
        "ApplicationRejected",
        "AwardGranted",
        "UtilizationReported",
        "RecallIssued",
        "Redistributed",
        "RecallReleased",
        "AwardEnded",
    ] {
        assert!(tally.of(event_type) > 0, "no {event_type} in {tally:?}");
    }
    let submitted = tally.of("ApplicationSubmitted");
    assert!(
        tally.of("ScoreRecorded") >= 3 * submitted * 9 / 10,
        "about three or more scores per application: {tally:?}"
    );
    assert!(
        tally.of("UtilizationReported") * 2 > tally.events,
        "weekly reports are most of a large history: {tally:?}"
    );
    assert!(summary.calls >= 4, "several calls: {summary:?}");
}

#[test]
fn free_text_carries_korean_quotes_and_control_characters() {
    let (bytes, _) = generate(20_000, 3);
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.contains("한국어"));
    assert!(text.contains("\\\""));
    assert!(text.contains("\\n"));
}
