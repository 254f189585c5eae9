//! `crmkit validate INPUT --template T [--rules R] [--report FILE] [--max-error-rate X]`

use anyhow::Result;

use super::{check, ExitStatus};
use crate::args::ValidateArgs;
use crate::shell::Shell;

pub fn run(args: ValidateArgs, shell: &mut Shell) -> Result<ExitStatus> {
    let outputs = crmkit_core::report::Outputs {
        findings: args.check.report.as_deref(),
        ..Default::default()
    };
    outputs.check(&args.check.source.input)?;
    let Some((_, run)) = check::run(&args.check, shell)? else {
        return Ok(ExitStatus::Failure);
    };
    let checked = run.checked.as_ref().expect("checked when complete"); // ok: see check::run
    crmkit_core::report::write_outputs(&outputs, &run.rules.template, &run.imported, checked)?;
    check::summarise(&args.check, checked, shell)
}
