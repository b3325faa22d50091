//! What each role may append (the table in [`auth`](super::auth)), checked
//! against the programme's state for the rights that depend on it (an
//! applicant withdraws only its own organization's applications).

use super::auth::{Principal, Role};
use gpu_ledger_domain::reviewer::ConflictSource;
use gpu_ledger_domain::{Body, Event, EventType, Id, Programme};

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
        Role::Office => {
            matches!(
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
                    | EventType::ReviewerRegistered
                    | EventType::RecallNoticed
                    | EventType::ExemptionDecided
                    | EventType::AppealDecided
                    | EventType::AwardExtended
                    | EventType::AwardSupplemented
            ) || match &event.body {
                Body::ConflictDeclared(c) if c.source == ConflictSource::SelfDeclared => {
                    return Err(
                    "the office declares conflicts it was told of (reported) or found (office_found); a reviewer declares its own (self_declared)"
                        .into(),
                );
                }
                Body::ConflictDeclared(_) => true,
                _ => false,
            }
        }
        Role::Reviewer(me) => match &event.body {
            Body::ScoreRecorded(s) if s.reviewer_id == *me => true,
            Body::ScoreRecorded(s) => {
                return Err(format!(
                    "reviewer {me} may not record a score for reviewer {}",
                    s.reviewer_id
                ));
            }
            Body::ConflictDeclared(c) if c.reviewer_id != *me => {
                return Err(format!(
                    "reviewer {me} may not declare a conflict for reviewer {}",
                    c.reviewer_id
                ));
            }
            Body::ConflictDeclared(c) if c.source != ConflictSource::SelfDeclared => {
                return Err(format!(
                    "reviewer {me} declares its own conflicts as self_declared, not {}",
                    c.source
                ));
            }
            Body::ConflictDeclared(_) => true,
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
            Body::AppealFiled(a) => owned_by(
                org,
                programme.application_org(a.application_id.as_str()),
                || format!("appeal the rejection of application {}", a.application_id),
            )?,
            Body::ExemptionRequested(x) => {
                owned_by(org, programme.notice_org(x.notice_id.as_str()), || {
                    format!("ask an exemption from notice {}", x.notice_id)
                })?
            }
            Body::OutputReported(o) => {
                owned_by(org, programme.award_org(o.award_id.as_str()), || {
                    format!("report an output of award {}", o.award_id)
                })?
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

/// Whether applicant `org` may act on what `owner` owns (an unknown target
/// is left to the rules to refuse); the refusal says what it tried.
fn owned_by(org: &Id, owner: Option<&Id>, what: impl FnOnce() -> String) -> Result<bool, String> {
    match owner {
        Some(owner) if owner != org => Err(format!(
            "applicant {org} may not {}, which belongs to organization {owner}",
            what()
        )),
        _ => Ok(true),
    }
}
