//! The layout pass: turns scanned lines into canonical text.
//!
//! Rules, after `terraform fmt`: two spaces per nesting level; block headers with single
//! spaces (`resource "a" "b" {`); one space after an attribute's `=`, and the `=` of
//! consecutive single-line attributes aligned one column after the longest name; trailing
//! comments of consecutive lines aligned one column after the longest code; no trailing
//! blanks (except inside a string or heredoc, where they are part of the value); at most
//! one blank line in a row, none at the start or end; one final newline.
//! A blank line, a comment line, a block header or a multi-line value ends an alignment
//! group. Heredoc bodies and block-comment continuations are kept as written and do not
//! end a group (the heredoc belongs to the attribute line that opens it, as in hclwrite).

use super::scan::{CodeLine, Line};

/// Renders scanned lines.
pub(super) fn render(lines: &[Line<'_>]) -> String {
    let eq_pads = eq_padding(lines);
    let code: Vec<Option<String>> = lines
        .iter()
        .zip(&eq_pads)
        .map(|(line, pad)| match line {
            Line::Code(c) => Some(code_text(c, *pad)),
            Line::Verbatim { .. } => None,
        })
        .collect();
    let comment_pads = comment_padding(lines, &code);

    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    // Whether the last line written is a blank code line (heredoc blank lines are content).
    let mut blank = true;
    for ((line, code), pad) in lines.iter().zip(code).zip(comment_pads) {
        match line {
            Line::Verbatim { text, trim } => {
                let text = if *trim {
                    text.trim_end_matches([' ', '\t', '\r'])
                } else {
                    text
                };
                out.push(text.to_string());
                blank = false;
            }
            Line::Code(c) if c.is_blank() => {
                if !blank {
                    out.push(String::new());
                }
                blank = true;
            }
            Line::Code(c) => {
                let mut text = code.unwrap_or_default();
                if let Some(comment) = c.comment {
                    text.push_str(&" ".repeat(pad));
                    text.push_str(comment);
                }
                out.push(text);
                blank = false;
            }
        }
    }
    // At most one blank line can trail, and only a code one (heredocs end at their marker).
    if blank && out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    if out.is_empty() {
        return String::new();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Width of a string in columns (characters; HCL is mostly ASCII).
fn width(s: &str) -> usize {
    s.chars().count()
}

fn indent(c: &CodeLine<'_>) -> String {
    "  ".repeat(c.indent)
}

/// The name part of an attribute line, as rendered (with indentation).
fn lead_width(c: &CodeLine<'_>, eq: usize) -> usize {
    2 * c.indent + width(c.code[..eq].trim_end_matches([' ', '\t']))
}

/// For each line, the spaces before its `=` (0 for lines without one).
fn eq_padding(lines: &[Line<'_>]) -> Vec<usize> {
    let mut pads = vec![1; lines.len()];
    let mut group: Vec<(usize, usize)> = Vec::new();
    let flush = |group: &mut Vec<(usize, usize)>, pads: &mut Vec<usize>| {
        let max = group.iter().map(|&(_, w)| w).max().unwrap_or(0);
        for &(i, w) in group.iter() {
            pads[i] = max - w + 1;
        }
        group.clear();
    };
    for (i, line) in lines.iter().enumerate() {
        match line {
            Line::Verbatim { .. } => {}
            Line::Code(c) => match c.eq {
                Some(eq) if c.aligned && c.header.is_none() => group.push((i, lead_width(c, eq))),
                _ => flush(&mut group, &mut pads),
            },
        }
    }
    flush(&mut group, &mut pads);
    pads
}

/// A code line without its trailing comment.
fn code_text(c: &CodeLine<'_>, eq_pad: usize) -> String {
    let mut text = indent(c);
    if let Some(h) = &c.header {
        text.push_str(&h.words.join(" "));
        text.push_str(" {");
        text.push_str(h.rest);
    } else if let Some(eq) = c.eq {
        text.push_str(c.code[..eq].trim_end_matches([' ', '\t']));
        text.push_str(&" ".repeat(eq_pad));
        text.push('=');
        let value = c.code[eq + 1..].trim_start_matches([' ', '\t']);
        if !value.is_empty() {
            text.push(' ');
            text.push_str(value);
        }
    } else {
        text.push_str(c.code);
    }
    text
}

/// For each line, the spaces before its trailing comment.
fn comment_padding(lines: &[Line<'_>], code: &[Option<String>]) -> Vec<usize> {
    let mut pads = vec![1; lines.len()];
    let mut group: Vec<(usize, usize)> = Vec::new();
    let flush = |group: &mut Vec<(usize, usize)>, pads: &mut Vec<usize>| {
        let max = group.iter().map(|&(_, w)| w).max().unwrap_or(0);
        for &(i, w) in group.iter() {
            pads[i] = max - w + 1;
        }
        group.clear();
    };
    for (i, line) in lines.iter().enumerate() {
        match line {
            Line::Code(c) if c.comment.is_some() => {
                group.push((i, width(code[i].as_deref().unwrap_or(""))));
            }
            // A multi-line construct (heredoc, block comment) ends a comment group: the
            // comment would otherwise be aligned with code several lines away.
            _ => flush(&mut group, &mut pads),
        }
    }
    flush(&mut group, &mut pads);
    pads
}
