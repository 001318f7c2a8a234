//! Unit tests of the configuration front end (`cargo test --lib config`).

mod eval_tests;
mod funcs_tests;
mod load_tests;
mod vars_tests;

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::addr::ResourceAddr;
use crate::value::Value;

pub(super) fn s(v: &str) -> Value {
    Value::String(v.into())
}

pub(super) fn n(v: f64) -> Value {
    Value::Number(v)
}

pub(super) fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

pub(super) fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// The values the expression tests can see.
pub(super) struct World {
    pub vars: BTreeMap<String, Value>,
    pub locals: BTreeMap<String, Value>,
    pub resources: BTreeMap<ResourceAddr, Value>,
    pub each: Option<(Value, Value)>,
    pub count_index: Option<i64>,
    pub dir: std::path::PathBuf,
}

impl World {
    pub fn new() -> World {
        let vars = BTreeMap::from([
            ("env".to_string(), s("prod")),
            ("secret".to_string(), s("s3cr3t").mark_sensitive()),
            (
                "secret_list".to_string(),
                list(vec![s("a"), s("b")]).mark_sensitive(),
            ),
            ("nums".to_string(), list(vec![n(1.0), n(2.0), n(3.0)])),
            ("names".to_string(), list(vec![s("b"), s("a"), s("c")])),
            ("obj".to_string(), obj(&[("a", n(1.0)), ("b", s("x"))])),
            ("pending".to_string(), Value::Unknown),
            ("nothing".to_string(), Value::Null),
            (
                "folders".to_string(),
                list(vec![
                    obj(&[
                        ("id", n(1.0)),
                        ("name", s("one")),
                        ("on", Value::Bool(true)),
                    ]),
                    obj(&[
                        ("id", n(2.0)),
                        ("name", s("two")),
                        ("on", Value::Bool(false)),
                    ]),
                ]),
            ),
        ]);
        let locals = BTreeMap::from([("prefix".to_string(), s("billing-prod"))]);
        let resources = BTreeMap::from([
            (
                ResourceAddr::managed("workato_folder", "a"),
                obj(&[("id", n(10.0)), ("name", s("A"))]),
            ),
            (
                ResourceAddr::managed("workato_folder", "many"),
                list(vec![obj(&[("id", n(1.0))]), obj(&[("id", n(2.0))])]),
            ),
            (
                ResourceAddr::managed("workato_folder", "keyed"),
                obj(&[
                    ("eu", obj(&[("id", n(5.0))])),
                    ("us", obj(&[("id", n(6.0))])),
                ]),
            ),
            (
                ResourceAddr::managed("workato_folder", "new"),
                obj(&[("id", Value::Unknown), ("name", s("N"))]),
            ),
            (
                ResourceAddr::managed("workato_project", "p"),
                Value::Unknown,
            ),
            (
                ResourceAddr::data("workato_folder", "shared"),
                obj(&[("id", n(7.0))]),
            ),
        ]);
        World {
            vars,
            locals,
            resources,
            each: None,
            count_index: None,
            dir: std::path::PathBuf::from("."),
        }
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            dir: &self.dir,
            vars: &self.vars,
            locals: &self.locals,
            resources: &self.resources,
            each: self.each.clone(),
            count_index: self.count_index,
        }
    }

    pub fn eval(&self, text: &str) -> Result<Value, Diagnostics> {
        let expr = Expr::parse("main.wf.hcl", text).expect("expression parses");
        eval(&expr, &self.scope())
    }
}

/// Evaluates `text` in the standard test world; panics with the diagnostics on failure.
pub(super) fn v(text: &str) -> Value {
    match World::new().eval(text) {
        Ok(v) => v,
        Err(d) => panic!(
            "{text}: {d}\n{:#?}",
            d.0.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        ),
    }
}

/// Evaluates `text`, expecting an error; returns the first diagnostic.
pub(super) fn e(text: &str) -> Diagnostic {
    match World::new().eval(text) {
        Ok(v) => panic!("{text}: expected an error, got {v:?}"),
        Err(d) => d.0.into_iter().next().expect("at least one diagnostic"),
    }
}

#[allow(dead_code)]
pub(super) fn dir() -> &'static Path {
    Path::new(".")
}
