//! `supplement_out_of_rank_order`: an `AwardSupplemented` whose award's
//! application ranks below another application of the same track that is
//! pending at that moment with at least `min_reviews` scores: more GPUs
//! for an awarded application while a better one still waits, judged as a
//! redistribution is.
//!
//! Decided at the moment, as [`passed_over`](super::passed_over) judges.

use super::super::integrity::Checked;
use super::passed_over::PassedOver;
use super::{Detector, Known};
use crate::language::Messages;
use gpu_ledger_domain::{Body, Id};
use serde::Serialize;

pub type SupplementOutOfRankOrder = PassedOver<Supplement>;

/// The supplement that gave the GPUs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supplement {
    pub supplement_id: Id,
    /// The award supplemented.
    pub award_id: Id,
    pub gpus: u32,
}

#[derive(Debug, Default)]
pub struct Detect {
    found: Vec<SupplementOutOfRankOrder>,
}

impl Detector for Detect {
    type Found = SupplementOutOfRankOrder;

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        let Body::AwardSupplemented(e) = &step.event.body else {
            return;
        };
        let Some(award) = known.catalog.awards.get(&e.award_id) else {
            return;
        };
        let given = Supplement {
            supplement_id: e.supplement_id.clone(),
            award_id: e.award_id.clone(),
            gpus: e.gpus,
        };
        self.found.extend(PassedOver::judge(
            known,
            step,
            &award.application_id,
            Some(&e.award_id),
            given,
        ));
    }

    fn finish(self, _known: &Known<'_>) -> Vec<SupplementOutOfRankOrder> {
        self.found
    }

    fn summary(x: &SupplementOutOfRankOrder, w: &Messages<'_>) -> String {
        w.with(
            "summary-supplement_out_of_rank_order",
            &[
                ("supplement", x.given.supplement_id.as_str().into()),
                ("gpus", x.given.gpus.into()),
                ("award", x.given.award_id.as_str().into()),
                ("passed_over", x.passed_over_text(w).into()),
            ],
        )
    }
}
