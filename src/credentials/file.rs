//! The credentials file: `~/.config/workform/credentials.toml` (or under `$XDG_CONFIG_HOME`).
//!
//! A small TOML subset, parsed here rather than with a TOML crate:
//!
//! ```toml
//! current = "work"
//!
//! [profiles.work]
//! region = "eu"          # or host = "https://app.eu.workato.com"
//! token  = "..."
//! ```
//!
//! Only string values (basic `"..."` with escapes, or literal `'...'`), `#` comments, a
//! top-level `current` and `[profiles.NAME]` tables with `host`, `region` and `token`.
//! The file must be private (mode 0600): a token others can read is refused, and it is
//! always written 0600 in a 0700 directory. Error messages name lines and keys, never
//! values: a token must not end up in a terminal because of a typo.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::workato::Token;

/// One profile: where a workspace lives and the token for it.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub host: Option<String>,
    pub region: Option<String>,
    pub token: Option<Token>,
}

/// The whole file.
#[derive(Debug, Clone, Default)]
pub struct ProfilesFile {
    /// The profile used when `--profile` is not given.
    pub current: Option<String>,
    pub profiles: BTreeMap<String, Profile>,
}

/// Why the file cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(
        "refusing to read {path}: it is accessible by other users (mode {mode:04o}) and holds API tokens. Fix it with: chmod 600 {path}"
    )]
    Insecure { path: String, mode: u32 },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}, line {line}: {message}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
    },
}

/// A syntax error, before the path is known.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Where the credentials file lives: `$XDG_CONFIG_HOME/workform/credentials.toml` when
/// that is an absolute path (the XDG spec says to ignore relative ones), else
/// `$HOME/.config/workform/credentials.toml`.
pub fn path_from(xdg_config_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let config = match xdg_config_home.map(PathBuf::from) {
        Some(xdg) if xdg.is_absolute() => xdg,
        _ => {
            let home = PathBuf::from(home.filter(|h| !h.is_empty())?);
            home.join(".config")
        }
    };
    Some(config.join("workform").join("credentials.toml"))
}

/// The credentials file path for this process's environment.
pub fn default_path() -> Option<PathBuf> {
    path_from(
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    )
}

/// Reads the file; `None` when it does not exist. Refuses a file other users can access.
pub fn load(path: &Path) -> Result<Option<ProfilesFile>, FileError> {
    let shown = path.display().to_string();
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(FileError::Read {
                path: shown,
                source,
            });
        }
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(FileError::Insecure { path: shown, mode });
    }
    let text = fs::read_to_string(path).map_err(|source| FileError::Read {
        path: shown.clone(),
        source,
    })?;
    ProfilesFile::parse(&text)
        .map(Some)
        .map_err(|e| FileError::Syntax {
            path: shown,
            line: e.line,
            message: e.message,
        })
}

/// Writes the file atomically (a private temporary file renamed over it), mode 0600, in a
/// directory created 0700.
pub fn save(path: &Path, file: &ProfilesFile) -> Result<(), FileError> {
    let shown = path.display().to_string();
    let err = |source| FileError::Write {
        path: shown.clone(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(err)?;
    let tmp = dir.join(format!(".credentials.toml.{}.tmp", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let written = (|| {
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        out.write_all(file.render().as_bytes())?;
        out.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.map_err(err)
}

/// Whether `name` can be a profile name: letters, digits, `-` and `_`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl ProfilesFile {
    pub fn parse(text: &str) -> Result<ProfilesFile, ParseError> {
        let mut file = ProfilesFile::default();
        let mut section: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let fail = |message: String| ParseError { line, message };
            let mut cur = Cursor { rest: raw.trim() };
            if cur.rest.is_empty() || cur.rest.starts_with('#') {
                continue;
            }
            if cur.eat('[') {
                if cur.rest.starts_with('[') {
                    return Err(fail("arrays of tables ([[...]]) are not supported".into()));
                }
                let path = cur.header().map_err(fail)?;
                match path.as_slice() {
                    [root, name] if root == "profiles" => {
                        if file.profiles.contains_key(name) {
                            return Err(fail(format!("profile {name:?} is defined twice")));
                        }
                        file.profiles.insert(name.clone(), Profile::default());
                        section = Some(name.clone());
                    }
                    _ => {
                        return Err(fail(format!(
                            "unexpected table [{}]: only [profiles.NAME] tables are allowed",
                            path.join(".")
                        )));
                    }
                }
                continue;
            }
            let key = cur.key().map_err(fail)?;
            if !cur.eat('=') {
                return Err(fail(format!("expected `=` after {key:?}")));
            }
            let value = cur
                .string()
                .map_err(|m| fail(format!("value of {key:?}: {m}")))?;
            cur.end().map_err(fail)?;
            match (&section, key.as_str()) {
                (None, "current") => {
                    if file.current.replace(value).is_some() {
                        return Err(fail("`current` is set twice".into()));
                    }
                }
                (None, other) => {
                    return Err(fail(format!(
                        "unexpected key {other:?} outside a [profiles.NAME] table (only `current` belongs there)"
                    )));
                }
                (Some(name), key) => {
                    let profile = file.profiles.get_mut(name).expect("section was inserted");
                    let slot_taken = match key {
                        "host" => profile.host.replace(value).is_some(),
                        "region" => profile.region.replace(value).is_some(),
                        "token" => profile.token.replace(Token::new(value)).is_some(),
                        other => {
                            return Err(fail(format!(
                                "unknown key {other:?} in profile {name:?}: expected host, region or token"
                            )));
                        }
                    };
                    if slot_taken {
                        return Err(fail(format!("{key:?} is set twice in profile {name:?}")));
                    }
                }
            }
        }
        Ok(file)
    }

    /// The file's text (comments written by hand are not kept).
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# workform credentials, written by `workform profiles`. Keep this file private (mode 0600).\n",
        );
        if let Some(current) = &self.current {
            out.push_str(&format!("current = {}\n", quote(current)));
        }
        for (name, profile) in &self.profiles {
            let header = if valid_name(name) {
                name.clone()
            } else {
                quote(name)
            };
            out.push_str(&format!("\n[profiles.{header}]\n"));
            if let Some(host) = &profile.host {
                out.push_str(&format!("host = {}\n", quote(host)));
            }
            if let Some(region) = &profile.region {
                out.push_str(&format!("region = {}\n", quote(region)));
            }
            if let Some(token) = &profile.token {
                out.push_str(&format!("token = {}\n", quote(token.expose())));
            }
        }
        out
    }
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A position in one line.
struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Nothing but spaces and a comment remain.
    fn end(&mut self) -> Result<(), String> {
        self.skip_space();
        if self.rest.is_empty() || self.rest.starts_with('#') {
            Ok(())
        } else {
            Err("unexpected text after the value".into())
        }
    }

    /// A bare key (`A-Za-z0-9_-`) or a quoted one.
    fn key(&mut self) -> Result<String, String> {
        self.skip_space();
        if self.rest.starts_with(['"', '\'']) {
            return self.string();
        }
        let len = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(self.rest.len());
        if len == 0 {
            return Err(
                "expected a key such as `token = \"...\"` or a table such as [profiles.NAME]"
                    .into(),
            );
        }
        let key = self.rest[..len].to_string();
        self.rest = &self.rest[len..];
        Ok(key)
    }

    /// The dotted key path of a `[a.b]` header, after the `[`.
    fn header(&mut self) -> Result<Vec<String>, String> {
        let mut path = vec![self.key()?];
        loop {
            if self.eat(']') {
                self.end()?;
                return Ok(path);
            }
            if !self.eat('.') {
                return Err("malformed table header: expected [profiles.NAME]".into());
            }
            path.push(self.key()?);
        }
    }

    /// A basic (`"..."`, with escapes) or literal (`'...'`) string.
    fn string(&mut self) -> Result<String, String> {
        self.skip_space();
        if self.rest.starts_with("\"\"\"") || self.rest.starts_with("'''") {
            return Err("multi-line strings are not supported".into());
        }
        if let Some(rest) = self.rest.strip_prefix('\'') {
            let end = rest.find('\'').ok_or("unterminated string")?;
            self.rest = &rest[end + 1..];
            return Ok(rest[..end].to_string());
        }
        let Some(rest) = self.rest.strip_prefix('"') else {
            return Err("expected a quoted string".into());
        };
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = &rest[i + 1..];
                    return Ok(out);
                }
                '\\' => {
                    let (_, e) = chars.next().ok_or("unterminated string")?;
                    match e {
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' | 'U' => {
                            let len = if e == 'u' { 4 } else { 8 };
                            let hex: String = (0..len)
                                .filter_map(|_| chars.next().map(|(_, h)| h))
                                .collect();
                            let code = u32::from_str_radix(&hex, 16)
                                .ok()
                                .filter(|_| hex.len() == len);
                            out.push(code.and_then(char::from_u32).ok_or("invalid \\u escape")?);
                        }
                        _ => return Err("invalid escape sequence".into()),
                    }
                }
                c if c.is_control() && c != '\t' => {
                    return Err("control character in a string".into());
                }
                c => out.push(c),
            }
        }
        Err("unterminated string".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
# mine
current = "work"   # the default

[profiles.work]
region = "eu"
token  = "tok-\"q\"-\u00e9"

[profiles."my staging"]
host = 'https://workato.acme.test'
"#;

    #[test]
    fn the_subset_parses() {
        let file = ProfilesFile::parse(SAMPLE).unwrap();
        assert_eq!(file.current.as_deref(), Some("work"));
        let work = &file.profiles["work"];
        assert_eq!(work.region.as_deref(), Some("eu"));
        assert_eq!(work.token.as_ref().unwrap().expose(), "tok-\"q\"-é");
        let staging = &file.profiles["my staging"];
        assert_eq!(staging.host.as_deref(), Some("https://workato.acme.test"));
        assert!(staging.token.is_none());
    }

    #[test]
    fn render_round_trips() {
        let file = ProfilesFile::parse(SAMPLE).unwrap();
        let text = file.render();
        let again = ProfilesFile::parse(&text).unwrap();
        assert_eq!(again.current, file.current);
        assert_eq!(again.profiles.len(), 2);
        assert_eq!(
            again.profiles["work"].token.as_ref().unwrap().expose(),
            "tok-\"q\"-é"
        );
        assert_eq!(
            again.profiles["my staging"].host,
            file.profiles["my staging"].host
        );
        assert_eq!(again.render(), text);
    }

    #[test]
    fn errors_name_the_line_and_never_the_value() {
        let cases = [
            ("[profiles.a]\ntoken = \"s3cret", 2, "unterminated"),
            (
                "[profiles.a]\ntokne = \"s3cret\"",
                2,
                "unknown key \"tokne\"",
            ),
            ("token = \"s3cret\"", 1, "outside a [profiles.NAME] table"),
            ("[other]\n", 1, "only [profiles.NAME]"),
            ("[profiles.a]\n[profiles.a]", 2, "defined twice"),
            (
                "[profiles.a]\ntoken = \"s3cret\" extra",
                2,
                "after the value",
            ),
            (
                "[profiles.a]\ntoken = s3cret",
                2,
                "expected a quoted string",
            ),
            ("[[profiles]]", 1, "arrays of tables"),
            ("[profiles.a]\ntoken = \"s3\\qcret\"", 2, "invalid escape"),
        ];
        for (text, line, needle) in cases {
            let err = ProfilesFile::parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text}");
            assert!(err.message.contains(needle), "{text}: {}", err.message);
            assert!(!err.message.contains("s3"), "{}", err.message);
        }
    }

    #[test]
    fn the_path_follows_xdg() {
        let p = path_from(Some("/x/cfg".into()), Some("/home/u".into())).unwrap();
        assert_eq!(p, PathBuf::from("/x/cfg/workform/credentials.toml"));
        let p = path_from(Some("relative".into()), Some("/home/u".into())).unwrap();
        assert_eq!(
            p,
            PathBuf::from("/home/u/.config/workform/credentials.toml")
        );
        let p = path_from(None, Some("/home/u".into())).unwrap();
        assert_eq!(
            p,
            PathBuf::from("/home/u/.config/workform/credentials.toml")
        );
        assert_eq!(path_from(None, None), None);
    }

    #[test]
    fn files_are_private_and_loose_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/workform/credentials.toml");
        assert!(load(&path).unwrap().is_none());
        let mut file = ProfilesFile::default();
        file.profiles.insert(
            "a".into(),
            Profile {
                token: Some(Token::new("s3cret")),
                ..Profile::default()
            },
        );
        save(&path, &file).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
        assert_eq!(
            load(&path).unwrap().unwrap().profiles["a"]
                .token
                .as_ref()
                .unwrap()
                .expose(),
            "s3cret"
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
        assert!(err.contains("0644"), "{err}");
        assert!(!err.contains("s3cret"));
    }

    #[test]
    fn profile_names() {
        assert!(valid_name("work-eu_2"));
        assert!(!valid_name(""));
        assert!(!valid_name("a b"));
        assert!(!valid_name("a.b"));
    }
}
