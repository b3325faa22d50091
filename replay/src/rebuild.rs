//! The programme state as of the records a source yields: what the rules
//! need before more events can be checked against them.

use crate::fold::{BATCH, fold};
use crate::source::{Source, SourceError};
use crate::views::Until;
use gpu_ledger_domain::{EventError, Programme, RuleError};

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
    on_progress: impl FnMut(u64),
) -> Result<Programme, RebuildError> {
    let mut p = Programme::new();
    fold(
        source,
        BATCH,
        Until::Head,
        |entries| {
            for e in entries {
                p.accept(&e.event).map_err(|error| RebuildError::Rule {
                    seq: e.record.seq,
                    error,
                })?;
            }
            Ok(())
        },
        on_progress,
    )
    .await?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use crate::fold::tests::example_store;
    use crate::source::Source;
    use crate::views::{Until, rebuild_views};
    use gpu_ledger_projections::Projections;

    #[tokio::test]
    async fn views_rebuilt_up_to_a_seq_are_the_fold_of_the_events_up_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let (store, events) = example_store(dir.path()).await;
        let rebuilt = rebuild_views(&mut Source::store(store), Until::Seq(4321), |_| {})
            .await
            .unwrap();
        let mut folded = Projections::new();
        for (i, e) in events.iter().take(4321).enumerate() {
            folded.apply(i as u64 + 1, e);
        }
        assert_eq!(rebuilt, folded);
    }
}
