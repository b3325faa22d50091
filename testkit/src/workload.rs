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
//! accepted in order; `testkit/tests/workload.rs` checks that with
//! `gpu_ledger_domain::Programme::accept`. Every choice comes from one
//! ChaCha8 stream seeded by `seed`, drawn in a fixed order, with integer
//! arithmetic only, so a seed gives the same bytes on every machine.

mod agenda;
mod applications;
mod awards;
mod calls;
mod clock;
mod organizations;
mod plans;
mod pools;
mod recalls;
mod selection;
mod texts;
mod writer;

pub use writer::{Stop, Tally};

use agenda::{Action, Scheduled};
use clock::kst_midnight;
use gpu_ledger_domain::Id;
use gpu_ledger_domain::application::Status;
use gpu_ledger_domain::organization::{Region, Sector, Size};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use selection::Candidate;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::{self, Write};
use std::ops::Range;
use texts::NOTES;
use writer::EventWriter;

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
    id: Id,
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
    id: Id,
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
    id: Id,
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
    id: Id,
    award: usize,
    pool: usize,
    awaiting: u32,
}

struct Simulation<W: Write> {
    dice: ChaCha8Rng,
    out: EventWriter<W>,
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
            out: EventWriter::new(out, events),
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

    /// The programme opens: its pools, its first organizations, and a
    /// fortnight later its first call.
    fn setup(&mut self) -> Step {
        let mut at = self.register_pools(PROGRAMME_START)?;
        for _ in 0..self.scale.first_organizations {
            let pause = self.between(MINUTE..15 * MINUTE);
            at = self.register_organization(at + pause)?;
        }
        self.at(kst_midnight(at) + 14 * DAY + 10 * HOUR, Action::OpenCall);
        Ok(())
    }
}
