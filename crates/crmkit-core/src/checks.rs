//! Check-character validation of Chinese identifiers: 统一社会信用代码 (GB 32100-2015),
//! 组织机构代码 (GB 11714-1997) and the 18-digit 居民身份证号码 (GB 11643-1999).
//!
//! The functions expect input that the caller has already normalised (trimmed, upper case,
//! half-width, no spaces). They do not normalise themselves: a lower-case letter, a space or a
//! full-width character is reported as [`CodeProblem::BadChar`] with its 1-based position, so
//! the caller can tell the user exactly what to fix.
//!
//! Every problem carries a Chinese sentence for the user ([`CodeProblem::message`], also used by
//! `Display`) and a short English rule id ([`CodeProblem::rule`]) for reports and tests.
//!
//! Decisions about the code tables (the standards leave parts of them to later assignment):
//!
//! - 登记管理部门代码 (credit code position 1): GB 32100-2015 itself lists `1` 机构编制,
//!   `5` 民政, `9` 工商 and `Y` 其他; codes assigned to other departments since then are
//!   numbered inconsistently across published lists. We accept `1`–`9`, `A`–`G`, `N` and `Y`
//!   (the union of the published assignments) and reject the rest (`0`, `H`–`M`, `P`–`X`).
//! - 机构类别代码 (position 2) is checked strictly only where the standard fixes it:
//!   `1` → 1, 2, 3, 9; `5` → 1, 2, 3, 9; `9` → 1, 2, 3; `Y` → 1. For the other departments
//!   any digit `1`–`9` is accepted.
//! - Region codes: only the province-level prefix (first two digits) is checked, against
//!   11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82. Credit codes also accept `10`
//!   (central bodies, region `100000`). Identity numbers also accept `83`, the prefix of the
//!   residence permits for Taiwan residents, which share the GB 11643 format (HK and Macau
//!   permits use `81` and `82`, already in the list).

use std::fmt;

/// The 31 characters of a credit code, in check-value order (0-9, A-Z without I, O, Z, S, V).
const CREDIT_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// GB 32100 weights: 3^i mod 31 for positions 1..=17.
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 weights for the eight body characters.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
/// GB 11643 weights: 2^(17-i) mod 11 for positions 1..=17.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// GB 11643 check characters, indexed by the weighted sum mod 11.
const ID_CHECKS: &[u8; 11] = b"10X98765432";
/// Accepted 登记管理部门代码 (see the module documentation).
const DEPARTMENTS: &str = "123456789ABCDEFGNY";

/// Which identifier a [`CodeProblem`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeType {
    /// 统一社会信用代码 (GB 32100-2015), 18 characters.
    CreditCode,
    /// 组织机构代码 (GB 11714-1997), 9 characters.
    OrgCode,
    /// 18-digit 居民身份证号码 (GB 11643-1999).
    IdCard,
}

impl CodeType {
    /// The Chinese name used in messages when the caller has no better label.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            CodeType::CreditCode => "统一社会信用代码",
            CodeType::OrgCode => "组织机构代码",
            CodeType::IdCard => "身份证号",
        }
    }

    /// A valid example, shown at the end of every message.
    #[must_use]
    pub fn example(self) -> &'static str {
        match self {
            CodeType::CreditCode => "91110108MA01A8B98L",
            CodeType::OrgCode => "MA01A8B9-8",
            CodeType::IdCard => "11010519491231002X",
        }
    }

    /// The document the user should look at to correct a wrong code.
    fn document(self) -> &'static str {
        match self {
            CodeType::CreditCode => "营业执照",
            CodeType::OrgCode => "组织机构代码证",
            CodeType::IdCard => "身份证",
        }
    }
}

/// The parts of a valid 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCodeInfo {
    /// 登记管理部门代码 (position 1), e.g. `9` for 工商.
    pub department: char,
    /// 机构类别代码 (position 2), e.g. `1` for 企业 under 工商.
    pub kind: char,
    /// 登记管理机关行政区划码 (positions 3–8), six digits.
    pub region: String,
    /// 主体标识码, the embedded 组织机构代码 (positions 9–17), without hyphen.
    pub org_code: String,
}

/// The parts of a valid 18-digit identity number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdCardInfo {
    /// 地址码 (positions 1–6), six digits.
    pub region: String,
    /// Birth date (year, month, day) from positions 7–14.
    pub birth: (i32, u32, u32),
    /// `true` when the sequence digit (position 17) is odd.
    pub male: bool,
}

/// Why a code was rejected. Positions are 1-based character positions in the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CodeProblem {
    /// Wrong number of characters.
    Length {
        /// Which identifier.
        code: CodeType,
        /// Required length.
        expected: usize,
        /// Length of the input, in characters.
        found: usize,
    },
    /// A character that may not appear at that position (includes lower case, spaces and
    /// full-width characters).
    BadChar {
        /// Which identifier.
        code: CodeType,
        /// 1-based character position.
        position: usize,
        /// The offending character.
        ch: char,
    },
    /// Credit code position 1 is not an assigned 登记管理部门代码.
    Department {
        /// The character found.
        ch: char,
    },
    /// Credit code position 2 is not a 机构类别代码 of its department.
    Kind {
        /// The department (position 1).
        department: char,
        /// The character found at position 2.
        ch: char,
    },
    /// The region code is not six digits starting with a province-level code.
    Region {
        /// Which identifier.
        code: CodeType,
        /// The six characters found.
        text: String,
    },
    /// Identity number positions 7–14 are not a real date from 1900 on.
    BadDate {
        /// The eight characters found.
        text: String,
    },
    /// Identity number birth date lies after the given `today`.
    FutureDate {
        /// The eight digits found (YYYYMMDD).
        text: String,
    },
    /// The GB 11714 check character is wrong (standalone 组织机构代码, or position 17 of a
    /// credit code).
    OrgCheck {
        /// [`CodeType::OrgCode`] or [`CodeType::CreditCode`].
        code: CodeType,
        /// The correct check character.
        expected: char,
        /// The check character found.
        found: char,
    },
    /// The final check character is wrong (credit code: GB 32100; identity number: GB 11643).
    Check {
        /// Which identifier.
        code: CodeType,
        /// The correct check character.
        expected: char,
        /// The check character found.
        found: char,
    },
    /// A 15-digit identity number in the pre-1999 format.
    OldFormat,
}

impl CodeProblem {
    /// Which identifier the problem is about.
    #[must_use]
    pub fn code_type(&self) -> CodeType {
        match self {
            CodeProblem::Length { code, .. }
            | CodeProblem::BadChar { code, .. }
            | CodeProblem::Region { code, .. }
            | CodeProblem::OrgCheck { code, .. }
            | CodeProblem::Check { code, .. } => *code,
            CodeProblem::Department { .. } | CodeProblem::Kind { .. } => CodeType::CreditCode,
            CodeProblem::BadDate { .. }
            | CodeProblem::FutureDate { .. }
            | CodeProblem::OldFormat => CodeType::IdCard,
        }
    }

    /// A short English rule id, e.g. `credit_code_check` or `id_card_old_format`.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        use CodeType::{CreditCode, IdCard, OrgCode};
        match self {
            CodeProblem::Length { code, .. } => match code {
                CreditCode => "credit_code_length",
                OrgCode => "org_code_length",
                IdCard => "id_card_length",
            },
            CodeProblem::BadChar { code, .. } => match code {
                CreditCode => "credit_code_char",
                OrgCode => "org_code_char",
                IdCard => "id_card_char",
            },
            CodeProblem::Department { .. } => "credit_code_department",
            CodeProblem::Kind { .. } => "credit_code_kind",
            CodeProblem::Region { code, .. } => match code {
                CreditCode => "credit_code_region",
                OrgCode => "org_code_region",
                IdCard => "id_card_region",
            },
            CodeProblem::BadDate { .. } => "id_card_date",
            CodeProblem::FutureDate { .. } => "id_card_future_date",
            CodeProblem::OrgCheck { code, .. } => match code {
                CreditCode => "credit_code_org_check",
                OrgCode | IdCard => "org_code_check",
            },
            CodeProblem::Check { code, .. } => match code {
                CreditCode => "credit_code_check",
                OrgCode => "org_code_check",
                IdCard => "id_card_check",
            },
            CodeProblem::OldFormat => "id_card_old_format",
        }
    }

    /// One Chinese sentence saying what is wrong, the expected format and an example;
    /// `what` names the field, e.g. `"统一社会信用代码"` or `"法人身份证号"`.
    #[must_use]
    pub fn message(&self, what: &str) -> String {
        let code = self.code_type();
        let ex = code.example();
        match self {
            CodeProblem::Length {
                code: CodeType::OrgCode,
                found,
                ..
            } => format!("{what}应为9位 (校验位前可带连字符), 实际为{found}位 (例如 {ex})"),
            CodeProblem::Length {
                expected, found, ..
            } => format!("{what}应为{expected}位, 实际为{found}位 (例如 {ex})"),
            CodeProblem::BadChar { position, ch, .. } => {
                let allowed = match code {
                    CodeType::CreditCode => "只能是数字或大写字母 (不含 I、O、Z、S、V)",
                    CodeType::OrgCode => "前8位只能是数字或大写字母, 校验位只能是数字或 X",
                    CodeType::IdCard => "前17位只能是数字, 第18位只能是数字或 X",
                };
                format!(
                    "{what}第{position}位字符 '{}' 无效{}: {allowed} (例如 {ex})",
                    ch.escape_debug(),
                    char_hint(*ch)
                )
            }
            CodeProblem::Department { ch } => format!(
                "{what}第1位登记管理部门代码 '{}' 无效: 应为 1-9、A-G、N 或 Y (企业为 9) (例如 {ex})",
                ch.escape_debug()
            ),
            CodeProblem::Kind { department, ch } => format!(
                "{what}第2位机构类别代码 '{}' 无效: 登记管理部门代码为 {} 时应为 {} (例如 {ex})",
                ch.escape_debug(),
                department.escape_debug(),
                alternatives(kinds_for(*department))
            ),
            CodeProblem::Region { text, .. } => {
                let part = match code {
                    CodeType::IdCard => "第1-6位地址码",
                    _ => "第3-8位登记管理机关行政区划码",
                };
                format!(
                    "{what}{part} '{}' 无效: 应为6位数字, 前两位为省级行政区划代码 (例如 {ex})",
                    text.escape_debug()
                )
            }
            CodeProblem::BadDate { text } => format!(
                "{what}第7-14位出生日期 '{}' 无效: 应为1900年或以后的真实日期, 格式 YYYYMMDD (例如 {ex})",
                text.escape_debug()
            ),
            CodeProblem::FutureDate { text } => format!(
                "{what}第7-14位出生日期 {} 晚于今天: 应为今天或更早的日期, 格式 YYYYMMDD (例如 {ex})",
                text.escape_debug()
            ),
            CodeProblem::OrgCheck {
                code: CodeType::CreditCode,
                expected,
                found,
            } => format!(
                "{what}第17位 (组织机构代码校验位) 错误: 应为 {}, 实际为 {}; 请核对第9-17位的组织机构代码 (例如 {ex})",
                expected.escape_debug(),
                found.escape_debug()
            ),
            CodeProblem::OrgCheck {
                expected, found, ..
            } => format!(
                "{what}校验位错误: 最后一位应为 {}, 实际为 {}; 请核对{} (例如 {ex})",
                expected.escape_debug(),
                found.escape_debug(),
                code.document()
            ),
            CodeProblem::Check {
                expected, found, ..
            } => {
                let position = if code == CodeType::OrgCode { 9 } else { 18 };
                format!(
                    "{what}校验位错误: 第{position}位应为 {}, 实际为 {}; 请核对{} (例如 {ex})",
                    expected.escape_debug(),
                    found.escape_debug(),
                    code.document()
                )
            }
            CodeProblem::OldFormat => {
                format!("{what}为15位旧号码, 请换成18位新号码 (例如 {ex})")
            }
        }
    }
}

impl fmt::Display for CodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(self.code_type().name()))
    }
}

impl std::error::Error for CodeProblem {}

/// A short Chinese hint for characters that normalisation would have fixed.
fn char_hint(ch: char) -> &'static str {
    if ch.is_whitespace() {
        " (空白字符, 请删除)"
    } else if ch.is_lowercase() {
        " (小写字母, 请改用大写)"
    } else if ('\u{FF01}'..='\u{FF5E}').contains(&ch) || ch == '\u{3000}' {
        " (全角字符, 请改用半角)"
    } else {
        ""
    }
}

/// "123" → "1、2 或 3".
fn alternatives(chars: &str) -> String {
    let options: Vec<char> = chars.chars().collect();
    match options.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => {
            let head: Vec<String> = rest.iter().map(char::to_string).collect();
            format!("{} 或 {last}", head.join("、"))
        }
    }
}

/// The 机构类别代码 accepted for a 登记管理部门代码 (see the module documentation).
fn kinds_for(department: char) -> &'static str {
    match department {
        '1' | '5' => "1239",
        '9' => "123",
        'Y' => "1",
        _ => "123456789",
    }
}

/// Whether `prefix` (two digits) is a province-level region code.
fn is_province(prefix: u32) -> bool {
    matches!(
        prefix,
        11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82
    )
}

/// Value of a credit-code character (its index in the charset).
fn credit_value(ch: char) -> Option<u32> {
    let value = *CREDIT_VALUES.get(ch as usize)?;
    (value != u8::MAX).then_some(u32::from(value))
}

/// [`CREDIT_CHARSET`] inverted: an ASCII character's value, `u8::MAX` when not in the set.
const CREDIT_VALUES: [u8; 128] = {
    let mut values = [u8::MAX; 128];
    let mut i = 0;
    while i < CREDIT_CHARSET.len() {
        values[CREDIT_CHARSET[i] as usize] = i as u8;
        i += 1;
    }
    values
};

/// Value of a GB 11714 body character: 0-9 → 0-9, A-Z → 10-35.
fn org_value(ch: char) -> Option<u32> {
    if ch.is_ascii_digit() || ch.is_ascii_uppercase() {
        ch.to_digit(36)
    } else {
        None
    }
}

/// GB 11714 check character for eight body characters (`None` if a character is invalid).
pub(crate) fn org_check_char(body: &[char]) -> Option<char> {
    if body.len() != ORG_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0;
    for (&ch, &w) in body.iter().zip(ORG_WEIGHTS.iter()) {
        sum += org_value(ch)? * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        c => char::from_digit(c, 10),
    }
}

/// GB 32100 check character for the first 17 characters (`None` if a character is invalid).
pub(crate) fn credit_check_char(first17: &[char]) -> Option<char> {
    if first17.len() != CREDIT_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0;
    for (&ch, &w) in first17.iter().zip(CREDIT_WEIGHTS.iter()) {
        sum += credit_value(ch)? * w;
    }
    let index = usize::try_from((31 - sum % 31) % 31).ok()?;
    CREDIT_CHARSET.get(index).map(|&b| char::from(b))
}

/// GB 11643 check character for the first 17 digits (`None` if a character is invalid).
fn id_check_char(first17: &[char]) -> Option<char> {
    if first17.len() != ID_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0;
    for (&ch, &w) in first17.iter().zip(ID_WEIGHTS.iter()) {
        sum += ch.to_digit(10)? * w;
    }
    let index = usize::try_from(sum % 11).ok()?;
    ID_CHECKS.get(index).map(|&b| char::from(b))
}

/// Numeric value of a run of ASCII digits (`None` if any is not a digit).
fn digits_value(chars: &[char]) -> Option<u32> {
    chars.iter().try_fold(0u32, |acc, ch| {
        acc.checked_mul(10)?.checked_add(ch.to_digit(10)?)
    })
}

/// Number of days in a month of the proleptic Gregorian calendar (0 for a month outside 1–12).
fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Validates a 统一社会信用代码 (GB 32100-2015), 18 characters: department, kind, region,
/// the embedded 组织机构代码 with its GB 11714 check, and the GB 32100 check character.
///
/// # Errors
///
/// The first problem found, checked in this order: [`CodeProblem::Length`],
/// [`CodeProblem::BadChar`], [`CodeProblem::Department`], [`CodeProblem::Kind`],
/// [`CodeProblem::Region`], [`CodeProblem::OrgCheck`], [`CodeProblem::Check`].
pub fn credit_code(code: &str) -> Result<CreditCodeInfo, CodeProblem> {
    let chars = credit_code_chars(code)?;
    Ok(CreditCodeInfo {
        department: chars[0],
        kind: chars[1],
        region: chars[2..8].iter().collect(),
        org_code: chars[8..17].iter().collect(),
    })
}

/// Whether `code` is a valid 统一社会信用代码 ([`credit_code`] without building its parts).
pub fn is_valid_credit_code(code: &str) -> bool {
    credit_code_chars(code).is_ok()
}

/// The checks of [`credit_code`]; the code's characters when it passes them.
fn credit_code_chars(code: &str) -> Result<[char; 18], CodeProblem> {
    const TYPE: CodeType = CodeType::CreditCode;
    let mut chars = ['\0'; 18];
    let mut found = 0;
    for ch in code.chars() {
        if let Some(slot) = chars.get_mut(found) {
            *slot = ch;
        }
        found += 1;
    }
    if found != 18 {
        return Err(CodeProblem::Length {
            code: TYPE,
            expected: 18,
            found,
        });
    }
    if let Some((i, &ch)) = chars
        .iter()
        .enumerate()
        .find(|(_, &ch)| credit_value(ch).is_none())
    {
        return Err(CodeProblem::BadChar {
            code: TYPE,
            position: i + 1,
            ch,
        });
    }
    let (department, kind) = (chars[0], chars[1]);
    if !DEPARTMENTS.contains(department) {
        return Err(CodeProblem::Department { ch: department });
    }
    if !kinds_for(department).contains(kind) {
        return Err(CodeProblem::Kind {
            department,
            ch: kind,
        });
    }
    let region = &chars[2..8];
    let province = digits_value(&region[..2]);
    if digits_value(region).is_none() || !province.is_some_and(|p| p == 10 || is_province(p)) {
        return Err(CodeProblem::Region {
            code: TYPE,
            text: region.iter().collect(),
        });
    }
    let org = &chars[8..17];
    let org_expected = org_check_char(&org[..8]).unwrap_or('?');
    if org_expected != org[8] {
        return Err(CodeProblem::OrgCheck {
            code: TYPE,
            expected: org_expected,
            found: org[8],
        });
    }
    let expected = credit_check_char(&chars[..17]).unwrap_or('?');
    if expected != chars[17] {
        return Err(CodeProblem::Check {
            code: TYPE,
            expected,
            found: chars[17],
        });
    }
    Ok(chars)
}

/// Validates a 组织机构代码 (GB 11714-1997): 8 body characters (digits or upper-case letters)
/// and a check character (digit or `X`), optionally with a hyphen before the check character
/// (`MA01A8B9-8` or `MA01A8B98`).
///
/// # Errors
///
/// The first problem found: [`CodeProblem::Length`], [`CodeProblem::BadChar`] (positions
/// count the hyphen if given), then [`CodeProblem::OrgCheck`].
pub fn org_code(code: &str) -> Result<(), CodeProblem> {
    const TYPE: CodeType = CodeType::OrgCode;
    let mut chars: Vec<char> = code.chars().collect();
    if chars.len() == 10 && chars[8] == '-' {
        chars.remove(8);
    } else if chars.len() != 9 {
        return Err(CodeProblem::Length {
            code: TYPE,
            expected: 9,
            found: chars.len(),
        });
    }
    // Positions refer to the input as given, so the check character is at its end.
    let input_len = code.chars().count();
    if let Some((i, &ch)) = chars[..8]
        .iter()
        .enumerate()
        .find(|(_, &ch)| org_value(ch).is_none())
    {
        return Err(CodeProblem::BadChar {
            code: TYPE,
            position: i + 1,
            ch,
        });
    }
    let found = chars[8];
    if !(found.is_ascii_digit() || found == 'X') {
        return Err(CodeProblem::BadChar {
            code: TYPE,
            position: input_len,
            ch: found,
        });
    }
    let expected = org_check_char(&chars[..8]).unwrap_or('?');
    if expected != found {
        return Err(CodeProblem::OrgCheck {
            code: TYPE,
            expected,
            found,
        });
    }
    Ok(())
}

/// Validates an 18-digit 居民身份证号码 (GB 11643-1999): province-level region, a real birth
/// date from 1900 up to `today` (year, month, day), and the check character (digit or `X`).
/// A 15-digit number gives [`CodeProblem::OldFormat`].
///
/// # Errors
///
/// The first problem found, checked in this order: [`CodeProblem::OldFormat`] (15 digits),
/// [`CodeProblem::Length`], [`CodeProblem::BadChar`], [`CodeProblem::Region`],
/// [`CodeProblem::BadDate`], [`CodeProblem::FutureDate`], [`CodeProblem::Check`].
pub fn id_card(id: &str, today: (i32, u32, u32)) -> Result<IdCardInfo, CodeProblem> {
    const TYPE: CodeType = CodeType::IdCard;
    let chars: Vec<char> = id.chars().collect();
    if chars.len() == 15 && chars.iter().all(char::is_ascii_digit) {
        return Err(CodeProblem::OldFormat);
    }
    if chars.len() != 18 {
        return Err(CodeProblem::Length {
            code: TYPE,
            expected: 18,
            found: chars.len(),
        });
    }
    if let Some((i, &ch)) = chars
        .iter()
        .enumerate()
        .find(|&(i, &ch)| !(ch.is_ascii_digit() || (i == 17 && ch == 'X')))
    {
        return Err(CodeProblem::BadChar {
            code: TYPE,
            position: i + 1,
            ch,
        });
    }
    let region = &chars[..6];
    if !digits_value(&region[..2]).is_some_and(|p| p == 83 || is_province(p)) {
        return Err(CodeProblem::Region {
            code: TYPE,
            text: region.iter().collect(),
        });
    }
    let date = &chars[6..14];
    let text: String = date.iter().collect();
    let year = digits_value(&date[..4]).and_then(|y| i32::try_from(y).ok());
    let month = digits_value(&date[4..6]);
    let day = digits_value(&date[6..8]);
    let birth = match (year, month, day) {
        (Some(y), Some(m), Some(d)) if y >= 1900 && d >= 1 && d <= days_in_month(y, m) => (y, m, d),
        _ => return Err(CodeProblem::BadDate { text }),
    };
    if birth > today {
        return Err(CodeProblem::FutureDate { text });
    }
    let expected = id_check_char(&chars[..17]).unwrap_or('?');
    if expected != chars[17] {
        return Err(CodeProblem::Check {
            code: TYPE,
            expected,
            found: chars[17],
        });
    }
    Ok(IdCardInfo {
        region: region.iter().collect(),
        birth,
        male: chars[16].to_digit(10).is_some_and(|d| d % 2 == 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i32, u32, u32) = (2025, 6, 1);
    const SAMPLE_CREDIT: &str = "91110108MA01A8B98L";
    const SAMPLE_ID: &str = "11010519491231002X";
    const ID_CHARS: &str = "0123456789X";

    /// Builds a credit code with correct check characters from 8 leading chars and 8 body chars.
    fn make_credit(head: &str, body: &str) -> String {
        let body_chars: Vec<char> = body.chars().collect();
        let mut code = format!("{head}{body}{}", org_check_char(&body_chars).unwrap());
        let first17: Vec<char> = code.chars().collect();
        code.push(credit_check_char(&first17).unwrap());
        code
    }

    /// Builds an identity number with a correct check character from its first 17 digits.
    fn make_id(first17: &str) -> String {
        let chars: Vec<char> = first17.chars().collect();
        format!("{first17}{}", id_check_char(&chars).unwrap())
    }

    /// Replaces the character at 0-based `index`.
    fn replace_at(s: &str, index: usize, ch: char) -> String {
        s.chars()
            .enumerate()
            .map(|(i, c)| if i == index { ch } else { c })
            .collect()
    }

    #[test]
    fn sample_credit_code_is_valid() {
        assert_eq!(
            credit_code(SAMPLE_CREDIT),
            Ok(CreditCodeInfo {
                department: '9',
                kind: '1',
                region: "110108".to_string(),
                org_code: "MA01A8B98".to_string(),
            })
        );
    }

    #[test]
    fn real_world_credit_codes_are_valid() {
        // Both the GB 11714 and the GB 32100 check verify for each of these.
        for (code, org) in [
            ("914403001922038216", "192203821"), // 华为技术有限公司
            ("9144030071526726XG", "71526726X"), // 深圳市腾讯计算机系统有限公司
            ("91330100716105852F", "716105852"), // 阿里巴巴(中国)有限公司
            ("91110000710925243K", "710925243"), // 国家电网有限公司
            ("91110108551385082Q", "551385082"), // 小米科技有限责任公司
            ("91440300192317458F", "192317458"), // 比亚迪股份有限公司
        ] {
            let info = credit_code(code).unwrap();
            assert_eq!(info.org_code, org, "{code}");
            assert_eq!((info.department, info.kind), ('9', '1'), "{code}");
        }
    }

    #[test]
    fn every_single_character_error_in_a_credit_code_fails() {
        for code in [SAMPLE_CREDIT, "9144030071526726XG"] {
            for i in 0..18 {
                for b in CREDIT_CHARSET.iter() {
                    let ch = char::from(*b);
                    let changed = replace_at(code, i, ch);
                    if changed != code {
                        assert!(credit_code(&changed).is_err(), "{changed}");
                    }
                }
                // Lower case, a space and a full-width letter are bad characters at i + 1.
                for ch in ['a', ' ', 'Ｘ', 'I', 'O'] {
                    assert_eq!(
                        credit_code(&replace_at(code, i, ch)),
                        Err(CodeProblem::BadChar {
                            code: CodeType::CreditCode,
                            position: i + 1,
                            ch
                        })
                    );
                }
            }
        }
    }

    #[test]
    fn credit_code_problems() {
        let org_wrong = replace_at(SAMPLE_CREDIT, 16, '7');
        assert_eq!(
            credit_code(&org_wrong),
            Err(CodeProblem::OrgCheck {
                code: CodeType::CreditCode,
                expected: '8',
                found: '7'
            })
        );
        assert_eq!(
            credit_code("91110108MA01A8B98K"),
            Err(CodeProblem::Check {
                code: CodeType::CreditCode,
                expected: 'L',
                found: 'K'
            })
        );
        assert_eq!(
            credit_code("91110108MA01A8B98"),
            Err(CodeProblem::Length {
                code: CodeType::CreditCode,
                expected: 18,
                found: 17
            })
        );
        assert_eq!(
            credit_code(&make_credit("01110108", "MA01A8B9")),
            Err(CodeProblem::Department { ch: '0' })
        );
        assert_eq!(
            credit_code(&make_credit("H1110108", "MA01A8B9")),
            Err(CodeProblem::Department { ch: 'H' })
        );
        for (head, department, kind) in [
            ("94110108", '9', '4'),
            ("99110108", '9', '9'),
            ("54110108", '5', '4'),
            ("Y2110108", 'Y', '2'),
            ("10110108", '1', '0'),
            ("2A110108", '2', 'A'),
        ] {
            assert_eq!(
                credit_code(&make_credit(head, "MA01A8B9")),
                Err(CodeProblem::Kind {
                    department,
                    ch: kind
                }),
                "{head}"
            );
        }
        for head in ["91000000", "91990108", "9111A108", "91160000", "91A10108"] {
            assert_eq!(
                credit_code(&make_credit(head, "MA01A8B9")),
                Err(CodeProblem::Region {
                    code: CodeType::CreditCode,
                    text: head[2..].to_string()
                }),
                "{head}"
            );
        }
    }

    #[test]
    fn credit_code_accepts_documented_departments_and_regions() {
        for head in [
            "11100000", "12110108", "13440300", "19820000", "51110108", "52310000", "53650000",
            "59710000", "92110108", "93540000", "Y1110108", "21110108", "31110108", "A1110108",
            "G9110108", "N2330782", "81810000",
        ] {
            let code = make_credit(head, "MA01A8B9");
            assert!(credit_code(&code).is_ok(), "{code}");
        }
    }

    #[test]
    fn org_codes() {
        for code in [
            "MA01A8B98",
            "MA01A8B9-8",
            "19220382-1",
            "71526726-X",
            "716105852",
        ] {
            assert_eq!(org_code(code), Ok(()), "{code}");
        }
        assert_eq!(
            org_code("MA01A8B9-7"),
            Err(CodeProblem::OrgCheck {
                code: CodeType::OrgCode,
                expected: '8',
                found: '7'
            })
        );
        assert_eq!(
            org_code("ma01A8B98"),
            Err(CodeProblem::BadChar {
                code: CodeType::OrgCode,
                position: 1,
                ch: 'm'
            })
        );
        assert_eq!(
            org_code("MA01A8B9-Y"),
            Err(CodeProblem::BadChar {
                code: CodeType::OrgCode,
                position: 10,
                ch: 'Y'
            })
        );
        assert_eq!(
            org_code("71526726x"),
            Err(CodeProblem::BadChar {
                code: CodeType::OrgCode,
                position: 9,
                ch: 'x'
            })
        );
        for (code, found) in [
            ("MA01A8B98-", 10),
            ("MA01A8B9--8", 11),
            ("MA01A8B", 7),
            ("", 0),
        ] {
            assert_eq!(
                org_code(code),
                Err(CodeProblem::Length {
                    code: CodeType::OrgCode,
                    expected: 9,
                    found
                }),
                "{code}"
            );
        }
        assert!(org_code("MA01-A8B98").is_err());
        // GB 11714 works mod 11 over 36 body values, so a body character swapped for one
        // whose value differs by 11 or 22 (M ↔ 0 ↔ B) keeps the check; a credit code still
        // catches that through its GB 32100 check. Every other single change fails.
        assert_eq!(org_code("0A01A8B98"), Ok(()));
        assert!(credit_code(&replace_at(SAMPLE_CREDIT, 8, '0')).is_err());
        for i in 0..9 {
            for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars() {
                let changed = replace_at("MA01A8B98", i, ch);
                let original = "MA01A8B98".chars().nth(i).and_then(org_value);
                let same_mod_11 =
                    i < 8 && org_value(ch).map(|v| v % 11) == original.map(|v| v % 11);
                if changed != "MA01A8B98" && !same_mod_11 {
                    assert!(org_code(&changed).is_err(), "{changed}");
                }
            }
        }
    }

    #[test]
    fn sample_id_card_is_valid() {
        assert_eq!(
            id_card(SAMPLE_ID, TODAY),
            Ok(IdCardInfo {
                region: "110105".to_string(),
                birth: (1949, 12, 31),
                male: false,
            })
        );
    }

    #[test]
    fn shenzhen_id_card_check_digit() {
        // 440301198506150011: the weighted sum gives check digit 6, not 1.
        assert_eq!(
            id_card("440301198506150011", TODAY),
            Err(CodeProblem::Check {
                code: CodeType::IdCard,
                expected: '6',
                found: '1'
            })
        );
        assert_eq!(
            id_card("440301198506150016", TODAY),
            Ok(IdCardInfo {
                region: "440301".to_string(),
                birth: (1985, 6, 15),
                male: true,
            })
        );
    }

    #[test]
    fn every_single_character_error_in_an_id_card_fails() {
        for id in [SAMPLE_ID, "440301198506150016"] {
            for i in 0..18 {
                for ch in ID_CHARS.chars() {
                    let changed = replace_at(id, i, ch);
                    if changed != id {
                        assert!(id_card(&changed, TODAY).is_err(), "{changed}");
                    }
                }
                for ch in ['x', ' ', 'Ｘ', '０'] {
                    assert_eq!(
                        id_card(&replace_at(id, i, ch), TODAY),
                        Err(CodeProblem::BadChar {
                            code: CodeType::IdCard,
                            position: i + 1,
                            ch
                        })
                    );
                }
            }
        }
    }

    #[test]
    fn id_card_dates() {
        let bad = |date: &str| {
            assert_eq!(
                id_card(&make_id(&format!("110105{date}001")), TODAY),
                Err(CodeProblem::BadDate {
                    text: date.to_string()
                }),
                "{date}"
            );
        };
        for date in [
            "19000229", "20240230", "20230229", "18991231", "19491301", "19490001", "19490100",
            "19490431", "21000229",
        ] {
            bad(date);
        }
        let leap = make_id("11010520240229001");
        assert_eq!(id_card(&leap, (2024, 2, 29)).unwrap().birth, (2024, 2, 29));
        assert!(id_card(&leap, (2025, 1, 1)).is_ok());
        assert_eq!(
            id_card(&leap, (2024, 2, 28)),
            Err(CodeProblem::FutureDate {
                text: "20240229".to_string()
            })
        );
        assert!(id_card(&make_id("11010520000229001"), TODAY).is_ok());
        assert!(id_card(&make_id("11010519000101001"), TODAY).is_ok());
        assert!(id_card(&make_id("11010519001231001"), TODAY).is_ok());
    }

    #[test]
    fn id_card_regions_and_formats() {
        for prefix in [
            "00", "10", "16", "20", "38", "47", "55", "60", "66", "72", "80", "84", "99",
        ] {
            let id = make_id(&format!("{prefix}010519491231002"));
            assert_eq!(
                id_card(&id, TODAY),
                Err(CodeProblem::Region {
                    code: CodeType::IdCard,
                    text: format!("{prefix}0105")
                }),
                "{id}"
            );
        }
        for prefix in [
            "11", "15", "23", "37", "46", "54", "65", "71", "81", "82", "83",
        ] {
            let id = make_id(&format!("{prefix}000019491231002"));
            assert!(id_card(&id, TODAY).is_ok(), "{id}");
        }
        assert_eq!(
            id_card("110105491231002", TODAY),
            Err(CodeProblem::OldFormat)
        );
        assert_eq!(
            id_card("11010549123100X", TODAY),
            Err(CodeProblem::Length {
                code: CodeType::IdCard,
                expected: 18,
                found: 15
            })
        );
        assert_eq!(
            id_card("11010519491231002", TODAY),
            Err(CodeProblem::Length {
                code: CodeType::IdCard,
                expected: 18,
                found: 17
            })
        );
    }

    #[test]
    fn messages_from_the_brief() {
        assert_eq!(
            credit_code("91110108MA01A8B98K")
                .unwrap_err()
                .message("统一社会信用代码"),
            "统一社会信用代码校验位错误: 第18位应为 L, 实际为 K; 请核对营业执照 (例如 91110108MA01A8B98L)"
        );
        assert_eq!(
            id_card("11010519491231002", TODAY)
                .unwrap_err()
                .message("身份证号"),
            "身份证号应为18位, 实际为17位 (例如 11010519491231002X)"
        );
        assert_eq!(
            id_card("110105491231002", TODAY).unwrap_err().to_string(),
            "身份证号为15位旧号码, 请换成18位新号码 (例如 11010519491231002X)"
        );
        assert_eq!(
            id_card("11010519491231002Ｘ", TODAY)
                .unwrap_err()
                .to_string(),
            "身份证号第18位字符 'Ｘ' 无效 (全角字符, 请改用半角): 前17位只能是数字, 第18位只能是数字或 X (例如 11010519491231002X)"
        );
    }

    #[test]
    fn every_problem_has_a_message_and_a_rule() {
        use CodeType::{CreditCode, IdCard, OrgCode};
        let problems = [
            (
                CodeProblem::Length {
                    code: OrgCode,
                    expected: 9,
                    found: 8,
                },
                "org_code_length",
            ),
            (
                CodeProblem::Length {
                    code: CreditCode,
                    expected: 18,
                    found: 0,
                },
                "credit_code_length",
            ),
            (
                CodeProblem::BadChar {
                    code: CreditCode,
                    position: 3,
                    ch: 'a',
                },
                "credit_code_char",
            ),
            (
                CodeProblem::BadChar {
                    code: OrgCode,
                    position: 1,
                    ch: '\u{0}',
                },
                "org_code_char",
            ),
            (
                CodeProblem::Department { ch: '0' },
                "credit_code_department",
            ),
            (
                CodeProblem::Kind {
                    department: '9',
                    ch: '5',
                },
                "credit_code_kind",
            ),
            (
                CodeProblem::Region {
                    code: CreditCode,
                    text: "990000".to_string(),
                },
                "credit_code_region",
            ),
            (
                CodeProblem::Region {
                    code: IdCard,
                    text: "990000".to_string(),
                },
                "id_card_region",
            ),
            (
                CodeProblem::BadDate {
                    text: "20240230".to_string(),
                },
                "id_card_date",
            ),
            (
                CodeProblem::FutureDate {
                    text: "20990101".to_string(),
                },
                "id_card_future_date",
            ),
            (
                CodeProblem::OrgCheck {
                    code: CreditCode,
                    expected: 'X',
                    found: '1',
                },
                "credit_code_org_check",
            ),
            (
                CodeProblem::OrgCheck {
                    code: OrgCode,
                    expected: 'X',
                    found: '1',
                },
                "org_code_check",
            ),
            (
                CodeProblem::Check {
                    code: IdCard,
                    expected: 'X',
                    found: '1',
                },
                "id_card_check",
            ),
            (CodeProblem::OldFormat, "id_card_old_format"),
        ];
        for (problem, rule) in problems {
            assert_eq!(problem.rule(), rule);
            let what = problem.code_type().name();
            let message = problem.message(what);
            assert!(message.starts_with(what), "{message}");
            assert!(message.contains(problem.code_type().example()), "{message}");
            assert_eq!(problem.to_string(), message);
            assert!(!message.contains('\n'), "{message}");
        }
        let kind = CodeProblem::Kind {
            department: '9',
            ch: '5',
        };
        assert!(kind.to_string().contains("1、2 或 3"), "{kind}");
        assert!(CodeProblem::Department { ch: '0' }
            .message("信用代码")
            .starts_with("信用代码第1位"));
    }

    /// Deterministic xorshift, so the fuzz loop needs no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
        }
    }

    fn check_all(input: &str) {
        for problem in [
            credit_code(input).err(),
            org_code(input).err(),
            id_card(input, TODAY).err(),
            id_card(input, (i32::MIN, 0, 0)).err(),
            id_card(input, (i32::MAX, u32::MAX, u32::MAX)).err(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(!problem.to_string().is_empty());
            assert!(!problem.message("").is_empty());
            assert!(!problem.rule().is_empty());
        }
    }

    #[test]
    fn no_input_panics() {
        let fixed = [
            String::new(),
            "Ｘ".to_string(),
            "Ｘ".repeat(18),
            "Ｘ".repeat(9),
            "Ｘ".repeat(15),
            "11010519491231002Ｘ".to_string(),
            "身份证号码一二三四五六七八九十一二三四五六七".to_string(),
            "统一社会信用代码统一社会信用代码统一".to_string(),
            "组织机构代码组织机构-码".to_string(),
            "😀".repeat(18),
            "9".repeat(100),
            "Ｘ".repeat(100),
            "-".repeat(10),
            "\u{0}".repeat(18),
            "e\u{301}".repeat(9),
        ];
        for input in &fixed {
            check_all(input);
        }
        let alphabet: Vec<char> =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz -Ｘ０身份证😀\u{0}\u{301}\t"
                .chars()
                .collect();
        let lengths = [0, 1, 8, 9, 10, 14, 15, 16, 17, 18, 19, 20, 100];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let len = lengths[rng.below(lengths.len())];
            let input: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            check_all(&input);
        }
        // Mutations of valid codes reach the later checks.
        for base in [SAMPLE_CREDIT, SAMPLE_ID, "MA01A8B9-8"] {
            for _ in 0..5_000 {
                let i = rng.below(base.len());
                let ch = alphabet[rng.below(alphabet.len())];
                check_all(&replace_at(base, i, ch));
            }
        }
    }
}
