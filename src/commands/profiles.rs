//! `workform profiles list|use|create|delete`: named credentials in the credentials file.
//!
//! A token never comes from the command line (shell history, `ps`) and is never printed:
//! `create` reads it from standard input (hidden when typed at a terminal) or from
//! WORKATO_API_TOKEN, and `list` only says whether a profile has one.

use std::io::{IsTerminal, Read};
use std::path::Path;

use super::{CmdError, exit};
use crate::cli::ProfilesCommand;
use crate::credentials::{self, Flags, Profile, ProfilesFile, file};
use crate::render::Printer;
use crate::workato::client::normalise_host;
use crate::workato::{Token, region};

pub fn run(printer: Printer, command: &ProfilesCommand, flags: &Flags) -> Result<u8, CmdError> {
    let path = file::default_path().ok_or_else(|| {
        CmdError::Message(
            "cannot locate the credentials file: neither XDG_CONFIG_HOME nor HOME is set".into(),
        )
    })?;
    if flags.profile.is_some() {
        return Err(CmdError::Message(
            "--profile selects a profile for other commands; `profiles` subcommands take the name as an argument".into(),
        ));
    }
    if !matches!(command, ProfilesCommand::Create { .. })
        && (flags.host.is_some() || flags.region.is_some())
    {
        return Err(CmdError::Message(
            "--host and --region only apply to `profiles create`".into(),
        ));
    }
    match command {
        ProfilesCommand::List => list(&printer, &path),
        ProfilesCommand::Use { name } => use_profile(&printer, &path, name),
        ProfilesCommand::Create { name, force } => create(&printer, &path, name, *force, flags),
        ProfilesCommand::Delete { name } => delete(&printer, &path, name),
    }
}

fn load(path: &Path) -> Result<Option<ProfilesFile>, CmdError> {
    file::load(path).map_err(|e| CmdError::Message(e.to_string()))
}

fn save(path: &Path, profiles: &ProfilesFile) -> Result<(), CmdError> {
    file::save(path, profiles).map_err(|e| CmdError::Message(e.to_string()))
}

/// The profile's data centre for display.
fn data_centre(p: &Profile) -> String {
    if let Some(host) = &p.host {
        return match region::for_host(host) {
            Some(key) => format!("{} ({host})", region::display_name(key)),
            None => host.clone(),
        };
    }
    let key = p.region.as_deref().unwrap_or(region::DEFAULT);
    match region::host_for(key) {
        Some(url) => format!("{} ({url})", region::display_name(key)),
        None => format!("unknown region {key:?}"),
    }
}

fn list(printer: &Printer, path: &Path) -> Result<u8, CmdError> {
    let profiles = load(path)?.unwrap_or_default();
    if profiles.profiles.is_empty() {
        printer.out(&format!(
            "No profiles in {}.\nCreate one with: workform profiles create NAME --region REGION   (the token is read from standard input)",
            path.display()
        ));
        return Ok(exit::OK);
    }
    let rows: Vec<[String; 4]> = profiles
        .profiles
        .iter()
        .map(|(name, p)| {
            let current = if profiles.current.as_deref() == Some(name) {
                "*"
            } else {
                " "
            };
            let token = if p.token.is_some() { "set" } else { "not set" };
            [
                current.to_string(),
                name.clone(),
                data_centre(p),
                token.to_string(),
            ]
        })
        .collect();
    let name_w = rows
        .iter()
        .map(|r| r[1].chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let dc_w = rows
        .iter()
        .map(|r| r[2].chars().count())
        .max()
        .unwrap_or(0)
        .max(11);
    let mut out = format!("  {:name_w$}  {:dc_w$}  TOKEN\n", "NAME", "DATA CENTRE");
    for [current, name, dc, token] in &rows {
        out.push_str(&format!("{current} {name:name_w$}  {dc:dc_w$}  {token}\n"));
    }
    out.push_str(&format!(
        "\n* = current profile. Credentials file: {}",
        path.display()
    ));
    printer.out(&out);
    Ok(exit::OK)
}

fn use_profile(printer: &Printer, path: &Path, name: &str) -> Result<u8, CmdError> {
    let mut profiles = load(path)?.unwrap_or_default();
    let Some(profile) = profiles.profiles.get(name) else {
        return Err(unknown(path, name, &profiles));
    };
    let dc = data_centre(profile);
    profiles.current = Some(name.to_string());
    save(path, &profiles)?;
    printer.out(&format!("Now using profile {name:?}: {dc}."));
    Ok(exit::OK)
}

fn delete(printer: &Printer, path: &Path, name: &str) -> Result<u8, CmdError> {
    let mut profiles = load(path)?.unwrap_or_default();
    if profiles.profiles.remove(name).is_none() {
        return Err(unknown(path, name, &profiles));
    }
    let was_current = profiles.current.as_deref() == Some(name);
    if was_current {
        profiles.current = None;
    }
    save(path, &profiles)?;
    printer.out(&format!("Deleted profile {name:?}."));
    if was_current && !profiles.profiles.is_empty() {
        printer
            .out("It was the current profile; choose another with `workform profiles use NAME`.");
    }
    Ok(exit::OK)
}

fn unknown(path: &Path, name: &str, profiles: &ProfilesFile) -> CmdError {
    CmdError::Message(
        credentials::CredError::UnknownProfile {
            name: name.to_string(),
            path: path.display().to_string(),
            known: profiles.profiles.keys().cloned().collect(),
        }
        .to_string(),
    )
}

fn create(
    printer: &Printer,
    path: &Path,
    name: &str,
    force: bool,
    flags: &Flags,
) -> Result<u8, CmdError> {
    if !file::valid_name(name) {
        return Err(CmdError::Message(format!(
            "invalid profile name {name:?}: use letters, digits, `-` and `_`"
        )));
    }
    // Validate everything before asking for the token.
    let mut profiles = load(path)?.unwrap_or_default();
    if profiles.profiles.contains_key(name) && !force {
        return Err(CmdError::Message(format!(
            "profile {name:?} already exists; replace it (token included) with `workform profiles create {name} --force`, or remove it with `workform profiles delete {name}`"
        )));
    }
    let mut profile = Profile::default();
    let mut defaulted = false;
    match (&flags.host, &flags.region) {
        (Some(host), _) => {
            profile.host =
                Some(normalise_host(host).map_err(|e| CmdError::Message(format!("--host: {e}")))?);
        }
        (None, Some(r)) => {
            profile.region = Some(
                region::parse(r)
                    .map_err(|e| CmdError::Message(format!("--region: {e}")))?
                    .to_string(),
            );
        }
        (None, None) => {
            profile.region = Some(region::DEFAULT.to_string());
            defaulted = true;
        }
    }
    profile.token = Some(read_token(printer)?);
    if defaulted {
        printer.warning(&format!(
            "no --region or --host given: the profile uses the {} data centre ({}).",
            region::display_name(region::DEFAULT),
            region::host_for(region::DEFAULT).unwrap_or_default()
        ));
    }
    let dc = data_centre(&profile);
    profiles.profiles.insert(name.to_string(), profile);
    let became_current = profiles.current.is_none();
    if became_current {
        profiles.current = Some(name.to_string());
    }
    save(path, &profiles)?;
    let mut msg = format!("Saved profile {name:?} for {dc} in {}.", path.display());
    if became_current {
        msg.push_str(" It is the current profile.");
    } else {
        msg.push_str(&format!(
            " Use it with --profile {name}, or make it current with `workform profiles use {name}`."
        ));
    }
    msg.push_str(" Check the token with `workform init`.");
    printer.out(&msg);
    Ok(exit::OK)
}

/// The token: piped on standard input, else WORKATO_API_TOKEN, else typed at the terminal
/// with echo off.
fn read_token(printer: &Printer) -> Result<Token, CmdError> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    if !interactive {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text).map_err(|e| {
            CmdError::Message(format!("cannot read the token from standard input: {e}"))
        })?;
        if !text.trim().is_empty() {
            return checked(text.trim());
        }
    }
    if let Ok(t) = std::env::var(credentials::env::TOKEN)
        && !t.trim().is_empty()
    {
        printer.err(&format!(
            "Using the token from {}.",
            credentials::env::TOKEN
        ));
        return checked(t.trim());
    }
    if interactive {
        printer.err("API token (input hidden): ");
        let line = console::Term::stderr()
            .read_secure_line()
            .map_err(|e| CmdError::Message(format!("cannot read the token: {e}")))?;
        if !line.trim().is_empty() {
            return checked(line.trim());
        }
    }
    Err(CmdError::Message(format!(
        "no token given: pipe it on standard input (e.g. `workform profiles create NAME --region eu < token.txt`), set {}, or run in a terminal to type it",
        credentials::env::TOKEN
    )))
}

/// A token is one word: anything else is a pasting accident (not echoed).
fn checked(token: &str) -> Result<Token, CmdError> {
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CmdError::Message(
            "the token contains spaces or several lines; give only the token itself".into(),
        ));
    }
    Ok(Token::new(token))
}
