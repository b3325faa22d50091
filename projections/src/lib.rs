//! Read models of the programme, each a pure fold over events.
//!
//! [`Projections`] applies one event at a time to a shared [`Catalog`] of
//! facts (names, sectors, which award belongs to which track...) and to each
//! view's own counters, so a server keeps every view live in memory and a
//! replay rebuilds them from the ledger. Memory grows with pools,
//! organizations, applications, awards, notices, appeals, reviewers and
//! outputs, never with the number of events.
//!
//! The views (one module each): [`holdings`], [`pools`], [`calls`],
//! [`ranking`], [`utilization`], [`concentration`], and since vocabulary v2
//! [`due`], [`outputs`] and [`reviews`]. Each renders as JSON (for programs),
//! a text table (for people) or CSV (for spreadsheets), see [`table`].

pub mod calls;
pub mod catalog;
pub mod concentration;
pub mod days;
pub mod due;
pub mod figures;
pub mod holdings;
pub mod outputs;
pub mod pools;
pub mod ranking;
pub mod reviews;
pub mod table;
pub mod terminal;
pub mod utilization;

pub use catalog::Catalog;
use gpu_ledger_domain::{Event, Instant, Timestamp};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use table::Table;

/// Every view, kept up to date event by event.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Projections {
    pub catalog: Catalog,
    pub holdings: holdings::Holdings,
    pub pools: pools::Pools,
    pub calls: calls::Calls,
    pub utilization: utilization::Utilization,
    pub concentration: concentration::Concentration,
    pub outputs: outputs::Outputs,
    pub reviews: reviews::Reviews,
    /// Seq of the last event applied (0 before any).
    pub seq: u64,
    /// Business time of the last event applied: the views' "now" (`due`,
    /// `outputs`) unless one is given.
    pub last_occurred_at: Option<Timestamp>,
    /// The latest business time of any event applied (business time may go
    /// backwards): whether a business-time point covers these views.
    pub occurred_by: Option<Instant>,
}

impl Projections {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies the event recorded at `seq`. Events must already have been
    /// accepted by the domain's rules; views trust them.
    pub fn apply(&mut self, seq: u64, event: &Event) {
        // Views see the catalog as it was before the event, then the catalog learns it.
        let cat = &self.catalog;
        self.holdings.apply(cat, event);
        self.pools.apply(cat, event);
        self.calls.apply(cat, event);
        self.utilization.apply(cat, event);
        self.concentration.apply(cat, event);
        self.outputs.apply(cat, event);
        self.reviews.apply(event);
        self.catalog.apply(event);
        self.seq = seq;
        self.last_occurred_at = Some(event.occurred_at.clone());
        let at = event.occurred_at.instant();
        self.occurred_by = Some(self.occurred_by.map_or(at, |o| o.max(at)));
    }

    /// The instant `due` is judged at: the one given, else the last event's.
    pub fn now(&self, params: &ViewParams) -> Option<Timestamp> {
        params.now.clone().or_else(|| self.last_occurred_at.clone())
    }

    /// The named view as a JSON value.
    pub fn json(&self, view: ViewName, params: &ViewParams) -> serde_json::Value {
        let cat = &self.catalog;
        let body = match view {
            ViewName::Holdings => to_value(self.holdings.view(cat)),
            ViewName::Pools => to_value(self.pools.view(cat)),
            ViewName::Calls => to_value(self.calls.view(cat)),
            ViewName::Ranking => to_value(ranking::select(cat, &params.ranking)),
            ViewName::Utilization => to_value(self.utilization.view(cat, params.utilization)),
            ViewName::Concentration => to_value(self.concentration.view(cat)),
            ViewName::Due => to_value(due::view(cat, self.now(params).as_ref())),
            ViewName::Outputs => to_value(self.outputs.view(cat, self.last_occurred_at.as_ref())),
            ViewName::Reviews => to_value(self.reviews.view(cat)),
        };
        let mut v = serde_json::json!({"view": view.as_str(), "as_of_seq": self.seq});
        if let (serde_json::Value::Object(out), serde_json::Value::Object(body)) = (&mut v, body) {
            out.extend(body);
        }
        v
    }

    /// The named view as tables: the first is the main one.
    pub fn tables(&self, view: ViewName, params: &ViewParams) -> Vec<Table> {
        let cat = &self.catalog;
        match view {
            ViewName::Holdings => self.holdings.view(cat).tables(),
            ViewName::Pools => self.pools.view(cat).tables(),
            ViewName::Calls => self.calls.view(cat).tables(),
            ViewName::Ranking => ranking::select(cat, &params.ranking).tables(),
            ViewName::Utilization => self.utilization.view(cat, params.utilization).tables(),
            ViewName::Concentration => self.concentration.view(cat).tables(),
            ViewName::Due => due::view(cat, self.now(params).as_ref()).tables(),
            ViewName::Outputs => self
                .outputs
                .view(cat, self.last_occurred_at.as_ref())
                .tables(),
            ViewName::Reviews => self.reviews.view(cat).tables(),
        }
    }

    /// The view rendered in `format`.
    pub fn render(&self, view: ViewName, params: &ViewParams, format: Format) -> String {
        match format {
            Format::Json => {
                let mut s = serde_json::to_string_pretty(&self.json(view, params))
                    .expect("views serialise");
                s.push('\n');
                s
            }
            Format::Table => {
                let mut out = format!("{} as of seq {}\n\n", view.title(), self.seq);
                for t in self.tables(view, params) {
                    out.push_str(&t.to_text());
                    out.push('\n');
                }
                out
            }
            Format::Csv => {
                let tables = self.tables(view, params);
                let pick = params
                    .section
                    .as_deref()
                    .and_then(|s| tables.iter().find(|t| t.name == s))
                    .unwrap_or(&tables[0]);
                pick.to_csv()
            }
        }
    }
}

fn to_value(v: impl Serialize) -> serde_json::Value {
    serde_json::to_value(v).expect("views serialise")
}

/// The views there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewName {
    Holdings,
    Pools,
    Calls,
    Ranking,
    Utilization,
    Concentration,
    Due,
    Outputs,
    Reviews,
}

impl ViewName {
    /// The views vocabulary v1 had: over a v1 history their JSON is what it
    /// was before v2, byte for byte (`tests/v1_views.rs`).
    pub const V1: [ViewName; 6] = [
        ViewName::Holdings,
        ViewName::Pools,
        ViewName::Calls,
        ViewName::Ranking,
        ViewName::Utilization,
        ViewName::Concentration,
    ];

    /// The views vocabulary v2 added.
    pub const V2: [ViewName; 3] = [ViewName::Due, ViewName::Outputs, ViewName::Reviews];

    pub const ALL: [ViewName; 9] = {
        let [a, b, c, d, e, f] = Self::V1;
        let [g, h, i] = Self::V2;
        [a, b, c, d, e, f, g, h, i]
    };

    pub fn as_str(self) -> &'static str {
        match self {
            ViewName::Holdings => "holdings",
            ViewName::Pools => "pools",
            ViewName::Calls => "calls",
            ViewName::Ranking => "ranking",
            ViewName::Utilization => "utilization",
            ViewName::Concentration => "concentration",
            ViewName::Due => "due",
            ViewName::Outputs => "outputs",
            ViewName::Reviews => "reviews",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ViewName::Holdings => "Holdings: who holds how many GPUs",
            ViewName::Pools => "Pools: where every GPU of each pool is",
            ViewName::Calls => "Calls: selection statistics",
            ViewName::Ranking => "Ranking: applications in reviewers' order",
            ViewName::Utilization => "Utilization of active awards",
            ViewName::Concentration => "Concentration of held GPUs",
            ViewName::Due => "Due: what the office must act on",
            ViewName::Outputs => "Outputs: what the GPUs produced",
            ViewName::Reviews => "Reviews: scores and conflicts per reviewer",
        }
    }
}

impl fmt::Display for ViewName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ViewName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        ViewName::ALL
            .into_iter()
            .find(|v| v.as_str() == s || (s == "utilization" && *v == ViewName::Utilization))
            .ok_or_else(|| {
                let names: Vec<_> = ViewName::ALL.iter().map(|v| v.as_str()).collect();
                format!("there is no view {s:?} (views: {})", names.join(", "))
            })
    }
}

/// How a view is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            other => Err(format!(
                "there is no format {other:?} (formats: table, json, csv)"
            )),
        }
    }
}

/// Settings of views that have them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewParams {
    pub utilization: utilization::Thresholds,
    /// `due`: the instant to judge deadlines at (default: the last event's
    /// `occurred_at`).
    pub now: Option<Timestamp>,
    /// For CSV: which of the view's tables (default: its main one).
    pub section: Option<String>,
    /// `ranking`: which tracks, and a page of each.
    pub ranking: ranking::Selection,
}
