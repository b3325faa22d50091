//! The events of events.md that the history tells, as they are written.
//!
//! Each event is a typed body plus the common fields, serialised as one
//! compact JSON object with `type`, `occurred_at` and `actor` first, then the
//! body's fields in the order events.md lists them, then an optional `note`.
//! Typed structs rather than JSON maps keep that order fixed whatever features
//! other crates of the workspace turn on in `serde_json`, so the bytes of the
//! committed example never depend on what else was built.

use super::calendar::Kst;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which part of the research ecosystem an organization belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Sector {
    Academia,
    Industry,
    Research,
}

/// An organization's size class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Size {
    Large,
    Sme,
    Startup,
    Public,
}

/// Inside or outside the capital region (Seoul, Incheon, Gyeonggi).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Region {
    Capital,
    NonCapital,
}

/// What the GPUs are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Purpose {
    Research,
    ServiceDevelopment,
    ModelDevelopment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum PoolSource {
    Owned,
    Leased,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RecallReason {
    Underutilization,
    OffPurposeUse,
    Withdrawal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum EndReason {
    Relinquished,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct PoolRegistered {
    pub pool_id: String,
    pub name: String,
    pub source: PoolSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub gpu_model: String,
    pub gpus: u32,
    pub gpus_per_server: u32,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct OrganizationRegistered {
    pub org_id: String,
    pub name: String,
    pub sector: Sector,
    pub size: Size,
    pub region: Region,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct CallOpened {
    pub call_id: String,
    pub title: String,
    pub closes_at: String,
    pub tracks: Vec<TrackSpec>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct TrackSpec {
    pub track_id: String,
    pub pool_id: String,
    pub gpus: u32,
    pub eligible_sectors: Vec<Sector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible_sizes: Option<Vec<Size>>,
    pub min_reviews: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regional_bonus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_org_share_bp: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct CallClosed {
    pub call_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct ApplicationSubmitted {
    pub application_id: String,
    pub call_id: String,
    pub track_id: String,
    pub org_id: String,
    pub title: String,
    pub purpose: Purpose,
    pub requested_gpus: u32,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct ScoreRecorded {
    pub application_id: String,
    pub reviewer_id: String,
    pub score: u32,
    pub criteria: BTreeMap<&'static str, u32>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct ApplicationRejected {
    pub application_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct AwardGranted {
    pub award_id: String,
    pub application_id: String,
    pub gpus: u32,
    pub starts_at: String,
    pub ends_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct UtilizationReported {
    pub award_id: String,
    pub period_start: String,
    pub period_end: String,
    pub utilization_bp: u32,
    pub off_purpose_use: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct RecallIssued {
    pub recall_id: String,
    pub award_id: String,
    pub gpus: u32,
    pub reason: RecallReason,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Redistributed {
    pub redistribution_id: String,
    pub recall_id: String,
    pub award_id: String,
    pub application_id: String,
    pub gpus: u32,
    pub starts_at: String,
    pub ends_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct RecallReleased {
    pub recall_id: String,
    pub gpus: u32,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct AwardEnded {
    pub award_id: String,
    pub reason: EndReason,
}

macro_rules! bodies {
    ($($name:ident),* $(,)?) => {
        /// The type-specific part of an event; serialises as the bare body.
        #[derive(Debug, Clone, Serialize)]
        #[serde(untagged)]
        pub(super) enum Body {
            $($name($name),)*
        }

        impl Body {
            /// The event's `type`.
            fn type_name(&self) -> &'static str {
                match self {
                    $(Body::$name(_) => stringify!($name),)*
                }
            }
        }

        $(impl From<$name> for Body {
            fn from(body: $name) -> Self {
                Body::$name(body)
            }
        })*
    };
}

bodies!(
    PoolRegistered,
    OrganizationRegistered,
    CallOpened,
    CallClosed,
    ApplicationSubmitted,
    ScoreRecorded,
    ApplicationRejected,
    AwardGranted,
    UtilizationReported,
    RecallIssued,
    Redistributed,
    RecallReleased,
    AwardEnded,
);

/// An event before its line is written.
#[derive(Debug)]
struct Entry {
    at: Kst,
    actor: String,
    note: Option<String>,
    body: Body,
}

/// One line of the history file.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(rename = "type")]
    type_name: &'static str,
    occurred_at: String,
    actor: &'a str,
    #[serde(flatten)]
    body: &'a Body,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// The events of the history, gathered from several storylines that run at
/// the same time (the follow-up call is evaluated while the first call's
/// awards are monitored) and written in business-time order.
#[derive(Debug, Default)]
pub(super) struct Timeline {
    entries: Vec<Entry>,
}

impl Timeline {
    pub(super) fn record(&mut self, at: Kst, actor: impl Into<String>, body: impl Into<Body>) {
        self.push(at, actor.into(), None, body.into());
    }

    pub(super) fn record_with_note(
        &mut self,
        at: Kst,
        actor: impl Into<String>,
        note: impl Into<String>,
        body: impl Into<Body>,
    ) {
        self.push(at, actor.into(), Some(note.into()), body.into());
    }

    fn push(&mut self, at: Kst, actor: String, note: Option<String>, body: Body) {
        self.entries.push(Entry {
            at,
            actor,
            note,
            body,
        });
    }

    /// The lines in business-time order. The sort is stable, so events of one
    /// storyline recorded at the same moment keep the order they were recorded
    /// in; a moment already taken moves one second later, which makes
    /// `occurred_at` strictly increasing without reordering anything.
    pub(super) fn into_lines(mut self) -> Vec<String> {
        self.entries.sort_by_key(|e| e.at);
        let mut previous: Option<Kst> = None;
        self.entries
            .iter()
            .map(|entry| {
                let at = match previous {
                    Some(p) if entry.at <= p => p.plus_seconds(1),
                    _ => entry.at,
                };
                previous = Some(at);
                let line = Line {
                    type_name: entry.body.type_name(),
                    occurred_at: at.to_string(),
                    actor: &entry.actor,
                    body: &entry.body,
                    note: entry.note.as_deref(),
                };
                serde_json::to_string(&line).expect("an event always serialises")
            })
            .collect()
    }
}
