//! `gpu-ledger view NAME`: an analyst's view of the programme, now or at
//! any point in history.

use super::{CommandError, FromExport, Outcome, PointArgs};
use crate::progress::Progress;
use crate::store_config::StoreConfig;
use gpu_ledger_domain::Timestamp;
use gpu_ledger_projections::ranking::Selection;
use gpu_ledger_projections::utilization::Thresholds;
use gpu_ledger_projections::{Format, ViewName, ViewParams};
use gpu_ledger_replay::rebuild_views;

#[derive(clap::Args, Debug)]
pub struct ViewArgs {
    /// holdings, pools, calls, ranking, utilization, concentration, due, outputs or reviews.
    pub name: ViewName,

    #[command(flatten)]
    pub point: PointArgs,

    /// table (for people), json (for programs) or csv (for spreadsheets).
    #[arg(long, default_value = "table", value_name = "FORMAT")]
    pub format: Format,

    /// utilization: a period is below when under this many basis points.
    #[arg(long, default_value_t = 5000, value_name = "BP")]
    pub threshold_bp: u32,

    /// utilization: consecutive periods below that make a recall candidate (1 to 16).
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=16))]
    pub periods: u32,

    /// due: the instant to judge deadlines at (RFC 3339; default: the last event's occurred_at).
    #[arg(long, value_name = "T", value_parser = Timestamp::parse)]
    pub now: Option<Timestamp>,

    /// csv: which of the view's tables (default: its main one).
    #[arg(long, value_name = "TABLE")]
    pub section: Option<String>,

    /// ranking: only the tracks of this call.
    #[arg(long, value_name = "CALL")]
    pub call: Option<String>,

    /// ranking: only the tracks with this id.
    #[arg(long, value_name = "TRACK")]
    pub track: Option<String>,

    /// ranking: a page of this many applications per track (1 to 1000).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,

    /// ranking: start after this application (needs one track: give --call and --track).
    #[arg(long, value_name = "APPLICATION")]
    pub after: Option<String>,

    #[command(flatten)]
    pub input: FromExport,
}

pub async fn run(
    config: &StoreConfig,
    args: &ViewArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    let (mut source, total) = super::open_source(config, args.input.path()).await?;
    let until = args.point.until();
    let progress = Progress::new(json, total, "replaying");
    let projections = rebuild_views(&mut source, until, |n| progress.update(n, n)).await?;
    progress.finish();
    let params = ViewParams {
        utilization: Thresholds {
            threshold_bp: args.threshold_bp,
            periods: args.periods,
        },
        now: args.now.clone(),
        section: args.section.clone(),
        ranking: Selection {
            call: args.call.clone(),
            track: args.track.clone(),
            limit: args.limit,
            after: args.after.clone(),
        },
    };
    if params.ranking.is_given() && args.name != ViewName::Ranking {
        return Err(CommandError::Failed(format!(
            "--call, --track, --limit and --after page the ranking view, not {}",
            args.name
        )));
    }
    if args.name == ViewName::Ranking {
        params
            .ranking
            .check(&projections.catalog)
            .map_err(CommandError::Failed)?;
    }
    if let Some(section) = &args.section {
        let tables = projections.tables(args.name, &params);
        if !tables.iter().any(|t| t.name == section) {
            let names: Vec<_> = tables.iter().map(|t| t.name).collect();
            return Err(CommandError::Failed(format!(
                "the {} view has no table {section:?} (tables: {})",
                args.name,
                names.join(", ")
            )));
        }
    }
    let mut view = projections.json(args.name, &params);
    if let Some(as_of) = args.point.as_of_json() {
        view["as_of"] = as_of;
    }
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&view).expect("views serialise");
            s.push('\n');
            s
        }
        format => projections.render(args.name, &params, format),
    };
    Ok(Outcome {
        human: text.trim_end_matches('\n').to_string(),
        json: view,
        code: 0,
    })
}
