//! Applications (proposals): submitted to a track of an open call, scored,
//! then awarded, rejected or withdrawn.
//!
//! Rules: an application id is submitted once, to an open call and one of its
//! tracks, by a registered organization whose sector (and size, where the
//! track lists sizes) is eligible, for whole servers of the track's pool. It
//! is **pending** until awarded, rejected or withdrawn. Only a pending
//! application can be rejected; it can be withdrawn while pending, or once
//! awarded if none of its awards is active any more.

use crate::id::Id;
use crate::organization::{Sector, Size, word_enum};
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::timestamp::Instant;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `ApplicationSubmitted`: a proposal to a track of an open call.
    pub struct ApplicationSubmitted {
        pub application_id: Id,
        pub call_id: Id,
        pub track_id: Id,
        pub org_id: Id,
        pub title: Text,
        pub purpose: Purpose,
        /// A multiple of the track's pool's `gpus_per_server`.
        pub requested_gpus: u32 = ValueRule::Gpus,
    }
}

declare! {
    /// `ApplicationWithdrawn`: the applicant withdraws.
    pub struct ApplicationWithdrawn {
        pub application_id: Id,
        pub reason: Text,
    }
}

declare! {
    /// `ApplicationRejected`: not selected.
    pub struct ApplicationRejected {
        pub application_id: Id,
        pub reason: Text,
    }
}

word_enum!(
    /// What the GPUs are for.
    Purpose {
        Research = "research",
        ServiceDevelopment = "service_development",
        ModelDevelopment = "model_development",
    }
);

word_enum!(
    /// Where an application stands.
    Status { Pending = "pending", Awarded = "awarded", Rejected = "rejected", Withdrawn = "withdrawn" }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Application {
    pub call: u32,
    pub track: u32,
    pub org: u32,
    pub requested: u32,
    pub status: Status,
    /// Number of scores recorded.
    pub reviews: u32,
    /// GPUs held by this application's active awards.
    pub held: u64,
    /// Business time of its latest rejection (v2: appeals count from it).
    pub rejected_at: Option<Instant>,
    /// Its latest rejection was appealed.
    pub appealed: bool,
    /// Its appeal still open.
    pub open_appeal: Option<u32>,
}

/// A broken application rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum ApplicationError {
    #[error("application {application_id} is already submitted")]
    #[serde(rename = "application_already_submitted")]
    AlreadySubmitted { application_id: Id },

    #[error("{subject}: application {application_id} was never submitted")]
    #[serde(rename = "unknown_application")]
    Unknown { subject: String, application_id: Id },

    #[error(
        "application {application_id}: organization {org_id} is in sector {sector}, which track {track_id} of call {call_id} does not admit"
    )]
    #[serde(rename = "sector_not_eligible")]
    SectorNotEligible {
        application_id: Id,
        org_id: Id,
        sector: Sector,
        call_id: Id,
        track_id: Id,
    },

    #[error(
        "application {application_id}: organization {org_id} is of size {size}, which track {track_id} of call {call_id} does not admit"
    )]
    #[serde(rename = "size_not_eligible")]
    SizeNotEligible {
        application_id: Id,
        org_id: Id,
        size: Size,
        call_id: Id,
        track_id: Id,
    },

    #[error("{subject} needs application {application_id} pending, but it is {status}")]
    #[serde(rename = "application_not_pending")]
    NotPending {
        subject: String,
        application_id: Id,
        status: Status,
    },

    #[error(
        "application {application_id} cannot be withdrawn: it is {status} and its active awards hold {held} GPUs"
    )]
    #[serde(rename = "application_not_withdrawable")]
    NotWithdrawable {
        application_id: Id,
        status: Status,
        held: u64,
    },
}

/// What `ApplicationSubmitted` resolved.
pub(crate) struct Submission {
    call: u32,
    track: u32,
    org: u32,
}

impl Programme {
    pub(crate) fn find_application(
        &self,
        application_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<u32, RuleError> {
        self.applications.find(application_id).ok_or_else(|| {
            ApplicationError::Unknown {
                subject: subject(),
                application_id: application_id.clone(),
            }
            .into()
        })
    }

    /// Rule: the application is still pending.
    pub(crate) fn check_pending(
        &self,
        app: u32,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        let status = self.applications.row(app).status;
        if status != Status::Pending {
            return Err(ApplicationError::NotPending {
                subject: subject(),
                application_id: self.applications.id(app).clone(),
                status,
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn check_application_submitted(
        &self,
        e: &ApplicationSubmitted,
    ) -> Result<Submission, RuleError> {
        if self.applications.contains(&e.application_id) {
            return Err(ApplicationError::AlreadySubmitted {
                application_id: e.application_id.clone(),
            }
            .into());
        }
        let subject = || format!("application {}", e.application_id);
        let call = self.find_call(&e.call_id, subject)?;
        if !self.calls.row(call).open {
            return Err(crate::call::CallError::NotOpen {
                subject: subject(),
                call_id: e.call_id.clone(),
            }
            .into());
        }
        let track = self.find_track(call, &e.track_id, subject)?;
        let org = self.organizations.find(&e.org_id).ok_or_else(|| {
            crate::organization::OrganizationError::Unknown {
                subject: subject(),
                org_id: e.org_id.clone(),
            }
        })?;
        let o = self.organizations.row(org);
        let t = &self.tracks[track as usize];
        if t.sectors & o.sector.bit() == 0 {
            return Err(ApplicationError::SectorNotEligible {
                application_id: e.application_id.clone(),
                org_id: e.org_id.clone(),
                sector: o.sector,
                call_id: e.call_id.clone(),
                track_id: e.track_id.clone(),
            }
            .into());
        }
        if t.sizes.is_some_and(|sizes| sizes & o.size.bit() == 0) {
            return Err(ApplicationError::SizeNotEligible {
                application_id: e.application_id.clone(),
                org_id: e.org_id.clone(),
                size: o.size,
                call_id: e.call_id.clone(),
                track_id: e.track_id.clone(),
            }
            .into());
        }
        self.check_whole_servers(t.pool, e.requested_gpus.into(), subject)?;
        Ok(Submission { call, track, org })
    }

    pub(crate) fn apply_application_submitted(&mut self, e: &ApplicationSubmitted, s: Submission) {
        self.applications.insert(
            e.application_id.clone(),
            Application {
                call: s.call,
                track: s.track,
                org: s.org,
                requested: e.requested_gpus,
                status: Status::Pending,
                reviews: 0,
                held: 0,
                rejected_at: None,
                appealed: false,
                open_appeal: None,
            },
        );
        self.record(|_| Change::ApplicationAdded);
    }

    pub(crate) fn check_application_withdrawn(
        &self,
        e: &ApplicationWithdrawn,
    ) -> Result<u32, RuleError> {
        let app = self.find_application(&e.application_id, || {
            format!("the withdrawal of application {}", e.application_id)
        })?;
        let a = self.applications.row(app);
        let withdrawable = match a.status {
            Status::Pending => true,
            Status::Awarded => a.held == 0,
            // v2: while an appeal of the rejection is open (which it closes).
            Status::Rejected => a.open_appeal.is_some(),
            Status::Withdrawn => false,
        };
        if !withdrawable {
            return Err(ApplicationError::NotWithdrawable {
                application_id: e.application_id.clone(),
                status: a.status,
                held: a.held,
            }
            .into());
        }
        Ok(app)
    }

    pub(crate) fn check_application_rejected(
        &self,
        e: &ApplicationRejected,
    ) -> Result<u32, RuleError> {
        let subject = || format!("the rejection of application {}", e.application_id);
        let app = self.find_application(&e.application_id, subject)?;
        self.check_pending(app, subject)?;
        Ok(app)
    }

    pub(crate) fn apply_application_withdrawn(&mut self, app: u32) {
        if let Some(appeal) = self.applications.row(app).open_appeal {
            self.close_appeal(appeal);
        }
        self.application_mut(app).status = Status::Withdrawn;
    }

    pub(crate) fn apply_application_rejected(&mut self, app: u32, occurred_at: Instant) {
        let a = self.application_mut(app);
        a.status = Status::Rejected;
        a.rejected_at = Some(occurred_at);
        a.appealed = false;
    }
}
