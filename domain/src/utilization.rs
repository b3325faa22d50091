//! Utilisation reports from the monitoring system.
//!
//! Rules: a report is about an active award, and its period starts before it ends.

use crate::event::{Field, Fields};
use crate::id::Id;
use crate::programme::Programme;
use crate::rule::RuleError;
use crate::timestamp::Timestamp;
use serde::Serialize;

/// `UtilizationReported`: how much of a period an award's GPUs were used (basis points).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UtilizationReported {
    pub award_id: Id,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub utilization_bp: u32,
    pub off_purpose_use: bool,
}

impl UtilizationReported {
    pub(crate) fn fields<'a>(&'a self, f: &mut Fields<'a>) {
        f.str("award_id", &self.award_id);
        f.str("period_start", &self.period_start);
        f.str("period_end", &self.period_end);
        f.count("utilization_bp", self.utilization_bp);
        f.put("off_purpose_use", Field::Flag(self.off_purpose_use));
    }
}

/// A broken reporting rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum UtilizationError {
    #[error(
        "the utilisation report of award {award_id} has a period starting at {period_start}, which is not before its end {period_end}"
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
        let subject = || format!("the utilisation report of award {}", e.award_id);
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
