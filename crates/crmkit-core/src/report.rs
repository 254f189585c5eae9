//! Reports of a check: findings (.csv, .jsonl, .xlsx), changes, rejects, and the cleaned table.
//!
//! The findings report has one row per finding with at least
//! `row,column,field,value,rule,message,severity`. As .xlsx it is a copy of the input with each
//! bad cell filled red and its message as a comment, a summary sheet of counts by rule and
//! column, and the list of findings. Every file is written atomically; CSV cells that a
//! spreadsheet would run as formulas are written as text.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Color, Format, FormatAlign, Note, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::import::Imported;
use crate::template::Template;
use crate::validate::Checked;
use crate::write::{atomic_write, write_rows, Layout};

/// The findings report's columns, in order.
pub const FINDING_COLUMNS: [&str; 10] = [
    "row", "column", "field", "value", "rule", "message", "severity", "letter", "file", "sheet",
];

fn finding_cells(f: &Finding) -> [Cow<'_, str>; 10] {
    [
        Cow::Owned(f.row.to_string()),
        Cow::Borrowed(&f.column),
        Cow::Borrowed(f.field.as_deref().unwrap_or("")),
        Cow::Borrowed(&f.value),
        Cow::Borrowed(&f.rule),
        Cow::Borrowed(&f.message),
        Cow::Borrowed(f.severity.as_str()),
        Cow::Borrowed(&f.letter),
        Cow::Borrowed(&f.file),
        Cow::Borrowed(f.sheet.as_deref().unwrap_or("")),
    ]
}

/// Writes the findings report; the format follows the extension (.csv, .jsonl, .xlsx).
pub fn write_findings(path: &Path, imported: &Imported, checked: &Checked) -> Result<()> {
    let extension = crate::read::extension(path);
    match extension.as_str() {
        "csv" => {
            let headers: Vec<String> = FINDING_COLUMNS.iter().map(|s| s.to_string()).collect();
            let findings = &checked.findings;
            write_rows(path, &headers, &[], "问题清单", findings.len(), |i| {
                finding_cells(&findings[i]).into_iter()
            })
        }
        "jsonl" => atomic_write(path, |out| {
            for finding in &checked.findings {
                serde_json::to_writer(&mut *out, finding).map_err(|e| Error::Csv {
                    location: path.display().to_string(),
                    message: e.to_string(),
                })?;
                out.write_all(b"\n")
                    .map_err(|e| Error::io(path, "write", e))?;
            }
            Ok(())
        }),
        "xlsx" => write_findings_xlsx(path, imported, checked),
        _ => Err(Error::UnsupportedOutput {
            path: path.to_path_buf(),
            extension,
            allowed: crate::write::allowed_formats(&["csv", "jsonl", "xlsx"]),
        }),
    }
}

/// Writes the changes log: one row per value a normaliser changed.
pub fn write_changes(
    path: &Path,
    template: &Template,
    imported: &Imported,
    checked: &Checked,
) -> Result<()> {
    let headers: Vec<String> = [
        "row",
        "column",
        "field",
        "before",
        "after",
        "normalizer",
        "letter",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let letters: Vec<String> = (0..imported.headers.len())
        .map(crate::read::column_letter)
        .collect();
    let letters = &letters;
    let row_of = move |i: usize| {
        let c = &checked.changes[i];
        let row = &imported.rows[c.index];
        let column = imported.mapping.source_of[c.field];
        [
            Cow::Owned(row.number.to_string()),
            Cow::Borrowed(column.map_or("", |i| imported.headers[i].as_str())),
            Cow::Borrowed(template.fields[c.field].key.as_str()),
            Cow::Borrowed(imported.value(row, c.field)),
            Cow::Borrowed(&checked.clean[c.index][c.field]),
            Cow::Owned(c.steps.join("+")),
            Cow::Borrowed(column.map_or("", |i| letters[i].as_str())),
        ]
        .into_iter()
    };
    write_rows(
        path,
        &headers,
        &[],
        "修改记录",
        checked.changes.len(),
        row_of,
    )
}

/// Writes the cleaned table: every input row in input order, canonical values.
pub fn write_clean(
    path: &Path,
    template: &Template,
    imported: &Imported,
    checked: &Checked,
) -> Result<()> {
    let layout = Layout::new(template, imported);
    let title = template.title.as_str();
    let count = imported.rows.len();
    write_rows(
        path,
        &layout.headers,
        &layout.text_columns,
        title,
        count,
        |i| layout.cells(imported, &imported.rows[i], Some(&checked.clean[i])),
    )
}

/// Writes the rows that have errors, as they were written, with `_reasons`.
pub fn write_rejects(
    path: &Path,
    template: &Template,
    imported: &Imported,
    checked: &Checked,
) -> Result<()> {
    let layout = Layout::new(template, imported);
    let title = template.title.as_str();
    let mut headers = layout.headers.clone();
    headers.push("_reasons".to_string());
    let mut reasons: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for f in checked
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
    {
        reasons
            .entry(f.row)
            .or_default()
            .push(format!("{} 列 {}: {}", f.letter, f.column, f.message));
    }
    let bad: Vec<usize> = (0..imported.rows.len())
        .filter(|&i| checked.row_has_error[i])
        .collect();
    write_rows(
        path,
        &headers,
        &layout.text_columns,
        title,
        bad.len(),
        |k| {
            let row = &imported.rows[bad[k]];
            let why = reasons
                .get(&row.number)
                .map(|r| r.join("; "))
                .unwrap_or_default();
            layout
                .cells(imported, row, None)
                .chain(std::iter::once(Cow::Owned(why)))
        },
    )
}

/// The most cell comments the .xlsx report carries.
const MAX_NOTES: usize = 10_000;

fn write_findings_xlsx(path: &Path, imported: &Imported, checked: &Checked) -> Result<()> {
    let fail = |e: XlsxError| Error::XlsxWrite {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut workbook = Workbook::new();
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7));
    let error = Format::new().set_background_color(Color::RGB(0xFF9999));
    let warning = Format::new().set_background_color(Color::RGB(0xFFE699));

    // 1. A copy of the input, rows where they were, bad cells coloured with their messages.
    let name = imported.source.sheet.as_deref().unwrap_or("数据");
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(fail)?;
    sheet.set_name(name).map_err(fail)?;
    // Constant-memory mode streams rows to disk: layout first, then rows in order.
    let header_row = imported.header_row - 1;
    sheet.set_freeze_panes(header_row + 1, 0).map_err(fail)?;
    for (c, header) in imported.headers.iter().enumerate() {
        sheet
            .write_string_with_format(header_row, c as u16, header, &bold)
            .map_err(fail)?;
    }
    let mut by_cell: BTreeMap<(u32, String), Vec<&Finding>> = BTreeMap::new();
    for f in &checked.findings {
        by_cell
            .entry((f.row, f.letter.clone()))
            .or_default()
            .push(f);
    }
    let letters: Vec<String> = (0..imported.headers.len())
        .map(crate::read::column_letter)
        .collect();
    let mut notes = 0usize;
    for row in &imported.rows {
        let r = row.number - 1;
        for (c, value) in row.cells.iter().enumerate().take(imported.headers.len()) {
            let found = by_cell.get(&(row.number, letters[c].clone()));
            match found {
                Some(list) => {
                    let worst = list
                        .iter()
                        .map(|f| f.severity)
                        .max()
                        .unwrap_or(Severity::Warning);
                    let format = if worst == Severity::Error {
                        &error
                    } else {
                        &warning
                    };
                    sheet
                        .write_string_with_format(r, c as u16, value, format)
                        .map_err(fail)?;
                    // Every bad cell is filled; comments stop at MAX_NOTES (Excel slows to a crawl
                    // with hundreds of thousands, and each costs memory); the list has them all.
                    if notes < MAX_NOTES {
                        let text: Vec<&str> = list.iter().map(|f| f.message.as_str()).collect();
                        let note = Note::new(text.join("\n"))
                            .set_author("crmkit")
                            .add_author_prefix(false)
                            .set_width(360)
                            .set_height(120);
                        sheet.insert_note(r, c as u16, &note).map_err(fail)?;
                        notes += 1;
                    }
                }
                None if !value.is_empty() => {
                    sheet.write_string(r, c as u16, value).map_err(fail)?;
                }
                None => {}
            }
        }
    }

    // 2. Counts by rule and column.
    let summary = workbook.add_worksheet();
    summary.set_name("汇总").map_err(fail)?;
    let mut counts: BTreeMap<(&str, &str, &str, &str), usize> = BTreeMap::new();
    for f in &checked.findings {
        *counts
            .entry((
                f.severity.as_str(),
                f.rule.as_str(),
                f.letter.as_str(),
                f.column.as_str(),
            ))
            .or_default() += 1;
    }
    for (c, title) in ["severity", "rule", "letter", "column", "count"]
        .iter()
        .enumerate()
    {
        summary
            .write_string_with_format(0, c as u16, *title, &bold)
            .map_err(fail)?;
    }
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (i, ((severity, rule, letter, column), n)) in sorted.iter().enumerate() {
        let r = i as u32 + 1;
        summary.write_string(r, 0, *severity).map_err(fail)?;
        summary.write_string(r, 1, *rule).map_err(fail)?;
        summary.write_string(r, 2, *letter).map_err(fail)?;
        summary.write_string(r, 3, *column).map_err(fail)?;
        summary.write_number(r, 4, *n as f64).map_err(fail)?;
    }
    let totals = sorted.len() as u32 + 2;
    summary
        .write_string_with_format(totals, 0, "行数", &bold)
        .map_err(fail)?;
    summary
        .write_number(totals, 1, imported.rows.len() as f64)
        .map_err(fail)?;
    summary
        .write_string_with_format(totals + 1, 0, "有错误的行", &bold)
        .map_err(fail)?;
    summary
        .write_number(totals + 1, 1, checked.error_rows() as f64)
        .map_err(fail)?;
    if by_cell.len() > MAX_NOTES {
        summary
            .write_string(
                totals + 2,
                0,
                format!(
                    "有问题的单元格 {} 个, 全部标色; 批注只加在前 {MAX_NOTES} 个上, 完整清单见“问题清单”",
                    by_cell.len()
                ),
            )
            .map_err(fail)?;
    }
    summary.set_column_width(1, 28).map_err(fail)?;
    summary.set_column_width(3, 20).map_err(fail)?;

    // 3. The list.
    let list = workbook
        .add_worksheet_with_constant_memory()
        .map_err(fail)?;
    list.set_name("问题清单").map_err(fail)?;
    // Rows stream to disk in constant-memory mode: layout first, then rows in order.
    list.set_column_width(5, 60).map_err(fail)?;
    list.set_freeze_panes(1, 0).map_err(fail)?;
    let wrap = Format::new().set_align(FormatAlign::Top);
    for (c, title) in FINDING_COLUMNS.iter().enumerate() {
        list.write_string_with_format(0, c as u16, *title, &bold)
            .map_err(fail)?;
    }
    for (i, f) in checked.findings.iter().enumerate() {
        for (c, value) in finding_cells(f).iter().enumerate() {
            list.write_string_with_format(i as u32 + 1, c as u16, value.as_ref(), &wrap)
                .map_err(fail)?;
        }
    }
    atomic_write(path, |out| workbook.save_to_writer(out).map_err(fail))
}

/// The files a check can write; each is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outputs<'a> {
    /// The cleaned table.
    pub clean: Option<&'a Path>,
    /// The changes log.
    pub changes: Option<&'a Path>,
    /// The rows with errors.
    pub rejects: Option<&'a Path>,
    /// The findings report.
    pub findings: Option<&'a Path>,
}

impl Outputs<'_> {
    /// Refuses, before any work, outputs crmkit cannot write, that would overwrite `input`, or
    /// that name the same file twice.
    pub fn check(&self, input: &Path) -> Result<()> {
        const TABLE: &[&str] = &["csv", "xlsx"];
        const REPORT: &[&str] = &["csv", "jsonl", "xlsx"];
        let outputs: Vec<(&Path, &[&str])> = [
            (self.clean, TABLE),
            (self.changes, TABLE),
            (self.rejects, TABLE),
            (self.findings, REPORT),
        ]
        .into_iter()
        .filter_map(|(path, formats)| path.map(|p| (p, formats)))
        .collect();
        crate::write::check_outputs(input, &outputs)
    }
}

/// Writes the requested outputs, in parallel: they are independent files. Each is written
/// atomically; on failure the first error is returned (naming its file).
pub fn write_outputs(
    outputs: &Outputs,
    template: &Template,
    imported: &Imported,
    checked: &Checked,
) -> Result<()> {
    type Job<'j> = Box<dyn Fn() -> Result<()> + Send + Sync + 'j>;
    let mut jobs: Vec<Job> = Vec::new();
    if let Some(path) = outputs.clean {
        jobs.push(Box::new(move || {
            write_clean(path, template, imported, checked)
        }));
    }
    if let Some(path) = outputs.changes {
        jobs.push(Box::new(move || {
            write_changes(path, template, imported, checked)
        }));
    }
    if let Some(path) = outputs.rejects {
        jobs.push(Box::new(move || {
            write_rejects(path, template, imported, checked)
        }));
    }
    if let Some(path) = outputs.findings {
        jobs.push(Box::new(move || write_findings(path, imported, checked)));
    }
    use rayon::prelude::*;
    jobs.par_iter()
        .map(|job| job())
        .collect::<Result<Vec<()>>>()?;
    Ok(())
}
