//! The machine's own HTTP limit: `gpu-ledger serve`'s HTTP stack answering
//! `201` with no work at all.
//!
//! Issue 19 judges durable appends against what this machine can answer over
//! HTTP in the first place, measured in the same run by the same load
//! generator. So this server is the ledger's stack minus the ledger: the same
//! runtime shape (two workers), the same connection loop with its limits
//! (`gpu_ledger_api::server::connections::serve`), axum, and a `POST
//! /v1/events` that reads the body and answers `201` with an answer of the
//! ledger's size; and a `GET /v1/bytes/{n}` that answers `n` bytes kept in
//! memory, as the ledger answers a view it has already rendered, so a view's
//! latency can be set against the transport's for an answer of its size. It
//! runs as a process of its own (`gpu-ledger-bench
//! noop-serve`), so its CPU is counted apart from the load generator's, as
//! the ledger's is.

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use gpu_ledger_api::server::Limits;
use gpu_ledger_api::server::connections;
use gpu_ledger_api::server::metrics::Metrics;
use std::net::SocketAddr;
use std::sync::LazyLock;
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
        .route("/v1/bytes/{n}", get(bytes))
}

/// The largest answer `GET /v1/bytes/{n}` gives (views at 10M events stay under it).
const MOST_BYTES: usize = 64 << 20;

/// `n` bytes of one buffer made once: an answer costs a reference count, as
/// a cached view's does.
async fn bytes(Path(n): Path<usize>) -> Result<impl IntoResponse, (StatusCode, String)> {
    static BUFFER: LazyLock<Bytes> = LazyLock::new(|| Bytes::from(vec![b' '; MOST_BYTES]));
    if n > MOST_BYTES {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("at most {MOST_BYTES} bytes, not {n}"),
        ));
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        BUFFER.slice(..n),
    ))
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
