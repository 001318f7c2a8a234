//! The live workspace as `generate` sees it: every listed object, looked up by id, with
//! the owner relations (folder → project, key → client) that decide grouping and scope.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value as Json;

use super::refs::{RULES, Target};
use crate::schema::Schema;
use crate::workato::Object;

/// What reading the workspace gave, per resource type, in schema order.
#[derive(Debug, Default)]
pub struct Listing {
    pub types: Vec<TypeListing>,
}

#[derive(Debug)]
pub struct TypeListing {
    pub type_name: String,
    pub outcome: Outcome,
}

#[derive(Debug)]
pub enum Outcome {
    /// Every object of the type, in workform's attribute names.
    Listed(Vec<Object>),
    /// The type was not read; the reason is shown to the user. `denied`: the token lacks
    /// the permission (worth a warning), as opposed to a type workform cannot list yet.
    Skipped { reason: String, denied: bool },
}

impl Listing {
    /// A listing of these types only (the others count as not listable).
    pub fn from_objects(types: Vec<(String, Vec<Object>)>) -> Listing {
        Listing {
            types: types
                .into_iter()
                .map(|(type_name, objects)| TypeListing {
                    type_name,
                    outcome: Outcome::Listed(objects),
                })
                .collect(),
        }
    }
}

/// One live object.
#[derive(Debug)]
pub struct Item {
    pub type_name: String,
    pub schema: &'static Schema,
    pub attrs: Object,
    /// The `id` attribute as text: what `import` blocks take.
    pub id: String,
    /// The resource name in generated configuration (set for included objects).
    pub name: String,
    /// Part of the generated configuration (everything, or the `--folder` subtree).
    pub included: bool,
}

impl Item {
    /// `project "Billing" (id 7)`, for comments and messages.
    pub fn describe(&self) -> String {
        let noun = self
            .type_name
            .strip_prefix("workato_")
            .unwrap_or(&self.type_name)
            .replace('_', " ");
        match self.label() {
            Some(label) => format!("{noun} {} (id {})", super::hcl::string(label), self.id),
            None => format!("{noun} {}", self.id),
        }
    }

    /// The object's own name, if it has one.
    pub fn label(&self) -> Option<&str> {
        ["name", "title"]
            .iter()
            .find_map(|k| self.attrs.get(*k).and_then(Json::as_str))
            .filter(|s| !s.trim().is_empty())
    }
}

/// Every listed object plus lookups by attribute value.
#[derive(Debug)]
pub struct Model {
    pub items: Vec<Item>,
    /// The `--folder` path, when only a subtree is generated.
    pub scope: Option<String>,
    /// Objects that could not be used (no id), as notes for the user.
    pub notes: Vec<String>,
    listed: BTreeSet<String>,
    /// (type, attribute) → id text → item.
    index: HashMap<(String, String), HashMap<String, usize>>,
}

/// An id-like value as text: strings as they are, integral numbers without a fraction.
pub fn id_text(value: &Json) -> Option<String> {
    match value {
        Json::String(s) if !s.is_empty() => Some(s.clone()),
        Json::Number(n) => Some(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        _ => None,
    }
}

impl Model {
    pub fn new(listing: &Listing) -> Model {
        let mut items = Vec::new();
        let mut listed = BTreeSet::new();
        let mut notes = Vec::new();
        for t in &listing.types {
            let Outcome::Listed(objects) = &t.outcome else {
                continue;
            };
            let Some(schema) = crate::schema::resource(&t.type_name) else {
                continue;
            };
            listed.insert(t.type_name.clone());
            for attrs in objects {
                let Some(id) = attrs.get("id").and_then(id_text) else {
                    notes.push(format!("a {} without an id was skipped", t.type_name));
                    continue;
                };
                items.push(Item {
                    type_name: t.type_name.clone(),
                    schema,
                    attrs: attrs.clone(),
                    id,
                    name: String::new(),
                    included: false,
                });
            }
        }
        let mut indexed: BTreeSet<(&str, &str)> = RULES
            .iter()
            .flat_map(|r| r.targets.iter())
            .map(|t| match *t {
                Target::Attr { type_name, attr } => (type_name, attr),
                Target::MapKey { type_name, .. } => (type_name, "id"),
            })
            .collect();
        indexed.extend(items.iter().map(|i| (i.type_name.as_str(), "id")));
        let mut index: HashMap<(String, String), HashMap<String, usize>> = HashMap::new();
        for (n, item) in items.iter().enumerate() {
            for (type_name, attr) in &indexed {
                if item.type_name != *type_name {
                    continue;
                }
                if let Some(text) = item.attrs.get(*attr).and_then(id_text) {
                    // First object wins; ids are unique per type.
                    index
                        .entry((type_name.to_string(), attr.to_string()))
                        .or_default()
                        .entry(text)
                        .or_insert(n);
                }
            }
        }
        Model {
            items,
            scope: None,
            notes,
            listed,
            index,
        }
    }

    /// Whether objects of this type were read.
    pub fn listed(&self, type_name: &str) -> bool {
        self.listed.contains(type_name)
    }

    /// The object of `type_name` whose `attr` is `id`.
    pub fn find(&self, type_name: &str, attr: &str, id: &str) -> Option<usize> {
        self.index
            .get(&(type_name.to_string(), attr.to_string()))?
            .get(id)
            .copied()
    }

    /// The object this one lives in: its folder or project, its API client or collection,
    /// its on-prem group, its tag (the `owner` rules).
    pub fn owner_of(&self, i: usize) -> Option<usize> {
        let item = &self.items[i];
        RULES
            .iter()
            .filter(|r| {
                r.owner
                    && item
                        .schema
                        .attr(r.path)
                        .is_some_and(|a| a.is_configurable())
            })
            .find_map(|rule| {
                let id = item.attrs.get(rule.path).and_then(id_text)?;
                rule.targets.iter().find_map(|t| match *t {
                    Target::Attr { type_name, attr } => self.find(type_name, attr, &id),
                    Target::MapKey { .. } => None,
                })
            })
    }

    /// The project an object belongs to, following owners up (bounded, in case of a loop).
    pub fn project_of(&self, i: usize) -> Option<usize> {
        let mut at = i;
        for _ in 0..64 {
            if self.items[at].type_name == "workato_project" {
                return Some(at);
            }
            at = self.owner_of(at)?;
        }
        None
    }

    /// Whether `ancestor` is `i` or one of its owners.
    pub fn within(&self, i: usize, ancestor: usize) -> bool {
        let mut at = i;
        for _ in 0..64 {
            if at == ancestor {
                return true;
            }
            match self.owner_of(at) {
                Some(next) => at = next,
                None => return false,
            }
        }
        false
    }

    /// The owner chain from the top down to `i` (for depth-first folder order).
    pub fn lineage(&self, i: usize) -> Vec<usize> {
        let mut chain = vec![i];
        while chain.len() < 64 {
            match self.owner_of(*chain.last().expect("never empty")) {
                Some(next) if !chain.contains(&next) => chain.push(next),
                _ => break,
            }
        }
        chain.reverse();
        chain
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn objects(v: Json) -> Vec<Object> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_object().unwrap().clone())
            .collect()
    }

    #[test]
    fn owners_lead_up_to_the_project() {
        let listing = Listing::from_objects(vec![
            (
                "workato_project".into(),
                objects(json!([{"id": 7, "name": "P", "folder_id": 70}])),
            ),
            (
                "workato_folder".into(),
                objects(json!([
                    {"id": 71, "name": "A", "folder_id": 70, "project_id": 7},
                    {"id": 72, "name": "B", "folder_id": 71, "project_id": 7},
                ])),
            ),
            (
                "workato_project_property".into(),
                objects(json!([
                    {"id": "7:x", "name": "x", "value": "1", "project_id": 7},
                    {"id": "environment:y", "name": "y", "value": "2", "project_id": null},
                ])),
            ),
        ]);
        let m = Model::new(&listing);
        let at = |id: &str| m.items.iter().position(|i| i.id == id).unwrap();
        assert_eq!(m.owner_of(at("72")), Some(at("71")));
        assert_eq!(m.owner_of(at("71")), Some(at("7")));
        assert_eq!(m.project_of(at("72")), Some(at("7")));
        assert_eq!(m.project_of(at("7:x")), Some(at("7")));
        assert_eq!(m.project_of(at("environment:y")), None);
        assert!(m.within(at("72"), at("71")));
        assert!(!m.within(at("71"), at("72")));
        assert_eq!(m.lineage(at("72")), vec![at("7"), at("71"), at("72")]);
        assert!(m.listed("workato_folder") && !m.listed("workato_connection"));
    }

    #[test]
    fn describe_names_the_kind_and_the_object() {
        let listing = Listing::from_objects(vec![(
            "workato_project_property".into(),
            objects(json!([{"id": "environment:y", "name": "y", "value": "2"}])),
        )]);
        let m = Model::new(&listing);
        assert_eq!(
            m.items[0].describe(),
            "project property \"y\" (id environment:y)"
        );
    }
}
