//! The judgement GPUs given after the round share, whether by a
//! redistribution or by a supplement: given, at that moment, to an
//! application ranked below another application of its track that is
//! pending with at least `min_reviews` scores (the application itself
//! excluded, as a top-up or a supplement goes to one already awarded).
//!
//! Judged at the moment of the event, against the evidence's order of
//! pending applications; one record shape for every kind so judged, with
//! what identifies the gift (`G`) first.

use super::super::EventRef;
use super::super::integrity::Checked;
use super::super::rank::{Outranked, rank_of};
use super::super::render::grouped;
use super::Known;
use super::evidence::in_seq_order;
use super::rival::RankedAbove;
use crate::language::Messages;
use gpu_ledger_domain::Id;
use serde::Serialize;

/// GPUs given past a better-ranked pending application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassedOver<G> {
    /// What gave the GPUs (the redistribution or the supplement).
    #[serde(flatten)]
    pub given: G,
    /// With the best-ranked application pending at that moment.
    #[serde(flatten)]
    pub ranked: RankedAbove,
    pub higher_ranked_pending: usize,
    /// The call's opening, the event that gave the GPUs, the award's
    /// origin where the GPUs topped one up, and the scores and
    /// organizations of both applications up to that moment.
    pub events: Vec<EventRef>,
}

impl<G> PassedOver<G> {
    /// Judges `step`, which gives GPUs to `application_id` (through award
    /// `award_id` when it already exists): `None` when no pending
    /// application of the track ranks higher.
    pub fn judge(
        known: &Known<'_>,
        step: &Checked<'_>,
        application_id: &Id,
        award_id: Option<&Id>,
        given: G,
    ) -> Option<Self> {
        let (cat, evidence) = (known.catalog, known.evidence);
        let app = &cat.apps[application_id];
        let score = rank_of(cat, app)?;
        let Outranked {
            application_id: rival_id,
            score: rival_score,
            higher,
        } = evidence
            .pending
            .best_above(&app.call_id, &app.track_id, score, application_id)?;
        let mut events = vec![step.at()];
        events.extend(evidence.calls_opened.get(&app.call_id));
        events.extend(
            award_id
                .and_then(|a| evidence.awards.get(a))
                .map(|t| t.origin),
        );
        evidence.of_rank(application_id, app, &mut events);
        evidence.of_rank(&rival_id, &cat.apps[&rival_id], &mut events);
        Some(PassedOver {
            given,
            ranked: RankedAbove::of(cat, application_id, score, &rival_id, rival_score),
            higher_ranked_pending: higher,
            events: in_seq_order(events),
        })
    }

    /// `A (O), rank R, while B (P), rank S, was pending; N pending
    /// applications ranked higher.`, in the language of `w`.
    pub fn passed_over_text(&self, w: &Messages<'_>) -> String {
        w.with(
            "passed-over-pending",
            &[
                ("passed_over", self.ranked.text(w).into()),
                ("higher", self.higher_ranked_pending.into()),
                ("shown", grouped(self.higher_ranked_pending as u64).into()),
            ],
        )
    }
}
