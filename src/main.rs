//! The `gpu-ledger` binary: everything lives in the `api` crate (command line and HTTP server).

fn main() -> std::process::ExitCode {
    gpu_ledger_api::cli::main()
}
