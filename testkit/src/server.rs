//! A real server on a random loopback port, over a fresh data directory,
//! and a client that speaks to it.

use crate::stores::accepted_batch;
use gpu_ledger_api::server::transparency::TransparencyConfig;
use gpu_ledger_api::server::{Access, Limits, Server, start};
use gpu_ledger_ledger::note::NoteSigner;
use gpu_ledger_ledger::{EventStore, FileStore};
use std::sync::Arc;

/// A server and what it runs on; the data directory goes with it.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub server: Server,
    pub store: FileStore,
    pub dir: tempfile::TempDir,
}

/// Starts a server over a store holding `history` (event bodies).
pub async fn spawn(history: &[String], access: Access, limits: Limits) -> TestServer {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = FileStore::open(dir.path().join("data")).expect("a fresh file store");
    spawn_on(dir, store, history, access, limits).await
}

/// Starts a server over `store` (in `dir`), first loading `history`.
pub async fn spawn_on(
    dir: tempfile::TempDir,
    store: FileStore,
    history: &[String],
    access: Access,
    limits: Limits,
) -> TestServer {
    let every = TransparencyConfig::default().every;
    spawn_signing_every(dir, store, history, access, limits, every).await
}

/// [`spawn_on`], with scheduled checkpoints every `every`.
pub async fn spawn_signing_every(
    dir: tempfile::TempDir,
    store: FileStore,
    history: &[String],
    access: Access,
    limits: Limits,
    every: std::time::Duration,
) -> TestServer {
    let checkpoints = TransparencyConfig {
        state_dir: Some(dir.path().join("data")),
        signer: Some(NoteSigner::generate("test.example/ledger").expect("a signing key")),
        every,
        ..TransparencyConfig::default()
    };
    serve_with(dir, store, history, access, limits, checkpoints).await
}

/// A server in local mode over a fresh store holding `history`, with the
/// checkpoint key, schedule and witnesses `checkpoints` gives for its data directory.
pub async fn spawn_with_checkpoints(
    history: &[String],
    checkpoints: impl FnOnce(&std::path::Path) -> TransparencyConfig,
) -> TestServer {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = FileStore::open(dir.path().join("data")).expect("a fresh file store");
    let checkpoints = checkpoints(&dir.path().join("data"));
    serve_with(
        dir,
        store,
        history,
        Access::Local,
        Limits::default(),
        checkpoints,
    )
    .await
}

async fn serve_with(
    dir: tempfile::TempDir,
    store: FileStore,
    history: &[String],
    access: Access,
    limits: Limits,
    checkpoints: TransparencyConfig,
) -> TestServer {
    if !history.is_empty() {
        let mut import = store.begin_import(Some(0)).await.expect("an import begins");
        import
            .push(accepted_batch(history))
            .await
            .expect("the history is pushed");
        import.commit().await.expect("the history is committed");
    }
    let server = start(
        Arc::new(store.clone()),
        "127.0.0.1:0".parse().expect("a loopback address"),
        access,
        limits,
        checkpoints,
    )
    .await
    .expect("the server starts");
    TestServer {
        base: format!("http://{}", server.addr),
        client: reqwest::Client::new(),
        server,
        store,
        dir,
    }
}

/// A server in local mode with the default limits and no checkpoints, over
/// `store` as it is, on a free loopback port: one of several on one store.
pub async fn local_server(store: Arc<dyn EventStore>) -> Server {
    start(
        store,
        "127.0.0.1:0".parse().expect("a loopback address"),
        Access::Local,
        Limits::default(),
        TransparencyConfig::default(),
    )
    .await
    .expect("the server starts")
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn head(&self) -> u64 {
        self.store.head_now().seq
    }

    pub async fn post(
        &self,
        token: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> (u16, serde_json::Value) {
        let mut r = self.client.post(self.url("/v1/events")).body(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> (u16, serde_json::Value) {
        get_json(&self.client, &self.url(path), token).await
    }

    /// `POST /v1/checkpoints/latest` (sign one now): the status and the note or refusal.
    pub async fn sign_checkpoint(&self) -> (u16, String) {
        let resp = (self
            .client
            .post(self.url("/v1/checkpoints/latest"))
            .send()
            .await)
            .expect("the server answers");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("a text body"))
    }

    /// `GET path` with its status and body as text, for pages, CSV and notes.
    pub async fn get_text(&self, token: Option<&str>, path: &str) -> (u16, String) {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("a text body"))
    }
}

/// `GET url`, with a bearer token when one is given: the status and the JSON
/// body (`null` when the body is not JSON), for servers a test started itself.
pub async fn get_json(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut r = client.get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}
