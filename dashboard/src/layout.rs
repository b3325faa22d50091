//! The frame every page shares: navigation, the control that moves through
//! history, inline CSS, and the helpers that show a view's figures so that
//! each can be traced back to the view's JSON.

use super::language::Reading;
use super::point::At;
use gpu_ledger_ledger::Head;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The pages, in the navigation's order: (path, the key of its label).
pub const PAGES: &[(&str, &str)] = &[
    ("/", "page-programme"),
    ("/due", "page-due"),
    ("/calls", "page-calls"),
    ("/holdings", "page-holdings"),
    ("/utilization", "page-utilization"),
    ("/concentration", "page-concentration"),
    ("/events", "page-events"),
];

/// What the frame needs to know about the page it holds.
pub struct Frame<'a> {
    pub title: &'a str,
    /// The page's path, for the navigation and the history form.
    pub path: &'a str,
    pub at: &'a At,
    /// Seq of the last record the page shows.
    pub seq: u64,
    pub head: &'a Head,
    /// Parameters of the page (e.g. a search) to keep when moving in history.
    pub keep: Vec<(&'a str, String)>,
    /// The page's language, and its switch to the other.
    pub reading: &'a Reading,
}

const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans KR",sans-serif;color:#1d2430;background:#f6f7f9}
header{background:#17324d;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline}
header h1{font-size:1.05rem;margin:0;font-weight:600}
nav a{color:#cfe0f2;margin-right:.9rem;text-decoration:none}
nav a[aria-current=page]{color:#fff;font-weight:600;border-bottom:2px solid #f5b700}
main{padding:1rem 1.2rem;max-width:1200px}
h2{font-size:1.3rem;margin:.2rem 0 .8rem}
h3{font-size:1.05rem;margin:1.4rem 0 .5rem}
section.card{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:.8rem 1rem;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.3rem 0}
th,td{padding:.25rem .5rem;border-bottom:1px solid #e6e9ee;text-align:left;vertical-align:top}
th{background:#f0f3f6;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;border-top:2px solid #c9d0d8}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
.figures{display:flex;flex-wrap:wrap;gap:.8rem;margin:.2rem 0 1rem}
.figure{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:.5rem .8rem;min-width:9rem}
.figure b{display:block;font-size:1.35rem}
.figure small{color:#5a6573}
.when{background:#fff7db;border:1px solid #ecd58a;border-radius:6px;padding:.5rem .8rem;margin:0 0 1rem}
.when.now{background:#e9f5ec;border-color:#a8d5b3}
.when form{display:inline-flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.3rem 1rem .1rem 0}
.when input[type=range]{width:18rem}
.csv{font-size:.85rem;float:right}
.note{color:#5a6573;font-size:.88rem}
.warn{color:#8a3b00}
svg{max-width:100%;height:auto;display:block;margin:.3rem 0}
svg text{font:12px system-ui,sans-serif;fill:#1d2430}
svg .axis{stroke:#9aa4b0;stroke-width:1}
svg .grid{stroke:#e6e9ee;stroke-width:1}
svg text.tick{font-size:11px;fill:#4a5563}
svg text.axis-title{font-size:12px;font-weight:600;fill:#4a5563}
.held{fill:#2f6db5}.awaiting{fill:#f5b700}.free{fill:#cfd8e3}
.requested{fill:#9cb8d9}.awarded{fill:#2f6db5}.bar{fill:#2f6db5}.bar2{fill:#d9822b}
.swatch{display:inline-block;width:.8em;height:.8em;margin:0 .25em 0 .8em;vertical-align:-.05em}
.swatch.held{background:#2f6db5}.swatch.awaiting{background:#f5b700}.swatch.free{background:#cfd8e3}
.swatch.requested{background:#9cb8d9}.swatch.awarded{background:#2f6db5}
.line{fill:none;stroke-width:2}
.s0{stroke:#17324d}.s1{stroke:#2f6db5}.s2{stroke:#d9822b}.s3{stroke:#3b9a5b}.s4{stroke:#a23b72}.s5{stroke:#7a6fb0}.s6{stroke:#8c6d1f}.s7{stroke:#5aa5b8}
.k0{background:#17324d}.k1{background:#2f6db5}.k2{background:#d9822b}.k3{background:#3b9a5b}.k4{background:#a23b72}.k5{background:#7a6fb0}.k6{background:#8c6d1f}.k7{background:#5aa5b8}
ol.events{list-style:none;padding:0;margin:0}
ol.events li{padding:.3rem .2rem;border-bottom:1px solid #e6e9ee}
ol.events li.new{background:#e9f5ec}
.type{font-weight:600}
header .lang{margin-left:auto;font-size:.9rem}header .lang a{color:#cfe0f2}
form.search input[type=search]{width:18rem;padding:.25rem}
"#;

/// Moves the slider's number as it is dragged, and goes there on release.
/// The form works the same without it.
pub(crate) const SLIDER_SCRIPT: &str = r#"
for (const f of document.querySelectorAll('form.history')) {
  const r = f.querySelector('input[type=range]'), o = f.querySelector('output');
  r.addEventListener('input', () => { o.value = r.value; });
  r.addEventListener('change', () => f.submit());
}
"#;

/// A whole page: the frame around `body`.
pub fn page(frame: &Frame<'_>, body: Markup) -> Markup {
    let title = format!("{} · gpu-ledger", frame.title);
    let r = frame.reading;
    html! {
        (DOCTYPE)
        html lang=(r.language().code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (r.t("site-title")) }
                    nav {
                        @for (path, label) in PAGES {
                            @let current = *path == frame.path;
                            a href=(format!("{path}{}", frame.at.query(&[]))) aria-current=[current.then_some("page")] { (r.t(label)) }
                        }
                    }
                    (r.switch())
                }
                main {
                    h2 { (frame.title) }
                    (history_control(frame))
                    (body)
                }
                script { (PreEscaped(SLIDER_SCRIPT)) }
            }
        }
    }
}

/// Where in history the page is, and the forms to move: a slider (and a
/// number) over seqs, and a business time for `as_of`.
fn history_control(frame: &Frame<'_>) -> Markup {
    let now = frame.seq >= frame.head.seq;
    let r = frame.reading;
    let mut hidden: Vec<(&str, String)> = frame
        .keep
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .cloned()
        .collect();
    // A form drops the page's query: the language goes along as a field.
    if let Some(lang) = frame.at.language() {
        hidden.push(("lang", lang.code().to_string()));
    }
    let seq = html! { strong { "#" (frame.seq) } };
    html! {
        div.when.now[now] id="when" data-seq=(frame.seq) data-head=(frame.head.seq) {
            @if now {
                (r.h("history-now", &[("seq", seq)]))
            } @else {
                (r.h("history-then", &[("seq", seq), ("head", html! { (frame.head.seq) })])) " "
                a href=(format!("{}{}", frame.path, frame.at.now().query(&keep_pairs(&frame.keep)))) { (r.t("history-back-to-now")) }
            }
            br;
            form.history method="get" action=(frame.path) {
                label for="until_seq_range" { (r.t("history-move")) " " }
                input type="range" id="until_seq_range" name="until_seq" min="0" max=(frame.head.seq) value=(frame.seq);
                output for="until_seq_range" { (frame.seq) }
                @for (k, v) in &hidden { input type="hidden" name=(k) value=(v); }
                button type="submit" { (r.t("history-show")) }
            }
            form method="get" action=(frame.path) {
                label for="until_seq" { (r.t("history-after-record")) }
                input type="number" id="until_seq" name="until_seq" min="0" max=(frame.head.seq) value=(frame.seq) style="width:7rem";
                @for (k, v) in &hidden { input type="hidden" name=(k) value=(v); }
                button type="submit" { (r.t("go")) }
            }
            form method="get" action=(frame.path) {
                label for="as_of" { (r.t("history-as-of")) }
                input type="text" id="as_of" name="as_of" value=[frame.at.as_of_text()] placeholder="2026-03-31T00:00:00+09:00" style="width:15rem";
                @for (k, v) in &hidden { input type="hidden" name=(k) value=(v); }
                button type="submit" { (r.t("go")) }
            }
        }
    }
}

fn keep_pairs<'a>(keep: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    keep.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A short page that only says something (a refusal, a missing record).
pub fn message_page(title: &str, message: &str, r: &Reading) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(r.language().code()) {
            head { meta charset="utf-8"; title { (title) " · gpu-ledger" } style { (PreEscaped(CSS)) } }
            body {
                header { h1 { "gpu-ledger" } nav { a href="/" { (r.t("page-programme")) } } }
                main { h2 { (title) } p { (message) } }
            }
        }
    }
}

/// Figures written as the reports and views write them.
pub use gpu_ledger_projections::figures::{grouped, percent};

/// How a figure is shown.
#[derive(Clone, Copy)]
pub enum Unit {
    Count,
    Bp,
}

/// A figure of `view` at JSON pointer `ptr`, shown in `unit`, marked so it
/// can be checked against the view.
pub fn fig(view: &str, ptr: &str, value: u64, unit: Unit) -> Markup {
    let text = match unit {
        Unit::Count => grouped(value),
        Unit::Bp => percent(value),
    };
    html! { span data-json=(format!("{view}:{ptr}")) data-value=(value) { (text) } }
}

/// A numeric table cell holding a view's figure.
pub fn num(view: &str, ptr: &str, value: u64, unit: Unit) -> Markup {
    html! { td.n { (fig(view, ptr, value, unit)) } }
}

/// A big figure with its caption.
pub fn figure(caption: &str, value: Markup) -> Markup {
    html! { div.figure { b { (value) } small { (caption) } } }
}

/// A row of big figures of `view`: each its caption, JSON pointer, value
/// and unit.
pub fn figures(view: &str, list: &[(&str, &str, u64, Unit)]) -> Markup {
    html! {
        div.figures {
            @for (caption, ptr, value, unit) in list {
                (figure(caption, fig(view, ptr, *value, *unit)))
            }
        }
    }
}

/// The link to a table's CSV at the page's point.
pub fn csv_link(at: &At, table: &str, section: Option<&str>) -> Markup {
    csv_link_with(at, table, &[("section", section.unwrap_or(""))])
}

/// [`csv_link`] with the view's own settings (`section`, `now`...); empty
/// ones are left out.
pub fn csv_link_with(at: &At, table: &str, settings: &[(&str, &str)]) -> Markup {
    let href = format!("/csv/{table}{}", at.query(settings));
    html! { a.csv href=(href) download { "CSV" } }
}

/// The first 12 hex characters of a hash, with the whole in a tooltip.
pub fn short_hash(hex: &str) -> Markup {
    html! { code title=(hex) { (hex.get(..12).unwrap_or(hex)) "…" } }
}
