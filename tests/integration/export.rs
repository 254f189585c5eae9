//! `crmkit export`: what the binary refuses before touching a database. Exports of loaded data
//! are tested in `crates/crmkit-load/tests/export.rs`, which builds the database with the
//! library.

use crate::util::{crmkit_in, files_in};

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
