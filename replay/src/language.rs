//! The languages people read the ledger in, Korean and English, and the
//! message catalogs that say things in them.
//!
//! The programme's officers and auditors read Korean; the code and its CLI
//! and API speak English. What a person reads (the audit report in Markdown
//! and HTML, the dashboard's pages) comes from a catalog of Project Fluent
//! messages per language, one `.ftl` file per reader, compiled into the
//! binary with `include_str!` so that it needs no files beside it. Fluent,
//! through `fluent-bundle`, because it is Mozilla's maintained format for
//! exactly this: each language writes a sentence in its own word order
//! around named placeables, instead of the code gluing fragments in
//! English order. Only words are translated: figures, dates, ids and hashes
//! are written by the same helpers in both languages, and passed in as
//! text.
//!
//! A key that a catalog lacks is not an error at run time (a page is better
//! shown than refused) but it is visible: it renders as [`MISSING`] and the
//! key, which the tests look for on every page and report.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::borrow::Cow;
use std::str::FromStr;

/// A language a person may read the ledger in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// The default, and the language of the code, the CLI and the API.
    #[default]
    En,
    Ko,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Ko];

    /// The BCP 47 code, as `?lang=`, `--lang` and `<html lang>` write it.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ko => "ko",
        }
    }

    /// The language's own name, for a switch between them.
    pub fn name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Ko => "한국어",
        }
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Language::En),
            "ko" => Ok(Language::Ko),
            other => Err(format!(
                "there is no language {other:?} (languages: ko, en)"
            )),
        }
    }
}

/// Marks a message the catalog lacks, or one it could not format, where
/// the text would be: the tests look for it.
pub const MISSING: &str = "⟦missing ";

/// Why a catalog could not be made (a test of each catalog catches it
/// before anyone runs the binary).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the {lang} catalog does not parse: {errors}")]
    Syntax { lang: &'static str, errors: String },
    #[error("the {lang} catalog defines a message twice: {errors}")]
    Duplicate { lang: &'static str, errors: String },
}

/// The messages of one reader (the dashboard, the audit report) in every
/// language.
pub struct Catalog {
    en: FluentBundle<FluentResource>,
    ko: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalog")
    }
}

fn bundle(lang: Language, source: &str) -> Result<FluentBundle<FluentResource>, CatalogError> {
    let resource = FluentResource::try_new(source.to_string()).map_err(|(_, errors)| {
        CatalogError::Syntax {
            lang: lang.code(),
            errors: format!("{errors:?}"),
        }
    })?;
    let id = lang
        .code()
        .parse()
        .expect("a language code is a language id");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would end up in Markdown, HTML and the
    // snapshots; every placeable here is an id, a figure or a name.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| CatalogError::Duplicate {
            lang: lang.code(),
            errors: format!("{errors:?}"),
        })?;
    Ok(bundle)
}

impl Catalog {
    /// A catalog from the Fluent source of each language.
    pub fn new(en: &str, ko: &str) -> Result<Self, CatalogError> {
        Ok(Catalog {
            en: bundle(Language::En, en)?,
            ko: bundle(Language::Ko, ko)?,
        })
    }

    /// The messages in `lang`.
    pub fn messages(&self, lang: Language) -> Messages<'_> {
        Messages {
            lang,
            bundle: match lang {
                Language::En => &self.en,
                Language::Ko => &self.ko,
            },
        }
    }
}

/// A value given to a message: text (figures already written as the views
/// write them) or a number that a message may choose its words by.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(f64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

/// Written as plain digits, as every id and seq is: a message that shows a
/// grouped figure is given it as text.
macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_args!(u8, u16, u32, u64, usize, i32, i64);

/// The messages of a catalog in one language.
#[derive(Clone, Copy)]
pub struct Messages<'a> {
    lang: Language,
    bundle: &'a FluentBundle<FluentResource>,
}

impl Messages<'_> {
    pub fn language(&self) -> Language {
        self.lang
    }

    /// The message `key`, which takes no values.
    pub fn text(&self, key: &str) -> String {
        self.with(key, &[])
    }

    /// The message `key` with its values.
    pub fn with(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return format!("{MISSING}{key}⟧");
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Text(t) => FluentValue::from(t.as_ref()),
                Arg::Number(n) => FluentValue::from(*n),
            };
            fluent_args.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if errors.is_empty() {
            text.into_owned()
        } else {
            format!("{MISSING}{key}: {errors:?}⟧")
        }
    }
}

/// A Fluent source parsed, for what the tests read of it.
fn parsed(source: &str) -> Result<FluentResource, CatalogError> {
    FluentResource::try_new(source.to_string()).map_err(|(_, errors)| CatalogError::Syntax {
        lang: "?",
        errors: format!("{errors:?}"),
    })
}

/// The message ids a Fluent source defines, in its order: what the tests
/// compare between languages and with the keys the code uses.
pub fn keys(source: &str) -> Result<Vec<String>, CatalogError> {
    Ok(phrases(source)?.into_iter().map(|(key, _)| key).collect())
}

/// Each message of a Fluent source, by key, as the runs of text between
/// its placeables: what a test looks for on a page in the other language.
/// The variants of a choice (English's `1 record`, `2 records`) each give
/// their runs too.
pub fn phrases(source: &str) -> Result<Vec<(String, Vec<String>)>, CatalogError> {
    use fluent_syntax::ast::Entry;
    let resource = parsed(source)?;
    Ok(resource
        .entries()
        .filter_map(|e| match e {
            Entry::Message(m) => Some((m.id.name, m.value.as_ref())),
            _ => None,
        })
        .map(|(key, pattern)| {
            let mut runs = vec![String::new()];
            if let Some(pattern) = pattern {
                runs_of(pattern, &mut runs);
            }
            let runs = runs
                .iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty());
            (key.to_string(), runs.collect())
        })
        .collect())
}

/// The runs of text of `pattern` added to `runs`, a placeable ending one.
fn runs_of(pattern: &fluent_syntax::ast::Pattern<&str>, runs: &mut Vec<String>) {
    use fluent_syntax::ast::{Expression, PatternElement};
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => {
                runs.last_mut().expect("one run").push_str(value)
            }
            PatternElement::Placeable {
                expression: Expression::Select { variants, .. },
            } => {
                for variant in variants {
                    runs.push(String::new());
                    runs_of(&variant.value, runs);
                }
                runs.push(String::new());
            }
            PatternElement::Placeable { .. } => runs.push(String::new()),
        }
    }
}

/// What is wrong with a pair of catalogs, for the test that fails on a
/// missing key (each fault worded for its failure message): keys in one
/// language only, a key given twice, keys the code `used` that no catalog
/// has, and, with `all_used`, keys that no code names.
pub fn catalog_faults(
    en: &str,
    ko: &str,
    used: &std::collections::BTreeSet<String>,
    all_used: bool,
) -> Vec<String> {
    use std::collections::BTreeSet;
    let listed = |source: &str| keys(source).unwrap_or_else(|e| panic!("a catalog parses: {e}"));
    let (en_list, ko_list) = (listed(en), listed(ko));
    let en: BTreeSet<String> = en_list.iter().cloned().collect();
    let ko: BTreeSet<String> = ko_list.iter().cloned().collect();
    let mut faults = Vec::new();
    let mut say = |what: &str, keys: Vec<&String>| {
        if !keys.is_empty() {
            faults.push(format!("{what}: {keys:?}"));
        }
    };
    say("only in English", en.difference(&ko).collect());
    say("only in Korean", ko.difference(&en).collect());
    say("used but in no catalog", used.difference(&en).collect());
    if all_used {
        say(
            "in the catalogs but never used",
            en.difference(used).collect(),
        );
    }
    if en_list.len() != en.len() || ko_list.len() != ko.len() {
        faults.push("a key is given twice".to_string());
    }
    faults
}

/// The keys the Rust sources under `dir` name, for a test that every one
/// is in the catalogs: the first argument of each call in `calls` (such as
/// `.text(`), on its line or the next as rustfmt writes a long call, and
/// each match arm's string that reads like a key (`=> "word-academia"`).
/// Only the code is read, not its tests.
pub fn keys_in_code(dir: &std::path::Path, calls: &[&str]) -> std::collections::BTreeSet<String> {
    let mut used = std::collections::BTreeSet::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).expect("the sources are readable") {
            let path = entry.expect("the sources are readable").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let whole = std::fs::read_to_string(&path).expect("the sources are readable");
            let source = whole.split("#[cfg(test)]").next().unwrap_or("");
            let mut quoted = |rest: &str| rest.find('"').map(|end| rest[..end].to_string());
            for call in calls {
                for (at, _) in source.match_indices(call) {
                    let rest = source[at + call.len()..].trim_start();
                    if let Some(key) = rest.strip_prefix('"').and_then(&mut quoted) {
                        used.insert(key);
                    }
                }
            }
            for (at, _) in source.match_indices("=> \"") {
                let Some(key) = quoted(&source[at + 4..]) else {
                    continue;
                };
                let like_a_key = key.contains('-')
                    && key.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                    });
                if like_a_key {
                    used.insert(key);
                }
            }
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = "hello = Hello, { $name }.\ncount = { $n ->\n    [one] one record\n   *[other] { $n } records\n}\n";
    const KO: &str = "hello = { $name }님, 안녕하세요.\ncount = 레코드 { $n }건\n";

    #[test]
    fn a_message_reads_in_each_languages_own_order() {
        let c = Catalog::new(EN, KO).unwrap();
        let (en, ko) = (c.messages(Language::En), c.messages(Language::Ko));
        assert_eq!(en.with("hello", &[("name", "Kim".into())]), "Hello, Kim.");
        assert_eq!(
            ko.with("hello", &[("name", "Kim".into())]),
            "Kim님, 안녕하세요."
        );
        assert_eq!(en.with("count", &[("n", 1u64.into())]), "one record");
        assert_eq!(en.with("count", &[("n", 3u64.into())]), "3 records");
        assert_eq!(ko.with("count", &[("n", 3u64.into())]), "레코드 3건");
    }

    #[test]
    fn a_missing_message_or_value_is_marked_not_hidden() {
        let c = Catalog::new(EN, KO).unwrap();
        let en = c.messages(Language::En);
        assert!(en.text("nowhere").starts_with(MISSING));
        assert!(en.text("hello").starts_with(MISSING), "no $name given");
    }

    #[test]
    fn languages_parse_from_their_codes() {
        assert_eq!("ko".parse::<Language>(), Ok(Language::Ko));
        assert_eq!(" EN ".parse::<Language>(), Ok(Language::En));
        assert!("fr".parse::<Language>().is_err());
        assert_eq!(keys(EN).unwrap(), ["hello", "count"]);
        assert_eq!(
            phrases(KO).unwrap()[0],
            ("hello".to_string(), vec!["님, 안녕하세요.".to_string()])
        );
        // Each variant of a choice is looked for too.
        assert_eq!(
            phrases(EN).unwrap()[1],
            (
                "count".to_string(),
                vec!["one record".to_string(), "records".to_string()]
            )
        );
        assert!(Catalog::new("a = 1\na = 2\n", KO).is_err());
        assert!(Catalog::new("= broken", KO).is_err());
    }
}
