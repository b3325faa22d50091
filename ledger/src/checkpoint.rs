//! Signed checkpoints (C2SP `tlog-checkpoint`): the ledger's size and Merkle
//! root, signed by its operator. Published, they pin history: a later
//! checkpoint that is not consistent with an earlier one proves a rewrite.
//!
//! ```text
//! <origin>
//! <tree size>
//! <base64 root hash>
//! ```
//!
//! signed as a note ([`crate::note`]). Issued checkpoints are kept as
//! `checkpoints/<size>.note` beside the ledger, with the verifier key in
//! `checkpoints/verifier.key`.

use crate::chain::Hash;
use crate::note::{NoteError, NoteSigner, NoteVerifier};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::path::{Path, PathBuf};

/// What a checkpoint states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The checkpoint's text, to be signed.
    pub fn body(&self, origin: &str) -> String {
        format!("{origin}\n{}\n{}\n", self.size, BASE64.encode(self.root.0))
    }

    pub fn sign(&self, signer: &NoteSigner) -> Result<String, NoteError> {
        signer.sign(&self.body(signer.name()))
    }

    /// The checkpoint in `note`, if `verifier` signed it for its own origin.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Self, NoteError> {
        Self::from_text(verifier.open(note)?, &verifier.name)
    }

    /// The checkpoint a note's text states, if its origin is `origin`
    /// (the signature is checked elsewhere).
    pub fn from_text(text: &str, origin: &str) -> Result<Self, NoteError> {
        let mut lines = text.lines();
        let bad = |m: &str| NoteError::Malformed(format!("not a checkpoint: {m}"));
        let first = lines.next().ok_or_else(|| bad("no origin line"))?;
        if first != origin {
            return Err(bad(&format!(
                "its origin {first:?} is not the key's name {origin:?}"
            )));
        }
        let size = lines
            .next()
            .and_then(parse_decimal)
            .ok_or_else(|| bad("the second line is not a tree size"))?;
        let root = lines
            .next()
            .and_then(parse_hash)
            .ok_or_else(|| bad("the third line is not a base64 SHA-256 root hash"))?;
        Ok(Self { size, root })
    }
}

/// A decimal without sign or leading zeros, as C2SP requires of sizes.
pub fn parse_decimal(s: &str) -> Option<u64> {
    let canonical = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

/// One SHA-256 hash in standard base64 (canonical: no stray bits).
pub fn parse_hash(s: &str) -> Option<Hash> {
    let bytes = BASE64.decode(s).ok()?;
    Some(Hash(bytes.try_into().ok()?))
}

/// A hash in standard base64, as checkpoints and proofs carry it.
pub fn hash_base64(h: &Hash) -> String {
    BASE64.encode(h.0)
}

/// Where issued checkpoints are kept.
pub struct CheckpointDir {
    dir: PathBuf,
}

impl CheckpointDir {
    pub fn new(state_dir: &Path) -> Self {
        Self {
            dir: state_dir.join("checkpoints"),
        }
    }

    /// Keeps a signed checkpoint and the key that checks it.
    pub fn keep(&self, size: u64, note: &str, verifier: &NoteVerifier) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(format!("{size}.note"));
        let tmp = self.dir.join(format!("{size}.note.tmp"));
        std::fs::write(&tmp, note)?;
        std::fs::rename(&tmp, &path)?;
        std::fs::write(
            self.dir.join("verifier.key"),
            format!("{}\n", verifier.to_text()),
        )?;
        Ok(path)
    }

    /// Sizes of the kept checkpoints, ascending.
    pub fn sizes(&self) -> Vec<u64> {
        let mut sizes: Vec<u64> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| {
                    e.ok()?
                        .file_name()
                        .to_str()?
                        .strip_suffix(".note")?
                        .parse()
                        .ok()
                })
                .collect()
            })
            .unwrap_or_default();
        sizes.sort_unstable();
        sizes
    }

    pub fn get(&self, size: u64) -> Option<String> {
        std::fs::read_to_string(self.dir.join(format!("{size}.note"))).ok()
    }

    pub fn latest(&self) -> Option<(u64, String)> {
        let size = *self.sizes().last()?;
        Some((size, self.get(size)?))
    }

    /// The verifier key kept beside the checkpoints.
    pub fn verifier(&self) -> Option<NoteVerifier> {
        let text = std::fs::read_to_string(self.dir.join("verifier.key")).ok()?;
        NoteVerifier::parse(&text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_round_trips_and_an_edit_of_one_character_fails() {
        let signer = NoteSigner::generate("ledger.msit.go.kr/gpu").unwrap();
        let cp = Checkpoint {
            size: 5416,
            root: crate::chain::sha256(b"root"),
        };
        let note = cp.sign(&signer).unwrap();
        assert!(note.starts_with("ledger.msit.go.kr/gpu\n5416\n"));
        assert_eq!(Checkpoint::open(&note, &signer.verifier()).unwrap(), cp);
        for (i, c) in note.char_indices() {
            if c == '\n' || i >= note.find("\n\n").unwrap() {
                continue;
            }
            let mut edited = note.clone();
            let other = if c == 'a' { "b" } else { "a" };
            edited.replace_range(i..i + c.len_utf8(), other);
            assert!(
                Checkpoint::open(&edited, &signer.verifier()).is_err(),
                "edit at {i} accepted"
            );
        }
        let stranger = NoteSigner::generate("ledger.msit.go.kr/gpu").unwrap();
        assert!(Checkpoint::open(&note, &stranger.verifier()).is_err());
    }
}
