//! Why the EventStoreDB backend follows by reading and never subscribes:
//! the v4 client, given a subscription that the server ends with an OK
//! status (as KurrentDB ends one whose consumer is too slow, "resubscription
//! required"), loops on the finished stream without ever yielding. The call
//! never returns, not even to a timeout around it, and its thread stays
//! busy for good.
//!
//! This test shows it against the double, in a process of its own (the
//! spinning thread dies with the process). If a client release fixes this,
//! the test fails, and `follow` may go back to subscribing.

use gpu_ledger_esdb_double::EsdbDouble;
use gpu_ledger_ledger::{EsdbStore, EventBatch, EventStore};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn the_v4_client_spins_for_ever_on_a_subscription_the_server_ends() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let double = runtime.block_on(EsdbDouble::start()).unwrap();
    let url = double.url();
    runtime.block_on(async {
        let store = EsdbStore::connect(&url).unwrap();
        let mut one = EventBatch::new();
        one.push(br#"{"type":"SubscriptionChecked"}"#);
        store.append(one, Some(0)).await.unwrap();
    });

    let (said, heard) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let own = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        own.block_on(async move {
            let client = eventstore::Client::new(url.parse().unwrap()).unwrap();
            let mut subscription = client
                .subscribe_to_stream(
                    "gpu-ledger",
                    &eventstore::SubscribeToStreamOptions::default()
                        .start_from(eventstore::StreamPosition::Start),
                )
                .await;
            loop {
                let next = tokio::time::timeout(
                    Duration::from_secs(2),
                    subscription.next_subscription_event(),
                )
                .await;
                let _ = said.send(match next {
                    Ok(Ok(e)) => format!("{e:?}"),
                    Ok(Err(e)) => format!("error: {e}"),
                    Err(_) => "timed out".to_string(),
                });
            }
        });
    });
    let mut seen = Vec::new();
    // Confirmed, the event, caught up: all as expected...
    while seen.len() < 3 {
        match heard.recv_timeout(Duration::from_secs(20)) {
            Ok(m) => seen.push(m),
            Err(e) => panic!("{e}: only {seen:?}"),
        }
    }
    assert!(seen[0].starts_with("Confirmed"), "{seen:?}");
    assert!(seen[1].starts_with("EventAppeared"), "{seen:?}");
    assert_eq!(seen[2], "CaughtUp", "{seen:?}");
    // ...then the server ends the call with OK, and nothing comes back ever:
    // no error, no end, not even the 2 s timeout, which cannot fire on a
    // thread that never yields.
    let after = heard.recv_timeout(Duration::from_secs(6));
    assert!(
        after.is_err(),
        "the client answered after the end of the subscription ({after:?}): \
         it no longer spins, and `follow` could subscribe again"
    );
}
