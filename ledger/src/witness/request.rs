//! The body of a C2SP tlog-witness `add-checkpoint` request:
//!
//! ```text
//! old <size of the checkpoint the witness last cosigned>
//! <base64 consistency proof hash, at most 63 lines>
//! <blank line>
//! <the signed checkpoint>
//! ```
//!
//! Parsed by the witness and written by the log, here in one place so the
//! two cannot drift apart.

use crate::chain::Hash;
use crate::checkpoint::{hash_base64, parse_decimal, parse_hash};

/// The most consistency proof lines a request may carry (the spec's bound:
/// a tree of 2^63 leaves needs no more).
pub const MAX_PROOF_LINES: usize = 63;

/// An `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old_size: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, verbatim.
    pub checkpoint: String,
}

impl AddCheckpoint {
    /// The request body.
    pub fn to_body(&self) -> String {
        let mut body = format!("old {}\n", self.old_size);
        for h in &self.proof {
            body.push_str(&hash_base64(h));
            body.push('\n');
        }
        body.push('\n');
        body.push_str(&self.checkpoint);
        body
    }

    /// Parses a request body; the error says which line is wrong.
    pub fn parse(body: &str) -> Result<Self, String> {
        let (head, checkpoint) = body
            .split_once("\n\n")
            .ok_or("the request has no blank line before the checkpoint")?;
        let mut lines = head.split('\n');
        let old_size = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(parse_decimal)
            .ok_or("the first line is not `old <size>` with a decimal size")?;
        let proof = lines
            .enumerate()
            .map(|(i, l)| {
                parse_hash(l).ok_or(format!(
                    "consistency proof line {} is not a base64 SHA-256 hash",
                    i + 1
                ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if proof.len() > MAX_PROOF_LINES {
            return Err(format!(
                "the consistency proof has {} lines; at most {MAX_PROOF_LINES} are allowed",
                proof.len()
            ));
        }
        Ok(Self {
            old_size,
            proof,
            checkpoint: checkpoint.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips_and_bad_lines_are_named() {
        let req = AddCheckpoint {
            old_size: 12,
            proof: vec![crate::chain::sha256(b"a"), crate::chain::sha256(b"b")],
            checkpoint: "log\n20\nAAAA\n\n\u{2014} log abc\n".into(),
        };
        assert_eq!(AddCheckpoint::parse(&req.to_body()), Ok(req.clone()));
        let empty = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            ..req.clone()
        };
        assert!(empty.to_body().starts_with("old 0\n\nlog\n"));
        assert_eq!(AddCheckpoint::parse(&empty.to_body()), Ok(empty));
        let errors: Vec<String> = [
            "old 012\n\nx",
            "old -1\n\nx",
            "new 1\n\nx",
            "old 1\nnot-base64\n\nx",
            "old 1\nx",
        ]
        .iter()
        .map(|b| AddCheckpoint::parse(b).unwrap_err())
        .collect();
        insta::assert_snapshot!(errors.join("\n"), @r"
        the first line is not `old <size>` with a decimal size
        the first line is not `old <size>` with a decimal size
        the first line is not `old <size>` with a decimal size
        consistency proof line 1 is not a base64 SHA-256 hash
        the request has no blank line before the checkpoint
        ");
    }
}
