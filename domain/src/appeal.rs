//! Appeals of rejections (vocabulary v2).
//!
//! Rules for `AppealFiled`: a new appeal id; the application is rejected;
//! its latest rejection was not appealed before; the appeal comes no later
//! than that rejection plus the call's `appeal_days` (default 14; 86,400 s
//! each, so the last instant is allowed). `AppealDecided` decides an open
//! appeal: upheld, the application is pending again (it keeps its scores and
//! may be scored, awarded or rejected anew, and appeal a new rejection);
//! dismissed, it stays rejected. Withdrawing a rejected application closes
//! its open appeal (see [`application`](crate::application)).

use crate::application::Status;
use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::timestamp::Timestamp;
use crate::vocabulary::declare;
use serde::Serialize;

declare! {
    /// `AppealFiled`: a rejected applicant asks for the rejection to be reviewed.
    pub struct AppealFiled {
        pub appeal_id: Id,
        pub application_id: Id,
        pub reason: Text,
    }
}

declare! {
    /// `AppealDecided`: the office decides an appeal.
    pub struct AppealDecided {
        pub appeal_id: Id,
        /// Upheld: the application is pending again; dismissed: it stays rejected.
        pub upheld: bool,
        pub reason: Text,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Appeal {
    pub application: u32,
    /// Filed and neither decided nor closed by a withdrawal.
    pub open: bool,
}

/// The default of a call's `appeal_days`.
pub const DEFAULT_APPEAL_DAYS: u32 = 14;

/// A broken appeal rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum AppealError {
    #[error("appeal {appeal_id} already exists")]
    #[serde(rename = "appeal_already_exists")]
    AlreadyExists { appeal_id: Id },

    #[error("{subject}: appeal {appeal_id} was never filed")]
    #[serde(rename = "unknown_appeal")]
    Unknown { subject: String, appeal_id: Id },

    #[error("appeal {appeal_id}: application {application_id} is {status}, not rejected")]
    #[serde(rename = "application_not_rejected")]
    NotRejected {
        appeal_id: Id,
        application_id: Id,
        status: Status,
    },

    #[error(
        "appeal {appeal_id}: the rejection of application {application_id} was appealed already"
    )]
    #[serde(rename = "rejection_already_appealed")]
    AlreadyAppealed { appeal_id: Id, application_id: Id },

    #[error(
        "appeal {appeal_id} comes after the {days} days call {call_id} allows after the rejection of application {application_id} (the last instant was {deadline})"
    )]
    #[serde(rename = "appeal_too_late")]
    TooLate {
        appeal_id: Id,
        application_id: Id,
        call_id: Id,
        days: u32,
        deadline: String,
    },

    #[error("appeal {appeal_id} is no longer open")]
    #[serde(rename = "appeal_not_open")]
    NotOpen { appeal_id: Id },
}

impl Programme {
    pub(crate) fn check_appeal_filed(
        &self,
        e: &AppealFiled,
        occurred_at: &Timestamp,
    ) -> Result<u32, RuleError> {
        if self.appeals.contains(&e.appeal_id) {
            return Err(AppealError::AlreadyExists {
                appeal_id: e.appeal_id.clone(),
            }
            .into());
        }
        let app = self.find_application(&e.application_id, || format!("appeal {}", e.appeal_id))?;
        let a = self.applications.row(app);
        let rejected_at = match (a.status, a.rejected_at) {
            (Status::Rejected, Some(at)) => at,
            (status, _) => {
                return Err(AppealError::NotRejected {
                    appeal_id: e.appeal_id.clone(),
                    application_id: e.application_id.clone(),
                    status,
                }
                .into());
            }
        };
        if a.appealed {
            return Err(AppealError::AlreadyAppealed {
                appeal_id: e.appeal_id.clone(),
                application_id: e.application_id.clone(),
            }
            .into());
        }
        let days = self.calls.row(a.call).appeal_days;
        let deadline = rejected_at.plus_days(days);
        if occurred_at.instant() > deadline {
            return Err(AppealError::TooLate {
                appeal_id: e.appeal_id.clone(),
                application_id: e.application_id.clone(),
                call_id: self.calls.id(a.call).clone(),
                days,
                deadline: crate::timestamp::utc_text(deadline),
            }
            .into());
        }
        Ok(app)
    }

    pub(crate) fn apply_appeal_filed(&mut self, e: &AppealFiled, app: u32) {
        let appeal = self.appeals.insert(
            e.appeal_id.clone(),
            Appeal {
                application: app,
                open: true,
            },
        );
        self.record(|_| Change::AppealAdded);
        let a = self.application_mut(app);
        a.appealed = true;
        a.open_appeal = Some(appeal);
    }

    pub(crate) fn check_appeal_decided(&self, e: &AppealDecided) -> Result<u32, RuleError> {
        let appeal = self
            .appeals
            .find(&e.appeal_id)
            .ok_or_else(|| AppealError::Unknown {
                subject: format!("the decision on appeal {}", e.appeal_id),
                appeal_id: e.appeal_id.clone(),
            })?;
        if !self.appeals.row(appeal).open {
            return Err(AppealError::NotOpen {
                appeal_id: e.appeal_id.clone(),
            }
            .into());
        }
        Ok(appeal)
    }

    pub(crate) fn apply_appeal_decided(&mut self, e: &AppealDecided, appeal: u32) {
        let app = self.appeals.row(appeal).application;
        self.close_appeal(appeal);
        if e.upheld {
            self.application_mut(app).status = Status::Pending;
        }
    }

    /// An appeal ends (decided, or its application withdrawn).
    pub(crate) fn close_appeal(&mut self, appeal: u32) {
        let app = self.appeals.row(appeal).application;
        self.appeal_mut(appeal).open = false;
        self.application_mut(app).open_appeal = None;
    }
}
