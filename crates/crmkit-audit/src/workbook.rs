//! The audit workbook: written for a person to mark, read back to compare or score.
//!
//! Sheet `抽样`, one row per sampled record, header frozen:
//!
//! | column | content |
//! |--------|---------|
//! | 序号 | 1, 2, ... |
//! | 记录ID | the source row (file sample) or the table's `_id` (database sample) |
//! | 来源文件, 工作表, 来源行 | where the record came from |
//! | 分层 | its stratum (stratified plans only) |
//! | `<表头>(已载入)`, `<表头>(源文件)`, `<表头>(判定)` | per checked field: the value as loaded, the value in the source (both orange when they differ), and a 正确/错误 dropdown |
//! | 记录判定 | 正确/错误 for the whole record (may stay blank when every field is marked) |
//! | 备注 | the auditor's note |
//! | 说明 | crmkit's note: normaliser problems, a source file it could not read |
//!
//! Sheet `抽样方案`: the plan as `项目`/`值` pairs in columns A–B (source, template, population,
//! method, size, seed, threshold, Ac/Re, the GB/T 2828.1 numbers, the checked fields, the
//! operating characteristic), the strata in D–F (`分层`, `记录数`, `抽取数`) and every sampled
//! `记录ID` in H. Scoring checks the rows of `抽样` against it.
//!
//! The workbook holds the real values, unmasked: it is for the auditor, and should be handled
//! as the customer data it is.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use crmkit_core::read::{column_letter, Book, ReadOptions};
use crmkit_core::write::atomic_write;

use crate::aql::{self, Level};
use crate::error::{Error, Result};
use crate::plan::{Method, Plan, Strata, Stratum};
use crate::sample::{AuditField, Mark, Origin, OriginKind, Record, Sample};

/// The sheet with one row per record.
pub const AUDIT_SHEET: &str = "抽样";
/// The sheet with the plan.
pub const PLAN_SHEET: &str = "抽样方案";
/// The format marker in the plan sheet.
pub const FORMAT: &str = "crmkit 抽样核查 v1";

const LOADED: &str = "(已载入)";
const SOURCE: &str = "(源文件)";
const MARK: &str = "(判定)";
const ID: &str = "记录ID";
const VERDICT: &str = "记录判定";
const REMARK: &str = "备注";
const NOTE: &str = "说明";
const STRATUM: &str = "分层";
const LEADING: [&str; 5] = ["序号", ID, "来源文件", "工作表", "来源行"];
const IDS: &str = "样本记录ID";
const MAX_LISTED: usize = 20;

/// Keys of the plan sheet.
mod key {
    pub const FORMAT: &str = "格式";
    pub const KIND: &str = "来源类型";
    pub const LOCATION: &str = "来源";
    pub const TABLE: &str = "表";
    pub const TEMPLATE: &str = "模板";
    pub const POPULATION: &str = "总体记录数";
    pub const METHOD: &str = "抽样方法";
    pub const SIZE: &str = "样本量";
    pub const SEED: &str = "随机种子";
    pub const THRESHOLD: &str = "准确率阈值";
    pub const AC: &str = "接收数 Ac";
    pub const RE: &str = "拒收数 Re";
    pub const WHOLE: &str = "全数检验";
    pub const AQL: &str = "AQL";
    pub const LEVEL: &str = "检验水平";
    pub const LETTER: &str = "样本量字码";
    pub const PLAN_LETTER: &str = "方案字码";
    pub const STRATA: &str = "分层依据";
    pub const FIELDS: &str = "核对字段";
}

fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| {
        Error::Core(Box::new(crmkit_core::Error::XlsxWrite {
            path: path.to_path_buf(),
            message: e.to_string(),
        }))
    }
}

/// Writes the audit workbook to `path` (.xlsx), through a temporary file renamed into place.
/// Marks already in the sample (from `compare` or a read workbook) are written as they are.
// The closure given to `atomic_write` returns crmkit-core's error type, as everywhere else.
#[allow(clippy::result_large_err)]
pub fn write_workbook(sample: &Sample, path: &Path) -> Result<()> {
    let extension = crmkit_core::read::extension(path);
    if extension != "xlsx" {
        return Err(Error::Input(format!(
            "{}: 抽查表只能写成 .xlsx (需要下拉列表和冻结表头), 不支持 `{extension}`; 例如 -o audit.xlsx",
            path.display()
        )));
    }
    let fail = xlsx_error(path);
    let mut workbook = Workbook::new();
    write_records(workbook.add_worksheet(), sample).map_err(&fail)?;
    write_plan(workbook.add_worksheet(), sample).map_err(&fail)?;
    atomic_write(path, |out| {
        workbook
            .save_to_writer(out)
            .map_err(|e| crmkit_core::Error::XlsxWrite {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
    })?;
    Ok(())
}

fn width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum()
}

fn write_records(sheet: &mut Worksheet, sample: &Sample) -> std::result::Result<(), XlsxError> {
    sheet.set_name(AUDIT_SHEET)?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9D9D9));
    let mark_header = header.clone().set_background_color(Color::RGB(0xFFD966));
    let mark = Format::new()
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let text = Format::new().set_num_format_index(49);
    let differ = Format::new()
        .set_num_format_index(49)
        .set_background_color(Color::RGB(0xF8CBAD));

    let stratified = sample.plan.strata.is_some();
    let mut headers: Vec<String> = LEADING.iter().map(|s| s.to_string()).collect();
    if stratified {
        headers.push(STRATUM.into());
    }
    let first_field = headers.len();
    for field in &sample.fields {
        headers.push(format!("{}{LOADED}", field.header));
        headers.push(format!("{}{SOURCE}", field.header));
        headers.push(format!("{}{MARK}", field.header));
    }
    let verdict_col = headers.len() as u16;
    headers.extend([VERDICT.to_string(), REMARK.into(), NOTE.into()]);

    for (c, h) in headers.iter().enumerate() {
        let c = c as u16;
        let is_mark = h.ends_with(MARK) || h == VERDICT;
        sheet.write_string_with_format(0, c, h, if is_mark { &mark_header } else { &header })?;
        let widest = sample
            .records
            .iter()
            .take(200)
            .map(|r| width(&cell_text(sample, r, c as usize, first_field)))
            .fold(width(h).min(24.0), f64::max);
        sheet.set_column_width(c, (widest + 2.0).clamp(6.0, 40.0))?;
        if !is_mark && (c as usize) >= first_field {
            sheet.set_column_format(c, &text)?;
        }
    }
    sheet.set_row_height(0, 32)?;
    sheet.set_freeze_panes(1, 2)?;

    let n = sample.records.len() as u32;
    if n > 0 {
        let validation = DataValidation::new()
            .allow_list_strings(&[Mark::Right.label(), Mark::Wrong.label()])?
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("请选择 正确 或 错误")?
            .set_error_message("只能填 正确 或 错误; 不确定时留空, 在备注中说明")?
            .set_input_title("核对结果")?
            .set_input_message("正确 = 已载入的值与源文件一致且无误; 错误 = 不一致或有误")?;
        for f in 0..sample.fields.len() {
            let c = (first_field + 3 * f + 2) as u16;
            sheet.add_data_validation(1, c, n, c, &validation)?;
        }
        sheet.add_data_validation(1, verdict_col, n, verdict_col, &validation)?;
        sheet.autofilter(0, 0, n, headers.len() as u16 - 1)?;
    }

    for (i, record) in sample.records.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, r)?;
        sheet.write_string(r, 1, &record.id)?;
        sheet.write_string(r, 2, &record.file)?;
        if let Some(s) = &record.sheet {
            sheet.write_string(r, 3, s)?;
        }
        if let Some(row) = record.row {
            sheet.write_number(r, 4, row)?;
        }
        if stratified {
            sheet.write_string(r, 5, record.stratum.as_deref().unwrap_or(""))?;
        }
        for f in 0..sample.fields.len() {
            let c = (first_field + 3 * f) as u16;
            let (loaded, source) = (&record.loaded[f], &record.source[f]);
            let format = if loaded != source { &differ } else { &text };
            sheet.write_string_with_format(r, c, loaded, format)?;
            sheet.write_string_with_format(r, c + 1, source, format)?;
            match record.marks[f] {
                Some(m) => sheet.write_string_with_format(r, c + 2, m.label(), &mark)?,
                None => sheet.write_blank(r, c + 2, &mark)?,
            };
        }
        match record.verdict {
            Some(m) => sheet.write_string_with_format(r, verdict_col, m.label(), &mark)?,
            None => sheet.write_blank(r, verdict_col, &mark)?,
        };
        if !record.remark.is_empty() {
            sheet.write_string(r, verdict_col + 1, &record.remark)?;
        }
        if !record.note.is_empty() {
            sheet.write_string(r, verdict_col + 2, &record.note)?;
        }
    }
    Ok(())
}

/// The text of a record's cell in column `c` (for column widths).
fn cell_text(sample: &Sample, record: &Record, c: usize, first_field: usize) -> String {
    if c < first_field {
        return match c {
            1 => record.id.clone(),
            2 => record.file.clone(),
            3 => record.sheet.clone().unwrap_or_default(),
            5 => record.stratum.clone().unwrap_or_default(),
            _ => String::new(),
        };
    }
    let f = (c - first_field) / 3;
    match (f < sample.fields.len(), (c - first_field) % 3) {
        (true, 0) => record.loaded[f].clone(),
        (true, 1) => record.source[f].clone(),
        _ => "正确".into(),
    }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn write_plan(sheet: &mut Worksheet, sample: &Sample) -> std::result::Result<(), XlsxError> {
    sheet.set_name(PLAN_SHEET)?;
    let bold = Format::new().set_bold();
    let plan = &sample.plan;
    let mut items: Vec<(&str, String)> = vec![
        (key::FORMAT, FORMAT.into()),
        (
            key::KIND,
            match sample.origin.kind {
                OriginKind::File => "文件".into(),
                OriginKind::Db => "数据库".into(),
            },
        ),
        (key::LOCATION, sample.origin.location.clone()),
    ];
    if let Some(table) = &sample.origin.table {
        items.push((key::TABLE, table.clone()));
    }
    items.extend([
        (key::TEMPLATE, sample.origin.template.clone()),
        (key::POPULATION, plan.population.to_string()),
        (key::METHOD, plan.method.label().into()),
        (key::SIZE, plan.size.to_string()),
        (key::SEED, plan.seed.to_string()),
        (
            key::THRESHOLD,
            plan.threshold.map(|t| t.to_string()).unwrap_or_default(),
        ),
        (key::AC, plan.ac.to_string()),
        (key::RE, plan.re.to_string()),
        (key::WHOLE, if plan.whole_lot { "是" } else { "否" }.into()),
    ]);
    if let Some(a) = &plan.aql {
        items.extend([
            (key::AQL, aql::format_aql(a.aql)),
            (key::LEVEL, a.level.as_str().into()),
            (key::LETTER, a.letter.to_string()),
            (key::PLAN_LETTER, a.plan_letter.to_string()),
            ("表中样本量", a.table_size.to_string()),
        ]);
    }
    if let Some(strata) = &plan.strata {
        items.push((key::STRATA, strata.by.clone()));
    }
    let keys: Vec<&str> = sample.fields.iter().map(|f| f.key.as_str()).collect();
    items.push((key::FIELDS, keys.join(",")));
    items.push((
        "判定规则",
        format!(
            "一条记录只要有一个字段错误即为错误记录; 错误记录 ≤ {} 条为通过, ≥ {} 条为不通过",
            plan.ac, plan.re
        ),
    ));
    for point in plan.oc() {
        let exact = point
            .pass_exact
            .map(|p| format!(" (按本批 {} 条不放回计算: {})", plan.population, percent(p)))
            .unwrap_or_default();
        items.push((
            "通过概率",
            format!(
                "批中真实错误率 {} 时: {}{exact}",
                percent(point.error_rate),
                percent(point.pass)
            ),
        ));
    }
    let (low, high) = plan.interval_at_limit();
    items.push((
        "通过能证明什么",
        format!(
            "恰好 {} 条错误 (刚好通过) 时, 准确率的 95% 置信区间 (Wilson) 为 [{}, {}]",
            plan.ac,
            percent(low),
            percent(high)
        ),
    ));
    items.push((
        "抽样算法",
        "SplitMix64 随机数 + Floyd 算法 (每个子集等概率); 分层时按比例、最大余数法分配, 每层至少 1 条; 同一种子、数据和方案必得同一样本".into(),
    ));
    items.push((
        "注意",
        "本工作簿含未脱敏的客户数据, 仅供核查人员使用".into(),
    ));

    sheet.write_string_with_format(0, 0, "项目", &bold)?;
    sheet.write_string_with_format(0, 1, "值", &bold)?;
    for (r, (k, v)) in items.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *k)?;
        sheet.write_string(r, 1, v)?;
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 60)?;

    if let Some(strata) = &plan.strata {
        for (c, h) in ["分层", "记录数", "抽取数"].iter().enumerate() {
            sheet.write_string_with_format(0, 3 + c as u16, *h, &bold)?;
        }
        for (r, g) in strata.groups.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write_string(r, 3, &g.name)?;
            sheet.write_string(r, 4, g.population.to_string())?;
            sheet.write_string(r, 5, g.size.to_string())?;
        }
        sheet.set_column_width(3, 20)?;
    }
    sheet.write_string_with_format(0, 7, IDS, &bold)?;
    for (r, record) in sample.records.iter().enumerate() {
        sheet.write_string(r as u32 + 1, 7, &record.id)?;
    }
    sheet.set_column_width(7, 14)?;
    Ok(())
}

/// A sheet's rows: (row number, cells).
type Rows = Vec<(u32, Vec<String>)>;

fn sheet_rows(book: &mut Book, name: &str) -> Result<Rows> {
    let grid = book.grid(Some(name))?;
    Ok(grid
        .rows
        .into_iter()
        .map(|r| {
            (
                r.number,
                r.cells.iter().map(|c| c.trim().to_string()).collect(),
            )
        })
        .collect())
}

/// Row numbers for a message: `5, 9, 12` (the first 20, then `等 N 行`).
pub fn row_list(rows: &[u32]) -> String {
    let mut text: Vec<String> = rows.iter().take(MAX_LISTED).map(u32::to_string).collect();
    if rows.len() > MAX_LISTED {
        text.push(format!("… 共 {} 行", rows.len()));
    }
    text.join(", ")
}

/// Reads an audit workbook back: the plan, the fields, every record with its marks.
///
/// Refused, naming the sheet and rows: a workbook crmkit did not write (no plan sheet), a mark
/// other than 正确/错误, rows whose 记录ID is not in the plan, is missing from the sheet or
/// repeats, and a plan whose numbers do not agree with themselves or with GB/T 2828.1.
/// Unmarked rows are not refused here (see [`crate::score`]).
pub fn read_workbook(path: &Path) -> Result<Sample> {
    let bad = |sheet: &str, message: String| Error::Workbook {
        path: path.to_path_buf(),
        sheet: sheet.to_string(),
        message,
    };
    let mut book = Book::open(path, &ReadOptions::default())?;
    let names: Vec<String> = book.sheets().iter().map(|s| s.name.clone()).collect();
    for needed in [AUDIT_SHEET, PLAN_SHEET] {
        if !names.iter().any(|n| n == needed) {
            return Err(bad(
                needed,
                format!(
                    "缺少工作表 \"{needed}\" (现有: {}); 请交回 crmkit audit sample 写出的抽查表 (.xlsx), 不要改工作表名",
                    names.join(", ")
                ),
            ));
        }
    }
    let plan_rows = sheet_rows(&mut book, PLAN_SHEET)?;
    let audit_rows = sheet_rows(&mut book, AUDIT_SHEET)?;
    drop(book);

    // The plan.
    let mut items: HashMap<&str, (u32, &str)> = HashMap::new();
    let mut groups = Vec::new();
    let mut ids = Vec::new();
    for (number, cells) in plan_rows.iter().skip(1) {
        let cell = |c: usize| cells.get(c).map(String::as_str).unwrap_or("");
        if !cell(0).is_empty() {
            items.entry(cell(0)).or_insert((*number, cell(1)));
        }
        if !cell(3).is_empty() {
            groups.push((*number, cell(3), cell(4), cell(5)));
        }
        if !cell(7).is_empty() {
            ids.push(cell(7).to_string());
        }
    }
    if items.get(key::FORMAT).map(|(_, v)| *v) != Some(FORMAT) {
        return Err(bad(
            PLAN_SHEET,
            format!("第 1 列没有 \"{}: {FORMAT}\"; 这不是 crmkit audit sample 写出的抽查表, 或方案表被改动过", key::FORMAT),
        ));
    }
    let get = |k: &str| items.get(k).map(|(_, v)| *v).unwrap_or("");
    let number = |k: &'static str| -> Result<usize> {
        let (row, text) = items.get(k).copied().unwrap_or((0, ""));
        text.parse().map_err(|_| {
            bad(
                PLAN_SHEET,
                format!("第 {row} 行 \"{k}\" 应为整数, 实际为 \"{text}\"; 方案表不应手工修改, 请用原始抽查表"),
            )
        })
    };
    let population = number(key::POPULATION)?;
    let size = number(key::SIZE)?;
    let ac = number(key::AC)?;
    let re = number(key::RE)?;
    let seed: u64 = get(key::SEED).parse().map_err(|_| {
        bad(
            PLAN_SHEET,
            format!("\"{}\" 应为整数, 实际为 \"{}\"", key::SEED, get(key::SEED)),
        )
    })?;
    let method = Method::from_label(get(key::METHOD)).ok_or_else(|| {
        bad(
            PLAN_SHEET,
            format!("不认识的抽样方法 \"{}\"", get(key::METHOD)),
        )
    })?;
    let threshold = match get(key::THRESHOLD) {
        "" => None,
        t => Some(
            t.parse::<f64>()
                .ok()
                .filter(|t| *t > 0.0 && *t <= 1.0)
                .ok_or_else(|| {
                    bad(
                        PLAN_SHEET,
                        format!("准确率阈值应为 0 到 1 之间的数, 实际为 \"{t}\""),
                    )
                })?,
        ),
    };
    let aql_plan = match method {
        Method::Aql => {
            let level = Level::parse(get(key::LEVEL));
            let value: Option<f64> = get(key::AQL).parse().ok();
            let found = level
                .zip(value)
                .and_then(|(level, value)| aql::plan(population, level, value));
            let Some(found) = found else {
                return Err(bad(
                    PLAN_SHEET,
                    format!(
                        "AQL \"{}\" 或检验水平 \"{}\" 无法在 GB/T 2828.1 中找到",
                        get(key::AQL),
                        get(key::LEVEL)
                    ),
                ));
            };
            if found.ac != ac || found.re != re {
                return Err(bad(
                    PLAN_SHEET,
                    format!(
                        "接收数/拒收数 {ac}/{re} 与 GB/T 2828.1 对批量 {population}、AQL {}、检验水平 {} 给出的 {}/{} 不符; 方案表不应手工修改",
                        aql::format_aql(found.aql),
                        found.level,
                        found.ac,
                        found.re
                    ),
                ));
            }
            Some(found)
        }
        _ => None,
    };
    if re != ac + 1 {
        return Err(bad(
            PLAN_SHEET,
            format!("拒收数 {re} 应为接收数 {ac} + 1; 方案表不应手工修改"),
        ));
    }
    let strata = match get(key::STRATA) {
        "" => None,
        by => {
            let mut out = Vec::new();
            for (row, name, pop, drawn) in groups.iter().skip(1) {
                match (pop.parse(), drawn.parse()) {
                    (Ok(population), Ok(size)) => out.push(Stratum {
                        name: name.to_string(),
                        population,
                        size,
                    }),
                    _ => {
                        return Err(bad(
                            PLAN_SHEET,
                            format!("第 {row} 行分层 \"{name}\" 的记录数/抽取数应为整数"),
                        ))
                    }
                }
            }
            Some(Strata {
                by: by.to_string(),
                groups: out,
            })
        }
    };
    let plan = Plan {
        method,
        population,
        size,
        seed,
        threshold,
        ac,
        re,
        aql: aql_plan,
        strata,
        whole_lot: get(key::WHOLE) == "是",
    };
    let origin = Origin {
        kind: if get(key::KIND) == "数据库" {
            OriginKind::Db
        } else {
            OriginKind::File
        },
        location: get(key::LOCATION).to_string(),
        table: Some(get(key::TABLE).to_string()).filter(|t| !t.is_empty()),
        template: get(key::TEMPLATE).to_string(),
    };
    let keys: Vec<&str> = get(key::FIELDS)
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect();

    // The records.
    let Some((_, header)) = audit_rows.first() else {
        return Err(bad(AUDIT_SHEET, "工作表是空的, 没有表头".into()));
    };
    let find = |name: &str| header.iter().position(|h| h == name);
    let (Some(id_col), Some(verdict_col)) = (find(ID), find(VERDICT)) else {
        return Err(bad(
            AUDIT_SHEET,
            format!("第 1 行缺少列 \"{ID}\" 或 \"{VERDICT}\"; 请不要删除或改名表头"),
        ));
    };
    let mark_cols: Vec<usize> = (0..header.len())
        .filter(|&c| header[c].ends_with(MARK))
        .collect();
    if mark_cols.len() != keys.len() {
        return Err(bad(
            AUDIT_SHEET,
            format!(
                "表头有 {} 个字段判定列, 但方案表记录了 {} 个核对字段; 请不要删除或增加列",
                mark_cols.len(),
                keys.len()
            ),
        ));
    }
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (k, &c) in keys.iter().zip(&mark_cols) {
        let name = header[c].trim_end_matches(MARK).to_string();
        let loaded = find(&format!("{name}{LOADED}"));
        let source = find(&format!("{name}{SOURCE}"));
        let (Some(loaded), Some(source)) = (loaded, source) else {
            return Err(bad(
                AUDIT_SHEET,
                format!("缺少列 \"{name}{LOADED}\" 或 \"{name}{SOURCE}\"; 请不要删除或改名表头"),
            ));
        };
        fields.push(AuditField {
            key: k.to_string(),
            header: name,
        });
        columns.push((loaded, source, c));
    }
    let col = |name: &str| find(name);
    let (file_col, sheet_col, row_col, stratum_col, remark_col, note_col) = (
        col("来源文件"),
        col("工作表"),
        col("来源行"),
        col(STRATUM),
        col(REMARK),
        col(NOTE),
    );

    let mut records = Vec::new();
    let mut invalid = Vec::new();
    let mut no_id = Vec::new();
    for (number, cells) in audit_rows.iter().skip(1) {
        let cell = |c: Option<usize>| {
            c.and_then(|c| cells.get(c))
                .map(String::as_str)
                .unwrap_or("")
        };
        let id = cell(Some(id_col));
        if id.is_empty() {
            no_id.push(*number);
            continue;
        }
        let mut parse = |c: usize| match Mark::parse(cell(Some(c))) {
            Some(m) => m,
            None => {
                invalid.push(format!(
                    "第 {number} 行 {} 列 ({}): \"{}\"",
                    column_letter(c),
                    header[c],
                    crmkit_core::mask::mask(cell(Some(c)))
                ));
                None
            }
        };
        let marks: Vec<Option<Mark>> = columns.iter().map(|&(_, _, m)| parse(m)).collect();
        let verdict = parse(verdict_col);
        records.push(Record {
            id: id.to_string(),
            file: cell(file_col).to_string(),
            sheet: Some(cell(sheet_col).to_string()).filter(|s| !s.is_empty()),
            row: cell(row_col).parse().ok(),
            stratum: stratum_col.map(|c| cell(Some(c)).to_string()),
            loaded: columns
                .iter()
                .map(|&(l, _, _)| cell(Some(l)).to_string())
                .collect(),
            source: columns
                .iter()
                .map(|&(_, s, _)| cell(Some(s)).to_string())
                .collect(),
            marks,
            verdict,
            remark: cell(remark_col).to_string(),
            note: cell(note_col).to_string(),
            line: *number,
        });
    }

    let mut problems = Vec::new();
    if !invalid.is_empty() {
        let shown: Vec<String> = invalid.iter().take(MAX_LISTED).cloned().collect();
        problems.push(format!(
            "{} 个判定不是 正确/错误: {}{}; 请从下拉列表选择 正确 或 错误, 不确定时留空并在备注中说明",
            invalid.len(),
            shown.join("; "),
            if invalid.len() > MAX_LISTED { " …" } else { "" }
        ));
    }
    if !no_id.is_empty() {
        problems.push(format!(
            "第 {} 行没有记录ID; 请不要在表中增加行或清空 {ID} 列",
            row_list(&no_id)
        ));
    }
    // The rows against the plan.
    let planned: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut foreign = Vec::new();
    let mut repeated = Vec::new();
    for r in &records {
        if !planned.contains(r.id.as_str()) {
            foreign.push(r.line);
        } else if let Some(first) = seen.insert(r.id.as_str(), r.line) {
            repeated.push(format!("第 {} 行与第 {first} 行 ({ID} {})", r.line, r.id));
        }
    }
    if !foreign.is_empty() {
        problems.push(format!(
            "第 {} 行的记录ID不在抽样方案中 (方案表 H 列); 抽查表只能核对抽中的记录",
            row_list(&foreign)
        ));
    }
    if !repeated.is_empty() {
        problems.push(format!("记录重复: {}", repeated.join("; ")));
    }
    let missing: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| !seen.contains_key(id))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(MAX_LISTED).copied().collect();
        problems.push(format!(
            "抽样方案中的 {} 条记录不在表中 ({ID}: {}{}); 删除的行必须补回, 否则样本不再是随机样本",
            missing.len(),
            shown.join(", "),
            if missing.len() > MAX_LISTED {
                " …"
            } else {
                ""
            }
        ));
    }
    if ids.len() != size {
        problems.push(format!(
            "方案表的样本量为 {size}, 但列出了 {} 个记录ID; 方案表不应手工修改",
            ids.len()
        ));
    }
    if !problems.is_empty() {
        return Err(bad(AUDIT_SHEET, problems.join("; ")));
    }
    Ok(Sample {
        plan,
        origin,
        fields,
        records,
    })
}
