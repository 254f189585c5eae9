//! `crmkit load INPUT... --db URL [--template T] [--mode insert|upsert] [--batch-size N]
//! [--rejects FILE] [--max-reject-rate R]`

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crmkit_core::read::{Format, ReadOptions};
use crmkit_core::template::Template;
use crmkit_load::db::Db;
use crmkit_load::load::{self, detect_template, Detected, Input, Mode, Options};
use crmkit_load::url::DbUrl;

use super::ExitStatus;
use crate::args::{LoadArgs, LoadMode};
use crate::progress::Progress;
use crate::shell::{self, Shell};

pub fn run(args: LoadArgs, shell: &mut Shell) -> Result<ExitStatus> {
    if args.batch_size == 0 {
        bail!("--batch-size: expected a positive number of rows, e.g. 50000");
    }
    if !(0.0..=1.0).contains(&args.max_reject_rate) {
        bail!(
            "--max-reject-rate: expected a share between 0 and 1, e.g. 0.01, found {}",
            args.max_reject_rate
        );
    }
    let url = DbUrl::parse(&args.db)?;
    let read = ReadOptions {
        encoding: args.encoding.clone(),
        delimiter: args.delimiter,
    };
    let template = args
        .template
        .as_deref()
        .map(Template::resolve)
        .transpose()?;
    let inputs = collect_inputs(&args, template.as_ref(), &read, shell)?;
    if let Some(rejects) = &args.rejects {
        // Not an input, a format crmkit writes, in a directory that exists.
        for input in &inputs {
            crmkit_core::write::check_outputs(
                &input.path,
                &[(rejects.as_path(), &["csv", "xlsx"])],
            )?;
        }
    }

    let label = url.masked();
    // An SQLite file this run creates is removed again when the load fails before its batch
    // began (an unreadable input): a failed run leaves no empty database behind.
    let new_file = match &url {
        DbUrl::Sqlite(path) if !path.exists() => Some(path.clone()),
        _ => None,
    };
    let mut db = Db::open(&url)?;
    let lock = crmkit_load::db::lock(&url, &mut db)?;
    shell.status(format!("加载到 {label}: {} 个文件", inputs.len()))?;
    let options = Options {
        mode: match args.mode {
            LoadMode::Insert => Mode::Insert,
            LoadMode::Upsert => Mode::Upsert,
        },
        batch_size: args.batch_size,
        read,
        // Crash tests kill a load between chunks; they slow it down with this.
        pause_after_chunk: std::env::var("CRMKIT_TEST_PAUSE_AFTER_CHUNK_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(std::time::Duration::from_millis),
        golden_is_row_id: false,
    };
    let progress = Progress::new();
    let report = match load::load(&mut db, &label, &inputs, &options, &progress) {
        Ok(report) => report,
        Err(e) => {
            let untouched = db.count_rows("crmkit_batch").map_or(true, |n| n == 0);
            drop(lock);
            drop(db);
            if let Some(path) = new_file.filter(|_| untouched) {
                crmkit_load::db::remove_sqlite_files(&path);
            }
            return Err(e.into());
        }
    };

    if report.resumed {
        shell.status(format!(
            "批次 {} 上次未完成, 已从最后一次提交处继续",
            report.batch
        ))?;
    }
    let mut rows = vec![vec![
        "表".to_string(),
        "输入行".into(),
        "新增".into(),
        "更新".into(),
        "未变".into(),
        "合并".into(),
        "拒绝".into(),
        "核对".into(),
    ]];
    for (table, c) in &report.tables {
        rows.push(vec![
            table.clone(),
            c.input.to_string(),
            c.inserted.to_string(),
            c.updated.to_string(),
            c.unchanged.to_string(),
            c.merged.to_string(),
            c.rejected.to_string(),
            if c.balanced() { "一致" } else { "不一致" }.into(),
        ]);
    }
    shell.status(format!(
        "批次 {} 对账（输入 = 新增 + 更新 + 未变 + 合并 + 拒绝）:",
        report.batch
    ))?;
    for line in shell::table(&rows) {
        shell.status(format!("  {line}"))?;
    }
    for r in report.rejects.iter().take(10) {
        shell.status(format!(
            "  拒绝 {}: {}",
            report.place(r.source, r.row),
            r.reason
        ))?;
    }
    if report.rejects.len() > 10 {
        shell.status(format!(
            "  …… 共 {} 行被拒绝{}",
            report.rejects.len(),
            if args.rejects.is_some() {
                ""
            } else {
                "; 用 --rejects FILE 写出全部"
            }
        ))?;
    }
    if let Some(path) = &args.rejects {
        load::write_rejects(path, &report)
            .with_context(|| format!("could not write {}", path.display()))?;
        shell.status(format!("拒绝记录已写入 {}", path.display()))?;
    }

    if !report.balanced() {
        for (table, c) in report.tables.iter().filter(|(_, c)| !c.balanced()) {
            shell.error(format!(
                "{table} 表对账不一致: 输入 {} ≠ 新增 {} + 更新 {} + 未变 {} + 合并 {} + 拒绝 {}, 或数据库中本批次的行数 {} ≠ 新增 + 更新",
                c.input, c.inserted, c.updated, c.unchanged, c.merged, c.rejected, c.in_database
            ))?;
        }
        return Ok(ExitStatus::Failure);
    }
    let input: u64 = report.tables.iter().map(|(_, c)| c.input).sum();
    let rejected: u64 = report.tables.iter().map(|(_, c)| c.rejected).sum();
    if input > 0 && rejected as f64 / input as f64 > args.max_reject_rate {
        shell.error(format!(
            "拒绝 {rejected} / {input} 行 ({:.2}%), 超过 --max-reject-rate {:.2}%",
            rejected as f64 * 100.0 / input as f64,
            args.max_reject_rate * 100.0
        ))?;
        return Ok(ExitStatus::Failure);
    }
    Ok(ExitStatus::Success)
}

/// The files to load: each given file, and the data files of each given directory (rejects
/// files left out; a dedupe golden file stands in for the other files of its template).
fn collect_inputs(
    args: &LoadArgs,
    template: Option<&Template>,
    read: &ReadOptions,
    shell: &mut Shell,
) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for path in &args.inputs {
        if path.is_dir() {
            inputs.extend(directory(
                path,
                template,
                read,
                args.sheet.as_deref(),
                shell,
            )?);
            continue;
        }
        let template = match template {
            Some(t) => t.clone(),
            None => match detect_template(path, read, args.sheet.as_deref())? {
                Detected::Template(t, _) => *t,
                Detected::Rejects => bail!(
                    "{}: 这是拒绝记录文件（有 _reasons 列），不能直接加载; 修正后用 crmkit clean 重新清洗",
                    path.display()
                ),
                Detected::Unknown => bail!(
                    "{}: 表头不属于任何内置模板; 请用 --template 指定模板，如 --template customer",
                    path.display()
                ),
            },
        };
        inputs.push(Input {
            path: path.clone(),
            template,
            sheet: args.sheet.clone(),
        });
    }
    if inputs.is_empty() {
        bail!("没有可加载的文件");
    }
    Ok(inputs)
}

fn directory(
    dir: &Path,
    template: Option<&Template>,
    read: &ReadOptions,
    sheet: Option<&str>,
    shell: &mut Shell,
) -> Result<Vec<Input>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not read directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .filter(|p| Format::from_path(p).is_ok())
        .collect();
    paths.sort();
    let mut found: Vec<(PathBuf, Template, bool)> = Vec::new();
    for path in paths {
        match detect_template(&path, read, sheet)? {
            Detected::Template(t, golden) => {
                let t = template.cloned().unwrap_or(*t);
                found.push((path, t, golden));
            }
            Detected::Rejects => shell.status(format!("跳过 {}: 拒绝记录文件", path.display()))?,
            Detected::Unknown => shell.status(format!(
                "跳过 {}: 表头不属于任何内置模板（报告或其他文件）",
                path.display()
            ))?,
        }
    }
    // A golden file holds the deduplicated records of its template's other files.
    let golden: Vec<String> = found
        .iter()
        .filter(|(_, _, g)| *g)
        .map(|(_, t, _)| t.name.clone())
        .collect();
    let mut inputs = Vec::new();
    for (path, t, is_golden) in found {
        if !is_golden && golden.contains(&t.name) {
            shell.status(format!(
                "跳过 {}: 同目录有 {} 的去重结果（golden 文件），以它为准",
                path.display(),
                t.name
            ))?;
            continue;
        }
        inputs.push(Input {
            path,
            template: t,
            sheet: sheet.map(str::to_string),
        });
    }
    Ok(inputs)
}
