//! Reference pages for `docs/resources/`, generated from the schemas so the two never
//! disagree. `WORKFORM_UPDATE_DOCS=1 cargo test --lib schema::docs` rewrites them.

use std::fmt::Write;

use super::{AttrSchema, BlockSchema, Kind, Schema};

/// The Markdown page of one type.
pub fn page(schema: &Schema) -> String {
    let mut out = String::new();
    let kind = match schema.kind {
        Kind::Resource => "Resource",
        Kind::DataSource => "Data source",
    };
    let _ = writeln!(out, "# {kind}: `{}`\n", schema.type_name);
    let _ = writeln!(out, "{}\n", schema.description);
    if !schema.example.is_empty() {
        let _ = writeln!(out, "## Example\n\n```hcl\n{}\n```\n", schema.example);
    }
    let _ = writeln!(out, "## Argument reference\n");
    attr_list(
        &mut out,
        schema
            .attributes
            .iter()
            .filter(|(_, a)| a.is_configurable()),
    );
    for (name, block) in &schema.blocks {
        block_section(&mut out, name, block, 3);
    }
    let computed: Vec<_> = schema
        .attributes
        .iter()
        .filter(|(_, a)| !a.is_configurable())
        .collect();
    if !computed.is_empty() {
        let _ = writeln!(
            out,
            "## Attribute reference\n\nIn addition to the arguments, these attributes are exported:\n"
        );
        attr_list(&mut out, computed.into_iter());
    }
    if !schema.natural_key.is_empty() {
        let keys: Vec<String> = schema
            .natural_key
            .iter()
            .map(|k| format!("`{k}`"))
            .collect();
        let _ = writeln!(
            out,
            "## Identity\n\nObjects are identified by `id`; when workform must find one without it (after an interrupted apply) it looks it up by {}.\n",
            keys.join(" + ")
        );
    }
    out
}

fn attr_list<'a>(out: &mut String, attrs: impl Iterator<Item = (&'a String, &'a AttrSchema)>) {
    for (name, a) in attrs {
        let mut flags = vec![format!("`{}`", a.ty)];
        if a.required {
            flags.push("required".into());
        } else if a.optional {
            flags.push("optional".into());
        }
        if a.sensitive {
            flags.push("sensitive".into());
        }
        if a.force_new {
            flags.push("changing it replaces the object".into());
        }
        if a.write_only {
            flags.push("write-only: never read back".into());
        }
        if let Some(d) = &a.default {
            flags.push(format!("default `{d}`"));
        }
        if let Some(options) = &a.one_of {
            flags.push(format!(
                "one of {}",
                options
                    .iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(max) = a.max_length {
            flags.push(format!("at most {max} characters"));
        }
        let _ = writeln!(out, "- `{name}` ({}): {}", flags.join(", "), a.description);
    }
    out.push('\n');
}

fn block_section(out: &mut String, name: &str, block: &BlockSchema, level: usize) {
    let hashes = "#".repeat(level);
    let count = match block.max_items {
        Some(max) => format!("{} to {max}", block.min_items),
        None => format!("at least {}", block.min_items),
    };
    let _ = writeln!(
        out,
        "{hashes} `{name}` blocks ({count})\n\n{}\n",
        block.description
    );
    attr_list(out, block.attributes.iter());
    for (inner, b) in &block.blocks {
        block_section(out, inner, b, level + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_docs_match_the_schemas() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/resources");
        let update = std::env::var_os("WORKFORM_UPDATE_DOCS").is_some();
        for schema in super::super::all() {
            let file = match schema.kind {
                Kind::Resource => dir.join(format!("{}.md", schema.type_name)),
                Kind::DataSource => dir.join(format!("data_{}.md", schema.type_name)),
            };
            let expected = page(schema);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&file, &expected).unwrap();
                continue;
            }
            let actual = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(
                actual == expected,
                "{} is out of date: run WORKFORM_UPDATE_DOCS=1 cargo test --lib schema::docs",
                file.display()
            );
        }
    }
}
