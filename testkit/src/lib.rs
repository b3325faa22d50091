//! Test and benchmark fixtures of gpu-ledger: what the tests and the
//! benchmarks share, so that none of them keeps its own copy.
//!
//! Generators (deterministic: the same inputs give the same bytes), each
//! building [`gpu_ledger_domain::Event`]s and writing them with the domain's
//! canonical writer:
//! - [`example`]: the March 2026 example history, `examples/march-2026.jsonl`;
//! - [`workload`]: the benchmark workload, a rule-valid history of exactly N
//!   events from a seed;
//! - [`history::synthetic_history`]: a small valid history of any length.
//!
//! What the tests share:
//! - [`history`]: JSON Lines histories, the example's lines;
//! - [`stores`]: store options, canonical batches, a shared file store;
//! - [`data_dir`] and [`damage`]: a data directory's segments, copies of it,
//!   and the damage crashes and disks do to it;
//! - [`ports`]: free loopback ports, waiting for a server to listen;
//! - [`postgres`]: throwaway PostgreSQL clusters and streaming standbys
//!   ([`pg_binaries`]: where their programs are);
//! - with the `server` feature, [`server`] (a real server on loopback) and
//!   [`tokens`] (tokens of every role, tokens files), [`auditor`] (the
//!   chain verifies, the views equal a replay), and [`translation`] (no
//!   English left on a Korean page or report).
//!
//! [`value`] makes the domain's ids, texts and timestamps from what a
//! generator chose.
//!
//! Regenerate the committed example with
//! `cargo run -p gpu-ledger-testkit -- example --out examples/march-2026.jsonl`.

#[cfg(feature = "server")]
pub mod auditor;
pub mod damage;
pub mod data_dir;
pub mod example;
pub mod history;
pub mod pg_binaries;
pub mod ports;
pub mod postgres;
#[cfg(feature = "server")]
pub mod server;
pub mod stores;
#[cfg(feature = "server")]
pub mod tokens;
#[cfg(feature = "server")]
pub mod translation;
pub mod value;
pub mod workload;
