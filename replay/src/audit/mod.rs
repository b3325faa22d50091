//! Audits: what an auditor runs to check the programme was run by its rules,
//! from the store or from an export handed over as a copy.
//!
//! - [`integrity`]: the checked replay every audit stands on: each record
//!   in order, linked to the one before, hashing as stored, holding a valid
//!   event that passes the programme's rules;
//! - [`report`]: `gpu-ledger audit report`: integrity, the published
//!   statistics per call and track with the awards in rank order, the
//!   [`exceptions`] with the events that prove them, and the pools
//!   [`reconciliation`];
//! - [`trace`]: `gpu-ledger audit trace`: the full story of an award, an
//!   application or an organization, and where recalled GPUs came from and went;
//! - [`diff`]: `gpu-ledger diff`: what changed in each view between two
//!   points in history, and the events responsible;
//! - [`render`]: every one of them as Markdown, JSON or self-contained HTML,
//!   the same bytes for the same ledger so that an auditor can hash them.
//!
//! # How the words are read
//!
//! - **Rank.** An application's rank in its track is the exact mean of all
//!   its scores plus the track's `regional_bonus` when its organization is
//!   `non_capital` ([`rank`]): a fraction compared by cross-multiplication,
//!   never a float. An application without scores has no rank and never
//!   outranks anyone.
//! - **At the end** is the last event the report covers (`--until-seq`,
//!   `--as-of`, or the head); its `occurred_at` is "now" for `award_past_end`
//!   and for GPUs still awaiting redistribution.
//! - **Business time** is `occurred_at`, compared as instants; "30 days" is
//!   30 × 86,400 seconds between instants, "longer" strictly longer.
//! - **Adjacent in period order.** Reports of an award are ordered by
//!   `period_start`, then `period_end` (then seq). A recall is judged over
//!   every report of its award recorded before it, in that order: a report
//!   arriving late for an earlier period takes its place among the others,
//!   so it can complete a low pair or stand between two low reports and
//!   part them. Memory grows with the reports of active awards.
//! - **Evidence is cumulative.** Evidence recorded before a first recall of
//!   an award is still before a second recall of it.
//! - **Top-ups.** A `Redistributed` to an application that is already
//!   awarded is judged like any other: against the pending applications of
//!   its track at that moment (the application itself excluded).
//! - **Supplements** are judged as redistributions are, by the same
//!   judgement ([`exceptions::passed_over`]): more GPUs for an awarded
//!   application while a better-ranked one of its track waits with enough
//!   scores. They take free GPUs of the pool and are held, as grants are.
//! - **Open too long.** A notice is open as the spec says (until an
//!   exemption is granted, a recall cites it, or its award stops being
//!   active); an appeal until it is decided or its application withdrawn.
//!   Either is timed to the event that closed it, or to the end when still
//!   open: a notice from its `respond_by`, an appeal from its filing. One
//!   closed late was overdue as much as one still open, as recalled GPUs
//!   cleared late are for `recall_awaiting_too_long`.
//! - **A score before a declared conflict.** A `ConflictDeclared` with an
//!   application, or with its organization, covers the reviewer's earlier
//!   scores of it; each such score is one exception, with the first
//!   conflict that covers it.
//! - **Conflict of interest.** The `actor` is `org:<org_id>:<anything>` (or
//!   exactly `org:<org_id>`) with `<org_id>` byte for byte the applying
//!   organization's id; org ids may contain `:`, so the whole id is matched
//!   as a prefix, never split at the first colon.
//! - **What a stored ledger cannot break.** The audit replays every event
//!   against the rules (a forged export is caught there, not trusted); in a
//!   ledger that passes them, `org_share_over_cap` cannot occur (caps are
//!   checked at every award and redistribution, track sizes never change,
//!   and holdings only shrink otherwise) and pools always reconcile. Both
//!   checks are still made, independently of the rules, so that a rule the
//!   domain failed to enforce would show.
//! - **`--call`** narrows the calls section and the exceptions to one call;
//!   integrity and pools (shared by every call) stay whole.

pub mod calls;
pub mod diff;
pub mod exceptions;
pub mod integrity;
pub mod rank;
pub mod reconciliation;
pub mod render;
pub mod report;
pub mod trace;
pub mod words;

pub use diff::{DiffOptions, DiffReport, Point, diff};
pub use integrity::{Checked, Integrity, replay_checked};
pub use render::{Format, render};
pub use report::{AuditReport, ReportOptions, audit_report};
pub use trace::{Subject, Trace, trace};

use crate::source::SourceError;
use gpu_ledger_domain::Id;
use gpu_ledger_ledger::Hash;
use serde::Serialize;

/// One event cited as evidence: its seq and its hash, which an auditor can
/// check against any copy of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EventRef {
    pub seq: u64,
    pub hash: Hash,
}

/// Why an audit could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("there is no call {call_id} in the ledger{}", known_list(.known))]
    UnknownCall { call_id: Id, known: Vec<Id> },
    #[error("there is no {what} {id} in the ledger")]
    UnknownSubject { what: &'static str, id: Id },
    #[error("the ledger ends at seq {last}: there is no seq {requested}")]
    PastHead { requested: u64, last: u64 },
    #[error("the points are in the wrong order: {from} is after {to}")]
    PointsReversed { from: String, to: String },
    #[error(
        "the ledger does not verify at seq {seq}: {reason}; run `gpu-ledger audit report` or `gpu-ledger verify` for details"
    )]
    Broken { seq: u64, reason: String },
}

impl AuditError {
    /// The rule-like name of the error, for JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            AuditError::Source(_) => "source",
            AuditError::UnknownCall { .. } => "unknown_call",
            AuditError::UnknownSubject { what, .. } => match *what {
                "award" => "unknown_award",
                "application" => "unknown_application",
                _ => "unknown_organization",
            },
            AuditError::PastHead { .. } => "past_head",
            AuditError::PointsReversed { .. } => "points_reversed",
            AuditError::Broken { .. } => "ledger_does_not_verify",
        }
    }
}

fn known_list(known: &[Id]) -> String {
    if known.is_empty() {
        " (it has none)".to_string()
    } else {
        let names: Vec<&str> = known.iter().map(Id::as_str).collect();
        format!(" (calls: {})", names.join(", "))
    }
}
