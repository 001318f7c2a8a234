//! `workform apply` and `workform destroy`.

use std::path::Path;
use std::sync::Arc;

use super::plan::make_plan;
use super::session::Session;
use super::{CmdError, exit};
use crate::apply::Applier;
use crate::cli::ApplyArgs;
use crate::plan::PlanMode;
use crate::render::Printer;
use crate::render::progress::{ProgressPrinter, summary};

pub async fn run(printer: Printer, dir: &Path, sandbox: bool, args: &ApplyArgs, destroy: bool) -> Result<u8, CmdError> {
    let session = Session::load(printer.clone(), dir, &args.plan.vars)?;
    let command = if destroy { "destroy" } else { "apply" };
    let locked = session.lock_state(command, &args.plan.lock_timeout)?;
    let remote = session.connect(sandbox).await?;
    let destroying = destroy || args.plan.destroy;
    let mode = if destroying { PlanMode::Destroy } else { PlanMode::Normal };
    let (plan, _) = make_plan(&session, &remote, &locked, &args.plan, mode).await?;
    printer.out(&crate::render::plan::render(&plan, &printer.styles));
    let vanished = plan.drift.iter().any(|d| d.after.is_none());
    if !plan.has_changes() && !vanished {
        return Ok(exit::OK);
    }
    if plan.has_changes() && !args.auto_approve && !confirm(&printer, destroying) {
        printer.err(if destroying { "\nDestroy cancelled." } else { "\nApply cancelled." });
        return Err(CmdError::Reported);
    }
    printer.out("");
    let applier = Applier {
        config: session.config.clone(),
        graph: session.graph.clone(),
        vars: session.vars.clone(),
        api: remote.api.clone(),
        state: locked.state.clone(),
        parallelism: args.plan.parallelism,
        observer: Arc::new(ProgressPrinter { printer: printer.clone() }),
    };
    let report = applier.apply(plan).await?;
    if !report.diagnostics.is_empty() {
        printer.err(&crate::render::diag::render(&report.diagnostics, printer.color));
    }
    summary(&printer, &report, destroying);
    if report.failures.is_empty() && report.diagnostics.is_empty() {
        Ok(exit::OK)
    } else {
        Err(CmdError::Reported)
    }
}

fn confirm(printer: &Printer, destroying: bool) -> bool {
    let question = if destroying {
        "\nDo you really want to destroy all resources?\n  workform will destroy all the objects this configuration manages, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n"
    } else {
        "\nDo you want to perform these actions?\n  workform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n"
    };
    printer.prompt(question).as_deref() == Some("yes")
}
