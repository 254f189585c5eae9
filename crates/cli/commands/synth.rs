//! `crmkit synth -o OUT.csv|OUT.xlsx --rows N [--seed S] [--dup-rate F] [--invalid-rate F]`

use anyhow::{Context, Result};

use crmkit_core::synth::{self, Synth, SynthOptions};

use super::ExitStatus;
use crate::args::SynthArgs;
use crate::shell::Shell;

pub fn run(args: SynthArgs, shell: &mut Shell) -> Result<ExitStatus> {
    // Refuse a bad output before the work.
    synth::check_output(&args.output, args.rows)?;
    let synth = Synth::new(&SynthOptions {
        rows: args.rows,
        seed: args.seed,
        dup_rate: args.dup_rate,
        invalid_rate: args.invalid_rate,
    })?;
    let written = synth
        .write(&args.output)
        .with_context(|| format!("could not write {}", args.output.display()))?;
    let stats = synth.stats();
    shell.status(format!(
        "已生成 {} 行: {} 家企业, 其中 {} 家重复出现 (重复记录 {} 行); 易混淆的不同企业 {} 家; 含无效值 {} 行; 已写入 {} 和 {}",
        stats.rows,
        stats.entities,
        stats.entities_with_duplicates,
        stats.duplicate_rows,
        stats.lookalikes(),
        stats.invalid_rows,
        written.table.display(),
        written.truth.display()
    ))?;
    Ok(ExitStatus::Success)
}
