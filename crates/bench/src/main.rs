//! `rempart-bench`: measures what the project's performance targets name, on SQLite or
//! PostgreSQL, each in a fresh database that is dropped afterwards.
//!
//! - `writes`: audited writes per second (organization creations, one transaction each);
//! - `verify`: audit chain verification over a million entries, in-process and through the CLI;
//! - `subtree`: subtree queries on a network of 15,633 organizations;
//! - `http`: latency and throughput of authenticated pages on loopback;
//! - `login`: logins per second and the server's peak memory under a login flood, against the
//!   real `rempart serve` binary in a process of its own;
//! - `assets`: import of 50,000 assets, and the inventory's lists and views over 300,000 assets
//!   in 306 public bodies;
//! - `risks`: import of the SP 800-53 catalog, and the risk register and heat maps over 19,150
//!   risks in 306 bodies (10,000 in one);
//! - `gmvi`: one alert issued to 306 public bodies, the scheduler's pass over 100,000 open
//!   deadlines, and the incident page with a 1,000-entry timeline;
//! - `scans`: scanner report imports (each shared report and a synthetic 100,000-finding
//!   Nessus report), first and again: findings per second, statements, peak memory;
//! - `deadlines`: the access law's deadline rules computed per second (no database);
//! - `all`: all of the above.
//!
//! Each prints a short summary, or JSON with `--json`; progress goes to standard error.
#![forbid(unsafe_code)]

mod access_requests;
mod assets;
mod db;
mod deadlines;
mod gmvi;
mod http;
mod login;
mod risks;
mod scans;
mod stats;
mod subtree;
mod verify;
mod writes;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

/// What one measurement produced: lines for people, and the same numbers as JSON.
pub struct Report {
    pub human: String,
    pub json: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    Sqlite,
    Postgres,
}

impl EngineArg {
    pub fn name(self) -> &'static str {
        match self {
            EngineArg::Sqlite => "sqlite",
            EngineArg::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Parser)]
#[command(name = "rempart-bench", about = "Rempart benchmarks")]
struct Cli {
    /// Database engine to measure.
    #[arg(long, value_enum, default_value = "sqlite", global = true)]
    engine: EngineArg,
    /// Administrative URL of a PostgreSQL server; each measurement creates its own database.
    #[arg(
        long,
        default_value = "postgres://postgres@127.0.0.1:5432/test",
        global = true
    )]
    postgres_url: String,
    /// Directory for the SQLite files (the system's temporary directory by default).
    #[arg(long, global = true)]
    work_dir: Option<PathBuf>,
    /// The `rempart` binary for `verify` (CLI) and `login` (default: beside this binary).
    #[arg(long, global = true)]
    rempart_bin: Option<PathBuf>,
    /// Keep the databases instead of dropping them at the end.
    #[arg(long, global = true)]
    keep: bool,
    /// Print JSON instead of a summary.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Audited writes per second.
    Writes(WritesArgs),
    /// Audit chain verification rate.
    Verify(VerifyArgs),
    /// Subtree query latency at network scale.
    Subtree(SubtreeArgs),
    /// HTTP latency and throughput of authenticated pages.
    Http(HttpArgs),
    /// Login flood against `rempart serve`: logins per second and the server's peak memory.
    Login(LoginArgs),
    /// Inventory import rate, and list latency at network scale.
    Assets(AssetsArgs),
    /// Control catalog import, and the risk register and heat maps at network scale.
    Risks(RisksArgs),
    /// Alert to the network, scheduler pass over open deadlines, incident page.
    Gmvi(GmviArgs),
    /// Scanner report imports: findings per second, statements, peak memory.
    Scans(ScansArgs),
    /// Legal deadlines computed per second (the same on both engines).
    Deadlines(DeadlinesArgs),
    /// The access-request register, its indicators and a request's page at 100,000 requests.
    AccessRequests(AccessRequestsArgs),
    /// Every measurement in turn.
    All(AllArgs),
}

#[derive(Debug, Args, Clone)]
pub struct WritesArgs {
    /// Number of organization creations, each its own transaction.
    #[arg(long, default_value_t = 2000)]
    pub writes: usize,
    /// Concurrent writing tasks.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
}

#[derive(Debug, Args, Clone)]
pub struct VerifyArgs {
    /// Number of chained audit entries to seed.
    #[arg(long, default_value_t = 1_000_000)]
    pub entries: u64,
    /// Timed verifications (in-process, then through the CLI); the median is reported.
    #[arg(long, default_value_t = 3)]
    pub verify_runs: usize,
}

#[derive(Debug, Args, Clone)]
pub struct SubtreeArgs {
    /// Timed runs of each query.
    #[arg(long, default_value_t = 200)]
    pub runs: usize,
}

#[derive(Debug, Args, Clone)]
pub struct HttpArgs {
    /// Concurrent clients, each with its own session and connection.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Measured duration for each page, in seconds.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Upper bound on the requests sent to each page.
    #[arg(long, default_value_t = 500_000)]
    pub max_requests: u64,
}

#[derive(Debug, Args, Clone)]
pub struct LoginArgs {
    /// Concurrent clients, each sending one `POST /login` at a time over its own connection.
    #[arg(long, default_value_t = 32)]
    pub login_clients: usize,
    /// Duration of each phase (correct passwords, then wrong ones), in seconds.
    #[arg(long, default_value_t = 10)]
    pub login_seconds: u64,
    /// Upper bound on the requests sent in each phase.
    #[arg(long, default_value_t = 100_000)]
    pub max_logins: u64,
}

#[derive(Debug, Args, Clone)]
pub struct AssetsArgs {
    /// Assets in the imported file.
    #[arg(long, default_value_t = 50_000)]
    pub import_rows: usize,
    /// Assets per public body for the lists (306 bodies).
    #[arg(long, default_value_t = 980)]
    pub per_body: i64,
    /// Timed runs of each query.
    #[arg(long, default_value_t = 200)]
    pub runs: usize,
}

#[derive(Debug, Args, Clone)]
pub struct RisksArgs {
    /// Imports of the SP 800-53 catalog, each into its own organization.
    #[arg(long, default_value_t = 10)]
    pub imports: usize,
    /// Risks in the first public body.
    #[arg(long, default_value_t = 10_000)]
    pub big_body: i64,
    /// Risks in each of the other 305 bodies.
    #[arg(long, default_value_t = 30)]
    pub per_body: i64,
    /// Timed runs of each query.
    #[arg(long, default_value_t = 200)]
    pub risk_runs: usize,
}

#[derive(Debug, Args, Clone)]
pub struct GmviArgs {
    /// Alerts issued to the whole network, each timed.
    #[arg(long, default_value_t = 20)]
    pub alert_runs: usize,
    /// Open deadlines the scheduler watches.
    #[arg(long, default_value_t = 100_000)]
    pub open_deadlines: i64,
    /// Overdue notices among them, escalated by one pass.
    #[arg(long, default_value_t = 1_000)]
    pub due_notices: i64,
    /// Timed passes with nothing due.
    #[arg(long, default_value_t = 50)]
    pub idle_runs: usize,
    /// Entries in the incident's timeline.
    #[arg(long, default_value_t = 1_000)]
    pub timeline_entries: i64,
    /// Concurrent clients on the incident page.
    #[arg(long, default_value_t = 4)]
    pub page_clients: usize,
    /// Measured seconds for each page.
    #[arg(long, default_value_t = 10)]
    pub page_seconds: u64,
}

#[derive(Debug, Args, Clone)]
pub struct ScansArgs {
    /// Findings in the synthetic Nessus report (made by scripts/gen_nessus.py).
    #[arg(long, default_value_t = 100_000)]
    pub synthetic_findings: usize,
}

#[derive(Debug, Args, Clone)]
pub struct DeadlinesArgs {
    /// Days of receipt, one after the other from 1 January 2000.
    #[arg(long, default_value_t = 36_525)]
    pub days: usize,
    /// Timed runs over those days.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

impl RisksArgs {
    pub fn runs(&self) -> usize {
        self.risk_runs
    }
}

#[derive(Debug, Args, Clone)]
pub struct AccessRequestsArgs {
    /// Access requests in the first public body.
    #[arg(long, default_value_t = 100_000)]
    pub requests: i64,
    /// Timed runs of each query.
    #[arg(long, default_value_t = 200)]
    pub request_runs: usize,
}

#[derive(Debug, Args, Clone)]
struct AllArgs {
    #[command(flatten)]
    writes: WritesArgs,
    #[command(flatten)]
    verify: VerifyArgs,
    #[command(flatten)]
    subtree: SubtreeArgs,
    #[command(flatten)]
    http: HttpArgs,
    #[command(flatten)]
    login: LoginArgs,
    #[command(flatten)]
    assets: AssetsArgs,
    #[command(flatten)]
    risks: RisksArgs,
    #[command(flatten)]
    gmvi: GmviArgs,
    #[command(flatten)]
    scans: ScansArgs,
    #[command(flatten)]
    deadlines: DeadlinesArgs,
    #[command(flatten)]
    access_requests: AccessRequestsArgs,
}

/// Where the databases go.
pub struct Ctx {
    pub engine: EngineArg,
    pub postgres_url: String,
    pub work_dir: PathBuf,
    pub keep: bool,
    pub rempart_bin: Option<PathBuf>,
}

impl Ctx {
    /// The `rempart` binary: as given, or beside this one.
    pub fn rempart_bin(&self) -> Option<PathBuf> {
        if let Some(path) = &self.rempart_bin {
            return Some(path.clone());
        }
        let exe = std::env::current_exe().ok()?;
        let path = exe.parent()?.join("rempart");
        path.exists().then_some(path)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rempart-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rempart-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx {
        engine: cli.engine,
        postgres_url: cli.postgres_url.clone(),
        work_dir: cli.work_dir.clone().unwrap_or_else(std::env::temp_dir),
        keep: cli.keep,
        rempart_bin: cli.rempart_bin.clone(),
    };
    let mut sections: Vec<(&str, Report)> = Vec::new();
    match &cli.command {
        Command::Writes(a) => sections.push(("writes", timed(writes::run(&ctx, a)).await?)),
        Command::Verify(a) => sections.push(("verify", timed(verify::run(&ctx, a)).await?)),
        Command::Subtree(a) => sections.push(("subtree", timed(subtree::run(&ctx, a)).await?)),
        Command::Http(a) => sections.push(("http", timed(http::run(&ctx, a)).await?)),
        Command::Login(a) => sections.push(("login", timed(login::run(&ctx, a)).await?)),
        Command::Assets(a) => sections.push(("assets", timed(assets::run(&ctx, a)).await?)),
        Command::Risks(a) => sections.push(("risks", timed(risks::run(&ctx, a)).await?)),
        Command::Gmvi(a) => sections.push(("gmvi", timed(gmvi::run(&ctx, a)).await?)),
        Command::Scans(a) => sections.push(("scans", timed(scans::run(&ctx, a)).await?)),
        Command::Deadlines(a) => sections.push(("deadlines", timed(deadlines::run(a)).await?)),
        Command::AccessRequests(a) => sections.push((
            "access_requests",
            timed(access_requests::run(&ctx, a)).await?,
        )),
        Command::All(a) => {
            sections.push(("writes", timed(writes::run(&ctx, &a.writes)).await?));
            sections.push(("verify", timed(verify::run(&ctx, &a.verify)).await?));
            sections.push(("subtree", timed(subtree::run(&ctx, &a.subtree)).await?));
            sections.push(("http", timed(http::run(&ctx, &a.http)).await?));
            sections.push(("login", timed(login::run(&ctx, &a.login)).await?));
            sections.push(("assets", timed(assets::run(&ctx, &a.assets)).await?));
            sections.push(("risks", timed(risks::run(&ctx, &a.risks)).await?));
            sections.push(("gmvi", timed(gmvi::run(&ctx, &a.gmvi)).await?));
            sections.push(("scans", timed(scans::run(&ctx, &a.scans)).await?));
            sections.push(("deadlines", timed(deadlines::run(&a.deadlines)).await?));
            sections.push((
                "access_requests",
                timed(access_requests::run(&ctx, &a.access_requests)).await?,
            ));
        }
    }
    if cli.json {
        let mut out = serde_json::Map::new();
        out.insert("engine".into(), json!(ctx.engine.name()));
        out.insert("machine".into(), machine());
        for (name, report) in sections {
            out.insert(name.into(), report.json);
        }
        println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
    } else {
        println!("engine: {}", ctx.engine.name());
        for (name, report) in sections {
            println!("[{name}]");
            print!("{}", report.human);
        }
    }
    Ok(())
}

/// Runs one measurement and adds how long it took and how much CPU time the hypervisor
/// took away meanwhile (steal), which makes numbers on a shared virtual machine noisy.
async fn timed(measurement: impl std::future::Future<Output = Result<Report>>) -> Result<Report> {
    let before = cpu_times();
    let started = std::time::Instant::now();
    let mut report = measurement.await?;
    let seconds = started.elapsed().as_secs_f64();
    let steal = match (before, cpu_times()) {
        (Some((total0, steal0)), Some((total1, steal1))) if total1 > total0 => {
            Some(100.0 * (steal1 - steal0) as f64 / (total1 - total0) as f64)
        }
        _ => None,
    };
    if let Value::Object(map) = &mut report.json {
        map.insert("wall_seconds".into(), json!(seconds));
        map.insert("cpu_steal_percent".into(), json!(steal));
    }
    report.human.push_str(&format!(
        "  ({seconds:.0} s in all; CPU steal {})\n",
        steal.map_or_else(|| "unknown".to_owned(), |s| format!("{s:.1} %"))
    ));
    Ok(report)
}

/// Total and stolen CPU time so far, in ticks, from the first line of /proc/stat.
fn cpu_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal [guest guest_nice, counted in user]
    let total = ticks.iter().take(8).sum();
    Some((total, *ticks.get(7)?))
}

/// The machine the numbers come from.
fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<u64>().ok());
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "cpu_model": cpu,
        "memory_kib": mem_kib,
        "unix_time": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .ok(),
    })
}

/// Progress for whoever watches, on standard error so that `--json` output stays clean.
pub fn progress(message: &str) {
    eprintln!("rempart-bench: {message}");
}
