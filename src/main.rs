//! The `pipesim` command line: parses arguments and calls into the library.
//!
//! The library (the embedded simulator) is complete; the `serve`, `bench` and `load`
//! subcommands arrive with the server and performance work.

use clap::Parser;

/// A fast, faithful simulator of the AWS CodePipeline execution engine.
///
/// Today pipesim is used as a Rust library (see README.md); the `serve` subcommand,
/// which speaks the CodePipeline wire protocol, is not part of this build yet.
#[derive(Debug, Parser)]
#[command(name = "pipesim", version, about, arg_required_else_help = true)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
