//! Pools: the GPUs the programme can lend, owned or leased from cloud providers.
//!
//! Rules: a pool id is registered once; GPUs come in whole servers of the
//! pool's `gpus_per_server`; a pool never shrinks below what it has lent out
//! (held by awards plus awaiting redistribution).

use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::vocabulary::word::word_enum;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `PoolRegistered`: a new pool of GPUs.
    pub struct PoolRegistered {
        pub pool_id: Id,
        pub name: Text,
        pub source: PoolSource,
        /// The cloud provider of a leased pool.
        pub provider: Option<Text>,
        pub gpu_model: Text,
        /// Capacity: a multiple of `gpus_per_server`.
        pub gpus: u32 = ValueRule::Gpus,
        pub gpus_per_server: u32 = ValueRule::Gpus,
    }
}

declare! {
    /// `PoolResized`: a pool's capacity changes (new budget, lease amendment).
    pub struct PoolResized {
        pub pool_id: Id,
        /// The new capacity.
        pub gpus: u32 = ValueRule::Gpus,
        pub reason: Text,
    }
}

word_enum!(
    /// Where a pool's GPUs come from.
    PoolSource { Owned = "owned", Leased = "leased" }
);

/// A pool's GPUs, always split exactly into held, awaiting redistribution and free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Pool {
    pub gpus: u32,
    pub gpus_per_server: u32,
    /// Held by active awards.
    pub held: u64,
    /// Recalled, neither redistributed nor released yet.
    pub awaiting: u64,
}

impl Pool {
    pub fn free(&self) -> u64 {
        u64::from(self.gpus) - self.held - self.awaiting
    }

    pub fn in_use(&self) -> u64 {
        self.held + self.awaiting
    }
}

/// A broken pool rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum PoolError {
    #[error("pool {pool_id} is already registered")]
    #[serde(rename = "pool_already_registered")]
    AlreadyRegistered { pool_id: Id },

    #[error("{subject}: pool {pool_id} is not registered")]
    #[serde(rename = "unknown_pool")]
    Unknown { subject: String, pool_id: Id },

    #[error(
        "{subject} has {gpus} GPUs, not a whole number of servers of pool {pool_id} ({gpus_per_server} GPUs per server)"
    )]
    #[serde(rename = "not_whole_servers")]
    NotWholeServers {
        subject: String,
        pool_id: Id,
        gpus: u64,
        gpus_per_server: u32,
    },

    #[error(
        "pool {pool_id} cannot shrink to {gpus} GPUs: {held} are held by awards and {awaiting} await redistribution"
    )]
    #[serde(rename = "pool_shrinks_below_use")]
    ShrinksBelowUse {
        pool_id: Id,
        gpus: u32,
        held: u64,
        awaiting: u64,
    },

    #[error("{subject} asks {gpus} GPUs but pool {pool_id} has {free} free")]
    #[serde(rename = "pool_has_too_few_free")]
    TooFewFree {
        subject: String,
        pool_id: Id,
        gpus: u32,
        free: u64,
    },
}

impl Programme {
    /// The pool named `pool_id`, for an event described by `subject`.
    pub(crate) fn find_pool(
        &self,
        pool_id: &Id,
        subject: impl FnOnce() -> String,
    ) -> Result<u32, RuleError> {
        self.pools.find(pool_id).ok_or_else(|| {
            PoolError::Unknown {
                subject: subject(),
                pool_id: pool_id.clone(),
            }
            .into()
        })
    }

    /// Rule: GPUs are lent in whole servers of the pool.
    pub(crate) fn check_whole_servers(
        &self,
        pool: u32,
        gpus: u64,
        subject: impl FnOnce() -> String,
    ) -> Result<(), RuleError> {
        let gpus_per_server = self.pools.row(pool).gpus_per_server;
        if !gpus.is_multiple_of(u64::from(gpus_per_server)) {
            return Err(PoolError::NotWholeServers {
                subject: subject(),
                pool_id: self.pools.id(pool).clone(),
                gpus,
                gpus_per_server,
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn check_pool_registered(&self, e: &PoolRegistered) -> Result<(), RuleError> {
        if self.pools.contains(&e.pool_id) {
            return Err(PoolError::AlreadyRegistered {
                pool_id: e.pool_id.clone(),
            }
            .into());
        }
        if !e.gpus.is_multiple_of(e.gpus_per_server) {
            return Err(PoolError::NotWholeServers {
                subject: format!("pool {}", e.pool_id),
                pool_id: e.pool_id.clone(),
                gpus: e.gpus.into(),
                gpus_per_server: e.gpus_per_server,
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn apply_pool_registered(&mut self, e: &PoolRegistered) {
        self.pools.insert(
            e.pool_id.clone(),
            Pool {
                gpus: e.gpus,
                gpus_per_server: e.gpus_per_server,
                held: 0,
                awaiting: 0,
            },
        );
        self.record(|_| Change::PoolAdded);
    }

    pub(crate) fn check_pool_resized(&self, e: &PoolResized) -> Result<u32, RuleError> {
        let pool = self.find_pool(&e.pool_id, || format!("the resize of pool {}", e.pool_id))?;
        self.check_whole_servers(pool, e.gpus.into(), || {
            format!("the resize of pool {}", e.pool_id)
        })?;
        let p = self.pools.row(pool);
        if u64::from(e.gpus) < p.in_use() {
            return Err(PoolError::ShrinksBelowUse {
                pool_id: e.pool_id.clone(),
                gpus: e.gpus,
                held: p.held,
                awaiting: p.awaiting,
            }
            .into());
        }
        Ok(pool)
    }

    pub(crate) fn apply_pool_resized(&mut self, e: &PoolResized, pool: u32) {
        self.pool_mut(pool).gpus = e.gpus;
    }
}
