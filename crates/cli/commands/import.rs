//! `crmkit import INPUT --template NAME [--sheet S] [--encoding E] [--delimiter D] [-o OUT]`

use anyhow::{Context, Result};

use crmkit_core::finding::Severity;
use crmkit_core::import::{self, Imported};
use crmkit_core::mask::mask;
use crmkit_core::read::Format;
use crmkit_core::template::Template;
use crmkit_core::write;

use super::ExitStatus;
use crate::args::ImportArgs;
use crate::shell::{table, Shell};

pub fn run(args: ImportArgs, shell: &mut Shell) -> Result<ExitStatus> {
    let template = Template::resolve(&args.source.template)?;
    if let Some(output) = &args.output {
        // Refuse a bad output before reading a large input.
        write::check_outputs(&args.source.input, &[(output, &["csv", "xlsx"])])?;
    }
    let options = args.source.import_options();
    let imported = import::import(&args.source.input, &template, &options)?;
    render(&imported, &template, shell)?;

    let mut status = ExitStatus::Success;
    for finding in &imported.findings {
        shell.error(format!(
            "{}: {} (值: {})",
            finding.location(),
            finding.message,
            mask(&finding.value)
        ))?;
        if finding.severity == Severity::Error {
            status = ExitStatus::Failure;
        }
    }
    if !imported.is_complete() {
        report_missing(&imported, &template, shell)?;
        if args.output.is_some() {
            shell.status("未写出输出文件")?;
        }
        return Ok(ExitStatus::Failure);
    }

    if let Some(output) = &args.output {
        write::write_imported(output, &template, &imported)
            .with_context(|| format!("could not write {}", output.display()))?;
        shell.status(format!(
            "已写入 {}: {} 行, {} 列",
            output.display(),
            imported.rows.len(),
            write::output_headers(&template, &imported).len()
        ))?;
    }
    Ok(status)
}

pub(crate) fn render(imported: &Imported, template: &Template, shell: &mut Shell) -> Result<()> {
    let source = &imported.source;
    let mut what = format!("读取 {}", source.location());
    match source.format {
        Format::Text => {
            let delimiter = match source.delimiter {
                Some(b'\t') => "制表符".to_string(),
                Some(d) => format!("\"{}\"", d as char),
                None => "?".to_string(),
            };
            what.push_str(&format!(
                " (文本, 编码 {} [{}], 分隔符 {delimiter})",
                source.encoding.unwrap_or("?"),
                source.encoding_from.unwrap_or("?")
            ));
        }
        format => what.push_str(&format!(" ({})", format.name())),
    }
    shell.line(what)?;
    let skipped = imported.header_row - 1;
    if skipped > 0 {
        shell.line(format!(
            "表头在第 {} 行 (上方 {skipped} 行标题已跳过)",
            imported.header_row
        ))?;
    } else {
        shell.line(format!("表头在第 {} 行", imported.header_row))?;
    }
    shell.line(format!("模板 {} {}", template.name, template.title))?;
    shell.line("")?;

    let mut rows = vec![vec![
        "列".to_string(),
        "输入表头".to_string(),
        "".to_string(),
        "模板字段".to_string(),
        "key".to_string(),
        "匹配".to_string(),
        "分数".to_string(),
    ]];
    for column in &imported.mapping.columns {
        if imported.headers[column.index].is_empty() {
            continue;
        }
        match &column.target {
            Some(t) => {
                let field = &template.fields[t.field];
                let how = match t.kind {
                    crmkit_core::mapping::MatchKind::Exact => t.kind.label().to_string(),
                    _ => format!("{} \"{}\"", t.kind.label(), t.matched),
                };
                rows.push(vec![
                    column.letter.clone(),
                    column.header.clone(),
                    "→".into(),
                    field.header.clone(),
                    field.key.clone(),
                    how,
                    format!("{:.2}", t.score),
                ]);
            }
            None => rows.push(vec![
                column.letter.clone(),
                column.header.clone(),
                "→".into(),
                "(未映射, 原样保留)".into(),
                String::new(),
                String::new(),
                String::new(),
            ]),
        }
    }
    for line in table(&rows) {
        shell.line(format!("  {line}"))?;
    }
    for column in &imported.mapping.columns {
        if let Some(note) = &column.note {
            shell.line(format!(
                "  注: {} 列 \"{}\" {note}",
                column.letter, column.header
            ))?;
        }
    }
    let optional: Vec<String> = imported
        .mapping
        .missing
        .iter()
        .filter(|m| !m.required)
        .map(|m| m.header.clone())
        .collect();
    if !optional.is_empty() {
        shell.line(format!(
            "缺少的可选字段 (输出中为空): {}",
            optional.join(", ")
        ))?;
    }
    shell.line("")?;

    let first = imported.rows.first().map_or(0, |r| r.number);
    let last = imported.rows.last().map_or(0, |r| r.number);
    let mut summary = format!("数据 {} 行 (第 {first}–{last} 行)", imported.rows.len());
    if imported.blank_rows > 0 {
        summary.push_str(&format!(", 跳过空行 {} 行", imported.blank_rows));
    }
    let passthrough = imported.passthrough().count();
    summary.push_str(&format!(
        "; 映射 {} 列, 原样保留 {passthrough} 列",
        imported
            .mapping
            .columns
            .iter()
            .filter(|c| c.target.is_some())
            .count()
    ));
    shell.line(summary)?;
    if !imported.hidden_sheets.is_empty() {
        shell.line(format!(
            "跳过的隐藏工作表: {} (需要时用 --sheet 指定)",
            imported.hidden_sheets.join(", ")
        ))?;
    }
    if !imported.other_sheets.is_empty() {
        shell.line(format!(
            "未读取的其他工作表: {}",
            imported.other_sheets.join(", ")
        ))?;
    }
    Ok(())
}

/// The one error line for missing required columns, with the closest input headers.
pub(crate) fn report_missing(
    imported: &Imported,
    template: &Template,
    shell: &mut Shell,
) -> Result<()> {
    let missing: Vec<_> = imported.mapping.missing_required().collect();
    let described: Vec<String> = missing
        .iter()
        .map(|m| {
            let hint = if m.suggestions.is_empty() {
                "没有相近的列".to_string()
            } else {
                let s: Vec<String> = m
                    .suggestions
                    .iter()
                    .map(|s| format!("{} 列 \"{}\" ({:.2})", s.letter, s.header, s.score))
                    .collect();
                format!("最接近的输入列: {}", s.join(", "))
            };
            format!("{} ({}; {hint})", m.header, m.key)
        })
        .collect();
    shell.error(format!(
        "{}: 缺少 {} 个必填列: {}; 请在源文件中补上这些列或改成模板列名 (crmkit template show {})",
        imported.source.location(),
        missing.len(),
        described.join("; "),
        template.name
    ))?;
    Ok(())
}
