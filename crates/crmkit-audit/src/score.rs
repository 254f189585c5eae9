//! Scoring a marked audit workbook: record-level and field-level accuracy with Wilson 95%
//! intervals, pass/fail against the threshold, accept/reject by an AQL plan's numbers, and
//! the list of errors found.

use std::path::Path;

use serde::Serialize;

use crmkit_core::mask::mask;

use crate::error::{Error, Result};
use crate::plan::{self, Plan, DEFAULT_THRESHOLD};
use crate::sample::Mark;
use crate::stats::wilson;
use crate::workbook::{read_workbook, row_list, AUDIT_SHEET};

/// An accuracy: how many were checked, how many were wrong, the share right and its Wilson
/// 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accuracy {
    /// Records (or field values) judged.
    pub checked: usize,
    /// Of those, wrong.
    pub wrong: usize,
    /// The share right (1 when nothing was judged).
    pub accuracy: f64,
    /// Wilson 95% lower bound.
    pub low: f64,
    /// Wilson 95% upper bound.
    pub high: f64,
}

impl Accuracy {
    /// The accuracy of `wrong` out of `checked`.
    pub fn new(checked: usize, wrong: usize) -> Accuracy {
        let right = checked - wrong.min(checked);
        let (low, high) = wilson(right, checked);
        Accuracy {
            checked,
            wrong,
            accuracy: if checked == 0 {
                1.0
            } else {
                right as f64 / checked as f64
            },
            low,
            high,
        }
    }
}

/// One field's accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldScore {
    /// The field's key.
    pub key: String,
    /// Its header.
    pub header: String,
    /// Its values judged right or wrong (a blank field mark of a record marked 正确 counts as
    /// right; of a record marked 错误, as not judged).
    pub accuracy: Accuracy,
    /// Values not judged.
    pub unjudged: usize,
}

/// An error the auditor found. Values are masked (`138****8000`): a score can go into a run
/// report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorFound {
    /// The row of the audit sheet.
    pub line: u32,
    /// The record's id.
    pub id: String,
    /// Its source file.
    pub file: String,
    /// Its row in the source file.
    pub row: Option<u32>,
    /// The field's header; `None` when the record is marked 错误 without a wrong field.
    pub field: Option<String>,
    /// The value as loaded, masked.
    pub loaded: String,
    /// The value in the source, masked.
    pub source: String,
    /// The auditor's 备注.
    pub remark: String,
}

/// The score of an audit workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The workbook.
    pub path: String,
    /// The plan it was drawn with.
    pub plan: Plan,
    /// Record-level: a record with any wrong field is one wrong record.
    pub records: Accuracy,
    /// Field-level, in template order.
    pub fields: Vec<FieldScore>,
    /// The threshold applied, if any.
    pub threshold: Option<f64>,
    /// Whether the records' accuracy meets the threshold.
    pub meets_threshold: Option<bool>,
    /// For an AQL plan: accepted (wrong ≤ Ac) or rejected (wrong ≥ Re).
    pub aql_accepted: Option<bool>,
    /// The verdict: every check that applies passed.
    pub passed: bool,
    /// Every error found, in sheet order.
    pub errors: Vec<ErrorFound>,
}

/// Scores a marked audit workbook. `threshold` overrides the plan's; without either, 0.98
/// applies to random and stratified plans, and an AQL plan is judged by its Ac/Re alone.
///
/// Refused (an error naming the rows): anything [`read_workbook`] refuses, rows with neither
/// a 记录判定 nor every field marked, and rows marked 正确 with a field marked 错误.
pub fn score(path: &Path, threshold: Option<f64>) -> Result<Score> {
    if let Some(t) = threshold {
        if !(t > 0.0 && t <= 1.0) {
            return Err(Error::Option {
                option: "--threshold",
                message: format!("准确率阈值应在 0 到 1 之间, 例如 0.98 或 98%; 实际为 {t}"),
            });
        }
    }
    let sample = read_workbook(path)?;
    let bad = |message: String| Error::Workbook {
        path: path.to_path_buf(),
        sheet: AUDIT_SHEET.to_string(),
        message,
    };
    let mut unmarked = Vec::new();
    let mut contradictory = Vec::new();
    for r in &sample.records {
        let any_wrong = r.marks.contains(&Some(Mark::Wrong));
        if r.verdict.is_none() && r.marks.iter().any(Option::is_none) {
            unmarked.push(r.line);
        }
        if r.verdict == Some(Mark::Right) && any_wrong {
            contradictory.push(r.line);
        }
    }
    let mut problems = Vec::new();
    if !unmarked.is_empty() {
        problems.push(format!(
            "第 {} 行未标记正确/错误; 请在“记录判定”列选择 正确 或 错误 (或把该行每个字段的判定都填上)",
            row_list(&unmarked)
        ));
    }
    if !contradictory.is_empty() {
        problems.push(format!(
            "第 {} 行记录判定为 正确, 但有字段判定为 错误; 有任何字段错误的记录应判为 错误",
            row_list(&contradictory)
        ));
    }
    if sample.records.is_empty() {
        problems.push("没有任何记录行".to_string());
    }
    if !problems.is_empty() {
        return Err(bad(problems.join("; ")));
    }

    let mut errors = Vec::new();
    let mut wrong_records = 0;
    let mut field_counts = vec![(0usize, 0usize, 0usize); sample.fields.len()];
    for r in &sample.records {
        let record_wrong = r.verdict == Some(Mark::Wrong) || r.marks.contains(&Some(Mark::Wrong));
        if record_wrong {
            wrong_records += 1;
        }
        let mut listed = false;
        for (f, mark) in r.marks.iter().enumerate() {
            let counts = &mut field_counts[f];
            match (mark, r.verdict) {
                (Some(Mark::Wrong), _) => {
                    counts.0 += 1;
                    counts.1 += 1;
                    listed = true;
                    errors.push(ErrorFound {
                        line: r.line,
                        id: r.id.clone(),
                        file: r.file.clone(),
                        row: r.row,
                        field: Some(sample.fields[f].header.clone()),
                        loaded: mask(&r.loaded[f]),
                        source: mask(&r.source[f]),
                        remark: r.remark.clone(),
                    });
                }
                (Some(Mark::Right), _) | (None, Some(Mark::Right)) => counts.0 += 1,
                (None, _) => counts.2 += 1,
            }
        }
        if record_wrong && !listed {
            errors.push(ErrorFound {
                line: r.line,
                id: r.id.clone(),
                file: r.file.clone(),
                row: r.row,
                field: None,
                loaded: String::new(),
                source: String::new(),
                remark: r.remark.clone(),
            });
        }
    }
    let records = Accuracy::new(sample.records.len(), wrong_records);
    let plan = sample.plan;
    let threshold = threshold
        .or(plan.threshold)
        .or_else(|| plan.aql.is_none().then_some(DEFAULT_THRESHOLD));
    let meets_threshold =
        threshold.map(|t| wrong_records <= plan::acceptance_number(records.checked, t));
    let aql_accepted = plan.aql.as_ref().map(|_| wrong_records <= plan.ac);
    let passed = meets_threshold.unwrap_or(true) && aql_accepted.unwrap_or(true);
    Ok(Score {
        path: path.display().to_string(),
        fields: sample
            .fields
            .iter()
            .zip(field_counts)
            .map(|(field, (checked, wrong, unjudged))| FieldScore {
                key: field.key.clone(),
                header: field.header.clone(),
                accuracy: Accuracy::new(checked, wrong),
                unjudged,
            })
            .collect(),
        plan,
        records,
        threshold,
        meets_threshold,
        aql_accepted,
        passed,
        errors,
    })
}

/// Writes a score as JSON (pretty-printed, values masked), atomically.
// The closure given to `atomic_write` returns crmkit-core's error type, as everywhere else.
#[allow(clippy::result_large_err)]
pub fn write_json(score: &Score, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(score)
        .map_err(|e| Error::Input(format!("{}: 无法生成 JSON: {e}", path.display())))?;
    crmkit_core::write::atomic_write(path, |out| {
        use std::io::Write;
        out.write_all(text.as_bytes())
            .map_err(|e| crmkit_core::Error::io(path, "write", e))
    })?;
    Ok(())
}
