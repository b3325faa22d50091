//! Whether the conformance cases of a server backend can run, as cfgs: a
//! case whose server is missing is reported as ignored, never as passed.
//!
//! - `esdb_server`: `GPU_LEDGER_ESDB_URL` is set when the tests are built.
//! - `postgres`: PostgreSQL's server programs are installed, to start a
//!   throwaway cluster (see `testkit/src/pg_binaries.rs`); always set under
//!   `CI=true`, where `.ci/run` installs them, so that their absence fails.

#[path = "../testkit/src/pg_binaries.rs"]
mod pg_binaries;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(esdb_server)");
    println!("cargo::rustc-check-cfg=cfg(postgres)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../testkit/src/pg_binaries.rs");
    println!("cargo::rerun-if-env-changed=GPU_LEDGER_ESDB_URL");
    println!("cargo::rerun-if-env-changed=GPU_LEDGER_PG_BIN");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    if std::env::var_os("GPU_LEDGER_ESDB_URL").is_some() {
        println!("cargo::rustc-cfg=esdb_server");
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if ci || pg_binaries::find().is_ok() {
        println!("cargo::rustc-cfg=postgres");
    }
}
