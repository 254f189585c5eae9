//! `crmkit run pipeline.toml`: the demo end to end into a real SQLite file (and PostgreSQL when
//! `CRMKIT_TEST_PG_URL` is set), the ledger, gates that stop before the load, `--dry-run`,
//! dedupe against the database, the lock, the run report and the log, pipeline-file mistakes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::load::{databases, query};
use crate::util::{crmkit_in, read_csv, root};

/// A copy of `fixtures/demo` in a temporary directory (runs write beside the pipeline file).
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("fixtures/demo")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // What the demo's own runs left there (ignored by git) is not part of it.
        if path.is_file() && !name.starts_with("demo.db") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// The demo's own SQLite database (the pipeline file's `database`) in a copy of the demo.
fn demo_db(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("demo.db").display())
}

/// The run directories under `runs/`, oldest first.
fn runs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir.join("runs"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn report(run_dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(run_dir.join("run.json")).unwrap()).unwrap()
}

fn count(db: &str, table: &str) -> i64 {
    query(db, &format!("SELECT count(*) FROM \"{table}\""))[0][0]
        .as_deref()
        .unwrap()
        .parse()
        .unwrap()
}

/// Whether the demo's database file exists and has `table`.
fn table_exists_in_file(dir: &Path, table: &str) -> bool {
    dir.join("demo.db").exists() && table_exists(&demo_db(dir), table)
}

fn table_exists(db: &str, table: &str) -> bool {
    let sql = if db.starts_with("sqlite:") {
        format!("SELECT count(*) FROM sqlite_master WHERE name = '{table}'")
    } else {
        format!("SELECT count(*) FROM information_schema.tables WHERE table_name = '{table}'")
    };
    query(db, &sql)[0][0].as_deref() != Some("0")
}

#[test]
fn demo_runs_end_to_end_and_a_second_run_loads_nothing_new() {
    let dir = demo();
    for (n, db) in databases(dir.path(), "run_demo").into_iter().enumerate() {
        let first = crmkit_in(dir.path(), &["run", "pipeline.toml", "--db", &db]);
        first
            .code(0)
            .stderr_has("结果: 完成")
            .stderr_has("customer");
        let run_dir = runs(dir.path()).last().unwrap().clone();
        let r = report(&run_dir);
        assert_eq!(r["status"], "done");
        assert_eq!(r["exit_code"], 0);
        assert_eq!(r["inputs"].as_array().unwrap().len(), 4);
        for input in r["inputs"].as_array().unwrap() {
            assert_eq!(input["sha256"].as_str().unwrap().len(), 64);
        }
        // Every row accounted for, per template.
        let customer = &r["reconciliation"]["customer"];
        assert_eq!(customer["read"], 22);
        assert_eq!(customer["rejected_by_validation"], 8);
        assert_eq!(customer["accepted"], 14);
        assert_eq!(customer["merged_by_dedupe"], 5);
        assert_eq!(customer["load"]["inserted"], 9);
        for (table, rec) in r["reconciliation"].as_object().unwrap() {
            assert_eq!(rec["balanced"], true, "{table}");
            let load = &rec["load"];
            let sum: u64 = ["inserted", "updated", "unchanged", "merged", "rejected"]
                .iter()
                .map(|k| load[k].as_u64().unwrap())
                .sum();
            assert_eq!(sum, rec["accepted"].as_u64().unwrap(), "{table}");
            assert_eq!(
                rec["read"].as_u64().unwrap(),
                rec["rejected_by_validation"].as_u64().unwrap() + rec["accepted"].as_u64().unwrap()
            );
        }
        // Step timings, gates and the files a person opens.
        for step in ["discover", "validate", "dedupe", "load"] {
            assert!(
                r["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["step"] == step && s["seconds"].as_f64().unwrap() >= 0.0),
                "{step}"
            );
        }
        assert!(r["gates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["passed"] == true));
        for file in [
            "customer/01-客户资料.findings.csv",
            "customer/01-客户资料.rejects.csv",
            "customer/01-客户资料.changes.csv",
            "customer/golden.csv",
            "customer/clusters.csv",
            "customer/01-客户资料.profile.html",
            "followup/03-跟进记录.profile.html",
            "audit.xlsx",
            "load-rejects.csv",
            "run.log",
        ] {
            assert!(run_dir.join(file).is_file(), "{file}");
        }
        // Findings point at the spreadsheet row a person opens: the banner row counts.
        let (h, rows) = read_csv(&run_dir.join("customer/01-客户资料.findings.csv"));
        assert!(rows.iter().any(|r| crate::util::col(&h, r, "row") == "18"
            && crate::util::col(&h, r, "column") == "联系电话"));
        // The follow-up for a customer nobody entered is refused with the reason.
        let (h, rows) = read_csv(&run_dir.join("load-rejects.csv"));
        assert!(rows
            .iter()
            .any(|r| crate::util::col(&h, r, "_reasons").contains("大连星海渔业有限公司")));

        // The database: golden customers, lineage to the original workbook rows.
        assert_eq!(count(&db, "customer"), 9);
        assert_eq!(count(&db, "followup"), 10);
        assert_eq!(count(&db, "order"), 3);
        assert_eq!(count(&db, "lead"), 5);
        let lineage = query(
            &db,
            "SELECT _source_file, _source_row FROM customer WHERE customer_name = '北京华远软件科技有限公司'",
        );
        assert_eq!(lineage.len(), 1);
        // A golden record names the client's row of its first record, not crmkit's copy.
        assert!(lineage[0][0].as_deref().unwrap().ends_with("客户资料.xlsx"));
        assert_eq!(lineage[0][1].as_deref(), Some("3"));
        assert!(run_dir.join("audit.xlsx").is_file());
        let followup_lineage = query(
            &db,
            "SELECT _source_file, _source_row FROM followup ORDER BY _source_row LIMIT 1",
        );
        assert!(followup_lineage[0][0]
            .as_deref()
            .unwrap()
            .ends_with("跟进记录.csv"));
        assert_eq!(followup_lineage[0][1].as_deref(), Some("2"));
        assert_eq!(count(&db, "crmkit_ledger"), 4);

        // Running it twice loads nothing new.
        let second = crmkit_in(dir.path(), &["run", "pipeline.toml", "--db", &db]);
        second
            .code(0)
            .stderr_has("没有新数据")
            .stderr_has("已加载过");
        let r2 = report(runs(dir.path()).last().unwrap());
        assert_eq!(r2["status"], "nothing_new");
        assert_eq!(count(&db, "customer"), 9);
        assert_eq!(count(&db, "followup"), 10);

        // --force processes the files again: every record is already there, unchanged.
        let forced = crmkit_in(
            dir.path(),
            &["run", "pipeline.toml", "--db", &db, "--force"],
        );
        forced.code(0);
        let r3 = report(runs(dir.path()).last().unwrap());
        assert_eq!(r3["status"], "done");
        for (table, rec) in r3["reconciliation"].as_object().unwrap() {
            assert_eq!(rec["load"]["inserted"], 0, "{table}");
            assert_eq!(rec["load"]["updated"], 0, "{table}");
        }
        assert_eq!(count(&db, "customer"), 9);
        std::fs::remove_dir_all(dir.path().join("runs")).unwrap();
        let _ = n;
    }
}

#[test]
fn a_failed_gate_stops_before_the_load_and_names_the_gate() {
    let dir = demo();
    let pipeline = dir.path().join("pipeline.toml");
    let text = std::fs::read_to_string(&pipeline).unwrap().replace(
        "max_error_rate = { default = 0.5 }",
        "max_error_rate = { default = 0.5, customer = 0.1 }",
    );
    std::fs::write(&pipeline, text).unwrap();
    for db in databases(dir.path(), "run_gate") {
        crmkit_in(dir.path(), &["run", "pipeline.toml", "--db", &db])
            .code(1)
            .stderr_has("max_error_rate")
            .stderr_has("customer: 有错误的行 8 / 22 (36.36%), 上限 10.00%")
            .stderr_has("未通过门槛");
        let r = report(runs(dir.path()).last().unwrap());
        assert_eq!(r["status"], "gate_failed");
        assert_eq!(r["exit_code"], 1);
        let load = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == "load")
            .unwrap();
        assert!(load["status"].as_str().unwrap().starts_with("skipped"));
        assert!(!table_exists(&db, "customer"), "nothing loaded");
        assert!(
            !table_exists(&db, "crmkit_ledger"),
            "nothing recorded as loaded"
        );
        // The person still gets everything to fix the data with.
        let run_dir = runs(dir.path()).last().unwrap().clone();
        assert!(run_dir.join("customer/01-客户资料.rejects.csv").is_file());
        assert!(run_dir.join("customer/golden.csv").is_file());
    }
}

#[test]
fn dry_run_does_everything_but_write_to_the_database() {
    let dir = demo();
    crmkit_in(dir.path(), &["run", "pipeline.toml", "--dry-run"])
        .code(0)
        .stderr_has("--dry-run")
        .stderr_has("演练完成");
    assert!(
        !dir.path().join("demo.db").exists(),
        "no database file made"
    );
    let run_dir = runs(dir.path()).last().unwrap().clone();
    assert!(run_dir.join("customer/golden.csv").is_file());
    let r = report(&run_dir);
    assert_eq!(r["dry_run"], true);
    assert!(r["reconciliation"]["customer"]["load"].is_null());
    // A dry run does not enter the ledger: the real run still loads everything.
    crmkit_in(dir.path(), &["run", "pipeline.toml"]).code(0);
    assert_eq!(count(&demo_db(dir.path()), "customer"), 9);
}

#[test]
fn new_records_match_what_the_database_already_holds() {
    let dir = demo();
    for db in databases(dir.path(), "run_against") {
        crmkit_in(dir.path(), &["run", "pipeline.toml", "--db", &db]).code(0);
        let before = query(
            &db,
            "SELECT _id FROM customer WHERE customer_name = '北京华远软件科技有限公司'",
        );
        // Next night's export: 北京华远 again, written another way with its phone and e-mail,
        // and one new company.
        let next = dir.path().join("客户资料_1123.csv");
        std::fs::write(
            &next,
            "客户名称,联系人,职位,联系电话,电子邮箱,所属行业,客户等级,跟进状态,下次跟进时间\n\
             华远软件科技（北京）有限公司,王建国,采购总监,13800138000,wangjg@huayuan-soft.cn,软件和信息技术服务业,VIP,合同签订,2026-12-20 10:00\n\
             宁波港城物流有限公司,陈刚,物流经理,13857401234,chengang@gcwl.cn,道路运输业,普通,初步接洽,2026-12-21 10:00\n",
        )
        .unwrap();
        let pipeline = dir.path().join("pipeline.toml");
        let text = std::fs::read_to_string(&pipeline).unwrap();
        std::fs::write(
            &pipeline,
            text.replace(
                "files = [\"客户资料.xlsx\"]\nsheet = \"客户\"",
                "files = [\"客户资料*\"]",
            ),
        )
        .unwrap();
        crmkit_in(dir.path(), &["run", "pipeline.toml", "--db", &db]).code(0);
        let r = report(runs(dir.path()).last().unwrap());
        let inputs = r["inputs"].as_array().unwrap();
        assert_eq!(
            inputs.iter().filter(|i| i["skipped"].is_null()).count(),
            1,
            "only the new file: {inputs:?}"
        );
        let dedupe = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == "dedupe")
            .unwrap();
        assert_eq!(dedupe["counts"]["in_database"], 9);
        assert_eq!(dedupe["counts"]["joined_database_records"], 1);
        let load = &r["reconciliation"]["customer"]["load"];
        assert_eq!(load["inserted"], 1, "{load}");
        assert_eq!(load["updated"], 1, "{load}");
        assert_eq!(count(&db, "customer"), 10);
        let after = query(
            &db,
            "SELECT _id, status FROM customer WHERE customer_name = '北京华远软件科技有限公司'",
        );
        assert_eq!(after.len(), 1);
        assert_eq!(after[0][0], before[0][0], "the same row, updated");
        std::fs::write(&pipeline, text).unwrap();
        std::fs::remove_file(&next).unwrap();
    }
}

#[test]
fn two_runs_never_overlap_on_one_database() {
    let dir = demo();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join("demo.db.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    crmkit_in(dir.path(), &["run", "pipeline.toml"])
        .code(2)
        .stderr_has("另一个 crmkit load 正在写入这个数据库");
    drop(lock);
    crmkit_in(dir.path(), &["run", "pipeline.toml"]).code(0);
}

#[test]
fn the_log_is_structured_and_holds_no_phone_numbers() {
    let dir = demo();
    crmkit_in(dir.path(), &["run", "pipeline.toml"]).code(0);
    let run_dir = runs(dir.path()).last().unwrap().clone();
    let log = std::fs::read_to_string(run_dir.join("run.log")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(lines
        .iter()
        .any(|l| l["fields"]["message"] == "run finished"));
    assert!(lines.iter().any(|l| l["fields"]["step"] == "load"));
    let digits = regex_lite_eleven_digits(&log);
    assert!(
        digits.is_empty(),
        "phone-like numbers in the log: {digits:?}"
    );
    // Nor the report.
    let json = std::fs::read_to_string(run_dir.join("run.json")).unwrap();
    assert!(regex_lite_eleven_digits(&json).is_empty());
}

/// Runs of 11 or more digits (a mobile number, an ID number), not the fraction of a number.
fn regex_lite_eleven_digits(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut fraction = false;
    let mut previous = ' ';
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            if run.is_empty() {
                fraction = previous == '.';
            }
            run.push(c);
        } else {
            if run.len() >= 11 && !fraction {
                out.push(run.clone());
            }
            run.clear();
        }
        previous = c;
    }
    out
}

#[test]
fn pipeline_file_mistakes_are_refused_before_anything_runs() {
    let dir = demo();
    let pipeline = dir.path().join("pipeline.toml");
    let original = std::fs::read_to_string(&pipeline).unwrap();
    let cases = [
        (
            "[steps]",
            "[steps]\ndedup = false",
            "pipeline.toml: steps.dedup",
        ),
        (
            "template = \"lead\"",
            "template = \"leads\"",
            "sources[1].template",
        ),
        (
            "max_reject_rate = 0.25",
            "max_reject_rate = 25",
            "gates.max_reject_rate",
        ),
        ("size = 10", "size = 10\naql = 1.0", "audit"),
    ];
    for (from, to, expected) in cases {
        std::fs::write(&pipeline, original.replacen(from, to, 1)).unwrap();
        crmkit_in(dir.path(), &["run", "pipeline.toml"])
            .code(2)
            .stderr_has(expected);
        assert!(
            !dir.path().join("runs").exists(),
            "nothing ran for {expected}"
        );
        assert!(!dir.path().join("demo.db").exists());
    }
    // A named file that is not there: the file and the pipeline key.
    std::fs::write(
        &pipeline,
        original.replace("跟进记录.csv", "跟进记录_missing.csv"),
    )
    .unwrap();
    crmkit_in(dir.path(), &["run", "pipeline.toml"])
        .code(2)
        .stderr_has("跟进记录_missing.csv")
        .stderr_has("文件不存在");
    crmkit_in(dir.path(), &["run", "no-such-pipeline.toml"])
        .code(2)
        .stderr_has("no-such-pipeline.toml");
}

#[test]
fn a_breached_profile_threshold_is_a_gate() {
    let dir = demo();
    let pipeline = dir.path().join("pipeline.toml");
    // Without the demo's own thresholds, the built-in rules/profile.toml asks 95% valid phones.
    let text = std::fs::read_to_string(&pipeline)
        .unwrap()
        .replace("rules = \"profile.toml\"", "");
    std::fs::write(&pipeline, text).unwrap();
    crmkit_in(dir.path(), &["run", "pipeline.toml"])
        .code(1)
        .stderr_has("✗ 门槛 profile")
        .stderr_has("联系电话");
    let r = report(runs(dir.path()).last().unwrap());
    let gate = r["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "profile" && g["passed"] == false)
        .unwrap();
    assert_eq!(gate["template"], "customer");
    assert!(
        !table_exists_in_file(dir.path(), "customer"),
        "nothing loaded"
    );
    // A thresholds file naming a column the template lacks is refused before anything runs.
    std::fs::write(
        dir.path().join("bad.toml"),
        "[customer.\"电话号码\"]\ncompleteness = 0.9\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(&pipeline, format!("{text}rules = \"bad.toml\"\n")).unwrap();
    crmkit_in(dir.path(), &["run", "pipeline.toml"])
        .code(2)
        .stderr_has("电话号码");
}

#[test]
fn a_checked_audit_workbook_gates_the_load() {
    let dir = demo();
    // A dry run draws the sample from the source file; a person checks it.
    crmkit_in(dir.path(), &["run", "pipeline.toml", "--dry-run"]).code(0);
    let drawn = runs(dir.path()).last().unwrap().join("audit.xlsx");
    crate::audit::marked(
        &drawn,
        &dir.path().join("checked.xlsx"),
        crate::audit::all_right_except(&[0, 1]),
    );
    let pipeline = dir.path().join("pipeline.toml");
    let original = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(
        &pipeline,
        original
            .replace(
                "max_reject_rate = 0.25",
                "max_reject_rate = 0.25\nmin_audit_accuracy = 0.98",
            )
            .replace(
                "threshold = 0.98",
                "threshold = 0.98\nchecked = \"checked.xlsx\"",
            ),
    )
    .unwrap();
    crmkit_in(dir.path(), &["run", "pipeline.toml"])
        .code(1)
        .stderr_has("✗ 门槛 min_audit_accuracy")
        .stderr_has("记录准确率 80.00%, 要求 ≥ 98.00%");
    assert!(
        !table_exists_in_file(dir.path(), "customer"),
        "nothing loaded"
    );
    // Every record right: the gate passes and the batch loads.
    crate::audit::marked(
        &drawn,
        &dir.path().join("checked.xlsx"),
        crate::audit::all_right_except(&[]),
    );
    crmkit_in(dir.path(), &["run", "pipeline.toml"])
        .code(0)
        .stderr_has("✓ 门槛 min_audit_accuracy");
    assert_eq!(count(&demo_db(dir.path()), "customer"), 9);
}

#[test]
fn steps_can_be_switched_off() {
    let dir = demo();
    let pipeline = dir.path().join("pipeline.toml");
    let original = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(
        &pipeline,
        original
            .replace("dedupe = true\nload", "dedupe = false\nload")
            // Without dedupe, names that now match two customers are refused by the load.
            .replace("max_reject_rate = 0.25", "max_reject_rate = 0.5")
            .replace("audit = true", "audit = false")
            .replace("profile = true", "profile = false"),
    )
    .unwrap();
    crmkit_in(dir.path(), &["run", "pipeline.toml"]).code(0);
    let run_dir = runs(dir.path()).last().unwrap().clone();
    assert!(!run_dir.join("customer/golden.csv").exists());
    assert!(!run_dir.join("audit.xlsx").exists());
    assert!(!run_dir.join("customer/01-客户资料.profile.html").exists());
    let r = report(&run_dir);
    assert!(!r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["step"] == "dedupe"));
    // Without dedupe the same company's second row is its own customer or a key conflict: not
    // merged into a golden record.
    assert_eq!(r["reconciliation"]["customer"]["merged_by_dedupe"], 0);
    let db = demo_db(dir.path());
    assert!(count(&db, "customer") > 9);
    // Load off: nothing written, the run still checks and reports.
    std::fs::write(&pipeline, original.replace("load = true", "load = false")).unwrap();
    crmkit_in(
        dir.path(),
        &[
            "run",
            "pipeline.toml",
            "--force",
            "--db",
            &format!("sqlite:{}", dir.path().join("other.db").display()),
        ],
    )
    .code(0);
    let r = report(runs(dir.path()).last().unwrap());
    let load = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "load")
        .unwrap();
    assert_eq!(load["status"], "off");
}

#[test]
fn a_file_whose_every_row_fails_hands_nothing_on() {
    // Every row has an error: the accepted file has only its header. Dedupe and load get
    // nothing from it instead of refusing a file without data (exit 2).
    let dir = tempfile::tempdir().unwrap();
    let header = "客户编号,客户名称,统一社会信用代码,联系人,职位,联系电话,电子邮箱,所属行业,\
                  客户等级,年采购额(万元),需求描述,跟进状态,下次跟进时间,省份,城市,地址,负责人,备注";
    let rows = [
        // A phone too short to be one; a missing company name.
        "XS-1,华远软件科技有限公司,,张伟,经理,12345,,制造业,重点,,,初步接洽,,,,,王强,",
        "XS-2,,,李娜,经理,13800138000,,制造业,重点,,,初步接洽,,,,,王强,",
    ];
    std::fs::write(
        dir.path().join("bad.csv"),
        format!("{header}\n{}\n", rows.join("\n")),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pipeline.toml"),
        "name = \"all-bad\"\ndatabase = \"sqlite:all-bad.db\"\n\
         [[sources]]\ntemplate = \"customer\"\nfiles = [\"bad.csv\"]\n\
         [steps]\nprofile = false\n\
         [gates]\nmax_error_rate = 1.0\n",
    )
    .unwrap();
    let run = crmkit_in(dir.path(), &["run", "pipeline.toml"]);
    run.code(0).stderr_has("没有可加载的行");
    let r = report(runs(dir.path()).last().unwrap());
    let rec = &r["reconciliation"]["customer"];
    assert_eq!(rec["read"], 2, "{rec}");
    assert_eq!(rec["accepted"], 0, "{rec}");
    assert_eq!(rec["balanced"], true, "{rec}");
}
