//! Reports as Markdown, JSON or self-contained HTML.
//!
//! JSON is the report's own structure (serde). Markdown and HTML are written
//! from one small [`Document`] (headings, paragraphs, lists, tables) that
//! each report builds, so the two always say the same thing. Every text from
//! the ledger (names, titles, reasons, actors) is escaped for its format:
//! in Markdown by one function, in HTML by maud, the template crate the
//! dashboard writes its pages with. Ids, hashes and timestamps are set as
//! code. Nothing depends on the clock or on hash-map order: the same ledger
//! gives the same bytes, so an auditor can hash a report. HTML carries its
//! style inline and loads nothing.

use crate::language::Language;
use gpu_ledger_projections::figures;
use maud::{DOCTYPE, Markup, PreEscaped, Render, html};
use serde::Serialize;
use std::fmt::Write;
use std::str::FromStr;

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Md,
    Json,
    Html,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "md" | "markdown" => Ok(Format::Md),
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            other => Err(format!(
                "there is no format {other:?} (formats: md, json, html)"
            )),
        }
    }
}

/// A report that can be written as a document.
pub trait Documented: Serialize {
    fn document(&self) -> Document;
}

/// `report` in `format`, ending with a newline.
pub fn render<T: Documented>(report: &T, format: Format) -> String {
    write(report, format, || report.document())
}

/// `report` in `format`: its JSON, or the `document` it reads as.
pub fn write<T: Serialize>(
    report: &T,
    format: Format,
    document: impl FnOnce() -> Document,
) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("reports serialise");
            s.push('\n');
            s
        }
        Format::Md => document().to_markdown(),
        Format::Html => document().to_html(),
    }
}

/// A piece of running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Text from anywhere, escaped as needed.
    Text(String),
    /// An id, a hash, a timestamp: set in monospace.
    Code(String),
    Strong(String),
}

/// Shorthands for building spans.
pub fn text(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

pub fn code(s: impl Into<String>) -> Span {
    Span::Code(s.into())
}

pub fn strong(s: impl Into<String>) -> Span {
    Span::Strong(s.into())
}

/// A table cell: spans, aligned right when numeric.
pub type Cell = Vec<Span>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(u8, String),
    Paragraph(Vec<Span>),
    /// Items, each optionally with nested items.
    List(Vec<Item>),
    Table {
        columns: Vec<(String, bool)>,
        rows: Vec<Vec<Cell>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub spans: Vec<Span>,
    pub children: Vec<Vec<Span>>,
}

/// A report as people read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
    /// The language its words are in, for HTML's `lang`.
    pub lang: Language,
}

impl Document {
    pub fn new(title: impl Into<String>) -> Self {
        Document {
            title: title.into(),
            blocks: Vec::new(),
            lang: Language::En,
        }
    }

    pub fn heading(&mut self, level: u8, s: impl Into<String>) {
        self.blocks.push(Block::Heading(level, s.into()));
    }

    pub fn paragraph(&mut self, spans: Vec<Span>) {
        self.blocks.push(Block::Paragraph(spans));
    }

    pub fn list(&mut self, items: Vec<Item>) {
        if !items.is_empty() {
            self.blocks.push(Block::List(items));
        }
    }

    /// A table; columns are `(title, numeric)`.
    pub fn table(&mut self, columns: &[(&str, bool)], rows: Vec<Vec<Cell>>) {
        self.blocks.push(Block::Table {
            columns: columns.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
            rows,
        });
    }

    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", md_text(&self.title));
        for b in &self.blocks {
            out.push('\n');
            match b {
                Block::Heading(level, s) => {
                    let level = (*level).clamp(2, 6) as usize;
                    let _ = writeln!(out, "{} {}", "#".repeat(level), md_text(s));
                }
                Block::Paragraph(spans) => {
                    let _ = writeln!(out, "{}", md_spans(spans));
                }
                Block::List(items) => {
                    for item in items {
                        let _ = writeln!(out, "- {}", md_spans(&item.spans));
                        for child in &item.children {
                            let _ = writeln!(out, "  - {}", md_spans(child));
                        }
                    }
                }
                Block::Table { columns, rows } => {
                    let titles: Vec<String> = columns.iter().map(|(t, _)| md_cell(t)).collect();
                    let _ = writeln!(out, "| {} |", titles.join(" | "));
                    let rules: Vec<&str> = columns
                        .iter()
                        .map(|(_, numeric)| if *numeric { "---:" } else { "---" })
                        .collect();
                    let _ = writeln!(out, "| {} |", rules.join(" | "));
                    for row in rows {
                        let cells: Vec<String> = row.iter().map(|c| md_cell_spans(c)).collect();
                        let _ = writeln!(out, "| {} |", cells.join(" | "));
                    }
                }
            }
        }
        out
    }

    /// One page: every block on its own line, so that two reports compare
    /// line by line.
    pub fn to_html(&self) -> String {
        html! {
            (DOCTYPE) "\n"
            html lang=(self.lang.code()) {
                "\n"
                head {
                    "\n"
                    meta charset="utf-8";
                    "\n"
                    title { (Escaped(&self.title)) }
                    "\n"
                    style { (PreEscaped(STYLE)) }
                    "\n"
                }
                "\n"
                body {
                    "\n"
                    h1 { (Escaped(&self.title)) }
                    "\n"
                    @for block in &self.blocks {
                        (block) "\n"
                    }
                }
                "\n"
            }
            "\n"
        }
        .into_string()
    }
}

const STYLE: &str = "\n\
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans KR',sans-serif;margin:2em auto;max-width:80em;padding:0 1em;color:#1a1a1a;line-height:1.45}\n\
h1,h2,h3,h4{line-height:1.2}\n\
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}\n\
th,td{border:1px solid #c8c8c8;padding:0.25em 0.5em;text-align:left;vertical-align:top}\n\
th{background:#f0f0f0}\n\
.num{text-align:right;font-variant-numeric:tabular-nums}\n\
code{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace;font-size:0.9em;overflow-wrap:anywhere}\n";

/// Numeric columns are aligned right.
fn num_class(numeric: bool) -> Option<&'static str> {
    numeric.then_some("num")
}

/// Text from the ledger in HTML. maud escapes `&`, `<`, `>` and `"`; the
/// apostrophe is escaped too, as these reports always have, so that a text
/// is safe in any quoting.
struct Escaped<'a>(&'a str);

impl Render for Escaped<'_> {
    fn render_to(&self, out: &mut String) {
        for (i, part) in self.0.split('\'').enumerate() {
            if i > 0 {
                out.push_str("&#39;");
            }
            part.render_to(out);
        }
    }
}

impl Render for Span {
    fn render(&self) -> Markup {
        match self {
            Span::Text(t) => html! { (Escaped(t)) },
            Span::Code(t) => html! { code { (Escaped(t)) } },
            Span::Strong(t) => html! { strong { (Escaped(t)) } },
        }
    }
}

impl Render for Block {
    fn render(&self) -> Markup {
        match self {
            Block::Heading(level, s) => {
                let s = Escaped(s);
                match *level {
                    ..=2 => html! { h2 { (s) } },
                    3 => html! { h3 { (s) } },
                    4 => html! { h4 { (s) } },
                    5 => html! { h5 { (s) } },
                    _ => html! { h6 { (s) } },
                }
            }
            Block::Paragraph(spans) => html! { p { @for s in spans { (s) } } },
            Block::List(items) => html! {
                ul {
                    "\n"
                    @for item in items {
                        li {
                            @for s in &item.spans { (s) }
                            @if !item.children.is_empty() {
                                ul {
                                    @for child in &item.children {
                                        li { @for s in child { (s) } }
                                    }
                                }
                            }
                        }
                        "\n"
                    }
                }
            },
            Block::Table { columns, rows } => html! {
                table {
                    "\n"
                    thead {
                        tr {
                            @for (title, numeric) in columns {
                                th class=[num_class(*numeric)] { (Escaped(title)) }
                            }
                        }
                    }
                    "\n"
                    tbody {
                        "\n"
                        @for row in rows {
                            tr {
                                @for (cell, (_, numeric)) in row.iter().zip(columns) {
                                    td class=[num_class(*numeric)] { @for s in cell { (s) } }
                                }
                            }
                            "\n"
                        }
                    }
                    "\n"
                }
            },
        }
    }
}

/// Escapes what Markdown would read as markup; line breaks become spaces.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_cell(s: &str) -> String {
    md_text(s)
}

/// Spans in a table cell: a `|` inside a code span must be escaped too, or
/// it would end the cell.
fn md_cell_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Code(t) => md_code(t).replace('|', "\\|"),
            other => md_spans(std::slice::from_ref(other)),
        })
        .collect()
}

/// A code span that holds any text: the fence is longer than any run of
/// backticks inside.
fn md_code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 || s.starts_with(' ') || s.ends_with(' ') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

fn md_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) => md_text(t),
            Span::Code(t) => md_code(t),
            Span::Strong(t) => format!("**{}**", md_text(t)),
        })
        .collect()
}

/// `1234567` as `1,234,567`, as the views write it; signed, because a pool
/// that does not reconcile can show a negative figure.
pub fn grouped(n: impl Into<i128>) -> String {
    figures::grouped_signed(n.into())
}

pub use gpu_ledger_projections::figures::{count, percent};

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        let mut d = Document::new("Audit <report> & \"more\"");
        d.heading(2, "Section | one");
        d.paragraph(vec![
            text("Name *bold* <script>alert('x')</script>"),
            code("AW-1"),
        ]);
        d.table(
            &[("name", false), ("gpus", true)],
            vec![vec![vec![text("a|b")], vec![text("1,024")]]],
        );
        d.list(vec![Item {
            spans: vec![strong("x_y")],
            children: vec![vec![code("a`b")]],
        }]);
        d
    }

    #[test]
    fn html_escapes_every_text_and_loads_nothing() {
        let html = sample().to_html();
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("<title>Audit &lt;report&gt; &amp; &quot;more&quot;</title>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("http"));
        assert!(html.contains("<td class=\"num\">1,024</td>"));
    }

    #[test]
    fn markdown_escapes_markup_and_table_pipes() {
        let md = sample().to_markdown();
        assert!(md.starts_with("# Audit \\<report\\> \\& \"more\"\n"));
        assert!(md.contains("## Section \\| one\n"));
        assert!(md.contains("Name \\*bold\\* \\<script\\>"));
        assert!(md.contains("| a\\|b | 1,024 |"));
        assert!(md.contains("- **x\\_y**\n  - `` a`b ``\n"));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(1_234_567u64), "1,234,567");
        assert_eq!(grouped(-1000i64), "-1,000");
        assert_eq!(grouped(12u32), "12");
        assert_eq!(percent(4800), "48.00%");
    }
}
