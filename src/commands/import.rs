//! `workform import ADDR ID`: adopt an existing object without creating anything.

use std::collections::BTreeMap;
use std::path::Path;

use super::plan::prepare_state;
use super::session::Session;
use super::{CmdError, exit};
use crate::addr::{InstanceAddr, Mode};
use crate::cli::ImportArgs;
use crate::graph::Node;
use crate::plan::planner::{PlanError, find_by_id};
use crate::render::Printer;
use crate::state::{Change, ResourceState};

pub async fn run(
    printer: Printer,
    dir: &Path,
    sandbox: bool,
    args: &ImportArgs,
) -> Result<u8, CmdError> {
    let addr: InstanceAddr = args
        .addr
        .parse()
        .map_err(|e| CmdError::Message(format!("{e}")))?;
    if addr.resource.mode != Mode::Managed {
        return Err(CmdError::Message(
            "data sources cannot be imported: they are read on every plan".into(),
        ));
    }
    let session = Session::load(printer.clone(), dir, &args.vars)?;
    let Some(rc) = session
        .config
        .resources
        .iter()
        .find(|r| r.addr == addr.resource)
    else {
        return Err(CmdError::Message(format!(
            "Configuration for import target does not exist: add a resource block for {} (e.g. `resource \"{}\" \"{}\" {{ ... }}`) before importing into it",
            addr.resource, addr.resource.type_name, addr.resource.name
        )));
    };
    let repeated = rc.count.is_some() || rc.for_each.is_some();
    if repeated != addr.key.is_some() {
        return Err(CmdError::Message(if repeated {
            format!(
                "{} uses count or for_each: import into one instance, e.g. '{}[\"key\"]'",
                addr.resource, addr.resource
            )
        } else {
            format!(
                "{} uses neither count nor for_each: import into {} without an index",
                addr.resource, addr.resource
            )
        }));
    }
    let locked = session.lock_state("import", &args.lock_timeout)?;
    let remote = session.connect(sandbox).await?;
    let snapshot = prepare_state(&printer, &remote, &locked).await?;
    if snapshot.resources.contains_key(&addr) {
        return Err(CmdError::Message(format!(
            "Resource already managed by workform: {addr} is already in state; `workform state rm {addr}` first to import another object into it"
        )));
    }
    printer.out(&format!("{addr}: Importing from ID {:?}...", args.id));
    let object = find_by_id(&remote.api, &addr, &args.id, &mut BTreeMap::new())
        .await
        .map_err(|e| match e {
            PlanError::Import { message, .. } => CmdError::Message(message),
            other => CmdError::from(other),
        })?;
    if let Some(other) = snapshot.resources.values().find(|r| {
        r.type_name == addr.resource.type_name && r.attributes.get("id") == object.get("id")
    }) {
        return Err(CmdError::Message(format!(
            "that object is already managed as {}: one object, one address",
            other.addr
        )));
    }
    let schema = crate::schema::resource(&addr.resource.type_name).expect("resource has a schema");
    let record = ResourceState {
        addr: addr.clone(),
        mode: Mode::Managed,
        type_name: addr.resource.type_name.clone(),
        attributes: object,
        sensitive_attributes: schema.sensitive_attrs().map(str::to_string).collect(),
        dependencies: session
            .graph
            .resource_dependencies(&Node::Resource(addr.resource.clone()))
            .iter()
            .map(|a| a.to_string())
            .collect(),
        schema_version: 0,
    };
    locked.state.commit(Change {
        put: vec![record],
        ..Change::default()
    })?;
    printer.out(&format!("{addr}: Import complete [id={}]", args.id));
    printer.out(&format!(
        "\n{}\n\nThe object is now in workform's state and will henceforth be managed by workform. Run `workform plan` to see how it differs from the configuration.",
        printer.styles.green.apply_to("Import successful!").bold()
    ));
    Ok(exit::OK)
}
