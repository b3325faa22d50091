//! A real server on a random loopback port, over a fresh data directory.
#![allow(dead_code)]

use gpu_ledger_api::server::auth::{Tokens, token_hash};
use gpu_ledger_api::server::{Access, Limits, Server, start};
use gpu_ledger_ledger::{EventStore, FileStore};
use std::sync::Arc;

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub server: Server,
    pub store: FileStore,
    pub dir: tempfile::TempDir,
}

/// Tokens of every role, as `(token, role line)`; the token is the role's name + "-token".
pub const ROLES: &[(&str, &str)] = &[
    ("office-token", "office"),
    ("reviewer-token", "reviewer r-001"),
    ("applicant-token", "applicant ORG-1"),
    ("monitor-token", "monitor"),
    ("auditor-token", "auditor"),
    ("analyst-token", "analyst"),
];

pub fn tokens() -> Access {
    let text: String = ROLES
        .iter()
        .map(|(t, role)| format!("{} {role}\n", hex::encode(token_hash(t))))
        .collect();
    Access::Tokens(Tokens::parse(&text).unwrap())
}

/// Starts a server over a store holding `history` (event bodies).
pub async fn spawn(history: &[String], access: Access, limits: Limits) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::open(dir.path().join("data")).unwrap();
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
    let every = gpu_ledger_api::server::transparency::TransparencyConfig::default().every;
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
    if !history.is_empty() {
        let mut import = store.begin_import(Some(0)).await.unwrap();
        let mut batch = gpu_ledger_ledger::EventBatch::new();
        let mut rules = gpu_ledger_domain::Programme::new();
        for line in history {
            let e = gpu_ledger_domain::decode_event(line.as_bytes()).unwrap();
            rules.accept(&e).unwrap();
            batch.push(&e.canonical_json());
        }
        import.push(batch).await.unwrap();
        import.commit().await.unwrap();
    }
    let checkpoints = gpu_ledger_api::server::transparency::TransparencyConfig {
        state_dir: Some(dir.path().join("data")),
        signer: Some(gpu_ledger_ledger::note::NoteSigner::generate("test.example/ledger").unwrap()),
        every,
    };
    let server = start(
        Arc::new(store.clone()),
        "127.0.0.1:0".parse().unwrap(),
        access,
        limits,
        checkpoints,
    )
    .await
    .unwrap();
    TestServer {
        base: format!("http://{}", server.addr),
        client: reqwest::Client::new(),
        server,
        store,
        dir,
    }
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
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> (u16, serde_json::Value) {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }
}
