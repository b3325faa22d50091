//! Who may do what: bearer tokens, their roles, and the rights of each role.
//!
//! The tokens file holds one token per line as `<sha256 hex of the token>
//! <role> [<subject>]` (`#` starts a comment): the server never stores a
//! token in clear. Roles:
//!
//! | role | may append | subject |
//! | --- | --- | --- |
//! | `office` | pools, organizations, calls, decisions (rejections, awards), recalls, releases, redistributions, award ends; v2: reviewers, conflicts it was told of or found, recall notices, exemption and appeal decisions, extensions, supplements | |
//! | `reviewer` | `ScoreRecorded` with its own `reviewer_id`; v2: its own `ConflictDeclared` (`self_declared`) | the reviewer id |
//! | `applicant` | `ApplicationSubmitted` / `ApplicationWithdrawn` for its own organization; v2: `ExemptionRequested`, `AppealFiled`, `OutputReported` for its own organization's notices, applications and awards | the org id |
//! | `monitor` | `UtilizationReported` | |
//! | `auditor`, `analyst` | nothing (read only) | |
//!
//! Every role may read. Without a tokens file the server runs in local mode:
//! loopback only, no tokens, every right. What each role may append is in
//! [`rights`](super::rights).

use super::AppState;
use super::problem::Problem;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use gpu_ledger_domain::Id;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Office,
    Reviewer(Id),
    Applicant(Id),
    Monitor,
    Auditor,
    Analyst,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Office => f.write_str("office"),
            Role::Reviewer(id) => write!(f, "reviewer {id}"),
            Role::Applicant(id) => write!(f, "applicant {id}"),
            Role::Monitor => f.write_str("monitor"),
            Role::Auditor => f.write_str("auditor"),
            Role::Analyst => f.write_str("analyst"),
        }
    }
}

impl Role {
    pub fn parse(role: &str, subject: Option<&str>) -> Result<Self, String> {
        let id = |what: &str| -> Result<Id, String> {
            let s = subject.ok_or_else(|| format!("the {role} role needs a subject ({what})"))?;
            Id::parse(s).map_err(|e| format!("subject {s:?}: {e}"))
        };
        let no_subject = |r: Role| match subject {
            Some(s) => Err(format!("the {role} role takes no subject (found {s:?})")),
            None => Ok(r),
        };
        match role {
            "office" => no_subject(Role::Office),
            "reviewer" => Ok(Role::Reviewer(id("the reviewer id")?)),
            "applicant" => Ok(Role::Applicant(id("the organization id")?)),
            "monitor" => no_subject(Role::Monitor),
            "auditor" => no_subject(Role::Auditor),
            "analyst" => no_subject(Role::Analyst),
            other => Err(format!(
                "unknown role {other:?} (roles: office, reviewer, applicant, monitor, auditor, analyst)"
            )),
        }
    }
}

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Local mode: no tokens, every right.
    Local,
    Token {
        role: Role,
        token_id: String,
    },
}

/// Handlers take the principal as an argument: the request's
/// `Authorization: Bearer` token, checked before the handler runs (a
/// refusal is a `401` in the API's error shape).
impl FromRequestParts<AppState> for Principal {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Problem> {
        app.principal(&parts.headers)
    }
}

/// A request from someone allowed to read the ledger, with the server's
/// state: what every read-only route takes. Its rejection is the 401.
pub struct Reader(pub AppState);

impl FromRequestParts<AppState> for Reader {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Problem> {
        app.principal(&parts.headers)?;
        Ok(Reader(app.clone()))
    }
}

impl Principal {
    /// A stable name for scoping idempotency keys and for logs (never the token).
    pub fn key(&self) -> String {
        match self {
            Principal::Local => "local".into(),
            Principal::Token { token_id, .. } => token_id.clone(),
        }
    }
}

/// The tokens the server accepts, as hashes.
#[derive(Debug, Clone)]
pub struct Tokens {
    entries: Vec<([u8; 32], Role)>,
}

/// SHA-256 of a token: what the tokens file stores.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Tokens {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the tokens file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (hash, role, subject) = (parts.next(), parts.next(), parts.next());
            let at = |m: String| format!("line {}: {m}", i + 1);
            let hash = hash.unwrap_or_default();
            let mut h = [0u8; 32];
            if hash.len() != 64 || hex::decode_to_slice(hash, &mut h).is_err() {
                return Err(at("the first word must be the SHA-256 of a token, in 64 hex characters (never the token itself)".into()));
            }
            let role = Role::parse(role.ok_or_else(|| at("a role is missing".into()))?, subject)
                .map_err(at)?;
            if parts.next().is_some() {
                return Err(at("too many words (expected: hash role [subject])".into()));
            }
            entries.push((h, role));
        }
        Ok(Self { entries })
    }

    /// The principal a presented token belongs to. Every stored hash is
    /// compared, in constant time, whichever matches.
    pub fn authenticate(&self, token: &str) -> Option<Principal> {
        let presented = token_hash(token);
        let mut found = None;
        for (hash, role) in &self.entries {
            if bool::from(hash.ct_eq(&presented)) {
                found = Some(Principal::Token {
                    role: role.clone(),
                    token_id: hex::encode(&hash[..6]),
                });
            }
        }
        found
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The principal an `Authorization: Bearer <token>` value names, or why none.
pub fn bearer(tokens: &Tokens, value: &axum::http::HeaderValue) -> Result<Principal, &'static str> {
    // The scheme name is case-insensitive (RFC 9110 section 11.1).
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.trim_start().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or("the Authorization header must be `Bearer <token>`")?;
    tokens
        .authenticate(token)
        .ok_or("the token is not valid for this server")
}

/// A new random token (printed once to whoever makes it).
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a token: {e}"))?;
    Ok(format!("glt_{}", hex::encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_file_holds_hashes_and_roles() {
        let text = format!(
            "# office\n{} office\n{} reviewer r-017\n\n{} applicant ORG-1 # comment\n",
            hex::encode(token_hash("a")),
            hex::encode(token_hash("b")),
            hex::encode(token_hash("c"))
        );
        let tokens = Tokens::parse(&text).unwrap();
        assert_eq!(tokens.len(), 3);
        assert!(
            matches!(tokens.authenticate("b"), Some(Principal::Token { role: Role::Reviewer(r), .. }) if r.as_str() == "r-017")
        );
        assert_eq!(tokens.authenticate("z"), None);
    }

    #[test]
    fn the_scheme_name_is_read_in_any_case() {
        let tokens = Tokens::parse(&format!("{} office", hex::encode(token_hash("t")))).unwrap();
        for header in ["Bearer t", "bearer t", "BEARER  t", "bEaReR t "] {
            let value = axum::http::HeaderValue::from_str(header).unwrap();
            assert!(bearer(&tokens, &value).is_ok(), "{header:?}");
        }
        for header in ["Basic t", "Bearer", "Bearer ", "Bearert"] {
            let value = axum::http::HeaderValue::from_str(header).unwrap();
            assert!(bearer(&tokens, &value).is_err(), "{header:?}");
        }
    }

    #[test]
    fn a_clear_token_or_a_bad_role_is_refused() {
        assert!(
            Tokens::parse("glt_secret office")
                .unwrap_err()
                .contains("never the token itself")
        );
        let h = hex::encode(token_hash("a"));
        assert!(
            Tokens::parse(&format!("{h} admin"))
                .unwrap_err()
                .contains("unknown role")
        );
        assert!(
            Tokens::parse(&format!("{h} reviewer"))
                .unwrap_err()
                .contains("needs a subject")
        );
        assert!(
            Tokens::parse(&format!("{h} office x"))
                .unwrap_err()
                .contains("takes no subject")
        );
    }
}
