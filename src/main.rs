//! The `gpu-ledger` binary: everything lives in the `api` crate (command line and HTTP server).

/// mimalloc instead of glibc's malloc: import, replay and the server each
/// allocate and free small strings and buffers per event, and glibc's
/// allocator took 10 to 18% of their CPU (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    gpu_ledger_api::cli::main_with(return_freed_memory_at_once)
}

/// mimalloc's `purge_delay` option (`mi_option_e` in mimalloc.h: the same
/// place in v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A server folds a large history once at start (and the dashboard's
/// history once more in the background), then holds far less. By default
/// mimalloc keeps what was freed for reuse, so an idle server on a 1M-event
/// ledger stayed at 251 MiB resident; giving pages back as soon as they are
/// free brought it to 126 MiB (issue 19). Batch commands keep the default:
/// they end soon, and reuse is faster.
fn return_freed_memory_at_once() {
    // SAFETY: sets one of mimalloc's options, which it reads atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}
