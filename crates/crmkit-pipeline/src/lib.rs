//! crmkit's unattended runs: one pipeline file (`pipeline.toml`, see [`config`]) drives
//! import → clean → validate → dedupe → load → audit sample, with the data-quality profile,
//! gates that stop a bad batch before it is loaded, a lock so two runs never overlap on one
//! database, a ledger of loaded files by content hash, and a JSON run report that accounts for
//! every row. No printing and no CLI here: the binary draws progress and the summary, and
//! installs the log subscriber that receives this crate's `tracing` events (counts, files and
//! timings only, never a cell's value).
//!
//! ```no_run
//! # fn main() -> crmkit_pipeline::Result<()> {
//! let pipeline = crmkit_pipeline::Pipeline::load("fixtures/demo/pipeline.toml".as_ref())?;
//! let run = crmkit_pipeline::Run::start(&pipeline, Default::default())?;
//! let report = run.execute(&crmkit_load::load::Quiet);
//! std::process::exit(report.exit_code);
//! # }
//! ```

mod audit;
pub mod config;
pub mod error;
mod profile;
pub mod run;

pub use config::Pipeline;
pub use error::{Error, Result};
pub use run::{Options, Run, RunReport, Status};
