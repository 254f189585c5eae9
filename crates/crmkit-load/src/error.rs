//! Errors that stop a load or an export: the tool cannot do its job (exit 2).

/// The crate's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading an input or writing an output failed (from crmkit-core).
    #[error(transparent)]
    Core(Box<crmkit_core::Error>),

    /// The database location is not one crmkit understands.
    #[error("数据库地址 `{url}` 无法识别: {why}; 示例: sqlite:crm.db 或 postgres://user@localhost:5432/crm")]
    BadUrl { url: String, why: String },

    /// The database refused or failed (connection, SQL, constraint).
    #[error("{db}: {action}: {message}")]
    Database {
        db: String,
        action: String,
        message: String,
    },

    /// The input does not fit the load (no template, unknown referenced table, ...).
    #[error("{0}")]
    Input(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crmkit_core::Error> for Error {
    fn from(error: crmkit_core::Error) -> Self {
        Error::Core(Box::new(error))
    }
}
