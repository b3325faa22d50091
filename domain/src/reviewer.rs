//! Reviewers and their conflicts of interest (vocabulary v2).
//!
//! Rules: a reviewer id is registered once, with its own organization where
//! given (which must exist). A conflict names a reviewer and exactly one
//! target, an application or an organization, which must exist; the same
//! reviewer and target are declared once, whatever the source. Neither
//! re-judges earlier scores (audits report those); from then on a score is
//! refused when its reviewer has a declared conflict with the application or
//! its organization, or is registered with the applying organization.

use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::vocabulary::declare;
use crate::vocabulary::word::word_enum;
use serde::Serialize;

declare! {
    /// `ReviewerRegistered`: an expert who scores applications.
    pub struct ReviewerRegistered {
        pub reviewer_id: Id,
        pub name: Text,
        /// The reviewer's own organization.
        pub org_id: Option<Id>,
    }
}

declare! {
    /// `ConflictDeclared`: a reviewer may not score an application, or any
    /// application of an organization.
    pub struct ConflictDeclared {
        pub conflict_id: Id,
        pub reviewer_id: Id,
        /// The application (exactly one of `application_id` and `org_id`).
        pub application_id: Option<Id>,
        /// The organization (exactly one of `application_id` and `org_id`).
        pub org_id: Option<Id>,
        pub source: ConflictSource,
    }
}

word_enum!(
    /// Who brought a conflict to light.
    ConflictSource {
        SelfDeclared = "self_declared",
        Reported = "reported",
        OfficeFound = "office_found",
    }
);

/// What a conflict is declared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Target {
    Application(u32),
    Organization(u32),
}

/// A broken reviewer or conflict rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum ReviewerError {
    #[error("reviewer {reviewer_id} is already registered")]
    #[serde(rename = "reviewer_already_registered")]
    AlreadyRegistered { reviewer_id: Id },

    #[error("conflict {conflict_id} already exists")]
    #[serde(rename = "conflict_already_exists")]
    ConflictAlreadyExists { conflict_id: Id },

    #[error(
        "conflict {conflict_id} must name exactly one of application_id and org_id (it names {named})"
    )]
    #[serde(rename = "conflict_target_not_one")]
    TargetNotOne {
        conflict_id: Id,
        named: &'static str,
    },

    #[error(
        "conflict {conflict_id}: reviewer {reviewer_id} already has a conflict declared with {target}"
    )]
    #[serde(rename = "conflict_already_declared")]
    AlreadyDeclared {
        conflict_id: Id,
        reviewer_id: Id,
        target: String,
    },

    #[error(
        "reviewer {reviewer_id} may not score application {application_id}: a conflict is declared with {target}"
    )]
    #[serde(rename = "reviewer_has_conflict")]
    HasConflict {
        reviewer_id: Id,
        application_id: Id,
        target: String,
    },

    #[error(
        "reviewer {reviewer_id} may not score application {application_id}: the reviewer is registered with its organization {org_id}"
    )]
    #[serde(rename = "reviewer_of_applying_organization")]
    OwnOrganization {
        reviewer_id: Id,
        application_id: Id,
        org_id: Id,
    },
}

/// What `ConflictDeclared` resolved.
pub(crate) struct Declaration {
    target: Target,
}

impl Programme {
    pub(crate) fn check_reviewer_registered(
        &self,
        e: &ReviewerRegistered,
    ) -> Result<Option<u32>, RuleError> {
        if self.reviewer_orgs.contains(&e.reviewer_id) {
            return Err(ReviewerError::AlreadyRegistered {
                reviewer_id: e.reviewer_id.clone(),
            }
            .into());
        }
        e.org_id
            .as_ref()
            .map(|org| self.find_organization(org, || format!("reviewer {}", e.reviewer_id)))
            .transpose()
    }

    pub(crate) fn apply_reviewer_registered(&mut self, e: &ReviewerRegistered, org: Option<u32>) {
        self.reviewer_orgs.insert(e.reviewer_id.clone(), org);
        self.record(|_| Change::ReviewerRegistered);
    }

    pub(crate) fn check_conflict_declared(
        &self,
        e: &ConflictDeclared,
    ) -> Result<Declaration, RuleError> {
        if self.conflicts.contains(&e.conflict_id) {
            return Err(ReviewerError::ConflictAlreadyExists {
                conflict_id: e.conflict_id.clone(),
            }
            .into());
        }
        let subject = || format!("conflict {}", e.conflict_id);
        let target = match (&e.application_id, &e.org_id) {
            (Some(app), None) => Target::Application(self.find_application(app, subject)?),
            (None, Some(org)) => Target::Organization(self.find_organization(org, subject)?),
            (named, _) => {
                return Err(ReviewerError::TargetNotOne {
                    conflict_id: e.conflict_id.clone(),
                    named: if named.is_some() { "both" } else { "neither" },
                }
                .into());
            }
        };
        if self.declared.contains(&(e.reviewer_id.clone(), target)) {
            return Err(ReviewerError::AlreadyDeclared {
                conflict_id: e.conflict_id.clone(),
                reviewer_id: e.reviewer_id.clone(),
                target: self.target_text(target),
            }
            .into());
        }
        Ok(Declaration { target })
    }

    pub(crate) fn apply_conflict_declared(&mut self, e: &ConflictDeclared, d: Declaration) {
        self.conflicts.insert(e.conflict_id.clone(), ());
        self.declared.insert((e.reviewer_id.clone(), d.target));
        self.record(|_| Change::ConflictAdded(e.reviewer_id.clone(), d.target));
    }

    /// Rule (v2): the reviewer has no declared conflict with the
    /// application or its organization, and is not registered with it.
    pub(crate) fn check_no_conflict(&self, reviewer_id: &Id, app: u32) -> Result<(), RuleError> {
        let org = self.applications.row(app).org;
        let application_id = || self.applications.id(app).clone();
        for target in [Target::Application(app), Target::Organization(org)] {
            if self.declared.contains(&(reviewer_id.clone(), target)) {
                return Err(ReviewerError::HasConflict {
                    reviewer_id: reviewer_id.clone(),
                    application_id: application_id(),
                    target: self.target_text(target),
                }
                .into());
            }
        }
        if let Some(r) = self.reviewer_orgs.find(reviewer_id)
            && *self.reviewer_orgs.row(r) == Some(org)
        {
            return Err(ReviewerError::OwnOrganization {
                reviewer_id: reviewer_id.clone(),
                application_id: application_id(),
                org_id: self.organizations.id(org).clone(),
            }
            .into());
        }
        Ok(())
    }

    fn target_text(&self, target: Target) -> String {
        match target {
            Target::Application(a) => format!("application {}", self.applications.id(a)),
            Target::Organization(o) => format!("organization {}", self.organizations.id(o)),
        }
    }
}
