//! `reward-agent-bench`: the reward agent's JSON-RPC traffic and reaction time on a devnet.
//!
//! Deploys the protocol on a fresh anvil (`local` config) and registers eight orchestrators.
//!
//! 1. **Per decision** (the library): the chain layer's request counter around one decision for
//!    three served orchestrators: one `RewardLens` read (round, Minter, the orchestrators, the
//!    whole pool) followed by the pure decision and hints. Fails above 3 requests.
//! 2. **The release binary**: runs `livepeer-reward-agent` (next to this executable in
//!    `target/release`) for three of them, each with its own key, once over WebSocket and once
//!    polling HTTP, for several rounds each. Automine is off: blocks are mined one at a time,
//!    each once the agent has handled the previous one (and broadcast the rewards it owes, up to
//!    [`BROADCAST_WAIT`]); the bench plays the keeper and initializes each round in the round's
//!    first block. From the agent's `/metrics` and the chain it reports requests per idle block,
//!    per round and per acting stretch (round start until the rewards are confirmed), blocks
//!    from the round's initialization to each reward's inclusion, and peak resident memory.
//!    Fails if an orchestrator is not rewarded exactly once in a round.
//!
//! Build first: `cargo build --release -p livepeer-reward-agent`, then
//! `target/release/reward-agent-bench`. Writes `target/bench/50-reward-agent.json` when
//! `target/bench/` exists. Needs the pinned toolchain (`make deps`).

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{Context, Result, ensure};
use livepeer_bindings::IBondingManager;
use livepeer_chain::{
    counter::RequestCounter,
    protocol::Protocol,
    provider::{RpcConfig, connect},
    testchain::{DEV_KEYS, MetricsScrape, TestChain, memory_kib},
};
use livepeer_protocol::Round;
use livepeer_reward_agent::{
    decide::{Decision, Lane, Policy, RoundMemory, Standing, decide},
    lens::{lens_input, read_snapshot},
};

const ROUND_LENGTH: u64 = 20;
/// Rounds measured per transport with the release binary.
const ROUNDS: u64 = 5;
/// Orchestrators served by the agent (by the decision measurement too).
const SERVED: usize = 3;
/// Head polling interval of the HTTP run.
const POLL_INTERVAL_MS: u64 = 250;
/// Longest wait, after the agent has handled a block, for the rewards it owes to be broadcast
/// before the next block is mined (a block time the agent has to react within).
const BROADCAST_WAIT: Duration = Duration::from_secs(2);
/// Blocks after a round's initialization by which every reward must be confirmed.
const ACTING_LIMIT: u64 = 10;

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

/// Figures of the per-decision measurement.
struct DecisionFigures {
    pool: u64,
    requests: u64,
    calls: u64,
    walk_calls: u64,
}

/// Registers eight orchestrators (`DEV_KEYS[1..9]`) and measures one decision for the first
/// [`SERVED`] of them with the library.
async fn per_decision(devnet: &TestChain) -> Result<DecisionFigures> {
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
    let served = &orchestrators[..SERVED];
    let support = protocol.reward_caller_support().await?;
    let input = lens_input(devnet.controller, support, served, served);
    let block = provider.get_block_number().await?;

    let before = (counter.requests(), counter.calls());
    let snapshot = read_snapshot(&provider, &input, block).await?;
    let mut rewards = 0;
    for (o, state) in served.iter().zip(&snapshot.orchestrators) {
        let decision = decide(
            &snapshot,
            state,
            &Standing::of(&snapshot, state, *o),
            &RoundMemory::default(),
            Lane::Free,
            &Policy::default(),
        );
        rewards += usize::from(matches!(decision, Decision::Reward(_)));
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
    Ok(DecisionFigures {
        pool,
        requests,
        calls,
        walk_calls,
    })
}

/// One per-orchestrator counter, in the order of `orchestrators` (0 when not yet exported).
async fn per_orchestrator(
    scrape: &MetricsScrape,
    name: &str,
    orchestrators: &[Address],
) -> Result<Vec<u64>> {
    let samples = scrape.samples().await?;
    Ok(orchestrators
        .iter()
        .map(|o| {
            samples
                .get(&format!("{name}{{orchestrator=\"{o}\"}}"))
                .map_or(0, |v| *v as u64)
        })
        .collect())
}

const REQUESTS: &str = "reward_agent_rpc_requests_total";
const PROCESSED: &str = "reward_agent_processed_block";
const TXS_SENT: &str = "reward_agent_txs_sent_total";
const REWARDS: &str = "reward_agent_rewards_total";
const BLOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// The chain as the bench sees it: automine off, blocks mined one at a time.
struct Chain {
    provider: DynProvider,
    protocol: Protocol,
    deployer: Address,
}

impl Chain {
    async fn mine(&self) -> Result<u64> {
        let _: serde_json::Value = self
            .provider
            .raw_request("anvil_mine".into(), (U256::from(1),))
            .await?;
        Ok(self.provider.get_block_number().await?)
    }

    /// The keeper's part: `initializeRound` included in the round's first block, which is mined
    /// next (the head must be the block before it). Returns that block.
    async fn initialize_round(&self) -> Result<u64> {
        let rm = &self.protocol.rounds_manager;
        // Gas given: an estimate against the latest block would revert (the round starts next).
        let pending = rm
            .initializeRound()
            .from(self.deployer)
            .gas(500_000)
            .send()
            .await
            .context("sending initializeRound")?;
        let hash = *pending.tx_hash();
        let block = self.mine().await?;
        let receipt = self
            .provider
            .get_transaction_receipt(hash)
            .await?
            .with_context(|| format!("initializeRound {hash} not included in block {block}"))?;
        ensure!(
            receipt.status() && receipt.block_number == Some(block),
            "initializeRound {hash} failed or missed block {block}"
        );
        ensure!(
            block % ROUND_LENGTH == 0,
            "round initialized in block {block}, not a round's first block"
        );
        Ok(block)
    }

    /// `(currentRound, lastInitializedRound)`.
    async fn rounds(&self) -> Result<(Round, Round)> {
        let rm = &self.protocol.rounds_manager;
        Ok((
            Round::try_from(rm.currentRound().call().await?)?,
            Round::try_from(rm.lastInitializedRound().call().await?)?,
        ))
    }

    /// Blocks of the `Reward` events of each of `orchestrators` in `[from, to]`.
    async fn reward_blocks(
        &self,
        orchestrators: &[Address],
        from: u64,
        to: u64,
    ) -> Result<Vec<Vec<u64>>> {
        let filter = Filter::new()
            .address(self.protocol.addresses.bonding_manager)
            .event_signature(IBondingManager::Reward::SIGNATURE_HASH)
            .from_block(from)
            .to_block(to);
        let mut blocks = vec![Vec::new(); orchestrators.len()];
        for log in self.provider.get_logs(&filter).await? {
            let event = log.log_decode::<IBondingManager::Reward>()?;
            let block = log.block_number.context("log without block")?;
            if let Some(i) = orchestrators
                .iter()
                .position(|o| *o == event.inner.data.transcoder)
            {
                blocks[i].push(block);
            }
        }
        Ok(blocks)
    }
}

/// Figures of one run of the binary.
struct AgentFigures {
    idle_per_block: f64,
    per_round: f64,
    acting_per_round: f64,
    acting_blocks: f64,
    /// Blocks from each round's initialization to each reward's inclusion.
    latencies: Vec<u64>,
    rss_mb: f64,
}

/// Runs the release binary for `served` (address, key file) over `ROUNDS` rounds.
async fn bench_agent(
    devnet: &TestChain,
    chain: &Chain,
    ws: bool,
    served: &[(Address, PathBuf)],
) -> Result<AgentFigures> {
    let agent_bin = std::env::current_exe()?
        .parent()
        .context("no exe dir")?
        .join("livepeer-reward-agent");
    ensure!(
        agent_bin.is_file(),
        "{} missing: cargo build --release -p livepeer-reward-agent",
        agent_bin.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let url = if ws {
        devnet.ws_url()
    } else {
        devnet.http_url()
    };
    let mut args = vec![
        "--rpc-url".to_owned(),
        url,
        "--controller".to_owned(),
        devnet.controller.to_string(),
        "--metrics-addr".to_owned(),
        format!("127.0.0.1:{port}"),
        "--poll-interval-ms".to_owned(),
        POLL_INTERVAL_MS.to_string(),
    ];
    for (address, key) in served {
        args.push("--orchestrator".to_owned());
        args.push(format!("{address}=file:{}", key.display()));
    }
    let mut child = tokio::process::Command::new(&agent_bin)
        .args(&args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", agent_bin.display()))?;
    let pid = child.id().context("no pid")?;
    let scrape = MetricsScrape::new(&format!("127.0.0.1:{port}"));
    let orchestrators: Vec<Address> = served.iter().map(|(a, _)| *a).collect();
    let mode = if ws { "WebSocket" } else { "HTTP polling" };

    // Settle: the agent up, whatever it owed of the current round done, the head at the block
    // before the next round's first.
    let mut head = chain.provider.get_block_number().await?;
    scrape
        .wait_for(PROCESSED, head, Duration::from_secs(30))
        .await
        .context("the agent did not start")?;
    while (head + 1) % ROUND_LENGTH != 0 {
        head = chain.mine().await?;
        scrape.wait_for(PROCESSED, head, BLOCK_TIMEOUT).await?;
    }
    let (current, initialized) = chain.rounds().await?;
    if current == initialized {
        let bm = &chain.protocol.bonding_manager;
        for o in &orchestrators {
            let last = bm.getTranscoder(*o).call().await?.lastRewardRound;
            ensure!(
                last == current,
                "{mode}: {o} not rewarded in round {current} before the measurement"
            );
        }
    }
    let sent: u64 = per_orchestrator(&scrape, TXS_SENT, &orchestrators)
        .await?
        .iter()
        .sum();
    let confirmed: u64 = per_orchestrator(&scrape, REWARDS, &orchestrators)
        .await?
        .iter()
        .sum();
    ensure!(
        sent == confirmed,
        "{mode}: {sent} rewards sent, {confirmed} confirmed before the measurement"
    );

    let (mut idle_requests, mut idle_blocks, mut round_requests) = (0, 0, 0);
    let (mut acting_requests, mut acting_blocks, mut latencies) = (0, 0, Vec::new());
    for _ in 0..ROUNDS {
        let c0 = scrape.value(REQUESTS).await?;
        let sent0 = per_orchestrator(&scrape, TXS_SENT, &orchestrators).await?;
        let confirmed0 = per_orchestrator(&scrape, REWARDS, &orchestrators).await?;
        let init = chain.initialize_round().await?;
        let round = chain.rounds().await?.0;
        head = init;
        // Acting: from the round's first block until the agent has confirmed every reward.
        loop {
            scrape.wait_for(PROCESSED, head, BLOCK_TIMEOUT).await?;
            let confirmed = per_orchestrator(&scrape, REWARDS, &orchestrators).await?;
            if confirmed
                .iter()
                .zip(&confirmed0)
                .all(|(now, was)| now > was)
            {
                break;
            }
            ensure!(
                head - init < ACTING_LIMIT,
                "{mode}: round {round}: the agent did not confirm a reward for every orchestrator \
                 within {ACTING_LIMIT} blocks of the round's initialization (rewards confirmed \
                 {confirmed:?}, before the round {confirmed0:?})"
            );
            // A block time for the agent to broadcast what it owes.
            let deadline = Instant::now() + BROADCAST_WAIT;
            while Instant::now() < deadline {
                let sent = per_orchestrator(&scrape, TXS_SENT, &orchestrators).await?;
                if sent.iter().zip(&sent0).all(|(now, was)| now > was) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            head = chain.mine().await?;
        }
        let c1 = scrape.value(REQUESTS).await?;
        acting_requests += c1 - c0;
        acting_blocks += head - init + 1;
        // Idle: the rest of the round.
        let acted = head;
        while head + 1 < init + ROUND_LENGTH {
            head = chain.mine().await?;
            scrape.wait_for(PROCESSED, head, BLOCK_TIMEOUT).await?;
        }
        let c2 = scrape.value(REQUESTS).await?;
        idle_requests += c2 - c1;
        idle_blocks += head - acted;
        round_requests += c2 - c0;
        // The chain: one reward per orchestrator in the round.
        for (o, blocks) in orchestrators
            .iter()
            .zip(chain.reward_blocks(&orchestrators, init, head).await?)
        {
            ensure!(
                blocks.len() == 1,
                "{mode}: round {round}: {o} rewarded {} times (blocks {blocks:?}), expected once",
                blocks.len()
            );
            latencies.extend(blocks.iter().map(|b| b - init));
        }
    }
    let (rss, hwm) = memory_kib(pid);
    let _ = tokio::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await;
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .context("the agent did not stop on SIGTERM")??;
    ensure!(status.success(), "{mode}: the agent exited with {status}");
    let figures = AgentFigures {
        idle_per_block: idle_requests as f64 / idle_blocks.max(1) as f64,
        per_round: round_requests as f64 / ROUNDS as f64,
        acting_per_round: acting_requests as f64 / ROUNDS as f64,
        acting_blocks: acting_blocks as f64 / ROUNDS as f64,
        latencies,
        rss_mb: hwm as f64 / 1024.0,
    };
    println!(
        "{}",
        serde_json::json!({
            "bench": "reward-agent-binary",
            "transport": mode,
            "orchestrators_served": served.len(),
            "rounds": ROUNDS,
            "requests_per_idle_block": figures.idle_per_block,
            "idle_blocks": idle_blocks,
            "requests_per_round": figures.per_round,
            "requests_round_start_to_confirmed": figures.acting_per_round,
            "blocks_round_start_to_confirmed": figures.acting_blocks,
            "blocks_initialization_to_reward": figures.latencies,
            "rss_mb": rss as f64 / 1024.0,
            "rss_peak_mb": figures.rss_mb,
        })
    );
    Ok(figures)
}

/// A directory removed when dropped (the agent's key files).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self> {
        let path = std::env::temp_dir().join(format!("reward-agent-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let devnet = TestChain::start().await.context("starting the devnet")?;
    let decision = per_decision(&devnet).await?;

    // The release binary, for the first SERVED orchestrators with their own keys.
    let provider = ProviderBuilder::new()
        .connect_http(devnet.http_url().parse()?)
        .erased();
    let chain = Chain {
        protocol: Protocol::discover(provider.clone(), devnet.controller).await?,
        provider,
        deployer: DEV_KEYS[0].parse::<PrivateKeySigner>()?.address(),
    };
    let _: serde_json::Value = chain
        .provider
        .raw_request("evm_setAutomine".into(), (false,))
        .await?;
    let keys = TempDir::new()?;
    let mut served = Vec::new();
    for key in &DEV_KEYS[1..=SERVED] {
        let address = key.parse::<PrivateKeySigner>()?.address();
        let path = keys.path().join(format!("{address}.key"));
        std::fs::write(&path, key)?;
        served.push((address, path));
    }
    let ws = bench_agent(&devnet, &chain, true, &served).await?;
    let http = bench_agent(&devnet, &chain, false, &served).await?;

    // For `make bench` (script/bench/report.js): written when target/bench/ exists.
    let dir = livepeer_chain::testchain::repo_root().join("target/bench");
    if dir.is_dir() {
        let row = |metric: &str, value: serde_json::Value, goal: &str| serde_json::json!({"metric": metric, "value": value, "goal": goal});
        let round1 = |v: f64| serde_json::json!((v * 10.0).round() / 10.0);
        let latencies: Vec<u64> = ws
            .latencies
            .iter()
            .chain(&http.latencies)
            .copied()
            .collect();
        let max_latency = latencies.iter().copied().max().unwrap_or(0);
        let mean_latency = latencies.iter().sum::<u64>() as f64 / latencies.len().max(1) as f64;
        let report = serde_json::json!({
            "title": "Reward agent (livepeer-reward-agent)",
            "note": format!(
                "reward-agent-bench on anvil + Deploy.s.sol (local, {ROUND_LENGTH}-block rounds), {pool} orchestrators in the pool, {SERVED} served. \
                 Per decision: the library, requests counted by the chain layer's transport. \
                 Other rows: the release binary, {ROUNDS} rounds per transport (HTTP polls every {POLL_INTERVAL_MS} ms), requests counted by the agent's transport (a JSON-RPC batch counts once); \
                 automine off, each block mined once the agent has handled the previous one and broadcast the rewards it owes; the bench initializes each round in its first block; \
                 a round's requests include its {SERVED} rewards (nonces + simulation, broadcast, receipts).",
                pool = decision.pool,
            ),
            "rows": [
                row("RPC requests per decision", decision.requests.into(), "≤ 3"),
                row("eth_calls per decision", decision.calls.into(), "—"),
                row("eth_calls when walking the pool as the reference node does", decision.walk_calls.into(), "—"),
                row("RPC requests per idle block, WebSocket", round1(ws.idle_per_block), "—"),
                row("RPC requests per idle block, HTTP polling", round1(http.idle_per_block), "—"),
                row(&format!("RPC requests per round ({ROUND_LENGTH} blocks, {SERVED} rewards), WebSocket"), round1(ws.per_round), "—"),
                row(&format!("RPC requests per round ({ROUND_LENGTH} blocks, {SERVED} rewards), HTTP polling"), round1(http.per_round), "—"),
                row("RPC requests from round start until the rewards are confirmed, WebSocket", round1(ws.acting_per_round), "—"),
                row("RPC requests from round start until the rewards are confirmed, HTTP polling", round1(http.acting_per_round), "—"),
                row("blocks from round initialization to reward inclusion (max)", max_latency.into(), "—"),
                row("blocks from round initialization to reward inclusion (mean)", round1(mean_latency), "—"),
                row("resident memory, peak (MB)", round1(ws.rss_mb.max(http.rss_mb)), "—"),
            ]
        });
        std::fs::write(
            dir.join("50-reward-agent.json"),
            serde_json::to_string_pretty(&report)?,
        )?;
    }
    Ok(())
}
