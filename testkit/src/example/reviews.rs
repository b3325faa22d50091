//! How experts score a proposal, and the ranking that follows from the scores.

use crate::value;
use gpu_ledger_domain::score::ScoreRecorded;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand::seq::index;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// One expert's score of one proposal.
pub(super) struct Review {
    reviewer: u32,
    score: u32,
    technical_merit: u32,
    feasibility: u32,
    impact: u32,
}

impl Review {
    /// A reviewer's view of a proposal of the given underlying quality: each
    /// criterion within eight points of it, the score their 40/30/30
    /// weighted mean.
    pub(super) fn of(dice: &mut ChaCha8Rng, reviewer: u32, quality: u32) -> Self {
        let mut criterion = || {
            (quality + dice.random_range(0..=16))
                .saturating_sub(8)
                .min(100)
        };
        let technical_merit = criterion();
        let feasibility = criterion();
        let impact = criterion();
        Review {
            reviewer,
            score: (4 * technical_merit + 3 * feasibility + 3 * impact + 5) / 10,
            technical_merit,
            feasibility,
            impact,
        }
    }

    pub(super) fn reviewer_id(&self) -> String {
        format!("r-{:03}", self.reviewer)
    }

    pub(super) fn event(&self, application_id: &str) -> ScoreRecorded {
        ScoreRecorded {
            application_id: value::id(application_id),
            reviewer_id: value::id(self.reviewer_id()),
            score: self.score,
            criteria: Some(BTreeMap::from([
                (value::criterion("technical_merit"), self.technical_merit),
                (value::criterion("feasibility"), self.feasibility),
                (value::criterion("impact"), self.impact),
            ])),
        }
    }
}

/// Three to five scores from distinct members of `panel`.
pub(super) fn reviews_from(
    dice: &mut ChaCha8Rng,
    panel: &RangeInclusive<u32>,
    quality: u32,
) -> Vec<Review> {
    let count = dice.random_range(3..=5);
    let panel_size = (panel.end() - panel.start() + 1) as usize;
    let mut members: Vec<u32> = index::sample(dice, panel_size, count)
        .into_iter()
        .map(|i| panel.start() + i as u32)
        .collect();
    members.sort_unstable();
    members
        .into_iter()
        .map(|reviewer| Review::of(dice, reviewer, quality))
        .collect()
}

/// Orders two proposals best first by mean score, compared exactly as
/// fractions (no regional bonus on the first call), so the award order is
/// the ranking an auditor recomputes from the scores.
pub(super) fn by_mean_score_best_first(a: &[Review], b: &[Review]) -> Ordering {
    let total = |reviews: &[Review]| reviews.iter().map(|r| u64::from(r.score)).sum::<u64>();
    let (sum_a, n_a) = (total(a), a.len() as u64);
    let (sum_b, n_b) = (total(b), b.len() as u64);
    (sum_b * n_a).cmp(&(sum_a * n_b))
}
