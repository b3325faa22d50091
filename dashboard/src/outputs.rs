//! The outputs section of `/holdings`: what the GPUs produced, by sector and
//! track (outputs by kind, GPU-days held, GPU-days per output), and the
//! outputs reported, as the `outputs` view has them. References are shown
//! as text, never as links: a page fetches and sends a reader nowhere else.

use super::audit::trace_at;
use super::language::Reading;
use super::layout::{Unit, csv_link, fig, figure};
use super::point::At;
use gpu_ledger_domain::output::OutputKind;
use gpu_ledger_projections::outputs::{Figures, OutputsView};
use maud::{Markup, html};

const VIEW: &str = "outputs";
/// Outputs listed (the CSV has all).
const LISTED: usize = 20;

pub fn section(view: &OutputsView, at: &At, r: &Reading) -> Markup {
    let t = &view.total;
    html! {
        section.card id="outputs" {
            (csv_link(at, VIEW, Some("sectors")))
            h3 { (r.t("outputs-title")) }
            div.figures {
                (figure(&r.t("outputs-reported"), fig(VIEW, "/total/outputs", t.outputs, Unit::Count)))
                (figure(&r.t("outputs-gpu-days-every-award"), fig(VIEW, "/total/gpu_days", t.gpu_days, Unit::Count)))
                @if let Some(per) = t.gpu_days_per_output {
                    (figure(&r.t("outputs-gpu-days-per-output"), fig(VIEW, "/total/gpu_days_per_output", per, Unit::Count)))
                }
            }
            p.note { (r.t("outputs-gpu-days-note")) }
            (figures_table(&r.t("col-sector"), view.by_sector.iter().map(|(s, f)| (r.word(s), format!("/by_sector/{s}"), f)), r))
            h4 { (r.t("holdings-by-track")) }
            (figures_table(&r.t("col-call-and-track"), view.by_track.iter().enumerate().map(|(i, t)| (format!("{} {}", t.call_id, t.track_id), format!("/by_track/{i}"), &t.figures)), r))
            (listed(view, at, r))
        }
    }
}

fn figures_table<'a>(
    key: &str,
    rows: impl Iterator<Item = (String, String, &'a Figures)>,
    r: &Reading,
) -> Markup {
    html! {
        table {
            tr {
                th { (key) } th.n { (r.t("col-outputs")) }
                @for k in OutputKind::NAMES { th.n { (r.word(k)) } }
                th.n { (r.t("col-gpu-days")) } th.n { (r.t("col-per-output")) }
            }
            @for (label, ptr, f) in rows {
                tr {
                    td { (label) }
                    td.n { (fig(VIEW, &format!("{ptr}/outputs"), f.outputs, Unit::Count)) }
                    @for k in OutputKind::NAMES {
                        td.n { (fig(VIEW, &format!("{ptr}/by_kind/{k}"), f.by_kind[k], Unit::Count)) }
                    }
                    td.n { (fig(VIEW, &format!("{ptr}/gpu_days"), f.gpu_days, Unit::Count)) }
                    @match f.gpu_days_per_output {
                        Some(per) => td.n { (fig(VIEW, &format!("{ptr}/gpu_days_per_output"), per, Unit::Count)) },
                        None => td.n { "—" },
                    }
                }
            }
        }
    }
}

fn listed(view: &OutputsView, at: &At, r: &Reading) -> Markup {
    html! {
        h4 { (r.t("outputs-listed")) }
        @if view.outputs.is_empty() {
            p.note { (r.t("outputs-none")) }
        } @else {
            (csv_link(at, VIEW, Some("outputs")))
            p.note { (r.f("outputs-first", &[("shown", view.outputs.len().min(LISTED).into()), ("total", view.outputs.len().into())])) }
            table id="output-list" {
                tr { th { (r.t("col-output")) } th { (r.t("col-kind")) } th { (r.t("col-title")) } th { (r.t("col-award")) } th { (r.t("col-organization")) } th { (r.t("col-reference")) } th { (r.t("col-reported")) } }
                @for o in view.outputs.iter().take(LISTED) {
                    tr {
                        td { code { (o.output_id) } }
                        td { (r.word(o.kind)) }
                        td { (o.title) }
                        td { a href=(trace_at("award", o.award_id.as_str(), at)) { code { (o.award_id) } } }
                        td { code { (o.org_id) } }
                        td.mono { (o.reference.as_deref().unwrap_or("—")) }
                        td.mono { (o.reported_at) }
                    }
                }
            }
        }
    }
}
