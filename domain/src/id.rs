//! Identifiers: `pool_id`, `org_id`, `award_id`, `reviewer_id`... (events.md, value rules).

use serde::Serialize;
use std::borrow::Borrow;
use std::fmt;

/// An identifier of 1..=64 characters from `A-Z a-z 0-9 . _ : -`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Id(Box<str>);

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Id::from_string(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Why a string is not an [`Id`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("is empty (ids have 1 to 64 characters)")]
    Empty,
    #[error("has {0} characters (ids have at most 64)")]
    TooLong(usize),
    #[error("contains {0:?} (ids use only A-Z a-z 0-9 . _ : -)")]
    BadCharacter(char),
}

impl Id {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, IdError> {
        Self::check(s)?;
        Ok(Self(s.into()))
    }

    /// Like [`Id::parse`], reusing the string's allocation.
    pub fn from_string(s: String) -> Result<Self, IdError> {
        Self::check(&s)?;
        Ok(Self(s.into_boxed_str()))
    }

    fn check(s: &str) -> Result<(), IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if let Some(c) = s.chars().find(|c| !is_id_char(*c)) {
            return Err(IdError::BadCharacter(c));
        }
        if s.len() > Self::MAX_LEN {
            return Err(IdError::TooLong(s.len()));
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// A `criteria` key of a score: 1..=32 characters from `a-z 0-9 _`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Debug)]
#[serde(transparent)]
pub struct CriterionName(Box<str>);

impl CriterionName {
    pub fn parse(s: String) -> Result<Self, String> {
        if s.is_empty() || s.len() > 32 {
            return Err(format!("criterion name {s:?} must have 1 to 32 characters"));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
        {
            return Err(format!(
                "criterion name {s:?} contains {c:?} (only a-z 0-9 _ are allowed)"
            ));
        }
        Ok(Self(s.into_boxed_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_alphabet() {
        assert!(Id::parse("AW-0001").is_ok());
        assert!(Id::parse("org:ORG_1.a").is_ok());
        assert!(Id::parse(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn refuses_empty_long_and_foreign_characters() {
        assert_eq!(Id::parse(""), Err(IdError::Empty));
        assert_eq!(Id::parse(&"x".repeat(65)), Err(IdError::TooLong(65)));
        assert_eq!(Id::parse("a b"), Err(IdError::BadCharacter(' ')));
        assert_eq!(Id::parse("기관"), Err(IdError::BadCharacter('기')));
    }

    #[test]
    fn criterion_names_are_lowercase_snake() {
        assert!(CriterionName::parse("technical_merit2".into()).is_ok());
        assert!(CriterionName::parse("Impact".into()).is_err());
        assert!(CriterionName::parse(String::new()).is_err());
        assert!(CriterionName::parse("a".repeat(33)).is_err());
    }
}
