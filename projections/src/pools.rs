//! `pools`: where every GPU of each pool is. Capacity always splits exactly
//! into held by active awards, recalled and awaiting redistribution, and free.

use crate::catalog::Catalog;
use crate::table::{Cell, Table};
use gpu_ledger_domain::{Body, Event, Id};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Use {
    held: u64,
    awaiting: u64,
}

/// GPUs lent out of each pool.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pools {
    by_pool: BTreeMap<Id, Use>,
}

impl Pools {
    pub fn apply(&mut self, cat: &Catalog, event: &Event) {
        match &event.body {
            Body::PoolRegistered(e) => {
                self.by_pool.insert(e.pool_id.clone(), Use::default());
            }
            Body::AwardGranted(e) => {
                let (_, _, _, pool) = cat.award_keys_of_application(&e.application_id);
                self.pool(&pool).held += u64::from(e.gpus);
            }
            Body::Redistributed(e) => {
                let pool = &cat.recalls[&e.recall_id].pool_id;
                let u = self.pool(pool);
                u.awaiting -= u64::from(e.gpus);
                u.held += u64::from(e.gpus);
            }
            Body::RecallIssued(e) => {
                let u = self.pool(&cat.awards[&e.award_id].pool_id);
                u.held -= u64::from(e.gpus);
                u.awaiting += u64::from(e.gpus);
            }
            Body::RecallReleased(e) => {
                self.pool(&cat.recalls[&e.recall_id].pool_id).awaiting -= u64::from(e.gpus);
            }
            Body::AwardEnded(e) => {
                let a = &cat.awards[&e.award_id];
                self.pool(&a.pool_id).held -= u64::from(a.held);
            }
            Body::AwardSupplemented(e) => {
                let pool = &cat.awards[&e.award_id].pool_id;
                self.pool(pool).held += u64::from(e.gpus);
            }
            _ => {}
        }
    }

    fn pool(&mut self, id: &Id) -> &mut Use {
        self.by_pool
            .get_mut(id)
            .expect("accepted events name registered pools")
    }

    pub fn view(&self, cat: &Catalog) -> PoolsView {
        let mut total = PoolTotals::default();
        let pools = self
            .by_pool
            .iter()
            .map(|(id, u)| {
                let p = cat.pool(id);
                let capacity = u64::from(p.capacity);
                let free = capacity - u.held - u.awaiting;
                total.capacity += capacity;
                total.held += u.held;
                total.awaiting_redistribution += u.awaiting;
                total.free += free;
                PoolLine {
                    pool_id: id.clone(),
                    name: p.name.to_string(),
                    source: p.source.as_str(),
                    provider: p.provider.as_ref().map(|t| t.to_string()),
                    gpu_model: p.gpu_model.to_string(),
                    gpus_per_server: p.gpus_per_server,
                    capacity,
                    held: u.held,
                    awaiting_redistribution: u.awaiting,
                    free,
                }
            })
            .collect();
        PoolsView { pools, total }
    }
}

#[derive(Debug, Serialize)]
pub struct PoolsView {
    pub pools: Vec<PoolLine>,
    pub total: PoolTotals,
}

#[derive(Debug, Default, Serialize)]
pub struct PoolTotals {
    pub capacity: u64,
    pub held: u64,
    pub awaiting_redistribution: u64,
    pub free: u64,
}

#[derive(Debug, Serialize)]
pub struct PoolLine {
    pub pool_id: Id,
    pub name: String,
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub gpu_model: String,
    pub gpus_per_server: u32,
    pub capacity: u64,
    pub held: u64,
    pub awaiting_redistribution: u64,
    pub free: u64,
}

impl PoolsView {
    pub fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "pools",
            "Pools (capacity = held + awaiting redistribution + free)",
            vec![
                "pool_id",
                "name",
                "source",
                "provider",
                "gpu_model",
                "gpus_per_server",
                "capacity",
                "held",
                "awaiting_redistribution",
                "free",
            ],
        );
        for p in &self.pools {
            t.row(vec![
                p.pool_id.to_string().into(),
                p.name.clone().into(),
                p.source.into(),
                p.provider.clone().into(),
                p.gpu_model.clone().into(),
                p.gpus_per_server.into(),
                p.capacity.into(),
                p.held.into(),
                p.awaiting_redistribution.into(),
                p.free.into(),
            ]);
        }
        t.row(vec![
            "total".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            self.total.capacity.into(),
            self.total.held.into(),
            self.total.awaiting_redistribution.into(),
            self.total.free.into(),
        ]);
        vec![t]
    }
}
