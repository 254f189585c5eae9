//! National brands: banks, insurers, telecom operators and the post
//! (`rules/reference/brands.toml`). Each city's and county's branch is a legal person of its
//! own, written a dozen ways: 中国农业银行股份有限公司成都武侯支行, 农行成都武侯支行, 武侯农行,
//! 农行武侯支行营业部, Agricultural Bank of China Chengdu Wuhou Sub-branch. [`Brands::read`]
//! reads each as the brand and the branch's place. The place is compared by its pinyin, so that
//! an English name's place (Wuhou, Rongxian) is the Chinese one's (武侯, 荣县), and a place
//! mistyped with a homophone (钱南 for 黔南) is still the place.

use aho_corasick::{AhoCorasick, MatchKind};
use pinyin::{ToPinyin, ToPinyinMulti};
use serde::Deserialize;

use super::{
    district_len, is_department, is_han, is_remark, trade_spellings, trailing_bracket, Found,
    Regions,
};
use crate::error::{Error, Result};

pub(super) const BRANDS: &str = include_str!("../../../../rules/reference/brands.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandFile {
    brands: Vec<BrandEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandEntry {
    name: String,
    core: String,
    aliases: Vec<String>,
    #[serde(default)]
    latin: Vec<String>,
}

/// One brand, as keys use it.
#[derive(Debug)]
struct Brand {
    core: String,
    /// The head office's form (股份有限公司); `None` when its name has none (国家开发银行).
    form: Option<String>,
}

/// The brands, indexed for reading names.
#[derive(Debug)]
pub(super) struct Brands {
    brands: Vec<Brand>,
    /// Every Chinese alias.
    finder: AhoCorasick,
    /// The brand of each of `finder`'s patterns.
    of_alias: Vec<usize>,
    /// Latin names, letters and digits only, longest first, with their brand.
    latin: Vec<(String, usize)>,
    /// The pinyin spellings of provinces' and cities' short names, longest first, with the
    /// place and its token ([`region_token`]): how an English name writes them (Chengdu,
    /// Sichuan, Guang'an; 重庆 as Chongqing, whatever the first reading of 重).
    places: Vec<(String, Found, String)>,
    /// Every syllable of pinyin, without tones (zhong, an, xiang).
    syllables: rustc_hash::FxHashSet<String>,
}

/// A name read as a brand's: what [`super::CompanyKey`] takes from it.
#[derive(Debug)]
pub(super) struct BrandName {
    /// The brand's core (中国农业银行).
    pub brand: String,
    pub form: Option<String>,
    /// The branch's place in pinyin (wuhou, rongxian, chengdu); `None` for the head office.
    pub place: Option<String>,
    /// The province or city written, the branch's own or before it.
    pub region: Option<Found>,
}

/// A branch's word after its place: 分行, 支行, 分公司, 中心支公司, 支公司; 分局 and a bare
/// 公司 (移动遵义公司) too. 局 (安宁市邮政局, the post's old name) only at the end.
const MARKERS: &[&str] = &[
    "中心支公司",
    "支公司",
    "分公司",
    "分行",
    "支行",
    "分局",
    "公司",
];

/// A branch's outlet, named by its street: 金江营业厅, 新城储蓄所, 滨江分理处, 河西支局.
const OUTLETS: &[&str] = &[
    "营业厅",
    "营业部",
    "营业室",
    "营业所",
    "储蓄所",
    "分理处",
    "支局",
    "网点",
];

/// A branch's unit, however named: its call centre, its machine room.
const UNITS: &[&str] = &["客服中心", "客户服务中心", "服务中心", "数据中心", "机房"];

/// The head office's form written after the brand (中国电信|股份有限公司|泸州分公司).
const FORMS: &[&str] = &[
    "股份有限公司",
    "集团有限公司",
    "有限责任公司",
    "集团公司",
    "有限公司",
];

/// The end of a branch's word cut off (…财产保险股份有限公司绵阳市分, …德宏中心).
const CUT_MARKERS: &[&str] = &["中心支公", "中心支", "中心", "支公", "分公", "分", "支"];

/// Latin words a name adds after the brand or the place (Co., Ltd., Central Sub-branch).
const LATIN_FORMS: &[&str] = &[
    "companylimited",
    "corporationlimited",
    "colimited",
    "coltd",
    "limited",
    "ltd",
    "company",
    "corporation",
];
const LATIN_MARKERS: &[&str] = &[
    "centralsubbranch",
    "subbranchoffice",
    "branchoffice",
    "centralbranch",
    "subbranch",
    "branch",
];
const LATIN_PLACE_WORDS: &[&str] = &["district", "county", "city", "province", "prefecture"];

impl Brands {
    pub(super) fn parse(text: &str, origin: &str, regions: &Regions) -> Result<Brands> {
        let file: BrandFile = crate::rules::parse_toml(text, origin)?;
        let invalid = |key: String, message: String| Error::InvalidTemplate {
            file: origin.to_string(),
            key,
            message,
        };
        let mut brands = Vec::new();
        let mut aliases: Vec<(String, usize)> = Vec::new();
        let mut latin = Vec::new();
        for (i, entry) in file.brands.iter().enumerate() {
            let form = ["股份有限公司", "有限责任公司", "集团有限公司", "有限公司"]
                .into_iter()
                .find(|f| entry.name.ends_with(f));
            if !entry.aliases.contains(&entry.core) {
                return Err(invalid(
                    format!("brands[{i}].aliases"),
                    format!("expected the core `{}` among the aliases", entry.core),
                ));
            }
            for (j, alias) in entry.aliases.iter().enumerate() {
                if super::normalize(alias) != *alias || alias.chars().count() < 2 {
                    return Err(invalid(
                        format!("brands[{i}].aliases[{j}]"),
                        format!(
                            "expected two or more characters in simplified Chinese, without \
                             spaces or punctuation; found `{alias}`"
                        ),
                    ));
                }
                if let Some((_, other)) = aliases.iter().find(|(a, _)| a == alias) {
                    return Err(invalid(
                        format!("brands[{i}].aliases[{j}]"),
                        format!("`{alias}` is already an alias of brands[{other}]"),
                    ));
                }
                aliases.push((alias.clone(), i));
            }
            for name in &entry.latin {
                let spelled = letters(name);
                if spelled.len() < 3 {
                    return Err(invalid(
                        format!("brands[{i}].latin"),
                        format!("expected three or more letters; found `{name}`"),
                    ));
                }
                latin.push((spelled, i));
            }
            brands.push(Brand {
                core: entry.core.clone(),
                form: form.map(String::from),
            });
        }
        latin.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
        let finder = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(aliases.iter().map(|(a, _)| a))
            .map_err(|e| invalid("brands".into(), e.to_string()))?;
        let mut places = Vec::new();
        let provinces = (0..regions.provinces.len()).map(|p| found(p, None));
        let cities = (regions.cities.iter().enumerate()).map(|(c, (_, p))| found(*p, Some(c)));
        for place in provinces.chain(cities) {
            let token = region_token(place, regions);
            for spelled in trade_spellings(region_short(place, regions)) {
                places.push((spelled, place, token.clone()));
            }
        }
        places.sort_by_key(|(s, _, _)| std::cmp::Reverse(s.len()));
        let syllables = ('\u{4e00}'..='\u{9fa5}')
            .flat_map(|c| c.to_pinyin_multi().into_iter().flatten())
            .map(|p| p.plain().to_string())
            .collect();
        Ok(Brands {
            brands,
            finder,
            of_alias: aliases.into_iter().map(|(_, b)| b).collect(),
            latin,
            places,
            syllables,
        })
    }

    /// `text` (normalised) read as a brand's head office or branch; `None` when it names no
    /// brand, or writes more around the brand than a place, a form, a branch's word and a unit
    /// (内江上联通信技术有限公司 is no 联通).
    pub(super) fn read(&self, text: &str, regions: &Regions) -> Option<BrandName> {
        if text.is_ascii() {
            return self.read_latin(text);
        }
        // 忠国人寿, 众国铁塔: 中国 mistyped with a homophone.
        if let Some(rest) = ["忠国", "众国", "钟国", "终国", "仲国"]
            .iter()
            .find_map(|w| text.strip_prefix(w))
        {
            if let Some(read) = self.read(&format!("中国{rest}"), regions) {
                return Some(read);
            }
        }
        self.finder.find_iter(text).find_map(|m| {
            let brand = &self.brands[self.of_alias[m.pattern().as_usize()]];
            let rest = &text[m.end()..];
            let (place, region) = around(&text[..m.start()], rest, regions)?;
            let (place, region) = match place {
                Some(place) => {
                    let (token, found) = chinese_place(place, regions);
                    let county = rest.contains("支行")
                        || (rest.contains("支公司") && !rest.contains("中心支公司"));
                    (
                        Some(county_seat(token, found, county, regions)),
                        found.or(region),
                    )
                }
                None => (None, region),
            };
            Some(BrandName {
                brand: brand.core.clone(),
                form: brand.form.clone(),
                place,
                region,
            })
        })
    }

    fn read_latin(&self, text: &str) -> Option<BrandName> {
        let spelled = letters(text);
        let (rest, b) = self
            .latin
            .iter()
            .find_map(|(name, b)| spelled.strip_prefix(name.as_str()).map(|rest| (rest, *b)))?;
        let brand = &self.brands[b];
        let mut rest = rest;
        while let Some(after) = LATIN_FORMS.iter().find_map(|f| rest.strip_prefix(f)) {
            rest = after;
        }
        let mut place = rest;
        let mut marked = false;
        let county = rest.ends_with("subbranch") && !rest.ends_with("centralsubbranch");
        loop {
            if let Some(before) = LATIN_FORMS.iter().find_map(|w| place.strip_suffix(w)) {
                place = before;
            } else if let Some(before) = LATIN_MARKERS
                .iter()
                .chain(LATIN_PLACE_WORDS)
                .find_map(|w| place.strip_suffix(w))
            {
                place = before;
                marked = true;
            } else {
                break;
            }
        }
        // Nothing but a place's syllables before a branch's word: no other company's words
        // (Bank of China Tower Property Management is no Bank of China branch).
        if !(place.is_empty() || marked && self.syllables(place)) {
            return None;
        }
        let (place, region) = if place.is_empty() {
            (None, None)
        } else {
            let (token, region) = self.latin_place(place);
            let seat = county
                && self
                    .places
                    .iter()
                    .any(|(_, f, t)| *t == token && f.city.is_some());
            (
                Some(if seat { format!("{token}shi") } else { token }),
                region,
            )
        };
        Some(BrandName {
            brand: brand.core.clone(),
            form: brand.form.clone(),
            place,
            region,
        })
    }

    /// A place written in pinyin: a province's or city's (its token, as [`chinese_place`] gives
    /// it), or a county's, after them (Chengdu Wuhou: wuhou, in 成都) or alone.
    fn latin_place(&self, place: &str) -> (String, Option<Found>) {
        let mut place = place;
        let mut region = None;
        for _ in 0..2 {
            // A province's or city's token; the region only when a county follows, for a
            // county may be spelled as a city elsewhere is (Qingyang: 青羊区, or 庆阳).
            if let Some((_, _, token)) = self.places.iter().find(|(s, _, _)| s == place) {
                return (token.clone(), region);
            }
            // Xiangyun is no Xi'an and gyun: what follows must be syllables.
            match self.places.iter().find(|(s, _, _)| {
                place.len() >= s.len() + 4
                    && place.starts_with(s.as_str())
                    && self.syllables(&place[s.len()..])
            }) {
                Some((s, f, _)) => {
                    region = Some(*f);
                    place = &place[s.len()..];
                }
                None => break,
            }
        }
        (place.to_string(), region)
    }
}

impl Brands {
    /// Whether `text` is pinyin syllables run together (gucheng, shizhong; not gyun).
    fn syllables(&self, text: &str) -> bool {
        // ok[i]: text[..i] splits into syllables.
        let mut ok = vec![false; text.len() + 1];
        ok[0] = true;
        for end in 1..=text.len() {
            ok[end] = (end.saturating_sub(6)..end)
                .any(|start| ok[start] && self.syllables.contains(&text[start..end]));
        }
        ok[text.len()]
    }
}

/// What is written around a brand's name in Chinese: the place of its branch (from before the
/// brand, 武侯农行, or after it, 农行武侯支行) and the region before it (昆明农行官渡支行);
/// `None` when something else is written (a company's own words).
fn around<'a>(
    prefix: &'a str,
    rest: &'a str,
    regions: &Regions,
) -> Option<(Option<&'a str>, Option<Found>)> {
    let mut rest = rest;
    // An outlet or a remark in brackets: (石溪网点), (营业部).
    while let Some((open, content)) = trailing_bracket(rest) {
        if !(unit(content) || is_remark(content)) {
            break;
        }
        rest = &rest[..open];
    }
    let mut formed = false;
    let mut region = None;
    if let Some(after) = strip_form(rest) {
        rest = after;
        formed = true;
    }
    // A province's company: 中国移动通信集团|四川|有限公司.
    if let Some(f) = regions.leading(rest, true).filter(|f| f.city.is_none()) {
        let after = &rest[f.len..];
        if let Some(after) = strip_form(after.strip_prefix('省').unwrap_or(after)) {
            region = Some(f);
            rest = after;
            formed = true;
        }
    }
    let after = read_rest(rest, formed, regions)?;
    if prefix.is_empty() {
        return Some((
            match after {
                Rest::Nothing => None,
                Rest::Place(p) | Rest::Outlet(p) => Some(p),
            },
            region,
        ));
    }
    let whole = regions.whole(prefix);
    match after {
        // 昆明农行官渡支行: a region, then the brand and its branch.
        Rest::Place(p) => whole.map(|f| (Some(p), Some(f))),
        // 平昌交行, 开阳邮政分公司, 安宁市邮政局, 安宁邮政河西支局: the branch's place first. A
        // company's form after a word that is no region is another company's (鸿达电信有限公司).
        Rest::Nothing | Rest::Outlet(_) => {
            let county = district_len(prefix) == Some(prefix.len());
            let bare = prefix.chars().all(is_han) && (2..=4).contains(&prefix.chars().count());
            (whole.is_some() || county || (bare && !formed)).then_some((Some(prefix), region))
        }
    }
}

/// What follows a brand (and its form).
enum Rest<'a> {
    /// Nothing, or a branch's word or a unit with no place before it.
    Nothing,
    /// A branch's place: 成都武侯 (支行), 达州 (客服中心), 镇雄 (a name cut short).
    Place(&'a str),
    /// An outlet's county, its street left out: 剑阁 (金江营业厅), 奉节 (东城储蓄所).
    Outlet(&'a str),
}

fn read_rest<'a>(rest: &'a str, formed: bool, regions: &Regions) -> Option<Rest<'a>> {
    if rest.is_empty() {
        return Some(Rest::Nothing);
    }
    let placed = |place: &'a str| {
        if place.is_empty() {
            Some(Rest::Nothing)
        } else {
            place_like(place, regions).then_some(Rest::Place(place))
        }
    };
    // A branch's word, and nothing after it but a unit (…分公司城关营业部, …分行信息科技部).
    let marker = MARKERS
        .iter()
        .filter_map(|m| rest.find(m).map(|at| (at, *m)))
        .min_by_key(|(at, m)| (*at, std::cmp::Reverse(m.len())));
    if let Some((at, marker)) = marker {
        let tail = &rest[at + marker.len()..];
        return if tail.is_empty() || unit(tail) {
            placed(&rest[..at])
        } else {
            None
        };
    }
    if let Some(outlet) = OUTLETS.iter().find(|o| rest.ends_with(*o)) {
        let body = &rest[..rest.len() - outlet.len()];
        if body.is_empty() {
            return Some(Rest::Nothing);
        }
        if body.chars().count() > 8 || !body.chars().all(is_han) {
            return None;
        }
        return Some(Rest::Outlet(county_part(body, regions)));
    }
    // 安宁市邮政局, 泸州电信局: the old bureau is the branch.
    if let Some(place) = rest.strip_suffix('局') {
        return placed(place);
    }
    // A unit after the place: 达州客服中心, 泸州信息技术部, 德阳idc机房.
    if unit(rest) {
        let lens = [
            regions.leading(rest, true).map(|f| f.len),
            district_len(rest),
            rest.char_indices().nth(2).map(|(i, _)| i),
        ];
        for len in lens.into_iter().flatten() {
            let (place, tail) = rest.split_at(len);
            if unit(tail) && place.chars().all(is_han) {
                return Some(Rest::Place(place));
            }
        }
        return Some(Rest::Nothing);
    }
    // The place alone, or with its branch's word cut off (…绵阳市分, …德宏中心), after the
    // brand's form or known as a place: 联通照明 is a lighting company's name.
    let cut = CUT_MARKERS
        .iter()
        .find_map(|m| rest.strip_suffix(m).filter(|p| p.chars().count() >= 2));
    let place = cut.unwrap_or(rest);
    let known = regions.leading(place, true).is_some() || district_len(place).is_some();
    if formed || cut.is_some() || known {
        placed(place)
    } else {
        None
    }
}

/// Whether text may be a branch's place: a region, a county (…县, …区, …市), or two to four
/// Chinese characters (武侯, 剑阁, 黔东南), none of a company's form (中国电信|工程有限|公司).
fn place_like(place: &str, regions: &Regions) -> bool {
    let n = place.chars().count();
    place.chars().all(is_han)
        && (2..=8).contains(&n)
        && !["有限", "股份", "集团", "责任", "公司"]
            .iter()
            .any(|w| place.contains(w))
        && (n <= 4 || regions.leading(place, true).is_some() || district_len(place).is_some())
}

/// The county an outlet's name starts with, its street after: 剑阁|金江, 江阳区|北门,
/// 高县|西城; two characters when no 县, 区 or 市 says where the county ends.
fn county_part<'a>(body: &'a str, regions: &Regions) -> &'a str {
    if let Some(f) = regions.leading(body, true) {
        return &body[..f.len];
    }
    if let Some(len) = district_len(body) {
        return &body[..len];
    }
    match body.char_indices().nth(2) {
        Some((i, _)) => &body[..i],
        None => body,
    }
}

/// A branch's unit, typed after it: a department (信息科技部, 政企客户部), an outlet (城关营业部,
/// 石溪网点), its call centre, its machine room (数据中心机房, idc机房).
fn unit(text: &str) -> bool {
    let n = text.chars().count();
    is_department(text)
        || (n <= 8 && OUTLETS.iter().any(|o| text.ends_with(o)))
        || (n <= 10 && UNITS.iter().any(|u| text.ends_with(u)))
}

fn strip_form(text: &str) -> Option<&str> {
    FORMS.iter().find_map(|f| text.strip_prefix(f))
}

/// A branch's place as compared: its pinyin, after the region it starts with (成都武侯 →
/// wuhou, in 成都); a province's or city's own token ([`region_token`]); a county without its
/// 县, 区 or 市 when two characters remain (平昌县 → pingchang, 荣县 → rongxian).
fn chinese_place(place: &str, regions: &Regions) -> (String, Option<Found>) {
    if let Some(f) = regions.leading(place, true) {
        let after = &place[f.len..];
        if after.is_empty() || ["市", "州", "地区", "盟", "省"].contains(&after) {
            return (region_token(f, regions), Some(f));
        }
        // 内江市中区: the city's 市 may start the county's name (市中区), as 中区 is no county.
        let whole = place[..f.len]
            .ends_with('市')
            .then(|| county_name(&place[f.len - '市'.len_utf8()..], regions))
            .filter(|county| county.chars().count() >= 2 && county.starts_with('市'));
        let county = county_name(after, regions);
        if let Some(county) = whole.filter(|_| county == after && after.chars().count() <= 2) {
            return (pinyin_of(county), Some(f));
        }
        if county.chars().count() >= 2 {
            return (pinyin_of(county), Some(f));
        }
    }
    (pinyin_of(county_name(place, regions)), None)
}

/// A city's county-level namesake: a 支行 or 支公司 (a county's branch's word, where a city has
/// a 分行, 分公司 or 中心支公司) of a prefecture's name is the county-level city's, the seat the
/// prefecture is named after (楚雄市支行 in 楚雄州, 大理支公司 in 大理州): its token and shi.
fn county_seat(token: String, found: Option<Found>, county: bool, regions: &Regions) -> String {
    match found {
        Some(f) if county && f.city.is_some() && token == region_token(f, regions) => {
            format!("{token}shi")
        }
        _ => token,
    }
}

/// A county's name without its 县, 区, 市 or 旗 when two characters remain and they are no
/// city's (广安区 stays: 广安 is the city).
fn county_name<'a>(place: &'a str, regions: &Regions) -> &'a str {
    place
        .strip_suffix(['县', '区', '市', '旗'])
        .filter(|stem| stem.chars().count() >= 2 && regions.whole(stem).is_none())
        .unwrap_or(place)
}

/// A province's or city's token: the pinyin of its short name.
fn region_token(f: Found, regions: &Regions) -> String {
    pinyin_of(region_short(f, regions))
}

fn region_short(f: Found, regions: &Regions) -> &str {
    match f.city {
        Some(c) => &regions.cities[c].0,
        None => &regions.provinces[f.province],
    }
}

fn found(province: usize, city: Option<usize>) -> Found {
    Found {
        province,
        city,
        len: 0,
        province_len: None,
    }
}

/// Letters and digits of `text`, lower case.
fn letters(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Pinyin of Chinese characters, without tones, run together; other letters and digits as
/// they are.
fn pinyin_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        match p {
            Some(p) => out.push_str(p.plain()),
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}
