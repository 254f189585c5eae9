//! `crmkit clean INPUT --template T -o OUT [--changes FILE] [--rejects FILE] [--report FILE]`

use anyhow::Result;

use crmkit_core::report;

use super::{check, ExitStatus};
use crate::args::CleanArgs;
use crate::shell::Shell;

pub fn run(args: CleanArgs, shell: &mut Shell) -> Result<ExitStatus> {
    let outputs = report::Outputs {
        clean: Some(&args.output),
        changes: args.changes.as_deref(),
        rejects: args.rejects.as_deref(),
        findings: args.check.report.as_deref(),
    };
    // Refuse outputs that cannot be written, or would overwrite the input, before reading.
    outputs.check(&args.check.source.input)?;
    let Some((_, run)) = check::run(&args.check, shell)? else {
        shell.status("未写出输出文件")?;
        return Ok(ExitStatus::Failure);
    };
    let checked = run.checked.as_ref().expect("checked when complete"); // ok: see check::run
    let template = &run.rules.template;
    report::write_outputs(&outputs, template, &run.imported, checked)?;
    let status = check::summarise(&args.check, checked, shell)?;
    shell.status(format!(
        "已写入 {}: {} 行{}{}",
        args.output.display(),
        run.imported.rows.len(),
        args.changes
            .as_ref()
            .map(|p| format!("; 修改记录 {} ({} 处)", p.display(), checked.changes.len()))
            .unwrap_or_default(),
        args.rejects
            .as_ref()
            .map(|p| format!("; 问题行 {} ({} 行)", p.display(), checked.error_rows()))
            .unwrap_or_default(),
    ))?;
    Ok(status)
}
