//! `utilization`: which active awards are not being used.
//!
//! Per active award: its last reported utilization, how many periods were
//! reported, how many of the latest periods (in period order) were below a
//! threshold, and whether any report flagged off-purpose use. An award is a
//! recall candidate when that run reaches the set number of periods, or when
//! off-purpose use was reported. Only the last [`Thresholds::MAX_PERIODS`]
//! reports of each award are kept, so memory does not grow with reports.

use crate::catalog::Catalog;
use crate::table::{Cell, Table, yes_no};
use gpu_ledger_domain::{Body, Event, Id, Instant};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// When an award counts as underused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A period is "below" when its utilization is strictly under this (bp).
    pub threshold_bp: u32,
    /// This many consecutive periods below make a recall candidate.
    pub periods: u32,
}

impl Thresholds {
    pub const MAX_PERIODS: u32 = 16;
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            threshold_bp: 5000,
            periods: 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Report {
    period_start: Instant,
    period_end: Instant,
    utilization_bp: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct AwardUse {
    reports: u64,
    off_purpose: bool,
    /// The latest reports, oldest first, at most `MAX_PERIODS`.
    recent: VecDeque<Report>,
    last: Option<(u32, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Utilization {
    awards: BTreeMap<Id, AwardUse>,
}

impl Utilization {
    pub fn apply(&mut self, cat: &Catalog, event: &Event) {
        match &event.body {
            Body::UtilizationReported(e) => {
                let u = self.awards.entry(e.award_id.clone()).or_default();
                u.reports += 1;
                u.off_purpose |= e.off_purpose_use;
                if u.recent.len() == Thresholds::MAX_PERIODS as usize {
                    u.recent.pop_front();
                }
                u.recent.push_back(Report {
                    period_start: e.period_start.instant(),
                    period_end: e.period_end.instant(),
                    utilization_bp: e.utilization_bp,
                });
                u.last = Some((e.utilization_bp, e.period_end.to_string()));
            }
            // An award that stops being active leaves the view.
            Body::RecallIssued(e) if cat.awards[&e.award_id].held == e.gpus => {
                self.awards.remove(&e.award_id);
            }
            Body::AwardEnded(e) => {
                self.awards.remove(&e.award_id);
            }
            _ => {}
        }
    }

    pub fn view(&self, cat: &Catalog, th: Thresholds) -> UtilizationView {
        let periods = th.periods.clamp(1, Thresholds::MAX_PERIODS);
        let mut awards: Vec<AwardUtilization> = cat
            .awards
            .iter()
            .filter(|(_, a)| a.active())
            .map(|(id, a)| {
                let u = self.awards.get(id);
                let below = u.map_or(0, |u| consecutive_below(&u.recent, th.threshold_bp));
                AwardUtilization {
                    award_id: id.clone(),
                    application_id: a.application_id.clone(),
                    org_id: a.org_id.clone(),
                    call_id: a.call_id.clone(),
                    track_id: a.track_id.clone(),
                    pool_id: a.pool_id.clone(),
                    held_gpus: a.held,
                    periods_reported: u.map_or(0, |u| u.reports),
                    last_utilization_bp: u.and_then(|u| u.last.as_ref().map(|l| l.0)),
                    last_period_end: u.and_then(|u| u.last.as_ref().map(|l| l.1.clone())),
                    consecutive_below: below,
                    off_purpose: u.is_some_and(|u| u.off_purpose),
                }
            })
            .collect();
        awards.sort_by(|a, b| a.award_id.cmp(&b.award_id));
        let recall_candidates = awards
            .iter()
            .filter_map(|a| {
                let reason = if a.off_purpose {
                    "off_purpose_use"
                } else if a.consecutive_below >= periods {
                    "underutilization"
                } else {
                    return None;
                };
                Some(RecallCandidate {
                    award_id: a.award_id.clone(),
                    org_id: a.org_id.clone(),
                    held_gpus: a.held_gpus,
                    reason,
                    consecutive_below: a.consecutive_below,
                    last_utilization_bp: a.last_utilization_bp,
                })
            })
            .collect();
        UtilizationView {
            threshold_bp: th.threshold_bp,
            periods,
            awards,
            recall_candidates,
        }
    }
}

/// How many of the latest periods, in period order, were below `threshold_bp`.
fn consecutive_below(recent: &VecDeque<Report>, threshold_bp: u32) -> u32 {
    let mut by_period: Vec<&Report> = recent.iter().collect();
    by_period.sort_by_key(|r| (r.period_start, r.period_end));
    by_period
        .iter()
        .rev()
        .take_while(|r| r.utilization_bp < threshold_bp)
        .count() as u32
}

#[derive(Debug, Serialize)]
pub struct UtilizationView {
    pub threshold_bp: u32,
    pub periods: u32,
    pub awards: Vec<AwardUtilization>,
    pub recall_candidates: Vec<RecallCandidate>,
}

#[derive(Debug, Serialize)]
pub struct AwardUtilization {
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub pool_id: Id,
    pub held_gpus: u32,
    pub periods_reported: u64,
    pub last_utilization_bp: Option<u32>,
    pub last_period_end: Option<String>,
    pub consecutive_below: u32,
    pub off_purpose: bool,
}

#[derive(Debug, Serialize)]
pub struct RecallCandidate {
    pub award_id: Id,
    pub org_id: Id,
    pub held_gpus: u32,
    pub reason: &'static str,
    pub consecutive_below: u32,
    pub last_utilization_bp: Option<u32>,
}

impl UtilizationView {
    pub fn tables(&self) -> Vec<Table> {
        let awards = Table::of(
            "awards",
            format!(
                "Active awards (below = under {}.{:02}% utilization)",
                self.threshold_bp / 100,
                self.threshold_bp % 100
            ),
            &self.awards,
            &[
                ("award_id", |a| a.award_id.to_string().into()),
                ("org_id", |a| a.org_id.to_string().into()),
                ("call_id", |a| a.call_id.to_string().into()),
                ("track_id", |a| a.track_id.to_string().into()),
                ("held_gpus", |a| a.held_gpus.into()),
                ("periods_reported", |a| a.periods_reported.into()),
                ("last_utilization_bp", |a| {
                    a.last_utilization_bp.map(|b| Cell::Bp(b.into())).into()
                }),
                ("last_period_end", |a| a.last_period_end.clone().into()),
                ("consecutive_below", |a| a.consecutive_below.into()),
                ("off_purpose", |a| yes_no(a.off_purpose)),
            ],
        );
        let mut candidates = Table::new(
            "recall_candidates",
            format!(
                "Recall candidates ({} consecutive periods below, or off-purpose use)",
                self.periods
            ),
            vec![
                "award_id",
                "org_id",
                "held_gpus",
                "reason",
                "consecutive_below",
                "last_utilization_bp",
            ],
        );
        for c in &self.recall_candidates {
            candidates.row(vec![
                c.award_id.to_string().into(),
                c.org_id.to_string().into(),
                c.held_gpus.into(),
                c.reason.into(),
                c.consecutive_below.into(),
                c.last_utilization_bp
                    .map(|b| Cell::Bp(b.into()))
                    .unwrap_or(Cell::Empty),
            ]);
        }
        vec![awards, candidates]
    }
}
