//! The rows of a view at the two points, matched by the entity each names
//! (not by position) and compared field by field, nested lists of rows
//! included; each changed row is given the events responsible for it.

use super::entity::Entity;
use super::responsible::{Touched, Touches};
use super::{ChangeKind, FieldChange, RowChange};
use gpu_ledger_domain::Id;
use gpu_ledger_projections::ViewName;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Every row of `view` that differs between `before` and `after`.
pub(super) fn changed(
    view: ViewName,
    touches: &Touches,
    before: &Value,
    after: &Value,
) -> Vec<RowChange> {
    let mut rows = Vec::new();
    let cx = RowContext { view, touches };
    cx.compare(
        String::new(),
        &Entity::View,
        &Ids::default(),
        Some(before),
        Some(after),
        None,
        &mut rows,
    );
    rows
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
