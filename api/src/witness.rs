//! `gpu-ledger witness serve`: the witness's HTTP interface (C2SP
//! tlog-witness) over [`gpu_ledger_ledger::witness::Witness`].
//!
//! - `POST /add-checkpoint`: an old size, a consistency proof and a signed
//!   checkpoint in; a cosignature line out, or the spec's status: 400
//!   malformed, 403 not signed by a trusted key, 404 unknown log, 409 (body
//!   the size last cosigned, `text/x.tlog.size`) wrong old size, 422 bad
//!   proof or fork.
//! - `GET /<hex SHA-256 of origin>/checkpoint`: the last cosigned checkpoint.
//!
//! Limits: a request body holds at most [`MAX_REQUEST_BYTES`] (413 beyond),
//! which is room for the 63 proof lines the spec allows and a checkpoint
//! with a few dozen signatures; the check and the write happen on a
//! blocking thread under the witness's one lock, so requests queue there
//! rather than race.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gpu_ledger_ledger::witness::{Refusal, Witness};
use std::net::SocketAddr;
use std::sync::Arc;

/// The largest `add-checkpoint` body accepted.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The answer to a refusal: the size for 409, a sentence otherwise.
fn refusal(r: &Refusal) -> Response {
    let status = StatusCode::from_u16(r.status()).expect("refusal statuses are valid");
    match r {
        Refusal::WrongOldSize { known, .. } => {
            text(status, "text/x.tlog.size", format!("{known}\n"))
        }
        _ => text(status, "text/plain; charset=utf-8", format!("{r}\n")),
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_secs().max(1))
}

async fn add_checkpoint(State(witness): State<Arc<Witness>>, body: Bytes) -> Response {
    let Ok(body) = String::from_utf8(body.to_vec()) else {
        return refusal(&Refusal::Malformed("the body is not UTF-8".into()));
    };
    let answer = tokio::task::spawn_blocking(move || witness.add_checkpoint(&body, now())).await;
    match answer {
        Ok(Ok(line)) => text(StatusCode::OK, "text/plain; charset=utf-8", line),
        Ok(Err(r)) => {
            tracing::warn!(status = r.status(), reason = %r, "refused a checkpoint");
            refusal(&r)
        }
        Err(e) => refusal(&Refusal::Storage(e.to_string())),
    }
}

async fn cosigned_checkpoint(
    State(witness): State<Arc<Witness>>,
    Path(origin_hash): Path<String>,
) -> Response {
    match witness.cosigned_note(&origin_hash) {
        Some(note) => text(StatusCode::OK, "text/plain; charset=utf-8", note),
        None => text(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "this witness has cosigned no checkpoint of that log\n".into(),
        ),
    }
}

/// The witness's routes.
pub fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", axum::routing::post(add_checkpoint))
        .route(
            "/{origin_hash}/checkpoint",
            axum::routing::get(cosigned_checkpoint),
        )
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(witness)
}

/// A running witness: its address, and how to stop it.
pub struct WitnessServer {
    pub addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl WitnessServer {
    /// Stops taking requests and closes idle connections; waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Serves `witness` on `addr` until stopped (or Ctrl-C, for `serve`).
pub async fn start(witness: Arc<Witness>, addr: SocketAddr) -> Result<WitnessServer, String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = router(witness);
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(WitnessServer { addr, stop, task })
}
