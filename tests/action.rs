//! `action.yml`, the composite GitHub Action (docs/ci.md), run the way a
//! runner runs it: its `run:` steps in order with `bash`, the `${{ }}`
//! expressions replaced by the inputs, the step conditions applied (a
//! failed step skips the next ones unless they say `always()`), and the
//! GITHUB_* files of a runner. `cargo` is a stand-in that records how it was
//! called and puts the built `wfc` on the PATH, so the install step's choice
//! of source is checked without building anything.
//!
//! The file is read with a reader for the YAML subset it uses (block
//! mappings and lists, plain and double-quoted scalars, `|` and `>-`
//! blocks); an expression the test does not know fails it, so a change to
//! the action's logic has to be looked at here.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, PartialEq)]
enum Yaml {
    Map(Vec<(String, Yaml)>),
    List(Vec<Yaml>),
    Str(String),
}

impl Yaml {
    fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Yaml::Str(s)) => Some(s),
            _ => None,
        }
    }
    fn map(&self) -> &[(String, Yaml)] {
        match self {
            Yaml::Map(m) => m,
            other => panic!("expected a mapping, found {other:?}"),
        }
    }
    fn list(&self) -> &[Yaml] {
        match self {
            Yaml::List(l) => l,
            other => panic!("expected a list, found {other:?}"),
        }
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn skip_blank(lines: &[String], i: &mut usize) {
    while *i < lines.len() {
        let t = lines[*i].trim();
        if t.is_empty() || t.starts_with('#') {
            *i += 1;
        } else {
            break;
        }
    }
}

/// The block (mapping or list) whose lines start at `indent`.
fn parse_block(lines: &mut Vec<String>, i: &mut usize, indent: usize) -> Yaml {
    skip_blank(lines, i);
    if *i < lines.len() && lines[*i][indent..].starts_with("- ") {
        let mut items = Vec::new();
        loop {
            skip_blank(lines, i);
            if *i >= lines.len()
                || indent_of(&lines[*i]) != indent
                || !lines[*i][indent..].starts_with("- ")
            {
                break;
            }
            // `- key: value` is a mapping two columns further in.
            lines[*i].replace_range(indent..indent + 2, "  ");
            items.push(parse_block(lines, i, indent + 2));
        }
        return Yaml::List(items);
    }
    let mut entries = Vec::new();
    loop {
        skip_blank(lines, i);
        if *i >= lines.len() || indent_of(&lines[*i]) != indent {
            break;
        }
        let line = lines[*i].clone();
        let body = &line[indent..];
        assert!(!body.starts_with("- "), "a list item among keys: {line}");
        let (key, rest) = body
            .split_once(':')
            .unwrap_or_else(|| panic!("not `key: value`: {line}"));
        let rest = rest.trim();
        *i += 1;
        let value = match rest {
            "" => {
                skip_blank(lines, i);
                let inner = lines.get(*i).map_or(0, |l| indent_of(l));
                assert!(inner > indent, "`{key}:` has no value");
                parse_block(lines, i, inner)
            }
            "|" | ">-" => {
                let mut block = Vec::new();
                while *i < lines.len()
                    && (lines[*i].trim().is_empty() || indent_of(&lines[*i]) > indent)
                {
                    block.push(lines[*i].clone());
                    *i += 1;
                }
                while block.last().is_some_and(|l| l.trim().is_empty()) {
                    block.pop();
                }
                let strip = block
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| indent_of(l))
                    .min()
                    .unwrap_or(0);
                let block: Vec<&str> = block.iter().map(|l| l.get(strip..).unwrap_or("")).collect();
                Yaml::Str(if rest == "|" {
                    block.join("\n") + "\n"
                } else {
                    block.join(" ")
                })
            }
            _ => {
                assert!(
                    !rest.starts_with(['[', '{', '\'', '&', '*', '!']),
                    "YAML this reader does not know: {line}"
                );
                let plain = rest
                    .strip_prefix('"')
                    .and_then(|r| r.strip_suffix('"'))
                    .unwrap_or(rest);
                assert!(!plain.contains("\\"), "escapes are not read: {line}");
                Yaml::Str(plain.to_string())
            }
        };
        entries.push((key.trim().to_string(), value));
    }
    Yaml::Map(entries)
}

fn action() -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    let text = fs::read_to_string(&path).expect("read action.yml");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut i = 0;
    let y = parse_block(&mut lines, &mut i, 0);
    skip_blank(&lines, &mut i);
    assert_eq!(i, lines.len(), "unread line {}: {:?}", i + 1, lines.get(i));
    y
}

/// The inputs with their defaults, overridden by `with`.
fn inputs(action: &Yaml, with: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, spec) in action.get("inputs").expect("inputs").map() {
        out.insert(
            name.clone(),
            spec.str("default")
                .expect("every input has a default")
                .to_string(),
        );
    }
    for (k, v) in with {
        assert!(out.contains_key(*k), "no input {k}");
        out.insert(k.to_string(), v.to_string());
    }
    out
}

/// The value of one `${{ }}` expression: only the forms action.yml uses.
fn expr(e: &str, inputs: &BTreeMap<String, String>, ctx: &Ctx) -> String {
    let e = e.trim();
    if let Some(name) = e.strip_prefix("inputs.") {
        if let Some((name, value)) = name.split_once(" == ") {
            let value = value.trim_matches('\'');
            return (inputs[name.trim()] == value).to_string();
        }
        return inputs
            .get(name)
            .unwrap_or_else(|| panic!("undeclared input {name}"))
            .clone();
    }
    if let Some(rest) = e.strip_prefix("always() && ") {
        return expr(rest, inputs, ctx);
    }
    match e {
        "github.action_path" => ctx.action_path.display().to_string(),
        "github.server_url" => "https://github.example".to_string(),
        "github.action_repository || github.repository" => "acme/wfc".to_string(),
        "steps.sarif.outputs.file" => ctx.sarif_output.clone().unwrap_or_default(),
        other => panic!("an expression this test does not know: ${{{{ {other} }}}}"),
    }
}

fn substitute(text: &str, inputs: &BTreeMap<String, String>, ctx: &Ctx) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("}}").expect("unclosed ${{") + at;
        out.push_str(&expr(&rest[at + 3..end], inputs, ctx));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

struct Ctx {
    action_path: PathBuf,
    sarif_output: Option<String>,
}

/// What one run of the action did.
#[derive(Debug, Default)]
struct Run {
    /// (step name, exit code, or None when skipped), in order.
    steps: Vec<(String, Option<i32>)>,
    stdout: BTreeMap<String, String>,
    /// The `uses:` steps reached: (step, `with` after substitution).
    uses: Vec<(String, Vec<(String, String)>)>,
    cargo_calls: String,
    outputs: BTreeMap<String, String>,
}

/// Run the action's steps in `workspace` with `with` as the inputs.
fn run_action(workspace: &Path, with: &[(&str, &str)]) -> Run {
    let action = action();
    let inputs = inputs(&action, with);
    let runner = tempfile::tempdir().expect("tempdir");
    let bin = runner.path().join("bin");
    fs::create_dir_all(&bin).expect("mkdir");
    // `cargo install ...`: record the arguments, and "install" the wfc
    // that cargo test built.
    let calls = runner.path().join("cargo-calls");
    let cargo = format!(
        "#!/bin/sh\necho \"$@\" >> '{}'\nln -sf '{}' '{}/wfc'\n",
        calls.display(),
        env!("CARGO_BIN_EXE_wfc"),
        bin.display()
    );
    fs::write(bin.join("cargo"), cargo).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(bin.join("cargo"), fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let github_output = runner.path().join("output");
    fs::write(&github_output, "").expect("write");
    let mut ctx = Ctx {
        action_path: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        sarif_output: None,
    };
    let runs = action.get("runs").expect("runs");
    assert_eq!(runs.str("using"), Some("composite"));
    let mut run = Run::default();
    let mut failed = false;
    for step in runs.get("steps").expect("steps").list() {
        let name = step.str("name").expect("every step is named").to_string();
        let go = match step.str("if") {
            None => !failed,
            Some(cond) => {
                let always = cond.contains("always()");
                (always || !failed) && substitute(cond, &inputs, &ctx) == "true"
            }
        };
        if !go {
            run.steps.push((name, None));
            continue;
        }
        if let Some(uses) = step.str("uses") {
            let with = step
                .get("with")
                .map(|w| {
                    w.map()
                        .iter()
                        .map(|(k, v)| match v {
                            Yaml::Str(s) => (k.clone(), substitute(s, &inputs, &ctx)),
                            other => panic!("with.{k}: {other:?}"),
                        })
                        .collect()
                })
                .unwrap_or_default();
            run.uses.push((uses.to_string(), with));
            run.steps.push((name, Some(0)));
            continue;
        }
        assert_eq!(
            step.str("shell"),
            Some("bash"),
            "{name}: composite steps need a shell"
        );
        let script = substitute(step.str("run").expect("run"), &inputs, &ctx);
        let mut cmd = Command::new("bash");
        // What a runner runs for `shell: bash`.
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
            .arg(&script)
            .current_dir(workspace)
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("GITHUB_OUTPUT", &github_output)
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_ACTIONS", "true")
            .env("NO_COLOR", "1");
        if let Some(env) = step.get("env") {
            for (k, v) in env.map() {
                let Yaml::Str(v) = v else {
                    panic!("env.{k}: {v:?}")
                };
                cmd.env(k, substitute(v, &inputs, &ctx));
            }
        }
        let out = cmd.output().expect("run bash");
        let code = out.status.code().expect("exit code");
        run.stdout.insert(
            name.clone(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        );
        failed |= code != 0;
        run.steps.push((name, Some(code)));
        // `id:` steps publish what they wrote to GITHUB_OUTPUT.
        let written = fs::read_to_string(&github_output).unwrap_or_default();
        for line in written.lines() {
            if let Some((k, v)) = line.split_once('=') {
                run.outputs.insert(k.to_string(), v.to_string());
            }
        }
        if step.str("id") == Some("sarif") {
            ctx.sarif_output = run.outputs.get("file").cloned();
        }
    }
    run.cargo_calls = fs::read_to_string(&calls).unwrap_or_default();
    // The action's own output, as the caller would read it.
    let declared = action.get("outputs").expect("outputs");
    for (name, spec) in declared.map() {
        let v = substitute(spec.str("value").expect("value"), &inputs, &ctx);
        run.outputs.insert(format!("output:{name}"), v);
    }
    run
}

fn project(broken: bool) -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    fs::write(
        t.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\n",
    )
    .expect("write");
    let step = if broken {
        "set firstnam = \"x\""
    } else {
        "delay 1d"
    };
    fs::write(
        t.path().join("a.wf"),
        format!("workflow \"A\" for contact {{\n  {step}\n}}\n"),
    )
    .expect("write");
    t
}

fn step(run: &Run, name: &str) -> Option<i32> {
    run.steps
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no step {name} in {:?}", run.steps))
        .1
}

#[test]
fn every_input_is_declared_used_and_documented() {
    let text =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).expect("read");
    let docs = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci.md"))
        .expect("read docs/ci.md");
    let action = action();
    let names: Vec<&String> = action
        .get("inputs")
        .expect("inputs")
        .map()
        .iter()
        .map(|(k, _)| k)
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        assert!(
            text.contains(&format!("inputs.{name}")),
            "input {name} is never used"
        );
        assert!(
            docs.contains(&format!("| `{name}` |")),
            "input {name} is not in docs/ci.md's table"
        );
    }
}

#[test]
fn clean_project_all_steps_pass_and_sarif_is_written() {
    let ws = project(false);
    let run = run_action(
        ws.path(),
        &[("sarif", "true"), ("fmt-check", "true"), ("paths", ".")],
    );
    assert_eq!(
        run.steps.iter().map(|(_, c)| *c).collect::<Vec<_>>(),
        [Some(0); 5],
        "{run:#?}"
    );
    assert_eq!(
        run.stdout["wfc check"], "",
        "no annotation for a clean project"
    );
    assert!(
        run.stdout["Install wfc"].starts_with("wfc "),
        "the install step runs `wfc --version`: {:?}",
        run.stdout["Install wfc"]
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(ws.path().join("wfc.sarif")).expect("sarif"))
            .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(run.outputs["output:sarif-file"], "wfc.sarif");
    assert_eq!(
        run.uses,
        [(
            "github/codeql-action/upload-sarif@v3".to_string(),
            vec![
                ("sarif_file".to_string(), "wfc.sarif".to_string()),
                ("category".to_string(), "wfc".to_string())
            ]
        )]
    );
}

#[test]
fn a_problem_fails_the_check_annotates_and_still_uploads_sarif() {
    let ws = project(true);
    let run = run_action(
        ws.path(),
        &[
            ("sarif", "true"),
            ("fmt-check", "true"),
            ("sarif-file", "out.sarif"),
        ],
    );
    assert_eq!(step(&run, "Install wfc"), Some(0));
    assert_eq!(step(&run, "wfc check"), Some(1), "{run:#?}");
    let annotations = &run.stdout["wfc check"];
    assert!(
        annotations
            .starts_with("::error file=a.wf,line=2,col=7,endLine=2,endColumn=15,title=WF101::"),
        "{annotations}"
    );
    assert_eq!(
        step(&run, "wfc fmt --check"),
        None,
        "skipped after a failure"
    );
    assert_eq!(
        step(&run, "Write SARIF"),
        Some(0),
        "exit 1 of the check is not a failure here"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(ws.path().join("out.sarif")).expect("sarif"))
            .expect("SARIF is JSON");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "WF101");
    assert_eq!(run.outputs["output:sarif-file"], "out.sarif");
    assert_eq!(run.uses.len(), 1, "upload runs after a failure (always())");

    // Without `sarif`, neither SARIF step runs.
    let run = run_action(ws.path(), &[]);
    assert_eq!(step(&run, "Write SARIF"), None);
    assert_eq!(step(&run, "Upload SARIF"), None);
    assert!(run.uses.is_empty());
}

#[test]
fn install_step_builds_from_the_source_the_version_names() {
    let ws = project(false);
    let root = env!("CARGO_MANIFEST_DIR");
    let cases = [
        (
            "action",
            format!("install --locked --path {root} --bin wfc\n"),
        ),
        ("path", "install --locked --path . --bin wfc\n".to_string()),
        (
            "v1.2.0",
            "install --locked --git https://github.example/acme/wfc --rev v1.2.0 --bin wfc wfc\n"
                .to_string(),
        ),
    ];
    for (version, expected) in cases {
        let run = run_action(ws.path(), &[("version", version)]);
        assert_eq!(run.cargo_calls, expected, "version {version}");
        assert_eq!(step(&run, "Install wfc"), Some(0));
    }
}
