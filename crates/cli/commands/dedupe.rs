//! `crmkit dedupe`: read, block, score, cluster, write; `crmkit dedupe explain`: one pair.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};

use crmkit_core::dedupe::{self, golden, model, partition, review, RecordRef, Session};
use crmkit_core::template::Template;

use super::ExitStatus;
use crate::args::{DedupeArgs, DedupeCommand, DedupeInput, DedupeRun, ExplainArgs};
use crate::shell::{table, thousands, Shell};

pub fn run(args: DedupeArgs, shell: &mut Shell) -> Result<ExitStatus> {
    match args.command {
        Some(DedupeCommand::Explain(explain)) => run_explain(explain, shell),
        None => run_dedupe(args.run, shell),
    }
}

/// Reads every input; `None` when one lacks required columns (reported).
/// `compared_only`: clean only the fields the rules compare (no golden file or review sheet is
/// written).
fn open(
    inputs: &[PathBuf],
    input: &DedupeInput,
    compared_only: bool,
    shell: &mut Shell,
) -> Result<Option<Session>> {
    let template = Template::resolve(
        input
            .template
            .as_deref()
            .context("--template is required")?,
    )?;
    let options = dedupe::Options {
        compared_only,
        ..input.options()?
    };
    let started = Instant::now();
    let session = match Session::open(inputs, &template, &options)? {
        Ok(session) => session,
        Err(incomplete) => {
            report_incomplete(shell, &incomplete, &template)?;
            return Ok(None);
        }
    };
    for input in &session.inputs {
        shell.status(input_line(input))?;
    }
    shell.status(format!(
        "规则 {}; 读取与清洗 {:.1} 秒",
        session.config.origin,
        started.elapsed().as_secs_f64()
    ))?;
    Ok(Some(session))
}

/// `读取 customers.csv: 1,500 行 ...`: what was read of one input.
fn input_line(input: &dedupe::InputSummary) -> String {
    let sheet = input
        .sheet
        .as_ref()
        .map(|s| format!(" [{s}]"))
        .unwrap_or_default();
    let kind = if input.existing {
        "已有主记录"
    } else {
        "读取"
    };
    format!(
        "{kind} {}{sheet}: {} 行{}",
        input.name,
        thousands(input.rows),
        if input.error_rows > 0 {
            format!(
                " (其中 {} 行{}有错误值, 照常参与去重; 用 `crmkit validate` 查看)",
                thousands(input.error_rows),
                if input.compared_only {
                    "参与比较的字段"
                } else {
                    ""
                }
            )
        } else {
            String::new()
        }
    )
}

/// The model of `--model FILE`, checked against the rules.
fn read_model(path: &Path, config: &dedupe::config::Config) -> Result<model::Model> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: 无法读取模型文件 (--model)", path.display()))?;
    Ok(model::Model::from_json(
        &text,
        config,
        &path.display().to_string(),
    )?)
}

fn run_dedupe(args: DedupeRun, shell: &mut Shell) -> Result<ExitStatus> {
    let clusters_path = args
        .clusters
        .clone()
        .context("--clusters FILE is required")?;
    let outputs: Vec<(&Path, &[&str])> = [
        Some((clusters_path.as_path(), &["csv", "xlsx"][..])),
        args.golden.as_deref().map(|p| (p, &["csv", "xlsx"][..])),
        args.review.as_deref().map(|p| (p, &["xlsx"][..])),
        args.save_model.as_deref().map(|p| (p, &["json"][..])),
    ]
    .into_iter()
    .flatten()
    .collect();
    for input in args.inputs.iter().chain(&args.input.against) {
        crmkit_core::write::check_outputs(input, &outputs)?;
    }
    if let Some(decisions) = &args.decisions {
        for (out, _) in &outputs {
            if same_file(decisions, out) {
                anyhow::bail!(
                    "{}: --decisions 和输出文件是同一个文件; 请把复核结果另存为新文件名, 或换一个 --review 输出",
                    decisions.display()
                );
            }
        }
    }

    if args.partition_size > 0 {
        return run_partitioned(&args, clusters_path, shell);
    }

    // Golden records and the review sheet show every field; clusters need only the compared ones.
    let compared_only = args.golden.is_none() && args.review.is_none();
    let Some(session) = open(&args.inputs, &args.input, compared_only, shell)? else {
        return Ok(ExitStatus::Failure);
    };
    let records = &session.records;
    let given = match &args.model {
        Some(path) => Some(read_model(path, &session.config)?),
        None => None,
    };

    let decisions = match &args.decisions {
        Some(path) => {
            let d = review::read_decisions(path, records)?;
            shell.status(format!(
                "复核结果 {}: {} 对已判定 ({} 对是同一客户), {} 对未填",
                path.display(),
                d.decided.len(),
                d.decided.iter().filter(|x| x.same).count(),
                d.undecided
            ))?;
            d.decided
        }
        None => Vec::new(),
    };

    let started = Instant::now();
    let blocking = session.block();
    report_blocking(&session, &blocking, shell)?;
    shell.status(format!("分块 {:.1} 秒", started.elapsed().as_secs_f64()))?;

    let started = Instant::now();
    let scoring = match given {
        Some(m) => session.score_with(m, &blocking),
        None => session.score(&blocking),
    };
    drop(blocking);
    let m = &scoring.model;
    match &args.model {
        Some(path) => shell.status(format!(
            "模型: 使用 {} (λ = {:.3}); 评分 {:.1} 秒",
            path.display(),
            m.lambda,
            started.elapsed().as_secs_f64()
        ))?,
        None => shell.status(format!(
            "模型: {}; 评分 {:.1} 秒",
            model_line(m),
            started.elapsed().as_secs_f64()
        ))?,
    }
    if args.show_model {
        show_model(m, &session.config, shell)?;
    }
    if let Some(path) = &args.save_model {
        m.save(path)?;
    }

    let started = Instant::now();
    let clustering = session.cluster(&scoring, &decisions)?;
    let clusters = {
        let mut ids = clustering.cluster.clone();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let new_records = records.golden_id.iter().filter(|g| g.is_none()).count();
    let existing_ids: std::collections::HashSet<u64> =
        records.golden_id.iter().flatten().copied().collect();
    let attached = (0..records.len())
        .filter(|&i| {
            records.golden_id[i].is_none() && existing_ids.contains(&clustering.cluster[i])
        })
        .count();
    shell.status(format!(
        "聚类 {:.1} 秒: {} 条记录 → {} 个实体 ({} 条记录并入他人), {} 个多于两条的簇重新核验, 拆开 {} 条弱连接",
        started.elapsed().as_secs_f64(),
        thousands(records.len()),
        thousands(clusters),
        thousands(records.len() - clusters),
        thousands(clustering.rebuilt),
        thousands(clustering.split.len()),
    ))?;
    if !args.input.against.is_empty() {
        shell.status(format!(
            "增量: {} 条新记录中 {} 条归入已有实体, {} 条为新实体或并入新实体",
            thousands(new_records),
            thousands(attached),
            thousands(new_records - attached)
        ))?;
    }

    let review_pairs = session.review_pairs(&scoring, &clustering, &decisions);
    let mut written = Vec::new();
    dedupe::write_clusters(&clusters_path, &session, &clustering)?;
    written.push(clusters_path.display().to_string());
    if let Some(path) = &args.golden {
        let golden = golden::build(records, &clustering.cluster, &session.config.survivorship);
        golden::write(path, records, &golden)?;
        written.push(path.display().to_string());
    }
    if let Some(path) = &args.review {
        review::write(path, records, &review_pairs)?;
        written.push(path.display().to_string());
    }
    if let Some(path) = &args.save_model {
        written.push(path.display().to_string());
    }
    shell.status(format!(
        "待复核: {} 对 (匹配概率 {:.0}%–{:.0}%, 或被拆开的连接){}",
        thousands(review_pairs.len()),
        session.config.thresholds.review * 100.0,
        session.config.thresholds.matched * 100.0,
        match (&args.review, review_pairs.is_empty()) {
            (None, false) => "; 用 --review FILE.xlsx 导出给人工判定",
            _ => "",
        }
    ))?;
    shell.status(format!("已写出 {}", written.join(", ")))?;
    // The process ends next and the OS takes the memory back at once; freeing a million
    // records' strings one by one first costs a tenth of a second of a 150,000-row run.
    std::mem::forget((session, scoring, clustering, review_pairs));
    Ok(ExitStatus::Success)
}

/// `--partition-size N`: the partitioned run (`dedupe::partition`), reported as one pass is.
fn run_partitioned(args: &DedupeRun, clusters: PathBuf, shell: &mut Shell) -> Result<ExitStatus> {
    let template = Template::resolve(
        args.input
            .template
            .as_deref()
            .context("--template is required")?,
    )?;
    let options = dedupe::Options {
        // As one pass: clusters need only the compared fields.
        compared_only: args.golden.is_none() && args.review.is_none(),
        ..args.input.options()?
    };
    let given = match &args.model {
        Some(path) => {
            let config = dedupe::config::Config::resolve(
                &template,
                options.rules.as_deref(),
                options.validate.rules_dir.as_deref(),
            )?;
            Some(read_model(path, &config)?)
        }
        None => None,
    };
    let size = args.partition_size;
    let settings = partition::Settings {
        partition_size: size,
        sample_records: args
            .sample_size
            .map_or(partition::default_sample(size), |n| n as usize),
        model: given,
        decisions: args.decisions.clone(),
        work_dir: None,
    };
    let outputs = partition::Outputs {
        clusters: clusters.clone(),
        golden: args.golden.clone(),
        golden_new_only: false,
    };
    let started = Instant::now();
    let mut phase = Instant::now();
    // The first terminal error, kept until the library returns.
    let mut failed: Option<std::io::Error> = None;
    let mut say = |shell: &mut Shell, warn: bool, text: String| {
        if failed.is_none() {
            let written = if warn {
                shell.warn(text)
            } else {
                shell.status(text)
            };
            if let Err(e) = written {
                failed = Some(e);
            }
        }
    };
    let result = partition::run(
        &args.inputs,
        &template,
        &options,
        &settings,
        &outputs,
        &mut |p| match p {
            partition::Progress::Input(input) => say(shell, false, input_line(input)),
            partition::Progress::Decisions(decided, same, undecided) => say(
                shell,
                false,
                format!(
                    "复核结果 {}: {} 对已判定 ({} 对是同一客户), {} 对未填",
                    args.decisions
                        .as_deref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    thousands(decided),
                    thousands(same),
                    thousands(undecided)
                ),
            ),
            partition::Progress::Plan(stats, describe) => {
                say(
                    shell,
                    false,
                    format!(
                        "读取与分区计划 {:.1} 秒: {} 条记录, {} 个连通分量 (最大 {} 条, 含 {}), 分为 {} 个分区, 每区 {}–{} 条记录 (上限 --partition-size {})",
                        phase.elapsed().as_secs_f64(),
                        thousands(stats.records),
                        thousands(stats.components),
                        thousands(stats.largest_component),
                        describe(stats.largest_example),
                        thousands(stats.partitions),
                        thousands(stats.min_partition),
                        thousands(stats.max_partition),
                        thousands(size)
                    ),
                );
                for o in &stats.oversize {
                    say(
                        shell,
                        true,
                        format!(
                            "连通分量 (含 {}) 有 {} 条记录, 超过 --partition-size {}, 单独作为第 {} 个分区处理, 内存随之增大; 常见原因是公共电话或占位值把许多客户连在一起: 可调低 blocking.max_block, 或清理数据",
                            describe(o.example),
                            thousands(o.size),
                            thousands(size),
                            o.partition + 1
                        ),
                    );
                }
                phase = Instant::now();
            }
            partition::Progress::Model(m, sample, seconds) => {
                let text = match &args.model {
                    Some(path) => format!("模型: 使用 {} (λ = {:.3}), 各分区共用", path.display(), m.lambda),
                    None => format!(
                        "模型: 在 {} 条记录的样本 (随机抽取的完整连通分量) 上训练一次, 各分区共用; {}; 训练 {:.1} 秒",
                        thousands(sample),
                        model_line(m),
                        seconds
                    ),
                };
                say(shell, false, text);
                phase = Instant::now();
            }
            partition::Progress::Partition(index, of, records, seconds) => say(
                shell,
                false,
                format!(
                    "分区 {}/{}: {} 条记录, {:.1} 秒",
                    index + 1,
                    of,
                    thousands(records),
                    seconds
                ),
            ),
        },
    );
    if let Some(e) = failed {
        return Err(e.into());
    }
    let report = match result? {
        Ok(report) => report,
        Err(incomplete) => {
            report_incomplete(shell, &incomplete, &template)?;
            return Ok(ExitStatus::Failure);
        }
    };
    let config = &report.config;
    blocking_table(
        &report.blocking,
        report.records,
        report.pairs as usize,
        shell,
    )?;
    for &(key, ref example, block) in report.skipped.iter().take(5) {
        shell.warn(format!(
            "分块键 \"{}\" 的一个值 (如 {example} 的) 有 {} 条记录, 超过 blocking.max_block = {}, 已跳过 (这些记录仍通过其他分块键比较); 如这是公共电话或占位值, 请清理数据",
            config.blocking[key].name,
            thousands(block),
            config.max_block
        ))?;
    }
    if report.skipped.len() > 5 {
        shell.warn(format!(
            "另有 {} 个过大的块被跳过",
            report.skipped.len() - 5
        ))?;
    }
    if args.show_model {
        show_model(&report.model, config, shell)?;
    }
    if let Some(path) = &args.save_model {
        report.model.save(path)?;
    }
    shell.status(format!(
        "分区处理 {:.1} 秒 (共 {:.1} 秒): {} 条记录 → {} 个实体 ({} 条记录并入他人), {} 个多于两条的簇重新核验, 拆开 {} 条弱连接",
        phase.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64(),
        thousands(report.records),
        thousands(report.clusters),
        thousands(report.records - report.clusters),
        thousands(report.rebuilt),
        thousands(report.split),
    ))?;
    if !args.input.against.is_empty() {
        shell.status(format!(
            "增量: {} 条新记录中 {} 条归入已有实体, {} 条为新实体或并入新实体",
            thousands(report.new_records),
            thousands(report.attached_records),
            thousands(report.new_records - report.attached_records)
        ))?;
    }
    let mut written = vec![clusters.display().to_string()];
    if let Some(path) = &args.golden {
        written.push(path.display().to_string());
    }
    let queue = &report.review;
    if let Some(path) = &args.review {
        review::write(path, &queue.records, &queue.pairs)?;
        written.push(path.display().to_string());
    }
    if let Some(path) = &args.save_model {
        written.push(path.display().to_string());
    }
    shell.status(format!(
        "待复核: {} 对 (匹配概率 {:.0}%–{:.0}%, 或被拆开的连接){}",
        thousands(queue.pairs.len()),
        config.thresholds.review * 100.0,
        config.thresholds.matched * 100.0,
        match (&args.review, queue.pairs.is_empty()) {
            (None, false) => "; 用 --review FILE.xlsx 导出给人工判定",
            _ => "",
        }
    ))?;
    shell.status(format!("已写出 {}", written.join(", ")))?;
    Ok(ExitStatus::Success)
}

/// How the model was trained, for people: `u 取自 ...; m 由 EM 估计 ...`.
fn model_line(m: &model::Model) -> String {
    format!(
        "u 取自 {} 个随机记录对; m 由 EM 估计 ({} 次迭代{}), 候选对中同一客户的比例 λ = {:.3}",
        thousands(m.u_pairs),
        m.iterations,
        if m.converged {
            ", 已收敛"
        } else {
            ", 未收敛: 结果仍可用, 可调高 training.em_iterations"
        },
        m.lambda,
    )
}

/// `--show-model`: m, u and weight of every level.
fn show_model(m: &model::Model, config: &dedupe::config::Config, shell: &mut Shell) -> Result<()> {
    let mut rows = vec![vec![
        "比较项".to_string(),
        "水平".to_string(),
        "m".to_string(),
        "u".to_string(),
        "权重".to_string(),
    ]];
    for (name, level, m, u, w) in model::describe(m, config) {
        rows.push(vec![
            name,
            level,
            format!("{m:.4}"),
            format!("{u:.6}"),
            format!("{w:+.2}"),
        ]);
    }
    for line in table(&rows) {
        shell.line(format!("  {line}"))?;
    }
    Ok(())
}

/// The candidate pairs per blocking key.
fn blocking_table(
    stats: &[dedupe::block::KeyStats],
    records: usize,
    pairs: usize,
    shell: &mut Shell,
) -> Result<()> {
    let mut rows = vec![vec![
        "分块键".to_string(),
        "有值记录".to_string(),
        "块数".to_string(),
        "最大块".to_string(),
        "候选对".to_string(),
        "新增对".to_string(),
    ]];
    for s in stats {
        rows.push(vec![
            s.name.clone(),
            thousands(s.records),
            thousands(s.blocks),
            thousands(s.largest),
            thousands(s.pairs as usize),
            thousands(s.new_pairs as usize),
        ]);
    }
    shell.status(format!(
        "候选对 {} 个 (记录对总数的 {:.4}%):",
        thousands(pairs),
        {
            let n = records as f64;
            let all = n * (n - 1.0) / 2.0;
            if all > 0.0 {
                pairs as f64 / all * 100.0
            } else {
                0.0
            }
        }
    ))?;
    for line in table(&rows) {
        shell.status(format!("  {line}"))?;
    }
    Ok(())
}

fn report_blocking(
    session: &Session,
    blocking: &dedupe::block::Blocking,
    shell: &mut Shell,
) -> Result<()> {
    blocking_table(
        &blocking.stats,
        session.records.len(),
        blocking.pairs.len(),
        shell,
    )?;
    for (s, key) in blocking.stats.iter().zip(&session.config.blocking) {
        for &(example, size) in s.skipped.iter().take(5) {
            let text = dedupe::block::key_text(&session.records, &session.features, key, example);
            shell.warn(format!(
                "分块键 \"{}\" 的值 \"{}\" 有 {} 条记录, 超过 blocking.max_block = {}, 已跳过 (这些记录仍通过其他分块键比较); 如这是公共电话或占位值, 请清理数据",
                s.name,
                text,
                thousands(size),
                session.config.max_block
            ))?;
        }
        if s.skipped.len() > 5 {
            shell.warn(format!(
                "分块键 \"{}\" 另有 {} 个过大的块被跳过",
                s.name,
                s.skipped.len() - 5
            ))?;
        }
    }
    Ok(())
}

fn run_explain(args: ExplainArgs, shell: &mut Shell) -> Result<ExitStatus> {
    let Some(session) = open(&args.inputs, &args.input, false, shell)? else {
        return Ok(ExitStatus::Failure);
    };
    let a = locate(&session, &args.a)?;
    let b = locate(&session, &args.b)?;
    if a == b {
        anyhow::bail!("--a 和 --b 是同一行 ({}); 请给出两行不同的记录", args.a);
    }
    let blocking = session.block();
    let scoring = session.score(&blocking);
    let e = session.explain(&scoring, a, b);
    let records = &session.records;
    shell.line(format!(
        "记录 A = {}    记录 B = {}",
        records.describe(a),
        records.describe(b)
    ))?;
    let name = records
        .template
        .fields
        .iter()
        .position(|f| f.kind == crmkit_core::template::FieldType::CompanyName)
        .unwrap_or(0);
    shell.line(format!(
        "  {}: {}  |  {}",
        records.template.fields[name].header,
        records.value(a, name),
        records.value(b, name)
    ))?;
    let mut rows = vec![vec![
        "比较项".to_string(),
        "记录 A".to_string(),
        "记录 B".to_string(),
        "结果".to_string(),
        "m".to_string(),
        "u".to_string(),
        "权重".to_string(),
    ]];
    for l in &e.lines {
        rows.push(vec![
            l.comparison.clone(),
            l.a.clone(),
            l.b.clone(),
            l.level.clone(),
            format!("{:.4}", l.m),
            format!("{:.6}", l.u),
            match (&l.explained_by, &l.outweighed_by, l.tf != 0.0) {
                (Some(by), _, _) => format!(
                    "{:+.2} (不计: {by}相同, 更名或迁址可以解释这里的不同)",
                    l.weight + l.tf
                ),
                (None, Some(other), _) => format!(
                    "{:+.2} (不计: 与{other}同组, 同组只计最大的正权重)",
                    l.weight + l.tf
                ),
                (None, None, true) if l.tf == model::COMMON_TRADE_BITS => format!(
                    "{:+.2} (常见店名字号, 如张记、王氏、老何: {:+.2})",
                    l.weight + l.tf,
                    l.tf
                ),
                (None, None, true) => {
                    format!("{:+.2} (词频调整 {:+.2})", l.weight + l.tf, l.tf)
                }
                (None, None, false) => format!("{:+.2}", l.weight),
            },
        ]);
    }
    for line in table(&rows) {
        shell.line(format!("  {line}"))?;
    }
    let t = &session.config.thresholds;
    let verdict = if e.probability >= t.matched {
        format!("≥ {:.0}%: 同一客户, 自动合并", t.matched * 100.0)
    } else if e.probability >= t.review {
        format!(
            "在 {:.0}%–{:.0}% 之间: 进入人工复核",
            t.review * 100.0,
            t.matched * 100.0
        )
    } else {
        format!("< {:.0}%: 不是同一客户", t.review * 100.0)
    };
    shell.line(format!(
        "先验权重 {:+.2} (候选对中同一客户的比例 λ = {:.3}); 合计 {:+.2} 位 → 匹配概率 {:.2}% ({verdict})",
        e.prior,
        scoring.model.lambda,
        e.total,
        e.probability * 100.0
    ))?;
    shell.line("权重 = log2(m/u): m 是同一客户时出现该结果的概率, u 是不同客户时的概率; 正数支持合并, 负数反对。")?;
    Ok(ExitStatus::Success)
}

/// `17` (a row of the first input) or `FILE:17`.
fn locate(session: &Session, text: &str) -> Result<usize> {
    let records = &session.records;
    let (source, row) = match text.rsplit_once(':') {
        Some((file, row)) => {
            let source = records
                .sources
                .iter()
                .position(|s| s.name == file || s.path.as_os_str() == file)
                .with_context(|| {
                    format!(
                        "`{text}`: 没有名为 {file} 的输入文件; 输入文件: {}",
                        records
                            .sources
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
            (source, row)
        }
        None => (0, text),
    };
    let row: u32 = row
        .trim()
        .parse()
        .with_context(|| format!("`{text}`: 行号应为正整数, 如 17 或 customers.xlsx:17"))?;
    session
        .find(RecordRef {
            source: source as u16,
            row,
        })
        .with_context(|| {
            format!(
                "{} 第 {row} 行不是数据行 (表头、空行或超出范围)",
                records.sources[source].name
            )
        })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// One line per input that lacks required columns.
fn report_incomplete(
    shell: &mut Shell,
    incomplete: &[dedupe::Incomplete],
    template: &Template,
) -> Result<()> {
    for i in incomplete {
        shell.error(format!(
            "{}: 缺少必填列 {}; 请在表头中加入这些列 (模板见 `crmkit template show {}`)",
            i.path.display(),
            i.missing.join(", "),
            template.name
        ))?;
    }
    Ok(())
}
