//! The profile step: each input file's data-quality profile (`<template>/<file>.profile.html`),
//! computed from the rows and findings already in memory; breached thresholds are a gate.

use std::path::Path;

use crmkit_core::import::Imported;
use crmkit_core::template::Template;
use crmkit_core::validate::Checked;
use crmkit_profile::Thresholds;

use crate::config::Pipeline;
use crate::error::{Error, Result};

impl From<crmkit_profile::Error> for Error {
    fn from(error: crmkit_profile::Error) -> Self {
        Error::Run(error.to_string())
    }
}

/// What profiling one file gave.
pub(crate) struct Profiled {
    /// The overall score.
    pub score: f64,
    /// Breached thresholds, for people.
    pub alerts: Vec<String>,
}

/// The thresholds: `[profile] rules`, else the rules directory's `profile.toml`, else the
/// built-in `rules/profile.toml`; checked against every source's template before anything runs.
pub(crate) fn thresholds(p: &Pipeline) -> Result<Thresholds> {
    let from_dir = p
        .rules
        .as_ref()
        .map(|d| d.join("profile.toml"))
        .filter(|f| f.is_file());
    let thresholds = match p.profile.rules.as_ref().or(from_dir.as_ref()) {
        Some(path) => Thresholds::load(path)?,
        None => Thresholds::builtin()?,
    };
    for source in &p.sources {
        thresholds.for_template(&source.template)?;
    }
    Ok(thresholds)
}

/// Profiles one checked file and writes its HTML report to `path`.
pub(crate) fn write(
    imported: &Imported,
    template: &Template,
    checked: &Checked,
    thresholds: &Thresholds,
    path: &Path,
) -> Result<Profiled> {
    let profile = crmkit_profile::profile(imported, template, Some(checked))?;
    let alerts = crmkit_profile::check(&profile, thresholds);
    crmkit_profile::write_html(path, &profile, None, None, &alerts)?;
    Ok(Profiled {
        score: profile.score,
        alerts: alerts.into_iter().map(|a| a.message).collect(),
    })
}
