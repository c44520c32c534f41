//! `wfc serve`: the durable engine behind its HTTP API.
//!
//! `wfc serve [PATH] [--db URL] [--listen ADDR] [--clock wall|virtual]
//! [--start TIME] [--sms-delivery wait|instant] [--allow-private-webhooks]
//! [--prune] [--worker-id ID] [--lease SECONDS]`
//!
//! Exit codes: 0 after a graceful stop (SIGTERM, Ctrl-C); 1 the project
//! does not compile or the bundle file is invalid; 2 usage, cannot bind,
//! the engine cannot start (database, clock mode).

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::ValueEnum;

use super::{ColorArg, FormatArg, InputArgs, EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use crate::serve::engine::{self, ClockMode, EngineOptions, SmsDelivery};
use crate::serve::http::{self, HttpConfig, DEFAULT_MAX_BODY_BYTES};

pub const AFTER_HELP: &str = "\
Environment:
  WFC_TOKEN            when set, every request but GET /healthz needs
                       `Authorization: Bearer <token>`; required to listen on
                       an address other than loopback
  WFC_WEBHOOK_SECRET   when set, webhooks carry `X-Wfc-Signature-256:
                       sha256=<hex HMAC-SHA256 of the body>`
  RUST_LOG             log filter for stderr (default: warn), e.g. RUST_LOG=info

The first line on stdout is `listening on http://ADDR` once the service
accepts requests. SIGTERM or Ctrl-C stops it gracefully (exit 0).

Examples:
  wfc serve examples/project                   deploy a project, serve on 127.0.0.1:7878
  wfc build --bundle . > app.json && wfc serve app.json --db sqlite:/var/lib/wfc.db
  wfc serve --clock virtual --start 2026-03-02T08:00:00Z --listen 127.0.0.1:0
  WFC_TOKEN=s3cret wfc serve --listen 0.0.0.0:7878";

/// Arguments of `wfc serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// What to deploy at start-up: a project (`.wf` files or a folder,
    /// compiled as `wfc build`) or a bundle file (`wfc build --bundle`).
    /// None: run what was deployed before (it is in the database)
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// The database: `sqlite:PATH` (embedded, nothing to install) or
    /// `postgres://user@host/db` (shared by several processes)
    #[arg(long, value_name = "URL", default_value = "sqlite:wfc-engine.db")]
    pub db: String,

    /// Address to listen on; port 0 picks a free port (the address bound is
    /// printed). Anything but loopback needs WFC_TOKEN
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub listen: String,

    /// wall: real time. virtual: time moves only when told
    /// (`POST /v1/clock`), for tests and replaying `wfc run` scenarios. A
    /// database keeps the mode it was created with
    #[arg(long, value_enum, default_value_t = ClockArg::Wall, value_name = "MODE")]
    pub clock: ClockArg,

    /// Where a virtual clock starts, RFC 3339 (default
    /// 2026-01-01T00:00:00Z); only with `--clock virtual`. A database keeps
    /// the start it was created with
    #[arg(long, value_name = "TIME", value_parser = parse_time_arg)]
    pub start: Option<DateTime<Utc>>,

    /// Internal SMS: wait = the record waits at the step for the
    /// integration's delivery report (at most 72 hours); instant = counts as
    /// sent at once. Default: wait on a wall clock, instant on a virtual one
    #[arg(long, value_enum, value_name = "MODE")]
    pub sms_delivery: Option<SmsArg>,

    /// Let webhooks reach loopback, private, link-local and other internal
    /// addresses (refused by default)
    #[arg(long)]
    pub allow_private_webhooks: bool,

    /// Turn off the deployed workflows that PATH does not contain (their
    /// records are unenrolled); without it they stay as they are
    #[arg(long)]
    pub prune: bool,

    /// A name for this process in work leases and logs (PostgreSQL);
    /// default: host name, process id and start time
    #[arg(long, value_name = "ID")]
    pub worker_id: Option<String>,

    /// PostgreSQL: seconds a process holds the work it claimed; when a
    /// process dies, another takes its work over after this long
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = parse_lease)]
    pub lease: f64,

    /// Largest request body accepted, in bytes (larger: 413)
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockArg {
    Wall,
    Virtual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmsArg {
    Wait,
    Instant,
}

fn parse_lease(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.1..=86_400.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a lease time: give seconds between 0.1 and 86400"
        )),
    }
}

fn parse_time_arg(s: &str) -> Result<DateTime<Utc>, String> {
    crate::runtime::model::parse_time(s)
        .ok_or_else(|| format!("`{s}` is not an RFC 3339 time (e.g. 2026-03-02T08:00:00Z)"))
}

/// A failure with its exit code (the message may be empty: already printed).
struct Fail(i32, String);

fn usage(msg: impl Into<String>) -> Fail {
    Fail(EXIT_USAGE, msg.into())
}

/// Run `wfc serve`; returns the process exit code.
pub fn run(args: Args) -> i32 {
    match execute(args) {
        Ok(()) => EXIT_OK,
        Err(Fail(code, msg)) => {
            if !msg.is_empty() {
                let _ = writeln!(std::io::stderr(), "error: {msg}");
            }
            code
        }
    }
}

/// An environment variable that must not be empty when set.
fn secret(name: &str) -> Result<Option<Vec<u8>>, Fail> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(v) if v.is_empty() => Err(usage(format!(
            "{name} is set but empty: unset it or give it a value"
        ))),
        Some(v) => Ok(Some(v.into_encoded_bytes())),
    }
}

/// The address to bind: `IP:PORT`, or `host:PORT` resolved (first address).
fn listen_address(raw: &str) -> Result<SocketAddr, Fail> {
    if let Ok(a) = raw.parse::<SocketAddr>() {
        return Ok(a);
    }
    raw.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            usage(format!(
                "--listen `{raw}` is not an address to listen on (e.g. 127.0.0.1:7878)"
            ))
        })
}

fn is_loopback(addr: &SocketAddr) -> bool {
    match addr.ip() {
        std::net::IpAddr::V4(ip) => ip.is_loopback(),
        std::net::IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The deployment given as PATH, as bundle JSON: a bundle (or plan) file
/// as it is, a project compiled.
fn initial_deployment(path: &Path) -> Result<serde_json::Value, Fail> {
    let is_json_file = path.is_file() && path.extension().is_some_and(|e| e == "json");
    if is_json_file {
        let bytes = std::fs::read(path)
            .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            Fail(
                EXIT_ERRORS,
                format!("invalid bundle file {}: {e}", path.display()),
            )
        })?;
        crate::bundle::decode_deployment(&value)
            .map_err(|e| Fail(EXIT_ERRORS, format!("{}: {e}", path.display())))?;
        return Ok(value);
    }
    let input = InputArgs {
        paths: vec![path.to_path_buf()],
        stdin_filename: None,
        format: FormatArg::Human,
        color: ColorArg::Auto,
    };
    super::compile_bundle(&input).map_err(|code| Fail(code, String::new()))
}

/// Logs to stderr: quiet (warnings and errors) unless RUST_LOG says more.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// SIGTERM or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("stop requested");
}

fn execute(args: Args) -> Result<(), Fail> {
    init_logs();
    let token = secret("WFC_TOKEN")?
        .map(|t| String::from_utf8(t).map_err(|_| usage("WFC_TOKEN is not valid UTF-8")))
        .transpose()?;
    let webhook_secret = secret("WFC_WEBHOOK_SECRET")?;
    let addr = listen_address(&args.listen)?;
    if token.is_none() && !is_loopback(&addr) {
        return Err(usage(format!(
            "refusing to listen on {addr} without WFC_TOKEN: anyone who can reach it could \
             deploy workflows and change records; set WFC_TOKEN to require a bearer token, \
             or listen on a loopback address such as 127.0.0.1"
        )));
    }
    if args.start.is_some() && args.clock != ClockArg::Virtual {
        return Err(usage(
            "--start sets where a virtual clock starts: add --clock virtual",
        ));
    }
    if args.max_body_bytes == 0 {
        return Err(usage("--max-body-bytes must be at least 1"));
    }
    let initial = match &args.path {
        Some(p) => Some(initial_deployment(p)?),
        None => None,
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| usage(format!("cannot start the async runtime: {e}")))?;
    let _entered = runtime.enter();
    let listener = std::net::TcpListener::bind(addr)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .and_then(tokio::net::TcpListener::from_std)
        .map_err(|e| usage(format!("cannot listen on {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| usage(format!("cannot listen on {addr}: {e}")))?;

    let options = EngineOptions {
        db: args.db.clone(),
        clock: match args.clock {
            ClockArg::Wall => ClockMode::Wall,
            ClockArg::Virtual => ClockMode::Virtual,
        },
        start: args.start,
        sms_delivery: args.sms_delivery.map(|s| match s {
            SmsArg::Wait => SmsDelivery::Wait,
            SmsArg::Instant => SmsDelivery::Instant,
        }),
        allow_private_webhooks: args.allow_private_webhooks,
        prune: args.prune,
        worker_id: args.worker_id.clone(),
        webhook_secret,
        lease: std::time::Duration::from_secs_f64(args.lease),
    };
    let api = engine::start(options, initial, runtime.handle().clone()).map_err(usage)?;

    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{bound}");
        let _ = out.flush();
    }
    tracing::info!(address = %bound, "listening");
    let config = HttpConfig {
        token,
        max_body_bytes: args.max_body_bytes,
    };
    runtime
        .block_on(http::serve(api, listener, config, stop_signal()))
        .map_err(|e| usage(format!("the service stopped: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses() {
        for a in [
            "127.0.0.1:1",
            "127.9.9.9:1",
            "[::1]:1",
            "[::ffff:127.0.0.1]:1",
        ] {
            assert!(is_loopback(&a.parse().unwrap()), "{a}");
        }
        for a in ["0.0.0.0:1", "10.0.0.1:1", "[::]:1", "192.168.1.2:1"] {
            assert!(!is_loopback(&a.parse().unwrap()), "{a}");
        }
    }
}
