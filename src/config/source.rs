//! Source files, file ids and byte spans.
//!
//! Every expression and block keeps a [`Span`] into the text it was parsed from, so that a
//! diagnostic found much later (during planning) can still point at `main.wf.hcl:7:12` and
//! show the line with a caret.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// Identifies one file inside a [`Sources`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

impl FileId {
    /// The position of the file in its [`Sources`] (0-based).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start,
            end: range.end.max(range.start),
        }
    }

    /// The smallest span covering both (they must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

struct SourceFile {
    name: String,
    text: String,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

/// The texts of all files of a configuration (and of anything else parsed, such as a
/// `--var` value or a `templatefile` template). Cheap to clone.
#[derive(Clone)]
pub struct Sources {
    files: Arc<Vec<SourceFile>>,
}

impl fmt::Debug for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.files.iter().map(|file| &file.name))
            .finish()
    }
}

impl Default for Sources {
    fn default() -> Self {
        Sources::new(Vec::new())
    }
}

impl Sources {
    /// Builds a set from `(name, text)` pairs; ids are assigned in order.
    pub fn new(files: impl IntoIterator<Item = (String, String)>) -> Sources {
        let files = files
            .into_iter()
            .map(|(name, text)| {
                let mut line_starts = vec![0];
                line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
                SourceFile {
                    name,
                    text,
                    line_starts,
                }
            })
            .collect();
        Sources {
            files: Arc::new(files),
        }
    }

    /// A set holding one file, and that file's id.
    pub fn single(name: impl Into<String>, text: impl Into<String>) -> (Sources, FileId) {
        (Sources::new([(name.into(), text.into())]), FileId(0))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file's name as given when loading (e.g. `main.wf.hcl`).
    pub fn name(&self, file: FileId) -> &str {
        &self.files[file.index()].name
    }

    pub fn text(&self, file: FileId) -> &str {
        &self.files[file.index()].text
    }

    /// Every file: id, name and text, in load order.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &str, &str)> + '_ {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f.name.as_str(), f.text.as_str()))
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        let text = self.text(span.file);
        text.get(span.start.min(text.len())..span.end.min(text.len()))
            .unwrap_or("")
    }

    /// 1-based line and column (in characters) of the span's start.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        self.offset_line_col(span.file, span.start)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn offset_line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let f = &self.files[file.index()];
        let offset = offset.min(f.text.len());
        let line = match f.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = f.line_starts[line];
        let column = f
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line + 1, column)
    }

    /// `main.wf.hcl:3:10`.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.line_col(span);
        format!("{}:{line}:{col}", self.name(span.file))
    }

    /// Byte offset of a 1-based line/column pair (clamped to the text).
    pub fn offset_of(&self, file: FileId, line: usize, column: usize) -> usize {
        let f = &self.files[file.index()];
        let Some(&start) = f.line_starts.get(line.saturating_sub(1)) else {
            return f.text.len();
        };
        let rest = &f.text[start..];
        let byte = rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i);
        start + byte
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let (sources, file) = Sources::single("main.wf.hcl", "a = 1\nbb = \"é\"\n");
        assert_eq!(sources.line_col(Span::new(file, 0..1)), (1, 1));
        assert_eq!(sources.line_col(Span::new(file, 6..7)), (2, 1));
        assert_eq!(sources.location(Span::new(file, 11..12)), "main.wf.hcl:2:6");
        // after the two-byte é
        assert_eq!(sources.line_col(Span::new(file, 14..14)), (2, 8));
        assert_eq!(sources.offset_of(file, 2, 6), 11);
    }
}
