//! The chain check: every record in seq order, linked to the one before,
//! with the hash its content gives, never recorded before its predecessor.
//!
//! Each record's hash depends only on its own fields (its `prev` is stored),
//! so hashes are checked on all cores; only the links are sequential.
//! `deep` also decodes every event, checks its bytes are canonical and
//! replays it against the programme's rules.

use crate::fold::decode_each;
use crate::links::Links;
use crate::source::{Source, SourceError};
use gpu_ledger_domain::{Event, EventError, Programme};
use gpu_ledger_ledger::checkpoint::Checkpoint;
use gpu_ledger_ledger::merkle::{Frontier, leaf_hash, perfect_root};
use gpu_ledger_ledger::{Hash, Record};
use rayon::prelude::*;
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

const BATCH: usize = 1 << 14;

/// Verifies every record `source` yields. `on_progress` gets the count so far.
pub async fn verify(
    source: &mut Source,
    options: VerifyOptions,
    mut on_progress: impl FnMut(u64),
) -> Result<VerifyReport, SourceError> {
    let mut links = Links::default();
    let mut programme = options.deep.then(Programme::new);
    let mut frontier = options.checkpoint.map(|_| Frontier::new());
    let fail = |links: &Links, seq: u64, reason: String| VerifyReport {
        ok: false,
        events: links.count,
        head: links.head,
        first_bad_seq: Some(seq),
        reason: Some(reason),
        checkpoint_size: None,
    };
    loop {
        let batch = match source.next_batch(BATCH).await {
            Ok(b) => b,
            Err(e) => {
                if let Some(seq) = e.seq() {
                    return Ok(fail(&links, seq, e.to_string()));
                }
                return Err(e);
            }
        };
        if batch.is_empty() {
            break;
        }
        let merkle_leaves = options.checkpoint.map_or(0, |cp| {
            cp.size.saturating_sub(links.count).min(batch.len() as u64) as usize
        });
        let ((bad_hash, merkle), events) = rayon::join(
            || check_hashes(&batch, links.count, merkle_leaves),
            || programme.is_some().then(|| decode_each(&batch)),
        );
        let mut events = events.map(Vec::into_iter);
        if let Some(f) = frontier.as_mut() {
            for part in merkle {
                match part {
                    MerklePart::Subtree(level, root) => f.push_subtree(level, root),
                    MerklePart::Leaves(leaves) => leaves.into_iter().for_each(|l| f.push(l)),
                }
            }
        }
        for (i, r) in batch.iter().enumerate() {
            if let Some(reason) = links.fault(r, bad_hash == Some(i)) {
                return Ok(fail(&links, r.seq, reason));
            }
            if let (Some(p), Some(decoded)) = (programme.as_mut(), events.as_mut())
                && let Err(reason) = check_decoded(p, r, decoded.next().expect("one per record"))
            {
                return Ok(fail(&links, r.seq, reason));
            }
            links.extend(r);
        }
        on_progress(links.count);
    }
    if let (Some(f), Some(cp)) = (frontier, options.checkpoint) {
        let reason = if f.size() < cp.size {
            Some(format!(
                "the ledger has {} records but the signed checkpoint covers {}: records were removed",
                links.count, cp.size
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
                events: links.count,
                head: links.head,
                first_bad_seq: None,
                reason: Some(reason),
                checkpoint_size: Some(cp.size),
            });
        }
    }
    Ok(VerifyReport {
        ok: true,
        events: links.count,
        head: links.head,
        first_bad_seq: None,
        reason: None,
        checkpoint_size: options.checkpoint.map(|c| c.size),
    })
}

/// A piece of the Merkle tree computed by a hash-checking worker.
enum MerklePart {
    /// A complete, aligned subtree: (level, root).
    Subtree(u32, Hash),
    /// Leaf hashes to push one by one.
    Leaves(Vec<Hash>),
}

/// Checks every record's hash on all cores: the index of the first whose
/// stored hash is not the computed one. Also the Merkle leaves of the first
/// `merkle_leaves` records (the batch starts after `before` records), as
/// complete subtrees where the chunks are aligned, so that the tree too is
/// built in parallel.
fn check_hashes(
    batch: &[Record],
    before: u64,
    merkle_leaves: usize,
) -> (Option<usize>, Vec<MerklePart>) {
    let threads = rayon::current_num_threads();
    let per = if threads == 1 || batch.len() < 1024 {
        batch.len()
    } else {
        batch.len().div_ceil(threads).next_power_of_two()
    };
    let work = |k: usize, chunk: &[Record]| {
        let bad = chunk
            .iter()
            .position(|r| r.computed_hash() != r.hash)
            .map(|i| k * per + i);
        let start = k * per;
        let take = merkle_leaves.saturating_sub(start).min(chunk.len());
        let mut leaves: Vec<Hash> = chunk[..take].iter().map(|r| leaf_hash(&r.hash.0)).collect();
        let aligned = take.is_power_of_two() && (before + start as u64).is_multiple_of(take as u64);
        let part = if take > 1 && aligned {
            MerklePart::Subtree(take.trailing_zeros(), perfect_root(&mut leaves))
        } else {
            MerklePart::Leaves(leaves)
        };
        (bad, part)
    };
    let checked: Vec<(Option<usize>, MerklePart)> = batch
        .par_chunks(per)
        .enumerate()
        .map(|(k, chunk)| work(k, chunk))
        .collect();
    let first_bad = checked.iter().filter_map(|(bad, _)| *bad).min();
    (
        first_bad,
        checked.into_iter().map(|(_, part)| part).collect(),
    )
}

/// The deep check of one record's event, shared with the audits: it
/// decoded, its bytes are canonical, and it passes the rules against `p`.
/// The accepted event, or why not.
pub(crate) fn check_decoded(
    p: &mut Programme,
    r: &Record,
    decoded: Result<Event, EventError>,
) -> Result<Event, String> {
    let event = decoded.map_err(|e| format!("the event is not a valid event: {e}"))?;
    if event.canonical_json() != r.event.as_ref() {
        return Err("the event bytes are not in canonical form".into());
    }
    p.accept(&event)
        .map_err(|e| format!("the event breaks a rule [{}]: {e}", e.rule()))?;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_ledger_ledger::RecordedAt;
    use gpu_ledger_ledger::merkle::{MemoryNodes, tree_hash};

    fn chain(n: usize) -> Vec<Record> {
        let mut prev = Hash::ZERO;
        (1..=n as u64)
            .map(|seq| {
                let mut r = Record {
                    seq,
                    recorded_at: RecordedAt::from_micros(seq as i64),
                    prev,
                    hash: Hash::ZERO,
                    event: format!("{{\"n\":{seq}}}").into_bytes().into(),
                };
                r.hash = r.computed_hash();
                prev = r.hash;
                r
            })
            .collect()
    }

    #[test]
    fn the_first_bad_hash_is_found_whichever_core_checks_it() {
        let mut batch = chain(5000);
        assert_eq!(check_hashes(&batch, 0, 0).0, None);
        for bad in [4100, 2600, 3000] {
            batch[bad].hash = Hash([7; 32]);
        }
        assert_eq!(check_hashes(&batch, 0, 0).0, Some(2600));
    }

    #[test]
    fn the_merkle_parts_of_a_batch_give_the_tree_of_its_records() {
        let batch = chain(5000);
        let leaves: Vec<Hash> = batch[..4500].iter().map(|r| leaf_hash(&r.hash.0)).collect();
        let mut frontier = Frontier::new();
        for part in check_hashes(&batch, 0, 4500).1 {
            match part {
                MerklePart::Subtree(level, root) => frontier.push_subtree(level, root),
                MerklePart::Leaves(leaves) => leaves.into_iter().for_each(|l| frontier.push(l)),
            }
        }
        let tree = MemoryNodes::from_leaf_hashes(leaves);
        assert_eq!(frontier.root(), tree_hash(&tree, 4500).unwrap());
    }
}
