//! Several servers on one store, as on an EventStoreDB stream: appends race
//! through the expected seq; the loser catches up and is checked again, so
//! clients see neither spurious conflicts nor rules broken across servers.
//! The shared store here is the file store behind a wrapper that, like
//! EventStoreDB, cannot queue appends for this process alone.

use futures::future::join_all;
use gpu_ledger_api::import::{ImportError, LINES_PER_CHUNK, import_into};
use gpu_ledger_ledger::{EventStore, FileStore};
use gpu_ledger_testkit::auditor::chain_verifies;
use gpu_ledger_testkit::history::organization_registered;
use gpu_ledger_testkit::server::local_server;
use gpu_ledger_testkit::stores::FileStoreAs;
use serde_json::Value;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_store_stay_correct() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> =
        Arc::new(FileStoreAs::shared(FileStore::open(dir.path()).unwrap()));
    let mut servers = Vec::new();
    for _ in 0..2 {
        let s = local_server(store.clone()).await;
        servers.push(format!("http://{}/v1/events", s.addr));
    }
    let client = reqwest::Client::new();
    // Clients alternate between the servers; none asks for a precise head.
    let posts = (0..200).map(|i| {
        let (client, url) = (client.clone(), servers[i % 2].clone());
        async move {
            let r = client
                .post(&url)
                .header("content-type", "application/json")
                .body(organization_registered(&format!("ORG-{i}")))
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }
    });
    let statuses = join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");

    // A rule across servers: what server 0 registered, server 1 refuses.
    let r = client
        .post(&servers[0])
        .header("content-type", "application/json")
        .body(organization_registered("ORG-ONCE"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let r = client
        .post(&servers[1])
        .header("content-type", "application/json")
        .body(organization_registered("ORG-ONCE"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "organization_already_registered"
    );

    // A client that does ask for a precise head gets the conflict.
    let stale = store.head().await.unwrap().seq - 1;
    let r = client
        .post(format!("{}?expected_seq={stale}", servers[1]))
        .header("content-type", "application/json")
        .body(organization_registered("ORG-LATE"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);

    assert_eq!(chain_verifies(store.clone()).await, 201);
}

/// On a store whose imports cannot be taken back (EventStoreDB), a file
/// with a bad line late in it must be refused before any of it is pushed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_take_back_gets_nothing_of_a_file_with_a_late_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(FileStoreAs::push_by_push(
        FileStore::open(dir.path()).unwrap(),
    ));
    let text = gpu_ledger_testkit::history::to_jsonl(&gpu_ledger_testkit::history::example_lines());
    let lines = text.lines().count() as u64;
    assert!(
        lines > LINES_PER_CHUNK as u64,
        "the bad line is in a later chunk"
    );
    let input = dir.path().join("late-bad-line.jsonl");
    std::fs::write(&input, format!("{text}{{\"type\":\"NoSuchEvent\"}}\n")).unwrap();

    match import_into(store.clone(), &input, Some(0), true, None).await {
        Err(ImportError::Refused { line, .. }) => assert_eq!(line, lines + 1),
        Err(e) => panic!("expected the bad line refused, got {e}"),
        Ok(_) => panic!("expected the bad line refused"),
    }
    assert_eq!(
        store.head().await.unwrap().seq,
        0,
        "checked before any push"
    );

    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, &text).unwrap();
    let (appended, head) = import_into(store.clone(), &good, Some(0), true, None)
        .await
        .unwrap();
    assert_eq!((appended, head.seq), (lines, lines));
}
