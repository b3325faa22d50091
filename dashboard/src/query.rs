//! Query strings of the dashboard, parsed as axum's `Query` parses them but
//! refused as every other refusal of the dashboard is: a page for a page
//! ([`PageQuery`]), the API's JSON problem for a data answer ([`DataQuery`]).
//! axum's own rejection is a line of plain text.

use super::problem_page;
use super::refusal::Refusal;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// The parsed query string of a page; a bad one is shown as a page.
pub struct PageQuery<T>(pub T);

/// The parsed query string of a data answer (CSV); a bad one gets the
/// API's JSON problem body.
pub struct DataQuery<T>(pub T);

/// The query string as `T`, or its refusal (naming the parameter and what
/// is wrong with it) answered by `answer`.
async fn parsed<T: DeserializeOwned, S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    answer: fn(Refusal) -> Response,
) -> Result<T, Response> {
    axum::extract::Query::<T>::from_request_parts(parts, state)
        .await
        .map(|axum::extract::Query(query)| query)
        .map_err(|rejection| answer(Refusal::bad_request("bad_query", rejection.body_text())))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        parsed(parts, state, problem_page).await.map(PageQuery)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for DataQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        parsed(parts, state, IntoResponse::into_response)
            .await
            .map(DataQuery)
    }
}
