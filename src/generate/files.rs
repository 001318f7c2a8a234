//! Assembling the generated files: one per project, `workspace.wf.hcl`, `imports.wf.hcl`
//! and `generated.wfvars`, each passed through `workform fmt`'s formatter.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::GenerateError;
use super::hcl;
use super::model::Model;
use super::naming::{Namer, base_name, compare_ids};
use super::refs::{Resolved, resolve, rule_for};
use crate::schema::AttrSchema;

/// Workspace-level objects and objects outside every project.
pub const WORKSPACE_FILE: &str = "workspace.wf.hcl";
/// One `import` block per generated object.
pub const IMPORTS_FILE: &str = "imports.wf.hcl";
/// Sensitive values read from the workspace, as variable values.
pub const VARS_FILE: &str = "generated.wfvars";

/// One file to write.
#[derive(Debug)]
pub struct GenFile {
    pub name: String,
    pub text: String,
    /// What the file holds, for the summary (`project "Billing": 7 resources`).
    pub summary: String,
    /// Holds secrets: written with mode 0600.
    pub private: bool,
}

/// Everything `generate` produced.
#[derive(Debug, Default)]
pub struct Generated {
    /// Files in write order: projects, the workspace file, imports, variable values.
    pub files: Vec<GenFile>,
    /// Generated resources per type.
    pub counts: BTreeMap<String, usize>,
    /// Resources whose write-only attributes (connection credentials) must be added by hand.
    pub write_only: Vec<String>,
    /// Ids that stayed literal because their object is not generated.
    pub literal_ids: usize,
    /// Sensitive values moved into `generated.wfvars`.
    pub sensitive_values: usize,
}

impl Generated {
    pub fn resources(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn vars_file(&self) -> Option<&GenFile> {
        self.files.iter().find(|f| f.name == VARS_FILE)
    }
}

/// Where resources are written, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FileKey {
    Project(usize),
    Workspace,
}

/// A sensitive value turned into a variable.
struct Var {
    name: String,
    description: String,
    /// Declared `type = string` (else left open).
    string: bool,
    value: Json,
}

/// What rendering collects besides text.
#[derive(Default)]
struct Collect {
    vars: BTreeMap<FileKey, Vec<Var>>,
    var_names: Namer,
    write_only: BTreeSet<String>,
    literal_ids: usize,
}

/// Renders every file for the included objects of `model`, in `order`.
pub fn render(model: &Model, order: &[usize]) -> Result<Generated, GenerateError> {
    let mut out = Generated::default();
    let mut collect = Collect::default();
    let slugs = project_slugs(model);
    let mut groups: BTreeMap<FileKey, Vec<usize>> = BTreeMap::new();
    for &i in order {
        let key = model
            .project_of(i)
            .map_or(FileKey::Workspace, FileKey::Project);
        groups.entry(key).or_default().push(i);
        *out.counts
            .entry(model.items[i].type_name.clone())
            .or_default() += 1;
    }
    // Projects in id order, then the workspace file.
    let mut keys: Vec<FileKey> = groups.keys().copied().collect();
    keys.sort_by(|a, b| match (a, b) {
        (FileKey::Project(x), FileKey::Project(y)) => {
            compare_ids(&model.items[*x].id, &model.items[*y].id)
        }
        _ => a.cmp(b),
    });

    let mut imports = String::new();
    for key in &keys {
        let items = &groups[key];
        let mut blocks = Vec::new();
        for &i in items {
            blocks.push(resource_block(model, i, *key, &mut collect));
            let item = &model.items[i];
            imports.push_str(&format!(
                "import {{\n  to = {}.{}\n  id = {}\n}}\n\n",
                item.type_name,
                item.name,
                hcl::string(&item.id)
            ));
        }
        let (name, header, summary) = match *key {
            FileKey::Project(p) => {
                let project = &model.items[p];
                let name = format!("{}.wf.hcl", slugs[&p]);
                let header = if project.included {
                    format!("{}: the project, its folders and everything that lives in them.", capitalised(&project.describe()))
                } else {
                    format!(
                        "Objects of {} under --folder {}.",
                        project.describe(),
                        hcl::string(model.scope.as_deref().unwrap_or_default())
                    )
                };
                (name, header, format!("{}: {}", project.describe(), plural(items.len(), "resource")))
            }
            FileKey::Workspace => (
                WORKSPACE_FILE.to_string(),
                "Workspace-level objects: environment properties, tags, on-prem groups and agents, and anything outside a project.".to_string(),
                format!("workspace-level objects: {}", plural(items.len(), "resource")),
            ),
        };
        let mut text = format!(
            "{}\n{}\n\n",
            hcl::comment(&header),
            hcl::comment(GENERATED_BY)
        );
        for var in collect.vars.get(key).into_iter().flatten() {
            text.push_str(&variable_block(var));
        }
        text.push_str(&blocks.join("\n"));
        out.files.push(GenFile {
            text: formatted(&name, &text)?,
            name,
            summary,
            private: false,
        });
    }

    if !order.is_empty() {
        let header = "Adopt the existing objects: `workform apply` imports each one into state and creates nothing.\n\
                      Once applied, these blocks have no further effect and may be deleted.";
        let text = format!(
            "{}\n\n{}",
            header
                .lines()
                .map(hcl::comment)
                .collect::<Vec<_>>()
                .join("\n"),
            imports
        );
        out.files.push(GenFile {
            text: formatted(IMPORTS_FILE, text.trim_end())?,
            name: IMPORTS_FILE.into(),
            summary: plural(order.len(), "import block"),
            private: false,
        });
    }

    let vars: Vec<&Var> = keys
        .iter()
        .flat_map(|k| collect.vars.get(k).into_iter().flatten())
        .collect();
    if !vars.is_empty() {
        let mut text = [
            "Sensitive values read from the workspace by `workform generate` (property values).",
            "Keep this file private (it is written with mode 0600) and out of version control;",
            "pass it to plan and apply with --var-file.",
        ]
        .map(hcl::comment)
        .join("\n");
        text.push_str("\n\n");
        for var in &vars {
            text.push_str(&format!("{} = {}\n", var.name, hcl::literal(&var.value)));
        }
        out.files.push(GenFile {
            text: formatted(VARS_FILE, &text)?,
            name: VARS_FILE.into(),
            summary: format!("{}; keep it private", plural(vars.len(), "sensitive value")),
            private: true,
        });
    }
    out.sensitive_values = vars.len();
    out.write_only = collect.write_only.into_iter().collect();
    out.literal_ids = collect.literal_ids;
    Ok(out)
}

const GENERATED_BY: &str = "Generated by `workform generate` from the live workspace; imports.wf.hcl adopts every object below.";

/// `<slug>.wf.hcl` names for every project (generated or not), unique and stable.
fn project_slugs(model: &Model) -> BTreeMap<usize, String> {
    let mut projects: Vec<usize> = (0..model.items.len())
        .filter(|&i| model.items[i].type_name == "workato_project")
        .collect();
    projects.sort_by(|&a, &b| compare_ids(&model.items[a].id, &model.items[b].id));
    let mut namer = Namer::new();
    for reserved in [WORKSPACE_FILE, IMPORTS_FILE] {
        namer.reserve(reserved.trim_end_matches(".wf.hcl"));
    }
    projects
        .into_iter()
        .map(|p| {
            let item = &model.items[p];
            let base = base_name(&item.type_name, item.label().unwrap_or(&item.id));
            let base = if matches!(base.as_str(), "workspace" | "imports") {
                format!("{base}_project")
            } else {
                base
            };
            (p, namer.unique(&base))
        })
        .collect()
}

/// One `resource` block.
fn resource_block(model: &Model, i: usize, file: FileKey, collect: &mut Collect) -> String {
    let item = &model.items[i];
    let mut body = String::new();
    attributes(
        model,
        i,
        &item.schema.attributes,
        &item.attrs,
        "",
        1,
        file,
        collect,
        &mut body,
    );
    for (name, block) in &item.schema.blocks {
        nested_blocks(
            model,
            i,
            name,
            block,
            item.attrs.get(name),
            "",
            1,
            file,
            collect,
            &mut body,
        );
    }
    format!(
        "resource {} {} {{\n{body}}}\n",
        hcl::string(&item.type_name),
        hcl::string(&item.name)
    )
}

/// Writes the `name { ... }` blocks of one nested block type.
#[allow(clippy::too_many_arguments)]
fn nested_blocks(
    model: &Model,
    i: usize,
    name: &str,
    schema: &crate::schema::BlockSchema,
    value: Option<&Json>,
    prefix: &str,
    depth: usize,
    file: FileKey,
    collect: &mut Collect,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    let path = format!("{prefix}{name}.");
    for entry in value.and_then(Json::as_array).into_iter().flatten() {
        let Some(values) = entry.as_object() else {
            continue;
        };
        let mut body = String::new();
        attributes(
            model,
            i,
            &schema.attributes,
            values,
            &path,
            depth + 1,
            file,
            collect,
            &mut body,
        );
        for (inner_name, inner) in &schema.blocks {
            nested_blocks(
                model,
                i,
                inner_name,
                inner,
                values.get(inner_name),
                &path,
                depth + 1,
                file,
                collect,
                &mut body,
            );
        }
        out.push_str(&format!("\n{indent}{name} {{\n{body}{indent}}}\n"));
    }
}

/// Writes the attributes worth writing: configurable, readable, set, and not the default.
#[allow(clippy::too_many_arguments)]
fn attributes(
    model: &Model,
    i: usize,
    schema: &BTreeMap<String, AttrSchema>,
    values: &Map<String, Json>,
    prefix: &str,
    depth: usize,
    file: FileKey,
    collect: &mut Collect,
    out: &mut String,
) {
    let item = &model.items[i];
    let indent = "  ".repeat(depth);
    let nested = !prefix.is_empty();
    let mut trailing = Vec::new();
    for name in attribute_order(schema, prefix) {
        let attr = &schema[name];
        let path = format!("{prefix}{name}");
        // Computed-only values are the server's; local-only and never-returned ones cannot
        // be read. A nested optional+computed value (a column's field_id) is left out: the
        // planner takes it from the live block at the same position, so it is only noise.
        if !attr.is_configurable()
            || attr.local_only
            || attr.not_returned
            || (nested && attr.computed)
        {
            continue;
        }
        if attr.write_only {
            if !write_only_applies(&item.type_name, &path, values) {
                continue;
            }
            // After the attributes, so the comment does not split their `=` alignment.
            trailing.push(format!(
                "{path} is write-only: the API never returns it, so it is not generated. Set it (from a sensitive variable) to manage it; until then workform leaves the remote value alone."
            ));
            collect
                .write_only
                .insert(format!("{}.{}", item.type_name, item.name));
            continue;
        }
        let Some(value) = values.get(name).filter(|v| !v.is_null()) else {
            continue;
        };
        if attr.default.as_ref().is_some_and(|d| same(d, value)) {
            continue;
        }
        if attr.sensitive {
            let var =
                collect
                    .var_names
                    .unique(&format!("{}_{}", item.name, path.replace('.', "_")));
            out.push_str(&format!("{indent}{name} = var.{var}\n"));
            collect.vars.entry(file).or_default().push(Var {
                description: format!(
                    "{} of {}, read by workform generate: set in {VARS_FILE}",
                    capitalised(&path),
                    item.describe()
                ),
                string: value.is_string(),
                value: value.clone(),
                name: var,
            });
            continue;
        }
        let Some(rule) = rule_for(&path) else {
            out.push_str(&format!("{indent}{name} = {}\n", hcl::literal(value)));
            continue;
        };
        let resolve_one = |v: &Json| resolve(model, rule, v, values);
        let (expr, notes) = match value {
            Json::Array(elements) => {
                let resolved: Vec<Resolved> = elements.iter().map(resolve_one).collect();
                let notes = resolved.iter().filter_map(note).collect::<Vec<_>>();
                (hcl::list(resolved.iter().map(expression).collect()), notes)
            }
            scalar => {
                let resolved = resolve_one(scalar);
                (expression(&resolved), note(&resolved).into_iter().collect())
            }
        };
        collect.literal_ids += notes.len();
        let mut seen = BTreeSet::new();
        for n in notes.into_iter().filter(|n| seen.insert(n.clone())) {
            out.push_str(&format!(
                "{indent}{}\n",
                hcl::comment(&format!("{path}: {n}"))
            ));
        }
        out.push_str(&format!("{indent}{name} = {expr}\n"));
    }
    for text in trailing {
        out.push_str(&format!("{indent}{}\n", hcl::comment(&text)));
    }
}

/// Write-only attributes that matter only in one mode of their object: (type, attribute,
/// the attribute that selects the mode, its value). Elsewhere a note would only confuse.
const WRITE_ONLY_ONLY_WHEN: &[(&str, &str, &str, &str)] =
    &[("workato_api_client", "jwt_secret", "auth_type", "jwt")];

fn write_only_applies(type_name: &str, path: &str, values: &Map<String, Json>) -> bool {
    WRITE_ONLY_ONLY_WHEN
        .iter()
        .filter(|(t, a, _, _)| *t == type_name && *a == path)
        .all(|(_, _, mode, value)| values.get(*mode).and_then(Json::as_str) == Some(*value))
}

/// The object's own name first, then where it lives, then required and optional
/// attributes (alphabetically within each), and last the references that depend on a
/// sibling (a relation's `field_id` after its `table_id`).
fn attribute_order<'a>(schema: &'a BTreeMap<String, AttrSchema>, prefix: &str) -> Vec<&'a str> {
    let rank = |name: &str| {
        let rule = rule_for(&format!("{prefix}{name}"));
        match name {
            "name" | "title" => 0,
            _ if rule.is_some_and(|r| r.owner) => 1,
            _ if rule.is_some_and(|r| {
                r.targets
                    .iter()
                    .any(|t| matches!(t, super::refs::Target::MapKey { .. }))
            }) =>
            {
                4
            }
            _ if schema[name].required => 2,
            _ => 3,
        }
    };
    let mut names: Vec<&str> = schema.keys().map(String::as_str).collect();
    names.sort_by_key(|n| rank(n)); // Stable: alphabetical within a rank.
    names
}

fn expression(resolved: &Resolved) -> String {
    match resolved {
        Resolved::Ref(expr) => expr.clone(),
        Resolved::Literal { value, .. } => hcl::literal(value),
    }
}

fn note(resolved: &Resolved) -> Option<String> {
    match resolved {
        Resolved::Ref(_) => None,
        Resolved::Literal { note, .. } => Some(note.clone()),
    }
}

fn variable_block(var: &Var) -> String {
    let mut text = format!(
        "variable {} {{\n  description = {}\n",
        hcl::string(&var.name),
        hcl::string(&var.description)
    );
    if var.string {
        text.push_str("  type        = string\n");
    }
    text.push_str("  sensitive   = true\n}\n\n");
    text
}

/// JSON equality that compares numbers by value (`1` and `1.0` are the same default).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn formatted(name: &str, text: &str) -> Result<String, GenerateError> {
    crate::fmt::format_source(name, text).map_err(|e| GenerateError::Format {
        name: name.to_string(),
        message: e.to_string(),
    })
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
