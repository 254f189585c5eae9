//! Findings: problems in individual cells, each pointing at the row and column a person can open.
//!
//! A finding never stops a run. It carries the file, the sheet, the spreadsheet row as Excel
//! shows it, the column header exactly as written in the input, the template field it feeds,
//! the original value, the rule that raised it and a message for people.

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The value is questionable; the row can still be used.
    Warning,
    /// The value is wrong or lost; the row needs fixing.
    Error,
}

impl Severity {
    /// The English name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The input file.
    pub file: String,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// The spreadsheet row as Excel shows it (header row = 1 when the header is in row 1).
    pub row: u32,
    /// The column letter (A, B, ...).
    pub letter: String,
    /// The column header exactly as written in the input.
    pub column: String,
    /// The template field key this column feeds, if any.
    pub field: Option<String>,
    /// The original value.
    pub value: String,
    /// The rule that raised it.
    pub rule: String,
    /// The message for people, in Chinese.
    pub message: String,
    /// How serious it is.
    pub severity: Severity,
}

impl Finding {
    /// `file [sheet] 第 R 行 X 列 "header"`: where to look.
    pub fn location(&self) -> String {
        let file = match &self.sheet {
            Some(sheet) => format!("{} [{}]", self.file, sheet),
            None => self.file.clone(),
        };
        format!(
            "{file} 第 {} 行 {} 列 \"{}\"",
            self.row, self.letter, self.column
        )
    }
}
