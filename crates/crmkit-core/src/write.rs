//! Writing tables: the mapped import as CSV (UTF-8 with a BOM, so Excel shows the Chinese text)
//! or as .xlsx (every cell a string, identifier columns formatted as text).
//!
//! Outputs are written to a temporary file beside the target and renamed into place only when
//! complete, so a failed run never leaves a half-written file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use std::borrow::Cow;

use csv::StringRecord;
use rayon::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook};

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
        let extension = crate::read::extension(path);
        match extension.as_str() {
            "csv" => Ok(OutputFormat::Csv),
            "xlsx" => Ok(OutputFormat::Xlsx),
            _ => Err(Error::UnsupportedOutput {
                path: path.to_path_buf(),
                extension,
                allowed: allowed_formats(&["csv", "xlsx"]),
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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".crmkit-").suffix(".part");
    // A temporary file is private (0600); the output gets the usual mode, less the umask.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder
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

/// How people are told which output formats an option takes: `.csv (UTF-8 带 BOM) 或 .xlsx`.
pub fn allowed_formats(formats: &[&str]) -> String {
    formats
        .iter()
        .map(|f| match *f {
            "csv" => ".csv (UTF-8 带 BOM)".to_string(),
            other => format!(".{other}"),
        })
        .collect::<Vec<_>>()
        .join(" 或 ")
}

/// Checks output paths before any work: each has a format crmkit writes (`formats`: allowed
/// extensions), is not a directory, its directory exists and takes new files (a temporary file
/// is created there and removed), none is the input, and no two are the same file. A run that
/// would fail on its last output then fails before writing its first.
pub fn check_outputs(input: &Path, outputs: &[(&Path, &[&str])]) -> Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    for (i, (path, formats)) in outputs.iter().enumerate() {
        let extension = crate::read::extension(path);
        if !formats.contains(&extension.as_str()) {
            return Err(Error::UnsupportedOutput {
                path: path.to_path_buf(),
                extension,
                allowed: allowed_formats(formats),
            });
        }
        let refuse = |why: String| {
            Err(Error::OutputPath {
                path: path.to_path_buf(),
                why,
            })
        };
        if path.is_dir() {
            return refuse("这是一个已有的目录, 不是文件".into());
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !dir.exists() {
            return refuse(format!("目录 {} 不存在", dir.display()));
        }
        if !dir.is_dir() {
            return refuse(format!("{} 是文件, 不是目录", dir.display()));
        }
        if let Err(e) = tempfile::Builder::new()
            .prefix(".crmkit-check-")
            .tempfile_in(dir)
        {
            // The error's own text names the random temporary file; its kind is enough.
            let why = std::io::Error::from(e.kind());
            return refuse(format!("目录 {} 不能新建文件: {why}", dir.display()));
        }
        if same(path, input) {
            return Err(Error::OutputClash {
                path: path.to_path_buf(),
                why: "输出文件就是输入文件, 写出会覆盖原始数据",
            });
        }
        if outputs[..i].iter().any(|(other, _)| same(path, other)) {
            return Err(Error::OutputClash {
                path: path.to_path_buf(),
                why: "同一个文件被指定为两个输出",
            });
        }
    }
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

/// Writes the mapped table to `path` (.csv or .xlsx): template fields, pass-through columns,
/// `_source_row`.
pub fn write_imported(path: &Path, template: &Template, imported: &Imported) -> Result<()> {
    let layout = Layout::new(template, imported);
    write_rows(
        path,
        &layout.headers,
        &layout.text_columns,
        template.title.as_str(),
        imported.rows.len(),
        |i| layout.cells(imported, &imported.rows[i], None),
    )
}

/// The column layout shared by the import and clean outputs.
pub struct Layout {
    /// Template headers, pass-through headers, `_source_row`.
    pub headers: Vec<String>,
    /// Columns that hold identifiers (formatted as text in .xlsx).
    pub text_columns: Vec<usize>,
    /// The input columns that are passed through.
    pub passthrough: Vec<usize>,
}

impl Layout {
    /// The layout for a template and an imported file.
    pub fn new(template: &Template, imported: &Imported) -> Layout {
        Layout {
            headers: output_headers(template, imported),
            text_columns: template
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.kind.is_digit_identifier())
                .map(|(i, _)| i)
                .collect(),
            passthrough: imported.passthrough().map(|(i, _)| i).collect(),
        }
    }

    /// One output row: the template fields (from `clean` when given, else as read), the
    /// pass-through columns, the source row number.
    pub fn cells<'a>(
        &'a self,
        imported: &'a Imported,
        row: &'a GridRow,
        clean: Option<&'a StringRecord>,
    ) -> impl Iterator<Item = Cow<'a, str>> + 'a {
        let fields = imported
            .mapping
            .source_of
            .iter()
            .enumerate()
            .map(move |(i, source)| {
                Cow::Borrowed(match clean {
                    Some(clean) => clean.get(i).unwrap_or(""),
                    None => cell(row, *source),
                })
            });
        let passthrough = self
            .passthrough
            .iter()
            .map(move |&c| Cow::Borrowed(row.cells.get(c).unwrap_or("")));
        fields
            .chain(passthrough)
            .chain(std::iter::once(Cow::Owned(row.number.to_string())))
    }
}

/// Whether a text would be taken for a formula by a spreadsheet: it begins with `=`, `@`, a tab
/// or a carriage return, or with `+`/`-` unless it is made only of digits, spaces and the
/// punctuation of numbers and phone numbers (`-5`, `+86 138-0013-8000`), which cannot call a
/// function or another program.
pub fn looks_like_formula(text: &str) -> bool {
    match text.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | ',' | ' ' | '(' | ')')),
        _ => false,
    }
}

/// A CSV cell that a spreadsheet will show as text, never run as a formula: a leading `'`
/// before anything that looks like one.
pub fn formula_safe(text: &str) -> Cow<'_, str> {
    if looks_like_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Rows formatted per parallel work unit when writing CSV.
const CSV_CHUNK: usize = 8192;

/// Writes a table of `count` rows to `path`, .csv (UTF-8 with BOM, formula-safe cells) or .xlsx
/// (every cell a string, so nothing is evaluated; `text_columns` formatted as text; header bold
/// and frozen). `row(i)` gives the cells of row `i`. CSV rows are formatted in parallel, a
/// window of chunks at a time, and written in order.
pub fn write_rows<'a, F, C>(
    path: &Path,
    headers: &[String],
    text_columns: &[usize],
    sheet_name: &str,
    count: usize,
    row: F,
) -> Result<()>
where
    F: Fn(usize) -> C + Sync,
    C: Iterator<Item = Cow<'a, str>>,
{
    write_table(path, headers, text_columns, sheet_name, count, row, false)
}

/// [`write_rows`] for output that must be the same bytes on every run (generated test data):
/// an .xlsx records a fixed creation time (2000-01-01 00:00 UTC) instead of the time of writing.
pub fn write_rows_reproducible<'a, F, C>(
    path: &Path,
    headers: &[String],
    text_columns: &[usize],
    sheet_name: &str,
    count: usize,
    row: F,
) -> Result<()>
where
    F: Fn(usize) -> C + Sync,
    C: Iterator<Item = Cow<'a, str>>,
{
    write_table(path, headers, text_columns, sheet_name, count, row, true)
}

fn write_table<'a, F, C>(
    path: &Path,
    headers: &[String],
    text_columns: &[usize],
    sheet_name: &str,
    count: usize,
    row: F,
    fixed_time: bool,
) -> Result<()>
where
    F: Fn(usize) -> C + Sync,
    C: Iterator<Item = Cow<'a, str>>,
{
    let csv_error = |e: csv::Error| Error::Csv {
        location: path.display().to_string(),
        message: e.to_string(),
    };
    match OutputFormat::from_path(path)? {
        OutputFormat::Csv => atomic_write(path, |out| {
            out.write_all("\u{FEFF}".as_bytes())
                .map_err(|e| Error::io(path, "write", e))?;
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut *out);
            writer.write_record(headers).map_err(csv_error)?;
            writer.flush().map_err(|e| Error::io(path, "write", e))?;
            drop(writer);
            let chunks = count.div_ceil(CSV_CHUNK);
            let window = rayon::current_num_threads() * 4;
            for first in (0..chunks).step_by(window.max(1)) {
                let buffers: Vec<Vec<u8>> = (first..(first + window).min(chunks))
                    .into_par_iter()
                    .map(|chunk| {
                        let mut writer = csv::WriterBuilder::new()
                            .terminator(csv::Terminator::CRLF)
                            .from_writer(Vec::with_capacity(CSV_CHUNK * 128));
                        let mut record = StringRecord::with_capacity(256, headers.len());
                        let end = ((chunk + 1) * CSV_CHUNK).min(count);
                        for i in chunk * CSV_CHUNK..end {
                            record.clear();
                            for value in row(i) {
                                record.push_field(&formula_safe(&value));
                            }
                            writer.write_record(&record).map_err(csv_error)?;
                        }
                        writer.into_inner().map_err(|e| Error::Csv {
                            location: path.display().to_string(),
                            message: e.to_string(),
                        })
                    })
                    .collect::<Result<_>>()?;
                for buffer in buffers {
                    out.write_all(&buffer)
                        .map_err(|e| Error::io(path, "write", e))?;
                }
            }
            Ok(())
        }),
        OutputFormat::Xlsx => {
            let xlsx_error = |e: rust_xlsxwriter::XlsxError| Error::XlsxWrite {
                path: path.to_path_buf(),
                message: e.to_string(),
            };
            let mut workbook = Workbook::new();
            if fixed_time {
                let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx_error)?;
                workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
            }
            let bold = Format::new().set_bold().set_align(FormatAlign::Center);
            let text = Format::new().set_num_format_index(49);
            let sheet = workbook
                .add_worksheet_with_constant_memory()
                .map_err(xlsx_error)?
                .set_name(sheet_name)
                .map_err(xlsx_error)?;
            for &c in text_columns {
                sheet
                    .set_column_format(c as u16, &text)
                    .map_err(xlsx_error)?;
            }
            for (i, header) in headers.iter().enumerate() {
                sheet
                    .write_string_with_format(0, i as u16, header, &bold)
                    .map_err(xlsx_error)?;
            }
            sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
            for i in 0..count {
                let r = i as u32 + 1;
                for (c, value) in row(i).enumerate() {
                    if !value.is_empty() {
                        sheet
                            .write_string(r, c as u16, value.as_ref())
                            .map_err(xlsx_error)?;
                    }
                }
            }
            atomic_write(path, |out| workbook.save_to_writer(out).map_err(xlsx_error))
        }
    }
}

/// The text of an input column in a row; "" for a field no column feeds.
fn cell(row: &GridRow, source: Option<usize>) -> &str {
    source.and_then(|c| row.cells.get(c)).unwrap_or("")
}
