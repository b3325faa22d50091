//! What this machine offers the whole-flow tests, as cfgs the tests read: a
//! test whose prerequisite is missing is reported by the test runner as
//! ignored, never as passed.
//!
//! - `postgres`: PostgreSQL's server programs are installed (see
//!   `testkit/src/pg_binaries.rs`). Under `CI=true`, where `.ci/run`
//!   installs them, the cfg is always set, so that their absence fails the
//!   PostgreSQL tests instead of hiding them.
//!
//! After installing a prerequisite, `touch build.rs` so that cargo looks again.

#[path = "testkit/src/pg_binaries.rs"]
mod pg_binaries;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=testkit/src/pg_binaries.rs");
    println!("cargo::rerun-if-env-changed=GPU_LEDGER_PG_BIN");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if ci || pg_binaries::find().is_ok() {
        println!("cargo::rustc-cfg=postgres");
    }
}
