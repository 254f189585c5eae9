//! `crmkit validate` and `crmkit clean`: findings at their row and column, reports in every
//! format, the cleaned table, changes, rejects, the error-rate gate.

use crate::util::{col, crmkit_in, files_in, fixture, part, read_csv};

const TODAY: &str = "2026-11-22";

fn run(dir: &std::path::Path, args: &[&str]) -> crate::util::Run {
    let mut all = vec!["--today", TODAY];
    all.splice(0..0, args.iter().copied());
    crmkit_in(dir, &all)
}

/// (row, letter, rule, severity) of every finding in a CSV report.
fn findings(path: &std::path::Path) -> Vec<(String, String, String, String)> {
    let (header, rows) = read_csv(path);
    rows.iter()
        .map(|r| {
            (
                col(&header, r, "row").to_string(),
                col(&header, r, "letter").to_string(),
                col(&header, r, "rule").to_string(),
                col(&header, r, "severity").to_string(),
            )
        })
        .collect()
}

fn expected() -> Vec<(String, String, String, String)> {
    [
        ("3", "E", "mobile_length", "error"),
        ("3", "L", "email_format", "error"),
        ("4", "G", "level_matches_purchase", "warning"),
        ("4", "J", "date_ambiguous", "error"),
        ("4", "K", "credit_code_check", "error"),
        ("5", "C", "required:contact_name", "error"),
        ("5", "F", "industry_unknown", "error"),
        ("5", "G", "enum_value", "error"),
        ("5", "J", "date_invalid", "error"),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect()
}

#[test]
fn every_finding_points_at_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("validate/customers_messy.csv");
    let run = run(
        dir.path(),
        &["validate", &input, "-t", "customer", "--report", "r.csv"],
    );
    run.code(1)
        .stdout_has("有错误的行 3 行 (60.00%)")
        .stderr_has("customers_messy.csv 第 3 行 E 列 \"联系电话\": 联系电话应为11位手机号 (例如 138****8000); 实际为10位")
        .stderr_has("可能是 2024-05-06 也可能是 2024-06-05");
    assert_eq!(findings(&dir.path().join("r.csv")), expected());
    let (header, rows) = read_csv(&dir.path().join("r.csv"));
    assert_eq!(
        &header[..7],
        ["row", "column", "field", "value", "rule", "message", "severity"]
    );
    // `column` is the header as written, `value` the original text.
    assert_eq!(col(&header, &rows[0], "column"), "联系电话");
    assert_eq!(col(&header, &rows[0], "field"), "mobile");
    assert_eq!(col(&header, &rows[0], "value"), "1391234567");
}

#[test]
fn the_error_rate_gate() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("validate/customers_messy.csv");
    // 3 of 5 rows have errors.
    run(
        dir.path(),
        &[
            "validate",
            &input,
            "-t",
            "customer",
            "--max-error-rate",
            "0.5",
        ],
    )
    .code(1);
    run(
        dir.path(),
        &[
            "validate",
            &input,
            "-t",
            "customer",
            "--max-error-rate",
            "0.6",
        ],
    )
    .code(0);
    run(
        dir.path(),
        &[
            "validate",
            &input,
            "-t",
            "customer",
            "--max-error-rate",
            "60%",
        ],
    )
    .code(0);
    run(
        dir.path(),
        &[
            "validate",
            &input,
            "-t",
            "customer",
            "--max-error-rate",
            "2",
        ],
    )
    .code(2);
    // A clean file passes with the default (no errors allowed).
    run(
        dir.path(),
        &[
            "validate",
            &fixture("customers_unicode.txt"),
            "-t",
            "customer",
        ],
    )
    .code(0);
}

#[test]
fn jsonl_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("validate/customers_messy.csv");
    run(
        dir.path(),
        &["validate", &input, "-t", "customer", "--report", "r.jsonl"],
    )
    .code(1);
    let text = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9);
    assert!(
        lines[0].contains("\"row\":3") && lines[0].contains("\"rule\":\"mobile_length\""),
        "{}",
        lines[0]
    );
}

#[test]
fn xlsx_report_marks_the_bad_cells() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("validate/customers_messy.csv");
    run(
        dir.path(),
        &["validate", &input, "-t", "customer", "--report", "r.xlsx"],
    )
    .code(1);
    let path = dir.path().join("r.xlsx");
    let mut book = crmkit_core::read::Book::open(&path, &Default::default()).unwrap();
    let names: Vec<String> = book.sheets().iter().map(|s| s.name.clone()).collect();
    assert_eq!(names, ["数据", "汇总", "问题清单"]);
    // The copy keeps the input's rows where they were.
    let grid = book.grid(Some("数据")).unwrap();
    assert_eq!(grid.rows[2].number, 3);
    assert_eq!(&grid.rows[2].cells[4], "1391234567");
    // One comment per bad cell, with its message.
    let comments = part(&path, "xl/comments1.xml");
    assert_eq!(comments.matches("<comment ").count(), 9);
    assert!(comments.contains("ref=\"E3\""));
    assert!(comments.contains("实际为10位"));
    // Bad cells are filled: errors red, warnings amber.
    let styles = part(&path, "xl/styles.xml");
    assert!(
        styles.contains("FFFF9999") && styles.contains("FFFFE699"),
        "{styles}"
    );
    let copy = part(&path, "xl/worksheets/sheet1.xml");
    assert!(copy.contains("<pane ySplit=\"1\""), "header row frozen");
    let summary = book.grid(Some("汇总")).unwrap();
    assert!(summary
        .rows
        .iter()
        .any(|r| r.cells.iter().any(|c| c == "mobile_length")));
}

#[test]
fn clean_writes_every_row_changes_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("validate/customers_messy.csv");
    let run = run(
        dir.path(),
        &[
            "clean",
            &input,
            "-t",
            "customer",
            "-o",
            "clean.csv",
            "--changes",
            "changes.csv",
            "--rejects",
            "rejects.csv",
        ],
    );
    run.code(1).stderr_has("已写入 clean.csv: 5 行");
    assert_eq!(
        files_in(dir.path()),
        ["changes.csv", "clean.csv", "rejects.csv"]
    );

    let (header, rows) = read_csv(&dir.path().join("clean.csv"));
    assert_eq!(rows.len(), 5, "every input row, in order");
    assert_eq!(header[0], "客户编号");
    assert_eq!(header.last().unwrap(), "_source_row");
    let rows_at: Vec<&str> = rows
        .iter()
        .map(|r| col(&header, r, "_source_row"))
        .collect();
    assert_eq!(rows_at, ["2", "3", "4", "5", "6"]);
    let first = &rows[0];
    assert_eq!(col(&header, first, "联系电话"), "13800138000");
    assert_eq!(col(&header, first, "所属行业"), "制造业");
    assert_eq!(col(&header, first, "客户等级"), "VIP");
    assert_eq!(col(&header, first, "下次跟进时间"), "2024-06-15 14:30");
    assert_eq!(col(&header, first, "电子邮箱"), "zhangwei@huayuan.com");
    assert_eq!(
        col(&header, &rows[1], "客户名称"),
        "华远软件科技（北京）有限公司"
    );
    assert_eq!(col(&header, &rows[3], "跟进状态"), "合同签订");
    assert_eq!(col(&header, &rows[4], "联系电话"), "18612345678");
    // A value with an error keeps its original text.
    assert_eq!(col(&header, &rows[1], "联系电话"), "1391234567");
    // A formula in the data is written so that a spreadsheet shows it as text.
    assert_eq!(col(&header, &rows[4], "备注"), "'=SUM(A1)");

    let (header, changes) = read_csv(&dir.path().join("changes.csv"));
    assert_eq!(
        &header[..6],
        ["row", "column", "field", "before", "after", "normalizer"]
    );
    let mobile = changes
        .iter()
        .find(|c| col(&header, c, "row") == "2" && col(&header, c, "field") == "mobile")
        .expect("the mobile change of row 2");
    assert_eq!(col(&header, mobile, "before"), "+86 138-0013-8000");
    assert_eq!(col(&header, mobile, "after"), "13800138000");
    assert!(col(&header, mobile, "normalizer").contains("mobile"));

    let (header, rejects) = read_csv(&dir.path().join("rejects.csv"));
    let rows_at: Vec<&str> = rejects
        .iter()
        .map(|r| col(&header, r, "_source_row"))
        .collect();
    assert_eq!(rows_at, ["3", "4", "5"]);
    assert!(col(&header, &rejects[0], "_reasons").contains("E 列 联系电话"));
    // Rejects keep the values as written.
    assert_eq!(
        col(&header, &rejects[0], "客户名称"),
        "华远软件科技(北京)有限公司"
    );
}

#[test]
fn references_across_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("followups.csv"),
        "客户名称,跟进人,跟进时间,跟进方式,沟通内容摘要\n\
         北京华远软件科技有限公司,张伟,2024-06-15 14:30,电话,介绍报表\n\
         华远软件科技（北京）有限公司,李娜,2024-06-16 10:00,拜访,演示\n\
         杭州不存在科技有限公司,王强,2024-06-17 09:00,微信,报价\n",
    )
    .unwrap();
    let customers = fixture("validate/customers_messy.csv");
    // Without the customers file the rule is skipped, and said so.
    run(dir.path(), &["validate", "followups.csv", "-t", "followup"])
        .code(0)
        .stderr_has("customer_exists");
    // With it, names compare after normalisation: (北京) and （北京） are the same customer.
    let reference = format!("customer={customers}");
    let with = run(
        dir.path(),
        &[
            "validate",
            "followups.csv",
            "-t",
            "followup",
            "--ref",
            &reference,
            "--report",
            "r.csv",
        ],
    );
    with.code(1).stderr_has("第 4 行 A 列 \"客户名称\"");
    let found = findings(&dir.path().join("r.csv"));
    assert_eq!(
        found,
        [(
            "4".to_string(),
            "A".to_string(),
            "customer_exists".to_string(),
            "error".to_string()
        )]
    );
}

#[test]
fn broken_rules_files_name_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("validate/customers_messy.csv");
    let cases = [
        ("name = \"x\"\n[[rules]]\nid = \"a\"\nkind = \"regex\"\nfield = \"mobile\"\npattern = \"(\"\n", "rules[0].pattern", "invalid regex"),
        ("name = \"x\"\n[[rules]]\nid = \"a\"\nkind = \"regex\"\nfield = \"phone\"\npattern = \"x\"\n", "rules[0].field", "unknown field `phone`"),
        ("name = \"x\"\n[[rules]]\nid = \"a\"\nkind = \"regexp\"\nfield = \"mobile\"\n", "rules[0]", "unknown variant `regexp`"),
        ("name = \"x\"\n[[rules]]\nid = \"a\"\nkind = \"date_range\"\nfield = \"next_followup_at\"\nmax = \"tomorrow\"\n", "rules[0].max", "expected YYYY-MM-DD"),
        ("name = \"x\"\n[[rules]]\nid = \"a\"\nkind = \"range\"\nfield = \"email\"\nmin = 1\n", "rules[0].field", "needs a number field"),
        ("name = \"x\"\n[[rules]]\nid = \"a\"\nkind = \"range\"\nfield = \"annual_purchase\"\nmin = 10\nmax = 1\n", "rules[0].min", "above max"),
        ("name = \"x\"\n[[rules]]\nid = \"a\"\nkind = \"range\"\nfield = \"annual_purchase\"\nmax = inf\n", "rules[0].min", "finite"),
        ("name = \"x\"\n[[rules]]\nid = \"a\"\nkind = \"date_range\"\nfield = \"annual_purchase\"\nmin = \"2020-01-01\"\n", "rules[0].field", "needs a date"),
    ];
    for (text, key, message) in cases {
        std::fs::write(dir.path().join("bad.toml"), text).unwrap();
        let run = run(
            dir.path(),
            &["validate", &input, "-t", "customer", "--rules", "bad.toml"],
        );
        run.code(2)
            .stderr_has("bad.toml: ")
            .stderr_has(key)
            .stderr_has(message);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
}

#[test]
fn extra_rules_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("extra.toml"),
        "name = \"extra\"\n[[rules]]\nid = \"code_is_kh\"\nkind = \"regex\"\nfield = \"customer_code\"\npattern = '^KH00[1-3]$'\nmessage = \"客户编号应为 KH001–KH003\"\n",
    )
    .unwrap();
    let input = fixture("validate/customers_messy.csv");
    run(
        dir.path(),
        &[
            "validate",
            &input,
            "-t",
            "customer",
            "--rules",
            "extra.toml",
            "--report",
            "r.csv",
        ],
    )
    .code(1);
    let found = findings(&dir.path().join("r.csv"));
    let hits: Vec<&str> = found
        .iter()
        .filter(|f| f.2 == "code_is_kh")
        .map(|f| f.0.as_str())
        .collect();
    assert_eq!(hits, ["5", "6"]);
}

#[test]
fn uniqueness_cross_field_and_format_rules_on_leads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("leads.csv"),
        "线索编号,线索来源,客户名称,负责人,获取时间,跟进次数,预计成交时间\n\
         XS001,官网,北京华远软件科技有限公司,张伟,2024-05-06,3,2024-06-30\n\
         XS002,展会,上海华远贸易有限公司,李娜,2024-05-08,2,2024-05-01\n\
         XS001,展会,深圳市腾飞电子有限公司,王强,2024-05-09,1,2024-07-01\n\
         xs-4,展会,广州天河物流有限公司,刘洋,2024-05-10,5000,2024-07-01\n",
    )
    .unwrap();
    run(
        dir.path(),
        &["validate", "leads.csv", "-t", "lead", "--report", "r.csv"],
    )
    .code(1)
    .stderr_has("线索编号 \"XS001\" 与第 2 行重复");
    let found = findings(&dir.path().join("r.csv"));
    let rules: Vec<(&str, &str)> = found.iter().map(|f| (f.0.as_str(), f.2.as_str())).collect();
    assert_eq!(
        rules,
        [
            ("3", "close_after_acquired"),
            ("4", "unique:lead_code"),
            ("5", "lead_code_format"),
            ("5", "followup_count_range"),
        ]
    );
}

#[test]
fn a_stray_cell_far_away_does_not_exhaust_memory() {
    // One value in XFD1048576 (made by openpyxl): read cell by cell, not as a dense range.
    let dir = tempfile::tempdir().unwrap();
    let run = run(
        dir.path(),
        &["validate", &fixture("bad/far_cell.xlsx"), "-t", "customer"],
    );
    run.code(1)
        .stderr_has("第 1048576 行")
        .stderr_lacks("panicked");
}

#[test]
fn formulas_are_never_live_in_csv_outputs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.csv"),
        "客户名称,联系人,职位,联系电话,所属行业,客户等级,跟进状态,下次跟进时间,备注\n\
         北京华远软件科技有限公司,张伟,经理,13800138000,制造业,VIP,成交,2024-06-15 14:30,-2+3+cmd|' /C calc'!A0\n\
         上海华远贸易有限公司,李娜,经理,13912345678,制造业,VIP,成交,2024-06-15 14:30,+1+cmd\n\
         深圳市腾飞电子有限公司,王强,经理,15012345678,制造业,VIP,成交,2024-06-15 14:30,@SUM(A1)\n\
         广州天河物流有限公司,刘洋,经理,18612345678,制造业,VIP,成交,2024-06-15 14:30,-5\n",
    )
    .unwrap();
    run(
        dir.path(),
        &["clean", "in.csv", "-t", "customer", "-o", "out.csv"],
    )
    .code(0);
    let (header, rows) = read_csv(&dir.path().join("out.csv"));
    let remarks: Vec<&str> = rows.iter().map(|r| col(&header, r, "备注")).collect();
    assert_eq!(
        remarks,
        ["'-2+3+cmd|' /C calc'!A0", "'+1+cmd", "'@SUM(A1)", "-5"]
    );
}

#[test]
fn personal_numbers_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.csv"),
        "客户名称,联系人,职位,联系电话,所属行业,客户等级,跟进状态,下次跟进时间,电子邮箱\n\
         北京华远软件科技有限公司,张伟 13912345678,经理,13800138000,13700137000,13600136000,成交,2024-06-15 14:30,13500135000\n",
    )
    .unwrap();
    let run = run(dir.path(), &["validate", "in.csv", "-t", "customer"]);
    run.code(1);
    for number in ["13912345678", "13700137000", "13600136000", "13500135000"] {
        assert!(
            !run.stderr.contains(number) && !run.stdout.contains(number),
            "{number} leaked:\n{}",
            run.stderr
        );
    }
    run.stderr_has("139****5678");
}

#[test]
fn placeholders_do_not_fill_required_fields_and_names_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.csv"),
        "客户名称,联系人,职位,联系电话,所属行业,客户等级,跟进状态,下次跟进时间\n\
         北京华远软件科技有限公司,张伟,N/A,13800138000,制造业,VIP,成交,2024-06-15 14:30\n\
         13800138000,张伟/李娜,经理,13800138000,制造业,VIP,成交,2024-06-15 14:30\n\
         杭州云帆信息科技有限公司（已注销）,李总,经理,13800138000,制造业,VIP,成交,2024-06-15 14:30\n",
    )
    .unwrap();
    run(
        dir.path(),
        &["validate", "in.csv", "-t", "customer", "--report", "r.csv"],
    )
    .code(1);
    let found = findings(&dir.path().join("r.csv"));
    let rules: Vec<(&str, &str)> = found.iter().map(|f| (f.0.as_str(), f.2.as_str())).collect();
    assert_eq!(
        rules,
        [
            ("2", "required:contact_title"),
            ("3", "company_name_digits"),
            ("3", "person_name_several"),
            ("4", "company_name_status"),
            ("4", "person_name_title"),
        ]
    );
}

#[test]
fn outputs_never_overwrite_the_input_or_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::copy(fixture("validate/customers_messy.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    run(
        dir.path(),
        &["clean", "in.csv", "-t", "customer", "-o", "in.csv"],
    )
    .code(2)
    .stderr_has("输出文件就是输入文件");
    run(
        dir.path(),
        &[
            "validate", "in.csv", "-t", "customer", "--report", "./in.csv",
        ],
    )
    .code(2);
    run(
        dir.path(),
        &[
            "clean",
            "in.csv",
            "-t",
            "customer",
            "-o",
            "a.csv",
            "--rejects",
            "a.csv",
        ],
    )
    .code(2)
    .stderr_has("同一个文件被指定为两个输出");
    run(
        dir.path(),
        &[
            "clean",
            "in.csv",
            "-t",
            "customer",
            "-o",
            "a.csv",
            "--report",
            "no/such/dir/r.csv",
        ],
    )
    .code(2)
    .stderr_has("no/such/dir/r.csv");
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert_eq!(files_in(dir.path()), ["in.csv"], "nothing half-written");
}

#[cfg(unix)]
#[test]
fn outputs_get_the_usual_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &[
            "clean",
            &fixture("customers_unicode.txt"),
            "-t",
            "customer",
            "-o",
            "out.csv",
        ],
    )
    .code(0);
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    // A file any program creates here gets 0666 less the umask; so must crmkit's (not 0600).
    std::fs::write(dir.path().join("reference"), "x").unwrap();
    assert_eq!(mode("out.csv"), mode("reference"));
}
