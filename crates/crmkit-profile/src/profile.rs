//! The profile itself: one polars DataFrame of string columns built from the imported rows, and
//! every statistic computed by polars expressions over it.
//!
//! The frame has, per template field present in the input, a column `v{i}` with the trimmed
//! value (null when empty), `e{i}` (the cell has an error finding from core's validation), for
//! date fields `d{i}` (the value as core's date parser reads it, `YYYY-MM-DD[ HH:MM]`, null
//! when it does not parse), and `s{i}`, the value's shape, derived once by an expression.

use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crmkit_core::finding::{Finding, Severity};
use crmkit_core::import::Imported;
use crmkit_core::mask::{mask_digit_runs, MaskRules, Method};
use crmkit_core::template::{Field, FieldType, Template};
use crmkit_core::validate::{Checked, RunOptions};

use crate::Result;

/// How many top values and top patterns a column keeps.
pub const TOP: usize = 10;

/// The weight of a required field in the overall score (an optional field weighs 1).
pub const REQUIRED_WEIGHT: f64 = 2.0;

/// The overall score's formula, as shown at the top of the report.
pub const SCORE_FORMULA: &str =
    "总分 = Σ(权重 × 完整率 × 有效率) / Σ权重; 必填字段权重 2, 选填字段权重 1; \
     计入所有必填字段 (缺列时完整率为 0) 和有值的选填字段 (缺列或整列为空的选填字段不计入); \
     没有值的列有效率按 1 计";

/// A data-quality profile of one file mapped onto a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The input file.
    pub file: String,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// The template's name (`customer`).
    pub template: String,
    /// The template's title (`客户信息`).
    pub title: String,
    /// Data rows.
    pub rows: usize,
    /// The overall score in 0–1 (see [`SCORE_FORMULA`]).
    pub score: f64,
    /// Whether validation ran (it does not when required columns are missing; validity is then
    /// unknown).
    pub validated: bool,
    /// Required fields the input has no column for (headers).
    pub missing_required: Vec<String>,
    /// One entry per template field, in template order.
    pub columns: Vec<ColumnProfile>,
}

/// The statistics of one template field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// The field key (`mobile`).
    pub key: String,
    /// The template header (`联系电话`).
    pub header: String,
    /// The header as written in the input and its column letter; `None` when the input has no
    /// column for this field.
    pub input_header: Option<String>,
    /// The column letter in the input.
    pub letter: Option<String>,
    /// The field type (`mobile`).
    pub kind: String,
    /// Whether the template requires the field.
    pub required: bool,
    /// Cells with a value (non-empty after trimming).
    pub filled: usize,
    /// Empty cells.
    pub empty: usize,
    /// filled / rows (0 when the column is missing).
    pub completeness: f64,
    /// Filled cells without an error finding.
    pub valid: usize,
    /// Filled cells with an error finding.
    pub invalid: usize,
    /// valid / filled; `None` when nothing is filled or validation did not run.
    pub validity: Option<f64>,
    /// Distinct values among the filled cells (exact text, trimmed).
    pub distinct: usize,
    /// filled − distinct: cells repeating a value seen before.
    pub duplicates: usize,
    /// Filled cells whose value occurs more than once (the first occurrence included).
    pub duplicated_rows: usize,
    /// distinct / filled; `None` when nothing is filled.
    pub uniqueness: Option<f64>,
    /// The most frequent values, most frequent first (masked: phones, ID numbers, names as in
    /// `rules/mask.toml`).
    pub top_values: Vec<ValueCount>,
    /// How many values have each length in characters, by length.
    pub lengths: Vec<Bucket>,
    /// The most frequent shapes (digit → 9, Latin letter → a, a run of Chinese characters → 汉),
    /// most frequent first.
    pub patterns: Vec<ValueCount>,
    /// Distinct shapes in all.
    pub distinct_patterns: usize,
    /// For phone-like fields (mobile, landline, phone, id_card, credit_code): how many values
    /// have each number of digits.
    pub digit_counts: Option<Vec<Bucket>>,
    /// For date and date-time fields: the range of the values that parse as dates.
    pub dates: Option<DateRange>,
}

/// A value (or shape) and how many cells hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCount {
    pub value: String,
    pub count: usize,
}

/// A numeric bucket (a length, a digit count, a cluster size) and how many there are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub size: usize,
    pub count: usize,
}

/// The dates of a date column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// Filled values that parse as a date (`crmkit_core::dates`).
    pub parsed: usize,
    /// Filled values that do not (ambiguous, impossible, not a date).
    pub unparsed: usize,
    /// The earliest, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`.
    pub min: Option<String>,
    /// The latest.
    pub max: Option<String>,
}

impl Profile {
    /// A column by field key or header (template or as written in the input).
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns
            .iter()
            .find(|c| c.key == name || c.header == name || c.input_header.as_deref() == Some(name))
    }
}

/// Reads `input` through crmkit-core (import and validation, as `crmkit validate` does) and
/// profiles it.
pub fn profile_file(input: &Path, template: &Template, options: &RunOptions) -> Result<Profile> {
    let mut run = crmkit_core::validate::run(input, template, options)?;
    // Only the findings of the check are needed: the cleaned values and changes go first.
    let validated = run.checked.is_some();
    let findings = run.checked.take().map(|c| c.findings).unwrap_or_default();
    let prepared = prepare(&run.imported, &run.rules.template, &findings, validated)?;
    let template = run.rules.template.clone();
    // The imported rows are not needed once the frame holds the columns.
    drop(run);
    compute(prepared, &template)
}

/// Profiles an imported table. `template` is the one it was imported with (with rules:
/// `Run::rules.template`); `checked` is core's validation of it (`None`: validity unknown).
pub fn profile(
    imported: &Imported,
    template: &Template,
    checked: Option<&Checked>,
) -> Result<Profile> {
    let findings: &[Finding] = checked.map_or(&[], |c| &c.findings);
    let prepared = prepare(imported, template, findings, checked.is_some())?;
    compute(prepared, template)
}

/// What the statistics need from the input: the frame and where each field came from.
struct Prepared {
    frame: DataFrame,
    file: String,
    sheet: Option<String>,
    rows: usize,
    validated: bool,
    /// Per template field: the input header and column letter, when the input has the field.
    sources: Vec<Option<(String, String)>>,
}

fn prepare(
    imported: &Imported,
    template: &Template,
    findings: &[Finding],
    validated: bool,
) -> Result<Prepared> {
    Ok(Prepared {
        frame: build_frame(imported, template, findings)?,
        file: imported.source.path.display().to_string(),
        sheet: imported.source.sheet.clone(),
        rows: imported.rows.len(),
        validated,
        sources: imported
            .mapping
            .source_of
            .iter()
            .map(|s| {
                s.map(|c| {
                    (
                        imported.headers[c].clone(),
                        crmkit_core::read::column_letter(c),
                    )
                })
            })
            .collect(),
    })
}

fn compute(prepared: Prepared, template: &Template) -> Result<Profile> {
    let mask = MaskRules::builtin()?;
    let rows = prepared.rows;
    let present: Vec<usize> = (0..template.fields.len())
        .filter(|&i| prepared.sources[i].is_some())
        .collect();
    // Each value's shape, once: `s{i}`.
    let frame = prepared
        .frame
        .lazy()
        .with_columns(
            present
                .iter()
                .map(|i| shape(col(format!("v{i}").as_str())).alias(format!("s{i}")))
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let scalars = scalars(&frame, template, &present)?;

    // One column's queries are independent of another's: both cores share the columns.
    let columns = template
        .fields
        .par_iter()
        .enumerate()
        .map(|(i, field)| -> Result<ColumnProfile> {
            let source = &prepared.sources[i];
            let mut column = ColumnProfile {
                key: field.key.clone(),
                header: field.header.clone(),
                input_header: source.as_ref().map(|(header, _)| header.clone()),
                letter: source.as_ref().map(|(_, letter)| letter.clone()),
                kind: field.kind.as_str().to_string(),
                required: field.required,
                filled: 0,
                empty: rows,
                completeness: 0.0,
                valid: 0,
                invalid: 0,
                validity: None,
                distinct: 0,
                duplicates: 0,
                duplicated_rows: 0,
                uniqueness: None,
                top_values: Vec::new(),
                lengths: Vec::new(),
                patterns: Vec::new(),
                distinct_patterns: 0,
                digit_counts: is_phone_like(field.kind).then(Vec::new),
                dates: is_date(field.kind).then_some(DateRange {
                    parsed: 0,
                    unparsed: 0,
                    min: None,
                    max: None,
                }),
            };
            if source.is_some() {
                let s = &scalars;
                let get = |name: &str| s.count(&format!("{name}{i}"));
                column.filled = get("filled")?;
                column.empty = rows - column.filled;
                column.valid = get("valid")?;
                column.invalid = column.filled - column.valid;
                column.distinct = get("distinct")?;
                column.duplicates = column.filled - column.distinct;
                column.duplicated_rows = get("duprows")?;
                if rows > 0 {
                    column.completeness = ratio(column.filled, rows);
                }
                if column.filled > 0 {
                    column.uniqueness = Some(ratio(column.distinct, column.filled));
                    if prepared.validated {
                        column.validity = Some(ratio(column.valid, column.filled));
                    }
                }
                let v = format!("v{i}");
                column.top_values = top(&frame, col(v.as_str()), TOP)?
                    .into_iter()
                    .map(|(value, count)| ValueCount {
                        value: mask_value(&mask, field, &value),
                        count,
                    })
                    .collect();
                column.lengths = buckets(&frame, col(v.as_str()).str().len_chars())?;
                column.patterns = top(&frame, col(format!("s{i}").as_str()), TOP)?
                    .into_iter()
                    .map(|(value, count)| ValueCount { value, count })
                    .collect();
                column.distinct_patterns = get("patterns")?;
                if column.digit_counts.is_some() {
                    let digits = col(v.as_str())
                        .str()
                        .replace_all(lit(r"[^0-9]"), lit(""), false)
                        .str()
                        .len_bytes();
                    column.digit_counts = Some(buckets(&frame, digits)?);
                }
                if column.dates.is_some() {
                    let parsed = get("dparsed")?;
                    column.dates = Some(DateRange {
                        parsed,
                        unparsed: column.filled - parsed,
                        min: s.text(&format!("dmin{i}"))?,
                        max: s.text(&format!("dmax{i}"))?,
                    });
                }
            }
            Ok(column)
        })
        .collect::<Result<Vec<_>>>()?;

    let missing_required = template
        .fields
        .iter()
        .zip(&prepared.sources)
        .filter(|(f, s)| f.required && s.is_none())
        .map(|(f, _)| f.header.clone())
        .collect();
    let score = score(&columns);
    Ok(Profile {
        file: prepared.file,
        sheet: prepared.sheet,
        template: template.name.clone(),
        title: template.title.clone(),
        rows,
        score,
        validated: prepared.validated,
        missing_required,
        columns,
    })
}

/// The overall score (see [`SCORE_FORMULA`]).
pub fn score(columns: &[ColumnProfile]) -> f64 {
    let mut sum = 0.0;
    let mut weights = 0.0;
    for c in columns {
        // An optional field nobody filled (absent, or a column left empty as in a cleaned file
        // with every template column) says nothing about the rows.
        if !c.required && c.filled == 0 {
            continue;
        }
        let weight = if c.required { REQUIRED_WEIGHT } else { 1.0 };
        sum += weight * c.completeness * c.validity.unwrap_or(1.0);
        weights += weight;
    }
    if weights == 0.0 {
        0.0
    } else {
        sum / weights
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    a as f64 / b as f64
}

fn is_phone_like(kind: FieldType) -> bool {
    matches!(
        kind,
        FieldType::Mobile
            | FieldType::Landline
            | FieldType::Phone
            | FieldType::IdCard
            | FieldType::CreditCode
    )
}

fn is_date(kind: FieldType) -> bool {
    matches!(kind, FieldType::Date | FieldType::Datetime)
}

/// A value as the report may show it: masked by the field's method in `rules/mask.toml`, and
/// any long digit run masked whatever the field.
fn mask_value(mask: &MaskRules, field: &Field, value: &str) -> String {
    match mask.method_for(field) {
        Method::None => mask_digit_runs(value),
        method => mask_digit_runs(&method.apply(value)),
    }
}

/// The shape of a value: each ASCII digit → `9`, each Latin letter → `a`, a run of Chinese
/// characters → one `汉`; everything else (spaces, `-`, `@`, brackets) as it is. A phone
/// `138 0013 8000` → `999 9999 9999`, a company `华远（北京）有限公司` → `汉（汉）汉`.
pub fn shape(value: Expr) -> Expr {
    value
        .str()
        .replace_all(lit(r"[0-9]"), lit("9"), false)
        .str()
        .replace_all(lit(r"[A-Za-z]"), lit("a"), false)
        .str()
        .replace_all(lit(r"\p{Han}+"), lit("汉"), false)
}

/// The frame: `v{i}`, `e{i}` and, for date fields, `d{i}`, for each field present.
fn build_frame(
    imported: &Imported,
    template: &Template,
    findings: &[Finding],
) -> Result<DataFrame> {
    let rows = imported.rows.len();
    let mut columns = Vec::new();
    for (i, field) in template.fields.iter().enumerate() {
        if imported.mapping.source_of[i].is_none() {
            continue;
        }
        let values: Vec<Option<&str>> = imported
            .rows
            .iter()
            .map(|row| {
                let v = imported.value(row, i).trim();
                (!v.is_empty()).then_some(v)
            })
            .collect();
        // Error findings of this field, placed by row number (rows are in ascending order).
        let mut errors = vec![false; rows];
        for f in findings
            .iter()
            .filter(|f| f.severity == Severity::Error && f.field.as_deref() == Some(&field.key))
        {
            if let Ok(at) = imported.rows.binary_search_by_key(&f.row, |r| r.number) {
                errors[at] = true;
            }
        }
        if is_date(field.kind) {
            let dates: Vec<Option<String>> = values
                .iter()
                .map(|v| {
                    v.and_then(|v| crmkit_core::dates::parse(v).ok())
                        .map(|(date, time)| match time {
                            Some(time) => format!("{date} {time}"),
                            None => date.to_string(),
                        })
                })
                .collect();
            columns.push(Column::new(format!("d{i}").into(), dates));
        }
        columns.push(Column::new(format!("v{i}").into(), values));
        columns.push(Column::new(format!("e{i}").into(), errors));
    }
    Ok(DataFrame::new(rows, columns)?)
}

/// The one-row result of the scalar statistics of every column.
struct Scalars(DataFrame);

impl Scalars {
    fn count(&self, name: &str) -> Result<usize> {
        let value = self.0.column(name)?.get(0)?;
        Ok(value.extract::<u64>().unwrap_or(0) as usize)
    }

    fn text(&self, name: &str) -> Result<Option<String>> {
        let value = self.0.column(name)?.get(0)?;
        Ok(value.extract_str().map(str::to_string))
    }
}

/// Counts per present field, in one query: filled, valid, distinct, duplicated rows, distinct
/// shapes, and the date range.
fn scalars(frame: &DataFrame, template: &Template, present: &[usize]) -> Result<Scalars> {
    let mut exprs = Vec::new();
    for &i in present {
        let v = format!("v{i}");
        let e = format!("e{i}");
        let value = || col(v.as_str());
        let filled = || value().is_not_null();
        exprs.push(count(filled().sum(), format!("filled{i}")));
        exprs.push(count(
            (filled().and(col(e.as_str()).not())).sum(),
            format!("valid{i}"),
        ));
        exprs.push(count(
            value().drop_nulls().n_unique(),
            format!("distinct{i}"),
        ));
        exprs.push(count(
            value().drop_nulls().is_duplicated().sum(),
            format!("duprows{i}"),
        ));
        exprs.push(count(
            col(format!("s{i}").as_str()).drop_nulls().n_unique(),
            format!("patterns{i}"),
        ));
        if is_date(template.fields[i].kind) {
            let d = format!("d{i}");
            exprs.push(count(col(d.as_str()).count(), format!("dparsed{i}")));
            exprs.push(col(d.as_str()).min().alias(format!("dmin{i}")));
            exprs.push(col(d.as_str()).max().alias(format!("dmax{i}")));
        }
    }
    if exprs.is_empty() {
        return Ok(Scalars(DataFrame::empty()));
    }
    Ok(Scalars(frame.clone().lazy().select(exprs).collect()?))
}

fn count(expr: Expr, name: String) -> Expr {
    expr.cast(DataType::UInt64).alias(name)
}

/// The `n` most frequent non-null values of `expr`, most frequent first, ties by value.
fn top(frame: &DataFrame, expr: Expr, n: usize) -> Result<Vec<(String, usize)>> {
    let out = frame
        .clone()
        .lazy()
        .select([expr.alias("value")])
        .drop_nulls(None)
        .group_by([col("value")])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .sort(
            ["n", "value"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .limit(n as IdxSize)
        .collect()?;
    let values = out.column("value")?.str()?;
    let counts = out.column("n")?.u64()?;
    Ok(values
        .iter()
        .zip(counts.iter())
        .filter_map(|(v, n)| Some((v?.to_string(), n? as usize)))
        .collect())
}

/// How many non-null values of a numeric `expr` take each value, in ascending order.
fn buckets(frame: &DataFrame, expr: Expr) -> Result<Vec<Bucket>> {
    let out = frame
        .clone()
        .lazy()
        .select([expr.cast(DataType::UInt64).alias("size")])
        .drop_nulls(None)
        .group_by([col("size")])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .sort(["size"], SortMultipleOptions::default())
        .collect()?;
    bucket_rows(&out)
}

pub(crate) fn bucket_rows(out: &DataFrame) -> Result<Vec<Bucket>> {
    let sizes = out.column("size")?.u64()?;
    let counts = out.column("n")?.u64()?;
    Ok(sizes
        .iter()
        .zip(counts.iter())
        .filter_map(|(s, n)| {
            Some(Bucket {
                size: s? as usize,
                count: n? as usize,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{profile_file, Bucket, ValueCount};
    use crmkit_core::template::Template;
    use crmkit_core::validate::RunOptions;

    fn run(csv: &str) -> super::Profile {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, csv).unwrap();
        let template = Template::resolve(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/templates/person.toml"
        ))
        .unwrap();
        profile_file(&path, &template, &RunOptions::default()).unwrap()
    }

    fn counts(list: &[ValueCount]) -> Vec<(&str, usize)> {
        list.iter().map(|v| (v.value.as_str(), v.count)).collect()
    }

    #[test]
    fn shapes_lengths_and_digits() {
        let p = run("姓名,身份证号,手机号码,出生日期,住址\n\
             张伟,11010519491231002X,138 0013 8000,1949-12-31,北京市朝阳区Room 5\n\
             李娜,11010519491231002X,13800138000,1949/12/31,\n\
             王芳, ,+86 13800138000,2024-02-30,\n");
        assert_eq!(p.rows, 3);
        let mobile = p.column("手机号码").unwrap();
        assert_eq!(
            counts(&mobile.patterns),
            [
                ("+99 99999999999", 1),
                ("999 9999 9999", 1),
                ("99999999999", 1)
            ]
        );
        assert_eq!(
            mobile.digit_counts.as_deref().unwrap(),
            [(11, 2), (13, 1)].map(|(size, count)| Bucket { size, count })
        );
        assert_eq!(mobile.distinct, 3);
        let address = p.column("住址").unwrap();
        assert_eq!(counts(&address.patterns), [("汉aaaa 9", 1)]);
        assert_eq!(address.filled, 1);
        assert!((address.completeness - 1.0 / 3.0).abs() < 1e-12);
        // A blank cell (spaces only) is empty; the same ID twice is a duplicate.
        let id = p.column("id_number").unwrap();
        assert_eq!(
            (id.filled, id.distinct, id.duplicates, id.duplicated_rows),
            (2, 1, 1, 2)
        );
        assert_eq!(counts(&id.top_values), [("110105********002X", 2)]);
        let birth = p.column("出生日期").unwrap();
        let dates = birth.dates.as_ref().unwrap();
        assert_eq!((dates.parsed, dates.unparsed), (2, 1));
        assert_eq!(dates.min.as_deref(), Some("1949-12-31"));
        assert_eq!(birth.invalid, 1);
        assert_eq!(
            birth.lengths,
            [(10, 3)].map(|(size, count)| Bucket { size, count })
        );
    }
}
