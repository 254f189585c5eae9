//! `crmkit load`: real SQLite files and, when `CRMKIT_TEST_PG_URL` names a server (CI starts a
//! throwaway one), the same tests on PostgreSQL. Idempotence, upsert and insert, references
//! resolved through dedupe, dependency order, rejects, reconciliation, a load killed half-way,
//! bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::{col, crmkit_in, read_csv};

/// Customers prepared once: a generated file, cleaned, deduplicated.
struct Data {
    dir: PathBuf,
    /// Rows of the golden file.
    golden_rows: usize,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        crmkit_in(
            &dir,
            &[
                "synth",
                "-o",
                "raw.csv",
                "--rows",
                "1500",
                "--seed",
                "7",
                "--invalid-rate",
                "0",
            ],
        )
        .code(0);
        crmkit_in(
            &dir,
            &["clean", "raw.csv", "-t", "customer", "-o", "clean.csv"],
        )
        .code(0);
        crmkit_in(
            &dir,
            &[
                "dedupe",
                "clean.csv",
                "-t",
                "customer",
                "--clusters",
                "clusters.csv",
                "--golden",
                "golden.csv",
            ],
        )
        .code(0);
        let (_, rows) = read_csv(&dir.join("golden.csv"));
        Data {
            dir,
            golden_rows: rows.len(),
        }
    })
}

/// The databases to test against: a fresh SQLite file, and a fresh PostgreSQL database when a
/// server is given.
pub(crate) fn databases(dir: &Path, name: &str) -> Vec<String> {
    let mut out = vec![format!(
        "sqlite:{}",
        dir.join(format!("{name}.db")).display()
    )];
    match std::env::var("CRMKIT_TEST_PG_URL") {
        Ok(url) => out.push(fresh_pg(&url, name)),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("CI must set CRMKIT_TEST_PG_URL to a PostgreSQL server (see .ci/run)")
        }
        Err(_) => eprintln!("CRMKIT_TEST_PG_URL not set: {name} runs on SQLite only"),
    }
    out
}

/// A new empty database `crmkit_<name>` on the server of `url`; its URL.
fn fresh_pg(url: &str, name: &str) -> String {
    let mut client =
        postgres::Client::connect(url, postgres::NoTls).expect("connect to CRMKIT_TEST_PG_URL");
    let db = format!("crmkit_{name}");
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    format!("{base}/{db}")
}

/// Rows of a query, every value as text.
pub(crate) fn query(db: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    if let Some(path) = db.strip_prefix("sqlite:") {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| {
            (0..n)
                .map(|i| {
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => None,
                        rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                        rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            Some(String::from_utf8_lossy(t).into_owned())
                        }
                    })
                })
                .collect()
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
    } else {
        let mut client = postgres::Client::connect(db, postgres::NoTls).unwrap();
        client
            .simple_query(sql)
            .unwrap()
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                }
                _ => None,
            })
            .collect()
    }
}

/// The counts of batch 1 while a load runs ("" before it exists).
fn progress_of(db: &str) -> String {
    let sql = "SELECT counts FROM crmkit_batch WHERE id = 1";
    if let Some(path) = db.strip_prefix("sqlite:") {
        let Ok(conn) = rusqlite::Connection::open(path) else {
            return String::new();
        };
        conn.query_row(sql, [], |r| r.get::<_, String>(0))
            .unwrap_or_default()
    } else {
        let Ok(mut client) = postgres::Client::connect(db, postgres::NoTls) else {
            return String::new();
        };
        client
            .query_opt(sql, &[])
            .ok()
            .flatten()
            .map(|r| r.get::<_, String>(0))
            .unwrap_or_default()
    }
}

/// Whether the customer table has its unique index on `_key`.
fn has_key_index(db: &str) -> bool {
    let sql = if db.starts_with("sqlite:") {
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'customer__key' AND sql LIKE '%UNIQUE%'"
    } else {
        "SELECT count(*) FROM pg_indexes WHERE indexname = 'customer__key' AND indexdef LIKE '%UNIQUE%'"
    };
    scalar(db, sql) == "1"
}

fn scalar(db: &str, sql: &str) -> String {
    query(db, sql)[0][0].clone().unwrap_or_default()
}

/// The reconciliation line of a table from stderr: input, inserted, updated, unchanged,
/// merged, rejected.
fn counts(stderr: &str, table: &str) -> [u64; 6] {
    let line = stderr
        .lines()
        .find(|l| l.split_whitespace().next() == Some(table))
        .unwrap_or_else(|| panic!("no {table} line in\n{stderr}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(6)
        .map(|v| v.parse().unwrap())
        .collect();
    [n[0], n[1], n[2], n[3], n[4], n[5]]
}

#[test]
fn loads_once_then_changes_nothing() {
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path(), "idempotent") {
        let first = crmkit_in(&data.dir, &["load", "golden.csv", "--db", &db]);
        first.code(0).stderr_has("一致");
        let g = data.golden_rows as u64;
        assert_eq!(
            counts(&first.stderr, "customer"),
            [1500, g, 0, 0, 1500 - g, 0],
            "{db}"
        );
        assert_eq!(scalar(&db, "SELECT count(*) FROM customer"), g.to_string());
        // Lineage on every row.
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM customer WHERE _batch = 1 AND _source_file LIKE '%golden.csv' AND _source_row >= 2"),
            g.to_string()
        );
        assert!(has_key_index(&db), "{db}: unique index on _key");
        let second = crmkit_in(&data.dir, &["load", "golden.csv", "--db", &db]);
        second.code(0);
        assert_eq!(
            counts(&second.stderr, "customer"),
            [1500, 0, 0, g, 1500 - g, 0],
            "{db}"
        );
        assert_eq!(scalar(&db, "SELECT count(*) FROM customer"), g.to_string());
        let batches = query(
            &db,
            "SELECT id, status, files, templates FROM crmkit_batch ORDER BY id",
        );
        assert_eq!(batches.len(), 2);
        for b in &batches {
            assert_eq!(b[1].as_deref(), Some("done"));
            assert!(b[2].as_deref().unwrap().contains("\"sha256\":\""), "{b:?}");
            assert_eq!(b[3].as_deref(), Some("customer"));
        }
    }
}

#[test]
fn upsert_updates_a_changed_row_and_insert_refuses_existing_ones() {
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = read_csv(&data.dir.join("golden.csv"));
    let name = col(&header, &rows[3], "客户名称").to_string();
    let contact = header.iter().position(|h| h == "联系人").unwrap();
    let mut changed = rows.clone();
    changed[3][contact] = "欧阳明".into();
    let path = dir.path().join("golden_changed.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&header).unwrap();
    for r in &changed {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let changed_path = path.display().to_string();
    for db in databases(dir.path(), "upsert") {
        crmkit_in(&data.dir, &["load", "golden.csv", "--db", &db]).code(0);
        let run = crmkit_in(&data.dir, &["load", &changed_path, "--db", &db]);
        run.code(0);
        let [_, inserted, updated, unchanged, _, rejected] = counts(&run.stderr, "customer");
        assert_eq!(
            (inserted, updated, rejected),
            (0, 1, 0),
            "{db}\n{}",
            run.stderr
        );
        assert_eq!(unchanged, data.golden_rows as u64 - 1);
        let row = query(&db, &format!(
            "SELECT contact_name, _batch, _updated_batch FROM customer WHERE customer_name = '{name}'"
        ));
        assert_eq!(row[0][0].as_deref(), Some("欧阳明"), "{db}");
        assert_eq!(row[0][1].as_deref(), Some("1"), "created by batch 1");
        assert_eq!(row[0][2].as_deref(), Some("2"), "changed by batch 2");
        // insert mode: every row exists, every row refused with the reason; exit 1.
        let refused = crmkit_in(
            &data.dir,
            &["load", "golden.csv", "--db", &db, "--mode", "insert"],
        );
        refused.code(1).stderr_has("--mode upsert");
        let [input, inserted, updated, _, merged, rejected] = counts(&refused.stderr, "customer");
        assert_eq!((inserted, updated), (0, 0));
        assert_eq!(rejected + merged, input);
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM customer"),
            data.golden_rows.to_string()
        );
    }
}

/// Follow-ups name customers as the golden record does, by a spelling dedupe merged away, by
/// code, and not at all; given before the customers, they still load after them.
#[test]
fn references_resolve_through_dedupe_in_dependency_order() {
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    let (gh, golden) = read_csv(&data.dir.join("golden.csv"));
    let alternates = gh.iter().position(|h| h == "客户名称(其他值)").unwrap();
    let merged = golden
        .iter()
        .find(|r| !r[alternates].is_empty() && !r[alternates].contains(';'))
        .expect("a golden record with one merged-away name");
    let golden_name = col(&gh, merged, "客户名称").to_string();
    let merged_away = merged[alternates].clone();
    let other = golden
        .iter()
        .find(|r| !col(&gh, r, "客户编号").is_empty() && r[alternates].is_empty())
        .unwrap();
    let code = col(&gh, other, "客户编号").to_string();
    let followups = dir.path().join("followups.csv");
    std::fs::write(
        &followups,
        format!(
            "客户名称,跟进人,跟进时间,跟进方式,沟通内容摘要\n\
             {golden_name},张伟,2024-03-15 14:30,电话,确认需求\n\
             {merged_away},张伟,2024-03-16 09:00,拜访,上门演示\n\
             {code},李娜,2024-03-17 10:00,电话,报价\n\
             不存在的公司有限公司,李娜,2024-03-18 10:00,电话,无此客户\n\
             {golden_name},张伟,2024-03-15 14:30,电话,确认需求\n"
        ),
    )
    .unwrap();
    let rejects = dir.path().join("rejects.csv");
    for db in databases(dir.path(), "references") {
        let run = crmkit_in(
            &data.dir,
            &[
                "load",
                followups.to_str().unwrap(),
                "golden.csv",
                "--db",
                &db,
                "--rejects",
                rejects.to_str().unwrap(),
            ],
        );
        // One row refused: exit 1 (the default --max-reject-rate is 0).
        run.code(1).stderr_has("不存在的公司有限公司");
        let customer_at = run.stderr.find("\n  customer").unwrap();
        let followup_at = run.stderr.find("\n  followup").unwrap();
        assert!(
            customer_at < followup_at,
            "customers load first:\n{}",
            run.stderr
        );
        // 5 rows: 3 attached, 1 identical repeat merged, 1 rejected.
        assert_eq!(
            counts(&run.stderr, "followup"),
            [5, 3, 0, 0, 1, 1],
            "{db}\n{}",
            run.stderr
        );
        let ids = query(&db, "SELECT f.summary, c.customer_name FROM followup f JOIN customer c ON c._id = f.customer_id ORDER BY f.followed_at");
        let got: Vec<(String, String)> = ids
            .into_iter()
            .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
            .collect();
        assert_eq!(got[0], ("确认需求".into(), golden_name.clone()));
        assert_eq!(
            got[1],
            ("上门演示".into(), golden_name.clone()),
            "merged-away name → golden customer"
        );
        assert_eq!(got[2].1, col(&gh, other, "客户名称"), "customer code");
        let (rh, rr) = read_csv(&rejects);
        assert_eq!(rr.len(), 1);
        assert_eq!(col(&rh, &rr[0], "行"), "5");
        assert!(col(&rh, &rr[0], "_reasons").contains("找不到"), "{rr:?}");
        // Typed columns.
        if db.starts_with("postgres") {
            assert_eq!(scalar(&db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'followup' AND column_name = 'followed_at'"), "timestamp without time zone");
        }
    }
}

/// A load killed with SIGKILL between batches leaves whole batches only; running it again
/// resumes and ends with exactly the rows of an uninterrupted load.
#[test]
fn a_killed_load_resumes_to_the_same_rows() {
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path(), "killed") {
        let clean_db = if db.starts_with("sqlite:") {
            format!("sqlite:{}", dir.path().join("reference.db").display())
        } else {
            fresh_pg(
                &std::env::var("CRMKIT_TEST_PG_URL").unwrap(),
                "killed_reference",
            )
        };
        crmkit_in(
            &data.dir,
            &[
                "load",
                "golden.csv",
                "--db",
                &clean_db,
                "--batch-size",
                "50",
            ],
        )
        .code(0);

        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_crmkit"))
            .args(["load", "golden.csv", "--db", &db, "--batch-size", "50"])
            .env("CRMKIT_TEST_PAUSE_AFTER_CHUNK_MS", "100")
            .current_dir(&data.dir)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until a few batches are committed, then kill.
        let start = std::time::Instant::now();
        loop {
            std::thread::sleep(std::time::Duration::from_millis(20));
            let done = progress_of(&db);
            if done.contains("\"done\":150") || done.contains("\"done\":200") {
                break;
            }
            assert!(start.elapsed().as_secs() < 60, "the load never got going");
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(
            scalar(&db, "SELECT status FROM crmkit_batch WHERE id = 1"),
            "running"
        );
        let loaded: usize = scalar(&db, "SELECT count(*) FROM customer")
            .parse()
            .unwrap();
        assert!(
            loaded.is_multiple_of(50) && loaded > 0 && loaded < data.golden_rows,
            "whole batches only: {loaded}"
        );
        assert!(
            !has_key_index(&db),
            "a first load drops the key index until its end"
        );

        let rerun = crmkit_in(
            &data.dir,
            &["load", "golden.csv", "--db", &db, "--batch-size", "50"],
        );
        rerun.code(0).stderr_has("继续");
        let g = data.golden_rows as u64;
        assert_eq!(
            counts(&rerun.stderr, "customer"),
            [1500, g, 0, 0, 1500 - g, 0],
            "{db}"
        );
        assert_eq!(
            scalar(&db, "SELECT status FROM crmkit_batch WHERE id = 1"),
            "done"
        );
        assert_eq!(scalar(&db, "SELECT count(*) FROM crmkit_batch"), "1");
        // The first load into the empty table built its key index at the end; the killed one
        // had dropped it, and the re-run built it again.
        assert!(has_key_index(&db), "{db}: unique index on _key");
        assert!(has_key_index(&clean_db), "{clean_db}: unique index on _key");
        let dump = |url: &str| -> BTreeMap<String, Vec<Option<String>>> {
            query(url, "SELECT * FROM customer")
                .into_iter()
                .map(|mut r| {
                    r.remove(0); // _id: PostgreSQL does not give back identity values a rolled-back batch took
                    (format!("{:?}", r), r)
                })
                .collect()
        };
        assert_eq!(dump(&db), dump(&clean_db), "{db}");
    }
}

/// PostgreSQL writes every other chunk on a second connection. When a chunk fails (here a
/// trigger refuses one row), the chunks after it are not committed, whichever connection
/// wrote them: the table holds the rows of the chunks before it, in input order, and a
/// re-run resumes to the rows of an uninterrupted load.
#[test]
fn a_failed_chunk_on_either_postgres_connection_leaves_only_the_chunks_before_it() {
    let Ok(url) = std::env::var("CRMKIT_TEST_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set CRMKIT_TEST_PG_URL"
        );
        return;
    };
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    // Keys in input order: SQLite writes them in order on one connection.
    let reference = format!("sqlite:{}", dir.path().join("order.db").display());
    let load = |db: &str| {
        crmkit_in(
            &data.dir,
            &["load", "golden.csv", "--db", db, "--batch-size", "50"],
        )
    };
    load(&reference).code(0);
    let keys: Vec<String> = query(&reference, "SELECT _key FROM customer ORDER BY _id")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    let key_set = |db: &str| -> std::collections::BTreeSet<String> {
        query(db, "SELECT _key FROM customer")
            .into_iter()
            .map(|r| r[0].clone().unwrap())
            .collect()
    };
    // Rows in consecutive chunks, so that both connections meet a refused row.
    for at in [260, 310, 360] {
        let db = fresh_pg(&url, &format!("failed_chunk_{at}"));
        load(&db).code(0);
        let mut client = postgres::Client::connect(&db, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!(
                "DELETE FROM customer;
                 CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                   IF NEW._key = '{}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                   RETURN NEW;
                 END $$;
                 CREATE TRIGGER refuse BEFORE INSERT ON customer
                   FOR EACH ROW EXECUTE FUNCTION refuse();",
                keys[at].replace('\'', "''")
            ))
            .unwrap();
        load(&db).code(2).stderr_has("refused by the test");
        let loaded = key_set(&db);
        assert!(
            !loaded.is_empty() && loaded.len() <= at,
            "{at}: {}",
            loaded.len()
        );
        let prefix: std::collections::BTreeSet<String> =
            keys[..loaded.len()].iter().cloned().collect();
        assert_eq!(
            loaded, prefix,
            "{at}: the chunks before the refused row, no later one"
        );

        client
            .batch_execute("DROP TRIGGER refuse ON customer")
            .unwrap();
        load(&db).code(0).stderr_has("继续");
        assert_eq!(key_set(&db), keys.iter().cloned().collect(), "{at}");
    }
}

/// SQLite's file header says which journal the database uses: 2 the WAL, 1 a rollback journal.
fn sqlite_journal_byte(path: &Path) -> u8 {
    std::fs::read(path).unwrap()[18]
}

/// A first load into an empty SQLite table commits through a rollback journal (each page
/// written once) and leaves the database in WAL mode; with another connection open it keeps
/// the WAL throughout and loads the same rows.
#[test]
fn a_first_sqlite_load_writes_through_a_rollback_journal_and_ends_in_wal() {
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let db = format!("sqlite:{}", path.display());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_crmkit"))
        .args(["load", "golden.csv", "--db", &db, "--batch-size", "50"])
        .env("CRMKIT_TEST_PAUSE_AFTER_CHUNK_MS", "50")
        .current_dir(&data.dir)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let mut during = None;
    while child.try_wait().unwrap().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(10));
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 100) {
            during = Some(sqlite_journal_byte(&path));
            if during == Some(1) {
                break;
            }
        }
        assert!(start.elapsed().as_secs() < 60, "the load never got going");
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(during, Some(1), "rollback journal while loading");
    assert_eq!(sqlite_journal_byte(&path), 2, "WAL again at the end");
    assert_eq!(scalar(&db, "PRAGMA journal_mode"), "wal");
    let rows = scalar(&db, "SELECT count(*) FROM customer");
    assert_eq!(rows, data.golden_rows.to_string());
    assert!(has_key_index(&db));

    // Another connection open: the switch is not made (it would have to wait), the load is
    // the same.
    let other_path = dir.path().join("shared.db");
    let other = format!("sqlite:{}", other_path.display());
    let reader = rusqlite::Connection::open(&other_path).unwrap();
    reader
        .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE mine (x)")
        .unwrap();
    let load = crmkit_in(
        &data.dir,
        &["load", "golden.csv", "--db", &other, "--batch-size", "50"],
    );
    load.code(0);
    assert_eq!(sqlite_journal_byte(&other_path), 2);
    let count: String = reader
        .query_row("SELECT count(*) FROM customer", [], |r| {
            r.get::<_, i64>(0).map(|n| n.to_string())
        })
        .unwrap();
    assert_eq!(count, rows);
}

/// A first SQLite load killed while it writes (no pause between batches, so the kill lands
/// inside a batch's transaction and leaves a hot rollback journal: three of three attempts did
/// when this test was written): the next run rolls the half batch back, resumes, and ends with
/// exactly the rows of an uninterrupted load, in WAL mode, the file intact.
#[test]
fn a_first_sqlite_load_killed_inside_a_batch_resumes_to_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| crmkit_in(dir.path(), args);
    run(&[
        "synth",
        "-o",
        "raw.csv",
        "--rows",
        // Enough that the load is still running when the kill comes on a busy machine (20,000
        // rows once finished between the poll that saw 1,000 done and the kill).
        "50000",
        "--seed",
        "13",
        "--dup-rate",
        "0",
        "--invalid-rate",
        "0",
    ])
    .code(0);
    run(&["clean", "raw.csv", "-t", "customer", "-o", "clean.csv"]).code(0);
    let load = |db: &str| {
        vec![
            "load".to_string(),
            "clean.csv".into(),
            "-t".into(),
            "customer".into(),
            "--db".into(),
            db.into(),
            "--batch-size".into(),
            "500".into(),
            "--max-reject-rate".into(),
            "1".into(),
        ]
    };
    let reference = format!("sqlite:{}", dir.path().join("reference.db").display());
    let args = load(&reference);
    run(&args.iter().map(String::as_str).collect::<Vec<_>>()).code(0);
    let dump = |db: &str| -> BTreeMap<String, Vec<Option<String>>> {
        query(db, "SELECT * FROM customer")
            .into_iter()
            .map(|mut r| {
                r.remove(0);
                (format!("{r:?}"), r)
            })
            .collect()
    };
    let expected = dump(&reference);
    for attempt in 0..3 {
        let path = dir.path().join(format!("killed{attempt}.db"));
        let db = format!("sqlite:{}", path.display());
        let args = load(&db);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_crmkit"))
            .args(&args)
            .current_dir(dir.path())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill as soon as a few batches are in (a later attempt a little later).
        let start = std::time::Instant::now();
        loop {
            let done: serde_json::Value =
                serde_json::from_str(&progress_of(&db)).unwrap_or_default();
            let done = done["tables"]["customer"]["done"].as_u64().unwrap_or(0);
            if done >= 1000 * (attempt + 1) {
                break;
            }
            assert!(child.try_wait().unwrap().is_none(), "the load ended first");
            assert!(start.elapsed().as_secs() < 120, "the load never got going");
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let done: serde_json::Value = serde_json::from_str(&progress_of(&db)).unwrap();
        let done = done["tables"]["customer"]["done"].as_u64().unwrap();
        assert!(done.is_multiple_of(500), "whole batches only: {done}");
        let rerun = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        rerun.code(0).stderr_has("继续");
        assert_eq!(dump(&db), expected, "attempt {attempt}");
        assert_eq!(scalar(&db, "PRAGMA journal_mode"), "wal");
        assert_eq!(scalar(&db, "PRAGMA integrity_check"), "ok");
        assert!(has_key_index(&db));
    }
}

#[test]
fn a_directory_of_outputs_loads_the_golden_file() {
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    for name in ["clean.csv", "golden.csv"] {
        std::fs::copy(data.dir.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(
        dir.path().join("clean.rejects.csv"),
        "_reasons,客户名称\nx,y\n",
    )
    .unwrap();
    let db = format!("sqlite:{}", dir.path().join("crm.db").display());
    let run = crmkit_in(dir.path(), &["load", ".", "--db", &db]);
    run.code(0)
        .stderr_has("跳过 ./clean.csv: 同目录有 customer 的去重结果")
        .stderr_has("拒绝记录文件");
    assert_eq!(
        scalar(&db, "SELECT count(*) FROM customer"),
        data.golden_rows.to_string()
    );
}

#[test]
fn bad_input_is_refused_with_the_reason() {
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crmkit_in(d, &["load", "x.csv", "--db", "mysql://h/db"])
        .code(2)
        .stderr_has("sqlite:crm.db");
    // The password never shows, even when the connection fails.
    crmkit_in(
        &data.dir,
        &[
            "load",
            "golden.csv",
            "--db",
            "postgres://crm:hunter2@127.0.0.1:9/crm",
        ],
    )
    .code(2)
    .stderr_has("crm:***@")
    // The reason, not only "error connecting to server".
    .stderr_has("Connection refused")
    .stderr_lacks("hunter2");
    // Follow-ups into a database without customers.
    std::fs::write(
        d.join("f.csv"),
        "客户名称,跟进人,跟进时间,跟进方式,沟通内容摘要\n甲公司,张伟,2024-03-15 14:30,电话,x\n",
    )
    .unwrap();
    crmkit_in(d, &["load", "f.csv", "--db", "sqlite:empty.db"])
        .code(2)
        .stderr_has("请先加载customer");
    // A file no template recognises.
    std::fs::write(d.join("other.csv"), "a,b\n1,2\n").unwrap();
    crmkit_in(d, &["load", "other.csv", "--db", "sqlite:empty.db"])
        .code(2)
        .stderr_has("--template");
    // Values the database cannot take are rejected with the column and the expected form.
    std::fs::write(
        d.join("orders.csv"),
        "订单编号,客户名称,产品或服务明细,订单金额,交货期\nDD1,甲公司,软件,12万,2024-01-01\n",
    )
    .unwrap();
    let db = format!("sqlite:{}", d.join("orders.db").display());
    crmkit_in(&data.dir, &["load", "golden.csv", "--db", &db]).code(0);
    crmkit_in(
        d,
        &["load", "orders.csv", "--db", &db, "--rejects", "r.csv"],
    )
    .code(1)
    .stderr_has("订单金额“12万”无法写入数据库");
    assert!(d.join("r.csv").exists());
    // Nothing half-written: the rejects path is checked before the load.
    crmkit_in(
        d,
        &["load", "orders.csv", "--db", &db, "--rejects", "r.txt"],
    )
    .code(2);
}

/// Two loads never write one database at once: the second is refused while the first runs,
/// and a killed load's lock goes with its process.
#[test]
fn a_second_load_is_refused_while_one_runs() {
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path(), "locked") {
        let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_crmkit"))
            .args(["load", "golden.csv", "--db", &db, "--batch-size", "50"])
            .env("CRMKIT_TEST_PAUSE_AFTER_CHUNK_MS", "200")
            .current_dir(&data.dir)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while !progress_of(&db).contains("\"done\":50") {
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(start.elapsed().as_secs() < 60, "the load never got going");
        }
        crmkit_in(&data.dir, &["load", "golden.csv", "--db", &db])
            .code(2)
            .stderr_has("另一个 crmkit load 正在写入");
        first.kill().unwrap();
        first.wait().unwrap();
        crmkit_in(
            &data.dir,
            &["load", "golden.csv", "--db", &db, "--batch-size", "50"],
        )
        .code(0)
        .stderr_has("继续");
    }
}

/// A CSV of several megabytes loads as a stream of chunks: a ragged record deep in the file is
/// rejected alone, a conflicting duplicate is caught against a row of an earlier chunk and named,
/// an identical repeat merges, and every row is accounted for with its true row number.
#[test]
fn a_big_file_streams_in_chunks_and_accounts_for_every_row() {
    let dir = tempfile::tempdir().unwrap();
    crmkit_in(
        dir.path(),
        &[
            "synth",
            "-o",
            "raw.csv",
            "--rows",
            "12000",
            "--seed",
            "11",
            "--dup-rate",
            "0",
            "--invalid-rate",
            "0",
        ],
    )
    .code(0);
    crmkit_in(
        dir.path(),
        &["clean", "raw.csv", "-t", "customer", "-o", "clean.csv"],
    )
    .code(0);
    let (header, mut rows) = read_csv(&dir.path().join("clean.csv"));
    let code = header.iter().position(|h| h == "统一社会信用代码").unwrap();
    let name = header.iter().position(|h| h == "客户名称").unwrap();
    let n = rows.len();
    assert!(n > 11_000, "{n}");
    // Row 5 of the sheet is rows[3]; a later row takes its credit code with another name.
    let late = n - 500;
    rows[late][code] = rows[3][code].clone();
    rows[late][name] = "另一个名字有限公司".into();
    let repeat = rows[100].clone();
    rows.push(repeat);
    let mut text = String::new();
    let line = |r: &[String]| {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(r).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    };
    text.push_str(&line(&header));
    for (i, r) in rows.iter().enumerate() {
        let mut l = line(r);
        if i == n - 1000 {
            l = l.trim_end().to_string() + ",多出来的值\n";
        }
        text.push_str(&l);
    }
    assert!(text.len() > 2 << 20, "more than one piece: {}", text.len());
    let path = dir.path().join("big.csv");
    std::fs::write(&path, &text).unwrap();
    let input = rows.len() as u64;
    for db in databases(dir.path(), "streamed") {
        let run = crmkit_in(
            dir.path(),
            &[
                "load",
                "big.csv",
                "-t",
                "customer",
                "--db",
                &db,
                "--batch-size",
                "1000",
                "--max-reject-rate",
                "1",
                "--rejects",
                "rejects.csv",
            ],
        );
        run.code(0);
        assert_eq!(
            counts(&run.stderr, "customer"),
            [input, input - 3, 0, 0, 1, 2],
            "{db}\n{}",
            run.stderr
        );
        let (_, rejects) = read_csv(&dir.path().join("rejects.csv"));
        let reasons: Vec<(String, String)> = rejects
            .iter()
            .map(|r| (r[3].clone(), r[4].clone()))
            .collect();
        // Sheet rows: the header is row 1, rows[i] is row i + 2.
        let ragged = (n - 1000 + 2).to_string();
        assert!(
            reasons
                .iter()
                .any(|(row, why)| *row == ragged && why.contains("多出的")),
            "{reasons:?}"
        );
        let conflict = (late + 2).to_string();
        assert!(
            reasons
                .iter()
                .any(|(row, why)| *row == conflict && why.contains("big.csv 第5行")),
            "{reasons:?}"
        );
        assert_eq!(
            scalar(&db, "SELECT count(*) FROM customer"),
            (input - 3).to_string()
        );
        let files = scalar(&db, "SELECT files FROM crmkit_batch WHERE id = 1");
        assert!(files.contains(&format!("\"rows\":{input}")), "{files}");
        // Again: every row unchanged or merged, the two rejected again; in chunks bigger
        // than the pieces a chunk is prepared in (10,000 rows: 8,192 + 1,808).
        let again = crmkit_in(
            dir.path(),
            &[
                "load",
                "big.csv",
                "-t",
                "customer",
                "--db",
                &db,
                "--batch-size",
                "10000",
                "--max-reject-rate",
                "1",
            ],
        );
        again.code(0);
        assert_eq!(
            counts(&again.stderr, "customer"),
            [input, 0, 0, input - 3, 1, 2],
            "{db}\n{}",
            again.stderr
        );
        // Progress counts every row, written or not.
        for run in [&run, &again] {
            assert!(
                run.stderr
                    .contains(&format!("写入 customer 表: {input} 行完成")),
                "{}",
                run.stderr
            );
        }
    }

    // A byte that is not UTF-8 deep in the file (read by its own thread, chunks ahead of the
    // writing): the load stops naming the file and line, the chunks before it stay whole, the
    // batch is recorded as failed.
    // The rows twice (the repeats merge), the bad byte past the first 4 MB, which are read
    // before anything is written to find the header and judge the encoding.
    let lines: Vec<&str> = text.lines().collect();
    let doubled: Vec<&str> = lines.iter().chain(&lines[1..]).copied().collect();
    let bad_line = doubled.len() - 2000;
    let mut bytes = Vec::new();
    for (i, l) in doubled.iter().enumerate() {
        if i == bad_line {
            assert!(bytes.len() > 4 << 20, "{}", bytes.len());
        }
        bytes.extend_from_slice(l.as_bytes());
        if i == bad_line {
            bytes.push(0xFF);
        }
        bytes.push(b'\n');
    }
    std::fs::write(dir.path().join("bad.csv"), bytes).unwrap();
    for db in databases(dir.path(), "bad_byte") {
        let run = crmkit_in(
            dir.path(),
            &[
                "load",
                "bad.csv",
                "-t",
                "customer",
                "--db",
                &db,
                "--encoding",
                "utf-8",
                "--batch-size",
                "1000",
            ],
        );
        run.code(2);
        let error: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(error.len(), 1, "{}", run.stderr);
        assert!(
            error[0].contains("bad.csv") && error[0].contains(&format!("{}", bad_line + 1)),
            "{}",
            run.stderr
        );
        let counts: serde_json::Value = serde_json::from_str(&progress_of(&db)).unwrap();
        let done = counts["tables"]["customer"]["done"].as_u64().unwrap() as usize;
        assert!(
            done > n && done.is_multiple_of(1000) && done < bad_line,
            "whole chunks before the bad line: {done}"
        );
        let loaded: usize = scalar(&db, "SELECT count(*) FROM customer")
            .parse()
            .unwrap();
        assert_eq!(
            loaded as u64,
            input - 3,
            "the first copy's rows; the second's merge"
        );
        assert_eq!(
            scalar(&db, "SELECT status FROM crmkit_batch WHERE id = 1"),
            "failed"
        );
    }
}

#[test]
fn rows_of_several_origins_keep_their_own_lineage() {
    // A file crmkit wrote (`_source_file`, `_source_sheet`, `_source_row`) whose rows came
    // from two workbooks: runs of one origin long enough to share a multi-row statement, and
    // runs that change origin inside one.
    let data = data();
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = read_csv(&data.dir.join("clean.csv"));
    let mut w = csv::Writer::from_path(dir.path().join("accepted.csv")).unwrap();
    let source_row = header.iter().position(|h| h == "_source_row").unwrap();
    let mut out_header = header.clone();
    out_header.extend(["_source_file", "_source_sheet"].map(String::from));
    w.write_record(&out_header).unwrap();
    let origin = |i: usize| {
        if (i / 40).is_multiple_of(2) || i.is_multiple_of(7) {
            0
        } else {
            1
        }
    };
    let n = 300;
    for (i, row) in rows.iter().take(n).enumerate() {
        let mut r = row.clone();
        let (file, sheet) = [("销售台账.xlsx", "客户"), ("服务台账.xlsx", "")][origin(i)];
        r[source_row] = (i + 10).to_string();
        r.extend([file.to_string(), sheet.to_string()]);
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
    for db in databases(dir.path(), "origins") {
        crmkit_in(
            dir.path(),
            &[
                "load",
                "accepted.csv",
                "-t",
                "customer",
                "--db",
                &db,
                "--max-reject-rate",
                "1",
            ],
        )
        .code(0)
        .stderr_has("一致");
        let loaded = query(
            &db,
            "SELECT _source_file, _source_sheet, _source_row, _batch, _updated_batch \
             FROM customer ORDER BY _source_row",
        );
        let merged = n - loaded.len();
        assert!(loaded.len() > 250, "{db}: {} rows", loaded.len());
        for r in &loaded {
            let source_row: usize = r[2].as_deref().unwrap().parse().unwrap();
            let (file, sheet) =
                [("销售台账.xlsx", Some("客户")), ("服务台账.xlsx", None)][origin(source_row - 10)];
            assert!(
                r[0].as_deref().unwrap().ends_with(file),
                "{db}: {r:?} ({merged} merged)"
            );
            assert_eq!(r[1].as_deref(), sheet, "{db}: {r:?}");
            assert_eq!(r[3].as_deref(), Some("1"), "{db}: {r:?}");
            assert_eq!(r[4], None, "{db}: {r:?}");
        }
    }
}

#[test]
fn a_load_refused_for_its_input_leaves_no_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let input = crate::util::fixture("bad/header_only.csv");
    let run = crmkit_in(
        dir.path(),
        &["load", &input, "-t", "customer", "--db", "sqlite:new.db"],
    );
    run.code(2).stderr_has("没有任何数据行");
    assert_eq!(crate::util::files_in(dir.path()), Vec::<String>::new());
    // An empty file is said to be empty (not "no template matches").
    std::fs::write(dir.path().join("empty.csv"), "\u{feff}").unwrap();
    crmkit_in(dir.path(), &["load", "empty.csv", "--db", "sqlite:new.db"])
        .code(2)
        .stderr_has("文件为空");
    std::fs::remove_file(dir.path().join("empty.csv")).unwrap();
    // An in-memory database would keep nothing: refused before anything runs.
    crmkit_in(
        dir.path(),
        &["load", &input, "-t", "customer", "--db", "sqlite::memory:"],
    )
    .code(2)
    .stderr_has("内存数据库");
    assert_eq!(crate::util::files_in(dir.path()), Vec::<String>::new());
}

/// One customer written twice in one file, once with its credit code and once without (and the
/// region moved into brackets), is one record, as it is when the two rows come in two loads;
/// the later row is rejected naming the earlier one. Two codes under one name stay two.
#[test]
fn one_customer_with_and_without_a_credit_code_is_one_record_in_one_load_as_in_two() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header =
        "客户名称,统一社会信用代码,联系人,职位,联系电话,所属行业,客户等级,跟进状态,下次跟进时间";
    let row = |name: &str, code: &str, contact: &str| {
        format!("{name},{code},{contact},经理,13800138000,软件和信息技术服务业,A类,跟进中,2024-03-15 14:30\n")
    };
    let coded = [
        row("北京华远软件科技有限公司", "91110108MA01A8B98L", "张伟"),
        row("深圳两码科技有限公司", "91440300MA5F0A1B2C", "李娜"),
        row("深圳两码科技有限公司", "91440300MA5F0A1B3D", "王强"),
    ];
    let named = [
        row("华远软件科技(北京)有限公司", "", "赵敏"),
        row("上海华远软件科技有限公司", "", "陈静"),
    ];
    let later_coded = row("云帆信息科技（杭州）有限公司", "91330106MA2B0C1D4E", "刘洋");
    let earlier_named = row("杭州云帆信息科技有限公司", "", "刘洋");
    // Rows 2–8: the coded 华远 before its name-only row, the name-only 云帆 before its coded row.
    let all = [
        header.to_string() + "\n",
        coded.concat(),
        named.concat(),
        earlier_named.clone(),
        later_coded.clone(),
    ]
    .concat();
    std::fs::write(d.join("all.csv"), all).unwrap();
    std::fs::write(
        d.join("first.csv"),
        [header.to_string() + "\n", coded.concat(), earlier_named].concat(),
    )
    .unwrap();
    std::fs::write(
        d.join("second.csv"),
        [header.to_string() + "\n", named.concat(), later_coded].concat(),
    )
    .unwrap();
    let count = |db: &str| scalar(db, "SELECT count(*) FROM customer");
    for (one, two) in databases(d, "same_one")
        .into_iter()
        .zip(databases(d, "same_two"))
    {
        let run = crmkit_in(
            d,
            &[
                "load",
                "all.csv",
                "-t",
                "customer",
                "--db",
                &one,
                "--rejects",
                "r.csv",
            ],
        );
        run.code(1);
        assert_eq!(
            counts(&run.stderr, "customer"),
            [7, 5, 0, 0, 0, 2],
            "{one}\n{}",
            run.stderr
        );
        assert_eq!(count(&one), "5", "{one}");
        let (rh, rejects) = read_csv(&d.join("r.csv"));
        let mut refused: Vec<(String, String)> = rejects
            .iter()
            .map(|r| {
                (
                    col(&rh, r, "行").to_string(),
                    col(&rh, r, "_reasons").to_string(),
                )
            })
            .collect();
        refused.sort();
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert_eq!(refused[0].0, "5", "{refused:?}");
        assert!(
            refused[0].1.contains("第2行")
                && refused[0]
                    .1
                    .contains("客户名称规范化后相同（北京华远软件科技有限公司）"),
            "{refused:?}"
        );
        assert_eq!(refused[1].0, "8", "{refused:?}");
        assert!(refused[1].1.contains("第7行"), "{refused:?}");
        // The same rows in two loads: one record each, the same number of records.
        crmkit_in(d, &["load", "first.csv", "-t", "customer", "--db", &two]).code(0);
        crmkit_in(d, &["load", "second.csv", "-t", "customer", "--db", &two]).code(0);
        assert_eq!(count(&two), "5", "{two}");
        // The whole file again: nothing new, the repeats refused again (now as rows that
        // point at a record an earlier row already took).
        let again = crmkit_in(d, &["load", "all.csv", "-t", "customer", "--db", &one]);
        again.code(1);
        assert_eq!(
            counts(&again.stderr, "customer"),
            [7, 0, 0, 5, 0, 2],
            "{one}\n{}",
            again.stderr
        );
        assert_eq!(count(&one), "5", "{one}");
    }
}

/// Rows of a dedupe golden file are records dedupe told apart: two of one name (one with a
/// credit code, one without) both load. A repeat of one golden id under another key is refused.
#[test]
fn golden_records_of_one_name_stay_apart_and_a_repeated_golden_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "golden_id,记录数,客户名称,统一社会信用代码,联系人,职位,联系电话,所属行业,客户等级,跟进状态,下次跟进时间";
    let row = |id: &str, name: &str, code: &str| {
        format!("{id},1,{name},{code},张伟,经理,13800138000,软件和信息技术服务业,A类,跟进中,2024-03-15 14:30\n")
    };
    let file = [
        header.to_string() + "\n",
        row("1", "北京华远软件科技有限公司", "91110108MA01A8B98L"),
        row("2", "华远软件科技(北京)有限公司", ""),
        row("3", "杭州云帆信息科技有限公司", ""),
        row("3", "杭州云帆信息科技有限公司", "91330106MA2B0C1D4E"),
    ]
    .concat();
    std::fs::write(d.join("golden.csv"), file).unwrap();
    for db in databases(d, "golden_apart") {
        let run = crmkit_in(
            d,
            &[
                "load",
                "golden.csv",
                "-t",
                "customer",
                "--db",
                &db,
                "--rejects",
                "r.csv",
            ],
        );
        run.code(1);
        assert_eq!(
            counts(&run.stderr, "customer"),
            [4, 3, 0, 0, 0, 1],
            "{db}\n{}",
            run.stderr
        );
        let (rh, rejects) = read_csv(&d.join("r.csv"));
        assert_eq!(col(&rh, &rejects[0], "行"), "5");
        let reason = col(&rh, &rejects[0], "_reasons");
        assert!(
            reason.contains("第4行") && reason.contains("dedupe 编号相同（3）"),
            "{reason}"
        );
    }
}
