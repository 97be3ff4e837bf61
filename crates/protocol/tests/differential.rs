//! Differential tests: the protocol crate's mirrors against the contracts themselves, deployed on
//! anvil by the project's scripts, with random inputs from a fixed seed (`PROTOCOL_DIFF_SEED`
//! overrides it to explore). One devnet per deployment flavor: ours, and the live-deployment
//! fixture; each section starts from the same state (`evm_snapshot` / `evm_revert`).
//!
//! - [`rewards`]: reward amount, treasury cut, active stake and the reward hint = `Reward`,
//!   `TreasuryReward` and the pool after `rewardWithHint`;
//! - [`tickets`]: validity rules and payable amount = what `redeemWinningTicket` pays or reverts
//!   with, and the reserve slice = `claimableReserve`;
//! - [`pool`]: the sorted-pool simulation and every `*WithHint` hint = the pool after random
//!   bond / unbond / rebond / join / reward sequences.

#[path = "differential/net.rs"]
mod net;
#[path = "differential/pool.rs"]
mod pool;
#[path = "differential/rewards.rs"]
mod rewards;
#[path = "differential/tickets.rs"]
mod tickets;

use std::time::Instant;

use alloy::primitives::U256;
use anyhow::Result;
use livepeer_chain::testchain::Flavor;
use rand::{Rng, SeedableRng, rngs::StdRng};

use net::Net;

/// Reward rounds, senders and pool calls per flavor: enough to reach every branch (the counts
/// printed show it), few enough for CI's two cores.
const REWARD_ROUNDS: usize = 8;
const SENDERS: usize = 40;
const POOL_CALLS: usize = 200;

/// A stake: often one of a few round amounts (ties), else dust, or up to 10,000 LPT with wei.
fn stake(rng: &mut StdRng) -> U256 {
    let e18 = U256::from(10u64).pow(U256::from(18u64));
    match rng.gen_range(0..4) {
        0 => U256::from(rng.gen_range(1..=4u64) * 250) * e18,
        1 => U256::from(rng.gen_range(1..=1_000u64)),
        _ => {
            U256::from(rng.gen_range(1..=10_000u64)) * e18
                + U256::from(rng.gen_range(0..1_000_000_000_000_000_000u64))
        }
    }
}

fn seed() -> u64 {
    std::env::var("PROTOCOL_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(18)
}

async fn differential(flavor: Flavor) -> Result<()> {
    let started = Instant::now();
    let net = Net::start(flavor).await?;
    let seed = seed();
    println!(
        "{flavor:?}: devnet up in {:.1?}, seed {seed}",
        started.elapsed()
    );
    let mut rng = StdRng::seed_from_u64(seed);

    let at = Instant::now();
    let base = net.snapshot().await?;
    let covered = rewards::run(&net, &mut rng, REWARD_ROUNDS).await?;
    net.revert(base).await?;
    println!("{flavor:?}: rewards {covered:?} in {:.1?}", at.elapsed());
    anyhow::ensure!(
        covered.rewards >= 2 * REWARD_ROUNDS,
        "too few rewards compared"
    );

    let at = Instant::now();
    let base = net.snapshot().await?;
    let covered = tickets::run(&net, &mut rng, SENDERS).await?;
    net.revert(base).await?;
    println!("{flavor:?}: tickets {covered:?} in {:.1?}", at.elapsed());
    anyhow::ensure!(
        covered.paid > 0
            && covered.partial > 0
            && [
                "SenderUnlocked",
                "InsufficientFunds",
                "TicketUsed",
                "TicketExpired"
            ]
            .iter()
            .all(|name| covered.reverts.contains_key(*name)),
        "the tickets reached too few rules: {covered:?}"
    );

    let at = Instant::now();
    let covered = pool::run(&net, &mut rng, POOL_CALLS).await?;
    println!("{flavor:?}: pool {covered:?} in {:.1?}", at.elapsed());
    anyhow::ensure!(
        covered.moves > 0
            && covered.resignations > 0
            && covered.rebonds > 0
            && covered.joins > 0
            && covered.rewards > 0
            && covered.evictions > 0,
        "the pool calls reached too few kinds: {covered:?}"
    );
    println!("{flavor:?}: done in {:.1?}", started.elapsed());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirrors_match_our_contracts() -> Result<()> {
    differential(Flavor::Ours).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirrors_match_the_live_fixture() -> Result<()> {
    differential(Flavor::LiveFixture).await
}
