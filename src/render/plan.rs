//! The human plan, in Terraform's shape so reviewers read it fluently.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::Styles;
use super::values::{inline, inline_json};
use crate::plan::{Action, Drift, Plan, PlanMode, ResourceChange};
use crate::value::Value;
use crate::workato::Object;

/// Renders the whole plan.
pub fn render(plan: &Plan, styles: &Styles) -> String {
    let mut out = String::new();
    let drift: Vec<&Drift> = plan.drift.iter().collect();
    if !drift.is_empty() {
        render_drift(&mut out, &drift, styles);
    }
    let changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || c.importing.is_some() || c.moved_from.is_some())
        .collect();
    if changes.is_empty() {
        if !output_changes(plan).is_empty() {
            render_outputs(&mut out, plan, styles);
            out.push_str("\nYou can apply this plan to save these new output values to the workform state, without changing any real infrastructure.\n");
        } else if plan.mode == PlanMode::Destroy {
            out.push_str(&format!(
                "{}\n",
                styles
                    .bold
                    .apply_to("No changes. No objects need to be destroyed.")
            ));
        } else {
            out.push_str(&format!(
                "{} Your workspace matches the configuration.\n\nworkform has compared your real workspace against your configuration and found no differences, so no changes are needed.\n",
                styles.bold.apply_to("No changes.")
            ));
        }
        return out;
    }
    render_legend(&mut out, &changes, styles);
    out.push_str("\nworkform will perform the following actions:\n");
    // Destroys first: they are what reviewers most need to see.
    let mut ordered = changes.clone();
    ordered.sort_by_key(|c| {
        (
            !matches!(c.action, Action::Delete | Action::Replace),
            c.addr.clone(),
        )
    });
    for change in ordered {
        out.push('\n');
        render_change(&mut out, change, styles);
    }
    let s = plan.summary();
    let imports = if s.import > 0 {
        format!("{} to import, ", s.import)
    } else {
        String::new()
    };
    let forgets = if s.forget > 0 {
        format!(" {} to forget.", s.forget)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\n{} {imports}{} to add, {} to change, {} to destroy.{forgets}",
        styles.bold.apply_to("Plan:"),
        s.add,
        s.change,
        s.destroy
    );
    if !output_changes(plan).is_empty() {
        render_outputs(&mut out, plan, styles);
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "\n{} {w}", styles.yellow.apply_to("Warning:").bold());
    }
    out
}

fn render_legend(out: &mut String, changes: &[&ResourceChange], styles: &Styles) {
    let used: BTreeSet<Action> = changes.iter().map(|c| c.action).collect();
    out.push_str("workform used the selected configuration to generate the following execution plan. Resource actions are indicated with the following symbols:\n");
    for (action, text) in [
        (Action::Create, "create"),
        (Action::Update, "update in-place"),
        (Action::Delete, "destroy"),
        (Action::Replace, "destroy and then create replacement"),
        (Action::Read, "read (data resources)"),
        (
            Action::Forget,
            "forget (remove from state, keep the object)",
        ),
    ] {
        if used.contains(&action) {
            let _ = writeln!(out, "{} {text}", symbol(action, styles));
        }
    }
}

/// The action glyph, right-aligned in three columns as Terraform prints it.
fn symbol(action: Action, styles: &Styles) -> String {
    let text = format!("{:>3}", action.symbol());
    match action {
        Action::Create => styles.green.apply_to(text).to_string(),
        Action::Delete => styles.red.apply_to(text).to_string(),
        Action::Update => styles.yellow.apply_to(text).to_string(),
        Action::Replace => styles.red.apply_to(text).to_string(),
        Action::Read => styles.cyan.apply_to(text).to_string(),
        Action::Forget | Action::NoOp => text,
    }
}

fn header(change: &ResourceChange) -> String {
    let addr = &change.addr;
    if change.action == Action::NoOp {
        if let Some(id) = &change.importing {
            return format!("# {addr} will be imported (id {id:?})");
        }
        if let Some(from) = &change.moved_from {
            return format!("# {from} has moved to {addr}");
        }
    }
    match change.action {
        Action::Create => format!("# {addr} will be created"),
        Action::Update => format!("# {addr} will be updated in-place"),
        Action::Replace => format!("# {addr} must be replaced"),
        Action::Delete => format!("# {addr} will be destroyed"),
        Action::Read => format!("# {addr} will be read during apply"),
        Action::Forget => {
            format!("# {addr} will no longer be managed by workform, but will not be destroyed")
        }
        Action::NoOp => format!("# {addr}"),
    }
}

/// One attribute line: its marker, name, and value text.
struct Line {
    marker: &'static str,
    name: String,
    text: String,
}

fn render_change(out: &mut String, change: &ResourceChange, styles: &Styles) {
    let _ = writeln!(out, "  {}", styles.bold.apply_to(header(change)));
    if let Some(reason) = &change.reason {
        let _ = writeln!(out, "  # ({reason})");
    }
    if change.action != Action::NoOp {
        if let Some(id) = &change.importing {
            let _ = writeln!(out, "  # (imported from {id:?})");
        }
        if let Some(from) = &change.moved_from {
            let _ = writeln!(out, "  # (moved from {from})");
        }
    }
    let empty = Object::new();
    let before = change.before.as_ref().unwrap_or(&empty);
    let mut lines = Vec::new();
    let mut hidden = 0;
    let schema = match change.addr.resource.mode {
        crate::addr::Mode::Managed => crate::schema::resource(&change.type_name),
        crate::addr::Mode::Data => crate::schema::data_source(&change.type_name),
    };
    let block_names: BTreeSet<&String> = schema
        .map(|s| s.blocks.keys().collect())
        .unwrap_or_default();
    let names: BTreeSet<String> = before
        .keys()
        .cloned()
        .chain(
            change
                .after
                .as_ref()
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.keys().cloned()),
        )
        .filter(|n| !block_names.contains(n))
        .collect();
    for name in names {
        let sensitive = change.sensitive.contains(&name);
        let old = before.get(&name).map(Value::from_json);
        let new = change.after.as_ref().and_then(|a| a.get_attr(&name));
        let forces = change.replace_paths.contains(&name);
        match change.action {
            Action::Create | Action::Read => {
                let new = new.unwrap_or(Value::Null);
                if !new.is_null() {
                    lines.push(Line {
                        marker: "+",
                        name,
                        text: inline(&new, sensitive),
                    });
                }
            }
            Action::Delete | Action::Forget => {
                let old = old.unwrap_or(Value::Null);
                if !old.is_null() {
                    lines.push(Line {
                        marker: "-",
                        name,
                        text: format!("{} -> null", inline(&old, sensitive)),
                    });
                }
            }
            Action::Update | Action::Replace | Action::NoOp => {
                let old = old.unwrap_or(Value::Null);
                let new = new.unwrap_or(Value::Null);
                let attr_schema =
                    crate::schema::resource(&change.type_name).and_then(|s| s.attr(&name));
                let write_only = attr_schema.is_some_and(|a| a.write_only);
                // A workform-only setting absent from an imported object is at its default.
                let old = match attr_schema {
                    Some(a) if a.local_only && old.is_null() => {
                        a.default.as_ref().map_or(Value::Null, Value::from_json)
                    }
                    _ => old,
                };
                let same = !new.contains_unknown()
                    && if write_only {
                        old.as_str() == crate::plan::diff::write_only_digest(&new).as_deref()
                    } else {
                        new.clone().unmark_deep().0 == old
                    };
                if same {
                    if name == "id" || name == "name" {
                        lines.push(Line {
                            marker: " ",
                            name,
                            text: inline(&old, sensitive),
                        });
                    } else if !old.is_null() {
                        hidden += 1;
                    }
                    continue;
                }
                let mut text = if old.is_null() {
                    inline(&new, sensitive)
                } else if sensitive {
                    "(sensitive value)".to_string()
                } else {
                    format!("{} -> {}", inline(&old, false), inline(&new, false))
                };
                if forces {
                    let _ = write!(text, " {}", styles.red.apply_to("# forces replacement"));
                }
                let marker = if old.is_null() {
                    "+"
                } else if new.is_null() {
                    "-"
                } else {
                    "~"
                };
                lines.push(Line { marker, name, text });
            }
        }
    }
    let (type_name, name) = (&change.addr.resource.type_name, &change.addr.resource.name);
    let keyword = if change.addr.resource.mode == crate::addr::Mode::Data {
        "data"
    } else {
        "resource"
    };
    let _ = writeln!(
        out,
        "{} {keyword} \"{type_name}\" \"{name}\" {{",
        symbol(change.action, styles)
    );
    let width = lines.iter().map(|l| l.name.len()).max().unwrap_or(0);
    for line in &lines {
        let marker = match line.marker {
            "+" => styles.green.apply_to("+").to_string(),
            "-" => styles.red.apply_to("-").to_string(),
            "~" => styles.yellow.apply_to("~").to_string(),
            other => other.to_string(),
        };
        let _ = writeln!(out, "      {marker} {:<width$} = {}", line.name, line.text);
    }
    let mut hidden_blocks = 0;
    if let Some(schema) = schema {
        for (name, block) in &schema.blocks {
            let old = before.get(name).map(Value::from_json);
            let new = change.after.as_ref().and_then(|a| a.get_attr(name));
            hidden_blocks += render_blocks(
                out,
                6,
                change.action,
                name,
                old.as_ref(),
                new.as_ref(),
                block,
                styles,
            );
        }
    }
    if hidden > 0 {
        let noun = if hidden == 1 {
            "attribute"
        } else {
            "attributes"
        };
        let _ = writeln!(
            out,
            "        {}",
            styles
                .dim
                .apply_to(format!("# ({hidden} unchanged {noun} hidden)"))
        );
    }
    if hidden_blocks > 0 {
        let noun = if hidden_blocks == 1 {
            "block"
        } else {
            "blocks"
        };
        let _ = writeln!(
            out,
            "        {}",
            styles
                .dim
                .apply_to(format!("# ({hidden_blocks} unchanged {noun} hidden)"))
        );
    }
    out.push_str("    }\n");
}

/// Nested blocks (`column { ... }`) as blocks, compared position by position. Returns how
/// many unchanged blocks were hidden.
#[allow(clippy::too_many_arguments)]
fn render_blocks(
    out: &mut String,
    indent: usize,
    action: Action,
    name: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    schema: &crate::schema::BlockSchema,
    styles: &Styles,
) -> usize {
    let old_items = old.and_then(Value::as_list).unwrap_or(&[]);
    let new_items = new.and_then(Value::as_list).unwrap_or(&[]);
    let mut hidden = 0;
    for i in 0..old_items.len().max(new_items.len()) {
        let (o, n) = (old_items.get(i), new_items.get(i));
        let marker = match (action, o, n) {
            (Action::Create | Action::Read, _, _) | (_, None, Some(_)) => "+",
            (Action::Delete | Action::Forget, _, _) | (_, Some(_), None) => "-",
            (_, Some(o), Some(n)) if !n.contains_unknown() && n.clone().unmark_deep().0 == *o => {
                hidden += 1;
                continue;
            }
            _ => "~",
        };
        let pad = " ".repeat(indent);
        let colored = match marker {
            "+" => styles.green.apply_to("+").to_string(),
            "-" => styles.red.apply_to("-").to_string(),
            _ => styles.yellow.apply_to("~").to_string(),
        };
        let _ = writeln!(out, "{pad}{colored} {name} {{");
        let mut lines: Vec<(String, &'static str, String)> = Vec::new();
        let mut inner_hidden = 0;
        for (attr, attr_schema) in &schema.attributes {
            let ov = o.and_then(|v| v.get_attr(attr)).unwrap_or(Value::Null);
            let nv = n.and_then(|v| v.get_attr(attr)).unwrap_or(Value::Null);
            let sensitive = attr_schema.sensitive;
            match marker {
                "+" if !nv.is_null() => lines.push((attr.clone(), "+", inline(&nv, sensitive))),
                "-" if !ov.is_null() => lines.push((
                    attr.clone(),
                    "-",
                    format!("{} -> null", inline(&ov, sensitive)),
                )),
                "~" => {
                    if !nv.contains_unknown() && nv.clone().unmark_deep().0 == ov {
                        if !ov.is_null() {
                            inner_hidden += 1;
                        }
                    } else if ov.is_null() {
                        lines.push((attr.clone(), "+", inline(&nv, sensitive)));
                    } else {
                        lines.push((
                            attr.clone(),
                            "~",
                            format!("{} -> {}", inline(&ov, sensitive), inline(&nv, sensitive)),
                        ));
                    }
                }
                _ => {}
            }
        }
        let width = lines.iter().map(|l| l.0.len()).max().unwrap_or(0);
        for (attr, m, text) in &lines {
            let _ = writeln!(out, "{pad}    {m} {attr:<width$} = {text}");
        }
        let inner_action = match marker {
            "+" => Action::Create,
            "-" => Action::Delete,
            _ => Action::Update,
        };
        for (inner, inner_schema) in &schema.blocks {
            let ov = o.and_then(|v| v.get_attr(inner));
            let nv = n.and_then(|v| v.get_attr(inner));
            inner_hidden += render_blocks(
                out,
                indent + 4,
                inner_action,
                inner,
                ov.as_ref(),
                nv.as_ref(),
                inner_schema,
                styles,
            );
        }
        if inner_hidden > 0 && marker == "~" {
            let _ = writeln!(
                out,
                "{pad}      {}",
                styles
                    .dim
                    .apply_to(format!("# ({inner_hidden} unchanged hidden)"))
            );
        }
        let _ = writeln!(out, "{pad}  }}");
    }
    hidden
}

fn render_drift(out: &mut String, drift: &[&Drift], styles: &Styles) {
    let _ = writeln!(
        out,
        "\n{}\n",
        styles
            .bold
            .apply_to("Note: Objects have changed outside of workform")
    );
    out.push_str("workform detected the following changes made outside of workform since the last \"workform apply\" which may have affected this plan:\n");
    for d in drift {
        out.push('\n');
        match &d.after {
            None => {
                let _ = writeln!(
                    out,
                    "  {}",
                    styles
                        .bold
                        .apply_to(format!("# {} has been deleted", d.addr))
                );
                let _ = writeln!(
                    out,
                    "{} resource \"{}\" \"{}\" {{",
                    symbol(Action::Delete, styles),
                    d.type_name,
                    d.addr.resource.name
                );
                if let Some(id) = d.before.get("id") {
                    let _ = writeln!(out, "      - id = {} -> null", inline_json(id, false));
                }
                out.push_str("    }\n");
            }
            Some(after) => {
                let _ = writeln!(
                    out,
                    "  {}",
                    styles.bold.apply_to(format!("# {} has changed", d.addr))
                );
                let _ = writeln!(
                    out,
                    "{} resource \"{}\" \"{}\" {{",
                    symbol(Action::Update, styles),
                    d.type_name,
                    d.addr.resource.name
                );
                for (name, new) in after {
                    let old = d
                        .before
                        .get(name)
                        .cloned()
                        .unwrap_or(serde_json::Value::Null);
                    if &old != new {
                        let sensitive = d.sensitive.contains(name);
                        let text = if sensitive {
                            "(sensitive value)".to_string()
                        } else {
                            format!(
                                "{} -> {}",
                                inline_json(&old, false),
                                inline_json(new, false)
                            )
                        };
                        let _ = writeln!(out, "      ~ {name} = {text}");
                    }
                }
                out.push_str("    }\n");
            }
        }
    }
    out.push_str("\nUnless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes.\n\n");
    let _ = writeln!(out, "{}\n", "─".repeat(77));
}

/// Outputs whose value will change.
fn output_changes(plan: &Plan) -> Vec<(&String, &crate::plan::OutputChange)> {
    plan.outputs
        .iter()
        .filter(|(_, o)| {
            o.after.contains_unknown()
                || o.before.as_ref() != Some(&o.after.clone().unmark_deep().0.to_json())
        })
        .collect()
}

fn render_outputs(out: &mut String, plan: &Plan, styles: &Styles) {
    out.push_str("\nChanges to Outputs:\n");
    for (name, o) in output_changes(plan) {
        let sensitive = o.sensitive || o.after.contains_sensitive();
        match &o.before {
            None => {
                let _ = writeln!(
                    out,
                    "  {} {name} = {}",
                    styles.green.apply_to("+"),
                    inline(&o.after, sensitive)
                );
            }
            Some(before) => {
                let _ = writeln!(
                    out,
                    "  {} {name} = {} -> {}",
                    styles.yellow.apply_to("~"),
                    inline_json(before, sensitive),
                    inline(&o.after, sensitive)
                );
            }
        }
    }
}
