//! Header mapping: which input column feeds which template field, and how sure we are.
//!
//! Each input header is compared with every field's header and aliases, in decreasing order of
//! confidence: the exact header, an exact alias, the same text once normalised (full-width and
//! half-width folded, case, spaces, punctuation, `*` and `(必填)` markers removed), and finally a
//! fuzzy match scored by edit distance and containment. Fields and columns are paired greedily,
//! best match first, so each field takes at most one column and each column feeds at most one
//! field. Columns that match nothing are kept and passed through, never dropped.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::read::column_letter;
use std::collections::HashSet;

use crate::template::Template;

/// The lowest fuzzy score accepted as a match.
pub const FUZZY_THRESHOLD: f64 = 0.75;
/// The lowest fuzzy score offered as a suggestion for a missing column.
const SUGGESTION_THRESHOLD: f64 = 0.3;

/// How an input header was matched to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The header is the field's header.
    Exact,
    /// The header is one of the field's aliases.
    Alias,
    /// The header equals the field's header or an alias once normalised.
    Normalized,
    /// The header is similar to the field's header or an alias.
    Fuzzy,
}

impl MatchKind {
    /// The Chinese word shown in the mapping table.
    pub fn label(self) -> &'static str {
        match self {
            MatchKind::Exact => "精确",
            MatchKind::Alias => "别名",
            MatchKind::Normalized => "规范化",
            MatchKind::Fuzzy => "模糊",
        }
    }

    /// The English name used in machine-readable output.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Alias => "alias",
            MatchKind::Normalized => "normalized",
            MatchKind::Fuzzy => "fuzzy",
        }
    }
}

/// The field an input column was mapped to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldMatch {
    /// The field's index in the template.
    pub field: usize,
    /// The field's key.
    pub key: String,
    /// How it matched.
    pub kind: MatchKind,
    /// 1.0 for exact, alias and normalised matches; the similarity for fuzzy ones.
    pub score: f64,
    /// The template name (header or alias) it matched.
    pub matched: String,
}

/// One input column and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnMapping {
    /// 0-based column index in the input.
    pub index: usize,
    /// Excel's column letter.
    pub letter: String,
    /// The header as written in the input (trimmed).
    pub header: String,
    /// The field it feeds, if any; `None` means it is passed through unchanged.
    pub target: Option<FieldMatch>,
    /// Why a column that looked like a field was not mapped (another column took the field).
    pub note: Option<String>,
}

/// A close input header offered for a missing field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The input header.
    pub header: String,
    /// Its column letter.
    pub letter: String,
    /// Its similarity to the field's names.
    pub score: f64,
}

/// A template field no input column feeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingField {
    /// The field's key.
    pub key: String,
    /// The field's header.
    pub header: String,
    /// Whether the template requires it.
    pub required: bool,
    /// The closest unmapped input headers, best first.
    pub suggestions: Vec<Suggestion>,
}

/// The result of mapping a header row onto a template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    /// Every input column, in input order.
    pub columns: Vec<ColumnMapping>,
    /// Template fields no column feeds, in template order.
    pub missing: Vec<MissingField>,
    /// For each template field, the input column feeding it.
    #[serde(skip)]
    pub source_of: Vec<Option<usize>>,
}

impl Mapping {
    /// The required fields no column feeds.
    pub fn missing_required(&self) -> impl Iterator<Item = &MissingField> {
        self.missing.iter().filter(|m| m.required)
    }

    /// Columns passed through unmapped.
    pub fn unmapped(&self) -> impl Iterator<Item = &ColumnMapping> {
        self.columns.iter().filter(|c| c.target.is_none())
    }
}

/// Normalises a header for comparison: NFKC (full-width → half-width), lower case, and without
/// whitespace, punctuation, brackets, the `*` required marker and `必填`/`选填` notes.
pub fn normalize_header(header: &str) -> String {
    let folded: String = header.nfkc().collect::<String>().to_lowercase();
    let without_notes = folded.replace("必填", "").replace("选填", "");
    without_notes
        .chars()
        .filter(|c| !(c.is_whitespace() || c.is_ascii_punctuation() || is_cjk_punctuation(*c)))
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}'))
        .collect()
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}' // CJK symbols and punctuation: 、。〈〉《》「」【】
        | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' // full-width forms NFKC leaves
        | '·' | '・' | '‘' | '’' | '“' | '”' | '—' | '–' | '…')
}

/// Similarity of two normalised headers in [0, 1]: normalised Levenshtein over characters, or,
/// when one contains the other and covers at least 60% of it, 0.55 plus 0.4 × the coverage.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let lev = strsim::normalized_levenshtein(a, b);
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    // Containment counts only when the contained name covers most of the longer one, so a
    // short alias (编号) does not pull in every header that happens to contain it (合同编号).
    let coverage = short.chars().count() as f64 / long.chars().count() as f64;
    let contained = if coverage >= 0.6 && long.contains(short) {
        0.55 + 0.4 * coverage
    } else {
        0.0
    };
    lev.max(contained)
}

/// A template's headers and aliases, normalised once, for matching many cells against them.
pub struct HeaderIndex<'t> {
    /// Per field: its names (header first) with their normalised forms.
    names: Vec<Vec<(&'t str, String)>>,
    /// Every name as written, for the quick test in [`HeaderIndex::is_known`].
    written: HashSet<&'t str>,
    /// Every normalised name.
    normalized: HashSet<String>,
}

impl<'t> HeaderIndex<'t> {
    /// Indexes a template's names.
    pub fn new(template: &'t Template) -> HeaderIndex<'t> {
        let names: Vec<Vec<(&str, String)>> = template
            .fields
            .iter()
            .map(|f| f.names().map(|n| (n, normalize_header(n))).collect())
            .collect();
        let written = names.iter().flatten().map(|(n, _)| *n).collect();
        let normalized = names.iter().flatten().map(|(_, n)| n.clone()).collect();
        HeaderIndex {
            names,
            written,
            normalized,
        }
    }

    /// Whether a cell names some field exactly, by alias, or once normalised (not fuzzily).
    pub fn is_known(&self, cell: &str) -> bool {
        let trimmed = cell.trim();
        !trimmed.is_empty()
            && (self.written.contains(unmark(trimmed))
                || self.normalized.contains(&normalize_header(trimmed)))
    }

    /// How many cells of a row name template fields (not fuzzily); used to find the header row
    /// below banner rows.
    pub fn header_score<'a>(&self, cells: impl IntoIterator<Item = &'a str>) -> usize {
        cells.into_iter().filter(|c| self.is_known(c)).count()
    }

    /// How well a cell matches one field: the best of its header and aliases.
    pub fn match_field(&self, field: usize, cell: &str) -> Option<(MatchKind, f64, String)> {
        let trimmed = cell.trim();
        if trimmed.is_empty() {
            return None;
        }
        let unmarked = unmark(trimmed);
        let normalized = normalize_header(trimmed);
        let mut best: Option<(MatchKind, f64, String)> = None;
        for (j, (name, target)) in self.names[field].iter().enumerate() {
            let candidate = if unmarked == *name {
                let kind = if j == 0 {
                    MatchKind::Exact
                } else {
                    MatchKind::Alias
                };
                Some((kind, 1.0))
            } else if normalized == *target {
                Some((MatchKind::Normalized, 1.0))
            } else {
                let s = similarity(&normalized, target);
                (s >= FUZZY_THRESHOLD).then_some((MatchKind::Fuzzy, s))
            };
            if let Some((kind, score)) = candidate {
                if best
                    .as_ref()
                    .is_none_or(|(k, s, _)| (kind, -score) < (*k, -*s))
                {
                    best = Some((kind, score, name.to_string()));
                }
            }
        }
        best
    }
}

/// The header without the required marker our own blank templates put before it.
fn unmark(header: &str) -> &str {
    header.trim_start_matches(['*', '＊']).trim()
}

/// Maps input headers onto a template's fields.
pub fn map_headers(template: &Template, headers: &[String]) -> Mapping {
    let index = HeaderIndex::new(template);
    // Every (column, field) candidate, best first.
    let mut candidates = Vec::new();
    for (column, header) in headers.iter().enumerate() {
        for field in 0..template.fields.len() {
            if let Some((kind, score, matched)) = index.match_field(field, header) {
                candidates.push((kind, score, column, field, matched));
            }
        }
    }
    candidates.sort_by(|a, b| {
        (a.0, b.1, a.2, a.3)
            .partial_cmp(&(b.0, a.1, b.2, b.3))
            .unwrap_or(std::cmp::Ordering::Equal)
    });

    let mut source_of: Vec<Option<usize>> = vec![None; template.fields.len()];
    let mut target_of: Vec<Option<FieldMatch>> = vec![None; headers.len()];
    let mut notes: Vec<Option<String>> = vec![None; headers.len()];
    for (kind, score, column, field, matched) in candidates {
        if target_of[column].is_some() {
            continue;
        }
        if let Some(taken_by) = source_of[field] {
            // Only a sure match (not fuzzy) deserves a note: the column is a second copy.
            if kind != MatchKind::Fuzzy && notes[column].is_none() {
                notes[column] = Some(format!(
                    "也匹配字段 {} ({}), 但该字段已由 {} 列 \"{}\" 提供; 本列原样保留",
                    template.fields[field].header,
                    template.fields[field].key,
                    column_letter(taken_by),
                    headers[taken_by].trim()
                ));
            }
            continue;
        }
        source_of[field] = Some(column);
        target_of[column] = Some(FieldMatch {
            field,
            key: template.fields[field].key.clone(),
            kind,
            score,
            matched,
        });
    }
    for (column, target) in target_of.iter().enumerate() {
        if target.is_some() {
            notes[column] = None;
        }
    }

    let columns: Vec<ColumnMapping> = headers
        .iter()
        .enumerate()
        .map(|(index, header)| ColumnMapping {
            index,
            letter: column_letter(index),
            header: header.trim().to_string(),
            target: target_of[index].take(),
            note: notes[index].take(),
        })
        .collect();

    let missing = template
        .fields
        .iter()
        .enumerate()
        .filter(|(i, _)| source_of[*i].is_none())
        .map(|(i, field)| {
            let names: Vec<&String> = index.names[i].iter().map(|(_, n)| n).collect();
            let mut suggestions: Vec<Suggestion> = columns
                .iter()
                .filter(|c| c.target.is_none() && !c.header.is_empty())
                .map(|c| {
                    let n = normalize_header(&c.header);
                    let score = names.iter().map(|t| similarity(&n, t)).fold(0.0, f64::max);
                    Suggestion {
                        header: c.header.clone(),
                        letter: c.letter.clone(),
                        score,
                    }
                })
                .filter(|s| s.score >= SUGGESTION_THRESHOLD)
                .collect();
            suggestions.sort_by(|a, b| b.score.total_cmp(&a.score));
            suggestions.truncate(3);
            MissingField {
                key: field.key.clone(),
                header: field.header.clone(),
                required: field.required,
                suggestions,
            }
        })
        .collect();

    Mapping {
        columns,
        missing,
        source_of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> Template {
        Template::parse(
            r#"
name = "t"
title = "测试"
[[fields]]
key = "customer_name"
header = "客户名称"
aliases = ["公司名称", "企业名称"]
type = "company_name"
required = true
[[fields]]
key = "mobile"
header = "联系电话"
aliases = ["手机", "手机号"]
type = "mobile"
required = true
[[fields]]
key = "next_step"
header = "下一步计划"
type = "text"
[[fields]]
key = "feedback"
header = "客户反馈/需求"
type = "text"
[[fields]]
key = "email"
header = "电子邮箱"
aliases = ["E-mail"]
type = "email"
"#,
            "t.toml",
        )
        .unwrap()
    }

    fn kinds(headers: &[&str]) -> Vec<Option<(String, MatchKind)>> {
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        map_headers(&template(), &headers)
            .columns
            .into_iter()
            .map(|c| c.target.map(|t| (t.key, t.kind)))
            .collect()
    }

    #[test]
    fn normalisation_folds_width_case_and_markers() {
        assert_eq!(normalize_header(" *客户名称（必填） "), "客户名称");
        assert_eq!(normalize_header("客户反馈 / 需求"), "客户反馈需求");
        assert_eq!(normalize_header("Ｅ－ｍａｉｌ"), "email");
        assert_eq!(normalize_header("年采购额(万元)"), "年采购额万元");
        assert_eq!(normalize_header("【客户名称】"), "客户名称");
    }

    #[test]
    fn match_kinds() {
        use MatchKind::*;
        let got = kinds(&[
            "客户名称",
            "手机号",
            "Email",
            "下步计划",
            "客户反馈 / 需求",
            "微信",
        ]);
        assert_eq!(
            got,
            vec![
                Some(("customer_name".into(), Exact)),
                Some(("mobile".into(), Alias)),
                Some(("email".into(), Normalized)),
                Some(("next_step".into(), Fuzzy)),
                Some(("feedback".into(), Normalized)),
                None,
            ]
        );
        // The template's own required marker counts as exact.
        assert_eq!(
            kinds(&["*客户名称"])[0],
            Some(("customer_name".into(), Exact))
        );
    }

    #[test]
    fn each_field_takes_one_column_best_first() {
        let headers: Vec<String> = ["手机", "联系电话", "公司名称"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let m = map_headers(&template(), &headers);
        assert_eq!(m.columns[1].target.as_ref().unwrap().key, "mobile");
        assert!(m.columns[0].target.is_none());
        assert!(m.columns[0].note.as_ref().unwrap().contains("B 列"));
        assert_eq!(m.columns[2].target.as_ref().unwrap().kind, MatchKind::Alias);
    }

    #[test]
    fn missing_fields_come_with_suggestions() {
        let headers: Vec<String> = ["客户", "电话号"].iter().map(|s| s.to_string()).collect();
        let m = map_headers(&template(), &headers);
        let required: Vec<_> = m.missing_required().collect();
        assert!(required.iter().any(|f| f.key == "mobile"));
        let mobile = required.iter().find(|f| f.key == "mobile").unwrap();
        assert_eq!(mobile.suggestions[0].header, "电话号");
    }

    #[test]
    fn short_names_inside_longer_headers_are_not_matches() {
        assert!(similarity("合同编号", "编号") < FUZZY_THRESHOLD);
        assert!(similarity("跟进人员", "跟进人") >= FUZZY_THRESHOLD);
        assert!(similarity("联系电话手机", "联系电话") >= FUZZY_THRESHOLD);
    }

    #[test]
    fn unrelated_headers_do_not_match() {
        assert_eq!(kinds(&["联系人", "备注", "地址"]), vec![None, None, None]);
    }
}
