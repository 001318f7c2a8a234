//! Diagnostics: what the user sees when a configuration is wrong.
//!
//! A [`Diagnostic`] has a Terraform-style summary ("Unsupported attribute"), an optional
//! detail sentence, an optional help line and optionally a primary span. Its `Display` puts
//! the location first (`main.wf.hcl:7:12: Unsupported attribute: ...`) so the location shows
//! in every rendering, including miette's narrated output and plain `to_string()`; through
//! miette's graphical handler it also shows the source line with a caret under the span.

use std::fmt;

use miette::{LabeledSpan, MietteError, MietteSpanContents, Severity, SourceCode, SpanContents};

use super::source::{FileId, Sources, Span};

/// One error or warning.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    summary: String,
    detail: Option<String>,
    help: Option<String>,
    warning: bool,
    primary: Option<Primary>,
}

#[derive(Debug, Clone)]
struct Primary {
    span: Span,
    label: String,
    location: String,
    source: FileSource,
}

/// One file of a [`Sources`] set, as miette source code (named, so the graphical handler
/// prints `╭─[main.wf.hcl:7:12]`).
#[derive(Debug, Clone)]
struct FileSource {
    sources: Sources,
    file: FileId,
}

impl SourceCode for FileSource {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.sources.text(self.file);
        let inner = text.read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.sources.name(self.file).to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl Diagnostic {
    /// An error with a one-line summary.
    pub fn error(summary: impl Into<String>) -> Self {
        Diagnostic {
            summary: summary.into(),
            detail: None,
            help: None,
            warning: false,
            primary: None,
        }
    }

    /// A warning (reported, but does not stop the run).
    pub fn warning(summary: impl Into<String>) -> Self {
        Diagnostic {
            warning: true,
            ..Diagnostic::error(summary)
        }
    }

    /// Adds the explanatory sentence shown after the summary.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Points the diagnostic at a span; `label` is printed under the caret (may be empty).
    pub fn at(mut self, sources: &Sources, span: Span, label: impl Into<String>) -> Self {
        let span = clamp(sources, span);
        self.primary = Some(Primary {
            span,
            label: label.into(),
            location: sources.location(span),
            source: FileSource {
                sources: sources.clone(),
                file: span.file,
            },
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    pub fn label(&self) -> Option<&str> {
        self.primary.as_ref().map(|p| p.label.as_str())
    }

    pub fn is_warning(&self) -> bool {
        self.warning
    }

    pub fn span(&self) -> Option<Span> {
        self.primary.as_ref().map(|p| p.span)
    }

    /// `main.wf.hcl:3:10` when the diagnostic has a span.
    pub fn location(&self) -> Option<String> {
        self.primary.as_ref().map(|p| p.location.clone())
    }
}

fn clamp(sources: &Sources, span: Span) -> Span {
    let len = sources.text(span.file).len();
    let start = span.start.min(len);
    Span {
        file: span.file,
        start,
        end: span.end.clamp(start, len),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(primary) = &self.primary {
            write!(f, "{}: ", primary.location)?;
        }
        f.write_str(&self.summary)?;
        // Without a detail sentence, the label carries the explanation: show it too, so
        // plain renderings (logs, JSON) are as informative as the graphical one.
        let label = self
            .primary
            .as_ref()
            .map(|p| p.label.as_str())
            .filter(|l| !l.is_empty());
        if let Some(detail) = self.detail.as_deref().or(label) {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn severity(&self) -> Option<Severity> {
        Some(if self.warning {
            Severity::Warning
        } else {
            Severity::Error
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.primary.as_ref().map(|p| &p.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let p = self.primary.as_ref()?;
        let label = (!p.label.is_empty()).then(|| p.label.clone());
        let span = LabeledSpan::new_primary_with_span(label, (p.span.start, p.span.len()));
        Some(Box::new(std::iter::once(span)))
    }
}

/// Several diagnostics, reported together ("several errors reported at once").
///
/// `Display` is the single diagnostic when there is exactly one, else a count such as
/// `3 errors`; through miette, each diagnostic is rendered as a related diagnostic.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// True when at least one entry is an error (not a warning).
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| !d.warning)
    }

    /// `Err(self)` when any error is present, else `Ok(value)`.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(value)
        }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.0.as_slice() {
            return only.fmt(f);
        }
        let errors = self.0.iter().filter(|d| !d.warning).count();
        let warnings = self.0.len() - errors;
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        match (errors, warnings) {
            (_, 0) => f.write_str(&plural(errors, "error")),
            (0, _) => f.write_str(&plural(warnings, "warning")),
            _ => write!(
                f,
                "{} and {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        }
    }
}

impl std::error::Error for Diagnostics {}

impl miette::Diagnostic for Diagnostics {
    fn severity(&self) -> Option<Severity> {
        match self.0.as_slice() {
            [only] => only.severity(),
            _ if self.has_errors() => Some(Severity::Error),
            _ => Some(Severity::Warning),
        }
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.0.as_slice() {
            [only] => miette::Diagnostic::help(only),
            _ => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self.0.as_slice() {
            [only] => only.source_code(),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self.0.as_slice() {
            [only] => only.labels(),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.0.len() <= 1 {
            return None;
        }
        Some(Box::new(
            self.0.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(diag: &dyn miette::Diagnostic) -> String {
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, diag)
            .unwrap();
        out
    }

    #[test]
    fn location_shows_in_display_and_graphical_output() {
        let (sources, file) = Sources::single("main.wf.hcl", "a = 1\nb = foo.bar\n");
        let d = Diagnostic::error("Unknown reference")
            .with_detail("\"foo\" is not a valid reference.")
            .at(&sources, Span::new(file, 10..17), "not a reference");
        assert_eq!(d.location().as_deref(), Some("main.wf.hcl:2:5"));
        assert!(
            d.to_string()
                .starts_with("main.wf.hcl:2:5: Unknown reference")
        );
        let out = render(&d);
        assert!(out.contains("main.wf.hcl:2:5"), "{out}");
        assert!(out.contains("b = foo.bar"), "{out}");
        assert!(out.contains("not a reference"), "{out}");

        let mut narrated = String::new();
        miette::NarratableReportHandler::new()
            .render_report(&mut narrated, &d)
            .unwrap();
        assert!(narrated.contains("main.wf.hcl:2:5"), "{narrated}");
    }

    #[test]
    fn several_diagnostics_name_the_count() {
        let (sources, file) = Sources::single("main.wf.hcl", "a = 1\nb = 2\n");
        let mut all = Diagnostics::new();
        all.push(Diagnostic::error("one").at(&sources, Span::new(file, 0..1), ""));
        all.push(Diagnostic::error("two").at(&sources, Span::new(file, 6..7), ""));
        assert_eq!(all.to_string(), "2 errors");
        let out = render(&all);
        assert!(out.contains("main.wf.hcl:1:1: one"), "{out}");
        assert!(out.contains("main.wf.hcl:2:1: two"), "{out}");
    }
}
