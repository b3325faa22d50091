//! `GET /v1/health`: is the server up, and how far are its views.

use crate::server::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    status: &'static str,
    /// Seq of the last durable record.
    head_seq: u64,
    /// Seq of the last record the live views include.
    views_seq: u64,
    /// Where the ledger lives.
    store: String,
}

/// Health, without a token.
#[utoipa::path(get, path = "/v1/health", tag = "server", security(()), responses((status = 200, description = "The server is up", body = Health)))]
pub async fn health(State(app): State<AppState>) -> Json<Health> {
    let head_seq = app.live.store().head().await.map(|h| h.seq).unwrap_or(0);
    Json(Health {
        status: "ok",
        head_seq,
        views_seq: app.live.views_seq(),
        store: app.live.store().describe(),
    })
}
