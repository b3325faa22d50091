//! The vocabulary: each event type is declared once, and everything that
//! must agree with events.md comes from that one declaration.
//!
//! An event type (or an object nested in one, like a call's track) is
//! declared with [`declare!`](crate::vocabulary::declare) in the module of its part of the
//! programme: the struct, each field's Rust type and, where the type's own
//! value rule is not the one, the field's [`ValueRule`]. From it come:
//! - [`decode`](crate::decode): JSON bytes to the typed struct, refusing what
//!   events.md refuses (unknown fields, `null`, repeated keys, `16.0`, `-0`,
//!   values outside their rule), with errors that name the field path
//!   (`tracks[1].gpus`);
//! - [`canonical`]: the canonical (RFC 8785) bytes of an event;
//! - [`schema`]: the JSON Schema of a request body (`oneOf` on `type`), which
//!   the OpenAPI document carries;
//! - [`reference`]: `docs/events.md`, every type and field with its rule.
//!
//! What a field's Rust type means on the wire is in [`field_value`]: an
//! [`Id`](crate::Id) is an id, a [`Text`](crate::Text) a bounded text, a
//! [`Timestamp`](crate::Timestamp) an RFC 3339 timestamp, an `Option` an
//! optional field, a word enumeration ([`word`]) one of its words.

pub mod canonical;
mod declaration;
pub mod field_value;
pub mod reference;
pub mod schema;
pub(crate) mod value_rule;
pub mod word;

pub use declaration::{Declared, FieldSpec, ObjectSpec};
pub(crate) use declaration::{declare, rule_of};
pub use field_value::FieldValue;
pub use value_rule::ValueRule;
pub use word::Word;
