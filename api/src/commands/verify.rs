//! `gpu-ledger verify`: re-check the whole chain from disk.

use super::{CommandError, Outcome, grouped};
use crate::progress::Progress;
use crate::store_config::StoreConfig;
use gpu_ledger_replay::{Source, VerifyOptions, verify};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// Also decode every event, check its bytes are canonical, and replay it
    /// against the programme's rules.
    #[arg(long)]
    pub deep: bool,

    /// Verify an export file instead of the data directory.
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
}

pub async fn run(
    config: &StoreConfig,
    args: &VerifyArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    let (mut source, total) = match &args.export {
        Some(path) => (Source::export(path)?, None),
        None => {
            let store = config.open_for_reading()?;
            let head = store.head().await?;
            (Source::store(store), Some(head.seq))
        }
    };
    let progress = Progress::new(json, total, "verifying");
    let started = std::time::Instant::now();
    let report = verify(&mut source, VerifyOptions { deep: args.deep }, |n| {
        progress.update(n, n)
    })
    .await?;
    progress.finish();
    let secs = started.elapsed().as_secs_f64();
    let human = if report.ok {
        format!(
            "The chain verifies: {} events, head {} ({:.2} s{}).",
            grouped(report.events),
            report.head,
            secs,
            if args.deep {
                ", every event replayed against the rules"
            } else {
                ""
            }
        )
    } else {
        format!(
            "The chain is broken at seq {}: {}. The {} records before it verify.",
            report.first_bad_seq.unwrap_or(0),
            report.reason.clone().unwrap_or_default(),
            grouped(report.events)
        )
    };
    Ok(Outcome {
        human,
        json: serde_json::to_value(&report).expect("a report serialises"),
        code: if report.ok { 0 } else { 1 },
    })
}
