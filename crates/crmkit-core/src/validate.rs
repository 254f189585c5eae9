//! The clean-and-validate operation: every value normalised, every rule checked, every finding
//! placed at its spreadsheet row and column.
//!
//! Rows are processed in parallel (rayon, in chunks, results kept in input order); uniqueness
//! and references, which need all rows, are checked afterwards. The original value is always
//! kept: a finding carries it, a change records before and after.

use std::collections::{HashMap, HashSet};

use csv::StringRecord;
use rayon::prelude::*;

use crate::dates;
use crate::finding::{Finding, Severity};
use crate::import::Imported;
use crate::normalize::{self, Context};
use crate::read::GridRow;
use crate::rules::{Check, RuleSet};

/// Rows per parallel work unit.
const CHUNK: usize = 4096;

/// One value a normaliser changed. The value before is the input cell, the value after is in
/// [`Checked::clean`]; nothing is copied per change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Index of the row in the imported rows (and in `clean`).
    pub index: usize,
    /// Index of the template field.
    pub field: usize,
    /// The normalisers that changed it, in order.
    pub steps: Vec<&'static str>,
}

/// Values of another file, for `reference` rules: template name → field key → canonical values.
pub type References = HashMap<(String, String), HashSet<String>>;

/// The result of checking a table.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Canonical values, one record per input row, one field per template field (in template
    /// order). A value with a problem keeps its original text.
    pub clean: Vec<StringRecord>,
    /// Every finding, in row order, then column order.
    pub findings: Vec<Finding>,
    /// Every change a normaliser made, in row order.
    pub changes: Vec<Change>,
    /// For each row, whether it has an error-severity finding.
    pub row_has_error: Vec<bool>,
}

impl Checked {
    /// Rows with at least one error.
    pub fn error_rows(&self) -> usize {
        self.row_has_error.iter().filter(|&&e| e).count()
    }

    /// Findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The share of rows with an error (0 for an empty table).
    pub fn error_rate(&self) -> f64 {
        if self.row_has_error.is_empty() {
            0.0
        } else {
            self.error_rows() as f64 / self.row_has_error.len() as f64
        }
    }
}

/// Normalises and checks every row of `imported` against `rules`; with a `scope` (a mask over
/// the template's fields, [`RuleSet::scope`]), only the fields in it: the others keep their raw
/// text, unchecked, and the rules on them are not applied.
pub fn check(
    imported: &Imported,
    rules: &RuleSet,
    ctx: &Context,
    refs: &References,
    scope: Option<&[bool]>,
) -> Checked {
    let template = &rules.template;
    let file = imported.source.path.display().to_string();
    let sheet = imported.source.sheet.clone();
    let place = Place {
        imported,
        file: &file,
        sheet: &sheet,
        rules,
        scope,
    };

    let parts: Vec<Part> = imported
        .rows
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(chunk, rows)| {
            let mut part = Part::default();
            for (i, row) in rows.iter().enumerate() {
                place.check_row(chunk * CHUNK + i, row, ctx, refs, &mut part);
            }
            part
        })
        .collect();

    let mut checked = Checked {
        clean: Vec::with_capacity(imported.rows.len()),
        findings: Vec::new(),
        changes: Vec::new(),
        row_has_error: Vec::with_capacity(imported.rows.len()),
    };
    // Cells the reader could not trust come first in their row.
    checked.findings.extend(imported.findings.iter().cloned());
    for part in parts {
        checked.clean.extend(part.clean);
        checked.findings.extend(part.findings);
        checked.changes.extend(part.changes);
    }

    // Uniqueness needs every row.
    for rule in rules
        .rules
        .iter()
        .filter(|r| matches!(r.check, Check::Unique) && place.in_scope(r.field))
    {
        let mut first: rustc_hash::FxHashMap<&str, u32> = Default::default();
        for (row, clean) in imported.rows.iter().zip(&checked.clean) {
            let value = &clean[rule.field];
            if value.is_empty() {
                continue;
            }
            match first.get(value) {
                Some(&at) => {
                    let header = &template.fields[rule.field].header;
                    let message = rule.message.clone().unwrap_or_else(|| {
                        format!("{header} \"{value}\" 与第 {at} 行重复; {header}在文件内不能重复")
                    });
                    checked.findings.push(place.finding(
                        row,
                        rule.field,
                        &rule.id,
                        message,
                        rule.severity,
                    ));
                }
                None => {
                    first.insert(value, row.number);
                }
            }
        }
    }

    checked.findings.sort_by(|a, b| {
        (a.row, a.letter.len(), &a.letter).cmp(&(b.row, b.letter.len(), &b.letter))
    });
    // Rows are in ascending row-number order, so a finding's row is found by binary search.
    checked.row_has_error = vec![false; imported.rows.len()];
    for finding in &checked.findings {
        if finding.severity == Severity::Error {
            if let Ok(i) = imported
                .rows
                .binary_search_by_key(&finding.row, |r| r.number)
            {
                checked.row_has_error[i] = true;
            }
        }
    }
    checked
}

#[derive(Default)]
struct Part {
    clean: Vec<StringRecord>,
    findings: Vec<Finding>,
    changes: Vec<Change>,
}

struct Place<'a> {
    imported: &'a Imported,
    file: &'a str,
    sheet: &'a Option<String>,
    rules: &'a RuleSet,
    scope: Option<&'a [bool]>,
}

impl Place<'_> {
    /// Whether field `field` is checked.
    fn in_scope(&self, field: usize) -> bool {
        self.scope.is_none_or(|s| s[field])
    }

    fn column(&self, field: usize) -> (String, String) {
        match self.imported.mapping.source_of[field] {
            Some(c) => (
                crate::read::column_letter(c),
                self.imported.headers[c].clone(),
            ),
            None => (String::new(), String::new()),
        }
    }

    fn finding(
        &self,
        row: &GridRow,
        field: usize,
        rule: &str,
        message: String,
        severity: Severity,
    ) -> Finding {
        let (letter, column) = self.column(field);
        Finding {
            file: self.file.to_string(),
            sheet: self.sheet.clone(),
            row: row.number,
            letter,
            column,
            field: Some(self.rules.template.fields[field].key.clone()),
            value: self.imported.value(row, field).to_string(),
            rule: rule.to_string(),
            message,
            severity,
        }
    }

    fn check_row(
        &self,
        index: usize,
        row: &GridRow,
        ctx: &Context,
        refs: &References,
        part: &mut Part,
    ) {
        let template = &self.rules.template;
        let mut clean =
            StringRecord::with_capacity(row.cells.as_slice().len(), template.fields.len());
        // Whether each field's value is usable for rules (present and without a problem).
        let mut usable = Vec::with_capacity(template.fields.len());
        for (i, field) in template.fields.iter().enumerate() {
            let raw = self.imported.value(row, i);
            if !self.in_scope(i) {
                clean.push_field(raw);
                usable.push(false);
                continue;
            }
            if raw.is_empty() {
                clean.push_field("");
                usable.push(false);
                continue;
            }
            let outcome = normalize::normalize(field, raw, ctx);
            if let Some(problem) = &outcome.problem {
                part.findings.push(self.finding(
                    row,
                    i,
                    problem.rule,
                    problem.message.clone(),
                    problem.severity,
                ));
            }
            if outcome.is_usable() {
                usable.push(!outcome.value.is_empty());
                clean.push_field(&outcome.value);
                if outcome.value != raw {
                    part.changes.push(Change {
                        index,
                        field: i,
                        steps: outcome.steps,
                    });
                }
            } else {
                // The original text stays; rules do not look at it again.
                clean.push_field(raw);
                usable.push(false);
            }
        }

        for rule in self.rules.rules.iter().filter(|r| self.in_scope(r.field)) {
            let value = &clean[rule.field];
            let header = &template.fields[rule.field].header;
            let breach: Option<String> = match &rule.check {
                Check::Required => (normalize::trim(value).is_empty()
                    || normalize::is_placeholder(value))
                .then(|| {
                    format!(
                        "{header}为必填项, 不能为空或填占位符 (例如 {})",
                        example(self, rule.field)
                    )
                }),
                Check::RequiredIf { when } => {
                    (value.is_empty() && !clean[*when].is_empty()).then(|| {
                        format!(
                            "填写了{}时, {header}为必填项 (例如 {})",
                            template.fields[*when].header,
                            example(self, rule.field)
                        )
                    })
                }
                _ if !usable[rule.field] => None,
                Check::Regex(regex) => (!regex.is_match(value))
                    .then(|| format!("{header} \"{value}\" 格式不符合规则 {}", regex.as_str())),
                Check::Length { min, max } => {
                    let n = value.chars().count();
                    let short = min.is_some_and(|m| n < m);
                    let long = max.is_some_and(|m| n > m);
                    (short || long).then(|| match (min, max) {
                        (_, Some(m)) if long => format!("{header}不能超过{m}个字, 实际为{n}个字"),
                        (Some(m), _) => format!("{header}至少{m}个字, 实际为{n}个字"),
                        _ => format!("{header}长度不符, 实际为{n}个字"),
                    })
                }
                Check::Range { min, max } => value.parse::<f64>().ok().and_then(|x| {
                    let low = min.is_some_and(|m| x < m);
                    let high = max.is_some_and(|m| x > m);
                    (low || high).then(|| {
                        format!(
                            "{header} {value} 超出范围 {}–{}",
                            min.map_or("-∞".into(), |m| m.to_string()),
                            max.map_or("+∞".into(), |m| m.to_string())
                        )
                    })
                }),
                Check::DateRange { min, max } => dates::parse(value).ok().and_then(|(d, _)| {
                    let early = min.is_some_and(|m| d < m);
                    let late = max.is_some_and(|m| d > m);
                    (early || late).then(|| {
                        format!(
                            "{header} {value} 超出范围 {} 到 {}",
                            min.map_or("不限".into(), |m| m.to_string()),
                            max.map_or("不限".into(), |m| m.to_string())
                        )
                    })
                }),
                Check::Unique => None, // needs every row; checked afterwards
                Check::Compare { op, other } => {
                    if !usable[*other] {
                        None
                    } else {
                        compare(value, &clean[*other]).and_then(|ordering| {
                            (!op.holds(ordering)).then(|| {
                                format!(
                                    "{header} {value} 应 {} {} {}",
                                    op.symbol(),
                                    template.fields[*other].header,
                                    &clean[*other]
                                )
                            })
                        })
                    }
                }
                Check::EnumByRange { by, bands } => {
                    if !usable[*by] {
                        None
                    } else {
                        clean[*by].parse::<f64>().ok().and_then(|x| {
                            let expected = bands.iter().find(|b| {
                                b.min.is_none_or(|m| x >= m) && b.max.is_none_or(|m| x < m)
                            })?;
                            (expected.value != value).then(|| {
                                format!(
                                    "{header}为 {value}, 但{}为 {x}, 应为 {}",
                                    template.fields[*by].header, expected.value
                                )
                            })
                        })
                    }
                }
                Check::Reference {
                    template: t,
                    target,
                } => refs
                    .get(&(t.clone(), target.clone()))
                    .filter(|set| !set.contains(value))
                    .map(|_| format!("{header} \"{value}\" 在{t}表中不存在")),
            };
            if let Some(default) = breach {
                let message = match &rule.message {
                    Some(m) => format!("{m} (实际为 \"{}\")", crate::mask::mask_digit_runs(value)),
                    None => default,
                };
                part.findings
                    .push(self.finding(row, rule.field, &rule.id, message, rule.severity));
            }
        }
        part.clean.push(clean);
    }
}

fn example(place: &Place, field: usize) -> String {
    let example = &place.rules.template.fields[field].example;
    if example.is_empty() {
        "见模板填写说明".to_string()
    } else {
        example.clone()
    }
}

/// Compares two canonical values: as numbers when both are, as dates when both are (a date
/// against a date-time compares the days), else not at all.
fn compare(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x.partial_cmp(&y);
    }
    let (da, ta) = dates::parse(a).ok()?;
    let (db, tb) = dates::parse(b).ok()?;
    match (ta, tb) {
        (Some(ta), Some(tb)) => Some((da, ta).cmp(&(db, tb))),
        _ => Some(da.cmp(&db)),
    }
}

/// Loads the canonical values of `target` from a file of `template`, for reference rules.
pub fn reference_values(
    imported: &Imported,
    rules: &RuleSet,
    target: &str,
    ctx: &Context,
) -> HashSet<String> {
    let Some(field) = rules.template.fields.iter().position(|f| f.key == target) else {
        return HashSet::new();
    };
    imported
        .rows
        .par_iter()
        .map(|row| {
            normalize::normalize(
                &rules.template.fields[field],
                imported.value(row, field),
                ctx,
            )
            .value
            .into_owned()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// Options for [`run`].
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// How to read the input.
    pub import: crate::import::ImportOptions,
    /// A rules directory replacing the built-in rule sets and reference data.
    pub rules_dir: Option<std::path::PathBuf>,
    /// More rule files (`--rules`).
    pub extra_rules: Vec<std::path::PathBuf>,
    /// Files of other templates for reference rules (`--ref customer=customers.xlsx`).
    pub references: Vec<(String, std::path::PathBuf)>,
    /// Today (for date rules and ID birth dates); the system date when not given.
    pub today: Option<dates::Date>,
    /// Convert traditional characters in company names to simplified.
    pub simplified: bool,
    /// Check only these template fields (by key) and the fields their rules read; every other
    /// field keeps its raw text, unchecked. For a caller that reads a few fields (a dedupe
    /// that writes clusters only); `None` checks every field.
    pub fields: Option<Vec<String>>,
}

/// What [`run`] produced.
#[derive(Debug)]
pub struct Run {
    /// The input, mapped.
    pub imported: Imported,
    /// The template with its rules.
    pub rules: RuleSet,
    /// The check; `None` when required columns are missing (nothing can be checked).
    pub checked: Option<Checked>,
    /// Reference rules that could not be applied because their file was not given.
    pub skipped_references: Vec<String>,
}

/// Reads `input`, maps it onto `template`, and checks it: the whole of `validate` and `clean`
/// before anything is written.
pub fn run(
    input: &std::path::Path,
    template: &crate::template::Template,
    options: &RunOptions,
) -> crate::error::Result<Run> {
    let today = options.today.unwrap_or_else(dates::Date::today);
    let extra: Vec<&std::path::Path> = options.extra_rules.iter().map(|p| p.as_path()).collect();
    let rules = RuleSet::for_template(template, options.rules_dir.as_deref(), &extra, today)?;
    let reference = match &options.rules_dir {
        Some(dir) => crate::reference::Reference::load(dir)?,
        None => crate::reference::Reference::builtin()?,
    };
    let ctx = Context {
        reference: &reference,
        today,
        simplified: options.simplified,
    };
    let imported = crate::import::import(input, &rules.template, &options.import)?;
    if !imported.is_complete() {
        return Ok(Run {
            imported,
            rules,
            checked: None,
            skipped_references: Vec::new(),
        });
    }
    let mut refs = References::new();
    let mut skipped = Vec::new();
    for (rule, other, target) in rules.references() {
        let Some((_, path)) = options.references.iter().find(|(t, _)| t == other) else {
            skipped.push(rule.id.clone());
            continue;
        };
        let key = (other.to_string(), target.to_string());
        if refs.contains_key(&key) {
            continue;
        }
        let other_template = crate::template::Template::resolve(other)?;
        let other_rules =
            RuleSet::for_template(&other_template, options.rules_dir.as_deref(), &[], today)?;
        let other_file =
            crate::import::import(path, &other_rules.template, &options.import_for_reference())?;
        refs.insert(
            key,
            reference_values(&other_file, &other_rules, target, &ctx),
        );
    }
    let scope = options.fields.as_deref().map(|keys| rules.scope(keys));
    let checked = check(&imported, &rules, &ctx, &refs, scope.as_deref());
    Ok(Run {
        imported,
        rules,
        checked: Some(checked),
        skipped_references: skipped,
    })
}

impl RunOptions {
    /// Reading options for a reference file: its own sheet choice, the same encoding rules.
    fn import_for_reference(&self) -> crate::import::ImportOptions {
        crate::import::ImportOptions {
            sheet: None,
            read: crate::read::ReadOptions {
                encoding: None,
                delimiter: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on_messy(fields: Option<Vec<String>>) -> (Run, Checked) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/validate/customers_messy.csv");
        let template = crate::template::Template::resolve("customer").unwrap();
        let options = RunOptions {
            today: Some(dates::Date::new(2024, 6, 1).unwrap()),
            fields,
            ..Default::default()
        };
        let mut run = run(&path, &template, &options).unwrap();
        let checked = run.checked.take().unwrap();
        (run, checked)
    }

    #[test]
    fn a_scoped_check_cleans_only_its_fields_and_those_their_rules_read() {
        let (full_run, full) = run_on_messy(None);
        let (run, scoped) = run_on_messy(Some(vec!["mobile".into(), "level".into()]));
        let field = |key: &str| {
            run.rules
                .template
                .fields
                .iter()
                .position(|f| f.key == key)
                .unwrap()
        };
        let (mobile, level, purchase, email) = (
            field("mobile"),
            field("level"),
            field("annual_purchase"),
            field("email"),
        );
        // In scope (level's rule reads annual_purchase): exactly as a full check.
        for f in [mobile, level, purchase] {
            let key = &run.rules.template.fields[f].key;
            for (a, b) in full.clean.iter().zip(&scoped.clean) {
                assert_eq!(a.get(f), b.get(f), "{key}");
            }
            let of = |c: &Checked| -> Vec<(u32, String)> {
                c.findings
                    .iter()
                    .filter(|x| x.field.as_deref() == Some(key.as_str()))
                    .map(|x| (x.row, x.message.clone()))
                    .collect()
            };
            assert_eq!(of(&full), of(&scoped), "{key}");
        }
        assert!(scoped
            .findings
            .iter()
            .any(|x| x.field.as_deref() == Some("mobile")));
        // Out of scope: the raw text, unchecked, no findings.
        assert!(scoped
            .findings
            .iter()
            .all(|x| x.field.as_deref() != Some("email")));
        for (row, clean) in run.imported.rows.iter().zip(&scoped.clean) {
            assert_eq!(clean.get(email), Some(run.imported.value(row, email)));
        }
        assert!(full
            .clean
            .iter()
            .any(|c| c.get(email) == Some("zhangwei@huayuan.com")));
        assert!(full.findings.len() > scoped.findings.len());
        assert_eq!(full_run.imported.rows.len(), run.imported.rows.len());
    }

    #[test]
    fn a_scope_takes_in_the_fields_its_rules_read() {
        let template = crate::template::Template::resolve("customer").unwrap();
        let rules =
            RuleSet::for_template(&template, None, &[], dates::Date::new(2024, 6, 1).unwrap())
                .unwrap();
        let keys = |mask: Vec<bool>| -> Vec<String> {
            mask.iter()
                .zip(&rules.template.fields)
                .filter(|(m, _)| **m)
                .map(|(_, f)| f.key.clone())
                .collect()
        };
        assert_eq!(keys(rules.scope(&["mobile".into()])), ["mobile"]);
        assert_eq!(
            keys(rules.scope(&["level".into(), "no_such_field".into()])),
            ["level", "annual_purchase"]
        );
        assert!(keys(rules.scope(&[])).is_empty());
    }
}
