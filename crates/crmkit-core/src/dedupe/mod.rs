//! Fuzzy deduplication: find the records of one real-world entity, score pairs with a
//! Fellegi–Sunter model trained without labels, cluster them, and build golden records.
//!
//! The stages, each callable on its own so a caller can report between them:
//! [`Session::open`] reads and cleans every input (through [`crate::validate`]) and computes
//! each record's match features ([`compare::Features`], with [`crate::company`] keys);
//! [`Session::block`] finds candidate pairs ([`block`]); [`Session::score`] trains the model
//! ([`model`]) and scores every candidate pair; [`Session::cluster`] groups records
//! ([`cluster`]); [`golden`] builds and writes golden records; [`review`] writes the review
//! sheet and reads a reviewer's decisions back.

pub mod block;
pub mod cluster;
pub mod compare;
pub mod config;
pub mod golden;
pub mod model;
pub mod partition;
pub mod records;
pub mod review;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use records::{RecordRef, Records, SourceFile};

use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::template::Template;
use crate::validate::{self, RunOptions};

pub use golden::GOLDEN_ID;

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How to read and clean each input (sheet, encoding, rules directory, today).
    pub validate: RunOptions,
    /// A dedupe rules file replacing `rules/dedupe/<template>.toml`.
    pub rules: Option<PathBuf>,
    /// Golden files of records already loaded (incremental runs).
    pub against: Vec<PathBuf>,
    /// Clean and check only the fields the rules compare or block on ([`config::Config::
    /// compared_fields`]); the other fields keep their raw text. Enough for clusters, the
    /// model, review decisions and explanations; not for golden records or the review sheet,
    /// which show every field.
    pub compared_only: bool,
}

/// An input that could not be read in full: required columns missing.
#[derive(Debug, Clone)]
pub struct Incomplete {
    /// The file.
    pub path: PathBuf,
    /// The required headers no column feeds.
    pub missing: Vec<String>,
}

/// Per input file: rows read, and rows with an error-level finding.
#[derive(Debug, Clone)]
pub struct InputSummary {
    /// The file name.
    pub name: String,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// Data rows read.
    pub rows: usize,
    /// Rows with at least one error (they are deduplicated all the same; survivorship prefers
    /// valid values); with [`Options::compared_only`], in the compared fields only.
    pub error_rows: usize,
    /// Whether only the compared fields were checked ([`Options::compared_only`]).
    pub compared_only: bool,
    /// Whether it is a golden file of records already loaded.
    pub existing: bool,
}

/// Records, rules and features: everything the stages need.
pub struct Session {
    /// The records of every input.
    pub records: Records,
    /// The dedupe rules.
    pub config: config::Config,
    /// Match features per record.
    pub features: compare::Features,
    /// Per input, what was read.
    pub inputs: Vec<InputSummary>,
}

/// The scored candidate pairs and the trained model.
pub struct Scoring {
    /// The model.
    pub model: model::Model,
    /// Every candidate pair with its weight.
    pub pairs: Vec<cluster::Scored>,
}

impl Session {
    /// Reads and cleans every input and every golden file, and computes match features.
    /// Inputs with required columns missing are returned in the error position of the tuple
    /// (nothing can be deduplicated without them).
    pub fn open(
        inputs: &[PathBuf],
        template: &Template,
        options: &Options,
    ) -> Result<std::result::Result<Session, Vec<Incomplete>>> {
        let (config, regions) = rules(template, options)?;
        let options = &scoped(options, &config, template);
        let mut records = Records::empty(template);
        let mut incomplete = Vec::new();
        let mut summaries = Vec::new();
        for (path, existing) in files(inputs, options) {
            match read_input(path, existing, template, options, &mut records)? {
                Ok(summary) => summaries.push(summary),
                Err(i) => incomplete.push(i),
            }
        }
        if !incomplete.is_empty() {
            return Ok(Err(incomplete));
        }
        check_count(records.len(), inputs)?;
        let features = compare::Features::new(&records, &config, &regions);
        Ok(Ok(Session {
            records,
            config,
            features,
            inputs: summaries,
        }))
    }

    /// Finds the candidate pairs.
    pub fn block(&self) -> block::Blocking {
        block::block(&self.records, &self.features, &self.config)
    }

    /// Trains the model on the candidate pairs and scores each of them.
    pub fn score(&self, blocking: &block::Blocking) -> Scoring {
        let patterns = model::compare_pairs(&self.features, &self.config, &blocking.pairs);
        let model = model::train(
            &self.records,
            &self.features,
            &self.config,
            &patterns,
            &blocking.keys,
        );
        self.score_patterns(model, blocking, &patterns)
    }

    /// Scores every candidate pair with a model trained elsewhere (`--model`, or on a sample of
    /// a partitioned run).
    pub fn score_with(&self, model: model::Model, blocking: &block::Blocking) -> Scoring {
        let patterns = model::compare_pairs(&self.features, &self.config, &blocking.pairs);
        self.score_patterns(model, blocking, &patterns)
    }

    fn score_patterns(
        &self,
        model: model::Model,
        blocking: &block::Blocking,
        patterns: &[u64],
    ) -> Scoring {
        let pairs = blocking
            .pairs
            .par_iter()
            .zip(patterns.par_iter())
            .map(|(&(a, b), &pattern)| cluster::Scored {
                a,
                b,
                weight: model::weight_of(
                    &model,
                    &self.features,
                    &self.config,
                    pattern,
                    a as usize,
                    b as usize,
                ) as f32,
                veto: model::vetoed(&model, &self.config, pattern),
            })
            .collect();
        Scoring { model, pairs }
    }

    /// Clusters the records, with a reviewer's decisions.
    pub fn cluster(
        &self,
        scoring: &Scoring,
        decisions: &[review::Decision],
    ) -> Result<cluster::Clustering> {
        let constraints = decisions
            .iter()
            .filter_map(|d| {
                Some(cluster::Constraint {
                    a: self.find(d.a)? as u32,
                    b: self.find(d.b)? as u32,
                    same: d.same,
                })
            })
            .collect::<Vec<_>>();
        Ok(cluster::cluster(
            &self.records,
            &self.config,
            &scoring.pairs,
            &constraints,
            &|a, b| {
                let pattern = self.features.pattern(&self.config, a, b);
                (
                    model::weight_of(&scoring.model, &self.features, &self.config, pattern, a, b),
                    model::vetoed(&scoring.model, &self.config, pattern),
                )
            },
        ))
    }

    /// The pairs for a person to decide: candidate pairs between the review and the match
    /// threshold whose records ended up apart, and links clustering refused; strongest first.
    /// Pairs a veto level decided (head office and branch) are not asked about.
    pub fn review_pairs(
        &self,
        scoring: &Scoring,
        clustering: &cluster::Clustering,
        decisions: &[review::Decision],
    ) -> Vec<review::ReviewPair> {
        let review = self.config.thresholds.review;
        let decided: std::collections::HashSet<(usize, usize)> = decisions
            .iter()
            .filter_map(|d| {
                let (a, b) = (self.find(d.a)?, self.find(d.b)?);
                Some((a.min(b), a.max(b)))
            })
            .collect();
        let mut out: Vec<review::ReviewPair> = scoring
            .pairs
            .iter()
            .filter(|s| {
                let p = model::probability(s.weight as f64);
                p >= review
                    && !s.veto
                    && clustering.cluster[s.a as usize] != clustering.cluster[s.b as usize]
                    && !decided.contains(&(s.a as usize, s.b as usize))
            })
            .map(|s| review::ReviewPair {
                a: s.a as usize,
                b: s.b as usize,
                probability: model::probability(s.weight as f64),
                weight: s.weight as f64,
            })
            .collect();
        out.sort_by(|x, y| {
            y.weight
                .total_cmp(&x.weight)
                .then((x.a, x.b).cmp(&(y.a, y.b)))
        });
        out
    }

    /// The record at a source's row.
    pub fn find(&self, at: RecordRef) -> Option<usize> {
        // Records of one source are in row order.
        let start = self.records.refs.partition_point(|r| r.source < at.source);
        let end = self.records.refs.partition_point(|r| r.source <= at.source);
        self.records.refs[start..end]
            .binary_search_by_key(&at.row, |r| r.row)
            .ok()
            .map(|i| start + i)
    }

    /// Explains the score of two records.
    pub fn explain(&self, scoring: &Scoring, a: usize, b: usize) -> model::Explanation {
        model::explain(&scoring.model, &self.features, &self.config, a, b)
    }
}

/// The dedupe rules and the region reference data for `template`.
pub(crate) fn rules(
    template: &Template,
    options: &Options,
) -> Result<(config::Config, crate::company::Regions)> {
    let config = config::Config::resolve(
        template,
        options.rules.as_deref(),
        options.validate.rules_dir.as_deref(),
    )?;
    let regions = match &options.validate.rules_dir {
        Some(dir) => crate::company::Regions::load(dir)?,
        None => crate::company::Regions::builtin()?,
    };
    Ok((config, regions))
}

/// `options` as [`read_input`] takes them: with [`Options::compared_only`], reading checks only
/// the fields `config` compares.
pub(crate) fn scoped<'a>(
    options: &'a Options,
    config: &config::Config,
    template: &Template,
) -> std::borrow::Cow<'a, Options> {
    if !options.compared_only {
        return std::borrow::Cow::Borrowed(options);
    }
    let mut o = options.clone();
    o.validate.fields = Some(
        config
            .compared_fields()
            .into_iter()
            .map(|f| template.fields[f].key.clone())
            .collect(),
    );
    std::borrow::Cow::Owned(o)
}

/// The inputs, then the golden files of records already loaded (`true`).
pub(crate) fn files<'a>(
    inputs: &'a [PathBuf],
    options: &'a Options,
) -> impl Iterator<Item = (&'a PathBuf, bool)> {
    inputs
        .iter()
        .map(|p| (p, false))
        .chain(options.against.iter().map(|p| (p, true)))
}

/// Refuses more records than a `u32` index holds.
pub(crate) fn check_count(records: usize, inputs: &[PathBuf]) -> Result<()> {
    if records > u32::MAX as usize - 1 {
        return Err(Error::InvalidTemplate {
            file: inputs
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            key: "rows".into(),
            message: "too many rows (at most 4,294,967,294)".into(),
        });
    }
    Ok(())
}

/// Reads and cleans one input (or golden file, `existing`) and appends its source and records
/// to `records`; the input's summary, or what it lacks.
pub(crate) fn read_input(
    path: &Path,
    existing: bool,
    template: &Template,
    options: &Options,
    records: &mut Records,
) -> Result<std::result::Result<InputSummary, Incomplete>> {
    let run = validate::run(path, template, &options.validate)?;
    let Some(checked) = run.checked else {
        return Ok(Err(Incomplete {
            path: path.to_path_buf(),
            missing: run
                .imported
                .mapping
                .missing_required()
                .map(|m| m.header.clone())
                .collect(),
        }));
    };
    let imported = run.imported;
    let source = records.sources.len();
    if source > u16::MAX as usize {
        return Err(Error::InvalidTemplate {
            file: path.display().to_string(),
            key: "inputs".into(),
            message: "too many input files (at most 65,535)".into(),
        });
    }
    // A copy crmkit wrote (a pipeline's accepted rows) names its original rows.
    let lineage = crate::import::Lineage::of(&imported);
    let origin = lineage.and_then(|l| l.origin(&imported));
    let name = match &origin {
        Some((file, _)) => Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.clone()),
        None => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
    };
    let sheet = match &origin {
        Some((_, sheet)) => sheet.clone(),
        None => imported.source.sheet.clone(),
    };
    let golden_column = if existing {
        Some(
            imported
                .headers
                .iter()
                .position(|h| h == GOLDEN_ID)
                .ok_or_else(|| Error::InvalidTemplate {
                    file: path.display().to_string(),
                    key: GOLDEN_ID.into(),
                    message: format!(
                        "不是 crmkit 的主记录文件: 没有 {GOLDEN_ID} 列; --against 需要上次 `crmkit dedupe --golden` 写出的文件"
                    ),
                })?,
        )
    } else {
        None
    };
    let first = records.refs.len();
    let field_index: HashMap<&str, usize> = template
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.key.as_str(), i))
        .collect();
    for (row, clean) in imported.rows.iter().zip(checked.clean) {
        records.refs.push(RecordRef {
            source: source as u16,
            row: lineage.map_or(row.number, |l| l.row(row)),
        });
        records.values.push(clean);
        records.invalid.push(0);
        let id = match golden_column {
            Some(column) => {
                let text = row.cells.get(column).unwrap_or("").trim();
                Some(text.parse::<u64>().map_err(|_| Error::InvalidTemplate {
                    file: path.display().to_string(),
                    key: format!("第 {} 行 {GOLDEN_ID}", row.number),
                    message: format!("主记录编号应为正整数 (如 17), 实际为 \"{text}\""),
                })?)
            }
            None => None,
        };
        records.golden_id.push(id);
    }
    for f in checked
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
    {
        let Some(field) = f.field.as_deref().and_then(|k| field_index.get(k)) else {
            continue;
        };
        if let Ok(i) = imported.rows.binary_search_by_key(&f.row, |r| r.number) {
            if *field < 64 {
                records.invalid[first + i] |= 1 << field;
            }
        }
    }
    let summary = InputSummary {
        name: name.clone(),
        sheet: sheet.clone(),
        rows: imported.rows.len(),
        error_rows: checked.row_has_error.iter().filter(|&&e| e).count(),
        compared_only: options.compared_only,
        existing,
    };
    records.sources.push(SourceFile {
        path: path.to_path_buf(),
        name,
        sheet,
        existing,
        origin: origin.map(|(file, _)| file),
    });
    // The raw rows are freed on the pool while this thread goes on to the match features:
    // one string at a time, they are a few hundredths of a second on one core.
    let findings = checked.findings;
    rayon::spawn(move || drop((imported, findings)));
    Ok(Ok(summary))
}

/// Writes `clusters.csv`: one line per record: file, row, cluster, cluster size, the best
/// candidate pair's match probability and that record's file and row.
pub fn write_clusters(
    path: &Path,
    session: &Session,
    clustering: &cluster::Clustering,
) -> Result<()> {
    let records = &session.records;
    let sizes = cluster_sizes(&clustering.cluster);
    let headers: Vec<String> = [
        "file",
        "row",
        "cluster",
        "cluster_size",
        "score",
        "match_file",
        "match_row",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    use std::borrow::Cow;
    crate::write::write_rows(path, &headers, &[], "clusters", records.len(), |i| {
        let r = records.refs[i];
        let cluster = clustering.cluster[i];
        let (score, match_file, match_row) = match clustering.best[i] {
            Some((other, weight)) => {
                let o = records.refs[other as usize];
                (
                    score_text(model::probability(weight as f64)),
                    Cow::Borrowed(records.sources[o.source as usize].name.as_str()),
                    Cow::Owned(o.row.to_string()),
                )
            }
            None => (Cow::Borrowed(""), Cow::Borrowed(""), Cow::Borrowed("")),
        };
        [
            Cow::Borrowed(records.sources[r.source as usize].name.as_str()),
            Cow::Owned(r.row.to_string()),
            Cow::Owned(cluster.to_string()),
            Cow::Owned(sizes[i].to_string()),
            score,
            match_file,
            match_row,
        ]
        .into_iter()
    })
}

/// The size of each record's cluster, by sorting the records by cluster rather than counting
/// in a map: a radix sort reads the ids in order, where a map of 150,000 clusters is looked up
/// at random.
fn cluster_sizes(cluster: &[u64]) -> Vec<u32> {
    let mut order: Vec<(u64, u32)> = (0..).zip(cluster).map(|(i, &c)| (c, i)).collect();
    radsort::sort_by_key(&mut order, |x| x.0);
    let mut sizes = vec![0; cluster.len()];
    for run in order.chunk_by(|x, y| x.0 == y.0) {
        for &(_, i) in run {
            sizes[i as usize] = run.len() as u32;
        }
    }
    sizes
}

/// A match probability as `clusters.csv` writes it (`{:.4}`). Most matches are certain, and
/// every probability above 0.99995 is written 1.0000: that is said without formatting a float
/// to a precision (the slow path of float formatting).
fn score_text(p: f64) -> std::borrow::Cow<'static, str> {
    if p > 0.99996 {
        std::borrow::Cow::Borrowed("1.0000")
    } else {
        std::borrow::Cow::Owned(format!("{p:.4}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_record_gets_its_clusters_size() {
        assert_eq!(cluster_sizes(&[7, 3, 7, 9, 7, 3]), [3, 2, 3, 1, 3, 2]);
        assert_eq!(cluster_sizes(&[u64::MAX, 0]), [1, 1]);
        assert!(cluster_sizes(&[]).is_empty());
    }

    #[test]
    fn scores_are_written_as_four_decimals_whatever_the_path() {
        for p in [
            0.0, 0.5, 0.12345, 0.99994, 0.999949, 0.99995, 0.999951, 0.99996, 0.999961, 0.9999999,
            1.0,
        ] {
            assert_eq!(score_text(p), format!("{p:.4}"), "{p}");
        }
    }
}
