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

/// The file store as several writers share one store: no appends queued
/// for this process alone, only appends at an expected seq, as on
/// EventStoreDB.
pub struct SharedFileStore(pub FileStore);

#[async_trait]
impl EventStore for SharedFileStore {
    async fn append(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
    ) -> Result<Vec<RecordMeta>, StoreError> {
        self.0.append(events, expected_seq).await
    }
    async fn head(&self) -> Result<Head, StoreError> {
        self.0.head().await
    }
    async fn read(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
        self.0.read(from_seq, max).await
    }
    fn follow(&self, after_seq: u64) -> BoxStream<'static, Result<Record, StoreError>> {
        self.0.follow(after_seq)
    }
    async fn begin_import(
        &self,
        expected_seq: Option<u64>,
    ) -> Result<Box<dyn ImportSession>, StoreError> {
        self.0.begin_import(expected_seq).await
    }
    fn describe(&self) -> String {
        "shared".into()
    }
}
