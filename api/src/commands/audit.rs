//! `gpu-ledger audit report` and `gpu-ledger audit trace`: what an auditor
//! runs, on the store or on an export handed over as a copy.

use super::{CommandError, FromExport, Outcome, PointArgs};
use crate::progress::Progress;
use crate::store_config::StoreConfig;
use gpu_ledger_domain::Id;
use gpu_ledger_ledger::EventStore;
use gpu_ledger_replay::audit::exceptions::{
    DEFAULT_MAX_APPEAL_DAYS, DEFAULT_MAX_AWAITING_DAYS, DEFAULT_MAX_NOTICE_OVERDUE_DAYS, Settings,
};
use gpu_ledger_replay::audit::render::Documented;
use gpu_ledger_replay::audit::{
    AuditError, Format, ReportOptions, Subject, audit_report, render, trace,
};
use gpu_ledger_replay::language::Language;
use gpu_ledger_replay::{Source, SourceError};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Subcommand, Debug)]
pub enum AuditArgs {
    /// The audit report: integrity, published statistics and awards in rank
    /// order per call and track, exceptions with the events that prove them,
    /// and pools reconciled.
    ///
    /// Every record is checked first (order, links, hashes, the rules); the
    /// report covers the records before the first that fails, and then exits 1.
    /// The same ledger always gives the same bytes, so the report can be hashed.
    #[command(after_help = "Examples:\n  gpu-ledger audit report\n  \
                            gpu-ledger audit report --call CALL-2025-01 --format html > audit.html\n  \
                            gpu-ledger audit report --lang ko --format html > 감사보고서.html\n  \
                            gpu-ledger audit report --until-seq 4000 --format json\n  \
                            gpu-ledger audit report --from-export ledger.jsonl --format md | sha256sum")]
    Report(ReportArgs),

    /// The full story of an award, an application or an organization, each
    /// line with its seq and hash: application, scores, conflicts declared,
    /// rejection and appeals, award, utilization, notices and the exemptions
    /// asked and decided, recalls, where recalled GPUs went and where
    /// redistributed GPUs came from, extensions, supplements and outputs.
    #[command(
        after_help = "Examples:\n  gpu-ledger audit trace --award AW-2026-0006\n  \
                            gpu-ledger audit trace --org ORG-A024 --format html > org.html\n  \
                            gpu-ledger audit trace --application APP-2025-0146 --from-export ledger.jsonl --format json"
    )]
    Trace(TraceArgs),
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Narrow the calls section and the exceptions to one call.
    #[arg(long, value_name = "ID", value_parser = parse_id)]
    pub call: Option<Id>,

    #[command(flatten)]
    pub point: PointArgs,

    /// md (Markdown, for people), json (for programs) or html (one self-contained page).
    #[arg(long, default_value = "md", value_name = "FORMAT")]
    pub format: Format,

    /// The language of md and html: en or ko (JSON has no words and is
    /// the same in both).
    #[arg(long, default_value = "en", value_name = "LANG")]
    pub lang: Language,

    /// Days of business time recalled GPUs may await redistribution
    /// (longer: recall_awaiting_too_long).
    #[arg(long, default_value_t = DEFAULT_MAX_AWAITING_DAYS, value_name = "DAYS")]
    pub max_awaiting_days: u32,

    /// Days of business time a recall notice may stay open past its
    /// respond_by (longer: notice_overdue).
    #[arg(long, default_value_t = DEFAULT_MAX_NOTICE_OVERDUE_DAYS, value_name = "DAYS")]
    pub max_notice_overdue_days: u32,

    /// Days of business time an appeal may stay undecided after it was
    /// filed (longer: appeal_undecided_too_long).
    #[arg(long, default_value_t = DEFAULT_MAX_APPEAL_DAYS, value_name = "DAYS")]
    pub max_appeal_days: u32,

    #[command(flatten)]
    pub input: FromExport,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("subject").required(true).args(["award", "org", "application"])))]
pub struct TraceArgs {
    /// The story of this award.
    #[arg(long, value_name = "ID", value_parser = parse_id)]
    pub award: Option<Id>,

    /// The story of this organization: every application and award.
    #[arg(long, value_name = "ID", value_parser = parse_id)]
    pub org: Option<Id>,

    /// The story of this application and its awards.
    #[arg(long, value_name = "ID", value_parser = parse_id)]
    pub application: Option<Id>,

    #[command(flatten)]
    pub point: PointArgs,

    /// md, json or html.
    #[arg(long, default_value = "md", value_name = "FORMAT")]
    pub format: Format,

    #[command(flatten)]
    pub input: FromExport,
}

fn parse_id(s: &str) -> Result<Id, String> {
    Id::parse(s).map_err(|e| format!("{s:?} is not an id: it {e}"))
}

/// The ledger a trace reads twice: the store, or an export file.
enum Ledger {
    Store(Arc<dyn EventStore>),
    Export(PathBuf),
}

impl Ledger {
    /// The ledger and, for a store, its head seq (for progress).
    async fn open(
        config: &StoreConfig,
        export: Option<&Path>,
    ) -> Result<(Ledger, Option<u64>), CommandError> {
        match export {
            Some(path) => {
                Source::export(path)?;
                Ok((Ledger::Export(path.to_path_buf()), None))
            }
            None => {
                let store = config.open_for_reading()?;
                let head = store.head().await?;
                Ok((Ledger::Store(store), Some(head.seq)))
            }
        }
    }

    /// A source reading it from the start.
    fn source(&self) -> Result<Source, SourceError> {
        match self {
            Ledger::Store(store) => Ok(Source::store(store.clone())),
            Ledger::Export(path) => Source::export(path),
        }
    }
}

impl From<AuditError> for CommandError {
    fn from(e: AuditError) -> Self {
        let message = e.to_string();
        match e {
            AuditError::Source(s) => s.into(),
            AuditError::PastHead { .. } | AuditError::PointsReversed { .. } => {
                CommandError::Failed(message)
            }
            AuditError::UnknownCall { ref call_id, .. } => CommandError::Refused {
                detail: json!({"error": e.kind(), "call_id": call_id}),
                message,
            },
            AuditError::UnknownSubject { ref id, .. } => CommandError::Refused {
                detail: json!({"error": e.kind(), "id": id}),
                message,
            },
            AuditError::Broken { seq, .. } => CommandError::Refused {
                detail: json!({"error": e.kind(), "first_bad_seq": seq}),
                message,
            },
        }
    }
}

pub async fn run(
    config: &StoreConfig,
    args: &AuditArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    match args {
        AuditArgs::Report(a) => report(config, a, json).await,
        AuditArgs::Trace(a) => trace_story(config, a, json).await,
    }
}

/// What a report prints: only the form asked for is built (a report of a
/// large ledger is tens of megabytes; a JSON tree of it, several times that).
pub(crate) fn outcome<T: Documented>(report: &T, format: Format, json: bool, code: u8) -> Outcome {
    written(report, json, code, || render(report, format))
}

/// [`outcome`], with `human` writing the report for people.
fn written<T: serde::Serialize>(
    report: &T,
    json: bool,
    code: u8,
    human: impl FnOnce() -> String,
) -> Outcome {
    if json {
        Outcome {
            human: String::new(),
            json: serde_json::to_value(report).expect("reports serialise"),
            code,
        }
    } else {
        let mut human = human();
        human.truncate(human.trim_end_matches('\n').len());
        Outcome {
            human,
            json: serde_json::Value::Null,
            code,
        }
    }
}

async fn report(
    config: &StoreConfig,
    args: &ReportArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    let (mut source, total) = super::open_source(config, args.input.path()).await?;
    let options = ReportOptions {
        until: Some(args.point.until()),
        call: args.call.clone(),
        settings: Settings {
            max_awaiting_days: args.max_awaiting_days,
            max_notice_overdue_days: args.max_notice_overdue_days,
            max_appeal_days: args.max_appeal_days,
        },
    };
    let progress = Progress::new(json, total, "auditing");
    let report = audit_report(&mut source, &options, |n| progress.update(n, n)).await?;
    progress.finish();
    let code = if report.integrity.ok() { 0 } else { 1 };
    Ok(written(&report, json, code, || {
        report.render_in(args.format, args.lang)
    }))
}

async fn trace_story(
    config: &StoreConfig,
    args: &TraceArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    let subject = match (&args.award, &args.org, &args.application) {
        (Some(id), _, _) => Subject::Award(id.clone()),
        (_, Some(id), _) => Subject::Organization(id.clone()),
        (_, _, Some(id)) => Subject::Application(id.clone()),
        _ => unreachable!("clap requires one subject"),
    };
    let (ledger, total) = Ledger::open(config, args.input.path()).await?;
    // Two passes: the bar goes round twice.
    let progress = Progress::new(json, total.map(|n| 2 * n), "tracing");
    let mut done = 0u64;
    let mut last = 0u64;
    let story = trace(
        || ledger.source(),
        &subject,
        args.point.until(),
        |n| {
            if n < last {
                done += last;
            }
            last = n;
            progress.update(done + n, n);
        },
    )
    .await?;
    progress.finish();
    Ok(outcome(&story, args.format, json, 0))
}
