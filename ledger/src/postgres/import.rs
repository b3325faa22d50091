//! A bulk import into PostgreSQL: one transaction holding every chunk,
//! each written with a binary `COPY`, then one COMMIT. A crash, a killed
//! process or an abort before the COMMIT leaves the ledger exactly as it
//! was: the server rolls the transaction back.
//!
//! While the import is open its rows hold the next seqs, so an append from
//! a server waits for it to commit (and then conflicts and chains onto the
//! new head) or to roll back.

use super::PgStore;
use super::append::{abandon, begin_at_head, head_after, resolve};
use super::rows::records_after;
use crate::cursor::{check_follows, head_of as head_of_record};
use crate::record::{EventBatch, Record, RecordMeta};
use crate::store::{Head, ImportSession, StoreError};
use async_trait::async_trait;
use deadpool_postgres::Object;
use std::pin::pin;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

pub(super) struct PgImport {
    store: PgStore,
    /// The connection holding the open transaction; `None` once ended.
    client: Option<Object>,
    /// The head when the import began.
    start: Head,
    /// The head after everything pushed so far.
    head: Head,
    /// Carried by the first record, to read back a COMMIT gone unanswered.
    attempt: [u8; 16],
    /// The transaction's id, asked after with the attempt.
    xid: i64,
}

impl PgImport {
    pub(super) async fn begin(
        store: &PgStore,
        expected_seq: Option<u64>,
    ) -> Result<Self, StoreError> {
        let client = store.client().await?;
        let head_stmt = client
            .prepare_cached(&store.inner.sql.head)
            .await
            .map_err(|e| store.pg(&e, "starting an import"))?;
        let (head, xid) =
            match begin_at_head(store, &client, &head_stmt, "starting an import").await {
                Ok(begun) => begun,
                Err(e) => {
                    abandon(client).await;
                    return Err(e);
                }
            };
        if let Err(conflict) = head.matches(expected_seq) {
            abandon(client).await;
            return Err(conflict);
        }
        let mut attempt = [0u8; 16];
        getrandom::fill(&mut attempt)
            .map_err(|e| StoreError::Backend(format!("no randomness for an attempt id: {e}")))?;
        Ok(Self {
            store: store.clone(),
            client: Some(client),
            start: head,
            head,
            attempt,
            xid,
        })
    }

    /// Writes `records` (which follow the head) with one COPY.
    async fn copy(&mut self, records: Vec<Record>) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let client = self.client.as_ref().ok_or(StoreError::Closed)?;
        let first_of_import = self.head.seq == self.start.seq;
        let written = async {
            let sink = client.copy_in(&self.store.inner.sql.copy_in).await?;
            let types = [
                Type::INT8,
                Type::INT8,
                Type::BYTEA,
                Type::BYTEA,
                Type::BYTEA,
                Type::BYTEA,
            ];
            let mut writer = pin!(BinaryCopyInWriter::new(sink, &types));
            for (i, r) in records.iter().enumerate() {
                let attempt: Option<&[u8]> =
                    (first_of_import && i == 0).then_some(&self.attempt[..]);
                let row: [&(dyn ToSql + Sync); 6] = [
                    &(r.seq as i64),
                    &r.recorded_at.micros(),
                    &&r.prev.0[..],
                    &&r.hash.0[..],
                    &&r.event[..],
                    &attempt,
                ];
                writer.as_mut().write(&row).await?;
            }
            writer.finish().await
        };
        match written.await {
            Ok(_) => {
                self.head = head_after(self.head, &records);
                Ok(())
            }
            Err(e) => {
                let moved = matches!(
                    super::failover::classify(&e),
                    super::failover::Failure::Unique(_)
                );
                let err = self.store.pg(&e, "importing");
                if let Some(client) = self.client.take() {
                    abandon(client).await;
                }
                if moved {
                    use crate::store::EventStore;
                    let actual = self.store.head().await?;
                    return Err(StoreError::Conflict {
                        expected: self.start.seq,
                        actual,
                    });
                }
                Err(err)
            }
        }
    }
}

#[async_trait]
impl ImportSession for PgImport {
    async fn push(&mut self, events: EventBatch) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let records = records_after(&self.head, &events, self.store.recorded_now(&self.head));
        self.copy(records).await
    }

    async fn push_records(&mut self, records: Vec<Record>) -> Result<(), StoreError> {
        let mut last = self.head;
        for r in &records {
            check_follows(&last, r)
                .map_err(|b| StoreError::Invalid(format!("record seq {}: {}", b.seq, b.reason)))?;
            if r.computed_hash() != r.hash {
                return Err(StoreError::Invalid(format!(
                    "record seq {}: its hash is not the hash of its contents",
                    r.seq
                )));
            }
            last = head_of_record(r);
        }
        self.copy(records).await
    }

    async fn commit(mut self: Box<Self>) -> Result<Head, StoreError> {
        let client = self.client.take().ok_or(StoreError::Closed)?;
        if self.head.seq == self.start.seq {
            abandon(client).await;
            return Ok(self.head);
        }
        let channel = self.store.inner.location.channel();
        let last = self.head.seq.to_string();
        let params: [&(dyn ToSql + Sync); 2] = [&channel, &last];
        let (notified, committed) = futures::join!(
            client.execute(self.store.inner.sql.notify, &params),
            client.batch_execute("COMMIT")
        );
        match (notified, committed) {
            (Ok(_), Ok(())) => {
                self.store.healthy();
                Ok(self.head)
            }
            (Err(e), _) if e.as_db_error().is_some() => {
                abandon(client).await;
                Err(self.store.pg(&e, "committing an import"))
            }
            (Ok(_), Err(e)) if e.as_db_error().is_some() => {
                abandon(client).await;
                Err(self.store.pg(&e, "committing an import"))
            }
            (_, outcome) => {
                let lost = outcome.err().map(|e| e.to_string()).unwrap_or_default();
                drop(Object::take(client));
                let first = self.start.seq + 1;
                let meta = RecordMeta {
                    seq: self.head.seq,
                    recorded_at: self.head.recorded_at.unwrap_or_default(),
                    prev: Default::default(),
                    hash: self.head.hash,
                };
                resolve(
                    &self.store,
                    first,
                    &self.attempt,
                    self.xid,
                    vec![meta],
                    &lost,
                )
                .await?;
                Ok(self.head)
            }
        }
    }

    async fn abort(mut self: Box<Self>) -> Result<(), StoreError> {
        if let Some(client) = self.client.take() {
            abandon(client).await;
        }
        Ok(())
    }
}

impl Drop for PgImport {
    /// An import dropped unfinished closes its connection: the server rolls
    /// the transaction back, and no pooled connection is left inside it.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            drop(Object::take(client));
        }
    }
}
