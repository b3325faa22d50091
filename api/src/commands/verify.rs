//! `gpu-ledger verify`: re-check the whole chain from disk.

use super::{CommandError, FromExport, Outcome, grouped};
use crate::progress::Progress;
use crate::store_config::StoreConfig;
use gpu_ledger_ledger::checkpoint::{Checkpoint, CheckpointDir};
use gpu_ledger_replay::{VerifyOptions, verify};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// Also decode every event, check its bytes are canonical, and replay it
    /// against the programme's rules.
    #[arg(long)]
    pub deep: bool,

    #[command(flatten)]
    pub input: FromExport,

    /// Check the Merkle root against this signed checkpoint (default: the
    /// latest one kept beside the ledger, if any).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,

    /// The verifier key that signed the checkpoint (default: the one kept beside it).
    #[arg(long, value_name = "KEY")]
    pub pubkey: Option<String>,
}

/// The signed checkpoint to check the Merkle root against, if any: its
/// signature is checked first.
fn signed_checkpoint(
    config: &StoreConfig,
    args: &VerifyArgs,
) -> Result<Option<Checkpoint>, CommandError> {
    let kept = CheckpointDir::new(&config.state_dir());
    let note = match &args.checkpoint {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CommandError::Failed(format!("cannot read {}: {e}", path.display())))?,
        None if args.input.path().is_some() => return Ok(None),
        None => match kept.latest() {
            Some((_, note)) => note,
            None => return Ok(None),
        },
    };
    let key = match &args.pubkey {
        Some(k) => super::check::verifier(k)?,
        None => kept.verifier().ok_or_else(|| {
            CommandError::Failed("a checkpoint needs its verifier key: pass --pubkey".into())
        })?,
    };
    Checkpoint::open(&note, &key)
        .map(Some)
        .map_err(|e| CommandError::Refused {
            message: format!("the signed checkpoint does not check out: {e}"),
            detail: serde_json::json!({"ok": false, "error": "bad_checkpoint"}),
        })
}

pub async fn run(
    config: &StoreConfig,
    args: &VerifyArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    let (mut source, total) = super::open_source(config, args.input.path()).await?;
    let progress = Progress::new(json, total, "verifying");
    let started = std::time::Instant::now();
    let checkpoint = signed_checkpoint(config, args)?;
    let options = VerifyOptions {
        deep: args.deep,
        checkpoint,
    };
    let report = verify(&mut source, options, |n| progress.update(n, n)).await?;
    progress.finish();
    let secs = started.elapsed().as_secs_f64();
    let checked = report
        .checkpoint_size
        .map(|n| {
            format!(
                " The Merkle root of its first {} records matches the signed checkpoint.",
                grouped(n)
            )
        })
        .unwrap_or_default();
    let human = if report.ok {
        let deep = if args.deep {
            ", every event replayed against the rules"
        } else {
            ""
        };
        format!(
            "The chain verifies: {} events, head {} ({secs:.2} s{deep}).{checked}",
            grouped(report.events),
            report.head,
        )
    } else if let Some(seq) = report.first_bad_seq {
        format!(
            "The chain is broken at seq {seq}: {}. The {} records before it verify.",
            report.reason.clone().unwrap_or_default(),
            grouped(report.events)
        )
    } else {
        format!(
            "The ledger does not match its signed checkpoint: {}.",
            report.reason.clone().unwrap_or_default()
        )
    };
    Ok(Outcome {
        human,
        json: serde_json::to_value(&report).expect("a report serialises"),
        code: if report.ok { 0 } else { 1 },
    })
}
