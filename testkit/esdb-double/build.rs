//! Generates the Streams and Gossip servers from the .proto files that the
//! `eventstore` crate ships in its source, so that the double speaks exactly
//! the messages that client sends and expects (and nothing is copied here).
//! There is no protoc on the machines: protox parses the files in Rust, and
//! tonic-build generates the servers from the descriptor set.

use std::path::{Path, PathBuf};

/// The client whose protos are used: the one `ledger` depends on.
const CLIENT: &str = "eventstore-4.0.0";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-env-changed=GPU_LEDGER_ESDB_PROTOS");
    let protos = match std::env::var_os("GPU_LEDGER_ESDB_PROTOS") {
        Some(dir) => PathBuf::from(dir),
        None => find_protos()?,
    };
    let files = ["streams.proto", "gossip.proto"].map(|f| protos.join(f));
    for f in [
        "streams.proto",
        "gossip.proto",
        "shared.proto",
        "status.proto",
        "code.proto",
    ] {
        println!("cargo::rerun-if-changed={}", protos.join(f).display());
    }
    let fds = protox::compile(&files, [&protos])?;
    tonic_build::configure()
        .build_client(false)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}

/// `$CARGO_HOME/registry/src/<index>/eventstore-4.0.0/protos`: cargo has
/// unpacked it there, as the workspace depends on that crate.
fn find_protos() -> Result<PathBuf, String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    let registry = home.join("registry").join("src");
    let indexes =
        std::fs::read_dir(&registry).map_err(|e| format!("{}: {e}", registry.display()))?;
    for index in indexes.flatten() {
        let dir = index.path().join(CLIENT).join("protos");
        if dir.join("streams.proto").is_file() {
            return Ok(dir);
        }
    }
    Err(format!(
        "the protos of {CLIENT} are not under {}: run `cargo fetch`, or set \
         GPU_LEDGER_ESDB_PROTOS to a directory holding them",
        registry.display()
    ))
}
