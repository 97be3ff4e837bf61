//! A throw-away local chain with the protocol deployed: the pinned anvil plus
//! `script/Deploy.s.sol` run with the `local` config. Used by integration tests and benchmarks.
//!
//! Needs the pinned toolchain (`make deps`); the first deploy compiles the contracts.

use std::{
    collections::HashMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use alloy::{
    primitives::Address,
    providers::{Provider, ProviderBuilder},
};
use serde::Deserialize;

use crate::ChainError;

/// Private keys of anvil's default dev accounts #0..#9 (public test keys, never hold value).
pub const DEV_KEYS: [&str; 10] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

/// The repository root (where `script/` and `node_modules/` live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn tool(name: &str) -> PathBuf {
    repo_root().join(format!(
        "node_modules/@foundry-rs/{name}-linux-amd64/bin/{name}"
    ))
}

/// The protocol a [`TestChain`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Our contracts as `script/Deploy.s.sol` deploys them.
    Ours,
    /// Our contracts behind the live-deployment fixture ([`TestChain::start_live_fixture`]).
    LiveFixture,
}

impl Flavor {
    /// Both, for tests that run against each.
    pub const ALL: [Flavor; 2] = [Flavor::Ours, Flavor::LiveFixture];
}

/// A running anvil with the protocol deployed. Killed on drop.
#[derive(Debug)]
pub struct TestChain {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    /// The deployed Controller.
    pub controller: Address,
}

#[derive(Deserialize)]
struct Deployment {
    contracts: Contracts,
}

#[derive(Deserialize)]
struct Contracts {
    #[serde(rename = "Controller")]
    controller: Address,
}

fn free_port() -> Result<u16, ChainError> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| ChainError::TestChain(e.to_string()))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| ChainError::TestChain(e.to_string()))
}

fn spawn_anvil(port: u16, state: &Path, load: bool) -> Result<Child, ChainError> {
    let bin = tool("anvil");
    if !bin.is_file() {
        return Err(ChainError::TestChain(format!(
            "{} not found: run `make deps` first",
            bin.display()
        )));
    }
    let mut cmd = Command::new(bin);
    cmd.args(["--port", &port.to_string(), "--silent"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.arg("--dump-state").arg(state);
    // Anvil writes the states of old blocks to disk (about 1 MB a block with the protocol
    // deployed); kept next to the state file, they go with the temp dir instead of piling up in
    // ~/.foundry/anvil/tmp when a test kills its chain.
    if let Some(dir) = state.parent() {
        cmd.arg("--cache-path").arg(dir.join("anvil-cache"));
    }
    if load {
        cmd.arg("--load-state").arg(state);
    }
    cmd.spawn()
        .map_err(|e| ChainError::TestChain(format!("spawning anvil: {e}")))
}

/// The longest a deploy may take (the first one compiles the contracts: about 2 minutes).
const DEPLOY_TIMEOUT: Duration = Duration::from_secs(600);

impl TestChain {
    /// Starts anvil (automining) on a free port and deploys the protocol with the `local` config.
    pub async fn start() -> Result<Self, ChainError> {
        let mut chain = Self::start_bare().await?;
        chain.controller = chain.deploy().await?;
        Ok(chain)
    }

    /// Starts anvil (automining) on a free port, without the protocol (`controller` is zero):
    /// for tests of the chain layer alone.
    pub async fn start_bare() -> Result<Self, ChainError> {
        let port = free_port()?;
        let dir = tempfile::tempdir().map_err(|e| ChainError::TestChain(e.to_string()))?;
        let child = spawn_anvil(port, &dir.path().join("state.json"), false)?;
        let chain = Self {
            child: Some(child),
            port,
            dir,
            controller: Address::ZERO,
        };
        chain.wait_ready().await?;
        Ok(chain)
    }

    /// [`TestChain::start`], then the protocol made to answer like the live deployment on Arbitrum One
    /// (livepeer/protocol `delta` f225b10) where tools depend on it: the test fixture
    /// `test/fixtures/InstallLiveFixture.s.sol` upgrades the BondingManager, TicketBroker and
    /// RoundsManager proxies to wrappers that revert with empty data for functions the live
    /// contracts lack (no LIP-118 reward caller) and with the live revert strings.
    pub async fn start_live_fixture() -> Result<Self, ChainError> {
        let chain = Self::start().await?;
        chain
            .forge_script(
                "test/fixtures/InstallLiveFixture.s.sol:InstallLiveFixture",
                &[],
            )
            .await?;
        Ok(chain)
    }

    /// Starts anvil on a free port from `state`, a chain saved by [`TestChain::save_state`] with the
    /// protocol's Controller at `controller`: a test's chain in about half a second instead of a
    /// deploy.
    pub async fn start_from_state(state: &[u8], controller: Address) -> Result<Self, ChainError> {
        let port = free_port()?;
        let dir = tempfile::tempdir().map_err(|e| ChainError::TestChain(e.to_string()))?;
        let own = dir.path().join("state.json");
        std::fs::write(&own, state)
            .map_err(|e| ChainError::TestChain(format!("writing {}: {e}", own.display())))?;
        let chain = Self {
            child: Some(spawn_anvil(port, &own, true)?),
            port,
            dir,
            controller,
        };
        chain.wait_ready().await?;
        Ok(chain)
    }

    /// The chain as it is (anvil is stopped, dumping its state, and resumed), for
    /// [`TestChain::start_from_state`].
    pub async fn save_state(&mut self) -> Result<Vec<u8>, ChainError> {
        self.stop().await?;
        let state = self.state_file();
        let saved = std::fs::read(&state)
            .map_err(|e| ChainError::TestChain(format!("reading {}: {e}", state.display())))?;
        self.resume().await?;
        Ok(saved)
    }

    /// Which protocol a test runs against: ours ([`TestChain::start`]) or the live stand-in
    /// ([`TestChain::start_live_fixture`]).
    pub async fn start_flavor(flavor: Flavor) -> Result<Self, ChainError> {
        match flavor {
            Flavor::Ours => Self::start().await,
            Flavor::LiveFixture => Self::start_live_fixture().await,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `ws://127.0.0.1:<port>`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    async fn wait_ready(&self) -> Result<(), ChainError> {
        let url = self
            .http_url()
            .parse()
            .map_err(|e: url::ParseError| ChainError::TestChain(e.to_string()))?;
        let provider = ProviderBuilder::new().connect_http(url);
        for _ in 0..200 {
            if provider.get_chain_id().await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(ChainError::TestChain(
            "anvil did not answer within 10 s".into(),
        ))
    }

    fn deployments_file(&self) -> PathBuf {
        self.dir.path().join("deployment.json")
    }

    async fn deploy(&self) -> Result<Address, ChainError> {
        self.forge_script(
            "script/Deploy.s.sol:Deploy",
            &["--sig", "run(string)", "local"],
        )
        .await?;
        let out = self.deployments_file();
        let text = std::fs::read_to_string(&out)
            .map_err(|e| ChainError::TestChain(format!("reading {}: {e}", out.display())))?;
        let deployment: Deployment = serde_json::from_str(&text)
            .map_err(|e| ChainError::TestChain(format!("parsing {}: {e}", out.display())))?;
        Ok(deployment.contracts.controller)
    }

    /// Runs a forge script from anvil's account #0 against this chain, with `DEPLOYMENTS_FILE` set to
    /// this chain's deployments file.
    async fn forge_script(&self, target: &str, args: &[&str]) -> Result<(), ChainError> {
        // `--slow`: one transaction at a time. With many deploys in parallel on a loaded machine,
        // forge's concurrent broadcast once left a nonce gap (later transactions queued forever)
        // and waited for their receipts without end; the timeout turns any such hang into an error.
        let url = self.http_url();
        let mut all = vec!["script", target];
        all.extend_from_slice(args);
        all.extend_from_slice(&[
            "--rpc-url",
            &url,
            "--broadcast",
            "--slow",
            "--private-key",
            DEV_KEYS[0],
        ]);
        let run = tokio::process::Command::new(tool("forge"))
            .current_dir(repo_root())
            .args(&all)
            .env("DEPLOYMENTS_FILE", self.deployments_file())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .output();
        let status = tokio::time::timeout(DEPLOY_TIMEOUT, run)
            .await
            .map_err(|_| {
                ChainError::TestChain(format!("{target} did not finish within {DEPLOY_TIMEOUT:?}"))
            })?
            .map_err(|e| ChainError::TestChain(format!("running forge: {e}")))?;
        if !status.status.success() {
            let stderr = String::from_utf8_lossy(&status.stderr);
            return Err(ChainError::TestChain(format!("{target} failed: {stderr}")));
        }
        Ok(())
    }

    /// Stops anvil with SIGINT, which makes it dump its state (`--dump-state`), so
    /// [`TestChain::resume`] can bring the same chain back on the same port: an RPC outage.
    pub async fn stop(&mut self) -> Result<(), ChainError> {
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .map_err(|e| ChainError::TestChain(format!("signalling anvil: {e}")))?;
            if !status.success() {
                return Err(ChainError::TestChain("kill -INT anvil failed".into()));
            }
            child
                .wait()
                .map_err(|e| ChainError::TestChain(format!("waiting for anvil: {e}")))?;
        }
        Ok(())
    }

    /// Restarts anvil from the state dumped by [`TestChain::stop`].
    pub async fn resume(&mut self) -> Result<(), ChainError> {
        let state = self.state_file();
        self.child = Some(spawn_anvil(self.port, &state, true)?);
        self.wait_ready().await
    }

    fn state_file(&self) -> PathBuf {
        self.dir.path().join("state.json")
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for TestChain {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A bot's Prometheus `/metrics` endpoint, read by the bench binaries.
#[derive(Debug, Clone)]
pub struct MetricsScrape {
    http: alloy::transports::http::reqwest::Client,
    url: String,
}

impl MetricsScrape {
    /// The endpoint `http://<addr>/metrics`.
    pub fn new(addr: &str) -> Self {
        Self {
            http: alloy::transports::http::reqwest::Client::new(),
            url: format!("http://{addr}/metrics"),
        }
    }

    /// Every sample, keyed by name and labels (`name{label="…"}`).
    pub async fn samples(&self) -> Result<HashMap<String, f64>, ChainError> {
        let fail = |e: alloy::transports::http::reqwest::Error| {
            ChainError::TestChain(format!("scraping {}: {e}", self.url))
        };
        let text = self
            .http
            .get(&self.url)
            .send()
            .await
            .map_err(fail)?
            .text()
            .await
            .map_err(fail)?;
        Ok(text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.rsplit_once(' '))
            .filter_map(|(key, value)| Some((key.to_owned(), value.trim().parse().ok()?)))
            .collect())
    }

    /// One sample, truncated to an integer.
    pub async fn value(&self, key: &str) -> Result<u64, ChainError> {
        self.samples()
            .await?
            .get(key)
            .map(|v| *v as u64)
            .ok_or_else(|| ChainError::TestChain(format!("metric {key} missing at {}", self.url)))
    }

    /// Waits until the gauge `key` reaches `at_least` (a server not up yet counts as 0).
    pub async fn wait_for(
        &self,
        key: &str,
        at_least: u64,
        timeout: Duration,
    ) -> Result<(), ChainError> {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if self.value(key).await.unwrap_or_default() >= at_least {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Err(ChainError::TestChain(format!(
            "{key} did not reach {at_least} within {timeout:?}"
        )))
    }
}

/// Resident and peak resident memory of a process in KiB (`VmRSS`, `VmHWM`; 0 where /proc has none).
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_of_this_process_is_reported() {
        let (rss, peak) = memory_kib(std::process::id());
        assert!(rss > 0, "VmRSS read");
        assert!(peak >= rss, "VmHWM is the peak");
        assert_eq!(memory_kib(u32::MAX), (0, 0), "no such process");
    }
}
