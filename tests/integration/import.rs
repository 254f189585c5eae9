//! `crmkit import` on real files: mapping, values, row numbers, outputs.

use std::path::Path;

use crate::util::{col, crmkit, crmkit_in, files_in, fixture, read_csv};

/// Imports a fixture to CSV in a fresh temp dir; returns the run and the parsed output.
fn import_to_csv(
    input: &str,
    template: &str,
    extra: &[&str],
    code: i32,
) -> (crate::util::Run, Vec<String>, Vec<Vec<String>>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let input = fixture(input);
    let out_str = out.display().to_string();
    let mut args = vec![
        "import",
        input.as_str(),
        "--template",
        template,
        "-o",
        &out_str,
    ];
    args.extend_from_slice(extra);
    let run = crmkit_in(dir.path(), &args);
    run.code(code);
    let (header, rows) = read_csv(&out);
    (run, header, rows)
}

#[test]
fn xlsx_with_banner_dates_numeric_phones_and_an_error_cell() {
    let (run, header, rows) = import_to_csv("customers.xlsx", "customer", &[], 1);
    run.stdout_has("表头在第 2 行 (上方 1 行标题已跳过)")
        .stdout_has("公司名称")
        .stdout_has("别名 \"公司名称\"")
        .stdout_has("(未映射, 原样保留)")
        .stdout_has("数据 5 行 (第 3–8 行), 跳过空行 1 行")
        .stdout_has("跳过的隐藏工作表: 旧数据")
        // The #N/A cell is reported with its place, and makes the exit code 1.
        .stderr_has("customers.xlsx [客户信息] 第 8 行 L 列 \"电子邮件\"")
        .stderr_has("#N/A");

    // Canonical headers in template order, then pass-through columns, then the source row.
    assert_eq!(header[0], "客户编号");
    assert_eq!(header[1], "客户名称");
    assert_eq!(
        &header[header.len() - 3..],
        ["创建日期", "微信号", "_source_row"]
    );
    assert_eq!(rows.len(), 5);
    let rows_at: Vec<&str> = rows
        .iter()
        .map(|r| col(&header, r, "_source_row"))
        .collect();
    assert_eq!(rows_at, ["3", "4", "5", "7", "8"]);

    let first = &rows[0];
    assert_eq!(col(&header, first, "客户名称"), "北京华远软件科技有限公司");
    assert_eq!(col(&header, first, "联系电话"), "13800138000");
    assert_eq!(col(&header, first, "下次跟进时间"), "2024-06-15 14:30");
    assert_eq!(col(&header, first, "创建日期"), "2023-01-10");
    assert_eq!(col(&header, first, "年采购额(万元)"), "80");
    assert_eq!(
        col(&header, first, "统一社会信用代码"),
        "91110108MA01A8B98L"
    );
    assert_eq!(col(&header, &rows[1], "联系电话"), "13912345678");
    assert_eq!(col(&header, &rows[1], "年采购额(万元)"), "25.5");
    assert_eq!(col(&header, &rows[2], "联系电话"), "139-1234-5679");
    // 16:00 is stored as ...66666666666: rounded, not truncated to 15:59.
    assert_eq!(col(&header, &rows[3], "下次跟进时间"), "2024-09-30 16:00");
    assert_eq!(col(&header, &rows[4], "电子邮箱"), "");
    // Fields the file lacks are present and empty.
    assert_eq!(col(&header, first, "省份"), "");
}

#[test]
fn xls_and_ods_read_the_same_as_xlsx() {
    let (_, header, xlsx) = import_to_csv("customers.xlsx", "customer", &[], 1);
    for other in ["customers.xls", "customers.ods"] {
        // The .ods keeps #N/A as text (ODS has no error cells); it is still reported.
        let (run, h, rows) = import_to_csv(other, "customer", &[], 1);
        run.stderr_has("第 8 行 L 列");
        assert_eq!(h, header, "{other}");
        assert_eq!(rows, xlsx, "{other}");
    }
}

#[test]
fn the_1904_date_system_and_numbers_excel_already_rounded() {
    let template = fixture("templates/person.toml");
    let (run, header, rows) = import_to_csv("people.xlsx", &template, &[], 1);
    assert_eq!(col(&header, &rows[0], "出生日期"), "1990-03-07");
    assert_eq!(col(&header, &rows[1], "出生日期"), "1949-12-31");
    assert_eq!(col(&header, &rows[2], "出生日期"), "1985-06-15");
    // What Excel shows, 15 significant digits; reported, not silently accepted.
    assert_eq!(col(&header, &rows[0], "身份证号"), "110101199003071000");
    assert_eq!(col(&header, &rows[1], "身份证号"), "11010519491231002X");
    run.stderr_has("people.xlsx [人员] 第 2 行 B 列 \"身份证号\"")
        .stderr_has("15 位有效数字")
        // ID numbers are masked in messages.
        .stderr_has("110***********1000")
        .stderr_lacks("110101199003071000");
}

#[test]
fn gbk_csv_as_excel_saves_it() {
    let (run, header, rows) = import_to_csv("leads_gbk.csv", "lead", &[], 0);
    run.stdout_has("编码 gb18030 [detected]")
        .stdout_has("分隔符 \",\"");
    assert_eq!(rows.len(), 4);
    // Characters outside GB2312 but inside GBK survive.
    assert_eq!(col(&header, &rows[0], "负责人"), "张喆");
    assert_eq!(col(&header, &rows[1], "负责人"), "赵镕");
    // A quoted value with a line break stays one cell, one row.
    assert!(col(&header, &rows[1], "最新跟进内容").contains('\n'));
    let rows_at: Vec<&str> = rows
        .iter()
        .map(|r| col(&header, r, "_source_row"))
        .collect();
    assert_eq!(rows_at, ["2", "3", "4", "5"]);
    assert_eq!(col(&header, &rows[2], "客户反馈"), "价格偏高,需申请折扣");
}

#[test]
fn forced_encoding_overrides_detection() {
    let run = crmkit(&[
        "import",
        &fixture("leads_gbk.csv"),
        "-t",
        "lead",
        "--encoding",
        "gbk",
    ]);
    run.code(0).stdout_has("[forced]").stdout_has("线索编号");
}

#[test]
fn utf16_unicode_text_from_excel() {
    let (run, header, rows) = import_to_csv("customers_unicode.txt", "customer", &[], 0);
    run.stdout_has("UTF-16LE [BOM]").stdout_has("分隔符 制表符");
    assert_eq!(rows.len(), 3);
    assert_eq!(
        col(&header, &rows[0], "客户名称"),
        "北京华远软件科技有限公司"
    );
    assert_eq!(col(&header, &rows[0], "联系电话"), "13800138000");
}

#[test]
fn semicolon_and_pipe_delimiters_are_sniffed() {
    let (run, header, rows) = import_to_csv("orders_semicolon.csv", "order", &[], 0);
    run.stdout_has("UTF-8 [BOM]").stdout_has("分隔符 \";\"");
    assert_eq!(col(&header, &rows[0], "订单编号"), "DD20240001");
    assert_eq!(
        col(&header, &rows[0], "产品或服务明细"),
        "CRM标准版授权,50用户"
    );

    let (run, header, rows) = import_to_csv("tickets_pipe.txt", "ticket", &[], 0);
    run.stdout_has("分隔符 \"|\"");
    assert_eq!(rows.len(), 3);
    assert_eq!(col(&header, &rows[0], "工单编号"), "GD0001");
}

#[test]
fn messy_headers_are_normalised_and_extra_columns_kept() {
    let (run, header, rows) = import_to_csv("followups_messy.csv", "followup", &[], 0);
    run.stdout_has("规范化 \"跟进时间\"")
        .stdout_has("规范化 \"客户反馈/需求\"")
        .stdout_has("录入人");
    assert_eq!(
        col(&header, &rows[0], "客户名称"),
        "北京华远软件科技有限公司"
    );
    assert_eq!(col(&header, &rows[0], "录入人"), "系统管理员");
}

#[test]
fn fuzzy_headers_show_their_score() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("f.csv");
    std::fs::write(
        &input,
        "客户名称,跟进人员,跟进时间,跟进方式,沟通内容摘要x\nA公司,张三,2024-01-01,电话,谈了\n",
    )
    .unwrap();
    let run = crmkit_in(dir.path(), &["import", "f.csv", "-t", "followup"]);
    run.code(0).stdout_has("模糊").stdout_has("沟通内容摘要x");
}

#[test]
fn missing_required_columns_fail_with_suggestions_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let run = crmkit_in(
        dir.path(),
        &[
            "import",
            &fixture("customers_missing.csv"),
            "-t",
            "customer",
            "-o",
            "out.csv",
        ],
    );
    run.code(1)
        .stderr_has("缺少 2 个必填列")
        .stderr_has("职位 (contact_title")
        .stderr_has("联系电话 (mobile; 最接近的输入列: G 列 \"座机\"");
    assert!(!out.exists());
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn hidden_sheets_are_read_only_when_named() {
    let run = crmkit(&[
        "import",
        &fixture("customers.xlsx"),
        "-t",
        "customer",
        "--sheet",
        "旧数据",
    ]);
    // It is read (two rows), though it lacks most required columns.
    run.code(1).stdout_has("[旧数据]").stdout_has("数据 2 行");
}

#[test]
fn xlsx_output_keeps_identifiers_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let run = crmkit_in(
        dir.path(),
        &[
            "import",
            &fixture("customers.xlsx"),
            "-t",
            "customer",
            "-o",
            "out.xlsx",
        ],
    );
    run.code(1).stderr_has("已写入 out.xlsx: 5 行");
    let mut book =
        crmkit_core::read::Book::open(&dir.path().join("out.xlsx"), &Default::default()).unwrap();
    assert_eq!(book.sheets()[0].name, "客户信息");
    let grid = book.grid(None).unwrap();
    assert_eq!(grid.rows.len(), 6);
    assert_eq!(&grid.rows[1].cells[5], "13800138000");
    assert_eq!(&grid.rows[1].cells[0], "KH0001");
    // Round trip: importing crmkit's own output maps every column exactly.
    let again = crmkit_in(dir.path(), &["import", "out.xlsx", "-t", "customer"]);
    again.code(0).stdout_has("数据 5 行");
    assert!(!again.stdout.contains("别名"), "{}", again.stdout);
}

#[test]
fn csv_rows_are_numbered_as_excel_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.csv"),
        "客户名称,联系人,备注\r\nA公司,张三,\"两行\r\n备注\"\r\n\r\nB公司,李四,\r\n,,\r\nC公司,王五,x\r\n",
    )
    .unwrap();
    let run = crmkit_in(
        dir.path(),
        &["import", "in.csv", "-t", "customer", "-o", "out.xlsx"],
    );
    // Required columns are missing, so no output; but the summary shows the rows.
    run.code(1)
        .stdout_has("数据 3 行 (第 2–6 行), 跳过空行 2 行");
}

#[test]
fn output_replaces_an_existing_file_only_when_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "old").unwrap();
    crmkit_in(
        dir.path(),
        &[
            "import",
            &fixture("bad/corrupt.xlsx"),
            "-t",
            "customer",
            "-o",
            "out.csv",
        ],
    )
    .code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    crmkit_in(
        dir.path(),
        &[
            "import",
            &fixture("leads_gbk.csv"),
            "-t",
            "lead",
            "-o",
            "out.csv",
        ],
    )
    .code(0);
    assert!(std::fs::read_to_string(&out).unwrap().contains("XS004"));
    assert_eq!(files_in(dir.path()), ["out.csv"]);
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // A template with enough fields that `show` overflows the pipe buffer.
    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::from("name = \"wide\"\ntitle = \"宽表\"\n");
    for i in 0..3000 {
        toml.push_str(&format!(
            "[[fields]]\nkey = \"f{i}\"\nheader = \"字段{i}\"\ntype = \"text\"\nguide = \"说明{i}\"\n"
        ));
    }
    let path = dir.path().join("wide.toml");
    std::fs::write(&path, toml).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_crmkit"))
        .args(["template", "show", &path.display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn unknown_output_format_is_refused_before_reading() {
    let run = crmkit(&[
        "import",
        &fixture("leads_gbk.csv"),
        "-t",
        "lead",
        "-o",
        "x.json",
    ]);
    run.code(2)
        .stderr_has("x.json")
        .stderr_has("不支持的输出文件类型 `json`");
    assert!(!Path::new(&crate::util::root().join("x.json")).exists());
}

#[test]
fn a_formula_saved_without_its_value_is_reported() {
    let run = crmkit(&["import", &fixture("merged_formula.xlsx"), "-t", "customer"]);
    run.code(1)
        .stdout_has("表头在第 3 行")
        .stderr_has("第 8 行 J 列 \"年采购额(万元)\": 单元格是公式 =40+40")
        .stderr_has("没有保存计算结果")
        .stderr_has("第 11 行 I 列");
}

/// A CSV of several megabytes: a banner row, CRLF line ends, quoted fields holding commas and
/// line breaks, blank lines, and (when `ragged` is given) one record with a field too many.
fn big_csv(rows: usize, ragged: Option<usize>) -> String {
    let mut text =
        String::from("客户资料导出 2026-11\r\n\r\n客户名称,联系人,联系电话,地址,备注\r\n");
    for i in 0..rows {
        let note = match i % 7 {
            0 => format!("\"第一行\r\n第二行 {i}\""),
            3 => format!("\"含逗号, 和引号\"\"{i}\"\"\""),
            _ => format!("备注{i}"),
        };
        let extra = if ragged == Some(i) {
            ",多出来的值"
        } else {
            ""
        };
        text.push_str(&format!(
            "杭州云帆{i}科技有限公司,张{i},138{:08},杭州市西湖区文三路{i}号,{note}{extra}\r\n",
            i
        ));
        if i % 1000 == 999 {
            text.push_str("\r\n");
        }
    }
    text
}

/// Rows as (row number, cells).
type NumberedRows = Vec<(u32, Vec<String>)>;

/// The rows a stream hands out (in pieces of `n`), with the reasons of the refused ones.
fn streamed(
    path: &Path,
    n: usize,
) -> (
    crmkit_core::import::Imported,
    NumberedRows,
    Vec<(u32, String)>,
) {
    let template = crmkit_core::template::Template::resolve("customer").unwrap();
    let mut stream =
        crmkit_core::import::stream(path, &template, &Default::default()).expect("stream opens");
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    loop {
        let chunk = stream.next_rows(n).unwrap();
        if chunk.rows.is_empty() {
            break;
        }
        assert!(chunk.rows.len() <= n);
        for (i, why) in &chunk.refused {
            refused.push((chunk.rows[*i].number, why.clone()));
        }
        rows.extend(
            chunk
                .rows
                .into_iter()
                .map(|r| (r.number, r.cells.iter().map(str::to_string).collect())),
        );
    }
    (stream.imported, rows, refused)
}

/// Streaming a file that is cut into many pieces gives exactly the rows, row numbers and
/// mapping a whole import gives, in UTF-8 and in GBK.
#[test]
fn a_streamed_file_reads_as_the_whole_file_does() {
    let dir = tempfile::tempdir().unwrap();
    let text = big_csv(60_000, None);
    assert!(text.len() > 5 << 20, "more than two pieces: {}", text.len());
    let utf8 = dir.path().join("big.csv");
    std::fs::write(&utf8, &text).unwrap();
    let gbk = dir.path().join("big_gbk.csv");
    std::fs::write(&gbk, encoding_rs::GBK.encode(&text).0).unwrap();
    let template = crmkit_core::template::Template::resolve("customer").unwrap();
    for path in [&utf8, &gbk] {
        let whole = crmkit_core::import::import(path, &template, &Default::default()).unwrap();
        let (head, rows, refused) = streamed(path, 7_777);
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(head.header_row, whole.header_row);
        assert_eq!(head.headers, whole.headers);
        assert_eq!(head.mapping.source_of, whole.mapping.source_of);
        assert_eq!(head.source.encoding, whole.source.encoding);
        assert_eq!(rows.len(), 60_000);
        assert_eq!(rows.len(), whole.rows.len());
        for (s, w) in rows.iter().zip(&whole.rows) {
            let cells: Vec<String> = w.cells.iter().map(str::to_string).collect();
            assert_eq!((s.0, &s.1), (w.number, &cells), "{}", path.display());
        }
        // Row numbers as Excel shows them: banner, blank line, header, then records whose
        // quoted line breaks stay in one row, and a blank line after every 1000 records.
        assert_eq!(rows[0].0, 4);
        assert_eq!(rows[999].0, 1003);
        assert_eq!(rows[1000].0, 1005);
        assert_eq!(rows.last().unwrap().0, 4 + 60_000 - 1 + 59);
    }
}

/// A ragged record deep in a streamed file is refused on its own, with the message a whole
/// import stops at; the rows around it are read.
#[test]
fn a_streamed_file_refuses_a_ragged_record_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    std::fs::write(&path, big_csv(30_000, Some(25_000))).unwrap();
    let template = crmkit_core::template::Template::resolve("customer").unwrap();
    let whole = crmkit_core::import::import(&path, &template, &Default::default())
        .unwrap_err()
        .to_string();
    let (_, rows, refused) = streamed(&path, 10_000);
    assert_eq!(rows.len(), 30_000);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].0, 4 + 25_000 + 25);
    assert_eq!(refused[0].1, whole);
    assert!(
        whole.contains("第 25029 行") && whole.contains("多出的 F 列"),
        "{whole}"
    );
}

/// A byte that is not UTF-8 deep in a streamed file (past the part that decides the encoding)
/// stops the stream with the file and the line, as a whole import names them.
#[test]
fn a_streamed_file_names_the_line_of_a_bad_byte_deep_inside() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = big_csv(60_000, None).into_bytes();
    let at = bytes.len() - 300_000;
    let at = at + bytes[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.insert(at, 0xFF);
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let path = dir.path().join("bad_byte.csv");
    std::fs::write(&path, &bytes).unwrap();
    let template = crmkit_core::template::Template::resolve("customer").unwrap();
    let mut stream = crmkit_core::import::stream(&path, &template, &Default::default()).unwrap();
    assert_eq!(stream.imported.source.encoding, Some("UTF-8"));
    let error = loop {
        match stream.next_rows(10_000) {
            Ok(chunk) => assert!(!chunk.rows.is_empty(), "the stream ended without an error"),
            Err(e) => break e.to_string(),
        }
    };
    assert!(
        error.contains("bad_byte.csv") && error.contains(&format!("第 {line} 行")),
        "{error} (line {line})"
    );
}
