//! workform's integration tests: one binary, one module per feature. Every test runs the
//! real `workform` binary against an emulator on a random loopback port.

mod support;

mod adoption;
mod api_platform;
mod bootstrap;
mod cli_errors;
mod connections;
mod crash;
mod credentials;
mod data_sources;
mod data_tables;
mod faults;
mod fmt;
mod generate;
mod on_prem;
mod permissions;
mod plans;
mod secrets;
mod skeleton;
mod state;
mod tags;
