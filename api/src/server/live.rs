//! The live ledger behind the server: the rules' state for checking appends,
//! and every view kept current.
//!
//! Appends are pipelined into the store's group commit: under one short lock
//! an append is checked against the state including every append still in
//! flight, then queued to the store in that same order; the lock is released
//! before the sync, so the next append is checked while this one syncs. If
//! the store fails an append, everything queued after it fails too (their
//! expected seqs no longer match), and the rules' state is rebuilt from the
//! store before the next append.
//!
//! Views follow the store: one task applies each durable record in order.
//! A view request first waits until the views have caught up with what was
//! durable when it arrived, so a client reads its own writes.

use super::metrics::Metrics;
use super::problem::Problem;
use super::snapshot;
use super::transparency::{Transparency, TransparencyConfig};
use futures::StreamExt;
use gpu_ledger_domain::{Event, Programme, decode_event};
use gpu_ledger_ledger::{EventBatch, EventStore, Head, RecordMeta, StoreError};
use gpu_ledger_projections::Projections;
use gpu_ledger_replay::{RebuildError, Source, replay};
use std::sync::{Arc, RwLock, TryLockError};
use std::time::Duration;
use tokio::sync::{Mutex, watch};

/// A snapshot is written once this many records were replayed or appended since the last.
const SNAPSHOT_AFTER: u64 = 50_000;

/// How many times an append that lost a race to another server is retried.
const MAX_RACES: u32 = 64;

struct Rules {
    programme: Programme,
    /// Seq after every append checked so far, durable or in flight.
    next_seq: u64,
    /// A queued append failed: rebuild from the store before the next one.
    stale: bool,
}

pub struct LiveLedger {
    store: Arc<dyn EventStore>,
    pub transparency: Transparency,
    rules: Mutex<Rules>,
    views: RwLock<Projections>,
    views_seq: watch::Sender<u64>,
    pub metrics: Metrics,
    /// Where snapshots of the state are kept, if anywhere.
    snapshots: Option<std::path::PathBuf>,
    /// Seq of the last snapshot read or written.
    snapshot_seq: std::sync::atomic::AtomicU64,
    /// Rendered views: key -> (the views' seq when rendered, bytes, content type).
    rendered:
        std::sync::Mutex<std::collections::HashMap<String, (u64, bytes::Bytes, &'static str)>>,
}

/// Why an append was refused.
pub enum AppendRefusal {
    Conflict { expected: u64, head: Head },
    Rule { index: usize, problem: Problem },
    Forbidden(String),
    Store(Problem),
}

impl LiveLedger {
    /// Replays the store into the rules' state and the views, then keeps the
    /// views following the store.
    pub async fn start(
        store: Arc<dyn EventStore>,
        metrics: Metrics,
        transparency: TransparencyConfig,
    ) -> Result<Arc<Self>, String> {
        let snapshots = transparency.state_dir.as_ref().map(|d| d.join("snapshots"));
        let (mut programme, mut views) = (Programme::new(), Projections::new());
        if let Some(dir) = &snapshots {
            for snap in snapshot::newest_first(dir) {
                let record = store.read(snap.seq, 1).await.map_err(|e| e.to_string())?;
                if record
                    .first()
                    .is_some_and(|r| r.seq == snap.seq && r.hash == snap.hash)
                {
                    tracing::info!(seq = snap.seq, "starting from a snapshot");
                    (programme, views) = (snap.programme, snap.views);
                    break;
                }
                tracing::warn!(
                    seq = snap.seq,
                    "ignoring a snapshot the ledger no longer matches"
                );
            }
        }
        let from_snapshot = views.seq;
        // The Merkle tree is brought up to date at the same time, on the
        // other worker: after an import it has every record to hash.
        let merkle = {
            let store = store.clone();
            tokio::spawn(async move { Transparency::open(store.as_ref(), transparency).await })
        };
        let mut source = Source::Store {
            store: store.clone(),
            next: from_snapshot + 1,
        };
        // The rules and the views need nothing of each other: each batch
        // feeds both at once, while the next batch is decoded.
        let replayed = replay(
            &mut source,
            1 << 14,
            |_| true,
            |records, events| {
                let (rules, ()) = rayon::join(
                    || {
                        records.iter().zip(&events).try_for_each(|(r, event)| {
                            programme
                                .accept(event)
                                .map_err(|error| RebuildError::Rule { seq: r.seq, error })
                        })
                    },
                    || {
                        for (r, event) in records.iter().zip(&events) {
                            views.apply(r.seq, event);
                        }
                    },
                );
                rules
            },
            |_| {},
        )
        .await;
        replayed.map_err(|e| e.to_string())?;
        let seq = views.seq;
        metrics.head_seq.set(seq as i64);
        let mut transparency = merkle
            .await
            .map_err(|e| format!("cannot open the Merkle tree: {e}"))?
            .map_err(|e| format!("cannot open the Merkle tree: {e}"))?;
        transparency
            .align_to(store.as_ref(), seq)
            .await
            .map_err(|e| format!("cannot open the Merkle tree: {e}"))?;
        let live = Arc::new(Self {
            store,
            transparency,
            rules: Mutex::new(Rules {
                programme,
                next_seq: seq,
                stale: false,
            }),
            views: RwLock::new(views),
            views_seq: watch::channel(seq).0,
            metrics,
            snapshots,
            snapshot_seq: from_snapshot.into(),
            rendered: Default::default(),
        });
        tokio::spawn(follow(live.clone(), seq));
        if live.snapshot_due() {
            let live = live.clone();
            tokio::spawn(async move { live.write_snapshot().await });
        }
        Ok(live)
    }

    /// Writes a snapshot of the durable state, if this server keeps them.
    /// Appends wait while the state is copied (not while it is written).
    pub async fn write_snapshot(&self) {
        let Some(dir) = self.snapshots.clone() else {
            return;
        };
        let taken = &self.snapshot_seq;
        let (seq, programme, views, paused) = {
            let rules = self.rules.lock().await;
            let held = std::time::Instant::now();
            let seq = rules.next_seq;
            if seq == taken.load(std::sync::atomic::Ordering::SeqCst) || rules.stale {
                return;
            }
            // In-flight appends land and the views catch up first (the views
            // follow durable records only, so that is the head too).
            let mut views_seq = self.views_seq.subscribe();
            let caught_up = views_seq.wait_for(|s| *s >= seq);
            if tokio::time::timeout(Duration::from_secs(5), caught_up)
                .await
                .is_err()
            {
                return;
            }
            // Appends wait only while the rules' state is copied; the views
            // are copied after, held at `seq` by this read guard (the
            // follower waits for it off the runtime's workers).
            let views = self.views.read().expect("views lock");
            let programme = rules.programme.clone();
            let paused = held.elapsed();
            drop(rules);
            (seq, programme, views.clone(), paused)
        };
        let hash = match self.store.read(seq, 1).await {
            Ok(r) if r.first().is_some_and(|r| r.seq == seq) => r[0].hash,
            _ => return,
        };
        let written = tokio::task::spawn_blocking(move || {
            snapshot::save(&dir, seq, &hash, &programme, &views)
        })
        .await;
        match written {
            Ok(Ok(path)) => {
                taken.store(seq, std::sync::atomic::Ordering::SeqCst);
                // How long appends waited for the state to be copied.
                let paused_ms = paused.as_millis() as u64;
                tracing::info!(seq, paused_ms, file = %path.display(), "wrote a snapshot");
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "could not write a snapshot"),
            Err(e) => tracing::warn!(error = %e, "could not write a snapshot"),
        }
    }

    /// A view rendered for `key` at views seq `seq`, if one is kept.
    pub fn cached_view(&self, key: &str, seq: u64) -> Option<(bytes::Bytes, &'static str)> {
        let cache = self.rendered.lock().expect("view cache");
        cache
            .get(key)
            .filter(|(at, _, _)| *at == seq)
            .map(|(_, body, kind)| (body.clone(), *kind))
    }

    /// Keeps a rendered view; the few kinds of query there are bound the cache.
    pub fn cache_view(&self, key: String, seq: u64, (body, kind): (bytes::Bytes, &'static str)) {
        let mut cache = self.rendered.lock().expect("view cache");
        if cache.len() > 256 {
            cache.retain(|_, (at, _, _)| *at == seq);
        }
        cache.insert(key, (seq, body, kind));
    }

    /// Seq of the last snapshot read at start-up or written since (0: none).
    pub fn snapshot_seq(&self) -> u64 {
        self.snapshot_seq.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether enough was appended since the last snapshot to write another.
    pub fn snapshot_due(&self) -> bool {
        let last = self.snapshot_seq.load(std::sync::atomic::Ordering::SeqCst);
        self.views_seq().saturating_sub(last) >= SNAPSHOT_AFTER
    }

    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// Checks `events` against the rules (and `allowed` against the principal)
    /// and appends them atomically; returns their records once durable.
    ///
    /// Where several servers share one store (EventStoreDB), another server
    /// may have appended since this one last looked: the rules' state first
    /// catches up with the store, and an append that loses a race is checked
    /// again and retried, unless its client asked for a precise head.
    pub async fn append(
        &self,
        events: &[Event],
        expected_seq: Option<u64>,
        allowed: impl Fn(&Event, &Programme) -> Result<(), String>,
    ) -> Result<Vec<RecordMeta>, AppendRefusal> {
        let mut batch = EventBatch::with_capacity(events.len(), events.len() * 256);
        for e in events {
            batch.push_with(|buf| e.write_canonical_json(buf));
        }
        let store_error = |e: StoreError| AppendRefusal::Store(Problem::store(&e));
        let mut rules = self.rules.lock().await;
        if rules.stale {
            self.rebuild_rules(&mut rules)
                .await
                .map_err(AppendRefusal::Store)?;
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            if !self.store.can_enqueue() {
                self.catch_up_rules(&mut rules)
                    .await
                    .map_err(AppendRefusal::Store)?;
            }
            if let Some(expected) = expected_seq
                && expected != rules.next_seq
            {
                let head = self.store.head().await.map_err(store_error)?;
                let head = if head.seq == rules.next_seq {
                    head
                } else {
                    Head {
                        seq: rules.next_seq,
                        ..head
                    }
                };
                return Err(AppendRefusal::Conflict { expected, head });
            }
            for e in events {
                allowed(e, &rules.programme).map_err(AppendRefusal::Forbidden)?;
            }
            let undo = rules.programme.savepoint();
            for (index, e) in events.iter().enumerate() {
                if let Err(error) = rules.programme.accept(e) {
                    rules.programme.rollback(undo);
                    let index_shown = (events.len() > 1).then_some(index);
                    return Err(AppendRefusal::Rule {
                        index,
                        problem: Problem::rule(&error, index_shown),
                    });
                }
            }
            let expected = rules.next_seq;
            let durable = match self
                .store
                .enqueue(std::mem::take(&mut batch), Some(expected))
            {
                Ok(queued) => {
                    rules.programme.release(undo);
                    rules.next_seq += events.len() as u64;
                    drop(rules);
                    let r = queued.await;
                    if r.is_err() {
                        // What was queued after it fails too; rebuild before the next append.
                        self.rules.lock().await.stale = true;
                    }
                    r
                }
                // A backend that cannot queue: append while holding the lock,
                // and take the events back exactly if the store refuses them.
                Err(returned) => match self.store.append(returned.clone(), Some(expected)).await {
                    Ok(metas) => {
                        rules.programme.release(undo);
                        rules.next_seq += events.len() as u64;
                        Ok(metas)
                    }
                    Err(StoreError::Conflict { .. })
                        if expected_seq.is_none() && attempts < MAX_RACES =>
                    {
                        rules.programme.rollback(undo);
                        batch = returned;
                        continue;
                    }
                    Err(e) => {
                        rules.programme.rollback(undo);
                        Err(e)
                    }
                },
            };
            return match durable {
                Ok(metas) => {
                    self.metrics.appended.inc_by(metas.len() as u64);
                    if let Some(last) = metas.last() {
                        self.metrics.head_seq.set(last.seq as i64);
                    }
                    Ok(metas)
                }
                Err(e) => Err(store_error(e)),
            };
        }
    }

    /// Applies the records other writers appended since the rules' state
    /// last saw the store.
    async fn catch_up_rules(&self, rules: &mut Rules) -> Result<(), Problem> {
        let recovering =
            |e: String| Problem::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "recovering", e);
        loop {
            let records = self
                .store
                .read(rules.next_seq + 1, 4096)
                .await
                .map_err(|e| recovering(e.to_string()))?;
            if records.is_empty() {
                return Ok(());
            }
            for r in &records {
                let event = decode_event(&r.event)
                    .map_err(|e| recovering(format!("record seq {}: {e}", r.seq)))?;
                rules
                    .programme
                    .accept(&event)
                    .map_err(|e| recovering(format!("record seq {} breaks a rule: {e}", r.seq)))?;
                rules.next_seq = r.seq;
            }
        }
    }

    async fn rebuild_rules(&self, rules: &mut Rules) -> Result<(), Problem> {
        let mut source = Source::store(self.store.clone());
        let programme = gpu_ledger_replay::rebuild_programme(&mut source, |_| {})
            .await
            .map_err(|e| {
                Problem::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "recovering",
                    e.to_string(),
                )
            })?;
        rules.next_seq = programme.events_accepted();
        rules.programme = programme;
        rules.stale = false;
        tracing::warn!(
            seq = rules.next_seq,
            "rebuilt the rules' state from the store after a failed append"
        );
        Ok(())
    }

    /// Waits (a few seconds at most) until the views and the Merkle tree
    /// include everything that was durable when called.
    pub async fn caught_up(&self) {
        let target = self.store.head().await.map(|h| h.seq).unwrap_or(0);
        let mut rx = self.views_seq.subscribe();
        let _ = tokio::time::timeout(Duration::from_secs(5), rx.wait_for(|s| *s >= target)).await;
    }

    /// Runs `f` on the views once they include everything durable now.
    pub async fn with_views<T>(&self, f: impl FnOnce(&Projections) -> T) -> T {
        self.caught_up().await;
        let views = self.views.read().expect("views lock");
        f(&views)
    }

    pub fn views_seq(&self) -> u64 {
        *self.views_seq.borrow()
    }
}

/// Adds every new durable record to the Merkle tree and the views, in order.
async fn follow(live: Arc<LiveLedger>, after: u64) {
    let mut records = live.store.follow(after);
    while let Some(next) = records.next().await {
        let record = match next {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "the views stopped following the ledger");
                return;
            }
        };
        match decode_event(&record.event) {
            Ok(event) => {
                live.transparency.record_durable(&record.hash);
                apply_to_views(&live, record.seq, event).await;
                live.views_seq.send_replace(record.seq);
            }
            Err(e) => {
                tracing::error!(seq = record.seq, error = %e, "a stored event does not decode; the views stopped");
                return;
            }
        }
    }
}

/// Applies one event to the views. The views are read while a query renders
/// them or a snapshot copies them; then the write waits on a blocking
/// thread, so that the runtime's workers go on serving appends meanwhile.
async fn apply_to_views(live: &Arc<LiveLedger>, seq: u64, event: Event) {
    match live.views.try_write() {
        Ok(mut views) => return views.apply(seq, &event),
        Err(TryLockError::WouldBlock) => {}
        Err(TryLockError::Poisoned(e)) => panic!("views lock: {e}"),
    }
    let live = live.clone();
    tokio::task::spawn_blocking(move || live.views.write().expect("views lock").apply(seq, &event))
        .await
        .expect("applying an event to the views does not panic");
}
