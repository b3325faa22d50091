//! What each role may append (the table in [`auth`](super::auth)), checked
//! against the programme's state for the rights that depend on it (an
//! applicant withdraws only its own organization's applications), and the
//! `actor` each token appends as ([`actor_names`]): the audit reads the
//! actor (a reviewer's conflicts of interest, who decided what), so a token
//! may only name its own principal there.
//!
//! | role | `actor` |
//! | --- | --- |
//! | `office` | `msit`, or `msit:<person>` for the officer who entered it |
//! | `reviewer` | `reviewer:<reviewer id>` (its subject) |
//! | `applicant` | `org:<org id>` (its subject), or `org:<org id>:<person>` |
//! | `monitor` | `monitor`, or `monitor:<system>` |
//!
//! These are the forms of the example history and of the generated
//! workloads. Local mode (no tokens) and `import` check no actor: they are
//! the operator's own, and an imported ledger was already decided.

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

/// Checks that `actor` names the principal of the token appending it; the
/// forms each role may write when not (the table above).
pub fn actor_names(principal: &Principal, actor: &str) -> Result<(), String> {
    let role = match principal {
        Principal::Local => return Ok(()),
        Principal::Token { role, .. } => role,
    };
    // `prefix` alone, or `prefix:<one more non-empty part>` when `person`.
    let is = |prefix: &str, person: bool| match actor.strip_prefix(prefix) {
        Some("") => true,
        Some(rest) => person && rest.strip_prefix(':').is_some_and(|p| !p.is_empty()),
        None => false,
    };
    let (ok, forms) = match role {
        Role::Office => (is("msit", true), "`msit` or `msit:<person>`".to_string()),
        Role::Reviewer(me) => (
            is(&format!("reviewer:{me}"), false),
            format!("`reviewer:{me}`"),
        ),
        Role::Applicant(org) => (
            is(&format!("org:{org}"), true),
            format!("`org:{org}` or `org:{org}:<person>`"),
        ),
        Role::Monitor => (
            is("monitor", true),
            "`monitor` or `monitor:<system>`".to_string(),
        ),
        Role::Auditor | Role::Analyst => (false, "nothing (read only)".to_string()),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the actor {actor:?} is not this token's principal: the {role} token appends as {forms}"
        ))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn token(role: &str, subject: Option<&str>) -> Principal {
        Principal::Token {
            role: Role::parse(role, subject).unwrap(),
            token_id: "t".into(),
        }
    }

    #[test]
    fn each_role_names_only_its_own_principal_as_actor() {
        let office = token("office", None);
        let reviewer = token("reviewer", Some("r-001"));
        let applicant = token("applicant", Some("ORG-1"));
        let monitor = token("monitor", None);
        for (p, actor) in [
            (&office, "msit"),
            (&office, "msit:kim.seoyeon"),
            (&reviewer, "reviewer:r-001"),
            (&applicant, "org:ORG-1"),
            (&applicant, "org:ORG-1:park"),
            (&monitor, "monitor"),
            (&monitor, "monitor:collector-2"),
            (&Principal::Local, "anyone at all"),
        ] {
            assert_eq!(actor_names(p, actor), Ok(()), "{actor}");
        }
        for (p, actor) in [
            (&office, "msitx"),
            (&office, "msit:"),
            (&office, "reviewer:r-001"),
            (&reviewer, "msit"),
            (&reviewer, "reviewer:r-0011"),
            (&reviewer, "reviewer:r-001:x"),
            (&reviewer, "reviewer:r-999"),
            (&applicant, "org:ORG-10"),
            (&applicant, "org:ORG-1:"),
            (&applicant, "msit"),
            (&monitor, "msit"),
        ] {
            assert!(actor_names(p, actor).is_err(), "{actor}");
        }
        insta::assert_snapshot!(
            actor_names(&reviewer, "reviewer:r-999").unwrap_err(),
            @r#"the actor "reviewer:r-999" is not this token's principal: the reviewer r-001 token appends as `reviewer:r-001`"#
        );
        insta::assert_snapshot!(
            actor_names(&applicant, "msit").unwrap_err(),
            @r#"the actor "msit" is not this token's principal: the applicant ORG-1 token appends as `org:ORG-1` or `org:ORG-1:<person>`"#
        );
    }
}
