//! Enumerations of events.md (sector, size, purpose, reasons...): a Rust
//! enum whose values are written as fixed words.

/// An enumeration whose values are words on the wire.
pub trait Word: Copy + PartialEq + 'static {
    /// Every word, in declaration order.
    const NAMES: &'static [&'static str];
    fn parse(s: &str) -> Option<Self>;
    fn as_str(self) -> &'static str;
}

/// Declares an enumeration of words, usable as a field (one word) or as a
/// list of them (`Vec`).
macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub const NAMES: &'static [&'static str] = &[$($text,)*];

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// Bit of this value in a set of values.
            pub fn bit(self) -> u8 {
                1 << (self as u8)
            }
        }

        impl $crate::vocabulary::Word for $name {
            const NAMES: &'static [&'static str] = $name::NAMES;
            fn parse(s: &str) -> Option<Self> {
                $name::parse(s)
            }
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl $crate::vocabulary::FieldValue for $name {
            const RULE: $crate::vocabulary::ValueRule = $crate::vocabulary::ValueRule::Word($name::NAMES);

            fn read(
                raw: Option<$crate::decode::Raw<'_>>,
                spec: &$crate::vocabulary::FieldSpec,
                at: &$crate::decode::Place<'_>,
            ) -> Result<Self, $crate::decode::EventError> {
                $crate::vocabulary::field_value::read_word(raw, spec, at)
            }

            fn field(&self) -> Option<$crate::vocabulary::canonical::Field<'_>> {
                Some($crate::vocabulary::canonical::Field::Str(self.as_str()))
            }
        }

        impl $crate::vocabulary::FieldValue for Vec<$name> {
            const RULE: $crate::vocabulary::ValueRule = $crate::vocabulary::ValueRule::Words($name::NAMES);

            fn read(
                raw: Option<$crate::decode::Raw<'_>>,
                spec: &$crate::vocabulary::FieldSpec,
                at: &$crate::decode::Place<'_>,
            ) -> Result<Self, $crate::decode::EventError> {
                $crate::vocabulary::field_value::read_words(raw, spec, at)
            }

            fn field(&self) -> Option<$crate::vocabulary::canonical::Field<'_>> {
                Some($crate::vocabulary::canonical::Field::Words(self))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

/// A list of words, as the canonical writer reads it.
pub trait WordList {
    fn words(&self) -> Vec<&'static str>;
}

impl<W: Word> WordList for Vec<W> {
    fn words(&self) -> Vec<&'static str> {
        self.iter().map(|w| w.as_str()).collect()
    }
}
