//! A small backtracking regular-expression engine for `replace("/re/")`, `regex` and
//! `regexall` (no regex crate in the dependency set). Supports the RE2 subset people use in
//! configurations: literals and escapes (`\d \w \s \D \W \S \b \B`, `\.` …), `.`, classes
//! `[a-z]` / `[^…]` (with `[:alpha:]`-style names), anchors `^ $`, groups `( )`, `(?: )`,
//! named groups `(?P<n> )` / `(?<n> )`, alternation, quantifiers `* + ? {m} {m,} {m,n}`
//! with lazy `?` variants, and a leading `(?i)` / `(?s)` flag group.

use std::collections::BTreeMap;

use crate::value::Value;

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Start,
    End,
    WordBoundary(bool),
    Group(Box<Node>, Option<usize>),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>, bool),
}

#[derive(Debug, Clone)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

type Caps = Vec<Option<(usize, usize)>>;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    root: Node,
    groups: usize,
    names: Vec<Option<String>>,
    icase: bool,
    dotall: bool,
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    groups: usize,
    names: Vec<Option<String>>,
    _src: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn alt(&mut self) -> Result<Node, String> {
        let mut alts = vec![self.concat()?];
        while self.eat('|') {
            alts.push(self.concat()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Concat(vec![]))
        } else {
            Node::Alt(alts)
        })
    }

    fn concat(&mut self) -> Result<Node, String> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(Node::Concat(items))
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let save = self.pos;
                self.pos += 1;
                let Some(min) = self.number() else {
                    self.pos = save;
                    return Ok(atom);
                };
                let max = if self.eat(',') {
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number().ok_or("invalid repeat count")?)
                    }
                } else {
                    Some(min)
                };
                if !self.eat('}') {
                    return Err("invalid repeat count".into());
                }
                self.pos -= 1;
                (min, max)
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        if matches!(atom, Node::Start | Node::End | Node::WordBoundary(_)) {
            return Err("missing argument to repetition operator".into());
        }
        let greedy = !self.eat('?');
        Ok(Node::Repeat(Box::new(atom), min, max, greedy))
    }

    fn escape(&mut self, in_class: bool) -> Result<ClassOrNode, String> {
        let c = self
            .peek()
            .ok_or("trailing backslash at end of expression")?;
        self.pos += 1;
        Ok(match c {
            'd' => ClassOrNode::Item(ClassItem::Digit(true)),
            'D' => ClassOrNode::Item(ClassItem::Digit(false)),
            'w' => ClassOrNode::Item(ClassItem::Word(true)),
            'W' => ClassOrNode::Item(ClassItem::Word(false)),
            's' => ClassOrNode::Item(ClassItem::Space(true)),
            'S' => ClassOrNode::Item(ClassItem::Space(false)),
            'b' if !in_class => ClassOrNode::Node(Node::WordBoundary(true)),
            'B' if !in_class => ClassOrNode::Node(Node::WordBoundary(false)),
            'A' if !in_class => ClassOrNode::Node(Node::Start),
            'z' if !in_class => ClassOrNode::Node(Node::End),
            'n' => ClassOrNode::Char('\n'),
            't' => ClassOrNode::Char('\t'),
            'r' => ClassOrNode::Char('\r'),
            'f' => ClassOrNode::Char('\x0c'),
            'v' => ClassOrNode::Char('\x0b'),
            c if c.is_ascii_punctuation() => ClassOrNode::Char(c),
            c => return Err(format!("invalid escape sequence: \\{c}")),
        })
    }

    fn atom(&mut self) -> Result<Node, String> {
        let c = self.peek().ok_or("unexpected end of pattern")?;
        self.pos += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '\\' => match self.escape(false)? {
                ClassOrNode::Char(c) => Node::Char(c),
                ClassOrNode::Item(item) => Node::Class(vec![item], false),
                ClassOrNode::Node(n) => n,
            },
            '[' => self.class()?,
            '(' => {
                let mut capture = true;
                let mut name = None;
                if self.eat('?') {
                    if self.eat(':') {
                        capture = false;
                    } else if self.eat('P') || self.peek() == Some('<') {
                        if !self.eat('<') {
                            return Err("invalid named capture".into());
                        }
                        let start = self.pos;
                        while self.peek().is_some_and(|c| c != '>') {
                            self.pos += 1;
                        }
                        name = Some(self.chars[start..self.pos].iter().collect::<String>());
                        if !self.eat('>') {
                            return Err("invalid named capture".into());
                        }
                    } else {
                        return Err("unsupported group flags".into());
                    }
                }
                let index = if capture {
                    self.groups += 1;
                    self.names.push(name);
                    Some(self.groups)
                } else {
                    None
                };
                let inner = self.alt()?;
                if !self.eat(')') {
                    return Err("missing closing )".into());
                }
                Node::Group(Box::new(inner), index)
            }
            ')' => return Err("unexpected )".into()),
            '*' | '+' | '?' => return Err(format!("missing argument to repetition operator: {c}")),
            c => Node::Char(c),
        })
    }

    fn class(&mut self) -> Result<Node, String> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek().ok_or("missing closing ]")?;
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            if c == '[' && self.chars.get(self.pos + 1) == Some(&':') {
                let rest: String = self.chars[self.pos..].iter().collect();
                if let Some(end) = rest.find(":]") {
                    let name = &rest[2..end];
                    let item = match name {
                        "alpha" => vec![ClassItem::Range('a', 'z'), ClassItem::Range('A', 'Z')],
                        "digit" => vec![ClassItem::Digit(true)],
                        "alnum" => vec![
                            ClassItem::Range('a', 'z'),
                            ClassItem::Range('A', 'Z'),
                            ClassItem::Range('0', '9'),
                        ],
                        "space" => vec![ClassItem::Space(true)],
                        "upper" => vec![ClassItem::Range('A', 'Z')],
                        "lower" => vec![ClassItem::Range('a', 'z')],
                        "word" => vec![ClassItem::Word(true)],
                        "xdigit" => vec![
                            ClassItem::Range('0', '9'),
                            ClassItem::Range('a', 'f'),
                            ClassItem::Range('A', 'F'),
                        ],
                        "punct" => vec![
                            ClassItem::Range('!', '/'),
                            ClassItem::Range(':', '@'),
                            ClassItem::Range('[', '`'),
                            ClassItem::Range('{', '~'),
                        ],
                        _ => return Err(format!("invalid character class range: [:{name}:]")),
                    };
                    items.extend(item);
                    self.pos += end + 2;
                    continue;
                }
            }
            self.pos += 1;
            let lo = if c == '\\' {
                match self.escape(true)? {
                    ClassOrNode::Char(c) => c,
                    ClassOrNode::Item(item) => {
                        items.push(item);
                        continue;
                    }
                    ClassOrNode::Node(_) => return Err("invalid escape in class".into()),
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&c| c != ']') {
                self.pos += 1;
                let mut hi = self.peek().ok_or("missing closing ]")?;
                self.pos += 1;
                if hi == '\\' {
                    match self.escape(true)? {
                        ClassOrNode::Char(c) => hi = c,
                        _ => return Err("invalid character class range".into()),
                    }
                }
                if hi < lo {
                    return Err(format!("invalid character class range: {lo}-{hi}"));
                }
                items.push(ClassItem::Range(lo, hi));
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Node::Class(items, negated))
    }
}

enum ClassOrNode {
    Char(char),
    Item(ClassItem),
    Node(Node),
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

struct Matcher<'r> {
    re: &'r Regex,
    text: Vec<char>,
}

impl Matcher<'_> {
    fn eq(&self, a: char, b: char) -> bool {
        a == b || (self.re.icase && a.to_lowercase().eq(b.to_lowercase()))
    }

    fn class_has(&self, items: &[ClassItem], c: char) -> bool {
        items.iter().any(|item| match *item {
            ClassItem::Range(lo, hi) => {
                (lo..=hi).contains(&c)
                    || (self.re.icase
                        && c.to_lowercase()
                            .chain(c.to_uppercase())
                            .any(|x| (lo..=hi).contains(&x)))
            }
            ClassItem::Digit(yes) => c.is_ascii_digit() == yes,
            ClassItem::Word(yes) => is_word(c) == yes,
            ClassItem::Space(yes) => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') == yes,
        })
    }

    fn m(
        &self,
        node: &Node,
        i: usize,
        caps: &mut Caps,
        k: &mut dyn FnMut(usize, &mut Caps) -> bool,
    ) -> bool {
        let at = self.text.get(i).copied();
        match node {
            Node::Char(c) => at.is_some_and(|a| self.eq(a, *c)) && k(i + 1, caps),
            Node::Any => at.is_some_and(|a| a != '\n' || self.re.dotall) && k(i + 1, caps),
            Node::Class(items, negated) => {
                at.is_some_and(|a| self.class_has(items, a) != *negated) && k(i + 1, caps)
            }
            Node::Start => i == 0 && k(i, caps),
            Node::End => i == self.text.len() && k(i, caps),
            Node::WordBoundary(yes) => {
                let before = i > 0 && is_word(self.text[i - 1]);
                let after = at.is_some_and(is_word);
                (before != after) == *yes && k(i, caps)
            }
            Node::Concat(nodes) => self.seq(nodes, i, caps, k),
            Node::Alt(alts) => alts.iter().any(|a| self.m(a, i, caps, k)),
            Node::Group(inner, None) => self.m(inner, i, caps, k),
            Node::Group(inner, Some(g)) => {
                let g = *g;
                self.m(inner, i, caps, &mut |j, caps: &mut Caps| {
                    let saved = caps[g];
                    caps[g] = Some((i, j));
                    if k(j, caps) {
                        true
                    } else {
                        caps[g] = saved;
                        false
                    }
                })
            }
            Node::Repeat(inner, min, max, greedy) => {
                self.rep(inner, *min, *max, *greedy, 0, i, caps, k)
            }
        }
    }

    fn seq(
        &self,
        nodes: &[Node],
        i: usize,
        caps: &mut Caps,
        k: &mut dyn FnMut(usize, &mut Caps) -> bool,
    ) -> bool {
        match nodes.split_first() {
            None => k(i, caps),
            Some((first, rest)) => self.m(first, i, caps, &mut |j, caps: &mut Caps| {
                self.seq(rest, j, caps, k)
            }),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn rep(
        &self,
        inner: &Node,
        min: u32,
        max: Option<u32>,
        greedy: bool,
        count: u32,
        i: usize,
        caps: &mut Caps,
        k: &mut dyn FnMut(usize, &mut Caps) -> bool,
    ) -> bool {
        let can_more = max.is_none_or(|m| count < m);
        let more = |caps: &mut Caps, k: &mut dyn FnMut(usize, &mut Caps) -> bool| {
            can_more
                && self.m(inner, i, caps, &mut |j, caps: &mut Caps| {
                    // A zero-width iteration cannot make progress: stop repeating.
                    if j == i {
                        return count + 1 >= min && k(j, caps);
                    }
                    self.rep(inner, min, max, greedy, count + 1, j, caps, k)
                })
        };
        // Greedy: try one more iteration first; lazy: try stopping here first.
        if greedy {
            if more(caps, k) {
                return true;
            }
            count >= min && k(i, caps)
        } else {
            if count >= min && k(i, caps) {
                return true;
            }
            more(caps, k)
        }
    }
}

impl Regex {
    pub(crate) fn new(pattern: &str) -> Result<Regex, String> {
        let (mut icase, mut dotall) = (false, false);
        let mut body = pattern;
        if let Some(rest) = pattern.strip_prefix("(?")
            && let Some(end) = rest.find(')')
            && !rest[..end].is_empty()
            && rest[..end]
                .chars()
                .all(|c| matches!(c, 'i' | 's' | 'm' | 'U'))
        {
            icase = rest[..end].contains('i');
            dotall = rest[..end].contains('s');
            body = &rest[end + 1..];
        }
        let mut p = Parser {
            chars: body.chars().collect(),
            pos: 0,
            groups: 0,
            names: Vec::new(),
            _src: pattern,
        };
        let root = p.alt()?;
        if p.pos < p.chars.len() {
            return Err("unexpected )".into());
        }
        Ok(Regex {
            root,
            groups: p.groups,
            names: p.names,
            icase,
            dotall,
        })
    }

    /// Captures (byte offsets into `text`) of the first match starting at or after the byte
    /// offset `from`; index 0 is the whole match.
    pub(crate) fn captures(&self, text: &str, from: usize) -> Option<Caps> {
        let offsets: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let matcher = Matcher {
            re: self,
            text: text.chars().collect(),
        };
        let first = offsets.iter().position(|&o| o >= from)?;
        for start in first..offsets.len() {
            let mut caps: Caps = vec![None; self.groups + 1];
            let mut end = None;
            if matcher.m(&self.root, start, &mut caps, &mut |j, _| {
                end = Some(j);
                true
            }) {
                caps[0] = Some((start, end.unwrap_or(start)));
                return Some(
                    caps.into_iter()
                        .map(|c| c.map(|(a, b)| (offsets[a], offsets[b])))
                        .collect(),
                );
            }
        }
        None
    }

    /// What Terraform's `regex` returns for one match: the matched string when there are no
    /// groups, a list of captures for unnamed groups, an object for named groups.
    pub(crate) fn capture_value(&self, text: &str, caps: &Caps) -> Value {
        let get =
            |g: usize| caps[g].map_or(Value::Null, |(a, b)| Value::String(text[a..b].to_string()));
        if self.groups == 0 {
            return get(0);
        }
        if self.names.iter().any(Option::is_some) {
            let mut map = BTreeMap::new();
            for (i, name) in self.names.iter().enumerate() {
                if let Some(name) = name {
                    map.insert(name.clone(), get(i + 1));
                }
            }
            return Value::Object(map);
        }
        Value::List((1..=self.groups).map(get).collect())
    }

    /// Replaces every match; `$1`, `${1}` and `${name}` in `with` expand to captures.
    pub(crate) fn replace_all(&self, text: &str, with: &str) -> String {
        let mut out = String::new();
        let mut at = 0;
        let mut copied = 0;
        let mut last_end = None;
        while at <= text.len() {
            let Some(caps) = self.captures(text, at) else {
                break;
            };
            let (start, end) = caps[0].unwrap_or((at, at));
            if start == end && last_end == Some(start) {
                // No empty match right after the previous match (as in Go).
                at = text[end..]
                    .chars()
                    .next()
                    .map_or(end + 1, |c| end + c.len_utf8());
                continue;
            }
            last_end = Some(end);
            out.push_str(&text[copied..start]);
            self.expand(text, &caps, with, &mut out);
            copied = end;
            at = if end > start {
                end
            } else {
                text[end..]
                    .chars()
                    .next()
                    .map_or(end + 1, |c| end + c.len_utf8())
            };
        }
        if copied <= text.len() {
            out.push_str(&text[copied..]);
        }
        out
    }

    fn expand(&self, text: &str, caps: &Caps, with: &str, out: &mut String) {
        let chars: Vec<char> = with.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] != '$' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            if chars.get(i + 1) == Some(&'$') {
                out.push('$');
                i += 2;
                continue;
            }
            let (name, next) = if chars.get(i + 1) == Some(&'{') {
                match chars[i + 2..].iter().position(|&c| c == '}') {
                    Some(n) => (
                        chars[i + 2..i + 2 + n].iter().collect::<String>(),
                        i + 3 + n,
                    ),
                    None => {
                        out.push('$');
                        i += 1;
                        continue;
                    }
                }
            } else {
                let n = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || **c == '_')
                    .count();
                (
                    chars[i + 1..i + 1 + n].iter().collect::<String>(),
                    i + 1 + n,
                )
            };
            let group = name.parse::<usize>().ok().or_else(|| {
                self.names
                    .iter()
                    .position(|n| n.as_deref() == Some(name.as_str()))
                    .map(|p| p + 1)
            });
            if let Some((a, b)) = group.and_then(|g| caps.get(g).copied().flatten()) {
                out.push_str(&text[a..b]);
            }
            i = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(p: &str, t: &str) -> Option<String> {
        let re = Regex::new(p).unwrap();
        re.captures(t, 0).map(|c| {
            let (a, b) = c[0].unwrap();
            t[a..b].to_string()
        })
    }

    #[test]
    fn matches_common_patterns() {
        assert_eq!(find("[a-z]+", "123abc456").as_deref(), Some("abc"));
        assert_eq!(find(r"\d{2,3}", "a1234").as_deref(), Some("123"));
        assert_eq!(find("^a.*?b", "axxbyyb").as_deref(), Some("axxb"));
        assert_eq!(find("^a.*b", "axxbyyb").as_deref(), Some("axxbyyb"));
        assert_eq!(find("foo|bar", "xbarx").as_deref(), Some("bar"));
        assert_eq!(find("(?i)HELLO", "say hello").as_deref(), Some("hello"));
        assert_eq!(find(r"\bis\b", "this is").as_deref(), Some("is"));
        assert_eq!(find("x$", "xax"), Some("x".into()));
        assert_eq!(find("^$", ""), Some(String::new()));
        assert_eq!(find("[^0-9]+", "12ab3"), Some("ab".into()));
        assert!(find("a+b", "aaa").is_none());
        assert!(Regex::new("(a").is_err());
        assert!(Regex::new("*a").is_err());
    }

    #[test]
    fn replaces_with_group_references() {
        let re = Regex::new(r"(\w+)@(?P<host>\w+)").unwrap();
        assert_eq!(
            re.replace_all("me@home you@work", "$1 at ${host}"),
            "me at home you at work"
        );
        let re = Regex::new("a*").unwrap();
        assert_eq!(re.replace_all("baaac", "-"), "-b-c-");
    }
}
