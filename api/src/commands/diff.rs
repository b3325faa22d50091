//! `gpu-ledger diff`: what changed in each view between two points in
//! history, and the events responsible.

use super::audit::outcome;
use super::{CommandError, FromExport, Outcome};
use crate::progress::Progress;
use crate::store_config::StoreConfig;
use gpu_ledger_domain::Timestamp;
use gpu_ledger_ledger::RecordedAt;
use gpu_ledger_ledger::time::parse_time;
use gpu_ledger_projections::ViewName;
use gpu_ledger_replay::Until;
use gpu_ledger_replay::audit::{DiffOptions, Format, diff};

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier point: after record seq A (0 is the empty ledger).
    #[arg(long, value_name = "A", required_unless_present_any = ["from", "recorded_from"], conflicts_with_all = ["from", "to", "recorded_from", "recorded_to"])]
    pub from_seq: Option<u64>,

    /// The later point: after record seq B [default: the head].
    #[arg(long, value_name = "B", conflicts_with_all = ["from", "to", "recorded_from", "recorded_to"])]
    pub to_seq: Option<u64>,

    /// The earlier point as a business time (RFC 3339): the events that had
    /// occurred by then, up to the first one that occurred later.
    #[arg(long, value_name = "T", value_parser = Timestamp::parse, conflicts_with_all = ["recorded_from", "recorded_to"])]
    pub from: Option<Timestamp>,

    /// The later point as a business time [default: the head].
    #[arg(long, value_name = "T", value_parser = Timestamp::parse, conflicts_with_all = ["recorded_from", "recorded_to"])]
    pub to: Option<Timestamp>,

    /// The earlier point as a ledger time: records with recorded_at <= T (RFC 3339).
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub recorded_from: Option<RecordedAt>,

    /// The later point as a ledger time [default: the head].
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub recorded_to: Option<RecordedAt>,

    /// Compare only this view: holdings, pools, calls, ranking, utilization, concentration, due, outputs or reviews.
    #[arg(long, value_name = "NAME")]
    pub view: Option<ViewName>,

    /// md, json or html.
    #[arg(long, default_value = "md", value_name = "FORMAT")]
    pub format: Format,

    #[command(flatten)]
    pub input: FromExport,
}

pub async fn run(
    config: &StoreConfig,
    args: &DiffArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    let business = |t: &Timestamp| Until::OccurredAt(t.instant());
    let (from, to) = match (args.from_seq, &args.from, args.recorded_from) {
        (Some(a), _, _) => (Until::Seq(a), args.to_seq.map_or(Until::Head, Until::Seq)),
        (None, Some(t), _) => (business(t), args.to.as_ref().map_or(Until::Head, business)),
        (None, None, Some(t)) => (
            Until::RecordedAt(t),
            args.recorded_to.map_or(Until::Head, Until::RecordedAt),
        ),
        (None, None, None) => unreachable!("clap requires --from-seq, --from or --recorded-from"),
    };
    let (mut source, total) = super::open_source(config, args.input.path()).await?;
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
