//! [`run`]: each [`Fault`] played against one bot, with the checks every bot must pass.
//!
//! A bot takes part through [`Duty`]: how to start its binary, how to make its duty due (a round
//! to initialize, an orchestrator to reward, a ticket to redeem) and how the chain shows it
//! done. After every fault [`run`] requires the duty done and exactly one successful transaction
//! of the bot's account to the duty's contract since it fell due, and fails otherwise; it returns
//! an [`Outcome`] with the bot's metrics and logs for the bot's own checks (what an operator
//! sees).

use std::{path::PathBuf, time::Duration};

use alloy::primitives::{Address, TxHash};

use super::{
    Fault, fail,
    net::{Actor, FaultNet},
    process::{BotProcess, Samples, tail},
};
use crate::{
    ChainError,
    proxy::{Fault as ProxyFault, FaultProxy},
};

/// How long a bot may take to show it has looked at a new head.
const SETTLE: Duration = Duration::from_secs(20);
/// How long a bot may take to send its transaction once the duty is due.
const TO_POOL: Duration = Duration::from_secs(30);
/// The base fee held while gas is above the ceiling: 20 gwei, against a ceiling of 1 gwei.
const HIGH_BASE_FEE: u128 = 20_000_000_000;
/// The ceiling (gwei) of [`Fault::GasAboveCeiling`].
const CEILING_GWEI: &str = "1";
/// The base fee after the spike: under the ceiling.
const LOW_BASE_FEE: u128 = 10_000_000;

/// How a bot shows it has looked at the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A gauge holding the last block it handled (`keeper_processed_block`).
    Block(&'static str),
    /// A counter of its passes, each reading the chain afresh (`redeemer_passes_total`).
    Passes(&'static str),
}

/// One bot, as the fault scenarios drive it.
#[allow(async_fn_in_trait)] // the scenarios run on the test's own task
pub trait Duty {
    /// Its name (log files, messages).
    fn name(&self) -> &'static str;
    /// Its binary (`env!("CARGO_BIN_EXE_…")` in the bot's own tests).
    fn binary(&self) -> PathBuf;
    /// Its own flags, as documented for operators (its key, its polling). The harness adds the
    /// options every bot shares: `--rpc-url`, `--controller`, `--replace-after-blocks 2`,
    /// `--rpc-retries 0`, `--max-failed-reads 2` and `--metrics-addr`.
    fn flags(&self, net: &FaultNet) -> Result<Vec<String>, ChainError>;
    /// The account that signs its transactions.
    fn actor(&self) -> Actor;
    /// The contract its duty's transactions call.
    fn target(&self, net: &FaultNet) -> Address;
    /// The flags that set its gas ceiling to `gwei`.
    fn ceiling(&self, gwei: &str) -> Vec<String>;
    /// How it shows progress.
    fn progress(&self) -> Progress;
    /// The counter of its failed chain reads.
    fn read_errors(&self) -> &'static str;
    /// The counter of its duties missed.
    fn missed(&self) -> Result<String, ChainError>;
    /// Makes its next duty due; returns the block from which that duty's transactions count.
    async fn make_due(&mut self, net: &FaultNet) -> Result<u64, ChainError>;
    /// Whether the chain shows the duty last made due done.
    async fn done(&self, net: &FaultNet) -> Result<bool, ChainError>;
    /// Mines past the last block at which the duty last made due could be done, leaving no
    /// duty of the bot due.
    async fn pass_deadline(&self, net: &FaultNet) -> Result<(), ChainError>;
}

/// What a scenario saw, for the bot's own checks.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Blocks from the duty falling due to the first block showing it done (1: the block right
    /// after, the earliest a transaction sent on seeing it can land).
    pub blocks_to_done: u64,
    /// The duty's one successful transaction.
    pub landed: TxHash,
    /// The bot's transaction the fault hit (the first seen in the pool), if the fault hit one.
    pub hit: Option<TxHash>,
    /// Reverted transactions of the bot's account to the duty's contract.
    pub reverted: usize,
    /// The bot's metrics while the fault was in force (after it took effect).
    pub during: Samples,
    /// `/health` while the fault was in force.
    pub health_during: (u16, String),
    /// The bot's metrics once it read the chain again after a full outage and counted the duty
    /// it missed ([`Fault::Outage`]).
    pub recovered: Samples,
    /// The bot's metrics at the end (of the restarted process after a crash).
    pub after: Samples,
    /// The rival's metrics at the end ([`Fault::Rival`]).
    pub rival: Option<Samples>,
    /// Everything the bot (and its rival) logged.
    pub log: String,
}

/// Plays `fault` against the bot of `duty` on a fresh [`FaultNet`].
pub async fn run<D: Duty>(fault: Fault, mut duty: D) -> Result<Outcome, ChainError> {
    let net = FaultNet::start().await?;
    let duty = &mut duty;
    match fault {
        Fault::Outage => outage(&net, duty).await,
        Fault::Reorg => reorg(&net, duty).await,
        Fault::BaseFeeSpike => spike(&net, duty).await,
        Fault::Stuck => stuck(&net, duty).await,
        Fault::NonceGap => nonce_gap(&net, duty).await,
        Fault::CrashAfterSend => crash(&net, duty).await,
        Fault::Rival => rival(&net, duty).await,
        Fault::GasAboveCeiling => ceiling(&net, duty).await,
    }
}

/// Starts the bot against `urls` with `extra` flags and waits until it reads the chain.
async fn start<D: Duty>(
    net: &FaultNet,
    duty: &D,
    urls: &str,
    extra: &[&str],
) -> Result<BotProcess, ChainError> {
    let controller = net.devnet.controller.to_string();
    let mut args: Vec<String> = [
        "--rpc-url",
        urls,
        "--controller",
        &controller,
        "--replace-after-blocks",
        "2",
        "--rpc-retries",
        "0",
        "--max-failed-reads",
        "2",
    ]
    .map(str::to_owned)
    .to_vec();
    args.extend(duty.flags(net)?);
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let mut bot = BotProcess::spawn(duty.name(), &duty.binary(), &args, &[], net.dir())?;
    settle(&mut bot, duty.progress(), net.head().await?).await?;
    Ok(bot)
}

/// Waits until `bot` has looked at the chain at `head` (a [`Progress::Passes`] bot: until its
/// next pass ends).
pub async fn settle(bot: &mut BotProcess, progress: Progress, head: u64) -> Result<(), ChainError> {
    match progress {
        Progress::Block(key) => bot.wait_for(key, head as f64, SETTLE).await,
        Progress::Passes(key) => {
            let now = bot.value(key).await;
            bot.wait_for(key, now + 1.0, SETTLE).await
        }
    }
}

/// Mines block by block, letting `bots` look at each, until the chain shows the duty done;
/// returns the first block that shows it.
async fn until_done<D: Duty>(
    net: &FaultNet,
    duty: &D,
    bots: &mut [&mut BotProcess],
    max_blocks: u64,
) -> Result<u64, ChainError> {
    let mut head = net.head().await?;
    for _ in 0..=max_blocks {
        for bot in bots.iter_mut() {
            settle(bot, duty.progress(), head).await?;
        }
        if duty.done(net).await? {
            return Ok(head);
        }
        head = net.mine(1).await?;
    }
    let logs: Vec<String> = bots.iter().map(|b| tail(&b.log(), 40)).collect();
    Err(fail(format!(
        "{}: duty not done within {max_blocks} blocks; log ends:\n{}",
        duty.name(),
        logs.join("\n---\n")
    )))
}

/// The duty's one successful transaction since block `due`; fails on none or more.
async fn one_success<D: Duty>(
    net: &FaultNet,
    duty: &D,
    due: u64,
) -> Result<(TxHash, usize), ChainError> {
    let sent = net
        .sent(duty.actor().address()?, duty.target(net), due)
        .await?;
    match sent.ok.as_slice() {
        [one] => Ok((*one, sent.reverted.len())),
        other => Err(fail(format!(
            "{}: {} successful transactions for one duty since block {due}: {other:?}",
            duty.name(),
            other.len()
        ))),
    }
}

/// Mines until the duty is done (within `max_blocks`), checks its one transaction, lets the bot
/// confirm it, and reads what the bot shows.
#[allow(clippy::too_many_arguments)]
async fn finish<D: Duty>(
    net: &FaultNet,
    duty: &D,
    bot: &mut BotProcess,
    due: u64,
    max_blocks: u64,
    hit: Option<TxHash>,
    during: Samples,
) -> Result<Outcome, ChainError> {
    let done_at = until_done(net, duty, &mut [&mut *bot], max_blocks).await?;
    let (landed, reverted) = one_success(net, duty, due).await?;
    Ok(Outcome {
        blocks_to_done: done_at - due,
        landed,
        hit,
        reverted,
        during,
        after: after(net, duty, bot).await?,
        log: bot.log(),
        ..Outcome::default()
    })
}

/// Makes the duty due, waits for the bot's transaction and the duty done, checks that it was the
/// one transaction.
async fn duty_done<D: Duty>(
    net: &FaultNet,
    duty: &mut D,
    bots: &mut [&mut BotProcess],
    max_blocks: u64,
) -> Result<(u64, TxHash, usize), ChainError> {
    let due = duty.make_due(net).await?;
    // Mined once the bot has sent (it may mark a head handled before its sender broadcasts).
    if let Err(e) = net.wait_in_pool(duty.actor().address()?, TO_POOL).await {
        let logs: Vec<String> = bots.iter().map(|b| tail(&b.log(), 40)).collect();
        return Err(fail(format!("{e}; log ends:\n{}", logs.join("\n---\n"))));
    }
    let done_at = until_done(net, duty, bots, max_blocks).await?;
    let (landed, reverted) = one_success(net, duty, due).await?;
    Ok((done_at - due, landed, reverted))
}

/// Lets `bot` confirm what landed (two more blocks, each looked at), then reads its metrics.
async fn after<D: Duty>(
    net: &FaultNet,
    duty: &D,
    bot: &mut BotProcess,
) -> Result<Samples, ChainError> {
    for _ in 0..2 {
        let head = net.mine(1).await?;
        settle(bot, duty.progress(), head).await?;
    }
    bot.samples().await
}

/// Every log line of `bots`.
fn logs(bots: &[&BotProcess]) -> String {
    bots.iter().map(|b| b.log()).collect::<Vec<_>>().join("")
}

async fn outage<D: Duty>(net: &FaultNet, duty: &mut D) -> Result<Outcome, ChainError> {
    let first = FaultProxy::start(&net.http_url()).await?;
    let second = FaultProxy::start(&net.http_url()).await?;
    let urls = format!("{},{}", first.url(), second.url());
    let mut bot = start(net, duty, &urls, &[]).await?;

    // The first URL down while the duty falls due: done through the second.
    first.set(ProxyFault::Down);
    let (blocks_to_done, landed, reverted) = duty_done(net, duty, &mut [&mut bot], 12).await?;

    // Both down while the next duty falls due and passes: failed reads, /health 503, missed.
    second.set(ProxyFault::Down);
    let errors = bot.value(duty.read_errors()).await;
    bot.wait_for(duty.read_errors(), errors + 2.0, SETTLE)
        .await?;
    let missed_key = duty.missed()?;
    let missed = bot.value(&missed_key).await;
    duty.make_due(net).await?;
    duty.pass_deadline(net).await?;
    let health_during = bot.health().await?;
    let during = bot.samples().await?;
    first.set(ProxyFault::Pass);
    second.set(ProxyFault::Pass);
    bot.wait_for(&missed_key, missed + 1.0, SETTLE).await?;
    settle(&mut bot, duty.progress(), net.head().await?).await?;
    let recovered = bot.samples().await?;

    // Back: the next duty is done.
    duty_done(net, duty, &mut [&mut bot], 12).await?;
    Ok(Outcome {
        blocks_to_done,
        landed,
        reverted,
        during,
        health_during,
        recovered,
        after: after(net, duty, &mut bot).await?,
        log: bot.log(),
        ..Outcome::default()
    })
}

async fn reorg<D: Duty>(net: &FaultNet, duty: &mut D) -> Result<Outcome, ChainError> {
    let mut bot = start(net, duty, &net.http_url(), &["--confirmations", "2"]).await?;
    let due = duty.make_due(net).await?;
    let (hit, _) = net.wait_in_pool(duty.actor().address()?, TO_POOL).await?;
    net.mine(1).await?;
    // Once the bot has seen it mined (the sender logs it), the reorg takes it away.
    bot.wait_log(&format!("{hit}"), "transaction mined", TO_POOL)
        .await?;
    net.reorg_out(hit).await?;
    let during = bot.samples().await?;
    finish(net, duty, &mut bot, due, 10, Some(hit), during).await
}

async fn spike<D: Duty>(net: &FaultNet, duty: &mut D) -> Result<Outcome, ChainError> {
    let mut bot = start(net, duty, &net.http_url(), &[]).await?;
    let due = duty.make_due(net).await?;
    let (hit, _) = net.wait_in_pool(duty.actor().address()?, TO_POOL).await?;
    net.spike_evict(hit).await?;
    let during = bot.samples().await?;
    finish(net, duty, &mut bot, due, 12, Some(hit), during).await
}

async fn stuck<D: Duty>(net: &FaultNet, duty: &mut D) -> Result<Outcome, ChainError> {
    let mut bot = start(net, duty, &net.http_url(), &[]).await?;
    let from = duty.actor().address()?;
    let due = duty.make_due(net).await?;
    let (hit, nonce) = net.wait_in_pool(from, TO_POOL).await?;
    // Congested until a replacement of the same nonce takes its place in the pool.
    let mut replaced = false;
    for _ in 0..8 {
        let head = net.mine_congested(Actor::Congestion.address()?).await?;
        settle(&mut bot, duty.progress(), head).await?;
        if net.receipt(hit).await?.is_some() {
            return Err(fail(format!("{hit} landed in a congested block")));
        }
        if let Some((now, n)) = net.in_pool(from).await?
            && now != hit
        {
            if n != nonce {
                return Err(fail(format!(
                    "a new nonce {n} instead of replacing {nonce}"
                )));
            }
            replaced = true;
            break;
        }
    }
    if !replaced {
        return Err(fail(format!(
            "{}: {hit} was never replaced in 8 congested blocks; log ends:\n{}",
            duty.name(),
            tail(&bot.log(), 40)
        )));
    }
    let during = bot.samples().await?;
    net.relieve().await?;
    let out = finish(net, duty, &mut bot, due, 10, Some(hit), during).await?;
    if out.landed == hit {
        return Err(fail(format!("the stuck {hit} landed, not its replacement")));
    }
    Ok(out)
}

async fn nonce_gap<D: Duty>(net: &FaultNet, duty: &mut D) -> Result<Outcome, ChainError> {
    let mut bot = start(net, duty, &net.http_url(), &[]).await?;
    let gap = net.nonce_gap(duty.actor().address()?).await?;
    let during = bot.samples().await?;
    let (blocks_to_done, landed, reverted) = duty_done(net, duty, &mut [&mut bot], 10).await?;
    if net.receipt(gap).await?.is_none() {
        return Err(fail(format!("the gap stays open: {gap} never landed")));
    }
    Ok(Outcome {
        blocks_to_done,
        landed,
        hit: Some(gap),
        reverted,
        during,
        after: after(net, duty, &mut bot).await?,
        log: bot.log(),
        ..Outcome::default()
    })
}

async fn crash<D: Duty>(net: &FaultNet, duty: &mut D) -> Result<Outcome, ChainError> {
    let mut bot = start(net, duty, &net.http_url(), &[]).await?;
    let due = duty.make_due(net).await?;
    let (hit, _) = net.wait_in_pool(duty.actor().address()?, TO_POOL).await?;
    bot.kill()?;
    let during = Samples::default();
    bot.restart()?;
    settle(&mut bot, duty.progress(), net.head().await?).await?;
    let out = finish(net, duty, &mut bot, due, 10, Some(hit), during).await?;
    if out.landed != hit {
        return Err(fail(format!(
            "{} landed, not {hit} sent before the crash",
            out.landed
        )));
    }
    Ok(out)
}

async fn rival<D: Duty>(net: &FaultNet, duty: &mut D) -> Result<Outcome, ChainError> {
    let mut bot = start(net, duty, &net.http_url(), &[]).await?;
    let mut twin = bot.twin()?;
    settle(&mut twin, duty.progress(), net.head().await?).await?;
    let (blocks_to_done, landed, reverted) =
        duty_done(net, duty, &mut [&mut bot, &mut twin], 10).await?;
    bot.check_alive()?;
    twin.check_alive()?;
    Ok(Outcome {
        blocks_to_done,
        landed,
        reverted,
        after: after(net, duty, &mut bot).await?,
        rival: Some(after(net, duty, &mut twin).await?),
        log: logs(&[&bot, &twin]),
        ..Outcome::default()
    })
}

async fn ceiling<D: Duty>(net: &FaultNet, duty: &mut D) -> Result<Outcome, ChainError> {
    let flags = duty.ceiling(CEILING_GWEI);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut bot = start(net, duty, &net.http_url(), &flags).await?;
    let from = duty.actor().address()?;
    net.set_base_fee(HIGH_BASE_FEE).await?;
    let due = duty.make_due(net).await?;
    for _ in 0..3 {
        net.set_base_fee(HIGH_BASE_FEE).await?;
        let head = net.mine(1).await?;
        settle(&mut bot, duty.progress(), head).await?;
        if let Some((tx, _)) = net.in_pool(from).await? {
            return Err(fail(format!(
                "{tx} sent with the base fee above the ceiling"
            )));
        }
    }
    if duty.done(net).await? {
        return Err(fail("the duty was done above the ceiling"));
    }
    let health_during = bot.health().await?;
    let during = bot.samples().await?;
    net.set_base_fee(LOW_BASE_FEE).await?;
    Ok(Outcome {
        health_during,
        ..finish(net, duty, &mut bot, due, 10, None, during).await?
    })
}
