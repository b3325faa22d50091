//! `recall_awaiting_too_long`: a recall some of whose GPUs awaited
//! redistribution strictly longer than the set time (business time), to the
//! event that cleared them (`Redistributed` or `RecallReleased`) or to the
//! end. One per recall.
//!
//! Each clearing is timed as it comes; GPUs still awaiting are timed at
//! the end. Per recall, only its late clearings are kept.

use super::super::EventRef;
use super::super::integrity::Checked;
use super::business_time::{NANOS_PER_DAY, duration_text, nanos_between};
use super::evidence::in_seq_order;
use super::{Detector, Known, Settings};
use crate::language::Messages;
use gpu_ledger_domain::{Body, Id, Instant};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecallAwaitingTooLong {
    pub recall_id: Id,
    pub award_id: Id,
    pub pool_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    /// GPUs recalled.
    pub gpus: u32,
    pub limit_days: u32,
    /// GPUs that waited longer than the limit (cleared late, or still awaiting).
    pub gpus_over_limit: u32,
    /// GPUs still awaiting redistribution at the end.
    pub still_awaiting: u32,
    /// The longest wait, in whole seconds of business time.
    pub longest_wait_seconds: i64,
    /// The recall, the events that cleared GPUs late, and the last event
    /// when GPUs were still awaiting at the end.
    pub events: Vec<EventRef>,
}

#[derive(Debug, Default)]
pub struct Detect {
    recalls: HashMap<Id, RecallClock>,
}

/// The clock of a recall's GPUs awaiting redistribution.
#[derive(Debug)]
struct RecallClock {
    issued: EventRef,
    issued_at: Instant,
    award_id: Id,
    /// The clearing events that came too late.
    late: Vec<EventRef>,
    late_gpus: u32,
    longest_wait: i128,
}

fn limit_nanos(settings: &Settings) -> i128 {
    i128::from(settings.max_awaiting_days) * NANOS_PER_DAY
}

impl Detect {
    /// `gpus` of the recall stop awaiting, at `step`.
    fn cleared(&mut self, known: &Known<'_>, recall_id: &Id, gpus: u32, step: &Checked<'_>) {
        if let Some(r) = self.recalls.get_mut(recall_id) {
            let wait = nanos_between(r.issued_at, step.event.occurred_at.instant());
            if wait > limit_nanos(known.settings) {
                r.late.push(step.at());
                r.late_gpus += gpus;
                r.longest_wait = r.longest_wait.max(wait);
            }
        }
    }
}

impl Detector for Detect {
    type Found = RecallAwaitingTooLong;

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        match &step.event.body {
            Body::RecallIssued(e) => {
                self.recalls.insert(
                    e.recall_id.clone(),
                    RecallClock {
                        issued: step.at(),
                        issued_at: step.event.occurred_at.instant(),
                        award_id: e.award_id.clone(),
                        late: Vec::new(),
                        late_gpus: 0,
                        longest_wait: i128::MIN,
                    },
                );
            }
            Body::Redistributed(e) => self.cleared(known, &e.recall_id, e.gpus, step),
            Body::RecallReleased(e) => self.cleared(known, &e.recall_id, e.gpus, step),
            _ => {}
        }
    }

    fn finish(self, known: &Known<'_>) -> Vec<RecallAwaitingTooLong> {
        let cat = known.catalog;
        let limit = limit_nanos(known.settings);
        let mut clocks: Vec<(Id, RecallClock)> = self.recalls.into_iter().collect();
        clocks.sort_by_key(|(_, r)| r.issued.seq);
        let mut out = Vec::new();
        for (recall_id, r) in clocks {
            let facts = &cat.recalls[&recall_id];
            let mut late = r.late;
            let (mut late_gpus, mut longest) = (r.late_gpus, r.longest_wait);
            let mut still_awaiting = 0;
            if let Some(end) = &known.evidence.end
                && facts.awaiting > 0
            {
                let wait = nanos_between(r.issued_at, end.occurred_at);
                if wait > limit {
                    late.push(end.at);
                    late_gpus += facts.awaiting;
                    still_awaiting = facts.awaiting;
                    longest = longest.max(wait);
                }
            }
            if late_gpus == 0 {
                continue;
            }
            let award = &cat.awards[&r.award_id];
            late.push(r.issued);
            out.push(RecallAwaitingTooLong {
                pool_id: facts.pool_id.clone(),
                call_id: award.call_id.clone(),
                track_id: award.track_id.clone(),
                gpus: facts.gpus,
                limit_days: known.settings.max_awaiting_days,
                gpus_over_limit: late_gpus,
                still_awaiting,
                longest_wait_seconds: (longest / 1_000_000_000) as i64,
                events: in_seq_order(late),
                recall_id,
                award_id: r.award_id,
            });
        }
        out
    }

    fn summary(x: &RecallAwaitingTooLong, w: &Messages<'_>) -> String {
        w.with(
            "summary-recall_awaiting_too_long",
            &[
                ("recall", x.recall_id.as_str().into()),
                ("award", x.award_id.as_str().into()),
                ("pool", x.pool_id.as_str().into()),
                ("over", x.gpus_over_limit.into()),
                ("gpus", x.gpus.into()),
                ("limit", x.limit_days.into()),
                ("longest", duration_text(x.longest_wait_seconds).into()),
                ("still", x.still_awaiting.into()),
            ],
        )
    }
}
