//! The `gpu-ledger` binary: everything lives in the `api` crate (command line and HTTP server).

/// mimalloc instead of glibc's malloc: import, replay and the server each
/// allocate and free small strings and buffers per event, and glibc's
/// allocator took 10 to 18% of their CPU (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    gpu_ledger_api::cli::main()
}
