//! Type constraints (`string`, `list(number)`, `object({a = string, b = optional(number, 3)})`)
//! and Terraform's conversion rules.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, ObjectKey};

use super::diag::{Diagnostic, Diagnostics};
use super::eval::{Evaluator, Scope};
use super::syntax::Expr;
use super::vals::{kind, make_set, parse_number, to_str};
use crate::value::Value;

/// A type constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    Any,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    /// Attributes sorted by name.
    Object(Vec<ObjectAttr>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectAttr {
    pub name: String,
    pub ty: Type,
    /// Declared with `optional(...)`.
    pub optional: bool,
    /// The `optional(T, default)` default, already converted to `T`.
    pub default: Option<Value>,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Any => f.write_str("any"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            Type::Object(attrs) => {
                f.write_str("object({")?;
                for (i, a) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match (a.optional, &a.default) {
                        (false, _) => write!(f, "{}={}", a.name, a.ty)?,
                        (true, None) => write!(f, "{}=optional({})", a.name, a.ty)?,
                        (true, Some(d)) => write!(f, "{}=optional({}, {})", a.name, a.ty, d)?,
                    }
                }
                f.write_str("})")
            }
        }
    }
}

/// Where a conversion failed: `attribute "a"`, `element 0`.
#[derive(Debug)]
struct ConvError {
    path: Vec<String>,
    message: String,
}

impl fmt::Display for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            let path: Vec<&str> = self.path.iter().rev().map(String::as_str).collect();
            write!(f, "{}: ", path.join(", "))?;
        }
        f.write_str(&self.message)
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, ConvError> {
    Err(ConvError {
        path: Vec::new(),
        message: message.into(),
    })
}

fn at<T>(r: Result<T, ConvError>, step: impl FnOnce() -> String) -> Result<T, ConvError> {
    r.map_err(|mut e| {
        e.path.push(step());
        e
    })
}

impl Type {
    /// Parses a type constraint written as text, e.g. `"list(string)"` (the schema files).
    pub fn parse(text: &str) -> Result<Type, String> {
        let expr = Expr::parse("<type>", text).map_err(|d| first_message(&d))?;
        Type::from_expr(&expr).map_err(|d| first_message(&d))
    }

    /// Reads a type constraint from a variable's `type` expression.
    pub fn from_expr(expr: &Expr) -> Result<Type, Diagnostics> {
        TypeReader { expr }
            .read(expr.syntax(), false)
            .map(|(t, _)| t)
    }

    /// A short human name ("list of string").
    fn friendly(&self) -> String {
        match self {
            Type::List(t) => format!("list of {}", t.friendly()),
            Type::Set(t) => format!("set of {}", t.friendly()),
            Type::Map(t) => format!("map of {}", t.friendly()),
            other => other.to_string(),
        }
    }

    /// Converts a value to this type with Terraform's rules: `"5"` → 5 for number, 5 →
    /// `"5"` for string, `"true"` → true for bool, list ↔ set, object → map, optional
    /// attributes filled with their defaults or null, extra attributes dropped. Unknown
    /// stays unknown; marks are preserved.
    pub fn convert(&self, value: Value) -> Result<Value, String> {
        self.conv(value).map_err(|e| e.to_string())
    }

    fn conv(&self, value: Value) -> Result<Value, ConvError> {
        let value = match value {
            Value::Sensitive(inner) => return Ok(self.conv(*inner)?.mark_sensitive()),
            Value::Unknown => return Ok(Value::Unknown),
            Value::Null => return Ok(Value::Null),
            other => other,
        };
        match self {
            Type::Any => Ok(value),
            Type::String => match value {
                Value::List(_) | Value::Object(_) => {
                    fail(format!("string required, but have {}", kind(&value)))
                }
                other => Ok(Value::String(to_str(&other).unwrap_or_default())),
            },
            Type::Number => match value {
                Value::Number(n) => Ok(Value::Number(n)),
                Value::String(s) => match parse_number(&s) {
                    Some(n) => Ok(Value::Number(n)),
                    None => fail(format!("a number is required, but have the string {s:?}")),
                },
                other => fail(format!("number required, but have {}", kind(&other))),
            },
            Type::Bool => match value {
                Value::Bool(b) => Ok(Value::Bool(b)),
                Value::String(s) if s == "true" => Ok(Value::Bool(true)),
                Value::String(s) if s == "false" => Ok(Value::Bool(false)),
                Value::String(s) => fail(format!("a bool is required, but have the string {s:?}")),
                other => fail(format!("bool required, but have {}", kind(&other))),
            },
            Type::List(elem) | Type::Set(elem) => match value {
                Value::List(items) => {
                    let items = items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| at(elem.conv(v), || format!("element {i}")))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Value::List(if matches!(self, Type::Set(_)) {
                        make_set(items)
                    } else {
                        items
                    }))
                }
                other => fail(format!(
                    "{} required, but have {}",
                    self.friendly(),
                    kind(&other)
                )),
            },
            Type::Map(elem) => match value {
                Value::Object(map) => {
                    let map = map
                        .into_iter()
                        .map(|(k, v)| {
                            let converted = at(elem.conv(v), || format!("element {k:?}"));
                            converted.map(|v| (k, v))
                        })
                        .collect::<Result<BTreeMap<_, _>, _>>()?;
                    Ok(Value::Object(map))
                }
                other => fail(format!(
                    "{} required, but have {}",
                    self.friendly(),
                    kind(&other)
                )),
            },
            Type::Tuple(types) => match value {
                Value::List(items) if items.len() == types.len() => {
                    let items = items
                        .into_iter()
                        .zip(types)
                        .enumerate()
                        .map(|(i, (v, t))| at(t.conv(v), || format!("element {i}")))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Value::List(items))
                }
                Value::List(items) => fail(format!(
                    "tuple required with {} elements, but have {}",
                    types.len(),
                    items.len()
                )),
                other => fail(format!("tuple required, but have {}", kind(&other))),
            },
            Type::Object(attrs) => match value {
                Value::Object(mut map) => {
                    let mut out = BTreeMap::new();
                    for a in attrs {
                        let v = match map.remove(&a.name) {
                            Some(Value::Null) | None if a.optional => {
                                a.default.clone().unwrap_or(Value::Null)
                            }
                            Some(v) => at(a.ty.conv(v), || format!("attribute {:?}", a.name))?,
                            None => return fail(format!("attribute {:?} is required", a.name)),
                        };
                        out.insert(a.name.clone(), v);
                    }
                    Ok(Value::Object(out))
                }
                other => fail(format!("object required, but have {}", kind(&other))),
            },
        }
    }
}

fn first_message(d: &Diagnostics) -> String {
    d.iter()
        .next()
        .map(|d| match d.detail() {
            Some(detail) => format!("{}: {detail}", d.summary()),
            None => d.summary().to_string(),
        })
        .unwrap_or_default()
}

struct TypeReader<'a> {
    expr: &'a Expr,
}

impl TypeReader<'_> {
    fn err(&self, range: Option<Range<usize>>, detail: impl Into<String>) -> Diagnostics {
        Diagnostic::error("Invalid type specification")
            .with_detail(detail)
            .at(
                self.expr.sources(),
                self.expr.span_of(range),
                "invalid type",
            )
            .into()
    }

    /// Reads a type; `in_object` allows `optional(...)`. Returns the type and, for
    /// `optional`, `Some(default)`.
    fn read(
        &self,
        e: &Expression,
        in_object: bool,
    ) -> Result<(Type, Option<Option<Value>>), Diagnostics> {
        let range = e.span();
        match e {
            Expression::Parenthesis(p) => self.read(p.inner(), in_object),
            Expression::Variable(v) => match v.as_str() {
                "string" => Ok((Type::String, None)),
                "number" => Ok((Type::Number, None)),
                "bool" => Ok((Type::Bool, None)),
                "any" => Ok((Type::Any, None)),
                kw @ ("list" | "set" | "map") => Err(self.err(
                    range,
                    format!("The {kw} type constraint requires one argument specifying the element type, e.g. {kw}(string)."),
                )),
                other => Err(self.err(range, format!("The keyword \"{other}\" is not a valid type specification."))),
            },
            Expression::String(s) => Err(self.err(
                range,
                format!("Type constraints are written without quotes: use {} instead of \"{}\".", s.value(), s.value()),
            )),
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                let args: Vec<&Expression> = call.args.iter().collect();
                let one = |what: &str| -> Result<&Expression, Diagnostics> {
                    match args.as_slice() {
                        [a] => Ok(a),
                        _ => Err(self.err(range.clone(), format!("The {name} type constraint requires exactly one argument: {what}."))),
                    }
                };
                match name {
                    "list" | "set" | "map" => {
                        let (t, _) = self.read(one("the element type")?, false)?;
                        let t = Box::new(t);
                        Ok((match name {
                            "list" => Type::List(t),
                            "set" => Type::Set(t),
                            _ => Type::Map(t),
                        }, None))
                    }
                    "tuple" => {
                        let Expression::Array(items) = one("a list of element types")? else {
                            return Err(self.err(range, "The tuple type constraint requires a list of element types, e.g. tuple([string, number])."));
                        };
                        let types = items
                            .iter()
                            .map(|i| self.read(i, false).map(|(t, _)| t))
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok((Type::Tuple(types), None))
                    }
                    "object" => {
                        let Expression::Object(obj) = one("an object of attribute types")? else {
                            return Err(self.err(range, "The object type constraint requires an object of attribute types, e.g. object({name = string})."));
                        };
                        let mut attrs: Vec<ObjectAttr> = Vec::new();
                        for (key, value) in obj.iter() {
                            let name = match key {
                                ObjectKey::Ident(id) => id.as_str().to_string(),
                                ObjectKey::Expression(k) => match super::syntax::static_string(k) {
                                    Some(s) => s,
                                    None => return Err(self.err(k.span(), "Object type attribute names must be identifiers or strings.")),
                                },
                            };
                            let (ty, opt) = self.read(value.expr(), true)?;
                            attrs.push(ObjectAttr { name, ty, optional: opt.is_some(), default: opt.flatten() });
                        }
                        attrs.sort_by(|a, b| a.name.cmp(&b.name));
                        Ok((Type::Object(attrs), None))
                    }
                    "optional" => {
                        if !in_object {
                            return Err(self.err(range, "Keyword \"optional\" is valid only as a modifier for object type attributes."));
                        }
                        let (ty, default) = match args.as_slice() {
                            [t] => (self.read(t, false)?.0, None),
                            [t, d] => {
                                let ty = self.read(t, false)?.0;
                                let dir = Path::new(".");
                                let scope = Scope::new(dir);
                                let mut ev = Evaluator::new(&scope, self.expr.sources(), self.expr.file());
                                let v = ev.eval(d)?;
                                let v = ty.convert(v).map_err(|m| {
                                    self.err(d.span(), format!("The default value is not compatible with the attribute type: {m}."))
                                })?;
                                (ty, Some(v))
                            }
                            _ => return Err(self.err(range, "The optional modifier takes a type and optionally a default value.")),
                        };
                        Ok((ty, Some(default)))
                    }
                    other => Err(self.err(range, format!("Keyword \"{other}\" is not a valid type constructor."))),
                }
            }
            _ => Err(self.err(range, "A type specification is either a primitive type keyword (bool, number, string), a complex type constructor call like list(string), or the keyword any.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn parses_and_displays_types() {
        for text in [
            "string",
            "number",
            "bool",
            "any",
            "list(string)",
            "set(number)",
            "map(list(bool))",
            "tuple([string, number])",
            "object({a=string, b=optional(number, 3), c=optional(bool)})",
        ] {
            assert_eq!(Type::parse(text).unwrap().to_string(), text);
        }
        assert!(
            Type::parse("list")
                .unwrap_err()
                .contains("requires one argument")
        );
        assert!(
            Type::parse("\"string\"")
                .unwrap_err()
                .contains("without quotes")
        );
        assert!(Type::parse("optional(string)").is_err());
        assert!(Type::parse("strin").is_err());
    }

    #[test]
    fn converts_with_terraform_rules() {
        let s = |x: &str| Value::String(x.into());
        assert_eq!(Type::Number.convert(s("5")).unwrap(), Value::Number(5.0));
        assert_eq!(Type::String.convert(Value::Number(5.0)).unwrap(), s("5"));
        assert_eq!(Type::Bool.convert(s("true")).unwrap(), Value::Bool(true));
        assert!(
            Type::Number
                .convert(s("five"))
                .unwrap_err()
                .contains("number is required")
        );
        let set = Type::parse("set(string)").unwrap();
        assert_eq!(
            set.convert(Value::List(vec![s("b"), s("a"), s("b")]))
                .unwrap(),
            Value::List(vec![s("a"), s("b")])
        );
        let list = Type::parse("list(number)").unwrap();
        let err = list
            .convert(Value::List(vec![Value::Number(1.0), s("x")]))
            .unwrap_err();
        assert!(err.starts_with("element 1:"), "{err}");
        let map = Type::parse("map(string)").unwrap();
        assert_eq!(
            map.convert(obj(&[("a", Value::Number(1.0)), ("b", Value::Bool(true))]))
                .unwrap(),
            obj(&[("a", s("1")), ("b", s("true"))])
        );
        assert!(
            map.convert(Value::List(vec![]))
                .unwrap_err()
                .contains("map of string required")
        );
    }

    #[test]
    fn object_types_fill_optional_defaults_and_drop_extras() {
        let t = Type::parse(
            "object({name=string, port=optional(number, 443), tags=optional(list(string))})",
        )
        .unwrap();
        let v = t
            .convert(obj(&[
                ("name", Value::String("x".into())),
                ("extra", Value::Bool(true)),
            ]))
            .unwrap();
        assert_eq!(
            v,
            obj(&[
                ("name", Value::String("x".into())),
                ("port", Value::Number(443.0)),
                ("tags", Value::Null)
            ])
        );
        let err = t.convert(obj(&[("port", Value::Number(1.0))])).unwrap_err();
        assert_eq!(err, "attribute \"name\" is required");
        let err = t
            .convert(obj(&[
                ("name", Value::String("x".into())),
                ("port", Value::String("http".into())),
            ]))
            .unwrap_err();
        assert!(
            err.starts_with("attribute \"port\": a number is required"),
            "{err}"
        );
    }

    #[test]
    fn unknown_and_marks_survive_conversion() {
        assert_eq!(
            Type::String.convert(Value::Unknown).unwrap(),
            Value::Unknown
        );
        let marked = Value::Number(5.0).mark_sensitive();
        assert_eq!(
            Type::String.convert(marked).unwrap(),
            Value::String("5".into()).mark_sensitive()
        );
        let t = Type::parse("list(string)").unwrap();
        let v = t
            .convert(Value::List(vec![Value::Unknown, Value::Number(1.0)]))
            .unwrap();
        assert_eq!(
            v,
            Value::List(vec![Value::Unknown, Value::String("1".into())])
        );
    }
}
