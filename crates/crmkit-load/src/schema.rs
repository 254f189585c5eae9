//! Tables from templates: one table per template, one typed column per field, a column
//! `<table>_id` per reference, and crmkit's own columns (natural key, row hash, lineage).
//!
//! Identifiers are always quoted ([`quote`]); values never enter SQL text.

use crmkit_core::template::{FieldType, Template};

/// The type of a column, written per database by [`SqlType::sql`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// Text.
    Text,
    /// A 64-bit integer.
    Integer,
    /// An exact decimal (amounts).
    Numeric,
    /// A date (`YYYY-MM-DD`; text in SQLite).
    Date,
    /// A date and time, Beijing time (`YYYY-MM-DD HH:MM[:SS]`; text in SQLite).
    Timestamp,
}

impl SqlType {
    /// The column's type in SQLite or PostgreSQL.
    pub fn sql(self, postgres: bool) -> &'static str {
        match (self, postgres) {
            (SqlType::Text, _) => "TEXT",
            (SqlType::Integer, _) => "BIGINT",
            (SqlType::Numeric, _) => "NUMERIC",
            (SqlType::Date, true) => "DATE",
            (SqlType::Timestamp, true) => "TIMESTAMP",
            (SqlType::Date | SqlType::Timestamp, false) => "TEXT",
        }
    }

    /// The column type of a template field.
    pub fn of(kind: FieldType) -> SqlType {
        match kind {
            FieldType::Integer => SqlType::Integer,
            FieldType::Decimal | FieldType::Money => SqlType::Numeric,
            FieldType::Date => SqlType::Date,
            FieldType::Datetime => SqlType::Timestamp,
            _ => SqlType::Text,
        }
    }
}

/// A data column: a template field or a reference's id.
#[derive(Debug, Clone)]
pub struct Column {
    /// The column's name (the field key, or `<table>_id`).
    pub name: String,
    /// Its type.
    pub kind: SqlType,
    /// The template field it holds, or `None` for a reference id.
    pub field: Option<usize>,
}

/// A reference from a field to another table.
#[derive(Debug, Clone)]
pub struct RefColumn {
    /// The field naming the record.
    pub field: usize,
    /// The referenced table.
    pub table: String,
    /// Whether an unresolved reference rejects the row.
    pub required: bool,
    /// The data column holding the id (index into [`TableSpec::columns`]).
    pub column: usize,
}

/// A table built from a template.
#[derive(Debug, Clone)]
pub struct TableSpec {
    /// The table's name: the template's name.
    pub name: String,
    /// The template.
    pub template: Template,
    /// Data columns: the fields in template order, then one id column per reference.
    pub columns: Vec<Column>,
    /// The references.
    pub refs: Vec<RefColumn>,
    /// The fields of the natural key (`[load] key`), as field indices.
    pub key_fields: Vec<usize>,
    /// The field other tables find rows of this one by (`[load] name`), as a field index.
    pub name_field: Option<usize>,
}

/// crmkit's own columns after the data columns, in insert order.
pub const KEY: &str = "_key";
/// The row hash column.
pub const HASH: &str = "_hash";
/// The dedupe golden id column (named tables).
pub const GOLDEN: &str = "_golden_id";
/// Other names and codes dedupe merged into the record, one per line (named tables).
pub const ALIASES: &str = "_aliases";
/// The batch that created the row.
pub const BATCH: &str = "_batch";
/// The batch that last changed the row.
pub const UPDATED_BATCH: &str = "_updated_batch";
/// Lineage: the source file.
pub const SOURCE_FILE: &str = "_source_file";
/// Lineage: the source sheet.
pub const SOURCE_SHEET: &str = "_source_sheet";
/// Lineage: the source row as the spreadsheet shows it.
pub const SOURCE_ROW: &str = "_source_row";

impl TableSpec {
    /// The table for a template.
    pub fn new(template: &Template) -> TableSpec {
        let mut columns: Vec<Column> = template
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| Column {
                name: f.key.clone(),
                kind: SqlType::of(f.kind),
                field: Some(i),
            })
            .collect();
        // Template::parse checked that every field `[load]` names exists.
        let index = |key: &str| template.fields.iter().position(|f| f.key == key);
        let mut refs = Vec::new();
        for reference in &template.load.references {
            let Some(field) = index(&reference.field) else {
                continue;
            };
            refs.push(RefColumn {
                field,
                table: reference.table.clone(),
                required: reference.required,
                column: columns.len(),
            });
            columns.push(Column {
                name: format!("{}_id", reference.table),
                kind: SqlType::Integer,
                field: None,
            });
        }
        TableSpec {
            name: template.name.clone(),
            template: template.clone(),
            columns,
            refs,
            key_fields: template.load.key.iter().filter_map(|k| index(k)).collect(),
            name_field: template.load.name.as_deref().and_then(index),
        }
    }

    /// Whether other tables find rows of this one by name (customers).
    pub fn is_named(&self) -> bool {
        self.name_field.is_some()
    }

    /// The columns written on insert, in order: data columns, then crmkit's.
    pub fn insert_columns(&self) -> Vec<(String, SqlType)> {
        let mut out: Vec<(String, SqlType)> = self
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.kind))
            .collect();
        out.push((KEY.into(), SqlType::Text));
        out.push((HASH.into(), SqlType::Integer));
        if self.is_named() {
            out.push((GOLDEN.into(), SqlType::Text));
            out.push((ALIASES.into(), SqlType::Text));
        }
        for (name, kind) in [
            (BATCH, SqlType::Integer),
            (UPDATED_BATCH, SqlType::Integer),
            (SOURCE_FILE, SqlType::Text),
            (SOURCE_SHEET, SqlType::Text),
            (SOURCE_ROW, SqlType::Integer),
        ] {
            out.push((name.into(), kind));
        }
        out
    }

    /// `CREATE TABLE IF NOT EXISTS` for this table.
    pub fn create_sql(&self, postgres: bool) -> String {
        let id = if postgres {
            "\"_id\" BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        } else {
            "\"_id\" INTEGER PRIMARY KEY"
        };
        let mut parts = vec![id.to_string()];
        for (name, kind) in self.insert_columns() {
            let mut part = format!("{} {}", quote(&name), kind.sql(postgres));
            if name == KEY && postgres {
                // Byte order: the key is compared for equality only, and its unique index
                // builds a third faster than under the database's locale.
                part.push_str(" COLLATE \"C\"");
            }
            if name == KEY || name == HASH || name == BATCH {
                part.push_str(" NOT NULL");
            }
            if let Some(r) = self
                .refs
                .iter()
                .find(|r| self.columns[r.column].name == name)
            {
                part.push_str(&format!(" REFERENCES {}(\"_id\")", quote(&r.table)));
            }
            parts.push(part);
        }
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n  {}\n)",
            quote(&self.name),
            parts.join(",\n  ")
        )
    }
}

impl TableSpec {
    /// The unique index on `_key` (kept apart from the table so that a first load into an
    /// empty table can build it once at the end instead of row by row).
    pub fn key_index_sql(&self) -> String {
        format!(
            "CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} ({})",
            quote(&format!("{}__key", self.name)),
            quote(&self.name),
            quote(KEY)
        )
    }

    /// Drops the unique index on `_key`.
    pub fn drop_key_index_sql(&self) -> String {
        format!(
            "DROP INDEX IF EXISTS {}",
            quote(&format!("{}__key", self.name))
        )
    }
}

/// A quoted identifier: `"order"`, with any `"` doubled.
pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_from_templates() {
        let order = Template::resolve("order").unwrap();
        let spec = TableSpec::new(&order);
        let sql = spec.create_sql(true);
        assert!(
            sql.starts_with("CREATE TABLE IF NOT EXISTS \"order\" ("),
            "{sql}"
        );
        assert!(sql.contains("\"amount\" NUMERIC"), "{sql}");
        assert!(sql.contains("\"delivery_date\" DATE"), "{sql}");
        assert!(
            sql.contains("\"customer_id\" BIGINT REFERENCES \"customer\"(\"_id\")"),
            "{sql}"
        );
        assert!(
            sql.contains("\"_key\" TEXT COLLATE \"C\" NOT NULL"),
            "{sql}"
        );
        assert!(spec.create_sql(false).contains("\"delivery_date\" TEXT"));
        assert!(spec.create_sql(false).contains("\"_key\" TEXT NOT NULL"));
        assert!(!spec.is_named());
        assert!(TableSpec::new(&Template::resolve("customer").unwrap()).is_named());
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}
