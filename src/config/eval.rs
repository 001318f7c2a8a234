//! The expression evaluator: walks hcl-edit's AST directly so that every error carries the
//! span of the failing sub-expression, unknown values ("known after apply") flow through,
//! and sensitivity marks propagate (strip from operands, compute, re-mark the result).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use hcl::edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, Traversal, TraversalOperator,
    UnaryOperator,
};
use hcl::edit::template::{Directive, Element, Template};
use hcl::edit::{Decorated, Span as _};

use super::diag::{Diagnostic, Diagnostics};
use super::funcs;
use super::source::{FileId, Sources, Span};
use super::syntax::Expr;
use super::vals::{deep_eq, edit_distance, kind, to_bool, to_number, to_str};
use crate::addr::ResourceAddr;
use crate::value::{Value, format_number};

/// What the evaluator can see. The planner builds it.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    /// For `file()`, `templatefile()` and `path.module`.
    pub dir: &'a Path,
    /// Already converted, and marked sensitive where declared sensitive.
    pub vars: &'a BTreeMap<String, Value>,
    pub locals: &'a BTreeMap<String, Value>,
    /// The value of `TYPE.NAME` / `data.TYPE.NAME`: an object for a single instance, a list
    /// for `count`, an object keyed by key for `for_each`; `Unknown` when not yet known.
    pub resources: &'a BTreeMap<ResourceAddr, Value>,
    /// `each.key`, `each.value`.
    pub each: Option<(Value, Value)>,
    pub count_index: Option<i64>,
}

static NO_VALUES: BTreeMap<String, Value> = BTreeMap::new();
static NO_RESOURCES: BTreeMap<ResourceAddr, Value> = BTreeMap::new();

impl<'a> Scope<'a> {
    /// A scope with nothing declared (constant expressions, defaults, var files).
    pub fn new(dir: &'a Path) -> Scope<'a> {
        Scope {
            dir,
            vars: &NO_VALUES,
            locals: &NO_VALUES,
            resources: &NO_RESOURCES,
            each: None,
            count_index: None,
        }
    }
}

/// Evaluates an expression.
pub fn eval(expr: &Expr, scope: &Scope) -> Result<Value, Diagnostics> {
    let mut ev = Evaluator::new(scope, expr.sources(), expr.file());
    ev.eval(expr.syntax())
}

/// Evaluates an expression with extra names bound, as a `for` expression would bind them
/// (used for the iterator of `dynamic` blocks).
pub fn eval_with(
    expr: &Expr,
    scope: &Scope,
    bindings: &[(String, Value)],
) -> Result<Value, Diagnostics> {
    let mut ev = Evaluator::new(scope, expr.sources(), expr.file());
    ev.locals.extend(bindings.iter().cloned());
    ev.eval(expr.syntax())
}

pub(crate) type EvalResult = Result<Value, Diagnostics>;

pub(crate) struct Evaluator<'e> {
    pub scope: &'e Scope<'e>,
    pub sources: &'e Sources,
    pub file: FileId,
    /// Names bound by `for` expressions and directives (innermost last).
    locals: Vec<(String, Value)>,
    /// Inside a `templatefile` template: the only names in scope.
    pub template_vars: Option<&'e BTreeMap<String, Value>>,
    /// The span of the innermost expression being evaluated (fallback for nodes without one).
    cur: Range<usize>,
}

/// Closest candidate to `name`, if any is close enough to suggest.
pub(crate) fn nearest<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

enum ForItem {
    Skip,
    Unknown,
    Item(Option<String>, Value),
}

/// Accumulates a template's output.
#[derive(Default)]
struct TemplateOut {
    text: String,
    unknown: bool,
    marked: bool,
}

impl<'e> Evaluator<'e> {
    pub fn new(scope: &'e Scope<'e>, sources: &'e Sources, file: FileId) -> Self {
        Evaluator {
            scope,
            sources,
            file,
            locals: Vec::new(),
            template_vars: None,
            cur: 0..0,
        }
    }

    pub fn span(&self, range: Option<Range<usize>>) -> Span {
        Span::new(self.file, range.unwrap_or_else(|| self.cur.clone()))
    }

    /// An error diagnostic at `range`. The label repeats nothing: the detail is in the message.
    pub fn error(
        &self,
        range: Option<Range<usize>>,
        summary: &str,
        detail: impl Into<String>,
        label: &str,
    ) -> Diagnostics {
        Diagnostic::error(summary)
            .with_detail(detail)
            .at(self.sources, self.span(range), label)
            .into()
    }

    pub fn eval(&mut self, expr: &Expression) -> EvalResult {
        let saved = self.cur.clone();
        if let Some(r) = expr.span() {
            self.cur = r;
        }
        let result = self.eval_inner(expr);
        self.cur = saved;
        result
    }

    fn eval_inner(&mut self, expr: &Expression) -> EvalResult {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => Ok(Value::Number(n.value().as_f64().unwrap_or(0.0))),
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut errors = Diagnostics::new();
                for item in items.iter() {
                    match self.eval(item) {
                        Ok(v) => out.push(v),
                        Err(e) => errors.extend(e),
                    }
                }
                errors.into_result(Value::List(out))
            }
            Expression::Object(object) => self.eval_object(object),
            Expression::StringTemplate(t) => self.eval_template(t, true),
            Expression::HeredocTemplate(h) => self.eval_template(&h.template, false),
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(v) => {
                let (value, _) = self.resolve_root(v, expr.span(), &[])?;
                Ok(value)
            }
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr)?;
                let (cond, marked) = cond.unmark();
                let chosen = match cond {
                    Value::Unknown => return Ok(Value::Unknown.marked_if(marked)),
                    Value::Null => {
                        return Err(self.error(
                            c.cond_expr.span(),
                            "Null condition",
                            "The condition value is null. Conditions must either be true or false.",
                            "null",
                        ));
                    }
                    other => match to_bool(&other) {
                        Some(true) => &c.true_expr,
                        Some(false) => &c.false_expr,
                        None => {
                            return Err(self.error(
                                c.cond_expr.span(),
                                "Incorrect condition type",
                                format!(
                                    "The condition expression must be of type bool, not {}.",
                                    kind(&other)
                                ),
                                "not a bool",
                            ));
                        }
                    },
                };
                Ok(self.eval(chosen)?.marked_if(marked))
            }
            Expression::FuncCall(call) => self.eval_call(call, expr.span()),
            Expression::Traversal(t) => self.eval_traversal(t),
            Expression::UnaryOp(op) => {
                let v = self.eval(&op.expr)?;
                let (v, marked) = v.unmark();
                if v.is_unknown() {
                    return Ok(Value::Unknown.marked_if(marked));
                }
                let result = match op.operator.value() {
                    UnaryOperator::Neg => match to_number(&v) {
                        Some(n) => Value::Number(-n),
                        None => {
                            return Err(self.error(
                                op.expr.span(),
                                "Invalid operand",
                                format!("Unsuitable value for unary operand: a number is required, not {}.", kind(&v)),
                                "number required",
                            ));
                        }
                    },
                    UnaryOperator::Not => match to_bool(&v) {
                        Some(b) => Value::Bool(!b),
                        None => {
                            return Err(self.error(
                                op.expr.span(),
                                "Invalid operand",
                                format!("Unsuitable value for unary operand: a bool is required, not {}.", kind(&v)),
                                "bool required",
                            ));
                        }
                    },
                };
                Ok(result.marked_if(marked))
            }
            Expression::BinaryOp(op) => self.eval_binary(
                &op.lhs_expr,
                *op.operator.value(),
                &op.rhs_expr,
                op.operator.span(),
            ),
            Expression::ForExpr(f) => self.eval_for(f),
        }
    }

    fn eval_object(&mut self, object: &hcl::edit::expr::Object) -> EvalResult {
        let mut out = BTreeMap::new();
        let mut spans: BTreeMap<String, Option<Range<usize>>> = BTreeMap::new();
        let mut errors = Diagnostics::new();
        let mut unknown = false;
        let mut marked = false;
        for (key, value) in object.iter() {
            let (name, key_range) = match key {
                ObjectKey::Ident(id) => (id.as_str().to_string(), value.expr().span()),
                ObjectKey::Expression(e) => match self.eval(e) {
                    Err(err) => {
                        errors.extend(err);
                        continue;
                    }
                    Ok(k) => {
                        let (k, m) = k.unmark();
                        marked |= m;
                        match k {
                            Value::Unknown => {
                                unknown = true;
                                continue;
                            }
                            other => match to_str(&other) {
                                Some(s) => (s, e.span()),
                                None => {
                                    errors.extend(self.error(
                                        e.span(),
                                        "Invalid object key",
                                        format!(
                                            "Object keys must be strings, not {}.",
                                            kind(&other)
                                        ),
                                        "string required",
                                    ));
                                    continue;
                                }
                            },
                        }
                    }
                },
            };
            match self.eval(value.expr()) {
                Ok(v) => {
                    if let Some(prev) = spans.get(&name) {
                        let prev_loc = self.sources.location(self.span(prev.clone()));
                        errors.extend(self.error(
                            key_range.clone(),
                            "Duplicate object attribute",
                            format!(
                                "An attribute named \"{name}\" was already defined at {prev_loc}."
                            ),
                            "defined again here",
                        ));
                        continue;
                    }
                    spans.insert(name.clone(), key_range);
                    out.insert(name, v);
                }
                Err(err) => errors.extend(err),
            }
        }
        let value = if unknown {
            Value::Unknown
        } else {
            Value::Object(out)
        };
        errors.into_result(value.marked_if(marked))
    }

    // ----- references and traversals -------------------------------------------------

    fn lookup_local(&self, name: &str) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Resolves the root of a traversal; returns the value and how many operators it used.
    fn resolve_root(
        &mut self,
        root: &Decorated<hcl::edit::Ident>,
        root_range: Option<Range<usize>>,
        ops: &[Decorated<TraversalOperator>],
    ) -> Result<(Value, usize), Diagnostics> {
        let name = root.as_str();
        if let Some(v) = self.lookup_local(name) {
            return Ok((v.clone(), 0));
        }
        let attr = |i: usize| -> Option<(&str, Option<Range<usize>>)> {
            match ops.get(i).map(|o| o.value()) {
                Some(TraversalOperator::GetAttr(a)) => Some((a.as_str(), ops[i].span())),
                _ => None,
            }
        };
        let through = |i: usize| -> Option<Range<usize>> {
            let start = root_range.as_ref()?.start;
            let end = ops
                .get(i)
                .and_then(|o| o.span())
                .map_or(root_range.as_ref()?.end, |r| r.end);
            Some(start..end)
        };
        if let Some(vars) = self.template_vars {
            return match vars.get(name) {
                Some(v) => Ok((v.clone(), 0)),
                None => {
                    let mut d = Diagnostic::error("Unknown template variable")
                        .with_detail(format!(
                            "The vars map passed to templatefile does not contain the key \"{name}\"."
                        ))
                        .at(self.sources, self.span(root_range.clone()), "not in the vars map");
                    if let Some(n) = nearest(name, vars.keys().map(String::as_str)) {
                        d = d.with_help(format!("Did you mean \"{n}\"?"));
                    }
                    Err(d.into())
                }
            };
        }
        let scope = self.scope;
        match name {
            "var" | "local" => {
                let Some((attr_name, _)) = attr(0) else {
                    return Err(self.error(
                        root_range,
                        "Invalid reference",
                        format!("The \"{name}\" object cannot be accessed directly. Instead, access one of its attributes."),
                        "invalid reference",
                    ));
                };
                let (map, summary, detail) = if name == "var" {
                    (
                        scope.vars,
                        "Reference to undeclared input variable",
                        format!("An input variable with the name \"{attr_name}\" has not been declared. This variable can be declared with a variable \"{attr_name}\" {{}} block."),
                    )
                } else {
                    (
                        scope.locals,
                        "Reference to undeclared local value",
                        format!("A local value with the name \"{attr_name}\" has not been declared."),
                    )
                };
                match map.get(attr_name) {
                    Some(v) => Ok((v.clone(), 1)),
                    None => {
                        let mut d = Diagnostic::error(summary)
                            .with_detail(detail)
                            .at(self.sources, self.span(through(0)), "undeclared");
                        if let Some(n) = nearest(attr_name, map.keys().map(String::as_str)) {
                            d = d.with_help(format!("Did you mean \"{name}.{n}\"?"));
                        }
                        Err(d.into())
                    }
                }
            }
            "data" => match (attr(0), attr(1)) {
                (Some((ty, _)), Some((res, _))) => {
                    let addr = ResourceAddr::data(ty, res);
                    match scope.resources.get(&addr) {
                        Some(v) => Ok((v.clone(), 2)),
                        None => Err(self.error(
                            through(1),
                            "Reference to undeclared resource",
                            format!("A data resource \"{ty}\" \"{res}\" has not been declared in the root module."),
                            "undeclared",
                        )),
                    }
                }
                _ => Err(self.error(
                    root_range,
                    "Invalid reference",
                    "The \"data\" object must be followed by two attribute names: the data source type and the resource name.",
                    "invalid reference",
                )),
            },
            "each" => {
                let Some((key, value)) = &scope.each else {
                    return Err(self.error(
                        through(0),
                        "Reference to \"each\" in context without for_each",
                        "The \"each\" object can be used only in \"resource\" and \"data\" blocks, and only when the \"for_each\" argument is set.",
                        "no for_each here",
                    ));
                };
                match attr(0) {
                    Some(("key", _)) => Ok((key.clone(), 1)),
                    Some(("value", _)) => Ok((value.clone(), 1)),
                    _ => Err(self.error(
                        through(0),
                        "Invalid \"each\" attribute",
                        "The \"each\" object has only the attributes each.key and each.value.",
                        "invalid attribute",
                    )),
                }
            }
            "count" => {
                let Some(index) = scope.count_index else {
                    return Err(self.error(
                        through(0),
                        "Reference to \"count\" in non-counted context",
                        "The \"count\" object can only be used in \"resource\" and \"data\" blocks when the \"count\" argument is set.",
                        "no count here",
                    ));
                };
                match attr(0) {
                    Some(("index", _)) => Ok((Value::Number(index as f64), 1)),
                    _ => Err(self.error(
                        through(0),
                        "Invalid \"count\" attribute",
                        "The only supported attribute is count.index.",
                        "invalid attribute",
                    )),
                }
            }
            "path" => match attr(0) {
                // `.`: file() and templatefile() resolve against the configuration
                // directory, so `"${path.module}/x"` names the file beside the config, and
                // plans stay free of machine-specific absolute paths.
                Some(("module" | "root", _)) => Ok((Value::String(".".into()), 1)),
                Some(("cwd", _)) => {
                    let cwd = std::env::current_dir().unwrap_or_default();
                    Ok((Value::String(cwd.to_string_lossy().into_owned()), 1))
                }
                _ => Err(self.error(
                    through(0),
                    "Invalid \"path\" attribute",
                    "The supported attributes are path.module, path.root and path.cwd.",
                    "invalid attribute",
                )),
            },
            "self" => Err(self.error(
                root_range,
                "Invalid \"self\" reference",
                "The \"self\" object is not available in this context.",
                "not available",
            )),
            ty if ty.starts_with("workato_") => match attr(0) {
                Some((res, _)) => {
                    let addr = ResourceAddr::managed(ty, res);
                    match scope.resources.get(&addr) {
                        Some(v) => Ok((v.clone(), 1)),
                        None => Err(self.error(
                            through(0),
                            "Reference to undeclared resource",
                            format!("A managed resource \"{ty}\" \"{res}\" has not been declared in the root module."),
                            "undeclared",
                        )),
                    }
                }
                None => Err(self.error(
                    root_range,
                    "Invalid reference",
                    "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.",
                    "invalid reference",
                )),
            },
            other => {
                let mut d = Diagnostic::error("Unknown reference")
                    .with_detail(format!(
                        "\"{other}\" is not a valid reference. References start with var., local., data., each., count., path., or a resource type (workato_...)."
                    ))
                    .at(self.sources, self.span(root_range), "unknown name");
                let locals: Vec<&str> = self.locals.iter().map(|(n, _)| n.as_str()).collect();
                let candidates = super::refs::ROOTS.iter().copied().chain(locals);
                if let Some(n) = nearest(other, candidates) {
                    d = d.with_help(format!("Did you mean \"{n}\"?"));
                }
                Err(d.into())
            }
        }
    }

    fn eval_traversal(&mut self, t: &Traversal) -> EvalResult {
        let (base, used) = match &t.expr {
            Expression::Variable(v) => match self.follow_in_scope(v.as_str(), &t.operators)? {
                Some(found) => found,
                None => self.resolve_root(v, t.expr.span(), &t.operators)?,
            },
            other => (self.eval(other)?, 0),
        };
        self.apply_ops(base, &t.operators[used..])
    }

    /// Follows a reference's leading attribute and index steps into the scope by
    /// reference and clones only the value reached: `workato_folder.f[each.key].id` must
    /// not copy every instance of `workato_folder.f` (that makes a plan quadratic).
    /// `None` when the root is not a scope object that exists; `resolve_root` then reports
    /// it exactly as before.
    fn follow_in_scope(
        &mut self,
        name: &str,
        ops: &[Decorated<TraversalOperator>],
    ) -> Result<Option<(Value, usize)>, Diagnostics> {
        if self.template_vars.is_some() || self.lookup_local(name).is_some() {
            return Ok(None);
        }
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        let scope = self.scope;
        let found = match name {
            "var" => attr(0).and_then(|a| scope.vars.get(a)).map(|v| (v, 1)),
            "local" => attr(0).and_then(|a| scope.locals.get(a)).map(|v| (v, 1)),
            "data" => match (attr(0), attr(1)) {
                (Some(ty), Some(res)) => scope
                    .resources
                    .get(&ResourceAddr::data(ty, res))
                    .map(|v| (v, 2)),
                _ => None,
            },
            ty if ty.starts_with("workato_") => attr(0)
                .and_then(|res| scope.resources.get(&ResourceAddr::managed(ty, res)))
                .map(|v| (v, 1)),
            _ => None,
        };
        let Some((mut current, mut used)) = found else {
            return Ok(None);
        };
        while let Some(op) = ops.get(used) {
            let next = match op.value() {
                TraversalOperator::GetAttr(a) => match current {
                    Value::Object(map) => map.get(a.as_str()),
                    _ => None,
                },
                TraversalOperator::Index(e) => {
                    // Only plain collections are followed; marks, unknowns and errors take
                    // the general path (which evaluates the key again: it has no effects).
                    match (current, self.eval(e)?) {
                        (Value::Object(map), Value::String(k)) => map.get(&k),
                        (Value::List(items), Value::Number(n)) if n >= 0.0 && n.fract() == 0.0 => {
                            items.get(n as usize)
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            match next {
                Some(v) => {
                    current = v;
                    used += 1;
                }
                None => break,
            }
        }
        Ok(Some((current.clone(), used)))
    }

    fn apply_ops(&mut self, mut value: Value, ops: &[Decorated<TraversalOperator>]) -> EvalResult {
        let mut i = 0;
        while i < ops.len() {
            let op = &ops[i];
            match op.value() {
                TraversalOperator::GetAttr(name) => {
                    value = self.get_attr(value, name.as_str(), op.span())?;
                }
                TraversalOperator::Index(e) => {
                    let key = self.eval(e)?;
                    value = self.index(value, key, op.span())?;
                }
                TraversalOperator::LegacyIndex(n) => {
                    value = self.index(value, Value::Number(*n.value() as f64), op.span())?;
                }
                TraversalOperator::AttrSplat(_) => {
                    let rest = &ops[i + 1..];
                    let n = rest
                        .iter()
                        .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                        .count();
                    value = self.splat(value, &rest[..n])?;
                    i += 1 + n;
                    continue;
                }
                TraversalOperator::FullSplat(_) => {
                    return self.splat(value, &ops[i + 1..]);
                }
            }
            i += 1;
        }
        Ok(value)
    }

    fn splat(&mut self, value: Value, ops: &[Decorated<TraversalOperator>]) -> EvalResult {
        let (value, marked) = value.unmark();
        let items = match value {
            Value::Unknown => return Ok(Value::Unknown.marked_if(marked)),
            Value::Null => Vec::new(),
            Value::List(items) => items,
            other => vec![other],
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(self.apply_ops(item, ops)?);
        }
        Ok(Value::List(out).marked_if(marked))
    }

    fn get_attr(&self, value: Value, name: &str, range: Option<Range<usize>>) -> EvalResult {
        match value {
            Value::Sensitive(inner) => Ok(self.get_attr(*inner, name, range)?.mark_sensitive()),
            Value::Unknown => Ok(Value::Unknown),
            Value::Object(mut map) => match map.remove(name) {
                Some(v) => Ok(v),
                None => {
                    let mut d = Diagnostic::error("Unsupported attribute")
                        .with_detail(format!("This object does not have an attribute named \"{name}\"."))
                        .at(self.sources, self.span(range), "no such attribute");
                    if let Some(n) = nearest(name, map.keys().map(String::as_str)) {
                        d = d.with_help(format!("Did you mean \"{n}\"?"));
                    }
                    Err(d.into())
                }
            },
            Value::Null => Err(self.error(
                range,
                "Attempt to get attribute from null value",
                "This value is null, so it does not have any attributes.",
                "null value",
            )),
            Value::List(_) => Err(self.error(
                range,
                "Unsupported attribute",
                format!("Can't access attributes on a list of objects. Did you mean to access attribute \"{name}\" for a specific element of the list, or across all elements of the list (with [*])?"),
                "not an object",
            )),
            other => Err(self.error(
                range,
                "Unsupported attribute",
                format!("Can't access attributes on a primitive-typed value ({}).", kind(&other)),
                "not an object",
            )),
        }
    }

    fn index(&self, value: Value, key: Value, range: Option<Range<usize>>) -> EvalResult {
        let (key, key_marked) = key.unmark();
        let (value, marked) = value.unmark();
        let marked = marked || key_marked;
        if key.is_unknown() || value.is_unknown() {
            return Ok(Value::Unknown.marked_if(marked));
        }
        let invalid =
            |detail: String| self.error(range.clone(), "Invalid index", detail, "invalid index");
        let result = match value {
            Value::List(mut items) => {
                let Some(n) = to_number(&key) else {
                    return Err(invalid(format!(
                        "The given key does not identify an element in this collection value: a number is required, not {}.",
                        kind(&key)
                    )));
                };
                if n < 0.0 {
                    return Err(invalid("The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.".into()));
                }
                if n.fract() != 0.0 {
                    return Err(invalid("The given key does not identify an element in this collection value: indexes must be whole numbers.".into()));
                }
                let i = n as usize;
                if i >= items.len() {
                    return Err(invalid(format!(
                        "The given key does not identify an element in this collection value: the collection has {} element(s), so index {} is out of range.",
                        items.len(),
                        format_number(n)
                    )));
                }
                items.swap_remove(i)
            }
            Value::Object(mut map) => {
                let Some(k) = to_str(&key) else {
                    return Err(invalid(format!(
                        "The given key does not identify an element in this collection value: a string is required, not {}.",
                        kind(&key)
                    )));
                };
                match map.remove(&k) {
                    Some(v) => v,
                    None => {
                        return Err(invalid(format!(
                            "The given key does not identify an element in this collection value: there is no element with the key {:?}.",
                            k
                        )));
                    }
                }
            }
            Value::Null => {
                return Err(self.error(
                    range,
                    "Attempt to index null value",
                    "This value is null, so it does not have any indices.",
                    "null value",
                ));
            }
            other => {
                return Err(invalid(format!(
                    "This value ({}) does not have any indices.",
                    kind(&other)
                )));
            }
        };
        Ok(result.marked_if(marked))
    }

    // ----- operators ---------------------------------------------------------------

    fn eval_binary(
        &mut self,
        lhs: &Expression,
        op: BinaryOperator,
        rhs: &Expression,
        op_range: Option<Range<usize>>,
    ) -> EvalResult {
        use BinaryOperator::*;
        if matches!(op, And | Or) {
            return self.eval_logical(lhs, op == And, rhs);
        }
        let l = self.eval(lhs)?;
        let r = self.eval(rhs)?;
        let (l, lm) = l.unmark_deep();
        let (r, rm) = r.unmark_deep();
        let marked = lm || rm;
        if matches!(op, Eq | NotEq) {
            if l.contains_unknown() || r.contains_unknown() {
                return Ok(Value::Unknown.marked_if(marked));
            }
            let eq = deep_eq(&l, &r);
            return Ok(Value::Bool(if op == Eq { eq } else { !eq }).marked_if(marked));
        }
        let number =
            |ev: &Self, v: &Value, side: &str, e: &Expression| -> Result<f64, Diagnostics> {
                to_number(v).ok_or_else(|| {
                    ev.error(
                        e.span(),
                        "Invalid operand",
                        format!(
                            "Unsuitable value for {side} operand: a number is required, not {}.",
                            kind(v)
                        ),
                        "number required",
                    )
                })
            };
        if l.is_unknown() || r.is_unknown() {
            // Still type-check the known side.
            if !l.is_unknown() {
                number(self, &l, "left", lhs)?;
            }
            if !r.is_unknown() {
                number(self, &r, "right", rhs)?;
            }
            return Ok(Value::Unknown.marked_if(marked));
        }
        let a = number(self, &l, "left", lhs)?;
        let b = number(self, &r, "right", rhs)?;
        let result = match op {
            Plus => Value::Number(a + b),
            Minus => Value::Number(a - b),
            Mul => Value::Number(a * b),
            Div | Mod => {
                if b == 0.0 {
                    return Err(self.error(
                        op_range,
                        "Operation failed",
                        "Error during operation: can't divide by zero.",
                        "division by zero",
                    ));
                }
                Value::Number(if op == Div { a / b } else { a % b })
            }
            Less => Value::Bool(a < b),
            LessEq => Value::Bool(a <= b),
            Greater => Value::Bool(a > b),
            GreaterEq => Value::Bool(a >= b),
            Eq | NotEq | And | Or => unreachable!("handled above"),
        };
        Ok(result.marked_if(marked))
    }

    /// `&&` and `||` short-circuit on a known left operand, so `x != null && x.y` works.
    fn eval_logical(&mut self, lhs: &Expression, and: bool, rhs: &Expression) -> EvalResult {
        let side = |ev: &mut Self,
                    e: &Expression,
                    which: &str|
         -> Result<(Option<bool>, bool), Diagnostics> {
            let (v, m) = ev.eval(e)?.unmark();
            if v.is_unknown() {
                return Ok((None, m));
            }
            match v {
                Value::Bool(b) => Ok((Some(b), m)),
                other => Err(ev.error(
                    e.span(),
                    "Invalid operand",
                    format!(
                        "Unsuitable value for {which} operand: a bool is required, not {}.",
                        kind(&other)
                    ),
                    "bool required",
                )),
            }
        };
        let (l, lm) = side(self, lhs, "left")?;
        if l == Some(!and) {
            // false && _ = false; true || _ = true
            return Ok(Value::Bool(!and).marked_if(lm));
        }
        let (r, rm) = side(self, rhs, "right")?;
        let marked = lm || rm;
        let result = match (l, r) {
            (Some(_), Some(b)) => Value::Bool(b),
            (None, Some(b)) if b != and => Value::Bool(b),
            _ => Value::Unknown,
        };
        Ok(result.marked_if(marked))
    }

    // ----- for expressions ----------------------------------------------------------------

    fn iteration_pairs(
        &self,
        coll: Value,
        range: Option<Range<usize>>,
        what: &str,
    ) -> Result<Vec<(Value, Value)>, Diagnostics> {
        match coll {
            Value::List(items) => Ok(items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect()),
            Value::Object(map) => Ok(map
                .into_iter()
                .map(|(k, v)| (Value::String(k), v))
                .collect()),
            Value::Null => Err(self.error(
                range,
                "Iteration over null value",
                format!("A null value cannot be used as the collection in a {what}."),
                "null",
            )),
            other => Err(self.error(
                range,
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a {what}.",
                    kind(&other)
                ),
                "not a collection",
            )),
        }
    }

    fn bind(&mut self, key_var: Option<&str>, value_var: &str, key: Value, value: Value) -> usize {
        let depth = self.locals.len();
        if let Some(k) = key_var {
            self.locals.push((k.to_string(), key));
        }
        self.locals.push((value_var.to_string(), value));
        depth
    }

    fn eval_for(&mut self, f: &ForExpr) -> EvalResult {
        let coll = self.eval(&f.intro.collection_expr)?;
        let (coll, mut marked) = coll.unmark();
        if coll.is_unknown() {
            return Ok(Value::Unknown.marked_if(marked));
        }
        let pairs =
            self.iteration_pairs(coll, f.intro.collection_expr.span(), "'for' expression")?;
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str());
        let value_var = f.intro.value_var.as_str();
        let mut list = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        for (k, v) in pairs {
            let depth = self.bind(key_var, value_var, k, v);
            let item = self.for_item(f, &mut marked);
            self.locals.truncate(depth);
            match item? {
                ForItem::Skip => {}
                ForItem::Unknown => unknown = true,
                ForItem::Item(None, v) => list.push(v),
                ForItem::Item(Some(key), v) => {
                    if f.grouping {
                        groups.entry(key).or_default().push(v);
                    } else {
                        match object.entry(key) {
                            std::collections::btree_map::Entry::Vacant(slot) => {
                                slot.insert(v);
                            }
                            std::collections::btree_map::Entry::Occupied(slot) => {
                                return Err(self.error(
                                    f.key_expr.as_ref().and_then(|k| k.span()),
                                    "Duplicate object key",
                                    format!("Two different items produced the key \"{}\" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.", slot.key()),
                                    "duplicate key",
                                ));
                            }
                        }
                    }
                }
            }
        }
        let result = if unknown {
            Value::Unknown
        } else if f.key_expr.is_none() {
            Value::List(list)
        } else if f.grouping {
            Value::Object(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::List(v)))
                    .collect(),
            )
        } else {
            Value::Object(object)
        };
        Ok(result.marked_if(marked))
    }

    fn for_item(&mut self, f: &ForExpr, marked: &mut bool) -> Result<ForItem, Diagnostics> {
        if let Some(cond) = &f.cond {
            let (c, m) = self.eval(&cond.expr)?.unmark();
            *marked |= m;
            match c {
                Value::Unknown => return Ok(ForItem::Unknown),
                Value::Bool(false) => return Ok(ForItem::Skip),
                Value::Bool(true) => {}
                other => {
                    return Err(self.error(
                        cond.expr.span(),
                        "Invalid 'for' condition",
                        format!(
                            "The 'if' clause value is invalid: a bool is required, not {}.",
                            kind(&other)
                        ),
                        "bool required",
                    ));
                }
            }
        }
        let key = match &f.key_expr {
            None => None,
            Some(key_expr) => {
                let (k, m) = self.eval(key_expr)?.unmark();
                *marked |= m;
                match k {
                    Value::Unknown => return Ok(ForItem::Unknown),
                    Value::Null => {
                        return Err(self.error(
                            key_expr.span(),
                            "Invalid object key",
                            "Key expression in 'for' expression must not produce a null value.",
                            "null key",
                        ));
                    }
                    other => match to_str(&other) {
                        Some(s) => Some(s),
                        None => {
                            return Err(self.error(
                                key_expr.span(),
                                "Invalid object key",
                                format!("The key expression produced an invalid result: a string is required, not {}.", kind(&other)),
                                "string required",
                            ));
                        }
                    },
                }
            }
        };
        let value = self.eval(&f.value_expr)?;
        Ok(ForItem::Item(key, value))
    }

    // ----- templates --------------------------------------------------------------------

    /// Evaluates a template. `unwrap`: a template that is exactly one interpolation
    /// (`"${x}"`) yields the value itself, not its string form (as in HCL).
    pub fn eval_template(&mut self, template: &Template, unwrap: bool) -> EvalResult {
        if unwrap && let Some(Element::Interpolation(i)) = template.as_single_element() {
            return self.eval(&i.expr);
        }
        let mut out = TemplateOut::default();
        self.template_into(template, false, false, &mut out)?;
        let value = if out.unknown {
            Value::Unknown
        } else {
            Value::String(out.text)
        };
        Ok(value.marked_if(out.marked))
    }

    fn template_into(
        &mut self,
        template: &Template,
        strip_first: bool,
        strip_last: bool,
        out: &mut TemplateOut,
    ) -> Result<(), Diagnostics> {
        let elements: Vec<&Element> = template.iter().collect();
        let mut errors = Diagnostics::new();
        for (i, element) in elements.iter().enumerate() {
            match element {
                Element::Literal(lit) => {
                    let mut s: &str = lit.value();
                    let trim_start = if i == 0 {
                        strip_first
                    } else {
                        strips_after(elements[i - 1])
                    };
                    let trim_end = match elements.get(i + 1) {
                        Some(next) => strips_before(next),
                        None => strip_last,
                    };
                    if trim_start {
                        s = s.trim_start();
                    }
                    if trim_end {
                        s = s.trim_end();
                    }
                    out.text.push_str(s);
                }
                Element::Interpolation(interp) => match self.eval(&interp.expr) {
                    Ok(v) => {
                        if let Err(e) = self.template_piece(v, interp.expr.span(), out) {
                            errors.extend(e);
                        }
                    }
                    Err(e) => errors.extend(e),
                },
                Element::Directive(d) => {
                    if let Err(e) = self.directive(d, out) {
                        errors.extend(e);
                    }
                }
            }
        }
        errors.into_result(())
    }

    fn template_piece(
        &self,
        v: Value,
        range: Option<Range<usize>>,
        out: &mut TemplateOut,
    ) -> Result<(), Diagnostics> {
        let (v, m) = v.unmark();
        out.marked |= m;
        match v {
            Value::Unknown => out.unknown = true,
            Value::Null => {
                return Err(self.error(
                    range,
                    "Invalid template interpolation value",
                    "The expression result is null. Cannot include a null value in a string template.",
                    "null",
                ));
            }
            Value::List(_) | Value::Object(_) => {
                return Err(self.error(
                    range,
                    "Invalid template interpolation value",
                    format!("Cannot include the given value in a string template: string required, not {}.", kind(&v)),
                    "string required",
                ));
            }
            other => out.text.push_str(&to_str(&other).unwrap_or_default()),
        }
        Ok(())
    }

    fn directive(&mut self, d: &Directive, out: &mut TemplateOut) -> Result<(), Diagnostics> {
        match d {
            Directive::If(d) => {
                let cond_expr = &d.if_expr.cond_expr;
                let (c, m) = self.eval(cond_expr)?.unmark();
                out.marked |= m;
                let chosen = match c {
                    Value::Unknown => {
                        out.unknown = true;
                        return Ok(());
                    }
                    Value::Null => {
                        return Err(self.error(
                            cond_expr.span(),
                            "Invalid 'if' condition",
                            "The condition value is null. Conditions must either be true or false.",
                            "null",
                        ));
                    }
                    other => match to_bool(&other) {
                        Some(b) => b,
                        None => {
                            return Err(self.error(
                                cond_expr.span(),
                                "Invalid 'if' condition",
                                format!("A bool is required, not {}.", kind(&other)),
                                "bool required",
                            ));
                        }
                    },
                };
                let endif = d.endif_expr.strip.strip_start();
                if chosen {
                    let last = d
                        .else_expr
                        .as_ref()
                        .map_or(endif, |e| e.strip.strip_start());
                    self.template_into(&d.if_expr.template, d.if_expr.strip.strip_end(), last, out)
                } else if let Some(e) = &d.else_expr {
                    self.template_into(&e.template, e.strip.strip_end(), endif, out)
                } else {
                    Ok(())
                }
            }
            Directive::For(d) => {
                let f = &d.for_expr;
                let (coll, m) = self.eval(&f.collection_expr)?.unmark();
                out.marked |= m;
                if coll.is_unknown() {
                    out.unknown = true;
                    return Ok(());
                }
                let pairs =
                    self.iteration_pairs(coll, f.collection_expr.span(), "'for' directive")?;
                let key_var = f.key_var.as_ref().map(|k| k.as_str());
                for (k, v) in pairs {
                    let depth = self.bind(key_var, f.value_var.as_str(), k, v);
                    let r = self.template_into(
                        &f.template,
                        f.strip.strip_end(),
                        d.endfor_expr.strip.strip_start(),
                        out,
                    );
                    self.locals.truncate(depth);
                    r?;
                }
                Ok(())
            }
        }
    }

    // ----- function calls -----------------------------------------------------------------

    fn eval_call(&mut self, call: &FuncCall, range: Option<Range<usize>>) -> EvalResult {
        let name = call.name.name.as_str();
        if call.name.is_namespaced() {
            let full: Vec<&str> = call.name.namespace.iter().map(|n| n.as_str()).collect();
            return Err(self.error(
                range,
                "Call to unknown function",
                format!("There is no function named \"{}::{name}\": provider-defined functions are not supported.", full.join("::")),
                "unknown function",
            ));
        }
        let args: Vec<&Expression> = call.args.iter().collect();
        match name {
            "try" => return self.call_try(&args, range),
            "can" => return self.call_can(&args, range),
            _ => {}
        }
        let Some(def) = funcs::find(name) else {
            return Err(funcs::unknown_function(
                self,
                name,
                call.name.name.span().or(range),
            ));
        };
        let mut values = Vec::with_capacity(args.len());
        let mut ranges = Vec::with_capacity(args.len());
        let mut errors = Diagnostics::new();
        for a in &args {
            match self.eval(a) {
                Ok(v) => values.push(v),
                Err(e) => errors.extend(e),
            }
            ranges.push(a.span().or_else(|| range.clone()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if call.args.expand_final() {
            let last = values.pop().unwrap_or(Value::Null);
            let last_range = ranges.pop().flatten();
            let (last, marked) = last.unmark();
            match last {
                Value::Unknown => return Ok(Value::Unknown.marked_if(marked)),
                Value::List(items) => {
                    for item in items {
                        values.push(item.marked_if(marked));
                        ranges.push(last_range.clone());
                    }
                }
                other => {
                    return Err(self.error(
                        last_range,
                        "Invalid expanding argument value",
                        format!(
                            "The expanding argument (indicated by ...) must be a list, not {}.",
                            kind(&other)
                        ),
                        "list required",
                    ));
                }
            }
        }
        funcs::invoke(self, def, values, ranges, range)
    }

    fn call_try(&mut self, args: &[&Expression], range: Option<Range<usize>>) -> EvalResult {
        if args.is_empty() {
            return Err(self.error(
                range,
                "Not enough function arguments",
                "Function \"try\" expects at least one argument.",
                "no arguments",
            ));
        }
        let mut failures = Vec::new();
        for a in args {
            match self.eval(a) {
                Ok(v) => {
                    // An unknown value might still fail once known: the result is unknown.
                    if v.contains_unknown() {
                        return Ok(Value::Unknown.marked_if(v.contains_sensitive()));
                    }
                    return Ok(v);
                }
                Err(e) => failures.extend(e.0.into_iter().map(|d| d.to_string())),
            }
        }
        Err(self.error(
            range,
            "Error in function call",
            format!(
                "Call to function \"try\" failed: no expression succeeded:\n- {}\nAt least one expression must produce a successful result.",
                failures.join("\n- ")
            ),
            "no argument succeeded",
        ))
    }

    fn call_can(&mut self, args: &[&Expression], range: Option<Range<usize>>) -> EvalResult {
        if args.len() != 1 {
            return Err(self.error(
                range,
                if args.is_empty() {
                    "Not enough function arguments"
                } else {
                    "Too many function arguments"
                },
                "Function \"can\" expects exactly one argument.",
                "wrong number of arguments",
            ));
        }
        match self.eval(args[0]) {
            Ok(v) if v.contains_unknown() => Ok(Value::Unknown),
            Ok(_) => Ok(Value::Bool(true)),
            Err(_) => Ok(Value::Bool(false)),
        }
    }
}

/// Whether `element` strips whitespace from the literal before it (`~` at its start).
fn strips_before(element: &Element) -> bool {
    match element {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.if_expr.strip.strip_start(),
            Directive::For(d) => d.for_expr.strip.strip_start(),
        },
    }
}

/// Whether `element` strips whitespace from the literal after it (`~` at its end).
fn strips_after(element: &Element) -> bool {
    match element {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.endif_expr.strip.strip_end(),
            Directive::For(d) => d.endfor_expr.strip.strip_end(),
        },
    }
}
