//! The pipeline's errors. Each is one line naming the file (and key, sheet, row) at fault.

/// What can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The pipeline file is wrong: the file, the key, what was expected.
    #[error("{file}: {key}: {message}")]
    Config {
        file: String,
        key: String,
        message: String,
    },

    /// Reading an input or writing an output failed (from crmkit-core).
    #[error(transparent)]
    Core(Box<crmkit_core::Error>),

    /// The database side failed (from crmkit-load).
    #[error(transparent)]
    Load(Box<crmkit_load::Error>),

    /// Another run holds the lock, an input is missing, a run directory cannot be made.
    #[error("{0}")]
    Run(String),
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
