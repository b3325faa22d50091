//! Example histories of Korea's national GPU-support programme.
//!
//! An example history is a JSON Lines file of event bodies (events.md) that
//! the ledger imports as it is: every line passes every rule of the domain in
//! order. The examples are generated, not written by hand, so that they are
//! large enough to exercise the projections and still exactly right; the
//! generator is deterministic, and the committed file is tested to be its
//! output byte for byte.
//!
//! - [`march2026`]: `examples/march-2026.jsonl`, the programme as reported on
//!   2026-03-03: the first call with the report's figures, the follow-up
//!   call, and three months of monitoring, recalls and redistribution.
//!
//! Regenerate the committed file with
//! `cargo run -p gpu-ledger-bench -- example --out examples/march-2026.jsonl`.

pub mod http_load;
pub mod march2026;
pub mod stats;
pub mod suite;
pub mod transparency;
pub mod workload;

pub use march2026::march_2026_history;

/// The lines of a history as a JSON Lines file: each line ends with `\n`.
pub fn to_jsonl(lines: &[String]) -> String {
    let mut file = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        file.push_str(line);
        file.push('\n');
    }
    file
}

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
