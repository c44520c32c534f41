//! Unit tests of `wf.toml` loading (WF010).

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
        errors("[properties.contact]\nx = { type = \"string\", options = [\"a\"] }\n").len() == 1
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

/// Every WF010 of a manifest at once, each at its own line: a bad value,
/// an unknown key and a wrong type are three diagnostics.
#[test]
fn structural_errors_are_all_reported() {
    let (sources, r) = load_str(
        "[account]\nmarketing = \"profesional\"\ncolour = \"blue\"\nsales = \"starter\"\nservice = 5\n",
    );
    let Err(ds) = r else {
        panic!("the manifest has errors")
    };
    let mut lines: Vec<u32> = ds
        .iter()
        .map(|d| {
            sources
                .line_col(d.primary.span.file, d.primary.span.start as usize)
                .line
        })
        .collect();
    lines.sort();
    assert_eq!(lines, vec![2, 3, 5], "{ds:?}");
}

#[test]
fn wrong_types_everywhere() {
    let e = errors(
        "colour = 1\n[account]\ntimezone = [\"x\"]\nintegrations = \"slack\"\n[objects.pets]\nassociations = \"contact\"\nrequired = [1]\nlegs = 4\n[objects.pets.properties]\nname = 5\nkind = { options = [\"a\"] }\n[properties.contact]\nx = { type = \"enum\", options = \"a\" }\n[resources]\nteams = 4\nemails = [\"a\", 2]\nphones = []\n",
    );
    let snippets: Vec<&str> = e.iter().map(|(_, s)| s.as_str()).collect();
    for want in [
        "colour",
        "[\"x\"]",
        "\"slack\"",
        "\"contact\"",
        "1",
        "legs",
        "5",
        "{ options = [\"a\"] }",
        "\"a\"",
        "4",
        "2",
        "phones",
    ] {
        assert!(snippets.contains(&want), "{want}: {e:?}");
    }
    assert_eq!(e.len(), 12, "{e:?}");
}

#[test]
fn a_wrong_type_says_what_to_write() {
    let e = errors("[account]\nsales = 3\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, "`sales` must be a string, not an integer");
}

/// Every TOML syntax error is reported, one per line at most.
#[test]
fn syntax_errors_are_all_reported() {
    let e =
        errors("[account]\nmarketing = \"x\nsales = 5 5\n[objects.pets\nassociations = [\"a\"\n");
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(
        e.iter().all(|(m, _)| m.starts_with("invalid wf.toml: ")),
        "{e:?}"
    );
    assert_eq!(errors("[account\n").len(), 1);
    assert_eq!(errors("a = 1\na = 2\n").len(), 1);
}
