//! Reading client files as they really come: workbooks through calamine, text through csv.
//!
//! The reader turns a file into a [`Grid`]: the non-blank rows of one sheet, each cell rendered
//! as the text a person sees in Excel, and each row numbered as Excel numbers it. Date cells
//! become `YYYY-MM-DD` / `YYYY-MM-DD HH:MM` (both the 1900 and the 1904 date systems), numbers
//! that are really identifiers come back as the digits written, and cells that cannot be trusted
//! (error cells like `#N/A`, numbers Excel already rounded to 15 significant digits) are reported
//! as [`CellNote`]s rather than silently accepted.
//!
//! Text files are decoded first: UTF-8 with or without BOM, UTF-16 with BOM, otherwise the
//! encoding is detected (GBK/GB18030 is what Excel on Chinese Windows writes) unless forced.
//! The delimiter is sniffed among comma, tab, semicolon and `|`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, SheetType, SheetVisible, Sheets};
use csv::StringRecord;
use encoding_rs::Encoding;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// How many leading bytes of a text file the delimiter sniffer looks at.
const SNIFF_BYTES: usize = 64 * 1024;

/// A path's extension, lower-cased ("" when it has none).
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The kinds of file crmkit reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML workbook (.xlsx, .xlsm).
    Xlsx,
    /// Excel binary workbook (.xlsb).
    Xlsb,
    /// Excel 97–2003 workbook (.xls).
    Xls,
    /// OpenDocument spreadsheet (.ods).
    Ods,
    /// Delimited text (.csv, .tsv, .txt).
    Text,
}

impl Format {
    /// The format a path's extension names.
    pub fn from_path(path: &Path) -> Result<Format> {
        let extension = crate::read::extension(path);
        match extension.as_str() {
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            "xlsb" => Ok(Format::Xlsb),
            "xls" => Ok(Format::Xls),
            "ods" => Ok(Format::Ods),
            "csv" | "tsv" | "txt" => Ok(Format::Text),
            _ => Err(Error::UnsupportedFormat {
                path: path.to_path_buf(),
                extension,
            }),
        }
    }

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Text => "csv",
        }
    }
}

/// Options for reading a file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Force a text encoding (a WHATWG label: `gbk`, `utf-8`, `utf-16le`, ...).
    pub encoding: Option<String>,
    /// Force a delimiter for text files.
    pub delimiter: Option<u8>,
}

/// A sheet of a workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    /// The sheet's name.
    pub name: String,
    /// Whether Excel shows the sheet (hidden sheets are skipped unless named).
    pub visible: bool,
}

/// Where a grid came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// What kind of file it is (after checking its content, not only its extension).
    pub format: Format,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// The text encoding, for text files.
    pub encoding: Option<&'static str>,
    /// How the encoding was decided: `BOM`, `detected`, `forced`.
    pub encoding_from: Option<&'static str>,
    /// The delimiter, for text files.
    pub delimiter: Option<u8>,
}

impl Source {
    /// `file` or `file [sheet]`, the prefix of every message about this source.
    pub fn location(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("{} [{}]", self.path.display(), sheet),
            None => self.path.display().to_string(),
        }
    }
}

/// One non-blank row of a sheet.
#[derive(Debug, Clone)]
pub struct GridRow {
    /// The row number as Excel shows it (1-based, counting blank rows and banner rows).
    pub number: u32,
    /// The cells, as text, from column A.
    pub cells: StringRecord,
}

/// A cell whose value cannot be taken at face value.
#[derive(Debug, Clone, PartialEq)]
pub struct CellNote {
    /// Spreadsheet row as Excel shows it.
    pub row: u32,
    /// 0-based column index (A = 0).
    pub column: usize,
    /// What is wrong.
    pub kind: NoteKind,
}

/// The kinds of untrustworthy cells.
#[derive(Debug, Clone, PartialEq)]
pub enum NoteKind {
    /// An Excel error value such as `#N/A` or `#DIV/0!`; the cell is read as empty.
    ErrorCell(String),
    /// A number of 16 or more digits: Excel keeps only 15 significant digits, so the trailing
    /// digits were already lost when the file was saved (an ID number typed as a number).
    PrecisionLost(String),
    /// A formula saved without its computed value; the cell is read as empty.
    FormulaWithoutValue(String),
}

impl CellNote {
    /// The message for people, in Chinese, with what to do about it.
    pub fn message(&self) -> String {
        match &self.kind {
            NoteKind::ErrorCell(value) => format!(
                "单元格是 Excel 错误值 {value}, 按空值读取; 请在源文件中改正公式或填入实际值"
            ),
            NoteKind::FormulaWithoutValue(formula) => format!(
                "单元格是公式 ={formula}, 但文件里没有保存计算结果 (通常是程序生成的文件), 按空值读取; \
                 请在 Excel 中打开、保存后再导入"
            ),
            NoteKind::PrecisionLost(value) => format!(
                "数字 {} 超过 Excel 的 15 位有效数字, 末尾几位已被 Excel 改为 0, 无法恢复; \
                 请把该列设为文本格式后重新录入 (例如 110101199003071234)",
                crate::mask::mask(value)
            ),
        }
    }

    /// A short rule name for reports.
    pub fn rule(&self) -> &'static str {
        match self.kind {
            NoteKind::ErrorCell(_) => "excel_error_cell",
            NoteKind::PrecisionLost(_) => "excel_precision_lost",
            NoteKind::FormulaWithoutValue(_) => "excel_formula_without_value",
        }
    }
}

/// The non-blank rows of one sheet, with where they came from.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Where the rows came from.
    pub source: Source,
    /// Non-blank rows in order. Text files keep each record's own field count.
    pub rows: Vec<GridRow>,
    /// Cells that could not be taken at face value.
    pub notes: Vec<CellNote>,
}

/// An opened input file: a workbook with its sheets, or a decoded text file.
pub struct Book {
    path: PathBuf,
    inner: BookInner,
}

enum BookInner {
    Workbook {
        format: Format,
        sheets: Box<Sheets<BufReader<File>>>,
        infos: Vec<SheetInfo>,
    },
    Text {
        /// The decoded text, UTF-8 (checked when decoded; parsing checks each record again).
        text: Vec<u8>,
        encoding: &'static Encoding,
        encoding_from: &'static str,
        delimiter: Option<u8>,
    },
}

/// Whether `label` names an encoding crmkit can read (`gbk`, `gb18030`, `utf-8`, `big5`, ...).
pub fn is_known_encoding(label: &str) -> bool {
    Encoding::for_label(label.trim().as_bytes()).is_some()
}

impl Book {
    /// Opens a file: checks it exists, decides its real format, opens workbooks and decodes text.
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Book> {
        let declared = Format::from_path(path)?;
        let forced_encoding = forced_encoding(options)?;
        let mut file = File::open(path).map_err(|e| Error::io(path, "open", e))?;
        if declared == Format::Text {
            let bytes = read_all(&mut file).map_err(|e| Error::io(path, "read", e))?;
            let (text, encoding, encoding_from) = decode(path, bytes, forced_encoding)?;
            return Ok(Book {
                path: path.to_path_buf(),
                inner: BookInner::Text {
                    text,
                    encoding,
                    encoding_from,
                    delimiter: options.delimiter,
                },
            });
        }
        let format = sniff_workbook(path, &mut file, declared)?;
        drop(file);
        let fail = |message: String| Error::Workbook {
            path: path.to_path_buf(),
            format: format.name(),
            message,
        };
        let sheets = match format {
            Format::Xlsx => Sheets::Xlsx(
                calamine::open_workbook(path).map_err(|e| fail(describe_xlsx_error(&e)))?,
            ),
            Format::Xlsb => Sheets::Xlsb(
                calamine::open_workbook(path)
                    .map_err(|e: calamine::XlsbError| fail(e.to_string()))?,
            ),
            Format::Xls => Sheets::Xls(calamine::open_workbook(path).map_err(|e| match e {
                calamine::XlsError::Password => Error::Encrypted {
                    path: path.to_path_buf(),
                },
                e => fail(e.to_string()),
            })?),
            Format::Ods => Sheets::Ods(calamine::open_workbook(path).map_err(|e| match e {
                // calamine expands an .ods sheet into a dense grid, and refuses a grid larger
                // than this: usually one stray cell far away (say XFD1048576).
                calamine::OdsError::CellLimitExceeded { max, .. } => fail(format!(
                    "有工作表从第一格到最后一格超过 {max} 个单元格, 读取 .ods 时无法展开; \
                     通常是远处有零散的单元格 (如 XFD1048576); 请删除数据区域之外的行和列后保存, \
                     或另存为 .xlsx (.xlsx 逐格读取, 不受此限)"
                )),
                e => fail(e.to_string()),
            })?),
            Format::Text => unreachable!("text files are handled above"),
        };
        let infos = sheets
            .sheets_metadata()
            .iter()
            .filter(|s| s.typ == SheetType::WorkSheet)
            .map(|s| SheetInfo {
                name: s.name.clone(),
                visible: s.visible == SheetVisible::Visible,
            })
            .collect();
        Ok(Book {
            path: path.to_path_buf(),
            inner: BookInner::Workbook {
                format,
                sheets: Box::new(sheets),
                infos,
            },
        })
    }

    /// The file this book was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The worksheets of a workbook, in order; empty for text files.
    pub fn sheets(&self) -> &[SheetInfo] {
        match &self.inner {
            BookInner::Workbook { infos, .. } => infos,
            BookInner::Text { .. } => &[],
        }
    }

    /// Whether this is a workbook (as opposed to a text file).
    pub fn is_workbook(&self) -> bool {
        matches!(self.inner, BookInner::Workbook { .. })
    }

    /// Reads one sheet (by name, hidden or not) or the text file's table.
    pub fn grid(&mut self, sheet: Option<&str>) -> Result<Grid> {
        match &mut self.inner {
            BookInner::Text {
                text,
                encoding,
                encoding_from,
                delimiter,
            } => {
                let delimiter = delimiter
                    .unwrap_or_else(|| sniff_delimiter(&self.path, utf8_prefix(text, SNIFF_BYTES)));
                let source = Source {
                    path: self.path.clone(),
                    format: Format::Text,
                    sheet: None,
                    encoding: Some(encoding.name()),
                    encoding_from: Some(encoding_from),
                    delimiter: Some(delimiter),
                };
                read_text(source, text, delimiter)
            }
            BookInner::Workbook {
                format,
                sheets,
                infos,
            } => {
                let name = match sheet {
                    Some(name) => infos
                        .iter()
                        .find(|s| s.name == name)
                        .map(|s| s.name.clone())
                        .ok_or_else(|| Error::SheetNotFound {
                            path: self.path.clone(),
                            sheet: name.to_string(),
                            available: describe_sheets(infos),
                        })?,
                    None => infos
                        .iter()
                        .find(|s| s.visible)
                        .map(|s| s.name.clone())
                        .ok_or_else(|| Error::NoVisibleSheet {
                            path: self.path.clone(),
                        })?,
                };
                let fail = |e: String| Error::Workbook {
                    path: self.path.clone(),
                    format: format.name(),
                    message: format!("工作表 \"{name}\": {e}"),
                };
                let source = Source {
                    path: self.path.clone(),
                    format: *format,
                    sheet: Some(name.clone()),
                    encoding: None,
                    encoding_from: None,
                    delimiter: None,
                };
                match sheets.as_mut() {
                    // .xlsx and .xlsb are read cell by cell: a stray value in XFD1048576 must
                    // not make a dense range of a billion cells, and a cell address beyond
                    // Excel's limits (a damaged file) is refused before anything is sized by it.
                    Sheets::Xlsx(xlsx) => {
                        let mut cells = xlsx
                            .worksheet_cells_reader(&name)
                            .map_err(|e| fail(e.to_string()))?;
                        read_cells(source, || {
                            cells.next_cell_with_formula().map(|cell| {
                                cell.map(|cell| SheetCell {
                                    pos: cell.pos,
                                    value: Data::from(cell.value),
                                    formula: cell.formula,
                                })
                            })
                        })
                        .map_err(fail)
                    }
                    Sheets::Xlsb(xlsb) => {
                        let mut cells = xlsb
                            .worksheet_cells_reader(&name)
                            .map_err(|e| fail(e.to_string()))?;
                        read_cells(source, || {
                            cells.next_cell().map(|cell| {
                                cell.map(|cell| SheetCell {
                                    pos: cell.get_position(),
                                    value: Data::from(cell.get_value().clone()),
                                    formula: None,
                                })
                            })
                        })
                        .map_err(fail)
                    }
                    // .xls and .ods are parsed whole by calamine when the workbook is opened.
                    sheets => {
                        let range = sheets
                            .worksheet_range(&name)
                            .map_err(|e| fail(e.to_string()))?;
                        Ok(read_range(source, &range))
                    }
                }
            }
        }
    }
}

/// The rows of one sheet or text file handed out a piece at a time, for callers that stream
/// (a load writes the first rows while the rest are still being parsed, and never holds every
/// row). A text file is cut at record boundaries and each piece parsed when it is asked for;
/// a workbook sheet is read whole (Excel's own limit keeps it to 1,048,576 rows) and handed out
/// in pieces. Error cells are read as empty, as [`Book::grid`] reads them; their notes are not
/// kept.
pub struct RowStream {
    source: Source,
    inner: StreamInner,
}

enum StreamInner {
    Text(Box<TextReader>),
    Rows(std::vec::IntoIter<GridRow>),
}

/// A text file read and decoded a block at a time; whole records are parsed, the rest of the
/// block waits for the next one.
struct TextReader {
    file: File,
    /// Decodes the file's encoding to UTF-8 (also UTF-8 itself, which it validates).
    decoder: encoding_rs::Decoder,
    /// Raw bytes read but not decoded yet.
    raw: Vec<u8>,
    /// Decoded text that does not end a record yet.
    pending: String,
    eof: bool,
    delimiter: u8,
    /// Rows of the pieces already parsed.
    offset: u32,
    /// Line breaks decoded so far, for the line of an encoding error.
    lines: usize,
    /// Bytes read and the file's size, for the estimate of rows left.
    read: u64,
    size: u64,
    /// Non-blank rows handed out so far.
    rows: u64,
}

/// The size of the blocks a text file is read in for streaming.
const STREAM_PIECE_BYTES: usize = 2 << 20;

/// How much of a text file's start decides its encoding and delimiter when it is streamed.
const STREAM_DETECT_BYTES: usize = 4 << 20;

/// Rows per piece of a workbook sheet handed out by a [`RowStream`].
const STREAM_PIECE_ROWS: usize = 10_000;

impl RowStream {
    /// Where the rows come from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// A stream over rows already read (a workbook sheet).
    pub fn from_grid(grid: Grid) -> RowStream {
        RowStream {
            source: grid.source,
            inner: StreamInner::Rows(grid.rows.into_iter()),
        }
    }

    /// About how many rows are left: exact for a sheet, estimated from the bytes per row so far
    /// for text.
    pub fn remaining(&self) -> u64 {
        match &self.inner {
            StreamInner::Rows(rows) => rows.len() as u64,
            StreamInner::Text(t) => {
                if t.read == 0 || t.rows == 0 {
                    return 0;
                }
                t.size.saturating_sub(t.read) * t.rows / t.read
            }
        }
    }

    /// The next rows, or `None` at the end. Row numbers go on across pieces.
    pub fn next_rows(&mut self) -> Result<Option<Vec<GridRow>>> {
        let text = match &mut self.inner {
            StreamInner::Rows(rows) => {
                let piece: Vec<GridRow> = rows.take(STREAM_PIECE_ROWS).collect();
                return Ok((!piece.is_empty()).then_some(piece));
            }
            StreamInner::Text(text) => text,
        };
        loop {
            // Whole records of the decoded text: up to the last line break outside quotes.
            let end = if text.eof {
                text.pending.len()
            } else {
                last_record_end(&text.pending, text.delimiter)
            };
            if end > 0 && (text.eof || end >= STREAM_PIECE_BYTES / 2) {
                let piece = parse_records(&text.pending.as_bytes()[..end], text.delimiter);
                let piece = match piece {
                    Ok(mut piece) => {
                        if text.offset > 0 {
                            piece.rows.iter_mut().for_each(|r| r.number += text.offset);
                        }
                        text.offset += piece.last_row;
                        text.rows += piece.rows.len() as u64;
                        piece
                    }
                    Err(e) => return Err(e.into_error(&self.source, text.offset)),
                };
                text.pending.drain(..end);
                if piece.rows.is_empty() && !text.eof {
                    continue;
                }
                return Ok(Some(piece.rows));
            }
            if text.eof {
                return Ok(None);
            }
            text.fill(&self.source)?;
        }
    }
}

impl TextReader {
    /// Reads the next block and decodes it.
    fn fill(&mut self, source: &Source) -> Result<()> {
        let start = self.raw.len();
        self.raw.resize(start + STREAM_PIECE_BYTES, 0);
        let n = read_full(&mut self.file, &mut self.raw[start..])
            .map_err(|e| Error::io(&source.path, "read", e))?;
        self.raw.truncate(start + n);
        self.read += n as u64;
        self.decode_raw(source, n == 0)
    }

    /// Decodes the raw bytes read so far; `last` when the file has no more.
    fn decode_raw(&mut self, source: &Source, last: bool) -> Result<()> {
        let before = self.pending.len();
        let mut used = 0;
        loop {
            let need = self
                .decoder
                .max_utf8_buffer_length_without_replacement(self.raw.len() - used)
                .unwrap_or(STREAM_PIECE_BYTES);
            self.pending.reserve(need);
            let (result, read) = self.decoder.decode_to_string_without_replacement(
                &self.raw[used..],
                &mut self.pending,
                last,
            );
            used += read;
            match result {
                encoding_rs::DecoderResult::InputEmpty => break,
                encoding_rs::DecoderResult::OutputFull => continue,
                encoding_rs::DecoderResult::Malformed(..) => {
                    let line = self.lines
                        + memchr::memchr_iter(b'\n', &self.pending.as_bytes()[before..]).count()
                        + 1;
                    return Err(Error::Encoding {
                        path: source.path.clone(),
                        encoding: source.encoding.unwrap_or("UTF-8"),
                        line,
                    });
                }
            }
        }
        self.lines += memchr::memchr_iter(b'\n', &self.pending.as_bytes()[before..]).count();
        self.raw.drain(..used);
        self.eof = last;
        Ok(())
    }
}

/// Reads until `buffer` is full or the file ends; the bytes read.
fn read_full(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buffer.len() {
        match file.read(&mut buffer[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl RowStream {
    /// Opens a text file for streaming: the encoding (forced, from a BOM, or judged from the
    /// first megabytes) and the delimiter are decided from its start.
    pub fn open_text(path: &Path, options: &ReadOptions) -> Result<RowStream> {
        let forced = forced_encoding(options)?;
        let mut file = File::open(path).map_err(|e| Error::io(path, "open", e))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut head = vec![0u8; STREAM_DETECT_BYTES];
        let n = read_full(&mut file, &mut head).map_err(|e| Error::io(path, "read", e))?;
        head.truncate(n);
        let complete = (n as u64) >= size;
        let (encoding, from) = match (forced, Encoding::for_bom(&head)) {
            (Some(forced), _) => (forced, "forced"),
            (None, Some((bom, _))) => (bom, "BOM"),
            (None, None) => (detect_encoding(&head, complete), "detected"),
        };
        // The decoder drops a BOM of its own encoding; a forced encoding keeps other bytes.
        let decoder = encoding.new_decoder_with_bom_removal();
        let mut reader = TextReader {
            file,
            decoder,
            raw: head,
            pending: String::new(),
            eof: false,
            delimiter: b',',
            offset: 0,
            lines: 0,
            read: n as u64,
            size,
            rows: 0,
        };
        let mut source = Source {
            path: path.to_path_buf(),
            format: Format::Text,
            sheet: None,
            encoding: Some(encoding.name()),
            encoding_from: Some(from),
            delimiter: None,
        };
        // Decode what was read so far, the first block.
        reader.decode_raw(&source, complete)?;
        let delimiter = options
            .delimiter
            .unwrap_or_else(|| sniff_delimiter(path, &reader.pending));
        reader.delimiter = delimiter;
        source.delimiter = Some(delimiter);
        Ok(RowStream {
            source,
            inner: StreamInner::Text(Box::new(reader)),
        })
    }
}

/// The encoding of a file without a BOM, judged from its first bytes as [`decode`] judges a
/// whole file: UTF-8 when they are valid UTF-8 (a character cut at the end of the sample is
/// fine), else what chardetng guesses for Chinese text (GBK read as GB18030).
fn detect_encoding(head: &[u8], complete: bool) -> &'static Encoding {
    match std::str::from_utf8(head) {
        Ok(_) => return encoding_rs::UTF_8,
        Err(e) if !complete && e.error_len().is_none() => return encoding_rs::UTF_8,
        // UTF-8 Chinese text up to a bad stretch: a UTF-8 file with a bad row, which decoding
        // then reports by its row (as [`decode`] does).
        Err(e) if is_utf8_chinese(&head[..e.valid_up_to()]) => return encoding_rs::UTF_8,
        Err(_) => {}
    }
    guess_encoding(head, complete)
}

/// Whether valid UTF-8 `bytes` hold enough non-ASCII characters (8) to say the file is UTF-8
/// text: a GBK file's first characters can happen to be valid UTF-8, but not eight in a row.
fn is_utf8_chinese(bytes: &[u8]) -> bool {
    bytes.iter().filter(|&&b| b >= 0xC0).nth(7).is_some()
}

/// What chardetng guesses for bytes that are not UTF-8, expecting Chinese text; `last` when
/// they are the whole file. GB18030 is a superset of GBK and decodes everything GBK does.
fn guess_encoding(bytes: &[u8], last: bool) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, last);
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    if guess == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        guess
    }
}

/// The encoding `--encoding` names, if any.
fn forced_encoding(options: &ReadOptions) -> Result<Option<&'static Encoding>> {
    options
        .encoding
        .as_deref()
        .map(|label| {
            Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| Error::UnknownEncoding {
                label: label.to_string(),
            })
        })
        .transpose()
}

/// Where the last complete record of `text` ends (just after its line break), following CSV
/// quoting as [`split_records`] does; 0 when no record is complete.
fn last_record_end(text: &str, delimiter: u8) -> usize {
    let mut end = 0;
    for_each_record_end(text.as_bytes(), delimiter, |at| end = at);
    end
}

fn describe_sheets(infos: &[SheetInfo]) -> String {
    infos
        .iter()
        .map(|s| {
            if s.visible {
                format!("\"{}\"", s.name)
            } else {
                format!("\"{}\" (隐藏)", s.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_xlsx_error(e: &calamine::XlsxError) -> String {
    match e {
        calamine::XlsxError::Zip(z) => format!("文件损坏或不是有效的 xlsx (zip: {z})"),
        e => e.to_string(),
    }
}

/// Decides a workbook's real format from its first bytes: a renamed .xls is still an .xls, and
/// an encrypted .xlsx is an OLE compound file holding an `EncryptionInfo` stream.
fn sniff_workbook(path: &Path, file: &mut File, declared: Format) -> Result<Format> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, "read", e))?;
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const ZIP: &[u8] = b"PK\x03\x04";
    if head.is_empty() {
        return Err(Error::Workbook {
            path: path.to_path_buf(),
            format: declared.name(),
            message: "文件长度为 0".into(),
        });
    }
    if head.starts_with(CFB) {
        let marker: Vec<u8> = "EncryptionInfo"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        if head.windows(marker.len()).any(|w| w == marker.as_slice()) {
            return Err(Error::Encrypted {
                path: path.to_path_buf(),
            });
        }
        return Ok(Format::Xls);
    }
    if head.starts_with(ZIP) {
        return Ok(match declared {
            Format::Xls => Format::Xlsx,
            other => other,
        });
    }
    Err(Error::Workbook {
        path: path.to_path_buf(),
        format: declared.name(),
        message: "文件内容不是 Excel 或 OpenDocument 工作簿 (可能是改了扩展名的文本文件或已损坏)"
            .into(),
    })
}

/// Renders one sheet's used range as rows of text.
fn read_range(source: Source, range: &calamine::Range<Data>) -> Grid {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let lead = first_col as usize;
    for (i, cells) in range.rows().enumerate() {
        let number = first_row + i as u32 + 1;
        // Trailing empty cells are dropped; the table builder pads rows to the header's width.
        let used = cells
            .iter()
            .rposition(|c| !is_blank(c))
            .map_or(0, |last| last + 1);
        if used == 0 {
            continue;
        }
        let mut record = StringRecord::with_capacity(used * 8, lead + used);
        for _ in 0..lead {
            record.push_field("");
        }
        for (j, cell) in cells[..used].iter().enumerate() {
            if let Some(kind) = push_cell(&mut record, cell) {
                notes.push(CellNote {
                    row: number,
                    column: lead + j,
                    kind,
                });
            }
        }
        rows.push(GridRow {
            number,
            cells: record,
        });
    }
    Grid {
        source,
        rows,
        notes,
    }
}

/// Excel's last row (1,048,576) and column (XFD = 16,384), as 0-based indexes one past the end.
const MAX_ROWS: u32 = 1 << 20;
const MAX_COLUMNS: u32 = 1 << 14;

/// One cell as a workbook's cell reader hands it out.
struct SheetCell {
    /// 0-based (row, column).
    pos: (u32, u32),
    value: Data,
    /// The formula, when the reader gives it.
    formula: Option<String>,
}

/// Reads a sheet cell by cell, in document order, keeping only the cells that exist. `next`
/// gives the next cell, `None` at the end; errors are messages for people. A cell beyond
/// Excel's last row or column is refused: only a damaged file has one, and it must not size
/// anything.
fn read_cells<E: std::fmt::Display>(
    source: Source,
    mut next: impl FnMut() -> std::result::Result<Option<SheetCell>, E>,
) -> std::result::Result<Grid, String> {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut current: Option<u32> = None;
    let mut row: Vec<(usize, Data)> = Vec::new();
    let mut flush = |index: u32, row: &mut Vec<(usize, Data)>, rows: &mut Vec<GridRow>| {
        row.retain(|(_, cell)| !is_blank(cell));
        if row.is_empty() {
            return;
        }
        row.sort_by_key(|(column, _)| *column);
        let number = index + 1;
        let width = row.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
        let mut record = StringRecord::with_capacity(width * 8, width);
        let mut next = 0;
        for (column, cell) in row.drain(..) {
            while next < column {
                record.push_field("");
                next += 1;
            }
            if let Some(kind) = push_cell(&mut record, &cell) {
                notes.push(CellNote {
                    row: number,
                    column,
                    kind,
                });
            }
            next = column + 1;
        }
        rows.push(GridRow {
            number,
            cells: record,
        });
    };
    let mut formulas = Vec::new();
    while let Some(cell) = next().map_err(|e| e.to_string())? {
        let (r, c) = cell.pos;
        if r >= MAX_ROWS || c >= MAX_COLUMNS {
            return Err(format!(
                "单元格 {}{} 超出 Excel 的范围 (最多 {MAX_COLUMNS} 列、{MAX_ROWS} 行, 最后一格是 \
                 XFD1048576); 文件可能已损坏, 请用 Excel 打开后另存为 .xlsx",
                column_letter(c as usize),
                u64::from(r) + 1
            ));
        }
        if current != Some(r) {
            if let Some(index) = current {
                flush(index, &mut row, &mut rows);
            }
            current = Some(r);
        }
        // A formula saved without its result (files written by programs, not by Excel): the
        // value is unknown, not empty.
        if cell.value == Data::Empty {
            if let Some(formula) = cell.formula.filter(|f| !f.trim().is_empty()) {
                formulas.push(CellNote {
                    row: r + 1,
                    column: c as usize,
                    kind: NoteKind::FormulaWithoutValue(formula),
                });
            }
        }
        row.push((c as usize, cell.value));
    }
    if let Some(index) = current {
        flush(index, &mut row, &mut rows);
    }
    notes.extend(formulas);
    notes.sort_by_key(|n| (n.row, n.column));
    // Cells normally come in order; a file that lists them otherwise still reads right.
    if rows.windows(2).any(|w| w[0].number >= w[1].number) {
        rows.sort_by_key(|r| r.number);
    }
    Ok(Grid {
        source,
        rows,
        notes,
    })
}

fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Appends the text a person sees for a cell; returns why the cell cannot be trusted, if so.
fn push_cell(record: &mut StringRecord, cell: &Data) -> Option<NoteKind> {
    match cell {
        Data::Empty => record.push_field(""),
        Data::String(s) if is_error_literal(s) => {
            record.push_field("");
            return Some(NoteKind::ErrorCell(s.trim().to_string()));
        }
        Data::String(s) => record.push_field(s),
        Data::Int(i) => record.push_field(&i.to_string()),
        Data::Float(f) => {
            let (text, lost) = format_number(*f);
            record.push_field(&text);
            if lost {
                return Some(NoteKind::PrecisionLost(text));
            }
        }
        Data::Bool(b) => record.push_field(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) => record.push_field(&format_excel_datetime(dt)),
        Data::DateTimeIso(s) => record.push_field(&format_iso_datetime(s)),
        Data::DurationIso(s) => record.push_field(s),
        Data::Error(e) => {
            record.push_field("");
            return Some(NoteKind::ErrorCell(e.to_string()));
        }
    }
    None
}

/// Excel's error values. A workbook converted by another tool, or a CSV saved from Excel, keeps
/// them as plain text; they are still not data.
const ERROR_LITERALS: &[&str] = &[
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
];

/// Whether a text is one of Excel's error values.
pub fn is_error_literal(text: &str) -> bool {
    text.trim_start().starts_with('#') && ERROR_LITERALS.contains(&text.trim())
}

/// Formats a number as Excel shows it in a General cell: integers as their digits (no `.0`, no
/// exponent), fractions with at most 15 significant digits (0.1 + 0.2 shows as 0.3).
/// Returns whether the number has more digits than Excel keeps, i.e. its tail was lost.
pub fn format_number(f: f64) -> (String, bool) {
    if !f.is_finite() {
        return (f.to_string(), false);
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return (format!("{f:.0}"), false);
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        // Excel shows 15 significant digits and zeros after them; so do we.
        let scientific = format!("{f:.14e}");
        let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
        let exponent: usize = exponent.parse().unwrap_or(0);
        let sign = if f < 0.0 { "-" } else { "" };
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let text = format!("{sign}{digits:0<width$}", width = exponent + 1);
        return (text, true);
    }
    // Round to 15 significant digits, then print the shortest form of that value.
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    let text = format!("{rounded}");
    if text.contains('e') {
        return (
            format!("{rounded:.15}").trim_end_matches('0').to_string(),
            false,
        );
    }
    (text, false)
}

/// `YYYY-MM-DD` for a whole day, `YYYY-MM-DD HH:MM[:SS]` with a time, `HH:MM[:SS]` for a time
/// alone. Handles both the 1900 and the 1904 date systems (calamine carries the flag).
fn format_excel_datetime(dt: &calamine::ExcelDateTime) -> String {
    if dt.is_duration() {
        let total = (dt.as_f64() * 86_400.0).round() as i64;
        return format!(
            "{}:{:02}:{:02}",
            total / 3600,
            total % 3600 / 60,
            total % 60
        );
    }
    // Round to the second first: 14:30 is often stored as 14:29:59.999.
    let serial = (dt.as_f64() * 86_400.0).round() / 86_400.0;
    let rounded =
        calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, is_1904(dt));
    let (y, mo, d, h, mi, s, _) = rounded.to_ymd_hms_milli();
    let time = if s != 0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{h:02}:{mi:02}")
    };
    if (0.0..1.0).contains(&serial) {
        return time;
    }
    if serial.fract() == 0.0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {time}")
    }
}

/// Whether a calamine date uses the 1904 system (the flag is private; its effect is not).
fn is_1904(dt: &calamine::ExcelDateTime) -> bool {
    let probe =
        calamine::ExcelDateTime::new(dt.as_f64(), calamine::ExcelDateTimeType::DateTime, true);
    probe == *dt
}

/// ODS dates come as ISO text (`2024-06-15T14:30:00`).
fn format_iso_datetime(s: &str) -> String {
    let Some((date, time)) = s.split_once('T') else {
        return s.to_string();
    };
    let time = time.split('.').next().unwrap_or(time);
    let time = time
        .strip_suffix(":00")
        .filter(|t| t.len() == 5)
        .unwrap_or(time);
    if time == "00:00" {
        date.to_string()
    } else {
        format!("{date} {time}")
    }
}

/// Decodes a text file: BOM first, then UTF-8, then detection; or the forced encoding.
fn decode(
    path: &Path,
    bytes: Vec<u8>,
    forced: Option<&'static Encoding>,
) -> Result<(Vec<u8>, &'static Encoding, &'static str)> {
    // Most files are UTF-8, with or without a BOM: validate once (with SIMD) and keep the
    // buffer as the text (a BOM is cut off in place rather than the text copied without it).
    let bytes = match (forced, Encoding::for_bom(&bytes)) {
        (None, None) if simdutf8::basic::from_utf8(&bytes).is_ok() => {
            return Ok((bytes, encoding_rs::UTF_8, "detected"));
        }
        (None, None) => {
            // UTF-8 Chinese text up to one bad stretch (a row pasted from a GBK file) is a
            // UTF-8 file with a bad row, not a GBK file: say which row, rather than line 1 of
            // a wrong guess.
            let valid = match std::str::from_utf8(&bytes) {
                Ok(_) => bytes.len(),
                Err(e) => e.valid_up_to(),
            };
            if is_utf8_chinese(&bytes[..valid]) {
                return Err(Error::Encoding {
                    path: path.to_path_buf(),
                    encoding: encoding_rs::UTF_8.name(),
                    line: memchr::memchr_iter(b'\n', &bytes[..valid]).count() + 1,
                });
            }
            bytes
        }
        (_, Some((bom, len)))
            if bom == encoding_rs::UTF_8 && forced.is_none_or(|f| f == encoding_rs::UTF_8) =>
        {
            let from = if forced.is_some() { "forced" } else { "BOM" };
            if simdutf8::basic::from_utf8(&bytes[len..]).is_ok() {
                let mut bytes = bytes;
                bytes.drain(..len);
                return Ok((bytes, encoding_rs::UTF_8, from));
            }
            // Not UTF-8 after all: the general path below reports where.
            bytes
        }
        _ => bytes,
    };
    let (encoding, from, body): (&'static Encoding, &'static str, &[u8]) =
        match (forced, Encoding::for_bom(&bytes)) {
            (Some(forced), Some((bom, len))) if forced == bom => (forced, "forced", &bytes[len..]),
            (Some(forced), _) => (forced, "forced", &bytes[..]),
            (None, Some((bom, len))) => (bom, "BOM", &bytes[len..]),
            (None, None) => (guess_encoding(&bytes, true), "detected", &bytes[..]),
        };
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        let line = text
            .lines()
            .position(|l| l.contains('\u{FFFD}'))
            .map_or(1, |i| i + 1);
        return Err(Error::Encoding {
            path: path.to_path_buf(),
            encoding: encoding.name(),
            line,
        });
    }
    Ok((text.into_owned().into_bytes(), encoding, from))
}

/// Reads a whole file; a large one in pieces on the pool ([`read_in_pieces`]).
fn read_all(file: &mut File) -> std::io::Result<Vec<u8>> {
    let len = file.metadata().map_or(0, |m| m.len() as usize);
    #[cfg(unix)]
    if len >= PARALLEL_MIN_BYTES {
        if let Some(bytes) = read_in_pieces(file, len)? {
            return Ok(bytes);
        }
    }
    let mut bytes = Vec::with_capacity(len);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads `len` bytes in 1 MB pieces on the pool, each into its own part of one buffer, then
/// whatever the file grew by since its length was taken. Copying from the page cache and
/// faulting in the buffer's fresh pages took 60 ms on one core for a 41 MB file; this is
/// 20–25 ms on two. `None` when the file turned out shorter than `len` (cut while being read):
/// the caller reads it as it is now.
#[cfg(unix)]
fn read_in_pieces(file: &mut File, len: usize) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::{Seek, SeekFrom};
    use std::os::unix::fs::FileExt;
    const PIECE: usize = 1 << 20;
    let mut bytes = vec![0u8; len];
    let read = bytes
        .par_chunks_mut(PIECE)
        .enumerate()
        .try_for_each(|(i, piece)| file.read_exact_at(piece, (i * PIECE) as u64));
    match read {
        Ok(()) => {
            file.seek(SeekFrom::Start(len as u64))?;
            file.read_to_end(&mut bytes)?;
            Ok(Some(bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            file.seek(SeekFrom::Start(0))?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The longest start of UTF-8 `bytes` of at most `max` bytes that ends on a character.
fn utf8_prefix(bytes: &[u8], max: usize) -> &str {
    let prefix = &bytes[..bytes.len().min(max)];
    match std::str::from_utf8(prefix) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&prefix[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// Picks the delimiter that splits the first lines into the same, largest number of fields.
fn sniff_delimiter(path: &Path, text: &str) -> u8 {
    if extension(path) == "tsv" {
        return b'\t';
    }
    let mut end = text.len().min(SNIFF_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let lines: Vec<&str> = sample
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize, 0usize); // (delimiter, consistent lines, fields)
    for delimiter in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_unquoted(l, delimiter as char))
            .collect();
        // The most common non-zero count is the number of delimiters per record.
        let mut mode = (0usize, 0usize);
        for &c in counts.iter().filter(|&&c| c > 0) {
            let n = counts.iter().filter(|&&x| x == c).count();
            if n > mode.1 || (n == mode.1 && c > mode.0) {
                mode = (c, n);
            }
        }
        if mode.1 > best.1 || (mode.1 == best.1 && mode.0 > best.2) {
            best = (delimiter, mode.1, mode.0);
        }
    }
    best.0
}

fn count_unquoted(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

/// Text below this size is parsed on one thread.
const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// Parses decoded text into rows numbered as Excel numbers them when it opens the file: one row
/// per record (a quoted field with line breaks stays in one row), blank lines counted.
///
/// Large text is cut at record boundaries (found by a quote-aware scan) and the pieces are
/// parsed in parallel; row numbers are then offset by the rows of the pieces before.
fn read_text(source: Source, text: &[u8], delimiter: u8) -> Result<Grid> {
    let pieces = if text.len() < PARALLEL_MIN_BYTES {
        vec![text]
    } else {
        split_records(text, delimiter, rayon::current_num_threads() * 4)
    };
    let parsed: Vec<std::result::Result<Piece, PieceError>> = pieces
        .par_iter()
        .map(|piece| parse_records(piece, delimiter))
        .collect();
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut offset = 0u32;
    for piece in parsed {
        match piece {
            Ok(mut piece) => {
                if offset > 0 {
                    piece.rows.iter_mut().for_each(|r| r.number += offset);
                    piece.notes.iter_mut().for_each(|n| n.row += offset);
                }
                rows.append(&mut piece.rows);
                notes.append(&mut piece.notes);
                offset += piece.last_row;
            }
            Err(e) => return Err(e.into_error(&source, offset)),
        }
    }
    Ok(Grid {
        source,
        rows,
        notes,
    })
}

/// Cuts text into about `n` pieces, each ending just after a record's line break. The scan
/// follows CSV quoting as the parser does: a quote opens a quoted field only at the start of a
/// field, `""` inside one is a quote, and line breaks inside one do not end the record.
fn split_records(bytes: &[u8], delimiter: u8, n: usize) -> Vec<&[u8]> {
    let step = (bytes.len() / n.max(1)).max(1);
    let mut cuts = vec![0];
    let mut next_target = step;
    for_each_record_end(bytes, delimiter, |end| {
        if end >= next_target && end < bytes.len() {
            cuts.push(end);
            next_target = end + step;
        }
    });
    cuts.push(bytes.len());
    cuts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

/// Calls `f` with the offset just after each line break that ends a record, in order. The
/// scan follows CSV quoting as the parser does: a quote opens a quoted field only at the start
/// of a field, `""` inside one is a quote, and line breaks inside one do not end the record.
///
/// Returns where the quoted field opens when `bytes` end inside one (its quote is never closed).
fn for_each_record_end(bytes: &[u8], delimiter: u8, mut f: impl FnMut(usize)) -> Option<usize> {
    let mut i = 0;
    // Jump from quote to line break; a quote matters only at the start of a field.
    while let Some(found) = memchr::memchr2(b'"', b'\n', &bytes[i..]) {
        let at = i + found;
        if bytes[at] == b'\n' {
            f(at + 1);
            i = at + 1;
            continue;
        }
        let field_start =
            at == 0 || matches!(bytes[at - 1], b'\n' | b'\r') || bytes[at - 1] == delimiter;
        if !field_start {
            i = at + 1;
            continue;
        }
        // A quoted field: skip to its closing quote ("" is an escaped quote).
        let mut j = at + 1;
        loop {
            match memchr::memchr(b'"', &bytes[j..]) {
                Some(q) if bytes.get(j + q + 1) == Some(&b'"') => j += q + 2,
                Some(q) => {
                    j += q + 1;
                    break;
                }
                None => return Some(at),
            }
        }
        i = j;
        if i >= bytes.len() {
            break;
        }
    }
    None
}

/// The rows of one piece of text, numbered from 1 at the piece's start.
struct Piece {
    rows: Vec<GridRow>,
    notes: Vec<CellNote>,
    /// How many rows the piece spans: its last record's row plus the blank lines after it.
    last_row: u32,
}

/// Why a piece of text could not be parsed, with its row counted from the piece's start.
#[derive(Debug)]
struct PieceError {
    row: u32,
    /// 0-based column, when the problem is in one cell.
    column: Option<usize>,
    message: String,
}

impl PieceError {
    /// The error for people, with the row counted from the file's start (`offset` is the rows
    /// of the pieces before).
    fn into_error(self, source: &Source, offset: u32) -> Error {
        let column = self
            .column
            .map(|c| format!(" {} 列", column_letter(c)))
            .unwrap_or_default();
        Error::Csv {
            location: format!("{} 第 {} 行{column}", source.location(), self.row + offset),
            message: self.message,
        }
    }
}

/// Parses whole records; the last one may end at the end of the file without a line break.
/// Text that ends inside a quoted field is an error: a quote opened and never closed would
/// otherwise turn the rest of the file into one cell without a word.
fn parse_records(bytes: &[u8], delimiter: u8) -> std::result::Result<Piece, PieceError> {
    match parse_unquoted(bytes, delimiter) {
        Some(piece) => piece,
        None => parse_quoted(bytes, delimiter),
    }
}

/// [`parse_records`] for text without a quote character, where a record is a line and a field
/// what lies between delimiters, so both are found by a SIMD byte search instead of the CSV
/// state machine (most exports quote nothing: ~5% of a dedupe run's instructions). `None` when
/// the text holds a quote or a carriage return that does not end a line; the CSV parser then
/// reads it, with the same result (a proptest compares the two).
fn parse_unquoted(bytes: &[u8], delimiter: u8) -> Option<std::result::Result<Piece, PieceError>> {
    if memchr::memchr(b'"', bytes).is_some() {
        return None;
    }
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut excel_row: u32 = 0;
    // The row of the last line that was a record (blank-celled ones included).
    let mut last_record = 0;
    let mut start = 0;
    while start <= bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let mut line = &bytes[start..end];
        start = end + 1;
        excel_row += 1;
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        if memchr::memchr(b'\r', line).is_some() {
            return None;
        }
        if line.is_empty() {
            continue;
        }
        last_record = excel_row;
        let Ok(whole) = simdutf8::basic::from_utf8(line) else {
            return Some(Err(not_utf8(excel_row)));
        };
        let fields = memchr::memchr_iter(delimiter, line).count() + 1;
        let mut cells = StringRecord::with_capacity(whole.len(), fields);
        let mut at = 0;
        for i in memchr::memchr_iter(delimiter, line) {
            cells.push_field(&whole[at..i]);
            at = i + 1;
        }
        cells.push_field(&whole[at..]);
        push_row(&mut rows, &mut notes, excel_row, cells);
    }
    // The text's last line is a row only when it holds something: the csv path counts line
    // breaks, so a final line break adds no row.
    let last_row = last_record.max(excel_row - 1);
    Some(Ok(Piece {
        rows,
        notes,
        last_row,
    }))
}

fn not_utf8(row: u32) -> PieceError {
    PieceError {
        row,
        column: None,
        message: "字段不是有效的 UTF-8 文本".to_string(),
    }
}

/// Adds a parsed record as row `excel_row`, unless all its cells are blank; an error literal
/// Excel wrote for a cell (`#N/A`, `#DIV/0!` ...) is noted and read as empty.
fn push_row(
    rows: &mut Vec<GridRow>,
    notes: &mut Vec<CellNote>,
    excel_row: u32,
    cells: StringRecord,
) {
    if cells.iter().all(|f| f.trim().is_empty()) {
        return;
    }
    let mut cells = cells;
    if memchr::memchr(b'#', cells.as_slice().as_bytes()).is_some()
        && cells.iter().any(is_error_literal)
    {
        let mut cleaned = StringRecord::with_capacity(cells.as_slice().len(), cells.len());
        for (column, field) in cells.iter().enumerate() {
            if is_error_literal(field) {
                notes.push(CellNote {
                    row: excel_row,
                    column,
                    kind: NoteKind::ErrorCell(field.trim().to_string()),
                });
                cleaned.push_field("");
            } else {
                cleaned.push_field(field);
            }
        }
        cells = cleaned;
    }
    rows.push(GridRow {
        number: excel_row,
        cells,
    });
}

/// [`parse_records`] by the CSV parser: quoted fields, quoted line breaks, any line ending.
fn parse_quoted(bytes: &[u8], delimiter: u8) -> std::result::Result<Piece, PieceError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    // Read as bytes: the text is UTF-8 already and fields split at ASCII bytes, so a record is
    // checked once, with SIMD, rather than field by field (which cost as much as parsing).
    let mut record = csv::ByteRecord::new();
    let mut excel_row: u32 = 0;
    // Where the previous record started, and how many line breaks its quoted fields held.
    let mut previous: Option<(usize, usize)> = None;
    // How many fields the last record had.
    let mut last_fields = 0;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The parser may place a record's start on the line feed that ended the
                // previous one (CRLF); the record really starts at its first other byte.
                let mut start = record.position().map_or(0, |p| p.byte() as usize);
                while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                    start += 1;
                }
                // Line breaks between the previous record's start and this one: its own
                // quoted breaks, its terminator, and one for each blank line, which Excel
                // still shows as a row.
                let (from, own) = previous.map_or((0, 0), |(s, breaks)| (s, breaks + 1));
                let breaks = memchr::memchr_iter(b'\n', &bytes[from..start]).count();
                excel_row += 1 + breaks.saturating_sub(own) as u32;
                let quoted = memchr::memchr_iter(b'\n', record.as_slice()).count();
                previous = Some((start, quoted));
                last_fields = record.len();
                let whole = simdutf8::basic::from_utf8(record.as_slice())
                    .map_err(|_| not_utf8(excel_row))?;
                let mut cells = StringRecord::with_capacity(whole.len(), record.len());
                let mut at = 0;
                for field in &record {
                    let text = whole
                        .get(at..at + field.len())
                        .ok_or_else(|| not_utf8(excel_row))?;
                    at += field.len();
                    cells.push_field(text);
                }
                push_row(&mut rows, &mut notes, excel_row, cells);
            }
            Err(e) => {
                return Err(PieceError {
                    row: excel_row + 1,
                    column: None,
                    message: e.to_string(),
                })
            }
        }
    }
    // Only the last record can hold an unclosed quote (pieces end outside quotes), so the
    // quote-aware scan runs over that record alone, not over the text again.
    if let Some((start, _)) = previous {
        if for_each_record_end(&bytes[start..], delimiter, |_| {}).is_some() {
            // The quoted field ran to the end of the text, so it is the record's last field.
            return Err(PieceError {
                row: excel_row,
                column: Some(last_fields.saturating_sub(1)),
                message:
                    "这个单元格以引号 \" 开头, 但引号没有闭合 (从这里到文件末尾都成了一个单元格); \
                          请检查该单元格的引号: 漏了结尾的引号就补上, 内容里的引号要写成两个 \"\""
                        .to_string(),
            });
        }
    }
    // Blank lines after the last record are rows too; the next piece counts from after them.
    let trailing = match previous {
        Some((start, own)) => memchr::memchr_iter(b'\n', &bytes[start..])
            .count()
            .saturating_sub(own + 1),
        None => memchr::memchr_iter(b'\n', bytes).count(),
    };
    Ok(Piece {
        rows,
        notes,
        last_row: excel_row + trailing as u32,
    })
}

/// Excel's name for a 0-based column index: A, B, ..., Z, AA, AB, ...
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default() // ok: ASCII letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn numbers_render_as_excel_shows_them() {
        assert_eq!(format_number(13800138000.0), ("13800138000".into(), false));
        assert_eq!(format_number(25.5), ("25.5".into(), false));
        assert_eq!(format_number(0.1 + 0.2), ("0.3".into(), false));
        assert_eq!(format_number(-3.0), ("-3".into(), false));
        assert_eq!(
            format_number(110101199003071000.0),
            ("110101199003071000".into(), true)
        );
        assert_eq!(
            format_number(123456789012345.0),
            ("123456789012345".into(), false)
        );
        // The nearest double to 110101199003071000 is ...1008; Excel shows ...1000.
        assert_eq!(
            format_number(110101199003071008.0),
            ("110101199003071000".into(), true)
        );
        assert_eq!(format_number(-1e16), ("-10000000000000000".into(), true));
    }

    #[test]
    fn dates_in_both_systems() {
        use calamine::{ExcelDateTime, ExcelDateTimeType::DateTime};
        // 2024-06-15 14:30 is serial 45458.604166... in the 1900 system.
        let dt = ExcelDateTime::new(45458.0 + 14.5 / 24.0, DateTime, false);
        assert_eq!(format_excel_datetime(&dt), "2024-06-15 14:30");
        // The 1904 system counts 1462 days fewer.
        let dt = ExcelDateTime::new(45458.0 - 1462.0, DateTime, true);
        assert_eq!(format_excel_datetime(&dt), "2024-06-15");
        // A time stored a hair early still shows as Excel shows it.
        let dt = ExcelDateTime::new(45458.0 + 14.5 / 24.0 - 1e-9, DateTime, false);
        assert_eq!(format_excel_datetime(&dt), "2024-06-15 14:30");
        let dt = ExcelDateTime::new(0.75, DateTime, false);
        assert_eq!(format_excel_datetime(&dt), "18:00");
    }

    #[test]
    fn iso_dates_from_ods() {
        assert_eq!(
            format_iso_datetime("2024-06-15T14:30:00"),
            "2024-06-15 14:30"
        );
        assert_eq!(format_iso_datetime("2024-06-15T00:00:00"), "2024-06-15");
        assert_eq!(
            format_iso_datetime("2024-06-15T14:30:15"),
            "2024-06-15 14:30:15"
        );
        assert_eq!(format_iso_datetime("2024-06-15"), "2024-06-15");
    }

    #[test]
    fn delimiter_sniffing() {
        let p = Path::new("x.csv");
        assert_eq!(sniff_delimiter(p, "a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter(p, "a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter(p, "a\tb\tc\n1\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter(p, "a|b|c\n1|2|3\n"), b'|');
        assert_eq!(sniff_delimiter(p, "a,\"b;c\"\n1,2\n"), b',');
        assert_eq!(sniff_delimiter(Path::new("x.tsv"), "a,b\n"), b'\t');
    }

    fn grid_of(text: &str) -> Vec<(u32, Vec<String>)> {
        let source = Source {
            path: "t.csv".into(),
            format: Format::Text,
            sheet: None,
            encoding: None,
            encoding_from: None,
            delimiter: Some(b','),
        };
        read_text(source, text.as_bytes(), b',')
            .unwrap()
            .rows
            .into_iter()
            .map(|r| (r.number, r.cells.iter().map(String::from).collect()))
            .collect()
    }

    #[test]
    fn text_rows_are_numbered_as_excel_numbers_them() {
        let rows = grid_of("h1,h2\r\na,\"two\r\nlines\"\r\n\r\nb,c\r\n,\r\nd,e\r\n");
        let lf: Vec<u32> = grid_of("\nh1,h2\na,\"x\ny\nz\"\n\n\nb,c\nd,e")
            .iter()
            .map(|r| r.0)
            .collect();
        // A blank first line, a record over three lines, two blank lines, no final newline.
        assert_eq!(lf, vec![2, 3, 6, 7]);
        let numbers: Vec<u32> = rows.iter().map(|r| r.0).collect();
        // Header 1, record 2 spans two lines, a blank line is row 3, then 4, (5 is blank), 6.
        assert_eq!(numbers, vec![1, 2, 4, 6]);
        assert_eq!(rows[1].1[1], "two\r\nlines");
    }

    #[test]
    fn pieces_parse_like_the_whole() {
        // Quoted line breaks, escaped quotes, a quote inside an unquoted field, blank lines.
        let mut text = String::from("h1,h2\r\n");
        for i in 0..500 {
            match i % 5 {
                0 => text.push_str(&format!("a{i},\"two\r\nlines \"\"q\"\"\"\r\n")),
                1 => text.push_str(&format!("b{i},5\" screen\r\n")),
                2 => text.push_str("\r\n"),
                3 => text.push_str(&format!("\"c{i}\",\"x,y\"\n")),
                _ => text.push_str(&format!("d{i},plain\r\n")),
            }
        }
        let whole = parse_records(text.as_bytes(), b',').unwrap();
        for n in [2, 3, 7, 64] {
            let pieces = split_records(text.as_bytes(), b',', n);
            assert_eq!(pieces.concat(), text.as_bytes());
            let mut numbers = Vec::new();
            let mut offset = 0;
            for piece in &pieces {
                let p = parse_records(piece, b',').unwrap();
                numbers.extend(p.rows.iter().map(|r| (r.number + offset, r.cells.clone())));
                offset += p.last_row;
            }
            let expected: Vec<_> = whole
                .rows
                .iter()
                .map(|r| (r.number, r.cells.clone()))
                .collect();
            assert_eq!(numbers, expected, "{n} pieces");
        }
    }

    /// A parse's rows (number, cells), notes and last row.
    type Parsed = (Vec<(u32, Vec<String>)>, Vec<CellNote>, u32);

    /// What a parse gave, comparable: what it read, or the error's row and column.
    fn parsed(
        piece: std::result::Result<Piece, PieceError>,
    ) -> std::result::Result<Parsed, (u32, Option<usize>)> {
        piece
            .map(|p| {
                let rows = p
                    .rows
                    .iter()
                    .map(|r| (r.number, r.cells.iter().map(String::from).collect()))
                    .collect();
                (rows, p.notes, p.last_row)
            })
            .map_err(|e| (e.row, e.column))
    }

    #[test]
    fn unquoted_text_takes_the_line_path() {
        let text = b"h1,h2\r\na,#N/A\r\n\r\n,\r\nb,\xE5\x8D\x8E\n";
        let fast = parse_unquoted(text, b',').expect("no quote: the line path");
        let fast = parsed(fast).unwrap();
        assert_eq!(fast, parsed(parse_quoted(text, b',')).unwrap());
        assert_eq!(fast.0.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 5]);
        assert_eq!(fast.1.len(), 1, "#N/A noted");
        assert!(parse_unquoted(b"a,\"b\"\n", b',').is_none());
        assert!(parse_unquoted(b"a\rb\n", b',').is_none());
        assert!(matches!(
            parse_unquoted(b"ok\n\xFF\n", b','),
            Some(Err(PieceError { row: 2, .. }))
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The line path reads what the CSV parser reads, row numbers and blank lines included,
        /// whenever it takes the text.
        #[test]
        fn the_line_path_agrees_with_the_csv_parser(
            bytes in proptest::collection::vec(proptest::sample::select(vec![
                b'a', b',', b';', b' ', b'\r', b'\n', b'#', b'N', b'/', b'A', b'"', 0xE5, 0x8D, 0x8E, 0xFF,
            ]), 0..40),
            semicolon in proptest::bool::ANY,
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            if let Some(fast) = parse_unquoted(&bytes, delimiter) {
                proptest::prop_assert_eq!(parsed(fast), parsed(parse_quoted(&bytes, delimiter)));
            }
        }
    }

    /// An .xlsx with a header row and one data row (客户名称, 联系人, 备注 in A..C) whose sheet
    /// XML has `r="B2"` replaced by `cell` (as a damaged or hand-edited file would have it).
    fn xlsx_with_cell(dir: &Path, cell: &str) -> PathBuf {
        use std::io::{Cursor, Write};
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("客户").unwrap();
        for (column, (header, value)) in [("客户名称", "华远"), ("联系人", "张伟"), ("备注", "x")]
            .into_iter()
            .enumerate()
        {
            sheet.write_string(0, column as u16, header).unwrap();
            sheet.write_string(1, column as u16, value).unwrap();
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut member = archive.by_index(i).unwrap();
            let name = member.name().unwrap().to_string();
            let mut content = Vec::new();
            member.read_to_end(&mut content).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                let xml = String::from_utf8(content).unwrap();
                assert_eq!(xml.matches(r#"r="B2""#).count(), 1, "{xml}");
                content = xml
                    .replace(r#"r="B2""#, &format!(r#"r="{cell}""#))
                    .into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&content).unwrap();
        }
        let path = dir.join(format!("{cell}.xlsx"));
        std::fs::write(&path, out.finish().unwrap().into_inner()).unwrap();
        path
    }

    #[test]
    fn cells_beyond_excels_last_row_or_column_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        // Column ZZZZZZ is number 321,272,406: sized by it, one row took gigabytes.
        for cell in ["ZZZZZZ2", "XFE2", "B1048577", "ZZZZZZ99999999"] {
            let path = xlsx_with_cell(dir.path(), cell);
            let mut book = Book::open(&path, &ReadOptions::default()).unwrap();
            let err = book.grid(None).unwrap_err().to_string();
            assert!(err.starts_with(&path.display().to_string()), "{err}");
            assert!(err.contains("工作表 \"客户\""), "{err}");
            assert!(
                err.contains(&format!("单元格 {cell} 超出 Excel 的范围")),
                "{err}"
            );
            assert!(err.contains("16384 列、1048576 行"), "{err}");
            assert!(err.contains("另存为 .xlsx"), "{err}");
        }
        // The last cell Excel has is fine, and a row reaching it holds only that row's cells.
        let path = xlsx_with_cell(dir.path(), "XFD1048576");
        let grid = Book::open(&path, &ReadOptions::default())
            .unwrap()
            .grid(None)
            .unwrap();
        let last = grid.rows.last().unwrap();
        assert_eq!(last.number, 1_048_576);
        assert_eq!(last.cells.len(), 16_384);
        assert_eq!(last.cells.get(16_383), Some("张伟"));
        assert_eq!(grid.rows[1].number, 2);
    }

    fn csv_source() -> Source {
        Source {
            path: "t.csv".into(),
            format: Format::Text,
            sheet: None,
            encoding: None,
            encoding_from: None,
            delimiter: Some(b','),
        }
    }

    fn text_error(text: &str) -> String {
        read_text(csv_source(), text.as_bytes(), b',')
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_quote_never_closed_is_an_error_naming_where_it_opens() {
        // With and without a final line break, CRLF or LF; the quote opens row 3, column C.
        for text in [
            "h1,h2,h3\r\na,b,c\r\nd,e,\"f\r\ng,h,i\r\n",
            "h1,h2,h3\na,b,c\nd,e,\"f\ng,h,i",
            "h1,h2,h3\na,b,c\nd,e,\"f",
            "h1,h2,h3\na,b,c\nd,e,\"",
            // An escaped quote at the very end does not close the field.
            "h1,h2,h3\na,b,c\nd,e,\"f\"\"",
            // A closed multi-line field before it in the same record.
            "h1,h2,h3\na,b,c\n\"x\ny\",e,\"f\ng,h,i\n",
        ] {
            let err = text_error(text);
            assert!(err.starts_with("t.csv 第 3 行 C 列: "), "{text:?}: {err}");
            assert!(err.contains("引号没有闭合"), "{text:?}: {err}");
        }
        // Blank lines and a multi-line record before it still count as Excel counts them.
        let err = text_error("h1,h2\n\na,\"x\ny\"\n\"open,b\nc,d\n");
        assert!(err.starts_with("t.csv 第 4 行 A 列: "), "{err}");
    }

    #[test]
    fn closed_quotes_at_the_end_of_the_file_are_fine() {
        for text in [
            "h1,h2\na,\"two\nlines\"",
            "h1,h2\na,\"two\r\nlines\"\r\n",
            "h1,h2\na,\"say \"\"hi\"\"\"\n\n",
            "h1,h2\na,\"\"",
            // A quote inside an unquoted field is a character, not an opening quote.
            "h1,h2\nb,5\" screen",
            "h1,h2\nb,5\" screen\n",
        ] {
            let rows = grid_of(text);
            assert_eq!(rows.len(), 2, "{text:?}");
        }
        assert_eq!(grid_of("h1,h2\na,\"two\nlines\"")[1].1[1], "two\nlines");
    }

    #[test]
    fn a_large_file_read_in_pieces_is_the_file() {
        // Not a multiple of the piece size, with three-byte characters across piece ends.
        let mut text = String::from("\u{FEFF}名称,电话\n");
        let mut i = 0;
        while text.len() < PARALLEL_MIN_BYTES + 12_345 {
            text.push_str(&format!("华远软件科技有限公司{i},138{i:08}\n"));
            i += 1;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        std::fs::write(&path, &text).unwrap();
        let mut file = File::open(&path).unwrap();
        assert_eq!(read_all(&mut file).unwrap(), text.as_bytes());
        let mut book = Book::open(&path, &ReadOptions::default()).unwrap();
        let rows = book.grid(None).unwrap().rows;
        assert_eq!(rows.len(), i + 1);
        assert_eq!(&rows[i].cells[0], format!("华远软件科技有限公司{}", i - 1));
    }

    #[test]
    fn an_unclosed_quote_is_found_in_whichever_piece_ends_the_file() {
        // Big enough to be cut into pieces parsed in parallel; the quote opens near the end.
        let mut text = String::from("h1,h2,h3\n");
        let rows = PARALLEL_MIN_BYTES / 20 + 1000;
        for i in 0..rows {
            text.push_str(&format!("a{i},\"q\n{i}\",c\n"));
        }
        let bad_row = rows + 2;
        text.push_str("x,y,\"never closed\nz,z,z\n");
        assert!(text.len() > PARALLEL_MIN_BYTES);
        assert!(split_records(text.as_bytes(), b',', 8).len() > 1);
        let err = text_error(&text);
        assert!(
            err.starts_with(&format!("t.csv 第 {bad_row} 行 C 列: ")),
            "{err}"
        );
        // The same file read as a stream: the error comes with the last piece.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        std::fs::write(&path, &text).unwrap();
        let mut stream = RowStream::open_text(&path, &ReadOptions::default()).unwrap();
        let mut seen = 0;
        let err = loop {
            match stream.next_rows() {
                Ok(Some(rows)) => seen += rows.len(),
                Ok(None) => panic!("no error after {seen} rows"),
                Err(e) => break e.to_string(),
            }
        };
        // The pieces before the last one were handed out before the end was reached.
        assert!(seen > 0 && seen <= rows + 1, "{seen}");
        assert!(err.contains(&format!("第 {bad_row} 行 C 列: ")), "{err}");
        assert!(err.contains("引号没有闭合"), "{err}");

        // A quote that opens early swallows blocks the streaming reader reads afterwards.
        let mut text = String::from("h1,h2\nx,\"open\n");
        for i in 0..(STREAM_PIECE_BYTES / 8) {
            text.push_str(&format!("b{i},c\n"));
        }
        std::fs::write(&path, &text).unwrap();
        let mut stream = RowStream::open_text(&path, &ReadOptions::default()).unwrap();
        let err = loop {
            match stream.next_rows() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("no error"),
                Err(e) => break e.to_string(),
            }
        };
        assert!(err.contains("第 2 行 B 列: "), "{err}");
        // Closed, the same big file streams to the end.
        text.push('"');
        std::fs::write(&path, &text).unwrap();
        let mut stream = RowStream::open_text(&path, &ReadOptions::default()).unwrap();
        let mut n = 0;
        while let Some(rows) = stream.next_rows().unwrap() {
            n += rows.len();
        }
        assert_eq!(n, 2);
    }

    #[test]
    fn decoding() {
        let p = Path::new("t.csv");
        let (gbk, _, _) = encoding_rs::GBK.encode("客户名称,联系人\n华远,张喆\n");
        let (text, enc, from) = decode(p, gbk.into_owned(), None).unwrap();
        assert_eq!(text, "客户名称,联系人\n华远,张喆\n".as_bytes());
        assert_eq!((enc.name(), from), ("gb18030", "detected"));

        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("名称\t电话\n".encode_utf16().flat_map(u16::to_le_bytes));
        let (text, enc, from) = decode(p, utf16, None).unwrap();
        assert_eq!(
            (text.as_slice(), enc.name(), from),
            ("名称\t电话\n".as_bytes(), "UTF-16LE", "BOM")
        );

        let bom = [&[0xEF, 0xBB, 0xBF][..], "名称".as_bytes()].concat();
        let (text, _, from) = decode(p, bom, None).unwrap();
        assert_eq!((text.as_slice(), from), ("名称".as_bytes(), "BOM"));
        let bom = [&[0xEF, 0xBB, 0xBF][..], "名称".as_bytes()].concat();
        let (text, _, from) = decode(p, bom, Some(encoding_rs::UTF_8)).unwrap();
        assert_eq!((text.as_slice(), from), ("名称".as_bytes(), "forced"));
        // A UTF-8 BOM before bytes that are not UTF-8: the line of the bad bytes is named.
        let bad = [&[0xEF, 0xBB, 0xBF][..], b"ok\nok\n\xff\xfe\n"].concat();
        let err = decode(p, bad, None).unwrap_err();
        assert!(err.to_string().contains("第 3 行"), "{err}");

        // Bytes that are not valid in the forced encoding name the line.
        let err = decode(p, b"ok\n\xff\xfe\xfd\n".to_vec(), Some(encoding_rs::UTF_8)).unwrap_err();
        assert!(err.to_string().contains("第 2 行"), "{err}");
    }
}
