//! Bundles (`wfbundle/1`): one project ready to run — the environment the
//! runtime reads from `wf.toml` and the plans in `wfc build` order.
//!
//! ```json
//! {"format": "wfbundle/1", "environment": {...}, "plans": [...]}
//! ```
//!
//! `wfc build --bundle` writes one, `wfc run` and `wfc serve` read one, and
//! `POST /v1/deployments` takes one (or a bare plan, or an array of plans:
//! then the standard environment). The environment is written as what the
//! project adds to the built-in schema, so a bundle stays small and a
//! built-in property never needs to be repeated:
//!
//! ```json
//! {
//!   "account": {"marketing": "enterprise", "sales": "none", "service": "none",
//!               "timezone": "Europe/Amsterdam", "integrations": ["slack"]},
//!   "objects": {"licenses": {"properties": {"seats": "number"}, "required": ["seats"]}},
//!   "properties": {"contact": {"tier": {"type": "enum", "options": ["a", "b"]}}},
//!   "associations": [["contact", "licenses"]],
//!   "resources": {"teams": {"Sales": ["ana@example.com"]}, "emails": ["Welcome"]}
//! }
//! ```
//!
//! `integrations` absent: every integration counts as connected (a project
//! without `wf.toml`). A resource kind absent: not declared.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::plan::{Plan, PLAN_FORMAT};
use crate::runtime;
use crate::schema::{builtin, Account, Environment, ObjectDef, PropType, Resources, Tier};

/// The `format` of a bundle.
pub const BUNDLE_FORMAT: &str = "wfbundle/1";

/// What a deployment request (or a bundle file) asks to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    pub environment: Environment,
    /// Validated by the runtime's plan loader, in bundle order.
    pub plans: Vec<Plan>,
    /// Turn off the workflows the deployment does not name.
    pub prune: bool,
    /// Enroll the records that already meet a new workflow's triggers.
    pub enroll_existing: bool,
}

/// The bundle of one project: `{"format", "environment", "plans"}`.
pub fn bundle(environment: &Environment, plans: &[Plan]) -> Result<Value, String> {
    let plans = plans
        .iter()
        .map(|p| serde_json::to_value(p).map_err(|e| format!("cannot serialise `{}`: {e}", p.name)))
        .collect::<Result<Vec<Value>, String>>()?;
    Ok(json!({
        "format": BUNDLE_FORMAT,
        "environment": environment_to_json(environment),
        "plans": plans,
    }))
}

/// Whether a JSON value is meant as a bundle (its `format` says so).
pub fn is_bundle(value: &Value) -> bool {
    value.get("format").and_then(Value::as_str) == Some(BUNDLE_FORMAT)
}

/// A deployment from a request body or a bundle file: a bundle (with
/// optional `prune` and `enroll_existing`), one plan, or an array of plans
/// (the standard environment). Every plan goes through the runtime's plan
/// loader, so an invalid one is refused with the message `wfc run` gives.
pub fn decode_deployment(body: &Value) -> Result<Deployment, String> {
    let (environment, plans, prune, enroll_existing) = match body {
        Value::Array(items) => (Environment::standard(), items.as_slice(), false, false),
        Value::Object(map) => match map.get("format").and_then(Value::as_str) {
            Some(BUNDLE_FORMAT) => {
                for key in map.keys() {
                    if !["format", "environment", "plans", "prune", "enroll_existing"]
                        .contains(&key.as_str())
                    {
                        return Err(format!(
                            "unknown field `{key}` in the bundle (expected `format`, `environment`, `plans`, `prune` or `enroll_existing`)"
                        ));
                    }
                }
                let environment = match map.get("environment") {
                    Some(e) => environment_from_json(e)?,
                    None => return Err("the bundle has no `environment`".into()),
                };
                let Some(Value::Array(plans)) = map.get("plans") else {
                    return Err("the bundle's `plans` must be an array of plans".into());
                };
                let flag = |key: &str| match map.get(key) {
                    None | Some(Value::Null) => Ok(false),
                    Some(Value::Bool(b)) => Ok(*b),
                    Some(_) => Err(format!("`{key}` must be true or false")),
                };
                (
                    environment,
                    plans.as_slice(),
                    flag("prune")?,
                    flag("enroll_existing")?,
                )
            }
            Some(PLAN_FORMAT) | None => (
                Environment::standard(),
                std::slice::from_ref(body),
                false,
                false,
            ),
            Some(other) => {
                return Err(format!(
                    "unsupported format `{}` (expected a bundle, `{BUNDLE_FORMAT}`, or a plan, `{PLAN_FORMAT}`)",
                    crate::diagnostics::shorten(other)
                ))
            }
        },
        _ => {
            return Err(format!(
                "expected a bundle (`{BUNDLE_FORMAT}`), a plan or an array of plans"
            ))
        }
    };
    let plans = plans
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Plan::deserialize(v).map_err(|e| match v.get("name").and_then(Value::as_str) {
                Some(name) => format!(
                    "invalid plan: workflow `{}`: {e}",
                    crate::diagnostics::shorten(name)
                ),
                None => format!("invalid plan: plans[{i}]: {e}"),
            })
        })
        .collect::<Result<Vec<Plan>, String>>()?;
    runtime::load(plans.clone()).map_err(|e| format!("invalid plan: {e}"))?;
    Ok(Deployment {
        environment,
        plans,
        prune,
        enroll_existing,
    })
}

// ------------------------------------------------------------ environment

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvJson {
    account: AccountJson,
    /// Custom object types, whole.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    objects: BTreeMap<String, ObjectJson>,
    /// Properties added to (or re-declared on) built-in object types.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<String, BTreeMap<String, PropJson>>,
    /// Associations beyond the built-in ones, each pair sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    associations: Vec<(String, String)>,
    #[serde(default)]
    resources: ResourcesJson,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountJson {
    marketing: String,
    sales: String,
    service: String,
    timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    integrations: Option<Vec<String>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectJson {
    #[serde(default)]
    properties: BTreeMap<String, PropJson>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    required: Vec<String>,
}

/// `"number"`, or `{"type": "enum" | "multi", "options": [...]}`.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum PropJson {
    Plain(String),
    Options {
        #[serde(rename = "type")]
        ty: String,
        options: Vec<String>,
    },
}

#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourcesJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    emails: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lists: Option<Vec<String>>,
    /// Team name → member emails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    teams: Option<BTreeMap<String, Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    users: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    forms: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audiences: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subscriptions: Option<Vec<String>>,
}

fn prop_json(t: &PropType) -> PropJson {
    match t.options() {
        Some(options) => PropJson::Options {
            ty: t.name().to_string(),
            options: options.to_vec(),
        },
        None => PropJson::Plain(t.name().to_string()),
    }
}

fn prop_type(p: PropJson, at: &str) -> Result<PropType, String> {
    Ok(match p {
        PropJson::Plain(name) => match name.as_str() {
            "string" => PropType::String,
            "number" => PropType::Number,
            "bool" => PropType::Bool,
            "date" => PropType::Date,
            "datetime" => PropType::Datetime,
            "owner" => PropType::Owner,
            "enum" | "multi" => {
                return Err(format!(
                    "{at}: an `{name}` property needs its options: {{\"type\": \"{name}\", \"options\": [...]}}"
                ))
            }
            _ => return Err(format!("{at}: unknown property type `{}`", crate::diagnostics::shorten(&name))),
        },
        PropJson::Options { ty, options } => match ty.as_str() {
            "enum" => PropType::Enum(options),
            "multi" => PropType::Multi(options),
            _ => {
                return Err(format!(
                    "{at}: only `enum` and `multi` properties have options, not `{}`",
                    crate::diagnostics::shorten(&ty)
                ))
            }
        },
    })
}

fn tier_from(name: &str, hub: &str) -> Result<Tier, String> {
    [Tier::None, Tier::Starter, Tier::Professional, Tier::Enterprise]
        .into_iter()
        .find(|t| t.as_str() == name)
        .ok_or_else(|| {
            format!(
                "environment.account.{hub}: unknown tier `{}` (expected none, starter, professional or enterprise)",
                crate::diagnostics::shorten(name)
            )
        })
}

/// The environment as a bundle writes it (see the module docs).
pub fn environment_to_json(env: &Environment) -> Value {
    let base = builtin::schema();
    let mut objects = BTreeMap::new();
    let mut properties: BTreeMap<String, BTreeMap<String, PropJson>> = BTreeMap::new();
    for (name, def) in &env.schema.objects {
        match base.object(name) {
            None => {
                objects.insert(
                    name.clone(),
                    ObjectJson {
                        properties: def
                            .properties
                            .iter()
                            .map(|(p, t)| (p.clone(), prop_json(t)))
                            .collect(),
                        required: def.required.clone(),
                    },
                );
            }
            Some(builtin_def) => {
                let added: BTreeMap<String, PropJson> = def
                    .properties
                    .iter()
                    .filter(|(p, t)| builtin_def.properties.get(*p) != Some(*t))
                    .map(|(p, t)| (p.clone(), prop_json(t)))
                    .collect();
                if !added.is_empty() {
                    properties.insert(name.clone(), added);
                }
            }
        }
    }
    let associations = env
        .schema
        .associations
        .difference(&base.associations)
        .cloned()
        .collect();
    let r = &env.resources;
    let json = EnvJson {
        account: AccountJson {
            marketing: env.account.marketing.as_str().to_string(),
            sales: env.account.sales.as_str().to_string(),
            service: env.account.service.as_str().to_string(),
            timezone: env.account.timezone.name().to_string(),
            integrations: env.account.integrations.clone(),
        },
        objects,
        properties,
        associations,
        resources: ResourcesJson {
            emails: r.emails.clone(),
            lists: r.lists.clone(),
            teams: r.teams.clone(),
            users: r.users.clone(),
            forms: r.forms.clone(),
            audiences: r.audiences.clone(),
            subscriptions: r.subscriptions.clone(),
        },
    };
    serde_json::to_value(json).unwrap_or(Value::Object(Map::new()))
}

/// The environment of a bundle: the built-in schema with the bundle's
/// additions, its account and resources.
pub fn environment_from_json(value: &Value) -> Result<Environment, String> {
    let json = EnvJson::deserialize(value).map_err(|e| format!("environment: {e}"))?;
    let a = json.account;
    let timezone = a.timezone.parse::<chrono_tz::Tz>().map_err(|_| {
        format!(
            "environment.account.timezone: unknown time zone `{}`",
            crate::diagnostics::shorten(&a.timezone)
        )
    })?;
    let account = Account {
        marketing: tier_from(&a.marketing, "marketing")?,
        sales: tier_from(&a.sales, "sales")?,
        service: tier_from(&a.service, "service")?,
        timezone,
        integrations: a.integrations,
    };
    let mut schema = builtin::schema();
    for (name, obj) in json.objects {
        if schema.objects.contains_key(&name) {
            return Err(format!(
                "environment.objects: `{name}` is a built-in object type (add to it under `properties`)"
            ));
        }
        let mut props = BTreeMap::new();
        for (p, t) in obj.properties {
            let t = prop_type(t, &format!("environment.objects.{name}.{p}"))?;
            props.insert(p, t);
        }
        if let Some(r) = obj.required.iter().find(|r| !props.contains_key(*r)) {
            return Err(format!(
                "environment.objects.{name}: required property `{r}` is not one of its properties"
            ));
        }
        schema.objects.insert(
            name.clone(),
            ObjectDef {
                name,
                builtin: false,
                properties: props,
                required: obj.required,
            },
        );
    }
    for (object, props) in json.properties {
        let Some(def) = schema.objects.get_mut(&object).filter(|d| d.builtin) else {
            return Err(format!(
                "environment.properties: `{}` is not a built-in object type",
                crate::diagnostics::shorten(&object)
            ));
        };
        for (p, t) in props {
            let t = prop_type(t, &format!("environment.properties.{object}.{p}"))?;
            def.properties.insert(p, t);
        }
    }
    let known: BTreeSet<String> = schema.objects.keys().cloned().collect();
    for (a, b) in json.associations {
        for n in [&a, &b] {
            if !known.contains(n) {
                return Err(format!(
                    "environment.associations: unknown object type `{}`",
                    crate::diagnostics::shorten(n)
                ));
            }
        }
        schema.associate(&a, &b);
    }
    let r = json.resources;
    Ok(Environment {
        schema,
        account,
        resources: Resources {
            emails: r.emails,
            lists: r.lists,
            teams: r.teams,
            users: r.users,
            forms: r.forms,
            audiences: r.audiences,
            subscriptions: r.subscriptions,
        },
        account_span: None,
        manifest_failed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    const MANIFEST: &str = r#"
[account]
marketing = "enterprise"
sales = "professional"
timezone = "Europe/Amsterdam"
integrations = ["slack", "asana"]

[properties.contact]
plan_tier = { type = "enum", options = ["free", "team"] }
renewal_date = "date"
lifecyclestage = { type = "enum", options = ["lead", "customer", "partner"] }

[objects.licenses]
associations = ["contact", "company"]
required = ["seats"]
[objects.licenses.properties]
product = { type = "multi", options = ["core", "analytics"] }
seats = "number"
owner = "owner"

[resources]
emails = ["Welcome"]
teams = { "Customer success" = ["ana@example.com", "bo@example.com"], "Empty" = [] }
users = ["ana@example.com"]
"#;

    fn manifest_env(text: &str) -> Environment {
        let mut map = SourceMap::new();
        let id = map.add("wf.toml", text.to_string());
        crate::schema::manifest::load(&map, id).expect("the test manifest is valid")
    }

    #[test]
    fn environment_round_trips_through_json() {
        for env in [
            manifest_env(MANIFEST),
            manifest_env(""),
            Environment::standard(),
        ] {
            let json = environment_to_json(&env);
            let text = serde_json::to_string(&json).unwrap();
            let back = environment_from_json(&serde_json::from_str(&text).unwrap()).unwrap();
            let expected = Environment {
                account_span: None,
                ..env
            };
            assert_eq!(back, expected, "{text}");
        }
    }

    #[test]
    fn environment_json_holds_only_the_additions() {
        let json = environment_to_json(&manifest_env(MANIFEST));
        let props = &json["properties"]["contact"];
        assert_eq!(props["renewal_date"], "date");
        assert_eq!(
            props["lifecyclestage"]["options"],
            json!(["lead", "customer", "partner"])
        );
        assert!(
            props.get("email").is_none(),
            "built-in properties are not repeated"
        );
        assert_eq!(
            json["associations"],
            json!([["company", "licenses"], ["contact", "licenses"]])
        );
        assert_eq!(json["account"]["service"], "none");
        assert_eq!(
            environment_to_json(&Environment::standard()),
            json!({"account": {"marketing": "enterprise", "sales": "enterprise",
                "service": "enterprise", "timezone": "UTC"}, "resources": {}})
        );
    }

    fn plan_json(name: &str) -> Value {
        json!({
            "format": "wfplan/1", "name": name, "object": "contact",
            "triggers": [], "reenroll": false, "goals": [], "unenroll": [],
            "start": null, "nodes": [],
            "source": {"file": "a.wf", "line": 1, "column": 1}
        })
    }

    #[test]
    fn deployments_decode_bundles_plans_and_arrays() {
        let env = manifest_env(MANIFEST);
        let b = bundle(&env, &[Plan::deserialize(plan_json("A")).unwrap()]).unwrap();
        let d = decode_deployment(&b).unwrap();
        assert_eq!(d.plans.len(), 1);
        assert_eq!(d.environment.account.timezone, chrono_tz::Europe::Amsterdam);
        assert!(!d.prune && !d.enroll_existing);

        let mut flagged = b.clone();
        flagged["prune"] = json!(true);
        flagged["enroll_existing"] = json!(true);
        let d = decode_deployment(&flagged).unwrap();
        assert!(d.prune && d.enroll_existing);

        let d = decode_deployment(&plan_json("A")).unwrap();
        assert_eq!(d.environment, Environment::standard());
        let d = decode_deployment(&json!([plan_json("A"), plan_json("B")])).unwrap();
        assert_eq!(d.plans.len(), 2);
        assert_eq!(d.plans[1].name, "B");
    }

    #[test]
    fn bad_deployments_say_what_is_wrong() {
        let err = |v: Value| decode_deployment(&v).unwrap_err();
        assert_eq!(
            err(json!([plan_json("A"), plan_json("A")])),
            "invalid plan: workflow `A`: two workflows have this name"
        );
        let mut p = plan_json("A");
        p["start"] = json!("n9");
        assert!(err(p).starts_with("invalid plan: workflow `A`: "));
        let mut p = plan_json("A");
        p.as_object_mut().unwrap().remove("nodes");
        assert_eq!(err(p), "invalid plan: workflow `A`: missing field `nodes`");
        assert!(err(json!([1])).starts_with("invalid plan: plans[0]: "));
        assert!(err(json!("x")).starts_with("expected a bundle"));
        assert!(err(json!({"format": "wfbundle/9"})).starts_with("unsupported format"));
        assert_eq!(
            err(json!({"format": "wfbundle/1", "plans": []})),
            "the bundle has no `environment`"
        );
        let env = environment_to_json(&Environment::standard());
        assert!(err(
            json!({"format": "wfbundle/1", "environment": env, "plans": [], "prun": true})
        )
        .starts_with("unknown field `prun`"));
        assert_eq!(
            err(json!({"format": "wfbundle/1", "environment": env, "plans": [], "prune": 1})),
            "`prune` must be true or false"
        );
        let mut bad = env.clone();
        bad["account"]["timezone"] = json!("Mars/Olympus");
        assert_eq!(
            err(json!({"format": "wfbundle/1", "environment": bad, "plans": []})),
            "environment.account.timezone: unknown time zone `Mars/Olympus`"
        );
        let mut bad = env.clone();
        bad["properties"] = json!({"contact": {"x": "enum"}});
        assert!(environment_from_json(&bad)
            .unwrap_err()
            .contains("needs its options"));
        let mut bad = env.clone();
        bad["objects"] = json!({"contact": {}});
        assert!(environment_from_json(&bad)
            .unwrap_err()
            .contains("built-in"));
        let mut bad = env;
        bad["associations"] = json!([["contact", "nope"]]);
        assert!(environment_from_json(&bad)
            .unwrap_err()
            .contains("unknown object type `nope`"));
    }
}
