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
use super::transparency::{Transparency, TransparencyConfig};
use futures::StreamExt;
use gpu_ledger_domain::{Event, Programme, decode_event};
use gpu_ledger_ledger::{EventBatch, EventStore, Head, RecordMeta, StoreError};
use gpu_ledger_projections::Projections;
use gpu_ledger_replay::{RebuildError, Source};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{Mutex, watch};

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
        let mut source = Source::store(store.clone());
        let mut programme = Programme::new();
        let mut views = Projections::new();
        let replayed: Result<(), RebuildError> = async {
            loop {
                let batch = source.next_batch(1 << 16).await?;
                if batch.is_empty() {
                    return Ok(());
                }
                for r in &batch {
                    let event = decode_event(&r.event)
                        .map_err(|error| RebuildError::Event { seq: r.seq, error })?;
                    programme
                        .accept(&event)
                        .map_err(|error| RebuildError::Rule { seq: r.seq, error })?;
                    views.apply(r.seq, &event);
                }
            }
        }
        .await;
        replayed.map_err(|e| e.to_string())?;
        let seq = views.seq;
        metrics.head_seq.set(seq as i64);
        let transparency = Transparency::open(store.as_ref(), transparency, seq)
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
        });
        tokio::spawn(follow(live.clone(), seq));
        Ok(live)
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

/// Applies every new durable record to the views, in order.
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
                live.views
                    .write()
                    .expect("views lock")
                    .apply(record.seq, &event);
                live.views_seq.send_replace(record.seq);
            }
            Err(e) => {
                tracing::error!(seq = record.seq, error = %e, "a stored event does not decode; the views stopped");
                return;
            }
        }
    }
}
