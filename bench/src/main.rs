//! `gpu-ledger-bench`: writes the example histories.
//!
//! `gpu-ledger-bench example [--out FILE]` writes `examples/march-2026.jsonl`
//! (to stdout by default). Before writing, it replays the history through the
//! domain's rules, so a generator change that breaks a rule fails here rather
//! than in the committed file.

use clap::{Parser, Subcommand};
use gpu_ledger_bench::{march_2026_history, to_jsonl};
use gpu_ledger_domain::{Programme, decode_event};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "gpu-ledger-bench",
    version,
    about = "Deterministic example histories of the GPU-support programme"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the March 2026 example history (the first call with the report's
    /// figures, the follow-up call, and three months of monitoring).
    #[command(after_help = "Example:\n  gpu-ledger-bench example --out examples/march-2026.jsonl")]
    Example {
        /// File to write; stdout if absent.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let Cli {
        command: Command::Example { out },
    } = Cli::parse();
    let lines = march_2026_history();
    if let Err(problem) = check_rules(&lines) {
        eprintln!("gpu-ledger-bench: the generated history breaks a rule: {problem}");
        return ExitCode::FAILURE;
    }
    let file = to_jsonl(&lines);
    let written = match &out {
        Some(path) => std::fs::write(path, &file),
        None => std::io::stdout().lock().write_all(file.as_bytes()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let target = out.map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
            eprintln!("gpu-ledger-bench: cannot write {target}: {e}");
            ExitCode::FAILURE
        }
    }
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
