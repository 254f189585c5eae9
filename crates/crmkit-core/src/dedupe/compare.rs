//! Comparing two records: per-record features computed once, then one comparison level per
//! configured comparison. Level 0 is always "missing" (either side empty: no evidence);
//! level 1 is the most similar, the last level "different".

use rustc_hash::FxHashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::config::{Comparison, Config, KeyPart, Kind};
use super::records::Records;
use crate::address::{self, AddressKey, AddressMatch};
use crate::company::{self, CompanyKey, Region, Regions};

/// At most this many comparisons: a comparison vector packs 4 bits per comparison in a `u64`.
pub const MAX_COMPARISONS: usize = 16;

/// The number of levels of a comparison, the missing level included.
pub fn level_count(kind: Kind, thresholds: usize) -> usize {
    match kind {
        Kind::Exact
        | Kind::Phones
        | Kind::FormerName
        | Kind::CompanyBranch
        | Kind::CompanySerial
        | Kind::CompanyTradeChars
        | Kind::CompanyBusiness => 3,
        Kind::CompanyForm => 5,
        Kind::JaroWinkler | Kind::Levenshtein | Kind::Bigram => thresholds + 3,
        Kind::CompanyRegion | Kind::Address => 4,
        Kind::Email => 5,
        Kind::Date => 5,
        Kind::CompanyCore => 5,
    }
}

/// The name of a level, for explanations and the model report.
pub fn level_label(c: &Comparison, level: u8) -> String {
    if level == 0 && c.kind == Kind::CompanyBusiness {
        return "行业词缺失或不在行业表里、无从比较, 或字号不同而行业相近 (不计分)".into();
    }
    if level == 0 && c.kind.is_company() {
        return "缺失或中英文名无从比较, 或一方的名称不指向企业 (小区、项目或个体经营者的名字; 不计分)".into();
    }
    if level == 0 && c.kind == Kind::Levenshtein {
        // A person's name: a form of address (陈总) is compared by its surname alone.
        return "缺失, 或同姓的称呼 (陈总 / 陈总、陈总 / 陈立冰: 不知是否同一人), 或一方是项目部而不同 (现场的联系人; 不计分)".into();
    }
    if level == 0 && matches!(c.kind, Kind::Phones | Kind::Email | Kind::Address) {
        return "缺失, 或一方是项目部而不同 (现场的联系方式; 不计分)".into();
    }
    if level == 0 {
        return "缺失 (一方为空, 不计分)".into();
    }
    let last = level_count(c.kind, c.thresholds.len()) as u8 - 1;
    let fixed: &[&str] = match c.kind {
        Kind::Exact => &["相同", "不同"],
        Kind::Phones => &["有相同号码", "没有相同号码"],
        Kind::Email => &["相同", "用户名相同、域名不同", "同一企业域名", "不同"],
        Kind::Date => &["相同", "日月颠倒或差一位数字", "同年", "不同"],
        Kind::CompanyCore => &[
            "核心名称相同",
            "字号相同, 行业词为简写或差一个字",
            "核心名称相似 (差一个字或二元组 Dice ≥ 0.5)",
            "核心名称不同",
        ],
        Kind::CompanyRegion => &["地区相同", "地区兼容 (省与其下的市)", "地区不同"],
        Kind::CompanyBranch => &[
            "同为总部或同一分支机构",
            "分支机构不同 (总部与分公司/办事处)",
        ],
        Kind::CompanySerial => &[
            "编号相同 (同为二期基金, 同为第二中学)",
            "编号不同 (一期 / 二期, 第七中学 / 第八中学), 或一方是某期基金、另一方没有期数",
        ],
        Kind::CompanyForm => &[
            "组织形式同类",
            "组织形式不同",
            "集团与其下属企业 (同一字号, 一方是集团, 另一方有集团没有的行业词)",
            "主体类型不同 (公司 / 合作社 / 合伙企业 / 个人独资企业 / 个体商户)",
        ],
        Kind::CompanyTradeChars => &["字号有相同的字", "字号没有一个相同的字"],
        Kind::FormerName => &[
            "一方备注中的原名是另一方的名称, 或备注说已迁址而另一方是它在原地的名称",
            "备注中的原名或迁址与另一方对不上",
        ],
        Kind::Address => &[
            "同一地址 (门牌相同, 楼层房间相同或一方未写)",
            "同一门牌, 楼层或房间不同",
            "地址不同 (路名或门牌号不同)",
        ],
        Kind::CompanyBusiness => &[
            "字号相同, 行业相同或相近 (或简写、笔误、通用词)",
            "行业不同 (两边的行业词没有共同的行业)",
        ],
        Kind::JaroWinkler | Kind::Levenshtein | Kind::Bigram => {
            return if level == 1 {
                "完全相同".into()
            } else if level == last {
                "不同".into()
            } else {
                let t = c.thresholds[level as usize - 2];
                match c.kind {
                    Kind::Levenshtein => format!("编辑距离 ≤ {t}"),
                    Kind::JaroWinkler => format!("Jaro-Winkler ≥ {t}"),
                    _ => format!("二元组 Dice ≥ {t}"),
                }
            };
        }
    };
    fixed
        .get(level as usize - 1)
        .copied()
        .unwrap_or("?")
        .to_string()
}

/// What a comparison reads from each record, computed once.
#[derive(Debug)]
enum Column {
    /// Lower-cased canonical text (empty when missing), and each value interned (0 = empty)
    /// so that equality is one integer compare; for e-mail comparisons, the address's parts;
    /// for edit distances, one bit per character (hashed), for a lower bound of the distance.
    Text {
        values: Vec<Box<str>>,
        ids: Vec<u32>,
        mail: Option<Vec<Mail>>,
        char_bits: Option<Vec<u64>>,
        /// For credit codes, the organisation code in each, packed (0 = none):
        /// [`organisation_code`].
        org: Option<Vec<u64>>,
    },
    /// Phone numbers as integers (empty when none).
    Phones(Vec<Box<[u64]>>),
    /// Company keys of a field: index into [`Features::companies`].
    Company(usize),
    /// Regions: the company name's, else the fallback fields' (shown, and interned codes), and
    /// the name's keys (index into [`Features::companies`] and [`Features::fast`], for the
    /// district as written and compared).
    Region(Vec<Option<Region>>, Vec<(u32, u32)>, usize),
    /// Street addresses: each record's key, and its street interned (0 = none), so that two
    /// streets are told apart by one integer compare.
    Address(Vec<AddressKey>, Vec<u32>),
    /// Each record's name, and what its remarks say of a former name or a move.
    Former(Formers),
}

/// What the remarks say of former names and moves ([`former_column`]), and every record's name
/// as far as they can match it.
#[derive(Debug)]
struct Formers {
    /// Every record's name, interned against the names the remarks give and the names of the
    /// records that moved, and only those: a part none of them has is [`NameId::OTHER`].
    names: Vec<NameId>,
    /// For each record, its entry in `given` plus one; 0 when its remarks say neither (most).
    slot: Vec<u32>,
    given: Vec<Given>,
}

/// A record's remarks: the former name they give (its keys, and the name as written), and
/// whether they say the company moved.
#[derive(Debug)]
struct Given {
    former: Option<(NameId, Box<str>)>,
    moved: bool,
}

impl Formers {
    fn given(&self, i: usize) -> Option<&Given> {
        match self.slot[i] {
            0 => None,
            s => self.given.get(s as usize - 1),
        }
    }

    /// 1 when one record's remarks name the other's company (its former name, or that it
    /// moved from there), 2 when remarks say either but do not, 0 when neither record's do.
    fn level(&self, a: usize, b: usize) -> u8 {
        let (ga, gb) = (self.given(a), self.given(b));
        if ga.is_none() && gb.is_none() {
            return 0;
        }
        let gives = |x: usize, g: Option<&Given>, y: usize| {
            g.is_some_and(|g| {
                g.former
                    .as_ref()
                    .is_some_and(|(f, _)| f.same_company(self.names[y]))
                    || (g.moved && self.names[x].same_name_elsewhere(self.names[y]))
            })
        };
        if gives(a, ga, b) || gives(b, gb, a) {
            1
        } else {
            2
        }
    }

    fn shown(&self, i: usize) -> String {
        match self.given(i) {
            Some(Given {
                former: Some((_, text)),
                ..
            }) => format!("原名 {text}"),
            Some(Given { moved: true, .. }) => "已迁址".into(),
            _ => String::new(),
        }
    }
}

/// A company name reduced to what tells one company from another, interned: the core, the
/// 字号, the branch, the province and city of the name (0 = none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct NameId {
    core: u32,
    trade: u32,
    branch: u32,
    province: u32,
    city: u32,
    district: u32,
    /// The core is a numbered institution's (第四幼儿园, 第二中学): a city's and a county's are
    /// two, so a district written on one side only differs.
    numbered: bool,
}

impl NameId {
    /// A part no name of the interner has: equal to none of them, and not "none" (0).
    const OTHER: u32 = u32::MAX;

    fn of<'a>(key: &'a CompanyKey, interner: &mut Interner<'a>) -> NameId {
        let (province, city) = interner.region(key.region.as_ref());
        NameId {
            core: interner.id(&key.core),
            trade: interner.id(&key.trade),
            branch: interner.id(key.branch.as_deref().unwrap_or("")),
            province,
            city,
            district: interner.id(key.district.as_deref().unwrap_or("")),
            numbered: key.core.starts_with('第'),
        }
    }

    /// [`NameId::of`] without adding to the interner: a part it does not hold is
    /// [`NameId::OTHER`].
    fn looked_up(key: &CompanyKey, interner: &Interner<'_>) -> NameId {
        let get = |s: &str| interner.get(s).unwrap_or(Self::OTHER);
        let (province, city) = key.region.as_ref().map_or((0, 0), |r| {
            (get(&r.province), r.city.as_deref().map_or(0, get))
        });
        NameId {
            core: get(&key.core),
            trade: get(&key.trade),
            branch: get(key.branch.as_deref().unwrap_or("")),
            province,
            city,
            district: key.district.as_deref().map_or(0, get),
            numbered: key.core.starts_with('第'),
        }
    }

    /// One company: the same 字号 (the same core when there is no 字号) and branch, in
    /// regions and districts that do not differ (a name without one agrees with any).
    /// 原名江苏巨亚文化传媒有限公司 is the company a row names 巨亚传媒 in 江苏苏州; 原名宜宾市宜宾县
    /// 第二中学 is not 四川省彭州市第二中学, nor 原名成都市双流县第四幼儿园 成都市第四幼儿园 (a numbered
    /// institution's district must be the same, written or not on both sides).
    fn same_company(self, other: NameId) -> bool {
        let agree = |x: u32, y: u32| x == 0 || y == 0 || x == y;
        self.same_name_elsewhere(other)
            && agree(self.province, other.province)
            && agree(self.city, other.city)
            && if self.numbered {
                self.district == other.district
            } else {
                agree(self.district, other.district)
            }
    }

    /// [`NameId::same_company`] but for the region: what a company that moved is called in
    /// its former place.
    fn same_name_elsewhere(self, other: NameId) -> bool {
        let named = if self.trade != 0 {
            self.trade == other.trade
        } else {
            self.core != 0 && self.core == other.core
        };
        named && self.branch == other.branch
    }
}

/// An e-mail address's parts, interned: the mailbox (before `@`) and the company domain (after
/// `@`; 0 when empty or a public provider, which says nothing about the company).
#[derive(Debug, Clone, Copy)]
struct Mail {
    local: u32,
    domain: u32,
}

/// A company name field's keys reduced to what comparisons need, computed once per record,
/// one array per comparison so that counting a comparison over many pairs reads only its own
/// small values: strings interned to integers, the core as characters and its sorted bigrams
/// apart (read only when the small values cannot decide).
#[derive(Debug, Default)]
struct Fast {
    core: Vec<Core>,
    /// The core's characters and sorted bigrams.
    chars: Vec<CoreChars>,
    /// Interned (province, city); (0, 0) = none.
    region: Vec<(u32, u32)>,
    /// The district's characters ([`district_of`]).
    district: Vec<District>,
    /// A shop named by its district (奥兴大药房（开福店）): the district's characters
    /// ([`store_district`]; none for any other name).
    store: Vec<District>,
    /// The shop's district is written whole, with its 区, 县 or 市 (远捷汽修（殷都区店）): a
    /// place, not a mall's or a landmark's name (银泰店, 湖滨店).
    store_whole: Vec<bool>,
    /// Interned branch (0 = head office; `NO_CORE` when the name has no core).
    branch: Vec<u32>,
    /// The branch is implied by a place without a marker ([`CompanyKey::branch_implied`]).
    implied: Vec<bool>,
    /// The name is a property company's office at an estate, by the company's short name
    /// (远泰物业和睦雅居管理处, 银安物业-明月佳苑): its branch's there, or its head office's.
    estate_office: Vec<bool>,
    /// Interned form class (0 = none).
    form: Vec<u32>,
    /// The form is a group's (集团, 集团有限公司, 控股集团…).
    group: Vec<bool>,
    /// The kind of legal person the name makes ([`company::key_kind`]; 0 = unknown).
    form_kind: Vec<u8>,
    /// For a name that may be an institution's or its short name ([`institution_name`]): the
    /// name's characters, region included (江苏省人民医院, 省人医); `None` for the others.
    institution: Vec<Option<Box<[char]>>>,
    /// When the names are written in both scripts: a Latin name's words (empty for the
    /// others) …
    latin: Vec<Box<[Box<str>]>>,
    /// … and how a Chinese name's 字号 may be spelled in them ([`company::trade_spellings`]).
    spellings: Vec<Box<[Box<str>]>>,
    /// What the core is written in: 1 Latin letters without a Chinese character (Corvane
    /// Electronics, a foreign company's name), 2 anything else, 0 no core. A byte per record,
    /// apart from the cores, so that the random pairs for u read little.
    script: Vec<u8>,
}

/// A core's characters and its sorted bigrams ([`bigrams`]).
type CoreChars = (Box<[char]>, Box<[u64]>);

/// What most pairs' core comparison needs.
#[derive(Debug, Default, Clone, Copy)]
struct Core {
    id: u32,
    trade_id: u32,
    /// Length of the 字号 at the start of the core (0 when none).
    trade_len: u8,
    /// What follows the 字号 is industry words and nothing else ([`company::is_industry_words`]).
    industry_words: bool,
    /// The 字号 is a shop's common one ([`is_common_trade`]).
    common_trade: bool,
    /// The name may be an institution's or its short name ([`institution_name`]).
    institution: bool,
    /// The sectors those industry words name ([`company::industry_sectors`]; 0 when none).
    sectors: u64,
    /// The name's district is a county (涞水县) or a county-level city (太仓市), not a city's
    /// district (仓山区): what [`region_level`] reads.
    county: bool,
    /// The name is written out with a company's form (有限公司, 股份有限公司…; not a bare 公司):
    /// what [`company::short_name_sectors`] reads.
    full_form: bool,
    /// The kind of public institution the core ends in ([`institution_kind`]; 0 for none).
    institution_kind: u8,
    /// The name is a national brand's head office or branch ([`CompanyKey::brand`]).
    brand: bool,
    /// The core's serial number ([`company::serial`]), if any.
    serial: Option<company::Serial>,
    /// The core's length in characters, its first two characters packed, and one bit per
    /// character and per bigram (hashed): tests that rule a pair out without reading the
    /// core itself, as most random pairs are.
    len: u16,
    head: u64,
    char_bits: u64,
    bigram_bits: u64,
}

/// Whether a 字号 is one of the two-character names small shops across the country share: a
/// character (most often a surname) and 记 or 氏, or 老 and a character (张记, 王氏, 老何). Two
/// shops of one such name in one city are as often two owners as one (老何广告门市部 /
/// 道里区老何广告经营部, with two contacts, phones and addresses), where a company's 字号 is
/// registered once in its region.
fn is_common_trade(trade: &[char]) -> bool {
    match trade {
        [first, second] => matches!(second, '记' | '氏') || *first == '老',
        _ => false,
    }
}

/// Whether one core is written in Latin letters and the other in Chinese characters.
fn scripts_differ(f: &Fast, a: usize, b: usize) -> bool {
    let (x, y) = (f.script[a], f.script[b]);
    x != 0 && y != 0 && x != y
}

/// For a Latin name and a Chinese one: whether the Latin words spell the 字号 in pinyin
/// (Shenzhen Chuangchi Auto Components / 深圳创驰汽车配件).
fn spelled_alike(f: &Fast, a: usize, b: usize) -> bool {
    let (latin, chinese) = if f.script[a] == 1 { (a, b) } else { (b, a) };
    match (f.latin.get(latin), f.spellings.get(chinese)) {
        (Some(words), Some(spellings)) => company::spells(words, spellings),
        _ => false,
    }
}

impl Fast {
    /// Fills the Latin words and the 字号s' spellings, when some names are written in each
    /// script (else nothing is spelled and they stay empty).
    /// A place's name is no Latin name's word here (Wuxi, Baoding: see
    /// [`Regions::latin_spellings`]).
    fn spell<'a>(
        &mut self,
        keys: &[CompanyKey],
        raw: impl Fn(usize) -> &'a str + Sync,
        regions: &Regions,
    ) {
        if !(self.script.contains(&1) && self.script.contains(&2)) {
            return;
        }
        let places: rustc_hash::FxHashSet<String> = regions.latin_spellings().into_iter().collect();
        let boxed = |v: Vec<String>| v.into_iter().map(Box::from).collect();
        // The 字号, else the core's first two characters (创驰汽车配件, where 汽车配件 is not
        // read as industry words: most 字号 are two characters).
        fn spelled(k: &CompanyKey) -> &str {
            let trade = if k.trade.is_empty() {
                &k.core
            } else {
                &k.trade
            };
            match trade.char_indices().nth(4) {
                None => trade,
                Some(_) => {
                    &trade[..trade
                        .char_indices()
                        .nth(2)
                        .map_or(trade.len(), |(at, _)| at)]
                }
            }
        }
        // Spelled once per 字号: duplicates share theirs.
        let mut trades: Vec<&str> = (0..keys.len())
            .filter(|&i| self.script[i] == 2)
            .map(|i| spelled(&keys[i]))
            .collect();
        trades.sort_unstable();
        trades.dedup();
        let spellings: rustc_hash::FxHashMap<&str, Box<[Box<str>]>> = trades
            .par_iter()
            .map(|&t| (t, boxed(company::trade_spellings(t))))
            .collect();
        (self.latin, self.spellings) = (0..keys.len())
            .into_par_iter()
            .map(|i| match self.script[i] {
                1 => (
                    company::latin_words(raw(i))
                        .map(|words| words.into_iter().filter(|w| !places.contains(w)).collect())
                        .map(boxed)
                        .unwrap_or_default(),
                    Box::default(),
                ),
                2 => (
                    Box::default(),
                    spellings
                        .get(spelled(&keys[i]))
                        .cloned()
                        .unwrap_or_default(),
                ),
                _ => (Box::default(), Box::default()),
            })
            .unzip();
    }
}

/// A branch code for a name without a core (the branch comparison is missing).
const NO_CORE: u32 = u32::MAX;

/// One bit of 64 for a value (a character or a packed bigram).
fn bit_of(value: u64) -> u64 {
    1 << (value.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// Strings to small integers (0 is reserved for "none"), borrowing the strings.
#[derive(Default)]
struct Interner<'a>(FxHashMap<&'a str, u32>);

impl<'a> Interner<'a> {
    /// Room for `n` values, so that interning a column never grows the table: growing one to
    /// 150,000 values rehashed it a dozen times. Only the control bytes are written up front.
    fn with_capacity(n: usize) -> Self {
        Interner(FxHashMap::with_capacity_and_hasher(n, Default::default()))
    }

    fn id(&mut self, s: &'a str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        let next = self.0.len() as u32 + 1;
        *self.0.entry(s).or_insert(next)
    }

    /// The id `s` was given (0 when empty); `None` when it was never interned.
    fn get(&self, s: &str) -> Option<u32> {
        if s.is_empty() {
            Some(0)
        } else {
            self.0.get(s).copied()
        }
    }

    /// A region as (province, city) codes; (0, 0) when none.
    fn region(&mut self, region: Option<&'a Region>) -> (u32, u32) {
        match region {
            Some(r) => (
                self.id(&r.province),
                r.city.as_deref().map(|c| self.id(c)).unwrap_or(0),
            ),
            None => (0, 0),
        }
    }
}

fn fast_keys(keys: &[CompanyKey]) -> Fast {
    let (mut core, chars): (Vec<Core>, Vec<CoreChars>) = keys
        .par_iter()
        .map(|k| {
            let chars: Box<[char]> = k.core.chars().collect();
            let trade_len = if !k.trade.is_empty() && k.core.starts_with(k.trade.as_str()) {
                k.trade.chars().count().min(255) as u8
            } else {
                0
            };
            let bigrams = bigrams(&chars);
            let business: String = chars[trade_len as usize..].iter().collect();
            let sectors = company::industry_sectors(&business);
            let core = Core {
                industry_words: sectors.is_some(),
                sectors: sectors.unwrap_or(0),
                len: chars.len().min(u16::MAX as usize) as u16,
                head: match &chars[..] {
                    [] => 0,
                    [c] => (*c as u64) << 32,
                    [c, d, ..] => ((*c as u64) << 32) | *d as u64,
                },
                char_bits: chars.iter().fold(0, |m, &c| m | bit_of(c as u64)),
                bigram_bits: bigrams.iter().fold(0, |m, &b| m | bit_of(b)),
                trade_len,
                common_trade: is_common_trade(&chars[..(trade_len as usize).min(chars.len())]),
                serial: company::serial(&chars),
                institution_kind: institution_kind(&k.core),
                brand: k.brand,
                // A county written without its 县 (资中中医院) is one too.
                county: k.district.as_deref().is_some_and(|d| !d.ends_with('区')),
                full_form: k
                    .form
                    .as_deref()
                    .is_some_and(|f| f != "公司" && company::form_kind(f) == 1),
                ..Core::default()
            };
            (core, (chars, bigrams))
        })
        .unzip();
    // Interned on three threads, each array with an interner of its own: an id is only ever
    // compared with an id of the same array.
    let mut fast = Fast::default();
    let ids = |key: fn(&CompanyKey) -> &str| {
        let mut interner = Interner::with_capacity(keys.len());
        keys.iter()
            .map(|k| interner.id(key(k)))
            .collect::<Vec<u32>>()
    };
    let ((core_ids, trade_ids), (region, (branch, form))) = rayon::join(
        || rayon::join(|| ids(|k| &k.core), || ids(|k| &k.trade)),
        || {
            let mut interner = Interner::with_capacity(keys.len());
            let region = keys
                .iter()
                .map(|k| interner.region(k.region.as_ref()))
                .collect();
            let mut interner = Interner::with_capacity(keys.len());
            let branch = keys
                .iter()
                .map(|k| {
                    if k.core.is_empty() {
                        NO_CORE
                    } else {
                        interner.id(branch_place(k.branch.as_deref().unwrap_or("")))
                    }
                })
                .collect();
            (
                region,
                (
                    branch,
                    ids(|k| k.form.as_deref().map(company::form_class).unwrap_or("")),
                ),
            )
        },
    );
    for ((c, id), trade_id) in core.iter_mut().zip(core_ids).zip(trade_ids) {
        c.id = id;
        c.trade_id = trade_id;
    }
    fast.region = region;
    fast.district = keys.iter().map(district_of).collect();
    (fast.store, fast.store_whole) = keys.iter().map(store_district).unzip();
    fast.branch = branch;
    fast.implied = keys.iter().map(|k| k.branch_implied).collect();
    fast.estate_office = keys
        .iter()
        .map(|k| k.site && k.branch.is_none() && k.form.is_none() && k.core.contains("物业"))
        .collect();
    fast.group = keys
        .iter()
        .map(|k| k.form.as_deref().is_some_and(|f| f.contains("集团")))
        .collect();
    fast.form_kind = keys.iter().map(company::key_kind).collect();
    fast.form = form;
    fast.script = chars
        .iter()
        .map(|(c, _)| match &c[..] {
            [] => 0,
            c if c.iter().any(char::is_ascii_alphabetic)
                && !c.iter().any(|&c| crate::normalize::is_cjk_ideograph(c)) =>
            {
                1
            }
            _ => 2,
        })
        .collect();
    fast.institution = keys.par_iter().map(institution_name).collect();
    for (c, name) in core.iter_mut().zip(&fast.institution) {
        c.institution = name.is_some();
    }
    fast.core = core;
    fast.chars = chars;
    fast
}

/// The characters of a name without a form or a branch, region included, when its core
/// ends as an institution's or an institution's short name does (医院, 大学, 研究所, 中心 …;
/// 省人医, 南医大, 省疾控, 南通一中): what [`abbreviates_institution`] reads.
fn institution_name(key: &CompanyKey) -> Option<Box<[char]>> {
    const ENDS: &[char] = &[
        '院', '医', '大', '学', '所', '中', '校', '控', '站', '局', '心',
    ];
    (key.form.is_none() && key.branch.is_none() && key.core.ends_with(ENDS))
        .then(|| key.normalized.chars().collect())
}

/// Whether the shorter of two names is the longer institution's short name: three to six
/// characters of it, in order, the first among its first three (江苏省人民医院 / 省人医,
/// 南京医科大学 / 南医大, 苏州大学附属第二医院 / 苏大附二院, 太仓市疾病预防控制中心 / 太仓疾控,
/// 南通市第一中学 / 南通一中). The longer must name an institution in full; an affiliate's
/// short name keeps its 附 (苏大附二院), or it names the parent (致瀚院 is 致瀚学院, not
/// 致瀚学院附属医院).
fn abbreviates_institution(short: &[char], long: &[char]) -> bool {
    const INSTITUTIONS: &[&str] = &[
        "医院",
        "大学",
        "学院",
        "学校",
        "研究院",
        "研究所",
        "中心",
        "中学",
        "小学",
        "检验所",
    ];
    (3..=6).contains(&short.len())
        && long.len() >= short.len() + 2
        && ends_with_any(long, INSTITUTIONS)
        && long.iter().take(3).any(|&c| c == short[0])
        && (short.contains(&'附') || !long.windows(2).any(|w| w == ['附', '属']))
        && {
            let start = long.iter().position(|&c| c == short[0]).unwrap_or(0);
            abbreviates(short, &long[start..])
        }
}

/// Sorted character bigrams, packed (a one-character string is its own bigram).
fn bigrams(chars: &[char]) -> Box<[u64]> {
    let mut v: Vec<u64> = if chars.len() == 1 {
        vec![(chars[0] as u64) << 32]
    } else {
        chars
            .windows(2)
            .map(|w| ((w[0] as u64) << 32) | w[1] as u64)
            .collect()
    };
    v.sort_unstable();
    v.into_boxed_slice()
}

fn dice_sorted(x: &[u64], y: &[u64]) -> f64 {
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * shared as f64 / (x.len() + y.len()) as f64
}

/// Whether two character slices are at most one edit apart (no allocation).
fn one_edit(x: &[char], y: &[char]) -> bool {
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    match long.len() - short.len() {
        0 => {
            let mut diffs = (0..short.len()).filter(|&i| short[i] != long[i]);
            match (diffs.next(), diffs.next(), diffs.next()) {
                (None, _, _) | (Some(_), None, _) => true,
                (Some(i), Some(j), None) => {
                    j == i + 1 && short[i] == long[j] && short[j] == long[i]
                }
                _ => false,
            }
        }
        1 => {
            let first = (0..short.len())
                .find(|&i| short[i] != long[i])
                .unwrap_or(short.len());
            short[first..] == long[first + 1..]
        }
        _ => false,
    }
}

fn contains(hay: &[char], needle: &[char]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

fn fast_level(kind: Kind, f: &Fast, a: usize, b: usize) -> u8 {
    // A Latin name and a Chinese one (Corvane Electronics (Guangzhou) Co., Ltd. / 科万电子（广州）
    // 公司) share no character even when they name one company: what the names are made of
    // says nothing, the other fields decide. The region and the branch still count.
    if matches!(
        kind,
        Kind::CompanyCore | Kind::CompanyTradeChars | Kind::CompanyForm
    ) && scripts_differ(f, a, b)
    {
        // …unless the Latin name spells the Chinese one's 字号 in pinyin: alike (3), as much
        // as a homophone's 字号 (隆晖 / Longhui, another company's) is.
        return if kind == Kind::CompanyCore && spelled_alike(f, a, b) {
            3
        } else {
            0
        };
    }
    match kind {
        Kind::CompanyCore => core_level(f, a, b),
        Kind::CompanyRegion => region_level(region_code_level(f.region[a], f.region[b]), f, a, b),
        Kind::CompanyBranch => {
            let (x, y) = (f.branch[a], f.branch[b]);
            // The shop of a district and a name written with that district: one shop.
            let shop_of = |hq: usize, shop: usize| {
                f.branch[hq] == 0 && f.store[shop][0] != 0 && f.store[shop] == f.district[hq]
            };
            // A name that writes no district (远捷汽修, 安阳市远捷汽修) may be the shop of the
            // district written whole (远捷汽修（殷都区店）) or another: the other fields decide. A
            // chain's store by a mall's name (银泰店) is not read so.
            let unplaced = |hq: usize, shop: usize| {
                f.branch[hq] == 0 && f.store_whole[shop] && f.district[hq][0] == 0
            };
            // 同盈物业南昌 may be the company's 南昌 branch or its head office there.
            let implied = |hq: usize, other: usize| f.branch[hq] == 0 && f.implied[other];
            // A property company's estate office by its short name (远泰物业和睦雅居管理处) may be
            // any of its branches' or the head office's; a builder's site office is the
            // company's that signed for it.
            let anywhere = |s: usize| f.estate_office[s];
            if x == NO_CORE
                || y == NO_CORE
                || unplaced(a, b)
                || unplaced(b, a)
                || implied(a, b)
                || implied(b, a)
                || anywhere(a)
                || anywhere(b)
            {
                0
            } else if x == y || shop_of(a, b) || shop_of(b, a) {
                1
            } else {
                2
            }
        }
        Kind::CompanySerial => match (f.core[a].serial, f.core[b].serial) {
            (Some(x), Some(y)) if x.number == y.number => 1,
            (Some(_), Some(_)) => 2,
            // A fund of the series and its manager, or the series' name written alone.
            (Some(s), None) | (None, Some(s)) if s.series => 2,
            _ => 0,
        },
        Kind::CompanyTradeChars => {
            let (p, q) = (&f.core[a], &f.core[b]);
            if p.len == 0 || q.len == 0 {
                0
            } else if p.char_bits & q.char_bits != 0 && shares_trade_char(f, a, b) {
                1
            } else {
                2
            }
        }
        Kind::CompanyBusiness if scripts_differ(f, a, b) => {
            // A Latin name and a Chinese one: only what the Latin one makes or sells (Foods,
            // Electrical Appliances) tells two businesses; Trading is how any company's name
            // is put into English (Heze Yixiang Trading / 亿祥汽车零部件（菏泽）有限公司).
            let sectors = |i: usize| {
                let c = &f.core[i];
                let s = if c.industry_words { c.sectors } else { 0 };
                if f.script[i] == 1 {
                    s & !company::TRADE_SECTOR
                } else {
                    s
                }
            };
            let (x, y) = (sectors(a), sectors(b));
            if x != 0
                && y != 0
                && company::short_name_sectors(x) & company::short_name_sectors(y) == 0
            {
                2
            } else {
                0
            }
        }
        Kind::CompanyBusiness => {
            let (p, q) = (&f.core[a], &f.core[b]);
            if p.trade_id == 0
                || q.trade_id == 0
                || business(f, a).is_empty()
                || business(f, b).is_empty()
            {
                0
            } else if p.industry_words
                && q.industry_words
                && p.sectors != 0
                && q.sectors != 0
                && if p.full_form && q.full_form {
                    p.sectors & q.sectors == 0
                } else {
                    company::short_name_sectors(p.sectors) & company::short_name_sectors(q.sectors)
                        == 0
                }
            {
                // Two businesses are two companies, under one 字号 (the same boss's, a namesake)
                // or under two (泰同电气 / 睿朗商务咨询 of one owner, at one address, with one
                // phone): a duplicate keeps its business.
                2
            } else if p.trade_id != q.trade_id {
                0
            } else if (p.industry_words && q.industry_words) || same_business(f, a, b) {
                1
            } else {
                // Words the list does not know, not one the other's: no evidence either way.
                0
            }
        }
        Kind::CompanyForm => {
            let (x, y) = (f.form[a], f.form[b]);
            // A member of a group written without its form (珠海市泓鼎装饰工程) is one too.
            if f.group[a] != f.group[b] && group_and_member(f, a, b) {
                3
            } else if company::two_registrations(f.form_kind[a], f.form_kind[b]) {
                // A company and a co-operative, a partnership or a shop: two registrations.
                4
            } else if x == 0 || y == 0 {
                0
            } else if x == y {
                1
            } else {
                2
            }
        }
        _ => 0,
    }
}

fn core_level(f: &Fast, a: usize, b: usize) -> u8 {
    let (p, q) = (&f.core[a], &f.core[b]);
    let (lx, ly) = (p.len as usize, q.len as usize);
    // Both at least two characters long with the same first two (what a prefix or the intact
    // 字号 below needs).
    let same_head = lx.min(ly) >= 2 && p.head == q.head;
    // At most one character of either is missing from the other (what one edit needs).
    let few_apart = (p.char_bits & !q.char_bits).count_ones() <= 1
        && (q.char_bits & !p.char_bits).count_ones() <= 1;
    let (x, y) = (|| &f.chars[a].0[..], || &f.chars[b].0[..]);
    if lx == 0 || ly == 0 {
        0
    } else if p.id == q.id {
        1
    } else if p.brand && q.brand {
        // Two brands' branches of one place (建行广安分行 / 联通广安分公司), or one brand's of two
        // places: two companies, however alike their cores look.
        4
    } else if same_head && (x().starts_with(y()) || y().starts_with(x())) {
        // One is the other's abbreviation (迅顺 / 迅顺货运代理), unless the shorter is a whole
        // institution's name and the longer one of its affiliates.
        let (s, l) = if lx < ly { (a, b) } else { (b, a) };
        if affiliate(&f.chars[s].0, &f.chars[l].0, f.form[s] != 0, f.form[l] != 0) {
            4
        } else {
            2
        }
    } else if p.institution_kind != 0
        && q.institution_kind != 0
        && p.institution_kind != q.institution_kind
    {
        // A town's school and its clinic (梁乐镇中心小学 / 梁乐镇中心卫生院): two institutions,
        // however much of the name they share.
        4
    } else if p.trade_id != 0 && p.trade_id == q.trade_id && other_business(f, a, b) {
        // One 字号, two businesses the list of industry words knows, one character apart
        // (数字科技 / 数据科技, 机电 / 机械): two words, not a typo of one.
        4
    } else if same_head
        && lx.min(ly) >= 4
        && few_apart
        && one_edit(x(), y())
        && !trade_differs_alone(f, a, b)
    {
        // The 字号 intact, one character off after it (智能科技 / 智能技, 农业 / 农烨).
        2
    } else if p.trade_id != 0 && p.trade_id == q.trade_id {
        // One 字号: the same business is a duplicate; another business is another company
        // (东金斯电气科技 / 东金斯软件科技: a sister company, not a typo), however alike the
        // cores look.
        if same_business(f, a, b) {
            2
        } else {
            4
        }
    } else if (lx.min(ly) >= 4 && lx.abs_diff(ly) <= 1 && few_apart && one_edit(x(), y()))
        || (p.bigram_bits & q.bigram_bits != 0
            && dice_sorted(&f.chars[a].1, &f.chars[b].1) >= similar_dice(f, a, b))
    {
        3
    } else if p.institution && q.institution && institution_abbreviated(f, a, b) {
        // An institution's short name (省人医 / 江苏省人民医院).
        2
    } else {
        4
    }
}

/// The kind of public institution a core ends in: 1 a primary school, 2 a middle school, 3 a
/// kindergarten, 4 a hospital or a township's clinic (卫生院, written 医院 too), 5 a village's
/// clinic (卫生室), 6 a government (人民政府), 7 a police station, 8 an old people's home, 9 a
/// court, 10 a procuratorate, 11 a government body's unit (…站, …所, …队, …中心: 水利工程管理站,
/// 教育技术装备所, 住房保障服务中心; no hospital's or school's), and from [`BUREAUS`] on a government body by what it
/// governs (审计局 / 统计局, 教育局 / 教体局 / 教委); 0 for any other core (学校 may be either
/// school, a 局 governing what the list does not know is any).
fn institution_kind(core: &str) -> u8 {
    const KINDS: &[(&str, u8)] = &[
        ("小学", 1),
        ("小学校", 1),
        ("中学", 2),
        ("中学校", 2),
        ("幼儿园", 3),
        ("卫生院", 4),
        ("医院", 4),
        ("卫生室", 5),
        ("政府", 6),
        ("派出所", 7),
        ("敬老院", 8),
        ("养老院", 8),
        ("法院", 9),
        ("检察院", 10),
        // A community's clinic (人民路社区卫生服务中心, called 人民路社区医院 too).
        ("卫生服务中心", 4),
        ("站", 11),
        ("所", 11),
        ("队", 11),
        ("中心", 11),
    ];
    if let Some(&(_, kind)) = KINDS.iter().find(|(end, _)| core.ends_with(end)) {
        // A hospital's or a school's unit (…第一人民医院中心供氧站, …卫生院消毒供应中心) is
        // the institution's department, not a government body's unit; a community's clinic
        // is written …卫生服务站 and 社卫中心 too.
        return if kind == 11 && core.contains(['院', '校', '学', '医', '卫']) {
            0
        } else {
            kind
        };
    }
    if !(core.ends_with('局') || core.ends_with('委') || core.ends_with("委员会")) {
        return 0;
    }
    BUREAUS
        .iter()
        .position(|words| words.iter().any(|w| core.contains(w)))
        .map_or(0, |i| BUREAU_KINDS + i as u8)
}

/// The first [`institution_kind`] of a government body.
const BUREAU_KINDS: u8 = 20;

/// What a government body (局, 委, 委员会) governs, by the words its names hold, long and short;
/// the first that a name holds is its. A body renamed keeps its place (农业局 / 农业农村局, 教育局 /
/// 教育和体育局, 国土资源局 / 自然资源局).
const BUREAUS: &[&[&str]] = &[
    &["医保", "医疗保障"],
    &["人社", "人力", "社会保障", "社保"],
    &["教育", "教体", "教委"],
    &["公安"],
    &["财政"],
    &["审计"],
    &["统计"],
    &["税务"],
    &["水利", "水务"],
    &["农业", "农村", "农牧", "畜牧"],
    &["自然资源", "国土", "规划"],
    &["住建", "住房", "城乡建设", "建设"],
    &["卫健", "卫生", "卫计"],
    &["民政"],
    &["司法"],
    &["交通"],
    &["文旅", "文化", "旅游", "文广"],
    &["生态", "环保", "环境"],
    &["应急", "安监", "安全生产"],
    &["林业", "林草"],
    &["商务"],
    &["发改", "发展和改革"],
    &["经信", "信息化", "工信"],
    &["科技", "科学技术"],
    &["退役军人"],
    &["信访"],
    &["档案"],
    &["城管", "城市管理", "执法"],
    &["体育"],
    &["气象"],
    &["市场监", "工商", "质监"],
    &["粮食"],
    &["审批"],
    &["机关事务"],
    &["国资", "国有资产"],
    &["乡村振兴", "扶贫"],
    &["数据"],
];

/// How many character bigrams two cores share, at least, to be alike (Dice): half for Chinese
/// ones; for two Latin ones, whose letters pair up by chance far more often than characters
/// do (guangzhoushengyuangarments / guangzhouchuangjieautoparts share 0.5), four in five.
fn similar_dice(f: &Fast, a: usize, b: usize) -> f64 {
    if f.script[a] == 1 && f.script[b] == 1 {
        0.8
    } else {
        0.5
    }
}

/// Whether one of two institution names ([`institution_name`]) is the other's short name.
fn institution_abbreviated(f: &Fast, a: usize, b: usize) -> bool {
    let (Some(u), Some(v)) = (&f.institution[a], &f.institution[b]) else {
        return false;
    };
    let (s, l) = if u.len() < v.len() { (u, v) } else { (v, u) };
    abbreviates_institution(s, l)
}

/// Whether the longer of two cores, the shorter its start, names an affiliate of the
/// institution the shorter names in full, another legal person: the institution's company
/// (方启职业技术学院 / 方启职业技术学院资产经营有限公司, 汇洋医院 / 汇洋医院管理有限公司), its
/// affiliated hospital or school (万乾大学 / 万乾大学附属医院, 永州理工学院 / 永州理工学院附属中学),
/// a government body's institution (嘉兴市水利局 /
/// 嘉兴市水利局水文水资源监测中心, 自然资源和规划局 / …局信息中心), or a member of the group it
/// names (湖北工建 / 湖北工建集团第三建筑工程). A department written after the name (第一医院设备科,
/// 浙江大学医学院) is still the institution.
fn affiliate(short: &[char], long: &[char], short_form: bool, long_form: bool) -> bool {
    const INSTITUTIONS: &[&str] = &[
        "医院",
        "大学",
        "学院",
        "学校",
        "中学",
        "小学",
        "幼儿园",
        "研究院",
        "研究所",
        "中心",
        "局",
        "委员会",
        "厅",
        "街道",
        "政府",
    ];
    // A subdistrict's office and a town's government too (城西街道 / 城西街道公共就业服务中心).
    const GOVERNMENT: &[&str] = &["局", "委员会", "厅", "街道", "政府"];
    const GOVERNMENT_UNITS: &[&str] = &["中心", "站", "所", "院", "队"];
    if long.len() <= short.len() {
        return false;
    }
    // A member of the group the shorter names (湖北工建 / 湖北工建集团第三建筑工程).
    if long.len() > short.len() + 2 && long[short.len()..].starts_with(&['集', '团']) {
        return true;
    }
    if !ends_with_any(short, INSTITUTIONS) {
        return false;
    }
    let extension = &long[short.len()..];
    (long_form && !short_form)
        || ends_with_any(extension, &["医院"])
        // Its affiliated school or hospital (永州理工学院附属中学, …学院附中).
        || extension.first() == Some(&'附')
        || (ends_with_any(short, GOVERNMENT) && ends_with_any(extension, GOVERNMENT_UNITS))
}

/// Whether `text` ends with one of `words`.
fn ends_with_any(text: &[char], words: &[&str]) -> bool {
    words.iter().any(|w| {
        let n = w.chars().count();
        text.len() >= n && text[text.len() - n..].iter().copied().eq(w.chars())
    })
}

/// Whether two cores have one business after two 字号s (耀创智商贸 / 耀创商贸, 壹锦蓝网络科技 /
/// 壹锦网络科技): the character between them is the 字号's, which is not intact. Two firms of
/// one trade in one city whose 字号s differ by a character are as often two as one.
fn trade_differs_alone(f: &Fast, a: usize, b: usize) -> bool {
    let (p, q) = (&f.core[a], &f.core[b]);
    p.trade_len > 0
        && q.trade_len > 0
        && p.trade_id != q.trade_id
        && !business(f, a).is_empty()
        && business(f, a) == business(f, b)
}

/// The 字号 of record `i` (the whole core when no 字号 was found).
fn trade(f: &Fast, i: usize) -> &[char] {
    let chars = &f.chars[i].0;
    match f.core[i].trade_len as usize {
        0 => &chars[..],
        n => &chars[..n.min(chars.len())],
    }
}

/// Whether the 字号s (the whole cores when no 字号 was found) have a character in common.
fn shares_trade_char(f: &Fast, a: usize, b: usize) -> bool {
    let (x, y) = (trade(f, a), trade(f, b));
    x.iter().any(|c| y.contains(c))
}

/// What follows the 字号 in a core: its industry words (the whole core when no 字号 was found).
fn business(f: &Fast, i: usize) -> &[char] {
    &f.chars[i].0[f.core[i].trade_len as usize..]
}

/// For two cores with the same 字号: whether the industry words after it are an abbreviation or
/// a typo of each other (科技 / 网络科技, 软件科技 / 软件科枝). Another business under the same
/// 字号 (华远物流 / 华远软件科技) is another company as a rule (a group's subsidiaries, a
/// namesake in another trade), and the cores are then scored 不同. A core level of its own
/// would weigh for a merge, since random pairs share a 字号 even less often than duplicates do;
/// the `company_business` comparison weighs two trades with fixed m and u instead.
fn same_business(f: &Fast, a: usize, b: usize) -> bool {
    let (u, v) = (business(f, a), business(f, b));
    u.is_empty() || v.is_empty() || abbreviates(u, v) || abbreviates(v, u) || one_edit(u, v)
}

/// Whether, of two names with one 字号, one a group's (集团) and one not, the other names a
/// business the group's name does not (磐金集团 / 武汉磐金贸易): a member of the group, another
/// legal entity. The same company written with and without 集团 (华远集团有限公司 / 华远有限公司)
/// names no business on either side.
fn group_and_member(f: &Fast, a: usize, b: usize) -> bool {
    let (g, m) = if f.group[a] { (a, b) } else { (b, a) };
    let (p, q) = (&f.core[g], &f.core[m]);
    if p.trade_id == 0 || p.trade_id != q.trade_id {
        return false;
    }
    let member_business = business(f, m);
    // 兴帆物业集团 / 兴帆物业管理有限公司: a word any business may end in adds none.
    let generic = ["管理", "经营"].iter().any(|w| {
        let w: Vec<char> = w.chars().collect();
        member_business.ends_with(&w)
            && contains(
                business(f, g),
                &member_business[..member_business.len() - w.len()],
            )
    });
    !member_business.is_empty() && !generic && !contains(business(f, g), member_business)
}

/// Whether two names of one 字号 name two different businesses, each of them industry words
/// (数字科技 / 数据科技), neither an abbreviation of the other ([`abbreviates`]).
fn other_business(f: &Fast, a: usize, b: usize) -> bool {
    let (u, v) = (business(f, a), business(f, b));
    // Both flags false for empty industry words (is_industry_words("") is false).
    f.core[a].industry_words && f.core[b].industry_words && !abbreviates(u, v) && !abbreviates(v, u)
}

/// Whether `short` is `long` or an abbreviation of it: its characters in order within `long`
/// (科技 / 网络科技, 电商 / 电子商务).
fn abbreviates(short: &[char], long: &[char]) -> bool {
    let mut rest = long.iter();
    short.iter().all(|c| rest.any(|d| d == c))
}

/// Region levels on interned (province, city) codes, as [`company::compare_regions`].
fn region_code_level(a: (u32, u32), b: (u32, u32)) -> u8 {
    if a.0 == 0 || b.0 == 0 {
        0
    } else if a == b {
        1
    } else if a.0 != b.0 {
        3
    } else if a.1 == 0 || b.1 == 0 {
        2
    } else {
        3
    }
}

/// Term frequencies of a comparison's values.
#[derive(Debug)]
pub struct TermFrequencies {
    counts: FxHashMap<Box<str>, u32>,
    total: f64,
    /// The chance that two random records share a value: Σ tf².
    pub u_average: f64,
}

impl TermFrequencies {
    /// The frequencies of values counted elsewhere (`total`: the non-empty values counted).
    fn from_counts(counts: FxHashMap<Box<str>, u32>, total: u64) -> TermFrequencies {
        let total = total.max(1) as f64;
        let u_average = counts
            .values()
            .map(|&c| (c as f64 / total).powi(2))
            .sum::<f64>()
            .max(1.0 / total);
        TermFrequencies {
            counts,
            total,
            u_average,
        }
    }

    /// The share of records holding `value` (at least one record's worth).
    pub fn frequency(&self, value: &str) -> f64 {
        self.counts.get(value).copied().unwrap_or(1).max(1) as f64 / self.total
    }

    /// How many records hold `value`.
    pub fn count(&self, value: &str) -> u32 {
        self.counts.get(value).copied().unwrap_or(0)
    }
}

/// Adds the non-empty `values` to `counts` and `total`.
fn count_values<'a>(
    counts: &mut FxHashMap<Box<str>, u32>,
    total: &mut u64,
    values: impl Iterator<Item = &'a str>,
) {
    for v in values.filter(|v| !v.is_empty()) {
        *total += 1;
        match counts.get_mut(v) {
            Some(c) => *c += 1,
            None => {
                counts.insert(v.into(), 1);
            }
        }
    }
}

/// Term counts summed over the chunks of a run that never holds every record at once (a
/// partitioned dedupe counts them in its first pass), so each part scores pairs with the term
/// frequencies of the whole input, as one pass over everything would. Memory is one entry per
/// distinct value (per 字号 for company names), not per record.
#[derive(Debug, Default)]
pub struct TermCounts {
    /// Per comparison: the counts and the number of non-empty values (`None`: no `tf`).
    per: Vec<Option<Counted>>,
}

/// Values with their counts, and the number of non-empty values counted.
type Counted = (FxHashMap<Box<str>, u32>, u64);

impl TermCounts {
    /// The frequencies, one per comparison with `tf = true`, for [`Features::use_term_frequencies`].
    pub fn finish(self) -> Vec<Option<Arc<TermFrequencies>>> {
        self.per
            .into_iter()
            .map(|c| c.map(|(counts, total)| Arc::new(TermFrequencies::from_counts(counts, total))))
            .collect()
    }
}

/// Everything the comparisons and blocking keys read, per record.
#[derive(Debug)]
pub struct Features {
    columns: Vec<Column>,
    /// Company keys per template field that needs them: (field, keys per record).
    pub companies: Vec<(usize, Vec<CompanyKey>)>,
    /// Per comparison: whether it has term frequencies (`tf = true`).
    tf: Vec<bool>,
    /// Per company field (as `companies`), the reduced keys comparisons read.
    fast: Vec<Fast>,
    /// `(field, comparison)` of the `company_region` comparisons with fallback fields.
    region_columns: Vec<(usize, usize)>,
    /// `(fields, comparison)` of the phone comparisons.
    phone_columns: Vec<(Vec<usize>, usize)>,
    /// Per comparison with term frequencies, per record: log2(Σtf² / tf(value)).
    tf_bits: Vec<Option<Vec<f32>>>,
    /// Per comparison: it compares contact details (phones, e-mail, a person, an address),
    /// which a project's site office has of its own ([`Features::site`]).
    contact: Vec<bool>,
    /// Per record: its name is a project's site office (…有限公司光谷科学岛项目部,
    /// [`CompanyKey::site`]).
    site: Vec<bool>,
    /// Per comparison: it reads a company's name (its parts, or a former name).
    name: Vec<bool>,
    /// Per record: its name names no company ([`CompanyKey::no_company`]).
    no_company: Vec<bool>,
    /// Per record: the person its name names ([`company::person_named`]): the surname's
    /// character shifted left by one, the lowest bit set for a full name; 0 for none.
    person: Vec<u32>,
    /// The number of records.
    len: usize,
}

impl Features {
    /// Computes the features of every record, in parallel.
    pub fn new(records: &Records, config: &Config, regions: &Regions) -> Features {
        let mut company_fields: Vec<usize> = Vec::new();
        for c in config
            .comparisons
            .iter()
            .filter(|c| c.kind.is_company() || c.kind == Kind::FormerName)
        {
            company_fields.push(c.fields[0]);
        }
        for k in &config.blocking {
            for p in &k.parts {
                if let KeyPart::CompanyCore(f)
                | KeyPart::CompanyTrade(f)
                | KeyPart::CompanySiteTrade(f)
                | KeyPart::CompanyCorePrefix(f, _)
                | KeyPart::CompanyCoreDeletions(f)
                | KeyPart::CompanySpelling(f)
                | KeyPart::CompanyRegion(f) = p
                {
                    company_fields.push(*f);
                }
            }
        }
        company_fields.sort_unstable();
        company_fields.dedup();
        let companies: Vec<(usize, Vec<CompanyKey>)> = company_fields
            .iter()
            .map(|&f| {
                let keys = (0..records.len())
                    .into_par_iter()
                    .map(|i| company::company_key(records.value(i, f), regions))
                    .collect();
                (f, keys)
            })
            .collect();
        // Where the keys of a comparison's name field are in `companies`.
        let company_of = |c: &Comparison| {
            company_fields
                .iter()
                .position(|&f| f == c.fields[0])
                .expect("every company comparison's field is collected above")
        };
        // The comparisons' columns and the names' fast keys side by side: both intern on one
        // thread per column, and would each leave a core idle at times.
        let (columns, fast) = rayon::join(
            || {
                config
                    .comparisons
                    .par_iter()
                    .map(|c| match c.kind {
                        Kind::CompanyRegion if !c.fallback.is_empty() => {
                            let company = company_of(c);
                            let keys = &companies[company].1;
                            region_column(
                                company,
                                (0..records.len())
                                    .into_par_iter()
                                    .map(|i| {
                                        // A branch's 省份/城市 columns are where the branch is,
                                        // a site office's where its site is, not the region of
                                        // the company's name: no fallback.
                                        if keys[i].branch.is_some() || keys[i].site {
                                            return keys[i].region.clone();
                                        }
                                        let fallback = || {
                                            let values: Vec<&str> = c
                                                .fallback
                                                .iter()
                                                .map(|&f| records.value(i, f))
                                                .filter(|v| !v.is_empty())
                                                .collect();
                                            std::iter::once(values.concat())
                                                .chain(values.iter().map(|v| v.to_string()))
                                                .find_map(|t| regions.region(&t))
                                        };
                                        match &keys[i].region {
                                            None => fallback(),
                                            // 安徽昊澜生物科技 in 六安: the columns name the city
                                            // of the province the name gives.
                                            Some(r) if r.city.is_none() => Some(
                                                fallback()
                                                    .filter(|f| {
                                                        f.province == r.province && f.city.is_some()
                                                    })
                                                    .unwrap_or_else(|| r.clone()),
                                            ),
                                            Some(r) => Some(r.clone()),
                                        }
                                    })
                                    .collect(),
                            )
                        }
                        k if k.is_company() => Column::Company(company_of(c)),
                        Kind::Address => {
                            let keys: Vec<AddressKey> = (0..records.len())
                                .into_par_iter()
                                .map(|i| {
                                    // As for text below: a value that failed its check
                                    // is not compared.
                                    if records.is_invalid(i, c.fields[0]) {
                                        AddressKey::default()
                                    } else {
                                        address::key(records.value(i, c.fields[0]))
                                    }
                                })
                                .collect();
                            let streets = intern_all(keys.iter().map(|k| &*k.street), &[]);
                            Column::Address(keys, streets)
                        }
                        Kind::FormerName => former_column(
                            &companies[company_of(c)].1,
                            records,
                            c.fields[1],
                            regions,
                        ),
                        Kind::Phones => Column::Phones(
                            (0..records.len())
                                .into_par_iter()
                                .map(|i| phones_of(records, i, &c.fields).into_boxed_slice())
                                .collect(),
                        ),
                        // A value that failed its check (a credit code with a wrong check character)
                        // is not compared: it would only add a false "different". An identifier
                        // compared exactly still counts when both sides carry it verbatim (one code
                        // typed wrong the same way twice is one code copied): it is kept, marked
                        // [`SUSPECT`], and only its equality is read.
                        _ => {
                            let field = c.fields[0];
                            let identifiers = c.kind == Kind::Exact;
                            let credit_code = records.template.fields[field].kind
                                == crate::template::FieldType::CreditCode;
                            let person = records.template.fields[field].kind
                                == crate::template::FieldType::PersonName;
                            // Each value with the bit its id is marked with (SUSPECT,
                            // ADDRESSED or none).
                            let values: Vec<(Box<str>, u32)> = (0..records.len())
                                .into_par_iter()
                                .map(|i| {
                                    let value = records.value(i, field);
                                    if !records.is_invalid(i, field) {
                                        let addressed =
                                            person && crate::normalize::is_form_of_address(value);
                                        (text_of(value), if addressed { ADDRESSED } else { 0 })
                                    } else if let Some(id) =
                                        identifiers.then(|| identifier_of(value)).flatten()
                                    {
                                        // A credit code whose own check character is right (only its
                                        // organisation code's is wrong) is no typo of another code:
                                        // another such code is another legal person.
                                        let checked = credit_code && final_check_holds(&id);
                                        (id, if checked { 0 } else { SUSPECT })
                                    } else {
                                        ("".into(), 0)
                                    }
                                })
                                .collect();
                            let (values, marks): (Vec<Box<str>>, Vec<u32>) =
                                values.into_iter().unzip();
                            let orgs = credit_code
                                .then(|| values.par_iter().map(|v| organisation_code(v)).collect());
                            let mut column = text_column(values, c.kind);
                            if let Column::Text { ids, org, .. } = &mut column {
                                for (id, mark) in ids.iter_mut().zip(&marks) {
                                    if *id != 0 {
                                        *id |= mark;
                                    }
                                }
                                *org = orgs;
                            }
                            column
                        }
                    })
                    .collect::<Vec<_>>()
            },
            || {
                companies
                    .par_iter()
                    .map(|(field, keys)| {
                        let mut fast = fast_keys(keys);
                        fast.spell(keys, |i| records.value(i, *field), regions);
                        fast
                    })
                    .collect()
            },
        );
        let region_columns = config
            .comparisons
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == Kind::CompanyRegion && !c.fallback.is_empty())
            .map(|(ci, c)| (c.fields[0], ci))
            .collect();
        let phone_columns = config
            .comparisons
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == Kind::Phones)
            .map(|(ci, c)| (c.fields.clone(), ci))
            .collect();
        let contact = config
            .comparisons
            .iter()
            .map(|c| {
                matches!(c.kind, Kind::Phones | Kind::Email | Kind::Address)
                    || records.template.fields[c.fields[0]].kind
                        == crate::template::FieldType::PersonName
            })
            .collect();
        let site = (0..records.len())
            .map(|i| companies.iter().any(|(_, keys)| keys[i].site))
            .collect();
        let name = config
            .comparisons
            .iter()
            .map(|c| c.kind.is_company() || c.kind == Kind::FormerName)
            .collect();
        let no_company = (0..records.len())
            .map(|i| companies.iter().any(|(_, keys)| keys[i].no_company))
            .collect();
        let person = match companies.first() {
            Some((field, _)) => (0..records.len())
                .into_par_iter()
                .map(|i| {
                    company::person_named(records.value(i, *field))
                        .map_or(0, |(surname, full)| (surname as u32) << 1 | u32::from(full))
                })
                .collect(),
            None => vec![0; records.len()],
        };
        let mut features = Features {
            columns,
            companies,
            tf: Vec::new(),
            fast,
            region_columns,
            phone_columns,
            tf_bits: Vec::new(),
            contact,
            site,
            name,
            no_company,
            person,
            len: records.len(),
        };
        features.tf = config.comparisons.iter().map(|c| c.tf).collect();
        features.tf_bits = (0..features.tf.len())
            .map(|ci| features.tf[ci].then(|| features.own_tf_bits(ci)))
            .collect();
        features
    }

    /// The term-frequency bits of comparison `ci` with these records' own frequencies: what
    /// [`TermFrequencies`] of their [`Features::tf_value`]s gives, counted by the values'
    /// interned ids instead of hashing every value again.
    fn own_tf_bits(&self, ci: usize) -> Vec<f32> {
        let ids: std::borrow::Cow<[u32]> = match &self.columns[ci] {
            Column::Company(k) => self.fast[*k].core.iter().map(|c| c.trade_id).collect(),
            Column::Text { ids, .. } => ids.as_slice().into(),
            _ => vec![0; self.len].into(),
        };
        let mut counts = vec![0u32; ids.iter().max().map_or(1, |&m| m as usize + 1)];
        for &id in ids.iter() {
            counts[id as usize] += 1;
        }
        let total = (self.len as u64 - u64::from(counts[0])).max(1) as f64;
        let u_average = counts[1..]
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| (c as f64 / total).powi(2))
            .sum::<f64>()
            .max(1.0 / total);
        ids.par_iter()
            .map(|&id| match id {
                0 => 0.0,
                id => (u_average / (counts[id as usize] as f64 / total)).log2() as f32,
            })
            .collect()
    }

    /// Scores with these term frequencies (the whole input's, from [`TermCounts`]) rather than
    /// those of the records the features were computed for.
    pub fn use_term_frequencies(&mut self, tf: &[Option<Arc<TermFrequencies>>]) {
        let n = self.len;
        self.tf = tf.iter().map(Option::is_some).collect();
        self.tf_bits = (0..tf.len())
            .map(|ci| {
                tf[ci].as_ref().map(|tf| {
                    (0..n)
                        .into_par_iter()
                        .map(|i| {
                            let v = self.tf_value(ci, i);
                            if v.is_empty() {
                                0.0
                            } else {
                                (tf.u_average / tf.frequency(v)).log2() as f32
                            }
                        })
                        .collect()
                })
            })
            .collect();
    }

    /// Adds the values term frequencies are counted on, of every record, to `counts`.
    pub fn count_terms(&self, counts: &mut TermCounts) {
        let n = self.len;
        counts.per.resize_with(self.tf.len(), || None);
        for (ci, slot) in counts.per.iter_mut().enumerate() {
            if self.tf[ci] {
                let (map, total) = slot.get_or_insert_with(Default::default);
                count_values(map, total, (0..n).map(|i| self.tf_value(ci, i)));
            }
        }
    }

    /// The term-frequency adjustment of comparison `ci` for record `i`'s value, in bits, when
    /// the comparison has term frequencies.
    pub fn tf_bits(&self, ci: usize, i: usize) -> Option<f32> {
        self.tf_bits.get(ci)?.as_ref().map(|b| b[i])
    }

    /// Whether records `a` and `b`, of company comparison `ci`, share a shop's common 字号
    /// ([`is_common_trade`]): 张记, 王氏, 老何.
    pub fn share_common_trade(&self, ci: usize, a: usize, b: usize) -> bool {
        let Column::Company(k) = &self.columns[ci] else {
            return false;
        };
        let f = &self.fast[*k].core;
        f[a].common_trade && f[b].common_trade && f[a].trade_id == f[b].trade_id
    }

    /// Whether records `a` and `b` share the value term frequencies are counted on.
    pub fn tf_shared(&self, ci: usize, a: usize, b: usize) -> bool {
        match &self.columns[ci] {
            Column::Company(k) => {
                let f = &self.fast[*k].core;
                f[a].trade_id != 0 && f[a].trade_id == f[b].trade_id
            }
            Column::Text { ids, .. } => ids[a] != 0 && ids[a] == ids[b],
            _ => false,
        }
    }

    /// The region of company field `field` in record `i`: as the `company_region` comparison on
    /// the field sees it (its fallback fields included), else from the name alone.
    pub fn region(&self, field: usize, i: usize) -> Option<&Region> {
        let compared = self.region_columns.iter().find(|(f, _)| *f == field);
        match compared.map(|&(_, ci)| &self.columns[ci]) {
            Some(Column::Region(regions, ..)) => regions[i].as_ref(),
            _ => self.company(field)?[i].region.as_ref(),
        }
    }

    /// The phone numbers of record `i` in `fields` ([`phones_of`]), when a phone comparison
    /// reads those fields and so has them parsed already.
    pub fn phones(&self, fields: &[usize], i: usize) -> Option<&[u64]> {
        let &(_, ci) = self.phone_columns.iter().find(|(f, _)| f == fields)?;
        match &self.columns[ci] {
            Column::Phones(phones) => Some(&phones[i]),
            _ => None,
        }
    }

    /// Whether record `i`'s name is a project's site office ([`CompanyKey::site`]).
    pub fn site(&self, i: usize) -> bool {
        self.site[i]
    }

    /// Whether any record's name is a project's site office.
    pub fn any_site(&self) -> bool {
        self.site.iter().any(|&s| s)
    }

    /// What each record's name in company field `field` is written in: 1 Latin letters, 2
    /// Chinese characters, 0 no core; `None` when the field has no company keys.
    pub fn scripts(&self, field: usize) -> Option<&[u8]> {
        let k = self.companies.iter().position(|(f, _)| *f == field)?;
        Some(&self.fast[k].script)
    }

    /// Record `i`'s Latin words and its 字号's spellings, of company field `field`, when the
    /// names are written in both scripts ([`Fast::spell`]).
    pub fn spelling(&self, field: usize, i: usize) -> (&[Box<str>], &[Box<str>]) {
        fn at(v: &[Box<[Box<str>]>], i: usize) -> &[Box<str>] {
            v.get(i).map_or(&[], |b| &b[..])
        }
        match self.companies.iter().position(|(f, _)| *f == field) {
            Some(k) => (at(&self.fast[k].latin, i), at(&self.fast[k].spellings, i)),
            None => (&[], &[]),
        }
    }

    /// The company keys of `field`, when computed.
    pub fn company(&self, field: usize) -> Option<&[CompanyKey]> {
        self.companies
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, k)| k.as_slice())
    }

    /// The value term frequencies are counted on, for comparison `ci` of record `i`.
    pub fn tf_value(&self, ci: usize, i: usize) -> &str {
        match &self.columns[ci] {
            Column::Text { values, .. } => &values[i],
            Column::Company(k) => &self.companies[*k].1[i].trade,
            Column::Phones(_) | Column::Region(..) | Column::Address(..) | Column::Former(..) => "",
        }
    }

    /// A readable form of what comparison `ci` saw in record `i` (for explanations).
    pub fn shown(&self, ci: usize, kind: Kind, i: usize) -> String {
        match &self.columns[ci] {
            Column::Region(r, _, k) => {
                region_shown(r[i].as_ref(), self.companies[*k].1[i].district.as_deref())
            }
            // An identifier (a credit code) is masked as phone and ID numbers are.
            Column::Text { values, .. } if kind == Kind::Exact => crate::mask::mask(&values[i]),
            Column::Text { values, .. } => values[i].to_string(),
            Column::Address(keys, _) => {
                let k = &keys[i];
                match (k.street.is_empty(), k.detail.is_empty()) {
                    (false, false) => format!("{} {}", k.street, k.detail),
                    (false, true) => k.street.to_string(),
                    _ => k.detail.to_string(),
                }
            }
            Column::Former(f) => f.shown(i),
            Column::Phones(p) => p[i]
                .iter()
                .map(|n| crate::mask::mask(&n.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            Column::Company(k) => {
                let key = &self.companies[*k].1[i];
                match kind {
                    Kind::CompanyRegion => {
                        region_shown(key.region.as_ref(), key.district.as_deref())
                    }
                    Kind::CompanyBranch if key.core.is_empty() => String::new(),
                    Kind::CompanyBranch => key.branch.clone().unwrap_or_else(|| "(总部)".into()),
                    Kind::CompanyForm => key.form.clone().unwrap_or_default(),
                    Kind::CompanySerial => company::serial(&key.core.chars().collect::<Vec<_>>())
                        .map(|s| s.shown())
                        .unwrap_or_default(),
                    Kind::CompanyTradeChars if key.core.is_empty() => String::new(),
                    Kind::CompanyTradeChars if key.trade.is_empty() => key.core.clone(),
                    Kind::CompanyTradeChars => key.trade.clone(),
                    Kind::CompanyBusiness if key.trade.is_empty() => String::new(),
                    Kind::CompanyBusiness => {
                        let business = key.core.strip_prefix(key.trade.as_str()).unwrap_or("");
                        format!("{} (字号 {})", business, key.trade)
                    }
                    _ if key.core.is_empty() => String::new(),
                    _ => format!("{} (字号 {})", key.core, key.trade),
                }
            }
        }
    }

    /// The level of comparison `ci` for records `a` and `b`. A project's site office has its
    /// own contact, phone, e-mail and address (湖南建工-梅溪湖住宅小区项目部 and 湖南省建工集团
    /// 有限公司): where one of the two is one, their differing counts for nothing. A name that
    /// names no company (翠湖花园物业服务中心, 任桂睿（个体保洁）) is compared only with another
    /// such name: against a company's, each comparison of the names is missing.
    pub fn level(&self, ci: usize, c: &Comparison, a: usize, b: usize) -> u8 {
        if self.name[ci] && self.names_apart(a, b) {
            return 0;
        }
        self.level_of_named(ci, c, a, b)
    }

    /// Whether the names of `a` and `b` are not to be compared: one names no company and the
    /// other does, or both name a person of one surname, not both by full name (老罗 / 平望罗师傅,
    /// 孙丽龙 / 东渚孙师傅: how people are written differs more than a 字号 does; two full names
    /// that differ are two people).
    fn names_apart(&self, a: usize, b: usize) -> bool {
        let (p, q) = (self.person[a], self.person[b]);
        self.no_company[a] != self.no_company[b]
            || (p != 0 && q != 0 && p >> 1 == q >> 1 && p & q & 1 == 0)
    }

    /// [`Features::level`] for a pair whose names both name a company or both do not.
    fn level_of_named(&self, ci: usize, c: &Comparison, a: usize, b: usize) -> u8 {
        let level = self.own_level(ci, c, a, b);
        if self.contact[ci]
            && (self.site[a] || self.site[b])
            && level as usize == level_count(c.kind, c.thresholds.len()) - 1
        {
            0
        } else {
            level
        }
    }

    fn own_level(&self, ci: usize, c: &Comparison, a: usize, b: usize) -> u8 {
        match &self.columns[ci] {
            Column::Text {
                values,
                ids,
                mail,
                char_bits,
                org,
            } => {
                let (x, y) = (ids[a], ids[b]);
                if x == 0 || y == 0 {
                    0
                } else if (x | y) & ADDRESSED != 0 {
                    // 陈总 and 陈总 (or 陈立冰) are any two people of the surname 陈: only another
                    // surname tells.
                    let surname = |v: &str| v.chars().next();
                    if surname(&values[a]) == surname(&values[b]) {
                        0
                    } else {
                        level_count(c.kind, c.thresholds.len()) as u8 - 1
                    }
                } else if x == y {
                    1
                } else if (x | y) & SUSPECT != 0 {
                    // A value that failed its check says nothing when it differs, unless it
                    // holds the other's organisation code: an old 15-digit 税号 or the code
                    // alone, against the credit code it is part of.
                    match org {
                        Some(org) if org[a] != 0 && org[a] == org[b] => 1,
                        _ => 0,
                    }
                } else if let Some(mail) = mail {
                    mail_level(mail[a], mail[b])
                } else if char_bits.as_ref().is_some_and(|bits| {
                    // Every character of one missing from the other costs an edit.
                    let (p, q) = (bits[a], bits[b]);
                    let apart = (p & !q).count_ones().max((q & !p).count_ones());
                    c.thresholds.iter().all(|&t| apart as f64 > t)
                }) {
                    level_count(c.kind, c.thresholds.len()) as u8 - 1
                } else {
                    text_level(c, &values[a], &values[b])
                }
            }
            Column::Phones(p) => {
                let (x, y) = (&p[a], &p[b]);
                if x.is_empty() || y.is_empty() {
                    0
                } else if x.iter().any(|n| y.contains(n)) {
                    1
                } else {
                    2
                }
            }
            Column::Company(k) => fast_level(c.kind, &self.fast[*k], a, b),
            Column::Former(f) => f.level(a, b),
            Column::Address(keys, streets) => {
                let (x, y) = (streets[a], streets[b]);
                if x != 0 && y != 0 && x != y {
                    3
                } else {
                    match address::compare(&keys[a], &keys[b]) {
                        AddressMatch::Unknown => 0,
                        AddressMatch::Same => 1,
                        AddressMatch::SameStreet => 2,
                        AddressMatch::Different => 3,
                    }
                }
            }
            Column::Region(_, codes, k) => {
                region_level(region_code_level(codes[a], codes[b]), &self.fast[*k], a, b)
            }
        }
    }

    /// The comparison vector of a pair: 4 bits per comparison.
    pub fn pattern(&self, config: &Config, a: usize, b: usize) -> u64 {
        // What [`Features::level`] asks per comparison, asked once.
        let one_nameless = self.names_apart(a, b);
        let mut pattern = 0u64;
        for (ci, c) in config.comparisons.iter().enumerate() {
            let level = if one_nameless && self.name[ci] {
                0
            } else {
                self.level_of_named(ci, c, a, b)
            };
            pattern |= (level as u64) << (4 * ci);
        }
        pattern
    }
}

/// Mail providers anyone can sign up with: sharing one says nothing about the company.
const PUBLIC_MAIL: &[&str] = &[
    "qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "sina.cn",
    "sohu.com",
    "139.com",
    "189.cn",
    "wo.cn",
    "aliyun.com",
    "tom.com",
    "21cn.com",
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "msn.com",
    "vip.qq.com",
    "vip.163.com",
    "vip.sina.com",
];

/// The level of comparison `ci` in a packed comparison vector.
pub fn level_of(pattern: u64, ci: usize) -> u8 {
    ((pattern >> (4 * ci)) & 0xF) as u8
}

/// The bit of a text id marking a value that failed its check but is compared for equality
/// ([`identifier_of`]).
const SUSPECT: u32 = 1 << 31;

/// The bit of a text id marking a person's name that is a form of address (陈总, 王经理:
/// [`crate::normalize::is_form_of_address`]), compared by its surname alone.
const ADDRESSED: u32 = 1 << 30;

/// An identifier that failed its check, as compared for equality with another record's: its
/// letters and digits, full-width ones made half-width, lower-cased, with spaces and hyphens
/// dropped (`913506 026901 55324U`). `None` for anything that is not an identifier's shape: a
/// placeholder (无, 不详, 000000…), fewer than 8 characters, or any other character.
fn identifier_of(value: &str) -> Option<Box<str>> {
    let mut out = String::with_capacity(value.len());
    for c in crate::normalize::clean_text(value).chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            ' ' | '-' => {}
            _ => return None,
        }
    }
    let first = out.chars().next()?;
    let one_character = out.chars().all(|c| c == first);
    (out.len() >= 8 && !one_character && !crate::normalize::is_placeholder(&out))
        .then(|| out.into_boxed_str())
}

/// Whether an 18-character credit code (lower-cased, as [`identifier_of`] gives it) has the
/// right check character (GB 32100-2015): then no single character of it was mistyped.
fn final_check_holds(code: &str) -> bool {
    let chars: Vec<char> = code.chars().map(|c| c.to_ascii_uppercase()).collect();
    chars.len() == 18 && crate::checks::credit_check_char(&chars[..17]) == Some(chars[17])
}

fn text_of(value: &str) -> Box<str> {
    let value = crate::normalize::trim(value);
    if value.bytes().any(|b| b.is_ascii_uppercase()) {
        value.to_lowercase().into_boxed_str()
    } else {
        value.into()
    }
}

/// Every phone number in the fields' cells: runs of digits (separators `-`, space, `(`, `)`
/// inside a number allowed) of 7 or more digits, a leading 86 / 0086 country code dropped.
pub fn phones_of(records: &Records, record: usize, fields: &[usize]) -> Vec<u64> {
    // Most records have one number: room for it, so that the boxed slice needs no shrinking.
    let mut out = Vec::with_capacity(1);
    for &f in fields {
        phones_in(records.value(record, f), &mut out);
    }
    out
}

/// Adds the phone numbers of `text` ([`phones_of`]) not in `out` yet to `out`. No string is
/// built: a run of digits is kept as its value (None once past u64), its length and its first
/// four digits, for the country code.
fn phones_in(text: &str, out: &mut Vec<u64>) {
    let (mut value, mut len, mut head) = (Some(0u64), 0usize, 0u32);
    let mut flush = |value: &mut Option<u64>, len: &mut usize, head: &mut u32| {
        // 86 13800138000 and 0086 13800138000: the country code's digits are 86·10^11.
        let country = (*len == 13 && *head / 100 == 86) || (*len == 15 && *head == 86);
        let n = match *value {
            Some(v) if country => Some(v - 86 * 10u64.pow(11)),
            Some(v) if *len >= 7 => Some(v),
            _ => None,
        };
        if let Some(n) = n {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        (*value, *len, *head) = (Some(0), 0, 0);
    };
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            let d = ch as u32 - '0' as u32;
            value = value.and_then(|v| v.checked_mul(10)?.checked_add(d as u64));
            if len < 4 {
                head = head * 10 + d;
            }
            len += 1;
        } else if matches!(ch, '-' | ' ' | '(' | ')' | '+') && len > 0 {
            continue;
        } else {
            flush(&mut value, &mut len, &mut head);
        }
    }
    flush(&mut value, &mut len, &mut head);
}

/// The level of two different, non-empty values (the column's ids decided missing and equal).
fn text_level(c: &Comparison, a: &str, b: &str) -> u8 {
    let last = level_count(c.kind, c.thresholds.len()) as u8 - 1;
    match c.kind {
        Kind::Exact => 2,
        Kind::Date => {
            let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let differing =
                x.len() == y.len() && x.iter().zip(&y).filter(|(p, q)| p != q).count() == 1;
            let swapped = a.len() >= 10
                && b.len() >= 10
                && a[..4] == b[..4]
                && a.get(5..7) == b.get(8..10)
                && a.get(8..10) == b.get(5..7);
            if differing || swapped {
                2
            } else if a.get(..4) == b.get(..4) {
                3
            } else {
                4
            }
        }
        Kind::JaroWinkler => {
            let s = strsim::jaro_winkler(a, b);
            threshold_level(&c.thresholds, |t| s >= t, last)
        }
        Kind::Bigram => {
            let s = dice(a, b);
            threshold_level(&c.thresholds, |t| s >= t, last)
        }
        Kind::Levenshtein => {
            let d = strsim::levenshtein(a, b) as f64;
            threshold_level(&c.thresholds, |t| d <= t, last)
        }
        _ => last,
    }
}

/// E-mail levels of two different, non-empty addresses: same mailbox at another domain, same
/// company domain, or different.
fn mail_level(a: Mail, b: Mail) -> u8 {
    if a.local != 0 && a.local == b.local {
        2
    } else if a.domain != 0 && a.domain == b.domain {
        3
    } else {
        4
    }
}

/// A text column: the values, interned; with e-mail parts when `mail`.
fn text_column(values: Vec<Box<str>>, kind: Kind) -> Column {
    let (ids, (mail, char_bits)) = rayon::join(
        || intern_all(values.iter().map(|v| &**v), &[]),
        || {
            let mail = (kind == Kind::Email).then(|| {
                let (locals, domains) = rayon::join(
                    || intern_all(values.iter().map(|v| v.split('@').next().unwrap_or(v)), &[]),
                    || {
                        intern_all(
                            values
                                .iter()
                                .map(|v| v.split_once('@').map_or("", |(_, d)| d)),
                            PUBLIC_MAIL,
                        )
                    },
                );
                locals
                    .into_iter()
                    .zip(domains)
                    .map(|(local, domain)| Mail { local, domain })
                    .collect()
            });
            let char_bits = (kind == Kind::Levenshtein).then(|| {
                values
                    .iter()
                    .map(|v| v.chars().fold(0, |m, c| m | bit_of(c as u64)))
                    .collect()
            });
            (mail, char_bits)
        },
    );
    Column::Text {
        values,
        ids,
        mail,
        char_bits,
        org: None,
    }
}

/// The 组织机构代码 (GB 11714) a credit code holds, as [`identifier_of`] writes codes (lower
/// case, letters and digits): characters 9 to 17 of an 18-character 统一社会信用代码, 7 to 15 of
/// an old 15-digit 税号 (region and organisation code), or the 9 characters of the code
/// alone; its nine bytes packed in a `u64` (7 bits each), 0 when its own check character is
/// wrong or it is none of these.
fn organisation_code(code: &str) -> u64 {
    let org = match code.len() {
        18 => &code.as_bytes()[8..17],
        15 if code.bytes().take(6).all(|b| b.is_ascii_digit()) => &code.as_bytes()[6..15],
        9 => code.as_bytes(),
        _ => return 0,
    };
    let mut upper = [0u8; 9];
    for (u, b) in upper.iter_mut().zip(org) {
        *u = b.to_ascii_uppercase();
    }
    match std::str::from_utf8(&upper) {
        Ok(text) if crate::checks::org_code(text).is_ok() => upper
            .iter()
            .fold(0u64, |packed, &b| (packed << 7) | u64::from(b & 0x7F)),
        _ => 0,
    }
}

/// Each value's id (0 for an empty value and for the values in `zero`).
fn intern_all<'a>(values: impl Iterator<Item = &'a str>, zero: &[&'a str]) -> Vec<u32> {
    let mut interner = Interner::with_capacity(values.size_hint().0);
    for z in zero {
        interner.0.insert(z, 0);
    }
    values.map(|v| interner.id(v)).collect()
}

fn threshold_level(thresholds: &[f64], passes: impl Fn(f64) -> bool, last: u8) -> u8 {
    thresholds
        .iter()
        .position(|&t| passes(t))
        .map(|i| i as u8 + 2)
        .unwrap_or(last)
}

/// Dice coefficient of character bigrams (a one-character string is its own bigram).
pub fn dice(a: &str, b: &str) -> f64 {
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    dice_sorted(&bigrams(&chars(a)), &bigrams(&chars(b)))
}

/// Whether two strings are at most one edit (insert, delete, substitute, swap of neighbours)
/// apart.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    one_edit(&chars(a), &chars(b))
}

/// `company`: the index of `keys` in [`Features::companies`].
fn region_column(company: usize, regions: Vec<Option<Region>>) -> Column {
    let mut interner = Interner::with_capacity(regions.len());
    let codes = regions
        .iter()
        .map(|r| interner.region(r.as_ref()))
        .collect();
    Column::Region(regions, codes, company)
}

/// [`Column::Former`]: what each record's `remarks` field says of a former name or a move, and
/// each record's name (`names`, the name field's keys) interned against the names the remarks
/// give and the names of the records that moved. Those are few, so every other name is only
/// looked up, on the pool.
fn former_column(
    names: &[CompanyKey],
    records: &Records,
    remarks: usize,
    regions: &Regions,
) -> Column {
    // The records whose remarks say something: the former name (keys, as written), moved.
    type Said = (u32, Option<(CompanyKey, Box<str>)>, bool);
    let said: Vec<Said> = (0..records.len())
        .into_par_iter()
        .filter_map(|i| {
            let (former, moved) = company::former_name_or_move(records.value(i, remarks));
            (former.is_some() || moved).then(|| {
                let former = former.map(|name| (company::company_key(name, regions), name.into()));
                (i as u32, former, moved)
            })
        })
        .collect();
    let mut interner = Interner::with_capacity(said.len() * 2);
    let mut given = Vec::with_capacity(said.len());
    for (i, former, moved) in &said {
        if *moved {
            NameId::of(&names[*i as usize], &mut interner);
        }
        given.push(Given {
            former: former
                .as_ref()
                .map(|(key, text)| (NameId::of(key, &mut interner), text.clone())),
            moved: *moved,
        });
    }
    let mut slot = vec![0; names.len()];
    for (n, (i, _, _)) in said.iter().enumerate() {
        slot[*i as usize] = n as u32 + 1;
    }
    let names = names
        .par_iter()
        .map(|k| NameId::looked_up(k, &interner))
        .collect();
    Column::Former(Formers { names, slot, given })
}

/// A region for explanations, with the district the name writes: 江苏/徐州/鼓楼区.
fn region_shown(region: Option<&Region>, district: Option<&str>) -> String {
    let mut text = region.map(region_text).unwrap_or_default();
    if let Some(d) = district {
        if !text.is_empty() {
            text.push('/');
        }
        text.push_str(d);
    }
    text
}

/// A branch as compared: a 分公司, a 分院, a 分店 and a 店 of one place are one branch,
/// registered as the one and written as the other (广东源意便利店连锁有限公司深圳光明分公司 /
/// 源意便利店深圳光明店). A marker without a place, and any other marker (营业部, 办事处), as
/// written.
fn branch_place(branch: &str) -> &str {
    // A chain clinic's 分院 is its 分公司 there (恒泰口腔庐江县分院 / …有限公司庐江县分公司).
    ["分公司", "分院", "分店", "门店", "店"]
        .iter()
        .find_map(|m| branch.strip_suffix(m).filter(|place| !place.is_empty()))
        .unwrap_or(branch)
}

/// A district's characters without 区, 县 and 新, at most four, sorted; all 0 for none.
type District = [u32; 4];

/// [`District`] of a place's name.
fn district_chars(place: &str) -> District {
    let mut out = [0; 4];
    let mut n = 0;
    for c in place
        .chars()
        .filter(|c| !matches!(c, '区' | '县' | '新'))
        .take(4)
    {
        out[n] = c as u32;
        n += 1;
    }
    out[..n].sort_unstable();
    out
}

/// Whether two districts have a character in common (天心区 / 夭心区, mistyped).
fn share_a_character(x: &District, y: &District) -> bool {
    x.iter().any(|&c| c != 0 && y.contains(&c))
}

/// The characters of a name's district ([`District`]); none when the name writes none.
fn district_of(key: &CompanyKey) -> District {
    key.district.as_deref().map_or([0; 4], district_chars)
}

/// For a shop whose branch is two characters and 店 (开福店, 南山店, 鱼峰区店): those characters, as
/// [`district_of`] reads a district. A shop registered as 长沙市开福区奥兴大药房 is written
/// 奥兴大药房（开福店） as often: one shop, not a head office and its branch. A chain's 分店
/// and a street's 路店 are not read so. With it, whether the district is written whole, with
/// its 区, 县 or 市 (殷都区店, not 开福店).
fn store_district(key: &CompanyKey) -> (District, bool) {
    let Some(place) = key.branch.as_deref().and_then(|b| b.strip_suffix('店')) else {
        return ([0; 4], false);
    };
    // 科晨快餐店鱼峰区店, 远捷汽修（殷都区店）, 长江路汽修（临清市店）: the district written whole,
    // two or three characters before its 区, 县 or 市; without it, two (开福店, not 火车站店).
    let name = place.strip_suffix(['区', '县', '市']).unwrap_or(place);
    let count = name.chars().count();
    let whole = name.len() < place.len();
    if !(count == 2 || whole && count == 3)
        || name.contains(['分', '路'])
        || name.chars().any(|c| c.is_ascii())
    {
        return ([0; 4], false);
    }
    // Read as a name's district is (临清市 keeps its 市).
    (district_chars(place), whole)
}

/// A region level (`level`, from the regions' codes) with the districts the names write
/// ([`district_of`]): one city, two districts (徐州市鼓楼区张敏服装店 / 徐州市泉山区张敏服装店)
/// is two places, as two cities are. Districts with a character in common are taken for one,
/// mistyped (天心区 / 夭心区). A county's institution (not a city district's) is not the one
/// its city's name writes either (苏州市太仓市疾病预防控制中心 / 苏州市疾病预防控制中心,
/// 睢宁县人民医院 / 徐州市人民医院), where a company of a county is often written with its
/// city's name. The districts are read only for one city, as few random pairs are.
fn region_level(level: u8, f: &Fast, a: usize, b: usize) -> u8 {
    let (x, y) = (f.district[a], f.district[b]);
    let two_districts = x[0] != 0 && y[0] != 0 && !share_a_character(&x, &y);
    // Two counties written (鲁灵能源科技（行唐县）/ 鲁灵能源科技（高阳县）) are two places, the
    // city or the province written on one side only or on neither.
    if level != 1 {
        return if two_districts && level != 3 {
            3
        } else {
            level
        };
    }
    // The name without a district writes its city (苏州市…), not nothing (谢集镇农技站 is
    // 辉县市谢集镇农技站).
    let city_named = |i: usize| f.district[i][0] == 0 && f.region[i].1 != 0;
    let county_and_city = (city_named(a) && f.core[b].county || city_named(b) && f.core[a].county)
        && f.core[a].institution
        && f.core[b].institution;
    if two_districts || county_and_city {
        3
    } else {
        level
    }
}

fn region_text(r: &Region) -> String {
    match &r.city {
        Some(city) => format!("{}/{}", r.province, city),
        None => r.province.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of names and their fast form.
    fn keyed(names: &[&str]) -> (Vec<CompanyKey>, Fast) {
        let regions = Regions::builtin().unwrap();
        let keys: Vec<CompanyKey> = names
            .iter()
            .map(|name| company::company_key(name, &regions))
            .collect();
        let fast = fast_keys(&keys);
        (keys, fast)
    }

    #[test]
    fn two_kinds_of_institution_are_two_whatever_they_share() {
        let (_, fast) = keyed(&[
            "栾川县梁乐镇中心小学",
            "栾川县梁乐镇中心卫生院",
            "梁乐镇中心小学宿舍楼",
            "梁乐镇中心医院",
            "梁乐镇中心幼儿园",
        ]);
        let core = |a, b| fast_level(Kind::CompanyCore, &fast, a, b);
        assert_eq!(core(0, 1), 4);
        assert_eq!(core(0, 4), 4);
        // A building of the school is the school; a township's clinic is written 医院 too.
        assert_eq!(core(0, 2), 1);
        assert_ne!(core(1, 3), 4);
    }

    #[test]
    fn two_government_bodies_or_a_body_and_its_unit_are_two() {
        let (_, fast) = keyed(&[
            "个旧市审计局",
            "个旧市统计局",
            "会理市人民法院",
            "会理市人民检察院",
            "会理市水利局",
            "会理水利工程管理站",
            "江津区农业局",
            "重庆市江津区农业农村局",
            "黔江区第五中学校",
            "黔江第五小学",
            "人民路社区医院",
            "人民路社区卫生服务站",
            "城西街道办",
            "深圳市光明区城西街道公共就业服务中心",
        ]);
        let core = |a, b| fast_level(Kind::CompanyCore, &fast, a, b);
        for (a, b) in [(0, 1), (2, 3), (4, 5), (8, 9), (12, 13)] {
            assert_eq!(core(a, b), 4, "{a} {b}");
        }
        // A bureau renamed is the bureau; a community's clinic is one, however written.
        assert_ne!(core(6, 7), 4);
        assert_ne!(core(10, 11), 4);
    }

    #[test]
    fn common_shop_names_are_two_characters_with_ji_or_shi_or_lao() {
        let common = |t: &str| is_common_trade(&t.chars().collect::<Vec<_>>());
        for t in ["张记", "王氏", "老何", "彭记"] {
            assert!(common(t), "{t}");
        }
        for t in ["华远", "老凤祥", "记忆", "氏族", "小米", "利民"] {
            assert!(!common(t), "{t}");
        }
    }

    #[test]
    fn a_failed_identifier_is_kept_in_the_shape_of_a_code() {
        let id = |v: &str| identifier_of(v).map(String::from);
        let code = Some("91520303ma0w0ku0ww".to_string());
        assert_eq!(id("91520303MA0W0KU0WW"), code);
        assert_eq!(id("91520303 ma0w0ku0ww"), code);
        assert_eq!(id("９１５２０３０３ＭＡ０Ｗ０ＫＵ０ＷＷ"), code);
        assert_eq!(id("915203-03MA0W0KU0WW"), code);
        assert_eq!(id("330204749922701"), Some("330204749922701".into()));
        assert!(final_check_holds("91520303ma0w0ku0ww"));
        assert!(!final_check_holds("91520303ma0w0ku1ww"));
        assert!(!final_check_holds("330204749922701"));
        for junk in [
            "无",
            "不详",
            "N/A",
            "000000000000000000",
            "1234567",
            "9152030鲁MA0W0KU0W",
        ] {
            assert_eq!(id(junk), None, "{junk}");
        }
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("华远软件科技", "华原软件科技"));
        assert!(within_one_edit("华远软件科技", "远华软件科技"));
        assert!(within_one_edit("华远软件科技", "华软件科技"));
        assert!(within_one_edit("华远软件科技", "华远软件科技x"));
        assert!(!within_one_edit("华远软件科技", "华原软件技科"));
        assert!(!within_one_edit("华远软件科技", "上海华远软件科技"));
    }

    /// The core comparison as written before its shortcuts (lengths, first characters,
    /// character and bigram bits): the levels must be the same.
    fn core_level_plain(a: &CompanyKey, b: &CompanyKey) -> u8 {
        let same_business = |p: &[char], q: &[char]| {
            p.is_empty()
                || q.is_empty()
                || abbreviates(p, q)
                || abbreviates(q, p)
                || super::one_edit(p, q)
        };
        let (x, y): (Vec<char>, Vec<char>) = (a.core.chars().collect(), b.core.chars().collect());
        let trade_len = |k: &CompanyKey| {
            if !k.trade.is_empty() && k.core.starts_with(k.trade.as_str()) {
                k.trade.chars().count()
            } else {
                0
            }
        };
        let same_trade = !a.trade.is_empty() && a.trade == b.trade;
        let (u, v) = (&x[trade_len(a)..], &y[trade_len(b)..]);
        let words = |w: &[char]| company::is_industry_words(&w.iter().collect::<String>());
        let other_business = !u.is_empty()
            && !v.is_empty()
            && !abbreviates(u, v)
            && !abbreviates(v, u)
            && words(u)
            && words(v);
        if x.is_empty() || y.is_empty() {
            0
        } else if x == y {
            1
        } else if x.len().min(y.len()) >= 2 && (x.starts_with(&y) || y.starts_with(&x)) {
            let (s, l) = if x.len() < y.len() { (a, b) } else { (b, a) };
            let chars = |k: &CompanyKey| k.core.chars().collect::<Vec<_>>();
            if affiliate(&chars(s), &chars(l), s.form.is_some(), l.form.is_some()) {
                4
            } else {
                2
            }
        } else if same_trade && other_business {
            4
        } else if x.len().min(y.len()) >= 4
            && x[..2] == y[..2]
            && super::one_edit(&x, &y)
            && !(trade_len(a) > 0
                && trade_len(b) > 0
                && a.trade != b.trade
                && !u.is_empty()
                && u == v)
        {
            2
        } else if same_trade {
            if same_business(u, v) {
                2
            } else {
                4
            }
        } else if (x.len().min(y.len()) >= 4 && super::one_edit(&x, &y))
            || dice_sorted(&bigrams(&x), &bigrams(&y)) >= 0.5
        {
            3
        } else if let (Some(u), Some(v)) = (institution_name(a), institution_name(b)) {
            let (s, l) = if u.len() < v.len() { (u, v) } else { (v, u) };
            if abbreviates_institution(&s, &l) {
                2
            } else {
                4
            }
        } else {
            4
        }
    }

    #[test]
    fn another_business_under_the_same_trade_name_is_another_core() {
        let (keys, fast) = keyed(&[
            "华远物流有限公司",
            "北京华远软件科技有限公司",
            "华远网络科技有限公司",
            "华远科技有限公司",
            "华远软件技术有限公司",
            "深圳泰永数字科技有限公司",
            "深圳泰永数据科技有限公司",
            "郑州东金斯电气科技有限公司",
            "郑州东金斯软件科技有限公司",
            "华远软件科枝有限公司",
            "苏州耀创智商贸有限公司",
            "苏州耀创商贸有限公司",
            "北京壹锦蓝网络科技有限公司",
            "北京壹锦网络科技",
        ]);
        // 耀创智商贸 / 耀创商贸: one business, two 字号s a character apart: alike (3), not the
        // 字号 intact with a typo after it (2).
        assert_eq!(core_level(&fast, 10, 11), 3);
        assert_eq!(core_level(&fast, 12, 13), 3);
        // 物流 / 软件科技: the same 字号 in another business, as different as any other core.
        assert_eq!(core_level(&fast, 0, 1), 4);
        // 网络科技 / 科技: one in the other.
        assert_eq!(core_level(&fast, 2, 3), 2);
        // 软件科技 / 软件技术, 数字科技 / 数据科技: two businesses the industry words know, not
        // a typo, however alike (bigram Dice 0.6, one character apart).
        assert_eq!(core_level(&fast, 1, 4), 4);
        assert_eq!(core_level(&fast, 5, 6), 4);
        // 电气科技 / 软件科技: alike by bigrams once, another business now.
        assert_eq!(core_level(&fast, 7, 8), 4);
        // 软件科技 / 软件科枝: a typo (科枝 is no industry word).
        assert_eq!(core_level(&fast, 1, 9), 2);
        for a in 0..keys.len() {
            for b in 0..keys.len() {
                assert_eq!(
                    core_level(&fast, a, b),
                    core_level_plain(&keys[a], &keys[b])
                );
            }
        }
    }

    #[test]
    fn an_institutions_affiliate_is_not_its_abbreviation() {
        let (keys, fast) = keyed(&[
            "南通方启职业技术学院",
            "南通方启职业技术学院资产经营有限公司",
            "嘉兴市水利局",
            "嘉兴市水利局水文水资源监测中心",
            "厦门万千大学",
            "厦门万千大学附属医院",
            "南京市第一医院",
            "南京市第一医院设备科",
            "华远",
            "华远科技有限公司",
            "浙江大学",
            "浙江大学医学院",
            "省人医",
            "江苏省人民医院",
            "苏大附二院",
            "苏州大学附属第二医院",
            "致瀚院",
            "浙江致瀚学院附属医院",
            "安徽省人民医院",
            "湖北工建",
            "湖北工建集团第三建筑工程有限公司",
            "永州理工学院",
            "永州理工学院附属中学",
        ]);
        // The institution's company, a body's institution, the university's hospital: another
        // legal person.
        assert_eq!(core_level(&fast, 0, 1), 4);
        assert_eq!(core_level(&fast, 2, 3), 4);
        assert_eq!(core_level(&fast, 4, 5), 4);
        // A department is dropped; a short name, a university's school: the same one,
        // abbreviated.
        assert_eq!(core_level(&fast, 6, 7), 1);
        assert_eq!(core_level(&fast, 8, 9), 2);
        assert_eq!(core_level(&fast, 10, 11), 2);
        // An institution's short name, an affiliate's with its 附; not the parent's short name
        // for its affiliate. Which province's 人民医院 省人医 is, the region tells.
        assert_eq!(core_level(&fast, 12, 13), 2);
        assert_eq!(core_level(&fast, 14, 15), 2);
        assert_eq!(core_level(&fast, 16, 17), 4);
        assert_eq!(core_level(&fast, 12, 18), 2);
        // A member of the group the short name names.
        assert_eq!(core_level(&fast, 19, 20), 4);
        // A college's affiliated school.
        assert_eq!(core_level(&fast, 21, 22), 4);
        for a in 0..keys.len() {
            for b in 0..keys.len() {
                assert_eq!(
                    core_level(&fast, a, b),
                    core_level_plain(&keys[a], &keys[b])
                );
            }
        }
    }

    #[test]
    fn one_trade_name_in_two_trades_is_two_businesses() {
        let (keys, fast) = keyed(&[
            "北京顺倍小额贷款有限公司",
            "北京顺倍置业有限公司",
            "顺倍投资有限公司",
            "顺倍科技有限公司",
            "顺倍有限公司",
            "杭州益友生物科技有限公司",
            "杭州益友教育科技",
            "钧欣达进出口有限公司",
            "成都钧欣达外贸公司",
            "亚越机械",
            "亚越设备有限公司",
            "博达物流有限公司",
            "傲益電商",
            "上海傲益电子商务有限公司",
            "石家庄泰同电气有限责任公司",
            "石家庄睿朗商务咨询有限责任公司",
            "南宁嘉帆包装材料有限公司",
            "南宁朗展包装材料有限责任公司",
            "北京和祥大酒店有限公司",
            "北京和祥酒店管理有限公司",
            "和祥酒店",
            "石家庄长庆宾馆有限公司",
            "石家庄长庆餐饮管理有限公司",
        ]);
        let level = |a, b| fast_level(Kind::CompanyBusiness, &fast, a, b);
        // 小额贷款 / 置业, 生物科技 / 教育科技: two trades under one 字号.
        assert_eq!(level(0, 1), 2);
        assert_eq!(level(5, 6), 2);
        // 小额贷款 / 投资: one trade (finance).
        assert_eq!(level(0, 2), 1);
        // A generic word (科技) against a trade, 进出口 / 外贸, 机械 / 设备, 电商 / 电子商务.
        assert_eq!(level(0, 3), 1);
        assert_eq!(level(7, 8), 1);
        assert_eq!(level(9, 10), 1);
        assert_eq!(level(12, 13), 1);
        // Two 字号s in two trades (one owner's 泰同电气 and 睿朗商务咨询): two businesses too.
        assert_eq!(level(0, 11), 2);
        assert_eq!(level(14, 15), 2);
        // No industry words on one side, or two 字号s in one trade: nothing to compare.
        assert_eq!(level(0, 4), 0);
        assert_eq!(level(16, 17), 0);
        // A hotel and the company running it, both written out: two; a short name may be
        // either. A hotel and a restaurant company: two.
        assert_eq!(level(18, 19), 2);
        assert_eq!(level(20, 19), 1);
        assert_eq!(level(20, 18), 1);
        assert_eq!(level(21, 22), 2);
        for a in 0..keys.len() {
            for b in 0..keys.len() {
                assert_eq!(level(a, b), level(b, a), "{a} {b}");
            }
        }
    }

    #[test]
    fn a_shop_named_by_its_district_is_the_shop_of_that_district() {
        let (_, fast) = keyed(&[
            "长沙市开福区奥兴大药房",
            "奥兴大药房（开福店）",
            "奥兴大药房（天心店）",
            "长沙市奥兴大药房",
            "奥兴大药房开福分店",
            "奥兴大药房（五一路店）",
        ]);
        let branch = |a, b| fast_level(Kind::CompanyBranch, &fast, a, b);
        assert_eq!(branch(0, 1), 1);
        assert_eq!(branch(1, 0), 1);
        // Another district's shop, a name without a district, a chain's 分店, a street's shop:
        // a head office and its branch, as before.
        assert_eq!(branch(0, 2), 2);
        assert_eq!(branch(3, 1), 2);
        assert_eq!(branch(0, 4), 2);
        assert_eq!(branch(0, 5), 2);
        assert_eq!(branch(1, 2), 2);
    }

    #[test]
    fn a_branch_registered_as_a_branch_and_written_as_a_store_is_one() {
        let (_, fast) = keyed(&[
            "广东源意便利店连锁有限公司深圳光明分公司",
            "源意便利店深圳光明店",
            "源意便利店深圳宝安店",
            "广东源意便利店连锁有限公司深圳营业部",
            "广东源意便利店连锁有限公司深圳分公司",
            "恒泰口腔庐江县分院",
            "安徽恒泰齿科医疗投资有限公司庐江县分公司",
            "恒泰口腔肥西县分院",
        ]);
        let branch = |a, b| fast_level(Kind::CompanyBranch, &fast, a, b);
        assert_eq!(branch(0, 1), 1);
        assert_eq!(branch(1, 2), 2);
        assert_eq!(branch(0, 2), 2);
        // Another marker is another unit.
        assert_eq!(branch(3, 4), 2);
        // A chain clinic's 分院 is its 分公司 of the place.
        assert_eq!(branch(5, 6), 1);
        assert_eq!(branch(5, 7), 2);
    }

    #[test]
    fn two_latin_names_of_one_city_are_not_alike_by_their_citys_letters() {
        let (_, fast) = keyed(&[
            "Guangzhou Shengyuan Garments CO., LIMITED",
            "GUANGZHOU CHUANGJIE AUTO PARTS CO., LTD.",
            "广州盛远服饰有限公司",
            "广州胜远服饰有限公司",
        ]);
        let core = |a, b| fast_level(Kind::CompanyCore, &fast, a, b);
        assert_eq!(core(0, 1), 4);
        // Chinese characters pair up by chance far less: half the bigrams still make alike.
        assert_eq!(core(2, 3), 3);
    }

    #[test]
    fn a_latin_name_tells_another_business_by_what_it_makes_not_by_trading() {
        let (_, fast) = keyed(&[
            "Dongguan Yude Foods CO., LIMITED",
            "东莞市宇德贸易有限公司",
            "Heze Yixiang Trading Co., Ltd.",
            "亿祥汽车零部件（菏泽）有限公司",
            "Fujian Yezhong Building Materials Co., Ltd.",
            "福建烨众建材有限公司",
            "Huilong Electrical Appliances (Hong Kong) Co., Limited",
            "汇龙电器（香港）有限公司",
            "匯龍國際電子有限公司",
        ]);
        let business = |a, b| fast_level(Kind::CompanyBusiness, &fast, a, b);
        assert_eq!(business(0, 1), 2);
        assert_eq!(business(2, 3), 0);
        assert_eq!(business(4, 5), 0);
        assert_eq!(business(6, 7), 0);
        // 电器 and 电子 are one sector: not told apart.
        assert_eq!(business(6, 8), 0);
    }

    #[test]
    fn a_name_without_a_district_may_be_the_shop_of_a_district_written_whole() {
        let (_, fast) = keyed(&[
            "远捷汽修（殷都区店）",
            "安阳市远捷汽修",
            "远捷汽修",
            "安阳市文峰区远捷汽修",
            "长江路汽修（临清市店）",
            "聊城市临清市长江路汽车修理厂",
            "上海远福大药房连锁有限公司（银泰店）",
            "上海远福大药房连锁有限公司",
        ]);
        let branch = |a, b| fast_level(Kind::CompanyBranch, &fast, a, b);
        // No district on one side: the other fields decide.
        assert_eq!(branch(0, 1), 0);
        assert_eq!(branch(2, 0), 0);
        // Another district: a head office and another's shop, as before.
        assert_eq!(branch(0, 3), 2);
        // A county-level city's shop (临清市店) and a name written with it.
        assert_eq!(branch(4, 5), 1);
        // A chain's store by a mall's name and its head office: two.
        assert_eq!(branch(6, 7), 2);
    }

    #[test]
    fn a_former_name_of_another_district_is_another_company() {
        let (keys, _) = keyed(&[
            "宜宾市宜宾县第二中学",
            "四川省彭州市第二中学",
            "宜宾市第二中学",
            "江苏巨亚文化传媒有限公司",
            "巨亚传媒",
        ]);
        let mut interner = Interner::with_capacity(keys.len());
        let ids: Vec<NameId> = keys.iter().map(|k| NameId::of(k, &mut interner)).collect();
        // Two counties' second schools; a county's and the city's.
        assert!(!ids[0].same_company(ids[1]));
        assert!(!ids[0].same_company(ids[2]));
        assert!(ids[3].same_company(ids[4]));
    }

    #[test]
    fn a_property_companys_estate_office_may_be_any_branchs() {
        let (_, fast) = keyed(&[
            "远泰物业和睦雅居管理处",
            "杭州远泰物业服务股份有限公司宁波分公司",
            "杭州远泰物业服务股份有限公司",
            "中建三局光谷体育中心B地块项目部",
            "中建三局集团有限公司十堰分公司",
        ]);
        let branch = |a, b| fast_level(Kind::CompanyBranch, &fast, a, b);
        // Written by the company's short name, which branch's it is the name does not say.
        assert_eq!(branch(0, 1), 0);
        assert_eq!(branch(1, 0), 0);
        assert_eq!(branch(0, 2), 0);
        // A head office and its branch, as before; a builder's site is the head office's.
        assert_eq!(branch(1, 2), 2);
        assert_eq!(branch(3, 4), 2);
    }

    #[test]
    fn two_brands_branches_of_one_place_are_two_companies() {
        let (_, fast) = keyed(&[
            "建行广安分行",
            "中国联合网络通信有限公司广安市分公司",
            "China Construction Bank Guang'an Branch",
            "中国建设银行股份有限公司广安分行",
        ]);
        let core = |a, b| fast_level(Kind::CompanyCore, &fast, a, b);
        let branch = |a, b| fast_level(Kind::CompanyBranch, &fast, a, b);
        // Alike as their cores look (中国…·guangan), two brands are two companies.
        assert_eq!(core(0, 1), 4);
        assert_eq!(core(1, 2), 4);
        // One brand's branch, however written.
        assert_eq!(core(0, 2), 1);
        assert_eq!(core(0, 3), 1);
        assert_eq!(branch(2, 3), 1);
    }

    #[test]
    fn a_place_after_the_trade_is_its_branch_or_its_head_office() {
        let (_, fast) = keyed(&[
            "同盈物业南昌",
            "同盈物业管理有限公司南昌分公司",
            "同盈物业管理有限公司",
            "同盈物业管理有限公司岳阳分公司",
        ]);
        let branch = |a, b| fast_level(Kind::CompanyBranch, &fast, a, b);
        let core = |a, b| fast_level(Kind::CompanyCore, &fast, a, b);
        // The branch of that place; the head office, which may be there, tells nothing.
        assert_eq!(branch(0, 1), 1);
        assert_eq!(branch(0, 2), 0);
        assert_eq!(branch(2, 0), 0);
        // Another place's branch is another.
        assert_eq!(branch(0, 3), 2);
        // The place is no part of the core: 同盈物业 is 同盈物业管理 written short.
        assert_eq!(core(0, 1), 2);
    }

    #[test]
    fn two_funds_of_one_series_and_two_numbered_schools_are_two() {
        let (_, fast) = keyed(&[
            "呼和浩特思纳二期股权投资基金合伙企业(有限合伙)",
            "思纳2期基金",
            "思纳四期基金宋总",
            "呼和浩特思纳创业投资管理有限公司",
            "上海市第十二中学",
            "上海市第十四中学",
            "佛山市第二人民医院",
            "佛山市二医院",
            "Wuxi Ruizhen Fund 3 LP",
            "睿臻三期基金",
        ]);
        let serial = |a, b| fast_level(Kind::CompanySerial, &fast, a, b);
        assert_eq!(serial(0, 1), 1);
        assert_eq!(serial(0, 2), 2);
        // A fund of the series and its manager.
        assert_eq!(serial(0, 3), 2);
        assert_eq!(serial(3, 1), 2);
        assert_eq!(serial(4, 5), 2);
        // 二医院 is read as 第二人民医院: one ordinal.
        assert_eq!(serial(6, 7), 1);
        // An ordinal written on one side only says nothing; nor do two names without one.
        assert_eq!(serial(3, 7), 0);
        assert_eq!(serial(4, 6), 2);
        // An English fund's number against a Chinese one.
        assert_eq!(serial(8, 9), 1);
        assert_eq!(serial(8, 0), 2);
    }

    #[test]
    fn two_districts_of_one_city_are_two_places_and_two_kinds_of_person_two_registrations() {
        let (keys, fast) = keyed(&[
            "徐州市鼓楼区张敏服装店",
            "徐州市泉山区张敏服装店",
            "徐州张敏服装店",
            "南京市鼓楼区张敏服装店",
            "长沙市天心区杨磊小吃店",
            "长沙市夭心区杨磊小吃店",
            "龙华区欣晨粮食种植专业合作社",
            "深圳欣晨粮食种植有限公司",
            "深圳欣晨粮食种植股份有限公司",
            "仓山区老赵土菜馆",
            "福州老赵餐饮股份有限公司",
            "夏津县辛店镇裕民农机专业合作社",
            "夏津县陈宝山家庭农场",
            "苏州市疾病预防控制中心",
            "苏州市太仓市疾病预防控制中心",
            "福州杨勇口腔诊所",
            "福州市仓山区杨勇口腔诊所",
            "谢集镇农技站",
            "新乡市辉县市谢集镇农技站",
            "深圳市南山区跨境电子商务服务中心",
            "深圳市光明区跨境电子商务服务中心",
            "鲁灵能源科技（行唐县）有限公司",
            "鲁灵能源科技（高阳县）有限公司",
            "行唐县鲁灵能源科技有限公司",
            "河北鲁灵能源科技（高阳县）有限公司",
        ]);
        let region = |a, b| fast_level(Kind::CompanyRegion, &fast, a, b);
        // Two counties, no city written, or a province on one side: two places.
        assert_eq!(region(21, 22), 3);
        assert_eq!(region(21, 24), 3);
        // One county, in brackets or before: nothing else to compare.
        assert_eq!(region(21, 23), 0);
        assert_eq!(keys[21].core, keys[23].core);
        // One city, two districts: different; a district on one side only: the same city.
        assert_eq!(region(0, 1), 3);
        // Districts without a character in common, whatever their characters hash to (南 and
        // 明 share a bit of a 64-bit mask).
        assert_eq!(region(19, 20), 3);
        assert_eq!(region(0, 2), 1);
        // 鼓楼区 of two cities: the cities differ already.
        assert_eq!(region(0, 3), 3);
        assert_eq!(region(0, 0), 1);
        // A district mistyped (天心区 / 夭心区): one.
        assert_eq!(region(4, 5), 1);
        // Explanations show it.
        let shown = |i: usize| region_shown(keys[i].region.as_ref(), keys[i].district.as_deref());
        assert_eq!(shown(0), "江苏/徐州/鼓楼区");
        assert_eq!(shown(2), "江苏/徐州");
        let form = |a, b| fast_level(Kind::CompanyForm, &fast, a, b);
        // A co-operative and a company; a company written with another company form.
        assert_eq!(form(6, 7), 4);
        assert_eq!(form(7, 8), 2);
        assert_eq!(form(0, 7), 4);
        // A shop registered as a 馆 has no form, and is no company.
        assert_eq!(form(9, 10), 4);
        assert_eq!(form(9, 0), 0);
        // A co-operative and a member's family farm: two registrations.
        assert_eq!(form(11, 12), 4);
        // A county's institution is not its city's; a city district's clinic may be written
        // with its city; a town's station without its county is the county's.
        assert_eq!(region(13, 14), 3);
        assert_eq!(region(15, 16), 1);
        assert_eq!(region(17, 18), 0);
        for a in 0..keys.len() {
            for b in 0..keys.len() {
                assert_eq!(region(a, b), region(b, a), "{a} {b}");
                assert_eq!(form(a, b), form(b, a), "{a} {b}");
            }
        }
    }

    #[test]
    fn a_latin_name_and_a_chinese_name_are_not_compared_character_by_character() {
        let (_, fast) = keyed(&[
            "科万电子（广州）有限公司",
            "Corvane Electronics (Guangzhou) Co., Ltd.",
            "Corvane Electronics (Shenzhen) Co., Ltd.",
            "Solvik Chemicals (Guangzhou) Co., Ltd.",
            "索维克化学（广州）有限公司",
        ]);
        let level = |kind, a, b| fast_level(kind, &fast, a, b);
        for kind in [
            Kind::CompanyCore,
            Kind::CompanyTradeChars,
            Kind::CompanyBusiness,
            Kind::CompanyForm,
        ] {
            assert_eq!(level(kind, 0, 1), 0, "{kind:?}: no character to compare");
            assert_eq!(level(kind, 1, 0), 0, "{kind:?}");
        }
        // Head office or branch still counts across scripts.
        assert_eq!(level(Kind::CompanyBranch, 0, 1), 1);
        // Two Latin names, and two Chinese ones, are compared as before.
        for (a, b) in [(1, 2), (1, 3), (0, 4)] {
            assert_ne!(level(Kind::CompanyCore, a, b), 0, "{a} {b}");
            assert_ne!(level(Kind::CompanyTradeChars, a, b), 0, "{a} {b}");
            assert_ne!(level(Kind::CompanyForm, a, b), 0, "{a} {b}");
        }
        assert_eq!(level(Kind::CompanyTradeChars, 0, 4), 2, "科万 / 索维克");
    }

    #[test]
    fn a_group_and_its_member_are_two_companies() {
        let (keys, fast) = keyed(&[
            "湖北磐金集团股份有限公司",
            "武汉磐金贸易有限责任公司",
            "珠海市磐金装饰工程",
            "磐金有限公司",
            "磐金集团",
            "磐金贸易集团有限公司",
            "博达物流有限公司",
            "兴帆物业集团",
            "兴帆物业管理有限公司",
        ]);
        let level = |a, b| fast_level(Kind::CompanyForm, &fast, a, b);
        // A group and a company of its 字号 in a business it does not name, with or without a
        // form of its own.
        assert_eq!(level(0, 1), 3);
        assert_eq!(level(2, 4), 3);
        // The group written without 集团 names no business: forms differ, nothing more.
        assert_eq!(level(0, 3), 2);
        // A trading group and its trading company; another 字号.
        assert_eq!(level(5, 1), 2);
        assert_eq!(level(4, 6), 2);
        // A word any business may end in (管理) names no other business.
        assert_eq!(level(7, 8), 2);
        // No form on either side, no group: missing.
        assert_eq!(level(2, 2), 0);
        for a in 0..keys.len() {
            for b in 0..keys.len() {
                assert_eq!(level(a, b), level(b, a), "{a} {b}");
            }
        }
    }

    #[test]
    fn trade_names_without_a_character_in_common() {
        let (keys, fast) = keyed(&[
            "北京华远软件科技有限公司",
            "博达物流有限公司",
            "華遠科技(上海)有限公司",
            "远华网络有限公司",
            "有限公司",
            "广州禾环检测技术有限公司",
            "广州乾航五金制品有限公司",
        ]);
        let level = |a, b| fast_level(Kind::CompanyTradeChars, &fast, a, b);
        // 华远 / 博达: nothing in common.
        assert_eq!(level(0, 1), 2);
        // 华远 / 華遠 (traditional), 华远 / 远华: characters in common.
        assert_eq!(level(0, 2), 1);
        assert_eq!(level(0, 3), 1);
        // No core: missing.
        assert_eq!(level(0, 4), 0);
        assert_eq!(level(4, 1), 0);
        // The 字号 only: 检测技术 and 五金制品 are not compared, 禾环 / 乾航 share nothing.
        assert_eq!(level(5, 6), 2);
        for i in 0..keys.len() {
            for j in 0..keys.len() {
                assert_eq!(level(i, j), level(j, i), "{i} {j}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn core_shortcuts_give_the_plain_levels(
            names in proptest::collection::vec(("[华远软件科技上海]{0,7}", 0usize..3), 2..40)
        ) {
            let keys: Vec<CompanyKey> = names
                .iter()
                .map(|(core, t)| CompanyKey {
                    trade: core.chars().take(*t + 1).collect(),
                    core: core.clone(),
                    ..CompanyKey::default()
                })
                .collect();
            let fast = fast_keys(&keys);
            for a in 0..keys.len() {
                for b in 0..keys.len() {
                    proptest::prop_assert_eq!(
                        core_level(&fast, a, b),
                        core_level_plain(&keys[a], &keys[b]),
                        "{:?} / {:?}", keys[a], keys[b]
                    );
                }
            }
        }
    }

    #[test]
    fn level_zero_says_why_nothing_was_counted() {
        let label = |kind| {
            let c = Comparison {
                name: "客户名称".into(),
                fields: vec![0],
                kind,
                thresholds: Vec::new(),
                tf: false,
                m: None,
                u: None,
                fallback: Vec::new(),
                group: None,
                veto: 0,
                explains: Vec::new(),
            };
            level_label(&c, 0)
        };
        // 嘉帆包装材料 / 朗展包装材料: one trade, two 字号s; the trade is not compared, not missing.
        assert!(label(Kind::CompanyBusiness).contains("字号不同而行业相近"));
        assert!(label(Kind::CompanyForm).contains("中英文名"));
        assert!(label(Kind::Phones).starts_with("缺失"));
    }

    proptest::proptest! {
        #[test]
        fn edit_distance_levels_keep_to_the_distance(
            values in proptest::collection::vec("[张王李伟芳a]{0,4}", 2..30),
            thresholds in proptest::sample::select(vec![vec![1.0], vec![1.0, 2.0], vec![0.0, 3.0]]),
        ) {
            let c = Comparison {
                name: "联系人".into(),
                fields: vec![0],
                kind: Kind::Levenshtein,
                thresholds,
                tf: false,
                m: None,
                u: None,
                fallback: Vec::new(),
                group: None,
                veto: u64::MAX,
                explains: Vec::new(),
            };
            let last = level_count(c.kind, c.thresholds.len()) as u8 - 1;
            let features = Features {
                columns: vec![text_column(
                    values.iter().map(|v| v.as_str().into()).collect(),
                    Kind::Levenshtein,
                )],
                companies: Vec::new(),
                tf: Vec::new(),
                fast: Vec::new(),
                region_columns: Vec::new(),
                phone_columns: Vec::new(),
                tf_bits: Vec::new(),
                contact: vec![true],
                site: vec![false; values.len()],
                name: vec![false],
                no_company: vec![false; values.len()],
                person: vec![0; values.len()],
                len: values.len(),
            };
            for a in 0..values.len() {
                for b in 0..values.len() {
                    let (x, y) = (&values[a], &values[b]);
                    let expected = if x.is_empty() || y.is_empty() {
                        0
                    } else if x == y {
                        1
                    } else {
                        let d = strsim::levenshtein(x, y) as f64;
                        threshold_level(&c.thresholds, |t| d <= t, last)
                    };
                    proptest::prop_assert_eq!(features.level(0, &c, a, b), expected, "{} / {}", x, y);
                }
            }
        }
    }

    #[test]
    fn dice_of_bigrams() {
        assert_eq!(dice("华远软件", "华远软件"), 1.0);
        assert!((dice("华远软件", "华远物流") - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(dice("华", "华"), 1.0);
        assert_eq!(dice("", "华"), 0.0);
    }

    /// The phone reader as first written, with strings: the reference for `phones_in`.
    fn phones_by_string(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        let mut digits = String::new();
        let mut flush = |digits: &mut String| {
            let mut d = digits.as_str();
            if d.len() == 13 && d.starts_with("86") {
                d = &d[2..];
            } else if d.len() == 15 && d.starts_with("0086") {
                d = &d[4..];
            }
            if d.len() >= 7 {
                if let Ok(n) = d.parse::<u64>() {
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            digits.clear();
        };
        for ch in text.chars() {
            if ch.is_ascii_digit() {
                digits.push(ch);
            } else if matches!(ch, '-' | ' ' | '(' | ')' | '+') && !digits.is_empty() {
                continue;
            } else {
                flush(&mut digits);
            }
        }
        flush(&mut digits);
        out
    }

    #[test]
    fn phones_are_read_with_their_country_code_dropped() {
        let mut out = Vec::new();
        phones_in(
            "+86 138-0013-8000 / 0086 13900139000, 010-8888 6666 转 12",
            &mut out,
        );
        assert_eq!(out, [13800138000, 13900139000, 1088886666]);
        let mut long = Vec::new();
        phones_in("123456789012345678901234567890", &mut long);
        assert!(long.is_empty(), "past u64: not a number");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// Read without strings, the numbers are those of the string reader.
        #[test]
        fn phones_without_strings_are_the_phones_with_strings(
            text in "[0-9]{0,22}[ +()\\-,/转a０８６]{0,2}(86|0086)?[0-9 -]{0,24}"
        ) {
            let mut out = Vec::new();
            phones_in(&text, &mut out);
            proptest::prop_assert_eq!(out, phones_by_string(&text));
        }
    }
}
