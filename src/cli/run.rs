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

use crate::driver::{compile, SourceInput};
use crate::plan::Plan;
use crate::runtime::{self, JsonLines, RunError, RunInput};
use crate::schema::{manifest, Environment};
use crate::source::SourceMap;

/// Arguments of `wfc run`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// `.wf` files, folders (every `.wf` below) or `.json` plan files;
    /// none: the project around the current folder.
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

/// Every `.wf` file below `dir`, sorted.
fn wf_files_below(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Fail> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| usage(format!("cannot read folder {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            wf_files_below(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "wf") {
            out.push(p);
        }
    }
    Ok(())
}

/// The nearest `wf.toml` in `start` or its parents.
fn find_manifest(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join("wf.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

fn read(path: &Path) -> Result<Vec<u8>, Fail> {
    std::fs::read(path).map_err(|e| usage(format!("cannot read {}: {e}", path.display())))
}

fn print_diagnostics(sources: &SourceMap, diags: &[crate::diagnostics::Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let span = d.primary.span;
        let lc = sources.line_col(span.file, span.start as usize);
        let _ = writeln!(
            err,
            "{}[{}]: {}\n  --> {}:{}:{}",
            d.severity.as_str(),
            d.code.as_str(),
            d.message,
            sources.name(span.file),
            lc.line,
            lc.column
        );
        if let Some(h) = &d.help {
            let _ = writeln!(err, "  = help: {h}");
        }
    }
}

/// Plans from the paths, in run order (files by path, then position), and
/// the environment (from the nearest `wf.toml`, else the standard one).
fn load_plans(paths: &[PathBuf]) -> Result<(Vec<Plan>, Environment), Fail> {
    let mut wf_files = Vec::new();
    let mut json_files = Vec::new();
    let cwd = PathBuf::from(".");
    let roots: Vec<PathBuf> = if paths.is_empty() {
        // The project around the current folder.
        let root = find_manifest(&cwd)
            .and_then(|m| m.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| cwd.clone());
        vec![root]
    } else {
        paths.to_vec()
    };
    for p in &roots {
        if p.is_dir() {
            wf_files_below(p, &mut wf_files)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            json_files.push(p.clone());
        } else if p.extension().is_some_and(|e| e == "wf") {
            if !p.is_file() {
                return Err(usage(format!("no such file: {}", p.display())));
            }
            wf_files.push(p.clone());
        } else if !p.exists() {
            return Err(usage(format!("no such file or folder: {}", p.display())));
        } else {
            return Err(usage(format!(
                "{}: expected a .wf file, a folder or a .json plan file",
                p.display()
            )));
        }
    }
    let manifest_path = roots.first().and_then(|p| find_manifest(p));

    let mut plans: Vec<(String, usize, Plan)> = Vec::new();
    let env = if wf_files.is_empty() {
        match &manifest_path {
            None => Environment::standard(),
            Some(m) => {
                let text = String::from_utf8(read(m)?)
                    .map_err(|_| Fail(1, format!("{}: not valid UTF-8", m.display())))?;
                let mut sources = SourceMap::new();
                let id = sources.add(m.display().to_string(), text);
                manifest::load(&sources, id).map_err(|diags| {
                    print_diagnostics(&sources, &diags);
                    Fail(1, String::new())
                })?
            }
        }
    } else {
        let mut inputs = Vec::with_capacity(wf_files.len());
        for f in &wf_files {
            inputs.push(SourceInput::new(f.display().to_string(), read(f)?));
        }
        let manifest_input = match &manifest_path {
            Some(m) => Some(SourceInput::new(m.display().to_string(), read(m)?)),
            None => None,
        };
        let compilation = compile(inputs, manifest_input);
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
            plans.push((f.display().to_string(), i, plan));
        }
    }
    plans.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    Ok((plans.into_iter().map(|(_, _, p)| p).collect(), env))
}

fn is_broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

fn execute(args: &Args) -> Result<(), Fail> {
    let (plans, env) = load_plans(&args.paths)?;
    let programs = runtime::load(plans).map_err(|e| Fail(1, format!("invalid plan: {e}")))?;

    let records_text = String::from_utf8(read(&args.records)?)
        .map_err(|_| usage(format!("{}: not valid UTF-8", args.records.display())))?;
    let records = runtime::parse_records(&records_text)
        .map_err(|e| usage(format!("{}: {e}", args.records.display())))?;
    let events = match &args.events {
        None => Vec::new(),
        Some(p) => {
            let text = String::from_utf8(read(p)?)
                .map_err(|_| usage(format!("{}: not valid UTF-8", p.display())))?;
            runtime::parse_events(&text).map_err(|e| usage(format!("{}: {e}", p.display())))?
        }
    };

    let out: Box<dyn Write> = match &args.history {
        Some(p) => Box::new(
            std::fs::File::create(p)
                .map_err(|e| usage(format!("cannot write {}: {e}", p.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = JsonLines(std::io::BufWriter::new(out));
    let input = RunInput {
        records,
        events,
        start: args.start,
        until: args.until,
    };
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
