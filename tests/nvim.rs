//! Neovim as a real client of `wfc lsp`: `nvim --headless --clean -u
//! tests/nvim/init.lua` on a temporary two-file project. Neovim's own LSP
//! client receives the diagnostics, applies the preferred quick fix it is
//! offered through `codeAction`, formats one line (range formatting), then
//! the whole buffer, renames a label and a workflow (the second edit
//! reaching a file that is not open) and writes the files; the script
//! records what it saw as JSON and this test judges it, then reads the
//! files on disk.
//!
//! Neovim 0.7 or later (Debian's `apt-get install neovim`): without it the
//! test prints one line and passes, so that `cargo test` works on a fresh
//! machine — unless `WFC_REQUIRE_NVIM=1` is set, as `.ci/run` does: then a
//! missing `nvim` fails it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Bound on the whole Neovim session, against a hang (the script's own
/// waits are shorter): never an assertion on speed.
const SESSION_LIMIT: Duration = Duration::from_secs(180);

const WELCOME: &str = r#"workflow "Welcome" for contact {
  enroll when lifecyclestage is "lead"
      set firstnam = "Ada"
  if hubspotscore >= 50 {
    notify: send internal email to owner subject "Hot lead" body "Call them"
  } else {
    goto notify
  }
  enroll in   "Onboarding"
}
"#;

const ONBOARDING: &str = "workflow \"Onboarding\" for contact {\n  delay 1d\n}\n";

/// The Neovim version line, or `None` when `nvim` is not on the PATH (the
/// test then skips, or fails under `WFC_REQUIRE_NVIM=1`).
fn nvim_version() -> Option<String> {
    let out = Command::new("nvim").arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next().map(str::to_string)
}

fn wfc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wfc"))
}

/// `wfc fmt -` on `text`: what formatting must give.
fn wfc_fmt(text: &str) -> String {
    use std::io::Write;
    let mut child = wfc()
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn wfc fmt");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to wfc fmt");
    let out = child.wait_with_output().expect("wfc fmt");
    assert!(out.status.success(), "wfc fmt - failed on:\n{text}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Run the script on `project`; the JSON it wrote.
fn run_nvim(project: &Path, home: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/init.lua");
    let out = home.join("results.json");
    let stderr = home.join("stderr.txt");
    let mut cmd = Command::new("nvim");
    cmd.arg("--headless")
        .arg("--clean")
        .arg("-u")
        .arg(&script)
        .env("WFC_BIN", env!("CARGO_BIN_EXE_wfc"))
        .env("WFC_PROJECT", project)
        .env("WFC_OUT", &out)
        .current_dir(project)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).expect("create stderr file"));
    // Neovim's log, shada and swap files go to the temporary folder.
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
    ] {
        cmd.env(var, home);
    }
    let mut child = cmd.spawn().expect("spawn nvim");
    let deadline = Instant::now() + SESSION_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for nvim") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "nvim did not finish within {SESSION_LIMIT:?}; stderr:\n{}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&stderr).unwrap_or_default();
    assert!(
        status.success(),
        "nvim exited with {status}; stderr:\n{stderr}"
    );
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("the script wrote no results ({e}); stderr:\n{stderr}"));
    let v: Value = serde_json::from_str(&text).expect("results are JSON");
    if let Some(err) = v.get("error") {
        panic!(
            "the Neovim script failed: {}\nresults so far: {v:#}\nstderr:\n{stderr}",
            err.as_str().unwrap_or_default()
        );
    }
    v
}

#[test]
fn neovim_diagnostics_quick_fix_formatting_rename() {
    let Some(version) = nvim_version() else {
        if std::env::var("WFC_REQUIRE_NVIM").as_deref() != Ok("1") {
            eprintln!(
                "skipped: nvim is not installed (Debian/Ubuntu: `apt-get install -y neovim`; \
                 WFC_REQUIRE_NVIM=1 makes this a failure, as in CI)"
            );
            return;
        }
        panic!(
            "nvim (Neovim 0.7 or later) is required (WFC_REQUIRE_NVIM=1) and was not found on the PATH: \
             install it (Debian/Ubuntu: `apt-get install -y neovim`)"
        );
    };
    eprintln!("client: {version}");

    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("project");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::write(
        project.join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\n",
    )
    .expect("write");
    std::fs::write(project.join("welcome.wf"), WELCOME).expect("write");
    std::fs::write(project.join("onboarding.wf"), ONBOARDING).expect("write");

    let r = run_nvim(&project, &home);
    assert_eq!(r["filetype"], "wf", "{r:#}");
    assert_eq!(r["offset_encoding"], "utf-16", "{r:#}");

    // 1. The diagnostic, where `wfc check` puts it (Neovim's columns are
    // bytes of the line).
    let diags = r["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(diags.len(), 1, "{r:#}");
    let d = &diags[0];
    assert_eq!(d["code"], "WF101");
    let message = d["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("unknown property `firstnam` on contact"),
        "{message}"
    );
    assert!(message.contains("did you mean `firstname`?"), "{message}");
    let line = WELCOME.lines().nth(2).expect("line 3");
    let col = line.find("firstnam").expect("firstnam");
    assert_eq!(
        (d["lnum"].as_u64(), d["col"].as_u64()),
        (Some(2), Some(col as u64))
    );
    assert_eq!(
        (d["end_lnum"].as_u64(), d["end_col"].as_u64()),
        (Some(2), Some((col + "firstnam".len()) as u64))
    );

    // 2. The quick fix: offered and preferred, applied by Neovim; the fix-all
    // action is offered too but not preferred.
    let offered = r["offered"].as_array().cloned().unwrap_or_default();
    let preferred: Vec<&Value> = offered.iter().filter(|a| a["preferred"] == true).collect();
    assert_eq!(preferred.len(), 1, "{offered:?}");
    assert_eq!(preferred[0]["kind"], "quickfix");
    assert_eq!(preferred[0]["title"], "replace `firstnam` with `firstname`");
    assert!(
        offered.iter().any(|a| a["kind"] == "source.fixAll.wfc"),
        "{offered:?}"
    );
    let fixed = WELCOME.replace("set firstnam =", "set firstname =");
    assert_eq!(r["after_fix"], fixed.as_str());

    // 3. Range formatting of the `enroll in` line changes that line only.
    let range_formatted = fixed.replace("enroll in   \"", "enroll in \"");
    assert_eq!(r["after_range_format"], range_formatted.as_str());

    // 4. Formatting gives `wfc fmt`'s text, which differs here (the
    // indentation of the fixed line).
    assert_eq!(r["before_format"], range_formatted.as_str());
    let formatted = wfc_fmt(&fixed);
    assert_ne!(formatted, range_formatted, "the case must need formatting");
    assert_eq!(r["after_format"], formatted.as_str());

    // 5, 6. The renames, as Neovim wrote the files: the label's definition
    // and its `goto`; the workflow's declaration in the file that was not
    // open and the `enroll in` naming it.
    let welcome = std::fs::read_to_string(project.join("welcome.wf")).expect("read");
    let onboarding = std::fs::read_to_string(project.join("onboarding.wf")).expect("read");
    let expected_welcome = formatted
        .replace("notify:", "call_owner:")
        .replace("goto notify", "goto call_owner")
        .replace("enroll in \"Onboarding\"", "enroll in \"Welcome series\"");
    assert_ne!(expected_welcome, formatted);
    assert_eq!(welcome, expected_welcome);
    assert_eq!(
        onboarding,
        ONBOARDING.replace("\"Onboarding\"", "\"Welcome series\"")
    );
    assert_eq!(r["final_diagnostics"], Value::Array(Vec::new()), "{r:#}");

    // The project as written is clean for `wfc check` too.
    let check = wfc()
        .arg("check")
        .arg(&project)
        .output()
        .expect("wfc check");
    assert!(
        check.status.success(),
        "wfc check after the session:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}
