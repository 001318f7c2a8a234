//! workform's integration tests: one binary, one module per feature. Every test runs the
//! real `workform` binary against an emulator on a random loopback port.

mod support;

mod api_platform;
mod cli_errors;
mod plans;
mod connections;
mod data_sources;
mod data_tables;
mod on_prem;
mod skeleton;
mod tags;
