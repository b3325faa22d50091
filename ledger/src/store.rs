//! The `EventStore` trait: what every backend of the ledger provides.

use crate::chain::Hash;
use crate::record::{EventBatch, Record, RecordMeta};
use crate::time::RecordedAt;
use async_trait::async_trait;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde::Serialize;
use std::path::PathBuf;

/// An append queued in a store: resolves once durable.
pub type Queued = BoxFuture<'static, Result<Vec<RecordMeta>, StoreError>>;

/// The last record of the ledger; seq 0 and [`Hash::ZERO`] when empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Head {
    pub seq: u64,
    pub hash: Hash,
    /// `recorded_at` of the last record; absent for an empty ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<RecordedAt>,
}

impl Head {
    /// The optimistic-concurrency check of an append or import: a writer
    /// that expected another head gets a conflict naming this one.
    pub fn matches(self, expected_seq: Option<u64>) -> Result<Head, StoreError> {
        match expected_seq {
            Some(expected) if expected != self.seq => Err(StoreError::Conflict {
                expected,
                actual: self,
            }),
            _ => Ok(self),
        }
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Optimistic concurrency: the head moved.
    #[error("the ledger's head is at seq {}, not the expected {expected}", actual.seq)]
    Conflict { expected: u64, actual: Head },

    #[error("data directory {} is in use by another gpu-ledger process{}", dir.display(), holder.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Locked {
        dir: PathBuf,
        holder: Option<String>,
    },

    /// Stored bytes that are not what was written: refused, never dropped.
    #[error("{}: damaged at byte offset {offset}{}: {reason}", file.display(), seq.map(|s| format!(" (record seq {s})")).unwrap_or_default())]
    Damaged {
        file: PathBuf,
        offset: u64,
        seq: Option<u64>,
        reason: String,
    },

    /// A record read back breaks the hash chain or is not one this software
    /// wrote (a server backend checks as it reads): refused, never skipped.
    #[error("{store}: record seq {seq} breaks the chain: {reason}")]
    Broken {
        store: String,
        seq: u64,
        reason: String,
    },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Invalid(String),

    #[error("the store is closed")]
    Closed,

    #[error("{0}")]
    Backend(String),

    /// No database can take writes now (a primary died and no standby has
    /// been promoted yet); nothing was appended. Worth trying again soon.
    #[error("{store}: {reason}; nothing was appended, try again shortly")]
    Unavailable { store: String, reason: String },

    /// The connection was lost after COMMIT was sent and no database could
    /// be asked since whether it landed: the records may or may not be in
    /// the ledger. Reading the ledger (or a retry with the same
    /// `Idempotency-Key`) tells.
    #[error("{store}: the outcome of the append is not known yet: {reason}")]
    OutcomeUnknown { store: String, reason: String },

    /// The append's idempotency key was already used: nothing was appended,
    /// and this is what the key was first given.
    #[error("the idempotency key {:?} was already used", .0.key)]
    KeyUsed(Box<Kept>),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// A short machine-readable name of the failure.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreError::Conflict { .. } => "conflict",
            StoreError::Locked { .. } => "locked",
            StoreError::Damaged { .. } => "damaged",
            StoreError::Broken { .. } => "broken",
            StoreError::Io { .. } => "io",
            StoreError::Invalid(_) => "invalid",
            StoreError::Closed => "closed",
            StoreError::Backend(_) => "backend",
            StoreError::Unavailable { .. } => "unavailable",
            StoreError::OutcomeUnknown { .. } => "outcome_unknown",
            StoreError::KeyUsed(_) => "key_used",
        }
    }
}

/// An append's `Idempotency-Key`, for a store that keeps keys beside the
/// records (so that a retry sent to another server gets the first answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendKey {
    /// Whose key it is (a hash of the client's token): clients never collide.
    pub scope: String,
    pub key: String,
    /// SHA-256 of the request the key first came with.
    pub fingerprint: Hash,
}

/// What a store kept for an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub key: String,
    /// The fingerprint of the request the key first came with.
    pub fingerprint: Hash,
    pub answer: KeptAnswer,
}

/// The first answer to a keyed append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeptAnswer {
    /// It was appended: its records.
    Appended(Vec<RecordMeta>),
    /// It was refused (nothing appended): the answer's status and body.
    Refused { status: u16, body: Vec<u8> },
}

/// A backend of the ledger.
///
/// Appends are atomic (all of a batch or nothing), durable before they are
/// acknowledged, and ordered: the store assigns `seq`, `recorded_at`, `prev`
/// and `hash`. The store does not check the programme's rules; callers append
/// only events the domain accepted.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends `events` as consecutive records. With `expected_seq`, the
    /// head's seq must equal it or nothing is appended ([`StoreError::Conflict`]).
    async fn append(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
    ) -> Result<Vec<RecordMeta>, StoreError>;

    /// Queues `events` now and returns a future that resolves once they are
    /// durable. Appends queued one after another land in queue order, so a
    /// caller can check rules for the next append while this one syncs
    /// (pipelining into group commit). A backend that cannot queue gives the
    /// events back, and callers await [`EventStore::append`] one at a time.
    fn enqueue(&self, events: EventBatch, expected_seq: Option<u64>) -> Result<Queued, EventBatch> {
        let _ = expected_seq;
        Err(events)
    }

    /// Whether [`EventStore::enqueue`] queues (this process is the only writer).
    fn can_enqueue(&self) -> bool {
        false
    }

    /// The last acknowledged record.
    async fn head(&self) -> Result<Head, StoreError>;

    /// Up to `max` records from `from_seq` on (acknowledged ones only).
    async fn read(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError>;

    /// Records after `after_seq`, then every new one as it is acknowledged.
    fn follow(&self, after_seq: u64) -> BoxStream<'static, Result<Record, StoreError>>;

    /// Starts a bulk import: events pushed in chunks become visible together
    /// when committed, or not at all.
    async fn begin_import(
        &self,
        expected_seq: Option<u64>,
    ) -> Result<Box<dyn ImportSession>, StoreError>;

    /// Whether an import is all or nothing even across a crash. Where it is
    /// not, callers validate a whole file before pushing any of it.
    fn atomic_import(&self) -> bool {
        true
    }

    /// Where the ledger lives, for messages (`file:/var/lib/gpu-ledger`).
    fn describe(&self) -> String;

    /// Resolves, with the error to answer, once the store knows it cannot
    /// take an append now (a server backend with no writable database), so
    /// that callers waiting their turn answer at once instead of queueing
    /// behind an append being resolved. Never, for a store that always can.
    fn outage(&self) -> BoxFuture<'static, StoreError> {
        Box::pin(futures::future::pending())
    }

    /// The idempotency keys this store keeps beside the records, shared by
    /// every process on it; `None` where keys live only in one server's
    /// memory.
    fn kept_keys(&self) -> Option<&dyn KeptKeys> {
        None
    }
}

/// Idempotency keys kept with the records, so that a retry reaching
/// another server on the same store gets the first try's answer.
#[async_trait]
pub trait KeptKeys: Send + Sync {
    /// [`EventStore::append`], keeping `key` with the records in the same
    /// transaction. A key already kept appends nothing and is
    /// [`StoreError::KeyUsed`] with what it was given first.
    async fn append_keyed(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
        key: &AppendKey,
    ) -> Result<Vec<RecordMeta>, StoreError>;

    /// What was kept for `key` of `scope`, if anything.
    async fn kept(&self, scope: &str, key: &str) -> Result<Option<Kept>, StoreError>;

    /// Keeps the answer of a keyed append that was refused (nothing was
    /// appended), unless the key is kept already.
    async fn keep_refusal(
        &self,
        key: &AppendKey,
        status: u16,
        body: &[u8],
    ) -> Result<(), StoreError>;
}

/// Where [`ImportSession::send_hashes`] sends them; bounded, so a slow
/// taker holds the import back rather than letting hashes pile up.
pub type HashSink = std::sync::mpsc::SyncSender<Vec<Hash>>;

/// A bulk import in progress (see [`EventStore::begin_import`]).
#[async_trait]
pub trait ImportSession: Send {
    async fn push(&mut self, events: EventBatch) -> Result<(), StoreError>;
    /// Asks for the hashes of the records this import makes from the events
    /// pushed after this call, one batch per push, in seq order, as the store
    /// frames them: so that a caller can build on them (the Merkle tree)
    /// without reading back what it just imported. They are not yet durable
    /// or committed. `false` from a store that does not make them in this
    /// process (PostgreSQL, KurrentDB): it sends nothing.
    async fn send_hashes(&mut self, to: HashSink) -> Result<bool, StoreError> {
        let _ = to;
        Ok(false)
    }
    /// Pushes records made elsewhere exactly as they are (their seq,
    /// `recorded_at` and hash kept): what `copy` moves between backends.
    /// Each must follow the one before, the first the ledger's head.
    async fn push_records(&mut self, records: Vec<Record>) -> Result<(), StoreError> {
        let _ = records;
        Err(StoreError::Invalid(
            "this store cannot take records as they are (copy to a file or PostgreSQL store)"
                .into(),
        ))
    }
    /// Makes everything pushed durable and visible; returns the new head.
    async fn commit(self: Box<Self>) -> Result<Head, StoreError>;
    /// Discards everything pushed.
    async fn abort(self: Box<Self>) -> Result<(), StoreError>;
}
