//! A bulk import into EventStoreDB: a run of ordinary appends, each chained
//! onto the last with its expected revision, so no other writer can slip in
//! between them (it would make the next one a conflict).
//!
//! Unlike the file store, the server cannot take back appends already made
//! if a later one fails or the import is aborted, so
//! [`EventStore::atomic_import`](crate::store::EventStore::atomic_import) is
//! false and callers check a whole file before pushing any of it. Appends
//! are kept under the server's default largest append (1 MiB).

use super::EsdbStore;
use crate::record::EventBatch;
use crate::store::{EventStore, Head, ImportSession, StoreError};
use async_trait::async_trait;

/// Bytes of record data per append: half the server's default
/// `MaxAppendSize`, leaving room for what the server adds to each event.
const APPEND_BYTES: usize = 512 << 10;
/// What a record adds to its event body (hash, prev, seq, recorded_at, keys).
const RECORD_OVERHEAD: usize = 220;

pub(super) struct EsdbImport {
    store: EsdbStore,
    /// The head when the import began.
    start: Head,
    /// The head after everything pushed so far.
    head: Head,
}

impl EsdbImport {
    pub fn new(store: EsdbStore, head: Head) -> Self {
        Self {
            store,
            start: head,
            head,
        }
    }
}

/// Splits `batch` into consecutive pieces of at most `budget` bytes of
/// records each (at least one event per piece, however large).
pub(super) fn split_for_appends(batch: &EventBatch, budget: usize) -> Vec<EventBatch> {
    let mut pieces = Vec::new();
    let mut piece = EventBatch::new();
    let mut bytes = 0;
    for event in batch.iter() {
        let size = event.len() + RECORD_OVERHEAD;
        if !piece.is_empty() && bytes + size > budget {
            pieces.push(std::mem::take(&mut piece));
            bytes = 0;
        }
        piece.push(event);
        bytes += size;
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

#[async_trait]
impl ImportSession for EsdbImport {
    async fn push(&mut self, events: EventBatch) -> Result<(), StoreError> {
        for piece in split_for_appends(&events, APPEND_BYTES) {
            let metas = self.store.append(piece, Some(self.head.seq)).await?;
            if let Some(last) = metas.last() {
                self.head = Head {
                    seq: last.seq,
                    hash: last.hash,
                    recorded_at: Some(last.recorded_at),
                };
            }
        }
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<Head, StoreError> {
        Ok(self.head)
    }

    async fn abort(self: Box<Self>) -> Result<(), StoreError> {
        if self.head.seq == self.start.seq {
            return Ok(());
        }
        Err(StoreError::Backend(format!(
            "{}: EventStoreDB cannot take appended events back: records seq {}..={} of this \
             import stay in the ledger",
            self.store.describe(),
            self.start.seq + 1,
            self.head.seq
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(sizes: &[usize]) -> EventBatch {
        let mut b = EventBatch::new();
        for (i, n) in sizes.iter().enumerate() {
            b.push(format!("{i:0>width$}", width = *n).as_bytes());
        }
        b
    }

    fn flatten(pieces: &[EventBatch]) -> Vec<Vec<u8>> {
        pieces
            .iter()
            .flat_map(|p| p.iter().map(<[u8]>::to_vec))
            .collect()
    }

    #[test]
    fn pieces_keep_every_event_in_order_under_the_budget() {
        let b = batch(&[100; 50]);
        let pieces = split_for_appends(&b, 1000);
        assert_eq!(flatten(&pieces), flatten(std::slice::from_ref(&b)));
        for p in &pieces {
            let bytes: usize = p.iter().map(|e| e.len() + RECORD_OVERHEAD).sum();
            assert!(bytes <= 1000, "{bytes}");
        }
        assert_eq!(pieces.len(), 17, "3 events of 320 bytes per piece");
    }

    #[test]
    fn an_event_larger_than_the_budget_goes_alone() {
        let pieces = split_for_appends(&batch(&[10, 5000, 10]), 1000);
        assert_eq!(
            pieces.iter().map(EventBatch::len).collect::<Vec<_>>(),
            vec![1, 1, 1]
        );
        assert!(split_for_appends(&EventBatch::new(), 1000).is_empty());
    }
}
