//! One connection to SQLite or PostgreSQL, with the few operations a load and an export need.
//! Every value is bound as a parameter or streamed through COPY; identifiers are quoted.

use std::io::Write;

use rusqlite::types::ValueRef;

use crate::error::{Error, Result};
use crate::schema::{
    quote, SqlType, TableSpec, BATCH, GOLDEN, HASH, KEY, SOURCE_FILE, SOURCE_SHEET, UPDATED_BATCH,
};
use crate::url::DbUrl;

/// A row ready to be written: data column values (text, `None` for NULL), key, hash, lineage.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// One value per data column of the table (fields, then reference ids), borrowed from the
    /// input where it can be.
    pub values: Vec<Option<std::borrow::Cow<'a, str>>>,
    /// The natural key.
    pub key: String,
    /// A hash of everything but the lineage: equal hash, unchanged row.
    pub hash: i64,
    /// The dedupe golden id (named tables).
    pub golden: Option<String>,
    /// Other names and codes merged into this record, one per line (named tables).
    pub aliases: Option<String>,
    /// The name's canonical spelling: of a row keyed by it, and, in a load into an empty
    /// table, of a row with a credit code and no golden id (its weaker key); else `None`.
    pub name_key: Option<String>,
    /// Index into the load's sources (file and sheet).
    pub source: usize,
    /// The spreadsheet row.
    pub row: u32,
}

/// A row already in the table.
#[derive(Debug, Clone)]
pub struct Existing {
    /// `_id`.
    pub id: i64,
    /// `_key`.
    pub key: String,
    /// `_hash`.
    pub hash: i64,
    /// `_golden_id` (named tables).
    pub golden: Option<String>,
    /// The name column (named tables).
    pub name: Option<String>,
}

/// A file a pipeline run loaded, known by its content: `crmkit run` skips it next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// The template it was loaded as.
    pub template: String,
    /// Where it was when loaded.
    pub path: String,
    /// Its data rows.
    pub rows: i64,
    /// The load batch.
    pub batch: Option<i64>,
    /// The run (its directory's name).
    pub run: String,
    /// When (set by the database).
    pub loaded_at: String,
}

/// A record of `crmkit_batch`.
#[derive(Debug, Clone)]
pub struct BatchRow {
    /// The id.
    pub id: i64,
    /// The status: `running`, `done`, `failed`.
    pub status: String,
    /// The reconciliation so far (JSON).
    pub counts: String,
}

/// An open database.
pub enum Db {
    /// SQLite.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL, with what opened it (for a second connection).
    Postgres(Box<postgres::Client>, Box<postgres::Config>),
}

/// The rows of one chunk to write, owning their text so that the chunk can be prepared on one
/// thread while the previous one is written on another: every value is a span of one string.
#[derive(Debug, Default)]
pub struct Packed {
    text: String,
    /// Per row, `width` spans: the data columns, then key, golden id and aliases.
    spans: Vec<(u32, u32)>,
    rows: Vec<PackedRow>,
    width: usize,
}

/// One row of a [`Packed`] chunk.
#[derive(Debug, Clone, Copy)]
pub struct PackedRow {
    /// A hash of everything but the lineage.
    pub hash: i64,
    /// Index into the load's sources.
    pub source: usize,
    /// The spreadsheet row.
    pub row: u32,
    /// The record it replaces (an update), or `None` (an insert).
    pub update: Option<i64>,
}

/// A NULL span.
const NULL: (u32, u32) = (u32::MAX, 0);

impl Packed {
    /// An empty chunk for rows of `columns` data columns.
    pub fn new(columns: usize) -> Packed {
        Packed {
            width: columns + 3,
            ..Packed::default()
        }
    }

    /// This chunk emptied for rows of `columns` data columns, keeping its memory: the next
    /// chunk fills it without asking the allocator (and the kernel) for fresh pages.
    pub fn recycled(mut self, columns: usize) -> Packed {
        self.text.clear();
        self.spans.clear();
        self.rows.clear();
        self.width = columns + 3;
        self
    }

    /// Adds a row: its values, its key (or `key`, a stronger one found in the table), and the
    /// record it updates.
    pub fn push(&mut self, row: &Prepared<'_>, key: Option<&str>, update: Option<i64>) {
        let key = key.unwrap_or(&row.key);
        let values = row.values.iter().map(|v| v.as_deref()).chain([
            Some(key),
            row.golden.as_deref(),
            row.aliases.as_deref(),
        ]);
        for value in values {
            let span = match value {
                None => NULL,
                Some(v) => {
                    let start = self.text.len() as u32;
                    self.text.push_str(v);
                    (start, v.len() as u32)
                }
            };
            self.spans.push(span);
        }
        self.rows.push(PackedRow {
            hash: row.hash,
            source: row.source,
            row: row.row,
            update,
        });
    }

    /// The rows.
    pub fn rows(&self) -> &[PackedRow] {
        &self.rows
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn span(&self, row: usize, column: usize) -> Option<&str> {
        let (start, len) = self.spans[row * self.width + column];
        (start != u32::MAX).then(|| &self.text[start as usize..(start + len) as usize])
    }

    /// The data column values of row `row`.
    fn values(&self, row: usize) -> impl Iterator<Item = Option<&str>> {
        (0..self.width - 3).map(move |c| self.span(row, c))
    }

    fn key(&self, row: usize) -> &str {
        self.span(row, self.width - 3).unwrap_or("")
    }

    fn golden(&self, row: usize) -> Option<&str> {
        self.span(row, self.width - 2)
    }

    fn aliases(&self, row: usize) -> Option<&str> {
        self.span(row, self.width - 1)
    }

    fn inserts(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.rows.len()).filter(|&i| self.rows[i].update.is_none())
    }

    fn updates(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        (0..self.rows.len()).filter_map(|i| self.rows[i].update.map(|id| (i, id)))
    }
}

impl Db {
    /// Opens (SQLite: creates) the database. `label` is the masked URL for messages.
    pub fn open(url: &DbUrl) -> Result<Db> {
        let fail = |message: String| Error::Database {
            db: url.masked(),
            action: "无法连接数据库".into(),
            message,
        };
        match url {
            DbUrl::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).map_err(|e| fail(e.to_string()))?;
                // WAL with synchronous=NORMAL: a killed process never leaves a half transaction,
                // and commits do not wait for the disk on every batch.
                conn.execute_batch(&format!(
                    "PRAGMA page_size=16384; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;
                     PRAGMA wal_autocheckpoint=20000; PRAGMA threads=2;
                     PRAGMA cache_size={SQLITE_CACHE};"
                ))
                .map_err(|e| fail(e.to_string()))?;
                // A database another program holds open keeps its journal (a rollback journal
                // is as safe, only slower and without readers beside the writer).
                journal_mode(&conn, "WAL", 0).map_err(fail)?;
                Ok(Db::Sqlite(conn))
            }
            DbUrl::Postgres(_) => {
                let config = url
                    .postgres_config()
                    .ok_or_else(|| fail("不是 PostgreSQL 地址".into()))?;
                let client = pg_connect(&config).map_err(fail)?;
                Ok(Db::Postgres(Box::new(client), Box::new(config)))
            }
        }
    }

    /// PostgreSQL: a second connection to the same database, to write beside this one.
    /// SQLite has one writer: `None`.
    pub fn another(&self) -> Option<std::result::Result<Db, String>> {
        match self {
            Db::Sqlite(_) => None,
            Db::Postgres(_, config) => Some(
                pg_connect(config).map(|client| Db::Postgres(Box::new(client), config.clone())),
            ),
        }
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(..))
    }

    /// Runs statements without results.
    fn batch(&mut self, sql: &str) -> std::result::Result<(), String> {
        match self {
            Db::Sqlite(conn) => conn.execute_batch(sql).map_err(|e| e.to_string()),
            Db::Postgres(client, _) => client.batch_execute(sql).map_err(|e| pg_message(&e)),
        }
    }

    /// Creates crmkit's own tables when missing.
    pub fn ensure_meta(&mut self) -> std::result::Result<(), String> {
        let pg = self.is_postgres();
        let (id, time, now) = if pg {
            (
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                "TIMESTAMPTZ",
                "now()",
            )
        } else {
            (
                "INTEGER PRIMARY KEY",
                "TEXT",
                "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
            )
        };
        self.batch(&format!(
            "CREATE TABLE IF NOT EXISTS crmkit_batch (
               id {id},
               fingerprint TEXT NOT NULL,
               mode TEXT NOT NULL,
               templates TEXT NOT NULL,
               files TEXT NOT NULL,
               started_at {time} NOT NULL DEFAULT {now},
               finished_at {time},
               status TEXT NOT NULL,
               counts TEXT NOT NULL,
               error TEXT
             );
             CREATE TABLE IF NOT EXISTS crmkit_table (
               name TEXT PRIMARY KEY,
               template TEXT NOT NULL
             );"
        ))
    }

    /// Creates the ledger of loaded files when missing.
    pub fn ensure_ledger(&mut self) -> std::result::Result<(), String> {
        let (time, now) = if self.is_postgres() {
            ("TIMESTAMPTZ", "now()")
        } else {
            ("TEXT", "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        };
        self.batch(&format!(
            "CREATE TABLE IF NOT EXISTS crmkit_ledger (
               sha256 TEXT NOT NULL,
               template TEXT NOT NULL,
               path TEXT NOT NULL,
               rows BIGINT NOT NULL,
               batch BIGINT,
               run TEXT NOT NULL,
               loaded_at {time} NOT NULL DEFAULT {now},
               PRIMARY KEY (sha256, template)
             );"
        ))
    }

    /// Every file of the ledger (empty when there is none yet).
    pub fn ledger(&mut self) -> std::result::Result<Vec<LedgerEntry>, String> {
        if self.columns_of("crmkit_ledger")?.is_empty() {
            return Ok(Vec::new());
        }
        let columns: Vec<String> = [
            "sha256",
            "template",
            "path",
            "rows",
            "batch",
            "run",
            "loaded_at",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let rows = self.select_ordered("crmkit_ledger", &columns, "loaded_at")?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                let mut take = |i: usize| r[i].take().unwrap_or_default();
                LedgerEntry {
                    sha256: take(0),
                    template: take(1),
                    path: take(2),
                    rows: take(3).parse().unwrap_or(0),
                    batch: take(4).parse().ok(),
                    run: take(5),
                    loaded_at: take(6),
                }
            })
            .collect())
    }

    /// Records loaded files in the ledger (a file loaded again replaces its entry), in one
    /// transaction.
    pub fn record_ledger(&mut self, entries: &[LedgerEntry]) -> std::result::Result<(), String> {
        const SQL: &str = "INSERT INTO crmkit_ledger (sha256, template, path, rows, batch, run)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (sha256, template) DO UPDATE SET path = excluded.path,
               rows = excluded.rows, batch = excluded.batch, run = excluded.run";
        match self {
            Db::Sqlite(conn) => {
                let tx = conn.transaction().map_err(|e| e.to_string())?;
                {
                    let mut stmt = tx
                        .prepare(&SQL.replace('$', "?"))
                        .map_err(|e| e.to_string())?;
                    for e in entries {
                        stmt.execute(rusqlite::params![
                            e.sha256, e.template, e.path, e.rows, e.batch, e.run
                        ])
                        .map_err(|e| e.to_string())?;
                    }
                }
                tx.commit().map_err(|e| e.to_string())
            }
            Db::Postgres(client, _) => {
                let mut tx = client.transaction().map_err(|e| pg_message(&e))?;
                for e in entries {
                    tx.execute(
                        SQL,
                        &[&e.sha256, &e.template, &e.path, &e.rows, &e.batch, &e.run],
                    )
                    .map_err(|e| pg_message(&e))?;
                }
                tx.commit().map_err(|e| pg_message(&e))
            }
        }
    }

    /// Creates the table when missing, adds columns a newer template brings, and records the
    /// template (so an export knows the headers).
    pub fn ensure_table(
        &mut self,
        spec: &TableSpec,
        template_toml: &str,
    ) -> std::result::Result<(), String> {
        let pg = self.is_postgres();
        self.batch(&spec.create_sql(pg))?;
        // Also rebuilds the index a killed first load had dropped.
        self.batch(&spec.key_index_sql())?;
        let have = self.columns_of(&spec.name)?;
        for (name, kind) in spec.insert_columns() {
            if !have.iter().any(|c| c == &name) {
                self.batch(&format!(
                    "ALTER TABLE {} ADD COLUMN {} {}",
                    quote(&spec.name),
                    quote(&name),
                    kind.sql(pg)
                ))?;
            }
        }
        let sql = if pg {
            "INSERT INTO crmkit_table (name, template) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET template = EXCLUDED.template"
        } else {
            "INSERT INTO crmkit_table (name, template) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET template = excluded.template"
        };
        match self {
            Db::Sqlite(conn) => conn
                .execute(sql, [&spec.name, template_toml])
                .map(drop)
                .map_err(|e| e.to_string()),
            Db::Postgres(client, _) => client
                .execute(sql, &[&spec.name, &template_toml])
                .map(drop)
                .map_err(|e| pg_message(&e)),
        }
    }

    /// Drops (`false`) or builds (`true`) the unique index on `_key`.
    pub fn key_index(&mut self, spec: &TableSpec, build: bool) -> std::result::Result<(), String> {
        if build && self.is_postgres() {
            // Sorted in memory rather than in temporary files (64 MB by default).
            self.batch(&format!(
                "SET maintenance_work_mem = '512MB'; {}; RESET maintenance_work_mem",
                spec.key_index_sql()
            ))
        } else if build {
            // SQLite sorts in pieces of the page cache's size, on `PRAGMA threads` helper
            // threads, while it still reads the table; with the load's big cache it would
            // read everything first and sort on one thread (1M keys: 1.0 s against 1.9 s).
            self.batch(&format!(
                "PRAGMA cache_size=-4096; {}; PRAGMA cache_size={SQLITE_CACHE}",
                spec.key_index_sql()
            ))
        } else {
            self.batch(&spec.drop_key_index_sql())
        }
    }

    /// SQLite: while `on`, commits go through a rollback journal instead of the WAL. For a
    /// first load into an empty table this writes every page once instead of twice (to the
    /// WAL, then to the database at a checkpoint): pages the table grows by need no journal.
    /// A killed process still leaves no half batch (the journal rolls it back when the
    /// database is next opened). The switch needs the database to itself; when another
    /// connection has it open, the WAL stays. PostgreSQL: nothing.
    pub fn bulk_journal(&mut self, on: bool) -> std::result::Result<(), String> {
        match self {
            // Switching to the rollback journal does not wait for other connections; back to
            // the WAL waits as any write does (when it cannot, the next open switches).
            Db::Sqlite(conn) if on => journal_mode(conn, "TRUNCATE", 0),
            Db::Sqlite(conn) => journal_mode(conn, "WAL", SQLITE_BUSY_MS),
            Db::Postgres(..) => Ok(()),
        }
    }

    /// The column names of a table (empty when it does not exist).
    pub fn columns_of(&mut self, table: &str) -> std::result::Result<Vec<String>, String> {
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn
                    .prepare("SELECT name FROM pragma_table_info(?1)")
                    .map_err(|e| e.to_string())?;
                let rows = stmt
                    .query_map([table], |r| r.get::<_, String>(0))
                    .map_err(|e| e.to_string())?;
                rows.collect::<std::result::Result<_, _>>()
                    .map_err(|e| e.to_string())
            }
            Db::Postgres(client, _) => client
                .query(
                    "SELECT column_name::text FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = $1
                     ORDER BY ordinal_position",
                    &[&table],
                )
                .map_err(|e| pg_message(&e))
                .and_then(|rows| {
                    rows.iter()
                        .map(|r| r.try_get::<_, String>(0))
                        .collect::<std::result::Result<_, _>>()
                        .map_err(|e| pg_message(&e))
                }),
        }
    }

    /// The template recorded for a table by an earlier load.
    pub fn template_of(&mut self, table: &str) -> std::result::Result<Option<String>, String> {
        if self.columns_of("crmkit_table")?.is_empty() {
            return Ok(None);
        }
        let rows = self.query_text("SELECT template FROM crmkit_table WHERE name = ", table)?;
        Ok(rows.into_iter().next().and_then(|mut r| r.remove(0)))
    }

    /// The tables crmkit has loaded (recorded in `crmkit_table`), by name.
    pub fn tables(&mut self) -> std::result::Result<Vec<String>, String> {
        if self.columns_of("crmkit_table")?.is_empty() {
            return Ok(Vec::new());
        }
        let sql = "SELECT name FROM crmkit_table ORDER BY name";
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
                let rows = stmt
                    .query_map([], |r| r.get::<_, String>(0))
                    .map_err(|e| e.to_string())?;
                rows.collect::<std::result::Result<_, _>>()
                    .map_err(|e| e.to_string())
            }
            Db::Postgres(client, _) => {
                client
                    .query(sql, &[])
                    .map_err(|e| pg_message(&e))
                    .and_then(|rows| {
                        rows.iter()
                            .map(|r| r.try_get::<_, String>(0))
                            .collect::<std::result::Result<_, _>>()
                            .map_err(|e| pg_message(&e))
                    })
            }
        }
    }

    /// `sql` followed by one text parameter placeholder, all columns as text.
    fn query_text(
        &mut self,
        sql: &str,
        param: &str,
    ) -> std::result::Result<Vec<Vec<Option<String>>>, String> {
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn
                    .prepare(&format!("{sql}?1"))
                    .map_err(|e| e.to_string())?;
                let n = stmt.column_count();
                let rows = stmt
                    .query_map([param], |r| (0..n).map(|i| sqlite_text(r, i)).collect())
                    .map_err(|e| e.to_string())?;
                rows.collect::<std::result::Result<_, _>>()
                    .map_err(|e| e.to_string())
            }
            Db::Postgres(client, _) => client
                .query(&format!("{sql}$1"), &[&param])
                .map_err(|e| pg_message(&e))
                .and_then(|rows| pg_text_rows(&rows)),
        }
    }

    /// Every column of `columns` of every row of `table`, as text, in `_id` order.
    pub fn select(
        &mut self,
        table: &str,
        columns: &[String],
    ) -> std::result::Result<Vec<Vec<Option<String>>>, String> {
        self.select_ordered(table, columns, "_id")
    }

    /// Every column of `columns` of every row of `table`, as text, ordered by `order`.
    fn select_ordered(
        &mut self,
        table: &str,
        columns: &[String],
        order: &str,
    ) -> std::result::Result<Vec<Vec<Option<String>>>, String> {
        let pg = self.is_postgres();
        let list: Vec<String> = columns
            .iter()
            .map(|c| {
                if pg {
                    format!("{}::text", quote(c))
                } else {
                    quote(c)
                }
            })
            .collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            list.join(", "),
            quote(table),
            quote(order)
        );
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare(&sql).map_err(|e| e.to_string())?;
                let n = columns.len();
                let rows = stmt
                    .query_map([], |r| (0..n).map(|i| sqlite_text(r, i)).collect())
                    .map_err(|e| e.to_string())?;
                rows.collect::<std::result::Result<_, _>>()
                    .map_err(|e| e.to_string())
            }
            Db::Postgres(client, _) => client
                .query(&sql, &[])
                .map_err(|e| pg_message(&e))
                .and_then(|rows| pg_text_rows(&rows)),
        }
    }

    /// [`Db::select`] restricted to the rows whose `_id` is in `ids` (a sample), in `_id`
    /// order. The ids are integers, written into the SQL as numbers, in statements of at most
    /// 500.
    pub fn select_ids(
        &mut self,
        table: &str,
        columns: &[String],
        ids: &[i64],
    ) -> std::result::Result<Vec<Vec<Option<String>>>, String> {
        let pg = self.is_postgres();
        let list: Vec<String> = columns
            .iter()
            .map(|c| {
                if pg {
                    format!("{}::text", quote(c))
                } else {
                    quote(c)
                }
            })
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let wanted: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let sql = format!(
                "SELECT {} FROM {} WHERE \"_id\" IN ({}) ORDER BY \"_id\"",
                list.join(", "),
                quote(table),
                wanted.join(", ")
            );
            match self {
                Db::Sqlite(conn) => {
                    let mut stmt = conn.prepare(&sql).map_err(|e| e.to_string())?;
                    let n = columns.len();
                    let rows = stmt
                        .query_map([], |r| (0..n).map(|i| sqlite_text(r, i)).collect())
                        .map_err(|e| e.to_string())?;
                    for row in rows {
                        out.push(row.map_err(|e| e.to_string())?);
                    }
                }
                Db::Postgres(client, _) => {
                    let rows = client.query(&sql, &[]).map_err(|e| pg_message(&e))?;
                    out.extend(pg_text_rows(&rows)?);
                }
            }
        }
        Ok(out)
    }

    /// The rows already in a table, leaving out those created by batch `skip_batch` (a resumed
    /// batch sees the table as it was before the batch began).
    pub fn existing(
        &mut self,
        spec: &TableSpec,
        skip_batch: Option<i64>,
    ) -> std::result::Result<Vec<Existing>, String> {
        let name_column = spec.template.load.name.clone();
        let mut columns = format!("\"_id\", {}, {}", quote(KEY), quote(HASH));
        if let Some(name) = &name_column {
            columns.push_str(&format!(", {}, {}", quote(GOLDEN), quote(name)));
        }
        let sql = format!(
            "SELECT {columns} FROM {} WHERE {} <> {}",
            quote(&spec.name),
            quote(BATCH),
            if self.is_postgres() { "$1" } else { "?1" }
        );
        let skip = skip_batch.unwrap_or(-1);
        let named = name_column.is_some();
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare(&sql).map_err(|e| e.to_string())?;
                let rows = stmt
                    .query_map([skip], |r| {
                        Ok(Existing {
                            id: r.get(0)?,
                            key: r.get(1)?,
                            hash: r.get(2)?,
                            golden: if named { r.get(3)? } else { None },
                            name: if named { r.get(4)? } else { None },
                        })
                    })
                    .map_err(|e| e.to_string())?;
                rows.collect::<std::result::Result<_, _>>()
                    .map_err(|e| e.to_string())
            }
            Db::Postgres(client, _) => client
                .query(&sql, &[&skip])
                .map_err(|e| pg_message(&e))
                .and_then(|rows| {
                    rows.iter()
                        .map(|r| {
                            Ok(Existing {
                                id: r.try_get(0)?,
                                key: r.try_get(1)?,
                                hash: r.try_get(2)?,
                                golden: if named { r.try_get(3)? } else { None },
                                name: if named { r.try_get(4)? } else { None },
                            })
                        })
                        .collect::<std::result::Result<_, postgres::Error>>()
                        .map_err(|e| pg_message(&e))
                }),
        }
    }

    /// The latest unfinished batch (`running` or `failed`) with this fingerprint.
    pub fn resumable_batch(
        &mut self,
        fingerprint: &str,
    ) -> std::result::Result<Option<BatchRow>, String> {
        let rows = self.query_text(
            "SELECT CAST(id AS TEXT), status, counts FROM crmkit_batch
             WHERE status IN ('running', 'failed') AND fingerprint = ",
            fingerprint,
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(BatchRow {
                    id: r[0].as_deref()?.parse().ok()?,
                    status: r[1].clone()?,
                    counts: r[2].clone()?,
                })
            })
            .max_by_key(|b| b.id))
    }

    /// Records a new batch, `running`; returns its id.
    pub fn create_batch(
        &mut self,
        fingerprint: &str,
        mode: &str,
        templates: &str,
        files: &str,
        counts: &str,
    ) -> std::result::Result<i64, String> {
        match self {
            Db::Sqlite(conn) => conn
                .query_row(
                    "INSERT INTO crmkit_batch (fingerprint, mode, templates, files, status, counts)
                     VALUES (?1, ?2, ?3, ?4, 'running', ?5) RETURNING id",
                    [fingerprint, mode, templates, files, counts],
                    |r| r.get(0),
                )
                .map_err(|e| e.to_string()),
            Db::Postgres(client, _) => client
                .query_one(
                    "INSERT INTO crmkit_batch (fingerprint, mode, templates, files, status, counts)
                     VALUES ($1, $2, $3, $4, 'running', $5) RETURNING id",
                    &[&fingerprint, &mode, &templates, &files, &counts],
                )
                .and_then(|r| r.try_get(0))
                .map_err(|e| pg_message(&e)),
        }
    }

    /// Sets a batch's status (and its end time unless `running`), counts and error.
    pub fn finish_batch(
        &mut self,
        id: i64,
        status: &str,
        counts: &str,
        error: Option<&str>,
    ) -> std::result::Result<(), String> {
        match self {
            Db::Sqlite(conn) => conn
                .execute(
                    "UPDATE crmkit_batch SET status = ?1, counts = ?2, error = ?3,
                     finished_at = CASE WHEN ?1 = 'running' THEN NULL
                                   ELSE strftime('%Y-%m-%dT%H:%M:%fZ','now') END
                     WHERE id = ?4",
                    rusqlite::params![status, counts, error, id],
                )
                .map(drop)
                .map_err(|e| e.to_string()),
            Db::Postgres(client, _) => {
                // This commit waits for the disk, and with it every batch before it.
                let mut run = || -> std::result::Result<(), postgres::Error> {
                    client.batch_execute("SET synchronous_commit = on")?;
                    client.execute(
                        "UPDATE crmkit_batch SET status = $1, counts = $2, error = $3,
                         finished_at = CASE WHEN $1 = 'running' THEN NULL ELSE now() END
                         WHERE id = $4",
                        &[&status, &counts, &error, &id],
                    )?;
                    client.batch_execute("SET synchronous_commit = off")
                };
                run().map_err(|e| pg_message(&e))
            }
        }
    }

    /// Replaces the files of batch `id` (their row counts are known once they are read).
    pub fn set_batch_files(&mut self, id: i64, files: &str) -> std::result::Result<(), String> {
        match self {
            Db::Sqlite(conn) => conn
                .execute(
                    "UPDATE crmkit_batch SET files = ?1 WHERE id = ?2",
                    rusqlite::params![files, id],
                )
                .map(drop)
                .map_err(|e| e.to_string()),
            Db::Postgres(client, _) => client
                .execute(
                    "UPDATE crmkit_batch SET files = $1 WHERE id = $2",
                    &[&files, &id],
                )
                .map(drop)
                .map_err(|e| pg_message(&e)),
        }
    }

    /// How many rows the table holds.
    pub fn count_rows(&mut self, table: &str) -> std::result::Result<u64, String> {
        self.count(&format!("SELECT count(*) FROM {}", quote(table)), None)
    }

    /// How many rows of the table batch `id` created or last changed.
    pub fn rows_of_batch(&mut self, table: &str, id: i64) -> std::result::Result<u64, String> {
        let sql = format!(
            "SELECT count(*) FROM {} WHERE \"_batch\" = {p} OR \"_updated_batch\" = {p}",
            quote(table),
            p = if self.is_postgres() { "$1" } else { "?1" }
        );
        self.count(&sql, Some(id))
    }

    /// The count a `SELECT count(*)` gives, with the batch id as its one parameter if any.
    fn count(&mut self, sql: &str, id: Option<i64>) -> std::result::Result<u64, String> {
        match self {
            Db::Sqlite(conn) => {
                let params: Vec<i64> = id.into_iter().collect();
                conn.query_row(sql, rusqlite::params_from_iter(params), |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| n as u64)
                .map_err(|e| e.to_string())
            }
            Db::Postgres(client, _) => {
                let result = match &id {
                    Some(id) => client.query_one(sql, &[id]),
                    None => client.query_one(sql, &[]),
                };
                result
                    .and_then(|r| r.try_get::<_, i64>(0))
                    .map(|n| n as u64)
                    .map_err(|e| pg_message(&e))
            }
        }
    }

    /// Writes one chunk and the batch's counts in one transaction; returns the rows inserted
    /// and updated as the database counted them. `turn` is asked once the rows are written,
    /// before the commit: `false` (an earlier chunk written on another connection failed)
    /// rolls this one back. Chunks written side by side commit in order this way.
    pub fn write_chunk(
        &mut self,
        spec: &TableSpec,
        chunk: &Packed,
        sources: &[(String, Option<String>)],
        batch: i64,
        counts: &str,
        turn: &mut dyn FnMut() -> bool,
    ) -> std::result::Result<(u64, u64), String> {
        let written = (spec, chunk, sources, batch, counts);
        match self {
            Db::Sqlite(conn) => sqlite_chunk(conn, written, turn).map_err(|e| e.to_string()),
            Db::Postgres(client, _) => postgres_chunk(client, written, turn),
        }
    }
}

/// Connects for loading. Batch commits do not wait for the server's disk: a server crash can
/// lose the last batches, but never half of one (each carries its counts in crmkit_batch, so a
/// re-run resumes where the server's data ends). The final status update waits
/// ([`Db::finish_batch`]), which makes everything durable.
fn pg_connect(config: &postgres::Config) -> std::result::Result<postgres::Client, String> {
    let mut client = config
        .connect(postgres::NoTls)
        .map_err(|e| pg_message(&e))?;
    client
        .batch_execute("SET synchronous_commit = off")
        .map_err(|e| pg_message(&e))?;
    Ok(client)
}

/// PostgreSQL rows whose columns are all text (or cast to it).
fn pg_text_rows(rows: &[postgres::Row]) -> std::result::Result<Vec<Vec<Option<String>>>, String> {
    rows.iter()
        .map(|r| (0..r.len()).map(|i| r.try_get(i)).collect())
        .collect::<std::result::Result<_, postgres::Error>>()
        .map_err(|e| pg_message(&e))
}

/// A column value of an SQLite row as text.
fn sqlite_text(row: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    })
}

/// A value bound or copied: text, an integer, or NULL.
#[derive(Clone, Copy)]
enum Value<'a> {
    Null,
    Text(&'a str),
    Int(i64),
}

/// Every value of a chunk's row in `insert_columns` order, handed to `f`: the data columns,
/// then crmkit's own (key, hash, golden id and aliases of named tables, creating and updating
/// batch, lineage). A callback rather than an iterator: this runs for every value of a load.
fn each_value<'a, E>(
    spec: &'a TableSpec,
    chunk: &'a Packed,
    i: usize,
    sources: &'a [(String, Option<String>)],
    (created, updated): (Option<i64>, Option<i64>),
    mut f: impl FnMut(Value<'a>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let text = |v: Option<&'a str>| v.map_or(Value::Null, Value::Text);
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Int);
    let row = &chunk.rows[i];
    for (column, value) in spec.columns.iter().zip(chunk.values(i)) {
        f(match (column.kind, value) {
            (_, None) => Value::Null,
            (SqlType::Integer, Some(v)) => v.parse().map_or(Value::Text(v), Value::Int),
            (_, Some(v)) => Value::Text(v),
        })?;
    }
    f(Value::Text(chunk.key(i)))?;
    f(Value::Int(row.hash))?;
    if spec.is_named() {
        f(text(chunk.golden(i)))?;
        f(text(chunk.aliases(i)))?;
    }
    let (file, sheet) = &sources[row.source];
    f(int(created))?;
    f(int(updated))?;
    f(Value::Text(file))?;
    f(text(sheet.as_deref()))?;
    f(Value::Int(i64::from(row.row)))
}

/// A chunk to write: the table, its rows, the load's sources, the batch and its counts (JSON).
type Written<'a> = (
    &'a TableSpec,
    &'a Packed,
    &'a [(String, Option<String>)],
    i64,
    &'a str,
);

/// Why a chunk was rolled back when an earlier one failed (that one's error is reported).
const NOT_ITS_TURN: &str = "an earlier chunk failed";

fn sqlite_chunk(
    conn: &mut rusqlite::Connection,
    (spec, chunk, sources, batch, counts): Written<'_>,
    turn: &mut dyn FnMut() -> bool,
) -> rusqlite::Result<(u64, u64)> {
    let columns = spec.insert_columns();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut inserted = 0u64;
    let mut updated = 0u64;
    {
        let names: Vec<String> = columns.iter().map(|(n, _)| quote(n)).collect();
        let insert_sql = |values: &str| {
            format!(
                "INSERT OR FAIL INTO {} ({}) VALUES {values}",
                quote(&spec.name),
                names.join(", "),
            )
        };
        // Inserts go ROWS_PER_INSERT rows to a statement: one statement run instead of many.
        // OR FAIL: a failing statement keeps the rows before it rather than undoing them, so
        // SQLite keeps no statement journal (a copy of every page it touches); any failure
        // rolls back the whole batch anyway. What every row of a statement shares is written
        // once: `_batch`, the file and sheet (?1, ?2, ?3) and `_updated_batch` (NULL); each
        // bound value costs a copy inside SQLite.
        let shared: Vec<bool> = columns
            .iter()
            .map(|(n, _)| [BATCH, UPDATED_BATCH, SOURCE_FILE, SOURCE_SHEET].contains(&n.as_str()))
            .collect();
        let per_row = shared.iter().filter(|s| !**s).count();
        let group_sql = {
            let mut next = 3;
            let rows: Vec<String> = (0..ROWS_PER_INSERT)
                .map(|_| {
                    let marks: Vec<String> = columns
                        .iter()
                        .map(|(n, _)| match n.as_str() {
                            BATCH => "?1".to_string(),
                            UPDATED_BATCH => "NULL".to_string(),
                            SOURCE_FILE => "?2".to_string(),
                            SOURCE_SHEET => "?3".to_string(),
                            _ => {
                                next += 1;
                                format!("?{next}")
                            }
                        })
                        .collect();
                    format!("({})", marks.join(", "))
                })
                .collect();
            insert_sql(&rows.join(", "))
        };
        let rows: Vec<usize> = chunk.inserts().collect();
        let mut many = tx.prepare_cached(&group_sql)?;
        let mut one = tx.prepare_cached(&insert_sql(&format!(
            "({})",
            vec!["?"; names.len()].join(", ")
        )))?;
        let no_sharing = vec![false; columns.len()];
        for group in rows.chunks(ROWS_PER_INSERT) {
            let source = chunk.rows[group[0]].source;
            let one_source = group.iter().all(|&r| chunk.rows[r].source == source);
            if group.len() == ROWS_PER_INSERT && one_source {
                let (file, sheet) = &sources[source];
                many.raw_bind_parameter(1, batch)?;
                many.raw_bind_parameter(2, file.as_str())?;
                many.raw_bind_parameter(3, sheet.as_deref())?;
                for (k, &row) in group.iter().enumerate() {
                    let to = (3 + k * per_row, &shared[..]);
                    bind_row(&mut many, to, spec, chunk, row, sources, batch, None)?;
                }
                inserted += many.raw_execute()? as u64;
            } else {
                for &row in group {
                    let to = (0, &no_sharing[..]);
                    bind_row(&mut one, to, spec, chunk, row, sources, batch, None)?;
                    inserted += one.raw_execute()? as u64;
                }
            }
        }
        // UPDATE sets every column but `_batch` (the creating batch stays).
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (n, _))| match n.as_str() {
                // An update binds NULL here: the creating batch stays.
                BATCH => format!("{q} = COALESCE(?{}, {q})", i + 1, q = quote(n)),
                _ => format!("{} = ?{}", quote(n), i + 1),
            })
            .collect();
        let mut update = tx.prepare_cached(&format!(
            "UPDATE {} SET {} WHERE \"_id\" = ?{}",
            quote(&spec.name),
            sets.join(", "),
            columns.len() + 1
        ))?;
        for (row, id) in chunk.updates() {
            let to = (0, &no_sharing[..]);
            bind_row(&mut update, to, spec, chunk, row, sources, batch, Some(id))?;
            updated += update.raw_execute()? as u64;
        }
    }
    if !turn() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
            Some(NOT_ITS_TURN.into()),
        ));
    }
    tx.execute(
        "UPDATE crmkit_batch SET counts = ?1 WHERE id = ?2",
        rusqlite::params![counts, batch],
    )?;
    tx.commit()?;
    Ok((inserted, updated))
}

/// Sets SQLite's journal mode, waiting up to `wait_ms` for other connections; when they keep
/// the database busy, the mode stays as it was (every mode keeps a batch whole).
fn journal_mode(
    conn: &rusqlite::Connection,
    mode: &str,
    wait_ms: u32,
) -> std::result::Result<(), String> {
    let set = || -> rusqlite::Result<()> {
        conn.busy_timeout(std::time::Duration::from_millis(wait_ms.into()))?;
        let switched = conn.query_row(&format!("PRAGMA journal_mode={mode}"), [], |_| Ok(()));
        conn.busy_timeout(std::time::Duration::from_millis(SQLITE_BUSY_MS.into()))?;
        switched
    };
    match set() {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            Ok(())
        }
        other => other.map_err(|e| e.to_string()),
    }
}

/// How long a SQLite write waits for other connections (ms).
const SQLITE_BUSY_MS: u32 = 10_000;

/// SQLite's page cache while loading (KiB, negative as the pragma wants): an update of a
/// re-load finds its row's page there.
const SQLITE_CACHE: i64 = -262_144;

/// Rows per multi-row INSERT on SQLite (at 30 columns, well under its 32,766 parameters).
const ROWS_PER_INSERT: usize = 32;

/// Binds one row's values in `insert_columns` order from parameter `offset + 1`, leaving out
/// the columns `shared` marks (the statement writes them once for all its rows); `update`
/// adds the id, and binds NULL for `_batch`, which the statement's COALESCE keeps (the
/// creating batch stays).
#[allow(clippy::too_many_arguments)]
fn bind_row(
    stmt: &mut rusqlite::CachedStatement,
    (offset, shared): (usize, &[bool]),
    spec: &TableSpec,
    chunk: &Packed,
    row: usize,
    sources: &[(String, Option<String>)],
    batch: i64,
    update: Option<i64>,
) -> rusqlite::Result<()> {
    let (created, updated) = match update {
        None => (Some(batch), None),
        Some(_) => (None, Some(batch)),
    };
    let mut n = offset;
    let mut column = 0;
    let mut bind = |value: Value| {
        let skip = shared.get(column).copied().unwrap_or(false);
        column += 1;
        if skip {
            return Ok(());
        }
        n += 1;
        match value {
            Value::Null => stmt.raw_bind_parameter(n, rusqlite::types::Null),
            Value::Text(v) => stmt.raw_bind_parameter(n, v),
            Value::Int(v) => stmt.raw_bind_parameter(n, v),
        }
    };
    each_value(spec, chunk, row, sources, (created, updated), &mut bind)?;
    if let Some(id) = update {
        bind(Value::Int(id))?;
    }
    Ok(())
}

/// One value in COPY's text format.
fn copy_value(out: &mut Vec<u8>, value: Value) {
    match value {
        Value::Null => out.extend_from_slice(b"\\N"),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Text(v) => {
            // Runs without a byte to escape are copied whole (found with SIMD): byte by byte,
            // this was half the writing thread's time.
            let mut rest = v.as_bytes();
            loop {
                let special = memchr::memchr3(b'\\', b'\t', b'\n', rest).unwrap_or(rest.len());
                let at = memchr::memchr(b'\r', &rest[..special]).unwrap_or(special);
                out.extend_from_slice(&rest[..at]);
                let Some(&b) = rest.get(at) else { break };
                out.extend_from_slice(match b {
                    b'\\' => b"\\\\",
                    b'\t' => b"\\t",
                    b'\n' => b"\\n",
                    _ => b"\\r",
                });
                rest = &rest[at + 1..];
            }
        }
    }
}

/// One row in COPY's text format, `insert_columns` order (the id first for updates, whose
/// `_batch` the UPDATE leaves alone; the stage table wants a value there).
fn copy_row(
    out: &mut Vec<u8>,
    spec: &TableSpec,
    chunk: &Packed,
    row: usize,
    sources: &[(String, Option<String>)],
    batch: i64,
    id: Option<i64>,
) {
    let (created, updated) = match id {
        None => (Some(batch), None),
        Some(_) => (Some(0), Some(batch)),
    };
    let mut first = true;
    let mut put = |value: Value| {
        if !first {
            out.push(b'\t');
        }
        first = false;
        copy_value(out, value);
        Ok::<(), std::convert::Infallible>(())
    };
    if let Some(id) = id {
        let _ = put(Value::Int(id));
    }
    let _ = each_value(spec, chunk, row, sources, (created, updated), put);
    out.push(b'\n');
}

fn postgres_chunk(
    client: &mut postgres::Client,
    (spec, chunk, sources, batch, counts): Written<'_>,
    turn: &mut dyn FnMut() -> bool,
) -> std::result::Result<(u64, u64), String> {
    let pg = |e: postgres::Error| pg_message(&e);
    let io = |e: std::io::Error| match e
        .get_ref()
        .and_then(|e| e.downcast_ref::<postgres::Error>())
    {
        Some(e) => pg_message(e),
        None => e.to_string(),
    };
    let columns: Vec<String> = spec
        .insert_columns()
        .iter()
        .map(|(n, _)| quote(n))
        .collect();
    let mut tx = client.transaction().map_err(pg)?;
    let mut inserted = 0;
    let mut updated = 0;
    let mut buffer = Vec::with_capacity(1 << 20);
    if chunk.inserts().next().is_some() {
        let mut writer = tx
            .copy_in(&format!(
                "COPY {} ({}) FROM STDIN",
                quote(&spec.name),
                columns.join(", ")
            ))
            .map_err(pg)?;
        for row in chunk.inserts() {
            copy_row(&mut buffer, spec, chunk, row, sources, batch, None);
            if buffer.len() > 1 << 20 {
                writer.write_all(&buffer).map_err(io)?;
                buffer.clear();
            }
        }
        writer.write_all(&buffer).map_err(io)?;
        buffer.clear();
        inserted = writer.finish().map_err(pg)?;
    }
    if chunk.updates().next().is_some() {
        let stage = quote(&format!("_crmkit_stage_{}", spec.name));
        tx.batch_execute(&format!(
            "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {}) ON COMMIT DELETE ROWS",
            quote(&spec.name)
        ))
        .map_err(pg)?;
        let mut writer = tx
            .copy_in(&format!(
                "COPY {stage} (\"_id\", {}) FROM STDIN",
                columns.join(", ")
            ))
            .map_err(pg)?;
        for (row, id) in chunk.updates() {
            copy_row(&mut buffer, spec, chunk, row, sources, batch, Some(id));
            if buffer.len() > 1 << 20 {
                writer.write_all(&buffer).map_err(io)?;
                buffer.clear();
            }
        }
        writer.write_all(&buffer).map_err(io)?;
        buffer.clear();
        writer.finish().map_err(pg)?;
        let sets: Vec<String> = columns
            .iter()
            .filter(|c| c.as_str() != "\"_batch\"")
            .map(|c| format!("{c} = s.{c}"))
            .collect();
        updated = tx
            .execute(
                &format!(
                    "UPDATE {t} SET {} FROM {stage} s WHERE {t}.\"_id\" = s.\"_id\"",
                    sets.join(", "),
                    t = quote(&spec.name)
                ),
                &[],
            )
            .map_err(pg)?;
    }
    if !turn() {
        return Err(NOT_ITS_TURN.into());
    }
    tx.execute(
        "UPDATE crmkit_batch SET counts = $1 WHERE id = $2",
        &[&counts, &batch],
    )
    .map_err(pg)?;
    tx.commit().map_err(pg)?;
    Ok((inserted, updated))
}

/// A PostgreSQL error with the server's message, not only "db error".
pub fn pg_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        // A connection error's reason (refused, unknown host, timed out) is its source.
        None => {
            let mut message = error.to_string();
            let mut cause = std::error::Error::source(error);
            while let Some(c) = cause {
                message.push_str(": ");
                message.push_str(&c.to_string());
                cause = c.source();
            }
            message
        }
    }
}

/// Held while a load writes: a second load on the same database is refused instead of
/// interleaving with it. SQLite: an exclusive lock on `PATH.lock` beside the database file
/// (released when the process ends, even by kill -9). PostgreSQL: a session advisory lock.
#[derive(Debug)]
pub struct LoadLock {
    _file: Option<std::fs::File>,
}

/// The advisory lock key crmkit's loads share on a PostgreSQL database.
const ADVISORY_KEY: i64 = 0x63726d6b6974; // "crmkit"

/// Removes an SQLite database file and the files SQLite and crmkit keep beside it (journal,
/// WAL, shared memory, lock); best effort, for a database a failed run created and left empty.
pub fn remove_sqlite_files(path: &std::path::Path) {
    for suffix in ["", "-journal", "-wal", "-shm", ".lock"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}

/// Takes the load lock, or says who holds it.
pub fn lock(url: &DbUrl, db: &mut Db) -> Result<LoadLock> {
    let busy = || Error::Database {
        db: url.masked(),
        action: "无法开始加载".into(),
        message:
            "另一个 crmkit load 正在写入这个数据库 (或一次 crmkit run 正在进行); 等它结束后再运行"
                .into(),
    };
    match (url, db) {
        (DbUrl::Sqlite(path), Db::Sqlite(_)) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".lock");
            let lock_path = std::path::PathBuf::from(name);
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
                .map_err(|e| crmkit_core::Error::io(&lock_path, "create the lock file", e))?;
            match file.try_lock() {
                Ok(()) => Ok(LoadLock { _file: Some(file) }),
                Err(std::fs::TryLockError::WouldBlock) => Err(busy()),
                Err(std::fs::TryLockError::Error(e)) => {
                    Err(crmkit_core::Error::io(&lock_path, "lock", e).into())
                }
            }
        }
        (_, Db::Postgres(client, _)) => {
            let got: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&ADVISORY_KEY])
                .and_then(|r| r.try_get(0))
                .map_err(|e| Error::Database {
                    db: url.masked(),
                    action: "无法开始加载".into(),
                    message: pg_message(&e),
                })?;
            if got {
                Ok(LoadLock { _file: None })
            } else {
                Err(busy())
            }
        }
        _ => Ok(LoadLock { _file: None }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_escapes_what_its_text_format_reserves() {
        let copied = |value| {
            let mut out = Vec::new();
            copy_value(&mut out, value);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(copied(Value::Text("华远 A-1")), "华远 A-1");
        assert_eq!(
            copied(Value::Text("a\\b\tc\nd\re\r\n")),
            "a\\\\b\\tc\\nd\\re\\r\\n"
        );
        assert_eq!(copied(Value::Text("\\")), "\\\\");
        assert_eq!(copied(Value::Text("")), "");
        assert_eq!(copied(Value::Null), "\\N");
        assert_eq!(copied(Value::Int(-42)), "-42");
    }
}
