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

/// `0.953` → `95.3%`. A share just below 100% (or just above 0) never shows as `100.0%`
/// (`0.0%`): `99.97%`, `0.01%`.
pub fn percent(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        return format!("{p:.0}%");
    }
    match format!("{p:.1}").as_str() {
        "100.0" => format!("{:.2}%", (p * 100.0).floor() / 100.0),
        "0.0" => format!("{:.2}%", (p * 100.0).ceil() / 100.0),
        one => format!("{one}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::{check, percent, Thresholds};
    use crate::profile::{ColumnProfile, Profile};
    use crmkit_core::template::Template;

    fn err(text: &str) -> String {
        Thresholds::parse(text, "t.toml").unwrap_err().to_string()
    }

    #[test]
    fn parses_overall_and_columns() {
        let t = Thresholds::parse(
            "[customer]\noverall = 0.9\n[customer.\"联系电话\"]\ncompleteness = 0.95\nvalidity = 1\n",
            "t.toml",
        )
        .unwrap();
        let c = &t.templates["customer"];
        assert_eq!(c.overall, Some(0.9));
        assert_eq!(c.columns["联系电话"].completeness, Some(0.95));
        assert_eq!(c.columns["联系电话"].validity, Some(1.0));
        assert_eq!(c.columns["联系电话"].uniqueness, None);
        Thresholds::builtin().unwrap();
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert!(err("[customer.mobile]\nfilled = 0.9\n")
            .starts_with("t.toml: customer.\"mobile\".filled: 未知的指标 `filled`"));
        assert!(
            err("[customer]\noverall = 1.5\n").starts_with("t.toml: customer.overall: 应为 0 到 1")
        );
        assert!(err("[customer]\noverall = \"90%\"\n").contains("customer.overall"));
        assert!(
            err("[customer]\nmobile = 0.9\n").starts_with("t.toml: customer.mobile: 应为 overall")
        );
        assert!(err("customer = 1\n").starts_with("t.toml: customer: 应为一个模板的表"));
        assert!(err("[customer\n").starts_with("t.toml: (syntax): "));
        let template = Template::resolve("customer").unwrap();
        let t = Thresholds::parse("[customer.\"电话\"]\nvalidity = 0.9\n", "t.toml").unwrap();
        let e = t.for_template(&template).unwrap_err().to_string();
        assert!(
            e.starts_with("t.toml: customer.\"电话\": 模板 customer 没有列 `电话`"),
            "{e}"
        );
        // By header or by key; other templates' sections are not checked against this one.
        let t = Thresholds::parse(
            "[customer.mobile]\nvalidity = 0.9\n[customer.\"客户名称\"]\nvalidity = 0.9\n[order.x]\nvalidity = 1\n",
            "t.toml",
        )
        .unwrap();
        t.for_template(&template).unwrap();
    }

    fn column(key: &str, header: &str, present: bool) -> ColumnProfile {
        ColumnProfile {
            key: key.into(),
            header: header.into(),
            input_header: present.then(|| header.to_string()),
            letter: present.then(|| "A".to_string()),
            kind: "text".into(),
            required: true,
            filled: 9,
            empty: 1,
            completeness: 0.9,
            valid: 9,
            invalid: 0,
            validity: Some(1.0),
            distinct: 9,
            duplicates: 0,
            duplicated_rows: 0,
            uniqueness: Some(1.0),
            top_values: vec![],
            lengths: vec![],
            patterns: vec![],
            distinct_patterns: 0,
            digit_counts: None,
            dates: None,
        }
    }

    #[test]
    fn alerts_for_each_breach() {
        let mut missing = column("mobile", "联系电话", false);
        missing.completeness = 0.0;
        missing.validity = None;
        missing.uniqueness = None;
        let profile = Profile {
            file: "x.csv".into(),
            sheet: None,
            template: "customer".into(),
            title: "客户信息".into(),
            rows: 10,
            score: 0.45,
            validated: true,
            missing_required: vec![],
            columns: vec![column("customer_name", "客户名称", true), missing],
        };
        let t = Thresholds::parse(
            "[customer]\noverall = 0.5\n[customer.customer_name]\ncompleteness = 0.9\nuniqueness = 1\n[customer.\"联系电话\"]\nvalidity = 0.5\n",
            "t.toml",
        )
        .unwrap();
        let alerts = check(&profile, &t);
        let got: Vec<(&str, &str)> = alerts
            .iter()
            .map(|a| (a.key.as_deref().unwrap_or("-"), a.metric.as_str()))
            .collect();
        // 0.9 ≥ 0.9 and 1 ≥ 1 are met; a missing column has no validity: 0.
        assert_eq!(got, [("-", "overall"), ("mobile", "validity")]);
        assert_eq!(alerts[0].message, "总分 45% 低于下限 50%");
        assert_eq!(
            alerts[1].message,
            "联系电话 有效率 0% 低于下限 50% (输入中没有这一列)"
        );
        assert!(check(&profile, &Thresholds::default()).is_empty());
    }

    #[test]
    fn percents() {
        assert_eq!(percent(0.95), "95%");
        assert_eq!(percent(13.0 / 16.0), "81.2%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.99967), "99.96%");
        assert_eq!(percent(0.0001), "0.01%");
    }
}
