//! Redistribution: recalled GPUs lent again, as a new award, to another
//! (or the same) selected application on the same pool.
//!
//! Rules: new redistribution and award ids; whole servers, no more than the
//! recall has awaiting; the application is pending or awarded, its call is
//! closed and it has the track's `min_reviews` scores; its track draws on the
//! recall's pool; what the application's active awards hold afterwards stays
//! within what it requested; the organization's share of the track stays
//! within the cap (the track's awarded total does not apply); the term starts
//! before it ends.

use crate::application::Status;
use crate::award::AwardError;
use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::timestamp::Timestamp;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `Redistributed`: recalled GPUs lent again, as a new award.
    pub struct Redistributed {
        pub redistribution_id: Id,
        pub recall_id: Id,
        /// The new award.
        pub award_id: Id,
        pub application_id: Id,
        pub gpus: u32 = ValueRule::Gpus,
        pub starts_at: Timestamp,
        pub ends_at: Timestamp,
    }
}

/// A broken redistribution rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum RedistributionError {
    #[error("redistribution {redistribution_id} already exists")]
    #[serde(rename = "redistribution_already_exists")]
    AlreadyExists { redistribution_id: Id },

    #[error(
        "redistribution {redistribution_id} goes to application {application_id}, which is {status} (it must be pending or awarded)"
    )]
    #[serde(rename = "application_not_eligible_for_redistribution")]
    ApplicationNotEligible {
        redistribution_id: Id,
        application_id: Id,
        status: Status,
    },

    #[error(
        "redistribution {redistribution_id} moves GPUs of pool {recall_pool} (recall {recall_id}) to application {application_id}, whose track draws on pool {track_pool}"
    )]
    #[serde(rename = "pool_mismatch")]
    PoolMismatch {
        redistribution_id: Id,
        recall_id: Id,
        recall_pool: Id,
        application_id: Id,
        track_pool: Id,
    },

    #[error(
        "redistribution {redistribution_id} would bring application {application_id} to {held} GPUs held, over the {requested} it requested"
    )]
    #[serde(rename = "redistribution_exceeds_request")]
    ExceedsRequest {
        redistribution_id: Id,
        application_id: Id,
        held: u64,
        requested: u32,
    },
}

/// What `Redistributed` resolved.
pub(crate) struct Move {
    recall: u32,
    app: u32,
    track: u32,
    pool: u32,
    org: u32,
}

impl Programme {
    pub(crate) fn check_redistributed(&self, e: &Redistributed) -> Result<Move, RuleError> {
        let subject = || format!("redistribution {}", e.redistribution_id);
        if self.redistributions.contains(&e.redistribution_id) {
            return Err(RedistributionError::AlreadyExists {
                redistribution_id: e.redistribution_id.clone(),
            }
            .into());
        }
        if self.awards.contains(&e.award_id) {
            return Err(AwardError::AlreadyExists {
                award_id: e.award_id.clone(),
            }
            .into());
        }
        let recall = self.find_recall(&e.recall_id, subject)?;
        self.check_awaiting(recall, e.gpus, subject)?;
        let app = self.find_application(&e.application_id, subject)?;
        let a = *self.applications.row(app);
        if !matches!(a.status, Status::Pending | Status::Awarded) {
            return Err(RedistributionError::ApplicationNotEligible {
                redistribution_id: e.redistribution_id.clone(),
                application_id: e.application_id.clone(),
                status: a.status,
            }
            .into());
        }
        self.check_call_closed_for(a.call, subject)?;
        self.check_enough_reviews(app, subject)?;
        let recall_pool = self.recalls.row(recall).pool;
        let track_pool = self.tracks[a.track as usize].pool;
        if recall_pool != track_pool {
            return Err(RedistributionError::PoolMismatch {
                redistribution_id: e.redistribution_id.clone(),
                recall_id: e.recall_id.clone(),
                recall_pool: self.pools.id(recall_pool).clone(),
                application_id: e.application_id.clone(),
                track_pool: self.pools.id(track_pool).clone(),
            }
            .into());
        }
        let held = a.held + u64::from(e.gpus);
        if held > u64::from(a.requested) {
            return Err(RedistributionError::ExceedsRequest {
                redistribution_id: e.redistribution_id.clone(),
                application_id: e.application_id.clone(),
                held,
                requested: a.requested,
            }
            .into());
        }
        self.check_share_cap(a.track, a.org, e.gpus, subject)?;
        Self::check_term(&e.starts_at, &e.ends_at, subject)?;
        Ok(Move {
            recall,
            app,
            track: a.track,
            pool: recall_pool,
            org: a.org,
        })
    }

    pub(crate) fn apply_redistributed(&mut self, e: &Redistributed, m: Move) {
        self.recall_mut(m.recall).awaiting -= e.gpus;
        self.pool_mut(m.pool).awaiting -= u64::from(e.gpus);
        self.redistributions.insert(e.redistribution_id.clone(), ());
        self.record(|_| Change::RedistributionAdded);
        let term = (e.gpus, e.ends_at.instant());
        self.start_award(e.award_id.clone(), m.app, m.track, m.pool, m.org, term);
    }
}
