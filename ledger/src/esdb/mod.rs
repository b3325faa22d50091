//! The EventStoreDB / KurrentDB backend: the ledger as one stream on a
//! server or a cluster, for programmes that outgrow one machine (several API
//! nodes, high availability).
//!
//! The ledger is one stream (`gpu-ledger` unless the connection string says
//! `stream=NAME`); each record is one event ([`mapping`]). The store assigns
//! `seq`, `recorded_at`, `prev` and `hash` as the file store does: an append
//! reads the stream's last event to chain onto, then writes with that head as
//! the expected revision ([`revision`]), so of two writers racing on the same
//! stream only one succeeds and the other chains onto the new head (or, if
//! its caller named an expected seq, gets [`StoreError::Conflict`]). Records
//! are checked against their predecessors as they are read ([`crate::cursor`]);
//! following uses a catch-up subscription that resumes after a dropped
//! connection ([`follow`]).
//!
//! All use of the `eventstore` crate is in this module. That crate (v4) gets
//! no more releases; its maintainers continue it as `kurrentdb`, the same
//! client with a few renames (`ExpectedRevision` became `StreamState`), so
//! moving is a change to this module alone. It never installs a rustls
//! crypto provider process-wide: v4 installs its own on first connection and
//! panics if one is already installed, so nothing else in the process may.

mod follow;
mod import;
pub mod location;
mod mapping;
mod revision;

use crate::cursor::{self, Cursor};
use crate::record::{EventBatch, Record, RecordMeta};
use crate::store::{EventStore, Head, ImportSession, StoreError};
use crate::time::{Clock, RecordedAt};
use async_trait::async_trait;
use bytes::Bytes;
use eventstore::{
    AppendToStreamOptions, Client, ClientSettings, EventData, ReadStreamOptions, ResolvedEvent,
    StreamPosition,
};
use futures::stream::BoxStream;
use location::EsdbLocation;
use mapping::EventParts;
use revision::{Failure, backoff, classify, expected_revision, read_from, seq_of};
use std::sync::{Arc, RwLock};

pub use location::DEFAULT_STREAM;

/// Sends of one append before its outcome is reported unknown.
const WRITE_TRIES: u32 = 5;
/// Tries of a read before the error is reported.
const READ_TRIES: u32 = 5;

/// How a read goes on after a failure.
enum ReadOn {
    Stop,
    Retry,
}
/// Without an expected seq, how often an append chains onto a head that
/// moved before giving up.
const REBASE_TRIES: u32 = 32;

/// How to open an [`EsdbStore`].
#[derive(Clone, Debug, Default)]
pub struct EsdbOptions {
    /// Source of `recorded_at`.
    pub clock: Clock,
}

/// The ledger in an EventStoreDB / KurrentDB stream. Cheap to clone.
#[derive(Clone)]
pub struct EsdbStore {
    inner: Arc<Inner>,
}

struct Inner {
    /// Replaced when it has given up: a v4 client whose discovery fails
    /// (the server was unreachable for a while) closes for good.
    client: RwLock<Client>,
    settings: ClientSettings,
    runtime: tokio::runtime::Handle,
    location: EsdbLocation,
    clock: Clock,
}

impl std::fmt::Debug for EsdbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EsdbStore")
            .field("location", &self.describe())
            .finish()
    }
}

/// What became of one send of an append.
enum Written {
    Yes,
    /// Another writer appended first; the ledger's head is now at this seq.
    Moved(u64),
}

impl EsdbStore {
    /// Connects to `url` (`esdb://host:2113?tls=false`, optionally with
    /// `&stream=NAME`). Must be called inside a Tokio runtime; the connection
    /// itself is made on first use.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, EsdbOptions::default())
    }

    pub fn connect_with(url: &str, options: EsdbOptions) -> Result<Self, StoreError> {
        let location = EsdbLocation::parse(url).map_err(|e| StoreError::Invalid(e.0))?;
        let settings: ClientSettings =
            location
                .connection
                .parse()
                .map_err(|e: eventstore::ClientSettingsParseError| {
                    let detail = if e.message() == location.connection {
                        e.error().map(|u| u.to_string()).unwrap_or_default()
                    } else {
                        e.message().to_string()
                    };
                    StoreError::Invalid(format!(
                        "{}: not a connection string the eventstore client accepts: {detail}",
                        location.describe()
                    ))
                })?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            StoreError::Invalid("connecting to EventStoreDB needs a Tokio runtime".into())
        })?;
        let client = Client::with_runtime_handle(runtime.clone(), settings.clone())
            .map_err(|e| StoreError::Backend(format!("{}: {e}", location.describe())))?;
        Ok(Self {
            inner: Arc::new(Inner {
                client: RwLock::new(client),
                settings,
                runtime,
                location,
                clock: options.clock,
            }),
        })
    }

    /// The stream holding the ledger.
    pub fn stream(&self) -> &str {
        &self.inner.location.stream
    }

    fn client(&self) -> Client {
        self.inner.client.read().expect("client lock").clone()
    }

    /// After `e`, replaces the client if it has closed for good, so that the
    /// next try connects afresh.
    fn renew_client_after(&self, e: &eventstore::Error) {
        if !revision::client_is_closed(e) {
            return;
        }
        match Client::with_runtime_handle(self.inner.runtime.clone(), self.inner.settings.clone()) {
            Ok(fresh) => {
                tracing::warn!(store = %self.describe(), error = %e, "the EventStoreDB client closed; connecting afresh");
                *self.inner.client.write().expect("client lock") = fresh;
            }
            Err(e) => {
                tracing::error!(store = %self.describe(), error = %e, "cannot make a new EventStoreDB client")
            }
        }
    }

    fn backend(&self, e: &eventstore::Error) -> StoreError {
        let hint = match classify(e) {
            Failure::Transient => " (gave up after several tries: is the server up and reachable?)",
            _ => "",
        };
        StoreError::Backend(format!("{}: {e}{hint}", self.describe()))
    }

    fn broken(&self, seq: u64, reason: String) -> StoreError {
        StoreError::Broken {
            store: self.describe(),
            seq,
            reason,
        }
    }

    /// The record an event read from the stream carries; `seq` names it in
    /// the error when it is not one.
    fn record_of(&self, event: &ResolvedEvent, seq: u64) -> Result<Record, StoreError> {
        let seq = event.event.as_ref().map_or(seq, |e| seq_of(e.revision));
        mapping::record_of_resolved(event).map_err(|e| self.broken(seq, e.0))
    }

    /// `recorded_at` for records after `head`: the clock, never before it.
    fn recorded_now(&self, head: &Head) -> RecordedAt {
        let now = self.inner.clock.now();
        head.recorded_at.map_or(now, |last| now.max(last))
    }

    /// Waits before another try of something that failed transiently, or
    /// says it is time to give up.
    /// What a read does after `e`: stop where the stream ends (or does not
    /// exist yet), send again after a pause if the failure is transient and
    /// tries are left, or fail.
    async fn after_read_failure(
        &self,
        e: &eventstore::Error,
        attempt: &mut u32,
    ) -> Result<ReadOn, StoreError> {
        match classify(e) {
            Failure::NoStream => Ok(ReadOn::Stop),
            Failure::Transient
                if self
                    .pause_before_retry(e, *attempt, READ_TRIES, "a read")
                    .await =>
            {
                *attempt += 1;
                Ok(ReadOn::Retry)
            }
            _ => Err(self.backend(e)),
        }
    }

    async fn pause_before_retry(
        &self,
        e: &eventstore::Error,
        attempt: u32,
        tries: u32,
        what: &str,
    ) -> bool {
        self.renew_client_after(e);
        if attempt + 1 >= tries {
            return false;
        }
        tracing::warn!(store = %self.describe(), error = %e, attempt, "{what} failed; trying again");
        tokio::time::sleep(backoff(attempt)).await;
        true
    }

    /// The stream's last event, or `None` for an empty ledger.
    async fn last_event(&self) -> Result<Option<ResolvedEvent>, StoreError> {
        let options = ReadStreamOptions::default()
            .position(StreamPosition::End)
            .max_count(1);
        let mut attempt = 0;
        loop {
            let outcome = match self.client().read_stream(self.stream(), &options).await {
                Ok(mut events) => events.next().await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(event) => return Ok(event),
                Err(e) => match classify(&e) {
                    Failure::NoStream => return Ok(None),
                    Failure::Transient
                        if self
                            .pause_before_retry(&e, attempt, READ_TRIES, "reading the head")
                            .await =>
                    {
                        attempt += 1;
                    }
                    _ => return Err(self.backend(&e)),
                },
            }
        }
    }

    /// Sends the prepared events of one append, to go right after `head_seq`.
    /// A send that failed transiently is repeated with the same event ids,
    /// which the server recognises as the same write.
    async fn write(&self, head_seq: u64, parts: &[EventParts]) -> Result<Written, StoreError> {
        let options =
            AppendToStreamOptions::default().expected_revision(expected_revision(head_seq));
        let events: Vec<EventData> = parts
            .iter()
            .cloned()
            .map(EventParts::into_event_data)
            .collect();
        let mut sent_before = false;
        let mut attempt = 0;
        loop {
            let outcome = self
                .client()
                .append_to_stream(self.stream(), &options, events.clone())
                .await;
            let e = match outcome {
                Ok(_) => return Ok(Written::Yes),
                Err(e) => e,
            };
            match classify(&e) {
                Failure::Moved { head_seq: now } => {
                    // A lost answer to an earlier send that did land looks
                    // like this if the server has forgotten the ids.
                    if sent_before && self.already_written(head_seq, parts).await? {
                        return Ok(Written::Yes);
                    }
                    return Ok(Written::Moved(now));
                }
                Failure::Transient
                    if self
                        .pause_before_retry(&e, attempt, WRITE_TRIES, "an append")
                        .await =>
                {
                    attempt += 1;
                    sent_before = true;
                }
                Failure::Transient => {
                    return Err(StoreError::Backend(format!(
                        "{}: {e}; after {WRITE_TRIES} tries it is not known whether the append \
                         landed: read the head before appending it again",
                        self.describe()
                    )));
                }
                _ => return Err(self.backend(&e)),
            }
        }
    }

    /// Whether the records after `head_seq` are exactly `parts` (by id).
    async fn already_written(
        &self,
        head_seq: u64,
        parts: &[EventParts],
    ) -> Result<bool, StoreError> {
        let options = ReadStreamOptions::default()
            .forwards()
            .position(read_from(head_seq + 1))
            .max_count(parts.len());
        let mut events = match self.client().read_stream(self.stream(), &options).await {
            Ok(events) => events,
            Err(e) => return Err(self.backend(&e)),
        };
        for part in parts {
            match events.next().await {
                Ok(Some(event)) if event.get_original_event().id == part.id => {}
                Ok(_) => return Ok(false),
                Err(e) => return Err(self.backend(&e)),
            }
        }
        Ok(true)
    }
}

/// The records `events` become when chained onto `head` at `now`.
fn records_after(head: &Head, events: &EventBatch, now: RecordedAt) -> Vec<Record> {
    let mut last = *head;
    events
        .iter()
        .map(|event| {
            let seq = last.seq + 1;
            let hash = crate::chain::record_hash(&last.hash, seq, now, event);
            let record = Record {
                seq,
                recorded_at: now,
                prev: last.hash,
                hash,
                event: Bytes::copy_from_slice(event),
            };
            last = cursor::head_of(&record);
            record
        })
        .collect()
}

#[async_trait]
impl EventStore for EsdbStore {
    async fn append(
        &self,
        events: EventBatch,
        expected_seq: Option<u64>,
    ) -> Result<Vec<RecordMeta>, StoreError> {
        let mut rebased = 0;
        loop {
            let head = self.head().await?.matches(expected_seq)?;
            if events.is_empty() {
                return Ok(Vec::new());
            }
            let records = records_after(&head, &events, self.recorded_now(&head));
            let parts = records
                .iter()
                .map(EventParts::of)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Invalid(e.0))?;
            match self.write(head.seq, &parts).await? {
                Written::Yes => return Ok(records.iter().map(Record::meta).collect()),
                Written::Moved(now) => {
                    if let Some(expected) = expected_seq {
                        let actual = self.head().await.unwrap_or(Head {
                            seq: now,
                            ..Head::default()
                        });
                        return Err(StoreError::Conflict { expected, actual });
                    }
                    rebased += 1;
                    if rebased >= REBASE_TRIES {
                        return Err(StoreError::Backend(format!(
                            "{}: other writers moved the head {REBASE_TRIES} times in a row; \
                             nothing was appended",
                            self.describe()
                        )));
                    }
                }
            }
        }
    }

    async fn head(&self) -> Result<Head, StoreError> {
        match self.last_event().await? {
            None => Ok(Head::default()),
            Some(event) => {
                let record = self.record_of(&event, 0)?;
                Ok(cursor::head_of(&record))
            }
        }
    }

    async fn read(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
        let mut cursor = Cursor::after(from_seq.saturating_sub(1));
        let mut out = Vec::with_capacity(max.min(1 << 12));
        let mut attempt = 0;
        'send: while out.len() < max {
            let from = cursor.wants_from();
            // One more than still wanted: the anchor, when it is still to be read.
            let options = ReadStreamOptions::default()
                .forwards()
                .position(read_from(from))
                .max_count((max - out.len()).saturating_add(1));
            let mut events = match self.client().read_stream(self.stream(), &options).await {
                Ok(events) => events,
                Err(e) => match self.after_read_failure(&e, &mut attempt).await? {
                    ReadOn::Stop => break,
                    ReadOn::Retry => continue 'send,
                },
            };
            loop {
                match events.next().await {
                    Ok(Some(event)) => {
                        let record = self.record_of(&event, cursor.wants_from())?;
                        let next = cursor
                            .accept(record)
                            .map_err(|b| self.broken(b.seq, b.reason))?;
                        if let Some(record) = next {
                            out.push(record);
                            if out.len() == max {
                                break 'send;
                            }
                        }
                    }
                    Ok(None) => break 'send,
                    // The cursor knows what was read: a retry goes on from there.
                    Err(e) => match self.after_read_failure(&e, &mut attempt).await? {
                        ReadOn::Stop => break 'send,
                        ReadOn::Retry => continue 'send,
                    },
                }
            }
        }
        Ok(out)
    }

    fn follow(&self, after_seq: u64) -> BoxStream<'static, Result<Record, StoreError>> {
        follow::follow(self.clone(), after_seq)
    }

    async fn begin_import(
        &self,
        expected_seq: Option<u64>,
    ) -> Result<Box<dyn ImportSession>, StoreError> {
        let head = self.head().await?.matches(expected_seq)?;
        Ok(Box::new(import::EsdbImport::new(self.clone(), head)))
    }

    /// An import is a run of appends: the server cannot take back those
    /// already made if a later one fails, so callers check a whole file first.
    fn atomic_import(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        self.inner.location.describe()
    }
}

#[cfg(test)]
mod tests;
