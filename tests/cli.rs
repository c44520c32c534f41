//! End-to-end tests of the `wfc` binary: exit codes, every `--format`,
//! stdin, projects, `build -o`, `explain`, and closed pipes.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use wfc::diagnostics::Code;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn wfc(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wfc"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn wfc");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // A command that refuses its arguments exits without reading its
        // input: the pipe is then closed, which is not the test's failure.
        if let Err(e) = pipe.write_all(bytes) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    let out = child.wait_with_output().expect("wait wfc");
    let o = Out {
        code: out
            .status
            .code()
            .expect("exit code (not killed by a signal)"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    assert!(!o.stderr.contains("panicked"), "wfc panicked: {}", o.stderr);
    o
}

const VALID: &str = "workflow \"Welcome\" for contact {\n  enroll when lifecyclestage is \"lead\"\n  delay 1d\n  send email \"Welcome #1\"\n}\n";

/// Not UTF-8: WF002 at the bad byte (line 2, column 10: after `  delay é`).
const NOT_UTF8: &[u8] = b"workflow \"A\" for contact {\n  delay \xc3\xa9\xff\n}\n";

fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in files {
        let p = t.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, bytes).expect("write");
    }
    t
}

#[test]
fn exit_0_for_a_clean_file_and_1_for_errors() {
    let t = dir_with(&[("ok.wf", VALID.as_bytes()), ("bad.wf", NOT_UTF8)]);
    let ok = wfc(t.path(), &["check", "ok.wf"], None);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stderr.contains("no problems"), "{}", ok.stderr);
    assert_eq!(ok.stdout, "");

    let bad = wfc(t.path(), &["check", "ok.wf", "bad.wf"], None);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(bad.stderr.contains("WF002"), "{}", bad.stderr);
    assert!(bad.stderr.contains("[bad.wf:2:10]"), "{}", bad.stderr);
    assert!(
        bad.stderr.trim_end().ends_with("error: 1 error"),
        "{}",
        bad.stderr
    );
    // piped stderr: no colour
    assert!(!bad.stderr.contains('\u{1b}'), "{:?}", bad.stderr);
}

#[test]
fn exit_2_for_usage_and_io_problems() {
    let t = dir_with(&[("ok.wf", VALID.as_bytes())]);
    for args in [
        &["check", "missing.wf"][..],
        &["check", "ok.wf", "missing-folder/"],
        &["build", "missing.wf"],
        &["check", "--format", "xml", "ok.wf"],
        &["check", "--no-such-flag"],
        &["check", "ok.wf", "--stdin-filename", "x.wf"],
        &["frobnicate"],
        &[],
    ] {
        let o = wfc(t.path(), args, None);
        assert_eq!(o.code, 2, "wfc {args:?}: {}", o.stderr);
        assert!(!o.stderr.is_empty(), "wfc {args:?} says why");
    }
    let o = wfc(t.path(), &["check", "missing.wf"], None);
    assert!(
        o.stderr
            .contains("cannot read `missing.wf`: no such file or folder"),
        "{}",
        o.stderr
    );

    // A folder without any .wf file (and no project around it).
    let empty = tempfile::tempdir().expect("tempdir");
    let o = wfc(empty.path(), &["check"], None);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("no `.wf` files"), "{}", o.stderr);
}

#[test]
fn format_json_is_one_array_with_every_field() {
    let t = dir_with(&[("ok.wf", VALID.as_bytes()), ("bad.wf", NOT_UTF8)]);
    let o = wfc(t.path(), &["check", "--format", "json", "."], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("stdout is JSON");
    let items = v.as_array().expect("one array");
    assert_eq!(items.len(), 1, "{v:#}");
    let d = &items[0];
    let keys: Vec<&str> = d
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "code",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "help"
        ]
    );
    assert_eq!(d["code"], "WF002");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "bad.wf");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(10))
    );
    assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(d["help"].is_string() || d["help"].is_null());

    // Clean: an empty array, exit 0.
    let o = wfc(t.path(), &["check", "--format", "json", "ok.wf"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        serde_json::from_str::<Value>(&o.stdout).expect("JSON"),
        Value::Array(vec![])
    );
}

#[test]
fn format_sarif_is_a_2_1_0_log() {
    let t = dir_with(&[("dir x/bad.wf", NOT_UTF8)]);
    let o = wfc(t.path(), &["check", "--format", "sarif", "dir x"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "wfc");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "WF002");
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["shortDescription"]["text"],
        Code::WF002.summary()
    );
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "WF002");
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "dir%20x/bad.wf");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 10);
}

#[test]
fn format_github_is_workflow_commands() {
    let t = dir_with(&[("bad.wf", NOT_UTF8)]);
    let o = wfc(t.path(), &["check", "--format", "github", "bad.wf"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", o.stdout);
    assert!(
        lines[0]
            .starts_with("::error file=bad.wf,line=2,col=10,endLine=2,endColumn=10,title=WF002::"),
        "{}",
        lines[0]
    );
}

#[test]
fn stdin_with_a_file_name() {
    let t = dir_with(&[]);
    let o = wfc(
        t.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "flows/buffer.wf",
            "--format",
            "json",
        ],
        Some(NOT_UTF8),
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(v[0]["file"], "flows/buffer.wf");

    // Without a name: <stdin>; a clean text exits 0.
    let o = wfc(
        t.path(),
        &["check", "-", "--format", "json"],
        Some(NOT_UTF8),
    );
    let v: Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(v[0]["file"], "<stdin>");
    let o = wfc(t.path(), &["check", "-"], Some(VALID.as_bytes()));
    assert_eq!(o.code, 0, "{}", o.stderr);
    // build from stdin: the plan's source location carries the given name
    let o = wfc(
        t.path(),
        &["build", "-", "--stdin-filename", "flows/buffer.wf"],
        Some(VALID.as_bytes()),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(v["source"]["file"], "flows/buffer.wf");
}

#[test]
fn no_path_checks_the_project_around_the_current_folder() {
    let t = dir_with(&[
        ("proj/wf.toml", b"[account]\nmarketing = \"professional\"\n"),
        ("proj/flows/bad.wf", NOT_UTF8),
        ("proj/flows/ok.wf", VALID.as_bytes()),
        ("proj/sub/deeper/also_bad.wf", NOT_UTF8),
        ("outside.wf", NOT_UTF8),
    ]);
    let o = wfc(
        &t.path().join("proj/sub"),
        &["check", "--format", "json"],
        None,
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("JSON");
    let files: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(files, ["../flows/bad.wf", "deeper/also_bad.wf"]);
}

/// A folder holding several projects: each `.wf` file is checked against the
/// `wf.toml` nearest to it, and the report covers all of them in file order.
#[test]
fn each_file_uses_its_nearest_manifest() {
    // `sales/` is a starter-tier account: `webhook` needs enterprise (WF301).
    // The same file at the top has no manifest: every hub at enterprise.
    let webhook = "workflow \"Hook\" for contact {\n  webhook post \"https://example.com/h\"\n}\n";
    let unknown = "workflow \"Other\" for contact {\n  set favourite_sport = \"golf\"\n}\n";
    let t = dir_with(&[
        ("flows/a.wf", webhook.as_bytes()),
        ("flows/sales/wf.toml", b"[account]\nmarketing = \"professional\"\n[properties.contact]\nfavourite_sport = { type = \"enum\", options = [\"golf\"] }\n"),
        ("flows/sales/b.wf", webhook.replace("Hook", "Hook 2").as_bytes()),
        ("flows/sales/c.wf", unknown.as_bytes()),
        ("flows/z.wf", unknown.replace("Other", "Other 2").as_bytes()),
    ]);
    let o = wfc(t.path(), &["check", "flows", "--format", "json"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("json");
    let got: Vec<(String, String)> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [("flows/sales/b.wf", "WF301"), ("flows/z.wf", "WF101")];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);

    // The same workflow name in two projects is not a duplicate.
    let t = dir_with(&[
        ("one/wf.toml", b"[account]\nmarketing = \"professional\"\n"),
        ("one/a.wf", VALID.as_bytes()),
        ("two/wf.toml", b"[account]\nmarketing = \"enterprise\"\n"),
        ("two/a.wf", VALID.as_bytes()),
    ]);
    let o = wfc(t.path(), &["check", "."], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("2 files (2 workflows)"), "{}", o.stderr);
    let o = wfc(t.path(), &["build", ".", "-o", "plans"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(t.path().join("plans/welcome.json").is_file());
    assert!(t.path().join("plans/welcome-2.json").is_file());
}

#[test]
fn build_with_errors_writes_nothing() {
    let t = dir_with(&[("ok.wf", VALID.as_bytes()), ("bad.wf", NOT_UTF8)]);
    let o = wfc(t.path(), &["build", ".", "-o", "plans"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(!t.path().join("plans").exists(), "no output folder");
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("WF002"), "{}", o.stderr);

    // Machine formats of build go to stderr: stdout is for plans.
    let o = wfc(t.path(), &["build", "bad.wf", "--format", "json"], None);
    assert_eq!(o.code, 1);
    assert_eq!(o.stdout, "");
    let v: Value = serde_json::from_str(&o.stderr).expect("diagnostics JSON on stderr");
    assert_eq!(v[0]["code"], "WF002");
}

#[test]
fn build_prints_json_on_stdout() {
    let two = format!("{VALID}\nworkflow \"Deal: won!\" for deal {{\n  delay 2h\n}}\n");
    let t = dir_with(&[("ok.wf", VALID.as_bytes()), ("two.wf", two.as_bytes())]);
    // One workflow: the plan as one object.
    let o = wfc(t.path(), &["build", "ok.wf"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stderr, "");
    let v: Value = serde_json::from_str(&o.stdout).expect("plans are JSON");
    assert_eq!(v["format"], "wfplan/1");
    assert_eq!(v["name"], "Welcome");
    assert_eq!(v["object"], "contact");
    // Several: an array, in source order.
    let o = wfc(t.path(), &["build", "two.wf"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("plans are JSON");
    let names: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["Welcome", "Deal: won!"]);
}

#[test]
fn build_out_dir_writes_one_file_per_workflow() {
    let two = "workflow \"Deal: won!\" for deal {\n  delay 2h\n}\nworkflow \"Zoë's tickets\" for ticket {\n  delay 1d\n}\n";
    let t = dir_with(&[
        ("ok.wf", VALID.as_bytes()),
        ("flows/two.wf", two.as_bytes()),
    ]);
    let o = wfc(
        t.path(),
        &["build", "ok.wf", "flows", "-o", "out/plans"],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "", "plans go to files, not stdout");
    assert!(o.stderr.contains("wrote 3 plans"), "{}", o.stderr);
    let dir = t.path().join("out/plans");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["deal-won.json", "welcome.json", "zoë-s-tickets.json"]
    );
    let text = std::fs::read_to_string(dir.join("deal-won.json")).expect("plan");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(v["name"], "Deal: won!");
    assert_eq!(v["object"], "deal");
}

#[test]
fn syntax_errors_exit_1_with_the_right_line() {
    let src = "workflow \"A\" for contact {\n  delay 1d\n  sned email \"X\"\n}\n\nworkflow \"B\" for deal {\n  dealy 2d\n}\n";
    let t = dir_with(&[("bad.wf", src.as_bytes())]);
    let o = wfc(t.path(), &["check", "bad.wf", "--format", "json"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("JSON");
    let at: Vec<(&str, u64, u64)> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or(""),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(at, [("WF001", 3, 3), ("WF001", 7, 3)], "{v:#}");

    let o = wfc(t.path(), &["build", "bad.wf", "-o", "out"], None);
    assert_eq!(o.code, 1);
    assert!(!t.path().join("out").exists());
}

#[test]
fn explain_every_code() {
    let t = dir_with(&[]);
    for code in Code::ALL {
        let o = wfc(t.path(), &["explain", code.as_str()], None);
        assert_eq!(o.code, 0, "{code}: {}", o.stderr);
        assert_eq!(o.stdout.trim_end(), code.explanation().trim_end());
        assert!(o.stdout.starts_with(&format!("# {code}")), "{code}");
        for part in ["## Example", "## How to fix"] {
            assert!(o.stdout.contains(part), "{code} lacks {part}");
        }
        assert!(
            !o.stdout.contains("to be written"),
            "{code} is a placeholder"
        );
    }
    // case-insensitive, and the bare number
    for spelling in ["wf101", "Wf101", "101"] {
        let o = wfc(t.path(), &["explain", spelling], None);
        assert_eq!(o.code, 0, "{spelling}");
        assert!(o.stdout.starts_with("# WF101"), "{spelling}");
    }
    let o = wfc(t.path(), &["explain", "WF999"], None);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr.contains("unknown diagnostic code `WF999`"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("WF001") && o.stderr.contains("WF903"));
}

#[test]
fn version_and_help() {
    let t = dir_with(&[]);
    let o = wfc(t.path(), &["--version"], None);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stdout.trim(),
        format!("wfc {}", env!("CARGO_PKG_VERSION"))
    );
    let o = wfc(t.path(), &["--help"], None);
    assert_eq!(o.code, 0);
    for word in [
        "check",
        "build",
        "explain",
        "run",
        "fmt",
        "graph",
        "lsp",
        "Examples:",
    ] {
        assert!(o.stdout.contains(word), "--help mentions {word}");
    }
    let o = wfc(t.path(), &["check", "--help"], None);
    assert_eq!(o.code, 0);
    for word in ["--format", "--stdin-filename", "sarif", "github"] {
        assert!(o.stdout.contains(word), "check --help mentions {word}");
    }
    let o = wfc(t.path(), &["build", "--help"], None);
    assert!(o.stdout.contains("--out-dir"), "{}", o.stdout);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let t = dir_with(&[("bad.wf", NOT_UTF8)]);
    let o = wfc(t.path(), &["check", "bad.wf"], None);
    assert!(!o.stderr.contains('\u{1b}'));
    let o = wfc(t.path(), &["check", "bad.wf", "--color", "always"], None);
    assert!(o.stderr.contains('\u{1b}'), "{:?}", o.stderr);
}

/// A reader that goes away early (`wfc ... | head -c 100`) must not make wfc
/// panic; it exits as it would have.
#[test]
fn closed_stdout_is_not_a_crash() {
    // `wfc build examples/*.wf | head -c 100`: the plans are far more than a pipe holds.
    // The standalone examples (examples/project/ has its own wf.toml).
    let mut examples: Vec<_> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"))
            .expect("examples/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "wf"))
            .collect();
    examples.sort();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .arg("build")
        .args(&examples)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn closed_stdout_while_reporting_is_not_a_crash() {
    let files: Vec<(String, &[u8])> = (0..400)
        .map(|i| (format!("f{i:03}.wf"), NOT_UTF8))
        .collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let t = dir_with(&refs);
    let mut child = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--format", "json", "."])
        .current_dir(t.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
}

/// A project of three files: `a.wf` enrolls in a workflow of `b.wf`; `c.wf`
/// (the other sibling) has an error of its own.
fn project_with_siblings(c_text: &str) -> tempfile::TempDir {
    dir_with(&[
        ("proj/wf.toml", b"[account]\nmarketing = \"enterprise\"\n"),
        (
            "proj/a.wf",
            b"workflow \"A\" for contact {\n  enroll when lifecyclestage is \"lead\"\n  enroll in \"B\"\n}\n",
        ),
        (
            "proj/b.wf",
            b"workflow \"B\" for contact {\n  delay 1d\n}\n",
        ),
        ("proj/c.wf", c_text.as_bytes()),
    ])
}

#[test]
fn a_named_file_is_checked_in_its_project() {
    let clean_c = "workflow \"C\" for contact {\n  delay 2d\n}\n";
    let t = project_with_siblings(clean_c);
    let proj = t.path().join("proj");
    // `enroll in "B"` resolves in the sibling b.wf: no WF103.
    for cmd in ["check", "build"] {
        let o = wfc(&proj, &[cmd, "a.wf"], None);
        assert_eq!(o.code, 0, "{cmd}: {}", o.stderr);
        assert!(!o.stderr.contains("WF103"), "{cmd}: {}", o.stderr);
    }
    let o = wfc(&proj, &["check", "a.wf"], None);
    assert!(o.stderr.contains("1 file (1 workflow)"), "{}", o.stderr);
    // build prints the plans of the named file only.
    let o = wfc(&proj, &["build", "a.wf"], None);
    let plan: Value = serde_json::from_str(&o.stdout).expect("one plan");
    assert_eq!(plan["name"], "A");
    // From outside the project folder, too; and graph loads it the same way.
    let o = wfc(t.path(), &["check", "proj/a.wf"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = wfc(&proj, &["graph", "a.wf"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("A (contact)"), "{}", o.stdout);
    assert!(!o.stdout.contains("B (contact)"), "{}", o.stdout);
}

#[test]
fn a_sibling_is_context_only() {
    // c.wf has WF101: checking a.wf does not report it, checking c.wf does.
    let broken_c = "workflow \"C\" for contact {\n  set firstnme = \"x\"\n}\n";
    let t = project_with_siblings(broken_c);
    let proj = t.path().join("proj");
    let o = wfc(&proj, &["check", "a.wf", "--format", "json"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let diags: Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(diags, serde_json::json!([]));
    let o = wfc(&proj, &["check", "c.wf"], None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("WF101"), "{}", o.stderr);
    // Nothing can be built while a sibling is broken: say so, exit 1.
    let o = wfc(&proj, &["build", "a.wf"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.is_empty());
    assert!(
        o.stderr.contains("other files of the project have errors"),
        "{}",
        o.stderr
    );
    // A duplicate of a sibling's workflow name is reported on the named file.
    let dup = "workflow \"B\" for contact {\n  delay 3d\n}\n";
    std::fs::write(proj.join("a.wf"), dup).expect("write");
    let o = wfc(&proj, &["check", "a.wf"], None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("WF106"), "{}", o.stderr);
}

#[test]
fn stdin_named_inside_a_project_sees_its_siblings() {
    let t = project_with_siblings("workflow \"C\" for contact {\n  delay 2d\n}\n");
    let proj = t.path().join("proj");
    let edited = b"workflow \"A\" for contact {\n  enroll in \"B\"\n  enroll in \"C\"\n}\n";
    let o = wfc(
        &proj,
        &["check", "-", "--stdin-filename", "a.wf"],
        Some(edited),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("1 file (1 workflow)"), "{}", o.stderr);
}

#[test]
fn a_folder_without_wf_files_is_exit_2() {
    let t = dir_with(&[("empty/readme.txt", b"nothing here")]);
    for cmd in ["check", "build", "graph"] {
        let o = wfc(t.path(), &[cmd, "empty"], None);
        assert_eq!(o.code, 2, "{cmd}: {}", o.stderr);
        assert!(
            o.stderr.contains("no `.wf` files found"),
            "{cmd}: {}",
            o.stderr
        );
    }
}

#[test]
fn folder_walks_honour_gitignore_and_wfignore() {
    let broken = b"workflow \"X\" for contact {\n  delay\n}\n" as &[u8];
    let t = dir_with(&[
        (".gitignore", b"/generated/\n"),
        (".wfignore", b"fixtures/\n"),
        ("flows/ok.wf", FORMATTED.as_bytes()),
        ("generated/bad.wf", broken),
        ("tests/fixtures/bad.wf", broken),
        ("target/bad.wf", broken),
        (".hidden/bad.wf", broken),
    ]);
    let o = wfc(t.path(), &["check", "."], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("1 file (1 workflow)"), "{}", o.stderr);
    let o = wfc(t.path(), &["fmt", "--check", "."], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // What is named is read, ignore files or not.
    let o = wfc(t.path(), &["check", "tests/fixtures"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let o = wfc(t.path(), &["check", "generated/bad.wf"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
}

#[test]
fn the_repository_root_formats_clean() {
    // The fixtures under tests/ are broken on purpose; .wfignore leaves them
    // out of a whole-repository run, as a contributor would type it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = wfc(root, &["fmt", "--check", "."], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = wfc(root, &["check", "."], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

// ------------------------------------------------------------- wfc fmt

/// `VALID` with its layout spoiled.
const MESSY: &str = "workflow   \"Welcome\" for contact {\nenroll when lifecyclestage is \"lead\"\n      delay 1d\n  send email   \"Welcome #1\"\n}\n";

/// `VALID` and `MESSY` formatted: a blank line after the trigger.
const FORMATTED: &str = "workflow \"Welcome\" for contact {\n  enroll when lifecyclestage is \"lead\"\n\n  delay 1d\n  send email \"Welcome #1\"\n}\n";

/// A syntax error (WF001): `delay` without its duration, no closing brace.
const BROKEN: &str = "workflow \"A\" for contact {\n  delay\n";

#[test]
fn fmt_dash_reads_stdin_and_writes_stdout() {
    let t = dir_with(&[]);
    let o = wfc(t.path(), &["fmt", "-"], Some(MESSY.as_bytes()));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, FORMATTED);
    assert_eq!(o.stderr, "");
    // Formatted input comes back unchanged.
    let o = wfc(t.path(), &["fmt", "-"], Some(FORMATTED.as_bytes()));
    assert_eq!((o.code, o.stdout.as_str()), (0, FORMATTED), "{}", o.stderr);
    // --check writes no text: it names `<stdin>` and exits 1.
    let o = wfc(t.path(), &["fmt", "--check", "-"], Some(MESSY.as_bytes()));
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (1, "<stdin>\n"),
        "{}",
        o.stderr
    );
    let o = wfc(
        t.path(),
        &["fmt", "--check", "-"],
        Some(FORMATTED.as_bytes()),
    );
    assert_eq!((o.code, o.stdout.as_str()), (0, ""), "{}", o.stderr);
    // A syntax error: the text passes through unchanged, exit 1.
    let o = wfc(t.path(), &["fmt", "-"], Some(BROKEN.as_bytes()));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(o.stdout, BROKEN);
    assert!(o.stderr.contains("WF001"), "{}", o.stderr);
    // `-` is the only input or none.
    let o = wfc(t.path(), &["fmt", "-", "a.wf"], Some(MESSY.as_bytes()));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("cannot be combined"), "{}", o.stderr);
    assert_eq!(o.stdout, "");
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_untouched() {
    let t = dir_with(&[("bad.wf", BROKEN.as_bytes()), ("good.wf", MESSY.as_bytes())]);
    let o = wfc(t.path(), &["fmt", "bad.wf", "good.wf"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("WF001"), "{}", o.stderr);
    assert!(
        o.stderr.contains("bad.wf: syntax errors, left unchanged"),
        "{}",
        o.stderr
    );
    let read = |name: &str| std::fs::read_to_string(t.path().join(name)).expect("read back");
    assert_eq!(read("bad.wf"), BROKEN);
    // The other file of the same run is formatted all the same.
    assert_eq!(read("good.wf"), FORMATTED);
    // No temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bad.wf", "good.wf"]);
}

#[test]
fn fmt_without_a_path_formats_the_project_around_the_current_folder() {
    let t = dir_with(&[
        ("proj/wf.toml", b"[account]\nmarketing = \"enterprise\"\n"),
        ("proj/a.wf", MESSY.as_bytes()),
        ("proj/sub/b.wf", MESSY.as_bytes()),
        ("outside.wf", MESSY.as_bytes()),
    ]);
    let read = |name: &str| std::fs::read_to_string(t.path().join(name)).expect("read back");
    // From a folder inside the project: the whole project (the folder of
    // the nearest wf.toml), nothing outside it.
    let o = wfc(&t.path().join("proj/sub"), &["fmt", "--check"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let mut listed: Vec<&str> = o.stdout.lines().collect();
    listed.sort();
    assert_eq!(listed.len(), 2, "{}", o.stdout);
    assert!(listed.iter().any(|l| l.ends_with("a.wf")), "{}", o.stdout);
    assert!(listed.iter().any(|l| l.ends_with("b.wf")), "{}", o.stdout);
    let o = wfc(&t.path().join("proj/sub"), &["fmt"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(read("proj/a.wf"), FORMATTED);
    assert_eq!(read("proj/sub/b.wf"), FORMATTED);
    assert_eq!(read("outside.wf"), MESSY);
    // Without a manifest: the current folder.
    let o = wfc(t.path(), &["fmt"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(read("outside.wf"), FORMATTED);
}

// ----------------------------------------------------------- wfc graph

#[test]
fn graph_draws_each_format_on_stdout_and_into_files() {
    let t = dir_with(&[("ok.wf", VALID.as_bytes())]);
    let mermaid = wfc(t.path(), &["graph", "ok.wf"], None);
    assert_eq!(mermaid.code, 0, "{}", mermaid.stderr);
    // A title front matter (the workflow's name and object), then the chart.
    assert!(
        mermaid
            .stdout
            .starts_with("---\ntitle: \"Welcome (contact)\"\n---\nflowchart TD\n"),
        "{}",
        mermaid.stdout
    );
    assert!(
        mermaid.stdout.contains("%% Welcome (contact)"),
        "{}",
        mermaid.stdout
    );
    assert!(mermaid.stdout.contains("delay"), "{}", mermaid.stdout);
    assert!(mermaid.stdout.contains("send email"), "{}", mermaid.stdout);
    let explicit = wfc(t.path(), &["graph", "ok.wf", "--format", "mermaid"], None);
    assert_eq!(explicit.stdout, mermaid.stdout);

    let dot = wfc(t.path(), &["graph", "ok.wf", "--format", "dot"], None);
    assert_eq!(dot.code, 0, "{}", dot.stderr);
    assert!(
        dot.stdout.starts_with("digraph workflows {\n"),
        "{}",
        dot.stdout
    );
    assert!(dot.stdout.contains("Welcome (contact)"), "{}", dot.stdout);
    assert!(dot.stdout.contains("->"), "{}", dot.stdout);
    assert!(dot.stdout.trim_end().ends_with('}'), "{}", dot.stdout);

    let svg = wfc(t.path(), &["graph", "ok.wf", "--format", "svg"], None);
    assert_eq!(svg.code, 0, "{}", svg.stderr);
    assert!(svg.stdout.contains("<svg"), "{}", svg.stdout);
    assert!(svg.stdout.trim_end().ends_with("</svg>"), "{}", svg.stdout);
    assert!(svg.stdout.contains("send email"), "{}", svg.stdout);

    // -o: the extension picks the format; the text is what stdout had.
    for (file, want) in [("g.dot", &dot), ("g.svg", &svg), ("g.mmd", &mermaid)] {
        let o = wfc(t.path(), &["graph", "ok.wf", "-o", file], None);
        assert_eq!((o.code, o.stdout.as_str()), (0, ""), "{}", o.stderr);
        let written = std::fs::read_to_string(t.path().join(file)).expect("written");
        assert_eq!(written, want.stdout, "{file}");
    }
}

#[test]
fn graph_of_a_folder_of_projects_uses_each_manifest() {
    // `sport` exists only in `a/wf.toml`, `tier` only in `b/wf.toml`: each
    // file checks only against its own project's manifest.
    let t = dir_with(&[
        ("all/a/wf.toml", b"[account]\nmarketing = \"enterprise\"\n[properties.contact]\nsport = { type = \"enum\", options = [\"golf\"] }\n"),
        ("all/a/x.wf", b"workflow \"Golfers\" for contact {\n  set sport = \"golf\"\n}\n"),
        ("all/b/wf.toml", b"[account]\nmarketing = \"enterprise\"\n[properties.contact]\ntier = { type = \"number\" }\n"),
        ("all/b/y.wf", b"workflow \"Tiers\" for contact {\n  set tier = 3\n}\n"),
    ]);
    let o = wfc(t.path(), &["graph", "all", "--format", "dot"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("Golfers (contact)"), "{}", o.stdout);
    assert!(o.stdout.contains("Tiers (contact)"), "{}", o.stdout);
    // One workflow of the folder, by name.
    let o = wfc(t.path(), &["graph", "all", "-w", "Tiers"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("Tiers (contact)"), "{}", o.stdout);
    assert!(!o.stdout.contains("Golfers"), "{}", o.stdout);
    // A project with an error: exit 1, nothing drawn.
    std::fs::write(
        t.path().join("all/b/z.wf"),
        "workflow \"Z\" for contact {\n  set sport = \"golf\"\n}\n",
    )
    .expect("write");
    let o = wfc(t.path(), &["graph", "all"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("WF101"), "{}", o.stderr);
    assert!(o.stderr.contains("nothing drawn"), "{}", o.stderr);
}

// ----------------------------------------------------- build --format

#[test]
fn build_reports_in_each_format_and_still_prints_the_plan() {
    // WF902 (a warning): the plan is built all the same.
    let hook = "workflow \"Hook\" for contact {\n  webhook post \"http://x.example/h\"\n}\n";
    let t = dir_with(&[("hook.wf", hook.as_bytes()), ("bad.wf", NOT_UTF8)]);
    let plan_of = |o: &Out| {
        let v: Value = serde_json::from_str(&o.stdout).expect("the plan on stdout");
        assert_eq!(v["name"], "Hook");
        assert_eq!(v["format"], "wfplan/1");
    };

    let o = wfc(t.path(), &["build", "hook.wf"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    plan_of(&o);
    assert!(o.stderr.contains("WF902"), "{}", o.stderr);

    let o = wfc(t.path(), &["build", "hook.wf", "--format", "json"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    plan_of(&o);
    let v: Value = serde_json::from_str(&o.stderr).expect("JSON diagnostics on stderr");
    let diags = v.as_array().expect("an array");
    assert_eq!(diags.len(), 1, "{}", o.stderr);
    assert_eq!(diags[0]["code"], "WF902");
    assert_eq!(diags[0]["file"], "hook.wf");

    let o = wfc(t.path(), &["build", "hook.wf", "--format", "github"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    plan_of(&o);
    assert!(
        o.stderr.starts_with("::warning file=hook.wf,line=2,"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("title=WF902::"), "{}", o.stderr);

    let o = wfc(t.path(), &["build", "hook.wf", "--format", "sarif"], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    plan_of(&o);
    let v: Value = serde_json::from_str(&o.stderr).expect("SARIF on stderr");
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "WF902");

    // Errors: exit 1, no plan, the report in the chosen format.
    for format in ["human", "json", "github", "sarif"] {
        let o = wfc(t.path(), &["build", "bad.wf", "--format", format], None);
        assert_eq!(o.code, 1, "{format}: {}", o.stderr);
        assert_eq!(o.stdout, "", "{format}");
        assert!(o.stderr.contains("WF002"), "{format}: {}", o.stderr);
        match format {
            "json" | "sarif" => {
                serde_json::from_str::<Value>(&o.stderr).expect("JSON report");
            }
            "github" => assert!(o.stderr.starts_with("::error file=bad.wf,"), "{}", o.stderr),
            _ => assert!(o.stderr.contains("bad.wf"), "{}", o.stderr),
        }
    }
}

#[test]
fn a_file_over_the_size_limit_names_its_real_size() {
    // 20,000,000 bytes: a comment line of 'a's after a valid workflow.
    let mut big = VALID.as_bytes().to_vec();
    big.extend_from_slice(b"# ");
    big.resize(20_000_000 - 1, b'a');
    big.push(b'\n');
    let t = dir_with(&[("big.wf", &big)]);
    let o = wfc(t.path(), &["check", "big.wf", "--format", "json"], None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stdout.contains(
            "file is too large: 19.0 MiB (20000000 bytes), the limit is 16 MiB (16777216 bytes)"
        ),
        "{}",
        o.stderr
    );
    // Text whose size on disk is not known (stdin is read only a little past
    // the limit): only that it is over the limit.
    let c = wfc::compile(vec![wfc::SourceInput::new("<stdin>", big)], None);
    assert_eq!(
        c.diagnostics[0].message,
        "file is too large: more than 16 MiB, the limit is 16 MiB (16777216 bytes)"
    );
}
