//! A deterministic, rule-valid history of exactly N events: the benchmark
//! workload.
//!
//! The history is a small discrete-event simulation of the programme, so
//! that the ledger is measured on the mix it will really hold, not on one
//! event type repeated: four GPU pools (owned and leased), organizations that
//! keep registering, a call every quarter with four tracks, applications
//! scored by three to six reviewers, selection by mean score within each
//! track's GPUs, pool capacity and per-organization cap, reserve lists,
//! rejections and withdrawals, then for every award a weekly
//! `UtilizationReported` until its term ends. Underused and misused awards are
//! recalled; recalled GPUs are redistributed to the reserve list or as
//! top-ups, or released back to the pool; some awards are handed back early.
//! Weekly reports are most of a large history, as they would be in practice.
//!
//! A large N is a larger programme (more organizations and applications per
//! call), not only a longer one, so the state the rules keep grows with N the
//! way it would in a real ledger of that size.
//!
//! The simulation keeps just enough state to respect every rule of events.md
//! (pools' free GPUs, tracks' awarded totals, organizations' held GPUs per
//! track, applications' and awards' status), so every event it writes is
//! accepted in order; `bench/tests/workload.rs` checks that with
//! `gpu_ledger_domain::Programme::accept`. Every choice comes from one
//! ChaCha8 stream seeded by `seed`, drawn in a fixed order, with integer
//! arithmetic only, so a seed gives the same bytes on every machine.

mod json;
pub mod vocabulary;

pub use json::{Stop, Tally};

use json::{LineWriter, kst_midnight, push_str, push_uint};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::io::{self, Write};
use std::ops::Range;
use vocabulary::{
    ACADEMIA_NAMES, CAPITAL_CITIES, INDUSTRY_NAMES, NOTES, OTHER_CITIES, POOLS, PURPOSES,
    REQUESTED_SERVERS, RESEARCH_NAMES, REVIEW_CRITERIA, Region, Sector, Size, TOPICS, TRACKS,
};

/// Events in the default workload.
pub const DEFAULT_EVENTS: u64 = 1_000_000;
/// Seed of the default workload.
pub const DEFAULT_SEED: u64 = 1;

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// 2025-11-03T09:00:00+09:00: the programme office opens for business.
const PROGRAMME_START: i64 = 1_762_128_000;

/// What the history holds besides its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub tally: Tally,
    pub organizations: usize,
    pub calls: usize,
    pub applications: usize,
    /// Granted and redistributed awards.
    pub awards: usize,
}

/// Writes a history of exactly `events` events generated from `seed` to
/// `out`, one event body per line, and says what it holds.
pub fn write_history<W: Write>(events: u64, seed: u64, out: W) -> io::Result<(W, Summary)> {
    let mut sim = Simulation::new(events, seed, out);
    if events > 0 {
        match sim.run() {
            Err(Stop::Full) => {}
            Err(Stop::Io(e)) => return Err(e),
            Ok(()) => unreachable!("calls follow one another forever, so events never run out"),
        }
    }
    let (organizations, calls, applications, awards) = (
        sim.orgs.len(),
        sim.calls.len(),
        sim.apps.len(),
        sim.awards.len(),
    );
    let (out, tally) = sim.out.finish()?;
    Ok((
        out,
        Summary {
            tally,
            organizations,
            calls,
            applications,
            awards,
        },
    ))
}

/// A history in memory (for tests and small workloads).
pub fn history_bytes(events: u64, seed: u64) -> (Vec<u8>, Summary) {
    write_history(events, seed, Vec::new()).expect("writing to memory cannot fail")
}

/// How big the programme is for a history of a given length.
#[derive(Debug, Clone, Copy)]
struct Scale {
    applications_per_call: u32,
    first_organizations: u32,
    organizations_per_call: u32,
    reviewers: u32,
    /// GPUs of all pools together.
    gpus: u32,
}

impl Scale {
    /// A history of N events spans a handful of years of quarterly calls,
    /// a few more for a larger N, and the rest of the growth is in the size
    /// of each call. About 20 events follow one application (its scores, a
    /// decision, and for the awarded ones a report every week of the term).
    fn for_events(events: u64) -> Self {
        let calls = 6 + u64::from((events.max(1) / 10_000).max(1).ilog10());
        let per_call = u32::try_from(events / (calls * 20)).unwrap_or(u32::MAX / 64);
        let applications_per_call = per_call.max(12);
        Scale {
            applications_per_call,
            first_organizations: (applications_per_call / 2).max(16),
            organizations_per_call: (applications_per_call / 25).max(1),
            reviewers: (applications_per_call / 8).max(12),
            gpus: applications_per_call.saturating_mul(24).max(400),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Awarded,
    Rejected,
    Withdrawn,
}

struct Pool {
    gpus_per_server: u32,
    capacity: u32,
    held: u32,
    awaiting: u32,
}

impl Pool {
    fn free(&self) -> u32 {
        self.capacity - self.held - self.awaiting
    }
}

struct Organization {
    id: String,
    sector: Sector,
    size: Size,
    region: Region,
}

struct Call {
    tracks: Range<usize>,
    /// The end of its window (`closes_at`); reviews start after it.
    closes: i64,
    applications: Vec<usize>,
}

struct Track {
    /// Index into [`TRACKS`], the plan it follows.
    plan: usize,
    pool: usize,
    gpus: u32,
    awarded_total: u32,
    applications: Vec<usize>,
}

struct Application {
    id: String,
    track: usize,
    org: usize,
    requested: u32,
    /// The proposal's merit; reviewers score around it.
    quality: i32,
    reviews: u32,
    score_sum: u32,
    status: Status,
    /// GPUs held by its active awards.
    held: u32,
    /// Kept pending on the reserve list after selection.
    reserve: bool,
    /// Had GPUs recalled for off-purpose use: gets no more.
    barred: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UsageProfile {
    Good,
    Weak,
    Idle,
}

struct Award {
    id: String,
    app: usize,
    held: u32,
    ended: bool,
    starts: i64,
    ends: i64,
    profile: UsageProfile,
    /// Sometimes uses the GPUs for something else (and gets caught).
    rogue: bool,
    /// Consecutive weeks under 30%.
    low_weeks: u32,
    recall_due: bool,
}

impl Award {
    fn active(&self) -> bool {
        self.held > 0 && !self.ended
    }
}

struct Recall {
    id: String,
    award: usize,
    pool: usize,
    awaiting: u32,
}

#[derive(Debug, Clone, Copy)]
enum RecallReason {
    Underutilization,
    OffPurposeUse,
    Withdrawal,
}

impl RecallReason {
    fn as_str(self) -> &'static str {
        match self {
            RecallReason::Underutilization => "underutilization",
            RecallReason::OffPurposeUse => "off_purpose_use",
            RecallReason::Withdrawal => "withdrawal",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum EndReason {
    TermCompleted,
    Relinquished,
}

/// Something that will happen in the programme.
#[derive(Debug, Clone, Copy)]
enum Action {
    OpenCall,
    Submit { call: usize },
    Score { app: usize, reviewer: u32 },
    Withdraw { app: usize },
    CloseCall { call: usize },
    Decide { call: usize },
    ExpireReserve { call: usize },
    Report { award: usize, week: u32 },
    Recall { award: usize, reason: RecallReason },
    Redistribute { recall: usize },
    End { award: usize, reason: EndReason },
}

/// An action at a moment; ties keep the order they were scheduled in.
struct Scheduled {
    at: i64,
    order: u64,
    action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

/// An application that could receive recalled GPUs of its pool: reserve-list
/// applications first, then top-ups of partly funded awards, best score first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    reserve: bool,
    /// Mean score plus regional bonus, in thousandths of a point.
    merit: u64,
    app: usize,
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    /// Greater is served first (a max-heap).
    fn cmp(&self, other: &Self) -> Ordering {
        (self.reserve, self.merit, Reverse(self.app)).cmp(&(
            other.reserve,
            other.merit,
            Reverse(other.app),
        ))
    }
}

struct Simulation<W: Write> {
    dice: ChaCha8Rng,
    out: LineWriter<W>,
    agenda: BinaryHeap<Reverse<Scheduled>>,
    scheduled: u64,
    scale: Scale,
    pools: Vec<Pool>,
    orgs: Vec<Organization>,
    calls: Vec<Call>,
    tracks: Vec<Track>,
    apps: Vec<Application>,
    awards: Vec<Award>,
    recalls: Vec<Recall>,
    redistributions: u32,
    /// GPUs held by an organization's active awards on a track: (track, org).
    org_held: HashMap<(usize, usize), u32>,
    /// Per pool, who may receive its recalled GPUs.
    candidates: Vec<BinaryHeap<Candidate>>,
}

type Step = Result<(), Stop>;

impl<W: Write> Simulation<W> {
    fn new(events: u64, seed: u64, out: W) -> Self {
        Self {
            dice: ChaCha8Rng::seed_from_u64(seed),
            out: LineWriter::new(out, events),
            agenda: BinaryHeap::new(),
            scheduled: 0,
            scale: Scale::for_events(events),
            pools: Vec::new(),
            orgs: Vec::new(),
            calls: Vec::new(),
            tracks: Vec::new(),
            apps: Vec::new(),
            awards: Vec::new(),
            recalls: Vec::new(),
            redistributions: 0,
            org_held: HashMap::new(),
            candidates: Vec::new(),
        }
    }

    fn run(&mut self) -> Step {
        self.setup()?;
        while let Some(Reverse(next)) = self.agenda.pop() {
            self.act(next.at, next.action)?;
        }
        Ok(())
    }

    fn at(&mut self, at: i64, action: Action) {
        self.scheduled += 1;
        self.agenda.push(Reverse(Scheduled {
            at,
            order: self.scheduled,
            action,
        }));
    }

    fn act(&mut self, at: i64, action: Action) -> Step {
        match action {
            Action::OpenCall => self.open_call(at),
            Action::Submit { call } => self.submit(at, call),
            Action::Score { app, reviewer } => self.score(at, app, reviewer),
            Action::Withdraw { app } => self.withdraw(at, app, "the project was cancelled"),
            Action::CloseCall { call } => self.close_call(at, call),
            Action::Decide { call } => self.decide(at, call),
            Action::ExpireReserve { call } => self.expire_reserve(at, call),
            Action::Report { award, week } => self.report(at, award, week),
            Action::Recall { award, reason } => self.recall(at, award, reason),
            Action::Redistribute { recall } => self.redistribute(at, recall),
            Action::End { award, reason } => self.end(at, award, reason),
        }
    }

    // ------------------------------------------------------------ chance

    fn between(&mut self, range: Range<i64>) -> i64 {
        self.dice.random_range(range)
    }

    fn chance(&mut self, per_thousand: u32) -> bool {
        self.dice.random_range(0..1000) < per_thousand
    }

    /// Roughly bell-shaped around `mean` (the mean of three uniform draws,
    /// standard deviation `spread / 3`), in integers so every platform agrees.
    fn around(&mut self, mean: i32, spread: i32) -> i32 {
        let draws: i32 = (0..3)
            .map(|_| self.dice.random_range(-spread..=spread))
            .sum();
        mean + draws / 3
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.dice.random_range(0..items.len())]
    }

    fn note(&mut self, per_thousand: u32) -> Option<&'static str> {
        self.chance(per_thousand).then(|| self.pick(&NOTES))
    }

    // ------------------------------------------------------------ setup

    fn setup(&mut self) -> Step {
        let mut at = PROGRAMME_START;
        for plan in &POOLS {
            let servers = (u64::from(self.scale.gpus) * u64::from(plan.share_bp)
                / 10_000
                / u64::from(plan.gpus_per_server))
            .max(8) as u32;
            let capacity = servers * plan.gpus_per_server;
            let mut line = self.out.line(at, "PoolRegistered", "msit");
            line.str("pool_id", plan.id).str("name", plan.name).str(
                "source",
                if plan.provider.is_some() {
                    "leased"
                } else {
                    "owned"
                },
            );
            if let Some(provider) = plan.provider {
                line.str("provider", provider);
            }
            line.str("gpu_model", plan.gpu_model)
                .uint("gpus", capacity)
                .uint("gpus_per_server", plan.gpus_per_server);
            at = line.end(None)? + 30 * MINUTE;
            self.pools.push(Pool {
                gpus_per_server: plan.gpus_per_server,
                capacity,
                held: 0,
                awaiting: 0,
            });
            self.candidates.push(BinaryHeap::new());
        }
        for _ in 0..self.scale.first_organizations {
            let pause = self.between(MINUTE..15 * MINUTE);
            at = self.register_organization(at + pause)?;
        }
        self.at(kst_midnight(at) + 14 * DAY + 10 * HOUR, Action::OpenCall);
        Ok(())
    }

    fn register_organization(&mut self, at: i64) -> Result<i64, Stop> {
        let sector = match self.dice.random_range(0..100) {
            0..45 => Sector::Academia,
            45..90 => Sector::Industry,
            _ => Sector::Research,
        };
        let roll = self.dice.random_range(0..100);
        let size = match sector {
            Sector::Academia if roll < 60 => Size::Public,
            Sector::Academia => Size::Large,
            Sector::Industry if roll < 15 => Size::Large,
            Sector::Industry if roll < 60 => Size::Sme,
            Sector::Industry => Size::Startup,
            Sector::Research if roll < 90 => Size::Public,
            Sector::Research => Size::Large,
        };
        let region = if self.chance(550) {
            Region::Capital
        } else {
            Region::NonCapital
        };
        let city = match region {
            Region::Capital => self.pick(&CAPITAL_CITIES),
            Region::NonCapital => self.pick(&OTHER_CITIES),
        };
        let kind = match sector {
            Sector::Academia => self.pick(&ACADEMIA_NAMES),
            Sector::Industry => self.pick(&INDUSTRY_NAMES),
            Sector::Research => self.pick(&RESEARCH_NAMES),
        };
        let number = self.orgs.len() + 1;
        let id = format!("ORG-{number:06}");
        let name = format!("{city} {kind} {number}");
        let at = self
            .out
            .line(at, "OrganizationRegistered", "msit")
            .str("org_id", &id)
            .str("name", &name)
            .str("sector", sector.as_str())
            .str("size", size.as_str())
            .str("region", region.as_str())
            .end(None)?;
        self.orgs.push(Organization {
            id,
            sector,
            size,
            region,
        });
        Ok(at)
    }

    // ------------------------------------------------------------ calls

    fn open_call(&mut self, at: i64) -> Step {
        let number = self.calls.len() + 1;
        let mut at = at;
        if number > 1 {
            for _ in 0..self.scale.organizations_per_call {
                let pause = self.between(MINUTE..10 * MINUTE);
                at = self.register_organization(at + pause)?;
            }
        }
        if number.is_multiple_of(4) {
            at = self.extend_lease(at + HOUR, number)?;
        }
        let first_track = self.tracks.len();
        for (plan_index, plan) in TRACKS.iter().enumerate() {
            let pool = &self.pools[plan.pool];
            let servers = (u64::from(pool.capacity) * u64::from(plan.share_bp)
                / 10_000
                / u64::from(pool.gpus_per_server))
            .max(1) as u32;
            self.tracks.push(Track {
                plan: plan_index,
                pool: plan.pool,
                gpus: servers * pool.gpus_per_server,
                awarded_total: 0,
                applications: Vec::new(),
            });
        }
        let tracks = first_track..self.tracks.len();
        let opened = self.out.moment(at + HOUR);
        let closes = kst_midnight(opened) + 29 * DAY - 1;
        let call_id = call_id(number);
        let tracks_json = {
            let mut json = Vec::with_capacity(1024);
            json.push(b'[');
            for (i, track) in self.tracks[tracks.clone()].iter().enumerate() {
                if i > 0 {
                    json.push(b',');
                }
                write_track(&mut json, track);
            }
            json.push(b']');
            json
        };
        let title = format!("GPU support for AI research and industry, call {number}");
        let opened = self
            .out
            .line(opened, "CallOpened", "msit")
            .str("call_id", &call_id)
            .str("title", &title)
            .time("closes_at", closes)
            .raw("tracks", |buf| buf.extend_from_slice(&tracks_json))
            .end(None)?;
        let call = self.calls.len();
        self.calls.push(Call {
            tracks,
            closes,
            applications: Vec::new(),
        });
        for _ in 0..self.scale.applications_per_call {
            let when = self.between(opened + HOUR..closes - HOUR);
            self.at(when, Action::Submit { call });
        }
        self.at(closes + 30 * MINUTE, Action::CloseCall { call });
        self.at(opened + 13 * WEEK, Action::OpenCall);
        Ok(())
    }

    /// Every fourth call, one leased pool grows by a tenth: its lease is
    /// extended with more servers (growing never breaks the resize rule).
    fn extend_lease(&mut self, at: i64, call_number: usize) -> Result<i64, Stop> {
        let index = 1 + (call_number / 4 - 1) % (POOLS.len() - 1);
        let pool = &mut self.pools[index];
        let more = (pool.capacity / 10 / pool.gpus_per_server).max(1) * pool.gpus_per_server;
        pool.capacity += more;
        let capacity = pool.capacity;
        let reason = format!("lease extended with {more} GPUs for call {call_number}");
        self.out
            .line(at, "PoolResized", "msit")
            .str("pool_id", POOLS[index].id)
            .uint("gpus", capacity)
            .str("reason", &reason)
            .end(None)
    }

    fn submit(&mut self, at: i64, call: usize) -> Step {
        // Any registered organization may apply, to a track it is eligible for.
        let (org, track) = loop {
            let org = self.dice.random_range(0..self.orgs.len());
            let o = &self.orgs[org];
            let eligible: Vec<usize> = self.calls[call]
                .tracks
                .clone()
                .filter(|&t| TRACKS[self.tracks[t].plan].admits(o.sector, o.size))
                .collect();
            if !eligible.is_empty() {
                break (org, self.pick(&eligible));
            }
        };
        let gpus_per_server = self.pools[self.tracks[track].pool].gpus_per_server;
        let requested = self.pick(&REQUESTED_SERVERS) * gpus_per_server;
        let topic = self.pick(&TOPICS);
        let title = if self.chance(200) {
            format!("{topic}, phase 2")
        } else {
            topic.to_owned()
        };
        let purpose = self.pick(&PURPOSES);
        let quality = self.around(66, 36).clamp(0, 100);
        let id = format!("APP-{:07}", self.apps.len() + 1);
        let actor = format!("org:{}", self.orgs[org].id);
        let note = self.note(10);
        let call_id = call_id(call + 1);
        let submitted = self
            .out
            .line(at, "ApplicationSubmitted", &actor)
            .str("application_id", &id)
            .str("call_id", &call_id)
            .str("track_id", TRACKS[self.tracks[track].plan].id)
            .str("org_id", &self.orgs[org].id)
            .str("title", &title)
            .str("purpose", purpose)
            .uint("requested_gpus", requested)
            .end(note)?;
        let app = self.apps.len();
        self.apps.push(Application {
            id,
            track,
            org,
            requested,
            quality,
            reviews: 0,
            score_sum: 0,
            status: Status::Pending,
            held: 0,
            reserve: false,
            barred: false,
        });
        self.tracks[track].applications.push(app);
        self.calls[call].applications.push(app);

        // Reviews come in the three weeks after the call closes; a few
        // reviewers never deliver, leaving the application a score short.
        let closes = self.calls[call].closes;
        let min_reviews = TRACKS[self.tracks[track].plan].min_reviews();
        let reviews = if self.chance(30) {
            min_reviews - 1
        } else {
            min_reviews + self.dice.random_range(0..=2)
        };
        let mut panel: Vec<u32> = Vec::with_capacity(reviews as usize);
        while panel.len() < reviews as usize {
            let reviewer = self.dice.random_range(1..=self.scale.reviewers);
            if !panel.contains(&reviewer) {
                panel.push(reviewer);
            }
        }
        for reviewer in panel {
            let when = self.between(closes + DAY..closes + 18 * DAY);
            self.at(when, Action::Score { app, reviewer });
        }
        if self.chance(20) {
            let when = self.between(submitted + HOUR..closes + 20 * DAY);
            self.at(when, Action::Withdraw { app });
        }
        Ok(())
    }

    fn score(&mut self, at: i64, app: usize, reviewer: u32) -> Step {
        if self.apps[app].status != Status::Pending {
            return Ok(());
        }
        let quality = self.apps[app].quality;
        let score = self.around(quality, 24).clamp(0, 100) as u32;
        let criteria = self.chance(400).then(|| {
            let names = self.pick(&REVIEW_CRITERIA);
            names.map(|name| (name, self.around(score as i32, 15).clamp(0, 100) as u32))
        });
        let reviewer_id = format!("rv-{reviewer:05}");
        let actor = format!("reviewer:{reviewer_id}");
        let note = self.note(20);
        let mut line = self.out.line(at, "ScoreRecorded", &actor);
        line.str("application_id", &self.apps[app].id)
            .str("reviewer_id", &reviewer_id)
            .uint("score", score);
        if let Some(criteria) = criteria {
            line.raw("criteria", |buf| {
                buf.push(b'{');
                for (i, (name, points)) in criteria.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    push_str(buf, name);
                    buf.push(b':');
                    push_uint(buf, u64::from(*points));
                }
                buf.push(b'}');
            });
        }
        line.end(note)?;
        let a = &mut self.apps[app];
        a.reviews += 1;
        a.score_sum += score;
        Ok(())
    }

    fn withdraw(&mut self, at: i64, app: usize, reason: &str) -> Step {
        let a = &self.apps[app];
        let withdrawable = match a.status {
            Status::Pending => true,
            Status::Awarded => a.held == 0,
            Status::Rejected | Status::Withdrawn => false,
        };
        if !withdrawable {
            return Ok(());
        }
        let actor = format!("org:{}", self.orgs[a.org].id);
        self.out
            .line(at, "ApplicationWithdrawn", &actor)
            .str("application_id", &a.id)
            .str("reason", reason)
            .end(None)?;
        self.apps[app].status = Status::Withdrawn;
        Ok(())
    }

    fn close_call(&mut self, at: i64, call: usize) -> Step {
        let at = self
            .out
            .line(at, "CallClosed", "msit")
            .str("call_id", &call_id(call + 1))
            .end(None)?;
        self.at(at + 21 * DAY, Action::Decide { call });
        Ok(())
    }

    // ------------------------------------------------------------ selection

    /// Mean score plus the track's regional bonus, in thousandths of a point.
    fn merit(&self, app: usize) -> u64 {
        let a = &self.apps[app];
        let plan = &TRACKS[self.tracks[a.track].plan];
        let bonus = match self.orgs[a.org].region {
            Region::NonCapital => plan.regional_bonus.unwrap_or(0),
            Region::Capital => 0,
        };
        u64::from(a.score_sum) * 1000 / u64::from(a.reviews.max(1)) + u64::from(bonus) * 1000
    }

    /// GPUs the organization may still hold on a track under the share cap.
    fn cap_room(&self, track: usize, org: usize) -> u32 {
        let t = &self.tracks[track];
        let cap_bp = TRACKS[t.plan].max_org_share_bp.unwrap_or(10_000);
        let cap = (u64::from(cap_bp) * u64::from(t.gpus) / 10_000) as u32;
        cap.saturating_sub(self.org_held.get(&(track, org)).copied().unwrap_or(0))
    }

    /// GPUs an application may still receive by redistribution: its request
    /// less what it holds, within the share cap, in whole servers.
    fn room(&self, app: usize) -> u32 {
        let a = &self.apps[app];
        let gps = self.pools[self.tracks[a.track].pool].gpus_per_server;
        let room = (a.requested - a.held).min(self.cap_room(a.track, a.org));
        room / gps * gps
    }

    fn decide(&mut self, at: i64, call: usize) -> Step {
        let mut at = at;
        for track in self.calls[call].tracks.clone() {
            let pool = self.tracks[track].pool;
            let gps = self.pools[pool].gpus_per_server;
            let min_reviews = TRACKS[self.tracks[track].plan].min_reviews();
            let pending: Vec<usize> = self.tracks[track]
                .applications
                .iter()
                .copied()
                .filter(|&a| self.apps[a].status == Status::Pending)
                .collect();
            let (mut ranked, incomplete): (Vec<usize>, Vec<usize>) = pending
                .into_iter()
                .partition(|&a| self.apps[a].reviews >= min_reviews);
            ranked.sort_by_key(|&a| (Reverse(self.merit(a)), a));
            let mut unfunded = Vec::new();
            for app in ranked {
                at += self.between(2..20);
                if self.merit(app) < 55_000 {
                    at = self.reject(at, app, "mean score below the threshold of 55")?;
                    continue;
                }
                let a = &self.apps[app];
                let asked = if self.dice.random_range(0..10) < 7 {
                    a.requested
                } else {
                    (a.requested / 2 / gps * gps).max(gps)
                };
                let t = &self.tracks[track];
                let gpus = asked
                    .min(t.gpus - t.awarded_total)
                    .min(self.pools[pool].free())
                    .min(self.cap_room(track, a.org))
                    / gps
                    * gps;
                if gpus == 0 {
                    unfunded.push(app);
                    continue;
                }
                at = self.grant(at, app, gpus)?;
            }
            // The best of the unfunded wait on a reserve list for recalled GPUs.
            let reserve = (unfunded.len() / 8).max(2).min(unfunded.len());
            for &app in &unfunded[..reserve] {
                self.apps[app].reserve = true;
                let candidate = self.candidate(app);
                self.candidates[pool].push(candidate);
            }
            for &app in &unfunded[reserve..] {
                at += self.between(2..20);
                at = self.reject(at, app, "below the funding line")?;
            }
            for app in incomplete {
                at += self.between(2..20);
                at = self.reject(at, app, "review incomplete")?;
            }
        }
        self.at(at + 150 * DAY, Action::ExpireReserve { call });
        Ok(())
    }

    fn candidate(&self, app: usize) -> Candidate {
        Candidate {
            reserve: self.apps[app].status == Status::Pending,
            merit: self.merit(app),
            app,
        }
    }

    fn reject(&mut self, at: i64, app: usize, reason: &str) -> Result<i64, Stop> {
        let note = self.note(10);
        let at = self
            .out
            .line(at, "ApplicationRejected", "msit")
            .str("application_id", &self.apps[app].id)
            .str("reason", reason)
            .end(note)?;
        self.apps[app].status = Status::Rejected;
        Ok(at)
    }

    fn grant(&mut self, at: i64, app: usize, gpus: u32) -> Result<i64, Stop> {
        let granted = self.out.moment(at);
        let starts = kst_midnight(granted) + 10 * DAY;
        let weeks = self.pick(&[26, 39, 39, 52]);
        let ends = starts + weeks * WEEK - 1;
        let id = format!("AW-{:07}", self.awards.len() + 1);
        let note = self.note(10);
        let at = self
            .out
            .line(granted, "AwardGranted", "msit")
            .str("award_id", &id)
            .str("application_id", &self.apps[app].id)
            .uint("gpus", gpus)
            .time("starts_at", starts)
            .time("ends_at", ends)
            .end(note)?;
        let track = self.apps[app].track;
        self.tracks[track].awarded_total += gpus;
        self.start_award(id, app, gpus, starts, ends);
        // Partly funded: it may get recalled GPUs on top later.
        if self.room(app) > 0 {
            let pool = self.tracks[track].pool;
            let candidate = self.candidate(app);
            self.candidates[pool].push(candidate);
        }
        Ok(at)
    }

    /// What `AwardGranted` and `Redistributed` share: the GPUs move to the
    /// application, and the award's weekly reports and end are planned.
    fn start_award(&mut self, id: String, app: usize, gpus: u32, starts: i64, ends: i64) {
        let a = &mut self.apps[app];
        a.status = Status::Awarded;
        a.reserve = false;
        a.held += gpus;
        let (track, org) = (a.track, a.org);
        self.pools[self.tracks[track].pool].held += gpus;
        *self.org_held.entry((track, org)).or_insert(0) += gpus;
        let profile = match self.dice.random_range(0..100) {
            0..80 => UsageProfile::Good,
            80..95 => UsageProfile::Weak,
            _ => UsageProfile::Idle,
        };
        let rogue = self.chance(15);
        let award = self.awards.len();
        self.awards.push(Award {
            id,
            app,
            held: gpus,
            ended: false,
            starts,
            ends,
            profile,
            rogue,
            low_weeks: 0,
            recall_due: false,
        });
        let first_report = (starts + WEEK).min(ends) + self.between(HOUR..2 * DAY);
        self.at(first_report, Action::Report { award, week: 0 });
        let end = ends + self.between(DAY..5 * DAY);
        self.at(
            end,
            Action::End {
                award,
                reason: EndReason::TermCompleted,
            },
        );
        if ends - starts > 13 * WEEK {
            let early = self.between(starts + 30 * DAY..ends - 30 * DAY);
            match self.dice.random_range(0..100) {
                0..2 => self.at(
                    early,
                    Action::End {
                        award,
                        reason: EndReason::Relinquished,
                    },
                ),
                2..3 => self.at(
                    early,
                    Action::Recall {
                        award,
                        reason: RecallReason::Withdrawal,
                    },
                ),
                _ => {}
            }
        }
    }

    fn expire_reserve(&mut self, at: i64, call: usize) -> Step {
        let mut at = at;
        for i in 0..self.calls[call].applications.len() {
            let app = self.calls[call].applications[i];
            if self.apps[app].status == Status::Pending {
                at += self.between(2..20);
                at = self.reject(at, app, "reserve list expired")?;
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------ awards

    fn report(&mut self, at: i64, award: usize, week: u32) -> Step {
        if !self.awards[award].active() {
            return Ok(());
        }
        let aw = &self.awards[award];
        let period_start = aw.starts + i64::from(week) * WEEK;
        let period_end = (period_start + WEEK).min(aw.ends);
        let (profile, rogue, ends) = (aw.profile, aw.rogue, aw.ends);
        let utilization = match profile {
            UsageProfile::Good => self.around(7800, 3600).clamp(3000, 10_000),
            UsageProfile::Weak => self.around(3500, 4500).clamp(0, 10_000),
            UsageProfile::Idle => self.around(800, 1800).clamp(0, 3000),
        } as u32;
        let off_purpose = rogue && self.chance(300);
        let note = self.note(2);
        let reported = self
            .out
            .line(at, "UtilizationReported", "monitor")
            .str("award_id", &self.awards[award].id)
            .time("period_start", period_start)
            .time("period_end", period_end)
            .uint("utilization_bp", utilization)
            .bool("off_purpose_use", off_purpose)
            .end(note)?;

        // The office acts on what monitoring reports: misuse is recalled at
        // once, three weak weeks in a row lose half the GPUs.
        let aw = &mut self.awards[award];
        if !aw.recall_due {
            if off_purpose {
                aw.recall_due = true;
                let when = reported + self.between(2 * DAY..6 * DAY);
                self.at(
                    when,
                    Action::Recall {
                        award,
                        reason: RecallReason::OffPurposeUse,
                    },
                );
            } else if utilization < 3000 {
                aw.low_weeks += 1;
                if aw.low_weeks >= 3 {
                    aw.low_weeks = 0;
                    aw.recall_due = true;
                    let when = reported + self.between(3 * DAY..10 * DAY);
                    self.at(
                        when,
                        Action::Recall {
                            award,
                            reason: RecallReason::Underutilization,
                        },
                    );
                }
            } else {
                aw.low_weeks = 0;
            }
        }
        if period_end < ends {
            let when = (period_end + WEEK).min(ends) + self.between(HOUR..2 * DAY);
            self.at(
                when,
                Action::Report {
                    award,
                    week: week + 1,
                },
            );
        }
        Ok(())
    }

    fn recall(&mut self, at: i64, award: usize, reason: RecallReason) -> Step {
        self.awards[award].recall_due = false;
        let aw = &self.awards[award];
        if !aw.active() || self.out.moment(at) >= aw.ends {
            return Ok(());
        }
        let app = aw.app;
        let (track, org) = (self.apps[app].track, self.apps[app].org);
        let pool = self.tracks[track].pool;
        let gps = self.pools[pool].gpus_per_server;
        let gpus = match reason {
            RecallReason::Underutilization => (aw.held / 2 / gps * gps).max(gps),
            RecallReason::OffPurposeUse | RecallReason::Withdrawal => aw.held,
        };
        let id = format!("RC-{:06}", self.recalls.len() + 1);
        let note = self.note(200);
        let at = self
            .out
            .line(at, "RecallIssued", "msit")
            .str("recall_id", &id)
            .str("award_id", &self.awards[award].id)
            .uint("gpus", gpus)
            .str("reason", reason.as_str())
            .end(note)?;
        self.awards[award].held -= gpus;
        self.apps[app].held -= gpus;
        *self.org_held.get_mut(&(track, org)).expect("held GPUs") -= gpus;
        let p = &mut self.pools[pool];
        p.held -= gpus;
        p.awaiting += gpus;
        let recall = self.recalls.len();
        self.recalls.push(Recall {
            id,
            award,
            pool,
            awaiting: gpus,
        });
        match reason {
            RecallReason::Underutilization => {
                // Half of the warned projects pick up.
                if self.chance(500) {
                    self.awards[award].profile = UsageProfile::Good;
                }
            }
            RecallReason::OffPurposeUse => self.apps[app].barred = true,
            RecallReason::Withdrawal => {
                let when = at + self.between(MINUTE..2 * HOUR);
                self.withdraw(when, app, "the organization ended the project")?;
            }
        }
        let when = at + self.between(5 * DAY..20 * DAY);
        self.at(when, Action::Redistribute { recall });
        Ok(())
    }

    /// Recalled GPUs go, best first, to the pool's reserve list or as top-ups
    /// of partly funded awards; what nobody can take returns to the pool.
    fn redistribute(&mut self, at: i64, recall: usize) -> Step {
        let pool = self.recalls[recall].pool;
        let gps = self.pools[pool].gpus_per_server;
        let recalled_from = self.awards[self.recalls[recall].award].app;
        let mut at = at;
        let mut served_some = false;
        if self.chance(850) {
            let mut keep = Vec::new();
            while self.recalls[recall].awaiting >= gps {
                let Some(candidate) = self.candidates[pool].pop() else {
                    break;
                };
                let app = candidate.app;
                let a = &self.apps[app];
                let eligible = !a.barred
                    && (a.status == Status::Awarded || (a.status == Status::Pending && a.reserve));
                if !eligible {
                    continue;
                }
                if app == recalled_from {
                    keep.push(candidate);
                    continue;
                }
                let gpus = self.room(app).min(self.recalls[recall].awaiting) / gps * gps;
                if gpus == 0 {
                    continue;
                }
                let when = at + self.between(MINUTE..HOUR);
                at = self.redistribute_to(when, recall, app, gpus)?;
                served_some = true;
                if self.room(app) > 0 {
                    keep.push(self.candidate(app));
                }
                if self.chance(300) {
                    break;
                }
            }
            self.candidates[pool].extend(keep);
        }
        let left = self.recalls[recall].awaiting;
        if left > 0 {
            let reason = if served_some {
                "the rest returns to the pool for the next call"
            } else {
                "no eligible applicant on the pool"
            };
            let when = at + self.between(MINUTE..HOUR);
            self.out
                .line(when, "RecallReleased", "msit")
                .str("recall_id", &self.recalls[recall].id)
                .uint("gpus", left)
                .str("reason", reason)
                .end(None)?;
            self.recalls[recall].awaiting = 0;
            self.pools[pool].awaiting -= left;
        }
        Ok(())
    }

    fn redistribute_to(
        &mut self,
        at: i64,
        recall: usize,
        app: usize,
        gpus: u32,
    ) -> Result<i64, Stop> {
        let moved = self.out.moment(at);
        let starts = kst_midnight(moved) + 3 * DAY;
        let original_end = self.awards[self.recalls[recall].award].ends;
        let ends = if original_end > starts + 28 * DAY {
            original_end
        } else {
            starts + 13 * WEEK - 1
        };
        self.redistributions += 1;
        let redistribution_id = format!("RD-{:06}", self.redistributions);
        let award_id = format!("AW-{:07}", self.awards.len() + 1);
        let note = self.note(100);
        let at = self
            .out
            .line(moved, "Redistributed", "msit")
            .str("redistribution_id", &redistribution_id)
            .str("recall_id", &self.recalls[recall].id)
            .str("award_id", &award_id)
            .str("application_id", &self.apps[app].id)
            .uint("gpus", gpus)
            .time("starts_at", starts)
            .time("ends_at", ends)
            .end(note)?;
        self.recalls[recall].awaiting -= gpus;
        self.pools[self.recalls[recall].pool].awaiting -= gpus;
        self.start_award(award_id, app, gpus, starts, ends);
        Ok(at)
    }

    fn end(&mut self, at: i64, award: usize, reason: EndReason) -> Step {
        let aw = &self.awards[award];
        if !aw.active() {
            return Ok(());
        }
        let (reason, actor) = match reason {
            EndReason::TermCompleted => ("term_completed", "msit".to_owned()),
            EndReason::Relinquished => (
                "relinquished",
                format!("org:{}", self.orgs[self.apps[aw.app].org].id),
            ),
        };
        self.out
            .line(at, "AwardEnded", &actor)
            .str("award_id", &aw.id)
            .str("reason", reason)
            .end(None)?;
        let aw = &mut self.awards[award];
        let held = aw.held;
        aw.held = 0;
        aw.ended = true;
        let app = aw.app;
        self.apps[app].held -= held;
        let (track, org) = (self.apps[app].track, self.apps[app].org);
        *self.org_held.get_mut(&(track, org)).expect("held GPUs") -= held;
        self.pools[self.tracks[track].pool].held -= held;
        Ok(())
    }
}

fn call_id(number: usize) -> String {
    format!("CALL-{number:03}")
}

/// One track of a `CallOpened`, as JSON.
fn write_track(buf: &mut Vec<u8>, track: &Track) {
    let plan = &TRACKS[track.plan];
    let list = |buf: &mut Vec<u8>, words: &mut dyn Iterator<Item = &'static str>| {
        buf.push(b'[');
        for (i, word) in words.enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            push_str(buf, word);
        }
        buf.push(b']');
    };
    buf.extend_from_slice(b"{\"track_id\":");
    push_str(buf, plan.id);
    buf.extend_from_slice(b",\"pool_id\":");
    push_str(buf, POOLS[plan.pool].id);
    buf.extend_from_slice(b",\"gpus\":");
    push_uint(buf, u64::from(track.gpus));
    buf.extend_from_slice(b",\"eligible_sectors\":");
    list(buf, &mut plan.sectors.iter().map(|s| s.as_str()));
    if let Some(sizes) = plan.sizes {
        buf.extend_from_slice(b",\"eligible_sizes\":");
        list(buf, &mut sizes.iter().map(|s| s.as_str()));
    }
    let optional = [
        ("min_reviews", plan.min_reviews),
        ("regional_bonus", plan.regional_bonus),
        ("max_org_share_bp", plan.max_org_share_bp),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            buf.extend_from_slice(b",\"");
            buf.extend_from_slice(key.as_bytes());
            buf.extend_from_slice(b"\":");
            push_uint(buf, u64::from(value));
        }
    }
    buf.push(b'}');
}
