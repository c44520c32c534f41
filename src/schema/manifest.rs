//! `wf.toml`: parsing, validation (WF010) and merging into an [`Environment`].
//!
//! The manifest is parsed into a TOML document whose every key and value
//! keeps its span (`toml::de::DeTable`), and validated here by hand, so that
//! every problem is reported at once, each at the offending place in
//! `wf.toml` (a bad tier, an unknown key and a value of the wrong type on
//! three lines are three WF010s). Any problem means the manifest is ignored:
//! the caller checks the `.wf` files against the built-in schema (see
//! [`Environment::after_bad_manifest`]); docs/codes/WF010.md lists the
//! problems.

use super::{builtin, Account, Environment, ObjectDef, PropType, Resources, Tier};
use crate::diagnostics::suggest;
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::source::{FileId, SourceMap, Span};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
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

/// A TOML value with its span.
type Value<'i> = Spanned<DeValue<'i>>;

const TOP_KEYS: [&str; 4] = ["account", "properties", "objects", "resources"];
const ACCOUNT_KEYS: [&str; 5] = ["marketing", "sales", "service", "timezone", "integrations"];
const OBJECT_KEYS: [&str; 3] = ["associations", "required", "properties"];
const PROP_KEYS: [&str; 2] = ["type", "options"];
const RESOURCE_KEYS: [&str; 7] = [
    "emails",
    "lists",
    "teams",
    "users",
    "forms",
    "audiences",
    "subscriptions",
];

// ------------------------------------------------------------ loading

/// WF010: load the manifest in `file` of `sources`. On any problem, every
/// WF010 diagnostic (the caller then checks as if there were no manifest).
pub fn load(sources: &SourceMap, file: FileId) -> Result<Environment, Vec<Diagnostic>> {
    let text = sources.text(file);
    // Every syntax error, at most one per line (the parser recovers and
    // goes on); then the document is not validated further.
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let mut lines = std::collections::BTreeSet::new();
        let mut diags: Vec<Diagnostic> = Vec::new();
        let mut errors: Vec<(std::ops::Range<usize>, String)> = errors
            .iter()
            .map(|e| (e.span().unwrap_or(0..0), first_line(e.message())))
            .collect();
        errors.sort_by_key(|(r, _)| (r.start, r.end));
        // Sorted by position: count the newlines once, incrementally.
        let (mut line, mut counted) = (0usize, 0usize);
        for (range, message) in errors {
            let upto = range.start.min(text.len());
            if upto > counted {
                line += text
                    .get(counted..upto)
                    .map_or(0, |t| t.bytes().filter(|b| *b == b'\n').count());
                counted = upto;
            }
            if lines.insert(line) {
                diags.push(wf010(
                    Span::new(file, range.start, range.end),
                    format!("invalid wf.toml: {message}"),
                    "here",
                    None,
                ));
            }
        }
        return Err(diags);
    }
    let mut loader = Loader {
        file,
        diags: Vec::new(),
    };
    let env = loader.build(doc.get_ref(), text);
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

    /// WF010: every problem of the document, each at its place.
    fn build(&mut self, doc: &DeTable, text: &str) -> Environment {
        let mut schema = builtin::schema();
        let mut account = Account {
            marketing: Tier::None,
            sales: Tier::None,
            service: Tier::None,
            timezone: chrono_tz::UTC,
            integrations: Some(Vec::new()),
        };
        let mut account_span = None;
        self.keys(doc, &TOP_KEYS, "at the top of wf.toml");

        if let Some(acc) = doc.get("account") {
            account_span = Some(self.account_header_span(text, acc.span()));
            if let Some(acc) = self.table(acc, "account") {
                self.keys(acc, &ACCOUNT_KEYS, "in `[account]`");
                self.account(acc, &mut account);
            }
        }

        // Custom objects first, so that `[properties.<custom>]` and
        // associations between custom objects resolve.
        let objects = doc.get("objects").and_then(|o| self.table(o, "objects"));
        let mut custom: Vec<(String, &DeTable)> = Vec::new();
        for (name, obj) in objects.into_iter().flat_map(|o| o.iter()) {
            let n = name.get_ref();
            let what = format!("objects.{n}");
            let obj = self.table(obj, &what);
            if schema.objects.contains_key(n.as_ref()) {
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
                    n.to_string(),
                    ObjectDef {
                        name: n.to_string(),
                        builtin: false,
                        properties: BTreeMap::new(),
                        required: Vec::new(),
                    },
                );
                if let Some(obj) = obj {
                    self.keys(obj, &OBJECT_KEYS, &format!("in `[objects.{n}]`"));
                    custom.push((n.to_string(), obj));
                }
            }
        }
        for (n, obj) in custom {
            self.object(&mut schema, &n, obj);
        }

        if let Some(props) = doc
            .get("properties")
            .and_then(|p| self.table(p, "properties"))
        {
            for (object, props) in props.iter() {
                let oname = object.get_ref();
                let Some(props) = self.table(props, &format!("properties.{oname}")) else {
                    continue;
                };
                if !schema.objects.contains_key(oname.as_ref()) {
                    let help = suggest(oname, schema.objects.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"))
                        .or_else(|| {
                            Some(format!("declare a custom object under `[objects.{oname}]`"))
                        });
                    self.error(
                        object.span(),
                        format!("unknown object type `{oname}`"),
                        "unknown object type",
                        help,
                    );
                    continue;
                }
                for (pname, prop) in props.iter() {
                    let Some(t) = self.prop_type(pname, prop) else {
                        continue;
                    };
                    let existing = schema.property(oname, pname.get_ref()).cloned();
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
                    if let Some(def) = schema.objects.get_mut(oname.as_ref()) {
                        def.properties.insert(pname.get_ref().to_string(), t);
                    }
                }
            }
        }

        let resources = match doc
            .get("resources")
            .and_then(|r| self.table(r, "resources"))
        {
            Some(r) => self.resources(r),
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

    /// WF010: the values of `[account]`.
    fn account(&mut self, acc: &DeTable, account: &mut Account) {
        account.marketing = self.tier(acc.get("marketing"), "marketing");
        account.sales = self.tier(acc.get("sales"), "sales");
        account.service = self.tier(acc.get("service"), "service");
        if let Some(tz) = acc.get("timezone").and_then(|v| self.string(v, "timezone")) {
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
                            "use an IANA time zone name such as `Europe/Amsterdam` or `UTC`".into(),
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
        if let Some(list) = acc
            .get("integrations")
            .and_then(|v| self.strings(v, "integrations"))
        {
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

    /// WF010: a custom object's properties, required properties and
    /// associations (`[objects.<n>]`).
    fn object(&mut self, schema: &mut super::Schema, n: &str, obj: &DeTable) {
        let mut props = BTreeMap::new();
        if let Some(p) = obj
            .get("properties")
            .and_then(|p| self.table(p, &format!("objects.{n}.properties")))
        {
            for (pname, prop) in p.iter() {
                if let Some(t) = self.prop_type(pname, prop) {
                    props.insert(pname.get_ref().to_string(), t);
                }
            }
        }
        let mut required = Vec::new();
        let listed = obj
            .get("required")
            .and_then(|r| self.strings(r, "required"))
            .unwrap_or_default();
        for r in listed {
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
        if let Some(def) = schema.objects.get_mut(n) {
            def.properties = props;
            def.required = required;
        }
        let associations = obj
            .get("associations")
            .and_then(|a| self.strings(a, "associations"))
            .unwrap_or_default();
        for a in associations {
            let target = a.get_ref();
            if schema.objects.contains_key(target.as_str()) {
                schema.associate(n, target);
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

    /// WF010: `[resources]`.
    fn resources(&mut self, r: &DeTable) -> Resources {
        self.keys(r, &RESOURCE_KEYS, "in `[resources]`");
        let list = |me: &mut Self, key: &str| -> Option<Vec<String>> {
            r.get(key)
                .and_then(|v| me.strings(v, key))
                .map(|l| l.into_iter().map(Spanned::into_inner).collect())
        };
        let emails = list(self, "emails");
        let lists = list(self, "lists");
        let users = list(self, "users");
        let forms = list(self, "forms");
        let audiences = list(self, "audiences");
        let subscriptions = list(self, "subscriptions");
        let teams = r.get("teams").and_then(|t| self.teams(t));
        Resources {
            emails,
            lists,
            teams,
            users,
            forms,
            audiences,
            subscriptions,
        }
    }

    /// `teams = ["A", "B"]` or `teams = { "A" = ["ana@example.com"] }`.
    fn teams(&mut self, v: &Value) -> Option<BTreeMap<String, Vec<String>>> {
        match v.get_ref() {
            DeValue::Array(_) => self.strings(v, "teams").map(|l| {
                l.into_iter()
                    .map(|n| (n.into_inner(), Vec::new()))
                    .collect()
            }),
            DeValue::Table(t) => {
                let mut out = BTreeMap::new();
                for (name, members) in t.iter() {
                    let what = format!("teams.{}", name.get_ref());
                    if let Some(m) = self.strings(members, &what) {
                        out.insert(
                            name.get_ref().to_string(),
                            m.into_iter().map(Spanned::into_inner).collect(),
                        );
                    }
                }
                Some(out)
            }
            other => {
                self.wrong_type(
                    v.span(),
                    "teams",
                    "a list of team names or a table of team members",
                    other,
                );
                None
            }
        }
    }

    /// WF010 for every key of `table` not in `allowed`; `place` says where
    /// (`in `[account]``).
    fn keys(&mut self, table: &DeTable, allowed: &[&str], place: &str) {
        for key in table.keys() {
            let k = key.get_ref();
            if allowed.contains(&k.as_ref()) {
                continue;
            }
            let help = suggest(k, allowed.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    format!(
                        "write one of {}, or remove this key",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            self.error(
                key.span(),
                format!("unknown key `{k}` {place}"),
                "unknown key",
                Some(help),
            );
        }
    }

    /// The table `v`, or WF010.
    fn table<'v, 'i>(&mut self, v: &'v Value<'i>, key: &str) -> Option<&'v DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.wrong_type(v.span(), key, "a table", other);
                None
            }
        }
    }

    /// The string `v`, or WF010.
    fn string(&mut self, v: &Value, key: &str) -> Option<Spanned<String>> {
        match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
            other => {
                self.wrong_type(v.span(), key, "a string", other);
                None
            }
        }
    }

    /// The list of strings `v`, or WF010 (on the value, or on each item
    /// that is not a string; those are left out).
    fn strings(&mut self, v: &Value, key: &str) -> Option<Vec<Spanned<String>>> {
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => out.push(Spanned::new(item.span(), s.to_string())),
                        other => {
                            let found = type_name(other);
                            self.error(
                                item.span(),
                                format!(
                                    "`{key}` must be a list of strings, but this item is {found}"
                                ),
                                "expected a string",
                                Some("write the item in double quotes, e.g. `\"name\"`".into()),
                            )
                        }
                    }
                }
                Some(out)
            }
            other => {
                self.wrong_type(v.span(), key, "a list of strings", other);
                None
            }
        }
    }

    /// WF010: `key` holds a value of another TOML type than `expected`.
    fn wrong_type(&mut self, span: Range<usize>, key: &str, expected: &str, found: &DeValue) {
        let found = type_name(found);
        self.error(
            span,
            format!("`{key}` must be {expected}, not {found}"),
            &format!("expected {expected}"),
            Some(match example(key) {
                Some(e) => format!("write e.g. `{key} = {e}`"),
                None => format!("write {expected} here"),
            }),
        );
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

    /// WF010: a hub's tier.
    fn tier(&mut self, value: Option<&Value>, hub: &str) -> Tier {
        let Some(v) = value.and_then(|v| self.string(v, hub)) else {
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

    /// WF010: a property declaration, `name = "number"` or
    /// `name = { type = "enum", options = [...] }`.
    fn prop_type(&mut self, name: &Spanned<toml::de::DeString>, prop: &Value) -> Option<PropType> {
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
        let (ty, ty_span, options) = match prop.get_ref() {
            DeValue::String(s) => (s.to_string(), span.clone(), None),
            DeValue::Table(t) => {
                self.keys(
                    t,
                    &PROP_KEYS,
                    &format!("in the declaration of `{}`", name.get_ref()),
                );
                let Some(ty) = t.get("type") else {
                    self.error(
                        span,
                        format!("property `{}` has no `type`", name.get_ref()),
                        "no type",
                        Some("add `type = \"string\"` (or another type) to the table".into()),
                    );
                    return None;
                };
                let ty = self.string(ty, "type")?;
                let options = match t.get("options") {
                    None => None,
                    Some(o) => Some((o.span(), self.strings(o, "options")?)),
                };
                let ty_span = ty.span();
                (ty.into_inner(), ty_span, options)
            }
            other => {
                let n = name.get_ref();
                self.error(
                    span,
                    format!(
                        "property `{n}` must be a type name such as \"number\", not {}",
                        type_name(other)
                    ),
                    "expected a type name",
                    Some(format!(
                        "write e.g. `{n} = \"number\"`, or a table with `type` and `options`"
                    )),
                );
                return None;
            }
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
            Some((o_span, _)) if !is_enum => {
                self.error(
                    o_span,
                    format!(
                        "options are only allowed on `enum` and `multi` properties, not on `{ty}`"
                    ),
                    "not allowed here",
                    Some("remove `options`".into()),
                );
                return None;
            }
            Some((list_span, list)) => {
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

/// "a string", "an integer", ... for a TOML value.
fn type_name(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// An example value for a key whose value has the wrong TOML type.
fn example(key: &str) -> Option<&'static str> {
    Some(match key {
        "marketing" | "sales" | "service" => "\"professional\"",
        "timezone" => "\"Europe/Amsterdam\"",
        "integrations" => "[\"slack\"]",
        "associations" => "[\"contact\"]",
        "required" => "[\"name\"]",
        "type" => "\"string\"",
        "options" => "[\"a\", \"b\"]",
        "emails" | "lists" | "forms" | "audiences" | "subscriptions" => "[\"Welcome\"]",
        "users" => "[\"ana@example.com\"]",
        "teams" => "[\"Sales\"]",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
