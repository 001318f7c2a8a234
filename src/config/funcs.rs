//! The function library (Terraform's names and semantics).
//!
//! Each function declares how it treats unknown values and sensitivity marks:
//! - `Unknowns::Deep`: any unknown anywhere in the arguments makes the result unknown;
//!   `Shallow`: only a wholly unknown argument does (the function copes with unknown
//!   elements: `length([unknown, 1])` is 2); `Raw`: the function sees everything.
//! - `Marks::Deep`: marks are stripped at every depth and the result is marked if any
//!   argument carried one; `Shallow`: only top-level marks are stripped (collection
//!   functions keep the marks of the elements they move around); `Raw`: untouched
//!   (`sensitive`, `nonsensitive`, `issensitive`).
//!
//! `try` and `can` are not here: they receive unevaluated expressions (see `eval.rs`).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::diag::{Diagnostic, Diagnostics};
use super::eval::{EvalResult, Evaluator, nearest};
use super::source::{Sources, Span};
use super::syntax::parse_error;
use super::vals::{
    deep_eq, kind, make_set, parse_number, to_bool, to_number, to_str, unify_primitives,
};
use crate::value::{Value, format_number};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknowns {
    Deep,
    Shallow,
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marks {
    Deep,
    Shallow,
    Raw,
}

pub(crate) enum FnError {
    /// The argument at this index is unsuitable.
    Arg(usize, String),
    /// The call failed as a whole.
    Call(String),
    /// Fully formed diagnostics (e.g. from inside a template file).
    Diag(Diagnostics),
}

type R = Result<Value, FnError>;
type Imp = fn(&mut Call<'_, '_>, Vec<Value>) -> R;

pub(crate) struct FuncDef {
    pub name: &'static str,
    pub params: &'static [&'static str],
    pub optional: &'static [&'static str],
    pub variadic: Option<&'static str>,
    pub unknowns: Unknowns,
    pub marks: Marks,
    imp: Imp,
}

const fn def(name: &'static str, params: &'static [&'static str], imp: Imp) -> FuncDef {
    FuncDef {
        name,
        params,
        optional: &[],
        variadic: None,
        unknowns: Unknowns::Deep,
        marks: Marks::Deep,
        imp,
    }
}

impl FuncDef {
    const fn opt(mut self, optional: &'static [&'static str]) -> Self {
        self.optional = optional;
        self
    }

    const fn var(mut self, variadic: &'static str) -> Self {
        self.variadic = Some(variadic);
        self
    }

    /// Collection plumbing: copes with unknown elements and keeps element marks.
    const fn structural(mut self) -> Self {
        self.unknowns = Unknowns::Shallow;
        self.marks = Marks::Shallow;
        self
    }

    const fn shallow_unknowns(mut self) -> Self {
        self.unknowns = Unknowns::Shallow;
        self
    }

    const fn raw(mut self) -> Self {
        self.unknowns = Unknowns::Raw;
        self.marks = Marks::Raw;
        self
    }

    fn param_name(&self, i: usize) -> &'static str {
        self.params
            .get(i)
            .or_else(|| self.optional.get(i - self.params.len().min(i)))
            .copied()
            .or(self.variadic)
            .unwrap_or("argument")
    }
}

/// What a function implementation can reach: the evaluator (for `Scope.dir` and
/// templates), and the spans of its arguments.
pub(crate) struct Call<'x, 'e> {
    pub ev: &'x mut Evaluator<'e>,
    pub arg_ranges: Vec<Option<Range<usize>>>,
    pub range: Option<Range<usize>>,
}

/// Functions deliberately left out: they would make plans non-deterministic.
const NON_DETERMINISTIC: &[&str] = &[
    "uuid",
    "uuidv4",
    "uuidv5",
    "timestamp",
    "plantimestamp",
    "bcrypt",
    "shuffle",
];

static FUNCS: &[FuncDef] = &[
    // strings
    def("length", &["value"], length).structural(),
    def("lower", &["str"], lower),
    def("upper", &["str"], upper),
    def("title", &["str"], title),
    def("trimspace", &["str"], trimspace),
    def("trim", &["str", "cutset"], trim),
    def("trimprefix", &["str", "prefix"], trimprefix),
    def("trimsuffix", &["str", "suffix"], trimsuffix),
    def("chomp", &["str"], chomp),
    def("strrev", &["str"], strrev),
    def("substr", &["str", "offset", "length"], substr),
    def("startswith", &["str", "prefix"], startswith),
    def("endswith", &["str", "suffix"], endswith),
    def("strcontains", &["str", "substr"], strcontains),
    def("indent", &["spaces", "str"], indent),
    def("format", &["format"], format).var("args"),
    def("formatlist", &["format"], formatlist).var("args"),
    def("join", &["separator"], join).var("lists"),
    def("split", &["separator", "str"], split),
    def("replace", &["str", "substr", "replace"], replace),
    def("regex", &["pattern", "string"], regex_fn),
    def("regexall", &["pattern", "string"], regexall),
    // collections
    def("concat", &[], concat).var("seqs").structural(),
    def("merge", &[], merge).var("maps").structural(),
    def("lookup", &["inputMap", "key"], lookup)
        .opt(&["default"])
        .structural(),
    def("contains", &["list", "value"], contains),
    def("keys", &["inputMap"], keys).structural(),
    def("values", &["mapping"], values).structural(),
    def("zipmap", &["keys", "values"], zipmap).structural(),
    def("coalesce", &[], coalesce).var("vals").structural(),
    def("coalescelist", &[], coalescelist)
        .var("vals")
        .structural(),
    def("compact", &["list"], compact),
    def("flatten", &["list"], flatten),
    def("distinct", &["list"], distinct),
    def("range", &["start_or_limit"], range).opt(&["limit", "step"]),
    def("element", &["list", "index"], element).structural(),
    def("index", &["list", "value"], index),
    def("slice", &["list", "start_index", "end_index"], slice).structural(),
    def("sort", &["list"], sort),
    def("reverse", &["list"], reverse).structural(),
    def("one", &["list"], one).structural(),
    def("chunklist", &["list", "size"], chunklist).structural(),
    def("setunion", &["first_set"], setunion).var("other_sets"),
    def("setintersection", &["first_set"], setintersection).var("other_sets"),
    def("setsubtract", &["a", "b"], setsubtract),
    def("setproduct", &[], setproduct).var("sets"),
    def("transpose", &["values"], transpose),
    def("matchkeys", &["values", "keys", "searchset"], matchkeys),
    def("alltrue", &["list"], alltrue),
    def("anytrue", &["list"], anytrue),
    // numbers
    def("sum", &["list"], sum),
    def("min", &[], min).var("numbers"),
    def("max", &[], max).var("numbers"),
    def("abs", &["num"], abs),
    def("ceil", &["num"], ceil),
    def("floor", &["num"], floor),
    def("signum", &["num"], signum),
    def("pow", &["num", "power"], pow),
    def("parseint", &["number", "base"], parseint),
    // type conversion
    def("toset", &["v"], toset),
    def("tolist", &["v"], tolist).structural(),
    def("tomap", &["v"], tomap).structural(),
    def("tostring", &["v"], tostring),
    def("tonumber", &["v"], tonumber),
    def("tobool", &["v"], tobool),
    def("sensitive", &["value"], sensitive).raw(),
    def("nonsensitive", &["value"], nonsensitive).raw(),
    def("issensitive", &["value"], issensitive).raw(),
    // encoding and hashing
    def("jsonencode", &["val"], jsonencode),
    def("jsondecode", &["str"], jsondecode),
    def("base64encode", &["str"], base64encode),
    def("base64decode", &["str"], base64decode),
    def("base64sha256", &["str"], base64sha256),
    def("sha256", &["str"], sha256),
    def("urlencode", &["str"], urlencode),
    // files
    def("file", &["path"], file),
    def("fileexists", &["path"], fileexists),
    def("filebase64", &["path"], filebase64),
    def("filesha256", &["path"], filesha256),
    def("templatefile", &["path", "vars"], templatefile).shallow_unknowns(),
    def("basename", &["path"], basename),
    def("dirname", &["path"], dirname),
];

pub(crate) fn find(name: &str) -> Option<&'static FuncDef> {
    FUNCS.iter().find(|f| f.name == name)
}

/// Every function name (including `try` and `can`), sorted.
pub fn function_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = FUNCS.iter().map(|f| f.name).chain(["try", "can"]).collect();
    names.sort_unstable();
    names
}

pub(crate) fn unknown_function(
    ev: &Evaluator,
    name: &str,
    range: Option<Range<usize>>,
) -> Diagnostics {
    unknown_function_at(ev.sources, ev.span(range), name).into()
}

/// "Call to unknown function" (with a suggestion), or "Function not available" for the
/// deliberately omitted non-deterministic functions.
pub(crate) fn unknown_function_at(sources: &Sources, span: Span, name: &str) -> Diagnostic {
    if NON_DETERMINISTIC.contains(&name) {
        return Diagnostic::error("Function not available")
            .with_detail(format!("The function \"{name}\" is not available in workform: it returns a different value on every run, and plans must be deterministic."))
            .at(sources, span, "not available");
    }
    let names = function_names();
    let mut d = Diagnostic::error("Call to unknown function")
        .with_detail(format!("There is no function named \"{name}\"."))
        .at(sources, span, "unknown function");
    if let Some(n) = nearest(name, names.iter().copied()) {
        d = d.with_help(format!("Did you mean \"{n}\"?"));
    }
    d
}

pub(crate) fn invoke(
    ev: &mut Evaluator,
    def: &'static FuncDef,
    args: Vec<Value>,
    arg_ranges: Vec<Option<Range<usize>>>,
    range: Option<Range<usize>>,
) -> EvalResult {
    let min = def.params.len();
    let max = if def.variadic.is_some() {
        usize::MAX
    } else {
        min + def.optional.len()
    };
    if args.len() < min {
        return Err(ev.error(
            range,
            "Not enough function arguments",
            format!(
                "Function \"{}\" expects {} argument(s). Missing value for \"{}\".",
                def.name,
                min,
                def.params[args.len()]
            ),
            "missing argument",
        ));
    }
    if args.len() > max {
        return Err(ev.error(
            arg_ranges[max].clone().or(range),
            "Too many function arguments",
            format!(
                "Function \"{}\" expects only {} argument(s).",
                def.name, max
            ),
            "extra argument",
        ));
    }
    let mut marked = false;
    let args: Vec<Value> = args
        .into_iter()
        .map(|a| {
            let (v, m) = match def.marks {
                Marks::Deep => a.unmark_deep(),
                Marks::Shallow => a.unmark(),
                Marks::Raw => (a, false),
            };
            marked |= m;
            v
        })
        .collect();
    let unknown = match def.unknowns {
        Unknowns::Deep => args.iter().any(Value::contains_unknown),
        Unknowns::Shallow => args.iter().any(Value::is_unknown),
        Unknowns::Raw => false,
    };
    if unknown {
        return Ok(Value::Unknown.marked_if(marked));
    }
    let mut call = Call {
        ev,
        arg_ranges,
        range,
    };
    match (def.imp)(&mut call, args) {
        Ok(v) => Ok(v.marked_if(marked)),
        Err(FnError::Arg(i, msg)) => {
            let r = call
                .arg_ranges
                .get(i)
                .cloned()
                .flatten()
                .or(call.range.clone());
            Err(call.ev.error(
                r,
                "Invalid function argument",
                format!(
                    "Invalid value for \"{}\" parameter: {msg}.",
                    def.param_name(i)
                ),
                "invalid argument",
            ))
        }
        Err(FnError::Call(msg)) => Err(call.ev.error(
            call.range.clone(),
            "Error in function call",
            format!("Call to function \"{}\" failed: {msg}.", def.name),
            "call failed",
        )),
        Err(FnError::Diag(d)) => Err(d),
    }
}

// ----- argument helpers ----------------------------------------------------------------

fn arg_err(i: usize, msg: impl Into<String>) -> FnError {
    FnError::Arg(i, msg.into())
}

fn null_err(i: usize) -> FnError {
    arg_err(i, "argument must not be null")
}

fn string(args: &[Value], i: usize) -> Result<String, FnError> {
    match &args[i] {
        Value::Null => Err(null_err(i)),
        v => to_str(v).ok_or_else(|| arg_err(i, format!("string required, not {}", kind(v)))),
    }
}

fn number(args: &[Value], i: usize) -> Result<f64, FnError> {
    match &args[i] {
        Value::Null => Err(null_err(i)),
        v => to_number(v).ok_or_else(|| arg_err(i, format!("number required, not {}", kind(v)))),
    }
}

fn integer(args: &[Value], i: usize) -> Result<i64, FnError> {
    let n = number(args, i)?;
    if n.fract() != 0.0 {
        return Err(arg_err(i, "value must be a whole number"));
    }
    Ok(n as i64)
}

fn list(args: &mut [Value], i: usize) -> Result<Vec<Value>, FnError> {
    match std::mem::take(&mut args[i]) {
        Value::List(items) => Ok(items),
        Value::Sensitive(inner) => match *inner {
            Value::List(items) => Ok(items.into_iter().map(Value::mark_sensitive).collect()),
            other => Err(arg_err(i, format!("list required, not {}", kind(&other)))),
        },
        Value::Null => Err(null_err(i)),
        other => Err(arg_err(i, format!("list required, not {}", kind(&other)))),
    }
}

fn object(args: &mut [Value], i: usize) -> Result<BTreeMap<String, Value>, FnError> {
    match std::mem::take(&mut args[i]) {
        Value::Object(map) => Ok(map),
        Value::Null => Err(null_err(i)),
        other => Err(arg_err(
            i,
            format!("map or object required, not {}", kind(&other)),
        )),
    }
}

fn strings_of(items: &[Value], i: usize) -> Result<Vec<String>, FnError> {
    items
        .iter()
        .map(|v| match v {
            Value::Null => Err(arg_err(i, "element must not be null")),
            v => to_str(v)
                .ok_or_else(|| arg_err(i, format!("elements must be strings, not {}", kind(v)))),
        })
        .collect()
}

fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}

// ----- strings ------------------------------------------------------------------------------

fn length(_: &mut Call, args: Vec<Value>) -> R {
    match &args[0] {
        Value::List(items) => Ok(Value::Number(items.len() as f64)),
        Value::Object(map) => Ok(Value::Number(map.len() as f64)),
        Value::String(s) => Ok(Value::Number(s.chars().count() as f64)),
        Value::Null => Err(null_err(0)),
        _ => Err(arg_err(
            0,
            "argument must be a string, a collection type, or a structural type",
        )),
    }
}

fn lower(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(string(&a, 0)?.to_lowercase()))
}

fn upper(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(string(&a, 0)?.to_uppercase()))
}

fn title(_: &mut Call, a: Vec<Value>) -> R {
    let mut out = String::new();
    let mut at_word_start = true;
    for c in string(&a, 0)?.chars() {
        if at_word_start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_word_start = !(c.is_alphanumeric() || c == '_' || c == '\'');
    }
    Ok(s(out))
}

fn trimspace(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(string(&a, 0)?.trim()))
}

fn trim(_: &mut Call, a: Vec<Value>) -> R {
    let cutset: Vec<char> = string(&a, 1)?.chars().collect();
    Ok(s(string(&a, 0)?.trim_matches(|c| cutset.contains(&c))))
}

fn trimprefix(_: &mut Call, a: Vec<Value>) -> R {
    let (text, prefix) = (string(&a, 0)?, string(&a, 1)?);
    Ok(s(text.strip_prefix(prefix.as_str()).unwrap_or(&text)))
}

fn trimsuffix(_: &mut Call, a: Vec<Value>) -> R {
    let (text, suffix) = (string(&a, 0)?, string(&a, 1)?);
    Ok(s(text.strip_suffix(suffix.as_str()).unwrap_or(&text)))
}

fn chomp(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(string(&a, 0)?.trim_end_matches(['\r', '\n'])))
}

fn strrev(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(string(&a, 0)?.chars().rev().collect::<String>()))
}

fn substr(_: &mut Call, a: Vec<Value>) -> R {
    let chars: Vec<char> = string(&a, 0)?.chars().collect();
    let len = chars.len() as i64;
    let mut offset = integer(&a, 1)?;
    let length = integer(&a, 2)?;
    if offset < 0 {
        offset += len;
        if offset < 0 {
            return Err(arg_err(
                1,
                "offset must not be before the start of the string",
            ));
        }
    }
    if offset > len {
        return Err(arg_err(1, "offset must not be past the end of the string"));
    }
    let end = if length < 0 {
        len
    } else {
        (offset + length).min(len)
    };
    Ok(s(chars[offset as usize..end as usize]
        .iter()
        .collect::<String>()))
}

fn startswith(_: &mut Call, a: Vec<Value>) -> R {
    Ok(Value::Bool(
        string(&a, 0)?.starts_with(string(&a, 1)?.as_str()),
    ))
}

fn endswith(_: &mut Call, a: Vec<Value>) -> R {
    Ok(Value::Bool(
        string(&a, 0)?.ends_with(string(&a, 1)?.as_str()),
    ))
}

fn strcontains(_: &mut Call, a: Vec<Value>) -> R {
    Ok(Value::Bool(
        string(&a, 0)?.contains(string(&a, 1)?.as_str()),
    ))
}

fn indent(_: &mut Call, a: Vec<Value>) -> R {
    let n = integer(&a, 0)?;
    if n < 0 {
        return Err(arg_err(0, "must not be negative"));
    }
    let pad = " ".repeat(n as usize);
    Ok(s(string(&a, 1)?.replace('\n', &format!("\n{pad}"))))
}

fn format(_: &mut Call, a: Vec<Value>) -> R {
    let spec = string(&a, 0)?;
    format_values(&spec, &a[1..]).map(s).map_err(FnError::Call)
}

fn formatlist(_: &mut Call, mut a: Vec<Value>) -> R {
    let spec = string(&a, 0)?;
    let mut len: Option<(usize, usize)> = None;
    for (i, v) in a.iter().enumerate().skip(1) {
        if let Value::List(items) = v {
            match len {
                None => len = Some((items.len(), i)),
                Some((n, j)) if n != items.len() => {
                    return Err(FnError::Call(format!(
                        "argument {i} has length {}, which is inconsistent with argument {j} of length {n}",
                        items.len()
                    )));
                }
                _ => {}
            }
        }
    }
    let n = len.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(n);
    for row in 0..n {
        let row_args: Vec<Value> = a[1..]
            .iter_mut()
            .map(|v| match v {
                Value::List(items) => items[row].clone(),
                other => other.clone(),
            })
            .collect();
        out.push(s(format_values(&spec, &row_args).map_err(FnError::Call)?));
    }
    Ok(Value::List(out))
}

fn join(_: &mut Call, mut a: Vec<Value>) -> R {
    let sep = string(&a, 0)?;
    if a.len() < 2 {
        return Err(FnError::Call("at least one list is required".into()));
    }
    let mut parts = Vec::new();
    for i in 1..a.len() {
        let items = list(&mut a, i)?;
        parts.extend(strings_of(&items, i)?);
    }
    Ok(s(parts.join(&sep)))
}

fn split(_: &mut Call, a: Vec<Value>) -> R {
    let (sep, text) = (string(&a, 0)?, string(&a, 1)?);
    let parts: Vec<Value> = if sep.is_empty() {
        text.chars().map(|c| s(c.to_string())).collect()
    } else {
        text.split(sep.as_str()).map(s).collect()
    };
    Ok(Value::List(parts))
}

fn replace(_: &mut Call, a: Vec<Value>) -> R {
    let (text, needle, with) = (string(&a, 0)?, string(&a, 1)?, string(&a, 2)?);
    if needle.len() > 1 && needle.starts_with('/') && needle.ends_with('/') {
        let re =
            super::regex::Regex::new(&needle[1..needle.len() - 1]).map_err(|e| arg_err(1, e))?;
        return Ok(s(re.replace_all(&text, &with)));
    }
    if needle.is_empty() {
        return Ok(s(text));
    }
    Ok(s(text.replace(needle.as_str(), &with)))
}

fn regex_fn(_: &mut Call, a: Vec<Value>) -> R {
    let re = super::regex::Regex::new(&string(&a, 0)?).map_err(|e| arg_err(0, e))?;
    let text = string(&a, 1)?;
    match re.captures(&text, 0) {
        Some(caps) => Ok(re.capture_value(&text, &caps)),
        None => Err(FnError::Call(
            "pattern did not match any part of the given string".into(),
        )),
    }
}

fn regexall(_: &mut Call, a: Vec<Value>) -> R {
    let re = super::regex::Regex::new(&string(&a, 0)?).map_err(|e| arg_err(0, e))?;
    let text = string(&a, 1)?;
    let mut out = Vec::new();
    let mut at = 0;
    let mut last_end = None;
    while at <= text.len() {
        let Some(caps) = re.captures(&text, at) else {
            break;
        };
        let (start, end) = caps[0].expect("group 0 always matches");
        if start == end && last_end == Some(start) {
            at = next_char(&text, end);
            continue;
        }
        last_end = Some(end);
        out.push(re.capture_value(&text, &caps));
        at = if end > start {
            end
        } else {
            next_char(&text, end)
        };
    }
    Ok(Value::List(out))
}

fn next_char(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .map_or(at + 1, |c| at + c.len_utf8())
}

// ----- format -----------------------------------------------------------------------------

/// Go-style formatting as Terraform's `format` does it: `%v %#v %s %q %d %t %b %o %x %X
/// %e %E %f %g %G %%`, flags `- + # 0 space`, width, `.precision` and `%[n]` indexes.
pub(crate) fn format_values(spec: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut next_arg = 0;
    let mut used = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let at = i;
        i += 1;
        if chars.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let (mut minus, mut plus, mut sharp, mut zero, mut space) =
            (false, false, false, false, false);
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => minus = true,
                '+' => plus = true,
                '#' => sharp = true,
                '0' => zero = true,
                ' ' => space = true,
                _ => break,
            }
            i += 1;
        }
        if chars.get(i) == Some(&'[') {
            let close = chars[i..]
                .iter()
                .position(|&c| c == ']')
                .ok_or("unterminated argument index")?;
            let n: String = chars[i + 1..i + close].iter().collect();
            let n: usize = n
                .parse()
                .map_err(|_| format!("invalid argument index at {at}"))?;
            if n == 0 {
                return Err(format!("invalid argument index at {at}"));
            }
            next_arg = n - 1;
            i += close + 1;
        }
        let mut width = None;
        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
            width = Some(width.unwrap_or(0) * 10 + d as usize);
            i += 1;
        }
        let mut precision = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = 0;
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                p = p * 10 + d as usize;
                i += 1;
            }
            precision = Some(p);
        }
        let Some(&verb) = chars.get(i) else {
            return Err(format!("missing verb at {at}"));
        };
        i += 1;
        let Some(arg) = args.get(next_arg) else {
            return Err(format!(
                "not enough arguments for \"%{verb}\" at {at}: need index {} but have {} total",
                next_arg + 1,
                args.len()
            ));
        };
        next_arg += 1;
        used = used.max(next_arg);
        let need =
            |what: &str| format!("unsupported value for \"%{verb}\" at {at}: {what} required");
        let num = || to_number(arg).ok_or_else(|| need("number"));
        let int = || -> Result<i64, String> {
            let n = num()?;
            if n.fract() != 0.0 {
                return Err(format!(
                    "unsupported value for \"%{verb}\" at {at}: an integer is required"
                ));
            }
            Ok(n as i64)
        };
        let sign = |neg: bool| {
            if neg {
                "-"
            } else if plus {
                "+"
            } else if space {
                " "
            } else {
                ""
            }
        };
        let (body, numeric) = match verb {
            'v' if sharp => (json_text(arg), false),
            'v' => match arg {
                Value::Null => ("null".to_string(), false),
                Value::List(_) | Value::Object(_) => (json_text(arg), false),
                other => (
                    to_str(other).unwrap_or_default(),
                    matches!(other, Value::Number(_)),
                ),
            },
            's' => match arg {
                Value::Null => {
                    return Err(format!(
                        "unsupported value for \"%s\" at {at}: null value cannot be formatted"
                    ));
                }
                other => {
                    let mut text = to_str(other).ok_or_else(|| need("string"))?;
                    if let Some(p) = precision {
                        text = text.chars().take(p).collect();
                    }
                    (text, false)
                }
            },
            'q' => (
                json_text(&s(to_str(arg).ok_or_else(|| need("string"))?)),
                false,
            ),
            't' => (to_bool(arg).ok_or_else(|| need("bool"))?.to_string(), false),
            'd' => {
                let n = int()?;
                (format!("{}{}", sign(n < 0), n.unsigned_abs()), true)
            }
            'b' | 'o' | 'x' | 'X' if !(verb == 'x' || verb == 'X') || to_number(arg).is_some() => {
                let n = int()?;
                let m = n.unsigned_abs();
                let digits = match verb {
                    'b' => format!("{m:b}"),
                    'o' => format!("{m:o}"),
                    'x' => format!("{m:x}"),
                    _ => format!("{m:X}"),
                };
                let prefix = match (sharp, verb) {
                    (true, 'b') => "0b",
                    (true, 'o') => "0",
                    (true, 'x') => "0x",
                    (true, 'X') => "0X",
                    _ => "",
                };
                (format!("{}{prefix}{digits}", sign(n < 0)), true)
            }
            'x' | 'X' => {
                let text = to_str(arg).ok_or_else(|| need("string or number"))?;
                let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
                (if verb == 'X' { hex.to_uppercase() } else { hex }, false)
            }
            'f' | 'F' => {
                let n = num()?;
                (
                    format!("{}{:.*}", sign(n < 0.0), precision.unwrap_or(6), n.abs()),
                    true,
                )
            }
            'e' | 'E' => {
                let n = num()?;
                let text = go_exp(n.abs(), precision.unwrap_or(6));
                let text = if verb == 'E' {
                    text.to_uppercase()
                } else {
                    text
                };
                (format!("{}{text}", sign(n < 0.0)), true)
            }
            'g' | 'G' => {
                let n = num()?;
                let text = match precision {
                    Some(p) => format!("{:.*}", p, n.abs()),
                    None => format_number(n.abs()),
                };
                (format!("{}{text}", sign(n < 0.0)), true)
            }
            other => return Err(format!("unsupported format verb \"%{other}\" at {at}")),
        };
        let pad = width.unwrap_or(0).saturating_sub(body.chars().count());
        if pad == 0 {
            out.push_str(&body);
        } else if minus {
            out.push_str(&body);
            out.push_str(&" ".repeat(pad));
        } else if zero && numeric {
            let (sign_part, digits) = match body.chars().next() {
                Some(c @ ('-' | '+' | ' ')) => (c.to_string(), body[1..].to_string()),
                _ => (String::new(), body.clone()),
            };
            out.push_str(&sign_part);
            out.push_str(&"0".repeat(pad));
            out.push_str(&digits);
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&body);
        }
    }
    if used < args.len() {
        return Err(format!(
            "too many arguments; only {used} used by format string"
        ));
    }
    Ok(out)
}

/// `1.234560e+03`, as Go prints `%e`.
fn go_exp(n: f64, precision: usize) -> String {
    let text = format!("{n:.precision$e}");
    match text.split_once('e') {
        Some((mantissa, exp)) => {
            let exp: i32 = exp.parse().unwrap_or(0);
            format!(
                "{mantissa}e{}{:02}",
                if exp < 0 { '-' } else { '+' },
                exp.abs()
            )
        }
        None => text,
    }
}

// ----- collections ----------------------------------------------------------------------------

fn concat(_: &mut Call, mut a: Vec<Value>) -> R {
    let mut out = Vec::new();
    for i in 0..a.len() {
        out.extend(list(&mut a, i)?);
    }
    Ok(Value::List(out))
}

fn merge(_: &mut Call, mut a: Vec<Value>) -> R {
    let mut out = BTreeMap::new();
    for i in 0..a.len() {
        if a[i].is_null() {
            continue;
        }
        out.extend(object(&mut a, i)?);
    }
    Ok(Value::Object(out))
}

fn lookup(_: &mut Call, mut a: Vec<Value>) -> R {
    let key = string(&a, 1)?;
    let default = a.get_mut(2).map(std::mem::take);
    let mut map = object(&mut a, 0)?;
    match (map.remove(&key), default) {
        (Some(v), _) => Ok(v),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(FnError::Call(format!("lookup failed to find key {key:?}"))),
    }
}

fn contains(_: &mut Call, mut a: Vec<Value>) -> R {
    let items = list(&mut a, 0)?;
    Ok(Value::Bool(items.iter().any(|v| deep_eq(v, &a[1]))))
}

fn keys(_: &mut Call, mut a: Vec<Value>) -> R {
    Ok(Value::List(object(&mut a, 0)?.into_keys().map(s).collect()))
}

fn values(_: &mut Call, mut a: Vec<Value>) -> R {
    Ok(Value::List(object(&mut a, 0)?.into_values().collect()))
}

fn zipmap(_: &mut Call, mut a: Vec<Value>) -> R {
    let ks = list(&mut a, 0)?;
    let vs = list(&mut a, 1)?;
    if ks.len() != vs.len() {
        return Err(FnError::Call(format!(
            "number of keys ({}) does not match number of values ({})",
            ks.len(),
            vs.len()
        )));
    }
    if ks.iter().any(Value::contains_unknown) {
        return Ok(Value::Unknown);
    }
    let marked = ks.iter().any(Value::contains_sensitive);
    let names = strings_of(&ks, 0)?;
    Ok(Value::Object(names.into_iter().zip(vs).collect()).marked_if(marked))
}

fn coalesce(_: &mut Call, a: Vec<Value>) -> R {
    for v in a {
        if v.is_null() || v.as_str() == Some("") {
            continue;
        }
        return Ok(v);
    }
    Err(FnError::Call(
        "no non-null, non-empty-string arguments".into(),
    ))
}

fn coalescelist(_: &mut Call, mut a: Vec<Value>) -> R {
    for i in 0..a.len() {
        if a[i].is_null() {
            continue;
        }
        let items = list(&mut a, i)?;
        if !items.is_empty() {
            return Ok(Value::List(items));
        }
    }
    Err(FnError::Call("no non-null arguments".into()))
}

fn compact(_: &mut Call, mut a: Vec<Value>) -> R {
    let items = list(&mut a, 0)?;
    let mut out = Vec::new();
    for v in items {
        match &v {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            other => out.push(s(
                to_str(other).ok_or_else(|| arg_err(0, "elements must be strings"))?
            )),
        }
    }
    Ok(Value::List(out))
}

fn flatten_into(items: Vec<Value>, out: &mut Vec<Value>) {
    for v in items {
        match v {
            Value::List(inner) => flatten_into(inner, out),
            other => out.push(other),
        }
    }
}

fn flatten(_: &mut Call, mut a: Vec<Value>) -> R {
    let mut out = Vec::new();
    flatten_into(list(&mut a, 0)?, &mut out);
    Ok(Value::List(out))
}

fn distinct(_: &mut Call, mut a: Vec<Value>) -> R {
    let mut out: Vec<Value> = Vec::new();
    for v in list(&mut a, 0)? {
        if !out.iter().any(|o| deep_eq(o, &v)) {
            out.push(v);
        }
    }
    Ok(Value::List(out))
}

fn range(_: &mut Call, a: Vec<Value>) -> R {
    let (start, limit) = match a.len() {
        1 => (0.0, number(&a, 0)?),
        _ => (number(&a, 0)?, number(&a, 1)?),
    };
    let step = if a.len() == 3 {
        number(&a, 2)?
    } else if limit < start {
        -1.0
    } else {
        1.0
    };
    if step == 0.0 {
        return Err(arg_err(2, "step must not be zero"));
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
        if out.len() >= 100_000 {
            return Err(FnError::Call(
                "more than 100000 values were generated".into(),
            ));
        }
        out.push(Value::Number(x));
        x += step;
    }
    Ok(Value::List(out))
}

fn element(_: &mut Call, mut a: Vec<Value>) -> R {
    let i = integer(&a, 1)?;
    let mut items = list(&mut a, 0)?;
    if items.is_empty() {
        return Err(arg_err(0, "cannot use element function with an empty list"));
    }
    if i < 0 {
        return Err(arg_err(
            1,
            "cannot use element function with a negative index",
        ));
    }
    let n = items.len();
    Ok(items.swap_remove(i as usize % n))
}

fn index(_: &mut Call, mut a: Vec<Value>) -> R {
    let items = list(&mut a, 0)?;
    match items.iter().position(|v| deep_eq(v, &a[1])) {
        Some(i) => Ok(Value::Number(i as f64)),
        None => Err(FnError::Call("item not found".into())),
    }
}

fn slice(_: &mut Call, mut a: Vec<Value>) -> R {
    let (start, end) = (integer(&a, 1)?, integer(&a, 2)?);
    let items = list(&mut a, 0)?;
    if start < 0 {
        return Err(arg_err(1, "must not be negative"));
    }
    if end as usize > items.len() || end < 0 {
        return Err(arg_err(
            2,
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(arg_err(1, "start index must not be greater than end index"));
    }
    Ok(Value::List(items[start as usize..end as usize].to_vec()))
}

fn sort(_: &mut Call, mut a: Vec<Value>) -> R {
    let items = list(&mut a, 0)?;
    let mut strings = strings_of(&items, 0)?;
    strings.sort();
    Ok(Value::List(strings.into_iter().map(s).collect()))
}

fn reverse(_: &mut Call, mut a: Vec<Value>) -> R {
    let mut items = list(&mut a, 0)?;
    items.reverse();
    Ok(Value::List(items))
}

fn one(_: &mut Call, mut a: Vec<Value>) -> R {
    let mut items = list(&mut a, 0)?;
    match items.len() {
        0 => Ok(Value::Null),
        1 => Ok(items.remove(0)),
        n => Err(arg_err(
            0,
            format!("must be a list with either zero or one elements, not {n}"),
        )),
    }
}

fn chunklist(_: &mut Call, mut a: Vec<Value>) -> R {
    let size = integer(&a, 1)?;
    let items = list(&mut a, 0)?;
    if size < 0 {
        return Err(arg_err(1, "the size argument must be positive"));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(items)]));
    }
    Ok(Value::List(
        items
            .chunks(size as usize)
            .map(|c| Value::List(c.to_vec()))
            .collect(),
    ))
}

fn sets(a: &mut [Value]) -> Result<Vec<Vec<Value>>, FnError> {
    (0..a.len()).map(|i| list(a, i).map(make_set)).collect()
}

fn setunion(_: &mut Call, mut a: Vec<Value>) -> R {
    Ok(Value::List(make_set(sets(&mut a)?.concat())))
}

fn setintersection(_: &mut Call, mut a: Vec<Value>) -> R {
    let mut all = sets(&mut a)?.into_iter();
    let mut acc = all.next().unwrap_or_default();
    for other in all {
        acc.retain(|v| other.iter().any(|o| deep_eq(o, v)));
    }
    Ok(Value::List(acc))
}

fn setsubtract(_: &mut Call, mut a: Vec<Value>) -> R {
    let all = sets(&mut a)?;
    let mut acc = all[0].clone();
    acc.retain(|v| !all[1].iter().any(|o| deep_eq(o, v)));
    Ok(Value::List(acc))
}

fn setproduct(_: &mut Call, mut a: Vec<Value>) -> R {
    if a.len() < 2 {
        return Err(FnError::Call("at least two arguments are required".into()));
    }
    let mut acc: Vec<Vec<Value>> = vec![Vec::new()];
    for i in 0..a.len() {
        let items = list(&mut a, i)?;
        acc = acc
            .into_iter()
            .flat_map(|prefix| {
                items.iter().map(move |item| {
                    let mut row = prefix.clone();
                    row.push(item.clone());
                    row
                })
            })
            .collect();
    }
    Ok(Value::List(acc.into_iter().map(Value::List).collect()))
}

fn transpose(_: &mut Call, mut a: Vec<Value>) -> R {
    let map = object(&mut a, 0)?;
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in map {
        let Value::List(items) = v else {
            return Err(arg_err(0, "values must be lists of strings"));
        };
        for item in strings_of(&items, 0)? {
            out.entry(item).or_default().push(s(k.clone()));
        }
    }
    Ok(Value::Object(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

fn matchkeys(_: &mut Call, mut a: Vec<Value>) -> R {
    let vals = list(&mut a, 0)?;
    let ks = list(&mut a, 1)?;
    let search = list(&mut a, 2)?;
    if vals.len() != ks.len() {
        return Err(FnError::Call(
            "length of keys and values should be equal".into(),
        ));
    }
    Ok(Value::List(
        vals.into_iter()
            .zip(ks)
            .filter(|(_, k)| search.iter().any(|s| deep_eq(s, k)))
            .map(|(v, _)| v)
            .collect(),
    ))
}

fn bools(a: &mut [Value]) -> Result<Vec<bool>, FnError> {
    list(a, 0)?
        .iter()
        .map(|v| to_bool(v).ok_or_else(|| arg_err(0, "elements must be bools")))
        .collect()
}

fn alltrue(_: &mut Call, mut a: Vec<Value>) -> R {
    Ok(Value::Bool(bools(&mut a)?.into_iter().all(|b| b)))
}

fn anytrue(_: &mut Call, mut a: Vec<Value>) -> R {
    Ok(Value::Bool(bools(&mut a)?.into_iter().any(|b| b)))
}

// ----- numbers --------------------------------------------------------------------------------

fn sum(_: &mut Call, mut a: Vec<Value>) -> R {
    let items = list(&mut a, 0)?;
    if items.is_empty() {
        return Err(arg_err(0, "cannot sum an empty list"));
    }
    let mut total = 0.0;
    for v in &items {
        total += to_number(v).ok_or_else(|| arg_err(0, "elements must be numbers"))?;
    }
    Ok(Value::Number(total))
}

fn extremum(a: &[Value], pick: fn(f64, f64) -> f64) -> R {
    if a.is_empty() {
        return Err(FnError::Call("must pass at least one number".into()));
    }
    let mut acc = number(a, 0)?;
    for i in 1..a.len() {
        acc = pick(acc, number(a, i)?);
    }
    Ok(Value::Number(acc))
}

fn min(_: &mut Call, a: Vec<Value>) -> R {
    extremum(&a, f64::min)
}

fn max(_: &mut Call, a: Vec<Value>) -> R {
    extremum(&a, f64::max)
}

fn abs(_: &mut Call, a: Vec<Value>) -> R {
    Ok(Value::Number(number(&a, 0)?.abs()))
}

fn ceil(_: &mut Call, a: Vec<Value>) -> R {
    Ok(Value::Number(number(&a, 0)?.ceil()))
}

fn floor(_: &mut Call, a: Vec<Value>) -> R {
    Ok(Value::Number(number(&a, 0)?.floor()))
}

fn signum(_: &mut Call, a: Vec<Value>) -> R {
    let n = number(&a, 0)?;
    Ok(Value::Number(if n > 0.0 {
        1.0
    } else if n < 0.0 {
        -1.0
    } else {
        0.0
    }))
}

fn pow(_: &mut Call, a: Vec<Value>) -> R {
    Ok(Value::Number(number(&a, 0)?.powf(number(&a, 1)?)))
}

fn parseint(_: &mut Call, a: Vec<Value>) -> R {
    let text = string(&a, 0)?;
    let base = integer(&a, 1)?;
    if !(2..=62).contains(&base) {
        return Err(arg_err(
            1,
            "base must be a whole number between 2 and 62 inclusive",
        ));
    }
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let mut n: f64 = 0.0;
    if digits.is_empty() {
        return Err(arg_err(
            0,
            format!("cannot parse {text:?} as a base {base} integer"),
        ));
    }
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' if base <= 36 => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => base,
        };
        if d >= base {
            return Err(arg_err(
                0,
                format!("cannot parse {text:?} as a base {base} integer"),
            ));
        }
        n = n * base as f64 + d as f64;
    }
    Ok(Value::Number(if neg { -n } else { n }))
}

// ----- type conversion -------------------------------------------------------------------------

fn toset(_: &mut Call, mut a: Vec<Value>) -> R {
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let mut items = list(&mut a, 0).map_err(|_| arg_err(0, "cannot convert to set"))?;
    unify_primitives(items.iter_mut()).map_err(|e| arg_err(0, e))?;
    Ok(Value::List(make_set(items)))
}

fn tolist(_: &mut Call, mut a: Vec<Value>) -> R {
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let mut items = list(&mut a, 0).map_err(|e| match e {
        FnError::Arg(i, _) => arg_err(i, "cannot convert to list"),
        other => other,
    })?;
    unify_primitives(items.iter_mut()).map_err(|e| arg_err(0, e))?;
    Ok(Value::List(items))
}

fn tomap(_: &mut Call, mut a: Vec<Value>) -> R {
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let mut map = object(&mut a, 0).map_err(|_| arg_err(0, "cannot convert to map"))?;
    unify_primitives(map.values_mut()).map_err(|e| arg_err(0, e))?;
    Ok(Value::Object(map))
}

fn tostring(_: &mut Call, a: Vec<Value>) -> R {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        v => to_str(v)
            .map(s)
            .ok_or_else(|| arg_err(0, format!("cannot convert {} to string", kind(v)))),
    }
}

fn tonumber(_: &mut Call, a: Vec<Value>) -> R {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(text) => parse_number(text).map(Value::Number).ok_or_else(|| {
            arg_err(0, format!("cannot convert {text:?} to number; given string must be a decimal representation of a number"))
        }),
        v => Err(arg_err(0, format!("cannot convert {} to number", kind(v)))),
    }
}

fn tobool(_: &mut Call, a: Vec<Value>) -> R {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        v => to_bool(v).map(Value::Bool).ok_or_else(|| {
            arg_err(
                0,
                format!(
                    "cannot convert {} to bool; only the strings \"true\" or \"false\" are allowed",
                    v
                ),
            )
        }),
    }
}

fn sensitive(_: &mut Call, mut a: Vec<Value>) -> R {
    Ok(a.remove(0).mark_sensitive())
}

fn nonsensitive(_: &mut Call, mut a: Vec<Value>) -> R {
    Ok(a.remove(0).unmark().0)
}

fn issensitive(_: &mut Call, a: Vec<Value>) -> R {
    Ok(Value::Bool(a[0].contains_sensitive()))
}

// ----- encoding ---------------------------------------------------------------------------------

/// Compact JSON with sorted keys, escaping `<`, `>` and `&` like Terraform (Go) does.
pub(crate) fn json_text(v: &Value) -> String {
    let text = serde_json::to_string(&v.to_json()).unwrap_or_default();
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn jsonencode(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(json_text(&a[0])))
}

fn jsondecode(_: &mut Call, a: Vec<Value>) -> R {
    let text = string(&a, 0)?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| arg_err(0, format!("invalid JSON: {e}")))?;
    Ok(Value::from_json(&json))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (ci, chunk) in bytes.chunks(4).enumerate() {
        let last = ci == bytes.len() / 4 - 1;
        let mut n = 0u32;
        let mut pad = 0;
        for (i, &c) in chunk.iter().enumerate() {
            let v = match c {
                b'=' if last && i >= 2 => {
                    pad += 1;
                    0
                }
                _ if pad > 0 => return None,
                _ => B64.iter().position(|&b| b == c)? as u32,
            };
            n = (n << 6) | v;
        }
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

fn base64encode(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(base64_encode(string(&a, 0)?.as_bytes())))
}

fn base64decode(_: &mut Call, a: Vec<Value>) -> R {
    let text = string(&a, 0)?;
    let bytes = base64_decode(&text)
        .ok_or_else(|| arg_err(0, format!("failed to decode base64 data {text:?}")))?;
    String::from_utf8(bytes).map(s).map_err(|_| {
        arg_err(
            0,
            "the result of decoding the provided string is not valid UTF-8",
        )
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(hex(&Sha256::digest(string(&a, 0)?.as_bytes()))))
}

fn base64sha256(_: &mut Call, a: Vec<Value>) -> R {
    Ok(s(base64_encode(&Sha256::digest(string(&a, 0)?.as_bytes()))))
}

fn urlencode(_: &mut Call, a: Vec<Value>) -> R {
    let mut out = String::new();
    for b in string(&a, 0)?.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(s(out))
}

// ----- files --------------------------------------------------------------------------------------

fn resolve(c: &Call, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        c.ev.scope.dir.join(p)
    }
}

fn read_bytes(c: &Call, a: &[Value]) -> Result<(String, Vec<u8>), FnError> {
    let path = string(a, 0)?;
    match std::fs::read(resolve(c, &path)) {
        Ok(bytes) => Ok((path, bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(arg_err(
            0,
            format!(
                "no file exists at {path:?}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource"
            ),
        )),
        Err(e) => Err(arg_err(0, format!("failed to read {path:?}: {e}"))),
    }
}

fn read_text(c: &Call, a: &[Value]) -> Result<(String, String), FnError> {
    let (path, bytes) = read_bytes(c, a)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok((path, text)),
        Err(_) => Err(arg_err(
            0,
            format!(
                "contents of {path:?} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents"
            ),
        )),
    }
}

fn file(c: &mut Call, a: Vec<Value>) -> R {
    Ok(s(read_text(c, &a)?.1))
}

fn filebase64(c: &mut Call, a: Vec<Value>) -> R {
    Ok(s(base64_encode(&read_bytes(c, &a)?.1)))
}

fn filesha256(c: &mut Call, a: Vec<Value>) -> R {
    Ok(s(hex(&Sha256::digest(read_bytes(c, &a)?.1))))
}

fn fileexists(c: &mut Call, a: Vec<Value>) -> R {
    let path = string(&a, 0)?;
    let full = resolve(c, &path);
    match std::fs::metadata(&full) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(_) => Err(arg_err(0, format!("{path:?} is not a regular file"))),
        Err(_) => Ok(Value::Bool(false)),
    }
}

fn templatefile(c: &mut Call, mut a: Vec<Value>) -> R {
    if c.ev.template_vars.is_some() {
        return Err(FnError::Call(
            "cannot recursively call templatefile from inside another template".into(),
        ));
    }
    let (path, text) = read_text(c, &a)?;
    let vars = object(&mut a, 1)?;
    for k in vars.keys() {
        if hcl::edit::Ident::try_new(k.as_str()).is_err() {
            return Err(arg_err(
                1,
                format!(
                    "invalid template variable name {k:?}: must start with a letter, followed by zero or more letters, digits, and underscores"
                ),
            ));
        }
    }
    let (sources, file) = Sources::single(path, text);
    let template = hcl::edit::parser::parse_template(sources.text(file))
        .map_err(|e| FnError::Diag(parse_error(&sources, file, &e).into()))?;
    let scope = c.ev.scope;
    let mut sub = Evaluator::new(scope, &sources, file);
    sub.template_vars = Some(&vars);
    sub.eval_template(&template, true).map_err(FnError::Diag)
}

fn basename(_: &mut Call, a: Vec<Value>) -> R {
    let path = string(&a, 0)?;
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(s(if path.is_empty() { "." } else { "/" }));
    }
    Ok(s(trimmed.rsplit('/').next().unwrap_or(trimmed)))
}

fn dirname(_: &mut Call, a: Vec<Value>) -> R {
    let path = string(&a, 0)?;
    match path.rfind('/') {
        None => Ok(s(".")),
        Some(0) => Ok(s("/")),
        Some(i) => Ok(s(path[..i].trim_end_matches('/'))),
    }
}
