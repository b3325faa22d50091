//! The domain's value types, made from what a generator chose.
//!
//! A generator only ever makes valid ids, texts and timestamps: one that is
//! not is a bug in the generator, so these panic, naming the value and the
//! rule it breaks, instead of returning an error nobody could handle.

use gpu_ledger_domain::id::CriterionName;
use gpu_ledger_domain::text::{self, TextBounds};
use gpu_ledger_domain::{Id, Text, Timestamp};

/// An id (`POOL-1`, `APP-0000042`...).
pub fn id(s: impl Into<String>) -> Id {
    let s = s.into();
    Id::parse(&s).unwrap_or_else(|e| panic!("the generator made the id {s:?}, which {e}"))
}

/// A name, title or reason.
pub fn label(s: impl Into<String>) -> Text {
    bounded(s.into(), text::LABEL, "text")
}

/// Who issued an event (`msit`, `org:ORG-1`, `reviewer:r-001`).
pub fn actor(s: impl Into<String>) -> Text {
    bounded(s.into(), text::ACTOR, "actor")
}

/// An event's free-text note.
pub fn note(s: impl Into<String>) -> Text {
    bounded(s.into(), text::NOTE, "note")
}

/// An RFC 3339 timestamp.
pub fn timestamp(s: impl Into<String>) -> Timestamp {
    let s = s.into();
    Timestamp::from_string(s).unwrap_or_else(|e| panic!("the generator made a timestamp: {e}"))
}

/// The name of a score's criterion (`technical_merit`).
pub fn criterion(s: &str) -> CriterionName {
    CriterionName::parse(s.to_owned())
        .unwrap_or_else(|e| panic!("the generator made a bad criterion: {e}"))
}

fn bounded(s: String, bounds: TextBounds, what: &str) -> Text {
    match Text::new(s, bounds) {
        Ok(t) => t,
        Err(e) => panic!("the generator made a {what} that {e}"),
    }
}
