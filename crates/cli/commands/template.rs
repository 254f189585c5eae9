//! `crmkit template list | show NAME | xlsx NAME -o FILE`

use anyhow::{Context, Result};

use crmkit_core::blank;
use crmkit_core::template::Template;

use super::ExitStatus;
use crate::args::TemplateCommand;
use crate::shell::{table, Shell};

pub fn run(command: TemplateCommand, shell: &mut Shell) -> Result<ExitStatus> {
    match command {
        TemplateCommand::List => list(shell),
        TemplateCommand::Show { name } => show(&name, shell),
        TemplateCommand::Xlsx { name, output } => {
            let template = Template::resolve(&name)?;
            blank::write_blank(&output, &template)
                .with_context(|| format!("could not write the blank template `{name}`"))?;
            let dropdowns = template
                .fields
                .iter()
                .filter(|f| !f.values.is_empty())
                .count();
            shell.status(format!(
                "已写入 {}: {} {} 个字段, 其中必填 {} 个, 下拉列表 {} 个",
                output.display(),
                template.title,
                template.fields.len(),
                template.fields.iter().filter(|f| f.required).count(),
                dropdowns
            ))?;
            Ok(ExitStatus::Success)
        }
    }
}

fn list(shell: &mut Shell) -> Result<ExitStatus> {
    let mut rows = vec![vec![
        "name".to_string(),
        "表名".to_string(),
        "字段".to_string(),
        "必填".to_string(),
        "说明".to_string(),
    ]];
    for template in Template::builtins()? {
        rows.push(vec![
            template.name.clone(),
            template.title.clone(),
            template.fields.len().to_string(),
            template
                .fields
                .iter()
                .filter(|f| f.required)
                .count()
                .to_string(),
            template.description.clone(),
        ]);
    }
    for line in table(&rows) {
        shell.line(line)?;
    }
    Ok(ExitStatus::Success)
}

fn show(name: &str, shell: &mut Shell) -> Result<ExitStatus> {
    let template = Template::resolve(name)?;
    shell.line(format!(
        "{} {} ({})",
        template.name, template.title, template.origin
    ))?;
    if !template.description.is_empty() {
        shell.line(&template.description)?;
    }
    if !template.rule_sets.is_empty() {
        shell.line(format!("规则集: {}", template.rule_sets.join(", ")))?;
    }
    shell.line("")?;
    let mut rows = vec![vec![
        "列名".to_string(),
        "key".to_string(),
        "类型".to_string(),
        "必填".to_string(),
        "唯一".to_string(),
        "别名".to_string(),
    ]];
    for field in &template.fields {
        let mut kind = field.kind.to_string();
        if let Some(unit) = &field.unit {
            kind.push_str(&format!(" ({unit})"));
        }
        if let Some(max) = field.max_length {
            kind.push_str(&format!(" ≤{max}字"));
        }
        rows.push(vec![
            field.header.clone(),
            field.key.clone(),
            kind,
            if field.required { "是" } else { "" }.to_string(),
            if field.unique { "是" } else { "" }.to_string(),
            field.aliases.join(", "),
        ]);
    }
    for line in table(&rows) {
        shell.line(line)?;
    }
    let rules = crmkit_core::rules::RuleSet::for_template(
        &template,
        None,
        &[],
        crmkit_core::dates::Date::today(),
    )?;
    shell.line("")?;
    shell.line("规则 (validate / clean 检查):")?;
    let mut table_rows = vec![vec![
        "规则".to_string(),
        "字段".to_string(),
        "级别".to_string(),
        "检查".to_string(),
    ]];
    for rule in &rules.rules {
        table_rows.push(vec![
            rule.id.clone(),
            rules.template.fields[rule.field].header.clone(),
            rule.severity.as_str().to_string(),
            rule.check.describe(&rules.template),
        ]);
    }
    for line in table(&table_rows) {
        shell.line(format!("  {line}"))?;
    }
    shell.line("")?;
    shell.line("填写规范:")?;
    for field in &template.fields {
        shell.line(format!("  {} ({})", field.header, field.key))?;
        for line in blank::field_guide(field).lines() {
            shell.line(format!("    {line}"))?;
        }
        for value in &field.values {
            let mut line = format!("    - {}", value.value);
            if !value.description.is_empty() {
                line.push_str(&format!(": {}", value.description));
            }
            if !value.synonyms.is_empty() {
                line.push_str(&format!(" (也可写作 {})", value.synonyms.join("、")));
            }
            shell.line(line)?;
        }
    }
    Ok(ExitStatus::Success)
}
