//! Apply progress lines and the closing summary.

use std::time::Duration;

use super::Printer;
use crate::addr::InstanceAddr;
use crate::apply::{Observer, Report};
use crate::plan::Action;

/// Prints `ADDR: Creating...` / `ADDR: Creation complete after 1s [id=12]`.
pub struct ProgressPrinter {
    pub printer: Printer,
}

impl Observer for ProgressPrinter {
    fn started(&self, addr: &InstanceAddr, action: Action, id: Option<String>) {
        let verb = match action {
            Action::Create => "Creating...".to_string(),
            Action::Update => format!("Modifying...{}", id_suffix(&id)),
            Action::Delete | Action::Replace => format!("Destroying...{}", id_suffix(&id)),
            Action::Read => "Reading...".to_string(),
            Action::NoOp | Action::Forget => return,
        };
        self.printer.out(&format!(
            "{}: {verb}",
            self.printer.styles.bold.apply_to(addr)
        ));
    }

    fn finished(&self, addr: &InstanceAddr, action: Action, elapsed: Duration, id: Option<String>) {
        let what = match action {
            Action::Create => "Creation",
            Action::Update => "Modifications",
            Action::Delete | Action::Replace => "Destruction",
            Action::Read => "Read",
            Action::NoOp => "Import",
            Action::Forget => return,
        };
        let id = if matches!(action, Action::Delete | Action::Replace) {
            None
        } else {
            id
        };
        self.printer.out(&format!(
            "{}: {what} complete after {}s{}",
            self.printer.styles.bold.apply_to(addr),
            elapsed.as_secs(),
            id_suffix(&id)
        ));
    }

    fn warning(&self, message: &str) {
        self.printer.warning(message);
    }
}

fn id_suffix(id: &Option<String>) -> String {
    match id {
        Some(id) => format!(" [id={}]", id.chars().take(80).collect::<String>()),
        None => String::new(),
    }
}

/// The closing lines of an apply or destroy.
pub fn summary(printer: &Printer, report: &Report, destroying: bool) {
    for f in &report.failures {
        printer.error(&format!(
            "{}: {} failed: {}",
            f.addr, f.operation, f.message
        ));
    }
    if !report.failures.is_empty() || !report.diagnostics.is_empty() {
        printer.err(&format!(
            "\nApply failed: {} operation(s) failed; Resources: {} added, {} changed, {} destroyed. Everything that succeeded is recorded in state: fix the cause and run apply again.",
            report.failures.len(),
            report.added,
            report.changed,
            report.destroyed
        ));
        return;
    }
    let styles = &printer.styles;
    if report.imported > 0 && !destroying {
        printer.out(&format!(
            "\n{}",
            styles
                .green
                .apply_to(format!(
                    "Apply complete! Resources: {} imported, {} added, {} changed, {} destroyed.",
                    report.imported, report.added, report.changed, report.destroyed
                ))
                .bold()
        ));
    } else if destroying {
        printer.out(&format!(
            "\n{}",
            styles
                .green
                .apply_to(format!(
                    "Destroy complete! Resources: {} destroyed.",
                    report.destroyed
                ))
                .bold()
        ));
    } else {
        printer.out(&format!(
            "\n{}",
            styles
                .green
                .apply_to(format!(
                    "Apply complete! Resources: {} added, {} changed, {} destroyed.",
                    report.added, report.changed, report.destroyed
                ))
                .bold()
        ));
    }
    if !report.outputs.is_empty() {
        printer.out("\nOutputs:\n");
        for (name, o) in &report.outputs {
            // As `workform output` shows them; the value itself only by name.
            let shown = if o.sensitive {
                "<sensitive>".to_string()
            } else {
                super::values::inline_json(&o.value, false)
            };
            printer.out(&format!("{name} = {shown}"));
        }
    }
}
