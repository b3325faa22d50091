//! `examples/march-2026.jsonl`: the generator's output byte for byte, every
//! line accepted by the domain's rules in order, and the figures of the news
//! report (shared/spec/programme.md) reproduced exactly.
//!
//! The checks read the committed file, as an importer or auditor would, and
//! count everything from its events, never from the generator's own plan.

use gpu_ledger_domain::organization::{Region, Sector};
use gpu_ledger_domain::recall::RecallReason;
use gpu_ledger_domain::{Body, Event, Programme, decode_event};
use gpu_ledger_testkit::example::march_2026_history;
use gpu_ledger_testkit::history::{EXAMPLE, to_jsonl};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

const FIRST_CALL: &str = "CALL-2025-01";
const FOLLOW_UP_CALL: &str = "CALL-2026-01";
const REGENERATE: &str =
    "cargo run -p gpu-ledger-testkit -- example --out examples/march-2026.jsonl";

fn committed_bytes() -> Vec<u8> {
    std::fs::read(EXAMPLE).unwrap_or_else(|e| {
        panic!("cannot read examples/march-2026.jsonl ({e}); run `{REGENERATE}`")
    })
}

/// The committed example's events, in file order.
/// The events of the first part (the round and its monitoring), which the
/// chapters after it only follow.
fn first_part(mut events: Vec<Event>) -> Vec<Event> {
    events.truncate(gpu_ledger_testkit::history::FIRST_PART_EVENTS);
    events
}

fn committed_events() -> Vec<Event> {
    let bytes = committed_bytes();
    let text = std::str::from_utf8(&bytes).expect("the example is UTF-8");
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            decode_event(line.as_bytes()).unwrap_or_else(|e| panic!("line {}: {e}", n + 1))
        })
        .collect()
}

#[test]
fn committed_example_is_the_generators_output() {
    let generated = to_jsonl(&march_2026_history());
    let committed = committed_bytes();
    if committed != generated.as_bytes() {
        let first_difference = String::from_utf8_lossy(&committed)
            .lines()
            .zip(generated.lines())
            .position(|(c, g)| c != g)
            .map_or_else(
                || "a missing or extra line at the end".to_owned(),
                |n| format!("line {}", n + 1),
            );
        panic!(
            "examples/march-2026.jsonl is not the generator's output (first difference: {first_difference}); \
             regenerate it with `{REGENERATE}`"
        );
    }
}

#[test]
fn the_generator_is_deterministic() {
    assert_eq!(march_2026_history(), march_2026_history());
}

#[test]
fn the_file_is_json_lines_of_a_few_thousand_events() {
    let bytes = committed_bytes();
    assert!(bytes.ends_with(b"\n"), "the file ends with a newline");
    assert!(!bytes.contains(&b'\r'), "lines end with \\n only");
    let lines = bytes.split(|&b| b == b'\n').count() - 1;
    assert!(
        (4000..=8000).contains(&lines),
        "{lines} events, expected a few thousand"
    );
}

#[test]
fn every_event_is_accepted_by_the_rules_in_order() {
    let mut programme = Programme::new();
    for (n, event) in committed_events().iter().enumerate() {
        programme
            .accept(event)
            .unwrap_or_else(|e| panic!("line {} is refused: {e}", n + 1));
    }
    assert!(programme.events_accepted() >= 4000);
}

#[test]
fn business_time_strictly_increases() {
    let events = committed_events();
    for (n, pair) in events.windows(2).enumerate() {
        assert!(
            pair[0].occurred_at.instant() < pair[1].occurred_at.instant(),
            "line {} is not later than line {}",
            n + 2,
            n + 1
        );
    }
}

/// What the report says of one sector in the first call.
#[derive(Debug, Default, PartialEq, Eq)]
struct SectorFigures {
    applications: u32,
    requested_gpus: u32,
    awards: u32,
    awarded_gpus: u32,
}

/// The first call's figures per sector, counted from the events: sectors
/// come from the organizations' registrations.
fn first_call_figures(events: &[Event]) -> BTreeMap<Sector, SectorFigures> {
    let mut sector_of_org = HashMap::new();
    let mut first_call_apps = HashMap::new();
    let mut figures: BTreeMap<Sector, SectorFigures> = BTreeMap::new();
    for event in events {
        match &event.body {
            Body::OrganizationRegistered(b) => {
                sector_of_org.insert(b.org_id.as_str().to_owned(), b.sector);
            }
            Body::ApplicationSubmitted(b) if b.call_id.as_str() == FIRST_CALL => {
                assert_eq!(
                    b.requested_gpus % 8,
                    0,
                    "{} asks whole servers",
                    b.application_id
                );
                let sector = sector_of_org[b.org_id.as_str()];
                first_call_apps.insert(
                    b.application_id.as_str().to_owned(),
                    (sector, b.requested_gpus),
                );
                let f = figures.entry(sector).or_default();
                f.applications += 1;
                f.requested_gpus += b.requested_gpus;
            }
            Body::AwardGranted(b) => {
                if let Some(&(sector, requested)) = first_call_apps.get(b.application_id.as_str()) {
                    assert!(b.gpus <= requested, "{} grants more than asked", b.award_id);
                    assert_eq!(b.gpus % 8, 0, "{} grants whole servers", b.award_id);
                    let f = figures.entry(sector).or_default();
                    f.awards += 1;
                    f.awarded_gpus += b.gpus;
                }
            }
            _ => {}
        }
    }
    figures
}

#[test]
fn the_first_call_has_the_reports_figures() {
    let figures = first_call_figures(&committed_events());
    let expected = |applications, requested_gpus, awards, awarded_gpus| SectorFigures {
        applications,
        requested_gpus,
        awards,
        awarded_gpus,
    };
    assert_eq!(figures[&Sector::Academia], expected(300, 8600, 96, 2624));
    assert_eq!(figures[&Sector::Industry], expected(170, 4096, 49, 1288));
    assert_eq!(figures[&Sector::Research], expected(44, 1016, 14, 312));

    let total = |f: fn(&SectorFigures) -> u32| figures.values().map(f).sum::<u32>();
    assert_eq!(total(|f| f.applications), 514, "proposals received");
    assert_eq!(total(|f| f.requested_gpus), 13_712, "GPUs requested");
    assert_eq!(total(|f| f.requested_gpus) / 8, 1714, "servers requested");
    assert_eq!(total(|f| f.awards), 159, "proposals selected");
    assert_eq!(total(|f| f.awarded_gpus), 4224, "GPUs awarded");
    assert_eq!(total(|f| f.awarded_gpus) / 8, 528, "servers awarded");
}

/// A proposal's standing for ranking: the sum of its scores plus the
/// regional bonus for each, over their number; compared as fractions.
#[derive(Debug, Default, Clone, Copy)]
struct Standing {
    points: u64,
    scores: u64,
}

impl Standing {
    fn cmp_mean(&self, other: &Standing) -> Ordering {
        (self.points * other.scores).cmp(&(other.points * self.scores))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Pending,
    Awarded,
    Rejected,
}

/// A first-call proposal as an auditor sees it at the end of the history.
#[derive(Debug)]
struct Proposal {
    track: String,
    region: Region,
    standing: Standing,
    fate: Fate,
}

#[test]
fn first_call_awards_follow_the_ranking_and_every_proposal_is_reviewed_before_the_close() {
    let events = committed_events();
    let mut region_of_org = HashMap::new();
    let mut bonus_of_track = HashMap::new();
    let mut min_reviews_of_track = HashMap::new();
    let mut proposals: BTreeMap<String, Proposal> = BTreeMap::new();
    let mut closed = false;
    for event in &events {
        match &event.body {
            Body::OrganizationRegistered(b) => {
                region_of_org.insert(b.org_id.as_str().to_owned(), b.region);
            }
            Body::CallOpened(b) if b.call_id.as_str() == FIRST_CALL => {
                for t in &b.tracks {
                    bonus_of_track.insert(t.track_id.as_str().to_owned(), t.regional_bonus());
                    min_reviews_of_track.insert(t.track_id.as_str().to_owned(), t.min_reviews());
                }
            }
            Body::CallClosed(b) if b.call_id.as_str() == FIRST_CALL => closed = true,
            Body::ApplicationSubmitted(b) if b.call_id.as_str() == FIRST_CALL => {
                let proposal = Proposal {
                    track: b.track_id.as_str().to_owned(),
                    region: region_of_org[b.org_id.as_str()],
                    standing: Standing::default(),
                    fate: Fate::Pending,
                };
                proposals.insert(b.application_id.as_str().to_owned(), proposal);
            }
            Body::ScoreRecorded(b) => {
                if let Some(p) = proposals.get_mut(b.application_id.as_str()) {
                    assert!(
                        !closed,
                        "{} is scored after the call closed",
                        b.application_id
                    );
                    let bonus = match p.region {
                        Region::NonCapital => bonus_of_track[p.track.as_str()],
                        Region::Capital => 0,
                    };
                    p.standing.points += u64::from(b.score + bonus);
                    p.standing.scores += 1;
                }
            }
            Body::AwardGranted(b) => {
                if let Some(p) = proposals.get_mut(b.application_id.as_str()) {
                    p.fate = Fate::Awarded;
                }
            }
            Body::Redistributed(b) => {
                if let Some(p) = proposals.get_mut(b.application_id.as_str()) {
                    p.fate = Fate::Awarded;
                }
            }
            Body::ApplicationRejected(b) => {
                if let Some(p) = proposals.get_mut(b.application_id.as_str()) {
                    p.fate = Fate::Rejected;
                }
            }
            _ => {}
        }
    }

    for (id, p) in &proposals {
        assert!(
            (3..=5).contains(&p.standing.scores),
            "{id} has {} scores, expected 3 to 5",
            p.standing.scores
        );
    }
    for (track, &min_reviews) in &min_reviews_of_track {
        let on_track: Vec<(&String, &Proposal)> = proposals
            .iter()
            .filter(|(_, p)| &p.track == track)
            .collect();
        let weakest_awarded = on_track
            .iter()
            .filter(|(_, p)| p.fate == Fate::Awarded)
            .map(|(_, p)| p.standing)
            .min_by(Standing::cmp_mean)
            .expect("awards on every track");
        for (id, p) in &on_track {
            let passed_over = p.fate == Fate::Rejected
                || (p.fate == Fate::Pending && p.standing.scores >= u64::from(min_reviews));
            assert!(
                !passed_over || p.standing.cmp_mean(&weakest_awarded) != Ordering::Greater,
                "{id} on track {track} ranks above an awarded proposal but was not awarded"
            );
        }
    }
}

#[test]
fn monitoring_leads_to_recalls_redistribution_release_and_hand_backs() {
    let events = first_part(committed_events());
    let mut reports: HashMap<String, Vec<(u32, bool)>> = HashMap::new();
    let mut pending = BTreeSet::new();
    let mut awarded = BTreeSet::new();
    let mut recalls_by_reason: BTreeMap<&str, u32> = BTreeMap::new();
    let (mut to_reserve_list, mut top_ups, mut releases, mut hand_backs) = (0, 0, 0, 0);
    for event in &events {
        match &event.body {
            Body::ApplicationSubmitted(b) => {
                pending.insert(b.application_id.as_str().to_owned());
            }
            Body::ApplicationRejected(b) => {
                pending.remove(b.application_id.as_str());
            }
            Body::AwardGranted(b) => {
                pending.remove(b.application_id.as_str());
                awarded.insert(b.application_id.as_str().to_owned());
            }
            Body::UtilizationReported(b) => reports
                .entry(b.award_id.as_str().to_owned())
                .or_default()
                .push((b.utilization_bp, b.off_purpose_use)),
            Body::RecallIssued(b) => {
                let history = reports
                    .get(b.award_id.as_str())
                    .cloned()
                    .unwrap_or_default();
                match b.reason {
                    RecallReason::Underutilization => {
                        let last_two = &history[history.len().saturating_sub(2)..];
                        assert!(
                            last_two.len() == 2 && last_two.iter().all(|r| r.0 < 5000),
                            "recall {} for underuse follows {last_two:?}",
                            b.recall_id
                        );
                    }
                    RecallReason::OffPurposeUse => assert!(
                        history.last().is_some_and(|r| r.1),
                        "recall {} for off-purpose use follows no flagged report",
                        b.recall_id
                    ),
                    _ => {}
                }
                *recalls_by_reason.entry(b.reason.as_str()).or_default() += 1;
            }
            Body::Redistributed(b) => {
                let app = b.application_id.as_str();
                if pending.remove(app) {
                    to_reserve_list += 1;
                } else {
                    assert!(awarded.contains(app), "{app} is pending or awarded");
                    top_ups += 1;
                }
                awarded.insert(app.to_owned());
            }
            Body::RecallReleased(_) => releases += 1,
            Body::AwardEnded(_) => hand_backs += 1,
            _ => {}
        }
    }
    for reason in ["underutilization", "off_purpose_use", "withdrawal"] {
        assert!(
            recalls_by_reason.get(reason).is_some_and(|&n| n >= 1),
            "no recall for {reason}: {recalls_by_reason:?}"
        );
    }
    assert!(to_reserve_list >= 1, "recalled GPUs go to the reserve list");
    assert!(top_ups >= 1, "recalled GPUs top up partly funded proposals");
    assert!(releases >= 1, "some recalled GPUs are released");
    assert!(hand_backs >= 1, "some awards are handed back");
    let weeks = reports.values().map(Vec::len).max().unwrap_or(0);
    assert!(
        weeks >= 12,
        "about three months of weekly reports, got {weeks}"
    );
}

#[test]
fn the_follow_up_call_has_the_reports_three_tracks_and_no_awards() {
    let events = first_part(committed_events());
    let call = events
        .iter()
        .find_map(|e| match &e.body {
            Body::CallOpened(b) if b.call_id.as_str() == FOLLOW_UP_CALL => Some(b),
            _ => None,
        })
        .expect("the follow-up call opens");
    let tracks: Vec<(&str, &str, u32, Vec<Sector>)> = call
        .tracks
        .iter()
        .map(|t| {
            (
                t.track_id.as_str(),
                t.pool_id.as_str(),
                t.gpus,
                t.eligible_sectors.clone(),
            )
        })
        .collect();
    assert_eq!(
        tracks,
        [
            ("T1", "POOL-OWNED-2025", 3000, vec![Sector::Industry]),
            ("T2", "POOL-CSP-HPC-2026", 1000, vec![Sector::Industry]),
            (
                "T3",
                "POOL-CSP-AIR-2026",
                1000,
                vec![Sector::Academia, Sector::Research]
            ),
        ]
    );
    let follow_up_apps: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| match &e.body {
            Body::ApplicationSubmitted(b) if b.call_id.as_str() == FOLLOW_UP_CALL => {
                Some(b.application_id.as_str())
            }
            _ => None,
        })
        .collect();
    assert!(follow_up_apps.len() >= 24, "a few dozen applications");
    assert!(!events.iter().any(|e| match &e.body {
        Body::AwardGranted(b) => follow_up_apps.contains(b.application_id.as_str()),
        _ => false,
    }));
}

#[test]
fn the_second_part_tells_every_v2_type_after_the_first_part_ends() {
    use gpu_ledger_domain::EventType;
    let events = committed_events();
    let (first, second) = events.split_at(gpu_ledger_testkit::history::FIRST_PART_EVENTS);
    let v2 = [
        EventType::ReviewerRegistered,
        EventType::ConflictDeclared,
        EventType::RecallNoticed,
        EventType::ExemptionRequested,
        EventType::ExemptionDecided,
        EventType::AppealFiled,
        EventType::AppealDecided,
        EventType::AwardExtended,
        EventType::AwardSupplemented,
        EventType::OutputReported,
    ];
    for t in v2 {
        assert!(
            first.iter().all(|e| e.event_type() != t),
            "the first part stays v1, but tells {t}"
        );
        assert!(
            second.iter().any(|e| e.event_type() == t),
            "the second part never tells {t}"
        );
    }
    let last_of_first = first.last().unwrap().occurred_at.instant();
    assert!(
        second
            .iter()
            .all(|e| e.occurred_at.instant() > last_of_first),
        "the second part only follows the first"
    );
    let calls_with_periods = second
        .iter()
        .filter(|e| matches!(&e.body, Body::CallOpened(c) if c.recall_notice_days.is_some() && c.appeal_days.is_some()))
        .count();
    assert_eq!(
        calls_with_periods, 1,
        "a call with notice and appeal periods"
    );
}
