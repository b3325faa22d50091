//! `/`: the programme at a glance: first each call's headline (the
//! ministry's table: applications, selected, GPUs awarded, by sector), then
//! every pool as a stacked bar (held, awaiting redistribution, free) drawn
//! to one scale, the totals, the head of the chain, the latest signed
//! checkpoint, and the audit's exceptions with the events that prove them.

use super::audit::{self, ExceptionLine, Exceptions};
use super::charts::{self, Segment};
use super::layout::{self, Frame, Unit, csv_link, figures, noun_for, num};
use super::point::{At, AtQuery, with_views};
use super::query::PageQuery;
use super::{Dashboard, rendered, resolve};
use crate::reader::PageReader;
use axum::response::Response;
use gpu_ledger_projections::pools::PoolsView;
use maud::{Markup, html};
use std::collections::BTreeMap;

const VIEW: &str = "pools";

pub async fn page(PageReader(dash): PageReader, PageQuery(q): PageQuery<AtQuery>) -> Response {
    rendered(render(&dash, &q).await)
}

async fn render(dash: &Dashboard, q: &AtQuery) -> Result<Markup, crate::Refusal> {
    let at = At::parse(q)?;
    let (seq, _) = resolve(dash, &at).await?;
    let record = match seq {
        0 => None,
        n => dash
            .ledger
            .records(n, 1)
            .await
            .map_err(|e| crate::Refusal::store(&e))?
            .into_iter()
            .next(),
    };
    let checkpoint = dash.ledger.latest_checkpoint();
    let exceptions = audit::exceptions(dash, seq).await;
    with_views(dash, &at, |v| {
        let pools = v.p.pools.view(&v.p.catalog);
        let calls = v.p.calls.view(&v.p.catalog);
        let body = html! {
            section.card id="round" {
                (csv_link(&at, "calls", None))
                h3 { "The round" }
                (super::calls::headline(&calls, &at))
            }
            section.card {
                (csv_link(&at, VIEW, None))
                h3 { "Pools" }
                (totals(&pools))
                p.note {
                    span class="swatch held" {} "held by active awards"
                    span class="swatch awaiting" {} "recalled, awaiting redistribution"
                    span class="swatch free" {} "free"
                }
                (pools_table(&pools))
            }
            section.card {
                h3 { "Chain" }
                p {
                    "Record " strong id="seq" data-value=(v.p.seq) { "#" (v.p.seq) }
                    @if let Some(r) = &record {
                        " · hash " code id="hash" { (r.hash.to_hex()) }
                        " · recorded " span.mono id="recorded_at" { (r.recorded_at.to_string()) }
                    }
                    " · " a href=(format!("/events{}", at.query(&[]))) { "latest events" }
                }
                @if !v.now {
                    p.note { "The ledger's head is record #" (v.head.seq) " (" code { (v.head.hash.to_hex()) } ")." }
                }
                (checkpoint_block(checkpoint.as_ref()))
            }
            (exceptions_block(&exceptions, &at))
        };
        let frame = Frame {
            title: "Programme",
            path: "/",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep: Vec::new(),
        };
        layout::page(&frame, body)
    })
    .await
}

fn totals(pools: &PoolsView) -> Markup {
    let t = &pools.total;
    figures(
        VIEW,
        &[
            (
                "GPUs in all pools",
                "/total/capacity",
                t.capacity,
                Unit::Count,
            ),
            ("held by active awards", "/total/held", t.held, Unit::Count),
            (
                "awaiting redistribution",
                "/total/awaiting_redistribution",
                t.awaiting_redistribution,
                Unit::Count,
            ),
            ("free", "/total/free", t.free, Unit::Count),
        ],
    )
}

fn pools_table(pools: &PoolsView) -> Markup {
    let largest = pools.pools.iter().map(|p| p.capacity).max().unwrap_or(0);
    html! {
        @for (i, p) in pools.pools.iter().enumerate() {
            h4 { (p.pool_id) " · " (p.name) }
            (charts::stacked_bar(
                &format!("{}: held, awaiting redistribution and free GPUs", p.pool_id),
                &[
                    Segment { label: "held", value: p.held, class: "held" },
                    Segment { label: "awaiting redistribution", value: p.awaiting_redistribution, class: "awaiting" },
                    Segment { label: "free", value: p.free, class: "free" },
                ],
                p.capacity,
                largest,
                "GPUs (every pool on one scale)",
            ))
            table {
                tr { th { "source" } th { "GPU" } th.n { "per server" } th.n { "capacity" } th.n { "held" } th.n { "awaiting" } th.n { "free" } }
                tr {
                    td { (p.source) @if let Some(provider) = &p.provider { " (" (provider) ")" } }
                    td { (p.gpu_model) }
                    (num(VIEW, &format!("/pools/{i}/gpus_per_server"), p.gpus_per_server.into(), Unit::Count))
                    (num(VIEW, &format!("/pools/{i}/capacity"), p.capacity, Unit::Count))
                    (num(VIEW, &format!("/pools/{i}/held"), p.held, Unit::Count))
                    (num(VIEW, &format!("/pools/{i}/awaiting_redistribution"), p.awaiting_redistribution, Unit::Count))
                    (num(VIEW, &format!("/pools/{i}/free"), p.free, Unit::Count))
                }
            }
        }
        @if pools.pools.is_empty() { p.note { "No pool is registered yet." } }
    }
}

fn checkpoint_block(checkpoint: Option<&(u64, String)>) -> Markup {
    html! {
        @match checkpoint {
            Some((size, note)) => {
                p { "Latest signed checkpoint, at tree size " strong { (size) } " (" a href="/v1/checkpoints/latest" { "as text" } "):" }
                pre.mono id="checkpoint" { (note) }
            }
            None => p.note { "No checkpoint has been signed yet." }
        }
    }
}

/// Exceptions listed on the page (the CSV has all).
const EXCEPTIONS_SHOWN: usize = 50;

fn exception_table(list: &[ExceptionLine], at: &At) -> Markup {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for e in list {
        *kinds.entry(e.kind).or_default() += 1;
    }
    html! {
        table id="exception-kinds" {
            tr { th { "kind" } th.n { "found" } }
            @for (kind, n) in &kinds { tr { td { code { (kind) } } td.n { (n) } } }
        }
        @if list.len() > EXCEPTIONS_SHOWN {
            p.note { "The first " (EXCEPTIONS_SHOWN) " of " (list.len()) ", in the report's order; the CSV has them all." }
        }
        table id="exceptions" {
            tr { th { "kind" } th { "what was found" } th { "events that prove it" } }
            @for e in list.iter().take(EXCEPTIONS_SHOWN) {
                tr {
                    td { code { (e.kind) } }
                    td { (e.summary) }
                    td { @for (seq, hash) in &e.events { a href=(format!("/events/{seq}{}", at.query(&[]))) title=(hash) { "#" (seq) } " " } }
                }
            }
        }
    }
}

fn exceptions_block(found: &Exceptions, at: &At) -> Markup {
    html! {
        section.card id="audit" {
            h3 { "Audit exceptions" }
            @match found {
                Exceptions::Running => p.note { "The audit of this record is running; reload in a moment." }
                Exceptions::Report { seq: covered, outcome, running } => {
                    @if *running {
                        p.note { "The audit up to this record is running; this is the audit up to record #" (covered) "." }
                    }
                    @match &**outcome {
                        Err(why) => p.warn { "The audit could not be made: " (why) }
                        Ok(list) => {
                            a.csv href=(format!("/csv/exceptions{}", at.query(&[]))) download { "CSV" }
                            p {
                                strong id="exception-count" data-value=(list.len()) { (list.len()) }
                                " " (noun_for(list.len() as u64, "exception")) " up to record #" (covered) " ("
                                code { "gpu-ledger audit report --until-seq " (covered) } ")."
                            }
                            @if !list.is_empty() {
                                (exception_table(list, at))
                            }
                        }
                    }
                }
            }
        }
    }
}
