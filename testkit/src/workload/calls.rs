//! A call every quarter, with four tracks on the pools, closed after four
//! weeks; every fourth call a leased pool grows.

use super::clock::{self, kst_midnight};
use super::plans::{POOLS, TRACKS};
use super::{Action, Call, DAY, HOUR, MINUTE, Simulation, Step, Track, WEEK};
use crate::value;
use gpu_ledger_domain::Id;
use gpu_ledger_domain::call::{CallClosed, CallOpened, TrackSpec};
use std::io::Write;

impl<W: Write> Simulation<W> {
    pub(super) fn open_call(&mut self, at: i64) -> Step {
        let number = self.calls.len() + 1;
        let mut at = at;
        if number > 1 {
            for _ in 0..self.scale.organizations_per_call {
                let pause = self.between(MINUTE..10 * MINUTE);
                at = self.register_organization(at + pause)?;
            }
        }
        if number.is_multiple_of(4) {
            at = self.extend_lease(at + HOUR, number)?;
        }
        let first_track = self.tracks.len();
        for (plan_index, plan) in TRACKS.iter().enumerate() {
            let pool = &self.pools[plan.pool];
            let servers = (u64::from(pool.capacity) * u64::from(plan.share_bp)
                / 10_000
                / u64::from(pool.gpus_per_server))
            .max(1) as u32;
            self.tracks.push(Track {
                plan: plan_index,
                pool: plan.pool,
                gpus: servers * pool.gpus_per_server,
                awarded_total: 0,
                applications: Vec::new(),
            });
        }
        let tracks = first_track..self.tracks.len();
        let opened = self.out.moment(at + HOUR);
        let closes = kst_midnight(opened) + 29 * DAY - 1;
        let opened_call = CallOpened {
            call_id: call_id(number),
            title: value::label(format!(
                "GPU support for AI research and industry, call {number}"
            )),
            closes_at: clock::timestamp(closes),
            tracks: self.tracks[tracks.clone()].iter().map(track_spec).collect(),
            recall_notice_days: None,
            appeal_days: None,
        };
        let opened = self.out.write(opened, "msit", None, opened_call)?;
        let call = self.calls.len();
        self.calls.push(Call {
            tracks,
            closes,
            applications: Vec::new(),
        });
        for _ in 0..self.scale.applications_per_call {
            let when = self.between(opened + HOUR..closes - HOUR);
            self.at(when, Action::Submit { call });
        }
        self.at(closes + 30 * MINUTE, Action::CloseCall { call });
        self.at(opened + 13 * WEEK, Action::OpenCall);
        Ok(())
    }

    pub(super) fn close_call(&mut self, at: i64, call: usize) -> Step {
        let closed = CallClosed {
            call_id: call_id(call + 1),
        };
        let at = self.out.write(at, "msit", None, closed)?;
        self.at(at + 21 * DAY, Action::Decide { call });
        Ok(())
    }
}

pub(super) fn call_id(number: usize) -> Id {
    value::id(format!("CALL-{number:03}"))
}

/// One track of a `CallOpened`: its plan's rules, on the GPUs this call offers.
fn track_spec(track: &Track) -> TrackSpec {
    let plan = &TRACKS[track.plan];
    TrackSpec {
        track_id: value::id(plan.id),
        pool_id: value::id(POOLS[plan.pool].id),
        gpus: track.gpus,
        eligible_sectors: plan.sectors.to_vec(),
        eligible_sizes: plan.sizes.map(<[_]>::to_vec),
        min_reviews: plan.min_reviews,
        regional_bonus: plan.regional_bonus,
        max_org_share_bp: plan.max_org_share_bp,
    }
}
