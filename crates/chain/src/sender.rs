//! The transaction sender: simulate, send with EIP-1559 fees under a cap, replace when stuck,
//! wait for a confirmation depth and notice a reorg that drops the transaction.
//!
//! # Nonces
//!
//! The chain is the truth: every send reads the account's `latest` and `pending` transaction
//! counts, in the same JSON-RPC batch as the `eth_estimateGas` simulation. If `pending > latest`, a transaction of this account is already
//! in the pool (typically sent before a restart) and [`TxSender::send`] refuses with
//! [`ChainError::InFlight`] unless asked to replace it ([`NonceMode::ReplaceInFlight`]). One
//! [`tokio::sync::Mutex`] is held from the nonce read until the transaction is confirmed or
//! given up, so concurrent tasks sharing a sender never race for a nonce.

use std::time::Duration;

use alloy::{
    consensus::TxEnvelope,
    eips::{BlockNumberOrTag, Encodable2718},
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, Bytes, TxHash, U64},
    providers::{DynProvider, Provider},
    rpc::client::BatchRequest,
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
};
use tokio::sync::{Mutex, watch};
use tokio_util::sync::CancellationToken;

use crate::{ChainError, blocks::Head, revert::RevertReason};

/// Fee and confirmation policy.
#[derive(Debug, Clone)]
pub struct FeePolicy {
    /// Hard cap on `maxFeePerGas` (wei); no transaction or replacement ever exceeds it.
    pub max_fee_per_gas: u128,
    /// Priority fee (tip) of a first attempt (wei).
    pub priority_fee_per_gas: u128,
    /// Fee bump of a replacement, in percent (at least 10, the node's replacement rule).
    pub bump_percent: u64,
    /// Blocks without a receipt before the transaction is replaced (or rebroadcast at the cap).
    pub replace_after_blocks: u64,
    /// Blocks on top of the inclusion block (inclusive) before a receipt is final.
    pub confirmations: u64,
    /// Gas limit as a percentage of the estimate.
    pub gas_limit_percent: u64,
}

impl Default for FeePolicy {
    fn default() -> Self {
        Self {
            max_fee_per_gas: 100_000_000_000,
            priority_fee_per_gas: 1_000_000,
            bump_percent: 12,
            replace_after_blocks: 3,
            confirmations: 1,
            gas_limit_percent: 130,
        }
    }
}

/// How the nonce of a new transaction is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceMode {
    /// Use the `pending` count; refuse with [`ChainError::InFlight`] if a transaction of this
    /// account is already pending.
    Next,
    /// Use the `latest` count, replacing whatever pending transaction holds it, at the fee cap.
    ReplaceInFlight,
}

/// Hooks called as a transaction progresses (metrics, logs). Every method defaults to nothing.
pub trait SendEvents: Send + Sync {
    /// A transaction was broadcast for the first time.
    fn sent(&self, _hash: TxHash, _nonce: u64) {}
    /// A replacement with higher fees was broadcast.
    fn replaced(&self, _old: TxHash, _new: TxHash) {}
    /// The receipt of a mined transaction disappeared (reorg); it is being rebroadcast.
    fn reorged(&self, _hash: TxHash) {}
    /// Everything due at head `block` has been done (receipt checked, replacement sent) and the
    /// transaction is still being followed.
    fn tracked(&self, _block: u64) {}
}

/// Events sink that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;
impl SendEvents for NoEvents {}

/// A confirmed, successful transaction.
#[derive(Debug, Clone)]
pub struct Confirmed {
    /// The receipt.
    pub receipt: TransactionReceipt,
    /// Replacements sent before it was mined.
    pub replacements: u32,
}

struct Attempt {
    hash: TxHash,
    raw: Bytes,
    max_fee: u128,
    tip: u128,
}

/// Sends transactions from one account. Share it behind an `Arc`.
#[derive(Debug)]
pub struct TxSender {
    provider: DynProvider,
    wallet: EthereumWallet,
    address: Address,
    chain_id: u64,
    policy: FeePolicy,
    lock: Mutex<()>,
}

impl TxSender {
    /// A sender for `signer` (reads the chain id once).
    pub async fn new(
        provider: DynProvider,
        signer: PrivateKeySigner,
        policy: FeePolicy,
    ) -> Result<Self, ChainError> {
        let chain_id = provider.get_chain_id().await?;
        let address = signer.address();
        Ok(Self {
            provider,
            wallet: EthereumWallet::from(signer),
            address,
            chain_id,
            policy: FeePolicy {
                bump_percent: policy.bump_percent.max(10),
                confirmations: policy.confirmations.max(1),
                ..policy
            },
            lock: Mutex::new(()),
        })
    }

    /// The sending account.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The fee policy in force.
    pub fn policy(&self) -> &FeePolicy {
        &self.policy
    }

    /// The account's `(latest, pending)` transaction counts, in one batch request.
    pub async fn nonces(&self) -> Result<(u64, u64), ChainError> {
        let mut batch = BatchRequest::new(self.provider.client());
        let latest = batch
            .add_call::<_, U64>(
                "eth_getTransactionCount",
                &(self.address, BlockNumberOrTag::Latest),
            )
            .map_err(ChainError::Rpc)?;
        let pending = batch
            .add_call::<_, U64>(
                "eth_getTransactionCount",
                &(self.address, BlockNumberOrTag::Pending),
            )
            .map_err(ChainError::Rpc)?;
        batch.send().await?;
        Ok((latest.await?.to::<u64>(), pending.await?.to::<u64>()))
    }

    /// Simulates `tx` from this account with `eth_estimateGas` (an `eth_call` that also returns
    /// the gas): a revert comes back as [`ChainError::SimulationReverted`] with the decoded reason.
    pub async fn simulate(&self, tx: &TransactionRequest) -> Result<u64, ChainError> {
        let tx = tx.clone().with_from(self.address);
        self.provider.estimate_gas(tx).await.map_err(
            |err| match RevertReason::from_transport_error(&err) {
                Some(reason) => ChainError::SimulationReverted(reason),
                None => ChainError::Rpc(err),
            },
        )
    }

    /// Simulates, signs and sends `tx` (with the gas limit it carries, if any; else the estimate
    /// times [`FeePolicy::gas_limit_percent`]), then follows it until it has
    /// [`FeePolicy::confirmations`] blocks, replacing it when stuck and rebroadcasting it when a
    /// reorg drops it. `base_fee` is the latest block's base fee; `heads` yields new heads
    /// numbers (the sender polls nothing on its own between blocks).
    pub async fn send(
        &self,
        tx: TransactionRequest,
        base_fee: u128,
        mode: NonceMode,
        mut heads: watch::Receiver<Head>,
        cancel: &CancellationToken,
        events: &dyn SendEvents,
    ) -> Result<Confirmed, ChainError> {
        let _guard = self.lock.lock().await;
        // The head the attempt starts at, marked seen before anything is sent: a head that
        // arrives while the transaction goes out is then a change, handled at once (once it is
        // out, a caller may wait for the sender to have handled the next head).
        let mut waiting_since = heads.borrow_and_update().number;
        // Nonces and simulation in one batch request.
        let mut batch = BatchRequest::new(self.provider.client());
        let latest = batch.add_call::<_, U64>(
            "eth_getTransactionCount",
            &(self.address, BlockNumberOrTag::Latest),
        )?;
        let pending = batch.add_call::<_, U64>(
            "eth_getTransactionCount",
            &(self.address, BlockNumberOrTag::Pending),
        )?;
        let call = tx.clone().with_from(self.address);
        let simulated = match mode {
            NonceMode::Next => batch.add_call::<_, U64>("eth_estimateGas", &(call,))?,
            // On the mined state: the pending block holds the very transaction being replaced,
            // which may make this one revert there (a round already initialized, a ticket used).
            NonceMode::ReplaceInFlight => {
                batch.add_call::<_, U64>("eth_estimateGas", &(call, BlockNumberOrTag::Latest))?
            }
        };
        let (latest, pending, simulated) = match batch.send().await {
            Ok(()) => (
                latest.await?.to::<u64>(),
                pending.await?.to::<u64>(),
                simulated.await,
            ),
            // alloy's retry layer turns a batch holding one error answer into an error of the
            // whole batch. Only the simulation answers with an error (a revert), so this is its
            // answer; the nonces are read again on their own: a revert of a transaction already
            // pending (it would revert against the pending block) must still say `InFlight`.
            Err(err) if err.as_error_resp().is_some() => {
                let (latest, pending) = self.nonces().await?;
                (latest, pending, Err(err))
            }
            Err(err) => return Err(err.into()),
        };
        let nonce = match mode {
            NonceMode::Next if pending > latest => {
                return Err(ChainError::InFlight { latest, pending });
            }
            NonceMode::Next => pending,
            NonceMode::ReplaceInFlight => latest,
        };
        let estimate = simulated
            .map_err(|err| match RevertReason::from_transport_error(&err) {
                Some(reason) => ChainError::SimulationReverted(reason),
                None => ChainError::Rpc(err),
            })?
            .to::<u64>();
        // A limit set by the caller is kept: it may know the estimate to be misleading (a batch
        // whose inner calls fail quietly when short of gas estimates too low).
        let gas_limit = tx
            .gas
            .unwrap_or_else(|| estimate.saturating_mul(self.policy.gas_limit_percent) / 100);
        let cap = self.policy.max_fee_per_gas;
        let (max_fee, tip) = match mode {
            // An unknown transaction holds the nonce: only the cap is sure to outbid it.
            NonceMode::ReplaceInFlight => (cap, cap.min(self.policy.priority_fee_per_gas * 2)),
            NonceMode::Next => {
                let tip = self.policy.priority_fee_per_gas.min(cap);
                (base_fee.saturating_mul(2).saturating_add(tip).min(cap), tip)
            }
        };
        let request = tx
            .with_from(self.address)
            .with_nonce(nonce)
            .with_chain_id(self.chain_id)
            .with_gas_limit(gas_limit);
        let mut attempts = vec![self.sign(&request, max_fee, tip).await?];
        let first = &attempts[0];
        self.broadcast(&first.raw).await?;
        events.sent(first.hash, nonce);
        tracing::info!(hash = %first.hash, nonce, max_fee, tip, gas_limit, "transaction sent");

        let mut mined: Option<TxHash> = None;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => {
                    let hashes: Vec<String> = attempts.iter().map(|a| a.hash.to_string()).collect();
                    // A shutdown, or the bot replacing the transaction: it may still be mined.
                    tracing::warn!(nonce, ?hashes, "no longer following a transaction in flight (shutdown or replacement); the next send or start sees it as pending");
                    return Err(ChainError::Cancelled);
                }
                changed = heads.changed() => {
                    if changed.is_err() {
                        return Err(ChainError::Cancelled);
                    }
                }
            }
            let Head {
                number: head,
                base_fee,
            } = *heads.borrow_and_update();
            let step = self
                .track_step(
                    head,
                    base_fee,
                    nonce,
                    cap,
                    &request,
                    &mut attempts,
                    &mut mined,
                    &mut waiting_since,
                    events,
                )
                .await;
            match step? {
                Some(confirmed) => return Ok(confirmed),
                None => events.tracked(head),
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn track_step(
        &self,
        head: u64,
        base_fee: u128,
        nonce: u64,
        cap: u128,
        request: &TransactionRequest,
        attempts: &mut Vec<Attempt>,
        mined: &mut Option<TxHash>,
        waiting_since: &mut u64,
        events: &dyn SendEvents,
    ) -> Result<Option<Confirmed>, ChainError> {
        {
            // Look for a receipt of any attempt, newest first.
            let mut found = None;
            for attempt in attempts.iter().rev() {
                if let Some(receipt) = self.provider.get_transaction_receipt(attempt.hash).await? {
                    found = Some(receipt);
                    break;
                }
            }
            match found {
                Some(receipt) => {
                    let block = receipt.block_number.unwrap_or(head);
                    if mined.is_none() {
                        tracing::info!(hash = %receipt.transaction_hash, block, "transaction mined");
                    }
                    *mined = Some(receipt.transaction_hash);
                    if !receipt.status() {
                        return Err(ChainError::RevertedOnChain {
                            hash: receipt.transaction_hash,
                            block,
                        });
                    }
                    if head + 1 >= block + self.policy.confirmations {
                        return Ok(Some(Confirmed {
                            receipt,
                            replacements: (attempts.len() - 1) as u32,
                        }));
                    }
                    Ok(None)
                }
                None => {
                    if let Some(hash) = mined.take() {
                        // It was mined and now it is not: a reorg dropped it. Rebroadcast it.
                        tracing::warn!(%hash, "reorg removed the transaction; rebroadcasting");
                        events.reorged(hash);
                        if let Some(attempt) = attempts.iter().find(|a| a.hash == hash) {
                            self.broadcast(&attempt.raw).await?;
                        }
                        *waiting_since = head;
                        return Ok(None);
                    }
                    if head < waiting_since.saturating_add(self.policy.replace_after_blocks) {
                        return Ok(None);
                    }
                    *waiting_since = head;
                    let (latest, _) = self.nonces().await?;
                    if latest > nonce {
                        // The nonce is used. If none of our attempts has a receipt, another
                        // transaction of this account took it.
                        let mut ours = false;
                        for attempt in attempts.iter() {
                            ours |= self
                                .provider
                                .get_transaction_receipt(attempt.hash)
                                .await?
                                .is_some();
                        }
                        if !ours {
                            return Err(ChainError::Superseded { nonce });
                        }
                        return Ok(None);
                    }
                    let Some(last) = attempts.last().map(|a| (a.max_fee, a.tip)) else {
                        return Ok(None);
                    };
                    // At least the usual bump, and enough for the current base fee (a spike).
                    let bumped = bump(last, self.policy.bump_percent, cap).map(|(max, tip)| {
                        (
                            max.max(base_fee.saturating_mul(2).saturating_add(tip))
                                .min(cap),
                            tip,
                        )
                    });
                    match bumped {
                        Some((new_max, new_tip)) => {
                            let attempt = self.sign(request, new_max, new_tip).await?;
                            self.broadcast(&attempt.raw).await?;
                            let old = attempts.last().map(|a| a.hash).unwrap_or_default();
                            tracing::warn!(%old, new = %attempt.hash, new_max, new_tip, "stuck transaction replaced");
                            events.replaced(old, attempt.hash);
                            attempts.push(attempt);
                        }
                        None => {
                            // At the cap: make sure the node still has it.
                            if let Some(attempt) = attempts.last() {
                                tracing::warn!(hash = %attempt.hash, "stuck at the fee cap; rebroadcasting");
                                self.broadcast(&attempt.raw).await?;
                            }
                        }
                    }
                    Ok(None)
                }
            }
        }
    }

    async fn sign(
        &self,
        request: &TransactionRequest,
        max_fee: u128,
        tip: u128,
    ) -> Result<Attempt, ChainError> {
        let envelope: TxEnvelope = request
            .clone()
            .with_max_fee_per_gas(max_fee)
            .with_max_priority_fee_per_gas(tip)
            .build(&self.wallet)
            .await
            .map_err(|err| ChainError::Build(err.to_string()))?;
        Ok(Attempt {
            hash: *envelope.tx_hash(),
            raw: envelope.encoded_2718().into(),
            max_fee,
            tip,
        })
    }

    async fn broadcast(&self, raw: &Bytes) -> Result<(), ChainError> {
        match self.provider.send_raw_transaction(raw).await {
            Ok(_) => Ok(()),
            Err(err) if already_in_pool(&err.to_string()) => Ok(()),
            Err(err) => Err(ChainError::Rpc(err)),
        }
    }
}

/// Whether a node refused a raw transaction because it already has it (the same signed bytes:
/// a rebroadcast, or a rival with the same key that signed the same transaction): geth and
/// Arbitrum's "already known", older nodes' "known transaction", anvil's "transaction already
/// imported". The transaction is in the pool, which is what the broadcast was for.
fn already_in_pool(error: &str) -> bool {
    let text = error.to_ascii_lowercase();
    ["already known", "known transaction", "already imported"]
        .iter()
        .any(|phrase| text.contains(phrase))
}

/// Fees of a replacement: both raised by `percent` (at least 10%, the usual pool rule), the max
/// fee limited to `cap`. `None` when the cap leaves no room for a valid replacement.
pub fn bump((max_fee, tip): (u128, u128), percent: u64, cap: u128) -> Option<(u128, u128)> {
    let percent = u128::from(percent.max(10));
    let raise = |v: u128| v.saturating_mul(100 + percent).div_ceil(100).max(v + 1);
    let min_max = max_fee.saturating_mul(110).div_ceil(100);
    let min_tip = tip.saturating_mul(110).div_ceil(100);
    let new_max = raise(max_fee).min(cap);
    let new_tip = raise(tip).min(new_max);
    (new_max >= min_max && new_tip >= min_tip && new_max > max_fee).then_some((new_max, new_tip))
}

/// A decimal gwei amount (a config value) in wei; `None` if negative or not finite.
pub fn gwei_to_wei(gwei: f64) -> Option<u128> {
    (gwei.is_finite() && gwei >= 0.0).then(|| (gwei * 1e9).round() as u128)
}

/// Waits until `condition` holds, polling every `interval`, up to `timeout`.
pub async fn poll_until<F, Fut>(interval: Duration, timeout: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if condition().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_the_node_already_has_counts_as_broadcast() {
        for known in [
            "server returned an error response: error code -32000: already known",
            "error code -32000: known transaction: 0xab",
            "server returned an error response: error code -32003: transaction already imported",
        ] {
            assert!(already_in_pool(known), "{known}");
        }
        for other in [
            "error code -32000: nonce too low",
            "error code -32000: replacement transaction underpriced",
            "error code -32003: insufficient funds for gas * price + value",
        ] {
            assert!(!already_in_pool(other), "{other}");
        }
    }

    #[test]
    fn bump_raises_both_fees_by_at_least_ten_percent() {
        assert_eq!(bump((100, 10), 12, 1_000), Some((112, 12)));
        assert_eq!(bump((100, 10), 5, 1_000), Some((110, 11)));
    }

    #[test]
    fn bump_stops_at_the_cap() {
        assert_eq!(bump((100, 10), 12, 105), None);
        assert_eq!(bump((100, 10), 12, 110), Some((110, 12)));
        assert_eq!(bump((110, 10), 12, 110), None);
    }

    #[test]
    fn bump_of_tiny_fees_still_moves() {
        assert_eq!(bump((1, 1), 10, 100), Some((2, 2)));
        assert_eq!(bump((0, 0), 10, 100), Some((1, 1)));
    }
}
