//! Pre-filling what a machine can judge: for a database sample, a field whose value as loaded
//! equals the source value after crmkit's normalisation is marked 正确; for a file sample
//! (where "as loaded" is crmkit's own normalisation), a field normalisation left unchanged. A
//! record whose fields are all 正确 gets 正确 as well. Everything else is left blank for a person. A mark already in the
//! workbook is never changed.
//!
//! For a database sample, the values as loaded can first be read again from the table (the
//! data may have been reloaded since the sample was drawn).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crmkit_core::normalize::{self, Context};
use crmkit_core::reference::Reference;
use crmkit_core::template::Template;
use crmkit_load::db::Db;

use crate::error::{Error, Result};
use crate::sample::{display_db_value, same_value, table_template, Mark, OriginKind, Sample};
use crate::workbook::read_workbook;

/// What [`compare`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    /// The sample with the marks filled in; write it with [`crate::write_workbook`].
    pub sample: Sample,
    /// Field marks filled in (正确).
    pub fields_prefilled: usize,
    /// Record marks filled in (正确: every field 正确).
    pub records_prefilled: usize,
    /// Field marks still blank: for a person.
    pub fields_left: usize,
    /// Records still without a verdict.
    pub records_left: usize,
    /// Whether the values as loaded were read again from the database.
    pub refreshed: bool,
}

/// Counts of [`Compared`], for a run report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CompareSummary {
    /// Field marks filled in.
    pub fields_prefilled: usize,
    /// Record marks filled in.
    pub records_prefilled: usize,
    /// Field marks left for a person.
    pub fields_left: usize,
    /// Records left for a person.
    pub records_left: usize,
}

impl Compared {
    /// The counts.
    pub fn summary(&self) -> CompareSummary {
        CompareSummary {
            fields_prefilled: self.fields_prefilled,
            records_prefilled: self.records_prefilled,
            fields_left: self.fields_left,
            records_left: self.records_left,
        }
    }
}

/// Reads the audit workbook at `path` and pre-fills the marks a machine can judge.
///
/// `db`: the database a database sample came from (and its label for messages), to read the
/// values as loaded again. `template`: the template to normalise with; by default the one
/// recorded in the workbook (from the database for a database sample when `db` is given).
pub fn compare(
    path: &Path,
    db: Option<(&mut Db, &str)>,
    template: Option<&Template>,
) -> Result<Compared> {
    let mut sample = read_workbook(path)?;
    let table = sample.origin.table.clone().unwrap_or_default();
    let mut refreshed = false;
    let resolved;
    let template = match (template, db) {
        (_, Some(_)) if sample.origin.kind != OriginKind::Db => {
            return Err(Error::Input(format!(
                "{}: 这份抽查表抽自文件 {}, 不是数据库; 去掉 --db 再运行",
                path.display(),
                sample.origin.location
            )))
        }
        (given, Some((db, label))) => {
            let (from_db, _) = table_template(db, label, &table)?;
            refresh(&mut sample, db, label, &table, &from_db)?;
            refreshed = true;
            resolved = from_db;
            given.unwrap_or(&resolved)
        }
        (Some(given), None) => given,
        (None, None) => {
            let spec = sample.origin.template.as_str();
            let spec = spec.strip_prefix("crmkit_table:").unwrap_or(spec);
            resolved = Template::resolve(spec).map_err(|e| {
                Error::Input(format!(
                    "{}: 找不到抽查表记录的模板 `{}` ({e}); 请用 --template 指定, 或对数据库抽样用 --db 指定数据库",
                    path.display(),
                    sample.origin.template
                ))
            })?;
            &resolved
        }
    };

    let reference = Reference::builtin()?;
    let ctx = Context {
        reference: &reference,
        today: crmkit_core::dates::Date::today(),
        simplified: false,
    };
    let fields: Vec<_> = sample
        .fields
        .iter()
        .map(|f| template.field(&f.key))
        .collect();
    let kind = sample.origin.kind;
    let (mut fields_prefilled, mut records_prefilled) = (0, 0);
    for record in &mut sample.records {
        // Without any source value there is nothing to compare against.
        if record.source.iter().all(|s| s.trim().is_empty()) {
            continue;
        }
        for (f, field) in fields.iter().enumerate() {
            let Some(field) = field else { continue };
            if record.marks[f].is_some() {
                continue;
            }
            // From a file, the value as loaded is crmkit's own normalisation of the source: a
            // value normalisation changed needs eyes. From a database, the loaded value must
            // equal the normalised source value.
            let judged = match kind {
                OriginKind::File => record.loaded[f].trim() == record.source[f].trim(),
                OriginKind::Db => {
                    let outcome = normalize::normalize(field, &record.source[f], &ctx);
                    outcome.is_usable() && same_value(field.kind, &record.loaded[f], &outcome.value)
                }
            };
            if judged {
                record.marks[f] = Some(Mark::Right);
                fields_prefilled += 1;
            }
        }
        if record.verdict.is_none() && record.marks.iter().all(|m| *m == Some(Mark::Right)) {
            record.verdict = Some(Mark::Right);
            records_prefilled += 1;
        }
    }
    let fields_left = sample
        .records
        .iter()
        .filter(|r| r.verdict.is_none())
        .map(|r| r.marks.iter().filter(|m| m.is_none()).count())
        .sum();
    let records_left = sample
        .records
        .iter()
        .filter(|r| r.verdict.is_none())
        .count();
    Ok(Compared {
        sample,
        fields_prefilled,
        records_prefilled,
        fields_left,
        records_left,
        refreshed,
    })
}

/// Reads the values as loaded again from the table.
fn refresh(
    sample: &mut Sample,
    db: &mut Db,
    label: &str,
    table: &str,
    template: &Template,
) -> Result<()> {
    let columns = db.columns_of(table).map_err(|message| {
        Error::Load(Box::new(crmkit_load::Error::Database {
            db: label.to_string(),
            action: "无法读取表结构".into(),
            message,
        }))
    })?;
    let mut select = vec!["_id".to_string()];
    let mut present = Vec::new();
    for (f, field) in sample.fields.iter().enumerate() {
        if columns.contains(&field.key) {
            select.push(field.key.clone());
            present.push(f);
        }
    }
    let ids: Vec<i64> = sample
        .records
        .iter()
        .filter_map(|r| r.id.parse().ok())
        .collect();
    let rows = db.select_ids(table, &select, &ids).map_err(|message| {
        Error::Load(Box::new(crmkit_load::Error::Database {
            db: label.to_string(),
            action: "无法读取数据".into(),
            message,
        }))
    })?;
    let by_id: HashMap<String, &Vec<Option<String>>> = rows
        .iter()
        .map(|r| (r[0].clone().unwrap_or_default(), r))
        .collect();
    for record in &mut sample.records {
        let Some(row) = by_id.get(&record.id) else {
            if !record.note.contains("数据库中已没有") {
                record.note = format!(
                    "数据库中已没有这条记录 (_id {}); {}",
                    record.id, record.note
                );
            }
            continue;
        };
        for (k, &f) in present.iter().enumerate() {
            let kind = template
                .field(&sample.fields[f].key)
                .map(|field| field.kind)
                .unwrap_or(crmkit_core::template::FieldType::Text);
            record.loaded[f] = display_db_value(kind, row[k + 1].as_deref().unwrap_or(""));
        }
    }
    Ok(())
}
