use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // TLS uses ring (no aws-lc, no OpenSSL); installing it can only fail if already set.
    let _ = rustls::crypto::ring::default_provider().install_default();
    workform::commands::run(workform::cli::Cli::parse())
}
