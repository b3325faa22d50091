//! The benchmark suite of gpu-ledger (`BENCHMARKS.md`) and its load
//! generators.
//!
//! - [`suite`]: `gpu-ledger-bench run`, every figure of `BENCHMARKS.md`;
//! - [`http_load`]: appends and view queries against a running server;
//! - [`transparency`]: what keeping the Merkle tree costs, and proof times;
//! - [`witnessing`]: what witnesses cosigning checkpoints cost the appends;
//! - [`stats`]: medians and latency percentiles.
//!
//! The workload it measures on is `gpu_ledger_testkit::workload`'s.

pub mod decoding;
pub mod http_load;
pub mod noop;
pub mod stats;
pub mod suite;
pub mod transparency;
pub mod witnessing;

/// The load generator's runtime: one thread runs it on the calling thread
/// (least interference with the server on a small machine), more spread the
/// clients over that many worker threads.
pub fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, String> {
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the load generator's runtime: {e}"))
}
