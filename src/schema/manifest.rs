//! `wf.toml`: parsing, validation (WF010) and merging into an [`Environment`].
//!
//! The manifest is read with the `toml` crate into serde structs that reject
//! unknown keys; every value keeps its span (`toml::Spanned`) so that each
//! problem is reported at the offending place in `wf.toml`. All problems are
//! reported at once; any problem means the manifest is ignored (the caller
//! checks the `.wf` files as if there were none).

use super::{builtin, Account, Environment, ObjectDef, PropType, Resources, Tier};
use crate::diagnostics::suggest;
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::source::{FileId, SourceMap, Span};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The manifest's file name.
pub const FILE_NAME: &str = "wf.toml";

/// The nearest `wf.toml` in `start_dir` or one of its parents.
pub fn discover(start_dir: &Path) -> Option<PathBuf> {
    let mut dir = Some(start_dir);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

// ------------------------------------------------------------ raw (serde) form

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    account: Option<Spanned<RawAccount>>,
    #[serde(default)]
    properties: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<RawProp>>>,
    #[serde(default)]
    objects: BTreeMap<Spanned<String>, RawObject>,
    resources: Option<RawResources>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    marketing: Option<Spanned<String>>,
    sales: Option<Spanned<String>>,
    service: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    integrations: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObject {
    #[serde(default)]
    associations: Vec<Spanned<String>>,
    #[serde(default)]
    required: Vec<Spanned<String>>,
    #[serde(default)]
    properties: BTreeMap<Spanned<String>, Spanned<RawProp>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPropTable {
    #[serde(rename = "type")]
    ty: Spanned<String>,
    options: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `name = "number"` or `name = { type = "enum", options = [...] }`.
enum RawProp {
    Short(Spanned<String>),
    Table(RawPropTable),
}

impl<'de> Deserialize<'de> for RawProp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawProp, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawProp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a type name such as \"string\" or a table { type = ..., options = [...] }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawProp, E> {
                // The span of the whole value is added by the outer `Spanned`.
                Ok(RawProp::Short(Spanned::new(0..0, v.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawProp, A::Error> {
                RawPropTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawProp::Table)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResources {
    emails: Option<Vec<String>>,
    lists: Option<Vec<String>>,
    teams: Option<RawTeams>,
    users: Option<Vec<String>>,
    forms: Option<Vec<String>>,
    audiences: Option<Vec<String>>,
    subscriptions: Option<Vec<String>>,
}

/// `teams = ["A", "B"]` or `teams = { "A" = ["ana@example.com"] }`.
struct RawTeams(BTreeMap<String, Vec<String>>);

impl<'de> Deserialize<'de> for RawTeams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawTeams, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTeams;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of team names or a table of team name to member emails")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawTeams, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(name) = seq.next_element::<String>()? {
                    out.insert(name, Vec::new());
                }
                Ok(RawTeams(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTeams, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((name, members)) = map.next_entry::<String, Vec<String>>()? {
                    out.insert(name, members);
                }
                Ok(RawTeams(out))
            }
        }
        d.deserialize_any(V)
    }
}

// ------------------------------------------------------------ loading

/// Load the manifest in `file` of `sources`. On any problem, every WF010
/// diagnostic (the caller then checks as if there were no manifest).
pub fn load(sources: &SourceMap, file: FileId) -> Result<Environment, Vec<Diagnostic>> {
    let text = sources.text(file);
    let raw: RawManifest = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let message = first_line(e.message());
            return Err(vec![wf010(
                Span::new(file, range.start, range.end),
                format!("invalid wf.toml: {message}"),
                "here",
                None,
            )]);
        }
    };
    let mut loader = Loader {
        file,
        diags: Vec::new(),
    };
    let env = loader.build(raw, text);
    if loader.diags.is_empty() {
        Ok(env)
    } else {
        Err(loader.diags)
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    let line = line.trim_end_matches('.');
    let mut chars = line.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
        None => "cannot be parsed".to_string(),
    }
}

/// Every WF010 is built here.
fn wf010(span: Span, message: String, label: &str, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::new(Code::WF010, bounded(&message), Label::new(span, label));
    match help {
        Some(h) => d.with_help(bounded(&h)),
        None => d,
    }
}

/// The longest WF010 message or help, in characters (after the quotes are
/// cut): a safety net for text quoted without backticks (TOML's messages).
const MAX_MESSAGE_CHARS: usize = 300;

/// `text` with every part between backticks (the names and values quoted
/// from the manifest) cut to [`crate::diagnostics::MAX_QUOTED_CHARS`] characters,
/// as every other message does, and the whole to [`MAX_MESSAGE_CHARS`]: a
/// megabyte key or time zone name must not make a megabyte message.
fn bounded(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * MAX_MESSAGE_CHARS));
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&crate::diagnostics::shorten(part));
        } else {
            out.push_str(part);
        }
    }
    match out.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => {
            out.truncate(cut);
            out.push('…');
            out
        }
        None => out,
    }
}

const TIERS: [(&str, Tier); 4] = [
    ("none", Tier::None),
    ("starter", Tier::Starter),
    ("professional", Tier::Professional),
    ("enterprise", Tier::Enterprise),
];

const TYPE_NAMES: [&str; 8] = [
    "string", "number", "bool", "date", "datetime", "enum", "multi", "owner",
];

struct Loader {
    file: FileId,
    diags: Vec<Diagnostic>,
}

impl Loader {
    fn span(&self, r: std::ops::Range<usize>) -> Span {
        Span::new(self.file, r.start, r.end)
    }

    fn error(
        &mut self,
        r: std::ops::Range<usize>,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        let span = self.span(r);
        self.diags.push(wf010(span, message, label, help));
    }

    fn build(&mut self, raw: RawManifest, text: &str) -> Environment {
        let mut schema = builtin::schema();
        let mut account = Account {
            marketing: Tier::None,
            sales: Tier::None,
            service: Tier::None,
            timezone: chrono_tz::UTC,
            integrations: Some(Vec::new()),
        };
        let mut account_span = None;

        if let Some(acc) = raw.account {
            account_span = Some(self.account_header_span(text, acc.span()));
            let acc = acc.into_inner();
            account.marketing = self.tier(acc.marketing, "marketing");
            account.sales = self.tier(acc.sales, "sales");
            account.service = self.tier(acc.service, "service");
            if let Some(tz) = acc.timezone {
                match tz.get_ref().parse::<chrono_tz::Tz>() {
                    Ok(z) => account.timezone = z,
                    Err(_) => {
                        let help = suggest(
                            tz.get_ref(),
                            chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()),
                        )
                        .map(|s| format!("did you mean `{s}`?"))
                        .or_else(|| {
                            Some(
                                "use an IANA time zone name such as `Europe/Amsterdam` or `UTC`"
                                    .into(),
                            )
                        });
                        self.error(
                            tz.span(),
                            format!("unknown time zone `{}`", tz.get_ref()),
                            "not an IANA time zone name",
                            help,
                        );
                    }
                }
            }
            if let Some(list) = acc.integrations {
                let mut names = Vec::new();
                for i in list {
                    let name = i.get_ref().trim().to_lowercase();
                    if name.is_empty() {
                        self.error(i.span(), "empty integration name".into(), "empty", None);
                    } else {
                        names.push(name);
                    }
                }
                account.integrations = Some(names);
            }
        }

        // Custom objects first, so that `[properties.<custom>]` and
        // associations between custom objects resolve.
        let objects = raw.objects;
        for name in objects.keys() {
            let n = name.get_ref();
            if schema.objects.contains_key(n.as_str()) {
                self.error(
                    name.span(),
                    format!("`{n}` is a built-in object type and cannot be redeclared"),
                    "built-in object type",
                    Some("add properties to it under `[properties.<object>]` instead".into()),
                );
            } else if !is_ident(n) {
                self.error(
                    name.span(),
                    format!("object type name `{n}` is not an identifier"),
                    "not an identifier",
                    Some("use letters, digits and `_`, starting with a letter or `_`".into()),
                );
            } else {
                schema.objects.insert(
                    n.clone(),
                    ObjectDef {
                        name: n.clone(),
                        builtin: false,
                        properties: BTreeMap::new(),
                        required: Vec::new(),
                    },
                );
            }
        }
        for (name, obj) in objects {
            let n = name.into_inner();
            if schema.objects.get(&n).is_none_or(|o| o.builtin) {
                continue;
            }
            let mut props = BTreeMap::new();
            for (pname, prop) in obj.properties {
                if let Some(t) = self.prop_type(&pname, prop) {
                    props.insert(pname.into_inner(), t);
                }
            }
            let mut required = Vec::new();
            for r in obj.required {
                if props.contains_key(r.get_ref().as_str()) {
                    required.push(r.get_ref().clone());
                } else {
                    let help = suggest(r.get_ref(), props.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"))
                        .or_else(|| Some(format!("declare it under `[objects.{n}.properties]`")));
                    self.error(
                        r.span(),
                        format!(
                            "required property `{}` is not a property of `{n}`",
                            r.get_ref()
                        ),
                        "unknown property",
                        help,
                    );
                }
            }
            if let Some(def) = schema.objects.get_mut(&n) {
                def.properties = props;
                def.required = required;
            }
            for a in obj.associations {
                let target = a.get_ref();
                if schema.objects.contains_key(target.as_str()) {
                    schema.associate(&n, target);
                } else {
                    let help = suggest(target, schema.objects.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"));
                    self.error(
                        a.span(),
                        format!("unknown object type `{target}` in associations of `{n}`"),
                        "unknown object type",
                        help,
                    );
                }
            }
        }

        for (object, props) in raw.properties {
            let oname = object.get_ref().clone();
            if !schema.objects.contains_key(&oname) {
                let help = suggest(&oname, schema.objects.keys().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some(format!("declare a custom object under `[objects.{oname}]`")));
                self.error(
                    object.span(),
                    format!("unknown object type `{oname}`"),
                    "unknown object type",
                    help,
                );
                continue;
            }
            for (pname, prop) in props {
                let Some(t) = self.prop_type(&pname, prop) else {
                    continue;
                };
                let existing = schema.property(&oname, pname.get_ref()).cloned();
                if let Some(old) = existing {
                    if old.name() != t.name() {
                        self.error(
                            pname.span(),
                            format!(
                                "property `{}` of `{oname}` is a standard `{}` property and cannot be retyped as `{}`",
                                pname.get_ref(),
                                old.name(),
                                t.name()
                            ),
                            "standard property",
                            Some("choose another name for a custom property".into()),
                        );
                        continue;
                    }
                }
                if let Some(def) = schema.objects.get_mut(&oname) {
                    def.properties.insert(pname.into_inner(), t);
                }
            }
        }

        let resources = match raw.resources {
            Some(r) => Resources {
                emails: r.emails,
                lists: r.lists,
                teams: r.teams.map(|t| t.0),
                users: r.users,
                forms: r.forms,
                audiences: r.audiences,
                subscriptions: r.subscriptions,
            },
            None => Resources::default(),
        };

        Environment {
            schema,
            account,
            resources,
            account_span: account_span.or(Some(Span::new(self.file, 0, 0))),
            manifest_failed: false,
        }
    }

    /// The `[account]` header when the table is written as one; otherwise the
    /// span toml gives for the table.
    fn account_header_span(&self, text: &str, table: std::ops::Range<usize>) -> Span {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let t = line.trim();
            if t.starts_with('[') && !t.starts_with("[[") {
                let inner = t[1..].split(']').next().unwrap_or("").trim();
                if inner == "account" {
                    let start = offset + (line.len() - line.trim_start().len());
                    let end = start + t.find(']').map(|i| i + 1).unwrap_or(t.len());
                    return Span::new(self.file, start, end);
                }
            }
            offset += line.len();
        }
        self.span(table)
    }

    fn tier(&mut self, value: Option<Spanned<String>>, hub: &str) -> Tier {
        let Some(v) = value else {
            return Tier::None;
        };
        if let Some((_, t)) = TIERS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(v.get_ref().trim()))
        {
            return *t;
        }
        let help = suggest(&v.get_ref().to_lowercase(), TIERS.iter().map(|(n, _)| *n))
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| Some("use one of `none`, `starter`, `professional`, `enterprise`".into()));
        self.error(
            v.span(),
            format!("unknown tier `{}` for the {hub} hub", v.get_ref()),
            "unknown tier",
            help,
        );
        Tier::None
    }

    fn prop_type(&mut self, name: &Spanned<String>, prop: Spanned<RawProp>) -> Option<PropType> {
        let span = prop.span();
        if !is_ident(name.get_ref()) {
            self.error(
                name.span(),
                format!("property name `{}` is not an identifier", name.get_ref()),
                "not an identifier",
                Some("use letters, digits and `_`, starting with a letter or `_`".into()),
            );
            return None;
        }
        let (ty, ty_span, options) = match prop.into_inner() {
            RawProp::Short(s) => (s.into_inner(), span.clone(), None),
            RawProp::Table(t) => (t.ty.get_ref().clone(), t.ty.span(), t.options),
        };
        let is_enum = ty == "enum" || ty == "multi";
        if !TYPE_NAMES.contains(&ty.as_str()) {
            let help = suggest(&ty, TYPE_NAMES.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| {
                    Some(format!(
                        "use one of {}",
                        TYPE_NAMES.map(|t| format!("`{t}`")).join(", ")
                    ))
                });
            self.error(
                ty_span,
                format!("unknown property type `{ty}`"),
                "unknown type",
                help,
            );
            return None;
        }
        let opts: Vec<String> = match options {
            None if is_enum => {
                self.error(
                    span,
                    format!("`{ty}` property `{}` needs its options", name.get_ref()),
                    "no options",
                    Some(format!(
                        "write `{{ type = \"{ty}\", options = [\"a\", \"b\"] }}`"
                    )),
                );
                return None;
            }
            None => Vec::new(),
            Some(o) if !is_enum => {
                self.error(
                    o.span(),
                    format!(
                        "options are only allowed on `enum` and `multi` properties, not on `{ty}`"
                    ),
                    "not allowed here",
                    Some("remove `options`".into()),
                );
                return None;
            }
            Some(o) => {
                let list_span = o.span();
                let list = o.into_inner();
                if list.is_empty() {
                    self.error(
                        list_span,
                        "an enumeration needs at least one option".into(),
                        "empty",
                        None,
                    );
                    return None;
                }
                // A set beside the ordered list: 100,000 options compared
                // pairwise took 20 s.
                let mut seen: Vec<String> = Vec::with_capacity(list.len());
                let mut set: std::collections::HashSet<String> =
                    std::collections::HashSet::with_capacity(list.len());
                let mut ok = true;
                for opt in list {
                    if !set.insert(opt.get_ref().clone()) {
                        self.error(
                            opt.span(),
                            format!("option `{}` is listed twice", opt.get_ref()),
                            "duplicate option",
                            Some("remove one of them".into()),
                        );
                        ok = false;
                    } else {
                        seen.push(opt.into_inner());
                    }
                }
                if !ok {
                    return None;
                }
                seen
            }
        };
        Some(match ty.as_str() {
            "string" => PropType::String,
            "number" => PropType::Number,
            "bool" => PropType::Bool,
            "date" => PropType::Date,
            "datetime" => PropType::Datetime,
            "enum" => PropType::Enum(opts),
            "multi" => PropType::Multi(opts),
            _ => PropType::Owner,
        })
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Hub;

    fn load_str(text: &str) -> (SourceMap, Result<Environment, Vec<Diagnostic>>) {
        let mut sources = SourceMap::new();
        let id = sources.add("wf.toml", text);
        let r = load(&sources, id);
        (sources, r)
    }

    fn errors(text: &str) -> Vec<(String, String)> {
        let (sources, r) = load_str(text);
        match r {
            Ok(_) => Vec::new(),
            Err(ds) => ds
                .iter()
                .map(|d| {
                    assert_eq!(d.code, Code::WF010);
                    (
                        d.message.clone(),
                        sources.snippet(d.primary.span).to_string(),
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn full_example_loads() {
        let (_, r) = load_str(
            r#"
[account]
marketing = "professional"
sales = "starter"
timezone = "Europe/Amsterdam"
integrations = ["Slack", "asana"]

[properties.contact]
favourite_sport = { type = "enum", options = ["golf", "tennis"] }
annual_visits = "number"

[objects.pets]
associations = ["contact"]
required = ["name"]
[objects.pets.properties]
name = "string"
age = "number"

[resources]
emails = ["Welcome #1"]
teams = { "Sales NL" = ["ana@example.com"] }
"#,
        );
        let env = r.expect("manifest loads");
        assert_eq!(env.account.tier(Hub::Marketing), Tier::Professional);
        assert_eq!(env.account.tier(Hub::Sales), Tier::Starter);
        assert_eq!(env.account.tier(Hub::Service), Tier::None);
        assert_eq!(env.account.timezone, chrono_tz::Europe::Amsterdam);
        assert!(env.account.is_connected("slack"));
        assert!(!env.account.is_connected("salesforce"));
        assert_eq!(
            env.schema.property("contact", "annual_visits"),
            Some(&PropType::Number)
        );
        assert_eq!(
            env.schema.property("contact", "favourite_sport"),
            Some(&PropType::Enum(vec!["golf".into(), "tennis".into()]))
        );
        assert!(env.schema.associated("contact", "pets"));
        assert!(env.schema.associated("pets", "contact"));
        assert_eq!(
            env.schema.object("pets").map(|o| o.required.clone()),
            Some(vec!["name".to_string()])
        );
        assert_eq!(
            env.resources
                .teams
                .as_ref()
                .and_then(|t| t.get("Sales NL"))
                .cloned(),
            Some(vec!["ana@example.com".to_string()])
        );
        assert_eq!(env.resources.emails, Some(vec!["Welcome #1".to_string()]));
        assert!(env.resources.lists.is_none());
    }

    #[test]
    fn account_span_is_the_header() {
        let (sources, r) = load_str("# x\n[account]\nsales = \"starter\"\n");
        let env = r.expect("loads");
        let span = env.account_span.expect("span");
        assert_eq!(sources.snippet(span), "[account]");
    }

    #[test]
    fn teams_as_list_and_missing_integrations() {
        let (_, r) =
            load_str("[account]\nsales = \"enterprise\"\n[resources]\nteams = [\"A\", \"B\"]\n");
        let env = r.expect("loads");
        assert_eq!(env.resources.teams.map(|t| t.len()), Some(2));
        assert!(!env.account.is_connected("slack"));
        assert_eq!(env.account.timezone, chrono_tz::UTC);
    }

    #[test]
    fn unknown_key_is_pointed_at() {
        let e = errors("[account]\nmarketing = \"starter\"\ncolour = \"blue\"\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].0.contains("colour"), "{e:?}");
        assert!(e[0].1.contains("colour"), "{e:?}");
    }

    #[test]
    fn bad_values_are_all_reported() {
        let e = errors(
            "[account]\nmarketing = \"profesional\"\ntimezone = \"Mars/Olympus\"\n[properties.contact]\nx = \"integer\"\ny = \"enum\"\n[objects.pets]\nassociations = [\"contatc\"]\nrequired = [\"name\"]\n",
        );
        let snippets: Vec<&str> = e.iter().map(|(_, s)| s.as_str()).collect();
        assert!(snippets.contains(&"\"profesional\""), "{e:?}");
        assert!(snippets.contains(&"\"Mars/Olympus\""), "{e:?}");
        assert!(snippets.contains(&"\"integer\""), "{e:?}");
        assert!(snippets.contains(&"\"enum\""), "{e:?}");
        assert!(snippets.contains(&"\"contatc\""), "{e:?}");
        assert!(snippets.contains(&"\"name\""), "{e:?}");
        assert_eq!(e.len(), 6, "{e:?}");
    }

    #[test]
    fn bad_toml_and_unknown_object() {
        assert_eq!(errors("[account\n").len(), 1);
        let e = errors("[properties.contatc]\nx = \"number\"\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].1, "contatc");
        let e = errors("[properties.contact]\nemail = \"number\"\n");
        assert_eq!(e.len(), 1, "retyping a standard property");
        assert!(
            errors("[properties.contact]\nx = { type = \"string\", options = [\"a\"] }\n").len()
                == 1
        );
        assert!(errors("[objects.contact]\n").len() == 1);
    }

    #[test]
    fn discover_walks_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(dir.path().join("a/wf.toml"), "").expect("write");
        assert_eq!(discover(&sub), Some(dir.path().join("a/wf.toml")));
    }
}
