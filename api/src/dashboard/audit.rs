//! The seam to the audit reports (`gpu-ledger audit report` and `audit
//! trace`): the Programme page lists the audit's exceptions, and events link
//! to the trace of the award, application or organisation they concern.
//!
//! The audit module (`gpu_ledger_replay::audit`) was still being written
//! when the dashboard was, so this seam answers "not built in": the pages
//! say so, and events link to no trace. Wiring it is this file only:
//! [`exceptions`] runs the report (cached per seq: an audit replays the
//! whole ledger), [`trace_href`] names the trace page of a subject, and
//! [`trace_page`] renders one.

use super::Dashboard;
use super::layout::message_page;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

/// One exception, as the Programme page lists it.
#[derive(Debug, Clone)]
pub struct ExceptionLine {
    /// The exception's kind, e.g. `award_out_of_rank_order`.
    pub kind: String,
    /// One sentence saying what was found.
    pub summary: String,
    /// The events that prove it: (seq, hash).
    pub events: Vec<(u64, String)>,
}

/// What the audit found up to a seq.
#[derive(Debug, Clone)]
pub enum Exceptions {
    /// This server has no audit reports.
    NotBuiltIn,
    Failed(String),
    Found(Vec<ExceptionLine>),
}

/// The audit's exceptions up to record `seq`.
pub async fn exceptions(_dash: &Dashboard, _seq: u64) -> Exceptions {
    Exceptions::NotBuiltIn
}

/// The link to the trace of a subject (`award`, `application` or
/// `organization` and its id), where traces are available.
pub fn trace_href(_kind: &str, _id: &str) -> Option<String> {
    None
}

/// `/trace/{kind}/{id}`: the story of an award, application or organisation.
pub async fn trace_page(
    State(dash): State<Dashboard>,
    Path((_kind, _id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(r) = dash.refusal(&headers, &uri) {
        return r;
    }
    super::html(
        StatusCode::NOT_FOUND,
        message_page(
            "No traces here",
            "Audit traces are not built into this server yet: run `gpu-ledger audit trace` where it is available.",
        ),
    )
}
