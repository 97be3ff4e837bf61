//! One-request reads of everything the agent decides on, through [`RewardLens`].
//!
//! `contracts/lens/RewardLens.sol` is never deployed: its creation code, with the Controller,
//! whether the deployment has reward callers (LIP-118, detected once at start by
//! [`livepeer_chain::protocol::Protocol::reward_caller_support`]) and the orchestrator and account
//! lists as constructor arguments, is sent as an `eth_call`
//! without `to`. The constructor walks the pool and returns the ABI-encoded snapshot as the
//! call's output. One request per block, whatever the number of orchestrators or the pool size,
//! on any node (a plain anvil has no Multicall3; Arbitrum's nodes run creation calls like any
//! other `eth_call`).
//!
//! The ABI and creation code are committed in `crates/reward-agent/lens/RewardLens.json`
//! (exported from the forge artifact by `node script/toolchain/export-lens.js`); the
//! `lens_fresh` test fails when they are stale.

// The generated bindings carry no docs.
#![allow(missing_docs)]

use alloy::{
    eips::BlockId,
    network::TransactionBuilder,
    primitives::{Address, Bytes},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    sol,
    sol_types::{SolCall, SolConstructor},
};
use livepeer_chain::{ChainError, protocol::RewardCallerSupport, revert::RevertReason};
use livepeer_protocol::{
    NotARound, Round,
    pool::Pool,
    rewards::{RewardEstimate, active_stake, reward_amount},
};

sol!(
    #[derive(Debug, Default, PartialEq, Eq)]
    RewardLens,
    "lens/RewardLens.json"
);

pub use RewardLens::{Orchestrator as LensOrchestrator, PoolMember, Snapshot};

/// The `eth_call` input: creation code followed by the encoded constructor arguments. Without
/// reward callers the lens never calls `transcoderToRewardCaller` (which reverts there) and
/// reports every `rewardCaller` as zero.
pub fn lens_input(
    controller: Address,
    reward_callers: RewardCallerSupport,
    orchestrators: &[Address],
    accounts: &[Address],
) -> Bytes {
    let args = RewardLens::constructorCall {
        controller,
        rewardCallers: reward_callers.is_supported(),
        orchestrators: orchestrators.to_vec(),
        accounts: accounts.to_vec(),
    }
    .abi_encode();
    let mut code = RewardLens::BYTECODE.to_vec();
    code.extend_from_slice(&args);
    code.into()
}

/// Reads the snapshot at `block` in one `eth_call`. A revert inside (a view the deployment does
/// not have, a live contract's `require` string) comes back decoded, not as the raw response; a
/// snapshot whose rounds are not rounds ([`check_rounds`]) is a failed read too.
pub async fn read_snapshot(
    provider: &DynProvider,
    input: &Bytes,
    block: u64,
) -> Result<Snapshot, ChainError> {
    let tx = TransactionRequest::default().with_deploy_code(input.clone());
    let output = provider
        .call(tx)
        .block(BlockId::number(block))
        .await
        .map_err(|err| match RevertReason::from_transport_error(&err) {
            Some(reason) => ChainError::UnexpectedAnswer {
                call: "RewardLens snapshot",
                reason: format!("reverted: {reason}"),
            },
            None => ChainError::Rpc(err),
        })?;
    let snapshot = RewardLens::snapshotCall::abi_decode_returns(&output)
        .map_err(|err| ChainError::Build(format!("undecodable RewardLens snapshot: {err}")))?;
    check_rounds(&snapshot).map_err(|reason| ChainError::UnexpectedAnswer {
        call: "RewardLens snapshot",
        reason,
    })?;
    Ok(snapshot)
}

/// Every round of the snapshot converts to a [`Round`]: the current and last initialized rounds
/// and each orchestrator's `lastRewardRound` and `lastActiveStakeUpdateRound`.
pub fn check_rounds(s: &Snapshot) -> Result<(), String> {
    let check = |name: &str, value| {
        Round::try_from(value)
            .map(drop)
            .map_err(|err: NotARound| format!("{name}: {err}"))
    };
    check("currentRound", s.currentRound)?;
    check("lastInitializedRound", s.lastInitializedRound)?;
    for o in &s.orchestrators {
        check("lastRewardRound", o.lastRewardRound)?;
        check("lastActiveStakeUpdateRound", o.lastActiveStakeUpdateRound)?;
    }
    Ok(())
}

/// The snapshot's current round. [`read_snapshot`] refuses a snapshot whose current round is not
/// a round, so the fallback to [`Round::MAX`] never applies to a snapshot the agent decides on.
pub fn snapshot_round(s: &Snapshot) -> Round {
    Round::try_from(s.currentRound).unwrap_or(Round::MAX)
}

/// An orchestrator's `lastRewardRound` (checked by [`read_snapshot`] like [`snapshot_round`]).
pub fn last_reward_round(o: &LensOrchestrator) -> Round {
    Round::try_from(o.lastRewardRound).unwrap_or(Round::MAX)
}

/// What `reward()` would mint for `o` now: [`reward_amount`] on the stake [`active_stake`] picks
/// in the snapshot's round, treasury cut included; `None` where the contract would revert.
pub fn reward_estimate(s: &Snapshot, o: &LensOrchestrator) -> Option<RewardEstimate> {
    reward_amount(
        s.mintableTokens,
        s.mintedTokens,
        active_stake(
            o.lastActiveStakeUpdateRound,
            o.lastUpdatePoolStake,
            o.roundPoolStake,
            snapshot_round(s),
        ),
        s.totalActiveStake,
        s.treasuryRewardCutRate,
        o.totalStake,
    )
}

/// The snapshot's pool, head first. The lens does not read the pool's maximum size, so it is
/// [`Pool::unbounded`] (reward only goes to active transcoders, members of the pool but for one
/// evicted this round, which rejoins if it fits).
pub fn pool(s: &Snapshot) -> Pool {
    Pool::unbounded(s.pool.iter().map(|m| (m.member, m.stake)).collect())
}

#[cfg(test)]
mod tests {
    use alloy::primitives::U256;

    use super::*;

    #[test]
    fn rounds_beyond_64_bits_are_refused() {
        let mut s = Snapshot::default();
        s.orchestrators.push(LensOrchestrator::default());
        assert_eq!(check_rounds(&s), Ok(()));
        s.orchestrators[0].lastRewardRound = U256::from(u64::MAX) + U256::from(1u64);
        assert_eq!(
            check_rounds(&s),
            Err(
                "lastRewardRound: 18446744073709551616 is not a round (rounds are below 2^64)"
                    .into()
            )
        );
        s.orchestrators.clear();
        s.currentRound = U256::MAX;
        assert!(check_rounds(&s).is_err_and(|e| e.starts_with("currentRound: ")));
        assert_eq!(snapshot_round(&s), Round::MAX);
    }
}
