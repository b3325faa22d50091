//! A record as an EventStoreDB event, and back.
//!
//! - event type: the event body's `type` (`CallOpened`, `AwardGranted`, ...),
//!   so the server's own tools can filter by it;
//! - data: the canonical record, exactly one line of an export without its
//!   newline (`{"event":...,"hash":...,"prev":...,"recorded_at":...,"seq":N}`),
//!   so what the server holds verifies with nothing but ledger-format.md;
//! - event id: random, one per record of one write attempt ([`attempt_id`]),
//!   kept when that attempt is sent again after a lost answer, so that the
//!   server recognises the resend as the same write, not a second one.
//!
//! The id is deliberately not derived from the record: two API servers at
//! the same head can build byte-identical records (same body, `recorded_at`
//! clamped to the head's time), and with ids from the hash the server would
//! take the second writer's append for an idempotent retry of the first and
//! acknowledge both, one record for two `201`s. With an id per attempt the
//! second is a wrong expected version, and its writer chains after the first.
//!
//! Reading back, an event is believed only if its data, its type and its
//! place in the stream agree (its id says who wrote it, not what it holds).

use crate::export::parse_export_line;
use crate::record::Record;
use bytes::Bytes;
use eventstore::{EventData, RecordedEvent, ResolvedEvent};
use serde::Deserialize;
use uuid::Uuid;

use super::revision::seq_of;

/// A fresh event id for one record of one write attempt: a random
/// (version 4) UUID, from the operating system's generator.
pub fn attempt_id() -> Uuid {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random generator");
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Why an event body cannot be stored, or a stored event is not a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MappingError(pub String);

/// The body's `type`: the EventStoreDB event type.
pub fn event_type(event: &[u8]) -> Result<String, MappingError> {
    #[derive(Deserialize)]
    struct Typed {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    let typed: Typed = serde_json::from_slice(event)
        .map_err(|e| MappingError(format!("the event body is not a JSON object: {e}")))?;
    match typed.kind {
        Some(kind) if !kind.is_empty() => Ok(kind),
        _ => Err(MappingError(
            "the event body has no \"type\", which EventStoreDB needs as the event type".into(),
        )),
    }
}

/// What is sent to the server for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventParts {
    pub id: Uuid,
    pub event_type: String,
    /// The canonical record.
    pub data: Bytes,
}

impl EventParts {
    /// The parts of `record`'s event, sent with event id `id`.
    pub fn of(record: &Record, id: Uuid) -> Result<Self, MappingError> {
        let mut line = Vec::with_capacity(record.event.len() + 256);
        record.write_export_line(&mut line);
        line.pop();
        Ok(Self {
            id,
            event_type: event_type(&record.event)?,
            data: Bytes::from(line),
        })
    }

    /// The `eventstore` event, marked as JSON so the server's UI and
    /// projections can read it.
    pub fn into_event_data(self) -> EventData {
        let text = String::from_utf8(self.data.to_vec()).expect("canonical JSON is UTF-8");
        let raw = serde_json::value::RawValue::from_string(text).expect("canonical JSON parses");
        EventData::json(self.event_type, &raw)
            .expect("a raw JSON value serialises")
            .id(self.id)
    }
}

/// The record a stream event carries, checked against the event's place in
/// the stream: canonical record data, `seq` one past the revision, the body's
/// type as event type, and the hash its content gives. Links to other records are checked by [`crate::cursor`].
pub fn record_of(event: &RecordedEvent) -> Result<Record, MappingError> {
    let bad = |m: String| MappingError(format!("stream revision {}: {m}", event.revision));
    let record = parse_export_line(&event.data).map_err(|e| bad(e.0))?;
    let place = seq_of(event.revision);
    if record.seq != place {
        return Err(bad(format!(
            "the record says seq {} but stands where seq {place} belongs",
            record.seq
        )));
    }
    let computed = record.computed_hash();
    if computed != record.hash {
        return Err(bad(format!(
            "hash mismatch: stored {}, computed {computed}",
            record.hash
        )));
    }
    let kind = event_type(&record.event).map_err(|e| bad(e.0))?;
    if kind != event.event_type {
        return Err(bad(format!(
            "event type {:?} but the event's type is {kind:?}",
            event.event_type
        )));
    }
    Ok(record)
}

/// The record of an event read from the ledger's stream (links are not
/// followed, so the event is always there).
pub fn record_of_resolved(event: &ResolvedEvent) -> Result<Record, MappingError> {
    match &event.event {
        Some(e) => record_of(e),
        None => Err(MappingError("a link event with nothing behind it".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{Hash, record_hash};
    use crate::time::RecordedAt;
    use std::collections::HashMap;

    const BODY: &[u8] = br#"{"actor":"msit","call_id":"C1","occurred_at":"2026-03-02T09:00:00+09:00","type":"CallClosed"}"#;

    fn record(seq: u64, prev: Hash, event: &[u8]) -> Record {
        let recorded_at = RecordedAt::from_micros(1_772_506_800_000_000 + seq as i64);
        Record {
            seq,
            recorded_at,
            prev,
            hash: record_hash(&prev, seq, recorded_at, event),
            event: Bytes::copy_from_slice(event),
        }
    }

    /// What the server would give back for `parts` written at `revision`.
    fn stored(parts: &EventParts, revision: u64) -> RecordedEvent {
        RecordedEvent {
            stream_id: "gpu-ledger".into(),
            id: parts.id,
            revision,
            event_type: parts.event_type.clone(),
            data: parts.data.clone(),
            metadata: HashMap::new(),
            custom_metadata: Bytes::new(),
            is_json: true,
            position: eventstore::Position::start(),
            created: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn attempt_ids_are_random_version_4_uuids() {
        let ids: std::collections::HashSet<Uuid> = (0..1000).map(|_| attempt_id()).collect();
        assert_eq!(ids.len(), 1000, "no two alike");
        for id in ids.iter().take(10) {
            assert_eq!(id.get_version_num(), 4);
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        }
    }

    #[test]
    fn byte_identical_records_sent_twice_get_different_ids() {
        // Two servers at the same head build the same record...
        let r = record(4, crate::chain::sha256(b"head"), BODY);
        let (a, b) = (
            EventParts::of(&r, attempt_id()).unwrap(),
            EventParts::of(&r, attempt_id()).unwrap(),
        );
        assert_eq!(a.data, b.data);
        // ...but their appends are two writes to the server, not one.
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn the_event_type_is_the_bodys_type() {
        assert_eq!(event_type(BODY).unwrap(), "CallClosed");
        assert!(event_type(br#"{"i":1}"#).is_err());
        assert!(event_type(br#"{"type":""}"#).is_err());
        assert!(event_type(br#"{"type":7}"#).is_err());
        assert!(event_type(b"[1]").is_err());
    }

    #[test]
    fn the_data_is_the_canonical_record_line() {
        let r = record(1, Hash::ZERO, BODY);
        let parts = EventParts::of(&r, attempt_id()).unwrap();
        let mut line = Vec::new();
        r.write_export_line(&mut line);
        assert_eq!(&parts.data[..], &line[..line.len() - 1]);
        assert!(crate::canonical::is_canonical(&parts.data));
        assert_eq!(parts.event_type, "CallClosed");
        let v: serde_json::Value = serde_json::from_slice(&parts.data).unwrap();
        assert_eq!(v["seq"], 1);
        assert_eq!(v["hash"], r.hash.to_hex());
        assert_eq!(v["prev"], Hash::ZERO.to_hex());
        assert_eq!(v["recorded_at"], r.recorded_at.to_string());
        assert_eq!(v["event"]["type"], "CallClosed");
        // Building the crate's event from the parts does not fail.
        let _ = parts.into_event_data();
    }

    #[test]
    fn a_record_round_trips_through_its_event() {
        let first = record(1, Hash::ZERO, BODY);
        let second = record(2, first.hash, BODY);
        for (r, revision) in [(&first, 0), (&second, 1)] {
            let back =
                record_of(&stored(&EventParts::of(r, attempt_id()).unwrap(), revision)).unwrap();
            assert_eq!(&back, r);
        }
    }

    #[test]
    fn an_event_out_of_place_or_altered_is_refused() {
        let r = record(3, crate::chain::sha256(b"p"), BODY);
        let parts = EventParts::of(&r, attempt_id()).unwrap();

        let err = record_of(&stored(&parts, 5)).unwrap_err();
        assert!(err.0.contains("stands where seq 6 belongs"), "{err}");

        let mut wrong_type = stored(&parts, 2);
        wrong_type.event_type = "CallOpened".into();
        assert!(record_of(&wrong_type).unwrap_err().0.contains("event type"));

        let text = String::from_utf8(parts.data.to_vec()).unwrap();
        let mut altered = stored(&parts, 2);
        altered.data = Bytes::from(text.replace("\"C1\"", "\"C2\""));
        assert!(record_of(&altered).unwrap_err().0.contains("hash mismatch"));

        let mut spaced = stored(&parts, 2);
        spaced.data = Bytes::from(text.replacen(':', ": ", 1));
        assert!(record_of(&spaced).unwrap_err().0.contains("canonical"));

        let mut not_json = stored(&parts, 2);
        not_json.data = Bytes::from_static(b"\x00\x01");
        let err = record_of(&not_json).unwrap_err();
        assert!(err.0.starts_with("stream revision 2:"), "{err}");
    }

    #[test]
    fn a_resolved_event_without_an_event_is_refused() {
        let empty = ResolvedEvent {
            event: None,
            link: None,
            commit_position: None,
        };
        assert!(record_of_resolved(&empty).is_err());
    }
}
