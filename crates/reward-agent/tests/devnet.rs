//! The reward agent on a real anvil with the protocol deployed by `script/Deploy.s.sol`
//! (`local` config, 20-block rounds): three orchestrators (two through one reward caller, whose
//! account they share) over ten rounds, a restart mid-round, a revoked reward caller, and the
//! hints' gas. On both flavors of
//! the protocol (ours and the fixture of the live deployment, which has no LIP-118 and writes a
//! round's earnings pool only when something lands in it): three orchestrators with their own
//! keys rewarded every round, the predicted reward exact after a stake change in the round; on
//! the fixture, caller mode refused at start.

use std::{collections::BTreeMap, path::PathBuf, sync::Arc, time::Duration};

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{Filter, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{Context, Result, bail, ensure};
use livepeer_bindings::IBondingManager;
use livepeer_chain::{
    protocol::{Protocol, RewardCallerSupport},
    provider::RpcConfig,
    sender::{FeePolicy, poll_until},
    signer::KeySource,
    testchain::{DEV_KEYS, Flavor, TestChain},
};
use livepeer_protocol::pool::reward_hint;
use livepeer_reward_agent::{
    Agent, AgentError,
    agent::check_reward_callers,
    bot::{reward_calldata, reward_in_receipt},
    config::{AgentConfig, OrchestratorConfig},
    decide::{Decision, Lane, Policy, RewardCall, RoundMemory, Standing, decide},
    lens::{lens_input, pool, read_snapshot},
    metrics::Metrics,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

const ROUND_LENGTH: u64 = 20;

fn lpt(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
}

fn address_of(key: &str) -> Result<Address> {
    Ok(key.parse::<PrivateKeySigner>()?.address())
}

struct Chain {
    provider: DynProvider,
    protocol: Protocol,
    deployer: Address,
}

impl Chain {
    async fn send(&self, from: Address, to: Address, input: Vec<u8>) -> Result<u64> {
        let nonce = self.provider.get_transaction_count(from).await?;
        let tx = TransactionRequest::default()
            .from(from)
            .to(to)
            .nonce(nonce)
            .input(input.into());
        // Receipts polled by hash: the provider's block watcher is lost after an `evm_revert`.
        let hash = *self.provider.send_transaction(tx).await?.tx_hash();
        for _ in 0..200 {
            if let Some(receipt) = self.provider.get_transaction_receipt(hash).await? {
                ensure!(receipt.status(), "transaction from {from} reverted");
                return Ok(receipt.gas_used);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        bail!("no receipt for {hash}")
    }

    async fn block(&self) -> Result<u64> {
        Ok(self.provider.get_block_number().await?)
    }

    async fn mine(&self, blocks: u64) -> Result<()> {
        if blocks > 0 {
            let _: () = self
                .provider
                .raw_request("anvil_mine".into(), (U256::from(blocks),))
                .await?;
        }
        Ok(())
    }

    /// Mines to the next round's first block and initializes it (the keeper's job). Returns it.
    async fn next_round(&self) -> Result<u64> {
        let block = self.block().await?;
        self.mine(ROUND_LENGTH - block % ROUND_LENGTH).await?;
        let rm = &self.protocol.rounds_manager;
        let call = rm.initializeRound().from(self.deployer);
        call.send().await?.get_receipt().await?;
        Ok(u64::try_from(rm.currentRound().call().await?)?)
    }

    async fn last_reward_round(&self, o: Address) -> Result<u64> {
        let t = self
            .protocol
            .bonding_manager
            .getTranscoder(o)
            .call()
            .await?;
        Ok(u64::try_from(t.lastRewardRound)?)
    }

    async fn wait_rewarded(&self, orchestrators: &[Address], round: u64) -> Result<()> {
        let ok = poll_until(
            Duration::from_millis(50),
            Duration::from_secs(20),
            || async {
                for o in orchestrators {
                    if self.last_reward_round(*o).await.ok() != Some(round) {
                        return false;
                    }
                }
                true
            },
        )
        .await;
        ensure!(
            ok,
            "not every orchestrator of {orchestrators:?} was rewarded in round {round}"
        );
        Ok(())
    }

    /// Initializes the current round (the keeper's job).
    async fn initialize(&self) -> Result<u64> {
        let rm = &self.protocol.rounds_manager;
        let call = rm.initializeRound().from(self.deployer);
        call.send().await?.get_receipt().await?;
        Ok(u64::try_from(rm.currentRound().call().await?)?)
    }

    async fn set_reward_caller(&self, o: Address, caller: Address) -> Result<()> {
        let bm = &self.protocol.bonding_manager;
        bm.setRewardCaller(caller)
            .from(o)
            .send()
            .await?
            .get_receipt()
            .await?;
        Ok(())
    }
}

async fn setup(devnet: &TestChain, stakes: &[(Address, u64)]) -> Result<Chain> {
    let provider = ProviderBuilder::new()
        .connect_http(devnet.http_url().parse()?)
        .erased();
    let protocol = Protocol::discover(provider.clone(), devnet.controller).await?;
    let chain = Chain {
        provider,
        protocol,
        deployer: address_of(DEV_KEYS[0])?,
    };
    chain.next_round().await?;
    let bm = chain.protocol.addresses.bonding_manager;
    for &(o, amount) in stakes {
        let token = &chain.protocol.token;
        token
            .transfer(o, lpt(amount))
            .from(chain.deployer)
            .send()
            .await?
            .get_receipt()
            .await?;
        token
            .approve(bm, lpt(amount))
            .from(o)
            .send()
            .await?
            .get_receipt()
            .await?;
        let b = &chain.protocol.bonding_manager;
        b.bond(lpt(amount), o)
            .from(o)
            .send()
            .await?
            .get_receipt()
            .await?;
        // 10% reward cut, 50% fee share.
        b.transcoder(U256::from(100_000), U256::from(500_000))
            .from(o)
            .send()
            .await?
            .get_receipt()
            .await?;
    }
    Ok(chain)
}

struct Running {
    cancel: CancellationToken,
    handle: JoinHandle<Result<(), livepeer_reward_agent::AgentError>>,
    metrics: Arc<Metrics>,
}

fn start_agent(devnet: &TestChain, orchestrators: &[(Address, PathBuf)]) -> Running {
    start_agent_with(devnet, orchestrators, |_| {})
}

fn start_agent_with(
    devnet: &TestChain,
    orchestrators: &[(Address, PathBuf)],
    tweak: impl FnOnce(&mut AgentConfig),
) -> Running {
    let mut config = AgentConfig {
        rpc: RpcConfig::new(vec![devnet.http_url()]),
        controller: devnet.controller,
        orchestrators: orchestrators
            .iter()
            .map(|(address, key)| OrchestratorConfig {
                address: *address,
                key: KeySource::PrivateKeyFile(key.clone()),
            })
            .collect(),
        fees: FeePolicy {
            replace_after_blocks: u64::MAX,
            ..FeePolicy::default()
        },
        policy: Policy::default(),
        poll_interval: Duration::from_millis(20),
        metrics_addr: None,
        max_failed_reads: 3,
        dry_run: false,
    };
    tweak(&mut config);
    let agent = Agent::new(config);
    let metrics = agent.metrics();
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(agent.run(cancel.clone()));
    Running {
        cancel,
        handle,
        metrics,
    }
}

impl Running {
    /// Waits until the agent has recorded `n` confirmed rewards for each of `orchestrators`
    /// (the chain may show a reward a block before the agent's sender confirms it).
    async fn wait_confirmed(&self, orchestrators: &[Address], n: u64) -> Result<()> {
        let ok = poll_until(
            Duration::from_millis(20),
            Duration::from_secs(10),
            || async {
                orchestrators
                    .iter()
                    .all(|o| self.metrics.get(*o).rewards_confirmed == n)
            },
        )
        .await;
        ensure!(
            ok,
            "the agent did not confirm {n} rewards for each of {orchestrators:?}: {:?}",
            orchestrators
                .iter()
                .map(|o| {
                    let m = self.metrics.get(*o);
                    (m.rewards_confirmed, m.failures, m.missed_rounds)
                })
                .collect::<Vec<_>>()
        );
        Ok(())
    }

    /// Waits until the agent has handled `block` (so it saw what the chain shows there).
    async fn wait_processed(&self, block: u64) -> Result<()> {
        let ok = poll_until(
            Duration::from_millis(20),
            Duration::from_secs(10),
            || async { self.metrics.lock().processed_block >= block },
        )
        .await;
        ensure!(ok, "the agent did not handle block {block}");
        Ok(())
    }

    async fn stop(self) -> Result<Arc<Metrics>> {
        self.cancel.cancel();
        self.handle.await?.context("agent run")?;
        Ok(self.metrics)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_orchestrators_ten_rounds_restart_and_revoked_caller() -> Result<()> {
    let devnet = TestChain::start().await?;
    let keys = tempfile::tempdir()?;
    let o = [
        address_of(DEV_KEYS[1])?,
        address_of(DEV_KEYS[2])?,
        address_of(DEV_KEYS[3])?,
    ];
    let caller = address_of(DEV_KEYS[4])?;
    // O1 below O2 by less than its reward, so its reward moves it up the pool.
    let chain = setup(&devnet, &[(o[0], 1_000), (o[1], 1_200), (o[2], 3_000)]).await?;
    // O2 and O3 share the caller: its rewards take turns on one account.
    chain.set_reward_caller(o[1], caller).await?;
    chain.set_reward_caller(o[2], caller).await?;
    let mut key_files = Vec::new();
    for (address, key) in [
        (o[0], DEV_KEYS[1]),
        (o[1], DEV_KEYS[4]),
        (o[2], DEV_KEYS[4]),
    ] {
        let path = keys.path().join(format!("{address}.key"));
        std::fs::write(&path, key)?;
        key_files.push((address, path));
    }
    let first = chain.next_round().await?;
    println!("setup done, round {first}");

    // Hints: the agent's hints against zero hints, from the same state, for O1's reward.
    let input = lens_input(devnet.controller, RewardCallerSupport::Supported, &o, &[]);
    let snapshot = read_snapshot(&chain.provider, &input, chain.block().await?).await?;
    let o1 = &snapshot.orchestrators[0];
    let decision = decide(
        &snapshot,
        o1,
        &Standing::of(&snapshot, o1, o[0]),
        &RoundMemory::default(),
        Lane::Free,
        &Policy::default(),
    );
    let Decision::Reward(RewardCall {
        hints, estimate, ..
    }) = decision
    else {
        bail!("expected a reward decision, got {decision:?}");
    };
    let mut predicted = pool(&snapshot);
    reward_hint(&mut predicted, o[0], estimate.new_stake, true);
    assert_eq!(
        predicted.members(),
        vec![o[2], o[0], o[1]],
        "O1 moves above O2"
    );
    let bm = chain.protocol.addresses.bonding_manager;
    let snap: U256 = chain
        .provider
        .raw_request("evm_snapshot".into(), ())
        .await?;
    let gas_without = chain
        .send(
            o[0],
            bm,
            reward_calldata(o[0], o[0], (Address::ZERO, Address::ZERO)).to_vec(),
        )
        .await?;
    let _: bool = chain
        .provider
        .raw_request("evm_revert".into(), (snap,))
        .await?;
    let snap: U256 = chain
        .provider
        .raw_request("evm_snapshot".into(), ())
        .await?;
    let gas_with = chain
        .send(o[0], bm, reward_calldata(o[0], o[0], hints).to_vec())
        .await?;
    let after = read_snapshot(&chain.provider, &input, chain.block().await?).await?;
    let order: Vec<Address> = after.pool.iter().map(|m| m.member).collect();
    assert_eq!(order, predicted.members(), "pool after the reward");
    assert_eq!(
        after.orchestrators[0].totalStake, estimate.new_stake,
        "post-reward stake predicted exactly"
    );
    let _: bool = chain
        .provider
        .raw_request("evm_revert".into(), (snap,))
        .await?;
    assert!(
        gas_with < gas_without,
        "hints save gas: {gas_with} with, {gas_without} without"
    );
    println!("reward gas: {gas_with} with hints, {gas_without} without");

    // Ten rounds, each orchestrator rewarded once per round by the agent.
    let mut agent = start_agent(&devnet, &key_files);
    let mut totals: BTreeMap<Address, u64> = BTreeMap::new();
    let mut round = first;
    for i in 0..10 {
        if i > 0 {
            round = chain.next_round().await?;
        }
        match i {
            4 => {
                // Restart mid-round: stopped before the round, started a few blocks into it.
                chain.wait_rewarded(&o, round).await?;
                // The sender checks receipts on new heads: give it one after the reward's block.
                chain.mine(1).await?;
                agent.wait_confirmed(&o, 5).await?;
                let metrics = agent.stop().await?;
                for x in o {
                    *totals.entry(x).or_default() += metrics.get(x).rewards_confirmed;
                }
                round = chain.next_round().await?;
                chain.mine(5).await?;
                agent = start_agent(&devnet, &key_files);
                chain.wait_rewarded(&o, round).await?;
            }
            7 => {
                // O3 revokes the caller: reported, nothing sent for it (O2 keeps the caller);
                // re-authorized later.
                chain.wait_rewarded(&o, round).await?;
                chain.set_reward_caller(o[2], Address::ZERO).await?;
                round = chain.next_round().await?;
                chain.wait_rewarded(&o[..2], round).await?;
                let reported = poll_until(
                    Duration::from_millis(50),
                    Duration::from_secs(10),
                    || async { agent.metrics.get(o[2]).authorized == 0 },
                )
                .await;
                ensure!(reported, "revoked reward caller not reported");
                chain.mine(3).await?;
                assert_ne!(
                    chain.last_reward_round(o[2]).await?,
                    round,
                    "no reward without authorization"
                );
                assert_eq!(agent.metrics.get(o[2]).failures, 0, "nothing was attempted");
                chain.set_reward_caller(o[2], caller).await?;
                chain.wait_rewarded(&o, round).await?;
                assert_eq!(agent.metrics.get(o[2]).authorized, 1);
            }
            _ => chain.wait_rewarded(&o, round).await?,
        }
        println!("round {round} rewarded");
        {}
    }
    let last = round;
    chain.mine(1).await?;
    agent.wait_confirmed(&o, last - first + 1 - 5).await?;
    let metrics = agent.stop().await?;
    for x in o {
        *totals.entry(x).or_default() += metrics.get(x).rewards_confirmed;
        assert_eq!(metrics.get(x).failures, 0, "no failed attempt for {x}");
        assert_eq!(metrics.get(x).missed_rounds, 0, "no missed round for {x}");
    }

    // Exactly one Reward event per orchestrator per round, all from the agent.
    let filter = Filter::new()
        .address(bm)
        .event_signature(IBondingManager::Reward::SIGNATURE_HASH)
        .from_block(0);
    let mut per_round: BTreeMap<(Address, u64), u32> = BTreeMap::new();
    for log in chain.provider.get_logs(&filter).await? {
        let event = log.log_decode::<IBondingManager::Reward>()?;
        let block = log.block_number.context("log without block")?;
        *per_round
            .entry((event.inner.data.transcoder, block / ROUND_LENGTH))
            .or_default() += 1;
    }
    let rounds = last - first + 1;
    assert_eq!(
        rounds, 12,
        "ten agent rounds plus the restart's and the revocation's"
    );
    for x in o {
        for r in first..=last {
            let count = per_round.get(&(x, r)).copied().unwrap_or(0);
            assert_eq!(count, 1, "Reward events of {x} in round {r}");
        }
        assert_eq!(
            totals[&x], rounds,
            "rewards confirmed by the agents for {x}"
        );
    }
    Ok(())
}

/// Writes each dev key to a file; `(orchestrator, key file)` for `--orchestrator`.
fn key_files(
    dir: &tempfile::TempDir,
    served: &[(Address, &str)],
) -> Result<Vec<(Address, PathBuf)>> {
    let mut files = Vec::new();
    for (i, (address, key)) in served.iter().enumerate() {
        let path = dir.path().join(format!("{i}-{address}.key"));
        std::fs::write(&path, key)?;
        files.push((*address, path));
    }
    Ok(files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_keys_every_round_on_our_protocol() -> Result<()> {
    own_keys_every_round(Flavor::Ours).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_keys_every_round_on_the_live_fixture() -> Result<()> {
    own_keys_every_round(Flavor::LiveFixture).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_mode_refused_on_the_live_fixture() -> Result<()> {
    caller_mode_refused(Flavor::LiveFixture).await
}

/// Three orchestrators with their own keys, four rounds, each rewarded once per round; the first
/// round's reward of O1, whose stake grew in that round, is predicted exactly.
async fn own_keys_every_round(flavor: Flavor) -> Result<()> {
    let devnet = TestChain::start_flavor(flavor).await?;
    let keys = tempfile::tempdir()?;
    let o = [
        address_of(DEV_KEYS[1])?,
        address_of(DEV_KEYS[2])?,
        address_of(DEV_KEYS[3])?,
    ];
    let delegator = address_of(DEV_KEYS[5])?;
    let chain = setup(&devnet, &[(o[0], 1_000), (o[1], 1_200), (o[2], 3_000)]).await?;
    let support = chain.protocol.reward_caller_support().await?;
    let expected = match flavor {
        Flavor::Ours => RewardCallerSupport::Supported,
        Flavor::LiveFixture => RewardCallerSupport::NotSupported,
    };
    assert_eq!(support, expected, "LIP-118 detected");
    let first = chain.next_round().await?;
    chain.next_round().await?;
    let first = first + 1;

    // A delegator bonds to O1 in the round, before its reward: the stake the reward is minted on
    // is the round's (the bond counts from the next round), not O1's new total.
    let bm = chain.protocol.addresses.bonding_manager;
    let token = &chain.protocol.token;
    token
        .transfer(delegator, lpt(500))
        .from(chain.deployer)
        .send()
        .await?
        .get_receipt()
        .await?;
    token
        .approve(bm, lpt(500))
        .from(delegator)
        .send()
        .await?
        .get_receipt()
        .await?;
    chain
        .protocol
        .bonding_manager
        .bond(lpt(500), o[0])
        .from(delegator)
        .send()
        .await?
        .get_receipt()
        .await?;
    let input = lens_input(devnet.controller, support, &o, &[]);
    let snapshot = read_snapshot(&chain.provider, &input, chain.block().await?).await?;
    assert_eq!(
        snapshot.orchestrators[0].totalStake,
        lpt(1_500),
        "the pool key has the bond"
    );
    let o1 = &snapshot.orchestrators[0];
    let decision = decide(
        &snapshot,
        o1,
        &Standing::of(&snapshot, o1, o[0]),
        &RoundMemory::default(),
        Lane::Free,
        &Policy::default(),
    );
    let Decision::Reward(RewardCall {
        hints, estimate, ..
    }) = decision
    else {
        bail!("expected a reward decision, got {decision:?}");
    };
    let receipt = chain
        .protocol
        .bonding_manager
        .rewardWithHint(hints.0, hints.1)
        .from(o[0])
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "O1's reward reverted");
    assert_eq!(
        reward_in_receipt(&receipt, o[0]),
        Some(estimate.reward),
        "reward predicted exactly"
    );
    let after = read_snapshot(&chain.provider, &input, chain.block().await?).await?;
    assert_eq!(after.orchestrators[0].totalStake, estimate.new_stake);

    // The agent takes over: the rest of this round, then three more.
    let files = key_files(
        &keys,
        &[
            (o[0], DEV_KEYS[1]),
            (o[1], DEV_KEYS[2]),
            (o[2], DEV_KEYS[3]),
        ],
    )?;
    let agent = start_agent(&devnet, &files);
    chain.wait_rewarded(&o, first).await?;
    let mut round = first;
    for _ in 0..3 {
        // The agent must see its rewards land before the round ends, or it counts a miss.
        agent.wait_processed(chain.block().await?).await?;
        round = chain.next_round().await?;
        chain.wait_rewarded(&o, round).await?;
        println!("round {round} rewarded");
    }
    agent.wait_processed(chain.block().await?).await?;
    chain.mine(1).await?;
    agent.wait_confirmed(&o[1..], 4).await?;
    agent.wait_confirmed(&o[..1], 3).await?;
    let metrics = agent.stop().await?;
    let filter = Filter::new()
        .address(bm)
        .event_signature(IBondingManager::Reward::SIGNATURE_HASH)
        .from_block(0);
    let mut per_round: BTreeMap<(Address, u64), Vec<U256>> = BTreeMap::new();
    for log in chain.provider.get_logs(&filter).await? {
        let event = log.log_decode::<IBondingManager::Reward>()?;
        let block = log.block_number.context("log without block")?;
        per_round
            .entry((event.inner.data.transcoder, block / ROUND_LENGTH))
            .or_default()
            .push(event.inner.data.amount);
    }
    for x in o {
        let m = metrics.get(x);
        assert_eq!(m.failures, 0, "no failed attempt for {x}");
        assert_eq!(m.missed_rounds, 0, "no missed round for {x}");
        for r in first..=round {
            let amounts = per_round.get(&(x, r)).cloned().unwrap_or_default();
            assert_eq!(amounts.len(), 1, "one Reward of {x} in round {r}");
            assert!(
                amounts[0] > U256::ZERO,
                "a non-zero reward of {x} in round {r}"
            );
        }
    }
    Ok(())
}

/// Caller mode needs LIP-118: refused with an error naming the orchestrator and the signer.
#[test]
fn caller_mode_needs_reward_callers() {
    let (o, own, caller) = (
        Address::with_last_byte(1),
        Address::with_last_byte(2),
        Address::with_last_byte(9),
    );
    let served = [(own, own), (o, caller)];
    assert!(check_reward_callers(RewardCallerSupport::Supported, &served).is_ok());
    assert!(check_reward_callers(RewardCallerSupport::NotSupported, &served[..1]).is_ok());
    let err = check_reward_callers(RewardCallerSupport::NotSupported, &served)
        .err()
        .unwrap_or_else(|| unreachable!("caller mode accepted"));
    assert!(matches!(
        err,
        AgentError::RewardCallerUnsupported { orchestrator, signer } if orchestrator == o && signer == caller
    ));
    let text = err.to_string();
    for needle in [
        o.to_string(),
        caller.to_string(),
        "no reward callers".to_owned(),
        "own key".to_owned(),
    ] {
        assert!(text.contains(&needle), "`{needle}` in: {text}");
    }
}

/// On a deployment without LIP-118 the agent refuses to start in caller mode, before sending or
/// serving anything.
async fn caller_mode_refused(flavor: Flavor) -> Result<()> {
    let devnet = TestChain::start_flavor(flavor).await?;
    let keys = tempfile::tempdir()?;
    let o = [address_of(DEV_KEYS[1])?, address_of(DEV_KEYS[2])?];
    let caller = address_of(DEV_KEYS[4])?;
    setup(&devnet, &[(o[0], 1_000), (o[1], 1_000)]).await?;
    let files = key_files(&keys, &[(o[0], DEV_KEYS[1]), (o[1], DEV_KEYS[4])])?;
    let agent = start_agent(&devnet, &files);
    let result = tokio::time::timeout(Duration::from_secs(30), agent.handle).await??;
    match result {
        Err(AgentError::RewardCallerUnsupported {
            orchestrator,
            signer,
        }) => {
            assert_eq!((orchestrator, signer), (o[1], caller));
            Ok(())
        }
        other => bail!("expected the caller-mode refusal, got {other:?}"),
    }
}

/// `GET http://<addr>/health`: the status code and the body.
async fn health(addr: std::net::SocketAddr) -> Result<(u16, String)> {
    let response = alloy::transports::http::reqwest::get(format!("http://{addr}/health")).await?;
    Ok((response.status().as_u16(), response.text().await?))
}

/// Polls `/health` until it answers `status`; returns the body.
async fn wait_health(addr: std::net::SocketAddr, status: u16) -> Result<String> {
    for _ in 0..400 {
        if let Ok((code, body)) = health(addr).await
            && code == status
        {
            return Ok(body);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    bail!("/health never answered {status}")
}

/// Mines until the agent has read `o`'s reward in `round` (a reward it has not seen counts as
/// missed if the reads fail until the round ends).
async fn wait_seen(chain: &Chain, agent: &Running, o: Address, round: u64) -> Result<()> {
    let seen = poll_until(
        Duration::from_millis(20),
        Duration::from_secs(20),
        || async {
            chain.mine(1).await.is_ok() && agent.metrics.get(o).last_rewarded_round.get() == round
        },
    )
    .await;
    ensure!(seen, "the agent read round {round}'s reward");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_that_end_while_reads_fail_are_missed_and_health_says_why() -> Result<()> {
    use livepeer_chain::{
        proxy::{Fault, FaultProxy},
        testchain::MetricsScrape,
    };
    let devnet = TestChain::start().await?;
    let o = address_of(DEV_KEYS[1])?;
    let chain = setup(&devnet, &[(o, 1_000)]).await?;
    let keys = tempfile::tempdir()?;
    let key = keys.path().join("o.key");
    std::fs::write(&key, DEV_KEYS[1])?;
    let round = chain.next_round().await?;
    let proxy = FaultProxy::start(&devnet.http_url()).await?;
    let addr: std::net::SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let agent = start_agent_with(&devnet, &[(o, key)], |c| {
        c.rpc = RpcConfig::new(vec![proxy.url()]);
        c.rpc.max_retries = 0;
        c.metrics_addr = Some(addr);
    });
    let missed = format!("reward_agent_missed_rounds_total{{orchestrator=\"{o}\"}}");
    let scrape = MetricsScrape::new(&addr.to_string());
    // The orchestrator's series exist from the start, before any read or reward.
    ensure!(
        agent.metrics.render().contains(&format!("{missed} 0\n")),
        "series at start"
    );
    scrape
        .wait_for("reward_agent_head_block", 1, Duration::from_secs(20))
        .await?;
    ensure!(
        scrape.samples().await?.contains_key(&missed),
        "series served"
    );
    chain.wait_rewarded(&[o], round).await?;
    wait_seen(&chain, &agent, o, round).await?;
    ensure!(wait_health(addr, 200).await? == "ok\n");

    // The live failure: heads arrive, every snapshot (one eth_call) reverts.
    proxy.set(Fault::RevertCalls);
    let unrewarded = chain.next_round().await?;
    for _ in 0..4 {
        chain.mine(1).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = wait_health(addr, 503).await?;
    ensure!(
        body.contains("consecutive failed chain reads (limit 3)"),
        "{body}"
    );
    ensure!(
        agent.metrics.lock().read_errors >= 3,
        "failed reads counted"
    );
    ensure!(
        agent.metrics.get(o).missed_rounds == 0,
        "round {unrewarded} not over"
    );
    // The round ends while the reads still fail: missed, without waiting for the node.
    let block = chain.block().await?;
    chain.mine(ROUND_LENGTH - block % ROUND_LENGTH).await?;
    let counted = poll_until(
        Duration::from_millis(20),
        Duration::from_secs(20),
        || async { agent.metrics.get(o).missed_rounds == 1 },
    )
    .await;
    ensure!(
        counted,
        "round {unrewarded} counted as missed during the outage"
    );
    ensure!(
        chain.last_reward_round(o).await? == round,
        "nothing was rewarded"
    );
    ensure!(scrape.value(&missed).await? == 1);

    // Reads come back: this round is rewarded, the missed one stays counted.
    proxy.set(Fault::Pass);
    let next = chain.initialize().await?;
    chain.wait_rewarded(&[o], next).await?;
    wait_seen(&chain, &agent, o, next).await?;
    wait_health(addr, 200).await?;

    // A full outage (no heads either) across a whole round: counted when the node is back.
    proxy.set(Fault::Down);
    let errors = agent.metrics.lock().read_errors;
    let noticed = poll_until(
        Duration::from_millis(20),
        Duration::from_secs(20),
        || async { agent.metrics.lock().read_errors >= errors + 3 },
    )
    .await;
    ensure!(noticed, "failed head reads counted");
    wait_health(addr, 503).await?;
    let lost = chain.next_round().await?;
    let back = chain.next_round().await?;
    proxy.set(Fault::Pass);
    chain.wait_rewarded(&[o], back).await?;
    let counted = poll_until(
        Duration::from_millis(20),
        Duration::from_secs(20),
        || async { agent.metrics.get(o).missed_rounds == 2 },
    )
    .await;
    ensure!(
        counted,
        "round {lost} counted as missed once the node is back"
    );
    wait_health(addr, 200).await?;
    let metrics = agent.stop().await?;
    ensure!(
        metrics.get(o).missed_rounds == 2,
        "exactly rounds {unrewarded} and {lost}"
    );
    Ok(())
}
