//! The profile step: one self-contained HTML per template, raw beside cleaned.

use serde_json::Value;

use crate::error::Result;
use crate::run::{Group, Run, RunReport};

/// What the profile step did.
pub(crate) struct Outcome {
    pub status: String,
    pub counts: Value,
    pub outputs: Vec<String>,
}

/// Profiles one template's files.
pub(crate) fn run(_run: &Run, _group: &Group, _report: &mut RunReport) -> Result<Outcome> {
    Ok(Outcome {
        status: "skipped: crmkit-profile pending".into(),
        counts: Value::Null,
        outputs: vec![],
    })
}
