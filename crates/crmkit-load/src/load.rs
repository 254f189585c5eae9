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
use crmkit_core::import::{self as import, ImportOptions, ImportStream, Lineage, Rows};
use crmkit_core::template::Template;

use crate::db::{Db, Existing, Packed, Prepared};
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
        place(&self.sources[source], row)
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
    rows: Option<u64>,
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
///
/// Each file is read as a stream: its header is checked before anything is written (a file
/// missing a required column stops the load), then its rows are prepared a chunk at a time on
/// one thread while the chunk before is written on this one; no more than a few chunks of rows
/// are in memory at once.
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

    // Open every input and check its header: a broken file stops the load before anything
    // is written. The content hash is computed while the file is opened.
    let mut files: Vec<Opened> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        progress.begin(&format!("读取 {}", input.path.display()), 0);
        let (stream, sha) = std::thread::scope(|scope| {
            let sha = scope.spawn(|| file_sha256(&input.path));
            let stream = import::stream(
                &input.path,
                &input.template,
                &ImportOptions {
                    sheet: input.sheet.clone(),
                    read: options.read.clone(),
                },
            );
            let sha = sha.join().unwrap_or_else(|_| {
                Err(Error::Input(format!(
                    "{}: 无法计算文件哈希",
                    input.path.display()
                )))
            });
            (stream, sha)
        });
        let stream = stream?;
        let sha = sha?;
        if let Some(missing) = stream.imported.mapping.missing_required().next() {
            return Err(Error::Input(format!(
                "{}: 缺少必填列“{}”（模板 {}）; 请检查表头或用 --template 指定正确的模板",
                stream.imported.source.location(),
                missing.header,
                input.template.name
            )));
        }
        progress.end();
        files.push(Opened {
            input: i,
            path: stream.imported.source.path.display().to_string(),
            sheet: stream.imported.source.sheet.clone(),
            stream: Some(stream),
            sha,
            rows: 0,
        });
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
    for file in &files {
        fingerprint.update(format!(
            "\n{}\t{}\t{}",
            inputs[file.input].template.name,
            file.sha,
            file.sheet.as_deref().unwrap_or("")
        ));
    }
    let fingerprint = format!("{:x}", fingerprint.finalize());
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
                    &files_json(inputs, &files),
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
        sources: Vec::new(),
    };
    let mut sources = Sources::default();
    for &t in &order {
        let template = templates[t];
        let result = load_table(
            db,
            template,
            &mut files,
            inputs,
            options,
            (batch, resumed),
            &mut state,
            &regions,
            progress,
            &mut sources,
            &mut report,
        );
        // Sources of rows that were not written (a resumed batch's committed chunks) too.
        report.sources.clone_from(&sources.list);
        sources.sent = sources.list.len();
        if let Err(failure) = result {
            let counts = serde_json::to_string(&state).expect("serialisable");
            // The failed chunk rolled back; record the failure for the next run.
            let _ = db.finish_batch(batch, "failed", &counts, Some(&failure.to_string()));
            return Err(match failure {
                Failure::Read(e) => (*e).into(),
                Failure::Database(message) => Error::Database {
                    db: db_label.to_string(),
                    action: format!("加载 {} 表失败（批次 {batch} 已回滚到最后一次提交; 重新运行同一命令会从那里继续）", template.name),
                    message,
                },
            });
        }
    }
    db.set_batch_files(batch, &files_json(inputs, &files))
        .map_err(database("无法更新 crmkit_batch"))?;
    let counts = serde_json::to_string(&state).expect("serialisable");
    db.finish_batch(batch, "done", &counts, None)
        .map_err(database("无法更新 crmkit_batch"))?;
    Ok(report)
}

/// Frees a large structure on another thread, so that the load (and the process, which may
/// exit first) does not wait for a million small deallocations.
fn drop_later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// `文件 [工作表] 第N行` of a row of a source.
fn place((file, sheet): &(String, Option<String>), row: u32) -> String {
    match sheet {
        Some(sheet) => format!("{file} [{sheet}] 第{row}行"),
        None => format!("{file} 第{row}行"),
    }
}

/// An input opened for the load.
struct Opened {
    /// Index into the load's inputs.
    input: usize,
    /// The file and sheet, as `crmkit_batch` records them.
    path: String,
    sheet: Option<String>,
    /// Its rows, read while its table loads.
    stream: Option<ImportStream>,
    sha: String,
    /// Data rows read.
    rows: u64,
}

/// `crmkit_batch.files`: each file with its template, SHA-256 and rows (once read).
fn files_json(inputs: &[Input], files: &[Opened]) -> String {
    let records: Vec<FileRecord> = files
        .iter()
        .map(|f| FileRecord {
            path: f.path.clone(),
            sheet: f.sheet.as_deref(),
            template: &inputs[f.input].template.name,
            sha256: f.sha.clone(),
            rows: (f.rows > 0).then_some(f.rows),
        })
        .collect();
    serde_json::to_string(&records).expect("serialisable")
}

/// Where rows came from: each (file, sheet) once, in the order first seen.
#[derive(Default)]
struct Sources {
    list: Vec<(String, Option<String>)>,
    index: FxHashMap<(String, Option<String>), usize>,
    /// How many the writing side has been given.
    sent: usize,
}

impl Sources {
    /// The sources not given to the writing side yet.
    fn unsent(&mut self) -> Vec<(String, Option<String>)> {
        let new = self.list[self.sent..].to_vec();
        self.sent = self.list.len();
        new
    }

    fn of(&mut self, file: &str, sheet: Option<&str>) -> usize {
        let key = (file.to_string(), sheet.map(str::to_string));
        let next = self.list.len();
        let i = *self.index.entry(key.clone()).or_insert(next);
        if i == next {
            self.list.push(key);
        }
        i
    }

    /// `文件 [工作表] 第N行`, for messages.
    fn place(&self, source: usize, row: u32) -> String {
        place(&self.list[source], row)
    }
}

/// Why a table could not be loaded.
#[derive(Debug)]
enum Failure {
    /// An input could not be read on (a CSV broken after its header).
    Read(Box<crmkit_core::Error>),
    /// The database refused.
    Database(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Read(e) => write!(f, "{e}"),
            Failure::Database(message) => f.write_str(message),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Database(message)
    }
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

/// One chunk handed from the preparing thread to the writing one.
struct ChunkToWrite {
    /// The rows to write.
    packed: Packed,
    /// What the chunk adds to the counts (inserted and updated as planned).
    delta: Counts,
    /// Prepared rows of the table processed once this chunk is written.
    done: u64,
    /// Sources first seen in this chunk.
    new_sources: Vec<(String, Option<String>)>,
}

/// Rows read and prepared at a time, within a chunk.
const PIECE_ROWS: usize = 8192;

/// A chunk for the second PostgreSQL connection.
struct SecondJob {
    packed: Packed,
    delta: Counts,
    done: u64,
    /// The batch's counts once this chunk is in (JSON).
    json: String,
    /// Sources it has not been sent yet.
    new_sources: Vec<(String, Option<String>)>,
}

/// A chunk committed: the rows inserted and updated as the database counted them.
struct ChunkWritten {
    written: (u64, u64),
    packed: Packed,
    delta: Counts,
    done: u64,
}

/// The table as it was before this batch, indexed for the comparisons.
struct Table<'e> {
    existing: &'e [Existing],
    by_key: FxHashMap<&'e str, &'e Existing>,
    secondary: Option<Secondary<'e>>,
    by_id: Option<FxHashMap<i64, &'e Existing>>,
}

/// What the preparing thread remembers of earlier rows of the input.
#[derive(Default)]
struct Seen {
    /// Keys of earlier rows (128-bit hash), and the weaker keys of rows with a credit code
    /// (their name, or their golden id), under which a later row without one finds them.
    first: FxHashMap<[u64; 2], First>,
    /// Records of the table an earlier row already points at: that row's source and row.
    claimed: FxHashMap<i64, (usize, u32)>,
}

/// An earlier row of the input, under its key or under a weaker key of its: 16 bytes, so that
/// an entry of the (large, cache-cold) map with its 16-byte key takes half a cache line.
#[derive(Clone, Copy)]
struct First {
    /// The row's hash.
    hash: i64,
    /// The source (index into the load's sources) and, in the top two bits, the [`Kind`].
    source_kind: u32,
    row: u32,
}

/// What a key in [`Seen::first`] stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The key of a row.
    Row = 0,
    /// The name (`n:`) or golden id (`g:`) of a row with a credit code.
    Coded = 1,
    /// The name of two or more rows with different credit codes: no row in particular.
    Codes = 2,
}

impl First {
    const KIND_SHIFT: u32 = 30;

    fn new(p: &Prepared<'_>, kind: Kind) -> First {
        // A load names far fewer than 2^30 files and sheets.
        let source = u32::try_from(p.source).unwrap_or(u32::MAX) & ((1 << Self::KIND_SHIFT) - 1);
        First {
            hash: p.hash,
            source_kind: source | (kind as u32) << Self::KIND_SHIFT,
            row: p.row,
        }
    }

    fn source(&self) -> usize {
        (self.source_kind & ((1 << Self::KIND_SHIFT) - 1)) as usize
    }

    fn kind(&self) -> Kind {
        match self.source_kind >> Self::KIND_SHIFT {
            0 => Kind::Row,
            1 => Kind::Coded,
            _ => Kind::Codes,
        }
    }

    fn with_kind(self, kind: Kind) -> First {
        First {
            source_kind: (self.source_kind & ((1 << Self::KIND_SHIFT) - 1))
                | (kind as u32) << Self::KIND_SHIFT,
            ..self
        }
    }
}

/// The 128-bit hash a key is kept under in [`Seen::first`].
fn hash_of_key(key: &str) -> [u64; 2] {
    let h = xxhash_rust::xxh3::xxh3_128(key.as_bytes());
    [h as u64, (h >> 64) as u64]
}

#[allow(clippy::too_many_arguments)]
fn load_table(
    db: &mut Db,
    template: &Template,
    files: &mut [Opened],
    inputs: &[Input],
    options: &Options,
    (batch, resumed): (i64, bool),
    state: &mut State,
    regions: &Regions,
    progress: &dyn Progress,
    sources: &mut Sources,
    report: &mut Report,
) -> std::result::Result<(), Failure> {
    let spec = TableSpec::new(template);
    let toml = toml_of(template);
    db.ensure_table(&spec, &toml)?;

    // Resolvers for the referenced tables, read after those tables loaded.
    let mut resolvers = Vec::new();
    for r in &spec.refs {
        let referenced = match db.template_of(&r.table)? {
            Some(text) => Template::parse(&text, &r.table).map_err(|e| e.to_string())?,
            None => return Err(format!("{} 表不存在", r.table).into()),
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

    let mut counts = state
        .tables
        .get(&template.name)
        .cloned()
        .unwrap_or_default();
    let skip = counts.done;
    if !resumed || !state.tables.contains_key(&template.name) {
        counts = Counts::default();
    }

    // Compare with what the table holds (as it was before this batch).
    let existing = db.existing(&spec, resumed.then_some(batch))?;
    let mut table = Table {
        existing: &existing,
        by_key: existing.iter().map(|e| (e.key.as_str(), e)).collect(),
        secondary: None,
        by_id: None,
    };
    // A first load into an empty table builds the key index once at the end: faster than row
    // by row, and safe because keys are made unique here (a killed load leaves the index
    // dropped; the next run's ensure_table builds it before anything else).
    let bulk = existing.is_empty();
    if bulk {
        db.key_index(&spec, false)?;
        db.bulk_journal(true)?;
    }

    let mine: Vec<usize> = (0..files.len())
        .filter(|&n| inputs[files[n].input].template.name == template.name)
        .collect();
    let estimate: u64 = mine
        .iter()
        .filter_map(|&n| files[n].stream.as_ref())
        .map(|s| s.remaining())
        .sum();
    progress.begin(
        &format!("写入 {} 表", template.name),
        estimate.saturating_sub(skip),
    );
    // Prepare on one thread, write on this one; a bounded channel keeps at most two chunks
    // waiting.
    let mut rejects = Vec::new();
    let written = std::thread::scope(|scope| -> std::result::Result<(), Failure> {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<ChunkToWrite>(2);
        // Written chunks go back to be filled again.
        let (give_back, written_chunks) = std::sync::mpsc::channel::<Packed>();
        let spec = &spec;
        let table = &mut table;
        let resolver_refs = &resolver_refs;
        let rejects = &mut rejects;
        let sources = &mut *sources;
        let mut streams: Vec<(usize, ImportStream)> = Vec::new();
        for &n in &mine {
            if let Some(stream) = files[n].stream.take() {
                streams.push((n, stream));
            }
        }
        let prepare = move || {
            let mut seen = Seen::default();
            // Sized once for the rows expected: growing it re-hashes and touches fresh memory.
            // Loaded into an empty named table, a row with a credit code is kept under a
            // second key (its name); into one that has it, only when its name changed.
            let keys = if spec.is_named() && table.existing.is_empty() {
                2
            } else {
                1
            };
            seen.first.reserve(estimate.min(50_000_000) as usize * keys);
            let mut done = 0u64;
            let mut read = Vec::new();
            let mut result = Ok(());
            for (n, mut stream) in streams {
                let before = done;
                let r = produce_file(
                    spec,
                    &mut stream,
                    options,
                    table,
                    &mut seen,
                    resolver_refs,
                    regions,
                    sources,
                    rejects,
                    (skip, &mut done),
                    (&sender, &written_chunks),
                );
                read.push((n, stream, done - before));
                if r.is_err() {
                    result = r;
                    break;
                }
            }
            (result, read)
        };
        let producer = std::thread::Builder::new()
            .name("crmkit-prepare".into())
            .spawn_scoped(scope, prepare)
            .map_err(|e| Failure::Database(format!("无法启动准备数据的线程: {e}")))?;
        // PostgreSQL: every other chunk goes to a second connection, so that the server
        // parses and stores two chunks at once (one COPY keeps one server process busy).
        // Commits stay in order: a chunk commits only once the one before it has, so a
        // killed load still leaves whole chunks from the start. Without a second connection
        // (the server refuses it) every chunk goes through this one.
        let (to_second, second_jobs) = std::sync::mpsc::channel::<SecondJob>();
        let (second_done, from_second) =
            std::sync::mpsc::channel::<std::result::Result<ChunkWritten, String>>();
        let second = match db.another() {
            Some(Ok(mut other)) => Some(scope.spawn(move || {
                let mut sources = Vec::new();
                for job in second_jobs {
                    sources.extend(job.new_sources);
                    let written = other.write_chunk(
                        spec,
                        &job.packed,
                        &sources,
                        batch,
                        &job.json,
                        &mut || true,
                    );
                    let done = written.map(|written| ChunkWritten {
                        written,
                        packed: job.packed,
                        delta: job.delta,
                        done: job.done,
                    });
                    if second_done.send(done).is_err() {
                        break;
                    }
                }
            })),
            _ => None,
        };
        let mut outcome = Ok(());
        // Counts as committed, and as planned for the chunks handed out (the JSON each
        // chunk commits).
        let mut planned = counts.clone();
        // Rows processed so far, for progress: every row counts, written or not.
        let mut shown = skip;
        // Sources the second connection knows; whether it holds a chunk not answered yet.
        let mut second_knows = 0;
        let mut second_busy = false;
        // A committed chunk: counted as the database counted it, its buffer given back.
        let mut settle = |counts: &mut Counts, chunk: ChunkWritten| {
            let (inserted, updated) = chunk.written;
            add(counts, &chunk.delta);
            counts.inserted = counts.inserted - chunk.delta.inserted + inserted;
            counts.updated = counts.updated - chunk.delta.updated + updated;
            counts.done = chunk.done;
            let _ = give_back.send(chunk.packed);
            progress.advance(chunk.done.saturating_sub(shown));
            shown = chunk.done;
        };
        // The second connection's answer for its chunk, settled; or why it failed.
        let answer = |counts: &mut Counts,
                      settle: &mut dyn FnMut(&mut Counts, ChunkWritten)|
         -> std::result::Result<(), String> {
            let done = from_second
                .recv()
                .map_err(|_| "第二个数据库连接意外中断".to_string())??;
            settle(counts, done);
            Ok(())
        };
        for (k, chunk) in receiver.iter().enumerate() {
            report.sources.extend(chunk.new_sources);
            add(&mut planned, &chunk.delta);
            planned.done = chunk.done;
            state.tables.insert(template.name.clone(), planned.clone());
            let json = serde_json::to_string(&*state).expect("serialisable");
            if second.is_some() && k % 2 == 1 {
                // The chunk before is committed: this one may commit as soon as written.
                let job = SecondJob {
                    packed: chunk.packed,
                    delta: chunk.delta,
                    done: chunk.done,
                    json,
                    new_sources: report.sources[second_knows..].to_vec(),
                };
                second_knows = report.sources.len();
                if to_second.send(job).is_err() {
                    outcome = Err(Failure::Database("第二个数据库连接意外中断".into()));
                    break;
                }
                second_busy = true;
                continue;
            }
            // A chunk with nothing to write still commits its counts. Before committing, the
            // second connection's chunk (the one before) must have.
            let mut earlier = Ok(());
            let mut turn = || {
                if second_busy {
                    second_busy = false;
                    earlier = answer(&mut counts, &mut settle);
                }
                earlier.is_ok()
            };
            let written = db.write_chunk(
                spec,
                &chunk.packed,
                &report.sources,
                batch,
                &json,
                &mut turn,
            );
            match (earlier, written) {
                (Err(e), _) | (Ok(()), Err(e)) => {
                    outcome = Err(Failure::Database(e));
                    break;
                }
                (Ok(()), Ok(written)) => settle(
                    &mut counts,
                    ChunkWritten {
                        written,
                        packed: chunk.packed,
                        delta: chunk.delta,
                        done: chunk.done,
                    },
                ),
            }
            if let Some(pause) = options.pause_after_chunk {
                std::thread::sleep(pause);
            }
        }
        // The second connection's last chunk (also when this one failed before its turn:
        // that chunk came first and may well have committed).
        if second_busy {
            if let Err(e) = answer(&mut counts, &mut settle) {
                if outcome.is_ok() {
                    outcome = Err(Failure::Database(e));
                }
            }
        }
        drop(to_second);
        if let Some(second) = second {
            let _ = second.join();
        }
        if outcome.is_err() {
            state.tables.insert(template.name.clone(), counts.clone());
        }
        // A failed write stops the preparing thread at its next chunk.
        drop(receiver);
        let (produced, read) = producer
            .join()
            .map_err(|_| Failure::Database("准备数据的线程意外退出".into()))?;
        for (n, stream, rows) in read {
            files[n].rows = rows;
            files[n].stream = Some(stream);
        }
        outcome?;
        produced
    });
    progress.end();
    report.rejects.append(&mut rejects);
    written?;
    drop(table);
    drop_later(existing);
    if bulk {
        progress.begin(&format!("建立 {} 表的键索引", template.name), 0);
        db.key_index(&spec, true)?;
        db.bulk_journal(false)?;
        progress.end();
    }
    // Counted again in the table. When it held nothing before this batch, every row in it is
    // this batch's, and a plain count reads the small key index instead of the whole table.
    counts.in_database = if bulk {
        db.count_rows(&template.name)?
    } else {
        db.rows_of_batch(&template.name, batch)?
    };
    state.tables.insert(template.name.clone(), counts.clone());
    report.tables.push((template.name.clone(), counts));
    Ok(())
}

fn add(counts: &mut Counts, delta: &Counts) {
    counts.input += delta.input;
    counts.inserted += delta.inserted;
    counts.updated += delta.updated;
    counts.unchanged += delta.unchanged;
    counts.merged += delta.merged;
    counts.rejected += delta.rejected;
}

/// Reads one file of the table chunk by chunk, prepares and decides each row, and sends the
/// chunks to write. Rows before `skip` (written by an interrupted run of this batch) are
/// decided again, for the duplicates after them and the rejects list, but not sent.
#[allow(clippy::too_many_arguments)]
fn produce_file(
    spec: &TableSpec,
    stream: &mut ImportStream,
    options: &Options,
    table: &mut Table<'_>,
    seen: &mut Seen,
    resolvers: &[&Resolver],
    regions: &Regions,
    sources: &mut Sources,
    rejects: &mut Vec<Rejected>,
    (skip, done): (u64, &mut u64),
    (sender, written): (
        &std::sync::mpsc::SyncSender<ChunkToWrite>,
        &std::sync::mpsc::Receiver<Packed>,
    ),
) -> std::result::Result<(), Failure> {
    let size = options.batch_size.max(1);
    // The header, mapping and source (no rows): what preparing needs of the file.
    let imported = stream.imported.clone();
    let own = (
        imported.source.path.display().to_string(),
        imported.source.sheet.clone(),
    );
    let lineage = Lineage::of(&imported);
    // Into an empty table every row with a credit code is also kept under its name: worked
    // out while preparing, on all cores, rather than one by one while deciding.
    let names = spec.is_named() && table.existing.is_empty();
    std::thread::scope(|scope| {
        // A thread of its own reads and parses the file's next pieces while this one prepares and
        // decides: in the same sizes this one asks for, pieces of a chunk, chunk after chunk.
        let (piece_sender, pieces) = std::sync::mpsc::sync_channel(4);
        let reader = std::thread::Builder::new()
            .name("crmkit-read".into())
            .spawn_scoped(scope, move || {
                let mut in_chunk = 0;
                loop {
                    let piece = stream.next_rows((size - in_chunk).min(PIECE_ROWS));
                    let last = piece.as_ref().map_or(true, |p| p.rows.is_empty());
                    if let Ok(p) = &piece {
                        in_chunk = (in_chunk + p.rows.len()) % size;
                    }
                    if piece_sender.send(piece).is_err() || last {
                        break;
                    }
                }
            })
            .map_err(|e| Failure::Database(format!("无法启动读取文件的线程: {e}")))?;
        // Whether the reader handed out the file's end (an empty piece); gone before that, it
        // failed, and the rows after would be missing.
        let mut ended = false;
        let mut next_piece = || -> std::result::Result<Rows, Failure> {
            match pieces.recv() {
                Ok(piece) => {
                    let piece = piece.map_err(|e| Failure::Read(Box::new(e)))?;
                    ended |= piece.rows.is_empty();
                    Ok(piece)
                }
                Err(_) if ended => Ok(Rows::default()),
                Err(_) => Err(Failure::Database(format!("读取 {} 的线程意外退出", own.0))),
            }
        };
        let produced = (|| loop {
            let mut packed = match written.try_recv() {
                Ok(used) => used.recycled(spec.columns.len()),
                Err(_) => Packed::new(spec.columns.len()),
            };
            let mut delta = Counts::default();
            let start = *done;
            // A chunk is read and prepared a piece at a time: the pieces' buffers stay small
            // enough for the allocator to reuse, where a whole chunk's would be fresh pages from
            // the kernel each time.
            while *done - start < size as u64 {
                let piece = next_piece()?;
                if piece.rows.is_empty() {
                    break;
                }
                // Where each row came from: its file, or the original file and row a copy crmkit
                // wrote (a pipeline's accepted rows, a golden file) names for it.
                let mut row_sources = Vec::with_capacity(piece.rows.len());
                let mut last: Option<(&str, Option<&str>, usize)> = None;
                for row in &piece.rows {
                    let origin = lineage.and_then(|l| l.origin_of(row));
                    let index = match (origin, last) {
                        (Some((f, s)), Some((lf, ls, i))) if f == lf && s == ls => i,
                        (Some((f, s)), _) => {
                            let i = sources.of(f, s);
                            last = Some((f, s, i));
                            i
                        }
                        (None, _) => sources.of(&own.0, own.1.as_deref()),
                    };
                    row_sources.push(index);
                }
                let rows = prepare(
                    spec,
                    &imported,
                    &piece.rows,
                    &row_sources,
                    &piece.refused,
                    resolvers,
                    regions,
                    names,
                );
                let first = *done;
                for (k, row) in rows.iter().enumerate() {
                    let action = decide(spec, options, table, seen, sources, regions, row);
                    let position = first + k as u64;
                    let weight = match row {
                        Row::Ready(_, w) => *w,
                        Row::Rejected(r) => r.weight,
                    };
                    if let (Err(reason), _) = &action {
                        rejects.push(rejected_row(&spec.template, row, reason));
                    }
                    if position < skip {
                        continue;
                    }
                    delta.input += weight;
                    match (action, row) {
                        ((Ok(Action::Insert), key), Row::Ready(p, _)) => {
                            packed.push(p, key.as_deref(), None);
                            delta.inserted += 1;
                            delta.merged += weight - 1;
                        }
                        ((Ok(Action::Update(id)), key), Row::Ready(p, _)) => {
                            packed.push(p, key.as_deref(), Some(id));
                            delta.updated += 1;
                            delta.merged += weight - 1;
                        }
                        ((Ok(Action::Unchanged), _), _) => {
                            delta.unchanged += 1;
                            delta.merged += weight - 1;
                        }
                        ((Ok(Action::Merged), _), _) => delta.merged += weight,
                        ((Err(_), _), _) => delta.rejected += weight,
                        ((Ok(_), _), Row::Rejected(_)) => {
                            unreachable!("a rejected row has no action")
                        }
                    }
                }
                *done = first + rows.len() as u64;
            }
            if *done == start {
                return Ok(());
            }
            if *done <= skip {
                continue;
            }
            let message = ChunkToWrite {
                packed,
                delta,
                done: *done,
                new_sources: sources.unsent(),
            };
            if sender.send(message).is_err() {
                // The writer stopped (a failed write); it reports why.
                return Ok(());
            }
        })();
        // A reader blocked on a piece nobody takes any more ends when the channel goes.
        drop(pieces);
        let _ = reader.join();
        produced
    })
}

/// What happens to one row: insert, update, unchanged, merged or rejected (why); and the
/// stronger key of the record it matched, when that record is kept under it.
fn decide<'e>(
    spec: &TableSpec,
    options: &Options,
    table: &mut Table<'e>,
    seen: &mut Seen,
    sources: &Sources,
    regions: &Regions,
    row: &Row<'_>,
) -> (std::result::Result<Action, String>, Option<String>) {
    let p = match row {
        Row::Rejected(r) => return (Err(r.reason.clone()), None),
        Row::Ready(p, _) => p,
    };
    // Duplicates inside the input: identical rows merge, conflicting ones are rejected.
    let key_hash = hash_of_key(&p.key);
    // One probe of the (large, cache-cold) map for both the look-up and the insert.
    let mine = First::new(p, Kind::Row);
    match seen.first.entry(key_hash) {
        std::collections::hash_map::Entry::Occupied(mut first) => {
            let f = *first.get();
            match f.kind() {
                Kind::Row => {
                    let place = sources.place(f.source(), f.row);
                    return (
                        if f.hash == p.hash {
                            Ok(Action::Merged)
                        } else {
                            Err(format!("与{place}的记录键相同但内容不同（键: {}）; 请保留一行或先运行 crmkit dedupe", show_key(&p.key)))
                        },
                        None,
                    );
                }
                // An earlier row with a credit code under this name or golden id.
                Kind::Coded => {
                    let name = p.key.get(2..).unwrap_or("");
                    return (Err(same_record(spec, sources, &f, p, name)), None);
                }
                // Several: none is this record; this row takes the key.
                Kind::Codes => *first.get_mut() = mine,
            }
        }
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(mine);
        }
    }
    // Keep the stronger key: credit code over golden id over name.
    let rank = |k: &str| {
        ["k:", "g:", "n:"]
            .iter()
            .position(|prefix| k.starts_with(prefix))
            .unwrap_or(3)
    };
    let existing = table.existing;
    let mut rekey = None;
    let mut hit = table.by_key.get(p.key.as_str()).copied();
    if hit.is_none() && options.golden_is_row_id {
        let by_id = table
            .by_id
            .get_or_insert_with(|| existing.iter().map(|e| (e.id, e)).collect());
        hit = p
            .golden
            .as_deref()
            .and_then(|g| g.parse::<i64>().ok())
            .and_then(|id| by_id.get(&id).copied())
            .filter(|e| !(e.key.starts_with("k:") && p.key.starts_with("k:")));
        if let Some(e) = hit {
            if rank(&e.key) < rank(&p.key) {
                rekey = Some(e.key.clone());
            }
        }
    }
    if hit.is_none() && spec.is_named() && !existing.is_empty() {
        // The same customer loaded before under a weaker key (golden id, name).
        let (by_golden, by_name) = table.secondary.get_or_insert_with(|| {
            let mut by_golden: FxHashMap<&str, Vec<&Existing>> = FxHashMap::default();
            let mut by_name: FxHashMap<String, Vec<&Existing>> = FxHashMap::default();
            for e in existing {
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
        let compatible = |e: &&&Existing| !(e.key.starts_with("k:") && p.key.starts_with("k:"));
        let from_golden = p
            .golden
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
                rekey = Some(e.key.clone());
            }
        }
    }
    // A row with a credit code is also kept under its weaker key (its name; a golden row its
    // golden id), where a row of the same record without a code finds it, earlier or later:
    // what two loads make one record is one record here too.
    if p.key.starts_with("k:") {
        if let Some(weaker) = weaker_key(spec, regions, p, hit) {
            let coded = mine.with_kind(Kind::Coded);
            match seen.first.entry(hash_of_key(&weaker)) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(coded);
                }
                std::collections::hash_map::Entry::Occupied(mut first) => {
                    match first.get().kind() {
                        Kind::Row => {
                            let f = *first.get();
                            seen.first.remove(&key_hash);
                            let name = weaker.get(2..).unwrap_or("");
                            return (Err(same_record(spec, sources, &f, p, name)), None);
                        }
                        Kind::Coded => *first.get_mut() = first.get().with_kind(Kind::Codes),
                        Kind::Codes => {}
                    }
                }
            }
        }
    }
    let Some(e) = hit else {
        return (Ok(Action::Insert), None);
    };
    if let Some(&(source, number)) = seen.claimed.get(&e.id) {
        return (
            Err(format!(
                "与{}指向数据库中同一条记录（ID {}）",
                sources.place(source, number),
                e.id
            )),
            None,
        );
    }
    seen.claimed.insert(e.id, (p.source, p.row));
    let action = if options.mode == Mode::Insert {
        Err(format!(
            "数据库中已有这条记录（ID {}, 键: {}）; 要更新已有记录请用 --mode upsert",
            e.id,
            show_key(&e.key)
        ))
    } else if e.hash == p.hash && e.key == rekey.as_deref().unwrap_or(&p.key) {
        Ok(Action::Unchanged)
    } else {
        Ok(Action::Update(e.id))
    };
    (action, rekey)
}

/// The key a row with a credit code would have without it: `g:` and its golden id, else `n:`
/// and its canonical name. `None` for an unnamed table, a row without a name, and a row that
/// matched a table record of the same name (a later row of the name finds that record).
fn weaker_key(
    spec: &TableSpec,
    regions: &Regions,
    p: &Prepared<'_>,
    hit: Option<&Existing>,
) -> Option<String> {
    if let Some(golden) = &p.golden {
        return Some(format!("g:{golden}"));
    }
    let raw = p.values[spec.name_field?].as_deref()?;
    if hit.is_some_and(|e| e.name.as_deref() == Some(raw)) {
        return None;
    }
    let name = match &p.name_key {
        Some(name) => Cow::Borrowed(name.as_str()),
        None => Cow::Owned(canonical_name(raw, regions)),
    };
    (!name.is_empty()).then(|| format!("n:{name}"))
}

/// Why `p` is refused: the earlier row `f` holds the same record under another key (one has
/// a credit code, the other not); `name` the canonical name they share.
fn same_record(
    spec: &TableSpec,
    sources: &Sources,
    f: &First,
    p: &Prepared<'_>,
    name: &str,
) -> String {
    let why = match (&p.golden, spec.name_field) {
        (Some(golden), _) => format!("dedupe 编号相同（{golden}）"),
        (None, Some(field)) => format!(
            "{}规范化后相同（{name}）",
            spec.template.fields[field].header
        ),
        (None, None) => String::new(),
    };
    let codes: Vec<&str> = spec
        .key_fields
        .iter()
        .map(|&i| spec.template.fields[i].header.as_str())
        .collect();
    format!(
        "与{}是同一条记录: {why}，但内容不同（一行有{}、一行没有，或其他字段不同）; 请只保留一行，或先运行 crmkit dedupe 合并",
        sources.place(f.source(), f.row),
        codes.join("、"),
    )
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
    if grid.rows.is_empty() {
        // Said as import says it, rather than "no template matches".
        return Err(crmkit_core::Error::Empty {
            location: grid.source.location(),
        }
        .into());
    }
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
