//! What an auditor checks of a test's ledger: that its chain verifies, and
//! that a server's views are what a replay of the ledger gives.

use crate::server::TestServer;
use gpu_ledger_ledger::EventStore;
use gpu_ledger_projections::{ViewName, ViewParams};
use gpu_ledger_replay::{Source, Until, VerifyOptions, rebuild_views, verify};
use std::sync::Arc;

/// Verifies the whole chain, deep (every event decoded and checked by the
/// rules), and returns how many events it holds.
pub async fn chain_verifies(store: Arc<dyn EventStore>) -> u64 {
    let options = VerifyOptions {
        deep: true,
        ..Default::default()
    };
    let report = verify(&mut Source::store(store), options, |_| {})
        .await
        .expect("the store can be read");
    assert!(report.ok, "{report:?}");
    report.events
}

/// Every view the server serves equals the same view rebuilt from its store.
pub async fn views_equal_a_full_replay(s: &TestServer) {
    let mut source = Source::store(Arc::new(s.store.clone()));
    let rebuilt = rebuild_views(&mut source, Until::Head, |_| {})
        .await
        .expect("the views rebuild");
    for view in ViewName::ALL {
        let (status, served) = s.get(None, &format!("/v1/views/{view}")).await;
        assert_eq!(status, 200, "view {view}");
        assert_eq!(
            served,
            rebuilt.json(view, &ViewParams::default()),
            "view {view}"
        );
    }
}
