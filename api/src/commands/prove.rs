//! `gpu-ledger prove`: inclusion and consistency proofs, as JSON.

use super::{CommandError, Outcome};
use crate::store_config::StoreConfig;
use gpu_ledger_replay::proof::{merkle_tree, prove_consistency, prove_inclusion};

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
}

pub async fn run(config: &StoreConfig, args: &ProveArgs) -> Result<Outcome, CommandError> {
    let store = config.open_for_reading()?;
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
    }
    .expect("proofs serialise");
    Ok(Outcome {
        human: serde_json::to_string_pretty(&json).expect("JSON"),
        json,
        code: 0,
    })
}
