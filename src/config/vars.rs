//! Input variable resolution: defaults, `WF_VAR_name`, `--var-file`, `--var`, type
//! conversion, `nullable`, validations, sensitivity marks.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::decode::{Config, Variable};
use super::diag::{Diagnostic, Diagnostics};
use super::eval::{Scope, eval, nearest};
use super::source::{Sources, Span};
use super::syntax::{Expr, Lowering, parse_error};
use super::types::Type;
use crate::value::Value;

/// Values supplied from outside the configuration.
#[derive(Debug, Clone, Default)]
pub struct VarInputs {
    /// `--var name=value`, in command-line order.
    pub cli: Vec<(String, String)>,
    /// `--var-file FILE` (HCL attributes, `*.wfvars`), in command-line order.
    pub files: Vec<PathBuf>,
    /// `WF_VAR_name=value` environment variables, prefix already stripped.
    pub env: Vec<(String, String)>,
}

/// Resolves every declared variable. Precedence, lowest first: default < `WF_VAR_name` <
/// var files (in order) < `--var` (in order).
pub fn resolve_variables(
    config: &Config,
    inputs: &VarInputs,
) -> Result<BTreeMap<String, Value>, Diagnostics> {
    resolve_variables_with_warnings(config, inputs).map(|(values, _)| values)
}

/// Like [`resolve_variables`], also returning warnings (values for undeclared variables in
/// var files or the environment, which Terraform warns about and ignores).
pub fn resolve_variables_with_warnings(
    config: &Config,
    inputs: &VarInputs,
) -> Result<(BTreeMap<String, Value>, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut warnings = Diagnostics::new();
    let declared = |name: &str| config.variable(name);
    let names: Vec<&str> = config.variables.iter().map(|v| v.name.as_str()).collect();
    // name -> (value, span of where it was set, if in a file)
    let mut given: BTreeMap<String, (Value, Option<Span>, Sources)> = BTreeMap::new();

    for (name, text) in &inputs.env {
        match declared(name) {
            Some(var) => match parse_raw(var, text, &format!("<value for var.{name} from WF_VAR_{name}>")) {
                Ok(v) => {
                    given.insert(name.clone(), v);
                }
                Err(d) => diags.extend(d),
            },
            None => warnings.push(
                Diagnostic::warning("Value for undeclared variable")
                    .with_detail(format!("The environment variable WF_VAR_{name} sets a value for \"{name}\", but the configuration does not declare a variable of that name. It is ignored.")),
            ),
        }
    }

    for path in &inputs.files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error("Failed to read variables file").with_detail(format!(
                        "Given variables file {} could not be read: {e}.",
                        path.display()
                    )),
                );
                continue;
            }
        };
        let (sources, file) = Sources::single(path.display().to_string(), text);
        let body = match hcl::edit::parser::parse_body(sources.text(file)) {
            Ok(b) => b,
            Err(e) => {
                diags.push(parse_error(&sources, file, &e));
                continue;
            }
        };
        let whole = Span::new(file, 0..sources.text(file).len());
        let body = Lowering {
            sources: &sources,
            file,
            diags: &mut diags,
        }
        .body(body, whole);
        for block in &body.blocks {
            diags.push(
                Diagnostic::error("Unexpected block in variables file")
                    .with_detail("A variables file contains only attribute definitions, like name = \"value\".")
                    .at(&sources, block.span, "block not allowed"),
            );
        }
        for attr in &body.attributes {
            if declared(&attr.name).is_none() {
                let mut w = Diagnostic::warning("Value for undeclared variable")
                    .with_detail(format!("The variables file sets a value for \"{}\", but the configuration does not declare a variable of that name. It is ignored.", attr.name))
                    .at(&sources, attr.name_span, "undeclared");
                if let Some(n) = nearest(&attr.name, names.iter().copied()) {
                    w = w.with_help(format!("Did you mean \"{n}\"?"));
                }
                warnings.push(w);
                continue;
            }
            match constant(&attr.expr, config) {
                Ok(v) => {
                    given.insert(
                        attr.name.clone(),
                        (v, Some(attr.expr.span()), sources.clone()),
                    );
                }
                Err(d) => diags.extend(d),
            }
        }
    }

    for (name, text) in &inputs.cli {
        match declared(name) {
            Some(var) => match parse_raw(var, text, &format!("<value for var.{name}>")) {
                Ok(v) => {
                    given.insert(name.clone(), v);
                }
                Err(d) => diags.extend(d),
            },
            None => {
                let mut d = Diagnostic::error("Value for undeclared variable")
                    .with_detail(format!("A variable named \"{name}\" was assigned on the command line, but the configuration does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."));
                if let Some(n) = nearest(name, names.iter().copied()) {
                    d = d.with_help(format!("Did you mean \"{n}\"?"));
                }
                diags.push(d);
            }
        }
    }

    let sources = &config.sources;
    let mut values = BTreeMap::new();
    for var in &config.variables {
        let default = || -> Result<Option<Value>, Diagnostics> {
            match &var.default {
                Some(e) => constant(e, config).map(Some),
                None => Ok(None),
            }
        };
        let (mut value, where_set) = match given.remove(&var.name) {
            Some((v, span, src)) => (v, span.map(|s| (s, src))),
            None => match default() {
                Ok(Some(v)) => (v, None),
                Ok(None) => {
                    diags.push(
                        Diagnostic::error("No value for required variable")
                            .with_detail(format!("The input variable \"{}\" is not set, and has no default value. Use a --var or --var-file command line argument or set a WF_VAR_{} environment variable to provide a value for this variable.", var.name, var.name))
                            .at(sources, var.span, "required variable"),
                    );
                    continue;
                }
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            },
        };
        if value.is_null() && !var.nullable {
            match default() {
                Ok(Some(d)) if !d.is_null() => value = d,
                Ok(_) => {
                    diags.push(
                        Diagnostic::error("Invalid value for input variable")
                            .with_detail(format!("The given value is not suitable for var.{}: required variable may not be set to null.", var.name))
                            .at(sources, var.span, "nullable = false"),
                    );
                    continue;
                }
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            }
        }
        if let Some(ty) = &var.type_constraint {
            match ty.convert(value) {
                Ok(v) => value = v,
                Err(msg) => {
                    let detail = format!(
                        "The given value is not suitable for var.{} declared at {}: {msg}.",
                        var.name,
                        sources.location(var.span)
                    );
                    let d =
                        Diagnostic::error("Invalid value for input variable").with_detail(detail);
                    diags.push(match &where_set {
                        Some((span, src)) => d.at(src, *span, "unsuitable value"),
                        None => d.at(sources, var.span, "unsuitable value"),
                    });
                    continue;
                }
            }
        }
        values.insert(var.name.clone(), value.marked_if(var.sensitive));
    }
    if diags.has_errors() {
        return Err(diags);
    }

    // Validations see every resolved variable (Terraform ≥ 1.9 allows cross-references).
    for var in &config.variables {
        for rule in &var.validations {
            let scope = Scope {
                vars: &values,
                ..Scope::new(&config.dir)
            };
            let result = match eval(&rule.condition, &scope) {
                Ok(v) => v,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            let (result, _) = result.unmark();
            match result {
                Value::Bool(true) | Value::Unknown => {}
                Value::Bool(false) => {
                    let message = match eval(&rule.error_message, &scope) {
                        Ok(m) => match m.as_str() {
                            Some(s) if !m.contains_sensitive() => s.to_string(),
                            Some(_) => "(the error message is sensitive and is not shown)".into(),
                            None => "(the error message is not a string)".into(),
                        },
                        Err(d) => {
                            diags.extend(d);
                            continue;
                        }
                    };
                    diags.push(
                        Diagnostic::error("Invalid value for variable")
                            .with_detail(format!(
                                "{message}\n\nThis was checked by the validation rule at {}.",
                                sources.location(rule.condition.span())
                            ))
                            .at(sources, var.span, message.clone()),
                    );
                }
                other => diags.push(
                    Diagnostic::error("Invalid variable validation result")
                        .with_detail(format!(
                            "The validation condition must return either true or false, not {}.",
                            other.type_name()
                        ))
                        .at(sources, rule.condition.span(), "not a bool"),
                ),
            }
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((values, warnings))
}

/// A constant expression: no references allowed (defaults, var files, `--var` values).
fn constant(expr: &Expr, config: &Config) -> Result<Value, Diagnostics> {
    let (refs, errors) = expr.checked_references();
    if !refs.is_empty() || !errors.is_empty() {
        let span = refs.first().map(|r| r.span).unwrap_or_else(|| expr.span());
        return Err(Diagnostic::error("Variables not allowed")
            .with_detail("Variables may not be used here.")
            .at(expr.sources(), span, "not a constant")
            .into());
    }
    eval(expr, &Scope::new(&config.dir))
}

/// A `--var` or `WF_VAR_` value: the raw text for untyped and string variables (like
/// Terraform), else parsed as an HCL expression (`ids=[1,2]`).
fn parse_raw(
    var: &Variable,
    text: &str,
    name: &str,
) -> Result<(Value, Option<Span>, Sources), Diagnostics> {
    let literal = matches!(var.type_constraint, None | Some(Type::String));
    if literal {
        return Ok((Value::String(text.to_string()), None, Sources::default()));
    }
    let expr = Expr::parse(name, text)?;
    let dir = std::path::Path::new(".");
    let (refs, errors) = expr.checked_references();
    if !refs.is_empty() || !errors.is_empty() {
        return Err(Diagnostic::error("Variables not allowed")
            .with_detail("Variables may not be used here.")
            .at(expr.sources(), expr.span(), "not a constant")
            .into());
    }
    let v = eval(&expr, &Scope::new(dir))?;
    let span = expr.span();
    Ok((v, Some(span), expr.sources().clone()))
}
