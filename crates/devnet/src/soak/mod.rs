//! `livepeer-soak` (`make soak`): the devnet's economy over many short rounds with the keeper,
//! the reward agent and the redeemer running as processes and the fault suite's faults
//! (`livepeer_chain::faults`) injected at random; it reports how many rounds were initialized
//! in their first block, orchestrator-rounds rewarded, tickets redeemed, duplicate successful
//! transactions and the bots' peak memory.
//!
//! The chain is the devnet's (anvil, `script/Deploy.s.sol`, the economy's orchestrators and
//! broadcaster) with 10-block rounds and automine off: the soak mines each block once the keeper
//! and the reward agent have handled the last one, no faster than `--block-interval-ms` (the
//! redeemer passes on its own clock, every second). Each bot reaches the node through two
//! [`FaultProxy`]s (its first and second RPC URL). Every round the broadcaster pays each
//! orchestrator one winning ticket; before a round ends, the tickets of the round before (which
//! expire with it) get time to be redeemed. With probability `--fault-rate` a round gets one
//! fault, on one bot, both drawn at random ([`inject`]).

mod inject;
mod tally;

use std::{
    path::PathBuf,
    str::FromStr,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context as _, Result, bail, ensure};
use clap::Parser;
use livepeer_chain::{
    faults::{anvil::Anvil, process::BotProcess},
    proxy::{Fault as ProxyFault, FaultProxy},
    testchain::{DEV_KEYS, TestChain},
};
use livepeer_protocol::ticket::AuxData;
use rand::{SeedableRng, rngs::StdRng};
use serde_json::json;

use crate::{
    bots::BotSetup,
    economy::{self, Orchestrator, dev_signer, eth_milli, orchestrators},
    net::Net,
    rounds::{append, pay_orchestrators},
};
use inject::Injection;

/// Blocks in a soak round (the contracts take any length; this leaves room for a fault and
/// its recovery within the round).
const ROUND_LENGTH: u64 = 10;
/// How long a bot may take to handle a block before the soak counts a stall and goes on.
const HANDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the soak holds a round's last block for the redemption of the tickets that expire
/// with it (the redeemer passes on its own clock, every second).
const REDEEM_TIMEOUT: Duration = Duration::from_secs(30);

/// `livepeer-soak`: many short rounds with faults injected at random (see the module docs).
#[derive(Debug, Clone, Parser)]
#[command(name = "livepeer-soak", version)]
pub struct SoakArgs {
    /// Rounds to run (10 blocks each).
    #[arg(long, default_value_t = 1000)]
    pub rounds: u64,
    /// Orchestrators, each served by the reward agent and paid a winning ticket every round.
    #[arg(long, default_value_t = 3)]
    pub orchestrators: usize,
    /// Probability that a round gets a fault (one bot, one fault, both at random).
    #[arg(long, default_value_t = 0.25)]
    pub fault_rate: f64,
    /// Seed of the fault draw (the same seed, the same faults in the same rounds).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Least wall time per block, in milliseconds.
    #[arg(long, default_value_t = 150)]
    pub block_interval_ms: u64,
    /// Directory of the bot binaries (default: the directory of this binary).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Directory for the bots' logs and the redeemer's state (default: a new directory under the
    /// system temp dir; its path is printed).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Also write the figures as a BENCHMARKS.md section to this JSON file
    /// (`node script/bench/report.js --section FILE`).
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// The bots, in this order everywhere.
pub(crate) const BOTS: [&str; 3] = ["keeper", "reward-agent", "redeemer"];
/// The keeper's and the redeemer's indexes in [`BOTS`].
pub(crate) const KEEPER: usize = 0;
const REDEEMER: usize = 2;

/// One bot of the soak: its process and the proxies behind its two RPC URLs.
pub(crate) struct SoakBot {
    pub(crate) process: BotProcess,
    pub(crate) primary: FaultProxy,
    pub(crate) backup: FaultProxy,
    /// The account whose transactions the faults watch (the agent's: the first orchestrator's).
    pub(crate) account: Address,
    /// The gauge of the last block it handled (the redeemer has none: it passes every second).
    pub(crate) processed: Option<&'static str>,
    /// Both proxies down.
    pub(crate) blind: bool,
}

/// The soak's state.
pub(crate) struct Soak {
    pub(crate) net: Net,
    pub(crate) anvil: Anvil,
    pub(crate) bots: Vec<SoakBot>,
    pub(crate) twin: Option<BotProcess>,
    pub(crate) congestion: Address,
    orchs: Vec<Orchestrator>,
    broadcaster: PrivateKeySigner,
    inbox: PathBuf,
    interval: Duration,
    last_block: Instant,
    /// First soak round and its first block (rounds are `ROUND_LENGTH` blocks from there).
    first_round: u64,
    first_start: u64,
    nonce: u64,
    /// Winning tickets by round.
    tickets: Vec<(u64, B256)>,
    written: u64,
    /// Blocks a bot did not handle within [`HANDLE_TIMEOUT`].
    pub(crate) stalls: u64,
    /// Peak resident memory per bot (KiB), over every process it ran as.
    pub(crate) peak_kib: [u64; 3],
}

/// Runs the soak; `Ok(true)` when every hard goal held (every orchestrator-round rewarded,
/// every ticket redeemed, no duplicate).
pub async fn run(args: SoakArgs) -> Result<bool> {
    ensure!(args.rounds >= 1, "--rounds must be at least 1");
    ensure!(
        args.orchestrators >= 1,
        "--orchestrators must be at least 1"
    );
    ensure!(
        (0.0..=1.0).contains(&args.fault_rate),
        "--fault-rate is a probability, from 0 to 1"
    );
    let started = Instant::now();
    let (work_dir, bin_dir) = crate::dirs("livepeer-soak", &args.work_dir, &args.bin_dir)?;

    println!("starting anvil and deploying the protocol (script/Deploy.s.sol, local)…");
    let devnet = TestChain::start().await.context("starting the devnet")?;
    let deployer = PrivateKeySigner::from_str(DEV_KEYS[0])?;
    let orchs = orchestrators(args.orchestrators)?;
    let broadcaster = dev_signer("broadcaster", 0)?;
    let keeper = dev_signer("keeper", 0)?;
    let redeemer = dev_signer("redeemer", 0)?;
    let congestion = dev_signer("congestion", 0)?;
    let signers: Vec<&PrivateKeySigner> = orchs
        .iter()
        .map(|o| &o.signer)
        .chain([&broadcaster, &keeper, &redeemer, &congestion])
        .collect();
    let mut net = Net::connect(&devnet.http_url(), devnet.controller, &deployer, &signers).await?;
    net.send(
        "setRoundLength",
        net.p
            .rounds_manager
            .setRoundLength(U256::from(ROUND_LENGTH))
            .from(deployer.address())
            .into_transaction_request(),
    )
    .await?;
    net.round_length = ROUND_LENGTH;
    let bot_accounts = [keeper.address(), redeemer.address(), congestion.address()];
    economy::set_up(&net, &orchs, &[], &broadcaster, &bot_accounts).await?;
    // A deposit for every ticket of the run.
    let deposit = eth_milli(10) * U256::from(args.rounds + 10) * U256::from(orchs.len());
    net.send(
        "fundDeposit",
        net.p
            .ticket_broker
            .fundDeposit()
            .value(deposit)
            .from(broadcaster.address())
            .into_transaction_request(),
    )
    .await?;
    net.rpc("evm_setAutomine", json!([false])).await?;
    let first_round = net.current_round().await?.get() + 1;
    let first_start = net.round_start(first_round.into()).await?;
    println!(
        "set-up done; the soak runs rounds {first_round}..={} from block {first_start} ({} orchestrators, fault rate {}, seed {})",
        first_round + args.rounds - 1,
        orchs.len(),
        args.fault_rate,
        args.seed
    );

    let inbox = work_dir.join("winning-tickets.jsonl");
    std::fs::write(&inbox, "")?;
    let setup = BotSetup {
        bin_dir: &bin_dir,
        work_dir: &work_dir,
        http_url: "",
        ws_url: "",
        controller: devnet.controller,
        inbox: &inbox,
    };
    let accounts = [
        keeper.address(),
        orchs[0].signer.address(),
        redeemer.address(),
    ];
    let mut bots = Vec::new();
    for (i, cmd) in setup
        .commands(&keeper, &orchs, &redeemer)
        .into_iter()
        .enumerate()
    {
        let primary = FaultProxy::start(&devnet.http_url()).await?;
        let backup = FaultProxy::start(&devnet.http_url()).await?;
        let mut args = cmd.args;
        if let Some(at) = args.iter().position(|a| a == "--rpc-url") {
            args[at + 1] = format!("{},{}", primary.url(), backup.url());
        }
        args.extend(soak_flags(cmd.name).iter().map(|f| (*f).to_owned()));
        let process = BotProcess::spawn(cmd.name, &cmd.bin, &args, &cmd.env, &work_dir)?;
        bots.push(SoakBot {
            process,
            primary,
            backup,
            account: accounts[i],
            processed: match i {
                0 => Some("keeper_processed_block"),
                1 => Some("reward_agent_processed_block"),
                _ => None,
            },
            blind: false,
        });
    }
    println!("bots started; logs in {}", work_dir.display());

    let mut soak = Soak {
        anvil: Anvil::new(net.provider.clone()),
        net,
        bots,
        twin: None,
        congestion: congestion.address(),
        orchs,
        broadcaster,
        inbox,
        interval: Duration::from_millis(args.block_interval_ms),
        last_block: Instant::now(),
        first_round,
        first_start,
        nonce: 0,
        tickets: Vec::new(),
        written: 0,
        stalls: 0,
        peak_kib: [0; 3],
    };
    soak.wait_started().await?;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut plans = Vec::new();
    let last_round = first_round + args.rounds - 1;
    let outcome = soak
        .drive(&mut rng, args.fault_rate, last_round, &mut plans)
        .await;
    for bot in &mut soak.bots {
        bot.process.terminate().await?;
    }
    for (i, bot) in soak.bots.iter_mut().enumerate() {
        soak.peak_kib[i] = soak.peak_kib[i].max(bot.process.peak_memory_kib());
    }
    outcome?;

    let figures = tally::Figures::read(&soak, last_round, &plans).await?;
    figures.print(started.elapsed());
    if let Some(path) = &args.report {
        let section = figures.section(&args, started.elapsed());
        std::fs::write(path, serde_json::to_string_pretty(&section)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        println!("figures written to {}", path.display());
    }
    Ok(figures.hard_goals_met())
}

/// Flags the soak adds to the devnet's: block-by-block handling, two confirmations (a reorg of
/// depth 1 never undoes a duty a bot counted done), and the ceilings the gas fault crosses (the
/// redeemer has none: its fee cap).
fn soak_flags(bot: &str) -> Vec<&'static str> {
    let mut flags = vec![
        "--replace-after-blocks",
        "2",
        "--confirmations",
        "2",
        "--rpc-retries",
        "0",
    ];
    flags.extend_from_slice(match bot {
        "keeper" => &["--poll-interval-ms", "20", "--gas-ceiling-gwei", "1"][..],
        "reward-agent" => &[
            "--poll-interval-ms",
            "20",
            "--gas-ceiling-gwei",
            "1",
            "--max-backoff-blocks",
            "2",
        ],
        _ => &[
            "--head-poll-interval-ms",
            "50",
            "--receipt-timeout",
            "1",
            "--max-fee-gwei",
            "1",
        ],
    });
    flags
}

impl Soak {
    /// First block of `round`.
    pub(crate) fn start_of(&self, round: u64) -> u64 {
        self.first_start + (round - self.first_round) * ROUND_LENGTH
    }

    /// The round a block is in.
    pub(crate) fn round_of(&self, block: u64) -> u64 {
        self.first_round + (block - self.first_start) / ROUND_LENGTH
    }

    /// Waits until every bot reads the chain.
    async fn wait_started(&mut self) -> Result<()> {
        let head = self.net.block().await?;
        for bot in &mut self.bots {
            let key = bot.processed.unwrap_or("redeemer_passes_total");
            let target = if bot.processed.is_some() { head } else { 1 };
            bot.process
                .wait_for(key, target as f64, Duration::from_secs(60))
                .await?;
        }
        Ok(())
    }

    /// Rounds `first_round..=last` with faults drawn from `rng`, then the last tickets.
    async fn drive(
        &mut self,
        rng: &mut StdRng,
        fault_rate: f64,
        last: u64,
        plans: &mut Vec<Injection>,
    ) -> Result<()> {
        // Up to the block before the first soak round.
        let head = self.net.block().await?;
        let before = self.first_start - 1;
        if head < before {
            self.anvil.mine(before - head).await?;
            self.handled(before).await?;
        }
        for round in self.first_round..=last {
            let mut injection = Injection::draw(rng, fault_rate, round, ROUND_LENGTH);
            self.begin(&mut injection).await?;
            let end = self.start_of(round + 1);
            while self.net.block().await? + 1 < end {
                self.before_last_block(round, end).await?;
                self.mine_block(&mut injection).await?;
                self.write_tickets(round).await?;
            }
            // The redeemer sends on its own clock: a fault waiting for its transaction gets a
            // few more seconds.
            self.strike_late(&mut injection).await?;
            self.end(&mut injection).await?;
            if let Some(injection) = injection {
                plans.push(injection);
            }
            self.note_memory();
            if (round - self.first_round + 1).is_multiple_of(50) {
                println!(
                    "round {round}: {} of {} rounds done, {} faults so far",
                    round - self.first_round + 1,
                    last - self.first_round + 1,
                    plans.len()
                );
            }
        }
        // The last round's tickets, within their validity (they expire as round last + 2 starts).
        let end = self.start_of(last + 2);
        while self.net.block().await? + 1 < end {
            self.before_last_block(last + 1, end).await?;
            self.mine_block(&mut None).await?;
        }
        Ok(())
    }

    /// Before mining the last block of `round` (ending at `end`): the tickets of the round
    /// before expire with it, and a redemption sent at its last block would land too late, so
    /// the block is held until they are used or the redeemer has a transaction in the pool (up
    /// to [`REDEEM_TIMEOUT`]). With blocks every 150 ms a round is shorter than the redeemer's
    /// one-second pass; on a live chain a round is hours.
    async fn before_last_block(&mut self, round: u64, end: u64) -> Result<()> {
        if self.net.block().await? + 2 != end {
            return Ok(());
        }
        let deadline = Instant::now() + REDEEM_TIMEOUT;
        let redeemer = self.bots[REDEEMER].account;
        loop {
            let mut open = 0;
            for (r, hash) in &self.tickets {
                if *r + 1 == round && !self.net.p.ticket_broker.usedTickets(*hash).call().await? {
                    open += 1;
                }
            }
            if open == 0
                || Instant::now() > deadline
                || self.anvil.in_pool(redeemer).await?.is_some()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Mines one block (at least `--block-interval-ms` after the last), with a gas hold or a
    /// full outage where the injection says, then waits for the bots to handle it; or, when the
    /// injection's bot has a transaction in the pool, strikes it instead (which may mine).
    async fn mine_block(&mut self, injection: &mut Option<Injection>) -> Result<()> {
        let next = self.net.block().await? + 1;
        self.timed(injection, next).await?;
        let wait = self.interval.saturating_sub(self.last_block.elapsed());
        tokio::time::sleep(wait).await;
        if self.strike(injection).await? {
            return Ok(());
        }
        let head = self.anvil.mine(1).await?;
        self.handled(head).await
    }

    /// Waits until the keeper and the reward agent (unless blind) have handled `head`.
    pub(crate) async fn handled(&mut self, head: u64) -> Result<()> {
        self.last_block = Instant::now();
        for bot in &mut self.bots {
            if let Some(status) = bot.process.exited() {
                bail!(
                    "a bot exited ({status}); its log ends:\n{}",
                    livepeer_chain::faults::process::tail(&bot.process.log(), 30)
                );
            }
            let Some(key) = bot.processed else { continue };
            if bot.blind {
                continue;
            }
            if bot
                .process
                .wait_for(key, head as f64, HANDLE_TIMEOUT)
                .await
                .is_err()
            {
                self.stalls += 1;
            }
        }
        Ok(())
    }

    /// Pays each orchestrator one winning ticket of `round` once the round is initialized.
    async fn write_tickets(&mut self, round: u64) -> Result<()> {
        if self.written >= round || self.net.last_initialized().await?.get() < round {
            return Ok(());
        }
        let block_hash = self
            .net
            .p
            .rounds_manager
            .blockHashForRound(U256::from(round))
            .call()
            .await?;
        let aux = AuxData {
            creation_round: U256::from(round),
            creation_round_block_hash: block_hash,
        }
        .encode();
        let mut winners = Vec::new();
        let lines = pay_orchestrators(
            &self.orchs,
            &self.broadcaster,
            &aux,
            1,
            U256::MAX,
            eth_milli(10),
            &mut self.nonce,
            &mut winners,
        )?;
        append(&self.inbox, &lines)?;
        self.tickets
            .extend(winners.into_iter().map(|hash| (round, hash)));
        self.written = round;
        Ok(())
    }

    fn note_memory(&mut self) {
        for (i, bot) in self.bots.iter_mut().enumerate() {
            self.peak_kib[i] = self.peak_kib[i].max(bot.process.peak_memory_kib());
        }
    }

    /// Sets both proxies of bot `i`.
    pub(crate) fn set_proxies(&mut self, i: usize, primary: ProxyFault, backup: ProxyFault) {
        let bot = &mut self.bots[i];
        bot.primary.set(primary);
        bot.backup.set(backup);
        bot.blind = primary == ProxyFault::Down && backup == ProxyFault::Down;
    }
}
