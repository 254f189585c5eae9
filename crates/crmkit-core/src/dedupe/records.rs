//! The rows being deduplicated: one or more files mapped onto one template, with canonical values.

use csv::StringRecord;

use crate::template::Template;

/// Where a record came from: which input and which spreadsheet row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordRef {
    /// Index into [`Records::sources`].
    pub source: u16,
    /// The row number as Excel shows it.
    pub row: u32,
}

/// One input file (or a previous golden file, for incremental runs).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The file as given on the command line.
    pub path: std::path::PathBuf,
    /// The file name shown to people and used by `source:` survivorship (`sales.xlsx`).
    pub name: String,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// Whether this file holds records already loaded (a previous golden file): its records keep
    /// their golden ids and are never merged with each other.
    pub existing: bool,
    /// The client's file this one is a copy of (a pipeline's accepted rows name it), as given.
    pub origin: Option<String>,
}

/// The records to deduplicate, all on one template.
#[derive(Debug, Clone)]
pub struct Records {
    /// The template every record is mapped onto.
    pub template: Template,
    /// The input files, in the order given.
    pub sources: Vec<SourceFile>,
    /// Where each record came from.
    pub refs: Vec<RecordRef>,
    /// Canonical values (after normalisation), one field per template field, in template order.
    pub values: Vec<StringRecord>,
    /// For each record, a bit per template field set when the value failed a check (bit `i` =
    /// field `i`; templates have at most 64 fields). Survivorship prefers valid values.
    pub invalid: Vec<u64>,
    /// For records of an `existing` source, their golden id.
    pub golden_id: Vec<Option<u64>>,
}

impl Records {
    /// No records yet, on `template`.
    pub fn empty(template: &Template) -> Records {
        Records {
            template: template.clone(),
            sources: Vec::new(),
            refs: Vec::new(),
            values: Vec::new(),
            invalid: Vec::new(),
            golden_id: Vec::new(),
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.refs.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.refs.is_empty()
    }

    /// The value of field `field` in record `record` ("" when empty).
    pub fn value(&self, record: usize, field: usize) -> &str {
        self.values[record].get(field).unwrap_or("")
    }

    /// Whether the value of field `field` in record `record` failed a check.
    pub fn is_invalid(&self, record: usize, field: usize) -> bool {
        field < 64 && self.invalid[record] & (1 << field) != 0
    }

    /// `sales.xlsx:15`: the file name and row a person can open.
    pub fn describe(&self, record: usize) -> String {
        let r = self.refs[record];
        format!("{}:{}", self.sources[r.source as usize].name, r.row)
    }
}
