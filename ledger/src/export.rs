//! Reading an export (ledger-format.md): one canonical record per line.
//!
//! This is what an auditor handed a copy works from; every line is checked
//! for shape and canonical form before its record is believed.

use crate::canonical::{CanonicalError, canonical_bytes};
use crate::chain::Hash;
use crate::record::Record;
use crate::time::RecordedAt;
use bytes::Bytes;
use serde_json::Value;

/// Why an export line is not a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExportLineError(pub String);

/// Parses one line (without its newline) into a record.
pub fn parse_export_line(line: &[u8]) -> Result<Record, ExportLineError> {
    let bad = |m: String| ExportLineError(m);
    let v: Value = serde_json::from_slice(line).map_err(|e| bad(format!("not JSON: {e}")))?;
    let canonical = canonical_bytes(&v).map_err(|e: CanonicalError| bad(e.to_string()))?;
    if canonical != line {
        return Err(bad(
            "not in canonical form (keys sorted, no spaces, RFC 8785 escapes, no repeated keys)"
                .into(),
        ));
    }
    let Value::Object(m) = &v else {
        return Err(bad("a record is a JSON object".into()));
    };
    let mut keys: Vec<&str> = m.keys().map(|k| k.as_str()).collect();
    keys.sort_unstable();
    if keys != ["event", "hash", "prev", "recorded_at", "seq"] {
        return Err(bad(format!(
            "a record has exactly the fields event, hash, prev, recorded_at, seq (found {})",
            keys.join(", ")
        )));
    }
    let seq = m["seq"]
        .as_u64()
        .filter(|s| *s >= 1)
        .ok_or_else(|| bad("seq is not an integer from 1".into()))?;
    let text = |k: &str| {
        m[k].as_str()
            .ok_or_else(|| bad(format!("{k} is not a string")))
    };
    let hash: Hash = text("hash")?
        .parse()
        .map_err(|e| bad(format!("hash: {e}")))?;
    let prev: Hash = text("prev")?
        .parse()
        .map_err(|e| bad(format!("prev: {e}")))?;
    let recorded_at = RecordedAt::parse(text("recorded_at")?).map_err(bad)?;
    if !m["event"].is_object() {
        return Err(bad("event is not a JSON object".into()));
    }
    let event = canonical_bytes(&m["event"]).map_err(|e| bad(e.to_string()))?;
    Ok(Record {
        seq,
        recorded_at,
        prev,
        hash,
        event: Bytes::from(event),
    })
}
