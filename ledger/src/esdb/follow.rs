//! Following the ledger: reading what is there, then reading on from the
//! last record handed out, as often as every 0.25 s while nothing new comes.
//!
//! Not a subscription, on purpose. When a server ends a subscription's
//! stream with an OK status (KurrentDB does so to a consumer that fell too
//! far behind, and on some shutdowns), the v4 client's
//! `next_subscription_event` keeps the finished stream, reads "no message"
//! from it at once, logs "unknown subscription message" and tries again, in
//! a loop that never awaits anything pending: it never returns and never
//! yields, so it holds a runtime worker at 100% for good. A reader of the
//! stream cannot be caught that way, and costs one small read per quarter
//! second when the ledger is quiet.
//!
//! A failed read does not end the stream of records: it is made again after
//! a pause, from the same place, and the [`Cursor`] checks every record's
//! link to the one before, so nothing is lost, repeated or accepted out of
//! chain. Only what trying again cannot mend (access denied, a deleted
//! stream, a broken chain) ends it, with the error.

use super::EsdbStore;
use super::revision::backoff;
use crate::cursor::{Cursor, NextRecord, follow_with};
use crate::record::Record;
use crate::store::{EventStore, StoreError};
use futures::stream::BoxStream;
use std::collections::VecDeque;
use std::time::Duration;

/// Records asked for in one read.
const PAGE: usize = 256;
/// The longest pause between reads while nothing new comes.
const QUIET: Duration = Duration::from_millis(250);
/// The first pause after a read that found nothing new.
const FIRST_QUIET: Duration = Duration::from_millis(10);

/// The records after `after_seq`, then each new one.
pub(super) fn follow(
    store: EsdbStore,
    after_seq: u64,
) -> BoxStream<'static, Result<Record, StoreError>> {
    follow_with(Follower {
        store,
        cursor: Cursor::after(after_seq),
        ready: VecDeque::new(),
        quiet: FIRST_QUIET,
        failures: 0,
        broken: None,
    })
}

struct Follower {
    store: EsdbStore,
    cursor: Cursor,
    /// Records read and checked, not yet handed out.
    ready: VecDeque<Record>,
    /// The pause before the next read if this one finds nothing new.
    quiet: Duration,
    /// Reads in a row that failed (for the pause before the next).
    failures: u32,
    /// A record that broke the chain, reported once those before it in
    /// the same read have been handed out.
    broken: Option<StoreError>,
}

impl Follower {
    /// Reads on from the cursor; the records that are new go to `ready`.
    async fn read_on(&mut self) -> Result<(), StoreError> {
        let page = self
            .store
            .events_from(self.cursor.wants_from(), PAGE)
            .await?;
        for event in &page {
            let accepted = self
                .store
                .record_of(event, self.cursor.wants_from())
                .and_then(|record| {
                    self.cursor
                        .accept(record)
                        .map_err(|b| self.store.broken(b.seq, b.reason))
                });
            match accepted {
                Ok(Some(record)) => self.ready.push_back(record),
                Ok(None) => {}
                Err(e) if self.ready.is_empty() => return Err(e),
                Err(e) => {
                    self.broken = Some(e);
                    break;
                }
            }
        }
        Ok(())
    }
}

impl NextRecord for Follower {
    async fn next_record(&mut self) -> Result<Record, StoreError> {
        loop {
            if let Some(record) = self.ready.pop_front() {
                self.quiet = FIRST_QUIET;
                return Ok(record);
            }
            if let Some(e) = self.broken.take() {
                return Err(e);
            }
            match self.read_on().await {
                Ok(()) if self.ready.is_empty() => {
                    self.failures = 0;
                    tokio::time::sleep(self.quiet).await;
                    self.quiet = (self.quiet * 2).min(QUIET);
                }
                Ok(()) => self.failures = 0,
                // The read already tried again through its budget: the
                // server has been away a while; keep following all the same.
                Err(e @ (StoreError::Unavailable { .. } | StoreError::OutcomeUnknown { .. })) => {
                    tracing::warn!(
                        store = %self.store.describe(),
                        error = %e,
                        after_seq = self.cursor.last_seq(),
                        "following: reads keep failing; reading on after a pause"
                    );
                    tokio::time::sleep(backoff(self.failures)).await;
                    self.failures = self.failures.saturating_add(1);
                }
                Err(e) => return Err(e),
            }
        }
    }
}
