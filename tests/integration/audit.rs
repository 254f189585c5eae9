//! `crmkit audit`: samples drawn from a file and from a database (SQLite, and PostgreSQL when
//! `CRMKIT_TEST_PG_URL` names a server) come back the same with the same seed; the plan is
//! printed with its operating characteristic; workbooks marked programmatically are scored
//! (accuracy, Wilson interval, exit 0/1); malformed workbooks are refused (exit 2) naming the
//! rows; `compare` pre-fills what a machine can judge.

use std::path::Path;

use calamine::{Data, Reader};

use crate::util::{crmkit_in, files_in, part};

/// Every sheet of a workbook, as rows of text.
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|cell| match cell {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// Writes sheets of text as a workbook (what an auditor's Excel saves, as far as crmkit reads).
fn write_sheets(path: &Path, sheets: &[(String, Vec<Vec<String>>)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet().set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

/// The 抽样 sheet's rows (header first).
fn audit_rows(path: &Path) -> Vec<Vec<String>> {
    sheets(path)
        .into_iter()
        .find(|(name, _)| name == "抽样")
        .expect("sheet 抽样")
        .1
}

/// The 记录ID of every sampled record.
fn ids(path: &Path) -> Vec<String> {
    let rows = audit_rows(path);
    let c = rows[0].iter().position(|h| h == "记录ID").unwrap();
    rows[1..].iter().map(|r| r[c].clone()).collect()
}

/// Copies `from` to `to` with `set(record index, header, cell)` applied to every cell of the
/// 抽样 sheet below the header.
pub(crate) fn marked(from: &Path, to: &Path, mut set: impl FnMut(usize, &str, &mut String)) {
    let mut all = sheets(from);
    for (name, rows) in &mut all {
        if name != "抽样" {
            continue;
        }
        let header = rows[0].clone();
        for (i, row) in rows.iter_mut().skip(1).enumerate() {
            row.resize(header.len(), String::new());
            for (c, cell) in row.iter_mut().enumerate() {
                set(i, &header[c], cell);
            }
        }
    }
    write_sheets(to, &all);
}

/// Every field right, except the 联系电话 of the records in `wrong`.
pub(crate) fn all_right_except(wrong: &[usize]) -> impl FnMut(usize, &str, &mut String) + '_ {
    move |i, header, cell| {
        if header == "联系电话(判定)" && wrong.contains(&i) {
            *cell = "错误".into();
        } else if header.ends_with("(判定)") {
            *cell = "正确".into();
        }
    }
}

/// A synthetic customer file of `rows` rows, every value valid.
fn synth(dir: &Path, rows: usize) {
    crmkit_in(
        dir,
        &[
            "synth",
            "-o",
            "customers.csv",
            "--rows",
            &rows.to_string(),
            "--seed",
            "11",
            "--invalid-rate",
            "0",
            "--dup-rate",
            "0",
        ],
    )
    .code(0);
}

fn sample(dir: &Path, extra: &[&str], out: &str) -> crate::util::Run {
    let mut args = vec![
        "audit",
        "sample",
        "customers.csv",
        "-t",
        "customer",
        "-o",
        out,
    ];
    args.extend_from_slice(extra);
    crmkit_in(dir, &args)
}

#[test]
fn same_seed_same_sample_other_seed_other_sample() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), 400);
    sample(dir.path(), &["--size", "30", "--seed", "7"], "a.xlsx")
        .code(0)
        .stdout_has("简单随机抽样, 抽取 30 条, 随机种子 7")
        .stdout_has("通过概率")
        .stdout_has("95% 置信区间")
        .stderr_has("已写入 a.xlsx: 30 条记录");
    sample(dir.path(), &["--size", "30", "--seed", "7"], "b.xlsx").code(0);
    sample(dir.path(), &["--size", "30", "--seed", "8"], "c.xlsx").code(0);
    let (a, b, c) = (
        ids(&dir.path().join("a.xlsx")),
        ids(&dir.path().join("b.xlsx")),
        ids(&dir.path().join("c.xlsx")),
    );
    assert_eq!(a.len(), 30);
    assert_eq!(a, b);
    assert_ne!(a, c);
    // The whole 抽样 sheet is the same, not just the ids.
    assert_eq!(
        audit_rows(&dir.path().join("a.xlsx")),
        audit_rows(&dir.path().join("b.xlsx"))
    );
    // Without --seed a fresh one is drawn and recorded, and reproduces the sample.
    let run = sample(dir.path(), &["--size", "30"], "d.xlsx");
    run.code(0);
    let seed = run
        .stdout
        .split("随机种子 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .to_string();
    sample(dir.path(), &["--size", "30", "--seed", &seed], "e.xlsx").code(0);
    assert_eq!(
        ids(&dir.path().join("d.xlsx")),
        ids(&dir.path().join("e.xlsx"))
    );
    // The workbook: source values beside loaded ones, dropdowns, frozen header, the plan.
    let path = dir.path().join("a.xlsx");
    let rows = audit_rows(&path);
    for header in [
        "记录ID",
        "来源文件",
        "来源行",
        "联系电话(已载入)",
        "联系电话(源文件)",
        "联系电话(判定)",
        "记录判定",
        "备注",
    ] {
        assert!(
            rows[0].iter().any(|h| h == header),
            "{header}: {:?}",
            rows[0]
        );
    }
    let sheet = part(&path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<dataValidation"), "no dropdown");
    assert!(sheet.contains("正确,错误"), "dropdown values");
    assert!(sheet.contains("state=\"frozen\""), "frozen panes");
    let plan = &sheets(&path)[1];
    assert_eq!(plan.0, "抽样方案");
    let value = |key: &str| {
        plan.1
            .iter()
            .find(|r| r[0] == key)
            .map(|r| r[1].clone())
            .unwrap_or_default()
    };
    assert_eq!(value("随机种子"), "7");
    assert_eq!(value("样本量"), "30");
    assert_eq!(value("准确率阈值"), "0.98");
    assert_eq!(value("接收数 Ac"), "0");
}

#[test]
fn aql_plans_print_the_standards_numbers_and_the_oc() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), 2000);
    sample(dir.path(), &["--aql", "1.0", "--seed", "1"], "a.xlsx")
        .code(0)
        .stdout_has("批量 2000, 检验水平 II → 样本量字码 K (n=125)")
        .stdout_has("AQL 1.0 → n=125, Ac 3, Re 4")
        .stdout_has("错误记录 ≤ 3 条接收, ≥ 4 条拒收");
    assert_eq!(ids(&dir.path().join("a.xlsx")).len(), 125);
    // H (n=50) at AQL 0.65 is an arrow down to J: n=80, Ac 1, Re 2.
    sample(
        dir.path(),
        &["--aql", "0.65", "--level", "I", "--seed", "1"],
        "b.xlsx",
    )
    .code(0)
    .stdout_has("样本量字码 H (n=50)")
    .stdout_has("改用 J 行的方案: n=80, Ac 1, Re 2");
    assert_eq!(ids(&dir.path().join("b.xlsx")).len(), 80);
    sample(dir.path(), &["--aql", "2", "--seed", "1"], "c.xlsx")
        .code(2)
        .stderr_has("--aql: 2 不是 GB/T 2828.1")
        .stderr_has("0.65, 1.0, 1.5, 2.5");
    sample(dir.path(), &["--seed", "1"], "c.xlsx")
        .code(2)
        .stderr_has("--size N");
    // A plain plan prints the example: check 100, accept at most 2 errors.
    sample(dir.path(), &["--size", "100", "--seed", "1"], "d.xlsx")
        .code(0)
        .stdout_has("错误记录 ≤ 2 条为通过")
        .stdout_has("错误率 5% 的批仍有 11.8% 的机会通过, 错误率 2% 的批有 67.7% 的机会通过")
        .stdout_has("[93.0%, 99.4%]");
    assert!(!files_in(dir.path()).contains(&"c.xlsx".to_string()));
}

#[test]
fn stratified_samples_show_the_allocation() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), 300);
    sample(
        dir.path(),
        &["--fraction", "5%", "--strata", "客户等级", "--seed", "5"],
        "a.xlsx",
    )
    .code(0)
    .stdout_has("分层 (按 客户等级")
    .stdout_has("抽取 15 条");
    let plan = &sheets(&dir.path().join("a.xlsx"))[1].1;
    assert_eq!(plan[0][3], "分层");
    let drawn: usize = plan[1..]
        .iter()
        .filter(|r| r.len() > 5 && !r[3].is_empty())
        .map(|r| r[5].parse::<usize>().unwrap())
        .sum();
    assert_eq!(drawn, 15);
    sample(
        dir.path(),
        &["--size", "10", "--strata", "不存在"],
        "b.xlsx",
    )
    .code(2)
    .stderr_has("--strata: 没有字段 \"不存在\"")
    .stderr_has("负责人");
}

#[test]
fn score_reports_accuracy_wilson_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), 500);
    sample(dir.path(), &["--size", "100", "--seed", "3"], "audit.xlsx").code(0);
    let audit = dir.path().join("audit.xlsx");
    marked(
        &audit,
        &dir.path().join("pass.xlsx"),
        all_right_except(&[4, 8]),
    );
    crmkit_in(
        dir.path(),
        &["audit", "score", "pass.xlsx", "--json", "score.json"],
    )
    .code(0)
    .stdout_has("100 条记录, 错误记录 2 条")
    .stdout_has("记录准确率 98.0% (95% 置信区间 [93.0%, 99.4%]")
    .stdout_has("准确率阈值 98.0%: 达到")
    .stdout_has("抽样表第 6 行")
    .stdout_has("结论: 通过");
    let run = crmkit_in(dir.path(), &["audit", "score", "pass.xlsx"]);
    let phone = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("联系电话 "))
        .unwrap_or_else(|| panic!("no 联系电话 line: {}", run.stdout));
    let cells: Vec<&str> = phone.split_whitespace().collect();
    assert_eq!(
        &cells[..5],
        ["联系电话", "100", "2", "98.0%", "[93.0%,"],
        "{phone}"
    );
    let json = std::fs::read_to_string(dir.path().join("score.json")).unwrap();
    assert!(json.contains("\"passed\": true"), "{json}");
    // Phones in the error list are masked.
    let run = crmkit_in(dir.path(), &["audit", "score", "pass.xlsx"]);
    assert!(
        !run.stdout
            .chars()
            .collect::<Vec<_>>()
            .windows(11)
            .any(|w| w.iter().all(|c| c.is_ascii_digit())),
        "unmasked digits: {}",
        run.stdout
    );
    // Three wrong: 97% < 98% → exit 1; a stricter --threshold fails two as well.
    marked(
        &audit,
        &dir.path().join("fail.xlsx"),
        all_right_except(&[1, 2, 3]),
    );
    crmkit_in(dir.path(), &["audit", "score", "fail.xlsx"])
        .code(1)
        .stdout_has("未达到")
        .stdout_has("结论: 不通过");
    crmkit_in(
        dir.path(),
        &["audit", "score", "pass.xlsx", "--threshold", "99%"],
    )
    .code(1);
    // A record marked 错误 with every field 正确 counts as wrong, listed without a field.
    marked(
        &audit,
        &dir.path().join("record.xlsx"),
        |i, header, cell| {
            if header.ends_with("(判定)") {
                *cell = "正确".into();
            }
            if header == "记录判定" && i == 0 {
                *cell = "错误".into();
            }
            if header == "备注" && i == 0 {
                *cell = "重复客户".into();
            }
        },
    );
    crmkit_in(dir.path(), &["audit", "score", "record.xlsx"])
        .code(0)
        .stdout_has("错误记录 1 条")
        .stdout_has("整条记录判为错误; 备注: 重复客户");
}

#[test]
fn malformed_workbooks_are_refused_naming_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), 200);
    sample(dir.path(), &["--size", "12", "--seed", "9"], "audit.xlsx").code(0);
    let audit = dir.path().join("audit.xlsx");
    // Unmarked: as written, and with two rows left blank.
    crmkit_in(dir.path(), &["audit", "score", "audit.xlsx"])
        .code(2)
        .stderr_has(
            "audit.xlsx [抽样] 第 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 行未标记正确/错误",
        );
    marked(&audit, &dir.path().join("gaps.xlsx"), |i, header, cell| {
        if header.ends_with("(判定)") && i != 3 && i != 7 {
            *cell = "正确".into();
        }
    });
    crmkit_in(dir.path(), &["audit", "score", "gaps.xlsx"])
        .code(2)
        .stderr_has("gaps.xlsx [抽样] 第 5, 9 行未标记正确/错误");
    // A mark outside the list.
    marked(&audit, &dir.path().join("odd.xlsx"), |i, header, cell| {
        if header.ends_with("(判定)") {
            *cell = if i == 2 {
                "对".into()
            } else {
                "正确".into()
            };
        }
    });
    crmkit_in(dir.path(), &["audit", "score", "odd.xlsx"])
        .code(2)
        .stderr_has("不是 正确/错误: 第 4 行")
        .stderr_has("\"对\"");
    // 正确 for the record with a field 错误.
    marked(
        &audit,
        &dir.path().join("contra.xlsx"),
        |i, header, cell| {
            if header.ends_with("(判定)") {
                *cell = if i == 1 && header == "客户名称(判定)" {
                    "错误".into()
                } else {
                    "正确".into()
                };
            }
            if header == "记录判定" && i == 1 {
                *cell = "正确".into();
            }
        },
    );
    crmkit_in(dir.path(), &["audit", "score", "contra.xlsx"])
        .code(2)
        .stderr_has("第 3 行记录判定为 正确, 但有字段判定为 错误");
    // A row deleted, and a row whose id is not in the plan.
    let mut all = sheets(&audit);
    let rows = &mut all[0].1;
    let c = rows[0].iter().position(|h| h == "记录ID").unwrap();
    let gone = rows[4][c].clone();
    rows.remove(4);
    rows[2][c] = "999999".into();
    for row in rows.iter_mut().skip(1) {
        for (k, cell) in row.iter_mut().enumerate() {
            if all_headers_mark(k, &all_headers(&audit)) {
                *cell = "正确".into();
            }
        }
    }
    write_sheets(&dir.path().join("cut.xlsx"), &all);
    crmkit_in(dir.path(), &["audit", "score", "cut.xlsx"])
        .code(2)
        .stderr_has("第 3 行的记录ID不在抽样方案中")
        .stderr_has("2 条记录不在表中")
        .stderr_has(&gone);
    // Not an audit workbook at all.
    std::fs::copy(
        crate::util::fixture("customers.xlsx"),
        dir.path().join("other.xlsx"),
    )
    .unwrap();
    crmkit_in(dir.path(), &["audit", "score", "other.xlsx"])
        .code(2)
        .stderr_has("缺少工作表 \"抽样\"");
    // A wrong output type is refused before any work, and nothing is left behind.
    sample(dir.path(), &["--size", "5"], "audit.csv")
        .code(2)
        .stderr_has("不支持的输出文件类型 `csv`");
    assert!(!files_in(dir.path()).iter().any(|f| f.ends_with(".part")));
}

fn all_headers(path: &Path) -> Vec<String> {
    audit_rows(path)[0].clone()
}

fn all_headers_mark(k: usize, headers: &[String]) -> bool {
    headers.get(k).is_some_and(|h| h.ends_with("(判定)"))
}

#[test]
fn database_samples_read_the_source_and_compare_prefills() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), 300);
    crmkit_in(
        dir.path(),
        &[
            "clean",
            "customers.csv",
            "-t",
            "customer",
            "-o",
            "clean.csv",
        ],
    )
    .code(0);
    for db in crate::load::databases(dir.path(), "audit") {
        crmkit_in(dir.path(), &["load", "clean.csv", "--db", &db]).code(0);
        let sample = |seed: &str, out: &str| {
            crmkit_in(
                dir.path(),
                &[
                    "audit", "sample", "--db", &db, "--table", "customer", "--size", "20",
                    "--seed", seed, "-o", out,
                ],
            )
        };
        sample("4", "db1.xlsx")
            .code(0)
            .stdout_has("表 customer; 总体 300 条记录");
        // (synth --dup-rate 0: every row is its own customer, so all 300 load.)
        sample("4", "db2.xlsx").code(0);
        sample("5", "db3.xlsx").code(0);
        let one = ids(&dir.path().join("db1.xlsx"));
        assert_eq!(one, ids(&dir.path().join("db2.xlsx")), "{db}");
        assert_ne!(one, ids(&dir.path().join("db3.xlsx")), "{db}");
        // Source values were read from clean.csv through the lineage columns.
        let rows = audit_rows(&dir.path().join("db1.xlsx"));
        let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
        assert!(rows[1..].iter().all(|r| r[col("来源文件")] == "clean.csv"));
        assert!(rows[1..]
            .iter()
            .all(|r| !r[col("客户名称(源文件)")].is_empty()
                && r[col("客户名称(源文件)")] == r[col("客户名称(已载入)")]));
        // compare: every loaded value equals its normalised source value.
        crmkit_in(
            dir.path(),
            &[
                "audit",
                "compare",
                "db1.xlsx",
                "--db",
                &db,
                "-o",
                "compared.xlsx",
            ],
        )
        .code(0)
        .stdout_has("20 条记录整条标为 正确")
        .stdout_has("需要人工核对: 0 条记录");
        crmkit_in(dir.path(), &["audit", "score", "compared.xlsx"])
            .code(0)
            .stdout_has("记录准确率 100.0%");
        // Change one loaded value: compare leaves it for a person.
        let mut all = sheets(&dir.path().join("db1.xlsx"));
        let c = all[0].1[0]
            .iter()
            .position(|h| h == "客户名称(已载入)")
            .unwrap();
        all[0].1[3][c] = "改过的公司有限公司".into();
        write_sheets(&dir.path().join("edited.xlsx"), &all);
        crmkit_in(
            dir.path(),
            &["audit", "compare", "edited.xlsx", "-o", "compared2.xlsx"],
        )
        .code(0)
        .stdout_has("19 条记录整条标为 正确")
        .stdout_has("需要人工核对: 1 条记录, 其中 1 个字段");
        crmkit_in(dir.path(), &["audit", "score", "compared2.xlsx"])
            .code(2)
            .stderr_has("第 4 行未标记正确/错误");
        // An unknown table lists the loaded ones.
        crmkit_in(
            dir.path(),
            &[
                "audit", "sample", "--db", &db, "--table", "nope", "--size", "5", "-o", "x.xlsx",
            ],
        )
        .code(2)
        .stderr_has("已载入的表: customer");
    }
}
