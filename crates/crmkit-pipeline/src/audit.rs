//! The audit step: score a person's checked workbook (the `min_audit_accuracy` gate, before the
//! load), and draw this run's sample (`audit.xlsx`): from the database after a load, with the
//! marks a machine can judge pre-filled; from the source file otherwise (a dry run, a failed
//! gate), so the person can check the batch before it is loaded.

use std::path::Path;

use serde_json::{json, Value};

use crmkit_audit::Source;
use crmkit_core::import::ImportOptions;
use crmkit_core::read::ReadOptions;
use crmkit_load::db::Db;

use crate::config::Pipeline;
use crate::error::{Error, Result};
use crate::run::Group;

/// What the audit step did.
pub(crate) struct Outcome {
    pub template: Option<String>,
    pub status: String,
    pub counts: Value,
    pub outputs: Vec<String>,
}

impl From<crmkit_audit::Error> for Error {
    fn from(error: crmkit_audit::Error) -> Self {
        Error::Run(error.to_string())
    }
}

/// Scores a checked audit workbook: the record accuracy, and the figures for people.
pub(crate) fn score_checked(path: &Path, threshold: f64) -> Result<(f64, String)> {
    let score = crmkit_audit::score(path, Some(threshold))?;
    let r = &score.records;
    Ok((
        r.accuracy,
        format!(
            "核对 {} 条, 错误 {} 条, 95% 置信区间 {:.2}%–{:.2}%",
            r.checked,
            r.wrong,
            r.low * 100.0,
            r.high * 100.0
        ),
    ))
}

/// Draws the sample of the audited template into `audit.xlsx` in the run directory.
pub(crate) fn sample(
    p: &Pipeline,
    run_dir: &Path,
    groups: &[Group],
    inputs: &[crate::run::InputReport],
    db: Option<&mut Db>,
    label: &str,
) -> Result<Outcome> {
    let name = p
        .audit
        .template
        .clone()
        .unwrap_or_else(|| p.sources[0].template.name.clone());
    let Some(group) = groups.iter().find(|g| g.template.name == name) else {
        return Ok(Outcome {
            template: Some(name),
            status: "skipped: 本次没有这个模板的新数据".into(),
            counts: json!({}),
            outputs: vec![],
        });
    };
    let spec = &p.audit.plan;
    let path = run_dir.join("audit.xlsx");
    let (sample, origin) = match db {
        Some(db) => {
            let sample = crmkit_audit::sample(
                Source::Db {
                    db: &mut *db,
                    label,
                    table: &name,
                    read: ReadOptions::default(),
                    source_dir: None,
                },
                spec,
                p.audit.seed,
            )?;
            crmkit_audit::write_workbook(&sample, &path)?;
            let compared = crmkit_audit::compare(&path, Some((db, label)), None)?;
            crmkit_audit::write_workbook(&compared.sample, &path)?;
            let summary = json!({
                "fields_prefilled": compared.fields_prefilled,
                "records_prefilled": compared.records_prefilled,
                "fields_left": compared.fields_left,
                "records_left": compared.records_left,
            });
            (
                compared.sample,
                json!({ "from": "database", "prefilled": summary }),
            )
        }
        None => {
            let input = &inputs[group.files[0]];
            let sample = crmkit_audit::sample(
                Source::File {
                    path: Path::new(&input.path),
                    template: &group.template,
                    options: ImportOptions {
                        sheet: group.sheet.clone(),
                        read: group.read.clone(),
                    },
                },
                spec,
                p.audit.seed,
            )?;
            crmkit_audit::write_workbook(&sample, &path)?;
            (sample, json!({ "from": "file", "file": input.path }))
        }
    };
    let plan = &sample.plan;
    Ok(Outcome {
        template: Some(name),
        status: "done".into(),
        counts: json!({
            "population": plan.population,
            "size": plan.size,
            "seed": plan.seed,
            "ac": plan.ac,
            "re": plan.re,
            "threshold": plan.threshold,
            "oc": plan.oc(),
            "source": origin,
        }),
        outputs: vec!["audit.xlsx".into()],
    })
}
