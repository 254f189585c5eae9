//! Drawing a sample of records, from a client file or from a table `crmkit load` wrote, with
//! both the value as loaded and the value in the source for every checked field.
//!
//! From a file, "in the source" is the cell as read and "as loaded" is the value after
//! crmkit's normalisation (what `clean` would write). From the database, "as loaded" is the
//! value in the table and "in the source" is the cell of the file named by the row's lineage
//! (`_source_file`, `_source_sheet`, `_source_row`), read again when that file can be read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crmkit_core::import::{import, ImportOptions, Imported};
use crmkit_core::normalize::{self, Context};
use crmkit_core::read::ReadOptions;
use crmkit_core::reference::Reference;
use crmkit_core::template::{FieldType, Template};
use crmkit_load::db::Db;
use crmkit_load::schema::{SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET};

use crate::draw::{self, Rng};
use crate::error::{Error, Result};
use crate::plan::{self, Method, Plan, PlanSpec, Strata, Stratum};

/// The name of the stratum for a blank value.
pub const BLANK_STRATUM: &str = "(空)";

/// What `--strata` takes for the source file.
pub const SOURCE_STRATA: [&str; 2] = ["source", "来源文件"];

/// Where the records come from.
pub enum Source<'a> {
    /// A client file, read with a template as `crmkit import` reads it.
    File {
        /// The file.
        path: &'a Path,
        /// The template it is mapped onto.
        template: &'a Template,
        /// Sheet, encoding and delimiter.
        options: ImportOptions,
    },
    /// A table `crmkit load` wrote.
    Db {
        /// The open database.
        db: &'a mut Db,
        /// The database for messages (password masked).
        label: &'a str,
        /// The table (the template's name: `customer`).
        table: &'a str,
        /// How to read the source files named by the lineage columns.
        read: ReadOptions,
        /// Where to look for a source file whose recorded path is relative and not found
        /// from the current directory.
        source_dir: Option<&'a Path>,
    },
}

/// Whether the sample came from a file or a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OriginKind {
    /// A client file.
    File,
    /// A database table.
    Db,
}

/// Where a sample came from, as recorded in the workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    /// File or database.
    pub kind: OriginKind,
    /// `customers.xlsx [客户信息]`, or the database URL with its password masked.
    pub location: String,
    /// The table, for a database.
    pub table: Option<String>,
    /// The template: a built-in name, a path, or `crmkit_table:<table>` (read from the
    /// database).
    pub template: String,
}

/// A field the audit checks: its key and Chinese header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditField {
    /// The template field's key (`mobile`).
    pub key: String,
    /// Its header (`联系电话`).
    pub header: String,
}

/// An auditor's mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mark {
    /// 正确.
    Right,
    /// 错误.
    Wrong,
}

impl Mark {
    /// The text in the workbook's dropdown.
    pub fn label(self) -> &'static str {
        match self {
            Mark::Right => "正确",
            Mark::Wrong => "错误",
        }
    }

    /// A mark cell: `Some(None)` when empty, `None` when not 正确/错误.
    pub fn parse(text: &str) -> Option<Option<Mark>> {
        match text.trim() {
            "" => Some(None),
            "正确" => Some(Some(Mark::Right)),
            "错误" => Some(Some(Mark::Wrong)),
            _ => None,
        }
    }
}

/// One sampled record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// What identifies it: the spreadsheet row for a file, `_id` for a database.
    pub id: String,
    /// The source file.
    pub file: String,
    /// The source sheet.
    pub sheet: Option<String>,
    /// The source row as the spreadsheet shows it.
    pub row: Option<u32>,
    /// Its stratum, for a stratified plan.
    pub stratum: Option<String>,
    /// Per checked field: the value as loaded.
    pub loaded: Vec<String>,
    /// Per checked field: the value in the source ("" when the source could not be read).
    pub source: Vec<String>,
    /// Per checked field: the auditor's (or `compare`'s) mark.
    pub marks: Vec<Option<Mark>>,
    /// The record's mark.
    pub verdict: Option<Mark>,
    /// The auditor's 备注.
    pub remark: String,
    /// crmkit's note: problems the normaliser found, a source file that could not be read.
    pub note: String,
    /// The workbook row it was read from (0 for a fresh sample).
    pub line: u32,
}

/// A drawn sample: the plan, where it came from, the fields checked and the records.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The plan, with its seed and strata.
    pub plan: Plan,
    /// Where the records came from.
    pub origin: Origin,
    /// The fields checked, in template order.
    pub fields: Vec<AuditField>,
    /// The records, in population order.
    pub records: Vec<Record>,
}

/// Draws a sample. `seed`: `None` picks a fresh one (recorded in the plan).
pub fn sample(source: Source, spec: &PlanSpec, seed: Option<u64>) -> Result<Sample> {
    plan::check(spec)?;
    let seed = seed.unwrap_or_else(draw::fresh_seed);
    match source {
        Source::File {
            path,
            template,
            options,
        } => from_file(path, template, &options, spec, seed),
        Source::Db {
            db,
            label,
            table,
            read,
            source_dir,
        } => from_db(db, label, table, &read, source_dir, spec, seed),
    }
}

/// The template spec recorded in the workbook: the built-in name, or the path.
pub fn template_spec(template: &Template) -> String {
    let builtin = format!("templates/{}.toml", template.name);
    if template.origin == builtin && Template::builtin_names().any(|n| n == template.name) {
        template.name.clone()
    } else {
        template.origin.clone()
    }
}

/// Finds the field `--strata` names, by header, key or alias, among `fields` (indices into
/// the template).
fn strata_field(template: &Template, fields: &[usize], by: &str) -> Result<usize> {
    let by = by.trim();
    fields
        .iter()
        .copied()
        .find(|&i| {
            let f = &template.fields[i];
            f.header == by || f.key == by || f.aliases.iter().any(|a| a == by)
        })
        .ok_or_else(|| {
            let names: Vec<&str> = fields
                .iter()
                .map(|&i| template.fields[i].header.as_str())
                .collect();
            Error::Option {
                option: "--strata",
                message: format!(
                    "没有字段 \"{by}\"; 可按这些字段分层: {}, 或 source (来源文件); 例如 --strata {}",
                    names.join(", "),
                    names.first().copied().unwrap_or("source")
                ),
            }
        })
}

fn stratum_name(value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        BLANK_STRATUM.to_string()
    } else {
        value.to_string()
    }
}

/// A stable stream number for a stratum name (FNV-1a), so each stratum's draw depends only
/// on the seed, its name and its records.
fn stream(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Draws the indices (into the population) of the sample; fills in the strata.
fn draw_indices(plan: &mut Plan, strata: Option<(String, Vec<String>)>) -> Vec<usize> {
    let Some((by, keys)) = strata else {
        return draw::choose(&mut Rng::new(plan.seed, 0), plan.population, plan.size);
    };
    let mut order: Vec<&str> = Vec::new();
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        let list = members.entry(key.as_str()).or_default();
        if list.is_empty() {
            order.push(key.as_str());
        }
        list.push(i);
    }
    let sizes: Vec<usize> = order.iter().map(|k| members[k].len()).collect();
    let allocation = draw::allocate(&sizes, plan.size);
    let mut chosen = Vec::new();
    let mut groups = Vec::new();
    for (g, name) in order.iter().enumerate() {
        let list = &members[name];
        let picked = draw::choose(
            &mut Rng::new(plan.seed, stream(name)),
            list.len(),
            allocation[g],
        );
        chosen.extend(picked.into_iter().map(|i| list[i]));
        groups.push(Stratum {
            name: name.to_string(),
            population: list.len(),
            size: allocation[g],
        });
    }
    chosen.sort_unstable();
    // At least one per stratum can make the sample larger than asked: the numbers follow.
    if chosen.len() != plan.size {
        plan.size = chosen.len();
        if let Some(t) = plan.threshold.filter(|_| plan.aql.is_none()) {
            plan.ac = plan::acceptance_number(plan.size, t);
            plan.re = plan.ac + 1;
        }
        plan.whole_lot = plan.size >= plan.population;
    }
    if plan.method == Method::Random {
        plan.method = Method::Stratified;
    }
    plan.strata = Some(Strata { by, groups });
    chosen
}

fn from_file(
    path: &Path,
    template: &Template,
    options: &ImportOptions,
    spec: &PlanSpec,
    seed: u64,
) -> Result<Sample> {
    let imported = import(path, template, options)?;
    let fields: Vec<usize> = (0..template.fields.len())
        .filter(|&i| imported.mapping.source_of[i].is_some())
        .collect();
    if fields.is_empty() {
        return Err(Error::Input(format!(
            "{}: 没有一列对应模板 {} 的字段, 无法抽查; 请检查表头或 --template",
            imported.source.location(),
            template.name
        )));
    }
    let reference = Reference::builtin()?;
    let ctx = Context {
        reference: &reference,
        today: crmkit_core::dates::Date::today(),
        simplified: false,
    };
    let mut plan = plan::resolve(spec, imported.rows.len(), seed)?;
    let file_name = imported.source.path.display().to_string();
    let strata = match spec.strata.as_deref() {
        None => None,
        Some(by) if SOURCE_STRATA.contains(&by.trim()) => Some((
            "来源文件".to_string(),
            vec![file_name.clone(); imported.rows.len()],
        )),
        Some(by) => {
            let f = strata_field(template, &fields, by)?;
            let field = &template.fields[f];
            let keys = imported
                .rows
                .iter()
                .map(|row| {
                    stratum_name(&normalize::normalize(field, imported.value(row, f), &ctx).value)
                })
                .collect();
            Some((field.header.clone(), keys))
        }
    };
    let keys = strata.as_ref().map(|(_, k)| k.clone());
    let chosen = draw_indices(&mut plan, strata);
    let records = chosen
        .iter()
        .map(|&i| {
            let row = &imported.rows[i];
            let mut loaded = Vec::with_capacity(fields.len());
            let mut source = Vec::with_capacity(fields.len());
            let mut notes = Vec::new();
            for &f in &fields {
                let field = &template.fields[f];
                let raw = imported.value(row, f);
                let outcome = normalize::normalize(field, raw, &ctx);
                if let Some(problem) = &outcome.problem {
                    notes.push(format!("{}: {}", field.header, problem.message));
                }
                loaded.push(if outcome.is_usable() {
                    outcome.value.into_owned()
                } else {
                    raw.to_string()
                });
                source.push(raw.to_string());
            }
            Record {
                id: row.number.to_string(),
                file: file_name.clone(),
                sheet: imported.source.sheet.clone(),
                row: Some(row.number),
                stratum: keys.as_ref().map(|k| k[i].clone()),
                marks: vec![None; fields.len()],
                loaded,
                source,
                verdict: None,
                remark: String::new(),
                note: notes.join("; "),
                line: 0,
            }
        })
        .collect::<Vec<_>>();
    Ok(Sample {
        origin: Origin {
            kind: OriginKind::File,
            location: imported.source.location(),
            table: None,
            template: template_spec(template),
        },
        fields: fields
            .iter()
            .map(|&f| AuditField {
                key: template.fields[f].key.clone(),
                header: template.fields[f].header.clone(),
            })
            .collect(),
        records,
        plan,
    })
}

/// The template of a table `crmkit load` wrote, and the columns it has.
pub fn table_template(db: &mut Db, label: &str, table: &str) -> Result<(Template, Vec<String>)> {
    let database = |action: &str| {
        let action = action.to_string();
        move |message: String| {
            Error::Load(Box::new(crmkit_load::Error::Database {
                db: label.to_string(),
                action,
                message,
            }))
        }
    };
    let text = db.template_of(table).map_err(database("无法读取表结构"))?;
    let columns = match &text {
        Some(_) => db.columns_of(table).map_err(database("无法读取表结构"))?,
        None => Vec::new(),
    };
    let Some(text) = text.filter(|_| !columns.is_empty()) else {
        let tables = db.tables().map_err(database("无法读取表结构"))?;
        return Err(Error::Input(if tables.is_empty() {
            format!("{label}: 没有表 `{table}`: 这个数据库里还没有 crmkit load 载入的表; 请先载入数据, 例如 crmkit load customers.csv --db {label}")
        } else {
            format!(
                "{label}: 没有 crmkit load 载入的表 `{table}`; 已载入的表: {}; 例如 --table {}",
                tables.join(", "),
                tables[0]
            )
        }));
    };
    let template = Template::parse(&text, &format!("crmkit_table:{table}"))?;
    Ok((template, columns))
}

/// Opens the file a row's lineage names: the path as recorded, else under `source_dir`.
fn locate(recorded: &str, source_dir: Option<&Path>) -> PathBuf {
    let path = PathBuf::from(recorded);
    if path.exists() || path.is_absolute() {
        return path;
    }
    match source_dir {
        Some(dir) if dir.join(&path).exists() => dir.join(&path),
        Some(dir) => match path.file_name() {
            Some(name) if dir.join(name).exists() => dir.join(name),
            _ => path,
        },
        None => path,
    }
}

/// The source files named by the sampled rows, each read once: (file, sheet) → the import,
/// or why it could not be read.
type SourceFiles = HashMap<(String, Option<String>), std::result::Result<Imported, String>>;

fn from_db(
    db: &mut Db,
    label: &str,
    table: &str,
    read: &ReadOptions,
    source_dir: Option<&Path>,
    spec: &PlanSpec,
    seed: u64,
) -> Result<Sample> {
    let (template, columns) = table_template(db, label, table)?;
    let database = |action: &str| {
        let action = action.to_string();
        move |message: String| {
            Error::Load(Box::new(crmkit_load::Error::Database {
                db: label.to_string(),
                action,
                message,
            }))
        }
    };
    let have = |name: &str| columns.iter().any(|c| c == name);
    let fields: Vec<usize> = (0..template.fields.len())
        .filter(|&i| have(&template.fields[i].key))
        .collect();

    // The population: every row's id and, for strata, its stratum value.
    let strata_column = match spec.strata.as_deref().map(str::trim) {
        None => None,
        Some(by) if SOURCE_STRATA.contains(&by) => {
            Some(("来源文件".to_string(), SOURCE_FILE.to_string()))
        }
        Some(by) => {
            let f = strata_field(&template, &fields, by)?;
            Some((
                template.fields[f].header.clone(),
                template.fields[f].key.clone(),
            ))
        }
    };
    let mut wanted = vec!["_id".to_string()];
    if let Some((_, column)) = &strata_column {
        wanted.push(column.clone());
    }
    let population = db
        .select(table, &wanted)
        .map_err(database("无法读取数据"))?;
    if population.is_empty() {
        return Err(Error::Input(format!(
            "{label}: 表 `{table}` 没有记录, 无法抽查; 请先用 crmkit load 载入数据"
        )));
    }
    let ids: Vec<i64> = population
        .iter()
        .map(|r| r[0].as_deref().and_then(|v| v.parse().ok()).unwrap_or(0))
        .collect();
    let mut plan = plan::resolve(spec, population.len(), seed)?;
    let strata = strata_column.as_ref().map(|(by, _)| {
        (
            by.clone(),
            population
                .iter()
                .map(|r| stratum_name(r[1].as_deref().unwrap_or("")))
                .collect::<Vec<_>>(),
        )
    });
    let keys = strata.as_ref().map(|(_, k)| k.clone());
    let chosen = draw_indices(&mut plan, strata);
    let chosen_ids: Vec<i64> = chosen.iter().map(|&i| ids[i]).collect();
    let position: HashMap<i64, usize> = chosen.iter().map(|&i| (ids[i], i)).collect();

    // The sampled rows, with their lineage.
    let mut select: Vec<String> = vec!["_id".into()];
    select.extend(fields.iter().map(|&f| template.fields[f].key.clone()));
    let lineage = [SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW];
    for column in lineage {
        select.push(column.to_string());
    }
    let rows = db
        .select_ids(table, &select, &chosen_ids)
        .map_err(database("无法读取数据"))?;
    let at = fields.len() + 1;

    let mut files: SourceFiles = HashMap::new();
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
        let file = text(at);
        let sheet = row.get(at + 1).cloned().flatten().filter(|s| !s.is_empty());
        let number: Option<u32> = text(at + 2).parse().ok();
        let loaded: Vec<String> = (0..fields.len())
            .map(|i| display_db_value(template.fields[fields[i]].kind, &text(i + 1)))
            .collect();
        let mut note = String::new();
        let mut source = vec![String::new(); fields.len()];
        if file.is_empty() || number.is_none() {
            note = "这条记录没有来源文件和行号 (_source_file/_source_row 为空), 请对照原始资料核对"
                .into();
        } else {
            let entry = files
                .entry((file.clone(), sheet.clone()))
                .or_insert_with(|| {
                    let path = locate(&file, source_dir);
                    import(
                        &path,
                        &template,
                        &ImportOptions {
                            sheet: sheet.clone(),
                            read: read.clone(),
                        },
                    )
                    .map_err(|e| e.to_string())
                });
            match entry {
                Ok(imported) => {
                    let n = number.unwrap_or(0);
                    match imported.rows.binary_search_by_key(&n, |r| r.number) {
                        Ok(r) => {
                            let grid_row = &imported.rows[r];
                            for (i, &f) in fields.iter().enumerate() {
                                source[i] = imported.value(grid_row, f).to_string();
                            }
                        }
                        Err(_) => {
                            note = format!("来源文件 {file} 中没有第 {n} 行 (文件可能已改动), 请对照原始资料核对");
                        }
                    }
                }
                Err(why) => {
                    note = format!("来源文件无法读取, 源文件值留空, 请对照原始资料核对: {why}");
                }
            }
        }
        let id = text(0);
        let stratum = keys
            .as_ref()
            .zip(id.parse::<i64>().ok())
            .and_then(|(k, id)| position.get(&id).map(|&i| k[i].clone()));
        records.push(Record {
            id,
            file,
            sheet,
            row: number,
            stratum,
            marks: vec![None; fields.len()],
            loaded,
            source,
            verdict: None,
            remark: String::new(),
            note,
            line: 0,
        });
    }
    if records.len() != chosen.len() {
        return Err(Error::Input(format!(
            "{label}: 表 `{table}` 在抽样期间发生了变化 (抽中 {} 条, 读到 {} 条); 请在没有加载进行时重新抽样",
            chosen.len(),
            records.len()
        )));
    }
    Ok(Sample {
        plan,
        origin: Origin {
            kind: OriginKind::Db,
            location: label.to_string(),
            table: Some(table.to_string()),
            template: format!("crmkit_table:{table}"),
        },
        fields: fields
            .iter()
            .map(|&f| AuditField {
                key: template.fields[f].key.clone(),
                header: template.fields[f].header.clone(),
            })
            .collect(),
        records,
    })
}

/// A database value as the workbook shows it: PostgreSQL's `2024-03-15 14:30:00` becomes
/// `2024-03-15 14:30`, as crmkit writes date-times.
pub fn display_db_value(kind: FieldType, value: &str) -> String {
    if kind == FieldType::Datetime && value.len() == 19 && value.ends_with(":00") {
        return value[..16].to_string();
    }
    value.to_string()
}

/// Whether a loaded value equals the normalised source value, allowing for the forms a
/// database gives back: seconds on a date-time, trailing zeros on a decimal.
pub fn same_value(kind: FieldType, loaded: &str, expected: &str) -> bool {
    let (loaded, expected) = (loaded.trim(), expected.trim());
    if loaded == expected {
        return true;
    }
    match kind {
        FieldType::Datetime => display_db_value(kind, loaded) == display_db_value(kind, expected),
        FieldType::Integer | FieldType::Decimal | FieldType::Money => {
            match (loaded.parse::<f64>(), expected.parse::<f64>()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            }
        }
        _ => false,
    }
}
