//! The programme state as of the records a source yields: what the rules
//! need before more events can be checked against them.

use crate::source::{Source, SourceError};
use gpu_ledger_domain::{Event, EventError, Programme, RuleError, decode_event};
use gpu_ledger_ledger::Record;
use rayon::prelude::*;

#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("stored record seq {seq} does not hold a valid event: {error}")]
    Event { seq: u64, error: EventError },
    #[error("stored record seq {seq} breaks a rule [{}]: {error}", error.rule())]
    Rule { seq: u64, error: RuleError },
}

/// Replays every record of `source` into a new [`Programme`].
pub async fn rebuild_programme(
    source: &mut Source,
    on_progress: impl FnMut(u64),
) -> Result<Programme, RebuildError> {
    let mut p = Programme::new();
    replay(
        source,
        1 << 14,
        |_| true,
        |records, events| {
            for (r, event) in records.iter().zip(events) {
                p.accept(&event)
                    .map_err(|error| RebuildError::Rule { seq: r.seq, error })?;
            }
            Ok(())
        },
        on_progress,
    )
    .await?;
    Ok(p)
}

/// Feeds the records of `source`, in order and while `wanted` holds, to
/// `apply` with their decoded events, a batch at a time. Each batch is
/// decoded on every core while the batch before it is applied, so that
/// replaying costs little more than applying. `on_progress` gets the seq
/// of the last record applied after each batch.
pub async fn replay(
    source: &mut Source,
    batch_size: usize,
    wanted: impl Fn(&Record) -> bool,
    mut apply: impl FnMut(&[Record], Vec<Event>) -> Result<(), RebuildError> + Send,
    mut on_progress: impl FnMut(u64),
) -> Result<(), RebuildError> {
    let mut ready: Option<(Vec<Record>, Vec<Event>)> = None;
    loop {
        let mut batch = source.next_batch(batch_size).await?;
        let keep = batch.iter().take_while(|r| wanted(r)).count();
        let last = keep < batch.len() || batch.is_empty();
        batch.truncate(keep);
        let applied_seq = ready
            .as_ref()
            .and_then(|(records, _)| records.last())
            .map(|r| r.seq);
        let (decoded, applied) = rayon::join(
            || decode_batch(&batch),
            || match ready.take() {
                Some((records, events)) => apply(&records, events),
                None => Ok(()),
            },
        );
        applied?;
        if let Some(seq) = applied_seq {
            on_progress(seq);
        }
        let events = decoded?;
        if last {
            if let Some(r) = batch.last() {
                apply(&batch, events)?;
                on_progress(r.seq);
            }
            return Ok(());
        }
        ready = Some((batch, events));
    }
}

/// The events of `records`, decoded on every core: decoding needs no state,
/// only applying the events in order does. Fails on the first record (by
/// seq) that does not hold a valid event.
pub fn decode_batch(records: &[Record]) -> Result<Vec<Event>, RebuildError> {
    let decoded: Vec<Result<Event, EventError>> =
        records.par_iter().map(|r| decode_event(&r.event)).collect();
    decoded
        .into_iter()
        .zip(records)
        .map(|(event, r)| event.map_err(|error| RebuildError::Event { seq: r.seq, error }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::{Until, rebuild_views};
    use gpu_ledger_ledger::file::FileStore;
    use gpu_ledger_ledger::{EventBatch, EventStore};
    use gpu_ledger_projections::Projections;
    use std::sync::Arc;

    /// The example history (5,416 events) in a fresh file store.
    async fn example_store(dir: &std::path::Path) -> (Arc<dyn EventStore>, Vec<Event>) {
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
    async fn replay_in_small_batches_applies_every_wanted_record_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (store, events) = example_store(dir.path()).await;
        let (mut seen, mut progress) = (Vec::new(), Vec::new());
        replay(
            &mut Source::store(store),
            1000,
            |r| r.seq <= 4321,
            |records, decoded| {
                assert_eq!(records.len(), decoded.len());
                seen.extend(records.iter().map(|r| r.seq).zip(decoded));
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
    async fn the_first_failure_stops_the_replay_even_with_later_batches_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let (store, events) = example_store(dir.path()).await;
        let refusal = events
            .iter()
            .find_map(|e| Programme::new().accept(e).err())
            .expect("some event needs an earlier one");
        let mut applied_up_to = 0;
        let failed = replay(
            &mut Source::store(store),
            500,
            |_| true,
            |records, _| {
                applied_up_to = records.last().unwrap().seq;
                match records.iter().find(|r| r.seq == 1234) {
                    Some(r) => Err(RebuildError::Rule {
                        seq: r.seq,
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
    async fn views_rebuilt_up_to_a_seq_are_the_fold_of_the_events_up_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let (store, events) = example_store(dir.path()).await;
        let rebuilt = rebuild_views(&mut Source::store(store), Until::Seq(4321), |_| {})
            .await
            .unwrap();
        let mut folded = Projections::new();
        for (i, e) in events.iter().take(4321).enumerate() {
            folded.apply(i as u64 + 1, e);
        }
        assert_eq!(rebuilt, folded);
    }
}
