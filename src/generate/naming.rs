//! Resource and variable names for generated configuration: snake_case from the object's
//! own name, unique per type, and stable because objects are named in id order.

use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Longest name we generate: long enough to stay recognisable, short enough to read.
const MAX_LEN: usize = 60;

/// `"Billing (EU) API"` → `billing_eu_api`, `"HTTPClients"` → `http_clients`.
///
/// Only ASCII letters and digits survive (addresses are typed in shells and must parse as
/// identifiers); everything else separates words. The result may be empty; callers fall
/// back to another name.
pub fn snake_case(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::new();
    let mut pending_gap = false;
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            pending_gap = true;
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // camelCase boundary, or the last capital of an acronym before a word ("HTTPClient").
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                pending_gap = true;
            }
        }
        if pending_gap && !out.is_empty() {
            out.push('_');
        }
        pending_gap = false;
        out.push(c.to_ascii_lowercase());
    }
    truncate(out)
}

/// Cuts a long name at a word boundary when there is one near the limit.
fn truncate(name: String) -> String {
    if name.len() <= MAX_LEN {
        return name;
    }
    let head = &name[..MAX_LEN];
    match head.rfind('_') {
        Some(cut) if cut >= MAX_LEN / 2 => head[..cut].to_string(),
        _ => head.to_string(),
    }
}

/// A valid, readable identifier for an object of `type_name` whose name is `raw`:
/// empty names fall back to the type's noun, and names starting with a digit get it as a
/// prefix (`"2024 plans"` → `folder_2024_plans`), since identifiers cannot start with one.
pub fn base_name(type_name: &str, raw: &str) -> String {
    let noun = type_name.strip_prefix("workato_").unwrap_or(type_name);
    let slug = snake_case(raw);
    match slug.chars().next() {
        None => noun.to_string(),
        Some(c) if c.is_ascii_digit() => format!("{noun}_{slug}"),
        Some(_) => slug,
    }
}

/// Hands out unique names within one namespace: the first taker of a name gets it bare,
/// later ones `_2`, `_3`, ... (skipping any that are taken by a literal name).
#[derive(Debug, Default)]
pub struct Namer {
    taken: BTreeSet<String>,
}

impl Namer {
    pub fn new() -> Namer {
        Namer::default()
    }

    /// Reserves a name that must not be handed out (e.g. `workspace` for file names).
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_string());
    }

    pub fn unique(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        let mut n = 2;
        loop {
            let candidate = format!("{base}_{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// Orders object ids: numeric ids numerically (so 9 < 10), then the rest as text.
pub fn compare_ids(a: &str, b: &str) -> Ordering {
    match (a.parse::<i128>(), b.parse::<i128>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words_and_acronyms() {
        assert_eq!(snake_case("Hand built"), "hand_built");
        assert_eq!(snake_case("Billing (EU) API"), "billing_eu_api");
        assert_eq!(snake_case("billing.base_url"), "billing_base_url");
        assert_eq!(snake_case("HTTPClients"), "http_clients");
        assert_eq!(snake_case("salesforceSync"), "salesforce_sync");
        assert_eq!(snake_case("  --Ops--  "), "ops");
        assert_eq!(snake_case("v2Api"), "v2_api");
        assert_eq!(snake_case("Café Orders"), "caf_orders");
        assert_eq!(snake_case("???"), "");
    }

    #[test]
    fn long_names_are_cut_at_a_word() {
        let raw = "a very long folder name that keeps going and going and going until the end";
        let name = snake_case(raw);
        assert!(name.len() <= MAX_LEN, "{name}");
        assert!(!name.ends_with('_'));
        assert!(name.starts_with("a_very_long_folder"));
    }

    #[test]
    fn base_names_are_identifiers() {
        assert_eq!(
            base_name("workato_folder", "2024 plans"),
            "folder_2024_plans"
        );
        assert_eq!(base_name("workato_folder", "!!!"), "folder");
        assert_eq!(base_name("workato_project", "Billing"), "billing");
        for raw in ["2024", "", "é", "a-b", "Ünïcode 1"] {
            let name = base_name("workato_tag", raw);
            assert!(hcl::edit::Ident::try_new(name.clone()).is_ok(), "{name}");
        }
    }

    #[test]
    fn names_are_unique_with_numeric_suffixes() {
        let mut namer = Namer::new();
        assert_eq!(namer.unique("docs"), "docs");
        assert_eq!(namer.unique("docs"), "docs_2");
        namer.reserve("docs_3");
        assert_eq!(namer.unique("docs"), "docs_4");
        assert_eq!(namer.unique("docs_2"), "docs_2_2");
    }

    #[test]
    fn ids_sort_numerically_then_as_text() {
        let mut ids = vec!["10", "9", "environment:a", "12:x", "100"];
        ids.sort_by(|a, b| compare_ids(a, b));
        assert_eq!(ids, vec!["9", "10", "100", "12:x", "environment:a"]);
    }
}
