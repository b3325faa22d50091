//! Selection, three weeks after a call closes: by mean score plus regional
//! bonus within each track's GPUs, the pool's free GPUs and the share cap;
//! the best of the unfunded wait on a reserve list, the rest are rejected.

use super::clock::{self, kst_midnight};
use super::plans::TRACKS;
use super::{Action, DAY, Region, Simulation, Status, Step, Stop, WEEK};
use crate::value;
use gpu_ledger_domain::application::ApplicationRejected;
use gpu_ledger_domain::award::AwardGranted;
use rand::RngExt;
use std::cmp::{Ordering, Reverse};
use std::io::Write;

/// An application that could receive recalled GPUs of its pool: reserve-list
/// applications first, then top-ups of partly funded awards, best score first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Candidate {
    reserve: bool,
    /// Mean score plus regional bonus, in thousandths of a point.
    merit: u64,
    pub(super) app: usize,
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    /// Greater is served first (a max-heap).
    fn cmp(&self, other: &Self) -> Ordering {
        (self.reserve, self.merit, Reverse(self.app)).cmp(&(
            other.reserve,
            other.merit,
            Reverse(other.app),
        ))
    }
}

impl<W: Write> Simulation<W> {
    /// Mean score plus the track's regional bonus, in thousandths of a point.
    pub(super) fn merit(&self, app: usize) -> u64 {
        let a = &self.apps[app];
        let plan = &TRACKS[self.tracks[a.track].plan];
        let bonus = match self.orgs[a.org].region {
            Region::NonCapital => plan.regional_bonus.unwrap_or(0),
            Region::Capital => 0,
        };
        u64::from(a.score_sum) * 1000 / u64::from(a.reviews.max(1)) + u64::from(bonus) * 1000
    }

    /// GPUs the organization may still hold on a track under the share cap.
    pub(super) fn cap_room(&self, track: usize, org: usize) -> u32 {
        let t = &self.tracks[track];
        let cap_bp = TRACKS[t.plan].max_org_share_bp.unwrap_or(10_000);
        let cap = (u64::from(cap_bp) * u64::from(t.gpus) / 10_000) as u32;
        cap.saturating_sub(self.org_held.get(&(track, org)).copied().unwrap_or(0))
    }

    /// GPUs an application may still receive by redistribution: its request
    /// less what it holds, within the share cap, in whole servers.
    pub(super) fn room(&self, app: usize) -> u32 {
        let a = &self.apps[app];
        let gps = self.pools[self.tracks[a.track].pool].gpus_per_server;
        let room = (a.requested - a.held).min(self.cap_room(a.track, a.org));
        room / gps * gps
    }

    pub(super) fn decide(&mut self, at: i64, call: usize) -> Step {
        let mut at = at;
        for track in self.calls[call].tracks.clone() {
            let pool = self.tracks[track].pool;
            let gps = self.pools[pool].gpus_per_server;
            let min_reviews = TRACKS[self.tracks[track].plan].min_reviews();
            let pending: Vec<usize> = self.tracks[track]
                .applications
                .iter()
                .copied()
                .filter(|&a| self.apps[a].status == Status::Pending)
                .collect();
            let (mut ranked, incomplete): (Vec<usize>, Vec<usize>) = pending
                .into_iter()
                .partition(|&a| self.apps[a].reviews >= min_reviews);
            ranked.sort_by_key(|&a| (Reverse(self.merit(a)), a));
            let mut unfunded = Vec::new();
            for app in ranked {
                at += self.between(2..20);
                if self.merit(app) < 55_000 {
                    at = self.reject(at, app, "mean score below the threshold of 55")?;
                    continue;
                }
                let a = &self.apps[app];
                let asked = if self.dice.random_range(0..10) < 7 {
                    a.requested
                } else {
                    (a.requested / 2 / gps * gps).max(gps)
                };
                let t = &self.tracks[track];
                let gpus = asked
                    .min(t.gpus - t.awarded_total)
                    .min(self.pools[pool].free())
                    .min(self.cap_room(track, a.org))
                    / gps
                    * gps;
                if gpus == 0 {
                    unfunded.push(app);
                    continue;
                }
                at = self.grant(at, app, gpus)?;
            }
            // The best of the unfunded wait on a reserve list for recalled GPUs.
            let reserve = (unfunded.len() / 8).max(2).min(unfunded.len());
            for &app in &unfunded[..reserve] {
                self.apps[app].reserve = true;
                let candidate = self.candidate(app);
                self.candidates[pool].push(candidate);
            }
            for &app in &unfunded[reserve..] {
                at += self.between(2..20);
                at = self.reject(at, app, "below the funding line")?;
            }
            for app in incomplete {
                at += self.between(2..20);
                at = self.reject(at, app, "review incomplete")?;
            }
        }
        self.at(at + 150 * DAY, Action::ExpireReserve { call });
        Ok(())
    }

    pub(super) fn candidate(&self, app: usize) -> Candidate {
        Candidate {
            reserve: self.apps[app].status == Status::Pending,
            merit: self.merit(app),
            app,
        }
    }

    pub(super) fn reject(&mut self, at: i64, app: usize, reason: &str) -> Result<i64, Stop> {
        let note = self.note(10);
        let rejected = ApplicationRejected {
            application_id: self.apps[app].id.clone(),
            reason: value::label(reason),
        };
        let at = self.out.write(at, "msit", note, rejected)?;
        self.apps[app].status = Status::Rejected;
        Ok(at)
    }

    pub(super) fn grant(&mut self, at: i64, app: usize, gpus: u32) -> Result<i64, Stop> {
        let granted = self.out.moment(at);
        let starts = kst_midnight(granted) + 10 * DAY;
        let weeks = self.pick(&[26, 39, 39, 52]);
        let ends = starts + weeks * WEEK - 1;
        let id = value::id(format!("AW-{:07}", self.awards.len() + 1));
        let note = self.note(10);
        let award = AwardGranted {
            award_id: id.clone(),
            application_id: self.apps[app].id.clone(),
            gpus,
            starts_at: clock::timestamp(starts),
            ends_at: clock::timestamp(ends),
        };
        let at = self.out.write(granted, "msit", note, award)?;
        let track = self.apps[app].track;
        self.tracks[track].awarded_total += gpus;
        self.start_award(id, app, gpus, starts, ends);
        // Partly funded: it may get recalled GPUs on top later.
        if self.room(app) > 0 {
            let pool = self.tracks[track].pool;
            let candidate = self.candidate(app);
            self.candidates[pool].push(candidate);
        }
        Ok(at)
    }

    pub(super) fn expire_reserve(&mut self, at: i64, call: usize) -> Step {
        let mut at = at;
        for i in 0..self.calls[call].applications.len() {
            let app = self.calls[call].applications[i];
            if self.apps[app].status == Status::Pending {
                at += self.between(2..20);
                at = self.reject(at, app, "reserve list expired")?;
            }
        }
        Ok(())
    }
}
