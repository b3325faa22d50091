//! Free text fields (`name`, `title`, `reason`, `actor`, `note`...), bounded in
//! Unicode scalar values as events.md says.

use serde::Serialize;
use std::fmt;

/// A string whose length was checked against its field's bounds.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Text(Box<str>);

/// The bounds events.md gives each kind of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextBounds {
    pub min: usize,
    pub max: usize,
}

/// `name`, `title`, `reason`, `provider`, `gpu_model`.
pub const LABEL: TextBounds = TextBounds { min: 1, max: 256 };
/// `actor`.
pub const ACTOR: TextBounds = TextBounds { min: 1, max: 128 };
/// `note`.
pub const NOTE: TextBounds = TextBounds { min: 0, max: 2000 };

impl Text {
    pub fn new(s: String, bounds: TextBounds) -> Result<Self, String> {
        // Most text is short ASCII: the byte length bounds the character count.
        let chars = if s.len() <= bounds.max && s.len() >= bounds.min {
            None
        } else {
            Some(s.chars().count())
        };
        if let Some(n) = chars {
            if n < bounds.min {
                return Err(if bounds.min == 1 {
                    "is empty".to_string()
                } else {
                    format!("has {n} characters, fewer than {}", bounds.min)
                });
            }
            if n > bounds.max {
                return Err(format!(
                    "has {n} characters, more than the {} allowed",
                    bounds.max
                ));
            }
        }
        Ok(Self(s.into_boxed_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_unicode_scalar_values_not_bytes() {
        // 256 Hangul syllables are 768 bytes but 256 characters: allowed.
        assert!(Text::new("가".repeat(256), LABEL).is_ok());
        assert_eq!(
            Text::new("가".repeat(257), LABEL).unwrap_err(),
            "has 257 characters, more than the 256 allowed"
        );
        assert_eq!(Text::new(String::new(), LABEL).unwrap_err(), "is empty");
        assert!(Text::new(String::new(), NOTE).is_ok());
    }
}
