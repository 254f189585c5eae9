//! Masking personal data before it reaches a log or a terminal: 13800138000 → 138****8000.
//!
//! Phone numbers, ID numbers and other long digit strings keep their first three and last four
//! characters; everything between becomes `*`. Shorter values are left as they are.

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

#[cfg(test)]
mod tests {
    use super::{mask, mask_digit_runs};

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
