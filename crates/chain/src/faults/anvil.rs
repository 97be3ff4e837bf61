//! [`Anvil`]: mining and every fault of the suite, on any anvil: one home for how each fault is
//! injected. [`super::net::FaultNet`] uses it for the matrix, the soak (`livepeer-soak`) for
//! faults at random.

use std::time::Duration;

use alloy::{
    consensus::Transaction as _,
    network::TransactionBuilder,
    primitives::{Address, Bytes, TxHash, U256},
    providers::{DynProvider, Provider},
    rpc::types::{TransactionReceipt, TransactionRequest},
};
use serde_json::{Value, json};

use super::fail;
use crate::ChainError;

/// Block gas limit while blocks are congested: above any bot transaction, and small enough
/// that filling a block is quick.
const CONGESTED_GAS_LIMIT: u64 = 2_000_000;
/// anvil's default block gas limit, restored after congestion.
const DEFAULT_GAS_LIMIT: u64 = 30_000_000;
/// Init code that loops until it runs out of gas: a creation transaction with it burns its
/// whole gas limit.
const GAS_BURNER: [u8; 4] = [0x5b, 0x60, 0x00, 0x56];
/// Fees of the harness's own transactions: far above any base fee a scenario sets, so they
/// always land in the next block.
const HARNESS_MAX_FEE: u128 = 2_000_000_000_000;
const HARNESS_TIP: u128 = 1_000_000_000;
/// Tip of the congestion's filler transactions: far above any bot's tip.
const CONGESTION_TIP: u128 = 50_000_000_000;

/// An anvil node driven by a test: it mines, and injects the faults.
#[derive(Debug, Clone)]
pub struct Anvil {
    provider: DynProvider,
}

/// The transactions of one account to one contract in a range of blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// Successful ones.
    pub ok: Vec<TxHash>,
    /// Reverted ones.
    pub reverted: Vec<TxHash>,
}

impl Anvil {
    /// Drives the node behind `provider`, whose wallet holds the key of every account the harness
    /// sends from (its own transactions, a nonce gap's, the congestion's).
    pub fn new(provider: DynProvider) -> Self {
        Self { provider }
    }

    /// The provider.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// A JSON-RPC call whose answer does not matter.
    pub async fn rpc(&self, method: &'static str, params: Value) -> Result<(), ChainError> {
        let _: Value = self.provider.raw_request(method.into(), params).await?;
        Ok(())
    }

    /// The head block number.
    pub async fn head(&self) -> Result<u64, ChainError> {
        Ok(self.provider.get_block_number().await?)
    }

    /// Mines `blocks` blocks at once; returns the new head.
    pub async fn mine(&self, blocks: u64) -> Result<u64, ChainError> {
        let _: Value = self
            .provider
            .raw_request("anvil_mine".into(), (U256::from(blocks),))
            .await?;
        self.head().await
    }

    /// Sends `tx` (its `from` an account of the wallet) at fees far above the base fee, mines one block and
    /// checks the receipt.
    pub async fn send_and_mine(
        &self,
        what: &str,
        tx: TransactionRequest,
    ) -> Result<TransactionReceipt, ChainError> {
        let hash = self.send_now(tx).await?;
        self.mine(1).await?;
        let receipt = self
            .receipt(hash)
            .await?
            .ok_or_else(|| fail(format!("{what} ({hash}) not mined in the next block")))?;
        if !receipt.status() {
            return Err(fail(format!("{what} ({hash}) reverted")));
        }
        Ok(receipt)
    }

    /// Sends `tx` at the harness's fees (above any scenario's base fee) without mining.
    pub async fn send_now(&self, tx: TransactionRequest) -> Result<TxHash, ChainError> {
        let tx = tx
            .max_fee_per_gas(HARNESS_MAX_FEE)
            .max_priority_fee_per_gas(HARNESS_TIP);
        Ok(*self.provider.send_transaction(tx).await?.tx_hash())
    }

    /// The receipt of `hash`, if it is mined.
    pub async fn receipt(&self, hash: TxHash) -> Result<Option<TransactionReceipt>, ChainError> {
        Ok(self.provider.get_transaction_receipt(hash).await?)
    }

    /// The lowest-nonce transaction of `from` waiting in the pool (pending, not queued behind a
    /// gap), as `(hash, nonce)`.
    pub async fn in_pool(&self, from: Address) -> Result<Option<(TxHash, u64)>, ChainError> {
        let content: Value = self
            .provider
            .raw_request("txpool_content".into(), ())
            .await?;
        Ok(pool_entries(&content["pending"], from).into_iter().next())
    }

    /// Waits until a transaction of `from` is in the pool; returns it.
    pub async fn wait_in_pool(
        &self,
        from: Address,
        timeout: Duration,
    ) -> Result<(TxHash, u64), ChainError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(found) = self.in_pool(from).await? {
                return Ok(found);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(fail(format!(
                    "no transaction of {from} reached the pool within {timeout:?}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Transactions from `from` to `to` mined from block `first` to the head.
    pub async fn sent(&self, from: Address, to: Address, first: u64) -> Result<Sent, ChainError> {
        let mut sent = Sent::default();
        for block in first..=self.head().await? {
            let receipts = self
                .provider
                .get_block_receipts(block.into())
                .await?
                .unwrap_or_default();
            for r in receipts
                .iter()
                .filter(|r| r.from == from && r.to == Some(to))
            {
                match r.status() {
                    true => sent.ok.push(r.transaction_hash),
                    false => sent.reverted.push(r.transaction_hash),
                }
            }
        }
        Ok(sent)
    }

    /// **Reorg**: replaces the head block, which must hold `hash`, with an empty one
    /// (`anvil_reorg`, depth 1). The transaction is then in neither the chain nor the pool.
    pub async fn reorg_out(&self, hash: TxHash) -> Result<(), ChainError> {
        let head = self.head().await?;
        let block = self.receipt(hash).await?.and_then(|r| r.block_number);
        if block != Some(head) {
            return Err(fail(format!(
                "reorg: {hash} is not in the head block {head} (block {block:?})"
            )));
        }
        self.rpc("anvil_reorg", json!([1, []])).await?;
        // Out of the chain (a bot may already be broadcasting it again).
        if self.receipt(hash).await?.is_some() {
            return Err(fail(format!("reorg: {hash} survived it")));
        }
        Ok(())
    }

    /// **Base-fee spike**: sets the next block's base fee to four times `hash`'s
    /// `maxFeePerGas` and mines it, which evicts the transaction from the pool. Returns the new
    /// base fee.
    pub async fn spike_evict(&self, hash: TxHash) -> Result<u128, ChainError> {
        let tx = self
            .provider
            .get_transaction_by_hash(hash)
            .await?
            .ok_or_else(|| fail(format!("spike: {hash} is not in the pool")))?;
        let base_fee = tx.max_fee_per_gas().saturating_mul(4);
        self.set_base_fee(base_fee).await?;
        self.mine(1).await?;
        if self.receipt(hash).await?.is_some()
            || self.provider.get_transaction_by_hash(hash).await?.is_some()
        {
            return Err(fail(format!("spike: {hash} was not evicted")));
        }
        Ok(base_fee)
    }

    /// **Stuck** (congestion): mines one block filled by a transaction of `filler` that pays a far higher tip than any bot and burns the whole block gas limit, so nothing
    /// else fits. [`FaultNet::relieve`] gives blocks their room back.
    pub async fn mine_congested(&self, filler: Address) -> Result<u64, ChainError> {
        self.rpc(
            "evm_setBlockGasLimit",
            json!([format!("{CONGESTED_GAS_LIMIT:#x}")]),
        )
        .await?;
        let filler = TransactionRequest::default()
            .from(filler)
            .with_deploy_code(Bytes::from(GAS_BURNER.to_vec()))
            .gas_limit(CONGESTED_GAS_LIMIT)
            .max_fee_per_gas(HARNESS_MAX_FEE)
            .max_priority_fee_per_gas(CONGESTION_TIP);
        let hash = *self.provider.send_transaction(filler).await?.tx_hash();
        let head = self.mine(1).await?;
        match self.receipt(hash).await? {
            Some(r) if r.gas_used == CONGESTED_GAS_LIMIT => Ok(head),
            other => Err(fail(format!(
                "congestion: the filler did not fill block {head}: {other:?}"
            ))),
        }
    }

    /// Ends congestion: the block gas limit back to anvil's default.
    pub async fn relieve(&self) -> Result<(), ChainError> {
        self.rpc(
            "evm_setBlockGasLimit",
            json!([format!("{DEFAULT_GAS_LIMIT:#x}")]),
        )
        .await
    }

    /// **Nonce gap**: puts a transaction of `from` (a transfer to itself) with nonce n+1 in the
    /// pool, n being the account's next nonce; returns its hash. It lands once something uses n.
    pub async fn nonce_gap(&self, from: Address) -> Result<TxHash, ChainError> {
        let next = self.provider.get_transaction_count(from).await?;
        let tx = TransactionRequest::default()
            .from(from)
            .to(from)
            .value(U256::ZERO)
            .nonce(next + 1)
            .gas_limit(21_000);
        let hash = self.send_now(tx).await?;
        let content: Value = self
            .provider
            .raw_request("txpool_content".into(), ())
            .await?;
        if !pool_entries(&content["queued"], from)
            .iter()
            .any(|(h, _)| *h == hash)
        {
            return Err(fail(format!(
                "nonce gap: {hash} (nonce {}) is not queued",
                next + 1
            )));
        }
        Ok(hash)
    }

    /// Sets the next block's base fee (the following ones move from it as EIP-1559 says).
    pub async fn set_base_fee(&self, wei: u128) -> Result<(), ChainError> {
        self.rpc(
            "anvil_setNextBlockBaseFeePerGas",
            json!([format!("{wei:#x}")]),
        )
        .await
    }

    /// The head block's base fee.
    pub async fn base_fee(&self) -> Result<u128, ChainError> {
        let block = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .ok_or_else(|| fail("no head block"))?;
        Ok(block.header.base_fee_per_gas.map(u128::from).unwrap_or(0))
    }
}

/// `(hash, nonce)` of `from`'s transactions in one section (`pending` or `queued`) of
/// `txpool_content`, by nonce.
fn pool_entries(section: &Value, from: Address) -> Vec<(TxHash, u64)> {
    let mut out: Vec<(TxHash, u64)> = section
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(account, _)| account.parse::<Address>().ok() == Some(from))
        .flat_map(|(_, txs)| txs.as_object().into_iter().flatten())
        .filter_map(|(nonce, tx)| {
            let hash = tx.get("hash")?.as_str()?.parse().ok()?;
            Some((hash, nonce.parse().ok()?))
        })
        .collect();
    out.sort_by_key(|(_, nonce)| *nonce);
    out
}
