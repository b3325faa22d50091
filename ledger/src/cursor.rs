//! Where a reader of a server backend stands (EventStoreDB, PostgreSQL), and
//! the chain checked as it reads.
//!
//! A server backend is not opened by scanning and checking its files the way
//! the file store is, so the chain is checked as records are read: each one
//! must come right after the one before, link to its hash and not be recorded
//! before it. Reads and subscriptions start one record early (the anchor)
//! whose hash the first record returned must link to, so every record handed
//! out has been checked against its predecessor.
//!
//! The same cursor makes a subscription resume exactly where it stopped:
//! after a dropped connection it is started again after the last record
//! handed out, and anything at or below that seq is skipped, so nothing is
//! lost or handed out twice.

use crate::record::Record;
use crate::store::{Head, StoreError};

/// A record that does not follow the one before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seq {seq}: {reason}")]
pub struct ChainBreak {
    pub seq: u64,
    pub reason: String,
}

/// The head after `record`.
pub fn head_of(record: &Record) -> Head {
    Head {
        seq: record.seq,
        hash: record.hash,
        recorded_at: Some(record.recorded_at),
    }
}

/// Checks that `record` is the one right after `last` (the empty head
/// before seq 1). Its own hash is checked where it is parsed.
pub fn check_follows(last: &Head, record: &Record) -> Result<(), ChainBreak> {
    let want = last.seq + 1;
    if record.seq != want {
        return Err(ChainBreak {
            seq: want,
            reason: format!("found seq {} where seq {want} was expected", record.seq),
        });
    }
    if record.prev != last.hash {
        return Err(ChainBreak {
            seq: record.seq,
            reason: format!(
                "prev is {} but the record before has hash {}",
                record.prev, last.hash
            ),
        });
    }
    if let Some(before) = last.recorded_at
        && record.recorded_at < before
    {
        return Err(ChainBreak {
            seq: record.seq,
            reason: format!(
                "recorded_at {} is before the previous record's {before}",
                record.recorded_at
            ),
        });
    }
    Ok(())
}

/// A reader's place in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last record handed out (or the anchor, once read).
    last: Head,
    /// Whether `last.hash` is known: false until the anchor has been read.
    anchored: bool,
}

impl Cursor {
    /// A reader of the records after `seq`. From 0 the chain starts at the
    /// zero hash; from any other seq, record `seq` itself is read first as
    /// the anchor.
    pub fn after(seq: u64) -> Self {
        Self {
            last: Head {
                seq,
                ..Head::default()
            },
            anchored: seq == 0,
        }
    }

    /// The first seq the reader must be given: the anchor until it is
    /// known, then the record after the last one handed out. A read or a
    /// (re)subscription starts here.
    pub fn wants_from(&self) -> u64 {
        if self.anchored {
            self.last.seq + 1
        } else {
            self.last.seq
        }
    }

    /// The last record handed out (or the anchor).
    pub fn last_seq(&self) -> u64 {
        self.last.seq
    }

    /// Takes the next record read: `Some` to hand out, `None` for the anchor
    /// or a record already handed out (delivered again after a resume).
    pub fn accept(&mut self, record: Record) -> Result<Option<Record>, ChainBreak> {
        if !self.anchored {
            return match record.seq.cmp(&self.last.seq) {
                std::cmp::Ordering::Less => Ok(None),
                std::cmp::Ordering::Equal => {
                    self.last = head_of(&record);
                    self.anchored = true;
                    Ok(None)
                }
                std::cmp::Ordering::Greater => Err(ChainBreak {
                    seq: self.last.seq,
                    reason: format!(
                        "missing: seq {} came where seq {} was expected",
                        record.seq, self.last.seq
                    ),
                }),
            };
        }
        if record.seq <= self.last.seq {
            return Ok(None);
        }
        check_follows(&self.last, &record)?;
        self.last = head_of(&record);
        Ok(Some(record))
    }
}

/// A follower of a server backend: the next record, waiting for it as long
/// as it takes, or the error that ends the following.
pub(crate) trait NextRecord: Send + 'static {
    fn next_record(&mut self) -> impl Future<Output = Result<Record, StoreError>> + Send;
}

/// The records a follower hands out, its first error as the last item.
pub(crate) fn follow_with(
    follower: impl NextRecord,
) -> futures::stream::BoxStream<'static, Result<Record, StoreError>> {
    use futures::StreamExt;
    futures::stream::unfold(Some(follower), |follower| async move {
        let mut follower = follower?;
        let next = follower.next_record().await;
        let goes_on = next.is_ok().then_some(follower);
        Some((next, goes_on))
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{Hash, record_hash};
    use crate::time::RecordedAt;
    use bytes::Bytes;

    fn chain(n: u64) -> Vec<Record> {
        let mut prev = Hash::ZERO;
        (1..=n)
            .map(|seq| {
                let recorded_at = RecordedAt::from_micros(1_000_000 + seq as i64);
                let event = Bytes::from(format!("{{\"n\":{seq},\"type\":\"T\"}}"));
                let hash = record_hash(&prev, seq, recorded_at, &event);
                let r = Record {
                    seq,
                    recorded_at,
                    prev,
                    hash,
                    event,
                };
                prev = hash;
                r
            })
            .collect()
    }

    fn feed(cursor: &mut Cursor, records: &[Record]) -> Result<Vec<u64>, ChainBreak> {
        let mut out = Vec::new();
        for r in records {
            if let Some(r) = cursor.accept(r.clone())? {
                out.push(r.seq);
            }
        }
        Ok(out)
    }

    #[test]
    fn from_the_start_every_record_is_handed_out_in_order() {
        let records = chain(5);
        let mut c = Cursor::after(0);
        assert_eq!(c.wants_from(), 1);
        assert_eq!(feed(&mut c, &records).unwrap(), vec![1, 2, 3, 4, 5]);
        assert_eq!(c.last_seq(), 5);
        assert_eq!(c.wants_from(), 6);
    }

    #[test]
    fn from_the_middle_the_anchor_is_read_first_and_not_handed_out() {
        let records = chain(6);
        let mut c = Cursor::after(3);
        assert_eq!(c.wants_from(), 3, "the anchor first");
        assert_eq!(feed(&mut c, &records[2..]).unwrap(), vec![4, 5, 6]);
    }

    #[test]
    fn a_resumed_subscription_skips_what_was_handed_out() {
        let records = chain(8);
        let mut c = Cursor::after(0);
        assert_eq!(feed(&mut c, &records[..4]).unwrap(), vec![1, 2, 3, 4]);
        // The connection drops; the new subscription starts after seq 4...
        assert_eq!(c.wants_from(), 5);
        // ...but a server (or a retry inside the client) may send some again.
        assert_eq!(feed(&mut c, &records[2..]).unwrap(), vec![5, 6, 7, 8]);
        assert_eq!(feed(&mut c, &records).unwrap(), Vec::<u64>::new());
    }

    #[test]
    fn a_gap_a_broken_link_or_time_going_back_is_a_break() {
        let records = chain(5);
        let mut c = Cursor::after(0);
        feed(&mut c, &records[..2]).unwrap();
        let err = c.accept(records[3].clone()).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.reason.contains("found seq 4 where seq 3"), "{err}");

        let mut forged = records[2].clone();
        forged.prev = Hash::ZERO;
        let err = c.accept(forged).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.reason.contains("prev is"), "{err}");

        let mut early = records[2].clone();
        early.recorded_at = RecordedAt::from_micros(0);
        let err = c.accept(early).unwrap_err();
        assert!(err.reason.contains("before the previous"), "{err}");

        // A break leaves the cursor where it was.
        assert_eq!(
            c.accept(records[2].clone()).unwrap().map(|r| r.seq),
            Some(3)
        );
    }

    #[test]
    fn a_missing_anchor_is_a_break() {
        let records = chain(5);
        let mut c = Cursor::after(2);
        let err = c.accept(records[3].clone()).unwrap_err();
        assert_eq!(err.seq, 2);
    }

    #[test]
    fn the_first_record_must_link_to_the_zero_hash() {
        let mut records = chain(1);
        records[0].prev = crate::chain::sha256(b"elsewhere");
        assert!(Cursor::after(0).accept(records[0].clone()).is_err());
    }
}
