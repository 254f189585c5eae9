//! Command-line arguments: every flag crmkit accepts, in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Move customer data out of spreadsheets and legacy systems into a CRM, clean.
#[derive(Debug, Parser)]
#[command(name = "crmkit", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show and generate import templates.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Read a client file and map its headers onto a template.
    Import(ImportArgs),
    /// Normalise and check every value; report findings by row and column.
    Validate(ValidateArgs),
    /// Normalise every value and write the cleaned table, with changes and rejects.
    Clean(CleanArgs),
    /// Find the records of the same customer, cluster them and build golden records.
    Dedupe(Box<DedupeArgs>),
    /// Load clean files into SQLite or PostgreSQL, idempotently, in dependency order.
    Load(LoadArgs),
    /// Write a realistic messy customer file, with the ground truth of which rows are the same
    /// company, for tests, benchmarks and demos.
    Synth(SynthArgs),
    /// Write a table `crmkit load` put in a database to .xlsx or .csv, optionally masked (脱敏).
    Export(ExportArgs),
    /// Check a migration by hand on a random sample: draw it, pre-fill what a machine can
    /// judge, score the marked workbook.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run a pipeline file: import, clean, validate, dedupe, load, audit, profile, with gates.
    Run(RunArgs),
    /// Data-quality profile (数据质量画像): per-column statistics, a score, thresholds, an HTML report.
    Profile(ProfileArgs),
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// List the built-in templates.
    List,
    /// Show a template's fields, types, rules and aliases.
    Show {
        /// A built-in template name (customer, lead, ...) or a path to a .toml file.
        name: String,
    },
    /// Write a blank Excel import template for clients to fill.
    Xlsx {
        /// A built-in template name or a path to a .toml file.
        name: String,
        /// Where to write the .xlsx file.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

/// The input file and how to read it: shared by `import`, `validate` and `clean`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The file to read: .xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt
    pub input: PathBuf,
    /// The template to map onto: a built-in name or a path to a .toml file.
    #[arg(short, long, value_name = "NAME")]
    pub template: String,
    /// The sheet to read (default: the first visible sheet whose header matches).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Force the text encoding of a CSV file (utf-8, gbk, gb18030, utf-16le, big5, ...).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Force the delimiter of a CSV file: a single character, or `tab`.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
}

impl InputArgs {
    /// The library's reading options.
    pub fn import_options(&self) -> crmkit_core::import::ImportOptions {
        crmkit_core::import::ImportOptions {
            sheet: self.sheet.clone(),
            read: crmkit_core::read::ReadOptions {
                encoding: self.encoding.clone(),
                delimiter: self.delimiter,
            },
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub source: InputArgs,
    /// Write the mapped table here (.csv: UTF-8 with BOM; .xlsx).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Reading and checking options shared by `validate` and `clean`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: InputArgs,
    /// More rules (a rules .toml file); may be repeated.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// A directory replacing the built-in rule sets and reference data (also CRMKIT_RULES_DIR).
    #[arg(long, value_name = "DIR", env = "CRMKIT_RULES_DIR")]
    pub rules_dir: Option<PathBuf>,
    /// Another file for reference rules, as TEMPLATE=FILE (e.g. customer=customers.xlsx).
    #[arg(long = "ref", value_name = "TEMPLATE=FILE", value_parser = parse_reference)]
    pub references: Vec<(String, PathBuf)>,
    /// Write the findings report here (.csv, .jsonl, or .xlsx: a marked-up copy of the input).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Fail (exit 1) only when the share of rows with errors exceeds this (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0, value_parser = parse_rate)]
    pub max_error_rate: f64,
    /// Convert traditional characters in company names to simplified (華遠 → 华远).
    #[arg(long)]
    pub simplified: bool,
    /// Today's date for date rules, YYYY-MM-DD (default: the system date).
    #[arg(long, value_name = "DATE", env = "CRMKIT_TODAY", hide = true)]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// Write the cleaned table here (.csv or .xlsx): every input row, in order.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Write every change a normaliser made (row, column, before, after, normaliser).
    #[arg(long, value_name = "FILE")]
    pub changes: Option<PathBuf>,
    /// Write the rows with errors, as written, with the reasons.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
}

/// `crmkit dedupe`: inputs, outputs, and the `explain` subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DedupeArgs {
    #[command(subcommand)]
    pub command: Option<DedupeCommand>,
    #[command(flatten)]
    pub run: DedupeRun,
}

#[derive(Debug, Subcommand)]
pub enum DedupeCommand {
    /// Show, for two rows, each comparison's level and weight and the total score.
    Explain(ExplainArgs),
}

/// Reading options for `dedupe`: several inputs of one template.
#[derive(Debug, Args)]
pub struct DedupeInput {
    /// The template every input is mapped onto: a built-in name or a path to a .toml file.
    #[arg(short, long, value_name = "NAME", required = true)]
    pub template: Option<String>,
    /// Dedupe rules replacing rules/dedupe/<template>.toml.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// A directory replacing the built-in rules and reference data (also CRMKIT_RULES_DIR).
    #[arg(long, value_name = "DIR", env = "CRMKIT_RULES_DIR")]
    pub rules_dir: Option<PathBuf>,
    /// Golden records already loaded (a previous `--golden` file): new rows attach to them.
    #[arg(long, value_name = "FILE")]
    pub against: Vec<PathBuf>,
    /// The sheet to read in every workbook (default: the first visible sheet whose header matches).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Force the text encoding of CSV inputs (utf-8, gbk, gb18030, utf-16le, big5, ...).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Force the delimiter of CSV inputs: a single character, or `tab`.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Today's date for date rules, YYYY-MM-DD (default: the system date).
    #[arg(long, value_name = "DATE", env = "CRMKIT_TODAY", hide = true)]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct DedupeRun {
    /// The files to deduplicate together, all of one template.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub input: DedupeInput,
    /// Write one line per input row: file, row, cluster, best match score (.csv or .xlsx).
    #[arg(long, value_name = "FILE", required = true)]
    pub clusters: Option<PathBuf>,
    /// Write one golden record per cluster with every alternate value (.csv or .xlsx).
    #[arg(long, value_name = "FILE")]
    pub golden: Option<PathBuf>,
    /// Write uncertain pairs for a person to decide (.xlsx).
    #[arg(long, value_name = "FILE")]
    pub review: Option<PathBuf>,
    /// A filled review sheet from an earlier run: its 是/否 answers are applied.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// Print the trained model: m, u and weight of every comparison level.
    #[arg(long)]
    pub show_model: bool,
    /// Deduplicate in partitions of at most N records (whole connected components of the
    /// blocking graph), the model trained once on a sample; memory is one partition's. 0: one
    /// pass over everything (the default).
    #[arg(long, value_name = "N", default_value_t = 0, allow_hyphen_values = true,
          value_parser = parse_record_count)]
    pub partition_size: usize,
    /// Records in the training sample of a partitioned run (whole components, seeded random);
    /// default: the partition size, at least 100,000.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub sample_size: Option<u64>,
    /// Score with this model (a --save-model file) instead of training one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Write the model scored with to FILE (JSON), for --model on another run or machine.
    #[arg(long, value_name = "FILE")]
    pub save_model: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The files, as given to `crmkit dedupe`.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub input: DedupeInput,
    /// The first row: a row number of the first input, or FILE:ROW.
    #[arg(long, value_name = "ROW")]
    pub a: String,
    /// The second row.
    #[arg(long, value_name = "ROW")]
    pub b: String,
}

impl DedupeInput {
    /// The library's options.
    pub fn options(&self) -> anyhow::Result<crmkit_core::dedupe::Options> {
        let today = match &self.today {
            Some(text) => Some(match crmkit_core::dates::parse(text) {
                Ok((date, None)) => date,
                _ => anyhow::bail!("--today: expected YYYY-MM-DD, found `{text}`"),
            }),
            None => Some(crmkit_core::dates::Date::today()),
        };
        Ok(crmkit_core::dedupe::Options {
            validate: crmkit_core::validate::RunOptions {
                import: crmkit_core::import::ImportOptions {
                    sheet: self.sheet.clone(),
                    read: crmkit_core::read::ReadOptions {
                        encoding: self.encoding.clone(),
                        delimiter: self.delimiter,
                    },
                },
                rules_dir: self.rules_dir.clone(),
                today,
                ..Default::default()
            },
            rules: self.rules.clone(),
            against: self.against.clone(),
            compared_only: false,
        })
    }
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Where to write the customer table (.csv: UTF-8 with BOM; .xlsx). The ground truth goes
    /// beside it as NAME.truth.csv, with the columns row (spreadsheet row) and entity (company).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// How many data rows to write (at least 1).
    #[arg(long, value_name = "N", value_parser = parse_rows, allow_negative_numbers = true)]
    pub rows: usize,
    /// The generator's seed: the same seed and options write the same bytes.
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,
    /// Share of companies written more than once, under other spellings (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.3, value_parser = parse_rate)]
    pub dup_rate: f64,
    /// Share of rows holding one value no repair can fix (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.02, value_parser = parse_rate)]
    pub invalid_rate: f64,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The database: sqlite:FILE or postgres://user@host:port/db (also CRMKIT_DB).
    #[arg(long, value_name = "URL", env = "CRMKIT_DB", hide_env_values = true)]
    pub db: String,
    /// The table to export: a template name crmkit loaded (customer, order, ...).
    #[arg(long, value_name = "T")]
    pub table: String,
    /// Where to write it (.xlsx, or .csv: UTF-8 with BOM).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Mask personal data (phones, names, ID numbers, e-mail) by the masking rules.
    #[arg(long)]
    pub mask: bool,
    /// Masking rules replacing the built-in rules/mask.toml (implies --mask).
    #[arg(long, value_name = "FILE")]
    pub mask_rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The pipeline file (pipeline.toml).
    #[arg(value_name = "PIPELINE")]
    pub pipeline: PathBuf,
    /// Do everything but write to the database: no load, no ledger.
    #[arg(long)]
    pub dry_run: bool,
    /// Process files again that the ledger says were loaded already.
    #[arg(long)]
    pub force: bool,
    /// The database, instead of the pipeline file's `database` (also CRMKIT_DB).
    #[arg(long, value_name = "URL", env = "CRMKIT_DB", hide_env_values = true)]
    pub db: Option<String>,
}

/// `crmkit profile`: the input, the comparison file, the outputs, the thresholds.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(flatten)]
    pub source: InputArgs,
    /// Write the HTML report here (one self-contained .html file).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Also write the numbers as JSON here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// An earlier version of the input (the raw file, when INPUT is the cleaned one), shown side
    /// by side with the deltas; read with automatic encoding and sheet detection.
    #[arg(long, value_name = "FILE")]
    pub before: Option<PathBuf>,
    /// A clusters file from `crmkit dedupe --clusters`: adds the cluster size distribution.
    #[arg(long, value_name = "FILE")]
    pub clusters: Option<PathBuf>,
    /// Thresholds file replacing rules/profile.toml (minimum completeness, validity, ...).
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// A directory replacing the built-in rule sets, reference data and profile.toml (also
    /// CRMKIT_RULES_DIR).
    #[arg(long, value_name = "DIR", env = "CRMKIT_RULES_DIR")]
    pub rules_dir: Option<PathBuf>,
    /// Today's date for date rules, YYYY-MM-DD (default: the system date).
    #[arg(long, value_name = "DATE", env = "CRMKIT_TODAY", hide = true)]
    pub today: Option<String>,
}

fn parse_rows(s: &str) -> Result<usize, String> {
    match s.parse::<i64>() {
        Ok(n) if n >= 1 && n < i64::from(u32::MAX) => Ok(n as usize),
        _ => Err(format!(
            "expected a whole number of rows from 1 to {}, found `{s}`",
            u32::MAX - 1
        )),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("expected a number between 0 and 1, found `{s}`"))?;
    let rate = if s.ends_with('%') { rate / 100.0 } else { rate };
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!(
            "expected a number between 0 and 1 (or 0%–100%), found `{s}`"
        ))
    }
}

fn parse_reference(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((template, file)) if !template.is_empty() && !file.is_empty() => {
            Ok((template.to_string(), PathBuf::from(file)))
        }
        _ => Err(format!(
            "expected TEMPLATE=FILE (e.g. customer=customers.xlsx), found `{s}`"
        )),
    }
}

/// A number of records: a whole number, 0 or more.
fn parse_record_count(s: &str) -> Result<usize, String> {
    s.trim().parse::<usize>().map_err(|_| {
        format!("应为正整数 (每个分区最多的记录数), 例如 200000; 0 表示不分区; 实际为 `{s}`")
    })
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "expected one ASCII character or `tab`, found `{s}`"
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoadMode {
    /// Refuse rows whose record already exists (they are rejected with the reason).
    Insert,
    /// Update records whose source row changed; leave unchanged ones alone.
    Upsert,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Files to load (the outputs of `clean` and `dedupe --golden`), or directories of them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The database: sqlite:PATH (created when missing) or postgres://user@host:port/db.
    /// A PostgreSQL password comes from the URL, PGPASSWORD or ~/.pgpass.
    #[arg(long, value_name = "URL", env = "CRMKIT_DB")]
    pub db: String,
    /// The template of every input (default: recognised from each file's header).
    #[arg(short, long, value_name = "NAME")]
    pub template: Option<String>,
    /// insert: refuse rows whose record exists; upsert: update changed records.
    #[arg(long, value_enum, default_value = "upsert")]
    pub mode: LoadMode,
    /// Rows per transaction: a failure or a kill loses at most this batch, which the next run redoes.
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    pub batch_size: usize,
    /// Write the rows that did not load, with the reason (.csv or .xlsx).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Exit 1 when more than this share of input rows is rejected (0 to 1).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub max_reject_rate: f64,
    /// The sheet to read in every workbook.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Force the text encoding of CSV inputs (utf-8, gbk, gb18030, utf-16le, big5, ...).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Force the delimiter of CSV inputs: a single character, or `tab`.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Draw a reproducible sample (random, stratified or GB/T 2828.1) into an audit workbook.
    Sample(Box<AuditSampleArgs>),
    /// Pre-fill 正确 where the loaded value equals the normalised source value.
    Compare(AuditCompareArgs),
    /// Score a marked audit workbook: accuracy, Wilson 95% interval, pass or fail (exit 1).
    Score(AuditScoreArgs),
}

#[derive(Debug, Args)]
pub struct AuditSampleArgs {
    /// The file to sample (with --template); or sample a database table with --db and --table.
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
    /// The template INPUT is mapped onto: a built-in name or a path to a .toml file.
    #[arg(short, long, value_name = "NAME")]
    pub template: Option<String>,
    /// The sheet to read (default: the first visible sheet whose header matches).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Force the text encoding of a CSV file (utf-8, gbk, gb18030, utf-16le, big5, ...).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Force the delimiter of a CSV file: a single character, or `tab`.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The database to sample from: sqlite:FILE or postgres://user@host:port/db (also CRMKIT_DB).
    #[arg(long, value_name = "URL", env = "CRMKIT_DB", hide_env_values = true)]
    pub db: Option<String>,
    /// The table to sample (a template name crmkit loaded: customer, order, ...).
    #[arg(long, value_name = "T")]
    pub table: Option<String>,
    /// Where to find source files whose recorded path is relative (database samples).
    #[arg(long, value_name = "DIR")]
    pub source_dir: Option<PathBuf>,
    /// Where to write the audit workbook (.xlsx).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Draw exactly N records (simple random).
    #[arg(long, value_name = "N", conflicts_with_all = ["fraction", "aql"])]
    pub size: Option<usize>,
    /// Draw this share of the records, rounded up (0.1 or 10%).
    #[arg(long, value_name = "F", value_parser = parse_rate, conflicts_with = "aql")]
    pub fraction: Option<f64>,
    /// Take n, Ac and Re from GB/T 2828.1 single sampling for this AQL (percent: 0.65, 1.0, 2.5, ...).
    #[arg(long, value_name = "A")]
    pub aql: Option<f64>,
    /// The GB/T 2828.1 inspection level: I, II, III, S-1 ... S-4.
    #[arg(long, value_name = "L", default_value = "II", requires = "aql")]
    pub level: String,
    /// Stratify by a field (its header or key, e.g. 负责人) or `source` (the source file).
    #[arg(long, value_name = "FIELD")]
    pub strata: Option<String>,
    /// The seed: the same seed, data and plan draw the same records (default: a fresh one, recorded).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Share of records that must be correct (default 0.98; with --aql the plan's Ac/Re decide).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub threshold: Option<f64>,
}

#[derive(Debug, Args)]
pub struct AuditCompareArgs {
    /// The audit workbook written by `crmkit audit sample`.
    #[arg(value_name = "AUDIT.xlsx")]
    pub workbook: PathBuf,
    /// The database a database sample came from: read the loaded values again from it.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// The template to normalise source values with (default: the one the workbook records).
    #[arg(short, long, value_name = "NAME")]
    pub template: Option<String>,
    /// Where to write the pre-filled workbook (.xlsx).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct AuditScoreArgs {
    /// The marked audit workbook.
    #[arg(value_name = "AUDIT.xlsx")]
    pub workbook: PathBuf,
    /// Share of records that must be correct (default: the plan's, else 0.98).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub threshold: Option<f64>,
    /// Also write the score as JSON (values masked).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}
