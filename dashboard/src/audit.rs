//! The audit on the dashboard: the Programme page lists the exceptions of
//! `gpu-ledger audit report` up to its record, and events link to the trace
//! (`gpu-ledger audit trace`) of the award, application or organization
//! they concern.
//!
//! An audit replays the whole ledger with every check, so it is not made
//! per request: each report runs once per seq in the background and is
//! kept. A page waits for it a few seconds; on a large ledger it shows the
//! latest report made so far, and says which record it covers, until the
//! new one is ready.

use super::language::{Language, Reading};
use super::layout::{self, Frame, grouped, short_hash};
use super::point::{At, AtQuery, with_views};
use super::query::PageQuery;
use super::standing;
use super::{Dashboard, rendered};
use crate::LedgerReader;
use crate::Refusal;
use crate::reader::PageReader;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use gpu_ledger_domain::Id;
use gpu_ledger_replay::Until;
use gpu_ledger_replay::audit::{AuditError, ReportOptions, Subject, Trace, audit_report, trace};
use maud::html;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};

/// How long a page waits for a report of its own record.
const WAIT: Duration = Duration::from_secs(2);
/// Reports kept (the latest seqs asked for).
const KEEP: usize = 4;
/// Traces kept.
const KEEP_TRACES: usize = 16;

/// One exception, as the Programme page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionLine {
    /// The exception's kind, e.g. `award_out_of_rank_order`.
    pub kind: &'static str,
    /// One sentence saying what was found (in English, as the CSV has it).
    pub summary: String,
    /// The same in Korean.
    pub korean: String,
    /// The events that prove it: (seq, hash).
    pub events: Vec<(u64, String)>,
}

impl ExceptionLine {
    /// The sentence in `lang`.
    pub fn summary_in(&self, lang: Language) -> &str {
        match lang {
            Language::En => &self.summary,
            Language::Ko => &self.korean,
        }
    }
}

/// A report's outcome: its exceptions, or why it could not be made.
pub type Outcome = Result<Vec<ExceptionLine>, String>;

/// What a page can show of the audit up to its record.
#[derive(Debug, Clone)]
pub enum Exceptions {
    /// The report up to `seq` (the page's record, or an earlier one while
    /// the page's is still running).
    Report {
        seq: u64,
        outcome: Arc<Outcome>,
        running: bool,
    },
    /// No report is ready yet.
    Running,
}

/// Which trace: (kind, id, last record).
type TraceKey = (String, String, u64);

/// Reports made, and those running; the latest traces.
pub struct Audits {
    made: Mutex<Vec<(u64, Arc<Outcome>)>>,
    traces: Mutex<Vec<(TraceKey, Arc<Trace>)>>,
    running: Mutex<HashSet<u64>>,
    finished: Notify,
    /// One report at a time: each takes a core for seconds on a large
    /// ledger, and a person dragging the slider asks for many.
    one_at_a_time: Semaphore,
}

impl Default for Audits {
    fn default() -> Self {
        Self {
            made: Mutex::default(),
            traces: Mutex::default(),
            running: Mutex::default(),
            finished: Notify::new(),
            one_at_a_time: Semaphore::new(1),
        }
    }
}

impl Audits {
    fn made(&self, seq: u64) -> Option<Arc<Outcome>> {
        let made = self.made.lock().expect("audits lock");
        made.iter().find(|(s, _)| *s == seq).map(|(_, o)| o.clone())
    }

    /// The latest report made before `seq`.
    fn latest_before(&self, seq: u64) -> Option<(u64, Arc<Outcome>)> {
        let made = self.made.lock().expect("audits lock");
        made.iter()
            .filter(|(s, _)| *s < seq)
            .max_by_key(|(s, _)| *s)
            .cloned()
    }

    /// Starts the report up to `seq` unless it is made or running.
    fn start(self: &Arc<Self>, ledger: Arc<dyn LedgerReader>, seq: u64) {
        if self.made(seq).is_some() || !self.running.lock().expect("audits lock").insert(seq) {
            return;
        }
        let audits = self.clone();
        tokio::spawn(async move {
            let outcome = {
                let _turn = audits.one_at_a_time.acquire().await;
                Arc::new(report(ledger.as_ref(), seq).await)
            };
            {
                let mut made = audits.made.lock().expect("audits lock");
                made.retain(|(s, _)| *s != seq);
                if made.len() == KEEP {
                    made.remove(0);
                }
                made.push((seq, outcome));
            }
            audits.running.lock().expect("audits lock").remove(&seq);
            audits.finished.notify_waiters();
        });
    }
}

/// The exceptions of an audit up to record `seq`.
async fn report(ledger: &dyn LedgerReader, seq: u64) -> Outcome {
    let started = Instant::now();
    let options = ReportOptions {
        until: Some(Until::Seq(seq)),
        ..ReportOptions::default()
    };
    let mut source = ledger.replay_after(0);
    let report = audit_report(&mut source, &options, |_| {})
        .await
        .map_err(|e| e.to_string())?;
    if !report.integrity.ok() {
        return Err(format!(
            "the ledger failed its integrity check at record #{}: {}",
            report.integrity.first_bad_seq.unwrap_or(0),
            report.integrity.reason.unwrap_or_default()
        ));
    }
    tracing::info!(
        seq,
        exceptions = report.exceptions.len(),
        ms = started.elapsed().as_millis() as u64,
        "dashboard audit made"
    );
    Ok(report
        .exceptions
        .iter()
        .map(|e| ExceptionLine {
            kind: e.kind().as_str(),
            summary: e.summary(),
            korean: e.summary_in(Language::Ko),
            events: e
                .events()
                .iter()
                .map(|r| (r.seq, r.hash.to_hex()))
                .collect(),
        })
        .collect())
}

/// The audit's exceptions up to record `seq`, waiting a little for them.
pub async fn exceptions(dash: &Dashboard, seq: u64) -> Exceptions {
    let audits = &dash.audits;
    audits.start(dash.ledger.clone(), seq);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let finished = audits.finished.notified();
        if let Some(outcome) = audits.made(seq) {
            return Exceptions::Report {
                seq,
                outcome,
                running: false,
            };
        }
        if tokio::time::timeout_at(deadline, finished).await.is_err() {
            break;
        }
    }
    match audits.latest_before(seq) {
        Some((seq, outcome)) => Exceptions::Report {
            seq,
            outcome,
            running: true,
        },
        None => Exceptions::Running,
    }
}

fn subject_id(subject: &Subject) -> &Id {
    match subject {
        Subject::Award(id) | Subject::Application(id) | Subject::Organization(id) => id,
    }
}

/// The trace page of a subject (`award`, `application` or `org`, as the
/// command line's `audit trace --award | --application | --org`).
pub fn trace_href(kind: &str, id: &str) -> Option<String> {
    Some(format!(
        "/trace/{kind}/{}",
        crate::login::encode_component(id)
    ))
}

/// The trace page of a subject, at the point `at` in history.
pub fn trace_at(kind: &str, id: &str, at: &At) -> String {
    trace_href(kind, id).unwrap_or_default() + &at.query(&[])
}

/// The part an event plays in a story: in English as the trace's JSON
/// names it, in Korean in the audit's words.
fn role(role: gpu_ledger_replay::audit::trace::Role, lang: Language) -> String {
    match lang {
        Language::En => serde_json::to_value(role)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default(),
        Language::Ko => role.said(lang),
    }
}

/// `/trace/{kind}/{id}`: the story of an award, application or
/// organization, each event with its seq and hash, up to the page's point.
pub async fn trace_page(
    PageReader(dash): PageReader,
    r: Reading,
    Path((kind, id)): Path<(String, String)>,
    PageQuery(q): PageQuery<AtQuery>,
) -> Response {
    rendered(render_trace(&dash, &kind, &id, &q, &r).await)
}

async fn render_trace(
    dash: &Dashboard,
    kind: &str,
    id: &str,
    q: &AtQuery,
    r: &Reading,
) -> Result<maud::Markup, Refusal> {
    let at = At::parse(q)?;
    let id = Id::parse(id).map_err(|e| Refusal::not_found(format!("{id:?}: {e}")))?;
    let subject = match kind {
        "award" => Subject::Award(id),
        "application" => Subject::Application(id),
        "org" => Subject::Organization(id),
        other => {
            return Err(Refusal::not_found(format!(
                "there is no trace of {other:?}: trace an award, application or org"
            )));
        }
    };
    let head = dash.ledger.head().await.map_err(|e| Refusal::store(&e))?;
    // A trace reads the ledger twice with every check: keep the latest few,
    // keyed by the record they end at ("now" is the head's seq).
    let last = match at.until {
        Until::Seq(n) => n.min(head.seq),
        Until::Head => head.seq,
        Until::RecordedAt(_) | Until::OccurredAt(_) => super::resolve(dash, &at).await?.0,
    };
    let key: TraceKey = (kind.to_string(), subject_id(&subject).to_string(), last);
    let cached = {
        let traces = dash.audits.traces.lock().expect("traces lock");
        traces
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, t)| t.clone())
    };
    let story = match cached {
        Some(story) => story,
        None => {
            let story = trace(
                || Ok(dash.ledger.replay_after(0)),
                &subject,
                Until::Seq(last),
                |_| {},
            )
            .await
            .map_err(|e| match e {
                AuditError::UnknownSubject { .. } => Refusal::not_found(e.to_string()),
                other => Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "audit_failed",
                    other.to_string(),
                ),
            })?;
            let story = Arc::new(story);
            let mut traces = dash.audits.traces.lock().expect("traces lock");
            if traces.len() == KEEP_TRACES {
                traces.remove(0);
            }
            traces.push((key, story.clone()));
            story
        }
    };
    let subject_kind = match &subject {
        Subject::Award(_) => r.t("trace-of-award"),
        Subject::Application(_) => r.t("trace-of-application"),
        Subject::Organization(_) => r.t("trace-of-organization"),
    };
    let title = r.f(
        "trace-title",
        &[
            ("kind", subject_kind.into()),
            ("id", story.subject.id.as_str().into()),
        ],
    );
    let path = trace_href(kind, story.subject.id.as_str()).unwrap_or_default();
    let frame = Frame {
        title: &title,
        path: &path,
        at: &at,
        seq: story.as_of_seq,
        head: &head,
        keep: Vec::new(),
        reading: r,
    };
    let of = match &subject {
        Subject::Award(id) => standing::Of::Award(id),
        Subject::Application(id) => standing::Of::Application(id),
        Subject::Organization(id) => standing::Of::Organization(id),
    };
    let standing = with_views(dash, &at, |v| standing::card(&v.p.catalog, v.p.seq, of, r)).await?;
    let here = at.language_query();
    let body = html! {
        (standing)
        section.card id="trace" {
            p {
                (r.h_n("trace-events", story.lines.len() as u64, &[
                    ("count", html! { (grouped(story.lines.len() as u64)) }),
                    ("seq", html! { (story.as_of_seq) }),
                    ("hash", short_hash(&story.head_hash.to_hex())),
                    ("command", html! { code { "gpu-ledger audit trace" } }),
                ]))
            }
            table {
                tr { th.n { (r.t("col-record")) } th { (r.t("col-when")) } th { (r.t("col-type")) } th { (r.t("col-part")) } th { (r.t("col-what")) } th { (r.t("col-hash")) } }
                @for line in &story.lines {
                    tr {
                        td.n { a href=(format!("/events/{}{here}", line.seq)) { "#" (line.seq) } }
                        td.mono { (line.occurred_at) }
                        td.type { (line.event_type) }
                        td { (role(line.role, r.language())) }
                        td { (match r.language() { Language::Ko => &line.korean, Language::En => &line.text }) }
                        td { (short_hash(&line.hash.to_hex())) }
                    }
                }
            }
        }
    };
    Ok(layout::page(&frame, body))
}
