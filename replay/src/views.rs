//! The views as they stood at a point in history: replay the records up to
//! a seq, up to a business time (`occurred_at`, what analysts mean by "as
//! of"), or up to a ledger time (`recorded_at`, what the ledger had
//! recorded by then: an auditor's question), streaming them.

use crate::fold::{BATCH, fold};
use crate::rebuild::RebuildError;
use crate::source::Source;
use gpu_ledger_domain::Instant;
use gpu_ledger_ledger::RecordedAt;
use gpu_ledger_projections::Projections;

/// Where history stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Every record.
    Head,
    /// Records with seq <= N.
    Seq(u64),
    /// Ledger time: records with `recorded_at` <= T. Ledger time never goes
    /// backwards, so these are a prefix of the ledger.
    RecordedAt(RecordedAt),
    /// Business time: the longest prefix of the ledger whose events all
    /// occurred at or before T. Business time may go backwards (an event
    /// recorded late); the first event that occurred after T ends the
    /// prefix, even if a later one occurred before T again, so that a point
    /// in history is always a seq and every view at it is a replay of
    /// records 1 to that seq.
    OccurredAt(Instant),
}

impl Until {
    /// Whether the record at `seq`, recorded at `recorded_at`, is part of
    /// history up to this point, given `occurred_by`: the latest business
    /// time of its event and every event before it (None: no event yet).
    pub fn includes(self, seq: u64, recorded_at: RecordedAt, occurred_by: Option<Instant>) -> bool {
        match self {
            Until::Head => true,
            Until::Seq(n) => seq <= n,
            Until::RecordedAt(t) => recorded_at <= t,
            Until::OccurredAt(t) => occurred_by.is_none_or(|o| o <= t),
        }
    }

    /// [`Until::includes`] as far as the record alone tells: false only for
    /// records beyond the point whatever their events say.
    pub fn may_include(self, seq: u64, recorded_at: RecordedAt) -> bool {
        match self {
            Until::OccurredAt(_) => true,
            other => other.includes(seq, recorded_at, None),
        }
    }

    /// The clock a time point is read on, as answers name it: `occurred_at`
    /// or `recorded_at`; None for a seq or the head.
    pub fn clock(self) -> Option<&'static str> {
        match self {
            Until::OccurredAt(_) => Some("occurred_at"),
            Until::RecordedAt(_) => Some("recorded_at"),
            Until::Head | Until::Seq(_) => None,
        }
    }

    /// Whether this point is the whole of a ledger whose head is `head`
    /// (seq and `recorded_at`) and whose latest business time is `occurred_by`.
    pub fn covers_head(
        self,
        head: u64,
        recorded_at: Option<RecordedAt>,
        occurred_by: Option<Instant>,
    ) -> bool {
        match self {
            Until::Head => true,
            Until::Seq(n) => n >= head,
            Until::RecordedAt(t) => recorded_at.is_none_or(|h| t >= h),
            Until::OccurredAt(t) => occurred_by.is_none_or(|o| o <= t),
        }
    }
}

/// The latest business time seen so far, carried along a replay so that
/// [`Until::OccurredAt`] can tell where its prefix ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OccurredBy(pub Option<Instant>);

impl OccurredBy {
    /// After one more event, that occurred at `at`.
    pub fn after(self, at: Instant) -> Self {
        OccurredBy(Some(self.0.map_or(at, |o| o.max(at))))
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
        until,
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
