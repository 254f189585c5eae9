//! Realistic messy customer files with ground truth, for tests, benchmarks and the demo of
//! duplicate detection.
//!
//! A file describes companies (entities). Most are written once; a share of them
//! ([`SynthOptions::dup_rate`]) is written several times, the way one customer ends up in the
//! sales sheet, the service sheet and an old CRM export: the region bracketed or dropped
//! (北京华远软件科技有限公司, 华远软件科技(北京)有限公司, 华远软件科技有限公司), the
//! organisation form dropped or changed, traditional characters (華遠軟件科技), a typo, full-width
//! characters, stray spaces, the phone written another way, another contact with another phone,
//! the e-mail upper-cased, missing or different, no credit code.
//!
//! Some distinct companies are made to look alike on purpose, since merging them is the costly
//! mistake: the same 字号 and industry words in another region (北京华远软件科技 / 上海华远软件科技),
//! the same 字号 in another trade (华远物流 / 华远软件科技), and branches (…上海分公司, …办事处,
//! …分店), which are entities of their own. A few very common 字号 (新华, 宏达, ...) are shared
//! by many unrelated companies. [`Synth::lookalike`] tells which company each was modelled on.
//!
//! Every value is one a real person could type and, unless a row was chosen for an invalid value
//! ([`SynthOptions::invalid_rate`]), one `crmkit validate --template customer` accepts: valid
//! credit codes (GB 32100 and GB 11714 check characters), allocated mobile prefixes, GB/T 4754
//! sections, levels consistent with the annual purchase.
//!
//! Determinism: all randomness comes from SplitMix64 streams keyed by the seed, the entity and
//! the record, with sampling written out here, so the output depends on nothing but the options
//! (no hash-map order, no library's sampling algorithm). [`Synth::new`] plans the file (which
//! company each row is, in shuffled order); [`Synth::row`] then builds any row from the plan
//! alone, so rows are produced in parallel.

mod data;
pub(crate) use data::SURNAMES;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::checks;
use crate::dates::Date;
use crate::error::{Error, Result};
use crate::template::Template;
use crate::write::{self, OutputFormat};

use data::{
    BRANCH_SUFFIXES, BUILDINGS, CITIES, COMMON_ZIHAO, COMPOUND_SURNAMES, FORMS, FREE_MAIL, GIVEN,
    HOMOPHONES, INDUSTRIES, MOBILE_PREFIXES, OWNERS, POOL, POOL_COMMON, PRODUCTS, PROVINCES,
    REMARKS, ROADS, TITLES, TRADITIONAL,
};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthOptions {
    /// Data rows to write, at least 1.
    pub rows: usize,
    /// The seed: the same options write the same bytes.
    pub seed: u64,
    /// Share of companies written more than once (0 to 1).
    pub dup_rate: f64,
    /// Share of rows holding one value that no repair can fix (0 to 1).
    pub invalid_rate: f64,
}

impl Default for SynthOptions {
    fn default() -> SynthOptions {
        SynthOptions {
            rows: 1000,
            seed: 42,
            dup_rate: 0.3,
            invalid_rate: 0.02,
        }
    }
}

/// How a company was made to look like another one (its anchor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lookalike {
    /// Same 字号 and industry words, another region: 上海华远软件科技有限公司 beside
    /// 北京华远软件科技有限公司.
    OtherRegion,
    /// Same 字号, other industry words: 北京华远物流有限公司 beside 北京华远软件科技有限公司.
    OtherIndustry,
    /// A branch of the anchor: 北京华远软件科技有限公司上海分公司 (or 办事处, 分店).
    Branch,
}

/// Counts describing a generated file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SynthStats {
    /// Data rows.
    pub rows: usize,
    /// Distinct companies.
    pub entities: usize,
    /// Companies written more than once.
    pub entities_with_duplicates: usize,
    /// Rows beyond the first of each company (`rows - entities`).
    pub duplicate_rows: usize,
    /// Rows holding an injected invalid value.
    pub invalid_rows: usize,
    /// Companies made as [`Lookalike::OtherRegion`].
    pub other_region: usize,
    /// Companies made as [`Lookalike::OtherIndustry`].
    pub other_industry: usize,
    /// Companies made as [`Lookalike::Branch`].
    pub branches: usize,
    /// Companies using one of the very common 字号.
    pub common_zihao: usize,
    /// Companies whose 字号 at least one other company also uses (on purpose or by chance).
    pub shared_zihao: usize,
}

impl SynthStats {
    /// Companies made to look like another one on purpose.
    pub fn lookalikes(&self) -> usize {
        self.other_region + self.other_industry + self.branches
    }
}

/// The files [`Synth::write`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The customer table.
    pub table: PathBuf,
    /// The ground truth: `row,entity`.
    pub truth: PathBuf,
}

/// The most data rows an .xlsx sheet holds (1,048,576 rows less the header).
const XLSX_MAX_ROWS: usize = 1_048_575;

/// The ground truth's path for a table: `x/customers.csv` → `x/customers.truth.csv`.
pub fn truth_path(table: &Path) -> PathBuf {
    let mut name = table.file_stem().unwrap_or_default().to_os_string();
    name.push(".truth.csv");
    table.with_file_name(name)
}

/// Checks an output for `rows` data rows before any work: a format crmkit writes, in a
/// directory that exists, and no more rows than an .xlsx sheet holds.
pub fn check_output(path: &Path, rows: usize) -> Result<OutputFormat> {
    let format = OutputFormat::from_path(path)?;
    if format == OutputFormat::Xlsx && rows > XLSX_MAX_ROWS {
        return Err(Error::InvalidOption {
            option: "rows",
            message: format!(
                "一个 .xlsx 工作表最多容纳 {XLSX_MAX_ROWS} 行数据, 要求 {rows} 行; 请输出 .csv"
            ),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::io(
            path,
            "write to a directory that does not exist",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    Ok(format)
}

/// A planned file: which company each row is. Rows are built on demand by [`Synth::row`].
#[derive(Debug)]
pub struct Synth {
    seed: u64,
    template: Template,
    columns: Vec<Column>,
    entities: Vec<EntityPlan>,
    rows: Vec<RowPlan>,
    stats: SynthStats,
    /// Cities of each province in [`PROVINCES`].
    province_cities: Vec<Vec<u8>>,
    /// Character → its group in [`HOMOPHONES`].
    homophones: HashMap<char, usize, Fast>,
    /// Character → its pinyin ([`POOL`]).
    pinyin: HashMap<char, &'static str, Fast>,
    /// Running totals of the weights of [`INDUSTRIES`] and [`CITIES`].
    industry_weights: Vec<u32>,
    city_weights: Vec<u32>,
}

// ---------------------------------------------------------------------------------------------
// Random numbers

/// SplitMix64 (Steele, Lea and Flood, 2014). Written out here so that a seed means the same
/// file in every version of crmkit and on every platform.
#[derive(Debug, Clone)]
struct Rng(u64);

/// Independent streams of one seed.
const STREAM_PLAN: u64 = 1;
const STREAM_CORE: u64 = 2;
const STREAM_ENTITY: u64 = 3;
const STREAM_DOMAIN: u64 = 4;
const STREAM_RECORD: u64 = 5;
const STREAM_CONTACT: u64 = 6;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// The stream for (`seed`, `kind`, `index`).
    fn stream(seed: u64, kind: u64, index: u64) -> Rng {
        let a = mix(seed.wrapping_add(0x9E37_79B9_7F4A_7C15));
        let b = mix(a ^ kind.wrapping_mul(0xD1B5_4A32_D192_ED03));
        Rng(mix(b ^ index.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n` (`n` > 0), by multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + ((u128::from(self.next()) * u128::from(hi - lo + 1)) >> 64) as u64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) < p * (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn in proportion to the weights whose running totals are `totals`.
    fn cumulative(&mut self, totals: &[u32]) -> usize {
        let r = self.below(totals.last().copied().unwrap_or(1) as usize) as u32;
        totals.partition_point(|&t| t <= r)
    }

    /// An index drawn in proportion to `weight(item)`.
    fn weighted<T>(&mut self, items: &[T], weight: impl Fn(&T) -> u32) -> usize {
        let total: u32 = items.iter().map(&weight).sum();
        let mut r = self.below(total as usize) as u32;
        for (i, item) in items.iter().enumerate() {
            let w = weight(item);
            if r < w {
                return i;
            }
            r -= w;
        }
        items.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// The plan

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    /// A 字号 from [`COMMON_ZIHAO`].
    Common,
    Lookalike(Lookalike),
}

/// Flags of an entity, from the whole plan.
const SHARED_ZIHAO: u8 = 1;
/// Another entity has the same 字号 and industry words (a dropped region would be ambiguous).
const SHARED_NAME: u8 = 2;

#[derive(Debug, Clone, Copy)]
struct EntityPlan {
    /// The company a lookalike was modelled on.
    anchor: u32,
    kind: Kind,
    /// Which draw of names gave a name no other company has.
    attempt: u8,
    flags: u8,
}

#[derive(Debug, Clone, Copy)]
struct RowPlan {
    entity: u32,
    /// 0 for a company's first record, 1.. for its duplicates.
    record: u8,
    /// 0, or which invalid value the row holds (1..=5).
    invalid: u8,
}

/// A 字号 of two to four characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Zihao {
    chars: [char; 4],
    len: u8,
}

impl Zihao {
    fn from_str(text: &str) -> Zihao {
        let mut z = Zihao {
            chars: ['\0'; 4],
            len: 0,
        };
        for c in text.chars().take(4) {
            z.chars[z.len as usize] = c;
            z.len += 1;
        }
        z
    }

    fn chars(&self) -> &[char] {
        &self.chars[..self.len as usize]
    }
}

/// The region a name carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    City(u8),
    Province(u8),
}

impl Region {
    fn short(self) -> &'static str {
        match self {
            Region::City(c) => CITIES[c as usize].short,
            Region::Province(p) => PROVINCES[p as usize].0,
        }
    }

    fn code(self) -> u16 {
        match self {
            Region::City(c) => 1 + u16::from(c),
            Region::Province(p) => 1000 + u16::from(p),
        }
    }
}

/// What makes a company's name, and where it is.
#[derive(Debug, Clone, Copy)]
struct Core {
    zihao: Zihao,
    /// Index in [`INDUSTRIES`].
    industry: u8,
    /// Index in [`FORMS`].
    form: u8,
    region: Option<Region>,
    /// 华远软件科技（北京）有限公司 rather than 北京华远软件科技有限公司.
    bracketed: bool,
    /// A branch: its city and its suffix (index in [`BRANCH_SUFFIXES`]).
    branch: Option<(u8, u8)>,
    /// Where the company is (index in [`CITIES`]).
    city: u8,
}

impl Core {
    /// Keys for telling names apart: with the region, and without it.
    fn keys(&self) -> (u128, u128) {
        let mut k: u128 = 0;
        for c in self.zihao.chars {
            k = (k << 21) | c as u128;
        }
        k = (k << 8) | u128::from(self.industry);
        let region = self.region.map_or(0, Region::code);
        ((k << 16) | u128::from(region), k << 16)
    }

    fn individual(&self) -> bool {
        matches!(FORMS[self.form as usize], "商行" | "工作室")
    }
}

/// A hasher for the planning sets: their keys are already well mixed or small, and SipHash's
/// protection against crafted keys is not needed here. (No set is ever iterated, so the order
/// of a hash table never reaches the output.)
#[derive(Default)]
struct MixHasher(u64);

impl std::hash::Hasher for MixHasher {
    fn finish(&self) -> u64 {
        mix(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = mix(self.0 ^ n);
    }

    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
}

type Fast = std::hash::BuildHasherDefault<MixHasher>;

/// Names already taken, so that two companies never have the same name (nor one that a
/// dropped region would make the same).
#[derive(Default)]
struct Names {
    with_region: HashSet<u128, Fast>,
    without_region: HashSet<u128, Fast>,
    any: HashSet<u128, Fast>,
    branches: HashSet<(u32, u8), Fast>,
}

impl Names {
    fn taken(&self, core: &Core, anchor: u32) -> bool {
        if let Some((city, _)) = core.branch {
            return self.branches.contains(&(anchor, city));
        }
        let (full, bare) = core.keys();
        match core.region {
            Some(_) => self.with_region.contains(&full) || self.without_region.contains(&bare),
            None => self.any.contains(&bare),
        }
    }

    fn take(&mut self, core: &Core, anchor: u32) {
        if let Some((city, _)) = core.branch {
            self.branches.insert((anchor, city));
            return;
        }
        let (full, bare) = core.keys();
        match core.region {
            Some(_) => {
                self.with_region.insert(full);
            }
            None => {
                self.without_region.insert(bare);
            }
        }
        self.any.insert(bare);
    }
}

/// Template columns this generator fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    CustomerCode,
    CustomerName,
    CreditCode,
    ContactName,
    ContactTitle,
    Mobile,
    Email,
    Industry,
    Level,
    AnnualPurchase,
    Demand,
    Status,
    NextFollowup,
    Province,
    City,
    Address,
    Owner,
    Remarks,
    Other,
}

impl Column {
    fn of(key: &str) -> Column {
        match key {
            "customer_code" => Column::CustomerCode,
            "customer_name" => Column::CustomerName,
            "credit_code" => Column::CreditCode,
            "contact_name" => Column::ContactName,
            "contact_title" => Column::ContactTitle,
            "mobile" => Column::Mobile,
            "email" => Column::Email,
            "industry" => Column::Industry,
            "level" => Column::Level,
            "annual_purchase" => Column::AnnualPurchase,
            "demand" => Column::Demand,
            "status" => Column::Status,
            "next_followup_at" => Column::NextFollowup,
            "province" => Column::Province,
            "city" => Column::City,
            "address" => Column::Address,
            "owner" => Column::Owner,
            "remarks" => Column::Remarks,
            _ => Column::Other,
        }
    }
}

impl Synth {
    /// Plans a file: the companies, how often each is written, the row order and the rows
    /// with invalid values.
    pub fn new(options: &SynthOptions) -> Result<Synth> {
        let invalid =
            |option: &'static str, message: String| Error::InvalidOption { option, message };
        if options.rows == 0 || options.rows >= u32::MAX as usize {
            return Err(invalid(
                "rows",
                format!(
                    "应为 1 到 {} 之间的整数, 实际为 {}",
                    u32::MAX - 1,
                    options.rows
                ),
            ));
        }
        for (option, rate) in [
            ("dup-rate", options.dup_rate),
            ("invalid-rate", options.invalid_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(invalid(option, format!("应在 0 到 1 之间, 实际为 {rate}")));
            }
        }
        let template = Template::resolve("customer")?;
        let columns = template.fields.iter().map(|f| Column::of(&f.key)).collect();
        let province_cities = PROVINCES
            .iter()
            .map(|(_, province, _)| {
                (0..CITIES.len() as u8)
                    .filter(|&c| CITIES[c as usize].province == *province)
                    .collect()
            })
            .collect();
        let mut homophones = HashMap::default();
        for (i, group) in HOMOPHONES.iter().enumerate() {
            for c in group.chars() {
                homophones.insert(c, i);
            }
        }
        let pinyin = POOL.iter().copied().collect();
        let mut synth = Synth {
            seed: options.seed,
            template,
            columns,
            entities: Vec::new(),
            rows: Vec::new(),
            stats: SynthStats::default(),
            province_cities,
            homophones,
            pinyin,
            industry_weights: running_totals(INDUSTRIES.iter().map(|i| i.2)),
            city_weights: running_totals(CITIES.iter().map(|c| c.weight)),
        };
        synth.plan(options);
        Ok(synth)
    }

    fn plan(&mut self, options: &SynthOptions) {
        let mut rng = Rng::stream(self.seed, STREAM_PLAN, 0);
        // How many records each company gets.
        let mut records: Vec<u8> = Vec::new();
        let mut total = 0usize;
        while total < options.rows {
            let mut n = 1usize;
            if rng.chance(options.dup_rate) {
                n += 1 + rng.weighted(&[60u32, 25, 8, 4, 2, 1], |&w| w);
            }
            n = n.min(options.rows - total);
            records.push(n as u8);
            total += n;
        }

        // Who each company is. Names are drawn until no other company has them.
        let mut names = Names::default();
        let mut cores: Vec<Core> = Vec::with_capacity(records.len());
        for e in 0..records.len() as u32 {
            let roll = rng.below(1000);
            let mut kind = match roll {
                0..=24 => Kind::Lookalike(Lookalike::OtherRegion),
                25..=44 => Kind::Lookalike(Lookalike::OtherIndustry),
                45..=59 => Kind::Lookalike(Lookalike::Branch),
                60..=79 => Kind::Common,
                _ => Kind::Plain,
            };
            let mut anchor = e;
            if let Kind::Lookalike(look) = kind {
                if e == 0 {
                    kind = Kind::Plain;
                } else {
                    let a = rng.below(e as usize);
                    anchor = match self.entities[a].kind {
                        Kind::Lookalike(_) => self.entities[a].anchor,
                        _ => a as u32,
                    };
                    let core = &cores[anchor as usize];
                    let eligible = match look {
                        Lookalike::OtherRegion => core.region.is_some(),
                        Lookalike::OtherIndustry => true,
                        Lookalike::Branch => core.form < 4,
                    };
                    if !eligible {
                        kind = Kind::Plain;
                        anchor = e;
                    }
                }
            }
            let mut chosen = None;
            for attempt in 0..=u8::MAX {
                // A lookalike that finds no free name becomes a plain company.
                if attempt == 16 && kind != Kind::Plain {
                    kind = Kind::Plain;
                    anchor = e;
                }
                let anchor_core = (anchor != e).then(|| cores[anchor as usize]);
                let core = self.make_core(e, kind, attempt, anchor_core.as_ref());
                if !names.taken(&core, anchor) {
                    chosen = Some((attempt, core));
                    break;
                }
            }
            // 255 draws of up to four characters from hundreds cannot all be taken; if they
            // were, the last draw is kept (a repeated name, never a panic).
            let (attempt, core) =
                chosen.unwrap_or_else(|| (u8::MAX, self.make_core(e, Kind::Plain, u8::MAX, None)));
            names.take(&core, anchor);
            cores.push(core);
            self.entities.push(EntityPlan {
                anchor,
                kind,
                attempt,
                flags: 0,
            });
        }

        // Which names are shared.
        let mut zihao_count: HashMap<Zihao, u32, Fast> = HashMap::default();
        let mut name_count: HashMap<(Zihao, u8), u32, Fast> = HashMap::default();
        for core in &cores {
            *zihao_count.entry(core.zihao).or_default() += 1;
            *name_count.entry((core.zihao, core.industry)).or_default() += 1;
        }
        let mut stats = SynthStats {
            rows: options.rows,
            entities: records.len(),
            duplicate_rows: options.rows - records.len(),
            entities_with_duplicates: records.iter().filter(|&&n| n > 1).count(),
            ..SynthStats::default()
        };
        for (plan, core) in self.entities.iter_mut().zip(&cores) {
            if zihao_count[&core.zihao] > 1 {
                plan.flags |= SHARED_ZIHAO;
                stats.shared_zihao += 1;
            }
            if name_count[&(core.zihao, core.industry)] > 1 {
                plan.flags |= SHARED_NAME;
            }
            match plan.kind {
                Kind::Plain => {}
                Kind::Common => stats.common_zihao += 1,
                Kind::Lookalike(Lookalike::OtherRegion) => stats.other_region += 1,
                Kind::Lookalike(Lookalike::OtherIndustry) => stats.other_industry += 1,
                Kind::Lookalike(Lookalike::Branch) => stats.branches += 1,
            }
        }
        drop(cores);

        // The rows, shuffled; then no company's records side by side where a swap avoids it.
        let mut rows: Vec<RowPlan> = Vec::with_capacity(options.rows);
        for (e, &n) in records.iter().enumerate() {
            for record in 0..n {
                rows.push(RowPlan {
                    entity: e as u32,
                    record,
                    invalid: 0,
                });
            }
        }
        for i in (1..rows.len()).rev() {
            let j = rng.below(i + 1);
            rows.swap(i, j);
        }
        let entity_at = |rows: &[RowPlan], i: usize| rows.get(i).map(|r| r.entity);
        for i in 1..rows.len() {
            if rows[i].entity != rows[i - 1].entity {
                continue;
            }
            for _ in 0..8 {
                let j = rng.below(rows.len());
                let fits_i =
                    |e| entity_at(&rows, i - 1) != Some(e) && entity_at(&rows, i + 1) != Some(e);
                let fits_j = |e| {
                    j.checked_sub(1).and_then(|k| entity_at(&rows, k)) != Some(e)
                        && entity_at(&rows, j + 1) != Some(e)
                };
                if j.abs_diff(i) > 1 && fits_i(rows[j].entity) && fits_j(rows[i].entity) {
                    rows.swap(i, j);
                    break;
                }
            }
        }

        // Exactly round(rows × rate) rows get an invalid value (selection sampling).
        let wanted = (options.rows as f64 * options.invalid_rate).round() as usize;
        let mut left = wanted;
        for (i, row) in rows.iter_mut().enumerate() {
            if left == 0 {
                break;
            }
            if rng.below(options.rows - i) < left {
                row.invalid = 1 + rng.below(5) as u8;
                left -= 1;
            }
        }
        stats.invalid_rows = wanted;
        self.rows = rows;
        self.stats = stats;
    }

    /// Draws a company's name parts: fresh, or after its anchor for a lookalike.
    fn make_core(&self, e: u32, kind: Kind, attempt: u8, anchor: Option<&Core>) -> Core {
        let mut rng = Rng::stream(
            self.seed,
            STREAM_CORE,
            (u64::from(e) << 8) | u64::from(attempt),
        );
        let Some(a) = anchor else {
            return self.fresh_core(&mut rng, kind == Kind::Common, attempt);
        };
        let mut core = *a;
        match kind {
            Kind::Lookalike(Lookalike::OtherRegion) => {
                for _ in 0..16 {
                    let (region, city) = self.draw_region(&mut rng);
                    if region.is_some() && region != a.region {
                        core.region = region;
                        core.city = city;
                        break;
                    }
                }
                core.bracketed = rng.chance(0.2);
                if rng.chance(0.4) {
                    core.form = draw_form(&mut rng, core.industry);
                }
            }
            Kind::Lookalike(Lookalike::OtherIndustry) => {
                while core.industry == a.industry {
                    core.industry = rng.cumulative(&self.industry_weights) as u8;
                }
                core.form = draw_form(&mut rng, core.industry);
                if rng.chance(0.5) {
                    let (region, city) = self.draw_region(&mut rng);
                    core.region = region;
                    core.city = city;
                    core.bracketed = region.is_some() && rng.chance(0.2);
                }
            }
            Kind::Lookalike(Lookalike::Branch) => {
                let mut city = a.city;
                while city == a.city {
                    city = rng.cumulative(&self.city_weights) as u8;
                }
                let section = INDUSTRIES[a.industry as usize].1;
                let suffix = if matches!(section, 'F' | 'H') && rng.chance(0.4) {
                    2
                } else if rng.chance(0.25) {
                    1
                } else {
                    0
                };
                core.branch = Some((city, suffix));
                core.city = city;
            }
            Kind::Plain | Kind::Common => {}
        }
        core
    }

    fn fresh_core(&self, rng: &mut Rng, common: bool, attempt: u8) -> Core {
        let zihao = if common {
            Zihao::from_str(rng.pick::<&str>(COMMON_ZIHAO))
        } else {
            // Later attempts draw longer 字号, which are almost never taken.
            let len = if attempt >= 16 {
                4
            } else {
                [2, 3, 4][rng.weighted(&[88u32, 10, 2], |&w| w)]
            };
            let mut z = Zihao {
                chars: ['\0'; 4],
                len: 0,
            };
            while (z.len as usize) < len {
                let c = draw_pool_char(rng);
                if z.len == 0 || z.chars[z.len as usize - 1] != c {
                    z.chars[z.len as usize] = c;
                    z.len += 1;
                }
            }
            z
        };
        let industry = rng.cumulative(&self.industry_weights) as u8;
        let form = draw_form(rng, industry);
        let (region, city) = self.draw_region(rng);
        Core {
            zihao,
            industry,
            form,
            region,
            bracketed: region.is_some() && rng.chance(0.2),
            branch: None,
            city,
        }
    }

    /// A region for a name (none, a province or a city) and the city the company is in.
    fn draw_region(&self, rng: &mut Rng) -> (Option<Region>, u8) {
        match rng.below(100) {
            0..=11 => (None, rng.cumulative(&self.city_weights) as u8),
            12..=21 => {
                let p = rng.below(PROVINCES.len());
                let cities = &self.province_cities[p];
                let city = cities[rng.weighted(cities, |&c| CITIES[c as usize].weight)];
                (Some(Region::Province(p as u8)), city)
            }
            _ => {
                let c = rng.cumulative(&self.city_weights) as u8;
                (Some(Region::City(c)), c)
            }
        }
    }

    /// The name parts of company `e`.
    fn core(&self, e: u32) -> Core {
        let plan = self.entities[e as usize];
        let anchor = (plan.anchor != e).then(|| self.core(plan.anchor));
        self.make_core(e, plan.kind, plan.attempt, anchor.as_ref())
    }

    // -----------------------------------------------------------------------------------------
    // Reading the plan

    /// How many data rows the file has.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the file has no rows (never: at least one is required).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Counts describing the file.
    pub fn stats(&self) -> &SynthStats {
        &self.stats
    }

    /// The column headers: the customer template's, in template order.
    pub fn headers(&self) -> Vec<String> {
        self.template
            .fields
            .iter()
            .map(|f| f.header.clone())
            .collect()
    }

    /// The company (entity id, from 1) of row `i` (0-based; spreadsheet row `i + 2`).
    pub fn entity(&self, i: usize) -> u32 {
        self.rows[i].entity + 1
    }

    /// Which company entity `id` was made to look like, and how; `None` for the others.
    pub fn lookalike(&self, id: u32) -> Option<(Lookalike, u32)> {
        let plan = self.entities.get(id.checked_sub(1)? as usize)?;
        match plan.kind {
            Kind::Lookalike(look) => Some((look, plan.anchor + 1)),
            _ => None,
        }
    }

    /// Whether row `i` holds an injected invalid value.
    pub fn is_invalid(&self, i: usize) -> bool {
        self.rows[i].invalid != 0
    }

    /// Writes the table to `path` (.csv, UTF-8 with BOM, or .xlsx) and the ground truth beside
    /// it ([`truth_path`]), both through [`write::atomic_write`]. If the truth cannot be
    /// written, the table is removed again.
    pub fn write(&self, path: &Path) -> Result<Written> {
        check_output(path, self.len())?;
        let headers = self.headers();
        let text_columns: Vec<usize> = self
            .template
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind.is_digit_identifier())
            .map(|(i, _)| i)
            .collect();
        write::write_rows_reproducible(
            path,
            &headers,
            &text_columns,
            &self.template.title,
            self.len(),
            |i| self.cells(i).into_iter(),
        )?;
        let truth = truth_path(path);
        let written = write::write_rows(
            &truth,
            &["row".to_string(), "entity".to_string()],
            &[],
            "truth",
            self.len(),
            |i| {
                [(i + 2).to_string(), self.entity(i).to_string()]
                    .into_iter()
                    .map(Cow::Owned)
            },
        );
        if let Err(e) = written {
            let _ = std::fs::remove_file(path);
            return Err(e);
        }
        Ok(Written {
            table: path.to_path_buf(),
            truth,
        })
    }
}

fn running_totals(weights: impl Iterator<Item = u32>) -> Vec<u32> {
    weights
        .scan(0, |total, w| {
            *total += w;
            Some(*total)
        })
        .collect()
}

/// Pieces joined into a string allocated once at its final size (`format!` regrows its
/// buffer as it goes, which showed in profiles).
fn concat(parts: &[&str]) -> String {
    let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        text.push_str(part);
    }
    text
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
fn push_number(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in digits.len() - start..width {
        out.push('0');
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

fn draw_pool_char(rng: &mut Rng) -> char {
    let total = 3 * POOL_COMMON + (POOL.len() - POOL_COMMON);
    let r = rng.below(total);
    if r < 3 * POOL_COMMON {
        POOL[r / 3].0
    } else {
        POOL[POOL_COMMON + r - 3 * POOL_COMMON].0
    }
}

/// An organisation form suited to the industry.
fn draw_form(rng: &mut Rng, industry: u8) -> u8 {
    let extra = INDUSTRIES[industry as usize].4;
    let weights = [60u32, 15, 9, 3, 0, 0, 0];
    let extra_index = FORMS.iter().position(|f| *f == extra);
    let i = rng.weighted(&[0usize, 1, 2, 3, 4, 5, 6], |&i| {
        if Some(i) == extra_index {
            8
        } else {
            weights[i]
        }
    });
    i as u8
}

// ---------------------------------------------------------------------------------------------
// Companies

/// GB/T 4754-2017 sections of the industry words: letter, official name, a short form people
/// write (an alias in `rules/reference/industries.toml`).
const SECTIONS: &[(char, &str, &str)] = &[
    ('A', "农、林、牧、渔业", "农林牧渔"),
    ('B', "采矿业", "矿业"),
    ('C', "制造业", "制造"),
    ('D', "电力、热力、燃气及水生产和供应业", "电力"),
    ('E', "建筑业", "建筑"),
    ('F', "批发和零售业", "批发零售"),
    ('G', "交通运输、仓储和邮政业", "物流"),
    ('H', "住宿和餐饮业", "餐饮"),
    ('I', "信息传输、软件和信息技术服务业", "软件和信息技术"),
    ('J', "金融业", "金融"),
    ('K', "房地产业", "房地产"),
    ('L', "租赁和商务服务业", "商务服务"),
    ('M', "科学研究和技术服务业", "科技服务"),
    ('N', "水利、环境和公共设施管理业", "环保"),
    ('O', "居民服务、修理和其他服务业", "居民服务"),
    ('P', "教育", "教育培训"),
    ('Q', "卫生和社会工作", "医疗卫生"),
    ('R', "文化、体育和娱乐业", "文化传媒"),
];

/// 客户等级 by band (普通 < 10万元 ≤ 重点 < 50万元 ≤ VIP), with synonyms people write.
const LEVELS: [(&str, [&str; 3]); 3] = [
    ("普通", ["普通客户", "C类", "一般客户"]),
    ("重点", ["重点客户", "B类", "重要客户"]),
    ("VIP", ["VIP客户", "A类客户", "贵宾客户"]),
];

/// 跟进状态 with weights and synonyms.
const STATUSES: [(&str, u32, [&str; 2]); 5] = [
    ("初步接洽", 30, ["初次接触", "初步沟通"]),
    ("需求分析", 25, ["需求调研", "需求沟通"]),
    ("方案报价", 20, ["已报价", "报价中"]),
    ("合同签订", 12, ["已签约", "签订合同"]),
    ("成交", 13, ["已成交", "赢单"]),
];

/// One person at a customer.
#[derive(Debug, Clone)]
struct Contact {
    name: String,
    title: &'static str,
    mobile: u64,
    email: String,
    /// The pinyin part of the e-mail address.
    local: String,
    /// The seed of [`Contact::other_email`].
    other: u64,
}

/// A company with everything its records draw on.
#[derive(Debug, Clone)]
struct Entity {
    credit: String,
    /// The contacts a record needs: the first always, others when a record names another.
    contacts: Vec<Contact>,
    district: usize,
    address: String,
    /// 年采购额 in hundredths of 万元.
    purchase: u64,
    status: usize,
    owner: usize,
}

impl Synth {
    /// Company `e` with its name parts `core` and its first `contacts` contacts (1 to 3). Each
    /// contact has a stream of its own, so the first is the same however many are made.
    fn entity_data(&self, e: u32, core: Core, contacts: usize) -> Entity {
        let mut rng = Rng::stream(self.seed, STREAM_ENTITY, u64::from(e));
        let city = &CITIES[core.city as usize];
        let district = rng.below(city.districts.len());
        let credit = credit_code(&mut rng, city.districts[district].1, core.individual());
        let domain = self.domain(e, &core);
        let mut people: Vec<Contact> = Vec::with_capacity(contacts);
        for k in 0..contacts as u64 {
            let mut stream = Rng::stream(self.seed, STREAM_CONTACT, (u64::from(e) << 2) | k);
            let mut person = contact(&mut stream, domain.as_deref());
            while people.iter().any(|p| p.name == person.name) {
                person = contact(&mut stream, domain.as_deref());
            }
            people.push(person);
        }
        let address = address(&mut rng, city.districts[district].0);
        Entity {
            credit,
            contacts: people,
            district,
            address,
            purchase: purchase(&mut rng),
            status: rng.weighted(&STATUSES, |s| s.1),
            owner: rng.below(OWNERS.len()),
        }
    }

    /// The company's web domain, if it has one. Lookalikes get another domain than their
    /// anchor's, except half of the branches, which use the head office's.
    fn domain(&self, e: u32, core: &Core) -> Option<String> {
        let own = |attempt: u64| {
            let mut rng = Rng::stream(self.seed, STREAM_DOMAIN, (u64::from(e) << 8) | attempt);
            let none = if core.individual() { 0.7 } else { 0.12 };
            if rng.chance(none) {
                None
            } else {
                Some(self.make_domain(&mut rng, core))
            }
        };
        let plan = self.entities[e as usize];
        let Kind::Lookalike(look) = plan.kind else {
            return own(0);
        };
        let anchor_core = self.core(plan.anchor);
        let theirs = self.domain(plan.anchor, &anchor_core);
        let mut rng = Rng::stream(self.seed, STREAM_DOMAIN, (u64::from(e) << 8) | 255);
        if look == Lookalike::Branch && rng.chance(0.5) {
            return theirs;
        }
        for attempt in 0..8 {
            let mine = own(attempt);
            if mine.is_none() || mine != theirs {
                return mine;
            }
        }
        None
    }

    fn make_domain(&self, rng: &mut Rng, core: &Core) -> String {
        let mut full = String::with_capacity(24);
        let mut initials = String::with_capacity(4);
        for c in core.zihao.chars() {
            let syllable = self.pinyin.get(c).copied().unwrap_or("x");
            full.push_str(syllable);
            initials.push_str(&syllable[..1]);
        }
        let tag = INDUSTRIES[core.industry as usize].3;
        let tld = [".com", ".cn", ".com.cn", ".net"][rng.weighted(&[60u32, 15, 20, 5], |&w| w)];
        match rng.below(100) {
            0..=34 => concat(&[&full, tld]),
            35..=54 => concat(&[&full, "-", tag, tld]),
            55..=69 => concat(&[&full, tag, tld]),
            70..=84 => concat(&[&initials, tag, tld]),
            _ => concat(&[CITIES[core.city as usize].pinyin, &full, tld]),
        }
    }
}

/// A valid 统一社会信用代码: 9 (工商), 1 (企业) or 2 (个体工商户), the region, a 组织机构代码 with
/// its GB 11714 check character, the GB 32100 check character.
fn credit_code(rng: &mut Rng, region: u32, individual: bool) -> String {
    const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut code: Vec<char> = Vec::with_capacity(18);
    code.extend(['9', if individual { '2' } else { '1' }]);
    for power in [100_000, 10_000, 1000, 100, 10, 1] {
        code.push(char::from(b'0' + (region / power % 10) as u8));
    }
    if rng.chance(0.65) {
        // Codes issued since 2015 start their 主体标识码 with MA.
        code.extend(['M', 'A']);
        for _ in 0..6 {
            code.push(char::from(*rng.pick(CHARSET)));
        }
    } else {
        for _ in 0..8 {
            code.push(char::from(b'0' + rng.below(10) as u8));
        }
    }
    code.push(checks::org_check_char(&code[8..16]).unwrap_or('0'));
    code.push(checks::credit_check_char(&code).unwrap_or('0'));
    code.into_iter().collect()
}

/// A person's name and its pinyin syllables (surname first).
fn person(rng: &mut Rng) -> (String, Vec<&'static str>) {
    // At most a compound surname and two given characters.
    let plain = SURNAMES.len() - COMPOUND_SURNAMES;
    let (surname, surname_py) = if rng.chance(0.01) {
        SURNAMES[plain + rng.below(COMPOUND_SURNAMES)]
    } else {
        // Common surnames first: the first thirty take half the draws.
        if rng.chance(0.5) {
            SURNAMES[rng.below(30)]
        } else {
            SURNAMES[rng.below(plain)]
        }
    };
    let mut name = String::with_capacity(12);
    name.push_str(surname);
    let mut syllables = Vec::with_capacity(3);
    syllables.push(surname_py);
    let given = if rng.chance(0.3) { 1 } else { 2 };
    for _ in 0..given {
        let (c, py) = *rng.pick(GIVEN);
        name.push(c);
        syllables.push(py);
    }
    (name, syllables)
}

fn contact(rng: &mut Rng, domain: Option<&str>) -> Contact {
    let (name, syllables) = person(rng);
    let surname = syllables[0];
    let given = syllables[1..].concat();
    let initials: String = syllables[1..].iter().map(|s| &s[..1]).collect();
    let mut local = String::with_capacity(24);
    match rng.below(100) {
        0..=34 => local.extend([surname, &given]),
        35..=49 => local.extend([&given, ".", surname]),
        50..=69 => local.extend([surname, &initials]),
        70..=79 => local.extend([surname, ".", &given]),
        80..=89 => {
            local.extend([&surname[..1], &initials]);
            push_number(&mut local, rng.range(10, 99), 0);
        }
        _ => {
            local.extend([surname, &given]);
            push_number(&mut local, rng.range(1, 99), 0);
        }
    }
    let email = match domain {
        Some(domain) if rng.chance(0.75) => concat(&[&local, "@", domain]),
        _ => free_mail(rng, &local),
    };
    let prefix = u64::from(*rng.pick(MOBILE_PREFIXES));
    Contact {
        name,
        title: rng.pick::<&str>(TITLES),
        mobile: prefix * 100_000_000 + rng.range(0, 99_999_999),
        email,
        local,
        other: rng.next(),
    }
}

/// An address at a free mail provider: a QQ number, or the local part at 163.com and others.
fn free_mail(rng: &mut Rng, local: &str) -> String {
    let provider = FREE_MAIL[rng.weighted(FREE_MAIL, |m| m.1)].0;
    let mut text = String::with_capacity(local.len() + 16);
    if provider == "qq.com" {
        push_number(&mut text, rng.range(10_000, 3_999_999_999), 0);
        text.push_str("@qq.com");
    } else {
        text.extend([local, "@", provider]);
    }
    text
}

impl Contact {
    /// Another address of the same person, at a free mail provider (made only for the records
    /// that show it).
    fn other_email(&self) -> String {
        let mut rng = Rng(self.other);
        let mut local = self.local.clone();
        push_number(&mut local, rng.range(1, 999), 0);
        let mut text = free_mail(&mut rng, &local);
        if text == self.email {
            text = self.local.clone();
            push_number(&mut text, rng.range(1000, 9999), 0);
            text.push_str("@163.com");
        }
        text
    }
}

fn address(rng: &mut Rng, district: &str) -> String {
    let road = rng.pick(ROADS);
    let mut text = String::with_capacity(96);
    text.extend([district, road]);
    push_number(&mut text, rng.range(1, 999), 0);
    text.push('号');
    if rng.chance(0.3) {
        return text;
    }
    text.extend([draw_pool_char(rng), draw_pool_char(rng)]);
    text.push_str(rng.pick::<&str>(BUILDINGS));
    let floor = rng.range(1, 30);
    if rng.chance(0.4) {
        text.push(char::from(b'A' + rng.below(4) as u8));
        text.push('座');
    }
    push_number(&mut text, floor, 0);
    text.push('层');
    text
}

/// 年采购额 in hundredths of 万元, never on a band's edge (10 or 50).
fn purchase(rng: &mut Rng) -> u64 {
    let band = rng.weighted(&[50u32, 35, 15], |&w| w);
    let whole = rng.chance(0.4);
    match (band, whole) {
        (0, true) => rng.range(1, 9) * 100,
        (0, false) => rng.range(50, 999),
        (1, true) => rng.range(11, 49) * 100,
        (1, false) => rng.range(1001, 4999),
        (_, true) => rng.range(51, 3000) * 100,
        (_, false) => match rng.below(100) {
            0..=69 => rng.range(5001, 20_000),
            70..=94 => rng.range(20_001, 100_000),
            _ => rng.range(100_001, 500_000),
        },
    }
}

fn level_of(purchase: u64) -> usize {
    match purchase {
        0..=999 => 0,
        1000..=4999 => 1,
        _ => 2,
    }
}

/// Hundredths as people write amounts: 85.5, 120, 9.99.
fn hundredths(value: u64) -> String {
    let (whole, cents) = (value / 100, value % 100);
    match cents {
        0 => whole.to_string(),
        c if c % 10 == 0 => format!("{whole}.{}", c / 10),
        c => format!("{whole}.{c:02}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Records

/// What a duplicate record changes (one to three of these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variation {
    /// Region leading ↔ bracketed.
    RegionStyle,
    RegionDrop,
    /// Organisation form dropped or changed.
    Form,
    Traditional,
    Typo,
    /// Full-width digits and letters in the phone, credit code or e-mail.
    FullWidth,
    Spaces,
    PhoneFormat,
    /// Another person of the company, with another phone and e-mail.
    OtherContact,
    /// E-mail upper-cased, missing or another address.
    Email,
    CreditMissing,
    /// The industry words dropped: 华远(北京)有限公司.
    Abbreviate,
}

const VARIATIONS: [(Variation, u32); 12] = [
    (Variation::RegionStyle, 14),
    (Variation::RegionDrop, 7),
    (Variation::Form, 12),
    (Variation::Traditional, 8),
    (Variation::Typo, 10),
    (Variation::FullWidth, 8),
    (Variation::Spaces, 9),
    (Variation::PhoneFormat, 12),
    (Variation::OtherContact, 14),
    (Variation::Email, 9),
    (Variation::CreditMissing, 6),
    (Variation::Abbreviate, 2),
];

/// How one record writes its company's name.
#[derive(Debug, Clone, Copy, Default)]
struct NameStyle {
    flip_region: bool,
    drop_region: bool,
    /// 0 keep, 1 drop, 2 change.
    form: u8,
    abbreviate: bool,
    half_brackets: bool,
    traditional: bool,
    typo: bool,
    spaces: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmailMode {
    Plain,
    Upper,
    Missing,
    Other,
}

/// Which field a full-width variation touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    None,
    Phone,
    Credit,
    Email,
}

impl Synth {
    /// The cells of row `i` (0-based), in template order. Depends only on the plan: rows can be
    /// built in any order, on any thread.
    ///
    /// # Panics
    ///
    /// If `i` is not less than [`Synth::len`].
    pub fn row(&self, i: usize) -> Vec<String> {
        self.cells(i).into_iter().map(Cow::into_owned).collect()
    }

    /// [`Synth::row`] without copying the values that are constants.
    fn cells(&self, i: usize) -> Vec<Cow<'static, str>> {
        let plan = self.rows[i];
        let e = plan.entity;
        let core = &self.core(e);
        let flags = self.entities[e as usize].flags;
        let mut rng = Rng::stream(
            self.seed,
            STREAM_RECORD,
            (u64::from(e) << 8) | u64::from(plan.record),
        );

        // What every record may do, duplicate or not: the small untidiness of any export.
        let mut name = NameStyle {
            half_brackets: rng.chance(0.15),
            ..NameStyle::default()
        };
        let mut contact = 0usize;
        let mut phone_format = if rng.chance(0.08) {
            1 + rng.below(8)
        } else {
            0
        };
        let mut email_mode = if rng.chance(0.03) {
            EmailMode::Upper
        } else {
            EmailMode::Plain
        };
        let mut with_credit = rng.chance(0.6);
        let mut wide = Wide::None;
        let mut contact_space = rng.chance(0.02);
        let mut remark: Option<Cow<'static, str>> =
            rng.chance(0.25).then(|| Cow::Borrowed(*rng.pick(REMARKS)));
        let mut moved = false;

        if plan.record > 0 {
            let wanted = 1 + rng.weighted(&[45u32, 35, 20], |&w| w);
            let mut applied: Vec<Variation> = Vec::with_capacity(3);
            for _ in 0..24 {
                if applied.len() == wanted {
                    break;
                }
                let v = VARIATIONS[rng.weighted(&VARIATIONS, |v| v.1)].0;
                let applicable = match v {
                    Variation::RegionStyle => core.region.is_some(),
                    Variation::RegionDrop => {
                        core.region.is_some() && flags & SHARED_NAME == 0 && !name.abbreviate
                    }
                    Variation::Abbreviate => {
                        flags & SHARED_ZIHAO == 0 && core.branch.is_none() && !name.drop_region
                    }
                    Variation::CreditMissing => with_credit,
                    _ => true,
                };
                if applied.contains(&v) || !applicable {
                    continue;
                }
                applied.push(v);
                match v {
                    Variation::RegionStyle => name.flip_region = true,
                    Variation::RegionDrop => name.drop_region = true,
                    Variation::Form => name.form = if rng.chance(0.4) { 1 } else { 2 },
                    Variation::Traditional => name.traditional = true,
                    Variation::Typo => name.typo = true,
                    Variation::FullWidth => {
                        wide = match rng.below(4) {
                            0 | 1 => Wide::Phone,
                            2 => {
                                with_credit = true;
                                Wide::Credit
                            }
                            _ => Wide::Email,
                        }
                    }
                    Variation::Spaces => {
                        name.spaces = true;
                        contact_space = rng.chance(0.3);
                    }
                    Variation::PhoneFormat => phone_format = 1 + rng.below(8),
                    Variation::OtherContact => {
                        contact = 1 + rng.below(2);
                        moved = rng.chance(0.3);
                    }
                    Variation::Email => {
                        email_mode = match rng.below(4) {
                            0 | 1 => EmailMode::Upper,
                            2 => EmailMode::Missing,
                            _ => EmailMode::Other,
                        }
                    }
                    Variation::CreditMissing => with_credit = false,
                    Variation::Abbreviate => name.abbreviate = true,
                }
            }
        }

        let entity = self.entity_data(e, *core, contact + 1);
        if moved {
            remark = Some(format!("原联系人{}已调岗", entity.contacts[0].name).into());
        }
        let person = &entity.contacts[contact];
        let city = &CITIES[core.city as usize];
        let duplicate = plan.record > 0;
        let mut purchase = entity.purchase;
        if duplicate && rng.chance(0.2) {
            // Another system, another year's figure.
            purchase = (purchase * rng.range(70, 130) / 100).max(1);
            if purchase == 1000 || purchase == 5000 {
                purchase += 1;
            }
        }
        let status = if duplicate && rng.chance(0.3) {
            rng.weighted(&STATUSES, |s| s.1)
        } else {
            entity.status
        };
        let owner = if duplicate && rng.chance(0.3) {
            rng.below(OWNERS.len())
        } else {
            entity.owner
        };

        let mut cells: Vec<Cow<'static, str>> = Vec::with_capacity(self.columns.len());
        let none = || Cow::Borrowed("");
        for column in &self.columns {
            let value: Cow<'static, str> = match column {
                Column::CustomerCode => {
                    if rng.chance(0.03) {
                        none()
                    } else {
                        let system = (plan.record as usize + e as usize) % 3;
                        let mut code = String::with_capacity(12);
                        code.push_str(["KH", "XS-", "FW"][system]);
                        push_number(&mut code, i as u64 + 1, 7);
                        code.into()
                    }
                }
                Column::CustomerName => self.render_name(core, &name, &mut rng).into(),
                Column::CreditCode => {
                    if !with_credit {
                        none()
                    } else if wide == Wide::Credit {
                        full_width(&entity.credit).into()
                    } else if rng.chance(0.05) {
                        entity.credit.to_lowercase().into()
                    } else {
                        entity.credit.clone().into()
                    }
                }
                Column::ContactName => {
                    if contact_space {
                        let mut chars = person.name.chars();
                        let first: String = chars.next().into_iter().collect();
                        format!("{first} {}", chars.as_str()).into()
                    } else {
                        person.name.clone().into()
                    }
                }
                Column::ContactTitle => person.title.into(),
                Column::Mobile => {
                    let text = phone(person.mobile, phone_format);
                    if wide == Wide::Phone {
                        full_width(&text).into()
                    } else {
                        text.into()
                    }
                }
                Column::Email => {
                    let text = match email_mode {
                        EmailMode::Plain => person.email.clone(),
                        EmailMode::Upper => person.email.to_uppercase(),
                        EmailMode::Missing => String::new(),
                        EmailMode::Other => person.other_email(),
                    };
                    if wide == Wide::Email {
                        full_width(&text).into()
                    } else {
                        text.into()
                    }
                }
                Column::Industry => {
                    let letter = INDUSTRIES[core.industry as usize].1;
                    let section = SECTIONS
                        .iter()
                        .find(|s| s.0 == letter)
                        .unwrap_or(&SECTIONS[2]);
                    match rng.below(100) {
                        0..=87 => section.1.into(),
                        88..=93 => section.2.into(),
                        94..=96 => section.0.to_string().into(),
                        _ => format!("{} {}", section.0, section.1).into(),
                    }
                }
                Column::Level => {
                    let (value, synonyms) = LEVELS[level_of(purchase)];
                    if rng.chance(0.1) {
                        (*rng.pick(&synonyms)).into()
                    } else {
                        value.into()
                    }
                }
                Column::AnnualPurchase => match rng.below(100) {
                    0..=7 => none(),
                    8..=79 => hundredths(purchase).into(),
                    80..=89 => format!("{}万", hundredths(purchase)).into(),
                    _ => format!("{}元", purchase * 100).into(),
                },
                Column::Demand => {
                    if rng.chance(0.45) {
                        let product = rng.pick(PRODUCTS);
                        match rng.below(4) {
                            0 => format!(
                                "计划采购{}套{product}，预算约{}万元",
                                rng.range(2, 500),
                                rng.range(1, 200)
                            )
                            .into(),
                            1 => format!("咨询{product}价格，要求{}月前交付", rng.range(1, 12))
                                .into(),
                            2 => format!("需要上门演示{product}").into(),
                            _ => format!("续签{product}年度合同").into(),
                        }
                    } else {
                        none()
                    }
                }
                Column::Status => {
                    let (value, _, synonyms) = STATUSES[status];
                    if rng.chance(0.08) {
                        (*rng.pick(&synonyms)).into()
                    } else {
                        value.into()
                    }
                }
                Column::NextFollowup => followup(&mut rng).into(),
                Column::Province => {
                    if rng.chance(0.05) {
                        none()
                    } else {
                        city.province.into()
                    }
                }
                Column::City => {
                    if rng.chance(0.05) {
                        none()
                    } else if city.city.is_empty() {
                        city.districts[entity.district].0.into()
                    } else {
                        city.city.into()
                    }
                }
                Column::Address => match rng.below(100) {
                    0..=9 => none(),
                    10..=19 => format!("{}{}{}", city.province, city.city, entity.address).into(),
                    _ => entity.address.clone().into(),
                },
                Column::Owner => OWNERS[owner].into(),
                Column::Remarks => remark.take().unwrap_or_else(none),
                Column::Other => none(),
            };
            cells.push(value);
        }
        if plan.invalid != 0 {
            self.spoil(
                &mut cells,
                plan.invalid,
                &entity.credit,
                person.mobile,
                &mut rng,
            );
        }
        cells
    }

    /// Puts one value no repair can fix into a row.
    fn spoil(
        &self,
        cells: &mut [Cow<'static, str>],
        kind: u8,
        credit: &str,
        mobile: u64,
        rng: &mut Rng,
    ) {
        let mut set = |column: Column, value: String| {
            if let Some(i) = self.columns.iter().position(|c| *c == column) {
                cells[i] = value.into();
            }
        };
        match kind {
            1 => {
                // A digit lost or one too many.
                let digits = mobile.to_string();
                let bad = if rng.chance(0.5) {
                    digits[..10].to_string()
                } else {
                    format!("{digits}{}", rng.below(10))
                };
                set(Column::Mobile, bad);
            }
            2 => {
                let year = rng.range(2024, 2026);
                let (month, day) = *rng.pick(&[
                    (2, 30),
                    (2, 31),
                    (4, 31),
                    (6, 31),
                    (9, 31),
                    (11, 31),
                    (13, 5),
                ]);
                let hour = rng.range(9, 17);
                let bad = if rng.chance(0.5) {
                    format!("{year}-{month:02}-{day:02} {hour:02}:00")
                } else {
                    format!("{year}年{month}月{day}日 {hour}:30")
                };
                set(Column::NextFollowup, bad);
            }
            3 => {
                if rng.chance(0.5) {
                    set(
                        Column::Level,
                        rng.pick(&["钻石客户", "D类", "SVIP", "潜在"]).to_string(),
                    );
                } else {
                    set(
                        Column::Status,
                        rng.pick(&["已流失", "暂缓", "意向客户", "无效"])
                            .to_string(),
                    );
                }
            }
            4 => {
                // A wrong check character.
                let mut code: Vec<char> = credit.chars().collect();
                let last = code[17];
                let wrong = loop {
                    let c = char::from(*rng.pick(b"0123456789ABCDEFGHJKLMNPQRTUWXY"));
                    if c != last {
                        break c;
                    }
                };
                code[17] = wrong;
                set(Column::CreditCode, code.into_iter().collect());
            }
            _ => {
                let column = *rng.pick(&[
                    Column::ContactName,
                    Column::ContactTitle,
                    Column::Mobile,
                    Column::Industry,
                    Column::Status,
                ]);
                set(column, String::new());
            }
        }
    }

    /// A company name as one record writes it.
    fn render_name(&self, core: &Core, style: &NameStyle, rng: &mut Rng) -> String {
        let mut span: Vec<char> = core.zihao.chars().to_vec();
        if !style.abbreviate {
            span.extend(INDUSTRIES[core.industry as usize].0.chars());
        }
        if style.typo {
            self.typo(&mut span, rng);
        }
        let span: String = span.into_iter().collect();
        let form = FORMS[core.form as usize];
        let form = match style.form {
            0 => form,
            1 => "",
            _ => match form {
                "有限公司" => "有限责任公司",
                "集团有限公司" => *rng.pick(&["有限公司", "集团"]),
                "有限责任公司" | "股份有限公司" => "有限公司",
                _ => "",
            },
        };
        let (open, close) = if style.half_brackets {
            ("(", ")")
        } else {
            ("（", "）")
        };
        let mut parts: Vec<Cow<str>> = Vec::with_capacity(5);
        let region = core
            .region
            .filter(|_| !style.drop_region)
            .map(Region::short);
        match region {
            Some(region) if core.bracketed != style.flip_region => {
                parts.push(span.into());
                parts.push(concat(&[open, region, close]).into());
            }
            Some(region) => {
                parts.push(region.into());
                parts.push(span.into());
            }
            None => parts.push(span.into()),
        }
        // A name of three characters or less is no company's name: keep its form then.
        let length: usize = parts.iter().map(|p| p.chars().count()).sum();
        let form = if form.is_empty() && length < 4 {
            FORMS[core.form as usize]
        } else {
            form
        };
        if !form.is_empty() {
            parts.push(form.into());
        }
        if let Some((city, suffix)) = core.branch {
            parts.push(CITIES[city as usize].short.into());
            parts.push(BRANCH_SUFFIXES[suffix as usize].into());
        }
        let mut text = String::with_capacity(64);
        let gap = if style.spaces {
            Some(rng.below(parts.len() + 2))
        } else {
            None
        };
        if gap == Some(parts.len()) {
            text.push(' ');
        }
        for (i, part) in parts.iter().enumerate() {
            if i > 0 && gap == Some(i) {
                text.push_str(if rng.chance(0.3) { "  " } else { " " });
            }
            text.push_str(part);
        }
        if gap == Some(parts.len() + 1) || gap == Some(0) {
            text.push(' ');
        }
        if style.traditional {
            text = text.chars().map(traditional).collect();
        }
        text
    }

    /// One typo in the 字号 or industry words: a character that sounds the same, a character
    /// left out, or two characters swapped.
    fn typo(&self, span: &mut Vec<char>, rng: &mut Rng) {
        for _ in 0..8 {
            match rng.below(10) {
                0..=5 => {
                    let at = rng.below(span.len());
                    if let Some(&group) = self.homophones.get(&span[at]) {
                        let others: Vec<char> = HOMOPHONES[group]
                            .chars()
                            .filter(|&c| c != span[at])
                            .collect();
                        span[at] = *rng.pick(&others);
                        return;
                    }
                }
                6 | 7 if span.len() >= 3 => {
                    span.remove(rng.below(span.len()));
                    return;
                }
                _ if span.len() >= 2 => {
                    let at = rng.below(span.len() - 1);
                    if span[at] != span[at + 1] {
                        span.swap(at, at + 1);
                        return;
                    }
                }
                _ => {}
            }
        }
    }
}

/// The traditional form of a simplified character (itself when it has none).
fn traditional(c: char) -> char {
    TRADITIONAL
        .binary_search_by_key(&c, |&(s, _)| s)
        .map_or(c, |i| TRADITIONAL[i].1)
}

/// ASCII letters and digits as their full-width forms (１３８, ＡＢＣ, ＠).
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// A mobile number written one of the ways people write them; all are repaired by crmkit.
fn phone(number: u64, format: usize) -> String {
    let mut d = String::with_capacity(24);
    push_number(&mut d, number, 0);
    if format == 0 {
        return d;
    }
    let (a, b, c) = (&d[..3], &d[3..7], &d[7..]);
    match format {
        1 => concat(&[a, " ", b, " ", c]),
        2 => concat(&[a, "-", b, "-", c]),
        3 => concat(&["+86 ", a, " ", b, " ", c]),
        4 => concat(&["+86-", &d]),
        5 => concat(&["86-", &d]),
        6 => concat(&["0086 ", &d]),
        7 => concat(&["手机：", &d]),
        _ => concat(&["(+86)", &d]),
    }
}

/// 下次跟进时间 between 2024-01-01 and 2026-12-31, office hours, in one of the forms people
/// type.
fn followup(rng: &mut Rng) -> String {
    let start = Date::new(2024, 1, 1).unwrap_or(Date {
        year: 2024,
        month: 1,
        day: 1,
    });
    let day = start.add_days(rng.range(0, 1095) as i64).unwrap_or(start);
    let (hour, minute) = (rng.range(9, 17), if rng.chance(0.5) { 0 } else { 30 });
    let (y, m, d) = (day.year as u64, u64::from(day.month), u64::from(day.day));
    // Separators after year, month, day and hour, and the width of the numbers after the year.
    let (seps, width, seconds) = match rng.below(100) {
        0..=69 => (["-", "-", " ", ":"], 2, false),
        70..=84 => (["/", "/", " ", ":"], 0, false),
        85..=94 => (["年", "月", "日 ", ":"], 0, false),
        _ => (["-", "-", " ", ":"], 2, true),
    };
    let mut text = String::with_capacity(24);
    for (i, value) in [y, m, d, hour].into_iter().enumerate() {
        push_number(&mut text, value, if i == 0 { 4 } else { width });
        text.push_str(seps[i]);
    }
    push_number(&mut text, minute, 2);
    if seconds {
        text.push_str(":00");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::normalize::{self, Context};
    use crate::reference::{PrefixKind, Reference};

    fn synth(rows: usize, seed: u64, invalid_rate: f64) -> Synth {
        Synth::new(&SynthOptions {
            rows,
            seed,
            invalid_rate,
            ..SynthOptions::default()
        })
        .unwrap()
    }

    fn all_rows(s: &Synth) -> Vec<Vec<String>> {
        (0..s.len()).map(|i| s.row(i)).collect()
    }

    fn column(s: &Synth, key: &str) -> usize {
        s.template.fields.iter().position(|f| f.key == key).unwrap()
    }

    /// Rows grouped by company: entity id → row indices.
    fn by_entity(s: &Synth) -> HashMap<u32, Vec<usize>> {
        let mut groups: HashMap<u32, Vec<usize>> = HashMap::new();
        for i in 0..s.len() {
            groups.entry(s.entity(i)).or_default().push(i);
        }
        groups
    }

    /// What a comparison of names would see: NFKC, no spaces, simplified characters.
    fn plain(text: &str) -> String {
        fast2s::convert(&normalize::clean_text(text))
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '(' => '（',
                ')' => '）',
                c => c,
            })
            .collect()
    }

    fn digits(text: &str) -> String {
        let d: String = normalize::clean_text(text)
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        d[d.len().saturating_sub(11)..].to_string()
    }

    #[test]
    fn same_seed_same_rows_other_seed_other_rows() {
        let a = synth(800, 7, 0.02);
        let b = synth(800, 7, 0.02);
        let c = synth(800, 8, 0.02);
        assert_eq!(all_rows(&a), all_rows(&b));
        let truth = |s: &Synth| (0..s.len()).map(|i| s.entity(i)).collect::<Vec<_>>();
        assert_eq!(truth(&a), truth(&b));
        assert_eq!(a.stats(), b.stats());
        assert_ne!(all_rows(&a), all_rows(&c));
        // A row does not depend on which rows were built before it.
        assert_eq!(a.row(500), synth(800, 7, 0.02).row(500));
    }

    #[test]
    fn exact_row_count_and_truth_for_every_row() {
        for rows in [1, 2, 3, 17, 1000, 4321] {
            let s = synth(rows, 42, 0.02);
            assert_eq!(s.len(), rows);
            let stats = s.stats();
            assert_eq!(stats.rows, rows);
            let groups = by_entity(&s);
            assert_eq!(groups.len(), stats.entities, "{rows} rows");
            assert_eq!(stats.duplicate_rows, rows - stats.entities);
            assert_eq!(
                groups.values().filter(|g| g.len() > 1).count(),
                stats.entities_with_duplicates
            );
            // Ids run from 1 to the number of companies, each used.
            let mut ids: Vec<u32> = groups.keys().copied().collect();
            ids.sort_unstable();
            assert_eq!(ids, (1..=stats.entities as u32).collect::<Vec<_>>());
            for i in 0..rows {
                assert_eq!(s.row(i).len(), s.headers().len());
            }
        }
    }

    #[test]
    fn default_shares_are_as_documented() {
        let s = synth(20_000, 42, 0.02);
        let stats = s.stats();
        let dup_share = stats.entities_with_duplicates as f64 / stats.entities as f64;
        assert!((0.27..0.33).contains(&dup_share), "{stats:?}");
        assert_eq!(stats.invalid_rows, 400);
        assert_eq!((0..s.len()).filter(|&i| s.is_invalid(i)).count(), 400);
        let lookalikes = stats.lookalikes() as f64 / stats.entities as f64;
        assert!((0.03..0.08).contains(&lookalikes), "{stats:?}");
        assert!(stats.other_region > 0 && stats.other_industry > 0 && stats.branches > 0);
        // Some companies have more than three records.
        assert!(by_entity(&s).values().any(|g| g.len() >= 5));
    }

    #[test]
    fn rows_are_shuffled() {
        let s = synth(5000, 42, 0.02);
        let adjacent = (1..s.len())
            .filter(|&i| s.entity(i) == s.entity(i - 1))
            .count();
        assert_eq!(adjacent, 0);
        // Not in company order either.
        let ascending = (1..s.len())
            .filter(|&i| s.entity(i) > s.entity(i - 1))
            .count();
        assert!(ascending < s.len() * 6 / 10, "{ascending}");
    }

    #[test]
    fn cumulative_draws_like_weighted() {
        let weights = [3u32, 0, 5, 1];
        let totals = running_totals(weights.iter().copied());
        let (mut a, mut b) = (Rng(9), Rng(9));
        for _ in 0..1000 {
            assert_eq!(a.cumulative(&totals), b.weighted(&weights, |&w| w));
        }
    }

    #[test]
    fn strings_are_built_as_format_would() {
        for (n, width) in [
            (0u64, 0usize),
            (7, 2),
            (42, 2),
            (2024, 4),
            (1, 7),
            (13_800_138_000, 0),
        ] {
            let mut text = String::new();
            push_number(&mut text, n, width);
            assert_eq!(text, format!("{n:0width$}"));
        }
        let n = 13_812_345_678;
        let written: Vec<String> = (0..9).map(|f| phone(n, f)).collect();
        assert_eq!(
            written,
            [
                "13812345678",
                "138 1234 5678",
                "138-1234-5678",
                "+86 138 1234 5678",
                "+86-13812345678",
                "86-13812345678",
                "0086 13812345678",
                "手机：13812345678",
                "(+86)13812345678",
            ]
        );
        let mut rng = Rng(5);
        let forms: Vec<String> = (0..400).map(|_| followup(&mut rng)).collect();
        let shape = |t: &str| {
            t.chars()
                .map(|c| if c.is_ascii_digit() { '9' } else { c })
                .collect::<String>()
        };
        let mut shapes: Vec<String> = forms.iter().map(|t| shape(t)).collect();
        shapes.sort();
        shapes.dedup();
        assert!(
            shapes.contains(&"9999-99-99 99:99".to_string()),
            "{shapes:?}"
        );
        assert!(shapes.contains(&"9999-99-99 99:99:99".to_string()));
        assert!(shapes
            .iter()
            .any(|s| s.contains('年') && s.ends_with(":99")));
        assert!(shapes.iter().any(|s| s.contains('/')));
    }

    #[test]
    fn bad_options_are_refused() {
        let refused = |options: SynthOptions| match Synth::new(&options) {
            Err(Error::InvalidOption { option, .. }) => option,
            other => panic!("{other:?}"),
        };
        let base = SynthOptions::default();
        assert_eq!(refused(SynthOptions { rows: 0, ..base }), "rows");
        assert_eq!(
            refused(SynthOptions {
                dup_rate: 1.5,
                ..base
            }),
            "dup-rate"
        );
        assert_eq!(
            refused(SynthOptions {
                invalid_rate: -0.1,
                ..base
            }),
            "invalid-rate"
        );
    }

    #[test]
    fn generated_credit_codes_pass_the_check() {
        let s = synth(3000, 42, 0.0);
        for e in 0..s.entities.len() as u32 {
            let code = s.entity_data(e, s.core(e), 1).credit;
            assert!(checks::credit_code(&code).is_ok(), "{code}");
        }
        let col = column(&s, "credit_code");
        let rows = all_rows(&s);
        let present = rows.iter().filter(|r| !r[col].is_empty()).count();
        let share = present as f64 / rows.len() as f64;
        assert!((0.5..0.7).contains(&share), "{share}");
    }

    /// With no invalid rate, every value is one `validate --template customer` accepts; with
    /// one, exactly the chosen rows have an error.
    #[test]
    fn every_value_passes_validation_unless_chosen_to_fail() {
        let reference = Reference::builtin().unwrap();
        let ctx = Context {
            reference: &reference,
            today: Date::new(2025, 6, 1).unwrap(),
            simplified: false,
        };
        let errors = |s: &Synth, i: usize| -> Vec<String> {
            let row = s.row(i);
            let mut found = Vec::new();
            for (field, value) in s.template.fields.iter().zip(&row) {
                let outcome = normalize::normalize(field, value, &ctx);
                if let Some(p) = outcome.problem.filter(|p| p.severity == Severity::Error) {
                    found.push(format!("{}: {value:?}: {}", field.key, p.message));
                }
                if field.required && value.trim().is_empty() {
                    found.push(format!("{}: empty", field.key));
                }
                if let Some(max) = field.max_length {
                    if outcome.value.chars().count() > max {
                        found.push(format!("{}: too long", field.key));
                    }
                }
            }
            found
        };
        let clean = synth(5000, 3, 0.0);
        let (level, purchase) = (column(&clean, "level"), column(&clean, "annual_purchase"));
        let level_field = &clean.template.fields[level];
        let purchase_field = &clean.template.fields[purchase];
        for i in 0..clean.len() {
            let problems = errors(&clean, i);
            assert!(problems.is_empty(), "row {}: {problems:?}", i + 2);
            // The level agrees with the annual purchase (rule level_matches_purchase).
            let row = clean.row(i);
            let amount = normalize::normalize(purchase_field, &row[purchase], &ctx).value;
            if !amount.is_empty() {
                let amount: f64 = amount.parse().unwrap();
                let band = normalize::normalize(level_field, &row[level], &ctx).value;
                let expected = if amount >= 50.0 {
                    "VIP"
                } else if amount >= 10.0 {
                    "重点"
                } else {
                    "普通"
                };
                assert_eq!(band, expected, "row {}: {}", i + 2, row[purchase]);
            }
        }
        let dirty = synth(5000, 3, 0.05);
        for i in 0..dirty.len() {
            assert_eq!(
                !errors(&dirty, i).is_empty(),
                dirty.is_invalid(i),
                "row {}: {:?}",
                i + 2,
                dirty.row(i)
            );
        }
    }

    #[test]
    fn duplicates_vary() {
        let s = synth(6000, 42, 0.0);
        let name = column(&s, "customer_name");
        let rows = all_rows(&s);
        let groups = by_entity(&s);
        let duplicated: Vec<&Vec<usize>> = groups.values().filter(|g| g.len() > 1).collect();
        let varied = duplicated
            .iter()
            .filter(|g| g.iter().any(|&i| rows[i][name] != rows[g[0]][name]))
            .count();
        assert!(
            varied * 10 > duplicated.len() * 7,
            "{varied} of {}",
            duplicated.len()
        );
        // Each kind of variation shows up somewhere.
        let names: Vec<&str> = duplicated
            .iter()
            .flat_map(|g| g.iter().map(|&i| rows[i][name].as_str()))
            .collect();
        let any = |f: &dyn Fn(&str) -> bool| names.iter().any(|n| f(n));
        assert!(any(&|n| n.contains('(')), "half-width brackets");
        assert!(any(&|n| n.contains('（')), "full-width brackets");
        assert!(any(&|n| n.contains(' ')), "spaces");
        assert!(
            any(&|n| n.contains('華') || n.contains('遠') || n.contains('軟')),
            "traditional"
        );
        assert!(
            any(&|n| !["公司", "商行", "工作室", "厂", "分店", "办事处"]
                .iter()
                .any(|f| n.trim().ends_with(f)
                    || n.contains(&format!("{f}（"))
                    || n.contains(&format!("{f}(")))),
            "no form"
        );
        assert!(any(&|n| n.contains("有限责任公司")));
        let mobile = column(&s, "mobile");
        assert!(rows.iter().any(|r| r[mobile].starts_with("+86")));
        assert!(rows.iter().any(|r| r[mobile].contains('-')));
        assert!(rows.iter().any(|r| r[mobile].starts_with('１')));
        let email = column(&s, "email");
        assert!(rows
            .iter()
            .any(|r| r[email].contains("@QQ.COM") || r[email].contains(".COM")));
    }

    #[test]
    fn some_duplicates_share_no_phone_and_no_email() {
        let s = synth(6000, 42, 0.0);
        let (mobile, email, contact) = (
            column(&s, "mobile"),
            column(&s, "email"),
            column(&s, "contact_name"),
        );
        let rows = all_rows(&s);
        let mut pairs = 0;
        let mut strangers = 0;
        for group in by_entity(&s).values().filter(|g| g.len() > 1) {
            for &i in &group[1..] {
                let (a, b) = (&rows[group[0]], &rows[i]);
                pairs += 1;
                let same_phone = digits(&a[mobile]) == digits(&b[mobile]);
                let (ea, eb) = (
                    plain(&a[email]).to_lowercase(),
                    plain(&b[email]).to_lowercase(),
                );
                let same_email = !ea.is_empty() && ea == eb;
                if !same_phone && !same_email {
                    strangers += 1;
                    // Another phone is another person.
                    assert_ne!(plain(&a[contact]), plain(&b[contact]));
                }
            }
        }
        assert!(
            strangers * 100 > pairs * 5 && strangers * 100 < pairs * 40,
            "{strangers} of {pairs}"
        );
    }

    #[test]
    fn lookalikes_are_other_companies_with_the_same_zihao() {
        let s = synth(20_000, 42, 0.0);
        let name = column(&s, "customer_name");
        let (mobile, email, credit) = (
            column(&s, "mobile"),
            column(&s, "email"),
            column(&s, "credit_code"),
        );
        let rows = all_rows(&s);
        let groups = by_entity(&s);
        let mut nothing_shared = 0;
        let mut seen: HashMap<Lookalike, usize> = HashMap::new();
        for (&id, group) in &groups {
            let Some((look, anchor)) = s.lookalike(id) else {
                continue;
            };
            *seen.entry(look).or_default() += 1;
            let (mine, theirs) = (s.core(id - 1), s.core(anchor - 1));
            assert_eq!(mine.zihao, theirs.zihao);
            let zihao: String = mine.zihao.chars().iter().collect();
            match look {
                Lookalike::OtherRegion => {
                    assert_eq!(mine.industry, theirs.industry);
                    assert_ne!(mine.region, theirs.region);
                }
                Lookalike::OtherIndustry => assert_ne!(mine.industry, theirs.industry),
                Lookalike::Branch => assert!(mine.branch.is_some() && mine.city != theirs.city),
            }
            let a = s.entity_data(anchor - 1, theirs, 1);
            let b = s.entity_data(id - 1, mine, 1);
            assert_ne!(a.credit, b.credit);
            let their_rows = &groups[&anchor];
            for &i in group {
                for &j in their_rows {
                    assert_ne!(plain(&rows[i][name]), plain(&rows[j][name]));
                    if !rows[i][credit].is_empty() {
                        assert_ne!(
                            rows[i][credit].to_uppercase(),
                            rows[j][credit].to_uppercase()
                        );
                    }
                }
            }
            let (x, y) = (&rows[group[0]], &rows[their_rows[0]]);
            let domain = |r: &Vec<String>| {
                plain(&r[email])
                    .to_lowercase()
                    .split('@')
                    .nth(1)
                    .unwrap_or("")
                    .to_string()
            };
            if digits(&x[mobile]) != digits(&y[mobile])
                && (domain(x).is_empty() || domain(x) != domain(y))
                && plain(&x[name]).contains(&zihao)
            {
                nothing_shared += 1;
            }
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(
            nothing_shared * 2 > seen.values().sum::<usize>(),
            "{nothing_shared}"
        );
        // Some 字号 are used by many unrelated companies.
        let common = (0..s.entities.len() as u32)
            .filter(|&e| s.entities[e as usize].kind == Kind::Common)
            .map(|e| s.core(e).zihao)
            .fold(HashMap::<Zihao, usize>::new(), |mut m, z| {
                *m.entry(z).or_default() += 1;
                m
            });
        assert!(common.values().any(|&n| n >= 10), "{common:?}");
    }

    #[test]
    fn names_of_different_companies_differ() {
        let s = synth(20_000, 42, 0.0);
        let mut names: HashMap<String, u32> = HashMap::new();
        let mut style = NameStyle::default();
        for e in 0..s.entities.len() as u32 {
            let core = s.core(e);
            style.drop_region = false;
            let full = s.render_name(&core, &style, &mut Rng(0));
            if let Some(other) = names.insert(full.clone(), e) {
                panic!("{full}: companies {other} and {e}");
            }
        }
    }

    #[test]
    fn tables_are_consistent() {
        let reference = Reference::builtin().unwrap();
        for &prefix in MOBILE_PREFIXES {
            let number = format!("{prefix}00001234");
            assert_eq!(
                reference.prefix_kind(&number),
                Some(PrefixKind::Mobile),
                "{prefix}"
            );
        }
        for (letter, name, short) in SECTIONS {
            assert!(reference.is_section_name(name), "{name}");
            assert_eq!(reference.industry_section(short), Ok(*name), "{short}");
            assert_eq!(reference.industry_section(&letter.to_string()), Ok(*name));
        }
        for industry in INDUSTRIES {
            assert!(SECTIONS.iter().any(|s| s.0 == industry.1), "{}", industry.0);
            assert!(industry.4.is_empty() || FORMS.contains(&industry.4));
        }
        let mut rng = Rng(1);
        for city in CITIES {
            assert!(!city.districts.is_empty());
            for (district, code) in city.districts {
                // Its province prefix is a real one, and a credit code made with it is valid.
                let credit = credit_code(&mut rng, *code, false);
                assert!(checks::credit_code(&credit).is_ok(), "{district} {credit}");
                let first = CITIES.iter().find(|c| c.province == city.province).unwrap();
                assert_eq!(code / 10_000, first.districts[0].1 / 10_000, "{district}");
            }
        }
        let s = synth(1, 42, 0.0);
        assert!(s.province_cities.iter().all(|c| !c.is_empty()));
        for z in COMMON_ZIHAO {
            assert!(z.chars().all(|c| s.pinyin.contains_key(&c)), "{z}");
        }
        assert!(TRADITIONAL.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
    }

    /// `crmkit validate --simplified` turns the traditional names back (fast2s).
    #[test]
    fn traditional_characters_round_trip() {
        let wrong: Vec<String> = TRADITIONAL
            .iter()
            .filter(|(s, t)| fast2s::convert(&t.to_string()) != s.to_string())
            .map(|(s, t)| format!("{s}{t}→{}", fast2s::convert(&t.to_string())))
            .collect();
        assert!(wrong.is_empty(), "{wrong:?}");
        let name = "北京华远软件科技有限公司";
        let converted: String = name.chars().map(super::traditional).collect();
        assert_eq!(converted, "北京華遠軟件科技有限公司");
    }

    #[test]
    fn writes_the_same_bytes_for_the_same_seed() {
        let dir = tempfile::tempdir().unwrap();
        let s = synth(300, 42, 0.02);
        for name in ["a.csv", "a.xlsx"] {
            let first = s.write(&dir.path().join(name)).unwrap();
            assert_eq!(first.truth, dir.path().join("a.truth.csv"));
            let table = std::fs::read(&first.table).unwrap();
            let truth = std::fs::read(&first.truth).unwrap();
            let second = synth(300, 42, 0.02).write(&dir.path().join(name)).unwrap();
            assert_eq!(table, std::fs::read(&second.table).unwrap(), "{name}");
            assert_eq!(truth, std::fs::read(&second.truth).unwrap());
        }
        let truth = std::fs::read_to_string(dir.path().join("a.truth.csv")).unwrap();
        let lines: Vec<&str> = truth.trim_end().split("\r\n").collect();
        assert_eq!(lines[0], "\u{FEFF}row,entity");
        assert_eq!(lines.len(), 301);
        assert_eq!(lines[1], format!("2,{}", s.entity(0)));
        assert_eq!(
            truth_path(Path::new("x/customers.csv")),
            Path::new("x/customers.truth.csv")
        );
        assert!(matches!(
            s.write(&dir.path().join("a.txt")),
            Err(Error::UnsupportedOutput { .. })
        ));
    }
}
