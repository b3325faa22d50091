//! Every way an event can break a rule of the programme, gathered in one type.
//!
//! Each variant is defined next to its rule, in the module of that part of
//! the programme. A refused event's error names the rule (its serialised
//! `error` field, e.g. `pool_has_too_few_free`) and the ids involved.

use crate::appeal::AppealError;
use crate::application::ApplicationError;
use crate::award::AwardError;
use crate::call::CallError;
use crate::extension::ExtensionError;
use crate::notice::NoticeError;
use crate::organization::OrganizationError;
use crate::output::OutputError;
use crate::pool::PoolError;
use crate::recall::RecallError;
use crate::redistribution::RedistributionError;
use crate::reviewer::ReviewerError;
use crate::score::ScoreError;
use crate::supplement::SupplementError;
use crate::utilization::UtilizationError;
use serde::Serialize;

/// A rule of events.md that an event breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(untagged)]
pub enum RuleError {
    #[error(transparent)]
    Pool(#[from] PoolError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Call(#[from] CallError),
    #[error(transparent)]
    Application(#[from] ApplicationError),
    #[error(transparent)]
    Score(#[from] ScoreError),
    #[error(transparent)]
    Award(#[from] AwardError),
    #[error(transparent)]
    Utilization(#[from] UtilizationError),
    #[error(transparent)]
    Recall(#[from] RecallError),
    #[error(transparent)]
    Redistribution(#[from] RedistributionError),
    #[error(transparent)]
    Reviewer(#[from] ReviewerError),
    #[error(transparent)]
    Notice(#[from] NoticeError),
    #[error(transparent)]
    Appeal(#[from] AppealError),
    #[error(transparent)]
    Extension(#[from] ExtensionError),
    #[error(transparent)]
    Supplement(#[from] SupplementError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl RuleError {
    /// The rule's name, e.g. `award_exceeds_request`.
    pub fn rule(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(m)) => m
                .get("error")
                .and_then(|v| v.as_str())
                .unwrap_or("rule")
                .to_string(),
            _ => "rule".to_string(),
        }
    }

    /// The error as a JSON object: `{"error": <rule>, "message": ..., <ids and figures>}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}));
        if let serde_json::Value::Object(m) = &mut v {
            m.insert("message".into(), self.to_string().into());
        }
        v
    }
}
