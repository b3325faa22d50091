//! The two applications of a rank exception: the one that got GPUs and
//! the better-ranked one it passed over.

use super::super::rank::RankShown;
use crate::language::Messages;
use gpu_ledger_domain::Id;
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::ranking::Score;
use serde::Serialize;

/// The other application in a ranking exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rival {
    pub application_id: Id,
    pub org_id: Id,
    pub status: &'static str,
    pub reviews: u32,
    #[serde(flatten)]
    pub rank: RankShown,
}

impl Rival {
    /// Application `id` of the catalog, ranked `score`.
    pub fn of(cat: &Catalog, id: &Id, score: Score) -> Rival {
        let app = &cat.apps[id];
        Rival {
            application_id: id.clone(),
            org_id: app.org_id.clone(),
            status: app.status.as_str(),
            reviews: app.reviews,
            rank: score.into(),
        }
    }

    /// `A (O), rank R, while B (P), rank S`: how both rank exceptions name
    /// the application that got GPUs and this one, which it passed over.
    pub fn passed_over_by(
        &self,
        application_id: &Id,
        org_id: &Id,
        rank: &RankShown,
        w: &Messages<'_>,
    ) -> String {
        w.with(
            "passed-over-by",
            &[
                ("application", application_id.as_str().into()),
                ("org", org_id.as_str().into()),
                ("rank", rank.text().into()),
                ("rival", self.application_id.as_str().into()),
                ("rival_org", self.org_id.as_str().into()),
                ("rival_rank", self.rank.text().into()),
            ],
        )
    }
}

/// The application that got GPUs in a rank exception, where it stood, and
/// the better-ranked application it passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankedAbove {
    pub application_id: Id,
    pub org_id: Id,
    pub call_id: Id,
    pub track_id: Id,
    #[serde(flatten)]
    pub rank: RankShown,
    /// The best-ranked application left out.
    pub outranked_by: Rival,
}

impl RankedAbove {
    /// Application `id` of the catalog, ranked `score`, passed over
    /// `rival`, ranked `rival_score`.
    pub fn of(cat: &Catalog, id: &Id, score: Score, rival: &Id, rival_score: Score) -> Self {
        let app = &cat.apps[id];
        RankedAbove {
            application_id: id.clone(),
            org_id: app.org_id.clone(),
            call_id: app.call_id.clone(),
            track_id: app.track_id.clone(),
            rank: score.into(),
            outranked_by: Rival::of(cat, rival, rival_score),
        }
    }

    /// `A (O), rank R, while B (P), rank S`, in the language of `w`.
    pub fn text(&self, w: &Messages<'_>) -> String {
        self.outranked_by
            .passed_over_by(&self.application_id, &self.org_id, &self.rank, w)
    }
}
