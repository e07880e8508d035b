//! Login flood: the real `rempart serve --demo` binary in a process of its own (so that its
//! memory is its own), with the production Argon2id parameters, on a fresh database and a free
//! loopback port. C clients, each over its own keep-alive connection, send `POST /login` one
//! after another for a bounded time and count, in two phases:
//!
//! (a) the correct password for demo accounts whose role needs no second factor, each client
//!     from a loopback address of its own (127.0.0.2, 127.0.0.3, …), as people at their own
//!     workstations: each success is a real Argon2id check, answered 303 with a session
//!     cookie, and resets the account's failure count, so that the account lockout never
//!     engages, and no address comes near the per-address limit on public routes;
//! (b) a wrong password for e-mail addresses that do not exist, every client from 127.0.0.1:
//!     each is checked against the dummy hash (401) until the address has failed 50 times in
//!     15 minutes; then the login handler answers 429 without a check (the source throttle),
//!     and once the address has spent its share of requests a minute to public routes, the
//!     rate limit in front of every public route answers 429 before the handler runs.
//!
//! The server's VmRSS and VmHWM (`/proc/<pid>/status`) are sampled every 100 ms.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rempart::demo;
use rempart_web::auth::{hash_with, PasswordHashing};
use rempart_web::WebConfig;
use serde_json::{json, Value};

use crate::stats::{latency, median, ms, Latency};
use crate::{progress, Ctx, EngineArg, LoginArgs, Report, Result};

/// Demo accounts whose role does not require a second factor (checked against the default
/// configuration below), so that a correct password opens a session at once.
const ACCOUNTS: [&str; 4] = [
    "comsi@demo.rempart.quebec",
    "auditeur@demo.rempart.quebec",
    "gestionnaire@demo.rempart.quebec",
    "utilisateur@demo.rempart.quebec",
];
const WRONG_PASSWORD: &str = "Pas-le-bon-mot-de-passe-2026";
/// Concurrent Argon2id checks the server allows (`PasswordHashing::production`).
const PERMITS: f64 = 2.0;
const READY_TIMEOUT: Duration = Duration::from_secs(180);
const SAMPLE_EVERY: Duration = Duration::from_millis(100);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Hashes per thread when timing Argon2id in this process.
const CALIBRATION_HASHES: usize = 16;
/// At most this many clients (each of phase (a) has an address of its own in 127.0.0.0/8).
const MAX_CLIENTS: u32 = 10_000;
/// Only the login form holds this: a 429 with it comes from the login handler's source
/// throttle, one without it from the rate limit on public routes.
const LOGIN_FORM_MARK: &[u8] = b"name=\"password\"";

/// `VmRSS` and `VmHWM` of a process, in KiB.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    rss_kib: u64,
    hwm_kib: u64,
    threads: u64,
}

fn memory_of(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
        threads: field("Threads:")?,
    })
}

fn opt_ms(ms: Option<f64>) -> String {
    ms.map_or_else(|| "?".to_owned(), |ms| format!("{ms:.1}"))
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// User and system CPU time of a process so far, in clock ticks (100 a second on Linux),
/// and its minor page faults.
fn cpu_ticks(pid: &str) -> Option<(u64, u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: count fields after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3 of the file, minflt 10, utime 14 and stime 15.
    let minflt: u64 = fields.get(7)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime, stime, minflt))
}

/// Busy ticks of the whole machine so far (all but idle and iowait), from /proc/stat.
fn machine_busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let t: Vec<u64> = line
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    Some(t.iter().take(8).sum::<u64>() - t.get(3)? - t.get(4)?)
}

const TICKS_PER_SECOND: f64 = 100.0;

/// CPU used by the server, by this process and by the whole machine over a span of time.
struct CpuSpan {
    server: Option<(u64, u64, u64)>,
    bench: Option<(u64, u64, u64)>,
    machine: Option<u64>,
    started: Instant,
}

/// Cores busy on average over a span.
#[derive(Debug, Clone, Copy, Default)]
struct Cores {
    server: Option<f64>,
    /// The part of `server` spent in the kernel (page faults, system calls).
    server_system: Option<f64>,
    bench: Option<f64>,
    machine: Option<f64>,
    /// Minor page faults of the server over the span.
    server_faults: Option<u64>,
}

impl CpuSpan {
    fn start(server_pid: u32) -> Self {
        Self {
            server: cpu_ticks(&server_pid.to_string()),
            bench: cpu_ticks("self"),
            machine: machine_busy_ticks(),
            started: Instant::now(),
        }
    }

    fn cores(&self, server_pid: u32) -> Cores {
        let seconds = self.started.elapsed().as_secs_f64();
        let per = |before: Option<u64>, after: Option<u64>| {
            Some((after?.saturating_sub(before?)) as f64 / TICKS_PER_SECOND / seconds)
        };
        let total = |t: Option<(u64, u64, u64)>| t.map(|(u, s, _)| u + s);
        let server = cpu_ticks(&server_pid.to_string());
        Cores {
            server: per(total(self.server), total(server)),
            server_system: per(self.server.map(|t| t.1), server.map(|t| t.1)),
            bench: per(total(self.bench), total(cpu_ticks("self"))),
            machine: per(self.machine, machine_busy_ticks()),
            server_faults: match (self.server, server) {
                (Some(a), Some(b)) => Some(b.2.saturating_sub(a.2)),
                _ => None,
            },
        }
    }
}

/// Samples the server's memory every 100 ms until stopped.
struct Sampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<Memory>>,
}

impl Sampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut tick = tokio::time::interval(SAMPLE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !flag.load(Ordering::Relaxed) {
                tick.tick().await;
                if let Some(m) = memory_of(pid) {
                    samples.push(m);
                }
            }
            samples
        });
        Self { stop, task }
    }

    async fn finish(self) -> Result<Vec<Memory>> {
        self.stop.store(true, Ordering::Relaxed);
        Ok(self.task.await?)
    }
}

/// The server process; killed when dropped if it is still running (an error on the way).
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Asks the server to stop (SIGTERM, as a service manager would), waits for it, and
    /// kills it if it is still there after 30 s.
    async fn stop(mut self) -> Result<()> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        progress("login: the server did not stop within 30 s of SIGTERM; killing it");
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts `rempart serve --demo` on a free loopback port and waits for `/readyz`.
async fn start_server(
    bin: &Path,
    data_dir: &Path,
    database_url: Option<&str>,
    log_dir: &Path,
) -> Result<Server> {
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let log = log_dir.join("rempart-serve.log");
    let out = std::fs::File::create(&log)?;
    let mut command = std::process::Command::new(bin);
    command
        .args(["serve", "--demo", "--listen", &listen, "--data-dir"])
        .arg(data_dir);
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    for name in [
        "REMPART_LISTEN",
        "REMPART_DATA_DIR",
        "REMPART_DATABASE_URL",
        "REMPART_LOG_FORMAT",
        "REMPART_LOG",
    ] {
        command.env_remove(name);
    }
    command
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out);
    let mut server = Server {
        child: command.spawn()?,
        base: format!("http://{listen}"),
        log,
    };
    let probe = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait()? {
            return Err(format!(
                "{} serve exited ({status}) before it was ready:\n{}",
                bin.display(),
                server.log_tail()
            )
            .into());
        }
        if let Ok(r) = probe.get(format!("{}/readyz", server.base)).send().await {
            if r.status() == 200 {
                break;
            }
        }
        if started.elapsed() > READY_TIMEOUT {
            return Err(format!(
                "{} serve not ready after {} s:\n{}",
                bin.display(),
                READY_TIMEOUT.as_secs(),
                server.log_tail()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    progress(&format!(
        "login: server pid {} ready on {} after {:.1} s",
        server.pid(),
        server.base,
        started.elapsed().as_secs_f64()
    ));
    Ok(server)
}

/// What one production hash costs in this process, before the server starts: mean wall
/// time of a hash one at a time, and each of two threads hashing at once (one per permit).
struct Calibration {
    alone_ms: f64,
    pair_ms: f64,
}

impl Calibration {
    /// Logins a second the permits allow if hashing were all a login cost.
    fn ceiling(&self) -> f64 {
        PERMITS * 1e3 / self.pair_ms
    }
}

async fn calibrate() -> Result<Calibration> {
    let hashing = PasswordHashing::production().map_err(|e| e.to_string())?;
    let params = hashing.params().clone();
    tokio::task::spawn_blocking(move || -> Result<Calibration> {
        // Wall time of n hashes in a row, in ms.
        let hashes = |n: usize| -> Result<f64> {
            let t = Instant::now();
            for _ in 0..n {
                hash_with(&params, demo::DEMO_PASSWORD).map_err(|e| e.to_string())?;
            }
            Ok(t.elapsed().as_secs_f64() * 1e3)
        };
        let n = CALIBRATION_HASHES as f64;
        hashes(2)?;
        let alone = hashes(CALIBRATION_HASHES)?;
        let (a, b) = std::thread::scope(|s| -> Result<_> {
            let other = s.spawn(|| hashes(CALIBRATION_HASHES));
            let mine = hashes(CALIBRATION_HASHES)?;
            Ok((
                mine,
                other.join().map_err(|_| "a hashing thread panicked")??,
            ))
        })?;
        Ok(Calibration {
            alone_ms: alone / n,
            pair_ms: a.max(b) / n,
        })
    })
    .await?
}

/// One answer: its status (0 when the request failed), whether it set a cookie, whether it
/// was the login form again (the handler's answer, as opposed to the rate limiter's error
/// page), and when it came.
struct Answer {
    status: u16,
    cookie: bool,
    login_page: bool,
    latency: Duration,
    /// When the answer arrived, from the start of the phase.
    at: Duration,
}

/// The address client `i` of phase (a) connects from: 127.0.0.2, 127.0.0.3, … (all of
/// 127.0.0.0/8 is loopback on Linux), so that each has its own share of the per-address
/// limits, as people signing in from their own workstations would.
fn source_address(i: usize) -> IpAddr {
    let offset = u32::try_from(i).unwrap_or(MAX_CLIENTS);
    IpAddr::V4(Ipv4Addr::from(0x7f00_0002_u32 + offset.min(MAX_CLIENTS)))
}

fn client_from(address: IpAddr) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .local_address(address)
        .build()?)
}

/// Every client sends `POST /login` with the form `body(client, n)` one after another until
/// `until` or until `budget` requests were sent in all.
async fn flood(
    clients: &[reqwest::Client],
    url: &str,
    body: fn(usize, u64) -> (String, &'static str),
    until: Instant,
    budget: u64,
) -> Result<Vec<Answer>> {
    let started = Instant::now();
    let sent = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, client) in clients.iter().enumerate() {
        let (client, url, sent) = (client.clone(), url.to_owned(), sent.clone());
        tasks.spawn(async move {
            let mut mine = Vec::new();
            let mut n = 0;
            while Instant::now() < until && sent.fetch_add(1, Ordering::Relaxed) < budget {
                let (email, password) = body(i, n);
                n += 1;
                let t = Instant::now();
                let answer = client
                    .post(&url)
                    .form(&[("email", email.as_str()), ("password", password)])
                    .send()
                    .await;
                let (status, cookie, login_page) = match answer {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let cookie = r.headers().contains_key(reqwest::header::SET_COOKIE);
                        match r.bytes().await {
                            Ok(body) => (
                                status,
                                cookie,
                                body.windows(LOGIN_FORM_MARK.len())
                                    .any(|w| w == LOGIN_FORM_MARK),
                            ),
                            Err(_) => (0, false, false),
                        }
                    }
                    Err(_) => (0, false, false),
                };
                mine.push(Answer {
                    status,
                    cookie,
                    login_page,
                    latency: t.elapsed(),
                    at: started.elapsed(),
                });
            }
            mine
        });
    }
    let mut all = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        all.extend(joined?);
    }
    all.sort_by_key(|a| a.at);
    Ok(all)
}

/// What one phase produced, with the server's memory and CPU meanwhile.
struct Phase {
    answers: Vec<Answer>,
    seconds: f64,
    cores: Cores,
    samples: Vec<Memory>,
    end: Memory,
}

async fn phase(
    pid: u32,
    clients: &[reqwest::Client],
    url: &str,
    body: fn(usize, u64) -> (String, &'static str),
    duration: Duration,
    budget: u64,
) -> Result<Phase> {
    let sampler = Sampler::start(pid);
    let cpu = CpuSpan::start(pid);
    let started = Instant::now();
    let answers = flood(clients, url, body, started + duration, budget).await?;
    let seconds = started.elapsed().as_secs_f64();
    let cores = cpu.cores(pid);
    let samples = sampler.finish().await?;
    let end = memory_of(pid).unwrap_or_default();
    Ok(Phase {
        answers,
        seconds,
        cores,
        samples,
        end,
    })
}

impl Phase {
    fn statuses(&self) -> BTreeMap<u16, u64> {
        let mut counts = BTreeMap::new();
        for a in &self.answers {
            *counts.entry(a.status).or_insert(0) += 1;
        }
        counts
    }

    fn statuses_text(&self) -> String {
        self.statuses()
            .iter()
            .map(|(s, n)| {
                if *s == 0 {
                    format!("{n} transport errors")
                } else {
                    format!("{n} × {s}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn statuses_json(&self) -> Value {
        Value::Object(
            self.statuses()
                .iter()
                .map(|(s, n)| (s.to_string(), json!(n)))
                .collect(),
        )
    }

    fn cores_text(&self) -> String {
        let c = |c: Option<f64>| c.map_or_else(|| "?".to_owned(), |c| format!("{c:.2}"));
        format!(
            "cores busy: server {} (kernel {}), benchmark {}, whole machine {}",
            c(self.cores.server),
            c(self.cores.server_system),
            c(self.cores.bench),
            c(self.cores.machine)
        )
    }

    fn cores_json(&self) -> Value {
        json!({
            "server": self.cores.server,
            "server_kernel": self.cores.server_system,
            "server_minor_faults": self.cores.server_faults,
            "benchmark": self.cores.bench,
            "machine": self.cores.machine,
        })
    }

    fn max_rss(&self) -> u64 {
        self.samples.iter().map(|m| m.rss_kib).max().unwrap_or(0)
    }

    fn memory_text(&self) -> String {
        format!(
            "server VmRSS up to {:.1} MiB (median {:.1}) in {} samples, VmHWM {:.1} MiB at the end, \
             up to {} threads",
            mib(self.max_rss()),
            median(self.samples.iter().map(|m| m.rss_kib as f64).collect()) / 1024.0,
            self.samples.len(),
            mib(self.end.hwm_kib),
            self.samples.iter().map(|m| m.threads).max().unwrap_or(0)
        )
    }

    fn memory_json(&self) -> Value {
        json!({
            "samples": self.samples.len(),
            "max_sampled_rss_kib": self.max_rss(),
            "median_sampled_rss_kib": median(self.samples.iter().map(|m| m.rss_kib as f64).collect()),
            "max_sampled_threads": self.samples.iter().map(|m| m.threads).max(),
            "rss_kib_at_end": self.end.rss_kib,
            "hwm_kib_at_end": self.end.hwm_kib,
        })
    }
}

/// A class of answers: how many, how fast they came (from the first to the last), latency.
struct Class {
    count: usize,
    per_second: f64,
    latency: Latency,
}

impl Class {
    fn of(answers: &[&Answer]) -> Self {
        let span = match (answers.first(), answers.last()) {
            (Some(first), Some(last)) => (last.at - first.at).as_secs_f64(),
            _ => 0.0,
        };
        Class {
            count: answers.len(),
            per_second: if span > 0.0 {
                answers.len() as f64 / span
            } else {
                0.0
            },
            latency: latency(answers.iter().map(|a| a.latency).collect()),
        }
    }

    fn json(&self) -> Value {
        json!({
            "count": self.count,
            "per_second": self.per_second,
            "latency": self.latency.json(),
        })
    }
}

fn success_body(client: usize, _n: u64) -> (String, &'static str) {
    (
        ACCOUNTS[client % ACCOUNTS.len()].to_owned(),
        demo::DEMO_PASSWORD,
    )
}

fn failure_body(client: usize, n: u64) -> (String, &'static str) {
    (
        format!("inconnu-{client}-{n}@bench.rempart.invalid"),
        WRONG_PASSWORD,
    )
}

pub async fn run(ctx: &Ctx, args: &LoginArgs) -> Result<Report> {
    let bin = ctx.rempart_bin().ok_or(
        "login: no `rempart` binary beside rempart-bench; build it \
         (cargo build --release -p rempart) or pass --rempart-bin",
    )?;
    let defaults = WebConfig::default();
    for email in ACCOUNTS {
        let account = demo::ACCOUNTS
            .iter()
            .find(|a| a.email == email)
            .ok_or_else(|| format!("login: {email} is not a demo account any more"))?;
        if defaults.mfa_roles.contains(&account.role) {
            return Err(format!("login: {email} now needs a second factor").into());
        }
    }
    let clients_n = args.login_clients.clamp(1, MAX_CLIENTS as usize);
    let duration = Duration::from_secs(args.login_seconds.max(1));

    progress("login: timing Argon2id (production parameters) in this process");
    let cal = calibrate().await?;
    let ceiling = cal.ceiling();
    let production = PasswordHashing::production().map_err(|e| e.to_string())?;
    let p = production.params();
    let (m_kib, t_cost, p_cost) = (p.m_cost(), p.t_cost(), p.p_cost());

    let db = ctx.fresh_db("login").await?;
    let (data_dir, own_data_dir) = match db.dir() {
        Some(dir) => (dir.to_path_buf(), false),
        None => {
            let dir = ctx.work_dir.join(format!(
                "rempart-bench-{}_{}_login-data",
                std::process::id(),
                rempart_storage::now_micros()
            ));
            std::fs::create_dir_all(&dir)?;
            (dir, true)
        }
    };
    let database_url = match ctx.engine {
        EngineArg::Sqlite => None,
        EngineArg::Postgres => Some(db.url.expose().to_owned()),
    };
    progress(&format!(
        "login: starting {} serve --demo on {}",
        bin.display(),
        ctx.engine.name()
    ));
    let server = start_server(&bin, &data_dir, database_url.as_deref(), &data_dir).await?;
    let pid = server.pid();
    let url = format!("{}/login", server.base);

    // Idle: after start-up (which hashed the demo password once) and a second of rest.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = memory_of(pid).ok_or("login: cannot read the server's /proc status")?;

    // (a) Correct passwords, each client from its own loopback address.
    progress(&format!(
        "login: (a) correct passwords, {clients_n} clients from 127.0.0.2 on, for {} s",
        duration.as_secs()
    ));
    let clients = (0..clients_n)
        .map(|i| client_from(source_address(i)))
        .collect::<Result<Vec<_>>>()?;
    let a = phase(pid, &clients, &url, success_body, duration, args.max_logins).await?;
    drop(clients);
    let logins = a
        .answers
        .iter()
        .filter(|x| x.status == 303 && x.cookie)
        .count();
    let rate_a = logins as f64 / a.seconds;
    // Server CPU time per login: hashing, and the rest of the request.
    let cpu_per_login_ms = a.cores.server.map(|c| c * 1e3 / rate_a);
    let faults_per_login = a.cores.server_faults.map(|f| f as f64 / logins as f64);
    let lat_a = latency(a.answers.iter().map(|x| x.latency).collect());
    if logins == 0 {
        server.stop().await?;
        db.remove().await?;
        if own_data_dir && !ctx.keep {
            std::fs::remove_dir_all(&data_dir)?;
        }
        return Err(format!("login: no login succeeded ({})", a.statuses_text()).into());
    }

    // (b) Wrong passwords for unknown e-mail addresses, every client from 127.0.0.1.
    progress(&format!(
        "login: (b) wrong passwords for unknown e-mails, {clients_n} clients from 127.0.0.1, \
         for {} s",
        duration.as_secs()
    ));
    let one_source = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let clients = (0..clients_n)
        .map(|_| client_from(one_source))
        .collect::<Result<Vec<_>>>()?;
    let b = phase(pid, &clients, &url, failure_body, duration, args.max_logins).await?;
    drop(clients);
    let checked: Vec<&Answer> = b.answers.iter().filter(|x| x.status == 401).collect();
    let throttled: Vec<&Answer> = b
        .answers
        .iter()
        .filter(|x| x.status == 429 && x.login_page)
        .collect();
    let limited: Vec<&Answer> = b
        .answers
        .iter()
        .filter(|x| x.status == 429 && !x.login_page)
        .collect();
    let first_refusal = b.answers.iter().find(|x| x.status == 429).map(|x| x.at);
    // The checks answered before the first refusal, and how fast they came; requests that
    // had passed the throttle's check before the limit was reached are still checked.
    let engaged = first_refusal.unwrap_or(Duration::MAX);
    let checked_before = checked.iter().filter(|x| x.at < engaged).count();
    let checked_before_seconds = match first_refusal {
        Some(t) => t.as_secs_f64(),
        None => checked.last().map_or(0.0, |x| x.at.as_secs_f64()),
    };
    let checked_rate = if checked_before_seconds > 0.0 {
        checked_before as f64 / checked_before_seconds
    } else {
        0.0
    };
    let checked_after = checked.len() - checked_before;
    let checked = Class::of(&checked);
    let throttled = Class::of(&throttled);
    let limited = Class::of(&limited);

    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = memory_of(pid).unwrap_or_default();
    server.stop().await?;
    db.remove().await?;
    if own_data_dir && !ctx.keep {
        std::fs::remove_dir_all(&data_dir)?;
    }
    let peak_hwm = a.end.hwm_kib.max(b.end.hwm_kib).max(after.hwm_kib);

    let policy = &defaults.lockout;
    let human = format!(
        "  Argon2id m={m_kib} KiB t={t_cost} p={p_cost}, {PERMITS} permits; one hash in this process: \
         {:.1} ms alone, {:.1} ms each two at once: ceiling {ceiling:.0} logins/s\n  \
         server {} (pid {pid}): idle VmRSS {:.1} MiB, VmHWM {:.1} MiB after start-up, {} threads\n  \
         (a) correct password, {} accounts, {clients_n} clients from {clients_n} addresses: \
         {rate_a:.1} logins/s over {:.1} s, {}\n      {}; {} ({} ms of server CPU and {} minor page faults a login)\n      {}\n  \
         (b) wrong password, unknown e-mails, {clients_n} clients from 127.0.0.1: {}; {}\n      \
         checked and refused (401): {} in all, {checked_before} before the first 429 at \
         {checked_before_seconds:.2} s ({checked_rate:.1} checks/s), {checked_after} after it; {}\n      \
         source throttle (429, login form): {}, {:.0}/s, {}\n      \
         public rate limit (429, error page): {}, {:.0}/s, {}\n      {}\n  \
         after the flood: server VmRSS {:.1} MiB; peak VmHWM {:.1} MiB\n",
        cal.alone_ms,
        cal.pair_ms,
        bin.display(),
        mib(idle.rss_kib),
        mib(idle.hwm_kib),
        idle.threads,
        ACCOUNTS.len(),
        a.seconds,
        lat_a.short(),
        a.statuses_text(),
        a.cores_text(),
        opt_ms(cpu_per_login_ms),
        faults_per_login.map_or_else(|| "?".to_owned(), |f| format!("{f:.0}")),
        a.memory_text(),
        b.statuses_text(),
        b.cores_text(),
        checked.count,
        checked.latency.short(),
        throttled.count,
        throttled.per_second,
        throttled.latency.short(),
        limited.count,
        limited.per_second,
        limited.latency.short(),
        b.memory_text(),
        mib(after.rss_kib),
        mib(peak_hwm),
    );
    let mut success = lat_a.json();
    success["requests"] = json!(a.answers.len());
    success["logins"] = json!(logins);
    success["seconds"] = json!(a.seconds);
    success["logins_per_second"] = json!(rate_a);
    success["statuses"] = a.statuses_json();
    success["memory"] = a.memory_json();
    success["cores"] = a.cores_json();
    success["server_cpu_ms_per_login"] = json!(cpu_per_login_ms);
    success["server_minor_faults_per_login"] = json!(faults_per_login);
    success["accounts"] = json!(ACCOUNTS);
    success["source_addresses"] = json!(clients_n);
    let mut checked_json = checked.json();
    checked_json["before_first_429"] = json!(checked_before);
    checked_json["first_429_at_seconds"] = json!(first_refusal.map(|t| t.as_secs_f64()));
    checked_json["per_second_before_first_429"] = json!(checked_rate);
    checked_json["after_first_429"] = json!(checked_after);
    let failure = json!({
        "requests": b.answers.len(),
        "seconds": b.seconds,
        "source_addresses": 1,
        "statuses": b.statuses_json(),
        "checked": checked_json,
        "source_throttle": throttled.json(),
        "public_rate_limit": limited.json(),
        "memory": b.memory_json(),
        "cores": b.cores_json(),
    });
    Ok(Report {
        human,
        json: json!({
            "clients": clients_n,
            "seconds_per_phase": args.login_seconds,
            "max_logins": args.max_logins,
            "server_binary": bin.display().to_string(),
            "hashing": {
                "m_kib": m_kib,
                "t": t_cost,
                "p": p_cost,
                "permits": PERMITS,
                "one_hash_ms": cal.alone_ms,
                "two_at_once_ms_each": cal.pair_ms,
                "ceiling_logins_per_second": ceiling,
            },
            "limits": {
                "account_max_failures": policy.max_failures,
                "source_max_failures": policy.source_max_failures,
                "source_window_seconds": policy.window_micros / 1_000_000,
                "public_requests_per_minute": defaults.public_rate.per_minute,
            },
            "memory": {
                "idle_rss_kib": idle.rss_kib,
                "hwm_kib_after_start_up": idle.hwm_kib,
                "idle_threads": idle.threads,
                "rss_kib_after_flood": after.rss_kib,
                "peak_hwm_kib": peak_hwm,
                "sample_every_ms": ms(SAMPLE_EVERY),
            },
            "success": success,
            "failure": failure,
        }),
    })
}
