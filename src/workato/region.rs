//! Workato data centres and their Developer API hosts.

/// `(region key, base URL)`; see reference/workato-api.md §1.1.
pub const REGIONS: &[(&str, &str)] = &[
    ("us", "https://www.workato.com"),
    ("eu", "https://app.eu.workato.com"),
    ("jp", "https://app.jp.workato.com"),
    ("sg", "https://app.sg.workato.com"),
    ("au", "https://app.au.workato.com"),
    ("il", "https://app.il.workato.com"),
    ("kr", "https://app.kr.workato.com"),
    ("cn", "https://app.workatoapp.cn"),
    ("trial", "https://app.trial.workato.com"),
];

/// The base URL of a region key (case-insensitive).
pub fn host_for(region: &str) -> Option<&'static str> {
    let region = region.trim().to_ascii_lowercase();
    REGIONS.iter().find(|(k, _)| *k == region).map(|(_, url)| *url)
}

/// The region keys, for error messages.
pub fn names() -> String {
    REGIONS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_has_an_https_host() {
        for (key, url) in REGIONS {
            assert_eq!(host_for(key), Some(*url));
            assert!(url.starts_with("https://"));
        }
        assert_eq!(host_for("EU"), Some("https://app.eu.workato.com"));
        assert_eq!(host_for("mars"), None);
    }
}
