//! Stores as the tests set them up: small segments, histories turned into
//! the canonical bytes a store holds, and the file store shared the way
//! several servers share an EventStoreDB stream.

use async_trait::async_trait;
use futures::stream::BoxStream;
use gpu_ledger_domain::{Programme, decode_event};
use gpu_ledger_ledger::{
    EventBatch, EventStore, FileStore, FileStoreOptions, Head, ImportSession, Record, RecordMeta,
    StoreError,
};

/// Segments of 4 KiB: a few dozen records make many segment files.
pub fn small_segments() -> FileStoreOptions {
    FileStoreOptions {
        segment_bytes: 4096,
        ..FileStoreOptions::default()
    }
}

/// The canonical bytes of one event body.
pub fn canonical(line: &str) -> Vec<u8> {
    decode_event(line.as_bytes())
        .unwrap_or_else(|e| panic!("{e}: {line}"))
        .canonical_json()
}

/// The lines as one batch of canonical events, each first accepted by the
/// rules in order, as `import` would.
pub fn accepted_batch(lines: &[String]) -> EventBatch {
    let mut batch = EventBatch::new();
    let mut rules = Programme::new();
    for (n, line) in lines.iter().enumerate() {
        let event = decode_event(line.as_bytes()).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        rules
            .accept(&event)
            .unwrap_or_else(|e| panic!("line {} is refused: {e}", n + 1));
        batch.push(&event.canonical_json());
    }
    batch
}

/// The file store as another backend uses it, to run the paths only that
/// backend takes.
pub struct FileStoreAs {
    pub store: FileStore,
    pub imports: Imports,
}

/// How imports reach the store.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Imports {
    /// All or nothing, as the file store does.
    Atomic,
    /// Each push appended at once, as on EventStoreDB: an import cannot be
    /// taken back, so it must be checked whole before the first push.
    PushByPush,
}

impl FileStoreAs {
    /// Several writers share one store: no appends queued for this process
    /// alone, only appends at an expected seq, as on EventStoreDB.
    pub fn shared(store: FileStore) -> Self {
        FileStoreAs {
            store,
            imports: Imports::Atomic,
        }
    }

    /// A store whose imports cannot be taken back.
    pub fn push_by_push(store: FileStore) -> Self {
        FileStoreAs {
            store,
            imports: Imports::PushByPush,
        }
    }
}

struct Appending {
    store: FileStore,
    head: u64,
}

#[async_trait]
impl ImportSession for Appending {
    async fn push(&mut self, events: EventBatch) -> Result<(), StoreError> {
        self.head += self.store.append(events, Some(self.head)).await?.len() as u64;
        Ok(())
    }
    async fn commit(self: Box<Self>) -> Result<Head, StoreError> {
        self.store.head().await
    }
    async fn abort(self: Box<Self>) -> Result<(), StoreError> {
        Ok(())
    }
}

#[async_trait]
impl EventStore for FileStoreAs {
    async fn append(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
    ) -> Result<Vec<RecordMeta>, StoreError> {
        self.store.append(events, expected_seq).await
    }
    async fn head(&self) -> Result<Head, StoreError> {
        self.store.head().await
    }
    async fn read(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
        self.store.read(from_seq, max).await
    }
    fn follow(&self, after_seq: u64) -> BoxStream<'static, Result<Record, StoreError>> {
        self.store.follow(after_seq)
    }
    async fn begin_import(
        &self,
        expected_seq: Option<u64>,
    ) -> Result<Box<dyn ImportSession>, StoreError> {
        match self.imports {
            Imports::Atomic => self.store.begin_import(expected_seq).await,
            Imports::PushByPush => Ok(Box::new(Appending {
                store: self.store.clone(),
                head: self.store.head().await?.seq,
            })),
        }
    }
    fn atomic_import(&self) -> bool {
        self.imports == Imports::Atomic
    }
    fn describe(&self) -> String {
        match self.imports {
            Imports::Atomic => "shared".into(),
            Imports::PushByPush => format!("push-by-push {}", self.store.describe()),
        }
    }
}

/// The file store behind a switch: while [`Unreachable::down`] is set,
/// every read of the head or of records and every append fails as a
/// server store that cannot be reached does, while records already being
/// followed still arrive. What a server answers when its store is out of
/// reach, without a database to stop.
pub struct Unreachable {
    pub store: FileStore,
    pub down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Unreachable {
    pub fn new(store: FileStore) -> Self {
        Self {
            store,
            down: Default::default(),
        }
    }

    fn reachable(&self) -> Result<(), StoreError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Unavailable {
                store: self.store.describe(),
                reason: "the store is out of reach (a test switched it off)".into(),
            });
        }
        Ok(())
    }
}

#[async_trait]
impl EventStore for Unreachable {
    async fn append(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
    ) -> Result<Vec<RecordMeta>, StoreError> {
        self.reachable()?;
        self.store.append(events, expected_seq).await
    }
    async fn head(&self) -> Result<Head, StoreError> {
        self.reachable()?;
        self.store.head().await
    }
    async fn read(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
        self.reachable()?;
        self.store.read(from_seq, max).await
    }
    fn follow(&self, after_seq: u64) -> BoxStream<'static, Result<Record, StoreError>> {
        self.store.follow(after_seq)
    }
    async fn begin_import(
        &self,
        expected_seq: Option<u64>,
    ) -> Result<Box<dyn ImportSession>, StoreError> {
        self.reachable()?;
        self.store.begin_import(expected_seq).await
    }
    fn describe(&self) -> String {
        format!("unreachable {}", self.store.describe())
    }
}
