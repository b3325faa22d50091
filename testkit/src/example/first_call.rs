//! Chapter 2, the first call (`CALL-2025-01`): who applies for what, how
//! experts score it, which proposals are selected, and request and award
//! sizes that add up to the report's figures.

use super::calendar::{Kst, term_end, week_start};
use super::proposals::{Outcome, Proposal, project_title, purpose_of};
use super::reviews::{by_mean_score_best_first, reviews_from};
use super::{
    Award, FIRST_CALL, GPUS_PER_SERVER, MIN_REVIEWS, OWNED_POOL, PROGRAMME_OFFICE, Story,
    TYPICAL_SERVERS,
};
use crate::value;
use gpu_ledger_domain::application::Status;
use gpu_ledger_domain::application::{ApplicationRejected, ApplicationSubmitted};
use gpu_ledger_domain::award::AwardGranted;
use gpu_ledger_domain::call::{CallClosed, CallOpened, TrackSpec};
use gpu_ledger_domain::organization::Sector;
use rand::RngExt;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::ChaCha8Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use std::ops::RangeInclusive;

/// The range a first-call award or request of the published totals may take.
const SERVERS_PER_PROPOSAL: RangeInclusive<u32> = 1..=16;

/// One sector's track of the first call, with the report's figures it must reproduce.
pub(super) struct FirstCallTrack {
    pub(super) sector: Sector,
    pub(super) track_id: &'static str,
    /// GPUs the track offers; all of them are awarded.
    pub(super) gpus: u32,
    pub(super) applications: usize,
    pub(super) requested_gpus: u32,
    pub(super) awards: usize,
    /// Next-best applications kept pending to receive recalled GPUs.
    pub(super) reserve_list: usize,
    pub(super) organizations: usize,
    /// Reviewer numbers of the sector's expert panel (`r-001` ...).
    pub(super) panel: RangeInclusive<u32>,
}

/// The first call's tracks. The requested GPUs of industry and research are
/// chosen so that all three sectors have a similar selection ratio (about
/// 30%), as the report says; academia's 8,600 is the report's.
pub(super) static FIRST_CALL_TRACKS: [FirstCallTrack; 3] = [
    FirstCallTrack {
        sector: Sector::Academia,
        track_id: "ACADEMIA",
        gpus: 2624,
        applications: 300,
        requested_gpus: 8600,
        awards: 96,
        reserve_list: 4,
        organizations: 56,
        panel: 1..=30,
    },
    FirstCallTrack {
        sector: Sector::Industry,
        track_id: "INDUSTRY",
        gpus: 1288,
        applications: 170,
        requested_gpus: 4096,
        awards: 49,
        reserve_list: 3,
        organizations: 110,
        panel: 31..=50,
    },
    FirstCallTrack {
        sector: Sector::Research,
        track_id: "RESEARCH",
        gpus: 312,
        applications: 44,
        requested_gpus: 1016,
        awards: 14,
        reserve_list: 2,
        organizations: 16,
        panel: 51..=60,
    },
];

/// Server counts for `count` proposals that add up to exactly `total`:
/// typical sizes drawn first, then one server added to or taken from a
/// random proposal until the sum is right.
fn servers_adding_up_to(dice: &mut ChaCha8Rng, count: usize, total: u32) -> Vec<u32> {
    let (min, max) = (*SERVERS_PER_PROPOSAL.start(), *SERVERS_PER_PROPOSAL.end());
    let count_u32 = u32::try_from(count).expect("a few hundred proposals");
    assert!(
        count_u32 * min <= total && total <= count_u32 * max,
        "{count} proposals cannot share {total} servers"
    );
    let mut servers: Vec<u32> = (0..count)
        .map(|_| *TYPICAL_SERVERS.choose(dice).expect("sizes"))
        .collect();
    let mut sum: u32 = servers.iter().sum();
    while sum != total {
        let i = dice.random_range(0..count);
        if sum < total && servers[i] < max {
            servers[i] += 1;
            sum += 1;
        } else if sum > total && servers[i] > min {
            servers[i] -= 1;
            sum -= 1;
        }
    }
    servers
}

impl Story {
    /// Who applies for what, how experts score it, and from that ranking
    /// which proposals are selected, then request and award sizes that add
    /// up to the report's figures.
    pub(super) fn plan_first_call(&mut self) {
        for (track, plan) in FIRST_CALL_TRACKS.iter().enumerate() {
            let members: Vec<usize> = (0..self.organizations.len())
                .filter(|&o| self.organizations[o].sector == plan.sector)
                .collect();
            let weights =
                WeightedIndex::new(members.iter().map(|&o| self.organizations[o].activity))
                    .expect("positive activity");
            let first = self.proposals.len();
            for _ in 0..plan.applications {
                let dice = &mut self.dice;
                let quality = dice.random_range(45..=92);
                self.proposals.push(Proposal {
                    id: String::new(),
                    track,
                    org: members[dice.sample(&weights)],
                    title: project_title(dice, plan.sector),
                    purpose: purpose_of(dice, plan.sector),
                    requested_servers: 0,
                    reviews: reviews_from(dice, &plan.panel, quality),
                    outcome: Outcome::BelowFundingLine,
                    status: Status::Pending,
                    held_servers: 0,
                    troubled: false,
                });
            }
            let mut ranked: Vec<usize> = (first..self.proposals.len()).collect();
            ranked.sort_by(|&a, &b| {
                by_mean_score_best_first(&self.proposals[a].reviews, &self.proposals[b].reviews)
                    .then(a.cmp(&b))
            });
            self.size_first_call_track(plan, &ranked);
            self.ranking[track] = ranked;
        }
    }

    /// Award sizes of the selected proposals add up to the track's GPUs; one
    /// in five selected proposals asked for more than it gets (partly
    /// funded); the others' requests make up the rest of the sector's demand.
    pub(super) fn size_first_call_track(&mut self, plan: &FirstCallTrack, ranked: &[usize]) {
        let (selected, others) = ranked.split_at(plan.awards);
        let award_servers =
            servers_adding_up_to(&mut self.dice, selected.len(), plan.gpus / GPUS_PER_SERVER);
        let mut requested = 0;
        for (&p, servers) in selected.iter().zip(award_servers) {
            let shortfall = if self.dice.random_ratio(1, 5) {
                self.dice.random_range(1..=3)
            } else {
                0
            };
            let proposal = &mut self.proposals[p];
            proposal.outcome = Outcome::Selected { servers };
            proposal.requested_servers = servers + shortfall;
            requested += servers + shortfall;
        }
        let rest = plan.requested_gpus / GPUS_PER_SERVER - requested;
        let other_servers = servers_adding_up_to(&mut self.dice, others.len(), rest);
        for (n, (&p, servers)) in others.iter().zip(other_servers).enumerate() {
            let proposal = &mut self.proposals[p];
            proposal.requested_servers = servers;
            proposal.outcome = if n < plan.reserve_list {
                Outcome::ReserveList
            } else {
                Outcome::BelowFundingLine
            };
        }
    }

    pub(super) fn run_first_call(&mut self) {
        self.timeline.record_with_note(
            Kst::on(2025, 12, 1, 10, 0),
            PROGRAMME_OFFICE,
            "학계·산업계·출연연 부문별 트랙, 서버(GPU 8장) 단위 신청",
            CallOpened {
                call_id: value::id(FIRST_CALL),
                title: value::label(
                    "2026년 국가 GPU 지원사업 1차 공모 (2025년 추경 확보 GPU 1만 장)",
                ),
                closes_at: Kst::on(2026, 1, 16, 18, 0).timestamp(),
                tracks: FIRST_CALL_TRACKS
                    .iter()
                    .map(|plan| TrackSpec {
                        track_id: value::id(plan.track_id),
                        pool_id: value::id(OWNED_POOL),
                        gpus: plan.gpus,
                        eligible_sectors: vec![plan.sector],
                        eligible_sizes: None,
                        min_reviews: Some(MIN_REVIEWS),
                        regional_bonus: None,
                        max_org_share_bp: None,
                    })
                    .collect(),
                recall_notice_days: None,
                appeal_days: None,
            },
        );
        self.submit_first_call_proposals();
        self.review_first_call_proposals();
        self.timeline.record_with_note(
            Kst::on(2026, 2, 13, 14, 0),
            PROGRAMME_OFFICE,
            "전문가 평가 완료, 선정심의위원회 상정",
            CallClosed {
                call_id: value::id(FIRST_CALL),
            },
        );
        self.grant_first_call_awards();
        self.reject_below_funding_line();
    }

    /// Proposals arrive in no particular order until the deadline; ids
    /// follow the order of arrival.
    pub(super) fn submit_first_call_proposals(&mut self) {
        let mut arrival: Vec<usize> = (0..self.proposals.len()).collect();
        arrival.shuffle(&mut self.dice);
        let moments = Kst::scattered(
            &mut self.dice,
            arrival.len(),
            Kst::on(2025, 12, 2, 9, 0),
            Kst::on(2026, 1, 16, 18, 0),
        );
        for (n, (p, at)) in arrival.into_iter().zip(moments).enumerate() {
            let proposal = &mut self.proposals[p];
            proposal.id = format!("APP-2025-{:04}", n + 1);
            let org = &self.organizations[proposal.org];
            self.timeline.record(
                at,
                format!("org:{}", org.id),
                ApplicationSubmitted {
                    application_id: value::id(proposal.id.as_str()),
                    call_id: value::id(FIRST_CALL),
                    track_id: value::id(FIRST_CALL_TRACKS[proposal.track].track_id),
                    org_id: value::id(org.id.as_str()),
                    title: value::label(proposal.title.as_str()),
                    purpose: proposal.purpose,
                    requested_gpus: proposal.requested_servers * GPUS_PER_SERVER,
                },
            );
        }
    }

    /// Panels score between the deadline and the close of the call.
    pub(super) fn review_first_call_proposals(&mut self) {
        let mut scores: Vec<(usize, usize)> = self
            .proposals
            .iter()
            .enumerate()
            .flat_map(|(p, proposal)| (0..proposal.reviews.len()).map(move |r| (p, r)))
            .collect();
        scores.shuffle(&mut self.dice);
        let moments = Kst::scattered(
            &mut self.dice,
            scores.len(),
            Kst::on(2026, 1, 19, 9, 0),
            Kst::on(2026, 2, 6, 18, 0),
        );
        for ((p, r), at) in scores.into_iter().zip(moments) {
            let proposal = &self.proposals[p];
            let review = &proposal.reviews[r];
            self.timeline.record(
                at,
                format!("reviewer:{}", review.reviewer_id()),
                review.event(&proposal.id),
            );
        }
    }

    /// One working day per track, in rank order, every term from the start
    /// of allocation to the end of the year.
    pub(super) fn grant_first_call_awards(&mut self) {
        for (track, ranked) in self.ranking.iter().enumerate() {
            let mut at = Kst::on(2026, 2, 23, 10, 0).plus_days(track as i64);
            for &p in ranked {
                let proposal = &mut self.proposals[p];
                let Outcome::Selected { servers } = proposal.outcome else {
                    continue;
                };
                let id = format!("AW-2025-{:04}", self.awards.len() + 1);
                let grant = AwardGranted {
                    award_id: value::id(id.as_str()),
                    application_id: value::id(proposal.id.as_str()),
                    gpus: servers * GPUS_PER_SERVER,
                    starts_at: week_start(0).timestamp(),
                    ends_at: term_end().timestamp(),
                };
                if servers < proposal.requested_servers {
                    let note = format!(
                        "요청 {}대 중 {servers}대 배정 (트랙 예산 범위 내 부분 지원)",
                        proposal.requested_servers
                    );
                    self.timeline
                        .record_with_note(at, PROGRAMME_OFFICE, note, grant);
                } else {
                    self.timeline.record(at, PROGRAMME_OFFICE, grant);
                }
                proposal.status = Status::Awarded;
                proposal.held_servers = servers;
                self.awards.push(Award {
                    id,
                    proposal: p,
                    held_servers: servers,
                    first_week: 0,
                    ended: false,
                    usual_bp: self.dice.random_range(6000..=9300),
                    trouble: None,
                    last_reports: [0; 2],
                });
                at = at.plus_seconds(180);
            }
        }
    }

    /// Everything below the reserve list is rejected, with its rank.
    pub(super) fn reject_below_funding_line(&mut self) {
        let mut at = Kst::on(2026, 2, 26, 10, 0);
        for (track, ranked) in self.ranking.iter().enumerate() {
            for (rank, &p) in ranked.iter().enumerate() {
                let proposal = &mut self.proposals[p];
                if proposal.outcome != Outcome::BelowFundingLine {
                    continue;
                }
                proposal.status = Status::Rejected;
                self.timeline.record(
                    at,
                    PROGRAMME_OFFICE,
                    ApplicationRejected {
                        application_id: value::id(proposal.id.as_str()),
                        reason: value::label(format!(
                            "예산 범위 밖: {} 트랙 평가 순위 {}/{}",
                            FIRST_CALL_TRACKS[track].track_id,
                            rank + 1,
                            ranked.len()
                        )),
                    },
                );
                at = at.plus_seconds(60);
            }
        }
    }
}
