//! Configuration diagnostics, rendered by miette with the source line and a caret.

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::config::Diagnostics;

/// Renders every diagnostic, one after another.
pub fn render(diags: &Diagnostics, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for diag in &diags.0 {
        if handler.render_report(&mut out, diag).is_err() {
            out.push_str(&format!("Error: {diag}\n"));
        }
        out.push('\n');
    }
    out
}
