//! `calls`: the selection statistics the ministry publishes, per call, per
//! track and per sector: applications, requested GPUs and servers, selected
//! applications, awarded GPUs and servers, and the selection ratio.
//!
//! "Selected" and "awarded" count `AwardGranted`, the selection decision;
//! GPUs that reach applications later through redistribution are shown apart
//! (`redistributed_gpus`), so the published figures stay what was decided.

use crate::catalog::Catalog;
use crate::table::{Cell, Table, bp};
use gpu_ledger_domain::application::Status;
use gpu_ledger_domain::organization::Sector;
use gpu_ledger_domain::{Body, Event, Id};
use serde::Serialize;
use std::collections::BTreeMap;

/// Figures of one call, track or sector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
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
}

impl Stats {
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

    fn finish(mut self) -> Self {
        self.selection_ratio_bp = bp(self.awarded_gpus, self.requested_gpus);
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct CallStats {
    total: Stats,
    tracks: BTreeMap<Id, Stats>,
    sectors: BTreeMap<Sector, Stats>,
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
                });
            }
            Body::AppealDecided(e) if e.upheld => {
                if let Some(app) = cat.appeals.get(&e.appeal_id) {
                    self.moved(cat, app, Status::Pending);
                }
            }
            Body::ApplicationRejected(e) => self.moved(cat, &e.application_id, Status::Rejected),
            Body::ApplicationWithdrawn(e) => self.moved(cat, &e.application_id, Status::Withdrawn),
            _ => {}
        }
    }

    fn moved(&mut self, cat: &Catalog, app: &Id, to: Status) {
        let a = &cat.apps[app];
        let from = a.status;
        self.each(&a.call_id, &a.track_id, cat.org(&a.org_id).sector, |s| {
            if let Some(n) = s.status(from) {
                *n -= 1;
            }
            if let Some(n) = s.status(to) {
                *n += 1;
            }
        });
    }

    fn each(&mut self, call: &Id, track: &Id, sector: Sector, f: impl Fn(&mut Stats)) {
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

const COLUMNS: [&str; 14] = [
    "call_id",
    "breakdown",
    "key",
    "applications",
    "requested_gpus",
    "requested_servers",
    "selected",
    "awarded_gpus",
    "awarded_servers",
    "selection_ratio",
    "pending",
    "rejected",
    "withdrawn",
    "redistributed_gpus",
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
