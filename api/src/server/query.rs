//! Query strings, parsed as axum's `Query` parses them, but refused with the
//! same JSON problem body as every other 400: axum's own rejection is plain
//! text, which a client that reads `error` cannot tell from a proxy's page.

use crate::server::problem::Problem;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The parsed query string of a request.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(query)) => Ok(Query(query)),
            // The text names the parameter and what is wrong with it.
            Err(rejection) => Err(Problem::bad_request("bad_query", rejection.body_text())),
        }
    }
}
