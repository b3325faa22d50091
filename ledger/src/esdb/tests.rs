//! The backend's own checks that need no server.

use super::*;

#[test]
fn records_chain_onto_the_head_at_one_time() {
    let mut batch = EventBatch::new();
    batch.push(br#"{"n":1,"type":"T"}"#);
    batch.push(br#"{"n":2,"type":"T"}"#);
    let head = Head {
        seq: 7,
        hash: crate::chain::sha256(b"seven"),
        recorded_at: Some(RecordedAt::from_micros(5)),
    };
    let now = RecordedAt::from_micros(9);
    let records = records_after(&head, &batch, now);
    assert_eq!(records.len(), 2);
    let mut last = head;
    for r in &records {
        cursor::check_follows(&last, r).unwrap();
        assert_eq!(r.computed_hash(), r.hash);
        assert_eq!(r.recorded_at, now);
        last = cursor::head_of(r);
    }
    assert_eq!(records[0].seq, 8);
    assert_eq!(&records[1].event[..], br#"{"n":2,"type":"T"}"#);
}

#[test]
fn refuses_what_is_not_an_esdb_location_before_connecting() {
    let err = EsdbStore::connect("file:/tmp/x").unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    let err = EsdbStore::connect("esdb://h?stream=$all").unwrap_err();
    assert!(err.to_string().contains("stream name"), "{err}");
}

#[test]
fn connecting_outside_a_runtime_is_a_clear_error() {
    let err = EsdbStore::connect("esdb://localhost:2113?tls=false").unwrap_err();
    assert!(err.to_string().contains("Tokio runtime"), "{err}");
}

/// A store on a fresh double of a KurrentDB node (the real client, a fake
/// server: see `testkit/esdb-double`).
async fn on_the_double() -> (gpu_ledger_esdb_double::EsdbDouble, EsdbStore) {
    let double = gpu_ledger_esdb_double::EsdbDouble::start()
        .await
        .expect("start the double");
    let url = format!("{}&retryBudget=5000&defaultDeadline=2000", double.url());
    let store = EsdbStore::connect(&url).unwrap();
    (double, store)
}

fn parts_of(records: &[Record]) -> Vec<EventParts> {
    records
        .iter()
        .map(|r| EventParts::of(r, mapping::attempt_id()).unwrap())
        .collect()
}

fn two_events() -> EventBatch {
    let mut batch = EventBatch::new();
    batch.push(br#"{"n":1,"type":"T"}"#);
    batch.push(br#"{"n":2,"type":"T"}"#);
    batch
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_repeated_after_a_lost_answer_is_written_once() {
    let (_double, store) = on_the_double().await;
    let head = store.head().await.unwrap();
    let records = records_after(&head, &two_events(), store.recorded_now(&head));
    let parts = parts_of(&records);
    assert!(matches!(
        store.write(0, &parts).await.unwrap(),
        Written::Yes
    ));
    // The same events at the same expected revision: the server knows the ids.
    assert!(matches!(
        store.write(0, &parts).await.unwrap(),
        Written::Yes
    ));
    assert!(store.landed(0, &parts).await.unwrap());
    assert_eq!(store.read(1, 10).await.unwrap(), records);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writers_with_byte_identical_records_do_not_both_land() {
    let (double, store) = on_the_double().await;
    // Two API servers at the same head, the clock clamped to the head's
    // time, build the same records...
    let head = Head::default();
    let at = RecordedAt::from_micros(1_772_506_800_000_000);
    let records = records_after(&head, &two_events(), at);
    assert_eq!(records, records_after(&head, &two_events(), at));
    // ...but each writer's attempt has ids of its own, so the server takes
    // the second for what it is: a write at a head that has moved.
    let (first, second) = (parts_of(&records), parts_of(&records));
    assert!(matches!(
        store.write(0, &first).await.unwrap(),
        Written::Yes
    ));
    assert!(matches!(
        store.write(0, &second).await.unwrap(),
        Written::Moved(2)
    ));
    assert!(!store.landed(0, &second).await.unwrap());
    let ids: Vec<_> = double.events(store.stream()).iter().map(|e| e.id).collect();
    assert_eq!(ids, first.iter().map(|p| p.id).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_that_breaks_the_chain_stops_reads_at_its_seq() {
    let (_double, store) = on_the_double().await;
    store.append(two_events(), Some(0)).await.unwrap();
    // A third record, consistent in itself, that links to nothing.
    let forged_head = Head {
        seq: 2,
        hash: crate::chain::sha256(b"elsewhere"),
        recorded_at: None,
    };
    let mut one = EventBatch::new();
    one.push(br#"{"n":3,"type":"T"}"#);
    let forged = records_after(&forged_head, &one, RecordedAt::from_micros(1));
    let parts = parts_of(&forged);
    assert!(matches!(
        store.write(2, &parts).await.unwrap(),
        Written::Yes
    ));

    assert_eq!(store.read(1, 2).await.unwrap().len(), 2);
    for from in [1, 3] {
        match store.read(from, 10).await {
            Err(StoreError::Broken { seq: 3, reason, .. }) => {
                assert!(reason.contains("prev"), "{reason}")
            }
            other => panic!("expected a break at seq 3, got {other:?}"),
        }
    }
    let mut followed = store.follow(0);
    use futures::StreamExt;
    assert_eq!(followed.next().await.unwrap().unwrap().seq, 1);
    assert_eq!(followed.next().await.unwrap().unwrap().seq, 2);
    assert!(matches!(
        followed.next().await,
        Some(Err(StoreError::Broken { seq: 3, .. }))
    ));
    assert!(followed.next().await.is_none(), "a break ends the stream");
}

#[test]
fn a_bad_ca_file_is_a_clear_error_at_connect() {
    let err = EsdbStore::connect("esdb://localhost:2113?tls=true&tlsCAFile=/nonexistent/ca.pem")
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(
        err.to_string().contains("tlsCAFile /nonexistent/ca.pem"),
        "{err}"
    );
}

#[tokio::test]
async fn cluster_connection_strings_reach_the_client_intact() {
    // No request is made, so nothing connects.
    let seeds = "esdb://admin:changeit@127.0.0.1:2113,127.0.0.1:2114,127.0.0.1:2115\
                 ?tls=true&nodePreference=leader&stream=ledger-2026";
    let store = EsdbStore::connect(seeds).unwrap();
    assert_eq!(store.stream(), "ledger-2026");
    assert_eq!(store.inner.settings.hosts().len(), 3);
    assert!(store.inner.settings.is_secure_mode_enabled());
    assert!(EsdbStore::connect("esdb://h:2113?nodePreference=sideways").is_err());
}

#[tokio::test]
async fn describe_names_the_stream_without_the_password() {
    let store =
        EsdbStore::connect("esdb://admin:changeit@localhost:2113?tls=false&stream=s1").unwrap();
    assert_eq!(
        store.describe(),
        "esdb://admin@localhost:2113?tls=false&stream=s1"
    );
    assert_eq!(store.stream(), "s1");
    assert!(!store.atomic_import());
    assert!(!format!("{store:?}").contains("changeit"));
}
