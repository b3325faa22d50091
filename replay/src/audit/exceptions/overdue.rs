//! What stayed open too long: a clock per open thing (a notice, an appeal)
//! started at a moment of business time, read when the thing closes, or at
//! the end when it is still open. "Longer" is strictly longer, exactly, in
//! nanoseconds.
//!
//! Only open things are kept, and those that closed late; `T` is what the
//! exception will say about each.

use super::super::EventRef;
use super::super::integrity::Checked;
use super::Known;
use super::business_time::{NANOS_PER_DAY, nanos_between};
use super::evidence::in_seq_order;
use crate::language::Messages;
use gpu_ledger_domain::{Id, Instant};
use std::collections::HashMap;

/// The clocks of one kind.
#[derive(Debug)]
pub struct Clocks<T> {
    open: HashMap<Id, Clock<T>>,
    late: Vec<Late<T>>,
}

impl<T> Default for Clocks<T> {
    fn default() -> Self {
        Clocks {
            open: HashMap::new(),
            late: Vec::new(),
        }
    }
}

#[derive(Debug)]
struct Clock<T> {
    from: Instant,
    opened: EventRef,
    about: T,
}

/// A thing open longer than the limit.
#[derive(Debug)]
pub struct Late<T> {
    pub id: Id,
    pub about: T,
    /// The event that opened it.
    pub opened: EventRef,
    /// The event that closed it, or the last event when it is still open.
    pub until: EventRef,
    pub still_open: bool,
    /// From the clock's start to `until`, in whole seconds.
    pub seconds: i64,
}

/// `days` as nanoseconds of business time.
fn limit(days: u32) -> i128 {
    i128::from(days) * NANOS_PER_DAY
}

/// How a summary ends: whether the thing was still open at the end.
pub fn closing_text(still_open: bool, w: &Messages<'_>) -> String {
    w.text(if still_open {
        "closing-still-open"
    } else {
        "closing-then-closed"
    })
}

impl<T> Clocks<T> {
    /// `id`, opened by `opened`, counts from `from`.
    pub fn open(&mut self, id: Id, from: Instant, opened: EventRef, about: T) {
        self.open.insert(
            id,
            Clock {
                from,
                opened,
                about,
            },
        );
    }

    /// What is said of `id` while it is open.
    pub fn about(&self, id: &Id) -> Option<&T> {
        self.open.get(id).map(|c| &c.about)
    }

    /// What is said of `id` while it is open, to add to.
    pub fn about_mut(&mut self, id: &Id) -> Option<&mut T> {
        self.open.get_mut(id).map(|c| &mut c.about)
    }

    /// `id` closes at `step`; kept when it was open longer than `days`.
    pub fn close(&mut self, id: &Id, step: &Checked<'_>, days: u32) {
        if let Some(c) = self.open.remove(id) {
            let open = nanos_between(c.from, step.event.occurred_at.instant());
            if open > limit(days) {
                self.late.push(c.late(id.clone(), step.at(), false, open));
            }
        }
    }

    /// Everything open longer than `days`, closed late or still open at
    /// the end, in the order they were opened.
    pub fn finish(self, known: &Known<'_>, days: u32) -> Vec<Late<T>> {
        let mut late = self.late;
        if let Some(end) = &known.evidence.end {
            for (id, c) in self.open {
                let open = nanos_between(c.from, end.occurred_at);
                if open > limit(days) {
                    late.push(c.late(id, end.at, true, open));
                }
            }
        }
        late.sort_by_key(|l| l.opened.seq);
        late
    }
}

impl<T> Late<T> {
    /// What proves it: the event that opened it, the one it was open
    /// until, and `also`.
    pub fn events(&self, also: Option<EventRef>) -> Vec<EventRef> {
        let mut events = vec![self.opened, self.until];
        events.extend(also);
        in_seq_order(events)
    }
}

impl<T> Clock<T> {
    fn late(self, id: Id, until: EventRef, still_open: bool, open: i128) -> Late<T> {
        Late {
            id,
            about: self.about,
            opened: self.opened,
            until,
            still_open,
            seconds: (open / 1_000_000_000) as i64,
        }
    }
}
