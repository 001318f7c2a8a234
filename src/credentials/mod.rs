//! Where the API token and the workspace host come from.
//!
//! Precedence, highest first, decided per setting (token, host):
//!
//! 1. command-line flags: `--host` / `--region`, then the profile named by `--profile`
//!    (never a token flag: it would leak into shell history and `ps`);
//! 2. the environment: `WORKATO_API_TOKEN`, `WORKATO_HOST`, `WORKATO_REGION` (the variables
//!    Workato's own CLI reads);
//! 3. the configuration's `workato { host / region / token }` block;
//! 4. the current profile of the credentials file (see [`file`]);
//! 5. for the host only: the US data centre.
//!
//! Within one source a host beats a region. [`resolve`] is a pure function of its inputs;
//! the command layer gathers them (reading the credentials file only when it is needed).

pub mod file;

use std::fmt;

pub use file::{FileError, Profile, ProfilesFile};

use crate::workato::Token;
use crate::workato::client::{HostError, normalise_host};
use crate::workato::region::{self, RegionError};

/// Environment variable names (the first three match Workato's own CLI).
pub mod env {
    pub const TOKEN: &str = "WORKATO_API_TOKEN";
    pub const HOST: &str = "WORKATO_HOST";
    pub const REGION: &str = "WORKATO_REGION";
}

/// Connection flags from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub host: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
}

impl Flags {
    pub fn is_empty(&self) -> bool {
        self.host.is_none() && self.region.is_none() && self.profile.is_none()
    }
}

/// What one source (the environment, the `workato` block) says. Empty strings count as unset.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub host: Option<String>,
    pub region: Option<String>,
    pub token: Option<Token>,
}

impl Layer {
    /// Drops empty values, so `WORKATO_HOST=` means "not set".
    pub fn new(host: Option<String>, region: Option<String>, token: Option<String>) -> Layer {
        let keep = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        Layer {
            host: keep(host),
            region: keep(region),
            token: keep(token).map(|t| Token::new(t.trim())),
        }
    }

    /// The environment's layer.
    pub fn from_env() -> Layer {
        let var = |name| std::env::var(name).ok();
        Layer::new(var(env::HOST), var(env::REGION), var(env::TOKEN))
    }
}

/// Where a setting came from (shown by `init`, named in errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    HostFlag,
    RegionFlag,
    Env(&'static str),
    Block(&'static str),
    Profile(String),
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::HostFlag => f.write_str("--host"),
            Origin::RegionFlag => f.write_str("--region"),
            Origin::Env(name) => f.write_str(name),
            Origin::Block(attr) => write!(f, "`{attr}` in the workato block"),
            Origin::Profile(name) => write!(f, "profile {name:?}"),
            Origin::Default => write!(f, "the default data centre ({})", region::DEFAULT),
        }
    }
}

/// Everything [`resolve`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub flags: &'a Flags,
    pub env: &'a Layer,
    pub block: &'a Layer,
    /// The credentials file, when it exists and was read.
    pub profiles: Option<&'a ProfilesFile>,
    /// Its path, for messages.
    pub profiles_path: &'a str,
}

/// Where to connect, without the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Normalised base URL (no trailing slash, no `/api`).
    pub base_url: String,
    /// The data centre key when the host is one of Workato's public ones.
    pub region: Option<&'static str>,
    pub host_origin: Origin,
    pub token_origin: Origin,
}

impl Endpoint {
    /// "EU (https://app.eu.workato.com)" or "custom host https://…".
    pub fn data_centre(&self) -> String {
        match self.region {
            Some(key) => format!("{} ({})", region::display_name(key), self.base_url),
            None => format!("custom host {}", self.base_url),
        }
    }
}

/// The outcome: where to connect and with which token.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub endpoint: Endpoint,
    pub token: Token,
}

/// Why no usable credentials were found.
#[derive(Debug, thiserror::Error)]
pub enum CredError {
    #[error(
        "no Workato API token. Set {token}, or save one in a profile with `workform profiles create NAME --region REGION` (it reads the token from standard input), or set `token` in the workato block from a variable marked sensitive. To try workform without an account, use --sandbox.",
        token = env::TOKEN
    )]
    NoToken,
    #[error("{origin}: {source}")]
    Region {
        origin: Origin,
        #[source]
        source: RegionError,
    },
    #[error("{origin}: {source}")]
    Host {
        origin: Origin,
        #[source]
        source: HostError,
    },
    #[error("{}", unknown_profile(.name, .path, .known))]
    UnknownProfile {
        name: String,
        path: String,
        known: Vec<String>,
    },
    #[error(
        "{path} sets current = {name:?}, but has no [profiles.{name}] table; pick another with `workform profiles use NAME`"
    )]
    MissingCurrent { name: String, path: String },
}

fn unknown_profile(name: &str, path: &str, known: &[String]) -> String {
    let known = if known.is_empty() {
        "there are no profiles yet".to_string()
    } else {
        format!("known profiles: {}", known.join(", "))
    };
    format!(
        "no profile named {name:?} in {path} ({known}). Create it with `workform profiles create {name} --region REGION` (the token is read from standard input)."
    )
}

/// The profile in play and whether `--profile` named it (which ranks it with the flags).
fn selected<'a>(src: &Sources<'a>) -> Result<Option<(&'a str, &'a Profile, bool)>, CredError> {
    let known = || {
        src.profiles
            .map(|f| f.profiles.keys().cloned().collect())
            .unwrap_or_default()
    };
    if let Some(name) = &src.flags.profile {
        let profile = src
            .profiles
            .and_then(|f| f.profiles.get_key_value(name.as_str()));
        return match profile {
            Some((name, p)) => Ok(Some((name.as_str(), p, true))),
            None => Err(CredError::UnknownProfile {
                name: name.clone(),
                path: src.profiles_path.to_string(),
                known: known(),
            }),
        };
    }
    let Some(file) = src.profiles else {
        return Ok(None);
    };
    let Some(current) = &file.current else {
        return Ok(None);
    };
    match file.profiles.get_key_value(current.as_str()) {
        Some((name, p)) => Ok(Some((name.as_str(), p, false))),
        None => Err(CredError::MissingCurrent {
            name: current.clone(),
            path: src.profiles_path.to_string(),
        }),
    }
}

/// Whether the credentials file must be read: `--profile` names one, or the higher sources
/// leave the token or the host unset. (A run fully configured by the environment never
/// touches the file, so a broken or loose one does not get in its way.)
pub fn needs_profiles(flags: &Flags, env: &Layer, block: &Layer) -> bool {
    let host_set = flags.host.is_some()
        || flags.region.is_some()
        || [env, block]
            .iter()
            .any(|l| l.host.is_some() || l.region.is_some());
    let token_set = env.token.is_some() || block.token.is_some();
    flags.profile.is_some() || !host_set || !token_set
}

/// Applies the precedence rules.
pub fn resolve(src: &Sources) -> Result<Resolved, CredError> {
    let profile = selected(src)?;
    let as_layer = |(name, p): (&str, &Profile)| {
        (
            Layer {
                host: p.host.clone(),
                region: p.region.clone(),
                token: p.token.clone(),
            },
            Origin::Profile(name.to_string()),
        )
    };
    let explicit = profile
        .filter(|(_, _, explicit)| *explicit)
        .map(|(n, p, _)| as_layer((n, p)));
    let implicit = profile
        .filter(|(_, _, explicit)| !*explicit)
        .map(|(n, p, _)| as_layer((n, p)));

    let flag_layer = Layer {
        host: src.flags.host.clone(),
        region: src.flags.region.clone(),
        token: None,
    };
    let mut host_layers: Vec<(&Layer, HostOrigins)> = vec![(&flag_layer, HostOrigins::flags())];
    let mut token_layers: Vec<(&Layer, Origin)> = Vec::new();
    if let Some((layer, origin)) = &explicit {
        host_layers.push((layer, HostOrigins::same(origin)));
        token_layers.push((layer, origin.clone()));
    }
    host_layers.push((src.env, HostOrigins::env()));
    token_layers.push((src.env, Origin::Env(env::TOKEN)));
    host_layers.push((src.block, HostOrigins::block()));
    token_layers.push((src.block, Origin::Block("token")));
    if let Some((layer, origin)) = &implicit {
        host_layers.push((layer, HostOrigins::same(origin)));
        token_layers.push((layer, origin.clone()));
    }

    let (token, token_origin) = token_layers
        .into_iter()
        .find_map(|(layer, origin)| layer.token.clone().map(|t| (t, origin)))
        .ok_or(CredError::NoToken)?;

    let (base_url, host_origin) = host_layers
        .into_iter()
        .find_map(|(layer, origins)| {
            if let Some(host) = &layer.host {
                Some(
                    normalise_host(host)
                        .map(|b| (b, origins.host.clone()))
                        .map_err(|source| CredError::Host {
                            origin: origins.host,
                            source,
                        }),
                )
            } else {
                layer.region.as_ref().map(|r| {
                    region_url(r)
                        .map(|b| (b, origins.region.clone()))
                        .map_err(|source| CredError::Region {
                            origin: origins.region,
                            source,
                        })
                })
            }
        })
        .unwrap_or_else(|| {
            Ok((
                region_url(region::DEFAULT).expect("the default region exists"),
                Origin::Default,
            ))
        })?;

    let endpoint = Endpoint {
        region: region::for_host(&base_url),
        base_url,
        host_origin,
        token_origin,
    };
    Ok(Resolved { endpoint, token })
}

fn region_url(name: &str) -> Result<String, RegionError> {
    let key = region::parse(name)?;
    Ok(region::host_for(key)
        .expect("parsed regions have hosts")
        .to_string())
}

/// How to name a layer's host and region settings.
struct HostOrigins {
    host: Origin,
    region: Origin,
}

impl HostOrigins {
    fn flags() -> HostOrigins {
        HostOrigins {
            host: Origin::HostFlag,
            region: Origin::RegionFlag,
        }
    }
    fn env() -> HostOrigins {
        HostOrigins {
            host: Origin::Env(env::HOST),
            region: Origin::Env(env::REGION),
        }
    }
    fn block() -> HostOrigins {
        HostOrigins {
            host: Origin::Block("host"),
            region: Origin::Block("region"),
        }
    }
    fn same(origin: &Origin) -> HostOrigins {
        HostOrigins {
            host: origin.clone(),
            region: origin.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(host: Option<&str>, region: Option<&str>, token: Option<&str>) -> Layer {
        Layer::new(
            host.map(Into::into),
            region.map(Into::into),
            token.map(Into::into),
        )
    }

    /// (name, host, region, token)
    type ProfileRow<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

    fn profiles(current: Option<&str>, list: &[ProfileRow]) -> ProfilesFile {
        let mut file = ProfilesFile {
            current: current.map(Into::into),
            ..ProfilesFile::default()
        };
        for (name, host, region, token) in list {
            file.profiles.insert(
                name.to_string(),
                Profile {
                    host: host.map(Into::into),
                    region: region.map(Into::into),
                    token: token.map(Token::new),
                },
            );
        }
        file
    }

    fn run(
        flags: &Flags,
        env: &Layer,
        block: &Layer,
        file: Option<&ProfilesFile>,
    ) -> Result<Resolved, CredError> {
        resolve(&Sources {
            flags,
            env,
            block,
            profiles: file,
            profiles_path: "/cfg/credentials.toml",
        })
    }

    fn ok(
        flags: &Flags,
        env: &Layer,
        block: &Layer,
        file: Option<&ProfilesFile>,
    ) -> (String, String, Origin, Origin) {
        let r = run(flags, env, block, file).unwrap();
        (
            r.endpoint.base_url,
            r.token.expose().to_string(),
            r.endpoint.host_origin,
            r.endpoint.token_origin,
        )
    }

    const EU: &str = "https://app.eu.workato.com";
    const US: &str = "https://www.workato.com";

    #[test]
    fn the_environment_beats_the_block_which_beats_the_current_profile() {
        let file = profiles(
            Some("work"),
            &[("work", None, Some("jp"), Some("tok-profile"))],
        );
        let env = layer(None, Some("eu"), Some("tok-env"));
        let block = layer(Some("https://block.example"), None, Some("tok-block"));
        let none = Layer::default();
        let flags = Flags::default();
        assert_eq!(
            ok(&flags, &env, &block, Some(&file)),
            (
                EU.into(),
                "tok-env".into(),
                Origin::Env(env::REGION),
                Origin::Env(env::TOKEN)
            )
        );
        assert_eq!(
            ok(&flags, &none, &block, Some(&file)),
            (
                "https://block.example".into(),
                "tok-block".into(),
                Origin::Block("host"),
                Origin::Block("token")
            )
        );
        assert_eq!(
            ok(&flags, &none, &none, Some(&file)),
            (
                "https://app.jp.workato.com".into(),
                "tok-profile".into(),
                Origin::Profile("work".into()),
                Origin::Profile("work".into())
            )
        );
    }

    #[test]
    fn settings_resolve_independently() {
        // Token from the environment, data centre from the block.
        let env = layer(None, None, Some("tok-env"));
        let block = layer(None, Some("EU"), None);
        let (base, token, host_origin, token_origin) = ok(&Flags::default(), &env, &block, None);
        assert_eq!((base.as_str(), token.as_str()), (EU, "tok-env"));
        assert_eq!(
            (host_origin, token_origin),
            (Origin::Block("region"), Origin::Env(env::TOKEN))
        );
    }

    #[test]
    fn flags_beat_everything_and_never_carry_a_token() {
        let env = layer(Some("https://env.example"), None, Some("tok-env"));
        let flags = Flags {
            region: Some("sg".into()),
            ..Flags::default()
        };
        let (base, token, origin, _) = ok(&flags, &env, &Layer::default(), None);
        assert_eq!(
            (base.as_str(), token.as_str(), origin),
            ("https://app.sg.workato.com", "tok-env", Origin::RegionFlag)
        );
        let flags = Flags {
            host: Some("https://flag.example/".into()),
            ..Flags::default()
        };
        let (base, _, origin, _) = ok(&flags, &env, &Layer::default(), None);
        assert_eq!(
            (base.as_str(), origin),
            ("https://flag.example", Origin::HostFlag)
        );
    }

    #[test]
    fn an_explicit_profile_ranks_with_the_flags() {
        let file = profiles(
            Some("work"),
            &[
                ("work", None, Some("jp"), Some("tok-work")),
                ("prod", None, Some("eu"), Some("tok-prod")),
            ],
        );
        let env = layer(Some("https://env.example"), None, Some("tok-env"));
        let flags = Flags {
            profile: Some("prod".into()),
            ..Flags::default()
        };
        let (base, token, origin, token_origin) = ok(&flags, &env, &Layer::default(), Some(&file));
        assert_eq!((base.as_str(), token.as_str()), (EU, "tok-prod"));
        assert_eq!(
            (origin, token_origin),
            (
                Origin::Profile("prod".into()),
                Origin::Profile("prod".into())
            )
        );
        // --host still beats the profile's region.
        let flags = Flags {
            profile: Some("prod".into()),
            host: Some("https://h.example".into()),
            ..Flags::default()
        };
        let (base, token, _, _) = ok(&flags, &env, &Layer::default(), Some(&file));
        assert_eq!(
            (base.as_str(), token.as_str()),
            ("https://h.example", "tok-prod")
        );
        // A profile without a token lets the next source supply it.
        let file = profiles(None, &[("hostonly", Some("https://p.example"), None, None)]);
        let flags = Flags {
            profile: Some("hostonly".into()),
            ..Flags::default()
        };
        let (base, token, _, token_origin) = ok(&flags, &env, &Layer::default(), Some(&file));
        assert_eq!(
            (base.as_str(), token.as_str(), token_origin),
            ("https://p.example", "tok-env", Origin::Env(env::TOKEN))
        );
    }

    #[test]
    fn the_host_defaults_to_the_us_data_centre() {
        let env = layer(None, None, Some("t"));
        let (base, _, origin, _) = ok(&Flags::default(), &env, &Layer::default(), None);
        assert_eq!((base.as_str(), origin), (US, Origin::Default));
        let r = run(&Flags::default(), &env, &Layer::default(), None).unwrap();
        assert_eq!(r.endpoint.region, Some("us"));
        assert_eq!(r.endpoint.data_centre(), "US (https://www.workato.com)");
    }

    #[test]
    fn a_host_beats_a_region_in_the_same_source() {
        let env = layer(Some("https://env.example"), Some("eu"), Some("t"));
        let (base, _, origin, _) = ok(&Flags::default(), &env, &Layer::default(), None);
        assert_eq!(
            (base.as_str(), origin),
            ("https://env.example", Origin::Env(env::HOST))
        );
    }

    #[test]
    fn empty_values_count_as_unset() {
        let env = layer(Some(""), Some("  "), Some(""));
        let block = layer(None, Some("au"), Some("tok-block"));
        let (base, token, _, _) = ok(&Flags::default(), &env, &block, None);
        assert_eq!(
            (base.as_str(), token.as_str()),
            ("https://app.au.workato.com", "tok-block")
        );
    }

    #[test]
    fn errors_name_the_source_and_the_fix() {
        let none = Layer::default();
        let err = run(&Flags::default(), &none, &none, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("WORKATO_API_TOKEN")
                && err.contains("profiles create")
                && err.contains("--sandbox"),
            "{err}"
        );

        let env = layer(None, Some("mars"), Some("t"));
        let err = run(&Flags::default(), &env, &none, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("WORKATO_REGION: unknown Workato region \"mars\""),
            "{err}"
        );

        let env = layer(Some("http://example.com"), None, Some("t"));
        let err = run(&Flags::default(), &env, &none, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("WORKATO_HOST: refusing plain http://"),
            "{err}"
        );

        let file = profiles(None, &[("a", None, None, Some("t"))]);
        let flags = Flags {
            profile: Some("b".into()),
            ..Flags::default()
        };
        let err = run(&flags, &none, &none, Some(&file))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no profile named \"b\"") && err.contains("known profiles: a"),
            "{err}"
        );
        let err = run(&flags, &none, &none, None).unwrap_err().to_string();
        assert!(err.contains("there are no profiles yet"), "{err}");

        let file = profiles(Some("gone"), &[]);
        let err = run(&Flags::default(), &none, &none, Some(&file))
            .unwrap_err()
            .to_string();
        assert!(err.contains("current = \"gone\""), "{err}");

        let file = profiles(Some("p"), &[("p", None, Some("xx"), Some("t"))]);
        let err = run(&Flags::default(), &none, &none, Some(&file))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("profile \"p\": unknown Workato region"),
            "{err}"
        );
    }

    #[test]
    fn the_file_is_read_only_when_needed() {
        let full = layer(Some("https://h"), None, Some("t"));
        let none = Layer::default();
        assert!(!needs_profiles(&Flags::default(), &full, &none));
        assert!(!needs_profiles(
            &Flags::default(),
            &layer(None, None, Some("t")),
            &layer(None, Some("eu"), None)
        ));
        assert!(needs_profiles(
            &Flags {
                profile: Some("p".into()),
                ..Flags::default()
            },
            &full,
            &none
        ));
        assert!(needs_profiles(
            &Flags::default(),
            &layer(None, None, Some("t")),
            &none
        ));
        assert!(needs_profiles(
            &Flags::default(),
            &layer(Some("https://h"), None, None),
            &none
        ));
        assert!(!needs_profiles(
            &Flags {
                region: Some("eu".into()),
                ..Flags::default()
            },
            &layer(None, None, Some("t")),
            &none
        ));
    }

    #[test]
    fn resolved_credentials_never_debug_print_the_token() {
        let env = layer(None, None, Some("tok-s3cret"));
        let r = run(&Flags::default(), &env, &Layer::default(), None).unwrap();
        assert!(!format!("{r:?}").contains("s3cret"));
    }
}
