//! One module per route.

pub mod chain;
pub mod checkpoints;
pub mod events;
pub mod events_live;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod proofs;
pub mod tiles;
pub mod views;

use serde::Serialize;
use utoipa::ToSchema;

/// A record without its event, as an append acknowledges it.
#[derive(Serialize, ToSchema)]
pub struct RecordMetaDoc {
    pub seq: u64,
    /// RFC 3339 UTC with microseconds.
    pub recorded_at: String,
    /// 64 lowercase hex characters.
    pub prev: String,
    pub hash: String,
}

/// The last record of the ledger.
#[derive(Serialize, ToSchema)]
pub struct HeadDoc {
    pub seq: u64,
    pub hash: String,
    pub recorded_at: Option<String>,
}
