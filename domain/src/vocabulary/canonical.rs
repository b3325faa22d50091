//! The canonical JSON of an event (ledger-format.md: RFC 8785).
//!
//! Each declared type lists its present fields ([`Declared::write`]); they
//! are sorted with the common fields by key, bytewise, and written with
//! `serde_json`'s compact writer, whose string escaping is RFC 8785's for
//! what events carry (no floats, ASCII keys). No intermediate tree is built.

use super::declaration::Declared;
use super::field_value::FieldValue;
use super::word::WordList;
use crate::event::Event;
use crate::score::Criteria;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// One field's value, as the canonical writer sees it.
#[derive(Clone, Copy)]
pub enum Field<'a> {
    Str(&'a str),
    Count(u32),
    Flag(bool),
    Words(&'a dyn WordList),
    Objects(&'a dyn ObjectList),
    Scores(&'a Criteria),
}

/// The most fields one object has (common fields included).
const MAX_FIELDS: usize = 24;

/// The fields of one object, in any order until they are sorted.
pub struct Fields<'a> {
    items: [(&'static str, Field<'a>); MAX_FIELDS],
    len: usize,
}

impl<'a> Fields<'a> {
    fn new() -> Self {
        Self {
            items: [("", Field::Flag(false)); MAX_FIELDS],
            len: 0,
        }
    }

    /// Adds a field, unless its value is absent.
    pub fn value<T: FieldValue>(&mut self, key: &'static str, value: &'a T) {
        if let Some(v) = value.field() {
            self.items[self.len] = (key, v);
            self.len += 1;
        }
    }

    fn sorted(mut self) -> Self {
        self.items[..self.len].sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        self
    }

    fn serialize_map<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len))?;
        for (k, v) in &self.items[..self.len] {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A list of nested objects, as the canonical writer reads it.
pub trait ObjectList {
    fn count(&self) -> usize;
    fn write_item<'a>(&'a self, i: usize, out: &mut Fields<'a>);
}

impl<T: Declared> ObjectList for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }

    fn write_item<'a>(&'a self, i: usize, out: &mut Fields<'a>) {
        self[i].write(out);
    }
}

struct Item<'a>(&'a dyn ObjectList, usize);

impl Serialize for Item<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut f = Fields::new();
        self.0.write_item(self.1, &mut f);
        f.sorted().serialize_map(s)
    }
}

impl Serialize for Field<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Field::Str(v) => s.serialize_str(v),
            Field::Count(v) => s.serialize_u32(v),
            Field::Flag(v) => s.serialize_bool(v),
            Field::Words(v) => v.words().serialize(s),
            Field::Objects(list) => {
                let mut seq = s.serialize_seq(Some(list.count()))?;
                for i in 0..list.count() {
                    seq.serialize_element(&Item(list, i))?;
                }
                seq.end()
            }
            Field::Scores(v) => v.serialize(s),
        }
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut f = Fields::new();
        let type_name = self.event_type().as_str();
        f.items[0] = ("type", Field::Str(type_name));
        f.len = 1;
        f.value("occurred_at", &self.occurred_at);
        f.value("actor", &self.actor);
        f.value("note", &self.note);
        self.body.write(&mut f);
        f.sorted().serialize_map(s)
    }
}

impl Event {
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
