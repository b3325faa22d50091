//! What the dashboard tells a browser to allow, on every answer it gives:
//! a Content-Security-Policy that runs only the dashboard's own two inline
//! scripts (by their SHA-256, so an injected `<script>` would not run even if
//! escaping ever failed), loads nothing from elsewhere, posts forms only
//! here and lets no other site frame a page (clickjacking); the same
//! framing refusal for browsers that predate CSP (`X-Frame-Options`); and
//! `nosniff`, so that a CSV or JSON answer is never run as a script or page.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The policy, with the hashes of the inline scripts the pages carry.
pub static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = |script: &str| {
        let digest = Sha256::digest(script.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    };
    format!(
        "default-src 'none'; script-src {} {}; style-src 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        hash(crate::layout::SLIDER_SCRIPT),
        hash(crate::events::LIVE_SCRIPT),
    )
});

/// Adds the policy's headers to `response` (those a handler set stay).
pub async fn apply(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&CONTENT_SECURITY_POLICY) {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(csp);
    }
    headers
        .entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_each_inline_script_by_hash_and_nothing_else_runs() {
        let csp = &*CONTENT_SECURITY_POLICY;
        assert!(
            csp.starts_with("default-src 'none'; script-src 'sha256-"),
            "{csp}"
        );
        assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
}
