//! `award_out_of_rank_order`: an `AwardGranted` while an application of the
//! same track with a strictly higher rank at the end, and at least the
//! track's `min_reviews` scores, ends up rejected or still pending.
//!
//! Decided at the end: an awarded application gets no more scores, so its
//! rank then is its rank when it was awarded.

use super::super::EventRef;
use super::super::rank::rank_of;
use super::super::render::grouped;
use super::evidence::in_seq_order;
use super::rival::RankedAbove;
use super::{Detector, Known};
use crate::language::Messages;
use gpu_ledger_domain::Id;
use gpu_ledger_domain::application::Status;
use gpu_ledger_projections::catalog::Origin;
use gpu_ledger_projections::ranking::Score;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwardOutOfRankOrder {
    pub award_id: Id,
    #[serde(flatten)]
    pub ranked: RankedAbove,
    /// Applications left out (rejected or pending, with enough scores) that rank strictly higher.
    pub higher_ranked: usize,
    /// The call's opening (its tracks' rules), the award, and the scores and
    /// organizations of both applications, with the rival's rejection.
    pub events: Vec<EventRef>,
}

#[derive(Debug, Default)]
pub struct Detect;

impl Detector for Detect {
    type Found = AwardOutOfRankOrder;

    fn finish(self, known: &Known<'_>) -> Vec<AwardOutOfRankOrder> {
        let (cat, evidence) = (known.catalog, known.evidence);
        // Per track, the applications left out, best first.
        let mut left_out: HashMap<(&Id, &Id), Vec<(Score, &Id)>> = HashMap::new();
        for ((call, track), apps) in &cat.track_apps {
            let min_reviews = cat.track(call, track).min_reviews;
            let mut v: Vec<(Score, &Id)> = apps
                .iter()
                .filter_map(|id| {
                    let a = &cat.apps[id];
                    let out = matches!(a.status, Status::Rejected | Status::Pending)
                        && a.reviews >= min_reviews;
                    out.then(|| rank_of(cat, a).map(|s| (s, id))).flatten()
                })
                .collect();
            v.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then_with(|| a.cmp(b)));
            left_out.insert((call, track), v);
        }
        let mut out = Vec::new();
        for (award_id, trail) in evidence.awards_in_order() {
            let award = &cat.awards[award_id];
            if award.origin != Origin::Granted {
                continue;
            }
            let app = &cat.apps[&award.application_id];
            let Some(score) = rank_of(cat, app) else {
                continue;
            };
            let Some(rivals) = left_out.get(&(&award.call_id, &award.track_id)) else {
                continue;
            };
            let higher = rivals.iter().take_while(|(s, _)| *s > score).count();
            if higher == 0 {
                continue;
            }
            let (rival_score, rival_id) = rivals[0];
            let mut events = vec![trail.origin];
            events.extend(evidence.calls_opened.get(&award.call_id));
            evidence.of_rank(&award.application_id, app, &mut events);
            evidence.of_rank(rival_id, &cat.apps[rival_id], &mut events);
            events.extend(evidence.apps.get(rival_id).and_then(|t| t.closed));
            out.push(AwardOutOfRankOrder {
                award_id: award_id.clone(),
                ranked: RankedAbove::of(cat, &award.application_id, score, rival_id, rival_score),
                higher_ranked: higher,
                events: in_seq_order(events),
            });
        }
        out
    }

    fn summary(x: &AwardOutOfRankOrder, w: &Messages<'_>) -> String {
        w.with(
            "summary-award_out_of_rank_order",
            &[
                ("award", x.award_id.as_str().into()),
                ("passed_over", x.ranked.text(w).into()),
                (
                    "status",
                    super::super::words::word(w, x.ranked.outranked_by.status).into(),
                ),
                ("higher", x.higher_ranked.into()),
                ("shown", grouped(x.higher_ranked as u64).into()),
            ],
        )
    }
}
