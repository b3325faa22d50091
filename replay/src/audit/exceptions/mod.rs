//! Exceptions: what an auditor must look at, each with the events that
//! prove it (seq and hash).
//!
//! One module per kind, named as the kind: its docs state the rule, and it
//! holds the record an exception of that kind carries and `Detect`, the
//! [`Detector`] that finds it. [`ExceptionFinder`] folds over the checked
//! events once, in seq order, and shows each event to every detector with
//! what is [`Known`] before it: the catalog (as every view sees it), the
//! [`Evidence`] all kinds cite, and the [`Settings`]. A detector decides at
//! the moment of an event (a redistribution, a recall, a score) or at the
//! end, on the last event the audit covers, and keeps only what its own
//! rule needs beyond the shared evidence.
//!
//! Adding a kind is a module (and its `mod` line) and one line in the list
//! at the bottom, which gives the kind's place in reports; [`Kind`] and
//! [`Exception`] are made from that list.

pub mod appeal_undecided_too_long;
pub mod award_out_of_rank_order;
pub mod award_past_end;
pub mod business_time;
pub mod evidence;
pub mod notice_overdue;
pub mod org_share;
pub mod org_share_near_cap;
pub mod org_share_over_cap;
pub mod overdue;
pub mod passed_over;
pub mod recall_awaiting_too_long;
pub mod recall_without_evidence;
pub mod redistribution_out_of_rank_order;
pub mod reviewer_conflict_of_interest;
pub mod rival;
pub mod score_before_declared_conflict;
pub mod supplement_out_of_rank_order;

pub use evidence::Evidence;

use super::EventRef;
use super::integrity::Checked;
use super::words::words;
use crate::language::{Language, Messages};
use gpu_ledger_domain::Id;
use gpu_ledger_projections::Catalog;
use serde::Serialize;

/// The default time recalled GPUs may await redistribution.
pub const DEFAULT_MAX_AWAITING_DAYS: u32 = 30;

/// The default time a notice may stay open past its `respond_by`.
pub const DEFAULT_MAX_NOTICE_OVERDUE_DAYS: u32 = 14;

/// The default time an appeal may stay undecided.
pub const DEFAULT_MAX_APPEAL_DAYS: u32 = 30;

/// What the audit settles on: the thresholds an auditor may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Days of business time recalled GPUs may await redistribution.
    pub max_awaiting_days: u32,
    /// Days of business time a notice may stay open past its `respond_by`.
    pub max_notice_overdue_days: u32,
    /// Days of business time an appeal may stay undecided after its filing.
    pub max_appeal_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_awaiting_days: DEFAULT_MAX_AWAITING_DAYS,
            max_notice_overdue_days: DEFAULT_MAX_NOTICE_OVERDUE_DAYS,
            max_appeal_days: DEFAULT_MAX_APPEAL_DAYS,
        }
    }
}

/// What a detector sees besides the event: as it was before the event in
/// [`Detector::observe`], as it is at the end in [`Detector::finish`].
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    pub catalog: &'a Catalog,
    pub evidence: &'a Evidence,
    pub settings: &'a Settings,
}

/// Finds the exceptions of one kind.
///
/// A record it finds has the two fields every exception has: `call_id`
/// (what `--call` selects by) and `events` (the proof, in seq order).
pub trait Detector: Default {
    /// The record an exception of this kind carries.
    type Found;

    /// Sees one checked event, in seq order.
    fn observe(&mut self, _known: &Known<'_>, _step: &Checked<'_>) {}

    /// Every exception of the kind once the last event has been seen, in
    /// the order reports list them: by the event each is about (the award,
    /// the recall, the score...), which a kind decided at the moment of
    /// that event finds in that order.
    fn finish(self, known: &Known<'_>) -> Vec<Self::Found>;

    /// One sentence for people, in the words `w` (the catalog's
    /// `summary-<kind>`).
    fn summary(found: &Self::Found, w: &Messages<'_>) -> String;
}

/// Finds every exception in one pass.
#[derive(Debug)]
pub struct ExceptionFinder {
    settings: Settings,
    evidence: Evidence,
    detectors: Detectors,
}

impl ExceptionFinder {
    pub fn new(settings: Settings) -> Self {
        ExceptionFinder {
            settings,
            evidence: Evidence::default(),
            detectors: Detectors::default(),
        }
    }

    /// Takes in one checked event; `cat` is the catalog before it.
    pub fn apply(&mut self, cat: &Catalog, step: &Checked<'_>) {
        let known = Known {
            catalog: cat,
            evidence: &self.evidence,
            settings: &self.settings,
        };
        self.detectors.observe(&known, step);
        self.evidence.apply(cat, step);
    }

    /// Every exception, in report order; `cat` is the catalog at the end.
    pub fn finish(self, cat: &Catalog) -> Vec<Exception> {
        let known = Known {
            catalog: cat,
            evidence: &self.evidence,
            settings: &self.settings,
        };
        self.detectors.finish(&known)
    }
}

/// Makes, from the list of kinds (`module: Variant`, with `in part` where
/// the `call_id` is in a part of the record), [`Kind`],
/// [`Exception`] and the set of detectors.
macro_rules! kinds {
    ($($module:ident: $variant:ident $(in $part:ident)?,)*) => {
        /// The kinds of exception, in the order reports list them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kind {
            $($variant,)*
        }

        impl Kind {
            pub const ALL: [Kind; [$(stringify!($variant)),*].len()] = [$(Kind::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Kind::$variant => stringify!($module),)*
                }
            }

            /// What the kind means, as reports print it.
            pub fn explanation(self) -> String {
                self.explanation_in(Language::En)
            }

            /// What the kind means, in `lang` (the catalog's `explain-<kind>`).
            pub fn explanation_in(self, lang: Language) -> String {
                words(lang).text(&format!("explain-{}", self.as_str()))
            }
        }

        /// One exception. In JSON, `{"kind": ..., <ids and figures>, "events": [{"seq", "hash"}]}`.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Exception {
            $($variant(<$module::Detect as Detector>::Found),)*
        }

        impl Exception {
            pub fn kind(&self) -> Kind {
                match self {
                    $(Exception::$variant(_) => Kind::$variant,)*
                }
            }

            /// The call the exception belongs to (what `--call` selects by).
            pub fn call_id(&self) -> &Id {
                match self {
                    $(Exception::$variant(x) => &x$(.$part)?.call_id,)*
                }
            }

            /// The events that prove it, in seq order.
            pub fn events(&self) -> &[EventRef] {
                match self {
                    $(Exception::$variant(x) => &x.events,)*
                }
            }

            /// One sentence for people.
            pub fn summary(&self) -> String {
                self.summary_in(Language::En)
            }

            /// One sentence for people, in `lang`.
            pub fn summary_in(&self, lang: Language) -> String {
                let w = words(lang);
                match self {
                    $(Exception::$variant(x) => <$module::Detect as Detector>::summary(x, &w),)*
                }
            }
        }

        /// A detector of each kind.
        #[derive(Debug, Default)]
        struct Detectors {
            $($module: $module::Detect,)*
        }

        impl Detectors {
            fn observe(&mut self, known: &Known<'_>, step: &Checked<'_>) {
                $(self.$module.observe(known, step);)*
            }

            /// Kind after kind, in the list's order.
            fn finish(self, known: &Known<'_>) -> Vec<Exception> {
                let mut found = Vec::new();
                $(found.extend(self.$module.finish(known).into_iter().map(Exception::$variant));)*
                found
            }
        }
    };
}

// Every kind, in the order reports list them: its module and its variant.
kinds! {
    award_out_of_rank_order: AwardOutOfRankOrder in ranked,
    recall_without_evidence: RecallWithoutEvidence,
    redistribution_out_of_rank_order: RedistributionOutOfRankOrder in ranked,
    recall_awaiting_too_long: RecallAwaitingTooLong,
    org_share_over_cap: OrgShareOverCap,
    org_share_near_cap: OrgShareNearCap,
    award_past_end: AwardPastEnd,
    reviewer_conflict_of_interest: ReviewerConflictOfInterest,
    score_before_declared_conflict: ScoreBeforeDeclaredConflict,
    supplement_out_of_rank_order: SupplementOutOfRankOrder in ranked,
    notice_overdue: NoticeOverdue,
    appeal_undecided_too_long: AppealUndecidedTooLong,
}

#[cfg(test)]
mod tests;
