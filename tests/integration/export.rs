//! `crmkit export`: a file loaded with `crmkit load` exported with and without masking, and
//! what the binary refuses before touching a database. PostgreSQL and the finer points of
//! masking are tested in `crates/crmkit-load/tests/export.rs` and `crmkit_core::mask`.

use crate::util::{col, crmkit_in, files_in, read_csv};

#[test]
fn missing_database_is_an_error_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    crmkit_in(
        dir.path(),
        &[
            "export",
            "--db",
            "sqlite:crm.db",
            "--table",
            "customer",
            "-o",
            "out.csv",
        ],
    )
    .code(2)
    .stderr_has("sqlite:crm.db: 数据库文件不存在")
    .stderr_has("例如 --db sqlite:crm.db");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn bad_output_url_and_rules_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let export = |args: &[&str]| {
        let mut all = vec!["export", "--table", "customer"];
        all.extend_from_slice(args);
        crmkit_in(dir.path(), &all)
    };
    export(&["--db", "sqlite:crm.db", "-o", "out.json"])
        .code(2)
        .stderr_has("不支持的输出文件类型 `json`");
    export(&["--db", "mysql://u:secret@h/crm", "-o", "out.csv"])
        .code(2)
        .stderr_has("应以 sqlite: 或 postgres:// 开头")
        .stderr_lacks("secret");
    std::fs::write(dir.path().join("mask.toml"), "[types]\nmobile = \"hide\"\n").unwrap();
    export(&[
        "--db",
        "sqlite:crm.db",
        "-o",
        "out.csv",
        "--mask-rules",
        "mask.toml",
    ])
    .code(2)
    .stderr_has("mask.toml: types.mobile: unknown variant `hide`");
    // Usage: --db is required (or CRMKIT_DB).
    export(&["-o", "out.csv"]).code(2).stderr_has("--db <URL>");
    assert_eq!(files_in(dir.path()), ["mask.toml"]);
}

/// A customer file with personal data: loaded with `crmkit load`, exported with `crmkit export`.
const CUSTOMERS: &str = "\
客户名称,联系人,职位,联系电话,电子邮箱,所属行业,客户等级,跟进状态,下次跟进时间,地址
杭州云帆信息科技有限公司,王建国,采购经理,13800138000,wangjianguo@yunfan-tech.com,制造业,重点,方案报价,2030-05-01 10:00,杭州市西湖区文三路100号
北京华远贸易有限公司,欧阳娜娜,总经理,13912345678,ouyang@huayuan.cn,批发和零售业,VIP,初步接洽,2030-06-01 09:30,
";

#[test]
fn load_then_export_with_and_without_mask() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("customers.csv"), CUSTOMERS).unwrap();
    let db = "sqlite:crm.db";
    crmkit_in(
        dir.path(),
        &["load", "customers.csv", "--db", db, "-t", "customer"],
    )
    .code(0);

    crmkit_in(
        dir.path(),
        &[
            "export",
            "--db",
            db,
            "--table",
            "customer",
            "-o",
            "plain.csv",
        ],
    )
    .code(0)
    .stderr_has("已导出 customer (客户信息) 2 行到 plain.csv; 未脱敏");
    let (header, rows) = read_csv(&dir.path().join("plain.csv"));
    assert_eq!(header[0], "ID");
    assert_eq!(
        &header[header.len() - 4..],
        ["更新批次", "来源文件", "工作表", "来源行"]
    );
    assert_eq!(col(&header, &rows[0], "联系电话"), "13800138000");
    assert_eq!(col(&header, &rows[1], "来源行"), "3");

    crmkit_in(
        dir.path(),
        &[
            "export",
            "--db",
            db,
            "--table",
            "customer",
            "-o",
            "masked.csv",
            "--mask",
        ],
    )
    .code(0)
    .stderr_has("脱敏 4 列: 联系人 (name, 2 个值), 联系电话 (phone, 2 个值)")
    .stderr_lacks("13800138000");
    let (header, rows) = read_csv(&dir.path().join("masked.csv"));
    assert_eq!(col(&header, &rows[0], "联系电话"), "138****8000");
    assert_eq!(col(&header, &rows[1], "联系人"), "欧***");
    assert_eq!(col(&header, &rows[0], "电子邮箱"), "w***@yunfan-tech.com");
    assert_eq!(
        col(&header, &rows[0], "客户名称"),
        "杭州云帆信息科技有限公司"
    );
    let text = std::fs::read_to_string(dir.path().join("masked.csv")).unwrap();
    for secret in [
        "13800138000",
        "13912345678",
        "王建国",
        "wangjianguo",
        "文三路",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }

    crmkit_in(
        dir.path(),
        &["export", "--db", db, "--table", "orders", "-o", "x.csv"],
    )
    .code(2)
    .stderr_has("没有 crmkit load 载入的表 `orders`; 已载入的表: customer");
    assert!(!dir.path().join("x.csv").exists());
}
