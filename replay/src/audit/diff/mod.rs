//! `gpu-ledger diff`: what changed in each view between two points in
//! history, and the events responsible.
//!
//! One checked pass up to the later point: the views are rendered as JSON
//! at the earlier point and at the later one, and compared row by row. A
//! row is an element of a list that names an entity (`award_id`,
//! `application_id`, `org_id`, a track...), matched by that id rather than
//! by position, so a list re-sorted by the change shows only what changed;
//! nested objects are compared field by field (`totals.applications`).
//!
//! The events responsible for a row are the events between the two points
//! that touch its entity and move that view (a recall touches its award,
//! application, organization, track and pool; it moves holdings, pools,
//! utilization and concentration, not calls or ranking). A row whose entity
//! no event touched (a rank that shifted because others were scored) is
//! given its parent row's events; a view's own top-level figures are given
//! every event that moved the view. At most [`MAX_EVENTS_SHOWN`] events are
//! kept per row, with the total, so memory grows with the entities touched,
//! not with the events between the points.
//!
//! - `entity`: what a row is about, and which entities an event touches;
//! - `responsible`: which views an event moves, and the events kept per
//!   view and entity;
//! - `rows`: the rows of a view at the two points, matched by entity and
//!   compared.

mod entity;
mod responsible;
mod rows;

use super::AuditError;
use super::integrity::replay_checked;
use super::render::{Document, Documented, Item, code, count, grouped, text};
use crate::source::Source;
use crate::views::{OccurredBy, Until};
use gpu_ledger_domain::timestamp::utc_text;
use gpu_ledger_ledger::{Hash, RecordedAt};
use gpu_ledger_projections::{Projections, ViewName, ViewParams};
use responsible::Touches;
use serde::Serialize;
use serde_json::Value;

/// Events listed per changed row; the rest are counted.
pub const MAX_EVENTS_SHOWN: usize = 16;

/// Which points, which views.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// The earlier point: `Until::Seq(0)` is the empty ledger.
    pub from: Until,
    /// The later point.
    pub to: Until,
    /// The views to compare (all when empty).
    pub views: Vec<ViewName>,
}

/// A point in history: the last record it includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Point {
    pub seq: u64,
    pub hash: Hash,
    pub recorded_at: Option<RecordedAt>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub from: Point,
    pub to: Point,
    /// Events after `from`, up to and including `to`.
    pub events: u64,
    pub views: Vec<ViewDiff>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ViewDiff {
    pub view: ViewName,
    pub changes: Vec<RowChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowChange {
    /// Where the row is, e.g. `by_organization[org_id=ORG-5]`; empty for
    /// the view's own top-level figures.
    pub path: String,
    pub change: ChangeKind,
    pub fields: Vec<FieldChange>,
    /// Whose events `events` are, e.g. `award AW-1`.
    pub events_of: String,
    pub events: Vec<Responsible>,
    pub events_total: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub field: String,
    /// `null` when the field was absent.
    pub before: Value,
    pub after: Value,
}

/// An event between the points that moved a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Responsible {
    pub seq: u64,
    pub hash: Hash,
    #[serde(rename = "type")]
    pub event_type: &'static str,
}

/// The views at one point.
struct Snapshot {
    point: Point,
    views: Vec<Value>,
}

fn snapshot(p: &Projections, views: &[ViewName], point: Point) -> Snapshot {
    let params = ViewParams::default();
    Snapshot {
        point,
        views: views.iter().map(|v| p.json(*v, &params)).collect(),
    }
}

/// Compares the views at two points of `source`.
pub async fn diff(
    source: &mut Source,
    options: &DiffOptions,
    on_progress: impl FnMut(u64),
) -> Result<DiffReport, AuditError> {
    match (options.from, options.to) {
        (Until::Seq(a), Until::Seq(b)) if a > b => {
            return Err(AuditError::PointsReversed {
                from: format!("seq {a}"),
                to: format!("seq {b}"),
            });
        }
        (Until::RecordedAt(a), Until::RecordedAt(b)) if a > b => {
            return Err(AuditError::PointsReversed {
                from: a.to_string(),
                to: b.to_string(),
            });
        }
        (Until::OccurredAt(a), Until::OccurredAt(b)) if a > b => {
            return Err(AuditError::PointsReversed {
                from: utc_text(a),
                to: utc_text(b),
            });
        }
        _ => {}
    }
    let views: Vec<ViewName> = if options.views.is_empty() {
        ViewName::ALL.to_vec()
    } else {
        options.views.clone()
    };
    let mut p = Projections::new();
    let mut point = Point {
        seq: 0,
        hash: Hash::ZERO,
        recorded_at: None,
    };
    let mut before: Option<Snapshot> = None;
    let mut touches = Touches::default();
    let mut events = 0u64;
    let mut occurred_by = OccurredBy::default();
    let integrity = replay_checked(
        source,
        options.to,
        |s| {
            occurred_by = occurred_by.after(s.event.occurred_at.instant());
            if before.is_none() && !options.from.includes(s.seq, s.recorded_at, occurred_by.0) {
                before = Some(snapshot(&p, &views, point));
            }
            if before.is_some() {
                events += 1;
                let r = Responsible {
                    seq: s.seq,
                    hash: s.hash,
                    event_type: s.event.event_type().as_str(),
                };
                touches.record(&p.catalog, &views, r, s.event);
            }
            p.apply(s.seq, s.event);
            point = Point {
                seq: s.seq,
                hash: s.hash,
                recorded_at: Some(s.recorded_at),
            };
        },
        on_progress,
    )
    .await?;
    if let Some(seq) = integrity.first_bad_seq {
        return Err(AuditError::Broken {
            seq,
            reason: integrity.reason.unwrap_or_default(),
        });
    }
    for wanted in [options.from, options.to] {
        if let Until::Seq(n) = wanted
            && n > point.seq
        {
            return Err(AuditError::PastHead {
                requested: n,
                last: point.seq,
            });
        }
    }
    let before = before.unwrap_or_else(|| snapshot(&p, &views, point));
    let after = snapshot(&p, &views, point);
    let views = views
        .iter()
        .enumerate()
        .map(|(i, &view)| ViewDiff {
            view,
            changes: rows::changed(view, &touches, &before.views[i], &after.views[i]),
        })
        .collect();
    Ok(DiffReport {
        from: before.point,
        to: after.point,
        events,
        views,
    })
}

impl Documented for DiffReport {
    fn document(&self) -> Document {
        let mut d = Document::new(format!(
            "Diff from seq {} to seq {}",
            self.from.seq, self.to.seq
        ));
        d.paragraph(vec![
            text(format!("From seq {} (", grouped(self.from.seq))),
            code(self.from.hash.to_string()),
            text(format!(") to seq {} (", grouped(self.to.seq))),
            code(self.to.hash.to_string()),
            text(format!("): {} events between them.", grouped(self.events))),
        ]);
        for v in &self.views {
            d.heading(2, format!("{} ({} changed rows)", v.view, v.changes.len()));
            if v.changes.is_empty() {
                d.paragraph(vec![text("No change.")]);
                continue;
            }
            d.list(v.changes.iter().map(change_item).collect());
        }
        d
    }
}

fn change_item(c: &RowChange) -> Item {
    let what = match c.change {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed => "changed",
    };
    let place = if c.path.is_empty() {
        code("(view)")
    } else {
        code(&c.path)
    };
    let fields: Vec<String> = c
        .fields
        .iter()
        .map(|f| match c.change {
            ChangeKind::Added => format!("{} = {}", f.field, f.after),
            ChangeKind::Removed => format!("{} was {}", f.field, f.before),
            ChangeKind::Changed => format!("{}: {} → {}", f.field, f.before, f.after),
        })
        .collect();
    let mut children: Vec<_> = c
        .events
        .iter()
        .map(|e| {
            vec![
                text(format!("seq {} {} ", grouped(e.seq), e.event_type)),
                code(e.hash.to_string()),
            ]
        })
        .collect();
    let more = c.events_total.saturating_sub(c.events.len() as u64);
    if more > 0 {
        children.push(vec![text(format!(
            "and {} more of {}",
            count(more, "event"),
            c.events_of
        ))]);
    }
    Item {
        spans: vec![
            place,
            text(format!(
                " {what}: {}. Events of {}: {}.",
                fields.join("; "),
                c.events_of,
                grouped(c.events_total)
            )),
        ],
        children,
    }
}
