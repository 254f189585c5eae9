//! crmkit's sample audit: after a migration, check a random sample of records by hand and
//! say, honestly, what the sample proves about the accuracy of the whole.
//!
//! Three steps, each one function (the binary's `crmkit audit sample|compare|score` and the
//! pipeline call these; none prints):
//!
//! 1. [`sample`]`(source: Source, plan: &PlanSpec, seed: Option<u64>) -> Result<Sample>` draws
//!    the records: from a client file ([`Source::File`]: path, [`Template`](crmkit_core::template::Template),
//!    [`ImportOptions`](crmkit_core::import::ImportOptions)) or from a table `crmkit load`
//!    wrote ([`Source::Db`]: `&mut Db`, label, table). [`PlanSpec`] is `--size N`,
//!    `--fraction F` or `--aql A --level L` ([`Size`]), optionally `--strata FIELD|source`,
//!    with a threshold. The seed (fresh when `None`) is recorded in [`Sample::plan`]: the same
//!    seed, data and plan give the same records ([`draw`]: SplitMix64 and Floyd's
//!    algorithm). [`Plan`] carries the sample size, Ac/Re, the GB/T 2828.1 numbers
//!    ([`aql`]), the strata and, through [`Plan::oc`], the operating characteristic.
//!    Then [`write_workbook`]`(&Sample, path: &Path) -> Result<()>` writes the audit workbook
//!    (atomically; format in [`workbook`]).
//! 2. [`compare`]`(path: &Path, db: Option<(&mut Db, &str)>, template: Option<&Template>) ->
//!    Result<Compared>` pre-fills 正确 where the value as loaded equals the normalised source
//!    value; write [`Compared::sample`] with [`write_workbook`].
//! 3. [`score`]`(path: &Path, threshold: Option<f64>) -> Result<Score>` reads the marked
//!    workbook: record- and field-level accuracy with Wilson 95% intervals ([`stats`]),
//!    pass/fail against the threshold, accept/reject by an AQL plan's Ac/Re, the errors found.
//!
//! [`Plan`], [`Score`] and [`compare::CompareSummary`] derive `serde::Serialize` for a JSON
//! run report; values in a [`Score`] are masked. The workbook itself holds real, unmasked
//! values: it is for the auditor.
//!
//! Errors ([`Error`]): the tool cannot do its job (exit 2): unreadable input, a bad option,
//! a workbook with unmarked rows, marks outside 正确/错误, or rows that do not match its plan,
//! each named by file, sheet and row. A failed audit is not an error: `Score::passed` is
//! false.

pub mod aql;
pub mod compare;
pub mod draw;
pub mod error;
pub mod plan;
pub mod sample;
pub mod score;
pub mod stats;
pub mod workbook;

pub use compare::{compare, Compared};
pub use error::{Error, Result};
pub use plan::{Plan, PlanSpec, Size};
pub use sample::{sample, Sample, Source};
pub use score::{score, Score};
pub use workbook::{read_workbook, write_workbook};
