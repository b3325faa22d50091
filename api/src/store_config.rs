//! Which store a command works on.

use gpu_ledger_ledger::{Clock, EventStore, FileStore, FileStoreOptions, RecordedAt, StoreError};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the ledger lives and how to open it.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub data: PathBuf,
    /// Start of a manual `recorded_at` clock (reproducible ledgers for tests).
    pub clock_start: Option<RecordedAt>,
}

impl StoreConfig {
    fn options(&self, read_only: bool) -> FileStoreOptions {
        FileStoreOptions {
            read_only,
            clock: self.clock_start.map(Clock::manual).unwrap_or_default(),
            ..FileStoreOptions::default()
        }
    }

    /// Opens the store to append to it (one writer at a time).
    pub fn open_for_writing(&self) -> Result<Arc<dyn EventStore>, StoreError> {
        Ok(Arc::new(FileStore::open_with(
            &self.data,
            self.options(false),
        )?))
    }

    /// Opens the store to read it, beside any process writing to it.
    pub fn open_for_reading(&self) -> Result<Arc<dyn EventStore>, StoreError> {
        Ok(Arc::new(FileStore::open_with(
            &self.data,
            self.options(true),
        )?))
    }
}
