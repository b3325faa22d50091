//! The one stream of new records: a task follows the store, decodes each
//! record once, and hands the same [`Entry`] to the views (with the
//! followers), the Merkle tree, and every live subscriber.
//!
//! A subscriber gets the records after the seq it asks for: first those
//! already stored (read from the store a page at a time), then the live
//! ones as they are broadcast. One that falls behind the broadcast's
//! [`BROADCAST_KEPT`] entries reads the gap back from the store, so it never
//! misses a record and never holds more than a page of them. A page is
//! sized to the reader's byte budget ([`Limits::reader_bytes`]), from the
//! size of the records read so far, so that a reader that stops reading
//! pins about that many bytes of records, whatever the size of the ledger.
//!
//! [`Limits::reader_bytes`]: crate::server::Limits

use super::LiveLedger;
use futures::{Stream, StreamExt};
use gpu_ledger_ledger::{Record, StoreError};
use gpu_ledger_replay::{Entry, Follower, follow as follow_store};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Entries the broadcast keeps for subscribers that are behind.
pub const BROADCAST_KEPT: usize = 1024;
/// The most records read from the store at a time for a subscriber catching up.
const PAGE: usize = 1000;
/// Records of the first page, before their size is known.
const FIRST_PAGE: usize = 16;
/// Bytes a record is counted for besides its event.
const RECORD_OVERHEAD: usize = 160;

pub(super) struct RecordStream {
    sender: broadcast::Sender<Arc<Entry>>,
}

impl RecordStream {
    pub(super) fn new() -> Self {
        Self {
            sender: broadcast::channel(BROADCAST_KEPT).0,
        }
    }
}

/// Applies every new durable record, in order, to the Merkle tree, the
/// views and the followers, then broadcasts it.
pub(super) async fn follow(live: Arc<LiveLedger>, after: u64, followers: Vec<Arc<dyn Follower>>) {
    let followers: Arc<[Arc<dyn Follower>]> = followers.into();
    let mut entries = Box::pin(follow_store(live.store.clone(), after));
    while let Some(next) = entries.next().await {
        let entry = match next {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, "the views stopped following the ledger");
                return;
            }
        };
        let seq = entry.record.seq;
        live.transparency.record_durable(&entry.record.hash);
        let (applied, followers) = (entry.clone(), followers.clone());
        live.views
            .write(seq, move |views| {
                for f in followers.iter() {
                    f.before(&applied, views);
                }
                views.apply(seq, &applied.event);
                for f in followers.iter() {
                    f.after(&applied, views);
                }
            })
            .await;
        // No subscriber is not an error.
        let _ = live.stream.sender.send(entry);
    }
}

impl LiveLedger {
    /// The records after `after`, then each new one as it becomes durable,
    /// reading ahead at most about `reader_bytes` of them. After
    /// `u64::MAX` there is nothing (callers refuse such a position first).
    pub fn subscribe(
        self: &Arc<Self>,
        after: u64,
        reader_bytes: usize,
    ) -> impl Stream<Item = Result<Record, StoreError>> + Send + 'static {
        let live = self.clone();
        // Subscribed before anything is read, so that nothing falls between.
        let receiver = self.stream.sender.subscribe();
        futures::stream::unfold(
            Subscriber {
                live,
                receiver,
                next: after.saturating_add(1),
                catching_up: after < u64::MAX,
                page: FIRST_PAGE,
                reader_bytes,
                pending: VecDeque::new(),
            },
            |mut s| async move {
                let item = s.next_record().await;
                item.map(|r| (r, s))
            },
        )
    }
}

struct Subscriber {
    live: Arc<LiveLedger>,
    receiver: broadcast::Receiver<Arc<Entry>>,
    /// The seq of the next record to send.
    next: u64,
    /// Read the store before the broadcast (at first, and after a gap).
    catching_up: bool,
    /// Records read from the store, not sent yet.
    pending: VecDeque<Record>,
    /// Records to read from the store next time.
    page: usize,
    reader_bytes: usize,
}

impl Subscriber {
    async fn next_record(&mut self) -> Option<Result<Record, StoreError>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                self.next = r.seq.saturating_add(1);
                return Some(Ok(r));
            }
            if self.catching_up {
                match self.live.store.read(self.next, self.page).await {
                    Ok(records) if records.is_empty() => self.catching_up = false,
                    Ok(records) => {
                        let bytes: usize = records
                            .iter()
                            .map(|r| r.event.len() + RECORD_OVERHEAD)
                            .sum();
                        let each = bytes / records.len();
                        self.page = (self.reader_bytes / each.max(1)).clamp(1, PAGE);
                        // A record read from the store shares the chunk it was
                        // read in (up to 4 MiB); a copy of its event lets that
                        // go, so that a reader that stops reading pins only
                        // its own records.
                        self.pending.extend(records.into_iter().map(|mut r| {
                            r.event = bytes::Bytes::copy_from_slice(&r.event);
                            r
                        }));
                    }
                    Err(e) => return Some(Err(e)),
                }
                continue;
            }
            match self.receiver.recv().await {
                Ok(entry) if entry.record.seq < self.next => {}
                Ok(entry) if entry.record.seq == self.next => {
                    self.next = self.next.saturating_add(1);
                    return Some(Ok(entry.record.clone()));
                }
                // A gap, or this subscriber fell behind: the store has it all.
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.catching_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}
