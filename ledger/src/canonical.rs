//! `canonical(x)` of ledger-format.md: RFC 8785 (JSON Canonicalization
//! Scheme) for the values a ledger holds (no floating-point numbers): object
//! keys sorted bytewise, no insignificant whitespace, strings escaped as RFC
//! 8785 says, integers in plain decimal.
//!
//! The domain writes canonical event bytes directly from typed events; this
//! module canonicalises any JSON value, which is what a verifier needs to
//! check that stored or exported bytes are canonical.

use serde_json::Value;

/// A value that has no canonical form in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("the number {0} is not an integer (the ledger holds no floating-point numbers)")]
    NotAnInteger(String),
}

/// The canonical bytes of `value`.
pub fn canonical_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(256);
    write_canonical(value, &mut out)?;
    Ok(out)
}

/// Appends the canonical bytes of `value` to `out`.
pub fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(CanonicalError::NotAnInteger(n.to_string()));
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Sorted here rather than trusting the map's order, which a
            // serde_json feature elsewhere in a build could change.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_canonical(v, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// serde_json's string escaping is RFC 8785's: `"` and `\` escaped, the
/// short forms `\b \t \n \f \r`, other controls as lowercase `\u00xx`,
/// everything else literal UTF-8.
fn write_string(s: &str, out: &mut Vec<u8>) {
    serde_json::to_writer(out, s).expect("writing to a Vec cannot fail");
}

/// Whether `bytes` are exactly the canonical form of the JSON they hold.
pub fn is_canonical(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => canonical_bytes(&v).is_ok_and(|c| c == bytes),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_bytewise_and_escapes_like_rfc_8785() {
        let v = json!({"b": 1, "a": {"z": [true, null], "A": "é\u{7}\n\"\\/"}, "aa": -3});
        assert_eq!(
            String::from_utf8(canonical_bytes(&v).unwrap()).unwrap(),
            "{\"a\":{\"A\":\"é\\u0007\\n\\\"\\\\/\",\"z\":[true,null]},\"aa\":-3,\"b\":1}"
        );
    }

    #[test]
    fn refuses_floats_and_detects_non_canonical_bytes() {
        assert!(canonical_bytes(&json!({"x": 1.5})).is_err());
        assert!(is_canonical(br#"{"a":1,"b":2}"#));
        assert!(!is_canonical(br#"{"b":2,"a":1}"#));
        assert!(!is_canonical(br#"{"a": 1}"#));
        assert!(!is_canonical(br#"{"a":1,"a":1}"#));
        assert!(!is_canonical(br#"{"a":"\u00e9"}"#));
    }
}
