//! What each Rust type of a field means on the wire: its own value rule,
//! how it is read from decoded JSON under a rule, and how it is written.

use super::canonical::Field;
use super::declaration::{Declared, FieldSpec};
use super::value_rule::ValueRule;
use super::word::Word;
use crate::decode::{EventError, Place, Raw};
use crate::id::{CriterionName, Id};
use crate::score::Criteria;
use crate::text::{self, Text};
use crate::timestamp::Timestamp;

/// A type a declared field may have.
pub trait FieldValue: Sized {
    /// The rule a field of this type follows unless its declaration names another.
    const RULE: ValueRule;
    /// Whether a field of this type must be present.
    const REQUIRED: bool = true;

    /// Reads the field from its decoded JSON (`None`: absent), checking `spec`'s rule.
    #[doc(hidden)]
    fn read(raw: Option<Raw<'_>>, spec: &FieldSpec, at: &Place<'_>) -> Result<Self, EventError>;

    /// The value as the canonical writer writes it (`None`: left out).
    fn field(&self) -> Option<Field<'_>>;
}

impl<T: FieldValue> FieldValue for Option<T> {
    const RULE: ValueRule = T::RULE;
    const REQUIRED: bool = false;

    fn read(raw: Option<Raw<'_>>, spec: &FieldSpec, at: &Place<'_>) -> Result<Self, EventError> {
        match raw {
            None => Ok(None),
            some => T::read(some, spec, at).map(Some),
        }
    }

    fn field(&self) -> Option<Field<'_>> {
        self.as_ref().and_then(T::field)
    }
}

impl FieldValue for Id {
    const RULE: ValueRule = ValueRule::Id;

    fn read(raw: Option<Raw<'_>>, spec: &FieldSpec, at: &Place<'_>) -> Result<Self, EventError> {
        let s = at.string(raw, spec)?;
        Id::from_string(s.into_owned()).map_err(|e| at.invalid(spec.name, e))
    }

    fn field(&self) -> Option<Field<'_>> {
        Some(Field::Str(self.as_str()))
    }
}

impl FieldValue for Text {
    const RULE: ValueRule = ValueRule::Text(text::LABEL);

    fn read(raw: Option<Raw<'_>>, spec: &FieldSpec, at: &Place<'_>) -> Result<Self, EventError> {
        let ValueRule::Text(bounds) = spec.rule else {
            return Err(at.undeclared(spec));
        };
        let s = at.string(raw, spec)?;
        Text::new(s.into_owned(), bounds).map_err(|e| at.invalid(spec.name, e))
    }

    fn field(&self) -> Option<Field<'_>> {
        Some(Field::Str(self.as_str()))
    }
}

impl FieldValue for Timestamp {
    const RULE: ValueRule = ValueRule::Time;

    fn read(raw: Option<Raw<'_>>, spec: &FieldSpec, at: &Place<'_>) -> Result<Self, EventError> {
        let s = at.string(raw, spec)?;
        Timestamp::from_string(s.into_owned()).map_err(|e| at.invalid(spec.name, e))
    }

    fn field(&self) -> Option<Field<'_>> {
        Some(Field::Str(self.as_str()))
    }
}

/// Integers: unsigned 32-bit, narrowed by the field's rule.
impl FieldValue for u32 {
    const RULE: ValueRule = ValueRule::Range(0, u32::MAX);

    fn read(raw: Option<Raw<'_>>, spec: &FieldSpec, at: &Place<'_>) -> Result<Self, EventError> {
        let n = match at.required(raw, spec)? {
            Raw::Count(n) => n,
            _ => return Err(at.undeclared(spec)),
        };
        match spec.rule {
            ValueRule::Gpus if n == 0 => {
                Err(at.invalid(spec.name, "is 0 (GPU counts are positive)"))
            }
            ValueRule::Gpus => Ok(n),
            ValueRule::Range(lo, hi) => at.in_range(n, spec.name, lo, hi),
            _ => Err(at.undeclared(spec)),
        }
    }

    fn field(&self) -> Option<Field<'_>> {
        Some(Field::Count(*self))
    }
}

impl FieldValue for bool {
    const RULE: ValueRule = ValueRule::Flag;

    fn read(raw: Option<Raw<'_>>, spec: &FieldSpec, at: &Place<'_>) -> Result<Self, EventError> {
        match at.required(raw, spec)? {
            Raw::Flag(b) => Ok(b),
            _ => Err(at.undeclared(spec)),
        }
    }

    fn field(&self) -> Option<Field<'_>> {
        Some(Field::Flag(*self))
    }
}

/// A word enumeration: one of its words ([`word_enum!`](super::word::word_enum)
/// implements [`FieldValue`] with this).
#[doc(hidden)]
pub fn read_word<W: Word>(
    raw: Option<Raw<'_>>,
    spec: &FieldSpec,
    at: &Place<'_>,
) -> Result<W, EventError> {
    let s = at.string(raw, spec)?;
    W::parse(&s).ok_or_else(|| {
        at.invalid(
            spec.name,
            format!("is {s:?}, not one of {}", W::NAMES.join(", ")),
        )
    })
}

/// A list of words of one enumeration: non-empty, without repeats.
#[doc(hidden)]
pub fn read_words<W: Word>(
    raw: Option<Raw<'_>>,
    spec: &FieldSpec,
    at: &Place<'_>,
) -> Result<Vec<W>, EventError> {
    let items = match at.required(raw, spec)? {
        Raw::Strs(items) => items,
        _ => return Err(at.undeclared(spec)),
    };
    if items.is_empty() {
        return Err(at.invalid(spec.name, "is empty (lists have at least one item)"));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, s) in items.iter().enumerate() {
        let w = W::parse(s).ok_or_else(|| {
            at.invalid(
                &format!("{}[{i}]", spec.name),
                format!("is {s:?}, not one of {}", W::NAMES.join(", ")),
            )
        })?;
        if out.contains(&w) {
            return Err(at.invalid(spec.name, format!("lists {s:?} twice")));
        }
        out.push(w);
    }
    Ok(out)
}

/// A list of nested objects (a call's tracks): non-empty, each as declared
/// ([`declare!`](super::declare) implements [`FieldValue`] for `Vec` of a
/// nested object with this).
#[doc(hidden)]
pub fn read_objects<T: Declared>(
    raw: Option<Raw<'_>>,
    spec: &FieldSpec,
    at: &Place<'_>,
) -> Result<Vec<T>, EventError> {
    let (ValueRule::Objects(nested, why), Raw::Objects(items)) =
        (spec.rule, at.required(raw, spec)?)
    else {
        return Err(at.undeclared(spec));
    };
    if items.is_empty() {
        return Err(at.invalid(spec.name, format!("is empty ({why})")));
    }
    let keys = at.nested_keys(nested);
    let mut out = Vec::with_capacity(items.len());
    for (i, mut item) in items.into_iter().enumerate() {
        let prefix = format!("{}{}[{i}].", at.prefix(), spec.name);
        out.push(T::read(&mut item, keys, &Place::nested(nested, &prefix))?);
    }
    Ok(out)
}

/// A score's criteria: names to scores 0..=100, at least one.
impl FieldValue for Criteria {
    const RULE: ValueRule = ValueRule::Scores;

    fn read(raw: Option<Raw<'_>>, spec: &FieldSpec, at: &Place<'_>) -> Result<Self, EventError> {
        let items = match at.required(raw, spec)? {
            Raw::Scores(items) => items,
            _ => return Err(at.undeclared(spec)),
        };
        if items.is_empty() {
            return Err(at.invalid(
                spec.name,
                "is empty (leave it out, or score at least one criterion)",
            ));
        }
        let mut out = Criteria::new();
        for (k, v) in items {
            at.in_range(v, &format!("{}.{k}", spec.name), 0, 100)?;
            let name =
                CriterionName::parse(k.into_owned()).map_err(|e| at.invalid(spec.name, e))?;
            out.insert(name, v);
        }
        Ok(out)
    }

    fn field(&self) -> Option<Field<'_>> {
        Some(Field::Scores(self))
    }
}
