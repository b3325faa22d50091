//! Why a page or a data answer was refused: a status, the kind of refusal
//! and a sentence. Data answers (CSV) carry it in the API's JSON shape
//! (`{"error", "message"}`); pages show it in words.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gpu_ledger_ledger::StoreError;

#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub error: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error,
            message: message.into(),
        }
    }

    pub fn bad_request(error: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn store(e: &StoreError) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            format!("the ledger could not be read: {e}"),
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": self.error, "message": self.message});
        (self.status, axum::Json(body)).into_response()
    }
}
