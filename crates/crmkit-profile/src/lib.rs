//! crmkit's data-quality profile (数据质量画像): per-column completeness, validity, uniqueness,
//! top values, length and shape distributions, digit counts and date ranges of a client file,
//! an overall score, thresholds that turn into alerts, and one self-contained HTML report.
//!
//! The statistics are computed by polars expressions over a DataFrame of the imported string
//! columns; polars is heavy to build, so it lives in this crate and only `crmkit profile` pays
//! for it. Reading goes through `crmkit_core` (every format and encoding, banner rows, header
//! mapping) and validity comes from core's validation. No clap, no printing.
//!
//! # API (stable: `crmkit run` calls it)
//!
//! ```text
//! profile_file(input: &Path, template: &Template, options: &validate::RunOptions) -> Result<Profile>
//! profile(imported: &Imported, template: &Template, checked: Option<&Checked>) -> Result<Profile>
//! ClusterSizes::load(path: &Path) -> Result<ClusterSizes>
//! Thresholds::builtin() -> Result<Thresholds>           // rules/profile.toml, compiled in
//! Thresholds::load(path: &Path) -> Result<Thresholds>
//! Thresholds::for_template(&self, template: &Template) -> Result<TemplateThresholds>  // unknown column: Err
//! check(profile: &Profile, thresholds: &Thresholds) -> Vec<Alert>
//! render_html(profile: &Profile, before: Option<&Profile>, clusters: Option<&ClusterSizes>, alerts: &[Alert]) -> String
//! write_html(path: &Path, profile: &Profile, before: Option<&Profile>, clusters: Option<&ClusterSizes>, alerts: &[Alert]) -> Result<()>
//! Report::new(profile: Profile, before: Option<Profile>, clusters: Option<ClusterSizes>, alerts: Vec<Alert>) -> Report
//! write_json(path: &Path, report: &Report) -> Result<()>  // { profile, before, clusters, alerts, score_formula }
//! ```
//!
//! `Profile`, `ClusterSizes` and `Alert` are `Serialize` (and `Deserialize`): the `--json` file
//! is a [`Report`]. Values shown (top values) are masked as `rules/mask.toml` says, so a report
//! can be sent by e-mail. Files are written atomically (`crmkit_core::write::atomic_write`).
//!
//! Typical use:
//!
//! ```no_run
//! # fn main() -> crmkit_profile::Result<()> {
//! use std::path::Path;
//! use crmkit_core::template::Template;
//! let template = Template::resolve("customer")?;
//! let options = crmkit_core::validate::RunOptions::default();
//! let profile = crmkit_profile::profile_file(Path::new("customers.csv"), &template, &options)?;
//! let thresholds = crmkit_profile::Thresholds::builtin()?;
//! thresholds.for_template(&template)?;
//! let alerts = crmkit_profile::check(&profile, &thresholds);
//! crmkit_profile::write_html(Path::new("report.html"), &profile, None, None, &alerts)?;
//! # Ok(()) }
//! ```

pub mod clusters;
pub mod html;
pub mod profile;
pub mod thresholds;

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use clusters::ClusterSizes;
pub use html::render_html;
pub use profile::{
    profile, profile_file, Bucket, ColumnProfile, DateRange, Profile, ValueCount, SCORE_FORMULA,
};
pub use thresholds::{check, Alert, TemplateThresholds, Thresholds};

/// What stops a profile.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading, mapping or validating the input failed.
    #[error(transparent)]
    Core(Box<crmkit_core::Error>),
    /// A polars computation failed.
    #[error("profile computation failed: {0}")]
    Polars(#[from] polars::error::PolarsError),
    /// A thresholds file is malformed or names an unknown column or metric.
    #[error("{file}: {key}: {message}")]
    Thresholds {
        file: String,
        key: String,
        message: String,
    },
    /// A clusters file is not what `crmkit dedupe --clusters` writes.
    #[error("{file}: {message}")]
    Clusters { file: String, message: String },
    /// The JSON could not be written.
    #[error("{path}: failed to write JSON: {message}")]
    Json { path: String, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crmkit_core::Error> for Error {
    fn from(error: crmkit_core::Error) -> Self {
        Error::Core(Box::new(error))
    }
}

/// Everything one `crmkit profile` run found: the `--json` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The profile the thresholds apply to.
    pub profile: Profile,
    /// The earlier file it is compared with (`--before`).
    pub before: Option<Profile>,
    /// The dedupe cluster sizes (`--clusters`).
    pub clusters: Option<ClusterSizes>,
    /// Breached thresholds.
    pub alerts: Vec<Alert>,
    /// How the overall score is computed.
    pub score_formula: String,
}

impl Report {
    pub fn new(
        profile: Profile,
        before: Option<Profile>,
        clusters: Option<ClusterSizes>,
        alerts: Vec<Alert>,
    ) -> Report {
        Report {
            profile,
            before,
            clusters,
            alerts,
            score_formula: SCORE_FORMULA.to_string(),
        }
    }
}

/// Writes the HTML report to `path`, atomically.
// The closure returns core's own (unboxed) error, as `atomic_write` requires; it is boxed by `?`.
#[allow(clippy::result_large_err)]
pub fn write_html(
    path: &Path,
    profile: &Profile,
    before: Option<&Profile>,
    clusters: Option<&ClusterSizes>,
    alerts: &[Alert],
) -> Result<()> {
    let html = render_html(profile, before, clusters, alerts);
    crmkit_core::write::atomic_write(path, |out| {
        out.write_all(html.as_bytes())
            .map_err(|e| crmkit_core::Error::io(path, "write", e))
    })?;
    Ok(())
}

/// Writes the report as pretty JSON to `path`, atomically.
#[allow(clippy::result_large_err)] // as in `write_html`
pub fn write_json(path: &Path, report: &Report) -> Result<()> {
    let text = serde_json::to_string_pretty(report).map_err(|e| Error::Json {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    crmkit_core::write::atomic_write(path, |out| {
        out.write_all(text.as_bytes())
            .and_then(|_| out.write_all(b"\n"))
            .map_err(|e| crmkit_core::Error::io(path, "write", e))
    })?;
    Ok(())
}
