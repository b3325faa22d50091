//! Recalls of underused or misused GPUs, and the release of recalled GPUs
//! that nobody receives.
//!
//! Rules for `RecallIssued`: a new recall id; the award is active; whole
//! servers, no more than the award holds. Recalled GPUs wait in their pool
//! for redistribution. `RecallReleased` returns whole servers of a recall's
//! waiting GPUs to the pool's free capacity.

use crate::id::Id;
use crate::organization::word_enum;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
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

    pub(crate) fn check_recall_issued(&self, e: &RecallIssued) -> Result<u32, RuleError> {
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
        Ok(award)
    }

    pub(crate) fn apply_recall_issued(&mut self, e: &RecallIssued, award: u32) {
        let gpus = e.gpus;
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
