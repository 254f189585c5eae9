//! Rules as data: `rules/*.toml` adds checks to a template without recompiling.
//!
//! Each field type already carries its normaliser and validator ([`crate::normalize`]); a rule
//! set adds regexes, enumeration lists with synonyms, length, numeric and date ranges,
//! uniqueness within a file, cross-field rules and references to another file, each with a
//! severity. A template names the rule sets it uses (`rule_sets = ["customer"]`); `--rules FILE`
//! adds more. A broken rules file is refused with the file and the key.

use std::path::Path;

use regex::Regex;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::dates::Date;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::template::{EnumValue, FieldType, Template};

/// The built-in rule sets, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("customer", include_str!("../../../rules/customer.toml")),
    ("lead", include_str!("../../../rules/lead.toml")),
    ("followup", include_str!("../../../rules/followup.toml")),
    ("order", include_str!("../../../rules/order.toml")),
    ("ticket", include_str!("../../../rules/ticket.toml")),
];

/// Parses TOML into `T`; errors name the file and the key path (`rules[2].pattern`).
pub fn parse_toml<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    let invalid = |key: String, message: String| Error::InvalidTemplate {
        file: origin.to_string(),
        key,
        message,
    };
    let de = toml::Deserializer::parse(text).map_err(|e| {
        invalid(
            "(syntax)".into(),
            e.message().to_string() + &line_of(text, e.span()),
        )
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        invalid(
            key,
            inner.message().to_string() + &line_of(text, inner.span()),
        )
    })
}

/// ` (line N)` for a byte span in `text`, or nothing when the span is unknown.
fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: String,
    #[serde(default)]
    #[allow(dead_code)] // for people reading the file
    description: String,
    #[serde(default)]
    rules: Vec<RuleDef>,
}

/// Comparison operators for `compare` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Op {
    /// Less than.
    #[serde(rename = "<")]
    Lt,
    /// Less than or equal.
    #[serde(rename = "<=")]
    Le,
    /// Greater than.
    #[serde(rename = ">")]
    Gt,
    /// Greater than or equal.
    #[serde(rename = ">=")]
    Ge,
    /// Equal.
    #[serde(rename = "==")]
    Eq,
    /// Not equal.
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    /// The symbol, for messages.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Gt => ">",
            Op::Ge => "≥",
            Op::Eq => "=",
            Op::Ne => "≠",
        }
    }

    /// Whether `ordering` (left compared with right) satisfies the operator.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Lt => ordering == Less,
            Op::Le => ordering != Greater,
            Op::Gt => ordering == Greater,
            Op::Ge => ordering != Less,
            Op::Eq => ordering == Equal,
            Op::Ne => ordering != Equal,
        }
    }
}

/// One band of an `enum_by_range` rule: `value` is right when `min ≤ by < max`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The enumeration value.
    pub value: String,
    /// Inclusive lower bound.
    #[serde(default)]
    pub min: Option<f64>,
    /// Exclusive upper bound.
    #[serde(default)]
    pub max: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RuleDef {
    Regex {
        id: String,
        field: String,
        pattern: String,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    Length {
        id: String,
        field: String,
        #[serde(default)]
        min: Option<usize>,
        #[serde(default)]
        max: Option<usize>,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    Range {
        id: String,
        field: String,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    DateRange {
        id: String,
        field: String,
        #[serde(default)]
        min: Option<String>,
        #[serde(default)]
        max: Option<String>,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    Unique {
        id: String,
        field: String,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    Required {
        id: String,
        field: String,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    RequiredIf {
        id: String,
        field: String,
        when: String,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    Enum {
        // Names the rule in its file; findings name the field's `enum_value` check.
        #[allow(dead_code)]
        id: String,
        field: String,
        values: Vec<EnumValue>,
    },
    Compare {
        id: String,
        field: String,
        op: Op,
        other: String,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    EnumByRange {
        id: String,
        field: String,
        by: String,
        bands: Vec<Band>,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
    Reference {
        id: String,
        field: String,
        template: String,
        target: String,
        #[serde(default)]
        severity: Option<Severity>,
        #[serde(default)]
        message: Option<String>,
    },
}

/// A compiled rule, bound to a template's fields.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule's id, as reports show it.
    pub id: String,
    /// The field it checks (index into the template's fields).
    pub field: usize,
    /// How serious a breach is.
    pub severity: Severity,
    /// The message for people, when the rule file gives one.
    pub message: Option<String>,
    /// What it checks.
    pub check: Check,
    /// The file it came from.
    pub origin: String,
}

/// What a rule checks.
#[derive(Debug, Clone)]
pub enum Check {
    /// The canonical value matches a regular expression.
    Regex(Regex),
    /// The value's length in characters.
    Length {
        /// Fewest characters.
        min: Option<usize>,
        /// Most characters.
        max: Option<usize>,
    },
    /// A number within bounds (inclusive).
    Range {
        /// Lowest.
        min: Option<f64>,
        /// Highest.
        max: Option<f64>,
    },
    /// A date within bounds (inclusive).
    DateRange {
        /// Earliest.
        min: Option<Date>,
        /// Latest.
        max: Option<Date>,
    },
    /// No two rows share the value.
    Unique,
    /// The value must be present.
    Required,
    /// The value must be present when another field has one.
    RequiredIf {
        /// The other field.
        when: usize,
    },
    /// The value compared with another field's.
    Compare {
        /// The operator (this field OP other).
        op: Op,
        /// The other field.
        other: usize,
    },
    /// An enumeration value consistent with a number's bands (客户等级 by 年采购额).
    EnumByRange {
        /// The numeric field.
        by: usize,
        /// The bands.
        bands: Vec<Band>,
    },
    /// The value exists in another file of another template.
    Reference {
        /// That template's name.
        template: String,
        /// That template's field key.
        target: String,
    },
}

impl Check {
    /// What the check is, for people: `regex ^XS\d{3,}$`, `range 0–1000`, `compare ≥ 获取时间`.
    pub fn describe(&self, template: &Template) -> String {
        let header = |i: &usize| template.fields[*i].header.clone();
        let bound = |x: Option<String>| x.unwrap_or_else(|| "…".to_string());
        match self {
            Check::Regex(regex) => format!("regex {}", regex.as_str()),
            Check::Length { min, max } => format!(
                "length {}–{}",
                bound(min.map(|m| m.to_string())),
                bound(max.map(|m| m.to_string()))
            ),
            Check::Range { min, max } => format!(
                "range {}–{}",
                bound(min.map(|m| m.to_string())),
                bound(max.map(|m| m.to_string()))
            ),
            Check::DateRange { min, max } => format!(
                "date_range {} – {}",
                bound(min.map(|m| m.to_string())),
                bound(max.map(|m| m.to_string()))
            ),
            Check::Unique => "unique".to_string(),
            Check::Required => "required".to_string(),
            Check::RequiredIf { when } => format!("required_if {}", header(when)),
            Check::Compare { op, other } => format!("compare {} {}", op.symbol(), header(other)),
            Check::EnumByRange { by, bands } => {
                let bands: Vec<String> = bands
                    .iter()
                    .map(|b| {
                        format!(
                            "{} [{}, {})",
                            b.value,
                            bound(b.min.map(|m| m.to_string())),
                            bound(b.max.map(|m| m.to_string()))
                        )
                    })
                    .collect();
                format!("enum_by_range {}: {}", header(by), bands.join(", "))
            }
            Check::Reference { template, target } => format!("reference {template}.{target}"),
        }
    }
}

/// A template with its rules: the template as the rules amended it (enumeration lists,
/// required fields) and the checks to run.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The template, amended.
    pub template: Template,
    /// The rules, in file order; the template's own `required`, `unique` and `max_length` first.
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The fields to check when only the fields `keys` are wanted: those, and every field a
    /// rule on a checked field reads (its condition or the field it is compared with), as a
    /// mask over the template's fields. Keys the template does not have are ignored.
    pub fn scope(&self, keys: &[String]) -> Vec<bool> {
        let mut wanted: Vec<bool> = self
            .template
            .fields
            .iter()
            .map(|f| keys.contains(&f.key))
            .collect();
        loop {
            let mut grew = false;
            for rule in &self.rules {
                if !wanted[rule.field] {
                    continue;
                }
                let reads = match &rule.check {
                    Check::RequiredIf { when } => Some(*when),
                    Check::Compare { other, .. } => Some(*other),
                    Check::EnumByRange { by, .. } => Some(*by),
                    _ => None,
                };
                if let Some(f) = reads.filter(|&f| !wanted[f]) {
                    wanted[f] = true;
                    grew = true;
                }
            }
            if !grew {
                return wanted;
            }
        }
    }

    /// The template's own rule sets (built-in, or from `rules_dir` when given) plus `extra`
    /// rule files.
    pub fn for_template(
        template: &Template,
        rules_dir: Option<&Path>,
        extra: &[&Path],
        today: Date,
    ) -> Result<RuleSet> {
        let mut files: Vec<(String, String)> = Vec::new();
        for name in &template.rule_sets {
            let from_dir = rules_dir.map(|d| d.join(format!("{name}.toml")));
            match from_dir.filter(|p| p.exists()) {
                Some(path) => files.push((read(&path)?, path.display().to_string())),
                None => {
                    let (_, text) = BUILTIN.iter().find(|(n, _)| n == name).ok_or_else(|| {
                        Error::InvalidTemplate {
                            file: template.origin.clone(),
                            key: "rule_sets".into(),
                            message: format!(
                                "unknown rule set `{name}`; built-in: {}",
                                BUILTIN
                                    .iter()
                                    .map(|(n, _)| *n)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        }
                    })?;
                    files.push((text.to_string(), format!("rules/{name}.toml")));
                }
            }
        }
        for path in extra {
            files.push((read(path)?, path.display().to_string()));
        }
        let mut set = RuleSet {
            template: template.clone(),
            rules: implicit_rules(template),
        };
        for (text, origin) in &files {
            set.add(text, origin, today)?;
        }
        Ok(set)
    }

    /// Compiles one rules file into this set.
    pub fn add(&mut self, text: &str, origin: &str, today: Date) -> Result<()> {
        let file: RuleFile = parse_toml(text, origin)?;
        if file.name.trim().is_empty() {
            return Err(invalid(origin, "name", "a rule set needs a name".into()));
        }
        for (i, def) in file.rules.into_iter().enumerate() {
            let rule = self.compile(def, i, origin, today)?;
            if let Some(rule) = rule {
                if self.rules.iter().any(|r| r.id == rule.id) {
                    return Err(invalid(
                        origin,
                        &format!("rules[{i}].id"),
                        format!("rule id `{}` is used twice", rule.id),
                    ));
                }
                self.rules.push(rule);
            }
        }
        Ok(())
    }

    fn field(&self, key: &str, origin: &str, at: &str) -> Result<usize> {
        self.template
            .fields
            .iter()
            .position(|f| f.key == key)
            .ok_or_else(|| {
                invalid(
                    origin,
                    at,
                    format!(
                        "unknown field `{key}` in template `{}`; fields: {}",
                        self.template.name,
                        self.template
                            .fields
                            .iter()
                            .map(|f| f.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }

    fn compile(
        &mut self,
        def: RuleDef,
        i: usize,
        origin: &str,
        today: Date,
    ) -> Result<Option<Rule>> {
        let at = |key: &str| format!("rules[{i}].{key}");
        let rule = |id: String, field, severity: Option<Severity>, message, check| {
            Some(Rule {
                id,
                field,
                severity: severity.unwrap_or(Severity::Error),
                message,
                check,
                origin: origin.to_string(),
            })
        };
        Ok(match def {
            RuleDef::Regex {
                id,
                field,
                pattern,
                severity,
                message,
            } => {
                let field = self.field(&field, origin, &at("field"))?;
                let regex = Regex::new(&pattern).map_err(|e| {
                    // The parser's message spans lines (the pattern, a caret); keep its verdict.
                    let text = e.to_string();
                    let verdict = text
                        .lines()
                        .rfind(|l| !l.trim().is_empty())
                        .unwrap_or(&text);
                    invalid(
                        origin,
                        &at("pattern"),
                        format!("invalid regex `{pattern}`: {}", verdict.trim()),
                    )
                })?;
                rule(id, field, severity, message, Check::Regex(regex))
            }
            RuleDef::Length {
                id,
                field,
                min,
                max,
                severity,
                message,
            } => {
                let field = self.field(&field, origin, &at("field"))?;
                if min.is_none() && max.is_none() {
                    return Err(invalid(origin, &at("min"), "give min, max or both".into()));
                }
                rule(id, field, severity, message, Check::Length { min, max })
            }
            RuleDef::Range {
                id,
                field,
                min,
                max,
                severity,
                message,
            } => {
                let index = self.field(&field, origin, &at("field"))?;
                let kind = self.template.fields[index].kind;
                if !matches!(
                    kind,
                    FieldType::Integer | FieldType::Decimal | FieldType::Money
                ) {
                    return Err(invalid(
                        origin,
                        &at("field"),
                        format!("a range rule needs a number field; `{field}` is {kind}"),
                    ));
                }
                if [min, max].iter().flatten().any(|x| !x.is_finite()) {
                    return Err(invalid(
                        origin,
                        &at("min"),
                        "bounds must be finite numbers".into(),
                    ));
                }
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo > hi {
                        return Err(invalid(
                            origin,
                            &at("min"),
                            format!("min {lo} is above max {hi}"),
                        ));
                    }
                }
                rule(id, index, severity, message, Check::Range { min, max })
            }
            RuleDef::DateRange {
                id,
                field,
                min,
                max,
                severity,
                message,
            } => {
                let index = self.field(&field, origin, &at("field"))?;
                let kind = self.template.fields[index].kind;
                if !matches!(kind, FieldType::Date | FieldType::Datetime) {
                    return Err(invalid(
                        origin,
                        &at("field"),
                        format!(
                            "a date_range rule needs a date or datetime field; `{field}` is {kind}"
                        ),
                    ));
                }
                let bound = |text: Option<String>, key: &str| -> Result<Option<Date>> {
                    text.map(|t| {
                        resolve_date(&t, today).ok_or_else(|| {
                            invalid(
                                origin,
                                &at(key),
                                format!("expected YYYY-MM-DD, today, today+30d or today-1y; found `{t}`"),
                            )
                        })
                    })
                    .transpose()
                };
                let (min, max) = (bound(min, "min")?, bound(max, "max")?);
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo > hi {
                        return Err(invalid(
                            origin,
                            &at("min"),
                            format!("min {lo} is after max {hi}"),
                        ));
                    }
                }
                rule(id, index, severity, message, Check::DateRange { min, max })
            }
            RuleDef::Unique {
                id,
                field,
                severity,
                message,
            } => {
                let field = self.field(&field, origin, &at("field"))?;
                rule(id, field, severity, message, Check::Unique)
            }
            RuleDef::Required {
                id,
                field,
                severity,
                message,
            } => {
                let field = self.field(&field, origin, &at("field"))?;
                rule(id, field, severity, message, Check::Required)
            }
            RuleDef::RequiredIf {
                id,
                field,
                when,
                severity,
                message,
            } => {
                let field = self.field(&field, origin, &at("field"))?;
                let when = self.field(&when, origin, &at("when"))?;
                rule(id, field, severity, message, Check::RequiredIf { when })
            }
            RuleDef::Enum {
                id: _,
                field,
                values,
            } => {
                let index = self.field(&field, origin, &at("field"))?;
                if values.is_empty() {
                    return Err(invalid(origin, &at("values"), "the list is empty".into()));
                }
                let target = &mut self.template.fields[index];
                target.kind = FieldType::Enum;
                target.values = values;
                None
            }
            RuleDef::Compare {
                id,
                field,
                op,
                other,
                severity,
                message,
            } => {
                let field = self.field(&field, origin, &at("field"))?;
                let other = self.field(&other, origin, &at("other"))?;
                rule(id, field, severity, message, Check::Compare { op, other })
            }
            RuleDef::EnumByRange {
                id,
                field,
                by,
                bands,
                severity,
                message,
            } => {
                let index = self.field(&field, origin, &at("field"))?;
                let by = self.field(&by, origin, &at("by"))?;
                let values = &self.template.fields[index].values;
                for (j, band) in bands.iter().enumerate() {
                    if !values.iter().any(|v| v.value == band.value) {
                        return Err(invalid(
                            origin,
                            &format!("rules[{i}].bands[{j}].value"),
                            format!("`{}` is not a value of field `{field}`", band.value),
                        ));
                    }
                }
                rule(
                    id,
                    index,
                    severity,
                    message,
                    Check::EnumByRange { by, bands },
                )
            }
            RuleDef::Reference {
                id,
                field,
                template,
                target,
                severity,
                message,
            } => {
                let index = self.field(&field, origin, &at("field"))?;
                let other = Template::resolve(&template)
                    .map_err(|e| invalid(origin, &at("template"), e.to_string()))?;
                if other.field(&target).is_none() {
                    return Err(invalid(
                        origin,
                        &at("target"),
                        format!("unknown field `{target}` in template `{template}`"),
                    ));
                }
                rule(
                    id,
                    index,
                    severity,
                    message,
                    Check::Reference { template, target },
                )
            }
        })
    }

    /// The reference rules, for loading the files they point at.
    pub fn references(&self) -> impl Iterator<Item = (&Rule, &str, &str)> {
        self.rules.iter().filter_map(|r| match &r.check {
            Check::Reference { template, target } => Some((r, template.as_str(), target.as_str())),
            _ => None,
        })
    }
}

/// The checks a template states itself: required, unique, max_length.
fn implicit_rules(template: &Template) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (i, field) in template.fields.iter().enumerate() {
        let mut push = |id: &str, check: Check| {
            rules.push(Rule {
                id: id.to_string(),
                field: i,
                severity: Severity::Error,
                message: None,
                check,
                origin: template.origin.clone(),
            })
        };
        if field.required {
            push("required", Check::Required);
        }
        if field.unique {
            push("unique", Check::Unique);
        }
        if let Some(max) = field.max_length {
            push(
                "max_length",
                Check::Length {
                    min: None,
                    max: Some(max),
                },
            );
        }
    }
    // Ids must be unique per rule set; suffix the field key.
    for rule in &mut rules {
        rule.id = format!("{}:{}", rule.id, template.fields[rule.field].key);
    }
    rules
}

/// `YYYY-MM-DD`, `today`, `today+30d`, `today-1y`.
fn resolve_date(text: &str, today: Date) -> Option<Date> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("today") {
        if rest.is_empty() {
            return Some(today);
        }
        let (sign, rest) = match rest.as_bytes()[0] {
            b'+' => (1i64, &rest[1..]),
            b'-' => (-1i64, &rest[1..]),
            _ => return None,
        };
        let (n, unit) = rest.split_at(rest.len().checked_sub(1)?);
        let n: i64 = n.parse().ok()?;
        return match unit {
            "d" => today.add_days(sign * n),
            "y" => Date::new(
                today.year + (sign * n) as i32,
                today.month,
                today.day.min(28),
            ),
            _ => None,
        };
    }
    match crate::dates::parse(text) {
        Ok((date, None)) => Some(date),
        _ => None,
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, "read rules", e))
}

fn invalid(origin: &str, key: &str, message: String) -> Error {
    Error::InvalidTemplate {
        file: origin.to_string(),
        key: key.to_string(),
        message,
    }
}
