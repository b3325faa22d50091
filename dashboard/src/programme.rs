//! `/`: the programme at a glance: first each call's headline (the
//! ministry's table: applications, selected, GPUs awarded, by sector), then
//! every pool as a stacked bar (held, awaiting redistribution, free) drawn
//! to one scale, the totals, the head of the chain, the latest signed
//! checkpoint, and the audit's exceptions with the events that prove them.

use super::audit::{self, ExceptionLine, Exceptions};
use super::charts::{self, Segment};
use super::language::Reading;
use super::layout::{self, Frame, Unit, csv_link, figures, num};
use super::point::{At, AtQuery, with_views};
use super::query::PageQuery;
use super::{Dashboard, rendered, resolve};
use crate::reader::PageReader;
use axum::response::Response;
use gpu_ledger_projections::pools::PoolsView;
use maud::{Markup, html};
use std::collections::BTreeMap;

const VIEW: &str = "pools";

pub async fn page(
    PageReader(dash): PageReader,
    r: Reading,
    PageQuery(q): PageQuery<AtQuery>,
) -> Response {
    rendered(render(&dash, &q, &r).await)
}

async fn render(dash: &Dashboard, q: &AtQuery, r: &Reading) -> Result<Markup, crate::Refusal> {
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
                h3 { (r.t("round")) }
                (super::calls::headline(&calls, &at, r))
            }
            section.card {
                (csv_link(&at, VIEW, None))
                h3 { (r.t("pools")) }
                (totals(&pools, r))
                p.note {
                    span class="swatch held" {} (r.t("pools-held-by-active-awards"))
                    span class="swatch awaiting" {} (r.t("pools-recalled-awaiting"))
                    span class="swatch free" {} (r.t("pools-free"))
                }
                (pools_table(&pools, r))
            }
            section.card {
                h3 { (r.t("chain")) }
                p {
                    (r.t("chain-record")) " " strong id="seq" data-value=(v.p.seq) { "#" (v.p.seq) }
                    @if let Some(rec) = &record {
                        " · " (r.t("chain-hash")) " " code id="hash" { (rec.hash.to_hex()) }
                        " · " (r.t("chain-recorded")) " " span.mono id="recorded_at" { (rec.recorded_at.to_string()) }
                    }
                    " · " a href=(format!("/events{}", at.query(&[]))) { (r.t("chain-latest-events")) }
                }
                @if !v.now {
                    p.note { (r.h("chain-head-is", &[("seq", html! { (v.head.seq) }), ("hash", html! { code { (v.head.hash.to_hex()) } })])) }
                }
                (checkpoint_block(checkpoint.as_ref(), r))
            }
            (exceptions_block(&exceptions, &at, r))
        };
        let title = r.t("page-programme");
        let frame = Frame {
            title: &title,
            path: "/",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep: Vec::new(),
            reading: r,
        };
        layout::page(&frame, body)
    })
    .await
}

fn totals(pools: &PoolsView, r: &Reading) -> Markup {
    let t = &pools.total;
    figures(
        VIEW,
        &[
            (
                &r.t("pools-gpus-in-all"),
                "/total/capacity",
                t.capacity,
                Unit::Count,
            ),
            (
                &r.t("pools-held-by-active-awards"),
                "/total/held",
                t.held,
                Unit::Count,
            ),
            (
                &r.t("pools-awaiting-redistribution"),
                "/total/awaiting_redistribution",
                t.awaiting_redistribution,
                Unit::Count,
            ),
            (&r.t("pools-free"), "/total/free", t.free, Unit::Count),
        ],
    )
}

fn pools_table(pools: &PoolsView, r: &Reading) -> Markup {
    let largest = pools.pools.iter().map(|p| p.capacity).max().unwrap_or(0);
    let (held, awaiting, free) = (
        r.t("pools-held"),
        r.t("pools-awaiting-redistribution"),
        r.t("pools-free"),
    );
    html! {
        @for (i, p) in pools.pools.iter().enumerate() {
            h4 { (p.pool_id) " · " (p.name) }
            (charts::stacked_bar(
                &r.f("pools-chart", &[("pool", p.pool_id.as_str().into())]),
                &[
                    Segment { label: &held, value: p.held, class: "held" },
                    Segment { label: &awaiting, value: p.awaiting_redistribution, class: "awaiting" },
                    Segment { label: &free, value: p.free, class: "free" },
                ],
                p.capacity,
                largest,
                &r.t("pools-axis"),
                r,
            ))
            table {
                tr { th { (r.t("pools-source")) } th { "GPU" } th.n { (r.t("pools-per-server")) } th.n { (r.t("pools-capacity")) } th.n { (held) } th.n { (r.t("pools-awaiting")) } th.n { (free) } }
                tr {
                    td { (r.word(p.source)) @if let Some(provider) = &p.provider { " (" (provider) ")" } }
                    td { (p.gpu_model) }
                    (num(VIEW, &format!("/pools/{i}/gpus_per_server"), p.gpus_per_server.into(), Unit::Count))
                    (num(VIEW, &format!("/pools/{i}/capacity"), p.capacity, Unit::Count))
                    (num(VIEW, &format!("/pools/{i}/held"), p.held, Unit::Count))
                    (num(VIEW, &format!("/pools/{i}/awaiting_redistribution"), p.awaiting_redistribution, Unit::Count))
                    (num(VIEW, &format!("/pools/{i}/free"), p.free, Unit::Count))
                }
            }
        }
        @if pools.pools.is_empty() { p.note { (r.t("pools-none")) } }
    }
}

fn checkpoint_block(checkpoint: Option<&(u64, String)>, r: &Reading) -> Markup {
    html! {
        @match checkpoint {
            Some((size, note)) => {
                p { (r.h("checkpoint-latest", &[("size", html! { strong { (size) } }), ("link", html! { a href="/v1/checkpoints/latest" { (r.t("checkpoint-as-text")) } })])) }
                pre.mono id="checkpoint" { (note) }
            }
            None => p.note { (r.t("checkpoint-none")) }
        }
    }
}

/// Exceptions listed on the page (the CSV has all).
const EXCEPTIONS_SHOWN: usize = 50;

fn exception_table(list: &[ExceptionLine], at: &At, r: &Reading) -> Markup {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for e in list {
        *kinds.entry(e.kind).or_default() += 1;
    }
    html! {
        table id="exception-kinds" {
            tr { th { (r.t("exceptions-kind")) } th.n { (r.t("exceptions-found")) } }
            @for (kind, n) in &kinds { tr { td { code { (kind) } } td.n { (n) } } }
        }
        @if list.len() > EXCEPTIONS_SHOWN {
            p.note { (r.f("exceptions-first", &[("shown", EXCEPTIONS_SHOWN.into()), ("total", list.len().into())])) }
        }
        table id="exceptions" {
            tr { th { (r.t("exceptions-kind")) } th { (r.t("exceptions-what")) } th { (r.t("exceptions-events")) } }
            @for e in list.iter().take(EXCEPTIONS_SHOWN) {
                tr {
                    td { code { (e.kind) } }
                    td { (e.summary_in(r.language())) }
                    td { @for (seq, hash) in &e.events { a href=(format!("/events/{seq}{}", at.query(&[]))) title=(hash) { "#" (seq) } " " } }
                }
            }
        }
    }
}

fn exceptions_block(found: &Exceptions, at: &At, r: &Reading) -> Markup {
    html! {
        section.card id="audit" {
            h3 { (r.t("exceptions")) }
            @match found {
                Exceptions::Running => p.note { (r.t("exceptions-running")) }
                Exceptions::Report { seq: covered, outcome, running } => {
                    @if *running {
                        p.note { (r.f("exceptions-running-showing", &[("seq", (*covered).into())])) }
                    }
                    @match &**outcome {
                        Err(why) => p.warn { (r.t("exceptions-failed")) " " (why) }
                        Ok(list) => {
                            a.csv href=(format!("/csv/exceptions{}", at.query(&[]))) download { "CSV" }
                            p {
                                (r.h_n("exceptions-count", list.len() as u64, &[
                                    ("count", html! { strong id="exception-count" data-value=(list.len()) { (list.len()) } }),
                                    ("seq", html! { (covered) }),
                                    ("command", html! { code { "gpu-ledger audit report --until-seq " (covered) } }),
                                ]))
                            }
                            @if !list.is_empty() {
                                (exception_table(list, at, r))
                            }
                        }
                    }
                }
            }
        }
    }
}
