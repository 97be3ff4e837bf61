//! The reward agent on the engine ([`livepeer_chain::engine`]): its read (the [`RewardLens`]
//! snapshot, one `eth_call`; [`crate::lens`]), its decision ([`crate::step`]), its transactions
//! (`rewardWithHint`, or `rewardForTranscoderWithHint` with a reward caller's key, one lane per
//! signing account) and its metrics and logs.
//!
//! [`RewardLens`]: crate::lens::RewardLens

use std::sync::Arc;

use alloy::{
    primitives::{Address, Bytes, U256},
    providers::DynProvider,
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::SolCall,
};
use livepeer_bindings::IBondingManager;
use livepeer_chain::{
    ChainError,
    blocks::Head,
    engine::{Bot, Event, Landed, Read, Tick, Tx},
    health::ReadHealth,
    revert::RevertReason,
    sender::NonceMode,
};

use crate::{
    decide::{Decision, Policy},
    lens::{Snapshot, read_snapshot, snapshot_round},
    metrics::Metrics,
    step::{Action, Context, Flight, Memory, Outcome, Served, step},
};

/// The reward agent as a [`Bot`].
#[derive(Debug)]
pub struct RewardBot {
    /// The provider the snapshot is read through.
    pub provider: DynProvider,
    /// The snapshot's `eth_call` input ([`crate::lens::lens_input`]).
    pub lens: Bytes,
    /// The orchestrators, in the lens's order.
    pub served: Vec<Served>,
    /// The signing accounts, in the lens's order (their balances).
    pub accounts: Vec<Address>,
    /// Gas, guard, replacement and backoff.
    pub policy: Policy,
    /// Decides without sending (the engine holds the switch; the decision must know it too, so
    /// that orchestrators sharing a signer are all decided).
    pub dry_run: bool,
    /// Where it counts.
    pub metrics: Arc<Metrics>,
}

/// The calldata of a reward with hints: `rewardWithHint` with the orchestrator's own key,
/// `rewardForTranscoderWithHint` (LIP-118) with its reward caller's.
pub fn reward_calldata(orchestrator: Address, signer: Address, hints: (Address, Address)) -> Bytes {
    let (prev, next) = hints;
    if signer == orchestrator {
        IBondingManager::rewardWithHintCall {
            newPosPrev: prev,
            newPosNext: next,
        }
        .abi_encode()
        .into()
    } else {
        IBondingManager::rewardForTranscoderWithHintCall {
            transcoder: orchestrator,
            newPosPrev: prev,
            newPosNext: next,
        }
        .abi_encode()
        .into()
    }
}

/// The `Reward(transcoder, amount)` amount in a receipt, if any.
pub fn reward_in_receipt(receipt: &TransactionReceipt, orchestrator: Address) -> Option<U256> {
    receipt.inner.logs().iter().find_map(|log| {
        log.log_decode::<IBondingManager::Reward>()
            .ok()
            .filter(|e| e.inner.data.transcoder == orchestrator)
            .map(|e| e.inner.data.amount)
    })
}

fn is_already_rewarded(reason: &RevertReason) -> bool {
    use IBondingManager::IBondingManagerErrors as E;
    match reason {
        RevertReason::BondingManager(E::AlreadyRewarded(_)) => true,
        RevertReason::Message(msg) => msg.contains("already called reward"),
        _ => false,
    }
}

/// The transaction of an action: the reward it decides, on its signer's lane, replacing what
/// holds the signer's nonce when the reward is stuck.
pub fn reward_tx(action: &Action) -> Option<Tx> {
    let Action::Decided {
        orchestrator,
        signer,
        decision,
        ..
    } = action
    else {
        return None;
    };
    let call = decision.call()?;
    Some(Tx {
        lane: *signer,
        request: TransactionRequest::default()
            .to(call.bonding_manager)
            .input(reward_calldata(*orchestrator, *signer, call.hints).into()),
        mode: match decision {
            Decision::Replace(_) => NonceMode::ReplaceInFlight,
            _ => NonceMode::Next,
        },
    })
}

/// What the next decision needs of a landed reward.
pub fn outcome(landed: &Landed<Action>) -> Outcome {
    let Action::Decided {
        orchestrator,
        signer,
        standing,
        ..
    } = landed.action
    else {
        return Outcome::Cancelled;
    };
    let round = standing.round;
    match &landed.result {
        Ok(_) => Outcome::Rewarded {
            orchestrator,
            signer,
            round,
        },
        Err(ChainError::SimulationReverted(reason)) if is_already_rewarded(reason) => {
            Outcome::AlreadyRewarded {
                orchestrator,
                round,
            }
        }
        Err(ChainError::InFlight { .. }) => Outcome::SignerPending { signer },
        Err(ChainError::Cancelled) => Outcome::Cancelled,
        Err(_) => Outcome::Failed { orchestrator },
    }
}

impl Bot for RewardBot {
    type State = Snapshot;
    type Memory = Memory;
    type Action = Action;

    fn health(&self) -> &ReadHealth {
        &self.metrics.health
    }

    async fn read(
        &mut self,
        tick: &Tick<'_, Action>,
        _memory: &Memory,
    ) -> Result<Snapshot, ChainError> {
        read_snapshot(&self.provider, &self.lens, tick.head.number).await
    }

    fn decide(
        &self,
        tick: &Tick<'_, Action>,
        read: Read<'_, Snapshot>,
        memory: Memory,
    ) -> (Vec<Action>, Memory) {
        let landed: Vec<Outcome> = tick.landed.iter().map(outcome).collect();
        let in_flight: Vec<Flight> = tick
            .in_flight
            .iter()
            .filter_map(|f| match f.action {
                Action::Decided { orchestrator, .. } => Some(Flight {
                    orchestrator: *orchestrator,
                    lane: f.lane,
                    since: f.since,
                }),
                Action::Missed { .. } => None,
            })
            .collect();
        let ctx = Context {
            served: &self.served,
            policy: &self.policy,
            dry_run: self.dry_run,
        };
        step(tick.head.number, &landed, &in_flight, read, memory, &ctx)
    }

    fn encode(&self, action: &Action) -> Option<Tx> {
        reward_tx(action)
    }

    fn started(&mut self, subscribed: bool) {
        tracing::info!(
            orchestrators = self.served.len(),
            signers = self.accounts.len(),
            subscribed,
            dry_run = self.dry_run,
            "reward agent started"
        );
    }

    fn observe(&mut self, head: Head, event: Event<'_, Snapshot, Action>) {
        let metrics = &self.metrics;
        match event {
            Event::Head => metrics.lock().head_block = head.number,
            Event::HeadFailed(err) => {
                let failed = metrics.count_failed_read();
                tracing::warn!(%err, failed, "reading the head failed");
            }
            Event::Read(snapshot) => {
                let mut inner = metrics.lock();
                inner.current_round = snapshot_round(snapshot);
                for (account, balance) in self.accounts.iter().zip(&snapshot.balances) {
                    inner.signer_balances.insert(*account, *balance);
                }
            }
            Event::ReadFailed(err) => {
                let failed = metrics.count_failed_read();
                let block = head.number;
                tracing::warn!(%err, block, failed, "reading the reward state failed");
            }
            Event::Action(action) => log_action(metrics, head, action, false),
            Event::DryRun(action) => log_action(metrics, head, action, true),
            Event::Sent {
                action,
                hash,
                nonce,
            } => {
                if let Action::Decided { orchestrator, .. } = action {
                    metrics.orchestrator(*orchestrator, |m| m.txs_sent += 1);
                    tracing::info!(%orchestrator, %hash, nonce, "reward sent");
                }
            }
            Event::Replaced { action, .. } => {
                if let Action::Decided { orchestrator, .. } = action {
                    metrics.orchestrator(*orchestrator, |m| m.txs_sent += 1);
                }
            }
            Event::Reorged { .. } => {}
            Event::Landed(landed) => record_outcome(metrics, landed, head.number),
            Event::Processed => metrics.lock().processed_block = head.number,
        }
    }
}

/// Counts and logs an action (`dry_run`: a reward that would have been sent).
fn log_action(metrics: &Metrics, head: Head, action: &Action, dry_run: bool) {
    let block = head.number;
    let (orchestrator, signer, standing, decision) = match action {
        Action::Missed {
            orchestrator,
            round,
            cause,
        } => {
            metrics.orchestrator(*orchestrator, |m| m.missed_rounds += 1);
            let round = round.get();
            tracing::error!(
                %orchestrator,
                round,
                block,
                last = %cause,
                "ROUND MISSED: {orchestrator} was active and not rewarded in round {round}"
            );
            return;
        }
        Action::Decided {
            orchestrator,
            signer,
            standing,
            decision,
        } => (*orchestrator, *signer, standing, decision),
    };
    metrics.orchestrator(orchestrator, |m| {
        m.last_rewarded_round = standing.last_reward;
        m.authorized = u64::from(standing.authorized);
    });
    let round = standing.round.get();
    match decision {
        Decision::NotAuthorized {
            authorized,
            report: true,
        } => tracing::error!(
            %orchestrator,
            %signer,
            %authorized,
            round,
            "NOT AUTHORIZED: our key is not this orchestrator's reward caller; the orchestrator must call setRewardCaller(signer), or the round's reward is lost"
        ),
        Decision::Defer {
            base_fee,
            ceiling,
            count,
        } => {
            if *count {
                metrics.orchestrator(orchestrator, |m| m.gas_deferrals += 1);
            }
            tracing::warn!(%orchestrator, round, base_fee, ceiling, "base fee above the ceiling; deferring");
        }
        Decision::Unprofitable {
            gas_cost_wei,
            reward_value_wei,
            count: true,
        } => {
            metrics.orchestrator(orchestrator, |m| m.skipped_unprofitable += 1);
            tracing::warn!(%orchestrator, round, gas_cost_wei, reward_value_wei, "reward not worth its gas; skipping while that holds");
        }
        Decision::Reward(call) | Decision::Replace(call) => {
            let (prev, next) = call.hints;
            let (reward, new_stake) = (call.estimate.reward, call.estimate.new_stake);
            if matches!(decision, Decision::Replace(_)) {
                tracing::warn!(%orchestrator, round, "reward stuck; replacing it with hints from the current pool");
            }
            if dry_run {
                tracing::info!(%orchestrator, round, %prev, %next, %reward, "dry run: would call reward");
            } else {
                tracing::info!(%orchestrator, round, block, %prev, %next, %reward, %new_stake, "calling reward");
            }
        }
        other => tracing::debug!(%orchestrator, round, decision = ?other, "no reward to send"),
    }
}

/// Counts and logs how a reward transaction ended.
fn record_outcome(metrics: &Metrics, landed: &Landed<Action>, head: u64) {
    let Action::Decided {
        orchestrator,
        standing,
        decision,
        ..
    } = &landed.action
    else {
        return;
    };
    let orchestrator = *orchestrator;
    let round = standing.round.get();
    match (outcome(landed), &landed.result) {
        (Outcome::Rewarded { .. }, Ok(confirmed)) => {
            let receipt = &confirmed.receipt;
            let predicted = decision.call().map(|c| c.estimate.reward);
            let amount = reward_in_receipt(receipt, orchestrator)
                .or(predicted)
                .unwrap_or_default();
            if let Some(predicted) = predicted
                && amount != predicted
            {
                tracing::warn!(%orchestrator, %predicted, %amount, "reward differs from the prediction");
            }
            metrics.orchestrator(orchestrator, |m| {
                m.rewards_confirmed += 1;
                m.last_reward_amount = amount;
                m.gas_used = m.gas_used.saturating_add(receipt.gas_used);
                m.gas_spent_wei = m.gas_spent_wei.saturating_add(
                    u128::from(receipt.gas_used).saturating_mul(receipt.effective_gas_price),
                );
            });
            tracing::info!(
                %orchestrator,
                round,
                %amount,
                gas_used = receipt.gas_used,
                block = receipt.block_number.unwrap_or(head),
                hash = %receipt.transaction_hash,
                replacements = confirmed.replacements,
                "rewarded"
            );
        }
        (Outcome::AlreadyRewarded { .. }, _) => {
            tracing::info!(%orchestrator, "already rewarded this round; nothing sent");
        }
        (Outcome::SignerPending { .. }, Err(ChainError::InFlight { latest, pending })) => {
            tracing::info!(%orchestrator, latest, pending, "a transaction of this signer is already pending; waiting for it");
        }
        (Outcome::Cancelled, _) => {}
        (_, result) => {
            metrics.orchestrator(orchestrator, |m| m.failures += 1);
            let err = result.as_ref().err().map(ToString::to_string);
            let err = err.unwrap_or_default();
            tracing::warn!(%orchestrator, round, %err, "reward failed; retrying this round");
        }
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::U256;
    use livepeer_protocol::{Round, rewards::RewardEstimate};

    use super::*;
    use crate::decide::{RewardCall, Standing};

    const O: Address = Address::with_last_byte(1);
    const CALLER: Address = Address::with_last_byte(9);
    const BM: Address = Address::with_last_byte(200);

    fn decided(signer: Address, decision: Decision) -> Action {
        Action::Decided {
            orchestrator: O,
            signer,
            standing: Standing {
                round: Round::new(5),
                last_reward: Round::new(4),
                active: true,
                authorized: true,
            },
            decision,
        }
    }

    fn call() -> RewardCall {
        RewardCall {
            bonding_manager: BM,
            hints: (Address::with_last_byte(2), Address::ZERO),
            estimate: RewardEstimate {
                minted: U256::from(10),
                treasury: U256::from(1),
                reward: U256::from(9),
                new_stake: U256::from(109),
            },
        }
    }

    #[test]
    fn rewards_go_out_on_their_signers_lane() {
        let tx = reward_tx(&decided(O, Decision::Reward(call())));
        let tx = tx.unwrap_or_else(|| unreachable!("a reward sends"));
        assert_eq!((tx.lane, tx.mode), (O, NonceMode::Next));
        assert_eq!(tx.request.to, Some(BM.into()));
        let own = reward_calldata(O, O, call().hints);
        assert_eq!(tx.request.input.input(), Some(&own));
        assert!(own.starts_with(&IBondingManager::rewardWithHintCall::SELECTOR));
        // A reward caller's replacement: its lane, the orchestrator named, the nonce taken over.
        let tx = reward_tx(&decided(CALLER, Decision::Replace(call())));
        let tx = tx.unwrap_or_else(|| unreachable!("a replacement sends"));
        assert_eq!((tx.lane, tx.mode), (CALLER, NonceMode::ReplaceInFlight));
        let input = tx.request.input.input().cloned().unwrap_or_default();
        let decoded = IBondingManager::rewardForTranscoderWithHintCall::abi_decode(&input);
        assert!(decoded.is_ok_and(|c| c.transcoder == O && c.newPosPrev == call().hints.0));
        for quiet in [
            Decision::InFlight,
            Decision::SignerBusy,
            Decision::NotActive,
        ] {
            assert!(reward_tx(&decided(O, quiet)).is_none());
        }
    }

    #[test]
    fn landed_rewards_become_outcomes() {
        let landed = |result| Landed {
            action: decided(CALLER, Decision::Reward(call())),
            lane: CALLER,
            since: 100,
            hashes: vec![],
            result,
        };
        use IBondingManager::IBondingManagerErrors as E;
        let already =
            RevertReason::BondingManager(E::AlreadyRewarded(IBondingManager::AlreadyRewarded {
                transcoder: O,
                round: U256::from(5),
            }));
        assert_eq!(
            outcome(&landed(Err(ChainError::SimulationReverted(already)))),
            Outcome::AlreadyRewarded {
                orchestrator: O,
                round: Round::new(5)
            }
        );
        let live =
            RevertReason::Message("caller has already called reward for the current round".into());
        assert!(matches!(
            outcome(&landed(Err(ChainError::SimulationReverted(live)))),
            Outcome::AlreadyRewarded { .. }
        ));
        assert_eq!(
            outcome(&landed(Err(ChainError::InFlight {
                latest: 3,
                pending: 4
            }))),
            Outcome::SignerPending { signer: CALLER }
        );
        assert_eq!(
            outcome(&landed(Err(ChainError::Cancelled))),
            Outcome::Cancelled
        );
        let other = RevertReason::Message("paused".into());
        for err in [
            ChainError::SimulationReverted(other),
            ChainError::Build("no funds".into()),
        ] {
            assert_eq!(
                outcome(&landed(Err(err))),
                Outcome::Failed { orchestrator: O }
            );
        }
    }
}
