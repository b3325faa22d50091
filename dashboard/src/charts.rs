//! Charts as inline SVG: stacked bars, bars, paired bars, columns and lines.
//!
//! Written by hand rather than with a plotting crate: the charts are simple
//! shapes, labels are placed on a fixed grid so nothing needs a font to be
//! measured, and the output is the same bytes for the same figures (pages
//! are snapshot-tested). Colours come from the page's CSS classes. Every
//! chart has a `<title>` and each shape a tooltip with its exact figure; the
//! tables beside the charts carry the same figures for those who cannot see
//! them. Every chart names what its axes measure (`text.axis-title`) and
//! labels five ticks on each scale (`text.tick`), so a figure can be read
//! off it. Shapes are always written with a closing tag: in an HTML page a
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
/// The longest horizontal bar.
const SPAN: u32 = WIDTH - LABEL_W - VALUE_W;

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

/// What a chart's axes measure, written on it.
pub struct Axes<'a> {
    pub x: &'a str,
    pub y: &'a str,
}

/// Ticks on a scale from 0 to `max`: 0, a quarter, a half, three quarters
/// and `max`.
fn ticks(max: u64) -> [u64; 5] {
    [0, 1, 2, 3, 4].map(|i| max * i / 4)
}

/// A horizontal scale under bars that start at `x0` and reach `span` at
/// `max`, at height `y`: a line, five labelled ticks and the axis title.
fn value_axis(
    x0: u32,
    span: u32,
    max: u64,
    show: fn(u64) -> String,
    y: u32,
    title: &str,
) -> Markup {
    html! {
        line.axis x1=(x0) y1=(y) x2=(x0 + span) y2=(y) {}
        @for t in ticks(max) {
            @let x = f64::from(x0) + scale(t, max, span);
            line.grid x1=(format!("{x:.1}")) y1=(y) x2=(format!("{x:.1}")) y2=(y + 4) {}
            text.tick x=(format!("{x:.1}")) y=(y + 15) text-anchor="middle" { (show(t)) }
        }
        text.axis-title x=(x0 + span / 2) y=(y + 30) text-anchor="middle" { (title) }
    }
}

/// Room under horizontal bars for their [`value_axis`].
const AXIS_H: u32 = 36;

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
/// awaiting and free GPUs), drawn to the scale of `scale_max` (the largest
/// such total on the page) so that bars side by side compare.
pub fn stacked_bar(
    title: &str,
    segments: &[Segment<'_>],
    total: u64,
    scale_max: u64,
    axis: &str,
    r: &Reading,
) -> Markup {
    let span = WIDTH - 2 - VALUE_W;
    let scale_max = scale_max.max(total);
    // Each segment starts where the ones before it end.
    let mut x = 1.0;
    let placed: Vec<(f64, f64, &Segment<'_>)> = segments
        .iter()
        .map(|s| {
            let w = scale(s.value, scale_max, span);
            x += w;
            (x - w, w, s)
        })
        .collect();
    chart(
        title,
        30 + AXIS_H,
        html! {
            @for (x, w, s) in placed {
                rect class=(s.class) x=(format!("{x:.1}")) y="2" width=(format!("{w:.1}")) height="26" {
                    title { (s.label) ": " (r.f("chart-of", &[("value", grouped(s.value).into()), ("total", grouped(total).into())])) }
                }
            }
            text x=(format!("{:.1}", x + 5.0)) y="20" { (grouped(total)) }
            (value_axis(1, span, scale_max, grouped, 30, axis))
        },
    )
}

/// Horizontal bars, one per item, with `show` formatting the figure.
pub fn bars(title: &str, items: &[(String, u64)], show: fn(u64) -> String, axis: &str) -> Markup {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0);
    let row = 22;
    rows(title, items.len(), row, (max, show, axis), |i, y| {
        let (label, value) = &items[i];
        let tip = format!("{label}: {}", show(*value));
        html! {
            text x=(LABEL_W - 6) y=(y + 15) text-anchor="end" { (clip(label, 30)) }
            (bar("bar", y + 2, row - 6, scale(*value, max, SPAN), &tip, &show(*value)))
        }
    })
}

/// Two bars per item (e.g. requested and awarded GPUs per sector), on one scale.
pub fn paired_bars(
    title: &str,
    items: &[(String, u64, u64)],
    names: [(&str, &str); 2],
    axis: &str,
) -> Markup {
    let max = items.iter().map(|i| i.1.max(i.2)).max().unwrap_or(0);
    rows(title, items.len(), 40, (max, grouped, axis), |i, y| {
        let (label, a, b) = &items[i];
        html! {
            text x=(LABEL_W - 6) y=(y + 23) text-anchor="end" { (clip(label, 30)) }
            @for (k, (value, (name, class))) in [(*a, names[0]), (*b, names[1])].into_iter().enumerate() {
                @let tip = format!("{label}, {name}: {}", grouped(value));
                (bar(class, y + 2 + k as u32 * 17, 15, scale(value, max, SPAN), &tip, &grouped(value)))
            }
        }
    })
}

/// A chart of `count` rows `row` pixels tall, `draw(i, y)` marking row `i`
/// from `y` down, over a value axis (its `max`, tick format and title).
fn rows(
    title: &str,
    count: usize,
    row: u32,
    (max, show, axis): (u64, fn(u64) -> String, &str),
    draw: impl Fn(usize, u32) -> Markup,
) -> Markup {
    let base = count as u32 * row + 4;
    let marks = html! {
        @for i in 0..count {
            (draw(i, i as u32 * row + 2))
        }
        (value_axis(LABEL_W, SPAN, max, show, base, axis))
    };
    chart(title, base + AXIS_H, marks)
}

/// A horizontal bar from the labels' edge, `w` wide and `height` tall at
/// `y`, with its figure after it and `tip` as its tooltip.
fn bar(class: &str, y: u32, height: u32, w: f64, tip: &str, figure: &str) -> Markup {
    html! {
        rect class=(class) x=(LABEL_W) y=(y) width=(format!("{w:.1}")) height=(height) {
            title { (tip) }
        }
        text x=(format!("{:.1}", f64::from(LABEL_W) + w + 5.0)) y=(y + height - 3) { (figure) }
    }
}

/// Vertical columns, one per bucket (a distribution).
pub fn columns(title: &str, buckets: &[(String, u64)], axes: Axes<'_>) -> Markup {
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0);
    let (height, base, top, left) = (250u32, 190u32, 30u32, 60u32);
    let n = buckets.len().max(1) as u32;
    let step = (WIDTH - left - 10) / n;
    chart(
        title,
        height,
        html! {
            text.axis-title x="4" y="14" { (axes.y) }
            @for t in ticks(max) {
                @let y = f64::from(base) - scale(t, max, base - top);
                line.grid x1=(left) y1=(format!("{y:.1}")) x2=(WIDTH - 10) y2=(format!("{y:.1}")) {}
                text.tick x=(left - 6) y=(format!("{:.1}", y + 4.0)) text-anchor="end" { (grouped(t)) }
            }
            line.axis x1=(left) y1=(base) x2=(WIDTH - 10) y2=(base) {}
            text.axis-title x=(left + (WIDTH - left - 10) / 2) y=(base + 40) text-anchor="middle" { (axes.x) }
            @for (i, (label, value)) in buckets.iter().enumerate() {
                @let x = left + i as u32 * step;
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
    axes: Axes<'_>,
    r: &Reading,
) -> Markup {
    let (height, left, right, top, base) = (280u32, 70u32, WIDTH - 20, 24u32, 220u32);
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (x_min, x_max) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(1));
    let x_of = |x: u64| {
        f64::from(left) + scale(x - x_min, x_max.saturating_sub(x_min).max(1), right - left)
    };
    let y_of = |y: u64| f64::from(base) - scale(y.min(y_max), y_max, base - top);
    let x_ticks: Vec<u64> = ticks(x_max.saturating_sub(x_min))
        .iter()
        .map(|t| x_min + t)
        .collect();
    html! {
        (chart(title, height, html! {
            text.axis-title x="4" y="14" { (axes.y) }
            @for t in ticks(y_max) {
                @let y = y_of(t);
                line.grid x1=(left) y1=(format!("{y:.1}")) x2=(right) y2=(format!("{y:.1}")) {}
                text.tick x=(left - 6) y=(format!("{:.1}", y + 4.0)) text-anchor="end" { (show(t)) }
            }
            line.axis x1=(left) y1=(base) x2=(right) y2=(base) {}
            @for (i, t) in x_ticks.iter().enumerate() {
                @let anchor = match i { 0 => "start", 4 => "end", _ => "middle" };
                text.tick x=(format!("{:.1}", x_of(*t))) y=(base + 18) text-anchor=(anchor) { (x_label(*t)) }
            }
            text.axis-title x=((left + right) / 2) y=(base + 44) text-anchor="middle" { (axes.x) }
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
