//! Whether a request comes from this server's own pages: what a browser
//! says about where a request started (`Origin`, `Sec-Fetch-Site`),
//! compared with the server it was sent to (`Host`). The login form refuses
//! sign-ins started on another site (login CSRF); a server in local mode
//! refuses any request another site's page started (see the API's
//! `local_mode`). A client that is not a browser sends neither header and
//! is not affected.

use axum::http::{HeaderMap, header};

/// Why a request is taken to come from another site, in words.
pub fn foreign_origin(headers: &HeaderMap) -> Option<String> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        // `none`: typed in the address bar or opened from a bookmark.
        if !matches!(site, "same-origin" | "none") {
            return Some(format!(
                "the browser says this request was started by a {site:?} page (Sec-Fetch-Site), not by this server's own"
            ));
        }
    }
    let origin = headers.get(header::ORIGIN)?;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.to_str(), host) {
        (Ok(origin), Some(host)) if is_origin_of(origin, host) => None,
        (Ok(origin), _) => Some(format!(
            "the request comes from a page of {origin:?}, not of this server ({})",
            host.unwrap_or("no Host header")
        )),
        (Err(_), _) => Some("the request's Origin header is not readable text".to_string()),
    }
}

/// Whether `origin` (`scheme://host[:port]`) is the origin of a page served
/// as `host` (the `Host` header: `host[:port]`).
fn is_origin_of(origin: &str, host: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        origin
            .strip_prefix(scheme)
            .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn own_pages_and_non_browsers_pass_and_other_sites_do_not() {
        let host = ("host", "127.0.0.1:8080");
        for ok in [
            headers(&[host]),
            headers(&[host, ("origin", "http://127.0.0.1:8080")]),
            headers(&[host, ("sec-fetch-site", "same-origin")]),
            headers(&[host, ("sec-fetch-site", "none")]),
        ] {
            assert_eq!(foreign_origin(&ok), None, "{ok:?}");
        }
        for foreign in [
            headers(&[host, ("origin", "https://evil.example")]),
            headers(&[host, ("origin", "null")]),
            headers(&[host, ("origin", "http://127.0.0.1:8081")]),
            headers(&[host, ("origin", "http://127.0.0.1:8080.evil.example")]),
            headers(&[host, ("sec-fetch-site", "cross-site")]),
            headers(&[host, ("sec-fetch-site", "same-site")]),
            headers(&[("origin", "http://127.0.0.1:8080")]),
        ] {
            assert!(foreign_origin(&foreign).is_some(), "{foreign:?}");
        }
    }
}
