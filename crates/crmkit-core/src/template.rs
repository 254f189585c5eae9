//! Import templates: the standard tables a CRM import expects, defined as data.
//!
//! A template is a TOML file (see `templates/README.md`) listing fields, each with an English key,
//! the Chinese header the CRM prescribes, the aliases real exports use, a type, whether it is
//! required, enumeration values with synonyms, and the 填写规范 (how to fill it) with an example.
//! The built-in templates are compiled into the library from `templates/*.toml`; users can load
//! their own from a file. Every mistake in a template file is reported with the file and the key.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The built-in templates, in the order `template list` shows them.
const BUILTIN: &[(&str, &str)] = &[
    ("customer", include_str!("../../../templates/customer.toml")),
    ("lead", include_str!("../../../templates/lead.toml")),
    ("followup", include_str!("../../../templates/followup.toml")),
    (
        "opportunity",
        include_str!("../../../templates/opportunity.toml"),
    ),
    ("order", include_str!("../../../templates/order.toml")),
    ("ticket", include_str!("../../../templates/ticket.toml")),
];

/// An import template: a named, ordered list of fields.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Short English name used on the command line (`customer`).
    pub name: String,
    /// The table's Chinese title (`客户信息`).
    pub title: String,
    /// What the table holds, for people.
    #[serde(default)]
    pub description: String,
    /// Names of rule sets in `rules/` this template uses (applied by validation).
    #[serde(default)]
    pub rule_sets: Vec<String>,
    /// The fields, in the order they appear in a blank template.
    pub fields: Vec<Field>,
    /// How rows of this template are identified and attached when loaded into a database.
    #[serde(default)]
    pub load: LoadSpec,
    /// Where this template was loaded from (`builtin:customer` or a path).
    #[serde(skip)]
    pub origin: String,
}

/// How a template's rows land in a database table (`[load]` in the template file).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    /// The fields whose values identify a row (订单编号). Empty: the whole row is its identity.
    /// A field that references another table counts by the referenced record, not its text.
    #[serde(default)]
    pub key: Vec<String>,
    /// For a table other tables refer to by name (客户): the company-name field. Rows without
    /// a `key` value are identified by their dedupe golden id, else by this name normalised.
    #[serde(default)]
    pub name: Option<String>,
    /// For such a table: a code field other tables may use instead of the name (客户编号).
    #[serde(default)]
    pub code: Option<String>,
    /// Fields that name a record of another table (客户名称 → customer).
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Templates loaded before this one besides those it references (跟进记录 after 线索).
    #[serde(default)]
    pub after: Vec<String>,
}

/// A field naming a record of another table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The field holding the name or code (`customer_name`).
    pub field: String,
    /// The referenced template's name (`customer`).
    pub table: String,
    /// Whether a row whose reference cannot be resolved is rejected (else it loads unattached).
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// One column of a template.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// English snake_case key (`customer_name`).
    pub key: String,
    /// The header the CRM prescribes (`客户名称`).
    pub header: String,
    /// Other headers seen in real exports for this field (`公司名称`, `客户全称`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The value type; decides the normaliser and validator applied later.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Whether every row must have a value, and the column must be present.
    #[serde(default)]
    pub required: bool,
    /// Whether values must be unique within a file (线索编号, 订单编号).
    #[serde(default)]
    pub unique: bool,
    /// For `enum` fields: the allowed values with their synonyms, in order.
    #[serde(default)]
    pub values: Vec<EnumValue>,
    /// For `money` fields: the unit values are stored in (`元` or `万元`).
    #[serde(default)]
    pub unit: Option<String>,
    /// Maximum length in characters, when the CRM limits it.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// 填写规范: how to fill this field, for people.
    #[serde(default)]
    pub guide: String,
    /// An example of a correct value.
    #[serde(default)]
    pub example: String,
}

/// An allowed value of an enumeration, with the other spellings that mean it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The canonical value (`VIP`).
    pub value: String,
    /// Other spellings that mean the same (`VIP客户`, `贵宾`).
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// What the value means (`年采购额 ≥ 50万`).
    #[serde(default)]
    pub description: String,
}

/// The type of a field's values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text.
    Text,
    /// A person's name (联系人, 负责人).
    PersonName,
    /// A company's legal name as on its business licence.
    CompanyName,
    /// An 11-digit mainland mobile number.
    Mobile,
    /// A landline: area code, number, optional extension.
    Landline,
    /// A mobile or a landline.
    Phone,
    /// An e-mail address.
    Email,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A date and time, `YYYY-MM-DD HH:MM`.
    Datetime,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// An amount of money, in the field's `unit`.
    Money,
    /// One of the field's `values`.
    Enum,
    /// 统一社会信用代码 (GB 32100), 18 characters.
    CreditCode,
    /// 18-digit resident identity number (GB 11643).
    IdCard,
    /// A GB/T 4754-2017 industry section or division.
    Industry,
}

impl FieldType {
    /// Every type, for documentation and error messages.
    pub const ALL: &'static [FieldType] = &[
        FieldType::Text,
        FieldType::PersonName,
        FieldType::CompanyName,
        FieldType::Mobile,
        FieldType::Landline,
        FieldType::Phone,
        FieldType::Email,
        FieldType::Date,
        FieldType::Datetime,
        FieldType::Integer,
        FieldType::Decimal,
        FieldType::Money,
        FieldType::Enum,
        FieldType::CreditCode,
        FieldType::IdCard,
        FieldType::Industry,
    ];

    /// The name used in template files.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::PersonName => "person_name",
            FieldType::CompanyName => "company_name",
            FieldType::Mobile => "mobile",
            FieldType::Landline => "landline",
            FieldType::Phone => "phone",
            FieldType::Email => "email",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Money => "money",
            FieldType::Enum => "enum",
            FieldType::CreditCode => "credit_code",
            FieldType::IdCard => "id_card",
            FieldType::Industry => "industry",
        }
    }

    /// Whether values are identifiers written as digits, which Excel must keep as text
    /// (otherwise 13800138000 shows as 1.38E+10 and 18-digit numbers lose their last digits).
    pub fn is_digit_identifier(self) -> bool {
        matches!(
            self,
            FieldType::Mobile
                | FieldType::Landline
                | FieldType::Phone
                | FieldType::CreditCode
                | FieldType::IdCard
        )
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Template {
    /// Names of the built-in templates.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(name, _)| *name)
    }

    /// Every built-in template, parsed.
    pub fn builtins() -> Result<Vec<Template>> {
        BUILTIN
            .iter()
            .map(|(name, text)| Template::parse(text, &format!("templates/{name}.toml")))
            .collect()
    }

    /// Finds a template by built-in name, or loads it from a path when `spec` names a file.
    pub fn resolve(spec: &str) -> Result<Template> {
        if let Some((name, text)) = BUILTIN.iter().find(|(name, _)| *name == spec) {
            return Template::parse(text, &format!("templates/{name}.toml"));
        }
        let path = Path::new(spec);
        if spec.ends_with(".toml") || path.exists() {
            return Template::load(path);
        }
        Err(Error::UnknownTemplate {
            name: spec.to_string(),
            known: Template::builtin_names().collect::<Vec<_>>().join(", "),
        })
    }

    /// Loads and checks a template file.
    pub fn load(path: &Path) -> Result<Template> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io(path, "read template", e))?;
        Template::parse(&text, &path.display().to_string())
    }

    /// Parses and checks template text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Template> {
        let invalid = |key: String, message: String| Error::InvalidTemplate {
            file: origin.to_string(),
            key,
            message,
        };
        let mut template: Template = crate::rules::parse_toml(text, origin)?;
        template.origin = origin.to_string();
        template
            .check()
            .map_err(|(key, message)| invalid(key, message))?;
        Ok(template)
    }

    /// Semantic checks serde cannot express. Returns the offending key and what is wrong.
    fn check(&self) -> std::result::Result<(), (String, String)> {
        if !is_snake_case(&self.name) {
            return Err((
                "name".into(),
                format!(
                    "expected a snake_case name like `customer`, found `{}`",
                    self.name
                ),
            ));
        }
        if self.fields.is_empty() {
            return Err((
                "fields".into(),
                "a template needs at least one field".into(),
            ));
        }
        let mut keys = HashSet::new();
        let mut headers: HashSet<String> = HashSet::new();
        for (i, field) in self.fields.iter().enumerate() {
            let at = |what: &str| format!("fields[{i}].{what}");
            if !is_snake_case(&field.key) {
                return Err((
                    at("key"),
                    format!(
                        "expected a snake_case key like `customer_name`, found `{}`",
                        field.key
                    ),
                ));
            }
            if !keys.insert(field.key.as_str()) {
                return Err((at("key"), format!("key `{}` is used twice", field.key)));
            }
            if field.header.trim().is_empty() {
                return Err((at("header"), "the header must not be empty".into()));
            }
            for (j, name) in std::iter::once(&field.header)
                .chain(&field.aliases)
                .enumerate()
            {
                let normalised = crate::mapping::normalize_header(name);
                if normalised.is_empty() {
                    return Err((at("aliases"), format!("`{name}` is empty once normalised")));
                }
                if !headers.insert(normalised) {
                    let what = if j == 0 {
                        at("header")
                    } else {
                        format!("fields[{i}].aliases[{}]", j - 1)
                    };
                    return Err((
                        what,
                        format!("`{name}` is already the header or an alias of another field"),
                    ));
                }
            }
            match field.kind {
                FieldType::Enum if field.values.is_empty() => {
                    return Err((at("values"), "an enum field needs a list of values".into()));
                }
                FieldType::Enum => {}
                _ if !field.values.is_empty() => {
                    return Err((
                        at("values"),
                        format!(
                            "values are only allowed on enum fields, not on `{}`",
                            field.kind
                        ),
                    ));
                }
                _ => {}
            }
            let mut spellings = HashSet::new();
            for (j, value) in field.values.iter().enumerate() {
                for spelling in std::iter::once(&value.value).chain(&value.synonyms) {
                    if !spellings.insert(spelling.to_lowercase()) {
                        return Err((
                            format!("fields[{i}].values[{j}]"),
                            format!("`{spelling}` is listed twice"),
                        ));
                    }
                }
            }
            if field.unit.is_some() && field.kind != FieldType::Money {
                return Err((at("unit"), "a unit is only allowed on money fields".into()));
            }
            if let Some(unit) = &field.unit {
                if !matches!(unit.as_str(), "元" | "万元") {
                    return Err((
                        at("unit"),
                        format!("expected `元` or `万元`, found `{unit}`"),
                    ));
                }
            }
        }
        self.check_load()
    }

    /// Checks the `[load]` table: every field it names exists, tables are snake_case.
    fn check_load(&self) -> std::result::Result<(), (String, String)> {
        let load = &self.load;
        let known = |key: &str, what: String| match self.field(key) {
            Some(_) => Ok(()),
            None => Err((what, format!("`{key}` is not a field of this template"))),
        };
        for (i, key) in load.key.iter().enumerate() {
            known(key, format!("load.key[{i}]"))?;
        }
        if let Some(name) = &load.name {
            known(name, "load.name".into())?;
            if self.field(name).map(|f| f.kind) != Some(FieldType::CompanyName) {
                return Err((
                    "load.name".into(),
                    format!("`{name}` must be a company_name field"),
                ));
            }
        }
        if let Some(code) = &load.code {
            known(code, "load.code".into())?;
        }
        let mut fields = HashSet::new();
        for (i, reference) in load.references.iter().enumerate() {
            known(&reference.field, format!("load.references[{i}].field"))?;
            if !fields.insert(reference.field.as_str()) {
                return Err((
                    format!("load.references[{i}].field"),
                    format!("`{}` is referenced twice", reference.field),
                ));
            }
            if !is_snake_case(&reference.table) || reference.table == self.name {
                return Err((
                    format!("load.references[{i}].table"),
                    format!(
                        "expected another template's name like `customer`, found `{}`",
                        reference.table
                    ),
                ));
            }
        }
        for (i, after) in load.after.iter().enumerate() {
            if !is_snake_case(after) || after == &self.name {
                return Err((
                    format!("load.after[{i}]"),
                    format!("expected another template's name like `lead`, found `{after}`"),
                ));
            }
        }
        Ok(())
    }

    /// The field with this key.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

impl Field {
    /// The field's header and its aliases, header first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.header.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

fn is_snake_case(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_are_complete() {
        let templates = Template::builtins().unwrap();
        let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "customer",
                "lead",
                "followup",
                "opportunity",
                "order",
                "ticket"
            ]
        );
        for t in &templates {
            assert!(t.fields.iter().any(|f| f.required), "{}", t.name);
            for f in &t.fields {
                assert!(!f.guide.is_empty(), "{}.{} has no 填写规范", t.name, f.key);
                assert!(!f.example.is_empty(), "{}.{} has no example", t.name, f.key);
            }
        }
        let customer = &templates[0];
        let level = customer.field("level").unwrap();
        let values: Vec<&str> = level.values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(values, ["VIP", "重点", "普通"]);
        let status = customer.field("status").unwrap();
        let stages: Vec<&str> = status.values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(
            stages,
            ["初步接洽", "需求分析", "方案报价", "合同签订", "成交"]
        );
        assert_eq!(customer.field("mobile").unwrap().kind, FieldType::Mobile);
        assert_eq!(
            customer.field("annual_purchase").unwrap().unit.as_deref(),
            Some("万元")
        );
        let lead = &templates[1];
        assert!(lead.field("lead_code").unwrap().unique);
    }

    #[test]
    fn resolve_by_name_or_path() {
        assert_eq!(Template::resolve("order").unwrap().title, "订单");
        let err = Template::resolve("orders").unwrap_err().to_string();
        assert!(err.contains("unknown template `orders`"), "{err}");
    }
}
