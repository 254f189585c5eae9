//! Errors that stop an operation: the tool cannot do its job with this input.
//!
//! Problems in individual cells are not errors; they are collected as findings
//! ([`crate::read::CellNote`]) and the run goes on. Every message here names the file and, where
//! it applies, the sheet, the spreadsheet row (as Excel shows it) and the column.

use std::path::PathBuf;

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: failed to {action}: {error}")]
    Io {
        path: PathBuf,
        action: &'static str,
        error: std::io::Error,
    },

    /// No built-in template has this name and no such file exists.
    #[error(
        "unknown template `{name}`; built-in templates: {known} (or give a path to a .toml file)"
    )]
    UnknownTemplate { name: String, known: String },

    /// A template file is malformed.
    #[error("{file}: {key}: {message}")]
    InvalidTemplate {
        file: String,
        key: String,
        message: String,
    },

    /// The file's extension is not one crmkit reads.
    #[error(
        "{path}: 不支持的文件类型 `{extension}`; 支持 .xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt"
    )]
    UnsupportedFormat { path: PathBuf, extension: String },

    /// The output file's extension is not one crmkit writes.
    #[error("{path}: 不支持的输出文件类型 `{extension}`; 这个输出支持 {allowed}")]
    UnsupportedOutput {
        path: PathBuf,
        extension: String,
        /// What it may be instead, for people (`.csv (UTF-8 带 BOM) 或 .xlsx`).
        allowed: String,
    },

    /// An output path cannot be written: it is a directory, its parent is not one, or the
    /// directory refuses new files.
    #[error("{path}: 无法写出 ({why}); 请换一个可写的输出路径, 如 ./out/result.csv")]
    OutputPath { path: PathBuf, why: String },

    /// An output would overwrite the input or another output of the same run.
    #[error("{path}: {why}; 请换一个输出文件名")]
    OutputClash { path: PathBuf, why: &'static str },

    /// A workbook is encrypted (password-protected).
    #[error("{path}: 工作簿受密码保护, 无法读取; 请在 Excel 中取消密码 (文件 → 信息 → 保护工作簿) 后另存")]
    Encrypted { path: PathBuf },

    /// A workbook cannot be opened or parsed.
    #[error("{path}: 无法读取工作簿 ({format}): {message}")]
    Workbook {
        path: PathBuf,
        format: &'static str,
        message: String,
    },

    /// The requested sheet does not exist.
    #[error("{path}: 没有名为 \"{sheet}\" 的工作表; 现有工作表: {available}")]
    SheetNotFound {
        path: PathBuf,
        sheet: String,
        available: String,
    },

    /// The workbook has no visible worksheet.
    #[error("{path}: 工作簿中没有可见的工作表 (隐藏的工作表需用 --sheet 指定)")]
    NoVisibleSheet { path: PathBuf },

    /// The sheet or file has no cells at all.
    #[error("{location}: 文件为空, 没有表头也没有数据")]
    Empty { location: String },

    /// No row looks like a header.
    #[error("{location}: 找不到表头行 (前 {scanned} 行中没有一行含两个以上的列名); 请确认第一行或标题行下方是列名")]
    NoHeader { location: String, scanned: usize },

    /// Two columns have the same header.
    #[error("{location} 第 {row} 行: 表头 \"{header}\" 重复出现在 {first} 列和 {second} 列; 请删除或改名其中一列")]
    DuplicateHeader {
        location: String,
        row: u32,
        header: String,
        first: String,
        second: String,
    },

    /// A CSV row has a different number of fields than the header.
    #[error("{location} 第 {row} 行: 有 {found} 个字段, 但表头有 {expected} 列{detail}; 请检查该行是否有未加引号的分隔符或缺少字段")]
    Ragged {
        location: String,
        row: u32,
        expected: usize,
        found: usize,
        detail: String,
    },

    /// The file has a header but no data rows.
    #[error("{location}: 表头在第 {header_row} 行, 但之后没有任何数据行")]
    NoRows { location: String, header_row: u32 },

    /// A text file is not valid in its (detected or given) encoding.
    #[error("{path} 第 {line} 行: 不是有效的 {encoding} 编码文本; 可用 --encoding 指定编码 (如 gbk, utf-8, utf-16le)")]
    Encoding {
        path: PathBuf,
        encoding: &'static str,
        line: usize,
    },

    /// `--encoding` named an encoding crmkit does not know.
    #[error("unknown encoding `{label}`; expected a WHATWG label such as utf-8, gbk, gb18030, utf-16le, utf-16be, big5")]
    UnknownEncoding { label: String },

    /// The CSV parser failed.
    #[error("{location}: CSV 解析失败: {message}")]
    Csv { location: String, message: String },

    /// An option of an operation is out of range (`synth --rows 0`).
    #[error("--{option}: {message}")]
    InvalidOption {
        option: &'static str,
        message: String,
    },

    /// Writing an output workbook failed.
    #[error("{path}: 写入 Excel 文件失败: {message}")]
    XlsxWrite { path: PathBuf, message: String },

    /// A table has more rows than an Excel worksheet holds.
    #[error("{path}: 共 {rows} 行, 超过 Excel 单个工作表的上限 {limit} 行; {hint}")]
    TooManyRows {
        path: PathBuf,
        rows: usize,
        limit: usize,
        hint: &'static str,
    },

    /// The review queue was asked for in a format other than .xlsx.
    #[error("{path}: 复核表只能写成 .xlsx (需要下拉列表、标色和隐藏列), 不支持 `{extension}`; 请把文件名改为 .xlsx, 例如 review.xlsx")]
    ReviewFormat { path: PathBuf, extension: String },

    /// A decisions file lacks a column crmkit needs.
    #[error("{location}: 复核结论文件缺少列 {missing}; 应有表头 A行、B行、是否同一客户 (crmkit 写出的复核表自带这些列; CSV 示例: 第一行 `A行,B行,是否同一客户`, 之后如 `customers.xlsx:2,service.csv:8,是`)")]
    DecisionColumns { location: String, missing: String },

    /// A cell of a decisions file cannot be used.
    #[error("{location} 第 {row} 行 {letter} 列 ({header}): \"{value}\" {problem}")]
    Decision {
        location: String,
        row: u32,
        letter: String,
        header: String,
        value: String,
        problem: String,
    },
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error with the file and what was being done.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action,
            error,
        }
    }
}
