//! Pools reconciled: every GPU of a pool is held by an active award,
//! awaiting redistribution, or free, at every step and at the end.
//!
//! The four figures are tallied independently, each from the events that
//! move it (a grant or a supplement takes free GPUs and holds them, a
//! recall moves held ones to awaiting, a release frees awaiting ones...), in signed arithmetic so
//! that nothing can wrap. After each event the pool it touched must have
//! `capacity = held + awaiting + free` with none of them negative; the first
//! step where that fails is reported. At the end, `held` and `awaiting` are
//! also compared with the sums over the awards and recalls themselves. In a
//! ledger whose every event passed the rules none of this can fail: it is a
//! second, separate bookkeeping that would show a rule the domain let slip.

use super::EventRef;
use super::integrity::Checked;
use gpu_ledger_domain::{Body, Id};
use gpu_ledger_projections::Catalog;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    capacity: i64,
    held: i64,
    awaiting: i64,
    free: i64,
}

impl Tally {
    fn balances(&self) -> bool {
        self.held >= 0
            && self.awaiting >= 0
            && self.free >= 0
            && self.capacity == self.held + self.awaiting + self.free
    }
}

/// The first step where a pool did not balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imbalance {
    #[serde(flatten)]
    pub at: EventRef,
    pub pool_id: Id,
    pub capacity: i64,
    pub held: i64,
    pub awaiting_redistribution: i64,
    pub free: i64,
}

/// A pool at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolBalance {
    pub pool_id: Id,
    pub capacity: i64,
    pub held: i64,
    pub awaiting_redistribution: i64,
    pub free: i64,
    /// GPUs the active awards of the pool hold, summed award by award.
    pub held_by_awards: i64,
    /// GPUs the recalls of the pool have awaiting, summed recall by recall.
    pub awaiting_by_recalls: i64,
    /// `capacity = held + awaiting + free`, none negative, and both sums agree.
    pub reconciled: bool,
}

/// The pools section of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolsReconciled {
    /// Every pool balanced after every event, and at the end.
    pub reconciled: bool,
    /// Events after which a pool was checked.
    pub steps_checked: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_failure: Option<Imbalance>,
    pub pools: Vec<PoolBalance>,
}

/// How an event moves a pool's GPUs.
#[derive(Debug, Clone, Copy)]
enum Movement {
    /// Capacity changes, and free GPUs with it.
    Resize,
    /// Free to held (a grant or a supplement).
    Grant,
    /// Awaiting to held.
    Redistribute,
    /// Held to awaiting.
    Recall,
    /// Awaiting to free.
    Release,
    /// Held to free.
    End,
}

/// The running bookkeeping.
#[derive(Debug, Default)]
pub struct Reconciliation {
    pools: BTreeMap<Id, Tally>,
    steps: u64,
    first_failure: Option<Imbalance>,
}

impl Reconciliation {
    /// Takes in one checked event; `cat` is the catalog before it.
    pub fn apply(&mut self, cat: &Catalog, step: &Checked<'_>) {
        let (pool, gpus, movement) = match &step.event.body {
            Body::PoolRegistered(e) => (&e.pool_id, i64::from(e.gpus), Movement::Resize),
            Body::PoolResized(e) => {
                let old = self.pools.get(&e.pool_id).map_or(0, |t| t.capacity);
                (&e.pool_id, i64::from(e.gpus) - old, Movement::Resize)
            }
            Body::AwardGranted(e) => {
                let a = &cat.apps[&e.application_id];
                let pool = &cat.track(&a.call_id, &a.track_id).pool_id;
                (pool, i64::from(e.gpus), Movement::Grant)
            }
            Body::AwardSupplemented(e) => (
                &cat.awards[&e.award_id].pool_id,
                i64::from(e.gpus),
                Movement::Grant,
            ),
            Body::Redistributed(e) => (
                &cat.recalls[&e.recall_id].pool_id,
                i64::from(e.gpus),
                Movement::Redistribute,
            ),
            Body::RecallIssued(e) => (
                &cat.awards[&e.award_id].pool_id,
                i64::from(e.gpus),
                Movement::Recall,
            ),
            Body::RecallReleased(e) => (
                &cat.recalls[&e.recall_id].pool_id,
                i64::from(e.gpus),
                Movement::Release,
            ),
            Body::AwardEnded(e) => {
                let a = &cat.awards[&e.award_id];
                (&a.pool_id, i64::from(a.held), Movement::End)
            }
            _ => return,
        };
        let t = self.pools.entry(pool.clone()).or_default();
        match movement {
            Movement::Resize => {
                t.capacity += gpus;
                t.free += gpus;
            }
            Movement::Grant => {
                t.free -= gpus;
                t.held += gpus;
            }
            Movement::Redistribute => {
                t.awaiting -= gpus;
                t.held += gpus;
            }
            Movement::Recall => {
                t.held -= gpus;
                t.awaiting += gpus;
            }
            Movement::Release => {
                t.awaiting -= gpus;
                t.free += gpus;
            }
            Movement::End => {
                t.held -= gpus;
                t.free += gpus;
            }
        }
        self.check(pool, step);
    }

    fn check(&mut self, pool: &Id, step: &Checked<'_>) {
        self.steps += 1;
        let t = self.pools[pool];
        if !t.balances() && self.first_failure.is_none() {
            self.first_failure = Some(Imbalance {
                at: step.at(),
                pool_id: pool.clone(),
                capacity: t.capacity,
                held: t.held,
                awaiting_redistribution: t.awaiting,
                free: t.free,
            });
        }
    }

    /// The section at the end; `cat` is the catalog at the end.
    pub fn finish(self, cat: &Catalog) -> PoolsReconciled {
        let mut by_awards: BTreeMap<&Id, i64> = BTreeMap::new();
        for a in cat.awards.values().filter(|a| a.active()) {
            *by_awards.entry(&a.pool_id).or_default() += i64::from(a.held);
        }
        let mut by_recalls: BTreeMap<&Id, i64> = BTreeMap::new();
        for r in cat.recalls.values() {
            *by_recalls.entry(&r.pool_id).or_default() += i64::from(r.awaiting);
        }
        let pools: Vec<PoolBalance> = self
            .pools
            .iter()
            .map(|(id, t)| {
                let held_by_awards = by_awards.get(id).copied().unwrap_or(0);
                let awaiting_by_recalls = by_recalls.get(id).copied().unwrap_or(0);
                PoolBalance {
                    pool_id: id.clone(),
                    capacity: t.capacity,
                    held: t.held,
                    awaiting_redistribution: t.awaiting,
                    free: t.free,
                    held_by_awards,
                    awaiting_by_recalls,
                    reconciled: t.balances()
                        && held_by_awards == t.held
                        && awaiting_by_recalls == t.awaiting,
                }
            })
            .collect();
        PoolsReconciled {
            reconciled: self.first_failure.is_none() && pools.iter().all(|p| p.reconciled),
            steps_checked: self.steps,
            first_failure: self.first_failure,
            pools,
        }
    }
}
