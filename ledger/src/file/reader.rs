//! Reading acknowledged records: find the segment, jump to the nearest
//! indexed frame, walk frames in large chunks.

use super::cursor::{FrameCursor, Step};
use super::format::HEADER_LEN;
use super::{SPARSE_EVERY, Segment, Shared};
use crate::chain::Hash;
use crate::record::Record;
use crate::store::StoreError;
use std::sync::Arc;

fn damaged(seg: &Segment, offset: u64, seq: u64, reason: impl Into<String>) -> StoreError {
    StoreError::Damaged {
        file: seg.path.clone(),
        offset,
        seq: Some(seq),
        reason: reason.into(),
    }
}

/// Up to `max` records from `from` on, never past the acknowledged head.
pub(crate) fn read(shared: &Shared, from: u64, max: usize) -> Result<Vec<Record>, StoreError> {
    let from = from.max(1);
    let head = shared.head.borrow().seq;
    // Damage found at open ends what can be read, even past the head it left.
    if let Some((bad, info)) = &shared.damage
        && from >= *bad
        && max > 0
    {
        return Err(info.error(Some(*bad)));
    }
    if max == 0 || from > head {
        return Ok(Vec::new());
    }
    let mut last = head.min(from.saturating_add(max as u64 - 1));
    if let Some((bad, _)) = &shared.damage {
        last = last.min(*bad - 1);
    }
    let segments: Vec<Arc<Segment>> = shared.segments.read().expect("segments lock").clone();
    let mut i = segments.partition_point(|s| s.first_seq <= from);
    if i == 0 {
        return Err(StoreError::Invalid(format!("no segment holds seq {from}")));
    }
    i -= 1;
    let mut out = Vec::with_capacity((last - from + 1).min(1 << 16) as usize);
    let mut next = from;
    while next <= last && i < segments.len() {
        read_segment(&segments[i], &mut next, last, &mut out)?;
        i += 1;
    }
    if next <= last {
        return Err(StoreError::Invalid(format!(
            "the ledger's files end at seq {} although its head is seq {head}",
            next - 1
        )));
    }
    Ok(out)
}

/// Reads records `*next ..= last` that lie in `seg`.
fn read_segment(
    seg: &Segment,
    next: &mut u64,
    last: u64,
    out: &mut Vec<Record>,
) -> Result<(), StoreError> {
    let (start_offset, start_seq, mut prev, end) = locate(seg, *next)?;
    // The frames from the indexed one before `next`, then those wanted.
    let records = (last - *next + 1).saturating_add(SPARSE_EVERY) as usize;
    let mut cursor = FrameCursor::for_records(&seg.file, start_offset, end, records);
    let mut expected = start_seq;
    while *next <= last {
        let step = cursor.step().map_err(|e| StoreError::io(&seg.path, e))?;
        match step {
            Step::End => return Ok(()),
            Step::Bad { offset, reason } => return Err(damaged(seg, offset, expected, reason)),
            Step::Truncated { offset } => {
                return Err(damaged(seg, offset, expected, "the record is cut short"));
            }
            Step::Frame { offset, meta, body } => {
                if meta.seq != expected {
                    return Err(damaged(
                        seg,
                        offset,
                        expected,
                        format!("record seq {} where seq {expected} was expected", meta.seq),
                    ));
                }
                if meta.seq >= *next {
                    out.push(cursor.record(&meta, prev, body));
                    *next += 1;
                }
                prev = meta.hash;
                expected += 1;
            }
        }
    }
    Ok(())
}

/// Where to start reading for `seq`: (offset, seq of the frame there, the
/// hash before that frame, end of frames). Starts at an indexed frame before
/// `seq`, so that `seq`'s `prev` is the hash of the frame read just before it.
fn locate(seg: &Segment, seq: u64) -> Result<(u64, u64, Hash, u64), StoreError> {
    let mut idx = seg.index.lock().expect("index lock");
    if !idx.complete {
        build_index(seg, &mut idx)?;
    }
    let end = idx.end;
    let pos = idx.entries.partition_point(|(s, _)| *s < seq);
    match pos.checked_sub(1).map(|p| idx.entries[p]) {
        // The frame at `s` is read only for its hash, so its own prev is not needed.
        Some((s, offset)) if s > seg.first_seq => Ok((offset, s, Hash::ZERO, end)),
        _ => Ok((HEADER_LEN as u64, seg.first_seq, seg.prev_hash, end)),
    }
}

/// Builds a segment's sparse index by walking its frames once.
fn build_index(seg: &Segment, idx: &mut super::SegmentIndex) -> Result<(), StoreError> {
    let mut cursor = FrameCursor::new(&seg.file, HEADER_LEN as u64, idx.end);
    let mut entries = Vec::new();
    // Damage stops the walk here; it is reported to the reader that reaches it.
    while let Step::Frame { offset, meta, .. } =
        cursor.step().map_err(|e| StoreError::io(&seg.path, e))?
    {
        if meta.seq == seg.first_seq || meta.seq % SPARSE_EVERY == 0 {
            entries.push((meta.seq, offset));
        }
    }
    idx.entries = entries;
    idx.complete = true;
    Ok(())
}
