//! An application's rank in its track, exactly, and the order of the
//! applications still waiting for GPUs.
//!
//! The rank is the ranking view's: [`Standing`] (the exact mean of all the
//! application's scores plus the track's `regional_bonus` when its
//! organization is outside the capital region), a [`Score`] fraction
//! compared by cross-multiplication. Floats would make two equal means
//! unequal and an audit depend on rounding.

use gpu_ledger_domain::Id;
use gpu_ledger_domain::application::Status;
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::catalog::AppFacts;
use gpu_ledger_projections::ranking::{Score, Standing, TwoDecimals};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The rank of `app` now: `None` without scores.
pub fn rank_of(cat: &Catalog, app: &AppFacts) -> Option<Score> {
    Standing::of(cat, app).rank_score()
}

/// A rank as reports show it: two decimals for people (rounded half up,
/// as the ranking view shows it) and the exact fraction it is compared by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankShown {
    pub rank_score: TwoDecimals,
    /// The reduced fraction, e.g. `"256/3"`, or an integer such as `"85"`.
    pub rank_exact: String,
}

impl From<Score> for RankShown {
    fn from(s: Score) -> Self {
        RankShown {
            rank_score: TwoDecimals(s.hundredths()),
            rank_exact: exact(s),
        }
    }
}

impl RankShown {
    pub fn text(&self) -> String {
        format!(
            "{}.{:02} (= {})",
            self.rank_score.0 / 100,
            self.rank_score.0 % 100,
            self.rank_exact
        )
    }
}

fn exact(s: Score) -> String {
    let g = gcd(s.sum, s.count).max(1);
    let (n, d) = (s.sum / g, s.count / g);
    if d == 1 {
        n.to_string()
    } else {
        format!("{n}/{d}")
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// An application in a track's order: better rank first, then smaller id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ranked {
    score: Score,
    app: Id,
}

impl Ord for Ranked {
    /// Ascending: the best application (highest rank, smallest id among
    /// equals) is the greatest.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.score.cmp(&o.score).then_with(|| o.app.cmp(&self.app))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

/// Per track, the applications that are pending and have at least the
/// track's `min_reviews` scores: the ones a redistribution must not skip.
/// Kept up to date event by event, so "at that moment" costs a lookup.
#[derive(Debug, Default)]
pub struct PendingOrder {
    /// Call, then track: looked up by reference, without building keys.
    tracks: BTreeMap<Id, BTreeMap<Id, BTreeSet<Ranked>>>,
}

/// The best application a redistribution skipped over.
#[derive(Debug, Clone)]
pub struct Outranked {
    pub application_id: Id,
    pub score: Score,
    /// How many pending applications rank strictly higher.
    pub higher: usize,
}

impl PendingOrder {
    /// Whether `app` belongs in the order with `reviews` scores.
    fn eligible(cat: &Catalog, app: &AppFacts, reviews: u32) -> bool {
        app.status == Status::Pending
            && reviews >= cat.track(&app.call_id, &app.track_id).min_reviews
    }

    /// `app` (as the catalog has it) is about to get a score of `score`.
    pub fn scored(&mut self, cat: &Catalog, id: &Id, app: &AppFacts, score: u32) {
        self.leaves(cat, id, app);
        let (sum, reviews) = (app.score_sum + u64::from(score), app.reviews + 1);
        if Self::eligible(cat, app, reviews)
            && let Some(score) = Standing::with_scores(cat, app, sum, reviews).rank_score()
        {
            self.track_mut(&app.call_id, &app.track_id).insert(Ranked {
                score,
                app: id.clone(),
            });
        }
    }

    /// `app` (as the catalog has it) stops being pending, or changes score.
    pub fn leaves(&mut self, cat: &Catalog, id: &Id, app: &AppFacts) {
        if !Self::eligible(cat, app, app.reviews) {
            return;
        }
        let Some(score) = rank_of(cat, app) else {
            return;
        };
        if let Some(set) = self
            .tracks
            .get_mut(&app.call_id)
            .and_then(|t| t.get_mut(&app.track_id))
        {
            set.remove(&Ranked {
                score,
                app: id.clone(),
            });
        }
    }

    fn track_mut(&mut self, call: &Id, track: &Id) -> &mut BTreeSet<Ranked> {
        if !self.tracks.contains_key(call) {
            self.tracks.insert(call.clone(), BTreeMap::new());
        }
        let tracks = self.tracks.get_mut(call).expect("just made");
        if !tracks.contains_key(track) {
            tracks.insert(track.clone(), BTreeSet::new());
        }
        tracks.get_mut(track).expect("just made")
    }

    /// The best pending application of the track ranked strictly above
    /// `score`, other than `except`.
    pub fn best_above(
        &self,
        call: &Id,
        track: &Id,
        score: Score,
        except: &Id,
    ) -> Option<Outranked> {
        let set = self.tracks.get(call)?.get(track)?;
        let above: Vec<&Ranked> = set
            .iter()
            .rev()
            .take_while(|r| r.score > score)
            .filter(|r| r.app != *except)
            .collect();
        let best = above.first()?;
        Some(Outranked {
            application_id: best.app.clone(),
            score: best.score,
            higher: above.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_fractions_are_reduced() {
        assert_eq!(exact(Score { sum: 256, count: 3 }), "256/3");
        assert_eq!(exact(Score { sum: 170, count: 2 }), "85");
        assert_eq!(exact(Score { sum: 255, count: 6 }), "85/2");
        let shown = RankShown::from(Score { sum: 256, count: 3 });
        assert_eq!(shown.text(), "85.33 (= 256/3)");
    }

    #[test]
    fn the_best_of_equal_ranks_is_the_smallest_id() {
        let r = |sum, count, app: &str| Ranked {
            score: Score { sum, count },
            app: Id::parse(app).unwrap(),
        };
        let set: BTreeSet<_> = [r(170, 2, "B"), r(255, 3, "A"), r(80, 1, "C")]
            .into_iter()
            .collect();
        let order: Vec<&str> = set.iter().rev().map(|x| x.app.as_str()).collect();
        assert_eq!(order, ["A", "B", "C"]);
    }
}
