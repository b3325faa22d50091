//! C2SP signed notes with Ed25519: how a checkpoint is signed, and how
//! anyone holding the public key checks it.
//!
//! ```text
//! <text, ending in a newline>
//! <blank line>
//! — <key name> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>
//! ```
//!
//! The signature covers the text including its final newline. A key's id is
//! the first four bytes of `SHA-256(name || "\n" || 0x01 || public key)`.
//! Keys travel as text: the verifier key `<name>+<8 hex key id>+<base64(0x01
//! || public key)>`, and the private key `PRIVATE+KEY+<name>+<8 hex key
//! id>+<base64(0x01 || seed)>`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in signed notes.
const ED25519: u8 = 0x01;
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Why a key or note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("key name {0:?} is not valid (non-empty, no spaces, no '+')")]
    BadName(String),
    #[error("not a verifier key of the form <name>+<8 hex key id>+<base64 key>: {0}")]
    BadVerifierKey(String),
    #[error("not a private key of the form PRIVATE+KEY+<name>+<8 hex key id>+<base64 key>: {0}")]
    BadPrivateKey(String),
    #[error("not a signed note: {0}")]
    Malformed(String),
    #[error("the note has no signature by key {name} (id {id:08x})")]
    NotSignedByKey { name: String, id: u32 },
    #[error(
        "the signature by key {0} does not match the note's text: the note was altered or signed by another key"
    )]
    BadSignature(String),
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// `SHA-256(name || "\n" || 0x01 || public key)[..4]`, big-endian.
pub fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A key that signs notes.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl NoteSigner {
    /// A new random key named `name` (for checkpoints, the log's origin).
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadName(name.into()));
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| NoteError::BadPrivateKey(format!("no randomness: {e}")))?;
        Ok(Self {
            name: name.into(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let bad = |m: &str| NoteError::BadPrivateKey(m.into());
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("it does not start with PRIVATE+KEY+"))?;
        let (name, id, key) =
            split_key(rest).ok_or_else(|| bad("it needs three '+'-separated parts"))?;
        let bytes = BASE64
            .decode(key)
            .map_err(|_| bad("the key is not base64"))?;
        let seed: [u8; 32] = match bytes.as_slice() {
            [ED25519, seed @ ..] => seed
                .try_into()
                .map_err(|_| bad("an Ed25519 key has 32 bytes"))?,
            _ => return Err(bad("only Ed25519 keys (type 0x01) are supported")),
        };
        let signer = Self {
            name: name.into(),
            key: SigningKey::from_bytes(&seed),
        };
        if !valid_name(name) {
            return Err(NoteError::BadName(name.into()));
        }
        if format!("{:08x}", signer.verifier().id) != id {
            return Err(bad("the key id does not match the key"));
        }
        Ok(signer)
    }

    pub fn to_private_text(&self) -> String {
        let mut b = vec![ED25519];
        b.extend_from_slice(&self.key.to_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.verifier().id,
            BASE64.encode(b)
        )
    }

    pub fn verifier(&self) -> NoteVerifier {
        let public = self.key.verifying_key();
        NoteVerifier {
            name: self.name.clone(),
            id: key_id(&self.name, public.as_bytes()),
            key: public,
        }
    }

    /// Signs `text` (which must end with a newline): the whole signed note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') || text.contains("\n\n") {
            return Err(NoteError::Malformed(
                "the text must end with a newline and hold no blank line".into(),
            ));
        }
        let sig = self.key.sign(text.as_bytes());
        let mut b = self.verifier().id.to_be_bytes().to_vec();
        b.extend_from_slice(&sig.to_bytes());
        Ok(format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            BASE64.encode(b)
        ))
    }
}

fn split_key(s: &str) -> Option<(&str, &str, &str)> {
    let mut parts = s.splitn(3, '+');
    Some((parts.next()?, parts.next()?, parts.next()?))
}

/// A public key that checks notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    pub name: String,
    pub id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let text = text.trim();
        let bad = |m: &str| NoteError::BadVerifierKey(m.into());
        let (name, id, key) =
            split_key(text).ok_or_else(|| bad("it needs three '+'-separated parts"))?;
        if !valid_name(name) {
            return Err(NoteError::BadName(name.into()));
        }
        let bytes = BASE64
            .decode(key)
            .map_err(|_| bad("the key is not base64"))?;
        let public: [u8; 32] = match bytes.as_slice() {
            [ED25519, public @ ..] => public
                .try_into()
                .map_err(|_| bad("an Ed25519 key has 32 bytes"))?,
            _ => return Err(bad("only Ed25519 keys (type 0x01) are supported")),
        };
        let key =
            VerifyingKey::from_bytes(&public).map_err(|_| bad("not an Ed25519 public key"))?;
        let computed = key_id(name, &public);
        if id.len() != 8 || u32::from_str_radix(id, 16).ok() != Some(computed) {
            return Err(bad("the key id does not match the key"));
        }
        Ok(Self {
            name: name.into(),
            id: computed,
            key,
        })
    }

    pub fn to_text(&self) -> String {
        let mut b = vec![ED25519];
        b.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, BASE64.encode(b))
    }

    /// The text of `note` if this key signed it.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| NoteError::Malformed("no blank line before the signatures".into()))?;
        let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
        if !sigs.ends_with('\n') {
            return Err(NoteError::Malformed(
                "the last signature line does not end with a newline".into(),
            ));
        }
        for line in sigs.lines() {
            let rest = line
                .strip_prefix(SIGNATURE_PREFIX)
                .ok_or_else(|| NoteError::Malformed(format!("{line:?} is not a signature line")))?;
            let (name, b64) = rest
                .split_once(' ')
                .ok_or_else(|| NoteError::Malformed(format!("{line:?} is not a signature line")))?;
            let raw = BASE64.decode(b64).map_err(|_| {
                NoteError::Malformed(format!("the signature of {name} is not base64"))
            })?;
            if raw.len() < 5 {
                return Err(NoteError::Malformed(format!(
                    "the signature of {name} is too short"
                )));
            }
            let id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
            if name != self.name || id != self.id {
                continue;
            }
            let sig = ed25519_dalek::Signature::from_slice(&raw[4..])
                .map_err(|_| NoteError::BadSignature(name.into()))?;
            return self
                .key
                .verify_strict(text.as_bytes(), &sig)
                .map(|_| text)
                .map_err(|_| NoteError::BadSignature(name.into()));
        }
        Err(NoteError::NotSignedByKey {
            name: self.name.clone(),
            id: self.id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_opens_and_keys_round_trip_as_text() {
        let signer = NoteSigner::generate("gpu-ledger.example/msit").unwrap();
        let note = signer.sign("hello\nworld\n").unwrap();
        assert!(note.starts_with("hello\nworld\n\n\u{2014} gpu-ledger.example/msit "));
        let verifier = NoteVerifier::parse(&signer.verifier().to_text()).unwrap();
        assert_eq!(verifier.open(&note).unwrap(), "hello\nworld\n");
        let again = NoteSigner::parse(&signer.to_private_text()).unwrap();
        assert_eq!(again.verifier(), signer.verifier());
    }

    #[test]
    fn an_edited_note_or_another_key_is_refused() {
        let signer = NoteSigner::generate("log").unwrap();
        let other = NoteSigner::generate("log").unwrap();
        let note = signer.sign("size 10\n").unwrap();
        let edited = note.replacen("10", "11", 1);
        assert!(matches!(
            signer.verifier().open(&edited),
            Err(NoteError::BadSignature(_))
        ));
        assert!(matches!(
            other.verifier().open(&note),
            Err(NoteError::NotSignedByKey { .. })
        ));
        assert!(NoteSigner::generate("has space").is_err());
        assert!(NoteVerifier::parse("log+00000000+AQ==").is_err());
    }
}
