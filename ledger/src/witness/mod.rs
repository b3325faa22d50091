//! A transparency-log witness (C2SP tlog-witness): an independent body that
//! cosigns a log's checkpoint only if it is consistent with the last one it
//! cosigned of that log. A reader who requires cosignatures from witnesses
//! it trusts can no longer be shown a history the operator shows nobody
//! else: the operator would need every one of those witnesses to sign a fork.
//!
//! This module is the decision and the memory, with no HTTP: [`Witness::add_checkpoint`]
//! takes a request body and answers cosignature lines or a [`Refusal`]
//! carrying the spec's status code. The check of the old size and the
//! keeping of the new checkpoint happen under one lock, so two requests
//! racing cannot roll the witness back.

pub mod cosigned;
pub mod request;

use crate::checkpoint::Checkpoint;
use crate::cosignature;
use crate::merkle::{ProofError, empty_tree_hash, verify_consistency};
use crate::note::{KeyKind, NoteError, NoteSigner, NoteVerifier, split_note};
use cosigned::{CosignedDir, origin_hash};
use request::AddCheckpoint;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

/// Why a witness did not cosign, each with the status code C2SP tlog-witness gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the request is malformed: {0}")]
    Malformed(String),
    #[error("the old size {old} is larger than the checkpoint's size {size}")]
    OldSizeAhead { old: u64, size: u64 },
    #[error("this witness does not witness the log {0:?}")]
    UnknownLog(String),
    #[error("the checkpoint is not signed by a key this witness trusts for {origin:?}: {reason}")]
    NotSigned { origin: String, reason: String },
    #[error(
        "the old size {old} is not the size {known} this witness last cosigned; send a proof from {known}"
    )]
    WrongOldSize { old: u64, known: u64 },
    #[error("a checkpoint of size 0 must have the empty tree's root")]
    EmptyTreeRoot,
    #[error("from old size 0 the consistency proof must be empty")]
    ProofFromZero,
    #[error(
        "a fork: this witness cosigned another root at size {size}; it will never cosign this one"
    )]
    Fork { size: u64 },
    #[error("the consistency proof from {old} to {size} does not hold: {reason}")]
    BadProof {
        old: u64,
        size: u64,
        reason: ProofError,
    },
    #[error("the witness cannot keep what it cosigns: {0}")]
    Storage(String),
}

impl Refusal {
    /// The HTTP status C2SP tlog-witness requires for this refusal.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Malformed(_) | Refusal::OldSizeAhead { .. } => 400,
            Refusal::NotSigned { .. } => 403,
            Refusal::UnknownLog(_) => 404,
            Refusal::WrongOldSize { .. } => 409,
            Refusal::EmptyTreeRoot
            | Refusal::ProofFromZero
            | Refusal::Fork { .. }
            | Refusal::BadProof { .. } => 422,
            Refusal::Storage(_) => 500,
        }
    }
}

/// Why a witness cannot start.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    #[error(
        "the witness key {0} is a log key; make a witness key with `gpu-ledger keygen --witness`"
    )]
    NotAWitnessKey(String),
    #[error("the log key {0} is a witness key (type 0x04); a log signs with a type 0x01 key")]
    NotALogKey(String),
    #[error("cannot use the data directory {dir}: {error}")]
    Dir { dir: String, error: std::io::Error },
    #[error("the kept checkpoint of {origin:?} cannot be read: {reason}")]
    Kept { origin: String, reason: String },
}

/// A witness: its key, the logs it witnesses, what it last cosigned of each.
pub struct Witness {
    signer: NoteSigner,
    /// Per origin, the keys trusted to sign its checkpoints.
    logs: BTreeMap<String, Vec<NoteVerifier>>,
    kept: CosignedDir,
    /// Per origin, the last cosigned checkpoint; the lock also orders
    /// check-then-keep so that no two requests interleave.
    latest: Mutex<BTreeMap<String, Checkpoint>>,
}

impl Witness {
    /// A witness signing with `signer`, trusting `log_keys` (each named by
    /// its log's origin), remembering in `dir`.
    pub fn open(
        signer: NoteSigner,
        log_keys: Vec<NoteVerifier>,
        dir: &Path,
    ) -> Result<Self, WitnessError> {
        if signer.kind() != KeyKind::Cosignature {
            return Err(WitnessError::NotAWitnessKey(signer.name().into()));
        }
        let mut logs: BTreeMap<String, Vec<NoteVerifier>> = BTreeMap::new();
        for key in log_keys {
            if key.kind != KeyKind::Ed25519 {
                return Err(WitnessError::NotALogKey(key.to_text()));
            }
            logs.entry(key.name.clone()).or_default().push(key);
        }
        let kept = CosignedDir::open(dir).map_err(|error| WitnessError::Dir {
            dir: dir.display().to_string(),
            error,
        })?;
        let mut latest = BTreeMap::new();
        for origin in logs.keys() {
            let bad = |reason: String| WitnessError::Kept {
                origin: origin.clone(),
                reason,
            };
            if let Some(note) = kept.get(origin).map_err(|e| bad(e.to_string()))? {
                let (text, _) = split_note(&note).map_err(|e| bad(e.to_string()))?;
                let cp = Checkpoint::from_text(text, origin).map_err(|e| bad(e.to_string()))?;
                latest.insert(origin.clone(), cp);
            }
        }
        Ok(Self {
            signer,
            logs,
            kept,
            latest: Mutex::new(latest),
        })
    }

    pub fn verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// The size this witness last cosigned of `origin` (0 if never).
    pub fn cosigned_size(&self, origin: &str) -> u64 {
        let latest = self.latest.lock().expect("witness lock");
        latest.get(origin).map_or(0, |c| c.size)
    }

    /// The last cosigned note of the log whose origin hashes to `hash`
    /// (the monitoring path `/<origin hash>/checkpoint`).
    pub fn cosigned_note(&self, hash: &str) -> Option<String> {
        let origin = self.logs.keys().find(|o| origin_hash(o) == hash)?;
        self.kept.get(origin).ok().flatten()
    }

    /// Handles an `add-checkpoint` body at time `now` (seconds since the
    /// epoch): the cosignature line, once the new checkpoint is kept.
    pub fn add_checkpoint(&self, body: &str, now: u64) -> Result<String, Refusal> {
        let req = AddCheckpoint::parse(body).map_err(Refusal::Malformed)?;
        let (origin, text, cp) = self.open_checkpoint(&req.checkpoint)?;
        if req.old_size > cp.size {
            return Err(Refusal::OldSizeAhead {
                old: req.old_size,
                size: cp.size,
            });
        }
        let mut latest = self.latest.lock().expect("witness lock");
        let known = latest.get(origin).copied();
        check_consistent(known, &req, &cp)?;
        let line = cosignature::cosign(&self.signer, text, now)
            .map_err(|e| Refusal::Storage(e.to_string()))?;
        let note = cosignature::attach(&req.checkpoint, &line);
        self.kept
            .keep(origin, &note)
            .map_err(|e| Refusal::Storage(e.to_string()))?;
        latest.insert(origin.to_string(), cp);
        Ok(line)
    }

    /// The origin, text and checkpoint of `note`, if a trusted key signed it.
    fn open_checkpoint<'a>(
        &self,
        note: &'a str,
    ) -> Result<(&'a str, &'a str, Checkpoint), Refusal> {
        let (text, _) = split_note(note).map_err(|e| Refusal::Malformed(e.to_string()))?;
        let origin = text.split('\n').next().unwrap_or_default();
        let keys = self
            .logs
            .get(origin)
            .ok_or_else(|| Refusal::UnknownLog(origin.into()))?;
        let not_signed = |e: NoteError| Refusal::NotSigned {
            origin: origin.into(),
            reason: e.to_string(),
        };
        let mut refusal = None;
        for key in keys {
            match Checkpoint::open(note, key) {
                Ok(cp) => return Ok((origin, text, cp)),
                Err(e @ NoteError::Malformed(_)) => {
                    return Err(Refusal::Malformed(e.to_string()));
                }
                // A matching key whose signature fails: the note is malformed
                // per signed-note, and refused whatever other keys say.
                Err(e @ NoteError::BadSignature(_)) => return Err(not_signed(e)),
                Err(e) => refusal = Some(not_signed(e)),
            }
        }
        Err(refusal.expect("a known log has at least one key"))
    }
}

/// Whether `cp` may be cosigned after `known` (the last cosigned), given
/// the request's old size and proof.
fn check_consistent(
    known: Option<Checkpoint>,
    req: &AddCheckpoint,
    cp: &Checkpoint,
) -> Result<(), Refusal> {
    let known_size = known.map_or(0, |k| k.size);
    if req.old_size != known_size {
        return Err(Refusal::WrongOldSize {
            old: req.old_size,
            known: known_size,
        });
    }
    if cp.size == 0 && cp.root != empty_tree_hash() {
        return Err(Refusal::EmptyTreeRoot);
    }
    let Some(known) = known.filter(|k| k.size > 0) else {
        return match req.proof.is_empty() {
            true => Ok(()),
            false => Err(Refusal::ProofFromZero),
        };
    };
    if known.size == cp.size && known.root != cp.root {
        return Err(Refusal::Fork { size: cp.size });
    }
    verify_consistency(known.size, cp.size, &known.root, &cp.root, &req.proof).map_err(|reason| {
        Refusal::BadProof {
            old: known.size,
            size: cp.size,
            reason,
        }
    })
}

#[cfg(test)]
mod tests;
