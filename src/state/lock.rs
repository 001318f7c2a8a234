//! The state lock: one writer at a time, and whoever waits is told who holds it.

use std::fs::{self, File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
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
        let path = dir.join("state.lock");
        let io_err = |source| StateError::LockIo { path: path.display().to_string(), source };
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(io_err)?;
        let deadline = Instant::now() + timeout;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        return Err(StateError::Locked { info: read_info(&mut file) });
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
        assert!(text.contains(&format!("pid {}", std::process::id())), "{text}");
        assert!(text.contains("`apply`"), "{text}");
        drop(first);
        StateLock::acquire(dir.path(), "plan", Duration::ZERO).unwrap();
    }
}
