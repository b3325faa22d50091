//! `GET /v1/chain/head`: the last record's seq and hash.

use super::HeadDoc;
use crate::server::AppState;
use crate::server::auth::Principal;
use crate::server::problem::{Problem, ProblemDoc};
use axum::Json;
use axum::extract::State;

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
    _reader: Principal,
) -> Result<Json<serde_json::Value>, Problem> {
    let head = app.head().await?;
    Ok(Json(serde_json::to_value(head).expect("a head serialises")))
}
