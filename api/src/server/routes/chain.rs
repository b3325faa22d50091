//! `GET /v1/chain/head`: the last record's seq and hash.

use super::HeadDoc;
use crate::server::AppState;
use crate::server::problem::{Problem, ProblemDoc};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;

/// The head of the hash chain.
#[utoipa::path(
    get,
    path = "/v1/chain/head",
    tag = "chain",
    responses(
        (status = 200, description = "The last record (seq 0 and 64 zeros when empty)", body = HeadDoc),
        (status = 401, description = "No or unknown token", body = ProblemDoc),
    )
)]
pub async fn chain_head(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, Problem> {
    app.principal(&headers)?;
    let head = app
        .live
        .store()
        .head()
        .await
        .map_err(|e| Problem::store(&e))?;
    Ok(Json(serde_json::to_value(head).expect("a head serialises")))
}
