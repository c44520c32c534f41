//! `docs/schema.md` is generated from `schema::builtin`, and `wfc schema`
//! prints the same schema: the committed page must match the code, and the
//! command is tested through the real binary.

use std::path::Path;
use std::process::{Command, Stdio};

use wfc::schema::{builtin, doc};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn wfc(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run wfc");
    let o = Out {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    assert!(!o.stderr.contains("panicked"), "wfc panicked: {}", o.stderr);
    o
}

#[test]
fn committed_schema_page_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = doc::markdown(&builtin::schema());
    assert!(
        committed == generated,
        "docs/schema.md differs from the built-in schema; regenerate it with\n\n    {}\n",
        doc::REGENERATE
    );
}

#[test]
fn markdown_format_prints_the_page() {
    let o = wfc(&["schema", "--format", "markdown"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, doc::markdown(&builtin::schema()));
}

#[test]
fn text_lists_every_object_and_property() {
    let o = wfc(&["schema"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stderr, "");
    let schema = builtin::schema();
    for obj in schema.objects.values() {
        assert!(
            o.stdout.lines().any(|l| l == obj.name),
            "no heading for {}",
            obj.name
        );
        for name in obj.properties.keys() {
            assert!(
                o.stdout
                    .lines()
                    .any(|l| l.split_whitespace().next() == Some(name)),
                "{}.{name} missing",
                obj.name
            );
        }
    }
    assert!(o.stdout.lines().all(|l| l.chars().count() <= 79));
}

#[test]
fn one_object_as_text() {
    let o = wfc(&["schema", "deal"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    insta::assert_snapshot!(o.stdout, @r"
    deal
      associated with: company, contact, quote, ticket
      create must set: dealname, pipeline, dealstage
      properties:
        amount            number
        closedate         date
        createdate        datetime
        dealname          string
        dealstage         enum: appointmentscheduled, qualifiedtobuy,
                                presentationscheduled, decisionmakerboughtin,
                                contractsent, closedwon, closedlost
        dealtype          enum: newbusiness, existingbusiness
        hubspot_owner_id  owner
        pipeline          enum: default
    ");
}

#[test]
fn json_is_one_object_or_an_array() {
    let one = wfc(&["schema", "ticket", "--format", "json"]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    let v: serde_json::Value = serde_json::from_str(&one.stdout).expect("json");
    assert_eq!(v["name"], "ticket");
    assert_eq!(
        v["required"],
        serde_json::json!(["subject", "hs_pipeline", "hs_pipeline_stage"])
    );
    let priority = v["properties"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "hs_ticket_priority"))
        .cloned();
    assert_eq!(
        priority,
        Some(serde_json::json!({
            "name": "hs_ticket_priority",
            "type": "enum",
            "options": ["LOW", "MEDIUM", "HIGH", "URGENT"]
        }))
    );

    let all = wfc(&["schema", "--format", "json"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let v: serde_json::Value = serde_json::from_str(&all.stdout).expect("json");
    let names: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["contact", "company", "deal", "ticket", "quote"]);
}

#[test]
fn unknown_object_exits_2_with_a_suggestion() {
    let o = wfc(&["schema", "contcat"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    insta::assert_snapshot!(o.stderr, @r"
    error: unknown object type `contcat`
      = help: did you mean `contact`?
      = note: the built-in object types are: contact, company, deal, ticket, quote
    ");

    let far = wfc(&["schema", "spaceship"]);
    assert_eq!(far.code, 2);
    assert!(!far.stderr.contains("did you mean"), "{}", far.stderr);
}

#[test]
fn markdown_of_one_object_is_a_usage_error() {
    let o = wfc(&["schema", "deal", "--format", "markdown"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("leave out OBJECT"), "{}", o.stderr);
}
