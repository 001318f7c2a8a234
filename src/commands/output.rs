//! `workform output [NAME] [--json] [--raw]`.

use std::path::Path;

use super::session::lock_state;
use super::{CmdError, exit};
use crate::cli::OutputArgs;
use crate::render::Printer;
use crate::render::values::inline_json;

pub fn run(printer: Printer, dir: &Path, args: &OutputArgs) -> Result<u8, CmdError> {
    let locked = lock_state(dir, "output", "0s")?;
    let outputs = locked.state.snapshot()?.outputs;
    if let Some(name) = &args.name {
        // Asked by name: the value is shown even when sensitive, as Terraform does.
        let out = outputs.get(name).ok_or_else(|| {
            CmdError::Message(format!(
                "output {name:?} not found: apply a configuration that declares it first"
            ))
        })?;
        let text = if args.json {
            serde_json::to_string_pretty(&out.value).unwrap_or_default()
        } else if args.raw {
            match &out.value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => out.value.to_string(),
                _ => {
                    return Err(CmdError::Message(format!(
                        "output {name:?} is not a string, number or bool; use --json"
                    )));
                }
            }
        } else {
            inline_json(&out.value, false)
        };
        printer.out(&text);
        return Ok(exit::OK);
    }
    if args.json {
        let map: serde_json::Map<String, serde_json::Value> = outputs
            .iter()
            .map(|(name, o)| {
                let value = if o.sensitive {
                    serde_json::Value::Null
                } else {
                    o.value.clone()
                };
                (
                    name.clone(),
                    serde_json::json!({ "sensitive": o.sensitive, "value": value }),
                )
            })
            .collect();
        printer.out(&serde_json::to_string_pretty(&map).unwrap_or_default());
    } else if outputs.is_empty() {
        printer.err("No outputs found in state.");
    } else {
        for (name, o) in &outputs {
            printer.out(&format!(
                "{name} = {}",
                if o.sensitive {
                    "<sensitive>".to_string()
                } else {
                    inline_json(&o.value, false)
                }
            ));
        }
    }
    Ok(exit::OK)
}
