//! Generic evaluation of a block body (resource bodies, the `workato` block), with
//! `dynamic` blocks expanded.

use std::collections::BTreeMap;

use hcl::edit::expr::Expression;

use super::diag::{Diagnostic, Diagnostics};
use super::eval::{Scope, eval_with};
use super::syntax::{Body, NestedBlock};
use super::vals::kind;
use crate::value::Value;

/// Evaluates every attribute of `body`; nested blocks become a list of objects per block
/// type (`column { .. } column { .. }` → `column = [{..}, {..}]`), and
/// `dynamic "column" { for_each = .., iterator = c, content { .. } }` is expanded into
/// such objects (`c.key`, `c.value`; the iterator defaults to the block label). A
/// `dynamic` block whose `for_each` is unknown makes that block type's list unknown.
/// Errors from all attributes are collected.
pub fn eval_body(body: &Body, scope: &Scope) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let mut bound = Vec::new();
    eval_body_bound(body, scope, &mut bound)
}

fn eval_body_bound(
    body: &Body,
    scope: &Scope,
    bound: &mut Vec<(String, Value)>,
) -> Result<BTreeMap<String, Value>, Diagnostics> {
    let mut out = BTreeMap::new();
    let mut errors = Diagnostics::new();
    for attr in &body.attributes {
        match eval_with(&attr.expr, scope, bound) {
            Ok(v) => {
                out.insert(attr.name.clone(), v);
            }
            Err(e) => errors.extend(e),
        }
    }
    let mut blocks: BTreeMap<String, Option<Vec<Value>>> = BTreeMap::new();
    for block in &body.blocks {
        if block.type_name == "dynamic" {
            match expand_dynamic(block, scope, bound) {
                Ok((target, Some(items))) => {
                    if let Some(list) = blocks.entry(target).or_insert_with(|| Some(Vec::new())) {
                        list.extend(items);
                    }
                }
                Ok((target, None)) => {
                    blocks.insert(target, None);
                }
                Err(e) => errors.extend(e),
            }
            continue;
        }
        match eval_body_bound(&block.body, scope, bound) {
            Ok(obj) => {
                if let Some(list) = blocks
                    .entry(block.type_name.clone())
                    .or_insert_with(|| Some(Vec::new()))
                {
                    list.push(Value::Object(obj));
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    for (name, list) in blocks {
        out.insert(name, list.map_or(Value::Unknown, Value::List));
    }
    errors.into_result(out)
}

/// Returns the target block type and its objects (`None` when `for_each` is unknown).
fn expand_dynamic(
    block: &NestedBlock,
    scope: &Scope,
    bound: &mut Vec<(String, Value)>,
) -> Result<(String, Option<Vec<Value>>), Diagnostics> {
    let sources = block
        .body
        .attributes
        .first()
        .map(|a| a.expr.sources().clone());
    let err = |summary: &str, detail: String| -> Diagnostics {
        let d = Diagnostic::error(summary).with_detail(detail);
        match &sources {
            Some(s) => d.at(s, block.span, "in this dynamic block").into(),
            None => d.into(),
        }
    };
    let [target] = block.labels.as_slice() else {
        return Err(err(
            "Invalid dynamic block",
            "A dynamic block must have exactly one label: the type of the blocks to generate."
                .into(),
        ));
    };
    let Some(for_each) = block.body.attribute("for_each") else {
        return Err(err(
            "Missing required argument",
            "The argument \"for_each\" is required in a dynamic block.".into(),
        ));
    };
    let iterator = match block.body.attribute("iterator") {
        Some(a) => match a.expr.syntax() {
            Expression::Variable(v) => v.as_str().to_string(),
            _ => {
                return Err(err(
                    "Invalid dynamic iterator name",
                    "The iterator must be a single identifier.".into(),
                ));
            }
        },
        None => target.clone(),
    };
    let contents: Vec<&NestedBlock> = block.body.blocks_of("content").collect();
    let [content] = contents.as_slice() else {
        return Err(err(
            "Invalid dynamic block",
            "A dynamic block must contain exactly one content block.".into(),
        ));
    };
    let (collection, marked) = eval_with(&for_each.expr, scope, bound)?.unmark();
    let pairs: Vec<(Value, Value)> = match collection {
        Value::Unknown => return Ok((target.clone(), None)),
        Value::Null => Vec::new(),
        Value::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i as f64), v))
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
        other => {
            return Err(Diagnostic::error("Invalid dynamic for_each value")
                .with_detail(format!(
                    "Cannot use a {} value in for_each. An iterable collection is required.",
                    kind(&other)
                ))
                .at(
                    for_each.expr.sources(),
                    for_each.expr.span(),
                    "not a collection",
                )
                .into());
        }
    };
    let mut items = Vec::with_capacity(pairs.len());
    let mut errors = Diagnostics::new();
    for (key, value) in pairs {
        let it = Value::Object(BTreeMap::from([
            ("key".to_string(), key.marked_if(marked)),
            ("value".to_string(), value.marked_if(marked)),
        ]));
        bound.push((iterator.clone(), it));
        let result = eval_body_bound(&content.body, scope, bound);
        bound.pop();
        match result {
            Ok(obj) => items.push(Value::Object(obj)),
            Err(e) => errors.extend(e),
        }
    }
    errors.into_result((target.clone(), Some(items)))
}
