//! `recall_without_evidence`: a recall (reason other than withdrawal) with
//! no evidence recorded before it: neither a report of that award with
//! `off_purpose_use`, nor two reports of that award adjacent in period
//! order both strictly below [`LOW_UTILIZATION_BP`].
//!
//! Decided at the recall. Per award, only what its reports have shown so
//! far is kept, with the latest report in period order (see the module
//! docs of `audit` on adjacency).

use super::super::EventRef;
use super::super::integrity::Checked;
use super::evidence::in_seq_order;
use super::{Detector, Known};
use gpu_ledger_domain::recall::RecallReason;
use gpu_ledger_domain::{Body, Id, Instant};
use serde::Serialize;
use std::collections::HashMap;

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

/// What an award's utilization reports have shown so far.
#[derive(Debug, Default)]
struct UseEvidence {
    reports: u32,
    off_purpose: Option<EventRef>,
    low_pair: Option<[EventRef; 2]>,
    latest: Option<LatestReport>,
}

/// The report latest in period order.
#[derive(Debug)]
struct LatestReport {
    period: (Instant, Instant),
    low: bool,
    at: EventRef,
}

impl UseEvidence {
    /// Takes in a report of the award. A report for a later period than any
    /// before is adjacent to the latest one; a late report for an earlier
    /// period is not paired.
    fn report(&mut self, period: (Instant, Instant), bp: u32, off_purpose: bool, at: EventRef) {
        self.reports += 1;
        if off_purpose && self.off_purpose.is_none() {
            self.off_purpose = Some(at);
        }
        let low = bp < LOW_UTILIZATION_BP;
        if let Some(latest) = &self.latest {
            if period < latest.period {
                return;
            }
            if low && latest.low && self.low_pair.is_none() {
                self.low_pair = Some([latest.at, at]);
            }
        }
        self.latest = Some(LatestReport { period, low, at });
    }

    fn found(&self) -> bool {
        self.off_purpose.is_some() || self.low_pair.is_some()
    }
}

impl Detector for Detect {
    type Found = RecallWithoutEvidence;

    const EXPLANATION: &'static str = "A recall (reason other than withdrawal) with no evidence recorded before it: neither \
         a utilization report of that award with off_purpose_use, nor two reports of that \
         award adjacent in period order both strictly below 5000 bp.";

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
                    u.report(period, e.utilization_bp, e.off_purpose_use, at);
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
                    *u = UseEvidence::default();
                }
            }
            Body::AwardEnded(e) => {
                if let Some(u) = self.awards.get_mut(&e.award_id) {
                    *u = UseEvidence::default();
                }
            }
            _ => {}
        }
    }

    fn finish(self, _known: &Known<'_>) -> Vec<RecallWithoutEvidence> {
        self.found
    }

    fn summary(x: &RecallWithoutEvidence) -> String {
        format!(
            "Recall {} took {} GPUs from award {} ({}), reason {}, with no evidence before it ({} utilization report(s) of the award before it).",
            x.recall_id, x.gpus, x.award_id, x.org_id, x.reason, x.reports_before
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_ledger_domain::Timestamp;
    use gpu_ledger_ledger::Hash;

    #[test]
    fn adjacency_follows_period_order_and_ignores_late_reports() {
        let t = |d: u32| Timestamp::parse(&format!("2026-03-{d:02}T00:00:00Z")).unwrap();
        let r = |seq| EventRef {
            seq,
            hash: Hash::ZERO,
        };
        let mut u = UseEvidence::default();
        u.report((t(8).instant(), t(15).instant()), 4000, false, r(1));
        u.report((t(1).instant(), t(8).instant()), 3000, false, r(2)); // late: not paired
        assert!(!u.found());
        u.report((t(15).instant(), t(22).instant()), 6000, false, r(3));
        u.report((t(22).instant(), t(29).instant()), 4999, false, r(4));
        assert!(!u.found());
        u.report((t(29).instant(), t(31).instant()), 100, false, r(5));
        assert_eq!(u.low_pair, Some([r(4), r(5)]));
        assert_eq!(u.reports, 5);
    }
}
