//! The keeper on the engine ([`livepeer_chain::engine`]): its read (the round state and the
//! signer's balance, one JSON-RPC batch), its decision ([`crate::step`]), its transaction
//! (`initializeRound()`) and its metrics and logs.

use std::sync::Arc;

use alloy::{
    eips::BlockId,
    primitives::{Address, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::{client::BatchRequest, types::TransactionRequest},
    sol_types::{SolCall, SolValue},
};
use livepeer_bindings::IRoundsManager;
use livepeer_chain::{
    ChainError,
    blocks::Head,
    engine::{Bot, Event, Landed, Read, Tick, Tx},
    health::ReadHealth,
    sender::NonceMode,
};
use livepeer_protocol::Round;

use crate::{
    decide::{RoundState, TurnConfig},
    metrics::Metrics,
    step::{Action, Memory, Outcome, step},
};

/// One block's read: the round state and the signer's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// The round state.
    pub round: RoundState,
    /// The signer's balance (wei).
    pub balance: U256,
}

/// The keeper as a [`Bot`].
#[derive(Debug)]
pub struct KeeperBot {
    /// The provider the round state is read through.
    pub provider: DynProvider,
    /// The RoundsManager.
    pub rounds_manager: Address,
    /// This keeper's place among its peers and its gas ceiling.
    pub turn: TurnConfig,
    /// Blocks a pending transaction not ours is waited for before it is replaced.
    pub replace_after_blocks: u64,
    /// Decides without sending (for the start-up log line; the engine holds the switch).
    pub dry_run: bool,
    /// Where it counts.
    pub metrics: Arc<Metrics>,
}

/// What the next decision needs of a landed transaction.
fn outcome(landed: &Landed<Action>) -> Outcome {
    match (&landed.action, &landed.result) {
        (Action::Initialize { round, .. }, Ok(_)) => Outcome::Initialized { round: *round },
        (_, Err(ChainError::InFlight { .. })) => Outcome::AlreadyPending,
        _ => Outcome::Failed,
    }
}

impl Bot for KeeperBot {
    type State = Snapshot;
    type Memory = Memory;
    type Action = Action;

    fn health(&self) -> &ReadHealth {
        &self.metrics.health
    }

    /// No read while our transaction is followed, nor in the block that confirms it: the round
    /// is then initialized, no need to read it back. Unless that block is already in the next
    /// round (heads that jump: a slow poll, a node catching up), which is due now.
    fn wants_read(&self, tick: &Tick<'_, Action>, _memory: &Memory) -> bool {
        let confirmed_in_its_round = tick.landed.iter().any(|l| match l.action {
            Action::Initialize {
                next_round_start, ..
            } => l.result.is_ok() && tick.head.number < next_round_start,
            _ => false,
        });
        tick.in_flight.is_empty() && !confirmed_in_its_round
    }

    async fn read(
        &mut self,
        tick: &Tick<'_, Action>,
        _memory: &Memory,
    ) -> Result<Snapshot, ChainError> {
        read_state(&self.provider, self.rounds_manager, self.turn.me, tick.head).await
    }

    fn decide(
        &self,
        tick: &Tick<'_, Action>,
        read: Read<'_, Snapshot>,
        memory: Memory,
    ) -> (Vec<Action>, Memory) {
        let landed: Vec<Outcome> = tick.landed.iter().map(outcome).collect();
        step(
            tick.head.number,
            &landed,
            read.map(|s| &s.round),
            memory,
            &self.turn,
            self.replace_after_blocks,
        )
    }

    fn encode(&self, action: &Action) -> Option<Tx> {
        let Action::Initialize {
            replacing_since, ..
        } = action
        else {
            return None;
        };
        Some(Tx {
            lane: self.turn.me,
            request: TransactionRequest::default()
                .to(self.rounds_manager)
                .input(IRoundsManager::initializeRoundCall {}.abi_encode().into()),
            mode: match replacing_since {
                Some(_) => NonceMode::ReplaceInFlight,
                None => NonceMode::Next,
            },
        })
    }

    fn started(&mut self, subscribed: bool) {
        tracing::info!(
            keeper = %self.turn.me,
            rounds_manager = %self.rounds_manager,
            subscribed,
            dry_run = self.dry_run,
            "keeper started"
        );
    }

    fn observe(&mut self, head: Head, event: Event<'_, Snapshot, Action>) {
        let metrics = &self.metrics;
        match event {
            Event::Head => Metrics::set(&metrics.head_block, head.number),
            Event::HeadFailed(err) => {
                metrics.count_failed_read();
                let failed = metrics.health.consecutive_failed();
                tracing::warn!(%err, failed, "reading the head failed");
            }
            Event::Read(snapshot) => {
                metrics.set_balance(snapshot.balance);
                Metrics::set(&metrics.current_round, snapshot.round.current_round.get());
                Metrics::set(
                    &metrics.last_initialized_round,
                    snapshot.round.last_initialized_round.get(),
                );
            }
            Event::ReadFailed(err) => {
                metrics.count_failed_read();
                let failed = metrics.health.consecutive_failed();
                let block = head.number;
                tracing::warn!(%err, block, failed, "reading the round state failed");
            }
            Event::Action(action) => log_action(metrics, head, action),
            Event::DryRun(action) => {
                Metrics::set(&metrics.gas_above_ceiling, 0);
                Metrics::inc(&metrics.dry_run_skips);
                if let Action::Initialize { round, .. } = action {
                    let (round, block) = (round.get(), head.number);
                    tracing::info!(round, block, "dry run: would send initializeRound()");
                }
            }
            Event::Sent { .. } => Metrics::inc(&metrics.txs_sent),
            Event::Replaced { .. } => Metrics::inc(&metrics.txs_replaced),
            Event::Reorged { .. } => Metrics::inc(&metrics.txs_reorged),
            Event::Landed(landed) => record_outcome(metrics, landed, head.number),
            Event::Processed => Metrics::set(&metrics.processed_block, head.number),
        }
    }
}

fn log_action(metrics: &Metrics, head: Head, action: &Action) {
    let block = head.number;
    let above_ceiling = matches!(action, Action::Defer { .. });
    if !matches!(action, Action::Missed { .. }) {
        Metrics::set(&metrics.gas_above_ceiling, u64::from(above_ceiling));
    }
    match *action {
        Action::Idle { newly } => {
            if let Some(round) = newly {
                // Initialized by someone else (ours logs the exact figures from the receipt).
                tracing::info!(round = round.get(), "round initialized");
            }
        }
        Action::Wait { round, turn_block } => {
            tracing::debug!(round = round.get(), turn_block, "waiting for our turn");
        }
        Action::Defer {
            round,
            base_fee,
            ceiling,
        } => {
            Metrics::inc(&metrics.gas_deferrals);
            tracing::warn!(
                round = round.get(),
                base_fee,
                ceiling,
                "base fee above the ceiling; deferring"
            );
        }
        Action::Initialize {
            round,
            blocks_into_round,
            replacing_since,
            ..
        } => {
            if let Some(since) = replacing_since {
                tracing::warn!(
                    since,
                    "an earlier transaction is still pending; replacing it"
                );
            }
            tracing::info!(
                round = round.get(),
                block,
                blocks_into_round,
                "initializing round"
            );
        }
        Action::Missed {
            round,
            reads_failing,
        } => {
            Metrics::inc(&metrics.rounds_missed);
            tracing::error!(
                round = round.get(),
                block,
                reads_failing,
                "ROUND MISSED: round {round} ended uninitialized"
            );
        }
    }
}

/// Counts and logs how a transaction ended.
fn record_outcome(metrics: &Metrics, landed: &Landed<Action>, head: u64) {
    let Action::Initialize {
        round, round_start, ..
    } = landed.action
    else {
        return;
    };
    match &landed.result {
        Ok(confirmed) => {
            let receipt = &confirmed.receipt;
            let block = receipt.block_number.unwrap_or(head);
            Metrics::inc(&metrics.txs_confirmed);
            Metrics::add(&metrics.gas_used, receipt.gas_used);
            let spent = u128::from(receipt.gas_used).saturating_mul(receipt.effective_gas_price);
            Metrics::add(
                &metrics.gas_spent_wei,
                u64::try_from(spent).unwrap_or(u64::MAX),
            );
            Metrics::set(
                &metrics.init_delay_blocks,
                block.saturating_sub(round_start),
            );
            // Our confirmation shows the round initialized as well as a read would.
            Metrics::set(&metrics.last_initialized_round, round.get());
            metrics.mark_ok();
            tracing::info!(
                hash = %receipt.transaction_hash,
                block,
                blocks_after_round_start = block.saturating_sub(round_start),
                replacements = confirmed.replacements,
                gas_used = receipt.gas_used,
                "round initialized by us"
            );
        }
        Err(ChainError::SimulationReverted(reason)) => {
            Metrics::inc(&metrics.simulation_reverts);
            if reason.is_round_already_initialized() {
                tracing::info!("round already initialized by someone else; nothing sent");
            } else {
                tracing::warn!(%reason, "initializeRound() would revert; nothing sent");
            }
        }
        Err(err @ ChainError::RevertedOnChain { .. }) => {
            Metrics::inc(&metrics.txs_reverted);
            tracing::error!(%err, "initializeRound() reverted");
        }
        Err(ChainError::InFlight { latest, pending }) => {
            tracing::info!(
                latest,
                pending,
                "a transaction of ours is already pending; waiting for it"
            );
        }
        Err(ChainError::Cancelled) => {}
        Err(err @ ChainError::Superseded { .. }) => tracing::warn!(%err, "transaction superseded"),
        Err(err) => {
            Metrics::inc(&metrics.rpc_errors);
            tracing::warn!(%err, "sending failed; retrying at the next block");
        }
    }
}

/// Reads the round state (round length included) and the signer balance at `head` in one
/// JSON-RPC batch.
pub async fn read_state(
    provider: &DynProvider,
    rounds_manager: Address,
    me: Address,
    head: Head,
) -> Result<Snapshot, ChainError> {
    let block = BlockId::number(head.number);
    let call = |input: Vec<u8>| {
        TransactionRequest::default()
            .to(rounds_manager)
            .input(input.into())
    };
    let mut batch = BatchRequest::new(provider.client());
    let mut add = |input: Vec<u8>| batch.add_call::<_, Bytes>("eth_call", &(call(input), block));
    let current = add(IRoundsManager::currentRoundCall {}.abi_encode())?;
    let last = add(IRoundsManager::lastInitializedRoundCall {}.abi_encode())?;
    let start = add(IRoundsManager::currentRoundStartBlockCall {}.abi_encode())?;
    let length = add(IRoundsManager::roundLengthCall {}.abi_encode())?;
    let balance = batch.add_call::<_, U256>("eth_getBalance", &(me, block))?;
    batch.send().await?;
    let value = |bytes: Bytes| {
        U256::abi_decode(&bytes)
            .map_err(|e| ChainError::Build(format!("undecodable RoundsManager answer: {e}")))
    };
    let word = |bytes: Bytes| -> Result<u64, ChainError> {
        let value = value(bytes)?;
        u64::try_from(value).map_err(|_| ChainError::Build(format!("value {value} exceeds u64")))
    };
    let round = |bytes: Bytes| -> Result<Round, ChainError> {
        Round::try_from(value(bytes)?).map_err(|err| ChainError::UnexpectedAnswer {
            call: "RoundsManager round",
            reason: err.to_string(),
        })
    };
    let round = RoundState {
        block: head.number,
        current_round: round(current.await?)?,
        last_initialized_round: round(last.await?)?,
        round_start_block: word(start.await?)?,
        round_length: word(length.await?)?,
        base_fee: head.base_fee,
    };
    Ok(Snapshot {
        round,
        balance: balance.await?,
    })
}
