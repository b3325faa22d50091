//! The server's Merkle tree and signed checkpoints: kept as records become
//! durable, signed on a schedule and on demand, and used to answer proofs.

use gpu_ledger_ledger::checkpoint::{Checkpoint, CheckpointDir};
use gpu_ledger_ledger::merkle::levels::Levels;
use gpu_ledger_ledger::note::NoteSigner;
use gpu_ledger_ledger::{EventStore, Hash};
use gpu_ledger_replay::proof::{
    ConsistencyProof, InclusionProof, ProofFailure, catch_up, merkle_tree, prove_consistency,
};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// Where the tree and checkpoints live, and who signs.
pub struct TransparencyConfig {
    /// The Merkle node files and kept checkpoints (the data directory); none
    /// keeps the tree in memory only.
    pub state_dir: Option<PathBuf>,
    pub signer: Option<NoteSigner>,
    /// How often to sign a checkpoint when the ledger has grown.
    pub every: Duration,
}

impl Default for TransparencyConfig {
    fn default() -> Self {
        Self {
            state_dir: None,
            signer: None,
            every: Duration::from_secs(300),
        }
    }
}

pub struct Transparency {
    tree: Mutex<Levels>,
    signer: Option<NoteSigner>,
    kept: Option<CheckpointDir>,
    pub every: Duration,
}

impl Transparency {
    /// The tree of the first `size` records (those the server has loaded).
    /// The tree of every record in `store` now, from the node files kept
    /// in the data directory where they agree with the ledger.
    pub async fn open(
        store: &dyn EventStore,
        config: TransparencyConfig,
    ) -> Result<Self, ProofFailure> {
        let scratch;
        let (dir, writable) = match &config.state_dir {
            Some(d) => (d.join("merkle"), true),
            None => {
                scratch = PathBuf::from("/nonexistent-gpu-ledger-merkle");
                (scratch, false)
            }
        };
        let tree = merkle_tree(store, &dir, writable).await?;
        Ok(Self {
            tree: Mutex::new(tree),
            signer: config.signer,
            kept: config.state_dir.as_deref().map(CheckpointDir::new),
            every: config.every,
        })
    }

    /// Makes the tree hold exactly the first `size` records, the ones the
    /// rules and views were built from (the store may have moved while the
    /// tree was opened).
    pub async fn align_to(
        &mut self,
        store: &dyn EventStore,
        size: u64,
    ) -> Result<(), ProofFailure> {
        let tree = self.tree.get_mut().expect("merkle lock");
        if tree.len() > size {
            tree.truncate(size);
        }
        catch_up(store, tree, size).await
    }

    /// A record became durable (called in seq order). The node files are
    /// written every few thousand records, so a restart rehashes little.
    pub fn record_durable(&self, hash: &Hash) {
        let mut tree = self.tree.lock().expect("merkle lock");
        if let Err(e) = tree.push_record_flushing(hash) {
            tracing::warn!(error = %e, "could not write the Merkle node files; they will be rebuilt at start-up");
        }
    }

    pub fn size(&self) -> u64 {
        self.tree.lock().expect("merkle lock").len()
    }

    pub fn can_sign(&self) -> bool {
        self.signer.is_some()
    }

    /// Signs and keeps a checkpoint of the tree now: (size, note).
    pub fn sign_now(&self) -> Result<(u64, String), String> {
        let signer = self
            .signer
            .as_ref()
            .ok_or("this server has no checkpoint key (serve --checkpoint-key FILE)")?;
        let (size, root) = {
            let mut tree = self.tree.lock().expect("merkle lock");
            tree.flush()
                .map_err(|e| format!("cannot write the Merkle files: {e}"))?;
            let size = tree.len();
            (size, tree.root(size).map_err(|e| e.to_string())?)
        };
        let note = Checkpoint { size, root }
            .sign(signer)
            .map_err(|e| e.to_string())?;
        if let Some(kept) = &self.kept {
            kept.keep(size, &note, &signer.verifier())
                .map_err(|e| format!("cannot keep the checkpoint: {e}"))?;
        }
        Ok((size, note))
    }

    /// Signs a checkpoint if the tree grew since the last one.
    pub fn sign_if_grown(&self) {
        let last = self.latest().map_or(0, |(s, _)| s);
        if self.can_sign() && self.size() > last {
            match self.sign_now() {
                Ok((size, _)) => tracing::info!(size, "signed a checkpoint"),
                Err(e) => tracing::error!(error = %e, "could not sign a checkpoint"),
            }
        }
    }

    pub fn latest(&self) -> Option<(u64, String)> {
        self.kept.as_ref()?.latest()
    }

    pub fn checkpoint(&self, size: u64) -> Option<String> {
        self.kept.as_ref()?.get(size)
    }

    pub fn verifier_key(&self) -> Option<String> {
        self.signer.as_ref().map(|s| s.verifier().to_text())
    }

    pub async fn inclusion(
        &self,
        store: &dyn EventStore,
        seq: u64,
        size: Option<u64>,
    ) -> Result<InclusionProof, ProofFailure> {
        // The record is read first; the proof is then made under the lock.
        let record = store.read(seq, 1).await?;
        let tree = self.tree.lock().expect("merkle lock");
        let size = size.unwrap_or(tree.len());
        let Some(record) = record.first().filter(|r| r.seq == seq) else {
            return Err(ProofFailure::Invalid(format!(
                "there is no record seq {seq}"
            )));
        };
        if seq == 0 || seq > size || size > tree.len() {
            return Err(ProofFailure::Invalid(format!(
                "record seq {seq} is not within a ledger of {size} records (the ledger has {})",
                tree.len()
            )));
        }
        Ok(InclusionProof {
            kind: Default::default(),
            seq,
            size,
            record_hash: record.hash,
            path: gpu_ledger_ledger::merkle::inclusion_proof(&*tree, seq - 1, size)?,
            root: tree.root(size)?,
        })
    }

    pub fn consistency(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> Result<ConsistencyProof, ProofFailure> {
        let tree = self.tree.lock().expect("merkle lock");
        let to = to.unwrap_or(tree.len());
        prove_consistency(&tree, from, to)
    }
}
