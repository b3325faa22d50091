//! Views as tables: printed for people, or written as CSV for spreadsheets.
//! A view is one or more named tables; the first is its main one.

use crate::figures::{hundredths, percent};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement};

/// One value in a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Int(u64),
    /// Basis points: `3080` shows as `30.80%`, and stays `3080` in CSV.
    Bp(u64),
    /// Hundredths: `8533` shows as `85.33` everywhere.
    Hundredths(u64),
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => grouped(*n),
            Cell::Bp(n) => percent(*n),
            Cell::Hundredths(n) => hundredths(*n),
            Cell::Empty => String::new(),
        }
    }

    fn csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) | Cell::Bp(n) => n.to_string(),
            Cell::Hundredths(n) => hundredths(*n),
            Cell::Empty => String::new(),
        }
    }

    fn is_number(&self) -> bool {
        !matches!(self, Cell::Text(_) | Cell::Empty)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<u64> for Cell {
    fn from(n: u64) -> Self {
        Cell::Int(n)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Cell::Int(n.into())
    }
}

/// A flag as CSV and text show it.
pub fn yes_no(flag: bool) -> Cell {
    if flag { "yes" } else { "no" }.into()
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A column of a [`Table::of`] items of type `T`.
pub type Column<T> = (&'static str, fn(&T) -> Cell);

/// A named table of a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Short name, e.g. `by_sector`, for `--section` in CSV.
    pub name: &'static str,
    pub title: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(name: &'static str, title: impl Into<String>, columns: Vec<&'static str>) -> Self {
        Self {
            name,
            title: title.into(),
            columns,
            rows: Vec::new(),
        }
    }

    /// A table of one row per item, each column declared once: its name
    /// beside how an item gives its cell.
    pub fn of<'a, T: 'a>(
        name: &'static str,
        title: impl Into<String>,
        items: impl IntoIterator<Item = &'a T>,
        columns: &[Column<T>],
    ) -> Self {
        let mut table = Self::new(name, title, columns.iter().map(|c| c.0).collect());
        for item in items {
            table.row(columns.iter().map(|c| (c.1)(item)).collect());
        }
        table
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "table {}", self.name);
        self.rows.push(cells);
    }

    /// A text table for a terminal (no wrapping: the same bytes everywhere).
    pub fn to_text(&self) -> String {
        let mut t = comfy_table::Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(self.columns.clone());
        for row in &self.rows {
            t.add_row(row.iter().map(|c| {
                let cell = comfy_table::Cell::new(c.text());
                if c.is_number() {
                    cell.set_alignment(CellAlignment::Right)
                } else {
                    cell
                }
            }));
        }
        if self.rows.is_empty() {
            return format!("{}\n(none)\n", self.title);
        }
        format!("{}\n{t}\n", self.title)
    }

    /// RFC 4180 CSV with a header row.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.columns).expect("writing to memory");
        for row in &self.rows {
            w.write_record(row.iter().map(Cell::csv))
                .expect("writing to memory");
        }
        String::from_utf8(w.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 text")
    }
}

pub use crate::figures::{bp, grouped};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_keeps_raw_numbers_and_quotes_text() {
        let mut t = Table::new("t", "T", vec!["name", "gpus", "ratio"]);
        t.row(vec![
            "Seoul, \"AI\"".into(),
            13712u64.into(),
            Cell::Bp(3080),
        ]);
        assert_eq!(
            t.to_csv(),
            "name,gpus,ratio\n\"Seoul, \"\"AI\"\"\",13712,3080\n"
        );
        assert!(t.to_text().contains("13,712") && t.to_text().contains("30.80%"));
    }
}
