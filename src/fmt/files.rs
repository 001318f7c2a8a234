//! Which files `workform fmt` looks at, and writing them back safely.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::FmtError;

/// A file to format: where it is, and how to name it to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    pub display: String,
}

/// True for the file names `fmt` formats: configuration and variable files.
pub fn is_formattable(name: &str) -> bool {
    (name.ends_with(".wf.hcl") && name.len() > ".wf.hcl".len())
        || (name.ends_with(".wfvars") && name.len() > ".wfvars".len())
}

/// The files to format. With no arguments, the configuration directory's `*.wf.hcl` and
/// `*.wfvars` files (not recursive, like the loader), named as the other commands name
/// them (`main.wf.hcl`). An argument may be a file (relative to the working directory,
/// like `--var-file`) or a directory; those are named as given.
pub fn targets(dir: &Path, args: &[PathBuf]) -> Result<Vec<Target>, FmtError> {
    let mut out = Vec::new();
    if args.is_empty() {
        out.extend(directory(dir, false)?);
    }
    for arg in args {
        let meta = std::fs::metadata(arg).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FmtError::NotFound { path: arg.clone() },
            _ => FmtError::Io {
                action: "read",
                path: arg.clone(),
                source: e,
            },
        })?;
        if meta.is_dir() {
            out.extend(directory(arg, true)?);
        } else {
            let name = arg.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !is_formattable(name) {
                return Err(FmtError::NotConfig { path: arg.clone() });
            }
            out.push(Target {
                path: arg.clone(),
                display: arg.display().to_string(),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert(std::fs::canonicalize(&t.path).unwrap_or_else(|_| t.path.clone())));
    Ok(out)
}

/// The formattable files directly in `dir`, sorted by name. Symbolic links to files
/// count (and are written through); editor lock files and the like, which point
/// nowhere, do not.
fn directory(dir: &Path, qualify: bool) -> Result<Vec<Target>, FmtError> {
    let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => FmtError::NotFound {
            path: dir.to_path_buf(),
        },
        _ => FmtError::Io {
            action: "read directory",
            path: dir.to_path_buf(),
            source: e,
        },
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_formattable(n))
        .filter(|n| std::fs::metadata(dir.join(n)).is_ok_and(|m| m.is_file()))
        .collect();
    names.sort();
    Ok(names
        .into_iter()
        .map(|name| {
            let display = if qualify && dir != Path::new(".") {
                dir.join(&name).display().to_string()
            } else {
                name.clone()
            };
            Target {
                path: dir.join(name),
                display,
            }
        })
        .collect())
}

/// Reads a target as UTF-8 text.
pub fn read_text(target: &Target) -> Result<String, FmtError> {
    let bytes = std::fs::read(&target.path).map_err(|e| FmtError::Io {
        action: "read",
        path: target.path.clone(),
        source: e,
    })?;
    String::from_utf8(bytes).map_err(|_| FmtError::NotUtf8 {
        path: target.path.clone(),
    })
}

/// Replaces the file's contents with `text`, keeping its permissions. The new text goes
/// to a temporary file beside it (created private, since variable files may hold
/// secrets) which is then renamed over the original, so an interrupted run leaves
/// either the old file or the new one, never half of each. A symbolic link is followed
/// and its target rewritten; the link stays.
pub fn write_preserving(path: &Path, text: &str) -> Result<(), FmtError> {
    // Errors name the file the user knows, not the temporary one.
    let io = |source| FmtError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let real = std::fs::canonicalize(path).map_err(io)?;
    let meta = std::fs::metadata(&real).map_err(io)?;
    if meta.permissions().readonly() {
        return Err(FmtError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    let parent = real.parent().unwrap_or(Path::new("."));
    let name = real.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = parent.join(format!(".{name}.{}.fmt.tmp", std::process::id()));
    let result = (|| {
        let _ = std::fs::remove_file(&tmp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::set_permissions(&tmp, meta.permissions())?;
        std::fs::rename(&tmp, &real)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_configuration_and_variable_files_are_formattable() {
        assert!(is_formattable("main.wf.hcl"));
        assert!(is_formattable("prod.wfvars"));
        assert!(!is_formattable(".wf.hcl"));
        assert!(!is_formattable("main.tf"));
        assert!(!is_formattable("main.hcl"));
    }

    #[test]
    fn a_directory_lists_its_files_sorted_and_skips_others() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.wf.hcl", "a.wf.hcl", "x.wfvars", "notes.md"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.wf.hcl")).unwrap();
        let names: Vec<String> = targets(dir.path(), &[])
            .unwrap()
            .into_iter()
            .map(|t| t.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.wf.hcl", "b.wf.hcl", "x.wfvars"]);
    }

    #[cfg(unix)]
    #[test]
    fn writing_keeps_permissions_and_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.wf.hcl");
        std::fs::write(&real, "a=1\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.wf.hcl");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_preserving(&link, "a = 1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "a = 1\n");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "temporary file left behind");
    }
}
