//! `/holdings`: who holds the GPUs now, by sector, region, track and
//! organization (the top 20, or those a search finds), with charts, and
//! what the GPUs produced ([`outputs`](super::outputs)). The search filters
//! on the server, so it works without scripts.

use super::charts;
use super::language::Reading;
use super::layout::{self, Frame, Unit, csv_link, fig, figure, grouped, num};
use super::point::{At, AtQuery, with_views};
use super::query::PageQuery;
use super::{problem_page, rendered};
use crate::reader::PageReader;
use axum::response::Response;
use gpu_ledger_projections::holdings::{Held, HoldingsView};
use maud::{Markup, html};
use serde::Deserialize;

const VIEW: &str = "holdings";
/// Organizations shown without a search.
const TOP: usize = 20;
/// Organizations shown at most for a search.
const FOUND_MAX: usize = 200;

#[derive(Deserialize)]
pub struct Search {
    /// Part of an organization's id or name (any case).
    q: Option<String>,
}

pub async fn page(
    PageReader(dash): PageReader,
    r: Reading,
    PageQuery(q): PageQuery<AtQuery>,
    PageQuery(search): PageQuery<Search>,
) -> Response {
    let at = match At::parse(&q) {
        Ok(at) => at,
        Err(p) => return problem_page(p),
    };
    let search = search.q.unwrap_or_default().trim().to_string();
    let page = with_views(&dash, &at, |v| {
        let view = v.p.holdings.view(&v.p.catalog);
        let outputs =
            v.p.outputs
                .view(&v.p.catalog, v.p.last_occurred_at.as_ref());
        let title = r.t("page-holdings");
        let frame = Frame {
            title: &title,
            path: "/holdings",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep: vec![("q", search.clone())],
            reading: &r,
        };
        let body = html! {
            (body(&view, &at, &search, &r))
            (super::outputs::section(&outputs, &at, &r))
        };
        layout::page(&frame, body)
    })
    .await;
    rendered(page)
}

fn body(view: &HoldingsView, at: &At, search: &str, r: &Reading) -> Markup {
    let t = &view.total;
    html! {
        div.figures {
            (figure(&r.t("pools-gpus-held-by-active-awards"), fig(VIEW, "/total/gpus", t.gpus, Unit::Count)))
            (figure(&r.t("col-servers"), fig(VIEW, "/total/servers", t.servers, Unit::Count)))
            (figure(&r.t("col-active-awards"), fig(VIEW, "/total/awards", t.awards, Unit::Count)))
            (figure(&r.t("holdings-organizations-holding"), html! { span id="orgs-holding" data-value=(view.by_organization.len()) { (grouped(view.by_organization.len() as u64)) } }))
        }
        section.card {
            (csv_link(at, VIEW, Some("sectors")))
            h3 { (r.t("holdings-by-sector")) }
            (held_table(&r.t("col-sector"), view.by_sector.iter().map(|(k, h)| (r.word(k), format!("/by_sector/{k}"), *h)), r))
            (charts::bars(&r.t("holdings-chart-sector"), &view.by_sector.iter().map(|(k, h)| (r.word(k), h.gpus)).collect::<Vec<_>>(), grouped, &r.t("col-gpus-held")))
        }
        section.card {
            (csv_link(at, VIEW, Some("regions")))
            h3 { (r.t("holdings-by-region")) }
            (held_table(&r.t("col-region"), view.by_region.iter().map(|(k, h)| (r.word(k), format!("/by_region/{k}"), *h)), r))
            (charts::bars(&r.t("holdings-chart-region"), &view.by_region.iter().map(|(k, h)| (r.word(k), h.gpus)).collect::<Vec<_>>(), grouped, &r.t("col-gpus-held")))
        }
        section.card {
            (csv_link(at, VIEW, Some("tracks")))
            h3 { (r.t("holdings-by-track")) }
            (held_table(&r.t("col-call-and-track"), view.by_track.iter().enumerate().map(|(i, t)| (format!("{} {} ({})", t.call_id, t.track_id, t.pool_id), format!("/by_track/{i}"), t.held)), r))
            (charts::bars(&r.t("holdings-chart-track"), &view.by_track.iter().map(|t| (format!("{} {}", t.call_id, t.track_id), t.held.gpus)).collect::<Vec<_>>(), grouped, &r.t("col-gpus-held")))
        }
        section.card id="organizations" {
            (csv_link(at, VIEW, Some("organizations")))
            h3 { (r.t("holdings-by-organization")) }
            (organizations(view, at, search, r))
        }
    }
}

fn held_table(
    key: &str,
    rows: impl Iterator<Item = (String, String, Held)>,
    r: &Reading,
) -> Markup {
    html! {
        table {
            tr { th { (key) } th.n { (r.t("col-gpus")) } th.n { (r.t("col-servers")) } th.n { (r.t("col-active-awards")) } }
            @for (label, ptr, h) in rows {
                tr {
                    td { (label) }
                    (num(VIEW, &format!("{ptr}/gpus"), h.gpus, Unit::Count))
                    (num(VIEW, &format!("{ptr}/servers"), h.servers, Unit::Count))
                    (num(VIEW, &format!("{ptr}/awards"), h.awards, Unit::Count))
                }
            }
        }
    }
}

fn organizations(view: &HoldingsView, at: &At, search: &str, r: &Reading) -> Markup {
    let needle = search.to_lowercase();
    // Indexes into the view's list, so each row points at its JSON.
    let shown: Vec<usize> = if needle.is_empty() {
        (0..view.by_organization.len().min(TOP)).collect()
    } else {
        view.by_organization
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                o.org_id.as_str().to_lowercase().contains(&needle)
                    || o.name.to_lowercase().contains(&needle)
            })
            .map(|(i, _)| i)
            .take(FOUND_MAX)
            .collect()
    };
    html! {
        form.search method="get" action="/holdings" role="search" {
            @if let Some(t) = at.as_of_text() { input type="hidden" name="as_of" value=(t); }
            @else if at.until != gpu_ledger_replay::Until::Head { input type="hidden" name="until_seq" value=(at_seq(at)); }
            @if let Some(lang) = at.language() { input type="hidden" name="lang" value=(lang.code()); }
            label for="q" { (r.t("holdings-find")) " " }
            input type="search" id="q" name="q" value=(search);
            button type="submit" { (r.t("holdings-search")) }
            @if !search.is_empty() { " " a href=(format!("/holdings{}", at.query(&[]))) { (r.t("holdings-clear")) } }
        }
        @if needle.is_empty() {
            p.note { (r.f("holdings-largest", &[("shown", shown.len().into()), ("total", view.by_organization.len().into())])) }
        } @else {
            p.note id="found" data-value=(shown.len()) {
                @if shown.len() == FOUND_MAX {
                    (r.f("holdings-found-first", &[("found", shown.len().into()), ("search", search.into()), ("max", FOUND_MAX.into())]))
                } @else {
                    (r.f("holdings-found", &[("found", shown.len().into()), ("search", search.into())]))
                }
            }
        }
        table id="org-table" {
            tr { th.n { "#" } th { (r.t("col-organization")) } th { (r.t("col-sector")) } th { (r.t("col-region")) } th.n { (r.t("col-gpus")) } th.n { (r.t("col-servers")) } th.n { (r.t("col-active-awards")) } }
            @for i in &shown {
                @let o = &view.by_organization[*i];
                tr {
                    td.n { (i + 1) }
                    td { (o.name) " " code { (o.org_id) } }
                    td { (r.word(o.sector.as_str())) }
                    td { (r.word(o.region.as_str())) }
                    (num(VIEW, &format!("/by_organization/{i}/gpus"), o.held.gpus, Unit::Count))
                    (num(VIEW, &format!("/by_organization/{i}/servers"), o.held.servers, Unit::Count))
                    (num(VIEW, &format!("/by_organization/{i}/awards"), o.held.awards, Unit::Count))
                }
            }
        }
        (charts::bars(
            &r.t("holdings-chart-organizations"),
            &shown.iter().map(|i| {
                let o = &view.by_organization[*i];
                (format!("{} {}", o.org_id, o.name), o.held.gpus)
            }).collect::<Vec<_>>(),
            grouped,
            &r.t("col-gpus-held"),
        ))
    }
}

fn at_seq(at: &At) -> String {
    match at.until {
        gpu_ledger_replay::Until::Seq(n) => n.to_string(),
        _ => String::new(),
    }
}
