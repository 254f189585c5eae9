//! Command-line arguments: every flag crmkit accepts, in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Move customer data out of spreadsheets and legacy systems into a CRM, clean.
#[derive(Debug, Parser)]
#[command(name = "crmkit", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show and generate import templates.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Read a client file and map its headers onto a template.
    Import(ImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// List the built-in templates.
    List,
    /// Show a template's fields, types, rules and aliases.
    Show {
        /// A built-in template name (customer, lead, ...) or a path to a .toml file.
        name: String,
    },
    /// Write a blank Excel import template for clients to fill.
    Xlsx {
        /// A built-in template name or a path to a .toml file.
        name: String,
        /// Where to write the .xlsx file.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to read: .xlsx .xlsm .xlsb .xls .ods .csv .tsv .txt
    pub input: PathBuf,
    /// The template to map onto: a built-in name or a path to a .toml file.
    #[arg(short, long, value_name = "NAME")]
    pub template: String,
    /// The sheet to read (default: the first visible sheet whose header matches).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Force the text encoding of a CSV file (utf-8, gbk, gb18030, utf-16le, big5, ...).
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// Force the delimiter of a CSV file: a single character, or `tab`.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Write the mapped table here (.csv: UTF-8 with BOM; .xlsx).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "expected one ASCII character or `tab`, found `{s}`"
        )),
    }
}
