//! The object model: object types, their properties and associations, the
//! account (hub tiers, time zone, integrations, resources), the built-in
//! standard schema, and the `wf.toml` manifest.
//!
//! The checker, the runtime and the language server all read these types;
//! they hold no spans except where a diagnostic in `wf.toml` needs one.

use std::collections::BTreeMap;

pub mod builtin;
pub mod doc;
pub mod manifest;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    None,
    Starter,
    Professional,
    Enterprise,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::None => "none",
            Tier::Starter => "starter",
            Tier::Professional => "professional",
            Tier::Enterprise => "enterprise",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hub {
    Marketing,
    Sales,
    Service,
}

impl Hub {
    pub fn as_str(self) -> &'static str {
        match self {
            Hub::Marketing => "marketing",
            Hub::Sales => "sales",
            Hub::Service => "service",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PropType {
    String,
    Number,
    Bool,
    Date,
    Datetime,
    /// Single-select enumeration with its options.
    Enum(Vec<String>),
    /// Multiple-checkbox enumeration with its options.
    Multi(Vec<String>),
    /// A user id / owner.
    Owner,
}

impl PropType {
    /// The manifest name of the type (`string`, `enum`, `multi`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            PropType::String => "string",
            PropType::Number => "number",
            PropType::Bool => "bool",
            PropType::Date => "date",
            PropType::Datetime => "datetime",
            PropType::Enum(_) => "enum",
            PropType::Multi(_) => "multi",
            PropType::Owner => "owner",
        }
    }

    pub fn options(&self) -> Option<&[String]> {
        match self {
            PropType::Enum(o) | PropType::Multi(o) => Some(o),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectDef {
    pub name: String,
    /// True for the five built-in types.
    pub builtin: bool,
    pub properties: BTreeMap<String, PropType>,
    /// Properties that `create` must set.
    pub required: Vec<String>,
}

/// Object types, their properties and the (symmetric) associations.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Schema {
    pub objects: BTreeMap<String, ObjectDef>,
    /// Each pair stored once, names sorted within the pair.
    pub associations: std::collections::BTreeSet<(String, String)>,
}

impl Schema {
    pub fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.objects.get(name)
    }

    pub fn property(&self, object: &str, property: &str) -> Option<&PropType> {
        self.objects.get(object)?.properties.get(property)
    }

    pub fn associated(&self, a: &str, b: &str) -> bool {
        let key = if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        };
        self.associations.contains(&key)
    }

    pub fn associate(&mut self, a: &str, b: &str) {
        let key = if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        };
        self.associations.insert(key);
    }

    /// Object types associated with `object`, sorted.
    pub fn associations_of(&self, object: &str) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .associations
            .iter()
            .filter_map(|(a, b)| {
                if a == object {
                    Some(b.as_str())
                } else if b == object {
                    Some(a.as_str())
                } else {
                    None
                }
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Named account resources declared in `[resources]`. `None`: that kind is
/// not declared, so its names are not checked (WF107 only for declared kinds).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Resources {
    pub emails: Option<Vec<String>>,
    pub lists: Option<Vec<String>>,
    /// Team name → member emails (empty when declared as a plain list).
    pub teams: Option<BTreeMap<String, Vec<String>>>,
    pub users: Option<Vec<String>>,
    pub forms: Option<Vec<String>>,
    pub audiences: Option<Vec<String>>,
    pub subscriptions: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub marketing: Tier,
    pub sales: Tier,
    pub service: Tier,
    /// IANA time zone name (validated when the manifest is loaded).
    pub timezone: chrono_tz::Tz,
    /// Connected integrations, lower case (`slack`, `asana`, `salesforce`, app names).
    /// `None`: every integration counts as connected (no manifest).
    pub integrations: Option<Vec<String>>,
}

impl Account {
    /// The account assumed without any manifest: every hub at enterprise,
    /// every integration connected, UTC.
    pub fn unrestricted() -> Account {
        Account {
            marketing: Tier::Enterprise,
            sales: Tier::Enterprise,
            service: Tier::Enterprise,
            timezone: chrono_tz::UTC,
            integrations: None,
        }
    }

    pub fn tier(&self, hub: Hub) -> Tier {
        match hub {
            Hub::Marketing => self.marketing,
            Hub::Sales => self.sales,
            Hub::Service => self.service,
        }
    }

    pub fn is_connected(&self, integration: &str) -> bool {
        match &self.integrations {
            None => true,
            Some(list) => list.iter().any(|i| i.eq_ignore_ascii_case(integration)),
        }
    }
}

/// Everything the checker and the runtime know about the account: the
/// built-in schema merged with the manifest's additions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    pub schema: Schema,
    pub account: Account,
    pub resources: Resources,
    /// Span of the `[account]` table in `wf.toml` (WF304 points there).
    pub account_span: Option<crate::source::Span>,
    /// Set when a manifest was given but had errors (WF010): the files are
    /// checked against the standard environment, and names the manifest
    /// could have declared (properties, object types) are not reported, so
    /// that one broken manifest gives WF010 and no cascade.
    pub manifest_failed: bool,
}

impl Environment {
    /// The built-in schema, unrestricted account, no resources checked.
    pub fn standard() -> Environment {
        Environment {
            schema: builtin::schema(),
            account: Account::unrestricted(),
            resources: Resources::default(),
            account_span: None,
            manifest_failed: false,
        }
    }

    /// The environment used when the manifest has errors: the standard one,
    /// with [`Environment::manifest_failed`] set.
    pub fn after_bad_manifest() -> Environment {
        Environment {
            manifest_failed: true,
            ..Environment::standard()
        }
    }
}
