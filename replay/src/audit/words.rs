//! The audit's words in Korean and English: the report's headings, columns
//! and sentences, what each kind of exception means and the sentence that
//! sums one up, from `replay/locales/{en,ko}/audit.ftl`, compiled in.
//!
//! English is the default and reads exactly as the reports always have
//! (their snapshots and hashes hold); JSON carries no words and is the same
//! in every language.

use crate::language::{Catalog, Language, Messages};
use std::sync::LazyLock;

pub const EN: &str = include_str!("../../locales/en/audit.ftl");
pub const KO: &str = include_str!("../../locales/ko/audit.ftl");

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::new(EN, KO).expect("the audit's catalogs parse (tested)"));

/// The audit's words in `lang`.
pub fn words(lang: Language) -> Messages<'static> {
    CATALOG.messages(lang)
}

/// A word of the ledger's vocabulary (a status, a reason, a sector) in
/// `w`'s language: the catalog's `word-<word>`, or the word itself when the
/// catalog has none.
pub fn word(w: &Messages<'_>, word: &str) -> String {
    let said = w.text(&format!("word-{word}"));
    if said.starts_with(crate::language::MISSING) {
        word.to_string()
    } else {
        said
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::exceptions::Kind;
    use crate::language::{MISSING, catalog_faults, keys_in_code};
    use std::collections::BTreeSet;

    /// Every key the replay's code names: the first argument of each
    /// `.text(`/`.with(` call and each line's `said(`, and the keys its
    /// matches choose.
    fn used_keys() -> BTreeSet<String> {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
        keys_in_code(dir, &[".text(", ".with(", "said("])
    }

    #[test]
    fn both_catalogs_have_the_same_keys_and_every_key_the_code_uses() {
        let faults = catalog_faults(EN, KO, &used_keys(), false);
        assert!(faults.is_empty(), "{faults:#?}");
        // Keys the code builds from a word of the ledger are there for
        // every word: each kind, and the words the sentences quote.
        for kind in Kind::ALL {
            for lang in Language::ALL {
                let w = words(lang);
                assert!(
                    !w.text(&format!("explain-{}", kind.as_str()))
                        .contains(MISSING)
                );
            }
        }
    }
}
