//! `utfall`: the command line. Parsing, dispatch and exit codes live here; the work is done by
//! the library crates.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;
mod output;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => output::report_error(&error),
    }
}
