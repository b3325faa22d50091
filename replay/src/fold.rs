//! The one loop that turns stored records into events: records from a
//! source (a store, an export, a seq range), decoded once, handed in seq
//! order to whatever consumes them (the rules, the views, the Merkle tree,
//! the audits, the dashboard's history).
//!
//! Two forms:
//! - [`fold`]: a history that ends (a replay at start-up, a past point, an
//!   audit). Batches are decoded on every core while the batch before is
//!   applied, so that replaying costs little more than applying.
//! - [`follow`]: the live ledger. Each record, as it becomes durable, is
//!   decoded once into an [`Entry`] that every consumer shares.
//!
//! No other code decodes stored records in a loop.

use crate::rebuild::RebuildError;
use crate::source::{Source, SourceError};
use crate::views::{OccurredBy, Until};
use futures::{Stream, StreamExt};
use gpu_ledger_domain::{Event, EventError, decode_event};
use gpu_ledger_ledger::{EventStore, Record};
use gpu_ledger_projections::Projections;
use rayon::prelude::*;
use std::sync::Arc;

/// A stored record and the event it holds, decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub record: Record,
    pub event: Event,
}

/// Something the live ledger keeps up to date beside its views (the
/// dashboard's history samples them): it sees each entry with the views as
/// they were just before it and just after it. Called in seq order, from
/// one task, while the views are held for that entry.
pub trait Follower: Send + Sync {
    fn before(&self, entry: &Entry, views: &Projections);
    fn after(&self, entry: &Entry, views: &Projections);
}

/// Records replayed at a time, unless a caller asks for fewer.
pub const BATCH: usize = 1 << 14;

/// Feeds the records of `source`, in order and up to `until`, to
/// `apply` with their events, a batch of at most `batch_size` at a time.
/// `on_progress` gets the seq of the last record applied after each batch.
/// The first error (from the source, a record that does not decode, or
/// `apply`) ends the fold; nothing after it is applied.
pub async fn fold(
    source: &mut Source,
    batch_size: usize,
    until: Until,
    mut apply: impl FnMut(&[Entry]) -> Result<(), RebuildError> + Send,
    mut on_progress: impl FnMut(u64),
) -> Result<(), RebuildError> {
    let mut ready: Option<Vec<Entry>> = None;
    let mut occurred_by = OccurredBy::default();
    loop {
        let mut batch = source.next_batch(batch_size).await?;
        // Records beyond the point are cut before decoding, so that damage
        // after it does not stop a replay up to it.
        let keep = batch
            .iter()
            .take_while(|r| until.may_include(r.seq, r.recorded_at))
            .count();
        let mut last = keep < batch.len() || batch.is_empty();
        batch.truncate(keep);
        let applied_seq = ready
            .as_ref()
            .and_then(|entries| entries.last())
            .map(|e| e.record.seq);
        let (decoded, applied) = rayon::join(
            || decode_batch(batch),
            || match ready.take() {
                Some(entries) => apply(&entries),
                None => Ok(()),
            },
        );
        applied?;
        if let Some(seq) = applied_seq {
            on_progress(seq);
        }
        let mut entries = decoded?;
        // A business-time point ends at the first event after it.
        if let Until::OccurredAt(_) = until {
            let keep = entries
                .iter()
                .take_while(|e| {
                    occurred_by = occurred_by.after(e.event.occurred_at.instant());
                    until.includes(e.record.seq, e.record.recorded_at, occurred_by.0)
                })
                .count();
            last |= keep < entries.len();
            entries.truncate(keep);
        }
        if last {
            if let Some(seq) = entries.last().map(|e| e.record.seq) {
                apply(&entries)?;
                on_progress(seq);
            }
            return Ok(());
        }
        ready = Some(entries);
    }
}

/// The records of `records` with their events, decoded on every core:
/// decoding needs no state, only applying the events in order does. Fails
/// on the first record (by seq) that does not hold a valid event.
pub fn decode_batch(records: Vec<Record>) -> Result<Vec<Entry>, RebuildError> {
    let decoded = decode_each(&records);
    records
        .into_iter()
        .zip(decoded)
        .map(|(record, event)| match event {
            Ok(event) => Ok(Entry { record, event }),
            Err(error) => Err(RebuildError::Event {
                seq: record.seq,
                error,
            }),
        })
        .collect()
}

/// The event of each record, decoded on every core, in order.
pub fn decode_each(records: &[Record]) -> Vec<Result<Event, EventError>> {
    records.par_iter().map(|r| decode_event(&r.event)).collect()
}

/// Every record of `store` after `after`, then each new one as it becomes
/// durable, each decoded once and shared.
pub fn follow(
    store: Arc<dyn EventStore>,
    after: u64,
) -> impl Stream<Item = Result<Arc<Entry>, RebuildError>> + Send + 'static {
    store.follow(after).map(|next| {
        let record = next.map_err(|e| RebuildError::Source(SourceError::Store(e)))?;
        let event = decode_event(&record.event).map_err(|error| RebuildError::Event {
            seq: record.seq,
            error,
        })?;
        Ok(Arc::new(Entry { record, event }))
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use gpu_ledger_domain::Programme;
    use gpu_ledger_ledger::EventBatch;
    use gpu_ledger_ledger::file::FileStore;

    /// The example history (5,416 events) in a fresh file store.
    pub(crate) async fn example_store(dir: &std::path::Path) -> (Arc<dyn EventStore>, Vec<Event>) {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/march-2026.jsonl"),
        )
        .unwrap();
        let events: Vec<Event> = text
            .lines()
            .map(|l| decode_event(l.as_bytes()).unwrap())
            .collect();
        let mut batch = EventBatch::new();
        for e in &events {
            batch.push(&e.canonical_json());
        }
        let store: Arc<dyn EventStore> = Arc::new(FileStore::open(dir).unwrap());
        store.append(batch, Some(0)).await.unwrap();
        (store, events)
    }

    #[tokio::test]
    async fn a_fold_in_small_batches_applies_every_wanted_record_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (store, events) = example_store(dir.path()).await;
        let (mut seen, mut progress) = (Vec::new(), Vec::new());
        fold(
            &mut Source::store(store),
            1000,
            Until::Seq(4321),
            |entries| {
                seen.extend(entries.iter().map(|e| (e.record.seq, e.event.clone())));
                Ok(())
            },
            |seq| progress.push(seq),
        )
        .await
        .unwrap();
        assert_eq!(seen.len(), 4321);
        for (i, (seq, event)) in seen.iter().enumerate() {
            assert_eq!((*seq, event), (i as u64 + 1, &events[i]));
        }
        assert_eq!(progress, [1000, 2000, 3000, 4000, 4321]);
    }

    #[tokio::test]
    async fn the_first_failure_stops_the_fold_even_with_later_batches_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let (store, events) = example_store(dir.path()).await;
        let refusal = events
            .iter()
            .find_map(|e| Programme::new().accept(e).err())
            .expect("some event needs an earlier one");
        let mut applied_up_to = 0;
        let failed = fold(
            &mut Source::store(store),
            500,
            Until::Head,
            |entries| {
                applied_up_to = entries.last().unwrap().record.seq;
                match entries.iter().find(|e| e.record.seq == 1234) {
                    Some(e) => Err(RebuildError::Rule {
                        seq: e.record.seq,
                        error: refusal.clone(),
                    }),
                    None => Ok(()),
                }
            },
            |_| {},
        )
        .await;
        assert!(matches!(failed, Err(RebuildError::Rule { seq: 1234, .. })));
        assert_eq!(
            applied_up_to, 1500,
            "nothing applied after the failing batch"
        );
    }

    #[tokio::test]
    async fn following_yields_the_stored_records_then_each_new_one_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let (store, events) = example_store(dir.path()).await;
        let head = events.len() as u64;
        let mut live = Box::pin(follow(store.clone(), head - 6));
        for seq in head - 5..=head {
            let e = live.next().await.unwrap().unwrap();
            assert_eq!(e.record.seq, seq);
            assert_eq!(e.event, events[seq as usize - 1]);
        }
        let mut more = EventBatch::new();
        more.push(&events[0].canonical_json());
        store.append(more, None).await.unwrap();
        let e = live.next().await.unwrap().unwrap();
        assert_eq!((e.record.seq, &e.event), (head + 1, &events[0]));
    }
}
