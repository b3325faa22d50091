//! `gpu-ledger audit report`: one pass over the checked history, four
//! sections.
//!
//! 1. integrity: how many events were checked, the head hash, whether the
//!    chain and the rules verify ([`super::integrity`]);
//! 2. per call and track: the statistics the ministry publishes (exactly the
//!    `calls` view) and the track's awards in rank order;
//! 3. exceptions, each with the events that prove it ([`super::exceptions`]);
//! 4. pools reconciled at every step and at the end ([`super::reconciliation`]).
//!
//! The pass keeps the views' catalog of entities, the `calls` view's
//! counters, the exception finder and the pool bookkeeping, all fed the same
//! event in the same order; nothing is kept per event.

use super::exceptions::{Exception, ExceptionFinder, Kind, Settings};
use super::integrity::{Integrity, replay_checked};
use super::rank::{RankShown, rank_of};
use super::reconciliation::{PoolsReconciled, Reconciliation};
use super::render::{Cell, Document, Documented, Item, Span, code, count, grouped, percent, text};
use super::{AuditError, EventRef};
use crate::source::Source;
use crate::views::Until;
use gpu_ledger_domain::Id;
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::calls::{Calls, Stats, TrackLine};
use gpu_ledger_projections::catalog::{AwardFacts, Origin};
use gpu_ledger_projections::ranking;
use gpu_ledger_projections::ranking::Score;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What the auditor asked for.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub until: Option<Until>,
    /// Narrow the calls section and the exceptions to this call.
    pub call: Option<Id>,
    pub settings: Settings,
}

/// A point in history given as a time: which clock, and the time (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AsOf {
    pub clock: &'static str,
    pub at: String,
}

impl AsOf {
    pub fn of(until: Until) -> Option<AsOf> {
        let at = match until {
            Until::OccurredAt(t) => gpu_ledger_domain::timestamp::utc_text(t),
            Until::RecordedAt(t) => t.to_string(),
            Until::Head | Until::Seq(_) => return None,
        };
        Some(AsOf {
            clock: until.clock()?,
            at,
        })
    }
}

/// The audit report. Its JSON is what `--format json` prints.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// The seq of the last event the report covers.
    pub as_of_seq: u64,
    /// For a report at a time: the clock it was read on and the time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<AsOf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<Id>,
    pub settings: Settings,
    pub integrity: Integrity,
    pub calls: Vec<CallAudit>,
    /// Every kind, in order, with how many were found (zeros included).
    pub exception_counts: Vec<KindCount>,
    pub exceptions: Vec<Exception>,
    pub pools: PoolsReconciled,
}

#[derive(Debug, Serialize)]
pub struct KindCount {
    pub kind: Kind,
    pub count: usize,
}

/// A call: its published statistics and, per track, the awards.
#[derive(Debug, Serialize)]
pub struct CallAudit {
    pub call_id: Id,
    pub title: String,
    pub status: &'static str,
    pub closes_at: String,
    pub totals: Stats,
    pub tracks: Vec<TrackAudit>,
    pub by_sector: BTreeMap<&'static str, Stats>,
}

#[derive(Debug, Serialize)]
pub struct TrackAudit {
    #[serde(flatten)]
    pub line: TrackLine,
    pub min_reviews: u32,
    pub regional_bonus: u32,
    pub max_org_share_bp: u32,
    /// Granted and redistributed awards, by their application's rank (best
    /// first; ties by application, then award id).
    pub awards: Vec<AwardInRank>,
}

#[derive(Debug, Serialize)]
pub struct AwardInRank {
    /// The application's place in the track's ranking (as the ranking view).
    pub rank: Option<u32>,
    #[serde(flatten)]
    pub score: Option<RankShown>,
    pub award_id: Id,
    pub application_id: Id,
    pub org_id: Id,
    pub org_name: String,
    /// `granted` or `redistributed`.
    pub origin: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall_id: Option<Id>,
    pub granted_gpus: u32,
    pub held_gpus: u32,
    /// `active`, `ended` or `recalled` (all of its GPUs).
    pub state: &'static str,
    pub starts_at: String,
    pub ends_at: String,
}

/// Replays `source` once and writes the report.
pub async fn audit_report(
    source: &mut Source,
    options: &ReportOptions,
    on_progress: impl FnMut(u64),
) -> Result<AuditReport, AuditError> {
    let until = options.until.unwrap_or(Until::Head);
    let mut catalog = Catalog::default();
    let mut calls = Calls::default();
    let mut finder = ExceptionFinder::new(options.settings);
    let mut pools = Reconciliation::default();
    let integrity = replay_checked(
        source,
        until,
        |step| {
            finder.apply(&catalog, step);
            pools.apply(&catalog, step);
            calls.apply(&catalog, step.event);
            catalog.apply(step.event);
        },
        on_progress,
    )
    .await?;
    if let Until::Seq(n) = until
        && integrity.ok()
        && n > integrity.events_checked
    {
        return Err(AuditError::PastHead {
            requested: n,
            last: integrity.events_checked,
        });
    }
    if let Some(call) = &options.call
        && !catalog.calls.contains_key(call)
    {
        return Err(AuditError::UnknownCall {
            call_id: call.clone(),
            known: catalog.calls.keys().cloned().collect(),
        });
    }
    let wanted = |id: &Id| options.call.as_ref().is_none_or(|c| c == id);
    let mut exceptions = finder.finish(&catalog);
    exceptions.retain(|x| wanted(x.call_id()));
    let exception_counts = Kind::ALL
        .iter()
        .map(|&kind| KindCount {
            kind,
            count: exceptions.iter().filter(|x| x.kind() == kind).count(),
        })
        .collect();
    let calls = call_sections(&catalog, &calls)
        .into_iter()
        .filter(|c| wanted(&c.call_id))
        .collect();
    Ok(AuditReport {
        as_of_seq: integrity.events_checked,
        as_of: AsOf::of(until),
        call: options.call.clone(),
        settings: options.settings,
        integrity,
        calls,
        exception_counts,
        exceptions,
        pools: pools.finish(&catalog),
    })
}

/// The calls view's figures, with each track's awards in rank order.
fn call_sections(cat: &Catalog, calls: &Calls) -> Vec<CallAudit> {
    // Application ids are unique across tracks.
    let ranking = ranking::view(cat);
    let ranks: HashMap<&Id, Option<u32>> = ranking
        .tracks
        .iter()
        .flat_map(|t| t.applications.iter().map(|a| (&a.application_id, a.rank)))
        .collect();
    let mut awards: HashMap<(&Id, &Id), Vec<(&Id, &AwardFacts)>> = HashMap::new();
    for (id, a) in &cat.awards {
        awards
            .entry((&a.call_id, &a.track_id))
            .or_default()
            .push((id, a));
    }
    calls
        .view(cat)
        .calls
        .into_iter()
        .map(|c| {
            let facts = &cat.calls[&c.call_id];
            let tracks = c
                .tracks
                .into_iter()
                .zip(&facts.tracks)
                .map(|(line, t)| {
                    let mut lines: Vec<(Option<Score>, AwardInRank)> = awards
                        .get(&(&c.call_id, &t.track_id))
                        .into_iter()
                        .flatten()
                        .map(|(id, a)| award_line(cat, &ranks, id, a))
                        .collect();
                    // Best first; then by application, then award.
                    lines.sort_by(|(sa, a), (sb, b)| {
                        sb.cmp(sa)
                            .then_with(|| a.application_id.cmp(&b.application_id))
                            .then_with(|| a.award_id.cmp(&b.award_id))
                    });
                    let lines = lines.into_iter().map(|(_, line)| line).collect();
                    TrackAudit {
                        line,
                        min_reviews: t.min_reviews,
                        regional_bonus: t.regional_bonus,
                        max_org_share_bp: t.max_org_share_bp,
                        awards: lines,
                    }
                })
                .collect();
            CallAudit {
                call_id: c.call_id,
                title: c.title,
                status: c.status,
                closes_at: c.closes_at,
                totals: c.totals,
                tracks,
                by_sector: c.by_sector,
            }
        })
        .collect()
}

/// One award of a track, with its application's exact rank to sort by.
fn award_line(
    cat: &Catalog,
    ranks: &HashMap<&Id, Option<u32>>,
    id: &Id,
    a: &AwardFacts,
) -> (Option<Score>, AwardInRank) {
    let score = rank_of(cat, &cat.apps[&a.application_id]);
    let (origin, recall_id) = match &a.origin {
        Origin::Granted => ("granted", None),
        Origin::Redistributed { recall_id } => ("redistributed", Some(recall_id.clone())),
    };
    let state = if a.ended {
        "ended"
    } else if a.held == 0 {
        "recalled"
    } else {
        "active"
    };
    let line = AwardInRank {
        rank: ranks.get(&a.application_id).copied().flatten(),
        score: score.map(RankShown::from),
        award_id: id.clone(),
        application_id: a.application_id.clone(),
        org_id: a.org_id.clone(),
        org_name: cat.org(&a.org_id).name.to_string(),
        origin,
        recall_id,
        granted_gpus: a.granted,
        held_gpus: a.held,
        state,
        starts_at: a.starts_at.to_string(),
        ends_at: a.ends_at.to_string(),
    };
    (score, line)
}

/// `yes` or `no`.
fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Evidence as list entries: `seq N` and the hash.
pub(crate) fn evidence_items(events: &[EventRef]) -> Vec<Vec<Span>> {
    events
        .iter()
        .map(|e| {
            vec![
                text(format!("seq {} ", grouped(e.seq))),
                code(e.hash.to_string()),
            ]
        })
        .collect()
}

const STATS_COLUMNS: [(&str, bool); 12] = [
    ("breakdown", false),
    ("applications", true),
    ("requested GPUs", true),
    ("requested servers", true),
    ("selected", true),
    ("awarded GPUs", true),
    ("awarded servers", true),
    ("selection ratio", true),
    ("redistributed GPUs", true),
    ("pending", true),
    ("rejected", true),
    ("withdrawn", true),
];

fn stats_row(label: Vec<Span>, s: &Stats) -> Vec<Cell> {
    let n = |v: u64| vec![text(grouped(v))];
    vec![
        label,
        n(s.applications),
        n(s.requested_gpus),
        n(s.requested_servers),
        n(s.selected),
        n(s.awarded_gpus),
        n(s.awarded_servers),
        vec![text(percent(s.selection_ratio_bp))],
        n(s.redistributed_gpus),
        n(s.pending),
        n(s.rejected),
        n(s.withdrawn),
    ]
}

impl AuditReport {
    fn integrity_section(&self, d: &mut Document) {
        let i = &self.integrity;
        d.heading(2, "1. Integrity");
        let mut rows = vec![
            vec![
                vec![text("events checked")],
                vec![text(grouped(i.events_checked))],
            ],
            vec![vec![text("head hash")], vec![code(i.head_hash.to_string())]],
            vec![
                vec![text("head recorded_at")],
                match i.head_recorded_at {
                    Some(t) => vec![code(t.to_string())],
                    None => vec![text("(empty ledger)")],
                },
            ],
            vec![
                vec![text("chain verified (order, links, hashes)")],
                vec![text(yes(i.chain_verified))],
            ],
            vec![
                vec![text("every event valid and within the rules")],
                vec![text(yes(i.rules_verified))],
            ],
        ];
        if let (Some(seq), Some(reason)) = (i.first_bad_seq, &i.reason) {
            rows.push(vec![
                vec![text("first bad record")],
                vec![text(format!(
                    "seq {seq}: {reason}. This report covers the records before it."
                ))],
            ]);
        }
        d.table(&[("check", false), ("result", false)], rows);
    }

    fn calls_section(&self, d: &mut Document) {
        d.heading(2, "2. Calls and tracks");
        if self.calls.is_empty() {
            d.paragraph(vec![text("No call has been opened.")]);
        }
        for c in &self.calls {
            d.heading(3, format!("{}: {}", c.call_id, c.title));
            d.paragraph(vec![
                text(format!("Call {}, closes at ", c.status)),
                code(&c.closes_at),
                text(". Published statistics (as the calls view):"),
            ]);
            let mut rows = vec![stats_row(vec![text("all")], &c.totals)];
            for t in &c.tracks {
                rows.push(stats_row(
                    vec![text("track "), code(t.line.track_id.as_str())],
                    &t.line.stats,
                ));
            }
            for (sector, s) in &c.by_sector {
                rows.push(stats_row(vec![text(format!("sector {sector}"))], s));
            }
            d.table(&STATS_COLUMNS, rows);
            for t in &c.tracks {
                self.track_awards(d, c, t);
            }
        }
    }

    fn track_awards(&self, d: &mut Document, c: &CallAudit, t: &TrackAudit) {
        d.heading(
            4,
            format!(
                "Track {} of {}: awards in rank order",
                t.line.track_id, c.call_id
            ),
        );
        d.paragraph(vec![
            text("Pool "),
            code(t.line.pool_id.as_str()),
            text(format!(
                ", {} GPUs; min_reviews {}, regional bonus {}, cap {} bp per organization.",
                grouped(t.line.gpus),
                t.min_reviews,
                t.regional_bonus,
                t.max_org_share_bp
            )),
        ]);
        if t.awards.is_empty() {
            d.paragraph(vec![text("No awards.")]);
            return;
        }
        let rows = t
            .awards
            .iter()
            .map(|a| {
                let origin = match &a.recall_id {
                    Some(r) => vec![text("redistributed from "), code(r.as_str())],
                    None => vec![text(a.origin)],
                };
                vec![
                    vec![text(a.rank.map(|r| r.to_string()).unwrap_or_default())],
                    vec![text(
                        a.score.as_ref().map(RankShown::text).unwrap_or_default(),
                    )],
                    vec![code(a.award_id.as_str())],
                    vec![code(a.application_id.as_str())],
                    vec![code(a.org_id.as_str()), text(format!(" {}", a.org_name))],
                    origin,
                    vec![text(grouped(a.granted_gpus))],
                    vec![text(grouped(a.held_gpus))],
                    vec![text(a.state)],
                ]
            })
            .collect();
        d.table(
            &[
                ("rank", true),
                ("rank score", true),
                ("award", false),
                ("application", false),
                ("organization", false),
                ("origin", false),
                ("granted GPUs", true),
                ("held GPUs", true),
                ("state", false),
            ],
            rows,
        );
    }

    fn exceptions_section(&self, d: &mut Document) {
        d.heading(2, "3. Exceptions");
        let total: usize = self.exception_counts.iter().map(|k| k.count).sum();
        d.paragraph(vec![text(format!(
            "{}. Each lists the events that prove it (seq and hash); \
             recalled GPUs may await redistribution {} days, a notice may stay open {} days \
             past its respond_by, and an appeal undecided {} days.",
            count(total as u64, "exception"),
            self.settings.max_awaiting_days,
            self.settings.max_notice_overdue_days,
            self.settings.max_appeal_days
        ))]);
        d.table(
            &[("kind", false), ("count", true)],
            self.exception_counts
                .iter()
                .map(|k| {
                    vec![
                        vec![code(k.kind.as_str())],
                        vec![text(grouped(k.count as u64))],
                    ]
                })
                .collect(),
        );
        for k in self.exception_counts.iter().filter(|k| k.count > 0) {
            d.heading(3, format!("{} ({})", k.kind.as_str(), k.count));
            d.paragraph(vec![text(k.kind.explanation())]);
            d.list(
                self.exceptions
                    .iter()
                    .filter(|x| x.kind() == k.kind)
                    .map(|x| Item {
                        spans: vec![text(x.summary())],
                        children: evidence_items(x.events()),
                    })
                    .collect(),
            );
        }
    }

    fn pools_section(&self, d: &mut Document) {
        let p = &self.pools;
        d.heading(2, "4. Pools reconciled");
        let verdict = match &p.first_failure {
            None if p.reconciled => vec![text(format!(
                "Every pool balanced after each of the {} events that moved its GPUs, and at the end: \
                 capacity = held + awaiting redistribution + free, none negative, and held and awaiting \
                 agree with the sums over the awards and recalls.",
                grouped(p.steps_checked)
            ))],
            None => vec![text(
                "Every pool balanced at every step, but at the end the pools do not agree with the \
                 awards and recalls (see the table).",
            )],
            Some(f) => vec![
                text(format!(
                    "The pools do not reconcile. First failure after seq {} (",
                    grouped(f.at.seq)
                )),
                code(f.at.hash.to_string()),
                text(format!(
                    "): pool {} has capacity {}, held {}, awaiting {}, free {}.",
                    f.pool_id, f.capacity, f.held, f.awaiting_redistribution, f.free
                )),
            ],
        };
        d.paragraph(verdict);
        if p.pools.is_empty() {
            return;
        }
        let n = |v: i64| vec![text(grouped(v))];
        d.table(
            &[
                ("pool", false),
                ("capacity", true),
                ("held", true),
                ("awaiting redistribution", true),
                ("free", true),
                ("held by awards", true),
                ("awaiting by recalls", true),
                ("reconciled", false),
            ],
            p.pools
                .iter()
                .map(|b| {
                    vec![
                        vec![code(b.pool_id.as_str())],
                        n(b.capacity),
                        n(b.held),
                        n(b.awaiting_redistribution),
                        n(b.free),
                        n(b.held_by_awards),
                        n(b.awaiting_by_recalls),
                        vec![text(yes(b.reconciled))],
                    ]
                })
                .collect(),
        );
    }
}

impl Documented for AuditReport {
    fn document(&self) -> Document {
        let mut d = Document::new("Audit report");
        let mut intro = vec![text(format!(
            "Covers the {} events from seq 1 to seq {} (head ",
            grouped(self.integrity.events_checked),
            grouped(self.as_of_seq)
        ))];
        intro.push(code(self.integrity.head_hash.to_string()));
        intro.push(text(")."));
        if let Some(as_of) = &self.as_of {
            let clock = match as_of.clock {
                "occurred_at" => "business time",
                _ => "ledger time",
            };
            intro.push(text(format!(
                " The point was asked as a time: {} on {clock} ({}).",
                as_of.at, as_of.clock
            )));
        }
        if let Some(call) = &self.call {
            intro.push(text(
                " The calls section and the exceptions are narrowed to call ",
            ));
            intro.push(code(call.as_str()));
            intro.push(text("; integrity and pools cover every call."));
        }
        d.paragraph(intro);
        self.integrity_section(&mut d);
        self.calls_section(&mut d);
        self.exceptions_section(&mut d);
        self.pools_section(&mut d);
        d
    }
}
