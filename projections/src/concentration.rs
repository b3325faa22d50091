//! `concentration`: is the programme concentrated on a few organizations?
//!
//! Per track and programme-wide, over GPUs held by active awards: each
//! organization's share (bp), the top-5 share, the Herfindahl-Hirschman
//! index (sum of squared percentage shares, 0..=10000), and the capital vs
//! non-capital split. Per track, each organization's share of the track's
//! GPUs (what `max_org_share_bp` caps) is shown beside it.

use crate::catalog::Catalog;
use crate::table::{Cell, Table, bp};
use gpu_ledger_domain::organization::Region;
use gpu_ledger_domain::{Body, Event, Id};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Concentration {
    /// GPUs held per organization on each track: (call, track) -> org -> GPUs.
    tracks: BTreeMap<(Id, Id), BTreeMap<Id, u64>>,
    programme: BTreeMap<Id, u64>,
}

impl Concentration {
    pub fn apply(&mut self, cat: &Catalog, event: &Event) {
        let (keys, delta) = match &event.body {
            Body::AwardGranted(e) => (
                cat.award_keys_of_application(&e.application_id),
                i64::from(e.gpus),
            ),
            Body::Redistributed(e) => (
                cat.award_keys_of_application(&e.application_id),
                i64::from(e.gpus),
            ),
            Body::RecallIssued(e) => (award_keys(cat, &e.award_id), -i64::from(e.gpus)),
            Body::AwardSupplemented(e) => (award_keys(cat, &e.award_id), i64::from(e.gpus)),
            Body::AwardEnded(e) => (
                award_keys(cat, &e.award_id),
                -i64::from(cat.awards[&e.award_id].held),
            ),
            _ => return,
        };
        let (org, call, track, _) = keys;
        let by_org = self.tracks.entry((call, track)).or_default();
        add(by_org, &org, delta);
        add(&mut self.programme, &org, delta);
    }

    pub fn view(&self, cat: &Catalog) -> ConcentrationView {
        let tracks = cat
            .calls
            .iter()
            .flat_map(|(call, c)| c.tracks.iter().map(move |t| (call, t)))
            .map(|(call, t)| {
                let empty = BTreeMap::new();
                let held = self
                    .tracks
                    .get(&(call.clone(), t.track_id.clone()))
                    .unwrap_or(&empty);
                TrackConcentration {
                    call_id: call.clone(),
                    track_id: t.track_id.clone(),
                    track_gpus: t.gpus,
                    max_org_share_bp: t.max_org_share_bp,
                    figures: figures(cat, held, Some(t.gpus)),
                }
            })
            .collect();
        ConcentrationView {
            programme: figures(cat, &self.programme, None),
            tracks,
        }
    }
}

fn award_keys(cat: &Catalog, award: &Id) -> (Id, Id, Id, Id) {
    let a = &cat.awards[award];
    (
        a.org_id.clone(),
        a.call_id.clone(),
        a.track_id.clone(),
        a.pool_id.clone(),
    )
}

fn add(m: &mut BTreeMap<Id, u64>, org: &Id, delta: i64) {
    let v = m.entry(org.clone()).or_default();
    *v = v
        .checked_add_signed(delta)
        .expect("holdings never go negative");
    if *v == 0 {
        m.remove(org);
    }
}

fn figures(cat: &Catalog, held: &BTreeMap<Id, u64>, track_gpus: Option<u32>) -> Figures {
    let total: u64 = held.values().sum();
    let mut orgs: Vec<OrgShare> = held
        .iter()
        .map(|(id, &h)| {
            let o = cat.org(id);
            OrgShare {
                org_id: id.clone(),
                name: o.name.to_string(),
                region: o.region.as_str(),
                held_gpus: h,
                share_bp: bp(h, total),
                track_share_bp: track_gpus.map(|g| bp(h, g.into())),
            }
        })
        .collect();
    orgs.sort_by(|a, b| {
        b.held_gpus
            .cmp(&a.held_gpus)
            .then_with(|| a.org_id.cmp(&b.org_id))
    });
    let top5: u64 = orgs.iter().take(5).map(|o| o.held_gpus).sum();
    let capital: u64 = held
        .iter()
        .filter(|(id, _)| cat.org(id).region == Region::Capital)
        .map(|(_, h)| h)
        .sum();
    let hhi = if total == 0 {
        0
    } else {
        let squares: u128 = held.values().map(|&h| u128::from(h) * u128::from(h)).sum();
        let t2 = u128::from(total) * u128::from(total);
        ((squares * 10_000 + t2 / 2) / t2) as u64
    };
    Figures {
        held_gpus: total,
        organizations_holding: orgs.len() as u64,
        top5_share_bp: bp(top5, total),
        hhi,
        capital_share_bp: bp(capital, total),
        non_capital_share_bp: if total == 0 {
            0
        } else {
            10_000 - bp(capital, total)
        },
        organizations: orgs,
    }
}

#[derive(Debug, Serialize)]
pub struct ConcentrationView {
    pub programme: Figures,
    pub tracks: Vec<TrackConcentration>,
}

#[derive(Debug, Serialize)]
pub struct TrackConcentration {
    pub call_id: Id,
    pub track_id: Id,
    pub track_gpus: u32,
    pub max_org_share_bp: u32,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize)]
pub struct Figures {
    pub held_gpus: u64,
    pub organizations_holding: u64,
    pub top5_share_bp: u64,
    /// Herfindahl-Hirschman index: sum of squared percentage shares, 0..=10000.
    pub hhi: u64,
    pub capital_share_bp: u64,
    pub non_capital_share_bp: u64,
    pub organizations: Vec<OrgShare>,
}

#[derive(Debug, Serialize)]
pub struct OrgShare {
    pub org_id: Id,
    pub name: String,
    pub region: &'static str,
    pub held_gpus: u64,
    /// Share of the GPUs held (programme-wide or on the track).
    pub share_bp: u64,
    /// Share of the track's GPUs, the basis of its cap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track_share_bp: Option<u64>,
}

impl ConcentrationView {
    pub fn tables(&self) -> Vec<Table> {
        let mut summary = Table::new(
            "summary",
            "Concentration, programme-wide and per track",
            vec![
                "scope",
                "held_gpus",
                "organizations",
                "top5_share_bp",
                "hhi",
                "capital_share_bp",
                "non_capital_share_bp",
            ],
        );
        let row = |scope: String, f: &Figures| -> Vec<Cell> {
            vec![
                scope.into(),
                f.held_gpus.into(),
                f.organizations_holding.into(),
                Cell::Bp(f.top5_share_bp),
                f.hhi.into(),
                Cell::Bp(f.capital_share_bp),
                Cell::Bp(f.non_capital_share_bp),
            ]
        };
        summary.row(row("programme".into(), &self.programme));
        for t in &self.tracks {
            summary.row(row(format!("{} {}", t.call_id, t.track_id), &t.figures));
        }
        let mut orgs = Table::new(
            "organizations",
            "Organizations by GPUs held",
            vec![
                "scope",
                "org_id",
                "region",
                "held_gpus",
                "share_bp",
                "track_share_bp",
            ],
        );
        for o in &self.programme.organizations {
            orgs.row(vec![
                "programme".into(),
                o.org_id.to_string().into(),
                o.region.into(),
                o.held_gpus.into(),
                Cell::Bp(o.share_bp),
                Cell::Empty,
            ]);
        }
        for t in &self.tracks {
            for o in &t.figures.organizations {
                orgs.row(vec![
                    format!("{} {}", t.call_id, t.track_id).into(),
                    o.org_id.to_string().into(),
                    o.region.into(),
                    o.held_gpus.into(),
                    Cell::Bp(o.share_bp),
                    o.track_share_bp.map(Cell::Bp).unwrap_or(Cell::Empty),
                ]);
            }
        }
        vec![summary, orgs]
    }
}
