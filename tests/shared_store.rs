//! Several servers on one store, as on an EventStoreDB stream: appends race
//! through the expected seq; the loser catches up and is checked again, so
//! clients see neither spurious conflicts nor rules broken across servers.
//! The shared store here is the file store behind a wrapper that, like
//! EventStoreDB, cannot queue appends for this process alone.

use futures::future::join_all;
use gpu_ledger_api::server::transparency::TransparencyConfig;
use gpu_ledger_api::server::{Access, Limits, start};
use gpu_ledger_ledger::{EventStore, FileStore};
use gpu_ledger_replay::{Source, VerifyOptions, verify};
use gpu_ledger_testkit::stores::SharedFileStore;
use serde_json::{Value, json};
use std::sync::Arc;

fn org(id: &str) -> String {
    json!({"type":"OrganizationRegistered","occurred_at":"2026-03-02T09:00:00+09:00","actor":"msit","org_id":id,"name":"n","sector":"academia","size":"public","region":"capital"}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_store_stay_correct() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> =
        Arc::new(SharedFileStore(FileStore::open(dir.path()).unwrap()));
    let mut servers = Vec::new();
    for _ in 0..2 {
        let s = start(
            store.clone(),
            "127.0.0.1:0".parse().unwrap(),
            Access::Local,
            Limits::default(),
            TransparencyConfig::default(),
        )
        .await
        .unwrap();
        servers.push(format!("http://{}/v1/events", s.addr));
    }
    let client = reqwest::Client::new();
    // Clients alternate between the servers; none asks for a precise head.
    let posts = (0..200).map(|i| {
        let (client, url) = (client.clone(), servers[i % 2].clone());
        async move {
            let r = client
                .post(&url)
                .body(org(&format!("ORG-{i}")))
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
        .body(org("ORG-ONCE"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let r = client
        .post(&servers[1])
        .body(org("ORG-ONCE"))
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
        .body(org("ORG-LATE"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);

    let report = verify(
        &mut Source::store(store.clone()),
        VerifyOptions {
            deep: true,
            ..Default::default()
        },
        |_| {},
    )
    .await
    .unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.events, 201);
}
