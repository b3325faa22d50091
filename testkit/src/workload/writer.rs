//! Writing the simulation's events as JSON Lines.
//!
//! Each event is a [`gpu_ledger_domain::Event`] written by the domain's
//! canonical writer straight into one byte buffer, handed to the underlying
//! writer a megabyte at a time: the lines are exactly the bytes the ledger
//! stores. The canonical writer is about half of the generator's time (a
//! million events take about a second); writing on a second thread was
//! tried and cost more CPU than it saved on a two-core machine.

use super::clock;
use crate::value;
use gpu_ledger_domain::{Body, Event};
use std::io::{self, Write};

/// Bytes gathered before they are handed to the underlying writer.
const FLUSH_AT: usize = 1 << 20;

/// Why the writer stopped taking events.
#[derive(Debug)]
pub enum Stop {
    /// The history has all the events it was asked for.
    Full,
    /// The output could not be written.
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// What was written: events, bytes and events of each type (first seen first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub events: u64,
    pub bytes: u64,
    pub by_type: Vec<(&'static str, u64)>,
}

impl Tally {
    /// Events of one type.
    pub fn of(&self, event_type: &str) -> u64 {
        self.by_type
            .iter()
            .find(|(t, _)| *t == event_type)
            .map_or(0, |(_, n)| *n)
    }

    fn count(&mut self, event_type: &'static str, bytes: usize) {
        self.events += 1;
        self.bytes += bytes as u64;
        match self.by_type.iter_mut().find(|(t, _)| *t == event_type) {
            Some((_, n)) => *n += 1,
            None => self.by_type.push((event_type, 1)),
        }
    }
}

/// Writes events as JSON Lines, counting them, and stops after `limit`.
///
/// It also keeps `occurred_at` strictly increasing: a moment already used is
/// moved one second later, so the history reads in business-time order like
/// a real programme office's log.
pub struct EventWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    limit: u64,
    last: i64,
    tally: Tally,
}

impl<W: Write> EventWriter<W> {
    pub fn new(out: W, limit: u64) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            limit,
            last: i64::MIN,
            tally: Tally::default(),
        }
    }

    /// The moment an event asked for at `at` will carry.
    pub fn moment(&self, at: i64) -> i64 {
        at.max(self.last.saturating_add(1))
    }

    /// Writes an event by `actor` at (or just after) `at`. Returns the moment
    /// it carries, or [`Stop::Full`] once it was the last event the history
    /// may hold.
    pub fn write(
        &mut self,
        at: i64,
        actor: &str,
        note: Option<&str>,
        body: impl Into<Body>,
    ) -> Result<i64, Stop> {
        let at = self.moment(at);
        self.last = at;
        let event = Event {
            occurred_at: clock::timestamp(at),
            actor: value::actor(actor),
            note: note.map(value::note),
            body: body.into(),
        };
        let start = self.buf.len();
        event.write_canonical_json(&mut self.buf);
        self.buf.push(b'\n');
        self.tally
            .count(event.event_type().as_str(), self.buf.len() - start);
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        if self.tally.events >= self.limit {
            return Err(Stop::Full);
        }
        Ok(at)
    }

    /// Writes out everything buffered and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<(W, Tally)> {
        self.flush()?;
        self.out.flush()?;
        Ok((self.out, self.tally))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}
