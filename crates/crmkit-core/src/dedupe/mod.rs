//! Fuzzy deduplication: find the records of one real-world entity, score pairs with a
//! Fellegi–Sunter model trained without labels, cluster them, and build golden records.

pub mod golden;
pub mod records;
pub mod review;

pub use records::{RecordRef, Records, SourceFile};
