//! Chain access of the devnet driver: transactions from the dev accounts, anvil RPCs, round
//! reads and event logs.

use std::time::Duration;

use alloy::{
    network::EthereumWallet,
    primitives::Address,
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{Filter, Log, TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{Context as _, Result, ensure};
use livepeer_chain::protocol::Protocol;
use livepeer_protocol::Round;

/// The chain the devnet runs on, with a provider holding every dev account's key.
pub(crate) struct Net {
    pub(crate) provider: DynProvider,
    pub(crate) p: Protocol,
    pub(crate) deployer: Address,
    pub(crate) round_length: u64,
}

impl Net {
    /// Connects to `url` with a wallet holding the deployer's key (the default sender) and
    /// `signers`', and discovers the protocol from `controller`.
    pub(crate) async fn connect(
        url: &str,
        controller: Address,
        deployer: &PrivateKeySigner,
        signers: &[&PrivateKeySigner],
    ) -> Result<Self> {
        let mut wallet = EthereumWallet::from(deployer.clone());
        for s in signers {
            wallet.register_signer((*s).clone());
        }
        let provider = ProviderBuilder::new()
            .wallet(wallet)
            .connect(url)
            .await
            .context("connecting")?
            .erased();
        let p = Protocol::discover(provider.clone(), controller)
            .await
            .context("discovering the protocol")?;
        let round_length = p.rounds_manager.roundLength().call().await?.to::<u64>();
        Ok(Self {
            provider,
            p,
            deployer: deployer.address(),
            round_length,
        })
    }

    /// Sends `tx` and waits for its successful receipt.
    pub(crate) async fn send(
        &self,
        what: &str,
        tx: TransactionRequest,
    ) -> Result<TransactionReceipt> {
        let mut receipts = self.send_all(vec![(what.to_owned(), tx)]).await?;
        receipts.pop().context("no receipt")
    }

    /// Sends every transaction before waiting for any receipt (different senders: they are mined
    /// together), then checks each.
    pub(crate) async fn send_all(
        &self,
        txs: Vec<(String, TransactionRequest)>,
    ) -> Result<Vec<TransactionReceipt>> {
        let mut pending = Vec::with_capacity(txs.len());
        for (what, tx) in txs {
            let p = self
                .provider
                .send_transaction(tx)
                .await
                .with_context(|| format!("sending {what}"))?;
            pending.push((what, p));
        }
        let mut receipts = Vec::with_capacity(pending.len());
        for (what, p) in pending {
            let receipt = p
                .with_timeout(Some(Duration::from_secs(60)))
                .get_receipt()
                .await
                .with_context(|| format!("receipt of {what}"))?;
            ensure!(
                receipt.status(),
                "{what} reverted ({})",
                receipt.transaction_hash
            );
            receipts.push(receipt);
        }
        Ok(receipts)
    }

    /// `tx` from `from` with its nonce read from the node (pending): the provider caches nonces,
    /// and the reward agent sends from the orchestrators' keys too.
    pub(crate) async fn fresh_nonce(
        &self,
        from: Address,
        tx: TransactionRequest,
    ) -> Result<TransactionRequest> {
        let nonce = self
            .provider
            .get_transaction_count(from)
            .pending()
            .await
            .context("reading a nonce")?;
        Ok(tx.nonce(nonce))
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

    pub(crate) async fn current_round(&self) -> Result<Round> {
        let round = self.p.rounds_manager.currentRound().call().await?;
        Round::try_from(round).context("RoundsManager.currentRound()")
    }

    pub(crate) async fn last_initialized(&self) -> Result<Round> {
        let round = self.p.rounds_manager.lastInitializedRound().call().await?;
        Round::try_from(round).context("RoundsManager.lastInitializedRound()")
    }

    /// First block of `round` (rounds of `round_length` blocks since the current one started).
    pub(crate) async fn round_start(&self, round: Round) -> Result<u64> {
        let current = self.current_round().await?;
        let start = self
            .p
            .rounds_manager
            .currentRoundStartBlock()
            .call()
            .await?
            .to::<u64>();
        let back = current.since(round) * self.round_length;
        let ahead = round.since(current) * self.round_length;
        Ok(start + ahead - back)
    }

    /// Mines blocks at once (`anvil_mine`) up to the first block of `round`, if not there yet;
    /// returns how many.
    pub(crate) async fn mine_to_round(&self, round: Round) -> Result<u64> {
        let target = self.round_start(round).await?;
        let n = target.saturating_sub(self.block().await?);
        if n > 0 {
            self.rpc("anvil_mine", serde_json::json!([format!("{n:#x}")]))
                .await?;
        }
        Ok(n)
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
