//! The redb-backed state store.
//!
//! Tables:
//! - `meta`: `"meta"` → [`Meta`]; `"crypto"` → [`CryptoMeta`] once sensitive values are encrypted.
//! - `resources`: instance address → [`ResourceState`] (sensitive values sealed when encrypted).
//! - `outputs`: name → [`OutputState`] (value sealed when sensitive and encrypted).
//! - `history`: serial → [`Undo`], what the commit that produced that serial overwrote.
//!
//! A serial N is rebuilt from the current state by applying the undo records of serials
//! current..N+1 in reverse. Each undo record holds only the keys its commit touched, so a
//! commit costs O(its own change) however large the state is; the table keeps the last
//! [`HISTORY_LIMIT`] records.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::crypto::{self, Cipher, CryptoError, CryptoMeta, KEY_ENV, PBKDF2_ITERATIONS};
use super::{
    Change, HISTORY_LIMIT, Meta, OutputState, ResourceState, STATE_VERSION, Snapshot, StateError,
};
use crate::addr::InstanceAddr;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const RESOURCES: TableDefinition<&str, &[u8]> = TableDefinition::new("resources");
const OUTPUTS: TableDefinition<&str, &[u8]> = TableDefinition::new("outputs");
const HISTORY: TableDefinition<u64, &[u8]> = TableDefinition::new("history");
/// The intent log: operations started but not yet recorded (see `Intent`).
const INTENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("intents");
const META_KEY: &str = "meta";
const CRYPTO_KEY: &str = "crypto";

/// An open state database.
pub struct StateDb {
    db: Database,
    path: PathBuf,
    /// The unlocked key when `WORKFORM_STATE_KEY` is set.
    cipher: Option<Cipher>,
    /// Parameters to record with the first encrypted write, when the key is new to this state.
    new_crypto: Option<CryptoMeta>,
}

impl std::fmt::Debug for StateDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateDb")
            .field("path", &self.path)
            .field("encrypted", &self.cipher.is_some())
            .finish()
    }
}

/// An operation in flight: written before a create's API call, replaced by the result in
/// the transaction that records it. One left behind means the process stopped in between;
/// the next run looks the object up by its natural key and adopts it instead of creating a
/// duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub addr: InstanceAddr,
    #[serde(rename = "type")]
    pub type_name: String,
    /// `create` (deletes need no intent: a repeated delete finds the object gone).
    pub operation: String,
    /// The natural key's attribute values (non-sensitive by construction).
    pub natural_key: crate::workato::Object,
    pub dependencies: Vec<String>,
    pub sensitive_attributes: Vec<String>,
    pub started_at: String,
}

/// What one commit overwrote: enough to step the state back to the serial before it.
#[derive(Debug, Serialize, Deserialize)]
struct Undo {
    /// The metadata before the commit.
    previous: Meta,
    written_at: String,
    /// Each key the commit touched with its prior stored record (`None`: it did not exist),
    /// in the order touched; applied in reverse so the first prior value wins.
    resources: Vec<(String, Option<String>)>,
    /// Every prior output, when the commit replaced the outputs.
    outputs: Option<Vec<(String, String)>>,
}

/// Creates `.workform/` (mode 0700) if needed, and narrows an existing one to 0700.
pub fn ensure_dir(dir: &Path) -> Result<(), StateError> {
    let err = |source| StateError::CreateDir {
        path: dir.display().to_string(),
        source,
    };
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(err)?;
    private(dir, 0o700).map_err(err)
}

/// Narrows a path's permissions to `mode` if others or the group can reach it.
fn private(path: &Path, mode: u32) -> std::io::Result<()> {
    let current = fs::metadata(path)?.permissions().mode();
    if current & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// The passphrase from the environment, if set.
fn key_from_env() -> Result<Option<String>, StateError> {
    match std::env::var(KEY_ENV) {
        Ok(key) if key.is_empty() => Err(StateError::EmptyKey),
        Ok(key) => Ok(Some(key)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(StateError::KeyNotUnicode),
    }
}

impl StateDb {
    /// Opens (or creates, mode 0600) `<dir>/state.redb`, initialising lineage and serial.
    /// Sensitive values are encrypted when `WORKFORM_STATE_KEY` is set.
    pub fn open(dir: &Path) -> Result<StateDb, StateError> {
        let key = key_from_env()?;
        Self::open_with_key(dir, key.as_deref())
    }

    /// Opens the state with an explicit passphrase (`None`: no encryption).
    pub fn open_with_key(dir: &Path, key: Option<&str>) -> Result<StateDb, StateError> {
        Self::open_inner(dir, key, PBKDF2_ITERATIONS)
    }

    fn open_inner(dir: &Path, key: Option<&str>, iterations: u32) -> Result<StateDb, StateError> {
        ensure_dir(dir)?;
        let path = dir.join("state.redb");
        // Create the file ourselves first so it is 0600 from its first byte.
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| db_err(&path, e))?;
        private(&path, 0o600).map_err(|e| db_err(&path, e))?;
        // A rewrite that was interrupted leaves its unfinished copy behind; the state itself
        // is intact (the copy only replaces it by an atomic rename).
        let _ = fs::remove_file(sealing_path(&path));
        let db = open_db(&path)?;
        let mut store = StateDb {
            db,
            path,
            cipher: None,
            new_crypto: None,
        };
        let recorded = store.read_crypto()?;
        match (recorded, key) {
            (Some(meta), Some(key)) => {
                store.cipher =
                    Some(Cipher::unlock(key, &meta).map_err(|e| store.crypto_err("key check", e))?);
            }
            (Some(_), None) => {
                return Err(StateError::KeyRequired {
                    path: store.path.display().to_string(),
                });
            }
            (None, Some(key)) => {
                let (cipher, meta) =
                    Cipher::create(key, iterations).map_err(|e| store.crypto_err("new key", e))?;
                store.cipher = Some(cipher);
                store.new_crypto = Some(meta);
            }
            (None, None) => {}
        }
        store.init_meta()?;
        if store.new_crypto.is_some() && !store.encrypted_at_rest()? {
            store = store.rewrite_sealed()?;
        }
        Ok(store)
    }

    /// Seals a plaintext state under a newly set key by writing a sealed copy of the whole
    /// file (current records, history, and any other table as is) and renaming it over the
    /// original. Re-sealing in place would leave the old plaintext in redb's free pages.
    fn rewrite_sealed(self) -> Result<StateDb, StateError> {
        let crypto = self.new_crypto.clone().expect("only called with a new key");
        let tmp = sealing_path(&self.path);
        let tmp_err = |e: &dyn std::fmt::Display| db_err(&tmp, e);
        fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| tmp_err(&e))?;
        let copy = Database::create(&tmp).map_err(|e| tmp_err(&e))?;
        let result = self.copy_sealed(&copy, &crypto);
        drop(copy);
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        let durable = fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .and_then(|()| fs::rename(&tmp, &self.path))
            .and_then(|()| {
                fs::File::open(self.path.parent().unwrap_or(Path::new(".")))
                    .and_then(|d| d.sync_all())
            });
        if let Err(e) = durable {
            let _ = fs::remove_file(&tmp);
            return Err(self.err(e));
        }
        let StateDb {
            db,
            path,
            cipher,
            new_crypto,
        } = self;
        drop(db);
        let db = open_db(&path)?;
        Ok(StateDb {
            db,
            path,
            cipher,
            new_crypto,
        })
    }

    fn copy_sealed(&self, copy: &Database, crypto: &CryptoMeta) -> Result<(), StateError> {
        use redb::TableHandle;
        let read = self.db.begin_read().map_err(|e| self.err(e))?;
        if read
            .list_multimap_tables()
            .map_err(|e| self.err(e))?
            .next()
            .is_some()
        {
            return Err(self.err(
                "cannot encrypt the state: it holds a multimap table this workform does not know",
            ));
        }
        let write = copy.begin_write().map_err(|e| self.err(e))?;
        for handle in read.list_tables().map_err(|e| self.err(e))? {
            let name = handle.name().to_string();
            match name.as_str() {
                "resources" | "outputs" | "meta" => {
                    let def = TableDefinition::<&str, &[u8]>::new(&name);
                    let rows = collect_rows(&read.open_table(def).map_err(|e| self.err(e))?)
                        .map_err(|e| self.err(e))?;
                    let mut out = write.open_table(def).map_err(|e| self.err(e))?;
                    for (key, bytes) in rows {
                        let bytes = match name.as_str() {
                            "resources" => self.reseal_resource(&key, &bytes)?,
                            "outputs" => self.reseal_output(&key, &bytes)?,
                            _ => bytes,
                        };
                        out.insert(key.as_str(), bytes.as_slice())
                            .map_err(|e| self.err(e))?;
                    }
                    if name == "meta" {
                        out.insert(CRYPTO_KEY, encode(crypto).as_slice())
                            .map_err(|e| self.err(e))?;
                    }
                }
                "history" => {
                    let table = read.open_table(HISTORY).map_err(|e| self.err(e))?;
                    let mut out = write.open_table(HISTORY).map_err(|e| self.err(e))?;
                    for row in table.iter().map_err(|e| self.err(e))? {
                        let (k, v) = row.map_err(|e| self.err(e))?;
                        let mut undo: Undo = self.decode(&k.value().to_string(), v.value())?;
                        for (key, prior) in &mut undo.resources {
                            if let Some(text) = prior {
                                *text = self.text(&self.reseal_resource(key, text.as_bytes())?)?;
                            }
                        }
                        for (key, text) in undo.outputs.iter_mut().flatten() {
                            *text = self.text(&self.reseal_output(key, text.as_bytes())?)?;
                        }
                        out.insert(k.value(), encode(&undo).as_slice())
                            .map_err(|e| self.err(e))?;
                    }
                }
                // Tables this function does not know about are copied as they are.
                _ => self.copy_table(&read, &write, &name)?,
            }
        }
        write.commit().map_err(|e| self.err(e))
    }

    fn copy_table(
        &self,
        read: &redb::ReadTransaction,
        write: &redb::WriteTransaction,
        name: &str,
    ) -> Result<(), StateError> {
        let by_text = TableDefinition::<&str, &[u8]>::new(name);
        match read.open_table(by_text) {
            Ok(table) => {
                let rows = collect_rows(&table).map_err(|e| self.err(e))?;
                let mut out = write.open_table(by_text).map_err(|e| self.err(e))?;
                for (key, bytes) in rows {
                    out.insert(key.as_str(), bytes.as_slice())
                        .map_err(|e| self.err(e))?;
                }
                return Ok(());
            }
            Err(redb::TableError::TableTypeMismatch { .. }) => {}
            Err(e) => return Err(self.err(e)),
        }
        let by_number = TableDefinition::<u64, &[u8]>::new(name);
        let table = read
            .open_table(by_number)
            .map_err(|e| self.err(format!("cannot encrypt the state: table {name:?}: {e}")))?;
        let mut out = write.open_table(by_number).map_err(|e| self.err(e))?;
        for row in table.iter().map_err(|e| self.err(e))? {
            let (k, v) = row.map_err(|e| self.err(e))?;
            out.insert(k.value(), v.value()).map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether sensitive values in this file are stored encrypted (`state pull` reports it).
    /// A key set on a plaintext state seals it when the state is next opened with the key.
    pub fn encrypted_at_rest(&self) -> Result<bool, StateError> {
        Ok(self.read_crypto()?.is_some())
    }

    fn init_meta(&self) -> Result<(), StateError> {
        if self.read_meta()?.is_some() {
            return self.ensure_history_table();
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
            // A new state with a key is encrypted from its first byte.
            if let Some(crypto) = &self.new_crypto {
                table
                    .insert(CRYPTO_KEY, encode(crypto).as_slice())
                    .map_err(|e| self.err(e))?;
            }
            txn.open_table(RESOURCES).map_err(|e| self.err(e))?;
            txn.open_table(OUTPUTS).map_err(|e| self.err(e))?;
            txn.open_table(HISTORY).map_err(|e| self.err(e))?;
        }
        txn.commit().map_err(|e| self.err(e))
    }

    /// States written before the history existed get an empty one, so reads need no special case.
    fn ensure_history_table(&self) -> Result<(), StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        match txn.open_table(HISTORY) {
            Ok(_) => return Ok(()),
            Err(redb::TableError::TableDoesNotExist(_)) => {}
            Err(e) => return Err(self.err(e)),
        }
        drop(txn);
        let txn = self.db.begin_write().map_err(|e| self.err(e))?;
        txn.open_table(HISTORY).map_err(|e| self.err(e))?;
        txn.commit().map_err(|e| self.err(e))
    }

    fn read_meta_key<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = match txn.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(self.err(e)),
        };
        match table.get(key).map_err(|e| self.err(e))? {
            Some(bytes) => Ok(Some(self.decode(key, bytes.value())?)),
            None => Ok(None),
        }
    }

    fn read_meta(&self) -> Result<Option<Meta>, StateError> {
        self.read_meta_key(META_KEY)
    }

    fn read_crypto(&self) -> Result<Option<CryptoMeta>, StateError> {
        self.read_meta_key(CRYPTO_KEY)
    }

    /// The whole state as of the last commit.
    pub fn snapshot(&self) -> Result<Snapshot, StateError> {
        let raw = self.read_raw()?;
        self.decode_raw(raw)
    }

    /// The state as it was at `serial`: the current one, or one of the [`HISTORY_LIMIT`]
    /// serials before it.
    pub fn snapshot_at(&self, serial: u64) -> Result<Snapshot, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let mut raw = self.read_raw_in(&txn)?;
        let current = raw.meta.serial;
        if serial == current {
            return self.decode_raw(raw);
        }
        let history = txn.open_table(HISTORY).map_err(|e| self.err(e))?;
        let oldest = match history.first().map_err(|e| self.err(e))? {
            Some((k, v)) => {
                let undo: Undo = self.decode(&k.value().to_string(), v.value())?;
                undo.previous.serial
            }
            None => current,
        };
        if serial > current || serial < oldest {
            return Err(StateError::SerialUnavailable {
                serial,
                current,
                oldest,
            });
        }
        for row in history
            .range(serial + 1..=current)
            .map_err(|e| self.err(e))?
            .rev()
        {
            let (k, v) = row.map_err(|e| self.err(e))?;
            if k.value() != raw.meta.serial {
                // A gap (a record that was never written): the chain back is broken here.
                break;
            }
            let undo: Undo = self.decode(&k.value().to_string(), v.value())?;
            for (key, prior) in undo.resources.into_iter().rev() {
                match prior {
                    Some(text) => raw.resources.insert(key, text.into_bytes()),
                    None => raw.resources.remove(&key),
                };
            }
            if let Some(outputs) = undo.outputs {
                raw.outputs = outputs
                    .into_iter()
                    .map(|(k, v)| (k, v.into_bytes()))
                    .collect();
            }
            raw.meta = undo.previous;
        }
        if raw.meta.serial != serial {
            return Err(StateError::SerialUnavailable {
                serial,
                current,
                oldest: raw.meta.serial.max(oldest),
            });
        }
        self.decode_raw(raw)
    }

    /// The oldest serial `snapshot_at` can rebuild.
    pub fn oldest_serial(&self) -> Result<u64, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let history = txn.open_table(HISTORY).map_err(|e| self.err(e))?;
        if let Some((k, v)) = history.first().map_err(|e| self.err(e))? {
            let undo: Undo = self.decode(&k.value().to_string(), v.value())?;
            return Ok(undo.previous.serial);
        }
        Ok(self.read_raw_in(&txn)?.meta.serial)
    }

    fn read_raw(&self) -> Result<RawState, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        self.read_raw_in(&txn)
    }

    fn read_raw_in(&self, txn: &redb::ReadTransaction) -> Result<RawState, StateError> {
        let meta_table = txn.open_table(META).map_err(|e| self.err(e))?;
        let meta: Meta = match meta_table.get(META_KEY).map_err(|e| self.err(e))? {
            Some(bytes) => self.decode(META_KEY, bytes.value())?,
            None => return Err(self.missing_meta()),
        };
        let mut resources = BTreeMap::new();
        for row in txn
            .open_table(RESOURCES)
            .map_err(|e| self.err(e))?
            .iter()
            .map_err(|e| self.err(e))?
        {
            let (key, value) = row.map_err(|e| self.err(e))?;
            resources.insert(key.value().to_string(), value.value().to_vec());
        }
        let mut outputs = BTreeMap::new();
        for row in txn
            .open_table(OUTPUTS)
            .map_err(|e| self.err(e))?
            .iter()
            .map_err(|e| self.err(e))?
        {
            let (key, value) = row.map_err(|e| self.err(e))?;
            outputs.insert(key.value().to_string(), value.value().to_vec());
        }
        Ok(RawState {
            meta,
            resources,
            outputs,
        })
    }

    fn decode_raw(&self, raw: RawState) -> Result<Snapshot, StateError> {
        let mut resources = BTreeMap::new();
        for (key, bytes) in &raw.resources {
            let rs = self.decode_resource(key, bytes)?;
            resources.insert(rs.addr.clone(), rs);
        }
        let mut outputs = BTreeMap::new();
        for (key, bytes) in &raw.outputs {
            outputs.insert(key.clone(), self.decode_output(key, bytes)?);
        }
        Ok(Snapshot {
            meta: raw.meta,
            resources,
            outputs,
        })
    }

    /// Applies one change in one durable transaction and bumps the serial. Returns the new serial.
    pub fn commit(&self, change: Change) -> Result<u64, StateError> {
        self.write(Write::Change(change))
    }

    /// Replaces the whole state with `snapshot` (resources, outputs, lineage and workspace)
    /// as the next serial; `state push`. Returns the new serial.
    pub fn replace(&self, snapshot: &Snapshot) -> Result<u64, StateError> {
        self.write(Write::Replace(snapshot))
    }

    fn write(&self, write: Write<'_>) -> Result<u64, StateError> {
        let txn = self.db.begin_write().map_err(|e| self.err(e))?;
        let serial;
        {
            let mut meta_table = txn.open_table(META).map_err(|e| self.err(e))?;
            let mut meta: Meta = match meta_table.get(META_KEY).map_err(|e| self.err(e))? {
                Some(bytes) => self.decode(META_KEY, bytes.value())?,
                None => return Err(self.missing_meta()),
            };
            let previous = meta.clone();
            meta.serial += 1;
            serial = meta.serial;

            let mut undo = Undo {
                previous,
                written_at: crate::clock::now_rfc3339(),
                resources: Vec::new(),
                outputs: None,
            };
            let (change, replace_all) = match write {
                Write::Change(change) => {
                    if change.workspace_id.is_some() {
                        meta.workspace_id = change.workspace_id;
                    }
                    (change, false)
                }
                Write::Replace(snapshot) => {
                    meta.lineage = snapshot.meta.lineage.clone();
                    meta.workspace_id = snapshot.meta.workspace_id;
                    let change = Change {
                        put: snapshot.resources.values().cloned().collect(),
                        remove: Vec::new(),
                        outputs: Some(snapshot.outputs.clone()),
                        workspace_id: None,
                    };
                    (change, true)
                }
            };
            meta_table
                .insert(META_KEY, encode(&meta).as_slice())
                .map_err(|e| self.err(e))?;

            let mut resources = txn.open_table(RESOURCES).map_err(|e| self.err(e))?;
            let mut removals: Vec<String> =
                change.remove.iter().map(InstanceAddr::to_string).collect();
            if replace_all {
                let keep: std::collections::BTreeSet<String> =
                    change.put.iter().map(|r| r.addr.to_string()).collect();
                for row in resources.iter().map_err(|e| self.err(e))? {
                    let (key, _) = row.map_err(|e| self.err(e))?;
                    if !keep.contains(key.value()) {
                        removals.push(key.value().to_string());
                    }
                }
            }
            for key in removals {
                let prior = resources
                    .remove(key.as_str())
                    .map_err(|e| self.err(e))?
                    .map(|g| g.value().to_vec());
                if let Some(prior) = prior {
                    undo.resources.push((key, Some(self.text(&prior)?)));
                }
            }
            for rs in &change.put {
                let key = rs.addr.to_string();
                let bytes = self.encode_resource(&key, rs)?;
                let prior = resources
                    .insert(key.as_str(), bytes.as_slice())
                    .map_err(|e| self.err(e))?
                    .map(|g| g.value().to_vec());
                let prior = prior.map(|p| self.text(&p)).transpose()?;
                undo.resources.push((key, prior));
            }
            // An operation's result replaces its intent in this same transaction.
            let mut intents = txn.open_table(INTENTS).map_err(|e| self.err(e))?;
            for key in change
                .remove
                .iter()
                .map(InstanceAddr::to_string)
                .chain(change.put.iter().map(|r| r.addr.to_string()))
            {
                intents.remove(key.as_str()).map_err(|e| self.err(e))?;
            }
            drop(intents);
            if let Some(outputs) = &change.outputs {
                let mut table = txn.open_table(OUTPUTS).map_err(|e| self.err(e))?;
                let mut prior = Vec::new();
                for row in table.iter().map_err(|e| self.err(e))? {
                    let (key, value) = row.map_err(|e| self.err(e))?;
                    prior.push((key.value().to_string(), self.text(value.value())?));
                }
                undo.outputs = Some(prior);
                table.retain(|_, _| false).map_err(|e| self.err(e))?;
                for (name, out) in outputs {
                    let bytes = self.encode_output(name, out)?;
                    table
                        .insert(name.as_str(), bytes.as_slice())
                        .map_err(|e| self.err(e))?;
                }
            }

            let mut history = txn.open_table(HISTORY).map_err(|e| self.err(e))?;
            history
                .insert(serial, encode(&undo).as_slice())
                .map_err(|e| self.err(e))?;
            // Keep the records that rebuild the last HISTORY_LIMIT serials; usually one goes.
            let cutoff = serial.saturating_sub(HISTORY_LIMIT);
            loop {
                let first = history
                    .first()
                    .map_err(|e| self.err(e))?
                    .map(|(k, _)| k.value());
                match first {
                    Some(first) if first <= cutoff => {
                        history.remove(first).map_err(|e| self.err(e))?;
                    }
                    _ => break,
                }
            }
        }
        txn.commit().map_err(|e| self.err(e))?;
        Ok(serial)
    }

    fn reseal_resource(&self, key: &str, bytes: &[u8]) -> Result<Vec<u8>, StateError> {
        let rs = self.decode_resource(key, bytes)?;
        self.encode_resource(key, &rs)
    }

    fn reseal_output(&self, key: &str, bytes: &[u8]) -> Result<Vec<u8>, StateError> {
        let out = self.decode_output(key, bytes)?;
        self.encode_output(key, &out)
    }

    /// Records that an operation is about to start (before its API call), durably.
    pub fn record_intent(&self, intent: &Intent) -> Result<(), StateError> {
        let txn = self.db.begin_write().map_err(|e| self.err(e))?;
        {
            let mut table = txn.open_table(INTENTS).map_err(|e| self.err(e))?;
            let key = intent.addr.to_string();
            table
                .insert(key.as_str(), encode(intent).as_slice())
                .map_err(|e| self.err(e))?;
        }
        txn.commit().map_err(|e| self.err(e))
    }

    /// Drops an intent whose operation is known not to have landed (the API refused it).
    pub fn clear_intent(&self, addr: &InstanceAddr) -> Result<(), StateError> {
        let txn = self.db.begin_write().map_err(|e| self.err(e))?;
        {
            let mut table = txn.open_table(INTENTS).map_err(|e| self.err(e))?;
            table
                .remove(addr.to_string().as_str())
                .map_err(|e| self.err(e))?;
        }
        txn.commit().map_err(|e| self.err(e))
    }

    /// Intents left by a run that stopped between an API call and recording its result.
    pub fn intents(&self) -> Result<Vec<Intent>, StateError> {
        let txn = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = match txn.open_table(INTENTS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(self.err(e)),
        };
        let mut out = Vec::new();
        for row in table.iter().map_err(|e| self.err(e))? {
            let (key, value) = row.map_err(|e| self.err(e))?;
            out.push(self.decode(key.value(), value.value())?);
        }
        Ok(out)
    }

    /// Forgets one resource (state only).
    pub fn remove(&self, addr: &InstanceAddr) -> Result<u64, StateError> {
        self.commit(Change {
            remove: vec![addr.clone()],
            ..Change::default()
        })
    }

    fn encode_resource(&self, key: &str, rs: &ResourceState) -> Result<Vec<u8>, StateError> {
        let Some(cipher) = &self.cipher else {
            return Ok(encode(rs));
        };
        let mut stored = rs.clone();
        for name in &rs.sensitive_attributes {
            if let Some(value) = stored.attributes.get_mut(name)
                && !value.is_null()
            {
                *value = cipher
                    .seal_value(&crypto::resource_aad(key, name), value)
                    .map_err(|e| self.crypto_err(&format!("{key}.{name}"), e))?;
            }
        }
        Ok(encode(&stored))
    }

    fn decode_resource(&self, key: &str, bytes: &[u8]) -> Result<ResourceState, StateError> {
        let mut rs: ResourceState = self.decode(key, bytes)?;
        for name in rs.sensitive_attributes.clone() {
            if let Some(value) = rs.attributes.get_mut(&name)
                && crypto::sealed_text(value).is_some()
            {
                *value = self.open_sealed(
                    &crypto::resource_aad(key, &name),
                    &format!("{key}.{name}"),
                    value,
                )?;
            }
        }
        Ok(rs)
    }

    fn encode_output(&self, name: &str, out: &OutputState) -> Result<Vec<u8>, StateError> {
        match &self.cipher {
            Some(cipher) if out.sensitive && !out.value.is_null() => {
                let value = cipher
                    .seal_value(&crypto::output_aad(name), &out.value)
                    .map_err(|e| self.crypto_err(&format!("output.{name}"), e))?;
                Ok(encode(&OutputState {
                    value,
                    sensitive: true,
                }))
            }
            _ => Ok(encode(out)),
        }
    }

    fn decode_output(&self, name: &str, bytes: &[u8]) -> Result<OutputState, StateError> {
        let mut out: OutputState = self.decode(name, bytes)?;
        if out.sensitive && crypto::sealed_text(&out.value).is_some() {
            out.value = self.open_sealed(
                &crypto::output_aad(name),
                &format!("output.{name}"),
                &out.value,
            )?;
        }
        Ok(out)
    }

    fn open_sealed(
        &self,
        aad: &str,
        what: &str,
        value: &serde_json::Value,
    ) -> Result<serde_json::Value, StateError> {
        let Some(cipher) = &self.cipher else {
            // Only reachable when the file claims no encryption yet holds sealed values.
            return Err(StateError::Corrupt {
                path: self.path.display().to_string(),
                key: what.to_string(),
                message: "holds an encrypted value but the state records no encryption key".into(),
            });
        };
        cipher
            .open_value(aad, value)
            .map_err(|e| self.crypto_err(what, e))
    }

    fn crypto_err(&self, what: &str, e: CryptoError) -> StateError {
        let path = self.path.display().to_string();
        match e {
            CryptoError::WrongKey if what == "key check" => StateError::WrongKey { path },
            // The key passed its check, so a value that does not open was altered.
            CryptoError::WrongKey => StateError::Crypto {
                path,
                key: what.to_string(),
                message: "the value fails authentication (it was altered or moved)".into(),
            },
            other => StateError::Crypto {
                path,
                key: what.to_string(),
                message: other.to_string(),
            },
        }
    }

    fn text(&self, bytes: &[u8]) -> Result<String, StateError> {
        String::from_utf8(bytes.to_vec()).map_err(|e| StateError::Corrupt {
            path: self.path.display().to_string(),
            key: "history".into(),
            message: e.to_string(),
        })
    }

    fn missing_meta(&self) -> StateError {
        StateError::Database {
            path: self.path.display().to_string(),
            message: "state metadata is missing".into(),
        }
    }

    fn err(&self, e: impl std::fmt::Display) -> StateError {
        db_err(&self.path, e)
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
        bytes: &[u8],
    ) -> Result<T, StateError> {
        serde_json::from_slice(bytes).map_err(|e| StateError::Corrupt {
            path: self.path.display().to_string(),
            key: key.to_string(),
            message: e.to_string(),
        })
    }
}

/// Stored bytes of one serial, before decoding.
struct RawState {
    meta: Meta,
    resources: BTreeMap<String, Vec<u8>>,
    outputs: BTreeMap<String, Vec<u8>>,
}

enum Write<'a> {
    Change(Change),
    Replace(&'a Snapshot),
}

fn sealing_path(path: &Path) -> PathBuf {
    path.with_extension("redb.sealing")
}

fn open_db(path: &Path) -> Result<Database, StateError> {
    Database::create(path).map_err(|e| match e {
        // Only reachable when the state lock was broken while its holder still runs.
        redb::DatabaseError::DatabaseAlreadyOpen => db_err(
            path,
            "the database is open in another workform process (was its lock force-unlocked while it still ran?); wait for that process to finish or stop it, then try again",
        ),
        other => db_err(path, other),
    })
}

fn collect_rows<T: ReadableTable<&'static str, &'static [u8]>>(
    table: &T,
) -> Result<Vec<(String, Vec<u8>)>, redb::StorageError> {
    let mut rows = Vec::new();
    for row in table.iter()? {
        let (k, v) = row?;
        rows.push((k.value().to_string(), v.value().to_vec()));
    }
    Ok(rows)
}

fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain data structures to JSON cannot fail.
    serde_json::to_vec(value).expect("state records serialise")
}

fn db_err(path: &Path, e: impl std::fmt::Display) -> StateError {
    StateError::Database {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::{Mode, ResourceAddr};

    /// Fast KDF for tests; the format is the same as with the real round count.
    fn open_keyed(dir: &Path, key: Option<&str>) -> Result<StateDb, StateError> {
        StateDb::open_inner(dir, key, 1_000)
    }

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

    fn secret(name: &str, value: &str) -> ResourceState {
        ResourceState {
            addr: ResourceAddr::managed("workato_project_property", name).instance(None),
            mode: Mode::Managed,
            type_name: "workato_project_property".into(),
            attributes: serde_json::json!({"id": "1:x", "name": name, "value": value})
                .as_object()
                .unwrap()
                .clone(),
            sensitive_attributes: vec!["value".into()],
            dependencies: vec![],
            schema_version: 0,
        }
    }

    fn put(rs: ResourceState) -> Change {
        Change {
            put: vec![rs],
            ..Default::default()
        }
    }

    fn file_contains(path: &Path, needle: &str) -> bool {
        let bytes = fs::read(path).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn commits_bump_the_serial_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let wf = dir.path().join(".workform");
        let lineage;
        {
            let db = StateDb::open_with_key(&wf, None).unwrap();
            lineage = db.snapshot().unwrap().meta.lineage;
            assert_eq!(db.commit(put(resource("a"))).unwrap(), 1);
            assert_eq!(db.commit(put(resource("b"))).unwrap(), 2);
            db.remove(&resource("a").addr).unwrap();
        }
        let db = StateDb::open_with_key(&wf, None).unwrap();
        let snap = db.snapshot().unwrap();
        assert_eq!(snap.meta.serial, 3);
        assert_eq!(snap.meta.lineage, lineage);
        assert_eq!(snap.resources.len(), 1);
        let mode = fs::metadata(wf.join("state.redb"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = fs::metadata(&wf).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn wide_permissions_are_narrowed_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let wf = dir.path().join(".workform");
        drop(StateDb::open_with_key(&wf, None).unwrap());
        fs::set_permissions(&wf, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(wf.join("state.redb"), fs::Permissions::from_mode(0o644)).unwrap();
        drop(StateDb::open_with_key(&wf, None).unwrap());
        assert_eq!(
            fs::metadata(&wf).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert_eq!(
            fs::metadata(wf.join("state.redb"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }

    #[test]
    fn every_recent_serial_can_be_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let db = StateDb::open_with_key(dir.path(), None).unwrap();
        db.commit(put(resource("a"))).unwrap(); // 1
        db.commit(put(resource("b"))).unwrap(); // 2
        let mut renamed = resource("a");
        renamed.attributes.insert("name".into(), "A2".into());
        db.commit(Change {
            put: vec![renamed.clone(), resource("c")],
            remove: vec![resource("b").addr],
            ..Default::default()
        })
        .unwrap(); // 3
        let outputs = BTreeMap::from([(
            "x".to_string(),
            OutputState {
                value: 1.into(),
                sensitive: false,
            },
        )]);
        db.commit(Change {
            outputs: Some(outputs),
            workspace_id: Some(7),
            ..Default::default()
        })
        .unwrap(); // 4

        let names = |s: &Snapshot| {
            s.resources
                .keys()
                .map(|a| a.resource.name.clone())
                .collect::<Vec<_>>()
        };
        let s0 = db.snapshot_at(0).unwrap();
        assert!(s0.resources.is_empty());
        assert_eq!(s0.meta.serial, 0);
        assert_eq!(names(&db.snapshot_at(1).unwrap()), ["a"]);
        assert_eq!(names(&db.snapshot_at(2).unwrap()), ["a", "b"]);
        let s3 = db.snapshot_at(3).unwrap();
        assert_eq!(names(&s3), ["a", "c"]);
        assert_eq!(s3.resources[&renamed.addr].attributes["name"], "A2");
        assert_eq!(
            db.snapshot_at(2).unwrap().resources[&renamed.addr].attributes["name"],
            "a"
        );
        assert!(s3.outputs.is_empty());
        assert_eq!(s3.meta.workspace_id, None);
        let s4 = db.snapshot_at(4).unwrap();
        assert_eq!(s4, db.snapshot().unwrap());
        assert_eq!(s4.meta.workspace_id, Some(7));
        assert!(matches!(
            db.snapshot_at(5),
            Err(StateError::SerialUnavailable {
                serial: 5,
                current: 4,
                ..
            })
        ));
    }

    #[test]
    fn the_history_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let db = StateDb::open_with_key(dir.path(), None).unwrap();
        let total = HISTORY_LIMIT + 10;
        for i in 0..total {
            db.commit(put(resource(&format!("r{i}")))).unwrap();
        }
        assert_eq!(db.oldest_serial().unwrap(), total - HISTORY_LIMIT);
        assert_eq!(
            db.snapshot_at(total - HISTORY_LIMIT)
                .unwrap()
                .resources
                .len() as u64,
            total - HISTORY_LIMIT
        );
        let err = db.snapshot_at(total - HISTORY_LIMIT - 1).unwrap_err();
        assert!(
            err.to_string().contains(&format!(
                "serials {} to {total} are available",
                total - HISTORY_LIMIT
            )),
            "{err}"
        );
    }

    #[test]
    fn replace_swaps_everything_and_can_be_undone() {
        let dir = tempfile::tempdir().unwrap();
        let db = StateDb::open_with_key(dir.path(), None).unwrap();
        db.commit(put(resource("a"))).unwrap();
        let before = db.snapshot().unwrap();
        let mut other = before.clone();
        other.meta.lineage = "other-lineage".into();
        other.meta.workspace_id = Some(3);
        other.resources.clear();
        let b = resource("b");
        other.resources.insert(b.addr.clone(), b);
        assert_eq!(db.replace(&other).unwrap(), 2);
        let now = db.snapshot().unwrap();
        assert_eq!(now.meta.lineage, "other-lineage");
        assert_eq!(
            now.resources
                .keys()
                .map(|a| a.resource.name.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(db.snapshot_at(1).unwrap(), before);
    }

    #[test]
    fn sensitive_values_are_sealed_on_disk_and_opened_with_the_key() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = open_keyed(dir.path(), Some("pass")).unwrap();
            assert!(db.encrypted_at_rest().unwrap());
            db.commit(put(secret("p", "hunter2-very-secret"))).unwrap();
            let outputs = BTreeMap::from([(
                "o".to_string(),
                OutputState {
                    value: "output-secret-xyz".into(),
                    sensitive: true,
                },
            )]);
            db.commit(Change {
                outputs: Some(outputs),
                ..Default::default()
            })
            .unwrap();
            db.commit(put(secret("p", "second-secret-value"))).unwrap();
        }
        let file = dir.path().join("state.redb");
        for needle in [
            "hunter2-very-secret",
            "output-secret-xyz",
            "second-secret-value",
        ] {
            assert!(!file_contains(&file, needle), "{needle} is in the file");
        }
        let db = open_keyed(dir.path(), Some("pass")).unwrap();
        let snap = db.snapshot().unwrap();
        let addr = secret("p", "").addr;
        assert_eq!(
            snap.resources[&addr].attributes["value"],
            "second-secret-value"
        );
        assert_eq!(snap.outputs["o"].value, "output-secret-xyz");
        assert_eq!(
            db.snapshot_at(1).unwrap().resources[&addr].attributes["value"],
            "hunter2-very-secret"
        );
        drop(db);

        let err = open_keyed(dir.path(), None).unwrap_err();
        assert!(matches!(err, StateError::KeyRequired { .. }), "{err}");
        assert!(err.to_string().contains("WORKFORM_STATE_KEY"));
        let err = open_keyed(dir.path(), Some("nope")).unwrap_err();
        assert!(matches!(err, StateError::WrongKey { .. }), "{err}");
        assert!(err.to_string().contains("WORKFORM_STATE_KEY"));
    }

    #[test]
    fn a_key_set_later_seals_the_whole_file_including_history_and_other_tables() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = open_keyed(dir.path(), None).unwrap();
            db.commit(put(secret("p", "plain-before-key"))).unwrap();
            db.commit(put(secret("p", "plain-second"))).unwrap();
            let outputs = BTreeMap::from([(
                "o".to_string(),
                OutputState {
                    value: "plain-output".into(),
                    sensitive: true,
                },
            )]);
            db.commit(Change {
                outputs: Some(outputs),
                ..Default::default()
            })
            .unwrap();
            assert!(!db.encrypted_at_rest().unwrap());
            // A table this module does not manage survives the rewrite.
            let txn = db.db.begin_write().unwrap();
            txn.open_table(TableDefinition::<&str, &[u8]>::new("extra"))
                .unwrap()
                .insert("k", b"v".as_slice())
                .unwrap();
            txn.commit().unwrap();
        }
        let file = dir.path().join("state.redb");
        assert!(file_contains(&file, "plain-before-key"));
        let db = open_keyed(dir.path(), Some("k")).unwrap();
        assert!(db.encrypted_at_rest().unwrap());
        for needle in ["plain-before-key", "plain-second", "plain-output"] {
            assert!(
                !file_contains(&file, needle),
                "{needle} is still in the file"
            );
        }
        assert!(!sealing_path(&file).exists());
        let addr = secret("p", "").addr;
        let snap = db.snapshot().unwrap();
        assert_eq!(snap.meta.serial, 3, "sealing is not a new serial");
        assert_eq!(snap.resources[&addr].attributes["value"], "plain-second");
        assert_eq!(snap.outputs["o"].value, "plain-output");
        assert_eq!(
            db.snapshot_at(1).unwrap().resources[&addr].attributes["value"],
            "plain-before-key"
        );
        let txn = db.db.begin_read().unwrap();
        let extra = txn
            .open_table(TableDefinition::<&str, &[u8]>::new("extra"))
            .unwrap();
        assert_eq!(extra.get("k").unwrap().unwrap().value(), b"v");
        drop((extra, txn));
        db.commit(put(resource("other"))).unwrap();
        drop(db);
        assert!(matches!(
            open_keyed(dir.path(), None),
            Err(StateError::KeyRequired { .. })
        ));
    }

    #[test]
    fn a_sealed_value_moved_to_another_address_fails_authentication() {
        let dir = tempfile::tempdir().unwrap();
        let db = open_keyed(dir.path(), Some("k")).unwrap();
        db.commit(put(secret("p", "s3cret"))).unwrap();
        // Copy the stored record under another key, as a tampering attacker could.
        let txn = db.db.begin_write().unwrap();
        {
            let mut t = txn.open_table(RESOURCES).unwrap();
            let bytes = t
                .get("workato_project_property.p")
                .unwrap()
                .unwrap()
                .value()
                .to_vec();
            let text = String::from_utf8(bytes)
                .unwrap()
                .replace("property.p\"", "property.q\"");
            t.insert("workato_project_property.q", text.as_bytes())
                .unwrap();
        }
        txn.commit().unwrap();
        let err = db.snapshot().unwrap_err();
        assert!(err.to_string().contains("fails authentication"), "{err}");
    }
}
