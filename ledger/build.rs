//! Whether the EventStoreDB conformance cases have a server to run against:
//! `GPU_LEDGER_ESDB_URL` set when the tests are built sets the `esdb_server`
//! cfg; without it those cases are reported as ignored, never as passed.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(esdb_server)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=GPU_LEDGER_ESDB_URL");
    if std::env::var_os("GPU_LEDGER_ESDB_URL").is_some() {
        println!("cargo::rustc-cfg=esdb_server");
    }
}
