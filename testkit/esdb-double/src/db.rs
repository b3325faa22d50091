//! The streams every node of a double shares (one log, as a cluster's
//! replicas agree on one), and the append and read rules of KurrentDB.

use std::collections::HashMap;
use uuid::Uuid;

/// One event as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: Uuid,
    pub stream: String,
    pub revision: u64,
    /// Position in the global log (commit and prepare positions alike).
    pub position: u64,
    pub event_type: String,
    pub content_type: String,
    /// 100 ns ticks since the Unix epoch, as the client decodes `created`.
    pub created: u64,
    pub custom_metadata: Vec<u8>,
    pub data: Vec<u8>,
}

/// An event proposed by an append.
#[derive(Debug, Clone)]
pub struct Proposed {
    pub id: Uuid,
    pub event_type: String,
    pub content_type: String,
    pub custom_metadata: Vec<u8>,
    pub data: Vec<u8>,
}

/// What an append expects of its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    NoStream,
    Any,
    StreamExists,
    /// The revision of the stream's last event.
    Exact(u64),
}

/// The stream's state after an append, or why it was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Written (or already written with these ids): the stream's last
    /// revision and the log position of the append's last event.
    Ok { revision: u64, position: u64 },
    /// The stream is not as expected; `current` is its last revision.
    WrongExpectedVersion { current: Option<u64> },
}

#[derive(Default)]
pub struct Db {
    streams: HashMap<String, Vec<StoredEvent>>,
    next_position: u64,
}

impl Db {
    /// Appends `events` to `stream` if it is as `expected`, all or none.
    pub fn append(&mut self, stream: &str, expected: Expected, events: &[Proposed]) -> Appended {
        let existing = self.streams.get(stream).map_or(&[][..], Vec::as_slice);
        let current = existing.last().map(|e| e.revision);
        if let Some(done) = idempotent(existing, expected, events) {
            return done;
        }
        let ok = match expected {
            Expected::Any => true,
            Expected::NoStream => current.is_none(),
            Expected::StreamExists => current.is_some(),
            Expected::Exact(r) => current == Some(r),
        };
        if !ok {
            return Appended::WrongExpectedVersion { current };
        }
        if events.is_empty() {
            return Appended::Ok {
                revision: current.unwrap_or(0),
                position: self.next_position,
            };
        }
        let created = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| (d.as_nanos() / 100) as u64);
        let mut revision = current.map_or(0, |r| r + 1);
        let log = self.streams.entry(stream.to_string()).or_default();
        for e in events {
            log.push(StoredEvent {
                id: e.id,
                stream: stream.to_string(),
                revision,
                position: self.next_position,
                event_type: e.event_type.clone(),
                content_type: e.content_type.clone(),
                created,
                custom_metadata: e.custom_metadata.clone(),
                data: e.data.clone(),
            });
            revision += 1;
            self.next_position += 1;
        }
        Appended::Ok {
            revision: revision - 1,
            position: self.next_position - 1,
        }
    }

    /// Up to `count` events of `stream` from `from` (inclusive; `None` is
    /// the start going forwards and the end going backwards), or `None` if
    /// the stream does not exist.
    pub fn read(
        &self,
        stream: &str,
        from: Option<u64>,
        backwards: bool,
        count: u64,
    ) -> Option<Vec<StoredEvent>> {
        let events = self.streams.get(stream)?;
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        let picked = if backwards {
            let end = from.map_or(events.len(), |r| {
                usize::try_from(r).map_or(events.len(), |r| (r + 1).min(events.len()))
            });
            events[..end].iter().rev().take(count).cloned().collect()
        } else {
            let start = from.map_or(0, |r| usize::try_from(r).unwrap_or(usize::MAX));
            events.iter().skip(start).take(count).cloned().collect()
        };
        Some(picked)
    }

    /// Every event of `stream`, in order.
    pub fn events(&self, stream: &str) -> Vec<StoredEvent> {
        self.streams.get(stream).cloned().unwrap_or_default()
    }
}

/// Idempotence by event id: an append whose ids are those already in the
/// stream where it would have put them is acknowledged again, unwritten.
/// With an exact revision (or `no_stream`) that place is known; with `any`
/// it is where the first id stands. A run that only partly matches is a
/// wrong expected version, as the server's "corrupted idempotency" is.
fn idempotent(
    existing: &[StoredEvent],
    expected: Expected,
    events: &[Proposed],
) -> Option<Appended> {
    let first = events.first()?;
    let start = match expected {
        Expected::NoStream => 0,
        Expected::Exact(r) => usize::try_from(r).ok()?.checked_add(1)?,
        Expected::Any | Expected::StreamExists => existing.iter().position(|e| e.id == first.id)?,
    };
    let already = existing.get(start..)?;
    if already.first().map(|e| e.id) != Some(first.id) {
        return None;
    }
    let matched = events
        .iter()
        .zip(already)
        .take_while(|(p, e)| p.id == e.id)
        .count();
    if matched == events.len() {
        let last = &already[matched - 1];
        Some(Appended::Ok {
            revision: last.revision,
            position: last.position,
        })
    } else {
        Some(Appended::WrongExpectedVersion {
            current: existing.last().map(|e| e.revision),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposed(id: u128) -> Proposed {
        Proposed {
            id: Uuid::from_u128(id),
            event_type: "T".into(),
            content_type: "application/json".into(),
            custom_metadata: Vec::new(),
            data: b"{}".to_vec(),
        }
    }

    #[test]
    fn expected_revisions_are_enforced_all_or_nothing() {
        let mut db = Db::default();
        assert_eq!(
            db.append("s", Expected::Exact(0), &[proposed(1)]),
            Appended::WrongExpectedVersion { current: None }
        );
        assert_eq!(
            db.append("s", Expected::NoStream, &[proposed(1), proposed(2)]),
            Appended::Ok {
                revision: 1,
                position: 1
            }
        );
        assert_eq!(
            db.append("s", Expected::Exact(0), &[proposed(3)]),
            Appended::WrongExpectedVersion { current: Some(1) }
        );
        assert_eq!(
            db.append("s", Expected::Exact(1), &[proposed(3)]),
            Appended::Ok {
                revision: 2,
                position: 2
            }
        );
        assert_eq!(db.events("s").len(), 3);
        assert!(db.read("t", None, false, 10).is_none());
    }

    #[test]
    fn the_same_ids_at_the_same_place_are_acknowledged_once() {
        let mut db = Db::default();
        db.append("s", Expected::NoStream, &[proposed(1), proposed(2)]);
        for expected in [Expected::NoStream, Expected::Any] {
            assert_eq!(
                db.append("s", expected, &[proposed(1), proposed(2)]),
                Appended::Ok {
                    revision: 1,
                    position: 1
                }
            );
        }
        // Only the first of them: a partial match is refused.
        assert_eq!(
            db.append("s", Expected::NoStream, &[proposed(1), proposed(9)]),
            Appended::WrongExpectedVersion { current: Some(1) }
        );
        // Other ids at a taken place: a wrong expected version.
        assert_eq!(
            db.append("s", Expected::NoStream, &[proposed(7)]),
            Appended::WrongExpectedVersion { current: Some(1) }
        );
        assert_eq!(db.events("s").len(), 2);
    }

    #[test]
    fn reads_go_either_way_from_a_revision() {
        let mut db = Db::default();
        let all: Vec<_> = (0..5).map(proposed).collect();
        db.append("s", Expected::Any, &all);
        let revs = |v: Vec<StoredEvent>| v.iter().map(|e| e.revision).collect::<Vec<_>>();
        assert_eq!(revs(db.read("s", None, false, 2).unwrap()), vec![0, 1]);
        assert_eq!(revs(db.read("s", Some(3), false, 9).unwrap()), vec![3, 4]);
        assert_eq!(revs(db.read("s", None, true, 1).unwrap()), vec![4]);
        assert_eq!(revs(db.read("s", Some(2), true, 9).unwrap()), vec![2, 1, 0]);
        assert!(db.read("s", Some(9), false, 9).unwrap().is_empty());
    }
}
