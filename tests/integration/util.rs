//! Running the real binary, ripgrep-style: on failure, print the command, the working
//! directory's listing, stdout and stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `fixtures/` lives.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture's path.
pub fn fixture(name: &str) -> String {
    root().join("fixtures").join(name).display().to_string()
}

pub struct Run {
    pub command: String,
    pub dir: PathBuf,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `crmkit ARGS` in `dir`.
pub fn crmkit_in(dir: &Path, args: &[&str]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_crmkit"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run crmkit");
    Run {
        command: format!("crmkit {}", args.join(" ")),
        dir: dir.to_path_buf(),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `crmkit ARGS` in the repository root.
pub fn crmkit(args: &[&str]) -> Run {
    crmkit_in(&root(), args)
}

impl Run {
    fn describe(&self) -> String {
        let listing: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        format!(
            "\ncommand: {}\ndir: {} [{}]\nexit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}\n",
            self.command,
            self.dir.display(),
            listing.join(", "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// Asserts the exit code.
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code,
            expected,
            "unexpected exit code{}",
            self.describe()
        );
        self
    }

    /// Asserts stdout contains `text`.
    pub fn stdout_has(&self, text: &str) -> &Run {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}{}",
            self.describe()
        );
        self
    }

    /// Asserts stdout does not contain `text`.
    pub fn stdout_lacks(&self, text: &str) -> &Run {
        assert!(
            !self.stdout.contains(text),
            "stdout has {text:?}{}",
            self.describe()
        );
        self
    }

    /// Asserts stderr contains `text`.
    pub fn stderr_has(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}{}",
            self.describe()
        );
        self
    }

    /// Asserts stderr does not contain `text`.
    pub fn stderr_lacks(&self, text: &str) -> &Run {
        assert!(
            !self.stderr.contains(text),
            "stderr has {text:?}{}",
            self.describe()
        );
        self
    }
}

/// Reads a CSV written by crmkit: checks the UTF-8 BOM, returns header and records.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{} has no UTF-8 BOM",
        path.display()
    );
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The value of column `name` in `row`.
pub fn col<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    &row[i]
}

/// Files in `dir` (to check that nothing half-written was left behind).
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Reads one part of an .xlsx (a zip) as text, to check what calamine does not expose
/// (comments, data validations, styles, frozen panes).
pub fn part(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}
