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

use crate::event::{COMMON_FIELDS, Event, EventType};
use crate::text::Text;
use crate::timestamp::Timestamp;
use crate::vocabulary::value_rule::Shape;
use crate::vocabulary::{FieldSpec, FieldValue, ObjectSpec};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

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
fn nest<E: de::Error>(prefix: &str, inner: impl fmt::Display) -> E {
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

fn null<E: de::Error>() -> E {
    E::custom("is null (leave an optional field out rather than sending null)")
}

// ---------------------------------------------------------------- the vocabulary's keys

/// Where the decoder finds each key: one table for event objects (every
/// key of every type, numbered in the order the types first declare them,
/// after the common fields) and one per nested declaration.
pub(crate) struct Vocabulary {
    events: Table,
    /// Per event type, in [`EventType::ALL`] order.
    types: Vec<TypeKeys>,
    nested: Vec<Table>,
}

struct TypeKeys {
    /// `keys[i]`: the event table's key of the type's field `i`.
    keys: Vec<u16>,
    /// Bit `k` is set when key `k` is a field of the type (or a common field).
    allowed: u64,
}

/// The keys an object may have, and the shape of each one's value.
struct Table {
    /// The declaration's name (`TrackSpec`); empty for event objects.
    spec: &'static str,
    /// How errors name the object: `an event object`, `a track`.
    noun: &'static str,
    names: Vec<&'static str>,
    shapes: Vec<Shape>,
    index: HashMap<&'static str, u16, foldhash::fast::FixedState>,
    /// `0, 1, 2...`: a nested object's fields are its keys, in order.
    in_order: Vec<u16>,
}

/// The most keys one table holds (a slot each, a bit each in a `u64`).
const MAX_KEYS: usize = 64;

impl Table {
    fn new(spec: &'static str, noun: &'static str) -> Self {
        Self {
            spec,
            noun,
            names: Vec::new(),
            shapes: Vec::new(),
            index: HashMap::default(),
            in_order: Vec::new(),
        }
    }

    /// The key of `field`, added if new. Every field of one name has one
    /// shape, so that its value can be read before the type is known.
    fn key(&mut self, field: &FieldSpec) -> u16 {
        let shape = field.rule.shape();
        if let Some(&k) = self.index.get(field.name) {
            let had = self.shapes[k as usize];
            assert!(
                had == shape,
                "field `{}` is declared with two shapes ({had:?}, {shape:?}): one name, one shape",
                field.name
            );
            return k;
        }
        let k = self.names.len() as u16;
        assert!(
            (k as usize) < MAX_KEYS,
            "more than {MAX_KEYS} keys in one table"
        );
        self.names.push(field.name);
        self.shapes.push(shape);
        self.index.insert(field.name, k);
        self.in_order.push(k);
        k
    }

    fn find(&self, name: &str) -> Option<u16> {
        self.index.get(name).copied()
    }
}

impl Vocabulary {
    pub(crate) fn get() -> &'static Vocabulary {
        static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
        VOCABULARY.get_or_init(Vocabulary::build)
    }

    fn build() -> Vocabulary {
        let mut events = Table::new("", "an event object");
        for f in COMMON_FIELDS {
            events.key(f);
        }
        let common = (1u64 << COMMON_FIELDS.len()) - 1;
        let mut nested = Vec::new();
        let mut types = Vec::new();
        for t in EventType::ALL {
            let spec = t.spec();
            let keys: Vec<u16> = spec.fields.iter().map(|f| events.key(f)).collect();
            let allowed = keys.iter().fold(common, |m, k| m | 1 << k);
            types.push(TypeKeys { keys, allowed });
            add_nested(spec, &mut nested);
        }
        Vocabulary {
            events,
            types,
            nested,
        }
    }

    fn nested(&self, spec: &str) -> &Table {
        self.nested
            .iter()
            .find(|t| t.spec == spec)
            .expect("every nested declaration has a table")
    }

    /// The event that `raw`, read from an event object, holds.
    fn event(&self, mut raw: RawObject<'_>) -> Result<Event, EventError> {
        let at = Place::top(None);
        let type_field = &COMMON_FIELDS[0];
        let type_name = at.string(raw.take(0), type_field)?;
        let event_type = EventType::parse(&type_name).ok_or_else(|| {
            let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            EventError::from(DecodeError {
                message: format!(
                    "unknown event type {type_name:?} (known: {})",
                    known.join(", ")
                ),
                column: None,
            })
        })?;
        let keys = &self.types[event_type as usize];
        let at = Place::top(Some(event_type));
        let foreign = raw.present & !keys.allowed;
        if foreign != 0 {
            let field = self.events.names[foreign.trailing_zeros() as usize];
            return Err(DecodeError {
                message: format!("field `{field}` is not a field of {}", at.noun()),
                column: None,
            }
            .into());
        }
        let occurred_at: Timestamp = at.read(&mut raw, 1, &COMMON_FIELDS[1])?;
        let actor: Text = at.read(&mut raw, 2, &COMMON_FIELDS[2])?;
        let note: Option<Text> = at.read(&mut raw, 3, &COMMON_FIELDS[3])?;
        let body = event_type.read_body(&mut raw, &keys.keys, &at)?;
        Ok(Event {
            occurred_at,
            actor,
            note,
            body,
        })
    }
}

/// Adds a table for every declaration nested in `spec`, at any depth.
fn add_nested(spec: &'static ObjectSpec, tables: &mut Vec<Table>) {
    for f in spec.fields {
        if let Some(inner) = f.rule.nested()
            && !tables.iter().any(|t| t.spec == inner.name)
        {
            let mut table = Table::new(inner.name, inner.noun);
            for g in inner.fields {
                table.key(g);
            }
            tables.push(table);
            add_nested(inner, tables);
        }
    }
}

// ---------------------------------------------------------------- values read before the type is known

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
    slots: [Option<Raw<'de>>; MAX_KEYS],
    /// Bit `k` is set when key `k` was present.
    present: u64,
}

impl<'de> RawObject<'de> {
    fn new() -> Self {
        Self {
            slots: [const { None }; MAX_KEYS],
            present: 0,
        }
    }

    fn take(&mut self, key: u16) -> Option<Raw<'de>> {
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
    fn top(event_type: Option<EventType>) -> Self {
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
    fn noun(&self) -> String {
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

// ---------------------------------------------------------------- JSON readers

/// Fills `out` from one JSON object with `table`'s keys.
struct Fill<'t, 'o, 'de> {
    vocabulary: &'static Vocabulary,
    table: &'t Table,
    out: &'o mut RawObject<'de>,
}

impl<'de> DeserializeSeed<'de> for Fill<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Fill<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.table.noun)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let table = self.table;
        while let Some(Key(key)) = map.next_key()? {
            let Some(k) = table.find(&key) else {
                return Err(de::Error::custom(format_args!(
                    "field `{key}` is not a field of {}",
                    table.noun
                )));
            };
            let name = table.names[k as usize];
            if self.out.present & (1 << k) != 0 {
                return Err(de::Error::custom(format_args!(
                    "field `{name}` appears twice"
                )));
            }
            let nested = |e| nest::<A::Error>(name, e);
            let value = match table.shapes[k as usize] {
                Shape::Str => Raw::Str(map.next_value::<JStr>().map_err(nested)?.0),
                Shape::Count => Raw::Count(map.next_value::<JU32>().map_err(nested)?.0),
                Shape::Flag => Raw::Flag(map.next_value::<JBool>().map_err(nested)?.0),
                Shape::Strs => Raw::Strs(
                    map.next_value::<List<JStr>>()
                        .map_err(nested)?
                        .0
                        .into_iter()
                        .map(|s| s.0)
                        .collect(),
                ),
                Shape::Scores => Raw::Scores(map.next_value::<JCriteria>().map_err(nested)?.0),
                Shape::Objects(spec) => Raw::Objects(
                    map.next_value_seed(Objects {
                        vocabulary: self.vocabulary,
                        table: self.vocabulary.nested(spec),
                    })
                    .map_err(nested)?,
                ),
            };
            self.out.slots[k as usize] = Some(value);
            self.out.present |= 1 << k;
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(null())
    }
}

/// A JSON array of objects of one nested declaration; items are named `[i]`.
struct Objects {
    vocabulary: &'static Vocabulary,
    table: &'static Table,
}

impl<'de> DeserializeSeed<'de> for Objects {
    type Value = Vec<RawObject<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Objects {
    type Value = Vec<RawObject<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let mut item = RawObject::new();
            let fill = Fill {
                vocabulary: self.vocabulary,
                table: self.table,
                out: &mut item,
            };
            match seq.next_element_seed(fill) {
                Ok(Some(())) => out.push(item),
                Ok(None) => return Ok(out),
                Err(e) => return Err(nest(&format!("[{}]", out.len()), e)),
            }
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(null())
    }
}

/// A JSON string, borrowed from the input when it has no escapes.
struct JStr<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for JStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<JStr<'de>, E> {
                Ok(JStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JStr<'de>, E> {
                Ok(JStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<JStr<'de>, E> {
                Ok(JStr(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JStr<'de>, E> {
                Err(null())
            }
        }
        d.deserialize_any(V)
    }
}

/// A map key, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        JStr::deserialize(d).map(|s| Key(s.0))
    }
}

/// An unsigned integer token that fits in 32 bits.
struct JU32(u32);

impl<'de> Deserialize<'de> for JU32 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = JU32;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an unsigned integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<JU32, E> {
                u32::try_from(v)
                    .map(JU32)
                    .map_err(|_| E::custom(format_args!("{v} is larger than 4294967295")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<JU32, E> {
                Err(E::custom(format_args!(
                    "{v} is negative (integers are unsigned)"
                )))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<JU32, E> {
                Err(E::custom(
                    "is not a plain unsigned integer token (fractions, exponents, -0 and integers beyond 64 bits are refused)",
                ))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JU32, E> {
                Err(null())
            }
        }
        d.deserialize_any(V)
    }
}

struct JBool(bool);

impl<'de> Deserialize<'de> for JBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = JBool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<JBool, E> {
                Ok(JBool(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JBool, E> {
                Err(null())
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON array whose items are named `[i]` in errors.
struct List<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut out = Vec::new();
                loop {
                    let i = out.len();
                    match seq.next_element::<T>() {
                        Ok(Some(v)) => out.push(v),
                        Ok(None) => return Ok(List(out)),
                        Err(e) => return Err(nest(&format!("[{i}]"), e)),
                    }
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<List<T>, E> {
                Err(null())
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The `criteria` object: names to integers, each name once.
struct JCriteria<'de>(Vec<(Cow<'de, str>, u32)>);

impl<'de> Deserialize<'de> for JCriteria<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JCriteria<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of criterion scores")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JCriteria<'de>, A::Error> {
                let mut out: Vec<(Cow<'de, str>, u32)> = Vec::new();
                while let Some(Key(k)) = map.next_key()? {
                    if out.iter().any(|(o, _)| *o == k) {
                        return Err(de::Error::custom(format_args!("field `{k}` appears twice")));
                    }
                    let JU32(v) = map.next_value().map_err(|e| nest::<A::Error>(&k, e))?;
                    out.push((k, v));
                }
                Ok(JCriteria(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<JCriteria<'de>, E> {
                Err(null())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
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
