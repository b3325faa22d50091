//! The programme state as of the records a source yields: what the rules
//! need before more events can be checked against them.

use crate::source::{Source, SourceError};
use gpu_ledger_domain::{EventError, Programme, RuleError, decode_event};

#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("stored record seq {seq} does not hold a valid event: {error}")]
    Event { seq: u64, error: EventError },
    #[error("stored record seq {seq} breaks a rule [{}]: {error}", error.rule())]
    Rule { seq: u64, error: RuleError },
}

/// Replays every record of `source` into a new [`Programme`].
pub async fn rebuild_programme(
    source: &mut Source,
    mut on_progress: impl FnMut(u64),
) -> Result<Programme, RebuildError> {
    let mut p = Programme::new();
    loop {
        let batch = source.next_batch(1 << 16).await?;
        if batch.is_empty() {
            return Ok(p);
        }
        for r in &batch {
            let event = decode_event(&r.event)
                .map_err(|error| RebuildError::Event { seq: r.seq, error })?;
            p.accept(&event)
                .map_err(|error| RebuildError::Rule { seq: r.seq, error })?;
        }
        on_progress(p.events_accepted());
    }
}
