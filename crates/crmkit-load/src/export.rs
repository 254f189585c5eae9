//! Export: a table `crmkit load` wrote, read back in `_id` order with the template's Chinese
//! headers, the reference ids, the golden id and the lineage of every row, optionally masked
//! (脱敏, [`crmkit_core::mask::MaskRules`]), and written as .csv or .xlsx.
//!
//! The headers come from the template recorded in `crmkit_table` at load time, so an export
//! needs nothing but the database.

use std::borrow::Cow;
use std::path::Path;

use crmkit_core::mask::{MaskRules, Method};
use crmkit_core::template::Template;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::schema::{BATCH, GOLDEN, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, UPDATED_BATCH};
use crate::url::DbUrl;

/// The most data rows an .xlsx worksheet holds (below the header).
const XLSX_ROW_LIMIT: usize = 1_048_575;

/// A table read back from the database, ready to write.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The table's name (`customer`).
    pub table: String,
    /// The template's title (`客户信息`), the .xlsx sheet name.
    pub title: String,
    /// The output's headers: `ID`, the fields' Chinese headers, reference ids, `golden_id`,
    /// `批次`, `更新批次`, `来源文件`, `工作表`, `来源行`.
    pub headers: Vec<String>,
    /// The rows in `_id` order, one value per header (`None`: NULL).
    pub rows: Vec<Vec<Option<String>>>,
    /// The template field each column holds (`None`: `ID`, reference ids, lineage).
    pub fields: Vec<Option<usize>>,
    /// Columns holding digit identifiers (phones, ID numbers), written as text in .xlsx.
    pub text_columns: Vec<usize>,
    /// The columns a masking method applies to, in output order; empty when not masked.
    pub masked: Vec<MaskedColumn>,
}

/// A column masking applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedColumn {
    /// The output header (`联系电话`).
    pub header: String,
    /// The method.
    pub method: Method,
    /// How many values masking changed (a `digits` column without long numbers: 0).
    pub changed: usize,
}

/// One output column: the database column and its header.
struct OutColumn {
    column: String,
    header: String,
    /// The template field it holds, if any.
    field: Option<usize>,
}

/// Opens the database to export from. Unlike a load, a missing SQLite file is an error, not
/// created.
pub fn open(url: &DbUrl) -> Result<Db> {
    if let DbUrl::Sqlite(path) = url {
        if !path.is_file() {
            return Err(Error::Input(format!(
                "{}: 数据库文件不存在; 应为 crmkit load 写过的 SQLite 文件, 例如 --db sqlite:crm.db",
                url.masked()
            )));
        }
    }
    Db::open(url)
}

/// Reads `table` back from `db` (`db_label`: the masked URL, for messages); masks the fields
/// `mask` names when given.
pub fn export(
    db: &mut Db,
    db_label: &str,
    table: &str,
    mask: Option<&MaskRules>,
) -> Result<Exported> {
    let database = |action: &str| {
        let action = action.to_string();
        move |message: String| Error::Database {
            db: db_label.to_string(),
            action,
            message,
        }
    };
    let text = db.template_of(table).map_err(database("无法读取表结构"))?;
    let have = match &text {
        Some(_) => db.columns_of(table).map_err(database("无法读取表结构"))?,
        None => Vec::new(),
    };
    let Some(text) = text.filter(|_| !have.is_empty()) else {
        let tables = db.tables().map_err(database("无法读取表结构"))?;
        return Err(Error::Input(if tables.is_empty() {
            format!(
                "{db_label}: 没有表 `{table}`: 这个数据库里还没有 crmkit load 载入的表; 请先载入数据, 例如 crmkit load customers.csv --db {db_label} (或检查 --db 是否指向正确的数据库)"
            )
        } else {
            format!(
                "{db_label}: 没有 crmkit load 载入的表 `{table}`; 已载入的表: {}; 例如 --table {}",
                tables.join(", "),
                tables[0]
            )
        }));
    };
    let template = Template::parse(&text, &format!("crmkit_table:{table}"))?;

    let present = |name: &str| have.iter().any(|c| c == name);
    let mut columns = vec![OutColumn {
        column: "_id".into(),
        header: "ID".into(),
        field: None,
    }];
    for (i, field) in template.fields.iter().enumerate() {
        if present(&field.key) {
            columns.push(OutColumn {
                column: field.key.clone(),
                header: field.header.clone(),
                field: Some(i),
            });
        }
    }
    for reference in &template.load.references {
        let name = format!("{}_id", reference.table);
        if present(&name) && !columns.iter().any(|c| c.column == name) {
            columns.push(OutColumn {
                header: name.clone(),
                column: name,
                field: None,
            });
        }
    }
    let mut lineage = vec![];
    if template.load.name.is_some() {
        lineage.push((GOLDEN, "golden_id"));
    }
    lineage.extend([
        (BATCH, "批次"),
        (UPDATED_BATCH, "更新批次"),
        (SOURCE_FILE, "来源文件"),
        (SOURCE_SHEET, "工作表"),
        (SOURCE_ROW, "来源行"),
    ]);
    for (column, header) in lineage {
        if present(column) {
            columns.push(OutColumn {
                column: column.into(),
                header: header.into(),
                field: None,
            });
        }
    }

    let names: Vec<String> = columns.iter().map(|c| c.column.clone()).collect();
    let mut rows = db.select(table, &names).map_err(database("无法读取数据"))?;

    let mut masked = Vec::new();
    if let Some(rules) = mask {
        for (c, column) in columns.iter().enumerate() {
            let Some(field) = column.field.map(|i| &template.fields[i]) else {
                continue;
            };
            let method = rules.method_for(field);
            if method == Method::None {
                continue;
            }
            let mut changed = 0;
            for row in &mut rows {
                if let Some(value) = row[c].as_mut() {
                    let new = method.apply(value);
                    if new != *value {
                        changed += 1;
                        *value = new;
                    }
                }
            }
            masked.push(MaskedColumn {
                header: column.header.clone(),
                method,
                changed,
            });
        }
    }

    Ok(Exported {
        table: table.to_string(),
        title: template.title.clone(),
        headers: columns.iter().map(|c| c.header.clone()).collect(),
        fields: columns.iter().map(|c| c.field).collect(),
        text_columns: columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.field
                    .is_some_and(|i| template.fields[i].kind.is_digit_identifier())
            })
            .map(|(i, _)| i)
            .collect(),
        rows,
        masked,
    })
}

/// Checks the output before any work: `.csv` or `.xlsx`, its directory exists, and it is not
/// the SQLite database itself.
pub fn check_output(path: &Path, db: &DbUrl) -> Result<()> {
    let input = match db {
        DbUrl::Sqlite(file) => file.as_path(),
        DbUrl::Postgres(_) => Path::new(""),
    };
    crmkit_core::write::check_outputs(input, &[(path, &["csv", "xlsx"])])?;
    Ok(())
}

/// Writes the export to `path`: .csv (UTF-8 with BOM) or .xlsx (one sheet named for the
/// template, phone and ID columns as text), through a temporary file renamed into place.
pub fn write(path: &Path, exported: &Exported) -> Result<()> {
    if crmkit_core::read::extension(path) == "xlsx" && exported.rows.len() > XLSX_ROW_LIMIT {
        return Err(crmkit_core::Error::TooManyRows {
            path: path.to_path_buf(),
            rows: exported.rows.len(),
            limit: XLSX_ROW_LIMIT,
            hint: "请导出为 .csv",
        }
        .into());
    }
    crmkit_core::write::write_rows(
        path,
        &exported.headers,
        &exported.text_columns,
        &exported.title,
        exported.rows.len(),
        |i| {
            exported.rows[i]
                .iter()
                .map(|v| Cow::Borrowed(v.as_deref().unwrap_or("")))
        },
    )?;
    Ok(())
}

/// What is already in the database, as a dedupe "existing records" file: `golden_id` is each
/// row's `_id` (unique, so two customers can never share an id), then the template's fields.
/// New records that dedupe attaches to one of them carry that `_id` as their golden id, and a
/// load with [`crate::load::Options::golden_is_row_id`] updates that row. `None` when the
/// table does not exist yet (nothing to match against); otherwise the number of rows written.
pub fn write_against(
    db: &mut Db,
    db_label: &str,
    table: &str,
    path: &Path,
) -> Result<Option<usize>> {
    let tables = db.tables().map_err(|message| Error::Database {
        db: db_label.to_string(),
        action: "无法读取表结构".into(),
        message,
    })?;
    if !tables.iter().any(|t| t == table) {
        return Ok(None);
    }
    let mut exported = export(db, db_label, table, None)?;
    // `ID` becomes the golden id; only the template's fields are record values (not the stored
    // golden id, reference ids or lineage).
    let keep: Vec<usize> = (0..exported.headers.len())
        .filter(|&i| i == 0 || exported.fields[i].is_some())
        .collect();
    exported.headers = keep
        .iter()
        .map(|&i| {
            if i == 0 {
                crmkit_core::dedupe::golden::GOLDEN_ID.to_string()
            } else {
                exported.headers[i].clone()
            }
        })
        .collect();
    exported.fields = keep.iter().map(|&i| exported.fields[i]).collect();
    for row in &mut exported.rows {
        *row = keep.iter().map(|&i| row[i].take()).collect();
    }
    exported.text_columns = exported
        .text_columns
        .iter()
        .filter_map(|c| keep.iter().position(|k| k == c))
        .collect();
    let rows = exported.rows.len();
    write(path, &exported)?;
    Ok(Some(rows))
}
