//! A proof bundle (C2SP tlog-proof): one file an applicant keeps that
//! proves, offline and to anyone holding the ledger's and the witnesses'
//! public keys, that a record is in the ledger the witnesses saw.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64 of the record, one export line (ledger-format.md)>
//! index <the record's leaf index: seq - 1>
//! <base64 inclusion proof hash, one per line>
//! <blank line>
//! <the cosigned checkpoint, verbatim>
//! ```
//!
//! The spec leaves the leaf to the application: here the leaf is the
//! record's hash, which [`check`] recomputes from the record's content, so
//! the `extra` line is not trusted but checked.

use crate::chain::Hash;
use crate::checkpoint::{Checkpoint, hash_base64, parse_decimal, parse_hash};
use crate::cosignature::{self, CosignatureError};
use crate::export::parse_export_line;
use crate::merkle::{ProofError, leaf_hash, verify_inclusion};
use crate::note::{NoteError, NoteVerifier};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// The first line of every bundle.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A bundle's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofBundle {
    /// The record as one export line, without its newline.
    pub record: Vec<u8>,
    /// The leaf index (the record's seq - 1).
    pub index: u64,
    pub proof: Vec<Hash>,
    /// The checkpoint note with its signature and cosignatures.
    pub checkpoint: String,
}

/// Why a bundle does not hold; each names the part that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("the bundle is not UTF-8 text")]
    NotText,
    #[error("the first line is not {HEADER:?}")]
    Header,
    #[error("the extra line (the record) is not `extra <base64>`")]
    Extra,
    #[error("the index line is not `index <decimal>`")]
    Index,
    #[error("inclusion proof line {0} is not a base64 SHA-256 hash")]
    ProofLine(usize),
    #[error("there is no blank line between the inclusion proof and the checkpoint")]
    NoCheckpoint,
    #[error("the record: {0}")]
    Record(String),
    #[error("the checkpoint: {0}")]
    Checkpoint(NoteError),
    #[error("the cosignature of witness {witness}: {reason}")]
    Cosignature {
        witness: String,
        reason: CosignatureError,
    },
    #[error("only {have} of the {need} witness cosignatures required are present and valid")]
    Quorum { have: usize, need: usize },
    #[error("the inclusion proof of index {index} in the checkpoint's tree: {reason}")]
    Inclusion { index: u64, reason: ProofError },
}

/// What a checker trusts: the ledger's key, the witnesses', how many must cosign.
pub struct Policy {
    pub log: NoteVerifier,
    pub witnesses: Vec<NoteVerifier>,
    pub quorum: usize,
}

/// What a bundle that holds proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub seq: u64,
    pub record_hash: Hash,
    pub checkpoint: Checkpoint,
    /// The witnesses that cosigned, with the time each did.
    pub cosigners: Vec<(String, u64)>,
}

impl ProofBundle {
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{HEADER}\nextra {}\nindex {}\n",
            BASE64.encode(&self.record),
            self.index
        );
        for h in &self.proof {
            text.push_str(&hash_base64(h));
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&self.checkpoint);
        text
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, BundleError> {
        let text = std::str::from_utf8(bytes).map_err(|_| BundleError::NotText)?;
        let (head, checkpoint) = text.split_once("\n\n").ok_or(BundleError::NoCheckpoint)?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(BundleError::Header);
        }
        let record = lines
            .next()
            .and_then(|l| l.strip_prefix("extra "))
            .and_then(|b| BASE64.decode(b).ok())
            .ok_or(BundleError::Extra)?;
        let index = lines
            .next()
            .and_then(|l| l.strip_prefix("index "))
            .and_then(parse_decimal)
            .ok_or(BundleError::Index)?;
        let proof = lines
            .enumerate()
            .map(|(i, l)| parse_hash(l).ok_or(BundleError::ProofLine(i + 1)))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            record,
            index,
            proof,
            checkpoint: checkpoint.to_string(),
        })
    }
}

/// Checks a bundle against `policy`, with nothing else: the ledger's
/// signature, every trusted witness's cosignature present (a present one
/// that fails is an error, not merely uncounted), the quorum, the record's
/// own hash, and its inclusion under the checkpoint's root.
pub fn check(bytes: &[u8], policy: &Policy) -> Result<Checked, BundleError> {
    let bundle = ProofBundle::parse(bytes)?;
    let cp = Checkpoint::open(&bundle.checkpoint, &policy.log).map_err(BundleError::Checkpoint)?;
    let mut cosigners = Vec::new();
    for w in &policy.witnesses {
        match cosignature::verify(w, &bundle.checkpoint) {
            Ok(time) => cosigners.push((w.name.clone(), time)),
            Err(CosignatureError::Note(NoteError::NotSignedByKey { .. })) => {}
            Err(reason) => {
                return Err(BundleError::Cosignature {
                    witness: w.name.clone(),
                    reason,
                });
            }
        }
    }
    if cosigners.len() < policy.quorum {
        return Err(BundleError::Quorum {
            have: cosigners.len(),
            need: policy.quorum,
        });
    }
    let record =
        parse_export_line(&bundle.record).map_err(|e| BundleError::Record(e.to_string()))?;
    if record.computed_hash() != record.hash {
        return Err(BundleError::Record(format!(
            "its content hashes to {}, not to its stated hash {}: it was altered",
            record.computed_hash(),
            record.hash
        )));
    }
    if record.seq != bundle.index + 1 {
        return Err(BundleError::Record(format!(
            "it is seq {}, but the proof is for index {} (seq {})",
            record.seq,
            bundle.index,
            bundle.index + 1
        )));
    }
    verify_inclusion(
        bundle.index,
        cp.size,
        &leaf_hash(&record.hash.0),
        &bundle.proof,
        &cp.root,
    )
    .map_err(|reason| BundleError::Inclusion {
        index: bundle.index,
        reason,
    })?;
    Ok(Checked {
        seq: record.seq,
        record_hash: record.hash,
        checkpoint: cp,
        cosigners,
    })
}
