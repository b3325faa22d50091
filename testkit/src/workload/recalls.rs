//! Recalls of underused, misused or abandoned awards, and where the
//! recalled GPUs go: the reserve list, top-ups, or back to the pool.

use super::clock::{self, kst_midnight};
use super::{
    Action, DAY, HOUR, MINUTE, Recall, Simulation, Status, Step, Stop, UsageProfile, WEEK,
};
use crate::value;
use gpu_ledger_domain::recall::{RecallIssued, RecallReason, RecallReleased};
use gpu_ledger_domain::redistribution::Redistributed;
use std::io::Write;

impl<W: Write> Simulation<W> {
    pub(super) fn recall(&mut self, at: i64, award: usize, reason: RecallReason) -> Step {
        self.awards[award].recall_due = false;
        let aw = &self.awards[award];
        if !aw.active() || self.out.moment(at) >= aw.ends {
            return Ok(());
        }
        let app = aw.app;
        let (track, org) = (self.apps[app].track, self.apps[app].org);
        let pool = self.tracks[track].pool;
        let gps = self.pools[pool].gpus_per_server;
        let gpus = match reason {
            RecallReason::Underutilization => (aw.held / 2 / gps * gps).max(gps),
            RecallReason::OffPurposeUse | RecallReason::Withdrawal | RecallReason::Other => aw.held,
        };
        let id = value::id(format!("RC-{:06}", self.recalls.len() + 1));
        let note = self.note(200);
        let issued = RecallIssued {
            recall_id: id.clone(),
            award_id: self.awards[award].id.clone(),
            gpus,
            reason,
            notice_id: None,
        };
        let at = self.out.write(at, "msit", note, issued)?;
        self.awards[award].held -= gpus;
        self.apps[app].held -= gpus;
        *self.org_held.get_mut(&(track, org)).expect("held GPUs") -= gpus;
        let p = &mut self.pools[pool];
        p.held -= gpus;
        p.awaiting += gpus;
        let recall = self.recalls.len();
        self.recalls.push(Recall {
            id,
            award,
            pool,
            awaiting: gpus,
        });
        match reason {
            RecallReason::Underutilization => {
                // Half of the warned projects pick up.
                if self.chance(500) {
                    self.awards[award].profile = UsageProfile::Good;
                }
            }
            RecallReason::OffPurposeUse => self.apps[app].barred = true,
            RecallReason::Withdrawal => {
                let when = at + self.between(MINUTE..2 * HOUR);
                self.withdraw(when, app, "the organization ended the project")?;
            }
            RecallReason::Other => {}
        }
        let when = at + self.between(5 * DAY..20 * DAY);
        self.at(when, Action::Redistribute { recall });
        Ok(())
    }

    /// Recalled GPUs go, best first, to the pool's reserve list or as top-ups
    /// of partly funded awards; what nobody can take returns to the pool.
    pub(super) fn redistribute(&mut self, at: i64, recall: usize) -> Step {
        let pool = self.recalls[recall].pool;
        let gps = self.pools[pool].gpus_per_server;
        let recalled_from = self.awards[self.recalls[recall].award].app;
        let mut at = at;
        let mut served_some = false;
        if self.chance(850) {
            let mut keep = Vec::new();
            while self.recalls[recall].awaiting >= gps {
                let Some(candidate) = self.candidates[pool].pop() else {
                    break;
                };
                let app = candidate.app;
                let a = &self.apps[app];
                let eligible = !a.barred
                    && (a.status == Status::Awarded || (a.status == Status::Pending && a.reserve));
                if !eligible {
                    continue;
                }
                if app == recalled_from {
                    keep.push(candidate);
                    continue;
                }
                let gpus = self.room(app).min(self.recalls[recall].awaiting) / gps * gps;
                if gpus == 0 {
                    continue;
                }
                let when = at + self.between(MINUTE..HOUR);
                at = self.redistribute_to(when, recall, app, gpus)?;
                served_some = true;
                if self.room(app) > 0 {
                    keep.push(self.candidate(app));
                }
                if self.chance(300) {
                    break;
                }
            }
            self.candidates[pool].extend(keep);
        }
        let left = self.recalls[recall].awaiting;
        if left > 0 {
            let reason = if served_some {
                "the rest returns to the pool for the next call"
            } else {
                "no eligible applicant on the pool"
            };
            let when = at + self.between(MINUTE..HOUR);
            let released = RecallReleased {
                recall_id: self.recalls[recall].id.clone(),
                gpus: left,
                reason: value::label(reason),
            };
            self.out.write(when, "msit", None, released)?;
            self.recalls[recall].awaiting = 0;
            self.pools[pool].awaiting -= left;
        }
        Ok(())
    }

    pub(super) fn redistribute_to(
        &mut self,
        at: i64,
        recall: usize,
        app: usize,
        gpus: u32,
    ) -> Result<i64, Stop> {
        let moved = self.out.moment(at);
        let starts = kst_midnight(moved) + 3 * DAY;
        let original_end = self.awards[self.recalls[recall].award].ends;
        let ends = if original_end > starts + 28 * DAY {
            original_end
        } else {
            starts + 13 * WEEK - 1
        };
        self.redistributions += 1;
        let award_id = value::id(format!("AW-{:07}", self.awards.len() + 1));
        let note = self.note(100);
        let redistributed = Redistributed {
            redistribution_id: value::id(format!("RD-{:06}", self.redistributions)),
            recall_id: self.recalls[recall].id.clone(),
            award_id: award_id.clone(),
            application_id: self.apps[app].id.clone(),
            gpus,
            starts_at: clock::timestamp(starts),
            ends_at: clock::timestamp(ends),
        };
        let at = self.out.write(moved, "msit", note, redistributed)?;
        self.recalls[recall].awaiting -= gpus;
        self.pools[self.recalls[recall].pool].awaiting -= gpus;
        self.start_award(award_id, app, gpus, starts, ends);
        Ok(at)
    }
}
