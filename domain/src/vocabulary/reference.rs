//! The event reference (`docs/events.md`), written from the declarations:
//! every type, every field with its value rule, and one example body each.
//!
//! The examples are real: the first event of each type in a history the
//! caller passes (the project's example history), written canonically.

use super::declaration::{FieldSpec, ObjectSpec};
use crate::event::{COMMON_FIELDS, Event, EventType};

/// The reference as Markdown, or the types `examples` has no event of.
pub fn markdown(examples: &[Event]) -> Result<String, Vec<EventType>> {
    let example = |t: EventType| examples.iter().find(|e| e.event_type() == t);
    let missing: Vec<EventType> = EventType::ALL
        .iter()
        .copied()
        .filter(|t| example(*t).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut out = String::new();
    out.push_str(
        "# Event reference\n\n\
         <!-- Generated from the declarations in domain/src/ by \
         gpu_ledger_domain::vocabulary::reference; `cargo test --test docs` fails when this \
         file is stale, and `UPDATE_DOCS=1 cargo test --test docs` rewrites it. -->\n\n\
         What this ledger accepts, type by type, as its code declares it. The contract is \
         `../shared/spec/events.md`; the rules each event must pass against the programme \
         so far are in the module each type names. Every body is a JSON object with exactly \
         the fields of its type: unknown fields, `null` and repeated keys are refused, \
         integers are plain unsigned integer tokens (`16`, never `16.0` or `-0`), and an \
         optional field is either present with a value or absent.\n\n",
    );
    out.push_str("## Common fields (every event)\n\n");
    table(&mut out, COMMON_FIELDS);
    out.push_str("\n## Types\n\n");
    for t in EventType::ALL {
        out.push_str(&format!("- [`{t}`](#{})\n", t.as_str().to_lowercase()));
    }
    let mut nested: Vec<&'static ObjectSpec> = Vec::new();
    for t in EventType::ALL {
        let spec = t.spec();
        out.push_str(&format!("\n## {t}\n\n"));
        paragraph(&mut out, spec.doc);
        out.push_str(&format!(
            "Rules checked before it is appended: `{}`.\n\n",
            source_file(spec.module)
        ));
        table(&mut out, spec.fields);
        out.push_str("\nExample:\n\n```json\n");
        let e = example(*t).expect("checked above");
        out.push_str(&String::from_utf8(e.canonical_json()).expect("canonical JSON is UTF-8"));
        out.push_str("\n```\n");
        for f in spec.fields {
            if let Some(inner) = f.rule.nested()
                && !nested.iter().any(|n| n.name == inner.name)
            {
                nested.push(inner);
            }
        }
    }
    for spec in nested {
        out.push_str(&format!("\n## {} ({})\n\n", spec.name, spec.noun));
        paragraph(&mut out, spec.doc);
        table(&mut out, spec.fields);
    }
    Ok(out)
}

fn table(out: &mut String, fields: &[FieldSpec]) {
    out.push_str("| field | required | value rule | meaning |\n| --- | --- | --- | --- |\n");
    for f in fields {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            f.name,
            if f.required { "yes" } else { "no" },
            f.rule.describe(),
            one_line(f.doc),
        ));
    }
}

fn paragraph(out: &mut String, doc: &str) {
    let text = one_line(doc);
    if !text.is_empty() {
        out.push_str(&text);
        out.push_str("\n\n");
    }
}

/// A doc comment's lines as one line of text.
pub(crate) fn one_line(doc: &str) -> String {
    doc.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `gpu_ledger_domain::award` as the file a newcomer opens.
fn source_file(module: &str) -> String {
    let path = module.split("::").skip(1).collect::<Vec<_>>().join("/");
    format!("domain/src/{path}.rs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_without_some_type_names_what_it_lacks() {
        let missing = markdown(&[]).unwrap_err();
        assert_eq!(missing, EventType::ALL);
    }

    #[test]
    fn module_paths_become_source_files() {
        assert_eq!(
            source_file("gpu_ledger_domain::award"),
            "domain/src/award.rs"
        );
    }
}
