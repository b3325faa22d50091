//! `outputs` (vocabulary v2): what the GPUs produced, per sector, track and
//! organization: outputs reported by kind, and the GPU-days the awards held
//! for them.
//!
//! GPU-days are counted in business time: an award holds its GPUs from the
//! `occurred_at` of its grant (or redistribution), more from each
//! supplement's, fewer from each recall's, none from its end's; an award
//! still active holds them up to "now", the last event's `occurred_at`.
//! Time that runs backwards between two events adds nothing. Each award
//! keeps one running sum and the instant it last changed, so memory grows
//! with awards and outputs, not with events.

use crate::catalog::Catalog;
use crate::days::{gpu_days, seconds_between};
use crate::figures::grouped;
use crate::table::{Cell, Table};
use gpu_ledger_domain::organization::{Region, Sector};
use gpu_ledger_domain::output::OutputKind;
use gpu_ledger_domain::{Body, Event, Id, Instant, Text, Timestamp};
use serde::Serialize;
use std::collections::BTreeMap;

/// GPU-time an award held up to its last change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct HeldTime {
    since: Instant,
    gpu_seconds: u128,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct OutputFacts {
    award_id: Id,
    kind: OutputKind,
    title: Text,
    reference: Option<Text>,
    reported_at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outputs {
    /// Every award that ever held GPUs.
    held: BTreeMap<Id, HeldTime>,
    outputs: BTreeMap<Id, OutputFacts>,
}

impl Outputs {
    pub fn apply(&mut self, cat: &Catalog, event: &Event) {
        let at = event.occurred_at.instant();
        let started = |award: &Id, held: &mut BTreeMap<Id, HeldTime>| {
            held.insert(
                award.clone(),
                HeldTime {
                    since: at,
                    gpu_seconds: 0,
                },
            );
        };
        match &event.body {
            Body::AwardGranted(e) => started(&e.award_id, &mut self.held),
            Body::Redistributed(e) => started(&e.award_id, &mut self.held),
            Body::AwardSupplemented(e) => self.changed(cat, &e.award_id, at),
            Body::RecallIssued(e) => self.changed(cat, &e.award_id, at),
            Body::AwardEnded(e) => self.changed(cat, &e.award_id, at),
            Body::OutputReported(e) => {
                self.outputs.insert(
                    e.output_id.clone(),
                    OutputFacts {
                        award_id: e.award_id.clone(),
                        kind: e.kind,
                        title: e.title.clone(),
                        reference: e.reference.clone(),
                        reported_at: event.occurred_at.clone(),
                    },
                );
            }
            _ => {}
        }
    }

    /// Counts what the award held (as the catalog has it, before the event)
    /// up to `at`.
    fn changed(&mut self, cat: &Catalog, award: &Id, at: Instant) {
        if let (Some(t), Some(a)) = (self.held.get_mut(award), cat.awards.get(award)) {
            *t = t.until(a.held, at);
        }
    }

    pub fn view(&self, cat: &Catalog, now: Option<&Timestamp>) -> OutputsView {
        let mut total = Tally::default();
        let mut sectors: BTreeMap<Sector, Tally> = BTreeMap::new();
        let mut tracks: BTreeMap<(&Id, &Id), Tally> = BTreeMap::new();
        let mut orgs: BTreeMap<&Id, Tally> = BTreeMap::new();
        let mut each = |award: &Id, f: &dyn Fn(&mut Tally)| {
            let a = &cat.awards[award];
            f(&mut total);
            f(sectors.entry(cat.org(&a.org_id).sector).or_default());
            f(tracks.entry((&a.call_id, &a.track_id)).or_default());
            f(orgs.entry(&a.org_id).or_default());
        };
        for (id, t) in &self.held {
            let a = &cat.awards[id];
            let t = match now {
                Some(now) if a.active() => t.until(a.held, now.instant()),
                _ => *t,
            };
            each(id, &|x: &mut Tally| {
                x.awards += 1;
                x.gpu_seconds += t.gpu_seconds;
            });
        }
        for o in self.outputs.values() {
            each(&o.award_id, &|x: &mut Tally| x.kinds[o.kind as usize] += 1);
        }
        let mut by_organization: Vec<OrgOutputs> = orgs
            .into_iter()
            .map(|(id, t)| {
                let o = cat.org(id);
                OrgOutputs {
                    org_id: id.clone(),
                    name: o.name.to_string(),
                    sector: o.sector,
                    region: o.region,
                    figures: t.figures(),
                }
            })
            .collect();
        by_organization.sort_by(|a, b| {
            (b.figures.outputs, b.figures.gpu_days, &a.org_id).cmp(&(
                a.figures.outputs,
                a.figures.gpu_days,
                &b.org_id,
            ))
        });
        OutputsView {
            now: now.map(|t| t.to_string()),
            total: total.figures(),
            by_sector: Sector::ALL
                .iter()
                .map(|s| (s.as_str(), sectors.remove(s).unwrap_or_default().figures()))
                .collect(),
            by_track: cat
                .calls
                .iter()
                .flat_map(|(call, c)| c.tracks.iter().map(move |t| (call, &t.track_id)))
                .map(|(call, track)| TrackOutputs {
                    call_id: call.clone(),
                    track_id: track.clone(),
                    figures: tracks.remove(&(call, track)).unwrap_or_default().figures(),
                })
                .collect(),
            by_organization,
            outputs: self
                .outputs
                .iter()
                .map(|(id, o)| {
                    let a = &cat.awards[&o.award_id];
                    OutputLine {
                        output_id: id.clone(),
                        award_id: o.award_id.clone(),
                        org_id: a.org_id.clone(),
                        call_id: a.call_id.clone(),
                        track_id: a.track_id.clone(),
                        kind: o.kind.as_str(),
                        title: o.title.to_string(),
                        reference: o.reference.as_ref().map(|r| r.to_string()),
                        reported_at: o.reported_at.to_string(),
                    }
                })
                .collect(),
        }
    }
}

impl HeldTime {
    /// This, with `held` GPUs held from `since` to `at` added.
    fn until(self, held: u32, at: Instant) -> HeldTime {
        HeldTime {
            since: self.since.max(at),
            gpu_seconds: self.gpu_seconds
                + u128::from(held) * u128::from(seconds_between(self.since, at)),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    kinds: [u64; 6],
    awards: u64,
    gpu_seconds: u128,
}

impl Tally {
    fn figures(self) -> Figures {
        let outputs: u64 = self.kinds.iter().sum();
        Figures {
            outputs,
            by_kind: OutputKind::ALL
                .iter()
                .map(|k| (k.as_str(), self.kinds[*k as usize]))
                .collect(),
            awards: self.awards,
            gpu_days: gpu_days(self.gpu_seconds),
            gpu_days_per_output: (outputs > 0)
                .then(|| gpu_days(self.gpu_seconds / u128::from(outputs))),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct OutputsView {
    /// Until when active awards' GPU-days are counted; `null` on an empty ledger.
    pub now: Option<String>,
    pub total: Figures,
    pub by_sector: BTreeMap<&'static str, Figures>,
    pub by_track: Vec<TrackOutputs>,
    pub by_organization: Vec<OrgOutputs>,
    pub outputs: Vec<OutputLine>,
}

/// Outputs and GPU-days of a sector, track or organization.
#[derive(Debug, Serialize)]
pub struct Figures {
    pub outputs: u64,
    pub by_kind: BTreeMap<&'static str, u64>,
    /// Awards that held GPUs there, active or not.
    pub awards: u64,
    pub gpu_days: u64,
    /// `gpu_days / outputs`, rounded down; `null` without outputs.
    pub gpu_days_per_output: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct TrackOutputs {
    pub call_id: Id,
    pub track_id: Id,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize)]
pub struct OrgOutputs {
    pub org_id: Id,
    pub name: String,
    pub sector: Sector,
    pub region: Region,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize)]
pub struct OutputLine {
    pub output_id: Id,
    pub award_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub kind: &'static str,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub reported_at: String,
}

/// The figures' columns, after a table's own key columns.
fn columns(keys: &[&'static str]) -> Vec<&'static str> {
    let mut c = keys.to_vec();
    c.push("outputs");
    c.extend(OutputKind::NAMES);
    c.extend(["awards", "gpu_days", "gpu_days_per_output"]);
    c
}

fn figure_cells(mut row: Vec<Cell>, f: &Figures) -> Vec<Cell> {
    row.push(f.outputs.into());
    row.extend(OutputKind::NAMES.iter().map(|k| Cell::from(f.by_kind[k])));
    row.extend([
        f.awards.into(),
        f.gpu_days.into(),
        f.gpu_days_per_output.into(),
    ]);
    row
}

impl OutputsView {
    pub fn tables(&self) -> Vec<Table> {
        let mut orgs = Table::new(
            "organizations",
            format!(
                "By organization ({} outputs for {} GPU-days in all)",
                grouped(self.total.outputs),
                grouped(self.total.gpu_days)
            ),
            columns(&["org_id", "name", "sector"]),
        );
        for o in &self.by_organization {
            let key = vec![
                o.org_id.to_string().into(),
                o.name.clone().into(),
                o.sector.as_str().into(),
            ];
            orgs.row(figure_cells(key, &o.figures));
        }
        let mut sectors = Table::new("sectors", "By sector", columns(&["sector"]));
        for (s, f) in &self.by_sector {
            sectors.row(figure_cells(vec![(*s).into()], f));
        }
        let mut tracks = Table::new("tracks", "By track", columns(&["call_id", "track_id"]));
        for t in &self.by_track {
            let key = vec![t.call_id.to_string().into(), t.track_id.to_string().into()];
            tracks.row(figure_cells(key, &t.figures));
        }
        let mut outputs = Table::new(
            "outputs",
            "Outputs reported",
            vec![
                "output_id",
                "award_id",
                "org_id",
                "kind",
                "title",
                "reference",
                "reported_at",
            ],
        );
        for o in &self.outputs {
            outputs.row(vec![
                o.output_id.to_string().into(),
                o.award_id.to_string().into(),
                o.org_id.to_string().into(),
                o.kind.into(),
                o.title.clone().into(),
                o.reference.clone().into(),
                o.reported_at.clone().into(),
            ]);
        }
        vec![orgs, sectors, tracks, outputs]
    }
}
