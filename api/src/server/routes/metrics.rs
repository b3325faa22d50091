//! `GET /metrics`: Prometheus text format.

use crate::server::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

/// Counters and gauges for Prometheus, without a token.
#[utoipa::path(get, path = "/metrics", tag = "server", security(()), responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.live.metrics.encode(),
    )
}
