//! What the server gives the dashboard: the read-only interface it is
//! built over ([`LedgerReader`]), and its live list under the browser's
//! cookie.

use super::AppState;
use super::auth::{self, Principal};
use super::problem::Problem;
use super::routes::events_live::live_records;
use crate::server::Access;
use crate::server::connections::ConnectionSocket;
use crate::server::query::Query;
use async_trait::async_trait;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum_extra::extract::CookieJar;
use gpu_ledger_dashboard::{LedgerReader, TOKEN_COOKIE};
use gpu_ledger_ledger::{Head, Record, StoreError};
use gpu_ledger_projections::Projections;
use gpu_ledger_replay::Source;
use serde::Deserialize;

#[async_trait]
impl LedgerReader for AppState {
    async fn head(&self) -> Result<Head, StoreError> {
        self.live.store().head().await
    }

    async fn records(&self, from_seq: u64, max: usize) -> Result<Vec<Record>, StoreError> {
        self.live.store().read(from_seq, max).await
    }

    fn replay_after(&self, after: u64) -> Source {
        Source::store_after(self.live.store().clone(), after)
    }

    async fn caught_up(&self) {
        self.live.caught_up().await;
    }

    fn read_views(&self, f: &mut dyn FnMut(&Projections)) {
        self.live.views.read(|p| f(p));
    }

    fn views_seq(&self) -> u64 {
        self.live.views_seq()
    }

    fn latest_checkpoint(&self) -> Option<(u64, String)> {
        self.live.transparency.latest()
    }

    fn needs_token(&self) -> bool {
        matches!(&*self.access, Access::Tokens(_))
    }

    fn token_is_valid(&self, token: &str) -> bool {
        match &*self.access {
            Access::Local => true,
            Access::Tokens(t) => t.authenticate(token).is_some(),
        }
    }

    fn authorization(&self, value: &axum::http::HeaderValue) -> Result<(), String> {
        match &*self.access {
            Access::Local => Ok(()),
            Access::Tokens(t) => auth::bearer(t, value).map(|_| ()).map_err(str::to_string),
        }
    }
}

/// A browser's reader: the `Authorization` header when the request has one
/// (exactly as the API decides), else the dashboard's token cookie.
pub struct BrowserReader(pub Principal);

impl FromRequestParts<AppState> for BrowserReader {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Problem> {
        let tokens = match &*app.access {
            Access::Local => return Ok(BrowserReader(Principal::Local)),
            Access::Tokens(t) => t,
        };
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return app.principal(&parts.headers).map(BrowserReader);
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(TOKEN_COOKIE).map(|c| c.value().trim().to_string());
        match token.filter(|t| !t.is_empty()) {
            None => Err(Problem::unauthorized(
                "this server needs a token: send `Authorization: Bearer <token>` or sign in at /login",
            )),
            Some(t) => tokens.authenticate(&t).map(BrowserReader).ok_or_else(|| {
                Problem::unauthorized(
                    "the token of this browser is not valid for this server: sign in again at /login",
                )
            }),
        }
    }
}

#[derive(Deserialize)]
pub struct LiveQuery {
    after: Option<u64>,
}

/// `/events/live`: the dashboard's live list, the API's stream
/// (`/v1/events/live`) under the browser's cookie.
pub async fn live_list(
    State(app): State<AppState>,
    BrowserReader(reader): BrowserReader,
    Query(q): Query<LiveQuery>,
    headers: HeaderMap,
    socket: Option<axum::Extension<ConnectionSocket>>,
) -> Result<Response, Problem> {
    live_records(&app, &reader, q.after, &headers, socket.map(|s| s.0)).await
}
