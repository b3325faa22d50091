//! An award's life: its term planned when it starts, a utilization report
//! every week, the office acting on what monitoring reports, and its end.

use super::clock;
use super::{Action, Award, DAY, HOUR, Simulation, Status, Step, UsageProfile, WEEK};
use gpu_ledger_domain::Id;
use gpu_ledger_domain::award::{AwardEnded, EndReason};
use gpu_ledger_domain::recall::RecallReason;
use gpu_ledger_domain::utilization::UtilizationReported;
use rand::RngExt;
use std::io::Write;

impl<W: Write> Simulation<W> {
    /// What `AwardGranted` and `Redistributed` share: the GPUs move to the
    /// application, and the award's weekly reports and end are planned.
    pub(super) fn start_award(&mut self, id: Id, app: usize, gpus: u32, starts: i64, ends: i64) {
        let a = &mut self.apps[app];
        a.status = Status::Awarded;
        a.reserve = false;
        a.held += gpus;
        let (track, org) = (a.track, a.org);
        self.pools[self.tracks[track].pool].held += gpus;
        *self.org_held.entry((track, org)).or_insert(0) += gpus;
        let profile = match self.dice.random_range(0..100) {
            0..80 => UsageProfile::Good,
            80..95 => UsageProfile::Weak,
            _ => UsageProfile::Idle,
        };
        let rogue = self.chance(15);
        let award = self.awards.len();
        self.awards.push(Award {
            id,
            app,
            held: gpus,
            ended: false,
            starts,
            ends,
            profile,
            rogue,
            low_weeks: 0,
            recall_due: false,
        });
        let first_report = (starts + WEEK).min(ends) + self.between(HOUR..2 * DAY);
        self.at(first_report, Action::Report { award, week: 0 });
        let end = ends + self.between(DAY..5 * DAY);
        self.at(
            end,
            Action::End {
                award,
                reason: EndReason::TermCompleted,
            },
        );
        if ends - starts > 13 * WEEK {
            let early = self.between(starts + 30 * DAY..ends - 30 * DAY);
            match self.dice.random_range(0..100) {
                0..2 => self.at(
                    early,
                    Action::End {
                        award,
                        reason: EndReason::Relinquished,
                    },
                ),
                2..3 => self.at(
                    early,
                    Action::Recall {
                        award,
                        reason: RecallReason::Withdrawal,
                    },
                ),
                _ => {}
            }
        }
    }

    pub(super) fn report(&mut self, at: i64, award: usize, week: u32) -> Step {
        if !self.awards[award].active() {
            return Ok(());
        }
        let aw = &self.awards[award];
        let period_start = aw.starts + i64::from(week) * WEEK;
        let period_end = (period_start + WEEK).min(aw.ends);
        let (profile, rogue, ends) = (aw.profile, aw.rogue, aw.ends);
        let utilization = match profile {
            UsageProfile::Good => self.around(7800, 3600).clamp(3000, 10_000),
            UsageProfile::Weak => self.around(3500, 4500).clamp(0, 10_000),
            UsageProfile::Idle => self.around(800, 1800).clamp(0, 3000),
        } as u32;
        let off_purpose = rogue && self.chance(300);
        let note = self.note(2);
        let report = UtilizationReported {
            award_id: self.awards[award].id.clone(),
            period_start: clock::timestamp(period_start),
            period_end: clock::timestamp(period_end),
            utilization_bp: utilization,
            off_purpose_use: off_purpose,
        };
        let reported = self.out.write(at, "monitor", note, report)?;

        // The office acts on what monitoring reports: misuse is recalled at
        // once, three weak weeks in a row lose half the GPUs.
        let aw = &mut self.awards[award];
        if !aw.recall_due {
            if off_purpose {
                aw.recall_due = true;
                let when = reported + self.between(2 * DAY..6 * DAY);
                self.at(
                    when,
                    Action::Recall {
                        award,
                        reason: RecallReason::OffPurposeUse,
                    },
                );
            } else if utilization < 3000 {
                aw.low_weeks += 1;
                if aw.low_weeks >= 3 {
                    aw.low_weeks = 0;
                    aw.recall_due = true;
                    let when = reported + self.between(3 * DAY..10 * DAY);
                    self.at(
                        when,
                        Action::Recall {
                            award,
                            reason: RecallReason::Underutilization,
                        },
                    );
                }
            } else {
                aw.low_weeks = 0;
            }
        }
        if period_end < ends {
            let when = (period_end + WEEK).min(ends) + self.between(HOUR..2 * DAY);
            self.at(
                when,
                Action::Report {
                    award,
                    week: week + 1,
                },
            );
        }
        Ok(())
    }

    pub(super) fn end(&mut self, at: i64, award: usize, reason: EndReason) -> Step {
        let aw = &self.awards[award];
        if !aw.active() {
            return Ok(());
        }
        let actor = match reason {
            EndReason::TermCompleted => "msit".to_owned(),
            EndReason::Relinquished => format!("org:{}", self.orgs[self.apps[aw.app].org].id),
        };
        let ended = AwardEnded {
            award_id: aw.id.clone(),
            reason,
        };
        self.out.write(at, &actor, None, ended)?;
        let aw = &mut self.awards[award];
        let held = aw.held;
        aw.held = 0;
        aw.ended = true;
        let app = aw.app;
        self.apps[app].held -= held;
        let (track, org) = (self.apps[app].track, self.apps[app].org);
        *self.org_held.get_mut(&(track, org)).expect("held GPUs") -= held;
        self.pools[self.tracks[track].pool].held -= held;
        Ok(())
    }
}
