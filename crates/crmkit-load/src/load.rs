//! A load: files of one or more templates into their tables, in dependency order, in batches
//! of one transaction each, with a reconciliation that accounts for every input row.
//!
//! A load is recorded in `crmkit_batch` (files with their SHA-256, templates, counts, times,
//! status). Each chunk of `batch_size` rows commits together with the batch's counts, so a
//! killed process leaves whole chunks only; running the same load again finds the unfinished
//! batch by its fingerprint and goes on after its last committed chunk.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crmkit_core::company::Regions;
use crmkit_core::import::{import, ImportOptions, Imported, Lineage};
use crmkit_core::template::Template;

use crate::db::{Chunk, Db, Existing, Prepared};
use crate::error::{Error, Result};
use crate::prepare::{canonical_name, prepare, Rejected, Resolver, Row};
use crate::schema::{TableSpec, ALIASES};

/// Whether rows whose key exists are updated or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Existing keys are refused (rejected with the reason).
    Insert,
    /// Changed rows update their record; unchanged rows are left alone.
    Upsert,
}

impl Mode {
    /// The name on the command line and in `crmkit_batch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Insert => "insert",
            Mode::Upsert => "upsert",
        }
    }
}

/// One file to load and its template.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Its template.
    pub template: Template,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
}

/// Options of a load.
#[derive(Debug, Clone)]
pub struct Options {
    /// Insert or upsert.
    pub mode: Mode,
    /// Rows per transaction.
    pub batch_size: usize,
    /// How text files are read.
    pub read: crmkit_core::read::ReadOptions,
    /// A pause after each committed chunk, for tests that kill a load half-way.
    pub pause_after_chunk: Option<std::time::Duration>,
    /// The golden ids of the input are this database's `_id`s: dedupe ran against what the
    /// table holds ([`crate::export::write_against`]), so a golden record whose id is a row of
    /// the table is that customer, whatever name or key it now carries.
    pub golden_is_row_id: bool,
}

/// Receives progress; the binary draws it.
pub trait Progress: Sync {
    /// A step begins with `total` units.
    fn begin(&self, _step: &str, _total: u64) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// The step is over.
    fn end(&self) {}
}

/// Progress nobody watches.
pub struct Quiet;
impl Progress for Quiet {}

/// Where every input row of one table went.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    /// Input rows (a golden record counts every record merged into it).
    pub input: u64,
    /// New records, as the database counted them.
    pub inserted: u64,
    /// Changed records, as the database counted them.
    pub updated: u64,
    /// Rows whose record already holds the same values.
    pub unchanged: u64,
    /// Rows merged into another record (by dedupe, or an identical row of the same input).
    pub merged: u64,
    /// Rows that did not load, each with a reason.
    pub rejected: u64,
    /// Prepared rows already processed (where a resumed batch goes on).
    pub done: u64,
    /// Rows of the table this batch created or changed, counted in the database afterwards.
    pub in_database: u64,
}

impl Counts {
    /// Whether input = inserted + updated + unchanged + merged + rejected, and the database
    /// holds exactly the inserted and updated rows under this batch.
    pub fn balanced(&self) -> bool {
        self.input == self.inserted + self.updated + self.unchanged + self.merged + self.rejected
            && self.in_database == self.inserted + self.updated
    }
}

/// What a load did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The `crmkit_batch` id.
    pub batch: i64,
    /// Whether an unfinished batch was resumed.
    pub resumed: bool,
    /// Per table, in load order.
    pub tables: Vec<(String, Counts)>,
    /// The rows that did not load.
    pub rejects: Vec<Rejected>,
    /// The sources (file, sheet) rows point into.
    pub sources: Vec<(String, Option<String>)>,
}

impl Report {
    /// `文件 [工作表] 第N行` of a row of source `source`, for messages.
    pub fn place(&self, source: usize, row: u32) -> String {
        match &self.sources[source] {
            (file, Some(sheet)) => format!("{file} [{sheet}] 第{row}行"),
            (file, None) => format!("{file} 第{row}行"),
        }
    }

    /// Whether every table balances.
    pub fn balanced(&self) -> bool {
        self.tables.iter().all(|(_, c)| c.balanced())
    }
}

#[derive(Serialize, Deserialize, Default)]
struct State {
    tables: BTreeMap<String, Counts>,
}

#[derive(Serialize)]
struct FileRecord<'a> {
    path: String,
    sheet: Option<&'a str>,
    template: &'a str,
    sha256: String,
    rows: usize,
}

/// SHA-256 of a file, hex.
pub fn file_sha256(path: &Path) -> Result<String> {
    let io = |e| crmkit_core::Error::io(path, "read", e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// The order tables load in: a table after the tables it references and names in `after`;
/// otherwise as given.
pub fn load_order(templates: &[&Template]) -> Vec<usize> {
    let mut order = Vec::new();
    let mut placed = vec![false; templates.len()];
    while order.len() < templates.len() {
        let before = order.len();
        for (i, t) in templates.iter().enumerate() {
            if placed[i] {
                continue;
            }
            let waits = t
                .load
                .references
                .iter()
                .map(|r| &r.table)
                .chain(&t.load.after)
                .any(|dep| {
                    templates
                        .iter()
                        .enumerate()
                        .any(|(j, o)| !placed[j] && j != i && &o.name == dep)
                });
            if !waits {
                placed[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            // A cycle in `after`: keep the given order for the rest.
            for (i, p) in placed.iter_mut().enumerate() {
                if !*p {
                    *p = true;
                    order.push(i);
                }
            }
        }
    }
    order
}

/// Loads `inputs` into `db`.
pub fn load(
    db: &mut Db,
    db_label: &str,
    inputs: &[Input],
    options: &Options,
    progress: &dyn Progress,
) -> Result<Report> {
    let database = |action: &str| {
        let action = action.to_string();
        move |message: String| Error::Database {
            db: db_label.to_string(),
            action,
            message,
        }
    };
    let regions = Regions::builtin()?;

    // Read every input first: a broken file stops the load before anything is written.
    let mut files: Vec<(usize, Imported, String)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        progress.begin(&format!("读取 {}", input.path.display()), 0);
        let imported = import(
            &input.path,
            &input.template,
            &ImportOptions {
                sheet: input.sheet.clone(),
                read: options.read.clone(),
            },
        )?;
        if let Some(missing) = imported.mapping.missing_required().next() {
            return Err(Error::Input(format!(
                "{}: 缺少必填列“{}”（模板 {}）; 请检查表头或用 --template 指定正确的模板",
                imported.source.location(),
                missing.header,
                input.template.name
            )));
        }
        let sha = file_sha256(&input.path)?;
        progress.end();
        files.push((i, imported, sha));
    }

    // Tables: one per template name, in dependency order.
    let mut templates: Vec<&Template> = Vec::new();
    for input in inputs {
        match templates.iter().find(|t| t.name == input.template.name) {
            Some(t) if **t != input.template => {
                return Err(Error::Input(format!(
                    "两个输入文件用了同名但内容不同的模板 `{}`; 一次加载中每个表只能有一个模板",
                    t.name
                )))
            }
            Some(_) => {}
            None => templates.push(&input.template),
        }
    }
    let order = load_order(&templates);
    // Where each row came from: its file, or the original file and row a copy crmkit wrote
    // (a pipeline's accepted rows, a golden file) names for it.
    let mut sources: Vec<(String, Option<String>)> = Vec::new();
    let mut source_index: FxHashMap<(String, Option<String>), usize> = FxHashMap::default();
    let mut row_sources: Vec<Vec<usize>> = Vec::with_capacity(files.len());
    for (_, imp, _) in &files {
        let own = (
            imp.source.path.display().to_string(),
            imp.source.sheet.clone(),
        );
        let lineage = Lineage::of(imp);
        let mut per_row = Vec::with_capacity(imp.rows.len());
        let mut last: Option<(&str, Option<&str>, usize)> = None;
        for row in &imp.rows {
            let origin = lineage.and_then(|l| l.origin_of(row));
            let index = match (origin, last) {
                (Some((f, s)), Some((lf, ls, i))) if f == lf && s == ls => i,
                _ => {
                    let key = origin
                        .map(|(f, s)| (f.to_string(), s.map(str::to_string)))
                        .unwrap_or_else(|| own.clone());
                    let next = sources.len();
                    let i = *source_index.entry(key.clone()).or_insert(next);
                    if i == next {
                        sources.push(key);
                    }
                    if let Some((f, s)) = origin {
                        last = Some((f, s, i));
                    }
                    i
                }
            };
            per_row.push(index);
        }
        row_sources.push(per_row);
    }

    db.ensure_meta()
        .map_err(database("无法创建 crmkit_batch 表"))?;
    // Referenced tables must be loaded here or already be in the database.
    for t in &templates {
        for r in &t.load.references {
            let here = templates.iter().find(|o| o.name == r.table);
            let named = match here {
                Some(o) => o.load.name.is_some(),
                None => match db.template_of(&r.table).map_err(database("无法读取表结构"))? {
                    Some(text) => Template::parse(&text, &format!("crmkit_table:{}", r.table))
                        .map(|o| o.load.name.is_some())
                        .unwrap_or(false),
                    None => {
                        return Err(Error::Input(format!(
                            "{} 表引用 {} 表（字段 {}），但数据库里还没有 {} 表，本次也没有给出它的文件; 请先加载{}",
                            t.name, r.table, r.field, r.table, r.table
                        )))
                    }
                },
            };
            if !named {
                return Err(Error::Input(format!(
                    "{} 表引用的 {} 表没有在模板的 [load] 中声明 name（按名称查找的字段）",
                    t.name, r.table
                )));
            }
        }
    }

    // The batch: a new one, or the unfinished one with the same fingerprint.
    let mut fingerprint = Sha256::new();
    fingerprint.update(options.mode.as_str());
    let mut records = Vec::new();
    for (i, imported, sha) in &files {
        let input = &inputs[*i];
        fingerprint.update(format!(
            "\n{}\t{}\t{}",
            input.template.name,
            sha,
            imported.source.sheet.as_deref().unwrap_or("")
        ));
        records.push(FileRecord {
            path: imported.source.path.display().to_string(),
            sheet: imported.source.sheet.as_deref(),
            template: &input.template.name,
            sha256: sha.clone(),
            rows: imported.rows.len(),
        });
    }
    let fingerprint = format!("{:x}", fingerprint.finalize());
    let files_json = serde_json::to_string(&records).expect("serialisable");
    let names: Vec<&str> = order.iter().map(|&i| templates[i].name.as_str()).collect();
    let found = db
        .resumable_batch(&fingerprint)
        .map_err(database("无法读取 crmkit_batch"))?;
    let (batch, mut state, resumed) = match found {
        Some(b) => {
            let state: State = serde_json::from_str(&b.counts).unwrap_or_default();
            db.finish_batch(b.id, "running", &b.counts, None)
                .map_err(database("无法更新 crmkit_batch"))?;
            (b.id, state, true)
        }
        None => {
            let id = db
                .create_batch(
                    &fingerprint,
                    options.mode.as_str(),
                    &names.join(","),
                    &files_json,
                    "{\"tables\":{}}",
                )
                .map_err(database("无法写入 crmkit_batch"))?;
            (id, State::default(), false)
        }
    };

    let mut report = Report {
        batch,
        resumed,
        tables: Vec::new(),
        rejects: Vec::new(),
        sources,
    };
    for &t in &order {
        let template = templates[t];
        let result = load_table(
            db,
            template,
            &files,
            &row_sources,
            inputs,
            options,
            batch,
            resumed,
            &mut state,
            &regions,
            progress,
            &mut report,
        );
        if let Err(message) = result {
            let counts = serde_json::to_string(&state).expect("serialisable");
            // The failed chunk rolled back; record the failure for the next run.
            let _ = db.finish_batch(batch, "failed", &counts, Some(&message));
            return Err(Error::Database {
                db: db_label.to_string(),
                action: format!("加载 {} 表失败（批次 {batch} 已回滚到最后一次提交; 重新运行同一命令会从那里继续）", template.name),
                message,
            });
        }
        // This table's rows are written: free them before the next table's work.
        for (i, imported, _) in files.iter_mut() {
            if inputs[*i].template.name == template.name {
                drop_later(std::mem::take(&mut imported.rows));
            }
        }
    }
    let counts = serde_json::to_string(&state).expect("serialisable");
    db.finish_batch(batch, "done", &counts, None)
        .map_err(database("无法更新 crmkit_batch"))?;
    drop_later(files);
    Ok(report)
}

/// Frees a large structure on another thread, so that the load (and the process, which may
/// exit first) does not wait for a million small deallocations.
fn drop_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// Existing rows of a named table by golden id and by canonical name.
type Secondary<'a> = (
    FxHashMap<&'a str, Vec<&'a Existing>>,
    FxHashMap<String, Vec<&'a Existing>>,
);

/// What happens to one prepared row.
enum Action {
    Insert,
    Update(i64),
    Unchanged,
    /// An identical repeat of an earlier row of the input: the same record.
    Merged,
}

#[allow(clippy::too_many_arguments)]
fn load_table(
    db: &mut Db,
    template: &Template,
    files: &[(usize, Imported, String)],
    row_sources: &[Vec<usize>],
    inputs: &[Input],
    options: &Options,
    batch: i64,
    resumed: bool,
    state: &mut State,
    regions: &Regions,
    progress: &dyn Progress,
    report: &mut Report,
) -> std::result::Result<(), String> {
    let spec = TableSpec::new(template);
    let toml = toml_of(template);
    db.ensure_table(&spec, &toml)?;

    // Resolvers for the referenced tables, read after those tables loaded.
    let mut resolvers = Vec::new();
    for r in &spec.refs {
        let referenced = match db.template_of(&r.table)? {
            Some(text) => Template::parse(&text, &r.table).map_err(|e| e.to_string())?,
            None => return Err(format!("{} 表不存在", r.table)),
        };
        let load = &referenced.load;
        let name = load.name.clone().unwrap_or_default();
        let code = load.code.clone();
        let mut columns = vec!["_id".to_string(), name];
        columns.push(code.unwrap_or_else(|| "_id".into()));
        columns.push(ALIASES.to_string());
        let mut rows = db.select(&r.table, &columns)?;
        if load.code.is_none() {
            for row in &mut rows {
                row[2] = None;
            }
        }
        resolvers.push(Resolver::new(&r.table, rows, regions));
    }
    let resolver_refs: Vec<&Resolver> = resolvers.iter().collect();

    // Prepare every row of the table's files, in input order.
    let mut rows: Vec<Row> = Vec::new();
    for (n, (i, imported, _)) in files.iter().enumerate() {
        if inputs[*i].template.name == template.name {
            progress.begin(&format!("检查 {} 行", imported.rows.len()), 0);
            rows.extend(prepare(
                &spec,
                imported,
                &row_sources[n],
                &resolver_refs,
                regions,
            ));
            progress.end();
        }
    }
    let mut counts = state
        .tables
        .get(&template.name)
        .cloned()
        .unwrap_or_default();
    let skip = counts.done as usize;
    if !resumed || !state.tables.contains_key(&template.name) {
        counts = Counts::default();
    }

    // Duplicates inside the input: identical rows merge, conflicting ones are rejected.
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    let mut outcome: Vec<Option<Result<Action, String>>> = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        let Row::Ready(p, _) = row else {
            outcome.push(None);
            continue;
        };
        match first.get(p.key.as_str()) {
            None => {
                first.insert(&p.key, n);
                outcome.push(None);
            }
            Some(&m) => {
                let Row::Ready(q, _) = &rows[m] else {
                    unreachable!()
                };
                let place = report.place(q.source, q.row);
                outcome.push(Some(if q.hash == p.hash {
                    Ok(Action::Merged)
                } else {
                    Err(format!("与{place}的记录键相同但内容不同（键: {}）; 请保留一行或先运行 crmkit dedupe", show_key(&p.key)))
                }));
            }
        }
    }

    // Compare with what the table holds (as it was before this batch).
    let existing = db.existing(&spec, resumed.then_some(batch))?;
    let by_key_was_empty = existing.is_empty();
    let by_key: FxHashMap<&str, &Existing> = existing.iter().map(|e| (e.key.as_str(), e)).collect();
    let mut secondary: Option<Secondary> = None;
    let mut by_id: Option<FxHashMap<i64, &Existing>> = None;
    // Keep the stronger key: credit code over golden id over name.
    let rank = |k: &str| {
        ["k:", "g:", "n:"]
            .iter()
            .position(|p| k.starts_with(p))
            .unwrap_or(3)
    };
    let mut claimed: FxHashMap<i64, usize> = FxHashMap::default();
    let mut actions: Vec<Result<Action, String>> = Vec::with_capacity(rows.len());
    let mut keys: Vec<Option<String>> = vec![None; rows.len()];
    for (n, row) in rows.iter().enumerate() {
        let action = match (row, outcome[n].take()) {
            (Row::Rejected(r), _) => Err(r.reason.clone()),
            (_, Some(decided)) => decided,
            (Row::Ready(p, _), None) => {
                let mut hit = by_key.get(p.key.as_str()).copied();
                if hit.is_none() && options.golden_is_row_id {
                    let by_id =
                        by_id.get_or_insert_with(|| existing.iter().map(|e| (e.id, e)).collect());
                    hit = p
                        .golden
                        .as_deref()
                        .and_then(|g| g.parse::<i64>().ok())
                        .and_then(|id| by_id.get(&id).copied())
                        .filter(|e| !(e.key.starts_with("k:") && p.key.starts_with("k:")));
                    if let Some(e) = hit {
                        if rank(&e.key) < rank(&p.key) {
                            keys[n] = Some(e.key.clone());
                        }
                    }
                }
                if hit.is_none() && spec.is_named() && !existing.is_empty() {
                    // The same customer loaded before under a weaker key (golden id, name).
                    let (by_golden, by_name) = secondary.get_or_insert_with(|| {
                        let mut by_golden: FxHashMap<&str, Vec<&Existing>> = FxHashMap::default();
                        let mut by_name: FxHashMap<String, Vec<&Existing>> = FxHashMap::default();
                        for e in &existing {
                            if let Some(g) = &e.golden {
                                by_golden.entry(g.as_str()).or_default().push(e);
                            }
                            if let Some(name) = &e.name {
                                by_name
                                    .entry(canonical_name(name, regions))
                                    .or_default()
                                    .push(e);
                            }
                        }
                        (by_golden, by_name)
                    });
                    let compatible =
                        |e: &&&Existing| !(e.key.starts_with("k:") && p.key.starts_with("k:"));
                    let from_golden =
                        p.golden
                            .as_deref()
                            .and_then(|g| by_golden.get(g))
                            .and_then(|l| {
                                let l: Vec<_> = l.iter().filter(compatible).collect();
                                (l.len() == 1).then(|| *l[0])
                            });
                    hit = from_golden.or_else(|| {
                        let name = p.values[spec.name_field?].as_deref()?;
                        let l: Vec<_> = by_name
                            .get(&canonical_name(name, regions))?
                            .iter()
                            .filter(compatible)
                            .collect();
                        (l.len() == 1).then(|| *l[0])
                    });
                    if let Some(e) = hit {
                        if rank(&e.key) < rank(&p.key) {
                            keys[n] = Some(e.key.clone());
                        }
                    }
                }
                match hit {
                    None => Ok(Action::Insert),
                    Some(e) => match claimed.get(&e.id) {
                        Some(&m) => {
                            let Row::Ready(q, _) = &rows[m] else {
                                unreachable!()
                            };
                            Err(format!(
                                "与{}指向数据库中同一条记录（ID {}）",
                                report.place(q.source, q.row),
                                e.id
                            ))
                        }
                        None => {
                            claimed.insert(e.id, n);
                            if options.mode == Mode::Insert {
                                Err(format!("数据库中已有这条记录（ID {}, 键: {}）; 要更新已有记录请用 --mode upsert", e.id, show_key(&e.key)))
                            } else if e.hash == p.hash
                                && keys[n].as_deref().is_none_or(|k| k == e.key)
                                && e.key == keys[n].as_deref().unwrap_or(&p.key)
                            {
                                Ok(Action::Unchanged)
                            } else {
                                Ok(Action::Update(e.id))
                            }
                        }
                    },
                }
            }
        };
        actions.push(action);
    }
    drop(by_key);
    drop(secondary);
    drop_later(existing);

    // Rows whose key changes (a stronger key found) carry it into the write.
    let mut rekeyed: FxHashMap<usize, Prepared> = FxHashMap::default();
    for (n, key) in keys.iter().enumerate() {
        if let (Some(key), Row::Ready(p, _)) = (key, &rows[n]) {
            let mut p = p.clone();
            p.key = key.clone();
            rekeyed.insert(n, p);
        }
    }

    // A first load of more than one batch into an empty table builds the key index once at the end: faster than
    // row by row, and safe because keys were made unique above (a killed load leaves the
    // index dropped; the next run's ensure_table builds it before anything else).
    let total = rows.len();
    let bulk = by_key_was_empty && total - skip.min(total) > options.batch_size.max(1);
    if bulk {
        db.key_index(&spec, false)?;
    }
    // Write in chunks, each one transaction with the batch's counts.
    progress.begin(
        &format!("写入 {} 表", template.name),
        (total - skip.min(total)) as u64,
    );
    let mut start = skip.min(total);
    while start < total {
        let end = (start + options.batch_size.max(1)).min(total);
        let mut chunk = Chunk {
            inserts: Vec::new(),
            updates: Vec::new(),
        };
        let mut next = counts.clone();
        for n in start..end {
            let weight = match &rows[n] {
                Row::Ready(_, w) => *w,
                Row::Rejected(r) => r.weight,
            };
            next.input += weight;
            let prepared = |n: usize| match &rows[n] {
                Row::Ready(p, _) => rekeyed.get(&n).unwrap_or(p),
                Row::Rejected(_) => unreachable!(),
            };
            match &actions[n] {
                Ok(Action::Insert) => {
                    chunk.inserts.push(prepared(n));
                    next.merged += weight - 1;
                }
                Ok(Action::Update(id)) => {
                    chunk.updates.push((*id, prepared(n)));
                    next.merged += weight - 1;
                }
                Ok(Action::Unchanged) => {
                    next.unchanged += 1;
                    next.merged += weight - 1;
                }
                Ok(Action::Merged) => next.merged += weight,
                Err(reason) => {
                    next.rejected += weight;
                    report
                        .rejects
                        .push(rejected_row(template, &rows[n], reason));
                }
            }
        }
        next.done = end as u64;
        // The counts written with the chunk assume it succeeds; they are corrected below with
        // what the database reports, before the next chunk.
        let planned_inserts = chunk.inserts.len() as u64;
        let planned_updates = chunk.updates.len() as u64;
        next.inserted += planned_inserts;
        next.updated += planned_updates;
        state.tables.insert(template.name.clone(), next.clone());
        let json = serde_json::to_string(&*state).expect("serialisable");
        let (inserted, updated) = match db.write_chunk(&spec, &chunk, &report.sources, batch, &json)
        {
            Ok(done) => done,
            Err(e) => {
                state.tables.insert(template.name.clone(), counts.clone());
                return Err(e);
            }
        };
        next.inserted = next.inserted - planned_inserts + inserted;
        next.updated = next.updated - planned_updates + updated;
        state.tables.insert(template.name.clone(), next.clone());
        counts = next;
        progress.advance((end - start) as u64);
        start = end;
        if let Some(pause) = options.pause_after_chunk {
            std::thread::sleep(pause);
        }
    }
    progress.end();
    if bulk {
        progress.begin(&format!("建立 {} 表的键索引", template.name), 0);
        db.key_index(&spec, true)?;
        progress.end();
    }
    // Rejects of chunks committed by an earlier, interrupted run are listed again.
    for (row, action) in rows.iter().zip(&actions).take(skip.min(total)) {
        if let Err(reason) = action {
            report.rejects.push(rejected_row(template, row, reason));
        }
    }
    counts.in_database = db.rows_of_batch(&template.name, batch)?;
    state.tables.insert(template.name.clone(), counts.clone());
    report.tables.push((template.name.clone(), counts));
    Ok(())
}

/// The rejects-file entry of a row that did not load.
fn rejected_row(template: &Template, row: &Row, reason: &str) -> Rejected {
    match row {
        Row::Rejected(r) => r.clone(),
        Row::Ready(p, weight) => Rejected {
            table: template.name.clone(),
            source: p.source,
            row: p.row,
            reason: reason.to_string(),
            values: template
                .fields
                .iter()
                .zip(&p.values)
                .map(|(f, v)| (f.header.clone(), v.as_deref().unwrap_or("").to_string()))
                .collect(),
            weight: *weight,
        },
    }
}

/// A key for people: parts separated by ` / `, phone-like digit runs masked.
fn show_key(key: &str) -> String {
    let body = key.get(2..).unwrap_or(key).replace('\u{1f}', " / ");
    crmkit_core::mask::mask_digit_runs(&body)
}

/// The template as TOML, recorded with its table.
fn toml_of(template: &Template) -> String {
    toml::to_string(template).unwrap_or_default()
}

/// What a file looks like, judged from its header.
#[derive(Debug)]
pub enum Detected {
    /// Rows of this built-in template; `golden` when it is a dedupe golden file.
    Template(Box<Template>, bool),
    /// A rejects file written by `crmkit clean` or `crmkit load` (has a `_reasons` column).
    Rejects,
    /// No built-in template's headers found.
    Unknown,
}

/// Which built-in template a file's header names best (at least two columns must match).
pub fn detect_template(
    path: &Path,
    read: &crmkit_core::read::ReadOptions,
    sheet: Option<&str>,
) -> Result<Detected> {
    let mut book = crmkit_core::read::Book::open(path, read)?;
    let grid = book.grid(sheet)?;
    let head: Vec<&crmkit_core::read::GridRow> = grid.rows.iter().take(10).collect();
    if head.iter().any(|r| {
        r.cells
            .iter()
            .any(|c| c.trim() == "_reasons" || c.trim() == "拒绝原因")
    }) {
        return Ok(Detected::Rejects);
    }
    let golden = head.iter().any(|r| {
        r.cells
            .iter()
            .any(|c| c.trim() == crmkit_core::dedupe::golden::GOLDEN_ID)
    });
    let mut best: Option<(usize, Template)> = None;
    for template in Template::builtins()? {
        let index = crmkit_core::mapping::HeaderIndex::new(&template);
        let score = head
            .iter()
            .map(|r| index.header_score(r.cells.iter()))
            .max()
            .unwrap_or(0);
        if score >= 2 && best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, template));
        }
    }
    Ok(match best {
        Some((_, t)) => Detected::Template(Box::new(t), golden),
        None => Detected::Unknown,
    })
}

/// Writes the rows a load rejected (.csv or .xlsx): table, source file, sheet, row, the reason,
/// and the row's values.
pub fn write_rejects(path: &Path, report: &Report) -> Result<()> {
    let headers: Vec<String> = ["表", "来源文件", "工作表", "行", "_reasons", "内容"]
        .into_iter()
        .map(String::from)
        .collect();
    crmkit_core::write::write_rows(
        path,
        &headers,
        &[5],
        "拒绝记录",
        report.rejects.len(),
        |i| {
            let r = &report.rejects[i];
            let (file, sheet) = &report.sources[r.source];
            let content: Vec<String> = r
                .values
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| format!("{h}={v}"))
                .collect();
            vec![
                Cow::Owned(r.table.clone()),
                Cow::Owned(file.clone()),
                Cow::Owned(sheet.clone().unwrap_or_default()),
                Cow::Owned(r.row.to_string()),
                Cow::Owned(r.reason.clone()),
                Cow::Owned(content.join("; ")),
            ]
            .into_iter()
        },
    )?;
    Ok(())
}
