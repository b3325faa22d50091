//! What the tests of a page or a report in Korean look for: the English a
//! Korean text must not show (from the two Fluent catalogs of its reader),
//! and what a person reads of an HTML page.

use gpu_ledger_replay::language::phrases;
use std::collections::HashMap;

/// The English phrases of a catalog that its Korean one says otherwise:
/// runs of two words or more between placeables (a code, an RFC or an HHI
/// reads the same in both and is left out).
pub fn english_phrases(en_ftl: &str, ko_ftl: &str) -> Vec<String> {
    let ko: HashMap<String, Vec<String>> = phrases(ko_ftl)
        .expect("the Korean catalog parses")
        .into_iter()
        .collect();
    phrases(en_ftl)
        .expect("the English catalog parses")
        .into_iter()
        .filter(|(key, runs)| ko.get(key) != Some(runs))
        .flat_map(|(_, runs)| runs)
        .map(|r| {
            r.trim_matches(|c: char| c.is_ascii_punctuation() || c == ' ')
                .to_string()
        })
        .filter(|r| r.split(' ').count() >= 2 && r.len() >= 8)
        .collect()
}

/// Fails, naming `what`, if `text` shows any of `english`.
pub fn assert_no_english(what: &str, text: &str, english: &[String]) {
    assert!(
        !text.contains(gpu_ledger_replay::language::MISSING),
        "{what}: a message is missing"
    );
    for phrase in english {
        assert!(
            !text.contains(phrase.as_str()),
            "{what} shows English: {phrase:?}"
        );
    }
}

/// What a person reads of a page: its text outside tags, styles and
/// scripts, entities decoded.
pub fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let skip_to = ["<style", "<script"]
            .iter()
            .find(|t| rest.starts_with(**t))
            .map(|t| format!("</{}>", &t[1..]));
        let end = match skip_to {
            Some(close) => rest.find(&close).map_or(rest.len(), |i| i + close.len()),
            None => rest.find('>').map_or(rest.len(), |i| i + 1),
        };
        out.push(' ');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}
