//! Recall notices and exemptions (vocabulary v2): the office gives notice
//! before it recalls, and hears the holder.
//!
//! Rules for `RecallNoticed`: a new notice id; the award is active and has
//! no open notice; whole servers, no more than the award holds; where the
//! award's call has `recall_notice_days`, `respond_by` is at least that many
//! days (86,400 s each) after the notice, else simply after it.
//!
//! A notice is **open** from its `RecallNoticed` until an exemption is
//! granted on it, a recall cites it, or its award stops being active; only
//! an award's latest notice can be open, and a closed notice never reopens.
//! A notice takes one exemption request, ever, made no later than
//! `respond_by`; `ExemptionDecided` needs only an undecided request (the
//! notice may have closed since). A recall that cites a notice is checked
//! in [`recall`](crate::recall).

use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::timestamp::{Instant, Timestamp};
use crate::vocabulary::word::word_enum;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `RecallNoticed`: the office tells a holder that GPUs may be recalled.
    pub struct RecallNoticed {
        pub notice_id: Id,
        pub award_id: Id,
        pub gpus: u32 = ValueRule::Gpus,
        pub reason: NoticeReason,
        /// The last instant the holder may ask for an exemption.
        pub respond_by: Timestamp,
    }
}

declare! {
    /// `ExemptionRequested`: the holder asks not to be recalled.
    pub struct ExemptionRequested {
        pub notice_id: Id,
        pub reason: Text,
    }
}

declare! {
    /// `ExemptionDecided`: the office grants or refuses the request.
    pub struct ExemptionDecided {
        pub notice_id: Id,
        /// Granted: the notice closes and no recall may cite it.
        pub granted: bool,
        pub reason: Text,
    }
}

word_enum!(
    /// Why a recall is noticed.
    NoticeReason {
        Underutilization = "underutilization",
        OffPurposeUse = "off_purpose_use",
        Other = "other",
    }
);

/// Where a notice's exemption stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Exemption {
    NotRequested,
    Requested,
    Granted,
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Notice {
    pub award: u32,
    pub gpus: u32,
    pub reason: NoticeReason,
    pub respond_by: Instant,
    pub exemption: Exemption,
    /// Closed by a granted exemption or a recall citing it.
    pub closed: bool,
}

/// A broken notice or exemption rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum NoticeError {
    #[error("notice {notice_id} already exists")]
    #[serde(rename = "notice_already_exists")]
    AlreadyExists { notice_id: Id },

    #[error("{subject}: notice {notice_id} was never given")]
    #[serde(rename = "unknown_notice")]
    Unknown { subject: String, notice_id: Id },

    #[error("notice {notice_id}: award {award_id} already has notice {open_notice_id} open")]
    #[serde(rename = "notice_already_open")]
    AlreadyOpen {
        notice_id: Id,
        award_id: Id,
        open_notice_id: Id,
    },

    #[error("notice {notice_id} names {gpus} GPUs but award {award_id} holds {held}")]
    #[serde(rename = "notice_exceeds_holding")]
    ExceedsHolding {
        notice_id: Id,
        award_id: Id,
        gpus: u32,
        held: u32,
    },

    #[error(
        "notice {notice_id} asks a response by {respond_by}, before the {days} days call {call_id} gives a holder (from {occurred_at})"
    )]
    #[serde(rename = "notice_period_too_short")]
    PeriodTooShort {
        notice_id: Id,
        call_id: Id,
        days: u32,
        occurred_at: Timestamp,
        respond_by: Timestamp,
    },

    #[error(
        "notice {notice_id} asks a response by {respond_by}, which is not after the notice ({occurred_at})"
    )]
    #[serde(rename = "respond_by_not_after_notice")]
    RespondByNotAfter {
        notice_id: Id,
        occurred_at: Timestamp,
        respond_by: Timestamp,
    },

    #[error("{subject} needs notice {notice_id} open, but it {why}")]
    #[serde(rename = "notice_not_open")]
    NotOpen {
        subject: String,
        notice_id: Id,
        why: &'static str,
    },

    #[error("notice {notice_id} already has an exemption request")]
    #[serde(rename = "exemption_already_requested")]
    AlreadyRequested { notice_id: Id },

    #[error("the exemption request on notice {notice_id} comes after its respond_by")]
    #[serde(rename = "exemption_request_too_late")]
    RequestTooLate { notice_id: Id },

    #[error("notice {notice_id} has no exemption request to decide")]
    #[serde(rename = "no_exemption_request")]
    NoRequest { notice_id: Id },

    #[error("the exemption request on notice {notice_id} is already decided")]
    #[serde(rename = "exemption_already_decided")]
    AlreadyDecided { notice_id: Id },
}

impl Programme {
    pub(crate) fn find_notice(
        &self,
        notice_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<u32, RuleError> {
        self.notices.find(notice_id).ok_or_else(|| {
            NoticeError::Unknown {
                subject: subject(),
                notice_id: notice_id.clone(),
            }
            .into()
        })
    }

    /// Why `notice` is not open, if it is not.
    pub(crate) fn notice_closed_because(&self, notice: u32) -> Option<&'static str> {
        let n = self.notices.row(notice);
        let a = self.awards.row(n.award);
        if n.exemption == Exemption::Granted {
            Some("was exempted")
        } else if n.closed {
            Some("was carried out by a recall")
        } else if !a.active() {
            Some("is on an award that is no longer active")
        } else if a.latest_notice != Some(notice) {
            Some("is not the award's latest notice")
        } else {
            None
        }
    }

    /// Rule: the notice is open.
    pub(crate) fn check_notice_open(
        &self,
        notice: u32,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        match self.notice_closed_because(notice) {
            None => Ok(()),
            Some(why) => Err(NoticeError::NotOpen {
                subject: subject(),
                notice_id: self.notices.id(notice).clone(),
                why,
            }
            .into()),
        }
    }

    pub(crate) fn check_recall_noticed(
        &self,
        e: &RecallNoticed,
        occurred_at: &Timestamp,
    ) -> Result<u32, RuleError> {
        if self.notices.contains(&e.notice_id) {
            return Err(NoticeError::AlreadyExists {
                notice_id: e.notice_id.clone(),
            }
            .into());
        }
        let subject = || format!("notice {}", e.notice_id);
        let award = self.find_award(&e.award_id, subject)?;
        self.check_active(award, subject)?;
        let a = *self.awards.row(award);
        if let Some(open) = a.latest_notice
            && self.notice_closed_because(open).is_none()
        {
            return Err(NoticeError::AlreadyOpen {
                notice_id: e.notice_id.clone(),
                award_id: e.award_id.clone(),
                open_notice_id: self.notices.id(open).clone(),
            }
            .into());
        }
        if e.gpus > a.held {
            return Err(NoticeError::ExceedsHolding {
                notice_id: e.notice_id.clone(),
                award_id: e.award_id.clone(),
                gpus: e.gpus,
                held: a.held,
            }
            .into());
        }
        self.check_whole_servers(a.pool, e.gpus.into(), subject)?;
        let call = self.applications.row(a.application).call;
        match self.calls.row(call).recall_notice_days {
            Some(days) if e.respond_by.instant() < occurred_at.instant().plus_days(days) => {
                Err(NoticeError::PeriodTooShort {
                    notice_id: e.notice_id.clone(),
                    call_id: self.calls.id(call).clone(),
                    days,
                    occurred_at: occurred_at.clone(),
                    respond_by: e.respond_by.clone(),
                }
                .into())
            }
            None if e.respond_by.instant() <= occurred_at.instant() => {
                Err(NoticeError::RespondByNotAfter {
                    notice_id: e.notice_id.clone(),
                    occurred_at: occurred_at.clone(),
                    respond_by: e.respond_by.clone(),
                }
                .into())
            }
            _ => Ok(award),
        }
    }

    pub(crate) fn apply_recall_noticed(&mut self, e: &RecallNoticed, award: u32) {
        let notice = self.notices.insert(
            e.notice_id.clone(),
            Notice {
                award,
                gpus: e.gpus,
                reason: e.reason,
                respond_by: e.respond_by.instant(),
                exemption: Exemption::NotRequested,
                closed: false,
            },
        );
        self.record(|_| Change::NoticeAdded);
        self.award_mut(award).latest_notice = Some(notice);
    }

    pub(crate) fn check_exemption_requested(
        &self,
        e: &ExemptionRequested,
        occurred_at: &Timestamp,
    ) -> Result<u32, RuleError> {
        let subject = || format!("the exemption request on notice {}", e.notice_id);
        let notice = self.find_notice(&e.notice_id, subject)?;
        self.check_notice_open(notice, subject)?;
        let n = self.notices.row(notice);
        if n.exemption != Exemption::NotRequested {
            return Err(NoticeError::AlreadyRequested {
                notice_id: e.notice_id.clone(),
            }
            .into());
        }
        if occurred_at.instant() > n.respond_by {
            return Err(NoticeError::RequestTooLate {
                notice_id: e.notice_id.clone(),
            }
            .into());
        }
        Ok(notice)
    }

    pub(crate) fn apply_exemption_requested(&mut self, notice: u32) {
        self.notice_mut(notice).exemption = Exemption::Requested;
    }

    pub(crate) fn check_exemption_decided(&self, e: &ExemptionDecided) -> Result<u32, RuleError> {
        let subject = || format!("the exemption decision on notice {}", e.notice_id);
        let notice = self.find_notice(&e.notice_id, subject)?;
        match self.notices.row(notice).exemption {
            Exemption::Requested => Ok(notice),
            Exemption::NotRequested => Err(NoticeError::NoRequest {
                notice_id: e.notice_id.clone(),
            }
            .into()),
            Exemption::Granted | Exemption::Refused => Err(NoticeError::AlreadyDecided {
                notice_id: e.notice_id.clone(),
            }
            .into()),
        }
    }

    pub(crate) fn apply_exemption_decided(&mut self, e: &ExemptionDecided, notice: u32) {
        self.notice_mut(notice).exemption = if e.granted {
            Exemption::Granted
        } else {
            Exemption::Refused
        };
    }
}
