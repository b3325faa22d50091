//! `/utilization`: how the GPUs of active awards are used: the distribution
//! of each award's latest reported utilization, the recall candidates (as
//! the `utilization` view decides them), and the latest recalls with where
//! their GPUs went.

use super::charts::{self, Axes};
use super::history::{RecallLog, Slice, Want};
use super::layout::{self, Frame, Unit, csv_link, fig, figure, grouped, num};
use super::point::{At, AtQuery, with_views};
use super::query::PageQuery;
use super::{Dashboard, rendered, resolve};
use crate::Refusal;
use crate::reader::PageReader;
use axum::response::Response;
use gpu_ledger_projections::utilization::{Thresholds, UtilizationView};
use maud::{Markup, html};
use serde::Deserialize;
use std::time::Duration;

const VIEW: &str = "utilization";
/// Recalls listed, newest first.
const RECENT_RECALLS: usize = 20;
/// Recall candidates listed (the CSV has all).
const CANDIDATES_SHOWN: usize = 100;

/// The view's own settings, as the API takes them.
#[derive(Deserialize)]
pub struct Settings {
    threshold_bp: Option<u32>,
    periods: Option<u32>,
}

pub async fn page(
    PageReader(dash): PageReader,
    PageQuery(q): PageQuery<AtQuery>,
    PageQuery(settings): PageQuery<Settings>,
) -> Response {
    rendered(render(&dash, &q, &settings).await)
}

async fn render(dash: &Dashboard, q: &AtQuery, settings: &Settings) -> Result<Markup, Refusal> {
    let at = At::parse(q)?;
    let th = Thresholds {
        threshold_bp: settings.threshold_bp.unwrap_or(5000),
        periods: settings.periods.unwrap_or(2),
    };
    if !(1..=Thresholds::MAX_PERIODS).contains(&th.periods) {
        return Err(Refusal::bad_request(
            "bad_periods",
            "periods must be 1 to 16",
        ));
    }
    let (seq, _) = resolve(dash, &at).await?;
    let history = dash
        .history
        .slice(seq, Duration::from_secs(2), Want::Recalls(RECENT_RECALLS))
        .await;
    with_views(dash, &at, |v| {
        let view = v.p.utilization.view(&v.p.catalog, th);
        let mut keep = Vec::new();
        if settings.threshold_bp.is_some() {
            keep.push(("threshold_bp", th.threshold_bp.to_string()));
        }
        if settings.periods.is_some() {
            keep.push(("periods", th.periods.to_string()));
        }
        let frame = Frame {
            title: "Utilization",
            path: "/utilization",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep,
        };
        let recalls_complete = history.computed_to >= v.p.seq;
        let body = html! {
            (distribution(&view))
            (candidates(&view, &at))
            (recalls(&history, &at, recalls_complete))
        };
        layout::page(&frame, body)
    })
    .await
}

fn distribution(view: &UtilizationView) -> Markup {
    // Ten buckets of ten points of utilization, the last one holding 100%.
    let mut buckets = [0u64; 10];
    let mut unreported = 0;
    for a in &view.awards {
        match a.last_utilization_bp {
            Some(bp) => buckets[(bp / 1000).min(9) as usize] += 1,
            None => unreported += 1,
        }
    }
    let mut columns: Vec<(String, u64)> = buckets
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("{}–{}%", i * 10, i * 10 + 10), *n))
        .collect();
    columns.push(("no report".into(), unreported));
    html! {
        section.card {
            h3 { "Latest utilization of active awards" }
            div.figures {
                (figure("active awards", html! { span id="active-awards" data-value=(view.awards.len()) { (grouped(view.awards.len() as u64)) } }))
                (figure("recall candidates", html! { span id="candidate-count" data-value=(view.recall_candidates.len()) { (grouped(view.recall_candidates.len() as u64)) } }))
                (figure("a period is low under", fig(VIEW, "/threshold_bp", view.threshold_bp.into(), Unit::Bp)))
                (figure("low periods in a row make a candidate", fig(VIEW, "/periods", view.periods.into(), Unit::Count)))
            }
            (charts::columns("Active awards by their latest reported utilization", &columns, Axes { x: "latest reported utilization", y: "active awards" }))
            table id="distribution" {
                tr { @for (label, _) in &columns { th.n { (label) } } }
                tr { @for (_, n) in &columns { td.n { (n) } } }
            }
        }
    }
}

fn candidates(view: &UtilizationView, at: &At) -> Markup {
    html! {
        section.card {
            (csv_link(at, VIEW, Some("recall_candidates")))
            h3 { "Recall candidates" }
            @if view.recall_candidates.is_empty() {
                p.note { "No active award is a recall candidate." }
            } @else {
                table id="candidates" {
                    tr { th { "award" } th { "organization" } th { "reason" } th.n { "GPUs held" } th.n { "low periods in a row" } th.n { "latest utilization" } }
                    @for (i, c) in view.recall_candidates.iter().enumerate().take(CANDIDATES_SHOWN) {
                        tr {
                            td { code { (c.award_id) } }
                            td { code { (c.org_id) } }
                            td { (c.reason) }
                            (num(VIEW, &format!("/recall_candidates/{i}/held_gpus"), c.held_gpus.into(), Unit::Count))
                            (num(VIEW, &format!("/recall_candidates/{i}/consecutive_below"), c.consecutive_below.into(), Unit::Count))
                            @match c.last_utilization_bp {
                                Some(bp) => (num(VIEW, &format!("/recall_candidates/{i}/last_utilization_bp"), bp.into(), Unit::Bp)),
                                None => td.n { "—" },
                            }
                        }
                    }
                }
            }
            @if view.recall_candidates.len() > CANDIDATES_SHOWN {
                p.note { "The first " (CANDIDATES_SHOWN) " of " (view.recall_candidates.len()) " candidates; the CSV has them all." }
            }
            p.note { "Every active award, with its reports, is in the " a href=(format!("/csv/{VIEW}{}", at.query(&[("section", "awards")]))) { "awards CSV" } "." }
        }
    }
}

fn recalls(history: &Slice, at: &At, complete: bool) -> Markup {
    let recent: &[RecallLog] = &history.recalls;
    html! {
        section.card id="recalls" {
            h3 { "Latest recalls and where their GPUs went" }
            @if !complete { p.warn { "History is still being computed; recalls may be missing. Reload in a moment." } }
            @if recent.is_empty() {
                p.note { "No GPUs have been recalled." }
            } @else {
                p.note { "The latest " (recent.len()) " of " (history.recalls_total) " recalls, newest first." }
                table {
                    tr { th { "recall" } th { "when" } th { "from" } th.n { "GPUs" } th { "reason" } th { "where they went" } }
                    @for r in recent {
                        @let moved: u64 = r.moves.iter().map(|m| u64::from(m.gpus)).sum();
                        tr {
                            td { code { (r.recall_id) } br; a href=(format!("/events/{}{}", r.seq, at.query(&[]))) { "#" (r.seq) } }
                            td.mono { (r.occurred_at) }
                            td { (r.org_name) " " code { (r.org_id) } br; span.note { "award " (r.award_id) " · " (r.pool_id) } }
                            td.n { (r.gpus) }
                            td { (r.reason) }
                            td {
                                ul {
                                    @for m in &r.moves {
                                        li {
                                            (m.gpus) " GPUs "
                                            @match &m.to {
                                                Some((app, org, name)) => { "to " (name) " " code { (org) } " (" (app) ")" }
                                                None => "released to the pool",
                                            }
                                            " · " a href=(format!("/events/{}{}", m.seq, at.query(&[]))) { "#" (m.seq) }
                                        }
                                    }
                                    @if moved < u64::from(r.gpus) {
                                        li.warn { (u64::from(r.gpus) - moved) " GPUs awaiting redistribution" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
