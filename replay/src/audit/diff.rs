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

use super::AuditError;
use super::integrity::replay_checked;
use super::render::{Document, Documented, Item, code, grouped, text};
use crate::source::Source;
use crate::views::Until;
use gpu_ledger_domain::{Body, Event, EventType, Id};
use gpu_ledger_ledger::{Hash, RecordedAt};
use gpu_ledger_projections::{Catalog, Projections, ViewName, ViewParams};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

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

/// What a row of a view is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Entity {
    /// The view as a whole.
    View,
    Pool(Id),
    Org(Id),
    Call(Id),
    Track(Id, Id),
    /// An organization's holding on a track: (org, call, track).
    OrgOnTrack(Id, Id, Id),
    Application(Id),
    Award(Id),
    Recall(Id),
}

impl Entity {
    fn describe(&self, view: ViewName) -> String {
        match self {
            Entity::View => format!("the {view} view"),
            Entity::Pool(p) => format!("pool {p}"),
            Entity::Org(o) => format!("organization {o}"),
            Entity::Call(c) => format!("call {c}"),
            Entity::Track(c, t) => format!("track {c}/{t}"),
            Entity::OrgOnTrack(o, c, t) => format!("organization {o} on track {c}/{t}"),
            Entity::Application(a) => format!("application {a}"),
            Entity::Award(a) => format!("award {a}"),
            Entity::Recall(r) => format!("recall {r}"),
        }
    }
}

/// Whether events of type `t` can change `view`.
fn moves(view: ViewName, t: EventType) -> bool {
    use EventType as E;
    match view {
        ViewName::Holdings => matches!(
            t,
            E::AwardGranted | E::Redistributed | E::RecallIssued | E::AwardEnded
        ),
        ViewName::Pools => matches!(
            t,
            E::PoolRegistered
                | E::PoolResized
                | E::AwardGranted
                | E::Redistributed
                | E::RecallIssued
                | E::RecallReleased
                | E::AwardEnded
        ),
        ViewName::Calls => matches!(
            t,
            E::CallOpened
                | E::CallClosed
                | E::ApplicationSubmitted
                | E::ApplicationWithdrawn
                | E::ApplicationRejected
                | E::AwardGranted
                | E::Redistributed
        ),
        ViewName::Ranking => matches!(
            t,
            E::ApplicationSubmitted
                | E::ScoreRecorded
                | E::ApplicationWithdrawn
                | E::ApplicationRejected
                | E::AwardGranted
                | E::Redistributed
        ),
        ViewName::Utilization => matches!(
            t,
            E::UtilizationReported
                | E::AwardGranted
                | E::Redistributed
                | E::RecallIssued
                | E::AwardEnded
        ),
        ViewName::Concentration => matches!(
            t,
            E::CallOpened | E::AwardGranted | E::Redistributed | E::RecallIssued | E::AwardEnded
        ),
    }
}

/// The entities `event` touches; `cat` is the catalog before it.
fn touched(cat: &Catalog, event: &Event) -> Vec<Entity> {
    // An application's entities: itself, its organization, call and track.
    let of_app = |app: &Id, out: &mut Vec<Entity>| {
        if let Some(a) = cat.apps.get(app) {
            out.push(Entity::Application(app.clone()));
            out.push(Entity::Org(a.org_id.clone()));
            out.push(Entity::Call(a.call_id.clone()));
            out.push(Entity::Track(a.call_id.clone(), a.track_id.clone()));
        }
    };
    // What an award's holding touches beyond its application: its pool and
    // its organization's share of the track.
    let holding = |app: &Id, out: &mut Vec<Entity>| {
        of_app(app, out);
        if let Some(a) = cat.apps.get(app) {
            let track = cat.track(&a.call_id, &a.track_id);
            out.push(Entity::Pool(track.pool_id.clone()));
            out.push(Entity::OrgOnTrack(
                a.org_id.clone(),
                a.call_id.clone(),
                a.track_id.clone(),
            ));
        }
    };
    let award_app = |award: &Id| cat.awards.get(award).map(|a| a.application_id.clone());
    let mut out = Vec::new();
    match &event.body {
        Body::PoolRegistered(e) => out.push(Entity::Pool(e.pool_id.clone())),
        Body::PoolResized(e) => out.push(Entity::Pool(e.pool_id.clone())),
        Body::OrganizationRegistered(e) => out.push(Entity::Org(e.org_id.clone())),
        Body::CallOpened(e) => {
            out.push(Entity::Call(e.call_id.clone()));
            for t in &e.tracks {
                out.push(Entity::Track(e.call_id.clone(), t.track_id.clone()));
            }
        }
        Body::CallClosed(e) => out.push(Entity::Call(e.call_id.clone())),
        Body::ApplicationSubmitted(e) => {
            out.push(Entity::Application(e.application_id.clone()));
            out.push(Entity::Org(e.org_id.clone()));
            out.push(Entity::Call(e.call_id.clone()));
            out.push(Entity::Track(e.call_id.clone(), e.track_id.clone()));
        }
        Body::ScoreRecorded(e) => of_app(&e.application_id, &mut out),
        Body::ApplicationRejected(e) => of_app(&e.application_id, &mut out),
        Body::ApplicationWithdrawn(e) => of_app(&e.application_id, &mut out),
        Body::AwardGranted(e) => {
            out.push(Entity::Award(e.award_id.clone()));
            holding(&e.application_id, &mut out);
        }
        Body::Redistributed(e) => {
            out.push(Entity::Award(e.award_id.clone()));
            out.push(Entity::Recall(e.recall_id.clone()));
            holding(&e.application_id, &mut out);
        }
        Body::UtilizationReported(e) => out.push(Entity::Award(e.award_id.clone())),
        Body::RecallIssued(e) => {
            out.push(Entity::Recall(e.recall_id.clone()));
            out.push(Entity::Award(e.award_id.clone()));
            if let Some(app) = award_app(&e.award_id) {
                holding(&app, &mut out);
            }
        }
        Body::RecallReleased(e) => {
            out.push(Entity::Recall(e.recall_id.clone()));
            if let Some(r) = cat.recalls.get(&e.recall_id) {
                out.push(Entity::Pool(r.pool_id.clone()));
            }
        }
        Body::AwardEnded(e) => {
            out.push(Entity::Award(e.award_id.clone()));
            if let Some(app) = award_app(&e.award_id) {
                holding(&app, &mut out);
            }
        }
    }
    out
}

/// Events between the points, per view and entity: the first few and a count.
#[derive(Debug, Default)]
struct Touches {
    by: HashMap<(ViewName, Entity), Touched>,
}

#[derive(Debug, Default, Clone)]
struct Touched {
    total: u64,
    shown: Vec<Responsible>,
}

impl Touches {
    fn record(&mut self, cat: &Catalog, views: &[ViewName], r: Responsible, event: &Event) {
        let moved: Vec<ViewName> = views
            .iter()
            .copied()
            .filter(|v| moves(*v, event.event_type()))
            .collect();
        if moved.is_empty() {
            return;
        }
        let entities = touched(cat, event);
        for view in moved {
            for entity in entities.iter().cloned().chain([Entity::View]) {
                let t = self.by.entry((view, entity)).or_default();
                t.total += 1;
                if t.shown.len() < MAX_EVENTS_SHOWN {
                    t.shown.push(r);
                }
            }
        }
    }
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
    let integrity = replay_checked(
        source,
        options.to,
        |s| {
            if before.is_none() && !options.from.includes(s.seq, s.recorded_at) {
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
        .map(|(i, &view)| {
            let mut rows = Vec::new();
            let cx = RowContext {
                view,
                touches: &touches,
            };
            cx.compare(
                String::new(),
                &Entity::View,
                &Ids::default(),
                Some(&before.views[i]),
                Some(&after.views[i]),
                None,
                &mut rows,
            );
            ViewDiff {
                view,
                changes: rows,
            }
        })
        .collect();
    Ok(DiffReport {
        from: before.point,
        to: after.point,
        events,
        views,
    })
}

/// Ids inherited from the rows above (a track inside a call).
#[derive(Debug, Clone, Default)]
struct Ids {
    call: Option<Id>,
    track: Option<Id>,
}

struct RowContext<'a> {
    view: ViewName,
    touches: &'a Touches,
}

/// A row's fields split into plain values and lists of rows.
#[derive(Default)]
struct Parts<'v> {
    leaves: Vec<(String, &'v Value)>,
    lists: Vec<(String, &'v [Value])>,
}

impl<'v> Parts<'v> {
    /// The rows of the list `name` (none when the row has no such list).
    fn list(&self, name: &str) -> &'v [Value] {
        self.lists
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[], |(_, rows)| rows)
    }
}

/// Fields the views carry that say nothing about the programme.
const SKIPPED: [&str; 2] = ["view", "as_of_seq"];

fn split<'v>(prefix: &str, v: &'v Map<String, Value>, top: bool, out: &mut Parts<'v>) {
    for (k, x) in v {
        if top && SKIPPED.contains(&k.as_str()) {
            continue;
        }
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match x {
            Value::Object(m) => split(&name, m, false, out),
            // An empty list is a list of no rows: comparing it with its rows
            // later shows them added, not the list replaced.
            Value::Array(items) if items.iter().all(is_row) => {
                out.lists.push((name, items));
            }
            _ => out.leaves.push((name, x)),
        }
    }
}

/// Whether a list element names an entity.
fn is_row(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| identity(m, &Ids::default()).is_some())
}

/// A row's label (`org_id=ORG-5`), its entity, and the ids its own rows inherit.
fn identity(m: &Map<String, Value>, up: &Ids) -> Option<(String, Entity, Ids)> {
    let id = |k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .and_then(|s| Id::parse(s).ok())
    };
    let ids = Ids {
        call: id("call_id").or_else(|| up.call.clone()),
        track: id("track_id").or_else(|| up.track.clone()),
    };
    let labelled = |k: &str, v: &Id| format!("{k}={v}");
    let (label, entity) = if let Some(a) = id("award_id") {
        (labelled("award_id", &a), Entity::Award(a))
    } else if let Some(r) = id("recall_id") {
        (labelled("recall_id", &r), Entity::Recall(r))
    } else if let Some(a) = id("application_id") {
        (labelled("application_id", &a), Entity::Application(a))
    } else if let (Some(t), Some(c)) = (id("track_id"), ids.call.clone()) {
        let label = match id("call_id") {
            Some(own) => format!("call_id={own},track_id={t}"),
            None => labelled("track_id", &t),
        };
        (label, Entity::Track(c, t))
    } else if let Some(o) = id("org_id") {
        let entity = match (&ids.call, &ids.track) {
            (Some(c), Some(t)) => Entity::OrgOnTrack(o.clone(), c.clone(), t.clone()),
            _ => Entity::Org(o.clone()),
        };
        (labelled("org_id", &o), entity)
    } else if let Some(p) = id("pool_id") {
        (labelled("pool_id", &p), Entity::Pool(p))
    } else if let Some(c) = id("call_id") {
        (labelled("call_id", &c), Entity::Call(c))
    } else {
        return None;
    };
    Some((label, entity, ids))
}

impl RowContext<'_> {
    /// Compares one row at the two points (absent at one of them when it
    /// was added or removed), then its own rows.
    #[allow(clippy::too_many_arguments)]
    fn compare(
        &self,
        path: String,
        entity: &Entity,
        ids: &Ids,
        before: Option<&Value>,
        after: Option<&Value>,
        inherited: Option<(&String, &Touched)>,
        out: &mut Vec<RowChange>,
    ) {
        let top = path.is_empty();
        let mut b = Parts::default();
        let mut a = Parts::default();
        if let Some(m) = before.and_then(Value::as_object) {
            split("", m, top, &mut b);
        }
        if let Some(m) = after.and_then(Value::as_object) {
            split("", m, top, &mut a);
        }
        let own = self.touches.by.get(&(self.view, entity.clone()));
        let description = entity.describe(self.view);
        let events = match (own, inherited) {
            (Some(t), _) => Some((&description, t)),
            (None, Some(up)) => Some(up),
            (None, None) => None,
        };
        let fields = field_changes(&b.leaves, &a.leaves);
        let change = match (before, after) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        };
        if !fields.is_empty() || change != ChangeKind::Changed {
            let (events_of, t) = match events {
                Some((d, t)) => (d.clone(), t.clone()),
                None => (
                    String::from("no event between the points"),
                    Touched::default(),
                ),
            };
            out.push(RowChange {
                path: path.clone(),
                change,
                fields,
                events_of,
                events: t.shown,
                events_total: t.total,
            });
        }
        let mut names: Vec<&String> = a.lists.iter().map(|(n, _)| n).collect();
        for (n, _) in &b.lists {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        for name in names {
            let (old, new) = (b.list(name), a.list(name));
            self.compare_lists(&path, name, ids, old, new, events, out);
        }
    }

    /// Matches the rows of a list by their entity and compares each.
    #[allow(clippy::too_many_arguments)]
    fn compare_lists(
        &self,
        path: &str,
        name: &str,
        ids: &Ids,
        before: &[Value],
        after: &[Value],
        inherited: Option<(&String, &Touched)>,
        out: &mut Vec<RowChange>,
    ) {
        let keyed = |rows: &[Value]| -> Vec<(String, Entity, Ids, Value)> {
            rows.iter()
                .filter_map(|v| {
                    let (label, entity, ids) = identity(v.as_object()?, ids)?;
                    Some((label, entity, ids, v.clone()))
                })
                .collect()
        };
        let (b, a) = (keyed(before), keyed(after));
        let old: HashMap<&String, &Value> = b.iter().map(|(l, _, _, v)| (l, v)).collect();
        let new: HashMap<&String, &Value> = a.iter().map(|(l, _, _, v)| (l, v)).collect();
        let row_path = |label: &str| {
            if path.is_empty() {
                format!("{name}[{label}]")
            } else {
                format!("{path}.{name}[{label}]")
            }
        };
        for (label, entity, ids, v) in &a {
            let was = old.get(label).copied();
            self.compare(row_path(label), entity, ids, was, Some(v), inherited, out);
        }
        for (label, entity, ids, v) in &b {
            if !new.contains_key(label) {
                self.compare(row_path(label), entity, ids, Some(v), None, inherited, out);
            }
        }
    }
}

/// Plain fields that differ, in the order the view lists them.
fn field_changes(before: &[(String, &Value)], after: &[(String, &Value)]) -> Vec<FieldChange> {
    let old: HashMap<&String, &Value> = before.iter().map(|(k, v)| (k, *v)).collect();
    let new: HashMap<&String, &Value> = after.iter().map(|(k, v)| (k, *v)).collect();
    let mut out = Vec::new();
    for (k, v) in after {
        if old.get(k) != Some(v) {
            out.push(FieldChange {
                field: k.clone(),
                before: old.get(k).map_or(Value::Null, |x| (*x).clone()),
                after: (*v).clone(),
            });
        }
    }
    for (k, v) in before {
        if !new.contains_key(k) {
            out.push(FieldChange {
                field: k.clone(),
                before: (*v).clone(),
                after: Value::Null,
            });
        }
    }
    out
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
            "and {} more event(s) of {}",
            grouped(more),
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
