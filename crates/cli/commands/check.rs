//! What `validate` and `clean` share: reading and checking, the summary, the exit status.

use anyhow::Result;

use crmkit_core::dates::Date;
use crmkit_core::finding::Severity;
use crmkit_core::template::Template;
use crmkit_core::validate::{self, Checked, Run, RunOptions};

use super::ExitStatus;
use crate::args::CheckArgs;
use crate::shell::{table, Shell};

/// How many findings the terminal shows; the report has them all.
const SHOWN: usize = 20;

/// Reads and checks the input; `None` when required columns are missing (already reported).
pub fn run(args: &CheckArgs, shell: &mut Shell) -> Result<Option<(Template, Run)>> {
    let template = Template::resolve(&args.source.template)?;
    let today = match &args.today {
        Some(text) => Some(match crmkit_core::dates::parse(text) {
            Ok((date, None)) => date,
            _ => anyhow::bail!("--today: expected YYYY-MM-DD, found `{text}`"),
        }),
        None => None,
    };
    let options = RunOptions {
        import: args.source.import_options(),
        rules_dir: args.rules_dir.clone(),
        extra_rules: args.rules.clone(),
        references: args.references.clone(),
        today: today.or_else(|| Some(Date::today())),
        simplified: args.simplified,
        fields: None,
    };
    let run = validate::run(&args.source.input, &template, &options)?;
    super::import::render(&run.imported, &run.rules.template, shell)?;
    if run.checked.is_none() {
        super::import::report_missing(&run.imported, &run.rules.template, shell)?;
        return Ok(None);
    }
    for id in &run.skipped_references {
        shell.status(format!(
            "注: 规则 {id} 需要另一个文件 (--ref TEMPLATE=FILE), 本次未检查"
        ))?;
    }
    Ok(Some((template, run)))
}

/// Prints counts by rule and column and the first findings; returns the exit status for the
/// error-rate threshold. (The caller has written the report.)
pub fn summarise(args: &CheckArgs, checked: &Checked, shell: &mut Shell) -> Result<ExitStatus> {
    shell.line("")?;
    let mut counts: std::collections::BTreeMap<(Severity, &str, &str), usize> = Default::default();
    for f in &checked.findings {
        *counts
            .entry((f.severity, f.rule.as_str(), f.column.as_str()))
            .or_default() += 1;
    }
    if !counts.is_empty() {
        let mut sorted: Vec<_> = counts.into_iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut rows = vec![vec![
            "级别".to_string(),
            "规则".to_string(),
            "列".to_string(),
            "数量".to_string(),
        ]];
        for ((severity, rule, column), n) in sorted {
            rows.push(vec![
                severity.as_str().to_string(),
                rule.to_string(),
                column.to_string(),
                n.to_string(),
            ]);
        }
        shell.line("问题统计:")?;
        for line in table(&rows) {
            shell.line(format!("  {line}"))?;
        }
        shell.line("")?;
    }
    for finding in checked.findings.iter().take(SHOWN) {
        let text = format!("{}: {}", finding.location(), finding.message);
        match finding.severity {
            Severity::Error => shell.error(text)?,
            Severity::Warning => shell.warn(text)?,
        }
    }
    if checked.findings.len() > SHOWN {
        let where_ = match &args.report {
            Some(path) => format!("见报告 {}", path.display()),
            None => "用 --report FILE 输出完整报告".to_string(),
        };
        shell.status(format!(
            "... 另有 {} 条问题未显示 ({where_})",
            checked.findings.len() - SHOWN
        ))?;
    }
    let rows = checked.row_has_error.len();
    let rate = checked.error_rate();
    shell.line(format!(
        "检查 {rows} 行: 错误 {} 条, 警告 {} 条; 有错误的行 {} 行 ({:.2}%), 允许的上限 {:.2}%; 规范化修改 {} 处",
        checked.count(Severity::Error),
        checked.count(Severity::Warning),
        checked.error_rows(),
        rate * 100.0,
        args.max_error_rate * 100.0,
        checked.changes.len()
    ))?;
    if let Some(path) = &args.report {
        shell.status(format!(
            "已写入报告 {}: {} 条",
            path.display(),
            checked.findings.len()
        ))?;
    }
    Ok(if rate > args.max_error_rate {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
