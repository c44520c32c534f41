//! `wfc graph`: command-line front end.
//!
//! `wfc graph PATH [--workflow NAME] [--format mermaid|dot|svg] [-o FILE]`
//! checks PATH (a `.wf` file or a folder of them, each file with its
//! nearest `wf.toml`, as `wfc check` does) and draws its workflows. Without `--workflow`, every workflow:
//! one subgraph each in mermaid and dot, stacked one below the other in svg.
//! Without `--format`, the extension of `-o` decides (`.svg`, `.dot`/`.gv`,
//! else mermaid).
//!
//! Exit codes: 0 drawn; 1 the files have errors (printed, nothing drawn);
//! 2 usage or I/O problem (including an unknown `--workflow`).

use std::path::PathBuf;

use crate::diagnostics::render;
use crate::driver::compile;
use crate::graph::{render, Format};
use crate::project;

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
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the current folder: {e}");
            return 2;
        }
    };
    let request = project::Request {
        paths: vec![args.path.clone()],
        stdin_filename: None,
    };
    // One compilation per project, as `wfc check` does: a folder holding
    // several projects draws each against its own `wf.toml`.
    let groups = match project::load_groups(&request, &cwd, &mut std::io::stdin().lock()) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if groups.iter().all(|g| g.inputs.is_empty()) {
        eprintln!("error: no .wf file in {}", args.path.display());
        return 2;
    }
    let comps: Vec<_> = groups
        .into_iter()
        .map(|g| compile(g.inputs, g.manifest))
        .collect();
    if comps.iter().any(|c| c.has_errors()) {
        for comp in &comps {
            eprint!(
                "{}",
                render::human(
                    &comp.sources,
                    &comp.diagnostics,
                    super::fmt::human_options()
                )
            );
        }
        eprintln!("error: the workflows have errors; nothing drawn");
        return 1;
    }
    let all_plans: Vec<_> = comps.into_iter().flat_map(|c| c.plans).collect();
    let plans = match &args.workflow {
        None => all_plans,
        Some(name) => {
            let chosen: Vec<_> = all_plans
                .iter()
                .filter(|p| &p.name == name)
                .cloned()
                .collect();
            if chosen.is_empty() {
                let names: Vec<&str> = all_plans.iter().map(|p| p.name.as_str()).collect();
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
