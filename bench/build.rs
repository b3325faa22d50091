//! Whether the tests that start a PostgreSQL cluster can run, as a cfg: a
//! test whose server programs are missing is reported as ignored, never as
//! passed.
//!
//! - `postgres`: PostgreSQL's server programs are installed (see
//!   `testkit/src/pg_binaries.rs`); always set under `CI=true`, where
//!   `.ci/run` installs them, so that their absence fails.

#[path = "../testkit/src/pg_binaries.rs"]
mod pg_binaries;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../testkit/src/pg_binaries.rs");
    println!("cargo::rerun-if-env-changed=GPU_LEDGER_PG_BIN");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if ci || pg_binaries::find().is_ok() {
        println!("cargo::rustc-cfg=postgres");
    }
}
