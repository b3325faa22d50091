//! `/due`: what the programme office must act on, as the `due` view has it:
//! open recall notices and what the rules let the office do next, exemption
//! requests to decide, open appeals, awards ending soon and awards past
//! their end. "Now" is the last event's business time, or `?now=T` (as the
//! API takes it); each row links to the trace of its award or application.

use super::audit::trace_at;
use super::language::Reading;
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
    r: Reading,
    PageQuery(q): PageQuery<AtQuery>,
    PageQuery(settings): PageQuery<Settings>,
) -> Response {
    rendered(render(&dash, &q, settings.now.as_deref(), &r).await)
}

async fn render(
    dash: &Dashboard,
    q: &AtQuery,
    now: Option<&str>,
    r: &Reading,
) -> Result<Markup, Refusal> {
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
        let title = r.t("page-due");
        let frame = Frame {
            title: &title,
            path: "/due",
            at: &at,
            seq: v.p.seq,
            head: v.head,
            keep: vec![("now", given.clone())],
            reading: r,
        };
        let links = Links {
            at: &at,
            now: &given,
            r,
        };
        layout::page(&frame, body(&view, &links))
    })
    .await
}

/// What every link of the page carries: its point in history and its "now".
struct Links<'a> {
    at: &'a At,
    now: &'a str,
    r: &'a Reading,
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
    let r = links.r;
    let count = |caption: &str, ptr: &str, n: u64| figure(caption, fig(VIEW, ptr, n, Unit::Count));
    html! {
        section.card {
            p {
                (r.h("due-judged-at", &[("now", html! { strong.mono id="now" { (view.now.clone().unwrap_or_else(|| r.t("due-no-event"))) } })]))
                @if links.now.is_empty() { (r.t("due-judged-at-last-event")) } @else { (r.t("due-judged-as-asked")) }
            }
            form method="get" action="/due" {
                @if let Some((k, v)) = links.at.param() { input type="hidden" name=(k) value=(v); }
                @if let Some(lang) = links.at.language() { input type="hidden" name="lang" value=(lang.code()); }
                label for="due-now" { (r.t("due-judge-at")) " " }
                input type="text" id="due-now" name="now" value=(links.now) placeholder="2026-09-01T09:00:00+09:00" style="width:15rem";
                button type="submit" { (r.t("go")) }
            }
            div.figures {
                (count(&r.t("due-open-notices"), "/counts/notices", c.notices))
                (count(&r.t("due-past-respond-by"), "/counts/notices_past_respond_by", c.notices_past_respond_by))
                (count(&r.t("due-exemption-requests"), "/counts/exemption_requests", c.exemption_requests))
                (count(&r.t("due-open-appeals"), "/counts/appeals", c.appeals))
                (count(&r.t("due-appeals-overdue"), "/counts/appeals_overdue", c.appeals_overdue))
                (count(&r.f("due-awards-ending", &[("days", view.ending_within_days.into())]), "/counts/awards_ending", c.awards_ending))
                (count(&r.t("due-awards-past-end"), "/counts/awards_past_end", c.awards_past_end))
            }
        }
        (notices(view, links))
        (exemptions(view, links))
        (appeals(view, links))
        (awards("awards_ending", &r.f("due-awards-ending-title", &[("days", view.ending_within_days.into())]), &view.awards_ending, links))
        (awards("awards_past_end", &r.t("due-awards-past-end-title"), &view.awards_past_end, links))
    }
}

/// Days left, or days overdue, marked as the view's figure.
fn countdown(ptr: &str, c: &Countdown, r: &Reading) -> Markup {
    html! {
        @match (c.days_left, c.days_overdue) {
            (Some(d), _) => td.n { (r.h("due-days-left", &[("days", fig(VIEW, &format!("{ptr}/days_left"), d, Unit::Count))])) },
            (_, Some(d)) => td.n.warn { (r.h("due-days-overdue", &[("days", fig(VIEW, &format!("{ptr}/days_overdue"), d, Unit::Count))])) },
            _ => td {},
        }
    }
}

fn action_text(action: &str, r: &Reading) -> String {
    match action {
        "decide_exemption" => r.t("due-action-decide-exemption"),
        "may_recall" => r.t("due-action-may-recall"),
        _ => r.t("due-action-wait"),
    }
}

fn more(total: usize, r: &Reading) -> Markup {
    html! { @if total > SHOWN { p.note { (r.f("due-first", &[("shown", SHOWN.into()), ("total", total.into())])) } } }
}

fn notices(view: &DueView, links: &Links<'_>) -> Markup {
    let r = links.r;
    html! {
        section.card id="notices" {
            (links.csv("notices"))
            h3 { (r.t("due-notices")) }
            @if view.notices.is_empty() { p.note { (r.t("due-notices-none")) } } @else {
                table {
                    tr { th { (r.t("col-notice")) } th { (r.t("col-award")) } th { (r.t("col-organization")) } th.n { (r.t("col-gpus")) } th { (r.t("col-reason")) } th { (r.t("col-respond-by")) } th { (r.t("col-exemption")) } th { (r.t("col-next")) } th.n { (r.t("col-days")) } }
                    @for (i, n) in view.notices.iter().enumerate().take(SHOWN) {
                        tr {
                            td { code { (n.notice_id) } }
                            td { (links.trace("award", n.award_id.as_str())) }
                            td { (n.org_name) " " code { (n.org_id) } }
                            td.n { (fig(VIEW, &format!("/notices/{i}/gpus"), n.gpus.into(), Unit::Count)) }
                            td { (r.word(n.reason)) }
                            td.mono { (n.respond_by) }
                            td { (r.word(n.exemption)) }
                            td { (action_text(n.action, r)) }
                            (countdown(&format!("/notices/{i}"), &n.left, r))
                        }
                    }
                }
                (more(view.notices.len(), r))
            }
        }
    }
}

fn exemptions(view: &DueView, links: &Links<'_>) -> Markup {
    let r = links.r;
    html! {
        section.card id="exemption-requests" {
            (links.csv("exemption_requests"))
            h3 { (r.t("due-exemption-requests-title")) }
            @if view.exemption_requests.is_empty() { p.note { (r.t("due-exemption-requests-none")) } } @else {
                table {
                    tr { th { (r.t("col-notice")) } th { (r.t("col-award")) } th { (r.t("col-organization")) } th { (r.t("col-requested")) } th { (r.t("col-respond-by")) } th { (r.t("col-notice")) } th.n { (r.t("col-days-waiting")) } }
                    @for (i, e) in view.exemption_requests.iter().enumerate().take(SHOWN) {
                        tr {
                            td { code { (e.notice_id) } }
                            td { (links.trace("award", e.award_id.as_str())) }
                            td { (e.org_name) " " code { (e.org_id) } }
                            td.mono { (e.requested_at) }
                            td.mono { (e.respond_by) }
                            td { @if e.notice_open { (r.t("due-notice-open")) } @else { (r.t("due-notice-closed-since")) } }
                            td.n { (fig(VIEW, &format!("/exemption_requests/{i}/days_waiting"), e.days_waiting, Unit::Count)) }
                        }
                    }
                }
                (more(view.exemption_requests.len(), r))
            }
        }
    }
}

fn appeals(view: &DueView, links: &Links<'_>) -> Markup {
    let r = links.r;
    html! {
        section.card id="appeals" {
            (links.csv("appeals"))
            h3 { (r.f("due-appeals-title", &[("days", view.appeal_decision_days.into())])) }
            @if view.appeals.is_empty() { p.note { (r.t("due-appeals-none")) } } @else {
                table {
                    tr { th { (r.t("col-appeal")) } th { (r.t("col-application")) } th { (r.t("col-organization")) } th { (r.t("col-call-and-track")) } th { (r.t("col-filed")) } th { (r.t("col-decide-by")) } th.n { (r.t("col-days")) } }
                    @for (i, a) in view.appeals.iter().enumerate().take(SHOWN) {
                        tr {
                            td { code { (a.appeal_id) } }
                            td { (links.trace("application", a.application_id.as_str())) }
                            td { (a.org_name) " " code { (a.org_id) } }
                            td { (a.call_id) " " (a.track_id) }
                            td.mono { (a.filed_at) }
                            td.mono { (a.decide_by) }
                            (countdown(&format!("/appeals/{i}"), &a.left, r))
                        }
                    }
                }
                (more(view.appeals.len(), r))
            }
        }
    }
}

fn awards(section: &str, title: &str, list: &[AwardDue], links: &Links<'_>) -> Markup {
    let r = links.r;
    html! {
        section.card id=(section.replace('_', "-")) {
            (links.csv(section))
            h3 { (title) }
            @if list.is_empty() { p.note { (r.t("due-none")) } } @else {
                table {
                    tr { th { (r.t("col-award")) } th { (r.t("col-organization")) } th { (r.t("col-call-and-track")) } th.n { (r.t("col-gpus-held")) } th { (r.t("col-ends")) } th.n { (r.t("col-days")) } }
                    @for (i, a) in list.iter().enumerate().take(SHOWN) {
                        tr {
                            td { (links.trace("award", a.award_id.as_str())) }
                            td { (a.org_name) " " code { (a.org_id) } }
                            td { (a.call_id) " " (a.track_id) }
                            td.n { (fig(VIEW, &format!("/{section}/{i}/held_gpus"), a.held_gpus.into(), Unit::Count)) }
                            td.mono { (a.ends_at) }
                            (countdown(&format!("/{section}/{i}"), &a.left, r))
                        }
                    }
                }
                (more(list.len(), r))
            }
        }
    }
}
