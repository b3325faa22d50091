//! `redistribution_out_of_rank_order`: a `Redistributed` (top-ups
//! included) to an application ranked below another application of the
//! same track that is pending at that moment with at least `min_reviews`
//! scores.
//!
//! Decided at the moment, as [`passed_over`](super::passed_over) judges.

use super::super::integrity::Checked;
use super::passed_over::PassedOver;
use super::{Detector, Known};
use crate::language::Messages;
use gpu_ledger_domain::{Body, Id};
use serde::Serialize;

pub type RedistributionOutOfRankOrder = PassedOver<Redistribution>;

/// The redistribution that gave the GPUs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redistribution {
    pub redistribution_id: Id,
    pub recall_id: Id,
    /// The award the redistribution created.
    pub award_id: Id,
    pub gpus: u32,
}

#[derive(Debug, Default)]
pub struct Detect {
    found: Vec<RedistributionOutOfRankOrder>,
}

impl Detector for Detect {
    type Found = RedistributionOutOfRankOrder;

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        let Body::Redistributed(e) = &step.event.body else {
            return;
        };
        let given = Redistribution {
            redistribution_id: e.redistribution_id.clone(),
            recall_id: e.recall_id.clone(),
            award_id: e.award_id.clone(),
            gpus: e.gpus,
        };
        self.found.extend(PassedOver::judge(
            known,
            step,
            &e.application_id,
            None,
            given,
        ));
    }

    fn finish(self, _known: &Known<'_>) -> Vec<RedistributionOutOfRankOrder> {
        self.found
    }

    fn summary(x: &RedistributionOutOfRankOrder, w: &Messages<'_>) -> String {
        w.with(
            "summary-redistribution_out_of_rank_order",
            &[
                ("redistribution", x.given.redistribution_id.as_str().into()),
                ("gpus", x.given.gpus.into()),
                ("recall", x.given.recall_id.as_str().into()),
                ("passed_over", x.passed_over_text(w).into()),
            ],
        )
    }
}
