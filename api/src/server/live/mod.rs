//! The live ledger behind the server: the rules' state for checking
//! appends, the one set of live views, and the one stream of new records.
//!
//! ```text
//! POST /v1/events -> rules (check, under one short lock) -> store (group commit)
//!                                                             |
//!        store.follow -> decode once -> Arc<Entry> -----------+
//!          -> views (and followers such as the dashboard's history)
//!          -> Merkle tree -> SSE subscribers
//! ```
//!
//! - [`rules`]: appends are checked against the state including every
//!   append still in flight, then queued to the store in that order;
//! - [`stream`]: one task follows the store, decodes each new record once
//!   and hands the same [`Entry`] to the views, the Merkle tree, the
//!   followers and every live subscriber;
//! - [`views`]: the live views, and the rendered answers kept per state;
//! - [`snapshot`]: the state written to disk now and then, so that a
//!   restart replays only what came after it.
//!
//! A view request first waits until the views include what was durable
//! when it arrived, so a client reads its own writes.

pub mod rules;
pub mod snapshot;
pub mod stream;
pub mod views;

use super::metrics::Metrics;
use super::transparency::{Transparency, TransparencyConfig};
use gpu_ledger_domain::Programme;
use gpu_ledger_ledger::EventStore;
use gpu_ledger_projections::Projections;
use gpu_ledger_replay::fold::{BATCH, fold};
use gpu_ledger_replay::{Follower, RebuildError, Source, Until};
pub use rules::AppendError;
use std::sync::Arc;
use tokio::sync::Mutex;

pub struct LiveLedger {
    store: Arc<dyn EventStore>,
    pub transparency: Transparency,
    rules: Mutex<rules::Rules>,
    pub views: views::LiveViews,
    stream: stream::RecordStream,
    pub metrics: Metrics,
    snapshots: snapshot::Snapshots,
}

/// Why the live ledger could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Replay(#[from] RebuildError),
    #[error("cannot read the ledger: {0}")]
    Store(#[from] gpu_ledger_ledger::StoreError),
    #[error("cannot open the Merkle tree: {0}")]
    Merkle(String),
}

impl LiveLedger {
    /// Replays the store (from the newest snapshot that still matches it)
    /// into the rules' state and the views, then follows it: each new record
    /// reaches the views, the Merkle tree, `followers` and subscribers.
    pub async fn start(
        store: Arc<dyn EventStore>,
        metrics: Metrics,
        transparency: TransparencyConfig,
        followers: Vec<Arc<dyn Follower>>,
    ) -> Result<Arc<Self>, StartError> {
        let snapshots = snapshot::Snapshots::new(transparency.state_dir.as_deref());
        let (mut programme, mut views) = snapshots.newest_matching(store.as_ref()).await?;
        let from_snapshot = views.seq;
        // The Merkle tree is brought up to date at the same time, on the
        // other worker: after an import it has every record to hash.
        let merkle = {
            let store = store.clone();
            tokio::spawn(async move { Transparency::open(store.as_ref(), transparency).await })
        };
        // The rules and the views need nothing of each other: each batch
        // feeds both at once, while the next batch is decoded.
        fold(
            &mut Source::store_after(store.clone(), from_snapshot),
            BATCH,
            Until::Head,
            |entries| {
                let (rules, ()) = rayon::join(
                    || {
                        entries.iter().try_for_each(|e| {
                            programme
                                .accept(&e.event)
                                .map_err(|error| RebuildError::Rule {
                                    seq: e.record.seq,
                                    error,
                                })
                        })
                    },
                    || {
                        for e in entries {
                            views.apply(e.record.seq, &e.event);
                        }
                    },
                );
                rules
            },
            |_| {},
        )
        .await?;
        let seq = views.seq;
        metrics.head_seq.set(seq as i64);
        let merkle_failed = |e: String| StartError::Merkle(e);
        let mut transparency = merkle
            .await
            .map_err(|e| merkle_failed(e.to_string()))?
            .map_err(|e| merkle_failed(e.to_string()))?;
        transparency
            .align_to(store.as_ref(), seq)
            .await
            .map_err(|e| merkle_failed(e.to_string()))?;
        let live = Arc::new(Self {
            store,
            transparency,
            rules: Mutex::new(rules::Rules::new(programme, seq)),
            views: views::LiveViews::new(views),
            stream: stream::RecordStream::new(),
            metrics,
            snapshots: snapshots.taken_at(from_snapshot),
        });
        tokio::spawn(stream::follow(live.clone(), seq, followers));
        if live.snapshot_due() {
            let live = live.clone();
            tokio::spawn(async move { live.write_snapshot().await });
        }
        Ok(live)
    }

    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.store
    }

    /// Waits (a few seconds at most) until the views and the Merkle tree
    /// include everything that was durable when called.
    pub async fn caught_up(&self) {
        let target = self.store.head().await.map(|h| h.seq).unwrap_or(0);
        self.views.wait_for(target).await;
    }

    /// Runs `f` on the views once they include everything durable now.
    pub async fn with_views<T>(&self, f: impl FnOnce(&Projections) -> T) -> T {
        self.caught_up().await;
        self.views.read(f)
    }

    pub fn views_seq(&self) -> u64 {
        self.views.seq()
    }
}

/// The rules' state and the views replayed from nothing (what a snapshot saves).
type State = (Programme, Projections);
