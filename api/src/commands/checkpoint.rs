//! `gpu-ledger checkpoint`: sign the ledger's current size and Merkle root.

use super::{CommandError, Outcome};
use crate::store_config::StoreConfig;
use gpu_ledger_ledger::checkpoint::{Checkpoint, CheckpointDir};
use gpu_ledger_ledger::note::NoteSigner;
use gpu_ledger_replay::proof::merkle_tree;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckpointArgs {
    /// The private key file written by `gpu-ledger keygen`.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
}

pub fn load_signer(path: &PathBuf) -> Result<NoteSigner, CommandError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CommandError::Failed(format!("cannot read the key {}: {e}", path.display()))
    })?;
    NoteSigner::parse(&text).map_err(|e| CommandError::Failed(format!("{}: {e}", path.display())))
}

pub async fn run(config: &StoreConfig, args: &CheckpointArgs) -> Result<Outcome, CommandError> {
    let signer = load_signer(&args.key)?;
    // Writing the tree's files and keeping the checkpoint need the writer's lock.
    let store = config.open_for_writing()?;
    let tree = merkle_tree(store.as_ref(), &config.merkle_dir(), true)
        .await
        .map_err(|e| CommandError::Failed(e.to_string()))?;
    let size = tree.len();
    let root = tree
        .root(size)
        .map_err(|e| CommandError::Failed(e.to_string()))?;
    let note = Checkpoint { size, root }
        .sign(&signer)
        .map_err(|e| CommandError::Failed(e.to_string()))?;
    let kept = CheckpointDir::new(&config.state_dir())
        .keep(size, &note, &signer.verifier())
        .map_err(|e| CommandError::Failed(format!("cannot keep the checkpoint: {e}")))?;
    Ok(Outcome {
        human: note.trim_end().to_string(),
        json: serde_json::json!({"size": size, "root": root, "note": note, "kept": kept}),
        code: 0,
    })
}
