//! Reference data kept as data in `rules/reference/`: the GB/T 4754-2017 industry sections and
//! divisions, and the mainland mobile number prefixes.
//!
//! The files are compiled in, so crmkit works anywhere; a rules directory given at run time
//! (`--rules-dir`, or `CRMKIT_RULES_DIR`) replaces them, so a new number range needs no release.

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::normalize::fold;

const INDUSTRIES: &str = include_str!("../../../rules/reference/industries.toml");
const PREFIXES: &str = include_str!("../../../rules/reference/mobile_prefixes.toml");

/// What a mobile number prefix is allocated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrefixKind {
    /// An ordinary mobile number.
    Mobile,
    /// Data-only (物联网/上网卡): not a contact phone.
    Data,
    /// A virtual operator's number (162, 165, 167, 170, 171).
    Virtual,
    /// A satellite phone (1740x, 1349).
    Satellite,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndustryFile {
    sections: Vec<Section>,
    divisions: Vec<Division>,
}

/// A GB/T 4754 section (门类), A–T.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The letter.
    pub code: String,
    /// The official name.
    pub name: String,
    /// Short forms people write.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A GB/T 4754 division (大类), 01–97.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Division {
    /// The two digits.
    pub code: String,
    /// The official name.
    pub name: String,
    /// The section letter it belongs to.
    pub section: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrefixFile {
    prefixes: Vec<Prefix>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Prefix {
    prefix: String,
    #[allow(dead_code)] // kept for people reading the file and for future reports
    carrier: String,
    kind: PrefixKind,
}

/// The loaded reference data, indexed for look-ups.
#[derive(Debug)]
pub struct Reference {
    sections: Vec<Section>,
    divisions: HashMap<String, usize>,
    /// Folded, punctuation-free names and aliases → section index.
    names: HashMap<String, usize>,
    /// Section names and aliases as written → section index (the quick path).
    written: HashMap<String, usize>,
    prefixes: HashMap<String, PrefixKind>,
}

impl Reference {
    /// The data compiled into crmkit.
    pub fn builtin() -> Result<Reference> {
        Reference::parse(
            INDUSTRIES,
            "rules/reference/industries.toml",
            PREFIXES,
            "rules/reference/mobile_prefixes.toml",
        )
    }

    /// The data in `dir/reference/`, falling back to the built-in file for any that is absent.
    pub fn load(dir: &Path) -> Result<Reference> {
        let read = |name: &str, builtin: &'static str| -> Result<(String, String)> {
            let path = dir.join("reference").join(name);
            if path.exists() {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::io(&path, "read reference data", e))?;
                Ok((text, path.display().to_string()))
            } else {
                Ok((builtin.to_string(), format!("rules/reference/{name}")))
            }
        };
        let (industries, industries_origin) = read("industries.toml", INDUSTRIES)?;
        let (prefixes, prefixes_origin) = read("mobile_prefixes.toml", PREFIXES)?;
        Reference::parse(&industries, &industries_origin, &prefixes, &prefixes_origin)
    }

    fn parse(
        industries: &str,
        industries_origin: &str,
        prefixes: &str,
        prefixes_origin: &str,
    ) -> Result<Reference> {
        let industries: IndustryFile = crate::rules::parse_toml(industries, industries_origin)?;
        let prefix_file: PrefixFile = crate::rules::parse_toml(prefixes, prefixes_origin)?;
        let invalid = |file: &str, key: String, message: String| Error::InvalidTemplate {
            file: file.to_string(),
            key,
            message,
        };
        let mut names = HashMap::default();
        let mut written = HashMap::default();
        for (i, section) in industries.sections.iter().enumerate() {
            for name in std::iter::once(&section.name).chain(&section.aliases) {
                written.insert(name.clone(), i);
            }
            for (j, name) in std::iter::once(&section.name)
                .chain(&section.aliases)
                .enumerate()
            {
                if let Some(other) = names.insert(name_key(name), i) {
                    if other != i {
                        return Err(invalid(
                            industries_origin,
                            format!("sections[{i}].aliases[{}]", j.saturating_sub(1)),
                            format!(
                                "`{name}` also names section {}",
                                industries.sections[other].code
                            ),
                        ));
                    }
                }
            }
        }
        let mut divisions = HashMap::default();
        for (i, division) in industries.divisions.iter().enumerate() {
            let section = industries
                .sections
                .iter()
                .position(|s| s.code == division.section)
                .ok_or_else(|| {
                    invalid(
                        industries_origin,
                        format!("divisions[{i}].section"),
                        format!("unknown section `{}`", division.section),
                    )
                })?;
            divisions.insert(division.code.clone(), section);
            // A division's name leads to its section, unless it is also another section's name.
            names.entry(name_key(&division.name)).or_insert(section);
        }
        let mut prefixes = HashMap::default();
        for (i, p) in prefix_file.prefixes.iter().enumerate() {
            if !(3..=5).contains(&p.prefix.len()) || !p.prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(
                    prefixes_origin,
                    format!("prefixes[{i}].prefix"),
                    format!("expected 3 to 5 digits, found `{}`", p.prefix),
                ));
            }
            prefixes.insert(p.prefix.clone(), p.kind);
        }
        Ok(Reference {
            sections: industries.sections,
            divisions,
            names,
            written,
            prefixes,
        })
    }

    /// What the longest listed prefix of an 11-digit number is allocated for; `None` when no
    /// listed prefix matches (an unallocated range).
    pub fn prefix_kind(&self, number: &str) -> Option<PrefixKind> {
        (3..=5.min(number.len()))
            .rev()
            .find_map(|n| self.prefixes.get(&number[..n]).copied())
    }

    /// Whether `text` is exactly a section's official name (the canonical form).
    pub fn is_section_name(&self, text: &str) -> bool {
        self.written
            .get(text)
            .is_some_and(|&i| self.sections[i].name == text)
    }

    /// The canonical section name for a section or division name, a common alias, or a code
    /// (C, C13, 13, C1310, optionally followed by a name: `C 制造业`); or why it is none.
    pub fn industry_section(&self, text: &str) -> std::result::Result<&str, &'static str> {
        if let Some(&section) = self.written.get(text) {
            return Ok(&self.sections[section].name);
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(&section) = self.names.get(&name_key(&compact)) {
            return Ok(&self.sections[section].name);
        }
        let upper = compact.to_uppercase();
        let (letter, rest) = match upper.chars().next() {
            Some(c @ 'A'..='Z') => (Some(c), &upper[1..]),
            _ => (None, upper.as_str()),
        };
        let digits_end = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (digits, tail) = rest.split_at(digits_end);
        let tail = tail.trim_start_matches(['-', '_', ':', '：', '.', '、', '/']);
        // `C-36`, `C 36`: a separator between the letter and the digits.
        if letter.is_some() && digits.is_empty() {
            let rest = rest.trim_start_matches(['-', '_', '.', ' ']);
            if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
                let code = format!("{}{rest}", letter.unwrap_or_default());
                return self.industry_section(&code);
            }
        }
        let by_letter =
            letter.and_then(|l| self.sections.iter().position(|s| s.code.starts_with(l)));
        let section = if digits.is_empty() {
            by_letter.ok_or("不是国民经济行业分类中的门类或大类")?
        } else {
            if !(2..=4).contains(&digits.len()) {
                return Err("的行业代码位数不对 (大类2位, 中类3位, 小类4位)");
            }
            let section = *self
                .divisions
                .get(&digits[..2])
                .ok_or("不是国民经济行业分类中的行业代码")?;
            if letter.is_some() && by_letter != Some(section) {
                return Err("的门类字母与行业代码不符");
            }
            section
        };
        if !tail.is_empty() {
            match self.names.get(&name_key(tail)) {
                Some(&named) if named == section => {}
                Some(_) => return Err("的代码与名称不属于同一门类"),
                None => return Err("不是国民经济行业分类中的门类或大类"),
            }
        }
        Ok(&self.sections[section].name)
    }
}

/// Names compare folded and without punctuation (信息传输、软件… = 信息传输软件…).
fn name_key(name: &str) -> String {
    fold(name)
        .chars()
        .filter(|c| !(c.is_ascii_punctuation() || matches!(c, '、' | '，' | '。' | '（' | '）')))
        .collect()
}
