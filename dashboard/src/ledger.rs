//! The ledger as the dashboard sees it: a narrow, read-only interface that
//! the server implements. Nothing here can append; the dashboard knows
//! nothing of the server beyond it.

use async_trait::async_trait;
use gpu_ledger_ledger::{Head, Record, StoreError};
use gpu_ledger_projections::Projections;
use gpu_ledger_replay::Source;

/// What the dashboard reads.
#[async_trait]
pub trait LedgerReader: Send + Sync + 'static {
    /// The last durable record.
    async fn head(&self) -> Result<Head, StoreError>;

    /// Up to `max` records from `from_seq` on.
    async fn records(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError>;

    /// The records after `after`, to replay (a past point, an audit, history).
    fn replay_after(&self, after: u64) -> Source;

    /// Waits (a few seconds at most) until the live views include what is
    /// durable now.
    async fn caught_up(&self);

    /// Runs `f` on the live views.
    fn read_views(&self, f: &mut dyn FnMut(&Projections));

    /// The seq of the last record the live views include.
    fn views_seq(&self) -> u64;

    /// The latest signed checkpoint: its tree size and its note.
    fn latest_checkpoint(&self) -> Option<(u64, String)>;

    /// Whether a reader needs a token (else the server is in local mode).
    fn needs_token(&self) -> bool;

    /// Whether `token` is valid here, as the API decides.
    fn token_is_valid(&self, token: &str) -> bool;

    /// Whether an `Authorization` header's value lets its request read,
    /// exactly as the API decides; why not, in a sentence, when it does not.
    fn authorization(&self, value: &axum::http::HeaderValue) -> Result<(), String>;
}

/// Runs `f` on the live views once they include what is durable now.
pub async fn with_live_views<T>(ledger: &dyn LedgerReader, f: impl FnOnce(&Projections) -> T) -> T {
    ledger.caught_up().await;
    let mut f = Some(f);
    let mut out = None;
    ledger.read_views(&mut |p| {
        if let Some(f) = f.take() {
            out = Some(f(p));
        }
    });
    out.expect("read_views runs its function")
}
