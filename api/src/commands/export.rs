//! `gpu-ledger export`: every record, one canonical JSON line each.

use super::{CommandError, Outcome, grouped};
use crate::store_config::StoreConfig;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// Write to this file (replaced only once the export is complete) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub async fn run(
    config: &StoreConfig,
    args: &ExportArgs,
    json: bool,
) -> Result<Outcome, CommandError> {
    let store = config.open_for_reading()?;
    let head = store.head().await?;
    let failed =
        |what: &str, e: std::io::Error| CommandError::Failed(format!("cannot write {what}: {e}"));
    let (mut out, partial): (Box<dyn Write>, Option<PathBuf>) = match &args.out {
        Some(path) => {
            let partial = path.with_extension("partial");
            let f = std::fs::File::create(&partial)
                .map_err(|e| failed(&partial.display().to_string(), e))?;
            (
                Box::new(std::io::BufWriter::with_capacity(1 << 20, f)),
                Some(partial),
            )
        }
        None => {
            if json {
                return Err(CommandError::Failed(
                    "--json needs --out FILE: the export itself is what goes to stdout otherwise"
                        .into(),
                ));
            }
            (
                Box::new(std::io::BufWriter::with_capacity(
                    1 << 20,
                    std::io::stdout().lock(),
                )),
                None,
            )
        }
    };
    let mut next = 1;
    let mut line = Vec::with_capacity(1 << 20);
    while next <= head.seq {
        let records = store.read(next, 1 << 16).await?;
        if records.is_empty() {
            break;
        }
        line.clear();
        for r in &records {
            r.write_export_line(&mut line);
        }
        out.write_all(&line).map_err(|e| failed("the export", e))?;
        next += records.len() as u64;
    }
    out.flush().map_err(|e| failed("the export", e))?;
    drop(out);
    let exported = next - 1;
    if let (Some(partial), Some(path)) = (partial, &args.out) {
        std::fs::rename(&partial, path).map_err(|e| failed(&path.display().to_string(), e))?;
        return Ok(Outcome {
            human: format!(
                "Exported {} records to {}.",
                grouped(exported),
                path.display()
            ),
            json: serde_json::json!({"exported": exported, "head": head.hash, "out": path}),
            code: 0,
        });
    }
    // The export went to stdout: nothing else may be printed there.
    eprintln!("Exported {} records.", grouped(exported));
    Ok(Outcome {
        human: String::new(),
        json: serde_json::Value::Null,
        code: 0,
    })
}
