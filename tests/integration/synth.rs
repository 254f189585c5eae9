//! `crmkit synth`: the customer template's columns, the ground truth beside the table, the same
//! bytes for the same seed, values `validate` accepts unless chosen to fail, usage errors.

use std::path::Path;

use crate::util::{crmkit_in, files_in, read_csv, root};

/// The customer template's headers, in order, read from the template file itself.
fn template_headers() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("templates/customer.toml")).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("header = \""))
        .map(|l| l.trim_end_matches('"').to_string())
        .collect()
}

fn synth(dir: &Path, output: &str, extra: &[&str]) -> crate::util::Run {
    let mut args = vec!["synth", "-o", output];
    args.extend_from_slice(extra);
    crmkit_in(dir, &args)
}

#[test]
fn csv_has_the_template_columns_and_truth_for_every_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("x")).unwrap();
    synth(dir.path(), "x/customers.csv", &["--rows", "500"])
        .code(0)
        .stderr_has("已生成 500 行")
        .stderr_has("x/customers.truth.csv");
    assert_eq!(
        files_in(&dir.path().join("x")),
        ["customers.csv", "customers.truth.csv"]
    );
    let (header, rows) = read_csv(&dir.path().join("x/customers.csv"));
    assert_eq!(header.len(), 18);
    assert_eq!(header, template_headers());
    assert_eq!(rows.len(), 500);
    let (truth_header, truth) = read_csv(&dir.path().join("x/customers.truth.csv"));
    assert_eq!(truth_header, ["row", "entity"]);
    assert_eq!(truth.len(), 500);
    let mut seen = std::collections::HashMap::<u32, usize>::new();
    for (i, record) in truth.iter().enumerate() {
        assert_eq!(record[0], (i + 2).to_string());
        *seen.entry(record[1].parse().unwrap()).or_default() += 1;
    }
    // About 30% of the companies appear more than once.
    let repeated = seen.values().filter(|&&n| n > 1).count();
    assert!(
        repeated * 100 > seen.len() * 20 && repeated * 100 < seen.len() * 40,
        "{repeated} of {}",
        seen.len()
    );
}

#[test]
fn same_seed_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    for (name, seed) in [("a.csv", "7"), ("b.csv", "7"), ("c.csv", "8")] {
        synth(dir.path(), name, &["--rows", "400", "--seed", seed]).code(0);
    }
    assert_eq!(read("a.csv"), read("b.csv"));
    assert_eq!(read("a.truth.csv"), read("b.truth.csv"));
    assert_ne!(read("a.csv"), read("c.csv"));
    for name in ["a.xlsx", "b.xlsx"] {
        synth(dir.path(), name, &["--rows", "200", "--seed", "7"]).code(0);
    }
    assert_eq!(read("a.xlsx"), read("b.xlsx"));
}

#[test]
fn xlsx_reads_back_with_the_template_columns() {
    let dir = tempfile::tempdir().unwrap();
    synth(
        dir.path(),
        "c.xlsx",
        &["--rows", "300", "--invalid-rate", "0"],
    )
    .code(0);
    assert_eq!(files_in(dir.path()), ["c.truth.csv", "c.xlsx"]);
    crmkit_in(
        dir.path(),
        &["import", "c.xlsx", "-t", "customer", "-o", "back.csv"],
    )
    .code(0)
    .stdout_has("数据 300 行 (第 2–301 行)");
    let (header, rows) = read_csv(&dir.path().join("back.csv"));
    assert_eq!(header[..18], template_headers()[..]);
    assert_eq!(rows.len(), 300);
    crmkit_in(
        dir.path(),
        &[
            "validate",
            "c.xlsx",
            "-t",
            "customer",
            "--today",
            "2026-11-22",
        ],
    )
    .code(0)
    .stdout_has("有错误的行 0 行");
    let (_, truth) = read_csv(&dir.path().join("c.truth.csv"));
    assert_eq!(truth.len(), 300);
}

#[test]
fn validate_accepts_every_row_without_invalid_rate() {
    let dir = tempfile::tempdir().unwrap();
    synth(
        dir.path(),
        "clean.csv",
        &["--rows", "3000", "--invalid-rate", "0"],
    )
    .code(0)
    .stderr_has("含无效值 0 行");
    crmkit_in(
        dir.path(),
        &[
            "validate",
            "clean.csv",
            "-t",
            "customer",
            "--today",
            "2026-11-22",
        ],
    )
    .code(0)
    .stdout_has("检查 3000 行: 错误 0 条")
    .stdout_has("有错误的行 0 行");
}

#[test]
fn validate_finds_the_injected_invalid_values() {
    let dir = tempfile::tempdir().unwrap();
    synth(
        dir.path(),
        "dirty.csv",
        &["--rows", "2000", "--invalid-rate", "0.05"],
    )
    .code(0)
    .stderr_has("含无效值 100 行");
    crmkit_in(
        dir.path(),
        &[
            "validate",
            "dirty.csv",
            "-t",
            "customer",
            "--today",
            "2026-11-22",
        ],
    )
    .code(1)
    .stdout_has("有错误的行 100 行 (5.00%)")
    .stdout_has("mobile_length")
    .stdout_has("credit_code_check")
    .stdout_has("date_invalid")
    .stdout_has("enum_value")
    .stdout_has("required:");
}

#[test]
fn bad_row_counts_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for rows in ["0", "-5", "many", "1.5"] {
        synth(dir.path(), "out.csv", &["--rows", rows])
            .code(2)
            .stderr_has("expected a whole number of rows from 1");
    }
    synth(dir.path(), "out.csv", &[])
        .code(2)
        .stderr_has("--rows");
    synth(
        dir.path(),
        "out.csv",
        &["--rows", "10", "--dup-rate", "1.5"],
    )
    .code(2)
    .stderr_has("expected a number between 0 and 1");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn unknown_output_extension_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), "out.txt", &["--rows", "10"])
        .code(2)
        .stderr_has("error: ")
        .stderr_has("不支持的输出文件类型 `txt`");
    synth(dir.path(), "no/such/dir/out.csv", &["--rows", "10"])
        .code(2)
        .stderr_has("does not exist");
    synth(dir.path(), "big.xlsx", &["--rows", "1048576"])
        .code(2)
        .stderr_has("--rows: 一个 .xlsx 工作表最多容纳 1048575 行数据");
    assert!(files_in(dir.path()).is_empty());
}
