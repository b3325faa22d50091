//! What this machine offers the whole-flow tests that need more than the
//! project, as cfgs the tests read: a test whose prerequisite is missing is
//! reported by the test runner as ignored, never as passed.
//!
//! - `browser`: Debian's chromium and chromedriver are installed. Under
//!   `CI=true`, where `.ci/run` installs them, the cfg is always set, so that
//!   their absence fails the browser test instead of hiding it.
//! - `can_mount`: the tests run as root, who may mount the small tmpfs the
//!   full-disk test fills (always set under `CI=true` too).
//! - `postgres`: PostgreSQL's server programs are installed (see
//!   `testkit/src/pg_binaries.rs`), for the tests that start throwaway
//!   clusters (always set under `CI=true` too).
//!
//! After installing a prerequisite, `touch build.rs` (or change `PATH`) so
//! that cargo looks again.

use std::path::Path;

#[path = "testkit/src/pg_binaries.rs"]
mod pg_binaries;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(browser)");
    println!("cargo::rustc-check-cfg=cfg(can_mount)");
    println!("cargo::rustc-check-cfg=cfg(postgres)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=testkit/src/pg_binaries.rs");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=GPU_LEDGER_PG_BIN");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let on_path = |names: &[&str]| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        names.iter().any(|name| {
            std::env::split_paths(&path)
                .chain([Path::new("/usr/bin").to_path_buf()])
                .any(|dir| dir.join(name).is_file())
        })
    };
    if ci || (on_path(&["chromium", "chromium-browser"]) && on_path(&["chromedriver"])) {
        println!("cargo::rustc-cfg=browser");
    }
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
    if ci || root {
        println!("cargo::rustc-cfg=can_mount");
    }
    if ci || pg_binaries::find().is_ok() {
        println!("cargo::rustc-cfg=postgres");
    }
}
