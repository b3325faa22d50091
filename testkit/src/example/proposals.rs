//! What a proposal is about and what it asks, in both calls, and where a
//! first-call proposal stands.

use super::names;
use super::reviews::Review;
use gpu_ledger_domain::application::{Purpose, Status};
use gpu_ledger_domain::organization::Sector;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand::seq::IndexedRandom;

pub(super) fn purpose_of(dice: &mut ChaCha8Rng, sector: Sector) -> Purpose {
    let model_development = match sector {
        Sector::Academia => dice.random_ratio(1, 5),
        Sector::Research => dice.random_ratio(2, 5),
        Sector::Industry => {
            return if dice.random_ratio(11, 20) {
                Purpose::ServiceDevelopment
            } else {
                Purpose::ModelDevelopment
            };
        }
    };
    if model_development {
        Purpose::ModelDevelopment
    } else {
        Purpose::Research
    }
}

pub(super) fn project_title(dice: &mut ChaCha8Rng, sector: Sector) -> String {
    let topics = match sector {
        Sector::Academia => names::ACADEMIA_TOPICS,
        Sector::Industry => names::INDUSTRY_TOPICS,
        Sector::Research => names::RESEARCH_TOPICS,
    };
    let topic = topics.choose(dice).expect("topics");
    let ending = names::TITLE_ENDINGS.choose(dice).expect("endings");
    format!("{topic}{ending}")
}

/// Where a first-call proposal ended up after selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Selected { servers: u32 },
    ReserveList,
    BelowFundingLine,
}

/// A first-call proposal (application).
pub(super) struct Proposal {
    pub(super) id: String,
    pub(super) track: usize,
    pub(super) org: usize,
    pub(super) title: String,
    pub(super) purpose: Purpose,
    pub(super) requested_servers: u32,
    pub(super) reviews: Vec<Review>,
    pub(super) outcome: Outcome,
    pub(super) status: Status,
    /// Servers held by its active awards.
    pub(super) held_servers: u32,
    /// One of its awards was recalled or handed back: it gets no top-up.
    pub(super) troubled: bool,
}
