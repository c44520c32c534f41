//! `wfc schema [OBJECT] [--format text|json|markdown]`: print the built-in
//! standard schema (docs/schema.md is this command's Markdown output).
//!
//! Exit codes: 0 printed; 2 unknown object type (with a "did you mean") or
//! a closed-stdout write error.

use crate::diagnostics::{shorten, suggest};
use crate::schema::{builtin, doc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaFormat {
    /// aligned plain text
    Text,
    /// one JSON object for OBJECT, else an array of objects
    Json,
    /// the Markdown page docs/schema.md
    Markdown,
}

/// Arguments of `wfc schema`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Print only this object type (contact, company, deal, ticket, quote)
    #[arg(value_name = "OBJECT")]
    pub object: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = SchemaFormat::Text)]
    pub format: SchemaFormat,
}

pub const EXAMPLES: &str = "\
Examples:
  wfc schema                         every object type with its properties
  wfc schema deal                    one object type
  wfc schema contact --format json | jq '.properties[].name'";

/// Run `wfc schema`; returns the process exit code.
pub fn run(args: &Args) -> i32 {
    let schema = builtin::schema();
    let only = match &args.object {
        None => None,
        Some(name) => match schema.object(name) {
            Some(o) => Some(o),
            None => {
                let names: Vec<&str> = doc::objects(&schema)
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect();
                let mut msg = format!("error: unknown object type `{}`\n", shorten(name));
                if let Some(close) = suggest(name, names.iter().copied()) {
                    msg.push_str(&format!("  = help: did you mean `{close}`?\n"));
                }
                msg.push_str(&format!(
                    "  = note: the built-in object types are: {}\n",
                    names.join(", ")
                ));
                super::write_stderr(&msg);
                return super::EXIT_USAGE;
            }
        },
    };
    let text = match args.format {
        SchemaFormat::Text => doc::text(&schema, only),
        SchemaFormat::Markdown => match only {
            // The page documents the whole schema, never one object.
            None => doc::markdown(&schema),
            Some(_) => {
                super::write_stderr(
                    "error: `--format markdown` prints the whole schema: leave out OBJECT\n",
                );
                return super::EXIT_USAGE;
            }
        },
        SchemaFormat::Json => {
            let value = doc::json(&schema, only);
            match serde_json::to_string_pretty(&value) {
                Ok(s) => s + "\n",
                Err(e) => {
                    super::write_stderr(&format!("error: cannot serialise the schema: {e}\n"));
                    return super::EXIT_USAGE;
                }
            }
        }
    };
    match super::write_stdout(&text) {
        Ok(()) => super::EXIT_OK,
        Err(code) => code,
    }
}
