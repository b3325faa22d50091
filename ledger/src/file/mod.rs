//! The embedded file store: the default backend, no server to run.
//!
//! A data directory holds:
//! - `LEDGER`: the ledger's identity (a random id written into every segment);
//! - `LOCK`: held by the one process that may write;
//! - `NNNNNNNNNNNNNNNNNNNN.seg`: append-only segment files named by their first seq
//!   (format in [`format`]).
//!
//! One writer thread owns the active segment. Appends queue up while it
//! syncs; each turn it writes everything queued as one group with one
//! `fdatasync` (group commit), then acknowledges them together. A torn write
//! at the end of the last segment is cut off on open (the cut bytes are kept
//! in a `.torn` side file); damage anywhere else is refused with the file
//! and offset.

mod cursor;
mod directory;
pub mod format;
mod lock;
mod reader;
mod recovery;
pub mod repair;
mod writer;

use crate::record::{EventBatch, Record, RecordMeta};
use crate::store::{EventStore, HashSink, Head, ImportSession, StoreError};
use crate::time::Clock;
use async_trait::async_trait;
use format::LedgerId;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::{oneshot, watch};

/// How to open a [`FileStore`].
#[derive(Clone, Debug)]
pub struct FileStoreOptions {
    /// A segment is sealed and a new one started once it holds this many bytes.
    pub segment_bytes: u64,
    /// Source of `recorded_at`.
    pub clock: Clock,
    /// Open without the lock and without repairing anything: for readers
    /// (verify, export, views) that may run beside a writing process.
    pub read_only: bool,
    /// Test seam: make the next writes or syncs fail.
    pub faults: Option<Arc<Faults>>,
}

impl Default for FileStoreOptions {
    fn default() -> Self {
        Self {
            segment_bytes: 64 << 20,
            clock: Clock::System,
            read_only: false,
            faults: None,
        }
    }
}

/// Injected failures, for tests of what a failing disk does to the store.
#[derive(Debug, Default)]
pub struct Faults {
    /// The next this-many writes fail.
    pub fail_writes: AtomicU32,
    /// The next this-many `fdatasync` calls fail.
    pub fail_syncs: AtomicU32,
}

impl Faults {
    pub(crate) fn take(counter: &AtomicU32) -> bool {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// One segment file, as readers see it.
#[derive(Debug)]
pub(crate) struct Segment {
    pub first_seq: u64,
    /// Hash of the record before the first one (from the header).
    pub prev_hash: crate::chain::Hash,
    pub path: PathBuf,
    /// A read handle (positional reads, shared by all readers).
    pub file: File,
    pub index: Mutex<SegmentIndex>,
}

/// Where records are in a segment: a sparse seq -> offset map.
#[derive(Debug, Default)]
pub(crate) struct SegmentIndex {
    /// (seq, byte offset of its frame), ascending; always holds the first frame
    /// once known, then every [`SPARSE_EVERY`]th seq.
    pub entries: Vec<(u64, u64)>,
    /// Whether `entries` covers every frame up to `end`.
    pub complete: bool,
    /// Where the frames of this segment end (acknowledged ones, or up to the trailer).
    pub end: u64,
}

pub(crate) const SPARSE_EVERY: u64 = 256;

/// State shared by the store handle, its readers and the writer thread.
#[derive(Debug)]
pub(crate) struct Shared {
    pub dir: PathBuf,
    pub ledger_id: LedgerId,
    pub segments: RwLock<Vec<Arc<Segment>>>,
    pub head: watch::Sender<Head>,
    /// For a read-only store over damaged data: reads reaching this seq fail.
    pub damage: Option<(u64, DamageInfo)>,
}

#[derive(Debug, Clone)]
pub(crate) struct DamageInfo {
    pub file: PathBuf,
    pub offset: u64,
    pub reason: String,
}

impl DamageInfo {
    pub fn error(&self, seq: Option<u64>) -> StoreError {
        StoreError::Damaged {
            file: self.file.clone(),
            offset: self.offset,
            seq,
            reason: self.reason.clone(),
        }
    }
}

/// The embedded, file-backed ledger store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FileStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shared: Arc<Shared>,
    requests: Option<std::sync::mpsc::Sender<writer::Request>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    _lock: Option<lock::DirLock>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.requests.take();
        if let Some(w) = self.writer.lock().expect("writer handle").take() {
            let _ = w.join();
        }
    }
}

impl FileStore {
    /// Opens (creating if needed) the ledger in `dir` for writing.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(dir, FileStoreOptions::default())
    }

    /// Opens the ledger in `dir` for reading only (no lock, no repair).
    pub fn open_read_only(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(
            dir,
            FileStoreOptions {
                read_only: true,
                ..FileStoreOptions::default()
            },
        )
    }

    pub fn open_with(dir: impl AsRef<Path>, options: FileStoreOptions) -> Result<Self, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        if options.read_only {
            let opened = recovery::open_read_only(&dir)?;
            let shared = Arc::new(opened.shared);
            return Ok(Self {
                inner: Arc::new(Inner {
                    shared,
                    requests: None,
                    writer: Mutex::new(None),
                    _lock: None,
                }),
            });
        }
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let lock = lock::DirLock::acquire(&dir)?;
        let opened = recovery::open_for_writing(&dir)?;
        let shared = Arc::new(opened.shared);
        let (tx, rx) = std::sync::mpsc::channel();
        let w = writer::Writer::new(shared.clone(), opened.active, options)?;
        let handle = std::thread::Builder::new()
            .name("gpu-ledger-writer".into())
            .spawn(move || w.run(rx))
            .map_err(|e| StoreError::io(&dir, e))?;
        Ok(Self {
            inner: Arc::new(Inner {
                shared,
                requests: Some(tx),
                writer: Mutex::new(Some(handle)),
                _lock: Some(lock),
            }),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.inner.shared.dir
    }

    /// The last acknowledged record, without waiting.
    pub fn head_now(&self) -> Head {
        *self.inner.shared.head.borrow()
    }

    /// Blocking read of up to `max` records from `from_seq` (acknowledged ones).
    pub fn read_blocking(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
        reader::read(&self.inner.shared, from_seq, max)
    }

    /// Paths of the segment files, in seq order (for tests and tools).
    pub fn segment_paths(&self) -> Vec<PathBuf> {
        let segs = self.inner.shared.segments.read().expect("segments lock");
        segs.iter().map(|s| s.path.clone()).collect()
    }

    fn send(&self, req: writer::Request) -> Result<(), StoreError> {
        match &self.inner.requests {
            Some(tx) => tx.send(req).map_err(|_| StoreError::Closed),
            None => Err(StoreError::Invalid(format!(
                "the ledger in {} is open read-only",
                self.dir().display()
            ))),
        }
    }
}

#[async_trait]
impl EventStore for FileStore {
    async fn append(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
    ) -> Result<Vec<RecordMeta>, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.send(writer::Request::Append {
            events,
            expected_seq,
            reply,
        })?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    fn enqueue(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
    ) -> Result<crate::store::Queued, EventBatch> {
        let (reply, rx) = oneshot::channel();
        let sent = self.send(writer::Request::Append {
            events,
            expected_seq,
            reply,
        });
        Ok(Box::pin(async move {
            sent?;
            rx.await.map_err(|_| StoreError::Closed)?
        }))
    }

    fn can_enqueue(&self) -> bool {
        self.inner.requests.is_some()
    }

    async fn head(&self) -> Result<Head, StoreError> {
        Ok(self.head_now())
    }

    async fn read(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
        let shared = self.inner.shared.clone();
        tokio::task::spawn_blocking(move || reader::read(&shared, from_seq, max))
            .await
            .map_err(|e| StoreError::Backend(format!("reader task failed: {e}")))?
    }

    fn follow(&self, after_seq: u64) -> BoxStream<'static, Result<Record, StoreError>> {
        let store = self.clone();
        let rx = self.inner.shared.head.subscribe();
        let state = (store, after_seq + 1, VecDeque::<Record>::new(), rx, false);
        futures::stream::unfold(
            state,
            |(store, mut next, mut buf, mut rx, failed)| async move {
                if failed {
                    return None;
                }
                loop {
                    if let Some(r) = buf.pop_front() {
                        return Some((Ok(r), (store, next, buf, rx, false)));
                    }
                    let head = rx.borrow_and_update().seq;
                    if head >= next {
                        match store.read(next, 4096).await {
                            Ok(records) => {
                                next += records.len() as u64;
                                buf.extend(records);
                                continue;
                            }
                            Err(e) => return Some((Err(e), (store, next, buf, rx, true))),
                        }
                    }
                    if rx.changed().await.is_err() {
                        return None;
                    }
                }
            },
        )
        .boxed()
    }

    async fn begin_import(
        &self,
        expected_seq: Option<u64>,
    ) -> Result<Box<dyn ImportSession>, StoreError> {
        let (chunks_tx, chunks_rx) = tokio::sync::mpsc::channel(4);
        let (started, started_rx) = oneshot::channel();
        let failure = Arc::new(Mutex::new(None));
        self.send(writer::Request::Import {
            expected_seq,
            chunks: chunks_rx,
            started,
            failure: failure.clone(),
        })?;
        started_rx.await.map_err(|_| StoreError::Closed)??;
        Ok(Box::new(FileImport {
            chunks: chunks_tx,
            failure,
        }))
    }

    fn describe(&self) -> String {
        format!("file:{}", self.dir().display())
    }
}

/// A bulk import into the file store: chunks stream to the writer thread,
/// which writes them without acknowledging anything until the commit.
struct FileImport {
    chunks: tokio::sync::mpsc::Sender<writer::ImportMsg>,
    failure: Arc<Mutex<Option<StoreError>>>,
}

impl FileImport {
    fn failed(&self) -> StoreError {
        self.failure
            .lock()
            .expect("failure slot")
            .take()
            .unwrap_or(StoreError::Closed)
    }
}

#[async_trait]
impl ImportSession for FileImport {
    async fn push(&mut self, events: EventBatch) -> Result<(), StoreError> {
        if self
            .chunks
            .send(writer::ImportMsg::Chunk(events))
            .await
            .is_err()
        {
            return Err(self.failed());
        }
        Ok(())
    }

    async fn send_hashes(&mut self, to: HashSink) -> Result<bool, StoreError> {
        if self
            .chunks
            .send(writer::ImportMsg::Hashes(to))
            .await
            .is_err()
        {
            return Err(self.failed());
        }
        Ok(true)
    }

    async fn push_records(&mut self, records: Vec<Record>) -> Result<(), StoreError> {
        if self
            .chunks
            .send(writer::ImportMsg::Records(records))
            .await
            .is_err()
        {
            return Err(self.failed());
        }
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<Head, StoreError> {
        let (reply, rx) = oneshot::channel();
        if self
            .chunks
            .send(writer::ImportMsg::Commit(reply))
            .await
            .is_err()
        {
            return Err(self.failed());
        }
        match rx.await {
            Ok(r) => r,
            Err(_) => Err(self.failed()),
        }
    }

    async fn abort(self: Box<Self>) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        if self
            .chunks
            .send(writer::ImportMsg::Abort(reply))
            .await
            .is_err()
        {
            return Ok(());
        }
        rx.await.unwrap_or(Ok(()))
    }
}
