//! End-to-end tests: run the built `crmkit` binary on the files in `fixtures/` and check exit
//! codes, output files and messages.

mod audit;
mod bad_input;
mod dedupe;
mod export;
mod import;
mod load;
mod partition;
mod profile;
mod run;
mod synth;
mod template;
mod util;
mod validate;
