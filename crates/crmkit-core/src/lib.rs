//! crmkit's library: everything crmkit does, without a command line and without printing.
//!
//! The flow of an import: a [`template::Template`] says what the CRM expects; [`read::Book`]
//! opens whatever the client exported and yields a [`read::Grid`] of rows numbered as Excel
//! numbers them; [`import::import`] finds the header row, maps headers onto template fields
//! ([`mapping`]) and keeps every cell traceable to its row and column; [`write`] saves the
//! mapped table; [`blank`] writes blank Excel templates for clients to fill.

pub mod blank;
pub mod error;
pub mod finding;
pub mod import;
pub mod mapping;
pub mod mask;
pub mod read;
pub mod template;
pub mod write;

pub use error::{Error, Result};
