//! Errors that stop an audit operation: the tool cannot do its job (exit 2).
//!
//! A failed audit (too many wrong records) is not an error; it is a [`crate::Score`] whose
//! `passed` is false.

use std::path::PathBuf;

/// The crate's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading an input or writing an output failed (from crmkit-core).
    #[error(transparent)]
    Core(Box<crmkit_core::Error>),

    /// The database side failed (from crmkit-load).
    #[error(transparent)]
    Load(Box<crmkit_load::Error>),

    /// A sampling option is out of range or options do not fit together.
    #[error("{option}: {message}")]
    Option {
        option: &'static str,
        message: String,
    },

    /// The input cannot be sampled (no rows, unknown stratum field, unknown table, ...).
    #[error("{0}")]
    Input(String),

    /// An audit workbook cannot be scored or compared as it is: which sheet, which rows, what
    /// is wrong and what to do.
    #[error("{path} [{sheet}] {message}")]
    Workbook {
        path: PathBuf,
        sheet: String,
        message: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crmkit_core::Error> for Error {
    fn from(error: crmkit_core::Error) -> Self {
        Error::Core(Box::new(error))
    }
}

impl From<crmkit_load::Error> for Error {
    fn from(error: crmkit_load::Error) -> Self {
        Error::Load(Box::new(error))
    }
}
