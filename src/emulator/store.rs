//! The emulated workspace: every resource, id sequences and the PRNG state. Serialised as a
//! whole to the data file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ids::{XorShift, now};
pub(crate) use super::model::{
    ApiClient, ApiCollection, ApiEndpoint, ApiKey, Column, Connection, DataTable, Folder,
    OnPremAgent, OnPremGroup, Project, Recipe, Tag, Workspace,
};

/// Start of each id sequence. Distinct ranges make a folder id passed where a project id is
/// expected fail loudly instead of hitting another resource by chance.
pub(crate) mod base {
    pub(crate) const FOLDER: u64 = 100_000;
    pub(crate) const PROJECT: u64 = 200_000;
    pub(crate) const CONNECTION: u64 = 300_000;
    pub(crate) const RECIPE: u64 = 400_000;
    pub(crate) const DATA_TABLE: u64 = 500_000;
    pub(crate) const COLLECTION: u64 = 600_000;
    pub(crate) const ENDPOINT: u64 = 700_000;
    pub(crate) const CLIENT: u64 = 800_000;
    pub(crate) const KEY: u64 = 900_000;
    pub(crate) const ON_PREM_GROUP: u64 = 1_000_000;
    pub(crate) const ON_PREM_AGENT: u64 = 1_100_000;
    pub(crate) const TAG: u64 = 0;
}

/// The whole emulated workspace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Store {
    pub workspace: Workspace,
    /// Next id per sequence (see [`base`]).
    #[serde(default)]
    pub next_ids: BTreeMap<String, u64>,
    /// PRNG state for UUIDs, tokens and handles (persisted so a reload never repeats ids).
    #[serde(default)]
    pub rng_state: u64,
    #[serde(default)]
    pub folders: BTreeMap<u64, Folder>,
    #[serde(default)]
    pub projects: BTreeMap<u64, Project>,
    #[serde(default)]
    pub env_properties: BTreeMap<String, String>,
    #[serde(default)]
    pub project_properties: BTreeMap<u64, BTreeMap<String, String>>,
    #[serde(default)]
    pub connections: BTreeMap<u64, Connection>,
    #[serde(default)]
    pub recipes: BTreeMap<u64, Recipe>,
    /// Keyed by numeric id (creation order); looked up by UUID through [`Store::table_by_uuid`].
    #[serde(default)]
    pub data_tables: BTreeMap<u64, DataTable>,
    #[serde(default)]
    pub api_collections: BTreeMap<u64, ApiCollection>,
    #[serde(default)]
    pub api_endpoints: BTreeMap<u64, ApiEndpoint>,
    #[serde(default)]
    pub api_clients: BTreeMap<u64, ApiClient>,
    #[serde(default)]
    pub api_keys: BTreeMap<u64, ApiKey>,
    /// Keyed by creation sequence; looked up by handle.
    #[serde(default)]
    pub tags: BTreeMap<u64, Tag>,
    #[serde(default)]
    pub on_prem_groups: BTreeMap<u64, OnPremGroup>,
    #[serde(default)]
    pub on_prem_agents: BTreeMap<u64, OnPremAgent>,
}

impl Store {
    /// A fresh workspace (only the Home folder). The workspace id derives from `seed`.
    pub(crate) fn new(seed: u64) -> Store {
        let mut rng = XorShift::new(seed ^ 0x5EED_DA7A);
        let ws_id = 10_000 + rng.next_u64() % 90_000;
        let workspace = Workspace {
            id: ws_id,
            name: "Emulated workspace".to_string(),
            email: "emulator@workform.invalid".to_string(),
            root_folder_id: base::FOLDER,
            created_at: now(),
        };
        Store::with_workspace(workspace, rng.state())
    }

    /// An empty store for an existing workspace (reset keeps the workspace identity).
    pub(crate) fn with_workspace(workspace: Workspace, rng_state: u64) -> Store {
        Store {
            workspace,
            next_ids: BTreeMap::new(),
            rng_state,
            folders: BTreeMap::new(),
            projects: BTreeMap::new(),
            env_properties: BTreeMap::new(),
            project_properties: BTreeMap::new(),
            connections: BTreeMap::new(),
            recipes: BTreeMap::new(),
            data_tables: BTreeMap::new(),
            api_collections: BTreeMap::new(),
            api_endpoints: BTreeMap::new(),
            api_clients: BTreeMap::new(),
            api_keys: BTreeMap::new(),
            tags: BTreeMap::new(),
            on_prem_groups: BTreeMap::new(),
            on_prem_agents: BTreeMap::new(),
        }
    }

    /// Load a store saved by [`Store::to_json`].
    pub(crate) fn from_json(text: &str) -> Result<Store, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// Allocate the next id of a sequence.
    pub(crate) fn alloc(&mut self, seq: &str, start: u64) -> u64 {
        let next = self.next_ids.entry(seq.to_string()).or_insert(start + 1);
        let id = *next;
        *next += 1;
        id
    }

    /// Run `f` with the persisted PRNG.
    pub(crate) fn rng<T>(&mut self, f: impl FnOnce(&mut XorShift) -> T) -> T {
        let mut rng = XorShift::from_state(self.rng_state);
        let out = f(&mut rng);
        self.rng_state = rng.state();
        out
    }

    pub(crate) fn root(&self) -> u64 {
        self.workspace.root_folder_id
    }

    /// A folder id that may hold assets: Home or an existing folder.
    pub(crate) fn folder_exists(&self, id: u64) -> bool {
        id == self.root() || self.folders.contains_key(&id)
    }

    /// The project whose root folder is `folder_id`.
    pub(crate) fn project_by_folder(&self, folder_id: u64) -> Option<&Project> {
        self.projects.values().find(|p| p.folder_id == folder_id)
    }

    /// The project containing `folder_id` (walks up to the top-level folder).
    pub(crate) fn project_of_folder(&self, folder_id: u64) -> Option<u64> {
        let mut cur = folder_id;
        for _ in 0..=self.folders.len() {
            let folder = self.folders.get(&cur)?;
            if folder.parent_id == self.root() {
                return self.project_by_folder(cur).map(|p| p.id);
            }
            cur = folder.parent_id;
        }
        None
    }

    /// `folder_id` and every folder below it.
    pub(crate) fn subtree(&self, folder_id: u64) -> BTreeSet<u64> {
        let mut set = BTreeSet::from([folder_id]);
        loop {
            let before = set.len();
            for f in self.folders.values() {
                if set.contains(&f.parent_id) {
                    set.insert(f.id);
                }
            }
            if set.len() == before {
                return set;
            }
        }
    }

    pub(crate) fn table_by_uuid(&self, uuid: &str) -> Option<&DataTable> {
        self.data_tables.values().find(|t| t.id == uuid)
    }

    pub(crate) fn tag_by_handle(&self, handle: &str) -> Option<(u64, &Tag)> {
        self.tags
            .iter()
            .find(|(_, t)| t.handle == handle)
            .map(|(k, t)| (*k, t))
    }

    /// Assets (folders excluded) directly inside any folder of `folders`, as counts
    /// (connections, data tables, recipes).
    pub(crate) fn assets_in(&self, folders: &BTreeSet<u64>) -> (usize, usize, usize) {
        (
            self.connections
                .values()
                .filter(|c| folders.contains(&c.folder_id))
                .count(),
            self.data_tables
                .values()
                .filter(|t| folders.contains(&t.folder_id))
                .count(),
            self.recipes
                .values()
                .filter(|r| folders.contains(&r.folder_id))
                .count(),
        )
    }

    /// Delete the folders of `folders` and every asset in them.
    pub(crate) fn delete_folders(&mut self, folders: &BTreeSet<u64>) {
        self.folders.retain(|id, _| !folders.contains(id));
        self.connections
            .retain(|_, c| !folders.contains(&c.folder_id));
        self.data_tables
            .retain(|_, t| !folders.contains(&t.folder_id));
        self.recipes.retain(|_, r| !folders.contains(&r.folder_id));
    }

    /// Delete a project and everything in it: its folder tree with the assets inside, its
    /// properties, API collections (with their endpoints) and API clients (with their keys).
    pub(crate) fn delete_project(&mut self, project_id: u64) {
        let Some(project) = self.projects.remove(&project_id) else {
            return;
        };
        let tree = self.subtree(project.folder_id);
        self.delete_folders(&tree);
        self.project_properties.remove(&project_id);
        let collections: Vec<u64> = self
            .api_collections
            .values()
            .filter(|c| c.project_id == Some(project_id))
            .map(|c| c.id)
            .collect();
        for id in collections {
            self.delete_collection(id);
        }
        let clients: Vec<u64> = self
            .api_clients
            .values()
            .filter(|c| c.project_id == Some(project_id))
            .map(|c| c.id)
            .collect();
        for id in clients {
            self.delete_client(id);
        }
    }

    /// Delete an API collection, its endpoints, and detach it from API clients.
    pub(crate) fn delete_collection(&mut self, id: u64) {
        self.api_collections.remove(&id);
        self.api_endpoints.retain(|_, e| e.api_collection_id != id);
        for client in self.api_clients.values_mut() {
            client.api_collection_ids.retain(|c| *c != id);
        }
    }

    /// Delete an API client and its keys.
    pub(crate) fn delete_client(&mut self, id: u64) {
        self.api_clients.remove(&id);
        self.api_keys.retain(|_, k| k.api_client_id != id);
    }
}

/// Write `text` to `path` atomically (temp file in the same directory + rename), mode 0600.
pub(crate) fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "emulator-data.json".to_string());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        std::fs::create_dir_all(dir)?;
        let mut file = opts.open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
