//! `plan --markdown`: a compact summary for pull-request comments.

use std::fmt::Write;

use crate::plan::{Action, Plan};

/// A heading with the counts, a table of changed resources (destroys first), warnings,
/// and the full plan text folded in a `<details>` block.
pub fn render(plan: &Plan) -> String {
    let s = plan.summary();
    let mut out = String::new();
    if !plan.has_changes() {
        out.push_str("### workform plan: no changes\n\nThe workspace matches the configuration.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "### workform plan: {} to add, {} to change, {} to destroy\n",
        s.add, s.change, s.destroy
    );
    let mut rows: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || c.importing.is_some())
        .collect();
    rows.sort_by_key(|c| {
        (
            !matches!(c.action, Action::Delete | Action::Replace),
            c.addr.clone(),
        )
    });
    if !rows.is_empty() {
        out.push_str("| | action | resource |\n|---|---|---|\n");
        for c in rows {
            let (icon, word) = match c.action {
                Action::Create => ("🟢", "create"),
                Action::Update => ("🟡", "update"),
                Action::Replace => ("🔴", "replace"),
                Action::Delete => ("🔴", "destroy"),
                Action::Read => ("🔵", "read"),
                Action::Forget => ("⚪", "forget"),
                Action::NoOp => ("📥", "import"),
            };
            let _ = writeln!(out, "| {icon} | {word} | `{}` |", c.addr);
        }
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "\n> ⚠️ {w}");
    }
    let styles = crate::render::Printer {
        styles: crate::render::Styles::plain(),
        color: false,
    }
    .styles;
    let _ = writeln!(
        out,
        "\n<details><summary>Full plan</summary>\n\n```\n{}```\n</details>",
        crate::render::plan::render(plan, &styles)
    );
    out
}
