//! `redistribution_out_of_rank_order`: a `Redistributed` (top-ups
//! included) to an application ranked below another application of the
//! same track that is pending at that moment with at least `min_reviews`
//! scores.
//!
//! Decided at the moment, against the evidence's order of pending
//! applications.

use super::super::EventRef;
use super::super::integrity::Checked;
use super::super::rank::{Outranked, RankShown, rank_of};
use super::evidence::in_seq_order;
use super::rival::Rival;
use super::{Detector, Known};
use gpu_ledger_domain::{Body, Id};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedistributionOutOfRankOrder {
    pub redistribution_id: Id,
    pub recall_id: Id,
    /// The award the redistribution created.
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub gpus: u32,
    #[serde(flatten)]
    pub rank: RankShown,
    /// The best-ranked application pending at that moment.
    pub outranked_by: Rival,
    pub higher_ranked_pending: usize,
    /// The call's opening, the redistribution, and the scores and
    /// organizations of both applications up to that moment.
    pub events: Vec<EventRef>,
}

#[derive(Debug, Default)]
pub struct Detect {
    found: Vec<RedistributionOutOfRankOrder>,
}

impl Detector for Detect {
    type Found = RedistributionOutOfRankOrder;

    const EXPLANATION: &'static str = "A Redistributed (top-ups included) to an application ranked below another application \
         of the same track that was pending at that moment with at least min_reviews scores.";

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        let Body::Redistributed(e) = &step.event.body else {
            return;
        };
        let (cat, evidence) = (known.catalog, known.evidence);
        let app = &cat.apps[&e.application_id];
        let Some(score) = rank_of(cat, app) else {
            return;
        };
        let Some(Outranked {
            application_id: rival_id,
            score: rival_score,
            higher,
        }) = evidence
            .pending
            .best_above(&app.call_id, &app.track_id, score, &e.application_id)
        else {
            return;
        };
        let mut events = vec![step.at()];
        events.extend(evidence.calls_opened.get(&app.call_id));
        evidence.of_rank(&e.application_id, app, &mut events);
        evidence.of_rank(&rival_id, &cat.apps[&rival_id], &mut events);
        self.found.push(RedistributionOutOfRankOrder {
            redistribution_id: e.redistribution_id.clone(),
            recall_id: e.recall_id.clone(),
            award_id: e.award_id.clone(),
            application_id: e.application_id.clone(),
            org_id: app.org_id.clone(),
            call_id: app.call_id.clone(),
            track_id: app.track_id.clone(),
            gpus: e.gpus,
            rank: score.into(),
            outranked_by: Rival::of(cat, &rival_id, rival_score),
            higher_ranked_pending: higher,
            events: in_seq_order(events),
        });
    }

    fn finish(self, _known: &Known<'_>) -> Vec<RedistributionOutOfRankOrder> {
        self.found
    }

    fn summary(x: &RedistributionOutOfRankOrder) -> String {
        format!(
            "Redistribution {} gave {} GPUs of recall {} to {}, was pending; {} pending application(s) ranked higher.",
            x.redistribution_id,
            x.gpus,
            x.recall_id,
            x.outranked_by
                .passed_over_by(&x.application_id, &x.org_id, &x.rank),
            x.higher_ranked_pending
        )
    }
}
