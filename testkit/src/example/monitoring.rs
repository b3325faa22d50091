//! Chapter 4, March to May 2026: the monitor's weekly utilization reports
//! of every active award, the awards scripted to run into trouble, and the
//! programme office's agenda of responses ([`super::recalls`]).

use super::calendar::{Kst, report_day, week_start};
use super::first_call::FIRST_CALL_TRACKS;
use super::{MONITOR, MONITORED_WEEKS, Story, UNDERUSE_BP};
use crate::value;
use gpu_ledger_domain::organization::Sector;
use gpu_ledger_domain::recall::RecallReason;
use gpu_ledger_domain::utilization::UtilizationReported;
use rand::RngExt;
use rand::seq::IndexedRandom;

/// What befalls a first-call award during its first three months.
#[derive(Debug, Clone, Copy)]
pub(super) enum Trouble {
    /// Reports below half use in `first_low_week` and the week after; half
    /// its servers are recalled two days after the second.
    Idle {
        first_low_week: usize,
        disposal: Disposal,
    },
    /// The report of `week` flags off-purpose (commercial) use; all its
    /// servers are recalled two days later.
    OffPurpose { week: usize, disposal: Disposal },
    /// The project is abandoned: all its servers are recalled.
    Abandoned { on: Kst, disposal: Disposal },
    /// The holder hands the GPUs back early.
    Relinquished { on: Kst },
}

/// Where a recall's GPUs go, a week after the recall.
#[derive(Debug, Clone, Copy)]
pub(super) enum Disposal {
    /// The track's reserve list in rank order, then top-ups, the rest released.
    ReserveListFirst,
    /// Top-ups of partly funded proposals of the track, the rest released.
    TopUps,
    /// Back to the pool's free capacity, for the follow-up call.
    Release,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum RecallShare {
    Half,
    All,
}

/// Something the programme office does on a given day of the monitoring season.
#[derive(Debug, Clone, Copy)]
pub(super) enum Action {
    Recall {
        award: usize,
        reason: RecallReason,
        share: RecallShare,
        disposal: Disposal,
    },
    Dispose {
        recall: usize,
        disposal: Disposal,
    },
    Relinquish {
        award: usize,
    },
}

impl Story {
    /// Picks the awards that run into trouble in the monitoring season and
    /// puts the programme office's responses on its agenda. The script
    /// covers each kind of recall, each way of disposing of recalled GPUs,
    /// and early hand-backs, spread over the three sectors and three months.
    pub(super) fn plan_troubles(&mut self) {
        let script = [
            (
                Sector::Academia,
                Trouble::Idle {
                    first_low_week: 0,
                    disposal: Disposal::ReserveListFirst,
                },
            ),
            (
                Sector::Industry,
                Trouble::OffPurpose {
                    week: 2,
                    disposal: Disposal::ReserveListFirst,
                },
            ),
            (
                Sector::Academia,
                Trouble::Abandoned {
                    on: Kst::on(2026, 4, 1, 11, 0),
                    disposal: Disposal::ReserveListFirst,
                },
            ),
            (
                Sector::Industry,
                Trouble::Idle {
                    first_low_week: 4,
                    disposal: Disposal::TopUps,
                },
            ),
            (
                Sector::Industry,
                Trouble::Relinquished {
                    on: Kst::on(2026, 4, 20, 15, 0),
                },
            ),
            (
                Sector::Research,
                Trouble::Idle {
                    first_low_week: 6,
                    disposal: Disposal::ReserveListFirst,
                },
            ),
            (
                Sector::Academia,
                Trouble::OffPurpose {
                    week: 8,
                    disposal: Disposal::Release,
                },
            ),
            (
                Sector::Academia,
                Trouble::Relinquished {
                    on: Kst::on(2026, 5, 18, 15, 0),
                },
            ),
        ];
        for (sector, trouble) in script {
            // An idle award keeps half its servers, so it needs at least two.
            let min_servers = if matches!(trouble, Trouble::Idle { .. }) {
                2
            } else {
                1
            };
            let candidates: Vec<usize> = (0..self.awards.len())
                .filter(|&a| {
                    let award = &self.awards[a];
                    award.trouble.is_none()
                        && award.held_servers >= min_servers
                        && FIRST_CALL_TRACKS[self.proposals[award.proposal].track].sector == sector
                })
                .collect();
            let award = *candidates
                .choose(&mut self.dice)
                .expect("a candidate award");
            self.awards[award].trouble = Some(trouble);
            self.proposals[self.awards[award].proposal].troubled = true;
            let (on, action) = match trouble {
                Trouble::Idle {
                    first_low_week,
                    disposal,
                } => (
                    report_day(first_low_week + 1).plus_days(2).at_hour(14),
                    Action::Recall {
                        award,
                        reason: RecallReason::Underutilization,
                        share: RecallShare::Half,
                        disposal,
                    },
                ),
                Trouble::OffPurpose { week, disposal } => (
                    report_day(week).plus_days(2).at_hour(11),
                    Action::Recall {
                        award,
                        reason: RecallReason::OffPurposeUse,
                        share: RecallShare::All,
                        disposal,
                    },
                ),
                Trouble::Abandoned { on, disposal } => (
                    on,
                    Action::Recall {
                        award,
                        reason: RecallReason::Withdrawal,
                        share: RecallShare::All,
                        disposal,
                    },
                ),
                Trouble::Relinquished { on } => (on, Action::Relinquish { award }),
            };
            self.agenda.push((on, action));
        }
    }

    /// Week by week: the monitor's reports on Tuesday morning, then whatever
    /// the programme office does before the next reports.
    pub(super) fn monitor_first_awards(&mut self) {
        for week in 0..MONITORED_WEEKS {
            self.report_week(week);
            self.carry_out_agenda_before(report_day(week + 1));
        }
        assert!(
            self.agenda.is_empty(),
            "actions left after the monitoring season: {:?}",
            self.agenda
        );
    }

    pub(super) fn report_week(&mut self, week: usize) {
        let mut at = report_day(week);
        for a in 0..self.awards.len() {
            let award = &self.awards[a];
            if !award.active() || award.first_week > week {
                continue;
            }
            let (utilization_bp, off_purpose_use) = self.utilization(a, week);
            let award = &mut self.awards[a];
            award.last_reports = [award.last_reports[1], utilization_bp];
            let report = UtilizationReported {
                award_id: value::id(award.id.as_str()),
                period_start: week_start(week).timestamp(),
                period_end: week_start(week + 1).timestamp(),
                utilization_bp,
                off_purpose_use,
            };
            if off_purpose_use {
                self.timeline.record_with_note(
                    at,
                    MONITOR,
                    "외부 상용 추론 서비스 트래픽 감지 (과제 목적 외 사용 의심)",
                    report,
                );
            } else {
                self.timeline.record(at, MONITOR, report);
            }
            at = at.plus_seconds(12);
        }
    }

    /// An award's utilization in basis points, and whether it was used off
    /// purpose. The first week of a term is a ramp-up and may be low; an
    /// ordinary week stays at or above half use, so only the scripted idle
    /// awards ever report two low weeks in a row.
    pub(super) fn utilization(&mut self, award: usize, week: usize) -> (u32, bool) {
        let dice = &mut self.dice;
        let award = &self.awards[award];
        match award.trouble {
            Some(Trouble::Idle { first_low_week, .. })
                if week == first_low_week || week == first_low_week + 1 =>
            {
                (dice.random_range(1200..=4600), false)
            }
            Some(Trouble::OffPurpose { week: flagged, .. }) if week == flagged => {
                (dice.random_range(8600..=9800), true)
            }
            _ if week == award.first_week => (dice.random_range(4000..=8000), false),
            _ => {
                let usual = award.usual_bp + dice.random_range(0..=1400);
                (usual.saturating_sub(700).clamp(UNDERUSE_BP, 9900), false)
            }
        }
    }

    /// Carries out, in date order, the agenda items dated before `until`,
    /// including those they add.
    pub(super) fn carry_out_agenda_before(&mut self, until: Kst) {
        loop {
            let next = self
                .agenda
                .iter()
                .enumerate()
                .filter(|(_, (on, _))| *on < until)
                .min_by_key(|(_, (on, _))| *on)
                .map(|(n, _)| n);
            let Some(n) = next else { break };
            let (on, action) = self.agenda.remove(n);
            match action {
                Action::Recall {
                    award,
                    reason,
                    share,
                    disposal,
                } => self.recall(on, award, reason, share, disposal),
                Action::Dispose { recall, disposal } => self.dispose(on, recall, disposal),
                Action::Relinquish { award } => self.relinquish(on, award),
            }
        }
    }
}
