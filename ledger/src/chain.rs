//! The hash chain: each record's `hash` covers the previous record's hash and
//! the record's canonical bytes (ledger-format.md):
//!
//! ```text
//! hash = SHA-256( bytes_of_hex(prev) || canonical(record without "hash") )
//! ```
//!
//! The canonical record has its keys in bytewise order: `event`, `prev`,
//! `recorded_at`, `seq`; [`record_hash`] feeds those bytes to SHA-256 without
//! building the JSON text first.

use crate::time::RecordedAt;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// A SHA-256 hash: a record's `hash` or `prev`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// `prev` of the first record, and the head of an empty ledger.
    pub const ZERO: Hash = Hash([0; 32]);

    /// The 64 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Writes the 64 lowercase hex characters into `out`.
    pub fn write_hex(&self, out: &mut [u8; 64]) {
        hex::encode_to_slice(self.0, out).expect("64 bytes hold 32 bytes of hex");
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A string is not 64 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not 64 lowercase hex characters")]
pub struct HashParseError(pub String);

impl FromStr for Hash {
    type Err = HashParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !ok {
            return Err(HashParseError(s.chars().take(80).collect()));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| HashParseError(s.to_string()))?;
        Ok(Hash(out))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        self.write_hex(&mut buf);
        f.write_str(std::str::from_utf8(&buf).expect("hex is ASCII"))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 64];
        self.write_hex(&mut buf);
        s.serialize_str(std::str::from_utf8(&buf).expect("hex is ASCII"))
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The hash of the record `{event, prev, recorded_at, seq}`.
pub fn record_hash(prev: &Hash, seq: u64, recorded_at: RecordedAt, event: &[u8]) -> Hash {
    let mut prev_hex = [0u8; 64];
    prev.write_hex(&mut prev_hex);
    let mut h = Sha256::new();
    h.update(prev.0);
    h.update(b"{\"event\":");
    h.update(event);
    h.update(b",\"prev\":\"");
    h.update(prev_hex);
    h.update(b"\",\"recorded_at\":\"");
    h.update(recorded_at.to_rfc3339_bytes());
    h.update(b"\",\"seq\":");
    h.update(itoa_u64(seq).as_bytes());
    h.update(b"}");
    Hash(h.finalize().into())
}

/// Decimal digits of `n` without allocating.
pub(crate) fn itoa_u64(n: u64) -> Digits {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    Digits { buf, start: i }
}

pub(crate) struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

/// SHA-256 of arbitrary bytes.
pub fn sha256(bytes: &[u8]) -> Hash {
    Hash(Sha256::digest(bytes).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_exactly_the_canonical_record_text() {
        let t = RecordedAt::from_micros(1_772_506_800_000_000);
        let event = br#"{"actor":"msit","call_id":"C1","occurred_at":"2026-03-02T09:00:00+09:00","type":"CallClosed"}"#;
        let text = format!(
            "{{\"event\":{},\"prev\":\"{}\",\"recorded_at\":\"{}\",\"seq\":{}}}",
            std::str::from_utf8(event).unwrap(),
            Hash::ZERO,
            t,
            1
        );
        let mut input = Hash::ZERO.0.to_vec();
        input.extend_from_slice(text.as_bytes());
        assert_eq!(record_hash(&Hash::ZERO, 1, t, event), sha256(&input));
    }

    #[test]
    fn hex_round_trips_and_refuses_uppercase() {
        let h = sha256(b"abc");
        assert_eq!(
            h.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.to_hex().parse::<Hash>().unwrap(), h);
        assert!(h.to_hex().to_uppercase().parse::<Hash>().is_err());
        assert!("00".parse::<Hash>().is_err());
    }

    #[test]
    fn digits() {
        for n in [0u64, 7, 10, 999, u64::MAX] {
            assert_eq!(itoa_u64(n).as_bytes(), n.to_string().as_bytes());
        }
    }
}
