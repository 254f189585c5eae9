//! Match keys for Chinese company names, for fuzzy dedupe.
//!
//! [`company_key`] splits a name into the parts two spellings of one company share:
//!
//! ```text
//! 北京市海淀区華遠軟件科技有限公司上海分公司
//!   normalized  北京市海淀区华远软件科技有限公司上海分公司   NFKC, simplified, no punctuation
//!   region      北京                 leading (北京, 北京市, 广东省深圳市) or bracketed ((北京))
//!   core        华远软件科技         字号 + industry words; the district 海淀区 is dropped
//!   trade       华远                 the 字号 alone: core without trailing industry words
//!   form        有限公司             the organisation form, longest first
//!   branch      上海分公司           a branch marker with its location
//! ```
//!
//! Regions come from `rules/reference/regions.toml` ([`Regions`]); the word lists (forms,
//! branch markers, industry words, development zones) are grammar and live here.
//!
//! Choices worth knowing:
//! - A leading region is taken only when at least two characters of core remain, so
//!   `北京有限公司` keeps `北京` as its core. Short forms written bare are taken
//!   (`中山华远科技` → region 中山); the words in `not_regions` (三明治, 大理石…) are not.
//! - A bracketed country, `(中国)` or `(China)`, is dropped: it marks the Chinese entity of a
//!   foreign group and does not tell two companies apart. A leading 中国 (`中国华远集团`) is
//!   part of the 字号 and stays in the core: such names need State Council approval.
//! - Other bracketed text that is neither a region nor a form (`(国际)`) stays in the core,
//!   without its brackets.
//! - 有限公司 and 有限责任公司 are kept apart in [`CompanyKey::form`] but are one legal form;
//!   compare forms with [`form_class`].
//! - 服务部 is a branch marker only after a company form (`…有限公司北京服务部`); alone it is
//!   the form of a small business (`华远家电维修服务部`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use std::sync::LazyLock;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::normalize::contains_short;

mod brand;

const REGIONS: &str = include_str!("../../../rules/reference/regions.toml");

/// A region named in a company name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region {
    /// The provincial-level division, short form: 北京, 广东, 内蒙古.
    pub province: String,
    /// The prefecture-level division, short form: 深圳, 苏州; `None` when only a province or
    /// a municipality is named.
    pub city: Option<String>,
}

/// The parts of a company name that matter for matching.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompanyKey {
    /// The whole name normalised: NFKC, traditional → simplified, Latin letters lower-cased,
    /// spaces and punctuation removed, every kind of bracket as ASCII `(` `)`.
    /// `company_key(&key.normalized, ..)` gives the same key again.
    pub normalized: String,
    /// The region written at the start (北京, 北京市, 广东省深圳市, 深圳市) or in brackets
    /// anywhere ((北京), （深圳）).
    pub region: Option<Region>,
    /// 字号 + industry words, without region, county-level district, form and branch:
    /// 华远软件科技.
    pub core: String,
    /// The 字号 alone: the core without trailing industry words (华远); the core itself when
    /// nothing strips, and never shorter than two characters unless the core is.
    pub trade: String,
    /// The organisation form, canonical: 股份有限公司, 有限责任公司, 有限公司, 集团有限公司,
    /// 集团, 合伙企业(有限合伙), 工作室, 商行, 厂, 店, ltd, inc ...
    pub form: Option<String>,
    /// The branch marker with its location: 上海分公司, 第一分公司, 分店; `None` for a head
    /// office.
    pub branch: Option<String>,
    /// The branch is read from a place written after the industry words without a marker
    /// (同盈物业南昌, 汇辉物业肥东县: the 南昌 or 肥东县 branch as a project manager calls it).
    /// The company's head office may be there too, so against a head office it tells nothing.
    pub branch_implied: bool,
    /// The county-level district written after the leading region (徐州市鼓楼区张敏服装店:
    /// 鼓楼区). A shop or a 个体工商户 is registered in its district: 鼓楼区张敏服装店 and
    /// 泉山区张敏服装店 are two. Not part of the core or of [`CompanyKey::canonical`].
    pub district: Option<String>,
    /// The name is a project's site office, typed after its company's (…有限公司光谷科学岛项目部,
    /// 湖南建工-梅溪湖住宅小区项目部): the row is the company's, but its contact, phone,
    /// address and region are the site's.
    pub site: bool,
    /// The name names no company: a site's own, a project's (书香春天小区项目, 光谷体育中心B地块
    /// 项目部) or an estate's management office (翠湖花园物业服务中心, 梧桐御府物业, 紫荆世纪山庄
    /// 客服中心), which is then a [`CompanyKey::site`]; or a person's, an individual business
    /// written as its keeper (任桂睿（个体保洁）). Which company it is only the contact details
    /// tell, so the name neither supports nor contradicts any company's.
    pub no_company: bool,
    /// The name is a national brand's head office or branch (`rules/reference/brands.toml`):
    /// the core is the brand and the branch's place in pinyin (中国农业银行·wuhou), the branch
    /// that place, however the name writes the brand (农行, Agricultural Bank of China).
    pub brand: bool,
}

impl CompanyKey {
    /// The class of the form: forms that are legally the same compare equal
    /// (see [`form_class`]).
    pub fn form_class(&self) -> Option<&str> {
        self.form.as_deref().map(form_class)
    }

    /// The name rebuilt from its parts in one canonical order: region (the city if named, else
    /// the province), core, form, branch. Spellings of one name give one string:
    /// 华远软件科技（北京）有限公司 and 北京市华远软件科技有限公司 → 北京华远软件科技有限公司.
    pub fn canonical(&self) -> String {
        let mut out = String::with_capacity(self.normalized.len() + 8);
        if let Some(region) = &self.region {
            out.push_str(region.city.as_deref().unwrap_or(&region.province));
        }
        out.push_str(&self.core);
        out.push_str(self.form.as_deref().unwrap_or(""));
        out.push_str(self.branch.as_deref().unwrap_or(""));
        out
    }
}

/// Forms that are legally one form map to one name: 有限责任公司 → 有限公司, 集团有限责任公司 →
/// 集团有限公司, any partnership → 合伙企业; other forms are their own class.
pub fn form_class(form: &str) -> &str {
    match form {
        "有限责任公司" => "有限公司",
        "集团有限责任公司" => "集团有限公司",
        // Most co-operatives a CRM holds are farmers' (农民专业合作社), written short.
        "合作社" => "专业合作社",
        f if f.contains("合伙") => "合伙企业",
        f => f,
    }
}

/// The kind of legal person a canonical form makes: 1 a company (有限公司, 股份有限公司, 公司,
/// 集团, ltd…), 2 a farmers' co-operative (专业合作社), 3 a partnership (合伙企业), 4 a
/// sole proprietorship (个人独资企业), 5 an individual business's shop (店, 商行, 经营部,
/// 工作室…), 6 a family farm (家庭农场), 7 a union of co-operatives (联合社); 0 when the
/// form says nothing (厂, 事务所: a firm may be a partnership or a company, none). Two kinds
/// are two registrations: 欣晨粮食种植专业合作社 and 欣晨粮食种植有限公司 are two, as are a
/// co-operative and a member's family farm; but a family farm may also be registered as a
/// company (…家庭农场有限公司) and written short ([`two_registrations`]).
pub fn form_kind(form: &str) -> u8 {
    match form {
        "" | "厂" => 0,
        f if contains_short(f, "公司") || f.starts_with("集团") => 1,
        "ltd" | "inc" | "corp" | "co" | "pte ltd" | "sdn bhd" | "gmbh" | "llc" | "plc" => 1,
        "合作社联合社" => 7,
        // A village's committee and its collective are two (村民委员会 / 股份经济合作社).
        "村民委员会" => 8,
        "村集体经济组织" => 9,
        "家庭农场" => 6,
        f if contains_short(f, "合作社") => 2,
        f if contains_short(f, "合伙") => 3,
        "个人独资企业" => 4,
        "工作室" | "商行" | "经营部" | "门市部" | "批发部" | "经销部" | "服务部" | "维修部"
        | "商店" | "店" => 5,
        _ => 0,
    }
}

/// Whether two kinds of legal person ([`form_kind`], [`key_kind`]) are two registrations:
/// both known and different, but for a family farm and a company (a family farm registered
/// as a company is written with and without its 有限公司).
pub fn two_registrations(x: u8, y: u8) -> bool {
    x != 0 && y != 0 && x != y && !matches!((x, y), (1, 6) | (6, 1))
}

/// The kind of legal person a name makes ([`form_kind`]). A name without a form whose core
/// ends in 馆 is an individual business's shop (老赵土菜馆, 兰州牛肉面馆, 光明照相馆), as such
/// shops are registered; but 宾馆, 旅馆 and 会馆 are also a hotel company's short name, and
/// 图书馆 or 博物馆 a public institution's.
pub fn key_kind(key: &CompanyKey) -> u8 {
    const NOT_SHOPS: &[&str] = &[
        "宾馆",
        "旅馆",
        "会馆",
        "场馆",
        "使馆",
        "图书馆",
        "博物馆",
        "纪念馆",
        "展览馆",
        "美术馆",
        "艺术馆",
        "文化馆",
        "科技馆",
        "科学馆",
        "档案馆",
        "体育馆",
        "天文馆",
        "殡仪馆",
    ];
    match key.form.as_deref() {
        // A chain's store named after its shop (源盛便利店|广州番禺店): the chain's 店 is part of
        // its name, not a 个体工商户's form.
        Some("店") if key.branch.is_some() => 0,
        Some(form) => form_kind(form),
        None if key.core.ends_with('馆') && !NOT_SHOPS.iter().any(|w| key.core.ends_with(w)) => 5,
        None => 0,
    }
}

/// Sectors as a name may be shortened. A hotel management company's short name drops its
/// 管理 (誉振酒店 for 广州誉振酒店管理有限公司), so 酒店管理 is read as 酒店 too unless both
/// names are written out with a company's form; written out, a hotel and the company that
/// runs it are two (和祥大酒店有限公司 / 和祥酒店管理有限公司, at one address).
pub fn short_name_sectors(sectors: u64) -> u64 {
    let mut out = sectors;
    if sectors & (1 << HOTEL_MANAGEMENT) != 0 {
        out |= 1 << HOTEL;
    }
    // A builder's labour contractor is called by its 字号 and 建筑 (正立建筑 for 岳阳正立建筑
    // 劳务有限公司); written out, it and the same boss's 装饰 company are two.
    if sectors & (1 << STAFF) != 0 {
        out |= 1 << BUILD;
    }
    // A trading company's signboard names the liquor and groceries it sells (荣福酒业, 众鑫副食
    // 批发 for 郑州荣福商贸有限公司), and a liquor wholesaler is in food; written out, 商贸 and
    // 酒业 of one 字号 are two companies.
    if sectors & (1 << TRADE) != 0 {
        out |= 1 << LIQUOR;
    }
    if sectors & (1 << LIQUOR) != 0 {
        out |= 1 << FOOD;
    }
    out
}

/// A number that tells apart legal persons of one name: a fund's series (思纳二期, 桦安1期) or
/// an institution's ordinal (第十二中学, 萧山三中, 鹰启五建, 第五工程).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Serial {
    /// The number: 二 and 2 are both 2, 十五 is 15.
    pub number: u16,
    /// A series (N期), not an ordinal (第N, N中).
    pub series: bool,
}

impl Serial {
    /// As a person writes it: 2期, 第12.
    pub fn shown(&self) -> String {
        if self.series {
            format!("{}期", self.number)
        } else {
            format!("第{}", self.number)
        }
    }
}

/// The characters a number is written with, in a name: Arabic digits and 一 to 十 (两, 〇 and
/// 零 are left out: 两岸, 零售).
/// 1 to 99 in Chinese numerals, as ordinals are written (8: 八, 12: 十二, 20: 二十, 21: 二十一).
fn chinese_numeral(n: u8) -> Option<String> {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let (tens, ones) = (usize::from(n / 10), usize::from(n % 10));
    let mut out = String::new();
    match (tens, ones) {
        (0, 0) | (10.., _) => return None,
        (0, o) => out.push(DIGITS[o]),
        (t, o) => {
            if t > 1 {
                out.push(DIGITS[t]);
            }
            out.push('十');
            if o > 0 {
                out.push(DIGITS[o]);
            }
        }
    }
    Some(out)
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || "一二三四五六七八九十".contains(c)
}

/// The value of a run of numerals (2, 12, 二, 十五, 二十一, 一二); `None` for more than three
/// characters or a mix of scripts.
fn numeral_value(run: &[char]) -> Option<u16> {
    if run.is_empty() || run.len() > 3 {
        return None;
    }
    if run.iter().all(char::is_ascii_digit) {
        return run.iter().collect::<String>().parse().ok();
    }
    let digit = |c: char| {
        "一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|i| i as u16 + 1)
    };
    match run.iter().position(|&c| c == '十') {
        Some(t) => {
            let tens = match &run[..t] {
                [] => 1,
                [c] => digit(*c)?,
                _ => return None,
            };
            let ones = match &run[t + 1..] {
                [] => 0,
                [c] => digit(*c)?,
                _ => return None,
            };
            Some(tens * 10 + ones)
        }
        None => run.iter().try_fold(0u16, |v, &c| Some(v * 10 + digit(c)?)),
    }
}

/// The serial number in a company name's core ([`CompanyKey::core`]): the number after 第
/// (第十二中学, 第五工程), before 期 and more (思纳二期股权投资基金; not 期货, 期刊, 期权, 二期项目,
/// 二期工程, 光电科技/二期: a product and a project) or after "fund" (Wuxi Ruizhen Fund 3 LP), or before a numbered institution's last character (萧山三中,
/// 广州二院, 鹰启五建, 成都2厂, 中建五局). The first one counts. A duplicate keeps its number, written
/// either way (桦安1期基金 / 合肥桦安一期产业投资合伙企业); 思纳二期 and 思纳四期 are two
/// funds, 第七中学 and 第八中学 two schools.
/// The core comes as its characters, as the comparisons already hold them.
pub fn serial(chars: &[char]) -> Option<Serial> {
    if !chars.iter().copied().any(is_numeral) {
        return None;
    }
    let mut i = 0;
    while i < chars.len() {
        if !is_numeral(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_numeral(chars[i]) {
            i += 1;
        }
        let Some(number) = numeral_value(&chars[start..i]) else {
            continue;
        };
        let after = &chars[i..];
        let series = chars[..start].ends_with(&['f', 'u', 'n', 'd'])
            || match after {
                ['期', '货' | '刊' | '权' | '项' | '工', ..] => false,
                // A core ending in 期 is a project's phase written after the name
                // (厦门拓顺光电科技/二期); a fund's name goes on (二期基金, 二期股权投资).
                ['期', _, ..] => true,
                _ => false,
            };
        let ordinal = (start > 0 && chars[start - 1] == '第')
            || matches!(after, [c] if "中小院幼职建厂局".contains(*c));
        if series || ordinal {
            return Some(Serial { number, series });
        }
    }
    None
}

/// How two names' regions relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionMatch {
    /// Either side names no region.
    Missing,
    /// The same province and the same city (or both no city).
    Same,
    /// One names a province, the other a city in it.
    Compatible,
    /// Different provinces, or different cities.
    Different,
}

/// How two regions relate.
pub fn compare_regions(a: Option<&Region>, b: Option<&Region>) -> RegionMatch {
    let (Some(a), Some(b)) = (a, b) else {
        return RegionMatch::Missing;
    };
    if a == b {
        RegionMatch::Same
    } else if a.province != b.province {
        RegionMatch::Different
    } else if a.city.is_none() || b.city.is_none() {
        RegionMatch::Compatible
    } else {
        RegionMatch::Different
    }
}

/// Hashes a `char` with one multiplication: the look-up tables here are keyed by characters,
/// and SipHash was a tenth of the time of a key.
#[derive(Default)]
struct CharHasher(u64);

impl Hasher for CharHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by two characters: the first two of a word, or the last two read backwards.
type PairMap<V> = HashMap<(char, char), V, BuildHasherDefault<CharHasher>>;

/// The first two characters of `text` (`'\0'` for a missing second).
fn first_two(text: &str) -> Option<(char, char)> {
    let mut chars = text.chars();
    Some((chars.next()?, chars.next().unwrap_or('\0')))
}

/// The last two characters of `text`, last first (`'\0'` for a missing one).
fn last_two(text: &str) -> Option<(char, char)> {
    let mut chars = text.chars().rev();
    Some((chars.next()?, chars.next().unwrap_or('\0')))
}

// ---------------------------------------------------------------------------------------------
// Regions

/// What a provincial-level division is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvinceKind {
    /// 省.
    Province,
    /// 直辖市: 北京, 天津, 上海, 重庆.
    Municipality,
    /// 自治区.
    AutonomousRegion,
    /// 特别行政区: 香港, 澳门.
    SpecialAdministrativeRegion,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionFile {
    #[serde(default)]
    not_regions: Vec<String>,
    provinces: Vec<ProvinceEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvinceEntry {
    name: String,
    short: String,
    #[allow(dead_code)] // documents the file; municipalities need no special handling yet
    kind: ProvinceKind,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    cities: Vec<CityEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CityEntry {
    name: String,
    short: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default = "yes")]
    bare: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Province(usize),
    City(usize),
}

/// One way of writing a region.
#[derive(Debug)]
struct Spelling {
    text: String,
    place: Place,
    /// The short form, without 省/市/州 (a bare 深圳, not 深圳市).
    short: bool,
    /// May open a name by itself, without its province before it.
    alone: bool,
}

/// The provinces and prefecture-level cities, indexed for reading names, and the national brands
/// (`rules/reference/brands.toml`) read with them.
#[derive(Debug)]
pub struct Regions {
    /// Short names of provinces.
    provinces: Vec<String>,
    /// Short names of cities, with their province.
    cities: Vec<(String, usize)>,
    /// Every spelling by its first two characters, longest first, provinces before cities.
    spellings: PairMap<Vec<Spelling>>,
    not_regions: Vec<String>,
    /// The longest spelling, in characters.
    longest: usize,
    /// The national brands (`rules/reference/brands.toml`), whose branches are named by their
    /// place: read with the regions, as names are; `None` only while the regions are parsed.
    brands: Option<brand::Brands>,
}

impl Regions {
    /// The pinyin of every province's and city's short name (wuxi, baoding, neimenggu …): a
    /// Latin name's first word, most often, and no 字号's spelling (Baoding Jiahang Plastics is
    /// not 宝鼎机械).
    pub fn latin_spellings(&self) -> Vec<String> {
        self.provinces
            .iter()
            .chain(self.cities.iter().map(|(city, _)| city))
            .flat_map(|name| trade_spellings(name))
            .collect()
    }
}

/// A region found in text: indices, and how many bytes it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    province: usize,
    city: Option<usize>,
    len: usize,
    /// The bytes of the province alone, when a province was written before the city.
    province_len: Option<usize>,
}

impl Regions {
    /// The regions compiled into crmkit.
    pub fn builtin() -> Result<Regions> {
        Regions::parse(REGIONS, "rules/reference/regions.toml")?
            .with_brands(brand::BRANDS, "rules/reference/brands.toml")
    }

    fn with_brands(mut self, text: &str, origin: &str) -> Result<Regions> {
        self.brands = Some(brand::Brands::parse(text, origin, &self)?);
        Ok(self)
    }

    /// The regions in `dir/reference/regions.toml` and the brands in
    /// `dir/reference/brands.toml`, each the built-in one when its file is absent.
    pub fn load(dir: &Path) -> Result<Regions> {
        let read = |name: &str| -> Result<Option<(String, String)>> {
            let path = dir.join("reference").join(name);
            if !path.exists() {
                return Ok(None);
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::io(&path, "read reference data", e))?;
            Ok(Some((text, path.display().to_string())))
        };
        let regions = match read("regions.toml")? {
            Some((text, origin)) => Regions::parse(&text, &origin)?,
            None => Regions::parse(REGIONS, "rules/reference/regions.toml")?,
        };
        match read("brands.toml")? {
            Some((text, origin)) => regions.with_brands(&text, &origin),
            None => regions.with_brands(brand::BRANDS, "rules/reference/brands.toml"),
        }
    }

    fn parse(text: &str, origin: &str) -> Result<Regions> {
        let file: RegionFile = crate::rules::parse_toml(text, origin)?;
        let invalid = |key: String, message: String| Error::InvalidTemplate {
            file: origin.to_string(),
            key,
            message,
        };
        let check = |key: &dyn Fn() -> String, name: &str| -> Result<()> {
            if name.chars().count() < 2 || normalize(name) != name {
                return Err(invalid(
                    key(),
                    format!(
                        "expected a name of two or more characters in simplified Chinese, \
                         without spaces or punctuation; found `{name}`"
                    ),
                ));
            }
            Ok(())
        };
        for (i, word) in file.not_regions.iter().enumerate() {
            check(&|| format!("not_regions[{i}]"), word)?;
        }
        let mut provinces = Vec::new();
        let mut cities = Vec::new();
        let mut spellings: Vec<Spelling> = Vec::new();
        // Spelling → (place, key) of its first use, to refuse duplicates.
        let mut seen: HashMap<String, (Place, String)> = HashMap::new();
        let mut add = |spellings: &mut Vec<Spelling>, spelling: Spelling, key: String| {
            check(&|| key.clone(), &spelling.text)?;
            let clash = seen.get(&spelling.text).filter(|(place, _)| {
                // A province and a city may share a short name (吉林, 海南); two provinces or
                // two cities may not share any.
                matches!(
                    (place, spelling.place),
                    (Place::Province(_), Place::Province(_)) | (Place::City(_), Place::City(_))
                ) && *place != spelling.place
            });
            if let Some((_, first)) = clash {
                return Err(invalid(
                    key,
                    format!("`{}` is already used at {first}", spelling.text),
                ));
            }
            if !seen.contains_key(&spelling.text) {
                seen.insert(spelling.text.clone(), (spelling.place, key));
            }
            spellings.push(spelling);
            Ok(())
        };
        for (i, p) in file.provinces.iter().enumerate() {
            let place = Place::Province(i);
            provinces.push(p.short.clone());
            let names = [
                (&p.name, false, "name".to_string()),
                (&p.short, true, "short".into()),
            ];
            let aliases = p
                .aliases
                .iter()
                .enumerate()
                .map(|(j, a)| (a, false, format!("aliases[{j}]")));
            for (text, short, key) in names.into_iter().chain(aliases) {
                let spelling = Spelling {
                    text: text.clone(),
                    place,
                    short,
                    alone: true,
                };
                add(&mut spellings, spelling, format!("provinces[{i}].{key}"))?;
            }
            for (j, c) in p.cities.iter().enumerate() {
                let place = Place::City(cities.len());
                cities.push((c.short.clone(), i));
                let names = [
                    (&c.name, false, "name".to_string()),
                    (&c.short, true, "short".into()),
                ];
                let aliases = c
                    .aliases
                    .iter()
                    .enumerate()
                    .map(|(k, a)| (a, false, format!("aliases[{k}]")));
                for (text, short, key) in names.into_iter().chain(aliases) {
                    let spelling = Spelling {
                        text: text.clone(),
                        place,
                        short,
                        alone: !short || c.bare,
                    };
                    add(
                        &mut spellings,
                        spelling,
                        format!("provinces[{i}].cities[{j}].{key}"),
                    )?;
                }
            }
        }
        let longest = spellings
            .iter()
            .map(|s| s.text.chars().count())
            .max()
            .unwrap_or(0);
        spellings.sort_by_key(|s| {
            (
                std::cmp::Reverse(s.text.len()),
                matches!(s.place, Place::City(_)),
            )
        });
        let mut by_first: PairMap<Vec<Spelling>> = PairMap::default();
        for s in spellings {
            let first = first_two(&s.text).unwrap_or_default();
            by_first.entry(first).or_default().push(s);
        }
        Ok(Regions {
            provinces,
            cities,
            spellings: by_first,
            not_regions: file.not_regions,
            longest,
            brands: None,
        })
    }

    /// The region `text` names as a whole (广东省深圳市, 深圳, 北京市海淀区), if it is one.
    pub fn region(&self, text: &str) -> Option<Region> {
        let text = normalize(text);
        let text = text.trim_start_matches('(').trim_end_matches(')');
        self.whole(text).map(|found| self.to_region(found))
    }

    /// The number of provincial-level divisions and prefecture-level divisions.
    pub fn counts(&self) -> (usize, usize) {
        (self.provinces.len(), self.cities.len())
    }

    fn to_region(&self, found: Found) -> Region {
        Region {
            province: self.provinces[found.province].clone(),
            city: found.city.map(|c| self.cities[c].0.clone()),
        }
    }

    /// The first (longest) spelling `text` starts with that `accept` takes.
    fn spelling_at(&self, text: &str, accept: impl Fn(&Spelling) -> bool) -> Option<&Spelling> {
        self.spellings
            .get(&first_two(text)?)?
            .iter()
            .find(|s| text.starts_with(s.text.as_str()) && accept(s))
    }

    /// The region `text` starts with: a province, optionally followed by one of its cities, or a
    /// city. `anywhere` allows short forms that may not open a name (in brackets, in a branch).
    fn leading(&self, text: &str, anywhere: bool) -> Option<Found> {
        let first = self.spelling_at(text, |s| s.alone || anywhere)?;
        if first.short && !anywhere && self.not_regions.iter().any(|w| text.starts_with(w)) {
            return None;
        }
        let len = first.text.len();
        match first.place {
            Place::Province(p) => {
                let in_province =
                    |s: &Spelling| matches!(s.place, Place::City(c) if self.cities[c].1 == p);
                Some(match self.spelling_at(&text[len..], in_province) {
                    Some(city) => Found {
                        province: p,
                        city: match city.place {
                            Place::City(c) => Some(c),
                            Place::Province(_) => None,
                        },
                        len: len + city.text.len(),
                        province_len: Some(len),
                    },
                    None => Found {
                        province: p,
                        city: None,
                        len,
                        province_len: None,
                    },
                })
            }
            Place::City(c) => Some(Found {
                province: self.cities[c].1,
                city: Some(c),
                len,
                province_len: None,
            }),
        }
    }

    /// The region that is all of `text`, a county-level district or a zone after it allowed.
    fn whole(&self, text: &str) -> Option<Found> {
        let found = self.leading(text, true)?;
        let mut end = found.len;
        for _ in 0..2 {
            if end == text.len() {
                break;
            }
            end += district_len(&text[end..])?;
        }
        (end == text.len()).then_some(found)
    }
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/// Normalises a company name: NFKC (full-width letters, digits and brackets become ASCII),
/// traditional → simplified, letters lower-cased, whitespace and punctuation (middle dots,
/// commas, quotes, dashes) removed, every bracket (`（` `【` `[` `〔`) as `(` or `)`.
/// Normalising twice equals normalising once.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let Some(traditional) = normalize_quick(name, &mut out) else {
        out.clear();
        for c in name.nfkc() {
            push_normalized(&mut out, c);
        }
        simplify(&mut out);
        // Lower-casing or simplifying can leave text that NFKC would change again; a few
        // exotic characters need a second round.
        for _ in 0..3 {
            let mut again = String::with_capacity(out.len());
            for c in out.nfkc() {
                push_normalized(&mut again, c);
            }
            simplify(&mut again);
            if again == out {
                break;
            }
            out = again;
        }
        return out;
    };
    if traditional {
        simplify(&mut out);
    }
    out
}

/// Normalises `name` into `out` when NFKC is known for all of its characters without a table
/// (see [`quick_nfkc`]): runs of characters kept as they are are copied whole. `None` when
/// some character needs the full NFKC, else whether some character may be traditional.
fn normalize_quick(name: &str, out: &mut String) -> Option<bool> {
    let bits = &*TRADITIONAL;
    let may_be_traditional = |c: char| {
        let u = c as usize;
        (0x800..=0xFFFF).contains(&u) && bits[u / 64] & (1 << (u % 64)) != 0
    };
    let bytes = name.as_bytes();
    let mut traditional = false;
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Lower-case letters, digits, brackets and CJK ideographs (three bytes, E4 B8 80 to
        // E9 BF BF) stay as they are: step over them without decoding a char.
        let b = bytes[i];
        if matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'(' | b')') {
            i += 1;
            continue;
        }
        if (0xE4..=0xE9).contains(&b) {
            let u = (usize::from(b & 0x0F) << 12)
                | (usize::from(bytes[i + 1] & 0x3F) << 6)
                | usize::from(bytes[i + 2] & 0x3F);
            if u >= 0x4E00 {
                traditional |= bits[u / 64] & (1 << (u % 64)) != 0;
                i += 3;
                continue;
            }
        }
        let c = name[i..].chars().next().unwrap_or_default();
        out.push_str(&name[run..i]);
        i += c.len_utf8();
        run = i;
        let c = quick_nfkc(c)?;
        traditional |= may_be_traditional(c);
        push_normalized(out, c);
    }
    out.push_str(&name[run..]);
    Some(traditional)
}

/// What NFKC makes of `c`, for the characters whose answer is known without a table (ASCII,
/// CJK ideographs, full-width forms, CJK and general punctuation); `None` for the rest.
fn quick_nfkc(c: char) -> Option<char> {
    match c {
        '\0'..='\x7F' | '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => Some(c),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' => Some(' '),
        '\u{3001}'..='\u{3004}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301F}'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205E}'
        | '\u{00B7}'
        | '\u{30FB}' => Some(c),
        _ => None,
    }
}

/// Appends `c` as the normalised form keeps it: letters and digits (lower-cased), brackets as
/// `(` `)`, nothing else.
fn push_normalized(out: &mut String, c: char) {
    match c {
        'a'..='z' | '0'..='9' => out.push(c),
        'A'..='Z' => out.push(c.to_ascii_lowercase()),
        '(' | '[' | '{' | '【' | '〔' | '〖' | '〘' | '〚' | '⦅' => out.push('('),
        ')' | ']' | '}' | '】' | '〕' | '〗' | '〙' | '〛' | '⦆' => out.push(')'),
        c if c.is_ascii() => {}
        '\u{4E00}'..='\u{9FFF}' => out.push(c),
        c if c.is_alphanumeric() => {
            for lower in c.to_lowercase().filter(|l| l.is_alphanumeric()) {
                out.push(lower);
            }
        }
        _ => {}
    }
}

/// Characters whose simplified form depends on their neighbours in fast2s (0.3.1): always worth
/// a look.
const T2S_CONTEXT: [char; 15] = [
    '兒', '覆', '夥', '藉', '瞭', '麽', '幺', '於', '乾', '著', '苧', '闔', '鍾', '讎', '畫',
];

/// One bit per BMP character: set when fast2s may change it. Most names are already
/// simplified, and checking this first spares them the conversion.
static TRADITIONAL: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let chars: Vec<char> = (0x800u32..=0xFFFF).filter_map(char::from_u32).collect();
    let mut text = String::with_capacity(chars.len() * 4);
    for &c in &chars {
        text.push(c);
        text.push(' ');
    }
    let converted = fast2s::convert(&text);
    let mut bits = vec![0u64; 1024];
    let mut set = |c: char| bits[c as usize / 64] |= 1 << (c as usize % 64);
    for (&c, simplified) in chars.iter().zip(converted.chars().step_by(2)) {
        if c != simplified {
            set(c);
        }
    }
    T2S_CONTEXT.into_iter().for_each(set);
    bits
});

/// Traditional → simplified, in place; nothing to do for most names.
fn simplify(text: &mut String) {
    let bits = &*TRADITIONAL;
    let may_be_traditional = |c: char| {
        let u = c as usize;
        (0x800..=0xFFFF).contains(&u) && bits[u / 64] & (1 << (u % 64)) != 0
    };
    for _ in 0..3 {
        if !text.chars().any(may_be_traditional) {
            break;
        }
        let simplified = fast2s::convert(text);
        if simplified == *text {
            break;
        }
        *text = simplified;
    }
    // fast2s maps 瀋 to 渖, right in 渖水 but not in the city: 瀋陽 is 沈阳.
    if text.contains("渖阳") {
        *text = text.replace("渖阳", "沈阳");
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists

/// Organisation forms at the end of a name, as written → canonical. Longest wins.
const FORMS: &[(&str, &str)] = &[
    ("集团股份有限公司", "集团股份有限公司"),
    ("集团有限责任公司", "集团有限责任公司"),
    ("集团有限公司", "集团有限公司"),
    ("集团公司", "集团公司"),
    ("股份有限公司", "股份有限公司"),
    ("有限责任公司", "有限责任公司"),
    ("责任有限公司", "有限责任公司"),
    ("有限公司", "有限公司"),
    ("股份公司", "股份有限公司"),
    ("公司", "公司"),
    ("集团", "集团"),
    ("普通合伙企业", "合伙企业(普通合伙)"),
    ("有限合伙企业", "合伙企业(有限合伙)"),
    ("合伙企业", "合伙企业"),
    ("个人独资企业", "个人独资企业"),
    ("工作室", "工作室"),
    ("商行", "商行"),
    ("经营部", "经营部"),
    ("门市部", "门市部"),
    ("批发部", "批发部"),
    ("经销部", "经销部"),
    ("服务部", "服务部"),
    ("维修部", "维修部"),
    ("商店", "商店"),
    ("厂", "厂"),
    ("店", "店"),
    ("事务所", "事务所"),
    // A union of co-operatives is a legal person of its own kind (联合社).
    ("农民专业合作社联合社", "合作社联合社"),
    ("专业合作社联合社", "合作社联合社"),
    ("合作社联合社", "合作社联合社"),
    ("联合社", "合作社联合社"),
    ("农民专业合作社", "专业合作社"),
    ("专业合作社", "专业合作社"),
    ("合作社", "合作社"),
    // A family farm is registered as one, named after its owner (夏津县陈宝山家庭农场), and
    // written short as 农场.
    ("家庭农场", "家庭农场"),
    ("农场", "家庭农场"),
    // Latin names, after normalisation (Co., Ltd. → coltd).
    ("companylimited", "ltd"),
    ("colimited", "ltd"),
    ("coltd", "ltd"),
    ("limited", "ltd"),
    ("ltd", "ltd"),
    ("pteltd", "pte ltd"),
    ("sdnbhd", "sdn bhd"),
    ("incorporated", "inc"),
    ("coinc", "inc"),
    ("inc", "inc"),
    ("corporation", "corp"),
    ("corp", "corp"),
    ("company", "co"),
    ("gmbh", "gmbh"),
    ("llc", "llc"),
    ("plc", "plc"),
];

/// Branch markers at the end of a name. `true`: a branch only after a company form (服务部 is
/// also a small business's form).
const BRANCHES: &[(&str, bool)] = &[
    ("分公司", false),
    ("中心支公司", false),
    ("支公司", false),
    ("分店", false),
    ("分厂", false),
    ("分行", false),
    ("支行", false),
    ("分理处", false),
    ("办事处", false),
    ("代表处", false),
    ("联络处", false),
    ("营业部", false),
    ("分部", false),
    ("分所", false),
    ("分社", false),
    ("分院", false),
    ("分中心", false),
    // A company's trade union is a legal person of its own (社会团体法人), not the company.
    ("工会委员会", false),
    ("工会联合会", false),
    ("工会", false),
    // A grid's city or county company, registered as the provincial company's branch
    // (国网河南省电力公司|西华县|供电公司, as 国网河北省电力有限公司|邯郸供电|分公司).
    ("供电公司", true),
    ("服务部", true),
    // After a company's form, its unit selling or repairing somewhere (…有限公司经营部, …有限公司
    // 城西维修部); on their own, an individual business's forms (优林家电维修部).
    ("经营部", true),
    ("门市部", true),
    ("批发部", true),
    ("经销部", true),
    ("维修部", true),
    // A company's unit in another city (…集团有限公司岳阳营销中心); on its own, 服务中心 is also
    // a registered name's ending (益民家政服务中心).
    ("营销中心", true),
    ("销售中心", true),
    ("运营中心", true),
    ("服务中心", true),
    // A shop after the company's form (…医药股份有限公司科苑路店), or in brackets of its own
    // (迅富医药(枫林路店)); on its own, 店 is a small business's form (张记面店).
    ("店", true),
];

/// Industry words, stripped from the end of the core to leave the 字号, each with its sector
/// (one of [`SECTORS`]; `G` for generic words that name no business of their own: 科技, 实业,
/// 发展, 管理, 设备…). Two cores of one 字号 whose words name no sector in common are two
/// businesses ([`industry_sectors`]).
#[rustfmt::skip]
const INDUSTRIES: &[(&str, u8)] = &[
    ("科技", G), ("技术", G), ("信息", IT), ("信息技术", IT), ("信息科技", IT),
    ("信息服务", IT), ("软件", IT), ("软件科技", IT), ("软件技术", IT), ("软件开发", IT),
    ("网络", IT), ("网络科技", IT), ("网络技术", IT), ("互联网", IT), ("计算机", IT),
    ("电子", ELECTRIC), ("电子科技", ELECTRIC), ("电子技术", ELECTRIC), ("电子商务", TRADE),
    ("电气", ELECTRIC), ("电器", ELECTRIC), ("通信", IT), ("通讯", IT), ("数据", IT),
    ("大数据", IT), ("数字科技", IT), ("智能", G), ("智能科技", G), ("智慧", G), ("自动化", MACHINE),
    ("贸易", TRADE), ("商贸", TRADE), ("国际贸易", TRADE), ("进出口", TRADE), ("外贸", TRADE),
    ("实业", G), ("投资", FINANCE), ("投资管理", FINANCE), ("投资咨询", FINANCE),
    ("资产管理", FINANCE), ("股权投资", FINANCE), ("创业投资", FINANCE), ("咨询", CONSULT),
    ("管理咨询", CONSULT), ("企业管理", CONSULT), ("企业", G), ("商务咨询", CONSULT), ("信息咨询", CONSULT),
    ("管理", G), ("机械", MACHINE), ("机械制造", MACHINE), ("机械设备", MACHINE),
    ("机电", MACHINE), ("重工", MACHINE), ("制造", G), ("设备", G), ("建筑工程", BUILD),
    ("建筑", BUILD), ("建设", BUILD), ("建设工程", BUILD), ("工程", G), ("工程技术", G),
    ("装饰", BUILD), ("装饰工程", BUILD), ("装修", BUILD), ("建材", BUILD), ("物流", LOGISTICS),
    ("运输", LOGISTICS), ("货运", LOGISTICS), ("快递", LOGISTICS), ("供应链", LOGISTICS),
    ("供应链管理", LOGISTICS), ("医药", HEALTH), ("药业", HEALTH), ("制药", HEALTH),
    ("医疗", MEDICAL), ("医疗器械", MEDICAL), ("医疗科技", MEDICAL), ("生物医药", HEALTH),
    ("生物科技", BIO), ("生物技术", BIO), ("生物", BIO), ("健康", WELLNESS),
    ("健康科技", WELLNESS), ("餐饮", FOOD), ("餐饮管理", FOOD), ("食品", FOOD), ("农业", FARM),
    ("农业科技", FARM), ("文化", MEDIA), ("文化传媒", MEDIA), ("文化传播", MEDIA),
    ("传媒", MEDIA), ("传播", MEDIA), ("广告", MEDIA), ("影视", MEDIA), ("教育", EDUCATION),
    ("教育科技", EDUCATION), ("培训", EDUCATION), ("新能源", ENERGY), ("能源", ENERGY),
    ("环保", ENV), ("环保科技", ENV), ("环境", ENV), ("化工", MATERIAL),
    ("材料", MATERIAL), ("新材料", MATERIAL), ("汽车", AUTO), ("汽车销售", AUTO),
    ("汽车服务", AUTO), ("服饰", APPAREL), ("服装", APPAREL), ("纺织", APPAREL),
    ("家具", FURNITURE), ("房地产", ESTATE), ("房地产开发", ESTATE), ("置业", ESTATE),
    ("物业", ESTATE), ("物业管理", ESTATE), ("酒店", HOTEL), ("大酒店", HOTEL), ("宾馆", HOTEL),
    ("饭店", HOTEL), ("酒店管理", HOTEL_MANAGEMENT),
    ("旅游", HOTEL), ("金融", FINANCE), ("金融服务", FINANCE), ("保险", FINANCE),
    ("担保", FINANCE), ("租赁", FINANCE), ("融资租赁", FINANCE), ("人力资源", STAFF),
    ("劳务", STAFF), ("劳务派遣", STAFF), ("安防", ELECTRIC), ("印刷", PRINT), ("包装", PRINT),
    ("塑料", MATERIAL), ("钢铁", METAL), ("金属", METAL), ("五金", METAL), ("电力", ENERGY),
    ("光电", ELECTRIC), ("半导体", ELECTRIC), ("仪器", ELECTRIC), ("仪表", ELECTRIC),
    ("设计", G), ("策划", G), ("营销", G), ("发展", G), ("控股", G), ("国际", G), ("服务", G),
    ("销售", G), ("开发", G), ("工业", G), ("产业", G), ("商务", G), ("家政", HOUSEKEEP),
    ("保洁", HOUSEKEEP), ("检测", TESTING), ("小额贷款", FINANCE), ("贷款", FINANCE),
    ("体育", SPORT), ("会展", EVENT), ("维修", G), ("热力", ENERGY), ("燃气", ENERGY),
    ("矿业", MINING), ("水务", ENV), ("治理", G), ("知识产权", LEGAL), ("代理", G),
    ("货运代理", LOGISTICS), ("仓储", LOGISTICS), ("办公用品", CONSUMER), ("日用品", CONSUMER),
    ("生态", G), ("养殖", FARM), ("水产", FARM), ("幕墙", BUILD), ("园林", BUILD),
    ("绿化", BUILD), ("塑胶", MATERIAL), ("制品", G), ("精密", G), ("安装", G), ("系统", G),
    ("零部件", MACHINE), ("电商", TRADE), ("照明", ELECTRIC), ("出版", MEDIA),
    // Builders and what they build with.
    ("路桥", BUILD), ("路桥建设", BUILD), ("市政", BUILD), ("市政工程", BUILD), ("建工", BUILD),
    ("建筑安装", BUILD), ("建筑安装工程", BUILD), ("防水", BUILD), ("防水工程", BUILD),
    ("水泥", BUILD), ("瓷砖", BUILD), ("管业", BUILD), ("混凝土", BUILD), ("商品混凝土", BUILD),
    ("预制构件", BUILD), ("管桩", BUILD),
    // A builder's labour contractor is a business of its own (the same boss's 装饰 company is
    // another), though its short name may be the builder's (正立建筑 for 正立建筑劳务).
    ("劳务分包", STAFF), ("建筑劳务", STAFF), ("建筑劳务分包", STAFF),
    // What small shops (个体工商户) sell or do.
    ("家电", ELECTRIC), ("图文", PRINT), ("面馆", FOOD), ("餐馆", FOOD), ("饭馆", FOOD),
    ("菜馆", FOOD), ("饺子馆", FOOD), ("小吃", FOOD),
    ("烘焙", FOOD), ("团膳", FOOD), ("厨具", CONSUMER), ("商用厨具", CONSUMER),
    ("厨房设备", CONSUMER),
    ("茶饮", FOOD), ("奶茶", FOOD), ("水果", FOOD), ("粮油", FOOD), ("烟酒", FOOD),
    // A liquor and grocery wholesaler's signboard (众鑫副食批发, 荣福酒业, 喜祥糖酒站, 夏记名烟名酒).
    ("酒业", LIQUOR), ("酒水", LIQUOR), ("酒类", LIQUOR), ("副食", LIQUOR),
    ("副食品", LIQUOR), ("糖酒", LIQUOR), ("糖酒站", LIQUOR), ("名烟名酒", LIQUOR),
    ("粮食", FOOD), ("种植", FARM), ("花卉", FARM),
    // What farmers' co-operatives and agricultural suppliers grow or sell.
    ("农资", FARM), ("农机", FARM), ("植保", FARM), ("种子", FARM), ("种业", FARM),
    ("化肥", FARM), ("农药", FARM), ("蔬菜", FARM), ("果蔬", FARM), ("林果", FARM),
    ("果业", FARM), ("苗木", FARM), ("大蒜", FARM), ("辣椒", FARM), ("葡萄", FARM),
    ("西瓜", FARM), ("玉米", FARM), ("小麦", FARM), ("中药材", FARM), ("食用菌", FARM),
    ("农产品", FARM), ("文具", CONSUMER), ("百货", CONSUMER),
    // What factories make, as their names say (顺远鞋业, 铂利硅胶制品, 晟峰模具, 邦美不锈钢制品).
    ("鞋业", APPAREL), ("鞋服", APPAREL), ("印染", APPAREL), ("硅胶", MATERIAL),
    ("硅胶制品", MATERIAL), ("玻璃", MATERIAL), ("玩具", CONSUMER), ("家居", FURNITURE),
    ("化妆品", BEAUTY), ("日化", BEAUTY), ("茶业", FOOD), ("茶叶", FOOD), ("乳业", FOOD),
    ("纸品", PRINT), ("纸业", PRINT), ("印务", PRINT), ("数码", ELECTRIC), ("电缆", ELECTRIC),
    ("电机", ELECTRIC), ("模具", MACHINE), ("轴承", MACHINE), ("阀门", MACHINE),
    ("船舶", MACHINE), ("锻压", METAL), ("冲压", METAL), ("钣金", METAL), ("焊接", METAL),
    ("铝业", METAL), ("铜业", METAL), ("不锈钢", METAL), ("不锈钢制品", METAL),
    ("日用", CONSUMER), ("超市", CONSUMER), ("便利", CONSUMER), ("美发", BEAUTY),
    ("美容", BEAUTY), ("理发", BEAUTY), ("洗衣", HOUSEKEEP), ("诊所", MEDICAL),
    // A dentist's: 王波牙科, 王波口腔诊所, 瑞美齿科 are one trade however written.
    ("口腔", MEDICAL), ("牙科", MEDICAL), ("齿科", MEDICAL), ("口腔诊所", MEDICAL),
    ("牙科诊所", MEDICAL), ("齿科诊所", MEDICAL), ("口腔门诊", MEDICAL),
    ("药房", HEALTH), ("汽修", AUTO), ("批发", G), ("连锁", G),
    // Garages, parts, tyres, fleets, taxis, buses and driving schools, as their names are
    // written short ([`SHORT_TRADE_WORDS`]).
    ("快修", AUTO), ("汽配", AUTO), ("汽车配件", AUTO), ("汽车用品", AUTO), ("轮胎", AUTO),
    ("租车", AUTO), ("冷链", LOGISTICS), ("客运", LOGISTICS), ("出租", LOGISTICS),
    ("出租车", LOGISTICS), ("公交", LOGISTICS), ("公共交通", LOGISTICS), ("危运", LOGISTICS),
    ("危险货物运输", LOGISTICS), ("危险品运输", LOGISTICS), ("驾校", EDUCATION),
    ("驾驶培训", EDUCATION), ("驾驶员培训", EDUCATION), ("机动车驾驶培训", EDUCATION),
    ("机动车驾驶员培训", EDUCATION),
    // Latin names, run together: only words long enough not to end another word.
    ("technologies", G), ("technology", G), ("holdings", G), ("international", G),
    ("trading", TRADE), ("electronics", ELECTRIC), ("software", IT), ("industries", G),
    ("industrial", G), ("logistics", LOGISTICS), ("pharmaceuticals", HEALTH),
    ("pharmaceutical", HEALTH), ("investments", FINANCE), ("investment", FINANCE),
    ("consulting", CONSULT), ("manufacturing", G), ("group", G),
    // What shippers make and sell, as their English names write it (Shenzhen Haijun Trading,
    // Dongguan Yude Foods, Huilong Electrical Appliances (Hong Kong)).
    ("commerce", TRADE), ("importexport", TRADE), ("importandexport", TRADE),
    ("ecommerce", TRADE), ("electronic", ELECTRIC), ("electrical", ELECTRIC),
    ("electricalappliances", ELECTRIC), ("appliances", ELECTRIC),
    ("optoelectronics", ELECTRIC), ("lighting", ELECTRIC), ("foods", FOOD), ("food", FOOD),
    ("garments", APPAREL), ("garment", APPAREL), ("apparel", APPAREL), ("textiles", APPAREL),
    ("textile", APPAREL), ("plastics", MATERIAL), ("plastic", MATERIAL),
    ("plasticproducts", MATERIAL), ("materials", MATERIAL), ("newmaterials", MATERIAL),
    ("chemical", MATERIAL), ("chemicals", MATERIAL), ("packaging", PRINT),
    ("packagingmaterials", PRINT), ("hardware", METAL), ("hardwareproducts", METAL),
    ("furniture", FURNITURE), ("supplychain", LOGISTICS), ("supplychainmanagement", LOGISTICS),
    ("network", IT), ("networktechnology", IT), ("autoparts", AUTO),
    ("aquaticproducts", FARM), ("buildingmaterials", BUILD), ("products", G), ("management", G),
];

/// Industry words as people write them short, at the end of a core: the long words, longest
/// first, and the short. 佳豪驾校 is 青岛佳豪机动车驾驶培训有限公司, 成邦租车 青岛成邦汽车租赁有限公司,
/// 济南公交集团 济南公共交通集团有限责任公司, 龙越危运 郑州龙越危险货物运输有限公司, 老冯汽修
/// 朔州市朔城区老冯汽车维修部: both are read as the short words, so their cores are one.
const SHORT_TRADE_WORDS: &[(&str, &str)] = &[
    ("机动车驾驶员培训", "驾校"),
    ("机动车驾驶培训", "驾校"),
    ("驾驶员培训", "驾校"),
    ("驾驶培训", "驾校"),
    ("汽车租赁服务", "租车"),
    ("汽车租赁", "租车"),
    ("公共交通", "公交"),
    ("危险货物运输", "危运"),
    ("危险品运输", "危运"),
    ("出租汽车", "出租"),
    ("出租车", "出租"),
    ("汽车维修服务", "汽修"),
    ("汽车维修中心", "汽修"),
    ("汽车修理部", "汽修"),
    ("汽车修理", "汽修"),
    ("汽车维修", "汽修"),
    ("汽车快修", "汽修"),
    ("快修", "汽修"),
    // A government's bureaus, as everyone writes them (达州市人力资源和社会保障局, 达州人社局).
    ("人力资源和社会保障局", "人社局"),
    ("人力资源社会保障局", "人社局"),
    ("人力资源局", "人社局"),
    ("人力局", "人社局"),
    ("卫生健康局", "卫健局"),
    ("卫生健康委员会", "卫健委"),
    ("医疗保障局", "医保局"),
    ("教育和体育局", "教体局"),
    ("教育体育局", "教体局"),
    ("经济和信息化局", "经信局"),
    ("经济信息化局", "经信局"),
    ("住房和城乡建设局", "住建局"),
    ("市场监督管理局", "市场监管局"),
    ("发展和改革委员会", "发改委"),
    ("发展和改革局", "发改局"),
    ("公安局交通警察大队", "交警大队"),
    ("公安局交通警察支队", "交警支队"),
    ("交通警察大队", "交警大队"),
    ("交通警察支队", "交警支队"),
    ("人民政府办公室", "政府办"),
    ("文化广播电视和旅游局", "文旅局"),
    ("文化和旅游局", "文旅局"),
    ("退役军人事务局", "退役军人局"),
    ("科学技术局", "科技局"),
    ("大数据发展管理局", "大数据局"),
    ("大数据管理局", "大数据局"),
    ("交通运输局", "交通局"),
    ("应急管理局", "应急局"),
    ("疾病预防控制中心", "疾控中心"),
    // An estate's owners' committee (枫桥家园业主委员会, 枫桥家园小区业委会, …业主大会).
    ("小区业主委员会", "业委会"),
    ("小区业委会", "业委会"),
    ("业主委员会", "业委会"),
    ("业主大会", "业委会"),
    // A subdistrict's office, a court, a law firm, as people write them short (城北街办,
    // 玉龙县法院, 峰星律所).
    ("街道办", "街道"),
    ("街办", "街道"),
    ("人民法院", "法院"),
    ("人民检察院", "检察院"),
    ("律所", "律师"),
    // A county's rural commercial bank (宣威农商行, 云南宣威农村商业银行股份有限公司).
    ("农村商业银行", "农商行"),
    ("农商银行", "农商行"),
];

/// The core as names are matched by, and its district: an ordinal's 第 typed as 弟
/// (盘龙区弟一小学), a place's hospital written out and a county's institution named by its
/// county ([`with_county`]), long industry words written short ([`with_short_trade_words`]).
/// What [`company_key`] and [`canonical_name`] both read.
fn read_core(
    mut core: String,
    district: Option<&str>,
    form: Option<&str>,
) -> (String, Option<String>) {
    if core
        .strip_prefix('弟')
        .and_then(|rest| rest.chars().next())
        .is_some_and(is_numeral)
    {
        core.replace_range(..'弟'.len_utf8(), "第");
    }
    // An ordinal in digits is written in Chinese numerals (第8小学校: 第八小学校).
    if let Some(rest) = core.strip_prefix('第') {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if let Some(chinese) = (1..=2)
            .contains(&digits)
            .then(|| rest[..digits].parse::<u8>().ok())
            .flatten()
            .and_then(chinese_numeral)
        {
            let end = '第'.len_utf8() + digits;
            core.replace_range('第'.len_utf8()..end, &chinese);
        }
    }
    // A bureau's 局 typed as its homophone 居 (财政居, 应急管理居).
    if let Some(stem) = core.strip_suffix('居') {
        let bureau = COUNTY_INSTITUTIONS.iter().any(|institution| {
            institution
                .strip_suffix('局')
                .is_some_and(|words| stem.ends_with(words))
        });
        if bureau {
            core = format!("{stem}局");
        }
    }
    let (core, district) = with_county(core, district);
    (with_short_trade_words(core, form), district)
}

/// `core` with its long industry words written short ([`SHORT_TRADE_WORDS`]); a core ending in
/// 汽车 under the form 维修部 (老冯汽车|维修部) is a garage's, 汽修 too. What stands before the
/// words is a 字号 of two characters or more, or nothing (济南公共交通集团: 济南公交集团).
fn with_short_trade_words(mut core: String, form: Option<&str>) -> String {
    let long = SHORT_TRADE_WORDS.iter().find(|(long, _)| {
        core.strip_suffix(long)
            .is_some_and(|rest| rest.is_empty() || plausible(rest))
    });
    if let Some((long, short)) = long {
        core.truncate(core.len() - long.len());
        core.push_str(short);
    } else if form == Some("维修部") && core.strip_suffix("汽车").is_some_and(plausible) {
        core.truncate(core.len() - "汽车".len());
        core.push_str("汽修");
    }
    core
}

/// The bit of trade (贸易, 商贸, Trading) in [`industry_sectors`].
pub const TRADE_SECTOR: u64 = 1 << TRADE;

/// Sectors of industry words (bit indices); `G` is none.
const G: u8 = 0;
const IT: u8 = 1;
const ELECTRIC: u8 = 2;
const TRADE: u8 = 3;
const FINANCE: u8 = 4;
const CONSULT: u8 = 5;
const MACHINE: u8 = 6;
const BUILD: u8 = 7;
const LOGISTICS: u8 = 8;
const HEALTH: u8 = 9;
const FOOD: u8 = 10;
const FARM: u8 = 11;
const MEDIA: u8 = 12;
const EDUCATION: u8 = 13;
const ENERGY: u8 = 14;
const MATERIAL: u8 = 15;
const AUTO: u8 = 16;
const APPAREL: u8 = 17;
const FURNITURE: u8 = 18;
const ESTATE: u8 = 19;
const HOTEL: u8 = 20;
const STAFF: u8 = 21;
const PRINT: u8 = 22;
const METAL: u8 = 23;
const MEDICAL: u8 = 24;
const BIO: u8 = 25;
const ENV: u8 = 26;
const WELLNESS: u8 = 27;
const HOUSEKEEP: u8 = 28;
const TESTING: u8 = 29;
const SPORT: u8 = 30;
const EVENT: u8 = 31;
const MINING: u8 = 32;
const LEGAL: u8 = 33;
const CONSUMER: u8 = 34;
const BEAUTY: u8 = 35;
/// Running hotels for their owners (酒店管理): see [`short_name_sectors`].
const HOTEL_MANAGEMENT: u8 = 36;
/// Liquor and groceries at wholesale (酒业, 副食, 糖酒): see [`short_name_sectors`].
const LIQUOR: u8 = 37;

/// Development zones written after a city (苏州工业园区, 北京经济技术开发区): dropped like a
/// district.
const ZONES: &[&str] = &[
    "高新技术产业开发区",
    "经济技术开发区",
    "高新技术开发区",
    "自由贸易试验区",
    "经济开发区",
    "工业园区",
    "高新区",
    "开发区",
    "保税区",
    "自贸区",
];

/// Bracketed text that means a country, not a region: dropped.
const COUNTRIES: &[&str] = &["中国", "中华人民共和国", "中国大陆", "china", "prc"];

/// A 区 after one of these is a word (社区, 园区, 小区, 景区…), not a district.
const NOT_BEFORE_DISTRICT: &[char] = &[
    '社', '园', '小', '景', '厂', '矿', '片', '街', '校', '学', '商', '牧', '灾', '疫', '禁', '展',
    '赛', '专', '战', '军', '营', '湾', '辖', '郊', '分', '地', '林',
    // A site's areas: 大棚区, 生活区, 仓储区, 办公区, 宿舍区.
    '棚', '活', '储', '公', '舍',
];

/// Characters that make a word with a 市 after them (超市, 门市, 都市, 城市, 夜市), not a
/// county-level city's name.
const NOT_BEFORE_CITY: &[char] = &[
    '超', '门', '都', '城', '夜', '股', '上', '菜', '集', '花', '早', '黑', '闹', '坊', '街', '墟',
];

/// Words indexed by their last two characters (or their first two), longest first.
struct Affixes<V: Copy> {
    by_pair: PairMap<Vec<(&'static str, V)>>,
}

impl<V: Copy> Affixes<V> {
    /// `last`: for matching at the end of text; else at the start, and every word has two or
    /// more characters.
    fn new(words: impl IntoIterator<Item = (&'static str, V)>, last: bool) -> Self {
        let mut by_pair: PairMap<Vec<(&'static str, V)>> = PairMap::default();
        for (word, value) in words {
            let key = if last {
                last_two(word)
            } else {
                first_two(word)
            };
            by_pair
                .entry(key.unwrap_or_default())
                .or_default()
                .push((word, value));
        }
        for list in by_pair.values_mut() {
            list.sort_by_key(|(word, _)| std::cmp::Reverse(word.len()));
        }
        Affixes { by_pair }
    }

    /// The words `text` ends with, longest first.
    fn suffixes<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (&'static str, V)> + 'a {
        let (last, before) = last_two(text).unwrap_or_default();
        // Words of two or more characters, then words of one.
        let long = self.by_pair.get(&(last, before)).filter(|_| before != '\0');
        let short = self.by_pair.get(&(last, '\0'));
        long.into_iter()
            .chain(short)
            .flatten()
            .filter(move |(word, _)| text.ends_with(word))
            .copied()
    }

    fn longest_suffix(&self, text: &str) -> Option<(&'static str, V)> {
        self.suffixes(text).next()
    }

    fn longest_prefix(&self, text: &str) -> Option<(&'static str, V)> {
        let list = self.by_pair.get(&first_two(text)?)?;
        list.iter()
            .find(|(word, _)| text.starts_with(word))
            .copied()
    }
}

struct Words {
    forms: Affixes<&'static str>,
    branches: Affixes<bool>,
    /// Where a branch's location starts: after a form, or after 银行.
    anchors: Affixes<()>,
    industries: Affixes<u8>,
    zones: Affixes<()>,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| Words {
    forms: Affixes::new(FORMS.iter().copied(), true),
    branches: Affixes::new(BRANCHES.iter().copied(), true),
    anchors: Affixes::new(
        FORMS.iter().map(|&(w, _)| (w, ())).chain([
            ("银行", ()),
            // A chain written without its form (广东正欣便利店连锁|黄埔|分公司).
            ("连锁", ()),
            ("(普通合伙)", ()),
            ("(有限合伙)", ()),
            ("(特殊普通合伙)", ()),
        ]),
        true,
    ),
    industries: Affixes::new(INDUSTRIES.iter().copied(), true),
    zones: Affixes::new(ZONES.iter().map(|&w| (w, ())), false),
});

// ---------------------------------------------------------------------------------------------
// The key

/// Splits a company name into its match key. Never fails: an empty name gives an empty key.
pub fn company_key(name: &str, regions: &Regions) -> CompanyKey {
    let (named, cut) = without_project(without_contact(name));
    let normalized = normalize(named);
    // 江南雅苑（天川物业）: the property company, at an estate.
    let managing = company_of_estate(&normalized);
    // 欣禾·鹭岛项目部, 德通江樾售楼处: a developer's project company, at its site.
    let project = developer_project(&normalized);
    let cut = cut || managing.is_some() || project.is_some();
    let kept = without_remarks(
        managing
            .or(project)
            .unwrap_or_else(|| full_name_in_brackets(&normalized)),
        regions,
    );
    // A project's name that nothing of a company stood before (without_remarks cuts one that
    // did), an estate's office, an estate or a building of it.
    let site_alone = !cut && (ends_with_project(kept) || estate_office(kept) || estate_named(kept));
    let no_company = site_alone || keeper_named(&normalized);
    let site = cut
        || site_alone
        || ends_with_project(&normalized)
        || trailing_bracket(&normalized).is_some_and(|(_, content)| ends_with_project(content));
    if let Some(key) = whole_name_key(&normalized, regions) {
        return CompanyKey {
            normalized,
            site,
            ..key
        };
    }
    let (rest, branch, branch_implied) = split_branch(kept, regions);
    let tail = split_form(rest, regions);
    let (region, core, district) = split_region(&tail, regions);
    let (core, district) = read_core(core, district, tail.form.as_deref());
    let district = district.map(whole_county_place);
    let trade = trade_of(&core);
    let (region, branch, branch_implied) =
        property_branch(region, branch, branch_implied, &core, &tail, regions);
    let region = region.map(|found| regions.to_region(found));
    CompanyKey {
        region,
        core,
        trade,
        form: tail.form,
        branch,
        branch_implied,
        district,
        normalized,
        site,
        no_company,
        brand: false,
    }
}

/// [`CompanyKey::canonical`] of `name`, without the parts of the key it does not use (the
/// 字号 alone, the region's names as owned strings): what a database keys a company by when
/// it has no credit code, worked out for every row of a load.
pub fn canonical_name(name: &str, regions: &Regions) -> String {
    let named = without_project(without_contact(name)).0;
    let normalized = normalize(named);
    if let Some(key) = whole_name_key(&normalized, regions) {
        return key.canonical();
    }
    let kept = without_remarks(
        company_of_estate(&normalized)
            .or_else(|| developer_project(&normalized))
            .unwrap_or_else(|| full_name_in_brackets(&normalized)),
        regions,
    );
    let (rest, branch, implied) = split_branch(kept, regions);
    let tail = split_form(rest, regions);
    let (region, core, district) = split_region(&tail, regions);
    let (core, _) = read_core(core, district, tail.form.as_deref());
    let (region, branch, _) = property_branch(region, branch, implied, &core, &tail, regions);
    let mut out = String::with_capacity(normalized.len() + 8);
    if let Some(found) = region {
        out.push_str(match found.city {
            Some(city) => &regions.cities[city].0,
            None => &regions.provinces[found.province],
        });
    }
    out.push_str(&core);
    out.push_str(tail.form.as_deref().unwrap_or(""));
    out.push_str(branch.as_deref().unwrap_or(""));
    out
}

/// A property company's short name with a city (黄山凯恒物业, 锦诚物业(宁波)): its branch there
/// or its head office, as 同盈物业南昌 is ([`CompanyKey::branch_implied`]); the city is then no
/// region of the company's. Property companies run their estates in other cities through
/// branches, and their staff write a branch by the city and the short name. Any other name's
/// region and branch as they are.
fn property_branch(
    region: Option<Found>,
    branch: Option<String>,
    implied: bool,
    core: &str,
    tail: &Tail<'_>,
    regions: &Regions,
) -> (Option<Found>, Option<String>, bool) {
    match region {
        Some(found) if tail.form.is_none() && branch.is_none() && core.contains("物业") => {
            match found.city {
                Some(city) => (
                    None,
                    Some(branch_name(&regions.cities[city].0, "分公司", regions)),
                    true,
                ),
                None => (region, branch, implied),
            }
        }
        _ => (region, branch, implied),
    }
}

/// A power grid's company, read by [`grid_name`].
struct Grid {
    /// 国家电网 or 南方电网.
    core: &'static str,
    /// The province of the provincial company, when the name writes it.
    province: Option<Found>,
    /// The city's or county's company: its place and 供电分公司 (西华供电分公司).
    branch: Option<String>,
}

/// A power grid's company, however written. The grid's provincial company (国网河南省电力公司,
/// 国网冀北电力有限公司, 广东电网有限责任公司) registers each city's and county's 供电公司 as a
/// branch, with a credit code of its own: 国网河南省电力公司西华县供电公司, 国网河北省电力有限
/// 公司邯郸供电分公司. People write the branch short as well (国网西华县供电公司, 西华县供电局,
/// 济宁供电, 國網…供電公司), the province company left out: one core for the grid, the branch
/// by its place, whatever the province company is called. A unit typed after it (…供电公司
/// 小连供电所, …供电公司营销部) is the branch's. `None` for any other name, a local power
/// company's among them (西华县供电服务有限公司).
fn grid_name(text: &str, regions: &Regions) -> Option<Grid> {
    // Most names say nothing of a grid.
    if !(text.contains("供电") || text.contains("电力") || text.contains("电网")) {
        return None;
    }
    // Remarks in brackets aside ((张经理来电), (运维检修部), (邵坡供电所)), but not a note after
    // the form: …电力有限公司景县供电 is the county's company cut short.
    let mut text = text;
    while let Some((open, content)) = trailing_bracket(text) {
        if open == 0 || !is_remark(content) {
            break;
        }
        text = &text[..open];
    }
    let (rest, named) = match ["国家电网", "国网"]
        .iter()
        .find_map(|w| text.strip_prefix(w))
    {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    // The provincial company: a province, 电力 or 电网, and a company's form or none.
    let mut core = "国家电网";
    let mut province = None;
    let mut rest = rest;
    let (found, after) = match rest.strip_prefix("冀北") {
        Some(after) => (regions.leading("河北", true), after),
        None => match regions.leading(rest, true).filter(|f| f.city.is_none()) {
            Some(found) => (Some(found), &rest[found.len..]),
            None => (None, rest),
        },
    };
    if let Some(found) = found {
        let after = after.strip_prefix('省').unwrap_or(after);
        let trade = ["电力", "电网"].iter().find(|w| after.starts_with(*w));
        if let Some(&trade) = trade {
            if trade == "电网" && !named {
                core = "南方电网";
            }
            let after = &after[trade.len()..];
            rest = ["有限责任公司", "有限公司", "公司"]
                .iter()
                .find_map(|form| after.strip_prefix(form))
                .unwrap_or(after);
            province = Some(found);
        }
    }
    // A unit: a department (发展策划部, 运维检修部), a service centre (客户服务中心), a 供电所.
    let unit = |tail: &str| {
        tail.is_empty()
            || power_station(tail)
            || is_department(tail)
            || (tail.ends_with("中心") && tail.chars().count() <= 8)
    };
    let Some(at) = rest.find("供电") else {
        // The provincial company itself, a department of it typed after (…公司发展策划部).
        if province.is_none() || !(named || rest.len() < text.len()) {
            return None;
        }
        // …电力公司扶沟县: the name of the county's company, cut short.
        if district_or_city_len(rest, true) == Some(rest.len()) {
            return Some(Grid::branch(core, province, rest, regions));
        }
        return unit(rest).then_some(Grid {
            core,
            province,
            branch: None,
        });
    };
    let place = &rest[..at];
    let after = &rest[at + "供电".len()..];
    let (marker, tail) = match ["分公司", "公司", "局"]
        .iter()
        .find_map(|m| after.strip_prefix(m).map(|tail| (Some(*m), tail)))
    {
        Some(found) => found,
        None => (None, after),
    };
    let n = place.chars().count();
    let plain = place.chars().all(is_han) && !place.contains("电力") && (1..=6).contains(&n);
    // Without the grid's name, a place of its own (济宁, 西华县, 乐陵市) and a 供电 word.
    let placed = named
        || province.is_some()
        || regions.whole(place).is_some()
        || (n >= 2 && place.ends_with(['县', '市', '区']) && marker.is_some());
    (plain && placed && unit(tail)).then(|| Grid::branch(core, province, place, regions))
}

impl Grid {
    fn branch(core: &'static str, province: Option<Found>, place: &str, regions: &Regions) -> Grid {
        Grid {
            core,
            province,
            branch: Some(branch_name(place, "供电公司", regions)),
        }
    }

    /// The core: the grid's name, and the branch's place (国家电网西华): a branch is a company
    /// of its own, and the grid's name alone is shared by hundreds.
    fn core(&self) -> String {
        let place = self
            .branch
            .as_deref()
            .map_or("", |b| b.trim_end_matches("供电分公司"));
        format!("{}{place}", self.core)
    }
}

/// The key of a name read whole rather than as a 字号 and a form: a grid's company
/// ([`grid_name`]), a national brand's ([`brand_key`]) or a village's organisation
/// ([`village_name`]); `normalized` and `site` left for the caller.
fn whole_name_key(normalized: &str, regions: &Regions) -> Option<CompanyKey> {
    if let Some(grid) = grid_name(normalized, regions) {
        return Some(CompanyKey {
            region: grid.province.map(|found| regions.to_region(found)),
            trade: grid.core.to_string(),
            core: grid.core(),
            form: Some("公司".to_string()),
            branch: grid.branch,
            ..CompanyKey::default()
        });
    }
    if let Some(brand) = (regions.brands.as_ref()).and_then(|b| b.read(normalized, regions)) {
        return Some(brand_key(brand, regions));
    }
    village_name(normalized, regions).map(|village| CompanyKey {
        region: village.region.map(|found| regions.to_region(found)),
        trade: village.core.clone(),
        core: village.core,
        form: village.form.map(String::from),
        district: village.county,
        ..CompanyKey::default()
    })
}

/// The key of a national brand's head office or branch ([`brand::Brands::read`]): the brand
/// and the branch's place make the core (中国农业银行·wuhou), as a grid's branch's do, for a
/// brand's name alone is shared by hundreds of branches; the place is the branch.
fn brand_key(brand: brand::BrandName, regions: &Regions) -> CompanyKey {
    let core = match &brand.place {
        Some(place) => format!("{}·{place}", brand.brand),
        None => brand.brand.clone(),
    };
    CompanyKey {
        region: brand.region.map(|found| regions.to_region(found)),
        trade: brand.brand,
        core,
        form: brand.form,
        branch: brand.place,
        brand: true,
        ..CompanyKey::default()
    }
}

/// A village's organisation, read by [`village_name`].
struct Village {
    region: Option<Found>,
    /// The county (霍州市, 莘县, 黄岛区), when written.
    county: Option<String>,
    /// The village: 杨口村.
    core: String,
    /// 村民委员会 (a 村委会, 基层群众性自治组织), 村集体经济组织 (a 股份经济合作社), or none
    /// when the village alone is written (张庄村, 张庄村（屋顶光伏）).
    form: Option<&'static str>,
}

/// The village committee's words after the village's 村, longest first.
const VILLAGE_COMMITTEE: &[&str] = &["民委员会", "民委会", "委员会", "民委", "委会", "委"];
/// The village's collective's (股份经济合作社, registered apart from the committee).
const VILLAGE_COLLECTIVE: &[&str] = &[
    "股份经济合作社",
    "股份经济联合社",
    "集体经济合作社",
    "集体经济组织",
    "经济合作社",
    "经济联合社",
    "股份合作社",
    "集体",
];

/// A village's organisation however written: the county and town before it or not, the
/// village, and which of its two legal persons, the 村民委员会 (村委会, 村委) or the collective
/// (股份经济合作社, 经济合作社, 村集体; cut short as 股份经济合), or the village alone; a unit
/// after it (村部, 村委大院, （冷库）). The town is left out: rows write it or not, and two
/// villages of one name in one county are rare. `None` for any other name (张庄村卫生室,
/// 张庄村镇银行).
fn village_name(text: &str, regions: &Regions) -> Option<Village> {
    // Most names have no 村.
    if !text.contains('村') {
        return None;
    }
    let mut text = text;
    while let Some((open, content)) = trailing_bracket(text) {
        if open == 0 || !short_unit(content) {
            break;
        }
        text = &text[..open];
    }
    // A region's name may start a village's (长春村): without it, if with it fails.
    let found = regions.leading(text, false);
    found
        .and_then(|f| village_after(&text[f.len..], Some(f)))
        .or_else(|| village_after(text, None))
}

/// [`village_name`] after the region.
fn village_after(text: &str, region: Option<Found>) -> Option<Village> {
    let county_len = district_or_city_len(text, true).filter(|&n| n < text.len());
    let county = county_len.map(|n| text[..n].to_string());
    let mut rest = &text[county_len.unwrap_or(0)..];
    // The town: two to five characters and 镇, 乡 or 街道.
    let town = rest
        .char_indices()
        .skip(2)
        .take(4)
        .find(|&(_, c)| c == '镇' || c == '乡')
        .map(|(i, c)| i + c.len_utf8())
        .or_else(|| {
            rest.find("街道")
                .filter(|&i| (2..=5).contains(&rest[..i].chars().count()))
                .map(|i| i + "街道".len())
        });
    if let Some(end) = town {
        rest = &rest[end..];
    }
    let at = rest
        .char_indices()
        .skip(1)
        .take(4)
        .find(|&(_, c)| c == '村')
        .map(|(i, _)| i)?;
    let name = &rest[..at];
    if !name.chars().all(is_han) || name.contains(['镇', '乡', '县', '市', '区', '村']) {
        return None;
    }
    let mut after = &rest[at + '村'.len_utf8()..];
    // 常圈村村委会: the village's committee.
    if let Some(again) = after.strip_prefix('村') {
        if again.starts_with('委') || again.starts_with("民委") || village_collective(again) {
            after = again;
        }
    }
    let (form, tail) = if let Some(w) = VILLAGE_COMMITTEE.iter().find(|w| after.starts_with(*w)) {
        (Some("村民委员会"), &after[w.len()..])
    } else if let Some(w) = VILLAGE_COLLECTIVE.iter().find(|w| after.starts_with(*w)) {
        (Some("村集体经济组织"), &after[w.len()..])
    } else if village_collective(after) {
        (Some("村集体经济组织"), "")
    } else if after == "合作社" {
        // 胡口村合作社: the village's collective, or a farmers' co-operative named after the
        // village; which, the name does not say.
        (None, "")
    } else {
        (None, after)
    };
    (tail.is_empty() || short_unit(tail)).then(|| Village {
        region,
        county,
        core: format!("{name}村"),
        form,
    })
}

/// Whether `text` is a village collective's name cut short (股份经济合, 股份, 经济合): the
/// start of one, to the end.
fn village_collective(text: &str) -> bool {
    !text.is_empty()
        && ["股份经济合作社", "经济合作社", "股份经济联合社"]
            .iter()
            .any(|w| w.starts_with(text))
}

/// A village's unit or a note after its name: at most six characters naming no legal person
/// of its own (村部, 村委大院, 屋顶光伏, 户用整村, 冷库), not a clinic's, a school's, a
/// shop's or a company's.
fn short_unit(text: &str) -> bool {
    const OWN: &[&str] = &[
        "公司",
        "合作社",
        "委员会",
        "卫生",
        "小学",
        "学校",
        "医院",
        "银行",
        "站",
        "所",
        "厂",
        "店",
        "社",
        "场",
        "镇",
        "乡",
        // 农业农村局: a county's bureau, no village's.
        "局",
    ];
    let n = text.chars().count();
    (1..=6).contains(&n) && text.chars().all(is_han) && !OWN.iter().any(|w| text.contains(w))
}

/// `name` without the person a salesman typed after it to know whom to call (华远-王总,
/// 捷乐检测-郭经理, 启安服装加工—梁老板, 雨花亭街道 林经理): a surname and a title after a dash,
/// a slash or an underscore, or failing those a space. The separator is what tells the person from the name (the dash is gone once the
/// name is normalised, and 昌托化工 ends in 化 and 工 too).
fn without_contact(name: &str) -> &str {
    let name = without_call_note(name);
    let trimmed = crate::normalize::trim(name);
    // Most names end in no title at all.
    if !TITLES.iter().any(|title| trimmed.ends_with(title)) {
        return name;
    }
    // The last separator: - _ / as such, — – － ／ by their first byte (E2 or EF, which
    // full-width brackets share); failing one, a space (雨花亭街道 林经理).
    let bytes = trimmed.as_bytes();
    let ascii = memchr::memrchr3(b'-', b'_', b'/', bytes);
    // E2 and EF only ever start a character: the last of them that starts a dash.
    let wide = memchr::memrchr2_iter(0xE2, 0xEF, bytes).find(|&i| {
        matches!(
            trimmed.get(i..).and_then(|t| t.chars().next()),
            Some('—' | '–' | '－' | '／')
        )
    });
    let Some(at) = ascii.max(wide).or_else(|| trimmed.rfind([' ', '\u{3000}'])) else {
        return glued_contact(trimmed).unwrap_or(name);
    };
    let person = trimmed[at..]
        .trim_start_matches(['-', '—', '－', '–', '_', '/', '／', ' ', '\u{3000}'])
        .trim();
    if addressed(person)
        && !is_industry_words(&normalize(person))
        && plausible(trimmed[..at].trim_end())
    {
        // A home's address, then how its owner is called (晶禾城24栋3单元1902 龚先生): the
        // owner.
        if dwelling(&trimmed[..at]) {
            person
        } else {
            trimmed[..at].trim_end()
        }
    } else {
        name
    }
}

/// `name` without a person typed right after it, a common surname and a title (华裕铝业李姐,
/// 弘光化工邵总, 嘉茂集团刘工, 邦美潘总), when what stands before is a short name of two to four
/// characters or ends in industry words or a form. A 工 after 施, 金, 石 or 木 is a trade's
/// word (…建筑施工), not a person.
fn glued_contact(name: &str) -> Option<&str> {
    const TRADES: &[&str] = &["施工", "金工", "石工", "木工"];
    let (title_at, _) = TITLES
        .iter()
        .filter_map(|t| name.strip_suffix(t).map(|head| (head.len(), t)))
        .min_by_key(|&(at, _)| at)?;
    let head = &name[..title_at];
    let surname = head.chars().next_back()?;
    let head = &head[..head.len() - surname.len_utf8()];
    if !is_common_surname(surname) || TRADES.iter().any(|t| name[head.len()..].starts_with(t)) {
        return None;
    }
    let normalized = normalize(head);
    let n = normalized.chars().count();
    let words = &*WORDS;
    ((2..=4).contains(&n) && normalized.chars().all(is_han)
        // A Latin name (Chuangmei曾小姐).
        || (n >= 3 && normalized.bytes().all(|b| b.is_ascii_alphabetic()))
        || (plausible(&normalized)
            && (words.industries.longest_suffix(&normalized).is_some()
                || words.forms.longest_suffix(&normalized).is_some())))
    .then_some(head)
}

/// The person a customer's name names, when it names one and no business: a common surname
/// and a title, after the place the person works at or before it behind a space (罗师傅,
/// 东渚孙师傅, 林师傅 渭塘), 老 and a surname (老罗), or a full name of two or three characters
/// (孙丽龙, 陈良健（个人）, 个人-王凯峰). `(surname, whether the name is a full name)`; `None`
/// for any other name.
pub fn person_named(name: &str) -> Option<(char, bool)> {
    // Ten characters at most: most names are ruled out by their length alone, and a name of
    // Chinese characters alone by ending in no title and being longer than a full name.
    let trimmed = name.trim();
    if trimmed.len() > 30
        || (trimmed.chars().all(is_han)
            && trimmed.chars().nth(3).is_some()
            && !trimmed.starts_with('老')
            && !TITLES.iter().any(|t| trimmed.ends_with(t)))
    {
        return None;
    }
    let mut found = None;
    for part in name.split([' ', '\u{3000}', '-', '—', '－', '_', '/']) {
        let part = normalize(part);
        let part = part.strip_prefix("个人").unwrap_or(&part);
        // (个人), and a trade after the name (董良超（电焊工）, 宋秋 钣金工, 黄慧春（修车师傅）).
        let part = match trailing_bracket(part) {
            Some((open, content)) if content == "个人" || trade_of_person(content) => {
                &part[..open]
            }
            _ => part,
        };
        if part.is_empty() || (found.is_some() && trade_of_person(part)) {
            continue;
        }
        if !part.chars().all(is_han) {
            return None;
        }
        let chars: Vec<char> = part.chars().collect();
        let person = if addressed(part) {
            Some((chars[0], false))
        } else if chars.len() == 2 && chars[0] == '老' && is_common_surname(chars[1]) {
            Some((chars[1], false))
        } else if chars.len() == 5
            && addressed(&part[chars[..2].iter().map(|c| c.len_utf8()).sum::<usize>()..])
        {
            // 东渚孙师傅: a town of two characters and the person.
            Some((chars[2], false))
        } else if (2..=3).contains(&chars.len())
            && is_common_surname(chars[0])
            && !is_industry_words(part)
            && WORDS.industries.longest_suffix(part).is_none()
            && WORDS.forms.longest_suffix(part).is_none()
        {
            Some((chars[0], true))
        } else {
            None
        };
        match (person, found) {
            (Some(p), None) => found = Some(p),
            // Two people, or a person and more than a place of two characters.
            (Some(_), Some(_)) => return None,
            (None, _) if chars.len() > 2 => return None,
            (None, _) => {}
        }
    }
    found.filter(|&(surname, _)| is_common_surname(surname))
}

/// Whether text (normalised) is a tradesman's trade, typed after his name: three or four
/// characters ending in 工 or 师傅 (电焊工, 钣金工, 管道工, 修车师傅).
fn trade_of_person(text: &str) -> bool {
    let n = text.chars().count();
    (3..=4).contains(&n)
        && (text.ends_with('工') || text.ends_with("师傅"))
        // 李师傅 is a person.
        && !text.chars().next().is_some_and(is_common_surname)
}

/// Whether `c` is one of the common surnames.
fn is_common_surname(c: char) -> bool {
    crate::synth::SURNAMES
        .iter()
        .any(|(s, _)| s.chars().eq(std::iter::once(c)))
}

/// Whether text (normalised) is a person's full name typed after a customer's name (苏州东科-郑琴,
/// 太仓腾安（罗晨涛）): [`person_named`] by full name, and not what ends as a place's name does
/// (王府井, 金山湖).
fn full_person(text: &str) -> bool {
    // Two or three Chinese characters, before anything is allocated.
    (6..=9).contains(&text.len())
        && text.chars().all(is_han)
        && matches!(person_named(text), Some((_, true)))
        && !text.ends_with(PLACE_ENDS)
        && !text.ends_with([
            '井', '山', '湖', '港', '桥', '门', '庄', '湾', '口', '河', '江', '州', '岛', '坊',
            '里', '塘', '浜',
        ])
}

/// Whether `text` is a home's address: a building, a unit and a room (晶禾城24栋3单元1902,
/// 合玉小区12-2-1104, 宸润新城21-1-301), ending in the room's number.
fn dwelling(text: &str) -> bool {
    let text = text.trim_end();
    let numbered = text.ends_with(|c: char| c.is_ascii_digit() || c == '室' || c == '号');
    let building = text.contains(['栋', '幢']) || text.contains("单元");
    // Three numbers joined by two dashes: building, unit, room.
    let dashed = text
        .rsplit(|c: char| !(c.is_ascii_digit() || c == '-'))
        .next()
        .is_some_and(|run| run.split('-').count() == 3 && run.split('-').all(|n| !n.is_empty()));
    numbered && (building || dashed)
}

/// The last characters of a place's name, a division's or a street's (石林县, 张江园区, 府前街).
const PLACE_ENDS: &[char] = &[
    '区', '县', '市', '镇', '乡', '村', '路', '街', '道', '园', '城',
];

/// `name` without a note in brackets at its end that says who called and why, as a hotline
/// writes it (（王工：逆变器报警）, (村会计：屋面漏水), （老板娘：问补贴到账)): bracketed text with a
/// colon in it, which no name has. The brackets may be of two widths.
fn without_call_note(name: &str) -> &str {
    let name = without_service_note(name);
    let trimmed = name.trim_end();
    // Most names end in no bracket.
    if !(trimmed.ends_with(')') || trimmed.ends_with('）')) {
        return name;
    }
    let Some(open) = trimmed.rfind(['(', '（']) else {
        return name;
    };
    let note = &trimmed[open..];
    let head = trimmed[..open].trim_end();
    if note.contains(['：', ':']) && plausible(head) {
        head
    } else {
        name
    }
}

/// How a salesman addresses a person after a surname (王总, 郭经理, 梁老板).
/// Words of a service call's note typed after the name: what broke, how urgent, who called,
/// whether the account is verified (…分公司/夜间报修, 杭州宝澜物业-扶梯急停, 安发物业杭州分公司
/// 2#梯门故障, (电梯停运), 【加急】, (未认证)).
/// A driver's or a salesman's delivery note is one too: where to leave the goods, when to
/// come, how to be paid (…烟酒店（放门口）, 宏发名烟名酒/二楼仓库, 老孙烟酒-后门卸货, 金瑞 周末不收货,
/// …商贸有限公司（总仓）, 佳昌烟酒店（周二线）, 泰园烟酒 老客户).
const SERVICE_NOTES: &[&str] = &[
    "报修",
    "故障",
    "急停",
    "停运",
    "困人",
    "加急",
    "急修",
    "维保",
    "年检",
    "保养",
    "投诉",
    "认证",
    "来电",
    "夜间",
    "派单",
    "异响",
    "货梯",
    "客梯",
    "扶梯",
    "梯门",
    "放门口",
    "放隔壁",
    "放门卫",
    "放前台",
    "卸货",
    "上午送",
    "下午送",
    "晚上送",
    "送前",
    "打电话",
    "不收货",
    "货到付款",
    "现结",
    "月结",
    "催款",
    "回款",
    "续费",
    // Where and when to leave a canteen's food (…-早7点前送, 送到后厨, 放冷库, 电话联系再送).
    "前送",
    "再送",
    "送到",
    "冷库",
    "后厨",
    "铺货",
    "仓库",
    "老客户",
    // Which gate to deliver to, on whose behalf (…（门卫收）, …-后门, 上海志远 3号门, 嘉利气体 代送达裕五金).
    "门卫",
    "后门",
    "侧门",
    "号门",
    "代送",
    // A print job's or an order's state (…(客诉), …(返工), …(改稿), …-补货, …（售后）, …(外发)).
    "客诉",
    "返工",
    "改稿",
    "终稿",
    "补货",
    "售后",
    "外发",
    // What an office machine does wrong, or what was done to it (…打印机报错SC542, …复印机卡纸,
    // 投影仪灯泡报警, …-驱动安装, 复印机定影器异响, 打印机扫描到邮箱失败, …移机).
    "报错",
    "报警",
    "卡纸",
    "进纸",
    "缺粉",
    "漏粉",
    "加粉",
    "发黑",
    "黑线",
    "开机",
    "失败",
    "损坏",
    "驱动",
    "调试",
    "移机",
    "不亮",
    "偏色",
    "无信号",
    "连不上",
    "感光鼓",
    // What an air conditioner or a plant's system does wrong, or what was done to it
    // (…（风管机不出风）, 内机漏水, 冷媒泄漏补氟, 冷却塔填料更换, 机房温度过高, 洁净室压差异常).
    "不出风",
    "不制冷",
    "不制热",
    "不热",
    "效果差",
    "漏水",
    "泄漏",
    "补氟",
    "振动",
    "噪音",
    "跳闸",
    "失灵",
    "黑屏",
    "超标",
    "过高",
    "过低",
    "压差",
    "更换",
    "家装",
    "自建房",
];

/// Whether text (normalised) is a service call's or a delivery's note: at most twelve
/// characters with one of [`SERVICE_NOTES`], and no company's form; or an urgent mark (急), a
/// central warehouse (总仓) or a delivery route ([`delivery_route`]: 周二线, 金水线19号).
fn service_note(text: &str) -> bool {
    ["急", "总仓", "家用", "个人", "本人", "医生", "口腔医生"].contains(&text)
        || delivery_route(text)
        || (text.chars().count() <= 12
            && SERVICE_NOTES.iter().any(|w| text.contains(w))
            && !text.contains("公司"))
}

/// Whether text (normalised) is a driver's delivery route, by its day or its area, and the
/// stop on it (周二线, 二七线, 外县2线, 金水线19号, 城东线27号): one to four characters, Chinese
/// or digits, then 线, then perhaps a number and 号. A metro line (地铁6号线) names a site.
fn delivery_route(text: &str) -> bool {
    let line = text
        .strip_suffix('号')
        .map(|t| t.trim_end_matches(|c: char| c.is_ascii_digit()))
        .filter(|t| t.ends_with('线'))
        .unwrap_or(text);
    line.strip_suffix('线').is_some_and(|area| {
        (1..=4).contains(&area.chars().count())
            && area.chars().all(|c| is_han(c) || c.is_ascii_digit())
            && area.chars().next().is_some_and(is_han)
            && !area.ends_with('号')
            && !area.contains("地铁")
    })
}

/// Whether `tail`, typed after `head` behind a space, is a note rather than part of the name:
/// whom to call (华远科技 王经理) or a service call's or a delivery's note ([`service_note`]: 金瑞
/// 周末不收货). Cleaning keeps such a space where it squeezes others, so that the note can
/// still be told from the name.
pub(crate) fn note_after_space(head: &str, tail: &str) -> bool {
    let (note, head) = (normalize(tail), normalize(head));
    ((addressed(tail) && !is_industry_words(&note))
        || service_note(&note)
        || is_department(&note)
        || full_person(&note)
        // A site's name after its company's (佳安交建 地铁5号线汉正街站工地), or a company's
        // after its site's (光谷体育中心项目一标段 隆腾建设工程).
        || ends_with_project(&note)
        || names_project(&head))
        && plausible(&head)
}

/// Whether `text` (normalised) names a project: it ends as one does ([`ends_with_project`]),
/// or in a lot's 标 after 项目 (白沙洲新能源产业园项目SG1标).
fn names_project(text: &str) -> bool {
    ends_with_project(text) || (text.ends_with('标') && text.contains("项目"))
}

/// `name` without a service call's note typed after it behind a dash, a slash or a space
/// ([`service_note`]), as many as there are (景晟物业-紫金公寓二期-2024维保), with the
/// department, the floor or the person it was for (浏河镇卫生院 设备科, 苏州铭汇 机加工车间,
/// …法院 二楼办公室, 石板中学 财务室五楼) and a machine's model among them (…法院 二楼办公室
/// e-STUDIO 2528A不进纸, …审计局 业务科 一楼 打印机扫描到邮箱失败).
fn without_service_note(name: &str) -> &str {
    let name = without_job(without_leading_note(name)).trim_end();
    // The first separator after which everything is notes.
    let mut at = 0;
    while let Some((offset, c)) = name[at..]
        .char_indices()
        .find(|&(_, c)| is_note_separator(c))
    {
        let (head, tail) = (
            name[..at + offset].trim_end(),
            &name[at + offset + c.len_utf8()..],
        );
        let written = normalize(head);
        // A place alone is no name (开福区 骏立茶餐厅).
        let place = district_or_city_len(&written, true) == Some(written.len());
        if notes_only(tail) && plausible(&written) && !place {
            // A home's address or a truck's plate, then its owner (晶禾城24栋3单元1902 龚浩,
            // 湘A·45616 朱满小): the owner is the customer, the address or plate no name.
            let tail = tail.trim();
            if (dwelling(head) || is_plate(&written)) && full_person(&normalize(tail)) {
                return tail;
            }
            return without_online_shop(head);
        }
        at += offset + c.len_utf8();
    }
    without_online_shop(without_glued_floor(without_plate(name)))
}

/// Whether text typed after a name behind a separator is all notes, a part of the name
/// nowhere: each piece between separators a service call's note, a department, a floor or a
/// person ([`note_piece`]), or letters and digits (a machine's model: e-STUDIO, bizhub) that a
/// service call's note follows.
fn notes_only(text: &str) -> bool {
    // A plate, however spaced or dotted (湘A·21645, 湘L 83473).
    if is_plate(&normalize(text)) {
        return true;
    }
    let mut model = false;
    for piece in text.split(is_note_separator).filter(|p| !p.is_empty()) {
        let piece = normalize(piece);
        if piece.is_empty() {
            continue;
        }
        if service_note(&piece) {
            model = false;
        } else if piece.bytes().all(|b| b.is_ascii_alphanumeric()) {
            model = true;
        } else if !note_piece(&piece) {
            return false;
        }
    }
    !model && !text.trim().is_empty()
}

/// Whether a piece (normalised) typed after a name is for whom or where in the customer it
/// was: a department, a floor ([`without_floors`]: 二楼, 门诊楼三楼) or a person.
fn note_piece(piece: &str) -> bool {
    is_department(piece)
        || without_floors(piece).is_empty()
        || full_person(piece)
        || is_plate(piece)
}

/// Whether text (normalised) is a vehicle's plate number: a province's character, a letter,
/// five or six letters and digits, perhaps a trailer's 挂 (湘a45616, 鄂e2w440, 湘a54048挂):
/// which truck of the customer's a row is about, no part of its name.
fn is_plate(text: &str) -> bool {
    let mut chars = text.chars();
    let (Some(province), Some(letter)) = (chars.next(), chars.next()) else {
        return false;
    };
    let rest = chars.as_str();
    let rest = rest.strip_suffix(['挂', '学', '警']).unwrap_or(rest);
    PROVINCES.contains(province)
        && letter.is_ascii_lowercase()
        && (5..=6).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        && rest.bytes().any(|b| b.is_ascii_digit())
}

/// The provinces' characters a plate starts with.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// `name` without a plate number typed right after it (远海驾校鄂E2W440), or right before it
/// (湘A·45616 朱满小), when a name stands beside it.
fn without_plate(name: &str) -> &str {
    let trimmed = name.trim();
    // A plate starts with a province's character, a letter then: look only where one does.
    for (at, c) in trimmed.char_indices() {
        let rest = &trimmed[at..];
        if !(PROVINCES.contains(c)
            && rest[c.len_utf8()..].starts_with(|l: char| l.is_ascii_alphabetic()))
        {
            continue;
        }
        // Before the name: up to the first space, or the plate's own length.
        if at == 0 {
            if let Some((plate, after)) = rest.split_once([' ', '\u{3000}']) {
                if is_plate(&normalize(plate)) && plausible(&normalize(after)) {
                    return after.trim_start();
                }
            }
        } else if is_plate(&normalize(rest)) && plausible(&normalize(&trimmed[..at])) {
            return trimmed[..at].trim_end();
        }
    }
    name
}

/// Whether `c` separates a name from a note typed after it ([`split_at_separator`]).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '_' | '/' | ' ' | '—' | '–' | '－' | '／' | '\u{3000}'
    )
}

/// Whether `c` separates a name from notes typed after it ([`is_separator`], and a middle dot:
/// 实验幼儿园·食堂). A middle dot within a name (欣禾·鹭岛项目部) is not one elsewhere.
fn is_note_separator(c: char) -> bool {
    is_separator(c) || matches!(c, '·' | '•')
}

/// `text` (normalised) without the floors and buildings written before or after it (二楼办公室,
/// 财务室五楼, 放射科门诊楼三楼, 十八楼 → 办公室, 财务室, 放射科, nothing).
fn without_floors(text: &str) -> &str {
    let mut text = text;
    loop {
        let before = text.len();
        text = without_floor_at_end(text);
        for building in BUILDINGS {
            text = text.strip_prefix(building).unwrap_or(text);
        }
        for storey in STOREYS {
            let numbers = text.trim_start_matches(is_numeral);
            if numbers.len() < text.len() {
                if let Some(rest) = numbers.strip_prefix(storey) {
                    text = rest;
                }
            }
        }
        if text.len() == before {
            return text;
        }
    }
}

/// A hospital's, a school's or an office's buildings, by what they are for.
const BUILDINGS: &[&str] = &[
    "门诊楼",
    "住院楼",
    "医技楼",
    "行政楼",
    "教学楼",
    "综合楼",
    "办公楼",
    "实验楼",
    "科研楼",
];

/// What a floor's or a building's number is followed by (五楼, 3层, 1号楼, 2栋, a座).
const STOREYS: &[&str] = &["号楼", "楼", "层", "栋", "幢", "座"];

/// `text` without the floors and buildings written at its end, numbered (武汉联锦25楼, 正悦酒店1号楼,
/// 华远大厦a座十八层) or named ([`BUILDINGS`]).
fn without_floor_at_end(text: &str) -> &str {
    let mut text = text;
    loop {
        let before = text.len();
        for building in BUILDINGS {
            text = text.strip_suffix(building).unwrap_or(text);
        }
        for storey in STOREYS {
            if let Some(rest) = text.strip_suffix(storey) {
                let trimmed =
                    rest.trim_end_matches(|c: char| is_numeral(c) || c.is_ascii_alphabetic());
                // A number, or one letter (a座): not a word's letters (abc楼).
                let letters = rest.len()
                    - rest
                        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                        .len();
                if trimmed.len() < rest.len() && letters <= 1 {
                    text = trimmed;
                }
            }
        }
        if text.len() == before {
            return text;
        }
    }
}

/// `name` without a floor or a building typed right after it (武汉联锦25楼, 正悦酒店1号楼), when
/// a name of two Chinese characters or more stands before it. An estate's building (江南名苑9幢)
/// is the estate's, read as such.
fn without_glued_floor(name: &str) -> &str {
    let trimmed = name.trim_end();
    // Most names end in no floor.
    if !trimmed.ends_with(['楼', '层']) {
        return name;
    }
    let head = without_floor_at_end(trimmed).trim_end();
    if head.len() < trimmed.len() && head.chars().filter(|&c| is_han(c)).count() >= 2 {
        head
    } else {
        name
    }
}

/// `name` without a note in brackets before it ([急]广东铂利…, 【重要】…, (客诉)…): a remark
/// ([`is_remark`]) or a service call's or a delivery's note.
fn without_leading_note(name: &str) -> &str {
    let mut name = name;
    loop {
        let rest = without_one_leading_note(name);
        if rest.len() == name.len() {
            return name;
        }
        name = rest;
    }
}

/// [`without_leading_note`], one note.
fn without_one_leading_note(name: &str) -> &str {
    // How a chat app shows a person who wrote (微信用户程先生, 微信客户 田女士).
    if let Some(rest) = ["微信用户", "微信客户"]
        .iter()
        .find_map(|w| name.strip_prefix(w))
        .map(str::trim_start)
        .filter(|rest| plausible(&normalize(rest)))
    {
        return rest;
    }
    // The chat app an order came from (微信-瑞美口腔).
    if let Some(rest) = name
        .strip_prefix("微信")
        .and_then(|rest| rest.strip_prefix(['-', '—', '_', '：', ':', ' ']))
        .filter(|rest| plausible(&normalize(rest)))
    {
        return rest;
    }
    // A person marked as one (个人-张坤国, 个体李鹏海, 个人客户邓云, 个人（石秀雪）).
    if let Some(rest) = ["个人客户", "个人", "个体"]
        .iter()
        .find_map(|w| name.strip_prefix(w))
        .map(|rest| {
            rest.trim_start_matches(['-', '—', '_', ' ', '：', ':'])
                .trim_end()
        })
        .map(|rest| {
            rest.strip_prefix(['(', '（'])
                .and_then(|r| r.strip_suffix([')', '）']))
                .unwrap_or(rest)
        })
        .filter(|rest| full_person(&normalize(rest)))
    {
        return rest;
    }
    // Most names start with a Chinese character, a letter or a digit: no bracket.
    if name
        .chars()
        .next()
        .is_none_or(|c| is_han(c) || c.is_ascii_alphanumeric())
    {
        return name;
    }
    // Any character that normalises to a bracket ([`push_normalized`]), so that the name and
    // its normalised form lose the same note.
    let as_bracket = |c: char| {
        let mut buf = [0u8; 4];
        normalize(c.encode_utf8(&mut buf))
    };
    // Whatever normalises to nothing before the bracket (spaces, marks) is not there.
    let trimmed = name.trim_start_matches(|c: char| as_bracket(c).is_empty());
    let Some(open) = trimmed.chars().next().filter(|&c| as_bracket(c) == "(") else {
        return name;
    };
    let Some((close, closing)) = trimmed
        .char_indices()
        .skip(1)
        .find(|&(_, c)| matches!(as_bracket(c).as_str(), "(" | ")"))
        .filter(|&(_, c)| as_bracket(c) == ")")
    else {
        return name;
    };
    let content = normalize(&trimmed[open.len_utf8()..close]);
    let rest = &trimmed[close + closing.len_utf8()..];
    if (is_remark(&content) || service_note(&content)) && plausible(&normalize(rest)) {
        rest
    } else {
        name
    }
}

/// `name` without the rest of a job's name, as a print shop's or a workshop's job is named:
/// the customer, the product and the item, with a version (铂利硅胶-水杯-彩盒_终稿,
/// YUJIAN-硅胶手环-吊卡-V2, 荣博-盲盒-开窗彩盒): three parts or more behind dashes or
/// underscores, the first plausible as a name, one after it an item (…盒, …箱, …卡, …袋,
/// 说明书, 画册 …) or a version (V2, 终稿, 改稿), and none a company's, a branch's or a project's.
fn without_job(name: &str) -> &str {
    const ITEMS: &[char] = &[
        '盒', '箱', '卡', '袋', '册', '纸', '签', '贴', '标', '书', '单', '封',
    ];
    const VERSIONS: &[&str] = &["终稿", "改稿", "定稿", "初稿", "打样"];
    // Most names have no two separators: nothing is collected for them.
    const SEPARATORS: [char; 4] = ['-', '_', '—', '－'];
    if name.matches(SEPARATORS).nth(1).is_none() {
        return name;
    }
    let parts: Vec<&str> = name.split(SEPARATORS).collect();
    let first = parts[0].trim();
    let item = parts[1..].iter().any(|p| {
        let p = normalize(p);
        let p = without_remark_brackets(&p);
        p.ends_with(ITEMS)
            || VERSIONS.iter().any(|v| p.contains(v))
            || (p.len() >= 2 && p.starts_with('v') && p[1..].bytes().all(|b| b.is_ascii_digit()))
    });
    let company = parts[1..].iter().any(|p| {
        let p = normalize(p);
        p.contains("公司") || WORDS.branches.longest_suffix(&p).is_some() || names_project(&p)
    });
    if item && !company && plausible(&normalize(first)) {
        first
    } else {
        name
    }
}

/// `text` (normalised) without the remarks in brackets at its end (彩盒(改稿): 彩盒).
fn without_remark_brackets(text: &str) -> &str {
    let mut text = text;
    while let Some((open, content)) = trailing_bracket(text) {
        if !(is_remark(content) || service_note(content)) {
            break;
        }
        text = &text[..open];
    }
    text
}

/// `name` without an online shop's words after the brand (鸿耀抖音官方旗舰店, 悦宝旗舰店,
/// 乐集鞋类专营店, 安泰官方授权店): a shop on a platform is its operator's, written by its brand.
fn without_online_shop(name: &str) -> &str {
    const SHOPS: &[&str] = &[
        "旗舰店",
        "专营店",
        "专卖店",
        "授权店",
        "官方店",
        "网店",
        "小店",
    ];
    const PLATFORMS: &[&str] = &[
        "抖音",
        "天猫",
        "京东",
        "淘宝",
        "拼多多",
        "快手",
        "1688",
        "小红书",
        "微店",
        "官方",
    ];
    let trimmed = name.trim_end();
    let Some(shop) = SHOPS.iter().find(|s| trimmed.ends_with(*s)) else {
        return name;
    };
    let mut head = &trimmed[..trimmed.len() - shop.len()];
    while let Some(p) = PLATFORMS.iter().find(|p| head.ends_with(*p)) {
        head = &head[..head.len() - p.len()];
    }
    let head = head.trim_end();
    if plausible(&normalize(head)) {
        // 华远旗舰店旗舰店: as many as there are, as the normalised name would lose them.
        without_online_shop(head)
    } else {
        name
    }
}

/// `text` split at its last separator, a dash, a slash, an underscore or a space (华远-王总,
/// 龙策物业 书香春天小区项目): what stands before it and after it. `None` without one.
fn split_at_separator(text: &str) -> Option<(&str, &str)> {
    let (at, c) = text.char_indices().rev().find(|&(_, c)| is_separator(c))?;
    Some((&text[..at], &text[at + c.len_utf8()..]))
}

/// `text` without a phase written at its end (湖畔公寓二期, 紫宸2期 → 湖畔公寓, 紫宸).
fn without_phase(text: &str) -> &str {
    match text.strip_suffix('期') {
        Some(t) if t.trim_end_matches(is_numeral).len() < t.len() => t.trim_end_matches(is_numeral),
        _ => text,
    }
}

/// Whether text holds a company's or a property company's word (公司, 集团, 物业): no
/// estate's name.
fn names_company(text: &str) -> bool {
    ["公司", "集团", "物业"].iter().any(|w| text.contains(w))
}

const TITLES: &[&str] = &[
    "总经理",
    "经理",
    "老板",
    "老总",
    "主任",
    "老师",
    "先生",
    "女士",
    "小姐",
    "师傅",
    "医生",
    "总",
    "工",
    "姐",
    "哥",
];

/// Whether text is a surname of one or two characters and a title ([`TITLES`]): 王总, 欧阳经理.
fn addressed(text: &str) -> bool {
    TITLES.iter().any(|title| {
        text.strip_suffix(title).is_some_and(|surname| {
            (1..=2).contains(&surname.chars().count()) && surname.chars().all(is_han)
        })
    })
}

/// What a project's site office is named with, after its company's name: …有限公司光谷科学岛
/// 项目部, 中建三局(东新区人才公寓项目经理部), 华远科技/二期项目, …公司三标段. A site office is
/// no legal person: its rows are its company's.
const PROJECT_ENDS: &[&str] = &[
    "项目经理部",
    "项目管理部",
    "项目部",
    "指挥部",
    "项目",
    "标段",
    "工地",
];

/// Whether `text` ends with one of [`PROJECT_ENDS`], or is a property company's office at an
/// estate ([`estate_office_word`]).
fn ends_with_project(text: &str) -> bool {
    PROJECT_ENDS.iter().any(|w| text.ends_with(w)) || estate_office_word(text).is_some()
}

/// A property company's office at an estate, read as a project's site (浙江宝澜物业管理有限公司
/// 和睦佳苑管理处, 凯恒物业滨江御府一期管理处): the company's, with the estate's contact details.
/// Only after 物业: a university's 后勤管理处 is a department, a scenic area's 管理处 an
/// institution.
fn estate_office_word(text: &str) -> Option<&'static str> {
    (text.ends_with("管理处") && text.contains("物业")).then_some("管理处")
}

/// Whether `text` (normalised) is an individual business written as its keeper's name, a
/// person's two to four Chinese characters and a note of what it is in brackets (任桂睿（个体保洁）,
/// 杜丽（个体户）).
fn keeper_named(text: &str) -> bool {
    trailing_bracket(text).is_some_and(|(open, content)| {
        let person = &text[..open];
        content.starts_with("个体")
            && (2..=4).contains(&person.chars().count())
            && person.chars().all(is_han)
            && WORDS.industries.longest_suffix(person).is_none()
    })
}

/// What a residential estate's, a building's or a mall's name ends with (书香春天小区, 梧桐御府,
/// 丽景雅居, 东湖壹号院, 海禾大厦).
const ESTATE_ENDS: &[&str] = &[
    "小区", "花园", "家园", "公馆", "名邸", "山庄", "世家", "雅居", "首府", "华府", "御府", "新城",
    "号院", "大厦", "广场", "公寓", "府", "苑", "庭", "湾", "邸", "里",
];

/// What an estate's management office is called after the estate's name, longest first:
/// 翠湖花园物业服务中心, 紫荆世纪山庄客服中心, 梧桐御府物业.
const ESTATE_OFFICES: &[&str] = &[
    "物业服务中心",
    "物业管理中心",
    "物业管理处",
    "物业中心",
    "客服中心",
    "服务中心",
    "物业",
];

/// A developer's project company written by its sales office, at its site (德通江樾售楼处: the
/// name before 售楼处 or 售楼部). Each project of a developer is a company of its own (杭州德通江樾
/// 房地产开发有限公司), so the project's name is no site to cut from the developer's, as a
/// builder's project is. `None` for any other name. (A brand and a project joined by a middle
/// dot, 欣禾·鹭岛项目部, would say so too, but the dot is gone from the normalised name the key
/// is read again from.)
fn developer_project(normalized: &str) -> Option<&str> {
    if let Some(body) = ["售楼处", "售楼部"]
        .iter()
        .find_map(|w| normalized.strip_suffix(w))
    {
        return plausible(body).then_some(body);
    }
    None
}

/// A property company's name with the estate it manages after a dash, a slash or a space
/// (银安物业-明月佳苑, 兴恒物业-梧桐苑二期): the company, at a site.
fn without_estate(name: &str) -> (&str, bool) {
    let trimmed = crate::normalize::trim(name);
    let Some((written, tail)) = split_at_separator(trimmed) else {
        return (name, false);
    };
    let head = normalize(written);
    let tail = normalize(tail);
    let estate = without_phase(&tail);
    let is_estate = (estate_named(&tail)
        || ESTATE_ENDS.iter().any(|w| estate.ends_with(w))
        || estate.ends_with("新村"))
        && estate.chars().count() >= 3
        && estate.chars().all(is_han)
        && !names_company(estate);
    if is_estate && head.contains("物业") && plausible(&head) {
        (written.trim_end(), true)
    } else {
        (name, false)
    }
}

/// Whether `text` (normalised) names an estate or a building of it, and no company: 江南公馆
/// 小区, 嘉和华府一期小区, 阳光雅苑13幢, 香樟嘉园一期9幢 (a building numbered, 幢, 栋, 号楼 or 单元).
fn estate_named(text: &str) -> bool {
    let numbered = |t: &str| t.trim_end_matches(is_numeral).len() < t.len();
    let estate = match text.strip_suffix("小区") {
        Some(estate) => estate,
        None => match ["幢", "栋", "号楼", "单元"]
            .iter()
            .find_map(|w| text.strip_suffix(w))
            .filter(|t| numbered(t))
        {
            Some(t) => t.trim_end_matches(is_numeral),
            None => return false,
        },
    };
    // A phase: 一期, 2期.
    let estate = without_phase(estate);
    estate.chars().count() >= 2 && estate.chars().all(is_han) && !names_company(estate)
}

/// The property company an estate's row names in brackets (江南雅苑（天川物业）, 书香印象
/// (新悦物业)): the estate before it is the site, the company the customer. `None` for any
/// other name.
fn company_of_estate(text: &str) -> Option<&str> {
    let (open, content) = trailing_bracket(text)?;
    let head = &text[..open];
    let n = head.chars().count();
    ((2..=10).contains(&n)
        && head.chars().all(|c| is_han(c) || c.is_ascii_digit())
        && !names_company(head)
        && content.contains("物业")
        && plausible(content)
        && content.chars().count() <= 16
        && !content.contains(['(', ')']))
    .then_some(content)
}

/// Whether `text` (normalised) is an estate's management office and no company's name: an
/// estate's name of Chinese characters ending as one does ([`ESTATE_ENDS`]), then its office
/// ([`ESTATE_OFFICES`]). Before a bare 物业 the estate's name must have four characters or
/// more: 碧桂园物业 and 金湾物业 are companies' short names.
fn estate_office(text: &str) -> bool {
    let Some(office) = ESTATE_OFFICES.iter().find(|w| text.ends_with(*w)) else {
        return false;
    };
    let estate = &text[..text.len() - office.len()];
    // A phase of it: 湖畔公寓二期.
    let estate = without_phase(estate);
    let n = estate.chars().count();
    n >= if *office == "物业" { 4 } else { 3 }
        && estate.chars().all(is_han)
        && !["公司", "集团"].iter().any(|w| estate.contains(w))
        && (ESTATE_ENDS.iter().any(|w| estate.ends_with(w))
            // Before a property office's word, an estate's shorter endings too (望江园物业管理处,
            // 城市城物业服务中心).
            || (office.len() > "物业".len()
                && office.starts_with("物业")
                && estate.ends_with(['园', '城', '村', '居', '墅', '郡'])))
}

/// `name` without the project a site's people typed after it behind a separator (湖南建工-
/// 梅溪湖住宅小区三标段项目部, 荆州方铭 后湖城市快速路项目部): the last dash, slash, underscore
/// or space before a name ending in a project's word ([`PROJECT_ENDS`]). A tail with a 公司 in
/// it is left for [`project_after_name`] (赣州得永路桥建设 有限公司瑶湖…项目部 has a space inside
/// the company's name). `true` with it when it cut.
fn without_project(name: &str) -> (&str, bool) {
    let trimmed = crate::normalize::trim(name);
    if !ends_with_project(trimmed) {
        // A site's name and then its company's, behind a separator (光谷体育中心项目一标段 隆腾
        // 建设工程, 振骏·天境项目—宝顺建筑): the company's.
        if let Some((head, tail)) = split_at_separator(trimmed) {
            // Most names with a separator name no project before it: the tail is read only
            // for those that do.
            if names_project(&normalize(head)) {
                let company = normalize(tail);
                if plausible(&company) && !service_note(&company) {
                    return (tail, true);
                }
            }
        }
        return without_estate(name);
    }
    let Some((head, tail)) = split_at_separator(trimmed) else {
        return (name, false);
    };
    let head = head.trim_end();
    if tail.contains("公司") || !plausible(&normalize(head)) {
        return (name, false);
    }
    (head, true)
}

/// Where a project typed after its company's name without a separator starts (…有限公司光谷
/// 科学岛项目部, 中建三局光谷体育中心B地块项目部): after the last 公司 before the project's word
/// ([`PROJECT_ENDS`]), or failing one after the first 集团 or 局 and a branch of it (中铁十一局
/// 襄阳分北部新城…项目部). A short name with no form
/// (盛恒路桥老城区人民医院项目部, 衡阳恒力西城保障性住房项目部) is its region, a 字号 of two
/// characters and the industry words after them; without industry words an estate's name
/// (书香春天小区项目) is the project's alone. `None` when the name names no project, or nothing
/// of a company stands before it.
fn project_after_name(text: &str, regions: &Regions) -> Option<usize> {
    let word = match PROJECT_ENDS.iter().copied().find(|w| text.ends_with(*w)) {
        Some(word) => word,
        // An estate's own office (海棠名苑物业管理处) names no company to cut it from.
        None if estate_office(text) => return None,
        None => estate_office_word(text)?,
    };
    let body = &text[..text.len() - word.len()];
    if let Some(form) = body.rfind("公司") {
        return plausible(&body[..form]).then_some(form + "公司".len());
    }
    if let Some(at) = ["集团", "局"].iter().find_map(|w| {
        let at = body.find(w)?;
        plausible(&body[..at]).then_some(at + w.len())
    }) {
        // A branch of it may follow (中铁十一局|襄阳分|北部新城…项目部).
        let branch = regions.leading(&body[at..], false).and_then(|f| {
            let after = &body[at + f.len..];
            ["分公司", "分"]
                .iter()
                .find(|m| after.starts_with(*m))
                .map(|m| f.len + m.len())
        });
        return Some(at + branch.unwrap_or(0));
    }
    let (_, start, _) = leading_region(body, regions);
    let mut chars = body[start..].char_indices();
    let (second, c) = chars.nth(1)?;
    if !is_han(c) || !body[start..start + second].chars().all(is_han) {
        return None;
    }
    let mut end = start + second + c.len_utf8();
    // The industry words after it, longest first (a project's name is rare enough to look
    // through the list).
    while let Some(w) = INDUSTRIES
        .iter()
        .map(|(w, _)| *w)
        .filter(|w| body[end..].starts_with(w))
        .max_by_key(|w| w.len())
    {
        end += w.len();
    }
    // Without industry words after two characters, the name is the project's own (书香春天小区
    // 项目, 江山新首府项目): no 字号 and industry words stood before it; without a region before
    // them either, whatever the project's name (阳逻职教中心项目部, 杨春湖物流园项目部). With a
    // region it is a company's (长沙景瑞|黄花港口码头项目部).
    if end == start + second + c.len_utf8()
        && (start == 0 || ESTATE_ENDS.iter().any(|w| body.ends_with(w)))
    {
        return None;
    }
    // The project's own name must remain.
    // The project's own name must remain; or none at all, the company's project unnamed
    // (中奇纺织项目: 中奇纺织's).
    (end == body.len() && end > start + second + c.len_utf8() || plausible(&body[end..]))
        .then_some(end)
}

/// How a 字号 may be written in Latin letters: its pinyin without tones, syllables run
/// together (创驰 → chuangchi), every reading of every character (长衡 → zhangheng and
/// changheng), at most 16 spellings. None for a 字号 of fewer than two or more than four
/// characters, or with a character that is no Chinese one.
pub fn trade_spellings(trade: &str) -> Vec<String> {
    use pinyin::ToPinyinMulti;
    let n = trade.chars().count();
    if !(2..=4).contains(&n) {
        return Vec::new();
    }
    let mut spellings = vec![String::new()];
    for readings in trade.to_pinyin_multi() {
        let Some(readings) = readings else {
            return Vec::new();
        };
        let mut next = Vec::new();
        for start in &spellings {
            for reading in readings.into_iter() {
                let spelled = format!("{start}{}", reading.plain());
                if !next.contains(&spelled) && next.len() < 16 {
                    next.push(spelled);
                }
            }
        }
        spellings = next;
    }
    spellings
}

/// The words of a name written in Latin letters, lower-cased (Shenzhen Chuangchi Auto
/// Components Co., Ltd. → shenzhen, chuangchi, auto, components, co, ltd); `None` for a name
/// with a Chinese character or without a letter.
pub fn latin_words(name: &str) -> Option<Vec<String>> {
    if name.chars().any(crate::normalize::is_cjk_ideograph)
        || !name.bytes().any(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    Some(
        name.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect(),
    )
}

/// Whether Latin words spell one of a 字号's spellings ([`trade_spellings`]): as one word
/// (Chuangchi) or two run together (Chuang Chi).
pub fn spells(words: &[impl AsRef<str>], spellings: &[impl AsRef<str>]) -> bool {
    spellings.iter().any(|s| {
        let s = s.as_ref();
        words.iter().enumerate().any(|(i, w)| {
            let w = w.as_ref();
            w == s
                || (s.starts_with(w)
                    && words
                        .get(i + 1)
                        .is_some_and(|next| s[w.len()..] == *next.as_ref()))
        })
    })
}

/// `text` without the remarks a CRM user typed after the name in brackets: a status (已合作,
/// 老客户, 停用, 已注销), a former name (原华远科技), a note (总部, VIP). They say nothing about
/// which company it is; kept, 华远科技有限公司(老客户) would not be 华远科技有限公司.
/// A short note typed after the form without brackets (有限责任公司张总介绍, 分公司-重复; its
/// separator is gone with the punctuation) is dropped too.
fn without_remarks<'a>(text: &'a str, regions: &Regions) -> &'a str {
    let bracketed = |mut end: usize| {
        while let Some((open, content)) = trailing_bracket(&text[..end]) {
            if open == 0
                || !(is_remark(content) || note_after_end(&text[..open], content, regions))
                || regions.whole(content).is_some()
            {
                break;
            }
            end = open;
        }
        end
    };
    let mut end = bracketed(text.len());
    let words = &*WORDS;
    let rest = &text[..end];
    if let Some(at) = department_after_form(rest) {
        // A unit whose word ends as a form's (…运输有限公司保修厂).
        end = bracketed(at);
    } else if let Some(at) = unit_after_registered_form(rest, regions) {
        end = bracketed(at);
    } else if words.forms.longest_suffix(rest).is_none()
        && words.branches.longest_suffix(rest).is_none()
        && mistyped_form(rest).is_none()
    {
        if let Some(at) = project_after_name(rest, regions)
            .or_else(|| note_after_form(rest))
            .or_else(|| department_after_institution(rest))
        {
            end = bracketed(at);
        }
    }
    &text[..end]
}

/// Whether bracketed text after a name's legal end, its form ending in 公司 or its branch
/// marker, is a note (…蚌埠分公司（全包）, …运营分公司（采购人）, …有限公司（售后报修）):
/// nothing written there is part of a registered name but a qualifier, (集团), a country, a
/// region, a branch or store (…有限公司(朝阳路店)) or a full name. After a form, a place may
/// stand for a branch (昆明市金康医药有限责任公司（石林）), and the county list has no short
/// names: two characters, or what ends as a place's name does, are kept there.
fn note_after_end(head: &str, content: &str, regions: &Regions) -> bool {
    let words = &*WORDS;
    let after_branch = words.branches.longest_suffix(head).is_some();
    let place = content.chars().count() <= 2 || content.ends_with(PLACE_ENDS);
    (after_branch || (head.ends_with("公司") && !place))
        && !content.is_empty()
        && bracket_kind(content, regions) == Bracket::Other
        && words.branches.longest_suffix(content).is_none()
        && words.forms.longest_suffix(content).is_none()
        && mistyped_form(content).is_none()
        && !content.contains(['(', ')'])
        && region_at_end(content, regions).is_none()
}

/// The full name a short name is followed by in brackets (凤凰中心校(四川省资中县凤凰乡中心小学),
/// 温江二幼(成都市温江区第二幼儿园), 湄潭县三中(湄潭县第三中学)): bracketed text of six characters
/// or more, longer than the name before it and holding its first two characters, that ends as
/// a company's or an institution's name does, and is no remark or branch. Not a market's name
/// (发隆汽配(新乡轮胎市场)) or a second name (…镇卫生院(观音社区医院)). `text` itself when there
/// is none.
fn full_name_in_brackets(text: &str) -> &str {
    const INSTITUTIONS: &[&str] = &[
        "小学",
        "中学",
        "学校",
        "幼儿园",
        "学院",
        "大学",
        "医院",
        "卫生院",
        "中心",
    ];
    let Some((open, content)) = trailing_bracket(text) else {
        return text;
    };
    let head = &text[..open];
    let n = content.chars().count();
    let full = n >= 6
        && plausible(head)
        && n > head.chars().count()
        && !content.contains(['(', ')'])
        && (WORDS.forms.longest_suffix(content).is_some()
            || INSTITUTIONS.iter().any(|w| content.ends_with(w)))
        && WORDS.branches.longest_suffix(content).is_none()
        && !is_remark(content)
        // The short name's 字号 is the full name's: they share the head's first two characters.
        && head.chars().take(2).all(|c| content.contains(c));
    if full {
        content
    } else {
        text
    }
}

/// Whether bracketed text (normalised) is a user's remark, not part of a name.
fn is_remark(content: &str) -> bool {
    const EXACT: &[&str] = &[
        "重复",
        "作废",
        "停用",
        "勿用",
        "注销",
        "已注销",
        "吊销",
        "已吊销",
        "停业",
        "歇业",
        "待定",
        "待确认",
        "待审核",
        "测试",
        "重要",
        "重点",
        "vip",
        "svip",
        "新",
        "旧",
        "总部",
        "备用",
        "成交",
        "已成交",
        "未成交",
        "意向",
        "跟进中",
        "流失",
        "已流失",
        "黑名单",
        "冻结",
        "休眠",
        "无效",
        "已签约",
        "未签约",
        "签约",
        "已付款",
        "欠款",
        "总店",
        "开票用",
        "开票",
        "勿删",
        "续约",
        "已续约",
        "待核实",
        "核实中",
        "已核实",
        "展会",
        "暂停",
        "已报价",
        "报价中",
        "试用",
        "试用中",
        // Who the customer is in a deal: (散户), (甲方), (采购人), (食堂承包人).
        "散户",
        "甲方",
        "采购人",
        "承包人",
        "食堂承包人",
    ];
    // A sales region of the seller's: (华东区), (华南片区).
    const SALES_REGIONS: &[&str] = &[
        "华东", "华南", "华北", "华中", "华西", "西南", "西北", "东北", "东南",
    ];
    let sales_region = ["区", "片区", "大区"].iter().any(|suffix| {
        content
            .strip_suffix(suffix)
            .is_some_and(|r| SALES_REGIONS.contains(&r))
    });
    EXACT.contains(&content)
        // (), a remark left empty.
        || content.is_empty()
        || is_department(content)
        // (东新区人才公寓二标段项目经理部): the company's site office.
        || (ends_with_project(content) && plausible(content))
        || sales_region
        // (2023展会), (广交会展会)
        || content.ends_with("展会")
        || content.ends_with("介绍")
        // (王总), (沈老板): whom the salesman calls there; (王经理来电), (来电): who called.
        || (addressed(content) && !is_industry_words(content))
        // (门卫来电), (村会计来电): anyone of four characters or fewer.
        || ["来电", "来电话", "致电", "来访"].iter().any(|w| {
            content.strip_suffix(w).is_some_and(|who| {
                who.chars().count() <= 4 && who.chars().all(is_han)
            })
        })
        || (content.contains("客户") && !content.contains("公司"))
        // (1688), (淘宝): the platform an order came from; (代深圳凯益): on whose behalf.
        || ["1688", "淘宝", "天猫", "京东", "抖音", "拼多多", "微信", "微信群", "小程序"]
            .contains(&content)
        || (content.starts_with('代') && content.chars().count() >= 3)
        || (content.contains("合作") && !content.contains("合作社"))
        // (已更名), (已迁址), (迁至杭州): the company changed its name or moved.
        || ["原名", "曾用名", "原为", "现名", "更名", "已更名", "已迁", "迁至", "迁址"]
            .iter()
            .any(|w| content.starts_with(w))
        // (原华远软件): a former name; (原平) is a place.
        || (content.starts_with('原') && content.chars().count() >= 4)
        // (仙林院区), (江宁校区), (校本部), (分部): a campus of the hospital or school, the same
        // legal person.
        || content.ends_with("院区")
        || content.ends_with("校区")
        || ["校本部", "本部", "分部"].contains(&content)
        || power_station(content)
        || service_note(content)
        // (湘NER687), (湘A-54048挂), (湘ner687 陈玲财): a truck of the customer's.
        || is_plate(content)
        || content
            .char_indices()
            .skip(6)
            .any(|(at, _)| is_plate(&content[..at]) && full_person(&content[at..]))
        // (罗晨涛): three characters, as two may be a place's short name (石林).
        || (content.chars().count() == 3 && full_person(content))
}

/// Whether text (normalised) names a grid's 供电所 (小连供电所, 青岗集供电所): a unit of the
/// county 供电公司 it is typed after, with no code of its own.
fn power_station(text: &str) -> bool {
    text.strip_suffix("供电所")
        .is_some_and(|place| (1..=6).contains(&place.chars().count()))
}

/// A department of the customer, typed after its name: (采购部), …有限公司财务部,
/// …长春分公司-采购中心.
const DEPARTMENTS: &[&str] = &[
    "采购部",
    "财务部",
    "行政部",
    "人事部",
    "市场部",
    "销售部",
    "技术部",
    "工程部",
    "设备部",
    "办公室",
    "采购中心",
    "财务中心",
    "信息中心",
    "质检部",
    "综合部",
    // An institution's or a bank branch's services, buying for its staff (郑州银行金水支行后勤处,
    // …工会委员会后勤处).
    "后勤处",
    "后勤部",
    "后勤科",
    "总务处",
    "总务科",
    "行政处",
    "机关食堂",
    // A shop's counter for liquor (…商贸有限公司烟酒专柜, …有限公司-酒水部).
    "酒水部",
    "烟酒专柜",
    "药房",
    "中心实验室",
    "中央厨房",
    "中餐厅",
    "西餐厅",
    "食堂",
    "职工食堂",
    "员工食堂",
    "仓库",
    // A fleet's or a garage's units (…运输有限公司第二车队, …分公司保修厂).
    "车队",
    "机关车队",
    "保修厂",
    "物资库",
    "配件部",
    // A shipper's receiving, shipping and stock units (…分店收货部, …有限公司-成品仓).
    "收货部",
    "船务部",
    "物流部",
    "关务部",
    "成品仓",
    "原料仓",
    // A property company's or a branch's front desk; an institution's services; a 街道's
    // offices (…分公司客服中心, …人民医院（后勤服务中心）, …街道办事处（城管办）).
    "客服中心",
    // A developer's sales office, of no place: with a place (…有限公司佛山营销中心) it is a
    // branch.
    "营销中心",
    "销售中心",
    "后勤服务中心",
    "社区服务中心",
    "城管办",
    "党政办",
    "综治办",
    // A school's or a hospital's buildings (…中心小学宿舍楼, …卫生院门诊楼).
    "教学楼",
    "宿舍楼",
    "办公楼",
    "综合楼",
    "实验楼",
    "门诊楼",
    "住院楼",
    "医技楼",
    "急诊楼",
    "行政楼",
    "研发楼",
    "图书馆",
    "体育馆",
    // A bank's counter, an operator's or a bank's technology and sales departments, its machine
    // room (…农商行城北支行营业室, …分行信息科技部, …分公司政企客户部, …分行数据中心机房).
    "营业室",
    "信息科技部",
    "科技信息部",
    "金融科技部",
    "信息技术部",
    "运营管理部",
    "网络部",
    "运维部",
    "政企部",
    "政企客户部",
    "数据中心机房",
    "机房",
    // A property company's or a factory's maintenance and quality departments (…有限公司工程
    // 维修部: no 维修部 of its own, which is a branch's word after a form).
    "工程维修部",
    "品质部",
    // A plant's water treatment (…有限公司污水站, …公司水处理站).
    "污水站",
    "污水处理站",
    "水处理站",
];

/// The last characters of every department ([`is_department`]).
const DEPARTMENT_ENDS: &[char] = &[
    '科', '室', '组', '部', '处', '间', '心', '房', '厅', '堂', '库', '队', '厂', '仓', '办', '楼',
    '站', '柜', '区', '地',
];

/// Whether text (normalised) names a department of the customer, typed after its name or in
/// brackets: one of [`DEPARTMENTS`], or at most ten characters ending in 科, 室, 组, 部, 处,
/// 车间 or 车队 (设备科, 输血科, pcr实验室, 汪明萍课题组, 质检部, 实验室与设备管理处, 二车间,
/// 第二车队). A branch's
/// word (营业部, 服务部, 分部) or a shop's is no department: another customer; nor is what
/// names an institution (附属中大医院核医学科 is a hospital's department, not a university's).
fn is_department(text: &str) -> bool {
    if !text.ends_with(DEPARTMENT_ENDS) {
        return false;
    }
    // A canteen or a kitchen of the customer's, however named (学生食堂, 病号餐厅, 东厂区食堂,
    // 研发楼餐厅, 大班厨房), and where its food is planned or made (调度中心, 加工中心).
    if canteen(text) {
        return true;
    }
    // A department with its floor (财务室五楼, 三楼会议室, 放射科门诊楼三楼).
    let unplaced = without_floors(text);
    if !unplaced.is_empty() && unplaced.len() < text.len() {
        return is_department(unplaced);
    }
    if DEPARTMENTS.contains(&text) {
        return true;
    }
    let n = text.chars().count();
    // A project's site office is no department (阳逻职教中心|项目部 is the project's own name).
    (2..=10).contains(&n)
        && !ends_with_project(text)
        && (text.ends_with(['科', '室', '组', '部', '处'])
            || ["车间", "车队", "厂区", "工厂", "基地"]
                .iter()
                .any(|w| text.ends_with(w)))
        && !text.contains(['分', '店', '(', ')', '院', '校', '所', '局'])
        && WORDS.branches.longest_suffix(text).is_none()
        && WORDS.forms.longest_suffix(text).is_none()
}

/// Whether text (normalised) names a canteen or a kitchen of the customer's, by whom it feeds
/// or where it is (学生食堂, 病号餐厅, 东厂区食堂, 东校区东苑餐厅, 大班厨房, 一号餐厅), or where
/// its food is planned or made (调度中心, 加工中心): not a shop's, a restaurant's (…茶餐厅) or a
/// company's.
fn canteen(text: &str) -> bool {
    ["食堂", "餐厅", "厨房", "调度中心", "加工中心", "配送中心"]
        .iter()
        .any(|w| text.ends_with(w))
        && text.chars().count() <= 10
        && !text.ends_with("茶餐厅")
        && !text.contains(['店', '馆'])
        && !text.contains("公司")
}

/// Where a department typed after an institution's name starts (复旦大学附属中山医院|输血科,
/// 苏大附二院|核医学科, 地湖所|综合办公室): the name ends in 医院, 大学, 学院, 学校, 研究所,
/// 研究院, 中心, 院, 所, 校 or 局 and a department follows. `None` when there is none.
fn department_after_institution(text: &str) -> Option<usize> {
    // 省人医, 市一院: short names end so too; a hospital's campus in brackets
    // (森源妇产医院(仙林院区)) is the hospital.
    const INSTITUTIONS: &[&str] = &[
        "医院",
        "大学",
        "学院",
        "学校",
        "研究所",
        "研究院",
        "中心",
        "院",
        "所",
        "校",
        "局",
        "小学",
        "中学",
        "幼儿园",
        "人医",
        "院区)",
        "校区)",
    ];
    // What every department ends in: most names are ruled out here.
    if !text.ends_with(DEPARTMENT_ENDS) {
        return None;
    }
    boundaries_back(text).skip(1).take(10).find(|&p| {
        let head = &text[..p];
        plausible(head)
            && INSTITUTIONS
                .iter()
                .any(|w| head.strip_suffix(w).is_some_and(|name| !name.is_empty()))
            && is_department(&text[p..])
    })
}

/// Where a note typed after a company form starts (张总介绍, 采购部, 开票用, 华东区, 二期项目):
/// at most six characters after the last 公司, none of them a branch's or a unit's (分公司,
/// 分行, 办事处, 门店, 厂, 研究所, 中心 … stay part of the name) unless the tail is a department
/// (…分公司采购中心). `None` when there is no such tail.
fn note_after_form(text: &str) -> Option<usize> {
    if let Some(at) = department_after_form(text) {
        return Some(at);
    }
    let form = text.rfind("公司")?;
    let at = form + "公司".len();
    let tail = &text[at..];
    let short = tail.chars().count() <= 6;
    let unit = tail.contains([
        '分', '店', '行', '处', '厂', '所', '站', '院', '校', '社', '中', '(', ')',
    ]) && !is_department(tail)
        && !power_station(tail);
    (!tail.is_empty() && short && !unit && plausible(&text[..form])).then_some(at)
}

/// Where a unit of a company typed after its registered form starts (…有限公司技术中心,
/// …有限责任公司东厂区, …股份有限公司三号厂房, …有限公司二厂): whatever follows the form that is no
/// branch, store, company of its own, project or place is a part of the same legal person.
fn unit_after_registered_form(text: &str, regions: &Regions) -> Option<usize> {
    let form = text.rfind("公司")?;
    let head = &text[..form];
    let at = form + "公司".len();
    let tail = &text[at..];
    let words = &*WORDS;
    (!tail.is_empty()
        && ["有限", "有限责任", "股份"]
            .iter()
            .any(|w| head.strip_suffix(w).is_some_and(plausible))
        && !tail.contains(['(', ')'])
        && !tail.starts_with('分')
        && !tail.ends_with('店')
        && words.branches.longest_suffix(tail).is_none()
        && !ends_with_project(tail)
        && regions.whole(tail).is_none()
        && region_at_end(tail, regions).is_none())
    .then_some(at)
}

/// Where one of [`DEPARTMENTS`] typed after a shop's branch, any form or the industry words
/// starts (思发眼镜店城西店-设备部, …分公司保修厂, 天辉酒水批发收货部). `None` when there is none.
fn department_after_form(text: &str) -> Option<usize> {
    let department = text
        .ends_with(DEPARTMENT_ENDS)
        .then(|| DEPARTMENTS.iter().find(|d| text.ends_with(*d)))
        .flatten()?;
    let at = text.len() - department.len();
    let words = &*WORDS;
    let before = &text[..at];
    (plausible(before)
        && (words.forms.longest_suffix(before).is_some()
            || words.branches.longest_suffix(before).is_some()
            || words.industries.longest_suffix(before).is_some()))
    .then_some(at)
}

/// At least two characters, brackets aside: enough for a core.
fn plausible(text: &str) -> bool {
    // Count the bytes that start a character, brackets aside.
    text.bytes()
        .filter(|&b| (b & 0xC0) != 0x80 && b != b'(' && b != b')')
        .nth(1)
        .is_some()
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Byte offsets of `text`'s character boundaries from the end backwards, the end included.
fn boundaries_back(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(text.len()).chain(text.char_indices().rev().map(|(i, _)| i))
}

/// The branch marker at the end and its location: `(rest, branch, implied)`, `implied` when
/// no marker was written ([`place_as_branch`]).
fn split_branch<'a>(text: &'a str, regions: &Regions) -> (&'a str, Option<String>, bool) {
    let words = &*WORDS;
    // A branch in brackets of its own (益德家政服务(南京)(五一广场分店)): all of it is the
    // branch, whatever stands before.
    if let Some((open, content)) = trailing_bracket(text) {
        // (驻马店) is a city, not a 店.
        if let Some((marker, _)) = words
            .branches
            .longest_suffix(content)
            .filter(|_| regions.whole(content).is_none())
        {
            let location = &content[..content.len() - marker.len()];
            if !location.contains(['(', ')']) {
                return (
                    &text[..open],
                    Some(branch_name(location, marker, regions)),
                    false,
                );
            }
        }
    }
    let Some((marker, needs_form)) = words.branches.longest_suffix(text) else {
        if let Some(found) = short_branch(text, regions) {
            return (found.0, found.1, false);
        }
        return match place_as_branch(text, regions) {
            Some(at) => (
                &text[..at],
                Some(branch_name(&text[at..], "分公司", regions)),
                true,
            ),
            None => (text, None, false),
        };
    };
    let before = &text[..text.len() - marker.len()];
    // The location runs from the end of the company's form (…有限公司|上海|分公司), unless the
    // form is itself part of an earlier branch (…分公司|海淀|支公司 looks further back). A shop's
    // 店 is a form a store of the chain is named after (禾川便利店|南门|店), when a name stands
    // before it and a short place after it (not 淄博市张店|区小陈奶茶|店).
    let anchor = boundaries_back(before).take(17).find(|&p| {
        let head = &before[..p];
        // A form typed wrong (漯河龙康建设有限工司|工会) anchors too; one ending in anything but
        // 司 might be the place's first character (…有限公|武汉|分公司, not …有限公武|汉).
        (words.anchors.longest_suffix(head).is_some()
            || (head.ends_with('司') && mistyped_form(head).is_some()))
            && match words.branches.longest_suffix(head) {
                None => true,
                Some((shop, _)) => {
                    let place = &before[p..];
                    shop == "店"
                        && plausible(&head[..p - shop.len()])
                        // …有限公司驻马店|长安分公司: a city, not a shop.
                        && region_at_end(head, regions).is_none()
                        // A short place, or a city's and a place in it (中立便利店|广州海珠东路|店).
                        && (place.chars().count() <= 4
                            || place.chars().count() <= 8
                                && regions.leading(place, false).is_some())
                        && !place.starts_with(['区', '县', '市', '镇', '路'])
                }
            }
    });
    let anchor = match anchor {
        Some(p) => Some(p),
        None if marker == "店" => match street_store(before) {
            Some(p) => Some(p),
            None => return (text, None, false),
        },
        None if needs_form => return (text, None, false),
        None => region_at_end(before, regions)
            .or_else(|| district_after_trade(before))
            .or_else(|| region_after_trade(before, regions))
            .or_else(|| place_after_trade(before))
            .or_else(|| district_and_ordinal(before)),
    };
    let at = anchor.unwrap_or(before.len());
    (
        &before[..at],
        Some(branch_name(&before[at..], marker, regions)),
        false,
    )
}

/// Where a place written after the industry words starts, in a name with no form and no
/// branch marker: a region's whole name (同盈物业|南昌, 云茂物业|武汉) or a county-level
/// district's written whole (汇辉物业|肥东县, 德晨物业|南昌县), after a 字号 of two characters or
/// more. How a project manager names the branch of that place. Not a province's: 国药控股贵州
/// is 国药控股贵州有限公司, a company.
fn place_as_branch(text: &str, regions: &Regions) -> Option<usize> {
    // Most names end in a form or a trade's word: look only where a place could end.
    if WORDS.forms.longest_suffix(text).is_some() {
        return None;
    }
    boundaries_back(text)
        .skip(2)
        .take(regions.longest.max(4))
        .filter(|&p| {
            let place = &text[p..];
            // A province's subsidiary is a company of its own (国药控股贵州).
            regions
                .whole(place)
                .is_some_and(|found| found.city.is_some())
                || district_or_city_len(place, true) == Some(place.len())
        })
        .find(|&p| {
            let head = &text[..p];
            WORDS
                .industries
                .longest_suffix(head)
                .is_some_and(|(industry, _)| {
                    head[..head.len() - industry.len()].chars().count() >= 2
                        && head.chars().all(is_han)
                        && WORDS.forms.longest_suffix(head).is_none()
                })
        })
}

/// Where the longest region's whole name that ends `text` starts (…|驻马店, 水电八局|荆州).
fn region_at_end(text: &str, regions: &Regions) -> Option<usize> {
    boundaries_back(text)
        .take(regions.longest + 1)
        .filter(|&p| regions.whole(&text[p..]).is_some())
        .last()
}

/// Where a chain's numbered store's place starts in a name without a form: a district and an
/// ordinal, after a 字号 of two characters or industry words (锦泰大药房|云岩区第二十|分店,
/// 益民|正安县第二十|分店). Without the ordinal, where the 字号 ends is not known (华远物流港区).
fn district_and_ordinal(before: &str) -> Option<usize> {
    before.char_indices().map(|(i, _)| i).skip(2).find(|&p| {
        let head = &before[..p];
        if !(head.chars().count() == 2 || WORDS.industries.longest_suffix(head).is_some()) {
            return false;
        }
        let Some(len) = district_or_city_len(&before[p..], false) else {
            return false;
        };
        let rest = &before[p + len..];
        let ordinal = rest
            .strip_prefix('第')
            .is_some_and(|r| !r.is_empty() && r.chars().all(is_numeral));
        ordinal && plausible(head)
    })
}

/// A 分公司 written short as 分 after its place (水电八局荆州分, 中铁十一局襄阳分): the rest
/// and the branch, when a region's whole name stands before the 分 and a name before that.
fn short_branch<'a>(text: &'a str, regions: &Regions) -> Option<(&'a str, Option<String>)> {
    let before = text.strip_suffix('分')?;
    let at = region_at_end(before, regions)?;
    plausible(&before[..at]).then(|| {
        (
            &before[..at],
            Some(branch_name(&before[at..], "分公司", regions)),
        )
    })
}

/// A county's public institutions, named by the county alone (人民医院, 中医院, 卫生健康局 …).
const COUNTY_INSTITUTIONS: &[&str] = &[
    "人民医院",
    "中医院",
    "中医医院",
    "中西医结合医院",
    "妇幼保健院",
    "妇幼保健计划生育服务中心",
    "疾病预防控制中心",
    "疾控中心",
    "卫生健康局",
    "卫生健康委员会",
    "卫生局",
    "卫健局",
    "卫健委",
    "人民政府",
    // A county's bureaus of education and its school services; what most often buys for its
    // schools, and is the city's bureau of the same name otherwise (彭山区教育局 / 眉山市教育局).
    "教育局",
    "教育委员会",
    "教委",
    "教育和体育局",
    "教育体育局",
    "教体局",
    "教育技术装备中心",
    "电化教育馆",
    "教师进修学校",
    "财政局",
    "公安局",
    "民政局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "住房和城乡建设局",
    "住建局",
    "自然资源局",
    "自然资源和规划局",
    "生态环境局",
    "市场监督管理局",
    "应急管理局",
    // The other bureaus a county has, long and short (永胜县医疗保障局, 永胜医保局).
    "医疗保障局",
    "医保局",
    "人力资源和社会保障局",
    "人力资源社会保障局",
    "人社局",
    "人力资源局",
    "人力局",
    "经济和信息化局",
    "经济信息化局",
    "经信局",
    "市场监管局",
    "发展和改革局",
    "发展和改革委员会",
    "发改局",
    "发改委",
    "公安局交通警察大队",
    "交警大队",
    "人民政府办公室",
    "政府办",
    "文化广播电视和旅游局",
    "文化和旅游局",
    "文旅局",
    "退役军人事务局",
    "科学技术局",
    "科技局",
    "大数据发展管理局",
    "大数据管理局",
    "大数据局",
    "交通局",
    "应急局",
    "统计局",
    "审计局",
    "司法局",
    "税务局",
    "档案馆",
    "农业局",
    "林业局",
    "商务局",
    "体育局",
    "信访局",
    "城管局",
    "城市管理局",
    "综合行政执法局",
    "气象局",
    "水务局",
    "规划局",
    "国土资源局",
    "环保局",
    "乡村振兴局",
    "行政审批局",
    // A county's court and procuratorate (会理市人民法院, 会理人民法院).
    "人民法院",
    "法院",
    "人民检察院",
    "检察院",
];

/// The core and district of a county's public institution, named by its county with its 县
/// or without (资中县中医院, 资中中医院): the core keeps the county's name without its suffix
/// (资中中医院 for both), and a county written in the core without its 县 is the district.
/// Any other core and district as they are.
fn with_county(mut core: String, district: Option<&str>) -> (String, Option<String>) {
    core = hospital_written_out(core);
    match district {
        Some(d) => {
            if is_county_institution(&core) {
                core.insert_str(0, d.strip_suffix(['县', '市', '区']).unwrap_or(d));
            }
            (core, Some(d.to_string()))
        }
        None => match county_before_institution(&core) {
            Some((name, end)) => {
                let district = core[..end].to_string();
                core.replace_range(name..end, "");
                (core, Some(district))
            }
            None => (core, None),
        },
    }
}

/// A place's hospital as it is written out, from what people call it: its place alone (正安县
/// 医院, 宜宾市医院) or its number (市二医院) is its 人民医院, 人医 is 人民医院 after a place
/// (云县人医, 广汉人医), 中医医院 is 中医院 and 妇保院 妇幼保健院. Any other core as it is.
fn hospital_written_out(core: String) -> String {
    let numbered = core
        .strip_suffix("医院")
        .map(|n| n.strip_prefix('第').unwrap_or(n))
        .filter(|n| n.chars().all(is_numeral));
    if let Some(number) = numbered {
        return format!(
            "{}{number}人民医院",
            if number.is_empty() { "" } else { "第" }
        );
    }
    for (short, long) in [("中医医院", "中医院"), ("妇保院", "妇幼保健院")] {
        if let Some(place) = core.strip_suffix(short) {
            return format!("{place}{long}");
        }
    }
    // Not 省人医, the province's: its short name is read as the institution's.
    match core.strip_suffix("人医") {
        Some(place) if place.is_empty() || (2..=3).contains(&place.chars().count()) => {
            format!("{place}人民医院")
        }
        _ => core,
    }
}

/// Whether a core is a county's public institution ([`COUNTY_INSTITUTIONS`]), numbered or not
/// (第二人民医院).
fn is_county_institution(core: &str) -> bool {
    let rest = core
        .strip_prefix('第')
        .map(|r| r.trim_start_matches(is_numeral))
        .unwrap_or(core);
    COUNTY_INSTITUTIONS.contains(&rest)
}

/// A county's name written before its public institution ([`is_county_institution`]), the
/// region file knowing no counties: two characters, with 县, 市 or 区 after them or not
/// (资中|中医院, 德江|人民医院, 澄江市|人民医院). Where the two characters end and where the
/// county's name does; `None` for any other core.
fn county_before_institution(core: &str) -> Option<(usize, usize)> {
    let mut chars = core.char_indices();
    let (_, a) = chars.next()?;
    let (i, b) = chars.next()?;
    if !is_han(a) || !is_han(b) || "第省市县区".contains(a) {
        return None;
    }
    let name = i + b.len_utf8();
    let end = if core[name..].starts_with(['县', '市', '区']) {
        name + '县'.len_utf8()
    } else {
        name
    };
    is_county_institution(&core[end..]).then_some((name, end))
}

/// Where a county-level district written after the industry words starts, in a name without a
/// form (信联建筑工程|瓯海区|分公司, 志方农业|红谷滩区|分公司), or a zone (兴迅|开发区|分店): the
/// district is the branch's location, not part of the core. Without the industry words a
/// district cannot be told from the 字号 (海区 or 瓯海区?), and nothing is split; a zone's
/// word is a word of its own.
fn district_after_trade(before: &str) -> Option<usize> {
    boundaries_back(before).skip(1).take(9).find(|&p| {
        let location = &before[p..];
        let zone = WORDS
            .zones
            .longest_prefix(location)
            .is_some_and(|(z, _)| z.len() == location.len());
        let district = || {
            district_len(location) == Some(location.len())
                && location.chars().count() >= 3
                && WORDS.industries.longest_suffix(&before[..p]).is_some()
        };
        (zone || district()) && plausible(&before[..p])
    })
}

/// Where a city's name written after the industry words starts, in a name without a form
/// (豪鸿餐饮|惠州惠阳中心|分店, 泰星餐饮连锁|奉贤…): the branch's location, a city and at most
/// six characters after it, not part of the core.
fn region_after_trade(before: &str, regions: &Regions) -> Option<usize> {
    before.char_indices().map(|(i, _)| i).skip(2).find(|&p| {
        WORDS.industries.longest_suffix(&before[..p]).is_some()
            && plausible(&before[..p])
            && regions
                .leading(&before[p..], false)
                .is_some_and(|found| before[p + found.len..].chars().count() <= 6)
    })
}

/// Where a place written after the industry words starts, in a 分公司's or 分店's name without
/// a form (博邦餐饮|塘厦|分店, 南安市悦致餐饮管理|南安|分店): two to six characters that are no
/// industry words, after the last industry word that leaves them so; or a street after a
/// 字号 of two characters (民生|春熙路|分公司, as 民生大药房|春熙路|分公司).
fn place_after_trade(before: &str) -> Option<usize> {
    boundaries_back(before).skip(2).take(5).find(|&p| {
        let place = &before[p..];
        let head = &before[..p];
        let street = head.chars().count() == 2 && place.ends_with(['路', '街']);
        (street || WORDS.industries.longest_suffix(head).is_some())
            // No industry word runs on into the place (柏品医疗|器械工会委员会).
            && WORDS.industries.longest_suffix(before).is_none()
            && plausible(head)
            && place.chars().all(is_han)
            && !is_industry_words(place)
            && WORDS.industries.longest_suffix(place).is_none()
    })
}

/// Where a street a shop is named after starts, in a name without a form before its 店
/// (佳宇食府|朝阳路|店, 龙昌羊肉汤馆|郑汴路|店, 信康便利|新华路|店): a street of two characters or
/// more before 路, 街, 大道 or 大街, after the industry words or a name of four characters or
/// more (佳宇食府, 食府 being no industry word of the list). How a chain's store is written
/// on its signboard; the same as (朝阳路店) in brackets.
fn street_store(before: &str) -> Option<usize> {
    boundaries_back(before).skip(2).take(6).find(|&p| {
        let place = &before[p..];
        let head = &before[..p];
        is_street(place)
            && (WORDS.industries.longest_suffix(head).is_some() || head.chars().count() >= 4)
            && plausible(head)
    })
}

/// Whether `place` is a street: Chinese, two characters or more before 路, 街, 大道 or 大街
/// (朝阳路, 滨河路, 人民大街).
fn is_street(place: &str) -> bool {
    place.chars().all(is_han)
        && ["路", "街", "大道", "大街"].iter().any(|end| {
            place
                .strip_suffix(end)
                .is_some_and(|street| street.chars().count() >= 2)
        })
}

/// A branch as kept in the key: its location (a region by its short name: 广东省深圳市 → 深圳)
/// and marker.
fn branch_name(location: &str, marker: &str, regions: &Regions) -> String {
    // A grid's 供电公司 is its 供电分公司: 西华县|供电公司 and 西华|供电分公司 are one.
    let (location, grid, marker) = match marker {
        "供电公司" => (location, "供电", "分公司"),
        _ => match location.strip_suffix("供电") {
            Some(place) if !place.is_empty() => (place, "供电", marker),
            _ => (location, "", marker),
        },
    };
    let mut branch = String::with_capacity(location.len() + grid.len() + marker.len());
    match regions.whole(location) {
        Some(found) => {
            let region = match found.city {
                Some(c) => &regions.cities[c].0,
                None => &regions.provinces[found.province],
            };
            branch.push_str(region);
        }
        // A grid's county company written with or without its 县 or 市 (太康县, 太康; 乐陵市,
        // 乐陵); not a city's name (长沙县). A shop's keeps them: they tell its district.
        None if !grid.is_empty() => branch.push_str(
            location
                .strip_suffix(['县', '市'])
                .filter(|place| place.chars().count() >= 2 && regions.whole(place).is_none())
                .unwrap_or(location),
        ),
        // A branch written with its city before its street (中原银行洛阳滨河路支行): the street
        // alone. Not any place (…大同福田分公司 and …忻州福田分公司 are two).
        None => branch.push_str(
            regions
                .leading(location, false)
                .map(|found| &location[found.len..])
                .filter(|place| is_street(place))
                .unwrap_or(location),
        ),
    }
    branch.push_str(grid);
    branch.push_str(marker);
    branch
}

/// What bracketed text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bracket {
    /// (集团).
    Group,
    /// (普通合伙), (有限合伙), (特殊普通合伙), (个体工商户): part of the form.
    Qualifier(&'static str),
    /// (中国), (China).
    Country,
    Region(Found),
    Other,
}

fn bracket_kind(content: &str, regions: &Regions) -> Bracket {
    match content {
        "集团" => Bracket::Group,
        "普通合伙" => Bracket::Qualifier("(普通合伙)"),
        "有限合伙" => Bracket::Qualifier("(有限合伙)"),
        "特殊普通合伙" => Bracket::Qualifier("(特殊普通合伙)"),
        "个体工商户" => Bracket::Qualifier("(个体工商户)"),
        c if COUNTRIES.contains(&c) => Bracket::Country,
        c => match regions.whole(c) {
            Some(found) => Bracket::Region(found),
            None => Bracket::Other,
        },
    }
}

/// The bracket `text` ends with: `(start of the bracket, content)`.
fn trailing_bracket(text: &str) -> Option<(usize, &str)> {
    let inner = text.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    Some((open, &inner[open + 1..]))
}

/// A name without its branch, split at its form.
struct Tail<'a> {
    body: &'a str,
    form: Option<String>,
    /// Bracketed regions written after the body (华远软件科技有限公司(北京)), in order.
    regions: [&'a str; 4],
    region_count: usize,
}

/// Forms long enough that one character off is still recognisably them.
const MISTYPED_FORMS: &[&str] = &["股份有限公司", "有限责任公司", "有限公司"];

/// A company form at the end of `text` typed with one character missing, wrong or doubled
/// (有限司, 有限公同, 有恨公司, 有限公公司): its length in bytes and the form. All but one
/// character must be right, so a body that merely ends in some of its characters (科技公司, 无限)
/// is not one. On every name without a form, so nothing is allocated.
fn mistyped_form(text: &str) -> Option<(usize, &'static str)> {
    // The last seven characters, last first, with their byte offsets.
    let mut tail = [(0usize, '\0'); 7];
    let mut len = 0;
    for (slot, found) in tail.iter_mut().zip(text.char_indices().rev()) {
        *slot = found;
        len += 1;
    }
    let got: [char; 7] = std::array::from_fn(|k| tail[k].1);
    // Every form ends in 公司; one edit leaves one of them among the last two characters.
    if !got[..len.min(2)].iter().any(|&c| c == '公' || c == '司') {
        return None;
    }
    for &form in MISTYPED_FORMS {
        let mut want = ['\0'; 6];
        let mut w = 0;
        for (slot, c) in want.iter_mut().zip(form.chars().rev()) {
            *slot = c;
            w += 1;
        }
        let want = &want[..w];
        // Substituted (same length), doubled (one longer) or one missing (one shorter).
        for n in [w, w + 1, w - 1] {
            // Something must be left of the body before it.
            if len <= n {
                continue;
            }
            let got = &got[..n];
            let fits = match n.cmp(&w) {
                std::cmp::Ordering::Equal => {
                    got.iter().zip(want).filter(|(a, b)| a != b).count() == 1
                }
                std::cmp::Ordering::Greater => (1..n).any(|skip| {
                    got[skip] == got[skip - 1]
                        && got[..skip].iter().chain(&got[skip + 1..]).eq(want.iter())
                }),
                std::cmp::Ordering::Less => {
                    (0..w).any(|skip| want[..skip].iter().chain(&want[skip + 1..]).eq(got.iter()))
                }
            };
            if fits {
                return Some((text.len() - tail[n - 1].0, form));
            }
        }
    }
    None
}

fn split_form<'a>(text: &'a str, regions: &Regions) -> Tail<'a> {
    let mut end = text.len();
    let mut found_regions = [""; 4];
    let mut region_count = 0;
    let mut qualifier = None;
    let mut group = false;
    let mut take_region = |content: &'a str, count: &mut usize| {
        found_regions[*count] = content;
        *count += 1;
    };
    // After the form: (普通合伙), (北京), (中国).
    while let Some((open, content)) = trailing_bracket(&text[..end]) {
        match bracket_kind(content, regions) {
            Bracket::Qualifier(q) if qualifier.is_none() => qualifier = Some(q),
            Bracket::Group if !group => group = true,
            Bracket::Country => {}
            Bracket::Region(_) if region_count < 4 => take_region(content, &mut region_count),
            _ => break,
        }
        end = open;
    }
    let base = match WORDS.forms.longest_suffix(&text[..end]) {
        // 酒店 and 饭店 are a hotel or a restaurant, not a shop (店); 名烟名酒店 is a shop.
        Some(("店", _))
            if (text[..end].ends_with("酒店") && !text[..end].ends_with("名酒店"))
                || text[..end].ends_with("饭店") =>
        {
            None
        }
        // 农商行 is a rural commercial bank (农村商业银行), not a 商行.
        Some(("商行", _)) if text[..end].ends_with("农商行") => None,
        Some((written, form)) if form != "公司" => {
            end -= written.len();
            Some(form)
        }
        // 有限公同, 有恨公司, 有限公公司: a form typed with one character wrong or doubled.
        found => match mistyped_form(&text[..end]) {
            Some((written_len, form)) => {
                end -= written_len;
                Some(form)
            }
            None => found.map(|(written, form)| {
                end -= written.len();
                // 有限公司公司: a form with 公司 typed twice.
                match WORDS.forms.longest_suffix(&text[..end]) {
                    Some((twice, longer)) if twice.ends_with("公司") => {
                        end -= twice.len();
                        longer
                    }
                    _ => form,
                }
            }),
        },
    };
    // Before a company form: 集团 or (集团), and bracketed regions (华远集团(北京)有限公司).
    if base.is_some_and(|form| form.ends_with("公司") && !form.starts_with("集团")) {
        loop {
            if let Some((open, content)) = trailing_bracket(&text[..end]) {
                match bracket_kind(content, regions) {
                    Bracket::Group if !group => group = true,
                    Bracket::Country => {}
                    Bracket::Region(_) if region_count < 4 => {
                        take_region(content, &mut region_count)
                    }
                    _ => break,
                }
                end = open;
            } else if !group && text[..end].ends_with("集团") {
                group = true;
                end -= "集团".len();
            } else {
                break;
            }
        }
    }
    let form = if base.is_none() && !group && qualifier.is_none() {
        None
    } else {
        let mut form = String::with_capacity(32);
        if group && !base.is_some_and(|b| b.starts_with("集团")) {
            form.push_str("集团");
        }
        form.push_str(base.unwrap_or(""));
        if let Some(q) = qualifier.filter(|_| !base.is_some_and(|b| b.contains('('))) {
            form.push_str(q);
        }
        Some(form)
    };
    // Collected back to front; put them in reading order.
    found_regions[..region_count].reverse();
    Tail {
        body: &text[..end],
        form,
        regions: found_regions,
        region_count,
    }
}

/// The length of a county-level district (海淀区, 浦东新区, 涞水县), county-level city (深州市,
/// 寿光市: two or three characters and 市) or development zone (工业园区) that `text` starts
/// with.
fn district_len(text: &str) -> Option<usize> {
    district_or_city_len(text, true).or_else(|| county_place_len(text))
}

/// County-level cities (县级市) and districts that were counties, whose short name often starts
/// a company's name without its 市 or 区 (太仓科志阀门, 义乌华远日用品, 吴江恒峰口腔), with that
/// suffix. Eastern and central provinces, where most customers are; names that are also common
/// words or 字号s (江山, 永安, 长乐, 安宁, 乐平, 三河, 新泰, 永康, 南海 …) are left out.
const COUNTY_PLACES: &[(&str, char)] = &[
    // 江苏
    ("江阴", '市'),
    ("宜兴", '市'),
    ("新沂", '市'),
    ("邳州", '市'),
    ("溧阳", '市'),
    ("常熟", '市'),
    ("张家港", '市'),
    ("昆山", '市'),
    ("太仓", '市'),
    ("启东", '市'),
    ("如皋", '市'),
    ("东台", '市'),
    ("仪征", '市'),
    ("高邮", '市'),
    ("丹阳", '市'),
    ("扬中", '市'),
    ("句容", '市'),
    ("靖江", '市'),
    ("泰兴", '市'),
    ("吴江", '区'),
    ("相城", '区'),
    ("吴中", '区'),
    ("姑苏", '区'),
    ("海门", '区'),
    ("金坛", '区'),
    ("姜堰", '区'),
    ("江宁", '区'),
    ("溧水", '区'),
    ("高淳", '区'),
    ("武进", '区'),
    ("锡山", '区'),
    ("惠山", '区'),
    // 浙江
    ("建德", '市'),
    ("余姚", '市'),
    ("慈溪", '市'),
    ("乐清", '市'),
    ("海宁", '市'),
    ("平湖", '市'),
    ("桐乡", '市'),
    ("诸暨", '市'),
    ("嵊州", '市'),
    ("义乌", '市'),
    ("兰溪", '市'),
    ("温岭", '市'),
    ("临海", '市'),
    ("玉环", '市'),
    ("龙泉", '市'),
    ("萧山", '区'),
    ("余杭", '区'),
    ("富阳", '区'),
    ("临安", '区'),
    ("上虞", '区'),
    ("柯桥", '区'),
    ("鄞州", '区'),
    ("北仑", '区'),
    ("奉化", '区'),
    ("黄岩", '区'),
    ("路桥", '区'),
    // 安徽
    ("巢湖", '市'),
    ("界首", '市'),
    ("桐城", '市'),
    ("无为", '市'),
    // 福建
    ("福清", '市'),
    ("石狮", '市'),
    ("晋江", '市'),
    ("南安", '市'),
    ("邵武", '市'),
    ("建瓯", '市'),
    ("福鼎", '市'),
    // 广东
    ("台山", '市'),
    ("鹤山", '市'),
    ("恩平", '市'),
    ("廉江", '市'),
    ("雷州", '市'),
    ("高州", '市'),
    ("化州", '市'),
    ("信宜", '市'),
    ("四会", '市'),
    ("兴宁", '市'),
    ("陆丰", '市'),
    ("英德", '市'),
    ("普宁", '市'),
    ("罗定", '市'),
    ("顺德", '区'),
    ("番禺", '区'),
    ("增城", '区'),
    ("从化", '区'),
    // 山东
    ("胶州", '市'),
    ("莱西", '市'),
    ("滕州", '市'),
    ("莱阳", '市'),
    ("莱州", '市'),
    ("招远", '市'),
    ("诸城", '市'),
    ("寿光", '市'),
    ("安丘", '市'),
    ("高密", '市'),
    ("昌邑", '市'),
    ("曲阜", '市'),
    ("邹城", '市'),
    ("肥城", '市'),
    ("乳山", '市'),
    ("禹城", '市'),
    // 湖北、湖南、河南、河北、江西
    ("丹江口", '市'),
    ("宜都", '市'),
    ("枝江", '市'),
    ("老河口", '市'),
    ("枣阳", '市'),
    ("钟祥", '市'),
    ("应城", '市'),
    ("汉川", '市'),
    ("麻城", '市'),
    ("武穴", '市'),
    ("浏阳", '市'),
    ("宁乡", '市'),
    ("醴陵", '市'),
    ("湘乡", '市'),
    ("耒阳", '市'),
    ("汨罗", '市'),
    ("巩义", '市'),
    ("荥阳", '市'),
    ("新密", '市'),
    ("新郑", '市'),
    ("登封", '市'),
    ("汝州", '市'),
    ("林州", '市'),
    ("禹州", '市'),
    ("长葛", '市'),
    ("邓州", '市'),
    ("永城", '市'),
    ("辛集", '市'),
    ("遵化", '市'),
    ("迁安", '市'),
    ("涿州", '市'),
    ("任丘", '市'),
    ("黄骅", '市'),
    ("霸州", '市'),
    ("丰城", '市'),
    ("樟树", '市'),
    ("贵溪", '市'),
    ("瑞昌", '市'),
];

/// The length of a county-level place of [`COUNTY_PLACES`] that `text` starts with, written
/// short or with its suffix (太仓, 太仓市).
fn county_place_len(text: &str) -> Option<usize> {
    // A county's own institutions and towns keep their county in the name, as before (滕州市
    // 辛店镇卫生院, 邹城环保局 and 遵化环保局 are two): only a business's is read here.
    const PUBLIC: &[&str] = &[
        "局",
        "院",
        "所",
        "站",
        "厂",
        "中心",
        "学校",
        "中学",
        "小学",
        "幼儿园",
        "委员会",
        "政府",
        "办事处",
        "街道",
        "镇",
        "乡",
        "村",
        "公示",
        "公告",
        "项目",
        "工程",
    ];
    // Most names start with no county-level place: look that up first, by the first character.
    let first = text.chars().next()?;
    let (short, suffix) = COUNTY_FIRSTS
        .get(&first)?
        .iter()
        .map(|&k| COUNTY_PLACES[k])
        .find(|(short, _)| text.starts_with(short))?;
    if PUBLIC.iter().any(|w| text.contains(w))
        || text.ends_with(['队', '馆', '场', '处', '办', '会'])
    {
        return None;
    }
    // A county's utilities and banks are named by their county and trade alone (新郑农商行,
    // 新密市污水处理厂): the county is their 字号.
    const UTILITIES: &[&str] = &[
        "污水",
        "农商",
        "农村",
        "信用",
        "人民",
        "中医",
        "自来水",
        "供水",
        "供电",
        "燃气",
        "公交",
        "水务",
        "环保",
        "城投",
        "交投",
        "国资",
        "财政",
        "教育",
        "卫生",
        "邮政",
        "电力",
        "热力",
        "城建",
        "建设",
        "交通",
        "粮食",
        "烟草",
        "广播",
        "电视",
    ];
    let mut len = short.len();
    if text[len..].starts_with(suffix) {
        len += suffix.len_utf8();
    }
    (!UTILITIES.iter().any(|w| text[len..].starts_with(w))).then_some(len)
}

/// [`COUNTY_PLACES`] by their first character: where in the list each starting so is.
static COUNTY_FIRSTS: LazyLock<HashMap<char, Vec<usize>>> = LazyLock::new(|| {
    let mut firsts: HashMap<char, Vec<usize>> = HashMap::new();
    for (k, (short, _)) in COUNTY_PLACES.iter().enumerate() {
        if let Some(c) = short.chars().next() {
            firsts.entry(c).or_default().push(k);
        }
    }
    firsts
});

/// A district as [`COUNTY_PLACES`] writes it whole: 太仓 is 太仓市, 吴江 吴江区.
fn whole_county_place(district: String) -> String {
    match COUNTY_PLACES.iter().find(|(short, _)| district == *short) {
        Some((_, suffix)) => format!("{district}{suffix}"),
        None => district,
    }
}

/// [`district_len`], with county-level cities or without: at the start of a name, an unknown
/// 金化市 is more often 金华市 mistyped than a county-level city.
fn district_or_city_len(text: &str, county_cities: bool) -> Option<usize> {
    if let Some((zone, _)) = WORDS.zones.longest_prefix(text) {
        return Some(zone.len());
    }
    // Most names have no 区, 县 or 市 among their next four characters (twelve bytes).
    let head = &text.as_bytes()[..text.len().min(12)];
    if !head
        .windows(3)
        .any(|w| w == "区".as_bytes() || w == "县".as_bytes() || w == "市".as_bytes())
    {
        return None;
    }
    let mut previous = None;
    for (k, (i, c)) in text.char_indices().enumerate().take(4) {
        if k >= 2 && c == '市' && county_cities {
            // Not a word with 市 (超市, 门市, 都市, 城市) or a 市 starting one (市政, 市场).
            let end = i + c.len_utf8();
            let word = previous.is_some_and(|p| NOT_BEFORE_CITY.contains(&p))
                || text[end..].starts_with(['政', '场', '民', '级', '容', '值', '面', '区']);
            return (!word).then_some(end);
        }
        if k >= 1 && matches!(c, '区' | '县') {
            let end = i + c.len_utf8();
            let word = previous.is_some_and(|p| NOT_BEFORE_DISTRICT.contains(&p))
                // 区块链, 区域, 县域
                || text[end..].starts_with(['块', '域']);
            return (!word).then_some(end);
        }
        if !is_han(c) {
            return None;
        }
        previous = Some(c);
    }
    None
}

/// The region at the start of the body, kept only if a core remains; with the district after
/// it. Returns the region, where the core starts and where the first district ends.
fn leading_region(body: &str, regions: &Regions) -> (Option<Found>, usize, usize) {
    // 中山区 (大连), 朝阳区 (北京), 朝阳县: a district named like a city elsewhere (中山, 朝阳)
    // is the district, not that city.
    let district_like_city = |f: &Found| {
        f.city.is_some()
            && f.province_len.is_none()
            && !body[..f.len].ends_with('市')
            && body[f.len..].starts_with(['区', '县'])
    };
    let Some(found) = regions
        .leading(body, false)
        .filter(|f| !district_like_city(f))
    else {
        // A district alone (铁西区黄玲健汽车维修店): a small business's, written without its
        // city.
        return match district_or_city_len(body, false).or_else(|| county_place_len(body)) {
            Some(len) if has_name(&body[len..]) => (None, len, len),
            _ => (None, 0, 0),
        };
    };
    let province_only = found.province_len.map(|len| Found {
        city: None,
        len,
        province_len: None,
        ..found
    });
    for found in std::iter::once(found).chain(province_only) {
        if !plausible(&body[found.len..]) {
            continue;
        }
        let mut start = found.len;
        let mut district_end = 0;
        for _ in 0..2 {
            // What follows a district must be more than industry words: in 苏州华远新区开发,
            // 华远新区 is the name.
            match district_len(&body[start..]) {
                Some(len) if has_name(&body[start + len..]) => {
                    start += len;
                    if district_end == 0 {
                        district_end = start;
                    }
                }
                _ => break,
            }
        }
        return (Some(found), start, district_end);
    }
    (None, 0, 0)
}

/// Whether `text` holds a name: two or more characters, not all of them industry words.
fn has_name(text: &str) -> bool {
    if !plausible(text) {
        return false;
    }
    let mut end = text.len();
    while let Some((word, _)) = WORDS.industries.longest_suffix(&text[..end]) {
        end -= word.len();
    }
    end > 0
}

/// Takes a bracketed region into `region` when it agrees with it (the same, or more or less
/// precise); `false` when it names somewhere else.
fn merge_region(region: &mut Option<Found>, new: Found) -> bool {
    let Some(current) = region else {
        *region = Some(new);
        return true;
    };
    if current.province != new.province {
        return false;
    }
    match (current.city, new.city) {
        (Some(a), Some(b)) => a == b,
        (None, Some(_)) => {
            *current = new;
            true
        }
        (_, None) => true,
    }
}

/// The region and the core of a body: the leading region and district dropped, bracketed
/// regions and countries dropped, other brackets opened. A bracketed mainland region that names
/// somewhere else than the leading one is where the company is, and the leading place name
/// is part of its name (北京同仁堂(亳州)药业, 青海广告(厦门)).
fn split_region<'a>(
    tail: &Tail<'a>,
    regions: &Regions,
) -> (Option<Found>, String, Option<&'a str>) {
    let (region, start, district_end) = leading_region(tail.body, regions);
    match split_region_from(tail, regions, region, start) {
        (_, _, true, _) if start > 0 => {
            let (region, core, _, county) = split_region_from(tail, regions, None, 0);
            (region, core, county)
        }
        (region, core, _, county) => {
            let from = region.map_or(0, |found| found.len);
            let district = (district_end > from).then(|| &tail.body[from..district_end]);
            (region, core, district.or(county))
        }
    }
}

/// [`split_region`] with the leading region already read (`region`, the core from `start`);
/// also whether a bracketed region named somewhere else.
fn split_region_from<'a>(
    tail: &Tail<'a>,
    regions: &Regions,
    mut region: Option<Found>,
    start: usize,
) -> (Option<Found>, String, bool, Option<&'a str>) {
    let mut conflict = false;
    let mut county = None;
    // A place in brackets before a company's form is where it is registered (远达绿色能源
    // （稷山）有限公司), a county's name whole or short: what the rules for names allow there.
    let place_before_form = tail
        .form
        .as_deref()
        .filter(|form| form.ends_with("公司"))
        .and_then(|_| trailing_bracket(tail.body))
        .map(|(_, content)| content)
        .filter(|content| {
            (2..=4).contains(&content.chars().count())
                && content.chars().all(is_han)
                && !is_industry_words(content)
                && !NOT_PLACES.contains(content)
        });
    let mut core = String::with_capacity(tail.body.len() - start);
    let push_plain = |core: &mut String, text: &str| {
        for part in text.split(['(', ')']) {
            core.push_str(part);
        }
    };
    let mut bracket = |core: &mut String, content: &'a str, region: &mut Option<Found>| {
        match bracket_kind(content, regions) {
            // A county in brackets (兴汇能源科技（虞城县）有限公司): the name's district, as
            // 虞城县兴汇能源科技有限公司 writes it before.
            Bracket::Other
                if county.is_none()
                    && (content.chars().count() >= 3
                        && district_or_city_len(content, true) == Some(content.len())
                        && WORDS.zones.longest_prefix(content).is_none()
                        || place_before_form.is_some_and(|p| std::ptr::eq(p, content))) =>
            {
                county = Some(content);
            }
            Bracket::Country => {}
            Bracket::Region(found) => {
                if !merge_region(region, found) {
                    // (香港), (澳门), (台湾) after a mainland region say where the capital came
                    // from, not where the company is (深圳华远(香港)贸易).
                    let province = regions.provinces[found.province].as_str();
                    conflict |= !["香港", "澳门", "台湾"].contains(&province);
                    core.push_str(content);
                }
            }
            _ => push_plain(core, content),
        }
    };
    let mut rest = &tail.body[start..];
    while let Some(open) = rest.find('(') {
        push_plain(&mut core, &rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else {
            rest = after;
            continue;
        };
        // An unclosed bracket inside: the content is what follows the last opening one.
        let inside = &after[..close];
        match inside.rfind('(') {
            Some(inner) => {
                push_plain(&mut core, &inside[..inner]);
                bracket(&mut core, &inside[inner + 1..], &mut region);
            }
            None => bracket(&mut core, inside, &mut region),
        }
        rest = &after[close + 1..];
    }
    push_plain(&mut core, rest);
    for content in &tail.regions[..tail.region_count] {
        bracket(&mut core, content, &mut region);
    }
    (region, core, conflict, county)
}

/// Words a company writes in brackets before its form that name no place.
const NOT_PLACES: &[&str] = &[
    "国际",
    "控股",
    "亚洲",
    "亚太",
    "全球",
    "中外合资",
    "合资",
    "独资",
    "外资",
];

/// The core without trailing industry words, longest first, as long as two characters remain.
fn trade_of(core: &str) -> String {
    let mut end = core.len();
    'strip: loop {
        for (word, _) in WORDS.industries.suffixes(&core[..end]) {
            if plausible(&core[..end - word.len()]) {
                end -= word.len();
                continue 'strip;
            }
        }
        break;
    }
    core[..end].to_string()
}

/// Whether `text` is industry words and nothing else (数据科技, 机械设备): a business a company
/// names, as the list of industry words knows them.
pub fn is_industry_words(text: &str) -> bool {
    industry_sectors(text).is_some()
}

/// A former name a remark gives: 原名X, 曾用名X, 原名称X, 更名前X; or 原X where the remark says
/// the name changed or the company moved: 已更名（原X）, 2020年更名，原X, 原X更名, 原X迁址,
/// 注册地迁至西宁市，原X. A company registry keeps a company's 曾用名, and people copy it into
/// their sheets: it is the name the company's older rows carry.
pub fn former_name(text: &str) -> Option<&str> {
    for marker in [
        "曾用名",
        "原企业名称",
        "原公司名称",
        "原名称",
        "更名前",
        "原名",
    ] {
        if let Some(i) = text.find(marker) {
            return name_at(&text[i + marker.len()..]);
        }
    }
    if !["更名", "名称变更", "迁至", "迁往", "迁址"]
        .iter()
        .any(|w| text.contains(w))
    {
        return None;
    }
    // 原 opening a phrase, not inside a word (原销售已离职 says nothing of the name).
    text.match_indices('原').find_map(|(i, _)| {
        let opens = text[..i].chars().next_back().is_none_or(|c| {
            c.is_whitespace()
                || matches!(c, '，' | ',' | '；' | ';' | '。' | '（' | '(' | '：' | ':')
        });
        opens
            .then(|| name_at(&text[i + '原'.len_utf8()..]))
            .flatten()
    })
}

/// Whether a remark says the company moved (2020年迁至桂林, 已迁址, 注册地迁往西宁): its older
/// rows name it in its former place.
pub fn moved(text: &str) -> bool {
    ["迁至", "迁往", "迁址", "迁入"]
        .iter()
        .any(|w| text.contains(w))
}

/// [`former_name`] and [`moved`] at once, after one look for the characters one of which every
/// marker of either has (原, 曾, 更, 迁): most remarks have none, and are not searched for each
/// marker.
pub fn former_name_or_move(text: &str) -> (Option<&str>, bool) {
    if !text.contains(['原', '曾', '更', '迁']) {
        return (None, false);
    }
    (former_name(text), moved(text))
}

/// The name at the start of `text`: up to a separator, or a closing bracket it did not open;
/// without a trailing 更名, 迁址 or 名称变更.
fn name_at(text: &str) -> Option<&str> {
    let text = text
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '：' | ':' | '为' | '是'));
    let mut depth = 0;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' if depth == 0 => {
                end = i;
                break;
            }
            '）' | ')' => depth -= 1,
            c if c.is_whitespace() || matches!(c, '，' | ',' | '；' | ';' | '。' | '、') => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let mut name = &text[..end];
    for suffix in ["名称变更", "更名", "迁址"] {
        name = name.strip_suffix(suffix).unwrap_or(name);
    }
    (name.chars().count() >= 2).then_some(name)
}

/// When `text` is industry words and nothing else, the sectors they name, one bit each: empty
/// for generic words alone (科技, 实业发展). Two businesses whose sectors are both named and
/// have none in common are two trades (小额贷款 / 置业, 生物科技 / 教育科技); generic words and
/// words of one sector are one (机械 / 设备, 进出口 / 外贸, 药业 / 制药).
pub fn industry_sectors(text: &str) -> Option<u64> {
    fn words(text: &str) -> Option<u64> {
        if text.is_empty() {
            return Some(0);
        }
        WORDS.industries.suffixes(text).find_map(|(word, sector)| {
            let bit = if sector == G { 0 } else { 1 << sector };
            words(&text[..text.len() - word.len()]).map(|rest| rest | bit)
        })
    }
    if text.is_empty() {
        None
    } else {
        words(text)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn former_names_in_remarks() {
        for (text, former) in [
            (
                "原名上海顺芯机械制造有限公司（已迁址） 开户行：中国建设银行",
                Some("上海顺芯机械制造有限公司（已迁址）"),
            ),
            ("原名：长沙拓宸贸易有限公司", Some("长沙拓宸贸易有限公司")),
            (
                "曾用名金华威博自动化设备有限公司",
                Some("金华威博自动化设备有限公司"),
            ),
            (
                "老客户，年度续约，已更名（原苏州祥星塑料制品有限公司）",
                Some("苏州祥星塑料制品有限公司"),
            ),
            ("2020年更名，原舟海电器", Some("舟海电器")),
            (
                "账号密码重置，原厦门奥熙餐饮股份有限公司更名",
                Some("厦门奥熙餐饮股份有限公司"),
            ),
            (
                "注册地迁至西宁市，原东莞利灿智能装备有限责任公司",
                Some("东莞利灿智能装备有限责任公司"),
            ),
            (
                "原名沃维企业管理咨询（厦门）有限公司（已迁址）",
                Some("沃维企业管理咨询（厦门）有限公司（已迁址）"),
            ),
            // 原 inside a word, or no word of a change of name or address.
            ("原销售已离职", None),
            ("2022年更名", None),
            ("从旧系统迁移", None),
            ("2020年迁至桂林", None),
            ("原价格已调整", None),
        ] {
            assert_eq!(former_name(text), former, "{text}");
        }
        assert!(moved("2020年迁至桂林") && moved("原大连公司迁址，名称变更"));
        assert!(!moved("从旧系统迁移") && !moved("2022年更名"));
        // What the former name says of the move is a remark, not part of the name.
        let regions = regions();
        let parts = |name: &str| {
            let k = company_key(name, &regions);
            (k.region, k.core, k.trade, k.form, k.branch)
        };
        for typed in [
            "上海顺芯机械制造有限公司（已迁址）",
            "上海顺芯机械制造有限公司(迁至兰州)",
        ] {
            assert_eq!(parts(typed), parts("上海顺芯机械制造有限公司"), "{typed}");
        }
    }

    use super::*;

    fn regions() -> Regions {
        Regions::builtin().unwrap()
    }

    #[test]
    fn a_national_brands_branch_is_its_brand_and_place_however_written() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let same = |names: &[&str]| {
            let first = key(names[0]);
            assert!(first.brand, "{}", names[0]);
            for name in &names[1..] {
                let k = key(name);
                assert!(k.brand, "{name}");
                assert_eq!((&k.core, &k.branch), (&first.core, &first.branch), "{name}");
            }
            first
        };
        let wuhou = same(&[
            "中国农业银行股份有限公司成都武侯支行",
            "中國農業銀行股份有限公司成都武侯支行",
            "农行成都武侯支行",
            "武侯农行",
            "农行武侯支行营业部",
            "农行成都武侯支行（石溪网点）",
            "AGRICULTURAL BANK OF CHINA CHENGDU WUHOU SUB-BRANCH",
        ]);
        assert_eq!(wuhou.core, "中国农业银行·wuhou");
        assert_eq!(wuhou.trade, "中国农业银行");
        assert_eq!(wuhou.form.as_deref(), Some("股份有限公司"));
        assert_eq!(wuhou.region.unwrap().city.as_deref(), Some("成都"));
        // An outlet named by its street is its county's branch; the post's old bureau is the
        // post's branch.
        same(&[
            "中国联合网络通信有限公司剑阁县分公司",
            "中国联通剑阁金江营业厅",
            "联通剑阁分公司城关营业部",
        ]);
        same(&[
            "中国邮政集团有限公司安宁市分公司",
            "安宁市邮政局",
            "安宁邮政河西支局",
            "China Post Group Anning Branch",
        ]);
        // A county of one character keeps its 县; the city's 市 may start the county's name.
        same(&[
            "中国联合网络通信有限公司荣县分公司",
            "荣县联通",
            "China Unicom Rongxian Branch",
        ]);
        same(&[
            "中国邮政储蓄银行股份有限公司内江市中区支行",
            "邮储银行内江市中区支行营业部",
            "POSTAL SAVINGS BANK OF CHINA NEIJIANG SHIZHONG SUB-BRANCH",
        ]);
        // Xiangyun is 祥云, not Xi'an and gyun.
        same(&[
            "中国联合网络通信有限公司祥云县分公司",
            "CHINA UNICOM XIANGYUN BRANCH",
        ]);
        // A province's company, and its city's branch; 中国 mistyped; a homophone of a place.
        let sichuan = key("中国移动通信集团四川有限公司");
        assert_eq!(sichuan.region.unwrap().province, "四川");
        same(&[
            "中国移动通信集团四川有限公司眉山分公司",
            "眉山移动",
            "China Mobile Sichuan Meishan Branch",
        ]);
        same(&[
            "中国人寿保险股份有限公司黔南分公司",
            "忠国人寿保险股份有限公司黔南分公司",
        ]);
        same(&[
            "中国联合网络通信有限公司黔南市分公司",
            "中国联合网络通信有限公司钱南市分公司",
        ]);
        // Two brands, a brand's two places, a city's branch and a county's: each another.
        let differ = |a: &str, b: &str| {
            let (x, y) = (key(a), key(b));
            assert!(x.brand && y.brand, "{a} / {b}");
            assert_ne!(x.core, y.core, "{a} / {b}");
        };
        differ("中国人寿保险股份有限公司内江分公司", "内江国寿财险");
        differ(
            "中国邮政储蓄银行股份有限公司沐川县支行",
            "中国邮政集团有限公司沐川县分公司",
        );
        differ("交行宜宾分行", "交通银行股份有限公司宜宾叙州支行");
        differ("联通泸州分公司", "中国联通泸县分公司");
        differ("建行云南省分行", "中国建设银行股份有限公司昆明分行");
        differ("平昌交行", "平昌农行");
        // A 支行 or 支公司 of a prefecture's name is its seat's, the county-level city's.
        differ("中国农业银行股份有限公司楚雄分行", "农行楚雄市支行");
        differ(
            "中国人民财产保险股份有限公司大理市分公司",
            "中国人民财产保险股份有限公司大理支公司",
        );
        same(&[
            "农行楚雄市支行",
            "Agricultural Bank of China Chuxiong Sub-branch",
        ]);
        // A company with a brand's short name in its own is no brand's.
        for name in [
            "内江上联通信技术有限公司",
            "重庆铭联通信技术有限责任公司",
            "联通照明",
            "中国电信工程有限公司",
            "鸿达电信有限公司",
            "Bank of China Tower Property Management Co., Ltd.",
        ] {
            assert!(!key(name).brand, "{name}");
        }
    }

    #[test]
    fn a_form_typed_one_character_off_is_still_the_form() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let right = key("北京华远软件科技有限公司");
        for typed in [
            "北京华远软件科技有限公同",
            "北京华远软件科技有恨公司",
            "北京华远软件科技有线公司",
            "北京华远软件科技友限公司",
            "北京华远软件科技有限公公司",
            "北京华远软件科技有限工司",
            "北京华远软件科技有限司",
        ] {
            let k = key(typed);
            assert_eq!((&k.core, &k.trade), (&right.core, &right.trade), "{typed}");
            assert_eq!(k.form.as_deref(), Some("有限公司"), "{typed}");
        }
        assert_eq!(
            key("华远软件科技股份有线公司").form.as_deref(),
            Some("股份有限公司")
        );
        // 公司 typed twice.
        for typed in [
            "北京华远软件科技有限公司公司",
            "华远软件科技（北京）有限公司公司",
        ] {
            let k = key(typed);
            assert_eq!((&k.core, &k.trade), (&right.core, &right.trade), "{typed}");
            assert_eq!(k.form.as_deref(), Some("有限公司"), "{typed}");
        }
        assert_eq!(key("华远软件科技公司公司").core, "华远软件科技");
        // Two characters off, or a body that only ends like a form: not a typo of one.
        assert_eq!(key("华远软件科技公司").core, "华远软件科技");
        assert_eq!(key("华远软件科技公司").form.as_deref(), Some("公司"));
        assert_eq!(key("华远软件科技有司").form.as_deref(), None);
        // Nothing left of the body.
        assert_eq!(mistyped_form("有限公同"), None);
    }

    #[test]
    fn a_chains_store_without_the_chains_form_is_the_store() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        for (short, full) in [
            (
                "锦泰大药房云岩区第二十分店",
                "锦泰大药房连锁有限公司云岩区第二十分店",
            ),
            (
                "益民正安县第二十分店",
                "遵义市益民大药房连锁有限公司正安县第二十分店",
            ),
            ("天和云龙县第三分店", "天和大药房连锁有限公司云龙县第三分店"),
        ] {
            assert_eq!(key(short).branch, key(full).branch, "{short}");
            assert!(
                key(short).branch.is_some_and(|b| b.contains("第")),
                "{short}"
            );
        }
    }

    #[test]
    fn a_countys_institution_is_named_by_its_county_with_or_without_its_xian() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        for (short, full) in [
            ("资中中医院", "资中县中医院"),
            ("德江人民醫院", "德江縣人民醫院"),
            ("澄江市人民医院", "澄江县人民医院"),
            ("万山人民医院", "铜仁市万山区人民医院"),
            ("江安中医院", "四川宜宾江安县中医院"),
            // A place's hospital named by its place alone is its 人民医院; 人医, 中医医院 and
            // 妇保院 are written out.
            ("正安县医院", "正安县人民医院"),
            ("万山区医院", "铜仁市万山区人民医院"),
            ("云县人医", "云县人民医院"),
            ("广汉人医", "广汉市人民医院"),
            ("红塔妇保院", "玉溪市红塔区妇幼保健院"),
        ] {
            let (s, f) = (key(short), key(full));
            assert_eq!(s.core, f.core, "{short} / {full}");
            assert!(s.district.is_some() && f.district.is_some(), "{short}");
        }
        // What a database keys it by is the key's canonical name.
        for name in ["资中县中医院", "资中中医院", "铜仁市万山区人民医院"] {
            assert_eq!(
                canonical_name(name, &regions),
                key(name).canonical(),
                "{name}"
            );
        }
        assert_eq!(key("宜宾市医院").core, key("宜宾市人民医院").core);
        assert_eq!(key("遵义市中医医院").core, key("遵义市中医院").core);
        assert_eq!(
            key("西双版纳二医院").core,
            key("西双版纳州第二人民医院").core
        );
        // The province's 省人医 stays as written (an institution's short name, compared so).
        assert_eq!(key("省人医").core, "省人医");
        assert_eq!(
            canonical_name("正安县医院", &regions),
            key("正安县医院").canonical()
        );
        // Two counties' hospitals are two cores; a 字号's hospital is no county's.
        assert_ne!(key("资中中医院").core, key("广汉中医院").core);
        assert_eq!(key("资中中医院").core, "资中中医院");
        assert_eq!(key("仁爱医院").district, None);
        assert_eq!(key("华西医院").core, "华西医院");
        // An ordinal's 第 typed as 弟; an empty remark.
        assert_eq!(
            key("昆明市盘龙区弟一小学").canonical(),
            key("昆明市盘龙区第一小学").canonical()
        );
        assert_eq!(
            key("遂宁市船山区第二幼儿园（）").core,
            key("遂宁市船山区第二幼儿园").core
        );
        assert_eq!(key("兄弟一心").core, "兄弟一心");
        // An ordinal in digits; a short name followed by its full name.
        assert_eq!(key("九龙坡区第8小学校").core, "第八小学校");
        assert_eq!(key("第12中学").core, "第十二中学");
        assert_eq!(key("第21中学").core, "第二十一中学");
        assert_eq!(key("第20中学").core, "第二十中学");
        assert_eq!(
            key("温江二幼（成都市温江区第二幼儿园）").canonical(),
            key("成都市温江区第二幼儿园").canonical()
        );
        assert!(key("发隆汽配（新乡轮胎市场）").core.starts_with("发隆汽配"));
        // A school's campus.
        for campus in ["营山县实验中学（校本部）", "四川省盐亭县职业中学(分部)"]
        {
            let plain = campus.split(['（', '(']).next().unwrap_or_default();
            assert_eq!(key(campus).core, key(plain).core, "{campus}");
        }
        assert_ne!(key("隆昌市观音镇卫生院(观音社区医院)").core, "观音社区医院");
        // A county's bureau is its county's; the city's is another.
        assert_eq!(key("眉山市彭山区教育局").core, key("彭山县教育局").core);
        assert_ne!(key("眉山市彭山区教育局").core, key("眉山市教育局").core);
        assert_eq!(key("垫江县教育委员会").core, "垫江教育委员会");
    }

    #[test]
    fn a_projects_site_office_is_its_company() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let parts = |k: &CompanyKey| {
            (
                k.region.clone(),
                k.core.clone(),
                k.form.clone(),
                k.branch.clone(),
            )
        };
        for (site, company) in [
            (
                "赣州德永路桥建设有限公司小蓝安置房项目部",
                "赣州德永路桥建设有限公司",
            ),
            (
                "赣州德永路桥建设 有限公司瑶湖保障性住房一期项目部",
                "赣州德永路桥建设有限公司",
            ),
            (
                "南昌志亿市政工程有限公司-光谷综合管廊二期项目部\u{3000}",
                "南昌志亿市政工程有限公司",
            ),
            (
                "中铁十一局集团有限公司(东新区人才公寓二标段项目经理部)",
                "中铁十一局集团有限公司",
            ),
            (
                "中国水利水电第八工程局有限公司 东新区体育中心A地块项目经理部",
                "中国水利水电第八工程局有限公司",
            ),
            ("湖南建工-梅溪湖住宅小区三标段项目部", "湖南建工"),
            ("荆州方铭 后湖城市快速工程项目部", "荆州方铭"),
            ("中建三局光谷体育中心B地块项目部", "中建三局"),
            ("新余城投集团北部新城保障性住房一期项目部", "新余城投集团"),
            // A short name without a form: a 字号 of two and its industry words.
            ("盛恒路桥老城区人民医院门诊综合楼Ａ地块项目部", "盛恒路桥"),
            ("衡阳恒力西城保障性住房Ｂ地块项目部", "衡阳恒力"),
            (
                "孝感德润建筑安装工程高新区城市快速路EPC项目部",
                "孝感德润建筑安装工程",
            ),
            // A branch's project is the branch's.
            (
                "江西建工第一建筑有限责任公司湖南分公司西城棚户区项目部",
                "江西建工第一建筑有限责任公司湖南分公司",
            ),
            ("华远科技有限公司/二期项目", "华远科技有限公司"),
            // A 分公司 written short as 分 after its place.
            (
                "中铁十一局襄阳分北部新城地铁车辆段2号地块项目部",
                "中铁十一局襄阳分公司",
            ),
            ("赣州瑞宸荆州分 临空港实验学校项目部", "赣州瑞宸荆州分公司"),
        ] {
            let (s, c) = (key(site), key(company));
            assert_eq!(parts(&s), parts(&c), "{site}");
            assert!(s.site && !c.site && !s.no_company, "{site}");
        }
        // Nothing of a company before the project: the name stays as it is.
        assert_eq!(key("光谷项目部").core, "光谷项目部");
        assert!(key("光谷项目部").no_company);
        assert!(!key("北京华远科技有限公司").site);
    }

    #[test]
    fn a_sites_name_alone_names_no_company() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        for alone in [
            // A project named by its estate, with no 字号 and trade before it.
            "书香春天小区项目",
            "江山新首府项目",
            "滨江苑项目",
            // An estate's management office.
            "翠湖花园物业服务中心",
            "紫荆世纪山庄客服中心",
            "梧桐御府物业",
            "东湖壹号院物业",
            "银湖国际世家物业（李经理来电）",
            "桂园雅居物业服务中心",
            "湖畔公寓二期物业管理处",
            "望江园物业管理处-困人救援",
            "城市城物业管理处 2#梯门故障",
            // An estate, or a numbered building of it.
            "江南公馆小区",
            "嘉和华府一期小区",
            "阳光雅苑13幢",
            "香樟嘉园一期9幢-扶梯急停",
            "湖畔家园13幢（重复来电）",
        ] {
            let k = key(alone);
            assert!(k.no_company && k.site, "{alone}");
        }
        // A property company at an estate: the company is the customer, at a site.
        for (at_site, company) in [
            ("江南雅苑（天川物业）", "天川物业"),
            ("书香印象(新悦物业)", "新悦物业"),
            ("银安物业-明月佳苑", "银安物业"),
            ("兴恒物业-梧桐苑二期", "兴恒物业"),
            ("凯恒物业滨江御府一期管理处", "凯恒物业"),
            (
                "浙江宝澜物业管理有限公司和睦佳苑管理处",
                "浙江宝澜物业管理有限公司",
            ),
        ] {
            let (k, c) = (key(at_site), key(company));
            assert!(k.site && !k.no_company, "{at_site}");
            assert_eq!(
                (&k.core, &k.form, &k.branch),
                (&c.core, &c.form, &c.branch),
                "{at_site}"
            );
        }
        // A developer's project company by its sales office: the project's name is the
        // company's.
        for (at_site, company) in [
            ("德通江樾售楼处", "杭州德通江樾房地产开发有限公司"),
            ("金宏拾光售楼部", "杭州金宏拾光房地产开发有限公司"),
        ] {
            let (k, c) = (key(at_site), key(company));
            assert!(k.site && !k.no_company, "{at_site}");
            assert!(
                c.core.starts_with(&k.core),
                "{at_site}: {} / {}",
                k.core,
                c.core
            );
        }
        // A builder's project stays a site of the builder's; a company's project unnamed is the
        // company's. A middle dot says nothing the key, read again, would not (办国·).
        assert_eq!(
            key("中建三局光谷体育中心B地块项目部").core,
            key("中建三局").core
        );
        assert_eq!(key("中奇纺织项目").core, key("石家庄中奇纺织有限公司").core);
        assert!(key("中奇纺织项目").site && !key("中奇纺织项目").no_company);
        let dotted = key("办国·");
        assert_eq!(key(&dotted.normalized), dotted);
        // A 管理处 of no property company is no site: a university's department, an institution.
        assert!(!key("西南医科大学信息化建设与管理处").site);
        assert!(!key("西湖风景名胜区管理处").site);
        // An individual business written as its keeper: no company named, and no site.
        for keeper in ["任桂睿（个体保洁）", "杜丽(个体户)"] {
            let k = key(keeper);
            assert!(k.no_company && !k.site, "{keeper}");
        }
        assert!(!key("华远科技（个体）").no_company);
        for company in [
            // A company's project: the company is named.
            "龙策物业 书香春天小区项目",
            "皖轩物业阳光中央山庄项目部",
            "盛恒路桥老城区人民医院项目部",
            // Companies' short names and legal names.
            "碧桂园物业",
            "金湾物业",
            "龙策物业",
            "翠湖花园物业服务有限公司",
            "华府物业服务中心",
            "恒大集团华府物业",
        ] {
            assert!(!key(company).no_company, "{company}");
        }
    }

    #[test]
    fn a_property_companys_short_name_with_a_city_is_its_branch_there() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let branch = key("上海凯恒物业服务有限公司黄山分公司").branch;
        for short in ["黄山凯恒物业", "凯恒物业(黄山)"] {
            let k = key(short);
            assert!(k.branch_implied && k.region.is_none(), "{short}");
            assert_eq!(k.branch, branch, "{short}");
            assert_eq!(canonical_name(short, &regions), k.canonical(), "{short}");
        }
        // A company's name with its form, and another trade's short name, keep their region.
        assert!(key("黄山凯恒物业服务有限公司").region.is_some());
        assert!(key("黄山凯恒科技").branch.is_none());
    }

    #[test]
    fn a_site_before_or_after_its_company_is_the_companys() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        for (written, company) in [
            ("光谷体育中心项目一标段 隆腾建设工程", "隆腾建设工程"),
            ("振骏·天境项目—宝顺建筑", "宝顺建筑"),
            (
                "白沙洲新能源产业园项目SG1标 汇宇建筑安装工程",
                "汇宇建筑安装工程",
            ),
            ("佳安交建 地铁5号线汉正街站工地", "佳安交建"),
            ("仙桃康丰建设 仙桃工业园创新园工地 邹师傅", "仙桃康丰建设"),
        ] {
            let (k, c) = (key(written), key(company));
            assert_eq!((&k.core, &k.branch), (&c.core, &c.branch), "{written}");
            assert!(k.site, "{written}");
        }
        // Cleaning keeps the space that tells the site from the company.
        for (head, tail) in [
            ("光谷体育中心项目一标段", "隆腾建设工程"),
            ("佳安交建", "地铁5号线汉正街站工地"),
            ("佳安交建", "张工"),
        ] {
            assert!(note_after_space(head, tail), "{head} {tail}");
        }
        assert!(!note_after_space("济南惠悦商", "贸有限公司"));
        // A project's name alone names no company, unless a region and a 字号 stand first.
        for alone in ["阳逻职教中心项目部", "杨春湖物流园项目部（一标段）"] {
            assert!(key(alone).no_company, "{alone}");
        }
        let k = key("长沙景瑞黄花港口码头项目部");
        assert!(!k.no_company && k.core.starts_with("景瑞"), "{k:?}");
    }

    #[test]
    fn a_service_calls_note_is_no_part_of_the_name() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        for (noted, name) in [
            (
                "上海凯恒物业服务有限公司宁波分公司/夜间报修",
                "上海凯恒物业服务有限公司宁波分公司",
            ),
            ("杭州宝澜物业-扶梯急停", "杭州宝澜物业"),
            ("安发物业杭州分公司 2#梯门故障", "安发物业杭州分公司"),
            ("景晟物业-紫金公寓二期-2024维保", "景晟物业-紫金公寓二期"),
            (
                "银创物业明月印象管理处（电梯停运）",
                "银创物业明月印象管理处",
            ),
            ("普陀区中医院门诊楼【加急】", "普陀区中医院门诊楼"),
            ("洛龙区金华便利店（放门口）", "洛龙区金华便利店"),
            ("宏发名烟名酒/二楼仓库", "宏发名烟名酒"),
            ("老孙烟酒-后门卸货", "老孙烟酒"),
            ("工行东区支行 周末不收货", "工行东区支行"),
            ("灵宝广发商贸有限公司（总仓）", "灵宝广发商贸有限公司"),
            ("建安区财政局【急】", "建安区财政局"),
            ("佳昌烟酒店（周二线）", "佳昌烟酒店"),
            ("泰园烟酒 老客户", "泰园烟酒"),
            ("志远（门卫）", "志远"),
            ("永宏冷冻食品（门卫收）", "永宏冷冻食品"),
            (
                "肥西永宏冷冻食品科技有限公司-后门",
                "肥西永宏冷冻食品科技有限公司",
            ),
            ("上海志远 3号门", "上海志远"),
            ("嘉利气体 代送达裕五金", "嘉利气体"),
            // A department behind a separator, whatever stands before it.
            ("浏河镇卫生园 设备科", "浏河镇卫生园"),
            ("苏州铭汇 机加工车间", "苏州铭汇"),
            // With its floor, or the floor alone; a machine's model and what it did.
            ("石板中学 财务室五楼", "石板中学"),
            ("观音镇政府 五楼办公室", "观音镇政府"),
            ("广安一中-十八楼", "广安一中"),
            ("双流区人民医院/放射科门诊楼三楼", "双流区人民医院"),
            ("玉龙县法院 二楼办公室 e-STUDIO 2528A不进纸", "玉龙县法院"),
            (
                "个旧市审计局 业务科 一楼 打印机扫描到邮箱失败",
                "个旧市审计局",
            ),
            ("金山街道办 复印机硒鼓漏粉", "金山街道办"),
            ("黄宇祥 家用", "黄宇祥"),
            // An air conditioner's fault, a payment's chase, a chat app's user.
            ("武汉千瑞（水泵振动大）", "武汉千瑞"),
            ("晟益装修 冷却塔填料更换", "晟益装修"),
            ("省血液（风管机不出风）", "省血液"),
            ("青县供电公司(催回款）", "青县供电公司"),
            ("微信用户程先生", "程先生"),
            ("杨琴敏（微信）", "杨琴敏"),
            // A canteen, a kitchen, a delivery's route and stop, when and where to deliver.
            ("新乡县城市管理局·职工餐厅", "新乡县城市管理局"),
            (
                "豫西旅游职业技术学院-东校区东苑餐厅",
                "豫西旅游职业技术学院",
            ),
            ("孙店小学/一号餐厅", "孙店小学"),
            ("郑州坤新学校（食堂）", "郑州坤新学校"),
            ("实验中学东校区食堂（金水线19号）", "实验中学东校区食堂"),
            ("豫西旅游【城西线】", "豫西旅游"),
            ("喜鸿学校学生食堂（外县1线40号）", "喜鸿学校学生食堂"),
            ("郑州丰中大酒店 早7点前送", "郑州丰中大酒店"),
            ("商都工程职业技术学院（甲方）", "商都工程职业技术学院"),
            // A truck's plate beside the name, in brackets or behind a separator; a person
            // marked as one; a renewal.
            ("鄂A·15049 肖俊明", "肖俊明"),
            ("湘A 06356 张坤国", "张坤国"),
            ("个人-张坤国", "张坤国"),
            ("个体李鹏海", "李鹏海"),
            ("个人客户邓云", "邓云"),
            ("个人（石秀雪）", "石秀雪"),
            ("石秀雪-个人", "石秀雪"),
            ("新北区丁露诊所-丁露医生", "新北区丁露诊所"),
            ("微信-瑞美口腔", "瑞美口腔"),
            ("晨迅物流-湘US8082", "晨迅物流"),
            ("万豪土方 湘A·21645", "万豪土方"),
            ("远海驾校鄂E2W440", "远海驾校"),
            ("朱满小（湘A-54048挂）", "朱满小"),
            (
                "豪力运输服务（怀化）有限公司（湘ner687 陈玲财）",
                "豪力运输服务（怀化）有限公司",
            ),
            ("速昊物流公司（续费）", "速昊物流公司"),
            // A floor or a building typed right after the name.
            ("武汉联锦25楼", "武汉联锦"),
            ("正悦酒店1号楼", "正悦酒店"),
            ("祥虹老年公寓1号楼", "祥虹老年公寓"),
            // A home's address before its owner: the owner.
            ("瑞峰府24栋2单元1602 马欣", "马欣"),
            ("合玉小区12-2-1104 唐华勇", "唐华勇"),
            ("晶禾城24栋3单元1902 龚先生", "龚先生"),
            // A person's full name behind a separator or in brackets; a plant's area, works
            // or base.
            ("苏州东科-郑琴", "苏州东科"),
            // A note before the name; a print job's state; a job's name; an online shop.
            ("[急]广东铂利硅胶制品有限公司", "广东铂利硅胶制品有限公司"),
            ("卓达(客诉)", "卓达"),
            ("宝丰电子-补货", "宝丰电子"),
            ("泓昌百货(1688)", "泓昌百货"),
            ("黄江合骐广告（代深圳凯益）", "黄江合骐广告"),
            ("铂利硅胶-水杯-彩盒_终稿", "铂利硅胶"),
            ("荣博-盲盒-开窗彩盒", "荣博"),
            ("YUJIAN-硅胶手环-吊卡-V2", "YUJIAN"),
            ("鸿耀抖音官方旗舰店", "鸿耀"),
            ("悦宝旗舰店", "悦宝"),
            ("悦宝旗舰店 旗舰店", "悦宝"),
            ("太仓腾安（罗晨涛）", "太仓腾安"),
            ("苏州和天乳业有限公司（北厂区）", "苏州和天乳业有限公司"),
            (
                "苏州铭东压力容器有限公司-平江工厂",
                "苏州铭东压力容器有限公司",
            ),
            (
                "无锡嘉茂建设集团有限公司（苏州基地）",
                "无锡嘉茂建设集团有限公司",
            ),
            ("家诚超市府前街店-送前打电话", "家诚超市府前街店"),
            ("华晟物业(绍兴)(未认证)", "华晟物业(绍兴)"),
            (
                "永丰电器有限公司(研发楼货梯)（业主来电）",
                "永丰电器有限公司",
            ),
            (
                "苏州景泰商业管理有限公司（A座） 3号梯异响",
                "苏州景泰商业管理有限公司（A座）",
            ),
        ] {
            assert_eq!(key(noted).core, key(name).core, "{noted}");
            assert_eq!(key(noted).branch, key(name).branch, "{noted}");
        }
        // An address that is no home's stays the name (华远大厦 马欣 is 华远大厦's).
        assert!(!dwelling("华远大厦"));
        assert!(!dwelling("华远12-2"));
        assert!(dwelling("宸润新城21-1-301"));
        // A plate is a province's character, a letter and five or six more with a digit.
        assert!(is_plate("湘a45616") && is_plate("湘a54048挂") && is_plate("鄂e2w440"));
        assert!(!is_plate("湘abcdef") && !is_plate("华a12345") && !is_plate("湘a1234"));
        assert_ne!(key("个体户王记").core, "王记");
        // A restaurant is no canteen, a place alone no name, a metro line no route.
        assert_ne!(key("开福区 骏立茶餐厅").core, key("开福区").core);
        assert_ne!(key("华远 骏立茶餐厅").core, key("华远").core);
        assert!(!delivery_route("地铁6号线"));
        assert!(delivery_route("外县2线"));
        // An estate's building is no floor; an institution's name no building.
        assert_ne!(key("江南名苑9幢").normalized, key("江南名苑").normalized);
        assert_eq!(without_glued_floor("武汉市图书馆"), "武汉市图书馆");
        assert_eq!(without_glued_floor("八一楼"), "八一楼");
        // A model that no note follows, or a trade, is the name's.
        for (name, short) in [("华远 ABC", "华远"), ("华远-家用电器", "华远")] {
            assert_ne!(key(name).core, key(short).core, "{name}");
        }
        // A hospital's building is the hospital; an estate's owners' committee however named.
        assert_eq!(
            key("丽水二院龙泉分院医技楼").core,
            key("丽水二院龙泉分院").core
        );
        assert_eq!(
            key("枫桥家园小区业委会").core,
            key("杭州市临安区枫桥家园业主委员会").core
        );
        assert_eq!(
            key("天鹅湾家园业主大会").core,
            key("天鹅湾家园业主委员会").core
        );
        // A municipality before a short name may be the head office's place: no branch read.
        assert!(key("天津盛达物业").branch.is_none());
        // A maintenance department after the form is the company's, no branch of its own.
        assert_eq!(
            key("宝悦物业服务股份有限公司工程维修部").branch,
            key("宝悦物业服务股份有限公司").branch
        );
        // A plant's water treatment is the plant's.
        assert_eq!(key("岳蓝公司污水站").core, key("岳蓝公司").core);
        // Three parts without an item or a version are no job's name; nor with a company's.
        for kept in ["景晟物业-紫金公寓-二期", "中建三局-一公司-彩盒"] {
            assert_ne!(
                key(kept).core,
                key(kept.split('-').next().unwrap()).core,
                "{kept}"
            );
        }
        // Two characters in brackets may be a place (a county's short name), not a person.
        assert_ne!(
            key("昆明市金康医药有限责任公司（石林）").canonical(),
            key("昆明市金康医药有限责任公司").canonical()
        );
        // A name that is all note is left as it is.
        assert!(!key("报修").core.is_empty());
    }

    #[test]
    fn a_person_typed_right_after_the_name_is_no_part_of_it() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        for (typed, name) in [
            ("华裕铝业李姐", "华裕铝业"),
            ("弘光化工邵总", "弘光化工"),
            ("嘉茂集团刘工", "嘉茂集团"),
            ("邦美潘总", "邦美"),
            ("华远王总", "华远"),
            ("Chuangmei曾小姐", "Chuangmei"),
            ("斯特林焊接技术吴姐", "斯特林焊接技术"),
            ("苏州华远软件科技有限公司王经理", "苏州华远软件科技有限公司"),
        ] {
            assert_eq!(key(typed).core, key(name).core, "{typed}");
        }
        // A trade's word, a name too short, a character that is no common surname: kept.
        for kept in ["华建建筑施工", "华总", "远华工", "凯达兴总"] {
            assert_eq!(key(kept).core, normalize(kept), "{kept}");
        }
    }

    #[test]
    fn a_county_level_place_before_a_business_is_its_district() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        for (typed, core, district) in [
            ("太仓科志阀门有限公司", "科志阀门", "太仓市"),
            ("太仓市科志阀门有限公司", "科志阀门", "太仓市"),
            ("吴江恒峰口腔门诊部有限公司", "恒峰口腔门诊部", "吴江区"),
            ("义乌华远日用品有限公司", "华远日用品", "义乌市"),
        ] {
            let k = key(typed);
            assert_eq!(k.core, core, "{typed}");
            assert_eq!(k.district.as_deref(), Some(district), "{typed}");
        }
        // Two counties' companies of one 字号 stay apart by their districts.
        assert_ne!(
            key("太仓科志阀门有限公司").district,
            key("昆山科志阀门有限公司").district
        );
        // A county's utilities, banks and institutions keep the county as their name.
        for kept in [
            "新郑农商行",
            "新密市污水处理厂",
            "邹城环保局",
            "江阴市中医院",
        ] {
            assert!(
                key(kept).core.starts_with(&kept[..6]),
                "{kept}: {:?}",
                key(kept)
            );
        }
    }

    #[test]
    fn a_name_that_names_a_person() {
        for (name, person) in [
            ("老罗", Some(('罗', false))),
            ("平望罗师傅", Some(('罗', false))),
            ("林师傅 渭塘", Some(('林', false))),
            ("孙丽龙", Some(('孙', true))),
            ("林曉", Some(('林', true))),
            ("陈良健（个人）", Some(('陈', true))),
            ("个人-王凯峰", Some(('王', true))),
            ("孙丽龙 电焊工", Some(('孙', true))),
            ("董良超（电焊工）", Some(('董', true))),
            ("电焊工 孙丽龙", None),
            ("华远科技", None),
            ("王记五金", None),
            ("苏州铭汇 机加工车间", None),
            ("王建国 李师傅", None),
            ("上海华远软件科技有限公司", None),
        ] {
            assert_eq!(person_named(name), person, "{name}");
        }
    }

    #[test]
    fn notes_after_the_form_are_not_the_name() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let right = key("上海品利食品有限责任公司");
        for typed in [
            "上海品利食品有限责任公司-张总介绍",
            "上海品利食品有限责任公司/采购部",
            "上海品利食品有限责任公司采购部",
            "上海品利食品有限责任公司（采购部）",
            "上海品利食品有限责任公司（开票用）",
            "上海品利食品有限责任公司-华东区",
            "上海品利食品有限责任公司/二期项目",
            "上海品利食品有限责任公司（售后报修电话）",
            // A unit after the registered form: a plant, a building, a centre of the company.
            "上海品利食品有限责任公司技术中心",
            "上海品利食品有限责任公司东厂区污水站",
            "上海品利食品有限责任公司三号厂房",
            "上海品利食品有限责任公司二厂",
        ] {
            let k = key(typed);
            assert_eq!((&k.core, &k.form), (&right.core, &right.form), "{typed}");
            assert_eq!(k.branch, None, "{typed}");
        }
        // A branch, a store or a unit after the form stays: it is another customer.
        assert_eq!(
            key("上海品利食品有限责任公司杭州分公司").branch.as_deref(),
            Some("杭州分公司")
        );
        for (kept, tail) in [
            ("上海品利食品有限责任公司友谊路店", "友谊路"),
            // In brackets: a store, a branch, a short place (a county's name without 县).
            ("上海品利食品有限责任公司（友谊路店）", "友谊路"),
            ("上海品利食品有限责任公司（嘉定分公司）", "嘉定"),
            ("昆明市金康医药有限责任公司（石林）", "石林"),
            ("上海品利食品有限责任公司第一分厂", "分厂"),
            ("中国华远银行股份有限公司北京分行", "分行"),
        ] {
            assert!(key(kept).canonical().contains(tail), "{kept}");
        }
        // A name with nothing but a form before the note is left alone.
        assert_eq!(note_after_form("公司张总介绍"), None);
        // A note after a branch: the branch stays the branch.
        let branch = key("重庆美力机械制造有限责任公司石家庄分公司");
        for typed in [
            "重庆美力机械制造有限责任公司石家庄分公司-重复",
            "重庆美力机械制造有限责任公司石家庄分公司-采购部（重复）",
            // A department, though 中心 is also a unit's word.
            "重庆美力机械制造有限责任公司石家庄分公司-采购中心",
            // Any bracketed note after a branch or a form (not only the known ones).
            "重庆美力机械制造有限责任公司石家庄分公司（全包）",
            "重庆美力机械制造有限责任公司石家庄分公司(采购人)",
        ] {
            let k = key(typed);
            assert_eq!(
                (&k.core, &k.form, &k.branch),
                (&branch.core, &branch.form, &branch.branch),
                "{typed}"
            );
        }
        // A department after an institution's name, in brackets or not; a hospital's campus.
        for (typed, name) in [
            ("复旦大学附属中山医院-输血科", "复旦大学附属中山医院"),
            ("东南大学附属中大医院—核医学科", "东南大学附属中大医院"),
            ("苏州大学附属第二医院 PCR实验室", "苏州大学附属第二医院"),
            ("省人医 药剂科", "省人医"),
            ("睢宁县医院（临床药学室）", "睢宁县医院"),
            ("南医大（实验室与设备管理处）", "南医大"),
            ("徐州医科大学戴丹课题组", "徐州医科大学"),
            ("森源妇产医院（仙林院区）设备科", "森源妇产医院"),
            ("南京晶裕医药有限公司中心化验室", "南京晶裕医药有限公司"),
            (
                "成都御成餐饮管理有限公司中央厨房",
                "成都御成餐饮管理有限公司",
            ),
            ("广州宏远酒店管理有限公司中餐厅", "广州宏远酒店管理有限公司"),
            ("北京市第一人民医院食堂", "北京市第一人民医院"),
            ("昆明味宴商用厨具经营部仓库", "昆明味宴商用厨具经营部"),
        ] {
            let (k, want) = (key(typed), key(name));
            assert_eq!(
                (&k.core, &k.form, &k.branch),
                (&want.core, &want.form, &want.branch),
                "{typed}"
            );
        }
        // What names another institution or a unit is not a department.
        for (kept, institution) in [
            ("浙江大学医学院", "浙江大学"),
            ("万千大学附属医院", "万千大学"),
        ] {
            assert_ne!(key(kept).core, key(institution).core, "{kept}");
        }
        assert_eq!(key("华远有限公司营业部").branch.as_deref(), Some("营业部"));
        assert!(!is_department("附属中大医院核医学科"));
        // A department after a shop's store.
        let store = key("武汉市江汉区思发眼镜店城西店");
        let k = key("武汉市江汉区思发眼镜店城西店-设备部");
        assert_eq!((&k.core, &k.branch), (&store.core, &store.branch));
        assert_eq!(store.branch.as_deref(), Some("城西店"));
    }

    #[test]
    fn a_fleets_units_and_the_person_called_belong_to_the_company() {
        let regions = Regions::builtin().unwrap();
        let key = |name: &str| company_key(name, &regions);
        for (unit, company) in [
            (
                "保定方豪运输有限公司莲池区分公司保修厂",
                "保定方豪运输有限公司莲池区分公司",
            ),
            ("东营龙威运输有限公司第三车队", "东营龙威运输有限公司"),
            (
                "太原源风运输有限公司商丘分公司（第二车队）",
                "太原源风运输有限公司商丘分公司",
            ),
            ("山东安瑞运输有限公司（维修车间）", "山东安瑞运输有限公司"),
            (
                "临沂东华汽车运输有限公司（物资库）",
                "临沂东华汽车运输有限公司",
            ),
            (
                "三门峡公共交通集团有限公司物资库",
                "三门峡公共交通集团有限公司",
            ),
            (
                "泰安元嘉机动车驾驶员培训学校第三车队",
                "泰安元嘉机动车驾驶员培训学校",
            ),
            // The person the salesman calls, in brackets, or who called.
            ("东越运输（曹总）", "东越运输"),
            ("临汾老张汽修（李老板）", "临汾老张汽修"),
            ("星河物业服务有限公司（王经理来电）", "星河物业服务有限公司"),
            // A front desk, an institution's services, a 街道's offices.
            (
                "合肥云茂物业服务有限公司肥东县分公司客服中心",
                "合肥云茂物业服务有限公司肥东县分公司",
            ),
            (
                "长沙皖澜物业管理有限公司阜阳分公司（客服中心）",
                "长沙皖澜物业管理有限公司阜阳分公司",
            ),
            ("长沙市第二人民医院（后勤服务中心）", "长沙市第二人民医院"),
            (
                "宜昌市伍家岗区人民政府水果湖街道办事处（城管办）",
                "宜昌市伍家岗区人民政府水果湖街道办事处",
            ),
            (
                "襄阳市襄城区人民政府八一桥街道办事处城管办",
                "襄阳市襄城区人民政府八一桥街道办事处",
            ),
            // A developer's sales office of no place.
            (
                "凯源置业（阜阳）有限公司（营销中心）",
                "凯源置业（阜阳）有限公司",
            ),
            (
                "泰澜（咸宁）房地产开发有限公司营销中心",
                "泰澜（咸宁）房地产开发有限公司",
            ),
        ] {
            let (u, c) = (key(unit), key(company));
            assert_eq!(
                (&u.core, &u.form, &u.branch),
                (&c.core, &c.form, &c.branch),
                "{unit}"
            );
        }
        // A 厂 of its own is a form still (老刘汽修厂).
        assert_eq!(key("青岛市市北区老刘汽修厂").form.as_deref(), Some("厂"));
    }

    #[test]
    fn a_city_ending_in_a_shops_word_is_no_shop() {
        let regions = Regions::builtin().unwrap();
        let key = |name: &str| company_key(name, &regions);
        let k = key("诚泉雪佛兰（驻马店）");
        assert_eq!((k.core.as_str(), k.branch.as_deref()), ("诚泉雪佛兰", None));
        assert_eq!(k.region.and_then(|r| r.city).as_deref(), Some("驻马店"));
        let k = key("河南发佳汽车销售服务有限公司驻马店长安分公司");
        assert_eq!(
            (k.core.as_str(), k.form.as_deref()),
            ("发佳汽车销售服务", Some("有限公司"))
        );
        assert!(k.branch.is_some_and(|b| b.ends_with("长安分公司")));
        // A shop's store stays one (益德家政服务(南京)(五一广场分店)).
        assert_eq!(
            key("奥兴大药房（开福店）").branch.as_deref(),
            Some("开福店")
        );
    }

    #[test]
    fn long_industry_words_are_read_as_their_short_form() {
        let regions = Regions::builtin().unwrap();
        let core = |name: &str| company_key(name, &regions).core;
        for (short, long) in [
            ("佳豪驾校", "青岛佳豪机动车驾驶培训有限公司"),
            ("路恒驾校", "石家庄路恒机动车驾驶员培训有限公司"),
            ("成邦租车", "青岛成邦汽车租赁有限公司"),
            ("源豪租车", "烟台源豪汽车租赁服务有限公司"),
            ("济南公交集团", "济南公共交通集团有限责任公司"),
            ("龙越危运", "郑州龙越危险货物运输有限公司"),
            ("源兴出租", "太原源兴出租车有限公司"),
            ("朔州老冯汽修", "朔州市朔城区老冯汽车维修部"),
            ("老许汽修", "沧州市任丘市老许汽车修理厂"),
            ("诚立汽修", "淄博市博山区诚立快修店"),
            ("成金汽修", "山东聊城市临清市成金汽车维修中心"),
        ] {
            assert_eq!(core(short), core(long), "{short} {long}");
        }
        // Their 字号 is what stands before them.
        assert_eq!(company_key("佳豪驾校", &regions).trade, "佳豪");
        // A government's bureaus and rural banks, long and short, the county with its 县 or
        // without; two bureaus stay two.
        let key = |name: &str| company_key(name, &regions);
        for (short, long) in [
            ("永胜医保局", "永胜县医疗保障局"),
            ("达州人社局", "四川省达州市人力资源和社会保障局"),
            ("大英交警大队", "大英县公安局交通警察大队"),
            ("五通桥区经信局", "乐山市五通桥区经济和信息化局"),
            ("泸州政府办", "泸州市人民政府办公室"),
            ("宣威农商行", "云南宣威农村商业银行股份有限公司"),
            ("城北街办", "城北街道办事处"),
            ("府城街道办", "乐至县府城街道办事处"),
            ("会理法院", "会理市人民法院"),
            ("玉龙纳西族自治县法院", "玉龙纳西族自治县人民法院"),
            ("峰星律所", "贵州峰星律师事务所"),
            ("江津区农业农村局", "重庆市江津区农业农村局"),
            ("硚口区人力局", "武汉市硚口区人力资源和社会保障局"),
            ("长沙县财政居", "长沙市长沙县财政局"),
            ("会理市水利居", "会理市水利局"),
        ] {
            let (s, l) = (key(short), key(long));
            assert_eq!(s.core, l.core, "{short} {long}");
        }
        assert_ne!(core("永胜县医疗保障局"), core("永胜县人力资源和社会保障局"));
        assert_ne!(core("泸州市人民政府"), core("泸州市人民政府办公室"));
        // The words alone are the core (济南公交), and another garage's form leaves the words be.
        assert_eq!(core("济南公共交通"), "公交");
        assert_eq!(core("常州市天宁区优林家电维修部"), "优林家电");
    }

    #[test]
    fn a_chains_branch_is_read_without_the_chains_form() {
        let regions = Regions::builtin().unwrap();
        let key = |name: &str| company_key(name, &regions);
        for (short, full) in [
            (
                "广东正欣便利店连锁黄埔分公司",
                "广东正欣便利店连锁有限公司黄埔分公司",
            ),
            (
                "上海泰星餐饮连锁奉贤分公司",
                "上海泰星餐饮连锁有限公司奉贤分公司",
            ),
        ] {
            let (s, f) = (key(short), key(full));
            assert_eq!((&s.core, &s.branch), (&f.core, &f.branch), "{short}");
        }
        // A city after the industry words starts the branch's place.
        let k = key("豪鸿餐饮惠州惠阳中心分店-杨总");
        assert_eq!(
            (k.core.as_str(), k.branch.as_deref()),
            ("豪鸿餐饮", Some("惠州惠阳中心分店"))
        );
        // A chain's store by a city and a street in it: the street's store.
        let k = key("中立便利店广州海珠东路店");
        assert_eq!(k.branch.as_deref(), Some("海珠东路店"));
        // A shipper's units belong to it, after a branch too.
        let k = key("捷威餐饮福州仓山广场分店收货部");
        assert_eq!(k.branch, key("捷威餐饮福州仓山广场分店").branch);
        assert_eq!(
            key("东莞市精通跨境电子商务有限公司-成品仓").core,
            key("东莞市精通跨境电子商务有限公司").core
        );
        // A bank branch's services, a union's, a trading company's liquor counter.
        for (unit, of) in [
            ("郑州银行金水支行后勤处", "郑州银行金水支行"),
            (
                "济南瑞力机械有限公司工会委员会后勤处",
                "济南瑞力机械有限公司工会委员会",
            ),
            ("菏泽惠业商贸有限公司烟酒专柜", "菏泽惠业商贸有限公司"),
            // After the industry words of a short name too.
            ("天辉酒水批发收货部", "天辉酒水批发"),
        ] {
            let (u, o) = (key(unit), key(of));
            assert_eq!((&u.core, &u.branch), (&o.core, &o.branch), "{unit}");
        }
        // A place after the industry words, or a street after a two-character 字号.
        for (name, core, branch) in [
            ("博邦餐饮塘厦分店", "博邦餐饮", "塘厦分店"),
            // 南安市 a county-level city, the name's district.
            ("南安市悦致餐饮管理南安分店", "悦致餐饮管理", "南安分店"),
            ("民生春熙路分公司", "民生", "春熙路分公司"),
            ("民生大药房春熙路分公司", "民生大药房", "春熙路分公司"),
        ] {
            let k = key(name);
            assert_eq!(
                (k.core.as_str(), k.branch.as_deref()),
                (core, Some(branch)),
                "{name}"
            );
        }
        assert_eq!(
            key("南安市悦致餐饮管理南安分店").core,
            key("南安市悦致餐饮管理有限公司南安分店").core
        );
        // Industry words are no place (华远软件科技|分公司).
        let k = key("华远软件科技分公司");
        assert_eq!(
            (k.core.as_str(), k.branch.as_deref()),
            ("华远软件科技", Some("分公司"))
        );
        // Without industry words before it, a city is not told from the 字号 (捷威福州…).
        assert_eq!(key("北京华远软件科技有限公司").branch, None);
    }

    #[test]
    fn a_latin_name_spells_the_trade_name_in_pinyin() {
        assert_eq!(trade_spellings("创驰"), ["chuangchi"]);
        // Every reading: 长 is chang in 长衡 as in 长沙.
        assert!(trade_spellings("长衡").contains(&"changheng".to_string()));
        assert!(trade_spellings("华").is_empty());
        assert!(trade_spellings("华远ab").is_empty());
        let words = latin_words("Shenzhen Chuangchi Auto Components Co., Ltd.").unwrap();
        assert_eq!(
            words,
            ["shenzhen", "chuangchi", "auto", "components", "co", "ltd"]
        );
        assert!(latin_words("深圳创驰").is_none());
        assert!(spells(&words, &trade_spellings("创驰")));
        // Two words run together, and nothing else.
        let words = latin_words("Wuxi Mei Mai Environmental Testing").unwrap();
        assert!(spells(&words, &trade_spellings("美迈")));
        assert!(!spells(&words, &trade_spellings("美达")));
        assert!(!spells(&latin_words("Standard Co").unwrap(), &["anda"]));
        // A place's pinyin is known, so that Baoding Jiahang is no 宝鼎.
        let places = regions().latin_spellings();
        assert!(places.contains(&"baoding".to_string()) && places.contains(&"wuxi".to_string()));
    }

    #[test]
    fn a_contact_typed_after_the_name_is_not_the_name() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        for (typed, name) in [
            ("捷乐检测-郭经理", "捷乐检测"),
            ("华远-王总", "华远"),
            ("启安服装加工—梁老板", "启安服装加工"),
            ("福州恒荣光电有限公司-姚总", "福州恒荣光电有限公司"),
            ("华远软件_欧阳总", "华远软件"),
            ("雨花亭街道 林经理", "雨花亭街道"),
            ("华远科技有限公司　王总", "华远科技有限公司"),
        ] {
            assert_eq!(key(typed), key(name), "{typed}");
            assert_eq!(
                canonical_name(typed, &regions),
                canonical_name(name, &regions)
            );
        }
        // With an industry word after the separator, the text is the name's (a full name after
        // one is cut as a note: see a_service_calls_note_is_no_part_of_the_name);
        // without a separator, see a_person_typed_right_after_the_name_is_no_part_of_it.
        for kept in ["南京昌托-化工", "华远-王总监理工程", "华远 科技"] {
            assert_eq!(without_contact(kept), kept);
        }
    }

    #[test]
    fn a_district_before_a_branch_is_where_the_branch_is() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        // Without a form, a district after the industry words is the branch's location.
        for (name, core, branch) in [
            (
                "乌鲁木齐信联建筑工程瓯海区分公司",
                "信联建筑工程",
                "瓯海区分公司",
            ),
            ("志方农业红谷滩区分公司", "志方农业", "红谷滩区分公司"),
            (
                "乌鲁木齐信联建筑工程有限责任公司瓯海区分公司",
                "信联建筑工程",
                "瓯海区分公司",
            ),
        ] {
            let k = key(name);
            assert_eq!(
                (k.core.as_str(), k.branch.as_deref()),
                (core, Some(branch)),
                "{name}"
            );
        }
        // A zone is a word of its own: split off with or without industry words before it.
        for name in ["武汉兴迅开发区分店", "武汉兴迅商贸开发区分店"] {
            assert_eq!(key(name).branch.as_deref(), Some("开发区分店"), "{name}");
        }
        // A place of two characters after the industry words is the branch's too
        // (place_after_trade); without industry words, nothing is split off.
        assert_eq!(key("华远物流港区分公司").core, "华远物流");
        assert_eq!(
            key("华远物流港区分公司").branch.as_deref(),
            Some("港区分公司")
        );
        assert_eq!(key("华远港区分公司").branch.as_deref(), Some("分公司"));
    }

    #[test]
    fn a_small_business_keeps_its_district() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let shop = key("徐州市鼓楼区张敏服装店");
        assert_eq!(shop.district.as_deref(), Some("鼓楼区"));
        assert_eq!(
            (shop.core.as_str(), shop.form.as_deref()),
            ("张敏服装", Some("店"))
        );
        assert_eq!(shop.region.unwrap().city.as_deref(), Some("徐州"));
        // A district written without its city.
        let alone = key("铁西区黄玲健汽车维修店");
        assert_eq!(alone.district.as_deref(), Some("铁西区"));
        assert_eq!((alone.core.as_str(), alone.region), ("黄玲健汽修", None));
        assert_eq!(key("北京华远软件科技有限公司").district, None);
        assert_eq!(
            key("北京市海淀区华远软件科技有限公司").district.as_deref(),
            Some("海淀区")
        );
        // Not a district: the name's own 新区 (followed by industry words only).
        assert_eq!(key("苏州华远新区开发有限公司").district, None);
        // The district is not part of the canonical name a load keys companies by.
        assert_eq!(
            key("北京市海淀区华远软件科技有限公司").canonical(),
            key("北京华远软件科技有限公司").canonical()
        );
    }

    #[test]
    fn a_funds_series_and_an_institutions_ordinal_are_read_from_the_core() {
        let regions = regions();
        let of = |name: &str| {
            let core: Vec<char> = company_key(name, &regions).core.chars().collect();
            serial(&core)
        };
        let series = |number| {
            Some(Serial {
                number,
                series: true,
            })
        };
        let ordinal = |number| {
            Some(Serial {
                number,
                series: false,
            })
        };
        assert_eq!(
            of("呼和浩特思纳二期股权投资基金合伙企业(有限合伙)"),
            series(2)
        );
        assert_eq!(of("桦安1期基金"), series(1));
        assert_eq!(of("合肥桦安一期产业投资合伙企业（有限合伙）"), series(1));
        assert_eq!(of("上海市第十二中学"), ordinal(12));
        assert_eq!(of("上海市第十四中学"), ordinal(14));
        assert_eq!(of("绍兴市第二十一中学"), ordinal(21));
        assert_eq!(of("嘉兴普宏建设集团第五工程有限公司"), ordinal(5));
        assert_eq!(of("杭州萧山四中"), ordinal(4));
        assert_eq!(of("上海鹰启五建"), ordinal(5));
        assert_eq!(of("中建五局"), ordinal(5));
        assert_eq!(of("中铁十一局"), ordinal(11));
        assert_eq!(of("北京市第2中学"), of("北京市第二中学"));
        assert_eq!(of("Wuxi Ruizhen Fund 3 LP"), series(3));
        // A product, a project, a word: no number.
        assert_eq!(of("统一期货有限公司"), None);
        assert_eq!(of("联正软件科技-二期项目"), None);
        assert_eq!(of("万河二期工程技术有限公司"), None);
        assert_eq!(of("三一重工股份有限公司"), None);
        assert_eq!(of("北京华远五金机电有限公司"), None);
        assert_eq!(of("四川华远科技有限公司"), None);
        // A note after the form is not part of the core.
        assert_eq!(of("广东新融食品有限公司/二期"), None);
        assert_eq!(of("厦门拓顺光电科技/二期"), None);
        assert_eq!(numeral_value(&['十']), Some(10));
        assert_eq!(numeral_value(&['一', '二']), Some(12));
        assert_eq!(numeral_value(&['十', '十']), None);
        assert_eq!(series(3).map(|s| s.shown()).as_deref(), Some("3期"));
        assert_eq!(ordinal(12).map(|s| s.shown()).as_deref(), Some("第12"));
    }

    #[test]
    fn a_companys_trade_union_is_not_the_company() {
        let regions = regions();
        for (name, core, branch) in [
            ("金华佳溪机械有限公司工会委员会", "佳溪机械", "工会委员会"),
            ("朝阳柏品医疗器械工会委员会", "柏品医疗器械", "工会委员会"),
            ("防城港太华机电设备有限公司工会", "太华机电设备", "工会"),
            ("北京海臻机械有限公司（工会）", "海臻机械", "工会"),
        ] {
            let k = company_key(name, &regions);
            assert_eq!(
                (k.core.as_str(), k.branch.as_deref()),
                (core, Some(branch)),
                "{name}"
            );
        }
        // The company itself has none.
        assert_eq!(
            company_key("柏品医疗器械（朝阳）有限公司", &regions).branch,
            None
        );
    }

    #[test]
    fn forms_make_kinds_of_legal_person() {
        let regions = regions();
        let kind =
            |name: &str| form_kind(company_key(name, &regions).form.as_deref().unwrap_or(""));
        assert_eq!(kind("深圳欣晨粮食种植有限公司"), 1);
        assert_eq!(kind("华远集团"), 1);
        assert_eq!(kind("龙华区欣晨粮食种植专业合作社"), 2);
        assert_eq!(kind("华远咨询合伙企业(有限合伙)"), 3);
        assert_eq!(kind("华远个人独资企业"), 4);
        assert_eq!(kind("徐州市鼓楼区张敏服装店"), 5);
        // A chain's store after its shop's 店 is no 个体工商户.
        assert_eq!(key_kind(&company_key("源盛便利店广州番禺店", &regions)), 0);
        assert_eq!(
            key_kind(&company_key("徐州市鼓楼区张敏服装店", &regions)),
            5
        );
        assert_eq!(kind("成都市郫都区亨璟电子产品批发部"), 5);
        assert_eq!(kind("温州鹿城区华远建材经销部"), 5);
        assert_eq!(kind("常州市天宁区优林家电维修部"), 5);
        assert_eq!(
            company_key("成都市郫都区亨璟电子产品批发部", &regions).core,
            "亨璟电子产品"
        );
        // A hotel or a restaurant is no shop; a firm may be either; a factory says nothing.
        assert_eq!(company_key("咖盛酒店", &regions).form, None);
        assert_eq!(company_key("北京华远饭店", &regions).form, None);
        assert_eq!(kind("长沙市顺晨会计师事务所"), 0);
        assert_eq!(kind("华远机械厂"), 0);
        // A shop registered as a 馆, without a form; not a hotel's or an institution's 馆.
        let key_kind = |name: &str| key_kind(&company_key(name, &regions));
        assert_eq!(key_kind("仓山区老赵土菜馆"), 5);
        assert_eq!(key_kind("深圳市宝安区曾记饺子馆"), 5);
        assert_eq!(key_kind("福州老赵餐饮股份有限公司"), 1);
        assert_eq!(key_kind("苏州永源宾馆"), 0);
        assert_eq!(key_kind("南京图书馆"), 0);
        assert_eq!(key_kind("华远餐馆有限公司"), 1);
        // A family farm, written short as 农场; a union of co-operatives; a farmers'
        // co-operative, written short.
        assert_eq!(kind("夏津县陈宝山家庭农场"), 6);
        assert_eq!(company_key("谢保国农场", &regions).core, "谢保国");
        assert_eq!(kind("平舆县田新农民专业合作社联合社"), 7);
        assert_eq!(kind("谷绿联合社"), 7);
        let coop = company_key("睢县大王镇野隆林果农民专业合作社", &regions);
        assert_eq!(coop.form.as_deref(), Some("专业合作社"));
        assert!(!coop.core.contains("农民"));
        assert_eq!(form_class("合作社"), form_class("专业合作社"));
        // Two registrations: a co-operative and a member's farm, a farm and its owner's shop,
        // a co-operative and its union; not a family farm and a company (…家庭农场有限公司).
        assert!(two_registrations(2, 6) && two_registrations(6, 5) && two_registrations(2, 7));
        assert!(!two_registrations(6, 1) && !two_registrations(1, 6));
        assert!(!two_registrations(0, 6) && !two_registrations(6, 6));
    }

    #[test]
    fn a_hotel_and_the_company_running_it_are_two_when_written_out() {
        let regions = regions();
        let sectors = |name: &str| {
            let k = company_key(name, &regions);
            industry_sectors(&k.core[k.trade.len()..]).unwrap()
        };
        let (hotel, manager) = (
            sectors("北京和祥大酒店有限公司"),
            sectors("北京和祥酒店管理有限公司"),
        );
        assert_eq!(sectors("南京鼎鑫宾馆有限公司"), hotel);
        assert_eq!(hotel & manager, 0);
        // A short name drops 管理: 誉振酒店 may be 广州誉振酒店管理有限公司.
        assert_ne!(short_name_sectors(hotel) & short_name_sectors(manager), 0);
    }

    #[test]
    fn a_trading_companys_signboard_names_the_liquor_it_sells() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let sectors = |name: &str| {
            let k = key(name);
            industry_sectors(&k.core[k.trade.len()..]).unwrap()
        };
        for name in ["荣福酒业", "众鑫副食批发", "喜祥糖酒站", "夏记名烟名酒店"]
        {
            assert_eq!(key(name).trade.chars().count(), 2, "{name}");
        }
        // 名烟名酒店 is a shop, not a hotel.
        assert_eq!(key("夏记名烟名酒店").form.as_deref(), Some("店"));
        let (trading, liquor, food) = (
            sectors("郑州市荣福商贸有限公司"),
            sectors("荣福酒业"),
            sectors("宇德食品有限公司"),
        );
        // Written out, 商贸 and 酒业 are two companies; the signboard may be the trading one's.
        assert_eq!(trading & liquor, 0);
        assert_ne!(short_name_sectors(trading) & short_name_sectors(liquor), 0);
        // A wholesaler of liquor is in food; a trading company is not thereby a food one.
        assert_ne!(short_name_sectors(liquor) & short_name_sectors(food), 0);
        assert_eq!(short_name_sectors(trading) & short_name_sectors(food), 0);
    }

    #[test]
    fn industry_words_name_their_sectors() {
        let sectors = |text: &str| industry_sectors(text);
        // Not industry words at all.
        assert_eq!(sectors(""), None);
        assert_eq!(sectors("华远"), None);
        assert_eq!(sectors("软件科枝"), None);
        // Generic words name no sector.
        assert_eq!(sectors("科技"), Some(0));
        assert_eq!(sectors("实业发展"), Some(0));
        // 企业管理咨询 read whichever way it splits: the 字号 is what is left before it.
        let regions = regions();
        let key = company_key("常州昊领企业管理咨询有限公司", &regions);
        assert_eq!(
            (key.trade.as_str(), key.core.as_str()),
            ("昊领", "昊领企业管理咨询")
        );
        assert_eq!(sectors("企业管理咨询"), Some(1 << CONSULT));
        let apart = |a: &str, b: &str| {
            let (x, y) = (sectors(a).unwrap(), sectors(b).unwrap());
            x != 0 && y != 0 && x & y == 0
        };
        // Two trades.
        assert!(apart("小额贷款", "置业"));
        assert!(apart("生物科技", "教育科技"));
        assert!(apart("家具", "电子商务"));
        assert!(apart("健康管理", "生物科技"));
        // One trade, written two ways, or a generic word against a trade.
        assert!(!apart("进出口", "外贸"));
        assert!(!apart("药业", "制药"));
        assert!(!apart("网络科技", "信息技术"));
        assert!(!apart("机械", "设备"));
        assert!(!apart("软件开发", "科技"));
        assert!(!apart("五金机电", "机电"));
        assert!(is_industry_words("机械设备") && !is_industry_words("华远"));
    }

    #[test]
    fn builtin_regions_are_complete() {
        let regions = regions();
        // 34 provincial-level divisions; 333 prefecture-level: 293 cities, 7 地区, 30 自治州, 3 盟.
        assert_eq!(regions.counts(), (34, 333));
        let file: RegionFile = crate::rules::parse_toml(REGIONS, "regions.toml").unwrap();
        let cities = file.provinces.iter().flat_map(|p| &p.cities);
        let ending = |suffix: &str| cities.clone().filter(|c| c.name.ends_with(suffix)).count();
        assert_eq!(ending("市"), 293);
        assert_eq!(ending("地区"), 7);
        assert_eq!(ending("自治州"), 30);
        assert_eq!(ending("盟"), 3);
        for city in cities {
            assert!(city.name.starts_with(&city.short), "{}", city.name);
        }
        let kinds = |kind| file.provinces.iter().filter(|p| p.kind == kind).count();
        assert_eq!(kinds(ProvinceKind::Province), 23);
        assert_eq!(kinds(ProvinceKind::Municipality), 4);
        assert_eq!(kinds(ProvinceKind::AutonomousRegion), 5);
        assert_eq!(kinds(ProvinceKind::SpecialAdministrativeRegion), 2);
    }

    #[test]
    fn region_file_errors_name_the_key() {
        let bad = |text: &str| {
            Regions::parse(text, "regions.toml")
                .unwrap_err()
                .to_string()
        };
        let province = |cities: &str| {
            format!("[[provinces]]\nname = \"广东省\"\nshort = \"广东\"\nkind = \"province\"\ncities = [{cities}]\n")
        };
        let twice = province(
            r#"{ name = "深圳市", short = "深圳" }, { name = "深圳地区", short = "深圳" }"#,
        );
        assert!(
            bad(&twice).contains("provinces[0].cities[1].short"),
            "{}",
            bad(&twice)
        );
        let spaced = province(r#"{ name = "深圳 市", short = "深圳" }"#);
        assert!(
            bad(&spaced).contains("provinces[0].cities[0].name"),
            "{}",
            bad(&spaced)
        );
        let kind = "[[provinces]]\nname = \"广东省\"\nshort = \"广东\"\nkind = \"state\"\n";
        assert!(bad(kind).contains("provinces[0].kind"), "{}", bad(kind));
    }

    #[test]
    fn load_prefers_the_rules_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Regions::load(dir.path()).unwrap().counts(), (34, 333));
        std::fs::create_dir(dir.path().join("reference")).unwrap();
        std::fs::write(
            dir.path().join("reference/regions.toml"),
            "[[provinces]]\nname = \"北京市\"\nshort = \"北京\"\nkind = \"municipality\"\n",
        )
        .unwrap();
        let regions = Regions::load(dir.path()).unwrap();
        assert_eq!(regions.counts(), (1, 0));
        assert_eq!(company_key("深圳华远科技", &regions).region, None);
    }

    #[test]
    fn normalises() {
        let cases = [
            ("華遠軟件（北京）有限公司", "华远软件(北京)有限公司"),
            ("ＡＢＣ　Co., Ltd.", "abccoltd"),
            ("华远·科技 【深圳】", "华远科技(深圳)"),
            ("华远\u{200B}科技\t", "华远科技"),
            ("Ⅲ华远", "iii华远"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize(raw), want, "{raw}");
            assert_eq!(normalize(want), want, "{want}");
        }
    }

    #[test]
    fn traditional_table_flags_what_fast2s_changes() {
        for c in ['華', '遠', '軟', '體', '著', '乾'] {
            let u = c as usize;
            assert!(TRADITIONAL[u / 64] & (1 << (u % 64)) != 0, "{c}");
        }
        for c in ['华', '远', '软', '北', '京'] {
            let u = c as usize;
            assert!(TRADITIONAL[u / 64] & (1 << (u % 64)) == 0, "{c}");
        }
    }

    #[test]
    fn districts() {
        fn len(text: &str) -> Option<&str> {
            district_len(text).map(|n| &text[..n])
        }
        assert_eq!(len("海淀区华远"), Some("海淀区"));
        assert_eq!(len("浦东新区华远"), Some("浦东新区"));
        assert_eq!(len("涞水县华远"), Some("涞水县"));
        assert_eq!(len("工业园区华远"), Some("工业园区"));
        assert_eq!(len("经济技术开发区华远"), Some("经济技术开发区"));
        assert_eq!(len("华远科技"), None);
        assert_eq!(len("华远区块链"), None);
        assert_eq!(len("东方社区"), None);
        assert_eq!(len("华远小区物业"), None);
        assert_eq!(len("华远科技园区"), None);
        assert_eq!(len("区华远"), None);
        assert_eq!(len("(北京)区"), None);
        // A county-level city; not a word with 市 in it.
        assert_eq!(len("深州市富利"), Some("深州市"));
        assert_eq!(len("公主岭市华远"), Some("公主岭市"));
        assert_eq!(len("华远市政工程"), None);
        assert_eq!(len("北方超市华远"), None);
        assert_eq!(len("鑫都市广告"), None);
        // After its city only: at the start of a name, 金化市 is 金华市 mistyped.
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        assert_eq!(
            key("衡水市深州市富利家庭农场").district.as_deref(),
            Some("深州市")
        );
        assert_eq!(key("衡水市深州市富利家庭农场").core, "富利");
        assert_eq!(key("金化市第二中学").district, None);
    }

    #[test]
    fn a_county_in_brackets_is_the_names_district() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let k = key("兴汇能源科技（虞城县）有限公司");
        assert_eq!(
            (k.core.as_str(), k.district.as_deref()),
            ("兴汇能源科技", Some("虞城县"))
        );
        assert_eq!(key("虞城县兴汇能源科技有限公司").core, k.core);
        // Short, right before the form: where the rules for names put the place.
        let k = key("远达绿色能源（稷山）有限公司");
        assert_eq!(
            (k.core.as_str(), k.district.as_deref()),
            ("远达绿色能源", Some("稷山"))
        );
        // Not a place: (国际), a site's area after a co-operative's name.
        assert_eq!(key("华远（国际）有限公司").district, None);
        let k = key("阎湾食用菌种植合作社（大棚区）");
        assert_eq!(k.district, None);
    }

    #[test]
    fn a_callers_note_in_brackets_is_no_part_of_the_name() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let plain = key("乐陵市财政局").core;
        for noted in [
            "乐陵市财政局（电工：监控离线）",
            "乐陵市财政局(老板娘：问补贴到账）",
            "乐陵市财政局（门卫来电）",
            "乐陵市财政局(村会计来电)",
        ] {
            assert_eq!(key(noted).core, plain, "{noted}");
        }
        // A colon outside brackets, or brackets alone, are the name's.
        assert_eq!(
            without_call_note("（电工：监控离线）"),
            "（电工：监控离线）"
        );
        assert_eq!(without_call_note("华远（北京）"), "华远（北京）");
    }

    #[test]
    fn a_grid_company_is_read_by_its_place_however_written() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let grid = |name: &str| {
            let k = key(name);
            (k.core, k.branch, k.region.map(|r| r.province))
        };
        let xihua = (
            "国家电网西华".to_string(),
            Some("西华供电分公司".to_string()),
            Some("河南".to_string()),
        );
        assert_eq!(grid("国网河南省电力公司西华县供电公司"), xihua);
        assert_eq!(grid("國網河南省電力公司西華縣供電公司"), xihua);
        // Its units and remarks; the name cut short after the county.
        assert_eq!(grid("国网河南省电力公司西华县供电公司 小连供电所"), xihua);
        assert_eq!(grid("国网河南省电力公司西华县供电公司(邵坡供电所)"), xihua);
        assert_eq!(grid("国网河南省电力公司西华县供电公司（张经理来电)"), xihua);
        assert_eq!(grid("国网河南省电力公司西华县供电公司营销部"), xihua);
        assert_eq!(grid("国网河南省电力公司西华县"), xihua);
        assert_eq!(grid("国网河南省电力公司西华供电"), xihua);
        // Short, the province company left out: the branch of that place.
        for short in ["国网西华县供电公司", "西华县供电局", "西华县供电公司"]
        {
            let (core, branch, _) = grid(short);
            assert_eq!(
                (core.as_str(), branch.as_deref()),
                ("国家电网西华", Some("西华供电分公司")),
                "{short}"
            );
        }
        // 供电分公司 as 供电公司; a city's by the city.
        assert_eq!(
            grid("国网河北省电力有限公司邯郸供电分公司").1,
            grid("国网河北省电力有限公司邯郸供电公司").1
        );
        assert_eq!(grid("济宁供电").1, grid("国网山东省电力公司济宁供电公司").1);
        assert_eq!(
            grid("国网冀北电力有限公司康保供电公司").2.as_deref(),
            Some("河北")
        );
        // The provincial company, a department of it.
        for head in [
            "国网河南省电力公司",
            "国网河南电力",
            "国网河南省电力公司发展策划部",
        ] {
            assert_eq!(
                grid(head),
                ("国家电网".into(), None, Some("河南".into())),
                "{head}"
            );
        }
        assert_ne!(
            key("国网河南省电力公司").canonical(),
            key("国网山东省电力公司").canonical()
        );
        assert_eq!(
            canonical_name("西华县供电局", &regions),
            canonical_name("国网西华县供电公司", &regions)
        );
        // The database's key, worked out alone, is the key's canonical spelling.
        for name in [
            "国网河南省电力公司西华县供电公司（张经理来电)",
            "西华县供电局",
            "国网河南省电力公司",
            "霍州市砖庙镇杨口村股份经济合",
            "杨口村村委会村部",
        ] {
            assert_eq!(
                canonical_name(name, &regions),
                key(name).canonical(),
                "{name}"
            );
        }
        // Other companies with 电力 or 供电 in their names.
        for other in [
            "西华县供电服务有限公司",
            "山东电力工程咨询院",
            "山东电力建设第三工程有限公司",
            "河南京原电力科技有限公司",
            "华远供电设备有限公司",
        ] {
            assert!(!key(other).core.starts_with("国家电网"), "{other}");
        }
    }

    #[test]
    fn a_village_is_read_with_its_committee_or_its_collective() {
        let regions = regions();
        let key = |name: &str| company_key(name, &regions);
        let village = |name: &str| {
            let k = key(name);
            (k.core, k.form, k.district)
        };
        let committee = |county: Option<&str>| {
            (
                "杨口村".to_string(),
                Some("村民委员会".to_string()),
                county.map(String::from),
            )
        };
        assert_eq!(
            village("霍州市砖庙镇杨口村民委员会"),
            committee(Some("霍州市"))
        );
        assert_eq!(
            village("山西省临汾市霍州市砖庙镇杨口村委会"),
            committee(Some("霍州市"))
        );
        assert_eq!(village("砖庙镇杨口村村委"), committee(None));
        assert_eq!(village("杨口村村委会村部"), committee(None));
        assert_eq!(village("杨口村民委员会(监控离线)"), committee(None));
        assert_eq!(
            key("山西省临汾市霍州市砖庙镇杨口村委会")
                .region
                .unwrap()
                .city
                .as_deref(),
            Some("临汾")
        );
        let collective = Some("村集体经济组织".to_string());
        for name in [
            "霍州市砖庙镇杨口村股份经济合作社",
            "霍州市砖庙镇杨口村股份经济合",
            "霍州市砖庙镇杨口村股",
            "杨口村经济合作社",
            "杨口村集体（冷库）",
        ] {
            assert_eq!(village(name).1, collective, "{name}");
            assert_eq!(village(name).0, "杨口村", "{name}");
        }
        // 村合作社: the collective or a farmers' co-operative named after the village.
        assert_eq!(village("胡口村合作社"), ("胡口村".to_string(), None, None));
        // The village alone, a project on its roofs: which of the two is not said.
        assert_eq!(village("砖庙镇杨口村（屋顶光伏）").1, None);
        assert_eq!(village("砖庙镇杨口村（屋顶光伏）").0, "杨口村");
        // Two kinds of legal person.
        assert!(two_registrations(
            key("杨口村民委员会").form.as_deref().map_or(0, form_kind),
            key("杨口村股份经济合作社")
                .form
                .as_deref()
                .map_or(0, form_kind)
        ));
        // Not a village's organisation.
        for other in [
            "杨口村卫生室",
            "杨口村镇银行",
            "马村区交通局",
            "莒县郭圈中药材种植专业合作社",
        ] {
            assert_ne!(village(other).0, "杨口村", "{other}");
            assert!(
                !matches!(
                    key(other).form.as_deref(),
                    Some("村民委员会" | "村集体经济组织")
                ),
                "{other}"
            );
        }
    }

    #[test]
    fn branch_locations() {
        let regions = regions();
        let branch = |name: &'static str| split_branch(name, &regions);
        let cases = [
            ("华远有限公司上海分公司", "华远有限公司", Some("上海分公司")),
            (
                "华远有限公司广东省深圳市分公司",
                "华远有限公司",
                Some("深圳分公司"),
            ),
            ("华远维修服务部", "华远维修服务部", None),
            ("分公司", "", Some("分公司")),
            ("华远有限公司", "华远有限公司", None),
            // In brackets of its own, after a bracketed region or the form.
            (
                "益德家政服务(南京)(五一广场分店)",
                "益德家政服务(南京)",
                Some("五一广场分店"),
            ),
            (
                "华远有限公司(上海分公司)",
                "华远有限公司",
                Some("上海分公司"),
            ),
            ("华远有限公司(分公司)", "华远有限公司", Some("分公司")),
            // A liaison office or a sales centre in another city: a unit of the company.
            (
                "贵阳银润商务服务集团有限公司南京联络处",
                "贵阳银润商务服务集团有限公司",
                Some("南京联络处"),
            ),
            (
                "丰腾建材集团有限公司岳阳营销中心",
                "丰腾建材集团有限公司",
                Some("岳阳营销中心"),
            ),
            // Without a company form before it, 服务中心 ends a registered name.
            ("益民家政服务中心", "益民家政服务中心", None),
            // A store of a chain named after the chain's shop (禾川便利店|南门店); not a place
            // with 店 in it (张店区), nor a long tail.
            (
                "武汉市江夏区禾川便利店南门店",
                "武汉市江夏区禾川便利店",
                Some("南门店"),
            ),
            ("淄博市张店区小陈奶茶店", "淄博市张店区小陈奶茶店", None),
            // A store named after its street on the signboard, with no form (佳宇食府|朝阳路店):
            // as (朝阳路店) in brackets; not a shop of one's own on a street (中山路烟酒店).
            ("佳宇食府朝阳路店", "佳宇食府", Some("朝阳路店")),
            ("龙昌羊肉汤馆郑汴路店", "龙昌羊肉汤馆", Some("郑汴路店")),
            ("中山路烟酒店", "中山路烟酒店", None),
            // After a form typed wrong, the branch is read as after the form.
            (
                "漯河龙康建设有限工司工会",
                "漯河龙康建设有限工司",
                Some("工会"),
            ),
            (
                "弘盛环境科技（苏州）有限公武汉分公司",
                "弘盛环境科技（苏州）有限公",
                Some("武汉分公司"),
            ),
            // A branch written with its city before its street is the street's; not before any
            // place (大同福田, 忻州福田).
            ("中原银行洛阳滨河路支行", "中原银行", Some("滨河路支行")),
            (
                "平畅汽车销售服务有限公司大同福田分公司",
                "平畅汽车销售服务有限公司",
                Some("大同福田分公司"),
            ),
            ("店小二餐饮店", "店小二餐饮店", None),
            // After a company's form, an individual business's form is the company's unit.
            ("华远科技有限公司经营部", "华远科技有限公司", Some("经营部")),
            (
                "常州市天宁区优林家电维修部",
                "常州市天宁区优林家电维修部",
                None,
            ),
        ];
        for (name, rest, marker) in cases {
            assert_eq!(
                branch(name),
                (rest, marker.map(String::from), false),
                "{name}"
            );
        }
        // A sales office of a place is a branch.
        assert_eq!(
            branch("利阳企业管理咨询(苏州)有限公司佛山营销中心"),
            (
                "利阳企业管理咨询(苏州)有限公司",
                Some("佛山营销中心".to_string()),
                false
            )
        );
        // A place after the industry words, without a marker: that place's branch, implied.
        for (name, rest, marker) in [
            ("同盈物业南昌", "同盈物业", "南昌分公司"),
            ("云茂物业武汉", "云茂物业", "武汉分公司"),
            ("汇辉物业肥东县", "汇辉物业", "肥东县分公司"),
            ("同洲物业君山区", "同洲物业", "君山区分公司"),
        ] {
            assert_eq!(
                branch(name),
                (rest, Some(marker.to_string()), true),
                "{name}"
            );
        }
        // A place in the 字号, a form at the end, or no 字号 before the trade: no branch.
        for name in [
            "南昌同盈物业",
            "同盈物业有限公司",
            "物业南昌",
            "华远科技园区",
            "宜昌君弘电气",
            "国药控股贵州",
        ] {
            assert_eq!(branch(name), (name, None, false), "{name}");
        }
    }

    #[test]
    fn regions_by_themselves() {
        let regions = regions();
        let region = |text: &str| regions.region(text);
        let at = |p: &str, c: Option<&str>| {
            Some(Region {
                province: p.into(),
                city: c.map(Into::into),
            })
        };
        assert_eq!(region("吉林"), at("吉林", None));
        assert_eq!(region("吉林市"), at("吉林", Some("吉林")));
        assert_eq!(region("海南州"), at("青海", Some("海南")));
        assert_eq!(region("博州"), at("新疆", Some("博尔塔拉")));
        assert_eq!(region("阿里"), at("西藏", Some("阿里")));
        assert_eq!(region("內蒙古自治區"), at("内蒙古", None));
        assert_eq!(region("廣東省深圳市南山區"), at("广东", Some("深圳")));
        assert_eq!(region("长城"), None);
    }

    proptest::proptest! {
        /// The one look first changes nothing.
        #[test]
        fn former_name_or_move_is_both(text in "[原曾用名称更前企业公司迁至往址入，（）华远软件 ]{0,12}") {
            proptest::prop_assert_eq!(
                former_name_or_move(&text),
                (former_name(&text), moved(&text))
            );
        }
    }
}
