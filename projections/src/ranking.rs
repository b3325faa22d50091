//! `ranking`: the order reviewers put applications in, per track.
//!
//! An application's rank score is the exact mean of its scores plus the
//! track's `regional_bonus` if its organization is outside the capital
//! region. Means are compared as exact fractions, never floats, and shown
//! rounded to two decimals. Equal scores share a rank; applications without
//! scores come last, unranked. An application pending again after an appeal
//! of its rejection was upheld (v2) is ranked with its scores, old and new,
//! and names that appeal.

use crate::catalog::{AppFacts, AppealStage, Catalog};
use crate::table::{Cell, Table};
use gpu_ledger_domain::Id;
use gpu_ledger_domain::application::Status;
use gpu_ledger_domain::organization::Region;
use serde::{Serialize, Serializer};
use std::cmp::Ordering;

/// An exact score: `sum / count` points. Equal as numbers, not as pairs:
/// 352/4 equals 264/3.
#[derive(Debug, Clone, Copy)]
pub struct Score {
    pub sum: u64,
    pub count: u64,
}

impl Score {
    /// Rounded half up to hundredths of a point.
    pub fn hundredths(self) -> u64 {
        (self.sum * 200 + self.count) / (2 * self.count)
    }

    pub fn plus(self, points: u64) -> Score {
        Score {
            sum: self.sum + points * self.count,
            count: self.count,
        }
    }
}

impl PartialEq for Score {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Score {}

impl Ord for Score {
    fn cmp(&self, o: &Self) -> Ordering {
        (u128::from(self.sum) * u128::from(o.count))
            .cmp(&(u128::from(o.sum) * u128::from(self.count)))
    }
}

impl PartialOrd for Score {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// What an application's rank score is made of: the exact mean of its
/// scores and the points its track adds to it. The formula is written here
/// only: the view ranks by it and so do the audits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// `None` without scores: such an application is unranked.
    pub mean: Option<Score>,
    /// The track's `regional_bonus` for an organization outside the capital
    /// region, 0 for one in it.
    pub bonus: u32,
}

impl Standing {
    /// `app` with its scores as the catalog has them.
    pub fn of(cat: &Catalog, app: &AppFacts) -> Standing {
        Standing::with_scores(cat, app, app.score_sum, app.reviews)
    }

    /// `app` with `reviews` scores summing to `score_sum`: an audit asks
    /// what an application's rank becomes with the score being recorded.
    pub fn with_scores(cat: &Catalog, app: &AppFacts, score_sum: u64, reviews: u32) -> Standing {
        let bonus = if cat.org(&app.org_id).region == Region::NonCapital {
            cat.track(&app.call_id, &app.track_id).regional_bonus
        } else {
            0
        };
        Standing {
            mean: (reviews > 0).then_some(Score {
                sum: score_sum,
                count: reviews.into(),
            }),
            bonus,
        }
    }

    /// The mean plus the bonus: what applications are ranked by.
    pub fn rank_score(self) -> Option<Score> {
        self.mean.map(|m| m.plus(self.bonus.into()))
    }
}

/// A score shown as a number with two decimals (e.g. `85.33`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoDecimals(pub u64);

impl Serialize for TwoDecimals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = crate::figures::hundredths(self.0);
        let n: serde_json::Number = text.parse().expect("a decimal number");
        n.serialize(s)
    }
}

/// Which tracks of `ranking` to answer, and one page of each.
///
/// Without a page every application of every selected track is listed; a
/// page lists `limit` applications, starting after the application `after`
/// (ranks stay those of the whole track), and says where the next one starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only the tracks of this call.
    pub call: Option<String>,
    /// Only the tracks with this id.
    pub track: Option<String>,
    /// Applications per track.
    pub limit: Option<usize>,
    /// Start after this application (needs exactly one track selected).
    pub after: Option<String>,
}

/// The largest page.
pub const MAX_LIMIT: usize = 1000;

impl Selection {
    /// Whether any of it was given: only the ranking view takes one.
    pub fn is_given(&self) -> bool {
        self.call.is_some() || self.track.is_some() || self.limit.is_some() || self.after.is_some()
    }

    fn selects(&self, call: &Id, track: &Id) -> bool {
        self.call.as_deref().is_none_or(|c| c == call.as_str())
            && self.track.as_deref().is_none_or(|t| t == track.as_str())
    }

    /// Why this selection cannot be answered on `cat`, as a sentence naming
    /// the parameter.
    pub fn check(&self, cat: &Catalog) -> Result<(), String> {
        if let Some(limit) = self.limit
            && !(1..=MAX_LIMIT).contains(&limit)
        {
            return Err(format!("limit must be 1 to {MAX_LIMIT}, not {limit}"));
        }
        let selected: Vec<&(Id, Id)> = cat
            .track_apps
            .keys()
            .filter(|(c, t)| self.selects(c, t))
            .collect();
        if selected.is_empty() && (self.call.is_some() || self.track.is_some()) {
            return Err(format!(
                "no track matches{}{}",
                self.call
                    .as_ref()
                    .map(|c| format!(" call {c:?}"))
                    .unwrap_or_default(),
                self.track
                    .as_ref()
                    .map(|t| format!(" track {t:?}"))
                    .unwrap_or_default()
            ));
        }
        if let Some(after) = &self.after {
            let [key] = selected[..] else {
                return Err(format!(
                    "after needs exactly one track; {} match (give call and track)",
                    selected.len()
                ));
            };
            if !cat.track_apps[key].iter().any(|a| a.as_str() == after) {
                return Err(format!(
                    "after: {after:?} has not applied to call {} track {}",
                    key.0, key.1
                ));
            }
        }
        Ok(())
    }
}

pub fn view(cat: &Catalog) -> RankingView {
    select(cat, &Selection::default())
}

/// The selected tracks, each ranked whole and then cut to its page. Only the
/// applications on the page are written out, so a page costs the track's sort
/// and no more.
pub fn select(cat: &Catalog, selection: &Selection) -> RankingView {
    let tracks = cat
        .track_apps
        .iter()
        .filter(|((call, track), _)| selection.selects(call, track))
        .map(|((call, track), apps)| {
            let t = cat.track(call, track);
            let mut order: Vec<(Option<Score>, &Id, Standing)> = apps
                .iter()
                .map(|id| {
                    let standing = Standing::of(cat, &cat.apps[id]);
                    (standing.rank_score(), id, standing)
                })
                .collect();
            // Best first; unscored last; ties in id order.
            order.sort_by(|(sa, a, _), (sb, b, _)| sb.cmp(sa).then_with(|| a.cmp(b)));
            let mut ranks = Vec::with_capacity(order.len());
            let mut prev: Option<(Score, u32)> = None;
            for (i, (score, _, _)) in order.iter().enumerate() {
                ranks.push(score.map(|s| {
                    let rank = match prev {
                        Some((p, r)) if p == s => r,
                        _ => i as u32 + 1,
                    };
                    prev = Some((s, rank));
                    rank
                }));
            }
            let from = selection
                .after
                .as_deref()
                .and_then(|after| order.iter().position(|(_, id, _)| id.as_str() == after))
                .map_or(0, |i| i + 1);
            let to = selection
                .limit
                .map_or(order.len(), |l| (from + l).min(order.len()));
            let page = (selection.limit.is_some() || selection.after.is_some()).then(|| Page {
                total: order.len(),
                next_after: (to < order.len() && to > 0).then(|| order[to - 1].1.clone()),
            });
            let applications = (from..to)
                .map(|i| {
                    let (rank_score, id, standing) = &order[i];
                    let a = &cat.apps[*id];
                    let org = cat.org(&a.org_id);
                    RankedApplication {
                        rank: ranks[i],
                        application_id: (*id).clone(),
                        org_id: a.org_id.clone(),
                        org_name: org.name.to_string(),
                        region: org.region.as_str(),
                        reviews: a.reviews,
                        mean_score: standing.mean.map(|m| TwoDecimals(m.hundredths())),
                        regional_bonus: standing.bonus,
                        rank_score: rank_score.map(|m| TwoDecimals(m.hundredths())),
                        status: a.status.as_str(),
                        requested_gpus: a.requested,
                        reopened_by_appeal: reopened_by(a),
                    }
                })
                .collect();
            TrackRanking {
                call_id: call.clone(),
                track_id: track.clone(),
                min_reviews: t.min_reviews,
                regional_bonus: t.regional_bonus,
                applications,
                page,
            }
        })
        .collect();
    RankingView { tracks }
}

/// The upheld appeal that made a pending application pending again.
fn reopened_by(a: &AppFacts) -> Option<Id> {
    let appeal = a.appeal.as_ref()?;
    (a.status == Status::Pending && appeal.stage == AppealStage::Upheld)
        .then(|| appeal.appeal_id.clone())
}

#[derive(Debug, Serialize)]
pub struct RankingView {
    pub tracks: Vec<TrackRanking>,
}

#[derive(Debug, Serialize)]
pub struct TrackRanking {
    pub call_id: Id,
    pub track_id: Id,
    pub min_reviews: u32,
    pub regional_bonus: u32,
    pub applications: Vec<RankedApplication>,
    /// Present when a page was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<Page>,
}

/// Where a page of a track's ranking sits in it.
#[derive(Debug, Serialize)]
pub struct Page {
    /// Applications on the whole track.
    pub total: usize,
    /// The `after` of the next page; `null` on the last.
    pub next_after: Option<Id>,
}

#[derive(Debug, Serialize)]
pub struct RankedApplication {
    /// 1 for the best; equal scores share a rank; absent without scores.
    pub rank: Option<u32>,
    pub application_id: Id,
    pub org_id: Id,
    pub org_name: String,
    pub region: &'static str,
    pub reviews: u32,
    /// Exact mean of the scores, shown to two decimals.
    pub mean_score: Option<TwoDecimals>,
    /// Points added to the mean (the track's bonus, for non-capital organizations).
    pub regional_bonus: u32,
    pub rank_score: Option<TwoDecimals>,
    pub status: &'static str,
    pub requested_gpus: u32,
    /// v2: while the application is pending again, the appeal that was upheld.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopened_by_appeal: Option<Id>,
}

impl RankingView {
    pub fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "ranking",
            "Applications per track, best first",
            vec![
                "call_id",
                "track_id",
                "rank",
                "application_id",
                "org_id",
                "region",
                "reviews",
                "mean_score",
                "bonus",
                "rank_score",
                "status",
                "requested_gpus",
                "reopened_by_appeal",
            ],
        );
        for tr in &self.tracks {
            for a in &tr.applications {
                t.row(vec![
                    tr.call_id.to_string().into(),
                    tr.track_id.to_string().into(),
                    a.rank.into(),
                    a.application_id.to_string().into(),
                    a.org_id.to_string().into(),
                    a.region.into(),
                    a.reviews.into(),
                    a.mean_score
                        .map(|s| Cell::Hundredths(s.0))
                        .unwrap_or(Cell::Empty),
                    a.regional_bonus.into(),
                    a.rank_score
                        .map(|s| Cell::Hundredths(s.0))
                        .unwrap_or(Cell::Empty),
                    a.status.into(),
                    a.requested_gpus.into(),
                    a.reopened_by_appeal.as_ref().map(|p| p.to_string()).into(),
                ]);
            }
        }
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_means_compare_as_fractions_and_round_half_up() {
        let a = Score { sum: 256, count: 3 }; // 85.333...
        let b = Score { sum: 512, count: 6 };
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert_eq!(
            Score { sum: 352, count: 4 },
            Score { sum: 264, count: 3 },
            "both are 88"
        );
        assert!(Score { sum: 257, count: 3 } > a);
        assert_eq!(a.hundredths(), 8533);
        assert_eq!(Score { sum: 1, count: 8 }.hundredths(), 13); // 0.125 -> 0.13
        assert_eq!(a.plus(5).hundredths(), 9033);
    }
}
