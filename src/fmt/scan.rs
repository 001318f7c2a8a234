//! The line scanner: a small HCL lexer that knows just enough (strings, templates,
//! heredocs, comments, brackets, `=`) to say, for every physical line, how deep it is
//! nested and where its attribute `=` and trailing comment are.
//!
//! It works on lines rather than on hcl-edit's AST because formatting is about lines:
//! indentation, alignment of `=` across neighbouring lines and comment placement. The AST
//! keeps comments and whitespace as opaque "decor" strings spread over many nodes, which
//! makes line-level decisions awkward; `terraform fmt` (hclwrite) is token-based for the
//! same reason. The input has already been parsed by hcl-edit, so the scanner may assume
//! valid syntax; on anything surprising it degrades to keeping text as written.

/// What an open construct is. Only brackets and template interpolations count for
/// indentation; strings and heredocs make their lines literal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `{`, `[` or `(` in code.
    Bracket,
    /// `${` or `%{` inside a quoted string or heredoc.
    Interp,
    /// A quoted string `"…"`.
    Quote,
    /// A heredoc body, closed by a line holding only its marker.
    Heredoc,
}

#[derive(Debug, Clone, Copy)]
struct Open<'a> {
    kind: Kind,
    /// Indent level of the line that opened it: lines inside sit one level deeper.
    indent: usize,
    /// The heredoc's closing marker (empty for other kinds).
    marker: &'a str,
}

/// One physical line, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Line<'a> {
    /// A line that starts in code: re-indented and normalised.
    Code(CodeLine<'a>),
    /// A line that starts inside a heredoc, a block comment or a string: its text is
    /// content, kept as written (only trailing blanks go, and only where they are not
    /// part of a value).
    Verbatim { text: &'a str, trim: bool },
}

/// A line of code, split into the parts the layout pass arranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CodeLine<'a> {
    /// Nesting level (two spaces each).
    pub indent: usize,
    /// The text without indentation, trailing comment and trailing blanks. For a line
    /// holding only a comment, that comment.
    pub code: &'a str,
    /// A block header (`resource "a" "b" {`): its words, and what follows the `{`.
    pub header: Option<Header<'a>>,
    /// Byte offset in `code` of the attribute `=` (the line's first `=`, outside brackets,
    /// with something before it).
    pub eq: Option<usize>,
    /// The `=` line is a whole single-line attribute (its value closes every bracket it
    /// opens), so it joins an alignment group.
    pub aligned: bool,
    /// A `#` or `//` comment after code.
    pub comment: Option<&'a str>,
}

impl CodeLine<'_> {
    pub fn is_blank(&self) -> bool {
        self.code.is_empty() && self.comment.is_none()
    }
}

/// `ident label… {` at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Header<'a> {
    pub words: Vec<&'a str>,
    /// Text after the `{` (a one-line block's body and its `}`), as written.
    pub rest: &'a str,
}

/// Facts gathered while scanning the code part of one line.
#[derive(Default)]
struct Facts {
    /// Something other than whitespace has been seen on this line.
    has_code: bool,
    /// Bracket depth relative to the line's start (after its leading closers).
    depth: i64,
    /// The first `=` of the line, if it was outside brackets with code before it.
    eq: Option<usize>,
    /// A `=` has been seen (only the first one matters).
    seen_eq: bool,
    /// Brackets opened minus closed after the attribute `=`.
    after_eq: i64,
    /// Where a trailing line comment starts.
    comment: Option<usize>,
}

impl Facts {
    fn code(&mut self) {
        self.has_code = true;
    }

    fn open(&mut self) {
        self.has_code = true;
        self.depth += 1;
        if self.eq.is_some() {
            self.after_eq += 1;
        }
    }

    fn close(&mut self) {
        self.has_code = true;
        self.depth -= 1;
        if self.eq.is_some() {
            self.after_eq -= 1;
        }
    }

    fn equals(&mut self, at: usize) {
        if !self.seen_eq {
            self.seen_eq = true;
            if self.depth == 0 && self.has_code {
                self.eq = Some(at);
            }
        }
        self.has_code = true;
    }
}

/// Splits `text` (LF line endings) into classified lines.
pub(super) fn scan(text: &str) -> Vec<Line<'_>> {
    let mut scanner = Scanner::default();
    let mut lines: Vec<&str> = text.split('\n').collect();
    // A final newline ends the last line; it does not start another.
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines.into_iter().map(|line| scanner.line(line)).collect()
}

#[derive(Default)]
struct Scanner<'a> {
    stack: Vec<Open<'a>>,
    /// Inside a `/* … */` comment.
    in_comment: bool,
    /// Indent of the last code line: what constructs opened on verbatim lines (after a
    /// heredoc's marker, say) nest under.
    indent: usize,
}

const BLANKS: [char; 3] = [' ', '\t', '\r'];

impl<'a> Scanner<'a> {
    fn top(&self) -> Option<Kind> {
        self.stack.last().map(|o| o.kind)
    }

    /// Inside a string or heredoc somewhere up the stack: the line is content.
    fn in_literal_context(&self) -> bool {
        self.stack
            .iter()
            .any(|o| matches!(o.kind, Kind::Quote | Kind::Heredoc))
    }

    fn push(&mut self, kind: Kind, marker: &'a str) {
        self.stack.push(Open {
            kind,
            indent: self.indent,
            marker,
        });
    }

    fn line(&mut self, text: &'a str) -> Line<'a> {
        if self.in_comment || self.in_literal_context() {
            return self.verbatim(text);
        }
        let body = text.trim_start_matches([' ', '\t']);
        let start = text.len() - body.len();

        // Closing brackets that start the line put it at the level of the line that
        // opened the last of them, so `}`, `})` and `}, {` line up with their opener.
        let mut pos = start;
        let mut closed: Option<usize> = None;
        let bytes = text.as_bytes();
        while pos < bytes.len() && matches!(bytes[pos], b'}' | b']' | b')') {
            match self.stack.last() {
                Some(open) if open.kind == Kind::Bracket => {
                    closed = Some(open.indent);
                    self.stack.pop();
                }
                _ => break,
            }
            pos += 1;
            while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t') {
                pos += 1;
            }
        }
        let indent = closed.unwrap_or_else(|| self.stack.last().map_or(0, |o| o.indent + 1));
        self.indent = indent;

        let mut facts = Facts {
            has_code: pos > start,
            ..Facts::default()
        };
        self.scan_from(text, pos, &mut facts);

        let cut = facts.comment.unwrap_or(text.len());
        let code = text[start..cut].trim_end_matches(BLANKS);
        // A line that ends inside a string or heredoc (even inside an interpolation, whose
        // blanks are part of the template's text) keeps its trailing blanks.
        let code = if self.in_literal_context() && facts.comment.is_none() {
            &text[start..]
        } else {
            code
        };
        let comment = facts.comment.map(|c| text[c..].trim_end_matches(BLANKS));
        let header = if closed.is_none() { header(code) } else { None };
        let eq = facts.eq.map(|at| at - start);
        CodeLine {
            indent,
            code,
            header,
            eq,
            aligned: eq.is_some() && facts.after_eq == 0,
            comment,
        }
        .into()
    }

    /// A line that starts inside a heredoc, string or block comment.
    fn verbatim(&mut self, text: &'a str) -> Line<'a> {
        let mut pos = 0;
        if !self.in_comment
            && let Some(open) = self.stack.last()
            && open.kind == Kind::Heredoc
            && let Some(end) = heredoc_end(text, open.marker)
        {
            self.stack.pop();
            pos = end;
        }
        self.scan_from(text, pos, &mut Facts::default());
        Line::Verbatim {
            text,
            trim: !self.in_literal_context(),
        }
    }

    /// Scans `text[pos..]`, updating the open constructs and the line's facts.
    fn scan_from(&mut self, text: &'a str, mut i: usize, facts: &mut Facts) {
        let b = text.as_bytes();
        let at = |i: usize| b.get(i).copied().unwrap_or(0);
        while i < b.len() {
            if self.in_comment {
                match text[i..].find("*/") {
                    Some(k) => {
                        i += k + 2;
                        self.in_comment = false;
                        continue;
                    }
                    None => return,
                }
            }
            match self.top() {
                Some(kind @ (Kind::Quote | Kind::Heredoc)) => match at(i) {
                    // Escapes exist only in quoted strings.
                    b'\\' if kind == Kind::Quote => i += 2,
                    b'"' if kind == Kind::Quote => {
                        self.stack.pop();
                        i += 1;
                    }
                    // `$${` and `%%{` are literal text.
                    c @ (b'$' | b'%') if at(i + 1) == c && at(i + 2) == b'{' => i += 3,
                    b'$' | b'%' if at(i + 1) == b'{' => {
                        self.push(Kind::Interp, "");
                        facts.open();
                        i += 2;
                    }
                    _ => i += 1,
                },
                _ => match at(i) {
                    b' ' | b'\t' | b'\r' => i += 1,
                    // A comment inside an interpolation is part of the template's text:
                    // it stays exactly where it is.
                    b'#' => {
                        if facts.has_code && !self.in_literal_context() {
                            facts.comment = Some(i);
                        }
                        return;
                    }
                    b'/' if at(i + 1) == b'/' => {
                        if facts.has_code && !self.in_literal_context() {
                            facts.comment = Some(i);
                        }
                        return;
                    }
                    b'/' if at(i + 1) == b'*' => {
                        facts.code();
                        self.in_comment = true;
                        i += 2;
                    }
                    b'"' => {
                        facts.code();
                        self.push(Kind::Quote, "");
                        i += 1;
                    }
                    b'<' if at(i + 1) == b'<' => {
                        facts.code();
                        let mut j = i + 2;
                        if at(j) == b'-' {
                            j += 1;
                        }
                        let name = ident_len(&text[j..]);
                        self.push(Kind::Heredoc, &text[j..j + name]);
                        i = j + name.max(1);
                    }
                    b'{' | b'[' | b'(' => {
                        facts.open();
                        self.push(Kind::Bracket, "");
                        i += 1;
                    }
                    b'}' | b']' | b')' => {
                        if self.stack.pop().is_some() {
                            facts.close();
                        }
                        i += 1;
                    }
                    b'=' if matches!(at(i + 1), b'=' | b'>') => {
                        facts.code();
                        i += 2;
                    }
                    b'=' => {
                        facts.equals(i);
                        i += 1;
                    }
                    b'!' | b'<' | b'>' if at(i + 1) == b'=' => {
                        facts.code();
                        i += 2;
                    }
                    _ => {
                        facts.code();
                        i += 1;
                    }
                },
            }
        }
    }
}

impl<'a> From<CodeLine<'a>> for Line<'a> {
    fn from(line: CodeLine<'a>) -> Self {
        Line::Code(line)
    }
}

/// If `line` closes a heredoc marked `marker`, the byte offset just after the marker.
/// As in hcl-edit: optional blanks, the marker, then anything but an identifier character.
fn heredoc_end(line: &str, marker: &str) -> Option<usize> {
    let rest = line.trim_start_matches([' ', '\t']);
    let after = rest.strip_prefix(marker)?;
    if after.chars().next().is_some_and(is_id_continue) || marker.is_empty() {
        return None;
    }
    Some(line.len() - after.len())
}

fn is_id_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_id_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Length in bytes of the identifier at the start of `text` (0 if none).
fn ident_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    match chars.next() {
        Some((_, c)) if is_id_start(c) => {}
        _ => return 0,
    }
    chars
        .find(|&(_, c)| !is_id_continue(c))
        .map_or(text.len(), |(i, _)| i)
}

/// Recognises `ident ("label" | ident)* {` at the start of `code`.
fn header(code: &str) -> Option<Header<'_>> {
    let first = ident_len(code);
    if first == 0 {
        return None;
    }
    let mut words = vec![&code[..first]];
    let mut pos = first;
    loop {
        let rest = code[pos..].trim_start_matches([' ', '\t']);
        pos = code.len() - rest.len();
        if let Some(after) = rest.strip_prefix('{') {
            return Some(Header { words, rest: after });
        }
        let len = if rest.starts_with('"') {
            quoted_len(rest)?
        } else {
            ident_len(rest)
        };
        if len == 0 {
            return None;
        }
        words.push(&rest[..len]);
        pos += len;
    }
}

/// Length in bytes of the quoted string at the start of `text`, quotes included.
fn quoted_len(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<'a>(line: &'a Line<'a>) -> &'a CodeLine<'a> {
        match line {
            Line::Code(c) => c,
            Line::Verbatim { .. } => panic!("verbatim line"),
        }
    }

    #[test]
    fn indentation_follows_the_lines_that_open_brackets() {
        let lines = scan("a = [{\nb = 1\n}, {\nc = 2\n}]\nd = 1\n");
        let indents: Vec<usize> = lines.iter().map(|l| code(l).indent).collect();
        assert_eq!(indents, [0, 1, 0, 1, 0, 0]);
    }

    #[test]
    fn the_attribute_equals_is_the_first_one_outside_brackets() {
        let lines = scan("a = { b = 1 }\n{ c = 2 }\nx == y\nk => v\n\"a=b\" = 3\n");
        let eqs: Vec<Option<usize>> = lines.iter().map(|l| code(l).eq).collect();
        assert_eq!(eqs, [Some(2), None, None, None, Some(6)]);
    }

    #[test]
    fn a_value_that_opens_a_bracket_is_not_aligned() {
        let lines = scan("a = {\n}\nb = \"${x}\"\nc = <<EOT\nEOT\n");
        assert!(!code(&lines[0]).aligned);
        assert!(code(&lines[2]).aligned);
        assert!(code(&lines[3]).aligned);
    }

    #[test]
    fn heredoc_bodies_are_verbatim_until_their_marker() {
        let lines = scan("a = <<-EOT\n  x = {\n  EOTX\n  EOT\nb = 1\n");
        assert!(matches!(lines[1], Line::Verbatim { trim: false, .. }));
        assert!(matches!(lines[2], Line::Verbatim { trim: false, .. }));
        assert!(matches!(lines[3], Line::Verbatim { trim: true, .. }));
        assert_eq!(code(&lines[4]).indent, 0);
    }

    #[test]
    fn comments_are_found_outside_strings_only() {
        let lines = scan("a = \"#no\" # yes\n# whole\nb = \"//\" // c\n");
        assert_eq!(code(&lines[0]).comment, Some("# yes"));
        assert_eq!(code(&lines[1]).comment, None);
        assert_eq!(code(&lines[1]).code, "# whole");
        assert_eq!(code(&lines[2]).comment, Some("// c"));
    }

    #[test]
    fn headers_are_recognised() {
        let h = header("resource  \"a\"   b {").unwrap();
        assert_eq!(h.words, ["resource", "\"a\"", "b"]);
        assert_eq!(h.rest, "");
        assert!(header("a = {").is_none());
        assert!(header("for k, v in x : {").is_none());
        assert_eq!(header("lifecycle { x = 1 }").unwrap().rest, " x = 1 }");
    }
}
