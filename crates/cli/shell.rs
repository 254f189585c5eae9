//! All terminal output goes through here: results to stdout, diagnostics to stderr.
//!
//! A closed stdout (`crmkit ... | head`) is not an error: writes report it as
//! [`std::io::ErrorKind::BrokenPipe`] and `main` exits quietly.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

pub struct Shell {
    out: io::StdoutLock<'static>,
}

impl Shell {
    pub fn new() -> Shell {
        Shell {
            out: io::stdout().lock(),
        }
    }

    /// A line of the command's result, on stdout.
    pub fn line(&mut self, text: impl AsRef<str>) -> io::Result<()> {
        writeln!(self.out, "{}", safe(text.as_ref()))
    }

    /// A warning for people, on stderr.
    pub fn warn(&mut self, text: impl AsRef<str>) -> io::Result<()> {
        self.out.flush()?;
        writeln!(io::stderr(), "warning: {}", safe(text.as_ref()))
    }

    /// An error that does not stop the command, on stderr.
    pub fn error(&mut self, text: impl AsRef<str>) -> io::Result<()> {
        self.out.flush()?;
        writeln!(io::stderr(), "error: {}", safe(text.as_ref()))
    }

    /// A progress or status note, on stderr.
    pub fn status(&mut self, text: impl AsRef<str>) -> io::Result<()> {
        self.out.flush()?;
        writeln!(io::stderr(), "{}", safe(text.as_ref()))
    }
}

/// What reaches the terminal: long digit runs (phone and ID numbers taken from the data) masked,
/// and control characters (a crafted cell could hold terminal escapes) shown escaped.
pub fn safe(text: &str) -> String {
    crmkit_core::mask::mask_digit_runs(text)
        .chars()
        .flat_map(|c| {
            // Controls, and the bidirectional ones that would reorder the terminal's text.
            let hidden = c.is_control() || crmkit_core::normalize::is_bidi_control(c);
            let escaped: Vec<char> = if hidden && c != '\n' {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Renders rows as columns aligned by display width (a CJK character is two columns wide).
pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    // A line break inside a cell (a header typed on two lines) would break the layout.
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| cell.replace(['\r', '\n'], "⏎"))
                .collect()
        })
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if c + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[c].saturating_sub(cell.width()) + 2));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// 1234567 → 1,234,567.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
