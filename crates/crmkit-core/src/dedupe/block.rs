//! Blocking: only records that share a blocking key are compared. Each key's records are
//! grouped by sorting hashed key values; the candidate pairs of all keys are united.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::compare::{phones_of, Features};
use super::config::{BlockingKey, Config, KeyPart};
use super::records::Records;

/// What one blocking key produced.
#[derive(Debug, Clone)]
pub struct KeyStats {
    /// The key's name.
    pub name: String,
    /// The key's expression.
    pub expression: String,
    /// Records with a value for the key.
    pub records: usize,
    /// Blocks of two or more records.
    pub blocks: usize,
    /// The largest block compared.
    pub largest: usize,
    /// Candidate pairs it produced (pairs other keys also produced included).
    pub pairs: u64,
    /// Pairs no earlier key produced.
    pub new_pairs: u64,
    /// Blocks skipped for being larger than `max_block`: (an example record, size).
    pub skipped: Vec<(usize, usize)>,
}

/// The candidate pairs and how they came about.
#[derive(Debug)]
pub struct Blocking {
    /// Candidate pairs (a < b), sorted, each once.
    pub pairs: Vec<(u32, u32)>,
    /// For each pair, the blocking keys that produced it (bit `i` = key `i`).
    pub keys: Vec<u16>,
    /// One entry per blocking key, in configuration order.
    pub stats: Vec<KeyStats>,
}

/// Finds the candidate pairs. Pairs of two records that both come from an `existing` source
/// are left out: they were decided before.
pub fn block(records: &Records, features: &Features, config: &Config) -> Blocking {
    block_skipping(records, features, config, &[])
}

/// [`block`], leaving out the blocks whose hash `skip[key]` lists (sorted): in a partition of a
/// larger input, the blocks the whole input skipped for being larger than `max_block`, which a
/// partition may hold only part of (see [`super::partition`]).
pub fn block_skipping(
    records: &Records,
    features: &Features,
    config: &Config,
    skip: &[Vec<u64>],
) -> Blocking {
    let existing: Vec<bool> = records
        .refs
        .iter()
        .map(|r| records.sources[r.source as usize].existing)
        .collect();
    // Each key's candidate pairs, the keys side by side (each key's sort runs on one thread).
    let keyed: Vec<(Vec<(u32, u32)>, KeyStats)> = config
        .blocking
        .par_iter()
        .enumerate()
        .map(|(ki, key)| {
            // A spelling key pairs a Latin name with a Chinese one only: two Chinese names of
            // one sound (启晟 / 启盛) or two Latin names of one word are the other keys' to find.
            let across = key.parts.iter().find_map(|p| match p {
                KeyPart::CompanySpelling(field) => features.scripts(*field),
                _ => None,
            });
            // A site-only key pairs a site office with another record, never two others.
            let site_only = key.site_only();
            // Without a site office no block of it is kept: nothing to key.
            let mut entries = if site_only && !features.any_site() {
                Vec::new()
            } else {
                key_entries(records, features, key, ki, 0)
            };
            sort_entries(&mut entries);
            let with_value = {
                let mut seen = vec![false; records.len()];
                entries.iter().for_each(|e| seen[e.1 as usize] = true);
                seen.iter().filter(|&&s| s).count()
            };
            let Blocks {
                kept: groups,
                skipped,
                largest,
            } = blocks(
                &entries,
                config.max_block,
                skip.get(ki).map_or(&[][..], Vec::as_slice),
                site_only,
            );
            let skipped = skipped
                .into_iter()
                .map(|(s, e)| (entries[s].1 as usize, e - s))
                .collect();
            // Packed into one integer each (first record high): sorting integers is several
            // times quicker than sorting pairs.
            let mut packed: Vec<u64> = groups
                .par_iter()
                .flat_map_iter(|&(s, e)| {
                    let block = &entries[s..e];
                    let existing = &existing;
                    (0..block.len()).flat_map(move |x| {
                        (x + 1..block.len()).filter_map(move |y| {
                            if site_only && (block[x].0 | block[y].0) & 1 == 0 {
                                return None;
                            }
                            let (a, b) = (block[x].1, block[y].1);
                            let (a, b) = (a.min(b), a.max(b));
                            let scripts = across
                                .is_none_or(|script| script[a as usize] != script[b as usize]);
                            (a != b && !(existing[a as usize] && existing[b as usize]) && scripts)
                                .then_some(u64::from(a) << 32 | u64::from(b))
                        })
                    })
                })
                .collect();
            radsort::sort(&mut packed);
            packed.dedup();
            let pairs: Vec<(u32, u32)> = packed
                .into_iter()
                .map(|p| ((p >> 32) as u32, p as u32))
                .collect();
            let stats = KeyStats {
                name: key.name.clone(),
                expression: key.expression.clone(),
                records: with_value,
                blocks: groups.len(),
                largest,
                pairs: pairs.len() as u64,
                new_pairs: 0,
                skipped,
            };
            (pairs, stats)
        })
        .collect();
    // Merged in the keys' order: a pair is new for the first key that finds it.
    let mut all: Vec<(u32, u32)> = Vec::new();
    let mut masks: Vec<u16> = Vec::new();
    let mut stats = Vec::with_capacity(keyed.len());
    for (ki, (pairs, mut key_stats)) in keyed.into_iter().enumerate() {
        let before = all.len();
        let (merged, merged_masks) = merge_sorted(
            std::mem::take(&mut all),
            std::mem::take(&mut masks),
            pairs,
            1 << ki,
        );
        key_stats.new_pairs = (merged.len() - before) as u64;
        all = merged;
        masks = merged_masks;
        stats.push(key_stats);
    }
    Blocking {
        pairs: all,
        keys: masks,
        stats,
    }
}

/// One blocking key's (hash, record) entries, one per value of the key of every record
/// (unsorted); records are numbered from `first`.
pub(crate) fn key_entries(
    records: &Records,
    features: &Features,
    key: &BlockingKey,
    key_index: usize,
    first: u32,
) -> Vec<(u64, u32)> {
    let pieces: Vec<Vec<(u64, u32)>> = (0..records.len())
        .into_par_iter()
        .fold(
            || (KeyScratch::default(), Vec::new()),
            |(mut scratch, mut out), i| {
                key_hashes(records, features, key, key_index, i, &mut scratch);
                out.extend(scratch.hashes.iter().map(|&h| (h, first + i as u32)));
                (scratch, out)
            },
        )
        .map(|(_, out)| out)
        .collect();
    pieces.concat()
}

/// Sorts entries by hash, then record, each once: a block is then a run of equal hashes.
pub(crate) fn sort_entries(entries: &mut Vec<(u64, u32)>) {
    // A radix sort: the hashes are uniform, and a comparison sort of millions of entries
    // spent most of blocking's time.
    radsort::sort_by_key(entries, |&(hash, record)| (hash, record));
    entries.dedup();
}

/// The blocks of one key in sorted entries, as ranges `start..end` of them.
pub(crate) struct Blocks {
    /// Blocks of two records or more that are compared.
    pub kept: Vec<(usize, usize)>,
    /// Blocks larger than `max_block`, not compared.
    pub skipped: Vec<(usize, usize)>,
    /// The largest block kept.
    pub largest: usize,
}

/// Groups sorted entries ([`sort_entries`]) into blocks: runs of two or more equal hashes. A
/// block larger than `max_block` is skipped; one whose hash is in `skip` (sorted) is left out
/// without being reported. For a `site_only` key ([`BlockingKey::site_only`]) the lowest bit
/// of a hash marks a site office's entry: a block is a run of hashes equal but for it, kept
/// only with a site office in it, and known by its hash with the bit cleared ([`block_hash`]).
pub(crate) fn blocks(
    entries: &[(u64, u32)],
    max_block: usize,
    skip: &[u64],
    site_only: bool,
) -> Blocks {
    let hash = |i: usize| block_hash(entries[i].0, site_only);
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    let mut largest = 0;
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || hash(i) != hash(start) {
            let size = i - start;
            let site = !site_only || entries[start..i].iter().any(|e| e.0 & 1 == 1);
            if size >= 2 && site && skip.binary_search(&hash(start)).is_err() {
                if size > max_block {
                    skipped.push((start, i));
                } else {
                    largest = largest.max(size);
                    kept.push((start, i));
                }
            }
            start = i;
        }
    }
    Blocks {
        kept,
        skipped,
        largest,
    }
}

/// The hash a block of a key is known by (in the skip lists): its entries' hash, with a
/// site-only key's site bit cleared ([`blocks`]).
pub(crate) fn block_hash(entry_hash: u64, site_only: bool) -> u64 {
    if site_only {
        entry_hash & !1
    } else {
        entry_hash
    }
}

/// Merges a key's sorted, deduplicated pairs (`bit`) into the sorted union so far.
fn merge_sorted(
    a: Vec<(u32, u32)>,
    a_masks: Vec<u16>,
    b: Vec<(u32, u32)>,
    bit: u16,
) -> (Vec<(u32, u32)>, Vec<u16>) {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut masks = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let order = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                masks.push(a_masks[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                masks.push(bit);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                masks.push(a_masks[i] | bit);
                i += 1;
                j += 1;
            }
        }
    }
    (out, masks)
}

/// The values of one key part for one record (none when the record has no value), sorted
/// for a company core's deletions.
fn part_values(records: &Records, features: &Features, part: &KeyPart, i: usize) -> Vec<String> {
    let mut out = Vec::new();
    each_value(records, features, part, i, &mut String::new(), &mut |v| {
        out.push(v.to_string())
    });
    if matches!(part, KeyPart::CompanyCoreDeletions(_)) {
        out.sort_unstable();
        out.dedup();
    }
    out
}

/// Calls `f` with each value of one key part for one record (not at all when the record has
/// no value; a value may come twice). `scratch` holds values built for the call, so that the
/// many keys of a run allocate nothing.
fn each_value(
    records: &Records,
    features: &Features,
    part: &KeyPart,
    i: usize,
    scratch: &mut String,
    f: &mut dyn FnMut(&str),
) {
    let company = |f: usize| features.company(f).map(|keys| &keys[i]);
    match part {
        KeyPart::Value(field) => {
            let v = crate::normalize::trim(records.value(i, *field));
            // Lower-cased; most values already are (every character its own lower case).
            let lower = if v.is_ascii() {
                !v.bytes().any(|b| b.is_ascii_uppercase())
            } else {
                v.chars().all(|c| {
                    let mut l = c.to_lowercase();
                    l.next() == Some(c) && l.next().is_none()
                })
            };
            if !lower {
                f(&v.to_lowercase());
            } else if !v.is_empty() {
                f(v);
            }
        }
        KeyPart::Phones(fields) => {
            let mut each = |n: u64| {
                scratch.clear();
                std::fmt::Write::write_fmt(scratch, format_args!("{n}"))
                    .expect("writing to a String");
                f(scratch);
            };
            match features.phones(fields, i) {
                Some(phones) => phones.iter().for_each(|&n| each(n)),
                None => phones_of(records, i, fields).into_iter().for_each(each),
            }
        }
        KeyPart::Prefix(field, n) => {
            let v: String = records
                .value(i, *field)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .take(*n)
                .collect();
            if v.chars().count() >= *n {
                f(&v);
            }
        }
        KeyPart::Year(field) => {
            if let Some(y) = records.value(i, *field).get(..4) {
                if y.bytes().all(|b| b.is_ascii_digit()) {
                    f(y);
                }
            }
        }
        KeyPart::CompanyCore(field) => {
            if let Some(k) = company(*field).filter(|k| !k.core.is_empty()) {
                f(&k.core);
            }
        }
        KeyPart::CompanyCorePrefix(field, n) => {
            if let Some(k) = company(*field) {
                match k.core.char_indices().nth(*n) {
                    Some((end, _)) => f(&k.core[..end]),
                    None if k.core.chars().count() == *n => f(&k.core),
                    None => {}
                }
            }
        }
        KeyPart::CompanyRegion(field) => {
            if let Some(region) = features.region(*field, i) {
                f(region.city.as_deref().unwrap_or(&region.province));
            }
        }
        KeyPart::CompanyTrade(field) | KeyPart::CompanySiteTrade(field) => {
            if let Some(k) = company(*field).filter(|k| !k.trade.is_empty()) {
                f(&k.trade);
            }
        }
        KeyPart::CompanySpelling(field) => {
            let (words, spellings) = features.spelling(*field, i);
            spellings.iter().for_each(|s| f(s));
            // The words a 字号 may be spelled as (chuangchi, or mei mai run together): not what
            // every company's name says.
            const COMMON: &[&str] = &[
                "co",
                "ltd",
                "inc",
                "corp",
                "llc",
                "limited",
                "company",
                "corporation",
                "group",
                "china",
                "trading",
                "technology",
                "industrial",
                "industry",
                "international",
                "development",
                "science",
            ];
            let kept = |w: &str| !COMMON.contains(&w) && !w.bytes().all(|b| b.is_ascii_digit());
            for (j, w) in words.iter().enumerate() {
                if w.len() >= 4 && kept(w) {
                    f(w);
                }
                match words.get(j + 1) {
                    Some(next) if w.len() <= 6 && next.len() <= 6 && kept(w) && kept(next) => {
                        scratch.clear();
                        scratch.push_str(w);
                        scratch.push_str(next);
                        f(scratch);
                    }
                    _ => {}
                }
            }
        }
        KeyPart::CompanyCoreDeletions(field) => {
            let Some(k) = company(*field).filter(|k| !k.core.is_empty()) else {
                return;
            };
            f(&k.core);
            // Deleting one of the first two characters would put every 华X软件科技 in one
            // block; a typo there is weak evidence anyway (other keys find the pairs that a
            // phone or an e-mail confirms). Cores of fewer than three characters keep whole.
            if k.core.chars().nth(2).is_some() {
                for (at, c) in k.core.char_indices().skip(2) {
                    scratch.clear();
                    scratch.push_str(&k.core[..at]);
                    scratch.push_str(&k.core[at + c.len_utf8()..]);
                    f(scratch);
                }
            }
        }
    }
}

/// Buffers [`key_hashes`] reuses from record to record.
#[derive(Default)]
struct KeyScratch {
    combos: Vec<rustc_hash::FxHasher>,
    next: Vec<rustc_hash::FxHasher>,
    text: String,
    /// The result: the record's hashed keys.
    hashes: Vec<u64>,
}

/// The hashed values of a blocking key for one record, into `scratch.hashes`: one per
/// combination of its parts' values (a record with two phones has two keys).
fn key_hashes(
    records: &Records,
    features: &Features,
    key: &BlockingKey,
    key_index: usize,
    i: usize,
    scratch: &mut KeyScratch,
) {
    let KeyScratch {
        combos,
        next,
        text,
        hashes,
    } = scratch;
    hashes.clear();
    combos.clear();
    let mut h = rustc_hash::FxHasher::default();
    key_index.hash(&mut h);
    combos.push(h);
    for part in &key.parts {
        next.clear();
        each_value(records, features, part, i, text, &mut |v| {
            for h in combos.iter() {
                let mut h = h.clone();
                v.hash(&mut h);
                next.push(h);
            }
        });
        if next.is_empty() {
            return;
        }
        std::mem::swap(combos, next);
    }
    // A site-only key's hash carries in its lowest bit whether the record is a site office
    // ([`blocks`] groups by the other bits).
    let site = key.site_only().then(|| u64::from(features.site(i)));
    hashes.extend(combos.iter().map(|h| match site {
        Some(bit) => h.finish() & !1 | bit,
        None => h.finish(),
    }));
}

/// The value of a key for one record, as text (for reports of skipped blocks).
pub fn key_text(records: &Records, features: &Features, key: &BlockingKey, i: usize) -> String {
    key.parts
        .iter()
        .map(|p| {
            part_values(records, features, p, i)
                .into_iter()
                .next()
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("+")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::Regions;
    use crate::dedupe::config::Config;
    use crate::dedupe::records::{RecordRef, Records, SourceFile};
    use crate::template::Template;

    /// Records with only a company name and a mobile.
    fn records(rows: &[(&str, &str)]) -> Records {
        let template = Template::resolve("customer").unwrap();
        let name = template
            .fields
            .iter()
            .position(|f| f.key == "customer_name")
            .unwrap();
        let mobile = template
            .fields
            .iter()
            .position(|f| f.key == "mobile")
            .unwrap();
        let values = rows
            .iter()
            .map(|(n, m)| {
                let mut v = vec![""; template.fields.len()];
                v[name] = n;
                v[mobile] = m;
                csv::StringRecord::from(v)
            })
            .collect();
        Records {
            sources: vec![SourceFile {
                path: "a.csv".into(),
                name: "a.csv".into(),
                sheet: None,
                existing: false,
                origin: None,
            }],
            refs: (0..rows.len())
                .map(|i| RecordRef {
                    source: 0,
                    row: i as u32 + 2,
                })
                .collect(),
            values,
            invalid: vec![0; rows.len()],
            golden_id: vec![None; rows.len()],
            template,
        }
    }

    #[test]
    fn each_key_part_gives_its_values() {
        let r = records(&[
            (
                "北京华远软件科技有限公司",
                "+86 138-1234-5678 / 010-62345678",
            ),
            ("华远软件（北京）有限公司", "ABC"),
            ("华远", ""),
            ("", ""),
        ]);
        let config = Config::builtin(&r.template).unwrap().unwrap();
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let field = |key: &str| r.template.fields.iter().position(|f| f.key == key).unwrap();
        let (name, mobile) = (field("customer_name"), field("mobile"));
        let values = |part: KeyPart, i: usize| part_values(&r, &features, &part, i);
        assert_eq!(
            values(KeyPart::CompanyCoreDeletions(name), 0),
            [
                "华远件科技",
                "华远软件科技",
                "华远软科技",
                "华远软件技",
                "华远软件科"
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        assert_eq!(values(KeyPart::CompanyCoreDeletions(name), 2), ["华远"]);
        assert!(values(KeyPart::CompanyCoreDeletions(name), 3).is_empty());
        assert_eq!(values(KeyPart::CompanyCorePrefix(name, 2), 1), ["华远"]);
        assert_eq!(values(KeyPart::CompanyCorePrefix(name, 2), 2), ["华远"]);
        assert!(values(KeyPart::CompanyCorePrefix(name, 3), 2).is_empty());
        assert_eq!(values(KeyPart::CompanyCore(name), 1), ["华远软件"]);
        assert_eq!(
            values(KeyPart::Phones(vec![mobile]), 0),
            ["13812345678", "1062345678"]
        );
        assert_eq!(values(KeyPart::Value(mobile), 1), ["abc"]);
        assert!(values(KeyPart::Value(mobile), 2).is_empty());
        // The region leading the name or bracketed after it; none for a name without one (and
        // no 省份/城市 to fall back on).
        assert_eq!(values(KeyPart::CompanyRegion(name), 0), ["北京"]);
        assert_eq!(values(KeyPart::CompanyRegion(name), 1), ["北京"]);
        assert!(values(KeyPart::CompanyRegion(name), 2).is_empty());
    }

    #[test]
    fn a_company_region_key_falls_back_on_the_region_columns() {
        let mut r = records(&[
            ("泓程酒店管理有限公司", ""),
            ("泓程管理（苏州）有限公司", ""),
            ("上海泓程管理有限公司", ""),
            ("安徽昊澜生物科技有限公司", ""),
            ("江苏昊澜生物科技有限公司", ""),
        ]);
        let field = |key: &str| r.template.fields.iter().position(|f| f.key == key).unwrap();
        let (name, city) = (field("customer_name"), field("city"));
        for (i, place) in [(3, "六安市"), (4, "六安市")] {
            let mut v: Vec<String> = r.values[i].iter().map(String::from).collect();
            v[city] = place.into();
            r.values[i] = csv::StringRecord::from(v);
        }
        // The 城市 column of the first and the third: the third's name says otherwise.
        for i in [0, 2] {
            let mut v: Vec<String> = r.values[i].iter().map(String::from).collect();
            v[city] = "苏州市".into();
            r.values[i] = csv::StringRecord::from(v);
        }
        let config = Config::builtin(&r.template).unwrap().unwrap();
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let values = |i: usize| part_values(&r, &features, &KeyPart::CompanyRegion(name), i);
        assert_eq!(values(0), ["苏州"]);
        assert_eq!(values(1), ["苏州"]);
        assert_eq!(values(2), ["上海"]);
        // A name giving only the province takes the city of that province from the columns,
        // not a city of another.
        assert_eq!(values(3), ["六安"]);
        assert_eq!(values(4), ["江苏"]);
    }

    #[test]
    fn a_spelling_key_pairs_a_latin_name_with_a_chinese_one_only() {
        let r = records(&[
            ("深圳创驰汽车配件有限公司", ""),
            ("Shenzhen Chuangchi Auto Components Co., Ltd.", ""),
            ("深圳创池汽车配件有限公司", ""),
            ("Chuangchi Trading (HK) Limited", ""),
            ("宝鼎机械设备有限公司", ""),
            ("Baoding Jiahang Plastics Co., Ltd.", ""),
        ]);
        let mut config = Config::builtin(&r.template).unwrap().unwrap();
        config.blocking.retain(|k| k.name == "字号拼音");
        assert_eq!(config.blocking.len(), 1);
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let b = block(&r, &features, &config);
        // 创驰 / 创池 sound alike but are both Chinese, the two Latin names share a word:
        // neither pair is this key's; Baoding is a city, not 宝鼎.
        assert_eq!(b.pairs, [(0, 1), (0, 3), (1, 2), (2, 3)]);
    }

    #[test]
    fn a_site_key_pairs_a_site_office_with_its_trade_name_only() {
        let r = records(&[
            ("盛恒路桥老城区人民医院门诊综合楼A地块项目部", ""),
            ("武汉盛恒路桥建设有限公司", ""),
            ("长沙盛恒装饰工程有限公司", ""),
            ("华远科技有限公司", ""),
            ("华远物流", ""),
        ]);
        let mut config = Config::builtin(&r.template).unwrap().unwrap();
        config.blocking.retain(|k| k.site_only());
        assert_eq!(config.blocking.len(), 1);
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let b = block(&r, &features, &config);
        // The site office meets both names of its 字号; they do not meet each other, nor do
        // the two 华远, with no site office among them.
        assert_eq!(b.pairs, [(0, 1), (0, 2)]);
        assert_eq!(b.stats[0].blocks, 1);
        // The partition plan joins the same records, and no others.
        let mut plan = super::super::partition::PlanBuilder::new(&config);
        plan.add(&config, &r, &features, 0);
        let plan = plan.finish(10, &[]);
        assert_eq!(plan.component_of[0], plan.component_of[2]);
        assert_ne!(plan.component_of[3], plan.component_of[4]);
    }

    #[test]
    fn a_site_offices_own_phone_says_nothing_against_its_company() {
        let r = records(&[
            ("湖南建工-梅溪湖住宅小区三标段项目部", "15517458255"),
            ("湖南省建工集团有限公司", "13956818924"),
            ("湖南建工", "13956818924"),
            ("湖南省建工集团有限公司", "18248753853"),
        ]);
        let config = Config::builtin(&r.template).unwrap().unwrap();
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let ci = config
            .comparisons
            .iter()
            .position(|c| c.kind == crate::dedupe::config::Kind::Phones)
            .unwrap();
        let c = &config.comparisons[ci];
        assert!(features.site(0) && !features.site(1));
        // The site's phone differs: not counted. Two other names' phones still differ.
        assert_eq!(features.level(ci, c, 0, 1), 0);
        assert_eq!(features.level(ci, c, 1, 3), 2);
        assert_eq!(features.level(ci, c, 1, 2), 1);
    }

    #[test]
    fn an_old_tax_number_or_an_organisation_code_is_the_credit_code_it_is_part_of() {
        let codes = [
            "91431300177417725R",
            "431300177417725",
            "17741772-5",
            "431300177417726",
            "91431300177417725X",
        ];
        let mut r = records(&[("湖南祥成电气有限公司", ""); 5]);
        let field = r
            .template
            .fields
            .iter()
            .position(|f| f.kind == crate::template::FieldType::CreditCode)
            .unwrap();
        for (i, code) in codes.iter().enumerate() {
            let mut v: Vec<String> = r.values[i].iter().map(String::from).collect();
            v[field] = code.to_string();
            r.values[i] = csv::StringRecord::from(v);
            // All but the full code fail the credit code's check.
            if i > 0 {
                r.invalid[i] |= 1 << field;
            }
        }
        let config = Config::builtin(&r.template).unwrap().unwrap();
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let ci = config
            .comparisons
            .iter()
            .position(|c| c.fields == [field])
            .unwrap();
        let c = &config.comparisons[ci];
        // The 15-digit 税号 and the organisation code alone hold the code's 17741772-5.
        assert_eq!(features.level(ci, c, 0, 1), 1);
        assert_eq!(features.level(ci, c, 0, 2), 1);
        assert_eq!(features.level(ci, c, 1, 2), 1);
        // A 税号 whose organisation code fails its check, a mistyped code: nothing said.
        assert_eq!(features.level(ci, c, 0, 3), 0);
        assert_eq!(features.level(ci, c, 3, 4), 0);
    }

    #[test]
    fn a_sites_name_alone_says_nothing_of_its_company() {
        let r = records(&[
            ("书香春天小区项目", "13212340768"),
            ("襄阳龙策物业服务有限公司", "19012341590"),
            ("书香春天小区项目", ""),
            ("襄阳华远物业服务有限公司", ""),
        ]);
        let config = Config::builtin(&r.template).unwrap().unwrap();
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let names: Vec<usize> = (0..config.comparisons.len())
            .filter(|&ci| config.comparisons[ci].kind.is_company())
            .collect();
        assert!(!names.is_empty());
        for &ci in &names {
            let c = &config.comparisons[ci];
            // The estate's project against a company: nothing counted either way.
            assert_eq!(features.level(ci, c, 0, 1), 0, "{}", c.name);
        }
        let core = config
            .comparisons
            .iter()
            .position(|c| c.kind == crate::dedupe::config::Kind::CompanyCore)
            .unwrap();
        let c = &config.comparisons[core];
        // Two rows of one estate compare by its name; two companies as ever.
        assert_eq!(features.level(core, c, 0, 2), 1);
        assert!(features.level(core, c, 1, 3) >= 3);
    }

    #[test]
    fn keys_find_typos_phones_and_skip_exploding_blocks() {
        let r = records(&[
            ("北京华远软件科技有限公司", "13812345678"),
            ("华远软件科枝（北京）有限公司", ""),
            ("上海云帆物流有限公司", "13812345678"),
            ("杭州明月贸易有限公司", "13900000001"),
        ]);
        let template = r.template.clone();
        let mut config = Config::builtin(&template).unwrap().unwrap();
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let b = block(&r, &features, &config);
        assert!(
            b.pairs.contains(&(0, 1)),
            "one typo after the 字号: {:?}",
            b.pairs
        );
        assert!(b.pairs.contains(&(0, 2)), "same phone");
        assert!(!b.pairs.iter().any(|&(x, y)| x == 3 || y == 3));
        let phone = &b.stats[0];
        assert_eq!((phone.blocks, phone.pairs, phone.new_pairs), (1, 1, 1));
        // Pairs remember the keys that produced them.
        let i = b.pairs.iter().position(|&p| p == (0, 2)).unwrap();
        assert_eq!(b.keys[i] & 1, 1);

        // A block larger than max_block is skipped and reported.
        config.max_block = 2;
        let r = records(&[
            ("甲公司", "13812345678"),
            ("乙公司", "13812345678"),
            ("丙公司", "13812345678"),
        ]);
        let features = Features::new(&r, &config, &Regions::builtin().unwrap());
        let b = block(&r, &features, &config);
        assert_eq!(b.stats[0].skipped, vec![(0, 3)]);
        assert_eq!(b.stats[0].pairs, 0);
    }
}
