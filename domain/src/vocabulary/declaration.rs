//! How an event type is declared: [`declare!`] writes the struct and its
//! [`Declared`] description, from which decoding, writing, the schema and
//! the reference all read.

use super::canonical::Fields;
use super::value_rule::ValueRule;
use crate::decode::{EventError, Place, RawObject};

/// One field of a declared type.
#[derive(Debug)]
pub struct FieldSpec {
    /// The JSON key (and the Rust field's name).
    pub name: &'static str,
    pub rule: ValueRule,
    /// Whether the field must be present (`Option` fields may be absent).
    pub required: bool,
    /// What the field means, from its doc comment.
    pub doc: &'static str,
}

/// A declared event type, or an object nested in one.
#[derive(Debug)]
pub struct ObjectSpec {
    /// The type name (`AwardGranted`), or the nested object's (`TrackSpec`).
    pub name: &'static str,
    /// How errors name a nested object (`a track`); empty for event types,
    /// which are named after their type.
    pub noun: &'static str,
    /// What it records, from its doc comment.
    pub doc: &'static str,
    /// The module that declares it (and holds its rules).
    pub module: &'static str,
    /// Its fields, in the order events.md lists them (and values are checked).
    pub fields: &'static [FieldSpec],
}

impl ObjectSpec {
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A type declared with [`declare!`].
pub trait Declared: Sized + 'static {
    const SPEC: &'static ObjectSpec;

    /// Builds the value from decoded JSON; `keys[i]` is where field `i` of
    /// [`Declared::SPEC`] sits in `raw`.
    #[doc(hidden)]
    fn read(raw: &mut RawObject<'_>, keys: &[u16], at: &Place<'_>) -> Result<Self, EventError>;

    /// Puts every present field into `out`, for the canonical writer.
    fn write<'a>(&'a self, out: &mut Fields<'a>);
}

/// The rule of a field: the one given after `=`, else its type's own.
macro_rules! rule_of {
    ($ty:ty) => {
        <$ty as $crate::vocabulary::FieldValue>::RULE
    };
    ($ty:ty, $rule:expr) => {
        $rule
    };
}
pub(crate) use rule_of;

/// Declares an event type (or a nested object, with its noun in
/// parentheses): the struct, and its [`Declared`] description.
///
/// ```text
/// declare! {
///     /// `AwardGranted`: GPUs lent to a selected application.
///     pub struct AwardGranted {
///         pub award_id: Id,
///         pub application_id: Id,
///         pub gpus: u32 = ValueRule::Gpus,
///         pub starts_at: Timestamp,
///         pub ends_at: Timestamp,
///     }
/// }
/// ```
macro_rules! declare {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident $(($noun:literal))? {
            $(
                $(#[doc = $fdoc:literal])*
                pub $field:ident : $ty:ty $(= $rule:expr)?
            ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $( $(#[doc = $fdoc])* pub $field: $ty, )*
        }

        impl $crate::vocabulary::Declared for $name {
            const SPEC: &'static $crate::vocabulary::ObjectSpec = &$crate::vocabulary::ObjectSpec {
                name: stringify!($name),
                noun: concat!("" $(, $noun)?),
                doc: concat!($($doc, "\n",)*),
                module: module_path!(),
                fields: &[$(
                    $crate::vocabulary::FieldSpec {
                        name: stringify!($field),
                        rule: $crate::vocabulary::rule_of!($ty $(, $rule)?),
                        required: <$ty as $crate::vocabulary::FieldValue>::REQUIRED,
                        doc: concat!($($fdoc, "\n",)*),
                    },
                )*],
            };

            fn read(
                raw: &mut $crate::decode::RawObject<'_>,
                keys: &[u16],
                at: &$crate::decode::Place<'_>,
            ) -> Result<Self, $crate::decode::EventError> {
                let mut fields = <Self as $crate::vocabulary::Declared>::SPEC.fields.iter().zip(keys);
                Ok(Self {
                    $($field: {
                        let (spec, key) = fields.next().expect("one key per declared field");
                        at.read(raw, *key, spec)?
                    },)*
                })
            }

            fn write<'a>(&'a self, out: &mut $crate::vocabulary::canonical::Fields<'a>) {
                $( out.value(stringify!($field), &self.$field); )*
            }
        }

        $(
            #[doc = concat!("A list of ", stringify!($name), " objects, each ", $noun, ".")]
            impl $crate::vocabulary::FieldValue for Vec<$name> {
                const RULE: $crate::vocabulary::ValueRule = $crate::vocabulary::ValueRule::Objects(
                    <$name as $crate::vocabulary::Declared>::SPEC,
                    "lists have at least one item",
                );

                fn read(
                    raw: Option<$crate::decode::Raw<'_>>,
                    spec: &$crate::vocabulary::FieldSpec,
                    at: &$crate::decode::Place<'_>,
                ) -> Result<Self, $crate::decode::EventError> {
                    $crate::vocabulary::field_value::read_objects(raw, spec, at)
                }

                fn field(&self) -> Option<$crate::vocabulary::canonical::Field<'_>> {
                    Some($crate::vocabulary::canonical::Field::Objects(self))
                }
            }
        )?
    };
}
pub(crate) use declare;
