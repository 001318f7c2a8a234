//! Which objects are generated: the whole workspace, or the subtree under `--folder
//! "Project/Sub"` (the folder, everything below it, and everything those own).

use super::GenerateError;
use super::model::{Item, Model, id_text};

/// Marks the objects to generate.
pub fn select(model: &mut Model, folder: Option<&str>) -> Result<(), GenerateError> {
    let Some(path) = folder else {
        model.items.iter_mut().for_each(|i| i.included = true);
        return Ok(());
    };
    let root = find_root(model, path)?;
    let inside: Vec<bool> = (0..model.items.len())
        .map(|i| model.within(i, root))
        .collect();
    for (item, inside) in model.items.iter_mut().zip(inside) {
        item.included = inside;
    }
    model.scope = Some(path.to_string());
    Ok(())
}

/// The project or folder `path` names: `Project`, `Project/Folder`, `Project/Folder/Sub`.
fn find_root(model: &Model, path: &str) -> Result<usize, GenerateError> {
    let bad = |message: String| GenerateError::Folder {
        path: path.to_string(),
        message,
    };
    let segments: Vec<&str> = path
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let Some((first, rest)) = segments.split_first() else {
        return Err(bad(
            "the path is empty; name a project, or a folder inside one, as \"Project/Folder/Sub\""
                .into(),
        ));
    };
    if !model.listed("workato_project") || !model.listed("workato_folder") {
        return Err(bad(
            "projects and folders could not be listed, so no path can be resolved".into(),
        ));
    }
    let projects: Vec<usize> = by_id(model, |i| i.type_name == "workato_project");
    let Some(mut at) = projects
        .iter()
        .copied()
        .find(|&p| model.items[p].label() == Some(*first))
    else {
        return Err(bad(format!(
            "there is no project named {first:?}. {}",
            choices("Projects", model, &projects)
        )));
    };
    let mut parent = model.items[at].attrs.get("folder_id").and_then(id_text);
    for (depth, segment) in rest.iter().enumerate() {
        let children: Vec<usize> = by_id(model, |i| {
            i.type_name == "workato_folder"
                && parent.is_some()
                && i.attrs.get("folder_id").and_then(id_text) == parent
        });
        let Some(found) = children
            .iter()
            .copied()
            .find(|&c| model.items[c].label() == Some(*segment))
        else {
            let so_far = segments[..=depth].join("/");
            return Err(bad(format!(
                "{so_far:?} has no folder named {segment:?}. {}",
                choices("Its folders", model, &children)
            )));
        };
        at = found;
        parent = Some(model.items[at].id.clone());
    }
    Ok(at)
}

/// Items matching `keep`, in id order (the lowest id wins when names repeat).
fn by_id(model: &Model, keep: impl Fn(&Item) -> bool) -> Vec<usize> {
    let mut found: Vec<usize> = (0..model.items.len())
        .filter(|&i| keep(&model.items[i]))
        .collect();
    found.sort_by(|&a, &b| super::naming::compare_ids(&model.items[a].id, &model.items[b].id));
    found
}

/// `Projects: "A", "B"` (at most a screenful), or that there are none.
fn choices(what: &str, model: &Model, items: &[usize]) -> String {
    const SHOWN: usize = 20;
    if items.is_empty() {
        return format!("{what}: none.");
    }
    let mut names: Vec<String> = items
        .iter()
        .take(SHOWN)
        .map(|&i| format!("{:?}", model.items[i].label().unwrap_or("")))
        .collect();
    if items.len() > SHOWN {
        names.push(format!("and {} more", items.len() - SHOWN));
    }
    format!("{what}: {}.", names.join(", "))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::generate::model::Listing;
    use crate::workato::Object;

    fn objects(v: Json) -> Vec<Object> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_object().unwrap().clone())
            .collect()
    }

    fn model() -> Model {
        Model::new(&Listing::from_objects(vec![
            (
                "workato_project".into(),
                objects(json!([
                    {"id": 1, "name": "Billing", "folder_id": 10},
                    {"id": 2, "name": "Ops", "folder_id": 20},
                ])),
            ),
            (
                "workato_folder".into(),
                objects(json!([
                    {"id": 11, "name": "Integrations", "folder_id": 10, "project_id": 1},
                    {"id": 12, "name": "Sub", "folder_id": 11, "project_id": 1},
                    {"id": 21, "name": "Integrations", "folder_id": 20, "project_id": 2},
                ])),
            ),
            (
                "workato_project_property".into(),
                objects(json!([
                    {"id": "1:a", "name": "a", "value": "x", "project_id": 1},
                    {"id": "environment:e", "name": "e", "value": "y", "project_id": null},
                ])),
            ),
        ]))
    }

    fn included(m: &Model) -> Vec<&str> {
        m.items
            .iter()
            .filter(|i| i.included)
            .map(|i| i.id.as_str())
            .collect()
    }

    #[test]
    fn no_folder_means_everything() {
        let mut m = model();
        select(&mut m, None).unwrap();
        assert_eq!(included(&m).len(), m.items.len());
    }

    #[test]
    fn a_project_path_takes_the_project_and_all_it_owns() {
        let mut m = model();
        select(&mut m, Some("Billing")).unwrap();
        assert_eq!(included(&m), vec!["1", "11", "12", "1:a"]);
    }

    #[test]
    fn a_folder_path_takes_the_subtree_only() {
        let mut m = model();
        select(&mut m, Some("/Billing/Integrations/")).unwrap();
        assert_eq!(included(&m), vec!["11", "12"]);
        assert_eq!(m.scope.as_deref(), Some("/Billing/Integrations/"));
    }

    #[test]
    fn unknown_paths_say_what_exists() {
        let mut m = model();
        let err = select(&mut m, Some("Nope")).unwrap_err().to_string();
        assert!(
            err.contains("no project named \"Nope\"") && err.contains("\"Billing\", \"Ops\""),
            "{err}"
        );
        let err = select(&mut m, Some("Billing/Integrations/Missing"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"Billing/Integrations\" has no folder named \"Missing\"")
                && err.contains("\"Sub\""),
            "{err}"
        );
        let err = select(&mut m, Some("//")).unwrap_err().to_string();
        assert!(err.contains("empty"), "{err}");
    }
}
