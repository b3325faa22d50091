//! Topping an award up (vocabulary v2).
//!
//! Rules for `AwardSupplemented`: a new supplement id; the award is active;
//! whole servers of its pool, which has that many free; the track's awarded
//! total, which counts supplements for good (as grants do), stays within the
//! track's GPUs; what the application's active awards hold afterwards stays
//! within what it requested; the organization's share of the track stays
//! within the cap. The award then holds the supplement too.

use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `AwardSupplemented`: more GPUs for an active award.
    pub struct AwardSupplemented {
        pub supplement_id: Id,
        pub award_id: Id,
        pub gpus: u32 = ValueRule::Gpus,
        pub reason: Text,
    }
}

/// A broken supplement rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum SupplementError {
    #[error("supplement {supplement_id} already exists")]
    #[serde(rename = "supplement_already_exists")]
    AlreadyExists { supplement_id: Id },

    #[error(
        "supplement {supplement_id} would bring application {application_id} to {held} GPUs held, over the {requested} it requested"
    )]
    #[serde(rename = "supplement_exceeds_request")]
    ExceedsRequest {
        supplement_id: Id,
        application_id: Id,
        held: u64,
        requested: u32,
    },
}

impl Programme {
    pub(crate) fn check_award_supplemented(&self, e: &AwardSupplemented) -> Result<u32, RuleError> {
        if self.supplements.contains(&e.supplement_id) {
            return Err(SupplementError::AlreadyExists {
                supplement_id: e.supplement_id.clone(),
            }
            .into());
        }
        let subject = || format!("supplement {}", e.supplement_id);
        let award = self.find_award(&e.award_id, subject)?;
        self.check_active(award, subject)?;
        let a = *self.awards.row(award);
        self.check_whole_servers(a.pool, e.gpus.into(), subject)?;
        self.check_free(a.pool, e.gpus, subject)?;
        self.check_track_total(a.track, e.gpus, &e.award_id, || {
            format!(
                "supplement {} of {} GPUs to award {}",
                e.supplement_id, e.gpus, e.award_id
            )
        })?;
        let app = self.applications.row(a.application);
        let held = app.held + u64::from(e.gpus);
        if held > u64::from(app.requested) {
            return Err(SupplementError::ExceedsRequest {
                supplement_id: e.supplement_id.clone(),
                application_id: self.applications.id(a.application).clone(),
                held,
                requested: app.requested,
            }
            .into());
        }
        self.check_share_cap(a.track, a.org, e.gpus, subject)?;
        Ok(award)
    }

    pub(crate) fn apply_award_supplemented(&mut self, e: &AwardSupplemented, award: u32) {
        let a = *self.awards.row(award);
        let gpus = e.gpus;
        self.supplements.insert(e.supplement_id.clone(), ());
        self.record(|_| Change::SupplementAdded);
        self.track_mut(a.track).awarded_total += u64::from(gpus);
        self.award_mut(award).held += gpus;
        self.pool_mut(a.pool).held += u64::from(gpus);
        self.add_org_held_on_track(a.track, a.org, i64::from(gpus));
        self.application_mut(a.application).held += u64::from(gpus);
    }
}
