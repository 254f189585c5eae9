//! Street addresses, as dedupe compares them: the street and its number (文三路478号), and what
//! follows it (the building, floor and room).
//!
//! The same address is written many ways: with or without the province, city and district
//! (浙江省杭州市西湖区文三路478号 / 文三路478号), `#` for 号 (478#), 楼 or F for 层 (12楼, 12F),
//! 号院 for 号, full-width digits, traditional characters, a remark in brackets ((仓库), (收货地址)),
//! shortened (the floor or room left out). [`key`] reads what stays the same through all of
//! that; [`compare`] says whether two keys are one place.

/// What an address is compared by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressKey {
    /// The road and its number (文三路478), without the divisions before the road; empty when
    /// no road with a number was found.
    pub street: Box<str>,
    /// What follows the number (华星时代广场a座12层), 层 for 楼 and F, without 室 and 房; or, when
    /// no street was found, the whole normalised address.
    pub detail: Box<str>,
}

impl AddressKey {
    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.street.is_empty() && self.detail.is_empty()
    }
}

/// How two addresses compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressMatch {
    /// One side empty, or neither names a street with its number and the texts differ: nothing
    /// to compare.
    Unknown,
    /// The same street number, and the same building, floor and room as far as both say (one
    /// may stop earlier: 文三路478号 / 文三路478号华星时代广场a座12层).
    Same,
    /// The same street number, another building, floor or room.
    SameStreet,
    /// Another street or number.
    Different,
}

/// The words a road's name ends in (胡同 ends in 同).
const ROAD_ENDS: [char; 6] = ['路', '街', '道', '巷', '弄', '同'];

/// Divisions written before a road (and 街道, ending in 道): the road starts after the last of
/// them.
const DIVISIONS: [char; 8] = ['省', '市', '区', '县', '旗', '镇', '乡', '道'];

/// Words saying that the address is not known, in a text without a street number.
const UNKNOWN: [&str; 7] = ["不详", "暂无", "未知", "待定", "待补充", "未填", "同上"];

/// The comparison key of `address` (empty when nothing is written).
pub fn key(address: &str) -> AddressKey {
    if address.trim().is_empty() || crate::normalize::is_placeholder(address) {
        return AddressKey::default();
    }
    let bytes = address.as_bytes();
    let text = if memchr::memchr(b'#', bytes).is_some()
        || memchr::memmem::find(bytes, "＃".as_bytes()).is_some()
    {
        crate::company::normalize(&address.replace(['#', '＃'], "号"))
    } else {
        crate::company::normalize(address)
    };
    let text = if memchr::memchr(b'(', text.as_bytes()).is_some() {
        without_brackets(&text)
    } else {
        text
    };
    let Some((road, number, end)) = street(&text) else {
        // 地址不详, 暂无地址, 同上: no place, and two of them are not one place.
        if UNKNOWN.iter().any(|w| text.contains(w)) {
            return AddressKey::default();
        }
        return AddressKey {
            street: "".into(),
            detail: detail_of(&text).into(),
        };
    };
    let road = after_divisions(road);
    let number = number.trim_start_matches('0');
    // 478号院 is 478号.
    let rest = &text[end..];
    let mut street = String::with_capacity(road.len() + number.len() + '号'.len_utf8());
    street.extend([road, number, "号"]);
    AddressKey {
        street: street.into(),
        detail: detail_of(rest.strip_prefix('院').unwrap_or(rest)).into(),
    }
}

/// The first road with its number in `text`: a run of Chinese characters ending in a road word
/// ([`ROAD_ENDS`]), digits, 号. The road, the digits, and where 号 ends.
fn street(text: &str) -> Option<(&str, &str, usize)> {
    let bytes = text.as_bytes();
    for at in memchr::memmem::find_iter(bytes, "号".as_bytes()) {
        let from = at + '号'.len_utf8();
        let digits = bytes[..at]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            continue;
        }
        let before = &text[..at - digits];
        if !before
            .chars()
            .next_back()
            .is_some_and(|c| ROAD_ENDS.contains(&c))
        {
            continue;
        }
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_han(c))
            .last()
            .map_or(before.len(), |(i, _)| i);
        return Some((&before[start..], &text[at - digits..at], from));
    }
    None
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Compares two keys.
pub fn compare(a: &AddressKey, b: &AddressKey) -> AddressMatch {
    if a.is_empty() || b.is_empty() {
        return AddressMatch::Unknown;
    }
    if a.street.is_empty() || b.street.is_empty() {
        return if a.street == b.street && a.detail == b.detail {
            AddressMatch::Same
        } else {
            AddressMatch::Unknown
        };
    }
    if a.street != b.street {
        return AddressMatch::Different;
    }
    let (x, y) = (&*a.detail, &*b.detail);
    if x.starts_with(y) || y.starts_with(x) {
        AddressMatch::Same
    } else {
        AddressMatch::SameStreet
    }
}

/// `text` without its bracketed parts (remarks: (仓库), (收货地址)).
fn without_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The road without the divisions before it (白云区经济开发区纬二路 → 纬二路).
fn after_divisions(road: &str) -> &str {
    // The road word itself is never cut (a road may end in 街, as 街道 begins).
    let body = road.char_indices().last().map_or(road, |(i, _)| &road[..i]);
    let cut = body
        .char_indices()
        .rev()
        .find(|&(i, c)| DIVISIONS.contains(&c) && (c != '道' || body[..i].ends_with('街')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    if road.len() - cut < "路".len() * 2 {
        return road;
    }
    &road[cut..]
}

/// The building, floor and room as compared: 层 for 楼 or f after a number (12楼, 12f), without
/// 室 and 房 (1205室 = 1205).
fn detail_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = '\0';
    for c in text.chars() {
        let c = match c {
            '楼' | 'f' if previous.is_ascii_digit() => '层',
            '室' | '房' => continue,
            c => c,
        };
        out.push(c);
        previous = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> AddressMatch {
        compare(&key(a), &key(b))
    }

    #[test]
    fn one_address_written_many_ways_is_the_same() {
        let base = "西湖区文三路478号华星时代广场A座12层1205室";
        for other in [
            "浙江省杭州市西湖区文三路478号华星时代广场A座12层1205室",
            "杭州市文三路478#华星时代广场A座12F1205",
            "文三路４７８号华星时代广场Ａ座12楼1205房",
            "西湖区文三路478号院华星时代广场A座12层1205室（收货地址）",
            "西湖区文三路478号",
            "西湖区 文三路478号 华星时代广场A座12层",
            "西湖區文三路478號華星時代廣場A座12層1205室",
        ] {
            assert_eq!(same(base, other), AddressMatch::Same, "{other}");
        }
    }

    #[test]
    fn divisions_before_the_road_are_not_the_road() {
        assert_eq!(
            same("白云区经济开发区纬二路878号", "经济开发区纬二路878号"),
            AddressMatch::Same
        );
        assert_eq!(
            same("东莞市南城街道枫林路685号", "南城街道枫林路685号院"),
            AddressMatch::Same
        );
        assert_eq!(
            same("义乌市环城北路1942号", "浙江省金华市义乌市环城北路1942号"),
            AddressMatch::Same
        );
        assert_eq!(
            same("世纪大道377号", "盘龙区世纪大道377号"),
            AddressMatch::Same
        );
    }

    #[test]
    fn another_room_or_another_street_is_told_apart() {
        assert_eq!(
            same("西乡塘区建设路408号2805室", "西乡塘区建设路408号1908室"),
            AddressMatch::SameStreet
        );
        assert_eq!(
            same("西乡塘区建设路408号", "西乡塘区建设路48号"),
            AddressMatch::Different
        );
        assert_eq!(
            same("静安区环城东路990号", "静安区环城西路990号"),
            AddressMatch::Different
        );
    }

    #[test]
    fn without_a_street_number_only_equal_text_counts() {
        assert_eq!(same("", "文三路478号"), AddressMatch::Unknown);
        assert_eq!(same("城南工业园", "城南工业园"), AddressMatch::Same);
        assert_eq!(same("城南工业园", "城北工业园"), AddressMatch::Unknown);
        assert_eq!(same("城南工业园", "文三路478号"), AddressMatch::Unknown);
        // Placeholders are no place: two of them are not one address.
        for unknown in ["不详", "无", "-", "地址不详", "暂无地址", "同上", "待补充"]
        {
            assert_eq!(same(unknown, unknown), AddressMatch::Unknown, "{unknown}");
            assert!(key(unknown).is_empty(), "{unknown}");
        }
    }
}
