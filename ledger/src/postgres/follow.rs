//! Following the ledger: LISTEN on the schema's channel to be woken, and
//! reads by seq to fetch what is new.
//!
//! Each append NOTIFYs in its own transaction, so the wake-up comes when its
//! records are visible. The follower LISTENs before it reads, so nothing
//! committed between the two is missed, and reads again now and then in
//! case a notification was. A lost connection (a primary that died, a
//! restart) is made again, to whichever server takes writes by then, and
//! reading goes on after the last record handed out: the [`Cursor`] checks
//! every record's link to the one before, so nothing is lost, repeated or
//! accepted out of chain. Only a broken chain, or a schema that is not
//! there, ends the stream.

use super::PgStore;
use super::failover::backoff;
use crate::cursor::{Cursor, NextRecord, follow_with};
use crate::record::Record;
use crate::store::{EventStore, StoreError};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_postgres::{AsyncMessage, NoTls, Statement};

/// Records fetched per read.
const PAGE: usize = 1000;
/// How often a follower with no notification looks anyway.
const LOOK_EVERY: Duration = Duration::from_secs(2);

pub(super) fn follow(
    store: PgStore,
    after_seq: u64,
) -> BoxStream<'static, Result<Record, StoreError>> {
    let state = Follower {
        store,
        cursor: Cursor::after(after_seq),
        listening: None,
        pending: VecDeque::new(),
        failures: 0,
    };
    follow_with(state)
}

struct Follower {
    store: PgStore,
    cursor: Cursor,
    listening: Option<Listening>,
    pending: VecDeque<Record>,
    /// Failed connections or reads in a row (for the pause before the next).
    failures: u32,
}

/// A connection of the follower's own, LISTENing.
struct Listening {
    client: tokio_postgres::Client,
    woken: Arc<Notify>,
    read: Statement,
}

impl NextRecord for Follower {
    async fn next_record(&mut self) -> Result<Record, StoreError> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Ok(r);
            }
            if self.listening.is_none() {
                match listen(&self.store).await {
                    Ok(l) => self.listening = Some(l),
                    Err(e) => {
                        self.pause(e).await?;
                        continue;
                    }
                }
            }
            let l = self.listening.as_ref().expect("listening above");
            match self
                .store
                .read_page(&l.client, &l.read, &mut self.cursor, PAGE)
                .await
            {
                Ok(records) if !records.is_empty() => {
                    self.failures = 0;
                    self.pending.extend(records);
                    continue;
                }
                Ok(_) => self.failures = 0,
                Err(e) => {
                    self.listening = None;
                    self.pause(e).await?;
                    continue;
                }
            }
            tokio::select! {
                () = l.woken.notified() => {}
                () = tokio::time::sleep(LOOK_EVERY) => {}
            }
            if l.client.is_closed() {
                self.listening = None;
            }
        }
    }
}

impl Follower {
    /// After `e`: the error if it cannot mend, else a pause before trying again.
    async fn pause(&mut self, e: StoreError) -> Result<(), StoreError> {
        if matches!(e, StoreError::Broken { .. } | StoreError::Invalid(_)) {
            return Err(e);
        }
        tracing::warn!(
            store = %self.store.describe(),
            error = %e,
            after_seq = self.cursor.last_seq(),
            "following the ledger: the connection failed; connecting again after the last record"
        );
        tokio::time::sleep(backoff(self.failures)).await;
        self.failures = self.failures.saturating_add(1);
        Ok(())
    }
}

async fn listen(store: &PgStore) -> Result<Listening, StoreError> {
    // The schema is checked (or made) on a pooled connection first.
    drop(store.client().await?);
    let location = &store.inner.location;
    let (client, mut connection) = location
        .config
        .connect(NoTls)
        .await
        .map_err(|e| store.pg(&e, "connecting to follow the ledger"))?;
    let woken = Arc::new(Notify::new());
    let wake = woken.clone();
    tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => wake.notify_one(),
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "the follower's connection ended");
                    break;
                }
            }
        }
        // The follower looks at its client, finds it closed, and reconnects.
        wake.notify_one();
    });
    client
        .batch_execute(&format!("LISTEN \"{}\"", location.channel()))
        .await
        .map_err(|e| store.pg(&e, "listening for new records"))?;
    let read = client
        .prepare(&store.inner.sql.read)
        .await
        .map_err(|e| store.pg(&e, "preparing to follow the ledger"))?;
    Ok(Listening {
        client,
        woken,
        read,
    })
}
