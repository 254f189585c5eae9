//! Every kind of bad input: one clear line naming what and where, exit code 2, no output file.

use crate::util::{crmkit_in, files_in, fixture};

/// Runs an import of `input` with `-o out.csv` in a fresh dir; checks exit 2, a one-line error
/// containing every `expected` text, and that no file was written.
fn refused(input: &str, template: &str, extra: &[&str], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["import", input, "-t", template, "-o", "out.csv"];
    args.extend_from_slice(extra);
    let run = crmkit_in(dir.path(), &args);
    run.code(2);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "expected one error line, got:\n{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "expected one line, got:\n{}",
        run.stderr
    );
    for text in expected {
        run.stderr_has(text);
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(files_in(dir.path()), Vec::<String>::new(), "{}", run.stderr);
}

#[test]
fn missing_file() {
    refused(
        "no/such/file.xlsx",
        "customer",
        &[],
        &["no/such/file.xlsx", "failed to open"],
    );
}

#[test]
fn unsupported_extension() {
    refused(
        &fixture("README.md"),
        "customer",
        &[],
        &["README.md", "不支持的文件类型 `md`"],
    );
}

#[test]
fn password_protected_workbook() {
    refused(
        &fixture("bad/encrypted.xlsx"),
        "customer",
        &[],
        &["encrypted.xlsx", "密码保护"],
    );
}

#[test]
fn corrupt_zip() {
    refused(
        &fixture("bad/corrupt.xlsx"),
        "customer",
        &[],
        &["corrupt.xlsx", "文件损坏"],
    );
}

#[test]
fn text_file_named_xlsx() {
    refused(
        &fixture("bad/not_a_workbook.xlsx"),
        "customer",
        &[],
        &["not_a_workbook.xlsx", "不是 Excel"],
    );
}

#[test]
fn sheet_with_no_cells() {
    refused(
        &fixture("bad/empty_sheet.xlsx"),
        "customer",
        &[],
        &["empty_sheet.xlsx [Sheet1]", "文件为空"],
    );
}

#[test]
fn sheet_with_no_header() {
    refused(
        &fixture("bad/banner_only.xlsx"),
        "customer",
        &[],
        &["banner_only.xlsx [Sheet1]", "找不到表头行"],
    );
}

#[test]
fn duplicate_headers() {
    refused(
        &fixture("bad/duplicate_headers.csv"),
        "customer",
        &[],
        &[
            "duplicate_headers.csv 第 1 行",
            "\"联系电话\" 重复出现在 C 列和 E 列",
        ],
    );
}

#[test]
fn ragged_csv_rows() {
    refused(
        &fixture("bad/ragged.csv"),
        "customer",
        &[],
        &["ragged.csv 第 3 行", "有 5 个字段, 但表头有 4 列", "E 列"],
    );
}

#[test]
fn a_short_csv_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("short.csv");
    std::fs::write(&input, "客户名称,联系人,职位\nA公司,张三,经理\nB公司\n").unwrap();
    refused(
        &input.display().to_string(),
        "customer",
        &[],
        &["short.csv 第 3 行", "有 1 个字段", "缺少 B 列起的字段"],
    );
}

#[test]
fn header_but_no_rows() {
    refused(
        &fixture("bad/header_only.csv"),
        "customer",
        &[],
        &["header_only.csv", "没有任何数据行"],
    );
    refused(
        &fixture("bad/header_only.xlsx"),
        "customer",
        &[],
        &["header_only.xlsx [Sheet1]", "没有任何数据行"],
    );
}

#[test]
fn zero_byte_file() {
    refused(
        &fixture("bad/empty.csv"),
        "customer",
        &[],
        &["empty.csv", "文件为空"],
    );
}

#[test]
fn unknown_sheet() {
    refused(
        &fixture("customers.xlsx"),
        "customer",
        &["--sheet", "不存在"],
        &["没有名为 \"不存在\" 的工作表", "\"旧数据\" (隐藏)"],
    );
}

#[test]
fn wrong_forced_encoding() {
    refused(
        &fixture("leads_gbk.csv"),
        "lead",
        &["--encoding", "utf-8"],
        &["leads_gbk.csv 第 1 行", "不是有效的 UTF-8"],
    );
    refused(
        &fixture("leads_gbk.csv"),
        "lead",
        &["--encoding", "klingon"],
        &["unknown encoding `klingon`"],
    );
}

#[test]
fn unknown_template() {
    refused(
        &fixture("leads_gbk.csv"),
        "nosuch",
        &[],
        &["unknown template `nosuch`", "customer, lead"],
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    crmkit_in(dir.path(), &["import"]).code(2);
    crmkit_in(
        dir.path(),
        &["import", "x.csv", "-t", "customer", "--delimiter", "ab"],
    )
    .code(2);
    crmkit_in(dir.path(), &["frobnicate"]).code(2);
}

#[test]
fn an_output_that_cannot_be_written_stops_the_run_before_any_output() {
    // The last output is a directory, sits under a file, or in a directory that takes no new
    // files: refused before anything is written, naming the path.
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("customers.xlsx");
    let input = input.as_str();
    std::fs::create_dir(dir.path().join("report.csv")).unwrap();
    std::fs::write(dir.path().join("plain.txt"), "x").unwrap();
    let cases: [(&str, &[&str]); 3] = [
        ("report.csv", &["report.csv", "已有的目录"]),
        ("plain.txt/report.csv", &["plain.txt 是文件, 不是目录"]),
        ("/proc/crmkit-report.csv", &["/proc 不能新建文件"]),
    ];
    for (report, expected) in cases {
        let run = crmkit_in(
            dir.path(),
            &[
                "clean",
                input,
                "-t",
                "customer",
                "-o",
                "out.csv",
                "--changes",
                "changes.csv",
                "--report",
                report,
            ],
        );
        run.code(2);
        for text in expected {
            run.stderr_has(text);
        }
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert_eq!(
            files_in(dir.path()),
            vec!["plain.txt".to_string(), "report.csv".to_string()],
            "{}",
            run.stderr
        );
    }
    // A load whose rejects file cannot be written loads nothing.
    let run = crmkit_in(
        dir.path(),
        &[
            "load",
            input,
            "-t",
            "customer",
            "--db",
            "sqlite:x.db",
            "--rejects",
            "report.csv",
        ],
    );
    run.code(2).stderr_has("已有的目录");
    assert_eq!(
        files_in(dir.path()),
        vec!["plain.txt".to_string(), "report.csv".to_string()]
    );
    // An option that takes one format says which.
    let run = crmkit_in(
        dir.path(),
        &[
            "audit", "sample", input, "-t", "customer", "--size", "5", "-o", "a.csv",
        ],
    );
    run.code(2).stderr_has("这个输出支持 .xlsx");
    assert!(!run.stderr.contains(".csv (UTF-8"), "{}", run.stderr);
}

#[test]
fn a_gbk_row_in_a_utf8_file_is_named_by_its_row() {
    // 150 UTF-8 lines, then one pasted from a GBK file: the file is UTF-8 with a bad row, not
    // a GBK file that fails on its first line.
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "客户名称,联系人,联系电话\n".as_bytes().to_vec();
    for i in 2..=150 {
        bytes.extend_from_slice(format!("华远软件科技{i}有限公司,张伟,13800138000\n").as_bytes());
    }
    let (gbk, _, _) = encoding_rs::GBK.encode("北京云帆信息技术有限公司,李娜,13900139000\n");
    bytes.extend_from_slice(&gbk);
    let path = dir.path().join("mixed.csv");
    std::fs::write(&path, &bytes).unwrap();
    refused(
        path.to_str().unwrap(),
        "customer",
        &[],
        &["mixed.csv 第 151 行", "不是有效的 UTF-8"],
    );
    // The streaming read (load) says the same, and leaves no database.
    let run = crmkit_in(
        dir.path(),
        &["load", "mixed.csv", "-t", "customer", "--db", "sqlite:x.db"],
    );
    run.code(2).stderr_has("第 151 行").stderr_has("UTF-8");
    assert_eq!(files_in(dir.path()), vec!["mixed.csv".to_string()]);
}
