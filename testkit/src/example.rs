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
//! 5. June to August 2026, the rest of an award's life (vocabulary v2):
//!    reviewers registered and their conflicts declared, the follow-up call
//!    selected and its rejections appealed, notices before recalls and the
//!    holders heard, terms extended, an award topped up, outputs reported,
//!    and a third call with notice periods and a shorter appeal window. It
//!    only follows the first four chapters: their events and figures are
//!    the same as before it was told.
//!
//! Every choice is drawn from one ChaCha8 stream seeded with `SEED`, in a
//! fixed order, so the history is the same bytes on every run and platform.
//! The report's figures are not left to chance: sizes are drawn freely, then
//! nudged one server at a time until they add up to the published totals.
//!
//! The chapters are told in that order by the modules named for them:
//! `pools`, `organizations`, `first_call`, `follow_up_call`,
//! `monitoring` with `recalls`, and `award_life`. Each event is a
//! [`gpu_ledger_domain::Event`] built from the domain's own types, and each
//! line is written by the domain's canonical writer, so the file is exactly
//! what the ledger stores.

mod award_life;
mod calendar;
mod first_call;
mod follow_up_call;
mod monitoring;
mod names;
mod organizations;
mod pools;
mod proposals;
mod recalls;
mod reviews;
mod timeline;

use calendar::Kst;
use gpu_ledger_domain::Event;
use monitoring::{Action, Trouble};
use organizations::Organization;
use proposals::Proposal;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use timeline::Timeline;

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

/// The whole example history, in business-time order.
pub fn march_2026_events() -> Vec<Event> {
    let mut story = Story::new();
    story.register_owned_pool();
    story.register_organizations();
    story.plan_first_call();
    story.run_first_call();
    story.register_leased_pools();
    story.run_follow_up_call();
    story.plan_troubles();
    story.monitor_first_awards();
    let mut events = story.timeline.into_events();
    let second_part = award_life::award_life(&events);
    events.extend(second_part);
    events
}

/// The whole example history, one canonical JSON event per line.
pub fn march_2026_history() -> Vec<String> {
    march_2026_events()
        .iter()
        .map(|event| String::from_utf8(event.canonical_json()).expect("canonical JSON is UTF-8"))
        .collect()
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
}
