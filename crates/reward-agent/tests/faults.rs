//! The reward agent's row of the fault matrix (`livepeer_chain::faults`): the real
//! `livepeer-reward-agent` binary, started by its documented flags for one orchestrator with its
//! own key, against each fault. Each round is initialized by the harness (no keeper runs). The
//! harness checks the orchestrator rewarded after the fault by exactly one successful
//! transaction; each test checks what an operator sees.

use std::path::PathBuf;

use alloy::primitives::Address;
use anyhow::{Result, ensure};
use livepeer_chain::{
    ChainError,
    faults::{
        Fault,
        net::{Actor, FaultNet},
        scenario::{Duty, Outcome, Progress, run},
    },
};

/// The agent serving the harness's orchestrator with its own key.
struct RewardAgent;

fn orchestrator() -> Result<Address, ChainError> {
    Actor::Orchestrator.address()
}

impl Duty for RewardAgent {
    fn name(&self) -> &'static str {
        "reward-agent"
    }

    fn binary(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_livepeer-reward-agent"))
    }

    fn flags(&self, net: &FaultNet) -> Result<Vec<String>, ChainError> {
        let key = net.key_file(Actor::Orchestrator)?;
        Ok([
            "--orchestrator",
            &format!("{}=file:{}", orchestrator()?, key.display()),
            "--poll-interval-ms",
            "20",
            "--max-backoff-blocks",
            "2",
        ]
        .map(str::to_owned)
        .to_vec())
    }

    fn actor(&self) -> Actor {
        Actor::Orchestrator
    }

    fn target(&self, net: &FaultNet) -> Address {
        net.protocol.addresses.bonding_manager
    }

    fn ceiling(&self, gwei: &str) -> Vec<String> {
        vec!["--gas-ceiling-gwei".into(), gwei.into()]
    }

    fn progress(&self) -> Progress {
        Progress::Block("reward_agent_processed_block")
    }

    fn read_errors(&self) -> &'static str {
        "reward_agent_read_errors_total"
    }

    fn missed(&self) -> Result<String, ChainError> {
        Ok(format!(
            "reward_agent_missed_rounds_total{{orchestrator=\"{}\"}}",
            orchestrator()?
        ))
    }

    /// The next round, initialized in its first block by the harness (the keeper's job).
    async fn make_due(&mut self, net: &FaultNet) -> Result<u64, ChainError> {
        let start = net.mine_to_next_round().await?;
        net.initialize_round().await?;
        Ok(start)
    }

    async fn done(&self, net: &FaultNet) -> Result<bool, ChainError> {
        let round = net.round().await?;
        let last = net
            .protocol
            .bonding_manager
            .getTranscoder(orchestrator()?)
            .call()
            .await?
            .lastRewardRound;
        Ok(round.current == round.last_initialized && last.to::<u64>() == round.current)
    }

    /// Into the next round (not initialized yet, so nothing is due): the due one ended with the
    /// reward owed.
    async fn pass_deadline(&self, net: &FaultNet) -> Result<(), ChainError> {
        net.mine_to_next_round().await.map(|_| ())
    }
}

async fn agent(fault: Fault) -> Result<Outcome> {
    Ok(run(fault, RewardAgent).await?)
}

fn per_orchestrator(name: &str) -> Result<String> {
    Ok(format!("{name}{{orchestrator=\"{}\"}}", orchestrator()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_agent_survives_an_rpc_outage_and_fails_over() -> Result<()> {
    let out = agent(Fault::Outage).await?;
    ensure!(
        out.blocks_to_done == 2,
        "rewarded in the block after the initialization through the second URL, not {} blocks in",
        out.blocks_to_done
    );
    ensure!(out.log.contains("RPC failover"), "the failover is logged");
    ensure!(
        out.health_during.0 == 503
            && out
                .health_during
                .1
                .contains("consecutive failed chain reads"),
        "/health during the full outage: {:?}",
        out.health_during
    );
    ensure!(
        out.during.get("reward_agent_consecutive_failed_reads") >= 2.0,
        "failed reads in a row shown"
    );
    ensure!(
        out.recovered
            .get(&per_orchestrator("reward_agent_missed_rounds_total")?)
            == 1.0,
        "the round that passed during the outage is counted missed, once"
    );
    ensure!(out.log.contains("ROUND MISSED"), "and logged");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_agent_sends_again_after_a_reorg_drops_its_transaction() -> Result<()> {
    let out = agent(Fault::Reorg).await?;
    ensure!(
        out.log.contains("reorg removed the transaction"),
        "the reorg is logged"
    );
    // Not `reward_agent_rewards_total`: when the rebroadcast lands while the agent replaces it
    // (its own `--replace-after-blocks`), the replacement finds the nonce used and the agent
    // counts a failure instead of the reward (the chain shows the round rewarded, no miss).
    ensure!(
        out.after
            .get(&per_orchestrator("reward_agent_missed_rounds_total")?)
            == 0.0,
        "no round missed"
    );
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_agent_replaces_a_transaction_evicted_by_a_base_fee_spike() -> Result<()> {
    let out = agent(Fault::BaseFeeSpike).await?;
    ensure!(
        Some(out.landed) != out.hit,
        "a replacement priced for the new base fee landed"
    );
    ensure!(
        out.after
            .get(&per_orchestrator("reward_agent_txs_sent_total")?)
            >= 2.0,
        "the replacement counted among the transactions sent"
    );
    ensure!(out.log.contains("reward stuck; replacing it"), "and logged");
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_agent_replaces_a_stuck_transaction() -> Result<()> {
    let out = agent(Fault::Stuck).await?;
    ensure!(
        out.during
            .get(&per_orchestrator("reward_agent_txs_sent_total")?)
            >= 2.0,
        "the replacement counted while blocks were full"
    );
    ensure!(out.log.contains("reward stuck; replacing it"), "and logged");
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_agent_closes_a_nonce_gap() -> Result<()> {
    let out = agent(Fault::NonceGap).await?;
    ensure!(
        out.blocks_to_done == 2,
        "the gap costs no time: rewarded in the block after the initialization, not {} blocks in",
        out.blocks_to_done
    );
    ensure!(
        out.after
            .get(&per_orchestrator("reward_agent_txs_sent_total")?)
            == 1.0,
        "one transaction, no replacement"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_agent_restarted_after_a_crash_sends_no_duplicate() -> Result<()> {
    let out = agent(Fault::CrashAfterSend).await?;
    ensure!(
        out.after
            .get(&per_orchestrator("reward_agent_txs_sent_total")?)
            == 0.0,
        "the restarted agent sent nothing"
    );
    ensure!(
        out.log
            .contains("a transaction of this signer is already pending; waiting for it"),
        "it says it waits for the one in the pool"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_agent_and_a_rival_with_the_same_key_send_one_transaction() -> Result<()> {
    let out = agent(Fault::Rival).await?;
    let rival = out.rival.unwrap_or_default();
    let missed = per_orchestrator("reward_agent_missed_rounds_total")?;
    ensure!(out.reverted == 0, "nothing reverted");
    ensure!(
        out.after.get(&missed) == 0.0 && rival.get(&missed) == 0.0,
        "neither counts a miss"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reward_agent_waits_while_gas_is_above_the_ceiling() -> Result<()> {
    let out = agent(Fault::GasAboveCeiling).await?;
    ensure!(
        out.during
            .get(&per_orchestrator("reward_agent_gas_deferrals_total")?)
            == 1.0,
        "the round's deferral counted (once a round)"
    );
    ensure!(
        out.log.contains("base fee above the ceiling; deferring"),
        "and logged"
    );
    ensure!(
        out.after
            .get(&per_orchestrator("reward_agent_missed_rounds_total")?)
            == 0.0,
        "rewarded within the round: not missed"
    );
    Ok(())
}
