//! The analysts' dashboard that `gpu-ledger serve` shows at `/`: the views
//! as HTML pages with SVG charts, rendered by the server.
//!
//! The dashboard reads the ledger through [`LedgerReader`], a narrow
//! read-only interface the server implements; it depends on nothing of the
//! server. Pages read like any API read: no token in local mode; otherwise
//! an `Authorization: Bearer` header, or the HttpOnly cookie that the small
//! login form ([`login`]) sets so that a browser can navigate (the
//! [`reader`] extractors). Every role may read, and no page writes to the
//! ledger. The live events list is the API's server-sent events stream,
//! served by the server at `/events/live` under the same cookie. Each page works with scripts
//! off; a few lines of inline script only add the live events list and make
//! the history slider move as it is dragged. Nothing is fetched from
//! anywhere else: CSS, SVG and script are inline, and every answer carries
//! a policy that says so to the browser ([`browser_policy`]).
//!
//! Every page takes `?until_seq=N` or `?as_of=T` (the API's meanings) and
//! then shows the programme as it was: the current state comes from the live
//! views; a past one is rebuilt by replay ([`point`]). Every figure that a
//! view also has carries `data-json="VIEW:/json/pointer"` and its raw value
//! in `data-value`, so tests (and anyone) can check it against `GET
//! /v1/views/VIEW` at the same point.
//!
//! Every page reads in Korean or English ([`language`]: `?lang=`, else
//! `Accept-Language`), from the Fluent catalogs in `locales/`.
//!
//! One module per page ([`programme`], [`due`], [`calls`], [`holdings`]
//! with its [`outputs`] section, [`utilization`], [`concentration`],
//! [`events`]), the shared page frame in
//! [`layout`], the charts in [`charts`], the incremental history the
//! over-time chart and the recall log need in [`history`], and the audit's
//! exceptions and traces in [`audit`], each trace with where its subject
//! stands in [`standing`].

pub mod audit;
pub mod browser_policy;
pub mod calls;
pub mod charts;
pub mod concentration;
pub mod csv;
pub mod due;
pub mod events;
pub mod history;
pub mod holdings;
pub mod language;
pub mod layout;
pub mod ledger;
pub mod login;
pub mod origin;
pub mod outputs;
pub mod point;
pub mod programme;
pub mod query;
pub mod reader;
pub mod refusal;
pub mod standing;
pub mod utilization;

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
pub use history::History;
pub use ledger::LedgerReader;
use point::PastCache;
pub use refusal::Refusal;
use std::sync::Arc;

/// What the dashboard's handlers share: the ledger, the history the
/// over-time pages need, the past views rebuilt lately, and the audit
/// reports and traces made.
#[derive(Clone)]
pub struct Dashboard {
    pub ledger: Arc<dyn LedgerReader>,
    pub history: Arc<History>,
    pub past: Arc<PastCache>,
    pub audits: Arc<audit::Audits>,
}

/// The name of the cookie that carries a browser's token.
pub const TOKEN_COOKIE: &str = "gpu_ledger_token";

/// The dashboard's routes, to be merged into the server's router.
/// `history` follows the server's record stream; what came before the live
/// views is computed in the background (when called inside a Tokio
/// runtime) so the first concentration page does not wait for it.
pub fn router<S>(ledger: Arc<dyn LedgerReader>, history: Arc<History>) -> Router<S> {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let (history, ledger) = (history.clone(), ledger.clone());
        let first_live = ledger.views_seq() + 1;
        runtime.spawn(async move { history.backfill(ledger.as_ref(), first_live).await });
    }
    let dash = Dashboard {
        ledger,
        history,
        past: Arc::new(PastCache::default()),
        audits: Arc::new(audit::Audits::default()),
    };
    Router::new()
        .route("/", get(programme::page))
        .route("/due", get(due::page))
        .route("/calls", get(calls::page))
        .route("/holdings", get(holdings::page))
        .route("/utilization", get(utilization::page))
        // The page's former spelling, kept for bookmarks.
        .route("/utilisation", get(moved_to_utilization))
        .route("/concentration", get(concentration::page))
        .route("/events", get(events::page))
        .route("/events/{seq}", get(events::record))
        .route("/trace/{kind}/{id}", get(audit::trace_page))
        // The former spelling of `/trace/org/ID`, kept for bookmarks.
        .route("/trace/organization/{id}", get(moved_to_trace_org))
        .route("/csv/{table}", get(csv::table))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .layer(axum::middleware::map_response(browser_policy::apply))
        .with_state(dash)
}

/// `/utilisation[?query]` is now `/utilization[?query]`.
async fn moved_to_utilization(uri: Uri) -> Redirect {
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    Redirect::permanent(&format!("/utilization{query}"))
}

/// `/trace/organization/ID[?query]` is now `/trace/org/ID[?query]`, as
/// the command line says `--org`.
async fn moved_to_trace_org(uri: Uri) -> Redirect {
    let rest = uri.path().trim_start_matches("/trace/organization/");
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    Redirect::permanent(&format!("/trace/org/{rest}{query}"))
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

/// A refusal shown as a page (the API's problem, in its English words, as
/// the API says it).
pub fn problem_page(p: Refusal) -> Response {
    html(
        p.status,
        layout::message_page(
            p.status.as_str(),
            &p.message,
            &language::Reading::english("/"),
        ),
    )
}

/// A page as rendered, or the page that says why it could not be.
pub fn rendered(page: Result<maud::Markup, Refusal>) -> Response {
    match page {
        Ok(page) => html(StatusCode::OK, page),
        Err(p) => problem_page(p),
    }
}

/// The seq the views at `at` include, and the head now. A past point is
/// rebuilt here (and kept), so that rendering it after finds it ready.
pub async fn resolve(
    dash: &Dashboard,
    at: &point::At,
) -> Result<(u64, gpu_ledger_ledger::Head), Refusal> {
    let head = dash.ledger.head().await.map_err(|e| Refusal::store(&e))?;
    if at.is_now(&head) {
        return Ok((head.seq, head));
    }
    let past = dash.past_views(at.until).await?;
    Ok((past.seq, head))
}
