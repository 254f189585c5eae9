//! The review queue: uncertain pairs in a workbook for a person to decide, and their decisions.
//!
//! [`write`] puts each pair on one row of the sheet 待复核: its score, a dropdown 是/否 to fill,
//! a note, then the two records field by field, side by side, with the fields where they differ
//! highlighted. Hidden, locked columns `A行` and `B行` name each record as `file:row`, so
//! [`read_decisions`] can match the filled workbook (or a CSV `A行,B行,是否同一客户`) back to
//! the records, whatever order the rows are in.

use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Note,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use super::records::{RecordRef, Records};
use crate::error::{Error, Result};
use crate::read::{column_letter, Book, ReadOptions};
use crate::write::atomic_write;

/// The sheet of pairs to decide.
pub const REVIEW_SHEET: &str = "待复核";
/// The sheet that says how to fill it.
pub const GUIDE_SHEET: &str = "说明";
/// The column of decisions.
pub const DECISION: &str = "是否同一客户";
/// The column naming record A as `file:row`.
pub const A_ROW: &str = "A行";
/// The column naming record B as `file:row`.
pub const B_ROW: &str = "B行";
/// The columns before the records' fields: number, probability, weight, decision, note.
const LEADING: [&str; 5] = ["编号", "匹配概率", "匹配权重", DECISION, "备注"];
/// The decision column's index.
const DECISION_COLUMN: u16 = 3;
/// The note column's index.
const NOTE_COLUMN: u16 = 4;
/// The most pairs a worksheet holds below its header.
const XLSX_ROW_LIMIT: usize = 1_048_575;
/// Rows looked at to size the field columns.
const WIDTH_SAMPLE: usize = 2_000;
/// What the decision column accepts, for messages.
const ALLOWED: &str =
    "请填 是 (同一客户) 或 否 (不同客户), 也接受 Y/N、yes/no (不分大小写); 留空 = 未决定";

/// A pair of records the model could not decide on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewPair {
    /// A record index into [`Records`]; `a < b`.
    pub a: usize,
    /// The other record index.
    pub b: usize,
    /// The model's probability that both are the same customer, in [0, 1].
    pub probability: f64,
    /// The match weight (sum of the log₂ likelihood ratios of the comparisons).
    pub weight: f64,
}

/// A person's decision on a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Record A, as written in the decisions file.
    pub a: RecordRef,
    /// Record B.
    pub b: RecordRef,
    /// `true` for 是 (the same customer), `false` for 否.
    pub same: bool,
}

/// The decisions read from a filled review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    /// The decided pairs, in file order (a pair given twice with the same mark, once).
    pub decided: Vec<Decision>,
    /// Pairs left without a mark.
    pub undecided: usize,
}

/// Writes the review workbook to `path` (.xlsx only): the sheet 待复核 with one row per pair, in
/// the order given, and the sheet 说明.
///
/// One row per pair, the two records' values in adjacent columns (`A:客户名称`, `B:客户名称`),
/// rather than two rows per pair: the pair, its score and its decision stay on one row, so
/// filtering rows never separates a record from its partner or from the decision, and the eye
/// compares each field across one column boundary.
///
/// # Panics
/// When a pair names a record index outside `records`.
pub fn write(path: &Path, records: &Records, pairs: &[ReviewPair]) -> Result<()> {
    let extension = crate::read::extension(path);
    if extension != "xlsx" {
        return Err(Error::ReviewFormat {
            path: path.to_path_buf(),
            extension,
        });
    }
    if pairs.len() > XLSX_ROW_LIMIT {
        return Err(Error::TooManyRows {
            path: path.to_path_buf(),
            rows: pairs.len(),
            limit: XLSX_ROW_LIMIT,
            hint: "请提高复核的概率下限, 或分批复核",
        });
    }
    let fail = |e: XlsxError| Error::XlsxWrite {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut workbook = Workbook::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(fail)?;
    write_pairs(sheet, records, pairs).map_err(fail)?;
    write_guide(workbook.add_worksheet(), records).map_err(fail)?;
    atomic_write(path, |out| workbook.save_to_writer(out).map_err(fail))
}

/// The width Excel needs for a text: CJK characters are two columns wide.
fn text_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn write_pairs(
    sheet: &mut Worksheet,
    records: &Records,
    pairs: &[ReviewPair],
) -> std::result::Result<(), XlsxError> {
    let fields = &records.template.fields;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let fixed_header = header.clone().set_background_color(Color::RGB(0xD9D9D9));
    let decision_header = header.clone().set_background_color(Color::RGB(0xFFD966));
    let a_header = header.clone().set_background_color(Color::RGB(0xDDEBF7));
    let b_header = header.clone().set_background_color(Color::RGB(0xE2EFDA));
    let decision = Format::new()
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let unlocked = Format::new().set_unlocked();
    let percent = Format::new().set_num_format("0.0%");
    let weight = Format::new().set_num_format("0.00");
    let differ = Format::new().set_background_color(Color::RGB(0xF8CBAD));

    let a_row = (LEADING.len() + 2 * fields.len()) as u16;
    let b_row = a_row + 1;

    // Constant-memory mode streams rows to disk: the layout first, then the rows in order.
    for (c, width) in [6.0, 10.0, 10.0, 14.0, 24.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    sheet.set_column_format(NOTE_COLUMN, &unlocked)?;
    for (f, field) in fields.iter().enumerate() {
        let sample = pairs.iter().take(WIDTH_SAMPLE);
        let widest = sample
            .flat_map(|p| [records.value(p.a, f), records.value(p.b, f)])
            .map(text_width)
            .max()
            .unwrap_or(0)
            .max(text_width(&field.header) + 2);
        let width = (widest as f64 + 2.0).clamp(8.0, 40.0);
        let column = (LEADING.len() + 2 * f) as u16;
        sheet.set_column_width(column, width)?;
        sheet.set_column_width(column + 1, width)?;
    }
    for column in [a_row, b_row] {
        sheet.set_column_width(column, 24.0)?;
        sheet.set_column_hidden(column)?;
    }

    for (c, title) in LEADING.iter().enumerate() {
        let format = if c as u16 == DECISION_COLUMN {
            &decision_header
        } else {
            &fixed_header
        };
        sheet.write_string_with_format(0, c as u16, *title, format)?;
    }
    let note = Note::new(format!(
        "是 = 同一客户 (合并)\n否 = 不同客户 (不合并)\n留空 = 未决定\n填好后用 --decisions 交回; 详见“{GUIDE_SHEET}”工作表"
    ))
    .set_author("crmkit")
    .add_author_prefix(false)
    .set_width(260)
    .set_height(100);
    sheet.insert_note(0, DECISION_COLUMN, &note)?;
    for (f, field) in fields.iter().enumerate() {
        let column = (LEADING.len() + 2 * f) as u16;
        sheet.write_string_with_format(0, column, format!("A:{}", field.header), &a_header)?;
        sheet.write_string_with_format(0, column + 1, format!("B:{}", field.header), &b_header)?;
    }
    sheet.write_string_with_format(0, a_row, A_ROW, &fixed_header)?;
    sheet.write_string_with_format(0, b_row, B_ROW, &fixed_header)?;
    sheet.set_freeze_panes(1, LEADING.len() as u16)?;
    sheet.set_name(REVIEW_SHEET)?;

    if !pairs.is_empty() {
        let last = pairs.len() as u32;
        let validation = DataValidation::new()
            .allow_list_strings(&["是", "否"])?
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("请选择 是 或 否")?
            .set_error_message(ALLOWED)?
            .set_input_title(DECISION)?
            .set_input_message("是 = 同一客户; 否 = 不同客户; 留空 = 未决定")?;
        sheet.add_data_validation(1, DECISION_COLUMN, last, DECISION_COLUMN, &validation)?;
        sheet.autofilter(0, 0, last, b_row)?;
    }

    for (i, pair) in pairs.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, r)?;
        sheet.write_number_with_format(r, 1, pair.probability, &percent)?;
        sheet.write_number_with_format(r, 2, pair.weight, &weight)?;
        sheet.write_blank(r, DECISION_COLUMN, &decision)?;
        for f in 0..fields.len() {
            let column = (LEADING.len() + 2 * f) as u16;
            let (a, b) = (records.value(pair.a, f), records.value(pair.b, f));
            for (c, value) in [(column, a), (column + 1, b)] {
                match (a == b, value.is_empty()) {
                    (true, true) => {}
                    (true, false) => {
                        sheet.write_string(r, c, value)?;
                    }
                    (false, true) => {
                        sheet.write_blank(r, c, &differ)?;
                    }
                    (false, false) => {
                        sheet.write_string_with_format(r, c, value, &differ)?;
                    }
                }
            }
        }
        sheet.write_string(r, a_row, records.describe(pair.a))?;
        sheet.write_string(r, b_row, records.describe(pair.b))?;
    }

    // Locked: everything but the decision and note columns, so `A行`/`B行` and the records stay
    // as written. No password: a person who must can unprotect it.
    sheet.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        use_autofilter: true,
        delete_rows: true,
        ..ProtectionOptions::new()
    });
    Ok(())
}

fn write_guide(sheet: &mut Worksheet, records: &Records) -> std::result::Result<(), XlsxError> {
    sheet.set_name(GUIDE_SHEET)?;
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    sheet.set_column_width(0, 100)?;
    let sources: Vec<&str> = records.sources.iter().map(|s| s.name.as_str()).collect();
    let lines = [
        "如何填写复核表".to_string(),
        format!(
            "“{REVIEW_SHEET}”工作表每行是一对可能重复的记录 A 和 B, crmkit 无法自动确定它们是否为同一客户。"
        ),
        format!("请在“{DECISION}”列 (黄色) 选择:"),
        "    是 = 同一客户 (两条记录将合并)".to_string(),
        "    否 = 不同客户 (不合并)".to_string(),
        "    留空 = 未决定 (下次运行仍会列入复核)".to_string(),
        "也接受 Y/N、yes/no (不分大小写)。其他内容会被拒绝, 并指出所在行和列。".to_string(),
        "“备注”列可写判断理由, 供人查看, crmkit 不读取。".to_string(),
        "A、B 两条记录逐字段并排 (A:字段, B:字段); 两者不同的单元格标为橙色。".to_string(),
        "匹配概率: 模型估计的两条记录为同一客户的概率。匹配权重: 各字段比对证据之和, 越大越像同一客户。".to_string(),
        format!(
            "隐藏列“{A_ROW}”“{B_ROW}”记录每条记录来自哪个文件的第几行 (如 customers.xlsx:15), 用于把结论对应回记录; 请勿修改。工作表已锁定 (无密码), 只有“{DECISION}”和“备注”两列可编辑; 可以筛选, 也可以删除不想复核的行。"
        ),
        format!(
            "填好后保存 (仍为 .xlsx), 运行 crmkit dedupe 时用 --decisions 文件名 交回。结论只对本批输入文件有效: {}。",
            sources.join("、")
        ),
        format!(
            "也可以交回 CSV 文件 (UTF-8), 表头为 {A_ROW},{B_ROW},{DECISION}, 例如: customers.xlsx:2,service.csv:8,是"
        ),
    ];
    for (r, line) in lines.iter().enumerate() {
        let format = if r == 0 { &title } else { &wrap };
        sheet.write_string_with_format(r as u32, 0, line, format)?;
    }
    Ok(())
}

/// A mark in the decision column: `Some(Some(same))`, `Some(None)` when empty, `None` when it
/// is not a mark crmkit accepts.
fn parse_mark(text: &str) -> Option<Option<bool>> {
    match text.trim().to_lowercase().as_str() {
        "" => Some(None),
        "是" | "y" | "yes" => Some(Some(true)),
        "否" | "n" | "no" => Some(Some(false)),
        _ => None,
    }
}

/// Reads a filled review (the sheet 待复核 of a workbook, or a CSV with the columns
/// `A行,B行,是否同一客户`) and returns the decided pairs and the number left undecided.
///
/// Rows with neither records nor a mark (notes typed below the table) are skipped. Errors name
/// the file, sheet, row and column: a mark other than 是/否 (Y/N, yes/no), a record that is not
/// `file:row` or is not one of `records` (the review belongs to another run), a pair marked both
/// 是 and 否.
pub fn read_decisions(path: &Path, records: &Records) -> Result<Decisions> {
    let mut book = Book::open(path, &ReadOptions::default())?;
    let grid = if book.is_workbook() {
        book.grid(Some(REVIEW_SHEET))?
    } else {
        book.grid(None)?
    };
    drop(book);
    let location = grid.source.location();
    let headers: Vec<&str> = grid
        .rows
        .first()
        .map(|row| row.cells.iter().map(str::trim).collect())
        .unwrap_or_default();
    let find = |name: &str| headers.iter().position(|h| *h == name);
    let (a_col, b_col, mark_col) = match (find(A_ROW), find(B_ROW), find(DECISION)) {
        (Some(a), Some(b), Some(mark)) => (a, b, mark),
        (a, b, mark) => {
            let missing: Vec<&str> = [(a, A_ROW), (b, B_ROW), (mark, DECISION)]
                .iter()
                .filter(|(found, _)| found.is_none())
                .map(|(_, name)| *name)
                .collect();
            return Err(Error::DecisionColumns {
                location,
                missing: missing.join("、"),
            });
        }
    };
    let cell_error = |row: u32, column: usize, value: &str, problem: String| Error::Decision {
        location: location.clone(),
        row,
        letter: column_letter(column),
        header: headers[column].to_string(),
        value: value.to_string(),
        problem,
    };

    // The sources by name (two inputs may share a file name).
    let mut by_name: HashMap<&str, Vec<u16>> = HashMap::new();
    for (i, source) in records.sources.iter().enumerate() {
        by_name
            .entry(source.name.as_str())
            .or_default()
            .push(i as u16);
    }
    let names: Vec<&str> = records.sources.iter().map(|s| s.name.as_str()).collect();

    // 1. Each row's records as the refs they may be, and its mark.
    struct Row<'g> {
        number: u32,
        texts: [&'g str; 2],
        refs: [Vec<RecordRef>; 2],
        mark: Option<bool>,
    }
    let mut rows = Vec::new();
    for row in grid.rows.iter().skip(1) {
        let cell = |c: usize| row.cells.get(c).unwrap_or("").trim();
        let (a, b, mark) = (cell(a_col), cell(b_col), cell(mark_col));
        if a.is_empty() && b.is_empty() && mark.is_empty() {
            continue;
        }
        let mark = parse_mark(mark).ok_or_else(|| {
            cell_error(
                row.number,
                mark_col,
                mark,
                format!("不是有效的复核结论; {ALLOWED}"),
            )
        })?;
        let mut refs: [Vec<RecordRef>; 2] = Default::default();
        for (k, (text, column)) in [(a, a_col), (b, b_col)].into_iter().enumerate() {
            let parsed = text
                .rsplit_once(':')
                .and_then(|(name, number)| Some((name.trim(), number.trim().parse::<u32>().ok()?)));
            let Some((name, number)) = parsed else {
                let problem = if text.is_empty() {
                    "为空; 每行须在 A行 和 B行 写明两条记录, 格式 `文件名:行号`, 例如 customers.xlsx:15".to_string()
                } else {
                    "不是 `文件名:行号` 格式, 例如 customers.xlsx:15".to_string()
                };
                return Err(cell_error(row.number, column, text, problem));
            };
            let Some(sources) = by_name.get(name) else {
                return Err(cell_error(
                    row.number,
                    column,
                    text,
                    format!(
                        "中的文件 `{name}` 不在本次输入中 (本次输入: {}); 这份复核结论可能属于另一批文件",
                        names.join(", ")
                    ),
                ));
            };
            refs[k] = sources
                .iter()
                .map(|&source| RecordRef {
                    source,
                    row: number,
                })
                .collect();
        }
        rows.push(Row {
            number: row.number,
            texts: [a, b],
            refs,
            mark,
        });
    }

    // 2. Which of those refs are records: one pass over the records.
    let mut found: HashMap<RecordRef, usize> = rows
        .iter()
        .flat_map(|row| row.refs.iter().flatten())
        .map(|r| (*r, 0))
        .collect();
    for r in &records.refs {
        if let Some(count) = found.get_mut(r) {
            *count += 1;
        }
    }

    // 3. Each row resolved to one record per side, and its decision.
    let mut decided = Vec::new();
    let mut undecided = 0;
    let mut seen: HashMap<(RecordRef, RecordRef), (u32, bool)> = HashMap::new();
    for row in rows {
        let mut pair = [RecordRef { source: 0, row: 0 }; 2];
        for (k, column) in [a_col, b_col].into_iter().enumerate() {
            let matches: Vec<RecordRef> = row.refs[k]
                .iter()
                .copied()
                .filter(|r| found[r] > 0)
                .collect();
            pair[k] = match matches[..] {
                [one] if found[&one] == 1 => one,
                [] => {
                    return Err(cell_error(
                        row.number,
                        column,
                        row.texts[k],
                        "在本次输入中找不到: 该文件没有这一行的记录; 这份复核结论可能属于另一批文件"
                            .to_string(),
                    ))
                }
                _ => {
                    return Err(cell_error(
                        row.number,
                        column,
                        row.texts[k],
                        "对应不止一条记录 (有同名的输入文件或工作表); 请让输入文件名各不相同后重新生成复核表"
                            .to_string(),
                    ))
                }
            };
        }
        if pair[0] == pair[1] {
            return Err(cell_error(
                row.number,
                b_col,
                row.texts[1],
                "与 A行 是同一条记录; 每行须是两条不同的记录".to_string(),
            ));
        }
        let Some(same) = row.mark else {
            undecided += 1;
            continue;
        };
        let key = (pair[0].min(pair[1]), pair[0].max(pair[1]));
        match seen.get(&key) {
            Some(&(_, earlier)) if earlier == same => continue,
            Some(&(first, _)) => {
                return Err(cell_error(
                    row.number,
                    mark_col,
                    if same { "是" } else { "否" },
                    format!("与第 {first} 行对同一对记录的结论相反; 请只保留一个结论"),
                ))
            }
            None => {
                seen.insert(key, (row.number, same));
            }
        }
        decided.push(Decision {
            a: pair[0],
            b: pair[1],
            same,
        });
    }
    Ok(Decisions { decided, undecided })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use calamine::{Data, Reader};

    use super::*;
    use crate::dedupe::golden::tests::records_of;

    fn sample() -> Records {
        records_of(
            "customer",
            &[
                ("customers.xlsx", false),
                ("service.csv", false),
                ("golden.csv", true),
            ],
            &[
                (
                    0,
                    2,
                    &[
                        ("customer_name", "杭州甲科技有限公司"),
                        ("mobile", "13800138000"),
                        ("city", "杭州"),
                    ],
                    &[],
                ),
                (
                    1,
                    8,
                    &[
                        ("customer_name", "甲科技"),
                        ("mobile", "13800138000"),
                        ("city", "杭州"),
                    ],
                    &[],
                ),
                (
                    0,
                    15,
                    &[("customer_name", "杭州甲科技"), ("city", "宁波")],
                    &[],
                ),
                (
                    2,
                    5,
                    &[("customer_name", "甲科技"), ("mobile", "13900139000")],
                    &[],
                ),
            ],
        )
    }

    fn pairs() -> Vec<ReviewPair> {
        [(0, 1, 0.93, 6.25), (0, 2, 0.55, 1.1), (1, 3, 0.41, -0.3)]
            .iter()
            .map(|&(a, b, probability, weight)| ReviewPair {
                a,
                b,
                probability,
                weight,
            })
            .collect()
    }

    fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
        let range = book.worksheet_range(name).unwrap();
        range.rows().map(|row| row.to_vec()).collect()
    }

    fn text(cell: &Data) -> String {
        match cell {
            Data::Empty => String::new(),
            other => other.to_string(),
        }
    }

    /// A copy of the review as a person saves it: the same cells, with `marks` typed into the
    /// decision column (one per pair; "" leaves it empty).
    fn fill(review: &Path, out: &Path, marks: &[&str]) {
        let rows = sheet(review, REVIEW_SHEET);
        let decision = rows[0].iter().position(|c| text(c) == DECISION).unwrap();
        let mut workbook = Workbook::new();
        let copy = workbook.add_worksheet().set_name(REVIEW_SHEET).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c16) = (r as u32, c as u16);
                match cell {
                    Data::Float(f) => copy.write_number(r, c16, *f).unwrap(),
                    Data::Empty => copy,
                    other => copy.write_string(r, c16, other.to_string()).unwrap(),
                };
            }
            if r > 0 && !marks[r - 1].is_empty() {
                copy.write_string(r as u32, decision as u16, marks[r - 1])
                    .unwrap();
            }
        }
        workbook.save(out).unwrap();
    }

    fn refs(records: &Records, i: usize) -> RecordRef {
        records.refs[i]
    }

    #[test]
    fn review_is_xlsx_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.csv");
        let err = write(&path, &sample(), &pairs()).unwrap_err().to_string();
        assert!(
            err.contains("review.csv") && err.contains("只能写成 .xlsx"),
            "{err}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn review_sheet_has_each_pair_on_one_row_side_by_side() {
        let records = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.xlsx");
        write(&path, &records, &pairs()).unwrap();
        let book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        assert_eq!(book.sheet_names(), [REVIEW_SHEET, GUIDE_SHEET]);
        let rows = sheet(&path, REVIEW_SHEET);
        assert_eq!(rows.len(), 4);
        let header: Vec<String> = rows[0].iter().map(text).collect();
        let fields = records.template.fields.len();
        assert_eq!(header.len(), 5 + 2 * fields + 2);
        assert_eq!(
            header[..7],
            [
                "编号",
                "匹配概率",
                "匹配权重",
                DECISION,
                "备注",
                "A:客户编号",
                "B:客户编号"
            ]
        );
        assert_eq!(header[header.len() - 2..], [A_ROW, B_ROW]);
        let col = |h: &str| header.iter().position(|c| c == h).unwrap();
        let first = &rows[1];
        assert_eq!(first[0], Data::Float(1.0));
        assert_eq!(first[col("匹配概率")], Data::Float(0.93));
        assert_eq!(first[col("匹配权重")], Data::Float(6.25));
        assert_eq!(first[col(DECISION)], Data::Empty);
        assert_eq!(text(&first[col("A:客户名称")]), "杭州甲科技有限公司");
        assert_eq!(text(&first[col("B:客户名称")]), "甲科技");
        assert_eq!(text(&first[col("B:联系电话")]), "13800138000");
        assert_eq!(text(&first[col(A_ROW)]), "customers.xlsx:2");
        assert_eq!(text(&first[col(B_ROW)]), "service.csv:8");
        assert_eq!(text(&rows[3][col(B_ROW)]), "golden.csv:5");
        let guide: String = sheet(&path, GUIDE_SHEET)
            .iter()
            .map(|row| text(&row[0]) + "\n")
            .collect();
        for needle in [
            "是 = 同一客户",
            "否 = 不同客户",
            "留空 = 未决定",
            "--decisions",
            "customers.xlsx、service.csv、golden.csv",
        ] {
            assert!(guide.contains(needle), "{needle} in {guide}");
        }

        // No pairs: a header and the guide.
        write(&path, &records, &[]).unwrap();
        assert_eq!(sheet(&path, REVIEW_SHEET).len(), 1);
    }

    /// The XML of the review sheet.
    fn sheet_xml(path: &Path) -> String {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    /// The attributes of cell `reference` (`H2`) in the sheet XML.
    fn cell_tag<'x>(xml: &'x str, reference: &str) -> &'x str {
        let start = xml
            .find(&format!("<c r=\"{reference}\""))
            .unwrap_or_else(|| panic!("no cell {reference}"));
        let end = start + xml[start..].find('>').unwrap();
        &xml[start..end]
    }

    #[test]
    fn review_sheet_highlights_differences_and_locks_all_but_the_decision() {
        let records = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.xlsx");
        write(&path, &records, &pairs()).unwrap();
        let xml = sheet_xml(&path);
        let field = |key: &str| {
            records
                .template
                .fields
                .iter()
                .position(|f| f.key == key)
                .unwrap()
        };
        let a = |key: &str, row: u32| format!("{}{row}", column_letter(5 + 2 * field(key)));
        let b = |key: &str, row: u32| format!("{}{row}", column_letter(6 + 2 * field(key)));
        // Pair 1: names differ, city and mobile are equal.
        assert!(cell_tag(&xml, &a("customer_name", 2)).contains(" s=\""));
        assert!(cell_tag(&xml, &b("customer_name", 2)).contains(" s=\""));
        assert!(!cell_tag(&xml, &a("city", 2)).contains(" s=\""));
        assert!(!cell_tag(&xml, &b("mobile", 2)).contains(" s=\""));
        // Pair 2: B has no mobile; the empty side is highlighted too.
        assert!(cell_tag(&xml, &b("mobile", 3)).contains(" s=\""));
        assert!(cell_tag(&xml, &a("city", 3)).contains(" s=\""));
        // The decision column: a dropdown of 是/否 over the pairs, cells unlocked and filled.
        assert!(xml.contains("<dataValidation type=\"list\""), "{xml}");
        assert!(xml.contains("sqref=\"D2:D4\""), "{xml}");
        assert!(xml.contains("<formula1>\"是,否\"</formula1>"), "{xml}");
        assert!(cell_tag(&xml, "D2").contains(" s=\""));
        assert!(xml.contains("<sheetProtection"), "{xml}");
        assert!(xml.contains("<pane xSplit=\"5\" ySplit=\"1\""), "{xml}");
        // A行 and B行 hidden.
        let hidden = 5 + 2 * records.template.fields.len() + 1;
        assert!(
            xml.contains(&format!(
                "<col min=\"{hidden}\" max=\"{}\" width=\"24.7109375\" hidden=\"1\"",
                hidden + 1
            )) || xml.contains(&format!(
                "<col min=\"{hidden}\" max=\"{hidden}\" width=\"24.7109375\" hidden=\"1\""
            )),
            "{xml}"
        );
    }

    #[test]
    fn decisions_come_back_from_a_filled_workbook() {
        let records = sample();
        let dir = tempfile::tempdir().unwrap();
        let review = dir.path().join("review.xlsx");
        write(&review, &records, &pairs()).unwrap();
        let filled = dir.path().join("filled.xlsx");
        fill(&review, &filled, &["是", " No ", ""]);
        let decisions = read_decisions(&filled, &records).unwrap();
        assert_eq!(
            decisions.decided,
            [
                Decision {
                    a: refs(&records, 0),
                    b: refs(&records, 1),
                    same: true
                },
                Decision {
                    a: refs(&records, 0),
                    b: refs(&records, 2),
                    same: false
                },
            ]
        );
        assert_eq!(decisions.undecided, 1);

        // The review as written: every pair undecided.
        let decisions = read_decisions(&review, &records).unwrap();
        assert!(decisions.decided.is_empty());
        assert_eq!(decisions.undecided, 3);
    }

    fn csv(dir: &Path, text: &str) -> std::path::PathBuf {
        let path = dir.join("decisions.csv");
        std::fs::write(&path, format!("\u{FEFF}{text}")).unwrap();
        path
    }

    #[test]
    fn decisions_come_back_from_csv() {
        let records = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = csv(
            dir.path(),
            "A行,B行,是否同一客户\n\
             service.csv:8,customers.xlsx:2,y\n\
             customers.xlsx:15,golden.csv:5,否\n\
             customers.xlsx:2,service.csv:8,YES\n\
             service.csv:8,golden.csv:5,\n\
             ,,\n",
        );
        let decisions = read_decisions(&path, &records).unwrap();
        assert_eq!(
            decisions.decided,
            [
                Decision {
                    a: refs(&records, 1),
                    b: refs(&records, 0),
                    same: true
                },
                Decision {
                    a: refs(&records, 2),
                    b: refs(&records, 3),
                    same: false
                },
            ],
            "as written; a pair given twice with one mark counts once"
        );
        assert_eq!(decisions.undecided, 1);
    }

    fn error(records: &Records, text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = csv(dir.path(), text);
        read_decisions(&path, records).unwrap_err().to_string()
    }

    #[test]
    fn a_bad_mark_names_the_row_column_and_allowed_marks() {
        let records = sample();
        let dir = tempfile::tempdir().unwrap();
        let review = dir.path().join("review.xlsx");
        write(&review, &records, &pairs()).unwrap();
        let filled = dir.path().join("filled.xlsx");
        fill(&review, &filled, &["是", "也许", ""]);
        let err = read_decisions(&filled, &records).unwrap_err().to_string();
        for needle in [
            "filled.xlsx [待复核]",
            "第 3 行 D 列 (是否同一客户)",
            "\"也许\"",
            "是 (同一客户)",
            "否 (不同客户)",
            "留空 = 未决定",
        ] {
            assert!(err.contains(needle), "{needle} in {err}");
        }
        let err = error(
            &records,
            "A行,B行,是否同一客户\ncustomers.xlsx:2,service.csv:8,true\n",
        );
        assert!(
            err.contains("第 2 行 C 列 (是否同一客户): \"true\""),
            "{err}"
        );
    }

    #[test]
    fn records_not_in_this_run_are_errors_naming_the_row() {
        let records = sample();
        let err = error(&records, "A行,B行,是否同一客户\ncustomers.xlsx:2,service.csv:8,是\nother.xlsx:2,service.csv:8,是\n");
        for needle in [
            "第 3 行 A 列 (A行)",
            "\"other.xlsx:2\"",
            "customers.xlsx, service.csv, golden.csv",
            "另一批文件",
        ] {
            assert!(err.contains(needle), "{needle} in {err}");
        }
        let err = error(
            &records,
            "A行,B行,是否同一客户\ncustomers.xlsx:2,service.csv:99,\n",
        );
        assert!(
            err.contains("第 2 行 B 列 (B行): \"service.csv:99\" 在本次输入中找不到"),
            "{err}"
        );
        let err = error(
            &records,
            "A行,B行,是否同一客户\ncustomers.xlsx,service.csv:8,否\n",
        );
        assert!(
            err.contains("第 2 行 A 列") && err.contains("文件名:行号"),
            "{err}"
        );
        let err = error(&records, "A行,B行,是否同一客户\n,service.csv:8,否\n");
        assert!(
            err.contains("第 2 行 A 列") && err.contains("为空"),
            "{err}"
        );
        let err = error(
            &records,
            "A行,B行,是否同一客户\nservice.csv:8,service.csv:8,否\n",
        );
        assert!(err.contains("同一条记录"), "{err}");
    }

    #[test]
    fn contradicting_marks_and_missing_columns_are_errors() {
        let records = sample();
        let err = error(
            &records,
            "A行,B行,是否同一客户\ncustomers.xlsx:2,service.csv:8,是\nservice.csv:8,customers.xlsx:2,否\n",
        );
        assert!(
            err.contains("第 3 行 C 列") && err.contains("与第 2 行") && err.contains("相反"),
            "{err}"
        );
        let err = error(
            &records,
            "A行,记录B,结论\ncustomers.xlsx:2,service.csv:8,是\n",
        );
        assert!(err.contains("缺少列 B行、是否同一客户"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.xlsx");
        let mut workbook = Workbook::new();
        workbook.add_worksheet().write_string(0, 0, A_ROW).unwrap();
        workbook.save(&other).unwrap();
        let err = read_decisions(&other, &records).unwrap_err().to_string();
        assert!(err.contains("待复核"), "{err}");
    }
}
