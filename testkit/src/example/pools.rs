//! The pools the programme lends: the ministry's own GPUs of the 2025
//! supplementary budget (chapter 1) and the two leased CSP pools of March
//! 2026 (chapter 3).

use super::calendar::Kst;
use super::{CSP_AI_POOL, CSP_HPC_POOL, GPUS_PER_SERVER, OWNED_POOL, PROGRAMME_OFFICE, Story};
use crate::value;
use gpu_ledger_domain::pool::{PoolRegistered, PoolSource};

impl Story {
    pub(super) fn register_owned_pool(&mut self) {
        self.timeline.record(
            Kst::on(2025, 11, 24, 9, 0),
            PROGRAMME_OFFICE,
            PoolRegistered {
                pool_id: value::id(OWNED_POOL),
                name: value::label("2025년 1차 추경 확보 GPU (과기정통부 보유)"),
                source: PoolSource::Owned,
                provider: None,
                gpu_model: value::label("H100"),
                gpus: 10_000,
                gpus_per_server: GPUS_PER_SERVER,
            },
        );
    }

    pub(super) fn register_leased_pools(&mut self) {
        let leased = [
            (
                CSP_HPC_POOL,
                "고성능컴퓨팅 지원사업 임차 GPU",
                "가온클라우드",
                "H100",
            ),
            (
                CSP_AI_POOL,
                "AI 연구용 컴퓨팅 지원사업 임차 GPU",
                "누리클라우드",
                "H200",
            ),
        ];
        for (n, (pool_id, name, provider, gpu_model)) in leased.into_iter().enumerate() {
            self.timeline.record(
                Kst::on(2026, 3, 5, 9, 0).plus_seconds(1800 * n as i64),
                PROGRAMME_OFFICE,
                PoolRegistered {
                    pool_id: value::id(pool_id),
                    name: value::label(name),
                    source: PoolSource::Leased,
                    provider: Some(value::label(provider)),
                    gpu_model: value::label(gpu_model),
                    gpus: 1000,
                    gpus_per_server: GPUS_PER_SERVER,
                },
            );
        }
    }
}
