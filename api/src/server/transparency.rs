//! The server's Merkle tree and signed checkpoints: kept as records become
//! durable, signed on a schedule and on demand, cosigned by witnesses
//! ([`super::witnessing`]) when any are configured, and used to answer proofs.

use super::witnessing::{WitnessConfig, Witnesses};
use gpu_ledger_ledger::checkpoint::{Checkpoint, CheckpointDir};
use gpu_ledger_ledger::merkle::levels::Levels;
use gpu_ledger_ledger::note::NoteSigner;
use gpu_ledger_ledger::tiles::{Tile, entry_bundle};
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
    /// Who cosigns checkpoints before they are published.
    pub witnesses: WitnessConfig,
}

impl Default for TransparencyConfig {
    fn default() -> Self {
        Self {
            state_dir: None,
            signer: None,
            every: Duration::from_secs(300),
            witnesses: WitnessConfig::default(),
        }
    }
}

pub struct Transparency {
    tree: Mutex<Levels>,
    signer: Option<NoteSigner>,
    kept: Option<CheckpointDir>,
    witnesses: Witnesses,
    /// One signing at a time, so that witnesses see sizes in order.
    signing: tokio::sync::Mutex<()>,
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
        let witnesses = Witnesses::new(config.witnesses).map_err(ProofFailure::Invalid)?;
        Ok(Self {
            tree: Mutex::new(tree),
            signer: config.signer,
            kept: config.state_dir.as_deref().map(CheckpointDir::new),
            witnesses,
            signing: tokio::sync::Mutex::new(()),
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

    /// Signs a checkpoint of the tree now, has it cosigned by the
    /// witnesses, and keeps (publishes) it once a quorum cosigned: (size,
    /// note). Short of the quorum nothing is published and the last
    /// published checkpoint stays the latest.
    pub async fn sign_now(&self) -> Result<(u64, String), String> {
        let signer = self
            .signer
            .as_ref()
            .ok_or("this server has no checkpoint key (serve --checkpoint-key FILE)")?;
        let _one_at_a_time = self.signing.lock().await;
        let (size, root) = {
            let mut tree = self.tree.lock().expect("merkle lock");
            tree.flush()
                .map_err(|e| format!("cannot write the Merkle files: {e}"))?;
            let size = tree.len();
            (size, tree.root(size).map_err(|e| e.to_string())?)
        };
        let cp = Checkpoint { size, root };
        let mut note = cp.sign(signer).map_err(|e| e.to_string())?;
        if !self.witnesses.is_empty() {
            let prove = |old: u64| {
                let tree = self.tree.lock().expect("merkle lock");
                gpu_ledger_ledger::merkle::consistency_proof(&*tree, old, size)
                    .map_err(|e| e.to_string())
            };
            let cosigned = self.witnesses.cosign(&note, cp, &prove).await;
            if cosigned.cosigners.len() < self.witnesses.quorum {
                return Err(format!(
                    "only {} of the {} witness cosignatures needed came for size {size}, so it is not published ({}); the latest published checkpoint stays {}",
                    cosigned.cosigners.len(),
                    self.witnesses.quorum,
                    cosigned.failures.join("; "),
                    self.latest()
                        .map_or("none".to_string(), |(s, _)| format!("size {s}")),
                ));
            }
            note = cosigned.note;
        }
        if let Some(kept) = &self.kept {
            kept.keep(size, &note, &signer.verifier())
                .map_err(|e| format!("cannot keep the checkpoint: {e}"))?;
        }
        Ok((size, note))
    }

    /// Signs a checkpoint if the tree grew since the last one published
    /// (so a checkpoint short of its quorum is tried again next time).
    pub async fn sign_if_grown(&self) {
        let last = self.latest().map_or(0, |(s, _)| s);
        if self.can_sign() && self.size() > last {
            match self.sign_now().await {
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

    /// A tile's hashes or an entry bundle's record hashes (C2SP tlog-tiles),
    /// if the tree holds all of it.
    pub async fn tile(&self, store: &dyn EventStore, tile: Tile) -> Result<Vec<u8>, ProofFailure> {
        let size = self.size();
        let Some((start, end)) = tile.leaf_range().filter(|_| tile.within(size)) else {
            return Err(ProofFailure::Invalid(format!(
                "{} is not in the tree of {size} records",
                tile.path()
            )));
        };
        if tile.level.is_some() {
            let tree = self.tree.lock().expect("merkle lock");
            return Ok(tile.hashes(&*tree)?);
        }
        let records = store.read(start + 1, (end - start) as usize).await?;
        let hashes: Vec<Hash> = records.iter().map(|r| r.hash).collect();
        if hashes.len() as u64 != end - start {
            return Err(ProofFailure::Invalid(format!(
                "the store returned {} of the {} records of {}",
                hashes.len(),
                end - start,
                tile.path()
            )));
        }
        Ok(entry_bundle(&hashes))
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
