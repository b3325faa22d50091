//! `GET /metrics`: Prometheus text format.

use crate::server::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

/// What `/metrics` answers in, as its OpenAPI entry says.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Counters and gauges for Prometheus, without a token.
#[utoipa::path(get, path = "/metrics", tag = "server", security(()), responses((status = 200, description = "Prometheus text format", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String)))]
pub async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        app.live.metrics.encode(),
    )
}
