//! Normalisers: each field type's safe repairs, and the problems no repair can fix.
//!
//! A normaliser takes the text a person typed and returns the canonical value the CRM expects
//! (`+86 138-0013-8000` → `13800138000`, `2024年6月15日` → `2024-06-15`, `vip客户` → `VIP`), the
//! names of the steps that changed it (for the changes log), or a [`Problem`] saying what is
//! wrong, what was expected and an example. It never guesses: an ambiguous date or an amount
//! given as a range is a problem, not a repair. Normalising a canonical value returns it
//! unchanged, so normalising twice equals normalising once.

use std::borrow::Cow;

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::checks;
use crate::dates::{self, DateProblem};
use crate::finding::Severity;
use crate::reference::{PrefixKind, Reference};
use crate::template::{Field, FieldType};

/// What a normaliser made of one value.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<'a> {
    /// The canonical value ("" when the input was blank). When there is a problem, the value
    /// after the repairs that were safe (at least the text clean-up). Borrowed from the input
    /// when the input was already canonical.
    pub value: Cow<'a, str>,
    /// The steps that changed the value, in order (`text`, `mobile_prefix`, ...).
    pub steps: Vec<&'static str>,
    /// Why the value cannot be used, if so.
    pub problem: Option<Problem>,
}

/// A value no safe repair can fix (an error), or a canonical value worth a second look (a
/// warning: the value is kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// A short English rule id (`mobile_length`, `date_ambiguous`, ...).
    pub rule: &'static str,
    /// One Chinese sentence: what is wrong, the expected format, an example.
    pub message: String,
    /// Error: the value is unusable. Warning: the value is canonical but questionable.
    pub severity: Severity,
}

/// What the normalisers need besides the value: reference data and today's date.
#[derive(Debug, Clone)]
pub struct Context<'r> {
    /// Industries and mobile prefixes.
    pub reference: &'r Reference,
    /// Today, for birth dates in ID numbers.
    pub today: dates::Date,
    /// Convert traditional characters in company names to simplified (華遠 → 华远).
    pub simplified: bool,
}

impl Outcome<'_> {
    fn ok(value: String, steps: Vec<&'static str>) -> Outcome<'static> {
        Outcome {
            value: Cow::Owned(value),
            steps,
            problem: None,
        }
    }

    fn bad(
        value: String,
        steps: Vec<&'static str>,
        rule: &'static str,
        message: String,
    ) -> Outcome<'static> {
        Outcome::with_problem(value, steps, rule, message, Severity::Error)
    }

    fn warn(
        value: String,
        steps: Vec<&'static str>,
        rule: &'static str,
        message: String,
    ) -> Outcome<'static> {
        Outcome::with_problem(value, steps, rule, message, Severity::Warning)
    }

    fn with_problem(
        value: String,
        steps: Vec<&'static str>,
        rule: &'static str,
        message: String,
        severity: Severity,
    ) -> Outcome<'static> {
        Outcome {
            value: Cow::Owned(value),
            steps,
            problem: Some(Problem {
                rule,
                message,
                severity,
            }),
        }
    }

    /// Whether the value can be used: no problem, or only a warning.
    pub fn is_usable(&self) -> bool {
        self.problem
            .as_ref()
            .is_none_or(|p| p.severity == Severity::Warning)
    }
}

/// Normalises one value of `field`.
pub fn normalize<'a>(field: &Field, raw: &'a str, ctx: &Context) -> Outcome<'a> {
    // Cleaned once: the full normaliser starts from the same text.
    let cleaned = clean_text(raw);
    if matches!(cleaned, Cow::Borrowed(_)) && is_canonical(field, raw, ctx) {
        return Outcome {
            value: Cow::Borrowed(raw),
            steps: Vec::new(),
            problem: None,
        };
    }
    normalize_cleaned(field, raw, cleaned, ctx)
}

/// Whether `raw`, which [`clean_text`] leaves as it is, is already canonical and valid for
/// `field`, so that [`normalize_owned`] would return it unchanged, with no step and no
/// problem. Conservative: `false` only costs time.
fn is_canonical(field: &Field, raw: &str, ctx: &Context) -> bool {
    if raw.is_empty() {
        return true;
    }
    if raw.starts_with(['\'', '=']) {
        return false;
    }
    match field.kind {
        FieldType::Text => true,
        FieldType::PersonName => {
            !raw.contains([' ', '/', '、', ',', '，', ';', '；', '|'])
                && longest_digit_run(raw) < 3
                && !is_placeholder(raw)
                && !TITLES.iter().any(|t| raw.ends_with(t))
        }
        FieldType::CompanyName if ctx.simplified => false,
        FieldType::CompanyName => {
            // One pass for the character conditions: no space or bracket of any kind, at
            // least four characters, no run of seven digits, not only digits and hyphens.
            let (mut count, mut run, mut longest_run, mut only_digits) = (0, 0, 0, true);
            for c in raw.chars() {
                if matches!(
                    c,
                    ' ' | '('
                        | ')'
                        | '['
                        | ']'
                        | '【'
                        | '】'
                        | '〔'
                        | '〕'
                        | '［'
                        | '］'
                        | '（'
                        | '）'
                ) {
                    return false;
                }
                count += 1;
                if c.is_ascii_digit() {
                    run += 1;
                    longest_run = longest_run.max(run);
                } else {
                    run = 0;
                    only_digits &= c == '-';
                }
            }
            count >= 4
                && longest_run < 7
                && !only_digits
                && !raw.ends_with(['。', '.', ',', '，', '、', ';', '；'])
                && !PLACEHOLDERS.iter().any(|p| p.eq_ignore_ascii_case(raw))
                && !has_status_word(raw)
                && !cjk_name_without_form(raw)
        }
        FieldType::Mobile => {
            raw.len() == 11
                && raw.starts_with('1')
                && raw.bytes().all(|b| b.is_ascii_digit())
                && matches!(
                    ctx.reference.prefix_kind(raw),
                    Some(PrefixKind::Mobile | PrefixKind::Virtual | PrefixKind::Satellite)
                )
        }
        FieldType::Email => {
            !raw.bytes()
                .any(|b| b.is_ascii_uppercase() || b == b'<' || b == b' ')
                && raw.is_ascii()
                && !raw.starts_with("mailto:")
                && email_problem(raw).is_none()
        }
        // What `identifier` keeps as it is and the check accepts.
        FieldType::CreditCode => {
            raw.len() == 18
                && raw
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                && checks::is_valid_credit_code(raw)
        }
        FieldType::Enum => field.values.iter().any(|v| v.value == raw),
        FieldType::Industry => ctx.reference.is_section_name(raw),
        FieldType::Date => raw.len() == 10 && iso_date(raw).is_some(),
        FieldType::Datetime => {
            raw.len() == 16
                && raw.as_bytes()[10] == b' '
                && iso_date(&raw[..10]).is_some()
                && iso_time(&raw[11..])
        }
        _ => false,
    }
}

/// `YYYY-MM-DD` with a real date in 1900–2100.
fn iso_date(text: &str) -> Option<dates::Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &text[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let year = num(0..4)? as i32;
    (1900..=2100)
        .contains(&year)
        .then(|| dates::Date::new(year, num(5..7)?, num(8..10)?))
        .flatten()
}

/// `HH:MM` with a real time.
fn iso_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && text[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && text[3..].parse::<u32>().is_ok_and(|m| m < 60)
}

/// The full normaliser, always building the value. [`normalize`] skips it for values that are
/// already canonical; the two agree on every input (a property test checks it).
pub fn normalize_owned(field: &Field, raw: &str, ctx: &Context) -> Outcome<'static> {
    normalize_cleaned(field, raw, clean_text(raw), ctx)
}

/// [`normalize_owned`] of `raw`, given `cleaned`, its [`clean_text`].
fn normalize_cleaned(
    field: &Field,
    raw: &str,
    cleaned: Cow<'_, str>,
    ctx: &Context,
) -> Outcome<'static> {
    let mut steps = Vec::new();
    if cleaned != raw {
        steps.push("text");
    }
    let mut text = cleaned.into_owned();
    // ERP exports write digits as ="13800138000" so that Excel keeps them as text.
    if field.kind != FieldType::Text {
        if let Some(inner) = text.strip_prefix("=\"").and_then(|t| t.strip_suffix('"')) {
            if !inner.contains('"') {
                text = inner.trim().to_string();
                steps.push("excel_text_formula");
            }
        }
    }
    // Excel's "store as text" apostrophe leaks into some exports: '13800138000.
    if field.kind != FieldType::Text && text.starts_with('\'') && !text.ends_with('\'') {
        text = text.trim_start_matches('\'').trim_start().to_string();
        steps.push("excel_apostrophe");
    }
    if text.is_empty() {
        return Outcome::ok(text, steps);
    }
    let name = field.header.as_str();
    match field.kind {
        FieldType::Text => Outcome::ok(text, steps),
        FieldType::PersonName => person(text, steps, name),
        FieldType::CompanyName => {
            if ctx.simplified {
                let simplified = fast2s::convert(&text);
                if simplified != text {
                    steps.push("traditional_to_simplified");
                    return company_name(simplified, steps, name);
                }
            }
            company_name(text, steps, name)
        }
        FieldType::Mobile => mobile(text, steps, name, ctx),
        FieldType::Landline => landline(text, steps, name),
        FieldType::Phone => {
            if looks_like_mobile(&text) {
                mobile(text, steps, name, ctx)
            } else {
                landline(text, steps, name)
            }
        }
        FieldType::Email => email(text, steps, name),
        FieldType::Date => date(text, steps, name, false),
        FieldType::Datetime => date(text, steps, name, true),
        FieldType::Integer => number(text, steps, name, true),
        FieldType::Decimal => number(text, steps, name, false),
        FieldType::Money => money(text, steps, name, field.unit.as_deref().unwrap_or("元")),
        FieldType::Enum => enumeration(text, steps, field),
        FieldType::CreditCode => credit_code(text, steps, name),
        FieldType::IdCard => id_card(text, steps, name, ctx),
        FieldType::Industry => industry(text, steps, name, ctx),
    }
}

// ---------------------------------------------------------------------------------------------
// Text

/// Characters removed from every value: zero-width characters, the soft hyphen, control
/// characters other than whitespace (NUL, ESC, DEL, ...), the bidirectional controls and the
/// non-characters U+FFFE/U+FFFF.
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{FFFE}' | '\u{FFFF}'
    ) || (c.is_control() && !c.is_whitespace())
        || is_bidi_control(c)
}

/// The invisible controls that reorder text on screen (U+202E RIGHT-TO-LEFT OVERRIDE and
/// kin): a name holding one displays as another, in a spreadsheet or a terminal.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Trim, NFKC (full-width → half-width, ideographic and non-breaking spaces → spaces), strip
/// zero-width characters, and collapse runs of whitespace (line breaks included) to one space.
pub fn clean_text(raw: &str) -> Cow<'_, str> {
    if is_clean(raw) {
        return Cow::Borrowed(raw);
    }
    clean_text_full(raw)
}

/// [`clean_text`] without the one-pass quick path.
fn clean_text_full(raw: &str) -> Cow<'_, str> {
    // CJK ideographs and ASCII are NFKC-stable; the table look-up is for anything else.
    let needs_nfkc =
        !raw.chars().all(is_nfkc_stable) && is_nfkc_quick(raw.chars()) != IsNormalized::Yes;
    if !needs_nfkc && is_tidy(raw) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    let mut push = |c: char| {
        if is_zero_width(c) {
            return;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    };
    if needs_nfkc {
        raw.nfkc().for_each(&mut push);
    } else {
        raw.chars().for_each(&mut push);
    }
    if out == raw {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(out)
    }
}

/// The common case of [`clean_text`] in one pass: only characters NFKC leaves alone (ASCII,
/// CJK ideographs, common Chinese punctuation) and single ASCII spaces between words. `false`
/// leaves the decision to the full check.
fn is_clean(raw: &str) -> bool {
    // `single_spaced(raw, is_nfkc_stable)` (a proptest holds it to that), by bytes: printable
    // ASCII and the CJK block U+4E00–U+9FFF (lead bytes E4 B8 – E9) without decoding.
    let b = raw.as_bytes();
    let mut previous_space = true; // at the start, a space would be leading
    let mut i = 0;
    while let Some(&x) = b.get(i) {
        if x == b' ' {
            if previous_space {
                return false;
            }
            previous_space = true;
            i += 1;
            continue;
        }
        previous_space = false;
        if (0x21..=0x7E).contains(&x) {
            i += 1;
        } else if (0xE5..=0xE9).contains(&x) || (x == 0xE4 && b.get(i + 1) >= Some(&0xB8)) {
            i += 3;
        } else {
            match raw.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) if is_nfkc_stable(c) => i += c.len_utf8(),
                _ => return false,
            }
        }
    }
    !previous_space || b.is_empty()
}

/// Characters NFKC leaves alone, known without a table: printable ASCII, the CJK ideographs
/// (not the compatibility ones), and common Chinese punctuation.
fn is_nfkc_stable(c: char) -> bool {
    matches!(c,
        ' '..='~' | '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}'
        | '、' | '。' | '《' | '》' | '「' | '」' | '【' | '】' | '“' | '”' | '‘' | '’' | '·' | '—')
}

/// No zero-width characters, no whitespace but single ASCII spaces between words.
fn is_tidy(text: &str) -> bool {
    single_spaced(text, |c| !c.is_whitespace() && !is_zero_width(c))
}

/// Whether every character of `text` is a single ASCII space between words or passes `ok`.
fn single_spaced(text: &str, ok: impl Fn(char) -> bool) -> bool {
    let mut previous_space = true; // at the start, a space would be leading
    for c in text.chars() {
        if c == ' ' {
            if previous_space {
                return false;
            }
            previous_space = true;
        } else if ok(c) {
            previous_space = false;
        } else {
            return false;
        }
    }
    !previous_space || text.is_empty()
}

fn is_cjk(c: char) -> bool {
    is_cjk_ideograph(c) || matches!(c, '（' | '）' | '·')
}

/// A Chinese character (the CJK ideograph blocks and their extensions).
pub(crate) fn is_cjk_ideograph(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Removes spaces that touch a CJK character on either side ("张 伟" → "张伟"; "ABC Co" stays).
fn squeeze_cjk_spaces(text: &str) -> String {
    if !text.contains(' ') {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            if before.is_some_and(is_cjk) || after.is_some_and(is_cjk) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A company name with its CJK spaces squeezed ("济南惠悦商 贸有限公司" → "济南惠悦商贸有限公司")
/// but those before notes typed after the name ([`crate::company::note_after_space`]: "华远科技
/// 王经理", "金瑞烟酒 周末不收货"): squeezed, the note would read as part of the name, and
/// deduplication could no longer cut it off.
fn squeeze_company_spaces(text: &str) -> String {
    let mut name = text.trim_end();
    let mut notes = Vec::new();
    while let Some(at) = name.rfind(' ') {
        let (head, tail) = (name[..at].trim_end(), &name[at + 1..]);
        if head.is_empty() || !crate::company::note_after_space(head, tail) {
            break;
        }
        notes.push(tail);
        name = head;
    }
    let mut out = squeeze_cjk_spaces(name);
    for note in notes.iter().rev() {
        out.push(' ');
        out.push_str(note);
    }
    out
}

/// `text.trim()`, answered from the first and last bytes when they cannot start or end
/// whitespace (the common case: a value starting and ending in ASCII or a CJK character), so
/// that most values are never decoded. A load trims every cell it reads.
#[inline]
pub fn trim(text: &str) -> &str {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return text;
    };
    let ascii_space = |b: u8| b == b' ' || (0x09..=0x0D).contains(&b);
    // The non-ASCII whitespace is two bytes led by C2 (U+0085, U+00A0) or three led by E1
    // (U+1680), E2 (U+2000 to U+205F) or E3 (U+3000).
    let may_start = ascii_space(first) || matches!(first, 0xC2 | 0xE1..=0xE3);
    let may_end = if last < 0x80 {
        ascii_space(last)
    } else {
        (n >= 2 && bytes[n - 2] == 0xC2) || (n >= 3 && matches!(bytes[n - 3], 0xE1..=0xE3))
    };
    if may_start || may_end {
        text.trim()
    } else {
        text
    }
}

/// Whether a value stands for "nothing" (`-`, `/`, `N/A`, `无`, `暂无`, ...): such a value does
/// not fill a required field.
pub fn is_placeholder(text: &str) -> bool {
    let text = trim(text);
    PLACEHOLDERS.iter().any(|p| p.eq_ignore_ascii_case(text))
}

/// The longest run of ASCII digits in a text.
fn longest_digit_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Forms of address that stand in for a name (张先生, 李总).
const TITLES: &[&str] = &[
    "先生", "女士", "小姐", "总", "经理", "老师", "老板", "主任", "师傅",
];

/// Whether a person's name is a form of address standing in for it (张先生, 李总, 王经理): a
/// surname and a title, nothing that tells one 李 from another.
pub fn is_form_of_address(text: &str) -> bool {
    // Two to four CJK characters are 6 to 12 bytes: most names are ruled out by their length
    // or their last characters without being decoded.
    (6..=12).contains(&text.len())
        && matches!(
            text.chars().next_back(),
            Some('生' | '士' | '姐' | '总' | '理' | '师' | '板' | '任' | '傅')
        )
        && TITLES.iter().any(|t| text.ends_with(t))
        && text.chars().all(is_cjk)
}

fn person(text: String, mut steps: Vec<&'static str>, name: &str) -> Outcome<'static> {
    let example = "例如 王建国";
    let out = squeeze_cjk_spaces(&text);
    if out != text {
        steps.push("person_name");
    }
    if is_placeholder(&out) {
        let message = format!("{name} \"{out}\" 是占位值, 不是姓名 ({example})");
        return Outcome::bad(out, steps, "person_name_placeholder", message);
    }
    if longest_digit_run(&out) >= 3 {
        let message = format!(
            "{name} \"{}\" 含有数字 (电话号码等请填到对应字段); 只填姓名 ({example})",
            crate::mask::mask_digit_runs(&out)
        );
        return Outcome::bad(out, steps, "person_name_digits", message);
    }
    if out.contains(['/', '、', ',', '，', ';', '；', '|']) {
        let message =
            format!("{name} \"{out}\" 含有多个姓名; 每格只填一人, 其他联系人放到备注 ({example})");
        return Outcome::bad(out, steps, "person_name_several", message);
    }
    if is_form_of_address(&out) {
        let message = format!("{name} \"{out}\" 像是称呼而不是姓名; 请填写全名 ({example})");
        return Outcome::warn(out, steps, "person_name_title", message);
    }
    Outcome::ok(out, steps)
}

// ---------------------------------------------------------------------------------------------
// Company names

/// Values that stand for "no company" rather than name one.
const PLACEHOLDERS: &[&str] = &[
    "/", "-", "--", "—", "——", "...", "…", "……", "无", "暂无", "没有", "不详", "未知", "n/a", "na",
    "null", "none", "测试", "test", "个人", "散客", "0", "?", "？", "无名", "待定",
];

fn company_name(text: String, mut steps: Vec<&'static str>, name: &str) -> Outcome<'static> {
    let brackets = |c: char| {
        matches!(
            c,
            '(' | '[' | '【' | '〔' | '［' | ')' | ']' | '】' | '〕' | '］'
        )
    };
    // Chinese names take full-width brackets, as on the licence; a Latin name keeps its own.
    let chinese = text.chars().any(is_cjk);
    let out: String = if chinese && text.contains(brackets) {
        text.chars()
            .map(|c| match c {
                '(' | '[' | '【' | '〔' | '［' => '（',
                ')' | ']' | '】' | '〕' | '］' => '）',
                c => c,
            })
            .collect()
    } else {
        text.clone()
    };
    let mut out = squeeze_company_spaces(&out);
    // Trailing punctuation typed after the name, and spaces before it ("华远 ,"); a Latin
    // "Co., Ltd." keeps its period.
    loop {
        out.truncate(out.trim_end().len());
        let mut chars = out.chars().rev();
        let last = chars.next();
        let before = chars.next();
        let strip = match last {
            Some('。' | ',' | '，' | '、' | ';' | '；') => true,
            Some('.') => before.is_some_and(is_cjk),
            _ => false,
        };
        if !strip {
            break;
        }
        out.pop();
    }
    if out != text {
        steps.push("company_name");
    }
    // Lower-casing never shortens a text, and no placeholder is longer than four characters.
    if out.chars().nth(4).is_none() && PLACEHOLDERS.contains(&out.to_lowercase().as_str()) {
        let message = format!(
            "{name} \"{out}\" 是占位值, 不是企业名称; 应为营业执照上的企业全称 (例如 北京华远软件科技有限公司)"
        );
        return Outcome::bad(out, steps, "company_name_placeholder", message);
    }
    let opened = out.matches('（').count();
    let closed = out.matches('）').count();
    if opened != closed || out.find('）') < out.find('（') && closed > 0 {
        let message = format!(
            "{name} \"{out}\" 的括号不配对; 应为营业执照上的企业全称 (例如 华远软件科技（北京）有限公司)"
        );
        return Outcome::bad(out, steps, "company_name_brackets", message);
    }
    if longest_digit_run(&out) >= 7 || out.chars().all(|c| c.is_ascii_digit() || c == '-') {
        let message = format!(
            "{name} \"{}\" 含有电话或其他号码, 不是企业名称; 应为营业执照上的企业全称 (例如 北京华远软件科技有限公司)",
            crate::mask::mask_digit_runs(&out)
        );
        return Outcome::bad(out, steps, "company_name_digits", message);
    }
    // Registry status words never belong to a legal name: （已注销）, （吊销，未注销）, -已注销.
    if has_status_word(&out) {
        let message = format!(
            "{name} \"{out}\" 含有状态备注; 企业名称只填营业执照上的全称, 状态请填到备注 (例如 北京华远软件科技有限公司)"
        );
        return Outcome::bad(out, steps, "company_name_status", message);
    }
    if out.chars().count() < 4 {
        let message = format!(
            "{name} \"{out}\" 过短, 不是营业执照上的企业全称 (例如 北京华远软件科技有限公司)"
        );
        return Outcome::bad(out, steps, "company_name_short", message);
    }
    if cjk_name_without_form(&out) {
        let message = format!(
            "{name} \"{out}\" 没有组织形式 (如 有限公司), 可能是简称; 应为营业执照上的企业全称 (例如 北京华远软件科技有限公司)"
        );
        return Outcome::warn(out, steps, "company_name_no_form", message);
    }
    Outcome::ok(out, steps)
}

/// Registry status words (注销, 吊销, ...): a note about the company, never part of its name.
const STATUS_WORDS: &[&str] = &["注销", "吊销", "停业", "歇业", "作废", "倒闭", "已迁出"];

/// Whether a name holds one of the [`STATUS_WORDS`]: one pass over its characters, a word
/// compared only where its first character stands.
fn has_status_word(name: &str) -> bool {
    name.char_indices().any(|(i, c)| {
        STATUS_FIRST.contains(&c) && STATUS_WORDS.iter().any(|w| name[i..].starts_with(w))
    })
}

/// The first characters of the [`STATUS_WORDS`] (a test keeps the two lists together).
const STATUS_FIRST: [char; 7] = ['注', '吊', '停', '歇', '作', '倒', '已'];

/// `text.contains(word)` for the short texts of a cell: a byte loop, where `str::contains` sets
/// up a two-way searcher for each call (it cost more than the search in a profile). Both are
/// UTF-8, so a byte match is a character match.
pub(crate) fn contains_short(text: &str, word: &str) -> bool {
    let (t, w) = (text.as_bytes(), word.as_bytes());
    match w {
        [] => true,
        [a] => memchr::memchr(*a, t).is_some(),
        // Two bytes tested before the rest: a CJK character's first byte alone matches often.
        [a, b, ..] => {
            t.len() >= w.len()
                && (0..=t.len() - w.len())
                    .any(|i| t[i] == *a && t[i + 1] == *b && t[i..i + w.len()] == *w)
        }
    }
}

/// Endings that name an organisation's form, as on licences and registrations.
const FORMS: &[&str] = &[
    "公司",
    "集团",
    "厂",
    "店",
    "中心",
    "合作社",
    "事务所",
    "研究所",
    "研究院",
    "医院",
    "诊所",
    "学校",
    "大学",
    "学院",
    "幼儿园",
    "协会",
    "学会",
    "商会",
    "商行",
    "工作室",
    "办事处",
    "银行",
    "支行",
    "分行",
    "局",
    "委员会",
    "基金会",
    "部",
    "馆",
    "站",
    "所",
    "院",
    "社",
    "会",
    "处",
    "室",
    "队",
    "场",
    "园",
    "行",
    "中学",
    "小学",
    "政府",
    "公社",
    "农场",
    "超市",
    "酒店",
    "宾馆",
    "饭店",
    "药房",
    "药店",
];

/// A Chinese name that ends in none of the organisation forms (阿里巴巴, 华为).
fn cjk_name_without_form(name: &str) -> bool {
    // 华远软件科技有限公司（北京）: the form may stand before a bracketed region.
    let base = name.split('（').next().unwrap_or(name);
    name.chars().any(is_cjk) && !FORMS.iter().any(|f| name.ends_with(f) || base.ends_with(f))
}

// ---------------------------------------------------------------------------------------------
// Phones

/// Strips separators people put in phone numbers.
fn phone_digits(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(
                c,
                ' ' | '-' | '.' | '(' | ')' | '（' | '）' | '—' | '–' | '_'
            )
        })
        .collect()
}

fn looks_like_mobile(text: &str) -> bool {
    let d = phone_digits(text.trim_start_matches("tel:"));
    let d = d.strip_prefix('+').unwrap_or(&d);
    let d = d
        .strip_prefix("0086")
        .or_else(|| d.strip_prefix("86").filter(|r| r.len() == 11))
        .unwrap_or(d);
    d.len() == 11 && d.starts_with('1')
}

/// Excel's float artefacts on a number that is really an identifier of `digits` digits.
///
/// `Ok(Some(digits))` when the text is such an artefact and every digit is known
/// (`13800138000.0`, `1.3800138E10`); `Err(())` when it is a number in scientific notation
/// whose tail was lost (`1.38001E+10`) or that cannot have `digits` digits; `Ok(None)` when the
/// text is not a float at all.
fn excel_float(text: &str, digits: usize) -> Result<Option<String>, ()> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((int, frac)) = text.split_once('.') {
        if all_digits(int) && all_digits(frac) && frac.bytes().all(|b| b == b'0') {
            return Ok(Some(int.to_string()));
        }
    }
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return Ok(None);
    };
    let Ok(exponent) = exponent
        .strip_prefix('+')
        .unwrap_or(exponent)
        .parse::<usize>()
    else {
        return Ok(None);
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !all_digits(int) || !(frac.is_empty() || all_digits(frac)) {
        return Ok(None);
    }
    let written = format!("{int}{frac}");
    // Excel's General format fits an 11-digit number into 11 characters (`1.38001E+10`): at
    // most 6 significant digits, the rest lost. Seven or more come from a shortest round-trip
    // representation (Java's `1.3800138E10`), which is exact, but only below 2^53: longer
    // numbers (ID numbers) never survive a float.
    let needed = if digits <= 15 { 7.min(digits) } else { digits };
    if int.len() + exponent != digits || written.len() < needed {
        return Err(());
    }
    let mut full = written;
    while full.len() < digits {
        full.push('0');
    }
    let (kept, dropped) = full.split_at(digits);
    if dropped.bytes().any(|b| b != b'0') {
        return Err(());
    }
    Ok(Some(kept.to_string()))
}

fn mobile(
    text: String,
    mut steps: Vec<&'static str>,
    name: &str,
    ctx: &Context,
) -> Outcome<'static> {
    let example = "例如 13800138000";
    let mut s = text.as_str();
    for prefix in ["tel:", "TEL:", "Tel:", "手机:", "手机：", "电话:"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim();
        }
    }
    let digits = match excel_float(s, 11) {
        Ok(Some(repaired)) => {
            steps.push("excel_float");
            repaired
        }
        Ok(None) => phone_digits(s),
        Err(()) => {
            let message = format!(
                "{name} \"{text}\" 是被 Excel 科学计数法截断的数字, 后几位已丢失, 无法恢复; 请把该列设为文本后重新录入 ({example})"
            );
            return Outcome::bad(text, steps, "mobile_excel_rounded", message);
        }
    };
    let mut d = digits.as_str();
    let mut prefixed = false;
    if let Some(rest) = d.strip_prefix("+86").or_else(|| d.strip_prefix("0086")) {
        d = rest;
        prefixed = true;
    } else if d.len() == 13 && d.starts_with("86") && d.as_bytes()[2] == b'1' {
        d = &d[2..];
        prefixed = true;
    }
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        let message = if text.contains(['/', '、', ',', ';', '；', '，']) {
            format!(
                "{name} \"{}\" 含有多个号码; 每格只填一个11位手机号, 其他号码放到备注 ({example})",
                mask_all(&text)
            )
        } else {
            format!(
                "{name}应为11位手机号 ({example}); 实际含有非数字字符: \"{}\"",
                mask_all(&text)
            )
        };
        return Outcome::bad(text, steps, "mobile_format", message);
    }
    if d.len() != 11 {
        let message = if d.len() == 13 && d.starts_with("10") {
            format!(
                "{name} \"{}\" 是13位物联网号码, 不是联系电话; 应为11位手机号 ({example})",
                mask_all(d)
            )
        } else {
            format!("{name}应为11位手机号 ({example}); 实际为{}位", d.len())
        };
        return Outcome::bad(text, steps, "mobile_length", message);
    }
    if !d.starts_with('1') {
        let message = format!(
            "{name}应为1开头的11位手机号 ({example}); 实际为 {} (座机请填到座机/电话字段, 格式 010-12345678)",
            mask_all(d)
        );
        return Outcome::bad(text, steps, "mobile_prefix", message);
    }
    let mut data_only = false;
    match ctx.reference.prefix_kind(d) {
        Some(PrefixKind::Data) => data_only = true,
        None => {
            let message = format!(
                "{name} {} 的号段 {} 不是已分配的手机号段, 请核对 ({example})",
                crate::mask::mask(d),
                &d[..3]
            );
            return Outcome::bad(d.to_string(), steps, "mobile_prefix", message);
        }
        Some(_) => {}
    }
    if prefixed {
        steps.push("mobile_country_code");
    }
    let value = d.to_string();
    if value != text && !steps.contains(&"excel_float") {
        steps.push("mobile_separators");
    }
    if data_only {
        let message = format!(
            "{name} {} 属于 {} 号段 (物联网/上网卡), 通常不是联系人的手机; 请确认 ({example})",
            crate::mask::mask(d),
            &d[..3]
        );
        return Outcome::warn(value, steps, "mobile_data_only", message);
    }
    Outcome::ok(value, steps)
}

/// Masks every digit run long enough to be a phone or ID number.
fn mask_all(text: &str) -> String {
    crate::mask::mask(text)
}

fn landline(text: String, mut steps: Vec<&'static str>, name: &str) -> Outcome<'static> {
    let example = "例如 010-12345678 或 0571-88886666-801";
    let lower = text
        .to_lowercase()
        .replace(['–', '—', '－'], "-")
        .replace("(0)", "");
    let lower = lower
        .strip_prefix("tel:")
        .unwrap_or(&lower)
        .trim()
        .to_string();
    // The extension, after 转 / ext / 分机 / # / x.
    let mut body = lower.as_str();
    let mut extension = String::new();
    for marker in ["转", "分机", "ext.", "ext", "x", "#"] {
        if let Some(at) = body.find(marker) {
            let ext: String = body[at + marker.len()..]
                .chars()
                .filter(|c| !matches!(c, ' ' | ':' | '：' | '.' | '-'))
                .collect();
            if !ext.is_empty() && ext.len() <= 6 && ext.bytes().all(|b| b.is_ascii_digit()) {
                extension = ext;
                body = body[..at].trim_end_matches([' ', '-', ',', '，']);
                break;
            }
            let message =
                format!("{name} \"{text}\" 的分机号无法识别; 应为 区号-号码-分机 ({example})");
            return Outcome::bad(text, steps, "landline_format", message);
        }
    }
    let body = body.trim();
    let (body, country) = match body
        .strip_prefix("+86")
        .or_else(|| body.strip_prefix("0086"))
        .or_else(|| body.strip_prefix("(+86)"))
        .or_else(|| body.strip_prefix("(86)"))
        .or_else(|| body.strip_prefix("86-"))
        .or_else(|| body.strip_prefix("86 "))
    {
        Some(rest) => (rest.trim_start_matches(['-', ' ']), true),
        None => (body, false),
    };
    // Groups of digits as the person separated them.
    let groups: Vec<&str> = body
        .split([' ', '-', '(', ')', '（', '）', '—', '.'])
        .filter(|g| !g.is_empty())
        .collect();
    if groups.is_empty() || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
        let message = format!("{name}应为 区号-号码 ({example}); 实际为 \"{text}\"");
        return Outcome::bad(text, steps, "landline_format", message);
    }
    let mut area;
    let number;
    if groups.len() == 1 {
        let d = groups[0];
        let d = if country && !d.starts_with('0') {
            format!("0{d}")
        } else {
            d.to_string()
        };
        let area_len = if d.starts_with("01") || d.starts_with("02") {
            3
        } else {
            4
        };
        if !d.starts_with('0') || d.len() <= area_len {
            let message = format!(
                "{name} \"{}\" 缺少区号; 应为 区号-号码 ({example})",
                mask_all(&text)
            );
            return Outcome::bad(text, steps, "landline_area_code", message);
        }
        area = d[..area_len].to_string();
        number = d[area_len..].to_string();
    } else {
        area = groups[0].to_string();
        if country && !area.starts_with('0') {
            area.insert(0, '0');
        }
        let rest = &groups[1..];
        let last = rest[rest.len() - 1];
        let joined: String = rest.concat();
        if rest.len() >= 2
            && (7..=8).contains(&rest[..rest.len() - 1].concat().len())
            && (1..=6).contains(&last.len())
            && extension.is_empty()
            && !(7..=8).contains(&joined.len())
        {
            number = rest[..rest.len() - 1].concat();
            extension = last.to_string();
        } else {
            number = joined;
        }
    }
    if !area.starts_with('0') {
        let message = format!(
            "{name} \"{}\" 缺少区号; 应为 区号-号码 ({example})",
            mask_all(&text)
        );
        return Outcome::bad(text, steps, "landline_area_code", message);
    }
    let area_ok = match area.len() {
        3 => area == "010" || area.starts_with("02"),
        4 => !area.starts_with("00") && !area.starts_with("01") && !area.starts_with("02"),
        _ => false,
    };
    if !area_ok {
        let message =
            format!("{name} 的区号 {area} 无效; 应为 3位 (010, 02X) 或 4位区号 ({example})");
        return Outcome::bad(text, steps, "landline_area_code", message);
    }
    // Numbers never start with 0 or 1; the 3-digit areas (010, 02X) have 8-digit numbers.
    if number.starts_with(['0', '1']) || (area.len() == 3 && number.len() == 7) {
        let message = format!(
            "{name} \"{}\" 的号码部分应为7–8位且不以0或1开头 ({example})",
            mask_all(&text)
        );
        return Outcome::bad(text, steps, "landline_number", message);
    }
    if !(7..=8).contains(&number.len()) {
        let message = format!(
            "{name} \"{}\" 的号码部分应为7–8位, 实际为{}位 ({example})",
            mask_all(&text),
            number.len()
        );
        return Outcome::bad(text, steps, "landline_number", message);
    }
    let mut value = format!("{area}-{number}");
    if !extension.is_empty() {
        value.push('-');
        value.push_str(&extension);
    }
    if value != text {
        steps.push("landline");
    }
    Outcome::ok(value, steps)
}

// ---------------------------------------------------------------------------------------------
// E-mail

fn email(text: String, mut steps: Vec<&'static str>, name: &str) -> Outcome<'static> {
    let example = "例如 zhangwei@huayuan.com";
    let mut s = text.trim().to_string();
    for prefix in ["mailto:", "MAILTO:", "Mailto:"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim().to_string();
        }
    }
    if let Some(inner) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        s = inner.trim().to_string();
    }
    let s2: String = s
        .chars()
        .map(|c| match c {
            '。' | '．' => '.',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    if s2 != text {
        steps.push("email");
    }
    let problem = email_problem(&s2);
    match problem {
        None => Outcome::ok(s2, steps),
        Some(what) => {
            let message = format!(
                "{name}格式不正确 ({what}), 应为 用户名@域名 ({example}); 实际为 \"{text}\""
            );
            Outcome::bad(s2, steps, "email_format", message)
        }
    }
}

fn email_problem(s: &str) -> Option<&'static str> {
    let Some((local, domain)) = s.split_once('@') else {
        return Some("缺少 @");
    };
    if domain.contains('@') {
        return Some("含有多个 @");
    }
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !contains_short(local, "..");
    if !local_ok {
        return Some("用户名部分含有无效字符");
    }
    let Some((_, tld)) = domain.rsplit_once('.') else {
        return Some("域名缺少后缀");
    };
    let labels_ok = domain.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !labels_ok {
        return Some("域名无效");
    }
    if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Some("域名后缀无效");
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Dates

fn date(
    text: String,
    mut steps: Vec<&'static str>,
    name: &str,
    with_time: bool,
) -> Outcome<'static> {
    let parsed = dates::parse(&text);
    let (date, time) = match parsed {
        Ok(parsed) => parsed,
        Err(problem) => {
            let rule = match problem {
                DateProblem::Ambiguous { .. } => "date_ambiguous",
                DateProblem::InvalidDate { .. } => "date_invalid",
                DateProblem::InvalidTime { .. } => "time_invalid",
                DateProblem::TwoDigitYear => "date_two_digit_year",
                DateProblem::Unrecognised => "date_format",
                DateProblem::WeekdayMismatch { .. } => "date_weekday_mismatch",
            };
            return Outcome::bad(text.clone(), steps, rule, problem.message(name, with_time));
        }
    };
    if !(1900..=2100).contains(&date.year) {
        let message = format!(
            "{name} {date} 超出合理范围 (1900–2100 年); 应为 {} (例如 {})",
            if with_time {
                "YYYY-MM-DD HH:MM"
            } else {
                "YYYY-MM-DD"
            },
            if with_time {
                "2024-06-15 14:30"
            } else {
                "2024-06-15"
            }
        );
        return Outcome::bad(text, steps, "date_range", message);
    }
    let value = match (with_time, time) {
        (true, Some(time)) => format!("{date} {time}"),
        (true, None) => {
            let message = format!(
                "{name} \"{text}\" 缺少时间; 应为 YYYY-MM-DD HH:MM (例如 2024-06-15 14:30)"
            );
            return Outcome::bad(text, steps, "datetime_missing_time", message);
        }
        (false, _) => date.to_string(),
    };
    if value != text {
        steps.push(if with_time { "datetime" } else { "date" });
    }
    Outcome::ok(value, steps)
}

// ---------------------------------------------------------------------------------------------
// Numbers and money

/// An exact decimal: `digits × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decimal {
    digits: i128,
    scale: u32,
}

impl Decimal {
    fn parse(s: &str) -> Option<Decimal> {
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            || int.len() + frac.len() > 30
        {
            return None;
        }
        let digits: i128 = format!("{int}{frac}").parse().ok()?;
        Some(Decimal {
            digits: if negative { -digits } else { digits },
            scale: frac.len() as u32,
        })
    }

    /// Multiplies by 10^k (k may be negative) exactly.
    fn shift(self, k: i32) -> Decimal {
        if k >= 0 {
            let k = k as u32;
            if self.scale >= k {
                Decimal {
                    digits: self.digits,
                    scale: self.scale - k,
                }
            } else {
                Decimal {
                    digits: self.digits * 10i128.pow(k - self.scale),
                    scale: 0,
                }
            }
        } else {
            Decimal {
                digits: self.digits,
                scale: self.scale + (-k) as u32,
            }
        }
    }

    fn is_negative(self) -> bool {
        self.digits < 0
    }

    /// The exact sum, or `None` on overflow.
    fn add(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let widen = |d: Decimal| d.digits.checked_mul(10i128.checked_pow(scale - d.scale)?);
        Some(Decimal {
            digits: widen(self)?.checked_add(widen(other)?)?,
            scale,
        })
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.digits < 0 { "-" } else { "" };
        let abs = self.digits.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let (int, frac) = if abs.len() > scale {
            (
                abs[..abs.len() - scale].to_string(),
                abs[abs.len() - scale..].to_string(),
            )
        } else {
            ("0".to_string(), format!("{abs:0>scale$}"))
        };
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            write!(f, "{sign}{int}")
        } else {
            write!(f, "{sign}{int}.{frac}")
        }
    }
}

/// Removes thousands separators when they are placed as thousands separators.
fn strip_thousands(s: &str) -> Option<String> {
    if !s.contains(',') {
        return Some(s.to_string());
    }
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    let groups: Vec<&str> = int.split(',').collect();
    let ok =
        groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3);
    if !ok {
        return None;
    }
    let mut out = groups.concat();
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// Chinese amount units, largest first, as powers of ten.
const MONEY_UNITS: &[(&str, i32)] = &[
    ("亿", 8),
    ("千万", 7),
    ("百万", 6),
    ("万", 4),
    ("w", 4),
    ("W", 4),
    ("千", 3),
    ("k", 3),
    ("K", 3),
    ("百", 2),
];

/// An amount written as parts with units (`5万`, `1亿2000万`, `5万5千`), in 元, and whether any
/// unit was written; or a bare number. A part without a unit after one with a unit (`5万5`) is
/// ambiguous and refused, as are units out of order.
fn money_parts(body: &str) -> Option<(Decimal, bool)> {
    let mut rest = body;
    let mut total = Decimal {
        digits: 0,
        scale: 0,
    };
    let mut last = i32::MAX;
    let mut parts = 0;
    let mut with_units = false;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',' || c == '-' && parts == 0))
            .unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        let number = strip_thousands(&rest[..end]).and_then(|n| Decimal::parse(&n))?;
        rest = &rest[end..];
        match MONEY_UNITS.iter().find(|(u, _)| rest.starts_with(u)) {
            Some((u, power)) => {
                if *power >= last {
                    return None;
                }
                last = *power;
                rest = &rest[u.len()..];
                total = total.add(number.shift(*power))?;
                with_units = true;
            }
            None if parts == 0 && rest.is_empty() => total = number,
            None => return None,
        }
        parts += 1;
    }
    (parts > 0).then_some((total, with_units))
}

fn number(
    text: String,
    mut steps: Vec<&'static str>,
    name: &str,
    integer: bool,
) -> Outcome<'static> {
    let compact: String = text.chars().filter(|c| *c != ' ').collect();
    let parsed = strip_thousands(&compact).and_then(|s| Decimal::parse(&s));
    let example = if integer { "例如 3" } else { "例如 12.5" };
    let Some(mut value) = parsed else {
        let message = format!("{name}应为数字 ({example}); 实际为 \"{text}\"");
        return Outcome::bad(text, steps, "number_format", message);
    };
    if integer {
        let canonical = value.to_string();
        if canonical.contains('.') {
            let message = format!("{name}应为整数 ({example}); 实际为 \"{text}\"");
            return Outcome::bad(text, steps, "integer_format", message);
        }
        value = Decimal::parse(&canonical).unwrap_or(value);
    }
    let out = value.to_string();
    if out != text {
        steps.push("number");
    }
    Outcome::ok(out, steps)
}

fn money(text: String, mut steps: Vec<&'static str>, name: &str, unit: &str) -> Outcome<'static> {
    let example = if unit == "万元" {
        "例如 25.5 表示25.5万元, 也可写 25.5万 或 255000元"
    } else {
        "例如 50000, 也可写 5万 或 ¥50,000.00"
    };
    let bad = |text: String, steps, rule, why: &str| {
        let message =
            format!("{name}{why}; 应为以{unit}为单位的金额 ({example}); 实际为 \"{text}\"");
        Outcome::bad(text, steps, rule, message)
    };
    let mut s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut currency = false;
    for marker in ["人民币", "RMB", "rmb", "CNY", "cny", "¥", "￥"] {
        if s.contains(marker) {
            s = s.replace(marker, "");
            currency = true;
        }
    }
    if s.is_empty() {
        return bad(text, steps, "money_format", "不是金额");
    }
    let approximate = [
        "约", "左右", "以上", "以下", "面议", "待定", "~", "～", "到", "至", "≥", "≤", ">", "<",
    ]
    .iter()
    .any(|w| s.contains(w));
    // A dash after the first character is a range (5-10万); a trailing + is "or more".
    if approximate || s.chars().skip(1).any(|c| c == '-') || s.ends_with('+') {
        return bad(
            text,
            steps,
            "money_not_exact",
            "不是确定的金额 (范围或约数)",
        );
    }
    // 元 and 整 at the end: the amount is in 元 (a bare number is in the field's unit).
    let body = s.strip_suffix('整').unwrap_or(&s);
    let (body, in_yuan) = match body.strip_suffix('元') {
        Some(rest) => (rest, true),
        None => (body, false),
    };
    let Some((value, with_units)) = money_parts(body) else {
        return bad(text, steps, "money_format", "不是金额");
    };
    if value.is_negative() {
        return bad(text, steps, "money_negative", "不能为负数");
    }
    let unit_power = if unit == "万元" { 4 } else { 0 };
    // ¥800,000.00 in a 万元 column: the currency sign says yuan to some and nothing to others.
    if currency && unit_power > 0 && !with_units && !in_yuan {
        return bad(
            text,
            steps,
            "money_unit_ambiguous",
            "带货币符号但没有单位, 无法确定是元还是万元",
        );
    }
    let value = if with_units || in_yuan {
        value.shift(-unit_power)
    } else {
        value
    };
    let out = value.to_string();
    if out != text {
        steps.push("money");
    }
    Outcome::ok(out, steps)
}

// ---------------------------------------------------------------------------------------------
// Enumerations and industries

/// Folds a spelling for comparison: NFKC already applied; lower case, no spaces.
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn enumeration(text: String, mut steps: Vec<&'static str>, field: &Field) -> Outcome<'static> {
    // Most cells hold a value or a synonym exactly as listed.
    for value in &field.values {
        if value.value == text {
            return Outcome::ok(text, steps);
        }
        if value.synonyms.contains(&text) {
            steps.push("enum");
            return Outcome::ok(value.value.clone(), steps);
        }
    }
    let folded = fold(&text);
    for value in &field.values {
        let hit = std::iter::once(&value.value)
            .chain(&value.synonyms)
            .any(|spelling| fold(spelling) == folded);
        if hit {
            if value.value != text {
                steps.push("enum");
            }
            return Outcome::ok(value.value.clone(), steps);
        }
    }
    let allowed: Vec<&str> = field.values.iter().map(|v| v.value.as_str()).collect();
    let message = format!(
        "{}应为 {} 之一 (例如 {}); 实际为 \"{text}\"",
        field.header,
        allowed.join(" / "),
        allowed.first().copied().unwrap_or("")
    );
    Outcome::bad(text, steps, "enum_value", message)
}

fn industry(
    text: String,
    mut steps: Vec<&'static str>,
    name: &str,
    ctx: &Context,
) -> Outcome<'static> {
    match ctx.reference.industry_section(&text) {
        Ok(section) => {
            if section != text {
                steps.push("industry");
            }
            Outcome::ok(section.to_string(), steps)
        }
        Err(why) => {
            let message = format!(
                "{name} \"{text}\" {why}; 应为 GB/T 4754-2017 门类名称或代码 (例如 制造业 或 C, C13)"
            );
            Outcome::bad(text, steps, "industry_unknown", message)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Identifiers

fn identifier(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_uppercase)
        .collect()
}

fn credit_code(text: String, mut steps: Vec<&'static str>, name: &str) -> Outcome<'static> {
    let code = identifier(&text);
    if code != text {
        steps.push("credit_code");
    }
    match checks::credit_code(&code) {
        Ok(_) => Outcome::ok(code, steps),
        Err(problem) => {
            let rule = problem.rule();
            Outcome::bad(code, steps, rule, problem.message(name))
        }
    }
}

fn id_card(
    text: String,
    mut steps: Vec<&'static str>,
    name: &str,
    ctx: &Context,
) -> Outcome<'static> {
    if excel_float(&text, 18).is_err() {
        let message = format!(
            "{name} 是被 Excel 科学计数法截断的数字, 后几位已丢失, 无法恢复; 请把该列设为文本后重新录入 (例如 11010519491231002X)"
        );
        return Outcome::bad(text, steps, "id_card_excel_rounded", message);
    }
    let id = identifier(&text);
    if id != text {
        steps.push("id_card");
    }
    let today = (ctx.today.year, ctx.today.month, ctx.today.day);
    match checks::id_card(&id, today) {
        Ok(_) => Outcome::ok(id, steps),
        Err(problem) => {
            let rule = problem.rule();
            Outcome::bad(id, steps, rule, problem.message(name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn placeholders_are_at_most_four_characters() {
        // company_name lower-cases only names this short to compare them with the list.
        assert!(PLACEHOLDERS.iter().all(|p| p.chars().count() <= 4));
    }

    #[test]
    fn every_status_word_starts_with_a_status_first_character() {
        for w in STATUS_WORDS {
            assert!(STATUS_FIRST.contains(&w.chars().next().unwrap()), "{w}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The quick path of `clean_text` only answers for text the full check leaves alone.
        #[test]
        fn clean_text_quick_path_agrees_with_the_full_check(
            raw in prop_oneof![
                proptest::string::string_regex("[ a-z~!华远北京（）、。·\u{3000}\u{200B}\u{00A0}\t\nＡ１]{0,12}").unwrap(),
                any::<String>(),
            ]
        ) {
            let full = clean_text_full(&raw);
            if is_clean(&raw) {
                prop_assert!(matches!(full, Cow::Borrowed(_)), "{raw:?} → {full:?}");
            }
            prop_assert_eq!(clean_text(&raw), full);
        }

        /// The byte-level quick check is the character-level one.
        #[test]
        fn is_clean_by_bytes_is_single_spaced_nfkc_stable(
            raw in prop_oneof![
                proptest::string::string_regex("[ a~华远一丁龥鿿㐀䶿丂（、。·\u{3000}\u{4DFF}\u{A000}\u{E000}Ａ]{0,8}").unwrap(),
                any::<String>(),
            ]
        ) {
            prop_assert_eq!(is_clean(&raw), single_spaced(&raw, is_nfkc_stable));
        }

        /// The byte loop finds what `str::contains` finds.
        #[test]
        fn contains_short_is_contains(
            text in "[华远公司合作社.a]{0,8}",
            word in "[华远公司合作社.a]{0,3}",
        ) {
            prop_assert_eq!(contains_short(&text, &word), text.contains(word.as_str()));
        }

        /// The one-pass status check is the word-by-word one.
        #[test]
        fn status_words_in_one_pass(text in "[注销吊停业歇作废倒闭已迁出华远公司]{0,8}") {
            prop_assert_eq!(
                has_status_word(&text),
                STATUS_WORDS.iter().any(|w| text.contains(w))
            );
        }

        /// Bidirectional controls never survive cleaning.
        #[test]
        fn clean_text_drops_bidi_controls(
            text in proptest::string::string_regex("[华远a-z \u{202A}-\u{202E}\u{2066}-\u{2069}\u{200E}\u{200F}]{0,10}").unwrap()
        ) {
            let cleaned = clean_text(&text);
            prop_assert!(!cleaned.chars().any(is_bidi_control), "{text:?} → {cleaned:?}");
        }

        /// The quick answer of `trim` is `str::trim`'s.
        #[test]
        fn trim_agrees_with_str_trim(
            text in prop_oneof![
                proptest::string::string_regex("[ a-z华远\u{3000}\u{2000}\u{205F}\u{1680}\u{0085}\u{00A0}\u{00E9}\u{1E00}\u{2100}\u{3001}\t\n\u{000B}]{0,6}").unwrap(),
                any::<String>(),
            ]
        ) {
            prop_assert_eq!(trim(&text), text.trim());
        }
    }
}
