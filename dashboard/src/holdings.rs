//! `/holdings`: who holds the GPUs now, by sector, region, track and
//! organization (the top 20, or those a search finds), with charts, and
//! what the GPUs produced ([`outputs`](super::outputs)). The search filters
//! on the server, so it works without scripts.

use super::charts;
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
        let frame = Frame {
            title: "Holdings",
            path: "/holdings",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep: vec![("q", search.clone())],
        };
        let body = html! {
            (body(&view, &at, &search))
            (super::outputs::section(&outputs, &at))
        };
        layout::page(&frame, body)
    })
    .await;
    rendered(page)
}

fn body(view: &HoldingsView, at: &At, search: &str) -> Markup {
    let t = &view.total;
    html! {
        div.figures {
            (figure("GPUs held by active awards", fig(VIEW, "/total/gpus", t.gpus, Unit::Count)))
            (figure("servers", fig(VIEW, "/total/servers", t.servers, Unit::Count)))
            (figure("active awards", fig(VIEW, "/total/awards", t.awards, Unit::Count)))
            (figure("organizations holding", html! { span id="orgs-holding" data-value=(view.by_organization.len()) { (grouped(view.by_organization.len() as u64)) } }))
        }
        section.card {
            (csv_link(at, VIEW, Some("sectors")))
            h3 { "By sector" }
            (held_table("sector", view.by_sector.iter().map(|(k, h)| (k.to_string(), format!("/by_sector/{k}"), *h))))
            (charts::bars("GPUs held by sector", &view.by_sector.iter().map(|(k, h)| (k.to_string(), h.gpus)).collect::<Vec<_>>(), grouped, "GPUs held"))
        }
        section.card {
            (csv_link(at, VIEW, Some("regions")))
            h3 { "By region" }
            (held_table("region", view.by_region.iter().map(|(k, h)| (k.to_string(), format!("/by_region/{k}"), *h))))
            (charts::bars("GPUs held by region", &view.by_region.iter().map(|(k, h)| (k.to_string(), h.gpus)).collect::<Vec<_>>(), grouped, "GPUs held"))
        }
        section.card {
            (csv_link(at, VIEW, Some("tracks")))
            h3 { "By track" }
            (held_table("call and track", view.by_track.iter().enumerate().map(|(i, t)| (format!("{} {} ({})", t.call_id, t.track_id, t.pool_id), format!("/by_track/{i}"), t.held))))
            (charts::bars("GPUs held by track", &view.by_track.iter().map(|t| (format!("{} {}", t.call_id, t.track_id), t.held.gpus)).collect::<Vec<_>>(), grouped, "GPUs held"))
        }
        section.card id="organizations" {
            (csv_link(at, VIEW, Some("organizations")))
            h3 { "By organization" }
            (organizations(view, at, search))
        }
    }
}

fn held_table(key: &str, rows: impl Iterator<Item = (String, String, Held)>) -> Markup {
    html! {
        table {
            tr { th { (key) } th.n { "GPUs" } th.n { "servers" } th.n { "active awards" } }
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

fn organizations(view: &HoldingsView, at: &At, search: &str) -> Markup {
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
            label for="q" { "Find an organization (id or name): " }
            input type="search" id="q" name="q" value=(search);
            button type="submit" { "Search" }
            @if !search.is_empty() { " " a href=(format!("/holdings{}", at.query(&[]))) { "clear" } }
        }
        @if needle.is_empty() {
            p.note { "The " (shown.len()) " largest of " (view.by_organization.len()) " organizations holding GPUs." }
        } @else {
            p.note id="found" data-value=(shown.len()) { (shown.len()) " found for “" (search) "”" @if shown.len() == FOUND_MAX { " (the first " (FOUND_MAX) ")" } "." }
        }
        table id="org-table" {
            tr { th.n { "#" } th { "organization" } th { "sector" } th { "region" } th.n { "GPUs" } th.n { "servers" } th.n { "active awards" } }
            @for i in &shown {
                @let o = &view.by_organization[*i];
                tr {
                    td.n { (i + 1) }
                    td { (o.name) " " code { (o.org_id) } }
                    td { (o.sector.as_str()) }
                    td { (o.region.as_str()) }
                    (num(VIEW, &format!("/by_organization/{i}/gpus"), o.held.gpus, Unit::Count))
                    (num(VIEW, &format!("/by_organization/{i}/servers"), o.held.servers, Unit::Count))
                    (num(VIEW, &format!("/by_organization/{i}/awards"), o.held.awards, Unit::Count))
                }
            }
        }
        (charts::bars(
            "GPUs held by the organizations listed",
            &shown.iter().map(|i| {
                let o = &view.by_organization[*i];
                (format!("{} {}", o.org_id, o.name), o.held.gpus)
            }).collect::<Vec<_>>(),
            grouped,
            "GPUs held",
        ))
    }
}

fn at_seq(at: &At) -> String {
    match at.until {
        gpu_ledger_replay::Until::Seq(n) => n.to_string(),
        _ => String::new(),
    }
}
