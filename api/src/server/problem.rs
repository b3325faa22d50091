//! Every refusal of the API as one JSON shape:
//! `{"error": "<rule or kind>", "message": "...", ...ids}`.
//!
//! The framework's own refusals (a body over the limit, a path value that
//! does not parse, no such route, a method the route does not take) come
//! out as plain text; [`as_problems`] turns every such answer into this
//! shape, so a client reads `error` from every 4xx and 5xx.

use super::live::AppendError;
use super::metrics::Metrics;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gpu_ledger_domain::{EventError, RuleError};
use gpu_ledger_ledger::{Head, StoreError};
use serde_json::{Value, json};

/// A request the API refuses, or could not serve.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub body: Value,
}

impl Problem {
    pub fn new(status: StatusCode, error: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: json!({"error": error, "message": message.into()}),
        }
    }

    /// Adds a field to the body.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.body[key] = value.into();
        self
    }

    pub fn kind(&self) -> String {
        self.body["error"].as_str().unwrap_or("error").to_string()
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_event", message)
    }

    /// An event of a request that does not decode; `index` within a batch.
    pub fn event(e: &EventError, index: Option<usize>) -> Self {
        let status = match e {
            EventError::Malformed(_) => StatusCode::BAD_REQUEST,
            EventError::Value(_) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let at = index.map(in_the_batch).unwrap_or_default();
        let mut p = Self::new(status, e.kind(), format!("{at}{e}"));
        if let Some(i) = index {
            p = p.with("index", i);
        }
        if let EventError::Value(v) = e {
            p = p.with("field", v.field.clone());
        }
        p
    }

    /// An event that breaks a rule: the rule's name, message and ids.
    pub fn rule(e: &RuleError, index: Option<usize>) -> Self {
        let mut body = e.to_json();
        if let Some(i) = index {
            body["index"] = i.into();
            body["message"] = format!("{}{e}", in_the_batch(i)).into();
        }
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body,
        }
    }

    pub fn conflict(expected: u64, head: Head) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "conflict",
            format!(
                "the ledger's head is at seq {}, not the expected {expected}",
                head.seq
            ),
        )
        .with("expected_seq", expected)
        .with("head", serde_json::to_value(head).unwrap_or(Value::Null))
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn bad_request(error: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, message)
    }

    pub fn store(e: &StoreError) -> Self {
        match e {
            StoreError::Conflict { expected, actual } => Self::conflict(*expected, *actual),
            StoreError::OutcomeUnknown { .. } => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "outcome_unknown",
                format!("{e}; it was not acknowledged"),
            ),
            other => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                format!(
                    "the ledger could not make the append durable: {other}; it was not acknowledged"
                ),
            ),
        }
    }
}

/// How the API answers a refused append: `409` for a stale expected seq,
/// `403` for a right the principal lacks, `422` for a broken rule, `503`
/// when the store could not make it durable or the state is recovering.
impl From<AppendError> for Problem {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Conflict { expected, head } => Problem::conflict(expected, head),
            AppendError::Rule {
                index,
                batch,
                error,
            } => Problem::rule(&error, batch.then_some(index)),
            AppendError::Forbidden(reason) => Problem::forbidden(reason),
            AppendError::Actor(reason) => {
                Problem::new(StatusCode::FORBIDDEN, "actor_not_principal", reason)
            }
            AppendError::Store(e) => Problem::store(&e),
            AppendError::Recovering(message) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "recovering", message)
            }
        }
    }
}

/// Seconds a client is told to wait before trying a `503` again: about
/// what a standby takes to be promoted and found.
pub const RETRY_AFTER_SECS: &str = "2";

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response
    }
}

/// The shape of every error answer, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ProblemDoc {
    /// The rule broken (e.g. `pool_has_too_few_free`) or the kind of refusal
    /// (`malformed_event`, `invalid_value`, `conflict`, `unauthorized`, ...).
    error: String,
    /// One sentence a person can act on.
    message: String,
}

/// How a message names an event of a batch: counted from 1 for people, with
/// the 0-based `index` the body also carries.
pub fn in_the_batch(index: usize) -> String {
    format!("event {} of the batch (index {index}): ", index + 1)
}

/// What no route answers: a `404` in the API's shape.
pub async fn no_route(uri: axum::http::Uri) -> Problem {
    Problem::not_found(format!(
        "there is no route {}; the API's routes are in /v1/openapi.json",
        uri.path()
    ))
}

/// A method the route does not take: a `405` in the API's shape (the
/// framework adds the `Allow` header).
pub async fn no_method(method: axum::http::Method, uri: axum::http::Uri) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} does not take {method}; the `Allow` header lists what it takes",
            uri.path()
        ),
    )
}

/// The most bytes of a framework refusal's text read into a message.
const MOST_TEXT: usize = 4096;

/// Turns an error answer that is not already JSON (nor a dashboard page)
/// into a [`Problem`], keeping its status and headers and its text as the
/// message; counts a body over its limit in `/metrics`.
pub async fn as_problems(
    State((metrics, body_bytes)): State<(Metrics, usize)>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let typed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if typed.starts_with("application/json") || typed.starts_with("text/html") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MOST_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (error, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            metrics.limit_hit("body_bytes");
            (
                "body_too_large",
                format!(
                    "the request body is over the limit of {body_bytes} bytes (limit body_bytes, `serve --max-body`)"
                ),
            )
        }
        StatusCode::NOT_FOUND => ("not_found", text),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", text),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", text),
        s if s.is_client_error() => ("bad_request", text),
        _ => ("internal", text),
    };
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("refused").to_string()
    } else {
        message
    };
    let mut problem = Problem::new(status, error, message).into_response();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in parts.headers.drain() {
        if let Some(name) = name {
            problem.headers_mut().entry(name).or_insert(value);
        }
    }
    problem
}
