//! `workform emulator`: serve the local Workato API until interrupted.

use super::{CmdError, exit};
use crate::cli::EmulatorArgs;
use crate::emulator::{self, EmulatorOptions, Faults, TokenGrant};
use crate::render::Printer;

pub async fn run(printer: Printer, args: &EmulatorArgs) -> Result<u8, CmdError> {
    let listen = args.listen.parse().map_err(|_| {
        CmdError::Message(format!(
            "invalid --listen address {:?}: expected HOST:PORT such as 127.0.0.1:0",
            args.listen
        ))
    })?;
    let tokens = args
        .tokens
        .iter()
        .map(|t| {
            TokenGrant::parse(t).map_err(|e| CmdError::Message(format!("invalid --token: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !(0.0..=1.0).contains(&args.error_rate) {
        return Err(CmdError::Message(
            "--error-rate must be between 0 and 1".into(),
        ));
    }
    let running = emulator::start(EmulatorOptions {
        listen,
        tokens,
        data_file: args.data.clone(),
        faults: Faults {
            latency_ms: args.latency_ms,
            error_rate: args.error_rate,
            rate_limit: args.rate_limit,
            seed: args.seed,
        },
    })
    .await
    .map_err(|e| CmdError::Message(e.to_string()))?;
    printer.out(&format!("listening on {}", running.base_url()));
    wait_for_shutdown().await;
    running.shutdown().await;
    Ok(exit::OK)
}

async fn wait_for_shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("signal handler installs");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
