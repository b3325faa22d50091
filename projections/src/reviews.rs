//! `reviews` (vocabulary v2): per reviewer, the scores given, the conflicts
//! of interest declared, and the organization a registered reviewer belongs
//! to. Reviewers who score without ever being registered (as every v1
//! reviewer does) are listed too, unregistered. Memory grows with reviewers
//! and conflicts, not with scores.

use crate::catalog::Catalog;
use crate::figures::grouped;
use crate::ranking::{Score, TwoDecimals};
use crate::table::{Cell, Table, yes_no};
use gpu_ledger_domain::reviewer::ConflictSource;
use gpu_ledger_domain::{Body, Event, Id};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Conflict {
    conflict_id: Id,
    application_id: Option<Id>,
    org_id: Option<Id>,
    source: ConflictSource,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct ReviewerTally {
    scores: u64,
    score_sum: u64,
    conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reviews {
    reviewers: BTreeMap<Id, ReviewerTally>,
}

impl Reviews {
    pub fn apply(&mut self, event: &Event) {
        match &event.body {
            Body::ScoreRecorded(e) => {
                let r = self.reviewers.entry(e.reviewer_id.clone()).or_default();
                r.scores += 1;
                r.score_sum += u64::from(e.score);
            }
            Body::ConflictDeclared(e) => {
                let r = self.reviewers.entry(e.reviewer_id.clone()).or_default();
                r.conflicts.push(Conflict {
                    conflict_id: e.conflict_id.clone(),
                    application_id: e.application_id.clone(),
                    org_id: e.org_id.clone(),
                    source: e.source,
                });
            }
            Body::ReviewerRegistered(e) => {
                self.reviewers.entry(e.reviewer_id.clone()).or_default();
            }
            _ => {}
        }
    }

    pub fn view(&self, cat: &Catalog) -> ReviewsView {
        let mut totals = Totals::default();
        let reviewers = self
            .reviewers
            .iter()
            .map(|(id, r)| {
                let registered = cat.reviewers.get(id);
                let org_id = registered.and_then(|f| f.org_id.clone());
                totals.reviewers += 1;
                totals.registered += u64::from(registered.is_some());
                totals.scores += r.scores;
                totals.conflicts += r.conflicts.len() as u64;
                ReviewerLine {
                    reviewer_id: id.clone(),
                    registered: registered.is_some(),
                    name: registered.map(|f| f.name.to_string()),
                    org_name: org_id.as_ref().map(|o| cat.org(o).name.to_string()),
                    org_id,
                    scores: r.scores,
                    mean_score: (r.scores > 0).then(|| {
                        let mean = Score {
                            sum: r.score_sum,
                            count: r.scores,
                        };
                        TwoDecimals(mean.hundredths())
                    }),
                    conflicts: r
                        .conflicts
                        .iter()
                        .map(|c| ConflictLine {
                            conflict_id: c.conflict_id.clone(),
                            application_id: c.application_id.clone(),
                            org_id: c.org_id.clone(),
                            source: c.source.as_str(),
                        })
                        .collect(),
                }
            })
            .collect();
        ReviewsView { totals, reviewers }
    }
}

#[derive(Debug, Serialize)]
pub struct ReviewsView {
    pub totals: Totals,
    pub reviewers: Vec<ReviewerLine>,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub reviewers: u64,
    pub registered: u64,
    pub scores: u64,
    pub conflicts: u64,
}

#[derive(Debug, Serialize)]
pub struct ReviewerLine {
    pub reviewer_id: Id,
    pub registered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The organization the reviewer is registered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    pub scores: u64,
    /// Exact mean of the scores given, shown to two decimals; `null` without scores.
    pub mean_score: Option<TwoDecimals>,
    pub conflicts: Vec<ConflictLine>,
}

/// A conflict as declared: with an application or with an organization.
#[derive(Debug, Serialize)]
pub struct ConflictLine {
    pub conflict_id: Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_id: Option<Id>,
    pub source: &'static str,
}

impl ReviewsView {
    pub fn tables(&self) -> Vec<Table> {
        let mut reviewers = Table::new(
            "reviewers",
            format!(
                "Reviewers ({} registered of {}; {} scores, {} conflicts declared)",
                grouped(self.totals.registered),
                grouped(self.totals.reviewers),
                grouped(self.totals.scores),
                grouped(self.totals.conflicts)
            ),
            vec![
                "reviewer_id",
                "registered",
                "name",
                "org_id",
                "scores",
                "mean_score",
                "conflicts",
            ],
        );
        let mut conflicts = Table::new(
            "conflicts",
            "Conflicts of interest declared",
            vec![
                "reviewer_id",
                "conflict_id",
                "application_id",
                "org_id",
                "source",
            ],
        );
        for r in &self.reviewers {
            reviewers.row(vec![
                r.reviewer_id.to_string().into(),
                yes_no(r.registered),
                r.name.clone().into(),
                r.org_id.as_ref().map(|o| o.to_string()).into(),
                r.scores.into(),
                r.mean_score
                    .map(|s| Cell::Hundredths(s.0))
                    .unwrap_or(Cell::Empty),
                (r.conflicts.len() as u64).into(),
            ]);
            for c in &r.conflicts {
                conflicts.row(vec![
                    r.reviewer_id.to_string().into(),
                    c.conflict_id.to_string().into(),
                    c.application_id.as_ref().map(|a| a.to_string()).into(),
                    c.org_id.as_ref().map(|o| o.to_string()).into(),
                    c.source.into(),
                ]);
            }
        }
        vec![reviewers, conflicts]
    }
}
