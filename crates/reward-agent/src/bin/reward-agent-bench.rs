//! `reward-agent-bench`: JSON-RPC requests per reward decision on a devnet.
//!
//! Deploys the protocol on a fresh anvil (`local` config), registers eight orchestrators, and
//! measures, with the chain layer's request counter, the requests of one decision for three
//! served orchestrators: one `RewardLens` read (round, Minter, the orchestrators, the whole pool)
//! followed by the pure decision and hints. Prints one JSON object; exits non-zero if a decision
//! needs more than 3 requests. Needs the pinned toolchain (`make deps`).

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result, ensure};
use livepeer_chain::{
    counter::RequestCounter,
    devnet::{DEV_KEYS, Devnet},
    protocol::Protocol,
    provider::{RpcConfig, connect},
};
use livepeer_reward_agent::{
    decide::{Decision, Policy, RoundMemory, decide},
    lens::{lens_input, read_snapshot},
};

const ROUND_LENGTH: u64 = 20;

async fn next_round(
    protocol: &Protocol,
    provider: &alloy::providers::DynProvider,
    deployer: Address,
) -> Result<()> {
    let block = provider.get_block_number().await?;
    let _: () = provider
        .raw_request(
            "anvil_mine".into(),
            (U256::from(ROUND_LENGTH - block % ROUND_LENGTH),),
        )
        .await?;
    protocol
        .rounds_manager
        .initializeRound()
        .from(deployer)
        .send()
        .await?
        .get_receipt()
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let devnet = Devnet::start().await.context("starting the devnet")?;
    let counter = RequestCounter::new();
    let rpc = connect(&RpcConfig::new(vec![devnet.http_url()]), counter.clone()).await?;
    let provider = rpc.provider.clone();
    let protocol = Protocol::discover(provider.clone(), devnet.controller).await?;
    let deployer = DEV_KEYS[0].parse::<PrivateKeySigner>()?.address();
    next_round(&protocol, &provider, deployer).await?;
    let mut orchestrators = Vec::new();
    for (i, key) in DEV_KEYS[1..9].iter().enumerate() {
        // Four transactions each: a round per orchestrator keeps them out of the lock window.
        next_round(&protocol, &provider, deployer).await?;
        let o = key.parse::<PrivateKeySigner>()?.address();
        let amount = U256::from(1_000 + 100 * i as u64) * U256::from(10u64).pow(U256::from(18u64));
        let (token, bm) = (&protocol.token, &protocol.bonding_manager);
        token
            .transfer(o, amount)
            .from(deployer)
            .send()
            .await?
            .get_receipt()
            .await?;
        token
            .approve(protocol.addresses.bonding_manager, amount)
            .from(o)
            .send()
            .await?
            .get_receipt()
            .await?;
        bm.bond(amount, o)
            .from(o)
            .send()
            .await?
            .get_receipt()
            .await?;
        bm.transcoder(U256::from(100_000), U256::from(500_000))
            .from(o)
            .send()
            .await?
            .get_receipt()
            .await?;
        orchestrators.push(o);
    }
    next_round(&protocol, &provider, deployer).await?;
    let served = &orchestrators[..3];
    let input = lens_input(devnet.controller, served, served);
    let block = provider.get_block_number().await?;

    let before = (counter.requests(), counter.calls());
    let snapshot = read_snapshot(&provider, &input, block).await?;
    let mut rewards = 0;
    for (o, state) in served.iter().zip(&snapshot.orchestrators) {
        let decision = decide(
            &snapshot,
            state,
            *o,
            &RoundMemory::default(),
            &Policy::default(),
        );
        rewards += usize::from(matches!(decision, Decision::Reward { .. }));
    }
    let requests = counter.requests() - before.0;
    let calls = counter.calls() - before.1;
    let pool = snapshot.pool.len() as u64;
    // The reference node: getFirst/getNext per member plus a stake and status read each, and
    // the round / Minter / orchestrator reads (~6 per member).
    let walk_calls = 1 + 2 * pool + 4 + 4 * served.len() as u64;
    println!(
        "{{\"bench\":\"reward-decision\",\"orchestrators_served\":{},\"pool_size\":{pool},\"rewards_decided\":{rewards},\"requests_per_decision\":{requests},\"calls_per_decision\":{calls},\"calls_by_walking_the_pool\":{walk_calls}}}",
        served.len()
    );
    ensure!(
        rewards == served.len(),
        "expected a reward decision for every served orchestrator"
    );
    ensure!(
        requests <= 3,
        "a decision took {requests} requests (limit 3)"
    );
    // For `make bench` (script/bench/report.js): written when target/bench/ exists.
    let dir = livepeer_chain::devnet::repo_root().join("target/bench");
    if dir.is_dir() {
        let row = |metric: &str, value: u64, goal: &str| serde_json::json!({"metric": metric, "value": value, "goal": goal});
        let report = serde_json::json!({
            "title": "Reward agent (livepeer-reward-agent)",
            "note": format!("reward-agent-bench: one decision for {} orchestrators in a pool of {pool} on anvil + Deploy.s.sol (local); requests counted by the chain layer's transport.", served.len()),
            "rows": [
                row("RPC requests per decision", requests, "≤ 3"),
                row("eth_calls per decision", calls, "—"),
                row("eth_calls when walking the pool as the reference node does", walk_calls, "—"),
            ]
        });
        std::fs::write(
            dir.join("50-reward-agent.json"),
            serde_json::to_string_pretty(&report)?,
        )?;
    }
    Ok(())
}
