//! Tokens of every role, and the tokens files a server reads them from.

use gpu_ledger_api::server::Access;
use gpu_ledger_api::server::auth::{Tokens, token_hash};

/// Tokens of every role, as `(token, role line)`; the token is the role's name + "-token".
pub const ROLES: &[(&str, &str)] = &[
    ("office-token", "office"),
    ("reviewer-token", "reviewer r-001"),
    ("applicant-token", "applicant ORG-1"),
    ("monitor-token", "monitor"),
    ("auditor-token", "auditor"),
    ("analyst-token", "analyst"),
];

/// A tokens file of `(token, role line)` pairs: each token's hash and its role.
pub fn file_text(tokens: &[(&str, &str)]) -> String {
    tokens
        .iter()
        .map(|(t, role)| format!("{} {role}\n", hex::encode(token_hash(t))))
        .collect()
}

/// Access with a token for every role of [`ROLES`].
pub fn every_role() -> Access {
    Access::Tokens(Tokens::parse(&file_text(ROLES)).expect("the roles' tokens file parses"))
}
