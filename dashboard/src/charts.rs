//! Charts as inline SVG: stacked bars, bars, paired bars, columns and lines.
//!
//! Written by hand rather than with a plotting crate: the charts are simple
//! shapes, labels are placed on a fixed grid so nothing needs a font to be
//! measured, and the output is the same bytes for the same figures (pages
//! are snapshot-tested). Colours come from the page's CSS classes. Every
//! chart has a `<title>` and each shape a tooltip with its exact figure; the
//! tables beside the charts carry the same figures for those who cannot see
//! them. Shapes are always written with a closing tag: in an HTML page a
//! `<line>` without one would swallow the elements after it.

use super::language::Reading;
use super::layout::grouped;
use maud::{Markup, html};

/// One part of a stacked bar.
pub struct Segment<'a> {
    pub label: &'a str,
    pub value: u64,
    /// CSS class giving its colour.
    pub class: &'a str,
}

const WIDTH: u32 = 720;
/// Room for labels left of horizontal bars.
const LABEL_W: u32 = 230;
/// Room for the figure right of a bar.
const VALUE_W: u32 = 90;

/// An SVG chart the page's width and `height` tall, its title read out by
/// screen readers and shown as a tooltip.
fn chart(title: &str, height: u32, marks: Markup) -> Markup {
    html! {
        svg viewBox=(format!("0 0 {WIDTH} {height}")) width=(WIDTH) height=(height) role="img" aria-label=(title) {
            title { (title) }
            (marks)
        }
    }
}

fn scale(value: u64, max: u64, span: u32) -> f64 {
    if max == 0 {
        0.0
    } else {
        value as f64 * f64::from(span) / max as f64
    }
}

/// Cuts a label to `n` characters so that it stays in its column.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

/// One bar split into segments that add up to `total` (e.g. a pool's held,
/// awaiting and free GPUs).
pub fn stacked_bar(title: &str, segments: &[Segment<'_>], total: u64, r: &Reading) -> Markup {
    let span = WIDTH - 2;
    // Each segment starts where the ones before it end.
    let mut x = 1.0;
    let placed: Vec<(f64, f64, &Segment<'_>)> = segments
        .iter()
        .map(|s| {
            let w = scale(s.value, total, span);
            x += w;
            (x - w, w, s)
        })
        .collect();
    chart(
        title,
        30,
        html! {
            @for (x, w, s) in placed {
                rect class=(s.class) x=(format!("{x:.1}")) y="2" width=(format!("{w:.1}")) height="26" {
                    title { (s.label) ": " (r.f("chart-of", &[("value", grouped(s.value).into()), ("total", grouped(total).into())])) }
                }
            }
        },
    )
}

/// Horizontal bars, one per item, with `show` formatting the figure.
pub fn bars(title: &str, items: &[(String, u64)], show: fn(u64) -> String) -> Markup {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0);
    let row = 22;
    let height = items.len() as u32 * row + 4;
    let span = WIDTH - LABEL_W - VALUE_W;
    chart(
        title,
        height,
        html! {
            @for (i, (label, value)) in items.iter().enumerate() {
                @let y = i as u32 * row + 2;
                @let w = scale(*value, max, span);
                text x=(LABEL_W - 6) y=(y + 15) text-anchor="end" { (clip(label, 30)) }
                rect.bar x=(LABEL_W) y=(y + 2) width=(format!("{w:.1}")) height=(row - 6) {
                    title { (label) ": " (show(*value)) }
                }
                text x=(format!("{:.1}", f64::from(LABEL_W) + w + 5.0)) y=(y + 15) { (show(*value)) }
            }
        },
    )
}

/// Two bars per item (e.g. requested and awarded GPUs per sector), on one scale.
pub fn paired_bars(title: &str, items: &[(String, u64, u64)], names: [(&str, &str); 2]) -> Markup {
    let max = items.iter().map(|i| i.1.max(i.2)).max().unwrap_or(0);
    let row = 40;
    let height = items.len() as u32 * row + 4;
    let span = WIDTH - LABEL_W - VALUE_W;
    chart(
        title,
        height,
        html! {
            @for (i, (label, a, b)) in items.iter().enumerate() {
                @let y = i as u32 * row + 2;
                text x=(LABEL_W - 6) y=(y + 23) text-anchor="end" { (clip(label, 30)) }
                @for (k, (value, (name, class))) in [(*a, names[0]), (*b, names[1])].into_iter().enumerate() {
                    @let w = scale(value, max, span);
                    @let top = y + 2 + k as u32 * 17;
                    rect class=(class) x=(LABEL_W) y=(top) width=(format!("{w:.1}")) height="15" {
                        title { (label) ", " (name) ": " (grouped(value)) }
                    }
                    text x=(format!("{:.1}", f64::from(LABEL_W) + w + 5.0)) y=(top + 12) { (grouped(value)) }
                }
            }
        },
    )
}

/// Vertical columns, one per bucket (a distribution).
pub fn columns(title: &str, buckets: &[(String, u64)]) -> Markup {
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0);
    let (height, base, top) = (220u32, 190u32, 20u32);
    let n = buckets.len().max(1) as u32;
    let step = (WIDTH - 40) / n;
    chart(
        title,
        height,
        html! {
            line.axis x1="30" y1=(base) x2=(WIDTH - 10) y2=(base) {}
            @for (i, (label, value)) in buckets.iter().enumerate() {
                @let x = 30 + i as u32 * step;
                @let h = scale(*value, max, base - top);
                rect.bar x=(x + 4) y=(format!("{:.1}", f64::from(base) - h)) width=(step - 8) height=(format!("{h:.1}")) {
                    title { (label) ": " (grouped(*value)) }
                }
                text x=(x + step / 2) y=(format!("{:.1}", f64::from(base) - h - 4.0)) text-anchor="middle" { (grouped(*value)) }
                text x=(x + step / 2) y=(base + 16) text-anchor="middle" { (label) }
            }
        },
    )
}

/// A line of a [`lines`] chart: its name and points (x, y).
pub struct Series {
    pub name: String,
    pub points: Vec<(u64, u64)>,
}

/// Lines over a shared x axis (seqs), y from 0 to `y_max`, with `show`
/// formatting the y figures and `x_label` naming an x position.
pub fn lines(
    title: &str,
    series: &[Series],
    y_max: u64,
    show: fn(u64) -> String,
    x_label: &dyn Fn(u64) -> String,
    r: &Reading,
) -> Markup {
    let (height, left, right, top, base) = (260u32, 70u32, WIDTH - 20, 14u32, 220u32);
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (x_min, x_max) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(1));
    let x_of = |x: u64| {
        f64::from(left) + scale(x - x_min, x_max.saturating_sub(x_min).max(1), right - left)
    };
    let y_of = |y: u64| f64::from(base) - scale(y.min(y_max), y_max, base - top);
    let ticks: Vec<u64> = (0..=4).map(|i| y_max * i / 4).collect();
    html! {
        (chart(title, height, html! {
            @for t in &ticks {
                @let y = y_of(*t);
                line.grid x1=(left) y1=(format!("{y:.1}")) x2=(right) y2=(format!("{y:.1}")) {}
                text x=(left - 6) y=(format!("{:.1}", y + 4.0)) text-anchor="end" { (show(*t)) }
            }
            line.axis x1=(left) y1=(base) x2=(right) y2=(base) {}
            text x=(left) y=(base + 18) { (x_label(x_min)) }
            text x=(right) y=(base + 18) text-anchor="end" { (x_label(x_max)) }
            @for (i, s) in series.iter().enumerate() {
                @let points: Vec<String> = s.points.iter().map(|(x, y)| format!("{:.1},{:.1}", x_of(*x), y_of(*y))).collect();
                polyline class=(format!("line s{}", i % 8)) points=(points.join(" ")) {
                    title { (s.name) }
                }
                @if let Some((x, y)) = s.points.last() {
                    circle class=(format!("line s{}", i % 8)) cx=(format!("{:.1}", x_of(*x))) cy=(format!("{:.1}", y_of(*y))) r="3" {
                        title { (r.f("chart-at", &[("name", s.name.as_str().into()), ("x", x_label(*x).into()), ("y", show(*y).into())])) }
                    }
                }
            }
        }))
        p.note {
            @for (i, s) in series.iter().enumerate() {
                span class=(format!("swatch k{}", i % 8)) {} (s.name)
            }
        }
    }
}
