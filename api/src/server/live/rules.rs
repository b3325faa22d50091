//! Appends: checked against the rules' state, then made durable.
//!
//! Appends are pipelined into the store's group commit: under one short lock
//! an append is checked against the state including every append still in
//! flight, then queued to the store in that same order; the lock is released
//! before the sync, so the next append is checked while this one syncs. If
//! the store fails an append, everything queued after it fails too (their
//! expected seqs no longer match), and the rules' state is rebuilt from the
//! store before the next append.
//!
//! Where several servers share one store (PostgreSQL, EventStoreDB), another
//! server may have appended since this one last looked: the rules' state
//! first catches up with the store, and an append that loses a race is
//! checked again and retried, unless its client asked for a precise head.
//! While such a store has no writable database, appends waiting their turn
//! are answered at once instead of queueing behind one being resolved.

use super::LiveLedger;
use gpu_ledger_domain::{Event, Programme, RuleError};
use gpu_ledger_ledger::{AppendKey, EventBatch, Head, RecordMeta, StoreError};
use gpu_ledger_replay::fold::{BATCH, fold};
use gpu_ledger_replay::{RebuildError, Source, Until, rebuild_programme};

/// How many times an append that lost a race to another server is retried.
const MAX_RACES: u32 = 64;

/// The pause before retrying after the `attempt`-th lost race: growing to
/// 8 ms and jittered, so that a server that keeps winning (its own clients
/// queued behind each other) drains its burst instead of outrunning this
/// one 64 times in a row; at most about half a second in all.
fn race_backoff(attempt: u32) -> std::time::Duration {
    use std::hash::BuildHasher;
    let cap_us = 250 * u64::from(attempt.min(32));
    let jitter = std::collections::hash_map::RandomState::new().hash_one(attempt) % cap_us.max(1);
    std::time::Duration::from_micros(cap_us / 2 + jitter / 2)
}

pub(super) struct Rules {
    programme: Programme,
    /// Seq after every append checked so far, durable or in flight.
    next_seq: u64,
    /// A queued append failed: rebuild from the store before the next one.
    stale: bool,
}

impl Rules {
    pub(super) fn new(programme: Programme, seq: u64) -> Self {
        Self {
            programme,
            next_seq: seq,
            stale: false,
        }
    }

    /// The seq a snapshot of this state is of, unless a failed append left it stale.
    pub(super) fn settled_seq(&self) -> Option<u64> {
        (!self.stale).then_some(self.next_seq)
    }

    pub(super) fn programme(&self) -> &Programme {
        &self.programme
    }
}

/// Why an append was refused; nothing was appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The client asked for a head the ledger is not at.
    #[error("the ledger's head is at seq {}, not the expected {expected}", head.seq)]
    Conflict { expected: u64, head: Head },
    /// Event `index` of the append breaks a rule (`batch`: it came in an array).
    #[error("{}{error}", if *batch { crate::server::problem::in_the_batch(*index) } else { String::new() })]
    Rule {
        index: usize,
        batch: bool,
        error: RuleError,
    },
    /// The principal may not append this event.
    #[error("{0}")]
    Forbidden(String),
    /// The store could not make the append durable.
    #[error("the ledger could not make the append durable: {0}; it was not acknowledged")]
    Store(StoreError),
    /// The rules' state could not be brought up to date with the store.
    #[error("{0}")]
    Recovering(String),
}

impl LiveLedger {
    /// Checks `events` against the rules (and `allowed` against the principal)
    /// and appends them atomically; returns their records once durable.
    pub async fn append(
        &self,
        events: &[Event],
        expected_seq: Option<u64>,
        allowed: impl Fn(&Event, &Programme) -> Result<(), String>,
    ) -> Result<Vec<RecordMeta>, AppendError> {
        self.append_keyed(events, expected_seq, None, allowed).await
    }

    /// [`LiveLedger::append`], with the request's idempotency key kept by a
    /// store that keeps keys, in the append's own transaction.
    pub async fn append_keyed(
        &self,
        events: &[Event],
        expected_seq: Option<u64>,
        key: Option<&AppendKey>,
        allowed: impl Fn(&Event, &Programme) -> Result<(), String>,
    ) -> Result<Vec<RecordMeta>, AppendError> {
        let mut batch = EventBatch::with_capacity(events.len(), events.len() * 256);
        for e in events {
            batch.push_with(|buf| e.write_canonical_json(buf));
        }
        let mut rules = tokio::select! {
            biased;
            rules = self.rules.lock() => rules,
            e = self.store.outage() => return Err(AppendError::Store(e)),
        };
        if rules.stale {
            self.rebuild_rules(&mut rules).await?;
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            if !self.store.can_enqueue() {
                self.catch_up_rules(&mut rules).await?;
            }
            if let Some(expected) = expected_seq
                && expected != rules.next_seq
            {
                let head = self.store.head().await.map_err(AppendError::Store)?;
                let head = if head.seq == rules.next_seq {
                    head
                } else {
                    Head {
                        seq: rules.next_seq,
                        ..head
                    }
                };
                return Err(AppendError::Conflict { expected, head });
            }
            for e in events {
                allowed(e, &rules.programme).map_err(AppendError::Forbidden)?;
            }
            let undo = rules.programme.savepoint();
            for (index, e) in events.iter().enumerate() {
                if let Err(error) = rules.programme.accept(e) {
                    rules.programme.rollback(undo);
                    return Err(AppendError::Rule {
                        index,
                        batch: events.len() > 1,
                        error,
                    });
                }
            }
            let expected = rules.next_seq;
            let durable = match self
                .store
                .enqueue(std::mem::take(&mut batch), Some(expected))
            {
                Ok(queued) => {
                    rules.programme.release(undo);
                    rules.next_seq += events.len() as u64;
                    drop(rules);
                    let r = queued.await;
                    if r.is_err() {
                        // What was queued after it fails too; rebuild before the next append.
                        self.rules.lock().await.stale = true;
                    }
                    r
                }
                // A backend that cannot queue: append while holding the lock,
                // and take the events back exactly if the store refuses them.
                Err(returned) => match self.store_append(returned.clone(), expected, key).await {
                    Ok(metas) => {
                        rules.programme.release(undo);
                        rules.next_seq += events.len() as u64;
                        Ok(metas)
                    }
                    Err(StoreError::Conflict { .. })
                        if expected_seq.is_none() && attempts < MAX_RACES =>
                    {
                        rules.programme.rollback(undo);
                        batch = returned;
                        tokio::time::sleep(race_backoff(attempts)).await;
                        continue;
                    }
                    Err(e) => {
                        rules.programme.rollback(undo);
                        Err(e)
                    }
                },
            };
            return match durable {
                Ok(metas) => {
                    self.metrics.appended.inc_by(metas.len() as u64);
                    if let Some(last) = metas.last() {
                        self.metrics.head_seq.set(last.seq as i64);
                    }
                    Ok(metas)
                }
                Err(StoreError::Conflict { expected, actual }) => Err(AppendError::Conflict {
                    expected,
                    head: actual,
                }),
                Err(e) => Err(AppendError::Store(e)),
            };
        }
    }

    async fn store_append(
        &self,
        batch: EventBatch,
        expected: u64,
        key: Option<&AppendKey>,
    ) -> Result<Vec<RecordMeta>, StoreError> {
        match key.zip(self.store.kept_keys()) {
            Some((key, keys)) => keys.append_keyed(batch, Some(expected), key).await,
            None => self.store.append(batch, Some(expected)).await,
        }
    }

    /// Applies the records other writers appended since the rules' state
    /// last saw the store.
    async fn catch_up_rules(&self, rules: &mut Rules) -> Result<(), AppendError> {
        let programme = &mut rules.programme;
        let mut seq = rules.next_seq;
        let caught_up = fold(
            &mut Source::store_after(self.store.clone(), seq),
            BATCH,
            Until::Head,
            |entries| {
                for e in entries {
                    programme
                        .accept(&e.event)
                        .map_err(|error| RebuildError::Rule {
                            seq: e.record.seq,
                            error,
                        })?;
                    seq = e.record.seq;
                }
                Ok(())
            },
            |_| {},
        )
        .await;
        rules.next_seq = seq;
        caught_up.map_err(|e| AppendError::Recovering(e.to_string()))
    }

    async fn rebuild_rules(&self, rules: &mut Rules) -> Result<(), AppendError> {
        let mut source = Source::store(self.store.clone());
        let programme = rebuild_programme(&mut source, |_| {})
            .await
            .map_err(|e| AppendError::Recovering(e.to_string()))?;
        rules.next_seq = programme.events_accepted();
        rules.programme = programme;
        rules.stale = false;
        tracing::warn!(
            seq = rules.next_seq,
            "rebuilt the rules' state from the store after a failed append"
        );
        Ok(())
    }
}
