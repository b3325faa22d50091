//! What the pages need of history that the views do not keep: the
//! concentration figures over time, the log of recalls and where their GPUs
//! went, and snapshots of the views to rebuild a past point from.
//!
//! All of it comes from one replay pass that follows the ledger
//! incrementally: the ledger is append-only, so a point sampled at seq N
//! never changes, and a request only applies the records appended since
//! the last one. The pass starts in the background when the server starts;
//! a page that arrives before it is done waits a little, then shows what is
//! computed so far and says so.

use gpu_ledger_domain::{Body, decode_event};
use gpu_ledger_ledger::{EventStore, RecordedAt};
use gpu_ledger_projections::Projections;
use gpu_ledger_projections::concentration::Figures;
use gpu_ledger_replay::Until;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One point of the concentration series.
pub const SAMPLE_EVERY_EVENTS: u64 = 1000;
/// A snapshot of every view is kept this often at first, for past pages.
pub const SNAPSHOT_EVERY_EVENTS: u64 = 100_000;
/// Snapshots kept at most: past that, every other one is dropped and the
/// spacing doubles, so memory stays bounded however long the ledger grows.
const SNAPSHOTS_KEPT: usize = 8;
/// Records read from the store at a time.
const BATCH: usize = 4096;
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
    views: Projections,
    last: Option<(i64, String)>,
    by_events: Vec<Sample>,
    by_week: Vec<Sample>,
    recalls: Vec<RecallLog>,
}

impl Tracker {
    fn apply(&mut self, seq: u64, event: &gpu_ledger_domain::Event) {
        let at = event.occurred_at.instant().unix_seconds;
        let week = (at + MONDAY_SHIFT).div_euclid(WEEK_SECONDS);
        if let Some((last_week, last_at)) = &self.last
            && week > *last_week
        {
            self.by_week.push(Sample::of(&self.views, last_at.clone()));
        }
        let cat = &self.views.catalog;
        let occurred_at = event.occurred_at.to_string();
        match &event.body {
            Body::RecallIssued(e) => {
                let award = &cat.awards[&e.award_id];
                self.recalls.push(RecallLog {
                    seq,
                    occurred_at: occurred_at.clone(),
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
        self.views.apply(seq, event);
        self.last = Some((week, occurred_at.clone()));
        if seq.is_multiple_of(SAMPLE_EVERY_EVENTS) {
            self.by_events.push(Sample::of(&self.views, occurred_at));
        }
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

/// The history of the ledger the server serves, computed as far as asked.
#[derive(Default)]
pub struct History {
    tracker: tokio::sync::Mutex<Tracker>,
    snapshots: Mutex<Snapshots>,
}

impl History {
    /// Computes history up to the head the store has now.
    pub async fn warm_up(&self, store: Arc<dyn EventStore>) {
        let Ok(head) = store.head().await else { return };
        let started = Instant::now();
        if let Err(e) = self.catch_up(store.as_ref(), head.seq, None).await {
            tracing::warn!(error = %e, "the dashboard's history could not be computed");
        } else if head.seq > 0 {
            tracing::info!(
                seq = head.seq,
                ms = started.elapsed().as_millis() as u64,
                "dashboard history computed"
            );
        }
    }

    /// Applies records until history reaches `target` (or `deadline` passes).
    /// Returns the seq reached. The lock is taken per batch so that a page
    /// can read what is computed while the first pass runs.
    pub async fn catch_up(
        &self,
        store: &dyn EventStore,
        target: u64,
        deadline: Option<Instant>,
    ) -> Result<u64, String> {
        loop {
            let mut t = self.tracker.lock().await;
            let from = t.views.seq + 1;
            if from > target || deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(t.views.seq);
            }
            let max = ((target - from + 1) as usize).min(BATCH);
            let records = store.read(from, max).await.map_err(|e| e.to_string())?;
            if records.is_empty() {
                return Ok(t.views.seq);
            }
            for r in &records {
                let event = decode_event(&r.event).map_err(|e| format!("seq {}: {e}", r.seq))?;
                t.apply(r.seq, &event);
                self.snapshots.lock().expect("snapshots lock").offer(
                    r.seq,
                    r.recorded_at,
                    &t.views,
                );
            }
        }
    }

    /// What `want`s of history up to `seq`, computed first (waiting at
    /// most `wait`). Only what is asked for is copied out.
    pub async fn slice(
        &self,
        store: &dyn EventStore,
        seq: u64,
        wait: Duration,
        want: Want,
    ) -> Slice {
        let computed_to = self
            .catch_up(store, seq, Some(Instant::now() + wait))
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the dashboard's history stopped");
                0
            });
        let t = self.tracker.lock().await;
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
            .find(|s| until.includes(s.seq, s.recorded_at))
            .map(|s| s.views.clone())
    }
}
