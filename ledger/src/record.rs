//! A record: one accepted event, placed in the ledger (ledger-format.md).

use crate::chain::{Hash, itoa_u64, record_hash};
use crate::time::RecordedAt;
use bytes::Bytes;
use serde::Serialize;

/// One event as the ledger holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Position in the ledger, from 1, no gaps.
    pub seq: u64,
    pub recorded_at: RecordedAt,
    /// `hash` of record `seq - 1`; [`Hash::ZERO`] for seq 1.
    pub prev: Hash,
    pub hash: Hash,
    /// The event body's canonical JSON bytes.
    pub event: Bytes,
}

/// A record without its event: what an append acknowledges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RecordMeta {
    pub seq: u64,
    pub recorded_at: RecordedAt,
    pub prev: Hash,
    pub hash: Hash,
}

impl Record {
    pub fn meta(&self) -> RecordMeta {
        RecordMeta {
            seq: self.seq,
            recorded_at: self.recorded_at,
            prev: self.prev,
            hash: self.hash,
        }
    }

    /// The hash this record should have, computed from its other fields.
    pub fn computed_hash(&self) -> Hash {
        record_hash(&self.prev, self.seq, self.recorded_at, &self.event)
    }

    /// Appends `canonical(record)` and a newline: one line of an export.
    pub fn write_export_line(&self, out: &mut Vec<u8>) {
        self.write_json(out);
        out.push(b'\n');
    }

    /// Appends `canonical(record)`: the record as the API and exports carry
    /// it, the stored event bytes spliced in as they are.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut hex = [0u8; 64];
        out.extend_from_slice(b"{\"event\":");
        out.extend_from_slice(&self.event);
        out.extend_from_slice(b",\"hash\":\"");
        self.hash.write_hex(&mut hex);
        out.extend_from_slice(&hex);
        out.extend_from_slice(b"\",\"prev\":\"");
        self.prev.write_hex(&mut hex);
        out.extend_from_slice(&hex);
        out.extend_from_slice(b"\",\"recorded_at\":\"");
        out.extend_from_slice(&self.recorded_at.to_rfc3339_bytes());
        out.extend_from_slice(b"\",\"seq\":");
        out.extend_from_slice(itoa_u64(self.seq).as_bytes());
        out.push(b'}');
    }

    /// [`Record::write_json`] as a string.
    pub fn json_string(&self) -> String {
        let mut out = Vec::with_capacity(self.event.len() + 200);
        self.write_json(&mut out);
        String::from_utf8(out).expect("records are UTF-8 JSON")
    }

    /// The record as a JSON value (what EventStoreDB carries).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.json_string()).unwrap_or(serde_json::Value::Null)
    }
}

/// Canonical event bodies laid end to end: one allocation for a whole batch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventBatch {
    data: Vec<u8>,
    ends: Vec<u32>,
}

impl EventBatch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(events: usize, bytes: usize) -> Self {
        Self {
            data: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(events),
        }
    }

    /// Adds one event's canonical bytes.
    pub fn push(&mut self, event: &[u8]) {
        self.data.extend_from_slice(event);
        self.ends.push(self.data.len() as u32);
    }

    /// Adds one event whose canonical bytes `write` appends to the buffer.
    pub fn push_with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.data);
        self.ends.push(self.data.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of all events together.
    pub fn byte_len(&self) -> usize {
        self.data.len()
    }

    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.data[start..self.ends[i] as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.get(i))
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }
}

impl<'a> FromIterator<&'a [u8]> for EventBatch {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(iter: I) -> Self {
        let mut b = EventBatch::new();
        for e in iter {
            b.push(e);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::is_canonical;

    #[test]
    fn an_export_line_is_the_canonical_record() {
        let r = Record {
            seq: 12,
            recorded_at: RecordedAt::from_micros(1_772_506_800_000_001),
            prev: crate::chain::sha256(b"p"),
            hash: crate::chain::sha256(b"h"),
            event: Bytes::from_static(br#"{"actor":"msit","call_id":"C1","occurred_at":"2026-03-02T09:00:00+09:00","type":"CallClosed"}"#),
        };
        let mut line = Vec::new();
        r.write_export_line(&mut line);
        assert_eq!(line.last(), Some(&b'\n'));
        assert!(is_canonical(&line[..line.len() - 1]));
        let value = r.to_json();
        assert_eq!(value["seq"], 12);
        assert_eq!(value["event"]["type"], "CallClosed");
        assert_eq!(r.json_string().as_bytes(), &line[..line.len() - 1]);
    }

    #[test]
    fn a_batch_keeps_event_boundaries() {
        let mut b = EventBatch::new();
        b.push(b"{}");
        b.push_with(|out| out.extend_from_slice(b"{\"a\":1}"));
        assert_eq!(
            b.iter().collect::<Vec<_>>(),
            vec![&b"{}"[..], &b"{\"a\":1}"[..]]
        );
    }
}
