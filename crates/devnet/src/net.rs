//! Chain access of the devnet driver: transactions from the dev accounts, anvil RPCs, round
//! reads and event logs.

use std::time::Duration;

use alloy::{
    primitives::Address,
    providers::{DynProvider, Provider},
    rpc::types::{Filter, Log, TransactionReceipt, TransactionRequest},
    sol_types::SolEvent,
};
use anyhow::{Context as _, Result, ensure};
use livepeer_chain::protocol::Protocol;

/// The chain the devnet runs on, with a provider holding every dev account's key.
pub(crate) struct Net {
    pub(crate) provider: DynProvider,
    pub(crate) p: Protocol,
    pub(crate) deployer: Address,
    pub(crate) round_length: u64,
}

impl Net {
    pub(crate) async fn send(
        &self,
        what: &str,
        tx: TransactionRequest,
    ) -> Result<TransactionReceipt> {
        let pending = self
            .provider
            .send_transaction(tx)
            .await
            .with_context(|| format!("sending {what}"))?;
        let receipt = pending
            .with_timeout(Some(Duration::from_secs(60)))
            .get_receipt()
            .await
            .with_context(|| format!("receipt of {what}"))?;
        ensure!(
            receipt.status(),
            "{what} reverted ({})",
            receipt.transaction_hash
        );
        Ok(receipt)
    }

    pub(crate) async fn rpc(&self, method: &'static str, params: serde_json::Value) -> Result<()> {
        self.provider
            .raw_request::<_, serde_json::Value>(method.into(), params)
            .await
            .context(method)?;
        Ok(())
    }

    pub(crate) async fn block(&self) -> Result<u64> {
        Ok(self.provider.get_block_number().await?)
    }

    pub(crate) async fn current_round(&self) -> Result<u64> {
        Ok(self
            .p
            .rounds_manager
            .currentRound()
            .call()
            .await?
            .to::<u64>())
    }

    pub(crate) async fn last_initialized(&self) -> Result<u64> {
        Ok(self
            .p
            .rounds_manager
            .lastInitializedRound()
            .call()
            .await?
            .to::<u64>())
    }

    /// Set-up only (automine): leaves the round unlocked (mining past the lock if needed)
    /// and initialized.
    pub(crate) async fn prepare_round(&self) -> Result<()> {
        if self.p.rounds_manager.currentRoundLocked().call().await? {
            let start = self
                .p
                .rounds_manager
                .currentRoundStartBlock()
                .call()
                .await?
                .to::<u64>();
            let to_next = (start + self.round_length).saturating_sub(self.block().await?);
            self.rpc("anvil_mine", serde_json::json!([format!("{to_next:#x}")]))
                .await?;
        }
        if !self
            .p
            .rounds_manager
            .currentRoundInitialized()
            .call()
            .await?
        {
            let tx = self
                .p
                .rounds_manager
                .initializeRound()
                .from(self.deployer)
                .into_transaction_request();
            self.send("initializeRound (set-up)", tx).await?;
        }
        Ok(())
    }

    pub(crate) async fn logs<E: SolEvent>(
        &self,
        address: Address,
        from: u64,
        to: u64,
    ) -> Result<Vec<E>> {
        let filter = Filter::new()
            .address(address)
            .event_signature(E::SIGNATURE_HASH)
            .from_block(from)
            .to_block(to);
        let logs: Vec<Log> = self.provider.get_logs(&filter).await?;
        logs.iter()
            .map(|l| {
                l.log_decode::<E>()
                    .map(|d| d.inner.data)
                    .context("decoding a log")
            })
            .collect()
    }
}
