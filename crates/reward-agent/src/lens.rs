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

sol!(
    #[derive(Debug, PartialEq, Eq)]
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
/// not have, a live contract's `require` string) comes back decoded, not as the raw response.
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
    RewardLens::snapshotCall::abi_decode_returns(&output)
        .map_err(|err| ChainError::Build(format!("undecodable RewardLens snapshot: {err}")))
}
