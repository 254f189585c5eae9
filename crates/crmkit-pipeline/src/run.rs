//! One run of a pipeline: find the files, skip those the ledger has, read and check each,
//! write what a person needs (findings, changes, rejects), gate, deduplicate, load, audit,
//! profile, and account for every row in one JSON run report.
//!
//! Every output goes into the run's own directory (`runs/20261122-031500/`):
//!
//! ```text
//! run.json                          the run report (machine-readable)
//! run.log                           the structured log (written by the binary's subscriber)
//! <template>/<file>.findings.csv    every finding, with file, sheet, row, column
//! <template>/<file>.changes.csv     every repair (before → after)
//! <template>/<file>.rejects.csv     rows with errors, as written, with _reasons
//! <template>/<file>.accepted.csv    the rows handed on: canonical values + their original row
//! <template>/clusters.csv           dedupe: one line per record
//! <template>/golden.csv             dedupe: one golden record per customer (what is loaded)
//! <template>/review.xlsx            dedupe: pairs for a person to decide
//! <template>/database.csv           dedupe: what the database held (matched against)
//! load-rejects.csv                  rows the load refused, with the reason
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use serde_json::{json, Value};

use crmkit_core::dedupe::{self, golden, review, Session};
use crmkit_core::finding::Severity;
use crmkit_core::import::{ImportOptions, SOURCE_FILE, SOURCE_SHEET};
use crmkit_core::read::ReadOptions;
use crmkit_core::template::Template;
use crmkit_core::validate::{self, RunOptions};
use crmkit_core::write::SOURCE_ROW;
use crmkit_load::db::{Db, LedgerEntry};
use crmkit_load::load::{self, Progress};
use crmkit_load::url::DbUrl;

use crate::config::Pipeline;
use crate::error::{Error, Result};

/// How a run is asked to behave.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Do everything but write to the database (no load, no ledger).
    pub dry_run: bool,
    /// Process files the ledger says were loaded already.
    pub force: bool,
    /// A database URL instead of the pipeline file's.
    pub database: Option<String>,
}

/// How a run ended; the exit code follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Everything ran and every gate passed (exit 0).
    Done,
    /// No file was new: the ledger had them all (exit 0).
    NothingNew,
    /// A data gate failed (exit 1); nothing was loaded when it was a gate before the load.
    GateFailed,
    /// The run could not do its job (exit 2): the error says why.
    Failed,
}

impl Status {
    /// The exit code for schedulers: 0 done, 1 a data gate failed, 2 the run failed.
    pub fn exit_code(self) -> i32 {
        match self {
            Status::Done | Status::NothingNew => 0,
            Status::GateFailed => 1,
            Status::Failed => 2,
        }
    }
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    /// The template it is read as.
    pub template: String,
    /// The file.
    pub path: String,
    /// The sheet read (workbooks).
    pub sheet: Option<String>,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// Data rows (`None` when skipped).
    pub rows: Option<usize>,
    /// Why it was not processed (already loaded, by the ledger).
    pub skipped: Option<String>,
}

/// One step.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// `validate`, `dedupe`, `load`, ...
    pub step: String,
    /// The template, for per-template steps.
    pub template: Option<String>,
    /// `done`, `skipped` (and why), `off`.
    pub status: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// What it counted.
    pub counts: Value,
    /// The files it wrote, relative to the run directory.
    pub outputs: Vec<String>,
}

/// One gate.
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    /// `max_error_rate`, `required_columns`, `min_audit_accuracy`, `max_reject_rate`, ...
    pub gate: String,
    /// The template it applies to.
    pub template: Option<String>,
    /// The limit.
    pub limit: Option<f64>,
    /// The figure measured.
    pub value: Option<f64>,
    /// Whether it passed.
    pub passed: bool,
    /// For people (Chinese), with the figures.
    pub detail: String,
}

/// Every row of a template accounted for.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reconciliation {
    /// Data rows read from the template's files.
    pub read: u64,
    /// Rejected by validation (rows with errors).
    pub rejected_by_validation: u64,
    /// Handed on to dedupe and load.
    pub accepted: u64,
    /// Records dedupe merged into another record of this batch (not loaded separately).
    pub merged_by_dedupe: u64,
    /// The load's own figures (`None` when nothing was loaded).
    pub load: Option<load::Counts>,
    /// read = rejected + accepted, and accepted = the load's input (when loaded).
    pub balanced: bool,
}

/// The machine-readable run report (`run.json`).
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The pipeline's name.
    pub pipeline: String,
    /// The pipeline file.
    pub file: String,
    /// The run's id (its directory's name).
    pub run: String,
    /// The run directory.
    pub dir: String,
    /// The database, password masked.
    pub database: String,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--force`.
    pub force: bool,
    /// Start, local time (RFC 3339).
    pub started_at: String,
    /// End, local time (RFC 3339).
    pub finished_at: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// How it ended.
    pub status: Status,
    /// The exit code.
    pub exit_code: i32,
    /// Why it failed (status `failed`).
    pub error: Option<String>,
    /// Steps switched on.
    pub steps_on: crate::config::Steps,
    /// The input files.
    pub inputs: Vec<InputReport>,
    /// The steps, in the order they ran.
    pub steps: Vec<StepReport>,
    /// The gates.
    pub gates: Vec<GateReport>,
    /// Per template: every row accounted for.
    pub reconciliation: BTreeMap<String, Reconciliation>,
    /// The load batch (when loaded).
    pub batch: Option<i64>,
    /// Notes for people (what was skipped and why).
    pub notes: Vec<String>,
}

impl RunReport {
    /// The gates that failed.
    pub fn failed_gates(&self) -> impl Iterator<Item = &GateReport> {
        self.gates.iter().filter(|g| !g.passed)
    }
}

/// A run that has its directory and is ready to go.
pub struct Run<'p> {
    pipeline: &'p Pipeline,
    options: Options,
    id: String,
    dir: PathBuf,
    started: Instant,
    started_at: String,
}

/// The files of one template this run processes.
pub(crate) struct Group {
    pub(crate) template: Template,
    pub(crate) read: ReadOptions,
    pub(crate) sheet: Option<String>,
    pub(crate) files: Vec<usize>,
}

/// What validation handed on for one template.
pub(crate) struct Accepted {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) rows: u64,
}

impl<'p> Run<'p> {
    /// Makes the run directory (`<runs>/<YYYYMMDD-HHMMSS>`, `-2`, `-3`, ... when taken).
    pub fn start(pipeline: &'p Pipeline, options: Options) -> Result<Run<'p>> {
        let now = jiff::Zoned::now();
        let stamp = now.strftime("%Y%m%d-%H%M%S").to_string();
        std::fs::create_dir_all(&pipeline.runs).map_err(|e| {
            Error::Run(format!(
                "{}: 无法创建运行目录: {e}",
                pipeline.runs.display()
            ))
        })?;
        let mut n = 1;
        let (id, dir) = loop {
            let id = if n == 1 {
                stamp.clone()
            } else {
                format!("{stamp}-{n}")
            };
            let dir = pipeline.runs.join(&id);
            match std::fs::create_dir(&dir) {
                Ok(()) => break (id, dir),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
                Err(e) => {
                    return Err(Error::Run(format!(
                        "{}: 无法创建运行目录: {e}",
                        dir.display()
                    )))
                }
            }
        };
        Ok(Run {
            pipeline,
            options,
            id,
            dir,
            started: Instant::now(),
            started_at: now.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        })
    }

    /// The run directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs every step and writes `run.json`. A failure does not escape: it is the report's
    /// status (`failed`, exit 2) with the error, and the report is still written.
    // The report's writer returns crmkit-core's error, as every atomic write does.
    #[allow(clippy::result_large_err)]
    pub fn execute(self, progress: &dyn Progress) -> RunReport {
        let url = self
            .options
            .database
            .clone()
            .unwrap_or_else(|| self.pipeline.database.clone());
        let mut report = RunReport {
            pipeline: self.pipeline.name.clone(),
            file: self.pipeline.path.display().to_string(),
            run: self.id.clone(),
            dir: self.dir.display().to_string(),
            database: DbUrl::parse(&url)
                .map(|u| u.masked())
                .unwrap_or_else(|_| url.clone()),
            dry_run: self.options.dry_run,
            force: self.options.force,
            started_at: self.started_at.clone(),
            finished_at: String::new(),
            seconds: 0.0,
            status: Status::Done,
            exit_code: 0,
            error: None,
            steps_on: self.pipeline.steps,
            inputs: Vec::new(),
            steps: Vec::new(),
            gates: Vec::new(),
            reconciliation: BTreeMap::new(),
            batch: None,
            notes: Vec::new(),
        };
        tracing::info!(run = %self.id, pipeline = %self.pipeline.path.display(), database = %report.database, dry_run = self.options.dry_run, "run started");
        let status = match self.steps(&url, &mut report, progress) {
            Ok(status) => status,
            Err(e) => {
                let message = crmkit_core::mask::mask_digit_runs(&e.to_string());
                tracing::error!(error = %message, "run failed");
                report.error = Some(message);
                Status::Failed
            }
        };
        report.status = status;
        report.exit_code = status.exit_code();
        report.finished_at = jiff::Zoned::now()
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string();
        report.seconds = self.started.elapsed().as_secs_f64();
        let path = self.dir.join("run.json");
        let json = serde_json::to_vec_pretty(&report).unwrap_or_default();
        let written = crmkit_core::write::atomic_write(&path, |out| {
            use std::io::Write as _;
            out.write_all(&json)
                .map_err(|e| crmkit_core::Error::io(&path, "write", e))
        });
        if let Err(e) = written {
            report.error = Some(e.to_string());
            report.status = Status::Failed;
            report.exit_code = 2;
        }
        tracing::info!(status = ?report.status, exit_code = report.exit_code, seconds = report.seconds, "run finished");
        report
    }

    fn steps(&self, url: &str, report: &mut RunReport, progress: &dyn Progress) -> Result<Status> {
        let p = self.pipeline;
        let dry = self.options.dry_run;
        let url = DbUrl::parse(url)?;
        let thresholds = if p.steps.profile {
            Some(crate::profile::thresholds(p)?)
        } else {
            None
        };
        let label = url.masked();

        // Files, by content.
        let started = Instant::now();
        let mut groups: Vec<Group> = Vec::new();
        for source in &p.sources {
            let mut files = Vec::new();
            for (pattern, full) in source.patterns.iter().zip(&source.globs) {
                let literal = !pattern.contains(['*', '?', '[']);
                let mut matched: Vec<PathBuf> = glob::glob(full)
                    .map_err(|e| Error::Config {
                        file: p.path.display().to_string(),
                        key: "sources.files".into(),
                        message: format!("\"{pattern}\": {e}"),
                    })?
                    .filter_map(|m| m.ok())
                    .filter(|m| m.is_file())
                    .filter(|m| {
                        let name = m.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        // Excel's lock files (~$客户.xlsx) and hidden files.
                        !name.starts_with("~$") && !name.starts_with('.')
                    })
                    .collect();
                matched.sort();
                if matched.is_empty() {
                    if literal {
                        return Err(Error::Run(format!(
                            "{}: 文件不存在 (流水线 {} 的 sources 中 {} 模板的 files = \"{pattern}\")",
                            full,
                            p.path.display(),
                            source.template.name
                        )));
                    }
                    report.notes.push(format!(
                        "{} 模板: \"{pattern}\" 没有匹配到文件",
                        source.template.name
                    ));
                }
                for path in matched {
                    if report.inputs.iter().any(|i| Path::new(&i.path) == path) {
                        continue;
                    }
                    let sha256 = load::file_sha256(&path)?;
                    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                    // The ledger's verdict (`skipped`) comes once the database is open.
                    files.push(report.inputs.len());
                    report.inputs.push(InputReport {
                        template: source.template.name.clone(),
                        path: path.display().to_string(),
                        sheet: source.sheet.clone(),
                        sha256,
                        bytes,
                        rows: None,
                        skipped: None,
                    });
                }
            }
            if !files.is_empty() {
                groups.push(Group {
                    template: source.template.clone(),
                    read: ReadOptions {
                        encoding: source.encoding.clone(),
                        delimiter: source.delimiter,
                    },
                    sheet: source.sheet.clone(),
                    files,
                });
            }
        }
        // The database: opened for the ledger and for matching against it; not created by
        // a dry run.
        let exists = match &url {
            DbUrl::Sqlite(path) => path.is_file(),
            DbUrl::Postgres(_) => true,
        };
        let mut db = if exists || (p.steps.load && !dry) {
            Some(Db::open(&url)?)
        } else {
            None
        };
        let _lock = match db.as_mut() {
            Some(db) => Some(crmkit_load::db::lock(&url, db)?),
            None => None,
        };
        let ledger = match db.as_mut() {
            Some(db) => db
                .ledger()
                .map_err(ledger_error(&label, "无法读取文件台账 crmkit_ledger"))?,
            None => Vec::new(),
        };

        // Files the ledger has are not processed again (unless --force).
        if !self.options.force {
            for input in report.inputs.iter_mut() {
                input.skipped = ledger
                    .iter()
                    .find(|e| e.sha256 == input.sha256 && e.template == input.template)
                    .map(|e| {
                        format!(
                            "已加载过 (内容相同): 运行 {}, 批次 {}, {}; 要重新处理请加 --force",
                            e.run,
                            e.batch.map(|b| b.to_string()).unwrap_or_default(),
                            e.loaded_at
                        )
                    });
            }
            for group in &mut groups {
                group.files.retain(|&i| report.inputs[i].skipped.is_none());
            }
            groups.retain(|g| !g.files.is_empty());
        }
        let new = groups.iter().map(|g| g.files.len()).sum::<usize>();
        report.steps.push(StepReport {
            step: "discover".into(),
            template: None,
            status: "done".into(),
            seconds: started.elapsed().as_secs_f64(),
            counts: json!({
                "files": report.inputs.len(),
                "new": new,
                "already_loaded": report.inputs.len() - new,
            }),
            outputs: vec![],
        });
        tracing::info!(
            step = "discover",
            files = report.inputs.len(),
            new,
            "files found"
        );
        if new == 0 {
            report.notes.push(if report.inputs.is_empty() {
                "没有找到输入文件".to_string()
            } else {
                "所有文件都已加载过, 本次没有新数据".to_string()
            });
            return Ok(Status::NothingNew);
        }

        // Read, clean and check each file; hand on the rows without errors.
        let mut accepted: BTreeMap<String, Accepted> = BTreeMap::new();
        for group in &groups {
            let name = &group.template.name;
            std::fs::create_dir_all(self.dir.join(name))
                .map_err(|e| crmkit_core::Error::io(self.dir.join(name), "create", e))?;
            let mut rec = Reconciliation::default();
            let mut error_rows = 0u64;
            let mut missing: Vec<String> = Vec::new();
            let mut files = Vec::new();
            for &i in &group.files {
                let input_path = PathBuf::from(&report.inputs[i].path);
                let started = Instant::now();
                progress.begin(&format!("检查 {}", input_path.display()), 0);
                let outcome = self.check_file(&input_path, group, i, thresholds.as_ref())?;
                progress.end();
                report.inputs[i].rows = Some(outcome.rows as usize);
                rec.read += outcome.rows;
                rec.rejected_by_validation += outcome.error_rows;
                rec.accepted += outcome.accepted;
                error_rows += outcome.error_rows;
                if !outcome.missing.is_empty() {
                    missing.push(format!(
                        "{}: 缺少必填列 {}",
                        input_path.display(),
                        outcome.missing.join(", ")
                    ));
                }
                // A file whose every row failed hands nothing on (its accepted file has only
                // the header, which dedupe and load refuse as a file without data).
                if let Some(path) = outcome
                    .accepted_file
                    .as_ref()
                    .filter(|_| outcome.accepted > 0)
                {
                    files.push(path.clone());
                }
                if p.steps.profile {
                    report.gates.push(GateReport {
                        gate: "profile".into(),
                        template: Some(name.clone()),
                        limit: None,
                        value: None,
                        passed: outcome.alerts.is_empty(),
                        detail: if outcome.alerts.is_empty() {
                            format!("{}: 数据质量画像未触发阈值", input_path.display())
                        } else {
                            format!("{}: {}", input_path.display(), outcome.alerts.join("; "))
                        },
                    });
                }
                tracing::info!(step = "validate", template = %name, file = %input_path.display(), rows = outcome.rows, error_rows = outcome.error_rows, accepted = outcome.accepted, seconds = started.elapsed().as_secs_f64(), "file checked");
                report.steps.push(StepReport {
                    step: "validate".into(),
                    template: Some(name.clone()),
                    status: "done".into(),
                    seconds: started.elapsed().as_secs_f64(),
                    counts: outcome.counts,
                    outputs: outcome.outputs,
                });
            }
            if !missing.is_empty() {
                report.gates.push(GateReport {
                    gate: "required_columns".into(),
                    template: Some(name.clone()),
                    limit: None,
                    value: None,
                    passed: false,
                    detail: missing.join("; "),
                });
            }
            if p.steps.validate {
                let limit = p.gates.max_error_rate(name);
                let rate = if rec.read == 0 {
                    0.0
                } else {
                    error_rows as f64 / rec.read as f64
                };
                report.gates.push(GateReport {
                    gate: "max_error_rate".into(),
                    template: Some(name.clone()),
                    limit: Some(limit),
                    value: Some(rate),
                    passed: rate <= limit,
                    detail: format!(
                        "{name}: 有错误的行 {error_rows} / {} ({:.2}%), 上限 {:.2}% (gates.max_error_rate)",
                        rec.read,
                        rate * 100.0,
                        limit * 100.0
                    ),
                });
            }
            rec.balanced = rec.read == rec.rejected_by_validation + rec.accepted;
            accepted.insert(
                name.clone(),
                Accepted {
                    files,
                    rows: rec.accepted,
                },
            );
            report.reconciliation.insert(name.clone(), rec);
        }

        // A person's audit marks, when given, gate the load.
        if let (Some(min), Some(checked)) = (p.gates.min_audit_accuracy, &p.audit.checked) {
            let started = Instant::now();
            let (accuracy, detail) = crate::audit::score_checked(checked, p.audit.threshold)?;
            report.gates.push(GateReport {
                gate: "min_audit_accuracy".into(),
                template: p.audit.template.clone(),
                limit: Some(min),
                value: Some(accuracy),
                passed: accuracy >= min,
                detail: format!(
                    "{}: 记录准确率 {:.2}%, 要求 ≥ {:.2}% (gates.min_audit_accuracy); {detail}",
                    checked.display(),
                    accuracy * 100.0,
                    min * 100.0
                ),
            });
            report.steps.push(StepReport {
                step: "audit_score".into(),
                template: p.audit.template.clone(),
                status: "done".into(),
                seconds: started.elapsed().as_secs_f64(),
                counts: json!({ "accuracy": accuracy }),
                outputs: vec![],
            });
        }

        // Duplicates, within the batch and against the database.
        let mut load_inputs: Vec<load::Input> = Vec::new();
        let mut against_used = false;
        for group in &groups {
            let name = &group.template.name;
            let Some(acc) = accepted.get(name) else {
                continue;
            };
            let wanted = match &p.dedupe.templates {
                Some(list) => list.contains(name),
                None => dedupe::config::Config::builtin(&group.template)?.is_some(),
            };
            if !(p.steps.dedupe && wanted) || acc.files.is_empty() {
                for file in &acc.files {
                    load_inputs.push(load::Input {
                        path: file.clone(),
                        template: group.template.clone(),
                        sheet: None,
                    });
                }
                continue;
            }
            let started = Instant::now();
            progress.begin(&format!("去重 {name}"), 0);
            let outcome = self.dedupe(group, acc, db.as_mut(), &label)?;
            progress.end();
            against_used |= outcome.against;
            if let Some(rec) = report.reconciliation.get_mut(name) {
                rec.merged_by_dedupe = outcome.merged;
            }
            tracing::info!(step = "dedupe", template = %name, records = acc.rows, merged = outcome.merged, seconds = started.elapsed().as_secs_f64(), "deduplicated");
            report.steps.push(StepReport {
                step: "dedupe".into(),
                template: Some(name.clone()),
                status: "done".into(),
                seconds: started.elapsed().as_secs_f64(),
                counts: outcome.counts,
                outputs: outcome.outputs,
            });
            load_inputs.push(load::Input {
                path: outcome.golden,
                template: group.template.clone(),
                sheet: None,
            });
        }

        let gates_passed = report.gates.iter().all(|g| g.passed);
        let mut status = if gates_passed {
            Status::Done
        } else {
            Status::GateFailed
        };
        for g in report.failed_gates() {
            tracing::warn!(gate = %g.gate, template = ?g.template, value = ?g.value, limit = ?g.limit, "gate failed");
        }

        // The load.
        let mut loaded_table = false;
        let skip_load = |why: &str| StepReport {
            step: "load".into(),
            template: None,
            status: format!("skipped: {why}"),
            seconds: 0.0,
            counts: json!({}),
            outputs: vec![],
        };
        if !p.steps.load {
            report.steps.push(StepReport {
                status: "off".into(),
                ..skip_load("")
            });
        } else if dry {
            report.steps.push(skip_load("--dry-run, 不写数据库"));
        } else if !gates_passed {
            report.steps.push(skip_load("未通过检查门槛, 未加载"));
        } else if load_inputs.is_empty() {
            report.steps.push(skip_load("没有可加载的行"));
        } else {
            let Some(db) = db.as_mut() else {
                return Err(Error::Run(format!("{label}: 数据库没有打开, 无法加载")));
            };
            let started = Instant::now();
            let options = load::Options {
                mode: p.load.mode,
                batch_size: p.load.batch_size,
                read: ReadOptions::default(),
                pause_after_chunk: None,
                golden_is_row_id: against_used,
            };
            let result = load::load(db, &label, &load_inputs, &options, progress)?;
            report.batch = Some(result.batch);
            loaded_table = true;
            let mut outputs = Vec::new();
            if !result.rejects.is_empty() {
                let path = self.dir.join("load-rejects.csv");
                load::write_rejects(&path, &result)?;
                outputs.push("load-rejects.csv".to_string());
            }
            let mut input_total = 0;
            let mut rejected_total = 0;
            for (table, counts) in &result.tables {
                input_total += counts.input;
                rejected_total += counts.rejected;
                if let Some(rec) = report.reconciliation.get_mut(table) {
                    rec.balanced &= counts.balanced() && counts.input == rec.accepted;
                    rec.load = Some(counts.clone());
                }
            }
            tracing::info!(
                step = "load",
                batch = result.batch,
                input = input_total,
                rejected = rejected_total,
                resumed = result.resumed,
                seconds = started.elapsed().as_secs_f64(),
                "loaded"
            );
            report.steps.push(StepReport {
                step: "load".into(),
                template: None,
                status: "done".into(),
                seconds: started.elapsed().as_secs_f64(),
                counts: json!({
                    "batch": result.batch,
                    "resumed": result.resumed,
                    "tables": result.tables.iter().map(|(t, c)| (t.clone(), serde_json::to_value(c).unwrap_or_default())).collect::<serde_json::Map<_, _>>(),
                }),
                outputs,
            });
            let rate = if input_total == 0 {
                0.0
            } else {
                rejected_total as f64 / input_total as f64
            };
            let limit = p.gates.max_reject_rate;
            report.gates.push(GateReport {
                gate: "max_reject_rate".into(),
                template: None,
                limit: Some(limit),
                value: Some(rate),
                passed: rate <= limit,
                detail: format!(
                    "加载时拒绝 {rejected_total} / {input_total} 行 ({:.2}%), 上限 {:.2}% (gates.max_reject_rate); 被拒绝的行未写入, 见 load-rejects.csv",
                    rate * 100.0,
                    limit * 100.0
                ),
            });
            if rate > limit {
                status = Status::GateFailed;
            }
            // The ledger: these files are in the database now.
            let entries: Vec<LedgerEntry> = groups
                .iter()
                .flat_map(|g| g.files.iter())
                .map(|&i| {
                    let input = &report.inputs[i];
                    LedgerEntry {
                        sha256: input.sha256.clone(),
                        template: input.template.clone(),
                        path: input.path.clone(),
                        rows: input.rows.unwrap_or(0) as i64,
                        batch: Some(result.batch),
                        run: self.id.clone(),
                        loaded_at: String::new(),
                    }
                })
                .collect();
            db.ensure_ledger()
                .and_then(|()| db.record_ledger(&entries))
                .map_err(ledger_error(&label, "无法写入文件台账 crmkit_ledger"))?;
        }
        if report.reconciliation.values().any(|r| !r.balanced) {
            report.gates.push(GateReport {
                gate: "reconciliation".into(),
                template: None,
                limit: None,
                value: None,
                passed: false,
                detail: "对账不一致: 读取 ≠ 拒绝 + 接受, 或接受 ≠ 加载的输入; 见 run.json 的 reconciliation".into(),
            });
            status = Status::GateFailed;
        }

        // The audit sample: from the database when loaded, else from the accepted rows.
        if p.steps.audit {
            let started = Instant::now();
            let outcome = crate::audit::sample(
                p,
                &self.dir,
                &groups,
                &report.inputs,
                db.as_mut().filter(|_| loaded_table),
                &label,
            )?;
            report.steps.push(StepReport {
                step: "audit".into(),
                template: outcome.template,
                status: outcome.status,
                seconds: started.elapsed().as_secs_f64(),
                counts: outcome.counts,
                outputs: outcome.outputs,
            });
        }
        Ok(status)
    }

    /// Reads and checks one file; writes its findings, changes, rejects and accepted rows.
    fn check_file(
        &self,
        path: &Path,
        group: &Group,
        input: usize,
        thresholds: Option<&crmkit_profile::Thresholds>,
    ) -> Result<Checked> {
        let p = self.pipeline;
        let options = RunOptions {
            import: ImportOptions {
                sheet: group.sheet.clone(),
                read: group.read.clone(),
            },
            rules_dir: p.rules.clone(),
            extra_rules: Vec::new(),
            // References are resolved by the load, through dedupe's aliases.
            references: Vec::new(),
            today: p.today,
            simplified: p.simplified,
            fields: None,
        };
        let run = validate::run(path, &group.template, &options)?;
        let imported = run.imported;
        let template = &run.rules.template;
        let rows = imported.rows.len() as u64;
        let Some(checked) = run.checked else {
            return Ok(Checked {
                rows,
                error_rows: rows,
                accepted: 0,
                alerts: vec![],
                missing: imported
                    .mapping
                    .missing_required()
                    .map(|m| m.header.clone())
                    .collect(),
                accepted_file: None,
                counts: json!({ "rows": rows, "missing_columns": true }),
                outputs: vec![],
            });
        };
        let tag = file_tag(path, input);
        let dir = &group.template.name;
        let rel = |suffix: &str| format!("{dir}/{tag}.{suffix}");
        let mut outputs = Vec::new();
        let findings = rel("findings.csv");
        let changes = rel("changes.csv");
        let rejects = rel("rejects.csv");
        let accepted_name = rel("accepted.csv");
        let error_rows = if p.steps.validate {
            checked.error_rows() as u64
        } else {
            0
        };
        let want_findings = p.steps.validate && !checked.findings.is_empty();
        let want_changes = p.steps.clean && !checked.changes.is_empty();
        let want_rejects = error_rows > 0;
        let full = |r: &str| self.dir.join(r);
        let (findings_path, changes_path, rejects_path) =
            (full(&findings), full(&changes), full(&rejects));
        let outs = crmkit_core::report::Outputs {
            clean: None,
            changes: want_changes.then_some(changes_path.as_path()),
            rejects: want_rejects.then_some(rejects_path.as_path()),
            findings: want_findings.then_some(findings_path.as_path()),
        };
        crmkit_core::report::write_outputs(&outs, template, &imported, &checked)?;
        for (wanted, name) in [
            (want_findings, &findings),
            (want_changes, &changes),
            (want_rejects, &rejects),
        ] {
            if wanted {
                outputs.push(name.clone());
            }
        }

        // The rows handed on: canonical values (or as written, with clean off) and where each
        // came from.
        let keep: Vec<usize> = (0..imported.rows.len())
            .filter(|&i| !p.steps.validate || !checked.row_has_error[i])
            .collect();
        let mut headers: Vec<String> = template.fields.iter().map(|f| f.header.clone()).collect();
        headers.extend([SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW].map(String::from));
        let text_columns: Vec<usize> = template
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind.is_digit_identifier())
            .map(|(i, _)| i)
            .collect();
        let file_name = path.display().to_string();
        let sheet = imported.source.sheet.clone().unwrap_or_default();
        let accepted_path = full(&accepted_name);
        crmkit_core::write::write_rows(
            &accepted_path,
            &headers,
            &text_columns,
            &template.title,
            keep.len(),
            |k| {
                let i = keep[k];
                let row = &imported.rows[i];
                let values: Vec<std::borrow::Cow<'_, str>> = (0..template.fields.len())
                    .map(|f| {
                        std::borrow::Cow::Borrowed(if p.steps.clean {
                            checked.clean[i].get(f).unwrap_or("")
                        } else {
                            imported.value(row, f)
                        })
                    })
                    .chain([
                        std::borrow::Cow::Borrowed(file_name.as_str()),
                        std::borrow::Cow::Borrowed(sheet.as_str()),
                        std::borrow::Cow::Owned(row.number.to_string()),
                    ])
                    .collect();
                values.into_iter()
            },
        )?;
        outputs.push(accepted_name);
        // The profile of the file as the client sent it, with validity from these checks.
        let profiled = match thresholds {
            Some(thresholds) => {
                let name = rel("profile.html");
                let outcome =
                    crate::profile::write(&imported, template, &checked, thresholds, &full(&name))?;
                outputs.push(name);
                Some(outcome)
            }
            None => None,
        };
        let counts = json!({
            "file": file_name,
            "rows": rows,
            "errors": checked.count(Severity::Error),
            "warnings": checked.count(Severity::Warning),
            "error_rows": error_rows,
            "changes": if p.steps.clean { checked.changes.len() } else { 0 },
            "accepted": keep.len(),
            "blank_rows": imported.blank_rows,
            "profile_score": profiled.as_ref().map(|p| p.score),
        });
        Ok(Checked {
            rows,
            error_rows,
            accepted: keep.len() as u64,
            missing: vec![],
            alerts: profiled.map(|p| p.alerts).unwrap_or_default(),
            accepted_file: Some(accepted_path),
            counts,
            outputs,
        })
    }

    /// Deduplicates a template's accepted rows, against the database when asked; writes the
    /// golden records of this batch (what the load reads).
    fn dedupe(
        &self,
        group: &Group,
        acc: &Accepted,
        db: Option<&mut Db>,
        label: &str,
    ) -> Result<Deduped> {
        let p = self.pipeline;
        let name = &group.template.name;
        let rel = |file: &str| format!("{name}/{file}");
        let mut outputs = Vec::new();
        let mut against = Vec::new();
        let mut existing_rows = 0;
        if p.dedupe.against_database {
            if let Some(db) = db {
                let path = self.dir.join(rel("database.csv"));
                if let Some(n) = crmkit_load::export::write_against(db, label, name, &path)? {
                    if n > 0 {
                        against.push(path);
                        outputs.push(rel("database.csv"));
                        existing_rows = n;
                    } else {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
        }
        let options = dedupe::Options {
            validate: RunOptions {
                import: ImportOptions::default(),
                rules_dir: p.rules.clone(),
                extra_rules: Vec::new(),
                references: Vec::new(),
                today: p.today,
                simplified: p.simplified,
                fields: None,
            },
            rules: p.dedupe.rules.clone(),
            against: against.clone(),
            compared_only: false,
        };
        if p.dedupe.partition_size > 0 {
            // The same outputs, a partition at a time (crmkit_core::dedupe::partition).
            let size = p.dedupe.partition_size;
            let settings = dedupe::partition::Settings {
                partition_size: size,
                sample_records: dedupe::partition::default_sample(size),
                model: None,
                decisions: p.dedupe.decisions.clone(),
                work_dir: None,
            };
            let (clusters_rel, golden_rel) = (rel("clusters.csv"), rel("golden.csv"));
            let golden_path = self.dir.join(&golden_rel);
            let files = dedupe::partition::Outputs {
                clusters: self.dir.join(&clusters_rel),
                golden: Some(golden_path.clone()),
                golden_new_only: true,
            };
            let report = match dedupe::partition::run(
                &acc.files,
                &group.template,
                &options,
                &settings,
                &files,
                &mut |_| {},
            )? {
                Ok(r) => r,
                Err(incomplete) => {
                    return Err(Error::Run(format!(
                        "{}: 去重输入缺少必填列 {}",
                        incomplete[0].path.display(),
                        incomplete[0].missing.join(", ")
                    )))
                }
            };
            outputs.push(clusters_rel);
            outputs.push(golden_rel);
            let queue = &report.review;
            if !queue.pairs.is_empty() {
                let review_rel = rel("review.xlsx");
                review::write(&self.dir.join(&review_rel), &queue.records, &queue.pairs)?;
                outputs.push(review_rel);
            }
            let plan = &report.plan;
            let merged = (report.new_records - report.golden) as u64;
            return Ok(Deduped {
                golden: golden_path,
                against: !against.is_empty(),
                merged,
                counts: json!({
                    "records": report.new_records,
                    "in_database": existing_rows,
                    "candidate_pairs": report.pairs,
                    "golden_records": report.golden,
                    "merged": merged,
                    "joined_database_records": report.attached_clusters,
                    "review_pairs": queue.pairs.len(),
                    "decisions": report.decisions,
                    "em_iterations": report.model.iterations,
                    "partition_size": size,
                    "partitions": plan.partitions,
                    "components": plan.components,
                    "largest_component": plan.largest_component,
                    "partition_records_min": plan.min_partition,
                    "partition_records_max": plan.max_partition,
                    "oversize_components": plan.oversize.len(),
                    "sample_records": report.sample_records,
                }),
                outputs,
            });
        }
        let session = match Session::open(&acc.files, &group.template, &options)? {
            Ok(s) => s,
            Err(incomplete) => {
                return Err(Error::Run(format!(
                    "{}: 去重输入缺少必填列 {}",
                    incomplete[0].path.display(),
                    incomplete[0].missing.join(", ")
                )))
            }
        };
        let records = &session.records;
        let decisions = match &p.dedupe.decisions {
            Some(path) => review::read_decisions(path, records)?.decided,
            None => Vec::new(),
        };
        let blocking = session.block();
        let pairs = blocking.pairs.len();
        let scoring = session.score(&blocking);
        drop(blocking);
        let clustering = session.cluster(&scoring, &decisions)?;
        let review_pairs = session.review_pairs(&scoring, &clustering, &decisions);

        let clusters_rel = rel("clusters.csv");
        dedupe::write_clusters(&self.dir.join(&clusters_rel), &session, &clustering)?;
        outputs.push(clusters_rel);
        // The golden records of this batch: a record of the database alone is not loaded again,
        // and counts only this batch's records.
        let mut built = golden::build(records, &clustering.cluster, &session.config.survivorship);
        let is_new = |r: &usize| records.golden_id[*r].is_none();
        let attached = built
            .iter()
            .filter(|g| g.records.iter().any(is_new) && g.records.iter().any(|r| !is_new(r)))
            .count();
        built.retain(|g| g.records.iter().any(is_new));
        for g in &mut built {
            g.records.retain(is_new);
        }
        let new_records = records.golden_id.iter().filter(|g| g.is_none()).count();
        let golden_rel = rel("golden.csv");
        let golden_path = self.dir.join(&golden_rel);
        golden::write(&golden_path, records, &built)?;
        outputs.push(golden_rel);
        if !review_pairs.is_empty() {
            let review_rel = rel("review.xlsx");
            review::write(&self.dir.join(&review_rel), records, &review_pairs)?;
            outputs.push(review_rel);
        }
        let merged = (new_records - built.len()) as u64;
        Ok(Deduped {
            golden: golden_path,
            against: !against.is_empty(),
            merged,
            counts: json!({
                "records": new_records,
                "in_database": existing_rows,
                "candidate_pairs": pairs,
                "golden_records": built.len(),
                "merged": merged,
                "joined_database_records": attached,
                "review_pairs": review_pairs.len(),
                "decisions": decisions.len(),
                "em_iterations": scoring.model.iterations,
            }),
            outputs,
        })
    }
}

/// What checking one file gave.
struct Checked {
    rows: u64,
    /// The profile's breached thresholds, for people.
    alerts: Vec<String>,
    error_rows: u64,
    accepted: u64,
    missing: Vec<String>,
    accepted_file: Option<PathBuf>,
    counts: Value,
    outputs: Vec<String>,
}

/// What deduplicating one template gave.
struct Deduped {
    golden: PathBuf,
    against: bool,
    merged: u64,
    counts: Value,
    outputs: Vec<String>,
}

/// A database failure on the ledger, for `map_err`.
fn ledger_error(label: &str, action: &str) -> impl FnOnce(String) -> crmkit_load::Error {
    let (db, action) = (label.to_string(), action.to_string());
    move |message| crmkit_load::Error::Database {
        db,
        action,
        message,
    }
}

/// A file's name for its outputs: `客户资料.xlsx` → `客户资料`, prefixed by its input number so
/// two files of the same name in different folders do not collide.
fn file_tag(path: &Path, input: usize) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into());
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_()（）".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{:02}-{clean}", input + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_tags_are_safe_and_distinct() {
        assert_eq!(file_tag(Path::new("/a/客户资料.xlsx"), 0), "01-客户资料");
        assert_eq!(
            file_tag(Path::new("b/客户 资料#1.csv"), 11),
            "12-客户_资料_1"
        );
        assert_ne!(
            file_tag(Path::new("x/a.csv"), 0),
            file_tag(Path::new("y/a.csv"), 1)
        );
    }
}
