//! The March 2026 example history (`examples/march-2026.jsonl`).
//!
//! It tells the programme as the news report of 2026-03-03 describes it
//! (`shared/spec/programme.md`), one event of events.md at a time:
//!
//! 1. November 2025: the 10,000 owned GPUs of the 2025 supplementary budget
//!    become a pool, and universities, companies and institutes register.
//! 2. December 2025 to February 2026: the first call, `CALL-2025-01`, with
//!    one track per sector. Its figures are the report's, exactly: 514
//!    proposals asking 1,714 servers (13,712 GPUs), of which 159 are awarded
//!    528 servers (4,224 GPUs): academia 2,624, industry 1,288, research 312.
//!    Experts score every proposal three to five times; the best-scored ones
//!    of each track are awarded, a few next-best stay pending as a reserve
//!    list, the rest are rejected.
//! 3. March 2026: two leased CSP pools and the follow-up call,
//!    `CALL-2026-01`, with the report's three tracks. Its proposals are scored
//!    and the call is closed in May, with selection still to come.
//! 4. March to May 2026: weekly utilization reports of every active award,
//!    and what the report says happens when GPUs are not used well: recalls
//!    for underuse, off-purpose use and withdrawal, redistribution of the
//!    recalled GPUs to the reserve list or as top-ups of partly funded
//!    proposals, a release of recalled GPUs back to the pool, and awards
//!    handed back early.
//!
//! Every choice is drawn from one ChaCha8 stream seeded with `SEED`, in a
//! fixed order, so the history is the same bytes on every run and platform.
//! The report's figures are not left to chance: sizes are drawn freely, then
//! nudged one server at a time until they add up to the published totals.

mod calendar;
mod events;
mod names;

use calendar::Kst;
use events::{
    ApplicationRejected, ApplicationSubmitted, AwardEnded, AwardGranted, CallClosed, CallOpened,
    EndReason, OrganizationRegistered, PoolRegistered, PoolSource, Purpose, RecallIssued,
    RecallReason, RecallReleased, Redistributed, Region, ScoreRecorded, Sector, Size, Timeline,
    TrackSpec, UtilizationReported,
};
use rand::distr::weighted::WeightedIndex;
use rand::rngs::ChaCha8Rng;
use rand::seq::{IndexedRandom, SliceRandom, index};
use rand::{RngExt, SeedableRng};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// The seed of the one random stream every choice draws from: the day the
/// report was published.
const SEED: u64 = 20260303;

/// Every pool of the programme has servers of eight GPUs (13,712 / 1,714).
const GPUS_PER_SERVER: u32 = 8;

const OWNED_POOL: &str = "POOL-OWNED-2025";
const CSP_HPC_POOL: &str = "POOL-CSP-HPC-2026";
const CSP_AI_POOL: &str = "POOL-CSP-AIR-2026";
const FIRST_CALL: &str = "CALL-2025-01";
const FOLLOW_UP_CALL: &str = "CALL-2026-01";

const PROGRAMME_OFFICE: &str = "msit";
const MONITOR: &str = "monitor";

/// Scores an application needs before it can be awarded, in both calls.
const MIN_REVIEWS: u32 = 3;

/// A week below half use counts as underused; two in a row lead to a recall.
const UNDERUSE_BP: u32 = 5000;

/// Weeks of monitoring, from the start of allocation on 2026-03-03 to 2026-05-26.
const MONITORED_WEEKS: usize = 12;

/// Request and award sizes, in servers, as they commonly come: most projects
/// ask one to four servers, a few ask many more.
const TYPICAL_SERVERS: [u32; 11] = [1, 1, 2, 2, 2, 3, 4, 4, 4, 6, 8];

/// The range a first-call award or request of the published totals may take.
const SERVERS_PER_PROPOSAL: RangeInclusive<u32> = 1..=16;

/// One sector's track of the first call, with the report's figures it must reproduce.
struct FirstCallTrack {
    sector: Sector,
    track_id: &'static str,
    /// GPUs the track offers; all of them are awarded.
    gpus: u32,
    applications: usize,
    requested_gpus: u32,
    awards: usize,
    /// Next-best applications kept pending to receive recalled GPUs.
    reserve_list: usize,
    organizations: usize,
    /// Reviewer numbers of the sector's expert panel (`r-001` ...).
    panel: RangeInclusive<u32>,
}

/// The first call's tracks. The requested GPUs of industry and research are
/// chosen so that all three sectors have a similar selection ratio (about
/// 30%), as the report says; academia's 8,600 is the report's.
static FIRST_CALL_TRACKS: [FirstCallTrack; 3] = [
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

/// The whole example history, one compact JSON event per line, in
/// business-time order.
pub fn march_2026_history() -> Vec<String> {
    let mut story = Story::new();
    story.register_owned_pool();
    story.register_organizations();
    story.plan_first_call();
    story.run_first_call();
    story.register_leased_pools();
    story.run_follow_up_call();
    story.plan_troubles();
    story.monitor_first_awards();
    story.timeline.into_lines()
}

/// A registered university, company or institute.
struct Organization {
    id: String,
    name: String,
    sector: Sector,
    size: Size,
    region: Region,
    /// How many proposals it tends to send, relative to its peers.
    activity: u32,
}

/// One expert's score of one proposal.
struct Review {
    reviewer: u32,
    score: u32,
    technical_merit: u32,
    feasibility: u32,
    impact: u32,
}

impl Review {
    /// A reviewer's view of a proposal of the given underlying quality: each
    /// criterion within eight points of it, the score their 40/30/30
    /// weighted mean.
    fn of(dice: &mut ChaCha8Rng, reviewer: u32, quality: u32) -> Self {
        let mut criterion = || {
            (quality + dice.random_range(0..=16))
                .saturating_sub(8)
                .min(100)
        };
        let technical_merit = criterion();
        let feasibility = criterion();
        let impact = criterion();
        Review {
            reviewer,
            score: (4 * technical_merit + 3 * feasibility + 3 * impact + 5) / 10,
            technical_merit,
            feasibility,
            impact,
        }
    }

    fn reviewer_id(&self) -> String {
        format!("r-{:03}", self.reviewer)
    }

    fn event(&self, application_id: &str) -> ScoreRecorded {
        ScoreRecorded {
            application_id: application_id.to_owned(),
            reviewer_id: self.reviewer_id(),
            score: self.score,
            criteria: BTreeMap::from([
                ("technical_merit", self.technical_merit),
                ("feasibility", self.feasibility),
                ("impact", self.impact),
            ]),
        }
    }
}

/// Three to five scores from distinct members of `panel`.
fn reviews_from(dice: &mut ChaCha8Rng, panel: &RangeInclusive<u32>, quality: u32) -> Vec<Review> {
    let count = dice.random_range(3..=5);
    let panel_size = (panel.end() - panel.start() + 1) as usize;
    let mut members: Vec<u32> = index::sample(dice, panel_size, count)
        .into_iter()
        .map(|i| panel.start() + i as u32)
        .collect();
    members.sort_unstable();
    members
        .into_iter()
        .map(|reviewer| Review::of(dice, reviewer, quality))
        .collect()
}

/// Orders two proposals best first by mean score, compared exactly as
/// fractions (no regional bonus on the first call), so the award order is
/// the ranking an auditor recomputes from the scores.
fn by_mean_score_best_first(a: &[Review], b: &[Review]) -> Ordering {
    let total = |reviews: &[Review]| reviews.iter().map(|r| u64::from(r.score)).sum::<u64>();
    let (sum_a, n_a) = (total(a), a.len() as u64);
    let (sum_b, n_b) = (total(b), b.len() as u64);
    (sum_b * n_a).cmp(&(sum_a * n_b))
}

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

fn purpose_of(dice: &mut ChaCha8Rng, sector: Sector) -> Purpose {
    let model_development = match sector {
        Sector::Academia => dice.random_ratio(1, 5),
        Sector::Research => dice.random_ratio(2, 5),
        Sector::Industry => {
            return if dice.random_ratio(11, 20) {
                Purpose::ServiceDevelopment
            } else {
                Purpose::ModelDevelopment
            };
        }
    };
    if model_development {
        Purpose::ModelDevelopment
    } else {
        Purpose::Research
    }
}

fn project_title(dice: &mut ChaCha8Rng, sector: Sector) -> String {
    let topics = match sector {
        Sector::Academia => names::ACADEMIA_TOPICS,
        Sector::Industry => names::INDUSTRY_TOPICS,
        Sector::Research => names::RESEARCH_TOPICS,
    };
    let topic = topics.choose(dice).expect("topics");
    let ending = names::TITLE_ENDINGS.choose(dice).expect("endings");
    format!("{topic}{ending}")
}

/// Where a first-call proposal ended up after selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Selected { servers: u32 },
    ReserveList,
    BelowFundingLine,
}

/// Where a first-call proposal stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Awarded,
    Rejected,
}

/// A first-call proposal (application).
struct Proposal {
    id: String,
    track: usize,
    org: usize,
    title: String,
    purpose: Purpose,
    requested_servers: u32,
    reviews: Vec<Review>,
    outcome: Outcome,
    status: Status,
    /// Servers held by its active awards.
    held_servers: u32,
    /// One of its awards was recalled or handed back: it gets no top-up.
    troubled: bool,
}

/// What befalls a first-call award during its first three months.
#[derive(Debug, Clone, Copy)]
enum Trouble {
    /// Reports below half use in `first_low_week` and the week after; half
    /// its servers are recalled two days after the second.
    Idle {
        first_low_week: usize,
        disposal: Disposal,
    },
    /// The report of `week` flags off-purpose (commercial) use; all its
    /// servers are recalled two days later.
    OffPurpose { week: usize, disposal: Disposal },
    /// The project is abandoned: all its servers are recalled.
    Abandoned { on: Kst, disposal: Disposal },
    /// The holder hands the GPUs back early.
    Relinquished { on: Kst },
}

/// Where a recall's GPUs go, a week after the recall.
#[derive(Debug, Clone, Copy)]
enum Disposal {
    /// The track's reserve list in rank order, then top-ups, the rest released.
    ReserveListFirst,
    /// Top-ups of partly funded proposals of the track, the rest released.
    TopUps,
    /// Back to the pool's free capacity, for the follow-up call.
    Release,
}

#[derive(Debug, Clone, Copy)]
enum RecallShare {
    Half,
    All,
}

/// Something the programme office does on a given day of the monitoring season.
#[derive(Debug, Clone, Copy)]
enum Action {
    Recall {
        award: usize,
        reason: RecallReason,
        share: RecallShare,
        disposal: Disposal,
    },
    Dispose {
        recall: usize,
        disposal: Disposal,
    },
    Relinquish {
        award: usize,
    },
}

/// An award on the first call's tracks, granted or redistributed.
struct Award {
    id: String,
    proposal: usize,
    held_servers: u32,
    /// The monitoring week its term starts in.
    first_week: usize,
    ended: bool,
    /// Its utilization in an ordinary week.
    usual_bp: u32,
    trouble: Option<Trouble>,
    /// Its last two reports, older first.
    last_reports: [u32; 2],
}

impl Award {
    fn active(&self) -> bool {
        self.held_servers > 0 && !self.ended
    }
}

struct Recall {
    id: String,
    track: usize,
    awaiting_servers: u32,
}

/// Monday-to-Monday weeks would split the first week of allocation, so the
/// monitor's weeks start on Tuesday 2026-03-03, the first day of the terms.
fn week_start(week: usize) -> Kst {
    Kst::on(2026, 3, 3, 0, 0).plus_days(7 * week as i64)
}

/// The monitor reports a week early on the morning it ends.
fn report_day(week: usize) -> Kst {
    week_start(week + 1).at_hour(6)
}

/// The first week that starts after `on`: redistributed terms start on a
/// week boundary so that every report covers a whole week of the term.
fn week_after(on: Kst) -> usize {
    (0..)
        .find(|&week| week_start(week) > on)
        .expect("a later week")
}

/// Every term ends with the programme year.
fn term_end() -> Kst {
    Kst::end_of_day(2026, 12, 31)
}

/// The storyteller: the random stream, the events told so far and the state
/// the later chapters need.
struct Story {
    dice: ChaCha8Rng,
    timeline: Timeline,
    organizations: Vec<Organization>,
    /// Names kept for the companies founded before the follow-up call.
    newcomer_names: Vec<String>,
    proposals: Vec<Proposal>,
    /// Each first-call track's proposals, best first.
    ranking: [Vec<usize>; 3],
    awards: Vec<Award>,
    recalls: Vec<Recall>,
    redistributions: usize,
    /// The programme office's dated actions still to come.
    agenda: Vec<(Kst, Action)>,
}

impl Story {
    fn new() -> Self {
        Story {
            dice: ChaCha8Rng::seed_from_u64(SEED),
            timeline: Timeline::default(),
            organizations: Vec::new(),
            newcomer_names: Vec::new(),
            proposals: Vec::new(),
            ranking: Default::default(),
            awards: Vec::new(),
            recalls: Vec::new(),
            redistributions: 0,
            agenda: Vec::new(),
        }
    }

    fn register_owned_pool(&mut self) {
        self.timeline.record(
            Kst::on(2025, 11, 24, 9, 0),
            PROGRAMME_OFFICE,
            PoolRegistered {
                pool_id: OWNED_POOL.into(),
                name: "2025년 1차 추경 확보 GPU (과기정통부 보유)".into(),
                source: PoolSource::Owned,
                provider: None,
                gpu_model: "H100".into(),
                gpus: 10_000,
                gpus_per_server: GPUS_PER_SERVER,
            },
        );
    }

    /// Universities (a few institutes of science and technology among
    /// them), companies of every size, and public research institutes,
    /// registered in the week before the first call opens.
    fn register_organizations(&mut self) {
        let dice = &mut self.dice;
        let mut stems = names::STEMS.to_vec();
        stems.shuffle(dice);

        let academia = &FIRST_CALL_TRACKS[0];
        for (n, stem) in stems.iter().take(academia.organizations).enumerate() {
            let (name, size) = if n < 4 {
                (
                    names::institute_of_science_and_technology(stem),
                    Size::Public,
                )
            } else if dice.random_ratio(2, 5) {
                (names::university(stem), Size::Public)
            } else {
                (names::university(stem), Size::Large)
            };
            self.organizations.push(Organization {
                id: format!("ORG-A{:03}", n + 1),
                name,
                sector: Sector::Academia,
                size,
                region: region_of(dice, 9, 20),
                activity: dice.random_range(1..=8),
            });
        }

        // One company in ten is large and named for its trade; the others
        // are SMEs and start-ups named from distinct (stem, trade) pairs.
        let industry = &FIRST_CALL_TRACKS[1];
        let large = industry.organizations / 10;
        let mut pairs: Vec<(&str, &str)> = names::STEMS
            .iter()
            .flat_map(|stem| names::TRADES.iter().map(move |trade| (*stem, *trade)))
            .collect();
        pairs.shuffle(dice);
        for n in 0..industry.organizations {
            let (name, size) = if n < large {
                let trade = names::LARGE_TRADES[n % names::LARGE_TRADES.len()];
                (format!("{}{trade}", stems[n]), Size::Large)
            } else {
                let (stem, trade) = pairs[n];
                let size = if dice.random_ratio(11, 20) {
                    Size::Sme
                } else {
                    Size::Startup
                };
                (names::company(stem, trade), size)
            };
            self.organizations.push(Organization {
                id: format!("ORG-I{:03}", n + 1),
                name,
                sector: Sector::Industry,
                size,
                region: region_of(dice, 3, 5),
                activity: dice.random_range(1..=3),
            });
        }
        self.newcomer_names = pairs[industry.organizations..industry.organizations + 8]
            .iter()
            .map(|(stem, trade)| names::company(stem, trade))
            .collect();

        let research = &FIRST_CALL_TRACKS[2];
        for (n, name) in names::INSTITUTES
            .iter()
            .take(research.organizations)
            .enumerate()
        {
            self.organizations.push(Organization {
                id: format!("ORG-R{:03}", n + 1),
                name: (*name).to_owned(),
                sector: Sector::Research,
                size: Size::Public,
                region: region_of(dice, 1, 4),
                activity: dice.random_range(1..=5),
            });
        }

        let mut order: Vec<usize> = (0..self.organizations.len()).collect();
        order.shuffle(dice);
        let moments = Kst::scattered(
            dice,
            order.len(),
            Kst::on(2025, 11, 24, 10, 0),
            Kst::on(2025, 11, 29, 18, 0),
        );
        for (org, at) in order.into_iter().zip(moments) {
            self.timeline
                .record(at, PROGRAMME_OFFICE, self.organizations[org].registration());
        }
    }

    /// Who applies for what, how experts score it, and from that ranking
    /// which proposals are selected, then request and award sizes that add
    /// up to the report's figures.
    fn plan_first_call(&mut self) {
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
    fn size_first_call_track(&mut self, plan: &FirstCallTrack, ranked: &[usize]) {
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

    fn run_first_call(&mut self) {
        self.timeline.record_with_note(
            Kst::on(2025, 12, 1, 10, 0),
            PROGRAMME_OFFICE,
            "학계·산업계·출연연 부문별 트랙, 서버(GPU 8장) 단위 신청",
            CallOpened {
                call_id: FIRST_CALL.into(),
                title: "2026년 국가 GPU 지원사업 1차 공모 (2025년 추경 확보 GPU 1만 장)".into(),
                closes_at: Kst::on(2026, 1, 16, 18, 0).to_string(),
                tracks: FIRST_CALL_TRACKS
                    .iter()
                    .map(|plan| TrackSpec {
                        track_id: plan.track_id.into(),
                        pool_id: OWNED_POOL.into(),
                        gpus: plan.gpus,
                        eligible_sectors: vec![plan.sector],
                        eligible_sizes: None,
                        min_reviews: MIN_REVIEWS,
                        regional_bonus: None,
                        max_org_share_bp: None,
                    })
                    .collect(),
            },
        );
        self.submit_first_call_proposals();
        self.review_first_call_proposals();
        self.timeline.record_with_note(
            Kst::on(2026, 2, 13, 14, 0),
            PROGRAMME_OFFICE,
            "전문가 평가 완료, 선정심의위원회 상정",
            CallClosed {
                call_id: FIRST_CALL.into(),
            },
        );
        self.grant_first_call_awards();
        self.reject_below_funding_line();
    }

    /// Proposals arrive in no particular order until the deadline; ids
    /// follow the order of arrival.
    fn submit_first_call_proposals(&mut self) {
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
                    application_id: proposal.id.clone(),
                    call_id: FIRST_CALL.into(),
                    track_id: FIRST_CALL_TRACKS[proposal.track].track_id.into(),
                    org_id: org.id.clone(),
                    title: proposal.title.clone(),
                    purpose: proposal.purpose,
                    requested_gpus: proposal.requested_servers * GPUS_PER_SERVER,
                },
            );
        }
    }

    /// Panels score between the deadline and the close of the call.
    fn review_first_call_proposals(&mut self) {
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
    fn grant_first_call_awards(&mut self) {
        for (track, ranked) in self.ranking.iter().enumerate() {
            let mut at = Kst::on(2026, 2, 23, 10, 0).plus_days(track as i64);
            for &p in ranked {
                let proposal = &mut self.proposals[p];
                let Outcome::Selected { servers } = proposal.outcome else {
                    continue;
                };
                let id = format!("AW-2025-{:04}", self.awards.len() + 1);
                let grant = AwardGranted {
                    award_id: id.clone(),
                    application_id: proposal.id.clone(),
                    gpus: servers * GPUS_PER_SERVER,
                    starts_at: week_start(0).to_string(),
                    ends_at: term_end().to_string(),
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
    fn reject_below_funding_line(&mut self) {
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
                        application_id: proposal.id.clone(),
                        reason: format!(
                            "예산 범위 밖: {} 트랙 평가 순위 {}/{}",
                            FIRST_CALL_TRACKS[track].track_id,
                            rank + 1,
                            ranked.len()
                        ),
                    },
                );
                at = at.plus_seconds(60);
            }
        }
    }

    fn register_leased_pools(&mut self) {
        let leased = [
            (
                CSP_HPC_POOL,
                "고성능컴퓨팅 지원사업 임차 GPU",
                "가온클라우드",
                "H100",
            ),
            (
                CSP_AI_POOL,
                "AI 연구용 컴퓨팅 지원사업 임차 GPU",
                "누리클라우드",
                "H200",
            ),
        ];
        for (n, (pool_id, name, provider, gpu_model)) in leased.into_iter().enumerate() {
            self.timeline.record(
                Kst::on(2026, 3, 5, 9, 0).plus_seconds(1800 * n as i64),
                PROGRAMME_OFFICE,
                PoolRegistered {
                    pool_id: pool_id.into(),
                    name: name.into(),
                    source: PoolSource::Leased,
                    provider: Some(provider.into()),
                    gpu_model: gpu_model.into(),
                    gpus: 1000,
                    gpus_per_server: GPUS_PER_SERVER,
                },
            );
        }
    }

    /// The follow-up call of March 2026 with the report's three tracks, and
    /// the new policy: a bonus for applicants outside the capital region and
    /// a cap on any one organization's share of a track. New start-ups
    /// register for it; its proposals are scored and the call is closed,
    /// with selection still to come when the history ends.
    fn run_follow_up_call(&mut self) {
        let newcomers = std::mem::take(&mut self.newcomer_names);
        let moments = Kst::scattered(
            &mut self.dice,
            newcomers.len(),
            Kst::on(2026, 3, 5, 10, 0),
            Kst::on(2026, 3, 8, 18, 0),
        );
        let companies = FIRST_CALL_TRACKS[1].organizations;
        for (n, (name, at)) in newcomers.into_iter().zip(moments).enumerate() {
            let newcomer = Organization {
                id: format!("ORG-I{:03}", companies + n + 1),
                name,
                sector: Sector::Industry,
                size: Size::Startup,
                region: region_of(&mut self.dice, 1, 2),
                activity: 1,
            };
            self.timeline
                .record(at, PROGRAMME_OFFICE, newcomer.registration());
            self.organizations.push(newcomer);
        }

        struct FollowUpTrack {
            track_id: &'static str,
            pool_id: &'static str,
            gpus: u32,
            sectors: &'static [Sector],
            sizes: Option<&'static [Size]>,
            max_org_share_bp: u32,
            applications: usize,
        }
        let tracks = [
            FollowUpTrack {
                track_id: "T1",
                pool_id: OWNED_POOL,
                gpus: 3000,
                sectors: &[Sector::Industry],
                sizes: Some(&[Size::Sme, Size::Startup]),
                max_org_share_bp: 1000,
                applications: 16,
            },
            FollowUpTrack {
                track_id: "T2",
                pool_id: CSP_HPC_POOL,
                gpus: 1000,
                sectors: &[Sector::Industry],
                sizes: None,
                max_org_share_bp: 2000,
                applications: 10,
            },
            FollowUpTrack {
                track_id: "T3",
                pool_id: CSP_AI_POOL,
                gpus: 1000,
                sectors: &[Sector::Academia, Sector::Research],
                sizes: None,
                max_org_share_bp: 1500,
                applications: 14,
            },
        ];
        self.timeline.record_with_note(
            Kst::on(2026, 3, 9, 10, 0),
            PROGRAMME_OFFICE,
            "비수도권 기관 평가 가점 5점, 기관별 트랙 GPU 점유 상한 적용",
            CallOpened {
                call_id: FOLLOW_UP_CALL.into(),
                title: "2026년 국가 GPU 지원사업 추가 공모 (미배분 보유 GPU 및 CSP 임차 GPU)"
                    .into(),
                closes_at: Kst::on(2026, 4, 10, 18, 0).to_string(),
                tracks: tracks
                    .iter()
                    .map(|t| TrackSpec {
                        track_id: t.track_id.into(),
                        pool_id: t.pool_id.into(),
                        gpus: t.gpus,
                        eligible_sectors: t.sectors.to_vec(),
                        eligible_sizes: t.sizes.map(<[Size]>::to_vec),
                        min_reviews: MIN_REVIEWS,
                        regional_bonus: Some(5),
                        max_org_share_bp: Some(t.max_org_share_bp),
                    })
                    .collect(),
            },
        );

        // (track, organization, request in servers, reviews)
        let mut planned: Vec<(&FollowUpTrack, usize, u32, Vec<Review>)> = Vec::new();
        for track in &tracks {
            let eligible: Vec<usize> = (0..self.organizations.len())
                .filter(|&o| {
                    let org = &self.organizations[o];
                    track.sectors.contains(&org.sector)
                        && track.sizes.is_none_or(|sizes| sizes.contains(&org.size))
                })
                .collect();
            for _ in 0..track.applications {
                let dice = &mut self.dice;
                let org = *eligible.choose(dice).expect("eligible organizations");
                let panel = match self.organizations[org].sector {
                    Sector::Academia => &FIRST_CALL_TRACKS[0].panel,
                    Sector::Industry => &FIRST_CALL_TRACKS[1].panel,
                    Sector::Research => &FIRST_CALL_TRACKS[2].panel,
                };
                let servers = *TYPICAL_SERVERS.choose(dice).expect("sizes");
                let quality = dice.random_range(50..=92);
                planned.push((track, org, servers, reviews_from(dice, panel, quality)));
            }
        }
        planned.shuffle(&mut self.dice);
        let moments = Kst::scattered(
            &mut self.dice,
            planned.len(),
            Kst::on(2026, 3, 10, 9, 0),
            Kst::on(2026, 4, 10, 18, 0),
        );
        let mut scores = Vec::new();
        for (n, ((track, org, servers, reviews), at)) in
            planned.into_iter().zip(moments).enumerate()
        {
            let id = format!("APP-2026-{:04}", n + 1);
            let org = &self.organizations[org];
            self.timeline.record(
                at,
                format!("org:{}", org.id),
                ApplicationSubmitted {
                    application_id: id.clone(),
                    call_id: FOLLOW_UP_CALL.into(),
                    track_id: track.track_id.into(),
                    org_id: org.id.clone(),
                    title: project_title(&mut self.dice, org.sector),
                    purpose: purpose_of(&mut self.dice, org.sector),
                    requested_gpus: servers * GPUS_PER_SERVER,
                },
            );
            scores.extend(reviews.into_iter().map(|review| (id.clone(), review)));
        }
        scores.shuffle(&mut self.dice);
        let moments = Kst::scattered(
            &mut self.dice,
            scores.len(),
            Kst::on(2026, 4, 13, 9, 0),
            Kst::on(2026, 4, 24, 18, 0),
        );
        for ((id, review), at) in scores.into_iter().zip(moments) {
            self.timeline.record(
                at,
                format!("reviewer:{}", review.reviewer_id()),
                review.event(&id),
            );
        }
        self.timeline.record_with_note(
            Kst::on(2026, 5, 11, 10, 0),
            PROGRAMME_OFFICE,
            "평가 완료, 6월 선정심의위원회에서 트랙별 선정 예정",
            CallClosed {
                call_id: FOLLOW_UP_CALL.into(),
            },
        );
    }

    /// Picks the awards that run into trouble in the monitoring season and
    /// puts the programme office's responses on its agenda. The script
    /// covers each kind of recall, each way of disposing of recalled GPUs,
    /// and early hand-backs, spread over the three sectors and three months.
    fn plan_troubles(&mut self) {
        let script = [
            (
                Sector::Academia,
                Trouble::Idle {
                    first_low_week: 0,
                    disposal: Disposal::ReserveListFirst,
                },
            ),
            (
                Sector::Industry,
                Trouble::OffPurpose {
                    week: 2,
                    disposal: Disposal::ReserveListFirst,
                },
            ),
            (
                Sector::Academia,
                Trouble::Abandoned {
                    on: Kst::on(2026, 4, 1, 11, 0),
                    disposal: Disposal::ReserveListFirst,
                },
            ),
            (
                Sector::Industry,
                Trouble::Idle {
                    first_low_week: 4,
                    disposal: Disposal::TopUps,
                },
            ),
            (
                Sector::Industry,
                Trouble::Relinquished {
                    on: Kst::on(2026, 4, 20, 15, 0),
                },
            ),
            (
                Sector::Research,
                Trouble::Idle {
                    first_low_week: 6,
                    disposal: Disposal::ReserveListFirst,
                },
            ),
            (
                Sector::Academia,
                Trouble::OffPurpose {
                    week: 8,
                    disposal: Disposal::Release,
                },
            ),
            (
                Sector::Academia,
                Trouble::Relinquished {
                    on: Kst::on(2026, 5, 18, 15, 0),
                },
            ),
        ];
        for (sector, trouble) in script {
            // An idle award keeps half its servers, so it needs at least two.
            let min_servers = if matches!(trouble, Trouble::Idle { .. }) {
                2
            } else {
                1
            };
            let candidates: Vec<usize> = (0..self.awards.len())
                .filter(|&a| {
                    let award = &self.awards[a];
                    award.trouble.is_none()
                        && award.held_servers >= min_servers
                        && FIRST_CALL_TRACKS[self.proposals[award.proposal].track].sector == sector
                })
                .collect();
            let award = *candidates
                .choose(&mut self.dice)
                .expect("a candidate award");
            self.awards[award].trouble = Some(trouble);
            self.proposals[self.awards[award].proposal].troubled = true;
            let (on, action) = match trouble {
                Trouble::Idle {
                    first_low_week,
                    disposal,
                } => (
                    report_day(first_low_week + 1).plus_days(2).at_hour(14),
                    Action::Recall {
                        award,
                        reason: RecallReason::Underutilization,
                        share: RecallShare::Half,
                        disposal,
                    },
                ),
                Trouble::OffPurpose { week, disposal } => (
                    report_day(week).plus_days(2).at_hour(11),
                    Action::Recall {
                        award,
                        reason: RecallReason::OffPurposeUse,
                        share: RecallShare::All,
                        disposal,
                    },
                ),
                Trouble::Abandoned { on, disposal } => (
                    on,
                    Action::Recall {
                        award,
                        reason: RecallReason::Withdrawal,
                        share: RecallShare::All,
                        disposal,
                    },
                ),
                Trouble::Relinquished { on } => (on, Action::Relinquish { award }),
            };
            self.agenda.push((on, action));
        }
    }

    /// Week by week: the monitor's reports on Tuesday morning, then whatever
    /// the programme office does before the next reports.
    fn monitor_first_awards(&mut self) {
        for week in 0..MONITORED_WEEKS {
            self.report_week(week);
            self.carry_out_agenda_before(report_day(week + 1));
        }
        assert!(
            self.agenda.is_empty(),
            "actions left after the monitoring season: {:?}",
            self.agenda
        );
    }

    fn report_week(&mut self, week: usize) {
        let mut at = report_day(week);
        for a in 0..self.awards.len() {
            let award = &self.awards[a];
            if !award.active() || award.first_week > week {
                continue;
            }
            let (utilization_bp, off_purpose_use) = self.utilization(a, week);
            let award = &mut self.awards[a];
            award.last_reports = [award.last_reports[1], utilization_bp];
            let report = UtilizationReported {
                award_id: award.id.clone(),
                period_start: week_start(week).to_string(),
                period_end: week_start(week + 1).to_string(),
                utilization_bp,
                off_purpose_use,
            };
            if off_purpose_use {
                self.timeline.record_with_note(
                    at,
                    MONITOR,
                    "외부 상용 추론 서비스 트래픽 감지 (과제 목적 외 사용 의심)",
                    report,
                );
            } else {
                self.timeline.record(at, MONITOR, report);
            }
            at = at.plus_seconds(12);
        }
    }

    /// An award's utilization in basis points, and whether it was used off
    /// purpose. The first week of a term is a ramp-up and may be low; an
    /// ordinary week stays at or above half use, so only the scripted idle
    /// awards ever report two low weeks in a row.
    fn utilization(&mut self, award: usize, week: usize) -> (u32, bool) {
        let dice = &mut self.dice;
        let award = &self.awards[award];
        match award.trouble {
            Some(Trouble::Idle { first_low_week, .. })
                if week == first_low_week || week == first_low_week + 1 =>
            {
                (dice.random_range(1200..=4600), false)
            }
            Some(Trouble::OffPurpose { week: flagged, .. }) if week == flagged => {
                (dice.random_range(8600..=9800), true)
            }
            _ if week == award.first_week => (dice.random_range(4000..=8000), false),
            _ => {
                let usual = award.usual_bp + dice.random_range(0..=1400);
                (usual.saturating_sub(700).clamp(UNDERUSE_BP, 9900), false)
            }
        }
    }

    /// Carries out, in date order, the agenda items dated before `until`,
    /// including those they add.
    fn carry_out_agenda_before(&mut self, until: Kst) {
        loop {
            let next = self
                .agenda
                .iter()
                .enumerate()
                .filter(|(_, (on, _))| *on < until)
                .min_by_key(|(_, (on, _))| *on)
                .map(|(n, _)| n);
            let Some(n) = next else { break };
            let (on, action) = self.agenda.remove(n);
            match action {
                Action::Recall {
                    award,
                    reason,
                    share,
                    disposal,
                } => self.recall(on, award, reason, share, disposal),
                Action::Dispose { recall, disposal } => self.dispose(on, recall, disposal),
                Action::Relinquish { award } => self.relinquish(on, award),
            }
        }
    }

    fn recall(
        &mut self,
        on: Kst,
        a: usize,
        reason: RecallReason,
        share: RecallShare,
        disposal: Disposal,
    ) {
        let award = &mut self.awards[a];
        let servers = match share {
            RecallShare::Half => (award.held_servers / 2).max(1),
            RecallShare::All => award.held_servers,
        };
        award.held_servers -= servers;
        let proposal = &mut self.proposals[award.proposal];
        proposal.held_servers -= servers;
        let id = format!("RC-2026-{:03}", self.recalls.len() + 1);
        let note = match reason {
            RecallReason::Underutilization => format!(
                "2주 연속 활용률 50% 미만 ({} bp, {} bp): 보유 서버의 절반 회수",
                award.last_reports[0], award.last_reports[1]
            ),
            RecallReason::OffPurposeUse => {
                "현장 점검 결과 상용 서비스 운영 확인: 전량 회수".to_owned()
            }
            RecallReason::Withdrawal => {
                "연구책임자 해외 이직으로 주관기관이 과제 중도 포기 요청: 전량 회수".to_owned()
            }
        };
        self.timeline.record_with_note(
            on,
            PROGRAMME_OFFICE,
            note,
            RecallIssued {
                recall_id: id.clone(),
                award_id: award.id.clone(),
                gpus: servers * GPUS_PER_SERVER,
                reason,
            },
        );
        self.recalls.push(Recall {
            id,
            track: proposal.track,
            awaiting_servers: servers,
        });
        let recall = self.recalls.len() - 1;
        self.agenda.push((
            on.plus_days(7).at_hour(10),
            Action::Dispose { recall, disposal },
        ));
    }

    /// Lends a recall's servers again, to proposals of the same track (so of
    /// the same pool and sector): the reserve list in rank order, then
    /// partly funded proposals up to what they asked; what nobody receives
    /// goes back to the pool.
    fn dispose(&mut self, on: Kst, recall: usize, disposal: Disposal) {
        let track = self.recalls[recall].track;
        let ranked = &self.ranking[track];
        let reserve_list = ranked.iter().copied().filter(|&p| {
            let proposal = &self.proposals[p];
            proposal.outcome == Outcome::ReserveList && proposal.status == Status::Pending
        });
        let top_ups = ranked.iter().copied().filter(|&p| {
            let proposal = &self.proposals[p];
            proposal.status == Status::Awarded
                && !proposal.troubled
                && proposal.held_servers < proposal.requested_servers
        });
        let recipients: Vec<usize> = match disposal {
            Disposal::ReserveListFirst => reserve_list.chain(top_ups).collect(),
            Disposal::TopUps => top_ups.collect(),
            Disposal::Release => Vec::new(),
        };
        let starts = week_after(on);
        let mut at = on;
        for p in recipients {
            let awaiting = self.recalls[recall].awaiting_servers;
            if awaiting == 0 {
                break;
            }
            let proposal = &self.proposals[p];
            let servers = awaiting.min(proposal.requested_servers - proposal.held_servers);
            self.redistribute(at, recall, p, servers, starts);
            at = at.plus_seconds(300);
        }
        let left = self.recalls[recall].awaiting_servers;
        if left > 0 {
            self.recalls[recall].awaiting_servers = 0;
            self.timeline.record(
                at,
                PROGRAMME_OFFICE,
                RecallReleased {
                    recall_id: self.recalls[recall].id.clone(),
                    gpus: left * GPUS_PER_SERVER,
                    reason: format!("{FOLLOW_UP_CALL} 트랙 1 배분 재원으로 보유 풀에 환원"),
                },
            );
        }
    }

    fn redistribute(&mut self, at: Kst, recall: usize, p: usize, servers: u32, starts: usize) {
        self.redistributions += 1;
        let award_id = format!("AW-2026-{:04}", self.redistributions);
        let proposal = &mut self.proposals[p];
        let note = if proposal.status == Status::Pending {
            let rank = self.ranking[proposal.track]
                .iter()
                .position(|&q| q == p)
                .expect("ranked")
                + 1;
            format!("예비 선정 과제 (트랙 평가 순위 {rank}위)에 회수분 재배정")
        } else {
            format!(
                "부분 지원 과제 증액: 요청 {}대 중 {}대 보유 중",
                proposal.requested_servers, proposal.held_servers
            )
        };
        let recall = &mut self.recalls[recall];
        recall.awaiting_servers -= servers;
        self.timeline.record_with_note(
            at,
            PROGRAMME_OFFICE,
            note,
            Redistributed {
                redistribution_id: format!("RD-2026-{:03}", self.redistributions),
                recall_id: recall.id.clone(),
                award_id: award_id.clone(),
                application_id: proposal.id.clone(),
                gpus: servers * GPUS_PER_SERVER,
                starts_at: week_start(starts).to_string(),
                ends_at: term_end().to_string(),
            },
        );
        proposal.status = Status::Awarded;
        proposal.held_servers += servers;
        self.awards.push(Award {
            id: award_id,
            proposal: p,
            held_servers: servers,
            first_week: starts,
            ended: false,
            usual_bp: self.dice.random_range(6000..=9300),
            trouble: None,
            last_reports: [0; 2],
        });
    }

    fn relinquish(&mut self, on: Kst, a: usize) {
        let award = &mut self.awards[a];
        award.ended = true;
        let proposal = &mut self.proposals[award.proposal];
        proposal.held_servers -= award.held_servers;
        let note = match FIRST_CALL_TRACKS[proposal.track].sector {
            Sector::Industry => "자체 GPU 클러스터 구축으로 잔여 기간 지원 반납",
            Sector::Academia | Sector::Research => "연구 목표 조기 달성으로 잔여 기간 지원 반납",
        };
        self.timeline.record_with_note(
            on,
            PROGRAMME_OFFICE,
            note,
            AwardEnded {
                award_id: award.id.clone(),
                reason: EndReason::Relinquished,
            },
        );
    }
}

/// A region drawn with the given odds of being in the capital region.
fn region_of(dice: &mut ChaCha8Rng, capital: u32, out_of: u32) -> Region {
    if dice.random_ratio(capital, out_of) {
        Region::Capital
    } else {
        Region::NonCapital
    }
}

impl Organization {
    fn registration(&self) -> OrganizationRegistered {
        OrganizationRegistered {
            org_id: self.id.clone(),
            name: self.name.clone(),
            sector: self.sector,
            size: self.size,
            region: self.region,
        }
    }
}
