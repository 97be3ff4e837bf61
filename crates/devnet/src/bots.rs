//! The bots as child processes: `livepeer-keeper`, `livepeer-reward-agent` (for every
//! orchestrator) and `livepeer-redeemer`, each logging to `<work_dir>/<name>.log`.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use alloy::{primitives::Address, signers::local::PrivateKeySigner};
use anyhow::{Context as _, Result, bail, ensure};
use tokio::process::{Child, Command};

use crate::economy::Orchestrator;

pub(crate) fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// A bot running as a child process, its output in `<work_dir>/<name>.log`.
pub(crate) struct Bot {
    pub(crate) name: &'static str,
    pub(crate) child: Child,
}

impl Bot {
    pub(crate) fn spawn(
        name: &'static str,
        bin: &Path,
        args: &[String],
        envs: &[(String, String)],
        work_dir: &Path,
    ) -> Result<Self> {
        ensure!(
            bin.is_file(),
            "{} not found: build it first (make devnet does)",
            bin.display()
        );
        let log = std::fs::File::create(work_dir.join(format!("{name}.log")))?;
        let child = Command::new(bin)
            .args(args)
            .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawning {}", bin.display()))?;
        Ok(Self { name, child })
    }

    /// Still running?
    pub(crate) fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGTERM, then SIGKILL after 10 s.
    pub(crate) async fn stop(mut self) -> Result<()> {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(status) => {
                let status = status?;
                println!("stopped {} ({status})", self.name);
            }
            Err(_) => {
                self.child.kill().await?;
                println!("killed {} (no exit 10 s after SIGTERM)", self.name);
            }
        }
        Ok(())
    }
}

/// How to run one bot: its binary, flags and environment (keys), without `--metrics-addr`.
pub(crate) struct BotCommand {
    pub(crate) name: &'static str,
    pub(crate) bin: PathBuf,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
}

/// Where the bots run and what they connect to.
pub(crate) struct BotSetup<'a> {
    /// Directory of the bot binaries.
    pub(crate) bin_dir: &'a Path,
    /// Directory of the logs and the redeemer's state.
    pub(crate) work_dir: &'a Path,
    /// HTTP RPC URL (the redeemer).
    pub(crate) http_url: &'a str,
    /// WebSocket RPC URL (the keeper and the reward agent).
    pub(crate) ws_url: &'a str,
    /// The Controller.
    pub(crate) controller: Address,
    /// The redeemer's inbox.
    pub(crate) inbox: &'a Path,
}

impl BotSetup<'_> {
    /// The keeper (key `keeper`), the reward agent (every orchestrator's own key) and the
    /// redeemer (key `redeemer`), in that order.
    pub(crate) fn commands(
        &self,
        keeper: &PrivateKeySigner,
        orchs: &[Orchestrator],
        redeemer: &PrivateKeySigner,
    ) -> Vec<BotCommand> {
        let ctrl = self.controller.to_string();
        let keeper_cmd = BotCommand {
            name: "keeper",
            bin: self.bin_dir.join("livepeer-keeper"),
            args: vec![
                "--rpc-url".into(),
                self.ws_url.to_string(),
                "--controller".into(),
                ctrl.clone(),
                "--private-key-env".into(),
                "DEVNET_KEEPER_KEY".into(),
            ],
            env: vec![("DEVNET_KEEPER_KEY".into(), keeper.to_bytes().to_string())],
        };
        let mut agent = BotCommand {
            name: "reward-agent",
            bin: self.bin_dir.join("livepeer-reward-agent"),
            args: vec![
                "--rpc-url".to_string(),
                self.ws_url.to_string(),
                "--controller".into(),
                ctrl.clone(),
            ],
            env: Vec::new(),
        };
        for (i, o) in orchs.iter().enumerate() {
            agent.args.push("--orchestrator".into());
            agent
                .args
                .push(format!("{}=env:DEVNET_O{i}_KEY", o.signer.address()));
            agent
                .env
                .push((format!("DEVNET_O{i}_KEY"), o.signer.to_bytes().to_string()));
        }
        let redeemer_cmd = BotCommand {
            name: "redeemer",
            bin: self.bin_dir.join("livepeer-redeemer"),
            args: vec![
                "--rpc-url".into(),
                self.http_url.to_string(),
                "--controller".into(),
                ctrl,
                "--state-dir".into(),
                self.work_dir.join("redeemer-state").display().to_string(),
                "--inbox".into(),
                self.inbox.display().to_string(),
                "--poll-interval".into(),
                "1".into(),
            ],
            env: vec![(
                "REDEEMER_PRIVATE_KEY".into(),
                redeemer.to_bytes().to_string(),
            )],
        };
        vec![keeper_cmd, agent, redeemer_cmd]
    }

    /// Starts the keeper, the reward agent and the redeemer ([`BotSetup::commands`]), each
    /// serving its metrics on a free port.
    pub(crate) fn start(
        &self,
        keeper: &PrivateKeySigner,
        orchs: &[Orchestrator],
        redeemer: &PrivateKeySigner,
    ) -> Result<Vec<Bot>> {
        let mut bots = Vec::new();
        for cmd in self.commands(keeper, orchs, redeemer) {
            let mut args = cmd.args;
            args.push("--metrics-addr".into());
            args.push(format!("127.0.0.1:{}", free_port()?));
            bots.push(Bot::spawn(
                cmd.name,
                &cmd.bin,
                &args,
                &cmd.env,
                self.work_dir,
            )?);
        }
        println!(
            "started livepeer-keeper, livepeer-reward-agent ({} orchestrators), livepeer-redeemer; logs in {}",
            orchs.len(),
            self.work_dir.display()
        );
        Ok(bots)
    }
}

pub(crate) fn check_bots(bots: &mut [Bot]) -> Result<()> {
    for b in bots.iter_mut() {
        if !b.alive() {
            bail!("{} exited early (see its log)", b.name);
        }
    }
    Ok(())
}
