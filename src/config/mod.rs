//! The configuration front end: parse `*.wf.hcl` with hcl-edit (keeping spans), decode
//! blocks into typed structs, extract references, evaluate expressions (unknown values,
//! sensitivity marks, the function library), type constraints, variable resolution and
//! miette diagnostics.
//!
//! We walk hcl-edit's AST ourselves rather than using `hcl::eval`: that evaluator has no
//! spans, no unknown values, and fn-pointer functions that cannot see the config dir.

mod body;
mod decode;
mod diag;
mod eval;
mod funcs;
mod refs;
mod regex;
mod source;
mod syntax;
mod types;
mod vals;
mod vars;

#[cfg(test)]
mod tests;

pub use body::eval_body;
pub use decode::{
    Config, IgnoreChanges, ImportBlock, Lifecycle, Local, MovedBlock, Output, RemovedBlock,
    ResourceConfig, Validation, Variable, load_dir, load_files,
};
pub use diag::{Diagnostic, Diagnostics};
pub use eval::{Scope, eval, eval_with};
pub use funcs::function_names;
pub use refs::{Reference, Subject, TraversalStep};
pub use source::{FileId, Sources, Span};
pub use syntax::{Attribute, Body, Expr, NestedBlock};
pub use types::{ObjectAttr, Type};
pub use vars::{VarInputs, resolve_variables, resolve_variables_with_warnings};
