//! What ties a record to the ones before it: its seq follows theirs, its
//! `prev` is the last one's hash, its `recorded_at` does not go back, and
//! its stored hash is the one its content gives. `verify` and every audit
//! check these in one place.

use gpu_ledger_ledger::{Hash, Record, RecordedAt};
use rayon::prelude::*;

/// The end of the chain checked so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Links {
    /// Records checked and found good (from seq 1, without gaps).
    pub count: u64,
    /// Hash of the last good record (all zeros before the first).
    pub head: Hash,
    /// `recorded_at` of the last good record.
    pub recorded_at: Option<RecordedAt>,
}

impl Default for Links {
    fn default() -> Self {
        Self {
            count: 0,
            head: Hash::ZERO,
            recorded_at: None,
        }
    }
}

impl Links {
    /// Why `r` does not follow the records checked so far, if it does not
    /// (`bad_hash`: its stored hash is not the one its content gives).
    pub fn fault(&self, r: &Record, bad_hash: bool) -> Option<String> {
        let expected = self.count + 1;
        if r.seq != expected {
            return Some(format!(
                "found seq {} where seq {expected} was expected",
                r.seq
            ));
        }
        if r.prev != self.head {
            return Some(format!(
                "prev is {} but the record before has hash {}",
                r.prev, self.head
            ));
        }
        if let Some(last) = self.recorded_at
            && r.recorded_at < last
        {
            return Some(format!(
                "recorded_at {} is before the previous record's {last}",
                r.recorded_at
            ));
        }
        if bad_hash {
            return Some(format!(
                "hash mismatch: stored {}, computed {}",
                r.hash,
                r.computed_hash()
            ));
        }
        None
    }

    /// `r` checked: the chain now ends with it.
    pub fn extend(&mut self, r: &Record) {
        self.count = r.seq;
        self.head = r.hash;
        self.recorded_at = Some(r.recorded_at);
    }
}

/// The index of the first record of `batch` whose stored hash is not the
/// one its content gives, hashing on every core.
pub fn first_bad_hash(batch: &[Record]) -> Option<usize> {
    batch
        .par_iter()
        .position_first(|r| r.computed_hash() != r.hash)
}
