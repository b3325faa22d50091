//! `holdings`: who holds how many GPUs now, by award, organization, sector,
//! track, pool and region. Counts only active awards; what they hold
//! includes their supplements (v2).

use crate::catalog::{Catalog, Origin};
use crate::table::{Cell, Table};
use gpu_ledger_domain::organization::{Region, Sector};
use gpu_ledger_domain::{Body, Event, Id};
use serde::Serialize;
use std::collections::BTreeMap;

/// GPUs and servers held, and by how many active awards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Held {
    pub gpus: u64,
    pub servers: u64,
    pub awards: u64,
}

impl Held {
    fn add(&mut self, gpus: i64, servers: i64, awards: i64) {
        self.gpus = self
            .gpus
            .checked_add_signed(gpus)
            .expect("holdings never go negative");
        self.servers = self
            .servers
            .checked_add_signed(servers)
            .expect("holdings never go negative");
        self.awards = self
            .awards
            .checked_add_signed(awards)
            .expect("holdings never go negative");
    }

    fn is_zero(&self) -> bool {
        *self == Held::default()
    }
}

/// Running totals, changed only by awards starting, recalls and ends.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Holdings {
    total: Held,
    by_org: BTreeMap<Id, Held>,
    by_sector: BTreeMap<Sector, Held>,
    by_region: BTreeMap<Region, Held>,
    by_track: BTreeMap<(Id, Id), Held>,
    by_pool: BTreeMap<Id, Held>,
}

struct Keys {
    org: Id,
    call: Id,
    track: Id,
    pool: Id,
}

impl Holdings {
    pub fn apply(&mut self, cat: &Catalog, event: &Event) {
        match &event.body {
            Body::AwardGranted(e) => {
                self.change(cat, self_keys(cat, &e.application_id), e.gpus.into(), 1)
            }
            Body::Redistributed(e) => {
                self.change(cat, self_keys(cat, &e.application_id), e.gpus.into(), 1)
            }
            Body::RecallIssued(e) => {
                let a = &cat.awards[&e.award_id];
                let ends = i64::from(a.held == e.gpus);
                self.change(cat, award_keys(cat, &e.award_id), -i64::from(e.gpus), -ends);
            }
            Body::AwardEnded(e) => {
                let a = &cat.awards[&e.award_id];
                self.change(cat, award_keys(cat, &e.award_id), -i64::from(a.held), -1);
            }
            Body::AwardSupplemented(e) => {
                self.change(cat, award_keys(cat, &e.award_id), e.gpus.into(), 0);
            }
            _ => {}
        }
    }

    fn change(&mut self, cat: &Catalog, k: Keys, gpus: i64, awards: i64) {
        let servers = gpus / i64::from(cat.gpus_per_server(&k.pool));
        let org = cat.org(&k.org);
        let bump = |h: &mut Held| h.add(gpus, servers, awards);
        bump(&mut self.total);
        bump(self.by_org.entry(k.org.clone()).or_default());
        bump(self.by_sector.entry(org.sector).or_default());
        bump(self.by_region.entry(org.region).or_default());
        bump(
            self.by_track
                .entry((k.call.clone(), k.track.clone()))
                .or_default(),
        );
        bump(self.by_pool.entry(k.pool.clone()).or_default());
        prune(&mut self.by_org, &k.org);
        prune(&mut self.by_track, &(k.call, k.track));
        prune(&mut self.by_pool, &k.pool);
    }

    pub fn total(&self) -> Held {
        self.total
    }

    pub fn view(&self, cat: &Catalog) -> HoldingsView {
        let mut orgs: Vec<OrgHolding> = self
            .by_org
            .iter()
            .map(|(id, h)| {
                let o = cat.org(id);
                OrgHolding {
                    org_id: id.clone(),
                    name: o.name.to_string(),
                    sector: o.sector,
                    region: o.region,
                    held: *h,
                }
            })
            .collect();
        orgs.sort_by(|a, b| {
            b.held
                .gpus
                .cmp(&a.held.gpus)
                .then_with(|| a.org_id.cmp(&b.org_id))
        });
        let mut awards: Vec<AwardHolding> = cat
            .awards
            .iter()
            .filter(|(_, a)| a.active())
            .map(|(id, a)| AwardHolding {
                award_id: id.clone(),
                application_id: a.application_id.clone(),
                org_id: a.org_id.clone(),
                call_id: a.call_id.clone(),
                track_id: a.track_id.clone(),
                pool_id: a.pool_id.clone(),
                granted_gpus: a.granted,
                supplemented_gpus: a.supplemented,
                gpus: a.held,
                servers: a.held / cat.gpus_per_server(&a.pool_id),
                origin: match &a.origin {
                    Origin::Granted => "granted",
                    Origin::Redistributed { .. } => "redistributed",
                },
                recall_id: match &a.origin {
                    Origin::Granted => None,
                    Origin::Redistributed { recall_id } => Some(recall_id.clone()),
                },
                starts_at: a.starts_at.to_string(),
                ends_at: a.ends_at.to_string(),
            })
            .collect();
        awards.sort_by(|a, b| a.award_id.cmp(&b.award_id));
        HoldingsView {
            total: self.total,
            by_sector: Sector::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str(),
                        self.by_sector.get(s).copied().unwrap_or_default(),
                    )
                })
                .collect(),
            by_region: Region::ALL
                .iter()
                .map(|r| {
                    (
                        r.as_str(),
                        self.by_region.get(r).copied().unwrap_or_default(),
                    )
                })
                .collect(),
            by_pool: cat
                .pools
                .keys()
                .map(|id| PoolHolding {
                    pool_id: id.clone(),
                    held: self.by_pool.get(id).copied().unwrap_or_default(),
                })
                .collect(),
            by_track: cat
                .calls
                .iter()
                .flat_map(|(call, c)| {
                    c.tracks.iter().map(move |t| TrackHolding {
                        call_id: call.clone(),
                        track_id: t.track_id.clone(),
                        pool_id: t.pool_id.clone(),
                        held: self
                            .by_track
                            .get(&(call.clone(), t.track_id.clone()))
                            .copied()
                            .unwrap_or_default(),
                    })
                })
                .collect(),
            by_organization: orgs,
            awards,
        }
    }
}

fn prune<K: Ord>(m: &mut BTreeMap<K, Held>, k: &K) {
    if m.get(k).is_some_and(Held::is_zero) {
        m.remove(k);
    }
}

fn self_keys(cat: &Catalog, app: &Id) -> Keys {
    let (org, call, track, pool) = cat.award_keys_of_application(app);
    Keys {
        org,
        call,
        track,
        pool,
    }
}

fn award_keys(cat: &Catalog, award: &Id) -> Keys {
    let a = &cat.awards[award];
    Keys {
        org: a.org_id.clone(),
        call: a.call_id.clone(),
        track: a.track_id.clone(),
        pool: a.pool_id.clone(),
    }
}

#[derive(Debug, Serialize)]
pub struct HoldingsView {
    pub total: Held,
    pub by_sector: BTreeMap<&'static str, Held>,
    pub by_region: BTreeMap<&'static str, Held>,
    pub by_pool: Vec<PoolHolding>,
    pub by_track: Vec<TrackHolding>,
    pub by_organization: Vec<OrgHolding>,
    pub awards: Vec<AwardHolding>,
}

#[derive(Debug, Serialize)]
pub struct PoolHolding {
    pub pool_id: Id,
    #[serde(flatten)]
    pub held: Held,
}

#[derive(Debug, Serialize)]
pub struct TrackHolding {
    pub call_id: Id,
    pub track_id: Id,
    pub pool_id: Id,
    #[serde(flatten)]
    pub held: Held,
}

#[derive(Debug, Serialize)]
pub struct OrgHolding {
    pub org_id: Id,
    pub name: String,
    pub sector: Sector,
    pub region: Region,
    #[serde(flatten)]
    pub held: Held,
}

#[derive(Debug, Serialize)]
pub struct AwardHolding {
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub pool_id: Id,
    pub granted_gpus: u32,
    /// v2: GPUs added by supplements (written only when some were).
    #[serde(skip_serializing_if = "is_zero")]
    pub supplemented_gpus: u32,
    /// Granted plus supplemented, minus recalled.
    pub gpus: u32,
    pub servers: u32,
    pub origin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall_id: Option<Id>,
    pub starts_at: String,
    pub ends_at: String,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn held_cells(h: &Held) -> [Cell; 3] {
    [h.gpus.into(), h.servers.into(), h.awards.into()]
}

impl HoldingsView {
    pub fn tables(&self) -> Vec<Table> {
        let mut orgs = Table::new(
            "organizations",
            format!(
                "By organization ({} GPUs, {} servers, {} active awards in all)",
                self.total.gpus, self.total.servers, self.total.awards
            ),
            vec![
                "org_id", "name", "sector", "region", "gpus", "servers", "awards",
            ],
        );
        for o in &self.by_organization {
            let mut row = vec![
                o.org_id.to_string().into(),
                o.name.clone().into(),
                o.sector.as_str().into(),
                o.region.as_str().into(),
            ];
            row.extend(held_cells(&o.held));
            orgs.row(row);
        }
        let mut sectors = Table::new(
            "sectors",
            "By sector",
            vec!["sector", "gpus", "servers", "awards"],
        );
        for (s, h) in &self.by_sector {
            let mut row = vec![(*s).into()];
            row.extend(held_cells(h));
            sectors.row(row);
        }
        let mut regions = Table::new(
            "regions",
            "By region",
            vec!["region", "gpus", "servers", "awards"],
        );
        for (r, h) in &self.by_region {
            let mut row = vec![(*r).into()];
            row.extend(held_cells(h));
            regions.row(row);
        }
        let mut tracks = Table::new(
            "tracks",
            "By track",
            vec![
                "call_id", "track_id", "pool_id", "gpus", "servers", "awards",
            ],
        );
        for t in &self.by_track {
            let mut row = vec![
                t.call_id.to_string().into(),
                t.track_id.to_string().into(),
                t.pool_id.to_string().into(),
            ];
            row.extend(held_cells(&t.held));
            tracks.row(row);
        }
        let mut pools = Table::new(
            "pools",
            "By pool",
            vec!["pool_id", "gpus", "servers", "awards"],
        );
        for p in &self.by_pool {
            let mut row = vec![p.pool_id.to_string().into()];
            row.extend(held_cells(&p.held));
            pools.row(row);
        }
        let awards = Table::of(
            "awards",
            "By award",
            &self.awards,
            &[
                ("award_id", |a| a.award_id.to_string().into()),
                ("application_id", |a| a.application_id.to_string().into()),
                ("org_id", |a| a.org_id.to_string().into()),
                ("call_id", |a| a.call_id.to_string().into()),
                ("track_id", |a| a.track_id.to_string().into()),
                ("pool_id", |a| a.pool_id.to_string().into()),
                ("granted_gpus", |a| a.granted_gpus.into()),
                ("supplemented_gpus", |a| a.supplemented_gpus.into()),
                ("gpus", |a| a.gpus.into()),
                ("servers", |a| a.servers.into()),
                ("origin", |a| a.origin.into()),
                ("recall_id", |a| {
                    a.recall_id.as_ref().map(|r| r.to_string()).into()
                }),
                ("ends_at", |a| a.ends_at.clone().into()),
            ],
        );
        vec![orgs, sectors, regions, tracks, pools, awards]
    }
}
