//! Write a deterministic corpus of valid `.wf` source (see `wfc_dev::corpus`).
//!
//! ```text
//! cargo run --release -p wfc-dev --bin wfc-corpus -- OUT.wf [SIZE_BYTES] [SEED]
//! cargo run --release -p wfc-dev --bin wfc-corpus -- --files DIR COUNT BYTES_EACH [SEED]
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wfc-corpus: {e}");
            eprintln!("usage: wfc-corpus OUT.wf [SIZE_BYTES] [SEED]");
            eprintln!("       wfc-corpus --files DIR COUNT BYTES_EACH [SEED]");
            ExitCode::from(2)
        }
    }
}

fn num(arg: Option<&String>, default: u64, what: &str) -> Result<u64, String> {
    match arg {
        None => Ok(default),
        Some(s) => s
            .replace('_', "")
            .parse()
            .map_err(|_| format!("bad {what}: {s}")),
    }
}

fn run(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("--files") {
        let dir = args.get(1).ok_or("missing DIR")?;
        let count = num(args.get(2), 10, "COUNT")? as usize;
        let each = num(args.get(3), 100_000, "BYTES_EACH")? as usize;
        let seed = num(args.get(4), 1, "SEED")?;
        std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
        for (name, text) in wfc_dev::corpus::generate_files(seed, count, each) {
            let path = std::path::Path::new(dir).join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        return Ok(());
    }
    let out = args.first().ok_or("missing OUT.wf")?;
    // `-h`, `--help` or any other flag is not a file name to write a corpus to.
    if out.starts_with('-') {
        return Err(format!("unknown option `{out}`"));
    }
    let size = num(args.get(1), 1_000_000, "SIZE_BYTES")? as usize;
    let seed = num(args.get(2), 1, "SEED")?;
    let text = wfc_dev::corpus::generate(seed, size);
    std::fs::write(out, text).map_err(|e| format!("{out}: {e}"))
}
