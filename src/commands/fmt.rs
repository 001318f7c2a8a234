//! `workform fmt [--check] [--diff] [FILE...]`: rewrite configuration and variable files
//! in canonical form, like `terraform fmt`.
//!
//! Prints the name of every file it changes (or, with `--check`, would change). A file
//! with a syntax error is reported with its location and left untouched; the others are
//! still formatted. `-` formats standard input to standard output.

use std::io::Read;
use std::path::Path;

use similar::TextDiff;

use super::{CmdError, exit};
use crate::cli::FmtArgs;
use crate::config::Diagnostics;
use crate::fmt::{self, FmtError, Target};
use crate::render::Printer;

pub fn run(printer: Printer, dir: &Path, args: &FmtArgs) -> Result<u8, CmdError> {
    if args.files.iter().any(|f| f == Path::new("-")) {
        return stdin(&printer, args);
    }
    let targets = fmt::targets(dir, &args.files).map_err(|e| CmdError::Message(e.to_string()))?;

    let mut syntax = Diagnostics::new();
    let mut failed = false;
    let mut changed = 0usize;
    for target in &targets {
        match format_file(&printer, target, args) {
            Ok(true) => changed += 1,
            Ok(false) => {}
            Err(FmtError::Syntax(diag)) => syntax.push(*diag),
            Err(other) => {
                printer.error(&other.to_string());
                failed = true;
            }
        }
    }

    if !syntax.is_empty() {
        printer.err(&crate::render::diag::render(&syntax, printer.color));
        printer.error(&format!(
            "{} file(s) not formatted because of syntax errors; they were left untouched.",
            syntax.len()
        ));
    }
    if failed || !syntax.is_empty() {
        return Err(CmdError::Reported);
    }
    if args.check && changed > 0 {
        printer.err(&format!(
            "{changed} file(s) not in canonical format; run `workform fmt` to fix them."
        ));
        return Ok(exit::UNFORMATTED);
    }
    Ok(exit::OK)
}

/// Formats one file; true when it is (or, with `--check`, would be) changed.
fn format_file(printer: &Printer, target: &Target, args: &FmtArgs) -> Result<bool, FmtError> {
    let text = fmt::read_text(target)?;
    let formatted = fmt::format_source(&target.display, &text)?;
    if formatted == text {
        return Ok(false);
    }
    if !args.check {
        fmt::write_preserving(&target.path, &formatted)?;
    }
    printer.out(&target.display);
    if args.diff {
        printer.out(&diff(printer, &target.display, &text, &formatted));
    }
    Ok(true)
}

/// `workform fmt -`: standard input to standard output (for editors and pipes).
fn stdin(printer: &Printer, args: &FmtArgs) -> Result<u8, CmdError> {
    if args.files.len() > 1 {
        return Err(CmdError::Message(
            "\"-\" (standard input) cannot be combined with other files; format them in a \
             separate run"
                .to_string(),
        ));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CmdError::Message(format!("cannot read standard input as UTF-8 text: {e}")))?;
    let formatted = match fmt::format_source("<stdin>", &text) {
        Ok(f) => f,
        Err(FmtError::Syntax(diag)) => return Err(CmdError::Config(Diagnostics(vec![*diag]))),
        Err(other) => return Err(CmdError::Message(other.to_string())),
    };
    let changed = formatted != text;
    if args.diff {
        if changed {
            printer.out(&diff(printer, "<stdin>", &text, &formatted));
        }
    } else if !args.check && !formatted.is_empty() {
        printer.out(&formatted);
    }
    Ok(if args.check && changed {
        exit::UNFORMATTED
    } else {
        exit::OK
    })
}

/// A unified diff from the file as it is to the file as formatted, coloured when the
/// printer is.
fn diff(printer: &Printer, name: &str, old: &str, new: &str) -> String {
    let name = name.trim_start_matches("./").trim_start_matches('/');
    let (old_name, new_name) = (format!("old/{name}"), format!("new/{name}"));
    let text = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &new_name)
        .to_string();
    if !printer.color {
        return text;
    }
    let s = &printer.styles;
    text.lines()
        .map(|line| {
            if line.starts_with("+++") || line.starts_with("---") {
                s.bold.apply_to(line).to_string()
            } else if line.starts_with('+') {
                s.green.apply_to(line).to_string()
            } else if line.starts_with('-') {
                s.red.apply_to(line).to_string()
            } else if line.starts_with("@@") {
                s.cyan.apply_to(line).to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
