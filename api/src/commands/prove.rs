//! `gpu-ledger prove`: inclusion and consistency proofs, as JSON, and
//! proof bundles (C2SP tlog-proof) an applicant keeps.

use super::{CommandError, Outcome};
use crate::store_config::StoreConfig;
use gpu_ledger_ledger::EventStore;
use gpu_ledger_ledger::bundle::ProofBundle;
use gpu_ledger_ledger::checkpoint::{Checkpoint, CheckpointDir};
use gpu_ledger_ledger::merkle::inclusion_proof;
use gpu_ledger_replay::proof::{merkle_tree, prove_consistency, prove_inclusion};
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum ProveArgs {
    /// That record SEQ is in the ledger of its first SIZE records (default: all).
    #[command(after_help = "Example:\n  gpu-ledger prove inclusion --seq 42 > proof.json")]
    Inclusion {
        #[arg(long)]
        seq: u64,
        #[arg(long)]
        size: Option<u64>,
    },
    /// That the ledger at size FROM is a prefix of the ledger at size TO.
    #[command(
        after_help = "Example:\n  gpu-ledger prove consistency --from 5000 --to 5416 > proof.json"
    )]
    Consistency {
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: Option<u64>,
    },
    /// One file proving a record is in the ledger under the latest published
    /// (cosigned) checkpoint: checkable offline with `gpu-ledger check bundle`.
    #[command(
        after_help = "Examples:\n  gpu-ledger prove bundle --award AW-2026-0006 --out AW-2026-0006.tlog-proof\n  gpu-ledger prove bundle --seq 42 --out record-42.tlog-proof",
        group = clap::ArgGroup::new("record").required(true).args(["award", "seq"])
    )]
    Bundle {
        /// The award whose grant (its AwardGranted record) to prove.
        #[arg(long, value_name = "ID")]
        award: Option<String>,
        /// The record to prove.
        #[arg(long, value_name = "N")]
        seq: Option<u64>,
        /// Where to write the bundle (refuses to overwrite).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

pub async fn run(config: &StoreConfig, args: &ProveArgs) -> Result<Outcome, CommandError> {
    let store = config.open_for_reading()?;
    if let ProveArgs::Bundle { award, seq, out } = args {
        return bundle(config, store.as_ref(), award.as_deref(), *seq, out).await;
    }
    let fail = |e: gpu_ledger_replay::proof::ProofFailure| CommandError::Failed(e.to_string());
    let tree = merkle_tree(store.as_ref(), &config.merkle_dir(), false)
        .await
        .map_err(fail)?;
    let json = match args {
        ProveArgs::Inclusion { seq, size } => {
            let size = size.unwrap_or(tree.len());
            serde_json::to_value(
                prove_inclusion(store.as_ref(), &tree, *seq, size)
                    .await
                    .map_err(fail)?,
            )
        }
        ProveArgs::Consistency { from, to } => {
            let to = to.unwrap_or(tree.len());
            serde_json::to_value(prove_consistency(&tree, *from, to).map_err(fail)?)
        }
        ProveArgs::Bundle { .. } => unreachable!("answered above"),
    }
    .expect("proofs serialise");
    Ok(Outcome {
        human: serde_json::to_string_pretty(&json).expect("JSON"),
        json,
        code: 0,
    })
}

/// The seq of the AwardGranted record of `award`.
async fn award_seq(store: &dyn EventStore, award: &str) -> Result<u64, CommandError> {
    let mut from = 1;
    loop {
        let records = store.read(from, 4096).await?;
        let Some(last) = records.last() else {
            return Err(CommandError::Failed(format!(
                "no award {award} was granted in this ledger"
            )));
        };
        from = last.seq + 1;
        for r in &records {
            let event: serde_json::Value = serde_json::from_slice(&r.event)
                .map_err(|e| CommandError::Failed(format!("record seq {}: {e}", r.seq)))?;
            if event["type"] == "AwardGranted" && event["award_id"] == award {
                return Ok(r.seq);
            }
        }
    }
}

/// Writes the proof bundle of one record under the latest kept checkpoint.
async fn bundle(
    config: &StoreConfig,
    store: &dyn EventStore,
    award: Option<&str>,
    seq: Option<u64>,
    out: &std::path::Path,
) -> Result<Outcome, CommandError> {
    let seq = match (award, seq) {
        (Some(award), _) => award_seq(store, award).await?,
        (None, Some(seq)) => seq,
        (None, None) => unreachable!("clap requires one"),
    };
    let kept = CheckpointDir::new(&config.state_dir());
    let none = || {
        CommandError::Failed(
            "no checkpoint has been published for this ledger; sign one (`gpu-ledger checkpoint`, or the server's POST /v1/checkpoints/latest) first".into(),
        )
    };
    let (size, note) = kept.latest().ok_or_else(none)?;
    let key = kept.verifier().ok_or_else(none)?;
    let cp = Checkpoint::open(&note, &key)
        .map_err(|e| CommandError::Failed(format!("the kept checkpoint of size {size}: {e}")))?;
    if seq == 0 || seq > cp.size {
        return Err(CommandError::Failed(format!(
            "record seq {seq} is not under the latest published checkpoint (size {}); wait for the next one",
            cp.size
        )));
    }
    let tree = merkle_tree(store, &config.merkle_dir(), false)
        .await
        .map_err(|e| CommandError::Failed(e.to_string()))?;
    let record = store.read(seq, 1).await?;
    let record = record
        .first()
        .filter(|r| r.seq == seq)
        .ok_or_else(|| CommandError::Failed(format!("there is no record seq {seq}")))?;
    let mut line = Vec::new();
    record.write_json(&mut line);
    let proof = inclusion_proof(&tree, seq - 1, cp.size)
        .map_err(|e| CommandError::Failed(e.to_string()))?;
    let text = ProofBundle {
        record: line,
        index: seq - 1,
        proof,
        checkpoint: note,
    }
    .to_text();
    super::write_new(out, text.as_bytes())?;
    Ok(Outcome {
        human: format!(
            "Wrote {}: record seq {seq} under the checkpoint of size {} (check it with `gpu-ledger check bundle {} --key <ledger key> --witness-key <key> ...`).",
            out.display(),
            cp.size,
            out.display()
        ),
        json: serde_json::json!({"out": out, "seq": seq, "size": cp.size}),
        code: 0,
    })
}
