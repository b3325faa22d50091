//! Tests that need a PostgreSQL server are marked ignored, with the reason,
//! on a machine without its binaries (cfg `no_postgres`); under `CI=true`
//! they always run, so that a missing install fails instead of passing.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_postgres)");
    println!("cargo::rerun-if-env-changed=GPU_LEDGER_PG_BIN");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-changed=/usr/lib/postgresql");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let found = match std::env::var("GPU_LEDGER_PG_BIN") {
        Ok(dir) => std::path::Path::new(&dir).join("initdb").exists(),
        Err(_) => std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|d| {
            d.filter_map(|e| e.ok())
                .any(|e| e.path().join("bin/initdb").exists())
        }),
    };
    if !ci && !found {
        println!("cargo::rustc-cfg=no_postgres");
    }
}
