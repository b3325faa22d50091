//! The machine's own HTTP limit: `gpu-ledger serve`'s HTTP stack answering
//! `201` with no work at all.
//!
//! Issue 19 judges durable appends against what this machine can answer over
//! HTTP in the first place, measured in the same run by the same load
//! generator. So this server is the ledger's stack minus the ledger: the same
//! runtime shape (two workers), the same connection loop with its limits
//! (`gpu_ledger_api::server::connections::serve`), axum, and a `POST
//! /v1/events` that reads the body and answers `201` with an answer of the
//! ledger's size. It runs as a process of its own (`gpu-ledger-bench
//! noop-serve`), so its CPU is counted apart from the load generator's, as
//! the ledger's is.

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use gpu_ledger_api::server::Limits;
use gpu_ledger_api::server::connections;
use gpu_ledger_api::server::metrics::Metrics;
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

/// An answer the size of the ledger's to one appended event.
const ANSWER: &str = r#"{"records":[{"seq":1000001,"recorded_at":"2026-12-02T00:00:00.000000Z","prev":"sha256:0000000000000000000000000000000000000000000000000000000000000000","hash":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}"#;

/// Serves the no-op routes on `addr` until the process is stopped.
pub fn serve(addr: SocketAddr) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let closing = CancellationToken::new();
        connections::serve(
            listener,
            router(),
            Limits::default(),
            Metrics::new(),
            closing,
        )
        .await
        .map_err(|e| format!("the no-op server failed: {e}"))
    })
}

fn router() -> Router {
    Router::new()
        .route("/v1/events", post(appended))
        .route("/v1/health", get(|| async { "{}" }))
}

/// Takes the whole body, as the ledger does before it parses one, and does
/// nothing with it.
async fn appended(body: Bytes) -> impl IntoResponse {
    std::hint::black_box(body.len());
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        ANSWER,
    )
}
