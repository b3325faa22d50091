//! Storage of the ledger: records, their canonical bytes and hash chain
//! (`../shared/spec/ledger-format.md`), and the [`EventStore`] trait with its
//! backends.
//!
//! The ledger stores canonical event bodies that the domain has already
//! accepted; it knows nothing of the rules. What it guarantees:
//! - every record is chained to the one before it by SHA-256 ([`chain`]);
//! - an append is durable before it is acknowledged, and all or nothing;
//! - readers see only acknowledged records, in order, and can follow new ones.
//!
//! Backends: [`FileStore`], the embedded default (segment files in a data
//! directory, no server to run); [`PgStore`], one table in a PostgreSQL
//! database (several servers on one ledger, a standby to fail over to); and
//! [`EsdbStore`], one stream on an EventStoreDB / KurrentDB server or cluster.

pub mod bundle;
pub mod canonical;
pub mod chain;
pub mod checkpoint;
pub mod cosignature;
pub mod cursor;
pub mod esdb;
pub mod export;
pub mod file;
pub mod merkle;
pub mod note;
pub mod postgres;
pub mod record;
pub mod store;
pub mod tiles;
pub mod time;
pub mod witness;

pub use chain::Hash;
pub use esdb::{EsdbOptions, EsdbStore};
pub use file::{FileStore, FileStoreOptions};
pub use postgres::{PgOptions, PgStore};
pub use record::{EventBatch, Record, RecordMeta};
pub use store::{
    AppendKey, EventStore, Head, ImportSession, Kept, KeptAnswer, KeptKeys, Queued, StoreError,
};
pub use time::{Clock, RecordedAt};
