//! The files of a data directory besides its records: the ledger's
//! identity (`LEDGER`), the `HEAD` hint of the last acknowledged seq, the
//! segment files and their trailers, and the directory syncs that make a
//! new or renamed file durable.

use super::format::{
    HEADER_LEN, LedgerId, SegmentHeader, TRAILER_LEN, Trailer, parse_segment_file_name,
    segment_file_name, u32le,
};
use super::recovery::damaged;
use crate::chain::Hash;
use crate::store::StoreError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

pub(crate) const LEDGER_FILE: &str = "LEDGER";
const HEAD_HINT_FILE: &str = "HEAD";

pub(crate) fn read_ledger_id(dir: &Path) -> Result<Option<LedgerId>, StoreError> {
    let path = dir.join(LEDGER_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(&path, e)),
    };
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        damaged(
            &path,
            0,
            None,
            format!("not a gpu-ledger identity file: {e}"),
        )
    })?;
    let id = v
        .get("ledger_id")
        .and_then(|x| x.as_str())
        .and_then(|s| hex::decode(s).ok())
        .and_then(|b| <LedgerId>::try_from(b).ok())
        .ok_or_else(|| damaged(&path, 0, None, "no valid ledger_id in the identity file"))?;
    Ok(Some(id))
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, e))
}

/// A new, empty ledger: its identity and its first segment.
pub(crate) fn create_ledger(dir: &Path) -> Result<LedgerId, StoreError> {
    let mut id: LedgerId = [0; 16];
    getrandom::fill(&mut id)
        .map_err(|e| StoreError::Backend(format!("no randomness for a ledger id: {e}")))?;
    let text = serde_json::json!({"format": "gpu-ledger file store", "version": 1, "ledger_id": hex::encode(id)});
    let tmp = dir.join("LEDGER.tmp");
    let mut f = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
    f.write_all(format!("{text}\n").as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| StoreError::io(&tmp, e))?;
    create_segment(dir, id, 1, Hash::ZERO, 0)?;
    std::fs::rename(&tmp, dir.join(LEDGER_FILE))
        .map_err(|e| StoreError::io(dir.join(LEDGER_FILE), e))?;
    sync_dir(dir)?;
    Ok(id)
}

/// Creates a segment file with its header, synced (the directory is not).
pub(crate) fn create_segment(
    dir: &Path,
    ledger_id: LedgerId,
    first_seq: u64,
    prev_hash: Hash,
    flags: u32,
) -> Result<(PathBuf, File), StoreError> {
    let path = dir.join(segment_file_name(first_seq));
    let header = SegmentHeader {
        flags,
        ledger_id,
        first_seq,
        prev_hash,
    };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| StoreError::io(&path, e))?;
    file.write_all_at(&header.encode(), 0)
        .and_then(|_| file.sync_data())
        .map_err(|e| StoreError::io(&path, e))?;
    Ok((path, file))
}

/// The `HEAD` hint: a recent acknowledged seq, written without syncing. It
/// only ever lowers the bar for calling a bad frame damage; a missing or
/// garbled hint is ignored.
pub(crate) fn write_head_hint(dir: &Path, seq: u64) {
    let mut b = [0u8; 12];
    b[..8].copy_from_slice(&seq.to_le_bytes());
    let crc = crc32c::crc32c(&b[..8]);
    b[8..].copy_from_slice(&crc.to_le_bytes());
    let tmp = dir.join("HEAD.tmp");
    if std::fs::write(&tmp, b).is_ok() {
        let _ = std::fs::rename(&tmp, dir.join(HEAD_HINT_FILE));
    }
}

pub(crate) fn read_head_hint(dir: &Path) -> u64 {
    match std::fs::read(dir.join(HEAD_HINT_FILE)) {
        Ok(b) if b.len() == 12 && u32le(&b, 8) == crc32c::crc32c(&b[..8]) => {
            super::format::u64le(&b, 0)
        }
        _ => 0,
    }
}

pub(crate) fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, StoreError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))? {
        let entry = entry.map_err(|e| StoreError::io(dir, e))?;
        let name = entry.file_name();
        if let Some(seq) = name.to_str().and_then(parse_segment_file_name) {
            out.push((seq, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

pub(crate) fn read_trailer(file: &File, len: u64) -> Option<Trailer> {
    if len < (HEADER_LEN + TRAILER_LEN) as u64 {
        return None;
    }
    let mut b = [0u8; TRAILER_LEN];
    file.read_exact_at(&mut b, len - TRAILER_LEN as u64).ok()?;
    Trailer::decode(&b)
}
