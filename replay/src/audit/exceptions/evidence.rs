//! The evidence every detector cites: per entity, the events that prove
//! what an exception says about it (a call's rules, an organization's
//! region, an application's scores and closing, an award's origin and
//! recalls); the order of the applications still waiting for GPUs; and the
//! last event seen, whose `occurred_at` is "now" at the end.
//!
//! Kept once for every detector and updated after they have all seen an
//! event, so each reads it as it was before that event. Memory grows with
//! entities: per application the events of its scores, per award its
//! origin and recalls.

use super::super::EventRef;
use super::super::integrity::Checked;
use super::super::rank::PendingOrder;
use gpu_ledger_domain::{Body, Id, Instant};
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::catalog::AppFacts;
use std::collections::HashMap;

/// What the detectors read besides the catalog.
#[derive(Debug, Default)]
pub struct Evidence {
    pub calls_opened: HashMap<Id, EventRef>,
    pub orgs_registered: HashMap<Id, EventRef>,
    pub apps: HashMap<Id, AppTrail>,
    pub awards: HashMap<Id, AwardTrail>,
    /// For rules decided at the moment of an event against the applications
    /// then waiting.
    pub pending: PendingOrder,
    /// The last event seen.
    pub end: Option<End>,
}

/// The evidence trail of an application: its submission, scores and closing.
#[derive(Debug, Default)]
pub struct AppTrail {
    pub submitted: Option<EventRef>,
    pub scores: Vec<EventRef>,
    /// Its rejection or withdrawal.
    pub closed: Option<EventRef>,
}

/// The evidence trail of an award.
#[derive(Debug)]
pub struct AwardTrail {
    /// The AwardGranted or Redistributed that created it.
    pub origin: EventRef,
    pub recalls: Vec<EventRef>,
}

/// The last event seen, and when it occurred (the text kept in one reused
/// buffer: this runs for every event).
#[derive(Debug)]
pub struct End {
    pub at: EventRef,
    pub occurred_at: Instant,
    pub occurred_at_text: String,
}

impl Evidence {
    /// Takes in one checked event; `cat` is the catalog before it.
    pub fn apply(&mut self, cat: &Catalog, step: &Checked<'_>) {
        let at = step.at();
        match &step.event.body {
            Body::OrganizationRegistered(e) => {
                self.orgs_registered.insert(e.org_id.clone(), at);
            }
            Body::CallOpened(e) => {
                self.calls_opened.insert(e.call_id.clone(), at);
            }
            Body::ApplicationSubmitted(e) => {
                self.apps
                    .entry(e.application_id.clone())
                    .or_default()
                    .submitted = Some(at);
            }
            Body::ScoreRecorded(e) => {
                let app = &cat.apps[&e.application_id];
                self.pending.scored(cat, &e.application_id, app, e.score);
                self.trail_mut(&e.application_id).scores.push(at);
            }
            Body::ApplicationRejected(e) => self.closed(cat, &e.application_id, at),
            Body::ApplicationWithdrawn(e) => self.closed(cat, &e.application_id, at),
            Body::AwardGranted(e) => {
                self.pending
                    .leaves(cat, &e.application_id, &cat.apps[&e.application_id]);
                self.awards.insert(e.award_id.clone(), AwardTrail::new(at));
            }
            Body::Redistributed(e) => {
                self.pending
                    .leaves(cat, &e.application_id, &cat.apps[&e.application_id]);
                self.awards.insert(e.award_id.clone(), AwardTrail::new(at));
            }
            Body::RecallIssued(e) => {
                if let Some(a) = self.awards.get_mut(&e.award_id) {
                    a.recalls.push(at);
                }
            }
            Body::PoolRegistered(_)
            | Body::PoolResized(_)
            | Body::CallClosed(_)
            | Body::UtilizationReported(_)
            | Body::RecallReleased(_)
            | Body::AwardEnded(_) => {}
            Body::ReviewerRegistered(_)
            | Body::ConflictDeclared(_)
            | Body::RecallNoticed(_)
            | Body::ExemptionRequested(_)
            | Body::ExemptionDecided(_)
            | Body::AppealFiled(_)
            | Body::AppealDecided(_)
            | Body::AwardExtended(_)
            | Body::AwardSupplemented(_)
            | Body::OutputReported(_) => {}
        }
        let when = &step.event.occurred_at;
        match &mut self.end {
            Some(end) => {
                (end.at, end.occurred_at) = (at, when.instant());
                end.occurred_at_text.clear();
                end.occurred_at_text.push_str(when.as_str());
            }
            None => {
                self.end = Some(End {
                    at,
                    occurred_at: when.instant(),
                    occurred_at_text: when.as_str().to_string(),
                });
            }
        }
    }

    fn closed(&mut self, cat: &Catalog, app: &Id, at: EventRef) {
        self.pending.leaves(cat, app, &cat.apps[app]);
        self.trail_mut(app).closed = Some(at);
    }

    /// An application's trail, made at its submission.
    fn trail_mut(&mut self, app: &Id) -> &mut AppTrail {
        if !self.apps.contains_key(app) {
            self.apps.insert(app.clone(), AppTrail::default());
        }
        self.apps.get_mut(app).expect("just made")
    }

    /// Every award with its trail, in the order they were made: the order
    /// of exceptions about awards.
    pub fn awards_in_order(&self) -> Vec<(&Id, &AwardTrail)> {
        let mut awards: Vec<_> = self.awards.iter().collect();
        awards.sort_by_key(|(_, t)| t.origin.seq);
        awards
    }

    /// The events that prove an application's rank: its organization's
    /// registration (its region) and every score.
    pub fn of_rank(&self, app_id: &Id, app: &AppFacts, out: &mut Vec<EventRef>) {
        out.extend(self.orgs_registered.get(&app.org_id));
        if let Some(t) = self.apps.get(app_id) {
            out.extend(&t.scores);
        }
    }
}

impl AwardTrail {
    fn new(origin: EventRef) -> Self {
        AwardTrail {
            origin,
            recalls: Vec::new(),
        }
    }
}

/// Evidence as an exception lists it: in seq order, each event once.
pub fn in_seq_order(mut events: Vec<EventRef>) -> Vec<EventRef> {
    events.sort();
    events.dedup();
    events
}
