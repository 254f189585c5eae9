//! `crmkit clean INPUT --template T -o OUT [--changes FILE] [--rejects FILE] [--report FILE]`

use anyhow::{Context, Result};

use crmkit_core::report;

use super::{check, ExitStatus};
use crate::args::CleanArgs;
use crate::shell::Shell;

pub fn run(args: CleanArgs, shell: &mut Shell) -> Result<ExitStatus> {
    // Refuse unwritable output names before reading a large input.
    for path in std::iter::once(&args.output)
        .chain(&args.changes)
        .chain(&args.rejects)
    {
        crmkit_core::write::OutputFormat::from_path(path)?;
    }
    let Some((_, run)) = check::run(&args.check, shell)? else {
        shell.status("未写出输出文件")?;
        return Ok(ExitStatus::Failure);
    };
    let checked = run.checked.as_ref().expect("checked when complete"); // ok: see check::run
    let template = &run.rules.template;
    report::write_clean(&args.output, template, &run.imported, checked)
        .with_context(|| format!("could not write {}", args.output.display()))?;
    if let Some(path) = &args.changes {
        report::write_changes(path, checked)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    if let Some(path) = &args.rejects {
        report::write_rejects(path, template, &run.imported, checked)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let status = check::summarise(&args.check, &run, checked, shell)?;
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
