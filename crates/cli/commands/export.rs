//! `crmkit export --db URL --table T -o FILE.xlsx|csv [--mask] [--mask-rules FILE]`

use anyhow::{Context, Result};

use crmkit_core::mask::MaskRules;
use crmkit_load::export;
use crmkit_load::url::DbUrl;

use super::ExitStatus;
use crate::args::ExportArgs;
use crate::shell::Shell;

pub fn run(args: ExportArgs, shell: &mut Shell) -> Result<ExitStatus> {
    let url = DbUrl::parse(&args.db)?;
    // Refuse a bad output and broken rules before connecting.
    export::check_output(&args.output, &url)?;
    let rules = match (&args.mask_rules, args.mask) {
        (Some(path), _) => Some(MaskRules::load(path)?),
        (None, true) => Some(MaskRules::builtin()?),
        (None, false) => None,
    };
    let mut db = export::open(&url)?;
    let exported = export::export(&mut db, &url.masked(), &args.table, rules.as_ref())?;
    export::write(&args.output, &exported)
        .with_context(|| format!("could not write {}", args.output.display()))?;
    let changed: Vec<String> = exported
        .masked
        .iter()
        .filter(|m| m.changed > 0)
        .map(|m| format!("{} ({}, {} 个值)", m.header, m.method.as_str(), m.changed))
        .collect();
    let masking = match &rules {
        None => "未脱敏 (加 --mask 隐藏手机号、姓名、身份证号和邮箱)".to_string(),
        Some(rules) if changed.is_empty() => format!(
            "已按 {} 脱敏: 没有需要遮盖的值 (检查了 {} 列)",
            rules.origin,
            exported.masked.len()
        ),
        Some(rules) => format!(
            "已按 {} 脱敏 {} 列: {}",
            rules.origin,
            changed.len(),
            changed.join(", ")
        ),
    };
    shell.status(format!(
        "已导出 {} ({}) {} 行到 {}; {}",
        exported.table,
        exported.title,
        exported.rows.len(),
        args.output.display(),
        masking
    ))?;
    Ok(ExitStatus::Success)
}
