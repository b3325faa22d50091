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

use super::calls::{CallAudit, TrackAudit, call_sections};
use super::exceptions::{Exception, ExceptionFinder, Kind, Settings};
use super::integrity::{Integrity, replay_checked};
use super::rank::RankShown;
use super::reconciliation::{PoolsReconciled, Reconciliation};
use super::render::{
    Cell, Document, Documented, Format, Item, Span, code, grouped, percent, text, write,
};
use super::words::{word, words};
use super::{AuditError, EventRef};
use crate::language::{Language, Messages};
use crate::source::Source;
use crate::views::Until;
use gpu_ledger_domain::Id;
use gpu_ledger_projections::Catalog;
use gpu_ledger_projections::calls::{Calls, Stats};
use serde::Serialize;

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

/// `yes` or `no`.
fn yes(b: bool, w: &Messages<'_>) -> String {
    w.text(if b { "yes" } else { "no" })
}

/// Evidence as list entries: `seq N` and the hash.
pub(crate) fn evidence_items(events: &[EventRef], w: &Messages<'_>) -> Vec<Vec<Span>> {
    events
        .iter()
        .map(|e| {
            vec![
                text(w.with("evidence-seq", &[("seq", grouped(e.seq).into())]) + " "),
                code(e.hash.to_string()),
            ]
        })
        .collect()
}

/// The statistics' columns: (key, numeric).
const STATS_COLUMNS: [(&str, bool); 12] = [
    ("col-breakdown", false),
    ("col-applications", true),
    ("col-requested-gpus", true),
    ("col-requested-servers", true),
    ("col-selected", true),
    ("col-awarded-gpus", true),
    ("col-awarded-servers", true),
    ("col-selection-ratio", true),
    ("col-redistributed-gpus", true),
    ("col-pending", true),
    ("col-rejected", true),
    ("col-withdrawn", true),
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

/// A table's columns in `w`'s words.
fn table(d: &mut Document, w: &Messages<'_>, columns: &[(&str, bool)], rows: Vec<Vec<Cell>>) {
    let titles: Vec<(String, bool)> = columns.iter().map(|(k, n)| (w.text(k), *n)).collect();
    let titles: Vec<(&str, bool)> = titles.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    d.table(&titles, rows);
}

impl AuditReport {
    fn integrity_section(&self, d: &mut Document, w: &Messages<'_>) {
        let i = &self.integrity;
        d.heading(2, w.text("integrity"));
        let row = |key: &str, value: Vec<Span>| vec![vec![text(w.text(key))], value];
        let mut rows = vec![
            row(
                "integrity-events-checked",
                vec![text(grouped(i.events_checked))],
            ),
            row("integrity-head-hash", vec![code(i.head_hash.to_string())]),
            row(
                "integrity-head-recorded-at",
                match i.head_recorded_at {
                    Some(t) => vec![code(t.to_string())],
                    None => vec![text(w.text("integrity-empty-ledger"))],
                },
            ),
            row(
                "integrity-chain-verified",
                vec![text(yes(i.chain_verified, w))],
            ),
            row(
                "integrity-rules-verified",
                vec![text(yes(i.rules_verified, w))],
            ),
        ];
        if let (Some(seq), Some(reason)) = (i.first_bad_seq, &i.reason) {
            rows.push(row(
                "integrity-first-bad",
                vec![text(w.with(
                    "integrity-first-bad-at",
                    &[("seq", seq.into()), ("reason", reason.into())],
                ))],
            ));
        }
        table(d, w, &[("col-check", false), ("col-result", false)], rows);
    }

    fn calls_section(&self, d: &mut Document, w: &Messages<'_>) {
        d.heading(2, w.text("calls"));
        if self.calls.is_empty() {
            d.paragraph(vec![text(w.text("calls-none"))]);
        }
        for c in &self.calls {
            d.heading(3, format!("{}: {}", c.call_id, c.title));
            d.paragraph(vec![
                text(w.with("calls-status", &[("status", word(w, c.status).into())])),
                code(&c.closes_at),
                text(w.text("calls-published")),
            ]);
            let mut rows = vec![stats_row(vec![text(w.text("calls-all"))], &c.totals)];
            for t in &c.tracks {
                rows.push(stats_row(
                    vec![
                        text(w.text("calls-track") + " "),
                        code(t.line.track_id.as_str()),
                    ],
                    &t.line.stats,
                ));
            }
            for (sector, s) in &c.by_sector {
                rows.push(stats_row(
                    vec![text(
                        w.with("calls-sector", &[("sector", word(w, sector).into())]),
                    )],
                    s,
                ));
            }
            table(d, w, &STATS_COLUMNS, rows);
            for t in &c.tracks {
                self.track_awards(d, c, t, w);
            }
        }
    }

    fn track_awards(&self, d: &mut Document, c: &CallAudit, t: &TrackAudit, w: &Messages<'_>) {
        d.heading(
            4,
            w.with(
                "track-awards",
                &[
                    ("track", t.line.track_id.as_str().into()),
                    ("call", c.call_id.as_str().into()),
                ],
            ),
        );
        d.paragraph(vec![
            text(w.text("track-pool") + " "),
            code(t.line.pool_id.as_str()),
            text(w.with(
                "track-rules",
                &[
                    ("gpus", grouped(t.line.gpus).into()),
                    ("min_reviews", t.min_reviews.into()),
                    ("bonus", t.regional_bonus.into()),
                    ("cap", t.max_org_share_bp.into()),
                ],
            )),
        ]);
        if t.awards.is_empty() {
            d.paragraph(vec![text(w.text("track-no-awards"))]);
            return;
        }
        let rows = t
            .awards
            .iter()
            .map(|a| {
                let origin = match &a.recall_id {
                    Some(r) => vec![
                        text(w.text("origin-redistributed-from") + " "),
                        code(r.as_str()),
                    ],
                    None => vec![text(word(w, a.origin))],
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
                    vec![text(word(w, a.state))],
                ]
            })
            .collect();
        table(
            d,
            w,
            &[
                ("col-rank", true),
                ("col-rank-score", true),
                ("col-award", false),
                ("col-application", false),
                ("col-organization", false),
                ("col-origin", false),
                ("col-granted-gpus", true),
                ("col-held-gpus", true),
                ("col-state", false),
            ],
            rows,
        );
    }

    fn exceptions_section(&self, d: &mut Document, w: &Messages<'_>) {
        d.heading(2, w.text("exceptions"));
        let total: usize = self.exception_counts.iter().map(|k| k.count).sum();
        d.paragraph(vec![text(w.with(
            "exceptions-intro",
            &[
                ("n", total.into()),
                ("count", grouped(total as u64).into()),
                ("awaiting", self.settings.max_awaiting_days.into()),
                ("notice", self.settings.max_notice_overdue_days.into()),
                ("appeal", self.settings.max_appeal_days.into()),
            ],
        ))]);
        table(
            d,
            w,
            &[("col-kind", false), ("col-count", true)],
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
            d.paragraph(vec![text(k.kind.explanation_in(w.language()))]);
            d.list(
                self.exceptions
                    .iter()
                    .filter(|x| x.kind() == k.kind)
                    .map(|x| Item {
                        spans: vec![text(x.summary_in(w.language()))],
                        children: evidence_items(x.events(), w),
                    })
                    .collect(),
            );
        }
    }

    fn pools_section(&self, d: &mut Document, w: &Messages<'_>) {
        let p = &self.pools;
        d.heading(2, w.text("pools"));
        let verdict = match &p.first_failure {
            None if p.reconciled => vec![text(w.with(
                "pools-balanced",
                &[("steps", grouped(p.steps_checked).into())],
            ))],
            None => vec![text(w.text("pools-balanced-not-at-end"))],
            Some(f) => vec![
                text(w.with("pools-failure", &[("seq", grouped(f.at.seq).into())])),
                code(f.at.hash.to_string()),
                text(w.with(
                    "pools-failure-figures",
                    &[
                        ("pool", f.pool_id.as_str().into()),
                        ("capacity", f.capacity.into()),
                        ("held", f.held.into()),
                        ("awaiting", f.awaiting_redistribution.into()),
                        ("free", f.free.into()),
                    ],
                )),
            ],
        };
        d.paragraph(verdict);
        if p.pools.is_empty() {
            return;
        }
        let n = |v: i64| vec![text(grouped(v))];
        table(
            d,
            w,
            &[
                ("col-pool", false),
                ("col-capacity", true),
                ("col-held", true),
                ("col-awaiting-redistribution", true),
                ("col-free", true),
                ("col-held-by-awards", true),
                ("col-awaiting-by-recalls", true),
                ("col-reconciled", false),
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
                        vec![text(yes(b.reconciled, w))],
                    ]
                })
                .collect(),
        );
    }

    /// The report as people read it, in `lang`.
    pub fn document_in(&self, lang: Language) -> Document {
        let w = words(lang);
        let mut d = Document::new(w.text("title"));
        d.lang = lang;
        let mut intro = vec![text(w.with(
            "intro",
            &[
                ("events", grouped(self.integrity.events_checked).into()),
                ("seq", grouped(self.as_of_seq).into()),
            ],
        ))];
        intro.push(code(self.integrity.head_hash.to_string()));
        intro.push(text(").".to_string()));
        if let Some(as_of) = &self.as_of {
            let clock = match as_of.clock {
                "occurred_at" => w.text("clock-business"),
                _ => w.text("clock-ledger"),
            };
            intro.push(text(w.with(
                "intro-as-of",
                &[
                    ("at", as_of.at.as_str().into()),
                    ("clock", clock.into()),
                    ("code", as_of.clock.into()),
                ],
            )));
        }
        if let Some(call) = &self.call {
            intro.push(text(w.text("intro-call")));
            intro.push(code(call.as_str()));
            intro.push(text(w.text("intro-call-rest")));
        }
        d.paragraph(intro);
        self.integrity_section(&mut d, &w);
        self.calls_section(&mut d, &w);
        self.exceptions_section(&mut d, &w);
        self.pools_section(&mut d, &w);
        d
    }

    /// The report in `format`, its words in `lang` (JSON has none).
    pub fn render_in(&self, format: Format, lang: Language) -> String {
        write(self, format, || self.document_in(lang))
    }
}

impl Documented for AuditReport {
    fn document(&self) -> Document {
        self.document_in(Language::En)
    }
}
