//! Snapshots of the live state, so that start-up replays only the records
//! written since, not the whole ledger.
//!
//! A snapshot holds the rules' state and every view as of one record, with
//! that record's seq and hash. It is used only if the ledger still has that
//! record with that hash; anything else (a missing, damaged or foreign
//! snapshot) is ignored and the state is rebuilt by replay. Snapshots are
//! derived data: deleting them only costs start-up time.
//!
//! ```text
//! "GLSNAP03" seq:u64 hash:[32] payload_len:u64 crc32c(payload):u32 payload (postcard)
//! ```

use super::LiveLedger;
use gpu_ledger_domain::Programme;
use gpu_ledger_ledger::{EventStore, Hash, StoreError};
use gpu_ledger_projections::Projections;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot is written once this many records were replayed or appended since the last.
pub const SNAPSHOT_AFTER: u64 = 50_000;

/// Where a server keeps its snapshots, and the seq of the last one read or written.
pub(super) struct Snapshots {
    dir: Option<PathBuf>,
    taken: AtomicU64,
}

impl Snapshots {
    pub(super) fn new(state_dir: Option<&Path>) -> Self {
        Self {
            dir: state_dir.map(|d| d.join("snapshots")),
            taken: AtomicU64::new(0),
        }
    }

    pub(super) fn taken_at(self, seq: u64) -> Self {
        self.taken.store(seq, Ordering::SeqCst);
        self
    }

    /// The state of the newest snapshot whose record the ledger still has
    /// with that hash; the empty state if none matches.
    pub(super) async fn newest_matching(
        &self,
        store: &dyn EventStore,
    ) -> Result<super::State, StoreError> {
        if let Some(dir) = &self.dir {
            for snap in newest_first(dir) {
                let record = store.read(snap.seq, 1).await?;
                if record
                    .first()
                    .is_some_and(|r| r.seq == snap.seq && r.hash == snap.hash)
                {
                    tracing::info!(seq = snap.seq, "starting from a snapshot");
                    return Ok((snap.programme, snap.views));
                }
                tracing::warn!(
                    seq = snap.seq,
                    "ignoring a snapshot the ledger no longer matches"
                );
            }
        }
        Ok((Programme::new(), Projections::new()))
    }
}

impl LiveLedger {
    /// Writes a snapshot of the durable state, if this server keeps them.
    /// Appends wait while the rules' state is copied (not while it is written).
    pub async fn write_snapshot(&self) {
        let Some(dir) = self.snapshots.dir.clone() else {
            return;
        };
        let taken = &self.snapshots.taken;
        let (seq, programme, views, paused) = {
            let rules = self.rules.lock().await;
            let held = std::time::Instant::now();
            let Some(seq) = rules.settled_seq() else {
                return;
            };
            if seq == taken.load(Ordering::SeqCst) {
                return;
            }
            // In-flight appends land and the views catch up first (the views
            // follow durable records only, so that is the head too).
            self.views.wait_for(seq).await;
            if self.views.seq() < seq {
                return;
            }
            // Appends wait only while the rules' state is copied; the views
            // are copied after, held at `seq` by this read guard (the stream
            // task waits for it off the runtime's workers).
            let views = self.views.read_guard();
            let programme = rules.programme().clone();
            let paused = held.elapsed();
            drop(rules);
            (seq, programme, views.clone(), paused)
        };
        let hash = match self.store.read(seq, 1).await {
            Ok(r) if r.first().is_some_and(|r| r.seq == seq) => r[0].hash,
            _ => return,
        };
        let written =
            tokio::task::spawn_blocking(move || save(&dir, seq, &hash, &programme, &views)).await;
        match written {
            Ok(Ok(path)) => {
                taken.store(seq, Ordering::SeqCst);
                // How long appends waited for the state to be copied.
                let paused_ms = paused.as_millis() as u64;
                tracing::info!(seq, paused_ms, file = %path.display(), "wrote a snapshot");
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "could not write a snapshot"),
            Err(e) => tracing::warn!(error = %e, "could not write a snapshot"),
        }
    }

    /// Seq of the last snapshot read at start-up or written since (0: none).
    pub fn snapshot_seq(&self) -> u64 {
        self.snapshots.taken.load(Ordering::SeqCst)
    }

    /// Whether enough was appended since the last snapshot to write another.
    pub fn snapshot_due(&self) -> bool {
        let last = self.snapshots.taken.load(Ordering::SeqCst);
        self.views.seq().saturating_sub(last) >= SNAPSHOT_AFTER
    }
}

const MAGIC: &[u8; 8] = b"GLSNAP03";
const HEAD_LEN: usize = 8 + 8 + 32 + 8 + 4;
/// Snapshots kept; older ones are removed.
const KEEP: usize = 2;

#[derive(Serialize)]
struct StateRef<'a> {
    programme: &'a Programme,
    views: &'a Projections,
}

#[derive(Deserialize)]
struct State {
    programme: Programme,
    views: Projections,
}

/// A snapshot read back: the state as of record `seq` (whose hash was `hash`).
pub struct Snapshot {
    pub seq: u64,
    pub hash: Hash,
    pub programme: Programme,
    pub views: Projections,
}

fn file_name(seq: u64) -> String {
    format!("snapshot-{seq:020}.bin")
}

/// Writes a snapshot of the state as of record `seq` (written aside, synced, renamed).
pub fn save(
    dir: &Path,
    seq: u64,
    hash: &Hash,
    programme: &Programme,
    views: &Projections,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let payload =
        postcard::to_stdvec(&StateRef { programme, views }).map_err(std::io::Error::other)?;
    let mut bytes = Vec::with_capacity(HEAD_LEN + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&seq.to_le_bytes());
    bytes.extend_from_slice(&hash.0);
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32c::crc32c(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    let path = dir.join(file_name(seq));
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(&bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    for old in list(dir).into_iter().rev().skip(KEEP) {
        let _ = std::fs::remove_file(old);
    }
    Ok(path)
}

/// Snapshot files, oldest first.
fn list(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("snapshot-") && n.ends_with(".bin"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn read(path: &Path) -> Option<Snapshot> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() < HEAD_LEN || &bytes[..8] != MAGIC {
        return None;
    }
    let seq = u64::from_le_bytes(bytes[8..16].try_into().ok()?);
    let hash = Hash(bytes[16..48].try_into().ok()?);
    let len = u64::from_le_bytes(bytes[48..56].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(bytes[56..60].try_into().ok()?);
    let payload = bytes.get(HEAD_LEN..HEAD_LEN + len)?;
    if crc32c::crc32c(payload) != crc {
        return None;
    }
    let state: State = postcard::from_bytes(payload).ok()?;
    Some(Snapshot {
        seq,
        hash,
        programme: state.programme,
        views: state.views,
    })
}

/// Readable snapshots, newest first (each is read only when reached).
pub fn newest_first(dir: &Path) -> impl Iterator<Item = Snapshot> {
    list(dir).into_iter().rev().filter_map(|path| {
        let s = read(&path);
        if s.is_none() {
            tracing::warn!(file = %path.display(), "ignoring an unreadable snapshot");
        }
        s
    })
}
