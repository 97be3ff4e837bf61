//! The redeemer's row of the fault matrix (`livepeer_chain::faults`): the real
//! `livepeer-redeemer` binary, started by its documented flags with an inbox, against each
//! fault. Each duty is one winning ticket from the harness's broadcaster to its orchestrator,
//! appended to the inbox (rounds are initialized by the harness). The harness checks the ticket
//! redeemed after the fault by exactly one successful transaction; each test checks what an
//! operator sees.

mod common;

use std::{io::Write, path::PathBuf};

use alloy::primitives::{Address, B256};
use anyhow::{Result, ensure};
use livepeer_chain::{
    ChainError,
    faults::{
        Fault,
        net::{Actor, FaultNet, ROUND_LENGTH},
        scenario::{Duty, Outcome, Progress, run},
    },
};

/// The redeemer with an inbox, and the tickets handed to it.
#[derive(Default)]
struct Redeemer {
    /// Tickets written so far (the sender nonce of the next one).
    written: u64,
    /// The last ticket's hash.
    last: B256,
}

fn inbox(net: &FaultNet) -> PathBuf {
    net.dir().join("inbox.jsonl")
}

fn fail(e: impl std::fmt::Display) -> ChainError {
    ChainError::TestChain(e.to_string())
}

impl Duty for Redeemer {
    fn name(&self) -> &'static str {
        "redeemer"
    }

    fn binary(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_livepeer-redeemer"))
    }

    fn flags(&self, net: &FaultNet) -> Result<Vec<String>, ChainError> {
        let key = net.key_file(Actor::Redeemer)?;
        Ok([
            "--private-key-file",
            &key.display().to_string(),
            "--state-dir",
            &net.dir().join("redeemer-state").display().to_string(),
            "--inbox",
            &inbox(net).display().to_string(),
            "--poll-interval",
            "1",
            "--head-poll-interval-ms",
            "50",
            "--receipt-timeout",
            "1",
        ]
        .map(str::to_owned)
        .to_vec())
    }

    fn actor(&self) -> Actor {
        Actor::Redeemer
    }

    fn target(&self, net: &FaultNet) -> Address {
        net.protocol.addresses.ticket_broker
    }

    /// The redeemer has no gas ceiling: its fee cap stands in.
    fn ceiling(&self, gwei: &str) -> Vec<String> {
        vec!["--max-fee-gwei".into(), gwei.into()]
    }

    fn progress(&self) -> Progress {
        Progress::Passes("redeemer_passes_total")
    }

    fn read_errors(&self) -> &'static str {
        "redeemer_read_errors_total"
    }

    fn missed(&self) -> Result<String, ChainError> {
        Ok("redeemer_tickets_expired_total".into())
    }

    /// A winning ticket of the current round (initialized first if need be) in the inbox.
    async fn make_due(&mut self, net: &FaultNet) -> Result<u64, ChainError> {
        net.initialize_round().await?;
        self.written += 1;
        let signed = common::fault_net_ticket(net, self.written)
            .await
            .map_err(fail)?;
        self.last = signed.ticket.hash();
        let line = serde_json::to_string(&signed).map_err(fail)?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(inbox(net))
            .and_then(|mut f| writeln!(f, "{line}"))
            .map_err(fail)?;
        net.head().await
    }

    async fn done(&self, net: &FaultNet) -> Result<bool, ChainError> {
        Ok(net
            .protocol
            .ticket_broker
            .usedTickets(self.last)
            .call()
            .await?)
    }

    /// Past the ticket's validity (`ticketValidityPeriod` = 2 rounds on the local config).
    async fn pass_deadline(&self, net: &FaultNet) -> Result<(), ChainError> {
        net.mine(3 * ROUND_LENGTH).await.map(|_| ())
    }
}

async fn redeemer(fault: Fault) -> Result<Outcome> {
    Ok(run(fault, Redeemer::default()).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeemer_survives_an_rpc_outage_and_fails_over() -> Result<()> {
    let out = redeemer(Fault::Outage).await?;
    ensure!(out.log.contains("RPC failover"), "the failover is logged");
    ensure!(
        out.health_during.0 == 503,
        "/health during the full outage: {:?}",
        out.health_during
    );
    ensure!(
        out.during.get("redeemer_consecutive_failed_reads") >= 2.0,
        "failed passes in a row shown"
    );
    ensure!(
        out.recovered.get("redeemer_tickets_expired_total") == 1.0
            && out.after.get("redeemer_tickets_expired_total") == 1.0,
        "the ticket that expired during the outage is counted, once"
    );
    ensure!(out.log.contains("TICKET EXPIRED UNREDEEMED"), "and logged");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeemer_sends_again_after_a_reorg_drops_its_transaction() -> Result<()> {
    let out = redeemer(Fault::Reorg).await?;
    ensure!(
        out.log.contains("reorg removed the transaction"),
        "the reorg is logged"
    );
    ensure!(
        out.after.get("redeemer_tickets_redeemed_total") == 1.0,
        "one ticket redeemed"
    );
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeemer_replaces_a_transaction_evicted_by_a_base_fee_spike() -> Result<()> {
    let out = redeemer(Fault::BaseFeeSpike).await?;
    ensure!(
        Some(out.landed) != out.hit,
        "a replacement priced for the new base fee landed"
    );
    ensure!(
        out.after.get("redeemer_txs_replaced_total") >= 1.0,
        "the replacement counted"
    );
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeemer_replaces_a_stuck_transaction() -> Result<()> {
    let out = redeemer(Fault::Stuck).await?;
    ensure!(
        out.during.get("redeemer_txs_replaced_total") >= 1.0,
        "the replacement counted while blocks were full"
    );
    ensure!(out.log.contains("stuck redemption replaced"), "and logged");
    ensure!(out.reverted == 0, "nothing reverted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeemer_closes_a_nonce_gap() -> Result<()> {
    let out = redeemer(Fault::NonceGap).await?;
    ensure!(
        out.after.get("redeemer_txs_sent_total") == 1.0
            && out.after.get("redeemer_txs_replaced_total") == 0.0,
        "one transaction, no replacement"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeemer_restarted_after_a_crash_sends_no_duplicate() -> Result<()> {
    let out = redeemer(Fault::CrashAfterSend).await?;
    ensure!(
        out.after.get("redeemer_txs_sent_total") == 0.0,
        "the restarted redeemer sent nothing"
    );
    ensure!(
        out.after.get("redeemer_tickets_redeemed_total") == 1.0,
        "it found the ticket redeemed by the transaction sent before the crash"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeemer_and_a_rival_with_the_same_key_send_one_transaction() -> Result<()> {
    let out = redeemer(Fault::Rival).await?;
    let rival = out.rival.unwrap_or_default();
    ensure!(out.reverted == 0, "nothing reverted");
    ensure!(
        out.after.get("redeemer_tickets_dead_total") == 0.0
            && rival.get("redeemer_tickets_dead_total") == 0.0,
        "neither gives the ticket up"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeemer_waits_while_gas_is_above_its_fee_cap() -> Result<()> {
    let out = redeemer(Fault::GasAboveCeiling).await?;
    ensure!(
        out.during
            .get("redeemer_tickets_waiting{reason=\"send_failed\"}")
            == 1.0,
        "the ticket shown waiting while the base fee was above the cap: {:?}",
        out.during
    );
    ensure!(
        out.during.get("redeemer_txs_sent_total") == 0.0,
        "nothing sent above the cap"
    );
    ensure!(
        out.after.get("redeemer_tickets_dead_total") == 0.0,
        "no attempt spent: the ticket is not given up"
    );
    Ok(())
}
