//! `recall_without_evidence`: a recall (reason other than withdrawal) with
//! no evidence recorded before it: neither a report of that award with
//! `off_purpose_use`, nor two reports of that award adjacent in period
//! order both strictly below [`LOW_UTILIZATION_BP`].
//!
//! Decided at the recall, over every report of the award recorded before
//! it, in period order: a report arriving late for an earlier period takes
//! its place among the others, so it can complete a low pair or stand
//! between two. Per active award its reports' periods are kept (memory
//! grows with the reports of active awards), with the count of low pairs
//! kept up to date as each report comes, so a recall costs a lookup.

use super::super::EventRef;
use super::super::integrity::Checked;
use super::super::render::grouped;
use super::evidence::in_seq_order;
use super::{Detector, Known};
use crate::language::Messages;
use gpu_ledger_domain::recall::RecallReason;
use gpu_ledger_domain::{Body, Id, Instant};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound::{Excluded, Unbounded};

/// Utilization strictly below this many basis points counts as underuse.
pub const LOW_UTILIZATION_BP: u32 = 5000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecallWithoutEvidence {
    pub recall_id: Id,
    pub award_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub reason: &'static str,
    pub gpus: u32,
    /// Utilization reports of the award recorded before the recall.
    pub reports_before: u32,
    /// The award's origin and the recall.
    pub events: Vec<EventRef>,
}

#[derive(Debug, Default)]
pub struct Detect {
    /// Per award, what its reports have shown: forgotten once the award
    /// stops being active, as no report or recall can follow.
    awards: HashMap<Id, UseEvidence>,
    found: Vec<RecallWithoutEvidence>,
}

/// Where a report stands in period order: by `period_start`, then
/// `period_end`, then seq (two reports of one period both count).
type PeriodKey = (Instant, Instant, u64);

/// What an award's utilization reports have shown so far.
#[derive(Debug, Default)]
struct UseEvidence {
    reports: u32,
    off_purpose: bool,
    /// Every report in period order, and whether it was low.
    low: BTreeMap<PeriodKey, bool>,
    /// Reports adjacent in period order and both low.
    low_pairs: u32,
}

impl UseEvidence {
    /// Takes in a report of the award, in its place in period order.
    fn report(&mut self, period: (Instant, Instant), bp: u32, off_purpose: bool, seq: u64) {
        self.reports += 1;
        self.off_purpose |= off_purpose;
        let key = (period.0, period.1, seq);
        let low = bp < LOW_UTILIZATION_BP;
        let before = self.low.range(..key).next_back().is_some_and(|(_, l)| *l);
        let after = self
            .low
            .range((Excluded(key), Unbounded))
            .next()
            .is_some_and(|(_, l)| *l);
        if before && after {
            self.low_pairs -= 1;
        }
        if low {
            self.low_pairs += u32::from(before) + u32::from(after);
        }
        self.low.insert(key, low);
    }

    fn found(&self) -> bool {
        self.off_purpose || self.low_pairs > 0
    }
}

impl Detector for Detect {
    type Found = RecallWithoutEvidence;

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        let at = step.at();
        match &step.event.body {
            Body::AwardGranted(e) => {
                self.awards
                    .insert(e.award_id.clone(), UseEvidence::default());
            }
            Body::Redistributed(e) => {
                self.awards
                    .insert(e.award_id.clone(), UseEvidence::default());
            }
            Body::UtilizationReported(e) => {
                if let Some(u) = self.awards.get_mut(&e.award_id) {
                    let period = (e.period_start.instant(), e.period_end.instant());
                    u.report(period, e.utilization_bp, e.off_purpose_use, at.seq);
                }
            }
            Body::RecallIssued(e) => {
                let Some(u) = self.awards.get_mut(&e.award_id) else {
                    return;
                };
                let award = &known.catalog.awards[&e.award_id];
                if e.reason != RecallReason::Withdrawal && !u.found() {
                    self.found.push(RecallWithoutEvidence {
                        recall_id: e.recall_id.clone(),
                        award_id: e.award_id.clone(),
                        org_id: award.org_id.clone(),
                        call_id: award.call_id.clone(),
                        track_id: award.track_id.clone(),
                        reason: e.reason.as_str(),
                        gpus: e.gpus,
                        reports_before: u.reports,
                        events: in_seq_order(vec![known.evidence.awards[&e.award_id].origin, at]),
                    });
                }
                if award.held == e.gpus {
                    self.awards.remove(&e.award_id);
                }
            }
            Body::AwardEnded(e) => {
                self.awards.remove(&e.award_id);
            }
            _ => {}
        }
    }

    fn finish(self, _known: &Known<'_>) -> Vec<RecallWithoutEvidence> {
        self.found
    }

    fn summary(x: &RecallWithoutEvidence, w: &Messages<'_>) -> String {
        w.with(
            "summary-recall_without_evidence",
            &[
                ("recall", x.recall_id.as_str().into()),
                ("gpus", x.gpus.into()),
                ("award", x.award_id.as_str().into()),
                ("org", x.org_id.as_str().into()),
                ("reason", super::super::words::word(w, x.reason).into()),
                ("reports", x.reports_before.into()),
                ("shown", grouped(x.reports_before).into()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_ledger_domain::Timestamp;

    fn week(n: u32) -> (Instant, Instant) {
        let t = |d: u32| {
            Timestamp::parse(&format!("2026-03-{d:02}T00:00:00Z"))
                .unwrap()
                .instant()
        };
        (t(1 + 7 * n), t(8 + 7 * n))
    }

    #[test]
    fn reports_pair_in_period_order_whenever_they_arrive() {
        let mut u = UseEvidence::default();
        u.report(week(2), 4000, false, 1);
        u.report(week(0), 9000, false, 2);
        assert!(!u.found());
        // Late, for the week before the low one: now adjacent to it.
        u.report(week(1), 4999, false, 3);
        assert!(u.found());
        assert_eq!((u.low_pairs, u.reports), (1, 3));
    }

    #[test]
    fn a_late_report_between_two_low_ones_parts_them() {
        let mut u = UseEvidence::default();
        u.report(week(0), 3000, false, 1);
        u.report(week(2), 3000, false, 2);
        assert!(u.found(), "nothing reported between them yet");
        u.report(week(1), 5000, false, 3);
        assert!(!u.found());
        // A second report of week 1, low, comes after the first: it and
        // week 2 are adjacent.
        u.report(week(1), 100, false, 4);
        assert_eq!(u.low_pairs, 1);
        u.report(week(3), 100, false, 5);
        assert_eq!(u.low_pairs, 2);
    }

    #[test]
    fn off_purpose_use_is_evidence_alone() {
        let mut u = UseEvidence::default();
        u.report(week(0), 9000, true, 1);
        assert!(u.found());
    }
}
