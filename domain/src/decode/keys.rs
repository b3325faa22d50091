//! Where the decoder finds each key: one table for event objects (every
//! key of every type, numbered in the order the types first declare them,
//! after the common fields) and one per nested declaration.

use super::{DecodeError, EventError, Place, RawObject};
use crate::event::{COMMON_FIELDS, Event, EventType};
use crate::text::Text;
use crate::timestamp::Timestamp;
use crate::vocabulary::value_rule::Shape;
use crate::vocabulary::{FieldSpec, ObjectSpec};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The tables of the whole vocabulary.
pub(crate) struct Vocabulary {
    pub(crate) events: Table,
    /// Per event type, in [`EventType::ALL`] order.
    pub(crate) types: Vec<TypeKeys>,
    nested: Vec<Table>,
}

pub(crate) struct TypeKeys {
    /// `keys[i]`: the event table's key of the type's field `i`.
    keys: Vec<u16>,
    /// Bit `k` is set when key `k` is a field of the type (or a common field).
    allowed: u64,
}

/// The keys an object may have, and the shape of each one's value.
pub(crate) struct Table {
    /// The declaration's name (`TrackSpec`); empty for event objects.
    spec: &'static str,
    /// How errors name the object: `an event object`, `a track`.
    pub(crate) noun: &'static str,
    pub(crate) names: Vec<&'static str>,
    pub(crate) shapes: Vec<Shape>,
    index: HashMap<&'static str, u16, foldhash::fast::FixedState>,
    /// `0, 1, 2...`: a nested object's fields are its keys, in order.
    pub(crate) in_order: Vec<u16>,
}

/// The most keys one table holds (a slot each, a bit each in a `u64`).
pub(crate) const MAX_KEYS: usize = 64;

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

    pub(crate) fn find(&self, name: &str) -> Option<u16> {
        self.index.get(name).copied()
    }
}

impl Vocabulary {
    pub(crate) fn get() -> &'static Vocabulary {
        static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
        VOCABULARY.get_or_init(Vocabulary::build)
    }

    pub(crate) fn build() -> Vocabulary {
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

    pub(crate) fn nested(&self, spec: &str) -> &Table {
        self.nested
            .iter()
            .find(|t| t.spec == spec)
            .expect("every nested declaration has a table")
    }

    /// The event that `raw`, read from an event object, holds.
    pub(crate) fn event(&self, mut raw: RawObject<'_>) -> Result<Event, EventError> {
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
