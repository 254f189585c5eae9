//! Writing tables: the mapped import as CSV (UTF-8 with a BOM, so Excel shows the Chinese text)
//! or as .xlsx (every cell a string, identifier columns formatted as text).
//!
//! Outputs are written to a temporary file beside the target and renamed into place only when
//! complete, so a failed run never leaves a half-written file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, Workbook};

use crate::error::{Error, Result};
use crate::import::Imported;
use crate::read::GridRow;
use crate::template::Template;

/// The column that carries each row's spreadsheet row number.
pub const SOURCE_ROW: &str = "_source_row";

/// Output formats, chosen by the target's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// UTF-8 CSV with a BOM.
    Csv,
    /// Office Open XML workbook.
    Xlsx,
}

impl OutputFormat {
    /// The format for a path, from its extension (`.csv` or `.xlsx`).
    pub fn from_path(path: &Path) -> Result<OutputFormat> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Ok(OutputFormat::Csv),
            "xlsx" => Ok(OutputFormat::Xlsx),
            _ => Err(Error::UnsupportedOutput {
                path: path.to_path_buf(),
                extension,
            }),
        }
    }
}

/// Writes `path` through a temporary file in the same directory, renamed into place only after
/// `write` succeeded and the data was flushed.
pub fn atomic_write(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&mut File>) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".crmkit-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, "create a temporary file in", e))?;
    {
        let mut out = BufWriter::with_capacity(1 << 20, temp.as_file_mut());
        write(&mut out)?;
        out.flush().map_err(|e| Error::io(path, "write", e))?;
    }
    temp.persist(path)
        .map_err(|e| Error::io(path, "replace", e.error))?;
    Ok(())
}

/// The output's header row: every template field (canonical Chinese header) in template order,
/// then the passed-through input columns with their own headers, then `_source_row`.
pub fn output_headers(template: &Template, imported: &Imported) -> Vec<String> {
    template
        .fields
        .iter()
        .map(|f| f.header.clone())
        .chain(imported.passthrough().map(|(_, h)| h.to_string()))
        .chain(std::iter::once(SOURCE_ROW.to_string()))
        .collect()
}

/// Writes the mapped table to `path` (.csv or .xlsx).
pub fn write_imported(path: &Path, template: &Template, imported: &Imported) -> Result<()> {
    let format = OutputFormat::from_path(path)?;
    let headers = output_headers(template, imported);
    let passthrough: Vec<usize> = imported.passthrough().map(|(i, _)| i).collect();
    let sources: Vec<Option<usize>> = imported
        .mapping
        .source_of
        .iter()
        .copied()
        .chain(passthrough.into_iter().map(Some))
        .collect();
    match format {
        OutputFormat::Csv => atomic_write(path, |out| {
            out.write_all("\u{FEFF}".as_bytes())
                .map_err(|e| Error::io(path, "write", e))?;
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(out);
            let csv_error = |e: csv::Error| Error::Csv {
                location: path.display().to_string(),
                message: e.to_string(),
            };
            writer.write_record(&headers).map_err(csv_error)?;
            let mut record = csv::StringRecord::with_capacity(256, headers.len());
            for row in &imported.rows {
                record.clear();
                for &source in &sources {
                    record.push_field(cell(row, source));
                }
                record.push_field(&row.number.to_string());
                writer.write_record(&record).map_err(csv_error)?;
            }
            writer.flush().map_err(|e| Error::io(path, "write", e))?;
            Ok(())
        }),
        OutputFormat::Xlsx => {
            let xlsx_error = |e: rust_xlsxwriter::XlsxError| Error::XlsxWrite {
                path: path.to_path_buf(),
                message: e.to_string(),
            };
            let mut workbook = Workbook::new();
            let bold = Format::new().set_bold().set_align(FormatAlign::Center);
            let text = Format::new().set_num_format_index(49);
            let sheet = workbook
                .add_worksheet_with_constant_memory()
                .map_err(xlsx_error)?
                .set_name(template.title.as_str())
                .map_err(xlsx_error)?;
            for (i, field) in template.fields.iter().enumerate() {
                if field.kind.is_digit_identifier() {
                    sheet
                        .set_column_format(i as u16, &text)
                        .map_err(xlsx_error)?;
                }
            }
            for (i, header) in headers.iter().enumerate() {
                sheet
                    .write_string_with_format(0, i as u16, header, &bold)
                    .map_err(xlsx_error)?;
            }
            sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
            for (r, row) in imported.rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, &source) in sources.iter().enumerate() {
                    let value = cell(row, source);
                    if !value.is_empty() {
                        sheet.write_string(r, c as u16, value).map_err(xlsx_error)?;
                    }
                }
                sheet
                    .write_number(r, sources.len() as u16, row.number)
                    .map_err(xlsx_error)?;
            }
            atomic_write(path, |out| workbook.save_to_writer(out).map_err(xlsx_error))
        }
    }
}

/// The text of an input column in a row; "" for a field no column feeds.
fn cell(row: &GridRow, source: Option<usize>) -> &str {
    source.and_then(|c| row.cells.get(c)).unwrap_or("")
}
