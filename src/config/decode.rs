//! Loading: parse every `*.wf.hcl` file, decode the top-level blocks into typed structs,
//! and check what can be checked without values (duplicates, references, function names),
//! collecting every error instead of stopping at the first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, TraversalOperator};

use super::diag::{Diagnostic, Diagnostics};
use super::eval::{Scope, eval, nearest};
use super::funcs;
use super::refs::{Reference, Subject, literal_index};
use super::source::{FileId, Sources, Span};
use super::syntax::{Attribute, Body, Expr, Lowering, NestedBlock, parse_error};
use super::types::Type;
use crate::addr::{InstanceKey, Mode, ResourceAddr};
use crate::value::Value;

/// A loaded configuration directory.
#[derive(Debug, Clone)]
pub struct Config {
    pub dir: PathBuf,
    /// All file texts, for diagnostics and `file()`.
    pub sources: Sources,
    /// `workato { region = .. host = .. token = .. rate_limits {..} }`, undecoded.
    pub workato: Option<Body>,
    /// `workform { backend ... }`, undecoded.
    pub workform: Option<Body>,
    pub variables: Vec<Variable>,
    /// One per attribute of every `locals` block.
    pub locals: Vec<Local>,
    /// `resource` and `data` blocks.
    pub resources: Vec<ResourceConfig>,
    pub outputs: Vec<Output>,
    pub imports: Vec<ImportBlock>,
    pub moved: Vec<MovedBlock>,
    pub removed: Vec<RemovedBlock>,
}

impl Config {
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    pub fn local(&self, name: &str) -> Option<&Local> {
        self.locals.iter().find(|l| l.name == name)
    }

    pub fn resource(&self, addr: &ResourceAddr) -> Option<&ResourceConfig> {
        self.resources.iter().find(|r| &r.addr == addr)
    }

    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    /// The block header.
    pub span: Span,
    pub type_constraint: Option<Type>,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<Validation>,
}

#[derive(Debug, Clone)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: Expr,
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    /// The attribute name.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ResourceConfig {
    pub addr: ResourceAddr,
    /// The block header.
    pub span: Span,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    /// Bare traversals, not evaluated.
    pub depends_on: Vec<(ResourceAddr, Span)>,
    pub lifecycle: Lifecycle,
    /// The body without meta-arguments.
    pub body: Body,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    pub create_before_destroy: bool,
    pub ignore_changes: IgnoreChanges,
}

/// `lifecycle { ignore_changes = ... }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    /// Attribute names (or paths such as `input.host`, `tags["k"]`), with their spans.
    Attrs(Vec<(String, Span)>),
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub span: Span,
    pub value: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    pub depends_on: Vec<(ResourceAddr, Span)>,
}

/// `import { to = workato_folder.x["k"], id = "123" }`.
#[derive(Debug, Clone)]
pub struct ImportBlock {
    /// The target resource, its key expression if any, and the span of `to`'s value.
    pub to: (ResourceAddr, Option<Expr>, Span),
    pub id: Expr,
    pub span: Span,
}

/// `moved { from = A, to = B }`.
#[derive(Debug, Clone)]
pub struct MovedBlock {
    pub from: (ResourceAddr, Option<InstanceKey>),
    pub to: (ResourceAddr, Option<InstanceKey>),
    pub span: Span,
}

/// `removed { from = A, lifecycle { destroy = false } }`.
#[derive(Debug, Clone)]
pub struct RemovedBlock {
    pub from: ResourceAddr,
    pub destroy: bool,
    pub span: Span,
}

const BLOCK_TYPES: &[&str] = &[
    "workform", "workato", "variable", "locals", "resource", "data", "output", "import", "moved",
    "removed",
];

const RESERVED_VARIABLE_NAMES: &[&str] = &[
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "lifecycle",
    "depends_on",
    "locals",
];

/// Loads every `*.wf.hcl` file directly in `dir` (not recursive), sorted by name.
pub fn load_dir(dir: &Path) -> Result<Config, Diagnostics> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error("Cannot read configuration directory")
                .with_detail(format!("Failed to read {}: {e}.", dir.display())),
        )
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".wf.hcl"))
        .collect();
    names.sort();
    let mut files = Vec::with_capacity(names.len());
    let mut diags = Diagnostics::new();
    for name in names {
        match std::fs::read_to_string(dir.join(&name)) {
            Ok(text) => files.push((name, text)),
            Err(e) => diags.push(
                Diagnostic::error("Cannot read configuration file").with_detail(format!(
                    "Failed to read {}: {e}.",
                    dir.join(&name).display()
                )),
            ),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    if files.is_empty() {
        return Err(no_files(dir));
    }
    load_files(dir, files)
}

fn no_files(dir: &Path) -> Diagnostics {
    Diagnostic::error("No configuration files")
        .with_detail(format!(
            "The directory {} contains no configuration files (*.wf.hcl).",
            dir.display()
        ))
        .with_help("Create a file such as main.wf.hcl, or point -C at the configuration directory.")
        .into()
}

/// Loads a configuration from in-memory files (saved plans, tests). `dir` is where
/// `file()` and `templatefile()` look.
pub fn load_files(dir: &Path, files: Vec<(String, String)>) -> Result<Config, Diagnostics> {
    if files.is_empty() {
        return Err(no_files(dir));
    }
    let sources = Sources::new(files);
    let mut decoder = Decoder {
        sources: sources.clone(),
        diags: Diagnostics::new(),
        config: Config {
            dir: dir.to_path_buf(),
            sources: sources.clone(),
            workato: None,
            workform: None,
            variables: Vec::new(),
            locals: Vec::new(),
            resources: Vec::new(),
            outputs: Vec::new(),
            imports: Vec::new(),
            moved: Vec::new(),
            removed: Vec::new(),
        },
    };
    let ids: Vec<FileId> = sources.files().map(|(id, _, _)| id).collect();
    for file in ids {
        match hcl::edit::parser::parse_body(sources.text(file)) {
            Err(err) => decoder.diags.push(parse_error(&sources, file, &err)),
            Ok(body) => {
                let mut lowering = Lowering {
                    sources: &sources,
                    file,
                    diags: &mut decoder.diags,
                };
                let whole = Span::new(file, 0..sources.text(file).len());
                let body = lowering.body(body, whole);
                decoder.top_level(body);
            }
        }
    }
    decoder.check_duplicates();
    decoder.check_expressions();
    let Decoder { diags, config, .. } = decoder;
    diags.into_result(config)
}

struct Decoder {
    sources: Sources,
    diags: Diagnostics,
    config: Config,
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Decoder {
    fn error(&mut self, span: Span, summary: &str, detail: impl Into<String>, label: &str) {
        let d = Diagnostic::error(summary)
            .with_detail(detail)
            .at(&self.sources, span, label);
        self.diags.push(d);
    }

    fn top_level(&mut self, body: Body) {
        for attr in body.attributes {
            self.error(
                attr.name_span,
                "Unsupported argument",
                format!("An argument named \"{}\" is not expected here.", attr.name),
                "unexpected argument",
            );
        }
        for block in body.blocks {
            match block.type_name.as_str() {
                "workform" | "workato" => self.singleton(block),
                "variable" => self.variable(block),
                "locals" => self.locals(block),
                "resource" => self.resource(block, Mode::Managed),
                "data" => self.resource(block, Mode::Data),
                "output" => self.output(block),
                "import" => self.import(block),
                "moved" => self.moved(block),
                "removed" => self.removed(block),
                other => {
                    let mut d = Diagnostic::error("Unsupported block type")
                        .with_detail(format!(
                            "Blocks of type \"{other}\" are not expected here. Valid block types are: {}.",
                            BLOCK_TYPES.join(", ")
                        ))
                        .at(&self.sources, block.span, "unknown block type");
                    if let Some(n) = nearest(other, BLOCK_TYPES.iter().copied()) {
                        d = d.with_help(format!("Did you mean \"{n}\"?"));
                    }
                    self.diags.push(d);
                }
            }
        }
    }

    /// Checks the label count and that every label is a valid name.
    fn labels(&mut self, block: &NestedBlock, names: &[&str]) -> bool {
        let ty = &block.type_name;
        let expect = if names.is_empty() {
            format!("{ty} blocks take no labels")
        } else {
            format!(
                "All {ty} blocks must have {} label{} ({})",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            )
        };
        if block.labels.len() < names.len() {
            self.error(
                block.span,
                &format!("Missing {} for {ty}", names[block.labels.len()]),
                format!("{expect}."),
                "missing label",
            );
            return false;
        }
        if block.labels.len() > names.len() {
            self.error(
                block.span,
                &format!("Extraneous label for {ty}"),
                format!("{expect}."),
                "extra label",
            );
            return false;
        }
        for label in &block.labels {
            if !is_name(label) {
                self.error(
                    block.span,
                    &format!("Invalid {ty} name"),
                    format!("\"{label}\" is not a valid name. A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes."),
                    "invalid name",
                );
                return false;
            }
        }
        true
    }

    fn unsupported_attr(&mut self, attr: &Attribute, context: &str) {
        self.error(
            attr.name_span,
            "Unsupported argument",
            format!(
                "An argument named \"{}\" is not expected in {context}.",
                attr.name
            ),
            "unexpected argument",
        );
    }

    fn unsupported_block(&mut self, block: &NestedBlock, context: &str) {
        self.error(
            block.span,
            "Unsupported block type",
            format!(
                "Blocks of type \"{}\" are not expected in {context}.",
                block.type_name
            ),
            "unexpected block",
        );
    }

    fn missing(&mut self, span: Span, name: &str, context: &str) {
        self.error(
            span,
            "Missing required argument",
            format!(
                "The argument \"{name}\" is required in {context}, but no definition was found."
            ),
            "argument missing",
        );
    }

    /// A literal `true`/`false`.
    fn literal_bool(&mut self, attr: &Attribute) -> Option<bool> {
        match unparen(attr.expr.syntax()) {
            Expression::Bool(b) => Some(*b.value()),
            _ => {
                if !attr.expr.references().is_empty() || !attr.expr.reference_errors().is_empty() {
                    self.error(
                        attr.expr.span(),
                        "Variables not allowed",
                        "Variables may not be used here.",
                        "not a literal",
                    );
                } else {
                    self.error(
                        attr.expr.span(),
                        "Invalid value",
                        format!(
                            "The argument \"{}\" requires a literal bool (true or false).",
                            attr.name
                        ),
                        "bool required",
                    );
                }
                None
            }
        }
    }

    fn literal_string(&mut self, attr: &Attribute) -> Option<String> {
        let s = attr.expr.as_static_string();
        if s.is_none() {
            self.error(
                attr.expr.span(),
                "Invalid value",
                format!("The argument \"{}\" requires a literal string.", attr.name),
                "string required",
            );
        }
        s
    }

    fn singleton(&mut self, block: NestedBlock) {
        if !self.labels(&block, &[]) {
            return;
        }
        let ty = block.type_name.clone();
        let slot = if ty == "workato" {
            &mut self.config.workato
        } else {
            &mut self.config.workform
        };
        if let Some(previous) = slot {
            let prev = self.sources.location(previous.span);
            self.error(
                block.span,
                &format!("Duplicate {ty} block"),
                format!("A {ty} block was already declared at {prev}. Only one is allowed."),
                "second block",
            );
            return;
        }
        let mut body = block.body;
        body.span = block.span;
        *slot = Some(body);
    }

    fn variable(&mut self, block: NestedBlock) {
        if !self.labels(&block, &["name"]) {
            return;
        }
        let name = block.labels[0].clone();
        if RESERVED_VARIABLE_NAMES.contains(&name.as_str()) {
            self.error(
                block.span,
                "Invalid variable name",
                format!("The variable name \"{name}\" is reserved; choose another name."),
                "reserved name",
            );
        }
        let mut var = Variable {
            name,
            span: block.span,
            type_constraint: None,
            default: None,
            description: None,
            sensitive: false,
            nullable: true,
            validations: Vec::new(),
        };
        for attr in &block.body.attributes {
            match attr.name.as_str() {
                "type" => match Type::from_expr(&attr.expr) {
                    Ok(t) => var.type_constraint = Some(t),
                    Err(d) => self.diags.extend(d),
                },
                "default" => {
                    if !attr.expr.references().is_empty() {
                        self.error(
                            attr.expr.span(),
                            "Variables not allowed",
                            "Variables may not be used here.",
                            "not a constant",
                        );
                    } else {
                        var.default = Some(attr.expr.clone());
                    }
                }
                "description" => var.description = self.literal_string(attr),
                "sensitive" => var.sensitive = self.literal_bool(attr).unwrap_or(false),
                "nullable" => var.nullable = self.literal_bool(attr).unwrap_or(true),
                _ => self.unsupported_attr(attr, "a variable block"),
            }
        }
        for nested in &block.body.blocks {
            if nested.type_name != "validation" {
                self.unsupported_block(nested, "a variable block");
                continue;
            }
            let mut condition = None;
            let mut message = None;
            for attr in &nested.body.attributes {
                match attr.name.as_str() {
                    "condition" => condition = Some(attr.expr.clone()),
                    "error_message" => message = Some(attr.expr.clone()),
                    _ => self.unsupported_attr(attr, "a validation block"),
                }
            }
            for b in &nested.body.blocks {
                self.unsupported_block(b, "a validation block");
            }
            match (condition, message) {
                (Some(condition), Some(error_message)) => var.validations.push(Validation {
                    condition,
                    error_message,
                }),
                (None, _) => self.missing(nested.span, "condition", "a validation block"),
                (_, None) => self.missing(nested.span, "error_message", "a validation block"),
            }
        }
        // The default must evaluate and satisfy the type constraint.
        if let Some(default) = &var.default {
            let dir = self.config.dir.clone();
            match eval(default, &Scope::new(&dir)) {
                Err(d) => self.diags.extend(d),
                Ok(v) => {
                    if let Some(Err(msg)) = var.type_constraint.as_ref().map(|ty| ty.convert(v)) {
                        self.error(
                            default.span(),
                            "Invalid default value for variable",
                            format!("This default value is not compatible with the variable's type constraint: {msg}."),
                            "incompatible default",
                        );
                    }
                }
            }
        }
        self.config.variables.push(var);
    }

    fn locals(&mut self, block: NestedBlock) {
        if !self.labels(&block, &[]) {
            return;
        }
        for b in &block.body.blocks {
            self.unsupported_block(b, "a locals block");
        }
        for attr in block.body.attributes {
            self.config.locals.push(Local {
                name: attr.name,
                expr: attr.expr,
                span: attr.name_span,
            });
        }
    }

    fn resource(&mut self, block: NestedBlock, mode: Mode) {
        if !self.labels(&block, &["type", "name"]) {
            return;
        }
        let (ty, name) = (block.labels[0].clone(), block.labels[1].clone());
        if !ty.starts_with("workato_") {
            self.error(
                block.span,
                "Invalid resource type",
                format!("Resource type \"{ty}\" is not supported: workform manages Workato objects, whose types start with \"workato_\"."),
                "unsupported type",
            );
            return;
        }
        let addr = ResourceAddr {
            mode,
            type_name: ty,
            name,
        };
        let what = if mode == Mode::Data {
            "a data block"
        } else {
            "a resource block"
        };
        let mut body = block.body;
        let count = body.take_attribute("count").map(|a| a.expr);
        let for_each = body.take_attribute("for_each").map(|a| a.expr);
        if let (Some(_), Some(fe)) = (&count, &for_each) {
            self.error(
                fe.span(),
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
                "conflicts with count",
            );
        }
        if let Some(p) = body.take_attribute("provider") {
            self.error(
                p.name_span,
                "Unsupported argument",
                "The \"provider\" meta-argument is not supported: workform has a single built-in Workato provider, configured by the workato block.",
                "not supported",
            );
        }
        let depends_on = match body.take_attribute("depends_on") {
            Some(attr) => self.depends_on(&attr),
            None => Vec::new(),
        };
        let mut lifecycle = Lifecycle::default();
        let lifecycles = body.take_blocks("lifecycle");
        for (i, lc) in lifecycles.iter().enumerate() {
            if i > 0 {
                let prev = self.sources.location(lifecycles[0].span);
                self.error(
                    lc.span,
                    "Duplicate lifecycle block",
                    format!("A lifecycle block was already declared at {prev}."),
                    "second block",
                );
                continue;
            }
            if mode == Mode::Data {
                self.error(
                    lc.span,
                    "Unsupported lifecycle block",
                    "Data resources do not have lifecycle settings, so a lifecycle block is not allowed.",
                    "not allowed here",
                );
                continue;
            }
            lifecycle = self.lifecycle(lc);
        }
        for b in body
            .take_blocks("provisioner")
            .iter()
            .chain(&body.take_blocks("connection"))
        {
            self.unsupported_block(b, what);
        }
        self.config.resources.push(ResourceConfig {
            addr,
            span: block.span,
            count,
            for_each,
            depends_on,
            lifecycle,
            body,
        });
    }

    fn lifecycle(&mut self, block: &NestedBlock) -> Lifecycle {
        let mut lc = Lifecycle::default();
        for attr in &block.body.attributes {
            match attr.name.as_str() {
                "prevent_destroy" => lc.prevent_destroy = self.literal_bool(attr).unwrap_or(false),
                "create_before_destroy" => lc.create_before_destroy = self.literal_bool(attr).unwrap_or(false),
                "ignore_changes" => lc.ignore_changes = self.ignore_changes(attr),
                _ => self.unsupported_attr(attr, "a lifecycle block (supported: prevent_destroy, create_before_destroy, ignore_changes)"),
            }
        }
        for b in &block.body.blocks {
            self.unsupported_block(b, "a lifecycle block");
        }
        lc
    }

    fn ignore_changes(&mut self, attr: &Attribute) -> IgnoreChanges {
        let e = unparen(attr.expr.syntax());
        if let Expression::Variable(v) = e
            && v.as_str() == "all"
        {
            return IgnoreChanges::All;
        }
        let Expression::Array(items) = e else {
            self.error(
                attr.expr.span(),
                "Invalid ignore_changes",
                "ignore_changes must be the keyword all or a list of attribute names, e.g. [name, description].",
                "invalid value",
            );
            return IgnoreChanges::None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let span = attr.expr.span_of(item.span());
            match attribute_path(item) {
                Some((root, _)) if is_reference_root(&root) => {
                    self.error(span, "Variables not allowed", "Variables may not be used here: list attribute names of this resource.", "not an attribute name");
                }
                Some((_, path)) => out.push((path, span)),
                None => self.error(
                    span,
                    "Invalid ignore_changes",
                    "A single static attribute reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.",
                    "not an attribute name",
                ),
            }
        }
        IgnoreChanges::Attrs(out)
    }

    fn depends_on(&mut self, attr: &Attribute) -> Vec<(ResourceAddr, Span)> {
        let Expression::Array(items) = unparen(attr.expr.syntax()) else {
            self.error(
                attr.expr.span(),
                "Invalid expression",
                "A static list expression is required.",
                "list required",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let span = attr.expr.span_of(item.span());
            match resource_traversal(item) {
                Some((addr, ops)) if ops.is_empty() => out.push((addr, span)),
                Some(_) => self.error(
                    span,
                    "Invalid depends_on reference",
                    "References in depends_on must be to a whole object (resource, etc), not to an attribute of an object.",
                    "whole resource required",
                ),
                None => self.error(
                    span,
                    "Invalid depends_on reference",
                    "References in depends_on must be to a resource or data source, e.g. workato_folder.ops.",
                    "resource required",
                ),
            }
        }
        out
    }

    fn output(&mut self, block: NestedBlock) {
        if !self.labels(&block, &["name"]) {
            return;
        }
        let mut value = None;
        let mut out = Output {
            name: block.labels[0].clone(),
            span: block.span,
            value: Expr::new(Expression::null(), block.span.file, &self.sources),
            description: None,
            sensitive: false,
            depends_on: Vec::new(),
        };
        for attr in &block.body.attributes {
            match attr.name.as_str() {
                "value" => value = Some(attr.expr.clone()),
                "description" => out.description = self.literal_string(attr),
                "sensitive" => out.sensitive = self.literal_bool(attr).unwrap_or(false),
                "depends_on" => out.depends_on = self.depends_on(attr),
                _ => self.unsupported_attr(attr, "an output block"),
            }
        }
        for b in &block.body.blocks {
            self.unsupported_block(b, "an output block");
        }
        match value {
            Some(v) => {
                out.value = v;
                self.config.outputs.push(out);
            }
            None => self.missing(block.span, "value", "an output block"),
        }
    }

    fn import(&mut self, block: NestedBlock) {
        if !self.labels(&block, &[]) {
            return;
        }
        let mut to = None;
        let mut id = None;
        for attr in &block.body.attributes {
            match attr.name.as_str() {
                "to" => {
                    let span = attr.expr.span();
                    match resource_traversal(attr.expr.syntax()) {
                        Some((addr, _)) if addr.mode == Mode::Data => {
                            self.error(span, "Invalid import address", "Only managed resources can be imported, not data sources.", "data source");
                        }
                        Some((addr, ops)) => match ops.as_slice() {
                            [] => to = Some((addr, None, span)),
                            [TraversalOperator::Index(k)] => {
                                let key = Expr::new(k.clone(), span.file, &self.sources);
                                to = Some((addr, Some(key), span));
                            }
                            [TraversalOperator::LegacyIndex(n)] => {
                                let key = Expr::new(Expression::from(*n.value()), span.file, &self.sources);
                                to = Some((addr, Some(key), span));
                            }
                            _ => self.error(span, "Invalid import address", "The import target must be a resource instance address such as workato_folder.x or workato_folder.x[\"key\"].", "invalid address"),
                        },
                        None => self.error(span, "Invalid import address", "The import target must be a resource instance address such as workato_folder.x or workato_folder.x[\"key\"].", "invalid address"),
                    }
                }
                "id" => id = Some(attr.expr.clone()),
                _ => self.unsupported_attr(attr, "an import block"),
            }
        }
        for b in &block.body.blocks {
            self.unsupported_block(b, "an import block");
        }
        let had_to = block.body.attribute("to").is_some();
        match (to, id) {
            (Some(to), Some(id)) => self.config.imports.push(ImportBlock {
                to,
                id,
                span: block.span,
            }),
            (_, None) => self.missing(block.span, "id", "an import block"),
            (None, _) if !had_to => self.missing(block.span, "to", "an import block"),
            _ => {}
        }
    }

    fn static_instance(
        &mut self,
        attr: &Attribute,
        what: &str,
    ) -> Option<(ResourceAddr, Option<InstanceKey>)> {
        let span = attr.expr.span();
        let invalid = |me: &mut Self, detail: &str| {
            me.error(
                span,
                &format!("Invalid \"{what}\" address"),
                detail,
                "invalid address",
            );
            None
        };
        let Some((addr, ops)) = resource_traversal(attr.expr.syntax()) else {
            return invalid(
                self,
                "A resource address such as workato_folder.x or workato_folder.x[\"key\"] is required.",
            );
        };
        if addr.mode == Mode::Data {
            return invalid(
                self,
                "Data sources cannot be used here: they have no state to move or remove.",
            );
        }
        let key = match ops.as_slice() {
            [] => None,
            [TraversalOperator::LegacyIndex(n)] => Some(InstanceKey::Int(*n.value() as i64)),
            [TraversalOperator::Index(e)] => match literal_index(e) {
                Some(Value::Number(n)) if n.fract() == 0.0 => Some(InstanceKey::Int(n as i64)),
                Some(Value::String(s)) => Some(InstanceKey::Str(s)),
                _ => return invalid(self, "Instance keys must be literal numbers or strings."),
            },
            _ => {
                return invalid(
                    self,
                    "A resource address such as workato_folder.x or workato_folder.x[\"key\"] is required.",
                );
            }
        };
        Some((addr, key))
    }

    fn moved(&mut self, block: NestedBlock) {
        if !self.labels(&block, &[]) {
            return;
        }
        let mut from = None;
        let mut to = None;
        for attr in &block.body.attributes {
            match attr.name.as_str() {
                "from" => from = self.static_instance(attr, "moved"),
                "to" => to = self.static_instance(attr, "moved"),
                _ => self.unsupported_attr(attr, "a moved block"),
            }
        }
        for b in &block.body.blocks {
            self.unsupported_block(b, "a moved block");
        }
        let (has_from, has_to) = (
            block.body.attribute("from").is_some(),
            block.body.attribute("to").is_some(),
        );
        if !has_from {
            self.missing(block.span, "from", "a moved block");
        }
        if !has_to {
            self.missing(block.span, "to", "a moved block");
        }
        let (Some(from), Some(to)) = (from, to) else {
            return;
        };
        if from.0.type_name != to.0.type_name {
            self.error(
                block.span,
                "Resource type mismatch",
                format!("This statement declares a move from {} to {}, which is a resource of a different type.", from.0, to.0),
                "different types",
            );
            return;
        }
        if from == to {
            self.error(block.span, "Redundant move statement", "This statement declares a move from an object to the same object, which is not allowed.", "same address");
            return;
        }
        self.config.moved.push(MovedBlock {
            from,
            to,
            span: block.span,
        });
    }

    fn removed(&mut self, block: NestedBlock) {
        if !self.labels(&block, &[]) {
            return;
        }
        let mut from = None;
        let mut destroy = true;
        for attr in &block.body.attributes {
            match attr.name.as_str() {
                "from" => match self.static_instance(attr, "removed") {
                    Some((addr, None)) => from = Some(addr),
                    Some((_, Some(_))) => self.error(
                        attr.expr.span(),
                        "Resource instance keys not allowed",
                        "The address in a removed block must be a resource (e.g. workato_folder.x), not a resource instance (e.g. workato_folder.x[1]).",
                        "instance key",
                    ),
                    None => {}
                },
                _ => self.unsupported_attr(attr, "a removed block"),
            }
        }
        for b in &block.body.blocks {
            if b.type_name != "lifecycle" {
                self.unsupported_block(b, "a removed block");
                continue;
            }
            for attr in &b.body.attributes {
                match attr.name.as_str() {
                    "destroy" => destroy = self.literal_bool(attr).unwrap_or(true),
                    _ => self.unsupported_attr(
                        attr,
                        "the lifecycle block of a removed block (supported: destroy)",
                    ),
                }
            }
            for nested in &b.body.blocks {
                self.unsupported_block(nested, "a lifecycle block");
            }
        }
        match from {
            Some(from) => self.config.removed.push(RemovedBlock {
                from,
                destroy,
                span: block.span,
            }),
            None if block.body.attribute("from").is_none() => {
                self.missing(block.span, "from", "a removed block")
            }
            None => {}
        }
    }

    // ----- whole-configuration checks -----------------------------------------------------

    fn check_duplicates(&mut self) {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut dups = Vec::new();
        for v in &self.config.variables {
            if let Some(prev) = seen.insert(v.name.clone(), v.span) {
                dups.push((v.span, "Duplicate variable declaration", format!("A variable named \"{}\" was already declared at {}. Variable names must be unique within a configuration.", v.name, self.sources.location(prev))));
                seen.insert(v.name.clone(), prev);
            }
        }
        seen.clear();
        for l in &self.config.locals {
            if let Some(prev) = seen.insert(l.name.clone(), l.span) {
                dups.push((l.span, "Duplicate local value definition", format!("A local value named \"{}\" was already defined at {}. Local value names must be unique within a configuration.", l.name, self.sources.location(prev))));
                seen.insert(l.name.clone(), prev);
            }
        }
        let mut seen_res: BTreeMap<ResourceAddr, Span> = BTreeMap::new();
        for r in &self.config.resources {
            if let Some(prev) = seen_res.insert(r.addr.clone(), r.span) {
                let (summary, kind) = match r.addr.mode {
                    Mode::Managed => ("Duplicate resource configuration", "resource"),
                    Mode::Data => ("Duplicate data configuration", "data resource"),
                };
                dups.push((r.span, summary, format!("A {} {kind} named \"{}\" was already declared at {}. Resource names must be unique per type.", r.addr.type_name, r.addr.name, self.sources.location(prev))));
                seen_res.insert(r.addr.clone(), prev);
            }
        }
        seen.clear();
        for o in &self.config.outputs {
            if let Some(prev) = seen.insert(o.name.clone(), o.span) {
                dups.push((o.span, "Duplicate output definition", format!("An output named \"{}\" was already defined at {}. Output names must be unique within a configuration.", o.name, self.sources.location(prev))));
                seen.insert(o.name.clone(), prev);
            }
        }
        for (span, summary, detail) in dups {
            self.error(span, summary, detail, "duplicate");
        }
    }

    /// Every expression: its references resolve to something declared and are allowed in
    /// their context; every function called exists.
    fn check_expressions(&mut self) {
        let vars: Vec<String> = self
            .config
            .variables
            .iter()
            .map(|v| v.name.clone())
            .collect();
        let locals: Vec<String> = self.config.locals.iter().map(|l| l.name.clone()).collect();
        let resources: Vec<ResourceAddr> = self
            .config
            .resources
            .iter()
            .map(|r| r.addr.clone())
            .collect();
        let known = Known {
            vars: &vars,
            locals: &locals,
            resources: &resources,
        };
        let mut found = Vec::new();

        for v in &self.config.variables {
            for val in &v.validations {
                for e in [&val.condition, &val.error_message] {
                    found.extend(known.check(e, &Ctx::validation(&v.name), &[]));
                }
            }
        }
        for l in &self.config.locals {
            found.extend(known.check(&l.expr, &Ctx::plain("a local value"), &[]));
        }
        for r in &self.config.resources {
            let ctx = Ctx {
                what: "a resource block",
                allow_each: r.for_each.is_some(),
                allow_count: r.count.is_some(),
                only_vars: false,
                only_vars_locals: false,
                self_addr: Some(&r.addr),
            };
            let meta = Ctx {
                allow_each: false,
                allow_count: false,
                ..ctx.clone()
            };
            for e in r.count.iter().chain(&r.for_each) {
                found.extend(known.check(e, &meta, &[]));
            }
            for (addr, span) in &r.depends_on {
                if !resources.contains(addr) {
                    found.push(undeclared_resource(&self.sources, addr, *span));
                }
            }
            found.extend(known.check_body(&r.body, &ctx, &mut Vec::new()));
        }
        for o in &self.config.outputs {
            found.extend(known.check(&o.value, &Ctx::plain("an output block"), &[]));
            for (addr, span) in &o.depends_on {
                if !resources.contains(addr) {
                    found.push(undeclared_resource(&self.sources, addr, *span));
                }
            }
        }
        for i in &self.config.imports {
            let ctx = Ctx::plain("an import block");
            found.extend(known.check(&i.id, &ctx, &[]));
            if let Some(k) = &i.to.1 {
                found.extend(known.check(k, &ctx, &[]));
            }
            if !resources.contains(&i.to.0) {
                found.push(
                    Diagnostic::error("Import block target does not exist")
                        .with_detail(format!("The target for the given import block does not exist: there is no resource block for {}.", i.to.0))
                        .at(&self.sources, i.to.2, "no such resource"),
                );
            }
        }
        if let Some(body) = &self.config.workato {
            let ctx = Ctx {
                only_vars_locals: true,
                ..Ctx::plain("the workato block")
            };
            found.extend(known.check_body(body, &ctx, &mut Vec::new()));
        }
        if let Some(body) = &self.config.workform {
            let ctx = Ctx {
                only_vars: true,
                ..Ctx::plain("the workform block")
            };
            found.extend(known.check_body(body, &ctx, &mut Vec::new()));
        }
        self.diags.extend(found);
    }
}

fn unparen(e: &Expression) -> &Expression {
    match e {
        Expression::Parenthesis(p) => unparen(p.inner()),
        other => other,
    }
}

fn is_reference_root(root: &str) -> bool {
    matches!(
        root,
        "var" | "local" | "data" | "each" | "count" | "path" | "self"
    ) || root.starts_with("workato_")
}

/// `name`, `input.host`, `tags["k"]`, `column[0].name` → (root, display path).
fn attribute_path(e: &Expression) -> Option<(String, String)> {
    match unparen(e) {
        Expression::Variable(v) => Some((v.as_str().to_string(), v.as_str().to_string())),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let mut path = root.as_str().to_string();
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(a) => {
                        path.push('.');
                        path.push_str(a.as_str());
                    }
                    TraversalOperator::LegacyIndex(n) => path.push_str(&format!("[{}]", n.value())),
                    TraversalOperator::Index(i) => match literal_index(i)? {
                        Value::String(s) => {
                            path.push_str(&format!("[{}]", serde_json::Value::String(s)))
                        }
                        other => path.push_str(&format!("[{other}]")),
                    },
                    _ => return None,
                }
            }
            Some((root.as_str().to_string(), path))
        }
        _ => None,
    }
}

/// `workato_x.name[...]` or `data.workato_x.name[...]` → the address and the operators
/// after it.
fn resource_traversal(e: &Expression) -> Option<(ResourceAddr, Vec<TraversalOperator>)> {
    let Expression::Traversal(t) = unparen(e) else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let ops: Vec<TraversalOperator> = t.operators.iter().map(|o| o.value().clone()).collect();
    let attr = |i: usize| match ops.get(i) {
        Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
        _ => None,
    };
    match root.as_str() {
        "data" => {
            let (ty, name) = (attr(0)?, attr(1)?);
            ty.starts_with("workato_")
                .then(|| (ResourceAddr::data(ty, name), ops[2..].to_vec()))
        }
        ty if ty.starts_with("workato_") => {
            Some((ResourceAddr::managed(ty, attr(0)?), ops[1..].to_vec()))
        }
        _ => None,
    }
}

fn undeclared_resource(sources: &Sources, addr: &ResourceAddr, span: Span) -> Diagnostic {
    let what = match addr.mode {
        Mode::Managed => "managed resource",
        Mode::Data => "data resource",
    };
    Diagnostic::error("Reference to undeclared resource")
        .with_detail(format!(
            "A {what} \"{}\" \"{}\" has not been declared in the configuration.",
            addr.type_name, addr.name
        ))
        .at(sources, span, "undeclared")
}

/// Where an expression appears, for reference checks.
#[derive(Clone)]
struct Ctx<'a> {
    what: &'static str,
    allow_each: bool,
    allow_count: bool,
    /// Only `var.*` (variable validations, the workform block).
    only_vars: bool,
    /// Only `var.*` and `local.*` (the workato block).
    only_vars_locals: bool,
    self_addr: Option<&'a ResourceAddr>,
}

impl Ctx<'_> {
    fn plain(what: &'static str) -> Self {
        Ctx {
            what,
            allow_each: false,
            allow_count: false,
            only_vars: false,
            only_vars_locals: false,
            self_addr: None,
        }
    }

    fn validation(_var: &str) -> Self {
        Ctx {
            only_vars: true,
            ..Ctx::plain("a variable validation")
        }
    }
}

struct Known<'a> {
    vars: &'a [String],
    locals: &'a [String],
    resources: &'a [ResourceAddr],
}

impl Known<'_> {
    fn check_body(&self, body: &Body, ctx: &Ctx, bound: &mut Vec<String>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for attr in &body.attributes {
            out.extend(self.check(&attr.expr, ctx, bound));
        }
        for block in &body.blocks {
            if block.type_name == "dynamic" {
                // dynamic "column" { for_each = ..., iterator = c, content { ... } }
                let iterator = block
                    .body
                    .attribute("iterator")
                    .and_then(|a| match unparen(a.expr.syntax()) {
                        Expression::Variable(v) => Some(v.as_str().to_string()),
                        _ => None,
                    })
                    .or_else(|| block.labels.first().cloned())
                    .unwrap_or_default();
                if let Some(fe) = block.body.attribute("for_each") {
                    out.extend(self.check(&fe.expr, ctx, bound));
                }
                bound.push(iterator);
                for content in block.body.blocks_of("content") {
                    out.extend(self.check_body(&content.body, ctx, bound));
                }
                bound.pop();
            } else {
                out.extend(self.check_body(&block.body, ctx, bound));
            }
        }
        out
    }

    fn check(&self, expr: &Expr, ctx: &Ctx, bound: &[String]) -> Vec<Diagnostic> {
        let sources = expr.sources();
        let mut out = Vec::new();
        let (refs, errors) = expr.references_with_bound(bound);
        out.extend(errors);
        for Reference { subject, span, .. } in refs {
            let err = |summary: &str, detail: String| {
                Diagnostic::error(summary)
                    .with_detail(detail)
                    .at(sources, span, "not allowed here")
            };
            if ctx.only_vars && !matches!(subject, Subject::Var(_)) {
                out.push(err(
                    "Invalid reference",
                    format!(
                        "Only input variables (var.NAME) may be used in {}.",
                        ctx.what
                    ),
                ));
                continue;
            }
            if ctx.only_vars_locals && !matches!(subject, Subject::Var(_) | Subject::Local(_)) {
                out.push(err(
                    "Invalid reference",
                    format!(
                        "Only input variables and local values may be used in {}.",
                        ctx.what
                    ),
                ));
                continue;
            }
            match &subject {
                Subject::Var(name) if !self.vars.contains(name) => {
                    let mut d = Diagnostic::error("Reference to undeclared input variable")
                        .with_detail(format!("An input variable with the name \"{name}\" has not been declared. This variable can be declared with a variable \"{name}\" {{}} block."))
                        .at(sources, span, "undeclared");
                    if let Some(n) = nearest(name, self.vars.iter().map(String::as_str)) {
                        d = d.with_help(format!("Did you mean \"var.{n}\"?"));
                    }
                    out.push(d);
                }
                Subject::Local(name) if !self.locals.contains(name) => {
                    let mut d = Diagnostic::error("Reference to undeclared local value")
                        .with_detail(format!("A local value with the name \"{name}\" has not been declared."))
                        .at(sources, span, "undeclared");
                    if let Some(n) = nearest(name, self.locals.iter().map(String::as_str)) {
                        d = d.with_help(format!("Did you mean \"local.{n}\"?"));
                    }
                    out.push(d);
                }
                Subject::Resource(addr) if !self.resources.contains(addr) => {
                    out.push(undeclared_resource(sources, addr, span));
                }
                Subject::Resource(addr) if ctx.self_addr == Some(addr) => out.push(
                    Diagnostic::error("Self-referential block")
                        .with_detail(format!("Configuration for {addr} may not refer to itself."))
                        .at(sources, span, "refers to itself"),
                ),
                Subject::Each if !ctx.allow_each => out.push(err(
                    "Reference to \"each\" in context without for_each",
                    "The \"each\" object can be used only in \"resource\" and \"data\" blocks, and only when the \"for_each\" argument is set.".into(),
                )),
                Subject::CountIndex if !ctx.allow_count => out.push(err(
                    "Reference to \"count\" in non-counted context",
                    "The \"count\" object can only be used in \"resource\" and \"data\" blocks when the \"count\" argument is set.".into(),
                )),
                Subject::SelfRef => out.push(err(
                    "Invalid \"self\" reference",
                    "The \"self\" object is not available in this context.".into(),
                )),
                _ => {}
            }
        }
        out.extend(check_functions(expr));
        out
    }
}

/// Calls to functions that do not exist (so `validate` reports them without evaluating).
fn check_functions(expr: &Expr) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    super::syntax::visit_exprs(expr.syntax(), &mut |e| {
        if let Expression::FuncCall(call) = e {
            let name = call.name.name.as_str();
            if !call.name.is_namespaced()
                && !matches!(name, "try" | "can")
                && funcs::find(name).is_none()
            {
                let span = expr.span_of(call.name.name.span().or(e.span()));
                let d = funcs::unknown_function_at(expr.sources(), span, name);
                out.push(d);
            }
        }
    });
    out
}
