//! `/concentration`: is the programme concentrated on a few organizations?
//! The top-5 share, the HHI and the capital vs non-capital split,
//! programme-wide and per track, now and over time (one point per week of
//! business time, or per 1,000 events).

use super::charts::{self, Axes, Series};
use super::history::{Every, Sample, Want};
use super::language::Reading;
use super::layout::{self, Frame, Unit, csv_link, figures, num, percent};
use super::point::{At, AtQuery, with_views};
use super::query::PageQuery;
use super::{Dashboard, rendered, resolve};
use crate::Refusal;
use crate::reader::PageReader;
use axum::response::Response;
use gpu_ledger_domain::Timestamp;
use gpu_ledger_projections::concentration::{ConcentrationView, Figures};
use maud::{Markup, html};
use serde::Deserialize;
use std::time::Duration;

const VIEW: &str = "concentration";
/// Tracks drawn over time besides the programme (the largest; the table has all).
const TRACK_LINES: usize = 6;
/// Points listed in the over-time table (the latest; the CSV has all).
const TABLE_POINTS: usize = 12;

#[derive(Deserialize)]
pub struct Sampling {
    every: Option<Every>,
}

pub async fn page(
    PageReader(dash): PageReader,
    r: Reading,
    PageQuery(q): PageQuery<AtQuery>,
    PageQuery(sampling): PageQuery<Sampling>,
) -> Response {
    rendered(render(&dash, &q, sampling.every.unwrap_or_default(), &r).await)
}

async fn render(
    dash: &Dashboard,
    q: &AtQuery,
    every: Every,
    r: &Reading,
) -> Result<Markup, Refusal> {
    let at = At::parse(q)?;
    let (seq, _) = resolve(dash, &at).await?;
    let slice = dash
        .history
        .slice(seq, Duration::from_secs(2), Want::Series(every))
        .await;
    let occurred_at = occurred_at(dash, seq).await;
    with_views(dash, &at, |v| {
        let view = v.p.concentration.view(&v.p.catalog);
        // The series ends at the page's point, whether or not it falls on a sample.
        let mut points = slice.points;
        if points.last().is_none_or(|s| s.seq < v.p.seq) {
            points.push(Sample::of(v.p, occurred_at));
        }
        let title = r.t("page-concentration");
        let frame = Frame {
            title: &title,
            path: "/concentration",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep: vec![("every", every.as_str().to_string())],
            reading: r,
        };
        let complete = slice.computed_to >= v.p.seq;
        let body = html! {
            (now(&view, &at, r))
            (over_time(&view, &points, every, &at, complete, r))
        };
        layout::page(&frame, body)
    })
    .await
}

/// The business time of record `seq` (empty when there is none).
async fn occurred_at(dash: &Dashboard, seq: u64) -> String {
    let records = match seq {
        0 => Vec::new(),
        n => dash.ledger.records(n, 1).await.unwrap_or_default(),
    };
    records
        .first()
        .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r.event).ok())
        .and_then(|e| e["occurred_at"].as_str().map(str::to_string))
        .unwrap_or_default()
}

fn figures_row(ptr: &str, f: &Figures) -> Markup {
    html! {
        (num(VIEW, &format!("{ptr}/held_gpus"), f.held_gpus, Unit::Count))
        (num(VIEW, &format!("{ptr}/organizations_holding"), f.organizations_holding, Unit::Count))
        (num(VIEW, &format!("{ptr}/top5_share_bp"), f.top5_share_bp, Unit::Bp))
        (num(VIEW, &format!("{ptr}/hhi"), f.hhi, Unit::Count))
        (num(VIEW, &format!("{ptr}/capital_share_bp"), f.capital_share_bp, Unit::Bp))
        (num(VIEW, &format!("{ptr}/non_capital_share_bp"), f.non_capital_share_bp, Unit::Bp))
    }
}

fn now(view: &ConcentrationView, at: &At, r: &Reading) -> Markup {
    let p = &view.programme;
    html! {
        (figures(VIEW, &[
            (&r.t("concentration-top5-of-held"), "/programme/top5_share_bp", p.top5_share_bp, Unit::Bp),
            (&r.t("concentration-hhi-range"), "/programme/hhi", p.hhi, Unit::Count),
            (&r.t("concentration-capital-region"), "/programme/capital_share_bp", p.capital_share_bp, Unit::Bp),
            (&r.t("concentration-non-capital-regions"), "/programme/non_capital_share_bp", p.non_capital_share_bp, Unit::Bp),
        ]))
        section.card {
            (csv_link(at, VIEW, Some("summary")))
            h3 { (r.t("concentration-scopes")) }
            table id="concentration-table" {
                tr {
                    th { (r.t("col-scope")) } th.n { (r.t("col-gpus-held")) } th.n { (r.t("col-organizations")) } th.n { (r.t("col-top5-share")) } th.n { "HHI" }
                    th.n { (r.t("col-capital")) } th.n { (r.t("col-non-capital")) } th.n { (r.t("col-largest-holder-share")) } th.n { (r.t("col-cap")) }
                }
                tr.total { td { (r.t("page-programme")) } (figures_row("/programme", p)) td {} td {} }
                @for (i, t) in view.tracks.iter().enumerate() {
                    tr {
                        td { (t.call_id) " " (t.track_id) }
                        (figures_row(&format!("/tracks/{i}"), &t.figures))
                        @match t.figures.organizations.first().and_then(|o| o.track_share_bp) {
                            Some(bp) => (num(VIEW, &format!("/tracks/{i}/organizations/0/track_share_bp"), bp, Unit::Bp)),
                            None => td.n { "—" },
                        }
                        (num(VIEW, &format!("/tracks/{i}/max_org_share_bp"), t.max_org_share_bp.into(), Unit::Bp))
                    }
                }
            }
        }
    }
}

fn over_time(
    view: &ConcentrationView,
    points: &[Sample],
    every: Every,
    at: &At,
    complete: bool,
    r: &Reading,
) -> Markup {
    // The largest tracks now, drawn beside the programme.
    let mut largest: Vec<(String, u64)> = view
        .tracks
        .iter()
        .map(|t| (format!("{} {}", t.call_id, t.track_id), t.figures.held_gpus))
        .filter(|t| t.1 > 0)
        .collect();
    largest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    largest.truncate(TRACK_LINES);
    // Weekly points stand at their business time, the others at their record.
    let x_of = |s: &Sample| match every {
        Every::Events => s.seq,
        Every::Week => {
            Timestamp::parse(&s.occurred_at).map_or(0, |t| t.instant().unix_seconds.max(0) as u64)
        }
    };
    let series = |pick: fn(&super::history::Summary) -> u64, with_tracks: bool| -> Vec<Series> {
        let mut out = vec![Series {
            name: r.t("concentration-series-programme"),
            points: points
                .iter()
                .map(|s| (x_of(s), pick(&s.programme)))
                .collect(),
        }];
        if with_tracks {
            for (name, _) in &largest {
                out.push(Series {
                    name: name.clone(),
                    points: points
                        .iter()
                        .filter_map(|s| {
                            s.tracks
                                .iter()
                                .find(|t| &t.0 == name)
                                .map(|t| (x_of(s), pick(&t.1)))
                        })
                        .collect(),
                });
            }
        }
        out
    };
    let hhi = series(|s| s.hhi, true);
    let hhi_max = hhi
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .max()
        .unwrap_or(0);
    // Round the scale up to a whole thousand so the grid reads easily.
    let hhi_max = hhi_max.div_ceil(1000).max(1) * 1000;
    // Name a position by its business date and record: a point's own, or
    // between points (a tick), by the scale itself.
    let x_label = |x: u64| match points.iter().find(|p| x_of(p) == x) {
        Some(p) if p.occurred_at.len() >= 10 => {
            format!("{} (#{})", &p.occurred_at[..10], p.seq)
        }
        Some(p) => format!("#{}", p.seq),
        None => match every {
            Every::Events => format!("#{x}"),
            Every::Week => chrono::DateTime::from_timestamp(x as i64, 0)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string()),
        },
    };
    let x_axis = match every {
        Every::Events => r.t("concentration-axis-record"),
        Every::Week => r.t("concentration-axis-week"),
    };
    let other = match every {
        Every::Week => Every::Events,
        Every::Events => Every::Week,
    };
    html! {
        section.card id="over-time" {
            a.csv href=(format!("/csv/concentration-over-time{}", at.query(&[("every", every.as_str())]))) download { "CSV" }
            h3 { (r.t("concentration-over-time")) }
            p.note {
                @match every {
                    Every::Week => (r.t("concentration-every-week")),
                    Every::Events => (r.t("concentration-every-events")),
                }
                " "
                a href=(format!("/concentration{}", at.query(&[("every", other.as_str())]))) {
                    @match other { Every::Week => (r.t("concentration-per-week")), Every::Events => (r.t("concentration-per-events")) }
                }
            }
            @if !complete { p.warn { (r.t("concentration-incomplete")) } }
            h4 { "HHI" }
            (charts::lines(&r.t("concentration-chart-hhi"), &hhi, hhi_max, layout::grouped, &x_label, Axes { x: &x_axis, y: &r.t("concentration-hhi-range") }, r))
            h4 { (r.t("col-top5-share-title")) }
            (charts::lines(&r.t("concentration-chart-top5"), &series(|s| s.top5_share_bp, true), 10_000, percent, &x_label, Axes { x: &x_axis, y: &r.t("concentration-top5-of-held") }, r))
            h4 { (r.t("concentration-capital-share")) }
            (charts::lines(&r.t("concentration-chart-capital"), &series(|s| s.capital_share_bp, false), 10_000, percent, &x_label, Axes { x: &x_axis, y: &r.t("concentration-axis-capital-share") }, r))
            h4 { (r.t("concentration-latest-points")) }
            table id="over-time-table" {
                tr { th.n { (r.t("col-record")) } th { (r.t("col-business-time")) } th.n { (r.t("col-gpus-held")) } th.n { (r.t("col-top5-share")) } th.n { "HHI" } th.n { (r.t("col-capital")) } th.n { (r.t("col-non-capital")) } }
                @for s in points.iter().rev().take(TABLE_POINTS) {
                    tr {
                        td.n { a href=(format!("/concentration{}", at.at_seq(s.seq).query(&[("every", every.as_str())]))) { "#" (s.seq) } }
                        td.mono { (s.occurred_at) }
                        td.n { (layout::grouped(s.programme.held_gpus)) }
                        td.n { (percent(s.programme.top5_share_bp)) }
                        td.n { (layout::grouped(s.programme.hhi)) }
                        td.n { (percent(s.programme.capital_share_bp)) }
                        td.n { (percent(s.programme.non_capital_share_bp)) }
                    }
                }
            }
        }
    }
}
