//! Resource addresses: `workato_folder.ops`, `workato_folder.ops["eu"]`, `data.workato_folder.shared`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Managed resources versus data sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
}

/// A resource block's address, without an instance key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceAddr {
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
}

/// The key of one instance of a resource with `count` or `for_each`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InstanceKey {
    Int(i64),
    Str(String),
}

/// One resource instance: `workato_folder.ops["eu"]`. Serialised as that text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceAddr {
    pub resource: ResourceAddr,
    pub key: Option<InstanceKey>,
}

impl ResourceAddr {
    pub fn managed(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceAddr {
            mode: Mode::Managed,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    pub fn data(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceAddr {
            mode: Mode::Data,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    pub fn instance(&self, key: Option<InstanceKey>) -> InstanceAddr {
        InstanceAddr {
            resource: self.clone(),
            key,
        }
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
        }
    }
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        if let Some(key) = &self.key {
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

/// Why an address string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid resource address {input:?}: {reason}")]
pub struct AddrParseError {
    pub input: String,
    pub reason: &'static str,
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl FromStr for InstanceAddr {
    type Err = AddrParseError;

    /// Parses `TYPE.NAME`, `TYPE.NAME[0]`, `TYPE.NAME["key"]` and the `data.` forms.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| AddrParseError {
            input: input.to_string(),
            reason,
        };
        let (head, key) = match input.find('[') {
            Some(open) => {
                let inner = input[open..]
                    .strip_prefix('[')
                    .and_then(|s| s.strip_suffix(']'))
                    .ok_or_else(|| err("an index must end with `]`"))?;
                let key = if let Ok(i) = inner.parse::<i64>() {
                    InstanceKey::Int(i)
                } else {
                    let s: String = serde_json::from_str(inner)
                        .map_err(|_| err("an index is a number or a quoted string"))?;
                    InstanceKey::Str(s)
                };
                (&input[..open], Some(key))
            }
            None => (input, None),
        };
        let parts: Vec<&str> = head.split('.').collect();
        let (mode, type_name, name) = match parts.as_slice() {
            ["data", t, n] => (Mode::Data, *t, *n),
            [t, n] => (Mode::Managed, *t, *n),
            _ => return Err(err("expected TYPE.NAME or data.TYPE.NAME")),
        };
        if !is_identifier(type_name) || !is_identifier(name) {
            return Err(err("type and name must be identifiers"));
        }
        Ok(InstanceAddr {
            resource: ResourceAddr {
                mode,
                type_name: type_name.into(),
                name: name.into(),
            },
            key,
        })
    }
}

impl Serialize for InstanceAddr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for InstanceAddr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in [
            "workato_folder.ops",
            "workato_folder.ops[3]",
            "workato_folder.ops[\"eu\"]",
            "data.workato_folder.shared",
        ] {
            let addr: InstanceAddr = text.parse().unwrap();
            assert_eq!(addr.to_string(), text);
        }
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for text in ["workato_folder", "a.b.c.d", "x.y[", "x.y[eu]", "1x.y"] {
            assert!(text.parse::<InstanceAddr>().is_err(), "{text}");
        }
    }
}
