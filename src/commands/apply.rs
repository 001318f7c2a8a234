//! `workform apply [PLANFILE]` and `workform destroy`.

use std::path::Path;
use std::sync::Arc;

use super::plan::{make_plan, options, prepare_state, show_plan};
use super::session::{LockedState, Remote, Session};
use super::{CmdError, exit};
use crate::apply::{Applier, Report};
use crate::cli::ApplyArgs;
use crate::graph::ConfigGraph;
use crate::plan::file::SavedPlan;
use crate::plan::{self, Plan, PlanMode, refresh};
use crate::render::Printer;
use crate::render::progress::{ProgressPrinter, summary};

pub async fn run(
    printer: Printer,
    dir: &Path,
    sandbox: bool,
    args: &ApplyArgs,
    destroy: bool,
) -> Result<u8, CmdError> {
    if let Some(file) = &args.plan_file {
        if destroy {
            return Err(CmdError::Message("destroy takes no plan file: save a plan with `plan --destroy --out FILE` and apply that".into()));
        }
        return apply_saved(printer, dir, sandbox, args, file).await;
    }
    let session = Session::load(printer.clone(), dir, &args.plan.vars)?;
    let command = if destroy { "destroy" } else { "apply" };
    let locked = session.lock_state(command, &args.plan.lock_timeout)?;
    let remote = session.connect(sandbox).await?;
    let mut opts = options(&args.plan)?;
    if destroy {
        opts.mode = PlanMode::Destroy;
    }
    let (plan, _) = make_plan(&session, &remote, &locked, args.plan.refresh, &opts).await?;
    show_plan(&printer, &plan, &args.plan);
    let vanished = plan.drift.iter().any(|d| d.after.is_none());
    let refresh_only = plan.mode == PlanMode::RefreshOnly;
    let pending = plan.has_changes() || (refresh_only && !plan.drift.is_empty());
    if !pending && !vanished {
        return Ok(exit::OK);
    }
    if pending && !args.auto_approve && !confirm(&printer, plan.mode) {
        printer.err(if plan.mode == PlanMode::Destroy {
            "\nDestroy cancelled."
        } else {
            "\nApply cancelled."
        });
        return Err(CmdError::Reported);
    }
    execute(
        &printer,
        &session,
        session.graph.clone(),
        &remote,
        &locked,
        plan,
        args.plan.parallelism,
    )
    .await
}

/// Applies a saved plan: the same configuration and variables, refused as stale when the
/// state or any object it was planned against has changed since.
async fn apply_saved(
    printer: Printer,
    dir: &Path,
    sandbox: bool,
    args: &ApplyArgs,
    file: &Path,
) -> Result<u8, CmdError> {
    if !args.plan.vars.vars.is_empty()
        || !args.plan.vars.var_files.is_empty()
        || !args.plan.target.is_empty()
        || !args.plan.replace.is_empty()
        || args.plan.destroy
        || args.plan.refresh_only
    {
        return Err(CmdError::Message(
            "Can't change variables or planning options when applying a saved plan: they were fixed when the plan was made. Run plan again with them instead.".into(),
        ));
    }
    let saved = SavedPlan::read(file).map_err(|e| CmdError::Message(e.to_string()))?;
    let config = Arc::new(saved.config(dir).map_err(CmdError::Config)?);
    let graph = Arc::new(ConfigGraph::build(&config).map_err(CmdError::Config)?);
    let session = Session {
        printer: printer.clone(),
        dir: dir.to_path_buf(),
        config,
        graph: graph.clone(),
        vars: saved.vars(),
    };
    let locked = session.lock_state("apply", &args.plan.lock_timeout)?;
    let remote = session.connect(sandbox).await?;
    let snapshot = prepare_state(&printer, &remote, &locked).await?;
    super::permissions::preflight(
        &remote.api,
        &super::permissions::needed_for(&session.config, &snapshot, saved.mode),
    )
    .await?;
    if snapshot.meta.lineage != saved.lineage {
        return Err(CmdError::Message(
            "Saved plan does not match the given state: the plan was created from a different state lineage.".into(),
        ));
    }
    if snapshot.meta.serial != saved.serial {
        return Err(stale(format!(
            "the state was changed by another operation after the plan was created (serial {} then, {} now)",
            saved.serial, snapshot.meta.serial
        )));
    }
    let live = if saved.refresh {
        refresh::refresh_all(&remote.api, &snapshot).await?
    } else {
        refresh::from_state(&snapshot)
    };
    let changed = saved.changed_objects(&live);
    if !changed.is_empty() {
        let names: Vec<String> = changed.iter().map(|a| a.to_string()).collect();
        return Err(stale(format!(
            "these objects changed in the workspace since the plan was made: {}",
            names.join(", ")
        )));
    }
    let plan = plan::plan(
        &session.config,
        &graph,
        session.vars.clone(),
        &snapshot,
        &live,
        &saved.options(),
        Some(&remote.api),
    )
    .await?;
    if !saved.same_actions(&plan) {
        return Err(stale(
            "planning again from the same inputs no longer gives the same actions".into(),
        ));
    }
    execute(
        &printer,
        &session,
        graph,
        &remote,
        &locked,
        plan,
        args.plan.parallelism,
    )
    .await
}

fn stale(why: String) -> CmdError {
    CmdError::Message(format!(
        "Saved plan is stale: {why}. The given plan file can no longer be applied; create a new plan and review it."
    ))
}

async fn execute(
    printer: &Printer,
    session: &Session,
    graph: Arc<ConfigGraph>,
    remote: &Remote,
    locked: &LockedState,
    plan: Plan,
    parallelism: usize,
) -> Result<u8, CmdError> {
    printer.out("");
    let destroying = plan.mode == PlanMode::Destroy;
    let report: Report = if plan.mode == PlanMode::RefreshOnly {
        crate::apply::apply_refresh_only(&locked.state, &plan)?;
        printer.out(&format!(
            "\n{}",
            printer.styles.green.apply_to("Apply complete! The state now matches the live objects; nothing was changed in the workspace.").bold()
        ));
        return Ok(exit::OK);
    } else {
        let applier = Applier {
            config: session.config.clone(),
            graph,
            vars: session.vars.clone(),
            api: remote.api.clone(),
            state: locked.state.clone(),
            parallelism,
            observer: Arc::new(ProgressPrinter {
                printer: printer.clone(),
            }),
        };
        applier.apply(plan).await?
    };
    if !report.diagnostics.is_empty() {
        printer.err(&crate::render::diag::render(
            &report.diagnostics,
            printer.color,
        ));
    }
    summary(printer, &report, destroying);
    if report.failures.is_empty() && report.diagnostics.is_empty() {
        Ok(exit::OK)
    } else {
        Err(CmdError::Reported)
    }
}

fn confirm(printer: &Printer, mode: PlanMode) -> bool {
    let question = match mode {
        PlanMode::Destroy => {
            "\nDo you really want to destroy all resources?\n  workform will destroy all the objects this configuration manages, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n"
        }
        PlanMode::RefreshOnly => {
            "\nWould you like to update the workform state to reflect these detected changes?\n  workform will write these changes to the state without modifying any real objects.\n  Only 'yes' will be accepted to confirm.\n"
        }
        PlanMode::Normal => {
            "\nDo you want to perform these actions?\n  workform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n"
        }
    };
    printer.prompt(question).as_deref() == Some("yes")
}
