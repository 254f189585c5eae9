//! The import operation: a client file in, a table mapped onto a template out.
//!
//! Picks the sheet (the first visible one whose header matches the template, unless one is
//! named), finds the header row even below banner rows, checks the header (no duplicates) and
//! the rows (no ragged CSV records), maps headers onto fields, and keeps every data row with its
//! spreadsheet row number. Blank rows are counted, not kept; nothing else is dropped.

use std::path::Path;

use csv::StringRecord;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::mapping::{self, HeaderIndex, Mapping};
use crate::read::{column_letter, Book, Grid, GridRow, ReadOptions, RowStream, Source};
use crate::template::Template;

/// How many non-blank rows from the top are searched for the header row.
const HEADER_SCAN_ROWS: usize = 30;

/// Options for [`import`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The sheet to read (hidden sheets only when named).
    pub sheet: Option<String>,
    /// Encoding and delimiter for text files.
    pub read: ReadOptions,
}

/// A file mapped onto a template.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Where the rows came from.
    pub source: Source,
    /// The template's name.
    pub template: String,
    /// The header row's number as Excel shows it.
    pub header_row: u32,
    /// One header per input column, trimmed; a column with data but no header is named `(X列)`.
    pub headers: Vec<String>,
    /// Which column feeds which field.
    pub mapping: Mapping,
    /// The data rows, in order, with their spreadsheet row numbers.
    pub rows: Vec<GridRow>,
    /// Blank rows between the header and the last data row (counted, not kept).
    pub blank_rows: usize,
    /// Hidden sheets that were not read.
    pub hidden_sheets: Vec<String>,
    /// Other visible sheets that were not read.
    pub other_sheets: Vec<String>,
    /// Cells that could not be taken at face value (error cells, rounded numbers).
    pub findings: Vec<Finding>,
}

impl Imported {
    /// The value of a template field in a row ("" when the field has no column).
    pub fn value<'a>(&self, row: &'a GridRow, field: usize) -> &'a str {
        self.mapping.source_of[field]
            .and_then(|column| row.cells.get(column))
            .unwrap_or("")
    }

    /// Whether the template's required columns are all present.
    pub fn is_complete(&self) -> bool {
        self.mapping.missing_required().next().is_none()
    }

    /// The input columns passed through unmapped that have a header (or data).
    pub fn passthrough(&self) -> impl Iterator<Item = (usize, &str)> {
        self.mapping
            .unmapped()
            .filter(|c| !self.headers[c.index].is_empty())
            .map(|c| (c.index, self.headers[c.index].as_str()))
    }
}

/// Where the rows of a file crmkit wrote came from: a file with `_source_file` and
/// `_source_row` columns (and optionally `_source_sheet`), such as the accepted rows a pipeline
/// run hands to dedupe and load, stands for those rows of the original spreadsheet. Reports
/// and the database then point at the row a person can open, not at crmkit's copy.
#[derive(Debug, Clone, Copy)]
pub struct Lineage {
    file: usize,
    sheet: Option<usize>,
    row: usize,
}

/// The column naming the original file.
pub const SOURCE_FILE: &str = "_source_file";
/// The column naming the original sheet.
pub const SOURCE_SHEET: &str = "_source_sheet";

impl Lineage {
    /// The lineage columns of `imported`, when it has `_source_file` and `_source_row`.
    pub fn of(imported: &Imported) -> Option<Lineage> {
        let find = |name: &str| {
            imported
                .passthrough()
                .find(|(_, h)| *h == name)
                .map(|(i, _)| i)
        };
        Some(Lineage {
            file: find(SOURCE_FILE)?,
            sheet: find(SOURCE_SHEET),
            row: find(crate::write::SOURCE_ROW)?,
        })
    }

    /// The original row of `row` (its own number when the cell is not a row number).
    pub fn row(&self, row: &GridRow) -> u32 {
        row.cells
            .get(self.row)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(row.number)
    }

    /// The original file and sheet of one row (`None` when its file cell is empty).
    pub fn origin_of<'r>(&self, row: &'r GridRow) -> Option<(&'r str, Option<&'r str>)> {
        let file = row.cells.get(self.file).unwrap_or("").trim();
        let sheet = self
            .sheet
            .and_then(|c| row.cells.get(c))
            .map(str::trim)
            .filter(|s| !s.is_empty());
        (!file.is_empty()).then_some((file, sheet))
    }

    /// The original file and sheet, as the first row names them (crmkit writes one original
    /// file per copy); `None` when the file has no rows.
    pub fn origin(&self, imported: &Imported) -> Option<(String, Option<String>)> {
        let first = imported.rows.first()?;
        let file = first.cells.get(self.file).unwrap_or("").trim().to_string();
        let sheet = self
            .sheet
            .and_then(|c| first.cells.get(c))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        (!file.is_empty()).then_some((file, sheet))
    }
}

/// Reads `path` and maps it onto `template`.
pub fn import(path: &Path, template: &Template, options: &ImportOptions) -> Result<Imported> {
    import_book(Book::open(path, &options.read)?, template, options)
}

fn import_book(mut book: Book, template: &Template, options: &ImportOptions) -> Result<Imported> {
    let hidden_sheets: Vec<String> = book
        .sheets()
        .iter()
        .filter(|s| !s.visible && Some(&s.name) != options.sheet.as_ref())
        .map(|s| s.name.clone())
        .collect();
    let visible: Vec<String> = book
        .sheets()
        .iter()
        .filter(|s| s.visible)
        .map(|s| s.name.clone())
        .collect();

    let index = HeaderIndex::new(template);
    let grid = match (&options.sheet, book.is_workbook()) {
        (Some(name), true) => book.grid(Some(name))?,
        (Some(_), false) | (None, false) => book.grid(None)?,
        (None, true) => choose_sheet(&mut book, &index, &visible)?,
    };
    // The decoded text or workbook is no longer needed once the rows are read.
    drop(book);
    let other_sheets = visible
        .into_iter()
        .filter(|name| Some(name) != grid.source.sheet.as_ref())
        .collect();
    let (mut imported, _) = build(grid, template, &index, true)?;
    imported.hidden_sheets = hidden_sheets;
    imported.other_sheets = other_sheets;
    Ok(imported)
}

/// A file mapped onto a template whose data rows are read as they are asked for
/// ([`ImportStream::next_rows`]), so that a caller can work on the first rows while the rest
/// are parsed, and never holds them all.
pub struct ImportStream {
    /// Header, mapping and source, found as [`import`] finds them; `rows` is empty. For a text
    /// file they come from the rows at the top (a column without a header is named only if
    /// those rows have data in it).
    pub imported: Imported,
    /// Data rows read while looking for the header, not handed out yet.
    pending: std::vec::IntoIter<GridRow>,
    rows: RowStream,
    /// Text files: ragged records are refused one by one, not the whole file.
    shape: Option<Shape>,
    location: String,
}

/// The next data rows of an [`ImportStream`].
#[derive(Debug, Default)]
pub struct Rows {
    /// Data rows in order; empty at the end of the file.
    pub rows: Vec<GridRow>,
    /// Rows that cannot be read, by index into `rows`, with why (a text record with more
    /// fields than the header or fewer than its named columns).
    pub refused: Vec<(usize, String)>,
}

/// Opens `path`, finds its header and maps it onto `template` (as [`import`] does), leaving
/// the data rows to be read by [`ImportStream::next_rows`].
pub fn stream(path: &Path, template: &Template, options: &ImportOptions) -> Result<ImportStream> {
    if crate::read::Format::from_path(path)? != crate::read::Format::Text {
        // A sheet is read whole anyway: map it exactly as `import` does and hand its rows out.
        let mut imported = import_book(Book::open(path, &options.read)?, template, options)?;
        let rows = std::mem::take(&mut imported.rows);
        let location = imported.source.location();
        return Ok(ImportStream {
            rows: RowStream::from_grid(Grid {
                source: imported.source.clone(),
                rows: Vec::new(),
                notes: Vec::new(),
            }),
            pending: rows.into_iter(),
            imported,
            shape: None,
            location,
        });
    }
    let mut rows = RowStream::open_text(path, &options.read)?;
    // Rows from the top, enough to find the header below banner rows.
    let mut head = Vec::new();
    while head.len() <= HEADER_SCAN_ROWS {
        match rows.next_rows()? {
            Some(mut piece) => head.append(&mut piece),
            None => break,
        }
    }
    let grid = Grid {
        source: rows.source().clone(),
        rows: head,
        notes: Vec::new(),
    };
    let (mut imported, shape) = build(grid, template, &HeaderIndex::new(template), false)?;
    let pending = std::mem::take(&mut imported.rows).into_iter();
    Ok(ImportStream {
        location: imported.source.location(),
        imported,
        pending,
        rows,
        shape: Some(shape),
    })
}

impl ImportStream {
    /// About how many data rows are left (estimated for text files).
    pub fn remaining(&self) -> u64 {
        self.pending.len() as u64 + self.rows.remaining()
    }

    /// Up to `max` next data rows (fewer only at the end; none when the file is done).
    pub fn next_rows(&mut self, max: usize) -> Result<Rows> {
        let mut out = Rows::default();
        let max = max.max(1);
        while out.rows.len() < max {
            let before = out.rows.len();
            out.rows.extend(self.pending.by_ref().take(max - before));
            if out.rows.len() == before {
                match self.rows.next_rows()? {
                    Some(piece) => self.pending = piece.into_iter(),
                    None => break,
                }
            }
        }
        if let Some(shape) = self.shape {
            out.refused = out
                .rows
                .iter()
                .enumerate()
                .filter_map(|(i, row)| {
                    ragged(&self.location, shape.header_len, shape.named_width, row)
                        .map(|e| (i, e.to_string()))
                })
                .collect();
        }
        Ok(out)
    }
}

/// The first visible sheet whose header matches the template; else the first visible sheet.
fn choose_sheet(book: &mut Book, index: &HeaderIndex, visible: &[String]) -> Result<Grid> {
    let mut first = None;
    for name in visible {
        let grid = book.grid(Some(name))?;
        if find_header(&grid, index).is_some_and(|(_, score)| score > 0) {
            return Ok(grid);
        }
        if first.is_none() {
            first = Some(grid);
        }
    }
    match first {
        Some(grid) => Ok(grid),
        None => book.grid(None), // reports that there is no visible sheet
    }
}

/// The index (into `grid.rows`) of the header row and how many of its cells name template fields.
///
/// The header is the row among the first few that names the most template fields; when none
/// names any, the first row with at least two non-empty cells (a banner is a single cell).
fn find_header(grid: &Grid, index: &HeaderIndex) -> Option<(usize, usize)> {
    let scanned = grid.rows.iter().take(HEADER_SCAN_ROWS).enumerate();
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in scanned {
        let score = index.header_score(row.cells.iter());
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.or_else(|| {
        grid.rows
            .iter()
            .take(HEADER_SCAN_ROWS)
            .position(|row| row.cells.iter().filter(|c| !c.trim().is_empty()).count() >= 2)
            .map(|i| (i, 0))
    })
}

/// The header row's width and how many of its columns are named (the last non-empty one).
#[derive(Debug, Clone, Copy)]
struct Shape {
    header_len: usize,
    named_width: usize,
}

/// Builds the mapped table from a sheet's rows. `whole`: the grid holds every row (not only
/// the first ones of a stream), so ragged text records are refused here.
fn build(
    grid: Grid,
    template: &Template,
    index: &HeaderIndex,
    whole: bool,
) -> Result<(Imported, Shape)> {
    let location = grid.source.location();
    if grid.rows.is_empty() {
        return Err(Error::Empty { location });
    }
    let (header_index, _) = find_header(&grid, index).ok_or_else(|| Error::NoHeader {
        location: location.clone(),
        scanned: HEADER_SCAN_ROWS.min(grid.rows.len()),
    })?;
    let Grid {
        source,
        rows: mut data,
        notes,
    } = grid;
    // Banner rows above the header go; the data rows stay where they are in memory.
    let header = data
        .drain(..=header_index)
        .next_back()
        .expect("header row exists"); // ok: header_index < rows.len()
    let header_row = header.number;
    if data.is_empty() {
        return Err(Error::NoRows {
            location,
            header_row,
        });
    }

    let named_width = used_width(&header.cells);
    if whole && source.format == crate::read::Format::Text {
        check_ragged(&location, header.cells.len(), named_width, &data)?;
    }
    let data_width = data
        .par_iter()
        .map(|r| used_width(&r.cells))
        .max()
        .unwrap_or(0);
    let width = named_width.max(data_width);
    // A column with data but no header is kept under its letter, never dropped. Which columns
    // have data is only worked out when some header cell is empty, in one pass over the cells.
    let unnamed = (0..width).any(|i| header.cells.get(i).unwrap_or("").trim().is_empty());
    let mut has_data = vec![false; if unnamed { width } else { 0 }];
    if unnamed {
        for row in &data {
            for (i, cell) in row.cells.iter().enumerate() {
                if !has_data[i] && !cell.trim().is_empty() {
                    has_data[i] = true;
                }
            }
        }
    }
    let headers: Vec<String> = (0..width)
        .map(|i| {
            let text = header.cells.get(i).unwrap_or("").trim();
            if text.is_empty() && has_data[i] {
                format!("({}列)", column_letter(i))
            } else {
                text.to_string()
            }
        })
        .collect();
    check_duplicates(&location, header_row, &headers)?;

    let mapping = mapping::map_headers(template, &headers);
    let last_row = data.last().map_or(header_row, |r| r.number);
    let blank_rows = (last_row - header_row) as usize - data.len();
    let findings = notes
        .into_iter()
        .filter(|n| n.row > header_row)
        .map(|note| {
            let field = mapping
                .columns
                .get(note.column)
                .and_then(|c| c.target.as_ref())
                .map(|t| t.key.clone());
            Finding {
                file: source.path.display().to_string(),
                sheet: source.sheet.clone(),
                row: note.row,
                letter: column_letter(note.column),
                column: headers.get(note.column).cloned().unwrap_or_default(),
                field,
                value: match &note.kind {
                    crate::read::NoteKind::ErrorCell(v)
                    | crate::read::NoteKind::PrecisionLost(v) => v.clone(),
                    crate::read::NoteKind::FormulaWithoutValue(f) => format!("={f}"),
                },
                rule: note.rule().to_string(),
                message: note.message(),
                severity: Severity::Error,
            }
        })
        .collect();

    let shape = Shape {
        header_len: header.cells.len(),
        named_width,
    };
    Ok((
        Imported {
            source,
            template: template.name.clone(),
            header_row,
            headers,
            mapping,
            rows: data,
            blank_rows,
            hidden_sheets: Vec::new(),
            other_sheets: Vec::new(),
            findings,
        },
        shape,
    ))
}

fn check_duplicates(location: &str, row: u32, headers: &[String]) -> Result<()> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, header) in headers.iter().enumerate() {
        if header.is_empty() {
            continue;
        }
        if let Some(&first) = seen.get(header.as_str()) {
            return Err(Error::DuplicateHeader {
                location: location.to_string(),
                row,
                header: header.clone(),
                first: column_letter(first),
                second: column_letter(i),
            });
        }
        seen.insert(header, i);
    }
    Ok(())
}

/// A CSV record with more non-empty fields than the header, or fewer than its named columns,
/// means a shifted row: refuse it rather than guess which value belongs where.
fn check_ragged(
    location: &str,
    header_len: usize,
    named_width: usize,
    data: &[GridRow],
) -> Result<()> {
    match data
        .iter()
        .find_map(|row| ragged(location, header_len, named_width, row))
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Why a CSV record cannot be read against a header of `header_len` fields naming the first
/// `named_width`, if it cannot.
fn ragged(location: &str, header_len: usize, named_width: usize, row: &GridRow) -> Option<Error> {
    let found = row.cells.len();
    let extra = (header_len..found)
        .map(|i| (i, &row.cells[i]))
        .find(|(_, c)| !c.trim().is_empty());
    if let Some((i, value)) = extra {
        return Some(Error::Ragged {
            location: location.to_string(),
            row: row.number,
            expected: header_len,
            found,
            detail: format!(
                " (多出的 {} 列: \"{}\")",
                column_letter(i),
                crate::mask::mask(value.trim())
            ),
        });
    }
    (found < named_width).then(|| Error::Ragged {
        location: location.to_string(),
        row: row.number,
        expected: header_len,
        found,
        detail: format!(" (缺少 {} 列起的字段)", column_letter(found)),
    })
}

/// The number of columns up to the last non-empty cell.
fn used_width(cells: &StringRecord) -> usize {
    (0..cells.len())
        .rev()
        .find(|&i| !cells[i].trim().is_empty())
        .map_or(0, |i| i + 1)
}
