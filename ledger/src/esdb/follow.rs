//! Following the ledger: a catch-up subscription to its stream that reads
//! what is there, then every new record as it is appended.
//!
//! A dropped connection does not end the stream of records: the
//! subscription is made again after the last record handed out, and the
//! [`Cursor`] skips anything delivered twice and checks every record's link
//! to the one before, so nothing is lost, repeated or accepted out of chain.
//! Only what trying again cannot mend (access denied, a deleted stream, a
//! broken chain) ends it, with the error.

use super::EsdbStore;
use super::revision::{Failure, backoff, classify, subscribe_after};
use crate::cursor::{Cursor, NextRecord, follow_with};
use crate::record::Record;
use crate::store::{EventStore, StoreError};
use eventstore::{SubscribeToStreamOptions, Subscription, SubscriptionEvent};
use futures::stream::BoxStream;

/// The records after `after_seq`, then each new one.
pub(super) fn follow(
    store: EsdbStore,
    after_seq: u64,
) -> BoxStream<'static, Result<Record, StoreError>> {
    let state = Follower {
        store,
        cursor: Cursor::after(after_seq),
        subscription: None,
        failures: 0,
    };
    follow_with(state)
}

struct Follower {
    store: EsdbStore,
    cursor: Cursor,
    subscription: Option<Subscription>,
    /// Failed subscriptions in a row (for the pause before the next).
    failures: u32,
}

/// A subscription whose first event is record `first_seq`.
async fn subscribe(store: &EsdbStore, first_seq: u64) -> Subscription {
    let options = SubscribeToStreamOptions::default().start_from(subscribe_after(first_seq - 1));
    store
        .client()
        .subscribe_to_stream(store.stream(), &options)
        .await
}

impl NextRecord for Follower {
    async fn next_record(&mut self) -> Result<Record, StoreError> {
        loop {
            if self.subscription.is_none() {
                // From the anchor, or from the record after the last one handed out.
                let first = self.cursor.wants_from();
                self.subscription = Some(subscribe(&self.store, first).await);
            }
            let subscription = self.subscription.as_mut().expect("subscribed above");
            match subscription.next_subscription_event().await {
                Ok(SubscriptionEvent::EventAppeared(event)) => {
                    self.failures = 0;
                    let record = self.store.record_of(&event, self.cursor.wants_from())?;
                    let accepted = self
                        .cursor
                        .accept(record)
                        .map_err(|b| self.store.broken(b.seq, b.reason))?;
                    if let Some(record) = accepted {
                        return Ok(record);
                    }
                }
                Ok(SubscriptionEvent::Confirmed(_) | SubscriptionEvent::CaughtUp) => {
                    self.failures = 0;
                }
                Ok(_) => {}
                Err(e) => {
                    self.subscription = None;
                    match classify(&e) {
                        Failure::Transient | Failure::NoStream => {
                            self.store.renew_client_after(&e);
                            tracing::warn!(
                                store = %self.store.describe(),
                                error = %e,
                                after_seq = self.cursor.last_seq(),
                                "the subscription dropped; subscribing again after the last record"
                            );
                            tokio::time::sleep(backoff(self.failures)).await;
                            self.failures = self.failures.saturating_add(1);
                        }
                        _ => return Err(self.store.backend(&e)),
                    }
                }
            }
        }
    }
}
