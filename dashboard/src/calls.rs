//! `/calls`: the ministry's table for each call, per track and per sector
//! (applications, GPUs requested, selected, GPUs awarded, selection ratio),
//! as the `calls` view has it, with requested against awarded GPUs by sector.

use super::charts;
use super::language::Reading;
use super::layout::{self, Frame, Unit, csv_link, num};
use super::point::{At, AtQuery, with_views};
use super::query::PageQuery;
use super::{problem_page, rendered};
use crate::reader::PageReader;
use axum::response::Response;
use gpu_ledger_projections::calls::{CallsView, Stats};
use maud::{Markup, html};

const VIEW: &str = "calls";

pub async fn page(
    PageReader(dash): PageReader,
    r: Reading,
    PageQuery(q): PageQuery<AtQuery>,
) -> Response {
    let at = match At::parse(&q) {
        Ok(at) => at,
        Err(p) => return problem_page(p),
    };
    let page = with_views(&dash, &at, |v| {
        let calls = v.p.calls.view(&v.p.catalog);
        let title = r.t("page-calls");
        let frame = Frame {
            title: &title,
            path: "/calls",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep: Vec::new(),
            reading: &r,
        };
        layout::page(&frame, body(&calls, &at, &r))
    })
    .await;
    rendered(page)
}

fn body(view: &CallsView, at: &At, r: &Reading) -> Markup {
    let (requested, awarded) = (r.t("calls-requested"), r.t("calls-awarded"));
    html! {
        @if view.calls.is_empty() { p.note { (r.t("calls-none")) } }
        @for (i, c) in view.calls.iter().enumerate() {
            section.card id=(format!("call-{}", c.call_id)) {
                (csv_link(at, VIEW, None))
                h3 { (c.call_id) " · " (c.title) }
                p.note { (r.f("calls-status", &[("status", r.word(c.status).into()), ("closes", c.closes_at.as_str().into())])) }
                table {
                    (stats_header(r))
                    (stats_row(&r.t("calls-all-tracks"), &format!("/calls/{i}/totals"), &c.totals, true))
                    @for (j, t) in c.tracks.iter().enumerate() {
                        (stats_row(&r.f("calls-track", &[("track", t.track_id.as_str().into()), ("gpus", t.gpus.to_string().into())]), &format!("/calls/{i}/tracks/{j}"), &t.stats, false))
                    }
                    @for (sector, s) in &c.by_sector {
                        (stats_row(&r.f("calls-sector", &[("sector", r.word(sector).into())]), &format!("/calls/{i}/by_sector/{sector}"), s, false))
                    }
                }
                (charts::paired_bars(
                    &r.f("calls-chart", &[("call", c.call_id.as_str().into())]),
                    &c.by_sector.iter().map(|(s, st)| (r.word(s), st.requested_gpus, st.awarded_gpus)).collect::<Vec<_>>(),
                    [(&requested, "requested"), (&awarded, "awarded")],
                    &r.t("calls-axis-gpus"),
                ))
                p.note { span class="swatch requested" {} (r.t("calls-gpus-requested")) span class="swatch awarded" {} (r.t("calls-gpus-awarded")) }
            }
        }
    }
}

/// Each call's headline, as the ministry publishes it: applications,
/// selected and GPUs awarded, in all and by sector; for the front page.
pub fn headline(view: &CallsView, at: &At, r: &Reading) -> Markup {
    html! {
        @if view.calls.is_empty() { p.note { (r.t("calls-none")) } }
        @for (i, c) in view.calls.iter().enumerate() {
            h4 id=(format!("headline-{}", c.call_id)) {
                a href=(format!("/calls{}#call-{}", at.query(&[]), c.call_id)) { (c.call_id) } " · " (c.title)
                " (" (r.word(c.status)) ")"
            }
            table.headline {
                (stats_header(r))
                (stats_row(&r.t("calls-all-tracks"), &format!("/calls/{i}/totals"), &c.totals, true))
                @for (sector, s) in &c.by_sector {
                    (stats_row(&r.f("calls-sector", &[("sector", r.word(sector).into())]), &format!("/calls/{i}/by_sector/{sector}"), s, false))
                }
            }
        }
    }
}

fn stats_header(r: &Reading) -> Markup {
    html! {
        tr {
            th { "" } th.n { (r.t("calls-applications")) } th.n { (r.t("calls-gpus-requested")) } th.n { (r.t("calls-selected")) }
            th.n { (r.t("calls-gpus-awarded")) } th.n { (r.t("calls-selection-ratio")) } th.n { (r.t("calls-gpus-redistributed")) }
        }
    }
}

fn stats_row(label: &str, ptr: &str, s: &Stats, total: bool) -> Markup {
    html! {
        tr.total[total] {
            td { (label) }
            (num(VIEW, &format!("{ptr}/applications"), s.applications, Unit::Count))
            (num(VIEW, &format!("{ptr}/requested_gpus"), s.requested_gpus, Unit::Count))
            (num(VIEW, &format!("{ptr}/selected"), s.selected, Unit::Count))
            (num(VIEW, &format!("{ptr}/awarded_gpus"), s.awarded_gpus, Unit::Count))
            (num(VIEW, &format!("{ptr}/selection_ratio_bp"), s.selection_ratio_bp, Unit::Bp))
            (num(VIEW, &format!("{ptr}/redistributed_gpus"), s.redistributed_gpus, Unit::Count))
        }
    }
}
