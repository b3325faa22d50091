//! `gpu-ledger repair --truncate-after SEQ`: cut the ledger after a record,
//! for an operator who accepts the loss (say, after damage `verify` names).

use super::{CommandError, Outcome, grouped};
use crate::store_config::StoreConfig;
use gpu_ledger_ledger::file::repair::truncate_after;

#[derive(clap::Args, Debug)]
pub struct RepairArgs {
    /// Keep records 1..=SEQ and remove every record after it. The removed
    /// bytes, and the removed records that can still be read (as export
    /// lines), are first written to a side directory in the data directory.
    #[arg(long, value_name = "SEQ")]
    pub truncate_after: u64,
}

pub async fn run(config: &StoreConfig, args: &RepairArgs) -> Result<Outcome, CommandError> {
    let report = truncate_after(&config.data, args.truncate_after)?;
    Ok(Outcome {
        human: format!(
            "Kept records 1 to {}; removed {} bytes ({} readable records) after them.\nWhat was removed is kept in {} (removed.jsonl holds the readable records).\nRun `gpu-ledger verify` next.",
            grouped(report.kept_through),
            grouped(report.bytes_removed),
            grouped(report.readable_removed),
            report.side_dir.display()
        ),
        json: serde_json::to_value(&report).expect("a report serialises"),
        code: 0,
    })
}
