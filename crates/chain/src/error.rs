//! Errors of the chain layer.

use alloy::{
    primitives::{Address, TxHash},
    transports::TransportError,
};

use crate::revert::RevertReason;

/// Everything that can go wrong in the chain layer.
///
/// No variant ever carries key material: signer errors only say which source failed and why.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// An RPC URL could not be parsed or has an unsupported scheme.
    #[error("invalid RPC URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// No RPC URL was configured.
    #[error("no RPC URL configured")]
    NoRpcUrl,
    /// A JSON-RPC request failed (after retries and failover).
    #[error("RPC request failed: {0}")]
    Rpc(#[from] TransportError),
    /// A contract read failed.
    #[error("contract call failed: {0}")]
    Contract(#[from] alloy::contract::Error),
    /// The Controller does not register a contract under this name.
    #[error("the Controller at {controller} has no `{name}` registered")]
    NotRegistered {
        /// The Controller address.
        controller: Address,
        /// The registry name.
        name: &'static str,
    },
    /// A call answered something it should not (a revert with a reason from a view, output that
    /// does not decode).
    #[error("unexpected answer to {call}: {reason}")]
    UnexpectedAnswer {
        /// The contract and function called.
        call: &'static str,
        /// What came back.
        reason: String,
    },
    /// The signer could not be loaded.
    #[error("signer: {0}")]
    Signer(String),
    /// The simulation (eth_call / eth_estimateGas) reverted: nothing was sent.
    #[error("simulation reverted: {0}")]
    SimulationReverted(RevertReason),
    /// The transaction was mined but reverted.
    #[error("transaction {hash} reverted on chain in block {block}")]
    RevertedOnChain {
        /// Transaction hash.
        hash: TxHash,
        /// Block it was mined in.
        block: u64,
    },
    /// The nonce was consumed by another transaction of the same account; ours is gone.
    #[error("transaction with nonce {nonce} was superseded by another transaction")]
    Superseded {
        /// The nonce our transaction used.
        nonce: u64,
    },
    /// A transaction of this account is already pending (sent earlier, maybe before a restart).
    #[error("a transaction is already pending (nonce latest {latest}, pending {pending})")]
    InFlight {
        /// Transactions mined.
        latest: u64,
        /// Transactions mined or pending.
        pending: u64,
    },
    /// Transaction building or signing failed.
    #[error("building the transaction failed: {0}")]
    Build(String),
    /// The operation was cancelled by shutdown.
    #[error("cancelled")]
    Cancelled,
    /// Test chain (anvil / forge) failure.
    #[error("test chain: {0}")]
    TestChain(String),
}
