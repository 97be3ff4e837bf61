//! The keeper's row of the fault matrix (`livepeer_chain::faults`): the real `livepeer-keeper`
//! binary, started by its documented flags, against each fault. The harness checks the round
//! initialized after the fault by exactly one successful `initializeRound()`; each test checks
//! what an operator sees.

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

/// The keeper, alone in its set, initializing every round.
struct Keeper;

impl Duty for Keeper {
    fn name(&self) -> &'static str {
        "keeper"
    }

    fn binary(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_livepeer-keeper"))
    }

    fn flags(&self, net: &FaultNet) -> Result<Vec<String>, ChainError> {
        let key = net.key_file(Actor::Keeper)?;
        Ok([
            "--private-key-file",
            &key.display().to_string(),
            "--keepers",
            &Actor::Keeper.address()?.to_string(),
            "--poll-interval-ms",
            "20",
        ]
        .map(str::to_owned)
        .to_vec())
    }

    fn actor(&self) -> Actor {
        Actor::Keeper
    }

    fn target(&self, net: &FaultNet) -> Address {
        net.protocol.addresses.rounds_manager
    }

    fn ceiling(&self, gwei: &str) -> Vec<String> {
        vec!["--gas-ceiling-gwei".into(), gwei.into()]
    }

    fn progress(&self) -> Progress {
        Progress::Block("keeper_processed_block")
    }

    fn read_errors(&self) -> &'static str {
        "keeper_read_errors_total"
    }

    fn missed(&self) -> Result<String, ChainError> {
        Ok("keeper_rounds_missed_total".into())
    }

    /// The next round's first block.
    async fn make_due(&mut self, net: &FaultNet) -> Result<u64, ChainError> {
        net.mine_to_next_round().await
    }

    async fn done(&self, net: &FaultNet) -> Result<bool, ChainError> {
        let round = net.round().await?;
        Ok(round.current == round.last_initialized)
    }

    /// Into the round after, which another keeper (the deployer) initializes: the due one ended
    /// uninitialized.
    async fn pass_deadline(&self, net: &FaultNet) -> Result<(), ChainError> {
        net.mine_to_next_round().await?;
        net.initialize_round().await
    }
}

async fn keeper(fault: Fault) -> Result<Outcome> {
    Ok(run(fault, Keeper).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_survives_an_rpc_outage_and_fails_over() -> Result<()> {
    let out = keeper(Fault::Outage).await?;
    ensure!(
        out.blocks_to_done == 1,
        "initialized in the round's first block through the second URL, not {} blocks in",
        out.blocks_to_done
    );
    ensure!(out.log.contains("RPC failover"), "the failover is logged");
    ensure!(
        out.after.get("keeper_rpc_transport_errors_total") >= 1.0,
        "the first URL's failures counted"
    );
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
        out.during.get("keeper_consecutive_failed_reads") >= 2.0,
        "failed reads in a row shown"
    );
    ensure!(
        out.recovered.get("keeper_rounds_missed_total") == 1.0
            && out.after.get("keeper_rounds_missed_total") == 1.0,
        "the round that passed during the outage is counted missed, once"
    );
    ensure!(out.log.contains("ROUND MISSED"), "and logged");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_sends_again_after_a_reorg_drops_its_transaction() -> Result<()> {
    let out = keeper(Fault::Reorg).await?;
    ensure!(
        out.after.get("keeper_txs_reorged_total") == 1.0,
        "the reorg counted"
    );
    ensure!(
        out.log.contains("reorg removed the transaction"),
        "and logged"
    );
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_replaces_a_transaction_evicted_by_a_base_fee_spike() -> Result<()> {
    let out = keeper(Fault::BaseFeeSpike).await?;
    ensure!(
        Some(out.landed) != out.hit,
        "a replacement priced for the new base fee landed"
    );
    ensure!(
        out.after.get("keeper_txs_replaced_total") >= 1.0,
        "the replacement counted"
    );
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_replaces_a_stuck_transaction() -> Result<()> {
    let out = keeper(Fault::Stuck).await?;
    ensure!(
        out.during.get("keeper_txs_replaced_total") >= 1.0,
        "the replacement counted while blocks were full"
    );
    ensure!(out.log.contains("stuck transaction replaced"), "and logged");
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_closes_a_nonce_gap() -> Result<()> {
    let out = keeper(Fault::NonceGap).await?;
    ensure!(
        out.blocks_to_done == 1,
        "the gap costs no time: initialized in the round's first block, not {} blocks in",
        out.blocks_to_done
    );
    ensure!(
        out.after.get("keeper_txs_sent_total") == 1.0
            && out.after.get("keeper_txs_replaced_total") == 0.0,
        "one transaction, no replacement"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_restarted_after_a_crash_sends_no_duplicate() -> Result<()> {
    let out = keeper(Fault::CrashAfterSend).await?;
    ensure!(
        out.after.get("keeper_txs_sent_total") == 0.0,
        "the restarted keeper sent nothing"
    );
    ensure!(
        out.log
            .contains("a transaction of ours is already pending; waiting for it"),
        "it says it waits for the one in the pool:\n{}",
        out.log
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_and_a_rival_with_the_same_key_send_one_transaction() -> Result<()> {
    let out = keeper(Fault::Rival).await?;
    let rival = out.rival.unwrap_or_default();
    ensure!(
        out.blocks_to_done == 1,
        "initialized in the round's first block, not {} blocks in",
        out.blocks_to_done
    );
    ensure!(out.reverted == 0, "nothing reverted");
    ensure!(
        out.after.get("keeper_rounds_missed_total") == 0.0
            && rival.get("keeper_rounds_missed_total") == 0.0,
        "neither counts a miss"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_waits_while_gas_is_above_the_ceiling() -> Result<()> {
    let out = keeper(Fault::GasAboveCeiling).await?;
    ensure!(
        out.during.get("keeper_gas_above_ceiling") == 1.0,
        "the ceiling alert set while the base fee was above it"
    );
    ensure!(
        out.during.get("keeper_gas_deferrals_total") >= 3.0,
        "every block above the ceiling deferred"
    );
    ensure!(
        out.after.get("keeper_gas_above_ceiling") == 0.0,
        "the alert cleared"
    );
    ensure!(
        out.log.contains("base fee above the ceiling; deferring"),
        "and logged"
    );
    Ok(())
}
