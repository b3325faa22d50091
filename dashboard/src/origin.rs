//! Whether a request comes from this server's own pages: what a browser
//! says about where a request started (`Origin`, `Sec-Fetch-Site`),
//! compared with the server it was sent to (`Host`). The login form refuses
//! sign-ins started on another site (login CSRF); a server in local mode
//! refuses any request another site's page started (see the API's
//! `local_mode`). A client that is not a browser sends neither header and
//! is not affected.
//!
//! A link followed from another site (a top-level `GET` navigation) is not
//! refused: it changes nothing, and the page that offered the link cannot
//! read what it opens; a framed page is refused by the dashboard's
//! `frame-ancestors` policy instead.

use axum::http::{HeaderMap, Method, header};

/// Why a request is taken to come from another site, in words.
pub fn foreign_origin(method: &Method, headers: &HeaderMap) -> Option<String> {
    let navigation = (method == Method::GET || method == Method::HEAD)
        && headers
            .get("sec-fetch-mode")
            .is_some_and(|m| m.as_bytes() == b"navigate");
    if let Some(site) = headers.get("sec-fetch-site").filter(|_| !navigation) {
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
        let get = |h: &HeaderMap| foreign_origin(&Method::GET, h);
        let post = |h: &HeaderMap| foreign_origin(&Method::POST, h);
        let link = headers(&[
            host,
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "navigate"),
        ]);
        assert_eq!(get(&link), None, "a followed link");
        assert!(post(&link).is_some(), "a cross-site form post");
        for ok in [
            headers(&[host]),
            headers(&[host, ("origin", "http://127.0.0.1:8080")]),
            headers(&[host, ("sec-fetch-site", "same-origin")]),
            headers(&[host, ("sec-fetch-site", "none")]),
        ] {
            assert_eq!(post(&ok), None, "{ok:?}");
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
            assert!(get(&foreign).is_some(), "{foreign:?}");
        }
    }
}
