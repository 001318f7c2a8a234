//! `workform plan`.

use std::path::Path;

use super::session::{LockedState, Remote, Session};
use super::{CmdError, exit};
use crate::addr::InstanceAddr;
use crate::cli::PlanArgs;
use crate::plan::{self, Plan, PlanMode, PlanOptions, refresh};
use crate::render::Printer;
use crate::state::Snapshot;

pub async fn run(printer: Printer, dir: &Path, sandbox: bool, args: &PlanArgs) -> Result<u8, CmdError> {
    let session = Session::load(printer.clone(), dir, &args.vars)?;
    let locked = session.lock_state("plan", &args.lock_timeout)?;
    let remote = session.connect(sandbox).await?;
    let mode = if args.destroy { PlanMode::Destroy } else { PlanMode::Normal };
    let (plan, _) = make_plan(&session, &remote, &locked, args, mode).await?;
    printer.out(&crate::render::plan::render(&plan, &printer.styles));
    if plan.has_changes() {
        printer.out("\nNote: You didn't use the --out option to save this plan, so workform can't guarantee to take exactly these actions if you run \"workform apply\" now.");
    }
    Ok(if args.detailed_exitcode && plan.has_changes() { exit::CHANGES } else { exit::OK })
}

/// Checks the workspace, refreshes and plans.
pub(super) async fn make_plan(
    session: &Session,
    remote: &Remote,
    locked: &LockedState,
    args: &PlanArgs,
    mode: PlanMode,
) -> Result<(Plan, Snapshot), CmdError> {
    let snapshot = locked.state.snapshot()?;
    let workspace_id = check_workspace(remote, &snapshot).await?;
    if snapshot.meta.workspace_id.is_none() {
        // Recorded as soon as we know it, so a later run against another workspace is refused.
        locked.state.commit(crate::state::Change { workspace_id: Some(workspace_id), ..Default::default() })?;
    }
    let snapshot = locked.state.snapshot()?;
    let refreshed = if args.refresh {
        refresh::refresh_all(&remote.api, &snapshot).await?
    } else {
        refresh::from_state(&snapshot)
    };
    let replace = args
        .replace
        .iter()
        .map(|a| a.parse::<InstanceAddr>().map_err(|e| CmdError::Message(format!("--replace: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let options = PlanOptions { mode, replace };
    let plan = plan::plan(&session.config, &session.graph, session.vars.clone(), &snapshot, &refreshed, &options, Some(&remote.api))
        .await?;
    Ok((plan, snapshot))
}

/// `GET /api/users/me`: the token works, and the workspace is the one the state belongs to.
async fn check_workspace(remote: &Remote, snapshot: &Snapshot) -> Result<i64, CmdError> {
    let me = remote
        .api
        .get("/api/users/me", &[])
        .await
        .map_err(|source| CmdError::Api {
            context: "checking credentials (GET /api/users/me)".into(),
            source: Box::new(source),
        })?;
    let id = me.get("id").and_then(serde_json::Value::as_i64).ok_or_else(|| {
        CmdError::Message("GET /api/users/me answered without a workspace id".into())
    })?;
    if let Some(recorded) = snapshot.meta.workspace_id
        && recorded != id
    {
        let name = me.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        return Err(CmdError::Message(format!(
            "this state belongs to workspace {recorded}, but the API token is for workspace {id} ({name}); refusing to plan or apply against the wrong workspace. Use the right token/host, or another config directory."
        )));
    }
    Ok(id)
}
