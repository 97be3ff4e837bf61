//! [`BotProcess`]: a bot's binary run as a child process by its documented flags, as an operator
//! runs it.

use std::{
    collections::HashMap,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::Duration,
};

use super::fail;
use crate::{
    ChainError,
    testchain::{MetricsScrape, memory_kib},
};

/// A bot binary running as a child process; killed on drop.
///
/// The harness adds `--metrics-addr` (a free port); each start logs (stdout and stderr) to
/// `<dir>/<name>.<n>.log`.
#[derive(Debug)]
pub struct BotProcess {
    name: String,
    bin: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    dir: PathBuf,
    child: Option<Child>,
    starts: u32,
    metrics_addr: SocketAddr,
    scrape: MetricsScrape,
    peak_kib: u64,
}

/// Every sample of a `/metrics` scrape, by name and labels (`name{label="…"}`).
#[derive(Debug, Clone, Default)]
pub struct Samples(pub HashMap<String, f64>);

impl Samples {
    /// The sample `key`, 0 when absent.
    pub fn get(&self, key: &str) -> f64 {
        self.0.get(key).copied().unwrap_or(0.0)
    }
}

fn free_addr() -> Result<SocketAddr, ChainError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| fail(format!("a free port: {e}")))
}

impl BotProcess {
    /// Starts `bin` with `args` and `env` (plus `--metrics-addr`), logging into `dir`.
    pub fn spawn(
        name: &str,
        bin: &Path,
        args: &[String],
        env: &[(String, String)],
        dir: &Path,
    ) -> Result<Self, ChainError> {
        if !bin.is_file() {
            return Err(fail(format!("{} not found: build it first", bin.display())));
        }
        let metrics_addr = free_addr()?;
        let mut bot = Self {
            name: name.to_owned(),
            bin: bin.to_path_buf(),
            args: args.to_vec(),
            env: env.to_vec(),
            dir: dir.to_path_buf(),
            child: None,
            starts: 0,
            metrics_addr,
            scrape: MetricsScrape::new(&metrics_addr.to_string()),
            peak_kib: 0,
        };
        bot.launch()?;
        Ok(bot)
    }

    /// A second instance with the same binary, flags and environment (a rival: another host
    /// with the same key). Its own metrics address and its own `--state-dir` (the original's
    /// path + `-twin`), as two hosts have; one host's two processes cannot share either.
    pub fn twin(&self) -> Result<Self, ChainError> {
        let mut args = self.args.clone();
        if let Some(at) = args.iter().position(|a| a == "--state-dir")
            && let Some(dir) = args.get_mut(at + 1)
        {
            dir.push_str("-twin");
        }
        Self::spawn(
            &format!("{}-twin", self.name),
            &self.bin,
            &args,
            &self.env,
            &self.dir,
        )
    }

    fn launch(&mut self) -> Result<(), ChainError> {
        self.starts += 1;
        let log_path = self.dir.join(format!("{}.{}.log", self.name, self.starts));
        let log = std::fs::File::create(&log_path)
            .map_err(|e| fail(format!("creating {}: {e}", log_path.display())))?;
        let err = log
            .try_clone()
            .map_err(|e| fail(format!("{}: {e}", log_path.display())))?;
        let child = Command::new(&self.bin)
            .args(&self.args)
            .arg("--metrics-addr")
            .arg(self.metrics_addr.to_string())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| fail(format!("spawning {}: {e}", self.bin.display())))?;
        self.child = Some(child);
        Ok(())
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the process with SIGKILL (a crash: no shutdown code runs) and reaps it.
    pub fn kill(&mut self) -> Result<(), ChainError> {
        self.note_memory();
        if let Some(mut child) = self.child.take() {
            child
                .kill()
                .and_then(|()| child.wait().map(|_| ()))
                .map_err(|e| fail(format!("killing {}: {e}", self.name)))?;
        }
        Ok(())
    }

    /// Starts the process again with the same flags (after [`BotProcess::kill`]).
    pub fn restart(&mut self) -> Result<(), ChainError> {
        self.kill()?;
        self.launch()
    }

    /// Stops the process with SIGTERM, as an operator does; SIGKILL after 10 s.
    pub async fn terminate(&mut self) -> Result<Option<ExitStatus>, ChainError> {
        self.note_memory();
        let Some(mut child) = self.child.take() else {
            return Ok(None);
        };
        let pid = child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .map_err(|e| fail(format!("kill -TERM {pid}: {e}")))?;
        for _ in 0..200 {
            if let Some(status) = child.try_wait().map_err(|e| fail(e.to_string()))? {
                return Ok(Some(status));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        Ok(None)
    }

    /// The exit status if the process has ended (on its own or killed).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// Errs (with the log's tail) if the process has ended.
    pub fn check_alive(&mut self) -> Result<(), ChainError> {
        match self.exited() {
            None => Ok(()),
            Some(status) => Err(fail(format!(
                "{} exited ({status}); its log ends:\n{}",
                self.name,
                tail(&self.log(), 30)
            ))),
        }
    }

    /// Everything the process wrote, every start's log in order.
    pub fn log(&self) -> String {
        (1..=self.starts)
            .map(|n| {
                std::fs::read_to_string(self.dir.join(format!("{}.{n}.log", self.name)))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("")
    }

    /// Its `/metrics` endpoint.
    pub fn metrics(&self) -> &MetricsScrape {
        &self.scrape
    }

    /// A full `/metrics` scrape.
    pub async fn samples(&self) -> Result<Samples, ChainError> {
        Ok(Samples(self.scrape.samples().await?))
    }

    /// One sample, 0 while the server is not up (or the sample absent).
    pub async fn value(&self, key: &str) -> f64 {
        match self.scrape.samples().await {
            Ok(samples) => samples.get(key).copied().unwrap_or(0.0),
            Err(_) => 0.0,
        }
    }

    /// Waits until the sample `key` is at least `at_least`.
    pub async fn wait_for(
        &mut self,
        key: &str,
        at_least: f64,
        timeout: Duration,
    ) -> Result<(), ChainError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let value = self.value(key).await;
            if value >= at_least {
                return Ok(());
            }
            self.check_alive()?;
            if tokio::time::Instant::now() > deadline {
                return Err(fail(format!(
                    "{}: {key} is {value}, not {at_least}, after {timeout:?}; its log ends:\n{}",
                    self.name,
                    tail(&self.log(), 30)
                )));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits until a line of the log holds both `what` and `and`.
    pub async fn wait_log(
        &mut self,
        what: &str,
        and: &str,
        timeout: Duration,
    ) -> Result<(), ChainError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self
                .log()
                .lines()
                .any(|l| l.contains(what) && l.contains(and))
            {
                return Ok(());
            }
            self.check_alive()?;
            if tokio::time::Instant::now() > deadline {
                return Err(fail(format!(
                    "{}: no log line with {what:?} and {and:?} after {timeout:?}; its log ends:\n{}",
                    self.name,
                    tail(&self.log(), 30)
                )));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// `GET /health`: the status code and the body.
    pub async fn health(&self) -> Result<(u16, String), ChainError> {
        let url = format!("http://{}/health", self.metrics_addr);
        let response = alloy::transports::http::reqwest::get(&url)
            .await
            .map_err(|e| fail(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| fail(format!("{url}: {e}")))?;
        Ok((status, body))
    }

    /// Peak resident memory (KiB) over every start so far, the running one included.
    pub fn peak_memory_kib(&mut self) -> u64 {
        self.note_memory();
        self.peak_kib
    }

    fn note_memory(&mut self) {
        if let Some(pid) = self.pid() {
            self.peak_kib = self.peak_kib.max(memory_kib(pid).1);
        }
    }
}

impl Drop for BotProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
