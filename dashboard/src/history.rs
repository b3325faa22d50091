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
use std::path::{Path, PathBuf};
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
    occurred_by: Option<gpu_ledger_domain::Instant>,
    views: Kept,
}

/// Snapshots of the views, evenly spaced.
///
/// With a directory, each is written there (postcard) and only its seq and
/// times stay in memory: a full copy of the views of a 1M-event ledger is
/// tens of MiB, and eight of them were most of an idle server's memory
/// (issue 19). A past page then reads one back, which costs it a few tens of
/// milliseconds more than a copy in memory. The files are derived data, and
/// a new server starts its directory afresh.
struct Snapshots {
    every: u64,
    kept: Vec<Snapshot>,
    dir: Option<PathBuf>,
}

/// Where a snapshot's views are.
enum Kept {
    Memory(Arc<Projections>),
    File(PathBuf),
}

impl Snapshots {
    fn new(dir: Option<PathBuf>) -> Self {
        if let Some(dir) = &dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        Self {
            every: SNAPSHOT_EVERY_EVENTS,
            kept: Vec::new(),
            dir,
        }
    }

    /// Keeps the views after `seq` when it falls on the spacing.
    fn offer(&mut self, seq: u64, recorded_at: RecordedAt, views: &Projections) {
        if !seq.is_multiple_of(self.every) {
            return;
        }
        let kept = match &self.dir {
            None => Kept::Memory(Arc::new(views.clone())),
            Some(dir) => match write_views(dir, seq, views) {
                Ok(path) => Kept::File(path),
                Err(e) => {
                    tracing::warn!(error = %e, seq, "could not keep a history snapshot on disk; keeping it in memory");
                    Kept::Memory(Arc::new(views.clone()))
                }
            },
        };
        self.kept.push(Snapshot {
            seq,
            recorded_at,
            occurred_by: views.occurred_by,
            views: kept,
        });
        if self.kept.len() > SNAPSHOTS_KEPT {
            self.every *= 2;
            let every = self.every;
            self.kept.retain(|s| {
                let keep = s.seq.is_multiple_of(every);
                if let (false, Kept::File(path)) = (keep, &s.views) {
                    let _ = std::fs::remove_file(path);
                }
                keep
            });
        }
    }
}

fn write_views(dir: &Path, seq: u64, views: &Projections) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("views-{seq:020}.bin"));
    let bytes = postcard::to_stdvec(views).map_err(std::io::Error::other)?;
    std::fs::write(&path, bytes)?;
    Ok(path)
}

fn read_views(path: &Path) -> std::io::Result<Projections> {
    let bytes = std::fs::read(path)?;
    postcard::from_bytes(&bytes).map_err(std::io::Error::other)
}

/// The history of the ledger the server serves.
pub struct History {
    tracker: Mutex<Tracker>,
    snapshots: Mutex<Snapshots>,
    computed_to: watch::Sender<u64>,
}

impl Default for History {
    /// A history keeping its snapshots in memory.
    fn default() -> Self {
        Self::keeping_snapshots_in(None)
    }
}

impl History {
    /// A history keeping its snapshots of the views as files in `dir`
    /// (emptied first), or in memory without one.
    pub fn keeping_snapshots_in(dir: Option<PathBuf>) -> Self {
        Self {
            tracker: Mutex::default(),
            snapshots: Mutex::new(Snapshots::new(dir)),
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

    /// The views of the latest snapshot at or before `until`, to replay a
    /// past point from (read from its file, if it is kept in one: call off
    /// the runtime's workers).
    pub fn snapshot_before(&self, until: Until) -> Option<Projections> {
        let found = {
            let snapshots = self.snapshots.lock().expect("snapshots lock");
            let s = snapshots
                .kept
                .iter()
                .rev()
                .find(|s| until.includes(s.seq, s.recorded_at, s.occurred_by))?;
            match &s.views {
                Kept::Memory(views) => return Some((**views).clone()),
                Kept::File(path) => path.clone(),
            }
        };
        match read_views(&found) {
            Ok(views) => Some(views),
            Err(e) => {
                tracing::warn!(error = %e, file = %found.display(), "could not read a history snapshot; replaying from the start");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_ledger_domain::decode_event;

    fn views_with_a_pool(seq: u64) -> Projections {
        let mut views = Projections::new();
        let pool = r#"{"type":"PoolRegistered","occurred_at":"2026-01-05T09:00:00+09:00","actor":"msit","pool_id":"P-1","name":"Pool one","gpu_model":"H200","gpus":64,"gpus_per_server":8,"source":"owned"}"#;
        views.apply(seq, &decode_event(pool.as_bytes()).unwrap());
        views
    }

    #[test]
    fn snapshots_kept_on_disk_come_back_as_they_were_and_thinned_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::keeping_snapshots_in(Some(dir.path().join("history")));
        let at = RecordedAt::from_micros(1);
        let views = views_with_a_pool(SNAPSHOT_EVERY_EVENTS);
        history
            .snapshots
            .lock()
            .unwrap()
            .offer(SNAPSHOT_EVERY_EVENTS, at, &views);
        let files = || {
            std::fs::read_dir(dir.path().join("history"))
                .unwrap()
                .count()
        };
        assert_eq!(files(), 1, "the snapshot is a file");
        let back = history
            .snapshot_before(Until::Seq(SNAPSHOT_EVERY_EVENTS + 5))
            .expect("a snapshot before that point");
        assert_eq!(back.seq, SNAPSHOT_EVERY_EVENTS);
        assert_eq!(back, views);
        assert!(history.snapshot_before(Until::Seq(10)).is_none());
        // Past the count kept, every other one is dropped, its file too.
        for k in 2..=SNAPSHOTS_KEPT as u64 + 1 {
            let seq = k * SNAPSHOT_EVERY_EVENTS;
            history
                .snapshots
                .lock()
                .unwrap()
                .offer(seq, at, &views_with_a_pool(seq));
        }
        let kept = history.snapshots.lock().unwrap().kept.len();
        assert_eq!(files(), kept);
        assert!(kept <= SNAPSHOTS_KEPT);
    }
}
