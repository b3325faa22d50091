//! Extending an award's term (vocabulary v2).
//!
//! Rule for `AwardExtended`: the award is active, and the new `ends_at` is
//! later than its current end (its grant's or its redistribution's, or its
//! last extension's).

use crate::id::Id;
use crate::programme::Programme;
use crate::rule::RuleError;
use crate::text::Text;
use crate::timestamp::{Timestamp, utc_text};
use crate::vocabulary::declare;
use serde::Serialize;

declare! {
    /// `AwardExtended`: an award's term ends later.
    pub struct AwardExtended {
        pub award_id: Id,
        /// The new end of the term.
        pub ends_at: Timestamp,
        pub reason: Text,
    }
}

/// A broken extension rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum ExtensionError {
    #[error(
        "the extension of award {award_id} ends at {ends_at}, not later than its current end {current_end}"
    )]
    #[serde(rename = "extension_not_later")]
    NotLater {
        award_id: Id,
        ends_at: Timestamp,
        current_end: String,
    },
}

impl Programme {
    pub(crate) fn check_award_extended(&self, e: &AwardExtended) -> Result<u32, RuleError> {
        let subject = || format!("the extension of award {}", e.award_id);
        let award = self.find_award(&e.award_id, subject)?;
        self.check_active(award, subject)?;
        let current = self.awards.row(award).ends_at;
        if e.ends_at.instant() <= current {
            return Err(ExtensionError::NotLater {
                award_id: e.award_id.clone(),
                ends_at: e.ends_at.clone(),
                current_end: utc_text(current),
            }
            .into());
        }
        Ok(award)
    }

    pub(crate) fn apply_award_extended(&mut self, e: &AwardExtended, award: u32) {
        self.award_mut(award).ends_at = e.ends_at.instant();
    }
}
