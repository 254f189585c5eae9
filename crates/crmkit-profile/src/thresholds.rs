//! Thresholds as data: minimum completeness, validity and uniqueness per column and a minimum
//! overall score, per template, from `rules/profile.toml` (format in `rules/README.md`).
//!
//! ```toml
//! [customer]
//! overall = 0.9
//!
//! [customer."联系电话"]       # a template header or a field key
//! completeness = 0.95
//! validity = 0.98
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crmkit_core::template::Template;

use crate::profile::Profile;
use crate::{Error, Result};

/// The built-in thresholds.
const BUILTIN: &str = include_str!("../../../rules/profile.toml");

/// The metrics a column threshold may name.
pub const METRICS: &[&str] = &["completeness", "validity", "uniqueness"];

/// Minimums for one column.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ColumnThresholds {
    pub completeness: Option<f64>,
    pub validity: Option<f64>,
    pub uniqueness: Option<f64>,
}

/// Minimums for one template.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TemplateThresholds {
    /// The minimum overall score.
    pub overall: Option<f64>,
    /// Column (template header or field key, as written in the file) → its minimums.
    pub columns: BTreeMap<String, ColumnThresholds>,
}

/// A thresholds file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Thresholds {
    /// Template name → its thresholds.
    pub templates: BTreeMap<String, TemplateThresholds>,
    /// Where they came from (`rules/profile.toml` or a path), for messages.
    pub origin: String,
}

/// A breached threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The column's template header; `None` for the overall score.
    pub column: Option<String>,
    /// The field key; `None` for the overall score.
    pub key: Option<String>,
    /// `overall`, `completeness`, `validity` or `uniqueness`.
    pub metric: String,
    /// The minimum the thresholds file sets.
    pub minimum: f64,
    /// What the profile measured (0 when the column is missing or has no values).
    pub actual: f64,
    /// For people, in Chinese.
    pub message: String,
}

impl Thresholds {
    /// The built-in thresholds, `rules/profile.toml`.
    pub fn builtin() -> Result<Thresholds> {
        Thresholds::parse(BUILTIN, "rules/profile.toml")
    }

    /// Loads a thresholds file.
    pub fn load(path: &Path) -> Result<Thresholds> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| crmkit_core::Error::io(path, "read profile thresholds", e))?;
        Thresholds::parse(&text, &path.display().to_string())
    }

    /// Parses thresholds text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Thresholds> {
        let bad = |key: String, message: String| Error::Thresholds {
            file: origin.to_string(),
            key,
            message,
        };
        let table: toml::Table =
            toml::from_str(text).map_err(|e| bad("(syntax)".into(), e.message().to_string()))?;
        let mut templates = BTreeMap::new();
        for (name, value) in table {
            let toml::Value::Table(entries) = value else {
                return Err(bad(
                    name.clone(),
                    format!("应为一个模板的表, 例如 [{name}] 下写 overall = 0.9"),
                ));
            };
            let mut t = TemplateThresholds::default();
            for (key, value) in entries {
                let path = format!("{name}.{key}");
                match value {
                    toml::Value::Table(metrics) => {
                        let mut c = ColumnThresholds::default();
                        for (metric, value) in metrics {
                            let path = format!("{name}.\"{key}\".{metric}");
                            let v = share(&value).ok_or_else(|| {
                                bad(
                                    path.clone(),
                                    format!("应为 0 到 1 之间的数, 实际为 {value} (例如 {metric} = 0.95)"),
                                )
                            })?;
                            match metric.as_str() {
                                "completeness" => c.completeness = Some(v),
                                "validity" => c.validity = Some(v),
                                "uniqueness" => c.uniqueness = Some(v),
                                _ => {
                                    return Err(bad(
                                        path,
                                        format!(
                                            "未知的指标 `{metric}`; 可用指标: {} (例如 completeness = 0.95)",
                                            METRICS.join(", ")
                                        ),
                                    ))
                                }
                            }
                        }
                        t.columns.insert(key, c);
                    }
                    value if key == "overall" => {
                        t.overall = Some(share(&value).ok_or_else(|| {
                            bad(
                                path,
                                format!("应为 0 到 1 之间的数, 实际为 {value} (例如 overall = 0.9)"),
                            )
                        })?);
                    }
                    _ => {
                        return Err(bad(
                            path,
                            format!(
                                "应为 overall = 0.9 或一列的表, 例如 [{name}.\"联系电话\"] completeness = 0.95"
                            ),
                        ))
                    }
                }
            }
            templates.insert(name, t);
        }
        Ok(Thresholds {
            templates,
            origin: origin.to_string(),
        })
    }

    /// The thresholds for `template`, checked against it: every column named must be one of its
    /// headers or field keys.
    pub fn for_template(&self, template: &Template) -> Result<TemplateThresholds> {
        let Some(t) = self.templates.get(&template.name) else {
            return Ok(TemplateThresholds::default());
        };
        for column in t.columns.keys() {
            if !template
                .fields
                .iter()
                .any(|f| &f.key == column || &f.header == column)
            {
                return Err(Error::Thresholds {
                    file: self.origin.clone(),
                    key: format!("{}.\"{column}\"", template.name),
                    message: format!(
                        "模板 {} 没有列 `{column}`; 请写模板表头或字段 key, 可用: {}",
                        template.name,
                        template
                            .fields
                            .iter()
                            .map(|f| f.header.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        Ok(t.clone())
    }
}

fn share(value: &toml::Value) -> Option<f64> {
    let v = match value {
        toml::Value::Float(f) => *f,
        toml::Value::Integer(i) => *i as f64,
        _ => return None,
    };
    (0.0..=1.0).contains(&v).then_some(v)
}

/// The thresholds `profile` breaches. Thresholds for other templates are ignored; a threshold
/// naming a column the template does not have is an error (checked by
/// [`Thresholds::for_template`], which callers run before profiling; here such a column is
/// skipped).
pub fn check(profile: &Profile, thresholds: &Thresholds) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let Some(t) = thresholds.templates.get(&profile.template) else {
        return alerts;
    };
    if let Some(minimum) = t.overall {
        if profile.score < minimum {
            alerts.push(Alert {
                column: None,
                key: None,
                metric: "overall".into(),
                minimum,
                actual: profile.score,
                message: format!(
                    "总分 {} 低于下限 {}",
                    percent(profile.score),
                    percent(minimum)
                ),
            });
        }
    }
    for (name, c) in &t.columns {
        let Some(column) = profile
            .columns
            .iter()
            .find(|p| &p.key == name || &p.header == name)
        else {
            continue;
        };
        let metrics = [
            (
                "completeness",
                "完整率",
                c.completeness,
                Some(column.completeness),
            ),
            ("validity", "有效率", c.validity, column.validity),
            ("uniqueness", "唯一率", c.uniqueness, column.uniqueness),
        ];
        for (metric, label, minimum, actual) in metrics {
            let Some(minimum) = minimum else { continue };
            let actual = actual.unwrap_or(0.0);
            if actual < minimum {
                let missing = if column.input_header.is_none() {
                    " (输入中没有这一列)"
                } else {
                    ""
                };
                alerts.push(Alert {
                    column: Some(column.header.clone()),
                    key: Some(column.key.clone()),
                    metric: metric.into(),
                    minimum,
                    actual,
                    message: format!(
                        "{} {label} {} 低于下限 {}{missing}",
                        column.header,
                        percent(actual),
                        percent(minimum)
                    ),
                });
            }
        }
    }
    alerts
}

/// `0.953` → `95.3%`.
pub fn percent(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}
