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
//!
//! A witness's key is of another type (0x04, C2SP tlog-cosignature): the same
//! Ed25519 curve, but its signatures are timestamped cosignatures over a
//! different message ([`crate::cosignature`]), so that a log key can never be
//! mistaken for a witness key or the reverse.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// What a key signs, by its signature type byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// 0x01: plain Ed25519 note signatures (a log's checkpoints).
    Ed25519,
    /// 0x04: Ed25519 `cosignature/v1` (a witness's timestamped cosignatures).
    Cosignature,
}

impl KeyKind {
    pub fn type_byte(self) -> u8 {
        match self {
            KeyKind::Ed25519 => 0x01,
            KeyKind::Cosignature => 0x04,
        }
    }

    fn from_type_byte(b: u8) -> Option<Self> {
        match b {
            0x01 => Some(KeyKind::Ed25519),
            0x04 => Some(KeyKind::Cosignature),
            _ => None,
        }
    }
}
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

/// `SHA-256(name || "\n" || type || public key)[..4]`, big-endian.
pub fn key_id(name: &str, kind: KeyKind, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([kind.type_byte()]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A key that signs notes.
pub struct NoteSigner {
    name: String,
    kind: KeyKind,
    key: SigningKey,
}

/// A key's type byte and its 32 bytes, from `base64(type || key)`.
fn decode_key(b64: &str) -> Result<(KeyKind, [u8; 32]), &'static str> {
    let bytes = BASE64.decode(b64).map_err(|_| "the key is not base64")?;
    let (&kind, key) = bytes.split_first().ok_or("the key is empty")?;
    let kind = KeyKind::from_type_byte(kind)
        .ok_or("only Ed25519 keys (type 0x01, or 0x04 for a witness) are supported")?;
    let key = key.try_into().map_err(|_| "an Ed25519 key has 32 bytes")?;
    Ok((kind, key))
}

fn encode_key(kind: KeyKind, key: &[u8; 32]) -> String {
    let mut b = vec![kind.type_byte()];
    b.extend_from_slice(key);
    BASE64.encode(b)
}

impl NoteSigner {
    /// A new random key named `name` (for checkpoints, the log's origin).
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        Self::generate_kind(name, KeyKind::Ed25519)
    }

    /// A new random key of `kind` (a witness's is [`KeyKind::Cosignature`]).
    pub fn generate_kind(name: &str, kind: KeyKind) -> Result<Self, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadName(name.into()));
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| NoteError::BadPrivateKey(format!("no randomness: {e}")))?;
        Ok(Self {
            name: name.into(),
            kind,
            key: SigningKey::from_bytes(&seed),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The raw Ed25519 signature of `message` (for [`crate::cosignature`]).
    pub(crate) fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let bad = |m: &str| NoteError::BadPrivateKey(m.into());
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("it does not start with PRIVATE+KEY+"))?;
        let (name, id, key) =
            split_key(rest).ok_or_else(|| bad("it needs three '+'-separated parts"))?;
        let (kind, seed) = decode_key(key).map_err(bad)?;
        let signer = Self {
            name: name.into(),
            kind,
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
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.verifier().id,
            encode_key(self.kind, &self.key.to_bytes())
        )
    }

    pub fn verifier(&self) -> NoteVerifier {
        let public = self.key.verifying_key();
        NoteVerifier {
            name: self.name.clone(),
            kind: self.kind,
            id: key_id(&self.name, self.kind, public.as_bytes()),
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
        if self.kind != KeyKind::Ed25519 {
            return Err(NoteError::Malformed(format!(
                "the key {} is a witness key; it cosigns checkpoints and signs no notes",
                self.name
            )));
        }
        let sig = self.sign_bytes(text.as_bytes());
        Ok(format!("{text}\n{}", self.signature_line(&sig)))
    }

    /// `— <name> base64(key id || signature)\n`.
    pub(crate) fn signature_line(&self, signature: &[u8]) -> String {
        let mut b = self.verifier().id.to_be_bytes().to_vec();
        b.extend_from_slice(signature);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, BASE64.encode(b))
    }
}

/// A note's text (with its final newline) and its signature lines.
pub fn split_note(note: &str) -> Result<(&str, &str), NoteError> {
    let split = note
        .rfind("\n\n")
        .ok_or_else(|| NoteError::Malformed("no blank line before the signatures".into()))?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    if !sigs.ends_with('\n') {
        return Err(NoteError::Malformed(
            "the last signature line does not end with a newline".into(),
        ));
    }
    Ok((text, sigs))
}

fn split_key(s: &str) -> Option<(&str, &str, &str)> {
    let mut parts = s.splitn(3, '+');
    Some((parts.next()?, parts.next()?, parts.next()?))
}

/// A public key that checks notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    pub name: String,
    pub kind: KeyKind,
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
        let (kind, public) = decode_key(key).map_err(bad)?;
        let key =
            VerifyingKey::from_bytes(&public).map_err(|_| bad("not an Ed25519 public key"))?;
        let computed = key_id(name, kind, &public);
        if id.len() != 8 || u32::from_str_radix(id, 16).ok() != Some(computed) {
            return Err(bad("the key id does not match the key"));
        }
        Ok(Self {
            name: name.into(),
            kind,
            id: computed,
            key,
        })
    }

    pub fn to_text(&self) -> String {
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.id,
            encode_key(self.kind, self.key.as_bytes())
        )
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|sig| self.key.verify_strict(message, &sig).is_ok())
    }

    /// The text of `note` if this (log) key signed it.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let (text, raw) = self.signature_in(note)?;
        if self.kind != KeyKind::Ed25519 {
            return Err(NoteError::Malformed(format!(
                "the key {} is a witness key; check its cosignatures with the cosignature module",
                self.name
            )));
        }
        if self.verifies(text.as_bytes(), &raw) {
            Ok(text)
        } else {
            Err(NoteError::BadSignature(self.name.clone()))
        }
    }

    /// The text of `note` and the signature bytes (after the key id) of the
    /// line with this key's name and id; lines of other keys are ignored, as
    /// C2SP signed-note requires.
    pub(crate) fn signature_in<'a>(&self, note: &'a str) -> Result<(&'a str, Vec<u8>), NoteError> {
        let (text, sigs) = split_note(note)?;
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
            return Ok((text, raw[4..].to_vec()));
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
