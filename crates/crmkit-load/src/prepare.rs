//! From imported rows to rows ready for the database: typed values, references resolved to
//! ids, the natural key and a hash; or a reason the row cannot load.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crmkit_core::company::{company_key, Regions};
use crmkit_core::dedupe::golden::{ALTERNATES_SUFFIX, GOLDEN_ID, LIST_SEPARATOR, RECORD_COUNT};
use crmkit_core::import::Imported;
use crmkit_core::normalize::trim;
use crmkit_core::read::GridRow;
use crmkit_core::template::FieldType;

use crate::db::Prepared;
use crate::schema::TableSpec;

/// Separates the parts of a key and of the hashed text.
const UNIT: char = '\u{1f}';

/// A row that will not load, and why (Chinese, for people).
#[derive(Debug, Clone)]
pub struct Rejected {
    /// The table.
    pub table: String,
    /// Index into the load's sources.
    pub source: usize,
    /// The spreadsheet row.
    pub row: u32,
    /// Why.
    pub reason: String,
    /// The row's values, `header=value` in template order (for the rejects file).
    pub values: Vec<(String, String)>,
    /// How many input rows it stands for (a golden record: every record merged into it).
    pub weight: u64,
}

/// One imported row's outcome before it meets the database.
pub enum Row<'a> {
    /// Ready; `weight` input rows (a golden record stands for every record merged into it).
    Ready(Prepared<'a>, u64),
    /// Will not load.
    Rejected(Rejected),
}

/// Columns of a dedupe golden file (`crmkit dedupe --golden`), when the input is one.
struct GoldenColumns {
    id: usize,
    count: Option<usize>,
    /// `<header>(其他值)` of the name and code fields.
    alternates: Vec<usize>,
}

fn golden_columns(spec: &TableSpec, imported: &Imported) -> Option<GoldenColumns> {
    let find = |name: &str| imported.headers.iter().position(|h| h == name);
    let id = find(GOLDEN_ID)?;
    let load = &spec.template.load;
    let alternates = [&load.name, &load.code]
        .into_iter()
        .flatten()
        .filter_map(|key| spec.template.field(key))
        .filter_map(|f| find(&format!("{}{ALTERNATES_SUFFIX}", f.header)))
        .collect();
    Some(GoldenColumns {
        id,
        count: find(RECORD_COUNT),
        alternates,
    })
}

/// Finds records of a named table (customers) by code, by name, or by any name dedupe merged
/// into them.
pub struct Resolver {
    table: String,
    by_code: FxHashMap<String, Vec<i64>>,
    by_name: FxHashMap<String, Vec<i64>>,
    /// By core and branch (region and legal form left out), with the record's region.
    by_core: FxHashMap<String, Vec<(i64, Option<String>)>>,
    names: FxHashMap<i64, String>,
}

impl Resolver {
    /// Indexes rows of `(id, name, code, aliases)`.
    pub fn new(table: &str, rows: Vec<Vec<Option<String>>>, regions: &Regions) -> Resolver {
        let mut resolver = Resolver {
            table: table.to_string(),
            by_code: FxHashMap::default(),
            by_name: FxHashMap::default(),
            by_core: FxHashMap::default(),
            names: FxHashMap::default(),
        };
        for row in rows {
            let Some(id) = row[0].as_deref().and_then(|v| v.parse::<i64>().ok()) else {
                continue;
            };
            let aliases = row[3].as_deref().unwrap_or("");
            if let Some(name) = &row[1] {
                resolver.names.insert(id, name.clone());
            }
            let codes = row[2].iter().map(String::as_str).chain(aliases.lines());
            for code in codes {
                push(&mut resolver.by_code, code.trim().to_string(), id);
            }
            let names = row[1].iter().map(String::as_str).chain(aliases.lines());
            for name in names {
                let key = company_key(name, regions);
                if key.core.is_empty() {
                    continue;
                }
                push(&mut resolver.by_name, key.canonical(), id);
                let region = key.region.as_ref().map(region_name);
                let list = resolver.by_core.entry(core_key(&key)).or_default();
                if !list.iter().any(|(i, _)| *i == id) {
                    list.push((id, region));
                }
            }
        }
        resolver
    }

    /// The id `value` names, or why not.
    pub fn resolve(&self, value: &str, regions: &Regions) -> Result<i64, String> {
        let value = value.trim();
        let unique = |ids: &[i64]| -> Option<Result<i64, String>> {
            match ids {
                [] => None,
                [id] => Some(Ok(*id)),
                many => Some(Err(self.ambiguous(value, many))),
            }
        };
        if let Some(found) = self.by_code.get(value).and_then(|ids| unique(ids)) {
            return found;
        }
        let key = company_key(value, regions);
        if let Some(found) = self
            .by_name
            .get(&key.canonical())
            .and_then(|ids| unique(ids))
        {
            return found;
        }
        // The region written on one side only (杭州云帆科技有限公司 / 云帆科技有限公司).
        let region = key.region.as_ref().map(region_name);
        if let Some(list) = self.by_core.get(&core_key(&key)) {
            let ids: Vec<i64> = list
                .iter()
                .filter(|(_, r)| region.is_none() || r.is_none() || *r == region)
                .map(|(id, _)| *id)
                .collect();
            if let Some(found) = unique(&ids) {
                return found;
            }
        }
        Err(format!(
            "找不到“{value}”: {} 表中没有这个名称或编号（也不是已合并记录的别名）; 请写客户全称或客户编号，如 杭州云帆信息科技有限公司",
            self.table
        ))
    }

    fn ambiguous(&self, value: &str, ids: &[i64]) -> String {
        let names: Vec<&str> = ids
            .iter()
            .take(3)
            .filter_map(|id| self.names.get(id).map(String::as_str))
            .collect();
        format!(
            "“{value}”对应 {} 个 {} 记录（{}）; 请写全称（含地区）或客户编号",
            ids.len(),
            self.table,
            names.join("、")
        )
    }
}

fn push(map: &mut FxHashMap<String, Vec<i64>>, key: String, id: i64) {
    if key.is_empty() {
        return;
    }
    let list = map.entry(key).or_default();
    if !list.contains(&id) {
        list.push(id);
    }
}

fn region_name(region: &crmkit_core::company::Region) -> String {
    region
        .city
        .clone()
        .unwrap_or_else(|| region.province.clone())
}

fn core_key(key: &crmkit_core::company::CompanyKey) -> String {
    format!("{}{UNIT}{}", key.core, key.branch.as_deref().unwrap_or(""))
}

/// The canonical spelling of a company name, the fallback identity of a named table's row.
pub use crmkit_core::company::canonical_name;

/// A cell converted to what its column stores, or why it cannot be.
#[inline]
pub fn convert<'a>(
    kind: FieldType,
    header: &str,
    value: &'a str,
) -> Result<Option<&'a str>, String> {
    let value = trim(value);
    if value.is_empty() {
        return Ok(None);
    }
    let ok = match kind {
        FieldType::Integer => value.parse::<i64>().is_ok(),
        FieldType::Decimal | FieldType::Money => is_decimal(value),
        FieldType::Date => is_date(value),
        FieldType::Datetime => is_datetime(value),
        _ => true,
    };
    if ok {
        Ok(Some(value))
    } else {
        Err(not_convertible(kind, header, value))
    }
}

/// Why `value` cannot be stored as `kind` (Chinese, with the expected format).
#[cold]
fn not_convertible(kind: FieldType, header: &str, value: &str) -> String {
    let expected = match kind {
        FieldType::Integer => "整数，如 3",
        FieldType::Decimal | FieldType::Money => "数字（不带单位和千分位），如 120000 或 12.50",
        FieldType::Date => "日期 YYYY-MM-DD，如 2024-03-15",
        _ => "日期时间 YYYY-MM-DD HH:MM，如 2024-03-15 14:30",
    };
    format!("{header}“{value}”无法写入数据库，应为{expected}; 请先用 crmkit clean 清洗")
}

fn is_decimal(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && whole.len() <= 15
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(&v[..4]), num(&v[5..7]), num(&v[8..])) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=9999).contains(&y) && (1..=days).contains(&d)
}

fn is_datetime(v: &str) -> bool {
    let Some((date, time)) = v.split_once(' ') else {
        return false;
    };
    let parts: Vec<&str> = time.split(':').collect();
    let limits = [23, 59, 59];
    is_date(date)
        && (2..=3).contains(&parts.len())
        && parts.iter().zip(limits).all(|(p, max)| {
            p.len() == 2
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().unwrap_or(99) <= max
        })
}

/// Prepares rows of one imported file for `spec` (`imported` gives the header and mapping;
/// `rows` are some of its data rows). `sources` holds each row's index into the load's sources;
/// `refused` rows the reader could not read (index into `rows`, why), rejected as they are;
/// `resolvers` has one entry per reference of the table, in order; `names`: work out every
/// named row's canonical name here, on all cores (a load into an empty table needs them all).
#[allow(clippy::too_many_arguments)]
pub fn prepare<'a>(
    spec: &TableSpec,
    imported: &Imported,
    rows: &'a [GridRow],
    sources: &[usize],
    refused: &[(usize, String)],
    resolvers: &[&Resolver],
    regions: &Regions,
    names: bool,
) -> Vec<Row<'a>> {
    use rayon::prelude::*;
    let golden = golden_columns(spec, imported);
    let lineage = crmkit_core::import::Lineage::of(imported);
    let mut prepared: Vec<Row<'a>> = rows
        .par_iter()
        .zip(sources.par_iter())
        .map(|(row, &source)| {
            prepare_row(
                spec,
                imported,
                row,
                (source, lineage.map_or(row.number, |l| l.row(row))),
                golden.as_ref(),
                resolvers,
                (regions, names),
            )
        })
        .collect();
    for (i, reason) in refused {
        let row = &rows[*i];
        prepared[*i] = Row::Rejected(Rejected {
            table: spec.name.clone(),
            source: sources[*i],
            row: lineage.map_or(row.number, |l| l.row(row)),
            reason: reason.clone(),
            values: field_values(spec, imported, row),
            weight: 1,
        });
    }
    prepared
}

/// `(header, value)` of every template field of a row, for the rejects file.
fn field_values(spec: &TableSpec, imported: &Imported, row: &GridRow) -> Vec<(String, String)> {
    spec.template
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.header.clone(), imported.value(row, i).to_string()))
        .collect()
}

/// A hash of what the row says, not where it came from: XXH3 of the values, each followed by
/// 0x1f (NULL as 0x1e), then the golden id, 0x1f and the aliases. Stored in `_hash`, so it must
/// never change: a re-load compares it to tell unchanged rows from changed ones.
fn row_hash(values: &[Option<Cow<'_, str>>], golden: Option<&str>, aliases: Option<&str>) -> i64 {
    // One call over the bytes gathered (XXH3 is the same in one call or in pieces, and one
    // call is several times faster than many small updates).
    let mut bytes = Vec::with_capacity(512);
    for value in values {
        bytes.extend_from_slice(value.as_deref().unwrap_or("\u{1e}").as_bytes());
        bytes.push(0x1f);
    }
    bytes.extend_from_slice(golden.unwrap_or("").as_bytes());
    bytes.push(0x1f);
    bytes.extend_from_slice(aliases.unwrap_or("").as_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes) as i64
}

fn prepare_row<'a>(
    spec: &TableSpec,
    imported: &Imported,
    row: &'a GridRow,
    (source, number): (usize, u32),
    golden: Option<&GoldenColumns>,
    resolvers: &[&Resolver],
    (regions, names): (&Regions, bool),
) -> Row<'a> {
    let template = &spec.template;
    let cell = |column: usize| trim(row.cells.get(column).unwrap_or(""));
    let weight = golden
        .and_then(|g| g.count)
        .and_then(|c| cell(c).parse::<u64>().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1);
    let reject = |reason: String| {
        Row::Rejected(Rejected {
            table: spec.name.clone(),
            source,
            row: number,
            reason,
            values: field_values(spec, imported, row),
            weight,
        })
    };
    let mut values: Vec<Option<Cow<'a, str>>> = Vec::with_capacity(spec.columns.len());
    for (i, field) in template.fields.iter().enumerate() {
        let value = match convert(field.kind, &field.header, imported.value(row, i)) {
            Ok(v) => v,
            Err(reason) => return reject(reason),
        };
        if field.required && value.is_none() {
            return reject(format!(
                "必填字段“{}”为空; 示例: {}",
                field.header, field.example
            ));
        }
        values.push(value.map(Cow::Borrowed));
    }
    for (reference, resolver) in spec.refs.iter().zip(resolvers) {
        let id = match &values[reference.field] {
            None => None,
            Some(name) => match resolver.resolve(name, regions) {
                Ok(id) => Some(Cow::Owned(id.to_string())),
                Err(reason) if reference.required => {
                    return reject(format!(
                        "{}: {reason}",
                        template.fields[reference.field].header
                    ))
                }
                Err(_) => None,
            },
        };
        values.push(id);
    }
    let golden_id = golden
        .map(|g| cell(g.id))
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let aliases = golden.and_then(|g| {
        let lines: Vec<&str> = g
            .alternates
            .iter()
            .flat_map(|&c| cell(c).split(LIST_SEPARATOR))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    });
    let hash = row_hash(&values, golden_id.as_deref(), aliases.as_deref());
    let key = if spec.key_fields.is_empty() {
        Some(format!("h:{:016x}", hash as u64))
    } else {
        let mut key = String::with_capacity(32);
        key.push_str("k:");
        let mut complete = true;
        for (n, &i) in spec.key_fields.iter().enumerate() {
            if n > 0 {
                key.push(UNIT);
            }
            // A referencing field counts by the record it found.
            let by_id = spec
                .refs
                .iter()
                .find(|r| r.field == i)
                .and_then(|r| values[r.column].as_deref());
            match (by_id, values[i].as_deref()) {
                (Some(id), _) => {
                    key.push('#');
                    key.push_str(id);
                }
                (None, Some(v)) => key.push_str(v),
                (None, None) => {
                    complete = false;
                    break;
                }
            }
        }
        complete.then_some(key)
    };
    let canonical = |name: usize| {
        values[name]
            .as_deref()
            .map(|v| canonical_name(v, regions))
            .filter(|c| !c.is_empty())
    };
    let mut name_key = None;
    let key = match (key, spec.name_field) {
        (Some(key), name) => {
            // A row with a credit code is also known by its name (a golden row by its id).
            if names && golden_id.is_none() {
                name_key = name.and_then(canonical);
            }
            key
        }
        (None, Some(name)) => match &golden_id {
            Some(id) => format!("g:{id}"),
            None => {
                name_key = canonical(name);
                format!("n:{}", name_key.as_deref().unwrap_or(""))
            }
        },
        (None, None) => {
            let missing: Vec<&str> = spec
                .key_fields
                .iter()
                .filter(|&&i| values[i].is_none())
                .map(|&i| template.fields[i].header.as_str())
                .collect();
            return reject(format!(
                "缺少用于识别记录的字段“{}”，无法判断是新记录还是已有记录",
                missing.join("、")
            ));
        }
    };
    Row::Ready(
        Prepared {
            values,
            key,
            hash,
            golden: golden_id,
            aliases,
            name_key,
            source,
            row: number,
        },
        weight,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_hashes_as_every_earlier_version_stored_it() {
        // `_hash` in loaded tables: a different value would make a re-load update every row.
        let values = [
            Some(Cow::Borrowed("华远")),
            None,
            Some(Cow::Borrowed("12.50")),
        ];
        assert_eq!(row_hash(&values, None, None), 0x50d5_9fbb_448c_77a6);
        let mut streamed = xxhash_rust::xxh3::Xxh3::new();
        for part in [
            "华远",
            "\u{1f}\u{1e}\u{1f}12.50\u{1f}",
            "g1",
            "\u{1f}",
            "a\nb",
        ] {
            streamed.update(part.as_bytes());
        }
        assert_eq!(
            row_hash(&values, Some("g1"), Some("a\nb")),
            streamed.digest() as i64
        );
    }

    #[test]
    fn converts_for_the_database() {
        let money = |v| convert(FieldType::Money, "订单金额", v);
        assert_eq!(money("12.50"), Ok(Some("12.50")));
        assert_eq!(money(" "), Ok(None));
        assert!(money("12万").unwrap_err().contains("120000"));
        assert!(money("1.").is_err());
        assert!(convert(FieldType::Date, "d", "2024-02-30").is_err());
        assert!(convert(FieldType::Date, "d", "2024-02-29").is_ok());
        assert!(convert(FieldType::Date, "d", "2023-02-29").is_err());
        assert!(convert(FieldType::Datetime, "d", "2024-03-15 14:30").is_ok());
        assert!(convert(FieldType::Datetime, "d", "2024-03-15 24:30").is_err());
        assert!(convert(FieldType::Integer, "n", "3.5").is_err());
    }

    #[test]
    fn resolves_names_codes_and_merged_names() {
        let regions = Regions::builtin().unwrap();
        let row = |id: &str, name: &str, code: Option<&str>, aliases: &str| {
            vec![
                Some(id.to_string()),
                Some(name.to_string()),
                code.map(str::to_string),
                Some(aliases.to_string()).filter(|a| !a.is_empty()),
            ]
        };
        let resolver = Resolver::new(
            "customer",
            vec![
                row(
                    "1",
                    "杭州云帆信息科技有限公司",
                    Some("KH001"),
                    "云帆信息科技(杭州)有限公司\nKH009",
                ),
                row("2", "北京华远软件科技有限公司", None, ""),
                row("3", "上海华远软件科技有限公司", None, ""),
            ],
            &regions,
        );
        assert_eq!(resolver.resolve("KH001", &regions), Ok(1));
        assert_eq!(resolver.resolve("KH009", &regions), Ok(1));
        assert_eq!(
            resolver.resolve("杭州云帆信息科技有限公司", &regions),
            Ok(1)
        );
        assert_eq!(
            resolver.resolve("云帆信息科技（杭州）有限公司", &regions),
            Ok(1)
        );
        // Region left out, one candidate: found.
        assert_eq!(resolver.resolve("云帆信息科技有限公司", &regions), Ok(1));
        assert_eq!(
            resolver.resolve("华远软件科技（北京）有限公司", &regions),
            Ok(2)
        );
        // Region left out, two candidates: refused, naming them.
        let err = resolver
            .resolve("华远软件科技有限公司", &regions)
            .unwrap_err();
        assert!(err.contains("2 个") && err.contains("北京华远"), "{err}");
        assert!(resolver.resolve("不存在科技有限公司", &regions).is_err());
    }
}
