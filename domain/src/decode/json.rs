//! The JSON readers: each value read by the shape its key has, borrowing
//! strings from the input where they have no escapes, refusing `null`,
//! repeated keys and anything but plain unsigned integer tokens.

use super::keys::{Table, Vocabulary};
use super::{Raw, RawObject, nest, null};
use crate::vocabulary::value_rule::Shape;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Fills `out` from one JSON object with `table`'s keys.
pub(crate) struct Fill<'t, 'o, 'de> {
    pub vocabulary: &'static Vocabulary,
    pub table: &'t Table,
    pub out: &'o mut RawObject<'de>,
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
