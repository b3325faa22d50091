//! `/events`: the latest records, newest first, following the ledger live;
//! `/events/{seq}`: one record with its hash and the trace of what it
//! concerns; `/events/live`: the stream the live list follows.
//!
//! The live stream is the API's `/v1/events/live` (same records, same ids,
//! same resume with `Last-Event-ID`) under the dashboard's authentication,
//! because a browser's `EventSource` cannot send an `Authorization` header:
//! it sends the token cookie instead. The API itself never reads cookies, so
//! no page can be made to write.

use super::audit::trace_href;
use super::language::Reading;
use super::layout::{self, Frame, csv_link, grouped, short_hash};
use super::point::{At, AtQuery};
use super::query::PageQuery;
use super::{Dashboard, html, problem_page, rendered, resolve};
use crate::Refusal;
use crate::reader::PageReader;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use gpu_ledger_ledger::Record;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use serde_json::Value;

/// Records listed by default, and at most.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 1000;

/// Prepends each new record to the list, built the way the server builds
/// the rows (text only: nothing from a record is parsed as HTML).
pub(crate) const LIVE_SCRIPT: &str = r#"
const list = document.getElementById('events');
if (list && list.dataset.live === '1' && window.EventSource) {
  const src = new EventSource('/events/live?after=' + list.dataset.after);
  src.addEventListener('record', (m) => {
    const r = JSON.parse(m.data), e = r.event || {};
    if (document.getElementById('e-' + r.seq)) return;
    const li = document.createElement('li');
    li.id = 'e-' + r.seq; li.dataset.seq = r.seq; li.className = 'new';
    const a = document.createElement('a'); a.href = '/events/' + r.seq; a.textContent = '#' + r.seq;
    const t = document.createElement('span'); t.className = 'type'; t.textContent = e.type;
    const ids = Object.keys(e).filter((k) => k.endsWith('_id')).map((k) => k + ' ' + e[k]);
    const rest = document.createElement('span');
    rest.textContent = ' ' + [e.occurred_at, e.actor].concat(ids).join(' · ') + ' · ';
    const h = document.createElement('code'); h.title = r.hash; h.textContent = r.hash.slice(0, 12) + '…';
    li.append(a, ' ', t, rest, h);
    const traced = [['award_id', 'award'], ['application_id', 'application'], ['org_id', 'organization']].find(([k]) => e[k]);
    if (traced) {
      const tr = document.createElement('a'); tr.className = 'trace'; tr.textContent = list.dataset.trace;
      tr.href = '/trace/' + traced[1] + '/' + encodeURIComponent(e[traced[0]]);
      li.append(' ', tr);
    }
    list.prepend(li);
    const head = document.getElementById('live-head');
    if (head) { head.textContent = '#' + r.seq; head.dataset.value = r.seq; }
  });
}
"#;

#[derive(Deserialize)]
pub struct Listing {
    limit: Option<usize>,
}

pub async fn page(
    PageReader(dash): PageReader,
    r: Reading,
    PageQuery(q): PageQuery<AtQuery>,
    PageQuery(listing): PageQuery<Listing>,
) -> Response {
    rendered(render(&dash, &q, listing.limit, &r).await)
}

/// The latest `limit` records up to `seq`, newest first.
pub async fn latest(dash: &Dashboard, seq: u64, limit: usize) -> Result<Vec<Record>, Refusal> {
    if seq == 0 {
        return Ok(Vec::new());
    }
    let from = seq.saturating_sub(limit as u64 - 1).max(1);
    let mut records = dash
        .ledger
        .records(from, (seq - from + 1) as usize)
        .await
        .map_err(|e| Refusal::store(&e))?;
    records.retain(|r| r.seq <= seq);
    records.reverse();
    Ok(records)
}

async fn render(
    dash: &Dashboard,
    q: &AtQuery,
    limit: Option<usize>,
    r: &Reading,
) -> Result<Markup, Refusal> {
    let at = At::parse(q)?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let (seq, head) = resolve(dash, &at).await?;
    let records = latest(dash, seq, limit).await?;
    let now = seq >= head.seq;
    let keep = if limit == DEFAULT_LIMIT {
        Vec::new()
    } else {
        vec![("limit", limit.to_string())]
    };
    let title = r.t("page-events");
    let frame = Frame {
        title: &title,
        path: "/events",
        at: &at,
        seq,
        head: &head,
        keep,
        reading: r,
    };
    let body = html! {
        section.card {
            (csv_link(&at, "events", None))
            p {
                (r.f("events-latest", &[("n", records.len().into()), ("count", grouped(records.len() as u64).into())])) " "
                @if now {
                    (r.h("events-live", &[("head", html! { strong id="live-head" data-value=(seq) { "#" (seq) } })]))
                }
            }
            ol.events id="events" data-live=(if now { "1" } else { "0" }) data-after=(seq) data-trace=(r.t("events-trace")) {
                @for rec in &records { (row(rec, &at, r)) }
            }
            @if records.is_empty() { p.note { (r.t("events-empty")) } }
            (paging(records.last().map_or(1, |r| r.seq), seq, head.seq, limit, &at, r))
        }
        @if now { script { (PreEscaped(LIVE_SCRIPT)) } }
    };
    Ok(layout::page(&frame, body))
}

/// Links to the page of older records (ending just before `oldest`, the
/// oldest shown) and of newer ones (up to `shown`, the newest shown, plus a
/// page; the live head when that reaches it), in the page's language.
fn paging(oldest: u64, shown: u64, head: u64, limit: usize, at: &At, r: &Reading) -> Markup {
    let limit_text = limit.to_string();
    let limit_pair: &[(&str, &str)] = if limit == DEFAULT_LIMIT {
        &[]
    } else {
        &[("limit", &limit_text)]
    };
    let href = |until: Option<u64>| {
        let point = match until {
            Some(n) => at.at_seq(n),
            None => at.now(),
        };
        format!("/events{}", point.query(limit_pair))
    };
    let newer = shown.saturating_add(limit as u64);
    html! {
        nav.paging id="events-paging" {
            @if oldest > 1 {
                a id="older" href=(href(Some(oldest - 1))) { (r.f("events-older", &[("seq", (oldest - 1).into())])) }
            }
            @if shown < head {
                @if oldest > 1 { " · " }
                @if newer >= head {
                    a id="newer" href=(href(None)) { (r.f("events-newer-head", &[("seq", head.into())])) }
                } @else {
                    a id="newer" href=(href(Some(newer))) { (r.f("events-newer", &[("seq", newer.into())])) }
                }
            }
        }
    }
}

/// The event of a record as JSON (records hold canonical JSON).
fn event_json(r: &Record) -> Value {
    serde_json::from_slice(&r.event).unwrap_or(Value::Null)
}

/// The `*_id` fields of an event, in its (canonical, sorted) key order.
fn ids(event: &Value) -> Vec<(&str, &str)> {
    event
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.ends_with("_id"))
        .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
        .collect()
}

fn row(rec: &Record, at: &At, t: &Reading) -> Markup {
    let r = rec;
    let event = event_json(r);
    let text = |k: &str| event[k].as_str().unwrap_or("").to_string();
    let mut parts = vec![text("occurred_at"), text("actor")];
    parts.extend(ids(&event).into_iter().map(|(k, v)| format!("{k} {v}")));
    html! {
        li id=(format!("e-{}", r.seq)) data-seq=(r.seq) {
            a href=(format!("/events/{}{}", r.seq, at.query(&[]))) { "#" (r.seq) } " "
            span.type { (text("type")) }
            span { " " (parts.join(" · ")) " · " }
            (short_hash(&r.hash.to_hex()))
            @if let Some(href) = first_trace(&event) { " " a.trace href=(href + &at.language_query()) { (t.t("events-trace")) } }
        }
    }
}

/// `/events/{seq}`: one record, whole.
pub async fn record(
    PageReader(dash): PageReader,
    t: Reading,
    Path(seq): Path<u64>,
    PageQuery(q): PageQuery<AtQuery>,
) -> Response {
    let found = match dash.ledger.records(seq.max(1), 1).await {
        Ok(records) => records.into_iter().find(|r| r.seq == seq),
        Err(e) => return problem_page(Refusal::store(&e)),
    };
    let head = match dash.ledger.head().await {
        Ok(h) => h,
        Err(e) => return problem_page(Refusal::store(&e)),
    };
    let Some(r) = found else {
        return problem_page(Refusal::not_found(format!(
            "there is no record #{seq}: the ledger's head is #{}",
            head.seq
        )));
    };
    let event = event_json(&r);
    let pretty = serde_json::to_string_pretty(&event).unwrap_or_default();
    // The record is shown whole whatever the point; only the language goes along.
    let at = At::parse(&AtQuery {
        lang: q.lang,
        ..AtQuery::default()
    })
    .unwrap_or(At::NOW);
    let here = at.query(&[]);
    let title = t.f("events-record-title", &[("seq", seq.into())]);
    let frame = Frame {
        title: &title,
        path: "/events",
        at: &at,
        seq: head.seq,
        head: &head,
        keep: Vec::new(),
        reading: &t,
    };
    let body = html! {
        section.card id="record" data-seq=(r.seq) {
            table {
                tr { th { "seq" } td { (r.seq) } }
                tr { th { (t.t("col-type")) } td.type { (event["type"].as_str().unwrap_or("")) } }
                tr { th { (t.t("col-recorded-at")) } td.mono { (r.recorded_at.to_string()) } }
                tr { th { (t.t("col-hash")) } td { code id="record-hash" { (r.hash.to_hex()) } } }
                tr {
                    th { (t.t("col-prev")) }
                    td {
                        code { (r.prev.to_hex()) }
                        @if seq > 1 { " (" a href=(format!("/events/{}{here}", seq - 1)) { "#" (seq - 1) } ")" }
                    }
                }
                @for (k, v) in ids(&event) {
                    tr {
                        th { (k) }
                        td {
                            code { (v) }
                            @if let Some(href) = trace_kind(k).and_then(|kind| trace_href(kind, v)) {
                                " · " a href=(href + &here) { (t.t("events-trace")) }
                            }
                        }
                    }
                }
            }
            p {
                @if seq > 1 { a href=(format!("/events/{}{here}", seq - 1)) { "← #" (seq - 1) } " · " }
                a href=(format!("/{}", at.at_seq(seq).query(&[]))) { (t.t("events-programme-then")) }
                @if seq < head.seq { " · " a href=(format!("/events/{}{here}", seq + 1)) { "#" (seq + 1) " →" } }
            }
            h3 { (t.t("events-canonical")) }
            pre.mono { (String::from_utf8_lossy(&r.event)) }
            details { summary { (t.t("events-indented")) } pre.mono { (pretty) } }
        }
    };
    html(StatusCode::OK, layout::page(&frame, body))
}

/// The trace of what an event concerns most closely: its award, else its
/// application, else its organization.
fn first_trace(event: &Value) -> Option<String> {
    ["award_id", "application_id", "org_id"]
        .into_iter()
        .find_map(|k| Some((trace_kind(k)?, event[k].as_str()?)))
        .and_then(|(kind, id)| trace_href(kind, id))
}

/// Which trace an id field leads to.
fn trace_kind(field: &str) -> Option<&'static str> {
    match field {
        "award_id" => Some("award"),
        "application_id" => Some("application"),
        "org_id" => Some("org"),
        _ => None,
    }
}
