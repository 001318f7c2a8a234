//! `workform plan`.

use std::path::Path;

use super::session::{LockedState, Remote, Session};
use super::{CmdError, exit};
use crate::addr::InstanceAddr;
use crate::cli::PlanArgs;
use crate::plan::file::SavedPlan;
use crate::plan::refresh::Refreshed;
use crate::plan::{self, Plan, PlanMode, PlanOptions, refresh};
use crate::render::Printer;
use crate::state::Snapshot;

pub async fn run(
    printer: Printer,
    dir: &Path,
    sandbox: bool,
    args: &PlanArgs,
) -> Result<u8, CmdError> {
    let session = Session::load(printer.clone(), dir, &args.vars)?;
    let locked = session.lock_state("plan", &args.lock_timeout)?;
    let remote = session.connect(sandbox).await?;
    let options = options(args)?;
    let (plan, refreshed) = make_plan(&session, &remote, &locked, args.refresh, &options).await?;
    show_plan(&printer, &plan, args);
    if let Some(out) = &args.out {
        let snapshot = locked.state.snapshot()?;
        SavedPlan::capture(
            &session.config,
            &snapshot,
            &session.vars,
            &options,
            args.refresh,
            &refreshed,
            &plan,
        )
        .write(out)
        .map_err(|e| CmdError::Message(e.to_string()))?;
        if !args.json {
            printer.out(&format!(
                "\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    workform apply {}",
                out.display(),
                out.display()
            ));
        }
    } else if plan.has_changes() && !args.json && !args.markdown {
        printer.out("\nNote: You didn't use the --out option to save this plan, so workform can't guarantee to take exactly these actions if you run \"workform apply\" now.");
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        exit::CHANGES
    } else {
        exit::OK
    })
}

/// Prints the plan in the format the flags ask for.
pub(super) fn show_plan(printer: &Printer, plan: &Plan, args: &PlanArgs) {
    if args.json {
        printer.out(&serde_json::to_string_pretty(&plan::json::render(plan)).unwrap_or_default());
    } else if args.markdown {
        printer.out(&crate::render::markdown::render(plan));
    } else {
        printer.out(&crate::render::plan::render(plan, &printer.styles));
    }
}

/// The planning options the flags describe.
pub(super) fn options(args: &PlanArgs) -> Result<PlanOptions, CmdError> {
    if args.destroy && args.refresh_only {
        return Err(CmdError::Message(
            "--destroy and --refresh-only cannot be used together".into(),
        ));
    }
    if args.refresh_only && !args.refresh {
        return Err(CmdError::Message(
            "--refresh-only cannot be used with --refresh=false".into(),
        ));
    }
    let parse = |flag: &str, list: &[String]| {
        list.iter()
            .map(|a| {
                a.parse::<InstanceAddr>()
                    .map_err(|e| CmdError::Message(format!("{flag}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let mode = if args.destroy {
        PlanMode::Destroy
    } else if args.refresh_only {
        PlanMode::RefreshOnly
    } else {
        PlanMode::Normal
    };
    Ok(PlanOptions {
        mode,
        replace: parse("--replace", &args.replace)?,
        targets: parse("--target", &args.target)?,
        data: None,
        validate_only: false,
    })
}

/// Checks the workspace, refreshes and plans.
pub(super) async fn make_plan(
    session: &Session,
    remote: &Remote,
    locked: &LockedState,
    refresh: bool,
    options: &PlanOptions,
) -> Result<(Plan, Refreshed), CmdError> {
    let snapshot = prepare_state(&session.printer, remote, locked).await?;
    super::permissions::preflight(
        &remote.api,
        &super::permissions::needed_for(&session.config, &snapshot, options.mode),
    )
    .await?;
    let refreshed = if refresh {
        refresh::refresh_all(&remote.api, &snapshot).await?
    } else {
        refresh::from_state(&snapshot)
    };
    let plan = plan::plan(
        &session.config,
        &session.graph,
        session.vars.clone(),
        &snapshot,
        &refreshed,
        options,
        Some(&remote.api),
    )
    .await?;
    Ok((plan, refreshed))
}

/// Checks the token and workspace (`GET /api/users/me`), recording the workspace id in a
/// new state; returns the current snapshot.
pub(super) async fn prepare_state(
    printer: &Printer,
    remote: &Remote,
    locked: &LockedState,
) -> Result<Snapshot, CmdError> {
    let snapshot = locked.state.snapshot()?;
    let (workspace_id, _) = check_workspace(remote, &snapshot).await?;
    if snapshot.meta.workspace_id.is_none() {
        // Recorded as soon as we know it, so a later run against another workspace is refused.
        locked.state.commit(crate::state::Change {
            workspace_id: Some(workspace_id),
            ..Default::default()
        })?;
    }
    let notes = crate::apply::recover::recover(&remote.api, &locked.state)
        .await
        .map_err(|e| CmdError::Message(e.to_string()))?;
    for note in notes {
        printer.warning(&note);
    }
    Ok(locked.state.snapshot()?)
}

/// `GET /api/users/me`: the token works, and the workspace is the one the state belongs to.
/// Returns the workspace's id and name.
pub(super) async fn check_workspace(
    remote: &Remote,
    snapshot: &Snapshot,
) -> Result<(i64, String), CmdError> {
    let me = remote
        .api
        .get("/api/users/me", &[])
        .await
        .map_err(|source| CmdError::Api {
            context: "checking credentials (GET /api/users/me)".into(),
            source: Box::new(source),
        })?;
    let id = me
        .get("id")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| {
            CmdError::Message("GET /api/users/me answered without a workspace id".into())
        })?;
    let name = me
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("(unnamed)")
        .to_string();
    if let Some(recorded) = snapshot.meta.workspace_id
        && recorded != id
    {
        return Err(CmdError::Message(format!(
            "this state belongs to workspace {recorded}, but the credentials reach workspace {id} ({name}); refusing to plan or apply against the wrong workspace. Use the credentials of workspace {recorded}, or another configuration directory for this workspace."
        )));
    }
    Ok((id, name))
}
