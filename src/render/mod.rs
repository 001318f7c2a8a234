//! Everything workform prints goes through here: one printer, one place that decides
//! colour, and the renderers for plans, progress, diagnostics and state.

pub mod diag;
pub mod markdown;
pub mod plan;
pub mod progress;
pub mod values;

use std::io::{IsTerminal, Write};

use console::Style;

/// Colours used by the renderers (all plain when colour is off).
#[derive(Clone)]
pub struct Styles {
    pub green: Style,
    pub red: Style,
    pub yellow: Style,
    pub cyan: Style,
    pub bold: Style,
    pub dim: Style,
}

impl Styles {
    /// No colour at all (files, Markdown).
    pub fn plain() -> Styles {
        Styles::new(false)
    }

    fn new(color: bool) -> Styles {
        let s = |style: Style| style.force_styling(color);
        Styles {
            green: s(Style::new().green()),
            red: s(Style::new().red()),
            yellow: s(Style::new().yellow()),
            cyan: s(Style::new().cyan()),
            bold: s(Style::new().bold()),
            dim: s(Style::new().dim()),
        }
    }
}

/// The one printer.
#[derive(Clone)]
pub struct Printer {
    pub styles: Styles,
    pub color: bool,
}

impl Printer {
    /// Colour only on a terminal, never with `--no-color` or `NO_COLOR`.
    pub fn new(no_color: bool) -> Printer {
        let color = !no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        Printer {
            styles: Styles::new(color),
            color,
        }
    }

    /// Writes to stdout (a trailing newline is added when missing).
    pub fn out(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = stdout.write_all(b"\n");
        }
        let _ = stdout.flush();
    }

    /// Writes to stderr (a trailing newline is added when missing).
    pub fn err(&self, text: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = stderr.write_all(b"\n");
        }
        let _ = stderr.flush();
    }

    /// An error for the user: `Error: <message>` on stderr.
    pub fn error(&self, message: &str) {
        self.err(&format!(
            "{} {message}",
            self.styles.red.apply_to("Error:").bold()
        ));
    }

    /// A warning: `Warning: <message>` on stderr.
    pub fn warning(&self, message: &str) {
        self.err(&format!(
            "{} {message}",
            self.styles.yellow.apply_to("Warning:").bold()
        ));
    }

    /// Asks a question on stdout and reads one line; `None` when input is closed.
    pub fn prompt(&self, question: &str) -> Option<String> {
        self.out(question);
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(b"  Enter a value: ");
        let _ = stdout.flush();
        drop(stdout);
        let mut line = String::new();
        match std::io::stdin().read_line(&mut line) {
            Ok(0) | Err(_) => {
                self.out("");
                None
            }
            Ok(_) => {
                self.out("");
                Some(line.trim().to_string())
            }
        }
    }
}
