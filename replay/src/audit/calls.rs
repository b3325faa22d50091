//! The report's calls: each call's published statistics and, per track,
//! its awards in the order of their applications' ranks, so that an
//! auditor reads the selection as the committee should have made it.

use super::rank::{RankShown, rank_of};
use gpu_ledger_domain::Id;
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::calls::{Calls, Stats, TrackLine};
use gpu_ledger_projections::catalog::{AwardFacts, Origin};
use gpu_ledger_projections::ranking;
use gpu_ledger_projections::ranking::Score;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A call: its published statistics and, per track, the awards.
#[derive(Debug, Serialize)]
pub struct CallAudit {
    pub call_id: Id,
    pub title: String,
    pub status: &'static str,
    pub closes_at: String,
    pub totals: Stats,
    pub tracks: Vec<TrackAudit>,
    pub by_sector: BTreeMap<&'static str, Stats>,
}

#[derive(Debug, Serialize)]
pub struct TrackAudit {
    #[serde(flatten)]
    pub line: TrackLine,
    pub min_reviews: u32,
    pub regional_bonus: u32,
    pub max_org_share_bp: u32,
    /// Granted and redistributed awards, by their application's rank (best
    /// first; ties by application, then award id).
    pub awards: Vec<AwardInRank>,
}

#[derive(Debug, Serialize)]
pub struct AwardInRank {
    /// The application's place in the track's ranking (as the ranking view).
    pub rank: Option<u32>,
    #[serde(flatten)]
    pub score: Option<RankShown>,
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub org_name: String,
    /// `granted` or `redistributed`.
    pub origin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall_id: Option<Id>,
    pub granted_gpus: u32,
    pub held_gpus: u32,
    /// `active`, `ended` or `recalled` (all of its GPUs).
    pub state: &'static str,
    pub starts_at: String,
    pub ends_at: String,
}

/// The calls view's figures, with each track's awards in rank order.
pub(super) fn call_sections(cat: &Catalog, calls: &Calls) -> Vec<CallAudit> {
    // Application ids are unique across tracks.
    let ranking = ranking::view(cat);
    let ranks: HashMap<&Id, Option<u32>> = ranking
        .tracks
        .iter()
        .flat_map(|t| t.applications.iter().map(|a| (&a.application_id, a.rank)))
        .collect();
    let mut awards: HashMap<(&Id, &Id), Vec<(&Id, &AwardFacts)>> = HashMap::new();
    for (id, a) in &cat.awards {
        awards
            .entry((&a.call_id, &a.track_id))
            .or_default()
            .push((id, a));
    }
    calls
        .view(cat)
        .calls
        .into_iter()
        .map(|c| {
            let facts = &cat.calls[&c.call_id];
            let tracks = c
                .tracks
                .into_iter()
                .zip(&facts.tracks)
                .map(|(line, t)| {
                    let mut lines: Vec<(Option<Score>, AwardInRank)> = awards
                        .get(&(&c.call_id, &t.track_id))
                        .into_iter()
                        .flatten()
                        .map(|(id, a)| award_line(cat, &ranks, id, a))
                        .collect();
                    // Best first; then by application, then award.
                    lines.sort_by(|(sa, a), (sb, b)| {
                        sb.cmp(sa)
                            .then_with(|| a.application_id.cmp(&b.application_id))
                            .then_with(|| a.award_id.cmp(&b.award_id))
                    });
                    let lines = lines.into_iter().map(|(_, line)| line).collect();
                    TrackAudit {
                        line,
                        min_reviews: t.min_reviews,
                        regional_bonus: t.regional_bonus,
                        max_org_share_bp: t.max_org_share_bp,
                        awards: lines,
                    }
                })
                .collect();
            CallAudit {
                call_id: c.call_id,
                title: c.title,
                status: c.status,
                closes_at: c.closes_at,
                totals: c.totals,
                tracks,
                by_sector: c.by_sector,
            }
        })
        .collect()
}

/// One award of a track, with its application's exact rank to sort by.
fn award_line(
    cat: &Catalog,
    ranks: &HashMap<&Id, Option<u32>>,
    id: &Id,
    a: &AwardFacts,
) -> (Option<Score>, AwardInRank) {
    let score = rank_of(cat, &cat.apps[&a.application_id]);
    let (origin, recall_id) = match &a.origin {
        Origin::Granted => ("granted", None),
        Origin::Redistributed { recall_id } => ("redistributed", Some(recall_id.clone())),
    };
    let state = if a.ended {
        "ended"
    } else if a.held == 0 {
        "recalled"
    } else {
        "active"
    };
    let line = AwardInRank {
        rank: ranks.get(&a.application_id).copied().flatten(),
        score: score.map(RankShown::from),
        award_id: id.clone(),
        application_id: a.application_id.clone(),
        org_id: a.org_id.clone(),
        org_name: cat.org(&a.org_id).name.to_string(),
        origin,
        recall_id,
        granted_gpus: a.granted,
        held_gpus: a.held,
        state,
        starts_at: a.starts_at.to_string(),
        ends_at: a.ends_at.to_string(),
    };
    (score, line)
}
