//! Hover and completion over a small checked project.

use std::collections::BTreeMap;
use std::str::FromStr;

use lsp_types::{CompletionTextEdit, HoverContents, Uri};

use super::completion::completion;
use super::hover::hover;
use crate::lsp::workspace::{Project, Workspace};
use crate::schema::PropType;
use crate::schema::{Environment, ObjectDef, Resources, Schema};
use crate::source::FileId;

fn env() -> Environment {
    let mut schema = Schema::default();
    let obj = |name: &str, props: &[(&str, PropType)], required: &[&str]| ObjectDef {
        name: name.into(),
        builtin: true,
        properties: props
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone()))
            .collect::<BTreeMap<_, _>>(),
        required: required.iter().map(|r| r.to_string()).collect(),
    };
    let opts = |o: &[&str]| o.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    schema.objects.insert(
        "contact".into(),
        obj(
            "contact",
            &[
                ("firstname", PropType::String),
                ("hubspotscore", PropType::Number),
                ("hs_email_optout", PropType::Bool),
                (
                    "lifecyclestage",
                    PropType::Enum(opts(&["lead", "customer"])),
                ),
            ],
            &[],
        ),
    );
    schema.objects.insert(
        "company".into(),
        obj(
            "company",
            &[
                ("name", PropType::String),
                ("industry", PropType::Enum(opts(&["ACCOUNTING", "BANKING"]))),
            ],
            &["name"],
        ),
    );
    schema.objects.insert(
        "deal".into(),
        obj(
            "deal",
            &[("dealname", PropType::String), ("amount", PropType::Number)],
            &["dealname"],
        ),
    );
    schema.associate("contact", "company");
    schema.associate("contact", "deal");
    let mut env = Environment::standard();
    env.schema = schema;
    env.resources = Resources {
        emails: Some(vec!["Welcome #1".into(), "Say \"hi\"".into()]),
        lists: Some(vec!["Hot leads".into()]),
        teams: Some(BTreeMap::from([("Sales NL".to_string(), vec![])])),
        ..Resources::default()
    };
    env
}

/// Check `text` (with `|` marking the cursor) and run `f` at the cursor.
fn at<T>(text: &str, f: impl FnOnce(&Project, FileId, usize) -> T) -> T {
    let offset = text.find('|').expect("cursor marker");
    let text = text.replacen('|', "", 1);
    let mut ws = Workspace::new();
    ws.env_override = Some(env());
    let uri = Uri::from_str("untitled:test.wf").unwrap();
    ws.open(uri.clone(), 1, text);
    ws.flush();
    let (project, file) = ws.lookup(&uri).expect("checked");
    f(project, file, offset)
}

fn hover_at(text: &str) -> String {
    at(text, |p, f, o| {
        hover(p, f, o)
            .map(|h| match h.contents {
                HoverContents::Markup(m) => m.value,
                _ => String::new(),
            })
            .unwrap_or_default()
    })
}

fn complete_at(text: &str) -> Vec<(String, String)> {
    at(text, |p, f, o| {
        completion(p, f, o)
            .into_iter()
            .map(|i| {
                let new = match i.text_edit {
                    Some(CompletionTextEdit::Edit(e)) => e.new_text,
                    _ => String::new(),
                };
                (i.label, new)
            })
            .collect()
    })
}

fn labels(items: &[(String, String)]) -> Vec<&str> {
    items.iter().map(|(l, _)| l.as_str()).collect()
}

const HEAD: &str = "workflow \"W\" for contact {\n";

#[test]
fn hover_on_properties_and_tokens() {
    let h = hover_at(&format!("{HEAD}  if hubsp|otscore >= 5 {{\n  }}\n}}\n"));
    assert!(h.starts_with("**hubspotscore**: number"), "{h}");
    assert!(h.contains("property of `contact`"), "{h}");
    let h = hover_at(&format!(
        "{HEAD}  if company.indu|stry is \"BANKING\" {{\n  }}\n}}\n"
    ));
    assert!(
        h.contains("enum (one of `ACCOUNTING`, `BANKING`)") && h.contains("`company`"),
        "{h}"
    );
    let h = hover_at(&format!(
        "{HEAD}  send internal email to owner subject \"é😀 {{{{ contact.first|name }}}}\" body \"b\"\n}}\n"
    ));
    assert!(h.starts_with("**firstname**: string"), "{h}");
    let h = hover_at(&format!(
        "{HEAD}  create deal {{ deal|name = \"x\" }}\n}}\n"
    ));
    assert!(h.contains("property of `deal`"), "{h}");
    let h = hover_at(&format!("{HEAD}  set comp|any.name = \"x\"\n}}\n"));
    assert!(
        h.contains("**company** object type") && h.contains("associated with: contact"),
        "{h}"
    );
    // Unknown property: no hover rather than a wrong one.
    assert_eq!(hover_at(&format!("{HEAD}  clear nope|\n}}\n")), "");
}

#[test]
fn hover_range_is_in_utf16() {
    let text = format!(
        "{HEAD}  send internal email to owner subject \"é😀{{{{ first|name }}}}\" body \"b\"\n}}\n"
    );
    let range = at(&text, |p, f, o| hover(p, f, o).and_then(|h| h.range)).expect("hover");
    let line = "  send internal email to owner subject \"é😀{{ ";
    let start = line.encode_utf16().count() as u32;
    assert_eq!(range.start, lsp_types::Position::new(1, start));
    assert_eq!(range.end, lsp_types::Position::new(1, start + 9));
}

#[test]
fn completes_paths_and_object_prefixes() {
    let c = complete_at(&format!("{HEAD}  set |\n}}\n"));
    let l = labels(&c);
    assert!(
        l.contains(&"firstname") && l.contains(&"company.") && l.contains(&"deal."),
        "{l:?}"
    );
    let c = complete_at(&format!("{HEAD}  if company.|\n}}\n"));
    assert_eq!(labels(&c), vec!["industry", "name"]);
    let c = complete_at(&format!("{HEAD}  if company.in|\n}}\n"));
    assert_eq!(labels(&c), vec!["industry", "name"]);
    // increase/decrease: the enrolled record only, no object prefixes.
    let c = complete_at(&format!("{HEAD}  increase hub|\n}}\n"));
    assert!(!labels(&c).contains(&"company."), "{c:?}");
    // Keys of a record literal: the created object's properties.
    let c = complete_at(&format!("{HEAD}  create deal {{\n    |\n  }}\n}}\n"));
    assert_eq!(labels(&c), vec!["amount", "dealname"]);
}

#[test]
fn completes_tokens_in_strings() {
    let c = complete_at(&format!("{HEAD}  create task \"Call {{{{ |\"\n}}\n"));
    let l = labels(&c);
    assert!(
        l.contains(&"firstname") && l.contains(&"contact.") && l.contains(&"company."),
        "{l:?}"
    );
    let c = complete_at(&format!(
        "{HEAD}  create task \"Call {{{{ company.n|\"\n}}\n"
    ));
    assert_eq!(labels(&c), vec!["industry", "name"]);
}

#[test]
fn completes_enumeration_options() {
    let c = complete_at(&format!("{HEAD}  if lifecyclestage is |\n}}\n"));
    assert!(c.contains(&("lead".into(), "\"lead\"".into())), "{c:?}");
    assert!(labels(&c).contains(&"known"));
    let c = complete_at(&format!("{HEAD}  if lifecyclestage is \"cu|\n}}\n"));
    assert!(
        c.contains(&("customer".into(), "customer\"".into())),
        "{c:?}"
    );
    let c = complete_at(&format!(
        "{HEAD}  enroll when company.industry in [\"BANKING\", |]\n}}\n"
    ));
    assert_eq!(labels(&c), vec!["ACCOUNTING", "BANKING"]);
    let c = complete_at(&format!("{HEAD}  set hs_email_optout = |\n}}\n"));
    assert_eq!(labels(&c), vec!["true", "false"]);
    let c = complete_at(&format!(
        "{HEAD}  branch on lifecyclestage {{\n    |\n  }}\n}}\n"
    ));
    assert_eq!(labels(&c), vec!["lead", "customer"]);
}

#[test]
fn completes_resources_from_the_manifest() {
    let c = complete_at(&format!("{HEAD}  send email |\n}}\n"));
    assert!(
        c.contains(&("Say \"hi\"".into(), "\"Say \\\"hi\\\"\"".into())),
        "{c:?}"
    );
    let c = complete_at(&format!("{HEAD}  send email \"We|\"\n}}\n"));
    assert!(
        c.contains(&("Welcome #1".into(), "Welcome #1".into())),
        "{c:?}"
    );
    let c = complete_at(&format!("{HEAD}  add to list |\n}}\n"));
    assert_eq!(labels(&c), vec!["Hot leads"]);
    let c = complete_at(&format!("{HEAD}  rotate owner among team \"|\n}}\n"));
    assert_eq!(c, vec![("Sales NL".to_string(), "Sales NL\"".to_string())]);
    let c = complete_at(&format!("{HEAD}  send internal email to |\n}}\n"));
    assert_eq!(labels(&c), vec!["owner", "user", "team"]);
    let c = complete_at(&format!("{HEAD}  opt in \"x\" basis |\n}}\n"));
    assert!(labels(&c).contains(&"legitimate_interest_client"));
}

#[test]
fn completes_keywords_by_position() {
    // Inside a nested block: steps but no settings; the phrase replaces
    // what was typed of it.
    let text = format!("{HEAD}  if x is 1 {{\n    send int|\n  }}\n}}\n");
    let c = complete_at(&text);
    assert!(c.contains(&(
        "send internal email".into(),
        "send internal email to ".into()
    )));
    assert!(!labels(&c).contains(&"enroll when"), "{c:?}");
    let edit = at(&text, |p, f, o| {
        completion(p, f, o)
            .into_iter()
            .find_map(|i| match i.text_edit {
                Some(CompletionTextEdit::Edit(e)) if i.label == "send internal sms" => {
                    Some(e.range)
                }
                _ => None,
            })
    });
    let r = edit.expect("send internal sms offered");
    assert!(
        !labels(&c).contains(&"send email"),
        "filtered by the typed words"
    );
    assert_eq!(
        (r.start.line, r.start.character, r.end.character),
        (2, 4, 12)
    );
    // After a label.
    let c = complete_at(&format!("{HEAD}  if x is 1 {{\n    here: |\n  }}\n}}\n"));
    assert!(labels(&c).contains(&"send email"));
    // Outside a workflow.
    let c = complete_at(&format!("{HEAD}}}\n|"));
    assert_eq!(labels(&c), vec!["workflow"]);
    let c = complete_at("workflow \"X\" for |");
    assert_eq!(labels(&c), vec!["company", "contact", "deal"]);
    // After `create`.
    let c = complete_at(&format!("{HEAD}  create |\n}}\n"));
    assert!(
        c.contains(&("deal".into(), "deal {".into())) && labels(&c).contains(&"task"),
        "{c:?}"
    );
}
