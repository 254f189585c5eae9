//! `crmkit profile INPUT --template T -o report.html [--json FILE] [--before RAW]
//! [--clusters FILE] [--rules FILE]`

use std::path::Path;

use anyhow::{bail, Context, Result};

use crmkit_core::dates::Date;
use crmkit_core::template::Template;
use crmkit_core::validate::RunOptions;
use crmkit_profile::thresholds::percent;
use crmkit_profile::{ClusterSizes, Profile, Report, Thresholds};

use super::ExitStatus;
use crate::args::ProfileArgs;
use crate::shell::{table, Shell};

pub fn run(args: ProfileArgs, shell: &mut Shell) -> Result<ExitStatus> {
    let input = &args.source.input;
    check_extension(&args.output, &["html", "htm"], "report.html")?;
    let mut outputs: Vec<(&Path, &[&str])> = vec![(&args.output, &["html", "htm"])];
    if let Some(json) = &args.json {
        check_extension(json, &["json"], "profile.json")?;
        outputs.push((json, &["json"]));
    }
    // No output may overwrite an input: INPUT, the --before file or the clusters file.
    for read in [Some(input), args.before.as_ref(), args.clusters.as_ref()]
        .into_iter()
        .flatten()
    {
        crmkit_core::write::check_outputs(read, &outputs)?;
    }

    // The thresholds are checked against the template before anything is read.
    let template = Template::resolve(&args.source.template)?;
    let thresholds = match (&args.rules, &args.rules_dir) {
        (Some(path), _) => Thresholds::load(path)?,
        (None, Some(dir)) if dir.join("profile.toml").is_file() => {
            Thresholds::load(&dir.join("profile.toml"))?
        }
        _ => Thresholds::builtin()?,
    };
    thresholds.for_template(&template)?;

    let today = match &args.today {
        Some(text) => match crmkit_core::dates::parse(text) {
            Ok((date, None)) => date,
            _ => bail!("--today: 应为 YYYY-MM-DD (例如 2024-06-15), 实际为 `{text}`"),
        },
        None => Date::today(),
    };
    let options = RunOptions {
        import: args.source.import_options(),
        rules_dir: args.rules_dir.clone(),
        today: Some(today),
        ..Default::default()
    };
    let profile = crmkit_profile::profile_file(input, &template, &options)?;
    let before = match &args.before {
        Some(path) => {
            let options = RunOptions {
                import: Default::default(),
                ..options.clone()
            };
            Some(
                crmkit_profile::profile_file(path, &template, &options)
                    .with_context(|| format!("--before {}", path.display()))?,
            )
        }
        None => None,
    };
    let clusters = match &args.clusters {
        Some(path) => Some(ClusterSizes::load(path)?),
        None => None,
    };
    let alerts = crmkit_profile::check(&profile, &thresholds);

    crmkit_profile::write_html(
        &args.output,
        &profile,
        before.as_ref(),
        clusters.as_ref(),
        &alerts,
    )?;
    render(&profile, before.as_ref(), shell)?;
    if let Some(c) = &clusters {
        shell.line(format!(
            "去重簇: 记录 {} 条, 实体 {} 个; 簇大小 {}",
            c.records,
            c.entities,
            c.sizes
                .iter()
                .map(|b| format!("{}:{}", b.size, b.count))
                .collect::<Vec<_>>()
                .join(" ")
        ))?;
    }
    if !profile.missing_required.is_empty() {
        shell.error(format!(
            "{}: 缺少必填列 {}; 未做校验 (有效率未知), 这些列的完整率按 0 计",
            profile.file,
            profile.missing_required.join(", ")
        ))?;
    }
    for alert in &alerts {
        shell.error(format!("阈值 ({}): {}", thresholds.origin, alert.message))?;
    }
    let json = args.json.as_ref();
    let report = Report::new(profile, before, clusters, alerts);
    if let Some(path) = json {
        crmkit_profile::write_json(path, &report)?;
    }
    shell.status(format!(
        "已写入 {}{}",
        args.output.display(),
        json.map(|p| format!(" 和 {}", p.display()))
            .unwrap_or_default()
    ))?;
    Ok(
        if report.alerts.is_empty() && report.profile.missing_required.is_empty() {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        },
    )
}

fn check_extension(path: &Path, allowed: &[&str], example: &str) -> Result<()> {
    let extension = crmkit_core::read::extension(path);
    if !allowed.contains(&extension.as_str()) {
        bail!(
            "{}: 不支持的输出文件类型 `{extension}`; 应为 .{} (例如 {example})",
            path.display(),
            allowed.join(" 或 .")
        );
    }
    Ok(())
}

/// The per-column table and the score, on stdout.
fn render(profile: &Profile, before: Option<&Profile>, shell: &mut Shell) -> Result<()> {
    let sheet = profile
        .sheet
        .as_ref()
        .map(|s| format!(" [{s}]"))
        .unwrap_or_default();
    shell.line(format!(
        "画像 {}{sheet}: 模板 {} {}, 数据 {} 行",
        profile.file, profile.template, profile.title, profile.rows
    ))?;
    if let Some(b) = before {
        shell.line(format!("对比 {}: 数据 {} 行", b.file, b.rows))?;
    }
    shell.line("")?;
    let mut rows = vec![
        ["列", "字段", "完整率", "有效率", "唯一率", "不同值", "重复"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    ];
    for c in &profile.columns {
        if c.input_header.is_none() && !c.required {
            continue;
        }
        rows.push(vec![
            c.letter.clone().unwrap_or_else(|| "-".into()),
            c.header.clone(),
            if c.input_header.is_some() {
                percent(c.completeness)
            } else {
                "缺列".into()
            },
            c.validity.map_or_else(|| "-".into(), percent),
            c.uniqueness.map_or_else(|| "-".into(), percent),
            c.distinct.to_string(),
            c.duplicates.to_string(),
        ]);
    }
    for line in table(&rows) {
        shell.line(format!("  {line}"))?;
    }
    shell.line("")?;
    let earlier = before
        .map(|b| format!(" (之前 {})", percent(b.score)))
        .unwrap_or_default();
    shell.line(format!("总分 {}{earlier}", percent(profile.score)))?;
    Ok(())
}
