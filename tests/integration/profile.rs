//! `crmkit profile`: the numbers of a hand-counted fixture, thresholds and exit codes, the
//! before/after comparison, dedupe cluster sizes, escaping and masking in the HTML, and the
//! report rendered in headless Chromium with nothing loaded from outside.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{crmkit_in, files_in, fixture};

const TODAY: &str = "2026-11-22";
const INPUT: &str = "profile/customers_profile.csv";

fn run(dir: &Path, args: &[&str]) -> crate::util::Run {
    let mut all = args.to_vec();
    all.extend(["--today", TODAY]);
    crmkit_in(dir, &all)
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The profile's column with this template header.
fn column<'a>(profile: &'a Value, header: &str) -> &'a Value {
    profile["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["header"] == header)
        .unwrap_or_else(|| panic!("no column {header}"))
}

fn pairs(list: &Value, key: &str) -> Vec<(String, u64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let k = match &v[key] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k, v["count"].as_u64().unwrap())
        })
        .collect()
}

fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 1e-9, "{a} != {expected}");
}

fn owned(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// Every number below was counted by hand from the fixture (see fixtures/README.md).
#[test]
fn numbers_match_the_hand_counted_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(INPUT);
    run(
        dir.path(),
        &[
            "profile", &input, "-t", "customer", "-o", "r.html", "--json", "r.json",
        ],
    )
    .code(1)
    .stdout_has("总分 88.6%")
    .stderr_has("联系电话 完整率 88.9% 低于下限 95%");
    let report = json(&dir.path().join("r.json"));
    let p = &report["profile"];
    assert_eq!(p["rows"], 18);
    assert_eq!(p["template"], "customer");
    // 287/324: see SCORE_FORMULA and fixtures/README.md.
    close(&p["score"], 287.0 / 324.0);

    let phone = column(p, "联系电话");
    assert_eq!(phone["letter"], "E");
    assert_eq!(phone["filled"], 16);
    assert_eq!(phone["empty"], 2);
    close(&phone["completeness"], 16.0 / 18.0);
    assert_eq!(phone["invalid"], 3);
    close(&phone["validity"], 13.0 / 16.0);
    assert_eq!(phone["distinct"], 13);
    assert_eq!(phone["duplicates"], 3);
    assert_eq!(phone["duplicated_rows"], 5);
    close(&phone["uniqueness"], 13.0 / 16.0);
    assert_eq!(
        pairs(&phone["top_values"], "value")[..2],
        owned(&[("138****8000", 3), ("139****5678", 2)])
    );
    assert_eq!(
        pairs(&phone["digit_counts"], "size"),
        owned(&[("10", 2), ("11", 13), ("12", 1)])
    );
    assert_eq!(
        pairs(&phone["lengths"], "size"),
        owned(&[("10", 2), ("11", 12), ("12", 1), ("13", 1)])
    );
    assert_eq!(
        pairs(&phone["patterns"], "value"),
        owned(&[
            ("99999999999", 12),
            ("9999999999", 2),
            ("999 9999 9999", 1),
            ("999999999999", 1)
        ])
    );
    assert_eq!(phone["distinct_patterns"], 4);

    let next = column(p, "下次跟进时间");
    assert_eq!(next["filled"], 17);
    assert_eq!(next["invalid"], 2);
    close(&next["validity"], 15.0 / 17.0);
    assert_eq!(next["distinct"], 16);
    assert_eq!(next["duplicates"], 1);
    assert_eq!(next["dates"]["parsed"], 15);
    assert_eq!(next["dates"]["unparsed"], 2);
    assert_eq!(next["dates"]["min"], "2023-12-01 08:00");
    assert_eq!(next["dates"]["max"], "2025-03-10 16:00");

    let name = column(p, "客户名称");
    assert_eq!(name["filled"], 17);
    assert_eq!(name["distinct"], 14);
    assert_eq!(name["duplicates"], 3);
    close(&name["validity"], 1.0);
    assert_eq!(
        pairs(&name["top_values"], "value")[..2],
        owned(&[("北京华远软件科技有限公司", 3), ("上海华远贸易有限公司", 2)])
    );
    assert_eq!(pairs(&name["patterns"], "value")[..1], owned(&[("汉", 17)]));

    let level = column(p, "客户等级");
    assert_eq!(
        pairs(&level["top_values"], "value"),
        owned(&[("普通", 8), ("重点", 5), ("VIP", 4), ("黄金客户", 1)])
    );
    close(&level["validity"], 17.0 / 18.0);

    // Names are masked as rules/mask.toml says: 张伟 → 张*.
    let contact = column(p, "联系人");
    assert_eq!(
        pairs(&contact["top_values"], "value")[0],
        ("张*".to_string(), 4)
    );

    // A field the input lacks: no numbers, and it does not count towards the score.
    let email = column(p, "电子邮箱");
    assert_eq!(email["input_header"], Value::Null);
    assert_eq!(email["filled"], 0);

    // The built-in thresholds (rules/profile.toml): three breached.
    let alerts: Vec<(String, String)> = report["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["column"].as_str().unwrap_or("").to_string(),
                a["metric"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        alerts,
        [
            ("客户名称", "completeness"),
            ("联系电话", "completeness"),
            ("联系电话", "validity")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn thresholds_from_a_rules_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(INPUT);
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();

    // Met: exit 0.
    write(
        "low.toml",
        "[customer]\noverall = 0.5\n[customer.mobile]\ncompleteness = 0.8\nvalidity = 0.8\n",
    );
    run(
        dir.path(),
        &[
            "profile", &input, "-t", "customer", "-o", "r.html", "--rules", "low.toml",
        ],
    )
    .code(0)
    .stderr_has("已写入 r.html");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("所有阈值均满足"));

    // Breached, by field key or header: exit 1, alerts in the report.
    write(
        "high.toml",
        "[customer]\noverall = 0.95\n[customer.\"下次跟进时间\"]\nvalidity = 0.9\n",
    );
    run(
        dir.path(),
        &[
            "profile",
            &input,
            "-t",
            "customer",
            "-o",
            "r.html",
            "--rules",
            "high.toml",
        ],
    )
    .code(1)
    .stderr_has("总分 88.6% 低于下限 95%")
    .stderr_has("下次跟进时间 有效率 88.2% 低于下限 90%");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("告警 2 条"));

    // An unknown column or metric: exit 2, naming the file and the key; nothing written.
    write("col.toml", "[customer.\"电话号码\"]\ncompleteness = 0.9\n");
    run(
        dir.path(),
        &[
            "profile", &input, "-t", "customer", "-o", "x.html", "--rules", "col.toml",
        ],
    )
    .code(2)
    .stderr_has("col.toml: customer.\"电话号码\": 模板 customer 没有列 `电话号码`");
    write("metric.toml", "[customer.\"联系电话\"]\nfilled = 0.9\n");
    run(
        dir.path(),
        &[
            "profile",
            &input,
            "-t",
            "customer",
            "-o",
            "x.html",
            "--rules",
            "metric.toml",
        ],
    )
    .code(2)
    .stderr_has("metric.toml: customer.\"联系电话\".filled: 未知的指标 `filled`");
    write("value.toml", "[customer]\noverall = 90\n");
    run(
        dir.path(),
        &[
            "profile",
            &input,
            "-t",
            "customer",
            "-o",
            "x.html",
            "--rules",
            "value.toml",
        ],
    )
    .code(2)
    .stderr_has("value.toml: customer.overall: 应为 0 到 1 之间的数");
    assert!(!files_in(dir.path()).contains(&"x.html".to_string()));
}

#[test]
fn before_and_after_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(INPUT);
    run(
        dir.path(),
        &["clean", &input, "-t", "customer", "-o", "clean.csv"],
    )
    .code(1);
    run(
        dir.path(),
        &[
            "profile",
            "clean.csv",
            "-t",
            "customer",
            "--before",
            &input,
            "-o",
            "r.html",
            "--json",
            "r.json",
            "--rules",
            "none.toml",
        ],
    )
    .code(2)
    .stderr_has("none.toml");
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    run(
        dir.path(),
        &[
            "profile",
            "clean.csv",
            "-t",
            "customer",
            "--before",
            &input,
            "-o",
            "r.html",
            "--json",
            "r.json",
            "--rules",
            "none.toml",
        ],
    )
    .code(0)
    // The cleaned file has every template column, the optional ones empty: they do not count.
    .stdout_has("总分 88.6% (之前 88.6%)");
    let report = json(&dir.path().join("r.json"));
    let (after, before) = (&report["profile"], &report["before"]);
    assert_eq!(before["rows"], 18);
    // Cleaning wrote 138 0013 8000 as 13800138000 and 2024/7/1 9:00 as 2024-07-01 09:00.
    assert_eq!(column(before, "联系电话")["distinct"], 13);
    assert_eq!(column(after, "联系电话")["distinct"], 12);
    assert_eq!(
        pairs(&column(after, "联系电话")["top_values"], "value")[0],
        ("138****8000".to_string(), 4)
    );
    assert_eq!(column(after, "下次跟进时间")["dates"]["parsed"], 15);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<h4>之前</h4>") && html.contains("<h4>之后</h4>"));
    assert!(html.contains("完整率 Δ"));
}

#[test]
fn cluster_size_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(INPUT);
    // As `crmkit dedupe --clusters` writes it: clusters 7 (3 rows), 9 (2), 4, 5, 6 (1 each).
    let mut clusters =
        String::from("\u{feff}file,row,cluster,cluster_size,score,match_file,match_row\r\n");
    for (row, cluster) in [
        (2, 7),
        (3, 7),
        (4, 9),
        (5, 7),
        (6, 9),
        (7, 4),
        (8, 5),
        (9, 6),
    ] {
        clusters.push_str(&format!("a.csv,{row},{cluster},0,,,\r\n"));
    }
    std::fs::write(dir.path().join("clusters.csv"), clusters).unwrap();
    run(
        dir.path(),
        &[
            "profile",
            &input,
            "-t",
            "customer",
            "-o",
            "r.html",
            "--json",
            "r.json",
            "--clusters",
            "clusters.csv",
        ],
    )
    .code(1)
    .stdout_has("去重簇: 记录 8 条, 实体 5 个; 簇大小 1:3 2:1 3:1");
    let report = json(&dir.path().join("r.json"));
    let c = &report["clusters"];
    assert_eq!(c["records"], 8);
    assert_eq!(c["entities"], 5);
    assert_eq!(c["duplicate_records"], 5);
    assert_eq!(
        pairs(&c["sizes"], "size"),
        owned(&[("1", 3), ("2", 1), ("3", 1)])
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("data-chart=\"clusters\""));

    std::fs::write(dir.path().join("bad.csv"), "a,b\n1,2\n").unwrap();
    run(
        dir.path(),
        &[
            "profile",
            &input,
            "-t",
            "customer",
            "-o",
            "r.html",
            "--clusters",
            "bad.csv",
        ],
    )
    .code(2)
    .stderr_has("没有 cluster 列");
}

/// Cell values and headers cannot inject markup; phone numbers never appear unmasked.
#[test]
fn the_report_escapes_and_masks() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("evil.csv");
    std::fs::write(
        &input,
        "客户名称,联系人,职位,联系电话<b>,所属行业,客户等级,跟进状态,下次跟进时间\n\
         \"<script>alert(1)</script>有限公司\",张伟,\"</svg><img src=x onerror=alert(2)>\",13800138000,制造业,VIP,成交,2024-06-15 14:30\n\
         \"A&B\"\"'公司\",李娜,经理,13912345678,制造业,VIP,成交,2024-06-15 14:30\n",
    )
    .unwrap();
    run(
        dir.path(),
        &[
            "profile", "evil.csv", "-t", "customer", "-o", "r.html", "--json", "r.json",
        ],
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;有限公司"));
    assert!(html.contains("&lt;/svg&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("A&amp;B&quot;&#39;公司"));
    // The header as written, shown beside the template header.
    assert!(html.contains("输入 D 列 &quot;联系电话&lt;b&gt;&quot;"));
    for raw in [
        "<script",
        "<img",
        "onerror=alert(2)>",
        "<b>",
        "13800138000",
        "13912345678",
    ] {
        assert!(!html.contains(raw), "the report holds {raw:?}");
    }
    assert!(html.contains("138****8000"));
    let json = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    assert!(!json.contains("13800138000"));
    // Self-contained: no scripts, no links, no external resources.
    for external in [
        "<script", "<link", "src=\"", "href=", "url(", "@import", "https://",
    ] {
        assert!(!html.contains(external), "the report holds {external:?}");
    }
}

#[test]
fn outputs_are_checked_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(INPUT);
    run(
        dir.path(),
        &["profile", &input, "-t", "customer", "-o", "r.pdf"],
    )
    .code(2)
    .stderr_has("r.pdf: 不支持的输出文件类型 `pdf`; 应为 .html 或 .htm (例如 report.html)");
    run(
        dir.path(),
        &[
            "profile",
            &input,
            "-t",
            "customer",
            "-o",
            "no/such/dir/r.html",
        ],
    )
    .code(2);
    assert!(files_in(dir.path()).is_empty());
    // The report never overwrites the file it compares with.
    std::fs::copy(&input, dir.path().join("raw.html")).unwrap();
    run(
        dir.path(),
        &[
            "profile", &input, "-t", "customer", "--before", "raw.html", "-o", "raw.html",
        ],
    )
    .code(2)
    .stderr_has("raw.html: 输出文件就是输入文件");
}

/// The Chromium binary: `CRMKIT_CHROMIUM`, else /usr/bin/chromium; `None` (skip) when missing,
/// except under CI, where it must be there (`.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CRMKIT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "CI must provide Chromium at {} (CRMKIT_CHROMIUM; .ci/run installs it)",
            path.display()
        );
    }
    eprintln!(
        "{} not found: the headless Chromium check of the profile report is skipped (apt-get install -y chromium, or set CRMKIT_CHROMIUM)",
        path.display()
    );
    None
}

/// Hosts Chromium itself calls at start (component updates, accounts) whatever the page; a
/// request to any other URL would come from the report.
fn browser_own(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split(['/', ':', '?'])
        .next()
        .unwrap_or("");
    ["google.com", "googleapis.com", "gvt1.com", "gstatic.com"]
        .iter()
        .any(|own| host == *own || host.ends_with(&format!(".{own}")))
}

#[test]
fn the_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(INPUT);
    run(
        dir.path(),
        &[
            "profile",
            &input,
            "-t",
            "customer",
            "-o",
            "report.html",
            "--clusters",
            &fixture("profile/clusters.csv"),
        ],
    )
    .code(1);
    let report = dir.path().join("report.html");
    let netlog = dir.path().join("netlog.json");
    let output = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,4000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--screenshot")
        .arg("--dump-dom")
        .arg(format!("file://{}", report.display()))
        .current_dir(dir.path())
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && dom.contains("</html>"),
        "chromium failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // Parsed as HTML, the charts are SVG elements with bars, the numbers are there, and the
    // markup in the 备注 cell stayed text.
    let charts = dom.matches("<svg class=\"chart\"").count();
    assert!(charts >= 30, "only {charts} charts");
    for kind in ["top", "lengths", "patterns", "digits", "clusters"] {
        assert!(
            dom.contains(&format!("data-chart=\"{kind}\"")),
            "no {kind} chart"
        );
    }
    assert!(dom.matches("<rect ").count() > 100);
    for text in [
        "总分 88.6%",
        "告警 3 条",
        "联系电话",
        "138****8000",
        "10 位",
        "2023-12-01 08:00",
    ] {
        assert!(dom.contains(text), "the rendered page lacks {text:?}");
    }
    assert!(!dom.contains("<img"));
    // A screenshot was taken (the page rendered to pixels).
    let png = std::fs::metadata(dir.path().join("screenshot.png")).expect("screenshot.png");
    assert!(png.len() > 10_000);
    // Nothing requested from outside: every URL in Chromium's network log is its own.
    let log = std::fs::read_to_string(&netlog).expect("net log");
    let outside: Vec<&str> = log
        .split("\"url\":\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|url| !browser_own(url))
        .collect();
    assert!(outside.is_empty(), "the page requested {outside:?}");
}

/// A workbook with a banner row and headers in the client's words is read as `import` reads it.
#[test]
fn workbooks_are_read_through_the_importer() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    run(
        dir.path(),
        &[
            "profile",
            &fixture("customers.xlsx"),
            "-t",
            "customer",
            "-o",
            "r.html",
            "--json",
            "r.json",
            "--rules",
            "none.toml",
        ],
    )
    .code(0)
    .stdout_has("[客户信息]: 模板 customer 客户信息, 数据 5 行");
    let p = &json(&dir.path().join("r.json"))["profile"];
    assert_eq!(p["sheet"], "客户信息");
    assert_eq!(p["rows"], 5);
    let name = column(p, "客户名称");
    assert_eq!(name["input_header"], "公司名称");
    assert_eq!(name["letter"], "B");
}
