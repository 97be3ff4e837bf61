//! Turning chain-layer errors and decoded reverts into one line that says what to fix.
//!
//! Our contracts revert with custom errors (described in words here); the live contracts revert
//! with `require` strings, which are shown as they are, with the fix for the common ones. A
//! revert reached through a plain read (`lpt status`, `lpt orchestrator`, …) is decoded the same
//! way by [`user_error`], so no raw RPC error response reaches the user.

use alloy::transports::TransportError;

use livepeer_bindings::{
    IBondingManager::IBondingManagerErrors as Bm, IBondingVotes::IBondingVotesErrors as Bv,
    ILivepeerGovernor::ILivepeerGovernorErrors as Gov, IManager::IManagerErrors as Mgr,
    ITicketBroker::ITicketBrokerErrors as Tb, TimelockController::TimelockControllerErrors as Tl,
};
use livepeer_chain::{ChainError, revert::RevertReason};

use livepeer_protocol::{
    governor::{expected_states, state_name},
    units::{eth, lpt},
};

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
        RevertReason::BondingVotes(err) => match err {
            Bv::FutureLookup(e) => format!(
                "round {} has not finished; latest is {}",
                e.round, e.maxAllowed
            ),
            Bv::MustCallBondingManager(e) => format!(
                "voting power follows the bond: change it with `lpt bond` (BondingManager.{})",
                e.functionName
            ),
            other => format!("BondingVotes.{other:?}"),
        },
        RevertReason::Governor(err) => governor_error(err),
        RevertReason::Timelock(err) => match err {
            Tl::TimelockUnexpectedOperationState(e) => format!(
                "the Treasury's operation {} is not ready (not queued, its delay not over, or already done): see `lpt proposal`",
                e.operationId
            ),
            Tl::TimelockUnexecutedPredecessor(e) => {
                format!("the Treasury must run operation {} first", e.predecessorId)
            }
            Tl::FailedCall(_) => {
                "a call of the proposal failed in the Treasury (without a reason)".into()
            }
            other => format!("Treasury.{other:?}"),
        },
        RevertReason::Manager(Mgr::SystemPaused(_)) => "the protocol is paused".into(),
        RevertReason::Token(e) => format!("LivepeerToken.{e:?}"),
        RevertReason::Message(msg) => match live_hint(msg) {
            Some(hint) => format!("\"{msg}\" ({hint})"),
            None => format!("\"{msg}\""),
        },
        RevertReason::Unknown(data) if data.is_empty() => {
            "reverted without a reason (the contract may not have this function: an older deployment?)"
                .into()
        }
        other => other.to_string(),
    }
}

/// The governor's errors (OpenZeppelin's and ours) in words.
fn governor_error(err: &Gov) -> String {
    match err {
        Gov::GovernorUnexpectedProposalState(e) => {
            let current = state_name(e.current);
            let expected = expected_states(e.expectedStates);
            if expected.is_empty() {
                format!(
                    "proposal {} already exists ({current}): change the description to propose the same actions again",
                    e.proposalId
                )
            } else {
                format!(
                    "proposal {} is {current}; this needs it {} (see `lpt proposal {}`)",
                    e.proposalId,
                    expected.join(" or "),
                    e.proposalId
                )
            }
        }
        Gov::GovernorInsufficientProposerVotes(e) => format!(
            "{} has {} of votes at the end of the last round; proposing needs {} (the proposal threshold): bond more, it counts from the next round",
            e.proposer,
            lpt(e.votes),
            lpt(e.threshold)
        ),
        Gov::GovernorAlreadyCastVote(e) => format!(
            "{} already voted on this proposal: a vote cannot be changed",
            e.voter
        ),
        Gov::VoteAlreadyCast(_) => {
            "this account already voted on this proposal: a vote cannot be changed".into()
        }
        Gov::InvalidVoteType(e) => format!(
            "vote type {} is none of against (0), for (1), abstain (2): write for, against or abstain",
            e.voteType
        ),
        Gov::GovernorInvalidVoteType(_) => "not a vote type: write for, against or abstain".into(),
        Gov::GovernorNonexistentProposal(e) => {
            format!(
                "there is no proposal {} (see `lpt proposals`)",
                e.proposalId
            )
        }
        Gov::GovernorInvalidProposalLength(e) => format!(
            "the proposal has {} targets, {} calldatas and {} values: they must be as many, and at least one",
            e.targets, e.calldatas, e.values
        ),
        Gov::GovernorRestrictedProposer(e) => format!(
            "{} may not submit this proposal (its description names another proposer)",
            e.proposer
        ),
        Gov::GovernorOnlyExecutor(e) => {
            format!("{} is not the governor's executor", e.account)
        }
        Gov::GovernorAlreadyQueuedProposal(e) => {
            format!(
                "proposal {} is already queued: `lpt execute {}`",
                e.proposalId, e.proposalId
            )
        }
        other => format!("LivepeerGovernor.{other:?}"),
    }
}

/// What to do about the live contracts' common `require` strings.
fn live_hint(msg: &str) -> Option<&'static str> {
    Some(match msg {
        "current round is not initialized" => "anyone may call RoundsManager.initializeRound()",
        "caller can't be active or must have already called reward for the current round" => {
            "an active orchestrator calls reward first this round"
        }
        "can't update transcoder params, current round is locked" => {
            "the round is in its last blocks: try again in the next round"
        }
        "withdraw round must be before or equal to the current round" => {
            "the lock's unbonding period is not over: see `lpt delegator`"
        }
        "account is locked" => "the unlock period is not over: see `lpt sender`",
        "no unlock request in progress" => "run `lpt unlock` first",
        "system is paused" => "nothing can be sent until the owner unpauses the protocol",
        "caller has already called reward for the current round" => "already rewarded this round",
        // The live governor and Treasury (OpenZeppelin 4's reasons).
        "Governor: unknown proposal id" => "see `lpt proposals` for the proposals there are",
        "Governor: vote not currently active" => {
            "voting is open only while the proposal is Active: see `lpt proposal <id>`"
        }
        "Governor: proposer votes below proposal threshold" => {
            "your votes at the end of the last round are below the proposal threshold: see `lpt votes`"
        }
        "Governor: proposal already exists" => {
            "the same actions and description were already proposed: see `lpt proposals`"
        }
        "Governor: proposal not successful" => {
            "only a Succeeded (or, to execute, Queued) proposal: see `lpt proposal <id>`"
        }
        "Governor: empty proposal" | "Governor: invalid proposal length" => {
            "a proposal needs at least one action, and as many values and calldatas as targets"
        }
        "TimelockController: operation is not ready" => {
            "the Treasury's delay is not over, or the proposal is not queued: see `lpt proposal <id>`"
        }
        "TimelockController: underlying transaction reverted" => {
            "a call of the proposal failed in the Treasury"
        }
        "TimelockController: missing dependency" => {
            "the Treasury must run an earlier operation first"
        }
        _ => return None,
    })
}

/// The revert carried by one error of a chain, if it is one.
fn revert_of(cause: &(dyn std::error::Error + 'static)) -> Option<RevertReason> {
    if let Some(err) = cause.downcast_ref::<alloy::contract::Error>() {
        return match err {
            alloy::contract::Error::TransportError(t) => RevertReason::from_transport_error(t),
            _ => None,
        };
    }
    if let Some(t) = cause.downcast_ref::<TransportError>() {
        return RevertReason::from_transport_error(t);
    }
    match cause.downcast_ref::<ChainError>()? {
        ChainError::Rpc(t) | ChainError::Contract(alloy::contract::Error::TransportError(t)) => {
            RevertReason::from_transport_error(t)
        }
        _ => None,
    }
}

/// `err` with a revert anywhere in its chain replaced by its description (the context lines
/// above it kept): a read that reverts says why in words instead of dumping the RPC response.
pub fn user_error(err: anyhow::Error) -> anyhow::Error {
    let mut contexts = Vec::new();
    for cause in err.chain() {
        if let Some(reason) = revert_of(cause) {
            let mut text = format!("the call reverted: {}", describe(&reason));
            for context in contexts.iter().rev() {
                text = format!("{context}: {text}");
            }
            return anyhow::anyhow!(text);
        }
        contexts.push(cause.to_string());
    }
    err
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

#[cfg(test)]
mod tests {
    use alloy::{
        primitives::Bytes,
        rpc::json_rpc::ErrorPayload,
        sol_types::{Revert, SolError},
    };
    use serde_json::value::RawValue;

    use super::*;

    /// A node's answer to a call that reverted with `Error(reason)`, as anvil sends it.
    fn reverted_with(reason: &str) -> TransportError {
        let data = Bytes::from(Revert::from(reason).abi_encode()).to_string();
        TransportError::ErrorResp(ErrorPayload {
            code: 3,
            message: format!("execution reverted: {reason}").into(),
            data: RawValue::from_string(format!("\"{data}\"")).ok(),
        })
    }

    #[test]
    fn live_revert_strings_are_shown_with_their_fix() {
        for (reason, fix) in [
            (
                "current round is not initialized",
                "anyone may call RoundsManager.initializeRound()",
            ),
            (
                "caller can't be active or must have already called reward for the current round",
                "calls reward first",
            ),
            (
                "withdraw round must be before or equal to the current round",
                "`lpt delegator`",
            ),
            // The live governor and Treasury (OpenZeppelin 4).
            ("Governor: vote not currently active", "`lpt proposal <id>`"),
            ("Governor: unknown proposal id", "`lpt proposals`"),
            (
                "TimelockController: operation is not ready",
                "the Treasury's delay is not over",
            ),
        ] {
            let err = chain_error(ChainError::SimulationReverted(RevertReason::decode(
                &Revert::from(reason).abi_encode(),
            )));
            let text = err.to_string();
            assert!(
                text.starts_with(&format!("the transaction would revert: \"{reason}\"")),
                "{text}"
            );
            assert!(text.contains(fix), "{text}");
            // Reached as a plain RPC error (a batch, a node without revert data decoding).
            let text = chain_error(ChainError::Rpc(reverted_with(reason))).to_string();
            assert!(text.contains(&format!("\"{reason}\"")), "{text}");
        }
        let other = describe(&RevertReason::Message("sender is unlocked".into()));
        assert_eq!(
            other, "\"sender is unlocked\"",
            "unknown strings as they are"
        );
    }

    #[test]
    fn governance_errors_are_plain_words() {
        use alloy::primitives::{Address, B256, U256};
        use livepeer_bindings::{IBondingVotes, ILivepeerGovernor};

        let text = |data: Vec<u8>| describe(&RevertReason::decode(&data));
        let id = U256::from(77);
        // `execute` of an Active proposal: OZ's bitmap of the states it accepts.
        let states = B256::from(U256::from((1u64 << 4) | (1u64 << 5)));
        assert_eq!(
            text(
                ILivepeerGovernor::GovernorUnexpectedProposalState {
                    proposalId: id,
                    current: 1,
                    expectedStates: states,
                }
                .abi_encode()
            ),
            "proposal 77 is Active; this needs it Succeeded or Queued (see `lpt proposal 77`)"
        );
        // `propose` of an existing proposal: no state is expected.
        let again = text(
            ILivepeerGovernor::GovernorUnexpectedProposalState {
                proposalId: id,
                current: 0,
                expectedStates: B256::ZERO,
            }
            .abi_encode(),
        );
        assert!(again.contains("already exists (Pending)"), "{again}");
        let shortfall = text(
            ILivepeerGovernor::GovernorInsufficientProposerVotes {
                proposer: Address::ZERO,
                votes: U256::from(10).pow(U256::from(19)),
                threshold: U256::from(100) * U256::from(10).pow(U256::from(18)),
            }
            .abi_encode(),
        );
        assert!(
            shortfall.contains("has 10 LPT of votes") && shortfall.contains("needs 100 LPT"),
            "{shortfall}"
        );
        let twice = text(
            ILivepeerGovernor::GovernorAlreadyCastVote {
                voter: Address::ZERO,
            }
            .abi_encode(),
        );
        assert!(twice.contains("already voted"), "{twice}");
        assert!(text(ILivepeerGovernor::VoteAlreadyCast {}.abi_encode()).contains("already voted"));
        assert!(
            text(ILivepeerGovernor::InvalidVoteType { voteType: 3 }.abi_encode())
                .starts_with("vote type 3 is none of")
        );
        assert_eq!(
            text(
                IBondingVotes::FutureLookup {
                    round: U256::from(9),
                    maxAllowed: U256::from(8),
                }
                .abi_encode()
            ),
            "round 9 has not finished; latest is 8"
        );
        // Through a simulated transaction and a plain read alike.
        let err = chain_error(ChainError::SimulationReverted(RevertReason::decode(
            &ILivepeerGovernor::VoteAlreadyCast {}.abi_encode(),
        )));
        assert!(
            err.to_string()
                .starts_with("the transaction would revert: this account already voted"),
            "{err}"
        );
    }

    #[test]
    fn reverting_reads_are_decoded() {
        let err = anyhow::Error::new(alloy::contract::Error::TransportError(reverted_with(
            "current round is not initialized",
        )))
        .context("reading the pool");
        let text = format!("{:#}", user_error(err));
        assert_eq!(
            text,
            "reading the pool: the call reverted: \"current round is not initialized\" (anyone may call RoundsManager.initializeRound())"
        );
        let empty = TransportError::ErrorResp(ErrorPayload {
            code: 3,
            message: "execution reverted".into(),
            data: RawValue::from_string("\"0x\"".into()).ok(),
        });
        let text = user_error(anyhow::Error::new(ChainError::Rpc(empty))).to_string();
        assert!(
            text.contains("reverted without a reason") && !text.contains("0x"),
            "{text}"
        );
        let plain = user_error(anyhow::anyhow!("no key configured"));
        assert_eq!(
            plain.to_string(),
            "no key configured",
            "other errors unchanged"
        );
    }
}
