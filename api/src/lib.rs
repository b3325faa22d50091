//! The `gpu-ledger` command line and (soon) its HTTP server.
//!
//! One module per command in [`commands`]; [`cli`] parses arguments and
//! turns every error into one sentence a person can act on.

pub mod cli;
pub mod commands;
mod progress;
mod store_config;
