//! `GET /v1/openapi.json`: this API's OpenAPI document, generated from the handlers.

use axum::{Extension, Json};
use std::sync::Arc;

/// The OpenAPI document of this API, without a token.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "server", security(()), responses((status = 200, description = "OpenAPI 3.1", body = serde_json::Value)))]
pub async fn openapi(
    Extension(api): Extension<Arc<utoipa::openapi::OpenApi>>,
) -> Json<utoipa::openapi::OpenApi> {
    Json((*api).clone())
}
