//! Masking personal data (脱敏).
//!
//! For logs and the terminal, [`mask`] and [`mask_digit_runs`] hide phone and ID numbers:
//! 13800138000 → 138****8000. Phone numbers, ID numbers and other long digit strings keep their
//! first three and last four characters; everything between becomes `*`. Shorter values are
//! left as they are.
//!
//! For exports, [`MaskRules`] (`rules/mask.toml`, format in `rules/README.md`) says which fields
//! are masked and how: a [`Method`] per field type, overridable per field key.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::template::{Field, FieldType};

/// The built-in masking rules.
const BUILTIN: &str = include_str!("../../../rules/mask.toml");

/// How many digits make a value worth masking (a landline without area code has 7).
const MIN_DIGITS: usize = 7;

/// Masks a value that looks like a phone or ID number; other text is returned unchanged.
pub fn mask(value: &str) -> String {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let chars: Vec<char> = value.chars().collect();
    if digits < MIN_DIGITS || chars.len() < 8 {
        return value.to_string();
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i < 3 || i >= chars.len() - 4 || !c.is_ascii_alphanumeric() {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Masks every run of 11 or more digits inside a text (mobile and ID numbers), keeping each
/// run's first three and last four digits (`联系人电话 13800138000 有误` → `联系人电话
/// 138****8000 有误`); dates, amounts, codes and other shorter numbers stay readable.
pub fn mask_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run = i - start;
            for (k, &c) in chars[start..i].iter().enumerate() {
                out.push(if run >= 11 && k >= 3 && k < run - 4 {
                    '*'
                } else {
                    c
                });
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// How a value is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// `138****8000`: the first 3 and last 4 digits kept; a number shorter than 11 digits shows
    /// at most half its digits (`****567` for a 7-digit landline). Separators (`-`, space, `+`,
    /// brackets) stay; letters and other characters become `*`.
    Phone,
    /// `张*`, `欧***`: the first character kept, every other character `*`; a one-character
    /// name becomes `*`.
    Name,
    /// `110101********1234`: the first 6 and last 4 characters kept; a value shorter than 15
    /// characters shows at most half of them.
    Id,
    /// `w***@example.com`: the first character before the last `@`, then `***`, then the
    /// domain. A one-character local part is not shown; without `@`, `w***`.
    Email,
    /// Runs of 11 or more digits inside free text masked as [`mask_digit_runs`] does; the rest
    /// of the text kept.
    Digits,
    /// Every character `*`.
    All,
    /// Unchanged.
    None,
}

impl Method {
    /// Every method, for messages.
    pub const ALL: &'static [Method] = &[
        Method::Phone,
        Method::Name,
        Method::Id,
        Method::Email,
        Method::Digits,
        Method::All,
        Method::None,
    ];

    /// The name used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Phone => "phone",
            Method::Name => "name",
            Method::Id => "id",
            Method::Email => "email",
            Method::Digits => "digits",
            Method::All => "all",
            Method::None => "none",
        }
    }

    /// Masks one value. An empty value stays empty; nothing here panics on odd input.
    pub fn apply(self, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        match self {
            Method::Phone => keep_ends(
                value,
                3,
                4,
                11,
                |c| c.is_ascii_digit(),
                |c| c.is_ascii_punctuation() || c.is_whitespace(),
            ),
            Method::Name => {
                let trimmed = value.trim();
                let mut chars = trimmed.chars();
                match (chars.next(), chars.clone().next()) {
                    (Some(first), Some(_)) => {
                        std::iter::once(first).chain(chars.map(|_| '*')).collect()
                    }
                    _ => "*".repeat(trimmed.chars().count().max(1)),
                }
            }
            Method::Id => keep_ends(
                value,
                6,
                4,
                15,
                |c| !c.is_whitespace(),
                |c| c.is_whitespace(),
            ),
            Method::Email => {
                let (local, domain) = match value.rfind('@') {
                    Some(at) => (&value[..at], &value[at..]),
                    None => (value, ""),
                };
                let mut chars = local.chars();
                match (chars.next(), chars.next()) {
                    (Some(first), Some(_)) => format!("{first}***{domain}"),
                    _ => format!("***{domain}"),
                }
            }
            Method::Digits => mask_digit_runs(value),
            Method::All => "*".repeat(value.chars().count()),
            Method::None => value.to_string(),
        }
    }
}

/// Keeps the first `head` and last `tail` of the characters that `counts`, when there are at
/// least `full` of them; shorter values keep at most half (the tail first). Characters that do
/// not count stay when `keep` says so and become `*` otherwise.
fn keep_ends(
    value: &str,
    head: usize,
    tail: usize,
    full: usize,
    counts: impl Fn(char) -> bool,
    keep: impl Fn(char) -> bool,
) -> String {
    let n = value.chars().filter(|&c| counts(c)).count();
    let visible = if n >= full { head + tail } else { n / 2 };
    let tail = tail.min(visible);
    let head = head.min(visible - tail);
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if counts(c) {
                seen += 1;
                if seen <= head || seen > n - tail {
                    c
                } else {
                    '*'
                }
            } else if keep(c) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Which fields an export masks, and how: by field type, overridden by field key.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskRules {
    /// The method per field type; types not listed are not masked.
    pub types: HashMap<FieldType, Method>,
    /// The method per field key, overriding the type.
    pub fields: BTreeMap<String, Method>,
    /// Where the rules came from (`rules/mask.toml` or a path).
    pub origin: String,
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    types: BTreeMap<String, Method>,
    #[serde(default)]
    fields: BTreeMap<String, Method>,
}

impl MaskRules {
    /// The built-in rules, `rules/mask.toml`.
    pub fn builtin() -> Result<MaskRules> {
        MaskRules::parse(BUILTIN, "rules/mask.toml")
    }

    /// Loads a rules file.
    pub fn load(path: &Path) -> Result<MaskRules> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io(path, "read mask rules", e))?;
        MaskRules::parse(&text, &path.display().to_string())
    }

    /// Parses rules text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<MaskRules> {
        let raw: RawRules = crate::rules::parse_toml(text, origin)?;
        let mut types = HashMap::new();
        for (name, method) in raw.types {
            let Some(kind) = FieldType::ALL.iter().find(|t| t.as_str() == name) else {
                return Err(Error::InvalidTemplate {
                    file: origin.to_string(),
                    key: format!("types.{name}"),
                    message: format!(
                        "未知的字段类型 `{name}`; 可用类型: {} (例如 mobile = \"phone\")",
                        FieldType::ALL
                            .iter()
                            .map(|t| t.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            };
            types.insert(*kind, method);
        }
        Ok(MaskRules {
            types,
            fields: raw.fields,
            origin: origin.to_string(),
        })
    }

    /// The method for a field: its key's, else its type's, else [`Method::None`].
    pub fn method_for(&self, field: &Field) -> Method {
        self.fields
            .get(&field.key)
            .or_else(|| self.types.get(&field.kind))
            .copied()
            .unwrap_or(Method::None)
    }
}

#[cfg(test)]
mod tests {
    use super::{mask, mask_digit_runs, MaskRules, Method};
    use crate::template::Template;

    #[test]
    fn phone_keeps_three_and_four() {
        let m = Method::Phone;
        assert_eq!(m.apply("13800138000"), "138****8000");
        assert_eq!(m.apply("010-12345678"), "010-****5678");
        assert_eq!(m.apply("+86 138 0013 8000"), "+86 1** **** 8000");
        // Shorter numbers show at most half their digits.
        assert_eq!(m.apply("1234567"), "****567");
        assert_eq!(m.apply("12345678"), "****5678");
        assert_eq!(m.apply("0571-8888123"), "057*-***8123");
        assert_eq!(m.apply("0571888812"), "0*****8812");
        assert_eq!(m.apply("12"), "*2");
        assert_eq!(m.apply("1"), "*");
        // Letters and other text are never shown.
        assert_eq!(m.apply("张三13800138000"), "**138****8000");
        assert_eq!(m.apply("无"), "*");
        assert_eq!(m.apply(""), "");
    }

    #[test]
    fn name_keeps_the_first_character() {
        let m = Method::Name;
        assert_eq!(m.apply("张三"), "张*");
        assert_eq!(m.apply("王建国"), "王**");
        assert_eq!(m.apply("欧阳娜娜"), "欧***");
        assert_eq!(m.apply("张"), "*");
        assert_eq!(m.apply(" 李 "), "*");
        assert_eq!(m.apply("   "), "*");
        assert_eq!(m.apply("Li"), "L*");
    }

    #[test]
    fn id_keeps_six_and_four() {
        let m = Method::Id;
        assert_eq!(m.apply("110101199003071234"), "110101********1234");
        assert_eq!(m.apply("11010519491231002X"), "110105********002X");
        assert_eq!(m.apply("110101900307123"), "110101*****7123");
        assert_eq!(m.apply("E12345678"), "*****5678");
        assert_eq!(m.apply("123"), "**3");
        assert_eq!(m.apply("X"), "*");
    }

    #[test]
    fn email_keeps_first_character_and_domain() {
        let m = Method::Email;
        assert_eq!(m.apply("wangjianguo@example.com"), "w***@example.com");
        assert_eq!(m.apply("a@example.com"), "***@example.com");
        assert_eq!(m.apply("@example.com"), "***@example.com");
        assert_eq!(m.apply("wang.example.com"), "w***");
        assert_eq!(m.apply("x"), "***");
        assert_eq!(m.apply("a\"b@c\"@example.com"), "a***@example.com");
        assert_eq!(m.apply("王建国@例子.中国"), "王***@例子.中国");
    }

    #[test]
    fn all_none_and_digits() {
        assert_eq!(Method::All.apply("北京市朝阳区 1 号"), "**********");
        assert_eq!(Method::None.apply("13800138000"), "13800138000");
        assert_eq!(
            Method::Digits.apply("请联系 13800138000"),
            "请联系 138****8000"
        );
        assert_eq!(Method::Digits.apply("预算 60 万元"), "预算 60 万元");
    }

    #[test]
    fn no_method_panics_or_shows_a_whole_phone() {
        let values = [
            "",
            " ",
            "1",
            "١٢٣",
            "🙂🙂",
            "@",
            "@@",
            "a@",
            "-",
            "13800138000",
            "+8613800138000",
            "1380013800013900139000",
            "张",
            "é",
            "\u{0}",
        ];
        for method in Method::ALL {
            for value in values {
                let masked = method.apply(value);
                if *method != Method::None && value.contains("13800138000") {
                    assert!(
                        !masked.contains("13800138000"),
                        "{method:?} {value} {masked}"
                    );
                }
            }
        }
    }

    #[test]
    fn builtin_rules() {
        let rules = MaskRules::builtin().unwrap();
        let customer = Template::resolve("customer").unwrap();
        let method =
            |key: &str| rules.method_for(customer.fields.iter().find(|f| f.key == key).unwrap());
        assert_eq!(method("mobile"), Method::Phone);
        assert_eq!(method("contact_name"), Method::Name);
        assert_eq!(method("email"), Method::Email);
        assert_eq!(method("address"), Method::All);
        assert_eq!(method("remarks"), Method::Digits);
        assert_eq!(method("customer_name"), Method::None);
        assert_eq!(method("credit_code"), Method::None);
    }

    #[test]
    fn rule_errors_name_file_and_key() {
        let e = MaskRules::parse("[types]\nmobil = \"phone\"\n", "my-mask.toml").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("my-mask.toml: types.mobil: "), "{text}");
        assert!(text.contains("mobile"), "{text}");
        let e = MaskRules::parse("[fields]\naddress = \"hide\"\n", "my-mask.toml").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("my-mask.toml: fields.address: "), "{text}");
        assert!(text.contains("phone"), "{text}");
        let e = MaskRules::parse("[type]\n", "my-mask.toml").unwrap_err();
        assert!(e.to_string().starts_with("my-mask.toml: "), "{e}");
        let rules = MaskRules::parse("[fields]\nmobile = \"none\"\n", "x.toml").unwrap();
        assert!(rules.types.is_empty());
        assert_eq!(rules.fields["mobile"], Method::None);
    }

    #[test]
    fn masks_digit_runs_inside_text() {
        assert_eq!(
            mask_digit_runs("联系人电话 13800138000 有误, 身份证 11010519491231002X"),
            "联系人电话 138****8000 有误, 身份证 110**********1002X"
        );
        assert_eq!(
            mask_digit_runs("2034-01-01 10:00 超出范围"),
            "2034-01-01 10:00 超出范围"
        );
        assert_eq!(mask_digit_runs("金额 25.5 万元"), "金额 25.5 万元");
        assert_eq!(
            mask_digit_runs("例如 91110108MA01A8B98L"),
            "例如 91110108MA01A8B98L"
        );
    }

    #[test]
    fn masks_phones_and_ids() {
        assert_eq!(mask("13800138000"), "138****8000");
        assert_eq!(mask("110101199003071000"), "110***********1000");
        assert_eq!(mask("11010519491231002X"), "110***********002X");
        assert_eq!(mask("010-12345678"), "010-****5678");
        assert_eq!(mask("#N/A"), "#N/A");
        assert_eq!(mask("北京华远"), "北京华远");
    }
}
