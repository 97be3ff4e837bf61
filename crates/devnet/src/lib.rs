//! `make devnet`: a local devnet running the whole protocol.
//!
//! 1. Starts the pinned anvil and deploys the protocol with `script/Deploy.s.sol` (`local`
//!    config, 20-block rounds) through [`livepeer_chain::testchain::TestChain`], or uses an external
//!    anvil (`--rpc-url` + `--controller`) where that deploy was run from anvil's account #0.
//! 2. Sets up an economy with dev accounts: orchestrators with different stakes and
//!    commissions, delegators bonded to them, one broadcaster with a deposit and a reserve.
//! 3. Runs the keeper, the reward agent (for every orchestrator) and the ticket redeemer as
//!    real child processes, and switches anvil to interval mining (`--block-time`).
//! 4. Every round the broadcaster signs tickets to every orchestrator with `livepeer-protocol`
//!    (winning ones go to the redeemer's inbox) and one delegator unbonds, rebonds or moves its
//!    stake to another orchestrator.
//!    At the same point of each round the treasury grant moves on: once the Treasury holds LPT
//!    (the treasury cut of the rewards) an orchestrator proposes through the LivepeerGovernor
//!    that the Treasury transfer half of it to a grantee; once the proposal is Active the
//!    orchestrators vote (O0 against, the others for) and one delegator votes against its
//!    orchestrator (an override).
//! 5. Prints a per-round table and ends with a consistency check (LPT and ETH conservation,
//!    every active orchestrator rewarded every round, every round initialized, every winning
//!    ticket redeemed).
//! 6. Stops the bots, mines the rest of the voting period at once (`anvil_mine`), queues and
//!    executes the grant, and checks it: the tally equals the model of the snapshot's stakes
//!    (with the override), quorum reached, state Executed, the Treasury paid exactly the grant.
//!    [`run`] returns `Ok(false)` when a check fails.
//!
//! Modules: `economy` (dev accounts and their set-up), `net` (chain access), `bots` (the child
//! processes), `rounds` (driving each round), `governance` (the treasury grant and its check),
//! `report` (per-round figures and table), `checks` (the final consistency check); [`soak`]
//! (`livepeer-soak`: the economy over many short rounds with faults injected at random).

mod bots;
mod checks;
mod economy;
mod governance;
mod net;
mod report;
mod rounds;
pub mod soak;

use std::{path::PathBuf, str::FromStr, time::Instant};

use alloy::{eips::BlockId, primitives::Address, signers::local::PrivateKeySigner};
use anyhow::{Context as _, Result, ensure};
use clap::Parser;
use livepeer_chain::testchain::{DEV_KEYS, TestChain};
use livepeer_protocol::units::format_fixed;

use crate::{
    bots::BotSetup,
    economy::{delegators, dev_signer, orchestrators},
    governance::Grant,
    net::Net,
    rounds::drive,
};

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

pub async fn run(args: Args) -> Result<bool> {
    ensure!(
        args.orchestrators >= 1,
        "--orchestrators must be at least 1"
    );
    ensure!(args.delegators >= 1, "--delegators must be at least 1");
    ensure!(args.rounds >= 1, "--rounds must be at least 1");
    ensure!(args.block_time >= 1, "--block-time must be at least 1");
    let started = Instant::now();

    let (work_dir, bin_dir) = dirs("livepeer-devnet", &args.work_dir, &args.bin_dir)?;

    // 1. The chain.
    let (_devnet, http_url, ws_url, controller) = match (&args.rpc_url, args.controller) {
        (Some(url), Some(controller)) => (None, url.clone(), url.clone(), controller),
        _ => {
            println!("starting anvil and deploying the protocol (script/Deploy.s.sol, local)…");
            let devnet = TestChain::start().await.context("starting the devnet")?;
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

    let signers: Vec<&PrivateKeySigner> = orchs
        .iter()
        .map(|o| &o.signer)
        .chain(dels.iter().map(|d| &d.signer))
        .chain([&broadcaster])
        .collect();
    let net = Net::connect(&http_url, controller, &deployer, &signers).await?;

    // 2. The economy.
    economy::set_up(
        &net,
        &orchs,
        &dels,
        &broadcaster,
        &[keeper.address(), redeemer.address()],
    )
    .await?;
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
        format_fixed(supply0, 2)
    );

    let mut grant = Grant::discover(&net)
        .await
        .context("looking up the governance contracts")?;

    // 3. The bots.
    let inbox = work_dir.join("winning-tickets.jsonl");
    std::fs::write(&inbox, "")?;
    let mut bots = BotSetup {
        bin_dir: &bin_dir,
        work_dir: &work_dir,
        http_url: &http_url,
        ws_url: &ws_url,
        controller,
        inbox: &inbox,
    }
    .start(&keeper, &orchs, &redeemer)?;
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
        &mut grant,
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

    // 6. The treasury grant's remaining steps, the bots stopped so nothing else moves LPT.
    let finished = grant.finish(&net, &orchs, &dels).await;
    if let Err(e) = &finished {
        println!("governance: {e:#}");
    }
    let ok = grant.check(&net).await? && finished.is_ok() && ok;
    println!("total time {:.0} s", started.elapsed().as_secs_f64());
    Ok(ok)
}

/// The work directory (`work`, or a new one named after `name` and this process under the
/// system temp dir), created, and the bots' directory (`bin`, or this binary's).
pub(crate) fn dirs(
    name: &str,
    work: &Option<PathBuf>,
    bin: &Option<PathBuf>,
) -> Result<(PathBuf, PathBuf)> {
    let work_dir = match work {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("{name}-{}", std::process::id())),
    };
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("creating {}", work_dir.display()))?;
    let bin_dir = match bin {
        Some(d) => d.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("binary directory")?
            .to_path_buf(),
    };
    Ok((work_dir, bin_dir))
}
