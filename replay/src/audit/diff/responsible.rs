//! The events responsible for a view's rows: which views an event can
//! move, and per view and entity the first [`MAX_EVENTS_SHOWN`] events
//! between the points with their count.

use super::entity::{Entity, touched};
use super::{MAX_EVENTS_SHOWN, Responsible};
use gpu_ledger_domain::{Event, EventType};
use gpu_ledger_projections::{Catalog, ViewName};
use std::collections::HashMap;

/// Whether events of type `t` can change `view`.
fn moves(view: ViewName, t: EventType) -> bool {
    use EventType as E;
    match view {
        ViewName::Holdings => matches!(
            t,
            E::AwardGranted | E::Redistributed | E::RecallIssued | E::AwardEnded
        ),
        ViewName::Pools => matches!(
            t,
            E::PoolRegistered
                | E::PoolResized
                | E::AwardGranted
                | E::Redistributed
                | E::RecallIssued
                | E::RecallReleased
                | E::AwardEnded
        ),
        ViewName::Calls => matches!(
            t,
            E::CallOpened
                | E::CallClosed
                | E::ApplicationSubmitted
                | E::ApplicationWithdrawn
                | E::ApplicationRejected
                | E::AwardGranted
                | E::Redistributed
        ),
        ViewName::Ranking => matches!(
            t,
            E::ApplicationSubmitted
                | E::ScoreRecorded
                | E::ApplicationWithdrawn
                | E::ApplicationRejected
                | E::AwardGranted
                | E::Redistributed
        ),
        ViewName::Utilization => matches!(
            t,
            E::UtilizationReported
                | E::AwardGranted
                | E::Redistributed
                | E::RecallIssued
                | E::AwardEnded
        ),
        ViewName::Concentration => matches!(
            t,
            E::CallOpened | E::AwardGranted | E::Redistributed | E::RecallIssued | E::AwardEnded
        ),
        // Both are judged at the last event's business time: every event moves them.
        ViewName::Due | ViewName::Outputs => true,
        ViewName::Reviews => matches!(
            t,
            E::ScoreRecorded | E::ReviewerRegistered | E::ConflictDeclared
        ),
    }
}

/// Events between the points, per view and entity: the first few and a count.
#[derive(Debug, Default)]
pub(super) struct Touches {
    pub(super) by: HashMap<(ViewName, Entity), Touched>,
}

#[derive(Debug, Default, Clone)]
pub(super) struct Touched {
    pub(super) total: u64,
    pub(super) shown: Vec<Responsible>,
}

impl Touches {
    pub(super) fn record(
        &mut self,
        cat: &Catalog,
        views: &[ViewName],
        r: Responsible,
        event: &Event,
    ) {
        let moved: Vec<ViewName> = views
            .iter()
            .copied()
            .filter(|v| moves(*v, event.event_type()))
            .collect();
        if moved.is_empty() {
            return;
        }
        let entities = touched(cat, event);
        for view in moved {
            for entity in entities.iter().cloned().chain([Entity::View]) {
                let t = self.by.entry((view, entity)).or_default();
                t.total += 1;
                if t.shown.len() < MAX_EVENTS_SHOWN {
                    t.shown.push(r);
                }
            }
        }
    }
}
