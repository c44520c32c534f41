//! The `wfc` command line: a thin shell over the library.
//!
//! `check`, `build` and `explain` live here; each other command has its own
//! file (`run.rs`, `test.rs`, `fmt.rs`, `graph.rs`, `lsp.rs`, `schema.rs`) exposing
//! `Args` and `run`.
//!
//! Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage or
//! I/O problem. Output goes through locked handles; a closed pipe
//! (`wfc build x.wf | head`) ends the program normally.

pub mod fix;
pub mod fmt;
pub mod graph;
pub mod lsp;
pub mod run;
pub mod schema;
pub mod serve;
pub mod test;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostics::render::{self, Format, HumanOptions};
use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::driver::{compile, Compilation};
use crate::plan::Plan;
use crate::project::{self, ProjectError, Request};
use crate::source::{FileId, SourceMap};

/// Exit code: no errors.
pub const EXIT_OK: i32 = 0;
/// Exit code: the sources have errors.
pub const EXIT_ERRORS: i32 = 1;
/// Exit code: usage or I/O problem.
pub const EXIT_USAGE: i32 = 2;

const ABOUT: &str = "Compiler, checker and tooling for .wf CRM workflow files";

const LONG_ABOUT: &str = "\
wfc checks .wf workflow files against the CRM's rules (object types, \
properties, hub tiers, go-to rules, ...) and compiles them to JSON plans \
(format wfplan/1) that its runtime executes.

Exit codes: 0 = no errors (warnings allowed), 1 = errors found, \
2 = usage or I/O problem.";

const EXAMPLES: &str = "\
Examples:
  wfc check                          check the project around the current folder
  wfc check flows/ extra.wf          check files and folders together
  wfc check --format json src/       diagnostics as one JSON array on stdout
  cat a.wf | wfc check - --stdin-filename a.wf
  wfc build examples/contact_lead_nurture.wf  the plan as JSON
  wfc build flows/ -o plans/         write one <workflow-name>.json per workflow
  wfc explain WF101                  what a diagnostic code means";

const CHECK_EXAMPLES: &str = "\
Examples:
  wfc check                          the project around the current folder
  wfc check a.wf flows/              files and folders (every .wf below)
  wfc check --format github .        annotations for GitHub Actions
  wfc check --format sarif . > wfc.sarif
  wfc check --fix flows/             apply the safe fixes, report the rest
  wfc check --diff .                 show the fixes as a diff, change nothing
  wfc check - --stdin-filename flows/a.wf < buffer.wf";

const BUILD_EXAMPLES: &str = "\
Examples:
  wfc build a.wf                     the plan on stdout (an array when there are several)
  wfc build flows/ -o plans/         one <slug-of-workflow-name>.json per workflow
  wfc build a.wf | jq .nodes
  wfc build --bundle examples/project > project.json   one project, ready for `wfc serve`";

/// The `wfc` command line.
#[derive(Debug, Parser)]
#[command(
    name = "wfc",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check .wf files; report every problem
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Check, then write one JSON plan per workflow (nothing on any error)
    #[command(after_help = BUILD_EXAMPLES)]
    Build(BuildArgs),
    /// Print the long explanation of a diagnostic code (e.g. WF101)
    Explain(ExplainArgs),
    /// Execute plans in the interpreter runtime
    Run(run::Args),
    /// Run workflows for real: the durable engine behind an HTTP API
    #[command(after_help = serve::AFTER_HELP)]
    Serve(serve::Args),
    /// Print the built-in schema: object types, properties, types, options
    #[command(after_help = schema::EXAMPLES)]
    Schema(schema::Args),
    /// Run the `test` items of .wf files; report failures and coverage
    #[command(after_help = test::EXAMPLES)]
    Test(test::Args),
    /// Format .wf files
    Fmt(fmt::Args),
    /// Draw a workflow's flow diagram
    Graph(graph::Args),
    /// Start the language server (LSP over stdio)
    Lsp(lsp::Args),
}

/// What to read, shared by `check` and `build`.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Files and folders (every .wf below a folder); `-` reads stdin.
    /// None: the project around the current folder (nearest wf.toml and
    /// every .wf below it)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The file name stdin's text goes by in diagnostics and plans; its
    /// folder is where wf.toml is looked for
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Diagnostics format
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Colour in human output: auto = only on a terminal and without NO_COLOR
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Apply every safe fix to the files, then report what is left
    #[arg(long)]
    pub fix: bool,

    /// Apply the unsafe fixes too (implies --fix unless --diff)
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them; exit 1
    /// when there would be changes
    #[arg(long)]
    pub diff: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write one <slug-of-workflow-name>.json per workflow into DIR
    /// (created if missing) instead of printing to stdout
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// Print one bundle (format wfbundle/1) instead: the project's
    /// environment from wf.toml and its plans, what `wfc serve` and
    /// `wfc run` take; the paths must belong to one project
    #[arg(long, conflicts_with = "out_dir")]
    pub bundle: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    /// A diagnostic code such as WF101 (case-insensitive; `101` works too)
    #[arg(value_name = "CODE")]
    pub code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// miette's graphical report (stderr)
    Human,
    /// one JSON array of {code, severity, message, file, line, column, end_line, end_column, help}
    Json,
    /// GitHub Actions workflow commands (::error file=...)
    Github,
    /// SARIF 2.1.0
    Sarif,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Github => Format::Github,
            FormatArg::Sarif => Format::Sarif,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version land here too (exit code 0).
            let code = e.exit_code();
            if let Err(err) = e.print() {
                if err.kind() != io::ErrorKind::BrokenPipe {
                    return EXIT_USAGE;
                }
            }
            return code;
        }
    };
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Build(args) => build(&args),
        Command::Explain(args) => explain(&args),
        Command::Run(args) => run::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Schema(args) => schema::run(&args),
        Command::Test(args) => test::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Lsp(args) => lsp::run(args),
    }
}

/// `wfc check`.
pub fn check(args: &CheckArgs) -> i32 {
    if args.fix || args.unsafe_fixes || args.diff {
        return fix::run(args);
    }
    let input = &args.input;
    // `check` never looks at plans: skip codegen (same diagnostics).
    let compilation = match load_and_compile(input, false) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let format = Format::from(input.format);
    let diags = &compilation.diagnostics;
    let result = if format == Format::Human {
        let mut text = render::human(&compilation.sources, diags, human_options(input.color));
        if diags.is_empty() {
            text = format!(
                "ok: {} checked, no problems\n",
                count_words(compilation.files, "file", compilation.workflows)
            );
        }
        write_stderr(&text);
        Ok(())
    } else {
        write_stdout(&render::render(
            format,
            &compilation.sources,
            diags,
            HumanOptions::plain(),
        ))
    };
    match result {
        Ok(()) if compilation.has_errors() => EXIT_ERRORS,
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

/// `wfc build`: plans on stdout (or into `-o DIR`), diagnostics on stderr in
/// the chosen format.
pub fn build(args: &BuildArgs) -> i32 {
    let input = &args.input;
    if args.bundle {
        return match compile_bundle(input) {
            Ok(bundle) => match serde_json::to_string_pretty(&bundle) {
                Ok(text) => match write_stdout(&(text + "\n")) {
                    Ok(()) => EXIT_OK,
                    Err(code) => code,
                },
                Err(e) => {
                    write_stderr(&format!("error: cannot serialise the bundle: {e}\n"));
                    EXIT_USAGE
                }
            },
            Err(code) => code,
        };
    }
    let compilation = match load_and_compile(input, true) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let format = Format::from(input.format);
    let diags = &compilation.diagnostics;
    if format != Format::Human || !diags.is_empty() {
        let opts = human_options(input.color);
        write_stderr(&render::render(format, &compilation.sources, diags, opts));
    }
    if compilation.has_errors() {
        return EXIT_ERRORS;
    }
    if compilation.context_errors {
        write_stderr(CONTEXT_ERRORS);
        return EXIT_ERRORS;
    }

    match &args.out_dir {
        None => {
            // Streamed: the text of 450,000 plans (200 MB from a 16 MiB
            // source) is never held in memory as one string.
            let mut out = io::BufWriter::new(io::stdout().lock());
            let written = if compilation.plans.len() == 1 {
                serde_json::to_writer_pretty(&mut out, &compilation.plans[0])
            } else {
                serde_json::to_writer_pretty(&mut out, &compilation.plans)
            }
            .map_err(io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
            match written {
                Ok(()) => EXIT_OK,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
                Err(e) => {
                    write_stderr(&format!("error: cannot write the plans to stdout: {e}\n"));
                    EXIT_USAGE
                }
            }
        }
        Some(dir) => match write_plans(dir, &compilation) {
            Ok(written) => {
                if format == Format::Human {
                    write_stderr(&format!(
                        "wrote {} to {}\n",
                        plural(written.len(), "plan"),
                        dir.display()
                    ));
                }
                EXIT_OK
            }
            Err(msg) => {
                write_stderr(&format!("error: {msg}\n"));
                EXIT_USAGE
            }
        },
    }
}

/// Why nothing was built or drawn from clean files.
pub(crate) const CONTEXT_ERRORS: &str = "error: other files of the project have errors; \
     nothing built\nhelp: run `wfc check` in the project's folder to see them\n";

/// Write one `<slug>.json` per plan into `dir`; returns the paths written.
/// Two workflows whose names give the same slug get `-2`, `-3`, ... suffixes.
fn write_plans(dir: &Path, compilation: &Outcome) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create folder `{}`: {e}", dir.display()))?;
    let mut used = std::collections::BTreeSet::new();
    let mut written = Vec::new();
    for plan in &compilation.plans {
        let base = slug(&plan.name);
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let path = dir.join(format!("{name}.json"));
        let json = serde_json::to_string_pretty(plan)
            .map_err(|e| format!("cannot serialise plan `{}`: {e}", plan.name))?;
        std::fs::write(&path, json + "\n")
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// A file-name-safe form of a workflow name: lower-case letters and digits,
/// every other run of characters one `-` (`"Benelux lead nurture"` →
/// `benelux-lead-nurture`); `workflow` when nothing is left.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "workflow".to_string()
    } else {
        out
    }
}

/// `wfc explain`.
pub fn explain(args: &ExplainArgs) -> i32 {
    let raw = args.code.trim();
    let code = raw.parse::<Code>().ok().or_else(|| {
        raw.chars()
            .all(|c| c.is_ascii_digit())
            .then(|| format!("WF{raw}").parse::<Code>().ok())
            .flatten()
    });
    match code {
        Some(code) => {
            let mut text = code.explanation().to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            match write_stdout(&text) {
                Ok(()) => EXIT_OK,
                Err(c) => c,
            }
        }
        None => {
            let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            write_stderr(&format!(
                "error: unknown diagnostic code `{raw}`\n\nknown codes: {}\n",
                known.join(", ")
            ));
            EXIT_USAGE
        }
    }
}

/// Resolve the inputs into projects (one per `wf.toml`); a usage or I/O
/// problem is reported here and returned as the exit code.
fn load_projects(input: &InputArgs) -> Result<Vec<project::Project>, i32> {
    let mut paths = input.paths.clone();
    if input.stdin_filename.is_some() {
        if paths.is_empty() {
            paths.push(PathBuf::from("-"));
        } else if !paths.iter().any(|p| p.as_os_str() == "-") {
            write_stderr(
                "error: `--stdin-filename` names the text read from stdin: add `-` to the paths\n",
            );
            return Err(EXIT_USAGE);
        }
    }
    let request = Request {
        paths,
        stdin_filename: input.stdin_filename.clone(),
    };
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            write_stderr(&format!("error: cannot read the current folder: {e}\n"));
            return Err(EXIT_USAGE);
        }
    };
    match project::load_groups(&request, &cwd, &mut io::stdin().lock()) {
        Ok(g) => Ok(g),
        Err(e) => {
            let hint = match e {
                ProjectError::NoFiles { .. } => {
                    "\nhelp: name the files to check, e.g. `wfc check flows/`"
                }
                _ => "",
            };
            write_stderr(&format!("error: {e}{hint}\n"));
            Err(EXIT_USAGE)
        }
    }
}

/// Resolve the inputs and compile; a usage or I/O problem is reported here
/// and returned as the exit code.
/// Without `plans`, codegen is skipped (`Compilation::plans` stays empty).
pub(crate) fn load_and_compile(input: &InputArgs, plans: bool) -> Result<Outcome, i32> {
    let groups = load_projects(input)?;
    let parts = groups
        .into_iter()
        .map(|p| {
            let context = p.context.clone();
            let c = if plans {
                compile(p.inputs, p.manifest)
            } else {
                crate::driver::check(p.inputs, p.manifest)
            };
            (c, context)
        })
        .collect();
    Ok(Outcome::merge(parts))
}

/// What `check`, `build` and `graph` report: the compilations of every
/// project named (one per `wf.toml`, see [`project::load_groups`]) as one,
/// with the files of all of them in one [`SourceMap`] (`.wf` files by name,
/// then the manifests) and the diagnostics sorted over all of them. Files a
/// project read only as context (siblings of a named file) give neither
/// diagnostics, plans nor counts.
pub(crate) struct Outcome {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
    files: usize,
    workflows: usize,
    /// Empty when any project has an error: nothing is built then.
    plans: Vec<Plan>,
    /// A file read only as context has errors (not reported): nothing can be
    /// built although the reported files are clean.
    context_errors: bool,
    /// The environment, when exactly one project was compiled.
    environment: Option<crate::schema::Environment>,
}

impl Outcome {
    fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn merge(parts: Vec<(Compilation, Vec<String>)>) -> Outcome {
        let mut files = 0;
        let mut workflows = 0;
        let mut any_error = false;
        let mut context_errors = false;
        let mut parts: Vec<Compilation> = parts
            .into_iter()
            .map(|(mut c, context)| {
                let had_errors = c.has_errors();
                if !context.is_empty() {
                    // A diagnostic of a context file stays when one of its
                    // labels points into a named file (a duplicate workflow
                    // name the named file brought in: WF106 on the sibling).
                    let sources = &c.sources;
                    let reported = |file| !context.iter().any(|n| n == sources.name(file));
                    c.diagnostics.retain(|d| {
                        std::iter::once(&d.primary)
                            .chain(&d.secondary)
                            .any(|l| reported(l.span.file))
                    });
                    c.plans.retain(|p| !context.contains(&p.source.file));
                }
                context_errors |= had_errors && !c.has_errors();
                any_error |= had_errors;
                for ((_, text), f) in c.sources.files().zip(&c.files) {
                    if !context.contains(&text.name) {
                        files += 1;
                        workflows += f.workflows.len();
                    }
                }
                c
            })
            .collect();
        if parts.len() == 1 {
            if let Some(c) = parts.pop() {
                return Outcome {
                    sources: c.sources,
                    diagnostics: c.diagnostics,
                    files,
                    workflows,
                    plans: c.plans,
                    context_errors,
                    environment: Some(c.env),
                };
            }
        }
        // (is the manifest, name, part, id in the part)
        let mut all: Vec<(bool, &str, usize, FileId)> = Vec::new();
        for (i, c) in parts.iter().enumerate() {
            for (id, text) in c.sources.files() {
                all.push((c.manifest == Some(id), text.name.as_str(), i, id));
            }
        }
        all.sort();
        let mut sources = SourceMap::new();
        let mut remap = std::collections::HashMap::new();
        for &(_, name, i, id) in &all {
            let new = sources.add(name, parts[i].sources.text(id));
            remap.insert((i, id), new);
        }
        let mut diagnostics = Vec::new();
        let mut plans = Vec::new();
        for (i, c) in parts.into_iter().enumerate() {
            for mut d in c.diagnostics {
                for l in std::iter::once(&mut d.primary).chain(d.secondary.iter_mut()) {
                    if let Some(&new) = remap.get(&(i, l.span.file)) {
                        l.span.file = new;
                    }
                }
                diagnostics.push(d);
            }
            if !any_error {
                plans.extend(c.plans);
            }
        }
        crate::diagnostics::sort(&mut diagnostics);
        Outcome {
            sources,
            diagnostics,
            files,
            workflows,
            plans,
            context_errors,
            environment: None,
        }
    }
}

/// The bundle of the one project the inputs name (`wfc build --bundle`,
/// `wfc serve PATH`): diagnostics go to stderr in the chosen format; exit 1
/// on errors, 2 when the inputs span several projects.
pub(crate) fn compile_bundle(input: &InputArgs) -> Result<serde_json::Value, i32> {
    let groups = load_projects(input)?;
    if groups.len() > 1 {
        let cwd = std::env::current_dir().unwrap_or_default();
        let names: Vec<String> = groups
            .iter()
            .map(|g| match &g.manifest_path {
                Some(m) => format!("`{}`", project::display_name(m, &cwd)),
                None => "a folder without `wf.toml`".to_string(),
            })
            .collect();
        write_stderr(&format!(
            "error: the paths span several projects ({}), but a bundle is one project: bundle each on its own\n",
            names.join(", ")
        ));
        return Err(EXIT_USAGE);
    }
    let parts = groups
        .into_iter()
        .map(|p| (compile(p.inputs, p.manifest), p.context))
        .collect();
    let outcome = Outcome::merge(parts);
    let format = Format::from(input.format);
    if format != Format::Human || !outcome.diagnostics.is_empty() {
        let opts = human_options(input.color);
        write_stderr(&render::render(
            format,
            &outcome.sources,
            &outcome.diagnostics,
            opts,
        ));
    }
    if outcome.has_errors() {
        return Err(EXIT_ERRORS);
    }
    if outcome.context_errors {
        write_stderr(CONTEXT_ERRORS);
        return Err(EXIT_ERRORS);
    }
    let environment = outcome
        .environment
        .unwrap_or_else(crate::schema::Environment::standard);
    crate::bundle::bundle(&environment, &outcome.plans).map_err(|e| {
        write_stderr(&format!("error: {e}\n"));
        EXIT_USAGE
    })
}

/// Human options for stderr.
pub(crate) fn human_options(color: ColorArg) -> HumanOptions {
    human_options_for(color, io::stderr().is_terminal())
}

fn human_options_for(color: ColorArg, terminal: bool) -> HumanOptions {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => terminal && !no_color,
    };
    let width = if terminal {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&w| w >= 40)
            .unwrap_or(100)
    } else {
        80
    };
    HumanOptions { color, width }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn count_words(files: usize, what: &str, workflows: usize) -> String {
    format!(
        "{} ({})",
        plural(files, what),
        plural(workflows, "workflow")
    )
}

/// Write to stdout through a locked handle. A closed pipe is a normal end;
/// any other write error is an I/O problem (exit code 2).
pub(crate) fn write_stdout(text: &str) -> Result<(), i32> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            write_stderr(&format!("error: cannot write to stdout: {e}\n"));
            Err(EXIT_USAGE)
        }
    }
}

/// Write to stderr; errors (a closed stderr) are ignored.
pub(crate) fn write_stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Benelux lead nurture"), "benelux-lead-nurture");
        assert_eq!(slug("  Renewal: 30 days / 2026!  "), "renewal-30-days-2026");
        assert_eq!(slug("Überraschung"), "überraschung");
        assert_eq!(slug("***"), "workflow");
        assert_eq!(slug(""), "workflow");
    }

    #[test]
    fn colour_policy() {
        assert!(!human_options_for(ColorArg::Auto, false).color);
        assert!(!human_options_for(ColorArg::Never, true).color);
        assert!(human_options_for(ColorArg::Always, false).color);
        assert_eq!(human_options_for(ColorArg::Auto, false).width, 80);
    }
}
