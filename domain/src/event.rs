//! The event envelope shared by every type, and its canonical JSON form.
//!
//! An event is stored as RFC 8785 canonical JSON (ledger-format.md): keys in
//! bytewise order, no whitespace. Each body lists its fields once
//! ([`Fields`]); [`Event`]'s `Serialize` sorts them with the common fields, so
//! `serde_json`'s compact writer (whose string escaping is RFC 8785's for the
//! values events carry: no floats, ASCII keys) yields the canonical bytes
//! without building an intermediate tree.

use crate::application::{ApplicationRejected, ApplicationSubmitted, ApplicationWithdrawn};
use crate::award::{AwardEnded, AwardGranted};
use crate::call::{CallClosed, CallOpened, TrackSpec};
use crate::organization::{OrganizationRegistered, Sector, Size};
use crate::pool::{PoolRegistered, PoolResized};
use crate::recall::{RecallIssued, RecallReleased};
use crate::redistribution::Redistributed;
use crate::score::{Criteria, ScoreRecorded};
use crate::text::Text;
use crate::timestamp::Timestamp;
use crate::utilization::UtilizationReported;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::fmt;

/// One fact of the programme: common fields plus a typed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it happened in the programme (business time).
    pub occurred_at: Timestamp,
    /// Who issued it, e.g. `msit`, `reviewer:r-017`, `monitor`.
    pub actor: Text,
    pub note: Option<Text>,
    pub body: Body,
}

macro_rules! bodies {
    ($($name:ident),* $(,)?) => {
        /// The type-specific part of an event.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Body {
            $($name($name),)*
        }

        /// The `type` of an event.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $($name,)*
        }

        impl EventType {
            pub const ALL: &'static [EventType] = &[$(EventType::$name,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$name => stringify!($name),)*
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $(stringify!($name) => Some(EventType::$name),)*
                    _ => None,
                }
            }
        }

        impl Body {
            pub fn event_type(&self) -> EventType {
                match self {
                    $(Body::$name(_) => EventType::$name,)*
                }
            }

            fn fields<'a>(&'a self, out: &mut Fields<'a>) {
                match self {
                    $(Body::$name(b) => b.fields(out),)*
                }
            }
        }

        $(impl From<$name> for Body {
            fn from(b: $name) -> Self {
                Body::$name(b)
            }
        })*
    };
}

bodies!(
    PoolRegistered,
    PoolResized,
    OrganizationRegistered,
    CallOpened,
    CallClosed,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    ScoreRecorded,
    ApplicationRejected,
    AwardGranted,
    UtilizationReported,
    RecallIssued,
    Redistributed,
    RecallReleased,
    AwardEnded,
);

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Event {
    pub fn event_type(&self) -> EventType {
        self.body.event_type()
    }

    /// The canonical JSON bytes of this event (ledger-format.md).
    pub fn canonical_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        self.write_canonical_json(&mut out);
        out
    }

    /// Appends the canonical JSON bytes of this event to `out`.
    pub fn write_canonical_json(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(out, self).expect("an event always serialises");
    }
}

/// One field's value, as the canonical writer sees it.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    Str(&'a str),
    Count(u32),
    Flag(bool),
    Sectors(&'a [Sector]),
    Sizes(&'a [Size]),
    Tracks(&'a [TrackSpec]),
    Criteria(&'a Criteria),
}

/// The fields of one event, in any order until [`Event`] sorts them.
pub struct Fields<'a> {
    items: [(&'static str, Field<'a>); 20],
    len: usize,
}

impl<'a> Fields<'a> {
    fn new() -> Self {
        Self {
            items: [("", Field::Flag(false)); 20],
            len: 0,
        }
    }

    pub fn put(&mut self, key: &'static str, value: Field<'a>) {
        self.items[self.len] = (key, value);
        self.len += 1;
    }

    pub fn str(&mut self, key: &'static str, value: &'a (impl AsRef<str> + ?Sized)) {
        self.put(key, Field::Str(value.as_ref()));
    }

    pub fn opt_str<T: AsRef<str>>(&mut self, key: &'static str, value: &'a Option<T>) {
        if let Some(v) = value {
            self.put(key, Field::Str(v.as_ref()));
        }
    }

    pub fn count(&mut self, key: &'static str, value: u32) {
        self.put(key, Field::Count(value));
    }

    fn sorted(mut self) -> Self {
        self.items[..self.len].sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        self
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Serialize for Field<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Field::Str(v) => s.serialize_str(v),
            Field::Count(v) => s.serialize_u32(v),
            Field::Flag(v) => s.serialize_bool(v),
            Field::Sectors(v) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for x in v {
                    seq.serialize_element(x.as_str())?;
                }
                seq.end()
            }
            Field::Sizes(v) => {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for x in v {
                    seq.serialize_element(x.as_str())?;
                }
                seq.end()
            }
            Field::Tracks(v) => v.serialize(s),
            Field::Criteria(v) => v.serialize(s),
        }
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut f = Fields::new();
        f.str("type", self.event_type().as_str());
        f.str("occurred_at", &self.occurred_at);
        f.str("actor", &self.actor);
        f.opt_str("note", &self.note);
        self.body.fields(&mut f);
        let f = f.sorted();
        let mut map = s.serialize_map(Some(f.len))?;
        for (k, v) in &f.items[..f.len] {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}
