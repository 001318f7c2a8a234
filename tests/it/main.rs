//! workform's integration tests: one binary, one module per feature. Every test runs the
//! real `workform` binary against an emulator on a random loopback port.

mod support;

mod cli_errors;
mod skeleton;
