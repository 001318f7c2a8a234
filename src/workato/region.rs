//! Workato data centres and their Developer API hosts.

/// `(region key, display name, base URL)`; see reference/workato-api.md §1.1.
pub const REGIONS: &[(&str, &str, &str)] = &[
    ("us", "US", "https://www.workato.com"),
    ("eu", "EU", "https://app.eu.workato.com"),
    ("jp", "JP", "https://app.jp.workato.com"),
    ("sg", "SG", "https://app.sg.workato.com"),
    ("au", "AU", "https://app.au.workato.com"),
    ("il", "IL", "https://app.il.workato.com"),
    ("kr", "KR", "https://app.kr.workato.com"),
    ("cn", "CN", "https://app.workatoapp.cn"),
    ("trial", "Trial", "https://app.trial.workato.com"),
];

/// The region used when nothing names one (Workato's own default data centre).
pub const DEFAULT: &str = "us";

/// Why a region name cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error(
        "unknown Workato region {0:?}: expected one of {regions}; for any other host (a private or regional URL) set the host instead (--host, WORKATO_HOST or `host` in the workato block)",
        regions = names()
    )]
    Unknown(String),
}

/// The canonical key of a region name (case-insensitive, surrounding spaces ignored).
pub fn parse(region: &str) -> Result<&'static str, RegionError> {
    let wanted = region.trim().to_ascii_lowercase();
    REGIONS
        .iter()
        .find(|(key, _, _)| *key == wanted)
        .map(|(key, _, _)| *key)
        .ok_or_else(|| RegionError::Unknown(region.to_string()))
}

/// The base URL of a region key (case-insensitive).
pub fn host_for(region: &str) -> Option<&'static str> {
    let key = parse(region).ok()?;
    REGIONS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, _, url)| *url)
}

/// The region whose API host `base_url` is, if it is one of Workato's public data centres.
pub fn for_host(base_url: &str) -> Option<&'static str> {
    let base = base_url.trim().trim_end_matches('/');
    REGIONS
        .iter()
        .find(|(_, _, url)| url.eq_ignore_ascii_case(base))
        .map(|(key, _, _)| *key)
}

/// "EU" for "eu".
pub fn display_name(key: &str) -> &'static str {
    REGIONS
        .iter()
        .find(|(k, _, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, name, _)| *name)
        .unwrap_or("custom")
}

/// The region keys, for error messages.
pub fn names() -> String {
    REGIONS
        .iter()
        .map(|(k, _, _)| *k)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_an_https_host() {
        for (key, _, url) in REGIONS {
            assert_eq!(host_for(key), Some(*url));
            assert_eq!(for_host(url), Some(*key));
            assert!(url.starts_with("https://"));
        }
        assert_eq!(REGIONS.len(), 9);
    }

    #[test]
    fn region_names_are_case_insensitive_and_trimmed() {
        assert_eq!(host_for("EU"), Some("https://app.eu.workato.com"));
        assert_eq!(host_for(" jp "), Some("https://app.jp.workato.com"));
        assert_eq!(parse("Trial"), Ok("trial"));
        assert_eq!(host_for("cn"), Some("https://app.workatoapp.cn"));
        assert_eq!(host_for(DEFAULT), Some("https://www.workato.com"));
    }

    #[test]
    fn an_unknown_region_lists_the_known_ones_and_points_at_host() {
        assert_eq!(host_for("mars"), None);
        let err = parse("uk").unwrap_err().to_string();
        assert!(err.contains("\"uk\""), "{err}");
        assert!(
            err.contains("us, eu, jp, sg, au, il, kr, cn, trial"),
            "{err}"
        );
        assert!(err.contains("WORKATO_HOST"), "{err}");
    }

    #[test]
    fn hosts_map_back_to_regions() {
        assert_eq!(for_host("https://app.eu.workato.com/"), Some("eu"));
        assert_eq!(for_host("https://workato.acme.internal"), None);
        assert_eq!(display_name("eu"), "EU");
        assert_eq!(display_name("elsewhere"), "custom");
    }
}
