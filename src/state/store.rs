//! The redb-backed state store.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::{Change, Meta, OutputState, ResourceState, STATE_VERSION, Snapshot, StateError};
use crate::addr::InstanceAddr;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const RESOURCES: TableDefinition<&str, &[u8]> = TableDefinition::new("resources");
const OUTPUTS: TableDefinition<&str, &[u8]> = TableDefinition::new("outputs");
const META_KEY: &str = "meta";

/// An open state database.
pub struct StateDb {
    db: Database,
    path: PathBuf,
}

/// Creates `.workform/` (mode 0700) if needed.
pub fn ensure_dir(dir: &Path) -> Result<(), StateError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| StateError::CreateDir { path: dir.display().to_string(), source })
}

impl StateDb {
    /// Opens (or creates, mode 0600) `<dir>/state.redb`, initialising lineage and serial.
    pub fn open(dir: &Path) -> Result<StateDb, StateError> {
        ensure_dir(dir)?;
        let path = dir.join("state.redb");
        // Create the file ourselves first so it is 0600 from its first byte.
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| db_err(&path, e))?;
        let db = Database::create(&path).map_err(|e| db_err(&path, e))?;
        let store = StateDb { db, path };
        store.init_meta()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn init_meta(&self) -> Result<(), StateError> {
        if self.read_meta()?.is_some() {
            return Ok(());
        }
        let meta = Meta {
            version: STATE_VERSION,
            lineage: crate::clock::uuid_v4(),
            serial: 0,
            workspace_id: None,
        };
        let txn = self.db.begin_write().map_err(|e| self.err(e))?;
        {
            let mut table = txn.open_table(META).map_err(|e| self.err(e))?;
            table
                .insert(META_KEY, encode(&meta).as_slice())
                .map_err(|e| self.err(e))?;
            txn.open_table(RESOURCES).map_err(|e| self.err(e))?;
            txn.open_table(OUTPUTS).map_err(|e| self.err(e))?;
        }
        txn.commit().map_err(|e| self.err(e))
    }

    fn read_meta(&self) -> Result<Option<Meta>, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = match txn.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(self.err(e)),
        };
        match table.get(META_KEY).map_err(|e| self.err(e))? {
            Some(bytes) => Ok(Some(self.decode(META_KEY, bytes.value())?)),
            None => Ok(None),
        }
    }

    /// The whole state as of the last commit.
    pub fn snapshot(&self) -> Result<Snapshot, StateError> {
        let meta = self.read_meta()?.ok_or_else(|| StateError::Database {
            path: self.path.display().to_string(),
            message: "state metadata is missing".into(),
        })?;
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let mut resources = BTreeMap::new();
        for row in txn
            .open_table(RESOURCES)
            .map_err(|e| self.err(e))?
            .iter()
            .map_err(|e| self.err(e))?
        {
            let (key, value) = row.map_err(|e| self.err(e))?;
            let rs: ResourceState = self.decode(key.value(), value.value())?;
            resources.insert(rs.addr.clone(), rs);
        }
        let mut outputs = BTreeMap::new();
        for row in txn
            .open_table(OUTPUTS)
            .map_err(|e| self.err(e))?
            .iter()
            .map_err(|e| self.err(e))?
        {
            let (key, value) = row.map_err(|e| self.err(e))?;
            let out: OutputState = self.decode(key.value(), value.value())?;
            outputs.insert(key.value().to_string(), out);
        }
        Ok(Snapshot { meta, resources, outputs })
    }

    /// Applies one change in one durable transaction and bumps the serial. Returns the new serial.
    pub fn commit(&self, change: Change) -> Result<u64, StateError> {
        let txn = self.db.begin_write().map_err(|e| self.err(e))?;
        let serial;
        {
            let mut meta_table = txn.open_table(META).map_err(|e| self.err(e))?;
            let mut meta: Meta = match meta_table.get(META_KEY).map_err(|e| self.err(e))? {
                Some(bytes) => self.decode(META_KEY, bytes.value())?,
                None => {
                    return Err(StateError::Database {
                        path: self.path.display().to_string(),
                        message: "state metadata is missing".into(),
                    });
                }
            };
            meta.serial += 1;
            if change.workspace_id.is_some() {
                meta.workspace_id = change.workspace_id;
            }
            serial = meta.serial;
            meta_table
                .insert(META_KEY, encode(&meta).as_slice())
                .map_err(|e| self.err(e))?;

            let mut resources = txn.open_table(RESOURCES).map_err(|e| self.err(e))?;
            for addr in &change.remove {
                resources
                    .remove(addr.to_string().as_str())
                    .map_err(|e| self.err(e))?;
            }
            for rs in &change.put {
                resources
                    .insert(rs.addr.to_string().as_str(), encode(rs).as_slice())
                    .map_err(|e| self.err(e))?;
            }
            if let Some(outputs) = &change.outputs {
                let mut table = txn.open_table(OUTPUTS).map_err(|e| self.err(e))?;
                table.retain(|_, _| false).map_err(|e| self.err(e))?;
                for (name, out) in outputs {
                    table
                        .insert(name.as_str(), encode(out).as_slice())
                        .map_err(|e| self.err(e))?;
                }
            }
        }
        txn.commit().map_err(|e| self.err(e))?;
        Ok(serial)
    }

    /// Forgets one resource (state only).
    pub fn remove(&self, addr: &InstanceAddr) -> Result<u64, StateError> {
        self.commit(Change { remove: vec![addr.clone()], ..Change::default() })
    }

    fn err(&self, e: impl std::fmt::Display) -> StateError {
        db_err(&self.path, e)
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, key: &str, bytes: &[u8]) -> Result<T, StateError> {
        serde_json::from_slice(bytes).map_err(|e| StateError::Corrupt {
            path: self.path.display().to_string(),
            key: key.to_string(),
            message: e.to_string(),
        })
    }
}

fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain data structures to JSON cannot fail.
    serde_json::to_vec(value).expect("state records serialise")
}

fn db_err(path: &Path, e: impl std::fmt::Display) -> StateError {
    StateError::Database { path: path.display().to_string(), message: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::{Mode, ResourceAddr};
    use std::os::unix::fs::PermissionsExt;

    fn resource(name: &str) -> ResourceState {
        ResourceState {
            addr: ResourceAddr::managed("workato_folder", name).instance(None),
            mode: Mode::Managed,
            type_name: "workato_folder".into(),
            attributes: serde_json::json!({"id": 1, "name": name})
                .as_object()
                .unwrap()
                .clone(),
            sensitive_attributes: vec![],
            dependencies: vec![],
            schema_version: 0,
        }
    }

    #[test]
    fn commits_bump_the_serial_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let wf = dir.path().join(".workform");
        let lineage;
        {
            let db = StateDb::open(&wf).unwrap();
            lineage = db.snapshot().unwrap().meta.lineage;
            assert_eq!(db.commit(Change { put: vec![resource("a")], ..Default::default() }).unwrap(), 1);
            assert_eq!(db.commit(Change { put: vec![resource("b")], ..Default::default() }).unwrap(), 2);
            db.remove(&resource("a").addr).unwrap();
        }
        let db = StateDb::open(&wf).unwrap();
        let snap = db.snapshot().unwrap();
        assert_eq!(snap.meta.serial, 3);
        assert_eq!(snap.meta.lineage, lineage);
        assert_eq!(snap.resources.len(), 1);
        let mode = fs::metadata(wf.join("state.redb")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
