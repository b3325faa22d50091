//! The programme's GPU pools: registered when it opens, in proportion to
//! its size, and every fourth call a leased pool extended.

use super::plans::POOLS;
use super::{MINUTE, Pool, Simulation, Stop};
use crate::value;
use gpu_ledger_domain::pool::{PoolRegistered, PoolResized, PoolSource};
use std::collections::BinaryHeap;
use std::io::Write;

impl<W: Write> Simulation<W> {
    /// Registers every pool from `at`, half an hour apart; returns when the
    /// office is done.
    pub(super) fn register_pools(&mut self, mut at: i64) -> Result<i64, Stop> {
        for plan in &POOLS {
            let servers = (u64::from(self.scale.gpus) * u64::from(plan.share_bp)
                / 10_000
                / u64::from(plan.gpus_per_server))
            .max(8) as u32;
            let capacity = servers * plan.gpus_per_server;
            let registered = PoolRegistered {
                pool_id: value::id(plan.id),
                name: value::label(plan.name),
                source: if plan.provider.is_some() {
                    PoolSource::Leased
                } else {
                    PoolSource::Owned
                },
                provider: plan.provider.map(value::label),
                gpu_model: value::label(plan.gpu_model),
                gpus: capacity,
                gpus_per_server: plan.gpus_per_server,
            };
            at = self.out.write(at, "msit", None, registered)? + 30 * MINUTE;
            self.pools.push(Pool {
                gpus_per_server: plan.gpus_per_server,
                capacity,
                held: 0,
                awaiting: 0,
            });
            self.candidates.push(BinaryHeap::new());
        }
        Ok(at)
    }

    /// Every fourth call, one leased pool grows by a tenth: its lease is
    /// extended with more servers (growing never breaks the resize rule).
    pub(super) fn extend_lease(&mut self, at: i64, call_number: usize) -> Result<i64, Stop> {
        let index = 1 + (call_number / 4 - 1) % (POOLS.len() - 1);
        let pool = &mut self.pools[index];
        let more = (pool.capacity / 10 / pool.gpus_per_server).max(1) * pool.gpus_per_server;
        pool.capacity += more;
        let capacity = pool.capacity;
        let resized = PoolResized {
            pool_id: value::id(POOLS[index].id),
            gpus: capacity,
            reason: value::label(format!(
                "lease extended with {more} GPUs for call {call_number}"
            )),
        };
        self.out.write(at, "msit", None, resized)
    }
}
