//! `GET /v1/checkpoints/latest`, `GET /v1/checkpoints/{size}`: signed
//! checkpoints (C2SP tlog-checkpoint notes, text/plain); `POST
//! /v1/checkpoints`: sign one now (the office).

use crate::server::AppState;
use crate::server::auth::{Principal, Reader, Role};
use crate::server::problem::{Problem, ProblemDoc};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

fn note(text: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// The latest signed checkpoint.
#[utoipa::path(
    get,
    path = "/v1/checkpoints/latest",
    tag = "checkpoints",
    responses(
        (status = 200, description = "A signed note: origin, tree size, base64 root, signature", content_type = "text/plain", body = String),
        (status = 404, description = "No checkpoint signed yet", body = ProblemDoc),
    )
)]
pub async fn latest_checkpoint(Reader(app): Reader) -> Result<Response, Problem> {
    let (_, text) = app
        .live
        .transparency
        .latest()
        .ok_or_else(|| Problem::not_found("no checkpoint has been signed yet"))?;
    Ok(note(text))
}

/// The checkpoint issued at a tree size.
#[utoipa::path(
    get,
    path = "/v1/checkpoints/{size}",
    tag = "checkpoints",
    params(("size" = u64, Path, description = "The tree size the checkpoint was issued at")),
    responses(
        (status = 200, description = "A signed note", content_type = "text/plain", body = String),
        (status = 404, description = "No checkpoint was issued at that size", body = ProblemDoc),
    )
)]
pub async fn checkpoint_by_size(
    Reader(app): Reader,
    Path(size): Path<u64>,
) -> Result<Response, Problem> {
    let text =
        app.live.transparency.checkpoint(size).ok_or_else(|| {
            Problem::not_found(format!("no checkpoint was issued at size {size}"))
        })?;
    Ok(note(text))
}

/// Sign a checkpoint of the ledger now (office, or local mode).
#[utoipa::path(
    post,
    path = "/v1/checkpoints/latest",
    tag = "checkpoints",
    responses(
        (status = 201, description = "The new signed note", content_type = "text/plain", body = String),
        (status = 403, description = "Only the office may ask for a checkpoint; in local mode, a request from a foreign `Host` or `Origin`", body = ProblemDoc),
        (status = 409, description = "The server has no checkpoint key, or too few witnesses cosigned (nothing published)", body = ProblemDoc),
    )
)]
pub async fn sign_checkpoint(
    State(app): State<AppState>,
    principal: Principal,
) -> Result<Response, Problem> {
    match principal {
        Principal::Local
        | Principal::Token {
            role: Role::Office, ..
        } => {}
        Principal::Token { role, .. } => {
            return Err(Problem::forbidden(format!(
                "the {role} role may not sign checkpoints"
            )));
        }
    }
    // A client that just appended expects its records under this checkpoint.
    app.live.caught_up().await;
    let (_, text) = app
        .live
        .transparency
        .sign_now()
        .await
        .map_err(|e| Problem::new(StatusCode::CONFLICT, "cannot_sign", e))?;
    Ok((
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response())
}
