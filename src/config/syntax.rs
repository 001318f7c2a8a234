//! Our own thin layer over hcl-edit's AST: bodies, attributes, nested blocks and [`Expr`],
//! each carrying spans into [`Sources`].

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use hcl::edit::expr::Expression;
use hcl::edit::structure;
use hcl::edit::{Decorated, Ident, Span as _};

use super::diag::{Diagnostic, Diagnostics};
use super::source::{FileId, Sources, Span};

/// An unevaluated expression: the hcl-edit AST node plus the file it came from.
/// Cloning is cheap (the AST is shared).
#[derive(Clone)]
pub struct Expr {
    inner: Arc<Expression>,
    file: FileId,
    sources: Sources,
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Expr({:?} at {})",
            self.source_text(),
            self.sources.location(self.span())
        )
    }
}

impl Expr {
    pub(crate) fn new(inner: Expression, file: FileId, sources: &Sources) -> Expr {
        Expr {
            inner: Arc::new(inner),
            file,
            sources: sources.clone(),
        }
    }

    /// Parses a standalone expression (a `--var` value, a test input). `name` is what
    /// diagnostics call the text, e.g. `<value for var.ids>`.
    /// Surrounding whitespace is ignored (hcl-edit's expression parser rejects it).
    pub fn parse(name: &str, text: &str) -> Result<Expr, Diagnostics> {
        let (sources, file) = Sources::single(name, text.trim());
        let text = sources.text(file);
        match hcl::edit::parser::parse_expr(text) {
            Ok(expr) => Ok(Expr::new(expr, file, &sources)),
            Err(err) => Err(parse_error(&sources, file, &err).into()),
        }
    }

    /// The span of the whole expression.
    pub fn span(&self) -> Span {
        Span::new(self.file, node_range(&*self.inner).unwrap_or(0..0))
    }

    pub fn file(&self) -> FileId {
        self.file
    }

    /// The source set this expression's file belongs to (for building diagnostics).
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// The hcl-edit syntax tree.
    pub fn syntax(&self) -> &Expression {
        &self.inner
    }

    /// The source text of the expression.
    pub fn source_text(&self) -> &str {
        self.sources.slice(self.span())
    }

    /// The value of a literal string (`"abc"`, or a heredoc/template without
    /// interpolations); `None` for anything else.
    pub fn as_static_string(&self) -> Option<String> {
        static_string(&self.inner)
    }

    /// A span in this expression's file.
    pub(crate) fn span_of(&self, range: Option<Range<usize>>) -> Span {
        Span::new(
            self.file,
            range.unwrap_or_else(|| self.span().start..self.span().end),
        )
    }
}

pub(crate) fn static_string(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(s) => Some(s.value().clone()),
        Expression::Parenthesis(p) => static_string(p.inner()),
        Expression::StringTemplate(t) => static_template(t),
        Expression::HeredocTemplate(h) => static_template(&h.template),
        _ => None,
    }
}

fn static_template(t: &hcl::edit::template::Template) -> Option<String> {
    let mut out = String::new();
    for element in t.iter() {
        out.push_str(element.as_literal()?.value());
    }
    Some(out)
}

/// The byte range of any hcl-edit node.
pub(crate) fn node_range(node: &impl hcl::edit::Span) -> Option<Range<usize>> {
    node.span()
}

/// A block body: its attributes and nested blocks, in source order.
#[derive(Debug, Clone)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub span: Span,
}

/// `name = expr`.
#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub name_span: Span,
    pub expr: Expr,
}

/// `type "label" { body }`.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub type_name: String,
    pub labels: Vec<String>,
    pub body: Body,
    /// The block header: type name and labels.
    pub span: Span,
}

impl Body {
    /// An empty body located at `span`.
    pub fn empty(span: Span) -> Body {
        Body {
            attributes: Vec::new(),
            blocks: Vec::new(),
            span,
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn blocks_of<'a>(&'a self, type_name: &'a str) -> impl Iterator<Item = &'a NestedBlock> {
        self.blocks.iter().filter(move |b| b.type_name == type_name)
    }

    /// Removes and returns the attribute `name`.
    pub fn take_attribute(&mut self, name: &str) -> Option<Attribute> {
        let i = self.attributes.iter().position(|a| a.name == name)?;
        Some(self.attributes.remove(i))
    }

    /// Removes and returns every nested block of type `type_name`.
    pub fn take_blocks(&mut self, type_name: &str) -> Vec<NestedBlock> {
        let (taken, kept) = std::mem::take(&mut self.blocks)
            .into_iter()
            .partition(|b| b.type_name == type_name);
        self.blocks = kept;
        taken
    }
}

/// Converts hcl-edit structures into our own, checking for redefined attributes.
pub(crate) struct Lowering<'s> {
    pub sources: &'s Sources,
    pub file: FileId,
    pub diags: &'s mut Diagnostics,
}

impl Lowering<'_> {
    pub fn span(&self, range: Option<Range<usize>>) -> Span {
        Span::new(self.file, range.unwrap_or(0..0))
    }

    pub fn ident_span(&self, ident: &Decorated<Ident>) -> Span {
        self.span(ident.span())
    }

    pub fn body(&mut self, body: structure::Body, span: Span) -> Body {
        let mut out = Body::empty(body.span().map_or(span, |r| self.span(Some(r))));
        for structure in body {
            match structure {
                structure::Structure::Attribute(attr) => {
                    let attribute = self.attribute(attr);
                    if let Some(previous) = out.attribute(&attribute.name) {
                        let d = Diagnostic::error("Attribute redefined")
                            .with_detail(format!(
                                "The argument \"{}\" was already set at {}. Each argument may be set only once.",
                                attribute.name,
                                self.sources.location(previous.name_span)
                            ))
                            .at(self.sources, attribute.name_span, "set again here");
                        self.diags.push(d);
                    } else {
                        out.attributes.push(attribute);
                    }
                }
                structure::Structure::Block(block) => {
                    let block = self.block(block);
                    out.blocks.push(block);
                }
            }
        }
        out
    }

    pub fn attribute(&mut self, attr: structure::Attribute) -> Attribute {
        let name_span = self.ident_span(&attr.key);
        Attribute {
            name: attr.key.value().to_string(),
            name_span,
            expr: Expr::new(attr.value, self.file, self.sources),
        }
    }

    pub fn block_header(&self, block: &structure::Block) -> Span {
        let start = self.ident_span(&block.ident);
        let end = block
            .labels
            .last()
            .and_then(|l| l.span())
            .map_or(start, |r| self.span(Some(r)));
        start.to(end)
    }

    pub fn block(&mut self, block: structure::Block) -> NestedBlock {
        let span = self.block_header(&block);
        let labels = block
            .labels
            .iter()
            .map(|l| l.as_str().to_string())
            .collect();
        let type_name = block.ident.value().to_string();
        let body = self.body(block.body, span);
        NestedBlock {
            type_name,
            labels,
            body,
            span,
        }
    }
}

/// Converts an hcl-edit parse error into a diagnostic at the reported line and column.
pub(crate) fn parse_error(
    sources: &Sources,
    file: FileId,
    err: &hcl::edit::parser::Error,
) -> Diagnostic {
    let loc = err.location();
    let start = sources.offset_of(file, loc.line(), loc.column());
    let text = sources.text(file);
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    let end = if text[start..end].contains('\n') {
        start
    } else {
        end
    };
    let mut message = err.message().to_string();
    if let Some(first) = message.get(..1) {
        message = first.to_uppercase() + &message[1..];
    }
    Diagnostic::error("Invalid HCL syntax")
        .with_detail(message)
        .at(sources, Span::new(file, start..end), "syntax error here")
}

/// Calls `f` on `expr` and every expression nested in it (template parts included).
pub(crate) fn visit_exprs(expr: &Expression, f: &mut dyn FnMut(&Expression)) {
    use hcl::edit::expr::ObjectKey;
    use hcl::edit::template::{Directive, Element, Template};

    fn template(t: &Template, f: &mut dyn FnMut(&Expression)) {
        for element in t.iter() {
            match element {
                Element::Literal(_) => {}
                Element::Interpolation(i) => visit_exprs(&i.expr, f),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        visit_exprs(&d.if_expr.cond_expr, f);
                        template(&d.if_expr.template, f);
                        if let Some(e) = &d.else_expr {
                            template(&e.template, f);
                        }
                    }
                    Directive::For(d) => {
                        visit_exprs(&d.for_expr.collection_expr, f);
                        template(&d.for_expr.template, f);
                    }
                },
            }
        }
    }

    f(expr);
    match expr {
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_) => {}
        Expression::Variable(_) => {}
        Expression::Array(items) => items.iter().for_each(|e| visit_exprs(e, f)),
        Expression::Object(object) => {
            for (key, value) in object.iter() {
                if let ObjectKey::Expression(k) = key {
                    visit_exprs(k, f);
                }
                visit_exprs(value.expr(), f);
            }
        }
        Expression::StringTemplate(t) => template(t, f),
        Expression::HeredocTemplate(h) => template(&h.template, f),
        Expression::Parenthesis(p) => visit_exprs(p.inner(), f),
        Expression::Conditional(c) => {
            visit_exprs(&c.cond_expr, f);
            visit_exprs(&c.true_expr, f);
            visit_exprs(&c.false_expr, f);
        }
        Expression::FuncCall(call) => call.args.iter().for_each(|e| visit_exprs(e, f)),
        Expression::Traversal(t) => {
            visit_exprs(&t.expr, f);
            for op in &t.operators {
                if let hcl::edit::expr::TraversalOperator::Index(e) = op.value() {
                    visit_exprs(e, f);
                }
            }
        }
        Expression::UnaryOp(op) => visit_exprs(&op.expr, f),
        Expression::BinaryOp(op) => {
            visit_exprs(&op.lhs_expr, f);
            visit_exprs(&op.rhs_expr, f);
        }
        Expression::ForExpr(fe) => {
            visit_exprs(&fe.intro.collection_expr, f);
            if let Some(k) = &fe.key_expr {
                visit_exprs(k, f);
            }
            visit_exprs(&fe.value_expr, f);
            if let Some(c) = &fe.cond {
                visit_exprs(&c.expr, f);
            }
        }
    }
}
