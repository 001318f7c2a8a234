//! Evaluation of configuration objects against what is known so far. Shared by the
//! planner (where unapplied values are unknown) and the applier (where they become real).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::addr::{InstanceKey, ResourceAddr};
use crate::config::{
    self, Body, Config, Diagnostic, Diagnostics, Local, Output, ResourceConfig, Scope, Type,
};
use crate::schema::{AttrSchema, BlockSchema, Schema};
use crate::value::Value;

/// How a resource block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Repetition {
    #[default]
    Single,
    Count,
    ForEach,
}

/// One instance a resource block expands to.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub key: Option<InstanceKey>,
    each: Option<(Value, Value)>,
    count_index: Option<i64>,
}

/// Values known so far: variables, locals and resource instances.
pub struct Evaluator {
    pub config: Arc<Config>,
    vars: BTreeMap<String, Value>,
    locals: BTreeMap<String, Value>,
    scope_resources: BTreeMap<ResourceAddr, Value>,
    instances: BTreeMap<ResourceAddr, (Repetition, BTreeMap<Option<InstanceKey>, Value>)>,
    /// `validate`: values are unknown by design, so an unknown `count`/`for_each` stands for
    /// one instance whose key is unknown instead of being an error.
    lenient: bool,
}

impl Evaluator {
    /// An evaluator for `validate`, where variables may be unknown.
    pub fn lenient(mut self) -> Self {
        self.lenient = true;
        self
    }

    pub fn new(config: Arc<Config>, vars: BTreeMap<String, Value>) -> Self {
        Evaluator {
            config,
            vars,
            locals: BTreeMap::new(),
            scope_resources: BTreeMap::new(),
            instances: BTreeMap::new(),
            lenient: false,
        }
    }

    fn scope(&self, each: Option<(Value, Value)>, count_index: Option<i64>) -> Scope<'_> {
        Scope {
            dir: &self.config.dir,
            vars: &self.vars,
            locals: &self.locals,
            resources: &self.scope_resources,
            each,
            count_index,
        }
    }

    pub fn eval_local(&mut self, local: &Local) -> Result<(), Diagnostics> {
        let value = config::eval(&local.expr, &self.scope(None, None));
        let value = match value {
            Ok(v) => v,
            Err(e) => {
                self.locals.insert(local.name.clone(), Value::Unknown);
                return Err(e);
            }
        };
        self.locals.insert(local.name.clone(), value);
        Ok(())
    }

    pub fn eval_output(&self, output: &Output) -> Result<Value, Diagnostics> {
        let value = config::eval(&output.value, &self.scope(None, None))?;
        if value.contains_sensitive() && !output.sensitive {
            return Err(Diagnostic::error("Output refers to sensitive values")
                .at(&self.config.sources, output.value.span(), "this value is sensitive")
                .with_help(format!(
                    "add `sensitive = true` to output \"{}\" to confirm it may hold secrets; it will then be shown only by `workform output {}`",
                    output.name, output.name
                ))
                .into());
        }
        Ok(value)
    }

    /// The instances of a resource block (`count` and `for_each` must be known at plan time).
    pub fn expand(&mut self, rc: &ResourceConfig) -> Result<Vec<Expansion>, Diagnostics> {
        let sources = &self.config.sources;
        if let Some(count) = &rc.count {
            self.instances.entry(rc.addr.clone()).or_default().0 = Repetition::Count;
            let value = config::eval(count, &self.scope(None, None))?;
            if self.lenient && value.contains_unknown() {
                return Ok(vec![Expansion {
                    key: Some(InstanceKey::Int(0)),
                    each: None,
                    count_index: Some(0),
                }]);
            }
            let (value, sensitive) = value.unmark_deep();
            let n = match value {
                _ if sensitive => Err("a sensitive value cannot be used as count"),
                Value::Unknown => Err("The \"count\" value depends on resource attributes that cannot be determined until apply"),
                Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => Ok(n as i64),
                _ => Err("The \"count\" value must be a whole, non-negative number"),
            }
            .map_err(|msg| Diagnostic::error("Invalid count argument").at(sources, count.span(), msg))?;
            return Ok((0..n)
                .map(|i| Expansion {
                    key: Some(InstanceKey::Int(i)),
                    each: None,
                    count_index: Some(i),
                })
                .collect());
        }
        if let Some(for_each) = &rc.for_each {
            self.instances.entry(rc.addr.clone()).or_default().0 = Repetition::ForEach;
            let value = config::eval(for_each, &self.scope(None, None))?;
            let invalid = |msg: &str| -> Diagnostics {
                Diagnostic::error("Invalid for_each argument")
                    .at(sources, for_each.span(), msg.to_string())
                    .into()
            };
            if value.contains_sensitive() {
                return Err(invalid(
                    "Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments",
                ));
            }
            if self.lenient && value.contains_unknown() && !matches!(&value, Value::Object(_)) {
                return Ok(vec![Expansion {
                    key: Some(InstanceKey::Str("(known after apply)".into())),
                    each: Some((Value::Unknown, Value::Unknown)),
                    count_index: None,
                }]);
            }
            if value.contains_unknown() && !matches!(&value, Value::Object(_)) {
                return Err(invalid(
                    "The \"for_each\" value depends on resource attributes that cannot be determined until apply",
                ));
            }
            return match value {
                Value::Object(map) => Ok(map
                    .into_iter()
                    .map(|(k, v)| Expansion {
                        key: Some(InstanceKey::Str(k.clone())),
                        each: Some((Value::String(k), v)),
                        count_index: None,
                    })
                    .collect()),
                Value::List(items) => {
                    let mut keys = Vec::new();
                    for item in items {
                        match item {
                            Value::String(s) => keys.push(s),
                            _ => {
                                return Err(invalid(
                                    "The given \"for_each\" argument value is unsuitable: a set must hold only strings",
                                ));
                            }
                        }
                    }
                    keys.sort();
                    keys.dedup();
                    Ok(keys
                        .into_iter()
                        .map(|k| Expansion {
                            key: Some(InstanceKey::Str(k.clone())),
                            each: Some((Value::String(k.clone()), Value::String(k))),
                            count_index: None,
                        })
                        .collect())
                }
                Value::Null => Err(invalid("The given \"for_each\" argument value is null")),
                other => Err(invalid(&format!(
                    "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}",
                    other.type_name()
                ))),
            };
        }
        self.instances.entry(rc.addr.clone()).or_default().0 = Repetition::Single;
        Ok(vec![Expansion {
            key: None,
            each: None,
            count_index: None,
        }])
    }

    /// Evaluates one instance's arguments, checked and converted against the schema.
    /// Sensitive attributes come back marked.
    pub fn eval_instance(
        &self,
        rc: &ResourceConfig,
        schema: &Schema,
        exp: &Expansion,
    ) -> Result<BTreeMap<String, Value>, Diagnostics> {
        let scope = self.scope(exp.each.clone(), exp.count_index);
        let ctx = BodyCtx {
            config: &self.config,
            scope: &scope,
            rc,
        };
        eval_body(&ctx, &rc.body, &schema.attributes, &schema.blocks, &[])
    }

    /// Records an instance's (planned or applied) value for later references.
    pub fn set_instance(&mut self, addr: &ResourceAddr, key: Option<InstanceKey>, value: Value) {
        let entry = self
            .instances
            .entry(addr.clone())
            .or_insert((Repetition::Single, BTreeMap::new()));
        entry.1.insert(key, value);
        // A single instance is visible at once; a repeated resource's value is assembled
        // once in `finish_resource` (rebuilding it per instance would be quadratic, and
        // instances never refer to their own siblings: that would be a cycle).
        if entry.0 == Repetition::Single {
            self.publish(addr);
        }
    }

    /// Builds the value references see (`TYPE.NAME`) from the recorded instances.
    fn publish(&mut self, addr: &ResourceAddr) {
        let Some((repetition, instances)) = self.instances.get(addr) else {
            return;
        };
        let scope_value = match repetition {
            Repetition::Single => instances.get(&None).cloned().unwrap_or(Value::Null),
            Repetition::Count => Value::List(instances.values().cloned().collect()),
            Repetition::ForEach => Value::Object(
                instances
                    .iter()
                    .filter_map(|(k, v)| match k {
                        Some(InstanceKey::Str(s)) => Some((s.clone(), v.clone())),
                        _ => None,
                    })
                    .collect(),
            ),
        };
        self.scope_resources.insert(addr.clone(), scope_value);
    }

    /// Gives a resource provisional values before its turn in the walk: the target of a
    /// deferred reference (see `ConfigGraph::deferred`) is read by its referrer first.
    /// With no known instances it is unknown.
    pub fn preset(&mut self, rc: &ResourceConfig, instances: Vec<(Option<InstanceKey>, Value)>) {
        if instances.is_empty() {
            self.set_unknown(&rc.addr);
            return;
        }
        let repetition = if rc.count.is_some() {
            Repetition::Count
        } else if rc.for_each.is_some() {
            Repetition::ForEach
        } else {
            Repetition::Single
        };
        self.instances
            .insert(rc.addr.clone(), (repetition, BTreeMap::new()));
        for (key, value) in instances {
            self.set_instance(&rc.addr, key, value);
        }
        // The real walk starts the resource afresh.
        if let Some(entry) = self.instances.get_mut(&rc.addr) {
            entry.1.clear();
        }
    }

    /// Makes a resource whose evaluation failed unknown, so dependents evaluate on.
    pub fn set_unknown(&mut self, addr: &ResourceAddr) {
        self.scope_resources.insert(addr.clone(), Value::Unknown);
    }

    /// Publishes a resource's instances to references once all are recorded (a
    /// zero-instance resource reads as `[]` or `{}`).
    pub fn finish_resource(&mut self, addr: &ResourceAddr) {
        self.publish(addr);
    }
}

/// What every level of a resource body's evaluation shares.
struct BodyCtx<'a> {
    config: &'a Config,
    scope: &'a Scope<'a>,
    rc: &'a ResourceConfig,
}

/// Evaluates a body against its schema. `bound` holds `dynamic` block iterators in scope.
fn eval_body(
    ctx: &BodyCtx<'_>,
    body: &Body,
    attrs: &BTreeMap<String, AttrSchema>,
    blocks: &BTreeMap<String, BlockSchema>,
    bound: &[(String, Value)],
) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let (config, scope, rc) = (ctx.config, ctx.scope, ctx.rc);
    let sources = &config.sources;
    let mut out = BTreeMap::new();
    let mut diags = Diagnostics::default();
    for attribute in &body.attributes {
        let Some(schema) = attrs.get(&attribute.name) else {
            let mut names: Vec<&str> = attrs
                .iter()
                .filter(|(_, a)| a.is_configurable())
                .map(|(n, _)| n.as_str())
                .collect();
            names.sort();
            diags.push(
                Diagnostic::error(format!(
                    "Unsupported argument: an argument named \"{}\" is not expected here",
                    attribute.name
                ))
                .at(
                    sources,
                    attribute.name_span,
                    "not an argument of this block",
                )
                .with_help(format!(
                    "{} accepts: {}",
                    rc.addr.type_name,
                    names.join(", ")
                )),
            );
            continue;
        };
        if !schema.is_configurable() {
            diags.push(
                Diagnostic::error(format!(
                    "Invalid argument: \"{}\" is computed by Workato and cannot be set",
                    attribute.name
                ))
                .at(sources, attribute.name_span, "read-only attribute"),
            );
            continue;
        }
        match config::eval_with(&attribute.expr, scope, bound) {
            Ok(value) => match check_value(schema, value) {
                Ok(v) => {
                    out.insert(attribute.name.clone(), v);
                }
                Err(msg) => diags.push(
                    Diagnostic::error(format!("Invalid value for \"{}\"", attribute.name)).at(
                        sources,
                        attribute.expr.span(),
                        msg,
                    ),
                ),
            },
            Err(e) => diags.extend(e),
        }
    }
    for (name, schema) in attrs {
        if schema.required && !body.attributes.iter().any(|a| &a.name == name) {
            diags.push(
                Diagnostic::error(format!("Missing required argument: the argument \"{name}\" is required, but no definition was found"))
                    .at(sources, body.span, format!("{} needs \"{name}\"", rc.addr)),
            );
        }
    }
    for (name, block_schema) in blocks {
        let mut items = Vec::new();
        let mut unknown = false;
        for block in body
            .blocks
            .iter()
            .filter(|b| &b.type_name == name || is_dynamic_of(b, name))
        {
            if block.type_name == "dynamic" {
                match expand_dynamic(ctx, block, block_schema, bound) {
                    Ok(Some(generated)) => items.extend(generated),
                    Ok(None) => unknown = true,
                    Err(e) => diags.extend(e),
                }
                continue;
            }
            match eval_body(
                ctx,
                &block.body,
                &block_schema.attributes,
                &block_schema.blocks,
                bound,
            ) {
                Ok(map) => items.push(Value::Object(map)),
                Err(e) => diags.extend(e),
            }
        }
        if unknown {
            // A dynamic block over values known only after apply: the whole list is.
            out.insert(name.clone(), Value::Unknown);
            continue;
        }
        if items.len() < block_schema.min_items {
            diags.push(
                Diagnostic::error(format!(
                    "Insufficient {name} blocks: at least {} required",
                    block_schema.min_items
                ))
                .at(sources, body.span, format!("add a `{name}` block")),
            );
        }
        if let Some(max) = block_schema.max_items
            && items.len() > max
        {
            diags.push(
                Diagnostic::error(format!("Too many {name} blocks: at most {max} allowed")).at(
                    sources,
                    body.span,
                    "too many blocks",
                ),
            );
        }
        out.insert(name.clone(), Value::List(items));
    }
    for block in &body.blocks {
        let dynamic_ok = block.type_name == "dynamic"
            && block.labels.first().is_some_and(|l| blocks.contains_key(l));
        if !blocks.contains_key(&block.type_name) && !dynamic_ok {
            diags.push(
                Diagnostic::error(format!(
                    "Unsupported block type: blocks of type \"{}\" are not expected here",
                    block.type_name
                ))
                .at(sources, block.span, "unexpected block"),
            );
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn is_dynamic_of(block: &crate::config::NestedBlock, name: &str) -> bool {
    block.type_name == "dynamic" && block.labels.first().is_some_and(|l| l == name)
}

/// `dynamic "column" { for_each = ..., iterator = c, content { ... } }`: one block per
/// element, with `c.key` and `c.value` (the iterator is named after the block by default).
/// `None` when `for_each` is not known yet.
fn expand_dynamic(
    ctx: &BodyCtx<'_>,
    block: &crate::config::NestedBlock,
    schema: &BlockSchema,
    bound: &[(String, Value)],
) -> Result<Option<Vec<Value>>, Diagnostics> {
    let sources = &ctx.config.sources;
    let label = block.labels.first().cloned().unwrap_or_default();
    let invalid = |msg: &str| -> Diagnostics {
        Diagnostic::error("Invalid dynamic block")
            .at(sources, block.span, msg.to_string())
            .into()
    };
    let for_each = block
        .body
        .attributes
        .iter()
        .find(|a| a.name == "for_each")
        .ok_or_else(|| invalid("a dynamic block needs `for_each`"))?;
    let iterator = match block.body.attributes.iter().find(|a| a.name == "iterator") {
        Some(a) => match a.expr.syntax() {
            hcl::edit::expr::Expression::Variable(v) => v.as_str().to_string(),
            _ => {
                return Err(invalid(
                    "the iterator must be a single name, e.g. `iterator = col`",
                ));
            }
        },
        None => label.clone(),
    };
    let content = block
        .body
        .blocks
        .iter()
        .find(|b| b.type_name == "content")
        .ok_or_else(|| invalid("a dynamic block needs a `content` block"))?;
    let collection = config::eval_with(&for_each.expr, ctx.scope, bound)?;
    if collection.contains_unknown() {
        return Ok(None);
    }
    let (plain, sensitive) = collection.unmark_deep();
    if sensitive {
        return Err(invalid(
            "a sensitive value cannot be used as a dynamic block's for_each",
        ));
    }
    let pairs: Vec<(Value, Value)> = match plain {
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
        Value::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i as f64), v))
            .collect(),
        Value::Null => Vec::new(),
        other => {
            return Err(invalid(&format!(
                "for_each must be a list, set or map, not {}",
                other.type_name()
            )));
        }
    };
    let mut out = Vec::new();
    for (key, value) in pairs {
        let mut inner = bound.to_vec();
        inner.push((
            iterator.clone(),
            Value::Object(BTreeMap::from([
                ("key".to_string(), key),
                ("value".to_string(), value),
            ])),
        ));
        out.push(Value::Object(eval_body(
            ctx,
            &content.body,
            &schema.attributes,
            &schema.blocks,
            &inner,
        )?));
    }
    Ok(Some(out))
}

/// Converts a value to the attribute's type and checks its documented limits.
fn check_value(schema: &AttrSchema, value: Value) -> Result<Value, String> {
    let ty = Type::parse(&schema.ty).map_err(|e| format!("schema type {}: {e}", schema.ty))?;
    let value = ty.convert(value)?;
    let (plain, sensitive) = value.clone().unmark_deep();
    if let Value::String(s) = &plain {
        let len = s.chars().count();
        if let Some(min) = schema.min_length
            && len < min
        {
            return Err(if min == 1 {
                "must not be empty".to_string()
            } else {
                format!("must be at least {min} characters")
            });
        }
        if let Some(max) = schema.max_length
            && len > max
        {
            return Err(format!("must be at most {max} characters (got {len})"));
        }
        if let Some(options) = &schema.one_of
            && !options.iter().any(|o| o == s)
        {
            let shown = if sensitive {
                "(sensitive value)".to_string()
            } else {
                format!("{s:?}")
            };
            return Err(format!("{shown} is not one of: {}", options.join(", ")));
        }
    }
    Ok(value.marked_if(schema.sensitive && !plain.is_null()))
}
