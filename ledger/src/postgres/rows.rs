//! A record as a row of `records`, and back, checked as it is read: its
//! hash must be what its fields hash to (links to the row before are the
//! [`Cursor`](crate::cursor::Cursor)'s to check).

use crate::chain::{Hash, record_hash};
use crate::record::{EventBatch, Record};
use crate::store::Head;
use crate::time::RecordedAt;
use bytes::Bytes;
use tokio_postgres::Row;

/// Why a row is not a record this software wrote.
#[derive(Debug)]
pub struct BadRow {
    pub seq: u64,
    pub reason: String,
}

fn hash_of(bytes: &[u8], seq: u64, what: &str) -> Result<Hash, BadRow> {
    let raw: [u8; 32] = bytes.try_into().map_err(|_| BadRow {
        seq,
        reason: format!("{what} is {} bytes, not 32", bytes.len()),
    })?;
    Ok(Hash(raw))
}

/// The record a row of `SELECT seq, recorded_at, prev, hash, event` holds.
pub fn record_of(row: &Row) -> Result<Record, BadRow> {
    let seq: i64 = row.get(0);
    let seq = u64::try_from(seq).map_err(|_| BadRow {
        seq: 0,
        reason: format!("seq {seq} is negative"),
    })?;
    let recorded_at = RecordedAt::from_micros(row.get(1));
    let prev = hash_of(row.get(2), seq, "prev")?;
    let hash = hash_of(row.get(3), seq, "hash")?;
    let event: &[u8] = row.get(4);
    let record = Record {
        seq,
        recorded_at,
        prev,
        hash,
        event: Bytes::copy_from_slice(event),
    };
    if record.computed_hash() != record.hash {
        return Err(BadRow {
            seq,
            reason: format!(
                "its stored hash {} is not the hash of its contents {}",
                record.hash,
                record.computed_hash()
            ),
        });
    }
    Ok(record)
}

/// The head a row of `SELECT seq, recorded_at, hash` names.
pub fn head_of(row: Option<&Row>) -> Result<Head, BadRow> {
    let Some(row) = row else {
        return Ok(Head::default());
    };
    let seq: i64 = row.get(0);
    let seq = seq as u64;
    Ok(Head {
        seq,
        hash: hash_of(row.get(2), seq, "hash")?,
        recorded_at: Some(RecordedAt::from_micros(row.get(1))),
    })
}

/// `events` as records chained onto `head`, all recorded at `now`.
pub fn records_after(head: &Head, events: &EventBatch, now: RecordedAt) -> Vec<Record> {
    let mut last = *head;
    events
        .iter()
        .map(|event| {
            let seq = last.seq + 1;
            let hash = record_hash(&last.hash, seq, now, event);
            let r = Record {
                seq,
                recorded_at: now,
                prev: last.hash,
                hash,
                event: Bytes::copy_from_slice(event),
            };
            last = Head {
                seq,
                hash,
                recorded_at: Some(now),
            };
            r
        })
        .collect()
}

/// The columns of an insert of `records`, the first one carrying `attempt`.
pub struct Columns<'a> {
    pub seq: Vec<i64>,
    pub recorded_at: Vec<i64>,
    pub prev: Vec<&'a [u8]>,
    pub hash: Vec<&'a [u8]>,
    pub event: Vec<&'a [u8]>,
    pub attempt: Vec<Option<&'a [u8]>>,
}

impl<'a> Columns<'a> {
    pub fn of(records: &'a [Record], attempt: Option<&'a [u8]>) -> Self {
        Self {
            seq: records.iter().map(|r| r.seq as i64).collect(),
            recorded_at: records.iter().map(|r| r.recorded_at.micros()).collect(),
            prev: records.iter().map(|r| &r.prev.0[..]).collect(),
            hash: records.iter().map(|r| &r.hash.0[..]).collect(),
            event: records.iter().map(|r| &r.event[..]).collect(),
            attempt: (0..records.len())
                .map(|i| if i == 0 { attempt } else { None })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::{check_follows, head_of as head_after};

    #[test]
    fn records_chain_onto_the_head_at_one_time() {
        let mut batch = EventBatch::new();
        batch.push(br#"{"n":1,"type":"T"}"#);
        batch.push(br#"{"n":2,"type":"T"}"#);
        let head = Head {
            seq: 7,
            hash: crate::chain::sha256(b"seven"),
            recorded_at: Some(RecordedAt::from_micros(5)),
        };
        let records = records_after(&head, &batch, RecordedAt::from_micros(9));
        let mut last = head;
        for r in &records {
            check_follows(&last, r).unwrap();
            assert_eq!(r.computed_hash(), r.hash);
            last = head_after(r);
        }
        let cols = Columns::of(&records, Some(&[7u8; 16]));
        assert_eq!(cols.seq, vec![8, 9]);
        assert_eq!(cols.attempt, vec![Some(&[7u8; 16][..]), None]);
    }
}
