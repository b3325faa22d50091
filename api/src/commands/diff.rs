//! `gpu-ledger diff`: what changed in each view between two points in
//! history, and the events responsible.

use super::audit::outcome;
use super::{CommandError, Outcome};
use crate::progress::Progress;
use crate::store_config::StoreConfig;
use gpu_ledger_ledger::RecordedAt;
use gpu_ledger_ledger::time::parse_time;
use gpu_ledger_projections::ViewName;
use gpu_ledger_replay::Until;
use gpu_ledger_replay::audit::{DiffOptions, Format, diff};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier point: after record seq A (0 is the empty ledger).
    #[arg(long, value_name = "A", required_unless_present = "from", conflicts_with_all = ["from", "to"])]
    pub from_seq: Option<u64>,

    /// The later point: after record seq B [default: the head].
    #[arg(long, value_name = "B", conflicts_with_all = ["from", "to"])]
    pub to_seq: Option<u64>,

    /// The earlier point as a time: records with recorded_at <= T (RFC 3339).
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub from: Option<RecordedAt>,

    /// The later point as a time [default: the head].
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub to: Option<RecordedAt>,

    /// Compare only this view: holdings, pools, calls, ranking, utilization, concentration, due, outputs or reviews.
    #[arg(long, value_name = "NAME")]
    pub view: Option<ViewName>,

    /// md, json or html.
    #[arg(long, default_value = "md", value_name = "FORMAT")]
    pub format: Format,

    /// Read an export file instead of the data directory.
    #[arg(long = "from-export", visible_alias = "export", value_name = "FILE")]
    pub from_export: Option<PathBuf>,
}

pub async fn run(
    config: &StoreConfig,
    args: &DiffArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    let (from, to) = match (args.from_seq, args.from) {
        (Some(a), _) => (Until::Seq(a), args.to_seq.map_or(Until::Head, Until::Seq)),
        (None, Some(t)) => (
            Until::RecordedAt(t),
            args.to.map_or(Until::Head, Until::RecordedAt),
        ),
        (None, None) => unreachable!("clap requires --from-seq or --from"),
    };
    let (mut source, total) = super::open_source(config, args.from_export.as_deref()).await?;
    let options = DiffOptions {
        from,
        to,
        views: args.view.into_iter().collect(),
    };
    let progress = Progress::new(json, total, "replaying");
    let report = diff(&mut source, &options, |n| progress.update(n, n)).await?;
    progress.finish();
    Ok(outcome(&report, args.format, json, 0))
}
