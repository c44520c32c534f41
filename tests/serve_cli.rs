//! `wfc build --bundle`, `wfc run` over a bundle, and the parts of
//! `wfc serve` that come before the engine starts, through the real binary.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn wfc_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wfc"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("WFC_TOKEN")
        .env_remove("WFC_WEBHOOK_SECRET")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run wfc");
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

fn wfc(dir: &Path, args: &[&str]) -> Out {
    wfc_env(dir, args, &[])
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn build_bundle_of_the_example_project() {
    let out = wfc(root(), &["build", "--bundle", "examples/project"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::with_settings!({snapshot_path => "serve/snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("bundle_example_project", out.stdout);
    });
    // It decodes, with the manifest's environment and the plans in build order.
    let bundle: Value = serde_json::from_str(&out.stdout).unwrap();
    let d = wfc::bundle::decode_deployment(&bundle).unwrap();
    assert_eq!(d.environment.account.timezone, chrono_tz::Europe::Amsterdam);
    assert!(d.environment.schema.object("licenses").is_some());
    let built = wfc(root(), &["build", "examples/project"]);
    assert_eq!(built.code, 0);
    let plans: Vec<Value> = serde_json::from_str(&built.stdout).unwrap();
    assert_eq!(Value::Array(plans), bundle["plans"]);
}

#[test]
fn a_bundle_is_one_project() {
    let out = wfc(root(), &["build", "--bundle", "examples"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    for name in [
        "`examples/lead-nurture/wf.toml`",
        "`examples/project/wf.toml`",
        "a folder without `wf.toml`",
    ] {
        assert!(out.stderr.contains(name), "{name} in {}", out.stderr);
    }
    let out = wfc(
        root(),
        &["build", "--bundle", "-o", "x", "examples/project"],
    );
    assert_eq!(out.code, 2, "--bundle and --out-dir exclude each other");
}

#[test]
fn build_bundle_reports_compile_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.wf"),
        "workflow \"A\" for contact {\n  delay 1 fortnight\n}\n",
    )
    .unwrap();
    let out = wfc(dir.path(), &["build", "--bundle", "a.wf"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("WF0"), "{}", out.stderr);
}

#[test]
fn run_over_a_bundle_gives_the_history_of_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.json");
    let out = wfc(root(), &["build", "--bundle", "examples/lead-nurture"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::write(&bundle, &out.stdout).unwrap();
    let bundle = bundle.display().to_string();
    let state = |name: &str| dir.path().join(name).display().to_string();
    let common = [
        "--records",
        "examples/lead-nurture/records.jsonl",
        "--events",
        "examples/lead-nurture/events.jsonl",
    ];
    let mut from_project = vec!["run", "examples/lead-nurture"];
    from_project.extend(common);
    let s1 = state("s1.jsonl");
    from_project.extend(["--state", &s1]);
    let mut from_bundle = vec!["run", &bundle];
    from_bundle.extend(common);
    let s2 = state("s2.jsonl");
    from_bundle.extend(["--state", &s2]);

    let a = wfc(root(), &from_project);
    let b = wfc(root(), &from_bundle);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(a.stdout.lines().count() > 5, "a history worth comparing");
    // The example's manifest matters (time zone, the team rotated over).
    assert!(a.stdout.contains("ana@example.com") || a.stdout.contains("bo@example.com"));
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(
        std::fs::read_to_string(&s1).unwrap(),
        std::fs::read_to_string(&s2).unwrap()
    );

    // A bundle is a whole project: alone.
    let mut mixed = vec!["run", &bundle, "examples/project"];
    mixed.extend(common);
    let out = wfc(root(), &mixed);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("only path"), "{}", out.stderr);
}

#[test]
fn serve_refuses_a_public_address_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let out = wfc(dir.path(), &["serve", "--listen", addr]);
        assert_eq!(out.code, 2, "{addr}: {}", out.stderr);
        assert!(out.stderr.contains("without WFC_TOKEN"), "{}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    let out = wfc_env(
        dir.path(),
        &["serve", "--listen", "0.0.0.0:0"],
        &[("WFC_TOKEN", "")],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("WFC_TOKEN is set but empty"),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path().join("wfc-engine.db").exists(),
        "no database created"
    );
}

#[test]
fn serve_rejects_bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (vec!["serve", "--clock", "sideways"], "sideways"),
        (
            vec!["serve", "--start", "yesterday", "--clock", "virtual"],
            "RFC 3339",
        ),
        (
            vec!["serve", "--start", "2026-01-01T00:00:00Z"],
            "--clock virtual",
        ),
        (vec!["serve", "--sms-delivery", "later"], "later"),
        (vec!["serve", "--listen", "not an address"], "--listen"),
        (vec!["serve", "--max-body-bytes", "0"], "--max-body-bytes"),
        (vec!["serve", "--frobnicate"], "--frobnicate"),
    ] {
        let out = wfc(dir.path(), &args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn serve_cannot_bind_a_taken_port() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = wfc(dir.path(), &["serve", "--listen", &addr]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!("cannot listen on {addr}")),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "nothing listening, nothing said");
}

#[test]
fn serve_stops_at_compile_errors_and_invalid_bundles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.wf"),
        "workflow \"A\" for contact {\n  send email to nobody\n}\n",
    )
    .unwrap();
    let out = wfc(dir.path(), &["serve", "a.wf"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("WF0"),
        "diagnostics as `wfc check` prints them: {}",
        out.stderr
    );
    assert!(out.stdout.is_empty());

    std::fs::write(
        dir.path().join("bad.json"),
        "{\"format\": \"wfbundle/1\", \"plans\": []}",
    )
    .unwrap();
    let out = wfc(dir.path(), &["serve", "bad.json"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no `environment`"), "{}", out.stderr);
    std::fs::write(dir.path().join("broken.json"), "{").unwrap();
    let out = wfc(dir.path(), &["serve", "broken.json"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("invalid bundle file"), "{}", out.stderr);
}

#[test]
fn serve_help_explains_every_flag() {
    let out = wfc(root(), &["serve", "--help"]);
    assert_eq!(out.code, 0);
    for flag in [
        "[PATH]",
        "--db",
        "--listen",
        "--clock",
        "--start",
        "--sms-delivery",
        "--allow-private-webhooks",
        "--prune",
        "--worker-id",
        "--max-body-bytes",
        "WFC_TOKEN",
        "WFC_WEBHOOK_SECRET",
        "RUST_LOG",
        "listening on http://",
        "sqlite:wfc-engine.db",
        "127.0.0.1:7878",
    ] {
        assert!(out.stdout.contains(flag), "{flag} in\n{}", out.stdout);
    }
}
