//! A test double of KurrentDB (EventStoreDB): the parts of its gRPC
//! `Streams` and `Gossip` APIs that gpu-ledger's backend uses, served by a
//! tonic server generated from the `.proto` files the `eventstore` client
//! ships, with faults that can be injected into appends.
//!
//! It exists so that the real client, unmodified, can be driven through the
//! failures a cluster produces (a commit that timed out after or before it
//! was written, a follower answering "not leader", a connection dropped in
//! the middle of an append, an election with no leader for a while) on a
//! machine where no server can be installed. It proves how the adapter
//! handles what the client does with those answers; it proves nothing about
//! KurrentDB itself, whose semantics it follows as documented:
//!
//! - appends carry an expected revision (`no_stream`, `any`,
//!   `stream_exists` or an exact one) and are all-or-nothing;
//! - an append whose event ids are exactly those already written at the
//!   positions it expects is acknowledged again without writing anything
//!   (idempotence by event id); a partial match is a wrong expected version;
//! - reads go forwards or backwards from a revision, `start` or `end`, and a
//!   stream that does not exist answers `stream_not_found`;
//! - a node that is not the leader refuses a request that requires one with
//!   the `not-leader` exception naming the leader's endpoint;
//! - a request's `grpc-timeout` is honoured (tonic cancels the handler).
//!
//! A subscription is served as what a server does to a consumer too slow to
//! keep up: confirmed, what the stream holds after its start, caught up,
//! then ended with an OK status. The backend follows by reading, not by
//! subscribing, because of what the v4 client does then (see
//! `ledger/src/esdb/follow.rs` and `ledger/tests/esdb_subscription.rs`).

// `tonic::Status` is the error every generated service method returns; the
// helpers that build one return it as is rather than boxing it to unbox.
#![allow(clippy::result_large_err)]

mod db;
mod fault;
mod gossip;
mod node;
pub mod proto;
mod proxy;
mod streams;

pub use db::StoredEvent;
pub use fault::Fault;
pub use node::EsdbDouble;
