//! Utilization reports from the monitoring system.
//!
//! Rules: a report is about an active award, and its period starts before it ends.

use crate::id::Id;
use crate::programme::Programme;
use crate::rule::RuleError;
use crate::timestamp::Timestamp;
use crate::vocabulary::{ValueRule, declare};
use serde::Serialize;

declare! {
    /// `UtilizationReported`: how much of a period an award's GPUs were used.
    pub struct UtilizationReported {
        pub award_id: Id,
        pub period_start: Timestamp,
        pub period_end: Timestamp,
        /// Basis points: 10000 is 100%.
        pub utilization_bp: u32 = ValueRule::Range(0, 10_000),
        pub off_purpose_use: bool,
    }
}

/// A broken reporting rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum UtilizationError {
    #[error(
        "the utilization report of award {award_id} has a period starting at {period_start}, which is not before its end {period_end}"
    )]
    #[serde(rename = "period_not_ordered")]
    PeriodNotOrdered {
        award_id: Id,
        period_start: Timestamp,
        period_end: Timestamp,
    },
}

impl Programme {
    pub(crate) fn check_utilization_reported(
        &self,
        e: &UtilizationReported,
    ) -> Result<(), RuleError> {
        let subject = || format!("the utilization report of award {}", e.award_id);
        let award = self.find_award(&e.award_id, subject)?;
        self.check_active(award, subject)?;
        if e.period_start.instant() >= e.period_end.instant() {
            return Err(UtilizationError::PeriodNotOrdered {
                award_id: e.award_id.clone(),
                period_start: e.period_start.clone(),
                period_end: e.period_end.clone(),
            }
            .into());
        }
        Ok(())
    }
}
