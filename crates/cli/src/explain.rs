//! Turning chain-layer errors and decoded reverts into one line that says what to fix.

use livepeer_bindings::{
    IBondingManager::IBondingManagerErrors as Bm, IManager::IManagerErrors as Mgr,
    ITicketBroker::ITicketBrokerErrors as Tb,
};
use livepeer_chain::{ChainError, revert::RevertReason};

use crate::units::{eth, lpt};

/// A decoded revert in words, with the fix when there is an obvious one.
pub fn describe(reason: &RevertReason) -> String {
    match reason {
        RevertReason::BondingManager(err) => match err {
            Bm::RoundNotInitialized(e) => format!(
                "round {} is not initialized (anyone may call RoundsManager.initializeRound())",
                e.round
            ),
            Bm::RoundLocked(e) => format!(
                "round {} is locked (its last blocks): try again in the next round",
                e.round
            ),
            Bm::PercentageAboveOne(e) => format!("{} is above 100% (1,000,000)", e.value),
            Bm::ZeroAmount(_) => "the amount is zero".into(),
            Bm::ZeroDelegationAmount(_) => {
                "nothing to bond: the amount is zero and no bond moves".into()
            }
            Bm::UnbondExceedsBonded(e) => format!(
                "cannot unbond {}: only {} bonded",
                lpt(e.amount),
                lpt(e.bonded)
            ),
            Bm::DelegatorNotBonded(e) => format!(
                "{} has no active bond (nothing bonded, or the bond starts next round)",
                e.delegator
            ),
            Bm::DelegatorUnbonded(e) => format!(
                "{} has no bond: rebond with --to <orchestrator>",
                e.delegator
            ),
            Bm::DelegatorNotUnbonded(e) => {
                format!("{} still has a bond: rebond without --to", e.delegator)
            }
            Bm::UnknownUnbondingLock(e) => format!(
                "{} has no unbonding lock {} (see `lpt delegator`)",
                e.delegator, e.lockId
            ),
            Bm::UnbondingLockNotWithdrawable(e) => format!(
                "unbonding lock {} is withdrawable from round {} (current round {})",
                e.lockId, e.withdrawRound, e.currentRound
            ),
            Bm::TranscoderNotRegistered(e) => format!(
                "{} is not a registered orchestrator: self-bond first (`lpt bond <amount> --to <your address>`)",
                e.transcoder
            ),
            Bm::TranscoderNotActive(e) => format!("{} is not an active orchestrator", e.transcoder),
            Bm::RewardNotCalledThisRound(e) => format!(
                "{} is active and has not called reward in round {}: call reward first",
                e.transcoder, e.round
            ),
            Bm::AlreadyRewarded(e) => {
                format!(
                    "{} already called reward in round {}",
                    e.transcoder, e.round
                )
            }
            Bm::TranscoderCannotDelegate(e) => format!(
                "{} is a registered orchestrator and can only bond to itself (unbond everything first)",
                e.transcoder
            ),
            Bm::InvalidDelegate(e) => {
                format!("{} cannot be delegated to {}", e.delegator, e.delegate)
            }
            Bm::ClaimBeforeReward(e) => format!(
                "{}'s orchestrator {} has not called reward this round yet",
                e.delegator, e.transcoder
            ),
            Bm::NotRewardCaller(e) => {
                format!("{} is not the reward caller of {}", e.caller, e.transcoder)
            }
            Bm::InsufficientFees(e) => format!(
                "cannot withdraw {}: only {} in fees",
                eth(e.amount),
                eth(e.available)
            ),
            other => format!("BondingManager.{other:?}"),
        },
        RevertReason::TicketBroker(err) => match err {
            Tb::RoundNotInitialized(e) => format!(
                "round {} is not initialized (anyone may call RoundsManager.initializeRound())",
                e.round
            ),
            Tb::ValueSplitMismatch(e) => format!(
                "sent {} but deposit + reserve is {}",
                eth(e.value),
                eth(e.deposit + e.reserve)
            ),
            Tb::NoFunds(e) => format!("{} has no deposit or reserve", e.sender),
            Tb::UnlockInProgress(e) => format!("{} already has an unlock in progress", e.sender),
            Tb::NoUnlockInProgress(e) => format!(
                "{} has not started an unlock: run `lpt unlock` first",
                e.sender
            ),
            Tb::StillLocked(e) => format!(
                "the unlock finishes in round {} (current round {})",
                e.withdrawRound, e.currentRound
            ),
            other => format!("TicketBroker.{other:?}"),
        },
        RevertReason::Manager(Mgr::SystemPaused(_)) => "the protocol is paused".into(),
        RevertReason::Token(e) => format!("LivepeerToken.{e:?}"),
        RevertReason::Message(msg) => format!("\"{msg}\""),
        other => other.to_string(),
    }
}

/// A chain-layer error in words.
pub fn chain_error(err: ChainError) -> anyhow::Error {
    match err {
        ChainError::SimulationReverted(reason) => {
            anyhow::anyhow!("the transaction would revert: {}", describe(&reason))
        }
        ChainError::InFlight { latest, pending } => anyhow::anyhow!(
            "a transaction of this account is already pending ({} unmined): wait until it is mined",
            pending.saturating_sub(latest)
        ),
        // A revert that reached us as a plain RPC error (e.g. inside a batch) is decoded too.
        ChainError::Rpc(err) => match RevertReason::from_transport_error(&err) {
            Some(reason) => anyhow::anyhow!("the transaction would revert: {}", describe(&reason)),
            None => anyhow::Error::new(ChainError::Rpc(err)),
        },
        other => anyhow::Error::new(other),
    }
}
