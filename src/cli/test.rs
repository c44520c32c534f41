//! `wfc test [PATH...] [--filter TEXT] [--format human|json|junit]
//! [--coverage] [--min-coverage PCT]`: run the `test` items of the
//! project(s), each in a fresh simulation.
//!
//! Exit codes: 0 every test passed (and the coverage reached
//! `--min-coverage`); 1 a test failed, the coverage is below the minimum,
//! or the sources have errors; 2 usage or I/O problem.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use clap::ValueEnum;

use super::{
    human_options, write_stderr, write_stdout, ColorArg, EXIT_ERRORS, EXIT_OK, EXIT_USAGE,
};
use crate::diagnostics::render;
use crate::driver::compile;
use crate::project::{self, ProjectError, Request};
use crate::source::SourceMap;
use crate::testing::{self, report, Suite};

pub const EXAMPLES: &str = "\
Examples:
  wfc test                           every test of the project around the current folder
  wfc test examples/ --coverage      with per-workflow coverage
  wfc test --filter belgium          only the tests whose name contains `belgium`
  wfc test . --format junit > junit.xml
  wfc test . --min-coverage 90       fail below 90% of steps and paths covered";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// one line per test, then a report per failure (stdout)
    Human,
    /// one JSON object: tests, summary, coverage
    Json,
    /// JUnit XML for CI systems
    Junit,
}

/// Arguments of `wfc test`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Files and folders (every .wf below a folder). None: the project
    /// around the current folder
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Run only the tests whose name contains TEXT
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,

    /// Report which steps and branch paths the tests exercised
    #[arg(long)]
    pub coverage: bool,

    /// Fail (exit 1) when less than PCT percent of the steps and paths are
    /// covered (implies --coverage)
    #[arg(long, value_name = "PCT")]
    pub min_coverage: Option<f64>,

    /// Colour in human output: auto = only on a terminal and without NO_COLOR
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
}

/// Run `wfc test`; returns the process exit code.
pub fn run(args: Args) -> i32 {
    if let Some(p) = args.min_coverage {
        if !(0.0..=100.0).contains(&p) {
            write_stderr("error: --min-coverage takes a percentage from 0 to 100\n");
            return EXIT_USAGE;
        }
    }
    let coverage = args.coverage || args.min_coverage.is_some();
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            write_stderr(&format!("error: cannot read the current folder: {e}\n"));
            return EXIT_USAGE;
        }
    };
    let request = Request {
        paths: args.paths.clone(),
        stdin_filename: None,
    };
    let groups = match project::load_groups(&request, &cwd, &mut io::empty()) {
        Ok(g) => g,
        Err(e) => {
            let hint = match e {
                ProjectError::NoFiles { .. } => {
                    "\nhelp: name the files to test, e.g. `wfc test flows/`"
                }
                _ => "",
            };
            write_stderr(&format!("error: {e}{hint}\n"));
            return EXIT_USAGE;
        }
    };
    let mut runs: Vec<(SourceMap, Suite)> = Vec::new();
    let mut errors = false;
    for g in groups {
        let context = g.context.clone();
        let comp = compile(g.inputs, g.manifest);
        if !comp.diagnostics.is_empty() {
            let text = render::human(&comp.sources, &comp.diagnostics, human_options(args.color));
            write_stderr(&text);
        }
        if comp.has_errors() {
            errors = true;
            continue;
        }
        let opts = testing::Options {
            filter: args.filter.clone(),
            threads: 0,
            context,
        };
        match testing::run(&comp, &opts) {
            Ok(suite) => runs.push((comp.sources, suite)),
            Err(e) => {
                write_stderr(&format!("error: {e}\n"));
                errors = true;
            }
        }
    }
    if errors {
        write_stderr("error: the workflows have errors; no test was run for them\n");
    }
    let parts: Vec<(&SourceMap, &Suite)> = runs.iter().map(|(s, r)| (s, r)).collect();
    if errors && parts.is_empty() {
        return EXIT_ERRORS;
    }
    let text = match args.format {
        TestFormat::Human => {
            let h = human_options(args.color);
            let terminal = io::stdout().is_terminal();
            report::human(
                &parts,
                report::HumanOptions {
                    color: h.color && terminal,
                    width: h.width,
                    coverage,
                },
            )
        }
        TestFormat::Json => report::json(&parts, coverage),
        TestFormat::Junit => report::junit(&parts),
    };
    if let Err(code) = write_stdout(&text) {
        return code;
    }
    let failed: usize = parts.iter().map(|(_, s)| s.failed()).sum();
    let mut below = false;
    if let Some(min) = args.min_coverage {
        let c = report::merged_coverage(&parts);
        if c.percent < min {
            below = true;
            write_stderr(&format!(
                "error: coverage {:.1}% is below the minimum of {min}%\n",
                c.percent
            ));
        }
    }
    if errors || failed > 0 || below {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}
