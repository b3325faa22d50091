//! The language a page is read in, Korean or English, and the words of the
//! dashboard in each ([`locales/en/dashboard.ftl`, `locales/ko/dashboard.ftl`],
//! compiled in).
//!
//! A reader chooses with `?lang=ko|en`, which every link of the page then
//! carries (through [`At::query`](crate::point::At::query)); without it the
//! browser's `Accept-Language` decides, parsed by the `accept-language`
//! crate, and English is the default. Every page has a switch to the other
//! language that keeps the page's other parameters (its point in history,
//! a search, a setting). Only words are translated: figures, dates, ids and
//! the codes of the ledger (event types, exception kinds) read the same in
//! both, as the views write them.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use gpu_ledger_replay::language::Catalog;
pub use gpu_ledger_replay::language::{Arg, Language, Messages};
use maud::{Markup, PreEscaped, html};
use std::convert::Infallible;
use std::sync::LazyLock;

/// The English catalog: the default, and the words the pages were first
/// written with.
pub const EN: &str = include_str!("../locales/en/dashboard.ftl");
/// The Korean catalog, in the programme's own words (공모, 과제, 선정,
/// 회수, 재배분, 학계/산업계/연구계).
pub const KO: &str = include_str!("../locales/ko/dashboard.ftl");

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::new(EN, KO).expect("the dashboard's catalogs parse (tested)"));

/// A language given as `?lang=`, if it is one the dashboard has.
pub fn asked(value: Option<&str>) -> Option<Language> {
    value.and_then(|v| v.parse().ok())
}

/// The first language of an `Accept-Language` header that the dashboard
/// has, in the reader's order of preference: `ko-KR` is Korean.
pub fn preferred(accept_language: &str) -> Option<Language> {
    accept_language::parse(accept_language)
        .iter()
        .find_map(|tag| tag.split('-').next()?.parse().ok())
}

/// How a page is read: its language, and what its language switch links
/// to (the page's own path and parameters, in the other language).
#[derive(Debug, Clone)]
pub struct Reading {
    lang: Language,
    path: String,
    /// The request's parameters other than `lang`, in their order.
    params: Vec<(String, String)>,
}

impl Reading {
    /// English, at `path`: for pages rendered without a request.
    pub fn english(path: &str) -> Self {
        Self::of(Language::En, path, None)
    }

    fn of(lang: Language, path: &str, query: Option<&str>) -> Self {
        let params = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Reading {
            lang,
            path: path.to_string(),
            params,
        }
    }

    pub fn language(&self) -> Language {
        self.lang
    }

    fn messages(&self) -> Messages<'static> {
        CATALOG.messages(self.lang)
    }

    /// The message `key`.
    pub fn t(&self, key: &str) -> String {
        self.messages().text(key)
    }

    /// The message `key` with its values.
    pub fn f(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.messages().with(key, args)
    }

    /// The message `key` with markup in its placeables (a strong figure,
    /// a link, a code span): the sentence is written in the language's own
    /// order and its words escaped; the markup goes where the placeables
    /// stand.
    pub fn h(&self, key: &str, args: &[(&str, Markup)]) -> Markup {
        self.marked(key, None, args)
    }

    /// [`h`](Self::h) for a sentence about `n` things: the message chooses
    /// its words by `$n` (English says `1 exception`, `2 exceptions`).
    pub fn h_n(&self, key: &str, n: u64, args: &[(&str, Markup)]) -> Markup {
        self.marked(key, Some(n), args)
    }

    fn marked(&self, key: &str, n: Option<u64>, args: &[(&str, Markup)]) -> Markup {
        // Each placeable becomes a private-use marker that no message
        // contains, then the markup replaces it.
        let marks: Vec<String> = (0..args.len())
            .map(|i| format!("\u{E000}{i}\u{E001}"))
            .collect();
        let mut fluent_args: Vec<(&str, Arg<'_>)> = args
            .iter()
            .zip(&marks)
            .map(|((name, _), mark)| (*name, Arg::from(mark)))
            .collect();
        if let Some(n) = n {
            fluent_args.push(("n", Arg::from(n)));
        }
        let text = self.messages().with(key, &fluent_args);
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(start) = rest.find('\u{E000}') {
            out.push_str(&html! { (rest[..start]) }.into_string());
            let after = &rest[start + '\u{E000}'.len_utf8()..];
            let end = after.find('\u{E001}').unwrap_or(after.len());
            if let Some((_, markup)) = after[..end].parse::<usize>().ok().and_then(|i| args.get(i))
            {
                out.push_str(&markup.0);
            }
            rest = after.get(end + '\u{E001}'.len_utf8()..).unwrap_or("");
        }
        out.push_str(&html! { (rest) }.into_string());
        PreEscaped(out)
    }

    /// A word of the ledger's vocabulary (a sector, a region, a status, a
    /// reason) in the page's language; English pages show it as the views
    /// write it, and a word the catalog does not know is shown as it is.
    pub fn word(&self, word: &str) -> String {
        let key = match word {
            "academia" => "word-academia",
            "industry" => "word-industry",
            "research" => "word-research",
            "capital" => "word-capital",
            "non_capital" => "word-non-capital",
            "open" => "word-open",
            "closed" => "word-closed",
            "pending" => "word-pending",
            "awarded" => "word-awarded",
            "rejected" => "word-rejected",
            "withdrawn" => "word-withdrawn",
            "underutilization" => "word-underutilization",
            "off_purpose_use" => "word-off-purpose-use",
            "withdrawal" => "word-withdrawal",
            "other" => "word-other",
            "requested" => "word-requested",
            "refused" => "word-refused",
            "none" => "word-none",
            "paper" => "word-paper",
            "model" => "word-model",
            "dataset" => "word-dataset",
            "service" => "word-service",
            "patent" => "word-patent",
            "owned" => "word-owned",
            "leased" => "word-leased",
            _ => return word.to_string(),
        };
        self.t(key)
    }

    /// Links to this page in each language, the current one marked.
    pub fn switch(&self) -> Markup {
        html! {
            span.lang {
                @for lang in Language::ALL {
                    @if lang == self.lang {
                        strong lang=(lang.code()) { (lang.name()) }
                    } @else {
                        a href=(self.href_in(lang)) lang=(lang.code()) hreflang=(lang.code()) { (lang.name()) }
                    }
                    " "
                }
            }
        }
    }

    /// This page with its parameters, in `lang`.
    fn href_in(&self, lang: Language) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            query.append_pair(k, v);
        }
        query.append_pair("lang", lang.code());
        format!("{}?{}", self.path, query.finish())
    }
}

/// Every page's request says how it is read: `?lang=`, else the
/// `Accept-Language` header, else English.
impl<S: Send + Sync> FromRequestParts<S> for Reading {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let query = parts.uri.query();
        let from_query = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| asked(Some(&v)));
        let from_header = || {
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(preferred)
        };
        let lang = from_query.or_else(from_header).unwrap_or_default();
        Ok(Reading::of(lang, parts.uri.path(), query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gpu_ledger_replay::language::{MISSING, catalog_faults, keys_in_code};
    use std::collections::BTreeSet;

    /// Every key the code asks for: the first string argument of each
    /// `.t(`, `.f(`, `.h(` and `.h_n(` call in the dashboard's sources, the
    /// keys its matches choose, and the labels of the navigation.
    fn used_keys() -> BTreeSet<String> {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
        let mut used = keys_in_code(dir, &[".t(", ".f(", ".h(", ".h_n("]);
        for (_, key) in crate::layout::PAGES {
            used.insert(key.to_string());
        }
        used
    }

    #[test]
    fn both_catalogs_have_the_same_keys_and_every_key_the_code_uses() {
        let faults = catalog_faults(EN, KO, &used_keys(), true);
        assert!(faults.is_empty(), "{faults:#?}");
    }

    #[test]
    fn markup_goes_where_each_language_puts_its_placeable() {
        let en = Reading::english("/");
        let ko = Reading::of(Language::Ko, "/", None);
        let seq = html! { strong { "#12" } };
        assert_eq!(
            en.h("history-now", &[("seq", seq.clone())]).into_string(),
            "Now: after record <strong>#12</strong> (the ledger&#39;s head).".replace("&#39;", "'")
        );
        let ko_text = ko.h("history-now", &[("seq", seq)]).into_string();
        assert!(ko_text.contains("<strong>#12</strong>"), "{ko_text}");
        assert!(!ko_text.contains(MISSING));
    }

    #[test]
    fn a_count_chooses_its_words_in_english_and_not_in_korean() {
        let en = Reading::english("/");
        let ko = Reading::of(Language::Ko, "/", None);
        let args = |n: u64| {
            vec![
                ("count", html! { strong { (n) } }),
                ("seq", html! { "7" }),
                ("command", html! { code { "x" } }),
            ]
        };
        let one = en.h_n("exceptions-count", 1, &args(1)).into_string();
        assert!(
            one.starts_with("<strong>1</strong> exception up to"),
            "{one}"
        );
        let two = en.h_n("exceptions-count", 2, &args(2)).into_string();
        assert!(
            two.starts_with("<strong>2</strong> exceptions up to"),
            "{two}"
        );
        let ko_one = ko.h_n("exceptions-count", 1, &args(1)).into_string();
        assert!(ko_one.contains("<strong>1</strong>건"), "{ko_one}");
        assert!(!ko_one.contains(MISSING), "{ko_one}");
    }

    #[test]
    fn the_switch_keeps_the_pages_parameters() {
        let r = Reading::of(
            Language::En,
            "/holdings",
            Some("q=%EB%8C%80&lang=en&until_seq=5"),
        );
        let switch = r.switch().into_string();
        assert!(
            switch.contains("href=\"/holdings?q=%EB%8C%80&amp;until_seq=5&amp;lang=ko\""),
            "{switch}"
        );
        assert!(
            switch.contains("<strong lang=\"en\">English</strong>"),
            "{switch}"
        );
    }

    #[test]
    fn accept_language_picks_the_readers_first_language_we_have() {
        assert_eq!(preferred("ko-KR,ko;q=0.9,en-US;q=0.8"), Some(Language::Ko));
        assert_eq!(preferred("fr, en;q=0.5, ko;q=0.4"), Some(Language::En));
        assert_eq!(preferred("fr"), None);
        assert_eq!(asked(Some("ko")), Some(Language::Ko));
        assert_eq!(asked(Some("xx")), None);
    }
}
