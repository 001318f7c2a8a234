//! workform's integration tests: one binary, one module per feature. Every test runs the
//! real `workform` binary against an emulator on a random loopback port.

mod support;

mod adoption;
mod api_platform;
mod cli_errors;
mod plans;
mod connections;
mod data_sources;
mod data_tables;
mod fmt;
mod on_prem;
mod skeleton;
mod state;
mod tags;
