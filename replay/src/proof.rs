//! Proofs an auditor can check without trusting the server: that a record
//! is in the ledger (inclusion), and that the ledger at one size is a prefix
//! of the ledger at a later size (consistency). JSON with lowercase hex
//! hashes; the leaf index of record `seq` is `seq - 1`, and its leaf hash is
//! `SHA-256(0x00 || the record's 32 hash bytes)` (RFC 6962).

use crate::source::SourceError;
use gpu_ledger_ledger::checkpoint::Checkpoint;
use gpu_ledger_ledger::export::parse_export_line;
use gpu_ledger_ledger::merkle::levels::Levels;
use gpu_ledger_ledger::merkle::{
    ProofError, consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion,
};
use gpu_ledger_ledger::{EventStore, Hash, StoreError};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The `type` of an inclusion proof.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InclusionType {
    #[default]
    Inclusion,
}

/// The `type` of a consistency proof.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsistencyType {
    #[default]
    Consistency,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    #[serde(rename = "type")]
    pub kind: InclusionType,
    pub seq: u64,
    pub size: u64,
    pub record_hash: Hash,
    pub path: Vec<Hash>,
    pub root: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    #[serde(rename = "type")]
    pub kind: ConsistencyType,
    pub from: u64,
    pub to: u64,
    pub path: Vec<Hash>,
    pub from_root: Hash,
    pub to_root: Hash,
}

/// Why a proof could not be made or does not hold.
#[derive(Debug, thiserror::Error)]
pub enum ProofFailure {
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("{0}")]
    Invalid(String),
    #[error("the Merkle files: {0}")]
    Io(#[from] std::io::Error),
}

/// The Merkle tree of the ledger in `store`, from the node files in
/// `merkle_dir` (written only when `writable`), brought up to the store's
/// head. Files that disagree with the records are rebuilt.
pub async fn merkle_tree(
    store: &dyn EventStore,
    merkle_dir: &Path,
    writable: bool,
) -> Result<Levels, ProofFailure> {
    let head = store.head().await?;
    let mut tree = Levels::open(merkle_dir, writable, head.seq)?;
    if let Some(last) = tree.last_leaf() {
        let seq = tree.len();
        let record = store.read(seq, 1).await?;
        let agrees = record.first().is_some_and(|r| leaf_hash(&r.hash.0) == last);
        if !agrees {
            tracing::warn!(
                seq,
                "the Merkle node files disagree with the ledger; rebuilding them"
            );
            tree.truncate(0);
        }
    }
    catch_up(store, &mut tree, head.seq).await?;
    if writable {
        tree.flush()?;
    }
    Ok(tree)
}

/// Adds the leaves of records `tree.len() + 1 ..= to`.
pub async fn catch_up(
    store: &dyn EventStore,
    tree: &mut Levels,
    to: u64,
) -> Result<(), ProofFailure> {
    while tree.len() < to {
        let records = store
            .read(tree.len() + 1, (to - tree.len()).min(1 << 16) as usize)
            .await?;
        if records.is_empty() {
            return Err(ProofFailure::Invalid(format!(
                "the ledger ends at seq {} although its head is {to}",
                tree.len()
            )));
        }
        for r in &records {
            tree.push_record(&r.hash);
        }
    }
    Ok(())
}

/// The inclusion proof of record `seq` in the ledger of its first `size` records.
pub async fn prove_inclusion(
    store: &dyn EventStore,
    tree: &Levels,
    seq: u64,
    size: u64,
) -> Result<InclusionProof, ProofFailure> {
    if seq == 0 || seq > size || size > tree.len() {
        return Err(ProofFailure::Invalid(format!(
            "record seq {seq} is not within a ledger of {size} records (the ledger has {})",
            tree.len()
        )));
    }
    let record = store.read(seq, 1).await?;
    let record = record
        .first()
        .ok_or_else(|| ProofFailure::Invalid(format!("no record seq {seq}")))?;
    Ok(InclusionProof {
        kind: InclusionType::Inclusion,
        seq,
        size,
        record_hash: record.hash,
        path: inclusion_proof(tree, seq - 1, size)?,
        root: tree.root(size)?,
    })
}

/// The consistency proof between the ledger at sizes `from <= to`.
pub fn prove_consistency(
    tree: &Levels,
    from: u64,
    to: u64,
) -> Result<ConsistencyProof, ProofFailure> {
    if from > to || to > tree.len() {
        return Err(ProofFailure::Invalid(format!(
            "sizes {from} and {to}: need from <= to <= {}, the ledger's size",
            tree.len()
        )));
    }
    Ok(ConsistencyProof {
        kind: ConsistencyType::Consistency,
        from,
        to,
        path: consistency_proof(tree, from, to)?,
        from_root: tree.root(from)?,
        to_root: tree.root(to)?,
    })
}

/// Checks an inclusion proof; with `record` (one export line), also that the
/// record is the one proven, by recomputing its hash from its content.
pub fn check_inclusion(proof: &InclusionProof, record: Option<&[u8]>) -> Result<(), ProofFailure> {
    if let Some(line) = record {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let r = parse_export_line(line)
            .map_err(|e| ProofFailure::Invalid(format!("the record: {e}")))?;
        if r.computed_hash() != r.hash {
            return Err(ProofFailure::Invalid(format!(
                "the record's content hashes to {}, not to its stated hash {}: it was altered",
                r.computed_hash(),
                r.hash
            )));
        }
        if r.seq != proof.seq || r.hash != proof.record_hash {
            return Err(ProofFailure::Invalid(format!(
                "the proof is for record seq {} with hash {}, not this record (seq {}, hash {})",
                proof.seq, proof.record_hash, r.seq, r.hash
            )));
        }
    }
    if proof.seq == 0 {
        return Err(ProofFailure::Invalid("seq starts at 1".into()));
    }
    verify_inclusion(
        proof.seq - 1,
        proof.size,
        &leaf_hash(&proof.record_hash.0),
        &proof.path,
        &proof.root,
    )?;
    Ok(())
}

pub fn check_consistency(proof: &ConsistencyProof) -> Result<(), ProofFailure> {
    verify_consistency(
        proof.from,
        proof.to,
        &proof.from_root,
        &proof.to_root,
        &proof.path,
    )?;
    Ok(())
}

/// Checks that a (verified) checkpoint states `size` and `root`.
pub fn check_against_checkpoint(
    checkpoint: &Checkpoint,
    size: u64,
    root: &Hash,
) -> Result<(), ProofFailure> {
    if checkpoint.size != size {
        return Err(ProofFailure::Invalid(format!(
            "the checkpoint is for size {}, the proof for size {size}",
            checkpoint.size
        )));
    }
    if checkpoint.root != *root {
        return Err(ProofFailure::Invalid(format!(
            "the proof's root {root} is not the checkpoint's root {} for size {size}",
            checkpoint.root
        )));
    }
    Ok(())
}
