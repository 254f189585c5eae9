//! Dedupe rules as data: `rules/dedupe/<template>.toml` names the comparisons, the blocking
//! keys, the thresholds and the survivorship of every field. See `rules/dedupe/README.md`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::golden::Survivorship;
use crate::error::{Error, Result};
use crate::template::Template;

/// The built-in dedupe rules, by template name.
const BUILTIN: &[(&str, &str)] = &[(
    "customer",
    include_str!("../../../../rules/dedupe/customer.toml"),
)];

/// What two records are compared on, and how a comparison's levels are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Equal or not.
    Exact,
    /// Jaro–Winkler similarity at or above each threshold in `levels`.
    JaroWinkler,
    /// Levenshtein distance (in characters) at or below each value in `levels`.
    Levenshtein,
    /// Dice coefficient of character bigrams at or above each threshold (for CJK names).
    Bigram,
    /// Phone numbers from one or more fields, each cell possibly holding several: at least
    /// one number in common, or none.
    Phones,
    /// E-mail addresses: equal, same mailbox name at another domain, different.
    Email,
    /// Dates: equal, day and month swapped or one digit off, same year, different.
    Date,
    /// A company name's core (字号 + industry words): equal, one character apart, one part of
    /// the other, same 字号 with other industry words, similar, different.
    CompanyCore,
    /// The region in a company name: same, compatible (province and a city in it), different.
    CompanyRegion,
    /// Branch markers (分公司, 办事处): both head offices or the same branch, or not.
    CompanyBranch,
    /// The serial number in two names' cores ([`crate::company::serial`]: 思纳二期, 第十二中学):
    /// the same, or different (or a fund's series against a name without one: the fund and
    /// its manager); missing when either has none, or only one has an ordinal.
    CompanySerial,
    /// Organisation forms: the same class (有限公司 = 有限责任公司), or not.
    CompanyForm,
    /// The characters of two 字号 (the whole cores when no 字号 was found): at least one in
    /// common, or none (华远 / 博达).
    CompanyTradeChars,
    /// The industry words after one 字号: the same business (or one an abbreviation or a typo
    /// of the other), or two businesses (华远物流 / 华远软件科技: a sister company, a namesake
    /// in another trade); missing when the 字号s differ.
    CompanyBusiness,
    /// Street addresses: the same place (street number, and building, floor and room as far as
    /// both say), the same street number with another floor or room, another street.
    Address,
    /// A former name one record's remarks give ([`crate::company::former_name`]: 原名X,
    /// 曾用名X, 已更名（原X）) against the other record's name: the same company (core, branch
    /// and region), or not; missing when neither gives one. Two fields: the name, then the
    /// remarks.
    FormerName,
}

impl Kind {
    fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "exact" => Kind::Exact,
            "jaro_winkler" => Kind::JaroWinkler,
            "levenshtein" => Kind::Levenshtein,
            "bigram" => Kind::Bigram,
            "phones" => Kind::Phones,
            "email" => Kind::Email,
            "date" => Kind::Date,
            "company_core" => Kind::CompanyCore,
            "company_region" => Kind::CompanyRegion,
            "company_branch" => Kind::CompanyBranch,
            "company_serial" => Kind::CompanySerial,
            "company_form" => Kind::CompanyForm,
            "company_trade_chars" => Kind::CompanyTradeChars,
            "company_business" => Kind::CompanyBusiness,
            "address" => Kind::Address,
            "former_name" => Kind::FormerName,
            _ => return None,
        })
    }

    const NAMES: &'static str = "exact, jaro_winkler, levenshtein, bigram, phones, email, date, \
        company_core, company_region, company_branch, company_serial, company_form, \
        company_trade_chars, company_business, address, former_name";

    /// Whether the kind takes thresholds in `levels`.
    fn takes_levels(self) -> bool {
        matches!(self, Kind::JaroWinkler | Kind::Levenshtein | Kind::Bigram)
    }

    /// Whether the kind reads a company name.
    pub fn is_company(self) -> bool {
        matches!(
            self,
            Kind::CompanyCore
                | Kind::CompanyRegion
                | Kind::CompanyBranch
                | Kind::CompanySerial
                | Kind::CompanyForm
                | Kind::CompanyTradeChars
                | Kind::CompanyBusiness
        )
    }
}

/// One comparison of the model.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The name shown in explanations (`公司名称`).
    pub name: String,
    /// Template field indices it reads (several only for `phones`).
    pub fields: Vec<usize>,
    /// How it compares.
    pub kind: Kind,
    /// Thresholds for `jaro_winkler`, `bigram` (descending) and `levenshtein` (ascending).
    pub thresholds: Vec<f64>,
    /// Term-frequency adjustment: a common value agreeing counts for less than a rare one.
    pub tf: bool,
    /// Fixed m probabilities per non-null level (not estimated), when given.
    pub m: Option<Vec<f64>>,
    /// Fixed u probabilities per non-null level (not estimated), when given.
    pub u: Option<Vec<f64>>,
    /// For `company_region`: fields naming the region when the company name does not
    /// (城市, 省份), tried together and then one by one.
    pub fallback: Vec<usize>,
    /// The group of comparisons whose agreements come together (a shared contact person brings
    /// his phone, e-mail and name at once): of a group's positive weights only the largest
    /// counts. An index into [`Config::groups`].
    pub group: Option<usize>,
    /// The levels (bit `l` for level `l`) that veto a match on their own when they weigh
    /// `thresholds.veto` bits or less: all of them by default, none for `veto = false` (they
    /// only weigh against it), the listed ones for `veto = [4]`.
    pub veto: u64,
    /// Comparisons whose disagreement this one explains when it agrees (its first level): their
    /// negative weights are not counted then. One credit code on both rows is one legal person
    /// whatever its names say: a renamed company's 字号 and a moved company's region differ.
    pub explains: Vec<usize>,
}

/// One part of a blocking key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyPart {
    /// The canonical value of a field.
    Value(usize),
    /// Every phone number in the fields' cells.
    Phones(Vec<usize>),
    /// The first `n` characters of a field's value (letters and digits only).
    Prefix(usize, usize),
    /// A company name's core.
    CompanyCore(usize),
    /// A company name's 字号.
    CompanyTrade(usize),
    /// A company name's 字号, pairing a project's site office (…光谷科学岛项目部, whose region
    /// and contacts are the site's) with any name of that 字号: no pair of two other names.
    CompanySiteTrade(usize),
    /// The first `n` characters of a company name's core (finds 智安 / 智安电缆).
    CompanyCorePrefix(usize, usize),
    /// A company name's core and every variant with one character after the first two
    /// deleted: records whose cores are one typo apart (after the first two characters) share
    /// a key.
    CompanyCoreDeletions(usize),
    /// How a company name may be written in the other script: a Chinese name's 字号 spelled
    /// in pinyin (创驰 → chuangchi), a Latin name's words of four letters or more and every two
    /// words run together. Shenzhen Chuangchi Auto Components meets 深圳创驰汽车配件. Nothing
    /// when all names are written in one script.
    CompanySpelling(usize),
    /// The region of a company (its city, else its province): from the name, else from the
    /// fallback fields of the `company_region` comparison on the field, as that comparison
    /// sees it. Finds 泓程酒店管理(苏州) for 苏州市泓程酒店管理 when the 城市 column is empty.
    CompanyRegion(usize),
    /// The year of a date field.
    Year(usize),
}

impl KeyPart {
    /// The template fields the part reads.
    pub fn fields(&self) -> Vec<usize> {
        match self {
            KeyPart::Phones(fields) => fields.clone(),
            KeyPart::Value(f)
            | KeyPart::Prefix(f, _)
            | KeyPart::CompanyCore(f)
            | KeyPart::CompanyTrade(f)
            | KeyPart::CompanySiteTrade(f)
            | KeyPart::CompanyCoreDeletions(f)
            | KeyPart::CompanySpelling(f)
            | KeyPart::CompanyCorePrefix(f, _)
            | KeyPart::CompanyRegion(f)
            | KeyPart::Year(f) => vec![*f],
        }
    }
}

/// A blocking key: records sharing a value of every part are compared.
#[derive(Debug, Clone)]
pub struct BlockingKey {
    /// The name shown in the candidate-pair report.
    pub name: String,
    /// The expression, as written.
    pub expression: String,
    /// The parts, combined.
    pub parts: Vec<KeyPart>,
}

impl BlockingKey {
    /// Whether the key pairs only a project's site office with another record
    /// ([`KeyPart::CompanySiteTrade`]).
    pub fn site_only(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, KeyPart::CompanySiteTrade(_)))
    }
}

/// Thresholds on the match probability.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Pairs at or above are the same entity.
    pub matched: f64,
    /// Pairs at or above (and below `matched`) go to the review sheet.
    pub review: f64,
    /// Pairs below are evidence that the two records are different entities: a cluster never
    /// holds two records whose pair scores below this.
    pub split_below: f64,
    /// A comparison level weighing this many bits or less is a contradiction on its own: a
    /// cluster never holds two records with such a level between them.
    pub veto: f64,
}

/// Model training settings.
#[derive(Debug, Clone, Copy)]
pub struct Training {
    /// Random pairs sampled to estimate u.
    pub u_pairs: usize,
    /// EM iterations at most.
    pub em_iterations: usize,
    /// Seed for the random pairs.
    pub seed: u64,
}

/// A whole dedupe configuration, checked against its template.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it came from (a path or `built-in customer`).
    pub origin: String,
    /// The comparisons, in order.
    pub comparisons: Vec<Comparison>,
    /// The names of the comparison groups ([`Comparison::group`]), in order of appearance.
    pub groups: Vec<String>,
    /// The blocking keys, in order.
    pub blocking: Vec<BlockingKey>,
    /// Blocks larger than this are skipped (and reported): a key that explodes.
    pub max_block: usize,
    /// Thresholds.
    pub thresholds: Thresholds,
    /// Training settings.
    pub training: Training,
    /// Survivorship per template field.
    pub survivorship: Vec<Survivorship>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[allow(dead_code)]
    template: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    thresholds: RawThresholds,
    #[serde(default)]
    training: RawTraining,
    blocking: RawBlocking,
    comparisons: Vec<RawComparison>,
    #[serde(default)]
    survivorship: RawSurvivorship,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    #[serde(rename = "match")]
    matched: f64,
    review: f64,
    #[serde(default = "default_split_below")]
    split_below: f64,
    #[serde(default = "default_veto")]
    veto: f64,
}

fn default_veto() -> f64 {
    -10.0
}

fn default_split_below() -> f64 {
    0.01
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawTraining {
    u_pairs: usize,
    em_iterations: usize,
    seed: u64,
}

impl Default for RawTraining {
    fn default() -> Self {
        RawTraining {
            u_pairs: 2_000_000,
            em_iterations: 30,
            seed: 20261122,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlocking {
    #[serde(default = "default_max_block")]
    max_block: usize,
    keys: Vec<RawKey>,
}

fn default_max_block() -> usize {
    2000
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    name: String,
    key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComparison {
    name: String,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    fields: Vec<String>,
    kind: String,
    #[serde(default)]
    levels: Vec<f64>,
    #[serde(default)]
    tf: bool,
    #[serde(default)]
    m: Option<Vec<f64>>,
    #[serde(default)]
    u: Option<Vec<f64>>,
    #[serde(default)]
    fallback: Vec<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    veto: Veto,
    #[serde(default)]
    explains: Vec<String>,
}

/// `veto` in the rules: every level or none (`true`, `false`), or the listed levels (`[4]`,
/// counted from 1 as `m` and `u` are).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Veto {
    All(bool),
    Levels(Vec<u8>),
}

impl Default for Veto {
    fn default() -> Self {
        Veto::All(true)
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSurvivorship {
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

impl Config {
    /// The template fields the comparisons and blocking keys read (fallbacks included), in
    /// template order.
    pub fn compared_fields(&self) -> Vec<usize> {
        let mut fields: Vec<usize> = self
            .comparisons
            .iter()
            .flat_map(|c| c.fields.iter().chain(&c.fallback).copied())
            .chain(
                self.blocking
                    .iter()
                    .flat_map(|k| k.parts.iter().flat_map(|p| p.fields())),
            )
            .collect();
        fields.sort_unstable();
        fields.dedup();
        fields
    }

    /// The built-in rules for a template, if crmkit has them.
    pub fn builtin(template: &Template) -> Result<Option<Config>> {
        match BUILTIN.iter().find(|(name, _)| *name == template.name) {
            Some((name, text)) => {
                Config::parse(text, &format!("rules/dedupe/{name}.toml"), template).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Reads a rules file.
    pub fn load(path: &Path, template: &Template) -> Result<Config> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::io(path, "read dedupe rules", e))?;
        Config::parse(&text, &path.display().to_string(), template)
    }

    /// The rules for `template`: `file` when given, else `<dir>/dedupe/<template>.toml` when a
    /// rules directory is given and has one, else the built-in rules.
    pub fn resolve(template: &Template, file: Option<&Path>, dir: Option<&Path>) -> Result<Config> {
        if let Some(file) = file {
            return Config::load(file, template);
        }
        if let Some(dir) = dir {
            let path = dir.join("dedupe").join(format!("{}.toml", template.name));
            if path.exists() {
                return Config::load(&path, template);
            }
        }
        Config::builtin(template)?.ok_or_else(|| Error::InvalidTemplate {
            file: template.name.clone(),
            key: "dedupe".into(),
            message: format!(
                "模板 {} 没有内置的去重规则; 请用 --rules FILE 指定 (格式见 rules/dedupe/README.md)",
                template.name
            ),
        })
    }

    /// Parses and checks a rules file's text.
    pub fn parse(text: &str, origin: &str, template: &Template) -> Result<Config> {
        let raw: RawConfig = crate::rules::parse_toml(text, origin)?;
        let invalid = |key: String, message: String| Error::InvalidTemplate {
            file: origin.to_string(),
            key,
            message,
        };
        let field = |key: &str, name: &str| -> Result<usize> {
            template
                .fields
                .iter()
                .position(|f| f.key == name)
                .ok_or_else(|| {
                    invalid(
                        key.to_string(),
                        format!(
                            "unknown field `{name}`; template {} has: {}",
                            template.name,
                            template
                                .fields
                                .iter()
                                .map(|f| f.key.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })
        };

        let t = &raw.thresholds;
        for (key, value) in [
            ("match", t.matched),
            ("review", t.review),
            ("split_below", t.split_below),
        ] {
            if !(value > 0.0 && value < 1.0) {
                return Err(invalid(
                    format!("thresholds.{key}"),
                    format!("expected a probability strictly between 0 and 1, found {value}"),
                ));
            }
        }
        if !(t.split_below < t.review && t.review <= t.matched) {
            return Err(invalid(
                "thresholds".into(),
                format!(
                    "expected split_below < review <= match, found {} / {} / {}",
                    t.split_below, t.review, t.matched
                ),
            ));
        }

        if t.veto.is_nan() || t.veto >= 0.0 {
            return Err(invalid(
                "thresholds.veto".into(),
                format!(
                    "expected a negative weight in bits (e.g. -10), found {}",
                    t.veto
                ),
            ));
        }
        let mut comparisons = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        if raw.comparisons.is_empty() {
            return Err(invalid(
                "comparisons".into(),
                "at least one comparison is needed".into(),
            ));
        }
        if raw.comparisons.len() > super::compare::MAX_COMPARISONS {
            return Err(invalid(
                "comparisons".into(),
                format!(
                    "at most {} comparisons, found {}",
                    super::compare::MAX_COMPARISONS,
                    raw.comparisons.len()
                ),
            ));
        }
        for (i, c) in raw.comparisons.iter().enumerate() {
            let at = |k: &str| format!("comparisons[{i}].{k}");
            let kind = Kind::parse(&c.kind).ok_or_else(|| {
                invalid(
                    at("kind"),
                    format!("unknown kind `{}`; expected one of {}", c.kind, Kind::NAMES),
                )
            })?;
            let names: Vec<&String> = c.field.iter().chain(c.fields.iter()).collect();
            if names.is_empty() {
                return Err(invalid(at("field"), "a field is needed".into()));
            }
            if kind == Kind::FormerName && names.len() != 2 {
                return Err(invalid(
                    at("fields"),
                    "`former_name` takes two fields: the name, then the remarks that may give a \
                     former name, e.g. fields = [\"customer_name\", \"remarks\"]"
                        .into(),
                ));
            }
            if names.len() > 1 && !matches!(kind, Kind::Phones | Kind::FormerName) {
                return Err(invalid(
                    at("fields"),
                    format!(
                        "only `phones` compares several fields; `{}` takes one",
                        c.kind
                    ),
                ));
            }
            let fields = names
                .iter()
                .map(|n| field(&at("field"), n))
                .collect::<Result<Vec<_>>>()?;
            if kind.takes_levels() {
                if c.levels.is_empty() {
                    return Err(invalid(
                        at("levels"),
                        format!("`{}` needs thresholds, e.g. levels = [0.95, 0.88]", c.kind),
                    ));
                }
                let ok = match kind {
                    Kind::Levenshtein => {
                        c.levels.windows(2).all(|w| w[0] < w[1])
                            && c.levels.iter().all(|&l| l >= 1.0 && l.fract() == 0.0)
                    }
                    _ => {
                        c.levels.windows(2).all(|w| w[0] > w[1])
                            && c.levels.iter().all(|&l| l > 0.0 && l <= 1.0)
                    }
                };
                if !ok {
                    return Err(invalid(
                        at("levels"),
                        match kind {
                            Kind::Levenshtein => {
                                "expected whole numbers of edits, ascending, e.g. [1, 2]".into()
                            }
                            _ => "expected similarities in (0, 1], descending, e.g. [0.95, 0.88]"
                                .into(),
                        },
                    ));
                }
            } else if !c.levels.is_empty() {
                return Err(invalid(
                    at("levels"),
                    format!("`{}` has fixed levels and takes no thresholds", c.kind),
                ));
            }
            let n_levels = super::compare::level_count(kind, c.levels.len()) - 1;
            let veto = match &c.veto {
                Veto::All(true) => u64::MAX,
                Veto::All(false) => 0,
                Veto::Levels(levels) => {
                    let mut mask = 0u64;
                    for &level in levels {
                        if level == 0 || usize::from(level) > n_levels {
                            return Err(invalid(
                                at("veto"),
                                format!(
                                    "expected true, false or levels from 1 to {n_levels} (most similar first, as for m and u), e.g. veto = [{n_levels}]"
                                ),
                            ));
                        }
                        mask |= 1 << level;
                    }
                    mask
                }
            };
            for (key, values) in [("m", &c.m), ("u", &c.u)] {
                if let Some(values) = values {
                    if values.len() != n_levels
                        || values.iter().any(|&v| !(v > 0.0 && v < 1.0))
                        || (values.iter().sum::<f64>() - 1.0).abs() > 1e-6
                    {
                        return Err(invalid(
                            at(key),
                            format!(
                                "expected {n_levels} probabilities between 0 and 1 summing to 1 (one per level, most similar first)"
                            ),
                        ));
                    }
                }
            }
            if !c.fallback.is_empty() && kind != Kind::CompanyRegion {
                return Err(invalid(
                    at("fallback"),
                    "only `company_region` takes fallback fields".into(),
                ));
            }
            let fallback = c
                .fallback
                .iter()
                .map(|n| field(&at("fallback"), n))
                .collect::<Result<Vec<_>>>()?;
            let group = match c.group.as_deref().map(str::trim) {
                None => None,
                Some("") => {
                    return Err(invalid(
                        at("group"),
                        "expected a group name, e.g. group = \"联系方式\"".into(),
                    ))
                }
                Some(name) => Some(match groups.iter().position(|g| g == name) {
                    Some(g) => g,
                    None => {
                        groups.push(name.to_string());
                        groups.len() - 1
                    }
                }),
            };
            comparisons.push(Comparison {
                name: c.name.clone(),
                group,
                veto,
                explains: Vec::new(),
                fallback,
                fields,
                kind,
                thresholds: c.levels.clone(),
                tf: c.tf,
                m: c.m.clone(),
                u: c.u.clone(),
            });
        }
        // By name, once every comparison is known.
        for (i, c) in raw.comparisons.iter().enumerate() {
            for name in &c.explains {
                let at = format!("comparisons[{i}].explains");
                let Some(e) = comparisons.iter().position(|o| o.name == *name) else {
                    return Err(invalid(
                        at,
                        format!(
                            "no comparison is named `{name}`; expected names of [[comparisons]], e.g. explains = [\"核心名称\", \"地区\"]"
                        ),
                    ));
                };
                if e == i {
                    return Err(invalid(at, format!("`{name}` cannot explain itself")));
                }
                comparisons[i].explains.push(e);
            }
        }

        let mut blocking = Vec::new();
        if raw.blocking.keys.is_empty() {
            return Err(invalid(
                "blocking.keys".into(),
                "at least one blocking key is needed".into(),
            ));
        }
        if raw.blocking.keys.len() > 16 {
            return Err(invalid(
                "blocking.keys".into(),
                format!(
                    "at most 16 blocking keys, found {}",
                    raw.blocking.keys.len()
                ),
            ));
        }
        if raw.blocking.max_block < 2 {
            return Err(invalid(
                "blocking.max_block".into(),
                "expected at least 2".into(),
            ));
        }
        for (i, k) in raw.blocking.keys.iter().enumerate() {
            let at = format!("blocking.keys[{i}].key");
            let parts = parse_key(&k.key, &|name| field(&at, name))
                .map_err(|message| invalid(at.clone(), message))?;
            blocking.push(BlockingKey {
                name: k.name.clone(),
                expression: k.key.clone(),
                parts,
            });
        }

        let default = match &raw.survivorship.default {
            Some(text) => Survivorship::parse(text, template)
                .map_err(|m| invalid("survivorship.default".into(), m))?,
            None => Survivorship::MostFrequent,
        };
        let mut survivorship = vec![default; template.fields.len()];
        for (key, text) in &raw.survivorship.fields {
            let at = format!("survivorship.fields.{key}");
            let index = field(&at, key)?;
            survivorship[index] =
                Survivorship::parse(text, template).map_err(|m| invalid(at, m))?;
        }

        Ok(Config {
            origin: origin.to_string(),
            comparisons,
            groups,
            blocking,
            max_block: raw.blocking.max_block,
            thresholds: Thresholds {
                matched: t.matched,
                review: t.review,
                split_below: t.split_below,
                veto: t.veto,
            },
            training: Training {
                u_pairs: raw.training.u_pairs,
                em_iterations: raw.training.em_iterations,
                seed: raw.training.seed,
            },
            survivorship,
        })
    }
}

/// Parses `company_core(customer_name) + prefix(city, 2)`.
fn parse_key(
    text: &str,
    field: &dyn Fn(&str) -> Result<usize>,
) -> std::result::Result<Vec<KeyPart>, String> {
    const FORMS: &str = "value(f), phones(f, ...), prefix(f, n), year(f), company_core(f), \
        company_trade(f), company_site_trade(f), company_core_prefix(f, n), company_core_deletions(f), \
        company_region(f), joined with +";
    let mut parts = Vec::new();
    for part in text.split('+') {
        let part = part.trim();
        let (name, args) = part
            .strip_suffix(')')
            .and_then(|p| p.split_once('('))
            .ok_or_else(|| format!("cannot read `{part}`; expected {FORMS}"))?;
        let args: Vec<&str> = args.split(',').map(str::trim).collect();
        let one = |args: &[&str]| -> std::result::Result<usize, String> {
            match args {
                [f] => field(f).map_err(|e| e.to_string()),
                _ => Err(format!("`{name}` takes one field, found `{part}`")),
            }
        };
        parts.push(match name.trim() {
            "value" => KeyPart::Value(one(&args)?),
            "year" => KeyPart::Year(one(&args)?),
            "company_core" => KeyPart::CompanyCore(one(&args)?),
            "company_trade" => KeyPart::CompanyTrade(one(&args)?),
            "company_site_trade" => KeyPart::CompanySiteTrade(one(&args)?),
            "company_core_deletions" => KeyPart::CompanyCoreDeletions(one(&args)?),
            "company_spelling" => KeyPart::CompanySpelling(one(&args)?),
            "company_region" => KeyPart::CompanyRegion(one(&args)?),
            "phones" => KeyPart::Phones(
                args.iter()
                    .map(|f| field(f).map_err(|e| e.to_string()))
                    .collect::<std::result::Result<_, _>>()?,
            ),
            "prefix" | "company_core_prefix" => match args.as_slice() {
                [f, n] => (if name.trim() == "prefix" {
                    KeyPart::Prefix
                } else {
                    KeyPart::CompanyCorePrefix
                })(
                    field(f).map_err(|e| e.to_string())?,
                    n.parse()
                        .ok()
                        .filter(|&n: &usize| n > 0)
                        .ok_or_else(|| format!("`prefix` needs a length ≥ 1, found `{n}`"))?,
                ),
                _ => {
                    return Err(format!(
                        "`prefix` takes a field and a length, found `{part}`"
                    ))
                }
            },
            other => return Err(format!("unknown key function `{other}`; expected {FORMS}")),
        });
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer() -> Template {
        Template::resolve("customer").unwrap()
    }

    fn error(text: &str) -> String {
        Config::parse(text, "x.toml", &customer())
            .unwrap_err()
            .to_string()
    }

    const MINIMAL: &str = "[thresholds]\nmatch = 0.9\nreview = 0.5\n[blocking]\n[[blocking.keys]]\nname = \"k\"\nkey = \"value(email)\"\n[[comparisons]]\nname = \"c\"\nfield = \"email\"\nkind = \"email\"\n";

    #[test]
    fn the_builtin_rules_parse() {
        let c = Config::builtin(&customer()).unwrap().unwrap();
        assert!(c.comparisons.len() >= 6 && c.blocking.len() >= 4);
        assert!(Config::parse(MINIMAL, "x.toml", &customer()).is_ok());
    }

    #[test]
    fn groups_are_named_once_in_order() {
        let c = Config::builtin(&customer()).unwrap().unwrap();
        assert_eq!(c.groups, ["联系方式"]);
        let grouped: Vec<&str> = c
            .comparisons
            .iter()
            .filter(|c| c.group == Some(0))
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(grouped, ["电话", "邮箱", "联系人"]);
        let e = error(&MINIMAL.replace("kind = \"email\"", "kind = \"email\"\ngroup = \" \""));
        assert!(
            e.contains("comparisons[0].group") && e.contains("联系方式"),
            "{e}"
        );
    }

    #[test]
    fn veto_is_every_level_none_or_the_listed_ones() {
        let veto = |line: &str| {
            Config::parse(
                &MINIMAL.replace("kind = \"email\"", &format!("kind = \"email\"\n{line}")),
                "x.toml",
                &customer(),
            )
            .unwrap()
            .comparisons[0]
                .veto
        };
        assert_eq!(veto(""), u64::MAX);
        assert_eq!(veto("veto = false"), 0);
        assert_eq!(veto("veto = [4]"), 1 << 4);
        assert_eq!(veto("veto = [1, 3]"), 1 << 1 | 1 << 3);
        // The built-in form comparison vetoes two kinds of legal person only.
        let c = Config::builtin(&customer()).unwrap().unwrap();
        let form = c.comparisons.iter().find(|c| c.name == "组织形式").unwrap();
        assert_eq!(form.veto, 1 << 4);
        for wrong in ["veto = [0]", "veto = [5]", "veto = \"yes\""] {
            let e =
                error(&MINIMAL.replace("kind = \"email\"", &format!("kind = \"email\"\n{wrong}")));
            assert!(e.contains("comparisons[0]"), "{wrong}: {e}");
        }
        let e = error(&MINIMAL.replace("kind = \"email\"", "kind = \"email\"\nveto = [5]"));
        assert!(
            e.contains("comparisons[0].veto") && e.contains("1 to 4"),
            "{e}"
        );
    }

    #[test]
    fn explains_names_other_comparisons() {
        let c = Config::builtin(&customer()).unwrap().unwrap();
        let code = c
            .comparisons
            .iter()
            .find(|c| c.name == "统一社会信用代码")
            .unwrap();
        let explained: Vec<&str> = code
            .explains
            .iter()
            .map(|&e| c.comparisons[e].name.as_str())
            .collect();
        assert_eq!(
            explained,
            ["核心名称", "地区", "字号用字", "行业", "组织形式"]
        );
        let e = error(&MINIMAL.replace(
            "kind = \"email\"",
            "kind = \"email\"\nexplains = [\"名称\"]",
        ));
        assert!(
            e.contains("comparisons[0].explains") && e.contains("`名称`"),
            "{e}"
        );
        let e = error(&MINIMAL.replace("kind = \"email\"", "kind = \"email\"\nexplains = [\"c\"]"));
        assert!(e.contains("cannot explain itself"), "{e}");
    }

    #[test]
    fn mistakes_name_the_file_and_key() {
        let e = error(&MINIMAL.replace("kind = \"email\"", "kind = \"fuzzy\""));
        assert!(
            e.contains("x.toml") && e.contains("comparisons[0].kind") && e.contains("jaro_winkler"),
            "{e}"
        );
        let e = error(&MINIMAL.replace("field = \"email\"", "field = \"mail\""));
        assert!(
            e.contains("comparisons[0].field") && e.contains("unknown field `mail`"),
            "{e}"
        );
        let e = error(&MINIMAL.replace("review = 0.5", "review = 0.95"));
        assert!(
            e.contains("thresholds") && e.contains("split_below < review <= match"),
            "{e}"
        );
        let e = error(&MINIMAL.replace("match = 0.9", "match = 1.5"));
        assert!(e.contains("thresholds.match"), "{e}");
        let e = error(&MINIMAL.replace("value(email)", "value(email) + sound(email)"));
        assert!(
            e.contains("blocking.keys[0].key") && e.contains("unknown key function `sound`"),
            "{e}"
        );
        let e = error(&MINIMAL.replace("kind = \"email\"", "kind = \"jaro_winkler\""));
        assert!(e.contains("comparisons[0].levels"), "{e}");
        let e = error(&MINIMAL.replace(
            "kind = \"email\"",
            "kind = \"levenshtein\"\nlevels = [2, 1]",
        ));
        assert!(e.contains("ascending"), "{e}");
        let e = error(&MINIMAL.replace("kind = \"email\"", "kind = \"email\"\nm = [0.5, 0.5]"));
        assert!(
            e.contains("comparisons[0].m") && e.contains("4 probabilities"),
            "{e}"
        );
        let e = error(&format!(
            "{MINIMAL}[survivorship]\nfields = {{ email = \"newest\" }}\n"
        ));
        assert!(e.contains("survivorship.fields.email"), "{e}");
        let e = error(&MINIMAL.replace("[thresholds]\n", "[thresholds]\nveto = 3\n"));
        assert!(e.contains("thresholds.veto"), "{e}");
    }
}
