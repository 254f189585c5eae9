//! Where to load: `sqlite:PATH` (a file, created when missing) or `postgres://...`.
//!
//! A PostgreSQL password comes from the URL, `PGPASSWORD`, or the password file (`PGPASSFILE`,
//! else `~/.pgpass`, the libpq format), and is never shown: [`DbUrl::masked`] replaces it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{Error, Result};

/// A parsed database location.
#[derive(Debug, Clone)]
pub enum DbUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl DbUrl {
    /// Parses `sqlite:PATH`, `sqlite://PATH` or a PostgreSQL URL.
    pub fn parse(text: &str) -> Result<DbUrl> {
        let bad = |why: &str| Error::BadUrl {
            url: mask_password(text),
            why: why.to_string(),
        };
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(bad("sqlite: 后面缺少文件路径"));
            }
            // SQLite's in-memory database (and its `file:` URIs) would vanish at exit with
            // everything loaded into it.
            if path == ":memory:" || path.starts_with("file:") {
                return Err(bad(
                    "内存数据库在命令结束时就会消失; 请给出数据库文件路径, 如 sqlite:crm.db",
                ));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            postgres::Config::from_str(text).map_err(|e| bad(&e.to_string()))?;
            return Ok(DbUrl::Postgres(text.to_string()));
        }
        Err(bad("应以 sqlite: 或 postgres:// 开头"))
    }

    /// The location for messages, password replaced by `***`.
    pub fn masked(&self) -> String {
        match self {
            DbUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
            DbUrl::Postgres(url) => mask_password(url),
        }
    }

    /// The PostgreSQL configuration, with the password filled in from `PGPASSWORD` or the
    /// password file when the URL has none.
    pub fn postgres_config(&self) -> Option<postgres::Config> {
        let DbUrl::Postgres(url) = self else {
            return None;
        };
        let mut config = postgres::Config::from_str(url).ok()?;
        if config.get_password().is_none() {
            if let Some(password) = password_from_environment(&config) {
                config.password(password);
            }
        }
        Some(config)
    }
}

/// Replaces the password of a URL (`user:secret@host`, `password=secret`) with `***`.
pub fn mask_password(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = rest_start + colon + 1;
                out.replace_range(start..rest_start + at, "***");
            }
        }
    }
    if let Some(i) = out.find("password=") {
        let start = i + "password=".len();
        let end = out[start..].find('&').map_or(out.len(), |j| start + j);
        out.replace_range(start..end, "***");
    }
    out
}

/// `PGPASSWORD`, else the matching line of the password file.
fn password_from_environment(config: &postgres::Config) -> Option<String> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Some(password);
    }
    let file = match std::env::var_os("PGPASSFILE") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".pgpass"),
    };
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default().to_string();
    let dbname = config.get_dbname().unwrap_or(&user).to_string();
    pgpass_lookup(&file, &[&host, &port, &dbname, &user])
}

/// The password of the first line of a libpq password file matching `host:port:db:user`
/// (`*` matches anything; `\:` and `\\` are escapes).
fn pgpass_lookup(file: &Path, wanted: &[&str; 4]) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let parts = split_pgpass(line);
        if parts.len() != 5 {
            continue;
        }
        if parts[..4]
            .iter()
            .zip(wanted)
            .all(|(pattern, value)| pattern == "*" || pattern == value)
        {
            return Some(parts[4].clone());
        }
    }
    None
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => part.extend(chars.next()),
            ':' if parts.len() < 4 => parts.push(std::mem::take(&mut part)),
            _ => part.push(c),
        }
    }
    parts.push(part);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_masks() {
        assert!(
            matches!(DbUrl::parse("sqlite:crm.db"), Ok(DbUrl::Sqlite(p)) if p == Path::new("crm.db"))
        );
        assert!(
            matches!(DbUrl::parse("sqlite:///tmp/crm.db"), Ok(DbUrl::Sqlite(p)) if p == Path::new("/tmp/crm.db"))
        );
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("sqlite:").is_err());
        assert!(DbUrl::parse("sqlite::memory:").is_err());
        assert!(DbUrl::parse("sqlite:file:crm.db?mode=memory").is_err());
        let url = DbUrl::parse("postgres://crm:s3cret@db.example:5433/crm").unwrap();
        assert_eq!(url.masked(), "postgres://crm:***@db.example:5433/crm");
        assert_eq!(
            mask_password("postgresql://u@h/db?password=abc&sslmode=disable"),
            "postgresql://u@h/db?password=***&sslmode=disable"
        );
        // A bad URL's error does not echo the password either.
        let err = DbUrl::parse("postgres://u:topsecret@h:notaport/db").unwrap_err();
        assert!(!err.to_string().contains("topsecret"), "{err}");
    }

    #[test]
    fn reads_the_password_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:5432:*:crm:nope\nlocalhost:5432:*:crm:pa\\:ss\n*:*:*:*:fallback\n",
        )
        .unwrap();
        assert_eq!(
            pgpass_lookup(&file, &["localhost", "5432", "crm", "crm"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(&file, &["db", "5433", "x", "y"]).as_deref(),
            Some("fallback")
        );
    }
}
