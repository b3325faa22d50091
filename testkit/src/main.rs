//! `gpu-ledger-testkit`: writes the fixtures the tests and benchmarks read.
//!
//! - `example` writes `examples/march-2026.jsonl`, after replaying it through
//!   the domain's decoder and rules, so a generator change that breaks a rule
//!   fails here rather than in the committed file.
//! - `workload` writes a rule-valid history of N events from a seed.

use clap::Parser;
use gpu_ledger_domain::{Programme, decode_event};
use gpu_ledger_testkit::example::march_2026_history;
use gpu_ledger_testkit::history::to_jsonl;
use gpu_ledger_testkit::workload;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The example history and benchmark workloads of gpu-ledger.
#[derive(Parser, Debug)]
#[command(name = "gpu-ledger-testkit", version)]
enum Command {
    /// Write the March 2026 example history (the first call with the report's
    /// figures, the follow-up call, and three months of monitoring).
    #[command(
        after_help = "Example:\n  gpu-ledger-testkit example --out examples/march-2026.jsonl"
    )]
    Example {
        /// File to write; stdout if absent.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write a benchmark workload: a rule-valid history of exactly N events,
    /// the same bytes for the same N and seed.
    #[command(
        after_help = "Example:\n  gpu-ledger-testkit workload --events 1000000 --seed 1 --out /tmp/w1m.jsonl"
    )]
    Workload {
        /// Events to write.
        #[arg(long, default_value_t = workload::DEFAULT_EVENTS, value_name = "N")]
        events: u64,
        /// Seed of every random choice.
        #[arg(long, default_value_t = workload::DEFAULT_SEED, value_name = "S")]
        seed: u64,
        /// File to write; stdout if absent.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let result = match Command::parse() {
        Command::Example { out } => example(out),
        Command::Workload { events, seed, out } => write_workload(events, seed, out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("gpu-ledger-testkit: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn example(out: Option<PathBuf>) -> Result<(), String> {
    let lines = march_2026_history();
    check_rules(&lines).map_err(|p| format!("the generated history breaks a rule: {p}"))?;
    let file = to_jsonl(&lines);
    let written = match &out {
        Some(path) => std::fs::write(path, &file),
        None => std::io::stdout().lock().write_all(file.as_bytes()),
    };
    written.map_err(|e| format!("cannot write {}: {e}", target_name(out.as_ref())))
}

fn write_workload(events: u64, seed: u64, out: Option<PathBuf>) -> Result<(), String> {
    let started = Instant::now();
    let written = match &out {
        Some(path) => std::fs::File::create(path)
            .and_then(|file| workload::write_history(events, seed, file).map(|(_, s)| s)),
        None => workload::write_history(events, seed, std::io::stdout().lock()).map(|(_, s)| s),
    };
    let summary =
        written.map_err(|e| format!("cannot write {}: {e}", target_name(out.as_ref())))?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{} events ({} bytes, {} applications, {} awards, {} calls) in {seconds:.2} s: {:.0} events/s",
        summary.tally.events,
        summary.tally.bytes,
        summary.applications,
        summary.awards,
        summary.calls,
        summary.tally.events as f64 / seconds
    );
    Ok(())
}

fn target_name(out: Option<&PathBuf>) -> String {
    out.map_or_else(|| "stdout".to_owned(), |p| p.display().to_string())
}

/// Replays the lines through one programme, in order.
fn check_rules(lines: &[String]) -> Result<(), String> {
    let mut programme = Programme::new();
    for (n, line) in lines.iter().enumerate() {
        let event = decode_event(line.as_bytes()).map_err(|e| format!("line {}: {e}", n + 1))?;
        programme
            .accept(&event)
            .map_err(|e| format!("line {}: {e}", n + 1))?;
    }
    Ok(())
}
