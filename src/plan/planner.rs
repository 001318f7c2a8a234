//! Builds a plan: configuration × state × refreshed live objects → changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::diff::{IgnoreSet, diff_instance};
use super::eval::Evaluator;
use super::refresh::Refreshed;
use super::{Action, Drift, OutputChange, Plan, PlanMode, ResourceChange};
use crate::addr::{InstanceAddr, Mode, ResourceAddr};
use crate::config::{Config, Diagnostic, Diagnostics, IgnoreChanges, ResourceConfig};
use crate::graph::{ConfigGraph, Node};
use crate::schema::{self, Schema};
use crate::state::{ResourceState, Snapshot};
use crate::value::Value;
use crate::workato::data_source::{ReadError, data_source};
use crate::workato::{Api, Object};

/// What to plan.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub mode: PlanMode,
    /// `--replace`: instances to replace even if unchanged.
    pub replace: Vec<InstanceAddr>,
    /// `--target`: plan only these (and what they depend on). Empty = everything.
    pub targets: Vec<InstanceAddr>,
    /// Data source values already read (a saved plan's); `None` reads them afresh.
    pub data: Option<BTreeMap<InstanceAddr, Object>>,
    /// `validate`: unknown `count`/`for_each` values are allowed.
    pub validate_only: bool,
}

/// Why planning failed.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Config(Diagnostics),
    #[error("reading {addr}: {source}")]
    Data {
        addr: InstanceAddr,
        #[source]
        source: ReadError,
    },
    #[error("importing {addr}: {message}")]
    Import { addr: InstanceAddr, message: String },
}

impl From<Diagnostics> for PlanError {
    fn from(d: Diagnostics) -> Self {
        PlanError::Config(d)
    }
}

/// Plans. `refreshed` holds the live object (or `None`) for every managed resource in state.
/// Without `api` (validate), data sources are not read and stay unknown.
pub async fn plan(
    config: &Arc<Config>,
    graph: &ConfigGraph,
    vars: BTreeMap<String, Value>,
    snapshot: &Snapshot,
    refreshed: &Refreshed,
    options: &PlanOptions,
    api: Option<&Api>,
) -> Result<Plan, PlanError> {
    let (moved_snapshot, moves) = apply_moves(config, snapshot);
    let snapshot = &moved_snapshot;
    let mut refreshed: Refreshed = refreshed
        .iter()
        .map(|(a, o)| {
            (
                moves
                    .iter()
                    .find(|(from, _)| from == a)
                    .map_or(a.clone(), |(_, to)| to.clone()),
                o.clone(),
            )
        })
        .collect();
    let imports = if options.mode == PlanMode::Normal {
        resolve_imports(config, &vars, snapshot, &mut refreshed, api).await?
    } else {
        BTreeMap::new()
    };
    let refreshed = &refreshed;
    let mut plan = Plan {
        mode: options.mode,
        changes: Vec::new(),
        drift: detect_drift(snapshot, refreshed),
        outputs: BTreeMap::new(),
        warnings: Vec::new(),
        state_lineage: snapshot.meta.lineage.clone(),
        state_serial: snapshot.meta.serial,
        data: BTreeMap::new(),
    };
    if options.mode == PlanMode::RefreshOnly {
        return Ok(plan);
    }
    let in_scope = target_scope(graph, &options.targets);
    if !options.targets.is_empty() {
        plan.warnings.push(
            "Resource targeting is in effect: the plan may be incomplete. The --target option is not for routine use; it is for exceptional situations such as recovering from errors."
                .into(),
        );
    }
    if options.mode == PlanMode::Destroy {
        plan.changes = plan_destroy(snapshot, refreshed)
            .into_iter()
            .filter(|c| targeted(&options.targets, &in_scope, &c.addr))
            .collect();
        check_prevent_destroy(config, &plan)?;
        note_forgotten(&mut plan);
        return Ok(plan);
    }

    let mut eval = Evaluator::new(config.clone(), vars);
    if options.validate_only {
        eval = eval.lenient();
    }
    preset_deferred(&mut eval, graph, |addr| {
        refreshed
            .iter()
            .filter(|(a, _)| &a.resource == addr)
            .filter_map(|(a, live)| {
                let live = live.as_ref()?;
                Some((
                    a.key.clone(),
                    Value::from_json(&serde_json::Value::Object(live.clone())),
                ))
            })
            .collect()
    });
    let mut diags = Diagnostics::default();
    let mut in_config: BTreeSet<InstanceAddr> = BTreeSet::new();
    for node in graph.order() {
        match &node {
            Node::Var(_) => {}
            Node::Local(name) => {
                let local = config
                    .locals
                    .iter()
                    .find(|l| &l.name == name)
                    .expect("graph node has a local");
                if let Err(e) = eval.eval_local(local) {
                    diags.extend(e);
                }
            }
            Node::Resource(addr) => {
                let rc = config
                    .resources
                    .iter()
                    .find(|r| &r.addr == addr)
                    .expect("graph node has a block");
                if in_scope.as_ref().is_some_and(|scope| !scope.contains(addr)) {
                    eval.set_unknown(addr);
                    continue;
                }
                if addr.mode == Mode::Data {
                    match plan_data(&mut eval, rc, api, options.data.as_ref()).await {
                        Ok((changes, data)) => {
                            plan.changes.extend(changes);
                            plan.data.extend(data);
                        }
                        Err(PlanError::Config(e)) => {
                            eval.set_unknown(addr);
                            diags.extend(e);
                        }
                        Err(e) => return Err(e),
                    }
                    continue;
                }
                let deps = graph.resource_dependencies(&node);
                let inputs = ResourceInputs {
                    refreshed,
                    options,
                    imports: &imports,
                    moves: &moves,
                };
                match plan_resource(&mut eval, rc, deps, &inputs, &mut in_config) {
                    Ok(changes) => plan.changes.extend(changes),
                    Err(e) => {
                        eval.set_unknown(addr);
                        diags.extend(e);
                    }
                }
            }
            Node::Output(name) => {
                let output = config
                    .outputs
                    .iter()
                    .find(|o| &o.name == name)
                    .expect("graph node has an output");
                let result = eval.eval_output(output);
                if in_scope.is_some() && result.is_err() {
                    continue;
                }
                match result {
                    Ok(after) => {
                        let before = snapshot.outputs.get(name).map(|o| o.value.clone());
                        plan.outputs.insert(
                            name.clone(),
                            OutputChange {
                                before,
                                after,
                                sensitive: output.sensitive,
                            },
                        );
                    }
                    Err(e) => diags.extend(e),
                }
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags.into());
    }
    plan.changes.extend(
        plan_orphans(snapshot, refreshed, &in_config)
            .into_iter()
            .filter(|c| targeted(&options.targets, &in_scope, &c.addr))
            .map(|c| forget_if_removed(config, c)),
    );
    if in_scope.is_some() {
        // Outputs may refer to resources left out of the plan.
        plan.outputs.retain(|_, o| !o.after.contains_unknown());
    }
    check_prevent_destroy(config, &plan)?;
    note_forgotten(&mut plan);
    Ok(plan)
}

/// What planning one resource needs besides the evaluator.
struct ResourceInputs<'a> {
    refreshed: &'a Refreshed,
    options: &'a PlanOptions,
    imports: &'a BTreeMap<InstanceAddr, String>,
    moves: &'a [(InstanceAddr, InstanceAddr)],
}

fn plan_resource(
    eval: &mut Evaluator,
    rc: &ResourceConfig,
    dependencies: BTreeSet<ResourceAddr>,
    inputs: &ResourceInputs<'_>,
    in_config: &mut BTreeSet<InstanceAddr>,
) -> Result<Vec<ResourceChange>, Diagnostics> {
    let ResourceInputs {
        refreshed,
        options,
        imports,
        moves,
    } = *inputs;
    let schema = schema_for(&eval.config, rc)?;
    let ignore = ignore_set(&eval.config, rc, schema)?;
    let mut changes = Vec::new();
    let mut diags = Diagnostics::default();
    for exp in eval.expand(rc)? {
        let addr = rc.addr.instance(exp.key.clone());
        in_config.insert(addr.clone());
        let config_values = match eval.eval_instance(rc, schema, &exp) {
            Ok(v) => v,
            Err(e) => {
                diags.extend(e);
                eval.set_instance(&rc.addr, exp.key.clone(), Value::Unknown);
                continue;
            }
        };
        let prior = refreshed.get(&addr).and_then(Option::as_ref);
        let mut diff = diff_instance(
            schema,
            &config_values,
            prior,
            &ignore,
            options.replace.contains(&addr),
        );
        if let (Some(resource), Value::Object(after)) = (
            crate::workato::resource::resource(&rc.addr.type_name),
            &mut diff.after,
        ) {
            resource.plan_computed(after);
        }
        let sensitive = sensitive_attrs(schema, &config_values);
        eval.set_instance(&rc.addr, exp.key.clone(), mark(&diff.after, &sensitive));
        changes.push(ResourceChange {
            importing: imports.get(&addr).cloned(),
            moved_from: moves
                .iter()
                .find(|(_, to)| to == &addr)
                .map(|(from, _)| from.clone()),
            addr,
            type_name: rc.addr.type_name.clone(),
            action: diff.action,
            before: prior.cloned(),
            after: Some(diff.after),
            replace_paths: diff.replace_paths,
            sensitive,
            reason: None,
            dependencies: dependencies.clone(),
        });
    }
    eval.finish_resource(&rc.addr);
    if diags.is_empty() {
        Ok(changes)
    } else {
        Err(diags)
    }
}

/// Targets of deferred references get provisional values (`known`: their current
/// instances) before the walk reaches them.
pub fn preset_deferred(
    eval: &mut Evaluator,
    graph: &ConfigGraph,
    known: impl Fn(&ResourceAddr) -> Vec<(Option<crate::addr::InstanceKey>, Value)>,
) {
    let targets: BTreeSet<&ResourceAddr> = graph.deferred().iter().map(|(_, to)| to).collect();
    for to in targets {
        let config = eval.config.clone();
        if let Some(rc) = config.resources.iter().find(|r| &r.addr == to) {
            eval.preset(rc, known(to));
        }
    }
}

/// With `--target`, the targeted resources and everything they depend on; `None` = all.
fn target_scope(graph: &ConfigGraph, targets: &[InstanceAddr]) -> Option<BTreeSet<ResourceAddr>> {
    if targets.is_empty() {
        return None;
    }
    let mut scope = BTreeSet::new();
    for t in targets {
        scope.insert(t.resource.clone());
        scope.extend(graph.resource_dependencies(&Node::Resource(t.resource.clone())));
    }
    Some(scope)
}

/// Whether an instance is inside the `--target` selection.
fn targeted(
    targets: &[InstanceAddr],
    scope: &Option<BTreeSet<ResourceAddr>>,
    addr: &InstanceAddr,
) -> bool {
    match scope {
        None => true,
        Some(scope) => {
            targets
                .iter()
                .any(|t| t == addr || (t.key.is_none() && t.resource == addr.resource))
                || (scope.contains(&addr.resource)
                    && !targets.iter().any(|t| t.resource == addr.resource))
        }
    }
}

type DataOutcome = (Vec<ResourceChange>, BTreeMap<InstanceAddr, Object>);

/// Reads a data source now when its arguments are known; otherwise plans a read during apply.
async fn plan_data(
    eval: &mut Evaluator,
    rc: &ResourceConfig,
    api: Option<&Api>,
    already_read: Option<&BTreeMap<InstanceAddr, Object>>,
) -> Result<DataOutcome, PlanError> {
    let schema = schema_for(&eval.config, rc)?;
    let mut changes = Vec::new();
    let mut data = BTreeMap::new();
    for exp in eval.expand(rc)? {
        let addr = rc.addr.instance(exp.key.clone());
        let args = eval.eval_instance(rc, schema, &exp)?;
        let sensitive = sensitive_attrs(schema, &args);
        let known = args.values().all(|v| !v.contains_unknown());
        let saved = already_read.and_then(|d| d.get(&addr)).cloned();
        match (api, known) {
            (_, true) if saved.is_some() => {
                let object = saved.expect("checked");
                eval.set_instance(
                    &rc.addr,
                    exp.key.clone(),
                    mark(
                        &Value::from_json(&serde_json::Value::Object(object.clone())),
                        &sensitive,
                    ),
                );
                data.insert(addr, object);
            }
            (Some(api), true) => {
                let object = read_data(api, &addr, &args).await?;
                eval.set_instance(
                    &rc.addr,
                    exp.key.clone(),
                    mark(
                        &Value::from_json(&serde_json::Value::Object(object.clone())),
                        &sensitive,
                    ),
                );
                data.insert(addr, object);
            }
            _ => {
                let mut after = args.clone();
                for (name, attr) in &schema.attributes {
                    if !attr.is_configurable() || !after.contains_key(name) {
                        after.entry(name.clone()).or_insert(Value::Unknown);
                    }
                }
                let after = Value::Object(after);
                eval.set_instance(&rc.addr, exp.key.clone(), mark(&after, &sensitive));
                changes.push(ResourceChange {
                    addr,
                    type_name: rc.addr.type_name.clone(),
                    action: Action::Read,
                    before: None,
                    after: Some(after),
                    replace_paths: vec![],
                    sensitive,
                    reason: Some("config refers to values not yet known".into()),
                    dependencies: BTreeSet::new(),
                    importing: None,
                    moved_from: None,
                });
            }
        }
    }
    eval.finish_resource(&rc.addr);
    Ok((changes, data))
}

/// Reads one data source instance with known arguments.
pub async fn read_data(
    api: &Api,
    addr: &InstanceAddr,
    args: &BTreeMap<String, Value>,
) -> Result<Object, PlanError> {
    let ds = data_source(&addr.resource.type_name).ok_or_else(|| PlanError::Data {
        addr: addr.clone(),
        source: ReadError::NoMatch("this data source type has no implementation".into()),
    })?;
    let args: Object = args
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().unmark_deep().0.to_json()))
        .collect();
    ds.read(api, &args).await.map_err(|source| PlanError::Data {
        addr: addr.clone(),
        source,
    })
}

/// The schema of a resource block's type, or a diagnostic listing the known types.
pub fn schema_for(config: &Config, rc: &ResourceConfig) -> Result<&'static Schema, Diagnostics> {
    let found = match rc.addr.mode {
        Mode::Managed => schema::resource(&rc.addr.type_name),
        Mode::Data => schema::data_source(&rc.addr.type_name),
    };
    found.ok_or_else(|| {
        let known: Vec<&str> = schema::all()
            .iter()
            .filter(|s| (s.kind == schema::Kind::Resource) == (rc.addr.mode == Mode::Managed))
            .map(|s| s.type_name.as_str())
            .collect();
        let what = if rc.addr.mode == Mode::Managed {
            "resource"
        } else {
            "data source"
        };
        Diagnostic::error(format!(
            "Invalid {what} type: workform has no {what} type \"{}\"",
            rc.addr.type_name
        ))
        .at(&config.sources, rc.span, "unknown type")
        .with_help(format!("known {what} types: {}", known.join(", ")))
        .into()
    })
}

pub fn ignore_set(
    config: &Config,
    rc: &ResourceConfig,
    schema: &Schema,
) -> Result<IgnoreSet, Diagnostics> {
    Ok(match &rc.lifecycle.ignore_changes {
        IgnoreChanges::None => IgnoreSet::Nothing,
        IgnoreChanges::All => IgnoreSet::All,
        IgnoreChanges::Attrs(attrs) => {
            let mut diags = Diagnostics::default();
            for (name, span) in attrs {
                if !schema.attributes.contains_key(name) {
                    diags.push(
                        Diagnostic::error(format!("Unsupported attribute in ignore_changes: {} has no attribute \"{name}\"", rc.addr.type_name))
                            .at(&config.sources, *span, "unknown attribute"),
                    );
                }
            }
            if !diags.is_empty() {
                return Err(diags);
            }
            IgnoreSet::Attrs(attrs.iter().map(|(n, _)| n.clone()).collect())
        }
    })
}

/// Schema-sensitive attributes plus any whose value carries a sensitivity mark.
pub fn sensitive_attrs(schema: &Schema, values: &BTreeMap<String, Value>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = schema.sensitive_attrs().map(str::to_string).collect();
    out.extend(
        values
            .iter()
            .filter(|(_, v)| v.contains_sensitive())
            .map(|(k, _)| k.clone()),
    );
    out
}

/// The planned object with its sensitive attributes marked, as references see it.
pub fn mark(after: &Value, sensitive: &BTreeSet<String>) -> Value {
    match after {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), v.clone().marked_if(sensitive.contains(k))))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Objects in state that the configuration no longer declares.
fn plan_orphans(
    snapshot: &Snapshot,
    refreshed: &Refreshed,
    in_config: &BTreeSet<InstanceAddr>,
) -> Vec<ResourceChange> {
    snapshot
        .managed()
        .filter(|r| !in_config.contains(&r.addr))
        .filter_map(|r| {
            let live = refreshed.get(&r.addr).cloned().flatten()?;
            let reason = match &r.addr.key {
                Some(key) if in_config.iter().any(|a| a.resource == r.addr.resource) => {
                    format!("because key {key} is not in for_each map or count")
                }
                _ => format!("because {} is not in configuration", r.addr.resource),
            };
            Some(delete_change(r, live, Some(reason)))
        })
        .collect()
}

fn plan_destroy(snapshot: &Snapshot, refreshed: &Refreshed) -> Vec<ResourceChange> {
    snapshot
        .managed()
        .filter_map(|r| {
            let live = refreshed.get(&r.addr).cloned().flatten()?;
            Some(delete_change(r, live, None))
        })
        .collect()
}

fn delete_change(r: &ResourceState, live: Object, reason: Option<String>) -> ResourceChange {
    ResourceChange {
        addr: r.addr.clone(),
        type_name: r.type_name.clone(),
        action: Action::Delete,
        before: Some(live),
        after: None,
        replace_paths: vec![],
        sensitive: r.sensitive_attributes.iter().cloned().collect(),
        reason,
        dependencies: r
            .dependencies
            .iter()
            .filter_map(|d| d.parse::<InstanceAddr>().ok().map(|a| a.resource))
            .collect(),
        importing: None,
        moved_from: None,
    }
}

/// Objects whose attributes changed outside workform, or that vanished.
fn detect_drift(snapshot: &Snapshot, refreshed: &Refreshed) -> Vec<Drift> {
    let mut out = Vec::new();
    for r in snapshot.managed() {
        let Some(live) = refreshed.get(&r.addr) else {
            continue;
        };
        let Some(schema) = schema::resource(&r.type_name) else {
            continue;
        };
        let changed = match live {
            None => true,
            Some(live) => schema.attributes.iter().any(|(name, attr)| {
                attr.is_configurable()
                    && !attr.write_only
                    && !attr.local_only
                    && r.attributes.get(name) != live.get(name)
            }),
        };
        if changed {
            out.push(Drift {
                addr: r.addr.clone(),
                type_name: r.type_name.clone(),
                before: r.attributes.clone(),
                after: live.clone(),
                sensitive: r.sensitive_attributes.iter().cloned().collect(),
            });
        }
    }
    out
}

/// A `removed { from = X, lifecycle { destroy = false } }` block turns the delete of an
/// orphan of X into a forget.
fn forget_if_removed(config: &Config, mut change: ResourceChange) -> ResourceChange {
    let keep = config
        .removed
        .iter()
        .any(|r| r.from == change.addr.resource && !r.destroy);
    if keep {
        change.action = Action::Forget;
        change.reason = Some("destroy = false is set in the configuration".into());
    }
    change
}

/// Applies `moved` blocks to a copy of the state: each instance at a `from` address (and
/// not already at `to`) takes the `to` address. Returns the moved state and the moves.
fn apply_moves(
    config: &Config,
    snapshot: &Snapshot,
) -> (Snapshot, Vec<(InstanceAddr, InstanceAddr)>) {
    let mut moved = snapshot.clone();
    let mut moves = Vec::new();
    for block in &config.moved {
        let (from_res, from_key) = &block.from;
        let (to_res, to_key) = &block.to;
        let matching: Vec<InstanceAddr> = moved
            .resources
            .keys()
            .filter(|a| &a.resource == from_res && (from_key.is_none() || &a.key == from_key))
            .cloned()
            .collect();
        for from in matching {
            let to = InstanceAddr {
                resource: to_res.clone(),
                key: if from_key.is_none() && to_key.is_none() {
                    from.key.clone()
                } else {
                    to_key.clone()
                },
            };
            if moved.resources.contains_key(&to) {
                continue;
            }
            if let Some(mut record) = moved.resources.remove(&from) {
                record.addr = to.clone();
                moved.resources.insert(to.clone(), record);
                moves.push((from, to));
            }
        }
    }
    (moved, moves)
}

/// Resolves `import` blocks whose target is not yet in state: the remote object is found
/// by id (one listing per type) and becomes the instance's prior object.
async fn resolve_imports(
    config: &Config,
    vars: &BTreeMap<String, Value>,
    snapshot: &Snapshot,
    refreshed: &mut Refreshed,
    api: Option<&Api>,
) -> Result<BTreeMap<InstanceAddr, String>, PlanError> {
    let mut out = BTreeMap::new();
    let mut listings: BTreeMap<String, Vec<Object>> = BTreeMap::new();
    let empty = BTreeMap::new();
    let scope = crate::config::Scope {
        dir: &config.dir,
        vars,
        locals: &empty,
        resources: &BTreeMap::new(),
        each: None,
        count_index: None,
    };
    for block in &config.imports {
        let (resource, key_expr, _) = &block.to;
        let key = match key_expr {
            None => None,
            Some(expr) => Some(match crate::config::eval(expr, &scope)?.unmark_deep().0 {
                Value::String(s) => crate::addr::InstanceKey::Str(s),
                Value::Number(n) => crate::addr::InstanceKey::Int(n as i64),
                _ => {
                    return Err(Diagnostics::from(
                        Diagnostic::error(
                            "Invalid import address: the key must be a string or a number",
                        )
                        .at(&config.sources, expr.span(), "invalid key"),
                    )
                    .into());
                }
            }),
        };
        let addr = resource.instance(key);
        let id = match crate::config::eval(&block.id, &scope)?.unmark_deep().0 {
            Value::String(s) => s,
            Value::Number(n) => crate::value::format_number(n),
            _ => {
                return Err(Diagnostics::from(
                    Diagnostic::error("Invalid import id: the id must be a known string").at(
                        &config.sources,
                        block.id.span(),
                        "invalid id",
                    ),
                )
                .into());
            }
        };
        if snapshot.resources.contains_key(&addr) {
            continue; // Already managed: the block is inert.
        }
        if let Some(Some(_)) = refreshed.get(&addr) {
            out.insert(addr, id); // A saved plan's import, already looked up.
            continue;
        }
        let Some(api) = api else { continue };
        let object = find_by_id(api, &addr, &id, &mut listings).await?;
        refreshed.insert(addr.clone(), Some(object));
        out.insert(addr, id);
    }
    Ok(out)
}

/// Finds one remote object by its id (as text), listing its type once.
pub async fn find_by_id(
    api: &Api,
    addr: &InstanceAddr,
    id: &str,
    listings: &mut BTreeMap<String, Vec<Object>>,
) -> Result<Object, PlanError> {
    let err = |message: String| PlanError::Import {
        addr: addr.clone(),
        message,
    };
    let type_name = &addr.resource.type_name;
    let resource = crate::workato::resource::resource(type_name)
        .ok_or_else(|| err(format!("{type_name} cannot be imported")))?;
    if !listings.contains_key(type_name) {
        let all = resource
            .list_all(api)
            .await
            .map_err(|e| err(e.to_string()))?
            .ok_or_else(|| err(format!("{type_name} does not support import")))?;
        listings.insert(type_name.clone(), all);
    }
    listings[type_name]
        .iter()
        .find(|o| o.get("id").is_some_and(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string) == id))
        .cloned()
        .ok_or_else(|| err(format!("Cannot import non-existent remote object: no {type_name} with id {id:?} exists in the workspace")))
}

/// `lifecycle { prevent_destroy = true }` turns any planned destroy of the resource into an error.
fn check_prevent_destroy(config: &Config, plan: &Plan) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    for change in &plan.changes {
        if !matches!(change.action, Action::Delete | Action::Replace) {
            continue;
        }
        let Some(rc) = config
            .resources
            .iter()
            .find(|r| r.addr == change.addr.resource)
        else {
            continue;
        };
        if rc.lifecycle.prevent_destroy {
            diags.push(
                Diagnostic::error(format!("Instance cannot be destroyed: {}", change.addr))
                    .at(&config.sources, rc.span, "lifecycle.prevent_destroy is set")
                    .with_help(format!(
                        "Resource {} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the --target option.",
                        change.addr
                    )),
            );
        }
    }
    if diags.is_empty() { Ok(()) } else { Err(diags) }
}

/// Deletes that only forget (the API has no delete) get a warning up front.
fn note_forgotten(plan: &mut Plan) {
    for c in &plan.changes {
        let forgets = schema::resource(&c.type_name).is_some_and(|s| s.delete_forgets);
        if matches!(c.action, Action::Delete | Action::Replace) && forgets {
            plan.warnings.push(format!(
                "{}: the Workato API cannot delete this kind of object; destroying it only removes it from workform's state",
                c.addr
            ));
        }
    }
}
