//! `make devnet`: a local devnet running the whole protocol.
//!
//! 1. Starts the pinned anvil and deploys the protocol with `script/Deploy.s.sol` (`local`
//!    config, 20-block rounds) through [`livepeer_chain::devnet::Devnet`], or uses an external
//!    anvil (`--rpc-url` + `--controller`) where that deploy was run from anvil's account #0.
//! 2. Sets up an economy with dev accounts: orchestrators with different stakes and
//!    commissions, delegators bonded to them, one broadcaster with a deposit and a reserve.
//! 3. Runs the keeper, the reward agent (for every orchestrator) and the ticket redeemer as
//!    real child processes, and switches anvil to interval mining (`--block-time`).
//! 4. Every round the broadcaster signs tickets to every orchestrator with `livepeer-tickets`
//!    (winning ones go to the redeemer's inbox) and one delegator unbonds, rebonds or moves its
//!    stake to another orchestrator.
//! 5. Prints a per-round table and ends with a consistency check (LPT and ETH conservation,
//!    every active orchestrator rewarded every round, every round initialized, every winning
//!    ticket redeemed). [`run`] returns `Ok(false)` when a check fails.

use std::{
    fmt::Write as _,
    io::Write as _,
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    str::FromStr,
    time::{Duration, Instant},
};

use alloy::{
    eips::BlockId,
    network::EthereumWallet,
    primitives::{Address, B256, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{Filter, Log, TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{Context as _, Result, bail, ensure};
use clap::Parser;
use livepeer_bindings::{IBondingManager, IRoundsManager, ITicketBroker};
use livepeer_chain::{
    devnet::{DEV_KEYS, Devnet},
    protocol::Protocol,
};
use livepeer_tickets::{
    AuxData, SignedTicket, Ticket, generate_recipient_rand, recipient_rand_hash,
};
use tokio::process::{Child, Command};

/// Runs a local devnet: protocol, economy, keeper, reward agent and redeemer, round by round.
#[derive(Debug, Clone, Parser)]
#[command(name = "livepeer-devnet", version)]
pub struct Args {
    /// Rounds to run (20 blocks each) after the set-up round.
    #[arg(long, default_value_t = 6)]
    pub rounds: u64,
    /// Orchestrators (different stakes and commissions), at least 1.
    #[arg(long, default_value_t = 3)]
    pub orchestrators: usize,
    /// Delegators bonding to them (and unbonding, rebonding, redelegating), at least 1.
    #[arg(long, default_value_t = 4)]
    pub delegators: usize,
    /// Use this anvil instead of starting one; the protocol must be deployed there by
    /// `script/Deploy.s.sol` from anvil's account #0 (which holds the genesis LPT). Needs
    /// `--controller`.
    #[arg(long, requires = "controller")]
    pub rpc_url: Option<String>,
    /// Controller address on `--rpc-url`; every other contract is looked up in it.
    #[arg(long, requires = "rpc_url")]
    pub controller: Option<Address>,
    /// Seconds between blocks while the bots run (anvil interval mining).
    #[arg(long, default_value_t = 1)]
    pub block_time: u64,
    /// Tickets the broadcaster sends each orchestrator every round.
    #[arg(long, default_value_t = 6)]
    pub tickets_per_round: u64,
    /// Directory of `livepeer-keeper`, `livepeer-reward-agent` and `livepeer-redeemer`
    /// (default: the directory of this binary).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Directory for the bots' logs and the redeemer's inbox and state (default: a new
    /// directory under the system temp dir; its path is printed).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
}

const E18: u64 = 1_000_000_000_000_000_000;

fn lpt(n: u64) -> U256 {
    U256::from(n) * U256::from(E18)
}

fn eth_milli(n: u64) -> U256 {
    U256::from(n) * U256::from(E18 / 1000)
}

/// `amount` (wei) as a decimal with `decimals` fractional digits of 18.
pub fn fmt_units(amount: U256, decimals: usize) -> String {
    let unit = U256::from(E18);
    let int = amount / unit;
    let frac = amount % unit;
    let frac = format!("{frac:0>18}");
    if decimals == 0 {
        int.to_string()
    } else {
        format!("{int}.{}", &frac[..decimals.min(18)])
    }
}

/// A deterministic dev key for `role` #`i` (public: for a devnet only).
fn dev_signer(role: &str, i: usize) -> Result<PrivateKeySigner> {
    let key = keccak256(format!("livepeer-devnet/{role}/{i}"));
    PrivateKeySigner::from_bytes(&key).context("deriving a dev key")
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a free port")?;
    Ok(listener.local_addr()?.port())
}

struct Orchestrator {
    signer: PrivateKeySigner,
    stake: U256,
    reward_cut: U256,
    fee_share: U256,
}

struct Delegator {
    signer: PrivateKeySigner,
    stake: U256,
    first_delegate: usize,
}

/// One round's figures, read when the round's last block is mined.
#[derive(Debug, Default, Clone)]
struct RoundRow {
    round: u64,
    initialized: bool,
    inflation: U256,
    mintable: U256,
    minted: U256,
    rewards: Vec<Option<U256>>,
    active: Vec<bool>,
    treasury: U256,
    won: u64,
    redeemed: u64,
    fees: U256,
    active_stake: U256,
    bonded: U256,
    supply: U256,
    action: String,
}

struct Net {
    provider: DynProvider,
    p: Protocol,
    deployer: Address,
    round_length: u64,
}

impl Net {
    async fn send(&self, what: &str, tx: TransactionRequest) -> Result<TransactionReceipt> {
        let pending = self
            .provider
            .send_transaction(tx)
            .await
            .with_context(|| format!("sending {what}"))?;
        let receipt = pending
            .with_timeout(Some(Duration::from_secs(60)))
            .get_receipt()
            .await
            .with_context(|| format!("receipt of {what}"))?;
        ensure!(
            receipt.status(),
            "{what} reverted ({})",
            receipt.transaction_hash
        );
        Ok(receipt)
    }

    async fn rpc(&self, method: &'static str, params: serde_json::Value) -> Result<()> {
        self.provider
            .raw_request::<_, serde_json::Value>(method.into(), params)
            .await
            .context(method)?;
        Ok(())
    }

    async fn block(&self) -> Result<u64> {
        Ok(self.provider.get_block_number().await?)
    }

    async fn current_round(&self) -> Result<u64> {
        Ok(self
            .p
            .rounds_manager
            .currentRound()
            .call()
            .await?
            .to::<u64>())
    }

    async fn last_initialized(&self) -> Result<u64> {
        Ok(self
            .p
            .rounds_manager
            .lastInitializedRound()
            .call()
            .await?
            .to::<u64>())
    }

    /// Set-up only (automine): leaves the round unlocked (mining past the lock if needed)
    /// and initialized.
    async fn prepare_round(&self) -> Result<()> {
        if self.p.rounds_manager.currentRoundLocked().call().await? {
            let start = self
                .p
                .rounds_manager
                .currentRoundStartBlock()
                .call()
                .await?
                .to::<u64>();
            let to_next = (start + self.round_length).saturating_sub(self.block().await?);
            self.rpc("anvil_mine", serde_json::json!([format!("{to_next:#x}")]))
                .await?;
        }
        if !self
            .p
            .rounds_manager
            .currentRoundInitialized()
            .call()
            .await?
        {
            let tx = self
                .p
                .rounds_manager
                .initializeRound()
                .from(self.deployer)
                .into_transaction_request();
            self.send("initializeRound (set-up)", tx).await?;
        }
        Ok(())
    }

    async fn logs<E: SolEvent>(&self, address: Address, from: u64, to: u64) -> Result<Vec<E>> {
        let filter = Filter::new()
            .address(address)
            .event_signature(E::SIGNATURE_HASH)
            .from_block(from)
            .to_block(to);
        let logs: Vec<Log> = self.provider.get_logs(&filter).await?;
        logs.iter()
            .map(|l| {
                l.log_decode::<E>()
                    .map(|d| d.inner.data)
                    .context("decoding a log")
            })
            .collect()
    }
}

/// A bot running as a child process, its output in `<work_dir>/<name>.log`.
struct Bot {
    name: &'static str,
    child: Child,
}

impl Bot {
    fn spawn(
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
    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGTERM, then SIGKILL after 10 s.
    async fn stop(mut self) -> Result<()> {
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

fn orchestrators(n: usize) -> Result<Vec<Orchestrator>> {
    (0..n)
        .map(|i| {
            let i64 = i as u64;
            Ok(Orchestrator {
                signer: dev_signer("orchestrator", i)?,
                stake: lpt(100_000 + 50_000 * i64),
                // 10%, 25%, 40%, … of rewards kept; 50%, 60%, … of fees shared.
                reward_cut: U256::from((100_000 + 150_000 * i64) % 1_000_000),
                fee_share: U256::from((500_000 + 100_000 * i64) % 1_000_000),
            })
        })
        .collect()
}

fn delegators(m: usize, n: usize) -> Result<Vec<Delegator>> {
    (0..m)
        .map(|j| {
            Ok(Delegator {
                signer: dev_signer("delegator", j)?,
                stake: lpt(10_000 + 5_000 * j as u64),
                first_delegate: j % n,
            })
        })
        .collect()
}

/// Runs the devnet; `Ok(true)` when every consistency check passed.
pub async fn run(args: Args) -> Result<bool> {
    ensure!(
        args.orchestrators >= 1,
        "--orchestrators must be at least 1"
    );
    ensure!(args.delegators >= 1, "--delegators must be at least 1");
    ensure!(args.rounds >= 1, "--rounds must be at least 1");
    ensure!(args.block_time >= 1, "--block-time must be at least 1");
    let started = Instant::now();

    let work_dir = match &args.work_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("livepeer-devnet-{}", std::process::id())),
    };
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating {}", work_dir.display()))?;
    let bin_dir = match &args.bin_dir {
        Some(d) => d.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("binary directory")?
            .to_path_buf(),
    };

    // 1. The chain.
    let (_devnet, http_url, ws_url, controller) = match (&args.rpc_url, args.controller) {
        (Some(url), Some(controller)) => (None, url.clone(), url.clone(), controller),
        _ => {
            println!("starting anvil and deploying the protocol (script/Deploy.s.sol, local)…");
            let devnet = Devnet::start().await.context("starting the devnet")?;
            let (h, w, c) = (devnet.http_url(), devnet.ws_url(), devnet.controller);
            (Some(devnet), h, w, c)
        }
    };
    println!(
        "chain {http_url}, Controller {controller}, work dir {}",
        work_dir.display()
    );

    let deployer = PrivateKeySigner::from_str(DEV_KEYS[0])?;
    let orchs = orchestrators(args.orchestrators)?;
    let dels = delegators(args.delegators, args.orchestrators)?;
    let broadcaster = dev_signer("broadcaster", 0)?;
    let keeper = dev_signer("keeper", 0)?;
    let redeemer = dev_signer("redeemer", 0)?;

    let mut wallet = EthereumWallet::from(deployer.clone());
    for s in orchs
        .iter()
        .map(|o| &o.signer)
        .chain(dels.iter().map(|d| &d.signer))
        .chain([&broadcaster])
    {
        wallet.register_signer(s.clone());
    }
    let provider = ProviderBuilder::new()
        .wallet(wallet)
        .connect(&http_url)
        .await
        .context("connecting")?
        .erased();
    let p = Protocol::discover(provider.clone(), controller)
        .await
        .context("discovering the protocol")?;
    let round_length = p.rounds_manager.roundLength().call().await?.to::<u64>();
    let net = Net {
        provider,
        p,
        deployer: deployer.address(),
        round_length,
    };

    // 2. The economy (automine: every transaction mined at once).
    println!(
        "set-up: {} orchestrators, {} delegators, 1 broadcaster",
        orchs.len(),
        dels.len()
    );
    let everyone: Vec<Address> = orchs
        .iter()
        .map(|o| o.signer.address())
        .chain(dels.iter().map(|d| d.signer.address()))
        .chain([broadcaster.address(), keeper.address(), redeemer.address()])
        .collect();
    for a in &everyone {
        net.rpc(
            "anvil_setBalance",
            serde_json::json!([a, format!("{:#x}", lpt(1_000))]),
        )
        .await?;
    }
    let bm = net.p.addresses.bonding_manager;
    net.prepare_round().await?;
    for (i, o) in orchs.iter().enumerate() {
        let a = o.signer.address();
        let t = &net.p.token;
        net.send(
            "LPT transfer",
            t.transfer(a, o.stake)
                .from(net.deployer)
                .into_transaction_request(),
        )
        .await?;
        net.send(
            "approve",
            t.approve(bm, o.stake).from(a).into_transaction_request(),
        )
        .await?;
        net.prepare_round().await?;
        let b = &net.p.bonding_manager;
        net.send(
            "bond (self)",
            b.bond(o.stake, a).from(a).into_transaction_request(),
        )
        .await?;
        net.prepare_round().await?;
        net.send(
            "transcoder",
            b.transcoder(o.reward_cut, o.fee_share)
                .from(a)
                .into_transaction_request(),
        )
        .await?;
        println!(
            "  orchestrator O{i} {a}: {} LPT self-bonded, reward cut {}%, fee share {}%",
            fmt_units(o.stake, 0),
            o.reward_cut / U256::from(10_000),
            o.fee_share / U256::from(10_000)
        );
    }
    for (j, d) in dels.iter().enumerate() {
        let a = d.signer.address();
        let to = orchs[d.first_delegate].signer.address();
        let t = &net.p.token;
        net.send(
            "LPT transfer",
            t.transfer(a, d.stake)
                .from(net.deployer)
                .into_transaction_request(),
        )
        .await?;
        net.send(
            "approve",
            t.approve(bm, d.stake).from(a).into_transaction_request(),
        )
        .await?;
        net.prepare_round().await?;
        net.send(
            "bond",
            net.p
                .bonding_manager
                .bond(d.stake, to)
                .from(a)
                .into_transaction_request(),
        )
        .await?;
        println!(
            "  delegator D{j} {a}: {} LPT bonded to O{}",
            fmt_units(d.stake, 0),
            d.first_delegate
        );
    }
    let deposit = U256::from(10) * U256::from(E18);
    let reserve = U256::from(5) * U256::from(E18);
    net.send(
        "fundDepositAndReserve",
        net.p
            .ticket_broker
            .fundDepositAndReserve(deposit, reserve)
            .value(deposit + reserve)
            .from(broadcaster.address())
            .into_transaction_request(),
    )
    .await?;
    println!(
        "  broadcaster {}: deposit {} ETH, reserve {} ETH",
        broadcaster.address(),
        fmt_units(deposit, 0),
        fmt_units(reserve, 0)
    );
    let setup_round = net.current_round().await?;
    let b0 = net.block().await?;
    let supply0 = net
        .p
        .token
        .totalSupply()
        .block(BlockId::number(b0))
        .call()
        .await?;
    println!(
        "set-up done in round {setup_round} (block {b0}); LPT supply {}",
        fmt_units(supply0, 2)
    );

    // 3. The bots.
    let inbox = work_dir.join("winning-tickets.jsonl");
    std::fs::write(&inbox, "")?;
    let ctrl = controller.to_string();
    let keeper_bot = Bot::spawn(
        "keeper",
        &bin_dir.join("livepeer-keeper"),
        &[
            "--rpc-url".into(),
            ws_url.clone(),
            "--controller".into(),
            ctrl.clone(),
            "--private-key-env".into(),
            "DEVNET_KEEPER_KEY".into(),
            "--metrics-addr".into(),
            format!("127.0.0.1:{}", free_port()?),
        ],
        &[("DEVNET_KEEPER_KEY".into(), keeper.to_bytes().to_string())],
        &work_dir,
    )?;
    let mut agent_args = vec![
        "--rpc-url".to_string(),
        ws_url.clone(),
        "--controller".into(),
        ctrl.clone(),
        "--metrics-addr".into(),
        format!("127.0.0.1:{}", free_port()?),
    ];
    let mut agent_env = Vec::new();
    for (i, o) in orchs.iter().enumerate() {
        agent_args.push("--orchestrator".into());
        agent_args.push(format!("{}=env:DEVNET_O{i}_KEY", o.signer.address()));
        agent_env.push((format!("DEVNET_O{i}_KEY"), o.signer.to_bytes().to_string()));
    }
    let agent_bot = Bot::spawn(
        "reward-agent",
        &bin_dir.join("livepeer-reward-agent"),
        &agent_args,
        &agent_env,
        &work_dir,
    )?;
    let redeemer_bot = Bot::spawn(
        "redeemer",
        &bin_dir.join("livepeer-redeemer"),
        &[
            "--rpc-url".into(),
            http_url.clone(),
            "--controller".into(),
            ctrl,
            "--state-dir".into(),
            work_dir.join("redeemer-state").display().to_string(),
            "--inbox".into(),
            inbox.display().to_string(),
            "--poll-interval".into(),
            "1".into(),
        ],
        &[(
            "REDEEMER_PRIVATE_KEY".into(),
            redeemer.to_bytes().to_string(),
        )],
        &work_dir,
    )?;
    let mut bots = vec![keeper_bot, agent_bot, redeemer_bot];
    println!(
        "started livepeer-keeper, livepeer-reward-agent ({} orchestrators), livepeer-redeemer; logs in {}",
        orchs.len(),
        work_dir.display()
    );
    net.rpc(
        "evm_setIntervalMining",
        serde_json::json!([args.block_time]),
    )
    .await?;
    println!("anvil mines a block every {} s", args.block_time);

    let outcome = drive(
        &net,
        &args,
        &orchs,
        &dels,
        &broadcaster,
        &inbox,
        &mut bots,
        setup_round,
        b0,
        supply0,
    )
    .await;

    // Clean stop, whatever happened.
    for bot in bots {
        bot.stop().await?;
    }
    let ok = outcome?;
    println!("total time {:.0} s", started.elapsed().as_secs_f64());
    Ok(ok)
}

#[allow(clippy::too_many_arguments)]
async fn drive(
    net: &Net,
    args: &Args,
    orchs: &[Orchestrator],
    dels: &[Delegator],
    broadcaster: &PrivateKeySigner,
    inbox: &Path,
    bots: &mut [Bot],
    setup_round: u64,
    b0: u64,
    supply0: U256,
) -> Result<bool> {
    let first = setup_round + 1;
    let last = setup_round + args.rounds;
    let block_secs = args.block_time;
    // Generous: a round takes round_length blocks; allow three rounds for anything to happen.
    let round_timeout = Duration::from_secs(3 * net.round_length * block_secs + 30);
    let win_prob = U256::MAX / U256::from(3);
    let face_value = eth_milli(10);
    let mut nonce = 0u64;
    let mut winners: Vec<B256> = Vec::new();
    let mut rows = Vec::new();
    let mut last_unbond: Option<(usize, U256)> = None;
    let mut delegate_of: Vec<usize> = dels.iter().map(|d| d.first_delegate).collect();

    for r in first..=last {
        // Wait for the keeper to initialize round r.
        let deadline = Instant::now() + round_timeout;
        while net.last_initialized().await? < r {
            check_bots(bots)?;
            ensure!(
                Instant::now() < deadline,
                "round {r} not initialized in time"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let start = net
            .p
            .rounds_manager
            .currentRoundStartBlock()
            .call()
            .await?
            .to::<u64>();
        println!(
            "round {r}: initialized (round starts at block {start}, now {})",
            net.block().await?
        );

        // Tickets: the broadcaster pays every orchestrator.
        let block_hash = net
            .p
            .rounds_manager
            .blockHashForRound(U256::from(r))
            .call()
            .await?;
        let aux = AuxData {
            creation_round: U256::from(r),
            creation_round_block_hash: block_hash,
        }
        .encode();
        let mut won = 0u64;
        let mut lines = String::new();
        for o in orchs {
            // The orchestrator's secret for this round, its hash handed to the broadcaster.
            let rand = generate_recipient_rand()?;
            let rand_hash = recipient_rand_hash(rand);
            for _ in 0..args.tickets_per_round {
                nonce += 1;
                let ticket = Ticket {
                    recipient: o.signer.address(),
                    sender: broadcaster.address(),
                    face_value,
                    win_prob,
                    sender_nonce: U256::from(nonce),
                    recipient_rand_hash: rand_hash,
                    aux_data: aux.clone(),
                };
                let signature = ticket.sign_sync(broadcaster)?;
                let signed = SignedTicket {
                    ticket,
                    signature,
                    recipient_rand: rand,
                };
                if signed.is_winning() {
                    won += 1;
                    winners.push(signed.ticket.hash());
                    writeln!(lines, "{}", serde_json::to_string(&signed)?)?;
                }
            }
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(inbox)?
            .write_all(lines.as_bytes())?;
        println!(
            "round {r}: broadcaster sent {} tickets, {won} winning (to the redeemer's inbox)",
            args.tickets_per_round * orchs.len() as u64
        );

        // One delegator acts.
        let i = (r - first) as usize;
        let action = match i % 3 {
            0 => {
                let j = (i / 3) % dels.len();
                let a = dels[j].signer.address();
                let d = net.p.bonding_manager.getDelegator(a).call().await?;
                let amount = d.bondedAmount / U256::from(5);
                net.send(
                    "unbond",
                    net.p
                        .bonding_manager
                        .unbond(amount)
                        .from(a)
                        .into_transaction_request(),
                )
                .await?;
                last_unbond = Some((j, d.nextUnbondingLockId));
                format!("D{j} unbonds {} LPT", fmt_units(amount, 0))
            }
            1 => match last_unbond.take() {
                Some((j, lock)) => {
                    let a = dels[j].signer.address();
                    net.send(
                        "rebond",
                        net.p
                            .bonding_manager
                            .rebond(lock)
                            .from(a)
                            .into_transaction_request(),
                    )
                    .await?;
                    format!("D{j} rebonds lock {lock}")
                }
                None => "none".into(),
            },
            _ if orchs.len() < 2 => "none (one orchestrator: nowhere to move)".into(),
            _ => {
                let j = (i / 3 + 1) % dels.len();
                let a = dels[j].signer.address();
                let to = (delegate_of[j] + 1) % orchs.len();
                net.send(
                    "redelegate",
                    net.p
                        .bonding_manager
                        .bond(U256::ZERO, orchs[to].signer.address())
                        .from(a)
                        .into_transaction_request(),
                )
                .await?;
                let from = delegate_of[j];
                delegate_of[j] = to;
                format!("D{j} moves its stake O{from} -> O{to}")
            }
        };
        println!("round {r}: {action}");

        // Wait for the round's last block, reporting rewards as they land.
        let end = start + net.round_length - 1;
        let deadline = Instant::now() + round_timeout;
        let mut seen = 0usize;
        loop {
            let head = net.block().await?;
            let rewards = net
                .logs::<IBondingManager::Reward>(
                    net.p.addresses.bonding_manager,
                    start,
                    head.min(end),
                )
                .await?;
            if rewards.len() > seen {
                seen = rewards.len();
                println!(
                    "round {r}: block {head}: {seen}/{} orchestrators rewarded",
                    orchs.len()
                );
            }
            if head >= end {
                break;
            }
            check_bots(bots)?;
            ensure!(Instant::now() < deadline, "round {r} did not end in time");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let mut row = read_row(net, orchs, r, start, end).await?;
        row.won = won;
        row.action = action;
        println!(
            "round {r}: done: minted {} LPT, {} redeemed, fees {} ETH",
            fmt_units(row.minted, 2),
            row.redeemed,
            fmt_units(row.fees, 3)
        );
        rows.push(row);
    }

    // Let the redeemer cash the last round's winners (valid for ticketValidityPeriod rounds).
    let deadline = Instant::now() + round_timeout;
    let mut pending = winners.len();
    while Instant::now() < deadline {
        pending = 0;
        for h in &winners {
            if !net.p.ticket_broker.usedTickets(*h).call().await? {
                pending += 1;
            }
        }
        if pending == 0 {
            break;
        }
        check_bots(bots)?;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let b_final = net.block().await?;

    print_table(&rows, orchs.len());
    check(
        net,
        orchs,
        dels,
        broadcaster.address(),
        &rows,
        &winners,
        pending,
        b0,
        b_final,
        supply0,
    )
    .await
}

fn check_bots(bots: &mut [Bot]) -> Result<()> {
    for b in bots.iter_mut() {
        if !b.alive() {
            bail!("{} exited early (see its log)", b.name);
        }
    }
    Ok(())
}

async fn read_row(
    net: &Net,
    orchs: &[Orchestrator],
    r: u64,
    start: u64,
    end: u64,
) -> Result<RoundRow> {
    let at = BlockId::number(end);
    let p = &net.p;
    let rm = &p.rounds_manager;
    let minter = &p.minter;
    let bm = &p.bonding_manager;
    let rewards = net
        .logs::<IBondingManager::Reward>(p.addresses.bonding_manager, start, end)
        .await?;
    let treasury = net
        .logs::<IBondingManager::TreasuryReward>(p.addresses.bonding_manager, start, end)
        .await?;
    let redeemed = net
        .logs::<ITicketBroker::WinningTicketRedeemed>(p.addresses.ticket_broker, start, end)
        .await?;
    let transfers = net
        .logs::<ITicketBroker::WinningTicketTransfer>(p.addresses.ticket_broker, start, end)
        .await?;
    let new_round = net
        .logs::<IRoundsManager::NewRound>(p.addresses.rounds_manager, start, end)
        .await?;
    let mut row = RoundRow {
        round: r,
        initialized: rm.lastInitializedRound().block(at).call().await? >= U256::from(r)
            && new_round.iter().any(|e| e.round == U256::from(r)),
        inflation: minter.inflation().block(at).call().await?,
        mintable: minter.currentMintableTokens().block(at).call().await?,
        minted: minter.currentMintedTokens().block(at).call().await?,
        treasury: treasury.iter().map(|e| e.amount).sum(),
        redeemed: redeemed.len() as u64,
        fees: transfers.iter().map(|e| e.amount).sum(),
        active_stake: bm.currentRoundTotalActiveStake().block(at).call().await?,
        bonded: bm.getTotalBonded().block(at).call().await?,
        supply: p.token.totalSupply().block(at).call().await?,
        ..RoundRow::default()
    };
    for o in orchs {
        let a = o.signer.address();
        let amounts: Vec<U256> = rewards
            .iter()
            .filter(|e| e.transcoder == a)
            .map(|e| e.amount)
            .collect();
        row.rewards.push(if amounts.is_empty() {
            None
        } else {
            Some(amounts.iter().copied().sum())
        });
        row.active
            .push(bm.isActiveTranscoder(a).block(at).call().await?);
    }
    Ok(row)
}

/// Bonding rate in percent with two decimals.
fn rate(bonded: U256, supply: U256) -> String {
    if supply.is_zero() {
        return "-".into();
    }
    let bp = bonded * U256::from(10_000) / supply;
    format!("{}.{:02}%", bp / U256::from(100), bp % U256::from(100))
}

fn print_table(rows: &[RoundRow], n: usize) {
    let mut header = format!(
        "{:>5} {:>9} {:>10} {:>10}",
        "round", "inflation", "mintable", "minted"
    );
    for i in 0..n {
        header.push_str(&format!(" {:>10}", format!("reward O{i}")));
    }
    header.push_str(&format!(
        " {:>8} {:>9} {:>8} {:>12} {:>8}  {}",
        "treasury", "won/redm", "fees", "active stake", "bonding", "delegator action"
    ));
    println!();
    println!("per-round table (LPT amounts; fees in ETH)");
    println!("{header}");
    for r in rows {
        let mut line = format!(
            "{:>5} {:>8.4}% {:>10} {:>10}",
            r.round,
            r.inflation.to::<u64>() as f64 / 10_000_000.0,
            fmt_units(r.mintable, 2),
            fmt_units(r.minted, 2)
        );
        for reward in &r.rewards {
            line.push_str(&format!(
                " {:>10}",
                reward.map_or_else(|| "-".to_string(), |a| fmt_units(a, 2))
            ));
        }
        line.push_str(&format!(
            " {:>8} {:>9} {:>8} {:>12} {:>8}  {}",
            fmt_units(r.treasury, 2),
            format!("{}/{}", r.won, r.redeemed),
            fmt_units(r.fees, 3),
            fmt_units(r.active_stake, 0),
            rate(r.bonded, r.supply),
            r.action
        ));
        println!("{line}");
    }
    println!();
}

#[allow(clippy::too_many_arguments)]
async fn check(
    net: &Net,
    orchs: &[Orchestrator],
    dels: &[Delegator],
    broadcaster: Address,
    rows: &[RoundRow],
    winners: &[B256],
    unredeemed: usize,
    b0: u64,
    b_final: u64,
    supply0: U256,
) -> Result<bool> {
    let p = &net.p;
    let at = BlockId::number(b_final);
    let round = p.rounds_manager.currentRound().block(at).call().await?;
    let mut results: Vec<(bool, String)> = Vec::new();

    // Every round initialized.
    let missing: Vec<u64> = rows
        .iter()
        .filter(|r| !r.initialized)
        .map(|r| r.round)
        .collect();
    results.push((
        missing.is_empty(),
        format!(
            "every round initialized ({} rounds; missing {missing:?})",
            rows.len()
        ),
    ));

    // Every active orchestrator rewarded every round.
    let mut unrewarded = Vec::new();
    for r in rows {
        for (i, (active, reward)) in r.active.iter().zip(&r.rewards).enumerate() {
            if *active && reward.is_none() {
                unrewarded.push(format!("O{i}@{}", r.round));
            }
        }
    }
    let active_count: usize = rows
        .iter()
        .map(|r| r.active.iter().filter(|a| **a).count())
        .sum();
    results.push((
        unrewarded.is_empty() && active_count > 0,
        format!(
            "every active orchestrator rewarded every round ({active_count} orchestrator-rounds; missing {unrewarded:?})"
        ),
    ));

    // Per round: the Minter's minted = rewards + treasury cut.
    let bad_rounds: Vec<u64> = rows
        .iter()
        .filter(|r| r.minted != r.rewards.iter().flatten().copied().sum::<U256>() + r.treasury)
        .map(|r| r.round)
        .collect();
    results.push((
        bad_rounds.is_empty(),
        format!("minted per round = Σ Reward + TreasuryReward (mismatch in {bad_rounds:?})"),
    ));

    // LPT: supply = supply before the run + everything minted since.
    let bma = p.addresses.bonding_manager;
    let minted: U256 = net
        .logs::<IBondingManager::Reward>(bma, b0 + 1, b_final)
        .await?
        .iter()
        .map(|e| e.amount)
        .sum::<U256>()
        + net
            .logs::<IBondingManager::TreasuryReward>(bma, b0 + 1, b_final)
            .await?
            .iter()
            .map(|e| e.amount)
            .sum::<U256>();
    let supply = p.token.totalSupply().block(at).call().await?;
    results.push((
        supply == supply0 + minted,
        format!(
            "LPT: supply {} = supply before the run {} + Σ minted {}",
            fmt_units(supply, 6),
            fmt_units(supply0, 6),
            fmt_units(minted, 6)
        ),
    ));

    // LPT: the Minter holds every bonded and unbonding token.
    let mut owed = U256::ZERO;
    let stakers: Vec<Address> = orchs
        .iter()
        .map(|o| o.signer.address())
        .chain(dels.iter().map(|d| d.signer.address()))
        .collect();
    let bm = &p.bonding_manager;
    for a in &stakers {
        owed += bm.pendingStake(*a, round).block(at).call().await?;
        let d = bm.getDelegator(*a).block(at).call().await?;
        for lock in 0..d.nextUnbondingLockId.to::<u64>() {
            owed += bm
                .getDelegatorUnbondingLock(*a, U256::from(lock))
                .block(at)
                .call()
                .await?
                .amount;
        }
    }
    let minter_lpt = p
        .token
        .balanceOf(p.addresses.minter)
        .block(at)
        .call()
        .await?;
    results.push((
        minter_lpt >= owed,
        format!(
            "LPT: Minter {} covers bonded + unbonding {} (uncredited {} wei)",
            fmt_units(minter_lpt, 6),
            fmt_units(owed, 6),
            minter_lpt.saturating_sub(owed)
        ),
    ));

    // ETH, as flows over the whole chain (events): what was funded, paid out on tickets,
    // withdrawn by the broadcaster and withdrawn as fees.
    let tba = p.addresses.ticket_broker;
    let sum = |v: Vec<U256>| v.into_iter().sum::<U256>();
    let funded = sum(net
        .logs::<ITicketBroker::DepositFunded>(tba, 0, b_final)
        .await?
        .iter()
        .map(|e| e.amount)
        .collect())
        + sum(net
            .logs::<ITicketBroker::ReserveFunded>(tba, 0, b_final)
            .await?
            .iter()
            .map(|e| e.amount)
            .collect());
    let paid = sum(net
        .logs::<ITicketBroker::WinningTicketTransfer>(tba, 0, b_final)
        .await?
        .iter()
        .map(|e| e.amount)
        .collect())
        + sum(net
            .logs::<ITicketBroker::ReserveClaimed>(tba, 0, b_final)
            .await?
            .iter()
            .map(|e| e.amount)
            .collect());
    let withdrawn = sum(net
        .logs::<ITicketBroker::Withdrawal>(tba, 0, b_final)
        .await?
        .iter()
        .map(|e| e.deposit + e.reserve)
        .collect());
    let fees_withdrawn = sum(net
        .logs::<IBondingManager::WithdrawFees>(bma, 0, b_final)
        .await?
        .iter()
        .map(|e| e.amount)
        .collect());
    let info = p
        .ticket_broker
        .getSenderInfo(broadcaster)
        .block(at)
        .call()
        .await?;
    let held = info.sender_.deposit + info.reserve.fundsRemaining;
    let minter_eth = net
        .provider
        .get_balance(p.addresses.minter)
        .block_id(at)
        .await?;
    results.push((
        minter_eth + fees_withdrawn + withdrawn == funded,
        format!(
            "ETH: Minter {} = funded {} - withdrawn {} - fees withdrawn {}",
            fmt_units(minter_eth, 6),
            fmt_units(funded, 6),
            fmt_units(withdrawn, 6),
            fmt_units(fees_withdrawn, 6)
        ),
    ));
    results.push((
        held + paid + withdrawn == funded,
        format!(
            "ETH: deposit + reserve left {} = funded {} - paid on tickets {} - withdrawn {}",
            fmt_units(held, 6),
            fmt_units(funded, 6),
            fmt_units(paid, 6),
            fmt_units(withdrawn, 6)
        ),
    ));
    // Every account's unwithdrawn fees are backed. Fees that reach a pool after a delegator
    // claimed in that round (unbond, rebond, redelegate) are never credited to anyone: they
    // stay in the Minter, so this is "covers", not "equals".
    let mut fees = U256::ZERO;
    for a in &stakers {
        fees += bm.pendingFees(*a, round).block(at).call().await?;
    }
    results.push((
        minter_eth >= held + fees,
        format!(
            "ETH: Minter {} covers deposit + reserve {} + unwithdrawn fees {} (uncredited {} wei)",
            fmt_units(minter_eth, 6),
            fmt_units(held, 6),
            fmt_units(fees, 6),
            minter_eth.saturating_sub(held + fees)
        ),
    ));

    // Tickets: every winning ticket redeemed.
    results.push((
        unredeemed == 0,
        format!(
            "every winning ticket redeemed ({} won, {unredeemed} not redeemed)",
            winners.len()
        ),
    ));

    println!("consistency check (at block {b_final}, round {round}):");
    let mut ok = true;
    for (pass, what) in &results {
        ok &= pass;
        println!("  [{}] {what}", if *pass { "ok" } else { "FAIL" });
    }
    println!(
        "consistency check: {}",
        if ok { "PASSED" } else { "FAILED" }
    );
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_rates_format() {
        assert_eq!(
            fmt_units(lpt(12) + U256::from(345) * U256::from(10u64.pow(13)), 3),
            "12.003"
        );
        assert_eq!(fmt_units(lpt(7), 0), "7");
        assert_eq!(rate(U256::from(1), U256::from(4)), "25.00%");
        assert_eq!(rate(U256::from(1), U256::ZERO), "-");
    }

    #[test]
    fn economy_has_distinct_commissions_and_stakes() -> Result<()> {
        let o = orchestrators(3)?;
        assert_ne!(o[0].reward_cut, o[1].reward_cut, "commissions differ");
        assert_ne!(o[0].stake, o[2].stake, "stakes differ");
        assert_ne!(
            o[0].signer.address(),
            o[1].signer.address(),
            "distinct accounts"
        );
        let d = delegators(4, 3)?;
        assert_eq!(d[3].first_delegate, 0, "delegators spread round-robin");
        Ok(())
    }
}
