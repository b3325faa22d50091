//! `/csv/{table}`: the CSV behind each of the pages' tables, at the page's
//! point in history: a view's table (exactly the bytes of `GET
//! /v1/views/{view}?format=csv&section=...`), the latest events, the
//! concentration over time, or the audit's exceptions. Served here, under the dashboard's
//! authentication, so that a signed-in browser can follow the links. Every
//! one is a [`Table`] written by the `csv` crate, as the views' CSV is.

use super::Dashboard;
use super::audit::{self, Exceptions};
use super::history::{Every, Want};
use super::point::{At, AtQuery, with_views};
use super::query::DataQuery;
use super::{events, resolve};
use crate::Refusal;
use crate::reader::DataReader;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gpu_ledger_projections::table::{Cell, Table};
use gpu_ledger_projections::{Format, ViewName, ViewParams};
use serde::Deserialize;
use std::time::Duration;

#[derive(Deserialize)]
pub struct Options {
    section: Option<String>,
    /// `due`: the instant to judge deadlines at.
    now: Option<String>,
    every: Option<Every>,
    limit: Option<usize>,
}

pub async fn table(
    DataReader(dash): DataReader,
    Path(table): Path<String>,
    DataQuery(q): DataQuery<AtQuery>,
    DataQuery(options): DataQuery<Options>,
) -> Response {
    match csv(&dash, &table, &q, &options).await {
        Ok((name, body)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(p) => p.into_response(),
    }
}

async fn csv(
    dash: &Dashboard,
    table: &str,
    q: &AtQuery,
    options: &Options,
) -> Result<(String, String), Refusal> {
    let at = At::parse(q)?;
    match table {
        "events" => {
            let (seq, _) = resolve(dash, &at).await?;
            let limit = options.limit.unwrap_or(50).clamp(1, 1000);
            let mut t = Table::new(
                "events",
                "The latest events",
                vec!["seq", "recorded_at", "hash", "type", "occurred_at", "actor"],
            );
            for r in events::latest(dash, seq, limit).await? {
                let e: serde_json::Value = serde_json::from_slice(&r.event).unwrap_or_default();
                let field = |k: &str| Cell::from(e[k].as_str().unwrap_or(""));
                t.row(vec![
                    Cell::Int(r.seq),
                    r.recorded_at.to_string().into(),
                    r.hash.to_hex().into(),
                    field("type"),
                    field("occurred_at"),
                    field("actor"),
                ]);
            }
            Ok((format!("events-{seq}"), t.to_csv()))
        }
        "exceptions" => {
            let (seq, _) = resolve(dash, &at).await?;
            let running = || {
                Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "audit_running",
                    format!(
                        "the audit up to record #{seq} is still running: try again in a moment"
                    ),
                )
            };
            let outcome = match audit::exceptions(dash, seq).await {
                Exceptions::Report {
                    seq: covered,
                    outcome,
                    ..
                } if covered == seq => outcome,
                _ => return Err(running()),
            };
            let list = (*outcome).as_ref().map_err(|e| {
                Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "audit_failed", e.clone())
            })?;
            let mut t = Table::new(
                "exceptions",
                "The audit's exceptions",
                vec!["kind", "summary", "events"],
            );
            for e in list {
                let events: Vec<String> = e
                    .events
                    .iter()
                    .map(|(seq, hash)| format!("{seq}:{hash}"))
                    .collect();
                t.row(vec![
                    e.kind.into(),
                    e.summary.as_str().into(),
                    events.join(" ").into(),
                ]);
            }
            Ok((format!("exceptions-{seq}"), t.to_csv()))
        }
        "concentration-over-time" => {
            let (seq, _) = resolve(dash, &at).await?;
            let every = options.every.unwrap_or_default();
            let slice = dash
                .history
                .slice(seq, Duration::from_secs(10), Want::Series(every))
                .await;
            let mut t = Table::new(
                "concentration_over_time",
                "Concentration over time",
                vec![
                    "seq",
                    "occurred_at",
                    "scope",
                    "held_gpus",
                    "top5_share_bp",
                    "hhi",
                    "capital_share_bp",
                    "non_capital_share_bp",
                ],
            );
            for s in &slice.points {
                let scopes = std::iter::once(("programme", &s.programme))
                    .chain(s.tracks.iter().map(|(name, f)| (name.as_str(), f)));
                for (scope, f) in scopes {
                    t.row(vec![
                        Cell::Int(s.seq),
                        s.occurred_at.as_str().into(),
                        scope.into(),
                        Cell::Int(f.held_gpus),
                        Cell::Bp(f.top5_share_bp),
                        Cell::Int(f.hhi),
                        Cell::Bp(f.capital_share_bp),
                        Cell::Bp(f.non_capital_share_bp),
                    ]);
                }
            }
            Ok((
                format!("concentration-by-{}-{seq}", every.as_str()),
                t.to_csv(),
            ))
        }
        name => {
            let view: ViewName = name.parse().map_err(Refusal::not_found)?;
            let params = ViewParams {
                section: options.section.clone(),
                now: super::due::parse_now(options.now.as_deref())?,
                ..ViewParams::default()
            };
            with_views(dash, &at, |v| {
                if let Some(section) = &params.section
                    && !v.p.tables(view, &params).iter().any(|t| t.name == section)
                {
                    return Err(Refusal::bad_request(
                        "bad_section",
                        format!("the {view} view has no table {section:?}"),
                    ));
                }
                let name = match &params.section {
                    Some(s) => format!("{view}-{s}-{}", v.p.seq),
                    None => format!("{view}-{}", v.p.seq),
                };
                Ok((name, v.p.render(view, &params, Format::Csv)))
            })
            .await?
        }
    }
}
