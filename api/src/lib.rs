//! The `gpu-ledger` command line and its HTTP server.
//!
//! One module per command in [`commands`]; [`cli`] parses arguments and
//! turns every error into one sentence a person can act on.

pub mod cli;
pub mod commands;
pub mod import;
mod progress;
pub mod server;
pub mod store_config;
pub mod witness;
