//! What each role may append (the table in [`auth`](super::auth)), checked
//! against the programme's state for the rights that depend on it (an
//! applicant withdraws only its own organization's applications).

use super::auth::{Principal, Role};
use gpu_ledger_domain::{Body, Event, EventType, Programme};

/// Checks that `principal` may append `event`; the reason when not.
pub fn may_append(
    principal: &Principal,
    event: &Event,
    programme: &Programme,
) -> Result<(), String> {
    let role = match principal {
        Principal::Local => return Ok(()),
        Principal::Token { role, .. } => role,
    };
    let t = event.event_type();
    let allowed = match role {
        Role::Office => matches!(
            t,
            EventType::PoolRegistered
                | EventType::PoolResized
                | EventType::OrganizationRegistered
                | EventType::CallOpened
                | EventType::CallClosed
                | EventType::ApplicationRejected
                | EventType::AwardGranted
                | EventType::RecallIssued
                | EventType::Redistributed
                | EventType::RecallReleased
                | EventType::AwardEnded
        ),
        Role::Reviewer(me) => match &event.body {
            Body::ScoreRecorded(s) if s.reviewer_id == *me => true,
            Body::ScoreRecorded(s) => {
                return Err(format!(
                    "reviewer {me} may not record a score for reviewer {}",
                    s.reviewer_id
                ));
            }
            _ => false,
        },
        Role::Applicant(org) => match &event.body {
            Body::ApplicationSubmitted(a) if a.org_id == *org => true,
            Body::ApplicationSubmitted(a) => {
                return Err(format!(
                    "applicant {org} may not submit an application for organization {}",
                    a.org_id
                ));
            }
            Body::ApplicationWithdrawn(w) => {
                match programme.application_org(w.application_id.as_str()) {
                    Some(owner) if owner == org => true,
                    Some(owner) => {
                        return Err(format!(
                            "applicant {org} may not withdraw application {}, which belongs to organization {owner}",
                            w.application_id
                        ));
                    }
                    // Unknown application: let the rules say so.
                    None => true,
                }
            }
            _ => false,
        },
        Role::Monitor => t == EventType::UtilizationReported,
        Role::Auditor | Role::Analyst => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(format!("the {role} role may not append {t} events"))
    }
}
