//! Golden records: one record per cluster, by survivorship rules, keeping every alternate value.
//!
//! Each field of a golden record is chosen among its cluster's records by that field's
//! [`Survivorship`] rule. Only records with a non-empty value for the field take part, and a value
//! that failed a check is used only when no record has a valid one. Every other distinct value of
//! the cluster is kept as an alternate, so nothing a client typed is lost.
//!
//! The golden file written by [`write`] is a table crmkit's import reads back: the template's
//! headers exactly as the template writes them, plus pass-through columns [`GOLDEN_ID`],
//! [`SOURCE_ROWS`], [`RECORD_COUNT`] and one `<header>(其他值)` column per field that has
//! alternates. Incremental runs (`crmkit dedupe new.xlsx --against golden.csv`) take each row's
//! golden id from the [`GOLDEN_ID`] column.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

use csv::StringRecord;
use rayon::prelude::*;

use super::records::Records;
use crate::error::{Error, Result};
use crate::template::{FieldType, Template};
use crate::write::{write_rows, OutputFormat};

/// The golden file's column of golden ids (a pass-through column for the importer).
pub const GOLDEN_ID: &str = "golden_id";
/// The golden file's column listing the records merged into each golden record
/// (`customers.xlsx:2; service.csv:8; golden:17`).
///
/// Not `来源`: that is an alias of the lead template's 线索来源, and the importer would try it.
pub const SOURCE_ROWS: &str = "来源记录";
/// The golden file's column with the number of records merged.
pub const RECORD_COUNT: &str = "记录数";
/// The suffix of the alternates column of a field: `联系电话(其他值)`.
pub const ALTERNATES_SUFFIX: &str = "(其他值)";
/// How alternates (and source rows) are joined in one cell.
pub const LIST_SEPARATOR: &str = "; ";

/// The most characters Excel keeps in one cell.
const XLSX_CELL_LIMIT: usize = 32_767;
/// The most data rows an Excel worksheet holds below its header.
const XLSX_ROW_LIMIT: usize = 1_048_575;

/// How a golden record picks a field's value among its cluster's records.
///
/// Only records with a non-empty value for the field take part; values that failed a check only
/// when no record has a valid value. Every rule ends its ties the [`Survivorship::MostComplete`]
/// way, so the choice never depends on thread scheduling.
#[derive(Debug, Clone, PartialEq)]
pub enum Survivorship {
    /// The value from the record with the most non-empty valid fields; ties: the longest value
    /// (in characters), then the earliest record.
    MostComplete,
    /// The most frequent value; ties: the value of the most complete record among the tied.
    MostFrequent,
    /// The value from the record whose field `by` (a date or datetime field; canonical values
    /// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]` compare as strings) is latest. Records with an
    /// empty or invalid `by` come last; ties are broken as by `MostComplete`.
    MostRecent {
        /// The index of the date field.
        by: usize,
    },
    /// Prefers records from sources whose [`SourceFile::name`](super::SourceFile::name) comes
    /// first in `order` (sources not listed come after all listed ones), then `MostComplete`.
    Source {
        /// Source names, most trusted first.
        order: Vec<String>,
    },
}

impl Survivorship {
    /// The forms [`Survivorship::parse`] accepts.
    pub const FORMS: &'static str =
        "`most_complete`, `most_frequent`, `most_recent:<date field key>` or `source:<file name>,<file name>...`";

    /// Parses `most_complete`, `most_frequent`, `most_recent:<field key>` (a date or datetime
    /// field of `template`) and `source:<name>,<name>` (file names, most trusted first).
    /// The error says what was expected; the caller adds the file and key.
    pub fn parse(text: &str, template: &Template) -> Result<Survivorship, String> {
        let text = text.trim();
        let (name, argument) = match text.split_once(':') {
            Some((name, argument)) => (name.trim(), Some(argument.trim())),
            None => (text, None),
        };
        match (name, argument) {
            ("most_complete", None) => Ok(Survivorship::MostComplete),
            ("most_frequent", None) => Ok(Survivorship::MostFrequent),
            ("most_recent", Some(key)) => {
                let dates: Vec<&str> = template
                    .fields
                    .iter()
                    .filter(|f| matches!(f.kind, FieldType::Date | FieldType::Datetime))
                    .map(|f| f.key.as_str())
                    .collect();
                let expected = if dates.is_empty() {
                    format!("template `{}` has no date field", template.name)
                } else {
                    format!("date fields of `{}`: {}", template.name, dates.join(", "))
                };
                match template.fields.iter().position(|f| f.key == key) {
                    Some(by) if dates.contains(&key) => Ok(Survivorship::MostRecent { by }),
                    Some(_) => Err(format!(
                        "`most_recent:{key}` needs a date or datetime field, but `{key}` is not one; {expected}"
                    )),
                    None if key.is_empty() => Err(format!(
                        "`most_recent` needs a date field, e.g. `most_recent:{}`; {expected}",
                        dates.first().copied().unwrap_or("<date field key>")
                    )),
                    None => Err(format!(
                        "`most_recent:{key}`: template `{}` has no field `{key}`; {expected}",
                        template.name
                    )),
                }
            }
            ("source", Some(list)) => {
                let order: Vec<String> = list
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                if order.is_empty() {
                    return Err(
                        "`source:` needs file names, most trusted first, e.g. `source:crm_export.xlsx,sales.csv`"
                            .to_string(),
                    );
                }
                Ok(Survivorship::Source { order })
            }
            ("most_complete" | "most_frequent", Some(_)) => Err(format!(
                "`{name}` takes no argument; expected {}",
                Self::FORMS
            )),
            ("most_recent" | "source", None) => Err(format!(
                "`{name}` needs `:` and an argument; expected {}",
                Self::FORMS
            )),
            _ => Err(format!(
                "unknown survivorship rule `{text}`; expected {}",
                Self::FORMS
            )),
        }
    }
}

/// One golden record: a cluster's records merged into one.
#[derive(Debug, Clone, PartialEq)]
pub struct Golden {
    /// The cluster's golden id.
    pub id: u64,
    /// Indices into [`Records`], in input order.
    pub records: Vec<usize>,
    /// The surviving value of each template field, in template order ("" when no record has
    /// one): `values[f]` or `values.get(f)`. One record rather than a `String` per field: a
    /// million golden records build and drop in a fraction of the time.
    pub values: StringRecord,
    /// Per template field, every other distinct non-empty value in the cluster (valid or not),
    /// in first-seen order. Empty (no list at all) when no field has an alternate, as for every
    /// single-record cluster: use [`Golden::alternates_of`] to read it.
    pub alternates: Vec<Vec<String>>,
}

impl Golden {
    /// The alternates of field `field` (empty when there are none).
    pub fn alternates_of(&self, field: usize) -> &[String] {
        self.alternates.get(field).map_or(&[], Vec::as_slice)
    }
}

/// A rule ready to apply: source names resolved to ranks.
enum Rule {
    MostComplete,
    MostFrequent,
    MostRecent(usize),
    Source(Vec<usize>),
}

/// Builds one golden record per cluster, sorted by id. `clusters[i]` is record `i`'s golden id;
/// `rules[f]` is the survivorship of field `f`. Invalid values ([`Records::is_invalid`]) are
/// used only when no valid non-empty value exists. Clusters are built in parallel.
///
/// # Panics
/// When `clusters` does not have one id per record, `rules` one rule per template field, or a
/// `MostRecent` rule names a field the template does not have.
pub fn build(records: &Records, clusters: &[u64], rules: &[Survivorship]) -> Vec<Golden> {
    let fields = records.template.fields.len();
    assert_eq!(clusters.len(), records.len(), "one golden id per record");
    assert_eq!(rules.len(), fields, "one survivorship rule per field");
    let rules: Vec<Rule> = rules
        .iter()
        .map(|rule| match rule {
            Survivorship::MostComplete => Rule::MostComplete,
            Survivorship::MostFrequent => Rule::MostFrequent,
            Survivorship::MostRecent { by } => {
                assert!(*by < fields, "most_recent field {by} out of range");
                Rule::MostRecent(*by)
            }
            Survivorship::Source { order } => Rule::Source(
                records
                    .sources
                    .iter()
                    .map(|s| {
                        order
                            .iter()
                            .position(|name| *name == s.name)
                            .unwrap_or(order.len())
                    })
                    .collect(),
            ),
        })
        .collect();

    // Records grouped by cluster, in input order within each: a sort of (id, index).
    let mut order: Vec<(u64, usize)> = clusters.iter().copied().zip(0..).collect();
    order.par_sort_unstable();
    let mut groups: Vec<(usize, usize)> = Vec::with_capacity(order.len() / 2 + 1);
    for (i, pair) in order.iter().enumerate() {
        if i == 0 || order[i - 1].0 != pair.0 {
            groups.push((i, i + 1));
        } else if let Some(last) = groups.last_mut() {
            last.1 = i + 1;
        }
    }
    // Clusters are merged in the order of their first record, so records are read in the order
    // they sit in memory whatever the ids (ids from a previous golden file follow no order):
    // reading them in id order costs a few cache misses per record, most of the time on a
    // million records. The golden records are sorted by id after.
    groups.par_sort_unstable_by_key(|&(start, _)| order[start].1);
    let mut golden: Vec<Golden> = groups
        .par_iter()
        .with_min_len(1024)
        .map_init(Scratch::default, |scratch, &(start, end)| {
            let members: Vec<usize> = order[start..end].iter().map(|&(_, i)| i).collect();
            merge(records, order[start].0, members, &rules, scratch)
        })
        .collect();
    golden.par_sort_unstable_by_key(|g| g.id);
    golden
}

/// A record's values as one [`StringRecord`] with exactly one field per template field.
fn record_of<'a>(values: impl Iterator<Item = &'a str> + Clone) -> StringRecord {
    let (bytes, count) = values
        .clone()
        .fold((0, 0), |(b, n), v| (b + v.len(), n + 1));
    let mut record = StringRecord::with_capacity(bytes, count);
    for v in values {
        record.push_field(v);
    }
    record
}

/// The best of `candidates` by `compare` (`Greater`: the first is better); `None` when empty.
fn best(candidates: &[usize], mut compare: impl FnMut(usize, usize) -> Ordering) -> Option<usize> {
    candidates.iter().copied().reduce(|best, k| {
        if compare(k, best) == Ordering::Greater {
            k
        } else {
            best
        }
    })
}

/// Buffers reused from one cluster to the next by a thread.
#[derive(Default)]
struct Scratch {
    complete: Vec<usize>,
    candidates: Vec<usize>,
    counts: Vec<usize>,
    chosen: Vec<Option<usize>>,
}

/// Builds the golden record of one cluster.
fn merge(
    records: &Records,
    id: u64,
    members: Vec<usize>,
    rules: &[Rule],
    scratch: &mut Scratch,
) -> Golden {
    let fields = rules.len();
    if let [only] = members[..] {
        let record = &records.values[only];
        return Golden {
            id,
            values: if record.len() == fields {
                record.clone()
            } else {
                record_of((0..fields).map(|f| records.value(only, f)))
            },
            records: members,
            alternates: Vec::new(),
        };
    }
    let Scratch {
        complete,
        candidates,
        counts,
        chosen,
    } = scratch;
    // How many non-empty valid fields each member has.
    complete.clear();
    complete.extend(members.iter().map(|&r| {
        (0..fields)
            .filter(|&f| !records.value(r, f).is_empty() && !records.is_invalid(r, f))
            .count()
    }));
    // The member whose value survives, per field (`None` when none has a value).
    chosen.clear();
    let mut alternates: Vec<Vec<String>> = Vec::new();
    for (f, rule) in rules.iter().enumerate() {
        let value = |k: usize| records.value(members[k], f);
        // The MostComplete order: more complete, then the longer value, then the earlier record.
        let completeness = |k: usize, j: usize| {
            complete[k]
                .cmp(&complete[j])
                .then_with(|| value(k).chars().count().cmp(&value(j).chars().count()))
                .then(j.cmp(&k))
        };
        candidates.clear();
        candidates.extend(
            (0..members.len())
                .filter(|&k| !value(k).is_empty() && !records.is_invalid(members[k], f)),
        );
        if candidates.is_empty() {
            candidates.extend((0..members.len()).filter(|&k| !value(k).is_empty()));
        }
        let winner = match rule {
            Rule::MostComplete => best(candidates, completeness),
            Rule::MostFrequent => {
                // counts[k]: how often member k's value occurs among the candidates.
                counts.clear();
                counts.resize(members.len(), 0);
                if candidates.len() <= 16 {
                    for &k in candidates.iter() {
                        counts[k] = candidates.iter().filter(|&&j| value(j) == value(k)).count();
                    }
                } else {
                    let mut by_value: HashMap<&str, usize> = HashMap::new();
                    for &k in candidates.iter() {
                        *by_value.entry(value(k)).or_insert(0) += 1;
                    }
                    for &k in candidates.iter() {
                        counts[k] = by_value[value(k)];
                    }
                }
                best(candidates, |k, j| {
                    counts[k].cmp(&counts[j]).then_with(|| completeness(k, j))
                })
            }
            Rule::MostRecent(by) => {
                let when = |k: usize| {
                    let r = members[k];
                    if records.is_invalid(r, *by) {
                        ""
                    } else {
                        records.value(r, *by)
                    }
                };
                best(candidates, |k, j| {
                    when(k).cmp(when(j)).then_with(|| completeness(k, j))
                })
            }
            Rule::Source(rank) => {
                let rank = |k: usize| rank[records.refs[members[k]].source as usize];
                best(candidates, |k, j| {
                    rank(j).cmp(&rank(k)).then_with(|| completeness(k, j))
                })
            }
        };
        let survivor = winner.map_or("", value);
        chosen.push(winner);

        let mut others: Vec<String> = Vec::new();
        for k in 0..members.len() {
            let v = value(k);
            if !v.is_empty() && v != survivor && !others.iter().any(|o| o == v) {
                others.push(v.to_string());
            }
        }
        if !others.is_empty() {
            alternates.resize_with(fields, Vec::new);
            alternates[f] = others;
        }
    }
    let values = record_of(
        chosen
            .iter()
            .enumerate()
            .map(|(f, k)| k.map_or("", |k| records.value(members[k], f))),
    );
    Golden {
        id,
        values,
        records: members,
        alternates,
    }
}

/// How a record is named in [`SOURCE_ROWS`]: `golden:<id>` for a record of a previous golden
/// file, otherwise `file:row` ([`Records::describe`]).
pub fn describe_source(records: &Records, record: usize) -> String {
    let source = &records.sources[records.refs[record].source as usize];
    match records.golden_id[record] {
        Some(id) if source.existing => format!("golden:{id}"),
        _ => records.describe(record),
    }
}

/// Writes golden records to `path` (.csv or .xlsx): `golden_id`, [`SOURCE_ROWS`],
/// [`RECORD_COUNT`], every template header (the surviving values), then `<header>(其他值)` for
/// each field that has alternates in at least one golden record, joined by `; `. Identifier
/// columns are text-formatted in .xlsx; a list longer than an Excel cell holds is cut there,
/// saying how many items were left out (the CSV keeps them all).
pub fn write(path: &Path, records: &Records, golden: &[Golden]) -> Result<()> {
    write_with_alternates(path, records, golden, &with_alternates(records, golden))
}

/// The fields that have alternates in at least one golden record, in template order.
pub fn with_alternates(records: &Records, golden: &[Golden]) -> Vec<usize> {
    let fields = records.template.fields.len();
    let mask = golden
        .par_iter()
        .map(|g| {
            g.alternates
                .iter()
                .enumerate()
                .filter(|(_, a)| !a.is_empty())
                .fold(0u128, |m, (f, _)| m | 1 << f)
        })
        .reduce(|| 0, |a, b| a | b);
    (0..fields).filter(|&f| mask & (1 << f) != 0).collect()
}

/// [`write`] with a `<header>(其他值)` column for each of `with_alternates` (fields, in template
/// order), whether or not a golden record has alternates there: the parts of a partitioned run
/// are written with every field's column and cut to the fields that had some when joined.
pub fn write_with_alternates(
    path: &Path,
    records: &Records,
    golden: &[Golden],
    with_alternates: &[usize],
) -> Result<()> {
    let format = OutputFormat::from_path(path)?;
    if format == OutputFormat::Xlsx && golden.len() > XLSX_ROW_LIMIT {
        return Err(Error::TooManyRows {
            path: path.to_path_buf(),
            rows: golden.len(),
            limit: XLSX_ROW_LIMIT,
            hint: "请改用 .csv 输出, 例如 golden.csv",
        });
    }
    let template = &records.template;
    let (mut headers, text_columns) = columns(template, with_alternates);
    // Copies of client files (a pipeline's accepted rows): each golden record names the
    // client's row of its first record, so a load records where the customer came from.
    let lineage = records.sources.iter().any(|s| s.origin.is_some());
    if lineage {
        headers.extend(
            [
                crate::import::SOURCE_FILE,
                crate::import::SOURCE_SHEET,
                crate::write::SOURCE_ROW,
            ]
            .map(String::from),
        );
    }
    let cap = match format {
        OutputFormat::Xlsx => XLSX_CELL_LIMIT,
        OutputFormat::Csv => usize::MAX,
    };
    write_rows(
        path,
        &headers,
        &text_columns,
        &template.title,
        golden.len(),
        |i| {
            let g = &golden[i];
            let sources: Vec<String> = g
                .records
                .iter()
                .map(|&r| describe_source(records, r))
                .collect();
            let head = [
                Cow::Owned(g.id.to_string()),
                Cow::Owned(join_capped(&sources, cap)),
                Cow::Owned(g.records.len().to_string()),
            ];
            let values = g.values.iter().map(Cow::Borrowed);
            let others = with_alternates
                .iter()
                .map(move |&f| match g.alternates_of(f) {
                    [] => Cow::Borrowed(""),
                    [one] => Cow::Borrowed(one.as_str()),
                    list => Cow::Owned(join_capped(list, cap)),
                });
            let origin = g.records.first().filter(|_| lineage).map(|&r| {
                let at = records.refs[r];
                let source = &records.sources[at.source as usize];
                [
                    Cow::Borrowed(source.origin.as_deref().unwrap_or(source.name.as_str())),
                    Cow::Borrowed(source.sheet.as_deref().unwrap_or("")),
                    Cow::Owned(at.row.to_string()),
                ]
            });
            head.into_iter()
                .chain(values)
                .chain(others)
                .chain(origin.into_iter().flatten())
        },
    )
}

/// The golden file's headers, and its identifier columns (text in .xlsx), for a template and the
/// fields that have alternates.
fn columns(template: &Template, with_alternates: &[usize]) -> (Vec<String>, Vec<usize>) {
    let fields = template.fields.len();
    let mut headers = vec![
        GOLDEN_ID.to_string(),
        SOURCE_ROWS.to_string(),
        RECORD_COUNT.to_string(),
    ];
    headers.extend(template.fields.iter().map(|f| f.header.clone()));
    headers.extend(
        with_alternates
            .iter()
            .map(|&f| format!("{}{ALTERNATES_SUFFIX}", template.fields[f].header)),
    );
    let identifier = |f: usize| template.fields[f].kind.is_digit_identifier();
    let text_columns: Vec<usize> = (0..fields)
        .filter(|&f| identifier(f))
        .map(|f| 3 + f)
        .chain(
            with_alternates
                .iter()
                .enumerate()
                .filter(|(_, &f)| identifier(f))
                .map(|(k, _)| 3 + fields + k),
        )
        .collect();
    (headers, text_columns)
}

/// `items` joined by [`LIST_SEPARATOR`], cut at whole items to at most `cap` characters, the cut
/// saying how many items were left out.
fn join_capped(items: &[String], cap: usize) -> String {
    let joined = items.join(LIST_SEPARATOR);
    if cap == usize::MAX || joined.chars().count() <= cap {
        return joined;
    }
    let mut out = String::new();
    let mut used = 0;
    for (k, item) in items.iter().enumerate() {
        let tail = format!(
            "{LIST_SEPARATOR}…(另有 {} 项, 完整列表请输出为 .csv)",
            items.len() - k
        );
        let add = item.chars().count() + if k > 0 { LIST_SEPARATOR.len() } else { 0 };
        if used + add + tail.chars().count() > cap {
            out.push_str(if k > 0 {
                &tail
            } else {
                tail.trim_start_matches(LIST_SEPARATOR)
            });
            return out;
        }
        if k > 0 {
            out.push_str(LIST_SEPARATOR);
        }
        out.push_str(item);
        used += add;
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::dedupe::records::{RecordRef, SourceFile};
    use calamine::{Data, Reader};
    use csv::StringRecord;

    /// A record for [`records_of`]: source index, row, `(key, value)`s, keys of invalid values.
    pub(crate) type Row<'a> = (u16, u32, &'a [(&'a str, &'a str)], &'a [&'a str]);

    /// Records on a template; a source is `(name, existing)`, and the records of an existing
    /// source have golden id `row × 10`.
    pub(crate) fn records_of(template: &str, sources: &[(&str, bool)], rows: &[Row]) -> Records {
        let template = Template::resolve(template).unwrap();
        let index = |key: &str| {
            template
                .fields
                .iter()
                .position(|f| f.key == key)
                .unwrap_or_else(|| panic!("no field {key}"))
        };
        let mut values = Vec::new();
        let mut invalid = Vec::new();
        let mut refs = Vec::new();
        for (source, row, cells, bad) in rows {
            let mut record = vec![String::new(); template.fields.len()];
            for (key, value) in *cells {
                record[index(key)] = value.to_string();
            }
            values.push(StringRecord::from(record));
            invalid.push(bad.iter().fold(0u64, |m, k| m | 1 << index(k)));
            refs.push(RecordRef {
                source: *source,
                row: *row,
            });
        }
        let golden_id = rows
            .iter()
            .map(|(source, row, _, _)| sources[*source as usize].1.then_some(u64::from(*row) * 10))
            .collect();
        Records {
            sources: sources
                .iter()
                .map(|(name, existing)| SourceFile {
                    path: name.into(),
                    name: name.to_string(),
                    sheet: None,
                    existing: *existing,
                    origin: None,
                })
                .collect(),
            template,
            refs,
            values,
            invalid,
            golden_id,
        }
    }

    fn field(records: &Records, key: &str) -> usize {
        records
            .template
            .fields
            .iter()
            .position(|f| f.key == key)
            .unwrap()
    }

    /// Every field `MostComplete` except `key`, which gets `rule`.
    fn rules(records: &Records, key: &str, rule: Survivorship) -> Vec<Survivorship> {
        let mut rules = vec![Survivorship::MostComplete; records.template.fields.len()];
        rules[field(records, key)] = rule;
        rules
    }

    fn value<'a>(records: &Records, golden: &'a Golden, key: &str) -> &'a str {
        &golden.values[field(records, key)]
    }

    #[test]
    fn parse_accepts_the_four_forms() {
        let t = Template::resolve("customer").unwrap();
        assert_eq!(
            Survivorship::parse(" most_complete ", &t),
            Ok(Survivorship::MostComplete)
        );
        assert_eq!(
            Survivorship::parse("most_frequent", &t),
            Ok(Survivorship::MostFrequent)
        );
        let by = t
            .fields
            .iter()
            .position(|f| f.key == "next_followup_at")
            .unwrap();
        assert_eq!(
            Survivorship::parse("most_recent: next_followup_at", &t),
            Ok(Survivorship::MostRecent { by })
        );
        assert_eq!(
            Survivorship::parse("source:crm.xlsx, sales.csv ,", &t),
            Ok(Survivorship::Source {
                order: vec!["crm.xlsx".into(), "sales.csv".into()]
            })
        );
    }

    #[test]
    fn parse_errors_name_the_expected_forms() {
        let t = Template::resolve("customer").unwrap();
        let err = Survivorship::parse("newest", &t).unwrap_err();
        assert!(err.contains("unknown survivorship rule `newest`"), "{err}");
        assert!(err.contains("most_recent:<date field key>"), "{err}");
        let err = Survivorship::parse("most_recent:mobile", &t).unwrap_err();
        assert!(
            err.contains("not one") && err.contains("next_followup_at"),
            "{err}"
        );
        let err = Survivorship::parse("most_recent:nope", &t).unwrap_err();
        assert!(err.contains("no field `nope`"), "{err}");
        let err = Survivorship::parse("most_recent", &t).unwrap_err();
        assert!(err.contains("needs `:`"), "{err}");
        let err = Survivorship::parse("source:", &t).unwrap_err();
        assert!(err.contains("needs file names"), "{err}");
        let err = Survivorship::parse("most_complete:x", &t).unwrap_err();
        assert!(err.contains("takes no argument"), "{err}");
    }

    #[test]
    fn most_complete_takes_the_fullest_record_then_longest_then_earliest() {
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                // 2 valid fields; its email is invalid and does not count.
                (
                    0,
                    2,
                    &[
                        ("customer_name", "甲公司"),
                        ("mobile", "13800000001"),
                        ("email", "x@"),
                    ],
                    &["email"],
                ),
                // 3 valid fields: the most complete.
                (
                    0,
                    3,
                    &[
                        ("customer_name", "甲"),
                        ("mobile", "13800000002"),
                        ("city", "杭州"),
                    ],
                    &[],
                ),
                (
                    0,
                    4,
                    &[("customer_name", "甲有限公司"), ("city", "杭州市")],
                    &[],
                ),
            ],
        );
        let g = build(
            &r,
            &[7, 7, 7],
            &rules(&r, "customer_name", Survivorship::MostComplete),
        );
        assert_eq!(g.len(), 1);
        assert_eq!(value(&r, &g[0], "customer_name"), "甲");
        assert_eq!(value(&r, &g[0], "mobile"), "13800000002");
        assert_eq!(value(&r, &g[0], "city"), "杭州");
        assert_eq!(
            value(&r, &g[0], "email"),
            "x@",
            "an invalid value beats no value"
        );

        // Equal completeness: the longest value, then the earliest record.
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (0, 2, &[("customer_name", "乙公司"), ("city", "北京")], &[]),
                (
                    0,
                    3,
                    &[("customer_name", "乙有限公司"), ("city", "上海")],
                    &[],
                ),
                (
                    0,
                    4,
                    &[("customer_name", "丙有限公司"), ("city", "广州")],
                    &[],
                ),
            ],
        );
        let g = build(
            &r,
            &[1, 1, 1],
            &rules(&r, "city", Survivorship::MostComplete),
        );
        assert_eq!(value(&r, &g[0], "customer_name"), "乙有限公司");
        assert_eq!(value(&r, &g[0], "city"), "北京");
    }

    #[test]
    fn a_valid_value_beats_an_invalid_one_from_a_fuller_record() {
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (
                    0,
                    2,
                    &[
                        ("email", "zhang@"),
                        ("city", "杭州"),
                        ("owner", "张三"),
                        ("mobile", "13800000001"),
                    ],
                    &["email"],
                ),
                (0, 3, &[("email", "li@example.cn")], &[]),
            ],
        );
        for rule in [
            Survivorship::MostComplete,
            Survivorship::MostFrequent,
            Survivorship::Source {
                order: vec!["a.csv".into()],
            },
        ] {
            let g = build(&r, &[0, 0], &rules(&r, "email", rule.clone()));
            assert_eq!(value(&r, &g[0], "email"), "li@example.cn", "{rule:?}");
            assert_eq!(
                g[0].alternates_of(field(&r, "email")),
                ["zhang@"],
                "{rule:?}"
            );
        }
    }

    #[test]
    fn most_frequent_counts_and_breaks_ties_by_completeness() {
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (0, 2, &[("city", "杭州")], &[]),
                (0, 3, &[("city", "宁波"), ("mobile", "13800000002")], &[]),
                (0, 4, &[("city", "杭州")], &[]),
                (
                    0,
                    5,
                    &[
                        ("city", "宁波"),
                        ("mobile", "13800000003"),
                        ("email", "a@b.cn"),
                    ],
                    &[],
                ),
                (
                    0,
                    6,
                    &[
                        ("city", "温州"),
                        ("mobile", "13800000004"),
                        ("email", "c@b.cn"),
                    ],
                    &[],
                ),
            ],
        );
        let rule = rules(&r, "city", Survivorship::MostFrequent);
        // 杭州 ×2 and 宁波 ×2 tie; the most complete record among them (row 5) says 宁波, though
        // row 6 (温州) is more complete still.
        let g = build(&r, &[0; 5], &rule);
        assert_eq!(value(&r, &g[0], "city"), "宁波");
        // A strict majority wins over completeness.
        let g = build(&r, &[0, 1, 0, 1, 0], &rule);
        assert_eq!(value(&r, &g[0], "city"), "杭州");
        // Invalid values are not counted while a valid one exists.
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (0, 2, &[("mobile", "1380000")], &["mobile"]),
                (0, 3, &[("mobile", "1380000")], &["mobile"]),
                (0, 4, &[("mobile", "13800000009")], &[]),
            ],
        );
        let g = build(
            &r,
            &[0; 3],
            &rules(&r, "mobile", Survivorship::MostFrequent),
        );
        assert_eq!(value(&r, &g[0], "mobile"), "13800000009");
        assert_eq!(g[0].alternates_of(field(&r, "mobile")), ["1380000"]);
    }

    #[test]
    fn most_recent_takes_the_latest_date_and_puts_empty_dates_last() {
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (
                    0,
                    2,
                    &[
                        ("owner", "张三"),
                        ("next_followup_at", "2024-03-01 09:00"),
                        ("city", "杭州"),
                        ("email", "a@b.cn"),
                    ],
                    &[],
                ),
                (
                    0,
                    3,
                    &[("owner", "李四"), ("next_followup_at", "2024-12-31 18:30")],
                    &[],
                ),
                // No date: last, however complete.
                (
                    0,
                    4,
                    &[
                        ("owner", "王五"),
                        ("city", "杭州"),
                        ("email", "a@b.cn"),
                        ("mobile", "13800000001"),
                    ],
                    &[],
                ),
                // An invalid date counts as no date.
                (
                    0,
                    5,
                    &[("owner", "赵六"), ("next_followup_at", "2099-99-99")],
                    &["next_followup_at"],
                ),
                // No owner: does not take part for owner, though its date is the latest.
                (
                    0,
                    6,
                    &[("city", "宁波"), ("next_followup_at", "2025-01-01 00:00")],
                    &[],
                ),
            ],
        );
        let by = field(&r, "next_followup_at");
        let mut rule = rules(&r, "owner", Survivorship::MostRecent { by });
        rule[field(&r, "city")] = Survivorship::MostRecent { by };
        let g = build(&r, &[0; 5], &rule);
        assert_eq!(value(&r, &g[0], "owner"), "李四");
        assert_eq!(value(&r, &g[0], "city"), "宁波");
        // Only undated records: the most complete.
        let g = build(&r, &[1, 1, 0, 0, 1], &rule);
        let zero = g.iter().find(|g| g.id == 0).unwrap();
        assert_eq!(value(&r, zero, "owner"), "王五");
        // Dates and datetimes of one day compare as strings: the later time wins.
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (
                    0,
                    2,
                    &[("owner", "早"), ("next_followup_at", "2024-05-01 08:00:00")],
                    &[],
                ),
                (
                    0,
                    3,
                    &[("owner", "晚"), ("next_followup_at", "2024-05-01 17:00")],
                    &[],
                ),
            ],
        );
        let by = field(&r, "next_followup_at");
        let g = build(
            &r,
            &[0; 2],
            &rules(&r, "owner", Survivorship::MostRecent { by }),
        );
        assert_eq!(value(&r, &g[0], "owner"), "晚");
    }

    #[test]
    fn source_order_prefers_listed_sources_then_completeness() {
        let r = records_of(
            "customer",
            &[
                ("sales.csv", false),
                ("crm.xlsx", false),
                ("other.csv", false),
            ],
            &[
                (
                    0,
                    2,
                    &[("level", "普通"), ("city", "杭州"), ("email", "a@b.cn")],
                    &[],
                ),
                (
                    2,
                    3,
                    &[
                        ("level", "VIP"),
                        ("city", "杭州"),
                        ("email", "a@b.cn"),
                        ("mobile", "13800000001"),
                    ],
                    &[],
                ),
                (1, 4, &[("level", "重点")], &[]),
                (1, 5, &[("level", "VIP"), ("city", "杭州")], &[]),
                (0, 6, &[("city", "宁波")], &[]),
            ],
        );
        let order = vec!["crm.xlsx".to_string(), "sales.csv".to_string()];
        let mut rule = rules(
            &r,
            "level",
            Survivorship::Source {
                order: order.clone(),
            },
        );
        rule[field(&r, "email")] = Survivorship::Source { order };
        let g = build(&r, &[0; 5], &rule);
        // crm.xlsx first; of its two records, row 5 is the more complete.
        assert_eq!(value(&r, &g[0], "level"), "VIP");
        // No crm.xlsx record has an email: sales.csv before the unlisted other.csv.
        assert_eq!(value(&r, &g[0], "email"), "a@b.cn");
        let level = field(&r, "level");
        assert_eq!(g[0].alternates_of(level), ["普通", "重点"]);
        // Without the crm.xlsx records: sales.csv (row 2) beats other.csv (row 3).
        let g = build(&r, &[0, 0, 1, 1, 0], &rule);
        assert_eq!(value(&r, &g[0], "level"), "普通");
    }

    #[test]
    fn alternates_are_distinct_first_seen_and_include_invalid_values() {
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (0, 2, &[("mobile", "13800000001"), ("city", "杭州")], &[]),
                (
                    0,
                    3,
                    &[("mobile", "1380000"), ("city", "杭州")],
                    &["mobile"],
                ),
                (
                    0,
                    4,
                    &[
                        ("mobile", "13900000002"),
                        ("city", "杭州"),
                        ("email", "a@b.cn"),
                    ],
                    &[],
                ),
                (0, 5, &[("mobile", "13800000001")], &[]),
                (0, 6, &[("mobile", "1380000")], &["mobile"]),
                (0, 7, &[], &[]),
            ],
        );
        let g = build(
            &r,
            &[3; 6],
            &rules(&r, "mobile", Survivorship::MostComplete),
        );
        assert_eq!(value(&r, &g[0], "mobile"), "13900000002");
        assert_eq!(
            g[0].alternates_of(field(&r, "mobile")),
            ["13800000001", "1380000"]
        );
        assert!(g[0].alternates_of(field(&r, "city")).is_empty());
        assert_eq!(g[0].alternates.len(), r.template.fields.len());
        assert_eq!(g[0].records, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn clusters_sorted_by_id_records_in_input_order_singletons_copied() {
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (
                    0,
                    2,
                    &[("customer_name", "甲"), ("email", "bad")],
                    &["email"],
                ),
                (0, 3, &[("customer_name", "乙")], &[]),
                (0, 4, &[("customer_name", "甲公司")], &[]),
                (0, 5, &[("customer_name", "丙")], &[]),
            ],
        );
        let rule = vec![Survivorship::MostComplete; r.template.fields.len()];
        let g = build(&r, &[9, 2, 9, 40], &rule);
        let ids: Vec<u64> = g.iter().map(|g| g.id).collect();
        assert_eq!(ids, [2, 9, 40]);
        assert_eq!(g[1].records, [0, 2]);
        assert_eq!(value(&r, &g[1], "customer_name"), "甲公司");
        assert_eq!(value(&r, &g[1], "email"), "bad");
        assert_eq!(g[0].values, r.values[1].iter().collect::<Vec<_>>());
        assert!(g[0].alternates.is_empty());
    }

    #[test]
    fn short_records_are_padded_to_the_template() {
        let mut r = records_of(
            "customer",
            &[("a.csv", false)],
            &[(0, 2, &[], &[]), (0, 3, &[], &[]), (0, 4, &[], &[])],
        );
        r.values = vec![
            StringRecord::from(vec!["C1", "甲"]),
            StringRecord::from(vec!["C2", "乙"]),
            StringRecord::from(vec!["", "乙公司", "", "王五"]),
        ];
        let fields = r.template.fields.len();
        let g = build(&r, &[1, 2, 2], &vec![Survivorship::MostComplete; fields]);
        for g in &g {
            assert_eq!(g.values.len(), fields, "one value per field");
        }
        assert_eq!(&g[0].values[1], "甲");
        assert_eq!(&g[1].values[0], "C2");
        assert_eq!(&g[1].values[1], "乙公司");
        assert_eq!(&g[1].values[3], "王五");
        assert_eq!(&g[1].values[fields - 1], "");
    }

    #[test]
    fn join_capped_cuts_at_whole_items() {
        let items: Vec<String> = ["a", "b", "c"].iter().map(|s| s.repeat(30)).collect();
        let all = join_capped(&items, usize::MAX);
        assert_eq!(all.chars().count(), 94);
        assert_eq!(join_capped(&items, 94), all);
        let cut = join_capped(&items, 80);
        assert!(
            cut.starts_with(&format!("{}; …(另有 2 项", items[0])),
            "{cut}"
        );
        assert!(cut.chars().count() <= 80, "{cut}");
        let cut = join_capped(&items, 40);
        assert!(cut.starts_with("…(另有 3 项"), "{cut}");
    }

    #[test]
    fn empty_clusters_and_records() {
        let none = records_of("customer", &[("a.csv", false)], &[]);
        let rule = vec![Survivorship::MostComplete; none.template.fields.len()];
        assert!(build(&none, &[], &rule).is_empty());
    }

    /// Three clusters: one merged with alternates (two inputs), one from a previous golden file,
    /// one single.
    fn sample() -> (Records, Vec<Golden>) {
        let r = records_of(
            "customer",
            &[
                ("customers.xlsx", false),
                ("service.csv", false),
                ("golden.csv", true),
            ],
            &[
                (
                    0,
                    2,
                    &[
                        ("customer_name", "杭州甲科技有限公司"),
                        ("mobile", "13800138000"),
                        ("city", "杭州"),
                    ],
                    &[],
                ),
                (
                    1,
                    8,
                    &[
                        ("customer_name", "甲科技"),
                        ("mobile", "13900139000"),
                        ("credit_code", "91330100MA2XXXXX0X"),
                        ("city", "杭州"),
                    ],
                    &[],
                ),
                (
                    0,
                    15,
                    &[
                        ("customer_name", "杭州甲科技"),
                        ("mobile", "13800138000"),
                        ("remarks", "=1+1"),
                    ],
                    &[],
                ),
                (
                    2,
                    5,
                    &[
                        ("customer_name", "乙贸易有限公司"),
                        ("mobile", "021-12345678"),
                    ],
                    &[],
                ),
                (
                    1,
                    9,
                    &[
                        ("customer_name", "丙商行"),
                        ("credit_code", "012345678901234567"),
                    ],
                    &[],
                ),
            ],
        );
        let rules = rules(&r, "mobile", Survivorship::MostFrequent);
        let g = build(&r, &[12, 12, 12, 50, 60], &rules);
        (r, g)
    }

    fn expected_headers(r: &Records) -> Vec<String> {
        let mut headers: Vec<String> =
            vec![GOLDEN_ID.into(), SOURCE_ROWS.into(), RECORD_COUNT.into()];
        headers.extend(r.template.fields.iter().map(|f| f.header.clone()));
        headers.push("客户名称(其他值)".into());
        headers.push("联系电话(其他值)".into());
        headers
    }

    fn check_table(r: &Records, table: &[Vec<String>]) {
        assert_eq!(table[0], expected_headers(r));
        let col = |h: &str| table[0].iter().position(|c| c == h).unwrap();
        assert_eq!(table.len(), 4);
        let first = &table[1];
        assert_eq!(first[col(GOLDEN_ID)], "12");
        assert_eq!(
            first[col(SOURCE_ROWS)],
            "customers.xlsx:2; service.csv:8; customers.xlsx:15"
        );
        assert_eq!(first[col(RECORD_COUNT)], "3");
        assert_eq!(first[col("联系电话")], "13800138000");
        assert_eq!(first[col("统一社会信用代码")], "91330100MA2XXXXX0X");
        // The customer name from the most complete record (row 8 has four fields).
        assert_eq!(first[col("客户名称")], "甲科技");
        assert_eq!(
            first[col("客户名称(其他值)")],
            "杭州甲科技有限公司; 杭州甲科技"
        );
        assert_eq!(first[col("联系电话(其他值)")], "13900139000");
        let second = &table[2];
        assert_eq!(second[col(GOLDEN_ID)], "50");
        assert_eq!(second[col(SOURCE_ROWS)], "golden:50");
        assert_eq!(second[col("联系电话")], "021-12345678");
        assert_eq!(second[col("客户名称(其他值)")], "");
        assert_eq!(table[3][col("统一社会信用代码")], "012345678901234567");
    }

    #[test]
    fn golden_csv_has_the_columns_and_values() {
        let (r, g) = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("golden.csv");
        write(&path, &r, &g).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with("\u{FEFF}".as_bytes()));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[3..]);
        let table: Vec<Vec<String>> = reader
            .records()
            .map(|row| row.unwrap().iter().map(str::to_string).collect())
            .collect();
        check_table(&r, &table);
        let col = table[0].iter().position(|c| c == "备注").unwrap();
        assert_eq!(table[1][col], "'=1+1", "formula-safe in CSV");
    }

    #[test]
    fn golden_xlsx_has_the_columns_and_values_as_strings() {
        let (r, g) = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("golden.xlsx");
        write(&path, &r, &g).unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        assert_eq!(book.sheet_names(), ["客户信息"]);
        let range = book.worksheet_range("客户信息").unwrap();
        let table: Vec<Vec<String>> = range
            .rows()
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        Data::Empty => String::new(),
                        other => panic!("every cell is a string, found {other:?}"),
                    })
                    .collect()
            })
            .collect();
        check_table(&r, &table);
        let col = table[0].iter().position(|c| c == "备注").unwrap();
        assert_eq!(table[1][col], "=1+1", "a string cell, never a formula");
    }

    #[test]
    fn identifier_columns_and_their_alternates_are_text() {
        let t = Template::resolve("customer").unwrap();
        let mobile = t.fields.iter().position(|f| f.key == "mobile").unwrap();
        let name = t
            .fields
            .iter()
            .position(|f| f.key == "customer_name")
            .unwrap();
        let (headers, text) = columns(&t, &[name, mobile]);
        let text: Vec<&str> = text.iter().map(|&c| headers[c].as_str()).collect();
        assert_eq!(text, ["统一社会信用代码", "联系电话", "联系电话(其他值)"]);
    }

    #[test]
    fn golden_files_import_back_with_every_field_exact() {
        use crate::import::{import, ImportOptions};
        use crate::mapping::MatchKind;
        let dir = tempfile::tempdir().unwrap();
        for template in ["customer", "lead"] {
            let template_ = Template::resolve(template).unwrap();
            let key = &template_.fields[0].key;
            let r = records_of(
                template,
                &[("a.csv", false)],
                &[(0, 2, &[(key, "X-1")], &[]), (0, 3, &[(key, "X-2")], &[])],
            );
            let g = build(
                &r,
                &[5, 5],
                &vec![Survivorship::MostComplete; r.template.fields.len()],
            );
            for extension in ["csv", "xlsx"] {
                let path = dir.path().join(format!("{template}.{extension}"));
                write(&path, &r, &g).unwrap();
                let imported = import(&path, &r.template, &ImportOptions::default()).unwrap();
                for (f, field) in r.template.fields.iter().enumerate() {
                    let column = imported.mapping.source_of[f].unwrap();
                    assert_eq!(imported.headers[column], field.header, "{path:?}");
                    let mapped = imported.mapping.columns[column].target.as_ref().unwrap();
                    assert_eq!(mapped.kind, MatchKind::Exact, "{path:?} {}", field.header);
                }
                let passthrough: Vec<&str> = imported.passthrough().map(|(_, h)| h).collect();
                let alternates = format!("{}{ALTERNATES_SUFFIX}", r.template.fields[0].header);
                assert_eq!(
                    passthrough,
                    [GOLDEN_ID, SOURCE_ROWS, RECORD_COUNT, alternates.as_str()],
                    "{path:?}"
                );
                assert!(
                    imported.mapping.columns.iter().all(|c| c.note.is_none()),
                    "{path:?}"
                );
                assert_eq!(imported.rows.len(), 1);
                assert_eq!(&imported.rows[0].cells[0], "5");
            }
        }
    }

    #[test]
    fn a_list_longer_than_an_excel_cell_is_cut_in_xlsx_only() {
        let long = "长".repeat(20_000);
        let other = "短".repeat(20_000);
        let r = records_of(
            "customer",
            &[("a.csv", false)],
            &[
                (0, 2, &[("demand", "x"), ("city", "杭州")], &[]),
                (0, 3, &[("demand", long.as_str())], &[]),
                (0, 4, &[("demand", other.as_str())], &[]),
            ],
        );
        let g = build(
            &r,
            &[1; 3],
            &vec![Survivorship::MostComplete; r.template.fields.len()],
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.xlsx");
        write(&path, &r, &g).unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let range = book.worksheet_range("客户信息").unwrap();
        let last = range.get_size().1 - 1;
        let cell = range.get((1, last)).unwrap().to_string();
        assert!(
            cell.starts_with(&long) && cell.contains("另有 1 项"),
            "{}",
            &cell[..20]
        );
        let path = dir.path().join("g.csv");
        write(&path, &r, &g).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&format!("{long}; {other}")));
    }
}
