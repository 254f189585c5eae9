//! The pipeline file: what to read, which steps run, the gates, where the database and the run
//! directories are. Parsed and checked whole before anything runs; a mistake names the file and
//! the key (`pipeline.toml: sources[1].template: 没有模板 "custmer"; ...`).
//!
//! ```toml
//! name = "华远迁移"
//! database = "sqlite:crm.db"        # or postgres://user@host/db; relative to this file
//! runs = "runs"                     # one directory per run is made here
//!
//! [[sources]]
//! template = "customer"
//! files = ["客户*.xlsx"]            # files or globs, relative to this file
//!
//! [steps]                           # each on unless switched off
//! dedupe = true
//!
//! [gates]
//! max_error_rate = { default = 0.05, followup = 0.10 }   # or one number for all
//! min_audit_accuracy = 0.98
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crmkit_core::dates::Date;
use crmkit_core::template::Template;

use crate::error::{Error, Result};

/// A parsed, checked pipeline file. Paths are resolved against the file's directory.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The pipeline file.
    pub path: PathBuf,
    /// A name for people and the run report.
    pub name: String,
    /// The database URL (`sqlite:` paths resolved against the pipeline file).
    pub database: String,
    /// Where run directories are made.
    pub runs: PathBuf,
    /// A rules directory replacing the built-in rules.
    pub rules: Option<PathBuf>,
    /// The date rules take as today (the system date when not given).
    pub today: Option<Date>,
    /// Convert traditional characters in company names to simplified.
    pub simplified: bool,
    /// What to read.
    pub sources: Vec<Source>,
    /// Which steps run.
    pub steps: Steps,
    /// The gates.
    pub gates: Gates,
    /// Dedupe settings.
    pub dedupe: Dedupe,
    /// Load settings.
    pub load: Load,
    /// Audit settings.
    pub audit: Audit,
    /// Profile settings.
    pub profile: Profile,
}

/// Files of one template.
#[derive(Debug, Clone)]
pub struct Source {
    /// The template.
    pub template: Template,
    /// The patterns as written (for messages).
    pub patterns: Vec<String>,
    /// The patterns resolved against the pipeline file's directory.
    pub globs: Vec<String>,
    /// The sheet to read.
    pub sheet: Option<String>,
    /// The text encoding (`gbk`, `utf-8`, ...), detected when not given.
    pub encoding: Option<String>,
    /// The delimiter of text files, detected when not given.
    pub delimiter: Option<u8>,
}

/// Which steps run. Import always runs: everything else reads what it produced.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Steps {
    /// Repair values into canonical form (off: values are loaded as written).
    pub clean: bool,
    /// Check values against the rules; rows with errors are rejected (off: nothing is).
    pub validate: bool,
    /// Merge duplicates into golden records, within the batch and against the database.
    pub dedupe: bool,
    /// Write to the database.
    pub load: bool,
    /// Draw an audit sample.
    pub audit: bool,
    /// Write the data-quality profile.
    pub profile: bool,
}

/// Limits that stop a run before it loads.
#[derive(Debug, Clone, Serialize)]
pub struct Gates {
    /// Largest share of rows with errors, per template (`default` for the others).
    pub max_error_rate: BTreeMap<String, f64>,
    /// Largest share of rows the load itself rejects (unknown customers, conflicts). Checked
    /// after the load: the rejected rows are not written, the run ends with exit 1.
    pub max_reject_rate: f64,
    /// Smallest record accuracy of the checked audit workbook (`audit.checked`).
    pub min_audit_accuracy: Option<f64>,
}

impl Gates {
    /// The error-rate limit of a template.
    pub fn max_error_rate(&self, template: &str) -> f64 {
        self.max_error_rate
            .get(template)
            .or_else(|| self.max_error_rate.get("default"))
            .copied()
            .unwrap_or(0.0)
    }
}

/// Dedupe settings.
#[derive(Debug, Clone)]
pub struct Dedupe {
    /// The templates to deduplicate (those with dedupe rules when not given).
    pub templates: Option<Vec<String>>,
    /// Also match against what the database already holds.
    pub against_database: bool,
    /// A dedupe rules file replacing the built-in one.
    pub rules: Option<PathBuf>,
    /// A reviewer's decisions (a review sheet from an earlier run, filled in).
    pub decisions: Option<PathBuf>,
    /// Deduplicate in partitions of at most this many records (0: one pass over everything);
    /// see `crmkit_core::dedupe::partition`.
    pub partition_size: usize,
}

/// Load settings.
#[derive(Debug, Clone)]
pub struct Load {
    /// Update existing records (`upsert`) or refuse them (`insert`).
    pub mode: crmkit_load::load::Mode,
    /// Rows per transaction.
    pub batch_size: usize,
}

/// Audit settings: which table is sampled and how.
#[derive(Debug, Clone)]
pub struct Audit {
    /// The template sampled (the first source's when not given).
    pub template: Option<String>,
    /// The sampling plan (size, fraction or GB/T 2828.1 AQL and level; strata; threshold).
    pub plan: crmkit_audit::PlanSpec,
    /// The seed; random (and recorded) when not given.
    pub seed: Option<u64>,
    /// Accuracy the audit must reach.
    pub threshold: f64,
    /// A workbook a person has checked, scored for the `min_audit_accuracy` gate.
    pub checked: Option<PathBuf>,
}

/// Profile settings.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Threshold rules (per-column minimums).
    pub rules: Option<PathBuf>,
}

// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    name: Option<String>,
    database: Option<String>,
    runs: Option<String>,
    rules: Option<String>,
    today: Option<String>,
    #[serde(default)]
    simplified: bool,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    steps: RawSteps,
    #[serde(default)]
    gates: RawGates,
    #[serde(default)]
    dedupe: RawDedupe,
    #[serde(default)]
    load: RawLoad,
    #[serde(default)]
    audit: RawAudit,
    #[serde(default)]
    profile: RawProfile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    template: String,
    files: OneOrMany,
    sheet: Option<String>,
    encoding: Option<String>,
    delimiter: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSteps {
    #[serde(default = "yes")]
    clean: bool,
    #[serde(default = "yes")]
    validate: bool,
    #[serde(default = "yes")]
    dedupe: bool,
    #[serde(default = "yes")]
    load: bool,
    #[serde(default = "yes")]
    audit: bool,
    #[serde(default = "yes")]
    profile: bool,
}

impl Default for RawSteps {
    fn default() -> Self {
        RawSteps {
            clean: true,
            validate: true,
            dedupe: true,
            load: true,
            audit: true,
            profile: true,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGates {
    max_error_rate: Option<Rate>,
    max_reject_rate: Option<f64>,
    min_audit_accuracy: Option<f64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Rate {
    All(f64),
    Each(BTreeMap<String, f64>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDedupe {
    templates: Option<Vec<String>>,
    against_database: Option<bool>,
    rules: Option<String>,
    decisions: Option<String>,
    /// Any TOML value, checked below so a mistake gets a message with an example.
    partition_size: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLoad {
    mode: Option<String>,
    batch_size: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    template: Option<String>,
    size: Option<usize>,
    fraction: Option<f64>,
    strata: Option<String>,
    aql: Option<AqlValue>,
    level: Option<String>,
    seed: Option<u64>,
    threshold: Option<f64>,
    checked: Option<String>,
}

/// `aql = 1.0` or `aql = "1.0"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum AqlValue {
    Number(f64),
    Text(String),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    rules: Option<String>,
}

impl Pipeline {
    /// Reads and checks a pipeline file.
    pub fn load(path: &Path) -> Result<Pipeline> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            file: path.display().to_string(),
            key: "(file)".into(),
            message: format!("无法读取: {e}"),
        })?;
        Pipeline::parse(&text, path)
    }

    /// Parses and checks a pipeline file's text; `path` locates relative paths and messages.
    pub fn parse(text: &str, path: &Path) -> Result<Pipeline> {
        let file = path.display().to_string();
        let raw: RawPipeline =
            crmkit_core::rules::parse_toml(text, &file).map_err(|e| match e {
                crmkit_core::Error::InvalidTemplate { file, key, message } => {
                    Error::Config { file, key, message }
                }
                other => Error::Core(Box::new(other)),
            })?;
        let bad = |key: &str, message: String| Error::Config {
            file: file.clone(),
            key: key.to_string(),
            message,
        };
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let resolve = |p: &str| -> PathBuf {
            let p = Path::new(p);
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };

        let database = raw.database.unwrap_or_else(|| "sqlite:crm.db".to_string());
        let database = match database.strip_prefix("sqlite:") {
            Some(p) if !p.is_empty() => format!("sqlite:{}", resolve(p).display()),
            _ => database,
        };
        crmkit_load::url::DbUrl::parse(&database).map_err(|e| bad("database", e.to_string()))?;

        let rules = raw.rules.as_deref().map(resolve);
        if let Some(dir) = &rules {
            if !dir.is_dir() {
                return Err(bad(
                    "rules",
                    format!(
                        "规则目录 {} 不存在; 应为含 customer.toml 等规则文件的目录, 例如 rules = \"rules\"",
                        dir.display()
                    ),
                ));
            }
        }
        let today = match raw.today.as_deref() {
            None => None,
            Some(text) => match crmkit_core::dates::parse(text) {
                Ok((date, None)) => Some(date),
                _ => {
                    return Err(bad(
                        "today",
                        format!(
                            "应为日期 YYYY-MM-DD, 例如 today = \"2026-11-22\"; 实际为 \"{text}\""
                        ),
                    ))
                }
            },
        };

        if raw.sources.is_empty() {
            return Err(bad(
                "sources",
                "没有数据来源; 至少写一个 [[sources]], 例如 template = \"customer\" 和 files = [\"客户.xlsx\"]".into(),
            ));
        }
        let mut sources = Vec::new();
        for (i, s) in raw.sources.into_iter().enumerate() {
            let key = |k: &str| format!("sources[{i}].{k}");
            let template =
                Template::resolve(&s.template).map_err(|e| bad(&key("template"), e.to_string()))?;
            let patterns = match s.files {
                OneOrMany::One(p) => vec![p],
                OneOrMany::Many(p) => p,
            };
            if patterns.is_empty() {
                return Err(bad(
                    &key("files"),
                    "没有文件; 写文件名或通配符, 例如 files = [\"客户*.xlsx\"]".into(),
                ));
            }
            let mut globs = Vec::new();
            for p in &patterns {
                let full = resolve(p).display().to_string();
                glob::Pattern::new(&full)
                    .map_err(|e| bad(&key("files"), format!("\"{p}\" 不是有效的通配符: {e}")))?;
                globs.push(full);
            }
            if let Some(encoding) = &s.encoding {
                if !crmkit_core::read::is_known_encoding(encoding) {
                    return Err(bad(
                        &key("encoding"),
                        format!("不认识的编码 \"{encoding}\"; 例如 gbk, gb18030, utf-8, big5"),
                    ));
                }
            }
            let delimiter = match s.delimiter.as_deref() {
                None => None,
                Some("\\t" | "tab") => Some(b'\t'),
                Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
                Some(d) => {
                    return Err(bad(
                        &key("delimiter"),
                        format!(
                            "分隔符应为一个字符, 例如 \",\" \";\" \"|\" 或 \"tab\"; 实际为 \"{d}\""
                        ),
                    ))
                }
            };
            sources.push(Source {
                template,
                patterns,
                globs,
                sheet: s.sheet,
                encoding: s.encoding,
                delimiter,
            });
        }
        let templates: Vec<&str> = sources.iter().map(|s| s.template.name.as_str()).collect();

        let share = |key: &str, v: f64| -> Result<f64> {
            if (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(bad(
                    key,
                    format!("应为 0 到 1 之间的比例, 例如 0.05 表示 5%; 实际为 {v}"),
                ))
            }
        };
        let mut max_error_rate = BTreeMap::new();
        match raw.gates.max_error_rate {
            None => {}
            Some(Rate::All(v)) => {
                max_error_rate.insert("default".into(), share("gates.max_error_rate", v)?);
            }
            Some(Rate::Each(map)) => {
                for (t, v) in map {
                    let key = format!("gates.max_error_rate.{t}");
                    if t != "default" && !templates.contains(&t.as_str()) {
                        return Err(bad(
                            &key,
                            format!(
                                "没有模板为 {t} 的数据来源; 可用: default, {}",
                                templates.join(", ")
                            ),
                        ));
                    }
                    max_error_rate.insert(t, share(&key, v)?);
                }
            }
        }
        let gates = Gates {
            max_error_rate,
            max_reject_rate: share(
                "gates.max_reject_rate",
                raw.gates.max_reject_rate.unwrap_or(0.0),
            )?,
            min_audit_accuracy: raw
                .gates
                .min_audit_accuracy
                .map(|v| share("gates.min_audit_accuracy", v))
                .transpose()?,
        };

        let known = |key: &str, t: &str| -> Result<()> {
            if templates.contains(&t) {
                Ok(())
            } else {
                Err(bad(
                    key,
                    format!("没有模板为 {t} 的数据来源; 可用: {}", templates.join(", ")),
                ))
            }
        };
        if let Some(list) = &raw.dedupe.templates {
            for (i, t) in list.iter().enumerate() {
                known(&format!("dedupe.templates[{i}]"), t)?;
            }
        }
        let existing_file = |key: &str, p: Option<String>| -> Result<Option<PathBuf>> {
            match p {
                None => Ok(None),
                Some(p) => {
                    let full = resolve(&p);
                    if full.is_file() {
                        Ok(Some(full))
                    } else {
                        Err(bad(key, format!("文件 {} 不存在", full.display())))
                    }
                }
            }
        };
        let dedupe = Dedupe {
            templates: raw.dedupe.templates,
            against_database: raw.dedupe.against_database.unwrap_or(true),
            rules: existing_file("dedupe.rules", raw.dedupe.rules)?,
            decisions: existing_file("dedupe.decisions", raw.dedupe.decisions)?,
            partition_size: match raw.dedupe.partition_size {
                None => 0,
                Some(value) => value
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        bad(
                            "dedupe.partition_size",
                            format!(
                                "应为正整数 (每个分区最多的记录数), 例如 partition_size = 200000; 0 表示不分区; 实际为 {value}"
                            ),
                        )
                    })?,
            },
        };

        let load = Load {
            mode: match raw.load.mode.as_deref().unwrap_or("upsert") {
                "upsert" => crmkit_load::load::Mode::Upsert,
                "insert" => crmkit_load::load::Mode::Insert,
                other => {
                    return Err(bad(
                        "load.mode",
                        format!(
                        "应为 \"upsert\" (更新已有记录) 或 \"insert\" (只新增); 实际为 \"{other}\""
                    ),
                    ))
                }
            },
            batch_size: match raw.load.batch_size {
                Some(0) => return Err(bad("load.batch_size", "应为正整数, 例如 50000".into())),
                Some(n) => n,
                None => 50_000,
            },
        };

        let a = raw.audit;
        if let Some(t) = &a.template {
            known("audit.template", t)?;
        }
        let plans = [a.size.is_some(), a.fraction.is_some(), a.aql.is_some()]
            .iter()
            .filter(|&&x| x)
            .count();
        if plans > 1 {
            return Err(bad(
                "audit",
                "size, fraction 和 aql 只能选一个; 例如 size = 100 或 aql = 1.0".into(),
            ));
        }
        if a.size == Some(0) {
            return Err(bad("audit.size", "应为正整数, 例如 100".into()));
        }
        if let Some(f) = a.fraction {
            if !(f > 0.0 && f <= 1.0) {
                return Err(bad(
                    "audit.fraction",
                    format!("应为 0 到 1 之间的比例, 例如 0.1 表示抽 10%; 实际为 {f}"),
                ));
            }
        }
        let level = a.level.unwrap_or_else(|| "II".to_string());
        let Some(level) = crmkit_audit::aql::Level::parse(&level) else {
            return Err(bad(
                "audit.level",
                format!("检验水平应为 I, II, III 或 S-1 到 S-4 (通常 II); 实际为 \"{level}\""),
            ));
        };
        let threshold = share("audit.threshold", a.threshold.unwrap_or(0.98))?;
        let size = match (a.aql, a.fraction, a.size) {
            (Some(v), _, _) => {
                let text = match v {
                    AqlValue::Number(n) => format!("{n}"),
                    AqlValue::Text(t) => t,
                };
                let aql = text
                    .parse::<f64>()
                    .ok()
                    .filter(|v| crmkit_audit::aql::AQLS.iter().any(|a| (a - v).abs() < 1e-9))
                    .ok_or_else(|| {
                        bad(
                            "audit.aql",
                            format!(
                                "AQL 应为 GB/T 2828.1 的优先值之一, 如 0.65, 1.0, 1.5, 2.5; 实际为 \"{text}\""
                            ),
                        )
                    })?;
                crmkit_audit::Size::Aql { aql, level }
            }
            (None, Some(f), _) => crmkit_audit::Size::Fraction(f),
            (None, None, Some(n)) => crmkit_audit::Size::Count(n),
            (None, None, None) => crmkit_audit::Size::Count(100),
        };
        let checked = existing_file("audit.checked", a.checked)?;
        if gates.min_audit_accuracy.is_some() && checked.is_none() {
            return Err(bad(
                "gates.min_audit_accuracy",
                "需要一份人工核对过的抽样工作簿: 在 [audit] 中写 checked = \"audit-checked.xlsx\" (先用 --dry-run 生成抽样工作簿, 核对后保存)".into(),
            ));
        }
        let audit = Audit {
            template: a.template,
            plan: crmkit_audit::PlanSpec {
                size,
                strata: a.strata,
                threshold: Some(threshold),
            },
            seed: a.seed,
            threshold,
            checked,
        };
        let profile = Profile {
            rules: existing_file("profile.rules", raw.profile.rules)?,
        };
        let name = raw.name.unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "pipeline".into())
        });
        Ok(Pipeline {
            path: path.to_path_buf(),
            name,
            database,
            runs: resolve(raw.runs.as_deref().unwrap_or("runs")),
            rules,
            today,
            simplified: raw.simplified,
            sources,
            steps: Steps {
                clean: raw.steps.clean,
                validate: raw.steps.validate,
                dedupe: raw.steps.dedupe,
                load: raw.steps.load,
                audit: raw.steps.audit,
                profile: raw.steps.profile,
            },
            gates,
            dedupe,
            load,
            audit,
            profile,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Pipeline> {
        Pipeline::parse(text, Path::new("/tmp/p/pipeline.toml"))
    }

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    const MINIMAL: &str = "[[sources]]\ntemplate = \"customer\"\nfiles = \"c.xlsx\"\n";

    #[test]
    fn minimal_file_takes_defaults_and_resolves_paths() {
        let p = parse(MINIMAL).unwrap();
        assert_eq!(p.database, "sqlite:/tmp/p/crm.db");
        assert_eq!(p.runs, Path::new("/tmp/p/runs"));
        assert_eq!(p.sources[0].globs, vec!["/tmp/p/c.xlsx".to_string()]);
        assert!(p.steps.clean && p.steps.dedupe && p.steps.load && p.steps.audit);
        assert_eq!(p.gates.max_error_rate("customer"), 0.0);
        assert_eq!(p.load.batch_size, 50_000);
        assert_eq!(p.audit.threshold, 0.98);
        assert_eq!(p.name, "pipeline");
        assert_eq!(p.dedupe.partition_size, 0, "one pass unless asked");
    }

    #[test]
    fn partition_size_is_a_count_of_records() {
        let p = parse(&format!("{MINIMAL}[dedupe]\npartition_size = 200000\n")).unwrap();
        assert_eq!(p.dedupe.partition_size, 200_000);
        let m = message(&format!("{MINIMAL}[dedupe]\npartition_size = -1\n"));
        assert!(m.contains("/tmp/p/pipeline.toml"), "{m}");
        assert!(m.contains("dedupe.partition_size"), "{m}");
        assert!(m.contains("partition_size = 200000"), "an example: {m}");
    }

    #[test]
    fn error_rates_per_template_and_default() {
        let p = parse(&format!(
            "{MINIMAL}[[sources]]\ntemplate = \"followup\"\nfiles = [\"f.csv\"]\n[gates]\nmax_error_rate = {{ default = 0.1, customer = 0.02 }}\n"
        ))
        .unwrap();
        assert_eq!(p.gates.max_error_rate("customer"), 0.02);
        assert_eq!(p.gates.max_error_rate("followup"), 0.1);
        let p = parse(&format!("{MINIMAL}[gates]\nmax_error_rate = 0.05\n")).unwrap();
        assert_eq!(p.gates.max_error_rate("customer"), 0.05);
    }

    #[test]
    fn mistakes_name_the_file_and_the_key() {
        let cases = [
            (format!("{MINIMAL}[steps]\ndedup = false\n"), "steps.dedup"),
            (
                "[[sources]]\ntemplate = \"custmer\"\nfiles = \"c.xlsx\"\n".to_string(),
                "sources[0].template",
            ),
            (
                format!("{MINIMAL}[gates]\nmax_error_rate = 5\n"),
                "gates.max_error_rate",
            ),
            (
                format!("{MINIMAL}[gates]\nmax_error_rate = {{ lead = 0.1 }}\n"),
                "gates.max_error_rate.lead",
            ),
            (format!("{MINIMAL}[load]\nmode = \"merge\"\n"), "load.mode"),
            (
                format!("{MINIMAL}[load]\nbatch_size = 0\n"),
                "load.batch_size",
            ),
            (
                format!("{MINIMAL}[audit]\nsize = 100\naql = 1.0\n"),
                "audit",
            ),
            (
                format!("{MINIMAL}[gates]\nmin_audit_accuracy = 0.98\n"),
                "gates.min_audit_accuracy",
            ),
            (format!("database = \"mysql://x\"\n{MINIMAL}"), "database"),
            (format!("today = \"yesterday\"\n{MINIMAL}"), "today"),
            ("name = \"x\"\n".to_string(), "sources"),
            (
                "[[sources]]\ntemplate = \"customer\"\nfiles = []\n".to_string(),
                "sources[0].files",
            ),
            (
                format!("{MINIMAL}encoding = \"klingon\"\n"),
                "sources[0].encoding",
            ),
            (
                format!("{MINIMAL}[dedupe]\nrules = \"missing.toml\"\n"),
                "dedupe.rules",
            ),
            (
                format!("{MINIMAL}[dedupe]\npartition_size = -5\n"),
                "dedupe.partition_size",
            ),
            (
                format!("{MINIMAL}[dedupe]\npartition_size = \"big\"\n"),
                "dedupe.partition_size",
            ),
            (
                format!("{MINIMAL}[dedupe]\npartition_size = 1.5\n"),
                "dedupe.partition_size",
            ),
            ("[[sources]\n".to_string(), "(syntax)"),
        ];
        for (text, key) in cases {
            let m = message(&text);
            assert!(m.contains("/tmp/p/pipeline.toml"), "{m}");
            assert!(m.contains(key), "{key}: {m}");
        }
    }
}
