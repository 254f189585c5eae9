//! One module per subcommand, each with `run(args, shell) -> Result<ExitStatus>`.

pub mod audit;
mod check;
pub mod clean;
pub mod dedupe;
pub mod export;
pub mod import;
pub mod load;
pub mod profile;
pub mod run;
pub mod synth;
pub mod template;
pub mod validate;

/// How a command ended, mapped to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the job is done.
    Success,
    /// 1: the data failed a check (errors found, required columns missing).
    Failure,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
        }
    }
}
