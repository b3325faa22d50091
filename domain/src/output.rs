//! What the GPUs produced (vocabulary v2).
//!
//! Rule for `OutputReported`: a new output id; the award exists (active or
//! not: outputs come after a term too). `reference` is free text.

use crate::id::Id;
use crate::programme::{Change, Programme};
use crate::rule::RuleError;
use crate::text::Text;
use crate::vocabulary::declare;
use crate::vocabulary::word::word_enum;
use serde::Serialize;

declare! {
    /// `OutputReported`: a paper, model, dataset, service, patent... an award produced.
    pub struct OutputReported {
        pub output_id: Id,
        pub award_id: Id,
        pub kind: OutputKind,
        pub title: Text,
        /// A DOI, URL or registry number.
        pub reference: Option<Text>,
    }
}

word_enum!(
    /// What kind of output.
    OutputKind {
        Paper = "paper",
        Model = "model",
        Dataset = "dataset",
        Service = "service",
        Patent = "patent",
        Other = "other",
    }
);

/// A broken output rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error")]
pub enum OutputError {
    #[error("output {output_id} already exists")]
    #[serde(rename = "output_already_exists")]
    AlreadyExists { output_id: Id },
}

impl Programme {
    pub(crate) fn check_output_reported(&self, e: &OutputReported) -> Result<(), RuleError> {
        if self.outputs.contains(&e.output_id) {
            return Err(OutputError::AlreadyExists {
                output_id: e.output_id.clone(),
            }
            .into());
        }
        self.find_award(&e.award_id, || format!("output {}", e.output_id))?;
        Ok(())
    }

    pub(crate) fn apply_output_reported(&mut self, e: &OutputReported) {
        self.outputs.insert(e.output_id.clone(), ());
        self.record(|_| Change::OutputAdded);
    }
}
