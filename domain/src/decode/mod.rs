//! From JSON bytes to an [`Event`], refusing anything events.md does not allow.
//!
//! Two kinds of refusal:
//! - [`DecodeError`]: the bytes are not an event object of the vocabulary
//!   (not JSON, not an object, unknown type, a field the type does not have,
//!   a missing field, `null`, a repeated key, a value of the wrong JSON type,
//!   a number that is not a plain unsigned integer token);
//! - [`ValueError`]: the shape is right but a value breaks a value rule (id
//!   alphabet, text length, enumeration, timestamp grammar, range, repeats).
//!
//! The JSON is read once. The `type` may come anywhere in the object, so
//! each value is read by the shape its key has in every declared type
//! ([`ValueRule`]'s shape), into the key's slot; then the type's declaration
//! ([`Declared::read`]) takes its slots and checks each value's rule, in the
//! order it declares them. Messages always name the field (`tracks[1].gpus`).

mod json;
mod keys;

use crate::event::{Event, EventType};
use crate::vocabulary::{FieldSpec, FieldValue, ObjectSpec};
use json::Fill;
use keys::{MAX_KEYS, Vocabulary};
use serde::de::{self, DeserializeSeed};
use std::borrow::Cow;
use std::fmt;

/// The bytes are not an event object of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", column.map(|c| format!(" (at column {c})")).unwrap_or_default())]
pub struct DecodeError {
    pub message: String,
    /// 1-based column in the (single-line) input, where the JSON reader knows it.
    pub column: Option<usize>,
}

/// A value breaks a value rule of events.md.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}` {problem}")]
pub struct ValueError {
    pub field: String,
    pub problem: String,
}

/// Why bytes were not accepted as an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Malformed(#[from] DecodeError),
    #[error(transparent)]
    Value(#[from] ValueError),
}

impl EventError {
    /// A short name of the kind of refusal, for machine-readable errors.
    pub fn kind(&self) -> &'static str {
        match self {
            EventError::Malformed(_) => "malformed_event",
            EventError::Value(_) => "invalid_value",
        }
    }
}

/// Decodes one event body.
pub fn decode_event(json: &[u8]) -> Result<Event, EventError> {
    let vocabulary = Vocabulary::get();
    let mut raw = RawObject::new();
    let mut de = serde_json::Deserializer::from_slice(json);
    Fill {
        vocabulary,
        table: &vocabulary.events,
        out: &mut raw,
    }
    .deserialize(&mut de)
    .map_err(malformed)?;
    de.end().map_err(malformed)?;
    vocabulary.event(raw)
}

fn malformed(e: serde_json::Error) -> EventError {
    let text = e.to_string();
    let message = strip_position(&text).to_string();
    let column = (e.line() > 0).then_some(e.column());
    EventError::Malformed(DecodeError { message, column })
}

/// serde_json appends " at line L column C"; positions are reported apart.
fn strip_position(s: &str) -> &str {
    if let Some(i) = s.rfind(" at line ") {
        let tail = &s[i + " at line ".len()..];
        let mut parts = tail.split(" column ");
        if let (Some(l), Some(c), None) = (parts.next(), parts.next(), parts.next())
            && l.bytes().all(|b| b.is_ascii_digit())
            && c.bytes().all(|b| b.is_ascii_digit())
        {
            return &s[..i];
        }
    }
    s
}

/// Prefixes an error from inside a field with that field's name, merging
/// paths: `tracks` + "field `[1].gpus`: ..." gives "field `tracks[1].gpus`: ...".
pub(crate) fn nest<E: de::Error>(prefix: &str, inner: impl fmt::Display) -> E {
    let inner = inner.to_string();
    let inner = strip_position(&inner);
    if let Some(rest) = inner.strip_prefix("field `")
        && let Some(end) = rest.find('`')
    {
        let (path, tail) = (&rest[..end], &rest[end + 1..]);
        let sep = if path.starts_with('[') { "" } else { "." };
        return E::custom(format_args!("field `{prefix}{sep}{path}`{tail}"));
    }
    E::custom(format_args!("field `{prefix}`: {inner}"))
}

pub(crate) fn null<E: de::Error>() -> E {
    E::custom("is null (leave an optional field out rather than sending null)")
}

/// A value as read from the JSON, before its type's rule checks it.
#[doc(hidden)]
pub enum Raw<'de> {
    Str(Cow<'de, str>),
    Count(u32),
    Flag(bool),
    Strs(Vec<Cow<'de, str>>),
    Objects(Vec<RawObject<'de>>),
    Scores(Vec<(Cow<'de, str>, u32)>),
}

/// The values of one JSON object, one slot per key of its table.
#[doc(hidden)]
pub struct RawObject<'de> {
    pub(crate) slots: [Option<Raw<'de>>; MAX_KEYS],
    /// Bit `k` is set when key `k` was present.
    pub(crate) present: u64,
}

impl<'de> RawObject<'de> {
    pub(crate) fn new() -> Self {
        Self {
            slots: [const { None }; MAX_KEYS],
            present: 0,
        }
    }

    pub(crate) fn take(&mut self, key: u16) -> Option<Raw<'de>> {
        self.slots[key as usize].take()
    }
}

/// Where a value is read: which object, and the path to it (for errors).
#[doc(hidden)]
pub struct Place<'a> {
    /// The event's type, for event objects.
    event_type: Option<EventType>,
    /// The noun of a nested object (`a track`).
    nested_noun: &'static str,
    /// Prepended to field names: `tracks[0].` inside a track.
    prefix: &'a str,
}

impl<'a> Place<'a> {
    pub(crate) fn top(event_type: Option<EventType>) -> Self {
        Place {
            event_type,
            nested_noun: "",
            prefix: "",
        }
    }

    pub(crate) fn nested(spec: &ObjectSpec, prefix: &'a str) -> Self {
        Place {
            event_type: None,
            nested_noun: spec.noun,
            prefix,
        }
    }

    pub(crate) fn prefix(&self) -> &str {
        self.prefix
    }

    /// How a missing field's owner is named: `an AwardGranted event`, `a track`.
    pub(crate) fn noun(&self) -> String {
        match self.event_type {
            Some(t) => format!("{} {t} event", article(t.as_str())),
            None if self.nested_noun.is_empty() => "an event object".into(),
            None => self.nested_noun.into(),
        }
    }

    fn path(&self, field: &str) -> String {
        format!("{}{}", self.prefix, field)
    }

    /// Reads field `spec`, at `key` of `raw`, as a `T`.
    pub(crate) fn read<T: FieldValue>(
        &self,
        raw: &mut RawObject<'_>,
        key: u16,
        spec: &FieldSpec,
    ) -> Result<T, EventError> {
        T::read(raw.take(key), spec, self)
    }

    /// The value of a field that must be present.
    pub(crate) fn required<'de>(
        &self,
        raw: Option<Raw<'de>>,
        spec: &FieldSpec,
    ) -> Result<Raw<'de>, EventError> {
        raw.ok_or_else(|| {
            DecodeError {
                message: format!(
                    "{} lacks the required field `{}`",
                    self.noun(),
                    self.path(spec.name)
                ),
                column: None,
            }
            .into()
        })
    }

    /// The string a field that must be present holds.
    pub(crate) fn string<'de>(
        &self,
        raw: Option<Raw<'de>>,
        spec: &FieldSpec,
    ) -> Result<Cow<'de, str>, EventError> {
        match self.required(raw, spec)? {
            Raw::Str(s) => Ok(s),
            _ => Err(self.undeclared(spec)),
        }
    }

    /// A value that breaks its rule.
    pub(crate) fn invalid(&self, field: &str, problem: impl fmt::Display) -> EventError {
        ValueError {
            field: self.path(field),
            problem: problem.to_string(),
        }
        .into()
    }

    pub(crate) fn in_range(
        &self,
        n: u32,
        field: &str,
        lo: u32,
        hi: u32,
    ) -> Result<u32, EventError> {
        if n < lo || n > hi {
            return Err(self.invalid(field, format!("is {n}, outside {lo}..={hi}")));
        }
        Ok(n)
    }

    /// A declaration whose rule does not fit its Rust type (a mistake in
    /// the declaration, which the vocabulary's tests catch).
    pub(crate) fn undeclared(&self, spec: &FieldSpec) -> EventError {
        DecodeError {
            message: format!(
                "field `{}` is declared with a rule its type cannot read",
                self.path(spec.name)
            ),
            column: None,
        }
        .into()
    }

    /// The keys of a nested declaration's fields, in order.
    pub(crate) fn nested_keys(&self, spec: &ObjectSpec) -> &'static [u16] {
        &Vocabulary::get().nested(spec.name).in_order
    }
}

/// "a" or "an" before a type name, for messages that read well.
fn article(word: &str) -> &'static str {
    match word.as_bytes().first() {
        Some(b'A' | b'E' | b'I' | b'O' | b'U') => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::keys::*;
    use super::*;

    #[test]
    fn every_key_has_one_shape_and_fits_a_slot() {
        let v = Vocabulary::build();
        assert!(v.events.names.len() <= MAX_KEYS);
        assert_eq!(v.types.len(), EventType::ALL.len());
    }

    #[test]
    fn keys_are_numbered_common_fields_first_then_as_types_declare_them() {
        let v = Vocabulary::get();
        assert_eq!(
            &v.events.names[..5],
            ["type", "occurred_at", "actor", "note", "pool_id"]
        );
    }
}
