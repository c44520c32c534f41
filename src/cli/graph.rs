//! `wfc graph`: command-line front end.
//!
//! `wfc graph PATH [--workflow NAME] [--format mermaid|dot|svg] [-o FILE]`
//! checks PATH (a `.wf` file or a folder of them, each file with its
//! nearest `wf.toml`, loaded as `wfc check` loads them) and draws its
//! workflows. Without `--workflow`, every workflow:
//! one subgraph each in mermaid and dot, stacked one below the other in svg.
//! Without `--format`, the extension of `-o` decides (`.svg`, `.dot`/`.gv`,
//! else mermaid).
//!
//! Exit codes: 0 drawn; 1 the files have errors (printed, nothing drawn);
//! 2 usage or I/O problem (including an unknown `--workflow`).

use std::path::PathBuf;

use crate::diagnostics::render;
use crate::graph::{render, Format};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Svg,
}

/// Arguments of `wfc graph`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A `.wf` file, or a folder: every `.wf` file below it.
    pub path: PathBuf,
    /// Draw only this workflow (by name).
    #[arg(long, short = 'w')]
    pub workflow: Option<String>,
    /// Output format (default: from the extension of `-o`, else mermaid).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<GraphFormat>,
    /// Write here instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

/// Run `wfc graph`; returns the process exit code.
pub fn run(args: Args) -> i32 {
    // The same loading as `check` and `build`: a folder of several projects
    // draws each against its own `wf.toml`; a named file is checked in its
    // project.
    let input = super::InputArgs {
        paths: vec![args.path.clone()],
        stdin_filename: None,
        format: super::FormatArg::Human,
        color: super::ColorArg::Never,
    };
    let comp = match super::load_and_compile(&input, true) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if comp.has_errors() {
        eprint!(
            "{}",
            render::human(
                &comp.sources,
                &comp.diagnostics,
                super::fmt::human_options()
            )
        );
        eprintln!("error: the workflows have errors; nothing drawn");
        return 1;
    }
    if comp.context_errors {
        eprint!(
            "{}",
            super::CONTEXT_ERRORS.replace("nothing built", "nothing drawn")
        );
        return 1;
    }
    let plans = match &args.workflow {
        None => comp.plans,
        Some(name) => {
            let chosen: Vec<_> = comp
                .plans
                .iter()
                .filter(|p| &p.name == name)
                .cloned()
                .collect();
            if chosen.is_empty() {
                let names: Vec<&str> = comp.plans.iter().map(|p| p.name.as_str()).collect();
                eprintln!("error: no workflow named \"{name}\"");
                let close = crate::diagnostics::suggest(name, names.iter().copied());
                if let Some(n) = close {
                    eprintln!("  = help: did you mean \"{n}\"?");
                } else if !names.is_empty() {
                    // A file of 100,000 workflows must not print them all.
                    const SHOWN: usize = 20;
                    let shown: Vec<String> = names
                        .iter()
                        .take(SHOWN)
                        .map(|n| format!("\"{}\"", crate::diagnostics::shorten(n)))
                        .collect();
                    let more = match names.len().saturating_sub(SHOWN) {
                        0 => String::new(),
                        n => format!(" and {n} more"),
                    };
                    eprintln!("  = note: the workflows are: {}{more}", shown.join(", "));
                }
                return 2;
            }
            chosen
        }
    };
    let format = match args.format {
        Some(GraphFormat::Mermaid) => Format::Mermaid,
        Some(GraphFormat::Dot) => Format::Dot,
        Some(GraphFormat::Svg) => Format::Svg,
        None => match args
            .output
            .as_ref()
            .and_then(|o| o.extension())
            .and_then(|e| e.to_str())
        {
            Some("svg") => Format::Svg,
            Some("dot") | Some("gv") => Format::Dot,
            _ => Format::Mermaid,
        },
    };
    let text = render(&plans, format);
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return 2;
            }
        }
        None => print!("{text}"),
    }
    0
}
