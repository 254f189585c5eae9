//! crmkit's database side: tables from templates, idempotent batched loads into SQLite or
//! PostgreSQL with a reconciliation of every input row, and exports (optionally masked).
//!
//! Kept apart from `crmkit-core` so that only what talks to a database pays for the database
//! drivers. No command-line parsing and no printing: progress goes through [`load::Progress`].

pub mod db;
pub mod error;
pub mod export;
pub mod load;
pub mod prepare;
pub mod schema;
pub mod url;

pub use error::{Error, Result};
