//! `crmkit audit sample (INPUT -t T | --db URL --table T) -o audit.xlsx (--size N | --fraction F |
//! --aql A [--level II]) [--strata FIELD] [--seed S] [--threshold R]`,
//! `crmkit audit compare audit.xlsx [--db URL] -o compared.xlsx`,
//! `crmkit audit score audit.xlsx [--threshold R] [--json FILE]`

use anyhow::{bail, Context, Result};

use crmkit_audit::aql::{self, Arrow, Level};
use crmkit_audit::plan::{Method, Plan};
use crmkit_audit::sample::{OriginKind, Sample, Source};
use crmkit_audit::score::Accuracy;
use crmkit_audit::{PlanSpec, Size};
use crmkit_core::import::ImportOptions;
use crmkit_core::read::ReadOptions;
use crmkit_core::template::Template;
use crmkit_load::url::DbUrl;

use super::ExitStatus;
use crate::args::{AuditCommand, AuditCompareArgs, AuditSampleArgs, AuditScoreArgs};
use crate::shell::{table, Shell};

pub fn run(command: AuditCommand, shell: &mut Shell) -> Result<ExitStatus> {
    match command {
        AuditCommand::Sample(args) => sample(*args, shell),
        AuditCommand::Compare(args) => compare(args, shell),
        AuditCommand::Score(args) => score(args, shell),
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn interval(a: &Accuracy) -> String {
    format!("[{}, {}]", pct(a.low), pct(a.high))
}

fn spec(args: &AuditSampleArgs) -> Result<PlanSpec> {
    let size = match (args.size, args.fraction, args.aql) {
        (Some(n), None, None) => Size::Count(n),
        (None, Some(f), None) => Size::Fraction(f),
        (None, None, Some(a)) => Size::Aql {
            aql: a,
            level: Level::parse(&args.level).with_context(|| {
                format!(
                    "--level: 不认识的检验水平 `{}`; 可选 I, II, III, S-1, S-2, S-3, S-4 (通常用 II), 例如 --level II",
                    args.level
                )
            })?,
        },
        _ => bail!(
            "请给出样本量: --size N (如 --size 100)、--fraction F (如 --fraction 10%) 或 --aql A (如 --aql 1.0, GB/T 2828.1), 三者选一"
        ),
    };
    Ok(PlanSpec {
        size,
        strata: args.strata.clone(),
        threshold: args.threshold,
    })
}

fn sample(args: AuditSampleArgs, shell: &mut Shell) -> Result<ExitStatus> {
    let spec = spec(&args)?;
    let drawn = match (&args.input, &args.table) {
        (Some(_), Some(_)) => bail!(
            "请只给一个来源: 文件 (INPUT --template T) 或数据库表 (--db URL --table T), 不要同时给"
        ),
        (Some(input), None) => {
            let name = args.template.as_deref().with_context(|| {
                format!(
                    "{}: 缺少 --template; 例如 crmkit audit sample {} --template customer --size 100 -o audit.xlsx",
                    input.display(),
                    input.display()
                )
            })?;
            crmkit_core::write::check_outputs(input, &[(args.output.as_path(), &["xlsx"])])?;
            let template = Template::resolve(name)?;
            crmkit_audit::sample(
                Source::File {
                    path: input,
                    template: &template,
                    options: ImportOptions {
                        sheet: args.sheet.clone(),
                        read: ReadOptions {
                            encoding: args.encoding.clone(),
                            delimiter: args.delimiter,
                        },
                    },
                },
                &spec,
                args.seed,
            )?
        }
        (None, Some(table)) => {
            let db = args.db.as_deref().with_context(|| {
                format!("--table {table}: 缺少 --db (或环境变量 CRMKIT_DB); 例如 --db sqlite:crm.db --table {table}")
            })?;
            let url = DbUrl::parse(db)?;
            crmkit_load::export::check_output(&args.output, &url)?;
            let label = url.masked();
            let mut db = crmkit_load::export::open(&url)?;
            crmkit_audit::sample(
                Source::Db {
                    db: &mut db,
                    label: &label,
                    table,
                    read: ReadOptions {
                        encoding: args.encoding.clone(),
                        delimiter: args.delimiter,
                    },
                    source_dir: args.source_dir.as_deref(),
                },
                &spec,
                args.seed,
            )?
        }
        (None, None) => bail!(
            "请给出要抽查的数据: 文件 (crmkit audit sample customers.xlsx --template customer ...) 或数据库表 (--db sqlite:crm.db --table customer ...)"
        ),
    };
    render_plan(&drawn, shell)?;
    crmkit_audit::write_workbook(&drawn, &args.output)
        .with_context(|| format!("could not write {}", args.output.display()))?;
    let unread = drawn
        .records
        .iter()
        .filter(|r| r.source.iter().all(String::is_empty) && !r.note.is_empty())
        .count();
    if unread > 0 {
        shell.warn(format!(
            "{unread} 条记录的来源文件无法读取或找不到该行, 源文件值留空 (见“说明”列); 可用 --source-dir 指定来源文件所在目录"
        ))?;
    }
    shell.status(format!(
        "已写入 {}: {} 条记录, 每条核对 {} 个字段 (正确/错误下拉列表); 含未脱敏数据, 仅供核查人员使用。填好后运行 crmkit audit score {}",
        args.output.display(),
        drawn.records.len(),
        drawn.fields.len(),
        args.output.display()
    ))?;
    Ok(ExitStatus::Success)
}

/// The plan, with what it can and cannot prove.
fn render_plan(sample: &Sample, shell: &mut Shell) -> Result<()> {
    let plan = &sample.plan;
    let origin = match sample.origin.kind {
        OriginKind::File => format!("文件 {}", sample.origin.location),
        OriginKind::Db => format!(
            "{} 表 {}",
            sample.origin.location,
            sample.origin.table.as_deref().unwrap_or("")
        ),
    };
    shell.line(format!(
        "抽样来源: {origin}; 总体 {} 条记录",
        plan.population
    ))?;
    shell.line(format!(
        "抽样方案: {}, 抽取 {} 条, 随机种子 {} (用 --seed {} 可重现同一样本)",
        plan.method.label(),
        plan.size,
        plan.seed,
        plan.seed
    ))?;
    if let Some(a) = &plan.aql {
        shell.line(format!(
            "GB/T 2828.1 表 1: 批量 {}, 检验水平 {} → 样本量字码 {} (n={})",
            a.lot,
            a.level,
            a.letter,
            aql::SAMPLE_SIZES[aql::LETTERS
                .iter()
                .position(|&l| l == a.letter)
                .unwrap_or(0)]
        ))?;
        if let Some(arrow) = a.arrow {
            shell.line(format!(
                "GB/T 2828.1 表 2-A: {} 行 AQL {} 处为 {}, 改用 {} 行的方案: n={}, Ac {}, Re {}",
                a.letter,
                aql::format_aql(a.aql),
                match arrow {
                    Arrow::Down => "↓ (用箭头下面第一个方案)",
                    Arrow::Up => "↑ (用箭头上面第一个方案)",
                },
                a.plan_letter,
                a.table_size,
                a.ac,
                a.re
            ))?;
        } else {
            shell.line(format!(
                "GB/T 2828.1 表 2-A: AQL {} → n={}, Ac {}, Re {}",
                aql::format_aql(a.aql),
                a.table_size,
                a.ac,
                a.re
            ))?;
        }
    }
    if plan.whole_lot {
        shell.line(format!(
            "样本量不小于总体, 全数检验: 核对全部 {} 条记录",
            plan.population
        ))?;
    }
    if let Some(strata) = &plan.strata {
        shell.line(format!(
            "分层 (按 {}, 按比例分配, 每层至少 1 条):",
            strata.by
        ))?;
        let mut rows = vec![vec!["分层".to_string(), "记录数".into(), "抽取数".into()]];
        for g in &strata.groups {
            rows.push(vec![
                g.name.clone(),
                g.population.to_string(),
                g.size.to_string(),
            ]);
        }
        for line in table(&rows) {
            shell.line(format!("  {line}"))?;
        }
    }
    let rule = match (plan.method, plan.threshold) {
        (Method::Aql, Some(t)) => format!(
            "判定: 错误记录 ≤ {} 条接收, ≥ {} 条拒收, 且准确率须达 {}",
            plan.ac,
            plan.re,
            pct(t)
        ),
        (Method::Aql, None) => format!(
            "判定: 错误记录 ≤ {} 条接收, ≥ {} 条拒收 (一条记录有任一字段错误即为错误记录)",
            plan.ac, plan.re
        ),
        (_, t) => format!(
            "判定: 错误记录 ≤ {} 条为通过 (准确率阈值 {}; 一条记录有任一字段错误即为错误记录)",
            plan.ac,
            pct(t.unwrap_or(crmkit_audit::plan::DEFAULT_THRESHOLD))
        ),
    };
    shell.line(rule)?;
    render_oc(plan, shell)
}

fn render_oc(plan: &Plan, shell: &mut Shell) -> Result<()> {
    let oc = plan.oc();
    shell.line("这个方案能区分什么 (批中真实错误率 → 通过的概率):")?;
    let mut rows = vec![
        std::iter::once("真实错误率".to_string())
            .chain(oc.iter().map(|p| pct(p.error_rate)))
            .collect::<Vec<_>>(),
        std::iter::once("通过概率".to_string())
            .chain(oc.iter().map(|p| pct(p.pass)))
            .collect(),
    ];
    if oc.iter().any(|p| p.pass_exact.is_some()) {
        rows.push(
            std::iter::once(format!("本批 {} 条不放回", plan.population))
                .chain(oc.iter().map(|p| p.pass_exact.map(pct).unwrap_or_default()))
                .collect(),
        );
    }
    for line in table(&rows) {
        shell.line(format!("  {line}"))?;
    }
    let five = oc.iter().find(|p| (p.error_rate - 0.05).abs() < 1e-9);
    let two = oc.iter().find(|p| (p.error_rate - 0.02).abs() < 1e-9);
    if let (Some(five), Some(two)) = (five, two) {
        shell.line(format!(
            "即: 错误率 5% 的批仍有 {} 的机会通过, 错误率 2% 的批有 {} 的机会通过; 签字前请确认这个把握够用。",
            pct(five.pass_exact.unwrap_or(five.pass)),
            pct(two.pass_exact.unwrap_or(two.pass))
        ))?;
    }
    if plan.whole_lot {
        shell.line("全数检验: 核对结果就是这批数据的准确率, 不是估计。")?;
        return Ok(());
    }
    let (low, high) = plan.interval_at_limit();
    shell.line(format!(
        "刚好通过 ({} 条中 {} 条错误) 时, 准确率的 95% 置信区间为 [{}, {}]: 样本只能证明到这里。",
        plan.size,
        plan.ac,
        pct(low),
        pct(high)
    ))?;
    Ok(())
}

fn compare(args: AuditCompareArgs, shell: &mut Shell) -> Result<ExitStatus> {
    crmkit_core::write::check_outputs(&args.workbook, &[(args.output.as_path(), &["xlsx"])])?;
    let template = args
        .template
        .as_deref()
        .map(Template::resolve)
        .transpose()?;
    let compared = match &args.db {
        Some(db) => {
            let url = DbUrl::parse(db)?;
            let label = url.masked();
            let mut db = crmkit_load::export::open(&url)?;
            crmkit_audit::compare(&args.workbook, Some((&mut db, &label)), template.as_ref())?
        }
        None => crmkit_audit::compare(&args.workbook, None, template.as_ref())?,
    };
    crmkit_audit::write_workbook(&compared.sample, &args.output)
        .with_context(|| format!("could not write {}", args.output.display()))?;
    if compared.refreshed {
        shell.status("已从数据库重新读取已载入的值")?;
    }
    shell.line(format!(
        "机器可判定的已预填: {} 个字段标为 正确, {} 条记录整条标为 正确",
        compared.fields_prefilled, compared.records_prefilled
    ))?;
    shell.line(format!(
        "需要人工核对: {} 条记录, 其中 {} 个字段判定为空 (已载入值与规范化后的源文件值不同, 或无法判断)",
        compared.records_left, compared.fields_left
    ))?;
    shell.status(format!(
        "已写入 {}; 人工核对后运行 crmkit audit score {}",
        args.output.display(),
        args.output.display()
    ))?;
    Ok(ExitStatus::Success)
}

fn score(args: AuditScoreArgs, shell: &mut Shell) -> Result<ExitStatus> {
    if let Some(json) = &args.json {
        crmkit_core::write::check_outputs(&args.workbook, &[(json.as_path(), &["json"])])?;
    }
    let score = crmkit_audit::score(&args.workbook, args.threshold)?;
    let plan = &score.plan;
    shell.line(format!(
        "抽查结果 {}: {} 条记录, 错误记录 {} 条 ({}, 随机种子 {})",
        args.workbook.display(),
        score.records.checked,
        score.records.wrong,
        plan.method.label(),
        plan.seed
    ))?;
    shell.line(format!(
        "记录准确率 {} (95% 置信区间 {}, Wilson)",
        pct(score.records.accuracy),
        interval(&score.records)
    ))?;
    shell.line("字段准确率:")?;
    let mut rows = vec![vec![
        "字段".to_string(),
        "已核对".into(),
        "错误".into(),
        "准确率".into(),
        "95% 置信区间".into(),
        "未判定".into(),
    ]];
    for f in &score.fields {
        rows.push(vec![
            f.header.clone(),
            f.accuracy.checked.to_string(),
            f.accuracy.wrong.to_string(),
            pct(f.accuracy.accuracy),
            interval(&f.accuracy),
            f.unjudged.to_string(),
        ]);
    }
    for line in table(&rows) {
        shell.line(format!("  {line}"))?;
    }
    if let (Some(t), Some(meets)) = (score.threshold, score.meets_threshold) {
        shell.line(format!(
            "准确率阈值 {}: {}",
            pct(t),
            if meets { "达到" } else { "未达到" }
        ))?;
    }
    if let (Some(a), Some(accepted)) = (&plan.aql, score.aql_accepted) {
        shell.line(format!(
            "GB/T 2828.1 AQL {} (n={}, Ac {}, Re {}): {}",
            aql::format_aql(a.aql),
            plan.size,
            plan.ac,
            plan.re,
            if accepted { "接收" } else { "拒收" }
        ))?;
    }
    if !score.errors.is_empty() {
        shell.line(format!("发现的错误 ({} 处):", score.errors.len()))?;
        for e in &score.errors {
            let place = match e.row {
                Some(row) => format!("{} 第 {row} 行", e.file),
                None => e.file.clone(),
            };
            let what = match &e.field {
                Some(field) => format!("{field}: 已载入 \"{}\", 源文件 \"{}\"", e.loaded, e.source),
                None => "整条记录判为错误".to_string(),
            };
            let remark = if e.remark.is_empty() {
                String::new()
            } else {
                format!("; 备注: {}", e.remark)
            };
            shell.line(format!(
                "  抽样表第 {} 行 (记录ID {}, {place}) {what}{remark}",
                e.line, e.id
            ))?;
        }
    }
    if let Some(json) = &args.json {
        crmkit_audit::score::write_json(&score, json)
            .with_context(|| format!("could not write {}", json.display()))?;
    }
    shell.line(if score.passed {
        "结论: 通过"
    } else {
        "结论: 不通过"
    })?;
    Ok(if score.passed {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
