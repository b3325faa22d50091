//! Recalls of underused or misused GPUs, and the release of recalled GPUs
//! that nobody receives.
//!
//! Rules for `RecallIssued`: a new recall id; the award is active; whole
//! servers, no more than the award holds. Recalled GPUs wait in their pool
//! for redistribution. v2: a recall that cites a notice carries it out: the
//! notice is open and on the same award, the reasons agree, it takes no more
//! than the notice named, an exemption request on it was refused (an
//! undecided one blocks it) or, with none, `respond_by` has passed; the
//! notice then closes. Without a notice, a recall for any reason but
//! `withdrawal` of an award whose call has `recall_notice_days` is refused. `RecallReleased` returns whole servers of a recall's
//! waiting GPUs to the pool's free capacity.

use crate::id::Id;
use crate::notice::{Exemption, NoticeReason};
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::timestamp::{Timestamp, utc_text};
use crate::vocabulary::word::word_enum;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `RecallIssued`: GPUs taken back from an award; they wait in the pool
    /// for redistribution.
    pub struct RecallIssued {
        pub recall_id: Id,
        pub award_id: Id,
        pub gpus: u32 = ValueRule::Gpus,
        pub reason: RecallReason,
        /// v2: the notice this recall carries out.
        pub notice_id: Option<Id>,
    }
}

declare! {
    /// `RecallReleased`: recalled GPUs that nobody receives become free again.
    pub struct RecallReleased {
        pub recall_id: Id,
        pub gpus: u32 = ValueRule::Gpus,
        pub reason: Text,
    }
}

word_enum!(
    /// Why GPUs are recalled.
    RecallReason {
        Underutilization = "underutilization",
        OffPurposeUse = "off_purpose_use",
        Withdrawal = "withdrawal",
        Other = "other",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Recall {
    pub award: u32,
    pub pool: u32,
    pub gpus: u32,
    /// Recalled GPUs neither redistributed nor released yet.
    pub awaiting: u32,
}

/// A broken recall rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum RecallError {
    #[error("recall {recall_id} already exists")]
    #[serde(rename = "recall_already_exists")]
    AlreadyExists { recall_id: Id },

    #[error("{subject}: recall {recall_id} was never issued")]
    #[serde(rename = "unknown_recall")]
    Unknown { subject: String, recall_id: Id },

    #[error("recall {recall_id} asks {gpus} GPUs back but award {award_id} holds {held}")]
    #[serde(rename = "recall_exceeds_holding")]
    ExceedsHolding {
        recall_id: Id,
        award_id: Id,
        gpus: u32,
        held: u32,
    },

    #[error(
        "{subject} moves {gpus} GPUs but recall {recall_id} has {awaiting} awaiting redistribution"
    )]
    #[serde(rename = "exceeds_awaiting_redistribution")]
    ExceedsAwaiting {
        subject: String,
        recall_id: Id,
        gpus: u32,
        awaiting: u32,
    },

    #[error(
        "recall {recall_id} cites notice {notice_id}, which is on award {notice_award_id}, not {award_id}"
    )]
    #[serde(rename = "notice_on_another_award")]
    NoticeOnAnotherAward {
        recall_id: Id,
        notice_id: Id,
        award_id: Id,
        notice_award_id: Id,
    },

    #[error(
        "recall {recall_id} is for {reason} but notice {notice_id} gave notice of {notice_reason}"
    )]
    #[serde(rename = "recall_reason_differs_from_notice")]
    ReasonDiffers {
        recall_id: Id,
        notice_id: Id,
        reason: RecallReason,
        notice_reason: NoticeReason,
    },

    #[error("recall {recall_id} takes {gpus} GPUs but notice {notice_id} named {notice_gpus}")]
    #[serde(rename = "recall_exceeds_notice")]
    ExceedsNotice {
        recall_id: Id,
        notice_id: Id,
        gpus: u32,
        notice_gpus: u32,
    },

    #[error(
        "recall {recall_id} cites notice {notice_id}, whose exemption request is not decided yet"
    )]
    #[serde(rename = "exemption_undecided")]
    ExemptionUndecided { recall_id: Id, notice_id: Id },

    #[error(
        "recall {recall_id} comes before the respond_by ({respond_by}) of notice {notice_id}, on which no exemption was requested"
    )]
    #[serde(rename = "recall_before_respond_by")]
    BeforeRespondBy {
        recall_id: Id,
        notice_id: Id,
        respond_by: String,
    },

    #[error(
        "recall {recall_id} of award {award_id} needs a notice: call {call_id} gives holders {days} days' notice"
    )]
    #[serde(rename = "recall_needs_notice")]
    NeedsNotice {
        recall_id: Id,
        award_id: Id,
        call_id: Id,
        days: u32,
    },
}

/// What `RecallIssued` resolved: the award, and the notice it carries out.
pub(crate) struct Recalling {
    award: u32,
    notice: Option<u32>,
}

impl Programme {
    pub(crate) fn find_recall(
        &self,
        recall_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<u32, RuleError> {
        self.recalls.find(recall_id).ok_or_else(|| {
            RecallError::Unknown {
                subject: subject(),
                recall_id: recall_id.clone(),
            }
            .into()
        })
    }

    /// Rule: whole servers, no more than the recall has awaiting redistribution.
    pub(crate) fn check_awaiting(
        &self,
        recall: u32,
        gpus: u32,
        subject: impl FnOnce() -> String + Copy,
    ) -> Result<(), RuleError> {
        let r = self.recalls.row(recall);
        if gpus > r.awaiting {
            return Err(RecallError::ExceedsAwaiting {
                subject: subject(),
                recall_id: self.recalls.id(recall).clone(),
                gpus,
                awaiting: r.awaiting,
            }
            .into());
        }
        self.check_whole_servers(r.pool, gpus.into(), subject)
    }

    pub(crate) fn check_recall_issued(
        &self,
        e: &RecallIssued,
        occurred_at: &Timestamp,
    ) -> Result<Recalling, RuleError> {
        let subject = || format!("recall {}", e.recall_id);
        if self.recalls.contains(&e.recall_id) {
            return Err(RecallError::AlreadyExists {
                recall_id: e.recall_id.clone(),
            }
            .into());
        }
        let award = self.find_award(&e.award_id, subject)?;
        self.check_active(award, subject)?;
        let a = self.awards.row(award);
        if e.gpus > a.held {
            return Err(RecallError::ExceedsHolding {
                recall_id: e.recall_id.clone(),
                award_id: e.award_id.clone(),
                gpus: e.gpus,
                held: a.held,
            }
            .into());
        }
        self.check_whole_servers(a.pool, e.gpus.into(), subject)?;
        let notice = match &e.notice_id {
            Some(notice_id) => {
                Some(self.check_notice_carried_out(e, award, notice_id, occurred_at)?)
            }
            None => {
                let call = self.applications.row(a.application).call;
                if let Some(days) = self.calls.row(call).recall_notice_days
                    && e.reason != RecallReason::Withdrawal
                {
                    return Err(RecallError::NeedsNotice {
                        recall_id: e.recall_id.clone(),
                        award_id: e.award_id.clone(),
                        call_id: self.calls.id(call).clone(),
                        days,
                    }
                    .into());
                }
                None
            }
        };
        Ok(Recalling { award, notice })
    }

    /// Rules (v2) of a recall that cites notice `notice_id`.
    fn check_notice_carried_out(
        &self,
        e: &RecallIssued,
        award: u32,
        notice_id: &Id,
        occurred_at: &Timestamp,
    ) -> Result<u32, RuleError> {
        let subject = || format!("recall {}", e.recall_id);
        let notice = self.find_notice(notice_id, subject)?;
        let n = *self.notices.row(notice);
        if n.award != award {
            return Err(RecallError::NoticeOnAnotherAward {
                recall_id: e.recall_id.clone(),
                notice_id: notice_id.clone(),
                award_id: e.award_id.clone(),
                notice_award_id: self.awards.id(n.award).clone(),
            }
            .into());
        }
        self.check_notice_open(notice, subject)?;
        if e.reason.as_str() != n.reason.as_str() {
            return Err(RecallError::ReasonDiffers {
                recall_id: e.recall_id.clone(),
                notice_id: notice_id.clone(),
                reason: e.reason,
                notice_reason: n.reason,
            }
            .into());
        }
        if e.gpus > n.gpus {
            return Err(RecallError::ExceedsNotice {
                recall_id: e.recall_id.clone(),
                notice_id: notice_id.clone(),
                gpus: e.gpus,
                notice_gpus: n.gpus,
            }
            .into());
        }
        match n.exemption {
            Exemption::Requested => Err(RecallError::ExemptionUndecided {
                recall_id: e.recall_id.clone(),
                notice_id: notice_id.clone(),
            }
            .into()),
            Exemption::NotRequested if occurred_at.instant() <= n.respond_by => {
                Err(RecallError::BeforeRespondBy {
                    recall_id: e.recall_id.clone(),
                    notice_id: notice_id.clone(),
                    respond_by: utc_text(n.respond_by),
                }
                .into())
            }
            _ => Ok(notice),
        }
    }

    pub(crate) fn apply_recall_issued(&mut self, e: &RecallIssued, r: Recalling) {
        let (award, gpus) = (r.award, e.gpus);
        if let Some(notice) = r.notice {
            self.notice_mut(notice).closed = true;
        }
        let a = *self.awards.row(award);
        self.award_mut(award).held -= gpus;
        self.application_mut(a.application).held -= u64::from(gpus);
        self.add_org_held_on_track(a.track, a.org, -i64::from(gpus));
        let p = self.pool_mut(a.pool);
        p.held -= u64::from(gpus);
        p.awaiting += u64::from(gpus);
        self.recalls.insert(
            e.recall_id.clone(),
            Recall {
                award,
                pool: a.pool,
                gpus,
                awaiting: gpus,
            },
        );
        self.record(|_| Change::RecallAdded);
    }

    pub(crate) fn check_recall_released(&self, e: &RecallReleased) -> Result<u32, RuleError> {
        let subject = || format!("the release from recall {}", e.recall_id);
        let recall = self.find_recall(&e.recall_id, subject)?;
        self.check_awaiting(recall, e.gpus, subject)?;
        Ok(recall)
    }

    pub(crate) fn apply_recall_released(&mut self, e: &RecallReleased, recall: u32) {
        let pool = self.recalls.row(recall).pool;
        self.recall_mut(recall).awaiting -= e.gpus;
        self.pool_mut(pool).awaiting -= u64::from(e.gpus);
    }
}
