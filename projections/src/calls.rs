//! `calls`: the selection statistics the ministry publishes, per call, per
//! track and per sector: applications, requested GPUs and servers, selected
//! applications, awarded GPUs and servers, and the selection ratio.
//!
//! "Selected" and "awarded" count `AwardGranted`, the selection decision;
//! GPUs that reach applications later through redistribution are shown apart
//! (`redistributed_gpus`), so the published figures stay what was decided.
//! Supplements (v2) add to the awarded GPUs, as they add to a track's
//! awarded total in the rules, and are also shown on their own
//! (`supplemented_gpus`). Appeals (v2) are counted where the appealed
//! application was submitted.
//!
//! A v2 figure is written only when it is not zero, so that a v1 history
//! gives the v1 JSON byte for byte; the state keeps every counter (the
//! server's snapshots are not self-describing).

use crate::catalog::{AppealStage, Catalog};
use crate::table::{Cell, Table, bp};
use gpu_ledger_domain::application::Status;
use gpu_ledger_domain::organization::Sector;
use gpu_ledger_domain::{Body, Event, Id};
use serde::Serialize;
use std::collections::BTreeMap;

/// Figures of one call, track or sector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub applications: u64,
    pub requested_gpus: u64,
    pub requested_servers: u64,
    pub selected: u64,
    pub awarded_gpus: u64,
    pub awarded_servers: u64,
    /// awarded / requested GPUs, in basis points (rounded down).
    pub selection_ratio_bp: u64,
    pub redistributed_gpus: u64,
    pub pending: u64,
    pub rejected: u64,
    pub withdrawn: u64,
    /// v2: the part of `awarded_gpus` that came by supplements.
    #[serde(skip_serializing_if = "is_zero")]
    pub supplemented_gpus: u64,
    /// v2: appeals of the applications' rejections.
    #[serde(skip_serializing_if = "Appeals::is_none")]
    pub appeals: Appeals,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Appeals filed, and how they stand: `filed` is `upheld + dismissed +
/// open` plus those closed by the application's withdrawal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Appeals {
    pub filed: u64,
    pub upheld: u64,
    pub dismissed: u64,
    pub open: u64,
}

impl Appeals {
    fn is_none(&self) -> bool {
        self.filed == 0
    }
}

/// What [`Stats`] are counted in: every figure but the ratio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Tally {
    applications: u64,
    requested_gpus: u64,
    requested_servers: u64,
    selected: u64,
    awarded_gpus: u64,
    awarded_servers: u64,
    redistributed_gpus: u64,
    pending: u64,
    rejected: u64,
    withdrawn: u64,
    supplemented_gpus: u64,
    appeals: Appeals,
}

impl Tally {
    /// The count of applications in status `s`; awarded ones are counted
    /// by `selected` and `redistributed_gpus` instead.
    fn status(&mut self, s: Status) -> Option<&mut u64> {
        match s {
            Status::Pending => Some(&mut self.pending),
            Status::Rejected => Some(&mut self.rejected),
            Status::Withdrawn => Some(&mut self.withdrawn),
            Status::Awarded => None,
        }
    }

    fn finish(self) -> Stats {
        Stats {
            applications: self.applications,
            requested_gpus: self.requested_gpus,
            requested_servers: self.requested_servers,
            selected: self.selected,
            awarded_gpus: self.awarded_gpus,
            awarded_servers: self.awarded_servers,
            selection_ratio_bp: bp(self.awarded_gpus, self.requested_gpus),
            redistributed_gpus: self.redistributed_gpus,
            pending: self.pending,
            rejected: self.rejected,
            withdrawn: self.withdrawn,
            supplemented_gpus: self.supplemented_gpus,
            appeals: self.appeals,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct CallStats {
    total: Tally,
    tracks: BTreeMap<Id, Tally>,
    sectors: BTreeMap<Sector, Tally>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calls {
    calls: BTreeMap<Id, CallStats>,
}

impl Calls {
    pub fn apply(&mut self, cat: &Catalog, event: &Event) {
        match &event.body {
            Body::CallOpened(e) => {
                self.calls.insert(e.call_id.clone(), CallStats::default());
            }
            Body::ApplicationSubmitted(e) => {
                let gps =
                    u64::from(cat.gpus_per_server(&cat.track(&e.call_id, &e.track_id).pool_id));
                let sector = cat.org(&e.org_id).sector;
                let gpus = u64::from(e.requested_gpus);
                self.each(&e.call_id, &e.track_id, sector, |s| {
                    s.applications += 1;
                    s.requested_gpus += gpus;
                    s.requested_servers += gpus / gps;
                    s.pending += 1;
                });
            }
            Body::AwardGranted(e) => {
                let a = &cat.apps[&e.application_id];
                let gps =
                    u64::from(cat.gpus_per_server(&cat.track(&a.call_id, &a.track_id).pool_id));
                let gpus = u64::from(e.gpus);
                self.each(&a.call_id, &a.track_id, cat.org(&a.org_id).sector, |s| {
                    s.selected += 1;
                    s.awarded_gpus += gpus;
                    s.awarded_servers += gpus / gps;
                    s.pending -= 1;
                });
            }
            Body::Redistributed(e) => {
                let a = &cat.apps[&e.application_id];
                let was_pending = a.status == Status::Pending;
                let gpus = u64::from(e.gpus);
                self.each(&a.call_id, &a.track_id, cat.org(&a.org_id).sector, |s| {
                    s.redistributed_gpus += gpus;
                    if was_pending {
                        s.pending -= 1;
                    }
                });
            }
            Body::AwardSupplemented(e) => {
                let a = &cat.awards[&e.award_id];
                let gps = u64::from(cat.gpus_per_server(&a.pool_id));
                let gpus = u64::from(e.gpus);
                let sector = cat.org(&a.org_id).sector;
                self.each(&a.call_id, &a.track_id, sector, |s| {
                    s.awarded_gpus += gpus;
                    s.awarded_servers += gpus / gps;
                    s.supplemented_gpus += gpus;
                });
            }
            Body::AppealFiled(e) => self.of_application(cat, &e.application_id, |s| {
                s.appeals.filed += 1;
                s.appeals.open += 1;
            }),
            Body::AppealDecided(e) => {
                let Some(app) = cat.appeals.get(&e.appeal_id) else {
                    return;
                };
                if e.upheld {
                    self.moved(cat, app, Status::Pending);
                }
                self.of_application(cat, app, |s| {
                    s.appeals.open -= 1;
                    if e.upheld {
                        s.appeals.upheld += 1;
                    } else {
                        s.appeals.dismissed += 1;
                    }
                });
            }
            Body::ApplicationRejected(e) => self.moved(cat, &e.application_id, Status::Rejected),
            Body::ApplicationWithdrawn(e) => {
                self.moved(cat, &e.application_id, Status::Withdrawn);
                let appeal = cat.apps[&e.application_id].appeal.as_ref();
                if appeal.is_some_and(|p| p.stage == AppealStage::Open) {
                    self.of_application(cat, &e.application_id, |s| s.appeals.open -= 1);
                }
            }
            _ => {}
        }
    }

    /// Applies `f` to the figures an application counts in.
    fn of_application(&mut self, cat: &Catalog, app: &Id, f: impl Fn(&mut Tally)) {
        let a = &cat.apps[app];
        self.each(&a.call_id, &a.track_id, cat.org(&a.org_id).sector, f);
    }

    fn moved(&mut self, cat: &Catalog, app: &Id, to: Status) {
        let from = cat.apps[app].status;
        self.of_application(cat, app, |s| {
            if let Some(n) = s.status(from) {
                *n -= 1;
            }
            if let Some(n) = s.status(to) {
                *n += 1;
            }
        });
    }

    fn each(&mut self, call: &Id, track: &Id, sector: Sector, f: impl Fn(&mut Tally)) {
        let c = self
            .calls
            .get_mut(call)
            .expect("accepted events name opened calls");
        f(&mut c.total);
        f(c.tracks.entry(track.clone()).or_default());
        f(c.sectors.entry(sector).or_default());
    }

    pub fn view(&self, cat: &Catalog) -> CallsView {
        let calls = self
            .calls
            .iter()
            .map(|(id, c)| {
                let facts = &cat.calls[id];
                CallLine {
                    call_id: id.clone(),
                    title: facts.title.to_string(),
                    status: if facts.open { "open" } else { "closed" },
                    closes_at: facts.closes_at.to_string(),
                    totals: c.total.finish(),
                    tracks: facts
                        .tracks
                        .iter()
                        .map(|t| TrackLine {
                            track_id: t.track_id.clone(),
                            pool_id: t.pool_id.clone(),
                            gpus: t.gpus,
                            eligible_sectors: t
                                .eligible_sectors
                                .iter()
                                .map(|s| s.as_str())
                                .collect(),
                            stats: c
                                .tracks
                                .get(&t.track_id)
                                .copied()
                                .unwrap_or_default()
                                .finish(),
                        })
                        .collect(),
                    by_sector: Sector::ALL
                        .iter()
                        .map(|s| {
                            (
                                s.as_str(),
                                c.sectors.get(s).copied().unwrap_or_default().finish(),
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        CallsView { calls }
    }
}

#[derive(Debug, Serialize)]
pub struct CallsView {
    pub calls: Vec<CallLine>,
}

#[derive(Debug, Serialize)]
pub struct CallLine {
    pub call_id: Id,
    pub title: String,
    pub status: &'static str,
    pub closes_at: String,
    pub totals: Stats,
    pub tracks: Vec<TrackLine>,
    pub by_sector: BTreeMap<&'static str, Stats>,
}

#[derive(Debug, Serialize)]
pub struct TrackLine {
    pub track_id: Id,
    pub pool_id: Id,
    /// GPUs the track offers.
    pub gpus: u32,
    pub eligible_sectors: Vec<&'static str>,
    #[serde(flatten)]
    pub stats: Stats,
}

const COLUMNS: [&str; 19] = [
    "call_id",
    "breakdown",
    "key",
    "applications",
    "requested_gpus",
    "requested_servers",
    "selected",
    "awarded_gpus",
    "awarded_servers",
    "selection_ratio_bp",
    "pending",
    "rejected",
    "withdrawn",
    "redistributed_gpus",
    "supplemented_gpus",
    "appeals_filed",
    "appeals_upheld",
    "appeals_dismissed",
    "appeals_open",
];

fn stats_row(call: &Id, breakdown: &str, key: &str, s: &Stats) -> Vec<Cell> {
    vec![
        call.to_string().into(),
        breakdown.into(),
        key.into(),
        s.applications.into(),
        s.requested_gpus.into(),
        s.requested_servers.into(),
        s.selected.into(),
        s.awarded_gpus.into(),
        s.awarded_servers.into(),
        Cell::Bp(s.selection_ratio_bp),
        s.pending.into(),
        s.rejected.into(),
        s.withdrawn.into(),
        s.redistributed_gpus.into(),
        s.supplemented_gpus.into(),
        s.appeals.filed.into(),
        s.appeals.upheld.into(),
        s.appeals.dismissed.into(),
        s.appeals.open.into(),
    ]
}

impl CallsView {
    pub fn tables(&self) -> Vec<Table> {
        let mut t = Table::new("calls", "Per call, track and sector", COLUMNS.to_vec());
        for c in &self.calls {
            t.row(stats_row(
                &c.call_id,
                "call",
                &format!("all ({})", c.status),
                &c.totals,
            ));
            for tr in &c.tracks {
                t.row(stats_row(
                    &c.call_id,
                    "track",
                    tr.track_id.as_str(),
                    &tr.stats,
                ));
            }
            for (sector, s) in &c.by_sector {
                t.row(stats_row(&c.call_id, "sector", sector, s));
            }
        }
        vec![t]
    }
}
