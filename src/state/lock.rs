//! The state lock: one writer at a time, and whoever waits is told who holds it.

use std::fs::{self, File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::StateError;

/// Who holds the lock, written into the lock file by the holder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockInfo {
    pub id: String,
    pub pid: u32,
    pub host: String,
    pub command: String,
    pub since: String,
}

/// A held lock on `.workform/state.lock`; released on drop (and by the OS if the process dies).
#[derive(Debug)]
pub struct StateLock {
    file: File,
    path: PathBuf,
    pub info: LockInfo,
}

impl StateLock {
    /// Takes the lock, waiting up to `timeout` for another holder to let go.
    pub fn acquire(dir: &Path, command: &str, timeout: Duration) -> Result<StateLock, StateError> {
        super::store::ensure_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        let io_err = |source| StateError::LockIo {
            path: path.display().to_string(),
            source,
        };
        let deadline = Instant::now() + timeout;
        let mut file = open_lock_file(&path).map_err(io_err)?;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    // `force-unlock` breaks a lock by unlinking the file; a lock taken on an
                    // unlinked file guards nothing, so start again on the new one.
                    if same_file(&file, &path) {
                        break;
                    }
                    let _ = file.unlock();
                    file = open_lock_file(&path).map_err(io_err)?;
                    continue;
                }
                Err(TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        return Err(StateError::Locked {
                            info: read_info(&mut file),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(TryLockError::Error(e)) => return Err(io_err(e)),
            }
        }
        let info = LockInfo {
            id: crate::clock::uuid_v4(),
            pid: std::process::id(),
            host: hostname(),
            command: command.to_string(),
            since: crate::clock::now_rfc3339(),
        };
        let text = serde_json::to_string(&info).expect("lock info serialises");
        file.set_len(0).map_err(io_err)?;
        file.seek(SeekFrom::Start(0)).map_err(io_err)?;
        file.write_all(text.as_bytes()).map_err(io_err)?;
        file.sync_all().map_err(io_err)?;
        Ok(StateLock { file, path, info })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        // Clear the holder's details so a later reader never sees a stale owner.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Who holds (or last held) the lock, and whether that holder still has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    pub info: LockInfo,
    /// The lock is held right now (by a running process). `false`: the details were left
    /// behind by a process that died without cleaning up; the next run takes over.
    pub active: bool,
    /// Whether the holder's process still runs, when it is on this host.
    pub running: Option<bool>,
}

/// The lock's current holder, if the lock file names one.
pub fn current_holder(dir: &Path) -> Result<Option<Holder>, StateError> {
    let path = dir.join(LOCK_FILE);
    let io_err = |source| StateError::LockIo {
        path: path.display().to_string(),
        source,
    };
    let mut file = match fs::OpenOptions::new().read(true).write(true).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(e)),
    };
    let active = match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(e)) => return Err(io_err(e)),
    };
    Ok(read_info(&mut file).map(|info| {
        let running =
            (info.host == hostname()).then(|| Path::new(&format!("/proc/{}", info.pid)).exists());
        Holder {
            info,
            active,
            running,
        }
    }))
}

/// Breaks the lock whose holder has lock ID `id`, and returns who that was. A holder that
/// still runs keeps a lock on the removed file, which guards nothing any more: the next run
/// creates a new lock file.
pub fn force_unlock(dir: &Path, id: &str) -> Result<Holder, StateError> {
    let path = dir.join(LOCK_FILE);
    let not_locked = || StateError::NotLocked {
        path: path.display().to_string(),
    };
    let holder = current_holder(dir)?.ok_or_else(not_locked)?;
    if holder.info.id != id.trim() {
        return Err(StateError::LockMismatch {
            given: id.to_string(),
            holder: Box::new(holder.info),
        });
    }
    match fs::remove_file(&path) {
        Ok(()) => Ok(holder),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(not_locked()),
        Err(source) => Err(StateError::LockIo {
            path: path.display().to_string(),
            source,
        }),
    }
}

const LOCK_FILE: &str = "state.lock";

fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    // An older lock file may have been created with wider permissions.
    if file.metadata()?.permissions().mode() & 0o077 != 0 {
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Whether the open file is still the one at `path` (not unlinked or replaced).
fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// The holder's details, if the lock file has any.
pub fn read_info(file: &mut File) -> Option<LockInfo> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_holders_details() {
        let dir = tempfile::tempdir().unwrap();
        let first = StateLock::acquire(dir.path(), "apply", Duration::ZERO).unwrap();
        let err = StateLock::acquire(dir.path(), "plan", Duration::ZERO).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        assert!(text.contains("`apply`"), "{text}");
        drop(first);
        StateLock::acquire(dir.path(), "plan", Duration::ZERO).unwrap();
    }

    #[test]
    fn force_unlock_needs_the_holders_id_and_lets_the_next_run_in() {
        let dir = tempfile::tempdir().unwrap();
        assert!(current_holder(dir.path()).unwrap().is_none());
        let first = StateLock::acquire(dir.path(), "apply", Duration::ZERO).unwrap();
        let holder = current_holder(dir.path()).unwrap().unwrap();
        assert!(holder.active);
        assert_eq!(holder.running, Some(true));
        let err = force_unlock(dir.path(), "not-the-id").unwrap_err();
        assert!(matches!(err, StateError::LockMismatch { .. }), "{err}");
        assert!(StateLock::acquire(dir.path(), "plan", Duration::ZERO).is_err());
        let broken = force_unlock(dir.path(), &first.info.id).unwrap();
        assert_eq!(broken.info, first.info);
        let second = StateLock::acquire(dir.path(), "plan", Duration::ZERO).unwrap();
        // The old holder letting go later must not disturb the new lock.
        drop(first);
        assert_eq!(
            current_holder(dir.path()).unwrap().unwrap().info,
            second.info
        );
        assert!(StateLock::acquire(dir.path(), "plan", Duration::ZERO).is_err());
    }

    #[test]
    fn details_left_by_a_dead_holder_are_inactive() {
        let dir = tempfile::tempdir().unwrap();
        let info = LockInfo {
            id: "x".into(),
            pid: 1,
            host: "elsewhere".into(),
            command: "apply".into(),
            since: "t".into(),
        };
        fs::write(
            dir.path().join(LOCK_FILE),
            serde_json::to_string(&info).unwrap(),
        )
        .unwrap();
        let holder = current_holder(dir.path()).unwrap().unwrap();
        assert!(!holder.active);
        assert_eq!(holder.running, None);
        StateLock::acquire(dir.path(), "plan", Duration::ZERO).unwrap();
        assert!(matches!(
            force_unlock(dir.path(), "x"),
            Err(StateError::NotLocked { .. })
        ));
    }
}
