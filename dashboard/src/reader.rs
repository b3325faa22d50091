//! Who may read the dashboard, as extractors: a handler that takes a
//! [`PageReader`] or a [`DataReader`] runs only for a request that may read.
//!
//! A request carries its token in an `Authorization: Bearer` header (checked
//! exactly as the API checks it) or in the cookie the login form sets; in
//! local mode none is needed. A browser without a token is sent to the
//! login form; a data answer (CSV) without one is a `401` in the API's
//! error shape.

use crate::{Dashboard, Refusal, TOKEN_COOKIE, login};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

/// Why a request may not read.
pub enum Denied {
    /// No credentials at all: a browser is sent to the login form.
    NoToken,
    /// Credentials that are not valid here.
    Refused(Refusal),
}

/// Checks the request's token, from its `Authorization` header when it has
/// one, else from the cookie.
pub fn check(dash: &Dashboard, headers: &HeaderMap) -> Result<(), Denied> {
    if !dash.ledger.needs_token() {
        return Ok(());
    }
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        return dash
            .ledger
            .authorization(value)
            .map_err(|why| Denied::Refused(Refusal::unauthorized(why)));
    }
    let jar = CookieJar::from_headers(headers);
    let token = jar
        .get(TOKEN_COOKIE)
        .map(|c| c.value().trim())
        .filter(|v| !v.is_empty())
        .ok_or(Denied::NoToken)?;
    if dash.ledger.token_is_valid(token) {
        Ok(())
    } else {
        Err(Denied::Refused(Refusal::unauthorized(
            "the token of this browser is not valid for this server: sign in again at /login",
        )))
    }
}

/// A request that may read the pages.
pub struct PageReader;

impl FromRequestParts<Dashboard> for PageReader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, dash: &Dashboard) -> Result<Self, Response> {
        match check(dash, &parts.headers) {
            Ok(()) => Ok(PageReader),
            Err(Denied::NoToken) => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                Err(
                    Redirect::to(&format!("/login?next={}", login::encode_component(next)))
                        .into_response(),
                )
            }
            Err(Denied::Refused(p)) => {
                let mut r = p.into_response();
                // A stale cookie should not lock a browser out of the form.
                r.headers_mut().insert(
                    header::SET_COOKIE,
                    HeaderValue::from_static(login::CLEAR_COOKIE),
                );
                Err(r)
            }
        }
    }
}

/// A request that may read data answers (CSV).
pub struct DataReader;

impl FromRequestParts<Dashboard> for DataReader {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, dash: &Dashboard) -> Result<Self, Refusal> {
        check(dash, &parts.headers).map(|()| DataReader).map_err(|denied| match denied {
            Denied::NoToken => Refusal::unauthorized(
                "this server needs a token: send `Authorization: Bearer <token>` or sign in at /login",
            ),
            Denied::Refused(p) => p,
        })
    }
}
