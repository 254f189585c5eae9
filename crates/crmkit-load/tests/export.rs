//! Export end to end: load a small customer file into a real SQLite database (and PostgreSQL
//! when `CRMKIT_TEST_PG_URL` is set), export it with and without masking, read the file back.

use std::path::{Path, PathBuf};

use crmkit_core::mask::MaskRules;
use crmkit_core::template::Template;
use crmkit_load::db::Db;
use crmkit_load::export::{self, Exported};
use crmkit_load::load::{self, Input, Mode, Options};
use crmkit_load::url::DbUrl;

const CUSTOMERS: &str = "\
客户名称,统一社会信用代码,联系人,职位,联系电话,电子邮箱,所属行业,客户等级,跟进状态,下次跟进时间,地址,备注
杭州云帆信息科技有限公司,91330106MA27UJ8R48,王建国,采购经理,13800138000,wangjianguo@yunfan-tech.com,制造业,重点,方案报价,2030-05-01 10:00,杭州市西湖区文三路100号,备用手机 13900139000
北京华远贸易有限公司,,欧阳娜娜,总经理,13912345678,ouyang@huayuan.cn,批发和零售业,VIP,初步接洽,2030-06-01 09:30,,
";

/// Writes the customer CSV into `dir` and loads it into `db`.
fn load_customers(db: &mut Db, label: &str, dir: &Path) -> PathBuf {
    let csv = dir.join("customers.csv");
    std::fs::write(&csv, CUSTOMERS).unwrap();
    let report = load::load(
        db,
        label,
        &[Input {
            path: csv.clone(),
            template: Template::resolve("customer").unwrap(),
            sheet: None,
        }],
        &Options {
            mode: Mode::Upsert,
            batch_size: 1000,
            read: Default::default(),
            pause_after_chunk: None,
            golden_is_row_id: false,
        },
        &load::Quiet,
    )
    .unwrap();
    assert!(report.rejects.is_empty(), "{:?}", report.rejects);
    csv
}

/// A column of an export by header.
fn column<'a>(exported: &'a Exported, header: &str) -> Vec<Option<&'a str>> {
    let c = exported
        .headers
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", exported.headers));
    exported.rows.iter().map(|r| r[c].as_deref()).collect()
}

/// Exports with and without masking, writes both formats, and checks the contents.
fn check_exports(db: &mut Db, label: &str, url: &DbUrl, dir: &Path) {
    let plain = export::export(db, label, "customer", None).unwrap();
    assert_eq!(plain.rows.len(), 2);
    assert_eq!(plain.headers[0], "ID");
    for header in [
        "客户名称",
        "联系电话",
        "golden_id",
        "批次",
        "来源文件",
        "工作表",
        "来源行",
    ] {
        assert!(plain.headers.iter().any(|h| h == header), "{header}");
    }
    assert!(!plain.headers.iter().any(|h| h.starts_with('_')));
    assert_eq!(
        column(&plain, "联系电话"),
        [Some("13800138000"), Some("13912345678")]
    );
    assert_eq!(column(&plain, "来源行"), [Some("2"), Some("3")]);
    assert!(plain.masked.is_empty());
    let phone = plain.headers.iter().position(|h| h == "联系电话").unwrap();
    assert!(plain.text_columns.contains(&phone));

    let rules = MaskRules::builtin().unwrap();
    let masked = export::export(db, label, "customer", Some(&rules)).unwrap();
    assert_eq!(
        column(&masked, "联系电话"),
        [Some("138****8000"), Some("139****5678")]
    );
    assert_eq!(column(&masked, "联系人"), [Some("王**"), Some("欧***")]);
    assert_eq!(
        column(&masked, "电子邮箱"),
        [Some("w***@yunfan-tech.com"), Some("o***@huayuan.cn")]
    );
    assert_eq!(
        column(&masked, "备注"),
        [Some("备用手机 139****9000"), None]
    );
    assert_eq!(
        column(&masked, "客户名称"),
        column(&plain, "客户名称"),
        "company names are not personal data"
    );
    // Every column a rule applies to is listed; `changed` counts the values masking altered.
    let changed: Vec<(&str, usize)> = masked
        .masked
        .iter()
        .filter(|m| m.changed > 0)
        .map(|m| (m.header.as_str(), m.changed))
        .collect();
    assert_eq!(
        changed,
        [
            ("联系人", 2),
            ("联系电话", 2),
            ("电子邮箱", 2),
            ("地址", 1),
            ("备注", 1)
        ]
    );
    assert!(masked.masked.iter().any(|m| m.header == "负责人"));

    // The files: masked ones hold no full phone number, plain ones do.
    let plain_csv = dir.join("plain.csv");
    let masked_csv = dir.join("masked.csv");
    let masked_xlsx = dir.join("masked.xlsx");
    for (path, e) in [
        (&plain_csv, &plain),
        (&masked_csv, &masked),
        (&masked_xlsx, &masked),
    ] {
        export::check_output(path, url).unwrap();
        export::write(path, e).unwrap();
    }
    let text = std::fs::read_to_string(&plain_csv).unwrap();
    assert!(text.starts_with('\u{FEFF}'), "UTF-8 BOM");
    assert!(text.contains("13800138000") && text.contains("13900139000"));
    assert!(text.contains("王建国"));
    let text = std::fs::read_to_string(&masked_csv).unwrap();
    assert!(text.contains("138****8000"), "{text}");
    for secret in [
        "13800138000",
        "13912345678",
        "13900139000",
        "王建国",
        "wangjianguo",
        "文三路",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let xlsx = std::fs::read(&masked_xlsx).unwrap();
    assert!(xlsx.starts_with(b"PK"), "an .xlsx is a zip");
}

#[test]
fn exports_sqlite_with_and_without_mask() {
    let dir = tempfile::tempdir().unwrap();
    let url = DbUrl::parse(&format!("sqlite:{}", dir.path().join("crm.db").display())).unwrap();
    let mut db = Db::open(&url).unwrap();
    load_customers(&mut db, &url.masked(), dir.path());
    check_exports(&mut db, &url.masked(), &url, dir.path());

    // Exporting onto the database file itself is refused.
    let DbUrl::Sqlite(file) = &url else {
        unreachable!()
    };
    let renamed = file.with_extension("csv");
    std::fs::copy(file, &renamed).unwrap();
    let same = DbUrl::Sqlite(renamed.clone());
    let e = export::check_output(&renamed, &same).unwrap_err();
    assert!(e.to_string().contains("输入文件"), "{e}");
}

#[test]
fn unknown_table_names_the_loaded_tables() {
    let dir = tempfile::tempdir().unwrap();
    let url = DbUrl::parse(&format!("sqlite:{}", dir.path().join("crm.db").display())).unwrap();
    let label = url.masked();
    let mut db = Db::open(&url).unwrap();

    // Nothing loaded yet.
    let e = export::export(&mut db, &label, "customer", None).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("`customer`") && text.contains("crmkit load"),
        "{text}"
    );

    load_customers(&mut db, &label, dir.path());
    let e = export::export(&mut db, &label, "custmer", None).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("`custmer`"), "{text}");
    assert!(text.contains("已载入的表: customer"), "{text}");
    // A table that exists but that crmkit did not load is not exported.
    let e = export::export(&mut db, &label, "crmkit_batch", None).unwrap_err();
    assert!(e.to_string().contains("`crmkit_batch`"), "{e}");
}

#[test]
fn missing_sqlite_file_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing.db");
    let url = DbUrl::parse(&format!("sqlite:{}", path.display())).unwrap();
    let e = match export::open(&url) {
        Ok(_) => panic!("opened a missing database"),
        Err(e) => e,
    };
    assert!(e.to_string().contains("数据库文件不存在"), "{e}");
    assert!(!path.exists());
}

#[test]
fn bad_output_is_refused_before_work() {
    let dir = tempfile::tempdir().unwrap();
    let url = DbUrl::parse("sqlite:crm.db").unwrap();
    assert!(export::check_output(&dir.path().join("out.json"), &url).is_err());
    assert!(export::check_output(&dir.path().join("no/such/dir/out.csv"), &url).is_err());
    assert!(export::check_output(&dir.path().join("out.xlsx"), &url).is_ok());
}

/// The same export against PostgreSQL, when `CRMKIT_TEST_PG_URL` names a throwaway database:
/// crmkit's tables there are dropped first.
#[test]
fn exports_postgres_when_configured() {
    let Ok(text) = std::env::var("CRMKIT_TEST_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set CRMKIT_TEST_PG_URL (see .ci/run)"
        );
        eprintln!("CRMKIT_TEST_PG_URL not set: PostgreSQL export not tested");
        return;
    };
    // A database of its own on the test server.
    let server = DbUrl::parse(&text).unwrap();
    let mut client = server
        .postgres_config()
        .unwrap()
        .connect(postgres::NoTls)
        .unwrap();
    client
        .batch_execute("DROP DATABASE IF EXISTS crmkit_export_test WITH (FORCE)")
        .unwrap();
    client
        .batch_execute("CREATE DATABASE crmkit_export_test")
        .unwrap();
    drop(client);
    let base = text.rsplit_once('/').map_or(text.as_str(), |(b, _)| b);
    let url = DbUrl::parse(&format!("{base}/crmkit_export_test")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut db = Db::open(&url).unwrap();
    load_customers(&mut db, &url.masked(), dir.path());
    check_exports(&mut db, &url.masked(), &url, dir.path());
}
