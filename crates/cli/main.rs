//! The `crmkit` binary: parses arguments, runs one library operation per subcommand, renders
//! the result and maps it to an exit code (0 success, 1 the data failed a check, 2 the tool
//! could not do its job).

mod args;
mod commands;
mod progress;
mod shell;

use std::process::ExitCode;

/// mimalloc: a million-row run frees and allocates many small strings step after step; glibc's
/// allocator keeps most of what a step freed, mimalloc returns it, so a step's peak does not
/// add to the previous step's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

use args::{Cli, Command};
use shell::Shell;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let mut shell = Shell::new();
    let result = match cli.command {
        Command::Template(command) => commands::template::run(command, &mut shell),
        Command::Import(args) => commands::import::run(args, &mut shell),
        Command::Validate(args) => commands::validate::run(args, &mut shell),
        Command::Clean(args) => commands::clean::run(args, &mut shell),
        Command::Dedupe(args) => commands::dedupe::run(*args, &mut shell),
        Command::Load(args) => commands::load::run(args, &mut shell),
        Command::Synth(args) => commands::synth::run(args, &mut shell),
        Command::Export(args) => commands::export::run(args, &mut shell),
        Command::Audit(command) => commands::audit::run(command, &mut shell),
        Command::Run(args) => commands::run::run(args, &mut shell),
        Command::Profile(args) => commands::profile::run(args, &mut shell),
    };
    match result {
        Ok(status) => ExitCode::from(status.code() as u8),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", shell::safe(&e.to_string()));
            for cause in e.chain().skip(1) {
                eprintln!("  Caused by: {}", shell::safe(&cause.to_string()));
            }
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
