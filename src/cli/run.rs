//! `wfc run`: command-line front end of the interpreter runtime.
//!
//! `wfc run [PATH...] --records FILE [--events FILE] [--start TIME]
//! [--until TIME] [--history FILE] [--state FILE]`
//!
//! Exit codes: 0 the run completed (errors inside the run are history
//! events); 1 the workflows do not compile or a plan file is invalid; 2 usage
//! and I/O problems (including events dated before the start).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::diagnostics::render::{self, HumanOptions};
use crate::driver::compile;
use crate::plan::Plan;
use crate::project::{self, Request};
use crate::runtime::{self, JsonLines, RunError, RunInput};
use crate::schema::{manifest, Environment};
use crate::source::SourceMap;

/// Arguments of `wfc run`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// `.wf` files, folders (every `.wf` below), `.json` plan files, or one
    /// bundle file (`wfc build --bundle`); none: the project around the
    /// current folder.
    pub paths: Vec<PathBuf>,
    /// Records, JSON Lines: {"id", "object", "properties", "associations"}.
    #[arg(long, value_name = "FILE")]
    pub records: PathBuf,
    /// Input events, JSON Lines, each with "at", "record" and "type".
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Start of virtual time, RFC 3339 (default: the earliest event, else 2026-01-01T00:00:00Z).
    #[arg(long, value_name = "TIME", value_parser = parse_time_arg)]
    pub start: Option<DateTime<Utc>>,
    /// End of the run, RFC 3339 (default: when no work is left, at most 400 days after the start).
    #[arg(long, value_name = "TIME", value_parser = parse_time_arg)]
    pub until: Option<DateTime<Utc>>,
    /// Write the history here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Write every record at the end here (JSON Lines, sorted by type then id).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

fn parse_time_arg(s: &str) -> Result<DateTime<Utc>, String> {
    runtime::model::parse_time(s)
        .ok_or_else(|| format!("`{s}` is not an RFC 3339 time (e.g. 2026-03-02T08:00:00Z)"))
}

/// A failure before or after the run, with its exit code.
struct Fail(i32, String);

fn usage(msg: impl Into<String>) -> Fail {
    Fail(2, msg.into())
}

/// Run `wfc run`; returns the process exit code.
pub fn run(args: Args) -> i32 {
    match execute(&args) {
        Ok(()) => 0,
        Err(Fail(code, msg)) => {
            if !msg.is_empty() {
                let _ = writeln!(std::io::stderr(), "error: {msg}");
            }
            code
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Fail> {
    std::fs::read(path).map_err(|e| usage(format!("cannot read {}: {e}", path.display())))
}

fn print_diagnostics(sources: &SourceMap, diags: &[crate::diagnostics::Diagnostic]) {
    let text = render::human(sources, diags, HumanOptions::plain());
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Plans from the paths, in run order (files by path, then position), and
/// the environment (from the nearest `wf.toml`, else the standard one).
/// `.json` paths are plan files; everything else (`.wf` files, folders, no
/// path at all) goes through the compiler as for `wfc check`.
fn load_plans(paths: &[PathBuf]) -> Result<(Vec<Plan>, Environment), Fail> {
    if let Some(found) = load_bundle(paths)? {
        return Ok(found);
    }
    let cwd = std::env::current_dir()
        .map_err(|e| usage(format!("cannot read the current folder: {e}")))?;
    let (json_files, sources): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .iter()
        .cloned()
        .partition(|p| p.extension().is_some_and(|e| e == "json") && !p.is_dir());

    let mut plans: Vec<(String, usize, Plan)> = Vec::new();
    let env = if sources.is_empty() && !json_files.is_empty() {
        // Plan files only: the environment of the nearest manifest.
        one_environment(
            json_files
                .iter()
                .map(|f| {
                    let f = cwd.join(f);
                    project::discover(f.parent().unwrap_or(&cwd))
                })
                .collect(),
            &cwd,
        )?;
        let first = json_files
            .first()
            .map(|f| cwd.join(f))
            .unwrap_or_else(|| cwd.clone());
        let start = first
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.clone());
        match project::discover(&start) {
            None => Environment::standard(),
            Some(m) => {
                let text = String::from_utf8(read(&m)?)
                    .map_err(|_| Fail(1, format!("{}: not valid UTF-8", m.display())))?;
                let mut map = SourceMap::new();
                let id = map.add(project::display_name(&m, &cwd), text);
                manifest::load(&map, id).map_err(|diags| {
                    print_diagnostics(&map, &diags);
                    Fail(1, String::new())
                })?
            }
        }
    } else {
        let request = Request {
            paths: sources,
            stdin_filename: None,
        };
        let project = project::load(&request, &cwd, &mut std::io::empty())
            .map_err(|e| usage(e.to_string()))?;
        let mut manifests: Vec<Option<PathBuf>> = vec![project.manifest_path.clone()];
        manifests.extend(
            project
                .files
                .iter()
                .map(|f| project::discover(f.parent().unwrap_or(&cwd))),
        );
        manifests.extend(json_files.iter().map(|f| {
            let f = cwd.join(f);
            project::discover(f.parent().unwrap_or(&cwd))
        }));
        one_environment(manifests, &cwd)?;
        let compilation = compile(project.inputs, project.manifest);
        if compilation.has_errors() {
            print_diagnostics(&compilation.sources, &compilation.diagnostics);
            return Err(Fail(1, String::new()));
        }
        let mut position: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for plan in compilation.plans {
            let file = plan.source.file.clone();
            let n = position.entry(file.clone()).or_insert(0);
            plans.push((file, *n, plan));
            *n += 1;
        }
        compilation.env
    };
    for f in &json_files {
        let bytes = read(f)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Fail(1, format!("invalid plan file {}: {e}", f.display())))?;
        let list = match value {
            serde_json::Value::Array(items) => items,
            one => vec![one],
        };
        for (i, v) in list.into_iter().enumerate() {
            let plan: Plan = serde_json::from_value(v)
                .map_err(|e| Fail(1, format!("invalid plan file {}: {e}", f.display())))?;
            plans.push((project::display_name(&cwd.join(f), &cwd), i, plan));
        }
    }
    plans.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    Ok((plans.into_iter().map(|(_, _, p)| p).collect(), env))
}

/// A bundle file among the paths (`wfc build --bundle`): its plans, in
/// bundle order, and its environment. A bundle is a whole project, so it
/// must be the only path.
fn load_bundle(paths: &[PathBuf]) -> Result<Option<(Vec<Plan>, Environment)>, Fail> {
    for f in paths {
        if !(f.extension().is_some_and(|e| e == "json") && f.is_file()) {
            continue;
        }
        // A file that is no JSON is reported by the plan-file reader.
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&read(f)?) else {
            continue;
        };
        if !crate::bundle::is_bundle(&value) {
            continue;
        }
        if paths.len() > 1 {
            return Err(usage(format!(
                "{} is a bundle, a whole project with its environment: give it as the only path",
                f.display()
            )));
        }
        let d = crate::bundle::decode_deployment(&value)
            .map_err(|e| Fail(1, format!("{}: {e}", f.display())))?;
        return Ok(Some((d.plans, d.environment)));
    }
    Ok(None)
}

/// One run has one environment: every path must belong to the same
/// project (the same `wf.toml`, or none).
fn one_environment(mut manifests: Vec<Option<PathBuf>>, cwd: &Path) -> Result<(), Fail> {
    let mut seen = Vec::new();
    manifests.retain(|m| {
        let new = !seen.contains(m);
        if new {
            seen.push(m.clone());
        }
        new
    });
    if manifests.len() < 2 {
        return Ok(());
    }
    let names: Vec<String> = manifests
        .iter()
        .map(|m| match m {
            Some(m) => format!("`{}`", project::display_name(m, cwd)),
            None => "a folder without `wf.toml`".to_string(),
        })
        .collect();
    Err(usage(format!(
        "the paths span several projects ({}), but one run has one environment: run each project on its own",
        names.join(", ")
    )))
}

fn is_broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

fn execute(args: &Args) -> Result<(), Fail> {
    let (plans, env) = load_plans(&args.paths)?;
    let programs = runtime::load(plans).map_err(|e| Fail(1, format!("invalid plan: {e}")))?;

    let records_text = String::from_utf8(read(&args.records)?)
        .map_err(|_| usage(format!("{}: not valid UTF-8", args.records.display())))?;
    let records = runtime::parse_records_in(&records_text, Some(&env.schema))
        .map_err(|e| usage(format!("{}: {e}", args.records.display())))?;
    let events = match &args.events {
        None => Vec::new(),
        Some(p) => {
            let text = String::from_utf8(read(p)?)
                .map_err(|_| usage(format!("{}: not valid UTF-8", p.display())))?;
            runtime::parse_events(&text).map_err(|e| usage(format!("{}: {e}", p.display())))?
        }
    };

    let input = RunInput {
        records,
        events,
        start: args.start,
        until: args.until,
    };
    // Everything that can be known before the run is checked before the
    // history file is created: a refused run writes nothing.
    runtime::validate(&programs, &env, &input).map_err(|e| usage(e.to_string()))?;

    let out: Box<dyn Write> = match &args.history {
        Some(p) => Box::new(
            std::fs::File::create(p)
                .map_err(|e| usage(format!("cannot write {}: {e}", p.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = JsonLines::new(std::io::BufWriter::new(out));
    let result = runtime::run(&programs, &env, input, &mut sink);
    let flushed = sink.0.flush();
    let records = match result {
        Ok(records) => records,
        Err(RunError::Io(e)) if is_broken_pipe(&e) => return Ok(()),
        Err(e) => return Err(usage(e.to_string())),
    };
    match flushed {
        Err(e) if is_broken_pipe(&e) => return Ok(()),
        Err(e) => return Err(usage(format!("cannot write the history: {e}"))),
        Ok(()) => {}
    }
    if let Some(p) = &args.state {
        let file = std::fs::File::create(p)
            .map_err(|e| usage(format!("cannot write {}: {e}", p.display())))?;
        let mut w = std::io::BufWriter::new(file);
        runtime::write_state(&records, &mut w)
            .and_then(|()| w.flush())
            .map_err(|e| usage(format!("cannot write {}: {e}", p.display())))?;
    }
    Ok(())
}
