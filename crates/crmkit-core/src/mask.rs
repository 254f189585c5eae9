//! Masking personal data (脱敏).
//!
//! For logs and the terminal, [`mask`] and [`mask_digit_runs`] hide phone and ID numbers:
//! 13800138000 → 138****8000. Phone numbers, ID numbers and other long digit strings keep their
//! first three and last four characters; everything between becomes `*`. Shorter values are
//! left as they are. In free text, [`mask_digit_runs`] also finds numbers written with
//! separators or full-width digits (`138 0013 8000`, `(010) 6552-1234`, `１３８－００１３－８０００`),
//! and leaves dates, times, decimals and amounts readable.
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

/// How many digits a run needs to be masked on its own, without separators (a mobile has 11).
const LONG_RUN: usize = 11;

/// Masks a value that looks like a phone or ID number; other text is returned unchanged.
///
/// The value is taken as a whole: with 7 or more digits (ASCII or full-width) and 8 or more
/// characters, its first three and last four characters stay and every letter or digit between
/// becomes `*`; separators stay (`010-12345678` → `010-****5678`).
pub fn mask(value: &str) -> String {
    let digits = value.chars().filter(|&c| digit(c).is_some()).count();
    let chars: Vec<char> = value.chars().collect();
    if digits < MIN_DIGITS || chars.len() < 8 {
        return value.to_string();
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i < 3 || i >= chars.len() - 4 || !is_alphanumeric(c) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Masks the phone and ID numbers inside a text, leaving the rest as it is; for messages shown to
/// people (logs, the terminal) and free-text fields.
///
/// A number is a run of digits, or several runs joined each by one separator: a space, `-`,
/// `.`, their full-width forms (U+3000, `－`, `．`) or a no-break space, or an area code in
/// brackets (`(010) 6552 1234`, `（010）65521234`). Digits may be ASCII or full-width (`０`-`９`).
/// A leading country code `86` or `0086` (`+86 138-0013-8000`) stays visible and is not counted.
///
/// - A run of 11 or more digits is masked on its own, as always: `联系人电话 13800138000 有误` →
///   `联系人电话 138****8000 有误`. A single shorter run stays (`120000`, `20240315`).
/// - Joined runs holding 7 or more digits in all are one number: `138-0013-8000` →
///   `138-****-8000`, `110101 19900307 1000` → `110*** ******** 1000`, `(010) 6552 1234` →
///   `(010) **** 1234`.
///
/// Masking keeps the separators, brackets and the characters around, so the message reads as
/// written and keeps its length: a number of 11 or more digits shows its first three and last
/// four digits, a shorter one at most half its digits, the last ones first (`6552-1234` →
/// `****-1234`; showing three and four of eight digits would hide one), as [`Method::Phone`]
/// does. `*` replaces each hidden digit.
///
/// These stay readable although they have 7 or more digits:
/// - dates, alone or followed by a time: `2024-03-15`, `2024.3.15`, `15-03-2024`,
///   `2024-03-15 14:30`, and timestamps `20240315-143000` at the start of a number;
/// - decimals, two runs joined by a dot: `1234567.89`;
/// - versions and IP addresses, runs of at most three digits joined by dots: `192.168.1.100`;
/// - ranges of two runs joined by `-`: years `2023-2024`, round amounts `1000-5000`;
/// - runs of one or two digits only (`1 2 3 4 5 6 7`).
pub fn mask_digit_runs(text: &str) -> String {
    if !text.chars().any(|c| digit(c).is_some()) {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    let mut groups = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        groups.clear();
        match scan(&chars, i, &mut groups) {
            Some(end) => {
                mask_number(&mut chars, &groups);
                i = end;
            }
            None => i += 1,
        }
    }
    chars.into_iter().collect()
}

/// A digit, ASCII or full-width, and its value.
fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// A letter or digit, ASCII or full-width.
fn is_alphanumeric(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
}

/// How a run of digits is joined to the run before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// The first run.
    Start,
    /// A space, U+3000 or a no-break space.
    Space,
    /// `-`, `－` or a Unicode hyphen.
    Hyphen,
    /// `.` or `．`.
    Dot,
    /// Either run is in brackets: `(010) 6552`, `(010)6552`.
    Bracket,
}

/// The join a separator character makes.
fn separator(c: char) -> Option<Join> {
    match c {
        ' ' | '\u{3000}' | '\u{a0}' => Some(Join::Space),
        '-' | '－' | '\u{2010}' | '\u{2011}' => Some(Join::Hyphen),
        '.' | '．' => Some(Join::Dot),
        _ => None,
    }
}

/// One run of digits, `chars[start..end]`.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    join: Join,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }

    /// The run's value (saturating; only short runs are read).
    fn value(&self, chars: &[char]) -> u64 {
        chars[self.start..self.end].iter().fold(0, |v: u64, &c| {
            v.saturating_mul(10)
                .saturating_add(u64::from(digit(c).unwrap_or(0)))
        })
    }
}

/// A run of digits at `at`, bare or in brackets: its digits' range, where it ends and whether it
/// is bracketed.
fn group_at(chars: &[char], at: usize) -> Option<(usize, usize, usize, bool)> {
    let run_end = |from: usize| {
        (from..chars.len())
            .find(|&k| digit(chars[k]).is_none())
            .unwrap_or(chars.len())
    };
    let c = *chars.get(at)?;
    if digit(c).is_some() {
        let end = run_end(at);
        return Some((at, end, end, false));
    }
    if matches!(c, '(' | '（') {
        let end = run_end(at + 1);
        if end > at + 1 && matches!(chars.get(end), Some(')' | '）')) {
            return Some((at + 1, end, end + 1, true));
        }
    }
    None
}

/// Reads the runs of digits joined by single separators that start at `at` into `groups`;
/// returns where they end, or `None` when no run starts at `at`.
fn scan(chars: &[char], at: usize, groups: &mut Vec<Group>) -> Option<usize> {
    let (start, end, mut pos, mut bracketed) = group_at(chars, at)?;
    groups.push(Group {
        start,
        end,
        join: Join::Start,
    });
    loop {
        let after_separator = chars
            .get(pos)
            .copied()
            .and_then(separator)
            .and_then(|join| group_at(chars, pos + 1).map(|g| (g, join)));
        let next = after_separator.or_else(|| {
            bracketed
                .then(|| group_at(chars, pos).map(|g| (g, Join::Bracket)))
                .flatten()
        });
        let Some(((start, end, next, b), join)) = next else {
            break;
        };
        let join = if bracketed || b { Join::Bracket } else { join };
        groups.push(Group { start, end, join });
        pos = next;
        bracketed = b;
    }
    Some(pos)
}

/// Masks what in one stretch of joined runs is a phone or ID number.
fn mask_number(chars: &mut [char], groups: &[Group]) {
    let n = groups.len();
    if n == 1 {
        // The common case: one bare run, masked when long, as always.
        if groups[0].len() >= LONG_RUN {
            hide_middle(chars, groups);
        }
        return;
    }
    // Long runs are numbers on their own; dates are not numbers. Both split the stretch, and
    // what lies between is judged on its own.
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut longs: Vec<usize> = Vec::new();
    let mut piece_start = 0;
    let mut after_date = false;
    let mut k = 0;
    while k < n {
        let (split, date) = if groups[k].len() >= LONG_RUN {
            longs.push(k);
            (1, false)
        } else if let Some(len) = date_at(chars, groups, k, after_date) {
            (len, true)
        } else {
            after_date = false;
            k += 1;
            continue;
        };
        if piece_start < k {
            pieces.push((piece_start, k));
        }
        after_date = date;
        k += split;
        piece_start = k;
    }
    if piece_start < n {
        pieces.push((piece_start, n));
    }
    for (a, b) in pieces {
        if let Some(skip) = number_start(chars, &groups[a..b]) {
            hide_middle(chars, &groups[a + skip..b]);
        }
    }
    for k in longs {
        hide_middle(chars, &groups[k..=k]);
    }
}

/// How many runs a date or timestamp starting at run `k` spans, if one does. `after_date` says
/// whether a date ends right before `k`.
fn date_at(chars: &[char], groups: &[Group], k: usize, after_date: bool) -> Option<usize> {
    let n = groups.len();
    // 2024-03-15, 2024.3.15, 15-03-2024: three runs joined by the same separator. So that an ID
    // number written `110101-1990-03-07-1000` is not taken apart, the runs next to the date must
    // be joined to it by another separator, or be dates themselves.
    let three = |k: usize| {
        k + 2 < n
            && matches!(groups[k + 1].join, Join::Space | Join::Hyphen | Join::Dot)
            && groups[k + 2].join == groups[k + 1].join
            && is_date(chars, &groups[k..k + 3])
    };
    if three(k) {
        let sep = groups[k + 1].join;
        let before = k == 0 || after_date || groups[k].join != sep;
        let after = k + 3 == n
            || groups[k + 3].join != sep
            || three(k + 3)
            || k + 4 == n && is_hour(chars, groups[k + 3]);
        if before && after {
            return Some(3);
        }
    }
    // 20240315 or 20240315-143000 at the start: a timestamp (run directories are named so).
    if k == 0 && groups[0].len() == 8 {
        let v = groups[0].value(chars);
        if is_ymd(v / 10000, v / 100 % 100, v % 100) {
            let time = groups.get(1).is_some_and(|g| {
                matches!(g.join, Join::Space | Join::Hyphen) && is_time(g.len(), g.value(chars))
            });
            return Some(if time { 2 } else { 1 });
        }
    }
    None
}

/// Whether three runs read as a date: year first (4-digit year, 1-2 digit month and day), or
/// year last (day and month in either order).
fn is_date(chars: &[char], g: &[Group]) -> bool {
    let short = |g: &Group| g.len() <= 2;
    let v = [g[0].value(chars), g[1].value(chars), g[2].value(chars)];
    if g[0].len() == 4 && short(&g[1]) && short(&g[2]) {
        return is_ymd(v[0], v[1], v[2]);
    }
    if short(&g[0]) && short(&g[1]) && g[2].len() == 4 {
        return is_ymd(v[2], v[1], v[0]) || is_ymd(v[2], v[0], v[1]);
    }
    false
}

/// A plausible calendar date (days up to 31 in every month: this only tells dates from numbers).
fn is_ymd(year: u64, month: u64, day: u64) -> bool {
    (1800..=2199).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// The hour of a time written with a colon: `14` in `14:30`.
fn is_hour(chars: &[char], g: Group) -> bool {
    g.len() <= 2 && g.value(chars) < 24 && matches!(chars.get(g.end), Some(':' | '：'))
}

/// `1430` or `143000`.
fn is_time(len: usize, v: u64) -> bool {
    match len {
        4 => v / 100 < 24 && v % 100 < 60,
        6 => v / 10000 < 24 && v / 100 % 100 < 60 && v % 100 < 61,
        _ => false,
    }
}

/// Whether joined runs (no long run or date among them) are a phone or ID number; if so, how
/// many leading runs are a country code to leave visible.
fn number_start(chars: &[char], g: &[Group]) -> Option<usize> {
    let first = || chars[g[0].start..g[0].end].iter().map(|&c| digit(c));
    let country = g.len() >= 2
        && (first().eq([Some(8), Some(6)]) || first().eq([Some(0), Some(0), Some(8), Some(6)]));
    let skip = usize::from(country);
    let rest = &g[skip..];
    if rest.iter().map(Group::len).sum::<usize>() < MIN_DIGITS {
        return None;
    }
    if rest.len() == 1 {
        // A lone run shorter than a mobile stays, as it always has, unless a country code
        // says it is a phone.
        return country.then_some(skip);
    }
    if rest.iter().all(|g| g.len() <= 2) {
        return None;
    }
    if rest.len() == 2 && rest[1].join == Join::Dot {
        return None; // 1234567.89
    }
    if rest[1..].iter().all(|g| g.join == Join::Dot) && rest.iter().all(|g| g.len() <= 3) {
        return None; // 192.168.1.100, 1.22.333
    }
    if rest.len() == 2 && rest[1].join == Join::Hyphen && is_range(chars, rest[0], rest[1]) {
        return None;
    }
    Some(skip)
}

/// `2023-2024`, `1000-5000`: years, or round amounts, the second larger.
fn is_range(chars: &[char], a: Group, b: Group) -> bool {
    let (x, y) = (a.value(chars), b.value(chars));
    let years = a.len() == 4 && b.len() == 4 && (1800..=2199).contains(&x) && x <= y;
    let leading_zero = |g: Group| digit(chars[g.start]) == Some(0);
    // Ends of a range are of like size (500-1000, 1000-5000); a number split 4-7 is not a range.
    let round = !leading_zero(a)
        && !leading_zero(b)
        && x % 100 == 0
        && y % 100 == 0
        && x < y
        && b.len() <= a.len() + 1;
    years || round
}

/// Hides the digits of a number: an 11-digit or longer one keeps its first three and last four
/// digits, a shorter one at most half of them, the last first.
fn hide_middle(chars: &mut [char], groups: &[Group]) {
    let n: usize = groups.iter().map(Group::len).sum();
    let (head, tail) = if n >= LONG_RUN {
        (3, 4)
    } else {
        let visible = n / 2;
        let tail = visible.min(4);
        (visible - tail, tail)
    };
    let positions = groups.iter().flat_map(|g| g.start..g.end);
    for (d, p) in positions.enumerate() {
        if d >= head && d < n - tail {
            chars[p] = '*';
        }
    }
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
    /// Phone and ID numbers inside free text (runs of 11 or more digits, and numbers written
    /// with separators such as `138 0013 8000`) masked as [`mask_digit_runs`] does; the rest of
    /// the text kept.
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

    #[test]
    fn mask_hides_full_width_digits() {
        assert_eq!(mask("１３８００１３８０００"), "１３８****８０００");
        assert_eq!(mask("１３８－００１３－８０００"), "１３８－****－８０００");
        assert_eq!(mask("138 0013 8000"), "138 **** 8000");
        assert_eq!(mask("+86 138-0013-8000"), "+86 ***-****-8000");
    }

    /// Numbers as they were printed unmasked before separators were understood.
    #[test]
    fn masks_numbers_written_with_separators() {
        let cases = [
            (
                "联系人 \"王五138-0013-8000\" 含有数字",
                "联系人 \"王五138-****-8000\" 含有数字",
            ),
            (
                "实际为 \"+86 138-0013-8000\"",
                "实际为 \"+86 138-****-8000\"",
            ),
            ("实际为 \"138 0013 8000\"", "实际为 \"138 **** 8000\""),
            (
                "联系人 \"身份证110101 19900307 1000\"",
                "联系人 \"身份证110*** ******** 1000\"",
            ),
            (
                "年采购额(万元)“138 0013 8000元”无法写入数据库",
                "年采购额(万元)“138 **** 8000元”无法写入数据库",
            ),
            ("电话 138.0013.8000。", "电话 138.****.8000。"),
            ("86 138 0013 8000", "86 138 **** 8000"),
            ("0086-138-0013-8000", "0086-138-****-8000"),
            ("＋86 138 0013 8000", "＋86 138 **** 8000"),
            ("+86 13800138000", "+86 138****8000"),
            ("+86 10 6552 1234", "+86 1* **** 1234"),
            // An ID number whose middle reads like a date is still one number.
            ("110101-1990-03-07-1000", "110***-****-**-**-1000"),
            ("身份证 110105 19491231 002X", "身份证 110*** *******1 002X"),
            // Two phones side by side are masked one by one.
            ("13800138000 13900139000", "138****8000 139****9000"),
            // A date before a phone is not part of it.
            ("2024-03-15 138 0013 8000", "2024-03-15 138 **** 8000"),
            ("138-0013-8000 2024-03-15", "138-****-8000 2024-03-15"),
        ];
        for (text, masked) in cases {
            assert_eq!(mask_digit_runs(text), masked, "{text}");
        }
    }

    #[test]
    fn masks_full_width_digits_and_separators() {
        let cases = [
            ("电话 １３８００１３８０００", "电话 １３８****８０００"),
            (
                "电话 １３８－００１３－８０００ 有误",
                "电话 １３８－****－８０００ 有误",
            ),
            (
                "电话 １３８\u{3000}００１３\u{3000}８０００",
                "电话 １３８\u{3000}****\u{3000}８０００",
            ),
            ("电话 138．0013．8000", "电话 138．****．8000"),
            (
                "电话 138\u{a0}0013\u{a0}8000",
                "电话 138\u{a0}****\u{a0}8000",
            ),
            ("电话 １３８-0013 ８０００", "电话 １３８-**** ８０００"),
        ];
        for (text, masked) in cases {
            assert_eq!(mask_digit_runs(text), masked, "{text}");
        }
    }

    #[test]
    fn masks_landlines_with_area_codes() {
        let cases = [
            ("电话 (010) 6552 1234", "电话 (010) **** 1234"),
            ("电话 (010)65521234", "电话 (010)****1234"),
            ("电话 （010）6552-1234", "电话 （010）****-1234"),
            ("电话 010-65521234", "电话 010-****1234"),
            ("电话 010 6552 1234", "电话 010 **** 1234"),
            ("电话 0755-8888123", "电话 075*-***8123"),
            // Shorter numbers show at most half their digits, the last ones.
            ("电话 6552 1234", "电话 **** 1234"),
            ("电话 6552-1234", "电话 ****-1234"),
            ("电话 655-1234", "电话 ***-*234"),
            ("电话 400-820-8820", "电话 4**-***-8820"),
        ];
        for (text, masked) in cases {
            assert_eq!(mask_digit_runs(text), masked, "{text}");
        }
    }

    #[test]
    fn leaves_dates_times_amounts_and_codes_alone() {
        let texts = [
            "2024-03-15",
            "日期 2024-03-15 超出范围",
            "2024-03-15 14:30",
            "2024-03-15 14:30:00",
            "2034-01-01 10:00 超出范围",
            "2024.03.15",
            "2024/03/15",
            "2024-3-5",
            "2024 03 15",
            "2024 03 15 14:30",
            "15-03-2024",
            "03.15.2024",
            "２０２４－０３－１５",
            "2024-03-15 2024-04-15",
            "有效期 2024-03-15-2025-03-14",
            "2024-03-15 至 2024-04-15",
            "2024-03-15~2024-04-15",
            "运行 20240315-143000",
            "运行 20240315-143000-2",
            "20240315 14:30",
            "2023-2024 年度",
            "年采购额 1000-5000 万元",
            "员工 500-1000 人",
            "金额 12.50 元",
            "金额 25.5 万元",
            "金额 1234567.89 元",
            "金额 1,234,567.89 元",
            "120000",
            "1234567",
            "1234567890",
            "20240315",
            "连接 192.168.1.100:5432 失败",
            "crmkit 1.12.0",
            "GB/T 2828.1 表 1",
            "第 3 行 E 列",
            "第 1200 行 3 列",
            "1 2 3 4 5 6 7",
            "例如 91110108MA01A8B98L",
            "预算 60 万元",
            "",
        ];
        for text in texts {
            assert_eq!(mask_digit_runs(text), text);
        }
    }

    #[test]
    fn plain_runs_are_masked_as_before() {
        assert_eq!(mask_digit_runs("13800138000"), "138****8000");
        assert_eq!(
            mask_digit_runs("请联系13800138000。"),
            "请联系138****8000。"
        );
        assert_eq!(mask_digit_runs("+8613800138000"), "+861******8000");
        assert_eq!(mask_digit_runs("110101199003071000"), "110***********1000");
        assert_eq!(
            mask_digit_runs("12345678901234567890"),
            "123*************7890"
        );
    }

    mod props {
        use super::mask_digit_runs;
        use proptest::prelude::*;

        const SEPARATORS: &[char] = &[' ', '-', '.', '\u{3000}', '－', '．', '\u{a0}'];

        /// The digits of a text, full-width ones as ASCII.
        fn digits(text: &str) -> String {
            text.chars()
                .filter_map(|c| match c {
                    '0'..='9' => Some(c),
                    '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                    _ => None,
                })
                .collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// However a mobile is written inside a message, only its first three and last four
            /// digits show, and the message keeps its length.
            #[test]
            fn a_written_mobile_never_shows_its_middle(
                mobile in "1[3-9][0-9]{9}",
                layout in prop::sample::select(vec![
                    vec![11], vec![3, 4, 4], vec![3, 3, 5], vec![4, 4, 3], vec![3, 8],
                    vec![4, 7], vec![7, 4],
                    // Not 1-2-4-4: `1 30 1800 0000` reads as 1 January 1800 between two
                    // numbers, and stays (a layout nobody writes a mobile in).
                ]),
                seps in prop::collection::vec(prop::sample::select(SEPARATORS), 3),
                wide in prop::collection::vec(any::<bool>(), 11),
                country in prop::sample::select(vec!["", "+86 ", "+86-", "86 ", "0086 ", "＋86 "]),
                before in "[华远北京联系人电话实际为a-zA-Z:：,，。“”\"()（）/ ]{0,8}",
                after in "[华远北京联系人电话有误元a-zA-Z:：,，。“”\"()（）/ ]{0,8}",
            ) {
                let mut written = String::new();
                let mut digit = mobile.chars();
                for (g, &len) in layout.iter().enumerate() {
                    if g > 0 {
                        // Two runs joined by a dot read as a decimal (1380013.8000).
                        let sep = seps[g - 1];
                        written.push(if layout.len() == 2 && matches!(sep, '.' | '．') { '-' } else { sep });
                    }
                    for _ in 0..len {
                        let d = digit.next().unwrap();
                        let i = written.chars().count();
                        written.push(if wide[i % 11] {
                            char::from_u32(d as u32 - '0' as u32 + '０' as u32).unwrap()
                        } else {
                            d
                        });
                    }
                }
                let text = format!("{before}{country}{written}{after}");
                let masked = mask_digit_runs(&text);
                prop_assert_eq!(masked.chars().count(), text.chars().count());
                let shown = format!("{}{}{}", digits(country), &mobile[..3], &mobile[7..]);
                prop_assert_eq!(digits(&masked), shown, "{} → {}", text, masked);
            }

            /// Any text comes back with as many characters, only digits turned into `*`; masking
            /// it again changes nothing.
            #[test]
            fn masking_keeps_length_and_is_stable(
                text in prop_oneof![
                    "[0-9０-９ .\\-－．\u{3000}()（）+＋:华a]{0,40}",
                    any::<String>(),
                ]
            ) {
                let masked = mask_digit_runs(&text);
                prop_assert_eq!(masked.chars().count(), text.chars().count());
                for (a, b) in text.chars().zip(masked.chars()) {
                    prop_assert!(a == b || b == '*' && digits(&a.to_string()).len() == 1);
                }
                prop_assert_eq!(mask_digit_runs(&masked), masked.clone(), "{}", text);
            }

            /// Dates and times stay as written.
            #[test]
            fn dates_and_times_stay(
                year in 1900u32..2100,
                month in 1u32..=12,
                day in 1u32..=31,
                sep in prop::sample::select(vec!["-", ".", "/", "－", " "]),
                padded in any::<bool>(),
                time in prop::option::of((0u32..24, 0u32..60, prop::option::of(0u32..60))),
            ) {
                let date = if padded {
                    format!("{year}{sep}{month:02}{sep}{day:02}")
                } else {
                    format!("{year}{sep}{month}{sep}{day}")
                };
                let time = match time {
                    Some((h, m, Some(s))) => format!(" {h:02}:{m:02}:{s:02}"),
                    Some((h, m, None)) => format!(" {h:02}:{m:02}"),
                    None => String::new(),
                };
                let text = format!("签约日期 \"{date}{time}\" 晚于今天");
                prop_assert_eq!(mask_digit_runs(&text), text);
            }

            /// Amounts and counts shorter than a mobile stay as written.
            #[test]
            fn amounts_stay(whole in 0u64..10_000_000_000, cents in prop::option::of(0u32..100)) {
                let amount = match cents {
                    Some(c) => format!("{whole}.{c:02}"),
                    None => whole.to_string(),
                };
                let text = format!("年采购额 {amount} 元, 共 {whole} 行");
                prop_assert_eq!(mask_digit_runs(&text), text);
            }
        }
    }
}
