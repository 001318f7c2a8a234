//! `workform generate --out DIR [--folder PATH]`: write configuration and `import` blocks
//! for a live workspace, so that applying it adopts everything and creates nothing.
//!
//! Needs no configuration: the connection comes from `--sandbox`, or the flags, the
//! environment and the credential profiles (a `workato {}` block is not read).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::session::connect;
use super::{CmdError, exit};
use crate::cli::GenerateArgs;
use crate::credentials::Layer;
use crate::generate::{self, GenerateError, Generated, Listing, Outcome};
use crate::render::Printer;

/// Keeps the secrets file and local state out of a repository made from the output.
const GITIGNORE: &str = "# Written by `workform generate`: keep secrets and local state out of version control.\n\
                         generated.wfvars\n\
                         .workform/\n";

/// How many addresses a note lists before summarising.
const LISTED: usize = 5;

pub async fn run(
    printer: Printer,
    dir: &Path,
    sandbox: bool,
    args: &GenerateArgs,
) -> Result<u8, CmdError> {
    let out = absolute(&args.out);
    check_out_dir(&out, &args.out)?;
    let remote = connect(&printer, dir, sandbox, &Layer::default()).await?;

    printer.out("Reading the workspace...");
    let listing = generate::read_workspace(&remote.api)
        .await
        .map_err(from_generate)?;
    report_skipped(&printer, &listing);
    let generated = generate::generate(&listing, args.folder.as_deref()).map_err(from_generate)?;
    if generated.files.is_empty() {
        printer
            .out("\nThe workspace holds no objects that workform can manage: nothing was written.");
        return Ok(exit::OK);
    }

    let mut written = write_files(&out, &generated)?;
    if write_new(&out.join(".gitignore"), GITIGNORE, false)
        .map_err(|e| io_error(&out.join(".gitignore"), e))?
    {
        written.push((
            ".gitignore".into(),
            "keeps generated.wfvars and .workform/ out of version control".into(),
        ));
    }
    if sandbox {
        copy_sandbox(&printer, dir, &out)?;
    }
    summarise(&printer, args, sandbox, &generated, &written);
    Ok(exit::OK)
}

/// `--out` relative to the current directory, like `--var-file`.
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Refuses a directory that already holds configuration: generated files must never mix
/// with, or overwrite, someone's configuration.
fn check_out_dir(out: &Path, shown: &Path) -> Result<(), CmdError> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(CmdError::Message(format!(
            "--out {}: this is a file, not a directory; name a new or empty directory",
            shown.display()
        )));
    }
    let entries = std::fs::read_dir(out).map_err(|e| io_error(out, e))?;
    let mut clashing: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| name.ends_with(".wf.hcl") || name == generate::VARS_FILE)
        .collect();
    clashing.sort();
    if clashing.is_empty() {
        return Ok(());
    }
    Err(CmdError::Message(format!(
        "--out {} already holds configuration ({}). generate writes only into a new or empty directory so it never mixes with or overwrites existing files: choose another --out, or move those files away.",
        shown.display(),
        clashing.join(", ")
    )))
}

/// Writes every file (secrets with mode 0600); on failure removes what it wrote.
fn write_files(out: &Path, generated: &Generated) -> Result<Vec<(String, String)>, CmdError> {
    std::fs::create_dir_all(out).map_err(|e| io_error(out, e))?;
    let mut written: Vec<PathBuf> = Vec::new();
    for file in &generated.files {
        let path = out.join(&file.name);
        match write_new(&path, &file.text, file.private) {
            Ok(true) => written.push(path),
            Ok(false) => {
                cleanup(&written);
                return Err(CmdError::Message(format!(
                    "{} appeared while generating: nothing was written; run generate again with an empty --out",
                    path.display()
                )));
            }
            Err(e) => {
                cleanup(&written);
                return Err(io_error(&path, e));
            }
        }
    }
    Ok(generated
        .files
        .iter()
        .map(|f| (f.name.clone(), f.summary.clone()))
        .collect())
}

fn cleanup(paths: &[PathBuf]) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

/// Creates `path` with `text`; `Ok(false)` when it already exists (never overwritten).
fn write_new(path: &Path, text: &str, private: bool) -> std::io::Result<bool> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    };
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(true)
}

/// With `--sandbox` the workspace lives in `-C DIR/.workform/sandbox.json`; a copy in the
/// output directory lets `workform --sandbox -C OUT apply` import from the same objects.
fn copy_sandbox(printer: &Printer, dir: &Path, out: &Path) -> Result<(), CmdError> {
    let from = dir.join(".workform").join("sandbox.json");
    let wf = out.join(".workform");
    let to = wf.join("sandbox.json");
    if !from.exists() || to.exists() {
        return Ok(());
    }
    crate::state::ensure_dir(&wf).map_err(CmdError::from)?;
    let text = std::fs::read_to_string(&from).map_err(|e| io_error(&from, e))?;
    write_new(&to, &text, true).map_err(|e| io_error(&to, e))?;
    printer.out(&format!(
        "Copied the sandbox workspace to {} so that --sandbox runs in the output directory see the same objects.",
        to.display()
    ));
    Ok(())
}

/// Types that were not read: one warning listing those the token may not list, and a note
/// for those workform cannot list yet.
fn report_skipped(printer: &Printer, listing: &Listing) {
    let mut not_listable = Vec::new();
    let mut denied = Vec::new();
    for t in &listing.types {
        match &t.outcome {
            // The first sentence names the permission and endpoint; the rest of the
            // explanation is the same for every type and said once below.
            Outcome::Skipped {
                reason,
                denied: true,
            } => {
                let first = reason
                    .split_once(". ")
                    .map_or(reason.as_str(), |(head, _)| head);
                denied.push(format!("  - {}: {first}", t.type_name));
            }
            Outcome::Skipped { denied: false, .. } => not_listable.push(t.type_name.as_str()),
            Outcome::Listed(_) => {}
        }
    }
    if !denied.is_empty() {
        printer.warning(&format!(
            "the API token may not list {}, so their objects are not in the generated configuration:\n{}\nGrant these permissions in Workspace Admin → API clients (the client's role), or run generate with a token that has them.",
            plural(denied.len(), "resource type"),
            denied.join("\n")
        ));
    }
    if !not_listable.is_empty() {
        printer.out(&format!(
            "Not read (workform cannot list these types yet; import them by hand): {}",
            not_listable.join(", ")
        ));
    }
}

fn summarise(
    printer: &Printer,
    args: &GenerateArgs,
    sandbox: bool,
    generated: &Generated,
    written: &[(String, String)],
) {
    let styles = &printer.styles;
    let shown = args.out.display().to_string();
    let mut text = String::new();
    let width = generated.counts.keys().map(String::len).max().unwrap_or(0);
    text.push_str(&format!(
        "\nGenerated {}:\n",
        plural(generated.resources(), "resource")
    ));
    for (type_name, n) in &generated.counts {
        text.push_str(&format!("  {type_name:<width$}  {n}\n"));
    }
    text.push_str(&format!("\nWrote to {shown}:\n"));
    let width = written
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, summary) in written {
        text.push_str(&format!("  {name:<width$}  {summary}\n"));
    }

    let mut notes = Vec::new();
    if !generated.write_only.is_empty() {
        notes.push(format!(
            "{} not generated because the API never returns them (such as connection credentials): {}. Until you add them, workform leaves the remote values alone.",
            if generated.write_only.len() == 1 { "1 resource has write-only values".to_string() } else { format!("{} resources have write-only values", generated.write_only.len()) },
            listed(&generated.write_only)
        ));
    }
    if generated.literal_ids > 0 {
        notes.push(format!(
            "{} to objects that are not generated stayed literal; a comment above each says why.",
            plural(generated.literal_ids, "id")
        ));
    }
    if generated.sensitive_values > 0 {
        notes.push(format!(
            "{} (property values) went to {} as variable values, not into the configuration. Keep that file private.",
            plural(generated.sensitive_values, "sensitive value"),
            generate::VARS_FILE
        ));
    }
    if !notes.is_empty() {
        text.push_str("\nNotes:\n");
        for note in notes {
            text.push_str(&format!("  - {note}\n"));
        }
    }

    let sandbox_flag = if sandbox { " --sandbox" } else { "" };
    let var_file = match generated.vars_file() {
        Some(f) => format!(
            " --var-file {}",
            quoted(&args.out.join(&f.name).display().to_string())
        ),
        None => String::new(),
    };
    text.push_str(&format!(
        "\n{} Review the files, then run\n\n  workform{sandbox_flag} -C {} apply{var_file}\n\nIt imports every object and creates nothing; the plan after it shows no changes.",
        styles.green.apply_to("Configuration generated!").bold(),
        quoted(&shown),
    ));
    printer.out(&text);
}

/// A path as a shell word (quoted only when it needs to be).
fn quoted(path: &str) -> String {
    if path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}

fn listed(addrs: &[String]) -> String {
    if addrs.len() <= LISTED {
        addrs.join(", ")
    } else {
        format!(
            "{} and {} more",
            addrs[..LISTED].join(", "),
            addrs.len() - LISTED
        )
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn from_generate(e: GenerateError) -> CmdError {
    match e {
        GenerateError::List { type_name, source } => CmdError::Api {
            context: format!("reading the workspace's {type_name} objects"),
            source,
        },
        other => CmdError::Message(other.to_string()),
    }
}

fn io_error(path: &Path, e: std::io::Error) -> CmdError {
    CmdError::Message(format!("cannot write {}: {e}", path.display()))
}
