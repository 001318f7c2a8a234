//! Canonical formatting of `*.wf.hcl` and `*.wfvars` files (`workform fmt`).
//!
//! The formatter changes layout only: indentation, spacing around attribute `=`,
//! alignment, trailing blanks, blank lines, block-header spacing, line endings. It never
//! reflows an expression, a template, a heredoc or a comment. A file is parsed with
//! hcl-edit first; one with a syntax error is reported and left alone. As a safety net,
//! the result is parsed again and must mean exactly what the input meant, else the file
//! is left alone and the problem reported: a formatter must never change a configuration.

mod files;
mod layout;
mod scan;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::path::PathBuf;

use crate::config::{Diagnostic, Sources, Span};

pub use files::{Target, is_formattable, read_text, targets, write_preserving};

/// Why a file could not be formatted.
#[derive(Debug, thiserror::Error)]
pub enum FmtError {
    /// Not valid HCL: a diagnostic with `file:line:col`.
    #[error("{0}")]
    Syntax(Box<Diagnostic>),
    /// The formatted text would not mean what the input meant (a formatter bug).
    #[error(
        "{name}: workform fmt could not format this file without changing its meaning, so it \
         was left untouched. This is a bug in workform; please report it with the file."
    )]
    Unsafe { name: String },
    #[error("{}: no such file or directory", path.display())]
    NotFound { path: PathBuf },
    #[error(
        "{}: only *.wf.hcl and *.wfvars files can be formatted; name a configuration \
         directory or such a file",
        path.display()
    )]
    NotConfig { path: PathBuf },
    #[error("{}: not UTF-8 text; save the file as UTF-8 and run workform fmt again", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("{}: the file is read-only; make it writable or use --check", path.display())]
    ReadOnly { path: PathBuf },
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Formats one file's text; `name` is used in diagnostics. Input may use CRLF line
/// endings; output always uses LF.
pub fn format_source(name: &str, text: &str) -> Result<String, FmtError> {
    let text = normalize_newlines(text);
    if let Err(err) = hcl::edit::parser::parse_body(&text) {
        return Err(FmtError::Syntax(Box::new(syntax_error(name, &text, &err))));
    }
    let formatted = layout::render(&scan::scan(&text));
    if formatted != text && !same_meaning(&text, &formatted) {
        return Err(FmtError::Unsafe {
            name: name.to_string(),
        });
    }
    Ok(formatted)
}

/// The safety net: both texts parse to the same structure, the same expressions and the
/// same template text (hcl-rs's body model drops only comments and layout).
fn same_meaning(original: &str, formatted: &str) -> bool {
    let parse = |text: &str| hcl::edit::parser::parse_body(text).map(hcl::Body::from);
    match (parse(original), parse(formatted)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if text.contains("\r\n") {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// An hcl-edit parse error as a diagnostic pointing at its line and column.
fn syntax_error(name: &str, text: &str, err: &hcl::edit::parser::Error) -> Diagnostic {
    let (sources, file) = Sources::single(name, text);
    let loc = err.location();
    let start = sources.offset_of(file, loc.line(), loc.column());
    // Underline one character, unless the error is at the end of a line.
    let end = text[start..]
        .chars()
        .next()
        .filter(|c| *c != '\n')
        .map_or(start, |c| start + c.len_utf8());
    let mut message = err.message().to_string();
    if let Some(first) = message.get(..1) {
        message = first.to_uppercase() + &message[1..];
    }
    Diagnostic::error("Invalid HCL syntax")
        .with_detail(message)
        .with_help("Fix the syntax error; workform fmt leaves a file it cannot parse untouched.")
        .at(&sources, Span::new(file, start..end), "syntax error here")
}
