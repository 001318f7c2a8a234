//! Which attributes hold the id of another object, and what they become in generated
//! configuration: a reference (`workato_folder.ops.id`) when the object is generated too,
//! else the literal id with a comment saying why.
//!
//! The knowledge lives in one table, [`RULES`]; the code below only applies it.

use serde_json::Value as Json;

use super::model::{Model, id_text};

/// Where an id may point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An object of `type_name` whose attribute `attr` equals the id: `TYPE.NAME.attr`.
    Attr {
        type_name: &'static str,
        attr: &'static str,
    },
    /// A key of the map attribute `map_attr` of the object of `type_name` named by the
    /// sibling attribute `via` (a relation's `field_id` within the table its `table_id`
    /// names): `TYPE.NAME.map_attr["key"]`.
    MapKey {
        type_name: &'static str,
        map_attr: &'static str,
        via: &'static str,
    },
}

/// One attribute that holds ids.
#[derive(Debug)]
pub struct RefRule {
    /// The attribute, with nested block names before it: `column.relation.table_id`.
    pub path: &'static str,
    /// Candidate targets, tried in order (a `folder_id` may be a project's root folder or
    /// a folder). Empty: the ids point at objects workform does not manage.
    pub targets: &'static [Target],
    /// The attribute names the object's owner: the object lives in that project or folder
    /// (which file it goes to, whether `--folder` includes it).
    pub owner: bool,
    /// Why ids of this attribute stay literal when `targets` is empty.
    pub unmanaged: Option<&'static str>,
}

const fn attr(type_name: &'static str, attr: &'static str) -> Target {
    Target::Attr { type_name, attr }
}

const fn rule(path: &'static str, targets: &'static [Target], owner: bool) -> RefRule {
    RefRule {
        path,
        targets,
        owner,
        unmanaged: None,
    }
}

const fn unmanaged(path: &'static str, why: &'static str) -> RefRule {
    RefRule {
        path,
        targets: &[],
        owner: false,
        unmanaged: Some(why),
    }
}

/// Every id-holding attribute of every resource type. A rule applies to any type on which
/// the attribute is configurable (computed attributes are never written).
pub const RULES: &[RefRule] = &[
    rule(
        "folder_id",
        &[
            attr("workato_project", "folder_id"),
            attr("workato_folder", "id"),
        ],
        true,
    ),
    rule("project_id", &[attr("workato_project", "id")], true),
    rule("api_client_id", &[attr("workato_api_client", "id")], true),
    rule(
        "api_collection_id",
        &[attr("workato_api_collection", "id")],
        true,
    ),
    rule(
        "on_prem_group_id",
        &[attr("workato_on_prem_group", "id")],
        true,
    ),
    rule("tag_handle", &[attr("workato_tag", "id")], true),
    rule("parent_id", &[attr("workato_connection", "id")], false),
    rule(
        "proxy_connection_id",
        &[attr("workato_connection", "id")],
        false,
    ),
    rule(
        "api_collection_ids",
        &[attr("workato_api_collection", "id")],
        false,
    ),
    rule("connection_ids", &[attr("workato_connection", "id")], false),
    rule(
        "column.relation.table_id",
        &[attr("workato_data_table", "id")],
        false,
    ),
    rule(
        "column.relation.field_id",
        &[Target::MapKey {
            type_name: "workato_data_table",
            map_attr: "field_ids",
            via: "table_id",
        }],
        false,
    ),
    unmanaged("recipe_ids", "recipes are not managed by workform"),
    unmanaged("api_portal_id", "API portals are not managed by workform"),
    unmanaged("api_policy_id", "API policies are not managed by workform"),
];

/// The rule for an attribute path, if the attribute holds ids.
pub fn rule_for(path: &str) -> Option<&'static RefRule> {
    RULES.iter().find(|r| r.path == path)
}

/// What one id becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// A reference expression to a generated object.
    Ref(String),
    /// The id, as written by the API, with the reason it is not a reference.
    Literal { value: Json, note: String },
}

/// Resolves one id held by `rule`'s attribute. `siblings` is the object or nested block
/// that holds the attribute (for [`Target::MapKey`]'s `via`).
pub fn resolve(
    model: &Model,
    rule: &RefRule,
    value: &Json,
    siblings: &serde_json::Map<String, Json>,
) -> Resolved {
    let literal = |note: String| Resolved::Literal {
        value: value.clone(),
        note,
    };
    let Some(text) = id_text(value) else {
        return literal(format!("{} is not an id", super::hcl::literal(value)));
    };
    if let Some(why) = rule.unmanaged {
        return literal(format!("{text}: {why}"));
    }
    let mut outside = None;
    let mut unlisted = Vec::new();
    for target in rule.targets {
        match *target {
            Target::Attr { type_name, attr } => {
                if !model.listed(type_name) {
                    unlisted.push(type_name);
                    continue;
                }
                if let Some(i) = model.find(type_name, attr, &text) {
                    let item = &model.items[i];
                    if item.included {
                        return Resolved::Ref(format!("{type_name}.{}.{attr}", item.name));
                    }
                    outside.get_or_insert(i);
                }
            }
            Target::MapKey {
                type_name,
                map_attr,
                via,
            } => {
                if !model.listed(type_name) {
                    unlisted.push(type_name);
                    continue;
                }
                let Some(owner_id) = siblings.get(via).and_then(id_text) else {
                    continue;
                };
                let Some(i) = model.find(type_name, "id", &owner_id) else {
                    continue;
                };
                let item = &model.items[i];
                let key = item
                    .attrs
                    .get(map_attr)
                    .and_then(Json::as_object)
                    .and_then(|map| {
                        map.iter()
                            .find(|(_, v)| id_text(v).as_deref() == Some(text.as_str()))
                            .map(|(k, _)| k.clone())
                    });
                match key {
                    Some(key) if item.included => {
                        return Resolved::Ref(format!(
                            "{type_name}.{}.{map_attr}[{}]",
                            item.name,
                            super::hcl::string(&key)
                        ));
                    }
                    Some(_) => {
                        outside.get_or_insert(i);
                    }
                    None => {}
                }
            }
        }
    }
    if let Some(i) = outside {
        let item = &model.items[i];
        let what = item.describe();
        return literal(match &model.scope {
            Some(scope) => format!(
                "{what} is outside --folder {}, so its id stays literal",
                super::hcl::string(scope)
            ),
            None => format!("{what} is not generated, so its id stays literal"),
        });
    }
    if !unlisted.is_empty() {
        return literal(format!(
            "{text}: {} objects cannot be listed yet, so this id stays literal",
            unlisted.join(" / ")
        ));
    }
    let kinds: Vec<&str> = rule
        .targets
        .iter()
        .map(|t| match t {
            Target::Attr { type_name, .. } | Target::MapKey { type_name, .. } => *type_name,
        })
        .collect();
    literal(format!(
        "{text}: no {} with this id was found in the workspace",
        kinds.join(" or ")
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::generate::model::Listing;

    fn model(types: &[(&str, serde_json::Value)]) -> Model {
        let listing = Listing::from_objects(
            types
                .iter()
                .map(|(t, objects)| {
                    let objects = objects
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|o| o.as_object().unwrap().clone())
                        .collect();
                    (t.to_string(), objects)
                })
                .collect(),
        );
        let mut model = Model::new(&listing);
        for item in &mut model.items {
            item.included = true;
            item.name = format!("n{}", id_text(&item.attrs["id"]).unwrap().replace(':', "_"));
        }
        model
    }

    fn folder_rule() -> &'static RefRule {
        rule_for("folder_id").unwrap()
    }

    #[test]
    fn every_rule_names_an_attribute_some_schema_has() {
        for rule in RULES {
            let mut parts: Vec<&str> = rule.path.split('.').collect();
            let leaf = parts.pop().unwrap();
            let found = crate::schema::all().iter().any(|s| {
                let mut attrs = &s.attributes;
                let mut blocks = &s.blocks;
                for block in &parts {
                    let Some(b) = blocks.get(*block) else {
                        return false;
                    };
                    attrs = &b.attributes;
                    blocks = &b.blocks;
                }
                attrs.get(leaf).is_some_and(|a| a.is_configurable())
            });
            assert!(found, "no schema has a configurable {}", rule.path);
            for target in rule.targets {
                let (Target::Attr { type_name, .. } | Target::MapKey { type_name, .. }) = target;
                assert!(crate::schema::resource(type_name).is_some(), "{type_name}");
            }
        }
    }

    #[test]
    fn a_folder_id_points_at_a_project_root_or_a_folder() {
        let m = model(&[
            (
                "workato_project",
                json!([{"id": 7, "name": "P", "folder_id": 70}]),
            ),
            (
                "workato_folder",
                json!([{"id": 71, "name": "F", "folder_id": 70, "project_id": 7}]),
            ),
        ]);
        let none = serde_json::Map::new();
        assert_eq!(
            resolve(&m, folder_rule(), &json!(70), &none),
            Resolved::Ref("workato_project.n7.folder_id".into())
        );
        assert_eq!(
            resolve(&m, folder_rule(), &json!(71), &none),
            Resolved::Ref("workato_folder.n71.id".into())
        );
        // Ids may come back as numeric strings.
        assert_eq!(
            resolve(&m, folder_rule(), &json!("71"), &none),
            Resolved::Ref("workato_folder.n71.id".into())
        );
        let Resolved::Literal { value, note } = resolve(&m, folder_rule(), &json!(99), &none)
        else {
            panic!()
        };
        assert_eq!(value, json!(99));
        assert!(
            note.contains("no workato_project or workato_folder"),
            "{note}"
        );
    }

    #[test]
    fn objects_left_out_stay_literal_and_say_why() {
        let mut m = model(&[(
            "workato_project",
            json!([{"id": 7, "name": "Billing", "folder_id": 70}]),
        )]);
        m.items[0].included = false;
        m.scope = Some("Other/Sub".into());
        let Resolved::Literal { note, .. } = resolve(
            &m,
            rule_for("project_id").unwrap(),
            &json!(7),
            &serde_json::Map::new(),
        ) else {
            panic!()
        };
        assert!(
            note.contains("project \"Billing\" (id 7)") && note.contains("--folder \"Other/Sub\""),
            "{note}"
        );
    }

    #[test]
    fn unlisted_and_unmanaged_types_stay_literal() {
        let m = model(&[]);
        let none = serde_json::Map::new();
        let Resolved::Literal { note, .. } =
            resolve(&m, rule_for("parent_id").unwrap(), &json!(5), &none)
        else {
            panic!()
        };
        assert!(
            note.contains("workato_connection objects cannot be listed"),
            "{note}"
        );
        let Resolved::Literal { note, .. } =
            resolve(&m, rule_for("recipe_ids").unwrap(), &json!(5), &none)
        else {
            panic!()
        };
        assert!(note.contains("recipes are not managed"), "{note}");
    }

    #[test]
    fn a_relation_field_id_becomes_a_field_ids_lookup() {
        let m = model(&[(
            "workato_data_table",
            json!([{"id": "t-1", "name": "customers", "folder_id": 70, "field_ids": {"email": "f-9"}}]),
        )]);
        let relation = json!({"table_id": "t-1", "field_id": "f-9"});
        let relation = relation.as_object().unwrap();
        assert_eq!(
            resolve(
                &m,
                rule_for("column.relation.table_id").unwrap(),
                &json!("t-1"),
                relation
            ),
            Resolved::Ref("workato_data_table.nt-1.id".into())
        );
        assert_eq!(
            resolve(
                &m,
                rule_for("column.relation.field_id").unwrap(),
                &json!("f-9"),
                relation
            ),
            Resolved::Ref("workato_data_table.nt-1.field_ids[\"email\"]".into())
        );
        assert!(matches!(
            resolve(
                &m,
                rule_for("column.relation.field_id").unwrap(),
                &json!("f-0"),
                relation
            ),
            Resolved::Literal { .. }
        ));
    }
}
