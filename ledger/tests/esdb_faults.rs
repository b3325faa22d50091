//! The EventStoreDB backend through every fault the double injects, with
//! the real `eventstore` client in between: no acknowledged event lost,
//! none written twice, and every append whose answer was lost resolved
//! (found in the stream, or sent again and landed once) or, when the stream
//! cannot be read back in time, reported as of unknown outcome, never as
//! not appended.
//!
//! The double is not KurrentDB: these tests prove how the adapter handles
//! the client's behaviour under those answers, nothing about the server.

use gpu_ledger_esdb_double::{EsdbDouble, Fault};
use gpu_ledger_ledger::{EsdbStore, EventBatch, EventStore, Hash, Record, RecordMeta, StoreError};
use std::collections::HashSet;
use std::time::{Duration, Instant};

fn batch(tag: &str, n: usize) -> EventBatch {
    let mut b = EventBatch::new();
    for i in 0..n {
        b.push(format!("{{\"i\":{i},\"tag\":\"{tag}\",\"type\":\"FaultChecked\"}}").as_bytes());
    }
    b
}

/// `url` with a short deadline and budget, so a test waits seconds, not
/// the defaults' tens of seconds.
fn store(url: &str, deadline_ms: u64, budget_ms: u64) -> EsdbStore {
    EsdbStore::connect(&format!(
        "{url}&defaultDeadline={deadline_ms}&retryBudget={budget_ms}"
    ))
    .expect("connect to the double")
}

async fn read_all(store: &EsdbStore) -> Vec<Record> {
    store.read(1, usize::MAX).await.expect("read the ledger")
}

/// The ledger is one unbroken chain; every acknowledged record is in it
/// with its hash; no event body is in it twice; and the double holds
/// exactly as many events as the chain has records.
async fn assert_exactly_once(double: &EsdbDouble, store: &EsdbStore, acked: &[RecordMeta]) {
    let all = read_all(store).await;
    let mut prev = Hash::ZERO;
    for (i, r) in all.iter().enumerate() {
        assert_eq!(r.seq, i as u64 + 1);
        assert_eq!(r.prev, prev, "seq {}", r.seq);
        assert_eq!(r.computed_hash(), r.hash);
        prev = r.hash;
    }
    for m in acked {
        let r = all
            .get(m.seq as usize - 1)
            .unwrap_or_else(|| panic!("acknowledged seq {} is not in the ledger", m.seq));
        assert_eq!(r.meta(), *m, "acknowledged seq {}", m.seq);
    }
    let mut bodies = HashSet::new();
    for r in &all {
        assert!(
            bodies.insert(r.event.clone()),
            "seq {} written twice",
            r.seq
        );
    }
    assert_eq!(double.events(store.stream()).len(), all.len());
}

/// One append before the fault, the faulted one, one after: all acknowledged,
/// each once.
async fn survives(fault: Fault) -> (EsdbDouble, u64) {
    let double = EsdbDouble::start().await.unwrap();
    let store = store(&double.url(), 1_000, 10_000);
    let mut acked = store.append(batch("before", 2), Some(0)).await.unwrap();
    double.inject(fault);
    let sent_before = double.appends_received();
    let faulted = store.append(batch("faulted", 3), Some(2)).await;
    let faulted = faulted.unwrap_or_else(|e| panic!("{fault:?}: {e}"));
    assert_eq!(
        faulted.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert_eq!(double.faults_left(), 0, "the fault was met");
    let sends = double.appends_received() - sent_before;
    acked.extend(faulted);
    acked.extend(store.append(batch("after", 2), Some(5)).await.unwrap());
    assert_exactly_once(&double, &store, &acked).await;
    assert_eq!(read_all(&store).await.len(), 7);
    (double, sends)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_that_timed_out_after_landing_is_found_not_resent() {
    let (_, sends) = survives(Fault::TimeoutAfterCommit).await;
    assert_eq!(sends, 1, "found in the stream by its ids: no second send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_that_timed_out_before_landing_is_resent_once() {
    let (_, sends) = survives(Fault::TimeoutBeforeCommit).await;
    assert_eq!(sends, 2, "not in the stream: sent again, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_after_the_write_is_found_not_resent() {
    let (_, sends) = survives(Fault::DropAfterCommit).await;
    assert_eq!(sends, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_before_the_write_is_resent_once() {
    let (_, sends) = survives(Fault::DropBeforeCommit).await;
    assert_eq!(sends, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_append_is_resent_once() {
    let (_, sends) = survives(Fault::Cancelled).await;
    assert_eq!(sends, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_append_that_never_answers_meets_its_deadline_and_is_resent() {
    let started = Instant::now();
    let (_, sends) = survives(Fault::Hang).await;
    assert_eq!(sends, 2);
    // The hang lasts an hour unless the deadline (1 s here) ends it.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_answering_not_leader_sends_the_client_to_the_leader() {
    let double = EsdbDouble::cluster(2).await.unwrap();
    // Connected to node 0 alone, which is then no longer the leader: its
    // not-leader answer names node 1, and the client goes there.
    let store = store(&double.node_url(0), 1_000, 10_000);
    let mut acked = store.append(batch("n0", 2), Some(0)).await.unwrap();
    double.elect(1);
    acked.extend(store.append(batch("n1", 2), Some(2)).await.unwrap());
    acked.extend(store.append(batch("n1b", 1), None).await.unwrap());
    assert_exactly_once(&double, &store, &acked).await;
    assert_eq!(read_all(&store).await.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_election_within_the_budget_is_waited_out_through_gossip() {
    let double = EsdbDouble::cluster(3).await.unwrap();
    let store = store(&double.url(), 1_000, 15_000);
    let mut acked = store.append(batch("first", 2), None).await.unwrap();
    // A commit times out as the leader goes, then no node answers for 1.5 s,
    // then node 2 leads: the append is resolved (found, not resent).
    double.inject(Fault::TimeoutAfterCommit);
    let faulted = tokio::spawn({
        let store = store.clone();
        async move { store.append(batch("during", 2), Some(2)).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    double.election(Duration::from_millis(1_500), 2);
    acked.extend(faulted.await.unwrap().expect("resolved after the election"));
    acked.extend(store.append(batch("after", 2), Some(4)).await.unwrap());
    assert_exactly_once(&double, &store, &acked).await;
    assert_eq!(read_all(&store).await.len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outcome_that_cannot_be_read_back_in_the_budget_is_reported_unknown() {
    let double = EsdbDouble::start().await.unwrap();
    let store = store(&double.url(), 500, 1_000);
    store.append(batch("first", 1), Some(0)).await.unwrap();
    // The commit lands, its answer is lost, and the node stays unavailable
    // longer than the budget: the adapter cannot know, and says so.
    double.inject(Fault::LeaderLostAfterCommit { for_ms: 3_000 });
    match store.append(batch("lost", 2), Some(1)).await {
        Err(StoreError::OutcomeUnknown { reason, .. }) => {
            assert!(reason.contains("Operation timed out"), "{reason}")
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    // It did land, once; once the server is back, the head shows it.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(store.head().await.unwrap().seq, 3);
    assert_exactly_once(&double, &store, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_election_longer_than_the_budget_is_unavailable_with_nothing_appended() {
    let double = EsdbDouble::start().await.unwrap();
    let store = store(&double.url(), 500, 1_000);
    store.append(batch("first", 1), Some(0)).await.unwrap();
    double.election(Duration::from_millis(3_000), 0);
    let started = Instant::now();
    // The head read that starts the append cannot be made: nothing is sent.
    match store.append(batch("refused", 2), Some(1)).await {
        Err(StoreError::Unavailable { reason, .. }) => {
            assert!(reason.contains("retries"), "{reason}")
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the budget bounds it"
    );
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(read_all(&store).await.len(), 1, "nothing of it appended");
}

type Followed = futures::stream::BoxStream<'static, Result<Record, StoreError>>;

async fn next(followed: &mut Followed) -> Record {
    use futures::StreamExt;
    tokio::time::timeout(Duration::from_secs(20), followed.next())
        .await
        .expect("a record in time")
        .expect("the stream goes on")
        .expect("a record")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_goes_on_through_dropped_connections_and_an_election() {
    use futures::StreamExt;
    let double = EsdbDouble::start().await.unwrap();
    let store = store(&double.url(), 500, 1_000);
    store.append(batch("old", 2), None).await.unwrap();
    let mut followed = store.follow(0);
    assert_eq!(next(&mut followed).await.seq, 1);
    assert_eq!(next(&mut followed).await.seq, 2);
    // Longer than a read's budget: the follower's reads fail and it goes on.
    double.election(Duration::from_millis(2_500), 0);
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    double.inject(Fault::DropAfterCommit);
    let writer = store.clone();
    let appended = tokio::spawn(async move { writer.append(batch("new", 2), None).await });
    assert_eq!(next(&mut followed).await.seq, 3);
    assert_eq!(next(&mut followed).await.seq, 4);
    assert_eq!(appended.await.unwrap().unwrap().len(), 2);
    let quiet = tokio::time::timeout(Duration::from_millis(600), followed.next()).await;
    assert!(quiet.is_err(), "nothing more: {quiet:?}");
}
