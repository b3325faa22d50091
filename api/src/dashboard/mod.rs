//! The analysts' dashboard that `gpu-ledger serve` shows at `/`: the views
//! as HTML pages with SVG charts, rendered by the server.
//!
//! Pages read like any API read: no token in local mode; otherwise an
//! `Authorization: Bearer` header, or the HttpOnly cookie that the small
//! login form ([`login`]) sets so that a browser can navigate. Every role may
//! read, and no page writes to the ledger. Each page works with scripts
//! off; a few lines of inline script only add the live events list and make
//! the history slider move as it is dragged. Nothing is fetched from
//! anywhere else: CSS, SVG and script are inline.
//!
//! Every page takes `?until_seq=N` or `?as_of=T` (the API's meanings) and
//! then shows the programme as it was: the current state comes from the live
//! views; a past one is rebuilt by replay ([`point`]). Every figure that a
//! view also has carries `data-json="VIEW:/json/pointer"` and its raw value
//! in `data-value`, so tests (and anyone) can check it against `GET
//! /v1/views/VIEW` at the same point.
//!
//! One module per page ([`programme`], [`calls`], [`holdings`],
//! [`utilization`], [`concentration`], [`events`]), the shared page frame in
//! [`layout`], the charts in [`charts`], the incremental history the
//! over-time chart and the recall log need in [`history`], and the audit's
//! exceptions and traces in [`audit`].

pub mod audit;
pub mod calls;
pub mod charts;
pub mod concentration;
pub mod csv;
pub mod events;
pub mod history;
pub mod holdings;
pub mod layout;
pub mod login;
pub mod point;
pub mod programme;
pub mod utilization;

use crate::server::auth::Principal;
use crate::server::problem::Problem;
use crate::server::{Access, AppState};
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use history::History;
use point::PastCache;
use std::sync::Arc;

/// What the dashboard's handlers share: the server's state, the history
/// the over-time pages need, the past views rebuilt lately, and the audit
/// reports and traces made.
#[derive(Clone)]
pub struct Dashboard {
    pub app: AppState,
    pub history: Arc<History>,
    pub past: Arc<PastCache>,
    pub audits: Arc<audit::Audits>,
}

/// The name of the cookie that carries a browser's token.
pub const TOKEN_COOKIE: &str = "gpu_ledger_token";

/// The dashboard's routes, to be merged into the API's router. `history`
/// follows the server's record stream; what came before the live views is
/// computed in the background (when called inside a Tokio runtime) so the
/// first concentration page does not wait for it.
pub fn router<S>(app: &AppState, history: Arc<History>) -> Router<S> {
    let dash = Dashboard {
        app: app.clone(),
        history,
        past: Arc::new(PastCache::default()),
        audits: Arc::new(audit::Audits::default()),
    };
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let history = dash.history.clone();
        let store = app.live.store().clone();
        let first_live = app.live.views_seq() + 1;
        runtime.spawn(async move { history.backfill(store, first_live).await });
    }
    Router::new()
        .route("/", get(programme::page))
        .route("/calls", get(calls::page))
        .route("/holdings", get(holdings::page))
        .route("/utilization", get(utilization::page))
        // The page's former spelling, kept for bookmarks.
        .route("/utilisation", get(moved_to_utilization))
        .route("/concentration", get(concentration::page))
        .route("/events", get(events::page))
        .route("/events/live", get(events::live))
        .route("/events/{seq}", get(events::record))
        .route("/trace/{kind}/{id}", get(audit::trace_page))
        .route("/csv/{table}", get(csv::table))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .with_state(dash)
}

/// `/utilisation[?query]` is now `/utilization[?query]`.
async fn moved_to_utilization(uri: Uri) -> Redirect {
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    Redirect::permanent(&format!("/utilization{query}"))
}

/// Why a request may not read.
pub enum Denied {
    /// No credentials at all: a browser is sent to the login form.
    NoToken,
    /// Credentials that are not valid here.
    Refused(Problem),
}

impl Dashboard {
    /// The principal of a request: its `Authorization` header when it has
    /// one (exactly as the API decides), else the token cookie.
    pub fn principal(&self, headers: &HeaderMap) -> Result<Principal, Denied> {
        let tokens = match &*self.app.access {
            Access::Local => return Ok(Principal::Local),
            Access::Tokens(t) => t,
        };
        if headers.contains_key(header::AUTHORIZATION) {
            return self.app.principal(headers).map_err(Denied::Refused);
        }
        let token = cookie(headers, TOKEN_COOKIE).ok_or(Denied::NoToken)?;
        tokens.authenticate(token).ok_or_else(|| {
            Denied::Refused(Problem::unauthorized(
                "the token of this browser is not valid for this server: sign in again at /login",
            ))
        })
    }

    /// For pages: the answer to send instead of the page when the request
    /// may not read (the login form for a browser without a token).
    pub fn refusal(&self, headers: &HeaderMap, uri: &Uri) -> Option<Response> {
        let denied = self.principal(headers).err()?;
        Some(match denied {
            Denied::NoToken => {
                let next = uri.path_and_query().map_or("/", |p| p.as_str());
                Redirect::to(&format!("/login?next={}", login::encode_component(next)))
                    .into_response()
            }
            Denied::Refused(p) => {
                let mut r = p.into_response();
                // A stale cookie should not lock a browser out of the form.
                r.headers_mut().insert(
                    header::SET_COOKIE,
                    HeaderValue::from_static(login::CLEAR_COOKIE),
                );
                r
            }
        })
    }

    /// For data answers (CSV, the live stream): the principal, or a 401.
    pub fn api_reader(&self, headers: &HeaderMap) -> Result<Principal, Problem> {
        self.principal(headers).map_err(|denied| match denied {
            Denied::NoToken => Problem::unauthorized(
                "this server needs a token: send `Authorization: Bearer <token>` or sign in at /login",
            ),
            Denied::Refused(p) => p,
        })
    }
}

/// The value of cookie `name`, if the request carries it.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// An HTML answer that no cache keeps: pages show live state and may be
/// behind a login.
pub fn html(status: StatusCode, markup: maud::Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// A refusal shown as a page (the API's problem, in words).
pub fn problem_page(p: Problem) -> Response {
    let message = p.body["message"].as_str().unwrap_or("error").to_string();
    let status = p.status;
    html(status, layout::message_page(status.as_str(), &message))
}

/// The seq the views at `at` include, and the head now. A past point is
/// rebuilt here (and kept), so that rendering it after finds it ready.
pub async fn resolve(
    dash: &Dashboard,
    at: &point::At,
) -> Result<(u64, gpu_ledger_ledger::Head), Problem> {
    let head = dash
        .app
        .live
        .store()
        .head()
        .await
        .map_err(|e| Problem::store(&e))?;
    if at.is_now(&head) {
        return Ok((head.seq, head));
    }
    let past = dash.past_views(at.until).await?;
    Ok((past.seq, head))
}
