//! Importing a file of event bodies into a store, all or nothing.
//!
//! The file streams through a pipeline, so memory stays flat whatever its size:
//!
//! ```text
//! reader thread --chunks of lines--> parser threads (decode, canonicalise)
//!     --in order--> this thread (the rules, against the state so far)
//!     --batches--> the store's import (hash chain, frames, one sync at the end)
//! ```
//!
//! The first refused line stops everything: the import is aborted and the
//! ledger is left exactly as it was. A store whose imports are not all or
//! nothing (EventStoreDB) gets the file only after a first pass has checked
//! all of it against the rules, so a bad line never leaves half a file in.
//! The state the rules start from is the ledger's, replayed by the one fold.
//!
//! An import leaves beside the ledger what a server would otherwise rebuild
//! at its first start: the Merkle tree's node files and, for an import into
//! an empty ledger, a snapshot of the rules' state and the views, which are
//! folded on a thread of their own from the events the rules took (see
//! [`leave_state`]). Onto a ledger that already had records, the views of
//! the earlier part are not at hand, so the server starts from its own last
//! snapshot and replays the rest. Into an empty ledger the Merkle tree too
//! is built beside the import, from the record hashes the store sends as it
//! frames them ([`MerkleFold`]), so that leaving it reads nothing back. Both
//! are derived data; failing to write them fails
//! nothing, it only costs the next start its replay.

mod lines;

pub use lines::LINES_PER_CHUNK;

use crate::progress::Progress;
use gpu_ledger_domain::{Event, EventError, Programme, RuleError};
use gpu_ledger_ledger::merkle::leaf_hash;
use gpu_ledger_ledger::merkle::levels::Levels;
use gpu_ledger_ledger::{EventStore, Hash, Head, StoreError};
use gpu_ledger_projections::Projections;
use gpu_ledger_replay::{RebuildError, Source, rebuild_programme};
use lines::{ParsedChunk, RawChunk, parse_chunks, read_chunks};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Why a line was refused.
#[derive(Debug)]
pub enum LineFault {
    Event(EventError),
    Rule(RuleError),
}

/// Why a file was not imported; nothing of it was appended.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Line `line` (from 1) is not a valid event, or breaks a rule.
    #[error("line {line}: {}", match fault { LineFault::Event(e) => e.to_string(), LineFault::Rule(e) => e.to_string() })]
    Refused { line: u64, fault: LineFault },
    /// The ledger's head is not where the caller expected.
    #[error("the ledger's head is at seq {}, not the expected {expected}", head.seq)]
    Conflict { expected: u64, head: Head },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The ledger already there does not replay.
    #[error(transparent)]
    Replay(#[from] RebuildError),
    /// The import failed, and the store could not take back what it took.
    #[error("{error}; {abort}")]
    Aborted {
        error: Box<ImportError>,
        abort: StoreError,
    },
    #[error("{0}")]
    Failed(String),
}

/// Imports `path` into `store` all or nothing: (events appended, new head).
/// With `state_dir` (where a server keeps its derived files), an import into
/// an empty ledger leaves its snapshot and Merkle tree there.
pub async fn import_into(
    store: Arc<dyn EventStore>,
    path: &Path,
    expected_seq: Option<u64>,
    json: bool,
    state_dir: Option<&Path>,
) -> Result<(u64, Head), ImportError> {
    let size = std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| ImportError::Failed(format!("cannot read {}: {e}", path.display())))?;
    let head = store.head().await?;
    if let Some(expected) = expected_seq
        && expected != head.seq
    {
        return Err(ImportError::Conflict { expected, head });
    }
    let mut programme = if head.seq == 0 {
        Programme::new()
    } else {
        let progress = Progress::new(json, Some(head.seq), "reading the ledger");
        let p =
            rebuild_programme(&mut Source::store(store.clone()), |n| progress.update(n, n)).await?;
        progress.finish();
        p
    };
    if !store.atomic_import() {
        let progress = Progress::new(json, Some(size), "checking");
        let checked = import_file(
            None,
            path,
            &mut programme.clone(),
            head,
            Beside::default(),
            &progress,
        )
        .await;
        progress.finish();
        checked?;
    }
    let progress = Progress::new(json, Some(size), "importing");
    // Into an empty ledger, the derived files are built beside the import.
    let fresh = state_dir.filter(|_| head.seq == 0);
    let views = fresh.map(|_| views_fold());
    let merkle = fresh.map(|d| MerkleFold::start(&d.join("merkle")));
    let result = import_file(
        Some(store.clone()),
        path,
        &mut programme,
        head,
        Beside {
            views: views.as_ref().map(Fold::sender),
            hashes: merkle.as_ref().map(|m| m.fold.sender()),
        },
        &progress,
    )
    .await;
    progress.finish();
    let (appended, new_head) = match result {
        Ok(done) => done,
        Err(e) => {
            if let Some(merkle) = merkle {
                merkle.discard();
            }
            return Err(e);
        }
    };
    if let Some(dir) = state_dir {
        let state = views.map(|v| (programme, v.finish()));
        let tree = merkle.and_then(|m| m.finish(&new_head));
        if let Err(e) = leave_state(store, dir, new_head, state, tree).await {
            eprintln!(
                "gpu-ledger: warning: imported, but could not leave the server's derived files in {} ({e}); the next start replays the ledger instead",
                dir.display()
            );
        }
    }
    Ok((appended, new_head))
}

/// Work on a thread of its own beside the import, fed in order through a
/// bounded channel (a slow fold holds the import back, nothing piles up).
struct Fold<T, R> {
    tx: SyncSender<T>,
    thread: std::thread::JoinHandle<R>,
}

impl<T: Send + 'static, R: Send + 'static> Fold<T, R> {
    fn start(work: impl FnOnce(Receiver<T>) -> R + Send + 'static) -> Self {
        let (tx, rx) = sync_channel::<T>(4);
        let thread = std::thread::spawn(move || work(rx));
        Self { tx, thread }
    }

    fn sender(&self) -> SyncSender<T> {
        self.tx.clone()
    }

    /// What the work made of everything sent, once every sender is gone.
    fn finish(self) -> R {
        drop(self.tx);
        self.thread
            .join()
            .expect("a fold beside the import does not panic")
    }
}

/// The views folded beside an import into an empty ledger, from the events
/// the rules took.
fn views_fold() -> Fold<Vec<Event>, Projections> {
    Fold::start(|rx| {
        let mut views = Projections::new();
        let mut seq = 0;
        for events in rx {
            for event in &events {
                seq += 1;
                views.apply(seq, event);
            }
        }
        views
    })
}

/// The Merkle tree built beside the import from the record hashes the
/// store sends, so that leaving it reads nothing back. Its node files are
/// written as it grows, so its memory stays flat; an import that does not
/// commit takes them away again. One killed before its commit leaves them
/// behind, which is safe: a tree is trusted for no more leaves than the
/// ledger has records, and only while its last leaf is the ledger's.
struct MerkleFold {
    fold: Fold<Vec<Hash>, std::io::Result<Levels>>,
    dir: PathBuf,
}

impl MerkleFold {
    /// The tree of an import into an empty ledger, written to `dir`.
    fn start(dir: &Path) -> Self {
        let mut tree = Levels::empty_at(dir);
        let fold = Fold::start(move |rx: Receiver<Vec<Hash>>| {
            for hashes in rx {
                for hash in &hashes {
                    tree.push_record_flushing(hash)?;
                }
            }
            Ok(tree)
        });
        Self {
            fold,
            dir: dir.to_path_buf(),
        }
    }

    /// The tree, if it is the tree of the ledger whose head is `head`; else
    /// none, and the tree is built from the ledger instead (a store that
    /// sent no hashes, a failed write).
    fn finish(self, head: &Head) -> Option<Levels> {
        self.fold.finish().ok().filter(|tree| {
            tree.len() == head.seq && tree.last_leaf() == Some(leaf_hash(&head.hash.0))
        })
    }

    /// Takes away what was written for an import that did not commit: the
    /// ledger is empty again, and so is its tree.
    fn discard(self) {
        let _ = self.fold.finish();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Writes what a server's first start would rebuild: the Merkle tree's
/// node files up to `head` (`tree` when built beside the import, else from
/// the ledger), and with `state` (the rules' state and the views at `head`)
/// its snapshot, both at once.
async fn leave_state(
    store: Arc<dyn EventStore>,
    dir: &Path,
    head: Head,
    state: Option<(Programme, Projections)>,
    tree: Option<Levels>,
) -> Result<(), String> {
    let snapshots = dir.join("snapshots");
    let snapshot = tokio::task::spawn_blocking(move || match state {
        Some((programme, views)) => crate::server::live::snapshot::save(
            &snapshots, head.seq, &head.hash, &programme, &views,
        )
        .map(|_| ()),
        None => Ok(()),
    });
    let merkle_dir = dir.join("merkle");
    let merkle = async {
        match tree {
            Some(mut tree) => tokio::task::spawn_blocking(move || tree.flush())
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string()),
            None => gpu_ledger_replay::proof::merkle_tree(store.as_ref(), &merkle_dir, true)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        }
    };
    let (snapshot, merkle) = tokio::join!(snapshot, merkle);
    snapshot
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("the snapshot: {e}"))?;
    merkle.map_err(|e| format!("the Merkle tree: {e}"))?;
    Ok(())
}

/// What is built beside an import from what it takes.
#[derive(Default)]
struct Beside {
    /// The events the rules took, in order.
    views: Option<SyncSender<Vec<Event>>>,
    /// The record hashes the store makes, if it sends them.
    hashes: Option<gpu_ledger_ledger::store::HashSink>,
}

/// Streams `path` through the rules into `store`, or only through the rules
/// when `store` is `None`; the events the rules took go on to
/// `beside.views`, the store's record hashes to `beside.hashes`.
async fn import_file(
    store: Option<Arc<dyn EventStore>>,
    path: &Path,
    programme: &mut Programme,
    head: Head,
    beside: Beside,
    progress: &Progress,
) -> Result<(u64, Head), ImportError> {
    let Beside { views, hashes } = beside;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let (raw_txs, raw_rxs): (Vec<_>, Vec<_>) = (0..workers)
        .map(|_| sync_channel::<Result<RawChunk, String>>(2))
        .unzip();
    let (parsed_txs, parsed_rxs): (Vec<_>, Vec<_>) = (0..workers)
        .map(|_| sync_channel::<Result<ParsedChunk, String>>(2))
        .unzip();
    let reader = {
        let path = path.to_path_buf();
        std::thread::Builder::new()
            .name("import-reader".into())
            .spawn(move || read_chunks(&path, raw_txs))
            .map_err(|e| ImportError::Failed(format!("cannot start a thread: {e}")))?
    };
    for (rx, tx) in raw_rxs.into_iter().zip(parsed_txs) {
        std::thread::Builder::new()
            .name("import-parser".into())
            .spawn(move || parse_chunks(rx, tx))
            .map_err(|e| ImportError::Failed(format!("cannot start a thread: {e}")))?;
    }

    let mut session = match &store {
        Some(store) => Some(store.begin_import(Some(head.seq)).await?),
        None => None,
    };
    if let (Some(session), Some(hashes)) = (session.as_mut(), hashes) {
        session.send_hashes(hashes).await?;
    }
    let mut appended = 0u64;
    let mut bytes = 0u64;
    let outcome: Result<(), ImportError> = 'chunks: {
        for k in 0.. {
            let chunk = match parsed_rxs[k % workers].recv() {
                Ok(Ok(c)) => c,
                Ok(Err(message)) => break 'chunks Err(ImportError::Failed(message)),
                Err(_) => break,
            };
            for (i, event) in chunk.events.iter().enumerate() {
                if let Err(e) = programme.accept(event) {
                    break 'chunks Err(ImportError::Refused {
                        line: chunk.first_line + i as u64,
                        fault: LineFault::Rule(e),
                    });
                }
            }
            if let Some((line, e)) = chunk.error {
                break 'chunks Err(ImportError::Refused {
                    line,
                    fault: LineFault::Event(e),
                });
            }
            appended += chunk.events.len() as u64;
            bytes += chunk.bytes;
            if let Some(session) = session.as_mut()
                && let Err(e) = session.push(chunk.batch).await
            {
                break 'chunks Err(e.into());
            }
            if let Some(views) = &views {
                let _ = views.send(chunk.events);
            }
            progress.update(bytes, appended);
        }
        Ok(())
    };
    drop(parsed_rxs);
    match (outcome, session) {
        (Ok(()), session) => {
            let _ = reader.join();
            let head = match session {
                Some(session) => session.commit().await?,
                None => head,
            };
            Ok((appended, head))
        }
        (Err(e), Some(session)) => match session.abort().await {
            Ok(()) => Err(e),
            // A store that cannot take back what it took says what stays.
            Err(abort) => Err(ImportError::Aborted {
                error: Box::new(e),
                abort,
            }),
        },
        (Err(e), None) => Err(e),
    }
}
