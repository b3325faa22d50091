//! `GET /v1/chain/head`: the last record's seq and hash.

use super::HeadDoc;
use crate::server::auth::Reader;
use crate::server::problem::{Problem, ProblemDoc};
use axum::Json;

/// The head of the hash chain.
#[utoipa::path(
    get,
    path = "/v1/chain/head",
    tag = "chain",
    responses(
        (status = 200, description = "The last record (seq 0 and 64 zeros when empty)", body = HeadDoc),
        (status = 503, description = "The store could not be read (`store_unavailable`)", body = ProblemDoc),
    )
)]
pub async fn chain_head(Reader(app): Reader) -> Result<Json<serde_json::Value>, Problem> {
    let head = app.head().await?;
    Ok(Json(serde_json::to_value(head).expect("a head serialises")))
}
