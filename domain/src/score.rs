//! Expert review scores.
//!
//! Rules: a score is recorded for a pending application, once per reviewer.

use crate::id::{CriterionName, Id};
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;
use std::collections::BTreeMap;

/// Per-criterion scores, 0..=100 each; kept sorted by name (canonical order).
pub type Criteria = BTreeMap<CriterionName, u32>;

declare! {
    /// `ScoreRecorded`: one reviewer's score of one application (0..=100).
    pub struct ScoreRecorded {
        pub application_id: Id,
        pub reviewer_id: Id,
        pub score: u32 = ValueRule::Range(0, 100),
        /// Scores per criterion.
        pub criteria: Option<Criteria>,
    }
}

/// A broken scoring rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum ScoreError {
    #[error("reviewer {reviewer_id} has already scored application {application_id}")]
    #[serde(rename = "already_scored")]
    AlreadyScored { application_id: Id, reviewer_id: Id },
}

/// What `ScoreRecorded` resolved: the application and, if known, the reviewer.
pub(crate) struct Scoring {
    app: u32,
    reviewer: Option<u32>,
}

impl Programme {
    pub(crate) fn check_score_recorded(&self, e: &ScoreRecorded) -> Result<Scoring, RuleError> {
        let subject = || {
            format!(
                "the score of reviewer {} for application {}",
                e.reviewer_id, e.application_id
            )
        };
        let app = self.find_application(&e.application_id, subject)?;
        self.check_pending(app, subject)?;
        self.check_no_conflict(&e.reviewer_id, app)?;
        let reviewer = self.reviewers.find(&e.reviewer_id);
        if let Some(r) = reviewer
            && self.scores.contains(&(app, r))
        {
            return Err(ScoreError::AlreadyScored {
                application_id: e.application_id.clone(),
                reviewer_id: e.reviewer_id.clone(),
            }
            .into());
        }
        Ok(Scoring { app, reviewer })
    }

    pub(crate) fn apply_score_recorded(&mut self, e: &ScoreRecorded, s: Scoring) {
        let reviewer = match s.reviewer {
            Some(r) => r,
            None => {
                let r = self.reviewers.insert(e.reviewer_id.clone(), ());
                self.record(|_| Change::ReviewerAdded);
                r
            }
        };
        self.scores.insert((s.app, reviewer));
        self.record(|_| Change::ScoreAdded(s.app, reviewer));
        self.application_mut(s.app).reviews += 1;
    }
}
