//! Awards: GPUs lent to a selected application, and the end of a term.
//!
//! Rules for `AwardGranted`: a new award id; the call is closed; the
//! application is pending with at least the track's `min_reviews` scores; it
//! gets whole servers, no more than it requested; the pool has that many
//! free; the track's awarded total stays within the track's GPUs; the
//! organization's share of the track stays within the cap; the term starts
//! before it ends. An award **holds** what it was granted minus what was
//! recalled, and is **active** while it holds GPUs and has not ended.
//! `AwardEnded` ends an active award: its GPUs become free in the pool.

use crate::id::Id;
use crate::organization::word_enum;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::timestamp::{Instant, Timestamp};
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `AwardGranted`: GPUs lent to a selected application for a term.
    pub struct AwardGranted {
        pub award_id: Id,
        pub application_id: Id,
        /// At most what was requested, in whole servers.
        pub gpus: u32 = ValueRule::Gpus,
        pub starts_at: Timestamp,
        pub ends_at: Timestamp,
    }
}

declare! {
    /// `AwardEnded`: the term ends, or the holder gives the GPUs back.
    pub struct AwardEnded {
        pub award_id: Id,
        pub reason: EndReason,
    }
}

word_enum!(
    /// Why an award ended.
    EndReason { TermCompleted = "term_completed", Relinquished = "relinquished" }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Award {
    pub application: u32,
    pub pool: u32,
    pub track: u32,
    pub org: u32,
    pub granted: u32,
    /// Granted plus supplements, minus recalled.
    pub held: u32,
    pub ended: bool,
    /// The end of the term: the grant's (or redistribution's), or the last extension's.
    pub ends_at: Instant,
    /// The award's latest recall notice, open or not.
    pub latest_notice: Option<u32>,
}

impl Award {
    pub fn active(&self) -> bool {
        self.held > 0 && !self.ended
    }
}

/// A broken award rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum AwardError {
    #[error("award {award_id} already exists")]
    #[serde(rename = "award_already_exists")]
    AlreadyExists { award_id: Id },

    #[error("{subject}: award {award_id} was never granted")]
    #[serde(rename = "unknown_award")]
    Unknown { subject: String, award_id: Id },

    #[error("{subject} needs award {award_id} active, but it {why}")]
    #[serde(rename = "award_not_active")]
    NotActive {
        subject: String,
        award_id: Id,
        why: &'static str,
    },

    #[error(
        "{subject}: application {application_id} has {reviews} of the {min_reviews} scores its track requires"
    )]
    #[serde(rename = "too_few_reviews")]
    TooFewReviews {
        subject: String,
        application_id: Id,
        reviews: u32,
        min_reviews: u32,
    },

    #[error(
        "award {award_id} grants {gpus} GPUs but application {application_id} requested {requested}"
    )]
    #[serde(rename = "award_exceeds_request")]
    ExceedsRequest {
        award_id: Id,
        application_id: Id,
        gpus: u32,
        requested: u32,
    },

    #[error(
        "{subject} would bring track {track_id} of call {call_id} to {total} awarded GPUs, over its {track_gpus}"
    )]
    #[serde(rename = "track_total_exceeded")]
    TrackTotalExceeded {
        /// What grants the GPUs: `award AW-1 of 16 GPUs`, or a supplement of one.
        subject: String,
        award_id: Id,
        call_id: Id,
        track_id: Id,
        gpus: u32,
        total: u64,
        track_gpus: u32,
    },

    #[error(
        "{subject} would give organization {org_id} {held} of the {track_gpus} GPUs of track {track_id} of call {call_id}, over its cap of {max_org_share_bp} bp"
    )]
    #[serde(rename = "org_share_cap_exceeded")]
    OrgShareCapExceeded {
        subject: String,
        org_id: Id,
        call_id: Id,
        track_id: Id,
        held: u64,
        track_gpus: u32,
        max_org_share_bp: u32,
    },

    #[error("{subject} starts at {starts_at}, which is not before its end {ends_at}")]
    #[serde(rename = "term_not_ordered")]
    TermNotOrdered {
        subject: String,
        starts_at: Timestamp,
        ends_at: Timestamp,
    },
}

/// What `AwardGranted` resolved.
pub(crate) struct Grant {
    app: u32,
    track: u32,
    pool: u32,
    org: u32,
}

impl Programme {
    pub(crate) fn find_award(
        &self,
        award_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<u32, RuleError> {
        self.awards.find(award_id).ok_or_else(|| {
            AwardError::Unknown {
                subject: subject(),
                award_id: award_id.clone(),
            }
            .into()
        })
    }

    /// Rule: the award is active (holds GPUs and has not ended).
    pub(crate) fn check_active(
        &self,
        award: u32,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        let a = self.awards.row(award);
        let why = if a.ended {
            "has ended"
        } else if a.held == 0 {
            "holds no GPUs (all were recalled)"
        } else {
            return Ok(());
        };
        Err(AwardError::NotActive {
            subject: subject(),
            award_id: self.awards.id(award).clone(),
            why,
        }
        .into())
    }

    /// Rule: the application has at least its track's `min_reviews` scores.
    pub(crate) fn check_enough_reviews(
        &self,
        app: u32,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        let a = self.applications.row(app);
        let min_reviews = self.tracks[a.track as usize].min_reviews;
        if a.reviews < min_reviews {
            return Err(AwardError::TooFewReviews {
                subject: subject(),
                application_id: self.applications.id(app).clone(),
                reviews: a.reviews,
                min_reviews,
            }
            .into());
        }
        Ok(())
    }

    /// Rule: the organization's share of the track stays within its cap
    /// after it holds `more` GPUs on it.
    pub(crate) fn check_share_cap(
        &self,
        track: u32,
        org: u32,
        more: u32,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        let t = &self.tracks[track as usize];
        let held = self.org_held_on_track(track, org) + u64::from(more);
        if !t.within_share_cap(held) {
            return Err(AwardError::OrgShareCapExceeded {
                subject: subject(),
                org_id: self.organizations.id(org).clone(),
                call_id: self.calls.id(t.call).clone(),
                track_id: t.track_id.clone(),
                held,
                track_gpus: t.gpus,
                max_org_share_bp: t.max_org_share_bp,
            }
            .into());
        }
        Ok(())
    }

    /// Rule: a term starts before it ends.
    pub(crate) fn check_term(
        starts_at: &Timestamp,
        ends_at: &Timestamp,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        if starts_at.instant() >= ends_at.instant() {
            return Err(AwardError::TermNotOrdered {
                subject: subject(),
                starts_at: starts_at.clone(),
                ends_at: ends_at.clone(),
            }
            .into());
        }
        Ok(())
    }

    /// Rule: the pool has `gpus` free.
    /// A track's awarded GPUs, supplements included, never exceed its GPUs.
    pub(crate) fn check_track_total(
        &self,
        track: u32,
        more: u32,
        award_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        let t = &self.tracks[track as usize];
        let total = t.awarded_total + u64::from(more);
        if total > u64::from(t.gpus) {
            return Err(AwardError::TrackTotalExceeded {
                subject: subject(),
                award_id: award_id.clone(),
                call_id: self.calls.id(t.call).clone(),
                track_id: t.track_id.clone(),
                gpus: more,
                total,
                track_gpus: t.gpus,
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn check_free(
        &self,
        pool: u32,
        gpus: u32,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        let free = self.pools.row(pool).free();
        if u64::from(gpus) > free {
            return Err(crate::pool::PoolError::TooFewFree {
                subject: subject(),
                pool_id: self.pools.id(pool).clone(),
                gpus,
                free,
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn check_award_granted(&self, e: &AwardGranted) -> Result<Grant, RuleError> {
        let subject = || format!("award {}", e.award_id);
        if self.awards.contains(&e.award_id) {
            return Err(AwardError::AlreadyExists {
                award_id: e.award_id.clone(),
            }
            .into());
        }
        let app = self.find_application(&e.application_id, subject)?;
        let a = *self.applications.row(app);
        self.check_call_closed_for(a.call, subject)?;
        self.check_pending(app, subject)?;
        self.check_enough_reviews(app, subject)?;
        if e.gpus > a.requested {
            return Err(AwardError::ExceedsRequest {
                award_id: e.award_id.clone(),
                application_id: e.application_id.clone(),
                gpus: e.gpus,
                requested: a.requested,
            }
            .into());
        }
        let t = &self.tracks[a.track as usize];
        self.check_whole_servers(t.pool, e.gpus.into(), subject)?;
        self.check_free(t.pool, e.gpus, subject)?;
        self.check_track_total(a.track, e.gpus, &e.award_id, || {
            format!("award {} of {} GPUs", e.award_id, e.gpus)
        })?;
        self.check_share_cap(a.track, a.org, e.gpus, subject)?;
        Self::check_term(&e.starts_at, &e.ends_at, subject)?;
        Ok(Grant {
            app,
            track: a.track,
            pool: t.pool,
            org: a.org,
        })
    }

    pub(crate) fn apply_award_granted(&mut self, e: &AwardGranted, g: Grant) {
        self.track_mut(g.track).awarded_total += u64::from(e.gpus);
        let term = (e.gpus, e.ends_at.instant());
        self.start_award(e.award_id.clone(), g.app, g.track, g.pool, g.org, term);
    }

    /// The state changes an award brings, granted or redistributed.
    pub(crate) fn start_award(
        &mut self,
        award_id: Id,
        app: u32,
        track: u32,
        pool: u32,
        org: u32,
        (gpus, ends_at): (u32, Instant),
    ) {
        self.awards.insert(
            award_id,
            Award {
                application: app,
                pool,
                track,
                org,
                granted: gpus,
                held: gpus,
                ended: false,
                ends_at,
                latest_notice: None,
            },
        );
        self.record(|_| Change::AwardAdded);
        self.pool_mut(pool).held += u64::from(gpus);
        self.add_org_held_on_track(track, org, i64::from(gpus));
        let a = self.application_mut(app);
        a.status = crate::application::Status::Awarded;
        a.held += u64::from(gpus);
    }

    pub(crate) fn check_award_ended(&self, e: &AwardEnded) -> Result<u32, RuleError> {
        let subject = || format!("the end of award {}", e.award_id);
        let award = self.find_award(&e.award_id, subject)?;
        self.check_active(award, subject)?;
        Ok(award)
    }

    pub(crate) fn apply_award_ended(&mut self, award: u32) {
        let a = *self.awards.row(award);
        let held = u64::from(a.held);
        self.award_mut(award).ended = true;
        self.pool_mut(a.pool).held -= held;
        self.application_mut(a.application).held -= held;
        self.add_org_held_on_track(a.track, a.org, -(held as i64));
    }
}
