//! Reference extraction: every `var.x`, `local.x`, `TYPE.NAME...`, `data.TYPE.NAME...`,
//! `each.*`, `count.index`, `path.*` and `self` in an expression, in source order. These
//! become the edges of the dependency graph. Names bound by `for` expressions and
//! `%{ for }` directives are skipped (scope stack), as the OpenTofu `addrs.ParseRef` rules say.

use std::ops::Range;

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::edit::template::{Directive, Element, Template};

use super::diag::Diagnostic;
use super::source::Span;
use super::syntax::Expr;
use crate::addr::ResourceAddr;
use crate::value::Value;

/// One reference found in an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub subject: Subject,
    /// The span of the subject (e.g. `var.x`, `workato_folder.a`, `each.key`).
    pub span: Span,
    /// The traversal steps after the subject (for `each`, `path` and `self` the first step
    /// is the attribute: `each.value.id` → `[Attr("value"), Attr("id")]`).
    pub remaining: Vec<TraversalStep>,
}

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    Var(String),
    Local(String),
    /// A managed resource or a data source.
    Resource(ResourceAddr),
    Each,
    CountIndex,
    Path,
    SelfRef,
}

/// One step of a traversal after a reference's subject.
#[derive(Debug, Clone, PartialEq)]
pub enum TraversalStep {
    Attr(String),
    /// A literal index: `["k"]`, `[0]`, `.0`.
    Index(Value),
    /// `[*]` or `.*`.
    Splat,
    /// An index computed from an expression.
    Dynamic,
}

/// The reserved root names, for "did you mean" messages.
pub(crate) const ROOTS: &[&str] = &["var", "local", "data", "each", "count", "path", "self"];

struct Raw {
    root: String,
    root_span: Range<usize>,
    steps: Vec<(TraversalStep, Range<usize>)>,
}

impl Expr {
    /// Every reference, in source order, skipping `for` locals. Malformed references
    /// (see [`Expr::reference_errors`]) are left out.
    pub fn references(&self) -> Vec<Reference> {
        self.checked_references().0
    }

    /// Diagnostics for roots that are not references at all (`foo.bar`) and for malformed
    /// ones (`var`, `workato_folder` without a name, `each.foo`, `count.foo`).
    pub fn reference_errors(&self) -> Vec<Diagnostic> {
        self.checked_references().1
    }

    /// Both of the above in one walk.
    pub fn checked_references(&self) -> (Vec<Reference>, Vec<Diagnostic>) {
        self.references_with_bound(&[])
    }

    /// Like [`Expr::checked_references`], with extra names already bound (the iterator of
    /// a `dynamic` block, whose `content` refers to `column.value`).
    pub fn references_with_bound(&self, bound: &[String]) -> (Vec<Reference>, Vec<Diagnostic>) {
        let mut raws = Vec::new();
        let mut bound = bound.to_vec();
        walk(self.syntax(), &mut bound, &mut raws);
        raws.sort_by_key(|r| r.root_span.start);
        let mut refs = Vec::new();
        let mut errors = Vec::new();
        for raw in raws {
            match classify(raw, self) {
                Ok(r) => refs.push(r),
                Err(d) => errors.push(*d),
            }
        }
        (refs, errors)
    }
}

fn span_or(node: &impl hcl::edit::Span, fallback: &Range<usize>) -> Range<usize> {
    node.span().unwrap_or_else(|| fallback.clone())
}

fn walk(expr: &Expression, bound: &mut Vec<String>, out: &mut Vec<Raw>) {
    let here = expr.span().unwrap_or(0..0);
    match expr {
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_) => {}
        Expression::Array(items) => items.iter().for_each(|e| walk(e, bound, out)),
        Expression::Object(object) => {
            for (key, value) in object.iter() {
                if let ObjectKey::Expression(k) = key {
                    walk(k, bound, out);
                }
                walk(value.expr(), bound, out);
            }
        }
        Expression::StringTemplate(t) => walk_template(t, bound, out),
        Expression::HeredocTemplate(h) => walk_template(&h.template, bound, out),
        Expression::Parenthesis(p) => walk(p.inner(), bound, out),
        Expression::Variable(v) => {
            if !bound.iter().any(|b| b == v.as_str()) {
                out.push(Raw {
                    root: v.as_str().to_string(),
                    root_span: here,
                    steps: Vec::new(),
                });
            }
        }
        Expression::Conditional(c) => {
            walk(&c.cond_expr, bound, out);
            walk(&c.true_expr, bound, out);
            walk(&c.false_expr, bound, out);
        }
        Expression::FuncCall(call) => call.args.iter().for_each(|e| walk(e, bound, out)),
        Expression::UnaryOp(op) => walk(&op.expr, bound, out),
        Expression::BinaryOp(op) => {
            walk(&op.lhs_expr, bound, out);
            walk(&op.rhs_expr, bound, out);
        }
        Expression::ForExpr(f) => {
            walk(&f.intro.collection_expr, bound, out);
            let depth = bound.len();
            if let Some(k) = &f.intro.key_var {
                bound.push(k.as_str().to_string());
            }
            bound.push(f.intro.value_var.as_str().to_string());
            if let Some(k) = &f.key_expr {
                walk(k, bound, out);
            }
            walk(&f.value_expr, bound, out);
            if let Some(c) = &f.cond {
                walk(&c.expr, bound, out);
            }
            bound.truncate(depth);
        }
        Expression::Traversal(t) => {
            let mut steps = Vec::new();
            for op in &t.operators {
                let op_span = span_or(op, &here);
                let step = match op.value() {
                    TraversalOperator::GetAttr(name) => TraversalStep::Attr(name.as_str().into()),
                    TraversalOperator::LegacyIndex(i) => {
                        TraversalStep::Index(Value::Number(*i.value() as f64))
                    }
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        TraversalStep::Splat
                    }
                    TraversalOperator::Index(e) => {
                        walk(e, bound, out);
                        match literal_index(e) {
                            Some(v) => TraversalStep::Index(v),
                            None => TraversalStep::Dynamic,
                        }
                    }
                };
                steps.push((step, op_span));
            }
            match &t.expr {
                Expression::Variable(v) => {
                    if !bound.iter().any(|b| b == v.as_str()) {
                        let root_span = span_or(&t.expr, &here);
                        out.push(Raw {
                            root: v.as_str().to_string(),
                            root_span,
                            steps,
                        });
                    }
                }
                other => walk(other, bound, out),
            }
        }
    }
}

fn walk_template(template: &Template, bound: &mut Vec<String>, out: &mut Vec<Raw>) {
    for element in template.iter() {
        match element {
            Element::Literal(_) => {}
            Element::Interpolation(i) => walk(&i.expr, bound, out),
            Element::Directive(d) => match d.as_ref() {
                Directive::If(d) => {
                    walk(&d.if_expr.cond_expr, bound, out);
                    walk_template(&d.if_expr.template, bound, out);
                    if let Some(e) = &d.else_expr {
                        walk_template(&e.template, bound, out);
                    }
                }
                Directive::For(d) => {
                    let f = &d.for_expr;
                    walk(&f.collection_expr, bound, out);
                    let depth = bound.len();
                    if let Some(k) = &f.key_var {
                        bound.push(k.as_str().to_string());
                    }
                    bound.push(f.value_var.as_str().to_string());
                    walk_template(&f.template, bound, out);
                    bound.truncate(depth);
                }
            },
        }
    }
}

/// A literal index value: a number or a string (possibly parenthesised).
pub(crate) fn literal_index(expr: &Expression) -> Option<Value> {
    match expr {
        Expression::Number(n) => n.value().as_f64().map(Value::Number),
        Expression::String(s) => Some(Value::String(s.value().clone())),
        Expression::Parenthesis(p) => literal_index(p.inner()),
        _ => None,
    }
}

fn attr_at(raw: &Raw, i: usize) -> Option<(&str, &Range<usize>)> {
    match raw.steps.get(i) {
        Some((TraversalStep::Attr(name), span)) => Some((name.as_str(), span)),
        _ => None,
    }
}

fn classify(raw: Raw, expr: &Expr) -> Result<Reference, Box<Diagnostic>> {
    let sources = expr.sources();
    let root_span = expr.span_of(Some(raw.root_span.clone()));
    let through = |i: usize| -> Span {
        let end = raw.steps.get(i).map_or(raw.root_span.end, |(_, s)| s.end);
        expr.span_of(Some(raw.root_span.start..end))
    };
    let rest = |from: usize| -> Vec<TraversalStep> {
        raw.steps
            .iter()
            .skip(from)
            .map(|(s, _)| s.clone())
            .collect()
    };
    let invalid = |detail: String, span: Span| {
        Box::new(
            Diagnostic::error("Invalid reference")
                .with_detail(detail)
                .at(sources, span, "invalid reference"),
        )
    };
    let root = raw.root.as_str();
    match root {
        "var" | "local" => {
            let Some((name, _)) = attr_at(&raw, 0) else {
                return Err(invalid(
                    format!(
                        "The \"{root}\" object cannot be accessed directly. Instead, access one of its attributes."
                    ),
                    root_span,
                ));
            };
            let subject = if root == "var" {
                Subject::Var(name.to_string())
            } else {
                Subject::Local(name.to_string())
            };
            Ok(Reference { subject, span: through(0), remaining: rest(1) })
        }
        "data" => match (attr_at(&raw, 0), attr_at(&raw, 1)) {
            (Some((ty, _)), Some((name, _))) => Ok(Reference {
                subject: Subject::Resource(ResourceAddr::data(ty, name)),
                span: through(1),
                remaining: rest(2),
            }),
            _ => Err(invalid(
                "The \"data\" object must be followed by two attribute names: the data source type and the resource name.".into(),
                root_span,
            )),
        },
        "each" => match attr_at(&raw, 0) {
            Some(("key" | "value", _)) => {
                Ok(Reference { subject: Subject::Each, span: through(0), remaining: rest(0) })
            }
            other => Err(Box::new(
                Diagnostic::error("Invalid \"each\" attribute")
                    .with_detail(format!(
                        "The \"each\" object does not have an attribute named {}. The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set.",
                        other.map_or("(none)".to_string(), |(n, _)| format!("\"{n}\""))
                    ))
                    .at(sources, through(0), "invalid attribute"),
            )),
        },
        "count" => match attr_at(&raw, 0) {
            Some(("index", _)) => {
                Ok(Reference { subject: Subject::CountIndex, span: through(0), remaining: rest(1) })
            }
            other => Err(Box::new(
                Diagnostic::error("Invalid \"count\" attribute")
                    .with_detail(format!(
                        "The \"count\" object does not have an attribute named {}. The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set.",
                        other.map_or("(none)".to_string(), |(n, _)| format!("\"{n}\""))
                    ))
                    .at(sources, through(0), "invalid attribute"),
            )),
        },
        "path" => match attr_at(&raw, 0) {
            Some(("module" | "root" | "cwd", _)) => {
                Ok(Reference { subject: Subject::Path, span: through(0), remaining: rest(0) })
            }
            other => Err(Box::new(
                Diagnostic::error("Invalid \"path\" attribute")
                    .with_detail(format!(
                        "The \"path\" object does not have an attribute named {}. The supported attributes are path.module, path.root and path.cwd.",
                        other.map_or("(none)".to_string(), |(n, _)| format!("\"{n}\""))
                    ))
                    .at(sources, through(0), "invalid attribute"),
            )),
        },
        "self" => Ok(Reference { subject: Subject::SelfRef, span: root_span, remaining: rest(0) }),
        ty if ty.starts_with("workato_") => match attr_at(&raw, 0) {
            Some((name, _)) => Ok(Reference {
                subject: Subject::Resource(ResourceAddr::managed(ty, name)),
                span: through(0),
                remaining: rest(1),
            }),
            None => Err(invalid(
                "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.".into(),
                root_span,
            )),
        },
        other => {
            let mut d = Diagnostic::error("Unknown reference")
                .with_detail(format!(
                    "\"{other}\" is not a valid reference. References start with var., local., data., each., count., path., self, or a resource type (workato_...)."
                ))
                .at(sources, root_span, "unknown name");
            if let Some(near) = super::eval::nearest(other, ROOTS.iter().copied()) {
                d = d.with_help(format!("Did you mean \"{near}\"?"));
            }
            Err(Box::new(d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(text: &str) -> Vec<(Subject, Vec<TraversalStep>, String)> {
        let e = Expr::parse("t.hcl", text).unwrap();
        e.references()
            .into_iter()
            .map(|r| {
                (
                    r.subject,
                    r.remaining,
                    e.sources().slice(r.span).to_string(),
                )
            })
            .collect()
    }

    fn subjects(text: &str) -> Vec<Subject> {
        refs(text).into_iter().map(|r| r.0).collect()
    }

    #[test]
    fn classifies_every_root() {
        let r = refs(
            "[var.a, local.b, workato_folder.x.id, data.workato_folder.y.path, each.key, count.index, path.module, self.id]",
        );
        assert_eq!(r[0], (Subject::Var("a".into()), vec![], "var.a".into()));
        assert_eq!(r[1].0, Subject::Local("b".into()));
        assert_eq!(
            r[2],
            (
                Subject::Resource(ResourceAddr::managed("workato_folder", "x")),
                vec![TraversalStep::Attr("id".into())],
                "workato_folder.x".into()
            )
        );
        assert_eq!(
            r[3].0,
            Subject::Resource(ResourceAddr::data("workato_folder", "y"))
        );
        assert_eq!(r[3].2, "data.workato_folder.y");
        assert_eq!(
            r[4],
            (
                Subject::Each,
                vec![TraversalStep::Attr("key".into())],
                "each.key".into()
            )
        );
        assert_eq!(r[5].0, Subject::CountIndex);
        assert_eq!(r[6].0, Subject::Path);
        assert_eq!(r[7].0, Subject::SelfRef);
    }

    #[test]
    fn finds_references_in_templates_calls_splats_and_for_bodies() {
        assert_eq!(
            subjects(r#""${var.env}-%{ if local.on }x%{ endif }" "#),
            vec![Subject::Var("env".into()), Subject::Local("on".into())]
        );
        let r = refs("workato_folder.all[*].id");
        assert_eq!(
            r[0].1,
            vec![TraversalStep::Splat, TraversalStep::Attr("id".into())]
        );
        let r = refs(r#"workato_folder.m["k"].id"#);
        assert_eq!(r[0].1[0], TraversalStep::Index(Value::String("k".into())));
        let r = refs("workato_folder.m[var.k].id");
        assert_eq!(r[0].1[0], TraversalStep::Dynamic);
        assert_eq!(r[1].0, Subject::Var("k".into()));
        assert_eq!(
            subjects("upper(join(\",\", [for f in var.fs : f.name if f.on && local.x]))"),
            vec![Subject::Var("fs".into()), Subject::Local("x".into())]
        );
        assert_eq!(
            subjects("{ for k, v in var.m : k => v if k != local.skip }"),
            vec![Subject::Var("m".into()), Subject::Local("skip".into())]
        );
        assert_eq!(
            subjects("\"%{ for s in var.l }${s}${var.sep}%{ endfor }\""),
            vec![Subject::Var("l".into()), Subject::Var("sep".into())]
        );
    }

    #[test]
    fn for_locals_do_not_leak_out_of_their_expression() {
        assert_eq!(
            subjects("concat([for x in var.l : x], [x])"),
            vec![Subject::Var("l".into())]
        );
        let e = Expr::parse("t.hcl", "concat([for x in var.l : x], [x])").unwrap();
        assert_eq!(e.reference_errors().len(), 1);
    }

    #[test]
    fn malformed_references_are_diagnosed() {
        for (text, summary) in [
            ("workato_folder", "Invalid reference"),
            ("var", "Invalid reference"),
            ("each.foo", "Invalid \"each\" attribute"),
            ("count.foo", "Invalid \"count\" attribute"),
            ("path.x", "Invalid \"path\" attribute"),
            ("foo.bar", "Unknown reference"),
        ] {
            let e = Expr::parse("t.hcl", text).unwrap();
            let errors = e.reference_errors();
            assert_eq!(errors.len(), 1, "{text}");
            assert_eq!(errors[0].summary(), summary, "{text}");
            assert_eq!(errors[0].location().as_deref(), Some("t.hcl:1:1"));
        }
        let e = Expr::parse("t.hcl", "workato_folder").unwrap();
        assert!(
            e.reference_errors()[0]
                .detail()
                .unwrap()
                .contains("must be followed by at least one attribute access")
        );
    }
}
