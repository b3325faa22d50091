//! `gpu-ledger-bench transparency`: what keeping the Merkle tree costs the
//! appends, and how long proofs take to make and to check (issue 5's figures).
//!
//! Appends go straight to the embedded store, in batches as group commit
//! lands them, each batch synced before the next. "With the tree" also adds
//! every acknowledged record's leaf to the node files, exactly as the server
//! does (written out every 4096 leaves). The domain's rules are left out on
//! purpose: they cost the same either way, and without them the tree's share
//! of the work is at its largest. The two modes alternate, each round in a
//! fresh directory, so that a busy neighbour slows both alike.
//!
//! Proofs are made from the node files of the last "with" run, opened afresh
//! and read-only as `gpu-ledger prove` opens them, and checked with the pure
//! functions an auditor's tool would use (RFC 9162 sections 2.1.3.2 and 2.1.4.2).

use crate::stats::{Latencies, median};
use crate::suite::machine::CpuClock;
use gpu_ledger_ledger::merkle::levels::Levels;
use gpu_ledger_ledger::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion,
};
use gpu_ledger_ledger::{EventBatch, EventStore, FileStore, Hash};
use gpu_ledger_testkit::workload;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct Options {
    pub events: u64,
    pub seed: u64,
    /// Events per append (one sync each).
    pub batch: usize,
    pub rounds: usize,
    /// Proofs of each kind to make and check.
    pub proofs: usize,
    /// Where the stores and node files go; removed afterwards.
    pub work_dir: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub events: u64,
    pub batch: usize,
    /// Events/s of each round.
    pub without_tree: Vec<f64>,
    pub with_tree: Vec<f64>,
    /// Adding leaves alone (in memory, node files written every 4096 leaves).
    pub leaf_ns: f64,
    pub tree_bytes: u64,
    pub proofs: Proofs,
    /// Cores other work kept busy, on average, while this ran.
    pub others_cores: f64,
}

/// Proofs made and checked over the whole ledger, with their longest paths.
#[derive(Debug, Clone)]
pub struct Proofs {
    pub inclusion_made: Latencies,
    pub inclusion_checked: Latencies,
    pub inclusion_path: usize,
    pub consistency_made: Latencies,
    pub consistency_checked: Latencies,
    pub consistency_path: usize,
}

pub fn run(options: &Options) -> Result<Report, String> {
    if options.events == 0 || options.batch == 0 || options.rounds == 0 {
        return Err("--events, --batch and --rounds must be at least 1".into());
    }
    let started = Instant::now();
    let clock = CpuClock::now();
    let batches = canonical_batches(options)?;
    let runtime = crate::runtime(1)?;
    std::fs::create_dir_all(&options.work_dir)
        .map_err(|e| format!("cannot create {}: {e}", options.work_dir.display()))?;

    let mut without_tree = Vec::new();
    let mut with_tree = Vec::new();
    let mut record_hashes = Vec::new();
    let tree_dir = options.work_dir.join("merkle");
    for round in 0..options.rounds {
        // Alternate which mode goes first, so neither always meets a warm cache.
        let order = if round % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for keep_tree in order {
            let store_dir = options.work_dir.join(format!("store-{round}-{keep_tree}"));
            if keep_tree {
                let _ = std::fs::remove_dir_all(&tree_dir);
            }
            let (rate, hashes) = runtime.block_on(append_all(
                &batches,
                &store_dir,
                keep_tree.then_some(tree_dir.as_path()),
            ))?;
            let _ = std::fs::remove_dir_all(&store_dir);
            eprintln!(
                "round {}: {} events/s {} the tree",
                round + 1,
                rate.round(),
                if keep_tree { "with" } else { "without" }
            );
            if keep_tree {
                with_tree.push(rate);
                record_hashes = hashes;
            } else {
                without_tree.push(rate);
            }
        }
    }

    let leaf_ns = time_leaves(&record_hashes, &options.work_dir.join("leaves-only"))?;
    let tree_bytes = dir_bytes(&tree_dir);
    let proofs = time_proofs(&record_hashes, &tree_dir, options)?;
    let _ = std::fs::remove_dir_all(&options.work_dir);
    let others_cores = CpuClock::now().others_cores_since(&clock, started.elapsed().as_secs_f64());
    Ok(Report {
        events: options.events,
        batch: options.batch,
        without_tree,
        with_tree,
        leaf_ns,
        tree_bytes,
        proofs,
        others_cores,
    })
}

/// The workload's events, in append-sized batches: its lines are the
/// canonical bytes already (the domain's canonical writer wrote them).
fn canonical_batches(options: &Options) -> Result<Vec<EventBatch>, String> {
    let (history, _) = workload::history_bytes(options.events, options.seed);
    let mut batches = Vec::new();
    let mut batch = EventBatch::new();
    for line in history.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        batch.push(line);
        if batch.len() == options.batch {
            batches.push(std::mem::take(&mut batch));
        }
    }
    if !batch.is_empty() {
        batches.push(batch);
    }
    Ok(batches)
}

/// Appends every batch to a fresh store; events/s and the record hashes.
async fn append_all(
    batches: &[EventBatch],
    store_dir: &Path,
    tree_dir: Option<&Path>,
) -> Result<(f64, Vec<Hash>), String> {
    let store = FileStore::open(store_dir)
        .map_err(|e| format!("cannot open a store in {}: {e}", store_dir.display()))?;
    let mut tree = match tree_dir {
        Some(dir) => Some(
            Levels::open(dir, true, 0)
                .map_err(|e| format!("cannot open the node files in {}: {e}", dir.display()))?,
        ),
        None => None,
    };
    let batches = batches.to_vec();
    let mut hashes = Vec::new();
    let started = Instant::now();
    for batch in batches {
        let metas = store
            .append(batch, None)
            .await
            .map_err(|e| format!("append failed: {e}"))?;
        if let Some(tree) = tree.as_mut() {
            for meta in &metas {
                tree.push_record_flushing(&meta.hash)
                    .map_err(|e| format!("node files: {e}"))?;
            }
        }
        hashes.extend(metas.iter().map(|m| m.hash));
    }
    if let Some(tree) = tree.as_mut() {
        tree.flush().map_err(|e| format!("node files: {e}"))?;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok((hashes.len() as f64 / seconds, hashes))
}

/// Nanoseconds per leaf of building the tree alone.
fn time_leaves(hashes: &[Hash], dir: &Path) -> Result<f64, String> {
    let mut tree = Levels::open(dir, true, 0).map_err(|e| format!("node files: {e}"))?;
    let started = Instant::now();
    for hash in hashes {
        tree.push_record_flushing(hash)
            .map_err(|e| format!("node files: {e}"))?;
    }
    tree.flush().map_err(|e| format!("node files: {e}"))?;
    let nanos = started.elapsed().as_nanos() as f64;
    let _ = std::fs::remove_dir_all(dir);
    Ok(nanos / hashes.len().max(1) as f64)
}

fn time_proofs(hashes: &[Hash], tree_dir: &Path, options: &Options) -> Result<Proofs, String> {
    let size = hashes.len() as u64;
    let tree =
        Levels::open(tree_dir, false, size).map_err(|e| format!("cannot reopen the tree: {e}"))?;
    if tree.len() != size {
        return Err(format!(
            "the node files hold {} leaves, not {size}",
            tree.len()
        ));
    }
    let root = tree.root(size).map_err(|e| e.to_string())?;
    let mut dice = ChaCha8Rng::seed_from_u64(options.seed);
    let (mut made, mut checked, mut path_len) = (Vec::new(), Vec::new(), 0);
    for _ in 0..options.proofs {
        let index = dice.random_range(0..size);
        let t = Instant::now();
        let path = inclusion_proof(&tree, index, size).map_err(|e| e.to_string())?;
        made.push(t.elapsed().as_nanos() as u64);
        let leaf = leaf_hash(&hashes[index as usize].0);
        let t = Instant::now();
        verify_inclusion(index, size, &leaf, &path, &root)
            .map_err(|e| format!("an inclusion proof did not check: {e}"))?;
        checked.push(t.elapsed().as_nanos() as u64);
        path_len = path_len.max(path.len());
    }
    let (mut c_made, mut c_checked, mut c_path_len) = (Vec::new(), Vec::new(), 0);
    for _ in 0..options.proofs {
        let from = dice.random_range(1..=size);
        let from_root = tree.root(from).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let path = consistency_proof(&tree, from, size).map_err(|e| e.to_string())?;
        c_made.push(t.elapsed().as_nanos() as u64);
        let t = Instant::now();
        verify_consistency(from, size, &from_root, &root, &path)
            .map_err(|e| format!("a consistency proof did not check: {e}"))?;
        c_checked.push(t.elapsed().as_nanos() as u64);
        c_path_len = c_path_len.max(path.len());
    }
    Ok(Proofs {
        inclusion_made: Latencies::from_nanos(made),
        inclusion_checked: Latencies::from_nanos(checked),
        inclusion_path: path_len,
        consistency_made: Latencies::from_nanos(c_made),
        consistency_checked: Latencies::from_nanos(c_checked),
        consistency_path: c_path_len,
    })
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// The figures as a Markdown table.
pub fn markdown(r: &Report) -> String {
    let (without, with) = (median(&r.without_tree), median(&r.with_tree));
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "{} records, appended in batches of {} (one sync each); median of {} rounds; \
         other work kept {:.2} cores busy on average.\n",
        r.events,
        r.batch,
        r.with_tree.len(),
        r.others_cores
    );
    let _ = writeln!(w, "| figure | value |\n| --- | --- |");
    let _ = writeln!(w, "| appends without the tree | {without:.0} events/s |");
    let _ = writeln!(w, "| appends keeping the tree | {with:.0} events/s |");
    let _ = writeln!(
        w,
        "| throughput lost to the tree | {:.1} % |",
        (1.0 - with / without) * 100.0
    );
    let _ = writeln!(
        w,
        "| adding one leaf (hashes + node files) | {:.0} ns |",
        r.leaf_ns
    );
    let _ = writeln!(
        w,
        "| node files at {} records | {:.1} MB |",
        r.events,
        r.tree_bytes as f64 / 1e6
    );
    let us = |l: &Latencies, q: f64| l.quantile_ms(q) * 1000.0;
    let p = &r.proofs;
    for (what, made, checked, path) in [
        (
            "inclusion",
            &p.inclusion_made,
            &p.inclusion_checked,
            p.inclusion_path,
        ),
        (
            "consistency",
            &p.consistency_made,
            &p.consistency_checked,
            p.consistency_path,
        ),
    ] {
        let _ = writeln!(
            w,
            "| {what} proof made, p50 / p99 ({} proofs, up to {path} hashes) | {:.1} / {:.1} µs |",
            made.len(),
            us(made, 0.5),
            us(made, 0.99)
        );
        let _ = writeln!(
            w,
            "| {what} proof checked, p50 / p99 | {:.1} / {:.1} µs |",
            us(checked, 0.5),
            us(checked, 0.99)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_makes_proofs_that_check_and_reports_every_figure() {
        let dir =
            std::env::temp_dir().join(format!("glb-transparency-test-{}", std::process::id()));
        let report = run(&Options {
            events: 700,
            seed: 3,
            batch: 64,
            rounds: 2,
            proofs: 50,
            work_dir: dir.clone(),
        })
        .expect("the run completes");
        assert_eq!(report.with_tree.len(), 2);
        assert_eq!(report.without_tree.len(), 2);
        // ceil(log2(700)) hashes at most in an inclusion path.
        assert_eq!(report.proofs.inclusion_path, 10);
        assert_eq!(report.proofs.inclusion_made.len(), 50);
        // 700 leaves: 700 + 350 + 175 + 87 + 43 + 21 + 10 + 5 + 2 + 1 complete subtrees.
        assert_eq!(report.tree_bytes, 1394 * 32);
        assert!(!dir.exists(), "the scratch directory is removed");
        let table = markdown(&report);
        assert!(table.contains("| appends keeping the tree |"), "{table}");
    }
}
