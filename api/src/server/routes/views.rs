//! `GET /v1/views/{name}`: an analyst's view, live or at a point in history.

use crate::server::auth::Reader;
use crate::server::problem::{Problem, ProblemDoc};
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use gpu_ledger_ledger::time::parse_time;
use gpu_ledger_projections::utilization::Thresholds;
use gpu_ledger_projections::{Format, Projections, ViewName, ViewParams};
use gpu_ledger_replay::{Source, Until, rebuild_views};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct ViewQuery {
    /// The view as it was after record seq N.
    until_seq: Option<u64>,
    /// The view at time T: records with recorded_at <= T (RFC 3339).
    as_of: Option<String>,
    /// json (default) or csv.
    format: Option<String>,
    /// utilization: a period is below when under this many basis points (default 5000).
    threshold_bp: Option<u32>,
    /// utilization: consecutive periods below that make a recall candidate (1 to 16, default 2).
    periods: Option<u32>,
    /// csv: which of the view's tables (default: its main one).
    section: Option<String>,
}

/// One of the views: holdings, pools, calls, ranking, utilization, concentration (docs/views.md).
#[utoipa::path(
    get,
    path = "/v1/views/{name}",
    tag = "views",
    params(("name" = String, Path, description = "holdings, pools, calls, ranking, utilization or concentration"), ViewQuery),
    responses(
        (status = 200, description = "The view (application/json, or text/csv)", body = serde_json::Value),
        (status = 400, description = "A bad parameter", body = ProblemDoc),
        (status = 404, description = "No such view", body = ProblemDoc),
    )
)]
pub async fn get_view(
    Reader(app): Reader,
    Path(name): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, Problem> {
    let view: ViewName = name.parse().map_err(Problem::not_found)?;
    let format = match q.format.as_deref().unwrap_or("json") {
        "json" => Format::Json,
        "csv" => Format::Csv,
        other => {
            return Err(Problem::bad_request(
                "bad_format",
                format!("format {other:?}: use json or csv"),
            ));
        }
    };
    let periods = q.periods.unwrap_or(2);
    if !(1..=Thresholds::MAX_PERIODS).contains(&periods) {
        return Err(Problem::bad_request(
            "bad_periods",
            "periods must be 1 to 16",
        ));
    }
    let params = ViewParams {
        utilization: Thresholds {
            threshold_bp: q.threshold_bp.unwrap_or(5000),
            periods,
        },
        section: q.section.clone(),
    };
    let until = match (q.until_seq, &q.as_of) {
        (Some(_), Some(_)) => {
            return Err(Problem::bad_request(
                "bad_point",
                "give until_seq or as_of, not both",
            ));
        }
        (Some(n), None) => Until::Seq(n),
        (None, Some(t)) => {
            Until::RecordedAt(parse_time(t).map_err(|e| Problem::bad_request("bad_as_of", e))?)
        }
        (None, None) => Until::Head,
    };
    let head = app.head().await?;
    let live = match until {
        Until::Head => true,
        Until::Seq(n) => n >= head.seq,
        Until::RecordedAt(t) => head.recorded_at.is_some_and(|h| t >= h),
    };
    // The view's bytes and content type.
    let render = |p: &Projections| -> Result<(Bytes, &'static str), Problem> {
        if let Some(section) = &params.section
            && !p.tables(view, &params).iter().any(|t| t.name == section)
        {
            return Err(Problem::bad_request(
                "bad_section",
                format!("the {view} view has no table {section:?}"),
            ));
        }
        Ok(match format {
            Format::Csv => (
                Bytes::from(p.render(view, &params, Format::Csv)),
                "text/csv; charset=utf-8",
            ),
            _ => (
                Bytes::from(serde_json::to_vec(&p.json(view, &params)).expect("views serialise")),
                "application/json",
            ),
        })
    };
    let respond = |(body, content_type): (Bytes, &'static str)| {
        (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    if live {
        // Rendered once per state of the ledger: a repeated query is a copy.
        // Every parameter is in the key (all of `ViewParams`, by its Debug).
        let key = format!("{view}?{format:?}&{params:?}");
        app.live.caught_up().await;
        let seq = app.live.views_seq();
        if let Some(hit) = app.live.views.cached(&key, seq) {
            return Ok(respond(hit));
        }
        let rendered = app
            .live
            .with_views(|p| render(p).map(|r| (p.seq, r)))
            .await?;
        app.live.views.keep(key, rendered.0, rendered.1.clone());
        return Ok(respond(rendered.1));
    }
    let past = past_views(app.live.store().clone(), until).await?;
    render(&past).map(respond)
}

/// The views at a past point, replayed off the runtime's workers (a replay
/// is CPU work that would hold a worker for as long as it runs).
pub async fn past_views(
    store: std::sync::Arc<dyn gpu_ledger_ledger::EventStore>,
    until: Until,
) -> Result<Projections, Problem> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        runtime.block_on(rebuild_views(&mut Source::store(store), until, |_| {}))
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r.map_err(|e| e.to_string()))
    .map_err(|e| Problem::new(StatusCode::SERVICE_UNAVAILABLE, "replay_failed", e))
}
