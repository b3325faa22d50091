//! The views as they stood at a point in history: replay the records up to
//! a seq, or up to a `recorded_at`, streaming them.

use crate::fold::{BATCH, fold};
use crate::rebuild::RebuildError;
use crate::source::Source;
use gpu_ledger_ledger::RecordedAt;
use gpu_ledger_projections::Projections;

/// Where history stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Every record.
    Head,
    /// Records with seq <= N.
    Seq(u64),
    /// Records with `recorded_at` <= T.
    RecordedAt(RecordedAt),
}

impl Until {
    /// Whether the record at `seq`, recorded at `recorded_at`, is part of
    /// history up to this point.
    pub fn includes(self, seq: u64, recorded_at: RecordedAt) -> bool {
        match self {
            Until::Head => true,
            Until::Seq(n) => seq <= n,
            Until::RecordedAt(t) => recorded_at <= t,
        }
    }
}

/// Builds every view from the records of `source` up to `until`.
pub async fn rebuild_views(
    source: &mut Source,
    until: Until,
    on_progress: impl FnMut(u64),
) -> Result<Projections, RebuildError> {
    let mut p = Projections::new();
    let batch_size = match until {
        Until::Seq(n) => (n as usize).clamp(1, BATCH),
        _ => BATCH,
    };
    fold(
        source,
        batch_size,
        |r| until.includes(r.seq, r.recorded_at),
        |entries| {
            for e in entries {
                p.apply(e.record.seq, &e.event);
            }
            Ok(())
        },
        on_progress,
    )
    .await?;
    Ok(p)
}
