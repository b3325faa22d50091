//! The ledger on PostgreSQL, through the real binary: the same history gives
//! the same export bytes as on the file store, `copy` moves a ledger both
//! ways, the schema is made by the program, analysts' SQL reads the events
//! as jsonb, and an import killed part way leaves the ledger as it was.
//!
//! Each test starts a throwaway cluster (`testkit::postgres`); without
//! PostgreSQL's server binaries the tests are ignored, and under `CI=true`
//! they fail.

mod common;

use common::*;
use gpu_ledger_testkit::postgres::PgCluster;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const CLOCK: &str = "2026-03-03T03:00:00.000000Z";

fn cluster() -> PgCluster {
    PgCluster::start().unwrap_or_else(|e| panic!("a PostgreSQL cluster: {e}"))
}

fn on_store(store: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gpu-ledger"));
    c.arg("--store").arg(store);
    c
}

fn run_on(store: &str, args: &[&str]) -> Output {
    on_store(store)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A command that names its stores itself (`copy`).
fn run_plain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gpu-ledger"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn example() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/march-2026.jsonl")
}

fn export(store: &str, out: &Path) -> Vec<u8> {
    ok(run_on(store, &["export", "--out", out.to_str().unwrap()]));
    std::fs::read(out).unwrap()
}

#[test]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
fn the_same_history_exports_byte_for_byte_as_on_the_file_store() {
    let pg = cluster();
    let dir = tempfile::tempdir().unwrap();
    let file = format!("file:{}", dir.path().join("file").display());
    let url = pg.url("schema=flow");
    for store in [&file, &url] {
        ok(run_on(
            store,
            &["--clock-start", CLOCK, "import", example()],
        ));
    }
    let from_file = export(&file, &dir.path().join("file.jsonl"));
    let from_pg = export(&url, &dir.path().join("pg.jsonl"));
    assert!(from_file.len() > 1_000_000);
    assert!(from_file == from_pg, "the exports differ");
    let head = |store: &str| stdout_json(&ok(run_on(store, &["--json", "head"])));
    assert_eq!(head(&file), head(&url));
    let verified = stdout_json(&ok(run_on(&url, &["--json", "verify", "--deep"])));
    assert_eq!(verified["ok"], true, "{verified}");
    for view in ["calls", "holdings"] {
        let args = ["view", view, "--format", "json"];
        assert_eq!(
            ok(run_on(&file, &args)).stdout,
            ok(run_on(&url, &args)).stdout,
            "view {view}"
        );
    }

    // copy: PostgreSQL to a new directory, and the file store to another schema.
    let copied = format!("file:{}", dir.path().join("copied").display());
    let report = stdout_json(&ok(run_plain(&[
        "--json", "copy", "--from", &url, "--to", &copied,
    ])));
    assert_eq!(report["seq"], head(&url)["seq"], "{report}");
    let url2 = pg.url("schema=copied");
    ok(run_plain(&["copy", "--from", &file, "--to", &url2]));
    for store in [&copied, &url2] {
        assert!(
            export(store, &dir.path().join("again.jsonl")) == from_file,
            "{store}"
        );
    }
    // A second copy into a full store continues nothing and refuses nothing
    // of the same ledger; into another ledger it is refused.
    ok(run_plain(&["copy", "--from", &file, "--to", &url2]));
    let other = format!("file:{}", dir.path().join("other").display());
    let one = dir.path().join("one.jsonl");
    std::fs::write(
        &one,
        std::fs::read_to_string(example())
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    ok(run_on(&other, &["import", one.to_str().unwrap()]));
    let refused = run_plain(&["copy", "--from", &other, "--to", &url2]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not the beginning"));
}

#[test]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
fn the_schema_is_made_by_the_program_and_analysts_read_events_as_jsonb() {
    let pg = cluster();
    // The default schema, which the README's queries name.
    let url = pg.url("");
    // A reader finds no schema and says what to run.
    let out = run_on(&url, &["head"]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("migrate") && said.trim().lines().count() == 1,
        "{said}"
    );
    let made = stdout_json(&ok(run_on(&url, &["--json", "migrate"])));
    assert_eq!(
        (made["from"].as_i64(), made["migrated"].as_bool()),
        (Some(0), Some(true))
    );
    let again = stdout_json(&ok(run_on(&url, &["--json", "migrate"])));
    assert_eq!(again["migrated"], false);
    ok(run_on(&url, &["import", example()]));

    // The README's queries.
    let by_sector = pg
        .psql(include_str!("../docs/sql/gpus_awarded_by_sector.sql"))
        .unwrap();
    let total: u64 = by_sector
        .lines()
        .map(|l| l.split('|').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    let awarded: u64 = std::fs::read_to_string(example())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "AwardGranted")
        .map(|e| e["gpus"].as_u64().unwrap())
        .sum();
    assert!(awarded > 0 && total == awarded, "{by_sector}");
    for query in [
        include_str!("../docs/sql/recalls_by_reason.sql"),
        include_str!("../docs/sql/events_by_month.sql"),
    ] {
        assert!(!pg.psql(query).unwrap().is_empty(), "{query}");
    }

    // Records are append-only, even to the database's own users.
    let tamper = pg.psql("UPDATE gpu_ledger.records SET event = '{}' WHERE seq = 1");
    assert!(tamper.unwrap_err().contains("append-only"));
}

/// The seq of the last record, read straight from the database.
fn db_head(pg: &PgCluster, schema: &str) -> u64 {
    pg.psql(&format!(
        "SELECT coalesce(max(seq), 0) FROM {schema}.records"
    ))
    .unwrap()
    .parse()
    .unwrap()
}

/// Whether an import's transaction has written rows (its COPY is running
/// or done, and it has not committed).
fn import_is_writing(pg: &PgCluster) -> bool {
    pg.psql(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE application_name = 'gpu-ledger' AND backend_xid IS NOT NULL",
    )
    .is_ok_and(|n| n != "0")
}

#[test]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
fn an_import_killed_part_way_leaves_the_ledger_as_it_was() {
    let pg = cluster();
    let url = pg.url("schema=killed");
    let dir = tempfile::tempdir().unwrap();
    let (history, _) = gpu_ledger_testkit::workload::history_bytes(60_000, 3);
    let text = String::from_utf8(history).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (first, rest) = lines.split_at(1_000);
    let write = |name: &str, lines: &[&str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{}\n", lines.join("\n"))).unwrap();
        path
    };
    let base = write("base.jsonl", first);
    let big = write("big.jsonl", rest);
    ok(run_on(&url, &["import", base.to_str().unwrap()]));
    let before = stdout_json(&ok(run_on(&url, &["--json", "head"])));

    let mut import = on_store(&url)
        .args(["import", big.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !import_is_writing(&pg) {
        assert!(
            import.try_wait().unwrap().is_none(),
            "the import ended before it was seen writing"
        );
        assert!(
            Instant::now() < deadline,
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    import.kill().unwrap();
    import.wait().unwrap();

    // The killed session's rows never became visible and never will.
    let gone = Instant::now() + Duration::from_secs(20);
    while import_is_writing(&pg) && Instant::now() < gone {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(db_head(&pg, "killed"), 1_000);
    assert_eq!(stdout_json(&ok(run_on(&url, &["--json", "head"]))), before);
    let verified = stdout_json(&ok(run_on(&url, &["--json", "verify"])));
    assert_eq!(
        (verified["ok"].as_bool(), verified["events"].as_u64()),
        (Some(true), Some(1_000))
    );
    // Nothing is left holding the seqs: the same import goes through.
    ok(run_on(&url, &["import", big.to_str().unwrap()]));
    assert_eq!(db_head(&pg, "killed"), 60_000);
}

#[test]
#[cfg_attr(
    not(postgres),
    ignore = "no PostgreSQL server programs: apt-get install postgresql"
)]
fn copy_and_verify_refuse_a_row_changed_behind_the_programs_back() {
    let pg = cluster();
    let url = pg.url("schema=tampered");
    ok(run_on(&url, &["import", example()]));
    pg.psql(
        "ALTER TABLE tampered.records DISABLE TRIGGER records_append_only; \
         UPDATE tampered.records SET event = convert_to(replace(convert_from(event, 'UTF8'), '\"gpus\":8', '\"gpus\":9'), 'UTF8') \
         WHERE seq = (SELECT min(seq) FROM tampered.events WHERE event ->> 'gpus' = '8')",
    )
    .unwrap();
    let seq = pg
        .psql("SELECT min(seq) FROM tampered.events WHERE event ->> 'gpus' = '9'")
        .unwrap();
    assert!(!seq.is_empty(), "a row was changed");
    let dir = tempfile::tempdir().unwrap();
    let target = format!("file:{}", dir.path().join("copy").display());
    let refused = run_plain(&["copy", "--from", &url, "--to", &target]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_ne!(refused.status.code(), Some(0), "{said}");
    assert!(said.contains(&format!("seq {seq}")), "{said}");
    let verified = run_on(&url, &["--json", "verify"]);
    assert_eq!(verified.status.code(), Some(1));
    assert_eq!(
        stdout_json(&verified)["first_bad_seq"].as_u64(),
        seq.parse().ok()
    );
}
