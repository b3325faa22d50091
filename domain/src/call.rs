//! Calls for proposals and their tracks.
//!
//! Rules: a call id is opened once; its tracks have distinct ids, draw on
//! registered pools, and ask whole servers no more than the pool's capacity.
//! A call is open from `CallOpened` until `CallClosed` (`closes_at` is
//! informational): applications come in while it is open, awards are
//! granted once it is closed.

use crate::id::Id;
use crate::organization::{Sector, Size};
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::timestamp::Timestamp;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `CallOpened`: a call for proposals with one or more tracks.
    pub struct CallOpened {
        pub call_id: Id,
        pub title: Text,
        /// Informational: the office closes a call with `CallClosed`.
        pub closes_at: Timestamp,
        pub tracks: Vec<TrackSpec> = ValueRule::Objects(
            TrackSpec::SPEC,
            "a call has at least one track",
        ),
        /// v2: an award of this call is recalled only through a notice
        /// giving the holder at least this many days to respond.
        pub recall_notice_days: Option<u32> = ValueRule::Range(1, 365),
        /// v2: how many days after a rejection its applicant may appeal (default 14).
        pub appeal_days: Option<u32> = ValueRule::Range(1, 365),
    }
}

declare! {
    /// One track of a call: GPUs of one pool for eligible organizations.
    pub struct TrackSpec ("a track") {
        pub track_id: Id,
        pub pool_id: Id,
        /// A multiple of the pool's `gpus_per_server`, at most its capacity.
        pub gpus: u32 = ValueRule::Gpus,
        pub eligible_sectors: Vec<Sector>,
        /// Where absent, every size is eligible.
        pub eligible_sizes: Option<Vec<Size>>,
        /// Scores an application needs before an award (default 3).
        pub min_reviews: Option<u32> = ValueRule::Range(1, u32::MAX),
        /// Score points added for organizations outside the capital region (default 0).
        pub regional_bonus: Option<u32> = ValueRule::Range(0, 100),
        /// Largest share of the track one organization may hold (default 10000).
        pub max_org_share_bp: Option<u32> = ValueRule::Range(1, 10_000),
    }
}

impl TrackSpec {
    pub const DEFAULT_MIN_REVIEWS: u32 = 3;
    pub const DEFAULT_REGIONAL_BONUS: u32 = 0;
    pub const DEFAULT_MAX_ORG_SHARE_BP: u32 = 10_000;

    /// Scores an application needs before it can be awarded (default 3).
    pub fn min_reviews(&self) -> u32 {
        self.min_reviews.unwrap_or(Self::DEFAULT_MIN_REVIEWS)
    }

    /// Score points added for organizations outside the capital region (default 0).
    pub fn regional_bonus(&self) -> u32 {
        self.regional_bonus.unwrap_or(Self::DEFAULT_REGIONAL_BONUS)
    }

    /// Largest share of the track one organization may hold, in basis points (default 10000).
    pub fn max_org_share_bp(&self) -> u32 {
        self.max_org_share_bp
            .unwrap_or(Self::DEFAULT_MAX_ORG_SHARE_BP)
    }
}

declare! {
    /// `CallClosed`: no more applications; awards may be granted.
    pub struct CallClosed {
        pub call_id: Id,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Call {
    pub open: bool,
    /// Days a recall notice must give a holder, where the call asks for notices.
    pub recall_notice_days: Option<u32>,
    /// Days after a rejection within which its applicant may appeal.
    pub appeal_days: u32,
    /// This call's tracks: `Programme::tracks[first_track .. first_track + track_count]`.
    pub first_track: u32,
    pub track_count: u32,
}

/// A track as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Track {
    pub call: u32,
    pub track_id: Id,
    pub pool: u32,
    pub gpus: u32,
    pub sectors: u8,
    pub sizes: Option<u8>,
    pub min_reviews: u32,
    pub regional_bonus: u32,
    pub max_org_share_bp: u32,
    /// Sum of `gpus` of every `AwardGranted` on the track (recalls do not reduce it).
    pub awarded_total: u64,
}

impl Track {
    /// Rule (share cap): `held * 10000 <= max_org_share_bp * track gpus`.
    pub fn within_share_cap(&self, held: u64) -> bool {
        held * 10_000 <= u64::from(self.max_org_share_bp) * u64::from(self.gpus)
    }
}

/// A broken call rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum CallError {
    #[error("call {call_id} is already opened")]
    #[serde(rename = "call_already_opened")]
    AlreadyOpened { call_id: Id },

    #[error("{subject}: call {call_id} was never opened")]
    #[serde(rename = "unknown_call")]
    Unknown { subject: String, call_id: Id },

    #[error("call {call_id} lists track {track_id} twice")]
    #[serde(rename = "duplicate_track")]
    DuplicateTrack { call_id: Id, track_id: Id },

    #[error(
        "track {track_id} of call {call_id} asks {gpus} GPUs but pool {pool_id} has a capacity of {capacity}"
    )]
    #[serde(rename = "track_exceeds_pool")]
    TrackExceedsPool {
        call_id: Id,
        track_id: Id,
        pool_id: Id,
        gpus: u32,
        capacity: u32,
    },

    #[error("{subject} needs call {call_id} open, but it is closed")]
    #[serde(rename = "call_not_open")]
    NotOpen { subject: String, call_id: Id },

    #[error("{subject} needs call {call_id} closed, but it is still open")]
    #[serde(rename = "call_not_closed")]
    NotClosed { subject: String, call_id: Id },

    #[error("{subject}: call {call_id} has no track {track_id}")]
    #[serde(rename = "unknown_track")]
    UnknownTrack {
        subject: String,
        call_id: Id,
        track_id: Id,
    },
}

impl Programme {
    pub(crate) fn find_call(
        &self,
        call_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<u32, RuleError> {
        self.calls.find(call_id).ok_or_else(|| {
            CallError::Unknown {
                subject: subject(),
                call_id: call_id.clone(),
            }
            .into()
        })
    }

    /// Rule: awards and redistributions come after the call is closed.
    pub(crate) fn check_call_closed_for(
        &self,
        call: u32,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        if self.calls.row(call).open {
            return Err(CallError::NotClosed {
                subject: subject(),
                call_id: self.calls.id(call).clone(),
            }
            .into());
        }
        Ok(())
    }

    /// The pools of the call's tracks, in track order.
    pub(crate) fn check_call_opened(&self, e: &CallOpened) -> Result<Vec<u32>, RuleError> {
        if self.calls.contains(&e.call_id) {
            return Err(CallError::AlreadyOpened {
                call_id: e.call_id.clone(),
            }
            .into());
        }
        let mut pools = Vec::with_capacity(e.tracks.len());
        for (i, t) in e.tracks.iter().enumerate() {
            if e.tracks[..i].iter().any(|o| o.track_id == t.track_id) {
                return Err(CallError::DuplicateTrack {
                    call_id: e.call_id.clone(),
                    track_id: t.track_id.clone(),
                }
                .into());
            }
            let subject = || format!("track {} of call {}", t.track_id, e.call_id);
            let pool = self.find_pool(&t.pool_id, subject)?;
            self.check_whole_servers(pool, t.gpus.into(), subject)?;
            let capacity = self.pools.row(pool).gpus;
            if t.gpus > capacity {
                return Err(CallError::TrackExceedsPool {
                    call_id: e.call_id.clone(),
                    track_id: t.track_id.clone(),
                    pool_id: t.pool_id.clone(),
                    gpus: t.gpus,
                    capacity,
                }
                .into());
            }
            pools.push(pool);
        }
        Ok(pools)
    }

    pub(crate) fn apply_call_opened(&mut self, e: &CallOpened, pools: Vec<u32>) {
        let call = self.calls.len() as u32;
        let first_track = self.tracks.len() as u32;
        for (t, pool) in e.tracks.iter().zip(pools) {
            self.tracks.push(Track {
                call,
                track_id: t.track_id.clone(),
                pool,
                gpus: t.gpus,
                sectors: t.eligible_sectors.iter().fold(0, |m, s| m | s.bit()),
                sizes: t
                    .eligible_sizes
                    .as_ref()
                    .map(|v| v.iter().fold(0, |m, s| m | s.bit())),
                min_reviews: t.min_reviews(),
                regional_bonus: t.regional_bonus(),
                max_org_share_bp: t.max_org_share_bp(),
                awarded_total: 0,
            });
        }
        self.calls.insert(
            e.call_id.clone(),
            Call {
                open: true,
                recall_notice_days: e.recall_notice_days,
                appeal_days: e.appeal_days.unwrap_or(crate::appeal::DEFAULT_APPEAL_DAYS),
                first_track,
                track_count: e.tracks.len() as u32,
            },
        );
        self.record(|_| Change::CallAdded {
            tracks: e.tracks.len(),
        });
    }

    pub(crate) fn check_call_closed(&self, e: &CallClosed) -> Result<u32, RuleError> {
        let subject = || format!("closing call {}", e.call_id);
        let call = self.find_call(&e.call_id, subject)?;
        if !self.calls.row(call).open {
            return Err(CallError::NotOpen {
                subject: subject(),
                call_id: e.call_id.clone(),
            }
            .into());
        }
        Ok(call)
    }

    pub(crate) fn apply_call_closed(&mut self, call: u32) {
        self.call_mut(call).open = false;
    }

    /// The track `track_id` of `call`, as a global track index.
    pub(crate) fn find_track(
        &self,
        call: u32,
        track_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<u32, RuleError> {
        let c = self.calls.row(call);
        (c.first_track..c.first_track + c.track_count)
            .find(|&t| self.tracks[t as usize].track_id == *track_id)
            .ok_or_else(|| {
                CallError::UnknownTrack {
                    subject: subject(),
                    call_id: self.calls.id(call).clone(),
                    track_id: track_id.clone(),
                }
                .into()
            })
    }
}
