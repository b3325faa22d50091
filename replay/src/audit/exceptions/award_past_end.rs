//! `award_past_end`: an award (granted or redistributed) still active at
//! the end whose `ends_at` is before the last event's `occurred_at`.
//!
//! The ledger has no clock: passing `ends_at` ends nothing by itself, so
//! someone should have ended it.

use super::super::EventRef;
use super::evidence::in_seq_order;
use super::{Detector, Known};
use crate::language::Messages;
use gpu_ledger_domain::Id;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardPastEnd {
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub held_gpus: u32,
    pub ends_at: String,
    pub last_occurred_at: String,
    /// The award's origin (its term) and the last event (the time it is now).
    pub events: Vec<EventRef>,
}

#[derive(Debug, Default)]
pub struct Detect;

impl Detector for Detect {
    type Found = AwardPastEnd;

    fn finish(self, known: &Known<'_>) -> Vec<AwardPastEnd> {
        let Some(end) = &known.evidence.end else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (id, trail) in known.evidence.awards_in_order() {
            let a = &known.catalog.awards[id];
            if !a.active() || a.ends_at.instant() >= end.occurred_at {
                continue;
            }
            out.push(AwardPastEnd {
                award_id: id.clone(),
                application_id: a.application_id.clone(),
                org_id: a.org_id.clone(),
                call_id: a.call_id.clone(),
                track_id: a.track_id.clone(),
                held_gpus: a.held,
                ends_at: a.ends_at.to_string(),
                last_occurred_at: end.occurred_at_text.clone(),
                events: in_seq_order(vec![trail.origin, end.at]),
            });
        }
        out
    }

    fn summary(x: &AwardPastEnd, w: &Messages<'_>) -> String {
        w.with(
            "summary-award_past_end",
            &[
                ("award", x.award_id.as_str().into()),
                ("application", x.application_id.as_str().into()),
                ("org", x.org_id.as_str().into()),
                ("gpus", x.held_gpus.into()),
                ("ends", x.ends_at.to_string().into()),
                ("last", x.last_occurred_at.to_string().into()),
            ],
        )
    }
}
