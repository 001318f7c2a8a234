//! Applying a plan: deletes in reverse dependency order, then a concurrent walk of the
//! configuration graph that re-evaluates each resource with real values, calls the API,
//! and records the result in state after every single operation.

pub mod recover;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::addr::{InstanceAddr, Mode};
use crate::config::{Config, Diagnostics};
use crate::graph::walk::walk;
use crate::graph::{ConfigGraph, Node};
use crate::plan::diff::diff_instance;
use crate::plan::eval::Evaluator;
use crate::plan::planner::{
    ignore_set, mark, preset_deferred, read_data, schema_for, sensitive_attrs,
};
use crate::plan::{Action, Plan, PlanMode, ResourceChange};
use crate::state::{Change, OutputState, ResourceState, StateDb, StateError};
use crate::value::Value;
use crate::workato::{self, Api, ApiError, Deleted, Object};

/// What the applier tells the user as it goes (implemented by `render`).
pub trait Observer: Send + Sync {
    fn started(&self, addr: &InstanceAddr, action: Action, id: Option<String>);
    fn finished(&self, addr: &InstanceAddr, action: Action, elapsed: Duration, id: Option<String>);
    fn warning(&self, message: &str);
}

/// One failed operation.
#[derive(Debug)]
pub struct Failure {
    pub addr: String,
    pub operation: &'static str,
    pub message: String,
}

/// The outcome of an apply.
#[derive(Debug, Default)]
pub struct Report {
    pub imported: usize,
    pub forgotten: usize,
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    pub failures: Vec<Failure>,
    /// Configuration errors met while re-evaluating with real values.
    pub diagnostics: Diagnostics,
    pub outputs: BTreeMap<String, OutputState>,
}

/// A fatal problem that stops the apply (state could not be written).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    State(#[from] StateError),
}

/// Everything an apply needs.
pub struct Applier {
    pub config: Arc<Config>,
    pub graph: Arc<ConfigGraph>,
    pub vars: BTreeMap<String, Value>,
    pub api: Api,
    pub state: Arc<StateDb>,
    pub parallelism: usize,
    pub observer: Arc<dyn Observer>,
}

struct Shared {
    eval: Mutex<Evaluator>,
    report: Mutex<Report>,
    /// Set when the state could not be written: nothing more may be attempted.
    fatal: Mutex<Option<StateError>>,
    api_slots: Semaphore,
    plan: Plan,
    api: Api,
    state: Arc<StateDb>,
    observer: Arc<dyn Observer>,
    graph: Arc<ConfigGraph>,
    /// `plan.changes` by address (thousands of instances look theirs up).
    change_index: BTreeMap<InstanceAddr, usize>,
    /// Instances applied without some block items whose values were not known yet
    /// (deferred references); they are updated once the walk is done.
    second_pass: Mutex<Vec<InstanceAddr>>,
}

impl Shared {
    fn change(&self, addr: &InstanceAddr) -> Option<&ResourceChange> {
        self.change_index.get(addr).map(|i| &self.plan.changes[*i])
    }
}

impl Applier {
    pub async fn apply(self, plan: Plan) -> Result<Report, ApplyError> {
        let shared = Arc::new(Shared {
            eval: Mutex::new(Evaluator::new(self.config.clone(), self.vars.clone())),
            report: Mutex::new(Report::default()),
            fatal: Mutex::new(None),
            api_slots: Semaphore::new(self.parallelism.max(1)),
            api: self.api.clone(),
            state: self.state.clone(),
            observer: self.observer.clone(),
            graph: self.graph.clone(),
            second_pass: Mutex::new(Vec::new()),
            change_index: plan
                .changes
                .iter()
                .enumerate()
                .map(|(i, c)| (c.addr.clone(), i))
                .collect(),
            plan,
        });
        forget_vanished(&shared)?;
        commit_moves_and_forgets(&shared)?;
        run_deletes(&shared, self.parallelism).await;
        if shared.plan.mode == PlanMode::Normal && shared.fatal.lock().unwrap().is_none() {
            preset_deferred(&mut shared.eval.lock().unwrap(), &shared.graph, |addr| {
                shared
                    .plan
                    .changes
                    .iter()
                    .filter(|c| &c.addr.resource == addr)
                    .filter_map(|c| {
                        Some((
                            c.addr.key.clone(),
                            Value::from_json(&serde_json::Value::Object(c.before.clone()?)),
                        ))
                    })
                    .collect()
            });
            run_config_walk(&shared, &self.config).await;
            if shared.fatal.lock().unwrap().is_none() {
                run_second_pass(&shared, &self.config).await;
            }
            if shared.fatal.lock().unwrap().is_none() {
                record_outputs(&shared, &self.config)?;
            }
        } else if shared.plan.mode == PlanMode::Destroy {
            shared.state.commit(Change {
                outputs: Some(BTreeMap::new()),
                ..Change::default()
            })?;
        }
        let shared = Arc::try_unwrap(shared)
            .unwrap_or_else(|_| panic!("apply tasks still hold the shared state"));
        if let Some(e) = shared.fatal.into_inner().unwrap() {
            return Err(e.into());
        }
        Ok(shared.report.into_inner().unwrap())
    }
}

/// `--refresh-only`: the state takes the live values of drifted objects and forgets
/// vanished ones; nothing in the workspace changes.
pub fn apply_refresh_only(state: &StateDb, plan: &Plan) -> Result<(), StateError> {
    let snapshot = state.snapshot()?;
    let mut change = Change::default();
    for d in &plan.drift {
        match &d.after {
            None => change.remove.push(d.addr.clone()),
            Some(live) => {
                if let Some(mut record) = snapshot.resources.get(&d.addr).cloned() {
                    record.attributes = live.clone();
                    change.put.push(record);
                }
            }
        }
    }
    if !change.put.is_empty() || !change.remove.is_empty() {
        state.commit(change)?;
    }
    Ok(())
}

/// `moved` blocks take effect in state first; `removed { destroy = false }` forgets.
fn commit_moves_and_forgets(shared: &Shared) -> Result<(), StateError> {
    let snapshot = shared.state.snapshot()?;
    let mut change = Change::default();
    for c in &shared.plan.changes {
        if let Some(from) = &c.moved_from
            && let Some(mut record) = snapshot.resources.get(from).cloned()
        {
            record.addr = c.addr.clone();
            change.remove.push(from.clone());
            change.put.push(record);
        }
        if c.action == Action::Forget {
            change.remove.push(c.addr.clone());
            shared.observer.warning(&format!("{}: removed from state; the object still exists in the workspace (destroy = false)", c.addr));
            shared.report.lock().unwrap().forgotten += 1;
        }
    }
    if !change.put.is_empty() || !change.remove.is_empty() {
        shared.state.commit(change)?;
    }
    Ok(())
}

/// Objects deleted outside workform and not planned for re-creation leave the state.
fn forget_vanished(shared: &Shared) -> Result<(), StateError> {
    let gone: Vec<InstanceAddr> = shared
        .plan
        .drift
        .iter()
        .filter(|d| d.after.is_none())
        .filter(|d| {
            !shared
                .plan
                .changes
                .iter()
                .any(|c| c.addr == d.addr && c.action == Action::Create)
        })
        .map(|d| d.addr.clone())
        .collect();
    if !gone.is_empty() {
        shared.state.commit(Change {
            remove: gone,
            ..Change::default()
        })?;
    }
    Ok(())
}

/// Deletes of objects no longer in the configuration (or all, when destroying): each one
/// waits for the deletes of everything that depended on it.
async fn run_deletes(shared: &Arc<Shared>, parallelism: usize) {
    let deletes: Vec<&ResourceChange> = shared
        .plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .collect();
    let mut deps: BTreeMap<InstanceAddr, BTreeSet<InstanceAddr>> = BTreeMap::new();
    for d in &deletes {
        let waits_for = deletes
            .iter()
            .filter(|other| other.dependencies.contains(&d.addr.resource))
            .map(|other| other.addr.clone())
            .collect();
        deps.insert(d.addr.clone(), waits_for);
    }
    let shared2 = shared.clone();
    walk(deps, parallelism, move |addr| {
        let shared = shared2.clone();
        async move {
            let change = shared.change(&addr).expect("delete is planned").clone();
            delete_one(&shared, &change).await
        }
    })
    .await;
}

async fn delete_one(shared: &Shared, change: &ResourceChange) -> bool {
    let Some(resource) = workato::resource::resource(&change.type_name) else {
        return false;
    };
    let prior = change.before.clone().unwrap_or_default();
    let _slot = shared.api_slots.acquire().await.expect("semaphore open");
    let id = display_id(&prior);
    shared
        .observer
        .started(&change.addr, Action::Delete, id.clone());
    let started = Instant::now();
    match resource.delete(&shared.api, &prior).await {
        Ok(outcome) => {
            if let Deleted::Forgotten(note) = outcome {
                shared.observer.warning(&format!("{}: {note}", change.addr));
            }
            if !commit(
                shared,
                Change {
                    remove: vec![change.addr.clone()],
                    ..Change::default()
                },
            ) {
                return false;
            }
            shared.report.lock().unwrap().destroyed += 1;
            shared
                .observer
                .finished(&change.addr, Action::Delete, started.elapsed(), id);
            true
        }
        Err(e) => {
            fail(shared, &change.addr, "delete", &e);
            false
        }
    }
}

/// Walks the configuration graph: locals and outputs are re-evaluated, resources applied.
async fn run_config_walk(shared: &Arc<Shared>, config: &Arc<Config>) {
    let deps: BTreeMap<Node, BTreeSet<Node>> = shared
        .graph
        .order()
        .into_iter()
        .filter(|n| !matches!(n, Node::Output(_)))
        .map(|n| {
            let d = shared.graph.dependencies(&n).into_iter().collect();
            (n, d)
        })
        .collect();
    let shared2 = shared.clone();
    let config = config.clone();
    // Nodes are cheap; the API slots bound the real concurrency.
    walk(deps, usize::MAX, move |node| {
        let shared = shared2.clone();
        let config = config.clone();
        async move { apply_node(&shared, &config, node).await }
    })
    .await;
}

async fn apply_node(shared: &Arc<Shared>, config: &Config, node: Node) -> bool {
    if shared.fatal.lock().unwrap().is_some() {
        return false;
    }
    match node {
        Node::Var(_) | Node::Output(_) => true,
        Node::Local(name) => {
            let local = config
                .locals
                .iter()
                .find(|l| l.name == name)
                .expect("local exists");
            match shared.eval.lock().unwrap().eval_local(local) {
                Ok(()) => true,
                Err(e) => {
                    shared.report.lock().unwrap().diagnostics.extend(e);
                    false
                }
            }
        }
        Node::Resource(addr) => {
            let rc = config
                .resources
                .iter()
                .find(|r| r.addr == addr)
                .expect("resource exists");
            if rc.addr.mode == Mode::Data {
                return apply_data(shared, config, rc).await;
            }
            apply_resource(shared, config, rc, &Node::Resource(addr.clone())).await
        }
    }
}

/// Applies every instance of one resource block, concurrently.
async fn apply_resource(
    shared: &Arc<Shared>,
    config: &Config,
    rc: &crate::config::ResourceConfig,
    node: &Node,
) -> bool {
    let prepared = {
        let mut eval = shared.eval.lock().unwrap();
        prepare_instances(&mut eval, config, rc)
    };
    let instances = match prepared {
        Ok(i) => i,
        Err(e) => {
            shared.report.lock().unwrap().diagnostics.extend(e);
            return false;
        }
    };
    let dependencies: Vec<String> = shared
        .graph
        .resource_dependencies(node)
        .iter()
        .map(|a| a.to_string())
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for (addr, config_values) in instances {
        let shared = shared.clone();
        let dependencies = dependencies.clone();
        let rc_addr = rc.addr.clone();
        let ignore = ignore_set(config, rc, schema_for(config, rc).expect("checked at plan"))
            .expect("checked at plan");
        let cbd = rc.lifecycle.create_before_destroy;
        tasks.spawn(async move {
            let value =
                apply_instance(&shared, &addr, config_values, &ignore, dependencies, cbd).await;
            (rc_addr, addr, value)
        });
    }
    let mut ok = true;
    while let Some(joined) = tasks.join_next().await {
        let (rc_addr, addr, value) = joined.expect("apply task panicked");
        let mut eval = shared.eval.lock().unwrap();
        match value {
            Some(v) => eval.set_instance(&rc_addr, addr.key.clone(), v),
            None => {
                ok = false;
                eval.set_instance(&rc_addr, addr.key.clone(), Value::Unknown);
            }
        }
    }
    shared.eval.lock().unwrap().finish_resource(&rc.addr);
    ok
}

/// Data sources: the value read while planning, or a read now that arguments are known.
async fn apply_data(
    shared: &Arc<Shared>,
    config: &Config,
    rc: &crate::config::ResourceConfig,
) -> bool {
    let prepared = {
        let mut eval = shared.eval.lock().unwrap();
        prepare_instances(&mut eval, config, rc)
    };
    let instances = match prepared {
        Ok(i) => i,
        Err(e) => {
            shared.report.lock().unwrap().diagnostics.extend(e);
            return false;
        }
    };
    let schema = schema_for(config, rc).expect("checked at plan");
    let mut ok = true;
    for (addr, args) in instances {
        let sensitive = sensitive_attrs(schema, &args);
        let object = match shared.plan.data.get(&addr) {
            Some(object) => object.clone(),
            None => {
                shared.observer.started(&addr, Action::Read, None);
                let started = Instant::now();
                match read_data(&shared.api, &addr, &args).await {
                    Ok(object) => {
                        shared.observer.finished(
                            &addr,
                            Action::Read,
                            started.elapsed(),
                            display_id(&object),
                        );
                        object
                    }
                    Err(e) => {
                        fail_text(shared, &addr, "read", e.to_string());
                        ok = false;
                        continue;
                    }
                }
            }
        };
        let value = mark(
            &Value::from_json(&serde_json::Value::Object(object)),
            &sensitive,
        );
        shared
            .eval
            .lock()
            .unwrap()
            .set_instance(&rc.addr, addr.key.clone(), value);
    }
    shared.eval.lock().unwrap().finish_resource(&rc.addr);
    ok
}

type Prepared = Vec<(InstanceAddr, BTreeMap<String, Value>)>;

fn prepare_instances(
    eval: &mut Evaluator,
    config: &Config,
    rc: &crate::config::ResourceConfig,
) -> Result<Prepared, Diagnostics> {
    let schema = schema_for(config, rc)?;
    let mut out = Vec::new();
    for exp in eval.expand(rc)? {
        let values = eval.eval_instance(rc, schema, &exp)?;
        out.push((rc.addr.instance(exp.key.clone()), values));
    }
    Ok(out)
}

/// Applies one instance; returns its value for references, or `None` when it failed.
async fn apply_instance(
    shared: &Shared,
    addr: &InstanceAddr,
    config_values: BTreeMap<String, Value>,
    ignore: &crate::plan::diff::IgnoreSet,
    dependencies: Vec<String>,
    create_before_destroy: bool,
) -> Option<Value> {
    let resource = workato::resource::resource(&addr.resource.type_name)?;
    let schema = resource.schema();
    let planned = shared.change(addr);
    let prior = planned.and_then(|c| c.before.clone());
    let replace_requested = planned.is_some_and(|c| c.action == Action::Replace);
    let diff = diff_instance(
        schema,
        &config_values,
        prior.as_ref(),
        ignore,
        replace_requested && prior.is_some(),
    );
    let sensitive = sensitive_attrs(schema, &config_values);
    let planned_action = planned.map_or(Action::NoOp, |c| c.action);
    if diff.action != Action::NoOp && planned_action == Action::NoOp {
        fail_text(
            shared,
            addr,
            "apply",
            "workform produced an inconsistent final plan: the object changed between plan and apply. Run plan again.".into(),
        );
        return None;
    }
    let (after, deferred) = hold_back_unknown_items(schema, diff.after.clone(), prior.as_ref());
    if deferred {
        shared.second_pass.lock().unwrap().push(addr.clone());
    }
    let after_json = plain_json(&after);
    let record = |attrs: Object| ResourceState {
        addr: addr.clone(),
        mode: Mode::Managed,
        type_name: addr.resource.type_name.clone(),
        attributes: digest_write_only(schema, attrs),
        sensitive_attributes: sensitive.iter().cloned().collect(),
        dependencies: dependencies.clone(),
        schema_version: 0,
    };
    let result: Object = match diff.action {
        Action::NoOp if planned.is_some_and(|c| c.importing.is_some()) => {
            let attrs = prior.clone().unwrap_or_default();
            commit(
                shared,
                Change {
                    put: vec![record(attrs.clone())],
                    ..Change::default()
                },
            )
            .then_some(())?;
            shared.report.lock().unwrap().imported += 1;
            shared
                .observer
                .finished(addr, Action::NoOp, Duration::ZERO, display_id(&attrs));
            attrs
        }
        Action::NoOp => {
            let attrs = prior.clone().unwrap_or_default();
            // Keep state's dependencies and sensitivity current even without an API call.
            return Some(mark(
                &Value::from_json(&serde_json::Value::Object(attrs)),
                &sensitive,
            ));
        }
        Action::Create => {
            let _slot = shared.api_slots.acquire().await.expect("semaphore open");
            let sens: Vec<String> = sensitive.iter().cloned().collect();
            let created =
                create_logged(shared, addr, resource, &after_json, &dependencies, &sens).await?;
            let created = with_local(schema, &after_json, created);
            commit(
                shared,
                Change {
                    put: vec![record(created.clone())],
                    ..Change::default()
                },
            )
            .then_some(())?;
            shared.report.lock().unwrap().added += 1;
            created
        }
        Action::Update => {
            let prior = prior.clone().unwrap_or_default();
            let only_local = schema.attributes.iter().all(|(n, a)| {
                a.local_only || prior.get(n) == after_json.get(n) || !a.is_configurable()
            }) && schema
                .blocks
                .keys()
                .all(|n| prior.get(n) == after_json.get(n));
            let _slot = shared.api_slots.acquire().await.expect("semaphore open");
            let updated = if only_local {
                prior.clone()
            } else {
                run_op(
                    shared,
                    addr,
                    Action::Update,
                    display_id(&prior),
                    resource.update(&shared.api, &prior, &after_json),
                )
                .await?
            };
            let updated = with_local(
                schema,
                &after_json,
                crate::plan::refresh::carry_over(schema, &prior, updated),
            );
            commit(
                shared,
                Change {
                    put: vec![record(updated.clone())],
                    ..Change::default()
                },
            )
            .then_some(())?;
            let mut report = shared.report.lock().unwrap();
            report.changed += 1;
            report.imported += usize::from(planned.is_some_and(|c| c.importing.is_some()));
            drop(report);
            updated
        }
        Action::Replace => {
            let prior = prior.clone().unwrap_or_default();
            let _slot = shared.api_slots.acquire().await.expect("semaphore open");
            let delete_old = || async {
                let outcome = run_op(
                    shared,
                    addr,
                    Action::Delete,
                    display_id(&prior),
                    resource.delete(&shared.api, &prior),
                )
                .await?;
                if let Deleted::Forgotten(note) = outcome {
                    shared.observer.warning(&format!("{addr}: {note}"));
                }
                shared.report.lock().unwrap().destroyed += 1;
                Some(())
            };
            if !create_before_destroy {
                delete_old().await?;
                commit(
                    shared,
                    Change {
                        remove: vec![addr.clone()],
                        ..Change::default()
                    },
                )
                .then_some(())?;
            }
            let sens: Vec<String> = sensitive.iter().cloned().collect();
            let created =
                create_logged(shared, addr, resource, &after_json, &dependencies, &sens).await?;
            let created = with_local(schema, &after_json, created);
            commit(
                shared,
                Change {
                    put: vec![record(created.clone())],
                    ..Change::default()
                },
            )
            .then_some(())?;
            shared.report.lock().unwrap().added += 1;
            if create_before_destroy {
                // The replacement is recorded; the old object goes last (create_before_destroy).
                delete_old().await?;
            }
            created
        }
        Action::Delete | Action::Read | Action::Forget => return None,
    };
    Some(mark(
        &Value::from_json(&serde_json::Value::Object(result)),
        &sensitive,
    ))
}

/// Block items that still hold unknown values (a relation to a table created later in
/// this apply) cannot be sent yet: each is replaced by the prior item at its position,
/// or left out. Returns whether anything was held back.
fn hold_back_unknown_items(
    schema: &crate::schema::Schema,
    after: Value,
    prior: Option<&Object>,
) -> (Value, bool) {
    let Value::Object(mut map) = after else {
        return (after, false);
    };
    let mut held = false;
    for name in schema.blocks.keys() {
        let Some(Value::List(items)) = map.remove(name) else {
            continue;
        };
        let prior_items: Vec<Value> = prior
            .and_then(|p| p.get(name))
            .and_then(|v| v.as_array())
            .map(|a| a.iter().map(Value::from_json).collect())
            .unwrap_or_default();
        let mut kept = Vec::new();
        let block = &schema.blocks[name];
        for (i, item) in items.into_iter().enumerate() {
            if has_configured_unknown(block, &item) {
                held = true;
                if let Some(p) = prior_items.get(i) {
                    kept.push(p.clone());
                }
            } else {
                kept.push(item);
            }
        }
        map.insert(name.clone(), Value::List(kept));
    }
    (Value::Object(map), held)
}

/// True when a block item holds an unknown value in something the configuration sets (a
/// relation to a table not created yet) — not merely a computed value the server assigns
/// (a new column's `field_id`).
fn has_configured_unknown(block: &crate::schema::BlockSchema, item: &Value) -> bool {
    let Some(map) = item.as_object() else {
        return item.contains_unknown();
    };
    map.iter().any(
        |(k, v)| match (block.attributes.get(k), block.blocks.get(k)) {
            (Some(attr), _) => v.contains_unknown() && !attr.computed,
            (None, Some(inner)) => v
                .as_list()
                .unwrap_or(&[])
                .iter()
                .any(|i| has_configured_unknown(inner, i)),
            (None, None) => v.contains_unknown(),
        },
    )
}

/// Whether a planned object still waits on values only another resource's apply will tell.
fn waits_on_others(schema: &crate::schema::Schema, after: &Value) -> bool {
    let Some(map) = after.as_object() else {
        return true;
    };
    map.iter().any(
        |(k, v)| match (schema.attributes.get(k), schema.blocks.get(k)) {
            (Some(attr), _) => v.contains_unknown() && attr.is_configurable() && !attr.computed,
            (None, Some(block)) => v
                .as_list()
                .unwrap_or(&[])
                .iter()
                .any(|i| has_configured_unknown(block, i)),
            (None, None) => false,
        },
    )
}

/// Updates the instances that were applied without their deferred block items, now that
/// everything they refer to exists.
async fn run_second_pass(shared: &Arc<Shared>, config: &Config) {
    let pending: Vec<InstanceAddr> = std::mem::take(&mut *shared.second_pass.lock().unwrap());
    for addr in pending {
        let Some(rc) = config.resources.iter().find(|r| r.addr == addr.resource) else {
            continue;
        };
        let Some(resource) = workato::resource::resource(&addr.resource.type_name) else {
            continue;
        };
        let schema = resource.schema();
        let evaluated = {
            let mut eval = shared.eval.lock().unwrap();
            prepare_instances(&mut eval, config, rc)
        };
        let values = match evaluated {
            Ok(instances) => instances
                .into_iter()
                .find(|(a, _)| a == &addr)
                .map(|(_, v)| v),
            Err(e) => {
                shared.report.lock().unwrap().diagnostics.extend(e);
                continue;
            }
        };
        let Some(values) = values else { continue };
        let current = match shared.state.snapshot() {
            Ok(snap) => snap.resources.get(&addr).map(|r| r.attributes.clone()),
            Err(e) => {
                shared.fatal.lock().unwrap().get_or_insert(e);
                return;
            }
        };
        let Some(current) = current else { continue };
        let ignore = ignore_set(config, rc, schema).unwrap_or_default();
        let diff = diff_instance(schema, &values, Some(&current), &ignore, false);
        if diff.action != Action::Update || waits_on_others(schema, &diff.after) {
            continue;
        }
        let sensitive = sensitive_attrs(schema, &values);
        let after_json = plain_json(&diff.after);
        let _slot = shared.api_slots.acquire().await.expect("semaphore open");
        let Some(updated) = run_op(
            shared,
            &addr,
            Action::Update,
            display_id(&current),
            resource.update(&shared.api, &current, &after_json),
        )
        .await
        else {
            continue;
        };
        let updated = with_local(
            schema,
            &after_json,
            crate::plan::refresh::carry_over(schema, &current, updated),
        );
        let dependencies = shared
            .graph
            .resource_dependencies(&Node::Resource(addr.resource.clone()))
            .iter()
            .map(|a| a.to_string())
            .collect();
        let record = ResourceState {
            addr: addr.clone(),
            mode: Mode::Managed,
            type_name: addr.resource.type_name.clone(),
            attributes: digest_write_only(schema, updated),
            sensitive_attributes: sensitive.into_iter().collect(),
            dependencies,
            schema_version: 0,
        };
        commit(
            shared,
            Change {
                put: vec![record],
                ..Change::default()
            },
        );
    }
}

/// Creates with an intent recorded first, so an answer lost to a crash is adopted on the
/// next run instead of creating a duplicate. A definite refusal drops the intent; an
/// unanswered request keeps it (the object may exist).
async fn create_logged(
    shared: &Shared,
    addr: &InstanceAddr,
    resource: &'static dyn workato::Resource,
    planned: &Object,
    dependencies: &[String],
    sensitive: &[String],
) -> Option<Object> {
    let intent = recover::intent_for(addr, resource.schema(), planned, dependencies, sensitive);
    if let Err(e) = shared.state.record_intent(&intent) {
        shared.fatal.lock().unwrap().get_or_insert(e);
        return None;
    }
    shared.observer.started(addr, Action::Create, None);
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        match resource.create(&shared.api, planned).await {
            Ok(created) => {
                shared.observer.finished(
                    addr,
                    Action::Create,
                    started.elapsed(),
                    display_id(&created),
                );
                return Some(created);
            }
            Err(e) if e.is_transient() && attempt < CREATE_RETRIES => {
                // The request may or may not have landed: look before trying again.
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200 << attempt.min(5))).await;
                match recover::find_created(&shared.api, resource, &intent, &shared.state).await {
                    Ok(recover::Lookup::Found(found)) => {
                        shared.observer.finished(
                            addr,
                            Action::Create,
                            started.elapsed(),
                            display_id(&found),
                        );
                        return Some(found);
                    }
                    Ok(recover::Lookup::Absent) => continue,
                    Ok(recover::Lookup::CannotTell) | Err(_) => {
                        // Unsafe to retry: keep the intent for the next run's recovery.
                        fail(shared, addr, "create", &e);
                        return None;
                    }
                }
            }
            Err(e) => {
                if !e.is_transient() {
                    let _ = shared.state.clear_intent(addr);
                }
                fail(shared, addr, "create", &e);
                return None;
            }
        }
    }
}

/// How often a create that got no answer (or a 5xx) is retried after checking that the
/// first attempt did not land.
const CREATE_RETRIES: u32 = 4;

/// Runs one API operation with progress reporting; failures are recorded.
async fn run_op<T>(
    shared: &Shared,
    addr: &InstanceAddr,
    action: Action,
    id: Option<String>,
    op: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Option<T>
where
    T: ResultId,
{
    shared.observer.started(addr, action, id.clone());
    let started = Instant::now();
    match op.await {
        Ok(v) => {
            shared
                .observer
                .finished(addr, action, started.elapsed(), v.result_id().or(id));
            Some(v)
        }
        Err(e) => {
            let op = match action {
                Action::Create => "create",
                Action::Update => "update",
                Action::Delete | Action::Replace => "delete",
                Action::NoOp | Action::Read | Action::Forget => "read",
            };
            fail(shared, addr, op, &e);
            None
        }
    }
}

/// The id to show in progress lines, when a result has one.
trait ResultId {
    fn result_id(&self) -> Option<String>;
}

impl ResultId for Object {
    fn result_id(&self) -> Option<String> {
        display_id(self)
    }
}

impl ResultId for Deleted {
    fn result_id(&self) -> Option<String> {
        None
    }
}

fn display_id(obj: &Object) -> Option<String> {
    obj.get("id")
        .filter(|v| !v.is_null())
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
}

/// The planned object as JSON for the API: marks dropped, unknowns as null.
fn plain_json(after: &Value) -> Object {
    match after.clone().unmark_deep().0.to_json() {
        serde_json::Value::Object(map) => map,
        _ => Object::new(),
    }
}

/// Keeps configured values the API does not echo (workform-only, write-only, not returned)
/// from the planned object in the result.
fn with_local(schema: &crate::schema::Schema, planned: &Object, mut result: Object) -> Object {
    for (name, attr) in &schema.attributes {
        let kept_from_config =
            attr.local_only || attr.write_only || (attr.not_returned && attr.is_configurable());
        if kept_from_config && let Some(v) = planned.get(name) {
            result.insert(name.clone(), v.clone());
        }
    }
    result
}

/// Write-only values (connection credentials) are kept in state only as a digest.
fn digest_write_only(schema: &crate::schema::Schema, mut attrs: Object) -> Object {
    for (name, attr) in &schema.attributes {
        if attr.write_only
            && let Some(v) = attrs.get_mut(name)
            && !v.as_str().is_some_and(|s| s.starts_with("sha256:"))
        {
            *v = crate::plan::diff::write_only_digest(&Value::from_json(v))
                .map_or(serde_json::Value::Null, serde_json::Value::String);
        }
    }
    attrs
}

/// Commits one state change; a failure stops everything (state must never be lost).
fn commit(shared: &Shared, change: Change) -> bool {
    // A durable commit waits on the disk: let the runtime move other tasks (HTTP calls in
    // flight) off this worker meanwhile instead of stalling them.
    let result = if tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
    {
        tokio::task::block_in_place(|| shared.state.commit(change))
    } else {
        shared.state.commit(change)
    };
    match result {
        Ok(_) => true,
        Err(e) => {
            shared.fatal.lock().unwrap().get_or_insert(e);
            false
        }
    }
}

fn fail(shared: &Shared, addr: &InstanceAddr, operation: &'static str, e: &ApiError) {
    fail_text(shared, addr, operation, e.to_string());
}

fn fail_text(shared: &Shared, addr: &InstanceAddr, operation: &'static str, message: String) {
    shared.report.lock().unwrap().failures.push(Failure {
        addr: addr.to_string(),
        operation,
        message,
    });
}

/// Evaluates the outputs with the applied values and stores them.
fn record_outputs(shared: &Shared, config: &Config) -> Result<(), StateError> {
    let eval = shared.eval.lock().unwrap();
    let mut outputs = BTreeMap::new();
    for output in &config.outputs {
        match eval.eval_output(output) {
            Ok(value) if !value.contains_unknown() => {
                outputs.insert(
                    output.name.clone(),
                    OutputState {
                        value: value.clone().unmark_deep().0.to_json(),
                        sensitive: output.sensitive || value.contains_sensitive(),
                    },
                );
            }
            Ok(_) => {}
            Err(e) => shared.report.lock().unwrap().diagnostics.extend(e),
        }
    }
    drop(eval);
    shared.state.commit(Change {
        outputs: Some(outputs.clone()),
        ..Change::default()
    })?;
    shared.report.lock().unwrap().outputs = outputs;
    Ok(())
}
