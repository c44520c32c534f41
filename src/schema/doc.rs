//! The schema as a reader sees it: Markdown (`docs/schema.md` is generated
//! from [`super::builtin::schema`] by [`markdown`]), plain text and JSON for
//! `wfc schema`. Pure functions of a [`Schema`]: no I/O.

use std::fmt::Write as _;

use super::builtin::BUILTIN_OBJECTS;
use super::{ObjectDef, Schema};

/// The command that regenerates `docs/schema.md`.
pub const REGENERATE: &str = "cargo run -- schema --format markdown > docs/schema.md";

/// The object types of `schema` in reading order: the five built-in types
/// in their usual order, then the others by name.
pub fn objects(schema: &Schema) -> Vec<&ObjectDef> {
    let mut out: Vec<&ObjectDef> = BUILTIN_OBJECTS
        .iter()
        .filter_map(|name| schema.object(name))
        .collect();
    out.extend(
        schema
            .objects
            .values()
            .filter(|o| !BUILTIN_OBJECTS.contains(&o.name.as_str())),
    );
    out
}

/// The whole schema as the Markdown page `docs/schema.md`.
pub fn markdown(schema: &Schema) -> String {
    let mut out = String::new();
    out.push_str("# The built-in schema\n\n");
    let _ = writeln!(
        out,
        "<!-- Generated from `schema::builtin` by `wfc schema --format markdown`; do not edit.\n     Regenerate with: {REGENERATE} -->\n"
    );
    out.push_str(
        "Every `.wf` file is checked against this schema: the five standard object\n\
         types, their properties (the CRM's internal names), the types and options of\n\
         those properties, which types are associated with which, and the properties\n\
         `create` must set. A project's `wf.toml` adds custom properties and custom\n\
         objects ([manifest.md](manifest.md)); it never removes or retypes these.\n\
         `wfc schema [OBJECT]` prints the same information in a terminal\n\
         (`--format json` for scripts).\n\n",
    );
    out.push_str("## Property types\n\n");
    out.push_str("| type | values | in `--records` JSON |\n|---|---|---|\n");
    for (name, values, json) in [
        ("string", "text", "a string"),
        ("number", "integers and decimals", "a number"),
        ("bool", "`true`, `false`", "a boolean"),
        ("date", "a calendar day, `YYYY-MM-DD`", "`\"2026-03-01\"`"),
        (
            "datetime",
            "an instant",
            "RFC 3339, `\"2026-03-01T09:00:00Z\"`",
        ),
        ("enum", "one of the listed options", "a string"),
        (
            "multi",
            "multiple checkbox: any set of the listed options",
            "an array of strings",
        ),
        ("owner", "a user (the record's owner)", "a string"),
    ] {
        let _ = writeln!(out, "| `{name}` | {values} | {json} |");
    }
    out.push_str(
        "\nOption values are case-sensitive and are written exactly as listed\n\
         (`lifecyclestage is \"lead\"`, `hs_ticket_priority is \"HIGH\"`).\n\n",
    );

    out.push_str("## Object types\n\n");
    out.push_str("| object | associated with | `create` must set |\n|---|---|---|\n");
    for o in objects(schema) {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            md_text(&o.name),
            anchor(&o.name),
            code_list(&schema.associations_of(&o.name), "none"),
            code_list(&strs(&o.required), "—"),
        );
    }
    out.push_str(
        "\nAssociations are symmetric. A path `company.industry` in a contact workflow\n\
         reads the contact's associated companies; a path through a type that is not\n\
         associated is WF101. `contact` and `quote` records cannot be created by a\n\
         workflow (WF201).\n",
    );

    for o in objects(schema) {
        let _ = write!(out, "\n## `{}`\n\n", md_text(&o.name));
        out.push_str("| property | type | options |\n|---|---|---|\n");
        for (name, ty) in &o.properties {
            let options = ty
                .options()
                .map(|opts| code_list(&strs(opts), ""))
                .unwrap_or_default();
            let _ = writeln!(out, "| `{}` | {} | {options} |", md_text(name), ty.name());
        }
    }
    out
}

/// One object (or every object) as plain text for a terminal.
pub fn text(schema: &Schema, only: Option<&ObjectDef>) -> String {
    let list = match only {
        Some(o) => vec![o],
        None => objects(schema),
    };
    let mut out = String::new();
    for (i, o) in list.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", o.name);
        let assoc = schema.associations_of(&o.name);
        let _ = writeln!(
            out,
            "  associated with: {}",
            if assoc.is_empty() {
                "none".to_string()
            } else {
                assoc.join(", ")
            }
        );
        let _ = writeln!(
            out,
            "  create must set: {}",
            if o.required.is_empty() {
                "nothing".to_string()
            } else {
                o.required.join(", ")
            }
        );
        out.push_str("  properties:\n");
        let width = o.properties.keys().map(|k| k.chars().count()).max();
        let width = width.unwrap_or(0);
        for (name, ty) in &o.properties {
            let head = format!("    {name:width$}  {}", ty.name());
            match ty.options() {
                None => {
                    let _ = writeln!(out, "{head}");
                }
                Some(opts) => {
                    let indent = " ".repeat(4 + width + 2 + ty.name().len() + 2);
                    out.push_str(&wrap(&format!("{head}: "), &indent, opts, 79));
                }
            }
        }
    }
    out
}

/// One object (or every object, as an array) as JSON.
pub fn json(schema: &Schema, only: Option<&ObjectDef>) -> serde_json::Value {
    let one = |o: &ObjectDef| {
        let properties: Vec<serde_json::Value> = o
            .properties
            .iter()
            .map(|(name, ty)| match ty.options() {
                Some(opts) => serde_json::json!({"name": name, "type": ty.name(), "options": opts}),
                None => serde_json::json!({"name": name, "type": ty.name()}),
            })
            .collect();
        serde_json::json!({
            "name": o.name,
            "associations": schema.associations_of(&o.name),
            "required": o.required,
            "properties": properties,
        })
    };
    match only {
        Some(o) => one(o),
        None => serde_json::Value::Array(objects(schema).into_iter().map(one).collect()),
    }
}

/// `head` followed by `items` joined with `, `, wrapped before `max`
/// characters; continuation lines start with `indent`.
fn wrap(head: &str, indent: &str, items: &[String], max: usize) -> String {
    let mut out = String::new();
    let mut line = head.to_string();
    let mut fresh = true;
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        let sep = if fresh { "" } else { " " };
        if !fresh && line.chars().count() + sep.len() + piece.chars().count() > max {
            out.push_str(&line);
            out.push('\n');
            line = format!("{indent}{piece}");
        } else {
            line.push_str(sep);
            line.push_str(&piece);
        }
        fresh = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

fn strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// `a`, `b`, `c` in code spans; `empty` when the list is empty.
fn code_list(list: &[&str], empty: &str) -> String {
    if list.is_empty() {
        return empty.to_string();
    }
    list.iter()
        .map(|s| format!("`{}`", md_text(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text that cannot break a table row or a code span.
fn md_text(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// The anchor GitHub gives the heading `` `name` ``.
fn anchor(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{builtin, PropType};

    /// Every type has a row in the page's "Property types" table: a new
    /// variant stops this match from compiling until the table has it.
    fn documented(ty: &PropType) -> bool {
        match ty {
            PropType::String
            | PropType::Number
            | PropType::Bool
            | PropType::Date
            | PropType::Datetime
            | PropType::Enum(_)
            | PropType::Multi(_)
            | PropType::Owner => true,
        }
    }

    #[test]
    fn every_builtin_property_is_on_the_page() {
        let s = builtin::schema();
        let page = markdown(&s);
        for o in s.objects.values() {
            assert!(page.contains(&format!("\n## `{}`\n", o.name)));
            for (name, ty) in &o.properties {
                assert!(documented(ty));
                assert!(page.contains(&format!("| `{name}` | {} |", ty.name())));
            }
        }
    }

    #[test]
    fn objects_in_reading_order() {
        let s = builtin::schema();
        let names: Vec<&str> = objects(&s).iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, BUILTIN_OBJECTS);
    }

    #[test]
    fn long_option_lists_wrap() {
        let items: Vec<String> = (0..30).map(|i| format!("OPTION_{i}")).collect();
        let text = wrap("    x  enum: ", "             ", &items, 40);
        assert!(text.lines().count() > 1);
        assert!(text.lines().all(|l| l.chars().count() <= 40));
        assert!(text.ends_with("OPTION_29\n"));
    }

    #[test]
    fn json_lists_options_only_for_enumerations() {
        let s = builtin::schema();
        let v = json(&s, s.object("deal"));
        let props = v["properties"].as_array().cloned().unwrap_or_default();
        let amount = props.iter().find(|p| p["name"] == "amount");
        assert_eq!(
            amount.and_then(|p| p.get("options")),
            None,
            "number has no options"
        );
        let stage = props.iter().find(|p| p["name"] == "dealstage");
        assert_eq!(
            stage.map(|p| p["options"].as_array().map(Vec::len)),
            Some(Some(7))
        );
    }
}
