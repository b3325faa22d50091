//! `GET /v1/views/{name}`: an analyst's view, live or at a point in history.

use crate::server::AppState;
use crate::server::auth::Principal;
use crate::server::problem::{Problem, ProblemDoc};
use crate::server::query::Query;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use gpu_ledger_domain::Timestamp;
use gpu_ledger_ledger::time::parse_time;
use gpu_ledger_projections::ranking::Selection;
use gpu_ledger_projections::utilization::Thresholds;
use gpu_ledger_projections::{Format, Projections, ViewName, ViewParams};
use gpu_ledger_replay::{Source, Until, rebuild_views};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct ViewQuery {
    /// The view as it was after record seq N.
    until_seq: Option<u64>,
    /// The view as of business time T (RFC 3339): the longest prefix of the
    /// ledger whose events all occurred at or before T.
    as_of: Option<String>,
    /// The view as the ledger had recorded it by time T: records with
    /// recorded_at <= T (RFC 3339), for auditors.
    recorded_as_of: Option<String>,
    /// json (default) or csv.
    format: Option<String>,
    /// utilization: a period is below when under this many basis points (default 5000).
    threshold_bp: Option<u32>,
    /// utilization: consecutive periods below that make a recall candidate (1 to 16, default 2).
    periods: Option<u32>,
    /// due: the instant to judge deadlines at (RFC 3339; default: the last event's occurred_at).
    now: Option<String>,
    /// csv: which of the view's tables (default: its main one).
    section: Option<String>,
    /// ranking: only the tracks of this call.
    call: Option<String>,
    /// ranking: only the tracks with this id.
    track: Option<String>,
    /// ranking: a page of this many applications per track (1 to 1000).
    limit: Option<usize>,
    /// ranking: the page starts after this application (the previous page's
    /// `page.next_after`); needs exactly one track selected.
    after: Option<String>,
}

/// One of the views: holdings, pools, calls, ranking, utilization, concentration, due, outputs, reviews (docs/views.md).
#[utoipa::path(
    get,
    path = "/v1/views/{name}",
    tag = "views",
    params(("name" = String, Path, description = "holdings, pools, calls, ranking, utilization, concentration, due, outputs or reviews"), ViewQuery),
    responses(
        (status = 200, description = "The view (application/json, or text/csv)", body = serde_json::Value),
        (status = 400, description = "A bad parameter", body = ProblemDoc),
        (status = 404, description = "No such view", body = ProblemDoc),
        (status = 503, description = "The store could not be read (`store_unavailable`), or the view could not be replayed at the point asked (`replay_failed`)", body = ProblemDoc),
    )
)]
pub async fn get_view(
    State(app): State<AppState>,
    reader: Principal,
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
    let now = q
        .now
        .as_deref()
        .map(Timestamp::parse)
        .transpose()
        .map_err(|e| Problem::bad_request("bad_now", format!("now: {e}")))?;
    let params = ViewParams {
        utilization: Thresholds {
            threshold_bp: q.threshold_bp.unwrap_or(5000),
            periods,
        },
        now,
        section: q.section.clone(),
        ranking: Selection {
            call: q.call.clone(),
            track: q.track.clone(),
            limit: q.limit,
            after: q.after.clone(),
        },
    };
    if params.ranking.is_given() && view != ViewName::Ranking {
        return Err(Problem::bad_request(
            "bad_ranking_page",
            format!("call, track, limit and after page the ranking view, not {view}"),
        ));
    }
    let until = match (q.until_seq, &q.as_of, &q.recorded_as_of) {
        (Some(n), None, None) => Until::Seq(n),
        (None, Some(t), None) => Until::OccurredAt(
            Timestamp::parse(t)
                .map_err(|e| Problem::bad_request("bad_as_of", format!("as_of: {e}")))?
                .instant(),
        ),
        (None, None, Some(t)) => Until::RecordedAt(
            parse_time(t).map_err(|e| Problem::bad_request("bad_recorded_as_of", e))?,
        ),
        (None, None, None) => Until::Head,
        _ => {
            return Err(Problem::bad_request(
                "bad_point",
                "give one of until_seq, as_of and recorded_as_of",
            ));
        }
    };
    let head = app.head().await?;
    let occurred_by = app.live.with_views(|p| p.occurred_by).await;
    let live = until.covers_head(head.seq, head.recorded_at, occurred_by);
    // An answer at a time says which clock it read the time on.
    let as_of = until
        .clock()
        .zip(q.as_of.as_ref().or(q.recorded_as_of.as_ref()))
        .map(|(clock, at)| serde_json::json!({"clock": clock, "at": at}));
    // The view's bytes and content type.
    let render = |p: &Projections| -> Result<(Bytes, &'static str), Problem> {
        if view == ViewName::Ranking {
            params
                .ranking
                .check(&p.catalog)
                .map_err(|e| Problem::bad_request("bad_ranking_page", e))?;
        }
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
            _ => {
                let mut json = p.json(view, &params);
                if let Some(as_of) = &as_of {
                    json["as_of"] = as_of.clone();
                }
                let bytes = serde_json::to_vec(&json).expect("views serialise");
                (Bytes::from(bytes), "application/json")
            }
        })
    };
    let respond = |(body, content_type): (Bytes, &'static str)| {
        (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    if live {
        // Rendered once per state of the ledger: a repeated query is a copy,
        // whoever asks. Every parameter is in the key (all of `ViewParams`,
        // by its Debug); each principal keeps a bounded share of the answers.
        let key = format!("{view}?{format:?}&{params:?}&{as_of:?}");
        app.live.caught_up().await;
        let seq = app.live.views_seq();
        if let Some(hit) = app.live.views.cached(&key, seq) {
            return Ok(respond(hit));
        }
        let rendered = app
            .live
            .with_views(|p| render(p).map(|r| (p.seq, r)))
            .await?;
        app.live
            .views
            .keep(&reader.key(), key, rendered.0, rendered.1.clone());
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
