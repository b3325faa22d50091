//! Where an auditor reads records from: the live store, or an export file
//! handed over as a copy (checked line by line as it is read).

use gpu_ledger_ledger::export::parse_export_line;
use gpu_ledger_ledger::{EventStore, Record, StoreError};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Records in seq order.
pub enum Source {
    Store {
        store: Arc<dyn EventStore>,
        next: u64,
    },
    Export {
        path: PathBuf,
        lines: BufReader<File>,
        line: u64,
        buf: Vec<u8>,
    },
}

/// A record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}: line {line}: {message}", path.display())]
    Export {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl SourceError {
    /// The seq of the record that could not be read, where it is known.
    pub fn seq(&self) -> Option<u64> {
        match self {
            SourceError::Store(StoreError::Damaged { seq, .. }) => *seq,
            SourceError::Store(StoreError::Broken { seq, .. }) => Some(*seq),
            SourceError::Export { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl Source {
    pub fn store(store: Arc<dyn EventStore>) -> Self {
        Self::store_after(store, 0)
    }

    /// The records of `store` after seq `after`.
    pub fn store_after(store: Arc<dyn EventStore>, after: u64) -> Self {
        Source::Store {
            store,
            next: after + 1,
        }
    }

    pub fn export(path: &Path) -> Result<Self, SourceError> {
        let file = File::open(path).map_err(|source| SourceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Source::Export {
            path: path.to_path_buf(),
            lines: BufReader::with_capacity(1 << 20, file),
            line: 0,
            buf: Vec::with_capacity(1024),
        })
    }

    /// The next records, at most `max`; empty at the end.
    pub async fn next_batch(&mut self, max: usize) -> Result<Vec<Record>, SourceError> {
        match self {
            Source::Store { store, next } => {
                let records = store.read(*next, max).await?;
                *next += records.len() as u64;
                Ok(records)
            }
            Source::Export {
                path,
                lines,
                line,
                buf,
            } => {
                let mut out = Vec::with_capacity(max.min(1 << 16));
                while out.len() < max {
                    buf.clear();
                    let n = lines
                        .read_until(b'\n', buf)
                        .map_err(|source| SourceError::Io {
                            path: path.clone(),
                            source,
                        })?;
                    if n == 0 {
                        break;
                    }
                    *line += 1;
                    let bad = |message: String| SourceError::Export {
                        path: path.clone(),
                        line: *line,
                        message,
                    };
                    if buf.pop() != Some(b'\n') {
                        return Err(bad("the last line does not end with a newline".into()));
                    }
                    if buf.last() == Some(&b'\r') {
                        return Err(bad("the line ends with CRLF; exports use LF only".into()));
                    }
                    let record = parse_export_line(buf).map_err(|e| bad(e.0))?;
                    out.push(record);
                }
                Ok(out)
            }
        }
    }
}
