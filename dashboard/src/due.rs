//! `/due`: what the programme office must act on, as the `due` view has it:
//! open recall notices and what the rules let the office do next, exemption
//! requests to decide, open appeals, awards ending soon and awards past
//! their end. "Now" is the last event's business time, or `?now=T` (as the
//! API takes it); each row links to the trace of its award or application.

use super::audit::trace_at;
use super::layout::{self, Frame, Unit, csv_link_with, fig, figure};
use super::point::{At, AtQuery, with_views};
use super::query::PageQuery;
use super::{Dashboard, rendered};
use crate::Refusal;
use crate::reader::PageReader;
use axum::response::Response;
use gpu_ledger_domain::Timestamp;
use gpu_ledger_projections::ViewParams;
use gpu_ledger_projections::days::Countdown;
use gpu_ledger_projections::due::{self, AwardDue, DueView};
use maud::{Markup, html};
use serde::Deserialize;

const VIEW: &str = "due";
/// Rows listed per table (the CSV has all).
const SHOWN: usize = 100;

#[derive(Deserialize)]
pub struct Settings {
    now: Option<String>,
}

/// `?now=T` as the API reads it; a blank form field means "not given".
pub fn parse_now(now: Option<&str>) -> Result<Option<Timestamp>, Refusal> {
    now.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            Timestamp::parse(t).map_err(|e| Refusal::bad_request("bad_now", format!("now: {e}")))
        })
        .transpose()
}

pub async fn page(
    PageReader(dash): PageReader,
    PageQuery(q): PageQuery<AtQuery>,
    PageQuery(settings): PageQuery<Settings>,
) -> Response {
    rendered(render(&dash, &q, settings.now.as_deref()).await)
}

async fn render(dash: &Dashboard, q: &AtQuery, now: Option<&str>) -> Result<Markup, Refusal> {
    let params = ViewParams {
        now: parse_now(now)?,
        ..ViewParams::default()
    };
    let at = At::parse(q)?;
    let given = params
        .now
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_default();
    with_views(dash, &at, |v| {
        let view = due::view(&v.p.catalog, v.p.now(&params).as_ref());
        let frame = Frame {
            title: "Due",
            path: "/due",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep: vec![("now", given.clone())],
        };
        let links = Links {
            at: &at,
            now: &given,
        };
        layout::page(&frame, body(&view, &links))
    })
    .await
}

/// What every link of the page carries: its point in history and its "now".
struct Links<'a> {
    at: &'a At,
    now: &'a str,
}

impl Links<'_> {
    fn csv(&self, section: &str) -> Markup {
        csv_link_with(self.at, VIEW, &[("section", section), ("now", self.now)])
    }

    fn trace(&self, kind: &str, id: &str) -> Markup {
        html! { a href=(trace_at(kind, id, self.at)) { code { (id) } } }
    }
}

fn body(view: &DueView, links: &Links<'_>) -> Markup {
    let c = &view.counts;
    let count = |caption: &str, ptr: &str, n: u64| figure(caption, fig(VIEW, ptr, n, Unit::Count));
    html! {
        section.card {
            p {
                "Deadlines judged at " strong.mono id="now" { (view.now.as_deref().unwrap_or("(no event yet)")) }
                @if links.now.is_empty() { ", the business time of the last event shown." } @else { ", as asked." }
            }
            form method="get" action="/due" {
                @if let Some((k, v)) = links.at.param() { input type="hidden" name=(k) value=(v); }
                label for="due-now" { "Judge at (RFC 3339): " }
                input type="text" id="due-now" name="now" value=(links.now) placeholder="2026-09-01T09:00:00+09:00" style="width:15rem";
                button type="submit" { "Go" }
            }
            div.figures {
                (count("open recall notices", "/counts/notices", c.notices))
                (count("of them past their respond-by", "/counts/notices_past_respond_by", c.notices_past_respond_by))
                (count("exemption requests to decide", "/counts/exemption_requests", c.exemption_requests))
                (count("open appeals", "/counts/appeals", c.appeals))
                (count("appeals past their decision date", "/counts/appeals_overdue", c.appeals_overdue))
                (count(&format!("awards ending within {} days", view.ending_within_days), "/counts/awards_ending", c.awards_ending))
                (count("active awards past their end", "/counts/awards_past_end", c.awards_past_end))
            }
        }
        (notices(view, links))
        (exemptions(view, links))
        (appeals(view, links))
        (awards("awards_ending", &format!("Awards ending within {} days", view.ending_within_days), &view.awards_ending, links))
        (awards("awards_past_end", "Active awards past their end (the ledger ends nothing by itself)", &view.awards_past_end, links))
    }
}

/// Days left, or days overdue, marked as the view's figure.
fn countdown(ptr: &str, c: &Countdown) -> Markup {
    html! {
        @match (c.days_left, c.days_overdue) {
            (Some(d), _) => td.n { (fig(VIEW, &format!("{ptr}/days_left"), d, Unit::Count)) " left" },
            (_, Some(d)) => td.n.warn { (fig(VIEW, &format!("{ptr}/days_overdue"), d, Unit::Count)) " overdue" },
            _ => td {},
        }
    }
}

fn action_text(action: &str) -> &'static str {
    match action {
        "decide_exemption" => "decide the exemption request",
        "may_recall" => "may recall now",
        _ => "wait for the holder's answer",
    }
}

fn more(total: usize) -> Markup {
    html! { @if total > SHOWN { p.note { "The first " (SHOWN) " of " (total) "; the CSV has them all." } } }
}

fn notices(view: &DueView, links: &Links<'_>) -> Markup {
    html! {
        section.card id="notices" {
            (links.csv("notices"))
            h3 { "Open recall notices" }
            @if view.notices.is_empty() { p.note { "No recall notice is open." } } @else {
                table {
                    tr { th { "notice" } th { "award" } th { "organization" } th.n { "GPUs" } th { "reason" } th { "respond by" } th { "exemption" } th { "next" } th.n { "days" } }
                    @for (i, n) in view.notices.iter().enumerate().take(SHOWN) {
                        tr {
                            td { code { (n.notice_id) } }
                            td { (links.trace("award", n.award_id.as_str())) }
                            td { (n.org_name) " " code { (n.org_id) } }
                            td.n { (fig(VIEW, &format!("/notices/{i}/gpus"), n.gpus.into(), Unit::Count)) }
                            td { (n.reason) }
                            td.mono { (n.respond_by) }
                            td { (n.exemption) }
                            td { (action_text(n.action)) }
                            (countdown(&format!("/notices/{i}"), &n.left))
                        }
                    }
                }
                (more(view.notices.len()))
            }
        }
    }
}

fn exemptions(view: &DueView, links: &Links<'_>) -> Markup {
    html! {
        section.card id="exemption-requests" {
            (links.csv("exemption_requests"))
            h3 { "Exemption requests to decide" }
            @if view.exemption_requests.is_empty() { p.note { "No exemption request is waiting." } } @else {
                table {
                    tr { th { "notice" } th { "award" } th { "organization" } th { "requested" } th { "respond by" } th { "notice" } th.n { "days waiting" } }
                    @for (i, r) in view.exemption_requests.iter().enumerate().take(SHOWN) {
                        tr {
                            td { code { (r.notice_id) } }
                            td { (links.trace("award", r.award_id.as_str())) }
                            td { (r.org_name) " " code { (r.org_id) } }
                            td.mono { (r.requested_at) }
                            td.mono { (r.respond_by) }
                            td { @if r.notice_open { "open" } @else { "closed since" } }
                            td.n { (fig(VIEW, &format!("/exemption_requests/{i}/days_waiting"), r.days_waiting, Unit::Count)) }
                        }
                    }
                }
                (more(view.exemption_requests.len()))
            }
        }
    }
}

fn appeals(view: &DueView, links: &Links<'_>) -> Markup {
    html! {
        section.card id="appeals" {
            (links.csv("appeals"))
            h3 { "Open appeals (to decide within " (view.appeal_decision_days) " days of filing)" }
            @if view.appeals.is_empty() { p.note { "No appeal is open." } } @else {
                table {
                    tr { th { "appeal" } th { "application" } th { "organization" } th { "call and track" } th { "filed" } th { "decide by" } th.n { "days" } }
                    @for (i, a) in view.appeals.iter().enumerate().take(SHOWN) {
                        tr {
                            td { code { (a.appeal_id) } }
                            td { (links.trace("application", a.application_id.as_str())) }
                            td { (a.org_name) " " code { (a.org_id) } }
                            td { (a.call_id) " " (a.track_id) }
                            td.mono { (a.filed_at) }
                            td.mono { (a.decide_by) }
                            (countdown(&format!("/appeals/{i}"), &a.left))
                        }
                    }
                }
                (more(view.appeals.len()))
            }
        }
    }
}

fn awards(section: &str, title: &str, list: &[AwardDue], links: &Links<'_>) -> Markup {
    html! {
        section.card id=(section.replace('_', "-")) {
            (links.csv(section))
            h3 { (title) }
            @if list.is_empty() { p.note { "None." } } @else {
                table {
                    tr { th { "award" } th { "organization" } th { "call and track" } th.n { "GPUs held" } th { "ends" } th.n { "days" } }
                    @for (i, a) in list.iter().enumerate().take(SHOWN) {
                        tr {
                            td { (links.trace("award", a.award_id.as_str())) }
                            td { (a.org_name) " " code { (a.org_id) } }
                            td { (a.call_id) " " (a.track_id) }
                            td.n { (fig(VIEW, &format!("/{section}/{i}/held_gpus"), a.held_gpus.into(), Unit::Count)) }
                            td.mono { (a.ends_at) }
                            (countdown(&format!("/{section}/{i}"), &a.left))
                        }
                    }
                }
                (more(list.len()))
            }
        }
    }
}
