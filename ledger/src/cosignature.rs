//! Witness cosignatures (C2SP tlog-cosignature, Ed25519 `cosignature/v1`):
//! a witness's timestamped statement that a checkpoint is the largest
//! consistent tree it has seen of that log. A note signature line whose
//! bytes are `key id || timestamp (u64, big-endian) || Ed25519 signature` over
//!
//! ```text
//! cosignature/v1
//! time <timestamp>
//! <the checkpoint's text, with its final newline>
//! ```
//!
//! The key is a [`KeyKind::Cosignature`] key (type byte 0x04), so a log key
//! and a witness key never check each other's signatures.

use crate::note::{KeyKind, NoteError, NoteSigner, NoteVerifier};

/// The message a witness signs: the header, the time line, the checkpoint text.
pub fn signed_message(timestamp: u64, checkpoint_text: &str) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{checkpoint_text}")
}

/// Why a cosignature does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    #[error("{0}")]
    Note(#[from] NoteError),
    #[error("the key {0} is a log key, not a witness key (type 0x04)")]
    NotAWitnessKey(String),
    #[error("the cosignature of {0} is not 8 bytes of timestamp and 64 of signature")]
    WrongLength(String),
    #[error("the cosignature of {0} has timestamp 0, which C2SP tlog-witness forbids")]
    NoTimestamp(String),
    #[error(
        "the cosignature of {0} does not match the checkpoint: it was altered or made for another"
    )]
    BadSignature(String),
}

/// The cosignature line of `signer` on the checkpoint text `text` at `timestamp`
/// (seconds since the epoch, not zero).
pub fn cosign(signer: &NoteSigner, text: &str, timestamp: u64) -> Result<String, CosignatureError> {
    if signer.kind() != KeyKind::Cosignature {
        return Err(CosignatureError::NotAWitnessKey(signer.name().into()));
    }
    if timestamp == 0 {
        return Err(CosignatureError::NoTimestamp(signer.name().into()));
    }
    let signature = signer.sign_bytes(signed_message(timestamp, text).as_bytes());
    let mut bytes = timestamp.to_be_bytes().to_vec();
    bytes.extend_from_slice(&signature);
    Ok(signer.signature_line(&bytes))
}

/// The timestamp of `witness`'s cosignature in `note`, if it holds.
pub fn verify(witness: &NoteVerifier, note: &str) -> Result<u64, CosignatureError> {
    if witness.kind != KeyKind::Cosignature {
        return Err(CosignatureError::NotAWitnessKey(witness.name.clone()));
    }
    let (text, raw) = witness.signature_in(note)?;
    let Some((time, signature)) = raw.split_first_chunk::<8>() else {
        return Err(CosignatureError::WrongLength(witness.name.clone()));
    };
    if signature.len() != 64 {
        return Err(CosignatureError::WrongLength(witness.name.clone()));
    }
    let timestamp = u64::from_be_bytes(*time);
    if timestamp == 0 {
        return Err(CosignatureError::NoTimestamp(witness.name.clone()));
    }
    if witness.verifies(signed_message(timestamp, text).as_bytes(), signature) {
        Ok(timestamp)
    } else {
        Err(CosignatureError::BadSignature(witness.name.clone()))
    }
}

/// `note` with `lines` (signature lines, each ending in a newline) added
/// after its own: how a log attaches the cosignatures it received.
pub fn attach(note: &str, lines: &str) -> String {
    format!("{note}{lines}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;

    fn checkpoint_note() -> (NoteSigner, String) {
        let log = NoteSigner::generate("log.example/gpu").unwrap();
        let cp = Checkpoint {
            size: 7,
            root: crate::chain::sha256(b"root"),
        };
        let note = cp.sign(&log).unwrap();
        (log, note)
    }

    #[test]
    fn a_cosignature_checks_and_commits_to_its_time_and_the_checkpoint() {
        let (log, note) = checkpoint_note();
        let witness =
            NoteSigner::generate_kind("witness.example/w1", KeyKind::Cosignature).unwrap();
        let text = log.verifier().open(&note).unwrap().to_string();
        let line = cosign(&witness, &text, 1_700_000_000).unwrap();
        let cosigned = attach(&note, &line);
        assert_eq!(verify(&witness.verifier(), &cosigned), Ok(1_700_000_000));
        // The log's own signature still checks with the cosignature added.
        assert!(log.verifier().open(&cosigned).is_ok());
        // Another checkpoint text, or the line moved onto it, fails.
        let other = attach(&note.replacen("\n7\n", "\n8\n", 1), &line);
        assert!(matches!(
            verify(&witness.verifier(), &other),
            Err(CosignatureError::BadSignature(_))
        ));
        // A log key can neither cosign nor be checked as a witness.
        assert!(cosign(&log, &text, 1).is_err());
        assert!(verify(&log.verifier(), &cosigned).is_err());
        assert!(witness.sign(&text).is_err());
    }

    #[test]
    fn a_witness_key_round_trips_as_text_with_type_0x04() {
        let witness =
            NoteSigner::generate_kind("witness.example/w1", KeyKind::Cosignature).unwrap();
        let vkey = witness.verifier().to_text();
        let parsed = NoteVerifier::parse(&vkey).unwrap();
        assert_eq!(parsed.kind, KeyKind::Cosignature);
        assert_eq!(parsed, witness.verifier());
        let again = NoteSigner::parse(&witness.to_private_text()).unwrap();
        assert_eq!(again.verifier(), witness.verifier());
    }
}
