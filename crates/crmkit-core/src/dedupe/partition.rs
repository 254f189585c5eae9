//! Partitioned dedupe: the same clusters as one pass over everything, computed a bounded part
//! at a time.
//!
//! Candidate pairs exist only inside blocks (records sharing a blocking-key hash; blocks larger
//! than `max_block` skipped, [`super::block`]). The connected components of the graph "shares a
//! compared block" are therefore closed under candidate pairs, and so under clustering (which
//! only joins records through candidate pairs and a reviewer's 是). [`PlanBuilder`] computes
//! those components without listing a single pair: fed the input a chunk at a time, it keeps
//! per record only the blocking-key hashes (`u64`) with the record's index (`u32`) and its
//! source row; [`PlanBuilder::finish`] groups each key's hashes exactly as blocking does
//! ([`super::block::blocks`]), union–finds the members of every kept block and packs whole
//! components into partitions of at most `N` records ([`Plan`]). A component larger than `N`
//! becomes a partition of its own and is reported.
//!
//! [`run`] is the whole operation in three passes:
//! 1. read and clean each input once ([`super::read_input`]), feed it to the plan, count term
//!    frequencies over everything ([`super::compare::TermCounts`]) and spill the cleaned
//!    records to a CSV file in a temporary directory;
//! 2. route every spilled record into its partition's file (and the training sample's);
//! 3. per partition: read it, compute features, block (leaving out the blocks the whole input
//!    skipped), score with the one shared model, cluster, build golden records, append to the
//!    outputs with ids unique across partitions, and drop it before the next.
//!
//! The model is trained once, before pass 3, on a sample: whole components drawn in a seeded
//! random order (the rules' `training.seed`) until `sample_records` records, so its candidate
//! pairs are those of the whole input restricted to random entities. With the same model and
//! the whole input's term frequencies, every pair scores the same weight it would in one pass,
//! and every partition clusters exactly as one pass would (see the tests of this module and
//! `tests/integration/partition.rs`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use csv::StringRecord;
use rand_core::{Rng, SeedableRng};

use super::block::{self, KeyStats};
use super::cluster::UnionFind;
use super::compare::{Features, TermCounts, TermFrequencies};
use super::config::Config;
use super::golden::{self, ALTERNATES_SUFFIX};
use super::model::{self, Model};
use super::records::{RecordRef, Records, SourceFile};
use super::review::{self, Decision, ReviewPair};
use super::{files, read_input, rules, Incomplete, InputSummary, Options, Session};
use crate::error::{Error, Result};
use crate::template::Template;

/// Records in the training sample when nothing else is said: the partition size, but at least
/// this many (a model trained on fewer pairs is noticeably less sure of itself).
pub const MIN_SAMPLE_RECORDS: usize = 100_000;

/// The training sample's size for a partition size: [`MIN_SAMPLE_RECORDS`] or the partition
/// size, whichever is larger.
pub fn default_sample(partition_size: usize) -> usize {
    partition_size.max(MIN_SAMPLE_RECORDS)
}

/// Builds the partition plan from the input, a chunk at a time.
#[derive(Debug)]
pub struct PlanBuilder {
    max_block: usize,
    /// Per blocking key: whether it pairs only site offices ([`super::config::BlockingKey::site_only`]).
    site_only: Vec<bool>,
    /// Per blocking key: (hash, record) of every value of every record so far.
    entries: Vec<Vec<(u64, u32)>>,
    /// Where each record came from, by index.
    refs: Vec<RecordRef>,
}

/// A block that was not compared because it is larger than `max_block`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedBlock {
    /// The blocking key's index in the rules.
    pub key: usize,
    /// Its first record (an index into the whole input).
    pub example: usize,
    /// Its records.
    pub size: usize,
}

/// A component larger than the partition size: processed whole, as a partition of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oversize {
    /// Its records.
    pub size: usize,
    /// Its first record (an index into the whole input).
    pub example: usize,
    /// The partition it is.
    pub partition: usize,
}

/// What the plan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanStats {
    /// Records in the whole input.
    pub records: usize,
    /// Connected components of the blocking graph (a record alone is one).
    pub components: usize,
    /// Records in the largest component.
    pub largest_component: usize,
    /// The largest component's first record.
    pub largest_example: usize,
    /// Partitions.
    pub partitions: usize,
    /// Records in the smallest partition.
    pub min_partition: usize,
    /// Records in the largest partition.
    pub max_partition: usize,
    /// Components larger than the partition size.
    pub oversize: Vec<Oversize>,
}

/// Which partition each record goes to, and what blocking must leave out in a partition.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Per record (index in the whole input), its partition.
    pub partition_of: Vec<u32>,
    /// Per record, its component.
    pub component_of: Vec<u32>,
    /// Records per partition.
    pub partition_sizes: Vec<usize>,
    /// Records per component.
    pub component_sizes: Vec<u32>,
    /// Per blocking key, the hashes of the blocks skipped for being larger than `max_block`,
    /// sorted ([`block::block_skipping`]): a partition may hold a part of such a block small
    /// enough to compare, which one pass over everything would not have compared.
    pub skip: Vec<Vec<u64>>,
    /// The skipped blocks.
    pub skipped: Vec<SkippedBlock>,
    /// What the plan found.
    pub stats: PlanStats,
    /// Where each record came from.
    pub refs: Vec<RecordRef>,
}

impl PlanBuilder {
    /// An empty plan for rules `config`.
    pub fn new(config: &Config) -> PlanBuilder {
        PlanBuilder {
            max_block: config.max_block,
            site_only: config.blocking.iter().map(|k| k.site_only()).collect(),
            entries: vec![Vec::new(); config.blocking.len()],
            refs: Vec::new(),
        }
    }

    /// Records fed so far.
    pub fn len(&self) -> usize {
        self.refs.len()
    }

    /// Whether no record was fed.
    pub fn is_empty(&self) -> bool {
        self.refs.is_empty()
    }

    /// Adds a chunk of records (one input file, or part of one) whose first record is record
    /// `first` of the whole input, with its features; keeps only their key hashes and refs.
    ///
    /// # Panics
    /// When chunks are not fed in order (`first` is not the number of records fed so far) or
    /// `config` is not the one the builder was made for.
    pub fn add(&mut self, config: &Config, records: &Records, features: &Features, first: usize) {
        assert_eq!(first, self.refs.len(), "chunks are fed in order");
        assert_eq!(config.blocking.len(), self.entries.len(), "the same rules");
        for (ki, key) in config.blocking.iter().enumerate() {
            let entries = block::key_entries(records, features, key, ki, first as u32);
            self.entries[ki].extend(entries);
        }
        self.refs.extend_from_slice(&records.refs);
    }

    /// The record at a source's row (records of one source are in row order).
    pub fn find(&self, at: RecordRef) -> Option<usize> {
        find(&self.refs, at)
    }

    /// The components and the partitions of at most `partition_size` records (at least 1).
    /// `links` are pairs that must stay together whatever blocking says: a reviewer's 是.
    pub fn finish(self, partition_size: usize, links: &[(usize, usize)]) -> Plan {
        let n = self.refs.len();
        let mut uf = UnionFind::new(n);
        let mut skip = Vec::with_capacity(self.entries.len());
        let mut skipped = Vec::new();
        for (ki, mut entries) in self.entries.into_iter().enumerate() {
            block::sort_entries(&mut entries);
            let site_only = self.site_only[ki];
            let blocks = block::blocks(&entries, self.max_block, &[], site_only);
            for &(s, e) in &blocks.kept {
                for entry in &entries[s + 1..e] {
                    uf.union(entries[s].1, entry.1);
                }
            }
            let mut hashes: Vec<u64> = blocks
                .skipped
                .iter()
                .map(|&(s, _)| block::block_hash(entries[s].0, site_only))
                .collect();
            hashes.sort_unstable();
            skip.push(hashes);
            skipped.extend(blocks.skipped.iter().map(|&(s, e)| SkippedBlock {
                key: ki,
                example: entries[s].1 as usize,
                size: e - s,
            }));
        }
        for &(a, b) in links {
            uf.union(a as u32, b as u32);
        }
        // Components numbered in the order of their first record.
        let mut component_of = vec![u32::MAX; n];
        let mut component_sizes: Vec<u32> = Vec::new();
        let mut first_of: Vec<u32> = Vec::new();
        let mut root_component: HashMap<u32, u32> = HashMap::new();
        for i in 0..n as u32 {
            let root = uf.find(i);
            let c = *root_component.entry(root).or_insert_with(|| {
                component_sizes.push(0);
                first_of.push(i);
                component_sizes.len() as u32 - 1
            });
            component_sizes[c as usize] += 1;
            component_of[i as usize] = c;
        }
        drop(root_component);
        drop(uf);
        // Whole components, in order, into partitions of at most `partition_size` (next fit).
        let limit = partition_size.max(1);
        let mut partition_sizes: Vec<usize> = Vec::new();
        let mut partition_of_component = Vec::with_capacity(component_sizes.len());
        let mut oversize = Vec::new();
        // Whether the last partition may take more (not when it is an oversize component).
        let mut open = false;
        for (c, &size) in component_sizes.iter().enumerate() {
            let size = size as usize;
            if size > limit {
                oversize.push(Oversize {
                    size,
                    example: first_of[c] as usize,
                    partition: partition_sizes.len(),
                });
                partition_sizes.push(size);
                open = false;
            } else {
                match partition_sizes.last_mut() {
                    Some(last) if open && *last + size <= limit => *last += size,
                    _ => {
                        partition_sizes.push(size);
                        open = true;
                    }
                }
            }
            partition_of_component.push(partition_sizes.len() as u32 - 1);
        }
        let partition_of = component_of
            .iter()
            .map(|&c| partition_of_component[c as usize])
            .collect();
        let (largest, largest_at) = component_sizes
            .iter()
            .enumerate()
            .map(|(c, &s)| (s as usize, std::cmp::Reverse(c)))
            .max()
            .map_or((0, 0), |(s, std::cmp::Reverse(c))| {
                (s, first_of[c] as usize)
            });
        let stats = PlanStats {
            records: n,
            components: component_sizes.len(),
            largest_component: largest,
            largest_example: largest_at,
            partitions: partition_sizes.len(),
            min_partition: partition_sizes.iter().copied().min().unwrap_or(0),
            max_partition: partition_sizes.iter().copied().max().unwrap_or(0),
            oversize,
        };
        Plan {
            partition_of,
            component_of,
            partition_sizes,
            component_sizes,
            skip,
            skipped,
            stats,
            refs: self.refs,
        }
    }
}

/// The record at a source's row in `refs` (records of one source together, in row order).
fn find(refs: &[RecordRef], at: RecordRef) -> Option<usize> {
    let start = refs.partition_point(|r| r.source < at.source);
    let end = refs.partition_point(|r| r.source <= at.source);
    refs[start..end]
        .binary_search_by_key(&at.row, |r| r.row)
        .ok()
        .map(|i| start + i)
}

impl Plan {
    /// The components of a seeded random order, whole, while they fit in `budget` records: per
    /// record, whether it is in the training sample, and the records taken.
    pub fn sample(&self, budget: usize, seed: u64) -> (Vec<bool>, usize) {
        let mut order: Vec<u32> = (0..self.component_sizes.len() as u32).collect();
        let mut rng = rand_xorshift::XorShiftRng::seed_from_u64(seed);
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut chosen = vec![false; self.component_sizes.len()];
        let mut taken = 0usize;
        for c in order {
            let size = self.component_sizes[c as usize] as usize;
            if taken + size <= budget {
                chosen[c as usize] = true;
                taken += size;
            }
            if taken == budget {
                break;
            }
        }
        let in_sample = self
            .component_of
            .iter()
            .map(|&c| chosen[c as usize])
            .collect();
        (in_sample, taken)
    }
}

/// How to partition.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Records per partition at most (a larger component is a partition of its own).
    pub partition_size: usize,
    /// Records in the training sample (whole components); see [`default_sample`].
    pub sample_records: usize,
    /// A model to score with instead of training one.
    pub model: Option<Model>,
    /// A filled review sheet: its 是/否 are applied, and its 是 pairs kept in one partition.
    pub decisions: Option<PathBuf>,
    /// Where the temporary directory goes (default: beside the clusters file).
    pub work_dir: Option<PathBuf>,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// `clusters.csv` ([`super::write_clusters`]'s columns; .csv only).
    pub clusters: PathBuf,
    /// The golden records (.csv only).
    pub golden: Option<PathBuf>,
    /// Golden records only of clusters with a record that is not already loaded, listing only
    /// those records (the pipeline's golden file of one batch).
    pub golden_new_only: bool,
}

/// What happened, for a caller to report between stages.
pub enum Progress<'a> {
    /// One input was read (pass 1).
    Input(&'a InputSummary),
    /// The plan is made; the function names a record (by its index in the whole input) as
    /// `file:row`.
    Plan(&'a PlanStats, &'a dyn Fn(usize) -> String),
    /// The decisions were read: (decided, of which 是, undecided).
    Decisions(usize, usize, usize),
    /// The model was trained on the sample (or given): (model, sample records, seconds).
    Model(&'a Model, usize, f64),
    /// A partition was done: (index, partitions, records, seconds).
    Partition(usize, usize, usize, f64),
}

/// The review queue of a partitioned run: the records the pairs name, and the pairs.
#[derive(Debug)]
pub struct ReviewQueue {
    /// Only the records some pair names (sources: every input).
    pub records: Records,
    /// The pairs, strongest first, indices into `records`.
    pub pairs: Vec<ReviewPair>,
}

/// What a partitioned run did.
#[derive(Debug)]
pub struct Report {
    /// Per input, what was read.
    pub inputs: Vec<InputSummary>,
    /// The rules.
    pub config: Config,
    /// The plan.
    pub plan: PlanStats,
    /// Blocks not compared for being larger than `max_block`: (key, example `file:row`, size).
    pub skipped: Vec<(usize, String, usize)>,
    /// The model every partition scored with.
    pub model: Model,
    /// Whether it was given (`Settings::model`) rather than trained on the sample.
    pub model_given: bool,
    /// Records in the training sample.
    pub sample_records: usize,
    /// Per blocking key, summed over partitions (blocks never span partitions, so the sums are
    /// what one pass reports); `skipped` is empty here, see [`Report::skipped`].
    pub blocking: Vec<KeyStats>,
    /// Candidate pairs.
    pub pairs: u64,
    /// Records.
    pub records: usize,
    /// Records not already loaded.
    pub new_records: usize,
    /// Clusters.
    pub clusters: usize,
    /// New records in a cluster of a record already loaded.
    pub attached_records: usize,
    /// Clusters with both new and already loaded records.
    pub attached_clusters: usize,
    /// Components of three or more rebuilt by clustering.
    pub rebuilt: usize,
    /// Links clustering refused.
    pub split: usize,
    /// Golden records written.
    pub golden: usize,
    /// Decisions applied.
    pub decisions: usize,
    /// The pairs for a person to decide.
    pub review: ReviewQueue,
}

/// Columns of a spill file before the template's fields.
const SPILL_HEAD: [&str; 5] = [
    "_record",
    "_source",
    crate::write::SOURCE_ROW,
    "_invalid",
    golden::GOLDEN_ID,
];

/// Partitions open for writing at once while routing (file handles).
const OPEN_PARTITIONS: usize = 200;

fn csv_error(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Csv {
        location: path.display().to_string(),
        message: e.to_string(),
    }
}

fn spill_writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>> {
    let file = File::create(path).map_err(|e| Error::io(path, "create", e))?;
    Ok(csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(BufWriter::with_capacity(1 << 16, file)))
}

fn spill_reader(path: &Path) -> Result<csv::Reader<BufReader<File>>> {
    let file = File::open(path).map_err(|e| Error::io(path, "open", e))?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 16, file)))
}

/// Writes every record of a chunk (whose first record is `first` of the whole input) as spill
/// rows, formatted in parallel a block of rows at a time, written in order.
fn spill_records(
    out: &mut BufWriter<File>,
    path: &Path,
    records: &Records,
    first: usize,
) -> Result<()> {
    use rayon::prelude::*;
    const BLOCK: usize = 8192;
    let fields = records.template.fields.len();
    let blocks: Vec<Vec<u8>> = (0..records.len().div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::with_capacity(BLOCK * 256));
            let mut row = StringRecord::new();
            for i in b * BLOCK..((b + 1) * BLOCK).min(records.len()) {
                let r = records.refs[i];
                row.clear();
                row.push_field(&(first + i).to_string());
                row.push_field(&r.source.to_string());
                row.push_field(&r.row.to_string());
                row.push_field(&records.invalid[i].to_string());
                row.push_field(&records.golden_id[i].map_or(String::new(), |g| g.to_string()));
                for f in 0..fields {
                    row.push_field(records.value(i, f));
                }
                w.write_record(&row).map_err(csv_error(path))?;
            }
            w.into_inner().map_err(|e| Error::Csv {
                location: path.display().to_string(),
                message: e.to_string(),
            })
        })
        .collect::<Result<_>>()?;
    for block in blocks {
        out.write_all(&block)
            .map_err(|e| Error::io(path, "write", e))?;
    }
    Ok(())
}

/// Reads a spill file back: the records and, per record, its index in the whole input.
fn read_spill(
    path: &Path,
    template: &Template,
    sources: &[SourceFile],
) -> Result<(Records, Vec<u32>)> {
    let mut records = Records::empty(template);
    records.sources = sources.to_vec();
    let mut index = Vec::new();
    let bad = |what: &str| Error::Csv {
        location: path.display().to_string(),
        message: format!("临时分区文件损坏: {what}"),
    };
    let mut reader = spill_reader(path)?;
    let mut row = StringRecord::new();
    while reader.read_record(&mut row).map_err(csv_error(path))? {
        let number = |k: usize| row.get(k).and_then(|v| v.parse::<u64>().ok());
        index.push(number(0).ok_or_else(|| bad("_record"))? as u32);
        records.refs.push(RecordRef {
            source: number(1).ok_or_else(|| bad("_source"))? as u16,
            row: number(2).ok_or_else(|| bad("_source_row"))? as u32,
        });
        records
            .invalid
            .push(number(3).ok_or_else(|| bad("_invalid"))?);
        records.golden_id.push(match row.get(4) {
            Some("") => None,
            _ => Some(number(4).ok_or_else(|| bad(golden::GOLDEN_ID))?),
        });
        records
            .values
            .push(row.iter().skip(SPILL_HEAD.len()).collect::<StringRecord>());
    }
    Ok((records, index))
}

/// Joins CSV files written by [`crate::write::write_rows`] (each with a BOM and a header) into
/// one at `path`, atomically: the first file's header, then every file's rows; `drop` names
/// columns left out.
fn join_csv(parts: &[PathBuf], path: &Path, drop: &[String]) -> Result<()> {
    crate::write::atomic_write(path, |out| {
        out.write_all("\u{FEFF}".as_bytes())
            .map_err(|e| Error::io(path, "write", e))?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut *out);
        let mut keep: Option<Vec<usize>> = None;
        for part in parts {
            let text = std::fs::File::open(part).map_err(|e| Error::io(part, "open", e))?;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(BufReader::with_capacity(1 << 16, text));
            let mut row = StringRecord::new();
            let mut first = true;
            while reader.read_record(&mut row).map_err(csv_error(part))? {
                if first {
                    first = false;
                    if keep.is_none() {
                        let header: Vec<String> = row
                            .iter()
                            .enumerate()
                            .map(|(k, h)| {
                                if k == 0 {
                                    h.trim_start_matches('\u{FEFF}').to_string()
                                } else {
                                    h.to_string()
                                }
                            })
                            .collect();
                        let columns: Vec<usize> = (0..header.len())
                            .filter(|&k| !drop.contains(&header[k]))
                            .collect();
                        writer
                            .write_record(columns.iter().map(|&k| header[k].as_str()))
                            .map_err(csv_error(path))?;
                        keep = Some(columns);
                    }
                    continue;
                }
                let columns = keep.as_deref().unwrap_or(&[]);
                writer
                    .write_record(columns.iter().map(|&k| row.get(k).unwrap_or("")))
                    .map_err(csv_error(path))?;
            }
        }
        writer.flush().map_err(|e| Error::io(path, "write", e))?;
        Ok(())
    })
}

/// Deduplicates `inputs` (and `options.against`) partition by partition; see the module doc.
/// Inputs lacking required columns are returned in the error position of the result.
pub fn run(
    inputs: &[PathBuf],
    template: &Template,
    options: &Options,
    settings: &Settings,
    outputs: &Outputs,
    progress: &mut dyn FnMut(Progress),
) -> Result<std::result::Result<Report, Vec<Incomplete>>> {
    for path in std::iter::once(&outputs.clusters).chain(&outputs.golden) {
        if crate::read::extension(path) != "csv" {
            return Err(Error::InvalidOption {
                option: "partition-size",
                message: format!(
                    "{}: 分区去重的 --clusters / --golden 输出须为 .csv (每个分区依次追加; .xlsx 最多 1,048,576 行), 例如 clusters.csv",
                    path.display()
                ),
            });
        }
    }
    let (config, regions) = rules(template, options)?;
    let options = &super::scoped(options, &config, template);
    let work_parent = match &settings.work_dir {
        Some(dir) => dir.clone(),
        None => match outputs.clusters.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let work = tempfile::Builder::new()
        .prefix(".crmkit-partitions-")
        .tempdir_in(&work_parent)
        .map_err(|e| Error::io(&work_parent, "create a temporary directory in", e))?;
    let dir = work.path();

    // Pass 1: read, plan, count term frequencies, spill.
    let all_path = dir.join("records.csv");
    let mut all = BufWriter::with_capacity(
        1 << 20,
        File::create(&all_path).map_err(|e| Error::io(&all_path, "create", e))?,
    );
    let mut builder = PlanBuilder::new(&config);
    let mut terms = TermCounts::default();
    let mut sources: Vec<SourceFile> = Vec::new();
    let mut summaries = Vec::new();
    let mut incomplete = Vec::new();
    let mut max_golden = 0u64;
    for (path, existing) in files(inputs, options) {
        let mut chunk = Records::empty(template);
        chunk.sources = std::mem::take(&mut sources);
        let read = read_input(path, existing, template, options, &mut chunk)?;
        sources = std::mem::take(&mut chunk.sources);
        let summary = match read {
            Ok(s) => s,
            Err(i) => {
                incomplete.push(i);
                continue;
            }
        };
        progress(Progress::Input(&summary));
        summaries.push(summary);
        if !incomplete.is_empty() {
            continue;
        }
        let first = builder.len();
        super::check_count(first + chunk.len(), inputs)?;
        let features = Features::new(&chunk, &config, &regions);
        builder.add(&config, &chunk, &features, first);
        features.count_terms(&mut terms);
        max_golden = max_golden.max(chunk.golden_id.iter().flatten().copied().max().unwrap_or(0));
        spill_records(&mut all, &all_path, &chunk, first)?;
    }
    if !incomplete.is_empty() {
        return Ok(Err(incomplete));
    }
    all.flush().map_err(|e| Error::io(&all_path, "write", e))?;
    drop(all);
    let terms: Vec<Option<Arc<TermFrequencies>>> = terms.finish();

    // Decisions: read against the records' refs; their 是 pairs stay in one partition.
    let decisions: Vec<Decision> = match &settings.decisions {
        Some(path) => {
            let skeleton = Records {
                sources: sources.clone(),
                refs: builder.refs.clone(),
                ..Records::empty(template)
            };
            let d = review::read_decisions(path, &skeleton)?;
            progress(Progress::Decisions(
                d.decided.len(),
                d.decided.iter().filter(|x| x.same).count(),
                d.undecided,
            ));
            d.decided
        }
        None => Vec::new(),
    };
    let links: Vec<(usize, usize)> = decisions
        .iter()
        .filter(|d| d.same)
        .filter_map(|d| Some((builder.find(d.a)?, builder.find(d.b)?)))
        .collect();
    let plan = builder.finish(settings.partition_size, &links);
    let describe = |i: usize| {
        let r = plan.refs[i];
        format!("{}:{}", sources[r.source as usize].name, r.row)
    };
    progress(Progress::Plan(&plan.stats, &describe));
    let skipped = plan
        .skipped
        .iter()
        .map(|s| (s.key, describe(s.example), s.size))
        .collect();

    // Pass 2: route every record into its partition's file (and the sample's).
    let (in_sample, sample_records) = match settings.model {
        Some(_) => (Vec::new(), 0),
        None => plan.sample(settings.sample_records, config.training.seed),
    };
    let partitions = plan.partition_sizes.len();
    let part_path = |p: usize| dir.join(format!("partition-{p:05}.csv"));
    let sample_path = dir.join("sample.csv");
    for group in (0..partitions).step_by(OPEN_PARTITIONS) {
        let end = (group + OPEN_PARTITIONS).min(partitions);
        let mut writers = (group..end)
            .map(|p| spill_writer(&part_path(p)))
            .collect::<Result<Vec<_>>>()?;
        let mut sample = match group == 0 && !in_sample.is_empty() {
            true => Some(spill_writer(&sample_path)?),
            false => None,
        };
        let mut reader = spill_reader(&all_path)?;
        let mut spilled = csv::ByteRecord::new();
        let mut i = 0usize;
        while reader
            .read_byte_record(&mut spilled)
            .map_err(csv_error(&all_path))?
        {
            let p = plan.partition_of[i] as usize;
            if (group..end).contains(&p) {
                writers[p - group]
                    .write_byte_record(&spilled)
                    .map_err(csv_error(&part_path(p)))?;
            }
            if let Some(out) = sample.as_mut() {
                if in_sample[i] {
                    out.write_byte_record(&spilled)
                        .map_err(csv_error(&sample_path))?;
                }
            }
            i += 1;
        }
        for (k, mut w) in writers.into_iter().enumerate() {
            w.flush()
                .map_err(|e| Error::io(part_path(group + k), "write", e))?;
        }
        if let Some(mut out) = sample {
            out.flush()
                .map_err(|e| Error::io(&sample_path, "write", e))?;
        }
    }
    std::fs::remove_file(&all_path).map_err(|e| Error::io(&all_path, "remove", e))?;

    // The model: given, or trained once on the sample.
    let started = Instant::now();
    let (model, model_given) = match &settings.model {
        Some(m) => (m.clone(), true),
        None => {
            let (records, _) = read_spill(&sample_path, template, &sources)?;
            let mut features = Features::new(&records, &config, &regions);
            features.use_term_frequencies(&terms);
            let blocking = block::block_skipping(&records, &features, &config, &plan.skip);
            let patterns = model::compare_pairs(&features, &config, &blocking.pairs);
            let m = model::train(&records, &features, &config, &patterns, &blocking.keys);
            std::fs::remove_file(&sample_path).map_err(|e| Error::io(&sample_path, "remove", e))?;
            (m, false)
        }
    };
    progress(Progress::Model(
        &model,
        sample_records,
        started.elapsed().as_secs_f64(),
    ));

    // Pass 3: one partition at a time.
    let fields = template.fields.len();
    let every_field: Vec<usize> = (0..fields).collect();
    let mut alternates_mask = 0u128;
    let mut next_id = max_golden + 1;
    let mut report = Report {
        inputs: summaries,
        config: config.clone(),
        plan: plan.stats.clone(),
        skipped,
        model: model.clone(),
        model_given,
        sample_records,
        blocking: Vec::new(),
        pairs: 0,
        records: plan.refs.len(),
        new_records: 0,
        clusters: 0,
        attached_records: 0,
        attached_clusters: 0,
        rebuilt: 0,
        split: 0,
        golden: 0,
        decisions: decisions.len(),
        review: ReviewQueue {
            records: Records {
                sources: sources.clone(),
                ..Records::empty(template)
            },
            pairs: Vec::new(),
        },
    };
    // Review pairs with the records' indices in the whole input, for a global order.
    let mut review_pairs: Vec<(ReviewPair, usize, usize)> = Vec::new();
    let mut in_review: HashMap<u32, usize> = HashMap::new();
    let mut cluster_parts = Vec::new();
    let mut golden_parts = Vec::new();
    for p in 0..partitions {
        let started = Instant::now();
        let path = part_path(p);
        let (records, index) = read_spill(&path, template, &sources)?;
        std::fs::remove_file(&path).map_err(|e| Error::io(&path, "remove", e))?;
        let mut features = Features::new(&records, &config, &regions);
        features.use_term_frequencies(&terms);
        let session = Session {
            records,
            config: config.clone(),
            features,
            inputs: Vec::new(),
        };
        let records = &session.records;
        let blocking = block::block_skipping(records, &session.features, &config, &plan.skip);
        report.pairs += blocking.pairs.len() as u64;
        add_stats(&mut report.blocking, &blocking.stats);
        let scoring = session.score_with(model.clone(), &blocking);
        drop(blocking);
        let mut clustering = session.cluster(&scoring, &decisions)?;
        // Ids unique across partitions: a loaded record's cluster keeps its golden id; new
        // clusters are numbered on from the largest golden id of the whole input.
        let local_max = records
            .golden_id
            .iter()
            .flatten()
            .copied()
            .max()
            .unwrap_or(0);
        let mut renumbered: HashMap<u64, u64> = HashMap::new();
        for id in clustering.cluster.iter_mut() {
            if *id > local_max {
                *id = *renumbered.entry(*id).or_insert_with(|| {
                    next_id += 1;
                    next_id - 1
                });
            }
        }
        let existing_ids: std::collections::HashSet<u64> =
            records.golden_id.iter().flatten().copied().collect();
        report.new_records += records.golden_id.iter().filter(|g| g.is_none()).count();
        report.attached_records += (0..records.len())
            .filter(|&i| {
                records.golden_id[i].is_none() && existing_ids.contains(&clustering.cluster[i])
            })
            .count();
        report.clusters += {
            let mut ids = clustering.cluster.clone();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        };
        report.rebuilt += clustering.rebuilt;
        report.split += clustering.split.len();

        for pair in session.review_pairs(&scoring, &clustering, &decisions) {
            let mut keep = |local: usize| {
                let global = index[local];
                *in_review.entry(global).or_insert_with(|| {
                    let queue = &mut report.review.records;
                    queue.refs.push(records.refs[local]);
                    queue.values.push(records.values[local].clone());
                    queue.invalid.push(records.invalid[local]);
                    queue.golden_id.push(records.golden_id[local]);
                    queue.refs.len() - 1
                })
            };
            let (a, b) = (keep(pair.a), keep(pair.b));
            review_pairs.push((
                ReviewPair { a, b, ..pair },
                index[pair.a] as usize,
                index[pair.b] as usize,
            ));
        }

        let part = dir.join(format!("clusters-{p:05}.csv"));
        super::write_clusters(&part, &session, &clustering)?;
        cluster_parts.push(part);
        if outputs.golden.is_some() {
            let mut built = golden::build(records, &clustering.cluster, &config.survivorship);
            let is_new = |r: &usize| records.golden_id[*r].is_none();
            report.attached_clusters += built
                .iter()
                .filter(|g| g.records.iter().any(is_new) && g.records.iter().any(|r| !is_new(r)))
                .count();
            if outputs.golden_new_only {
                built.retain(|g| g.records.iter().any(is_new));
                for g in &mut built {
                    g.records.retain(is_new);
                }
            }
            for f in golden::with_alternates(records, &built) {
                alternates_mask |= 1 << f;
            }
            report.golden += built.len();
            let part = dir.join(format!("golden-{p:05}.csv"));
            golden::write_with_alternates(&part, records, &built, &every_field)?;
            golden_parts.push(part);
        }
        progress(Progress::Partition(
            p,
            partitions,
            records.len(),
            started.elapsed().as_secs_f64(),
        ));
    }

    // The outputs, joined; the golden file with the alternates columns some record filled.
    if partitions == 0 {
        // No records: the files one pass writes, headers only.
        let mut records = Records::empty(template);
        records.sources = sources.clone();
        let session = Session {
            features: Features::new(&records, &config, &regions),
            records,
            config: config.clone(),
            inputs: Vec::new(),
        };
        let empty = super::cluster::Clustering {
            cluster: Vec::new(),
            best: Vec::new(),
            split: Vec::new(),
            rebuilt: 0,
        };
        super::write_clusters(&outputs.clusters, &session, &empty)?;
        if let Some(path) = &outputs.golden {
            golden::write(path, &session.records, &[])?;
        }
        return Ok(Ok(report));
    }
    join_csv(&cluster_parts, &outputs.clusters, &[])?;
    if let Some(path) = &outputs.golden {
        let unused: Vec<String> = (0..fields)
            .filter(|&f| alternates_mask & (1 << f) == 0)
            .map(|f| format!("{}{ALTERNATES_SUFFIX}", template.fields[f].header))
            .collect();
        join_csv(&golden_parts, path, &unused)?;
    }
    review_pairs.sort_by(|x, y| {
        y.0.weight
            .total_cmp(&x.0.weight)
            .then((x.1, x.2).cmp(&(y.1, y.2)))
    });
    report.review.pairs = review_pairs.into_iter().map(|(p, _, _)| p).collect();
    drop(work);
    Ok(Ok(report))
}

/// Adds one partition's blocking statistics to the sums.
fn add_stats(sums: &mut Vec<KeyStats>, part: &[KeyStats]) {
    if sums.is_empty() {
        sums.extend(part.iter().map(|s| KeyStats {
            skipped: Vec::new(),
            ..s.clone()
        }));
        return;
    }
    for (sum, s) in sums.iter_mut().zip(part) {
        sum.records += s.records;
        sum.blocks += s.blocks;
        sum.largest = sum.largest.max(s.largest);
        sum.pairs += s.pairs;
        sum.new_pairs += s.new_pairs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::Regions;

    /// Records with a company name and a mobile, on the customer template.
    fn records(rows: &[(&str, &str)]) -> Records {
        let template = Template::resolve("customer").unwrap();
        let at = |key: &str| template.fields.iter().position(|f| f.key == key).unwrap();
        let (name, mobile) = (at("customer_name"), at("mobile"));
        let mut r = Records::empty(&template);
        r.sources.push(SourceFile {
            path: "a.csv".into(),
            name: "a.csv".into(),
            sheet: None,
            existing: false,
            origin: None,
        });
        for (i, (n, m)) in rows.iter().enumerate() {
            let mut v = vec![""; template.fields.len()];
            v[name] = n;
            v[mobile] = m;
            r.values.push(StringRecord::from(v));
            r.refs.push(RecordRef {
                source: 0,
                row: i as u32 + 2,
            });
            r.invalid.push(0);
            r.golden_id.push(None);
        }
        r
    }

    fn config() -> Config {
        Config::builtin(&Template::resolve("customer").unwrap())
            .unwrap()
            .unwrap()
    }

    /// The plan of `rows` fed in chunks of `chunk` records.
    fn plan(config: &Config, rows: &[(&str, &str)], chunk: usize, size: usize) -> Plan {
        let regions = Regions::builtin().unwrap();
        let mut builder = PlanBuilder::new(config);
        for (k, part) in rows.chunks(chunk).enumerate() {
            let mut r = records(part);
            for at in &mut r.refs {
                at.row += (k * chunk) as u32;
            }
            let features = Features::new(&r, config, &regions);
            builder.add(config, &r, &features, k * chunk);
        }
        builder.finish(size, &[])
    }

    const CHAIN: [(&str, &str); 4] = [
        ("北京华远软件科技有限公司", "13812345678"),
        // the same phone as the first
        ("上海云帆物流有限公司", "13812345678"),
        // the same core name as the second, no phone
        ("上海云帆物流有限公司", ""),
        ("杭州明月贸易有限公司", "13900000001"),
    ];

    #[test]
    fn term_frequencies_counted_chunk_by_chunk_are_those_of_one_pass() {
        let config = config();
        let regions = Regions::builtin().unwrap();
        let rows = [
            ("北京华远软件科技有限公司", ""),
            ("华远软件（北京）有限公司", ""),
            ("上海华远软件科技有限公司", ""),
            ("上海云帆物流有限公司", ""),
            ("云帆物流", ""),
            ("杭州明月贸易有限公司", ""),
            ("", ""),
        ];
        let whole = records(&rows);
        let mut features = Features::new(&whole, &config, &regions);
        let ci = config.comparisons.iter().position(|c| c.tf).unwrap();
        let own: Vec<Option<f32>> = (0..rows.len()).map(|i| features.tf_bits(ci, i)).collect();
        // A rare 字号 counts for more than a common one; an empty name for nothing.
        assert!(own[5].unwrap() > own[3].unwrap() && own[3].unwrap() > own[0].unwrap());
        assert_eq!(own[6], Some(0.0));
        let mut terms = TermCounts::default();
        for part in rows.chunks(3) {
            Features::new(&records(part), &config, &regions).count_terms(&mut terms);
        }
        features.use_term_frequencies(&terms.finish());
        for (i, bits) in own.iter().enumerate() {
            let counted = features.tf_bits(ci, i).unwrap();
            assert!(
                (bits.unwrap() - counted).abs() < 1e-6,
                "{i}: {bits:?} {counted}"
            );
        }
    }

    #[test]
    fn a_chain_through_different_keys_is_one_component() {
        let config = config();
        let p = plan(&config, &CHAIN, 4, 100);
        let c = &p.component_of;
        assert_eq!(c[0], c[1], "a–b share a phone");
        assert_eq!(c[1], c[2], "b–c share a name");
        assert_ne!(c[0], c[3]);
        assert_eq!(p.stats.components, 2);
        assert_eq!((p.stats.largest_component, p.stats.largest_example), (3, 0));
        // Fed one record at a time, the chain crosses every chunk boundary: the same plan.
        let q = plan(&config, &CHAIN, 1, 100);
        assert_eq!(q.component_of, p.component_of);
        assert_eq!(q.stats, p.stats);
    }

    #[test]
    fn a_block_over_max_block_connects_nothing() {
        let mut config = config();
        config.max_block = 2;
        let rows = [
            ("甲公司", "13812345678"),
            ("乙公司", "13812345678"),
            ("丙公司", "13812345678"),
        ];
        let p = plan(&config, &rows, 3, 100);
        assert_eq!(p.stats.components, 3, "{:?}", p.component_of);
        assert_eq!(
            p.skipped,
            vec![SkippedBlock {
                key: 0,
                example: 0,
                size: 3
            }]
        );
        assert_eq!(
            p.skip[0].len(),
            1,
            "the phone's hash is left out in partitions"
        );
        // A partition holding two of the three compares them only without the skip list.
        let two = records(&rows[..2]);
        let features = Features::new(&two, &config, &Regions::builtin().unwrap());
        assert_eq!(block::block(&two, &features, &config).pairs, vec![(0, 1)]);
        let b = block::block_skipping(&two, &features, &config, &p.skip);
        assert!(b.pairs.is_empty(), "{:?}", b.pairs);
        // With max_block 3 the same block joins all three.
        config.max_block = 3;
        let p = plan(&config, &rows, 3, 100);
        assert_eq!(p.stats.components, 1);
        assert!(p.skipped.is_empty());
    }

    #[test]
    fn partitions_hold_whole_components_up_to_the_size() {
        let config = config();
        // Components: {0,1,2} (the chain), then seven records alone.
        let mut rows = CHAIN.to_vec();
        let names = [
            "南京青松建材有限公司",
            "成都锦城餐饮管理有限公司",
            "武汉江汉机电设备有限公司",
            "西安长安文化传媒有限公司",
            "厦门鹭岛海运有限公司",
            "长沙岳麓教育咨询有限公司",
        ];
        for (k, n) in names.iter().enumerate() {
            rows.push((
                n,
                [
                    "13700000001",
                    "13700000002",
                    "13700000003",
                    "13700000004",
                    "13700000005",
                    "13700000006",
                ][k],
            ));
        }
        let p = plan(&config, &rows, 3, 4);
        assert_eq!(p.stats.components, 8);
        assert!(
            p.partition_sizes.iter().all(|&s| s <= 4),
            "{:?}",
            p.partition_sizes
        );
        assert_eq!(p.partition_sizes.iter().sum::<usize>(), rows.len());
        assert_eq!(p.partition_of[0], p.partition_of[1]);
        assert_eq!(p.partition_of[1], p.partition_of[2]);
        assert_eq!(p.partition_sizes, vec![4, 4, 2]);
        assert_eq!((p.stats.min_partition, p.stats.max_partition), (2, 4));
        assert!(p.stats.oversize.is_empty());
        // Each partition's count is its records'.
        for (k, &size) in p.partition_sizes.iter().enumerate() {
            assert_eq!(
                p.partition_of.iter().filter(|&&x| x as usize == k).count(),
                size
            );
        }
    }

    #[test]
    fn a_component_larger_than_the_size_is_its_own_partition_and_reported() {
        let config = config();
        let mut rows = vec![("杭州明月贸易有限公司", "13900000001")];
        rows.extend_from_slice(&CHAIN[..3]);
        rows.push(("南京青松建材有限公司", "13700000001"));
        let p = plan(&config, &rows, 2, 2);
        assert_eq!(
            p.stats.oversize,
            vec![Oversize {
                size: 3,
                example: 1,
                partition: 1
            }]
        );
        assert_eq!(
            p.partition_sizes,
            vec![1, 3, 1],
            "nothing joins the oversize one"
        );
        assert_eq!(p.stats.max_partition, 3);
    }

    #[test]
    fn a_reviewers_yes_joins_components() {
        let config = config();
        let regions = Regions::builtin().unwrap();
        let r = records(&CHAIN);
        let features = Features::new(&r, &config, &regions);
        let mut builder = PlanBuilder::new(&config);
        builder.add(&config, &r, &features, 0);
        let d = builder.find(RecordRef { source: 0, row: 5 }).unwrap();
        assert_eq!(d, 3);
        let p = builder.finish(100, &[(0, d)]);
        assert_eq!(p.stats.components, 1);
    }

    #[test]
    fn the_sample_takes_whole_components_within_the_budget() {
        let config = config();
        let p = plan(&config, &CHAIN, 4, 100);
        let (in_sample, taken) = p.sample(2, 7);
        assert_eq!(taken, 1, "the chain of three does not fit in 2");
        assert_eq!(in_sample, vec![false, false, false, true]);
        let (in_sample, taken) = p.sample(10, 7);
        assert_eq!((taken, in_sample), (4, vec![true; 4]));
    }
}
