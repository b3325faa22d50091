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
//! following reads on from the last record seen ([`follow`]).
//!
//! Every call has a deadline and every operation a retry budget
//! ([`deadline`]). An append whose answer was lost (a commit timeout, a
//! cancelled call, a dropped connection: [`revision::Failure::Unknown`]) is
//! looked for in the stream by its event ids before it is sent again, with
//! the same ids, so that it lands once; the ids are fresh for each write
//! attempt ([`mapping::attempt_id`]).
//!
//! All use of the `eventstore` crate is in this module. That crate (v4) gets
//! no more releases; its maintainers continue it as `kurrentdb`, the same
//! client with a few renames (`ExpectedRevision` became `StreamState`), so
//! moving is a change to this module alone. It never installs a rustls
//! crypto provider process-wide: v4 installs its own on first connection and
//! panics if one is already installed, so nothing else in the process may.

mod deadline;
mod follow;
mod import;
pub mod location;
mod mapping;
mod revision;
mod tls;

use crate::cursor::{self, Cursor};
use crate::record::{EventBatch, Record, RecordMeta};
use crate::store::{EventStore, Head, ImportSession, StoreError};
use crate::time::{Clock, RecordedAt};
use async_trait::async_trait;
use bytes::Bytes;
use deadline::{Budget, within};
use eventstore::{
    AppendToStreamOptions, Client, ClientSettings, EventData, ReadStreamOptions, ResolvedEvent,
    StreamPosition,
};
use futures::stream::BoxStream;
use location::EsdbLocation;
use mapping::EventParts;
use revision::{Failure, classify, expected_revision, read_from, seq_of};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use location::DEFAULT_STREAM;

/// Events asked for in one read call: each call has a deadline, so a long
/// read is made of many short ones.
const READ_PAGE: usize = 512;

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
        tls::check(&settings)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", location.describe())))?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            StoreError::Invalid("connecting to EventStoreDB needs a Tokio runtime".into())
        })?;
        tls::client_made();
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

    /// The most one call may take.
    fn deadline(&self) -> Duration {
        self.inner.location.deadline
    }

    fn budget(&self) -> Budget {
        Budget::new(self.inner.location.retry_budget)
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
        StoreError::Backend(format!("{}: {e}", self.describe()))
    }

    /// The error of an operation that ran out of budget on transient `e`.
    fn gave_up(&self, e: &eventstore::Error, budget: &Budget) -> StoreError {
        StoreError::Unavailable {
            store: self.describe(),
            reason: format!(
                "{e} (still failing after {} retries in {:?}: is the server up and reachable?)",
                budget.retries(),
                self.inner.location.retry_budget
            ),
        }
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

    /// One read call, the events it returns collected under the deadline.
    async fn read_call(
        &self,
        options: ReadStreamOptions,
    ) -> Result<Vec<ResolvedEvent>, eventstore::Error> {
        let options = options.deadline(self.deadline());
        within(self.deadline(), async {
            let mut events = self.client().read_stream(self.stream(), &options).await?;
            let mut out = Vec::new();
            while let Some(event) = events.next().await? {
                out.push(event);
            }
            Ok(out)
        })
        .await
    }

    /// A read call tried again through transient failures within the
    /// budget; a stream that does not exist has no events.
    async fn read_events(
        &self,
        options: ReadStreamOptions,
    ) -> Result<Vec<ResolvedEvent>, StoreError> {
        let mut budget = self.budget();
        loop {
            let e = match self.read_call(options.clone()).await {
                Ok(events) => return Ok(events),
                Err(e) => e,
            };
            match classify(&e) {
                Failure::NoStream => return Ok(Vec::new()),
                f if f.is_transient() => {
                    self.renew_client_after(&e);
                    tracing::warn!(store = %self.describe(), error = %e, "a read failed; trying again");
                    if !budget.pause().await {
                        return Err(self.gave_up(&e, &budget));
                    }
                }
                _ => return Err(self.backend(&e)),
            }
        }
    }

    /// Up to `max` events from record `seq` on (fewer at the end).
    async fn events_from(&self, seq: u64, max: usize) -> Result<Vec<ResolvedEvent>, StoreError> {
        let options = ReadStreamOptions::default()
            .forwards()
            .position(read_from(seq))
            .max_count(max);
        self.read_events(options).await
    }

    /// The stream's last event, or `None` for an empty ledger.
    async fn last_event(&self) -> Result<Option<ResolvedEvent>, StoreError> {
        let options = ReadStreamOptions::default()
            .backwards()
            .position(StreamPosition::End)
            .max_count(1);
        Ok(self.read_events(options).await?.into_iter().next())
    }

    /// Sends the prepared events of one write attempt, to go right after
    /// `head_seq`, until the server has answered for them.
    ///
    /// A send that may have landed (its answer lost) is looked for in the
    /// stream by its event ids; only if it is not there is it sent again,
    /// with the same ids, so that a late landing of the first send and the
    /// resend are one write to the server. The expected revision makes a
    /// landing anywhere but right after `head_seq` impossible.
    async fn write(&self, head_seq: u64, parts: &[EventParts]) -> Result<Written, StoreError> {
        let options = AppendToStreamOptions::default()
            .expected_revision(expected_revision(head_seq))
            .deadline(self.deadline());
        let events: Vec<EventData> = parts
            .iter()
            .cloned()
            .map(EventParts::into_event_data)
            .collect();
        let mut budget = self.budget();
        // Whether a send whose outcome is unknown was made.
        let mut maybe_sent = false;
        loop {
            let sent = within(
                self.deadline(),
                self.client()
                    .append_to_stream(self.stream(), &options, events.clone()),
            )
            .await;
            let e = match sent {
                Ok(_) => return Ok(Written::Yes),
                Err(e) => e,
            };
            let failure = classify(&e);
            match failure {
                Failure::Moved { head_seq: now } => {
                    // An earlier send may have landed and been forgotten
                    // by its ids' cache: the stream tells.
                    if maybe_sent && self.landed(head_seq, parts).await? {
                        return Ok(Written::Yes);
                    }
                    return Ok(Written::Moved(now));
                }
                Failure::Unknown | Failure::Refused => {
                    self.renew_client_after(&e);
                    maybe_sent |= failure == Failure::Unknown;
                    tracing::warn!(store = %self.describe(), error = %e, "an append failed; looking for it before sending it again");
                    if maybe_sent {
                        match self.landed(head_seq, parts).await {
                            Ok(true) => return Ok(Written::Yes),
                            Ok(false) => {}
                            Err(read) => return Err(self.unknown(&e, Some(&read))),
                        }
                    }
                    if !budget.pause().await {
                        return Err(if maybe_sent {
                            self.unknown(&e, None)
                        } else {
                            self.gave_up(&e, &budget)
                        });
                    }
                }
                Failure::NoStream | Failure::Fatal => return Err(self.backend(&e)),
            }
        }
    }

    /// The error of an append that may have landed and cannot be told.
    fn unknown(&self, e: &eventstore::Error, read: Option<&StoreError>) -> StoreError {
        let why = match read {
            Some(read) => format!("{e}; reading the stream back failed too: {read}"),
            None => format!(
                "{e}; not in the stream when last read, but the server may still complete it"
            ),
        };
        StoreError::OutcomeUnknown {
            store: self.describe(),
            reason: format!("{why} (read the head before appending it again)"),
        }
    }

    /// Whether the records after `head_seq` are exactly `parts` (by id).
    async fn landed(&self, head_seq: u64, parts: &[EventParts]) -> Result<bool, StoreError> {
        let events = self.events_from(head_seq + 1, parts.len()).await?;
        Ok(events.len() == parts.len()
            && events
                .iter()
                .zip(parts)
                .all(|(e, p)| e.get_original_event().id == p.id))
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
            // A new attempt, new ids: see `mapping` for why never the hash's.
            let parts = records
                .iter()
                .map(|r| EventParts::of(r, mapping::attempt_id()))
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
        while out.len() < max {
            // One more than still wanted: the anchor, when it is still to be read.
            let ask = (max - out.len()).saturating_add(1).min(READ_PAGE);
            let page = self.events_from(cursor.wants_from(), ask).await?;
            let ended = page.len() < ask;
            for event in &page {
                let record = self.record_of(event, cursor.wants_from())?;
                if let Some(record) = cursor
                    .accept(record)
                    .map_err(|b| self.broken(b.seq, b.reason))?
                {
                    out.push(record);
                    if out.len() == max {
                        break;
                    }
                }
            }
            if ended {
                break;
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
