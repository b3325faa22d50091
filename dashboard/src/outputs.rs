//! The outputs section of `/holdings`: what the GPUs produced, by sector and
//! track (outputs by kind, GPU-days held, GPU-days per output), and the
//! outputs reported, as the `outputs` view has them. References are shown
//! as text, never as links: a page fetches and sends a reader nowhere else.

use super::audit::trace_at;
use super::layout::{Unit, csv_link, fig, figure};
use super::point::At;
use gpu_ledger_domain::output::OutputKind;
use gpu_ledger_projections::outputs::{Figures, OutputsView};
use maud::{Markup, html};

const VIEW: &str = "outputs";
/// Outputs listed (the CSV has all).
const LISTED: usize = 20;

pub fn section(view: &OutputsView, at: &At) -> Markup {
    let t = &view.total;
    html! {
        section.card id="outputs" {
            (csv_link(at, VIEW, Some("sectors")))
            h3 { "Outputs and the GPU-days held for them" }
            div.figures {
                (figure("outputs reported", fig(VIEW, "/total/outputs", t.outputs, Unit::Count)))
                (figure("GPU-days held by every award", fig(VIEW, "/total/gpu_days", t.gpu_days, Unit::Count)))
                @if let Some(per) = t.gpu_days_per_output {
                    (figure("GPU-days per output", fig(VIEW, "/total/gpu_days_per_output", per, Unit::Count)))
                }
            }
            p.note { "GPU-days count what each award held from its grant to its end, or to the last event for an active one, in business time." }
            (figures_table("sector", view.by_sector.iter().map(|(s, f)| (s.to_string(), format!("/by_sector/{s}"), f))))
            h4 { "By track" }
            (figures_table("call and track", view.by_track.iter().enumerate().map(|(i, t)| (format!("{} {}", t.call_id, t.track_id), format!("/by_track/{i}"), &t.figures))))
            (listed(view, at))
        }
    }
}

fn figures_table<'a>(
    key: &str,
    rows: impl Iterator<Item = (String, String, &'a Figures)>,
) -> Markup {
    html! {
        table {
            tr {
                th { (key) } th.n { "outputs" }
                @for k in OutputKind::NAMES { th.n { (k) } }
                th.n { "GPU-days" } th.n { "per output" }
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

fn listed(view: &OutputsView, at: &At) -> Markup {
    html! {
        h4 { "Outputs reported" }
        @if view.outputs.is_empty() {
            p.note { "No output has been reported yet." }
        } @else {
            (csv_link(at, VIEW, Some("outputs")))
            p.note { "The first " (view.outputs.len().min(LISTED)) " of " (view.outputs.len()) " by id." }
            table id="output-list" {
                tr { th { "output" } th { "kind" } th { "title" } th { "award" } th { "organization" } th { "reference" } th { "reported" } }
                @for o in view.outputs.iter().take(LISTED) {
                    tr {
                        td { code { (o.output_id) } }
                        td { (o.kind) }
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
