//! Blank Excel import templates a client can fill in.
//!
//! The first sheet has the header row (required headers marked `*` and in red), a comment on each
//! header with its 填写规范 and example, a dropdown on every enum column, identifier columns
//! (phones, ID numbers, credit codes) formatted as text so Excel keeps 13800138000 as written,
//! date columns formatted as dates, and a frozen header. The second sheet, 填写说明, lists every
//! field with its type, whether it is required, its allowed values and its example.

use std::path::Path;

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Formula,
    Note, Workbook, XlsxError,
};

use crate::error::{Error, Result};
use crate::template::{Field, FieldType, Template};
use crate::write::atomic_write;

/// The last row (0-based) a dropdown or column format reaches: Excel's last row.
const LAST_ROW: u32 = 1_048_575;
/// Excel limits a list typed into a validation to 255 characters; longer lists live on a sheet.
const INLINE_LIST_LIMIT: usize = 255;
/// The hidden sheet that holds long dropdown lists.
const LIST_SHEET: &str = "_lists";
/// The instructions sheet.
pub const GUIDE_SHEET: &str = "填写说明";

/// The header text in a blank template: required fields carry a leading `*`.
pub fn marked_header(field: &Field) -> String {
    if field.required {
        format!("*{}", field.header)
    } else {
        field.header.clone()
    }
}

/// What a person should type, for the header comment and the guide sheet.
pub fn field_guide(field: &Field) -> String {
    let mut text = String::new();
    if field.required {
        text.push_str("【必填】");
    }
    text.push_str(&field.guide);
    if !field.values.is_empty() {
        let values: Vec<&str> = field.values.iter().map(|v| v.value.as_str()).collect();
        text.push_str(&format!("\n可选值: {}", values.join(" / ")));
    }
    if !field.example.is_empty() {
        text.push_str(&format!("\n示例: {}", field.example));
    }
    text
}

/// Writes the blank template workbook for `template` to `path`.
pub fn write_blank(path: &Path, template: &Template) -> Result<()> {
    let fail = |e: XlsxError| Error::XlsxWrite {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut workbook = build(template).map_err(fail)?;
    atomic_write(path, |out| workbook.save_to_writer(out).map_err(fail))
}

fn build(template: &Template) -> std::result::Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let required_header = header.clone().set_font_color(Color::RGB(0xC00000));
    let text = Format::new().set_num_format_index(49);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");

    // Long lists go to a hidden sheet first, so the data sheet can point at them.
    let mut list_ranges: Vec<Option<String>> = vec![None; template.fields.len()];
    let long_lists: Vec<(usize, Vec<&str>)> = template
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.values.is_empty())
        .map(|(i, f)| {
            (
                i,
                f.values
                    .iter()
                    .map(|v| v.value.as_str())
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, values)| values.join(",").chars().count() > INLINE_LIST_LIMIT)
        .collect();

    let sheet = workbook.add_worksheet();
    sheet.set_name(template.title.as_str())?;
    for (col, field) in template.fields.iter().enumerate() {
        let col = col as u16;
        let format = match field.kind {
            k if k.is_digit_identifier() => Some(&text),
            FieldType::Date => Some(&date),
            FieldType::Datetime => Some(&datetime),
            _ => None,
        };
        if let Some(format) = format {
            sheet.set_column_format(col, format)?;
        }
        let width = field
            .header
            .chars()
            .count()
            .max(field.example.chars().count()) as f64;
        sheet.set_column_width(col, (width * 1.8 + 2.0).clamp(10.0, 40.0))?;
        let style = if field.required {
            &required_header
        } else {
            &header
        };
        sheet.write_string_with_format(0, col, marked_header(field), style)?;
        let note = Note::new(field_guide(field))
            .set_author("crmkit")
            .add_author_prefix(false)
            .set_width(320)
            .set_height(140);
        sheet.insert_note(0, col, &note)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_row_height(0, 24)?;

    for (list_column, (i, values)) in long_lists.iter().enumerate() {
        list_ranges[*i] = Some(format!(
            "='{LIST_SHEET}'!${col}$1:${col}${n}",
            col = crate::read::column_letter(list_column),
            n = values.len()
        ));
    }

    for (col, field) in template.fields.iter().enumerate() {
        if field.values.is_empty() {
            continue;
        }
        let values: Vec<&str> = field.values.iter().map(|v| v.value.as_str()).collect();
        let validation = match &list_ranges[col] {
            Some(range) => DataValidation::new().allow_list_formula(Formula::new(range)),
            None => DataValidation::new().allow_list_strings(&values)?,
        };
        let validation = validation
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title(format!("{} 取值无效", field.header))?
            .set_error_message(list_message(&values))?;
        let sheet = workbook.worksheet_from_index(0)?;
        sheet.add_data_validation(1, col as u16, LAST_ROW, col as u16, &validation)?;
    }

    write_guide(&mut workbook, template)?;

    if !long_lists.is_empty() {
        let lists = workbook.add_worksheet();
        lists.set_name(LIST_SHEET)?;
        for (col, (_, values)) in long_lists.iter().enumerate() {
            for (row, value) in values.iter().enumerate() {
                lists.write_string(row as u32, col as u16, *value)?;
            }
        }
        lists.set_hidden(true);
    }
    Ok(workbook)
}

/// The message Excel shows for a value not in the list; it must fit in 255 characters.
fn list_message(values: &[&str]) -> String {
    let full = format!("请从下拉列表中选择: {}", values.join(" / "));
    if full.chars().count() <= INLINE_LIST_LIMIT {
        full
    } else {
        format!("请从下拉列表中选择 (全部可选值见“{GUIDE_SHEET}”工作表)")
    }
}

fn write_guide(workbook: &mut Workbook, template: &Template) -> std::result::Result<(), XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    let guide = workbook.add_worksheet();
    guide.set_name(GUIDE_SHEET)?;
    let columns = [
        ("字段", 16.0),
        ("字段键", 20.0),
        ("类型", 14.0),
        ("必填", 6.0),
        ("可选值", 36.0),
        ("填写规范", 50.0),
        ("示例", 28.0),
        ("可识别的其他列名", 36.0),
    ];
    for (col, (title, width)) in columns.iter().enumerate() {
        guide.write_string_with_format(0, col as u16, *title, &bold)?;
        guide.set_column_width(col as u16, *width)?;
    }
    for (row, field) in template.fields.iter().enumerate() {
        let row = row as u32 + 1;
        let values = field
            .values
            .iter()
            .map(|v| {
                let mut s = v.value.clone();
                if !v.description.is_empty() {
                    s.push_str(&format!(" ({})", v.description));
                }
                if !v.synonyms.is_empty() {
                    s.push_str(&format!(" 也可写作: {}", v.synonyms.join("、")));
                }
                s
            })
            .collect::<Vec<_>>()
            .join("\n");
        let cells = [
            field.header.clone(),
            field.key.clone(),
            field.kind.to_string(),
            if field.required { "是" } else { "否" }.to_string(),
            values,
            field.guide.clone(),
            field.example.clone(),
            field.aliases.join("、"),
        ];
        for (col, value) in cells.iter().enumerate() {
            guide.write_string_with_format(row, col as u16, value, &wrap)?;
        }
    }
    guide.set_freeze_panes(1, 1)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Book, ReadOptions};

    #[test]
    fn long_enum_lists_live_on_a_hidden_sheet() {
        let mut toml = String::from(
            "name = \"t\"\ntitle = \"长列表\"\n[[fields]]\nkey = \"city\"\nheader = \"城市\"\ntype = \"enum\"\nrequired = true\n",
        );
        for i in 0..60 {
            toml.push_str(&format!("[[fields.values]]\nvalue = \"城市{i:02}\"\n"));
        }
        let template = Template::parse(&toml, "t.toml").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        write_blank(&path, &template).unwrap();
        let mut book = Book::open(&path, &ReadOptions::default()).unwrap();
        let lists = book.sheets().iter().find(|s| s.name == LIST_SHEET).unwrap();
        assert!(!lists.visible);
        let grid = book.grid(Some(LIST_SHEET)).unwrap();
        assert_eq!(grid.rows.len(), 60);
        assert_eq!(&grid.rows[59].cells[0], "城市59");
        let header = book.grid(Some("长列表")).unwrap();
        assert_eq!(&header.rows[0].cells[0], "*城市");
    }
}
