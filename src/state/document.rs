//! The portable JSON form of a state (`state pull` / `state push`), shaped after Terraform's
//! v4 state: one entry per resource instance with its address parts spelled out.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::crypto;
use super::{Meta, OutputState, ResourceState, STATE_VERSION, Snapshot, StateError};
use crate::addr::{InstanceAddr, InstanceKey, Mode, ResourceAddr};
use crate::workato::Object;

/// A whole state as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateDocument {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workform_version: Option<String>,
    pub serial: u64,
    pub lineage: String,
    #[serde(default)]
    pub workspace_id: Option<i64>,
    /// Whether the state these values came from stores sensitive values encrypted. The
    /// document itself always holds them in plaintext; ignored by `state push`.
    #[serde(default)]
    pub encrypted_at_rest: bool,
    #[serde(default)]
    pub resources: Vec<DocResource>,
    #[serde(default)]
    pub outputs: BTreeMap<String, OutputState>,
}

/// One resource instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocResource {
    pub address: String,
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    #[serde(default)]
    pub index_key: Option<InstanceKey>,
    #[serde(default)]
    pub attributes: Object,
    #[serde(default)]
    pub sensitive_attributes: Vec<String>,
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default)]
    pub schema_version: u32,
}

impl StateDocument {
    pub fn from_snapshot(snapshot: &Snapshot, encrypted_at_rest: bool) -> StateDocument {
        StateDocument {
            version: snapshot.meta.version,
            workform_version: Some(env!("CARGO_PKG_VERSION").to_string()),
            serial: snapshot.meta.serial,
            lineage: snapshot.meta.lineage.clone(),
            workspace_id: snapshot.meta.workspace_id,
            encrypted_at_rest,
            resources: snapshot
                .resources
                .values()
                .map(|r| DocResource {
                    address: r.addr.to_string(),
                    mode: r.mode,
                    type_name: r.type_name.clone(),
                    name: r.addr.resource.name.clone(),
                    index_key: r.addr.key.clone(),
                    attributes: r.attributes.clone(),
                    sensitive_attributes: r.sensitive_attributes.clone(),
                    dependencies: r.dependencies.clone(),
                    schema_version: r.schema_version,
                })
                .collect(),
            outputs: snapshot.outputs.clone(),
        }
    }

    /// Parses and checks a document; every problem names the resource it is in.
    pub fn parse(text: &str) -> Result<StateDocument, StateError> {
        let doc: StateDocument =
            serde_json::from_str(text).map_err(|e| StateError::InvalidDocument(e.to_string()))?;
        doc.into_snapshot()?;
        Ok(doc)
    }

    /// The state this document describes.
    pub fn into_snapshot(&self) -> Result<Snapshot, StateError> {
        let bad = |m: String| StateError::InvalidDocument(m);
        if self.version == 0 || self.version > STATE_VERSION {
            return Err(bad(format!(
                "format version {} is not supported (this workform reads version {STATE_VERSION}); use the workform release that wrote it",
                self.version
            )));
        }
        if self.lineage.trim().is_empty() {
            return Err(bad("`lineage` is empty".into()));
        }
        let mut resources = BTreeMap::new();
        for r in &self.resources {
            let addr: InstanceAddr = r.address.parse().map_err(|e| bad(format!("{e}")))?;
            let expected = ResourceAddr {
                mode: r.mode,
                type_name: r.type_name.clone(),
                name: r.name.clone(),
            }
            .instance(r.index_key.clone());
            if addr != expected {
                return Err(bad(format!(
                    "resource {:?}: its mode, type, name and index_key make {expected}; they must agree with the address",
                    r.address
                )));
            }
            let names: BTreeSet<&String> = r.sensitive_attributes.iter().collect();
            for name in names {
                if r.attributes
                    .get(name)
                    .and_then(crypto::sealed_text)
                    .is_some()
                {
                    return Err(bad(format!(
                        "{addr}.{name} holds an encrypted value; push a document written by `workform state pull`, which holds plaintext"
                    )));
                }
            }
            let state = ResourceState {
                addr: addr.clone(),
                mode: r.mode,
                type_name: r.type_name.clone(),
                attributes: r.attributes.clone(),
                sensitive_attributes: r.sensitive_attributes.clone(),
                dependencies: r.dependencies.clone(),
                schema_version: r.schema_version,
            };
            if resources.insert(addr.clone(), state).is_some() {
                return Err(bad(format!("resource {addr} appears twice")));
            }
        }
        for (name, out) in &self.outputs {
            if crypto::sealed_text(&out.value).is_some() {
                return Err(bad(format!(
                    "output {name:?} holds an encrypted value; push a document written by `workform state pull`"
                )));
            }
        }
        Ok(Snapshot {
            meta: Meta {
                version: STATE_VERSION,
                lineage: self.lineage.clone(),
                serial: self.serial,
                workspace_id: self.workspace_id,
            },
            resources,
            outputs: self.outputs.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        let addr: InstanceAddr = "workato_project_property.p[\"a\"]".parse().unwrap();
        let rs = ResourceState {
            addr: addr.clone(),
            mode: Mode::Managed,
            type_name: "workato_project_property".into(),
            attributes: serde_json::json!({"id": "1:a", "value": "v"})
                .as_object()
                .unwrap()
                .clone(),
            sensitive_attributes: vec!["value".into()],
            dependencies: vec!["workato_project.x".into()],
            schema_version: 0,
        };
        Snapshot {
            meta: Meta {
                version: STATE_VERSION,
                lineage: "L".into(),
                serial: 4,
                workspace_id: Some(9),
            },
            resources: BTreeMap::from([(addr, rs)]),
            outputs: BTreeMap::from([(
                "o".into(),
                OutputState {
                    value: 1.into(),
                    sensitive: false,
                },
            )]),
        }
    }

    #[test]
    fn a_document_round_trips() {
        let snap = snapshot();
        let doc = StateDocument::from_snapshot(&snap, true);
        let text = serde_json::to_string_pretty(&doc).unwrap();
        assert!(text.contains("\"index_key\": \"a\""), "{text}");
        assert!(text.contains("\"encrypted_at_rest\": true"), "{text}");
        let back = StateDocument::parse(&text).unwrap();
        assert_eq!(back.into_snapshot().unwrap(), snap);
    }

    #[test]
    fn inconsistent_or_sealed_documents_are_refused() {
        let mut doc = StateDocument::from_snapshot(&snapshot(), false);
        doc.resources[0].name = "q".into();
        let err = doc.into_snapshot().unwrap_err().to_string();
        assert!(err.contains("must agree with the address"), "{err}");

        let mut doc = StateDocument::from_snapshot(&snapshot(), false);
        doc.resources[0]
            .attributes
            .insert("value".into(), serde_json::json!({"$sealed": "AAAA"}));
        let err = doc.into_snapshot().unwrap_err().to_string();
        assert!(err.contains("encrypted value"), "{err}");

        let mut doc = StateDocument::from_snapshot(&snapshot(), false);
        doc.version = 99;
        assert!(doc.into_snapshot().is_err());
        let err = StateDocument::parse("{ nope").unwrap_err().to_string();
        assert!(err.starts_with("invalid state document"), "{err}");
    }
}
