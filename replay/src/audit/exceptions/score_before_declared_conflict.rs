//! `score_before_declared_conflict`: a `ScoreRecorded` by a reviewer who
//! later declared (or was found to have) a conflict with that application
//! or with its organization. The rules refuse a score after such a
//! declaration but never re-judge earlier ones; the audit reports them.
//!
//! Decided at the `ConflictDeclared`, against the reviewer's earlier
//! scores; one per score, citing the first conflict that covers it. Per
//! reviewer, the scores not yet covered are kept (memory grows with
//! scores).

use super::super::EventRef;
use super::super::integrity::Checked;
use super::evidence::in_seq_order;
use super::{Detector, Known};
use crate::language::Messages;
use gpu_ledger_domain::{Body, Id};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreBeforeDeclaredConflict {
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    pub reviewer_id: Id,
    pub score: u32,
    pub conflict_id: Id,
    /// `application` or `organization`: what the conflict was declared with.
    pub conflict_with: &'static str,
    pub source: &'static str,
    /// The application's submission (its organization), the score and the
    /// conflict's declaration.
    pub events: Vec<EventRef>,
}

/// A score not yet covered by a conflict.
#[derive(Debug)]
struct Scored {
    application_id: Id,
    score: u32,
    at: EventRef,
}

#[derive(Debug, Default)]
pub struct Detect {
    scores: HashMap<Id, Vec<Scored>>,
    /// With the seq of the score, the order reports list them in.
    found: Vec<(u64, ScoreBeforeDeclaredConflict)>,
}

impl Detector for Detect {
    type Found = ScoreBeforeDeclaredConflict;

    fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
        match &step.event.body {
            Body::ScoreRecorded(e) => {
                self.scores
                    .entry(e.reviewer_id.clone())
                    .or_default()
                    .push(Scored {
                        application_id: e.application_id.clone(),
                        score: e.score,
                        at: step.at(),
                    });
            }
            Body::ConflictDeclared(e) => {
                let Some(scores) = self.scores.get_mut(&e.reviewer_id) else {
                    return;
                };
                let cat = known.catalog;
                let (covered, kept): (Vec<Scored>, _) =
                    std::mem::take(scores).into_iter().partition(|s| {
                        e.application_id.as_ref() == Some(&s.application_id)
                            || e.org_id.as_ref() == Some(&cat.apps[&s.application_id].org_id)
                    });
                *scores = kept;
                for s in covered {
                    let app = &cat.apps[&s.application_id];
                    let submitted = known
                        .evidence
                        .apps
                        .get(&s.application_id)
                        .and_then(|t| t.submitted);
                    let mut events = vec![s.at, step.at()];
                    events.extend(submitted);
                    self.found.push((
                        s.at.seq,
                        ScoreBeforeDeclaredConflict {
                            org_id: app.org_id.clone(),
                            call_id: app.call_id.clone(),
                            track_id: app.track_id.clone(),
                            application_id: s.application_id,
                            reviewer_id: e.reviewer_id.clone(),
                            score: s.score,
                            conflict_id: e.conflict_id.clone(),
                            conflict_with: if e.application_id.is_some() {
                                "application"
                            } else {
                                "organization"
                            },
                            source: e.source.as_str(),
                            events: in_seq_order(events),
                        },
                    ));
                }
            }
            _ => {}
        }
    }

    fn finish(mut self, _known: &Known<'_>) -> Vec<ScoreBeforeDeclaredConflict> {
        self.found.sort_by_key(|(seq, _)| *seq);
        self.found.into_iter().map(|(_, x)| x).collect()
    }

    fn summary(x: &ScoreBeforeDeclaredConflict, w: &Messages<'_>) -> String {
        w.with(
            "summary-score_before_declared_conflict",
            &[
                ("reviewer", x.reviewer_id.as_str().into()),
                ("application", x.application_id.as_str().into()),
                ("org", x.org_id.as_str().into()),
                ("score", x.score.to_string().into()),
                ("conflict", x.conflict_id.as_str().into()),
                ("source", x.source.to_string().into()),
                ("with", super::super::words::word(w, x.conflict_with).into()),
            ],
        )
    }
}
