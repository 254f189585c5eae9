//! `crmkit template list | show | xlsx`, and template files with mistakes.

use crmkit_core::mapping::{map_headers, MatchKind};
use crmkit_core::template::Template;

use crate::util::{crmkit, crmkit_in, files_in, part};

#[test]
fn list_shows_every_builtin_template() {
    let run = crmkit(&["template", "list"]);
    run.code(0);
    for name in [
        "customer",
        "lead",
        "followup",
        "opportunity",
        "order",
        "ticket",
    ] {
        run.stdout_has(name);
    }
    run.stdout_has("客户信息").stdout_has("服务工单");
}

#[test]
fn show_lists_fields_types_aliases_and_values() {
    crmkit(&["template", "show", "customer"])
        .code(0)
        .stdout_has("customer_name")
        .stdout_has("公司名称")
        .stdout_has("mobile")
        .stdout_has("VIP")
        .stdout_has("年采购额")
        .stdout_has("示例");
    // The rules validate applies, from the template and its rule set.
    crmkit(&["template", "show", "lead"])
        .code(0)
        .stdout_has("unique:lead_code")
        .stdout_has("regex ^XS\\d{3,}$")
        .stdout_has("compare ≥ 获取时间");
    crmkit(&["template", "show", "customer"])
        .code(0)
        .stdout_has("enum_by_range 年采购额(万元): VIP [50, …)");
    crmkit(&["template", "show", "fixtures/templates/person.toml"])
        .code(0)
        .stdout_has("id_card");
}

#[test]
fn blank_xlsx_template_for_every_builtin() {
    for template in Template::builtins().unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let run = crmkit_in(
            dir.path(),
            &["template", "xlsx", &template.name, "-o", "t.xlsx"],
        );
        run.code(0).stderr_has("已写入 t.xlsx");
        assert_eq!(files_in(dir.path()), ["t.xlsx"]);
        let path = dir.path().join("t.xlsx");

        // Sheets: the data sheet named after the table, then the instructions.
        let mut book = crmkit_core::read::Book::open(&path, &Default::default()).unwrap();
        let names: Vec<&str> = book
            .sheets()
            .iter()
            .filter(|s| s.visible)
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(names, [template.title.as_str(), "填写说明"]);
        let grid = book.grid(Some(&template.title)).unwrap();
        let headers: Vec<String> = grid.rows[0].cells.iter().map(String::from).collect();
        assert_eq!(headers.len(), template.fields.len());
        for (h, f) in headers.iter().zip(&template.fields) {
            let expected = if f.required {
                format!("*{}", f.header)
            } else {
                f.header.clone()
            };
            assert_eq!(h, &expected);
        }
        // Its own headers map back exactly.
        let mapping = map_headers(&template, &headers);
        assert!(mapping
            .columns
            .iter()
            .all(|c| c.target.as_ref().unwrap().kind == MatchKind::Exact));
        let guide = book.grid(Some("填写说明")).unwrap();
        assert_eq!(guide.rows.len(), template.fields.len() + 1);

        let sheet = part(&path, "xl/worksheets/sheet1.xml");
        // One dropdown per enum field.
        let enums = template
            .fields
            .iter()
            .filter(|f| !f.values.is_empty())
            .count();
        assert_eq!(
            sheet.matches("<dataValidation ").count(),
            enums,
            "{}",
            template.name
        );
        assert!(sheet.contains("<pane ySplit=\"1\""), "header not frozen");
        // One comment (填写规范 + example) per header.
        let comments = part(&path, "xl/comments1.xml");
        assert_eq!(comments.matches("<comment ").count(), template.fields.len());
        for f in &template.fields {
            if !f.example.is_empty() {
                assert!(
                    comments.contains(&format!(
                        "示例: {}",
                        f.example
                            .replace('&', "&amp;")
                            .replace('<', "&lt;")
                            .replace('>', "&gt;")
                            .replace('"', "&quot;")
                    )) || comments.contains(&format!("示例: {}", f.example)),
                    "{} example",
                    f.key
                );
            }
        }
        // Identifier columns are text-formatted (built-in format 49, "@").
        if template.fields.iter().any(|f| f.kind.is_digit_identifier()) {
            let styles = part(&path, "xl/styles.xml");
            assert!(
                styles.contains("numFmtId=\"49\""),
                "no text format in {}",
                template.name
            );
        }
    }
}

#[test]
fn customer_blank_template_specifics() {
    let dir = tempfile::tempdir().unwrap();
    crmkit_in(
        dir.path(),
        &["template", "xlsx", "customer", "-o", "c.xlsx"],
    )
    .code(0);
    let path = dir.path().join("c.xlsx");
    let sheet = part(&path, "xl/worksheets/sheet1.xml");
    // 客户等级 is the 9th column (I): its dropdown lists the three levels.
    assert!(sheet.contains("\"VIP,重点,普通\""), "{sheet}");
    // 联系电话 (F) is text-formatted as a column, so 13800138000 stays as typed.
    let template = Template::resolve("customer").unwrap();
    let mobile = template
        .fields
        .iter()
        .position(|f| f.key == "mobile")
        .unwrap()
        + 1;
    let col = sheet
        .split("<col ")
        .find(|c| c.contains(&format!("min=\"{mobile}\"")))
        .expect("a <col> entry for the mobile column");
    assert!(col.contains("style="), "{col}");
}

#[test]
fn template_file_mistakes_name_the_file_and_key() {
    let cases = [
        ("name = \"t\"\ntitle = \"x\"\n[[fields]]\nkey = \"a\"\nheader = \"甲\"\ntype = \"txt\"\n", "fields[0].type", "unknown variant `txt`"),
        ("name = \"t\"\ntitle = \"x\"\n[[fields]]\nkey = \"a\"\nheader = \"甲\"\ntype = \"text\"\nrequird = true\n", "fields[0]", "unknown field `requird`"),
        ("name = \"t\"\ntitle = \"x\"\n[[fields]]\nkey = \"a\"\nheader = \"甲\"\ntype = \"enum\"\n", "fields[0].values", "needs a list of values"),
        ("name = \"t\"\ntitle = \"x\"\n[[fields]]\nkey = \"a\"\nheader = \"甲\"\ntype = \"text\"\n[[fields]]\nkey = \"a\"\nheader = \"乙\"\ntype = \"text\"\n", "fields[1].key", "used twice"),
        ("name = \"t\"\ntitle = \"x\"\n[[fields]]\nkey = \"a\"\nheader = \"甲\"\ntype = \"text\"\n[[fields]]\nkey = \"b\"\nheader = \"乙\"\naliases = [\"甲 \"]\ntype = \"text\"\n", "fields[1].aliases[0]", "already the header"),
        ("name = \"t\"\ntitle = \"x\"\n[[fields]]\nkey = \"a\"\nheader = \"甲\"\ntype = \"money\"\nunit = \"美元\"\n", "fields[0].unit", "expected `元` or `万元`"),
        ("name = \"t\"\ntitle = \"x\"\n[[fields]]\nkey = \"A b\"\nheader = \"甲\"\ntype = \"text\"\n", "fields[0].key", "snake_case"),
        ("name = \"t\"\ntitle = \"x\"\nfields = [\n", "(syntax)", "line"),
        ("name = \"t\"\n[[fields]]\nkey = \"a\"\nheader = \"甲\"\ntype = \"text\"\n", "", "missing field `title`"),
    ];
    for (text, key, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.toml"), text).unwrap();
        let run = crmkit_in(dir.path(), &["template", "show", "bad.toml"]);
        run.code(2)
            .stderr_has("bad.toml: ")
            .stderr_has(key)
            .stderr_has(message);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        // The same file is refused by import, before any input is read.
        crmkit_in(dir.path(), &["import", "whatever.csv", "-t", "bad.toml"])
            .code(2)
            .stderr_has("bad.toml");
    }
}
