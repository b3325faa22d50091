//! `repair --truncate-after SEQ`: for an operator who accepts losing every
//! record after SEQ (say, after damage that open refuses). Nothing is
//! destroyed: the removed bytes and the records still readable in them are
//! written to a side directory first.

use super::cursor::{FrameCursor, Step};
use super::directory::{list_segments, read_trailer, sync_dir, write_head_hint};
use super::format::{HEADER_LEN, TRAILER_LEN, mark_commit};
use super::lock::DirLock;
use crate::chain::Hash;
use crate::record::Record;
use crate::store::StoreError;
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// What a repair removed and where it was kept.
#[derive(Debug, Clone, Serialize)]
pub struct RepairReport {
    /// The seq of the last record kept.
    pub kept_through: u64,
    /// Records after it that could still be read (written to `removed.jsonl`).
    pub readable_removed: u64,
    /// Bytes removed from segment files (all kept in `side_dir`).
    pub bytes_removed: u64,
    pub side_dir: PathBuf,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::io(path, e)
}

/// Cuts the ledger in `dir` after record `keep`.
pub fn truncate_after(dir: &Path, keep: u64) -> Result<RepairReport, StoreError> {
    if !dir.join("LEDGER").exists() {
        return Err(StoreError::Invalid(format!(
            "there is no ledger in {}",
            dir.display()
        )));
    }
    let _lock = DirLock::acquire(dir)?;
    let segments = list_segments(dir)?;
    let target = segments
        .iter()
        .rposition(|(first, _)| *first <= keep.max(1))
        .ok_or_else(|| StoreError::Invalid("the ledger has no segment files".into()))?;
    let (first_seq, path) = segments[target].clone();
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .map_err(io(&path))?;
    let len = file.metadata().map_err(io(&path))?.len();
    let frames_end = if read_trailer(&file, len).is_some() {
        len - TRAILER_LEN as u64
    } else {
        len
    };

    // Where record `keep` ends, and the records after it that can be read.
    let mut cursor = FrameCursor::new(&file, HEADER_LEN as u64, frames_end);
    let mut cut = HEADER_LEN as u64;
    let mut keep_frame = None;
    let mut expected = first_seq;
    let mut removed = Vec::new();
    let mut prev = Hash::ZERO;
    let mut readable = true;
    loop {
        match cursor.step().map_err(io(&path))? {
            Step::Frame {
                offset,
                meta,
                event,
            } => {
                if meta.seq != expected {
                    readable = false;
                    if expected <= keep {
                        return Err(damaged_before(&path, offset, expected, keep));
                    }
                    break;
                }
                if meta.seq <= keep {
                    cut = offset + meta.len as u64;
                    keep_frame = Some(offset);
                } else {
                    removed.push(cursor.record(&meta, prev, event));
                }
                prev = meta.hash;
                expected += 1;
            }
            Step::End => break,
            Step::Bad { offset, .. } | Step::Truncated { offset } => {
                readable = false;
                if expected <= keep {
                    return Err(damaged_before(&path, offset, expected, keep));
                }
                break;
            }
        }
    }
    if keep > 0 && expected <= keep {
        return Err(StoreError::Invalid(format!(
            "the ledger ends at seq {} (before {keep}): there is nothing to cut",
            expected - 1
        )));
    }

    // Keep everything that goes, before anything goes.
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
    let side_dir = dir.join(format!("removed-after-{keep}-{stamp}"));
    std::fs::create_dir_all(&side_dir).map_err(io(&side_dir))?;
    let mut bytes_removed = 0;
    let mut tail = vec![0u8; (len - cut) as usize];
    file.read_exact_at(&mut tail, cut).map_err(io(&path))?;
    bytes_removed += tail.len() as u64;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("segment");
    write_synced(&side_dir.join(format!("{name}.from-{cut}")), &tail)?;
    for (_, later) in &segments[target + 1..] {
        let bytes = std::fs::read(later).map_err(io(later))?;
        bytes_removed += bytes.len() as u64;
        write_synced(
            &side_dir.join(later.file_name().expect("a segment file name")),
            &bytes,
        )?;
        if readable {
            read_records(later, &mut removed, &mut prev, &mut expected);
        }
    }
    let mut lines = Vec::new();
    for r in &removed {
        r.write_export_line(&mut lines);
    }
    write_synced(&side_dir.join("removed.jsonl"), &lines)?;

    // Record `keep` becomes the last durable write; the rest goes.
    if let Some(at) = keep_frame {
        let mut head = [0u8; 12];
        file.read_exact_at(&mut head, at).map_err(io(&path))?;
        let frame_len = 12 + u32::from_le_bytes(head[4..8].try_into().expect("4 bytes")) as usize;
        let mut frame = vec![0u8; frame_len];
        file.read_exact_at(&mut frame, at).map_err(io(&path))?;
        mark_commit(&mut frame, 0);
        file.write_all_at(&frame, at).map_err(io(&path))?;
    }
    file.set_len(cut)
        .and_then(|_| file.sync_all())
        .map_err(io(&path))?;
    for (_, later) in &segments[target + 1..] {
        std::fs::remove_file(later).map_err(io(later))?;
    }
    sync_dir(dir)?;
    write_head_hint(dir, keep);
    tracing::warn!(kept_through = keep, removed = removed.len(), side_dir = %side_dir.display(), "repair cut the ledger");
    Ok(RepairReport {
        kept_through: keep,
        readable_removed: removed.len() as u64,
        bytes_removed,
        side_dir,
    })
}

fn damaged_before(path: &Path, offset: u64, seq: u64, keep: u64) -> StoreError {
    StoreError::Damaged {
        file: path.to_path_buf(),
        offset,
        seq: Some(seq),
        reason: format!(
            "record seq {seq} is damaged, so the ledger cannot be kept through seq {keep}; truncate after seq {} or earlier",
            seq - 1
        ),
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let f = File::create(path).map_err(io(path))?;
    f.write_all_at(bytes, 0)
        .and_then(|_| f.sync_all())
        .map_err(io(path))
}

/// Appends the readable records of a whole segment file (best effort).
fn read_records(path: &Path, out: &mut Vec<Record>, prev: &mut Hash, expected: &mut u64) {
    let Ok(file) = File::open(path) else { return };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return;
    };
    let end = if read_trailer(&file, len).is_some() {
        len - TRAILER_LEN as u64
    } else {
        len
    };
    let mut cursor = FrameCursor::new(&file, HEADER_LEN as u64, end);
    while let Ok(Step::Frame { meta, event, .. }) = cursor.step() {
        if meta.seq != *expected {
            return;
        }
        out.push(Record {
            seq: meta.seq,
            recorded_at: meta.recorded_at,
            prev: *prev,
            hash: meta.hash,
            event: cursor.chunk().slice(event),
        });
        *prev = meta.hash;
        *expected += 1;
    }
}
