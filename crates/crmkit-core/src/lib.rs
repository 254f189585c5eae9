//! crmkit's library: everything crmkit does, without a command line and without printing.
//!
//! The flow of an import: a [`template::Template`] says what the CRM expects; [`read::Book`]
//! opens whatever the client exported and yields a [`read::Grid`] of rows numbered as Excel
//! numbers them; [`import::import`] finds the header row, maps headers onto template fields
//! ([`mapping`]) and keeps every cell traceable to its row and column; [`write`] saves the
//! mapped table; [`blank`] writes blank Excel templates for clients to fill.
//!
//! Cleaning: [`rules::RuleSet`] binds a template to its rules (from `rules/`);
//! [`validate::check`] normalises every value ([`normalize`], with [`dates`], [`checks`] and
//! [`reference`] data) and checks every rule, in parallel; [`report`] writes findings, changes,
//! rejects and the cleaned table.
//!
//! Test data: [`synth`] writes realistic messy customer files with the ground truth of which
//! rows are the same company.

pub mod address;
pub mod blank;
pub mod checks;
pub mod company;
pub mod dates;
pub mod dedupe;
pub mod error;
pub mod finding;
pub mod import;
pub mod mapping;
pub mod mask;
pub mod normalize;
pub mod read;
pub mod reference;
pub mod report;
pub mod rules;
pub mod synth;
pub mod template;
pub mod validate;
pub mod write;

pub use error::{Error, Result};
