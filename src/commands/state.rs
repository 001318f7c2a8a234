//! `workform state list|show|mv|rm|pull|push` and `workform force-unlock`: state surgery.
//! Every command here takes the state lock; the writing ones record a new serial, so the
//! state before them stays available through `state pull --serial N`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;

use serde_json::Value as Json;

use super::session::{LockedState, lock_state};
use super::{CmdError, exit};
use crate::addr::{InstanceAddr, Mode, ResourceAddr};
use crate::cli::{
    ForceUnlockArgs, StateMvArgs, StatePullArgs, StatePushArgs, StateRmArgs, StateShowArgs,
};
use crate::render::Printer;
use crate::state::{Change, ResourceState, Snapshot, StateDocument, StateError};

/// `state list`: one address per line.
pub fn list(printer: Printer, dir: &Path) -> Result<u8, CmdError> {
    let locked = lock_state(dir, "state list", "0s")?;
    let snapshot = locked.state.snapshot()?;
    let lines: Vec<String> = snapshot.resources.keys().map(|a| a.to_string()).collect();
    if !lines.is_empty() {
        printer.out(&lines.join("\n"));
    }
    Ok(exit::OK)
}

/// `state show ADDR`: one instance, HCL-like, sensitive values hidden.
pub fn show(printer: Printer, dir: &Path, args: &StateShowArgs) -> Result<u8, CmdError> {
    let addr = parse_addr(&args.addr)?;
    let locked = lock_state(dir, "state show", &args.lock.lock_timeout)?;
    let snapshot = locked.state.snapshot()?;
    let Some(rs) = snapshot.resources.get(&addr) else {
        let keyed = instances_of(&snapshot, &addr.resource);
        if addr.key.is_none() && !keyed.is_empty() {
            let names: Vec<String> = keyed.iter().map(|a| a.to_string()).collect();
            return Err(CmdError::Message(format!(
                "{addr} has several instances; show one of them: {}",
                names.join(", ")
            )));
        }
        return Err(not_in_state(&addr));
    };
    printer.out(&render_instance(rs));
    Ok(exit::OK)
}

/// `state mv SRC DST`: an instance, or every instance of a resource.
pub fn mv(printer: Printer, dir: &Path, args: &StateMvArgs) -> Result<u8, CmdError> {
    let src = parse_addr(&args.source)?;
    let dst = parse_addr(&args.destination)?;
    let locked = lock_writer(dir, "state mv", &args.lock.lock_timeout, args.dry_run)?;
    let snapshot = locked.state.snapshot()?;
    let moves = plan_move(&snapshot, &src, &dst)?;
    if args.dry_run {
        for (from, to) in &moves {
            printer.out(&format!("Would move {from} to {to}"));
        }
        return Ok(exit::OK);
    }
    locked.state.commit(move_change(&snapshot, &moves))?;
    for (from, to) in &moves {
        printer.out(&format!("Move {from} to {to}"));
    }
    printer.out(&format!("Successfully moved {} object(s).", moves.len()));
    Ok(exit::OK)
}

/// `state rm ADDR...`: forgets instances; the objects stay in the workspace.
pub fn rm(printer: Printer, dir: &Path, args: &StateRmArgs) -> Result<u8, CmdError> {
    let targets = args
        .addrs
        .iter()
        .map(|a| parse_addr(a))
        .collect::<Result<Vec<_>, _>>()?;
    let locked = lock_writer(dir, "state rm", &args.lock.lock_timeout, args.dry_run)?;
    let snapshot = locked.state.snapshot()?;
    let mut matched = BTreeSet::new();
    for target in &targets {
        let found = matching(&snapshot, target);
        if found.is_empty() {
            return Err(CmdError::Message(format!(
                "no instance in state matches {target}; nothing was removed (see `workform state list`)"
            )));
        }
        matched.extend(found);
    }
    if args.dry_run {
        for addr in &matched {
            printer.out(&format!("Would remove {addr}"));
        }
        return Ok(exit::OK);
    }
    let count = matched.len();
    locked.state.commit(Change {
        remove: matched.iter().cloned().collect(),
        ..Change::default()
    })?;
    for addr in &matched {
        printer.out(&format!("Removed {addr}"));
    }
    printer.out(&format!(
        "Successfully removed {count} resource instance(s)."
    ));
    printer.err(
        "\nNothing was deleted in the workspace: the objects still exist, workform just no longer manages them. \
         While they remain in the configuration, the next plan proposes to create them again; \
         import them instead to manage the existing objects.",
    );
    Ok(exit::OK)
}

/// `state pull [--serial N]`: the state as JSON on stdout, sensitive values included.
pub fn pull(printer: Printer, dir: &Path, args: &StatePullArgs) -> Result<u8, CmdError> {
    let locked = lock_state(dir, "state pull", &args.lock.lock_timeout)?;
    let snapshot = match args.serial {
        Some(serial) => locked.state.snapshot_at(serial)?,
        None => locked.state.snapshot()?,
    };
    let doc = StateDocument::from_snapshot(&snapshot, locked.state.encrypted_at_rest()?);
    let text = serde_json::to_string_pretty(&doc)
        .map_err(|e| CmdError::Message(format!("cannot write the state as JSON: {e}")))?;
    printer.out(&text);
    Ok(exit::OK)
}

/// `state push FILE`: replaces the state with a document, as a new serial.
pub fn push(printer: Printer, dir: &Path, args: &StatePushArgs) -> Result<u8, CmdError> {
    let shown = args.file.display().to_string();
    let text = if shown == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            CmdError::Message(format!("cannot read the state document from stdin: {e}"))
        })?;
        text
    } else {
        std::fs::read_to_string(&args.file)
            .map_err(|e| CmdError::Message(format!("cannot read {shown}: {e}")))?
    };
    let doc =
        StateDocument::parse(&text).map_err(|e| CmdError::Message(format!("{shown}: {e}")))?;
    let incoming = doc.into_snapshot()?;
    let locked = lock_state(dir, "state push", &args.lock.lock_timeout)?;
    let current = locked.state.snapshot()?;
    let empty = current.resources.is_empty() && current.outputs.is_empty();
    if !args.force && !empty {
        check_push(&current, &incoming, &shown)?;
    }
    let same = current.meta.lineage == incoming.meta.lineage
        && current.meta.workspace_id == incoming.meta.workspace_id
        && current.resources == incoming.resources
        && current.outputs == incoming.outputs;
    if same {
        printer.out(&format!(
            "{shown} matches the current state (serial {}); nothing was written.",
            current.meta.serial
        ));
        return Ok(exit::OK);
    }
    let serial = locked.state.replace(&incoming)?;
    printer.out(&format!(
        "Pushed {shown} as serial {serial}: {} resource instance(s), {} output(s). The previous state is serial {} (`workform state pull --serial {}`).",
        incoming.resources.len(),
        incoming.outputs.len(),
        current.meta.serial,
        current.meta.serial
    ));
    Ok(exit::OK)
}

/// `force-unlock LOCK_ID`.
pub fn force_unlock(printer: Printer, dir: &Path, args: &ForceUnlockArgs) -> Result<u8, CmdError> {
    let wf = dir.join(".workform");
    let lock_path = wf.join("state.lock").display().to_string();
    let holder =
        crate::state::current_holder(&wf)?.ok_or(StateError::NotLocked { path: lock_path })?;
    let info = &holder.info;
    if info.id != args.lock_id.trim() {
        return Err(StateError::LockMismatch {
            given: args.lock_id.clone(),
            holder: Box::new(info.clone()),
        }
        .into());
    }
    let still_running = holder.active && holder.running == Some(true);
    if !args.force {
        let mut question = format!(
            "\nDo you really want to force-unlock?\n  The lock is held by pid {} on {} running `{}` since {} (lock ID {}).\n",
            info.pid, info.host, info.command, info.since, info.id
        );
        if still_running {
            question.push_str(&format!(
                "  That process is still running on this host: unlocking lets another run change the state while it works. Stopping it (kill {}) is usually the better fix.\n",
                info.pid
            ));
        } else if !holder.active {
            question.push_str("  No running process holds the lock any more; only its details were left behind.\n");
        }
        question.push_str("  Only 'yes' will be accepted to confirm.\n");
        if printer.prompt(&question).as_deref() != Some("yes") {
            printer.err("\nForce-unlock cancelled.");
            return Err(CmdError::Reported);
        }
    }
    crate::state::force_unlock(&wf, &info.id)?;
    printer.out(
        "workform state has been successfully unlocked!\n\nThe state has been unlocked, and workform commands should now be able to obtain a new lock.",
    );
    if still_running {
        printer.warning(&format!(
            "pid {} is still running. If it is a workform run, it keeps the state database open and other runs cannot open it until it exits.",
            info.pid
        ));
    }
    Ok(exit::OK)
}

/// Takes the lock for a command that may write. A dry run still locks, so what it shows is
/// what a real run would do right now.
fn lock_writer(
    dir: &Path,
    command: &str,
    timeout: &str,
    dry_run: bool,
) -> Result<LockedState, CmdError> {
    let name = if dry_run {
        format!("{command} --dry-run")
    } else {
        command.to_string()
    };
    lock_state(dir, &name, timeout)
}

fn parse_addr(text: &str) -> Result<InstanceAddr, CmdError> {
    text.trim()
        .parse()
        .map_err(|e| CmdError::Message(format!("{e}")))
}

fn not_in_state(addr: &InstanceAddr) -> CmdError {
    CmdError::Message(format!(
        "no instance {addr} in state (see `workform state list`)"
    ))
}

/// Every instance in state of one resource.
fn instances_of(snapshot: &Snapshot, resource: &ResourceAddr) -> Vec<InstanceAddr> {
    snapshot
        .resources
        .keys()
        .filter(|a| &a.resource == resource)
        .cloned()
        .collect()
}

/// The instances an address names: itself, or, without a key, all of its resource's.
fn matching(snapshot: &Snapshot, addr: &InstanceAddr) -> Vec<InstanceAddr> {
    if snapshot.resources.contains_key(addr) {
        return vec![addr.clone()];
    }
    if addr.key.is_none() {
        return instances_of(snapshot, &addr.resource);
    }
    Vec::new()
}

/// Which instance goes where, after checking the move is possible.
fn plan_move(
    snapshot: &Snapshot,
    src: &InstanceAddr,
    dst: &InstanceAddr,
) -> Result<Vec<(InstanceAddr, InstanceAddr)>, CmdError> {
    if src == dst {
        return Err(CmdError::Message(format!(
            "{src} and {dst} are the same address; nothing to move"
        )));
    }
    if src.resource.mode != dst.resource.mode {
        return Err(CmdError::Message(format!(
            "cannot move {src} to {dst}: a managed resource and a data source are different things"
        )));
    }
    if src.resource.type_name != dst.resource.type_name {
        return Err(CmdError::Message(format!(
            "cannot move {src} to {dst}: an object keeps its type ({} is not {}). To manage the object under another type, `state rm` it and import it as the new type",
            src.resource.type_name, dst.resource.type_name
        )));
    }
    if snapshot.resources.contains_key(src) {
        if snapshot.resources.contains_key(dst) {
            return Err(CmdError::Message(format!(
                "cannot move {src} to {dst}: {dst} already exists in state. Remove or move it first"
            )));
        }
        return Ok(vec![(src.clone(), dst.clone())]);
    }
    let all = if src.key.is_none() {
        instances_of(snapshot, &src.resource)
    } else {
        Vec::new()
    };
    if all.is_empty() {
        return Err(not_in_state(src));
    }
    if dst.key.is_some() {
        return Err(CmdError::Message(format!(
            "cannot move every instance of {src} into the single instance {dst}: move one instance (e.g. {}) or give a resource address without a key",
            all[0]
        )));
    }
    let taken = instances_of(snapshot, &dst.resource);
    if !taken.is_empty() {
        return Err(CmdError::Message(format!(
            "cannot move {src} to {dst}: {dst} already has instances in state ({}). Remove or move them first",
            taken
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(all
        .into_iter()
        .map(|a| (a.clone(), dst.resource.instance(a.key.clone())))
        .collect())
}

/// The state change for a move. Other instances that recorded a dependency on a resource
/// that is now entirely gone follow it to its new name, so destroy ordering stays right.
fn move_change(snapshot: &Snapshot, moves: &[(InstanceAddr, InstanceAddr)]) -> Change {
    let mut put: BTreeMap<InstanceAddr, ResourceState> = BTreeMap::new();
    for (from, to) in moves {
        let mut rs = snapshot.resources[from].clone();
        rs.addr = to.clone();
        put.insert(to.clone(), rs);
    }
    let moved: BTreeSet<&InstanceAddr> = moves.iter().map(|(f, _)| f).collect();
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for (from, to) in moves {
        let left_behind = snapshot
            .resources
            .keys()
            .any(|a| a.resource == from.resource && !moved.contains(a));
        if !left_behind {
            renamed.insert(from.resource.to_string(), to.resource.to_string());
        }
    }
    if !renamed.is_empty() {
        for rs in snapshot
            .resources
            .values()
            .filter(|r| !moved.contains(&r.addr))
        {
            if rs.dependencies.iter().any(|d| renamed.contains_key(d)) {
                let mut updated = rs.clone();
                for dep in &mut updated.dependencies {
                    if let Some(new) = renamed.get(dep) {
                        *dep = new.clone();
                    }
                }
                put.insert(updated.addr.clone(), updated);
            }
        }
        for rs in put.values_mut() {
            for dep in &mut rs.dependencies {
                if let Some(new) = renamed.get(dep) {
                    *dep = new.clone();
                }
            }
        }
    }
    Change {
        put: put.into_values().collect(),
        remove: moves.iter().map(|(f, _)| f.clone()).collect(),
        ..Change::default()
    }
}

/// Refuses a document that is not a newer (or the same) version of this state.
fn check_push(current: &Snapshot, incoming: &Snapshot, shown: &str) -> Result<(), CmdError> {
    if current.meta.lineage != incoming.meta.lineage {
        return Err(CmdError::Message(format!(
            "cannot push {shown}: its lineage {} differs from this state's lineage {}, so it is another state, not a version of this one. \
             If you mean to replace this state with it, use --force (the current state stays in the history as serial {}).",
            incoming.meta.lineage, current.meta.lineage, current.meta.serial
        )));
    }
    if incoming.meta.serial < current.meta.serial {
        return Err(CmdError::Message(format!(
            "cannot push {shown}: its serial {} is older than the current serial {}; pushing it would undo the changes written since. \
             Pull the current state (`workform state pull`) and edit that, or use --force.",
            incoming.meta.serial, current.meta.serial
        )));
    }
    if let (Some(theirs), Some(ours)) = (incoming.meta.workspace_id, current.meta.workspace_id)
        && theirs != ours
    {
        return Err(CmdError::Message(format!(
            "cannot push {shown}: it records workspace {theirs}, but this state belongs to workspace {ours}. Use --force if this is intended."
        )));
    }
    Ok(())
}

// ---- state show rendering ----------------------------------------------------------------

const INDENT: &str = "    ";

/// One instance as Terraform's `state show` prints it: attributes sorted, nested blocks from
/// the schema, nulls left out, sensitive values as `(sensitive value)`.
fn render_instance(rs: &ResourceState) -> String {
    let schema = match rs.mode {
        Mode::Managed => crate::schema::resource(&rs.type_name),
        Mode::Data => crate::schema::data_source(&rs.type_name),
    };
    let mut sensitive: BTreeSet<String> = rs.sensitive_attributes.iter().cloned().collect();
    if let Some(schema) = schema {
        sensitive.extend(schema.sensitive_attrs().map(str::to_string));
    }
    let blocks: BTreeSet<String> = schema
        .map(|s| s.blocks.keys().cloned().collect())
        .unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(out, "# {}:", rs.addr);
    let keyword = if rs.mode == Mode::Data {
        "data"
    } else {
        "resource"
    };
    let _ = writeln!(
        out,
        "{keyword} {:?} {:?} {{",
        rs.type_name, rs.addr.resource.name
    );
    render_body(&mut out, &rs.attributes, &sensitive, &blocks, 1);
    out.push('}');
    out
}

fn render_body(
    out: &mut String,
    attrs: &serde_json::Map<String, Json>,
    sensitive: &BTreeSet<String>,
    blocks: &BTreeSet<String>,
    depth: usize,
) {
    let pad = INDENT.repeat(depth);
    let mut names: Vec<&String> = attrs.keys().filter(|k| !attrs[*k].is_null()).collect();
    names.sort();
    let (block_names, attr_names): (Vec<&String>, Vec<&String>) =
        names.into_iter().partition(|n| {
            blocks.contains(*n)
                && !sensitive.contains(*n)
                && attrs[*n]
                    .as_array()
                    .is_some_and(|items| items.iter().all(Json::is_object))
        });
    let width = attr_names
        .iter()
        .map(|n| hcl_key(n).len())
        .max()
        .unwrap_or(0);
    for name in attr_names {
        let text = if sensitive.contains(name) {
            "(sensitive value)".to_string()
        } else {
            hcl_value(&attrs[name], depth)
        };
        let _ = writeln!(out, "{pad}{:width$} = {text}", hcl_key(name));
    }
    for name in block_names {
        for item in attrs[name].as_array().into_iter().flatten() {
            let _ = writeln!(out, "\n{pad}{name} {{");
            if let Some(map) = item.as_object() {
                render_body(out, map, &BTreeSet::new(), &BTreeSet::new(), depth + 1);
            }
            let _ = writeln!(out, "{pad}}}");
        }
    }
}

/// A key as HCL accepts it: bare when it is an identifier, quoted otherwise.
fn hcl_key(name: &str) -> String {
    let mut chars = name.chars();
    let ident = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident {
        name.to_string()
    } else {
        hcl_string(name)
    }
}

/// A quoted HCL string; template sequences are escaped so the text reads back literally.
fn hcl_string(s: &str) -> String {
    Json::String(s.to_string())
        .to_string()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

fn hcl_value(value: &Json, depth: usize) -> String {
    let pad = INDENT.repeat(depth);
    let inner = INDENT.repeat(depth + 1);
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => hcl_string(s),
        Json::Array(items) if items.is_empty() => "[]".into(),
        Json::Array(items) => {
            let mut text = "[\n".to_string();
            for item in items {
                let _ = writeln!(text, "{inner}{},", hcl_value(item, depth + 1));
            }
            text.push_str(&pad);
            text.push(']');
            text
        }
        Json::Object(map) if map.is_empty() => "{}".into(),
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let width = keys.iter().map(|k| hcl_key(k).len()).max().unwrap_or(0);
            let mut text = "{\n".to_string();
            for key in keys {
                let _ = writeln!(
                    text,
                    "{inner}{:width$} = {}",
                    hcl_key(key),
                    hcl_value(&map[key], depth + 1)
                );
            }
            text.push_str(&pad);
            text.push('}');
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Meta, STATE_VERSION};

    fn rs(addr: &str, attrs: Json, sensitive: &[&str], deps: &[&str]) -> ResourceState {
        let addr: InstanceAddr = addr.parse().unwrap();
        ResourceState {
            mode: addr.resource.mode,
            type_name: addr.resource.type_name.clone(),
            addr,
            attributes: attrs.as_object().unwrap().clone(),
            sensitive_attributes: sensitive.iter().map(|s| s.to_string()).collect(),
            dependencies: deps.iter().map(|s| s.to_string()).collect(),
            schema_version: 0,
        }
    }

    fn snapshot(items: Vec<ResourceState>) -> Snapshot {
        Snapshot {
            meta: Meta {
                version: STATE_VERSION,
                lineage: "l".into(),
                serial: 1,
                workspace_id: None,
            },
            resources: items.into_iter().map(|r| (r.addr.clone(), r)).collect(),
            outputs: BTreeMap::new(),
        }
    }

    fn addr(s: &str) -> InstanceAddr {
        s.parse().unwrap()
    }

    #[test]
    fn show_renders_hcl_and_hides_secrets() {
        let r = rs(
            "workato_project_property.p[\"a b\"]",
            serde_json::json!({"name": "x.y", "value": "s3cret", "project_id": 4, "gone": null, "tags": ["a"], "meta": {"k v": "${x}"}}),
            &["value"],
            &[],
        );
        let text = render_instance(&r);
        assert!(text.starts_with("# workato_project_property.p[\"a b\"]:\nresource \"workato_project_property\" \"p\" {\n"), "{text}");
        assert!(
            text.contains("    value      = (sensitive value)\n"),
            "{text}"
        );
        assert!(text.contains("    project_id = 4\n"), "{text}");
        assert!(
            text.contains("    tags       = [\n        \"a\",\n    ]\n"),
            "{text}"
        );
        assert!(text.contains("\"k v\" = \"$${x}\""), "{text}");
        assert!(!text.contains("s3cret") && !text.contains("gone"), "{text}");
        assert!(text.ends_with('}'));
    }

    #[test]
    fn show_renders_schema_blocks_as_blocks() {
        let r = rs(
            "workato_data_table.t",
            serde_json::json!({"name": "t", "column": [{"name": "email", "type": "string"}]}),
            &[],
            &[],
        );
        let text = render_instance(&r);
        assert!(
            text.contains(
                "\n    column {\n        name = \"email\"\n        type = \"string\"\n    }\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn moves_check_their_ends() {
        let snap = snapshot(vec![
            rs("workato_folder.a", serde_json::json!({"id": 1}), &[], &[]),
            rs(
                "workato_folder.b[0]",
                serde_json::json!({"id": 2}),
                &[],
                &[],
            ),
            rs(
                "workato_folder.b[1]",
                serde_json::json!({"id": 3}),
                &[],
                &[],
            ),
        ]);
        let err = |s: &str, d: &str| {
            plan_move(&snap, &addr(s), &addr(d))
                .unwrap_err()
                .to_string()
        };
        assert!(err("workato_folder.a", "workato_folder.b[0]").contains("already exists"));
        assert!(err("workato_folder.b", "workato_folder.a").contains("already has instances"));
        assert!(err("workato_folder.a", "workato_project.a").contains("keeps its type"));
        assert!(
            err("workato_folder.zz", "workato_folder.y").contains("no instance workato_folder.zz")
        );
        assert!(err("workato_folder.b", "workato_folder.c[0]").contains("single instance"));
        let moves = plan_move(&snap, &addr("workato_folder.b"), &addr("workato_folder.c")).unwrap();
        assert_eq!(
            moves,
            vec![
                (addr("workato_folder.b[0]"), addr("workato_folder.c[0]")),
                (addr("workato_folder.b[1]"), addr("workato_folder.c[1]")),
            ]
        );
    }

    #[test]
    fn dependencies_follow_a_resource_that_moved_entirely() {
        let snap = snapshot(vec![
            rs("workato_project.p", serde_json::json!({"id": 1}), &[], &[]),
            rs(
                "workato_folder.f",
                serde_json::json!({"id": 2}),
                &[],
                &["workato_project.p"],
            ),
        ]);
        let moves = plan_move(
            &snap,
            &addr("workato_project.p"),
            &addr("workato_project.q"),
        )
        .unwrap();
        let change = move_change(&snap, &moves);
        assert_eq!(change.remove, vec![addr("workato_project.p")]);
        let folder = change
            .put
            .iter()
            .find(|r| r.addr == addr("workato_folder.f"))
            .unwrap();
        assert_eq!(folder.dependencies, vec!["workato_project.q".to_string()]);
        assert!(
            change
                .put
                .iter()
                .any(|r| r.addr == addr("workato_project.q"))
        );
    }

    #[test]
    fn pushes_of_other_lineages_or_older_serials_are_refused() {
        let mut current = snapshot(vec![]);
        current.meta.serial = 5;
        let mut other = current.clone();
        other.meta.lineage = "z".into();
        assert!(
            check_push(&current, &other, "f")
                .unwrap_err()
                .to_string()
                .contains("lineage z differs")
        );
        let mut older = current.clone();
        older.meta.serial = 4;
        assert!(
            check_push(&current, &older, "f")
                .unwrap_err()
                .to_string()
                .contains("older than the current serial 5")
        );
        assert!(check_push(&current, &current.clone(), "f").is_ok());
    }
}
