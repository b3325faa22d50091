//! The chain check: every record in seq order, linked to the one before,
//! with the hash its content gives, never recorded before its predecessor.
//!
//! Each record's hash depends only on its own fields (its `prev` is stored),
//! so hashes are checked on all cores; only the links are sequential.
//! `deep` also decodes every event, checks its bytes are canonical and
//! replays it against the programme's rules.

use crate::source::{Source, SourceError};
use gpu_ledger_domain::{Programme, decode_event};
use gpu_ledger_ledger::checkpoint::Checkpoint;
use gpu_ledger_ledger::merkle::{Frontier, leaf_hash};
use gpu_ledger_ledger::{Hash, Record, RecordedAt};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions {
    /// Also decode each event, check it is canonical and passes the rules.
    pub deep: bool,
    /// A signed checkpoint (already checked against its key): the Merkle
    /// root of the first `size` records must be its root.
    pub checkpoint: Option<Checkpoint>,
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    /// Records checked and found good.
    pub events: u64,
    /// Hash of the last good record.
    pub head: Hash,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The size of the signed checkpoint whose Merkle root was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_size: Option<u64>,
}

const BATCH: usize = 1 << 16;

/// Verifies every record `source` yields. `on_progress` gets the count so far.
pub async fn verify(
    source: &mut Source,
    options: VerifyOptions,
    mut on_progress: impl FnMut(u64),
) -> Result<VerifyReport, SourceError> {
    let mut prev = Hash::ZERO;
    let mut last_time = RecordedAt::from_micros(i64::MIN);
    let mut count = 0u64;
    let mut programme = options.deep.then(Programme::new);
    let mut frontier = options.checkpoint.map(|_| Frontier::new());
    let fail = |count: u64, prev: Hash, seq: u64, reason: String| VerifyReport {
        ok: false,
        events: count,
        head: prev,
        first_bad_seq: Some(seq),
        reason: Some(reason),
        checkpoint_size: None,
    };
    loop {
        let batch = match source.next_batch(BATCH).await {
            Ok(b) => b,
            Err(e) => {
                if let Some(seq) = e.seq() {
                    return Ok(fail(count, prev, seq, e.to_string()));
                }
                return Err(e);
            }
        };
        if batch.is_empty() {
            break;
        }
        let bad_hash = first_bad_hash(&batch);
        for (i, r) in batch.iter().enumerate() {
            let expected = count + 1;
            if r.seq != expected {
                return Ok(fail(
                    count,
                    prev,
                    expected,
                    format!("found seq {} where seq {expected} was expected", r.seq),
                ));
            }
            if r.prev != prev {
                return Ok(fail(
                    count,
                    prev,
                    r.seq,
                    format!("prev is {} but the record before has hash {prev}", r.prev),
                ));
            }
            if r.recorded_at < last_time {
                return Ok(fail(
                    count,
                    prev,
                    r.seq,
                    format!(
                        "recorded_at {} is before the previous record's {last_time}",
                        r.recorded_at
                    ),
                ));
            }
            if bad_hash == Some(i) {
                return Ok(fail(
                    count,
                    prev,
                    r.seq,
                    format!(
                        "hash mismatch: stored {}, computed {}",
                        r.hash,
                        r.computed_hash()
                    ),
                ));
            }
            if let Some(p) = programme.as_mut()
                && let Err(reason) = check_event(p, r)
            {
                return Ok(fail(count, prev, r.seq, reason));
            }
            prev = r.hash;
            last_time = r.recorded_at;
            count += 1;
            if let (Some(f), Some(cp)) = (frontier.as_mut(), options.checkpoint)
                && count <= cp.size
            {
                f.push(leaf_hash(&r.hash.0));
            }
        }
        on_progress(count);
    }
    if let (Some(f), Some(cp)) = (frontier, options.checkpoint) {
        let reason = if f.size() < cp.size {
            Some(format!(
                "the ledger has {count} records but the signed checkpoint covers {}: records were removed",
                cp.size
            ))
        } else if f.root() != cp.root {
            Some(format!(
                "the Merkle root of the first {} records is {}, but the signed checkpoint says {}: history was rewritten",
                cp.size,
                f.root(),
                cp.root
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            return Ok(VerifyReport {
                ok: false,
                events: count,
                head: prev,
                first_bad_seq: None,
                reason: Some(reason),
                checkpoint_size: Some(cp.size),
            });
        }
    }
    Ok(VerifyReport {
        ok: true,
        events: count,
        head: prev,
        first_bad_seq: None,
        reason: None,
        checkpoint_size: options.checkpoint.map(|c| c.size),
    })
}

/// The index of the first record whose stored hash is not the computed one,
/// checked on every available core.
fn first_bad_hash(batch: &[Record]) -> Option<usize> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads == 1 || batch.len() < 1024 {
        return batch.iter().position(|r| r.computed_hash() != r.hash);
    }
    let per = batch.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .chunks(per)
            .enumerate()
            .map(|(k, chunk)| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .position(|r| r.computed_hash() != r.hash)
                        .map(|i| k * per + i)
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().expect("hash checker"))
            .min()
    })
}

fn check_event(p: &mut Programme, r: &Record) -> Result<(), String> {
    let event =
        decode_event(&r.event).map_err(|e| format!("the event is not a valid event: {e}"))?;
    if event.canonical_json() != r.event.as_ref() {
        return Err("the event bytes are not in canonical form".into());
    }
    p.accept(&event)
        .map_err(|e| format!("the event breaks a rule [{}]: {e}", e.rule()))
}
