//! `crmkit run PIPELINE [--dry-run] [--force] [--db URL]`: one scheduled import, end to end.

use anyhow::{Context, Result};

use crmkit_pipeline::run::{Options, RunReport, Status};
use crmkit_pipeline::{Pipeline, Run};

use super::ExitStatus;
use crate::args::RunArgs;
use crate::progress::Progress;
use crate::shell::{self, thousands, Shell};

pub fn run(args: RunArgs, shell: &mut Shell) -> Result<ExitStatus> {
    // A mistake in the pipeline file stops here, before anything runs.
    let pipeline = Pipeline::load(&args.pipeline)?;
    let run = Run::start(
        &pipeline,
        Options {
            dry_run: args.dry_run,
            force: args.force,
            database: args.db.clone(),
        },
    )?;
    let log = run.dir().join("run.log");
    let file = std::fs::File::create(&log)
        .with_context(|| format!("could not create the log {}", log.display()))?;
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .finish();
    // One run per process: the log is this run's.
    let _ = tracing::subscriber::set_global_default(subscriber);

    let database = args.db.as_deref().unwrap_or(&pipeline.database);
    let database = crmkit_load::url::DbUrl::parse(database)
        .map(|u| u.masked())
        .unwrap_or_else(|_| database.to_string());
    shell.status(format!(
        "流水线 {}: 运行 {}, 数据库 {database}{}",
        pipeline.name,
        run.dir().display(),
        if args.dry_run {
            " (演练 --dry-run: 不写数据库)"
        } else {
            ""
        }
    ))?;
    let progress = Progress::new();
    let report = run.execute(&progress);
    summarise(&report, shell)?;
    match report.status {
        Status::Done | Status::NothingNew => Ok(ExitStatus::Success),
        Status::GateFailed => Ok(ExitStatus::Failure),
        Status::Failed => anyhow::bail!(
            "{} (运行报告 {}/run.json)",
            report.error.as_deref().unwrap_or("运行失败"),
            report.dir
        ),
    }
}

/// The short human summary: files, rows per table, gates, where the outputs are.
fn summarise(report: &RunReport, shell: &mut Shell) -> Result<()> {
    let skipped = report.inputs.iter().filter(|i| i.skipped.is_some()).count();
    shell.status(format!(
        "文件 {} 个: 新 {}, 已加载过 {}",
        report.inputs.len(),
        report.inputs.len() - skipped,
        skipped
    ))?;
    for input in report.inputs.iter().filter(|i| i.skipped.is_some()) {
        shell.status(format!(
            "  跳过 {}: {}",
            input.path,
            input.skipped.as_deref().unwrap_or("")
        ))?;
    }
    if !report.reconciliation.is_empty() {
        let mut rows = vec![[
            "表",
            "读取",
            "错误行",
            "接受",
            "合并",
            "新增",
            "更新",
            "未变",
            "加载拒绝",
            "对账",
        ]
        .map(String::from)
        .to_vec()];
        for (table, r) in &report.reconciliation {
            let load = |f: fn(&crmkit_load::load::Counts) -> u64| {
                r.load
                    .as_ref()
                    .map(|c| thousands(f(c) as usize))
                    .unwrap_or_else(|| "-".into())
            };
            rows.push(vec![
                table.clone(),
                thousands(r.read as usize),
                thousands(r.rejected_by_validation as usize),
                thousands(r.accepted as usize),
                // Records merged into others: by dedupe, or as identical repeats by the load.
                thousands(
                    r.load
                        .as_ref()
                        .map_or(r.merged_by_dedupe, |c| c.merged.max(r.merged_by_dedupe))
                        as usize,
                ),
                load(|c| c.inserted),
                load(|c| c.updated),
                load(|c| c.unchanged),
                load(|c| c.rejected),
                if r.balanced { "一致" } else { "不一致" }.into(),
            ]);
        }
        for line in shell::table(&rows) {
            shell.status(format!("  {line}"))?;
        }
    }
    for step in &report.steps {
        if step.status.starts_with("skipped") {
            shell.status(format!(
                "  {}{}: {}",
                step.step,
                step.template
                    .as_ref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default(),
                step.status.trim_start_matches("skipped: ")
            ))?;
        }
    }
    for gate in &report.gates {
        let text = format!("门槛 {}: {}", gate.gate, gate.detail);
        if gate.passed {
            shell.status(format!("✓ {text}"))?;
        } else {
            shell.error(format!("✗ {text}"))?;
        }
    }
    for note in &report.notes {
        shell.status(format!("注: {note}"))?;
    }
    let verdict = match report.status {
        Status::Done if report.dry_run => "演练完成, 未写数据库",
        Status::Done => "完成",
        Status::NothingNew => "没有新数据",
        Status::GateFailed => "未通过门槛",
        Status::Failed => "运行失败",
    };
    shell.status(format!(
        "结果: {verdict} (退出码 {}), 用时 {:.1} 秒{}; 输出与报告在 {} (run.json, run.log)",
        report.exit_code,
        report.seconds,
        report
            .batch
            .map(|b| format!(", 批次 {b}"))
            .unwrap_or_default(),
        report.dir
    ))?;
    Ok(())
}
