//! The events of the history, gathered from several storylines that run at
//! the same time (the follow-up call is evaluated while the first call's
//! awards are monitored) and told in business-time order.

use super::calendar::Kst;
use crate::value;
use gpu_ledger_domain::{Body, Event, Text};

/// An event before its moment is final.
#[derive(Debug)]
struct Entry {
    at: Kst,
    actor: Text,
    note: Option<Text>,
    body: Body,
}

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
            actor: value::actor(actor),
            note: note.map(value::note),
            body,
        });
    }

    /// The events in business-time order. The sort is stable, so events of
    /// one storyline recorded at the same moment keep the order they were
    /// recorded in; a moment already taken moves one second later, which
    /// makes `occurred_at` strictly increasing without reordering anything.
    pub(super) fn into_events(mut self) -> Vec<Event> {
        self.entries.sort_by_key(|e| e.at);
        let mut previous: Option<Kst> = None;
        self.entries
            .into_iter()
            .map(|entry| {
                let at = match previous {
                    Some(p) if entry.at <= p => p.plus_seconds(1),
                    _ => entry.at,
                };
                previous = Some(at);
                Event {
                    occurred_at: at.timestamp(),
                    actor: entry.actor,
                    note: entry.note,
                    body: entry.body,
                }
            })
            .collect()
    }
}
