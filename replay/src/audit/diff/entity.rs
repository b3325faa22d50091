//! What a row of a view is about, and which of those an event touches: a
//! recall touches its award, application, organization, track and pool.

use gpu_ledger_domain::{Body, Event, Id};
use gpu_ledger_projections::{Catalog, ViewName};

/// What a row of a view is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Entity {
    /// The view as a whole.
    View,
    Pool(Id),
    Org(Id),
    Call(Id),
    Track(Id, Id),
    /// An organization's holding on a track: (org, call, track).
    OrgOnTrack(Id, Id, Id),
    Application(Id),
    Award(Id),
    Recall(Id),
}

impl Entity {
    pub(super) fn describe(&self, view: ViewName) -> String {
        match self {
            Entity::View => format!("the {view} view"),
            Entity::Pool(p) => format!("pool {p}"),
            Entity::Org(o) => format!("organization {o}"),
            Entity::Call(c) => format!("call {c}"),
            Entity::Track(c, t) => format!("track {c}/{t}"),
            Entity::OrgOnTrack(o, c, t) => format!("organization {o} on track {c}/{t}"),
            Entity::Application(a) => format!("application {a}"),
            Entity::Award(a) => format!("award {a}"),
            Entity::Recall(r) => format!("recall {r}"),
        }
    }
}

/// The entities `event` touches; `cat` is the catalog before it.
pub(super) fn touched(cat: &Catalog, event: &Event) -> Vec<Entity> {
    // An application's entities: itself, its organization, call and track.
    let of_app = |app: &Id, out: &mut Vec<Entity>| {
        if let Some(a) = cat.apps.get(app) {
            out.push(Entity::Application(app.clone()));
            out.push(Entity::Org(a.org_id.clone()));
            out.push(Entity::Call(a.call_id.clone()));
            out.push(Entity::Track(a.call_id.clone(), a.track_id.clone()));
        }
    };
    // What an award's holding touches beyond its application: its pool and
    // its organization's share of the track.
    let holding = |app: &Id, out: &mut Vec<Entity>| {
        of_app(app, out);
        if let Some(a) = cat.apps.get(app) {
            let track = cat.track(&a.call_id, &a.track_id);
            out.push(Entity::Pool(track.pool_id.clone()));
            out.push(Entity::OrgOnTrack(
                a.org_id.clone(),
                a.call_id.clone(),
                a.track_id.clone(),
            ));
        }
    };
    let award_app = |award: &Id| cat.awards.get(award).map(|a| a.application_id.clone());
    let mut out = Vec::new();
    match &event.body {
        Body::PoolRegistered(e) => out.push(Entity::Pool(e.pool_id.clone())),
        Body::PoolResized(e) => out.push(Entity::Pool(e.pool_id.clone())),
        Body::OrganizationRegistered(e) => out.push(Entity::Org(e.org_id.clone())),
        Body::CallOpened(e) => {
            out.push(Entity::Call(e.call_id.clone()));
            for t in &e.tracks {
                out.push(Entity::Track(e.call_id.clone(), t.track_id.clone()));
            }
        }
        Body::CallClosed(e) => out.push(Entity::Call(e.call_id.clone())),
        Body::ApplicationSubmitted(e) => {
            out.push(Entity::Application(e.application_id.clone()));
            out.push(Entity::Org(e.org_id.clone()));
            out.push(Entity::Call(e.call_id.clone()));
            out.push(Entity::Track(e.call_id.clone(), e.track_id.clone()));
        }
        Body::ScoreRecorded(e) => of_app(&e.application_id, &mut out),
        Body::ApplicationRejected(e) => of_app(&e.application_id, &mut out),
        Body::ApplicationWithdrawn(e) => of_app(&e.application_id, &mut out),
        Body::AwardGranted(e) => {
            out.push(Entity::Award(e.award_id.clone()));
            holding(&e.application_id, &mut out);
        }
        Body::Redistributed(e) => {
            out.push(Entity::Award(e.award_id.clone()));
            out.push(Entity::Recall(e.recall_id.clone()));
            holding(&e.application_id, &mut out);
        }
        Body::UtilizationReported(e) => out.push(Entity::Award(e.award_id.clone())),
        Body::RecallIssued(e) => {
            out.push(Entity::Recall(e.recall_id.clone()));
            out.push(Entity::Award(e.award_id.clone()));
            if let Some(app) = award_app(&e.award_id) {
                holding(&app, &mut out);
            }
        }
        Body::RecallReleased(e) => {
            out.push(Entity::Recall(e.recall_id.clone()));
            if let Some(r) = cat.recalls.get(&e.recall_id) {
                out.push(Entity::Pool(r.pool_id.clone()));
            }
        }
        Body::AwardEnded(e) => {
            out.push(Entity::Award(e.award_id.clone()));
            if let Some(app) = award_app(&e.award_id) {
                holding(&app, &mut out);
            }
        }
        Body::AwardSupplemented(e) => {
            out.push(Entity::Award(e.award_id.clone()));
            if let Some(app) = award_app(&e.award_id) {
                holding(&app, &mut out);
            }
        }
        Body::AwardExtended(e) => out.push(Entity::Award(e.award_id.clone())),
        Body::AppealFiled(e) => of_app(&e.application_id, &mut out),
        Body::AppealDecided(e) => {
            if let Some(app) = cat.appeals.get(&e.appeal_id) {
                of_app(app, &mut out);
            }
        }
        // What no view counts: the views do not change.
        Body::ReviewerRegistered(_)
        | Body::ConflictDeclared(_)
        | Body::RecallNoticed(_)
        | Body::ExemptionRequested(_)
        | Body::ExemptionDecided(_)
        | Body::OutputReported(_) => {}
    }
    out
}
