//! The card a trace page shows above the story: where its subject stands
//! after the rest of an award's life (vocabulary v2), at the page's point.
//! An award: what it was granted, supplemented and recalled, what it holds,
//! its current end (after any extension), and each recall notice with how it
//! stands. An application: its status and its latest appeal. An
//! organization: its awards, their notices, and its applications that were
//! appealed. The story's lines say what happened, event by event; this card
//! says what that adds up to, from the views' catalog, so the office need
//! not add it up by reading every line.

use super::language::Reading;
use super::layout::grouped;
use gpu_ledger_domain::Id;
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::catalog::{AppFacts, AppealStage, AwardFacts, Exemption, NoticeFacts};
use maud::{Markup, html};

/// What a trace page is about.
pub enum Of<'a> {
    Award(&'a Id),
    Application(&'a Id),
    Organization(&'a Id),
}

/// An entity of the catalog, with its id.
type Entry<'a, T> = (&'a Id, &'a T);

/// The card, or nothing when the subject is not (yet) in the catalog.
pub fn card(cat: &Catalog, seq: u64, of: Of<'_>, r: &Reading) -> Markup {
    let (awards, apps): (Vec<Entry<AwardFacts>>, Vec<Entry<AppFacts>>) = match of {
        Of::Award(id) => (
            cat.awards.get_key_value(id).into_iter().collect(),
            Vec::new(),
        ),
        Of::Application(id) => (Vec::new(), cat.apps.get_key_value(id).into_iter().collect()),
        Of::Organization(org) => (
            sorted(cat.awards.iter().filter(|(_, a)| a.org_id == *org)),
            sorted(
                cat.apps
                    .iter()
                    .filter(|(_, a)| a.org_id == *org && a.appeal.is_some()),
            ),
        ),
    };
    if awards.is_empty() && apps.is_empty() {
        return html! {};
    }
    let mut notices: Vec<(&Id, &NoticeFacts)> = cat
        .notices
        .iter()
        .filter(|(_, n)| awards.iter().any(|(id, _)| **id == n.award_id))
        .collect();
    notices.sort_by_key(|(id, n)| (n.noticed_at.instant(), *id));
    html! {
        section.card id="standing" {
            h3 { (r.f("standing-title", &[("seq", seq.into())])) }
            @if !awards.is_empty() {
                table id="standing-awards" {
                    tr { th { (r.t("col-award")) } th.n { (r.t("col-granted")) } th.n { (r.t("col-supplemented")) } th.n { (r.t("col-recalled")) } th.n { (r.t("col-holds")) } th { (r.t("col-ends")) } th { (r.t("col-state")) } }
                    @for (id, a) in &awards {
                        tr {
                            td { code { (id) } }
                            td.n { (grouped(a.granted.into())) }
                            td.n { (grouped(a.supplemented.into())) }
                            td.n { (grouped((a.granted + a.supplemented - a.held).into())) }
                            td.n { (grouped(a.held.into())) }
                            td.mono { (a.ends_at) }
                            td { @if a.active() { (r.t("standing-active")) } @else { (r.t("standing-no-longer-active")) } }
                        }
                    }
                }
            }
            @if !notices.is_empty() {
                table id="standing-notices" {
                    tr { th { (r.t("col-recall-notice")) } th { (r.t("col-award")) } th.n { (r.t("col-gpus")) } th { (r.t("col-reason")) } th { (r.t("col-noticed")) } th { (r.t("col-respond-by")) } th { (r.t("col-stands")) } }
                    @for (id, n) in &notices {
                        tr {
                            td { code { (id) } }
                            td { code { (n.award_id) } }
                            td.n { (grouped(n.gpus.into())) }
                            td { (r.word(n.reason.as_str())) }
                            td.mono { (n.noticed_at) }
                            td.mono { (n.respond_by) }
                            td { (r.t(notice_stands(cat, n))) }
                        }
                    }
                }
            }
            @if !apps.is_empty() {
                table id="standing-appeals" {
                    tr { th { (r.t("col-application")) } th { (r.t("col-status")) } th { (r.t("col-latest-appeal")) } th { (r.t("col-filed")) } th { (r.t("col-stands")) } }
                    @for (id, a) in &apps {
                        tr {
                            td { code { (id) } }
                            td { (r.word(a.status.as_str())) }
                            @if let Some(p) = &a.appeal {
                                td { code { (p.appeal_id) } }
                                td.mono { (p.filed_at) }
                                td { (r.t(appeal_stands(p.stage))) }
                            } @else {
                                td colspan="3" { (r.t("standing-never-appealed")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Ids in order, so that an organization's card reads the same every time.
fn sorted<'a, T>(items: impl Iterator<Item = Entry<'a, T>>) -> Vec<Entry<'a, T>> {
    let mut v: Vec<_> = items.collect();
    v.sort_by_key(|(id, _)| *id);
    v
}

/// The key of how a notice stands.
fn notice_stands(cat: &Catalog, n: &NoticeFacts) -> &'static str {
    match (&n.exemption, n.carried_out) {
        (_, true) => "stands-carried-out",
        (Exemption::Granted, _) => "stands-exemption-granted",
        _ if !cat.notice_open(n) => "stands-award-ended",
        (Exemption::Requested { .. }, _) => "stands-exemption-requested",
        (Exemption::Refused, _) => "stands-exemption-refused",
        (Exemption::NotRequested, _) => "stands-open",
    }
}

/// The key of how an appeal stands.
fn appeal_stands(stage: AppealStage) -> &'static str {
    match stage {
        AppealStage::Open => "stands-appeal-open",
        AppealStage::Upheld => "stands-appeal-upheld",
        AppealStage::Dismissed => "stands-appeal-dismissed",
        AppealStage::Withdrawn => "stands-appeal-withdrawn",
    }
}
