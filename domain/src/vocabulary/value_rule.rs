//! The value rules of events.md, as data: what a field may hold, checked
//! when it is decoded, and written into the schema and the reference.

use super::declaration::ObjectSpec;
use crate::text::TextBounds;
use serde_json::{Value, json};

/// What a field may hold (events.md, "Value rules").
#[derive(Debug, Clone, Copy)]
pub enum ValueRule {
    /// The event's `type`: one of the declared type names.
    TypeName,
    /// 1..=64 characters from `A-Z a-z 0-9 . _ : -`.
    Id,
    /// A text of so many Unicode scalar values.
    Text(TextBounds),
    /// An RFC 3339 timestamp with an offset, no leap second.
    Time,
    /// A GPU count: an unsigned integer above 0.
    Gpus,
    /// An unsigned integer in `lo..=hi`.
    Range(u32, u32),
    /// `true` or `false`.
    Flag,
    /// One of these words.
    Word(&'static [&'static str]),
    /// A non-empty list of these words, none repeated.
    Words(&'static [&'static str]),
    /// A non-empty list of objects of this declaration; the text says why
    /// the list may not be empty.
    Objects(&'static ObjectSpec, &'static str),
    /// Criterion names (1..=32 of `a-z 0-9 _`) to scores 0..=100, at least one.
    Scores,
}

/// The JSON shape a rule reads, known before the event's type is: every
/// field of that name has the same shape in every type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Str,
    Count,
    Flag,
    Strs,
    Objects(&'static str),
    Scores,
}

impl ValueRule {
    pub(crate) fn shape(&self) -> Shape {
        match self {
            ValueRule::TypeName
            | ValueRule::Id
            | ValueRule::Text(_)
            | ValueRule::Time
            | ValueRule::Word(_) => Shape::Str,
            ValueRule::Gpus | ValueRule::Range(..) => Shape::Count,
            ValueRule::Flag => Shape::Flag,
            ValueRule::Words(_) => Shape::Strs,
            ValueRule::Objects(spec, _) => Shape::Objects(spec.name),
            ValueRule::Scores => Shape::Scores,
        }
    }

    /// The nested declaration this rule reads, if any.
    pub(crate) fn nested(&self) -> Option<&'static ObjectSpec> {
        match self {
            ValueRule::Objects(spec, _) => Some(spec),
            _ => None,
        }
    }

    /// The rule in words, as the reference states it.
    pub fn describe(&self) -> String {
        let words = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" \\| ")
        };
        match self {
            ValueRule::TypeName => "the event type".into(),
            ValueRule::Id => "id: 1..=64 characters from `A-Z a-z 0-9 . _ : -`".into(),
            ValueRule::Text(b) => format!("text: {}..={} characters", b.min, b.max),
            ValueRule::Time => {
                "RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, then `Z`, `+HH:MM` or `-HH:MM`; no leap second"
                    .into()
            }
            ValueRule::Gpus => "GPU count: integer 1..=4294967295".into(),
            ValueRule::Range(lo, hi) => format!("integer {lo}..={hi}"),
            ValueRule::Flag => "`true` or `false`".into(),
            ValueRule::Word(names) => format!("one of {}", words(names)),
            ValueRule::Words(names) => {
                format!("non-empty list, no repeats, of {}", words(names))
            }
            ValueRule::Objects(spec, _) => {
                format!("non-empty list of {} objects (below)", spec.name)
            }
            ValueRule::Scores => {
                "object of criterion names (1..=32 of `a-z 0-9 _`) to integers 0..=100, at least one"
                    .into()
            }
        }
    }

    /// The rule as JSON Schema (2020-12, as OpenAPI 3.1 uses it).
    pub fn schema(&self) -> Value {
        let word_schema = |names: &[&str]| json!({"type": "string", "enum": names});
        match self {
            ValueRule::TypeName => json!({"type": "string"}),
            ValueRule::Id => json!({
                "type": "string", "minLength": 1, "maxLength": 64,
                "pattern": "^[A-Za-z0-9._:-]{1,64}$"
            }),
            ValueRule::Text(b) => json!({"type": "string", "minLength": b.min, "maxLength": b.max}),
            ValueRule::Time => json!({
                "type": "string", "format": "date-time",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
            }),
            ValueRule::Gpus => json!({"type": "integer", "minimum": 1, "maximum": u32::MAX}),
            ValueRule::Range(lo, hi) => json!({"type": "integer", "minimum": lo, "maximum": hi}),
            ValueRule::Flag => json!({"type": "boolean"}),
            ValueRule::Word(names) => word_schema(names),
            ValueRule::Words(names) => json!({
                "type": "array", "minItems": 1, "uniqueItems": true, "items": word_schema(names)
            }),
            ValueRule::Objects(spec, _) => json!({
                "type": "array", "minItems": 1, "items": super::schema::object(spec, None)
            }),
            ValueRule::Scores => json!({
                "type": "object", "minProperties": 1,
                "propertyNames": {"pattern": "^[a-z0-9_]{1,32}$"},
                "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 100}
            }),
        }
    }
}
