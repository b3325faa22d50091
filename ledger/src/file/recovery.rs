//! Opening a data directory: checking every segment fits the chain, and
//! finding where the acknowledged records end.
//!
//! Sealed segments are checked by their header and trailer (identity,
//! continuity), not read in full. The last segment is scanned frame by
//! frame. What follows its last commit frame was never acknowledged: a torn
//! write, cut off (and kept in a `.torn` side file). A bad frame is damage,
//! refused with its file and offset, when it cannot be a torn write: when
//! the `HEAD` hint says it was acknowledged, or when more than one durable
//! write follows it (only the last write can be torn: the writer never
//! starts a write before the previous one is synced).

use super::cursor::{FrameCursor, FrameMeta, Step};
use super::directory::{
    LEDGER_FILE, create_ledger, list_segments, read_head_hint, read_ledger_id, read_trailer,
    sync_dir,
};
use super::format::{
    COMMIT, Decoded, FRAME_MAGIC, HEADER_LEN, LedgerId, MID_GROUP, SegmentHeader, TRAILER_LEN,
    Trailer, decode_frame,
};
use super::{DamageInfo, SPARSE_EVERY, Segment, SegmentIndex, Shared};
use crate::chain::Hash;
use crate::store::{Head, StoreError};
use crate::time::RecordedAt;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// The segment the writer appends to, as open found it.
pub(crate) struct Active {
    pub seg: Arc<Segment>,
    pub file: File,
    /// Bytes of acknowledged data (header and frames).
    pub len: u64,
    pub frames: u64,
    pub commit_frames: u32,
    /// Sealed already: the writer starts a new segment before writing.
    pub sealed: bool,
}

pub(crate) struct Opened {
    pub shared: Shared,
    pub active: Option<Active>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Read,
}

pub(crate) fn damaged(
    file: &Path,
    offset: u64,
    seq: Option<u64>,
    reason: impl Into<String>,
) -> StoreError {
    StoreError::Damaged {
        file: file.to_path_buf(),
        offset,
        seq,
        reason: reason.into(),
    }
}

// ------------------------------------------------------------ segments

/// The first seq that cannot be read, and why.
type Damage = (u64, DamageInfo);

/// Segments loaded at open, and the damage that stopped loading (read-only).
type Loading = (Vec<Loaded>, Option<Damage>);

struct Loaded {
    path: PathBuf,
    header: SegmentHeader,
    file: File,
    len: u64,
    trailer: Option<Trailer>,
    /// Where frames end: before the trailer, or at the end of the file.
    frames_end: u64,
}

/// The result of scanning a segment's frames.
struct Scan {
    /// Offset just past the last commit frame (or the header).
    committed_end: u64,
    last_commit: Option<FrameMeta>,
    commit_frames: u32,
    committed_frames: u64,
    entries: Vec<(u64, u64)>,
    /// The first frame that is bad or cut short, if frames stop before the end.
    stop: Option<(u64, String)>,
    /// Seq of the first record after the last commit frame.
    stop_seq: u64,
    /// Seq the stopping frame should have had.
    bad_seq: u64,
}

fn scan(seg: &Loaded, end: u64) -> Result<Scan, StoreError> {
    let mut cursor = FrameCursor::new(&seg.file, HEADER_LEN as u64, end.max(HEADER_LEN as u64));
    let mut s = Scan {
        committed_end: HEADER_LEN as u64,
        last_commit: None,
        commit_frames: 0,
        committed_frames: 0,
        entries: Vec::new(),
        stop: None,
        stop_seq: seg.header.first_seq,
        bad_seq: seg.header.first_seq,
    };
    let mut pending_entries = Vec::new();
    let mut frames_since_commit = 0u64;
    let mut expected = seg.header.first_seq;
    loop {
        match cursor.step().map_err(|e| StoreError::io(&seg.path, e))? {
            Step::End => break,
            Step::Bad { offset, reason } => {
                s.stop = Some((offset, reason));
                break;
            }
            Step::Truncated { offset } => {
                s.stop = Some((offset, "the last record is cut short".into()));
                break;
            }
            Step::Frame { offset, meta, .. } => {
                if meta.seq != expected {
                    s.stop = Some((
                        offset,
                        format!("record seq {} where seq {expected} was expected", meta.seq),
                    ));
                    break;
                }
                if meta.seq == seg.header.first_seq || meta.seq % SPARSE_EVERY == 0 {
                    pending_entries.push((meta.seq, offset));
                }
                frames_since_commit += 1;
                expected += 1;
                if meta.flags & COMMIT != 0 {
                    s.committed_end = offset + meta.len as u64;
                    s.last_commit = Some(meta);
                    s.commit_frames += 1;
                    s.committed_frames += frames_since_commit;
                    frames_since_commit = 0;
                    s.entries.append(&mut pending_entries);
                }
            }
        }
    }
    s.stop_seq = s
        .last_commit
        .map(|m| m.seq + 1)
        .unwrap_or(seg.header.first_seq);
    s.bad_seq = expected;
    Ok(s)
}

/// Valid commit frames after `from`, with a seq beyond `after_seq`.
fn commits_after(
    seg: &Loaded,
    from: u64,
    end: u64,
    after_seq: u64,
) -> Result<Vec<FrameMeta>, StoreError> {
    let start = from + 1;
    if start >= end {
        return Ok(Vec::new());
    }
    let mut buf = vec![0u8; (end - start) as usize];
    seg.file
        .read_exact_at(&mut buf, start)
        .map_err(|e| StoreError::io(&seg.path, e))?;
    let magic = FRAME_MAGIC.to_le_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 4 <= buf.len() {
        if buf[i..i + 4] == magic
            && let Decoded::Frame(f) = decode_frame(&buf[i..])
        {
            if f.flags & COMMIT != 0 && f.seq > after_seq {
                found.push(FrameMeta {
                    flags: f.flags,
                    seq: f.seq,
                    recorded_at: f.recorded_at,
                    hash: f.hash,
                    len: f.len,
                });
            }
            i += f.len;
            continue;
        }
        i += 1;
    }
    Ok(found)
}

pub(crate) fn open_for_writing(dir: &Path) -> Result<Opened, StoreError> {
    let id = match read_ledger_id(dir)? {
        Some(id) => id,
        None if list_segments(dir)?.is_empty() => create_ledger(dir)?,
        None => {
            return Err(damaged(
                &dir.join(LEDGER_FILE),
                0,
                None,
                "the ledger identity file is missing but segment files exist",
            ));
        }
    };
    open(dir, id, Mode::Write)
}

pub(crate) fn open_read_only(dir: &Path) -> Result<Opened, StoreError> {
    match read_ledger_id(dir)? {
        Some(id) => open(dir, id, Mode::Read),
        None => Err(StoreError::Invalid(format!(
            "there is no ledger in {} (no LEDGER file); import one first",
            dir.display()
        ))),
    }
}

fn open(dir: &Path, ledger_id: LedgerId, mode: Mode) -> Result<Opened, StoreError> {
    let (mut segs, mut damage) = load_segments(dir, ledger_id, mode)?;
    drop_uncommitted_import(dir, &mut segs, mode)?;

    let mut head = Head::default();
    let mut active_info = None;
    if let Some(last) = segs.last_mut() {
        match &last.trailer {
            Some(t) if t.flags & MID_GROUP == 0 => {
                head = Head {
                    seq: t.last_seq,
                    hash: t.last_hash,
                    recorded_at: Some(t.last_recorded_at),
                };
                active_info = Some((last.len, t.frames, t.commit_frames, true, None));
            }
            _ => {
                // Unsealed, or sealed in the middle of an import that never committed.
                last.trailer = None;
                let (found, scan, tail_damage) = scan_last(dir, last, mode)?;
                if tail_damage.is_some() {
                    damage = tail_damage;
                }
                head = found.unwrap_or(Head {
                    seq: last.header.first_seq - 1,
                    hash: last.header.prev_hash,
                    recorded_at: None,
                });
                if head.recorded_at.is_none() && segs.len() > 1 {
                    head.recorded_at = segs[segs.len() - 2]
                        .trailer
                        .as_ref()
                        .map(|t| t.last_recorded_at);
                }
                let last = segs.last().expect("non-empty");
                active_info = Some((
                    last.frames_end,
                    scan.committed_frames,
                    scan.commit_frames,
                    false,
                    Some(scan.entries),
                ));
            }
        }
    }

    let n = segs.len();
    let mut readers: Vec<Arc<Segment>> = Vec::with_capacity(n);
    let mut active = None;
    for (i, seg) in segs.into_iter().enumerate() {
        let is_last = i + 1 == n;
        let index = match (is_last, &mut active_info) {
            (true, Some((end, _, _, false, entries))) => SegmentIndex {
                entries: entries.take().unwrap_or_default(),
                complete: damage.is_none(),
                end: *end,
            },
            _ => SegmentIndex {
                entries: Vec::new(),
                complete: false,
                end: seg.frames_end,
            },
        };
        let segment = Arc::new(Segment {
            first_seq: seg.header.first_seq,
            prev_hash: seg.header.prev_hash,
            path: seg.path.clone(),
            file: seg.file,
            index: Mutex::new(index),
        });
        if is_last && mode == Mode::Write {
            let (len, frames, commit_frames, sealed, _) =
                active_info.take().expect("set for the last segment");
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&seg.path)
                .map_err(|e| StoreError::io(&seg.path, e))?;
            active = Some(Active {
                seg: segment.clone(),
                file,
                len,
                frames,
                commit_frames,
                sealed,
            });
        }
        readers.push(segment);
    }
    let (head_tx, _) = tokio::sync::watch::channel(head);
    Ok(Opened {
        shared: Shared {
            dir: dir.to_path_buf(),
            ledger_id,
            segments: RwLock::new(readers),
            head: head_tx,
            damage,
        },
        active,
    })
}

/// Reads every segment's header (and the trailer of all but the last) and
/// checks they form one chain of this ledger. A read-only open stops at the
/// first problem and remembers it; a writing open refuses it.
fn load_segments(dir: &Path, ledger_id: LedgerId, mode: Mode) -> Result<Loading, StoreError> {
    let names = list_segments(dir)?;
    let count = names.len();
    let mut segs: Vec<Loaded> = Vec::with_capacity(count);
    for (i, (name_seq, path)) in names.into_iter().enumerate() {
        let is_last = i + 1 == count;
        let file = File::open(&path).map_err(|e| StoreError::io(&path, e))?;
        let len = file.metadata().map_err(|e| StoreError::io(&path, e))?.len();
        let mut head_bytes = vec![0u8; HEADER_LEN.min(len as usize)];
        file.read_exact_at(&mut head_bytes, 0)
            .map_err(|e| StoreError::io(&path, e))?;
        let next_seq = segs
            .last()
            .and_then(|s| s.trailer.as_ref())
            .map(|t| t.last_seq + 1)
            .unwrap_or(1);
        let fail = |offset: u64, reason: String| damaged(&path, offset, Some(next_seq), reason);
        let header = match SegmentHeader::decode(&head_bytes) {
            Ok(h) => h,
            Err(_)
                if is_last
                    && i > 0
                    && (len < HEADER_LEN as u64 || head_bytes.iter().all(|&b| b == 0)) =>
            {
                // Its creation was cut short by a crash: nothing was ever in it.
                if mode == Mode::Write {
                    tracing::warn!(file = %path.display(), "removing a segment file whose creation did not finish");
                    std::fs::remove_file(&path).map_err(|e| StoreError::io(&path, e))?;
                }
                break;
            }
            Err(reason) => return stop(mode, segs, next_seq, fail(0, reason)),
        };
        let problem = if header.ledger_id != ledger_id {
            Some(format!(
                "this segment belongs to another ledger (id {}, this ledger is {})",
                hex::encode(header.ledger_id),
                hex::encode(ledger_id)
            ))
        } else if header.first_seq != name_seq {
            Some(format!(
                "its header says it starts at seq {}, its name says {name_seq}",
                header.first_seq
            ))
        } else {
            match segs.last().and_then(|s| s.trailer.as_ref()) {
                None if header.first_seq != 1 || header.prev_hash != Hash::ZERO => Some(format!(
                    "the first segment starts at seq {}: the segments before it are missing",
                    header.first_seq
                )),
                Some(t)
                    if header.first_seq != t.last_seq + 1 || header.prev_hash != t.last_hash =>
                {
                    Some(format!(
                        "it starts at seq {} but the segment before it ends at seq {}: a segment is missing or out of place",
                        header.first_seq, t.last_seq
                    ))
                }
                _ => None,
            }
        };
        if let Some(reason) = problem {
            return stop(mode, segs, next_seq, fail(0, reason));
        }
        let trailer = read_trailer(&file, len);
        let frames_end = if trailer.is_some() {
            len - TRAILER_LEN as u64
        } else {
            len
        };
        let sealed_expected = !is_last && trailer.is_none();
        segs.push(Loaded {
            path: path.clone(),
            header,
            file,
            len,
            trailer,
            frames_end,
        });
        if sealed_expected {
            // Readable up to where its frames stop, then damaged.
            let seg = segs.last().expect("just pushed");
            let s = scan(seg, seg.len)?;
            let offset = s.stop.as_ref().map(|x| x.0).unwrap_or(seg.len);
            let e = damaged(
                &path,
                offset,
                Some(s.bad_seq),
                "this sealed segment is cut short (its trailer is missing) although later segments follow it",
            );
            if mode == Mode::Write {
                return Err(e);
            }
            return Ok((segs, Some((s.bad_seq, damage_info(e)))));
        }
    }
    Ok((segs, None))
}

/// Ends loading at a damaged segment: an error when writing, a remembered
/// damage (at the first seq that cannot be read) when reading.
fn stop(
    mode: Mode,
    segs: Vec<Loaded>,
    next_seq: u64,
    e: StoreError,
) -> Result<Loading, StoreError> {
    if mode == Mode::Write {
        return Err(e);
    }
    Ok((segs, Some((next_seq, damage_info(e)))))
}

/// Segments created by an import that a crash interrupted hold no commit
/// frame; they go, and the segment the import started in loses its trailer
/// (its uncommitted frames are cut when it is scanned).
fn drop_uncommitted_import(
    dir: &Path,
    segs: &mut Vec<Loaded>,
    mode: Mode,
) -> Result<(), StoreError> {
    while segs.len() > 1 {
        let last = segs.last().expect("len > 1");
        if last.header.flags & MID_GROUP == 0 {
            break;
        }
        let no_commits = match &last.trailer {
            Some(t) => t.commit_frames == 0,
            None => scan(last, last.frames_end)?.commit_frames == 0,
        };
        if !no_commits {
            break;
        }
        if mode == Mode::Write {
            tracing::warn!(file = %last.path.display(), "removing a segment written by an import that never committed");
            std::fs::remove_file(&last.path).map_err(|e| StoreError::io(&last.path, e))?;
        }
        segs.pop();
        let prev = segs.last_mut().expect("len > 1");
        prev.trailer = None;
        prev.frames_end = prev.len - TRAILER_LEN as u64;
        if mode == Mode::Write {
            let rw = OpenOptions::new()
                .write(true)
                .open(&prev.path)
                .map_err(|e| StoreError::io(&prev.path, e))?;
            rw.set_len(prev.frames_end)
                .and_then(|_| rw.sync_all())
                .map_err(|e| StoreError::io(&prev.path, e))?;
            prev.len = prev.frames_end;
            sync_dir(dir)?;
        }
    }
    Ok(())
}

/// Scans the last segment: its last acknowledged record, and whether a bad
/// frame in it is a torn write (cut when writing) or damage.
fn scan_last(
    dir: &Path,
    seg: &mut Loaded,
    mode: Mode,
) -> Result<(Option<Head>, Scan, Option<Damage>), StoreError> {
    let end = seg.frames_end;
    let s = scan(seg, end)?;
    let mut last_commit = s.last_commit;
    let mut committed_end = s.committed_end;
    let mut damage = None;
    if let Some((offset, reason)) = &s.stop {
        let after = s
            .last_commit
            .map(|m| m.seq)
            .unwrap_or(seg.header.first_seq - 1);
        let later = commits_after(seg, *offset, end, after)?;
        let acknowledged = read_head_hint(dir) >= s.stop_seq || later.len() >= 2;
        if acknowledged {
            let e = damaged(&seg.path, *offset, Some(s.bad_seq), reason.clone());
            if mode == Mode::Write {
                return Err(e);
            }
            damage = Some((s.bad_seq, damage_info(e)));
            if let Some(last) = later.last() {
                last_commit = Some(*last);
                committed_end = end;
            }
        }
    }
    if mode == Mode::Write && committed_end < seg.len {
        cut_tail(seg, committed_end, s.stop.as_ref().map(|x| x.1.as_str()))?;
        seg.len = committed_end;
    }
    seg.frames_end = committed_end;
    let head = last_commit.map(|m| Head {
        seq: m.seq,
        hash: m.hash,
        recorded_at: Some(m.recorded_at),
    });
    Ok((head, s, damage))
}

fn damage_info(e: StoreError) -> DamageInfo {
    match e {
        StoreError::Damaged {
            file,
            offset,
            reason,
            ..
        } => DamageInfo {
            file,
            offset,
            reason,
        },
        other => DamageInfo {
            file: PathBuf::new(),
            offset: 0,
            reason: other.to_string(),
        },
    }
}

/// Cuts a segment back to `end`, keeping what was cut in a side file.
fn cut_tail(seg: &Loaded, end: u64, why: Option<&str>) -> Result<(), StoreError> {
    let cut = seg.len - end;
    if cut == 0 {
        return Ok(());
    }
    let mut bytes = vec![0u8; cut as usize];
    seg.file
        .read_exact_at(&mut bytes, end)
        .map_err(|e| StoreError::io(&seg.path, e))?;
    let stamp = RecordedAt::from_micros(chrono::Utc::now().timestamp_micros()).micros();
    let side = seg.path.with_extension(format!("seg.torn-{end}-{stamp}"));
    std::fs::write(&side, &bytes).map_err(|e| StoreError::io(&side, e))?;
    let rw = OpenOptions::new()
        .write(true)
        .open(&seg.path)
        .map_err(|e| StoreError::io(&seg.path, e))?;
    rw.set_len(end)
        .and_then(|_| rw.sync_all())
        .map_err(|e| StoreError::io(&seg.path, e))?;
    tracing::warn!(
        file = %seg.path.display(),
        offset = end,
        bytes = cut,
        kept_in = %side.display(),
        reason = why.unwrap_or("records after the last durable write"),
        "cut off an unfinished write at the end of the ledger"
    );
    Ok(())
}
