//! What the pages need of history that the views do not keep: the
//! concentration figures over time, the log of recalls and where their GPUs
//! went, and snapshots of the views to rebuild a past point from.
//!
//! The ledger is append-only, so a point sampled at seq N never changes.
//! New records reach the history from the server's one record stream (it is
//! a [`Follower`]), sampled from the live views themselves. What came before
//! the live views' start is computed once in the background, by a replay
//! with views of its own that are dropped once it meets the live stream. A
//! page that arrives before then waits a little, then shows what is
//! computed so far and says so.

use crate::LedgerReader;
use gpu_ledger_domain::Body;
use gpu_ledger_ledger::RecordedAt;
use gpu_ledger_projections::Projections;
use gpu_ledger_projections::concentration::Figures;
use gpu_ledger_replay::fold::{BATCH, fold};
use gpu_ledger_replay::{Entry, Follower, Until};
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// One point of the concentration series.
pub const SAMPLE_EVERY_EVENTS: u64 = 1000;
/// A snapshot of every view is kept this often at first, for past pages.
pub const SNAPSHOT_EVERY_EVENTS: u64 = 100_000;
/// Snapshots kept at most: past that, every other one is dropped and the
/// spacing doubles, so memory stays bounded however long the ledger grows.
const SNAPSHOTS_KEPT: usize = 8;
const WEEK_SECONDS: i64 = 7 * 86_400;
/// 1970-01-01 was a Thursday: shifting by three days makes weeks start on Monday.
const MONDAY_SHIFT: i64 = 3 * 86_400;

/// Concentration figures of one scope at one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub held_gpus: u64,
    pub top5_share_bp: u64,
    pub hhi: u64,
    pub capital_share_bp: u64,
    pub non_capital_share_bp: u64,
}

impl From<&Figures> for Summary {
    fn from(f: &Figures) -> Self {
        Self {
            held_gpus: f.held_gpus,
            top5_share_bp: f.top5_share_bp,
            hhi: f.hhi,
            capital_share_bp: f.capital_share_bp,
            non_capital_share_bp: f.non_capital_share_bp,
        }
    }
}

/// The concentration at one point of history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The last record included.
    pub seq: u64,
    /// Business time (`occurred_at`) of that record.
    pub occurred_at: String,
    pub programme: Summary,
    /// Per track, `"CALL TRACK"`, in the view's order.
    pub tracks: Vec<(String, Summary)>,
}

impl Sample {
    /// The figures of the views `p`.
    pub fn of(p: &Projections, occurred_at: String) -> Self {
        let view = p.concentration.view(&p.catalog);
        Sample {
            seq: p.seq,
            occurred_at,
            programme: Summary::from(&view.programme),
            tracks: view
                .tracks
                .iter()
                .map(|t| (format!("{} {}", t.call_id, t.track_id), (&t.figures).into()))
                .collect(),
        }
    }
}

/// A recall, and what became of its GPUs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecallLog {
    pub seq: u64,
    pub occurred_at: String,
    pub recall_id: String,
    pub award_id: String,
    pub org_id: String,
    pub org_name: String,
    pub pool_id: String,
    pub gpus: u32,
    pub reason: &'static str,
    pub moves: Vec<Move>,
}

/// Where some of a recall's GPUs went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub seq: u64,
    pub occurred_at: String,
    pub gpus: u32,
    /// `Some((application, organization, its name))` for a redistribution;
    /// `None` for GPUs released back to the pool.
    pub to: Option<(String, String, String)>,
}

/// How the concentration series is sampled.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Every {
    /// At the end of each week of business time.
    #[default]
    Week,
    /// Every [`SAMPLE_EVERY_EVENTS`] events.
    Events,
}

impl Every {
    pub fn as_str(self) -> &'static str {
        match self {
            Every::Week => "week",
            Every::Events => "events",
        }
    }
}

/// What a page wants of history.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// The concentration series, sampled so.
    Series(Every),
    /// The latest this many recalls.
    Recalls(usize),
}

/// History up to some seq, as a page shows it.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    /// The concentration series, oldest first (when asked for).
    pub points: Vec<Sample>,
    /// The latest recalls, newest first, with their moves up to the same seq
    /// (when asked for).
    pub recalls: Vec<RecallLog>,
    /// All the recalls up to the seq.
    pub recalls_total: usize,
    /// The seq history is computed to (less than asked when still computing).
    pub computed_to: u64,
}

#[derive(Default)]
struct Tracker {
    /// History is being computed by a replay of what came before the live
    /// stream; the stream's records wait for it.
    backfilling: bool,
    /// The last record history includes.
    computed_to: u64,
    /// The last record the live stream offered.
    live_seen: u64,
    last: Option<(i64, String)>,
    by_events: Vec<Sample>,
    by_week: Vec<Sample>,
    recalls: Vec<RecallLog>,
}

impl Tracker {
    /// What `entry` changes, seen with the views as they were before it.
    fn before(&mut self, entry: &Entry, views: &Projections) {
        let (seq, event) = (entry.record.seq, &entry.event);
        let at = event.occurred_at.instant().unix_seconds;
        let week = (at + MONDAY_SHIFT).div_euclid(WEEK_SECONDS);
        if let Some((last_week, last_at)) = &self.last
            && week > *last_week
        {
            self.by_week.push(Sample::of(views, last_at.clone()));
        }
        let cat = &views.catalog;
        let occurred_at = event.occurred_at.to_string();
        match &event.body {
            Body::RecallIssued(e) => {
                let award = &cat.awards[&e.award_id];
                self.recalls.push(RecallLog {
                    seq,
                    occurred_at,
                    recall_id: e.recall_id.to_string(),
                    award_id: e.award_id.to_string(),
                    org_id: award.org_id.to_string(),
                    org_name: cat.org(&award.org_id).name.to_string(),
                    pool_id: award.pool_id.to_string(),
                    gpus: e.gpus,
                    reason: e.reason.as_str(),
                    moves: Vec::new(),
                });
            }
            Body::Redistributed(e) => {
                let app = &cat.apps[&e.application_id];
                let to = (
                    e.application_id.to_string(),
                    app.org_id.to_string(),
                    cat.org(&app.org_id).name.to_string(),
                );
                self.moved(e.recall_id.as_str(), seq, &occurred_at, e.gpus, Some(to));
            }
            Body::RecallReleased(e) => {
                self.moved(e.recall_id.as_str(), seq, &occurred_at, e.gpus, None);
            }
            _ => {}
        }
    }

    /// The samples of the views just after `entry`.
    fn after(&mut self, entry: &Entry, views: &Projections) {
        let (seq, event) = (entry.record.seq, &entry.event);
        let at = event.occurred_at.instant().unix_seconds;
        let week = (at + MONDAY_SHIFT).div_euclid(WEEK_SECONDS);
        let occurred_at = event.occurred_at.to_string();
        self.last = Some((week, occurred_at.clone()));
        if seq.is_multiple_of(SAMPLE_EVERY_EVENTS) {
            self.by_events.push(Sample::of(views, occurred_at));
        }
        self.computed_to = seq;
    }

    fn moved(
        &mut self,
        recall: &str,
        seq: u64,
        at: &str,
        gpus: u32,
        to: Option<(String, String, String)>,
    ) {
        if let Some(r) = self
            .recalls
            .iter_mut()
            .rev()
            .find(|r| r.recall_id == recall)
        {
            r.moves.push(Move {
                seq,
                occurred_at: at.to_string(),
                gpus,
                to,
            });
        }
    }
}

/// A snapshot of every view after record `seq`.
struct Snapshot {
    seq: u64,
    recorded_at: RecordedAt,
    views: Arc<Projections>,
}

/// Snapshots of the views, evenly spaced.
struct Snapshots {
    every: u64,
    kept: Vec<Snapshot>,
}

impl Default for Snapshots {
    fn default() -> Self {
        Self {
            every: SNAPSHOT_EVERY_EVENTS,
            kept: Vec::new(),
        }
    }
}

impl Snapshots {
    /// Keeps the views after `seq` when it falls on the spacing.
    fn offer(&mut self, seq: u64, recorded_at: RecordedAt, views: &Projections) {
        if !seq.is_multiple_of(self.every) {
            return;
        }
        self.kept.push(Snapshot {
            seq,
            recorded_at,
            views: Arc::new(views.clone()),
        });
        if self.kept.len() > SNAPSHOTS_KEPT {
            self.every *= 2;
            let every = self.every;
            self.kept.retain(|s| s.seq.is_multiple_of(every));
        }
    }
}

/// The history of the ledger the server serves.
pub struct History {
    tracker: Mutex<Tracker>,
    snapshots: Mutex<Snapshots>,
    computed_to: watch::Sender<u64>,
}

impl Default for History {
    fn default() -> Self {
        Self {
            tracker: Mutex::default(),
            snapshots: Mutex::default(),
            computed_to: watch::channel(0).0,
        }
    }
}

/// New records, from the server's record stream.
impl Follower for History {
    fn before(&self, entry: &Entry, views: &Projections) {
        let mut t = self.tracker.lock().expect("history lock");
        t.live_seen = entry.record.seq;
        if !t.backfilling && t.computed_to + 1 == entry.record.seq {
            t.before(entry, views);
        }
    }

    fn after(&self, entry: &Entry, views: &Projections) {
        let mut t = self.tracker.lock().expect("history lock");
        if !t.backfilling && t.computed_to + 1 == entry.record.seq {
            t.after(entry, views);
            self.offer_snapshot(entry, views);
            self.computed_to.send_replace(entry.record.seq);
        }
    }
}

impl History {
    /// Computes what came before the live stream (from `ledger`), once,
    /// then leaves history to the stream. `first_live` is the seq of the
    /// first record the live views did not start with (0 for none).
    pub async fn backfill(&self, ledger: &dyn LedgerReader, first_live: u64) {
        {
            let mut t = self.tracker.lock().expect("history lock");
            if first_live <= 1 || t.computed_to + 1 >= first_live {
                return;
            }
            t.backfilling = true;
        }
        let started = Instant::now();
        // The replay's own views, dropped once it meets the live stream.
        let mut views = Projections::new();
        loop {
            let from = self.tracker.lock().expect("history lock").computed_to;
            let replayed = fold(
                &mut ledger.replay_after(from),
                BATCH,
                Until::Head,
                |entries| {
                    for e in entries {
                        self.replay(e, &mut views);
                    }
                    Ok(())
                },
                |_| {},
            )
            .await;
            if let Err(e) = replayed {
                tracing::warn!(error = %e, "the dashboard's history could not be computed");
                return;
            }
            let mut t = self.tracker.lock().expect("history lock");
            if t.computed_to >= t.live_seen {
                // Met the live stream: from here on, its views are the ones.
                t.backfilling = false;
                tracing::info!(
                    seq = t.computed_to,
                    ms = started.elapsed().as_millis() as u64,
                    "dashboard history computed"
                );
                return;
            }
        }
    }

    /// Applies one replayed entry with the backfill's own views.
    fn replay(&self, e: &Entry, views: &mut Projections) {
        let mut t = self.tracker.lock().expect("history lock");
        if e.record.seq != t.computed_to + 1 {
            return;
        }
        t.before(e, views);
        views.apply(e.record.seq, &e.event);
        t.after(e, views);
        drop(t);
        self.offer_snapshot(e, views);
        self.computed_to.send_replace(e.record.seq);
    }

    fn offer_snapshot(&self, entry: &Entry, views: &Projections) {
        self.snapshots.lock().expect("snapshots lock").offer(
            entry.record.seq,
            entry.record.recorded_at,
            views,
        );
    }

    /// Waits until history includes `seq`, or `deadline` passes; the seq reached.
    async fn reach(&self, seq: u64, wait: Duration) -> u64 {
        let mut rx = self.computed_to.subscribe();
        let _ = tokio::time::timeout(wait, rx.wait_for(|s| *s >= seq)).await;
        *rx.borrow()
    }

    /// What `want`s of history up to `seq`, computed first (waiting at
    /// most `wait`). Only what is asked for is copied out.
    pub async fn slice(&self, seq: u64, wait: Duration, want: Want) -> Slice {
        let computed_to = self.reach(seq, wait).await;
        let t = self.tracker.lock().expect("history lock");
        let mut slice = Slice {
            computed_to: computed_to.min(seq),
            ..Slice::default()
        };
        match want {
            Want::Series(every) => {
                let series = match every {
                    Every::Week => &t.by_week,
                    Every::Events => &t.by_events,
                };
                // Sorted by seq: the points up to `seq` are a prefix.
                slice.points = series[..series.partition_point(|s| s.seq <= seq)].to_vec();
            }
            Want::Recalls(n) => {
                let upto = &t.recalls[..t.recalls.partition_point(|r| r.seq <= seq)];
                slice.recalls_total = upto.len();
                slice.recalls = upto
                    .iter()
                    .rev()
                    .take(n)
                    .map(|r| RecallLog {
                        moves: r.moves.iter().filter(|m| m.seq <= seq).cloned().collect(),
                        ..r.clone()
                    })
                    .collect();
            }
        }
        slice
    }

    /// The latest snapshot at or before `until`, to replay a past point from.
    pub fn snapshot_before(&self, until: Until) -> Option<Arc<Projections>> {
        let snapshots = self.snapshots.lock().expect("snapshots lock");
        snapshots
            .kept
            .iter()
            .rev()
            .find(|s| until.includes(s.seq, s.recorded_at, s.views.occurred_by))
            .map(|s| s.views.clone())
    }
}
