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

#[cfg(test)]
mod tests {
    use super::mask;

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
