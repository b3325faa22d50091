//! `gpu-ledger-bench decode`: what decoding one event body costs on one
//! core, the step every import line and every replayed record pays.
//!
//! Each round decodes every line of a workload file with
//! `gpu_ledger_domain::decode_event`; the fastest round is reported (the
//! others measured noise from the rest of the machine).

use std::path::Path;
use std::time::Instant;

/// What the decoding rounds measured.
pub struct Decoding {
    pub events: usize,
    pub bytes: usize,
    /// Nanoseconds per event in the fastest round.
    pub best_ns: f64,
    pub rounds_ns: Vec<f64>,
}

/// Decodes every line of `file` `rounds` times.
pub fn run(file: &Path, rounds: usize) -> Result<Decoding, String> {
    let text = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(format!("{} holds no events", file.display()));
    }
    let mut rounds_ns = Vec::with_capacity(rounds);
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        for line in &lines {
            let event = gpu_ledger_domain::decode_event(line)
                .map_err(|e| format!("a workload line does not decode: {e}"))?;
            std::hint::black_box(event);
        }
        rounds_ns.push(started.elapsed().as_nanos() as f64 / lines.len() as f64);
    }
    let best_ns = rounds_ns.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(Decoding {
        events: lines.len(),
        bytes: text.len(),
        best_ns,
        rounds_ns,
    })
}
