//! `reviewer_conflict_of_interest`: a `ScoreRecorded` whose actor is
//! `org:<org_id>:...` (or exactly `org:<org_id>`) with `<org_id>` exactly
//! the applying organization.
//!
//! Org ids may contain `:`, so the applying organization's whole id is
//! matched after `org:`, followed by `:` or by nothing. Decided at the score.

use super::super::EventRef;
use super::super::integrity::Checked;
use super::evidence::in_seq_order;
use super::{Detector, Known};
use crate::language::Messages;
use gpu_ledger_domain::{Body, Id};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewerConflictOfInterest {
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub reviewer_id: Id,
    pub actor: String,
    pub score: u32,
    /// The application's submission (its organization) and the score.
    pub events: Vec<EventRef>,
}

/// Whether `actor` acts for organization `org_id`.
pub fn acts_for(actor: &str, org_id: &str) -> bool {
    actor
        .strip_prefix("org:")
        .and_then(|rest| rest.strip_prefix(org_id))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
}

#[derive(Debug, Default)]
pub struct Detect {
    found: Vec<ReviewerConflictOfInterest>,
}

impl Detector for Detect {
    type Found = ReviewerConflictOfInterest;

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        let Body::ScoreRecorded(e) = &step.event.body else {
            return;
        };
        let app = &known.catalog.apps[&e.application_id];
        let actor = step.event.actor.as_str();
        if !acts_for(actor, app.org_id.as_str()) {
            return;
        }
        let submitted = known
            .evidence
            .apps
            .get(&e.application_id)
            .and_then(|t| t.submitted);
        let mut events: Vec<EventRef> = submitted.into_iter().collect();
        events.push(step.at());
        self.found.push(ReviewerConflictOfInterest {
            application_id: e.application_id.clone(),
            org_id: app.org_id.clone(),
            call_id: app.call_id.clone(),
            track_id: app.track_id.clone(),
            reviewer_id: e.reviewer_id.clone(),
            actor: actor.to_string(),
            score: e.score,
            events: in_seq_order(events),
        });
    }

    fn finish(self, _known: &Known<'_>) -> Vec<ReviewerConflictOfInterest> {
        self.found
    }

    fn summary(x: &ReviewerConflictOfInterest, w: &Messages<'_>) -> String {
        w.with(
            "summary-reviewer_conflict_of_interest",
            &[
                ("reviewer", x.reviewer_id.as_str().into()),
                ("application", x.application_id.as_str().into()),
                ("org", x.org_id.as_str().into()),
                ("score", x.score.to_string().into()),
                ("actor", format!("{:?}", x.actor).into()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_must_name_exactly_the_applying_organization() {
        assert!(acts_for("org:ORG-1:kim", "ORG-1"));
        assert!(acts_for("org:ORG-1", "ORG-1"));
        assert!(acts_for("org:O:1:kim", "O:1"));
        assert!(!acts_for("org:ORG-10:kim", "ORG-1"));
        assert!(!acts_for("org:ORG-1x", "ORG-1"));
        assert!(!acts_for("reviewer:ORG-1", "ORG-1"));
        assert!(!acts_for("ORG-1", "ORG-1"));
    }
}
